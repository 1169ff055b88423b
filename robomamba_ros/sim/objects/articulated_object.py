# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
An articulated object in a scene: its movable parts, the one a task is about, and its scenery.

Most objects have one movable part. Objects of suite v2 have several (a chest of drawers, a
fridge with two doors); one of them is the **target** named by the instruction, and the fields
``part_name``, ``joint_type``, ``joint_index``, ``movable_link`` and ``handles`` describe it, so
labels, policies and the pull primitive work on the target without knowing about the others.
"""

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


@dataclass(frozen=True)
class MovablePart:
    """
    One movable part of an object.

    :param name: unique name of its link (``'drawer_1'``).
    :param kind: the part in words (``'drawer'``, ``'door'``, ``'lid'``).
    :param joint_type: ``'prismatic'`` or ``'revolute'``.
    :param joint_index: index of its joint among the active joints.
    :param link: the link the joint moves.
    :param handles: its :class:`Handle` s in the link frame.
    :param traits: what an instruction may name it by (``row``, ``col``, ``rows``, ``cols``,
        ``handle``, ``area_m2``, ...), plain values.
    """

    name: str
    kind: str
    joint_type: str
    joint_index: int
    link: object
    handles: tuple = ()
    traits: dict = field(default_factory=dict)


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
    :param parts: every :class:`MovablePart` (empty for an object loaded with one part only).
    :param target: index of the target in ``parts``.
    :param referring: the words an instruction names the target by (``'the top drawer'``);
        empty for a one-part object.
    :param extras: entities built with the object that are not part of it (a table,
        distractor objects, lights): removed together with it from a rendering scene.
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
    parts: tuple = ()
    target: int = 0
    referring: str = ''
    extras: tuple = ()

    def __post_init__(self):
        if self.joint_type not in JOINT_TYPES:
            raise ValueError(f'joint_type must be one of {JOINT_TYPES}, got {self.joint_type!r}')

    def select_target(self, index, referring=''):
        """
        Make one of the parts the target (the fields above then describe it).

        :param index: index in ``parts``.
        :param referring: the words naming it in an instruction.
        :raises ValueError: for an index out of range.
        """
        if not 0 <= index < len(self.parts):
            raise ValueError(f'target must be in [0, {len(self.parts)}), got {index!r}')
        part = self.parts[index]
        self.target = int(index)
        self.part_name, self.joint_type = part.kind, part.joint_type
        self.joint_index, self.movable_link, self.handles = part.joint_index, part.link, \
            part.handles
        self.referring = referring

    def part_qs(self):
        """Joint positions of every movable part, in ``parts`` order, shape (len(parts),)."""
        qpos = self.articulation.get_qpos()
        return np.array([qpos[p.joint_index] for p in self.parts], dtype=np.float64)

    def part_ranges(self):
        """Upper minus lower limit of every movable part, shape (len(parts),)."""
        limits = self.articulation.get_qlimits()
        return np.array([limits[p.joint_index][1] - limits[p.joint_index][0]
                         for p in self.parts], dtype=np.float64)

    def all_movable_entity_ids(self):
        """``per_scene_id`` of every movable part's link (the target's alone for one part)."""
        if not self.parts:
            return self.movable_entity_ids()
        return {p.link.entity.per_scene_id for p in self.parts}

    def movable_link_of(self, entity_id):
        """
        Find the movable link with a given entity id.

        :param entity_id: a ``per_scene_id``.
        :return: the link component, or None when no movable part has that id.
        """
        links = [p.link for p in self.parts] or [self.movable_link]
        return next((link for link in links if link.entity.per_scene_id == entity_id), None)

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
        Set the target's joint position (other joints keep theirs) and zero all joint velocities.

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
        out = {
            'category': self.category,
            'part_name': self.part_name,
            'joint_type': self.joint_type,
            'joint_limits': [lower, upper],
            'bounding_radius_m': float(self.bounding_radius_m),
            'params': {k: (float(v) if isinstance(v, (float, np.floating)) else v)
                       for k, v in self.params.items()},
        }
        if len(self.parts) > 1:
            out.update(target=self.target, referring=self.referring,
                       parts=[{'name': p.name, 'kind': p.kind, 'joint_type': p.joint_type,
                               **p.traits} for p in self.parts])
        return out


__all__ = ['ArticulatedObject', 'Handle', 'JOINT_TYPES', 'MovablePart']
