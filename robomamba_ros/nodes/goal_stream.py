# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The arm goal stream of ``robomamba_node``: a safe target approached in bounded steps.

:class:`GoalStream` holds the safe target (the pregrasp pose the safety layer accepted), the last
goal it streamed and the e-stop. Each :meth:`GoalStream.tick` moves the goal one step toward the
target with :func:`robomamba_ros.geometry.step_toward`, by at most ``max_step_m`` and
``max_step_rad`` (the Franka Cartesian controllers abort on discontinuous goals). A new target
continues from the previous goal while the end effector is within ``restart_m`` of it, else (the
arm was moved by something else, or there is no previous goal) from the end-effector pose. When
no start pose is known the tick is refused with ``no_start_pose``, reported once per target and
tried again on every tick.

The stream builds no messages: the node turns the poses into ``PoseStamped`` and the refusals
into diagnostics. The target, goal and e-stop are guarded by one lock, so predictions (inference
callback group) and ticks, resets and e-stops (the other group) may run concurrently.
"""

import threading

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.nodes import goal_safety


class GoalStream:
    """
    Step a goal pose toward a safe target, at most a bounded distance per tick.

    :param ee_pose: callable ``ee_pose(now_ns) -> (T, failure)``: the end-effector pose (4x4) in
        the goal frame and None, or None and a refusal :class:`~goal_safety.Check` saying why it
        is unknown.
    :param max_step_m: largest goal translation per tick (m).
    :param max_step_rad: largest goal rotation per tick (rad).
    :param restart_m: a new target streams on from the previous goal while the end effector is
        within this distance of it (m).
    """

    def __init__(self, ee_pose, max_step_m, max_step_rad, restart_m):
        self._ee_pose = ee_pose
        self.configure(max_step_m, max_step_rad, restart_m)
        self._lock = threading.Lock()
        self._target = None  # (position, quat_xyzw) the stream walks to
        self._goal = None  # (position, quat_xyzw) last streamed
        self._estop = False
        self._start_refused = False  # no_start_pose already reported for this target
        self._streamed_target = None  # target of the last tick (read by ticks only)

    def configure(self, max_step_m, max_step_rad, restart_m):
        """
        Take new step limits and restart distance (used from the next tick on).

        :param max_step_m: largest goal translation per tick (m).
        :param max_step_rad: largest goal rotation per tick (rad).
        :param restart_m: restart distance of a new target (m).
        """
        self.max_step_m = float(max_step_m)
        self.max_step_rad = float(max_step_rad)
        self.restart_m = float(restart_m)

    @property
    def target(self):
        """Return the safe target ``(position, quat_xyzw)`` or None."""
        with self._lock:
            return self._target

    @property
    def goal(self):
        """Return the last streamed goal ``(position, quat_xyzw)`` or None."""
        with self._lock:
            return self._goal

    @property
    def estop(self):
        """Return True while the e-stop is engaged."""
        with self._lock:
            return self._estop

    def set_target(self, position, quat_xyzw):
        """
        Take a new safe target unless the e-stop is engaged.

        :param position: target position, shape (3,).
        :param quat_xyzw: target orientation.
        :return: True when taken, False when refused for the e-stop.
        """
        with self._lock:
            if self._estop:
                return False
            self._target = (np.asarray(position, np.float64), np.asarray(quat_xyzw, np.float64))
            self._start_refused = False
            return True

    def clear_target(self):
        """Stop streaming toward the target; the last goal stays the start of the next one."""
        with self._lock:
            self._target = None

    def reset(self):
        """Forget the target and the last goal: the next target starts from the EE pose."""
        with self._lock:
            self._target = None
            self._goal = None
            self._start_refused = False

    def set_estop(self, engaged):
        """
        Engage (True) or release (False) the e-stop; engaging forgets the target and the goal.

        :param engaged: the e-stop state.
        :return: True when the state changed.
        """
        engaged = bool(engaged)
        with self._lock:
            changed, self._estop = engaged != self._estop, engaged
            if engaged:
                self._target = None
                self._goal = None
        return changed

    def tick(self, now_ns):
        """
        Move the goal one bounded step toward the target.

        :param now_ns: the node clock (passed to ``ee_pose``).
        :return: ``(goal, refusal)``: the new goal ``(position, quat_xyzw)`` or None (no target,
            e-stop, no start pose), and a ``no_start_pose`` refusal Check the first time per
            target the stream cannot start, else None.
        """
        with self._lock:
            target, goal, estop = self._target, self._goal, self._estop
        if target is None or estop:
            return None, None
        if goal is not None and target is not self._streamed_target:
            # A new target continues from the previous goal while the arm is still near it;
            # after the arm was moved by something else (another controller, a simulator
            # reset) it starts again from where the arm is.
            T, failure = self._ee_pose(now_ns)
            if failure is None and np.linalg.norm(T[:3, 3] - goal[0]) > self.restart_m:
                goal = None
        self._streamed_target = target
        if goal is None:
            goal, refusal = self._start_pose(now_ns)
            if goal is None:
                return None, refusal if self._first_start_refusal() else None
        position, quat, _ = geometry.step_toward(goal[0], goal[1], target[0], target[1],
                                                 self.max_step_m, self.max_step_rad)
        with self._lock:
            if self._target is not target:
                return None, None  # reset, new instruction or e-stop while stepping
            self._goal = (position, quat)
        return (position, quat), None

    def _start_pose(self, now_ns):
        """Return ``(end-effector pose, None)`` or ``(None, no_start_pose refusal)``."""
        T, failure = self._ee_pose(now_ns)
        if failure is not None:
            return None, goal_safety.refused(
                'no_start_pose', f'no end-effector pose and no previous goal to start the goal '
                                 f'stream from ({failure.reason}: {failure.detail})')
        try:
            return geometry.matrix_to_pose(T), None
        except ValueError as exc:
            return None, goal_safety.refused('no_start_pose',
                                             f'end-effector pose is not rigid: {exc}')

    def _first_start_refusal(self):
        """Return True once per target when the stream cannot start (then retries)."""
        with self._lock:
            first, self._start_refused = not self._start_refused, True
        return first
