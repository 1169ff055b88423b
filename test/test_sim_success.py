# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The ManipLLM success test on hand-made numbers, and on hand-made physical interactions."""

import numpy as np
import pytest

from robomamba_ros.sim import success
from robomamba_ros.sim.episode import Episode

UP = np.array([1.0, 0.0, 0.0])


@pytest.mark.parametrize('delta_q, joint_range, motion, ok, reason', [
    (0.031, 1.0, -UP, True, ''),  # just over 0.03
    (-0.031, 1.0, -UP, True, ''),  # |dq| counts, not its sign
    (0.029, 1.0, -UP, False, 'part did not move'),
    (0.029, 0.05, -UP, True, ''),  # more than half of a short range
    (0.5, 1.0, UP, False, 'wrong direction'),  # moved against the pull
    (0.5, 1.0, -UP + 3.3 * np.array([0.0, 1.0, 0.0]), False, 'wrong direction'),  # dot ~0.29
    (0.5, 1.0, -UP + 3.1 * np.array([0.0, 1.0, 0.0]), True, ''),  # dot ~0.31
])
def test_judge_thresholds(delta_q, joint_range, motion, ok, reason):
    result = success.judge(delta_q, joint_range, motion * 0.1, -UP)
    assert result.success is ok
    assert result.reason == reason


def test_judge_reports_missing_contact_first():
    assert success.judge(0.0, 1.0, np.zeros(3), -UP, touched_object=False,
                         touched_part=False).reason == 'no contact'
    assert success.judge(0.0, 1.0, np.zeros(3), -UP, touched_object=True,
                         touched_part=False).reason == 'missed movable part'
    assert success.judge(0.0, 1.0, np.zeros(3), -UP).direction_dot == 0.0


def test_judge_rejects_bad_input():
    with pytest.raises(ValueError, match='joint_range'):
        success.judge(0.1, 0.0, UP, UP)
    with pytest.raises(ValueError, match='action_direction'):
        success.judge(0.1, 1.0, UP, np.zeros(3))
    with pytest.raises(ValueError, match='reason'):
        success.failed_before_contact('because')


def test_contact_motion_follows_the_part():
    before = np.eye(4)
    after = np.eye(4)
    after[:3, :3] = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]  # 90 deg about z
    motion = success.contact_motion(before, after, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(motion, [-1.0, 1.0, 0.0], atol=1e-12)


def _front_point(episode, y_frac, z_frac):
    # A point on the outer face of the door panel at fractions of its width and height.
    T_box, half = episode.object.collision_boxes()[0]
    center = T_box[:3, 3]
    return center + np.array([-half[0], (2 * y_frac - 1) * half[1], (2 * z_frac - 1) * half[2]])


def test_pull_near_the_free_edge_opens_a_door():
    episode = Episode('cabinet_door', 3)
    episode.object.set_q(0.0)
    hinge_minus_y = episode.object.params['hinge_side'] == 'minus_y'
    point = _front_point(episode, 0.8 if hinge_minus_y else 0.2, 0.5)
    result = episode.execute(point, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    assert result.success, result
    assert result.delta_q > 0.3 and result.touched_part


def test_pulling_the_body_misses_the_part():
    episode = Episode('cabinet_door', 3)
    top = episode.object.center_m + [0.0, 0.0, episode.object.params['height'] / 2.0]
    result = episode.execute(top, [0.0, 0.0, -1.0], [1.0, 0.0, 0.0])
    assert not result.success
    assert result.reason == 'missed movable part'


def test_pulling_thin_air_has_no_contact():
    episode = Episode('cabinet_door', 3)
    result = episode.execute([-2.0, 0.0, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    assert (result.success, result.reason) == (False, 'no contact')


def test_push_against_the_closed_limit_fails_and_push_on_an_open_door_closes_it():
    episode = Episode('cabinet_door', 3)
    hinge_minus_y = episode.object.params['hinge_side'] == 'minus_y'
    episode.object.set_q(0.0)
    point = _front_point(episode, 0.8 if hinge_minus_y else 0.2, 0.5)
    closed = episode.execute(point, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], primitive='push')
    assert not closed.success and closed.reason == 'part did not move'

    episode.object.set_q(0.6)
    episode.scene.step()
    T_box, half = episode.object.collision_boxes()[0]
    normal = -T_box[:3, 0]  # outer face of the panel
    lateral = T_box[:3, 1] * (half[1] * 0.6 if hinge_minus_y else -half[1] * 0.6)
    point = T_box[:3, 3] + normal * half[0] + lateral
    opened = episode.execute(point, -normal, [0.0, 0.0, 1.0], primitive='push')
    assert opened.success, opened
    assert opened.delta_q < -0.1  # the push closed it


def test_pull_with_the_wrong_axis_fails():
    # Approach the closed door from the front but pull sideways along the hinge line: the part
    # cannot follow the hand, so the criterion rejects it.
    episode = Episode('drawer_cabinet', 2)
    T_box, half = episode.object.collision_boxes()[0]
    point = T_box[:3, 3] + np.array([-half[0], 0.0, 0.0])
    result = episode.execute(point, [0.0, 0.0, -1.0], [1.0, 0.0, 0.0])
    assert not result.success
