# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The flying Franka hand of where2act: a free 6-DoF hand with two fingers and a suction attachment.

The hand is a free-floating articulation (hand link plus two prismatic fingers) without gravity.
A 6-DoF drive between the world and the hand pulls it towards a pose target with a finite
stiffness and force limit, so it is stopped by what it touches. Twist commands move the target
at a constant linear/angular velocity. ``attach`` adds a second drive between the hand and a
touched link at their current relative pose: a suction cup that holds with a bounded force.

Hand frame = where2act gripper frame: columns [forward, left, up], origin at the hand base
(``panda_hand``); up (z) is the approach axis, the fingers move along left (y).

Dimensions (from the public Franka Hand datasheet and franka_description, rounded)::

    hand body             0.063 m (x) x 0.204 m (y) x 0.0584 m (z), from z = 0 to the finger base
    finger joints         at z = 0.0584 m, stroke 0 .. 0.04 m each (0.08 m maximum opening)
    fingers               0.020 m (x) x 0.018 m (y) x 0.054 m (z); tips at z = 0.1124 m
    TCP (panda_hand_tcp)  z = 0.1034 m (geometry.TCP_OFFSET_M), between the finger pads
    mass                  about 0.73 kg hand + 2 x 0.015 kg fingers

At the protocol's contact pose (hand base at p - 0.10 up) the closed finger tips reach 12 mm past
the contact point p, so the hand presses on the surface it approaches.
"""

from dataclasses import dataclass

import numpy as np
import sapien

from robomamba_ros import geometry
from robomamba_ros.sim import poses
from robomamba_ros.sim.suction import release_drive

HAND_HALF_SIZE_M = (0.0315, 0.102, 0.0292)
FINGER_BASE_Z_M = 0.0584
FINGER_HALF_SIZE_M = (0.010, 0.009, 0.027)
FINGER_STROKE_M = 0.04
HAND_MASS_KG = 0.73
FINGER_MASS_KG = 0.015
# Where the gripper waits while pictures are taken: high above, outside every camera view
# (cameras look down at the object). Below the ground plane would be inside the half-space.
PARKING_POSITION_M = (0.0, 0.0, 50.0)


@dataclass
class GripperConfig:
    """
    Drive gains of the flying hand and of the suction attachment.

    :param drive_stiffness: translational stiffness of the pose drive (N/m).
    :param drive_damping: translational damping (N s/m).
    :param drive_force_limit_n: force limit of the pose drive.
    :param rotation_stiffness: stiffness of the rotational (slerp) drive (N m/rad).
    :param rotation_damping: rotational damping.
    :param suction_stiffness: stiffness of the hand-to-part attachment (N/m).
    :param suction_damping: damping of the attachment.
    :param suction_force_limit_n: largest force the attachment transmits.
    :param finger_opening_m: opening of each finger during pulls (0 = closed).
    """

    drive_stiffness: float = 3000.0
    drive_damping: float = 300.0
    drive_force_limit_n: float = 300.0
    rotation_stiffness: float = 300.0
    rotation_damping: float = 30.0
    suction_stiffness: float = 3000.0
    suction_damping: float = 100.0
    suction_force_limit_n: float = 200.0
    finger_opening_m: float = 0.0

    def __post_init__(self):
        for name in ('drive_stiffness', 'drive_damping', 'drive_force_limit_n',
                     'rotation_stiffness', 'suction_stiffness', 'suction_force_limit_n'):
            value = getattr(self, name)
            if not value > 0.0:
                raise ValueError(f'{name} must be > 0, got {value!r}')
        if not 0.0 <= self.finger_opening_m <= FINGER_STROKE_M:
            raise ValueError(f'finger_opening_m must be in [0, {FINGER_STROKE_M}], '
                             f'got {self.finger_opening_m!r}')


class FlyingGripper:
    """
    A free-floating Panda hand driven by pose targets or twists.

    :param scene: the ``sapien.Scene``.
    :param config: a :class:`GripperConfig`.
    :param render: add visual shapes.
    """

    def __init__(self, scene, config=None, render=False):
        self.scene = scene
        self.config = config or GripperConfig()
        self._twist = None
        self._suction = None
        self.articulation = self._build(render)
        self.hand = self.articulation.get_links()[0]
        self._drive = scene.create_drive(None, sapien.Pose(), self.hand, sapien.Pose())
        c = self.config
        for axis in ('x', 'y', 'z'):
            getattr(self._drive, f'set_drive_property_{axis}')(
                c.drive_stiffness, c.drive_damping, c.drive_force_limit_n)
        self._drive.set_drive_property_slerp(c.rotation_stiffness, c.rotation_damping, 1e3)
        for joint in self.articulation.get_active_joints():
            joint.set_drive_properties(1e3, 50.0, 100.0)
        self.set_fingers(self.config.finger_opening_m)
        self.teleport(geometry.make_transform(np.eye(3), PARKING_POSITION_M))

    def _build(self, render):
        builder = self.scene.create_articulation_builder()
        hand = builder.create_link_builder()
        hand.set_name('panda_hand')
        center = sapien.Pose([0.0, 0.0, HAND_HALF_SIZE_M[2]])
        hand.add_box_collision(center, half_size=list(HAND_HALF_SIZE_M))
        if render:
            hand.add_box_visual(center, half_size=list(HAND_HALF_SIZE_M),
                                material=[0.92, 0.92, 0.92])
        finger_center = sapien.Pose([0.0, 0.0, FINGER_HALF_SIZE_M[2]])
        for sign, name in ((1.0, 'panda_leftfinger'), (-1.0, 'panda_rightfinger')):
            finger = builder.create_link_builder(hand)
            finger.set_name(name)
            finger.set_joint_name(name.replace('finger', 'finger_joint'))
            finger.add_box_collision(finger_center, half_size=list(FINGER_HALF_SIZE_M))
            if render:
                finger.add_box_visual(finger_center, half_size=list(FINGER_HALF_SIZE_M),
                                      material=[0.2, 0.2, 0.2])
            # Prismatic joints move along their frame's x axis: point it along +-y.
            T = np.eye(4)
            T[:3, :3] = poses.rotation_with_x_axis([0.0, sign, 0.0])
            # A 1 mm gap keeps the closed fingers from rubbing on each other.
            T[:3, 3] = [0.0, sign * (FINGER_HALF_SIZE_M[1] + 0.0005), FINGER_BASE_Z_M]
            T_child = np.eye(4)
            T_child[:3, :3] = T[:3, :3]
            finger.set_joint_properties(
                'prismatic', limits=[[0.0, FINGER_STROKE_M]],
                pose_in_parent=poses.matrix_to_pose(T),
                pose_in_child=poses.matrix_to_pose(T_child))
        articulation = builder.build(fix_root_link=False)
        articulation.set_name('flying_gripper')
        for link in articulation.get_links():
            link.disable_gravity = True
            link.set_mass(HAND_MASS_KG if link.name == 'panda_hand' else FINGER_MASS_KG)
        return articulation

    def entity_ids(self):
        """``per_scene_id`` of the hand and finger entities."""
        return {link.entity.per_scene_id for link in self.articulation.get_links()}

    def pose(self):
        """Return the hand (gripper frame) pose in the world, shape (4, 4)."""
        return poses.pose_to_matrix(self.hand.entity_pose)

    def target(self):
        """Return the current pose target, shape (4, 4)."""
        return poses.pose_to_matrix(self._drive.get_drive_target())

    def teleport(self, T_world_gripper):
        """
        Place the hand at a pose at rest and make it the target.

        :param T_world_gripper: gripper frame pose, shape (4, 4).
        """
        pose = poses.matrix_to_pose(T_world_gripper)
        self.articulation.set_root_pose(pose)
        self.articulation.set_root_linear_velocity(np.zeros(3))
        self.articulation.set_root_angular_velocity(np.zeros(3))
        self.set_target(T_world_gripper)

    def set_target(self, T_world_gripper, linear_velocity_mps=(0.0, 0.0, 0.0)):
        """
        Drive the hand towards a pose; cancels a twist command.

        :param T_world_gripper: gripper frame pose, shape (4, 4).
        :param linear_velocity_mps: velocity of the target when it moves along a path, so the
            drive's damping does not hold the hand back.
        """
        self.set_target_pose(poses.matrix_to_pose(T_world_gripper), linear_velocity_mps)

    def set_target_pose(self, pose, linear_velocity_mps=(0.0, 0.0, 0.0)):
        """
        Set the target as a ``sapien.Pose`` (no conversion; for per-step paths).

        :param pose: target ``sapien.Pose`` of the gripper frame.
        :param linear_velocity_mps: velocity of the target, shape (3,).
        """
        self._twist = None
        self._drive.set_drive_target(pose)
        self._drive.set_drive_velocity_target(np.asarray(linear_velocity_mps, np.float64),
                                              np.zeros(3))

    def set_twist(self, linear_mps, angular_radps):
        """
        Move the target at a constant twist (world frame) until the next target or twist.

        :param linear_mps: linear velocity of the hand origin, shape (3,).
        :param angular_radps: angular velocity, shape (3,).
        :raises ValueError: for non-finite or wrongly shaped input.
        """
        linear = np.asarray(linear_mps, dtype=np.float64)
        angular = np.asarray(angular_radps, dtype=np.float64)
        if linear.shape != (3,) or angular.shape != (3,):
            raise ValueError(f'twist parts must have shape (3,), got {linear.shape}, '
                             f'{angular.shape}')
        if not (np.all(np.isfinite(linear)) and np.all(np.isfinite(angular))):
            raise ValueError('twist must be finite')
        self._twist = (linear, angular)
        self._drive.set_drive_velocity_target(linear, angular)

    def set_fingers(self, opening_m):
        """
        Command both fingers to an opening each (0 closed, 0.04 fully open).

        :param opening_m: opening per finger in metres.
        """
        opening = float(np.clip(opening_m, 0.0, FINGER_STROKE_M))
        for joint in self.articulation.get_active_joints():
            joint.set_drive_target(opening)

    def step(self):
        """Advance the scene one physics step, moving the target along the current twist."""
        if self._twist is not None:
            dt = self.scene.timestep
            linear, angular = self._twist
            target = self._drive.get_drive_target()
            angle = float(np.linalg.norm(angular)) * dt
            q = target.q
            if angle > 0.0:
                # Rotate about the hand origin (world axes): q' = dq * q.
                axis = angular / np.linalg.norm(angular)
                dq = sapien.Pose(q=[np.cos(angle / 2.0), *(np.sin(angle / 2.0) * axis)])
                q = (dq * sapien.Pose(q=q)).q
            self._drive.set_drive_target(sapien.Pose(target.p + linear * dt, q))
        self.scene.step()

    def attach(self, link):
        """
        Hold ``link`` at its current pose relative to the hand (suction).

        :param link: a ``PhysxArticulationLinkComponent`` or rigid body.
        """
        self.detach()
        T_hand_link = geometry.invert_transform(self.pose()) @ poses.pose_to_matrix(
            link.entity_pose)
        drive = self.scene.create_drive(
            self.hand, sapien.Pose(), link, poses.matrix_to_pose(
                geometry.invert_transform(T_hand_link)))
        c = self.config
        for axis in ('x', 'y', 'z'):
            getattr(drive, f'set_drive_property_{axis}')(
                c.suction_stiffness, c.suction_damping, c.suction_force_limit_n)
        drive.set_drive_property_slerp(c.suction_stiffness / 10.0, c.suction_damping / 10.0,
                                       c.suction_force_limit_n)
        drive.set_drive_target(sapien.Pose())
        self._suction = drive

    @property
    def attached(self):
        """True while the suction holds a part."""
        return self._suction is not None

    def detach(self):
        """Release the suction attachment, if any."""
        if self._suction is not None:
            release_drive(self._suction)
            self._suction = None

    def park(self):
        """Move the hand far away (out of every camera view) and release everything."""
        self.detach()
        self.teleport(geometry.make_transform(np.eye(3), PARKING_POSITION_M))


__all__ = [
    'FINGER_BASE_Z_M',
    'FINGER_HALF_SIZE_M',
    'FINGER_STROKE_M',
    'FlyingGripper',
    'GripperConfig',
    'HAND_HALF_SIZE_M',
    'PARKING_POSITION_M',
]
