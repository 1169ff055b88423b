# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Decision MetaMamba (arXiv 2408.10517): a return-conditioned sequence policy.

Each timestep contributes three tokens, (return-to-go, state, action), each with its own
linear embedding and no timestep embedding. ``num_layers`` blocks then apply::

    x = x + mixer(LN_a(x))     # causal window of the last w tokens
    x = x + mamba(LN_b(x))     # selective scan over the whole sequence

with norms owned by each layer (the official code shares one pair across layers). The action
of timestep t comes from the output at its state token through ``tanh``, scaled to the action
bounds.

:meth:`DecisionMetaMamba.step` runs the same network one token at a time: each mixer keeps its
last ``w - 1`` inputs and each Mamba block its conv and SSM state, so a control step costs the
same at step 10 and step 10 000, and equals the full-sequence forward.

In eval mode with float32 weights on the CPU, ``step`` runs on
:class:`~robomamba_ros.models.dmm_recurrent.RecurrentDMM`, a numpy twin of the network with
folded weights, made from the model at the first step of an episode when a weight has changed;
train mode, another device or dtype, or ``fast_step = False`` use the torch layers. Both equal
:meth:`~DecisionMetaMamba.predict`. Why the twin exists (the measured step costs): the README's
Decision MetaMamba section.
"""

import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from robomamba_ros.models.checkpoint import PretrainedMixin
from robomamba_ros.models.configuration_dmm import DMMConfig
from robomamba_ros.models.dmm_recurrent import RecurrentDMM, RecurrentState
from robomamba_ros.models.mamba_block import Mamba, MambaState


def _rows(value, width, name):
    """Return ``value`` (tensor, array or number) as a float32 array of rows of ``width``."""
    if isinstance(value, torch.Tensor):
        try:
            value = value.numpy()  # shares memory; no copy for CPU float32
        except (RuntimeError, TypeError):  # requires grad, or not on the CPU
            value = value.detach().cpu().numpy()
    value = np.asarray(value, dtype=np.float32)
    if value.ndim == 2 and value.shape[1] == width and value.shape[0]:
        return value
    if value.size == 0 or value.size % width:
        raise ValueError(f'{name} needs rows of {width} values, got shape {value.shape}')
    return value.reshape(-1, width)


def _keep_last(x, count, dim):
    """Return the last ``count`` entries along ``dim`` (an empty slice for 0)."""
    return x.narrow(dim, x.shape[dim] - count, count)


class TokenMixer(nn.Module):
    """
    Causal mixer over the last ``w`` tokens.

    ``dense``: flatten the window (w*h) and apply Linear(w*h -> h) without bias.
    ``linear``: ``sum_k a_k x_{t-k}`` with one learned weight per offset.
    ``conv``: depthwise causal convolution, one kernel of width w per channel, with bias.

    :param kind: ``'dense'``, ``'linear'`` or ``'conv'``.
    :param hidden_size: h.
    :param window: w.
    """

    def __init__(self, kind, hidden_size, window):
        super().__init__()
        self.kind, self.window = kind, window
        if kind == 'dense':
            self.proj = nn.Linear(window * hidden_size, hidden_size, bias=False)
        elif kind == 'linear':
            # Start as the identity on the current token.
            weight = torch.zeros(window)
            weight[-1] = 1.0
            self.weight = nn.Parameter(weight)
        elif kind == 'conv':
            self.weight = nn.Parameter(torch.randn(hidden_size, window) / math.sqrt(window))
            self.bias = nn.Parameter(torch.zeros(hidden_size))
        else:
            raise ValueError(f'unknown token mixer {kind!r}')

    def forward(self, x, history=None):
        """
        Mix a sequence, or a chunk that continues an earlier one.

        :param x: (batch, length, hidden).
        :param history: the previous ``w - 1`` inputs (batch, w - 1, hidden); zeros when None.
        :return: ``(mixed (batch, length, hidden), new history)``; output t depends on inputs
            t-w+1 .. t only.
        """
        if history is None:
            padded = F.pad(x, (0, 0, self.window - 1, 0))
        else:
            padded = torch.cat([history, x], dim=1)
        windows = padded.unfold(1, self.window, 1)  # (batch, length, hidden, window)
        if self.kind == 'dense':
            mixed = self.proj(windows.transpose(2, 3).flatten(2))
        elif self.kind == 'linear':
            mixed = windows @ self.weight
        else:
            mixed = (windows * self.weight).sum(-1) + self.bias
        return mixed, _keep_last(padded, self.window - 1, 1)


class DMMLayer(nn.Module):
    """
    One block: ``x += mixer(LN_a(x))`` (absent for mixer ``'none'``), ``x += mamba(LN_b(x))``.

    :param config: a :class:`~robomamba_ros.models.configuration_dmm.DMMConfig`.
    """

    def __init__(self, config):
        super().__init__()
        self.mixer = None
        if config.mixer != 'none':
            self.norm_mixer = nn.LayerNorm(config.hidden_size)
            self.mixer = TokenMixer(config.mixer, config.hidden_size, config.window)
        self.norm_mamba = nn.LayerNorm(config.hidden_size)
        self.mamba = Mamba(config.hidden_size, state_size=config.d_state, expand=config.expand,
                           conv_kernel=config.conv_kernel, dt_rank=config.dt_rank,
                           use_conv=config.use_conv)
        self.dropout = nn.Dropout(config.dropout)

    def allocate_state(self, batch_size):
        """Return the state before any token: ``(mixer history None, empty MambaState)``."""
        return None, self.mamba.allocate_inference_cache(batch_size)

    def forward(self, x, state=None):
        """
        Run over a sequence, or a chunk that continues an earlier one.

        :param x: (batch, length, hidden).
        :param state: ``(mixer history, MambaState)`` after the earlier tokens (see
            :meth:`allocate_state`), or None for a whole sequence.
        :return: ``(output (batch, length, hidden), new state)``; the MambaState is advanced
            in place.
        """
        history, mamba_state = state if state is not None else (None, None)
        if self.mixer is not None:
            mixed, history = self.mixer(self.norm_mixer(x), history)
            x = x + (self.dropout(mixed) if self.training else mixed)
        out = self.mamba(self.norm_mamba(x), mamba_state)
        return x + (self.dropout(out) if self.training else out), (history, mamba_state)


class _Episode:
    """
    What :meth:`DecisionMetaMamba.step` keeps between the steps of an episode.

    A plain object, so a step writes its fields without ``nn.Module.__setattr__``.

    :param batch_size: episodes run side by side.
    """

    __slots__ = ('batch_size', 'state', 'twin', 'weight', 'previous_action', 'previous_array')

    def __init__(self, batch_size):
        self.batch_size = batch_size
        #: None before the first step; then a RecurrentState (on the twin) or, on the torch
        #: layers, per layer ``(mixer history, MambaState)``.
        self.state = None
        self.twin = None  # the RecurrentDMM the episode runs on, if any
        self.weight = None  # a parameter, to see a move to another device or dtype cheaply
        self.previous_action = None  # tensor
        self.previous_array = None  # the same action as an array, on the twin


class DecisionMetaMamba(PretrainedMixin, nn.Module):
    """
    Decision MetaMamba policy over normalised states and scaled returns-to-go.

    Batch layout for :meth:`forward`: ``returns_to_go`` (B, T, 1), ``states`` (B, T, state_dim),
    ``actions`` (B, T, act_dim) in action units, optional ``mask`` (B, T) with 1 on real steps
    (padding goes at the end, so real steps never see it).

    :param config: a :class:`~robomamba_ros.models.configuration_dmm.DMMConfig`.
    """

    config_class = DMMConfig
    name = 'dmm'

    def __init__(self, config):
        super().__init__()
        self.config = config
        h = config.hidden_size
        self.embed_return = nn.Linear(1, h)
        self.embed_state = nn.Linear(config.state_dim, h)
        self.embed_action = nn.Linear(config.act_dim, h)
        self.embed_norm = nn.LayerNorm(h)
        self.embed_dropout = nn.Dropout(config.dropout)
        self.layers = nn.ModuleList(DMMLayer(config) for _ in range(config.num_layers))
        self.final_norm = nn.LayerNorm(h)
        self.predict_action = nn.Linear(h, config.act_dim)
        low = torch.tensor(config.action_low, dtype=torch.float32)
        high = torch.tensor(config.action_high, dtype=torch.float32)
        self.register_buffer('action_center', (high + low) / 2, persistent=False)
        self.register_buffer('action_half_range', (high - low) / 2, persistent=False)
        self.reset()

    @property
    def device(self):
        """Device of the parameters."""
        return self.embed_state.weight.device

    def num_parameters(self):
        """Return the number of parameters (all trainable)."""
        return sum(p.numel() for p in self.parameters())

    def _to_action(self, hidden):
        return torch.tanh(self.predict_action(hidden)) * self.action_half_range + \
            self.action_center

    def _embed(self, returns_to_go, states, actions):
        tokens = torch.stack([self.embed_return(returns_to_go), self.embed_state(states),
                              self.embed_action(actions)], dim=2)  # (B, T, 3, h)
        return self.embed_dropout(self.embed_norm(tokens.flatten(1, 2)))

    def predict(self, returns_to_go, states, actions):
        """
        Predict the action of every timestep from its state token.

        :param returns_to_go: (B, T, 1).
        :param states: (B, T, state_dim).
        :param actions: (B, T, act_dim); action t only influences predictions after t.
        :return: (B, T, act_dim) in action units.
        """
        x = self._embed(returns_to_go, states, actions)
        for layer in self.layers:
            x, _ = layer(x)
        return self._to_action(self.final_norm(x)[:, 1::3])

    def forward(self, batch):
        """
        Compute the masked mean squared action error, per dimension in half-range units.

        :param batch: dict with ``returns_to_go``, ``states``, ``actions`` and optional ``mask``.
        :return: ``(loss, {'loss': float})``.
        """
        predicted = self.predict(batch['returns_to_go'], batch['states'], batch['actions'])
        # In units of the half range, so every action dimension weighs the same.
        error = (((predicted - batch['actions']) / self.action_half_range) ** 2).mean(-1)
        mask = batch.get('mask')
        if mask is None:
            loss = error.mean()
        else:
            loss = (error * mask).sum() / mask.sum().clamp(min=1)
        return loss, {'loss': loss.item()}

    # ----- recurrent inference -----------------------------------------------------------------
    #: Run :meth:`step` through the numpy twin (:class:`RecurrentDMM`) when the model is in
    #: eval mode with float32 weights on the CPU; False always uses the torch layers.
    fast_step = True
    _twin = None  # the RecurrentDMM of the weights at its making, kept across episodes

    def reset(self, batch_size=1):
        """
        Start a new episode: zero every mixer history and Mamba state.

        :param batch_size: episodes run side by side.
        """
        self._episode = _Episode(batch_size)

    @property
    def _state(self):
        """The current episode's recurrent state: None before its first step (read-only)."""
        return self._episode.state

    def _step_twin(self):
        """Return the numpy twin this step runs on, or None to use the torch layers."""
        if self.training or not self.fast_step:
            return None
        episode = self._episode
        if episode.state is not None:
            # An episode stays on what it began on, while the weights stay float32 on the CPU.
            weight = episode.weight
            if episode.twin is None or not weight.is_cpu or weight.dtype != torch.float32:
                return None
            return episode.twin
        weight = episode.weight = self.embed_state.weight
        if not weight.is_cpu or weight.dtype != torch.float32:
            return None
        twin = self._twin
        if twin is None or not twin.is_current(self):
            twin = self._twin = RecurrentDMM(self)
        episode.twin = twin
        return twin

    def _advance(self, tokens):
        """Run a chunk of embedded tokens (B, n, h) on from the kept state; return the last."""
        episode = self._episode
        if episode.state is None:
            episode.state = [layer.allocate_state(tokens.shape[0]) for layer in self.layers]
        elif isinstance(episode.state, RecurrentState):
            # The episode began on the numpy twin (e.g. train() was called since).
            episode.state = [
                (None if history is None else history.to(self.device),
                 MambaState(conv.to(self.device), ssm.to(self.device), seqlen_offset=seen))
                for history, (conv, ssm, seen) in episode.twin.torch_state(episode.state)]
            episode.twin = None
        for i, layer in enumerate(self.layers):
            tokens, episode.state[i] = layer(tokens, episode.state[i])
        return tokens[:, -1]

    def step(self, returns_to_go, state, previous_action=None):
        """
        Feed one timestep and return its action, in O(1) time and memory per call.

        The previous action, the return-to-go and the state go through the layers as one chunk
        of three tokens (two at the first step), continuing from the kept state. In eval mode
        with float32 weights on the CPU this runs on the numpy twin
        :class:`~robomamba_ros.models.dmm_recurrent.RecurrentDMM`, made again from the weights
        at the first step of an episode when they have changed; otherwise on the torch layers.

        :param returns_to_go: scaled return-to-go, (B, 1) or (B,) or a float.
        :param state: normalised state, (B, state_dim) or (state_dim,).
        :param previous_action: the action actually executed at the previous step (B, act_dim);
            default: the one this method returned. Ignored at the first step.
        :return: action (B, act_dim) in action units.
        """
        twin = self._step_twin()
        if twin is None:
            return self._torch_step(returns_to_go, state, previous_action)
        config, episode = self.config, self._episode
        observation = _rows(state, config.state_dim, 'state')
        rtg = _rows(returns_to_go, 1, 'returns_to_go')
        if rtg.shape[0] != observation.shape[0]:
            rtg = np.broadcast_to(rtg, (observation.shape[0], 1))
        if episode.state is None:
            episode.state = twin.zero_state(observation.shape[0])
            previous = None
        elif previous_action is not None:
            previous = _rows(previous_action, config.act_dim, 'previous_action')
        else:
            previous = episode.previous_array
        action = twin.step(episode.state, rtg, observation, previous)
        episode.previous_array = action
        episode.previous_action = action = torch.from_numpy(action)
        return action

    @torch.inference_mode()
    def _torch_step(self, returns_to_go, state, previous_action):
        """:meth:`step` on the torch layers."""
        device, episode = self.device, self._episode
        state = torch.as_tensor(state, dtype=torch.float32, device=device).reshape(
            -1, self.config.state_dim)
        rtg = torch.as_tensor(returns_to_go, dtype=torch.float32, device=device).reshape(
            -1, 1).expand(state.shape[0], 1)
        tokens = [self.embed_return(rtg), self.embed_state(state)]
        if episode.state is not None:
            if previous_action is not None:
                episode.previous_action = torch.as_tensor(
                    previous_action, dtype=torch.float32, device=device).reshape(
                        -1, self.config.act_dim)
            tokens.insert(0, self.embed_action(episode.previous_action.to(device)))
        hidden = self._advance(self.embed_norm(torch.stack(tokens, dim=1)))
        action = self._to_action(self.final_norm(hidden))
        episode.previous_action = action
        episode.previous_array = None
        return action

    @torch.no_grad()
    def select_action(self, observation):
        """
        Return the next action for ``{'returns_to_go', 'state'}`` (eval mode, recurrent).

        :param observation: dict with ``returns_to_go`` and ``state`` (normalised), optional
            ``previous_action``.
        :return: action (B, act_dim).
        """
        self.eval()
        return self.step(observation['returns_to_go'], observation['state'],
                         observation.get('previous_action'))


__all__ = ['DMMLayer', 'DecisionMetaMamba', 'TokenMixer']
