# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""An articulated object in a scene with one movable part of known joint type."""

from dataclasses import dataclass, field

import numpy as np

from robomamba_ros.sim import poses

JOINT_TYPES = ('prismatic', 'revolute')


@dataclass(frozen=True)
class Handle:
    """
    A handle of the movable part, in the part's link frame: where fingers close on it.

    :param front_m: the middle of its front face (the side facing away from the part).
    :param outward: unit normal of the part's surface it stands on, pointing away.
    :param along: unit direction of a bar; None for a knob.
    """

    front_m: np.ndarray
    outward: np.ndarray
    along: object = None


@dataclass
class ArticulatedObject:
    """
    Handle on a built articulation and its movable part.

    :param articulation: the ``PhysxArticulation``.
    :param category: category name (e.g. ``'drawer_cabinet'``).
    :param part_name: the movable part in words (``'drawer'``, ``'door'``, ``'lid'``, ...).
    :param joint_type: ``'prismatic'`` or ``'revolute'``.
    :param joint_index: index of the movable joint among the active joints.
    :param movable_link: the link the joint moves.
    :param bounding_radius_m: radius of a sphere around ``center_m`` holding the object.
    :param center_m: centre of the object's bounding box in the world frame.
    :param params: the sampled dimensions, for records.
    :param scene: the scene holding the articulation; kept here because SAPIEN frees an
        articulation's links together with its scene.
    :param handles: the movable part's :class:`Handle` s (none for a flat part).
    """

    articulation: object
    category: str
    part_name: str
    joint_type: str
    joint_index: int
    movable_link: object
    bounding_radius_m: float
    center_m: np.ndarray
    params: dict = field(default_factory=dict)
    scene: object = None
    handles: tuple = ()

    def __post_init__(self):
        if self.joint_type not in JOINT_TYPES:
            raise ValueError(f'joint_type must be one of {JOINT_TYPES}, got {self.joint_type!r}')

    @property
    def joint(self):
        """The movable ``PhysxArticulationJoint``."""
        return self.articulation.get_active_joints()[self.joint_index]

    @property
    def limits(self):
        """``(lower, upper)`` of the movable joint (metres or radians)."""
        lower, upper = self.articulation.get_qlimits()[self.joint_index]
        return float(lower), float(upper)

    @property
    def joint_range(self):
        """Upper minus lower limit of the movable joint."""
        lower, upper = self.limits
        return upper - lower

    def get_q(self):
        """Position of the movable joint (metres or radians)."""
        return float(self.articulation.get_qpos()[self.joint_index])

    def set_q(self, q):
        """
        Set the movable joint position (other joints keep theirs) and zero all joint velocities.

        :param q: new joint position, clipped to the limits.
        """
        lower, upper = self.limits
        qpos = np.array(self.articulation.get_qpos(), dtype=np.float32)
        qpos[self.joint_index] = np.clip(q, lower, upper)
        self.articulation.set_qpos(qpos)
        self.articulation.set_qvel(np.zeros_like(qpos))

    def link_pose(self):
        """World pose of the movable link, shape (4, 4)."""
        return poses.pose_to_matrix(self.movable_link.entity_pose)

    def joint_axis(self):
        """
        Movable joint axis in the world frame.

        :return: ``(origin_m, direction)``: a point on the axis and a unit direction, shape (3,).
        """
        T = poses.pose_to_matrix(self.joint.get_global_pose())
        return T[:3, 3].copy(), T[:3, 0].copy()

    def handles_world(self):
        """
        Return the movable part's handles where the part is now, in the world frame.

        :return: list of :class:`Handle` with world coordinates.
        """
        T = self.link_pose()
        return [Handle(T[:3, :3] @ h.front_m + T[:3, 3], T[:3, :3] @ h.outward,
                       None if h.along is None else T[:3, :3] @ h.along) for h in self.handles]

    def movable_entity_ids(self):
        """``per_scene_id`` of the movable link's entity (segmentation and contact checks)."""
        return {self.movable_link.entity.per_scene_id}

    def entity_ids(self):
        """``per_scene_id`` of every link entity of the object."""
        return {link.entity.per_scene_id for link in self.articulation.get_links()}

    def collision_boxes(self, link=None):
        """
        Box collision shapes of a link in the world frame.

        :param link: the link (default: the movable link).
        :return: list of ``(T_world_box, half_size_m)``.
        """
        link = link or self.movable_link
        T_link = poses.pose_to_matrix(link.entity_pose)
        boxes = []
        for shape in link.get_collision_shapes():
            half = getattr(shape, 'half_size', None)
            if half is None:
                continue
            boxes.append((T_link @ poses.pose_to_matrix(shape.local_pose), np.array(half)))
        return boxes

    def describe(self):
        """Plain dict of the object's metadata for JSON records."""
        lower, upper = self.limits
        return {
            'category': self.category,
            'part_name': self.part_name,
            'joint_type': self.joint_type,
            'joint_limits': [lower, upper],
            'bounding_radius_m': float(self.bounding_radius_m),
            'params': {k: (float(v) if isinstance(v, (float, np.floating)) else v)
                       for k, v in self.params.items()},
        }


__all__ = ['ArticulatedObject', 'Handle', 'JOINT_TYPES']
