# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The SAPIEN bridge in the in-process graph: state topics, commands, episodes and results."""

import json
import logging

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters, validate
from robomamba_ros.nodes.sapien_bridge import SapienBridgeCore, SapienBridgeParameters
from robomamba_ros.ros.messages import (
    camera_info_to_intrinsics, depth_image_to_m, encode_depth, image_to_rgb,
    joint_state_to_numpy, make_bool, make_pose_stamped, make_twist_stamped,
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


@pytest.fixture(params=DISTROS)
def distro(request):
    return request.param


def test_state_topics_tf_and_ee_pose_agree(distro):
    graph, bridge = make_bridge(distro)
    taps = {name: graph.tap(topic) for name, topic in (
        ('clock', '/clock'), ('tf', '/tf'), ('joints', '/joint_states'),
        ('holding', '/gripper/holding'), ('info', '/camera/color/camera_info'),
        ('instruction', '/robomamba/instruction'), ('color', '/camera/color/image_raw'))}
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


def test_twist_moves_the_tcp_at_the_commanded_velocity(distro):
    graph, bridge = make_bridge(distro)
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


def test_twist_is_clipped_and_a_stale_twist_stops(distro):
    graph, bridge = make_bridge(distro, twist_timeout_s=0.2, max_linear_mps=0.2)
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


def test_pose_goal_converges_without_jumps(distro):
    graph, bridge = make_bridge(distro, max_linear_mps=0.4, max_angular_radps=1.0)
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


def test_fresh_twist_overrides_the_goal_which_applies_again_later(distro):
    graph, bridge = make_bridge(distro, twist_timeout_s=0.1)
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


def test_bad_commands_are_ignored_with_a_warning(distro, caplog):
    graph, bridge = make_bridge(distro)
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


def test_grasp_attaches_only_near_the_movable_part(distro, caplog):
    graph, bridge = make_bridge(distro)
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


def test_pull_opens_the_part_and_publishes_a_success_record(distro):
    graph, bridge = make_bridge(distro, max_linear_mps=0.3)
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


def test_timeout_publishes_a_failure_record_and_auto_reset_starts_the_next(distro):
    graph, bridge = make_bridge(distro, episode_timeout_s=0.3, auto_reset=True,
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


def test_without_auto_reset_the_episode_stays_done_until_reset(distro):
    graph, bridge = make_bridge(distro, episode_timeout_s=0.2,
                                categories=('drawer_cabinet', 'laptop'), scenes_per_category=2)
    results = graph.tap(NODE + '/result')
    instructions = graph.tap('/robomamba/instruction')
    infos = graph.tap('/camera/color/camera_info')
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
        color = graph.tap('/camera/color/image_raw')
        depth = graph.tap('/camera/aligned_depth_to_color/image_raw')
        info = graph.tap('/camera/color/camera_info')
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
