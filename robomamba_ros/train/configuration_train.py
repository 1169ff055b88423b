# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Training-run configuration (a dataclass without torch, validated on creation)."""

import dataclasses

from robomamba_ros.train.stages import MODULES, STAGES


@dataclasses.dataclass
class TrainConfig:
    """
    One training run.

    :param stage: ``'align'`` (1.1), ``'cotrain'`` (1.2) or ``'head'`` (2).
    :param model: model folder to start from (``config.json`` + ``model.safetensors`` + tokenizer).
    :param data: LLaVA JSON (align, cotrain) or manipulation JSONL (head).
    :param out: output folder: ``model/``, ``checkpoint/``, ``log.json``, ``loss.png``.
    :param image_root: folder image paths are relative to (default: the data file's folder).
    :param max_steps: optimizer steps.
    :param batch_size: samples per micro-batch (per process).
    :param grad_accum: micro-batches per optimizer step.
    :param lr: peak learning rate.
    :param weight_decay: AdamW weight decay.
    :param warmup_steps: linear warmup steps before the cosine decay.
    :param min_lr_ratio: final learning rate as a fraction of ``lr``.
    :param grad_clip: gradient-norm clip (0 disables).
    :param lora_rank: cotrain only: 0 trains the whole LM, > 0 trains LoRA adapters (paper: 8).
    :param lora_alpha: LoRA scaling numerator (paper: 32).
    :param unfreeze: modules trained in addition to the stage's own (``vision``, ``projector``,
        ``lm``, ``head``): ``('vision',)`` for an encoder trained from scratch, all of them for
        end-to-end training.
    :param save_every: steps between resumable checkpoints (0: only at the end).
    :param resume: continue from ``out/checkpoint`` when it exists.
    :param seed: random seed.
    :param device: ``'auto'`` (CUDA when available), ``'cpu'`` or ``'cuda'``.
    :param num_workers: DataLoader workers.
    """

    stage: str
    model: str
    data: str
    out: str
    image_root: str = None
    max_steps: int = 100
    batch_size: int = 8
    grad_accum: int = 1
    lr: float = 1e-4
    weight_decay: float = 0.0
    warmup_steps: int = 10
    min_lr_ratio: float = 0.1
    grad_clip: float = 1.0
    lora_rank: int = 0
    lora_alpha: float = 32.0
    unfreeze: tuple = ()
    save_every: int = 0
    resume: bool = False
    seed: int = 0
    device: str = 'auto'
    num_workers: int = 0

    def __post_init__(self):
        if self.stage not in STAGES:
            raise ValueError(f'stage must be one of {STAGES}, got {self.stage!r}')
        for name in ('max_steps', 'batch_size', 'grad_accum'):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be an integer >= 1, got {value!r}')
        for name in ('warmup_steps', 'save_every', 'lora_rank', 'num_workers'):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f'{name} must be an integer >= 0, got {value!r}')
        if not self.lr > 0:
            raise ValueError(f'lr must be > 0, got {self.lr!r}')
        if not 0.0 <= self.min_lr_ratio <= 1.0:
            raise ValueError(f'min_lr_ratio must be in [0, 1], got {self.min_lr_ratio!r}')
        if self.lora_rank and self.stage != 'cotrain':
            raise ValueError(f'lora_rank applies to stage cotrain only, got stage {self.stage!r}')
        self.unfreeze = tuple(self.unfreeze)
        unknown = sorted(set(self.unfreeze) - set(MODULES))
        if unknown:
            raise ValueError(f'unfreeze names must be in {MODULES}, got {unknown}')
        if self.device not in ('auto', 'cpu', 'cuda'):
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {self.device!r}")


__all__ = ['TrainConfig']
