# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Find the package's ROS parameter files (``config/*.yaml``) from a checkout or an install.

The in-process runner reads the same files the launch file passes to the ROS nodes.
"""

import os
from pathlib import Path
import sys

PACKAGE = 'robomamba_ros'


def config_dirs():
    """
    Return the folders that may hold the package's ``config`` files, most specific first.

    A source checkout (or editable install), then ``<prefix>/share/robomamba_ros/config`` of the
    Python environment and of every ``AMENT_PREFIX_PATH`` entry (colcon installs).
    """
    dirs = [Path(__file__).resolve().parents[2] / 'config',
            Path(sys.prefix) / 'share' / PACKAGE / 'config']
    for prefix in filter(None, os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep)):
        dirs.append(Path(prefix) / 'share' / PACKAGE / 'config')
    return dirs


def config_path(name):
    """
    Return the path of one parameter file.

    :param name: file name, e.g. ``'sim.yaml'``.
    :return: the first existing :class:`~pathlib.Path`.
    :raises FileNotFoundError: naming every folder searched.
    """
    for folder in config_dirs():
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f'{name} not found in ' + ', '.join(map(str, config_dirs())))


__all__ = ['config_dirs', 'config_path']
