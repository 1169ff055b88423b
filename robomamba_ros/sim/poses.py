# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
SAPIEN poses as 4x4 matrices, and the fixed rotations between SAPIEN's camera frames.

SAPIEN quaternions are (w, x, y, z); everything else in robomamba_ros uses (x, y, z, w), so
this module converts through 4x4 matrices and never passes quaternions around.

Camera frames of one SAPIEN camera:

* entity frame (``camera.entity.pose``): x forward, y left, z up;
* optical frame (ROS, REP-103): x right, y down, z forward;
* OpenGL frame (``get_picture('Position')``): x right, y up, z backward, so depth = -z.
"""

import numpy as np
import sapien

from robomamba_ros import geometry

# Columns are the optical frame's axes written in the camera entity frame.
R_ENTITY_OPTICAL = np.array([
    [0.0, 0.0, 1.0],
    [-1.0, 0.0, 0.0],
    [0.0, -1.0, 0.0],
])
R_ENTITY_OPTICAL.setflags(write=False)

# Columns are the OpenGL camera frame's axes written in the optical frame.
R_OPTICAL_OPENGL = np.diag([1.0, -1.0, -1.0])
R_OPTICAL_OPENGL.setflags(write=False)


def pose_to_matrix(pose):
    """
    Convert a ``sapien.Pose`` to a 4x4 homogeneous transform.

    :param pose: a ``sapien.Pose``.
    :return: float64 array of shape (4, 4).
    """
    return np.asarray(pose.to_transformation_matrix(), dtype=np.float64)


def matrix_to_pose(T):
    """
    Convert a rigid 4x4 transform to a ``sapien.Pose``.

    :param T: homogeneous transform, shape (4, 4), with a rotation block.
    :return: the ``sapien.Pose``.
    :raises ValueError: for an invalid transform.
    """
    position, q_xyzw = geometry.matrix_to_pose(T)
    return sapien.Pose(position, [q_xyzw[3], q_xyzw[0], q_xyzw[1], q_xyzw[2]])


def rotation_with_x_axis(axis):
    """
    Return a rotation whose first column is the given direction (SAPIEN joint axes are x axes).

    :param axis: direction, shape (3,), any non-zero length.
    :return: rotation matrix, shape (3, 3), columns [axis, y, z].
    """
    axis = np.asarray(axis, dtype=np.float64)
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 * np.linalg.norm(axis) else \
        np.array([1.0, 0.0, 0.0])
    # gripper_rotation(up=a, forward=b) has columns [b, a x b, a]; reorder to put a first.
    R = geometry.gripper_rotation(axis, helper)
    return np.stack([R[:, 2], R[:, 0], R[:, 1]], axis=-1)


def look_at(eye, target, world_up=(0.0, 0.0, 1.0)):
    """
    Pose of a SAPIEN camera entity (x forward, y left, z up) at ``eye`` looking at ``target``.

    :param eye: camera position in metres, shape (3,).
    :param target: point to look at in metres, shape (3,).
    :param world_up: direction that appears up in the image; must not be parallel to the view.
    :return: ``T_world_entity``, shape (4, 4).
    :raises ValueError: when eye equals target or the view is parallel to ``world_up``.
    """
    eye = np.asarray(eye, dtype=np.float64)
    forward = np.asarray(target, dtype=np.float64) - eye
    if np.linalg.norm(forward) < 1e-9:
        raise ValueError('look_at needs eye != target')
    # gripper_rotation(up=forward, forward=world_up) gives [up', forward x up', forward].
    R = geometry.gripper_rotation(forward, world_up)
    x_axis = R[:, 2]
    z_axis = R[:, 0]
    y_axis = np.cross(z_axis, x_axis)
    return geometry.make_transform(np.stack([x_axis, y_axis, z_axis], axis=-1), eye)


def entity_to_optical(T_world_entity):
    """
    Pose of the ROS optical frame from the pose of a SAPIEN camera entity.

    :param T_world_entity: camera entity pose, shape (4, 4).
    :return: ``T_world_optical``, shape (4, 4).
    """
    T = np.array(T_world_entity, dtype=np.float64)
    T[:3, :3] = T[:3, :3] @ R_ENTITY_OPTICAL
    return T


def opengl_to_optical_points(points_gl):
    """
    Convert points from SAPIEN's OpenGL camera frame to the ROS optical frame.

    :param points_gl: points, shape (..., 3).
    :return: points (x right, y down, z forward), shape (..., 3).
    """
    return np.asarray(points_gl, dtype=np.float64) @ R_OPTICAL_OPENGL.T


__all__ = [
    'R_ENTITY_OPTICAL',
    'R_OPTICAL_OPENGL',
    'entity_to_optical',
    'look_at',
    'matrix_to_pose',
    'opengl_to_optical_points',
    'pose_to_matrix',
    'rotation_with_x_axis',
]
