# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Run one episode with the simulated Franka Panda instead of the flying hand.

:class:`PandaEpisodeRunner` has the commands and the judge of
:class:`~robomamba_ros.sim.episode_runner.EpisodeRunner`, so the SAPIEN bridge and
``LowLevelPull-v1`` drive either robot alike; the commands go through the arm's interfaces:

* at :meth:`reset` the flying hand is parked, the Panda is loaded where the scene's layout puts
  it (:func:`~robomamba_ros.sim.panda_layout.plan_base`), in the start pose the layout chose
  (or at a given start pose it can reach), and the physics runs at 1 kHz;
* a TCP pose goal goes to the :class:`~robomamba_ros.sim.panda_control.CartesianPoseInterface`
  (a goal that jumps further than the arm could follow stops it, like libfranka; an
  unreachable one, one beyond a joint limit, or one a joint could only follow faster than its
  velocity limit stops it too), once per goal as a stream sends it;
* a twist goes to the :class:`~robomamba_ros.sim.panda_control.ServoTwistInterface` (halts
  near joint limits and singularities, and when the stream goes stale);
* grasp: with ``gripper='fingers'`` (default) the Franka Hand closes with its grasp force and
  holds the part while both fingers touch it; ``'suction'`` holds it as the flying hand does
  (the protocol's option);
* camera: ``camera='tripod'`` (default) keeps the scene's seeded camera; ``'wrist'`` mounts it on
  ``panda_hand`` (:mod:`~robomamba_ros.sim.wrist_camera`): the arm starts in an observation pose
  the layout plans, ``observe_m`` behind the pre-grasp pose, looking at the reference grasp, and
  :meth:`~PandaEpisodeRunner.picture` renders from where the hand is, the arm included.

The first time the hand holds the part is the episode's contact (as the suction's first
attach). The runner remembers why the arm stopped (:attr:`arm_stop`: ``discontinuity``,
``unreachable``, ``joint_limit``, ``joint_velocity``, ``singularity``) and whether held fingers
lost the part (:attr:`slipped`), which the judge's record carries as ``failure``.
"""

from dataclasses import dataclass, field, replace

import numpy as np

import sapien

from robomamba_ros import geometry
from robomamba_ros.sim import contact_sampling, poses
from robomamba_ros.sim.episode import episode_rng
from robomamba_ros.sim.episode_runner import Contact, EpisodeRunner, HandState, NS_PER_S
from robomamba_ros.sim.panda import BASE_LINK, GRIPPER_FORCE_N, GRIPPER_MAX_WIDTH_M, load_panda
from robomamba_ros.sim.panda_control import CartesianPoseInterface, ServoTwistInterface
from robomamba_ros.sim.panda_layout import (
    arm_touches, lower_floor, PandaLayoutConfig, plan_base, set_base_pose)
from robomamba_ros.sim.renderer import shared_renderer
from robomamba_ros.sim.suction import part_proximity, release_drive
from robomamba_ros.sim.wrist_camera import CAMERA_MOUNTS, wrist_camera_entity_pose

#: The Panda's physics rate (franka's control loop).
PANDA_TIMESTEP_S = 1e-3
GRIPPERS = ('fingers', 'suction')
#: The simulated robots: the protocol's flying hand, or the Panda.
ROBOTS = ('flying_hand', 'panda')
_FINGER_LINKS = ('panda_leftfinger', 'panda_rightfinger')
_HAND_LINKS = _FINGER_LINKS + ('panda_hand', 'panda_hand_tcp')
# Contacts with the part are checked every this many physics steps (they cost a scan).
_HOLD_CHECK_STEPS = 10
_TOUCH_SEPARATION_M = 2e-3
# Fingers closed to less than this are closed on nothing.
_MIN_HOLD_WIDTH_M = 0.003
_SUCTION_STIFFNESS, _SUCTION_DAMPING, _SUCTION_FORCE_N = 2e4, 2e3, 200.0


@dataclass
class PandaRunnerConfig:
    """
    How the Panda acts in an episode.

    :param gripper: ``'fingers'`` (the Franka Hand) or ``'suction'`` (the protocol's).
    :param grasp_force_n: the fingers' grasp force (the hand's continuous force at most).
    :param twist_timeout_s: a twist stream older than this halts the arm (Servo's timeout).
    :param layout: where the base stands (:class:`PandaLayoutConfig`).
    :param camera: the RGB-D camera's mount, one of
        :data:`~robomamba_ros.sim.wrist_camera.CAMERA_MOUNTS`.
    :param observe_m: with the wrist camera, how much further back than the pre-grasp pose the
        arm starts, looking at the reference grasp (the layout's ``observe_m``).
    """

    gripper: str = 'fingers'
    grasp_force_n: float = GRIPPER_FORCE_N
    twist_timeout_s: float = 0.1
    layout: PandaLayoutConfig = field(default_factory=PandaLayoutConfig)
    camera: str = 'tripod'
    observe_m: float = 0.3

    def __post_init__(self):
        if self.gripper not in GRIPPERS:
            raise ValueError(f'gripper must be one of {GRIPPERS}, got {self.gripper!r}')
        if not 0.0 < self.grasp_force_n <= GRIPPER_FORCE_N:
            raise ValueError(f'grasp_force_n must be in (0, {GRIPPER_FORCE_N}], got '
                             f'{self.grasp_force_n!r}')
        if not self.twist_timeout_s > 0.0:
            raise ValueError(f'twist_timeout_s must be > 0, got {self.twist_timeout_s!r}')
        if self.camera not in CAMERA_MOUNTS:
            raise ValueError(f'camera must be one of {CAMERA_MOUNTS}, got {self.camera!r}')
        if not self.observe_m > 0.0:
            raise ValueError(f'observe_m must be > 0, got {self.observe_m!r}')

    def layout_config(self):
        """Return the layout's configuration: with the wrist camera, with the observation pose."""
        return replace(self.layout, observe_m=self.observe_m if self.camera == 'wrist' else 0.0)


def reference_grasp(episode, gripper):
    """
    Return the grasp a lab would place the arm for.

    A handle the camera sees for the fingers, else the best-opening of a few labels (as the
    oracle picks), drawn from a stream of the episode's own.

    Call it before the arm is loaded: an arm at the world origin stands inside the object and
    hides parts of it from the visibility checks (the flying hand is parked here for the same
    reason).

    :param episode: an :class:`~robomamba_ros.sim.episode.Episode` in its initial state.
    :param gripper: one of :data:`GRIPPERS`.
    :return: a :class:`~robomamba_ros.sim.contact_sampling.ContactLabel`, or None when no part
        is in view.
    """
    episode.gripper.park()
    label = None
    if gripper == 'fingers':  # the fingers need a handle
        label = contact_sampling.handle_grasp(episode.object, episode.scene, episode.camera)
    rng = episode_rng(episode.category, episode.seed, 'layout')
    return label or contact_sampling.opening_grasp(lambda: episode.sample_label(rng),
                                                   episode.object)


class PandaEpisodeRunner(EpisodeRunner):
    """
    Drive, grasp and judge in one episode with the Panda.

    ``T_world_base`` / ``T_base_world`` hold the base pose of the episode (``BASE_LINK``).

    :param config: a :class:`~robomamba_ros.sim.episode_runner.RunnerConfig` (speed limits of
        twists, the suction cup's offset and reach).
    :param panda_config: a :class:`PandaRunnerConfig`.
    """

    BASE_LINK = BASE_LINK

    def __init__(self, config=None, panda_config=None):
        super().__init__(config)
        self.panda_config = panda_config or PandaRunnerConfig()
        self.arm = None
        self.layout = None
        #: The grasp the arm was placed for (None when no part is in view).
        self.grasp = None

    # ----- episode -----------------------------------------------------------------------------
    def reset(self, episode, T_start=None):
        """
        Take over an episode: park the flying hand, place the arm, record the start state.

        :param episode: an :class:`~robomamba_ros.sim.episode.Episode`.
        :param T_start: a hand (gripper frame) start pose; the arm starts there when it can
            reach it, else in the ready pose (default). The wrist camera's arm starts in the
            layout's observation pose instead.
        """
        episode.gripper.park()
        episode.scene.set_timestep(PANDA_TIMESTEP_S)
        # The reference grasp before the arm is loaded: at the world origin, inside the object,
        # it would hide parts of it from the visibility checks.
        label = self.grasp = reference_grasp(episode, self.panda_config.gripper)
        self.arm = load_panda(episode.scene)
        if label is not None:
            point, up, forward = label.point_world_m, label.up_world, label.forward_world
        else:  # no visible part: face the object's centre from the camera side
            point = episode.object.center_m
            up = point - episode.camera.T_world_camera[:3, 3]
            forward = np.array([0.0, 0.0, 1.0]) if abs(up[2]) < 0.9 * np.linalg.norm(up) \
                else np.array([1.0, 0.0, 0.0])
        arm, obj = self.arm, episode.object
        self.layout = plan_base(arm, point, up, forward, episode.camera.T_world_camera[:3, 3],
                                self.panda_config.layout_config(),
                                touches=lambda T, qs: arm_touches(arm, obj, T, qs))
        set_base_pose(self.arm, self.layout.T_world_base)
        self.arm.articulation.set_qpos(self.arm.full_qpos(self.layout.q_start,
                                                          GRIPPER_MAX_WIDTH_M / 2.0))
        self.arm.set_arm_targets(self.layout.q_start)
        lower_floor(episode.scene, min(0.0, float(self.layout.T_world_base[2, 3])))
        self.T_world_base = self.layout.T_world_base
        self.T_base_world = geometry.invert_transform(self.T_world_base)
        if T_start is not None and not self.wrist_camera:
            T_tcp = self.T_base_world @ geometry.gripper_pose_to_tcp(T_start)
            result = self.arm.ik(T_tcp)
            if result.ok:
                self.arm.articulation.set_qpos(self.arm.full_qpos(result.q, GRIPPER_MAX_WIDTH_M
                                                                  / 2.0))
                self.arm.set_arm_targets(result.q)
        self.pose_interface = CartesianPoseInterface(self.arm)
        self.servo = ServoTwistInterface(self.arm, timeout_s=self.panda_config.twist_timeout_s)
        links = {link.name: link for link in self.arm.articulation.get_links()}
        self._tree = [(joint.child_link, joint.parent_link)
                      for joint in self.arm.articulation.get_joints()
                      if joint.parent_link is not None]
        self._hand_link = links['panda_hand']
        self._finger_ids = {links[name].entity.per_scene_id for name in _FINGER_LINKS}
        self._hand_ids = {links[name].entity.per_scene_id for name in _HAND_LINKS
                          if name in links}
        self._start(episode)
        self._closed = False  # fingers commanded closed
        self._holding = False
        self._suction = None
        self.arm_stop = ''
        self.arm_stop_detail = ''
        self.arm_stop_ns = None  # when the arm stopped (episode time)
        self.hold_ns = None  # when the hand first held the part
        self.slipped = False
        self._camera_hand = None  # the hand pose of the last wrist picture
        if self.wrist_camera:
            # From here on the scene's camera is the one on the hand; the grasp keeps its point
            # and axes, its pixel is where that camera sees it.
            self._follow_hand()
            if label is not None:
                self.grasp = self._seen_from_the_wrist(label)

    # ----- camera ------------------------------------------------------------------------------
    @property
    def wrist_camera(self):
        """True when the RGB-D camera rides on the hand."""
        return self.panda_config.camera == 'wrist'

    def _follow_hand(self):
        """Put the scene's camera where the wrist mount holds it now; return the hand pose."""
        T_world_hand = self.hand_pose()
        self.episode.camera.T_world_entity = wrist_camera_entity_pose(T_world_hand)
        return T_world_hand

    def _seen_from_the_wrist(self, label):
        """Return the label with its pixel in the wrist camera, None when that camera misses it."""
        camera = self.episode.camera
        point_cam = geometry.transform_points(geometry.invert_transform(camera.T_world_camera),
                                              label.point_world_m)
        if point_cam[2] <= camera.config.near_m:
            return None
        u, v = geometry.project(point_cam, camera.K)
        if not (-0.5 <= u < camera.config.width - 0.5 and -0.5 <= v < camera.config.height - 0.5):
            return None
        return replace(label, pixel_uv=(float(u), float(v)))

    def picture(self):
        """
        Render what the camera sees now (needs a Vulkan device); again only when it changed.

        The tripod camera sees the object (the arm is not drawn, as in the protocol's pictures);
        the wrist camera sees it from the hand's pose, with the arm and its fingers.
        """
        if not self.wrist_camera:
            return super().picture()
        T_world_hand = self._follow_hand()
        qpos = np.array(self.episode.object.articulation.get_qpos(), dtype=np.float64)
        if self._picture is not None and self._camera_hand is not None and \
                np.max(np.abs(qpos - self._picture_qpos), initial=0.0) <= 1e-4 and \
                np.max(np.abs(T_world_hand - self._camera_hand)) <= 1e-4:
            return self._picture
        episode, source = self.episode, self.episode.source
        renderer = shared_renderer(episode.config.camera, episode.config.scene)
        self._picture = renderer.capture(
            lambda scene: source.build(scene, episode.seed, render=True), episode.object,
            episode.camera.T_world_entity, episode.camera.K,
            arm=(self.T_world_base, self.arm.articulation.get_qpos()))
        self._picture_qpos, self._camera_hand = qpos, T_world_hand
        return self._picture

    # ----- state -------------------------------------------------------------------------------
    def hand_pose(self):
        """Return the ``panda_hand`` pose in the world, shape (4, 4)."""
        return poses.pose_to_matrix(self._hand_link.entity_pose)

    def hand_entity_ids(self):
        """``per_scene_id`` of the hand's and fingers' links (contact checks)."""
        return set(self._hand_ids)

    @property
    def holding(self):
        """True while the fingers (or the suction) hold the movable part."""
        return self._holding

    @property
    def failure(self):
        """Why the arm failed, if it did: the arm's stop reason, ``slip`` or ``''``."""
        return self.arm_stop or ('slip' if self.slipped else '')

    def joint_state(self):
        """Return the seven arm and two finger joints' positions and velocities, (9,) each."""
        qpos = np.asarray(self.arm.articulation.get_qpos(), dtype=np.float64)
        qvel = np.asarray(self.arm.articulation.get_qvel(), dtype=np.float64)
        index = np.concatenate([self.arm.arm_index, self.arm.finger_index])
        return qpos[index], qvel[index]

    def link_transforms(self):
        """
        Return every link's pose relative to its parent link, as the URDF's TF tree.

        :return: list of ``(parent name, child name, T_parent_child)``.
        """
        out = []
        for link, parent in self._tree:
            T_parent = poses.pose_to_matrix(parent.entity_pose)
            T_link = poses.pose_to_matrix(link.entity_pose)
            out.append((parent.name, link.name, geometry.invert_transform(T_parent) @ T_link))
        return out

    def observe(self):
        """Return the :class:`~robomamba_ros.sim.episode_runner.HandState` of the Panda hand."""
        qpos = np.asarray(self.arm.articulation.get_qpos())
        qvel = np.asarray(self.arm.articulation.get_qvel())
        index = self.arm.finger_index
        return HandState(self.hand_pose(), qpos[index].copy(), qvel[index].copy(), self._holding)

    def _note_stop(self, state):
        if state.status == 'stopped' or (state.status == 'halted' and state.reason != 'timeout'):
            if not self.arm_stop:
                self.arm_stop, self.arm_stop_detail = state.reason, state.detail
                self.arm_stop_ns = self.elapsed_ns

    def witness_picture(self, distance_m=2.8, elevation_deg=30.0, side_deg=60.0):
        """
        Render the arm and the object from a third-person view (a figure, not a robot camera).

        The view looks at a point 0.2 m above the middle between the base and the object's
        centre, from the side (``side_deg`` about the vertical from behind the base) and above.

        :param distance_m: camera distance from that point.
        :param elevation_deg: camera angle above the horizontal.
        :param side_deg: camera azimuth from the base's back, about the vertical.
        :return: an :class:`~robomamba_ros.sim.camera.Observation` (needs a Vulkan device).
        """
        episode = self.episode
        centre = 0.5 * (self.T_world_base[:3, 3] + episode.object.center_m) + [0.0, 0.0, 0.2]
        back = -self.T_world_base[:3, 0]
        turn = np.radians(side_deg)
        c, s = np.cos(turn), np.sin(turn)
        horizontal = np.array([c * back[0] - s * back[1], s * back[0] + c * back[1], 0.0])
        horizontal /= max(np.linalg.norm(horizontal), 1e-9)
        elevation = np.radians(elevation_deg)
        eye = centre + distance_m * (np.cos(elevation) * horizontal +
                                     np.array([0.0, 0.0, np.sin(elevation)]))
        renderer = shared_renderer(episode.config.camera, episode.config.scene)
        source = episode.source
        return renderer.capture(lambda scene: source.build(scene, episode.seed, render=True),
                                episode.object, poses.look_at(eye, centre), episode.camera.K,
                                arm=(self.T_world_base, self.arm.articulation.get_qpos()))

    # ----- commands ----------------------------------------------------------------------------
    def set_pose_goal(self, T_world_tcp):
        """
        Send one TCP goal (world frame) to the Cartesian pose interface (once no twist is on).

        :param T_world_tcp: goal pose of ``panda_hand_tcp``, shape (4, 4).
        """
        self._goal = geometry.matrix_to_pose(T_world_tcp)
        if self._twist_mode:
            return
        state = self.pose_interface.command(self.T_base_world @ np.asarray(T_world_tcp),
                                            self.elapsed_ns)
        self._note_stop(state)

    def drive_target_tcp(self):
        """Return the TCP pose the arm's joint targets put it at, shape (4, 4)."""
        q = np.array([joint.drive_target[0] for joint in
                      (self.arm.joints[i] for i in self.arm.arm_index)], dtype=np.float64)
        return self.T_world_base @ self.arm.fk(q)

    def set_tcp_twist(self, linear_mps, angular_radps):
        """
        Send a TCP twist (world frame) to the Servo interface, each part clipped to the limits.

        :param linear_mps: linear velocity of the TCP point, shape (3,).
        :param angular_radps: angular velocity, shape (3,).
        """
        R = self.T_base_world[:3, :3]
        linear = geometry.clip_norm(linear_mps, self.config.max_linear_mps)
        angular = geometry.clip_norm(angular_radps, self.config.max_angular_radps)
        self.servo.command(R @ linear, R @ angular, self.elapsed_ns)
        self._twist_mode = True

    def set_twist(self, linear_mps, angular_radps):
        """
        Move the hand origin at a twist (world frame): the same motion as a TCP twist.

        :param linear_mps: linear velocity of the hand origin, shape (3,).
        :param angular_radps: angular velocity, shape (3,).
        """
        linear, angular = geometry.gripper_twist_to_tcp(
            np.asarray(linear_mps, dtype=np.float64), np.asarray(angular_radps, dtype=np.float64),
            self.hand_pose()[:3, :3])
        self.set_tcp_twist(linear, angular)

    def stop_twist(self):
        """End a twist: the arm holds where it is; the next pose goal starts a new stream."""
        if self._twist_mode:
            self.arm.set_arm_targets(self.arm.arm_qpos())
            self.servo = ServoTwistInterface(self.arm, timeout_s=self.panda_config.twist_timeout_s)
            if self.pose_interface.state.status != 'stopped':
                self.pose_interface.reset()
            self._twist_mode = False

    def close_suction(self, check_reach=True):
        """
        Grasp: close the fingers (always, as a real hand does), or the suction when in reach.

        :param check_reach: the suction closes only within ``attach_tolerance_m`` of the part.
        :return: ``(holding now, distance of the TCP or suction cup from the movable part)``.
        """
        T = self.hand_pose()
        if self.panda_config.gripper == 'fingers':
            tcp = T[:3, 3] + geometry.TCP_OFFSET_M * T[:3, 2]
            distance, _ = part_proximity(self.episode.object, tcp)
            if not self._closed:
                self.arm.set_gripper(0.0, self.panda_config.grasp_force_n)
                self._closed = True
            return self._holding, distance
        cup = T[:3, 3] + self.config.contact_offset_m * T[:3, 2]
        distance, closest = part_proximity(self.episode.object, cup)
        if self._suction is not None:
            return True, distance
        if check_reach and distance > self.config.attach_tolerance_m:
            return False, distance
        self._attach_suction()
        self._record_contact(closest)
        return True, distance

    def _attach_suction(self):
        link = self.episode.object.movable_link
        T_hand_link = geometry.invert_transform(self.hand_pose()) @ poses.pose_to_matrix(
            link.entity_pose)
        drive = self.episode.scene.create_drive(
            self._hand_link, sapien.Pose(), link,
            poses.matrix_to_pose(geometry.invert_transform(T_hand_link)))
        for axis in ('x', 'y', 'z'):
            getattr(drive, f'set_drive_property_{axis}')(_SUCTION_STIFFNESS, _SUCTION_DAMPING,
                                                         _SUCTION_FORCE_N)
        drive.set_drive_property_slerp(_SUCTION_STIFFNESS / 10.0, _SUCTION_DAMPING / 10.0,
                                       _SUCTION_FORCE_N)
        drive.set_drive_target(sapien.Pose())
        self._suction = drive
        self._holding = True

    def open_suction(self):
        """Release: open the fingers, or the suction."""
        if self.panda_config.gripper == 'fingers':
            if self._closed:
                self.arm.set_gripper(GRIPPER_MAX_WIDTH_M)
                self._closed = False
                self._holding = False
            return
        if self._suction is not None:
            release_drive(self._suction)
            self._suction = None
            self._holding = False

    def _record_contact(self, point_m):
        if self.attach_record is None:
            self.hold_ns = self.elapsed_ns
            self.attach_record = Contact(np.asarray(point_m, dtype=np.float64),
                                         self.episode.object.link_pose(),
                                         self.hand_pose()[:3, 2].copy())

    def _fingers_touching(self):
        """Return the contact points of the fingers on the movable part, per finger link."""
        part_ids = self.episode.object.movable_entity_ids()
        touching = {}
        for contact in self.episode.scene.get_contacts():
            ids = [body.entity.per_scene_id for body in contact.bodies]
            finger = [i for i in ids if i in self._finger_ids]
            if not finger or not any(i in part_ids for i in ids):
                continue
            points = [p.position for p in contact.points if p.separation < _TOUCH_SEPARATION_M]
            if points:
                touching.setdefault(finger[0], []).extend(points)
        return touching

    def _update_hold(self):
        if self.panda_config.gripper != 'fingers' or not self._closed:
            return
        touching = self._fingers_touching()
        holding = len(touching) == 2 and self.arm.gripper_width() > _MIN_HOLD_WIDTH_M
        if holding and not self._holding:
            points = np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1, 3)
                                     for p in touching.values()])
            self._record_contact(points.mean(axis=0))
        elif self._holding and not holding:
            self.slipped = True
        self._holding = holding

    # ----- simulation --------------------------------------------------------------------------
    def step(self, steps=1):
        """
        Advance the physics at 1 kHz, the interfaces updating the joint targets every step.

        :param steps: number of physics steps.
        """
        dt_s = self.dt_ns / NS_PER_S
        scene = self.episode.scene
        for _ in range(int(steps)):
            now_ns = self.elapsed_ns
            if self._twist_mode:
                self._note_stop(self.servo.step(now_ns, dt_s))
            else:
                self.pose_interface.step(now_ns)
            scene.step()
            self.steps += 1
            if self.steps % _HOLD_CHECK_STEPS == 0:
                self._update_hold()


__all__ = ['GRIPPERS', 'PANDA_TIMESTEP_S', 'ROBOTS', 'PandaEpisodeRunner', 'PandaRunnerConfig',
           'reference_grasp']
