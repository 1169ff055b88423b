# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Decision MetaMamba and Decision Transformer configurations: dataclasses without torch.

Both share the sequence layout (return-to-go, state, action) per timestep, the context length
``K`` used in training, and the action bounds; :func:`matched_dt_config` builds the Decision
Transformer with the same width, depth and context as a DMM.
"""

import dataclasses
import json
import os

from robomamba_ros.models.configuration_robomamba import (
    _check_choice, _check_positive, _from_dict)

MIXERS = ('dense', 'linear', 'conv', 'none')
CONFIG_FILE = 'config.json'


def _check_bounds(owner, config):
    """Expand scalar action bounds to tuples and check low < high for every dimension."""
    for name in ('action_low', 'action_high'):
        value = getattr(config, name)
        if isinstance(value, (int, float)):
            value = (float(value),) * config.act_dim
        value = tuple(float(v) for v in value)
        if len(value) != config.act_dim:
            raise ValueError(
                f'{owner}.{name} needs act_dim={config.act_dim} values, got {len(value)}')
        setattr(config, name, value)
    for i, (low, high) in enumerate(zip(config.action_low, config.action_high)):
        if not low < high:
            raise ValueError(
                f'{owner}.action_low[{i}] ({low}) must be < action_high[{i}] ({high})')


def _check_fraction(owner, name, value):
    if not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f'{owner}.{name} must be a number in [0, 1), got {value!r}')


class _JsonConfig:
    """``to_dict``/``from_dict``/``save``/``load`` shared by the two configs."""

    def to_dict(self):
        """Return a JSON-ready dict (with a ``model_type`` tag)."""
        return {'model_type': self.model_type, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data):
        """Build from a dict; unknown keys or another ``model_type`` raise, naming them."""
        data = dict(data)
        model_type = data.pop('model_type', cls.model_type)
        if model_type != cls.model_type:
            raise ValueError(
                f'config.json holds model_type {model_type!r}, expected {cls.model_type!r}')
        return _from_dict(cls, data, cls.model_type)

    def save(self, folder):
        """Write ``config.json`` into ``folder``."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, CONFIG_FILE), 'w', encoding='utf-8') as f:
            json.dump(self.to_dict(), f, indent=2)

    @classmethod
    def load(cls, folder):
        """Read ``config.json`` from ``folder``."""
        path = os.path.join(folder, CONFIG_FILE)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'{cls.model_type} config not found: {path}')
        with open(path, encoding='utf-8') as f:
            return cls.from_dict(json.load(f))


@dataclasses.dataclass
class DMMConfig(_JsonConfig):
    """
    Decision MetaMamba.

    :param state_dim: observation size (normalised by a processor before the model).
    :param act_dim: action size.
    :param hidden_size: token width ``h`` (official MuJoCo setting: 64).
    :param num_layers: blocks of ``x += mixer(LN_a(x)); x += mamba(LN_b(x))``.
    :param mixer: token mixer: ``'dense'`` (window flattened -> Linear(w*h -> h), no bias),
        ``'linear'`` (one learned weight per window offset), ``'conv'`` (causal depthwise
        convolution over the window) or ``'none'`` (plain Decision Mamba).
    :param window: mixer window ``w`` in tokens, the current one included.
    :param d_state: SSM state size N.
    :param expand: Mamba inner width factor.
    :param use_conv: give each Mamba block its causal depthwise conv1d.
    :param conv_kernel: width of that conv1d.
    :param dt_rank: rank of the time-step projection; ``None`` means ``ceil(h / 16)``.
    :param dropout: dropout on the embeddings and on each residual branch (training only).
    :param context_length: training window ``K`` in timesteps (3K tokens).
    :param action_low: lower action bound, a number or ``act_dim`` numbers.
    :param action_high: upper action bound, a number or ``act_dim`` numbers.
    """

    model_type = 'decision_metamamba'

    state_dim: int = 11
    act_dim: int = 3
    hidden_size: int = 64
    num_layers: int = 3
    mixer: str = 'dense'
    window: int = 6
    d_state: int = 16
    expand: int = 1
    use_conv: bool = True
    conv_kernel: int = 4
    dt_rank: int = None
    dropout: float = 0.1
    context_length: int = 8
    action_low: tuple = -1.0
    action_high: tuple = 1.0

    def __post_init__(self):
        owner = 'dmm'
        _check_positive(owner, state_dim=self.state_dim, act_dim=self.act_dim,
                        hidden_size=self.hidden_size, num_layers=self.num_layers,
                        window=self.window, d_state=self.d_state, expand=self.expand,
                        conv_kernel=self.conv_kernel, context_length=self.context_length)
        _check_choice(owner, 'mixer', self.mixer, MIXERS)
        if self.dt_rank is None:
            self.dt_rank = -(-self.hidden_size // 16)
        _check_positive(owner, dt_rank=self.dt_rank)
        if not isinstance(self.use_conv, bool):
            raise ValueError(f'{owner}.use_conv must be true or false, got {self.use_conv!r}')
        _check_fraction(owner, 'dropout', self.dropout)
        _check_bounds(owner, self)


@dataclasses.dataclass
class DecisionTransformerConfig(_JsonConfig):
    """
    Decision Transformer baseline (transformers ``DecisionTransformerModel``, a GPT-2 inside).

    :param state_dim: observation size.
    :param act_dim: action size.
    :param hidden_size: token width.
    :param num_layers: GPT-2 blocks.
    :param num_heads: attention heads (must divide ``hidden_size``).
    :param dropout: residual, embedding and attention dropout.
    :param context_length: window ``K`` in timesteps, in training and when re-forwarding.
    :param max_episode_length: rows of the timestep embedding; later steps reuse the last row.
    :param action_low: lower action bound, a number or ``act_dim`` numbers.
    :param action_high: upper action bound, a number or ``act_dim`` numbers.
    """

    model_type = 'decision_transformer'

    state_dim: int = 11
    act_dim: int = 3
    hidden_size: int = 64
    num_layers: int = 3
    num_heads: int = 1
    dropout: float = 0.1
    context_length: int = 8
    max_episode_length: int = 1000
    action_low: tuple = -1.0
    action_high: tuple = 1.0

    def __post_init__(self):
        owner = 'dt'
        _check_positive(owner, state_dim=self.state_dim, act_dim=self.act_dim,
                        hidden_size=self.hidden_size, num_layers=self.num_layers,
                        num_heads=self.num_heads, context_length=self.context_length,
                        max_episode_length=self.max_episode_length)
        if self.hidden_size % self.num_heads:
            raise ValueError(f'dt.num_heads ({self.num_heads}) must divide dt.hidden_size '
                             f'({self.hidden_size})')
        _check_fraction(owner, 'dropout', self.dropout)
        _check_bounds(owner, self)


def matched_dt_config(dmm_config, num_heads=1, max_episode_length=1000):
    """
    Return the Decision Transformer config with a DMM's width, depth, context and bounds.

    :param dmm_config: a :class:`DMMConfig`.
    :param num_heads: attention heads.
    :param max_episode_length: timestep-embedding rows.
    :return: a :class:`DecisionTransformerConfig`.
    """
    c = dmm_config
    return DecisionTransformerConfig(
        state_dim=c.state_dim, act_dim=c.act_dim, hidden_size=c.hidden_size,
        num_layers=c.num_layers, num_heads=num_heads, dropout=c.dropout,
        context_length=c.context_length, max_episode_length=max_episode_length,
        action_low=c.action_low, action_high=c.action_high)


__all__ = ['DMMConfig', 'DecisionTransformerConfig', 'MIXERS', 'matched_dt_config']
