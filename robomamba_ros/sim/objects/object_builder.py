# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Primitive-based construction shared by the categories: boxes, handles, hinge joints.

Coordinates are in the object frame (front -x, z up, origin on the ground below the centre).
A child link's frame is placed at its joint origin with the object frame's orientation, so a
part's geometry is written relative to its hinge or slide origin.
"""

import numpy as np
import sapien

from robomamba_ros.sim import poses
from robomamba_ros.sim.objects.articulated_object import ArticulatedObject, Handle

# Density of wood-like panels; parts get their mass from their boxes.
PANEL_DENSITY_KG_M3 = 400.0


class ObjectBuilder:
    """
    Collects links, boxes and one movable joint, then builds an :class:`ArticulatedObject`.

    :param scene: the ``sapien.Scene``.
    :param render: add visual shapes too (only valid when the scene renders).
    """

    def __init__(self, scene, render):
        self.scene = scene
        self.render = render
        self._builder = scene.create_articulation_builder()
        self.root = self._builder.create_link_builder()
        self.root.set_name('base')
        self._movable = None
        self._movable_info = None
        self._min = np.full(3, np.inf)
        self._max = np.full(3, -np.inf)
        self._origins = {id(self.root): np.zeros(3)}
        self._handles = []  # (link builder, Handle in the link frame)

    def box(self, link, center_m, half_size_m, color):
        """
        Add a box with collision and (when rendering) a visual.

        :param link: the link builder.
        :param center_m: box centre in the link frame.
        :param half_size_m: half extents, shape (3,).
        :param color: RGB in [0, 1].
        """
        center = np.asarray(center_m, dtype=np.float64)
        half = np.asarray(half_size_m, dtype=np.float64)
        if np.any(half <= 0.0):
            raise ValueError(f'box half sizes must be > 0, got {half}')
        pose = sapien.Pose(center)
        link.add_box_collision(pose, half_size=half.tolist(), density=PANEL_DENSITY_KG_M3)
        if self.render:
            link.add_box_visual(pose, half_size=half.tolist(), material=list(color))
        origin = self._origins[id(link)]
        self._min = np.minimum(self._min, origin + center - half)
        self._max = np.maximum(self._max, origin + center + half)

    def bar_handle(self, link, center_m, length_m, along, outward, color,
                   thickness_m=0.012, standoff_m=0.03):
        """
        Add a bar handle: a bar parallel to ``along`` held ``standoff_m`` off the surface.

        :param link: the link builder.
        :param center_m: point on the surface under the middle of the bar, link frame.
        :param length_m: bar length.
        :param along: unit axis index of the bar direction (0, 1 or 2).
        :param outward: signed unit vector normal to the surface, pointing away from it.
        :param color: RGB in [0, 1].
        :param thickness_m: bar cross-section.
        :param standoff_m: gap between surface and bar.
        """
        outward = np.asarray(outward, dtype=np.float64)
        center = np.asarray(center_m, dtype=np.float64)
        half = np.full(3, thickness_m / 2.0)
        half[along] = length_m / 2.0
        bar_center = center + outward * (standoff_m + thickness_m / 2.0)
        self.box(link, bar_center, half, color)
        direction = np.zeros(3)
        direction[along] = 1.0
        self._handles.append((link, Handle(bar_center + outward * thickness_m / 2.0, outward,
                                           direction)))
        post_half = np.full(3, thickness_m / 2.0)
        normal_axis = int(np.argmax(np.abs(outward)))
        post_half[normal_axis] = standoff_m / 2.0
        for sign in (-1.0, 1.0):
            offset = np.zeros(3)
            offset[along] = sign * (length_m / 2.0 - thickness_m / 2.0)
            self.box(link, center + offset + outward * standoff_m / 2.0, post_half, color)

    def knob(self, link, center_m, outward, color, size_m=0.03):
        """
        Add a square knob sticking out of a surface.

        :param link: the link builder.
        :param center_m: point on the surface, link frame.
        :param outward: unit vector away from the surface.
        :param color: RGB in [0, 1].
        :param size_m: knob width and depth.
        """
        outward = np.asarray(outward, dtype=np.float64)
        self.box(link, np.asarray(center_m) + outward * size_m / 2.0, np.full(3, size_m / 2.0),
                 color)
        self._handles.append((link, Handle(np.asarray(center_m) + outward * size_m, outward)))

    def movable_link(self, name, joint_type, origin_m, axis, limits, friction=0.0,
                     damping=1.0, parent=None):
        """
        Create the single movable link and its joint.

        :param name: link name (the part name).
        :param joint_type: ``'prismatic'`` or ``'revolute'``.
        :param origin_m: joint origin in the parent (object) frame.
        :param axis: joint axis in the object frame; positive motion opens the part.
        :param limits: ``(lower, upper)`` in metres or radians.
        :param friction: joint friction.
        :param damping: joint damping.
        :param parent: parent link builder (default: the base).
        :return: the link builder, whose frame sits at ``origin_m`` with the object's axes.
        """
        if self._movable is not None:
            raise ValueError('an object has exactly one movable link')
        lower, upper = (float(v) for v in limits)
        if not lower < upper:
            raise ValueError(f'joint limits must have lower < upper, got {limits}')
        parent = parent or self.root
        link = self._builder.create_link_builder(parent)
        link.set_name(name)
        link.set_joint_name(f'{name}_joint')
        R = poses.rotation_with_x_axis(axis)
        T = np.eye(4)
        T[:3, :3] = R
        T[:3, 3] = np.asarray(origin_m, dtype=np.float64)
        joint_frame_in_child = np.eye(4)
        joint_frame_in_child[:3, :3] = R
        link.set_joint_properties(
            joint_type, limits=[[lower, upper]],
            pose_in_parent=poses.matrix_to_pose(T),
            pose_in_child=poses.matrix_to_pose(joint_frame_in_child),
            friction=friction, damping=damping)
        self._origins[id(link)] = self._origins[id(parent)] + np.asarray(origin_m, np.float64)
        self._movable = link
        self._movable_info = (name, joint_type)
        return link

    def build(self, category, params):
        """
        Build the articulation with its root fixed at the world origin.

        :param category: category name.
        :param params: sampled dimensions for records.
        :return: an :class:`ArticulatedObject` with the movable joint at its lower limit.
        """
        if self._movable is None:
            raise ValueError(f'{category}: no movable link was added')
        articulation = self._builder.build(fix_root_link=True)
        articulation.set_name(category)
        articulation.set_root_pose(sapien.Pose())
        name, joint_type = self._movable_info
        joints = articulation.get_active_joints()
        index = [j.get_child_link().name for j in joints].index(name)
        link = joints[index].get_child_link()
        # Movable parts are weightless: real lids, oven doors and levers stay where they are left
        # (hinge friction, springs), which PhysX joint friction cannot model against gravity.
        link.disable_gravity = True
        center = (self._min + self._max) / 2.0
        radius = float(np.linalg.norm(self._max - self._min) / 2.0)
        obj = ArticulatedObject(
            articulation=articulation, category=category, part_name=name,
            joint_type=joint_type, joint_index=index, movable_link=link,
            bounding_radius_m=radius, center_m=center, params=dict(params), scene=self.scene,
            handles=tuple(h for owner, h in self._handles if owner is self._movable))
        obj.set_q(obj.limits[0])
        return obj


__all__ = ['ObjectBuilder', 'PANEL_DENSITY_KG_M3']
