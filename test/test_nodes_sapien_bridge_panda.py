# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The SAPIEN bridge with ``robot: panda``: franka_ros2's topics and frames, and its interfaces."""

import json

import numpy as np
import pytest
import yaml

from robomamba_ros import geometry
from robomamba_ros.nodes.config_files import node_parameters
from robomamba_ros.nodes.dmm_node import DMMNodeParameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters, validate
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeParameters
from robomamba_ros.nodes.sapien_bridge import SapienBridgeCore, SapienBridgeParameters
from robomamba_ros.ros.messages import (
    joint_state_to_numpy, make_pose_stamped, make_twist_stamped, pose_stamped_to_numpy)
from robomamba_ros.sim.panda import ARM_JOINTS, FINGER_JOINTS, READY_QPOS

NODE = '/sapien_bridge'
GOAL, TWIST = '/robomamba/goal_pose', '/dmm_node/twist'
CURRENT_POSE = '/franka_robot_state_broadcaster/current_pose'
URDF_LINKS = ('panda_link1', 'panda_link2', 'panda_link3', 'panda_link4', 'panda_link5',
              'panda_link6', 'panda_link7', 'panda_link8', 'panda_hand', 'panda_hand_tcp',
              'panda_leftfinger', 'panda_rightfinger')


def make_panda_bridge(distro='humble', **overrides):
    overrides.setdefault('categories', ('drawer_cabinet',))
    graph = InProcessGraph(distro=distro)
    bridge = graph.add(SapienBridgeCore, validate(SapienBridgeParameters(robot='panda',
                                                                         **overrides)),
                       render=False)
    for topic in ('/joint_states', CURRENT_POSE, '/diagnostics', NODE + '/result',
                  NODE + '/ee_pose'):
        graph.tap(topic)
    return graph, bridge


def current_pose(graph):
    data = pose_stamped_to_numpy(graph.tap(CURRENT_POSE)[-1][1])
    return data, geometry.pose_to_matrix(data.position, data.quat_xyzw)


def send_goal(graph, T, frame):
    position, quat = geometry.matrix_to_pose(T)
    graph.publish(GOAL, 'geometry_msgs/msg/PoseStamped',
                  make_pose_stamped(position, quat, frame, graph.now_ns, graph.types))


@pytest.mark.parametrize('distro', ('humble', 'jazzy'))
def test_joint_states_tf_and_current_pose_agree(distro):
    graph, bridge = make_panda_bridge(distro)
    graph.advance(0.3)
    runner = bridge.runner
    joints = joint_state_to_numpy(graph.tap('/joint_states')[-1][1])
    assert joints.names == list(ARM_JOINTS + FINGER_JOINTS)
    q = np.asarray(joints.position)
    np.testing.assert_allclose(q[:7], READY_QPOS, atol=0.01)
    np.testing.assert_allclose(q[7:], [0.04, 0.04], atol=2e-3)  # open fingers
    data, T_base_tcp = current_pose(graph)
    assert data.frame_id == 'panda_link0' and data.stamp_ns == graph.now_ns
    # Forward kinematics of the published joints is the published TCP pose (to 1 mm).
    T_fk = runner.arm.fk(q[:7])
    assert np.linalg.norm(T_fk[:3, 3] - T_base_tcp[:3, 3]) < 1e-3
    assert geometry.rotation_angle(T_fk[:3, :3], T_base_tcp[:3, :3]) < 1e-3
    # The TF tree: world -> panda_link0 -> ... -> panda_hand_tcp, and the camera.
    for link in URDF_LINKS:
        graph.tf.lookup('panda_link0', link)
    T_tf, _ = graph.tf.lookup('panda_link0', 'panda_hand_tcp')
    np.testing.assert_allclose(T_tf, T_base_tcp, atol=1e-5)
    T_world_base, _ = graph.tf.lookup('world', 'panda_link0')
    np.testing.assert_allclose(T_world_base, runner.T_world_base, atol=1e-5)
    T_world_tcp, _ = graph.tf.lookup('world', 'panda_hand_tcp')
    np.testing.assert_allclose(T_world_tcp, runner.T_world_base @ T_base_tcp, atol=1e-5)
    ee = pose_stamped_to_numpy(graph.tap(NODE + '/ee_pose')[-1][1])
    np.testing.assert_allclose(ee.position, T_world_tcp[:3, 3], atol=1e-5)
    graph.tf.lookup('panda_link0', 'camera_color_optical_frame')
    # The flying hand is parked out of the scene.
    assert bridge.episode.gripper.pose()[2, 3] > 10.0


def test_the_wrist_camera_rides_on_the_hand_and_looks_at_the_layouts_grasp():
    from robomamba_ros.sim.wrist_camera import T_HAND_OPTICAL
    graph, bridge = make_panda_bridge(camera_mount='wrist')
    graph.advance(0.3)
    runner = bridge.runner
    # TF carries the mounting, so the camera's pose comes through the arm's chain.
    T_base_camera, _ = graph.tf.lookup('panda_link0', 'camera_color_optical_frame')
    T_base_hand, _ = graph.tf.lookup('panda_link0', 'panda_hand')
    np.testing.assert_allclose(T_base_camera, T_base_hand @ T_HAND_OPTICAL, atol=1e-6)
    np.testing.assert_allclose(runner.T_world_base @ T_base_camera,
                               runner.episode.camera.T_world_camera, atol=1e-4)
    # The arm starts in the layout's observation pose: the TCP 0.45 m back from the reference
    # contact along the approach, the camera seeing it in the lower middle of the image.
    grasp, K = runner.grasp, runner.episode.camera.K
    assert runner.layout.reachable and grasp is not None
    _, T_base_tcp = current_pose(graph)
    T_world_tcp = runner.T_world_base @ T_base_tcp
    offset = grasp.point_world_m - T_world_tcp[:3, 3]
    assert np.linalg.norm(offset) == pytest.approx(0.45, abs=0.01)
    assert np.degrees(np.arccos(offset @ grasp.up_world / np.linalg.norm(offset))) < 1.0
    point_cam = geometry.transform_points(geometry.invert_transform(
        runner.T_world_base @ T_base_camera), grasp.point_world_m)
    np.testing.assert_allclose(geometry.project(point_cam, K), grasp.pixel_uv, atol=0.5)
    assert abs(grasp.pixel_uv[0] - K[0, 2]) < 10 and K[1, 2] < grasp.pixel_uv[1] < 336
    with pytest.raises(ValueError, match='wrist.*panda'):
        InProcessGraph().add(SapienBridgeCore, validate(SapienBridgeParameters(
            camera_mount='wrist')), render=False)


def test_a_lab_tripod_a_metre_away_is_a_parameter():
    graph, bridge = make_panda_bridge(camera_distance_m=(0.6, 1.2), categories=('microwave',))
    graph.advance(0.1)
    episode = bridge.episode
    distance = np.linalg.norm(episode.camera.T_world_camera[:3, 3] - episode.object.center_m)
    assert 0.6 <= distance <= 1.2 and bridge.runner.layout.reachable
    T_world_camera, _ = graph.tf.lookup('world', 'camera_color_optical_frame')
    np.testing.assert_allclose(T_world_camera, episode.camera.T_world_camera, atol=1e-5)
    with pytest.raises(ValueError, match='camera_distance_m'):
        make_panda_bridge(camera_distance_m=(1.2, 0.6))


def test_a_goal_stream_in_the_base_frame_moves_the_tcp_along_it():
    graph, bridge = make_panda_bridge()
    graph.advance(0.1)
    _, T = current_pose(graph)
    T_goal = T.copy()
    for _ in range(25):  # 4 mm every 20 ms towards the base, 10 cm in all
        T_goal = T_goal.copy()
        T_goal[0, 3] -= 0.004
        send_goal(graph, T_goal, 'panda_link0')
        graph.advance(0.02)
    graph.advance(0.5)
    _, T_now = current_pose(graph)
    assert np.linalg.norm(T_now[:3, 3] - T_goal[:3, 3]) < 2e-3
    assert bridge.runner.failure == ''


def test_a_goal_that_jumps_stops_the_arm_and_is_reported_on_diagnostics_and_the_result():
    graph, bridge = make_panda_bridge(episode_timeout_s=0.5)
    graph.advance(0.1)
    _, T = current_pose(graph)
    T_goal = T.copy()
    T_goal[2, 3] -= 0.15
    send_goal(graph, T_goal, 'panda_link0')
    graph.advance(0.6)
    _, T_now = current_pose(graph)
    assert np.linalg.norm(T_now[:3, 3] - T[:3, 3]) < 2e-3  # it did not move
    statuses = [s for _, msg in graph.tap('/diagnostics') for s in msg.status]
    assert len(statuses) == 1 and 'discontinuity' in statuses[0].message
    record = json.loads(graph.tap(NODE + '/result')[-1][1].data)
    assert record['robot'] == 'panda' and record['gripper'] == 'fingers'
    assert record['failure'] == 'discontinuity' and not record['success']
    assert record['end'] == 'timeout'


def test_a_twist_in_the_base_frame_moves_the_tcp_and_a_stale_one_halts_it():
    graph, bridge = make_panda_bridge(twist_timeout_s=0.1)
    graph.advance(0.1)
    _, T0 = current_pose(graph)
    for _ in range(20):  # 0.1 m/s along the base's -x for 0.2 s
        graph.publish(TWIST, 'geometry_msgs/msg/TwistStamped',
                      make_twist_stamped((-0.1, 0.0, 0.0), (0.0, 0.0, 0.0), 'panda_link0',
                                         graph.now_ns, graph.types))
        graph.advance(0.01)
    graph.advance(0.3)  # the stream stopped: the arm halts
    _, T1 = current_pose(graph)
    graph.advance(0.3)
    _, T2 = current_pose(graph)
    moved = T1[:3, 3] - T0[:3, 3]
    # 2 cm while streamed, then up to the timeout's 1 cm on the last twist before halting.
    assert -0.032 < moved[0] < -0.018 and abs(moved[1]) < 3e-3
    assert np.linalg.norm(T2[:3, 3] - T1[:3, 3]) < 1e-3


def test_goals_of_the_previous_scene_still_in_flight_are_dropped():
    graph, bridge = make_panda_bridge()
    graph.advance(0.1)
    _, T = current_pose(graph)
    T_far = T.copy()
    T_far[2, 3] -= 0.3  # where the previous scene's stream was
    position, quat = geometry.matrix_to_pose(T_far)
    graph.publish(GOAL, 'geometry_msgs/msg/PoseStamped',
                  make_pose_stamped(position, quat, 'panda_link0', 0, graph.types))
    graph.advance(0.2)
    assert bridge.runner.failure == ''
    send_goal(graph, T_far, 'panda_link0')  # the same jump, stamped now: a stop
    graph.advance(0.1)
    assert bridge.runner.failure == 'discontinuity'


def test_twists_of_the_previous_scene_and_a_stop_to_an_idle_arm_leave_the_pose_goals_in_charge():
    graph, bridge = make_panda_bridge()
    graph.advance(0.1)
    _, T0 = current_pose(graph)

    def twist(linear, stamp_ns):
        graph.publish(TWIST, 'geometry_msgs/msg/TwistStamped',
                      make_twist_stamped(linear, (0.0, 0.0, 0.0), 'panda_link0', stamp_ns,
                                         graph.types))

    twist((0.1, 0.0, 0.0), 0)  # a twist streamed for the previous scene
    graph.advance(0.05)
    twist((0.0, 0.0, 0.0), graph.now_ns)  # a stop, the arm not servoing
    graph.advance(0.02)
    # The pose goals still drive the arm: a stream 2 cm down is followed.
    for k in range(1, 5):
        T = T0.copy()
        T[2, 3] -= 0.005 * k
        send_goal(graph, T, 'panda_link0')
        graph.advance(0.02)
    graph.advance(0.2)
    _, T1 = current_pose(graph)
    assert bridge.runner.failure == ''
    np.testing.assert_allclose(T1[:3, 3], T0[:3, 3] - [0.0, 0.0, 0.02], atol=2e-3)


def test_commands_in_another_frame_are_ignored(caplog):
    graph, bridge = make_panda_bridge()
    graph.advance(0.1)
    _, T = current_pose(graph)
    send_goal(graph, T, 'panda_hand')
    graph.advance(0.1)
    assert "frame_id 'panda_hand' is not 'world' or 'panda_link0'" in caplog.text


def test_the_sim_config_runs_the_panda_with_the_robot_parameter(repo_root):
    params = load_parameters(SapienBridgeParameters, 'sapien_bridge',
                             [str(repo_root / 'config' / 'sim.yaml')],
                             overrides={'robot': 'panda'})
    assert params.robot == 'panda' and params.gripper == 'fingers'
    assert params.base_frame == 'panda_link0'
    with pytest.raises(ValueError, match='robot'):
        validate(SapienBridgeParameters(robot='ur5'))


def test_the_simulated_panda_and_the_real_arm_give_the_nodes_the_same_parameters(repo_root):
    # sim_panda.yaml adds to franka.yaml only what a simulator needs; the bridge listens and
    # answers on the topics and frames franka.yaml's nodes use.
    config = repo_root / 'config'
    sim_only = {'robomamba_node': {'instruction_frame_wait_s'}, 'dmm_node': {'executor'}}
    extra = yaml.safe_load((config / 'sim_panda.yaml').read_text(encoding='utf-8'))
    for node, allowed in sim_only.items():
        assert set(extra.get(node, {}).get('ros__parameters', {})) <= allowed
    files = [str(config / 'sim.yaml'), str(config / 'sim_panda.yaml')]
    bridge = load_parameters(SapienBridgeParameters, 'sapien_bridge', files)
    robomamba = node_parameters(RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml',
                                ('franka.yaml', 'sim_panda.yaml'))
    dmm = node_parameters(DMMNodeParameters, 'dmm_node', 'dmm.yaml',
                          ('franka.yaml', 'sim_panda.yaml'))
    assert bridge.robot == 'panda'
    # The simulator runs the DMM trained with the arm; the real arm's default is the scripted
    # expert, with the same model named for executor: model.
    assert (dmm.executor, dmm.shipped_model) == ('model', 'dmm-panda-tiny')
    assert node_parameters(DMMNodeParameters, 'dmm_node', 'dmm.yaml',
                           ('franka.yaml',)).executor == 'scripted'
    assert bridge.goal_topic == robomamba.goal_topic == '/cartesian_pose_controller/target_pose'
    assert bridge.twist_topic == dmm.twist_topic == '/servo_node/delta_twist_cmds'
    assert bridge.grasp_topic == dmm.grasp_topic.replace('~', '/dmm_node')
    assert bridge.current_pose_topic == dmm.ee_pose_topic
    assert bridge.holding_topic == dmm.grasp_state_topic
    assert bridge.joint_states_topic == dmm.joint_states_topic
    assert bridge.base_frame == robomamba.base_frame == dmm.base_frame == 'panda_link0'
    assert bridge.ee_frame == robomamba.ee_frame == dmm.ee_frame
    for topic in ('color_topic', 'depth_topic', 'camera_info_topic', 'instruction_topic'):
        mine = {'color_topic': 'image_topic'}.get(topic, topic)
        assert getattr(bridge, topic) == getattr(robomamba, mine)


def test_the_panda_layout_plans_for_the_goal_stream_franka_yaml_runs():
    from robomamba_ros.sim.panda_layout import PandaLayoutConfig
    robomamba = node_parameters(RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml',
                                ('franka.yaml', 'sim_panda.yaml'))
    layout = PandaLayoutConfig()
    assert layout.path_step_m == robomamba.max_goal_step_m
    assert layout.path_step_rad == robomamba.max_goal_step_rad
    assert layout.path_period_s == pytest.approx(1.0 / robomamba.goal_rate_hz)
    assert layout.pregrasp_m == robomamba.pregrasp_offset_m
    assert tuple(layout.workspace_min_m) == tuple(robomamba.workspace_min)
    assert tuple(layout.workspace_max_m) == tuple(robomamba.workspace_max)
