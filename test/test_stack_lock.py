# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The environment is the locked stack: every locked version installed, nothing unlocked needed."""

from importlib import metadata

from packaging.requirements import Requirement
from packaging.version import Version
import pytest
from stack_lock import canonical, LOCK_FILE, locked_versions, unpinned

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
