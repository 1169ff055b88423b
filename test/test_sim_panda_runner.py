# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The Panda's place in a scene, and an episode run with the arm instead of the flying hand."""

import numpy as np
import pytest

sapien = pytest.importorskip('sapien')

from robomamba_ros import geometry  # noqa: E402
from robomamba_ros.sim.episode import Episode  # noqa: E402
from robomamba_ros.sim.gripper import PARKING_POSITION_M  # noqa: E402
from robomamba_ros.sim.panda import load_panda, READY_QPOS  # noqa: E402
from robomamba_ros.sim.panda_layout import (  # noqa: E402
    arm_touches, base_pose, floor_altitude, follows, grasp_waypoints, lower_floor,
    PandaLayoutConfig, plan_base)
from robomamba_ros.sim.panda_runner import (  # noqa: E402
    PANDA_TIMESTEP_S, PandaEpisodeRunner, PandaRunnerConfig)
from robomamba_ros.sim.scene import create_scene  # noqa: E402


@pytest.fixture(scope='module')
def drawer():
    episode = Episode('drawer_cabinet', 0)
    label = episode.sample_label()
    return episode, label, load_panda(episode.scene)


def test_the_base_stands_back_from_a_front_contact_and_faces_it():
    point, approach = np.array([0.0, 0.2, 0.8]), np.array([1.0, 0.0, 0.0])
    T = base_pose(point, approach, np.array([-5.0, 0.0, 3.0]), 0.6, 0.45, 0.0)
    np.testing.assert_allclose(T[:3, 3], [-0.6, 0.2, 0.35], atol=1e-9)
    np.testing.assert_allclose(T[:3, 0], [1.0, 0.0, 0.0], atol=1e-9)  # faces the contact
    np.testing.assert_allclose(T[:3, 2], [0.0, 0.0, 1.0], atol=1e-9)  # level
    # A lid (vertical approach): stand on the camera's side instead.
    T = base_pose(point, np.array([0.0, 0.0, -1.0]), np.array([0.0, 5.0, 3.0]), 0.6, 0.45, 0.0)
    np.testing.assert_allclose(T[:3, 3], [0.0, 0.8, 0.35], atol=1e-9)


def test_the_layout_reaches_the_scenes_reference_grasp_within_the_limits(drawer):
    episode, label, arm = drawer
    config = PandaLayoutConfig()
    layout = plan_base(arm, label.point_world_m, label.up_world, label.forward_world,
                       episode.camera.T_world_camera[:3, 3], config)
    assert layout.reachable and layout.tried >= 1
    assert tuple(layout.q_start) in config.start_qpos
    R_start = layout.T_world_base[:3, :3] @ arm.fk(np.array(layout.q_start))[:3, :3]
    R = geometry.nearer_half_turn(geometry.gripper_rotation(label.up_world, label.forward_world),
                                  R_start)
    waypoints = grasp_waypoints(label.point_world_m, R, config.pregrasp_m, config.pull_m)
    T_base_world = geometry.invert_transform(layout.T_world_base)
    ok, qs = follows(arm, T_base_world, waypoints, config.path_step_m, config.path_step_rad,
                     config.margin_rad, q_start=layout.q_start, period_s=config.path_period_s,
                     min_singular_value=config.min_singular_value)
    assert ok and len(qs) == 3
    for q, T_goal in zip(qs, waypoints):
        T = layout.T_world_base @ arm.fk(q)
        assert np.linalg.norm(T[:3, 3] - T_goal[:3, 3]) < 1e-3
        assert arm.within_limits(q, tolerance=-config.margin_rad)
        assert np.linalg.svd(arm.jacobian(q), compute_uv=False)[-1] > config.min_singular_value
    # The same streams, sent ten times as often, would need the joints ten times as fast.
    ok, _ = follows(arm, T_base_world, waypoints, config.path_step_m, config.path_step_rad,
                    config.margin_rad, q_start=layout.q_start,
                    period_s=config.path_period_s / 10.0)
    assert not ok


def test_a_lid_is_planned_with_the_vertical_candidates(drawer):
    episode, _, arm = drawer
    config = PandaLayoutConfig(vertical_distances_m=(0.45,), vertical_heights_m=(0.2,),
                               lateral_m=(0.0,))
    point = episode.object.center_m
    down = np.array([0.0, 0.0, -1.0])
    layout = plan_base(arm, point, down, np.array([1.0, 0.0, 0.0]),
                       episode.camera.T_world_camera[:3, 3], config)
    offset = point - layout.T_world_base[:3, 3]
    assert np.hypot(offset[0], offset[1]) == pytest.approx(0.45)
    assert offset[2] == pytest.approx(0.2)


def test_a_scene_out_of_every_candidates_reach_keeps_the_first_and_says_so(drawer):
    episode, label, arm = drawer
    config = PandaLayoutConfig(distances_m=(2.5, 3.0), heights_m=(0.4,), lateral_m=(0.0,))
    layout = plan_base(arm, label.point_world_m, label.up_world, label.forward_world,
                       episode.camera.T_world_camera[:3, 3], config)
    assert not layout.reachable and layout.tried == 2
    first = base_pose(label.point_world_m, label.up_world, episode.camera.T_world_camera[:3, 3],
                      2.5, 0.4, 0.0)
    np.testing.assert_allclose(layout.T_world_base, first)


def test_the_arm_touching_the_object_is_found_and_the_scene_is_put_back():
    episode = Episode('drawer_cabinet', 0)
    arm = load_panda(episode.scene)
    obj = episode.object
    q_object = obj.articulation.get_qpos()
    inside = geometry.make_transform(np.eye(3), obj.center_m - np.array([0.3, 0.0, 0.4]))
    far = geometry.make_transform(np.eye(3), obj.center_m - np.array([3.0, 0.0, 0.4]))
    assert arm_touches(arm, obj, inside, [READY_QPOS])
    assert not arm_touches(arm, obj, far, [READY_QPOS])
    np.testing.assert_allclose(arm.arm_qpos(), READY_QPOS, atol=1e-6)
    np.testing.assert_allclose(obj.articulation.get_qpos(), q_object, atol=1e-6)


def test_the_floor_only_moves_down():
    scene = create_scene(False)
    assert floor_altitude(scene) == 0.0
    assert lower_floor(scene, 0.3) == 0.0
    assert lower_floor(scene, -0.25) == pytest.approx(-0.25)
    assert floor_altitude(scene) == pytest.approx(-0.25, abs=1e-6)
    assert len([e for e in scene.entities if e.name == 'ground']) == 1


def test_layout_parameters_are_checked():
    with pytest.raises(ValueError, match='distances_m'):
        PandaLayoutConfig(distances_m=())
    with pytest.raises(ValueError, match='pull_m'):
        PandaLayoutConfig(pull_m=0.0)
    with pytest.raises(ValueError, match='gripper'):
        PandaRunnerConfig(gripper='magnet')
    with pytest.raises(ValueError, match='grasp_force_n'):
        PandaRunnerConfig(grasp_force_n=140.0)


def test_an_episode_with_the_panda_parks_the_flying_hand_and_places_the_arm():
    episode = Episode('drawer_cabinet', 0)
    runner = PandaEpisodeRunner()
    runner.reset(episode)
    assert episode.scene.timestep == pytest.approx(PANDA_TIMESTEP_S)
    np.testing.assert_allclose(episode.gripper.pose()[:3, 3], PARKING_POSITION_M, atol=1e-3)
    assert runner.layout.reachable
    np.testing.assert_allclose(runner.arm.articulation.get_root_pose().p,
                               runner.T_world_base[:3, 3], atol=1e-5)
    if runner.T_world_base[2, 3] < 0.0:  # the object on a table: the floor under the arm
        assert floor_altitude(episode.scene) <= runner.T_world_base[2, 3] + 1e-6
    runner.step(200)  # the arm rests in its start pose, touching nothing
    hand = runner.observe()
    T_tcp = runner.T_world_base @ runner.arm.fk(runner.arm.arm_qpos())
    assert np.linalg.norm(hand.T_world_tcp[:3, 3] - T_tcp[:3, 3]) < 1e-3
    np.testing.assert_allclose(runner.arm.arm_qpos(), runner.layout.q_start, atol=0.01)
    assert not hand.holding and runner.failure == '' and runner.elapsed_ns == 200_000_000


def test_the_side_view_draws_the_arm_beside_the_object():
    episode = Episode('laptop', 0)
    runner = PandaEpisodeRunner()
    runner.reset(episode)
    picture = runner.witness_picture()
    drawn = picture.depth_m > 0.0
    object_pixels = drawn & (picture.segmentation != 0)
    arm_pixels = drawn & (picture.segmentation == 0)  # drawn, and not one of the object's links
    assert object_pixels.mean() > 0.02 and arm_pixels.mean() > 0.02
    # The view frames the base a few metres away.
    T_camera_world = geometry.invert_transform(picture.T_world_camera)
    base_depth = geometry.transform_points(T_camera_world, runner.T_world_base[:3, 3])[2]
    assert 1.0 < base_depth < 4.0


def test_the_wrist_camera_sees_the_grasp_from_the_observation_pose_and_follows_the_hand():
    episode = Episode('microwave', 0)
    runner = PandaEpisodeRunner(panda_config=PandaRunnerConfig(camera='wrist'))
    runner.reset(episode)
    grasp = runner.grasp
    picture = runner.picture()
    np.testing.assert_allclose(picture.T_world_camera, episode.camera.T_world_camera)
    # The grasp's pixel shows its point: the depth there is its depth in the camera.
    T_camera_world = geometry.invert_transform(picture.T_world_camera)
    point_cam = geometry.transform_points(T_camera_world, grasp.point_world_m)
    assert 0.4 < point_cam[2] < 0.6
    assert geometry.robust_depth(picture.depth_m, *grasp.pixel_uv, window=1) == \
        pytest.approx(point_cam[2], abs=2e-3)
    # The part fills the view around it (a close-up, not the protocol's whole-object view).
    assert (picture.segmentation != 0).mean() > 0.5
    # The camera follows the hand: about 5 cm towards the contact, the point as much nearer.
    for _ in range(50):
        runner.set_tcp_twist(0.1 * grasp.up_world, np.zeros(3))
        runner.step(10)
    runner.stop_twist()
    runner.step(200)
    moved = runner.picture()
    moved_cam = geometry.transform_points(geometry.invert_transform(moved.T_world_camera),
                                          grasp.point_world_m)
    travel = np.linalg.norm(moved.T_world_camera[:3, 3] - picture.T_world_camera[:3, 3])
    assert 0.04 < travel < 0.06
    assert moved_cam[2] == pytest.approx(point_cam[2] - travel, abs=5e-3)
    assert geometry.robust_depth(moved.depth_m, *geometry.project(moved_cam, moved.K),
                                 window=1) == pytest.approx(moved_cam[2], abs=2e-3)
    with pytest.raises(ValueError, match='camera'):
        PandaRunnerConfig(camera='ceiling')


def test_a_pose_goal_that_jumps_stops_the_arm_and_the_episode_records_why():
    episode = Episode('drawer_cabinet', 0)
    runner = PandaEpisodeRunner()
    runner.reset(episode)
    T = runner.observe().T_world_tcp.copy()
    T[:3, 3] += [0.0, 0.0, -0.2]  # 20 cm in one goal
    runner.set_pose_goal(T)
    runner.step(300)
    assert runner.failure == 'discontinuity' and 'jumps' in runner.arm_stop_detail
    np.testing.assert_allclose(runner.arm.arm_qpos(), READY_QPOS, atol=0.01)  # held still
    assert not runner.judge().success


def test_fingers_close_wherever_they_are_and_hold_nothing_in_the_air():
    episode = Episode('drawer_cabinet', 0)
    runner = PandaEpisodeRunner()
    runner.reset(episode)
    holding, distance = runner.close_suction()
    assert not holding and distance > 0.1
    runner.step(300)
    assert not runner.holding and runner.arm.gripper_width() < 0.002
    assert runner.observe().finger_qpos.sum() < 0.002
    runner.open_suction()
    runner.step(500)
    assert runner.arm.gripper_width() > 0.07


def test_the_suction_option_holds_the_part_only_within_reach():
    episode = Episode('drawer_cabinet', 0)
    runner = PandaEpisodeRunner(panda_config=PandaRunnerConfig(gripper='suction'))
    runner.reset(episode)
    holding, distance = runner.close_suction()
    assert not holding and distance > runner.config.attach_tolerance_m
    holding, _ = runner.close_suction(check_reach=False)
    assert holding and runner.holding and runner.ever_attached
    runner.open_suction()
    assert not runner.holding
