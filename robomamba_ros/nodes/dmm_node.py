# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``dmm_node``: the low-level controller; end-effector state and a contact target in, twists out.

Inputs: the TCP pose (``ee_pose_topic`` PoseStamped, or TF ``base_frame`` -> ``ee_frame`` each
tick when that parameter is empty), the contact target of ``robomamba_node`` (PoseStamped:
position = contact point, orientation columns forward, left, up), optionally the finger joints
(``/joint_states``), the suction state (``grasp_state_topic``, Bool), a return-to-go target
(``~/return_to_go``, Float32), the instruction (``/robomamba/instruction``, String, latched: a
new one forgets the target) and the e-stop (``/robomamba/estop``, Bool, latched).

Every ``1 / control_rate_hz`` the node builds the LowLevelPull-v1 observation (see
:mod:`robomamba_ros.nodes.low_level_executor`), asks its executor (scripted expert or a trained
DMM) for the hand twist and attach command, converts the twist to the TCP point, bounds it
(``max_linear_mps`` / ``max_angular_radps``, per component and in norm) and publishes a
TwistStamped (``header.frame_id`` = base frame) and the grasp Bool (True = close the suction).

Behaviour:

* Engage gating: until the hand is within ``engage_distance_m`` and ``engage_angle_deg`` of the
  target's pre-contact pose, nothing is published (the arm's pose controller brings it there);
  once engaged the node stays engaged until a new target arrives.
* A new target (moved by more than ``new_target_distance_m`` or turned by more than
  ``new_target_angle_deg``, or the first after start or a reset) resets the executor's
  recurrent state and the engagement; if the node was engaged it publishes one zero twist.
* Watchdog: while engaged, an EE state older than ``state_timeout_s`` (or none) gives a zero
  twist (grasp command unchanged) and a warning at most once per second.
* E-stop: True halts the node: a zero twist at once and every tick, nothing else, until the
  e-stop is False and ``~/reset`` is called (a reset while it is True fails). ``~/reset`` also
  forgets the target and the executor's state. The e-stop topic is subscribed twice: latched
  (reliable, transient local: a node started later still sees a standing e-stop) and reliable
  volatile (DDS would not connect a volatile publisher to the latched subscription).
"""

from dataclasses import dataclass
import math

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.nodes import low_level_executor as lle
from robomamba_ros.nodes.core import IN, NodeCore, OUT, Port, Service, Timer
from robomamba_ros.nodes.parameters import parameter, validate
from robomamba_ros.nodes.qos import COMMAND, LATCHED, SENSOR
from robomamba_ros.package_files import ROBOT_DMMS
from robomamba_ros.ros import messages

_NS_PER_S = messages.NS_PER_S
# Repeated warnings of one kind are logged at most this often (ns of the node's clock).
# Attach command thresholds (the task's ATTACH_THRESHOLD).
_ATTACH_ON, _ATTACH_OFF = 0.5, -0.5


@dataclass
class DMMNodeParameters:
    """Parameters of ``dmm_node`` (defaults: real Franka with franka_ros2)."""

    executor: str = parameter(
        'scripted', "Action source: 'scripted' (expert controller, no model) or 'model' (the "
        'trained policy in model_path).', choices=('scripted', 'model'))
    model_path: str = parameter(
        '', "Trained DMM/DT folder (train-dmm output or its model/ folder) for executor 'model'; "
        "'' is the shipped model named by shipped_model.")
    shipped_model: str = parameter(
        'dmm-sapien-tiny', "The shipped model an empty model_path means: 'dmm-sapien-tiny' "
        "(trained with the flying hand) or 'dmm-panda-tiny' (trained with the simulated Panda).",
        choices=tuple(ROBOT_DMMS.values()))
    device: str = parameter('cpu', "Torch device of the model ('cpu', 'cuda', 'cuda:N').")
    target_return: float = parameter(
        -1.0, 'Return the model is conditioned on at the start of each target; NaN or negative '
        'means the dataset target stored with the model.')
    ee_pose_topic: str = parameter(
        '', "TCP pose topic (PoseStamped); '' looks up TF base_frame -> ee_frame every tick.")
    target_topic: str = parameter(
        '/robomamba_node/contact_pose', 'Contact target (PoseStamped: position = contact '
        'point, orientation columns forward, left, up).')
    rtg_topic: str = parameter(
        '~/return_to_go', 'Return-to-go target (Float32): replaces target_return from now on.')
    joint_states_topic: str = parameter(
        '/joint_states', 'Joint states (finger opening; optional, 0 when absent).')
    finger_joints: tuple = parameter(
        ('panda_finger_joint1', 'panda_finger_joint2'),
        'Finger joints summed into the observed opening (m).')
    grasp_state_topic: str = parameter(
        '/gripper/holding', 'Whether the suction/gripper holds something (Bool).')
    instruction_topic: str = parameter(
        '/robomamba/instruction', "The task's instruction (String, latched): a new one forgets "
        "the target, which belonged to the previous task; '' never forgets.")
    estop_topic: str = parameter(
        '/robomamba/estop', 'E-stop (Bool, latched): True halts until False and ~/reset.')
    twist_topic: str = parameter(
        '~/twist', 'Output TCP twist (TwistStamped, base frame, velocity of ee_frame origin).')
    grasp_topic: str = parameter(
        '~/grasp', 'Output grasp command (Bool: True closes the suction/gripper).')
    base_frame: str = parameter('panda_link0', 'Robot base frame of the twist and the targets.')
    ee_frame: str = parameter('panda_hand_tcp', 'TCP frame (used when ee_pose_topic is empty).')
    control_rate_hz: float = parameter(
        20.0, 'Control rate (Hz); must match the rate the model was trained at.',
        low=1.0, high=1000.0)
    state_timeout_s: float = parameter(
        0.25, 'EE state older than this gives zero twists and a warning (s).',
        low=0.001, high=10.0)
    max_linear_mps: float = parameter(
        0.4, 'Bound of the TCP linear velocity, per component and in norm (m/s).',
        low=0.001, high=2.0)
    max_angular_radps: float = parameter(
        1.5, 'Bound of the angular velocity, per component and in norm (rad/s).',
        low=0.001, high=6.0)
    engage_distance_m: float = parameter(
        0.12, "Start commanding once the hand is this close to the target's pre-contact pose "
        "(m); robomamba_node's pregrasp pose puts it 0.10 m behind (0.15 m with the TCP).",
        low=0.0, high=10.0)
    engage_angle_deg: float = parameter(
        10.0, "... and turned at most this far from the target's orientation (deg): the arm's "
        'pose controller has brought it there; 180: any orientation.', low=0.0, high=180.0)
    new_target_distance_m: float = parameter(
        0.01, 'A target moved by more than this is a new target (m).', low=0.0, high=1.0)
    new_target_angle_deg: float = parameter(
        5.0, 'A target turned by more than this is a new target (deg).', low=0.0, high=180.0)
    grasp_depth_m: float = parameter(
        0.0, 'Scripted executor: the TCP goes this far past the contact surface before the '
        "gripper closes (two fingers: about half a handle's depth; 0 for a suction cup; m).",
        low=0.0, high=0.05)
    grasp_tolerance_m: float = parameter(
        0.025, 'Scripted executor: the gripper closes this near the contact pose (m).',
        low=0.001, high=0.1)
    max_steps: int = parameter(
        0, 'Engaged control steps per target before holding still with zero twists (0: no '
        'limit).', low=0, high=1_000_000)


class DMMNodeCore(NodeCore):
    """
    The ``dmm_node`` core (see the module notes).

    :param params: :class:`DMMNodeParameters`.
    :param context: :class:`~robomamba_ros.nodes.core.NodeContext`.
    :param executor: a :class:`~robomamba_ros.nodes.low_level_executor.LowLevelExecutor` to use
        instead of the one the parameters name (tests).
    :raises ValueError: bad parameters, or executor ``'model'`` without a usable model_path.
    """

    node_name = 'dmm_node'
    parameters_class = DMMNodeParameters
    read_only_parameters = ('control_rate_hz', 'target_return')

    def __init__(self, params, context, executor=None):
        super().__init__(params, context)
        validate(params)
        p = params
        if executor is None:
            model_path = p.model_path
            if p.executor == 'scripted' and model_path:
                self.log.warning(f'model_path {model_path!r} is ignored with executor '
                                 "'scripted'; set executor to 'model' to use it")
            if p.executor == 'model' and not model_path:
                from robomamba_ros.package_files import shipped_model
                model_path = str(shipped_model(p.shipped_model))
                self.log.info(f'model_path is empty: using the shipped {p.shipped_model}')
            executor = lle.make_executor(p.executor, model_path, p.device, p.target_return,
                                         p.control_rate_hz, p.grasp_depth_m,
                                         p.grasp_tolerance_m)
        self.executor = executor
        trained = getattr(executor, 'trained_control_hz', None)
        if trained is not None and not math.isclose(trained, p.control_rate_hz, rel_tol=1e-3):
            self.log.warning(f'control_rate_hz is {p.control_rate_hz:g} Hz but the model was '
                             f'trained at {trained:g} Hz: its actions assume that rate')
        # Inputs.
        self.ee_pose = None  # (T_base_tcp, stamp_ns) from ee_pose_topic
        self.finger_opening_m = 0.0
        self.holding = False
        self.estop = False
        # Control state.
        self.halted = False
        self.target = None  # T_base_contact (4, 4): position p, columns forward, left, up
        self.engaged = False
        self.steps = 0
        self.grasp = False
        self.log.info(f'executor {getattr(executor, "name", type(executor).__name__)} at '
                      f'{p.control_rate_hz:g} Hz, twists of {p.ee_frame} in {p.base_frame}')

    # ----- declarations ------------------------------------------------------------------------
    def ports(self):
        """Return the node's topics."""
        p = self.params
        ports = [
            Port('target', 'geometry_msgs/msg/PoseStamped', p.target_topic, COMMAND, IN),
            Port('return_to_go', 'std_msgs/msg/Float32', p.rtg_topic, COMMAND, IN),
            Port('joint_states', 'sensor_msgs/msg/JointState', p.joint_states_topic, SENSOR, IN),
            Port('grasp_state', 'std_msgs/msg/Bool', p.grasp_state_topic, SENSOR, IN),
            Port('estop', 'std_msgs/msg/Bool', p.estop_topic, LATCHED, IN),
            # DDS never connects a volatile publisher (a plain `ros2 topic pub`) to a latched
            # subscription; this second one hears every e-stop publisher.
            Port('estop_volatile', 'std_msgs/msg/Bool', p.estop_topic, COMMAND, IN),
            Port('twist', 'geometry_msgs/msg/TwistStamped', p.twist_topic, COMMAND, OUT),
            Port('grasp', 'std_msgs/msg/Bool', p.grasp_topic, COMMAND, OUT),
        ]
        if p.ee_pose_topic:
            ports.append(Port('ee_pose', 'geometry_msgs/msg/PoseStamped', p.ee_pose_topic,
                              SENSOR, IN))
        if p.instruction_topic:
            ports.append(Port('instruction', 'std_msgs/msg/String', p.instruction_topic, LATCHED,
                              IN))
        return ports

    def timers(self):
        """Return the control timer."""
        return [Timer('control', 1.0 / self.params.control_rate_hz)]

    def services(self):
        """Return the reset service."""
        return [Service('reset', 'std_srvs/srv/Trigger', '~/reset')]

    # ----- helpers -----------------------------------------------------------------------------
    def _zero_twist(self, now_ns):
        return ('twist', messages.make_twist_stamped(np.zeros(3), np.zeros(3),
                                                     self.params.base_frame, now_ns, self.types))

    def _grasp_msg(self):
        return ('grasp', messages.make_bool(self.grasp, self.types))

    def _to_base(self, T_frame_x, frame_id):
        """Express a pose given in ``frame_id`` in the base frame (LookupError if unknown)."""
        if not frame_id or frame_id == self.params.base_frame:
            return T_frame_x
        T_base_frame, _ = self.context.transforms.lookup(self.params.base_frame, frame_id)
        return T_base_frame @ T_frame_x

    def _pose_in_base(self, msg, what, now_ns):
        """Read a PoseStamped as ``(T_base_x, stamp_ns)``; None (and a warning) if unusable."""
        try:
            data = messages.pose_stamped_to_numpy(msg)
            T = geometry.pose_to_matrix(data.position, data.quat_xyzw)
        except ValueError as exc:
            self.warn_throttled(f'ignoring {what}: {exc}', now_ns, key=f'bad_{what}')
            return None
        try:
            return self._to_base(T, data.frame_id), data.stamp_ns
        except LookupError as exc:
            self.warn_throttled(f'ignoring {what} in frame {data.frame_id!r}: no transform '
                                f'to {self.params.base_frame!r} ({exc})', now_ns, key=f'tf_{what}')
            return None

    def _ee_state(self, now_ns):
        """
        Return the fresh TCP pose in the base frame, or None (with a throttled warning).

        :param now_ns: node time.
        :return: ``T_base_tcp`` or None when missing or older than ``state_timeout_s``.
        """
        p = self.params
        if p.ee_pose_topic:
            if self.ee_pose is None:
                self.warn_throttled(f'no end-effector state received on {p.ee_pose_topic} '
                                    'yet', now_ns, key='no_state')
                return None
            T, stamp_ns = self.ee_pose
            source = p.ee_pose_topic
        else:
            try:
                T, stamp_ns = self.context.transforms.lookup(p.base_frame, p.ee_frame)
            except LookupError as exc:
                self.warn_throttled(f'no end-effector state: TF {p.base_frame} -> '
                                    f'{p.ee_frame} unavailable ({exc})', now_ns, key='no_state')
                return None
            if stamp_ns == 0:  # a static transform never goes stale
                return np.asarray(T, dtype=np.float64)
            source = f'TF {p.base_frame} -> {p.ee_frame}'
        age_s = (now_ns - stamp_ns) / _NS_PER_S
        if stamp_ns <= 0 or abs(age_s) > p.state_timeout_s:
            self.warn_throttled(f'end-effector state from {source} is {age_s:.3f} s old '
                                f'(timeout {p.state_timeout_s:g} s): holding still', now_ns,
                                key='stale')
            return None
        return np.asarray(T, dtype=np.float64)

    def _pre_contact_position(self):
        return self.target[:3, 3] - lle.APPROACH_OFFSET_M * self.target[:3, 2]

    def _is_new_target(self, T):
        if self.target is None:
            return True
        moved = float(np.linalg.norm(T[:3, 3] - self.target[:3, 3]))
        turned = math.degrees(geometry.rotation_angle(self.target[:3, :3], T[:3, :3]))
        return moved > self.params.new_target_distance_m or \
            turned > self.params.new_target_angle_deg

    def _clear(self):
        """Forget the target and the executor's episode; return True when it was engaged."""
        was_engaged = self.engaged
        self.target = None
        self.engaged = False
        self.steps = 0
        self.executor.reset()
        return was_engaged

    # ----- inputs ------------------------------------------------------------------------------
    def on_ee_pose(self, msg, now_ns):
        """Store the TCP pose (expressed in the base frame)."""
        pose = self._pose_in_base(msg, 'end-effector pose', now_ns)
        if pose is not None:
            self.ee_pose = pose
        return []

    def on_target(self, msg, now_ns):
        """Take a contact target; a new one resets the executor and the engagement."""
        pose = self._pose_in_base(msg, 'target', now_ns)
        if pose is None:
            return []
        T, _ = pose
        if not self._is_new_target(T):
            return []
        was_engaged = self._clear()
        self.target = T
        p = T[:3, 3]
        self.log.info(f'new target: contact point ({p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f}) m in '
                      f'{self.params.base_frame}; executor reset')
        if was_engaged and not self.halted:
            return [self._zero_twist(now_ns)]
        return []

    def on_instruction(self, msg, now_ns):
        """Forget the target of the previous task: the next target is the new task's."""
        if self.target is None:
            return []
        was_engaged = self._clear()
        self.log.info('new instruction: target and executor state cleared, waiting for its '
                      'target')
        if was_engaged and not self.halted:
            return [self._zero_twist(now_ns)]
        return []

    def on_return_to_go(self, msg, now_ns):
        """Condition the executor on another return."""
        value = float(msg.data)
        if not math.isfinite(value):
            self.warn_throttled(f'ignoring non-finite return-to-go {value}', now_ns, key='bad_rtg')
            return []
        self.executor.set_target_return(value)
        return []

    def on_joint_states(self, msg, now_ns):
        """Read the finger opening (sum of the finger joints that the message carries)."""
        try:
            data = messages.joint_state_to_numpy(msg)
        except ValueError as exc:
            self.warn_throttled(f'ignoring joint states: {exc}', now_ns, key='bad_joints')
            return []
        if data.position.size == 0:
            return []
        index = {name: i for i, name in enumerate(data.names)}
        fingers = [data.position[index[j]] for j in self.params.finger_joints if j in index]
        if fingers and all(math.isfinite(v) for v in fingers):
            self.finger_opening_m = float(sum(fingers))
        return []

    def on_grasp_state(self, msg, now_ns):
        """Store whether the suction holds something."""
        self.holding = messages.bool_msg_to_bool(msg)
        return []

    def on_estop(self, msg, now_ns):
        """Halt on True (a zero twist now); False alone does not resume: ~/reset does."""
        estop = messages.bool_msg_to_bool(msg)
        changed, self.estop = estop != self.estop, estop
        if estop:
            if not self.halted:
                self.halted = True
                self.log.warning('e-stop: halted, publishing zero twists until the e-stop is '
                                 'released and ~/reset is called')
                return [self._zero_twist(now_ns)]
        elif self.halted and changed:
            self.log.info('e-stop released; call ~/reset to resume')
        return []

    def on_estop_volatile(self, msg, now_ns):
        """Take an e-stop message from a volatile publisher (same handling as :meth:`on_estop`)."""
        return self.on_estop(msg, now_ns)

    def on_reset(self, request, now_ns):
        """Clear the halt (when the e-stop is released), the target and the executor state."""
        if self.estop:
            return {'success': False,
                    'message': 'e-stop is still active: release it (publish False on '
                               f'{self.params.estop_topic}) before calling reset'}, []
        was_halted, self.halted = self.halted, False
        was_engaged = self._clear()
        message = ('e-stop cleared; ' if was_halted else '') + \
            'target and executor state cleared, waiting for a new target'
        self.log.info(message)
        outputs = [self._zero_twist(now_ns)] if was_engaged and not was_halted else []
        return {'success': True, 'message': message}, outputs

    # ----- control -----------------------------------------------------------------------------
    def on_control(self, now_ns):
        """One control tick: zero twist when halted or stale, else the executor's command."""
        if self.halted:
            return [self._zero_twist(now_ns)]
        if self.target is None:
            return []
        T_base_tcp = self._ee_state(now_ns)
        if T_base_tcp is None:
            return [self._zero_twist(now_ns), self._grasp_msg()] if self.engaged else []
        T_hand = geometry.tcp_pose_to_gripper(T_base_tcp)
        if not self.engaged:
            distance = float(np.linalg.norm(T_hand[:3, 3] - self._pre_contact_position()))
            angle = math.degrees(geometry.rotation_angle(T_hand[:3, :3], self.target[:3, :3]))
            if distance > self.params.engage_distance_m or angle > self.params.engage_angle_deg:
                return []
            self.engaged = True
            self.grasp = self.holding
            self.log.info(f'engaged at {distance:.3f} m and {angle:.1f} deg from the pre-contact '
                          'pose')
        if self.params.max_steps and self.steps >= self.params.max_steps:
            self.warn_throttled(f'{self.params.max_steps} control steps done for this '
                                'target: holding still until a new target', now_ns,
                                key='max_steps')
            return [self._zero_twist(now_ns), self._grasp_msg()]
        observation = lle.build_observation(T_hand, self.finger_opening_m, self.target[:3, 3],
                                            self.target[:3, :3], self.holding)
        try:
            action = np.asarray(self.executor(observation), dtype=np.float64)
        except Exception as exc:  # a failing executor must not stop the node
            self.warn_throttled(f'executor failed ({type(exc).__name__}: {exc}): holding '
                                'still', now_ns, key='executor')
            return [self._zero_twist(now_ns), self._grasp_msg()]
        if action.shape != (lle.ACTION_SIZE,) or not np.all(np.isfinite(action)):
            self.warn_throttled(f'executor returned an unusable action {action!r}: '
                                'holding still', now_ns, key='bad_action')
            return [self._zero_twist(now_ns), self._grasp_msg()]
        self.steps += 1
        linear, angular = geometry.gripper_twist_to_tcp(action[:3], action[3:6], T_hand[:3, :3])
        linear, angular = geometry.limit_twist(linear, angular, self.params.max_linear_mps,
                                               self.params.max_angular_radps)
        if action[6] > _ATTACH_ON:
            self.grasp = True
        elif action[6] < _ATTACH_OFF:
            self.grasp = False
        twist = messages.make_twist_stamped(linear, angular, self.params.base_frame, now_ns,
                                            self.types)
        return [('twist', twist), self._grasp_msg()]


def main(args=None):
    from robomamba_ros.nodes.rclpy_binding import run_node
    run_node(DMMNodeCore, args)


if __name__ == '__main__':
    main()
