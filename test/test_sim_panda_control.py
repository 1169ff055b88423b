# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The simulated Panda's pose and twist interfaces behave like libfranka's and MoveIt Servo's."""

import numpy as np
import pytest

sapien = pytest.importorskip('sapien')

from robomamba_ros.sim.panda import (ARM_VELOCITY_LIMITS, load_panda,  # noqa: E402
                                     READY_QPOS)
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


def test_a_goal_the_joints_could_only_follow_too_fast_stops_the_arm():
    sim = Sim()
    interface = CartesianPoseInterface(sim.arm)
    T = sim.tcp()
    # 30 mm every 20 ms is 1.5 m/s, within the TCP's 1.7 m/s, but not within the joints' limits.
    state = None
    for k in range(1, 6):
        goal = T.copy()
        goal[0, 3] += 0.03 * k
        state = interface.command(goal, sim.now_ns)
        if state.status == 'stopped':
            break
        sim.run(20, interface.step)
    assert state.status == 'stopped' and state.reason == 'joint_velocity'
    assert 'rad/s (limit' in state.detail
    # The same path at 5 mm per 20 ms is followed.
    sim = Sim()
    interface = CartesianPoseInterface(sim.arm)
    for k in range(1, 31):
        goal = T.copy()
        goal[0, 3] += 0.005 * k
        assert interface.command(goal, sim.now_ns).status == 'moving'
        sim.run(20, interface.step)


def _turn_joint6(q6, sign, ms=1000):
    """Servo the TCP as joint 6 alone would move it at 0.3 rad/s; return the state and q6."""
    # The hand level and pointing ahead: joints 5 and 7 align as joint 6 nears 3.33 rad.
    q = np.array([0.0, -0.08, 0.0, -1.84, 0.0, q6, 0.78])
    sim = Sim(q)
    servo = ServoTwistInterface(sim.arm)
    twist = 0.3 * sign * sim.arm.jacobian(q)[:, 5]

    def stream(now_ns):
        servo.command(twist[:3], twist[3:], now_ns)
        servo.step(now_ns, 1e-3)

    sim.run(ms, stream)
    return servo, sim.arm.arm_qpos()[5]


def test_servo_slows_down_towards_a_singularity_and_halts_at_it_but_leaves_it_freely():
    servo, q6_away = _turn_joint6(3.1, -1.0)
    assert servo.state.status == 'moving' and q6_away == pytest.approx(2.8, abs=0.02)
    servo, q6_toward = _turn_joint6(3.1, 1.0)  # slowed down: well short of 0.3 rad
    assert servo.state.status == 'moving' and 3.1 + 0.05 < q6_toward < 3.1 + 0.2
    # At the singularity (condition number 100, above the hard stop): of the two ways along
    # the direction the arm loses, the one into it halts at once, the other one is free.
    q = np.array([0.0, -0.08, 0.0, -1.84, 0.0, 3.33, 0.78])
    states = []
    for sign in (1.0, -1.0):
        sim = Sim(q)
        servo = ServoTwistInterface(sim.arm)
        U, _, _ = np.linalg.svd(sim.arm.jacobian(q))
        twist = 0.05 * sign * U[:, -1]

        def stream(now_ns):
            servo.command(twist[:3], twist[3:], now_ns)
            servo.step(now_ns, 1e-3)

        sim.run(20, stream)
        states.append(servo.state)
    assert sorted(state.reason for state in states) == ['', 'singularity']
    assert any('condition number 100' in state.detail for state in states)


def test_servo_keeps_every_joint_within_its_velocity_limit():
    sim = Sim()
    servo = ServoTwistInterface(sim.arm)
    servo.command([1.7, 0.0, 0.0], [0.0, 0.0, 2.5], sim.now_ns)  # the TCP's own limits
    servo.step(sim.now_ns, 1e-3)
    velocity = np.array([sim.arm.joints[i].drive_velocity_target[0]
                         for i in sim.arm.arm_index])
    assert np.all(np.abs(velocity) <= np.asarray(ARM_VELOCITY_LIMITS) + 1e-9)
    assert np.max(np.abs(velocity) / np.asarray(ARM_VELOCITY_LIMITS)) == pytest.approx(1.0)


def test_servo_singularity_thresholds_are_checked():
    with pytest.raises(ValueError, match='singularity_threshold'):
        ServoTwistInterface(None, lower_singularity_threshold=30.0,
                            hard_stop_singularity_threshold=20.0)


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
