# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The episode runner: pose drive, suction, judge and ends (physics only)."""

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.sim.episode import Episode
from robomamba_ros.sim.episode_runner import EpisodeRunner, home_pose, RunnerConfig


def _runner(**config):
    episode = Episode('drawer_cabinet', 0)
    obj = episode.object
    runner = EpisodeRunner(RunnerConfig(**config))
    runner.reset(episode, home_pose(obj.center_m, obj.bounding_radius_m,
                                    episode.camera.T_world_camera[:3, 3], 0.3))
    return runner


def test_a_pose_goal_moves_the_tcp_target_as_one_rate_limited_step():
    runner = _runner(max_linear_mps=0.2, max_angular_radps=1.0)
    start = runner.drive_target_tcp()
    goal = start.copy()
    goal[:3, 3] += [0.05, -0.1, 0.08]
    goal[:3, :3] = geometry.axis_angle_to_matrix([0.3, 0.0, 0.9]) @ start[:3, :3]
    goal = geometry.pose_to_matrix(*geometry.matrix_to_pose(goal))  # orthonormal to the last bit
    runner.set_pose_goal(goal)
    dt = runner.dt_ns / 1e9
    for n in (1, 7, 40):
        runner.step(n - runner.steps)
        expected, _ = geometry.step_transform_toward(start, goal, n * 0.2 * dt, n * 1.0 * dt)
        np.testing.assert_allclose(runner.drive_target_tcp(), expected, atol=1e-9)
    runner.step(500)
    np.testing.assert_allclose(runner.drive_target_tcp(), goal, atol=1e-9)
    # Moved by someone else (a teleport): the drive continues from there, without a jump back.
    moved = geometry.tcp_pose_to_gripper(goal)
    moved[:3, 3] += [0.0, 0.0, 0.1]
    runner.episode.gripper.teleport(moved)
    runner.step(1)
    position = runner.drive_target_tcp()[:3, 3]
    assert np.linalg.norm(position - goal[:3, 3]) == pytest.approx(0.1 - 0.2 * dt, abs=1e-6)


def test_the_suction_closes_only_near_the_part_and_records_the_first_attach():
    runner = _runner(attach_tolerance_m=0.03)
    holding, distance = runner.close_suction()
    assert not holding and distance > 0.03 and not runner.ever_attached
    assert runner.judge().reason == 'no contact'
    assert runner.end_reason(0.5, 1.0, 0.0) == 'timeout'
    episode = runner.episode
    T = episode.gripper.pose()
    holding, _ = runner.close_suction(check_reach=False)
    assert holding and episode.gripper.attached and runner.ever_attached
    record = runner.attach_record
    np.testing.assert_allclose(record.approach, T[:3, 2])
    np.testing.assert_allclose(record.T_world_link, episode.object.link_pose())
    runner.open_suction()
    assert not episode.gripper.attached and runner.attach_record is record
    runner.step(10)
    assert runner.elapsed_ns == 10 * runner.dt_ns
    assert runner.open_fraction() == pytest.approx(0.0, abs=1e-3)
    assert runner.end_reason(0.5, 0.0, 1.0) is None
