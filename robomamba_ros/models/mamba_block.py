# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The one Mamba-1 block of this package: mixer, residual block and their recurrent state.

:class:`Mamba` owns its parameters under the names of ``mamba_ssm``'s ``Mamba`` and of
transformers' ``mamba-*-hf`` checkpoints (``in_proj``, ``conv1d``, ``x_proj``, ``dt_proj``,
``A_log``, ``D``, ``out_proj``), so released weights load name for name. It has one code path
for a whole sequence and one for a single token (:meth:`Mamba.step`, O(1) per token), both on an
explicit :class:`MambaState` (the last ``d_conv - 1`` conv inputs and the SSM state). A sequence
given with a state continues from it, so a prompt followed by cached steps equals the forward of
the whole sequence. The RoboMamba LM, its ``ssm+mlp`` head and Decision MetaMamba all use it.

The scan runs on :mod:`robomamba_ros.models.mamba_scan` (pure torch, hand-written backward). On
CUDA, when ``mamba_ssm`` (and optionally ``causal_conv1d``) import, the same block calls their
kernels instead: the selective scan and the causal conv for a sequence that starts from an empty
state, ``selective_state_update`` for a token. Those kernels cannot run on a CPU machine; the
torch path is the reference the tests check.
"""

import dataclasses
import functools
import logging
import math
import types

import torch
from torch import nn
import torch.nn.functional as F

from robomamba_ros.models.mamba_scan import selective_scan, selective_state_step

_LOG = logging.getLogger(__name__)
#: Up to this many tokens, the depthwise conv runs as an unfolded product: CPU ``conv1d`` has a
#: fixed cost (~0.1 ms) that dominates a handful of tokens.
_UNFOLD_CONV_MAX_TOKENS = 8
_warned_no_kernels = False


@functools.lru_cache(maxsize=None)
def cuda_kernels():
    """
    Return the ``mamba_ssm`` / ``causal_conv1d`` kernels, or None when ``mamba_ssm`` is missing.

    :return: a namespace with ``selective_scan_fn``, ``selective_state_update`` and
        ``causal_conv1d_fn`` (None without ``causal_conv1d``), or None.
    """
    try:
        from mamba_ssm.ops.selective_scan_interface import selective_scan_fn
        from mamba_ssm.ops.triton.selective_state_update import selective_state_update
    except (ImportError, OSError, RuntimeError):  # absent, or built for another CUDA/torch
        return None
    try:
        from causal_conv1d import causal_conv1d_fn
    except (ImportError, OSError, RuntimeError):
        causal_conv1d_fn = None
    return types.SimpleNamespace(selective_scan_fn=selective_scan_fn,
                                 selective_state_update=selective_state_update,
                                 causal_conv1d_fn=causal_conv1d_fn)


def _kernels_for(tensor):
    """Return the CUDA kernels when ``tensor`` is on CUDA and they import; warn once if not."""
    global _warned_no_kernels
    if not tensor.is_cuda:
        return None
    kernels = cuda_kernels()
    if kernels is None and not _warned_no_kernels:
        _warned_no_kernels = True
        _LOG.warning('mamba-ssm kernels not found: running the pure-torch selective scan on CUDA '
                     "(slower). Install them with: pip install -e '.[cuda]'")
    return kernels


@dataclasses.dataclass
class MambaState:
    """
    Recurrent state of one :class:`Mamba` mixer after the tokens it has seen.

    :param conv: the last ``d_conv - 1`` inputs of the causal conv, (batch, d_inner,
        d_conv - 1); width 0 without a conv.
    :param ssm: the SSM state, (batch, d_inner, d_state), float32.
    :param seqlen_offset: tokens seen so far.
    """

    conv: torch.Tensor
    ssm: torch.Tensor
    seqlen_offset: int = 0

    def reset(self):
        """Zero the state in place (a new sequence)."""
        self.conv = torch.zeros_like(self.conv)
        self.ssm = torch.zeros_like(self.ssm)
        self.seqlen_offset = 0


class Mamba(nn.Module):
    """
    The Mamba-1 mixer: gated projection, causal depthwise conv, selective scan, output projection.

    :param hidden_size: model width ``d_model``.
    :param state_size: SSM state size ``d_state`` (N).
    :param expand: ``d_inner = expand * d_model``.
    :param conv_kernel: width ``d_conv`` of the causal depthwise conv.
    :param dt_rank: rank of the time-step projection; ``None`` means ``ceil(d_model / 16)``.
    :param use_conv: False drops the conv (Decision MetaMamba's option).
    :param bias: bias of ``in_proj`` and ``out_proj``.
    :param conv_bias: bias of ``conv1d``.
    :param dt_min: smallest initial time step.
    :param dt_max: largest initial time step.
    """

    def __init__(self, hidden_size, state_size=16, expand=2, conv_kernel=4, dt_rank=None,
                 use_conv=True, bias=False, conv_bias=True, dt_min=1e-3, dt_max=0.1):
        super().__init__()
        self.d_model, self.d_state = hidden_size, state_size
        self.d_inner = expand * hidden_size
        self.dt_rank = dt_rank if dt_rank is not None else math.ceil(hidden_size / 16)
        self.d_conv = conv_kernel if use_conv else 1
        inner = self.d_inner
        self.in_proj = nn.Linear(hidden_size, 2 * inner, bias=bias)
        self.conv1d = None
        if use_conv:
            self.conv1d = nn.Conv1d(inner, inner, conv_kernel, groups=inner, bias=conv_bias,
                                    padding=conv_kernel - 1)
        self.x_proj = nn.Linear(inner, self.dt_rank + 2 * state_size, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, inner, bias=True)
        # mamba_ssm's initialisation: dt log-uniform in [dt_min, dt_max] through the bias
        # (inverse softplus), A = -(1..N) per channel, D = 1.
        with torch.no_grad():
            bound = self.dt_rank ** -0.5
            self.dt_proj.weight.uniform_(-bound, bound)
            dt = torch.exp(torch.rand(inner) * (math.log(dt_max) - math.log(dt_min))
                           + math.log(dt_min)).clamp(min=1e-4)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        self.A_log = nn.Parameter(
            torch.log(torch.arange(1, state_size + 1, dtype=torch.float32)).repeat(inner, 1))
        self.D = nn.Parameter(torch.ones(inner))
        self.out_proj = nn.Linear(inner, hidden_size, bias=bias)

    def allocate_inference_cache(self, batch_size, device=None, dtype=None):
        """
        Return a zero :class:`MambaState` for ``batch_size`` sequences.

        :param batch_size: sequences decoded side by side.
        :param device: default: the parameters' device.
        :param dtype: dtype of the conv inputs; default: the parameters' dtype.
        """
        weight = self.in_proj.weight
        device = weight.device if device is None else device
        return MambaState(
            conv=torch.zeros(batch_size, self.d_inner, self.d_conv - 1, device=device,
                             dtype=weight.dtype if dtype is None else dtype),
            ssm=torch.zeros(batch_size, self.d_inner, self.d_state, device=device,
                            dtype=torch.float32))

    def _split_projection(self, x):
        """``x`` (..., d_inner) -> dt before bias (..., d_inner), B and C (..., d_state)."""
        dt, B, C = torch.split(self.x_proj(x), [self.dt_rank, self.d_state, self.d_state], -1)
        return dt @ self.dt_proj.weight.t(), B, C

    def forward(self, hidden_states, state=None):
        """
        Run over a sequence, or a chunk that continues the sequence ``state`` has seen.

        :param hidden_states: (batch, seqlen, d_model).
        :param state: optional :class:`MambaState`; read, then updated in place to include the
            chunk. One token with a state goes through :meth:`step`.
        :return: (batch, seqlen, d_model).
        """
        batch, seqlen, _ = hidden_states.shape
        if state is not None and seqlen == 1:
            return self.step(hidden_states[:, 0], state).unsqueeze(1)
        kernels = _kernels_for(hidden_states)
        fresh = state is None or state.seqlen_offset == 0
        x, z = self.in_proj(hidden_states).transpose(1, 2).chunk(2, dim=1)  # (b, inner, L)

        # 1. Causal depthwise conv over the kept inputs and the chunk, then SiLU.
        if self.conv1d is None:
            x = F.silu(x)
        else:
            keep = self.d_conv - 1
            if state is None:
                history = x.new_zeros(batch, self.d_inner, keep)
            else:
                history = state.conv.to(x.dtype)
            padded = torch.cat([history, x], dim=-1)
            if state is not None:
                state.conv = padded[..., padded.shape[-1] - keep:]
            weight = self.conv1d.weight
            if kernels is not None and kernels.causal_conv1d_fn is not None and fresh:
                x = kernels.causal_conv1d_fn(x, weight.squeeze(1), self.conv1d.bias, 'silu')
            elif seqlen <= _UNFOLD_CONV_MAX_TOKENS:
                x = (padded.unfold(2, self.d_conv, 1) * weight).sum(-1)
                x = F.silu(x if self.conv1d.bias is None else x + self.conv1d.bias[:, None])
            else:
                x = F.silu(F.conv1d(padded, weight, self.conv1d.bias, groups=self.d_inner))

        # 2. Input-dependent dt, B, C and the selective scan, gated by SiLU(z).
        dt, B, C = self._split_projection(x.transpose(1, 2))
        A = -torch.exp(self.A_log.float())
        args = (x, dt.transpose(1, 2), A, B.transpose(1, 2), C.transpose(1, 2))
        if kernels is not None and fresh:
            out = kernels.selective_scan_fn(
                *(t.contiguous() for t in args), self.D.float(), z=z.contiguous(),
                delta_bias=self.dt_proj.bias.float(), delta_softplus=True,
                return_last_state=state is not None)
        else:
            out = selective_scan(
                *args, self.D, z=z, dt_bias=self.dt_proj.bias, dt_softplus=True,
                initial_state=None if state is None else state.ssm,
                return_last_state=state is not None)
        if state is not None:
            out, last = out
            state.ssm = last.float()
            state.seqlen_offset += seqlen
        return self.out_proj(out.transpose(1, 2).to(hidden_states.dtype))

    def step(self, hidden_states, state):
        """
        Advance by one token (O(1)): the recurrent form of :meth:`forward`.

        :param hidden_states: (batch, d_model).
        :param state: :class:`MambaState`, updated in place.
        :return: (batch, d_model).
        """
        x, z = self.in_proj(hidden_states).chunk(2, dim=-1)  # (batch, inner) each
        if self.conv1d is not None:
            window = torch.cat([state.conv.to(x.dtype), x.unsqueeze(-1)], dim=-1)
            state.conv = window[..., 1:]
            x = (window * self.conv1d.weight.squeeze(1)).sum(-1)
            if self.conv1d.bias is not None:
                x = x + self.conv1d.bias
        x = F.silu(x)
        dt, B, C = self._split_projection(x)
        A = -torch.exp(self.A_log.float())
        kernels = _kernels_for(hidden_states)
        if kernels is not None:
            ssm = state.ssm.contiguous()
            y = kernels.selective_state_update(
                ssm, x, dt, A, B, C, self.D.float(), z=z, dt_bias=self.dt_proj.bias.float(),
                dt_softplus=True)
            state.ssm = ssm
        else:
            y, state.ssm = selective_state_step(
                state.ssm, x, dt, A, B, C, self.D, z=z, dt_bias=self.dt_proj.bias,
                dt_softplus=True)
        state.seqlen_offset += 1
        return self.out_proj(y.to(hidden_states.dtype))


class MambaBlock(nn.Module):
    """
    Pre-norm residual block ``x + Mamba(RMSNorm(x))`` (``norm`` and ``mixer``, as in checkpoints).

    :param hidden_size: model width.
    :param norm_eps: RMSNorm epsilon.
    :param residual_in_fp32: keep the residual stream in float32 (as mamba-*-hf checkpoints).
    :param mixer_kwargs: further :class:`Mamba` arguments.
    """

    def __init__(self, hidden_size, norm_eps=1e-5, residual_in_fp32=True, **mixer_kwargs):
        super().__init__()
        self.residual_in_fp32 = residual_in_fp32
        self.norm = nn.RMSNorm(hidden_size, eps=norm_eps)
        self.mixer = Mamba(hidden_size, **mixer_kwargs)

    def forward(self, hidden_states, state=None):
        """
        Run over a sequence or continue one; see :meth:`Mamba.forward`.

        :param hidden_states: (batch, seqlen, d_model).
        :param state: optional :class:`MambaState` of the mixer, updated in place.
        :return: (batch, seqlen, d_model).
        """
        residual = hidden_states.float() if self.residual_in_fp32 else hidden_states
        normed = self.norm(hidden_states.to(self.norm.weight.dtype))
        return residual + self.mixer(normed, state)


__all__ = ['Mamba', 'MambaBlock', 'MambaState', 'cuda_kernels']
