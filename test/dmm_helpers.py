# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Helpers of the Decision MetaMamba tests: a small model and a random episode batch."""

import torch

from robomamba_ros.models.configuration_dmm import DMMConfig
from robomamba_ros.models.dmm import DecisionMetaMamba

STATE_DIM, ACT_DIM = 5, 2


def dmm_model(mixer='dense', use_conv=True, seed=0, **fields):
    """
    Return a seeded DecisionMetaMamba in eval mode with asymmetric action bounds.

    :param mixer: token mixer.
    :param use_conv: keep the Mamba blocks' conv1d.
    :param seed: torch seed of the initial weights.
    :param fields: further :class:`DMMConfig` fields.
    :return: the model.
    """
    torch.manual_seed(seed)
    config = DMMConfig(state_dim=STATE_DIM, act_dim=ACT_DIM, mixer=mixer, use_conv=use_conv,
                       action_low=(-1.0, -0.5), action_high=(1.0, 0.5), **fields)
    return DecisionMetaMamba(config).eval()


def dmm_sequence(batch, length, seed=1):
    """
    Return random ``(returns_to_go, states, actions)`` of ``batch`` episodes of ``length``.

    :param batch: episodes.
    :param length: timesteps.
    :param seed: generator seed.
    :return: tensors (B, T, 1), (B, T, STATE_DIM), (B, T, ACT_DIM) with actions in bounds.
    """
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, length, 1, generator=g),
            torch.randn(batch, length, STATE_DIM, generator=g),
            torch.rand(batch, length, ACT_DIM, generator=g) - 0.5)
