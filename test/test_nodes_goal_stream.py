# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""GoalStream alone: step limits, where a new target starts, reset, e-stop, start refusals."""

import math

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.nodes import goal_safety
from robomamba_ros.nodes.goal_stream import GoalStream

STEP_M, STEP_RAD, RESTART_M = 0.01, 0.05, 0.05
Q_IDENTITY = np.array([0.0, 0.0, 0.0, 1.0])
# Turned 1 rad about z.
Q_TURNED = np.array([0.0, 0.0, math.sin(0.5), math.cos(0.5)])


class EndEffector:
    """An end-effector pose source the test moves; None means the pose is unknown."""

    def __init__(self, position=(0.0, 0.0, 0.0), quat=Q_IDENTITY):
        self.move(position, quat)
        self.calls = 0

    def move(self, position, quat=Q_IDENTITY):
        self.T = None if position is None else geometry.pose_to_matrix(position, quat)

    def __call__(self, now_ns):
        self.calls += 1
        if self.T is None:
            return None, goal_safety.refused('tf_missing', 'no transform')
        return self.T, None


def _stream(ee=None):
    ee = ee or EndEffector()
    return GoalStream(ee, STEP_M, STEP_RAD, RESTART_M), ee


def _moving():
    """Return a stream five ticks on its way from the origin to x = 0.2 m, and its arm."""
    stream, ee = _stream()
    stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY)
    _walk(stream, 5)
    return stream, ee


def _walk(stream, ticks):
    """Tick ``ticks`` times; return the goals (None for ticks without one)."""
    return [stream.tick(0)[0] for _ in range(ticks)]


def _assert_bounded(start, goals, step_m=STEP_M, step_rad=STEP_RAD):
    previous = start
    for position, quat in goals:
        assert np.linalg.norm(position - previous[0]) <= step_m + 1e-9
        assert geometry.quat_angle(previous[1], quat) <= step_rad + 1e-9
        previous = (position, quat)


def test_no_target_no_goal():
    stream, ee = _stream()
    assert stream.tick(0) == (None, None)
    assert ee.calls == 0 and stream.goal is None


def test_each_tick_moves_at_most_the_step_limits_and_reaches_the_target():
    stream, _ = _stream()
    target = np.array([0.1, 0.05, -0.02])
    assert stream.set_target(target, Q_TURNED)
    goals = _walk(stream, 40)
    assert all(g is not None for g in goals)
    _assert_bounded((np.zeros(3), Q_IDENTITY), goals)
    # 1 rad at 0.05 rad per tick takes 20 ticks (0.114 m at 0.01 m would take 12): the
    # translation follows the rotation.
    assert geometry.quat_angle(goals[18][1], Q_TURNED) > 0.0
    assert goals[20][0] == pytest.approx(target) and geometry.quat_angle(goals[20][1],
                                                                         Q_TURNED) < 1e-9
    # At the target the stream keeps publishing it.
    assert goals[-1][0] == pytest.approx(target)
    assert stream.goal[0] == pytest.approx(target)


def test_new_limits_apply_from_the_next_tick():
    stream, _ = _stream()
    stream.set_target([1.0, 0.0, 0.0], Q_IDENTITY)
    first = stream.tick(0)[0]
    stream.configure(0.002, STEP_RAD, RESTART_M)
    second = stream.tick(0)[0]
    assert first[0][0] == pytest.approx(0.01) and second[0][0] == pytest.approx(0.012)


def test_a_new_target_continues_from_the_last_goal_while_the_arm_is_near_it():
    stream, ee = _moving()
    last = stream.goal
    assert last[0] == pytest.approx([0.05, 0.0, 0.0])
    ee.move([0.03, 0.0, 0.0])  # the arm lags 2 cm behind the goal: within restart_m
    stream.set_target([0.05, 0.2, 0.0], Q_IDENTITY)
    goals = _walk(stream, 3)
    _assert_bounded(last, goals)
    assert goals[0][0] == pytest.approx([0.05, 0.01, 0.0])


def test_a_new_target_restarts_from_the_arm_when_it_was_moved_away():
    stream, ee = _moving()
    ee.move([0.0, 0.5, 0.0])  # e.g. a simulator reset moved the arm
    stream.set_target([0.0, 0.6, 0.0], Q_IDENTITY)
    first = stream.tick(0)[0]
    assert first[0] == pytest.approx([0.0, 0.51, 0.0])


def test_the_same_target_never_restarts_and_an_unknown_arm_pose_continues():
    stream, ee = _moving()
    ee.move([0.0, 0.5, 0.0])  # far away, but the target is not new: keep streaming
    assert stream.tick(0)[0][0] == pytest.approx([0.06, 0.0, 0.0])
    ee.move(None)  # a new target without an arm pose continues from the last goal
    stream.set_target([0.06, 0.1, 0.0], Q_IDENTITY)
    position, _ = stream.tick(0)[0]
    assert position == pytest.approx([0.06, 0.01, 0.0])


def test_clear_target_stops_the_stream_but_keeps_the_goal_as_the_next_start():
    stream, ee = _moving()
    stream.clear_target()
    assert stream.tick(0) == (None, None) and stream.target is None
    ee.move([0.04, 0.0, 0.0])
    stream.set_target([0.05, 0.1, 0.0], Q_IDENTITY)
    assert stream.tick(0)[0][0] == pytest.approx([0.05, 0.01, 0.0])


def test_reset_forgets_target_and_goal_so_the_next_starts_at_the_arm():
    stream, ee = _moving()
    stream.reset()
    assert stream.tick(0) == (None, None)
    assert stream.target is None and stream.goal is None
    ee.move([0.04, 0.0, 0.0])  # within restart_m of the forgotten goal: still the arm pose
    stream.set_target([0.04, 0.1, 0.0], Q_IDENTITY)
    assert stream.tick(0)[0][0] == pytest.approx([0.04, 0.01, 0.0])


def test_estop_clears_the_stream_and_refuses_targets_until_released():
    stream, ee = _moving()
    assert stream.set_estop(True) is True and stream.set_estop(True) is False
    assert stream.estop and stream.target is None and stream.goal is None
    assert stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY) is False
    assert stream.tick(0) == (None, None) and stream.target is None
    assert stream.set_estop(False) is True and not stream.estop
    ee.move([0.04, 0.0, 0.0])
    assert stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY) is True
    assert stream.tick(0)[0][0] == pytest.approx([0.05, 0.0, 0.0])  # from the arm


def test_no_start_pose_is_reported_once_per_target_and_retried_every_tick():
    stream, ee = _stream(EndEffector(position=None))
    stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY)
    goal, refusal = stream.tick(0)
    assert goal is None and refusal.reason == 'no_start_pose' and not refusal.ok
    assert 'tf_missing' in refusal.detail
    assert [stream.tick(0) for _ in range(3)] == [(None, None)] * 3
    assert ee.calls == 4  # retried on every tick
    # A new target: reported again.
    stream.set_target([0.3, 0.0, 0.0], Q_IDENTITY)
    assert stream.tick(0)[1].reason == 'no_start_pose'
    assert stream.tick(0) == (None, None)
    # Once the arm pose is known the stream starts from it.
    ee.move([0.0, 0.0, 0.0])
    goal, refusal = stream.tick(0)
    assert refusal is None and goal[0] == pytest.approx([0.01, 0.0, 0.0])


def test_a_non_rigid_arm_pose_is_no_start_pose():
    ee = EndEffector()
    ee.T = np.diag([2.0, 1.0, 1.0, 1.0])
    stream, _ = _stream(ee)
    stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY)
    goal, refusal = stream.tick(0)
    assert goal is None and refusal.reason == 'no_start_pose' and 'rigid' in refusal.detail
    assert stream.tick(0) == (None, None)


def test_a_reset_during_a_tick_drops_the_stepped_goal():
    # The pose lookup runs outside the lock: a reset from the other callback group may land
    # between it and storing the goal.
    stream = None

    def ee_pose(now_ns):
        stream.reset()
        return np.eye(4), None

    stream = GoalStream(ee_pose, STEP_M, STEP_RAD, RESTART_M)
    stream.set_target([0.2, 0.0, 0.0], Q_IDENTITY)
    assert stream.tick(0) == (None, None)
    assert stream.goal is None and stream.target is None
