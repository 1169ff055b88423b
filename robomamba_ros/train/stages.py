# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The three RoboMamba training stages: which parameters train, on which data, with which loss.

* ``align`` (stage 1.1): only the projector, on LLaVA image-text pairs, loss on answers.
* ``cotrain`` (stage 1.2): projector + Mamba LM (or LoRA adapters on the LM's in_proj, x_proj,
  dt_proj, out_proj), on LLaVA-format general and robot VQA.
* ``head`` (stage 2): everything frozen except the policy head, on manipulation samples.

``unfreeze`` adds whole modules to what a stage trains: ``vision`` for models whose encoder was
not pretrained (the SAPIEN tiny models learn it in stage 1), or every module for end-to-end
training with the pose loss.
"""

from robomamba_ros.models.lora import add_lora

STAGES = ('align', 'cotrain', 'head')
STAGE_DATA = {'align': 'llava', 'cotrain': 'llava', 'head': 'manipulation'}
MODULES = ('vision', 'projector', 'lm', 'head')


def configure_trainable(model, stage, lora_rank=0, lora_alpha=32, unfreeze=()):
    """
    Freeze ``model`` except what ``stage`` trains (adding LoRA adapters when asked).

    :param model: a :class:`~robomamba_ros.models.robomamba.RoboMamba`.
    :param stage: one of ``STAGES``.
    :param lora_rank: ``cotrain`` only: 0 trains the full LM, > 0 trains rank-r adapters.
    :param lora_alpha: LoRA scaling numerator.
    :param unfreeze: names from ``MODULES`` trained in addition to the stage's own.
    :return: list of trainable parameters.
    """
    if stage not in STAGES:
        raise ValueError(f'stage must be one of {STAGES}, got {stage!r}')
    unknown = sorted(set(unfreeze) - set(MODULES))
    if unknown:
        raise ValueError(f'unfreeze names must be in {MODULES}, got {unknown}')
    if lora_rank and stage != 'cotrain':
        raise ValueError(f'lora_rank applies to the cotrain stage only, got stage {stage!r}')
    model.requires_grad_(False)
    if stage == 'align':
        model.projector.requires_grad_(True)
    elif stage == 'cotrain':
        model.projector.requires_grad_(True)
        if lora_rank:
            add_lora(model.lm, rank=lora_rank, alpha=lora_alpha)
        else:
            model.lm.requires_grad_(True)
    else:
        model.head.requires_grad_(True)
    for name in unfreeze:
        getattr(model, name).requires_grad_(True)
    return [p for p in model.parameters() if p.requires_grad]


def parameter_counts(model):
    """Return ``(trainable, total, fraction)`` parameter counts (tied weights counted once)."""
    unique = {id(p): p for p in model.parameters()}.values()
    total = sum(p.numel() for p in unique)
    trainable = sum(p.numel() for p in unique if p.requires_grad)
    return trainable, total, trainable / max(total, 1)


__all__ = ['MODULES', 'STAGES', 'STAGE_DATA', 'configure_trainable', 'parameter_counts']
