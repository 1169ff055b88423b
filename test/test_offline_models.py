# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The shipped low-level executors (models/*-sapien-tiny) load and act as the nodes use them."""

import json

import numpy as np
import pytest

from robomamba_ros.tasks.low_level_pull import ACTION_SIZE, OBSERVATION_SIZE

# Folder, model_type, mixer (None for the DT).
SHIPPED = [('dmm-sapien-tiny', 'decision_metamamba', 'dense'),
           ('dmm-panda-tiny', 'decision_metamamba', 'dense'),
           ('dt-sapien-tiny', 'decision_transformer', None),
           ('dm-sapien-tiny', 'decision_metamamba', 'none')]
# The finger opening each model saw at the start of its episodes: the flying hand has no
# fingers, the Franka Hand starts open (80 mm).
FINGERS_AT_START = {'dmm-panda-tiny': 0.08}


def _observation(fingers=0.0):
    # The hand 20 cm back from a contact point along up, turned a little.
    from robomamba_ros import geometry
    point, up, forward = np.array([0.3, 0.0, 0.5]), np.array([1.0, 0.0, 0.0]), \
        np.array([0.0, 0.0, 1.0])
    R = geometry.axis_angle_to_matrix(np.array([0.0, 0.0, 0.2])) @ \
        geometry.gripper_rotation(up, forward)
    position = point - 0.3 * up
    return np.concatenate([position, geometry.matrix_to_rot6d(R), [fingers], point, up, forward,
                           [0.0], point - position]).astype(np.float32)


@pytest.mark.parametrize('name, model_type, mixer', SHIPPED)
def test_shipped_executor_loads_and_acts(repo_root, name, model_type, mixer):
    from robomamba_ros.nodes.low_level_executor import ModelExecutor
    from robomamba_ros.offline.training import load_policy
    folder = repo_root / 'models' / name
    for file in ('config.json', 'model.safetensors', 'stats.json', 'README.md', 'log.json'):
        assert (folder / file).is_file(), file
    config = json.loads((folder / 'config.json').read_text())
    assert config['model_type'] == model_type and config.get('mixer', None) == mixer
    assert (config['hidden_size'], config['num_layers']) == (64, 3)
    policy, stats = load_policy(str(folder))
    assert (policy.config.state_dim, policy.config.act_dim) == (OBSERVATION_SIZE, ACTION_SIZE)
    assert stats.frame == 'target' and stats.target_return > 0
    # As dmm_node builds it: the folder itself, the control rate of its data.
    executor = ModelExecutor(str(folder))
    assert executor.trained_control_hz == 20.0
    executor.reset()
    observation = _observation(FINGERS_AT_START.get(name, 0.0))
    actions = np.array([executor(observation) for _ in range(3)])
    assert actions.shape == (3, ACTION_SIZE) and np.all(np.isfinite(actions))
    # Far from the contact pose the executor moves towards it and keeps the suction open.
    assert actions[0, 0] > 0.05 and actions[0, 6] < -0.5
    assert (folder / 'README.md').read_text().count('scripts/reproduce_dmm_models.sh') >= 1


def test_shipped_executors_are_small(repo_root):
    sizes = [f.stat().st_size for name, _, _ in SHIPPED
             for f in (repo_root / 'models' / name).iterdir()]
    assert sum(sizes) < 3_000_000
