# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The SAPIEN low-level pull task and its scripted controllers (physics only)."""

import numpy as np
import pytest

from robomamba_ros.offline.scripted import ScriptedController
from robomamba_ros.sim.low_level_task import (
    ACTION_SIZE, LowLevelPullTask, LowLevelTaskConfig, OBSERVATION_SIZE, rotation_log)


def _run(task, level, category='drawer_cabinet', seed=0):
    observation = task.reset(category, seed)
    controller = ScriptedController(task.config, level, np.random.default_rng(seed))
    total = 0.0
    while True:
        observation, reward, terminated, truncated, info = task.step(controller(observation))
        total += reward
        if terminated or truncated:
            return total, info


def test_reset_is_seeded_and_observation_has_the_documented_layout():
    task = LowLevelPullTask()
    first = task.reset('drawer_cabinet', 3)
    assert first.shape == (OBSERVATION_SIZE,) and first.dtype == np.float32
    np.testing.assert_array_equal(task.reset('drawer_cabinet', 3), first)
    np.testing.assert_allclose(first[20:23], first[10:13] - first[:3], atol=1e-6)
    assert first[19] == 0.0  # suction not holding
    with pytest.raises(ValueError, match='finite'):
        task.step(np.full(ACTION_SIZE, np.nan))
    with pytest.raises(ValueError, match='max_steps'):
        LowLevelTaskConfig(max_steps=0)


def test_expert_opens_a_drawer_and_random_does_not():
    task = LowLevelPullTask()
    expert_return, info = _run(task, 'expert')
    assert info['success'] and info['open_fraction'] >= 0.5
    random_return, info = _run(task, 'random')
    assert not info['success'] and random_return < expert_return


def test_rotation_log_inverts_small_and_half_turns():
    for vector in (np.array([0.1, -0.2, 0.3]), np.array([0.0, np.pi, 0.0])):
        angle = np.linalg.norm(vector)
        k = vector / angle
        K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        R = np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K
        out = rotation_log(R)
        assert np.linalg.norm(out) == pytest.approx(angle)
        assert abs(out @ vector) == pytest.approx(angle ** 2)
