# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Offline RL data and training for Decision MetaMamba and the Decision Transformer baseline.

* ``d4rl_format`` -- D4RL-layout HDF5 reader/writer and a Minari-folder loader.
* ``controller`` -- ``ReturnConditionedController`` (torch, no SAPIEN).
* ``generate`` -- dataset generation (``expert``, ``medium``, ``mixed``) in the D4RL layout.
* ``processing`` -- returns-to-go, state statistics and K-step training windows.
* ``training`` -- ``train-dmm`` on the shared training loop; ``evaluation`` -- ``eval-dmm``.
* ``cli`` -- ``add_dmm_parsers(subparsers)``: ``dmm-data``, ``train-dmm``, ``eval-dmm``.

May import: :mod:`robomamba_ros.geometry`, ``tasks``, ``models``, ``sim`` (the task in SAPIEN),
``train`` (the shared training loop); never ``nodes`` or ``ros``.
"""

__all__ = ['cli', 'controller', 'd4rl_format', 'evaluation', 'generate', 'processing',
           'training']
