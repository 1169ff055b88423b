# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The RGB-D camera: ManipLLM pose sampling, intrinsics and pictures in ROS conventions.

Everything this module returns follows the ROS camera conventions of ``geometry``: pixels with
integer centres, intrinsics ``K`` with ``cx = W/2 - 0.5``, depth in metres along the optical
axis, points in the optical frame (x right, y down, z forward) and the camera pose as
``T_world_camera`` of that optical frame. SAPIEN's own conventions (entity frame x forward,
OpenGL position picture, ``cx = W/2``) stay inside this module and
:mod:`robomamba_ros.sim.renderer`.
"""

from dataclasses import dataclass
import math

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import poses


@dataclass
class CameraConfig:
    """
    Camera model and the ManipLLM pose distribution.

    :param width: image width in pixels.
    :param height: image height in pixels.
    :param fov_y_deg: vertical field of view.
    :param near_m: near clipping plane.
    :param far_m: far clipping plane.
    :param distance_range_radii: camera distance from the object centre in units of the object's
        bounding radius. ManipLLM samples 4.5-5.5 for PartNet-Mobility shapes, which are
        normalised to about unit size, so the object covers the same share of the image here.
    :param elevation_range_rad: phi, angle above the horizontal (ManipLLM: pi/6 .. pi/3).
    :param azimuth_range_rad: theta around the vertical axis; pi looks at the front (-x) face
        (ManipLLM: 0.7 pi .. 1.3 pi).
    :param distance_range_m: camera distance from the object centre in metres instead (a lab's
        tripod, e.g. a RealSense 0.6-1.2 m away); None: ``distance_range_radii``. The same draw
        from the episode's camera stream either way, so the direction does not change.
    :param lab_distance_share: chance that a pose is a lab view instead (suite v2 mixes both):
        ``lab_distance_range_m`` away from a point between the object's centre and the focus
        (its target part), but never so close that less than ``lab_min_view`` of the object's
        bounding radius fits the half field of view. 0 draws nothing for it.
    :param lab_distance_range_m: distance range of lab views.
    :param lab_min_view: share of the bounding radius a lab view keeps in sight.
    """

    width: int = 336
    height: int = 336
    fov_y_deg: float = 35.0
    near_m: float = 0.1
    far_m: float = 100.0
    distance_range_radii: tuple = (4.5, 5.5)
    elevation_range_rad: tuple = (math.pi / 6.0, math.pi / 3.0)
    azimuth_range_rad: tuple = (0.7 * math.pi, 1.3 * math.pi)
    distance_range_m: tuple = None
    lab_distance_share: float = 0.0
    lab_distance_range_m: tuple = (0.6, 1.5)
    lab_min_view: float = 0.7

    def __post_init__(self):
        for name in ('width', 'height'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f'{name} must be a positive integer, got {value!r}')
        if not 0.0 < self.fov_y_deg < 180.0:
            raise ValueError(f'fov_y_deg must be in (0, 180), got {self.fov_y_deg!r}')
        if not 0.0 < self.near_m < self.far_m:
            raise ValueError(f'need 0 < near_m < far_m, got {self.near_m!r}, {self.far_m!r}')
        for name in ('distance_range_radii', 'elevation_range_rad', 'azimuth_range_rad'):
            low, high = getattr(self, name)
            if not low <= high:
                raise ValueError(f'{name} must be (low, high) with low <= high, got '
                                 f'{getattr(self, name)!r}')
        if self.distance_range_radii[0] <= 0.0:
            raise ValueError('distance_range_radii must be positive, got '
                             f'{self.distance_range_radii!r}')
        if self.distance_range_m is not None:
            low, high = (float(x) for x in self.distance_range_m)
            if not 0.0 < low <= high:
                raise ValueError('distance_range_m must be (low, high) with 0 < low <= high, '
                                 f'got {self.distance_range_m!r}')
            self.distance_range_m = (low, high)
        if not 0.0 <= self.lab_distance_share <= 1.0:
            raise ValueError(f'lab_distance_share must be in [0, 1], got '
                             f'{self.lab_distance_share!r}')
        low, high = (float(x) for x in self.lab_distance_range_m)
        if not 0.0 < low <= high or not self.lab_min_view > 0.0:
            raise ValueError('need lab_distance_range_m (low, high) with 0 < low <= high and '
                             f'lab_min_view > 0, got {self.lab_distance_range_m!r}, '
                             f'{self.lab_min_view!r}')


@dataclass
class Observation:
    """
    One RGB-D picture in ROS conventions.

    :param rgb: colour image, uint8 (H, W, 3).
    :param depth_m: depth along the optical axis, float32 (H, W), 0 where nothing was hit.
    :param points_cam_m: 3D point of each pixel in the optical frame, float32 (H, W, 3).
    :param segmentation: SAPIEN entity ``per_scene_id`` per pixel, int32 (H, W), 0 = nothing.
    :param K: intrinsics (ROS convention), shape (3, 3).
    :param T_world_camera: pose of the optical frame in the world, shape (4, 4).
    """

    rgb: np.ndarray
    depth_m: np.ndarray
    points_cam_m: np.ndarray
    segmentation: np.ndarray
    K: np.ndarray
    T_world_camera: np.ndarray

    def mask_of(self, entity_ids):
        """
        Pixels that show any of the given entities.

        :param entity_ids: iterable of ``per_scene_id``.
        :return: bool (H, W).
        """
        return np.isin(self.segmentation, np.fromiter(entity_ids, dtype=np.int64))


class RGBDCamera:
    """
    The pose and intrinsics of the camera of one episode.

    Pictures are taken by a :class:`~robomamba_ros.sim.renderer.SceneRenderer`, which places its
    SAPIEN camera at :attr:`T_world_entity`; this class only samples poses and projects points,
    so it also works in physics-only scenes.

    :param config: a :class:`CameraConfig`.
    """

    def __init__(self, config=None):
        self.config = config or CameraConfig()
        c = self.config
        self.K = geometry.intrinsics_from_fov(c.width, c.height, math.radians(c.fov_y_deg))
        self.T_world_entity = np.eye(4)

    @property
    def T_world_camera(self):
        """Pose of the ROS optical frame in the world, shape (4, 4)."""
        return poses.entity_to_optical(self.T_world_entity)

    def set_entity_pose(self, T_world_entity):
        """
        Place the camera by its SAPIEN entity pose (x forward, y left, z up).

        :param T_world_entity: shape (4, 4).
        """
        self.T_world_entity = np.array(T_world_entity, dtype=np.float64)

    def sample_pose(self, rng, center_m, radius_m, focus_m=None):
        """
        Draw a ManipLLM camera pose around an object (or a lab view of it) and apply it.

        :param rng: a ``numpy.random.Generator``.
        :param center_m: point the camera looks at, shape (3,).
        :param radius_m: object bounding radius; scales the distance range.
        :param focus_m: the target part's centre, shape (3,): lab views look between it and
            ``center_m``; None looks at ``center_m``.
        :return: dict with ``distance_m``, ``elevation_rad``, ``azimuth_rad`` (and ``lab``
            when the configuration mixes in lab views).
        """
        c = self.config
        center = np.asarray(center_m, dtype=np.float64)
        lab = c.lab_distance_share > 0.0 and bool(rng.random() < c.lab_distance_share)
        if lab:
            if focus_m is not None:
                center = (center + np.asarray(focus_m, dtype=np.float64)) / 2.0
            closest = c.lab_min_view * float(radius_m) / math.tan(math.radians(c.fov_y_deg) / 2)
            low = max(c.lab_distance_range_m[0], closest)
            distance = float(rng.uniform(low, max(low, c.lab_distance_range_m[1])))
        elif c.distance_range_m is not None:
            distance = float(rng.uniform(*c.distance_range_m))
        else:
            distance = float(rng.uniform(*c.distance_range_radii)) * float(radius_m)
        phi = float(rng.uniform(*c.elevation_range_rad))
        theta = float(rng.uniform(*c.azimuth_range_rad))
        eye = center + distance * np.array(
            [math.cos(phi) * math.cos(theta), math.cos(phi) * math.sin(theta), math.sin(phi)])
        self.set_entity_pose(poses.look_at(eye, center))
        params = {'distance_m': distance, 'elevation_rad': phi, 'azimuth_rad': theta}
        if c.lab_distance_share > 0.0:
            params['lab'] = lab
        return params

    def world_to_pixel(self, p_world):
        """
        Project world points to pixels (ROS convention).

        :param p_world: shape (3,) or (..., 3).
        :return: ``(u, v)`` as in :func:`geometry.project`.
        """
        T_cam_world = geometry.invert_transform(self.T_world_camera)
        return geometry.project(geometry.transform_points(T_cam_world, p_world), self.K)

    def ray_world(self, u, v):
        """
        World ray through a pixel.

        :param u: column (ROS convention).
        :param v: row.
        :return: ``(origin_m, unit direction)`` in the world frame.
        """
        direction_cam = geometry.deproject(u, v, 1.0, self.K)
        direction = self.T_world_camera[:3, :3] @ direction_cam
        return self.T_world_camera[:3, 3].copy(), direction / np.linalg.norm(direction)


__all__ = ['CameraConfig', 'Observation', 'RGBDCamera']
