# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Torch models: RoboMamba and the shared Mamba scan.

* ``configuration_robomamba`` -- config dataclasses (no torch import).
* ``mamba_scan`` -- the selective scan (whole sequence, with a hand-written backward) and its
  one-step update; ``mamba_lm`` -- transformers' Mamba LM switched to it on CPU.
* ``image_processing`` -- resize/crop/pad/normalise with the exact pixel mapping.
* ``vision`` -- CLIP/SigLIP (transformers) and open_clip encoders, second-to-last block tokens.
* ``projector``, ``policy_head``, ``losses``, ``prompting``, ``lora``.
* ``robomamba`` -- the model: ``predict_pose``, ``answer``, save and load.
* ``convert_official`` -- import of checkpoints saved by the official RoboMamba code.
"""

__all__ = [
    'configuration_robomamba', 'convert_official', 'image_processing', 'lora', 'losses',
    'mamba_lm', 'mamba_scan', 'policy_head', 'projector', 'prompting', 'robomamba', 'vision',
]
