# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
dmm_node core in the in-process graph: gating, limits, watchdog, e-stop, resets, config.

The node's logic does not depend on the ROS distribution, so the tests run on one; the test that
feeds every input message type runs on both.
"""

import dataclasses
import logging

from conftest import DISTROS
import numpy as np
import pytest
import yaml

from robomamba_ros import geometry
from robomamba_ros.nodes import low_level_executor as lle
from robomamba_ros.nodes.core import IN, OUT
from robomamba_ros.nodes.dmm_node import DMMNodeCore, DMMNodeParameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters
from robomamba_ros.nodes.qos import COMMAND, LATCHED, SENSOR
from robomamba_ros.ros import messages
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped

BASE, TCP = 'panda_link0', 'panda_hand_tcp'
TWIST, GRASP, RESET = '/dmm_node/twist', '/dmm_node/grasp', '/dmm_node/reset'
TARGET, ESTOP, HOLDING = '/robomamba_node/contact_pose', '/robomamba/estop', '/gripper/holding'
PERIOD = 0.05
# Contact point, approach axis (up) and forward of the default target.
POINT, UP, FORWARD = np.array([0.5, 0.1, 0.3]), np.array([1.0, 0.0, 0.0]), np.array([0, 0, 1.0])


class FixedExecutor(lle.LowLevelExecutor):
    """Returns a fixed action; records observations, resets and return targets."""

    name = 'fixed'

    def __init__(self, action=(0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)):
        self.action = np.asarray(action, dtype=np.float64)
        self.observations, self.resets, self.returns = [], 0, []

    def reset(self):
        self.resets += 1

    def __call__(self, observation):
        self.observations.append(np.array(observation))
        return self.action.copy()

    def set_target_return(self, value):
        self.returns.append(value)


def _target_pose(point=POINT, up=UP, forward=FORWARD):
    return geometry.make_transform(geometry.gripper_rotation(up, forward), point)


def _tcp_at_hand(T_hand):
    return geometry.gripper_pose_to_tcp(T_hand)


def _pre_contact_hand(point=POINT, up=UP, forward=FORWARD, back=0.0):
    T = _target_pose(point, up, forward)
    T[:3, 3] = point - (0.15 + back) * T[:3, 2]
    return T


class Rig:
    """A graph with a dmm_node and helpers to feed it like a robot would."""

    def __init__(self, executor=None, distro=DISTROS[0], **overrides):
        self.graph = InProcessGraph(distro=distro)
        self.types = self.graph.types
        params = load_parameters(DMMNodeParameters, 'dmm_node', [], overrides)
        injected = {} if executor is None else {'executor': executor}
        self.core = self.graph.add(DMMNodeCore, params, **injected)
        self.twists = self.graph.tap(TWIST)
        self.grasps = self.graph.tap(GRASP)

    def tcp(self, T_base_tcp, stamp_ns=None):
        stamp = self.graph.now_ns if stamp_ns is None else stamp_ns
        ts = make_transform_stamped(T_base_tcp, BASE, TCP, stamp, self.types)
        self.graph.publish('/tf', 'tf2_msgs/msg/TFMessage', make_tf_message([ts], self.types))

    def hand(self, T_base_hand):
        self.tcp(_tcp_at_hand(T_base_hand))

    def target(self, T_base_contact, frame=BASE):
        p, q = geometry.matrix_to_pose(T_base_contact)
        msg = messages.make_pose_stamped(p, q, frame, self.graph.now_ns, self.types)
        self.graph.publish(TARGET, 'geometry_msgs/msg/PoseStamped', msg)

    def estop(self, value):
        self.graph.publish(ESTOP, 'std_msgs/msg/Bool', messages.make_bool(value, self.types),
                           qos=LATCHED)

    def tick(self, n=1, keep_state_fresh=True, T_base_hand=None):
        """Advance n control periods, refreshing the TF stamp before each."""
        for _ in range(n):
            if keep_state_fresh:
                self.hand(self.T_hand if T_base_hand is None else T_base_hand)
            self.graph.advance(PERIOD)

    def engaged_rig(self):
        self.T_hand = _pre_contact_hand(back=0.1)
        self.hand(self.T_hand)
        self.target(_target_pose())
        self.tick()
        assert self.core.engaged
        return self


def _twist(msg):
    return messages.twist_stamped_to_numpy(msg)


def _is_zero(msg):
    data = _twist(msg)
    return not np.any(data.linear) and not np.any(data.angular)


# --------------------------------------------------------------------------------------------
# Parameters and declarations


def test_config_file_names_every_parameter_and_matches_the_defaults(repo_root):
    path = repo_root / 'config' / 'dmm.yaml'
    section = yaml.safe_load(path.read_text())['dmm_node']['ros__parameters']
    names = [f.name for f in dataclasses.fields(DMMNodeParameters)]
    assert set(section) == set(names)
    from_file = load_parameters(DMMNodeParameters, 'dmm_node', [path])
    assert from_file == DMMNodeParameters()
    assert from_file.control_rate_hz == 20.0 and from_file.base_frame == BASE
    assert from_file.executor == 'scripted' and from_file.model_path == ''
    for field in dataclasses.fields(DMMNodeParameters):
        assert field.metadata['description'], field.name
    # The deployment files only override known names.
    for deployment in ('sim.yaml', 'franka.yaml', 'sim_panda.yaml'):
        load_parameters(DMMNodeParameters, 'dmm_node', [path, repo_root / 'config' / deployment])
    with pytest.raises(ValueError, match='control_rate_hz'):
        load_parameters(DMMNodeParameters, 'dmm_node', [path], {'control_rate_hz': 0.0})
    with pytest.raises(ValueError, match='executor'):
        load_parameters(DMMNodeParameters, 'dmm_node', [path], {'executor': 'magic'})
    with pytest.raises(ValueError, match='unknown parameter'):
        load_parameters(DMMNodeParameters, 'dmm_node', [path], {'max_speed': 1.0})


def test_ports_follow_the_parameters():
    rig = Rig(FixedExecutor())
    ports = {p.name: p for p in rig.core.ports()}
    assert 'ee_pose' not in ports  # TF mode by default
    assert ports['estop'].qos == LATCHED and ports['estop'].direction == IN
    assert ports['estop_volatile'].qos == COMMAND and ports['estop_volatile'].topic == ESTOP
    assert ports['twist'].type_name == 'geometry_msgs/msg/TwistStamped'
    assert ports['twist'].direction == OUT and ports['grasp'].direction == OUT
    assert [t.period_s for t in rig.core.timers()] == [pytest.approx(0.05)]
    topics = rig.graph.topics()
    assert topics[TWIST] == 'geometry_msgs/msg/TwistStamped'
    assert topics['/dmm_node/return_to_go'] == 'std_msgs/msg/Float32'
    rig = Rig(FixedExecutor(), ee_pose_topic='/franka/ee_pose', control_rate_hz=100.0)
    assert rig.core.port('ee_pose').qos == SENSOR
    assert [t.period_s for t in rig.core.timers()] == [pytest.approx(0.01)]


def test_model_executor_without_model_path_runs_the_shipped_dmm():
    from robomamba_ros.nodes.core import NodeContext
    from robomamba_ros.ros.type_source import RosbagsTypes
    core = DMMNodeCore(DMMNodeParameters(executor='model'),
                       NodeContext(types=RosbagsTypes(DISTROS[0])))
    assert core.executor.name.startswith('model')
    assert core.executor.folder.endswith('dmm-sapien-tiny')
    # The arm's deployments name the DMM trained with the simulated Panda.
    panda = DMMNodeCore(DMMNodeParameters(executor='model', shipped_model='dmm-panda-tiny'),
                        NodeContext(types=RosbagsTypes(DISTROS[0])))
    assert panda.executor.folder.endswith('dmm-panda-tiny')
    with pytest.raises(ValueError, match='shipped_model'):
        DMMNodeCore(DMMNodeParameters(executor='model', shipped_model='dmm-hand'),
                    NodeContext(types=RosbagsTypes(DISTROS[0])))
    with pytest.raises(ValueError, match='/nonexistent/dmm'):
        DMMNodeCore(DMMNodeParameters(executor='model', model_path='/nonexistent/dmm'),
                    NodeContext(types=RosbagsTypes(DISTROS[0])))


# --------------------------------------------------------------------------------------------
# Engagement, output, limits


def test_nothing_until_engaged_then_twists_at_the_control_rate():
    executor = FixedExecutor()
    rig = Rig(executor)
    far = _pre_contact_hand(back=0.6)
    rig.hand(far)
    rig.graph.advance(0.5)
    assert rig.twists == [] and rig.grasps == []  # no target yet
    rig.target(_target_pose())
    rig.tick(10, T_base_hand=far)
    assert rig.twists == [] and not rig.core.engaged  # 0.6 m away from the pre-contact pose
    # At robomamba_node's pregrasp pose (0.10 m behind) but turned 20 deg: the arm's pose
    # controller has not brought it there yet.
    turned = _pre_contact_hand(back=0.1)
    turned[:3, :3] = turned[:3, :3] @ geometry.axis_angle_to_matrix([0.0, 0.0, np.deg2rad(20)])
    rig.tick(10, T_base_hand=turned)
    assert rig.twists == [] and not rig.core.engaged
    rig.T_hand = _pre_contact_hand(back=0.1)
    start_ns = rig.graph.now_ns
    rig.tick(10)
    assert rig.core.engaged
    assert len(rig.twists) == 10 and len(rig.grasps) == 10
    stamps = [t for t, _ in rig.twists]
    assert np.allclose(np.diff(stamps), PERIOD * 1e9)
    assert stamps[0] == start_ns + int(PERIOD * 1e9)
    data = _twist(rig.twists[0][1])
    assert data.frame_id == BASE and data.stamp_ns == stamps[0]
    np.testing.assert_allclose(data.linear, [0.01, 0, 0], atol=1e-12)
    assert not any(msg.data for _, msg in rig.grasps)
    # The observation is the task's layout, built from TF and the target.
    obs = executor.observations[0]
    assert obs.shape == (23,) and obs.dtype == np.float32
    np.testing.assert_allclose(obs[:3], rig.T_hand[:3, 3], atol=1e-5)
    np.testing.assert_allclose(obs[3:9], geometry.matrix_to_rot6d(rig.T_hand[:3, :3]), atol=1e-5)
    np.testing.assert_allclose(obs[10:13], POINT, atol=1e-6)
    np.testing.assert_allclose(obs[13:16], UP, atol=1e-6)
    np.testing.assert_allclose(obs[16:19], FORWARD, atol=1e-6)
    np.testing.assert_allclose(obs[20:23], POINT - rig.T_hand[:3, 3], atol=1e-5)
    assert obs[9] == 0.0 and obs[19] == 0.0
    # Engaged stays engaged even when the hand moves away again.
    rig.tick(2, T_base_hand=far)
    assert len(rig.twists) == 12


@pytest.mark.parametrize('distro', DISTROS)
def test_joint_states_holding_and_target_frame_reach_the_observation(distro):
    executor = FixedExecutor()
    rig = Rig(executor, distro=distro)
    # The target arrives in a camera frame; TF moves it to the base frame.
    T_base_cam = geometry.make_transform(geometry.quat_xyzw_to_matrix([0, 0, 0.6, 0.8]),
                                         [0.2, -0.1, 0.9])
    ts = make_transform_stamped(T_base_cam, BASE, 'camera_link', 0, rig.types)
    rig.graph.publish('/tf_static', 'tf2_msgs/msg/TFMessage', make_tf_message([ts], rig.types),
                      qos=LATCHED)
    rig.T_hand = _pre_contact_hand(back=0.1)
    rig.hand(rig.T_hand)
    rig.target(geometry.invert_transform(T_base_cam) @ _target_pose(), frame='camera_link')
    joints = messages.make_joint_state(
        ['panda_joint1', 'panda_finger_joint1', 'panda_finger_joint2'], [0.3, 0.01, 0.015], [],
        [], rig.graph.now_ns, rig.types)
    rig.graph.publish('/joint_states', 'sensor_msgs/msg/JointState', joints, qos=SENSOR)
    rig.graph.publish(HOLDING, 'std_msgs/msg/Bool', messages.make_bool(True, rig.types))
    rig.tick()
    obs = executor.observations[-1]
    np.testing.assert_allclose(obs[10:13], POINT, atol=1e-5)
    np.testing.assert_allclose(obs[13:16], UP, atol=1e-5)
    assert obs[9] == pytest.approx(0.025) and obs[19] == 1.0
    # Engaging while holding keeps the suction closed (grasp command = held state).
    assert rig.grasps[-1][1].data is True


def test_twist_is_moved_to_the_tcp_and_bounded():
    # A pure rotation of the hand about its origin moves the TCP: v = w x (R @ [0, 0, d]).
    executor = FixedExecutor((0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0))
    rig = Rig(executor).engaged_rig()
    data = _twist(rig.twists[-1][1])
    lever = rig.T_hand[:3, :3] @ [0, 0, geometry.TCP_OFFSET_M]
    np.testing.assert_allclose(data.linear, np.cross([0, 0.5, 0], lever), atol=1e-9)
    np.testing.assert_allclose(data.angular, [0, 0.5, 0], atol=1e-12)
    back, _ = geometry.tcp_twist_to_gripper(data.linear, data.angular, rig.T_hand[:3, :3])
    np.testing.assert_allclose(back, 0.0, atol=1e-9)
    # Far beyond the limits: per component and norm both hold, the direction survives.
    executor.action = np.array([3.0, -2.0, 1.0, 10.0, 0.0, -10.0, 1.0])
    rig.tick()
    data = _twist(rig.twists[-1][1])
    assert np.all(np.abs(data.linear) <= 0.4 + 1e-9)
    assert np.linalg.norm(data.linear) == pytest.approx(0.4)
    assert np.linalg.norm(data.angular) == pytest.approx(1.5)
    np.testing.assert_allclose(data.angular / np.linalg.norm(data.angular),
                               [1 / np.sqrt(2), 0, -1 / np.sqrt(2)], atol=1e-9)
    assert rig.grasps[-1][1].data is True
    # In between the attach thresholds the grasp command is kept; below -0.5 it releases.
    executor.action[6] = 0.2
    rig.tick()
    assert rig.grasps[-1][1].data is True
    executor.action[6] = -0.9
    rig.tick()
    assert rig.grasps[-1][1].data is False
    # Tighter limits from the parameters.
    slow = Rig(FixedExecutor((1.0, 1.0, 0.0, 0.0, 0.0, 3.0, 0.0)), max_linear_mps=0.1,
               max_angular_radps=0.2).engaged_rig()
    data = _twist(slow.twists[-1][1])
    assert np.linalg.norm(data.linear) == pytest.approx(0.1)
    np.testing.assert_allclose(data.angular, [0, 0, 0.2], atol=1e-12)


def test_a_failing_executor_gives_zero_twists(caplog):
    executor = FixedExecutor((np.nan, 0, 0, 0, 0, 0, 0))
    rig = Rig(executor)
    with caplog.at_level(logging.WARNING):
        rig.engaged_rig()
    assert _is_zero(rig.twists[-1][1])
    assert 'unusable action' in caplog.text


# --------------------------------------------------------------------------------------------
# Watchdog


def test_watchdog_zero_twist_and_warning_when_the_state_is_stale(caplog):
    executor = FixedExecutor((0.1, 0, 0, 0, 0, 0, 1.0))
    rig = Rig(executor, state_timeout_s=0.2).engaged_rig()
    assert not _is_zero(rig.twists[-1][1]) and rig.grasps[-1][1].data is True
    calls = len(executor.observations)
    with caplog.at_level(logging.WARNING):
        rig.tick(40, keep_state_fresh=False)  # 2 s without a new TF stamp
    # Ticks with an age <= 0.2 s still command; the rest are zero twists.
    fresh = [not _is_zero(m) for _, m in rig.twists[-40:]]
    assert fresh[:3] == [True, True, True] and not any(fresh[3:])
    assert len(executor.observations) <= calls + 4  # stale ticks do not step the executor
    assert all(m.data is True for _, m in rig.grasps[-40:])  # grasp command unchanged
    stale = [r for r in caplog.records if 's old (timeout' in r.getMessage()]
    assert 2 <= len(stale) <= 3  # rate limited: once per second of node time
    # Fresh state again: commands resume.
    rig.tick(1)
    assert not _is_zero(rig.twists[-1][1])
    # A stamp from the future (clocks that disagree) is not trusted either.
    rig.tcp(_tcp_at_hand(rig.T_hand), stamp_ns=rig.graph.now_ns + 10 ** 9)
    rig.graph.advance(PERIOD)
    assert _is_zero(rig.twists[-1][1])


def test_watchdog_on_the_pose_topic(caplog):
    rig = Rig(FixedExecutor(), ee_pose_topic='/franka/ee_pose', state_timeout_s=0.1)
    rig.target(_target_pose())
    with caplog.at_level(logging.WARNING):
        rig.graph.advance(0.3)
    assert rig.twists == []  # never engaged: nothing
    assert 'no end-effector state received on /franka/ee_pose' in caplog.text
    T_tcp = _tcp_at_hand(_pre_contact_hand(back=0.05))

    def send(stamp_ns):
        p, q = geometry.matrix_to_pose(T_tcp)
        msg = messages.make_pose_stamped(p, q, BASE, stamp_ns, rig.types)
        rig.graph.publish('/franka/ee_pose', 'geometry_msgs/msg/PoseStamped', msg, qos=SENSOR)

    for _ in range(3):
        send(rig.graph.now_ns)
        rig.graph.advance(PERIOD)
    assert rig.core.engaged and len(rig.twists) == 3 and not _is_zero(rig.twists[-1][1])
    rig.graph.advance(0.5)
    assert _is_zero(rig.twists[-1][1])


# --------------------------------------------------------------------------------------------
# E-stop and reset


def test_estop_halts_until_released_and_reset():
    executor = FixedExecutor((0.1, 0, 0, 0, 0, 0, 1.0))
    rig = Rig(executor).engaged_rig()
    n_grasp = len(rig.grasps)
    rig.estop(True)
    assert len(rig.twists) == 2 and _is_zero(rig.twists[-1][1])  # at once, not on the tick
    rig.tick(5)
    assert len(rig.twists) == 7 and all(_is_zero(m) for _, m in rig.twists[1:])
    assert len(rig.grasps) == n_grasp  # nothing but zero twists
    response = rig.graph.call_service(RESET)
    assert response['success'] is False and 'e-stop is still active' in response['message']
    rig.estop(False)
    rig.tick(3)
    assert all(_is_zero(m) for _, m in rig.twists[1:]) and len(rig.twists) == 10  # still halted
    response = rig.graph.call_service(RESET)
    assert response['success'] is True and 'e-stop cleared' in response['message']
    # The reset forgot the target: nothing until a new one, then commands resume.
    resets = executor.resets
    rig.tick(3)
    assert len(rig.twists) == 10
    rig.target(_target_pose())  # the same target counts as new after a reset
    assert executor.resets == resets + 1
    rig.tick(2)
    assert len(rig.twists) == 12 and not _is_zero(rig.twists[-1][1])


def test_latched_estop_reaches_a_node_started_later():
    graph = InProcessGraph()
    graph.publish(ESTOP, 'std_msgs/msg/Bool', messages.make_bool(True, graph.types), qos=LATCHED)
    core = graph.add(DMMNodeCore, DMMNodeParameters(), executor=FixedExecutor())
    twists = graph.tap(TWIST)
    assert core.halted
    graph.advance(0.2)
    assert len(twists) == 4 and all(_is_zero(m) for _, m in twists)
    # A volatile (non-latched) publisher is heard too, through the second subscription.
    graph.publish(ESTOP, 'std_msgs/msg/Bool', messages.make_bool(False, graph.types))
    assert not core.estop and core.halted
    assert graph.call_service(RESET)['success'] is True
    graph.publish(ESTOP, 'std_msgs/msg/Bool', messages.make_bool(True, graph.types))
    assert core.estop and core.halted and len(twists) == 5 and _is_zero(twists[-1][1])


def test_reset_without_estop_clears_the_target():
    executor = FixedExecutor()
    rig = Rig(executor).engaged_rig()
    count = len(rig.twists)
    response = rig.graph.call_service(RESET)
    assert response['success'] is True and 'e-stop' not in response['message']
    assert len(rig.twists) == count + 1 and _is_zero(rig.twists[-1][1])  # one stop command
    rig.tick(3)
    assert len(rig.twists) == count + 1 and not rig.core.engaged


def test_a_new_instruction_forgets_the_previous_tasks_target():
    executor = FixedExecutor()
    rig = Rig(executor).engaged_rig()
    resets, count = executor.resets, len(rig.twists)
    rig.graph.publish('/robomamba/instruction', 'std_msgs/msg/String',
                      messages.make_string('Open the drawer.', rig.types), qos=LATCHED)
    assert executor.resets == resets + 1 and rig.core.target is None
    assert len(rig.twists) == count + 1 and _is_zero(rig.twists[-1][1])  # one stop command
    rig.tick(3)  # the hand still at the old pre-contact pose: nothing until a new target
    assert len(rig.twists) == count + 1 and not rig.core.engaged
    rig.target(_target_pose())
    rig.tick()
    assert rig.core.engaged and len(rig.twists) == count + 2


# --------------------------------------------------------------------------------------------
# New targets reset the executor


def test_new_target_resets_executor_and_engagement():
    executor = FixedExecutor()
    rig = Rig(executor).engaged_rig()
    resets, count = executor.resets, len(rig.twists)
    # Re-sent with 5 mm and 3 degrees of noise: the same target, no reset.
    T = _target_pose()
    T[:3, 3] += [0.005, 0.0, 0.0]
    T[:3, :3] = geometry.quat_xyzw_to_matrix([np.sin(np.radians(1.5)), 0, 0,
                                              np.cos(np.radians(1.5))]) @ T[:3, :3]
    rig.target(T)
    rig.tick()
    assert executor.resets == resets and rig.core.engaged and len(rig.twists) == count + 1
    # Turned by 8 degrees: new target, executor reset, one zero twist, still in range so it
    # engages again on the next tick.
    T = _target_pose()
    T[:3, :3] = geometry.quat_xyzw_to_matrix([np.sin(np.radians(4)), 0, 0,
                                              np.cos(np.radians(4))]) @ T[:3, :3]
    rig.target(T)
    assert executor.resets == resets + 1 and not rig.core.engaged
    assert len(rig.twists) == count + 2 and _is_zero(rig.twists[-1][1])
    rig.tick()
    assert rig.core.engaged and not _is_zero(rig.twists[-1][1])
    # Moved by 2 cm... and far away: reset, and nothing published until the hand gets close.
    rig.target(_target_pose(point=POINT + [0.0, 0.02, 0.0]))
    assert executor.resets == resets + 2
    rig.target(_target_pose(point=POINT + [0.0, 1.0, 0.0]))
    assert executor.resets == resets + 3
    count = len(rig.twists)
    rig.tick(3)
    assert len(rig.twists) == count and not rig.core.engaged


def test_bad_inputs_are_ignored_with_a_warning(caplog):
    executor = FixedExecutor()
    rig = Rig(executor)
    T = _target_pose()
    p, _ = geometry.matrix_to_pose(T)
    zero_quat = rig.types.new('geometry_msgs/msg/PoseStamped',
                              header=messages.make_header(BASE, 1, rig.types),
                              pose=rig.types.new(
                                  'geometry_msgs/msg/Pose',
                                  position=rig.types.new('geometry_msgs/msg/Point', x=p[0],
                                                         y=p[1], z=p[2]),
                                  orientation=rig.types.new('geometry_msgs/msg/Quaternion',
                                                            x=0.0, y=0.0, z=0.0, w=0.0)))
    with caplog.at_level(logging.WARNING):
        rig.graph.publish(TARGET, 'geometry_msgs/msg/PoseStamped', zero_quat)
        rig.target(T, frame='unknown_frame')
        rig.graph.publish('/dmm_node/return_to_go', 'std_msgs/msg/Float32',
                          rig.types.new('std_msgs/msg/Float32', data=float('nan')))
    assert rig.core.target is None and executor.returns == []
    assert 'zero quaternion' in caplog.text and 'unknown_frame' in caplog.text
    assert 'non-finite return-to-go' in caplog.text
    rig.graph.publish('/dmm_node/return_to_go', 'std_msgs/msg/Float32',
                      rig.types.new('std_msgs/msg/Float32', data=3.5))
    assert executor.returns == [3.5]


def test_max_steps_holds_still_until_a_new_target(caplog):
    executor = FixedExecutor()
    rig = Rig(executor, max_steps=3).engaged_rig()
    with caplog.at_level(logging.WARNING):
        rig.tick(4)
    assert [_is_zero(m) for _, m in rig.twists] == [False] * 3 + [True] * 2
    assert len(executor.observations) == 3 and '3 control steps done' in caplog.text
    rig.target(_target_pose(point=POINT + [0.0, 0.0, 0.05]))
    rig.tick()
    assert not _is_zero(rig.twists[-1][1]) and len(executor.observations) == 4


def test_scripted_executor_by_default_and_model_path_alone_is_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        rig = Rig(model_path='/nonexistent/model')
    assert isinstance(rig.core.executor, lle.ScriptedExecutor)
    assert "is ignored with executor 'scripted'" in caplog.text
