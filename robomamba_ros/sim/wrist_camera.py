# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Where the Panda's RGB-D camera is mounted: on a tripod (the scene's seeded camera) or on the hand.

A wrist camera sits on ``panda_hand`` as a RealSense on a Franka hand mount does: 6.5 cm off the
hand's axis, 4 cm along it from the flange, looking along the approach axis (the hand's z), so
the fingers show at the bottom of the image. :data:`T_HAND_OPTICAL` is that hand-eye calibration:
the pose of the optical frame (ROS: x right, y down, z forward) in ``panda_hand``. A real
deployment publishes its own as a static transform ``panda_hand`` -> camera optical frame.
"""

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import poses

#: The camera mounts: ``tripod`` keeps the scene's seeded camera, ``wrist`` rides on the hand.
CAMERA_MOUNTS = ('tripod', 'wrist')
#: The link the wrist camera is mounted on.
WRIST_LINK = 'panda_hand'
#: Pose of the wrist camera's optical frame in ``panda_hand``: optical x along the hand's y (the
#: fingers' opening), optical y towards the hand's axis, optical z along the approach.
T_HAND_OPTICAL = geometry.make_transform(
    np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), [0.065, 0.0, 0.04])
T_HAND_OPTICAL.setflags(write=False)


def wrist_camera_entity_pose(T_world_hand):
    """
    Return the SAPIEN camera entity pose of the wrist camera for a hand pose.

    :param T_world_hand: pose of ``panda_hand`` in the world, shape (4, 4).
    :return: ``T_world_entity`` (4, 4), as :class:`~robomamba_ros.sim.camera.RGBDCamera` holds it.
    """
    T_world_optical = np.asarray(T_world_hand, dtype=np.float64) @ T_HAND_OPTICAL
    T_entity_optical = geometry.make_transform(poses.R_ENTITY_OPTICAL, np.zeros(3))
    return T_world_optical @ geometry.invert_transform(T_entity_optical)


__all__ = ['CAMERA_MOUNTS', 'T_HAND_OPTICAL', 'WRIST_LINK', 'wrist_camera_entity_pose']
