# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Ground-truth action labels: a contact point on the movable part and gripper axes.

Where to touch (the affordance): any visible point of a prismatic part; for a revolute part,
points far from the joint axis are preferred (weight ``(r / r_max)^2``), since they move the
most. How: ``up`` is the inward surface normal (``-n``) tilted by a random angle up to
``up_noise_deg``, ``forward`` a random direction orthogonal to ``up``.

With a picture the point comes from a pixel of the movable-part mask (so the label re-lifts
exactly from the depth image); without one (physics-only scenes) from the part's collision
boxes, keeping points the camera sees.
"""

from dataclasses import dataclass

import numpy as np

from robomamba_ros import geometry


@dataclass
class ContactSamplingConfig:
    """
    Label sampling settings.

    :param up_noise_deg: largest tilt of ``up`` away from the inward normal.
    :param revolute_distance_power: exponent of the distance-from-axis weight for revolute parts.
    :param mask_erosion_px: pixels stripped from the part mask's border (edge depths are unsure).
    :param max_tries: candidate points tried before giving up.
    """

    up_noise_deg: float = 20.0
    revolute_distance_power: float = 2.0
    mask_erosion_px: int = 1
    max_tries: int = 64

    def __post_init__(self):
        if not 0.0 <= self.up_noise_deg < 90.0:
            raise ValueError(f'up_noise_deg must be in [0, 90), got {self.up_noise_deg!r}')
        if not self.revolute_distance_power >= 0.0:
            raise ValueError('revolute_distance_power must be >= 0, got '
                             f'{self.revolute_distance_power!r}')
        if self.mask_erosion_px < 0 or self.max_tries < 1:
            raise ValueError('need mask_erosion_px >= 0 and max_tries >= 1, got '
                             f'{self.mask_erosion_px!r}, {self.max_tries!r}')


@dataclass
class ContactLabel:
    """
    One contact label in the world frame, with its pixel.

    :param pixel_uv: pixel (u, v), ROS convention.
    :param point_world_m: contact point, shape (3,).
    :param normal_world: outward surface normal, shape (3,).
    :param up_world: approach axis, shape (3,).
    :param forward_world: forward axis, orthogonal to up, shape (3,).
    """

    pixel_uv: tuple
    point_world_m: np.ndarray
    normal_world: np.ndarray
    up_world: np.ndarray
    forward_world: np.ndarray


def random_unit_vector(rng):
    """
    Draw a direction uniformly on the sphere.

    :param rng: a ``numpy.random.Generator``.
    :return: unit vector, shape (3,).
    """
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def sample_axes(normal, rng, up_noise_deg):
    """
    Draw ``up`` near ``-normal`` (uniform over a cone) and a random orthogonal ``forward``.

    :param normal: outward surface normal, shape (3,).
    :param rng: a ``numpy.random.Generator``.
    :param up_noise_deg: cone half-angle.
    :return: ``(up, forward)`` unit vectors.
    """
    inward = -np.asarray(normal, dtype=np.float64)
    inward /= np.linalg.norm(inward)
    cos_max = np.cos(np.radians(up_noise_deg))
    cos_t = rng.uniform(cos_max, 1.0)
    sin_t = np.sqrt(max(0.0, 1.0 - cos_t ** 2))
    R = geometry.gripper_rotation(inward, random_unit_vector(rng) + 1e-3)
    angle = rng.uniform(0.0, 2.0 * np.pi)
    up = R @ np.array([sin_t * np.cos(angle), sin_t * np.sin(angle), cos_t])
    forward = geometry.gripper_rotation(up, random_unit_vector(rng) + 1e-3)[:, 0]
    return up, forward


def opening_direction(obj, point_m):
    """
    Direction a point of the movable part moves in when the part opens (joint position grows).

    :param obj: the :class:`ArticulatedObject`.
    :param point_m: point on the part, world frame, shape (3,).
    :return: unit vector, or zeros for a point on a revolute axis.
    """
    origin, axis = obj.joint_axis()
    if obj.joint_type == 'prismatic':
        return axis
    velocity = np.cross(axis, np.asarray(point_m, dtype=np.float64) - origin)
    norm = np.linalg.norm(velocity)
    return velocity / norm if norm > 1e-9 else np.zeros(3)


def opening_grasp(sample, obj, candidates=16):
    """
    Of labels drawn one by one, keep the one whose pull (-up) best follows the part's opening.

    :param sample: callable returning a :class:`ContactLabel`, or None when no more can be drawn.
    :param obj: the :class:`ArticulatedObject`.
    :param candidates: labels drawn at most.
    :return: the best :class:`ContactLabel`, or None when none was drawn.
    """
    best, best_score = None, -np.inf
    for _ in range(candidates):
        label = sample()
        if label is None:
            break
        score = float(-label.up_world @ opening_direction(obj, label.point_world_m))
        if score > best_score:
            best, best_score = label, score
    return best


def _distance_weight(points, obj, power):
    if obj.joint_type != 'revolute':
        return np.ones(len(points))
    origin, axis = obj.joint_axis()
    rel = points - origin
    r = np.linalg.norm(rel - np.outer(rel @ axis, axis), axis=1)
    return (r / max(r.max(), 1e-9)) ** power + 1e-6


def _raycast(scene, camera, u, v):
    origin, direction = camera.ray_world(u, v)
    hit = scene.physx_system.raycast(origin.astype(np.float32), direction.astype(np.float32),
                                     1e3)
    if hit is None:
        return None
    normal = np.asarray(hit.normal, dtype=np.float64)
    if normal @ direction > 0.0:
        normal = -normal
    return hit.component.entity.per_scene_id, np.asarray(hit.position, np.float64), normal


def _seen_on_part(point, normal, part_ids, scene, camera, tolerance_m):
    """
    Return ``((u, v), ray hit)`` when the camera sees a surface point of the part, else None.

    The surface must face the camera, the point project into the image, and the ray through
    its pixel meet the part within ``tolerance_m`` of it.
    """
    if normal @ (camera.T_world_camera[:3, 3] - point) <= 0.0:
        return None
    u, v = camera.world_to_pixel(point)
    c = camera.config
    if not (-0.5 <= u < c.width - 0.5 and -0.5 <= v < c.height - 0.5):
        return None
    hit = _raycast(scene, camera, u, v)
    if hit is None or hit[0] not in part_ids or np.linalg.norm(hit[1] - point) > tolerance_m:
        return None
    return (u, v), hit


def _erode(mask, pixels):
    if pixels <= 0:
        return mask
    out = mask.copy()
    for _ in range(pixels):
        out[1:, :] &= mask[:-1, :]
        out[:-1, :] &= mask[1:, :]
        out[:, 1:] &= mask[:, :-1]
        out[:, :-1] &= mask[:, 1:]
        mask = out.copy()
    return out


def sample_from_observation(obs, obj, scene, camera, rng, config=None):
    """
    Sample a label from a rendered picture: a pixel of the movable-part mask.

    The point is the pixel's rendered 3D point; the normal comes from a ray cast through the
    same pixel (a ray that does not hit the movable part rejects the pixel).

    :param obs: an :class:`~robomamba_ros.sim.camera.Observation`.
    :param obj: the :class:`ArticulatedObject`.
    :param scene: the scene (for ray casts).
    :param camera: the :class:`~robomamba_ros.sim.camera.RGBDCamera` that took ``obs``.
    :param rng: a ``numpy.random.Generator``.
    :param config: a :class:`ContactSamplingConfig`.
    :return: a :class:`ContactLabel`, or None when the part is not visible.
    """
    config = config or ContactSamplingConfig()
    part_ids = obj.movable_entity_ids()
    mask = obs.mask_of(part_ids) & (obs.depth_m > 0.0)
    eroded = _erode(mask, config.mask_erosion_px)
    if eroded.any():
        mask = eroded
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return None
    points_world = geometry.transform_points(obs.T_world_camera,
                                             obs.points_cam_m[rows, cols].astype(np.float64))
    weights = _distance_weight(points_world, obj, config.revolute_distance_power)
    weights /= weights.sum()
    for index in rng.choice(rows.size, size=min(config.max_tries, rows.size), p=weights):
        u, v = int(cols[index]), int(rows[index])
        hit = _raycast(scene, camera, u, v)
        if hit is None or hit[0] not in part_ids:
            continue
        up, forward = sample_axes(hit[2], rng, config.up_noise_deg)
        return ContactLabel((float(u), float(v)), points_world[index], hit[2], up, forward)
    return None


def _face_samples(T_box, half, rng, count):
    """Points and outward normals spread over a box's faces, proportional to their area."""
    areas, faces = [], []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        for sign in (-1.0, 1.0):
            areas.append(4.0 * half[others[0]] * half[others[1]])
            faces.append((axis, sign, others))
    areas = np.array(areas) / np.sum(areas)
    points, normals = [], []
    for face_index in rng.choice(len(faces), size=count, p=areas):
        axis, sign, others = faces[face_index]
        local = np.zeros(3)
        local[axis] = sign * half[axis]
        for other in others:
            local[other] = rng.uniform(-half[other], half[other])
        n_local = np.zeros(3)
        n_local[axis] = sign
        points.append(T_box[:3, :3] @ local + T_box[:3, 3])
        normals.append(T_box[:3, :3] @ n_local)
    return np.array(points), np.array(normals)


def sample_from_geometry(obj, scene, camera, rng, config=None):
    """
    Sample a label without a picture: a camera-visible point on the movable part's boxes.

    :param obj: the :class:`ArticulatedObject`.
    :param scene: the scene (for visibility ray casts).
    :param camera: an :class:`~robomamba_ros.sim.camera.RGBDCamera` (pose and intrinsics only).
    :param rng: a ``numpy.random.Generator``.
    :param config: a :class:`ContactSamplingConfig`.
    :return: a :class:`ContactLabel`, or None when no visible point was found.
    """
    config = config or ContactSamplingConfig()
    boxes = obj.collision_boxes()
    if not boxes:
        return None
    volumes = np.array([np.prod(half) ** (2.0 / 3.0) for _, half in boxes])
    part_ids = obj.movable_entity_ids()
    candidates = []
    for box_index in rng.choice(len(boxes), size=config.max_tries, p=volumes / volumes.sum()):
        T_box, half = boxes[box_index]
        points, normals = _face_samples(T_box, half, rng, 1)
        candidates.append((points[0], normals[0]))
    points = np.array([p for p, _ in candidates])
    weights = _distance_weight(points, obj, config.revolute_distance_power)
    order = rng.choice(len(candidates), size=len(candidates), replace=False,
                       p=weights / weights.sum())
    for index in order:
        point, normal = candidates[index]
        seen = _seen_on_part(point, normal, part_ids, scene, camera, 2e-3)
        if seen is None:
            continue
        (u, v), hit = seen
        up, forward = sample_axes(hit[2], rng, config.up_noise_deg)
        return ContactLabel((float(u), float(v)), point, hit[2], up, forward)
    return None


def handle_grasp(obj, scene, camera, tolerance_m=5e-3):
    """
    Return a label where two fingers close on a handle of the movable part, if one is in view.

    The approach goes into the part's surface at the middle of the handle's front face; a bar is
    grasped across (forward along the bar, so the fingers close on its thickness), a knob with
    forward as near the vertical as the approach allows.

    :param obj: the :class:`ArticulatedObject` (its :attr:`handles`).
    :param scene: the scene (for the visibility ray cast).
    :param camera: an :class:`~robomamba_ros.sim.camera.RGBDCamera`.
    :param tolerance_m: the ray through the pixel must meet the part this near the front face.
    :return: a :class:`ContactLabel`, or None when the part has no handle the camera sees.
    """
    for handle in obj.handles_world():
        point, outward = handle.front_m, handle.outward
        seen = _seen_on_part(point, outward, obj.movable_entity_ids(), scene, camera,
                             tolerance_m)
        if seen is None:
            continue
        (u, v), _ = seen
        up = -outward
        if handle.along is not None:
            forward = handle.along
        else:
            vertical = np.array([0.0, 0.0, 1.0])
            forward = vertical if abs(up @ vertical) < 0.9 else np.array([1.0, 0.0, 0.0])
        forward = forward - (forward @ up) * up
        return ContactLabel((float(u), float(v)), point, outward, up,
                            forward / np.linalg.norm(forward))
    return None


__all__ = [
    'ContactLabel',
    'ContactSamplingConfig',
    'handle_grasp',
    'opening_direction',
    'opening_grasp',
    'random_unit_vector',
    'sample_axes',
    'sample_from_geometry',
    'sample_from_observation',
]
