# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The simulated Panda's pose and twist interfaces behave like libfranka's and MoveIt Servo's."""

import numpy as np
import pytest

sapien = pytest.importorskip('sapien')

from robomamba_ros.sim.panda import load_panda, READY_QPOS  # noqa: E402
from robomamba_ros.sim.panda_control import (CartesianPoseInterface,  # noqa: E402
                                             ServoTwistInterface)

MS = 1_000_000


class Sim:
    """A physics-only scene with the Panda, stepped at 1 kHz with a clock in ns."""

    def __init__(self, q=READY_QPOS):
        self.scene = sapien.Scene([sapien.physx.PhysxCpuSystem()])
        self.scene.set_timestep(1e-3)
        self.arm = load_panda(self.scene)
        self.arm.articulation.set_qpos(self.arm.full_qpos(q))
        self.arm.set_arm_targets(q)
        self.now_ns = 0

    def run(self, ms, every_ms=None):
        for _ in range(ms):
            self.now_ns += MS
            if every_ms is not None:
                every_ms(self.now_ns)
            self.scene.step()

    def tcp(self):
        return self.arm.fk(self.arm.arm_qpos())


def test_a_stream_of_pose_goals_is_followed_closely_and_comes_to_rest():
    sim = Sim()
    pose = CartesianPoseInterface(sim.arm)
    T = sim.tcp()
    lags = []
    for _ in range(40):  # 4 mm every 20 ms: 0.2 m/s along x
        T = T.copy()
        T[0, 3] += 0.004
        assert pose.command(T, sim.now_ns).status == 'moving'
        sim.run(20, pose.step)
        lags.append(np.linalg.norm(sim.tcp()[:3, 3] - T[:3, 3]))
    assert np.median(lags) < 0.005  # measured 1.9 mm while moving
    sim.run(500, pose.step)
    assert pose.state.status == 'idle'
    assert np.linalg.norm(sim.tcp()[:3, 3] - T[:3, 3]) < 1e-3


def test_a_discontinuous_pose_goal_stops_the_arm_and_says_why():
    sim = Sim()
    pose = CartesianPoseInterface(sim.arm)
    T = sim.tcp()
    pose.command(T, sim.now_ns)
    sim.run(20, pose.step)
    held = sim.arm.arm_qpos()
    jump = T.copy()
    jump[0, 3] += 0.10  # 10 cm in one 20 ms period: 5 m/s
    state = pose.command(jump, sim.now_ns)
    assert state.status == 'stopped' and state.reason == 'discontinuity'
    assert '100.0 mm' in state.detail
    sim.run(300, pose.step)
    assert np.abs(sim.arm.arm_qpos() - held).max() < 1e-3  # the arm stayed where it was
    # Stopped means stopped: even a good goal waits for a reset.
    assert pose.command(T, sim.now_ns).status == 'stopped'
    pose.reset()
    assert pose.command(T, sim.now_ns).status == 'moving'


def test_an_unreachable_pose_goal_stops_with_its_reason():
    sim = Sim()
    pose = CartesianPoseInterface(sim.arm, max_linear_mps=1000.0)  # let the jump through
    far = sim.tcp()
    far[:3, 3] += [1.5, 0.0, 0.0]
    state = pose.command(far, sim.now_ns)
    assert state.status == 'stopped' and state.reason == 'unreachable'


def test_servo_twists_move_the_tcp_and_a_stale_stream_halts_within_the_timeout():
    sim = Sim()
    servo = ServoTwistInterface(sim.arm, timeout_s=0.1)
    start = sim.tcp()[:3, 3]

    def stream(now_ns):
        if now_ns % (10 * MS) == 0:  # 100 Hz twists
            servo.command([0.0, 0.0, 0.05], [0.0, 0.0, 0.0], now_ns)
        servo.step(now_ns, 1e-3)

    sim.run(500, stream)
    moved = sim.tcp()[:3, 3] - start
    assert moved[2] == pytest.approx(0.025, rel=0.1)  # 0.05 m/s for 0.5 s, straight up
    assert np.linalg.norm(moved[:2]) < 1e-3
    sim.run(300, lambda now_ns: servo.step(now_ns, 1e-3))  # the twists stop coming
    assert servo.state.status == 'halted' and servo.state.reason == 'timeout'
    # Halted within the timeout: at most 0.1 s (+ 10 ms since the last twist, + 10 ms for the
    # drives to stop) more at 0.05 m/s.
    after = sim.tcp()[:3, 3]
    assert after[2] - start[2] - moved[2] < 0.05 * 0.12
    sim.run(200, lambda now_ns: servo.step(now_ns, 1e-3))
    assert np.linalg.norm(sim.tcp()[:3, 3] - after) < 2e-4  # and stays


def test_servo_halts_before_a_joint_limit():
    q = np.array(READY_QPOS)
    q[0] = 2.8973 - 0.06  # joint 1 just inside its margin's reach
    sim = Sim(q)
    servo = ServoTwistInterface(sim.arm, limit_margin_rad=0.05)
    # Swing the hand around the base in the direction that turns joint 1 up to its limit.
    p = sim.tcp()[:3, 3]
    tangent = np.cross([0.0, 0.0, 1.0], p)
    tangent = 0.2 * tangent / np.linalg.norm(tangent)

    def stream(now_ns):
        servo.command(tangent, [0.0, 0.0, 0.2], now_ns)
        servo.step(now_ns, 1e-3)

    sim.run(400, stream)
    assert servo.state.status == 'halted' and servo.state.reason == 'joint_limit'
    assert 'panda_joint1' in servo.state.detail
    assert sim.arm.arm_qpos()[0] < 2.8973 - 0.04


def _handle_on_a_stand(sim, mass_kg, friction=1.0):
    """Put a 30 mm wide bar between the open fingers, resting on a stand."""
    p = sim.tcp()[:3, 3]
    material = sim.scene.create_physical_material(friction, friction, 0.0)
    builder = sim.scene.create_actor_builder()
    half = np.array([0.01, 0.015, 0.025])
    builder.add_box_collision(half_size=half, material=material,
                              density=mass_kg / (8 * half.prod()))
    handle = builder.build(name='handle')
    handle.set_pose(sapien.Pose(p + [0.0, 0.0, 0.005]))
    stand = sim.scene.create_actor_builder()
    stand.add_box_collision(half_size=[0.1, 0.1, 0.01])
    stand.build_static(name='stand').set_pose(sapien.Pose(p + [0.0, 0.0, -0.03]))
    return handle


def _grasp_and_lift(sim, handle, force_n=70.0):
    sim.run(200)
    z0 = handle.get_pose().p[2]
    sim.arm.set_gripper(0.0, force_n)
    sim.run(500)
    width = sim.arm.gripper_width()
    servo = ServoTwistInterface(sim.arm)

    def lift(now_ns):
        servo.command([0.0, 0.0, 0.05], [0.0, 0.0, 0.0], now_ns)
        servo.step(now_ns, 1e-3)

    sim.run(1000, lift)  # 5 cm up
    return width, handle.get_pose().p[2] - z0


def test_the_fingers_close_on_a_handle_and_hold_it_by_friction():
    sim = Sim()
    assert sim.arm.gripper_width() == pytest.approx(0.08, abs=1e-3)  # open: 80 mm
    width, lifted = _grasp_and_lift(sim, _handle_on_a_stand(sim, mass_kg=1.0))
    assert width == pytest.approx(0.030, abs=1e-3)  # stopped at the handle's width
    assert lifted == pytest.approx(0.05, abs=0.005)  # came along with the hand


def test_the_grasp_force_decides_whether_the_handle_slips():
    # A 1 kg handle weighs 9.8 N. Friction 0.75 (pads 1.0, handle 0.5, averaged) holds
    # 2 x 70 N x 0.75 = 105 N at the hand's full force, only 7.5 N at 5 N per finger.
    sim = Sim()
    width, lifted = _grasp_and_lift(sim, _handle_on_a_stand(sim, 1.0, friction=0.5), 5.0)
    assert width == pytest.approx(0.030, abs=1e-3) and lifted < 0.01  # slipped out
    sim = Sim()
    _, lifted = _grasp_and_lift(sim, _handle_on_a_stand(sim, 1.0, friction=0.5), 70.0)
    assert lifted == pytest.approx(0.05, abs=0.005)
    sim.arm.set_gripper(0.5, force_n=500.0)  # beyond the hand: 80 mm and 70 N
    sim.run(500)
    assert sim.arm.gripper_width() == pytest.approx(0.08, abs=1e-3)
    assert sim.arm.gripper_force_limit() == pytest.approx(70.0)
