# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
RoboMamba training: stage 1.1 alignment, stage 1.2 co-training, stage 2 policy head.

* ``configuration_train`` -- the run configuration (no torch import).
* ``stages`` -- which parameters each stage trains; ``datasets`` -- LLaVA JSON and manipulation
  JSONL readers with their collators; ``trainer`` -- the shared loop; ``evaluation`` -- pose
  errors; ``cli`` -- the ``train`` command; ``synthetic_data`` -- a tiny tokenizer and
  datasets for tests and smoke runs.

May import: :mod:`robomamba_ros.geometry`, ``tasks``, ``models``, ``sim`` (data generation for
the tiny model); never ``offline``, ``nodes`` or ``ros``.
"""

__all__ = ['cli', 'configuration_train', 'datasets', 'evaluation', 'stages', 'synthetic_data',
           'trainer']
