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
from robomamba_ros.sim.objects.articulated_object import ArticulatedObject, Handle, MovablePart

# Density of wood-like panels; parts get their mass from their boxes.
PANEL_DENSITY_KG_M3 = 400.0


class ObjectBuilder:
    """
    Collects links, boxes and movable joints, then builds an :class:`ArticulatedObject`.

    The first movable part added is the target until :meth:`ArticulatedObject.select_target`
    names another.

    :param scene: the ``sapien.Scene``.
    :param render: add visual shapes too (only valid when the scene renders).
    :param finish: ``finish(color) -> sapien.render.RenderMaterial`` for visual shapes (a
        texture, roughness); None draws plain colours.
    """

    def __init__(self, scene, render, finish=None):
        self.scene = scene
        self.render = render
        self.finish = finish
        self._builder = scene.create_articulation_builder()
        self.root = self._builder.create_link_builder()
        self.root.set_name('base')
        self._movable = []  # (link builder, name, kind, joint type, traits)
        self._extras = []  # callables scene -> entity, run after the articulation is built
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
            material = self.finish(color) if self.finish is not None else list(color)
            link.add_box_visual(pose, half_size=half.tolist(), material=material)
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
                     damping=1.0, parent=None, kind=None, traits=None):
        """
        Create a movable link and its joint.

        :param name: link name, unique in the object (the part name for a one-part object).
        :param joint_type: ``'prismatic'`` or ``'revolute'``.
        :param origin_m: joint origin in the parent (object) frame.
        :param axis: joint axis in the object frame; positive motion opens the part.
        :param limits: ``(lower, upper)`` in metres or radians.
        :param friction: joint friction.
        :param damping: joint damping.
        :param parent: parent link builder (default: the base).
        :param kind: the part in words (default: ``name``).
        :param traits: what an instruction may name the part by (see :class:`MovablePart`).
        :return: the link builder, whose frame sits at ``origin_m`` with the object's axes.
        """
        if any(entry[1] == name for entry in self._movable):
            raise ValueError(f'movable link names must be unique, got {name!r} twice')
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
        self._movable.append((link, name, kind or name, joint_type, dict(traits or {})))
        return link

    def extra(self, make):
        """
        Add scenery built with the object but not part of it (a table, a distractor, a light).

        :param make: ``make(scene, render) -> entity`` (None to add nothing in that scene).
        """
        self._extras.append(make)

    def build(self, category, params, base_z_m=0.0):
        """
        Build the articulation with its root fixed at the world origin (raised by ``base_z_m``).

        :param category: category name.
        :param params: sampled dimensions for records.
        :param base_z_m: height of the object frame's origin (on a table: the table top).
        :return: an :class:`ArticulatedObject` with every movable joint at its lower limit.
        """
        if not self._movable:
            raise ValueError(f'{category}: no movable link was added')
        articulation = self._builder.build(fix_root_link=True)
        articulation.set_name(category)
        articulation.set_root_pose(sapien.Pose([0.0, 0.0, float(base_z_m)]))
        joints = articulation.get_active_joints()
        names = [j.get_child_link().name for j in joints]
        parts = []
        for owner, name, kind, joint_type, traits in self._movable:
            index = names.index(name)
            link = joints[index].get_child_link()
            # Movable parts are weightless: real lids, oven doors and levers stay where they are
            # left (hinge friction, springs), which PhysX joint friction cannot model against
            # gravity.
            link.disable_gravity = True
            parts.append(MovablePart(
                name=name, kind=kind, joint_type=joint_type, joint_index=index, link=link,
                handles=tuple(h for o, h in self._handles if o is owner), traits=traits))
        center = (self._min + self._max) / 2.0 + np.array([0.0, 0.0, float(base_z_m)])
        radius = float(np.linalg.norm(self._max - self._min) / 2.0)
        extras = tuple(e for e in (make(self.scene, self.render) for make in self._extras)
                       if e is not None)
        first = parts[0]
        obj = ArticulatedObject(
            articulation=articulation, category=category, part_name=first.kind,
            joint_type=first.joint_type, joint_index=first.joint_index, movable_link=first.link,
            bounding_radius_m=radius, center_m=center, params=dict(params), scene=self.scene,
            handles=first.handles, parts=tuple(parts), extras=extras)
        qpos = np.array(articulation.get_qpos(), dtype=np.float32)
        for part in parts:
            qpos[part.joint_index] = articulation.get_qlimits()[part.joint_index][0]
        articulation.set_qpos(qpos)
        articulation.set_qvel(np.zeros_like(qpos))
        return obj


__all__ = ['ObjectBuilder', 'PANEL_DENSITY_KG_M3']
