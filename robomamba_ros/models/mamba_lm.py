# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The Mamba language model on this package's own block (:mod:`robomamba_ros.models.mamba_block`).

Module and parameter names follow transformers' ``MambaForCausalLM`` and the ``mamba-*-hf``
checkpoints (``backbone.embeddings``, ``backbone.layers.{i}.norm``,
``backbone.layers.{i}.mixer.*``, ``backbone.norm_f``, ``lm_head``), so such a checkpoint loads
name for name (:func:`load_hf_mamba`). Decoding keeps a :class:`MambaCache` (one
:class:`~robomamba_ros.models.mamba_block.MambaState` per layer) that every forward given it
reads and advances: a prompt, then one token at a time, equals the forward of the whole text.
"""

import dataclasses
import json
import os
from typing import List, Optional

import torch
from torch import nn
import torch.nn.functional as F

from robomamba_ros.models.mamba_block import MambaBlock, MambaState
from robomamba_ros.models.prompting import IGNORE_INDEX

#: Standard deviation of the normal initialisation (transformers' MambaConfig default).
INITIALIZER_RANGE = 0.1


@dataclasses.dataclass
class MambaCache:
    """Recurrent state of a whole LM: one :class:`MambaState` per layer."""

    layers: List[MambaState]

    @property
    def seqlen_offset(self):
        """Tokens seen so far."""
        return self.layers[0].seqlen_offset if self.layers else 0

    def reset(self):
        """Zero every layer's state in place."""
        for state in self.layers:
            state.reset()


@dataclasses.dataclass
class MambaLMOutput:
    """Output of :class:`MambaLM`: ``logits`` (batch, seqlen, vocab), ``loss`` when labelled."""

    logits: torch.Tensor
    loss: Optional[torch.Tensor] = None


class MambaBackbone(nn.Module):
    """
    Embeddings, ``num_layers`` :class:`MambaBlock` and the final RMSNorm.

    :param config: a :class:`~robomamba_ros.models.configuration_robomamba.LanguageModelConfig`.
    """

    def __init__(self, config):
        super().__init__()
        self.embeddings = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(
            MambaBlock(config.hidden_size, norm_eps=config.norm_eps,
                       state_size=config.state_size, expand=config.expand,
                       conv_kernel=config.conv_kernel, dt_rank=config.dt_rank)
            for _ in range(config.num_layers))
        self.norm_f = nn.RMSNorm(config.hidden_size, eps=config.norm_eps)

    def forward(self, input_ids=None, inputs_embeds=None, cache=None):
        """
        Return the final-norm hidden states (batch, seqlen, d).

        :param input_ids: (batch, seqlen) token ids, or
        :param inputs_embeds: (batch, seqlen, d) embeddings.
        :param cache: optional :class:`MambaCache`, continued and advanced in place.
        """
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError('give exactly one of input_ids and inputs_embeds')
        hidden = self.embeddings(input_ids) if inputs_embeds is None else inputs_embeds
        for i, layer in enumerate(self.layers):
            hidden = layer(hidden, None if cache is None else cache.layers[i])
        return self.norm_f(hidden.to(self.norm_f.weight.dtype))


class MambaLM(nn.Module):
    """
    Causal Mamba LM: :class:`MambaBackbone` and a (by default tied) ``lm_head``.

    :param config: a :class:`~robomamba_ros.models.configuration_robomamba.LanguageModelConfig`.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.backbone = MambaBackbone(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        # transformers' Mamba initialisation (initializer_range 0.1), which the shipped models
        # were trained from: normal embeddings and input projections, zero conv bias.
        with torch.no_grad():
            nn.init.normal_(self.backbone.embeddings.weight, std=INITIALIZER_RANGE)
            for layer in self.backbone.layers:
                nn.init.normal_(layer.mixer.in_proj.weight, std=INITIALIZER_RANGE)
                nn.init.normal_(layer.mixer.x_proj.weight, std=INITIALIZER_RANGE)
                nn.init.zeros_(layer.mixer.conv1d.bias)
        if config.tie_embeddings:
            self.lm_head.weight = self.backbone.embeddings.weight

    def get_input_embeddings(self):
        """Return the token embedding module."""
        return self.backbone.embeddings

    def allocate_inference_cache(self, batch_size, device=None, dtype=None):
        """Return an empty :class:`MambaCache` for ``batch_size`` sequences."""
        return MambaCache([layer.mixer.allocate_inference_cache(batch_size, device, dtype)
                           for layer in self.backbone.layers])

    def forward(self, input_ids=None, inputs_embeds=None, labels=None, cache=None):
        """
        Return logits and, with ``labels``, the next-token cross entropy.

        :param input_ids: (batch, seqlen) token ids, or
        :param inputs_embeds: (batch, seqlen, d) embeddings.
        :param labels: optional (batch, seqlen) targets aligned with the inputs (position t
            is predicted from tokens up to t - 1); ``IGNORE_INDEX`` where no loss applies.
        :param cache: optional :class:`MambaCache`: the inputs continue the sequence it holds,
            and it is advanced in place.
        :return: :class:`MambaLMOutput`.
        """
        hidden = self.backbone(input_ids, inputs_embeds, cache)
        logits = self.lm_head(hidden.to(self.lm_head.weight.dtype))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits[:, :-1].flatten(0, 1).float(),
                                   labels[:, 1:].flatten().to(logits.device),
                                   ignore_index=IGNORE_INDEX)
        return MambaLMOutput(logits=logits, loss=loss)


def build_mamba_lm(lm_config):
    """Build a randomly initialised :class:`MambaLM` from a ``LanguageModelConfig``."""
    return MambaLM(lm_config)


# Settings of a transformers MambaConfig that this LM does not implement, with the value it has.
_HF_FIXED = {'use_bias': False, 'use_conv_bias': True, 'hidden_act': 'silu',
             'residual_in_fp32': True}


def lm_config_from_hf(folder):
    """
    Read a transformers Mamba ``config.json`` (e.g. a local mamba-2.8b-hf copy).

    :param folder: checkpoint folder.
    :return: a ``LanguageModelConfig``; settings this LM cannot reproduce raise ``ValueError``.
    """
    from robomamba_ros.models.configuration_robomamba import LanguageModelConfig

    path = os.path.join(folder, 'config.json')
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Mamba config not found: {path}')
    with open(path, encoding='utf-8') as f:
        hf = json.load(f)
    if hf.get('model_type', 'mamba') != 'mamba':
        raise ValueError(f'{path}: model_type {hf.get("model_type")!r} is not a Mamba-1 LM')
    for name, value in _HF_FIXED.items():
        if hf.get(name, value) != value:
            raise ValueError(f'{path}: {name}={hf[name]!r} is not supported (only {value!r})')
    rank = hf.get('time_step_rank', 'auto')
    ids = {name: hf.get(name) if hf.get(name) is not None else 0
           for name in ('pad_token_id', 'bos_token_id', 'eos_token_id')}
    return LanguageModelConfig(
        vocab_size=hf['vocab_size'], hidden_size=hf['hidden_size'],
        num_layers=hf['num_hidden_layers'], state_size=hf.get('state_size', 16),
        expand=hf.get('expand', 2), conv_kernel=hf.get('conv_kernel', 4),
        dt_rank=None if rank == 'auto' else rank,
        norm_eps=hf.get('layer_norm_epsilon', 1e-5),
        tie_embeddings=bool(hf.get('tie_word_embeddings', True)), **ids)


def _read_hf_weights(folder):
    """Return name -> tensor from ``model.safetensors`` (single or sharded) or a ``.bin``."""
    from safetensors.torch import load_file

    single = os.path.join(folder, 'model.safetensors')
    index = single + '.index.json'
    if os.path.isfile(single):
        return load_file(single)
    if os.path.isfile(index):
        with open(index, encoding='utf-8') as f:
            shards = sorted(set(json.load(f)['weight_map'].values()))
        state = {}
        for shard in shards:
            state.update(load_file(os.path.join(folder, shard)))
        return state
    binary = os.path.join(folder, 'pytorch_model.bin')
    if os.path.isfile(binary):
        return torch.load(binary, map_location='cpu', weights_only=True)
    raise FileNotFoundError(f'no model.safetensors(.index.json) or pytorch_model.bin in {folder}')


def load_hf_mamba(folder):
    """
    Load a transformers-format Mamba checkpoint folder (local paths only) into a :class:`MambaLM`.

    :param folder: folder with ``config.json`` and the weights.
    :return: the LM in eval mode; every key must fit (errors name the key).
    """
    from robomamba_ros.models.checkpoint import load_checked

    model = MambaLM(lm_config_from_hf(folder))
    state = _read_hf_weights(folder)
    if model.config.tie_embeddings:
        state.pop('lm_head.weight', None)  # the embeddings' alias
    load_checked(model, state, folder)
    return model.eval()


__all__ = ['MambaBackbone', 'MambaCache', 'MambaLM', 'MambaLMOutput',
           'build_mamba_lm', 'lm_config_from_hf', 'load_hf_mamba']
