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
