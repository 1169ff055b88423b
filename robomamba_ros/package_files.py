# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Find the package's data folders (``config``, ``models``) from a checkout or an install.

Searched in order: the source checkout (or editable install), ``<prefix>/share/robomamba_ros``
of the Python environment, and of every ``AMENT_PREFIX_PATH`` entry (colcon installs).
"""

import os
from pathlib import Path
import sys

PACKAGE = 'robomamba_ros'
# The models the package ships and uses by default (``models/<name>`` in the repository).
DEFAULT_ROBOMAMBA = 'robomamba-sapien-tiny'
DEFAULT_DMM = 'dmm-sapien-tiny'
#: The shipped DMM of each simulated robot: the flying hand's, and one trained with the Panda.
ROBOT_DMMS = {'flying_hand': DEFAULT_DMM, 'panda': 'dmm-panda-tiny'}
#: The shipped RoboMamba of each simulation suite (the one trained on its scenes).
SUITE_ROBOMAMBAS = {'v1': DEFAULT_ROBOMAMBA, 'v2': 'robomamba-v2-tiny'}


def data_dirs(kind):
    """
    Return the folders that may hold the package's ``kind`` files, most specific first.

    :param kind: ``'config'`` or ``'models'``.
    :return: list of :class:`~pathlib.Path` (not all of them exist).
    """
    dirs = [Path(__file__).resolve().parents[1] / kind,
            Path(sys.prefix) / 'share' / PACKAGE / kind]
    for prefix in filter(None, os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep)):
        dirs.append(Path(prefix) / 'share' / PACKAGE / kind)
    return dirs


def find_data(kind, name, folder=False):
    """
    Return the path of one shipped file or folder.

    :param kind: ``'config'`` or ``'models'``.
    :param name: file or folder name, e.g. ``'sim.yaml'`` or ``'robomamba-sapien-tiny'``.
    :param folder: look for a folder instead of a file.
    :return: the first existing :class:`~pathlib.Path`.
    :raises FileNotFoundError: naming every folder searched.
    """
    for parent in data_dirs(kind):
        path = parent / name
        if (path.is_dir() if folder else path.is_file()):
            return path
    raise FileNotFoundError(f'{name} not found in ' + ', '.join(map(str, data_dirs(kind))))


def shipped_model(name):
    """Return the folder of a model shipped with the package (see ``models/`` in the repo)."""
    return find_data('models', name, folder=True)


__all__ = ['DEFAULT_DMM', 'DEFAULT_ROBOMAMBA', 'ROBOT_DMMS', 'SUITE_ROBOMAMBAS', 'data_dirs',
           'find_data', 'shipped_model']
