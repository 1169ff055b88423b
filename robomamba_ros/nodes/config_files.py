# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Find the package's ROS parameter files (``config/*.yaml``) from a checkout or an install.

The in-process runners (``demo``, ``replay``) read the same files the launch file passes to
the ROS nodes.
"""

from robomamba_ros.nodes.parameters import load_parameters
from robomamba_ros.package_files import data_dirs, find_data


def config_dirs():
    """Return the folders that may hold the package's ``config`` files, most specific first."""
    return data_dirs('config')


def config_path(name):
    """
    Return the path of one parameter file.

    :param name: file name, e.g. ``'sim.yaml'``.
    :return: the first existing :class:`~pathlib.Path`.
    :raises FileNotFoundError: naming every folder searched.
    """
    return find_data('config', name)


def node_parameters(cls, node_name, node_file, deployment='sim.yaml', overrides=None):
    """
    Read a node's parameters the way the launch file gives them (node file, then deployment).

    :param cls: the node's parameters dataclass.
    :param node_name: node name.
    :param node_file: its own file, e.g. ``'robomamba.yaml'`` (None for none).
    :param deployment: the deployment file (``'sim.yaml'`` or ``'franka.yaml'``), or several
        applied in order (``('franka.yaml', 'sim_panda.yaml')``).
    :param overrides: values applied last.
    :return: the parameters instance.
    """
    deployment = (deployment,) if isinstance(deployment, str) else tuple(deployment or ())
    files = [config_path(name) for name in (node_file,) + deployment if name]
    return load_parameters(cls, node_name, files, overrides)


__all__ = ['config_dirs', 'config_path', 'node_parameters']
