# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Torch models: RoboMamba, Decision MetaMamba, the DT baseline and the shared Mamba scan.

* ``configuration_robomamba``, ``configuration_dmm`` -- config dataclasses (no torch import).
* ``checkpoint`` -- model folders: strict loading, ``save_pretrained``/``from_pretrained``.
* ``mamba_scan`` -- the selective scan (whole sequence, with a hand-written backward) and its
  one-step update; ``mamba_lm`` -- transformers' Mamba LM switched to it on CPU.
* ``image_processing`` -- resize/crop/pad/normalise with the exact pixel mapping.
* ``vision`` -- CLIP/SigLIP (transformers) and open_clip encoders, second-to-last block tokens.
* ``projector``, ``policy_head``, ``losses``, ``prompting``, ``lora``.
* ``robomamba`` -- the model: ``predict_pose``, ``answer``, save and load.
* ``convert_official`` -- import of checkpoints saved by the official RoboMamba code.
* ``manipulation_policy`` -- a RoboMamba folder as a simulator policy.
* ``dmm`` -- Decision MetaMamba with token mixers and an O(1) recurrent step.
* ``dt_baseline`` -- Decision Transformer (transformers) with the same interface.
"""

__all__ = [
    'checkpoint', 'configuration_dmm', 'configuration_robomamba', 'convert_official', 'dmm',
    'dt_baseline', 'image_processing', 'lora', 'losses', 'mamba_lm', 'mamba_scan',
    'manipulation_policy', 'policy_head', 'projector', 'prompting', 'robomamba', 'vision',
]
