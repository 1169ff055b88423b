# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Mamba-based robot manipulation (RoboMamba, Decision MetaMamba) for ROS 2.

Layers, each importing only those before it (``test/test_layering.py`` checks)::

    geometry -> tasks -> models | ros -> sim -> train -> offline -> nodes -> cli

``geometry`` and ``package_files`` are the base (numpy and the standard library only); the
command-line modules (``cli``, ``cli_args``, ``doctor`` and each folder's ``cli``) sit on top.
"""

__version__ = '0.1.0'

__all__ = ['__version__']
