# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Torch models: RoboMamba, Decision MetaMamba, the DT baseline and the shared Mamba scan.

* ``configuration_robomamba``, ``configuration_dmm`` -- config dataclasses (no torch import).
* ``checkpoint`` -- model folders: strict loading, ``save_pretrained``/``from_pretrained``.
* ``mamba_scan`` -- the selective scan (whole sequence, with a hand-written backward) and its
  one-step update; ``mamba_block`` -- the one Mamba block (mixer, residual block, recurrent
  state, CUDA kernels when they import) used by the LM, the ``ssm+mlp`` head and DMM;
  ``mamba_lm`` -- the Mamba LM on it, in the ``mamba-*-hf`` layout.
* ``image_processing`` -- resize/crop/pad/normalise with the exact pixel mapping.
* ``vision`` -- CLIP/SigLIP (transformers) and open_clip encoders, second-to-last block tokens.
* ``projector``, ``policy_head``, ``losses``, ``prompting``, ``lora``.
* ``robomamba`` -- the model: ``predict_pose``, ``answer``, save and load.
* ``convert_official`` -- import of checkpoints saved by the official RoboMamba code.
* ``manipulation_policy`` -- a RoboMamba folder as a simulator policy.
* ``dmm`` -- Decision MetaMamba with token mixers and an O(1) recurrent step.
* ``dt_baseline`` -- Decision Transformer (transformers) with the same interface.

May import: :mod:`robomamba_ros.geometry`, :mod:`robomamba_ros.tasks`, torch, transformers
(vision encoders, tokenizers, the DT baseline); never ``ros``, ``sim`` or anything above.
"""

__all__ = [
    'checkpoint', 'configuration_dmm', 'configuration_robomamba', 'convert_official', 'dmm',
    'dt_baseline', 'image_processing', 'lora', 'losses', 'mamba_block', 'mamba_lm',
    'mamba_scan', 'manipulation_policy', 'policy_head', 'projector', 'prompting', 'robomamba',
    'vision',
]
