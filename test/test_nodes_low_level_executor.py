# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""dmm_node executors: a tiny DMM folder behind the node; the scripted expert in closed loop."""

import json
import logging

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.nodes import low_level_executor as lle
from robomamba_ros.nodes.dmm_node import DMMNodeCore, DMMNodeParameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters
from robomamba_ros.ros import messages
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped

LOW = np.array([-0.4] * 3 + [-1.5] * 3 + [-1.0])
POINT, UP, FORWARD = np.array([0.5, 0.1, 0.3]), np.array([1.0, 0.0, 0.0]), np.array([0, 0, 1.0])


def _tiny_policy_run(folder, state_dim=23, control_hz=20.0):
    """Write a train-dmm-like run folder: model/ (untrained tiny DMM + stats) and log.json."""
    import torch

    from robomamba_ros.models.configuration_dmm import DMMConfig
    from robomamba_ros.models.dmm import DecisionMetaMamba
    from robomamba_ros.offline.processing import TrajectoryStats

    torch.manual_seed(0)
    config = DMMConfig(state_dim=state_dim, act_dim=7, hidden_size=16, num_layers=1, window=3,
                       d_state=4, context_length=4, action_low=tuple(LOW),
                       action_high=tuple(-LOW))
    model = folder / 'model'
    DecisionMetaMamba(config).save_pretrained(str(model))
    TrajectoryStats(state_mean=[0.0] * state_dim, state_std=[0.5] * state_dim, rtg_scale=10.0,
                    target_return=6.0).save(str(model))
    (folder / 'log.json').write_text(json.dumps({'dataset_metadata': {'control_hz': control_hz}}))
    return folder


def _observation(T_hand, holding=False):
    return lle.build_observation(T_hand, 0.0, POINT, geometry.gripper_rotation(UP, FORWARD),
                                 holding)


def _hand(back):
    R = geometry.gripper_rotation(UP, FORWARD)
    return geometry.make_transform(R, POINT - (0.10 + back) * UP)


def test_model_executor_outputs_bounded_actions_and_tracks_the_return(tmp_path):
    run = _tiny_policy_run(tmp_path / 'run')
    executor = lle.ModelExecutor(str(run))  # the run folder: model/ is found inside
    assert executor.trained_control_hz == 20.0 and executor.target_return == 6.0
    actions = [executor(_observation(_hand(0.2 - 0.02 * i))) for i in range(5)]
    for action in actions:
        assert action.shape == (7,) and np.all(np.isfinite(action))
        assert np.all(action >= LOW - 1e-6) and np.all(action <= -LOW + 1e-6)
    assert executor.policy._state is not None
    # 4 cm of progress towards the contact pose is observable reward: 2 cm per step after the
    # first observation.
    assert executor.collected == pytest.approx(0.08, abs=1e-5)
    assert executor.return_to_go == pytest.approx(6.0 - 0.08, abs=1e-5)
    executor(_observation(_hand(0.1), holding=True))
    assert executor.collected == pytest.approx(1.08, abs=1e-5)  # attach bonus, no progress
    executor(_observation(_hand(0.3), holding=True))
    assert executor.collected == pytest.approx(1.08, abs=1e-5)  # attached: no more progress
    executor.set_target_return(20.0)
    assert executor.return_to_go == pytest.approx(20.0 - 1.08, abs=1e-5)
    executor.reset()
    assert executor.policy._state is None and executor.return_to_go == 20.0
    executor.set_target_return(-1.0)  # negative: back to the dataset's target
    assert executor.return_to_go == 6.0
    assert lle.ModelExecutor(str(run / 'model'), target_return=2.5).return_to_go == 2.5


def test_model_executor_rejects_unusable_folders(tmp_path):
    with pytest.raises(ValueError, match='needs the model_path'):
        lle.make_executor('model', '')
    with pytest.raises(ValueError, match='is not a folder'):
        lle.ModelExecutor(str(tmp_path / 'missing'))
    with pytest.raises(ValueError, match='holds no policy'):
        lle.ModelExecutor(str(tmp_path))
    run = _tiny_policy_run(tmp_path / 'wrong', state_dim=11)
    with pytest.raises(ValueError, match='needs 23 and 7'):
        lle.ModelExecutor(str(run))
    with pytest.raises(ValueError, match='executor must be one of'):
        lle.make_executor('magic')


def test_node_runs_a_model_folder(tmp_path, caplog):
    run = _tiny_policy_run(tmp_path / 'run', control_hz=10.0)
    graph = InProcessGraph()
    params = load_parameters(DMMNodeParameters, 'dmm_node', [], {
        'executor': 'model', 'model_path': str(run), 'target_return': 4.0})
    with caplog.at_level(logging.WARNING):
        core = graph.add(DMMNodeCore, params)
    assert 'trained at 10 Hz' in caplog.text  # log.json says 10 Hz, the node runs at 20
    twists = graph.tap('/dmm_node/twist')
    T_hand = _hand(0.15)
    R = geometry.gripper_rotation(UP, FORWARD)
    p, q = geometry.matrix_to_pose(geometry.make_transform(R, POINT))
    graph.publish('/robomamba_node/contact_pose', 'geometry_msgs/msg/PoseStamped',
                  messages.make_pose_stamped(p, q, 'panda_link0', graph.now_ns, graph.types))
    graph.publish('/dmm_node/return_to_go', 'std_msgs/msg/Float32',
                  graph.types.new('std_msgs/msg/Float32', data=9.0))
    assert core.executor.return_to_go == 9.0
    for _ in range(6):
        ts = make_transform_stamped(geometry.gripper_pose_to_tcp(T_hand), 'panda_link0',
                                    'panda_hand_tcp', graph.now_ns, graph.types)
        graph.publish('/tf', 'tf2_msgs/msg/TFMessage', make_tf_message([ts], graph.types))
        graph.advance(0.05)
    assert len(twists) == 6
    for _, msg in twists:
        data = messages.twist_stamped_to_numpy(msg)
        assert np.all(np.isfinite(data.linear)) and np.all(np.isfinite(data.angular))
        assert np.linalg.norm(data.linear) <= 0.4 + 1e-9
        assert np.linalg.norm(data.angular) <= 1.5 + 1e-9
    # A new target resets the DMM's recurrent state.
    assert core.executor.policy._state is not None
    p2, _ = geometry.matrix_to_pose(geometry.make_transform(R, POINT + [0, 0, 0.05]))
    graph.publish('/robomamba_node/contact_pose', 'geometry_msgs/msg/PoseStamped',
                  messages.make_pose_stamped(p2, q, 'panda_link0', graph.now_ns, graph.types))
    assert core.executor.policy._state is None and core.executor.return_to_go == 9.0


def test_task_constants_match_the_simulator():
    from robomamba_ros.tasks import low_level_pull as spec
    from robomamba_ros.sim import interaction, low_level_task

    # One definition, used by the simulator's modules and by the node's executors.
    for name in ('ACTION_SIZE', 'ATTACH_THRESHOLD', 'InteractionConfig', 'LowLevelTaskConfig',
                 'ROTATION_WEIGHT_M'):
        assert getattr(low_level_task, name) is getattr(spec, name), name
    assert interaction.InteractionConfig is spec.InteractionConfig
    config = interaction.InteractionConfig()
    assert lle.APPROACH_OFFSET_M == config.approach_offset_m == 0.15
    assert lle.CONTACT_OFFSET_M == config.contact_offset_m == 0.10
    assert lle.ROTATION_WEIGHT_M == low_level_task.ROTATION_WEIGHT_M == 0.1
    assert (lle.OBSERVATION_SIZE, lle.ACTION_SIZE) == (23, 7)
    task = low_level_task.LowLevelPullTask()
    assert task.reset('drawer_cabinet', 0).shape == (lle.OBSERVATION_SIZE,)
    assert task.config.action_low.shape == (lle.ACTION_SIZE,)


def test_twist_helpers_round_trip_and_limits():
    rng = np.random.default_rng(0)
    R = geometry.quat_xyzw_to_matrix(rng.normal(size=4))
    v, w = rng.normal(size=3), rng.normal(size=3)
    v_tcp, w_tcp = geometry.gripper_twist_to_tcp(v, w, R)
    back, w_back = geometry.tcp_twist_to_gripper(v_tcp, w_tcp, R)
    np.testing.assert_allclose(back, v, atol=1e-12)
    np.testing.assert_allclose(w_back, w)
    lin, ang = geometry.limit_twist([0.3, 0.0, 0.0], [0.0, 0.0, -0.1], 0.4, 1.5)
    np.testing.assert_allclose(lin, [0.3, 0, 0])  # within bounds: unchanged
    np.testing.assert_allclose(ang, [0, 0, -0.1])
    lin, _ = geometry.limit_twist([5.0, 0.1, 0.0], [0, 0, 0], 0.4, 1.5)
    assert np.linalg.norm(lin) == pytest.approx(0.4) and np.all(np.abs(lin) <= 0.4)


def test_scripted_executor_closes_the_loop_through_the_node():
    """LowLevelPull-v1 physics driven by the node's twist and grasp outputs only."""
    from robomamba_ros.sim.low_level_task import LowLevelPullTask

    class Recording(lle.ScriptedExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.observations = []

        def __call__(self, observation):
            self.observations.append(np.array(observation))
            return super().__call__(observation)

    task = LowLevelPullTask()
    first = task.reset('drawer_cabinet', 0)
    executor = Recording(task.config.control_hz)
    graph = InProcessGraph(distro='jazzy')
    # From the task's start pose, as the flying hand takes over (sim.yaml).
    params = load_parameters(DMMNodeParameters, 'dmm_node', [], {
        'base_frame': 'world', 'engage_distance_m': 0.4, 'engage_angle_deg': 180.0})
    core = graph.add(DMMNodeCore, params, executor=executor)
    twists, grasps = graph.tap('/dmm_node/twist'), graph.tap('/dmm_node/grasp')
    types = graph.types
    R = geometry.gripper_rotation(task.up, task.forward)
    p, q = geometry.matrix_to_pose(geometry.make_transform(R, task.point))
    graph.publish('/robomamba_node/contact_pose', 'geometry_msgs/msg/PoseStamped',
                  messages.make_pose_stamped(p, q, 'world', graph.now_ns, types))
    info, ever_attached = {}, False
    for _ in range(task.config.max_steps):
        gripper = task.episode.gripper
        T_hand = gripper.pose()
        ts = make_transform_stamped(geometry.gripper_pose_to_tcp(T_hand), 'world',
                                    'panda_hand_tcp', graph.now_ns, types)
        graph.publish('/tf', 'tf2_msgs/msg/TFMessage', make_tf_message([ts], types))
        graph.publish('/gripper/holding', 'std_msgs/msg/Bool',
                      messages.make_bool(gripper.attached, types))
        count = len(twists)
        graph.advance(1.0 / task.config.control_hz)
        assert len(twists) == count + 1, 'the start pose is within the engage distance'
        data = messages.twist_stamped_to_numpy(twists[-1][1])
        assert data.frame_id == 'world' and np.linalg.norm(data.linear) <= 0.4 + 1e-9
        linear, angular = geometry.tcp_twist_to_gripper(data.linear, data.angular, T_hand[:3, :3])
        attach = 1.0 if grasps[-1][1].data else -1.0
        _, _, terminated, truncated, info = task.step(np.concatenate([linear, angular, [attach]]))
        ever_attached |= info['attached']
        if terminated or truncated:
            break
    # The node's observation is the task's own (TCP round trip, float32).
    np.testing.assert_allclose(executor.observations[0], first, atol=1e-5)
    assert core.engaged and ever_attached
    assert info.get('success') is True and info['open_fraction'] >= 0.5


def test_scripted_executor_moves_on_when_the_hand_stalls_short_of_a_pose():
    """A hand blocked near (not at) the pre-contact, then the contact pose: approach, attach."""
    executor = lle.ScriptedExecutor(20.0, stall_s=0.5)
    side = np.array([0.0, 0.026, 0.0])  # pushed sideways, e.g. by the ground under a drawer
    blocked = _hand(0.05)
    blocked[:3, 3] += side
    actions = [executor(_observation(blocked)) for _ in range(10)]
    assert executor.controller.phase == 0 and all(a[6] < 0 for a in actions)
    action = executor(_observation(blocked))  # 0.5 s without moving: on to the contact pose
    assert executor.controller.phase == 1 and executor.stalls == 1
    assert action[0] > 0  # towards the contact pose along up (+x)
    blocked = _hand(0.0)
    blocked[:3, 3] += side  # 2.6 cm off the contact pose: beyond the expert's 2.5 cm
    actions = [executor(_observation(blocked)) for _ in range(11)]
    assert all(a[6] < 0 for a in actions[:10]) and actions[10][6] == 1.0
    # A hand stuck farther than stall_reach_m from the pose, or still moving, never moves on.
    executor.reset()
    far = _hand(0.05 + 0.2)
    assert all(executor(_observation(far))[6] < 0 for _ in range(30))
    assert executor.controller.phase == 0
    for k in range(30):  # slowly (2 mm per step), still 2 cm or more short of the pose
        executor(_observation(_hand(0.07 + 0.002 * (30 - k))))
    assert executor.controller.phase == 0 and executor.stalls == 2


def test_two_fingers_close_around_a_handle_not_at_its_front_face():
    """grasp_depth_m moves the contact pose past the surface; the gripper closes only there."""
    def attach_at(executor, back):
        executor.reset()
        executor.controller.phase = 1  # past the pre-contact pose
        return executor(_observation(_hand(back)))[6]

    fingers = lle.ScriptedExecutor(20.0, grasp_depth_m=0.015, attach_m=0.005)
    assert fingers.controller.interaction.contact_offset_m == pytest.approx(0.085)
    # At the task's contact pose (the front face): 1.5 cm short, the fingers stay open; 3 mm
    # from the deeper pose they close.
    assert attach_at(fingers, 0.0) < 0 and attach_at(fingers, -0.012) == 1.0
    # The motion goes on past the front face, along up (+x).
    assert fingers(_observation(_hand(0.0)))[0] > 0
    suction = lle.ScriptedExecutor(20.0)  # dmm.yaml: at the surface, within 2.5 cm
    assert attach_at(suction, 0.02) == 1.0
    node = InProcessGraph().add(DMMNodeCore, load_parameters(
        DMMNodeParameters, 'dmm_node', [], {'grasp_depth_m': 0.015, 'grasp_tolerance_m': 0.005}))
    assert node.executor.controller.interaction.contact_offset_m == pytest.approx(0.085)
    assert node.executor.controller.attach_m == 0.005
