# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
robomamba_node and dmm_node as real ROS 2 processes over Fast DDS, driven by a probe node.

The tests share two node processes (started once; the model load takes seconds) and run in
file order: camera input of either QoS, services, live parameters, e-stops of either
durability, a killed node, and bounded shutdown. Frames are synthetic (flat depth at 1 m) and
the robot base is the camera frame, so no transform tree is needed.
"""

import signal
import time

import numpy as np
import pytest
from ros_live import NodeProcess, parameter_value, Probe, qos, require_rclpy, ros_environment
from ros_live import STOP_LIMIT_S

pytestmark = pytest.mark.ros

FRAME = 'camera'
K = np.array([[300.0, 0.0, 167.5], [0.0, 300.0, 167.5], [0.0, 0.0, 1.0]])
SIZE = 336
COLOR_TOPIC = '/camera/camera/color/image_raw'
DEPTH_TOPIC = '/camera/camera/aligned_depth_to_color/image_raw'
ROBOMAMBA = {
    'base_frame': FRAME, 'ee_frame': FRAME, 'max_approach_angle_deg': 180.0,
    'max_surface_angle_deg': 180.0,  # a random model's axes on a flat wall
    'workspace_min': [-100.0, -100.0, -100.0], 'workspace_max': [100.0, 100.0, 100.0],
    'max_frame_age_s': 2,  # an integer for a float parameter, as users type it
}
DMM = {'base_frame': 'base', 'ee_pose_topic': '/test/ee_pose', 'target_topic': '/test/target',
       'state_timeout_s': 0.25}


@pytest.fixture(scope='module')
def graph(tmp_path_factory):
    require_rclpy()
    ros_environment()
    from robomamba_ros.ros.type_source import RclpyTypes

    logs = tmp_path_factory.mktemp('live')
    nodes = {'robomamba_node': NodeProcess('robomamba_node', logs, ROBOMAMBA),
             'dmm_node': NodeProcess('dmm_node', logs, DMM)}
    probe = Probe()
    rig = Rig(probe, nodes, RclpyTypes())
    try:
        assert probe.spin_until(rig.nodes_ready, 60.0), rig.logs()
        yield rig
    finally:
        for node in nodes.values():
            node.stop(signal.SIGINT)
        probe.close()


class Rig:
    """The probe's publishers and recordings around the two node processes."""

    def __init__(self, probe, nodes, types):
        from geometry_msgs.msg import PoseStamped, TwistStamped
        from sensor_msgs.msg import CameraInfo, Image
        from std_msgs.msg import Bool, String

        self.probe, self.nodes, self.types = probe, nodes, types
        node = probe.node
        self.camera = {
            reliable: (node.create_publisher(Image, COLOR_TOPIC, qos(reliable)),
                       node.create_publisher(Image, DEPTH_TOPIC, qos(reliable)),
                       node.create_publisher(CameraInfo, '/camera/camera/color/camera_info',
                                             qos(reliable)))
            for reliable in (True, False)}
        self.instruction = node.create_publisher(String, '/robomamba/instruction',
                                                 qos(transient_local=True, depth=1))
        self.estop_latched = node.create_publisher(Bool, '/robomamba/estop',
                                                   qos(transient_local=True, depth=1))
        self.estop_volatile = node.create_publisher(Bool, '/robomamba/estop', qos())
        self.ee_pose = node.create_publisher(PoseStamped, '/test/ee_pose', qos(False))
        self.target = node.create_publisher(PoseStamped, '/test/target', qos())
        self.contacts = probe.record(PoseStamped, '/robomamba_node/contact_pose', qos())
        self.goals = probe.record(PoseStamped, '/robomamba/goal_pose', qos())
        self.twists = probe.record(TwistStamped, '/dmm_node/twist', qos())
        rng = np.random.default_rng(0)
        self.rgb = rng.integers(0, 255, (SIZE, SIZE, 3), dtype=np.uint8)
        self.depth_mm = np.full((SIZE, SIZE), 1000, dtype=np.uint16)

    def logs(self):
        return '\n'.join(f'--- {name}\n{node.log()[-3000:]}' for name, node in self.nodes.items())

    def nodes_ready(self):
        graph = self.probe.node.get_node_names()
        return all(name in graph for name in self.nodes)

    def publish_frame(self, reliable=True):
        from robomamba_ros.ros import messages

        stamp = self.probe.node.get_clock().now().nanoseconds
        image, depth, info = self.camera[reliable]
        image.publish(messages.numpy_to_image(self.rgb, 'rgb8', self.types, stamp, FRAME))
        depth.publish(messages.numpy_to_image(self.depth_mm, '16UC1', self.types, stamp, FRAME))
        info.publish(messages.make_camera_info(K, SIZE, SIZE, self.types, FRAME, stamp))

    def instruct(self, text):
        from robomamba_ros.ros import messages

        self.instruction.publish(messages.make_string(text, self.types))

    def predict(self, text, reliable=True, timeout_s=20.0):
        """Send an instruction and frames until a new contact pose arrives; return it."""
        count = len(self.contacts)
        self.instruct(text)
        frames = [0.0]

        def step():
            if time.monotonic() - frames[0] > 0.1:
                frames[0] = time.monotonic()
                self.publish_frame(reliable)

        assert self.probe.spin_until(lambda: len(self.contacts) > count, timeout_s, step), \
            self.logs()
        return self.contacts[-1][1]

    def set_parameter(self, node, name, value):
        from rcl_interfaces.msg import Parameter
        from rcl_interfaces.srv import SetParameters

        request = SetParameters.Request(parameters=[Parameter(name=name,
                                                              value=parameter_value(value))])
        response = self.probe.call(SetParameters, f'/{node}/set_parameters', request)
        assert response is not None, f'{node}/set_parameters did not answer'
        return response.results[0]

    def estop(self, engaged, latched):
        from robomamba_ros.ros import messages

        publisher = self.estop_latched if latched else self.estop_volatile
        publisher.publish(messages.make_bool(engaged, self.types))


def _goal_steps(goals, since):
    positions = [np.array([m.pose.position.x, m.pose.position.y, m.pose.position.z])
                 for t, m in goals if t >= since]
    return [float(np.linalg.norm(b - a)) for a, b in zip(positions, positions[1:])]


def test_camera_frames_of_reliable_and_best_effort_publishers_feed_robomamba_node(graph):
    reliable = graph.predict('Pull open the door of the cabinet.', reliable=True)
    assert reliable.header.frame_id == FRAME
    best_effort = graph.predict('Open the drawer.', reliable=False)
    assert best_effort.header.frame_id == FRAME


def test_reset_services_answer(graph):
    from std_srvs.srv import Trigger

    for node in ('robomamba_node', 'dmm_node'):
        response = graph.probe.call(Trigger, f'/{node}/reset', Trigger.Request())
        assert response is not None and response.success, node


def test_a_safety_limit_set_live_takes_effect_and_bad_values_are_refused(graph):
    graph.predict('Pull open the door of the cabinet.')
    graph.probe.spin(0.5)
    slow = _goal_steps(graph.goals, time.monotonic() - 0.5)
    assert slow and max(slow) <= 0.005 + 1e-6, slow
    result = graph.set_parameter('robomamba_node', 'max_goal_step_m', 0.02)
    assert result.successful, result.reason
    changed = time.monotonic()
    graph.probe.spin(0.5)
    fast = _goal_steps(graph.goals, changed + 0.1)
    assert fast and max(fast) > 0.01 and max(fast) <= 0.02 + 1e-6, fast
    refused = graph.set_parameter('robomamba_node', 'max_goal_step_m', -1.0)
    assert not refused.successful and 'max_goal_step_m' in refused.reason
    refused = graph.set_parameter('robomamba_node', 'depth_window_px', 4)
    assert not refused.successful and 'odd' in refused.reason
    refused = graph.set_parameter('robomamba_node', 'image_topic', '/elsewhere')
    assert not refused.successful and 'read-only' in refused.reason
    accepted = graph.set_parameter('dmm_node', 'max_linear_mps', 1)  # integer for a float
    assert accepted.successful, accepted.reason


@pytest.mark.parametrize('latched', [False, True], ids=['volatile', 'latched'])
def test_estop_stops_goals_and_twists_within_100_ms(graph, latched):
    from robomamba_ros.ros import messages
    from std_srvs.srv import Trigger

    graph.estop(False, latched=True)
    graph.probe.call(Trigger, '/dmm_node/reset', Trigger.Request())
    graph.predict('Pull open the door of the cabinet.')
    # dmm_node engaged: the hand near the pre-contact pose of a target 1 m ahead.
    stamp = graph.probe.node.get_clock().now().nanoseconds
    graph.target.publish(messages.make_pose_stamped([1.0, 0.0, 0.5], [0.0, 0.0, 0.0, 1.0],
                                                    'base', stamp, graph.types))
    hand = [1.0, 0.0, 0.4]  # behind the target along its approach axis (z)
    last = [0.0]

    def feed():
        if time.monotonic() - last[0] > 0.02:
            last[0] = time.monotonic()
            now = graph.probe.node.get_clock().now().nanoseconds
            graph.ee_pose.publish(messages.make_pose_stamped(hand, [0.0, 0.0, 0.0, 1.0], 'base',
                                                             now, graph.types))

    def moving():
        return any(np.abs([m.twist.linear.x, m.twist.linear.y, m.twist.linear.z]).max() > 1e-6
                   for _, m in graph.twists[-3:])

    assert graph.probe.spin_until(moving, 10.0, feed), graph.logs()
    graph.probe.spin_until(lambda: False, 0.3, feed)
    assert _goal_steps(graph.goals, time.monotonic() - 0.3), 'goals are not streaming'
    graph.estop(True, latched=latched)
    stopped = time.monotonic()
    graph.probe.spin_until(lambda: False, 1.0, feed)
    late_goals = [t for t, _ in graph.goals if t > stopped + 0.1]
    assert not late_goals, f'{len(late_goals)} goals more than 100 ms after the e-stop'
    late_twists = [m for t, m in graph.twists if t > stopped + 0.1]
    assert late_twists and all(
        abs(m.twist.linear.x) + abs(m.twist.linear.y) + abs(m.twist.linear.z) == 0.0
        for m in late_twists)
    graph.estop(False, latched=True)


def test_a_killed_robomamba_node_leaves_dmm_node_running_and_safe(graph):
    graph.nodes['robomamba_node'].stop(signal.SIGKILL)
    graph.probe.spin(1.0)
    assert graph.nodes['dmm_node'].alive(), graph.logs()
    # Without EE state (no ee_pose published since the last test), twists are zero.
    since = time.monotonic()
    graph.probe.spin(0.6)
    recent = [m for t, m in graph.twists if t > since + 0.25 + 0.05]
    assert recent and all(m.twist.linear.x == 0.0 and m.twist.angular.z == 0.0 for m in recent)


@pytest.mark.parametrize('sig', [signal.SIGTERM])
def test_dmm_node_stops_within_two_seconds(graph, sig):
    node = graph.nodes['dmm_node']
    assert node.stop(sig) == 0, node.log()
    assert node.stop_s <= STOP_LIMIT_S, node.stop_s


def test_robomamba_node_on_compressed_transports_predicts_and_stops_on_sigint(tmp_path):
    """JPEG colour and compressedDepth depth, as image_transport publishes them, over DDS."""
    require_rclpy()
    ros_environment()
    from geometry_msgs.msg import PoseStamped
    from sensor_msgs.msg import CameraInfo, CompressedImage
    from std_msgs.msg import String

    from robomamba_ros.ros import compressed_images, messages
    from robomamba_ros.ros.type_source import RclpyTypes

    params = dict(ROBOMAMBA, image_transport='compressed', depth_transport='compressedDepth',
                  instruction_topic='/rm_stop/instruction')
    node = NodeProcess('robomamba_node', tmp_path, params, name='rm_stop')
    probe = Probe('compressed_probe')
    try:
        types = RclpyTypes()
        color = probe.node.create_publisher(CompressedImage, COLOR_TOPIC + '/compressed', qos())
        depth = probe.node.create_publisher(CompressedImage, DEPTH_TOPIC + '/compressedDepth',
                                            qos())
        info = probe.node.create_publisher(CameraInfo, '/camera/camera/color/camera_info', qos())
        instruction = probe.node.create_publisher(String, '/rm_stop/instruction',
                                                  qos(transient_local=True, depth=1))
        contacts = probe.record(PoseStamped, '/rm_stop/contact_pose', qos())
        rgb = np.random.default_rng(1).integers(0, 255, (SIZE, SIZE, 3), dtype=np.uint8)
        depth_m = np.full((SIZE, SIZE), 1.0)
        instruction.publish(messages.make_string('Open the drawer.', types))

        def publish_frame():
            stamp = probe.node.get_clock().now().nanoseconds
            color.publish(compressed_images.make_compressed_image(rgb, types, 'jpeg', stamp,
                                                                  FRAME))
            depth.publish(compressed_images.make_compressed_depth(depth_m, '16UC1', types,
                                                                  stamp, FRAME))
            info.publish(messages.make_camera_info(K, SIZE, SIZE, types, FRAME, stamp))

        last = [0.0]

        def step():
            if time.monotonic() - last[0] > 0.1:
                last[0] = time.monotonic()
                publish_frame()

        assert probe.spin_until(lambda: contacts, 60.0, step), node.log()
        assert contacts[0][1].header.frame_id == FRAME
    finally:
        probe.node.destroy_node()
        code = node.stop(signal.SIGINT)
    assert code == 0, node.log()
    assert node.stop_s <= STOP_LIMIT_S, node.stop_s


def test_a_bad_parameter_ends_the_node_with_one_line(tmp_path):
    require_rclpy()
    ros_environment()
    node = NodeProcess('dmm_node', tmp_path, {'executor': 'bogus'}, name='dmm_bad')
    node.process.wait(timeout=30)
    log = node.log()
    node.stop()
    assert node.process.returncode == 1
    assert "parameter 'executor' = 'bogus' is not one of" in log and 'Traceback' not in log


def test_use_sim_time_without_clock_warns_what_to_check(tmp_path):
    require_rclpy()
    ros_environment()
    node = NodeProcess('dmm_node', tmp_path, {'use_sim_time': True}, name='dmm_no_clock')
    try:
        node.wait_for('no /clock', 20.0)
    finally:
        node.stop(signal.SIGINT)
    log = node.log()
    assert 'use_sim_time is true but no /clock message since start-up' in log, log
    assert 'sapien_bridge' in log and log.count('no /clock') == 1
