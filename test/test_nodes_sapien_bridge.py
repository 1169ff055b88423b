# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The SAPIEN bridge in the in-process graph: state topics, commands, episodes and results.

The bridge's logic does not depend on the ROS distribution, so the tests run on one; the state
topics (message types and bytes) run on both.
"""

import json
import logging

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters, validate
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters
from robomamba_ros.nodes.sapien_bridge import SapienBridgeCore, SapienBridgeParameters
from robomamba_ros.ros.messages import (
    camera_info_to_intrinsics, depth_image_to_m, encode_depth, image_to_rgb,
    joint_state_to_numpy, make_bool, make_pose_stamped, make_twist_stamped, numpy_to_image,
    pose_stamped_to_numpy, time_to_ns)
from robomamba_ros.ros.tf_messages import tf_message_to_transforms
from robomamba_ros.sim import contact_sampling, language
from robomamba_ros.sim.episode import episode_rng
from robomamba_ros.sim.evaluate import eval_episode_seed

DISTROS = ('humble', 'jazzy')
NODE = '/sapien_bridge'
GOAL, TWIST, GRASP = '/robomamba/goal_pose', '/dmm_node/twist', '/dmm_node/grasp'


def make_bridge(distro='humble', render=False, **overrides):
    overrides.setdefault('categories', ('drawer_cabinet',))
    graph = InProcessGraph(distro=distro)
    bridge = graph.add(SapienBridgeCore, validate(SapienBridgeParameters(**overrides)),
                       render=render)
    graph.tap(NODE + '/ee_pose')  # taps record from the moment they are made
    return graph, bridge


def tcp_pose(graph):
    """Return the newest TCP pose in the world from ~/ee_pose (4x4)."""
    data = pose_stamped_to_numpy(graph.tap(NODE + '/ee_pose')[-1][1])
    return geometry.pose_to_matrix(data.position, data.quat_xyzw)


def send_goal(graph, T_world_tcp, frame='world'):
    position, quat = geometry.matrix_to_pose(T_world_tcp)
    graph.publish(GOAL, 'geometry_msgs/msg/PoseStamped',
                  make_pose_stamped(position, quat, frame, graph.now_ns, graph.types))


def send_twist(graph, linear, angular=(0.0, 0.0, 0.0), frame='world'):
    graph.publish(TWIST, 'geometry_msgs/msg/TwistStamped',
                  make_twist_stamped(linear, angular, frame, graph.now_ns, graph.types))


def send_grasp(graph, close):
    graph.publish(GRASP, 'std_msgs/msg/Bool', make_bool(close, graph.types))


def pullable_contact(episode):
    """Return a contact point and gripper rotation whose pull (-up) opens the part (test-side)."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        label = episode.sample_label(rng)
        if label is None:
            continue
        R = geometry.gripper_rotation(label.up_world, label.forward_world)
        opening = contact_sampling.opening_direction(episode.object, label.point_world_m)
        if float(-R[:, 2] @ opening) >= 0.8:
            return np.asarray(label.point_world_m), R
    raise AssertionError('no pullable contact label')


def attach_at_pullable_contact(graph, bridge):
    """Put the hand at a pullable contact, close the suction; return the point and rotation."""
    graph.advance(0.05)
    point, R = pullable_contact(bridge.episode)
    bridge.episode.gripper.teleport(geometry.gripper_pose(point, R[:, 2], R[:, 0], 0.11))
    graph.advance(0.05)
    send_grasp(graph, True)
    return point, R


@pytest.mark.parametrize('distro', DISTROS)
def test_state_topics_tf_and_ee_pose_agree(distro):
    graph, bridge = make_bridge(distro)
    taps = {name: graph.tap(topic) for name, topic in (
        ('clock', '/clock'), ('tf', '/tf'), ('joints', '/joint_states'),
        ('holding', '/gripper/holding'), ('info', '/camera/camera/color/camera_info'),
        ('instruction', '/robomamba/instruction'), ('color', '/camera/camera/color/image_raw'))}
    graph.advance(0.25)
    episode = bridge.episode
    assert bridge.episode_index == 0 and episode.category == 'drawer_cabinet'
    assert episode.seed == eval_episode_seed(0, 'drawer_cabinet', 0)
    # Lockstep: one tick per 10 ms, sim time = the graph's clock, stamps = sim time.
    assert len(taps['clock']) == 25
    for now_ns, msg in taps['clock']:
        assert time_to_ns(msg.clock) == now_ns
    now_ns, ee = graph.tap(NODE + '/ee_pose')[-1]
    ee_data = pose_stamped_to_numpy(ee)
    assert ee_data.frame_id == 'world' and ee_data.stamp_ns == now_ns == graph.now_ns
    T_tf, stamp = graph.tf.lookup('world', 'panda_hand_tcp')
    assert stamp == now_ns
    T_hand = episode.gripper.pose()
    np.testing.assert_allclose(tcp_pose(graph), T_tf, atol=1e-6)
    np.testing.assert_allclose(T_tf, geometry.gripper_pose_to_tcp(T_hand), atol=1e-6)
    # The TCP is TCP_OFFSET_M in front of the hand along its approach axis.
    np.testing.assert_allclose(T_tf[:3, 3] - T_hand[:3, 3],
                               geometry.TCP_OFFSET_M * T_hand[:3, 2], atol=1e-6)
    # Home: outside the object's bounding sphere, approach axis at the object's centre.
    obj = episode.object
    to_center = obj.center_m - T_hand[:3, 3]
    assert np.linalg.norm(to_center) > obj.bounding_radius_m + 0.15
    assert T_hand[:3, 2] @ to_center / np.linalg.norm(to_center) == pytest.approx(1.0)
    # Camera: TF at camera ticks (10 Hz), camera info in the ROS pixel-centre convention.
    T_cam, _ = graph.tf.lookup('world', 'camera_color_optical_frame')
    np.testing.assert_allclose(T_cam, episode.camera.T_world_camera, atol=1e-6)
    camera_children = [now for now, msg in taps['tf'] for _, child, _, _ in
                       tf_message_to_transforms(msg) if child == 'camera_color_optical_frame']
    assert len(camera_children) == 3 and len(taps['info']) == 3
    info = camera_info_to_intrinsics(taps['info'][-1][1])
    assert (info.width, info.height, info.frame_id) == (336, 336, 'camera_color_optical_frame')
    assert (info.cx, info.cy) == (336 / 2 - 0.5, 336 / 2 - 0.5)
    np.testing.assert_allclose(info.K, episode.camera.K)
    assert taps['color'] == []  # physics only: no pictures
    joints = joint_state_to_numpy(taps['joints'][-1][1])
    assert joints.names == ['panda_finger_joint1', 'panda_finger_joint2']
    assert joints.position == pytest.approx([0.0, 0.0], abs=2e-3)
    assert taps['holding'][-1][1].data is False
    text = language.instruction('drawer_cabinet', obj.part_name,
                                episode_rng('drawer_cabinet', episode.seed, 'instruction'))
    assert [msg.data for _, msg in taps['instruction']] == [text]


def test_twist_moves_the_tcp_at_the_commanded_velocity():
    graph, bridge = make_bridge()
    graph.advance(0.05)
    v_tcp, w = np.array([0.05, -0.1, 0.08]), np.array([0.0, 0.0, 0.4])
    samples = []
    for _ in range(20):
        send_twist(graph, v_tcp, w)
        graph.advance(0.05)
        samples.append((graph.now_ns, tcp_pose(graph)))
    (t0, T0), (t1, T1) = samples[9], samples[-1]
    seconds = (t1 - t0) / 1e9
    velocity = (T1[:3, 3] - T0[:3, 3]) / seconds
    np.testing.assert_allclose(velocity, v_tcp, atol=0.01)
    # The TCP turned about world z at the commanded rate.
    turned = np.arccos(np.clip((np.trace(T1[:3, :3] @ T0[:3, :3].T) - 1) / 2, -1, 1))
    assert turned / seconds == pytest.approx(0.4, rel=0.08)


def test_twist_is_clipped_and_a_stale_twist_stops():
    graph, bridge = make_bridge(twist_timeout_s=0.2, max_linear_mps=0.2)
    graph.advance(0.05)
    start = tcp_pose(graph)[:3, 3]
    send_twist(graph, [0.0, 0.0, 1.0])  # clipped to 0.2 m/s
    graph.advance(0.6)
    middle = tcp_pose(graph)[:3, 3]
    graph.advance(0.5)
    end = tcp_pose(graph)[:3, 3]
    moved = middle - start
    # About 0.2 s at 0.2 m/s straight up, then it stopped.
    assert moved[2] == pytest.approx(0.04, abs=0.012)
    assert np.linalg.norm(moved[:2]) < 2e-3
    assert np.linalg.norm(end - middle) < 1e-3


def test_pose_goal_converges_without_jumps():
    graph, bridge = make_bridge(max_linear_mps=0.4, max_angular_radps=1.0)
    graph.advance(0.05)
    start = tcp_pose(graph)
    goal = start.copy()
    direction = -start[:3, 2]  # back, away from the object
    goal[:3, 3] += 0.3 * direction + np.array([0.0, 0.0, 0.1])
    turn = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # 90 deg about z
    goal[:3, :3] = turn @ start[:3, :3]
    send_goal(graph, goal)
    positions = []
    for _ in range(250):  # 0.8 s to get there, 1.6 s to turn, then the drive's lag
        graph.advance(0.01)
        positions.append(tcp_pose(graph)[:3, 3])
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    # Never faster than the limit (plus the TCP's lever arm while turning), no jump.
    assert steps.max() < 0.4 * 0.01 * 1.3
    T = tcp_pose(graph)
    assert np.linalg.norm(T[:3, 3] - goal[:3, 3]) < 5e-3
    cos = (np.trace(T[:3, :3] @ goal[:3, :3].T) - 1.0) / 2.0
    assert cos > np.cos(np.radians(2.0))


class FixedAnswer:
    """A pose source for robomamba_node that gives the answer the test set."""

    answer = None

    def __call__(self, rgb, depth, K, instruction):
        return self.answer


def stream_goals_into_the_bridge(repo_root, seconds, **bridge_limits):
    """
    Let robomamba_node stream goals into the bridge; sample the bridge's drive target per tick.

    The node sees a flat depth image and answers a contact in front of the object with the
    approach tilted by 0.5 rad and turned by 1 rad from the home pose, so the path both moves
    and turns.

    :return: ``(bridge, start (TCP drive target before the stream), target (the node's goal
        target, 4x4), goals [4x4], samples [(goals so far, drive target of the TCP)])``.
    """
    graph, bridge = make_bridge(image_width=64, image_height=48, **bridge_limits)
    source = FixedAnswer()
    node = graph.add(RoboMambaNodeCore, load_parameters(
        RoboMambaNodeParameters, 'robomamba_node',
        [repo_root / 'config' / 'robomamba.yaml', repo_root / 'config' / 'sim.yaml']),
        pose_source=source)
    infos, goal_msgs = graph.tap('/camera/camera/color/camera_info'), graph.tap(GOAL)
    graph.advance(0.01)  # the first tick starts the episode and its first camera frame
    episode = bridge.episode
    T_world_camera = episode.camera.T_world_camera
    start = bridge.runner.drive_target_tcp()
    R_home = start[:3, :3]
    towards_camera = T_world_camera[:3, 3] - episode.object.center_m
    towards_camera /= np.linalg.norm(towards_camera)
    contact = episode.object.center_m + (episode.object.bounding_radius_m - 0.15) * towards_camera
    R_tilted = geometry.axis_angle_to_matrix(0.5 * R_home[:, 0]) @ R_home
    R_goal = geometry.axis_angle_to_matrix(1.0 * R_tilted[:, 2]) @ R_tilted
    p_cam = geometry.transform_points(geometry.invert_transform(T_world_camera), contact)
    R_cam_world = T_world_camera[:3, :3].T
    source.answer = (geometry.project(p_cam, episode.camera.K), R_cam_world @ R_goal[:, 2],
                     R_cam_world @ R_goal[:, 0])
    stamp = time_to_ns(infos[-1][1].header.stamp)
    frame = 'camera_color_optical_frame'
    graph.publish('/camera/camera/color/image_raw', 'sensor_msgs/msg/Image', numpy_to_image(
        np.zeros((48, 64, 3), np.uint8), 'rgb8', graph.types, stamp, frame))
    graph.publish('/camera/camera/aligned_depth_to_color/image_raw', 'sensor_msgs/msg/Image',
                  numpy_to_image(np.full((48, 64), p_cam[2], np.float32), '32FC1', graph.types,
                                 stamp, frame))
    samples = []
    for _ in range(int(round(seconds / 0.01))):
        graph.advance(0.01)
        samples.append((len(goal_msgs), bridge.runner.drive_target_tcp()))
    result = node.last_result
    target = geometry.pose_to_matrix(result['goal_target'], result['quat_xyzw'])
    goals = []
    for _, msg in goal_msgs:
        data = pose_stamped_to_numpy(msg)
        goals.append(geometry.pose_to_matrix(data.position, data.quat_xyzw))
    return bridge, start, target, goals, samples


def on_path(T, start, end):
    """
    Place a pose on the straight line and slerp arc from ``start`` to ``end``.

    :return: ``(fraction s of the way by position, distance of the position from the line (m),
        distance of the quaternion from the slerp at s)``.
    """
    p0, q0 = geometry.matrix_to_pose(start)
    p1, q1 = geometry.matrix_to_pose(end)
    p, q = geometry.matrix_to_pose(T)
    d = p1 - p0
    s = float((p - p0) @ d / (d @ d))
    q_path = geometry.slerp(q0, q1, s)
    return s, float(np.linalg.norm(p - (p0 + s * d))), \
        float(min(np.linalg.norm(q - q_path), np.linalg.norm(q + q_path)))


def same_pose(A, B, tol=1e-9):
    return np.abs(A[:3, 3] - B[:3, 3]).max() < tol and np.abs(A[:3, :3] - B[:3, :3]).max() < tol


def test_the_drive_target_follows_robomamba_nodes_goal_stream_goal_by_goal(repo_root):
    # Faster than the node's stream (0.25 m/s, 1.5 rad/s): one tick reaches each goal.
    bridge, start, target, goals, samples = stream_goals_into_the_bridge(
        repo_root, 1.3, max_linear_mps=1.0, max_angular_radps=6.0)
    assert len(goals) > 40 and same_pose(goals[-1], target)
    distance = np.linalg.norm(target[:3, 3] - start[:3, 3])
    angle = geometry.rotation_angle(target[:3, :3], start[:3, :3])
    assert distance > 0.15 and angle > 1.0  # the path moves and turns
    # The node's goals walk the straight line and the slerp arc from the TCP to its target.
    fractions = []
    for goal in goals:
        s, off_line, off_arc = on_path(goal, start, target)
        assert off_line < 1e-6 and off_arc < 1e-6
        fractions.append(s)
    assert np.all(np.diff(fractions) >= 0.0) and fractions[-1] == pytest.approx(1.0)
    # The TCP's drive target is on that path at every tick and at each goal once it came.
    previous = 0
    for count, drive in samples:
        s, off_line, off_arc = on_path(drive, start, target)
        assert off_line < 1e-6 and off_arc < 1e-6
        if count and count == previous:
            assert same_pose(drive, goals[count - 1])
        previous = count
    assert same_pose(samples[-1][1], target)


def test_a_slower_bridge_lags_on_the_goal_streams_path_at_its_own_speed_limit(repo_root):
    # Slower than the node's stream: the bridge's limit binds, translation first (0.1 m/s).
    bridge, start, target, goals, samples = stream_goals_into_the_bridge(
        repo_root, 1.0, max_linear_mps=0.1, max_angular_radps=1.5)
    dt = bridge.runner.dt_ns / 1e9
    step_m, step_rad = 0.1 * dt * bridge.substeps, 1.5 * dt * bridge.substeps
    moving = [(count, drive) for count, drive in samples if count]
    assert len(moving) > 50
    for (_, drive), (count, following) in zip(moving, moving[1:]):
        # On the node's path, behind its newest goal.
        s, off_line, off_arc = on_path(following, start, target)
        assert off_line < 1e-6 and off_arc < 1e-6
        assert s < on_path(goals[count - 1], start, target)[0] - 0.01
        # A tick's physics steps toward any goal ahead on the path move the target as one
        # step of the tick's length toward the node's final target: translation and rotation
        # advance by one shared fraction, so the path does not depend on how it was cut.
        expected, reached = geometry.step_transform_toward(drive, target, step_m, step_rad)
        assert not reached and same_pose(following, expected)
        assert np.linalg.norm(following[:3, 3] - drive[:3, 3]) == pytest.approx(step_m)


def test_fresh_twist_overrides_the_goal_which_applies_again_later():
    graph, bridge = make_bridge(twist_timeout_s=0.1)
    graph.advance(0.05)
    start = tcp_pose(graph)
    send_goal(graph, start)  # hold here
    for _ in range(5):
        send_twist(graph, [0.0, 0.0, 0.2])
        graph.advance(0.05)
    lifted = tcp_pose(graph)[2, 3] - start[2, 3]
    assert lifted > 0.03
    graph.advance(1.0)
    assert np.linalg.norm(tcp_pose(graph)[:3, 3] - start[:3, 3]) < 3e-3


def test_bad_commands_are_ignored_with_a_warning(caplog):
    graph, bridge = make_bridge()
    graph.advance(0.05)
    start = tcp_pose(graph)
    far = start.copy()
    far[:3, 3] += [0.2, 0.0, 0.0]
    caplog.set_level(logging.WARNING)
    send_goal(graph, far, frame='panda_link0')
    send_twist(graph, [0.1, 0.0, 0.0], frame='camera_color_optical_frame')
    away = start.copy()
    away[:3, 3] = bridge.episode.object.center_m + [50.0, 0.0, 0.0]
    send_goal(graph, away)
    position, quat = geometry.matrix_to_pose(start)
    nan_goal = make_pose_stamped(position, quat, 'world', graph.now_ns, graph.types)
    nan_goal.pose.position.x = float('nan')
    graph.publish(GOAL, 'geometry_msgs/msg/PoseStamped', nan_goal)
    zero_quat = make_pose_stamped(position, quat, 'world', graph.now_ns, graph.types)
    for axis in 'xyzw':
        setattr(zero_quat.pose.orientation, axis, 0.0)
    graph.publish(GOAL, 'geometry_msgs/msg/PoseStamped', zero_quat)
    inf_twist = make_twist_stamped([0.1, 0, 0], [0, 0, 0], 'world', graph.now_ns, graph.types)
    inf_twist.twist.angular.z = float('inf')
    graph.publish(TWIST, 'geometry_msgs/msg/TwistStamped', inf_twist)
    graph.advance(0.5)
    assert np.linalg.norm(tcp_pose(graph)[:3, 3] - start[:3, 3]) < 1e-3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum('pose goal ignored' in w for w in warnings) == 4
    assert sum('twist ignored' in w for w in warnings) == 2


def test_grasp_attaches_only_near_the_movable_part(caplog):
    graph, bridge = make_bridge()
    holding = graph.tap('/gripper/holding')
    graph.advance(0.05)
    caplog.set_level(logging.WARNING)
    for _ in range(10):  # at home, far from the part; streamed as dmm_node does
        send_grasp(graph, True)
        graph.advance(0.05)
    assert holding[-1][1].data is False and not bridge.episode.gripper.attached
    # A refused stream warns once per second, not at every message.
    refused = [r for r in caplog.records if 'grasp refused' in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.WARNING]
    episode = bridge.episode
    point, R = pullable_contact(episode)
    # 2 cm short of the contact pose: the suction cup is 2 cm from the surface.
    episode.gripper.teleport(geometry.gripper_pose(point, R[:, 2], R[:, 0], 0.12))
    graph.advance(0.05)
    send_grasp(graph, True)
    graph.advance(0.02)
    assert holding[-1][1].data is True and episode.gripper.attached
    send_grasp(graph, False)
    graph.advance(0.02)
    assert holding[-1][1].data is False and not episode.gripper.attached


def test_pull_opens_the_part_and_publishes_a_success_record():
    graph, bridge = make_bridge(max_linear_mps=0.3)
    results = graph.tap(NODE + '/result')
    point, R = attach_at_pullable_contact(graph, bridge)
    episode = bridge.episode
    for _ in range(60):
        if results:
            break
        send_twist(graph, -0.3 * R[:, 2])
        graph.advance(0.05)
    assert len(results) == 1 and bridge.done
    record = json.loads(results[0][1].data)
    assert record['end'] == 'opened' and record['success'] is True and record['reason'] == ''
    assert record['attached'] is True and record['open_fraction'] >= 0.5
    assert record['category'] == 'drawer_cabinet' and record['split'] == 'seen'
    assert record['episode_seed'] == episode.seed and record['direction_dot'] > 0.3
    assert record['delta_q'] > 0.0 and 0.0 < record['duration_s'] < 3.5
    assert np.linalg.norm(np.array(record['contact_point_world_m']) - point) < 0.03


def test_a_pull_that_came_to_rest_ends_the_episode_as_settled():
    def pull_then_rest(settle_s):
        graph, bridge = make_bridge(settle_s=settle_s, episode_timeout_s=4.0)
        results = graph.tap(NODE + '/result')
        _, R = attach_at_pullable_contact(graph, bridge)
        for _ in range(4):  # 0.2 s of pulling, then the twist stops and the hand holds still
            send_twist(graph, -0.3 * R[:, 2])
            graph.advance(0.05)
        while not results:
            graph.advance(0.1)
        return json.loads(results[0][1].data)

    record = pull_then_rest(0.5)
    assert record['end'] == 'settled' and record['attached'] is True
    assert record['success'] is True and 0.0 < record['open_fraction'] < 0.5
    # At rest for 0.5 s after the twist timed out (0.25 s) and the hand stopped.
    assert 0.9 < record['duration_s'] < 2.0
    record = pull_then_rest(0.0)  # never settles: the part stays where the pull left it
    assert record['end'] == 'timeout' and record['success'] is True
    assert record['duration_s'] == pytest.approx(4.0)


def test_timeout_publishes_a_failure_record_and_auto_reset_starts_the_next():
    graph, bridge = make_bridge(episode_timeout_s=0.3, auto_reset=True,
                                categories=('drawer_cabinet', 'laptop'))
    results = graph.tap(NODE + '/result')
    instructions = graph.tap('/robomamba/instruction')
    graph.advance(0.35)
    assert len(results) == 1
    record = json.loads(results[0][1].data)
    assert record['end'] == 'timeout' and record['success'] is False
    assert record['reason'] == 'no contact' and record['attached'] is False
    assert record['duration_s'] == pytest.approx(0.3)
    assert record['episode_index'] == 0
    graph.advance(0.02)
    assert bridge.episode_index == 1 and bridge.episode.category == 'laptop'
    assert not bridge.done
    # Its instruction comes with its first camera frame, at the camera's next tick.
    graph.advance(1.0 / bridge.params.camera_rate_hz)
    assert len(instructions) == 2


def test_without_auto_reset_the_episode_stays_done_until_reset():
    graph, bridge = make_bridge(episode_timeout_s=0.2,
                                categories=('drawer_cabinet', 'laptop'), scenes_per_category=2)
    results = graph.tap(NODE + '/result')
    instructions = graph.tap('/robomamba/instruction')
    infos = graph.tap('/camera/camera/color/camera_info')
    graph.advance(0.5)
    assert bridge.done and len(results) == 1 and bridge.episode_index == 0
    plan = [('drawer_cabinet', 0), ('laptop', 0), ('drawer_cabinet', 1), ('laptop', 1),
            ('drawer_cabinet', 0)]
    for k, (category, scene) in enumerate(plan[1:], start=1):
        response = graph.call_service(NODE + '/reset')
        assert response['success'] is True
        seed = eval_episode_seed(0, category, scene)
        assert f'episode {k}: {category} scene {scene} (seed {seed})' in response['message']
        assert bridge.episode_index == k and bridge.episode.seed == seed
        assert not bridge.done
        # The instruction goes out with the episode's first camera frame, after the reset. The
        # camera keeps its rate: that frame comes at the next camera tick, a camera period
        # after the previous scene's last frame (no synchroniser pairs the two scenes).
        reset_ns = graph.now_ns
        seen = len(infos)
        while len(infos) == seen:
            graph.advance(0.01)
        assert graph.now_ns - reset_ns <= 1e9 / bridge.params.camera_rate_hz
        assert len(instructions) == k + 1 and len(infos) == seen + 1
        assert instructions[-1][0] == infos[-1][0] > reset_ns
        stamps = [time_to_ns(msg.header.stamp) for _, msg in infos]
        assert np.min(np.diff(stamps)) >= 1e9 / bridge.params.camera_rate_hz
    # Sim time never goes back across episodes.
    clock = [time_to_ns(msg.clock) for _, msg in graph.tap('/clock')]
    graph.advance(0.05)
    clock += [time_to_ns(msg.clock) for _, msg in graph.tap('/clock')[len(clock):]]
    assert np.all(np.diff(clock) > 0)


def test_no_autostart_waits_for_reset():
    graph, bridge = make_bridge(autostart=False)
    graph.advance(0.1)
    assert bridge.episode is None and graph.tap(NODE + '/ee_pose') == []
    graph.call_service(NODE + '/reset')
    graph.advance(0.02)
    assert bridge.episode_index == 0 and graph.tap(NODE + '/ee_pose')


def test_without_lockstep_the_sim_follows_elapsed_time():
    graph, bridge = make_bridge(lockstep=False, max_steps_per_tick=20)
    bridge.on_step(1_000_000_000)
    assert bridge.sim_time_ns == 1_000_000_000
    bridge.on_step(1_013_000_000)  # 13 ms: six 2 ms steps, 1 ms carried over
    assert bridge.sim_time_ns == 1_012_000_000
    bridge.on_step(1_016_000_000)  # 3 ms + 1 ms carried
    assert bridge.sim_time_ns == 1_016_000_000
    bridge.on_step(2_000_000_000)  # a long stall is capped
    assert bridge.sim_time_ns == 1_016_000_000 + 20 * 2_000_000


def test_parameters_from_the_sim_config(repo_root):
    params = load_parameters(SapienBridgeParameters, 'sapien_bridge',
                             [repo_root / 'config' / 'sim.yaml'])
    assert params.world_frame == 'world' and params.ee_frame == 'panda_hand_tcp'
    assert params.camera_frame == 'camera_color_optical_frame'
    # Aligned depth in millimetres, as a RealSense publishes it, in sim.yaml and by default.
    assert params.depth_encoding == SapienBridgeParameters().depth_encoding == '16UC1'
    with pytest.raises(ValueError, match='depth_encoding'):
        load_parameters(SapienBridgeParameters, 'sapien_bridge', [],
                        {'depth_encoding': 'mono8'})
    with pytest.raises(ValueError, match='categories'):
        load_parameters(SapienBridgeParameters, 'sapien_bridge', [],
                        {'categories': ['spaceship']})


def test_depth_encodings_agree():
    depth = np.array([[0.0, 0.5004, 1.2346], [np.nan, np.inf, 70.0]])
    m = encode_depth(depth, '32FC1')
    mm = encode_depth(depth, '16UC1')
    assert m.dtype == np.float32 and mm.dtype == np.uint16
    np.testing.assert_array_equal(mm, [[0, 500, 1235], [0, 0, 0]])
    np.testing.assert_allclose(m, [[0.0, 0.5004, 1.2346], [0.0, 0.0, 70.0]], rtol=1e-6)


@pytest.mark.render
def test_camera_topics_rendered():
    pictures = {}
    for encoding in ('32FC1', '16UC1'):
        graph, bridge = make_bridge(render=True, depth_encoding=encoding)
        color = graph.tap('/camera/camera/color/image_raw')
        depth = graph.tap('/camera/camera/aligned_depth_to_color/image_raw')
        info = graph.tap('/camera/camera/color/camera_info')
        graph.advance(0.15)
        assert len(color) == len(depth) == len(info) == 2
        for msgs in (color, depth, info):
            assert msgs[-1][1].header.frame_id == 'camera_color_optical_frame'
            assert time_to_ns(msgs[-1][1].header.stamp) == msgs[-1][0]
        assert color[-1][1].encoding == 'rgb8' and depth[-1][1].encoding == encoding
        intrinsics = camera_info_to_intrinsics(info[-1][1])
        assert (intrinsics.cx, intrinsics.cy) == (167.5, 167.5)
        np.testing.assert_allclose(intrinsics.K, bridge.observation.K)
        rgb = image_to_rgb(color[-1][1])
        np.testing.assert_array_equal(rgb, bridge.observation.rgb)
        pictures[encoding] = depth_image_to_m(depth[-1][1])
        np.testing.assert_allclose(np.nan_to_num(pictures[encoding]),
                                   bridge.observation.depth_m, atol=5e-4)
    metres, millimetres = pictures['32FC1'], pictures['16UC1']
    assert np.array_equal(np.isnan(metres), np.isnan(millimetres))
    valid = ~np.isnan(metres)
    assert valid.mean() > 0.05
    assert np.abs(metres[valid] - millimetres[valid]).max() <= 5e-4 + 1e-6


def test_suite_v2_names_the_part_and_fails_a_pull_of_another_one():
    graph, bridge = make_bridge(suite='v2', categories=('chest_of_drawers',),
                                max_linear_mps=0.3, episode_timeout_s=2.0)
    results = graph.tap(NODE + '/result')
    graph.advance(0.05)
    episode = bridge.episode
    obj = episode.object
    assert episode.camera.config.fov_y_deg == 45.0 and len(obj.parts) >= 2
    assert obj.referring[len('the '):] in bridge._instruction
    wrong = next(p for i, p in enumerate(obj.parts) if i != obj.target)
    low, high = wrong.link.compute_global_aabb_tight()
    point = np.array([low[0], (low[1] + high[1]) / 2.0, (low[2] + high[2]) / 2.0])
    up, forward = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    episode.gripper.teleport(geometry.gripper_pose(point, up, forward, 0.1))
    graph.advance(0.05)
    send_grasp(graph, True)
    for _ in range(60):
        if results:
            break
        send_twist(graph, -0.3 * up)
        graph.advance(0.05)
    record = json.loads(results[0][1].data)
    assert record['success'] is False and record['reason'] == 'wrong part moved', record
    assert record['referring'] == obj.referring and record['target_part'] == obj.target
    with pytest.raises(ValueError, match='not in suite v2'):
        make_bridge(suite='v2', categories=('drawer_cabinet',))
    with pytest.raises(ValueError, match="needs robot 'flying_hand'"):
        make_bridge(suite='v2', categories=('desk',), robot='panda')
