# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The flying hand follows pose targets and twists, and its suction holds a body."""

import numpy as np
import pytest
import sapien

from robomamba_ros import geometry
from robomamba_ros.sim import gripper as gripper_module
from robomamba_ros.sim.gripper import FlyingGripper, GripperConfig
from robomamba_ros.sim.scene import create_scene


def _pose(position, up=(1.0, 0.0, 0.0), forward=(0.0, 0.0, 1.0)):
    return geometry.make_transform(geometry.gripper_rotation(up, forward), position)


def test_hand_reaches_a_pose_target():
    scene = create_scene(False)
    hand = FlyingGripper(scene)
    hand.teleport(_pose([0.0, 0.0, 1.0]))
    target = _pose([0.1, -0.05, 1.1], up=(0.0, 0.0, -1.0), forward=(1.0, 0.0, 0.0))
    hand.set_target(target)
    for _ in range(1000):
        hand.step()
    np.testing.assert_allclose(hand.pose()[:3, 3], target[:3, 3], atol=2e-3)
    np.testing.assert_allclose(hand.pose()[:3, :3], target[:3, :3], atol=2e-2)


def test_twist_moves_the_target_at_constant_speed():
    scene = create_scene(False)
    hand = FlyingGripper(scene)
    hand.teleport(_pose([0.0, 0.0, 1.0]))
    hand.set_twist([0.0, 0.2, 0.0], [0.0, 0.0, 0.0])
    steps = round(0.5 / scene.timestep)
    for _ in range(steps):
        hand.step()
    np.testing.assert_allclose(hand.target()[:3, 3], [0.0, 0.1, 1.0], atol=1e-5)
    assert hand.pose()[1, 3] == pytest.approx(0.1, abs=0.01)
    with pytest.raises(ValueError, match='finite'):
        hand.set_twist([np.nan, 0.0, 0.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match='shape'):
        hand.set_twist([0.0, 0.0], [0.0, 0.0, 0.0])


def test_fingers_open_and_close():
    scene = create_scene(False)
    hand = FlyingGripper(scene, GripperConfig(finger_opening_m=0.04))
    hand.teleport(_pose([0.0, 0.0, 1.0]))
    for _ in range(200):
        hand.step()
    np.testing.assert_allclose(hand.articulation.get_qpos(), [0.04, 0.04], atol=2e-3)
    hand.set_fingers(0.0)
    for _ in range(200):
        hand.step()
    np.testing.assert_allclose(hand.articulation.get_qpos(), [0.0, 0.0], atol=2e-3)


def test_suction_carries_a_box_and_releases_it():
    scene = create_scene(False)
    builder = scene.create_actor_builder()
    builder.add_box_collision(half_size=[0.05, 0.05, 0.05], density=200.0)
    box = builder.build(name='box')
    box.set_pose(sapien.Pose([0.0, 0.0, 0.05]))
    body = box.find_component_by_type(sapien.physx.PhysxRigidDynamicComponent)
    hand = FlyingGripper(scene)
    # Fingertips touch the top of the box, approaching downwards.
    tip = gripper_module.FINGER_BASE_Z_M + 2 * gripper_module.FINGER_HALF_SIZE_M[2]
    hand.teleport(_pose([0.0, 0.0, 0.1 + tip], up=(0.0, 0.0, -1.0), forward=(1.0, 0.0, 0.0)))
    hand.attach(body)
    assert hand.attached
    hand.set_target(_pose([0.0, 0.0, 0.4 + tip], up=(0.0, 0.0, -1.0), forward=(1.0, 0.0, 0.0)))
    for _ in range(500):
        hand.step()
    assert box.pose.p[2] > 0.3
    hand.detach()
    for _ in range(500):
        hand.step()
    assert box.pose.p[2] < 0.1


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match='drive_stiffness'):
        GripperConfig(drive_stiffness=0.0)
    with pytest.raises(ValueError, match='finger_opening_m'):
        GripperConfig(finger_opening_m=0.1)


def test_angular_twist_turns_the_target_about_the_hand_origin():
    scene = create_scene(False)
    hand = FlyingGripper(scene)
    start = _pose([0.2, 0.0, 1.0])
    hand.teleport(start)
    hand.set_twist([0.0, 0.0, 0.0], [0.0, 0.0, np.pi / 2])
    for _ in range(round(1.0 / scene.timestep)):
        hand.step()
    target = hand.target()
    np.testing.assert_allclose(target[:3, 3], start[:3, 3], atol=1e-6)
    R_z90 = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(target[:3, :3], R_z90 @ start[:3, :3], atol=1e-4)
