# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Configuration of one ``train-dmm`` run (a dataclass without torch, validated on creation)."""

import dataclasses

from robomamba_ros.models.configuration_dmm import MIXERS
from robomamba_ros.tasks.low_level_pull import FRAMES

POLICIES = ('dmm', 'dt')


@dataclasses.dataclass
class DMMTrainConfig:
    """
    One offline training run of Decision MetaMamba or the Decision Transformer baseline.

    :param data: D4RL-layout ``.hdf5`` file or Minari dataset folder.
    :param out: output folder: ``model/`` (with ``stats.json``), ``checkpoint/``, ``log.json``,
        ``loss.png``.
    :param policy: ``'dmm'`` or ``'dt'``.
    :param mixer: DMM token mixer (``dense``, ``linear``, ``conv``, ``none``).
    :param use_conv: DMM Mamba blocks with their conv1d.
    :param hidden_size: token width (both policies).
    :param num_layers: blocks (both policies).
    :param window: DMM mixer window.
    :param context_length: training window K.
    :param frame: ``'world'``: observations and actions as the dataset holds them;
        ``'target'``: LowLevelPull-v1 data in the target's frame (see
        :func:`~robomamba_ros.tasks.low_level_pull.observations_to_target_frame`);
        ``'target_local'``: the same without the target's pose in the world.
    :param dropout: dropout.
    :param max_steps: optimizer steps.
    :param batch_size: windows per step.
    :param grad_accum: micro-batches per optimizer step.
    :param lr: peak learning rate (official: 1e-4).
    :param weight_decay: AdamW weight decay (official: 1e-4).
    :param warmup_steps: linear warmup steps.
    :param min_lr_ratio: final learning rate as a fraction of ``lr``.
    :param grad_clip: gradient-norm clip (official: 0.25).
    :param save_every: steps between resumable checkpoints (0: only at the end).
    :param resume: continue from ``out/checkpoint``.
    :param seed: random seed.
    :param device: ``'auto'``, ``'cpu'`` or ``'cuda'``.
    """

    data: str
    out: str
    policy: str = 'dmm'
    mixer: str = 'dense'
    use_conv: bool = True
    hidden_size: int = 64
    num_layers: int = 3
    window: int = 6
    context_length: int = 8
    frame: str = 'world'
    dropout: float = 0.1
    max_steps: int = 2000
    batch_size: int = 64
    grad_accum: int = 1
    lr: float = 1e-4
    weight_decay: float = 1e-4
    warmup_steps: int = 200
    min_lr_ratio: float = 0.1
    grad_clip: float = 0.25
    save_every: int = 0
    resume: bool = False
    seed: int = 0
    device: str = 'auto'

    def __post_init__(self):
        if self.policy not in POLICIES:
            raise ValueError(f'policy must be one of {POLICIES}, got {self.policy!r}')
        if self.mixer not in MIXERS:
            raise ValueError(f'mixer must be one of {MIXERS}, got {self.mixer!r}')
        if self.frame not in FRAMES:
            raise ValueError(f'frame must be one of {FRAMES}, got {self.frame!r}')
        for name in ('hidden_size', 'num_layers', 'window', 'context_length', 'max_steps',
                     'batch_size', 'grad_accum'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be an integer >= 1, got {value!r}')
        for name in ('warmup_steps', 'save_every', 'seed'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f'{name} must be an integer >= 0, got {value!r}')
        if not self.lr > 0:
            raise ValueError(f'lr must be > 0, got {self.lr!r}')
        if not 0.0 <= self.min_lr_ratio <= 1.0:
            raise ValueError(f'min_lr_ratio must be in [0, 1], got {self.min_lr_ratio!r}')
        if self.device not in ('auto', 'cpu', 'cuda'):
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {self.device!r}")

    @property
    def label(self):
        """Short name of the policy variant (``dmm-dense``, ``dmm-none``, ``dt``)."""
        return 'dt' if self.policy == 'dt' else f'dmm-{self.mixer}'


__all__ = ['DMMTrainConfig', 'POLICIES']
