# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Where a suction cup could grip: the closest point of a part's collision geometry to a point.

The suction of the flying hand may only close when its cup (a point in front of the hand) is
close to the movable part's surface. This is a geometric query on the part's collision shapes
as they are now (the suite's objects are built from boxes), not a look at any label.
"""

import numpy as np


def closest_point_on_box(T_world_box, half_size_m, point_m):
    """
    Closest point of a solid box to a point.

    :param T_world_box: box pose, shape (4, 4).
    :param half_size_m: half extents along the box axes, shape (3,).
    :param point_m: query point in the world frame, shape (3,).
    :return: ``(distance_m, closest_point_m)``; distance 0 (and the point itself) inside.
    """
    T = np.asarray(T_world_box, dtype=np.float64)
    half = np.asarray(half_size_m, dtype=np.float64)
    local = T[:3, :3].T @ (np.asarray(point_m, dtype=np.float64) - T[:3, 3])
    clamped = np.clip(local, -half, half)
    closest = T[:3, :3] @ clamped + T[:3, 3]
    return float(np.linalg.norm(local - clamped)), closest


def closest_point_on_boxes(boxes, point_m):
    """
    Closest point of a set of solid boxes to a point.

    :param boxes: iterable of ``(T_world_box (4, 4), half_size_m (3,))``.
    :param point_m: query point, shape (3,).
    :return: ``(distance_m, closest_point_m)``, or ``(inf, None)`` without boxes.
    """
    best = (float('inf'), None)
    for T, half in boxes:
        candidate = closest_point_on_box(T, half, point_m)
        if candidate[0] < best[0]:
            best = candidate
    return best


def part_proximity(obj, point_m):
    """
    Distance from a point to the movable part of an object, in the part's current pose.

    :param obj: an :class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`.
    :param point_m: query point in the world frame, shape (3,).
    :return: ``(distance_m, closest_point_m)`` over the movable link's box shapes.
    :raises ValueError: for a point that is not a finite 3-vector.
    """
    point = np.asarray(point_m, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f'point_m must be a finite 3-vector, got {point_m!r}')
    return closest_point_on_boxes(obj.collision_boxes(), point)


def nearest_movable_part(obj, point_m):
    """
    Find the movable part of an object closest to a point: where a suction cup there grips.

    :param obj: an :class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`.
    :param point_m: query point in the world frame, shape (3,).
    :return: ``(distance_m, closest_point_m, link)``: the part's link (the instructed one or
        another), its box shapes' closest point and the distance to it.
    :raises ValueError: for a point that is not a finite 3-vector.
    """
    point = np.asarray(point_m, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f'point_m must be a finite 3-vector, got {point_m!r}')
    best = (float('inf'), None, None)
    for link in [p.link for p in obj.parts] or [obj.movable_link]:
        distance, closest = closest_point_on_boxes(obj.collision_boxes(link), point)
        if distance < best[0]:
            best = (distance, closest, link)
    return best


def release_drive(drive):
    """Let go of what a suction drive holds: no stiffness, no damping, disabled."""
    for axis in ('x', 'y', 'z'):
        getattr(drive, f'set_drive_property_{axis}')(0.0, 0.0, 0.0)
    drive.set_drive_property_slerp(0.0, 0.0, 0.0)
    drive.disable()


__all__ = ['closest_point_on_box', 'closest_point_on_boxes', 'nearest_movable_part',
           'part_proximity', 'release_drive']
