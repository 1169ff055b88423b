# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The SAPIEN low-level pull task and its scripted controllers (physics only)."""

import numpy as np
import pytest

from robomamba_ros.sim.episode import Episode
from robomamba_ros.sim.low_level_task import LowLevelPullTask
from robomamba_ros.tasks.low_level_pull import ACTION_SIZE, LowLevelTaskConfig, OBSERVATION_SIZE
from robomamba_ros.tasks.scripted import ScriptedController

# First observation of reset('drawer_cabinet', 3): the sampled label and the seeded start pose
# as they were before upstream targets existed (datasets depend on them).
GOLDEN_FIRST_OBSERVATION = [
    -0.427302, -0.056414, 0.541231, -0.112321, 0.172805, 0.978531, 0.133644, -0.973188,
    0.187202, 0.0, -0.199623, 0.063461, 0.568315, 0.974664, 0.132742, 0.180027, -0.204263,
    0.200263, 0.958213, 0.0, 0.227679, 0.119874, 0.027084]


def _run(task, level, category='drawer_cabinet', seed=0, target=None, episode=None):
    observation = task.reset(category, seed, target=target, episode=episode)
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


def test_without_a_target_the_label_and_start_pose_are_unchanged():
    task = LowLevelPullTask()
    first = task.reset('drawer_cabinet', 3)
    np.testing.assert_allclose(first, GOLDEN_FIRST_OBSERVATION, atol=2e-6)
    assert not task.external_target


def test_a_target_replaces_the_label_and_keeps_the_seeded_start():
    task = LowLevelPullTask()
    label_start = task.reset('drawer_cabinet', 0)
    label = (task.point.copy(), task.up.copy(), task.forward.copy())
    # The label given back as a target: same start, same closed loop, same success.
    episode = Episode('drawer_cabinet', 0)
    label_return, label_info = _run(task, 'expert')
    target_return, info = _run(task, 'expert', target=label, episode=episode)
    assert task.episode is episode and task.external_target
    np.testing.assert_allclose(task.point, label[0])
    assert info['success'] and task.judge().reason == ''
    assert target_return == pytest.approx(label_return, abs=1e-3)
    np.testing.assert_allclose(task.reset('drawer_cabinet', 0, target=label), label_start,
                               atol=1e-6)
    # Moved 0.6 m up into free space: the target is used, the hand never touches anything,
    # and the suction cannot grip the part from there.
    far = (label[0] + [0.0, 0.0, 0.6], label[1], label[2])
    _, info = _run(task, 'expert', target=far)
    np.testing.assert_allclose(task.point, far[0])
    assert not info['success'] and not task.ever_attached
    assert task.judge().reason == 'no contact'


def test_bad_targets_and_foreign_episodes_are_refused():
    task = LowLevelPullTask()
    with pytest.raises(ValueError, match='finite'):
        task.reset('drawer_cabinet', 0, target=([np.nan, 0.0, 0.0], [0, 0, 1.0], [1.0, 0, 0]))
    with pytest.raises(ValueError):
        task.reset('drawer_cabinet', 0, target=([0.0, 0.0, 0.0], [0, 0, 1.0], [0, 0, 2.0]))
    with pytest.raises(ValueError, match='target must be'):
        task.reset('drawer_cabinet', 0, target=[0.0, 0.0])
    with pytest.raises(ValueError, match='seed 1'):
        task.reset('drawer_cabinet', 0, episode=Episode('drawer_cabinet', 1))


def test_expert_opens_a_drawer_and_random_does_not():
    task = LowLevelPullTask()
    expert_return, info = _run(task, 'expert')
    assert info['success'] and info['open_fraction'] >= 0.5
    random_return, info = _run(task, 'random')
    assert not info['success'] and random_return < expert_return
