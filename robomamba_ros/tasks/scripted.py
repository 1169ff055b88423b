# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Scripted controllers of the low-level pull task, reading only the observation.

The expert moves to the pre-contact pose, then to the contact pose, closes the suction and pulls
along ``-up``; the medium one adds action noise, repeats its previous action now and then
(a delayed controller) and aims at a contact pose off by a few centimetres in some episodes;
the perturbed one is the expert hit by disturbances it then recovers from (now and then a few
steps of one random twist, on the way to the contact pose sometimes with the suction closed
early, where it does not grip); the random one draws uniform actions.

No SAPIEN needed: the controllers run on a robot behind ``dmm_node`` as well.
"""

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.tasks.low_level_pull import InteractionConfig

LEVELS = ('expert', 'medium', 'perturbed', 'random')
# Fraction of the remaining error closed per control step.
GAIN = 0.6
# A phase target counts as reached within these tolerances.
REACHED_M, REACHED_RAD = 0.01, np.deg2rad(5.0)
# Close the suction within this distance of the contact pose (the task accepts 3 cm).
ATTACH_M = 0.025
# Perturbed level: chance per step that a disturbance starts, its length (steps, both ends
# included), and the chance that one on the way to the contact pose also closes the suction.
DISTURBANCE_PROBABILITY = 0.05
DISTURBANCE_STEPS = (2, 6)
EARLY_ATTACH_PROBABILITY = 0.5


class ScriptedController:
    """
    Phase-based pose controller emitting (twist, attach) actions.

    :param task_config: the task's
        :class:`~robomamba_ros.tasks.low_level_pull.LowLevelTaskConfig`.
    :param level: one of :data:`LEVELS`.
    :param rng: a ``numpy.random.Generator``.
    :param interaction: pre-contact, contact and pull offsets.
    :param attach_m: close the gripper this near the contact pose (m).
    """

    def __init__(self, task_config, level, rng, interaction=None, attach_m=ATTACH_M):
        if level not in LEVELS:
            raise ValueError(f'level must be one of {LEVELS}, got {level!r}')
        if not attach_m > 0.0:
            raise ValueError(f'attach_m must be > 0, got {attach_m!r}')
        self.task_config, self.level, self.rng = task_config, level, rng
        self.interaction = interaction or InteractionConfig()
        self.attach_m = float(attach_m)
        self.low, self.high = task_config.action_low, task_config.action_high
        self.reset()

    def reset(self):
        """Start a new episode."""
        self.phase = 0
        self.previous = None
        self.aim_offset = np.zeros(3)
        # Perturbed level: steps left of the current disturbance, its twist and whether it
        # closes the suction.
        self.disturbance_steps = 0
        self.disturbance_twist = None
        self.disturbance_attach = False
        if self.level == 'medium' and self.rng.random() < 0.4:
            self.aim_offset = self.rng.normal(0.0, 0.025, 3)

    def _twist_to(self, T, R_target, p_target):
        hz = self.task_config.control_hz
        linear = GAIN * hz * (p_target - T[:3, 3])
        angular = GAIN * hz * geometry.rotation_log(R_target @ T[:3, :3].T)
        return linear, angular

    def __call__(self, observation):
        """
        Return the action for one observation.

        :param observation: shape (23,) as :meth:`LowLevelPullTask.observe` builds it.
        :return: action, shape (7,), float32, within the bounds.
        """
        if self.level == 'random':
            return self.rng.uniform(self.low, self.high).astype(np.float32)
        position, rot6d = observation[:3].astype(np.float64), observation[3:9]
        point, up, forward = observation[10:13], observation[13:16], observation[16:19]
        attached = observation[19] > 0.5
        T = geometry.make_transform(geometry.rot6d_to_matrix(rot6d), position)
        R_target = geometry.gripper_rotation(up, forward)
        aim = point + self.aim_offset
        ic = self.interaction
        offsets = (ic.approach_offset_m, ic.contact_offset_m, ic.pull_offset_m)
        attach = -1.0
        if self.phase < 2:
            p_target = aim - offsets[self.phase] * up
            error = np.linalg.norm(p_target - position)
            angle = np.linalg.norm(geometry.rotation_log(R_target @ T[:3, :3].T))
            if self.phase == 0 and error < REACHED_M and angle < REACHED_RAD:
                self.phase = 1
                p_target = aim - offsets[1] * up
            elif self.phase == 1 and error < self.attach_m and angle < REACHED_RAD:
                # The fingers touch the surface a little before the hand reaches the pose.
                attach = 1.0
        if attached:
            self.phase = 2
        if self.phase == 2:
            attach = 1.0
            p_target = aim - offsets[2] * up
        linear, angular = self._twist_to(T, R_target, p_target)
        action = np.concatenate([linear, angular, [attach]])
        if self.level == 'perturbed':
            action = self._disturb(action, attached)
        if self.level == 'medium':
            if self.previous is not None and self.rng.random() < 0.15:
                action = self.previous
            else:
                action = action + self.rng.normal(0.0, 0.25, 7) * self.high * \
                    np.array([1, 1, 1, 1, 1, 1, 0])
        action = np.clip(action, self.low, self.high).astype(np.float32)
        self.previous = action
        return action

    def _disturb(self, action, attached):
        """Replace the expert's action while a disturbance lasts; start one now and then."""
        if not self.disturbance_steps and self.rng.random() < DISTURBANCE_PROBABILITY:
            low, high = DISTURBANCE_STEPS
            self.disturbance_steps = int(self.rng.integers(low, high + 1))
            self.disturbance_twist = self.rng.uniform(self.low[:6], self.high[:6])
            self.disturbance_attach = self.phase == 1 and not attached and \
                self.rng.random() < EARLY_ATTACH_PROBABILITY
        if not self.disturbance_steps:
            return action
        self.disturbance_steps -= 1
        attach = 1.0 if self.disturbance_attach else action[6]
        return np.concatenate([self.disturbance_twist, [attach]])


__all__ = ['LEVELS', 'ScriptedController']
