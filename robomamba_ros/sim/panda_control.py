# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The simulated Panda's command interfaces, behaving like the real arm's.

* :class:`CartesianPoseInterface`, like libfranka's Cartesian pose interface: each goal of
  ``panda_hand_tcp`` in ``panda_link0`` must be reachable from the previous one within the
  arm's Cartesian velocity limits over the time between them. A jump stops the motion with a
  ``discontinuity`` error (the real arm's reflex), which holds until :meth:`reset`; a goal the
  inverse kinematics cannot reach within the joint limits stops it as ``unreachable`` or
  ``joint_limit``, and one that needs a joint faster than its velocity limit stops it as
  ``joint_velocity`` (libfranka's joint velocity violation).
* :class:`ServoTwistInterface`, like MoveIt Servo's ``delta_twist_cmds``: a TCP twist in
  ``panda_link0`` turned into joint velocities (damped least squares on the Jacobian), halting
  near joint limits and singularities, and when no twist arrived for ``timeout_s``.

Both drive :class:`~robomamba_ros.sim.panda.PandaArm`'s joint position drives, and neither
imports ROS: the bridge turns messages into these calls.
"""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim.panda import ARM_VELOCITY_LIMITS

#: libfranka's Cartesian limits: translation (m/s) and rotation (rad/s) of the end effector.
FRANKA_MAX_LINEAR_MPS = 1.7
FRANKA_MAX_ANGULAR_RADPS = 2.5
_NS_PER_S = 1e9


@dataclass(frozen=True)
class InterfaceState:
    """
    What an interface is doing.

    :param status: ``'idle'``, ``'moving'``, ``'halted'`` (servo: waiting, no error) or
        ``'stopped'`` (an error; the pose interface needs a reset).
    :param reason: ``''`` or why it halted or stopped: ``'discontinuity'``, ``'unreachable'``,
        ``'joint_limit'``, ``'joint_velocity'``, ``'singularity'``, ``'timeout'``.
    :param detail: the same in words.
    """

    status: str = 'idle'
    reason: str = ''
    detail: str = ''


class CartesianPoseInterface:
    """
    Follow TCP pose goals like libfranka's Cartesian pose interface.

    :param arm: the :class:`~robomamba_ros.sim.panda.PandaArm` to drive.
    :param max_linear_mps: fastest TCP translation a goal stream may ask for.
    :param max_angular_radps: fastest TCP rotation a goal stream may ask for.
    :param first_period_s: time allowed for the first goal after a reset, from the measured
        TCP pose (a stream's usual period).
    :param tolerance_m: slack on the translation check (m); rotation gets ``tolerance_m / 0.1``.
    """

    def __init__(self, arm, max_linear_mps=FRANKA_MAX_LINEAR_MPS,
                 max_angular_radps=FRANKA_MAX_ANGULAR_RADPS, first_period_s=0.02,
                 tolerance_m=1e-3):
        self.arm = arm
        self.max_linear_mps = float(max_linear_mps)
        self.max_angular_radps = float(max_angular_radps)
        self.first_period_s = float(first_period_s)
        self.tolerance_m = float(tolerance_m)
        self.state = InterfaceState()
        self._last: Optional[tuple] = None  # the last goal: (T, time in ns, joint positions)
        self._period_s = self.first_period_s

    def reset(self):
        """Clear a stop: the next goal starts again from the measured TCP pose."""
        self.state = InterfaceState()
        self._last = None
        self._period_s = self.first_period_s

    def _stop(self, reason, detail):
        self.state = InterfaceState('stopped', reason, detail)
        self.arm.set_arm_targets(self.arm.arm_qpos())  # hold where the arm is
        return self.state

    def command(self, T_goal, now_ns):
        """
        Take one TCP goal in ``panda_link0``.

        :param T_goal: ``T_link0_tcp`` (4, 4).
        :param now_ns: the goal's time (ns).
        :return: the :class:`InterfaceState` after it (a stopped interface ignores goals).
        """
        if self.state.status == 'stopped':
            return self.state
        T_goal = np.asarray(T_goal, dtype=np.float64)
        if self._last is None:
            T_from, period_s = self.arm.fk(self.arm.arm_qpos()), self.first_period_s
        else:
            T_from, period_s = self._last[0], max(0.0, (now_ns - self._last[1]) / _NS_PER_S)
        step_m = float(np.linalg.norm(T_goal[:3, 3] - T_from[:3, 3]))
        step_rad = geometry.rotation_angle(T_goal[:3, :3], T_from[:3, :3])
        allowed_m = self.max_linear_mps * period_s + self.tolerance_m
        allowed_rad = self.max_angular_radps * period_s + self.tolerance_m / 0.1
        if step_m > allowed_m or step_rad > allowed_rad:
            return self._stop('discontinuity', f'goal jumps {step_m * 1000:.1f} mm and '
                                               f'{np.degrees(step_rad):.1f} deg in '
                                               f'{period_s * 1000:.0f} ms (at most '
                                               f'{allowed_m * 1000:.1f} mm and '
                                               f'{np.degrees(allowed_rad):.1f} deg)')
        q_from = self.arm.arm_qpos() if self._last is None else self._last[2]
        # Only a solution next to the previous one: the arm follows the stream continuously, or
        # stops where the real arm would meet a joint limit on the way.
        result = self.arm.ik(T_goal, q_seed=q_from, continuous=True)
        if not result.ok:
            return self._stop(result.reason, result.detail)
        # The stream's period, averaged: goals that reach the arm 10 ms and then 30 ms apart
        # (transport jitter) come from a 50 Hz stream, not from one twice as fast. A pause is
        # not a period.
        if self._last is not None and period_s < 3.0 * self._period_s:
            self._period_s = 0.7 * self._period_s + 0.3 * period_s
        # The joint velocity that covers this goal step in one period: the drives move with the
        # stream instead of lagging behind it.
        velocity = (result.q - q_from) / self._period_s if self._period_s > 0 else None
        if velocity is not None:
            ratio = np.abs(velocity) / np.asarray(ARM_VELOCITY_LIMITS)
            joint = int(np.argmax(ratio))
            if ratio[joint] > 1.0:
                return self._stop('joint_velocity',
                                  f'panda_joint{joint + 1} would move at '
                                  f'{abs(velocity[joint]):.2f} rad/s (limit '
                                  f'{ARM_VELOCITY_LIMITS[joint]} rad/s)')
        self.arm.set_arm_targets(result.q, velocity=velocity)
        self._last = (T_goal, int(now_ns), result.q)
        self.state = InterfaceState('moving')
        return self.state

    def step(self, now_ns):
        """
        Let the drives come to rest when the goal stream pauses (call every control period).

        :param now_ns: the time now (ns).
        """
        if (self.state.status == 'moving' and self._last is not None
                and (now_ns - self._last[1]) / _NS_PER_S > 1.5 * self._period_s):
            self.arm.set_arm_targets(self._last[2])  # same target, zero velocity
            self.state = InterfaceState('idle')
        return self.state


class ServoTwistInterface:
    """
    Follow TCP twists like MoveIt Servo, halting near joint limits and singularities.

    As Servo does, the Jacobian's condition number measures the nearness of a singularity: a
    twist that moves towards one slows down linearly from ``lower_singularity_threshold`` and
    halts at ``hard_stop_singularity_threshold``, while a twist that moves away from it runs at
    full speed. Servo's Panda example sets 17 and 30; with those the arm halts at most grasps
    with the hand level in front of a door or drawer, where joints 5 and 7 nearly align
    (condition number 31 at the drawer grasp of ``test_sim_panda_pull``), so the defaults here
    are 40 and 90. Joint velocities above the arm's limits are scaled down together, keeping the
    twist's direction.

    :param arm: the :class:`~robomamba_ros.sim.panda.PandaArm` to drive.
    :param timeout_s: a twist older than this halts the arm (Servo's ``incoming_command_timeout``).
    :param limit_margin_rad: joints closer than this to a limit may only move away from it.
    :param lower_singularity_threshold: condition number where slowing down starts.
    :param hard_stop_singularity_threshold: condition number where the arm halts.
    :param damping: damped least squares factor.
    """

    def __init__(self, arm, timeout_s=0.1, limit_margin_rad=0.05,
                 lower_singularity_threshold=40.0, hard_stop_singularity_threshold=90.0,
                 damping=1e-3):
        if not 1.0 <= lower_singularity_threshold < hard_stop_singularity_threshold:
            raise ValueError('need 1 <= lower_singularity_threshold < '
                             f'hard_stop_singularity_threshold, got {lower_singularity_threshold}'
                             f' and {hard_stop_singularity_threshold}')
        self.arm = arm
        self.timeout_s = float(timeout_s)
        self.limit_margin_rad = float(limit_margin_rad)
        self.lower_singularity_threshold = float(lower_singularity_threshold)
        self.hard_stop_singularity_threshold = float(hard_stop_singularity_threshold)
        self.damping = float(damping)
        self.state = InterfaceState()
        self._twist: Optional[np.ndarray] = None
        self._stamp_ns = 0
        self._target: Optional[np.ndarray] = None  # integrated joint target while moving

    def command(self, linear, angular, now_ns):
        """
        Take one twist of the TCP in ``panda_link0``.

        :param linear: (3,) m/s.
        :param angular: (3,) rad/s.
        :param now_ns: when it arrived (ns).
        """
        self._twist = np.concatenate([np.asarray(linear, float).reshape(3),
                                      np.asarray(angular, float).reshape(3)])
        self._stamp_ns = int(now_ns)

    def _halt(self, reason, detail):
        self.state = InterfaceState('halted', reason, detail)
        self._target = None
        self.arm.set_arm_targets(self.arm.arm_qpos())
        return self.state

    def step(self, now_ns, dt_s):
        """
        Advance the joint targets by one control period.

        :param now_ns: the time now (ns).
        :param dt_s: the control period (s).
        :return: the :class:`InterfaceState`.
        """
        if self._twist is None:
            return self.state
        age_s = (int(now_ns) - self._stamp_ns) / _NS_PER_S
        if age_s > self.timeout_s:
            return self._halt('timeout', f'no twist for {age_s:.3f} s (timeout '
                                         f'{self.timeout_s} s)')
        # Integrate the target, not the measured joints: a position drive lags its target, and
        # restarting from the lagging arm every period would slow the motion down.
        q = self.arm.arm_qpos() if self._target is None else self._target
        J = self.arm.jacobian(q)
        scale = self._singularity_scale(q, J)
        if scale <= 0.0:
            condition = _condition(J)
            return self._halt('singularity', f'moving towards a singularity: Jacobian condition '
                                             f'number {condition:.1f} above '
                                             f'{self.hard_stop_singularity_threshold:g}')
        dq = self._solve(J, scale * self._twist)
        # Joint velocity limits: slow every joint alike, the TCP keeps its direction.
        dq /= max(1.0, float(np.max(np.abs(dq) / np.asarray(ARM_VELOCITY_LIMITS))))
        low, high = self.arm.arm_limits[:, 0], self.arm.arm_limits[:, 1]
        q_next = q + dq * float(dt_s)
        pushing = (((q_next < low + self.limit_margin_rad) & (dq < 0))
                   | ((q_next > high - self.limit_margin_rad) & (dq > 0)))
        if np.any(pushing):
            joint = int(np.flatnonzero(pushing)[0])
            return self._halt('joint_limit', f'panda_joint{joint + 1} at {q[joint]:.3f} rad is '
                                             f'within {self.limit_margin_rad} rad of its limit')
        self._target = q_next
        self.arm.set_arm_targets(q_next, velocity=dq)
        self.state = InterfaceState('moving')
        return self.state

    def _solve(self, J, twist):
        return J.T @ np.linalg.solve(J @ J.T + self.damping * np.eye(6), twist)

    def _singularity_scale(self, q, J):
        """Return the twist's speed factor near a singularity: 1, less, or 0 to halt."""
        U, singular, _ = np.linalg.svd(J)
        condition = singular[0] / max(singular[-1], 1e-12)
        if condition <= self.lower_singularity_threshold:
            return 1.0
        # The last left singular vector points along the direction that loses rank; which sign
        # goes towards the singularity, a small step along it tells (as Servo finds out).
        toward = U[:, -1]
        probe = q + self._solve(J, 0.01 * toward)
        if _condition(self.arm.jacobian(probe)) < condition:
            toward = -toward
        if float(toward @ self._twist) <= 0.0:
            return 1.0  # moving away
        span = self.hard_stop_singularity_threshold - self.lower_singularity_threshold
        return max(0.0, 1.0 - (condition - self.lower_singularity_threshold) / span)


def _condition(J):
    singular = np.linalg.svd(J, compute_uv=False)
    return float(singular[0] / max(singular[-1], 1e-12))


__all__ = ['CartesianPoseInterface', 'FRANKA_MAX_ANGULAR_RADPS', 'FRANKA_MAX_LINEAR_MPS',
           'InterfaceState', 'ServoTwistInterface']
