# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Rendered pictures follow DESIGN.md's conventions: K, camera pose, depth, segmentation."""

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.sim.episode import Episode
from robomamba_ros.sim.renderer import shared_renderer

pytestmark = pytest.mark.render


@pytest.fixture(scope='module')
def episode_and_obs():
    episode = Episode('refrigerator', 5)
    return episode, episode.observe()


def test_intrinsics_are_sapien_shifted_by_half_a_pixel(episode_and_obs):
    episode, obs = episode_and_obs
    K_sapien = shared_renderer().camera.get_intrinsic_matrix()
    assert K_sapien[0, 2] == 336 / 2 and K_sapien[1, 2] == 336 / 2
    np.testing.assert_allclose(obs.K, geometry.sapien_to_ros_intrinsics(K_sapien), atol=1e-4)
    assert obs.K[0, 2] == pytest.approx(167.5)
    np.testing.assert_allclose(obs.K[0, 0], 168.0 / np.tan(np.radians(17.5)), rtol=1e-6)


def test_camera_looks_at_the_object_from_the_manipllm_ranges(episode_and_obs):
    episode, obs = episode_and_obs
    u, v = episode.camera.world_to_pixel(episode.object.center_m)
    assert (u, v) == pytest.approx((167.5, 167.5), abs=1e-6)
    params = episode.camera_params
    assert np.pi / 6 <= params['elevation_rad'] <= np.pi / 3
    assert 0.7 * np.pi <= params['azimuth_rad'] <= 1.3 * np.pi
    radius = episode.object.bounding_radius_m
    assert 4.5 * radius <= params['distance_m'] <= 5.5 * radius
    # The optical frame: z towards the object, y (image down) pointing down in the world.
    R = obs.T_world_camera[:3, :3]
    to_object = episode.object.center_m - obs.T_world_camera[:3, 3]
    assert R[:, 2] @ to_object / np.linalg.norm(to_object) == pytest.approx(1.0, abs=1e-9)
    assert R[2, 1] < 0.0
    assert abs(R[2, 0]) < 1e-9  # no roll: image x stays horizontal


def test_a_lab_tripod_stands_metres_away_in_the_protocols_direction():
    from robomamba_ros.sim.camera import CameraConfig
    from robomamba_ros.sim.episode import EpisodeConfig
    protocol = Episode('refrigerator', 5)
    lab = Episode('refrigerator', 5, config=EpisodeConfig(
        camera=CameraConfig(distance_range_m=(0.6, 1.2))))
    assert 0.6 <= lab.camera_params['distance_m'] <= 1.2
    for key in ('elevation_rad', 'azimuth_rad'):
        assert lab.camera_params[key] == protocol.camera_params[key]
    # Both look at the object's centre from the same side, the lab camera nearer.
    eye = [e.camera.T_world_camera[:3, 3] - e.object.center_m for e in (protocol, lab)]
    assert eye[0] / np.linalg.norm(eye[0]) == pytest.approx(eye[1] / np.linalg.norm(eye[1]))
    assert np.linalg.norm(eye[1]) == pytest.approx(lab.camera_params['distance_m'])
    with pytest.raises(ValueError, match='distance_range_m'):
        CameraConfig(distance_range_m=(1.2, 0.6))


def test_lifted_depth_points_land_on_the_surface(episode_and_obs):
    episode, obs = episode_and_obs
    rows, cols = np.nonzero(obs.depth_m > 0.0)
    rng = np.random.default_rng(0)
    picks = rng.choice(rows.size, size=50, replace=False)
    errors = []
    for k in picks:
        u, v = float(cols[k]), float(rows[k])
        lifted = episode.point_to_world(geometry.deproject(u, v, obs.depth_m[int(v), int(u)],
                                                           obs.K))
        origin, direction = episode.camera.ray_world(u, v)
        hit = episode.scene.physx_system.raycast(origin.astype(np.float32),
                                                 direction.astype(np.float32), 100.0)
        assert hit is not None
        errors.append(np.linalg.norm(np.asarray(hit.position) - lifted))
    assert max(errors) < 0.01, max(errors)


def test_part_segmentation_matches_the_physics_object(episode_and_obs):
    episode, obs = episode_and_obs
    part = obs.mask_of(episode.object.movable_entity_ids())
    whole = obs.mask_of(episode.object.entity_ids())
    assert part.sum() > 200
    assert (part & ~whole).sum() == 0
    assert whole.sum() > part.sum()
    # Every part pixel's 3D point lies on a box of the movable link.
    points = episode.point_to_world(obs.points_cam_m[part].astype(np.float64))
    inside = np.zeros(len(points), bool)
    for T_box, half in episode.object.collision_boxes():
        local = geometry.transform_points(geometry.invert_transform(T_box), points)
        inside |= np.all(np.abs(local) <= half + 2e-3, axis=1)
    assert inside.mean() > 0.99


def test_same_episode_renders_the_same_picture(episode_and_obs):
    episode, obs = episode_and_obs
    again = Episode('refrigerator', 5).observe()
    np.testing.assert_array_equal(again.rgb, obs.rgb)
    np.testing.assert_array_equal(again.depth_m, obs.depth_m)
    assert obs.rgb.dtype == np.uint8 and obs.rgb.shape == (336, 336, 3)
    assert obs.depth_m.dtype == np.float32
