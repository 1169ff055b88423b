# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The pull and push primitives of the where2act / ManipLLM protocol, executed with the flying hand.

Pull, for a contact point ``p`` and gripper axes (up, forward):

1. place the hand at rest at ``p - 0.15 up`` (approach pose), fingers closed;
2. move it towards the contact pose ``p - 0.10 up``, stopping at the first touch of a movable
   part (the fingertips reach 12 mm past ``p`` at the contact pose, so a hand that reaches the
   pose has touched the surface);
3. attach the touched movable part (suction): on an object with several, whichever the hand
   touched, so that pulling the wrong drawer opens it (and fails);
4. pull the hand to ``p - 0.5 up``, then hold still a moment;
5. judge with :mod:`robomamba_ros.sim.success` (action direction ``-up``).

Push moves from the approach pose to ``p + push_depth_m up`` (hand base), without attaching,
and is judged with action direction ``+up``.

The offsets (:class:`~robomamba_ros.tasks.low_level_pull.InteractionConfig`) are the task's.
"""

import numpy as np
import sapien

from robomamba_ros import geometry
from robomamba_ros.sim import poses, success
from robomamba_ros.tasks.low_level_pull import InteractionConfig

PRIMITIVES = ('pull', 'push')


def _move_linear(gripper, T_from, T_to, steps):
    if steps == 0:
        gripper.set_target(T_to)
        return
    velocity = (T_to[:3, 3] - T_from[:3, 3]) / (steps * gripper.scene.timestep)
    quat_wxyz = poses.matrix_to_pose(T_to).q
    for i in range(1, steps + 1):
        position = T_from[:3, 3] + (T_to[:3, 3] - T_from[:3, 3]) * (i / steps)
        gripper.set_target_pose(sapien.Pose(position, quat_wxyz), velocity)
        gripper.step()
    gripper.set_target(T_to)


def _approach(scene, gripper, obj, start, contact, steps, settle_steps):
    """
    Move towards the contact pose; stop where the hand first touches a movable part.

    :return: ``(touched the object, touched the target part, the movable link touched or None)``.
    """
    ids = gripper.entity_ids(), obj.entity_ids(), obj.all_movable_entity_ids()
    target_ids = obj.movable_entity_ids()
    touched_object = False
    velocity = (contact[:3, 3] - start[:3, 3]) / (max(steps, 1) * gripper.scene.timestep)
    quat_wxyz = poses.matrix_to_pose(contact).q
    for i in range(1, steps + settle_steps + 1):
        if i <= steps:
            position = start[:3, 3] + (contact[:3, 3] - start[:3, 3]) * (i / steps)
            gripper.set_target_pose(sapien.Pose(position, quat_wxyz), velocity)
        elif i == steps + 1:
            gripper.set_target(contact)
        gripper.step()
        on_object, on_part = _touching(scene, *ids)
        touched_object |= on_object
        if on_part is not None:
            # Hold here: a suction cup grips at first touch instead of shoving the part away.
            gripper.set_target(gripper.pose())
            return True, on_part in target_ids, obj.movable_link_of(on_part)
    return touched_object, False, None


def _touching(scene, gripper_ids, object_ids, part_ids):
    """Return (touched the object, the entity id of a movable part touched or None)."""
    touched_object, touched_part = False, None
    for contact in scene.get_contacts():
        ids = [body.entity.per_scene_id for body in contact.bodies]
        if not any(i in gripper_ids for i in ids):
            continue
        other = [i for i in ids if i not in gripper_ids]
        if not other:
            continue
        if not any(point.separation < 2e-3 for point in contact.points):
            continue
        touched_object |= other[0] in object_ids
        if other[0] in part_ids:
            touched_part = other[0]
    return touched_object, touched_part


def execute(scene, gripper, obj, point_m, up, forward, primitive='pull', config=None):
    """
    Run one primitive on an object and judge it.

    :param scene: the ``sapien.Scene`` holding both.
    :param gripper: a :class:`~robomamba_ros.sim.gripper.FlyingGripper`.
    :param obj: an :class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`.
    :param point_m: contact point in the world frame, shape (3,).
    :param up: approach axis in the world frame (into the surface), shape (3,).
    :param forward: forward axis in the world frame, shape (3,).
    :param primitive: ``'pull'`` or ``'push'``.
    :param config: an :class:`InteractionConfig`.
    :return: a :class:`~robomamba_ros.sim.success.InteractionResult`.
    :raises ValueError: for an unknown primitive or invalid point/axes.
    """
    if primitive not in PRIMITIVES:
        raise ValueError(f'primitive must be one of {PRIMITIVES}, got {primitive!r}')
    config = config or InteractionConfig()
    point = np.asarray(point_m, dtype=np.float64)
    if point.shape != (3,) or not np.all(np.isfinite(point)):
        raise ValueError(f'point_m must be a finite 3-vector, got {point_m!r}')
    up_unit = geometry.gripper_rotation(up, forward)[:, 2]
    q_before = obj.get_q()
    qs_before = obj.part_qs()
    T_link_before = obj.link_pose()

    start = geometry.gripper_pose(point, up, forward, config.approach_offset_m)
    contact = geometry.gripper_pose(point, up, forward, config.contact_offset_m)
    gripper.teleport(start)
    gripper.set_fingers(0.0)
    for _ in range(config.settle_steps):
        gripper.step()
    touched_object, touched_part, link = _approach(scene, gripper, obj, start, contact,
                                                   config.contact_steps, config.settle_steps)

    if primitive == 'pull':
        if link is not None:
            gripper.attach(link)
        end = geometry.gripper_pose(point, up, forward, config.pull_offset_m)
        action_direction = -up_unit
    else:
        end = geometry.gripper_pose(point, up, forward, -config.push_depth_m)
        action_direction = up_unit
    _move_linear(gripper, gripper.target(), end, config.pull_steps)
    for _ in range(config.hold_steps):
        gripper.step()

    motion = success.contact_motion(T_link_before, obj.link_pose(), point)
    other_moved = success.others_moved(qs_before, obj.part_qs(), obj.part_ranges(), obj.target)
    result = success.judge(obj.get_q() - q_before, obj.joint_range, motion, action_direction,
                           touched_object, touched_part, primitive, other_moved)
    gripper.park()
    return result


__all__ = ['PRIMITIVES', 'execute']
