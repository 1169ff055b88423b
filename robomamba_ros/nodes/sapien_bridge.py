# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The SAPIEN bridge: the simulated suite seen through the topics of a RealSense and a Franka hand.

Each episode is one seeded scene of the suite (:class:`~robomamba_ros.sim.episode.Episode`): an
articulated object, a camera around it and the flying hand, which starts at a collision-free
home pose on the camera side of the object. The ``k``-th episode runs the ``k``-th
``(category, scene index)`` pair (scene-major: scene 0 of every category, then scene 1, ...)
with the evaluator's episode seeds (:func:`~robomamba_ros.sim.evaluate.eval_episode_seed`).

Every ``step`` tick (``control_rate_hz``) advances the physics by one control period (lockstep;
or by the elapsed time when ``lockstep`` is false) and publishes ``/clock``, ``/tf``
(world -> TCP, and world -> camera optical frame at camera ticks), ``~/ee_pose``,
``/joint_states`` (finger joints) and ``/gripper/holding``; at ``camera_rate_hz`` (sim time) it
publishes the colour and aligned depth images and the camera info, at that rate also across
episodes (a new episode's first frame comes at the camera's next tick, so frames of two scenes
are a camera period apart). Stamps are sim time, which starts at the first tick's ``now_ns``
and never goes back, also across episodes.

Commands (world frame, TCP = ``panda_hand_tcp``):

* pose goal (PoseStamped of the TCP): the drive target of the TCP moves towards it at most at
  ``max_linear_mps`` / ``max_angular_radps`` per physics step, along the straight line and the
  slerp arc together (:func:`~robomamba_ros.geometry.step_transform_toward`, the rate limiter of
  robomamba_node's goal stream), so a far goal never teleports the hand and a goal stream is
  followed on the path robomamba_node limited it to;
* twist (TwistStamped, velocity of the TCP point): the drive target moves at that twist,
  clipped; a twist older than ``twist_timeout_s`` stops and pose goals apply again;
* grasp (Bool): True closes the suction when its cup (``contact_offset_m`` in front of the
  hand origin, where the contact point is at the protocol's contact pose) is within
  ``attach_tolerance_m`` of the movable part's surface; False releases it.

An episode ends when the part opened by ``open_fraction_done`` of its range, when the suction
has held the part and neither the part nor the hand moved for ``settle_s`` (the pull is over:
``settled``), or after ``episode_timeout_s`` of sim time; its record (JSON,
:func:`~robomamba_ros.sim.success.judge` with the contact point where the suction first
attached) goes to ``~/result`` (latched).
``~/reset`` starts the next episode.

The tripod's pictures draw the object only, so a picture changes only when the object moves: a
camera tick re-renders when the joint positions changed and reuses the last picture otherwise
(the wrist camera's also when the hand moved, the arm drawn too).

The bridge translates between topics and an
:class:`~robomamba_ros.sim.episode_runner.EpisodeRunner`, which owns the hand commands, the
suction, the rest test and the judge (shared with ``LowLevelPull-v1``).

With ``robot: panda`` a Franka Panda replaces the flying hand
(:class:`~robomamba_ros.sim.panda_runner.PandaEpisodeRunner`): the physics runs at 1 kHz, pose
goals (one per tick, the newest) go to its Cartesian pose interface, which stops on a goal that
jumps, twists to its Servo-like interface, grasp closes its fingers (or a suction, ``gripper``);
goals and twists may come in ``world_frame`` or ``base_frame``. It publishes franka_ros2's
surface: ``/joint_states`` (``panda_joint1..7``, ``panda_finger_joint1..2``),
``current_pose_topic`` (the TCP in ``base_frame``), the TF tree of the URDF (world ->
``panda_link0`` -> ... -> ``panda_hand_tcp`` and the fingers); an arm stop goes to
``/diagnostics`` (ERROR) and into the result record (``failure``). Goals and twists stamped before
a new scene's instruction went out (plus a grace period) were meant for the previous scene and
are dropped; a zero twist while no twist stream drives the arm changes nothing (the nodes send
one to stop their own stream), so the pose goals stay in charge. With ``camera_mount: wrist`` the
camera rides on ``panda_hand`` (:mod:`~robomamba_ros.sim.wrist_camera`): each episode starts with
the arm in an observation pose looking at the scene's reference grasp, the pictures follow the
hand (the arm drawn too), and TF carries the mounting, ``panda_hand`` -> ``camera_frame``, instead
of world -> ``camera_frame``.
"""

import dataclasses
from dataclasses import dataclass
import json

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.nodes.core import IN, NodeCore, OUT, Port, Service, Timer
from robomamba_ros.nodes.parameters import parameter
from robomamba_ros.nodes.qos import COMMAND, LATCHED, QosSpec, RELIABLE, SENSOR, VOLATILE
from robomamba_ros.ros.messages import (
    bool_msg_to_bool, encode_depth, make_bool, make_camera_info, make_header, make_joint_state,
    make_pose_stamped, make_string, NS_PER_S, numpy_to_image, pose_stamped_to_numpy,
    twist_stamped_to_numpy)
from robomamba_ros.ros.tf_messages import make_clock, make_tf_message, make_transform_stamped
from robomamba_ros.sim import language
from robomamba_ros.sim.categories import CATEGORIES, resolve_categories, SUITES, V2_CATEGORIES
from robomamba_ros.sim.episode import Episode, episode_rng, suite_episode_config
from robomamba_ros.sim.episode_runner import EpisodeRunner, home_pose, RunnerConfig
from robomamba_ros.sim.evaluate import eval_episode_plan
from robomamba_ros.sim.panda import ARM_JOINTS, FINGER_JOINTS
from robomamba_ros.sim.panda_runner import (
    GRIPPERS, PANDA_TIMESTEP_S, PandaEpisodeRunner, PandaRunnerConfig, ROBOTS)
from robomamba_ros.sim.wrist_camera import CAMERA_MOUNTS, T_HAND_OPTICAL, WRIST_LINK

DEPTH_ENCODINGS = ('32FC1', '16UC1')
# Goals and twists stamped within this long after a new scene's instruction went out may still
# be the previous scene's (the nodes had not received it yet).
_GOAL_GRACE_NS = 50_000_000
#: ``/tf`` as tf2 broadcasters offer it (reliable, deep history).
TF_QOS = QosSpec('tf', RELIABLE, VOLATILE, 100)
_CATEGORY_CHOICES = tuple(CATEGORIES) + tuple(V2_CATEGORIES) + ('seen', 'unseen', 'all')


@dataclass
class SapienBridgeParameters:
    """Parameters of the SAPIEN bridge (defaults: the topics and frames of real users)."""

    world_frame: str = parameter('world', 'Fixed frame of the simulation (goals, twists, TF).')
    robot: str = parameter('flying_hand', "The robot: 'flying_hand' (the where2act protocol's "
                           "suction hand) or 'panda' (a Franka Panda with franka_ros2's "
                           'topics and frames).', choices=ROBOTS, read_only=True)
    gripper: str = parameter('fingers', "The Panda's gripper: 'fingers' (the Franka Hand) or "
                             "'suction'.", choices=GRIPPERS, read_only=True)
    base_frame: str = parameter('panda_link0', "The Panda's base frame (goals and twists may "
                                'also come in it).')
    current_pose_topic: str = parameter('/franka_robot_state_broadcaster/current_pose',
                                        "The Panda's TCP pose in base_frame (PoseStamped).")
    camera_frame: str = parameter('camera_color_optical_frame',
                                  'Optical frame of the colour and aligned depth images.')
    camera_distance_m: tuple = parameter(
        (0.0, 0.0), "The tripod camera's distance from the object centre, (low, high) in metres, "
        "drawn per scene (a lab's RealSense, e.g. 0.6-1.2); (0, 0): the protocol's 4.5-5.5 "
        'bounding radii, the views the shipped RoboMamba was trained on.')
    camera_mount: str = parameter(
        'tripod', "Where the camera stands: 'tripod' (the scene's seeded camera) or 'wrist' "
        "(on the Panda's hand, looking along the approach; robot: panda only).",
        choices=CAMERA_MOUNTS, read_only=True)
    ee_frame: str = parameter('panda_hand_tcp', 'Frame of the hand TCP published on TF.')
    color_topic: str = parameter('/camera/camera/color/image_raw', 'Colour image (rgb8).')
    depth_topic: str = parameter('/camera/camera/aligned_depth_to_color/image_raw',
                                 'Depth aligned to the colour image.')
    camera_info_topic: str = parameter('/camera/camera/color/camera_info',
                                       'Intrinsics, ROS pixel-centre convention.')
    joint_states_topic: str = parameter('/joint_states', 'Joint states (the Panda: seven arm '
                                        'and two finger joints; the flying hand: fingers).')
    ee_pose_topic: str = parameter('~/ee_pose', 'TCP pose in world_frame (PoseStamped).')
    holding_topic: str = parameter('/gripper/holding', 'True while the suction holds a part.')
    result_topic: str = parameter('~/result', 'Episode record as JSON (latched).')
    instruction_topic: str = parameter('/robomamba/instruction',
                                       'Instruction of the episode (latched).')
    goal_topic: str = parameter('/robomamba/goal_pose', 'TCP pose goals (world_frame).')
    twist_topic: str = parameter('/dmm_node/twist', 'TCP twist commands (world_frame).')
    grasp_topic: str = parameter('/dmm_node/grasp', 'Suction command: True close, False open.')
    clock_topic: str = parameter('/clock', 'Simulated clock.')
    publish_clock: bool = parameter(True, 'Publish the sim time on clock_topic.')
    publish_instruction: bool = parameter(True, 'Publish the episode instruction.')
    finger_joint_names: tuple = parameter(('panda_finger_joint1', 'panda_finger_joint2'),
                                          'Names of the two finger joints in joint states.')
    image_width: int = parameter(336, 'Image width (px).', low=16, high=4096)
    image_height: int = parameter(336, 'Image height (px).', low=16, high=4096)
    fov_y_deg: float = parameter(0.0, "Vertical field of view (deg); 0: the suite's (35 for v1, "
                                 '45 for v2).', low=0.0, high=170.0)
    depth_encoding: str = parameter('16UC1', 'Depth encoding: 16UC1 (mm, as a RealSense '
                                    'publishes aligned depth) or 32FC1 (m); 0 = no reading.',
                                    choices=DEPTH_ENCODINGS)
    control_rate_hz: float = parameter(100.0, 'Tick rate of the simulation and state topics.',
                                       low=1.0, high=500.0)
    camera_rate_hz: float = parameter(10.0, 'Camera rate (sim time).', low=0.1, high=100.0)
    lockstep: bool = parameter(True, 'Advance the sim by exactly one period per tick; false: '
                               'follow the elapsed time.')
    real_time_factor: float = parameter(
        1.0, 'Lockstep ticks come this many times faster than the control period of the '
        "bridge's clock (wall time under ROS): simulated seconds per second. Nodes on /clock "
        'follow; the in-process runners keep 1.', low=0.1, high=20.0, read_only=True)
    max_steps_per_tick: int = parameter(50, 'Cap of physics steps per tick when not in '
                                        'lockstep.', low=1, high=10000)
    suite: str = parameter('v1', 'Suite of the episodes: v1 (one movable part per object) or '
                           'v2 (several, the instruction naming one; the flying hand only).',
                           choices=tuple(SUITES), read_only=True)
    categories: tuple = parameter(('seen',), "Categories of the episodes (the suite's names or "
                                  'seen/unseen/all).', choices=_CATEGORY_CHOICES)
    seed: int = parameter(0, 'Evaluation seed (episode seeds as the evaluator draws them).',
                          low=0)
    scenes_per_category: int = parameter(10, 'Scenes per category before the order repeats.',
                                         low=1)
    autostart: bool = parameter(True, 'Start the first episode at the first tick.')
    auto_reset: bool = parameter(False, 'Start the next episode after each result.')
    episode_timeout_s: float = parameter(20.0, 'Sim time before an episode ends unopened.',
                                         low=0.01)
    open_fraction_done: float = parameter(0.5, 'Episode ends once the part opened by this '
                                          'fraction of its range.', low=0.01, high=1.0)
    settle_s: float = parameter(2.0, 'Episode ends once the suction held the part and neither '
                                'the part (by 0.5 % of its range) nor the hand (by 5 mm) moved '
                                'for this long (sim time); 0: never.', low=0.0)
    max_linear_mps: float = parameter(0.4, 'Largest speed of the TCP under twists and of its '
                                      'drive target towards pose goals (per physics step).',
                                      low=0.001)
    max_angular_radps: float = parameter(1.5, 'Largest angular speed under twists and towards '
                                         'pose goals; a goal is approached on the straight '
                                         'line and the slerp arc together.', low=0.001)
    twist_timeout_s: float = parameter(0.25, 'A twist older than this stops the hand.',
                                       low=0.001)
    workspace_radius_m: float = parameter(3.0, 'Pose goals farther than this from the object '
                                          'centre are refused.', low=0.1)
    contact_offset_m: float = parameter(0.10, 'Suction cup distance from the hand origin '
                                        'along the approach axis.', low=0.0, high=0.5)
    attach_tolerance_m: float = parameter(0.03, 'The suction closes only this close to the '
                                          'movable part.', low=0.0, high=0.5)
    home_clearance_m: float = parameter(0.3, 'Home pose: hand origin this far outside the '
                                        "object's bounding sphere.", low=0.15, high=5.0)


class SapienBridgeCore(NodeCore):
    """
    Run the SAPIEN suite behind ROS topics.

    :param params: :class:`SapienBridgeParameters`.
    :param context: the node context.
    :param render: render pictures (needs a Vulkan device); False simulates physics only and
        publishes no images.
    """

    node_name = 'sapien_bridge'
    parameters_class = SapienBridgeParameters

    def __init__(self, params, context, render=True):
        super().__init__(params, context)
        p = params
        if len(p.finger_joint_names) != 2 or len(set(p.finger_joint_names)) != 2:
            raise ValueError('finger_joint_names must be two different names, got '
                             f'{p.finger_joint_names!r}')
        self._render = bool(render)
        self._categories = resolve_categories(p.categories, p.suite)
        distance = tuple(float(x) for x in p.camera_distance_m)
        if len(distance) != 2 or (any(distance) and not 0.0 < distance[0] <= distance[1]):
            raise ValueError('camera_distance_m must be (low, high) metres with 0 < low <= high, '
                             f'or (0, 0), got {p.camera_distance_m!r}')
        if p.suite == 'v2' and p.robot != 'flying_hand':
            raise ValueError("suite 'v2' needs robot 'flying_hand' (the layout of the Panda plans "
                             'for one-part objects)')
        # The suite's camera (its field of view and views), in the image size asked for.
        self._config = suite_episode_config(p.suite)
        self._config.camera = dataclasses.replace(
            self._config.camera, width=p.image_width, height=p.image_height,
            fov_y_deg=p.fov_y_deg or self._config.camera.fov_y_deg,
            distance_range_m=distance if any(distance) else None)
        runner_config = RunnerConfig(
            max_linear_mps=p.max_linear_mps, max_angular_radps=p.max_angular_radps,
            contact_offset_m=p.contact_offset_m, attach_tolerance_m=p.attach_tolerance_m)
        self._panda = p.robot == 'panda'
        if p.camera_mount == 'wrist' and not self._panda:
            raise ValueError("camera_mount 'wrist' needs robot 'panda' (the flying hand has no "
                             'wrist to mount a camera on)')
        self._wrist = p.camera_mount == 'wrist'
        if self._panda:
            self._config.scene.timestep_s = PANDA_TIMESTEP_S  # franka's 1 kHz
            self._runner = PandaEpisodeRunner(runner_config, PandaRunnerConfig(
                gripper=p.gripper, twist_timeout_s=p.twist_timeout_s, camera=p.camera_mount))
        else:
            self._runner = EpisodeRunner(runner_config)
        self._dt_ns = int(round(self._config.scene.timestep_s * NS_PER_S))
        self._substeps = max(1, int(round(1.0 / (p.control_rate_hz *
                                                 self._config.scene.timestep_s))))
        self._period_ns = self._substeps * self._dt_ns
        if abs(self._period_ns - NS_PER_S / p.control_rate_hz) > 0.01 * self._period_ns:
            self.log.warning(f'control_rate_hz {p.control_rate_hz} is not a divisor of the '
                             f'physics rate; ticking every {self._period_ns / 1e6:.3f} ms')
        self._camera_period_ns = int(round(NS_PER_S / p.camera_rate_hz))
        self._last_camera_ns = None
        self._sim_ns = None
        self._last_now_ns = None
        self._carry_ns = 0
        self._start_pending = bool(p.autostart)
        self._episode_index = -1
        self._observation = None
        self._clear_episode_state()

    def _clear_episode_state(self):
        self._goal = None  # the newest pose goal (world frame), applied at the next tick
        # The Panda takes goals stamped from here on (ns): earlier ones were streamed for the
        # previous scene, where the arm stood elsewhere (None: not before the instruction).
        self._goals_from_ns = None
        self._arm_stop_reported = False
        self._twist = None
        self._twist_rx_ns = None
        self._done = False
        self._result = None
        self._next_camera_ns = None
        self._scene_index = None
        self._episode_seed = None
        self._instruction = ''
        self._instruction_pending = False

    # ----- declarations ------------------------------------------------------------------------
    def ports(self):
        """Return the topics of the bridge."""
        p = self.params
        return [
            Port('goal', 'geometry_msgs/msg/PoseStamped', p.goal_topic, COMMAND, IN),
            Port('twist', 'geometry_msgs/msg/TwistStamped', p.twist_topic, COMMAND, IN),
            Port('grasp', 'std_msgs/msg/Bool', p.grasp_topic, COMMAND, IN),
            Port('color', 'sensor_msgs/msg/Image', p.color_topic, SENSOR, OUT),
            Port('depth', 'sensor_msgs/msg/Image', p.depth_topic, SENSOR, OUT),
            Port('camera_info', 'sensor_msgs/msg/CameraInfo', p.camera_info_topic, SENSOR, OUT),
            Port('joint_states', 'sensor_msgs/msg/JointState', p.joint_states_topic, COMMAND,
                 OUT),
            Port('tf', 'tf2_msgs/msg/TFMessage', '/tf', TF_QOS, OUT),
            Port('clock', 'rosgraph_msgs/msg/Clock', p.clock_topic, COMMAND, OUT),
            Port('ee_pose', 'geometry_msgs/msg/PoseStamped', p.ee_pose_topic, COMMAND, OUT),
            Port('holding', 'std_msgs/msg/Bool', p.holding_topic, COMMAND, OUT),
            Port('result', 'std_msgs/msg/String', p.result_topic, LATCHED, OUT),
            Port('instruction', 'std_msgs/msg/String', p.instruction_topic, LATCHED, OUT),
            Port('current_pose', 'geometry_msgs/msg/PoseStamped', p.current_pose_topic, COMMAND,
                 OUT),
            Port('diagnostics', 'diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', COMMAND,
                 OUT),
        ]

    def timers(self):
        """One tick per control period (divided by the real-time factor in lockstep)."""
        factor = self.params.real_time_factor if self.params.lockstep else 1.0
        return [Timer('step', self._period_ns / NS_PER_S / factor)]

    def services(self):
        """``~/reset`` starts the next episode."""
        return [Service('reset', 'std_srvs/srv/Trigger', '~/reset')]

    # ----- read-only state ---------------------------------------------------------------------
    @property
    def runner(self):
        """The :class:`~robomamba_ros.sim.episode_runner.EpisodeRunner` of the episodes."""
        return self._runner

    @property
    def episode(self):
        """The current :class:`~robomamba_ros.sim.episode.Episode` (None before the first)."""
        return self._runner.episode

    @property
    def observation(self):
        """First rendered :class:`~robomamba_ros.sim.camera.Observation` of the episode."""
        return self._observation

    @property
    def episode_index(self):
        """Number of the current episode, from 0 (-1 before the first)."""
        return self._episode_index

    @property
    def done(self):
        """True once the current episode's result is published."""
        return self._done

    @property
    def result(self):
        """The current episode's result record (dict) once done, else None."""
        return self._result

    @property
    def sim_time_ns(self):
        """Sim time (ns) of the last published state, None before the first tick."""
        return self._sim_ns

    @property
    def substeps(self):
        """Physics steps per tick in lockstep."""
        return self._substeps

    def episode_plan(self, k):
        """
        Return the ``(category, scene index, episode seed)`` of episode ``k``.

        :param k: episode number (wraps around after every pair ran once).
        """
        return eval_episode_plan(k, self._categories, self.params.scenes_per_category,
                                 self.params.seed)

    # ----- episodes ----------------------------------------------------------------------------
    def _start_episode(self):
        """Build the next episode (its instruction goes out with its first camera frame)."""
        self._clear_episode_state()
        self._episode_index += 1
        category, scene, seed = self.episode_plan(self._episode_index)
        self._scene_index, self._episode_seed = scene, seed
        episode = Episode(category, seed, config=self._config)
        obj = episode.object
        if self._panda:
            self._runner.reset(episode)  # the arm in franka's ready pose, placed by the layout
        else:
            self._runner.reset(episode, home_pose(obj.center_m, obj.bounding_radius_m,
                                                  episode.camera.T_world_camera[:3, 3],
                                                  self.params.home_clearance_m))
        # The camera keeps its rate across episodes: two frames (of two scenes) are never closer
        # than a camera period, so no synchroniser can pair one scene's colour image with the
        # previous scene's depth.
        self._next_camera_ns = self._sim_ns if self._last_camera_ns is None else \
            max(self._sim_ns, self._last_camera_ns + self._camera_period_ns)
        self._observation = self._runner.picture() if self._render else None
        self._instruction = language.instruction(
            category, obj.part_name, episode_rng(category, seed, 'instruction'), obj.referring)
        self.log.info(f'episode {self._episode_index}: {category} scene {scene} (seed {seed}): '
                      f'{self._instruction}')
        # Announced with the episode's first camera frame, so no node pairs the new instruction
        # with a picture of the previous scene.
        self._instruction_pending = self.params.publish_instruction
        if not self._instruction_pending:
            self._goals_from_ns = self._sim_ns
        return []

    def _describe(self):
        category, scene, seed = self.episode_plan(self._episode_index)
        return f'episode {self._episode_index}: {category} scene {scene} (seed {seed})'

    def open_fraction(self):
        """Return the part's opening since the episode start as a fraction of its range."""
        return self._runner.open_fraction()

    def _finish(self, reason_end):
        runner = self._runner
        attach = runner.attach_record
        record = {
            'episode_index': self._episode_index,
            'category': runner.episode.category,
            'split': runner.episode.split,
            'scene_index': self._scene_index,
            'episode_seed': self._episode_seed,
            'instruction': self._instruction,
            'end': reason_end,
            'open_fraction': runner.open_fraction(),
            'attached': attach is not None,
            'duration_s': runner.elapsed_ns / NS_PER_S,
        }
        record.update(runner.judge().to_dict())
        record['robot'] = self.params.robot
        if len(runner.episode.object.parts) > 1:
            record.update(suite=self.params.suite, referring=runner.episode.object.referring,
                          target_part=runner.episode.object.target)
        if self._panda:
            stop_ns = runner.arm_stop_ns
            record.update(gripper=self.params.gripper, failure=runner.failure,
                          failure_detail=runner.arm_stop_detail,
                          failure_s=None if stop_ns is None else stop_ns / NS_PER_S,
                          first_hold_s=None if runner.hold_ns is None else
                          runner.hold_ns / NS_PER_S,
                          camera_mount=self.params.camera_mount,
                          layout_reachable=bool(runner.layout.reachable),
                          layout_grasp_uv=None if runner.grasp is None else
                          [float(x) for x in runner.grasp.pixel_uv])
        if attach is not None:
            record['contact_point_world_m'] = [float(x) for x in attach.point_m]
        self._result = record
        self._done = True
        self.log.info(f'{self._describe()} ended ({reason_end}): success={record["success"]} '
                      f'{record["reason"]}')
        if self.params.auto_reset:
            self._start_pending = True
        return [('result', make_string(json.dumps(record), self.types))]

    # ----- commands ----------------------------------------------------------------------------
    def on_goal(self, msg, now_ns):
        """Store a TCP pose goal (world frame); refuse bad ones with a warning."""
        try:
            data = pose_stamped_to_numpy(msg)
            T_tcp = geometry.pose_to_matrix(data.position, data.quat_xyzw)
        except ValueError as exc:
            self.warn_throttled(f'pose goal ignored: {exc}', now_ns)
            return []
        if self.episode is None:
            return []
        R_world_frame = self._frame_rotation(data.frame_id)
        if R_world_frame is None:
            self.warn_throttled(f'pose goal ignored: frame_id {data.frame_id!r} is not '
                                f'{self._frames()}', now_ns)
            return []
        if data.frame_id != self.params.world_frame:
            T_tcp = self._runner.T_world_base @ T_tcp
        if self._panda and (self._goals_from_ns is None or data.stamp_ns < self._goals_from_ns):
            return []  # a goal of the previous scene still in flight
        distance = float(np.linalg.norm(T_tcp[:3, 3] - self.episode.object.center_m))
        if distance > self.params.workspace_radius_m:
            self.warn_throttled(f'pose goal ignored: {distance:.2f} m from the object, beyond '
                                f'workspace_radius_m {self.params.workspace_radius_m}', now_ns,
                                key='goal-workspace')
            return []
        # Applied at the next tick: the arm's pose interface takes one goal per control period,
        # as a goal stream sends them, however DDS bunches their arrival.
        self._goal = T_tcp
        return []

    def _frames(self):
        p = self.params
        return f'{p.world_frame!r} or {p.base_frame!r}' if self._panda else repr(p.world_frame)

    def _frame_rotation(self, frame_id):
        """Rotation from a command's frame to the world frame, or None for another frame."""
        if frame_id == self.params.world_frame:
            return np.eye(3)
        if self._panda and frame_id == self.params.base_frame and self.episode is not None:
            return self._runner.T_world_base[:3, :3]
        return None

    def on_twist(self, msg, now_ns):
        """Store a TCP twist (world frame); refuse bad ones with a warning."""
        try:
            data = twist_stamped_to_numpy(msg)
        except ValueError as exc:
            self.warn_throttled(f'twist ignored: {exc}', now_ns)
            return []
        R_world_frame = self._frame_rotation(data.frame_id)
        if R_world_frame is None:
            self.warn_throttled(f'twist ignored: frame_id {data.frame_id!r} is not '
                                f'{self._frames()}', now_ns)
            return []
        if not (np.all(np.isfinite(data.linear)) and np.all(np.isfinite(data.angular))):
            self.warn_throttled('twist ignored: non-finite values', now_ns)
            return []
        if self._panda and (self._goals_from_ns is None or data.stamp_ns < self._goals_from_ns):
            return []  # a twist for the previous scene still in flight
        if self._twist is None and not (np.any(data.linear) or np.any(data.angular)):
            return []  # a stop to an arm that is not servoing: its pose goals keep driving it
        self._twist = (R_world_frame @ data.linear, R_world_frame @ data.angular)
        self._twist_rx_ns = now_ns
        return []

    def on_grasp(self, msg, now_ns):
        """Close the suction near the movable part (True) or release it (False)."""
        close = bool_msg_to_bool(msg)
        if self.episode is None:
            return []
        if not close:
            self._runner.open_suction()
            return []
        if self._runner.holding:
            return []
        holding, distance = self._runner.close_suction()
        if holding:
            return []
        if self._panda and self.params.gripper == 'fingers':  # they close whatever they meet
            self.warn_throttled(f'fingers closed, not holding the part: TCP {distance:.3f} m '
                                'from the movable part', now_ns, key='grasp')
        else:
            self.warn_throttled(f'grasp refused: suction cup {distance:.3f} m from the movable '
                                f'part (tolerance {self.params.attach_tolerance_m} m)', now_ns,
                                key='grasp')
        return []

    def _select_command(self, now_ns):
        """Let a fresh twist drive the hand; once it is stale the pose goal applies again."""
        if self._twist is not None and \
                now_ns - self._twist_rx_ns <= self.params.twist_timeout_s * NS_PER_S:
            self._runner.set_tcp_twist(*self._twist)
        else:
            self._twist = None
            self._runner.stop_twist()

    # ----- ticks -------------------------------------------------------------------------------
    def _steps_this_tick(self, now_ns):
        if self.params.lockstep:
            return self._substeps
        elapsed = max(0, now_ns - self._last_now_ns) + self._carry_ns
        steps = elapsed // self._dt_ns
        self._carry_ns = elapsed - steps * self._dt_ns
        if steps > self.params.max_steps_per_tick:
            steps, self._carry_ns = self.params.max_steps_per_tick, 0
        return int(steps)

    def on_step(self, now_ns):
        """Advance the simulation one tick and publish the state."""
        outputs = []
        if self._sim_ns is None:
            self._sim_ns = int(now_ns)
            self._last_now_ns = int(now_ns)
        else:
            steps = self._steps_this_tick(now_ns)
            self._last_now_ns = int(now_ns)
            if self.episode is not None and steps:
                self._select_command(now_ns)
                if self._goal is not None:
                    self._runner.set_pose_goal(self._goal)
                    self._goal = None
                self._runner.step(steps)
            self._sim_ns += steps * self._dt_ns
        if self._start_pending:
            self._start_pending = False
            outputs += self._start_episode()
        if self.params.publish_clock:
            outputs.append(('clock', make_clock(self._sim_ns, self.types)))
        if self.episode is None:
            return outputs
        outputs += self._state_outputs()
        if not self._done:
            p = self.params
            end = self._runner.end_reason(p.open_fraction_done, p.settle_s, p.episode_timeout_s)
            if end is not None:
                outputs += self._finish(end)
        return outputs

    def _state_outputs(self):
        p, types, stamp = self.params, self.types, self._sim_ns
        hand = self._runner.observe()
        tcp = make_transform_stamped(hand.T_world_tcp, p.world_frame, p.ee_frame, stamp, types)
        outputs = []
        if self._panda:
            transforms = self._arm_transforms(stamp)
            outputs += self._arm_outputs(hand, stamp)
        else:
            transforms = [tcp]
        camera_tick = stamp >= self._next_camera_ns
        if camera_tick:
            self._last_camera_ns = stamp
            self._next_camera_ns += self._camera_period_ns
            if self._next_camera_ns <= stamp:
                self._next_camera_ns = stamp + self._camera_period_ns
            if self._wrist:
                transforms.append(make_transform_stamped(T_HAND_OPTICAL, WRIST_LINK,
                                                         p.camera_frame, stamp, types))
            else:
                transforms.append(make_transform_stamped(self.episode.camera.T_world_camera,
                                                         p.world_frame, p.camera_frame, stamp,
                                                         types))
        outputs.append(('tf', make_tf_message(transforms, types)))
        # The same pose as the TF message (one rotation-to-quaternion conversion per tick).
        t, r = tcp.transform.translation, tcp.transform.rotation
        outputs.append(('ee_pose', make_pose_stamped((t.x, t.y, t.z), (r.x, r.y, r.z, r.w),
                                                     p.world_frame, stamp, types)))
        if not self._panda:
            outputs.append(('joint_states', make_joint_state(
                p.finger_joint_names, np.asarray(hand.finger_qpos, dtype=np.float64),
                np.asarray(hand.finger_qvel, dtype=np.float64), [], stamp, types)))
        outputs.append(('holding', make_bool(hand.holding, types)))
        if camera_tick:
            outputs += self._camera_outputs(stamp)
            if self._instruction_pending:
                self._instruction_pending = False
                self._goals_from_ns = stamp + _GOAL_GRACE_NS
                outputs.append(('instruction', make_string(self._instruction, self.types)))
        return outputs

    def _arm_transforms(self, stamp):
        """TF of the Panda: world -> base, then every link from its parent, as in the URDF."""
        p, types, runner = self.params, self.types, self._runner
        transforms = [make_transform_stamped(runner.T_world_base, p.world_frame, p.base_frame,
                                             stamp, types)]
        for parent, child, T in runner.link_transforms():
            parent = p.base_frame if parent == runner.BASE_LINK else parent
            transforms.append(make_transform_stamped(T, parent, child, stamp, types))
        return transforms

    def _arm_outputs(self, hand, stamp):
        """franka_ros2's state topics of the Panda, and a diagnostic when the arm stopped."""
        p, types, runner = self.params, self.types, self._runner
        qpos, qvel = runner.joint_state()
        T_base_tcp = runner.T_base_world @ hand.T_world_tcp
        position, quat = geometry.matrix_to_pose(T_base_tcp)
        outputs = [
            ('joint_states', make_joint_state(ARM_JOINTS + FINGER_JOINTS, qpos, qvel, [], stamp,
                                              types)),
            ('current_pose', make_pose_stamped(position, quat, p.base_frame, stamp, types)),
        ]
        if runner.failure and not self._arm_stop_reported:
            self._arm_stop_reported = True
            status_cls = types.get('diagnostic_msgs/msg/DiagnosticStatus')
            status = types.new(
                'diagnostic_msgs/msg/DiagnosticStatus', level=status_cls.ERROR,
                name=f'{self.node_name}: panda', hardware_id='panda',
                message=f'arm stopped ({runner.failure}): {runner.arm_stop_detail}',
                values=[types.new('diagnostic_msgs/msg/KeyValue', key='reason',
                                  value=runner.failure)])
            outputs.append(('diagnostics', types.new(
                'diagnostic_msgs/msg/DiagnosticArray', header=make_header('', stamp, types),
                status=[status])))
            self.log.warning(f'{self._describe()}: arm stopped ({runner.failure}): '
                             f'{runner.arm_stop_detail}')
        return outputs

    def _camera_outputs(self, stamp):
        p, types = self.params, self.types
        K = self.episode.camera.K
        outputs = [('camera_info', make_camera_info(K, p.image_width, p.image_height, types,
                                                    p.camera_frame, stamp))]
        if not self._render:
            return outputs
        picture = self._runner.picture()
        depth = encode_depth(picture.depth_m, p.depth_encoding)
        return [('color', numpy_to_image(picture.rgb, 'rgb8', types, stamp, p.camera_frame)),
                ('depth', numpy_to_image(depth, p.depth_encoding, types, stamp, p.camera_frame)),
                *outputs]

    # ----- services ----------------------------------------------------------------------------
    def on_reset(self, request, now_ns):
        """Start the next episode now."""
        if self._sim_ns is None:
            self._sim_ns = int(now_ns)
            self._last_now_ns = int(now_ns)
        self._start_pending = False
        outputs = self._start_episode()
        return {'success': True, 'message': f'started {self._describe()}'}, outputs


__all__ = ['DEPTH_ENCODINGS', 'SapienBridgeCore', 'SapienBridgeParameters']


def main(args=None):
    from robomamba_ros.nodes.rclpy_binding import run_node
    run_node(SapienBridgeCore, args)


if __name__ == '__main__':
    main()
