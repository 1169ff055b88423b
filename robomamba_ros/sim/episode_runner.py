# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Run one episode: the hand's commands, the suction, and the judge of the pull.

:class:`EpisodeRunner` is what the SAPIEN bridge and ``LowLevelPull-v1``
(:mod:`robomamba_ros.sim.low_level_task`) share, so a hand driven through ROS topics and a hand
driven by the task's actions attach and are judged alike. It holds an
:class:`~robomamba_ros.sim.episode.Episode` and

* the start state: the hand placed at a start pose (e.g. :func:`home_pose`), the joint position
  and the movable link's pose at that moment;
* the hand commands: a twist of the hand origin or of the TCP (``panda_hand_tcp``), or a TCP pose
  goal that the TCP's drive target approaches through the one pose rate limiter,
  :func:`robomamba_ros.geometry.step_toward` (the pose form of
  :func:`~robomamba_ros.geometry.step_transform_toward`), by ``max_linear_mps * dt`` and
  ``max_angular_radps * dt`` per physics step: the straight line and the slerp arc that
  robomamba_node's goal stream takes;
* the suction: it closes when its cup (``contact_offset_m`` along the hand's approach axis from
  the hand origin, where the contact point is at the protocol's contact pose) is within
  ``attach_tolerance_m`` of the movable part; the first attach is recorded as a
  :class:`Contact`;
* the judge (:func:`robomamba_ros.sim.success.judge` on the joint motion since the start and the
  motion of a contact point), the opening as a fraction of the range, and the rest test that
  tells when a held part stopped moving.

Time is counted in physics steps (integer nanoseconds), so an end lands on the same step as an
integer clock such as the bridge's.
"""

from dataclasses import dataclass

import numpy as np

import sapien

from robomamba_ros import geometry
from robomamba_ros.sim import success
from robomamba_ros.sim.suction import nearest_movable_part

NS_PER_S = 1_000_000_000
# A held part rests while its joint stays within this fraction of its range and the hand within
# this distance (m) of where they were when the rest began.
SETTLE_RANGE_FRACTION, SETTLE_HAND_M = 0.005, 0.005


@dataclass
class RunnerConfig:
    """
    Limits of the hand commands and of the suction.

    :param max_linear_mps: largest speed of the TCP under twists and pose goals.
    :param max_angular_radps: largest angular speed.
    :param contact_offset_m: suction cup distance from the hand origin along the approach axis.
    :param attach_tolerance_m: the suction closes only this close to the movable part.
    """

    max_linear_mps: float = 0.4
    max_angular_radps: float = 1.5
    contact_offset_m: float = 0.10
    attach_tolerance_m: float = 0.03

    def __post_init__(self):
        for name in ('max_linear_mps', 'max_angular_radps'):
            if not getattr(self, name) > 0.0:
                raise ValueError(f'{name} must be > 0, got {getattr(self, name)!r}')
        for name in ('contact_offset_m', 'attach_tolerance_m'):
            if not getattr(self, name) >= 0.0:
                raise ValueError(f'{name} must be >= 0, got {getattr(self, name)!r}')


@dataclass(frozen=True)
class Contact:
    """
    A point on the movable part, with the link's pose when it was taken and the approach axis.

    :param point_m: contact point in the world, shape (3,).
    :param T_world_link: pose of the movable link at that moment, shape (4, 4).
    :param approach: approach axis (the hand's z), shape (3,); the pull goes along ``-approach``.
    """

    point_m: np.ndarray
    T_world_link: np.ndarray
    approach: np.ndarray


@dataclass(frozen=True)
class HandState:
    """
    What the hand senses.

    :param T_world_gripper: hand (``panda_hand``) pose, shape (4, 4).
    :param finger_qpos: finger joint positions as the simulator gives them, shape (2,).
    :param finger_qvel: finger joint velocities, shape (2,).
    :param holding: True while the suction holds the part.
    """

    T_world_gripper: np.ndarray
    finger_qpos: np.ndarray
    finger_qvel: np.ndarray
    holding: bool

    @property
    def T_world_tcp(self):
        """The TCP (``panda_hand_tcp``) pose, shape (4, 4)."""
        return geometry.gripper_pose_to_tcp(self.T_world_gripper)


def home_pose(center_m, radius_m, camera_position_m, clearance_m):
    """
    Hand pose outside an object's bounding sphere, on the camera side, facing the object.

    :param center_m: object centre, shape (3,).
    :param radius_m: bounding radius.
    :param camera_position_m: camera position, shape (3,).
    :param clearance_m: distance of the hand origin outside the sphere.
    :return: ``T_world_gripper``, approach axis (z) towards the centre, shape (4, 4).
    """
    center = np.asarray(center_m, dtype=np.float64)
    direction = np.asarray(camera_position_m, dtype=np.float64) - center
    direction /= np.linalg.norm(direction)
    position = center + (float(radius_m) + clearance_m) * direction
    up = -direction
    forward = np.array([0.0, 0.0, 1.0])
    if abs(up @ forward) > 0.95:
        forward = np.array([1.0, 0.0, 0.0])
    return geometry.make_transform(geometry.gripper_rotation(up, forward), position)


class EpisodeRunner:
    """
    Drive, attach and judge in one :class:`~robomamba_ros.sim.episode.Episode`.

    ``reset(episode, T_start)``, then commands (:meth:`set_twist`, :meth:`set_tcp_twist`,
    :meth:`set_pose_goal`, :meth:`close_suction`, ...), :meth:`step`, :meth:`observe`,
    :meth:`judge` and :meth:`end_reason`.

    :param config: a :class:`RunnerConfig`.
    """

    def __init__(self, config=None):
        self.config = config or RunnerConfig()
        self.episode = None

    # ----- episode -----------------------------------------------------------------------------
    def reset(self, episode, T_start):
        """
        Take over an episode: place the hand at rest at a start pose and record the start state.

        :param episode: an :class:`~robomamba_ros.sim.episode.Episode`.
        :param T_start: start pose of the hand (gripper frame), shape (4, 4).
        """
        episode.gripper.teleport(T_start)
        episode.gripper.set_fingers(0.0)
        self._start(episode)

    def _start(self, episode):
        """Record the start state of an episode whose hand is in place; clear the commands."""
        self.episode = episode
        self.q_start = episode.object.get_q()
        self.qs_start = episode.object.part_qs()
        self.T_link_start = episode.object.link_pose()
        self.dt_ns = int(round(episode.scene.timestep * NS_PER_S))
        self.steps = 0
        self.attach_record = None
        self._goal = None
        self._twist_mode = False
        # The pose drive's TCP (position, quaternion) in float64 and the drive target as read
        # back after it was set (float32): a different read-back means something else moved the
        # target (a twist, a teleport), and the drive continues from there.
        self._drive = None
        self._still = None  # (since_ns, q, hand position) while the held part rests
        self._picture = self._picture_qpos = None

    @property
    def elapsed_ns(self):
        """Simulated time since :meth:`reset` (ns)."""
        return self.steps * self.dt_ns

    @property
    def ever_attached(self):
        """True once the suction held the movable part in this episode."""
        return self.attach_record is not None

    # ----- commands ----------------------------------------------------------------------------
    def set_twist(self, linear_mps, angular_radps):
        """
        Move the hand origin at a twist (world frame, as given) until the next command.

        :param linear_mps: linear velocity of the hand origin, shape (3,).
        :param angular_radps: angular velocity, shape (3,).
        """
        self.episode.gripper.set_twist(linear_mps, angular_radps)
        self._twist_mode = True

    def set_tcp_twist(self, linear_mps, angular_radps):
        """
        Move the TCP at a twist (world frame), each part clipped to the limits.

        :param linear_mps: linear velocity of the TCP point, shape (3,).
        :param angular_radps: angular velocity, shape (3,).
        """
        gripper = self.episode.gripper
        linear, angular = geometry.tcp_twist_to_gripper(
            geometry.clip_norm(linear_mps, self.config.max_linear_mps),
            geometry.clip_norm(angular_radps, self.config.max_angular_radps),
            gripper.target()[:3, :3])
        self.set_twist(linear, angular)

    def stop_twist(self):
        """End a twist: hold the target where it left it; a pose goal applies again."""
        if self._twist_mode:
            gripper = self.episode.gripper
            gripper.set_target(gripper.target())
            self._twist_mode = False

    def set_pose_goal(self, T_world_tcp):
        """
        Drive the TCP towards a pose at the speed limits (once no twist is in charge).

        :param T_world_tcp: goal pose of the TCP (``panda_hand_tcp``), shape (4, 4).
        """
        self._goal = geometry.matrix_to_pose(T_world_tcp)

    @property
    def pose_goal(self):
        """The TCP pose goal (4, 4), or None."""
        return None if self._goal is None else geometry.pose_to_matrix(*self._goal)

    def drive_target_tcp(self):
        """Return the TCP pose the hand's drive pulls towards, shape (4, 4)."""
        T = self.episode.gripper.target()
        if self._drive is not None and np.array_equal(self._drive[2], T):
            return geometry.pose_to_matrix(self._drive[0], self._drive[1])
        return geometry.gripper_pose_to_tcp(T)

    def _drive_towards_goal(self, dt_s):
        """Move the drive target one physics step towards the goal on the TCP's path."""
        gripper = self.episode.gripper
        T = gripper.target()
        if self._drive is not None and np.array_equal(self._drive[2], T):
            position, quat, _, hand = self._drive  # the path in full precision
        else:
            position, quat = geometry.matrix_to_pose(geometry.gripper_pose_to_tcp(T))
            hand = T[:3, 3]
        c = self.config
        position, quat, _ = geometry.step_toward(position, quat, *self._goal,
                                                 c.max_linear_mps * dt_s,
                                                 c.max_angular_radps * dt_s)
        # Per physics step: the hand origin from the quaternion's z axis directly, and a
        # sapien.Pose without the validating matrix conversions.
        x, y, z, w = quat
        approach = np.array([2.0 * (x * z + w * y), 2.0 * (y * z - w * x),
                             1.0 - 2.0 * (x * x + y * y)])
        hand_new = position - geometry.TCP_OFFSET_M * approach
        # The target's velocity, so the drive's damping does not hold the hand back.
        gripper.set_target_pose(sapien.Pose(hand_new, [w, x, y, z]), (hand_new - hand) / dt_s)
        self._drive = (position, quat, gripper.target(), hand_new)

    def close_suction(self, check_reach=True):
        """
        Close the suction on the movable part nearest the cup, if the cup is close enough to it.

        On an object with several movable parts that may be another part than the instructed
        one: a suction cup grips what it touches (and the judge fails the pull).

        :param check_reach: False closes it wherever the cup is (the caller tested the pose).
        :return: ``(holding, cup distance to the nearest movable part in m)``.
        """
        gripper = self.episode.gripper
        T = gripper.pose()
        cup = T[:3, 3] + self.config.contact_offset_m * T[:3, 2]
        distance, closest, link = nearest_movable_part(self.episode.object, cup)
        if gripper.attached:
            return True, distance
        if check_reach and distance > self.config.attach_tolerance_m:
            return False, distance
        gripper.attach(link)
        if self.attach_record is None:
            self.attach_record = Contact(closest, self.episode.object.link_pose(), T[:3, 2].copy())
        return True, distance

    def open_suction(self):
        """Release the part (nothing happens when the suction holds nothing)."""
        if self.episode.gripper.attached:
            self.episode.gripper.detach()

    @property
    def holding(self):
        """True while the hand holds the movable part."""
        return bool(self.episode.gripper.attached)

    def hand_entity_ids(self):
        """``per_scene_id`` of the hand's bodies (contact checks)."""
        return set(self.episode.gripper.entity_ids())

    def hand_pose(self):
        """Return the hand (``panda_hand``) pose in the world, shape (4, 4)."""
        return self.episode.gripper.pose()

    # ----- simulation --------------------------------------------------------------------------
    def step(self, steps=1):
        """
        Advance the physics, moving the drive target along the twist or towards the pose goal.

        :param steps: number of physics steps.
        """
        gripper = self.episode.gripper
        drive = self._goal is not None and not self._twist_mode
        dt_s = self.dt_ns / NS_PER_S
        for _ in range(int(steps)):
            if drive:
                self._drive_towards_goal(dt_s)
            gripper.step()
        self.steps += int(steps)

    def observe(self):
        """Return the :class:`HandState`."""
        gripper = self.episode.gripper
        return HandState(gripper.pose(), np.array(gripper.articulation.get_qpos()),
                         np.array(gripper.articulation.get_qvel()), bool(gripper.attached))

    def picture(self):
        """Render the object's current state (needs a Vulkan device); again only if it moved."""
        qpos = np.array(self.episode.object.articulation.get_qpos(), dtype=np.float64)
        if self._picture is None or np.max(np.abs(qpos - self._picture_qpos), initial=0.0) > 1e-4:
            self._picture = self.episode.observe()
            self._picture_qpos = qpos
        return self._picture

    # ----- judge -------------------------------------------------------------------------------
    def open_fraction(self):
        """Return the part's opening since the start as a fraction of its range."""
        obj = self.episode.object
        return float((obj.get_q() - self.q_start) / obj.joint_range)

    def contact_at_start(self, point_m, approach):
        """
        Return a :class:`Contact` at a point with the movable link's pose at the start.

        :param point_m: contact point, shape (3,).
        :param approach: approach axis, shape (3,).
        """
        return Contact(np.asarray(point_m, dtype=np.float64), self.T_link_start,
                       np.asarray(approach, dtype=np.float64))

    def judge(self, contact=None, touched_object=None, touched_part=None):
        """
        Judge the pull so far.

        :param contact: the :class:`Contact` whose motion counts (default: where the suction
            first attached; without one, no motion and the hand's current approach axis).
        :param touched_object: whether the hand touched the object (default: ever attached).
        :param touched_part: whether it touched the movable part (default: ever attached).
        :return: a :class:`~robomamba_ros.sim.success.InteractionResult`.
        """
        obj = self.episode.object
        contact = contact if contact is not None else self.attach_record
        if contact is not None:
            motion = success.contact_motion(contact.T_world_link, obj.link_pose(), contact.point_m)
            action = -contact.approach
        else:
            motion = np.zeros(3)
            action = -self.hand_pose()[:3, 2]
        held = self.ever_attached
        other_moved = success.others_moved(self.qs_start, obj.part_qs(), obj.part_ranges(),
                                           obj.target)
        return success.judge(obj.get_q() - self.q_start, obj.joint_range, motion, action,
                             held if touched_object is None else touched_object,
                             held if touched_part is None else touched_part, 'pull',
                             other_moved)

    def settled(self, settle_s):
        """
        Return True once the held part and the hand rested for ``settle_s`` (call once a tick).

        :param settle_s: rest needed (s); 0 never settles.
        """
        if settle_s <= 0.0 or not self.ever_attached:
            return False
        obj = self.episode.object
        q, hand = obj.get_q(), self.hand_pose()[:3, 3]
        still = self._still
        if still is None or abs(q - still[1]) > SETTLE_RANGE_FRACTION * obj.joint_range or \
                np.linalg.norm(hand - still[2]) > SETTLE_HAND_M:
            self._still = (self.elapsed_ns, q, hand)
            return False
        return self.elapsed_ns - still[0] >= settle_s * NS_PER_S

    def end_reason(self, open_fraction_done, settle_s, timeout_s):
        """
        Say whether the episode is over, and why.

        :param open_fraction_done: over once the part opened by this fraction of its range.
        :param settle_s: ... once the held part and the hand rested this long (0: never).
        :param timeout_s: ... once this much time passed since the start.
        :return: ``'opened'``, ``'settled'``, ``'timeout'`` or None.
        """
        if self.open_fraction() >= open_fraction_done:
            return 'opened'
        if self.settled(settle_s):
            return 'settled'
        if self.elapsed_ns >= timeout_s * NS_PER_S:
            return 'timeout'
        return None


__all__ = ['Contact', 'EpisodeRunner', 'HandState', 'RunnerConfig', 'home_pose']
