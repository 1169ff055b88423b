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
sampling (with the Panda, the grasp its layout places the arm for:
:func:`~robomamba_ros.sim.panda_runner.reference_grasp`, a handle for the fingers); the start
pose ``start_distance_m`` further back along ``up`` from the pre-contact pose, shifted
sideways by up to ``start_jitter_m`` and turned by up to ``start_turn_deg``.

A target given upstream (``reset(..., target=(p, up, forward))``, e.g. a pose source's
prediction lifted to the world frame) replaces the sampled label; the start pose is drawn from
the same seeded stream, relative to that target's pre-contact pose. The suction then closes only
when, besides the pose test, its cup (``contact_offset_m`` in front of the hand, where ``p``
is at the contact pose) is within ``attach_tolerance_m`` of the movable part's collision
geometry, as on the SAPIEN bridge: a target off the part cannot grip it. (Sampled labels lie on
the movable part, so the label task keeps the pose test alone and its datasets stay as they
were.) ``reset(..., episode=...)`` acts on an episode already built, such as the rendered scene
a pose source looked at.

Success Conditions
------------------
The pull criterion of :func:`robomamba_ros.sim.success.judge` on the part's motion since the
start (the suction must have held the movable part). The episode terminates once the part has
opened by half its range, or times out after ``max_steps`` control steps. With an upstream
target the failure reason also tells whether the hand touched the object and its movable part
at all (``'no contact'``, ``'missed movable part'``), as the pull primitive reports it.

The sizes, bounds and :class:`~robomamba_ros.tasks.low_level_pull.LowLevelTaskConfig` are the
task spec's (:mod:`robomamba_ros.tasks.low_level_pull`, no SAPIEN).
"""

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import contact_sampling
from robomamba_ros.sim.episode import Episode, episode_rng
from robomamba_ros.sim.episode_runner import EpisodeRunner, RunnerConfig
from robomamba_ros.sim.panda_runner import PandaEpisodeRunner, reference_grasp
from robomamba_ros.tasks.low_level_pull import (
    ACTION_SIZE, ATTACH_THRESHOLD, InteractionConfig, LowLevelTaskConfig, ROTATION_WEIGHT_M)

# Labels are redrawn until pulling along -up opens the part (cosine at least this).
MIN_PULL_ALIGNMENT = 0.7
LABEL_TRIES = 30
# A contact point closer than this counts as the hand touching a body (as the pull primitive).
TOUCH_SEPARATION_M = 2e-3


class LowLevelPullTask:
    """
    The task as a gym-like environment.

    ``reset(category, seed, target=None, episode=None) -> obs`` and
    ``step(action) -> obs, reward, terminated, truncated, info``.

    :param config: a :class:`LowLevelTaskConfig`.
    :param interaction: offsets of the pull (pre-contact, contact, end).
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` to act with the
        simulated Franka Panda (its hand starts at the start pose when the arm reaches it, else
        in the layout's start pose; twists go through its Servo interface, the attach command
        closes its fingers or suction cup), or None for the flying hand.
    """

    def __init__(self, config=None, interaction=None, panda=None):
        self.config = config or LowLevelTaskConfig()
        self.interaction = interaction or InteractionConfig()
        self.panda = panda
        self.episode = None
        self.runner = None

    # ----- episode -----------------------------------------------------------------------------
    def reset(self, category, seed, target=None, episode=None):
        """
        Build the episode of ``(category, seed)`` and place the hand at its start pose.

        :param category: object category name (or an object source, as for
            :class:`~robomamba_ros.sim.episode.Episode`).
        :param seed: non-negative integer.
        :param target: ``(point_world_m (3,), up_world (3,), forward_world (3,))`` given
            upstream, world frame; None draws a pullable label from the episode's geometry (the
            Panda's reference grasp with the Panda).
        :param episode: an :class:`~robomamba_ros.sim.episode.Episode` of ``(category, seed)``
            already built and still in its initial state (e.g. the rendered evaluation scene);
            None builds a fresh one. Either way the physics is the same.
        :return: the first observation, shape (23,), float32.
        :raises ValueError: for a target that is not a finite point with valid axes, or an
            episode of another category or seed.
        :raises RuntimeError: when no contact label can be sampled for this episode (no
            target given).
        """
        c, ic = self.config, self.interaction
        if target is not None:
            target = _parse_target(target)
        if episode is None:
            episode = Episode(category, seed)
        else:
            name = category if isinstance(category, str) else category.name
            if episode.category != name or episode.seed != seed:
                raise ValueError(f'episode is {episode.category} seed {episode.seed}, not '
                                 f'{name} seed {seed}')
        self.episode = ep = episode
        if target is None:
            # The arm stands where its layout can open the part for its reference grasp.
            label = self._pullable_label() if self.panda is None else \
                reference_grasp(ep, self.panda.gripper)
            if label is None:
                raise RuntimeError(f'no pullable contact label for {category} seed {seed}')
            target = (label.point_world_m, label.up_world, label.forward_world)
            self.external_target = False
        else:
            self.external_target = True
        point, up, forward = target
        self.point = np.asarray(point, dtype=np.float64)
        self.up = geometry.gripper_rotation(up, forward)[:, 2]
        self.forward = geometry.gripper_rotation(up, forward)[:, 0]
        axes = (self.point, self.up, self.forward)
        self.pre_contact = geometry.gripper_pose(*axes, ic.approach_offset_m)
        self.contact = geometry.gripper_pose(*axes, ic.contact_offset_m)
        self.pull_end = geometry.gripper_pose(*axes, ic.pull_offset_m)
        rng = episode_rng(ep.category, seed, 'low_level_start')
        back = rng.uniform(*c.start_distance_m)
        side = rng.uniform(-1.0, 1.0, 3)
        side -= side.dot(self.up) * self.up
        turn = rng.normal(size=3)
        turn *= np.deg2rad(c.start_turn_deg) * rng.uniform() / np.linalg.norm(turn)
        start = self.pre_contact.copy()
        start[:3, 3] += -back * self.up + c.start_jitter_m * side / max(np.linalg.norm(side), 1)
        start[:3, :3] = geometry.axis_angle_to_matrix(turn) @ start[:3, :3]
        # The bridge's suction and judge; its limits bound pose goals only (actions are clipped
        # here, to the task's bounds).
        runner_config = RunnerConfig(
            max_linear_mps=c.max_linear_mps, max_angular_radps=c.max_angular_radps,
            contact_offset_m=ic.contact_offset_m, attach_tolerance_m=c.attach_tolerance_m)
        if self.panda is None:
            self.runner = EpisodeRunner(runner_config)
        else:
            self.runner = PandaEpisodeRunner(runner_config, self.panda)
        self.runner.reset(ep, start)
        self.steps = 0
        self.touched_object = self.touched_part = False
        self._contact_ids = (self.runner.hand_entity_ids(), ep.object.entity_ids(),
                             ep.object.movable_entity_ids())
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

    @property
    def q_start(self):
        """Joint position at the start of the episode."""
        return self.runner.q_start

    @property
    def T_link_start(self):
        """Pose of the movable link at the start of the episode, shape (4, 4)."""
        return self.runner.T_link_start

    @property
    def ever_attached(self):
        """True once the suction held the movable part in this episode."""
        return self.runner.ever_attached

    def contact_distance(self):
        """Return the hand's distance to the contact pose (m, plus 0.1 m per rad)."""
        T = self.runner.hand_pose()
        angle = geometry.rotation_angle(T[:3, :3], self.contact[:3, :3])
        return float(np.linalg.norm(self.contact[:3, 3] - T[:3, 3]) + ROTATION_WEIGHT_M * angle)

    def open_fraction(self):
        """Return the part's opening since the start as a fraction of its range (privileged)."""
        return self.runner.open_fraction()

    def observe(self):
        """Return the observation, shape (23,), float32."""
        hand = self.runner.observe()
        T = hand.T_world_gripper
        fingers = float(np.sum(hand.finger_qpos))
        return np.concatenate([
            T[:3, 3], geometry.matrix_to_rot6d(T[:3, :3]), [fingers], self.point, self.up,
            self.forward, [float(hand.holding)], self.point - T[:3, 3]]).astype(np.float32)

    def _try_attach(self):
        c = self.config
        T = self.runner.hand_pose()
        position_error = np.linalg.norm(self.contact[:3, 3] - T[:3, 3])
        angle = np.rad2deg(geometry.rotation_angle(T[:3, :3], self.contact[:3, :3]))
        if position_error > c.attach_tolerance_m or angle > c.attach_tolerance_deg:
            return False
        # Sampled labels lie on the part: the pose test alone, as the datasets were made.
        return self.runner.close_suction(check_reach=self.external_target)[0]

    def _update_touch(self):
        """Record whether the hand touches the object or its movable part (external target)."""
        gripper_ids, object_ids, part_ids = self._contact_ids
        for contact in self.episode.scene.get_contacts():
            ids = [body.entity.per_scene_id for body in contact.bodies]
            if not any(i in gripper_ids for i in ids):
                continue
            other = [i for i in ids if i not in gripper_ids]
            if not other or not any(point.separation < TOUCH_SEPARATION_M
                                    for point in contact.points):
                continue
            self.touched_object |= other[0] in object_ids
            self.touched_part |= other[0] in part_ids

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
        reward = 0.0
        if action[6] > ATTACH_THRESHOLD and not self.runner.holding and self._try_attach():
            reward += 1.0
        elif action[6] < -ATTACH_THRESHOLD:
            self.runner.open_suction()
        opened_before = self.open_fraction()
        self.runner.set_twist(action[:3], action[3:6])
        self.runner.step(self.substeps)
        self.steps += 1
        if self.external_target and not self.touched_part:
            self._update_touch()
        distance = self.contact_distance()
        if not self.ever_attached:
            reward += self._distance - distance
        self._distance = distance
        opened = self.open_fraction()
        reward += 10.0 * (opened - opened_before)
        terminated = opened >= c.open_fraction_done
        truncated = not terminated and self.steps >= c.max_steps
        info = {'open_fraction': opened, 'attached': self.runner.holding}
        if terminated or truncated:
            info['success'] = self.judge().success
        return self.observe(), float(reward), terminated, truncated, info

    def judge(self):
        """
        Return the :class:`~robomamba_ros.sim.success.InteractionResult` so far.

        The success test is the same with and without an upstream target; with one, the touch
        flags (and so the failure reason) come from the hand's contacts, else from the suction.
        """
        touched_object = touched_part = self.ever_attached
        if self.external_target:
            touched_part = self.touched_part or self.ever_attached
            touched_object = self.touched_object or touched_part
        # The target point moves with the part from the start (the bridge's judge follows the
        # point where the suction attached).
        return self.runner.judge(self.runner.contact_at_start(self.point, self.up),
                                 touched_object, touched_part)


def _parse_target(target):
    """Check an upstream ``(point, up, forward)`` and return it as float arrays."""
    try:
        point, up, forward = target
    except (TypeError, ValueError):
        raise ValueError('target must be (point_world_m, up_world, forward_world)') from None
    point = np.asarray(point, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f'target point must be a finite 3-vector, got {point!r}')
    geometry.gripper_rotation(up, forward)  # raises for non-finite, zero or parallel axes
    return point, np.asarray(up, dtype=np.float64), np.asarray(forward, dtype=np.float64)


__all__ = ['LowLevelPullTask']
