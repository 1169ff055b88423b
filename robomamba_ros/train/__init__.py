# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Training: datasets and the three RoboMamba stages (alignment, co-training, policy head)."""
