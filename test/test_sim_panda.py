# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The simulated Franka Panda: its model from the installed wheel, kinematics and joint limits."""

import numpy as np
import pytest

sapien = pytest.importorskip('sapien')

from robomamba_ros import geometry  # noqa: E402
from robomamba_ros.sim.panda import (ARM_JOINTS, FINGER_JOINTS, IK_POSITION_TOL_M,  # noqa: E402
                                     IK_ROTATION_TOL_RAD, load_panda, panda_description,
                                     READY_QPOS)


@pytest.fixture(scope='module')
def arm():
    scene = sapien.Scene([sapien.physx.PhysxCpuSystem()])
    scene.set_timestep(1e-3)
    return load_panda(scene)


def _sample(arm, rng, spread=None):
    low, high = arm.arm_limits[:, 0], arm.arm_limits[:, 1]
    if spread is None:
        return rng.uniform(low, high)
    return np.clip(np.asarray(READY_QPOS) + rng.uniform(-spread, spread, 7), low, high)


def test_the_model_is_found_in_the_installed_wheel_and_has_franka_ros2_names(arm):
    description = panda_description()
    assert description.urdf.is_file() and description.srdf.is_file()
    assert 'site-packages' in str(description.urdf) or 'dist-packages' in str(description.urdf)
    assert [j.name for j in arm.joints] == list(ARM_JOINTS + FINGER_JOINTS)
    # franka_description's limits (rad; fingers 0-40 mm each, 80 mm between them).
    assert arm.arm_limits[3].tolist() == pytest.approx([-3.0718, -0.0698])
    assert arm.arm_limits[5].tolist() == pytest.approx([-0.0175, 3.7525])
    assert np.allclose(arm.finger_limits, [[0.0, 0.04], [0.0, 0.04]])
    for link in ('panda_link0', 'panda_link8', 'panda_hand', 'panda_hand_tcp'):
        assert link in arm.links


def test_forward_kinematics_equals_the_simulated_tcp_pose(arm):
    rng = np.random.default_rng(0)
    tcp = arm.articulation.get_links()[arm.tcp_index]
    for _ in range(20):
        q = _sample(arm, rng)
        arm.articulation.set_qpos(arm.full_qpos(q))
        T_sim = tcp.entity_pose.to_transformation_matrix()
        T_fk = arm.fk(q)
        assert np.linalg.norm(T_sim[:3, 3] - T_fk[:3, 3]) < 1e-3
        assert geometry.rotation_angle(T_sim[:3, :3], T_fk[:3, :3]) < 1e-3
    # The TCP sits 0.1034 m along the hand's z axis, as franka_description puts it.
    T_hand, T_tcp = arm.fk(READY_QPOS, 'panda_hand'), arm.fk(READY_QPOS)
    assert np.allclose(np.linalg.inv(T_hand) @ T_tcp, geometry.T_GRIPPER_TCP, atol=1e-6)


def test_ik_reaches_sampled_poses_near_the_ready_pose_within_tolerance_and_limits(arm):
    rng = np.random.default_rng(1)
    for _ in range(40):
        T = arm.fk(_sample(arm, rng, spread=0.6))
        result = arm.ik(T)
        assert result.ok, result.detail
        assert result.position_error_m <= IK_POSITION_TOL_M
        assert result.rotation_error_rad <= IK_ROTATION_TOL_RAD
        assert arm.within_limits(result.q)


def test_ik_over_the_whole_joint_space_never_leaves_the_limits(arm):
    rng = np.random.default_rng(2)
    results = [arm.ik(arm.fk(_sample(arm, rng))) for _ in range(60)]
    # Measured 199 of 200 over the whole joint space; the miss says joint_limit.
    assert sum(r.ok for r in results) >= 57
    assert all(arm.within_limits(r.q) for r in results)
    assert all(r.reason in ('', 'joint_limit', 'unreachable') for r in results)


def test_an_unreachable_goal_is_refused_with_a_reason_not_approximated(arm):
    T = arm.fk(READY_QPOS)
    T[:3, 3] += [1.5, 0.0, 0.0]  # beyond the arm's 0.855 m reach
    result = arm.ik(T)
    assert not result.ok and result.reason == 'unreachable'
    assert result.position_error_m > 0.5 and 'unreachable' in result.detail
    assert arm.within_limits(result.q)


def test_ik_from_a_nearby_seed_stays_near_it(arm):
    q0 = np.asarray(READY_QPOS)
    T = arm.fk(q0)
    T[:3, 3] += [0.0, 0.0, 0.01]  # one centimetre up
    result = arm.ik(T, q_seed=q0)
    assert result.ok and np.abs(result.q - q0).max() < 0.1


def test_position_drives_hold_the_arm_and_follow_a_joint_target_at_1_khz():
    scene = sapien.Scene([sapien.physx.PhysxCpuSystem()])
    scene.set_timestep(1e-3)
    arm = load_panda(scene)
    for _ in range(300):
        scene.step()
    assert np.abs(arm.arm_qpos() - READY_QPOS).max() < 1e-4  # held, no sag
    target = np.asarray(READY_QPOS) + 0.2
    arm.set_arm_targets(target)
    for _ in range(1000):  # one second of physics
        scene.step()
    # Measured: 1.7 mrad after 0.5 s, 0.1 mrad after 1 s; the TCP within 0.1 mm of FK.
    assert np.abs(arm.arm_qpos() - target).max() < 2e-3
    tcp = arm.articulation.get_links()[arm.tcp_index].entity_pose.to_transformation_matrix()
    assert np.linalg.norm(tcp[:3, 3] - arm.fk(target)[:3, 3]) < 1e-3
    arm.set_arm_targets(np.full(7, 10.0))  # far outside every limit: clipped to them
    for _ in range(2000):
        scene.step()
    assert arm.within_limits(arm.arm_qpos(), tolerance=0.02)
