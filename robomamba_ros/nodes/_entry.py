# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Shared behaviour of node executables whose core has not landed in this release."""

import sys

from robomamba_ros import __version__


def node_unavailable(name):
    """
    Exit with status 2 and say why, instead of starting a node that would do nothing.

    :param name: the executable's name.
    """
    sys.stderr.write(
        f'{name}: this node is not available in robomamba_ros {__version__} yet; '
        'see the Status section of the README.\n')
    raise SystemExit(2)
