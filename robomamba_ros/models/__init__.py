# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Torch models: RoboMamba (vision encoder, projector, Mamba LM, policy head), the Mamba scan."""
