# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Mamba-based robot manipulation (RoboMamba, Decision MetaMamba) for ROS 2."""

__version__ = '0.1.0'

__all__ = ['__version__']
