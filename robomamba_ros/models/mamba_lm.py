# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The Mamba language model: transformers' ``MambaForCausalLM`` (or ``Mamba2ForCausalLM``).

On CPU, or on CUDA without ``mamba-ssm``, transformers' Mamba-1 mixer falls back to a sequential
scan that records one autograd node per token and trains ~70x slower than a same-size GPT-2.
:func:`use_torch_scan` switches the mixers of one model instance (never the class, never other
models) to :class:`TorchScanMambaMixer`, which runs the same computation through
:mod:`robomamba_ros.models.mamba_scan`. When ``mamba-ssm`` is importable and the activations are on
CUDA, the mixer defers to transformers' own forward, so the fused kernels stay in use.
"""

import importlib.util

import torch
from transformers import Mamba2Config, Mamba2ForCausalLM, MambaConfig, MambaForCausalLM
from transformers.models.mamba import modeling_mamba

from robomamba_ros.models.lora import has_lora
from robomamba_ros.models.mamba_scan import selective_scan, selective_state_step


def mamba_ssm_available():
    """Return True when the CUDA selective-scan kernels (``mamba_ssm``) can be imported."""
    return importlib.util.find_spec('mamba_ssm') is not None


class TorchScanMambaMixer(modeling_mamba.MambaMixer):
    """transformers' ``MambaMixer`` whose non-kernel path uses the shared torch selective scan."""

    def forward(self, hidden_states, cache_params=None, attention_mask=None, **kwargs):
        # The fused kernels read projection weights directly, which would bypass LoRA adapters.
        if hidden_states.is_cuda and mamba_ssm_available() and not has_lora(self):
            return super().forward(hidden_states, cache_params, attention_mask, **kwargs)
        seq_len = hidden_states.shape[1]
        dtype = hidden_states.dtype
        if cache_params is not None:
            conv_state = cache_params.get_conv_state(self.layer_idx, state_idx=0)
            recurrent_state = cache_params.get_recurrent_state(self.layer_idx, state_idx=0)
        else:
            conv_state, recurrent_state = None, None

        # 1. Gated projection: (batch, seq, d) -> x and gate, each (batch, dim, seq).
        hidden_states = modeling_mamba.apply_mask_to_padding_states(hidden_states, attention_mask)
        projected_states = self.in_proj(hidden_states).transpose(1, 2)
        x, gate = projected_states.chunk(2, dim=1)
        A = -torch.exp(self.A_log.float())

        # 2. Causal depthwise convolution, from the cached window when decoding one token.
        weight = self.conv1d.weight.squeeze(1)
        stepping = (conv_state is not None and seq_len == 1
                    and not cache_params.is_recording_past(self.layer_idx))
        if stepping:
            x = modeling_mamba.causal_conv1d_update(
                x, conv_state, weight, self.conv1d.bias, activation=self.activation)
        else:
            if cache_params is not None:
                x = cache_params.update_conv_state(
                    x, self.layer_idx, conv_kernel_size=self.conv_kernel_size)
            x = modeling_mamba.causal_conv1d_fn(
                x, weight, self.conv1d.bias, activation=self.activation)
            if cache_params is not None:
                x = x[:, :, -seq_len:]

        # 3. Input-dependent dt, B, C and the selective scan.
        x = modeling_mamba.apply_mask_to_padding_states(x.transpose(1, 2), attention_mask)
        time_step, B, C = torch.split(
            self.x_proj(x), [self.time_step_rank, self.ssm_state_size, self.ssm_state_size],
            dim=-1)
        time_step = self.dt_proj.weight @ time_step.transpose(1, 2)
        if recurrent_state is not None and seq_len == 1:
            y, new_state = selective_state_step(
                recurrent_state, x[:, 0], time_step[..., 0], A, B[:, 0], C[:, 0], self.D,
                z=gate[..., 0], dt_bias=self.dt_proj.bias, dt_softplus=True)
            recurrent_state.copy_(new_state.to(recurrent_state.dtype))
            y = y.unsqueeze(-1)
        else:
            y = selective_scan(
                x.transpose(1, 2), time_step, A, B.transpose(1, 2), C.transpose(1, 2), self.D,
                z=gate, dt_bias=self.dt_proj.bias, dt_softplus=True,
                return_last_state=cache_params is not None)
            if cache_params is not None:
                y, last_state = y
                cache_params.update_recurrent_state(last_state, self.layer_idx)

        # 4. Output projection back to the model width.
        return self.out_proj(y.transpose(1, 2).to(dtype))


def use_torch_scan(model):
    """
    Switch every Mamba-1 mixer of ``model`` (in place) to :class:`TorchScanMambaMixer`.

    Only this instance changes; parameters, buffers and state-dict keys stay the same.

    :param model: a module containing transformers ``MambaMixer`` layers.
    :return: the number of mixers switched.
    """
    count = 0
    for module in model.modules():
        if type(module) is modeling_mamba.MambaMixer:
            module.__class__ = TorchScanMambaMixer
            count += 1
    return count


def build_mamba_lm(lm_config):
    """
    Build a randomly initialised causal Mamba LM from a :class:`LanguageModelConfig`.

    :param lm_config: the ``lm`` part of a RoboMamba config.
    :return: ``MambaForCausalLM`` (with the torch scan) or ``Mamba2ForCausalLM``.
    """
    common = {
        'vocab_size': lm_config.vocab_size, 'hidden_size': lm_config.hidden_size,
        'num_hidden_layers': lm_config.num_layers, 'state_size': lm_config.state_size,
        'expand': lm_config.expand, 'conv_kernel': lm_config.conv_kernel,
        'pad_token_id': lm_config.pad_token_id, 'bos_token_id': lm_config.bos_token_id,
        'eos_token_id': lm_config.eos_token_id, 'tie_word_embeddings': lm_config.tie_embeddings,
    }
    if lm_config.architecture == 'mamba2':
        head_dim = lm_config.mamba2_head_dim
        config = Mamba2Config(
            num_heads=lm_config.expand * lm_config.hidden_size // head_dim, head_dim=head_dim,
            n_groups=1, chunk_size=lm_config.mamba2_chunk_size, **common)
        return Mamba2ForCausalLM(config)
    model = MambaForCausalLM(MambaConfig(**common))
    use_torch_scan(model)
    return model


__all__ = ['TorchScanMambaMixer', 'build_mamba_lm', 'mamba_ssm_available', 'use_torch_scan']
