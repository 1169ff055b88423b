# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Policy heads mapping the language model's hidden states to a contact pixel and a 6D rotation.

``two_mlp`` is the official head: pooled = (h[N_vis] + h[-1]) / 2, i.e. the mean of the first
text token's and the last token's outputs, then two MLPs d -> d/2 -> d/4 -> out with ReLU, the
last layer without bias, Xavier init: one gives the pixel (2), the other (up, forward) (6).
``mlp`` uses one such MLP with 8 outputs; ``ssm+mlp`` first runs two Mamba blocks over the
sequence and mean-pools them, one per MLP.
"""

import torch
from torch import nn

from robomamba_ros.models.mamba_block import MambaBlock


def _mlp(width, out_size, xavier=True):
    layers = nn.Sequential(
        nn.Linear(width, width // 2), nn.ReLU(),
        nn.Linear(width // 2, width // 4), nn.ReLU(),
        nn.Linear(width // 4, out_size, bias=False))
    for layer in layers:
        if xavier and isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return layers


def pool_first_text_and_last(hidden, num_vision_tokens, last_index):
    """
    Return (h[N_vis] + h[last]) / 2 per sample.

    :param hidden: ``(batch, seq, d)`` with the image tokens first, so the first text token
        (BOS) sits at index ``num_vision_tokens``.
    :param num_vision_tokens: index of the first text token.
    :param last_index: ``(batch,)`` index of each sample's last real token.
    :return: ``(batch, d)``.
    """
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    return (hidden[:, num_vision_tokens] + hidden[rows, last_index]) / 2


class TwoMLPHead(nn.Module):
    """The official head: pooled features through separate pixel and rotation MLPs."""

    def __init__(self, width, lm_config=None):
        super().__init__()
        self.position = _mlp(width, 2)
        self.rotation = _mlp(width, 6)

    def forward(self, hidden, num_vision_tokens, last_index):
        """Return ``(xy (batch, 2), rot6d (batch, 6))``."""
        pooled = pool_first_text_and_last(hidden, num_vision_tokens, last_index)
        return self.position(pooled), self.rotation(pooled)


class MLPHead(nn.Module):
    """One MLP d -> d/2 -> d/4 -> 8 on the same pooled features (default init, as official)."""

    def __init__(self, width, lm_config=None):
        super().__init__()
        self.mlp = _mlp(width, 8, xavier=False)

    def forward(self, hidden, num_vision_tokens, last_index):
        """Return ``(xy (batch, 2), rot6d (batch, 6))``."""
        out = self.mlp(pool_first_text_and_last(hidden, num_vision_tokens, last_index))
        return out[:, :2], out[:, 2:]


class SSMMLPHead(nn.Module):
    """
    The official ``ssm+mlp`` variant: two Mamba blocks (the LM's width) over the whole sequence.

    Each block's output is mean-pooled over the real tokens; the first feeds the pixel MLP, the
    second the rotation MLP.
    """

    def __init__(self, width, lm_config=None):
        super().__init__()
        sizes = {}
        if lm_config is not None:
            sizes = {'state_size': lm_config.state_size, 'expand': lm_config.expand,
                     'conv_kernel': lm_config.conv_kernel, 'dt_rank': lm_config.dt_rank,
                     'norm_eps': lm_config.norm_eps}
        self.position_ssm = MambaBlock(width, **sizes)
        self.rotation_ssm = MambaBlock(width, **sizes)
        self.position = _mlp(width, 2, xavier=False)
        self.rotation = _mlp(width, 6, xavier=False)

    def forward(self, hidden, num_vision_tokens, last_index):
        """Return ``(xy (batch, 2), rot6d (batch, 6))``."""
        positions = torch.arange(hidden.shape[1], device=hidden.device)
        mask = (positions[None] <= last_index[:, None]).to(hidden.dtype).unsqueeze(-1)
        count = mask.sum(1)
        pooled_xy = (self.position_ssm(hidden) * mask).sum(1) / count
        pooled_rot = (self.rotation_ssm(hidden) * mask).sum(1) / count
        return self.position(pooled_xy), self.rotation(pooled_rot)


HEADS = {'two_mlp': TwoMLPHead, 'mlp': MLPHead, 'ssm+mlp': SSMMLPHead}


def build_policy_head(head_type, width, lm_config=None):
    """Build the head named ``head_type`` (one of ``HEADS``) for LM width ``width``."""
    return HEADS[head_type](width, lm_config)


__all__ = ['HEADS', 'MLPHead', 'SSMMLPHead', 'TwoMLPHead', 'build_policy_head',
           'pool_first_text_and_last']
