# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba_node``: camera and instruction in, a safe end-effector goal out.

Inputs: the colour image, the aligned depth image and the CameraInfo (sensor-data QoS,
approximately synchronised by stamp within ``sync_slop_s``), the instruction (``std_msgs/String``,
latched), questions on ``~/question`` and the e-stop (``std_msgs/Bool``, latched). Colour and depth
arrive raw or, with ``image_transport: compressed`` / ``depth_transport: compressedDepth``, as the
image_transport plugins publish them (:mod:`robomamba_ros.ros.compressed_images`); a payload that
does not decode is refused as ``bad_frame``, like a raw image whose size disagrees.

Intake callbacks only store messages: the synchroniser (:mod:`robomamba_ros.nodes.frame_sync`)
keeps the newest complete frame. Inference runs in the ``inference`` callback group, from the
``infer`` timer: on each new instruction (and, with ``continuous_rate_hz`` > 0, at most that
often on newer frames) it takes the newest frame, refuses it when older than
``max_frame_age_s``, runs the pose source (a RoboMamba folder or an injected policy callable
``policy(rgb, depth_m, K, instruction) -> (pixel_uv, up, forward)``), lifts the pixel with the
robust depth, moves the result to ``base_frame`` through TF and publishes

* ``~/contact_pose`` (PoseStamped): the contact point, orientation = gripper frame (columns
  forward, left, up; the ``panda_hand``/``panda_hand_tcp`` orientation, z = approach axis; with
  ``symmetric_gripper``, of the prediction and its half turn about z the one nearer the end
  effector);
* ``~/pregrasp_pose`` (PoseStamped): the TCP pose ``pregrasp_offset_m`` before the contact along
  the approach axis, same orientation;
* ``~/markers`` (MarkerArray) and ``~/debug_image`` (annotated RGB, also for refusals);
* the arm goal on ``goal_topic``: the pregrasp pose after the safety layer, streamed by the
  ``goal`` timer at ``goal_rate_hz`` (:mod:`robomamba_ros.nodes.goal_stream`) from the current
  end-effector pose (TF ``base_frame`` -> ``ee_frame``) or, while the arm is within
  ``goal_restart_m`` of it, the previous goal, by at most ``max_goal_step_m`` /
  ``max_goal_step_rad`` per tick (the Franka Cartesian controllers abort on discontinuous goals).

The safety layer (:mod:`robomamba_ros.nodes.goal_safety`) refuses a goal when the frame is stale
or broken, the model fails or outputs non-finite numbers, the depth at and around the contact
pixel is invalid, the orientation is not sane for the view, TF is missing or stale, the goal is
outside the workspace box by more than ``workspace_margin_m`` (closer ones are clamped), no start
pose is known, or the e-stop is engaged. Every refusal is logged with its reason and counted on
``/diagnostics``. A refused prediction leaves the previous target in place.

``~/answer`` (String) answers each ``~/question`` about the newest frame with RoboMamba's
language head (text only when no fresh frame exists). ``~/reset`` (Trigger) forgets the target
and the goal stream, so the next goal starts again from the end-effector pose.

Each prediction is timed by stage (:data:`STAGES`, :mod:`robomamba_ros.nodes.latency_profile`):
:attr:`RoboMambaNodeCore.timings` and :meth:`RoboMambaNodeCore.latency_medians_ms`.
"""

from dataclasses import dataclass
import math
import os
import threading

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.nodes import goal_safety
from robomamba_ros.nodes.core import IN, NodeCore, OUT, Port, Service, Timer
from robomamba_ros.nodes.frame_sync import FrameSync
from robomamba_ros.nodes.goal_stream import GoalStream
from robomamba_ros.nodes.latency_profile import LatencyProfile
from robomamba_ros.nodes.parameters import parameter
from robomamba_ros.nodes.qos import COMMAND, LATCHED, SENSOR
from robomamba_ros.ros import compressed_images, messages
from robomamba_ros.ros.messages import NS_PER_S
from robomamba_ros.ros.tf_buffer import TransformUnavailable
from robomamba_ros.ros.visualization import draw_debug_image, make_contact_markers

#: Group of the inference timer (runs concurrently with intake under the rclpy binding).
INFERENCE_GROUP = 'inference'
#: A camera stamp this far behind the newest synchronised one restarts synchronisation.
_JUMP_BACK_NS = NS_PER_S
#: Stages of a prediction timed by :attr:`RoboMambaNodeCore.timings`, in order.
STAGES = ('decode', 'model', 'lift', 'safety', 'publish')
#: Predictions whose timings are kept.
_TIMINGS_KEPT = 1000
#: Refusals that can clear by themselves: the instruction is tried again on the next frame.
RETRY_REASONS = ('tf_missing', 'tf_stale')
#: Colour and depth transports, named as image_transport's plugins name them.
IMAGE_TRANSPORTS = ('raw', 'compressed')
DEPTH_TRANSPORTS = ('raw', 'compressedDepth')


def transport_topic(base_topic, transport):
    """
    Return the topic and message type of one camera stream over an image transport.

    As image_transport does, a compressed stream lives on a subtopic of the base topic named
    after the transport (``/camera/camera/color/image_raw/compressed``).

    :param base_topic: the raw image topic.
    :param transport: ``'raw'``, ``'compressed'`` or ``'compressedDepth'``.
    :return: ``(topic, message type)``.
    """
    if transport == 'raw':
        return base_topic, 'sensor_msgs/msg/Image'
    return f'{base_topic.rstrip("/")}/{transport}', 'sensor_msgs/msg/CompressedImage'


@dataclass
class RoboMambaNodeParameters:
    """Parameters of ``robomamba_node`` (defaults: a real Franka with a RealSense)."""

    image_topic: str = parameter(
        '/camera/camera/color/image_raw',
        'Colour image (rgb8/bgr8/mono8), base topic as realsense2_camera 4.x names it.')
    depth_topic: str = parameter(
        '/camera/camera/aligned_depth_to_color/image_raw',
        'Depth aligned to the colour image (16UC1 mm or 32FC1 m), base topic.')
    camera_info_topic: str = parameter('/camera/camera/color/camera_info',
                                       'CameraInfo of the colour camera.')
    image_transport: str = parameter(
        'raw', "Colour transport: 'raw' (Image on image_topic) or 'compressed' (JPEG/PNG "
        'CompressedImage on image_topic/compressed).', choices=IMAGE_TRANSPORTS)
    depth_transport: str = parameter(
        'raw', "Depth transport: 'raw' (Image on depth_topic) or 'compressedDepth' "
        '(CompressedImage on depth_topic/compressedDepth).', choices=DEPTH_TRANSPORTS)
    instruction_topic: str = parameter('/robomamba/instruction',
                                       'Manipulation instruction (String, latched).')
    estop_topic: str = parameter(
        '/robomamba/estop', 'E-stop (Bool; latched and volatile publishers both heard): True '
        'stops the goal stream.')
    goal_topic: str = parameter('/robomamba/goal_pose',
                                'Arm goal: the safe pregrasp TCP pose (PoseStamped).')
    base_frame: str = parameter('panda_link0', 'Robot base frame of every published pose.')
    ee_frame: str = parameter('panda_hand_tcp', 'End-effector (TCP) frame: start of the goals.')
    model_path: str = parameter(
        '', "Local RoboMamba model folder; '' is the shipped robomamba-sapien-tiny (ignored "
        'when a pose source is injected).')
    device: str = parameter('cpu', "Torch device of the model ('cpu', 'cuda', 'cuda:N').")
    sync_slop_s: float = parameter(
        0.02, 'Largest stamp difference between colour, depth and CameraInfo of one frame (s).',
        low=0.0, high=1.0)
    sync_queue_size: int = parameter(
        5, 'Recent messages kept per camera stream while waiting for partners.', low=1,
        high=100)
    max_frame_age_s: float = parameter(
        0.5, 'Frames older than this are refused for inference (s).', low=0.0, high=60.0)
    instruction_frame_wait_s: float = parameter(
        0.0, 'On a new instruction, wait up to this long for a camera frame taken after it '
        'arrived before taking an older one (s): a simulator reset changes the scene under the '
        'camera; 0 takes the newest frame at once.', low=0.0, high=5.0)
    infer_period_s: float = parameter(
        0.05, 'How often the inference timer looks for work (s).', low=0.001, high=10.0)
    continuous_rate_hz: float = parameter(
        0.0, 'Re-run inference on newer frames at most this often (Hz); 0: only on a new '
        'instruction.', low=0.0, high=100.0)
    depth_window_px: int = parameter(
        5, 'Side of the window around the contact pixel for the robust depth (odd, px).', low=1,
        high=51)
    depth_surface_m: float = parameter(
        0.02, 'The robust depth takes the window readings within this distance of the contact '
        "pixel's own (m), the surface under it rather than the door behind a thin handle; 0: "
        'the whole window.', low=0.0, high=1.0)
    min_valid_depth_fraction: float = parameter(
        0.5, 'Smallest fraction of valid depth readings in that window.', low=0.0, high=1.0)
    min_depth_m: float = parameter(0.05, 'Nearest accepted contact depth (m).', low=0.0)
    max_depth_m: float = parameter(10.0, 'Farthest accepted contact depth (m).', low=0.0)
    max_approach_angle_deg: float = parameter(
        85.0, 'Largest angle between the approach axis and the viewing ray (deg).', low=0.0,
        high=180.0)
    max_surface_angle_deg: float = parameter(
        60.0, 'Largest angle between the approach axis and pushing straight into the surface, '
        'whose normal is fitted to the depth around the contact (deg); 180: no check.',
        low=0.0, high=180.0)
    normal_window_px: int = parameter(
        15, 'Side of the depth window the surface normal is fitted in (odd, px).', low=3,
        high=101)
    tf_max_age_s: float = parameter(
        0.5, 'Dynamic transforms older than this are stale (s); static ones never are.',
        low=0.0, high=60.0)
    pregrasp_offset_m: float = parameter(
        0.15, 'Pregrasp TCP pose distance before the contact along the approach axis (m).',
        low=0.0, high=1.0)
    workspace_min: tuple = parameter(
        (0.15, -0.6, 0.0), 'Lower corner x, y, z of the goal workspace box in base_frame (m).')
    workspace_max: tuple = parameter(
        (0.8, 0.6, 0.8), 'Upper corner x, y, z of the goal workspace box in base_frame (m).')
    workspace_margin_m: float = parameter(
        0.05, 'Goals at most this far outside the box are clamped onto it, farther ones '
        'refused (m).', low=0.0)
    goal_rate_hz: float = parameter(
        50.0, 'Rate of the streamed arm goal (Hz).', low=0.1, high=1000.0)
    max_goal_step_m: float = parameter(
        0.005, 'Largest goal translation per goal tick (m).', low=1e-6, high=1.0)
    max_goal_step_rad: float = parameter(
        0.03, 'Largest goal rotation per goal tick (rad).', low=1e-6, high=math.pi)
    goal_restart_m: float = parameter(
        0.05, 'A new target streams on from the previous goal while the end effector is '
              'within this distance of it, else from the end-effector pose (m).',
        low=0.0, high=10.0)
    symmetric_gripper: bool = parameter(
        True, 'The gripper grasps alike turned half a turn about its approach axis (the Franka '
        "Hand's two fingers, a suction cup): of the two orientations the goal takes the one "
        'nearer the end effector, sparing the wrist up to half a turn.')
    publish_debug_image: bool = parameter(True, 'Publish the annotated image on ~/debug_image.')
    marker_axis_length_m: float = parameter(
        0.1, 'Length of the gripper axes in the markers and the debug image (m).', low=0.0)
    diagnostics_period_s: float = parameter(
        1.0, 'Period of the refusal diagnostics on /diagnostics (s).', low=0.01, high=60.0)
    refusal_warn_window_s: float = parameter(
        5.0, 'Diagnostics are WARN for this long after a refusal, OK otherwise (s).', low=0.0)
    answer_max_new_tokens: int = parameter(
        64, 'Token budget of an answer on ~/answer.', low=1, high=4096)


class RoboMambaNodeCore(NodeCore):
    """
    Predict a contact pose from the camera and stream a safe arm goal toward it.

    :param params: :class:`RoboMambaNodeParameters`.
    :param context: the binding's :class:`~robomamba_ros.nodes.core.NodeContext`.
    :param pose_source: policy callable ``policy(rgb, depth_m, K, instruction) -> (pixel_uv, up,
        forward)`` (see :mod:`robomamba_ros.sim.policies`); None loads ``params.model_path``.
    :param answerer: callable ``answerer(rgb_or_None, question) -> str``; None uses the loaded
        RoboMamba's ``answer`` when a model is loaded, else questions get a warning only.
    :raises ValueError: with no pose source and an empty ``model_path``, or an inverted
        workspace box.
    """

    node_name = 'robomamba_node'
    parameters_class = RoboMambaNodeParameters
    read_only_parameters = ('sync_slop_s', 'sync_queue_size', 'infer_period_s', 'goal_rate_hz',
                            'diagnostics_period_s')

    def __init__(self, params, context, pose_source=None, answerer=None):
        super().__init__(params, context)
        p = self.params
        self.check_parameters(p)
        if pose_source is None:
            model_path = p.model_path
            if not model_path:
                from robomamba_ros.package_files import DEFAULT_ROBOMAMBA, shipped_model
                model_path = str(shipped_model(DEFAULT_ROBOMAMBA))
                self.log.info(f'model_path is empty: using the shipped {DEFAULT_ROBOMAMBA}')
            if not os.path.isdir(model_path):
                raise FileNotFoundError(f'robomamba_node: model_path {model_path!r} is not a '
                                        'folder (a local RoboMamba model folder is required)')
            from robomamba_ros.models.manipulation_policy import load_manipulation_policy
            pose_source = load_manipulation_policy(model_path, device=p.device)
            self.log.info(f'loaded RoboMamba from {model_path} on {p.device}')
            model = getattr(pose_source, 'model', None)
            if answerer is None and model is not None and hasattr(model, 'answer'):
                def answerer(rgb, question, _model=model):
                    return _model.answer(rgb, question,
                                         max_new_tokens=self.params.answer_max_new_tokens)
        if not callable(pose_source):
            raise ValueError(f'robomamba_node: pose_source must be callable, got '
                             f'{type(pose_source).__name__}')
        self.pose_source = pose_source
        self.answerer = answerer
        self.counter = goal_safety.RefusalCounter(
            recent_ns=int(p.refusal_warn_window_s * NS_PER_S))
        # Intake, goal stream, services and parameters run in one callback group, inference in
        # another (the rclpy binding): state both touch is guarded by these locks (the goal
        # stream has its own).
        self._lock = threading.Lock()
        self._counter_lock = threading.Lock()
        self._workspace = (np.asarray(p.workspace_min, float), np.asarray(p.workspace_max, float))
        self._sync = FrameSync(('rgb', 'depth', 'info'), int(round(p.sync_slop_s * NS_PER_S)),
                               p.sync_queue_size, jump_back_ns=_JUMP_BACK_NS)
        self._instruction = None
        self._instruction_serial = 0
        self._instruction_ns = 0  # node time the newest instruction arrived
        self._served_serial = 0
        self._last_frame_serial = 0
        self._next_continuous_ns = 0
        self._stale_refused = None  # (instruction serial, frame serial) already refused
        self._retry_frame_serial = None  # frame of a refusal that may clear: wait for a newer one
        self._infer_refusal = None  # reason of the last prediction's refusal (inference only)
        self._question = None
        # Safe target, last goal and e-stop of the arm goal stream.
        self.goal_stream = GoalStream(self._ee_pose, p.max_goal_step_m, p.max_goal_step_rad,
                                      p.goal_restart_m)
        self.last_result = None  # dict of the last accepted prediction (for tests and tools)
        # Wall-clock milliseconds per stage of each recent prediction (see latency_medians_ms).
        self.profile = LatencyProfile(STAGES, kept=_TIMINGS_KEPT)

    # ----- parameters --------------------------------------------------------------------------
    def check_parameters(self, params):
        """Refuse an inverted workspace box or depth range, and an even depth window."""
        p = params
        low, high = np.asarray(p.workspace_min, float), np.asarray(p.workspace_max, float)
        if low.shape != (3,) or high.shape != (3,) or not np.all(low <= high):
            raise ValueError(f'robomamba_node: workspace_min {list(p.workspace_min)} and '
                             f'workspace_max {list(p.workspace_max)} must be three numbers each '
                             'with min <= max')
        if p.min_depth_m > p.max_depth_m:
            raise ValueError(f'robomamba_node: min_depth_m {p.min_depth_m} > max_depth_m '
                             f'{p.max_depth_m}')
        for name in ('depth_window_px', 'normal_window_px'):
            if getattr(p, name) % 2 == 0:
                raise ValueError(f'robomamba_node: {name} must be odd, got {getattr(p, name)}')

    def parameters_applied(self):
        """Take the new workspace box, goal step limits and diagnostics window."""
        p = self.params
        self._workspace = (np.asarray(p.workspace_min, float), np.asarray(p.workspace_max, float))
        self.goal_stream.configure(p.max_goal_step_m, p.max_goal_step_rad, p.goal_restart_m)
        with self._counter_lock:
            self.counter.recent_ns = int(p.refusal_warn_window_s * NS_PER_S)

    # ----- declaration -------------------------------------------------------------------------
    def ports(self):
        """Return the node's topics."""
        p = self.params
        image_topic, image_type = transport_topic(p.image_topic, p.image_transport)
        depth_topic, depth_type = transport_topic(p.depth_topic, p.depth_transport)
        return (
            Port('image', image_type, image_topic, SENSOR, IN),
            Port('depth', depth_type, depth_topic, SENSOR, IN),
            Port('camera_info', 'sensor_msgs/msg/CameraInfo', p.camera_info_topic, SENSOR, IN),
            Port('instruction', 'std_msgs/msg/String', p.instruction_topic, LATCHED, IN),
            Port('question', 'std_msgs/msg/String', '~/question', COMMAND, IN),
            Port('estop', 'std_msgs/msg/Bool', p.estop_topic, LATCHED, IN),
            # DDS never connects a volatile publisher (a plain `ros2 topic pub`) to a latched
            # subscription; this second one hears every e-stop publisher.
            Port('estop_volatile', 'std_msgs/msg/Bool', p.estop_topic, COMMAND, IN),
            Port('contact_pose', 'geometry_msgs/msg/PoseStamped', '~/contact_pose', COMMAND,
                 OUT),
            Port('pregrasp_pose', 'geometry_msgs/msg/PoseStamped', '~/pregrasp_pose', COMMAND,
                 OUT),
            Port('goal_pose', 'geometry_msgs/msg/PoseStamped', p.goal_topic, COMMAND, OUT),
            Port('markers', 'visualization_msgs/msg/MarkerArray', '~/markers', COMMAND, OUT),
            # Reliable, so that every viewer (reliable or best effort) receives it.
            Port('debug_image', 'sensor_msgs/msg/Image', '~/debug_image', COMMAND, OUT),
            Port('answer', 'std_msgs/msg/String', '~/answer', COMMAND, OUT),
            Port('diagnostics', 'diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', COMMAND,
                 OUT),
        )

    def timers(self):
        """Return the inference, goal-stream and diagnostics timers."""
        p = self.params
        return (
            # A completed frame or a new instruction wakes inference at once (under rclpy).
            Timer('infer', p.infer_period_s, INFERENCE_GROUP,
                  wake_on=('image', 'depth', 'camera_info', 'instruction', 'question')),
            Timer('goal', 1.0 / p.goal_rate_hz),
            Timer('diagnostics', p.diagnostics_period_s),
        )

    def services(self):
        """Return ``~/reset``."""
        return (Service('reset', 'std_srvs/srv/Trigger', '~/reset'),)

    # ----- intake (cheap: store and synchronise only) ------------------------------------------
    def _add_camera(self, name, msg):
        try:
            stamp_ns = messages.time_to_ns(msg.header.stamp)
        except (AttributeError, ValueError) as exc:
            self.log.warning(f'{name} message without a valid stamp ignored: {exc}')
            return
        with self._lock:
            self._sync.add(name, stamp_ns, msg)

    def on_image(self, msg, now_ns):
        """Store a colour image."""
        self._add_camera('rgb', msg)

    def on_depth(self, msg, now_ns):
        """Store a depth image."""
        self._add_camera('depth', msg)

    def on_camera_info(self, msg, now_ns):
        """Store a CameraInfo."""
        self._add_camera('info', msg)

    def on_instruction(self, msg, now_ns):
        """Take a new instruction: inference runs on the next inference tick."""
        text = messages.string_msg_to_str(msg).strip()
        if not text:
            self.log.warning('empty instruction ignored')
            return []
        # The previous target belongs to the previous task: stop streaming towards it (before
        # the new instruction becomes visible to inference, so its target is never cleared).
        self.goal_stream.clear_target()
        with self._lock:
            self._instruction = text
            self._instruction_serial += 1
            self._instruction_ns = int(now_ns)
        self.log.info(f'instruction: {text!r}')
        return []

    def on_question(self, msg, now_ns):
        """Take a question; it is answered on the next inference tick (the newest one wins)."""
        text = messages.string_msg_to_str(msg).strip()
        if text:
            with self._lock:
                self._question = text
        return []

    def on_estop(self, msg, now_ns):
        """Engage (True) or release (False) the e-stop; engaging stops the goal stream."""
        engaged = messages.bool_msg_to_bool(msg)
        if self.goal_stream.set_estop(engaged):
            if engaged:
                self.log.warning('e-stop engaged: goal stream stopped')
            else:
                self.log.info('e-stop released: a new instruction starts the next goal')
        return []

    def on_estop_volatile(self, msg, now_ns):
        """Handle the e-stop from a volatile publisher like :meth:`on_estop`."""
        return self.on_estop(msg, now_ns)

    def on_reset(self, request, now_ns):
        """Forget the target and the goal stream (the next goal starts from the EE pose)."""
        self.goal_stream.reset()
        with self._lock:
            self._served_serial = self._instruction_serial
            self._retry_frame_serial = None
        return {'success': True, 'message': 'target and goal stream cleared'}, []

    # ----- refusals and diagnostics ------------------------------------------------------------
    def _refuse(self, check, now_ns, outputs):
        """Log (at most once a second per reason) and count a refusal; add the diagnostics."""
        self.warn_throttled(f'goal refused ({check.reason}): {check.detail}', now_ns,
                            key=('refused', check.reason))
        with self._counter_lock:
            self.counter.refuse(check.reason, check.detail, now_ns)
        outputs.append(('diagnostics', self._diagnostics_msg(now_ns)))
        return outputs

    def _diagnostics_msg(self, now_ns):
        with self._counter_lock:
            return self.counter.to_diagnostic_array(self.types, now_ns,
                                                    f'{self.node_name}: goal safety',
                                                    hardware_id=self.node_name)

    def on_diagnostics(self, now_ns):
        """Publish the refusal counts."""
        return [('diagnostics', self._diagnostics_msg(now_ns))]

    # ----- inference ---------------------------------------------------------------------------
    def on_infer(self, now_ns):
        """Answer a pending question and run the pose prediction when there is work."""
        p = self.params
        outputs = []
        with self._lock:
            question, self._question = self._question, None
            frame = self._sync.latest()
            instruction = self._instruction
            new_instruction = self._instruction_serial != self._served_serial
            serial = self._instruction_serial
            instruction_ns = self._instruction_ns
        fresh = frame is not None and now_ns - frame.stamp_ns <= p.max_frame_age_s * NS_PER_S
        if question is not None:
            outputs += self._answer(question, frame if fresh else None, now_ns)
        if instruction is None or frame is None:
            return outputs
        continuous = (p.continuous_rate_hz > 0 and now_ns >= self._next_continuous_ns
                      and frame.serial != self._last_frame_serial)
        if not (new_instruction or continuous):
            return outputs
        if new_instruction and frame.serial == self._retry_frame_serial:
            return outputs  # refused on this frame for a reason that may clear: wait
        if (new_instruction and frame.stamp_ns < instruction_ns
                and now_ns < instruction_ns + p.instruction_frame_wait_s * NS_PER_S):
            return outputs  # the frame may show the scene before the instruction: wait a bit
        if not fresh:
            # Wait for a fresh frame; refuse (and count) once per instruction and frame.
            key = (serial, frame.serial)
            if self._stale_refused != key:
                self._stale_refused = key
                age = (now_ns - frame.stamp_ns) / NS_PER_S
                check = goal_safety.refused(
                    'stale_frame', f'newest camera frame is {age:.3f} s old (max '
                                   f'{p.max_frame_age_s} s); waiting for a fresh one')
                self._refuse(check, now_ns, outputs)
            return outputs
        with self._lock:
            previous, self._served_serial = self._served_serial, serial
        self._last_frame_serial = frame.serial
        if p.continuous_rate_hz > 0:
            self._next_continuous_ns = now_ns + int(NS_PER_S / p.continuous_rate_hz)
        outputs += self._predict(frame, instruction, now_ns)
        if new_instruction and self._infer_refusal in RETRY_REASONS:
            # e.g. TF not there yet at start-up: try this instruction again on a newer frame.
            with self._lock:
                if self._served_serial == serial:
                    self._served_serial = previous
                    self._retry_frame_serial = frame.serial
        return outputs

    def _answer(self, question, frame, now_ns):
        if self.answerer is None:
            self.log.warning(f'question {question!r} not answered: no language model loaded')
            return []
        rgb = None
        if frame is not None:
            try:
                rgb = compressed_images.decode_color(frame['rgb'])
            except ValueError as exc:
                self.log.warning(f'camera image unusable for the question: {exc}')
        else:
            self.log.warning('no fresh camera frame: answering the question without an image')
        try:
            text = str(self.answerer(rgb, question))
        except Exception as exc:  # noqa: B902 - a failing model must not stop the node
            self.log.error(f'answering {question!r} failed: {type(exc).__name__}: {exc}')
            return []
        return [('answer', messages.make_string(text, self.types))]

    def _decode(self, frame):
        """Return ``(rgb, depth_m, intrinsics, camera_frame)`` or a refusal Check."""
        try:
            rgb = compressed_images.decode_color(frame['rgb'])
            depth_m = compressed_images.decode_depth(frame['depth'])
            info = messages.camera_info_to_intrinsics(frame['info'])
        except (ValueError, AttributeError, TypeError) as exc:
            return goal_safety.refused('bad_frame', f'camera frame cannot be decoded: {exc}')
        h, w = rgb.shape[:2]
        if depth_m.shape != (h, w):
            return goal_safety.refused('bad_frame', f'depth {depth_m.shape[1]}x{depth_m.shape[0]}'
                                                    f' is not aligned to the {w}x{h} image')
        if (info.width, info.height) != (w, h):
            return goal_safety.refused('bad_frame', f'CameraInfo {info.width}x{info.height} does '
                                                    f'not match the {w}x{h} image')
        camera_frame = str(frame['rgb'].header.frame_id) or info.frame_id
        return rgb, depth_m, info, camera_frame

    def _lookup(self, target, source, now_ns):
        """Return ``(T_target_source, None)`` or ``(None, refusal Check)``."""
        if not source:
            return None, goal_safety.refused('tf_missing', f'no frame id to transform into '
                                                           f'{target!r}')
        try:
            T, stamp_ns = self.context.transforms.lookup(target, source)
        except (TransformUnavailable, LookupError, ValueError) as exc:
            return None, goal_safety.refused('tf_missing', f'no transform {target!r} <- '
                                                           f'{source!r}: {exc}')
        T = np.asarray(T, dtype=np.float64)
        if T.shape != (4, 4) or not np.all(np.isfinite(T)):
            return None, goal_safety.refused('tf_missing', f'transform {target!r} <- {source!r} '
                                                           'is not a finite 4x4 matrix')
        age = goal_safety.check_transform_age(stamp_ns, now_ns,
                                              int(self.params.tf_max_age_s * NS_PER_S),
                                              f'transform {target} <- {source}')
        if not age.ok:
            return None, age
        return T, None

    def _predict(self, frame, instruction, now_ns):
        self._infer_refusal = None
        with self.profile.run(frame_age_ms=(now_ns - frame.stamp_ns) / 1e6) as lap:
            outputs = self._predict_timed(frame, instruction, now_ns, lap)
            lap('publish')
        return outputs

    @property
    def timings(self):
        """Return the recent predictions' ``{stage: milliseconds}`` dicts, oldest first."""
        return self.profile.runs

    def latency_medians_ms(self):
        """
        Return the median wall-clock time per stage over the recent predictions.

        Stages: ``decode`` (image messages to arrays), ``model`` (the pose source as a whole),
        ``lift`` (output checks, robust depth, deprojection), ``safety`` (orientation, TF,
        workspace, e-stop), ``publish`` (poses, markers, debug image, diagnostics) and
        ``total``; a refused prediction counts in the stages it passed, and its failed check
        with the refusal's messages under ``publish``. ``frame_age_ms`` is the node-clock age of
        the frame when inference started.

        :return: ``{stage: milliseconds}`` (empty before the first prediction) and
            ``predictions``, the number of predictions they are taken over.
        """
        return self.profile.medians_ms(count_key='predictions')

    def _predict_timed(self, frame, instruction, now_ns, lap):
        p = self.params
        outputs = []
        decoded = self._decode(frame)
        lap('decode')
        if isinstance(decoded, goal_safety.Check):
            self._infer_refusal = decoded.reason
            return self._refuse(decoded, now_ns, outputs)
        rgb, depth_m, info, camera_frame = decoded
        K = np.array(info.K)
        debug = {'pixel': None, 'p_cam': None, 'R_cam': None}

        def refuse(check):
            self._infer_refusal = check.reason
            self._refuse(check, now_ns, outputs)
            self._debug_image(outputs, rgb, K, debug, frame, camera_frame, False,
                              f'refused: {check.reason}')
            return outputs

        depth_for_model = np.nan_to_num(depth_m, nan=0.0)
        lap('decode')
        try:
            raw = self.pose_source(rgb, depth_for_model, K, instruction)
            pixel_raw, up_raw, forward_raw = raw
        except Exception as exc:  # noqa: B902 - a failing model must not stop the node
            lap('model')
            return refuse(goal_safety.refused('model_error', f'pose source failed: '
                                                             f'{type(exc).__name__}: {exc}'))
        lap('model')
        check = goal_safety.check_finite_output(pixel_raw, up_raw, forward_raw)
        if not check.ok:
            return refuse(check)
        pixel, up, forward = check.value
        debug['pixel'] = pixel
        check = goal_safety.check_depth(depth_m, pixel[0], pixel[1], p.depth_window_px,
                                        p.min_valid_depth_fraction, p.min_depth_m,
                                        p.max_depth_m, p.depth_surface_m or None)
        if not check.ok:
            return refuse(check)
        p_cam = geometry.deproject(pixel[0], pixel[1], check.value, K)
        debug['p_cam'] = p_cam
        lap('lift')
        check = goal_safety.check_orientation(up, forward, p_cam,
                                              math.radians(p.max_approach_angle_deg))
        if not check.ok:
            return refuse(check)
        R_cam = check.value
        debug['R_cam'] = R_cam
        if p.max_surface_angle_deg < 180.0:
            check = goal_safety.check_surface_approach(
                up, depth_m, pixel[0], pixel[1], K, math.radians(p.max_surface_angle_deg),
                window=p.normal_window_px)
            if not check.ok:
                return refuse(check)
        T, failure = self._lookup(p.base_frame, camera_frame, now_ns)
        if failure is not None:
            return refuse(failure)
        contact = T[:3, :3] @ p_cam + T[:3, 3]
        R_base = T[:3, :3] @ R_cam
        if p.symmetric_gripper:
            T_ee, _ = self._ee_pose(now_ns)  # unknown: the goal stream refuses the start
            if T_ee is not None:
                R_base = geometry.nearer_half_turn(R_base, T_ee[:3, :3])
                debug['R_cam'] = T[:3, :3].T @ R_base
        try:
            quat = geometry.matrix_to_quat_xyzw(R_base)
        except ValueError as exc:
            return refuse(goal_safety.refused('orientation', f'gripper frame in {p.base_frame} '
                                                             f'is not a rotation: {exc}'))
        pregrasp = contact - p.pregrasp_offset_m * R_base[:, 2]
        low, high = self._workspace
        check = goal_safety.clamp_to_workspace(contact, low, high, p.workspace_margin_m)
        if not check.ok:
            return refuse(goal_safety.refused('workspace', f'contact point: {check.detail}'))
        check = goal_safety.clamp_to_workspace(pregrasp, low, high, p.workspace_margin_m)
        if not check.ok:
            return refuse(goal_safety.refused('workspace', f'pregrasp pose: {check.detail}'))
        if check.detail:
            self.log.warning(f'pregrasp {check.detail}')
        goal_position = check.value
        if not self.goal_stream.set_target(goal_position, quat):
            return refuse(goal_safety.refused('estop', 'e-stop engaged: prediction not used'))
        lap('safety')
        with self._counter_lock:
            self.counter.accept()
        self.last_result = {'pixel_uv': pixel, 'p_cam': p_cam, 'R_cam': R_cam,
                            'contact': contact, 'R_base': R_base, 'pregrasp': pregrasp,
                            'goal_target': goal_position, 'quat_xyzw': quat,
                            'frame_stamp_ns': frame.stamp_ns}
        self.log.info(f'contact {np.round(contact, 3).tolist()} in {p.base_frame}, goal target '
                      f'{np.round(goal_position, 3).tolist()}')
        outputs.append(('contact_pose', messages.make_pose_stamped(
            contact, quat, p.base_frame, now_ns, self.types)))
        outputs.append(('pregrasp_pose', messages.make_pose_stamped(
            pregrasp, quat, p.base_frame, now_ns, self.types)))
        outputs.append(('markers', make_contact_markers(
            contact, R_base, p.base_frame, now_ns, self.types,
            axis_length_m=p.marker_axis_length_m)))
        self._debug_image(outputs, rgb, K, debug, frame, camera_frame, True, 'goal accepted')
        outputs.append(('diagnostics', self._diagnostics_msg(now_ns)))
        return outputs

    def _debug_image(self, outputs, rgb, K, debug, frame, camera_frame, accepted, text):
        if not self.params.publish_debug_image:
            return
        image = draw_debug_image(rgb, debug['pixel'], K, debug['p_cam'], debug['R_cam'],
                                 self.params.marker_axis_length_m, accepted, text)
        outputs.append(('debug_image', messages.numpy_to_image(
            image, 'rgb8', self.types, frame.stamp_ns, camera_frame)))

    # ----- goal stream -------------------------------------------------------------------------
    def _ee_pose(self, now_ns):
        """Return ``(T_base_ee, None)`` or ``(None, refusal Check)`` for the goal stream."""
        return self._lookup(self.params.base_frame, self.params.ee_frame, now_ns)

    def on_goal(self, now_ns):
        """Move the streamed goal one bounded step toward the safe target and publish it."""
        outputs = []
        goal, refusal = self.goal_stream.tick(now_ns)
        if refusal is not None:
            self._refuse(refusal, now_ns, outputs)
        if goal is not None:
            outputs.append(('goal_pose', messages.make_pose_stamped(
                goal[0], goal[1], self.params.base_frame, now_ns, self.types)))
        return outputs


def main(args=None):
    from robomamba_ros.nodes.rclpy_binding import run_node
    run_node(RoboMambaNodeCore, args)


if __name__ == '__main__':
    main()
