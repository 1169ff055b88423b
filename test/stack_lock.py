# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The lock files of the tested stack (``constraints/lock.txt`` and ``ros-lock.txt``)."""

import os
import pathlib
import re

LOCK_FILE = pathlib.Path(__file__).resolve().parents[1] / 'constraints' / 'lock.txt'
#: The ROS 2 wheels and what they need beyond LOCK_FILE (scripts/setup_ros.sh installs them).
ROS_LOCK_FILE = LOCK_FILE.with_name('ros-lock.txt')


def canonical(name):
    """Return a distribution name in PEP 503 normal form."""
    return re.sub(r'[-_.]+', '-', name).lower()


def locked_versions(path=LOCK_FILE):
    """Return ``{canonical name: version}`` for every ``name==version`` line of the lock."""
    versions = {}
    for line in pathlib.Path(path).read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            name, _, version = line.partition('==')
            versions[canonical(name)] = version.strip()
    return versions


def unpinned():
    """Return True when the environment was installed without the lock on purpose."""
    return os.environ.get('ROBOMAMBA_UNPINNED', '') not in ('', '0')
