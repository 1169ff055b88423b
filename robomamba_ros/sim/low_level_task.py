# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
LowLevelPull-v1: drive the flying gripper to a predicted contact, attach, and pull the part open.

Task Description
----------------
The low-level controller a DMM node runs under RoboMamba: from a start pose, move the hand to
the pre-contact pose ``p - 0.15 up`` and the contact pose ``p - 0.10 up`` given upstream
(contact point ``p``, approach axis ``up``, ``forward``), close the suction, and pull to
``p - 0.5 up``. Actions are end-effector twists (world frame, bounded) plus an attach command,
at ``control_hz``; the physics runs at the scene rate in between (physics only, no rendering).

Observation (``OBSERVATION_SIZE`` = 23, what a real robot senses plus the upstream target):
hand position (3, m), hand rotation as 6D (first two matrix columns, 6), finger opening (1, m),
contact point (3, m), up (3), forward (3), suction holding (1, 0 or 1), contact point minus hand
position (3, m). The object's joint state is never observed; the reward uses it.

Action (``ACTION_SIZE`` = 7): linear velocity (3, m/s, within ``max_linear_mps``), angular
velocity (3, rad/s, within ``max_angular_radps``), attach command (1, in [-1, 1]: > 0.5 closes
the suction when the hand is at the contact pose, < -0.5 releases it).

Reward: dense progress towards the contact pose (metres, plus 0.1 m per radian of rotation
error) while not attached, a bonus of 1 when the suction closes, then 10 x the opening gained
as a fraction of the joint range.

Randomizations
--------------
Object, scale and initial joint state per ``(category, seed)`` as in
:class:`~robomamba_ros.sim.episode.Episode`; the contact label from the episode's geometry
sampling; the start pose ``start_distance_m`` further back along ``up`` from the pre-contact
pose, shifted sideways by up to ``start_jitter_m`` and turned by up to ``start_turn_deg``.

Success Conditions
------------------
The pull criterion of :func:`robomamba_ros.sim.success.judge` on the part's motion since the
start (the suction must have held the movable part). The episode terminates once the part has
opened by half its range, or times out after ``max_steps`` control steps.

The sizes, bounds, :class:`LowLevelTaskConfig` and :func:`rotation_log` are defined in
:mod:`robomamba_ros.offline.low_level_spec` (no SAPIEN) and re-exported here.
"""

import numpy as np

from robomamba_ros import geometry
# Re-exported: the task's numbers and pose helpers live where robot code can import them
# without SAPIEN.
from robomamba_ros.offline.low_level_spec import (
    ACTION_SIZE, ATTACH_THRESHOLD, gripper_pose, InteractionConfig, LowLevelTaskConfig,
    OBSERVATION_SIZE, rotation_log, ROTATION_WEIGHT_M, TASK_ID)
from robomamba_ros.sim import contact_sampling, success
from robomamba_ros.sim.episode import Episode, episode_rng

# Labels are redrawn until pulling along -up opens the part (cosine at least this).
MIN_PULL_ALIGNMENT = 0.7
LABEL_TRIES = 30


class LowLevelPullTask:
    """
    The task as a gym-like environment.

    ``reset(category, seed) -> obs`` and ``step(action) -> obs, reward, terminated, truncated,
    info``.

    :param config: a :class:`LowLevelTaskConfig`.
    :param interaction: offsets of the pull (pre-contact, contact, end).
    """

    def __init__(self, config=None, interaction=None):
        self.config = config or LowLevelTaskConfig()
        self.interaction = interaction or InteractionConfig()
        self.episode = None

    # ----- episode -----------------------------------------------------------------------------
    def reset(self, category, seed):
        """
        Build the episode of ``(category, seed)`` and place the hand at its start pose.

        :param category: object category name.
        :param seed: non-negative integer.
        :return: the first observation, shape (23,), float32.
        :raises RuntimeError: when no contact label can be sampled for this episode.
        """
        c, ic = self.config, self.interaction
        self.episode = ep = Episode(category, seed)
        label = self._pullable_label()
        if label is None:
            raise RuntimeError(f'no pullable contact label for {category} seed {seed}')
        self.point = np.asarray(label.point_world_m, dtype=np.float64)
        self.up = geometry.gripper_rotation(label.up_world, label.forward_world)[:, 2]
        self.forward = geometry.gripper_rotation(label.up_world, label.forward_world)[:, 0]
        self.pre_contact = gripper_pose(self.point, self.up, self.forward, ic.approach_offset_m)
        self.contact = gripper_pose(self.point, self.up, self.forward, ic.contact_offset_m)
        self.pull_end = gripper_pose(self.point, self.up, self.forward, ic.pull_offset_m)
        rng = episode_rng(ep.category, seed, 'low_level_start')
        back = rng.uniform(*c.start_distance_m)
        side = rng.uniform(-1.0, 1.0, 3)
        side -= side.dot(self.up) * self.up
        turn = rng.normal(size=3)
        turn *= np.deg2rad(c.start_turn_deg) * rng.uniform() / np.linalg.norm(turn)
        start = self.pre_contact.copy()
        start[:3, 3] += -back * self.up + c.start_jitter_m * side / max(np.linalg.norm(side), 1)
        start[:3, :3] = geometry.axis_angle_to_matrix(turn) @ start[:3, :3]
        ep.gripper.teleport(start)
        ep.gripper.set_fingers(0.0)
        self.q_start = ep.object.get_q()
        self.T_link_start = ep.object.link_pose()
        self.steps = 0
        self.ever_attached = False
        self._distance = self.contact_distance()
        self.substeps = max(1, int(round(1.0 / (c.control_hz * ep.scene.timestep))))
        return self.observe()

    def _pullable_label(self):
        """Draw labels until one faces the part's opening direction (upstream's job)."""
        ep = self.episode
        rng = episode_rng(ep.category, ep.seed, 'label')
        for _ in range(LABEL_TRIES):
            label = ep.sample_label(rng)
            if label is None:
                continue
            up = geometry.gripper_rotation(label.up_world, label.forward_world)[:, 2]
            opening = contact_sampling.opening_direction(ep.object, label.point_world_m)
            if float(-up @ opening) >= MIN_PULL_ALIGNMENT:
                return label
        return None

    def contact_distance(self):
        """Return the hand's distance to the contact pose (m, plus 0.1 m per rad)."""
        T = self.episode.gripper.pose()
        angle = np.linalg.norm(rotation_log(self.contact[:3, :3] @ T[:3, :3].T))
        return float(np.linalg.norm(self.contact[:3, 3] - T[:3, 3]) + ROTATION_WEIGHT_M * angle)

    def open_fraction(self):
        """Return the part's opening since the start as a fraction of its range (privileged)."""
        obj = self.episode.object
        return float((obj.get_q() - self.q_start) / obj.joint_range)

    def observe(self):
        """Return the observation, shape (23,), float32."""
        gripper = self.episode.gripper
        T = gripper.pose()
        fingers = float(np.sum(gripper.articulation.get_qpos()))
        return np.concatenate([
            T[:3, 3], geometry.matrix_to_rot6d(T[:3, :3]), [fingers], self.point, self.up,
            self.forward, [float(gripper.attached)], self.point - T[:3, 3]]).astype(np.float32)

    def _try_attach(self):
        c = self.config
        T = self.episode.gripper.pose()
        position_error = np.linalg.norm(self.contact[:3, 3] - T[:3, 3])
        angle = np.rad2deg(np.linalg.norm(rotation_log(self.contact[:3, :3] @ T[:3, :3].T)))
        if position_error <= c.attach_tolerance_m and angle <= c.attach_tolerance_deg:
            self.episode.gripper.attach(self.episode.object.movable_link)
            return True
        return False

    def step(self, action):
        """
        Apply one action for one control period.

        :param action: shape (7,): linear (m/s), angular (rad/s), attach command; clipped to
            the bounds.
        :return: ``(observation, reward, terminated, truncated, info)``; ``info`` holds
            ``success`` (judged at the end of the episode), ``open_fraction`` and ``attached``.
        :raises ValueError: for a wrongly shaped or non-finite action.
        """
        c = self.config
        action = np.asarray(action, dtype=np.float64)
        if action.shape != (ACTION_SIZE,) or not np.all(np.isfinite(action)):
            raise ValueError(f'action must be a finite ({ACTION_SIZE},) array, got {action!r}')
        action = np.clip(action, c.action_low, c.action_high)
        gripper = self.episode.gripper
        reward = 0.0
        if action[6] > ATTACH_THRESHOLD and not gripper.attached and self._try_attach():
            reward += 1.0
            self.ever_attached = True
        elif action[6] < -ATTACH_THRESHOLD and gripper.attached:
            gripper.detach()
        opened_before = self.open_fraction()
        gripper.set_twist(action[:3], action[3:6])
        for _ in range(self.substeps):
            gripper.step()
        self.steps += 1
        distance = self.contact_distance()
        if not self.ever_attached:
            reward += self._distance - distance
        self._distance = distance
        opened = self.open_fraction()
        reward += 10.0 * (opened - opened_before)
        terminated = opened >= c.open_fraction_done
        truncated = not terminated and self.steps >= c.max_steps
        info = {'open_fraction': opened, 'attached': gripper.attached}
        if terminated or truncated:
            info['success'] = self.judge().success
        return self.observe(), float(reward), terminated, truncated, info

    def judge(self):
        """Return the :class:`~robomamba_ros.sim.success.InteractionResult` so far."""
        obj = self.episode.object
        motion = success.contact_motion(self.T_link_start, obj.link_pose(), self.point)
        return success.judge(obj.get_q() - self.q_start, obj.joint_range, motion, -self.up,
                             self.ever_attached, self.ever_attached, 'pull')


__all__ = ['ACTION_SIZE', 'LowLevelPullTask', 'LowLevelTaskConfig', 'OBSERVATION_SIZE',
           'TASK_ID', 'rotation_log']
