# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Vision-to-language projector: Linear(vis -> h), GELU, Linear(h -> d), GELU, Linear(d -> d)."""

from torch import nn


class Projector(nn.Module):
    """
    Map vision patch tokens into the language model's embedding space.

    Official sizes: 1024 -> 4096 -> 2560 -> 2560 (CLIP ViT-L/14 into Mamba-2.8B).

    :param vision_size: vision token width.
    :param hidden_size: first projector width.
    :param lm_size: language model width ``d``.
    """

    def __init__(self, vision_size, hidden_size, lm_size):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(vision_size, hidden_size), nn.GELU(),
            nn.Linear(hidden_size, lm_size), nn.GELU(),
            nn.Linear(lm_size, lm_size))

    def forward(self, features):
        """Project ``(batch, tokens, vision_size)`` to ``(batch, tokens, lm_size)``."""
        return self.layers(features)


__all__ = ['Projector']
