# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Where the Panda stands in a scene: the base placed like a lab places its arm at a bench.

A lab puts the arm where it reaches the part it will work on. :func:`plan_base` does the same
for a suite scene: it takes the scene's reference grasp (chosen by the runner before any policy
looks at the scene, so every policy meets the same layout) and tries the candidate base poses of
a :class:`PandaLayoutConfig` in their order, keeping the first from which the arm, starting at
one of its start poses (by default franka's ready pose), follows straight-line goal streams to
the pre-grasp pose, onto the contact and back along the pull: inside its joint limits, no joint
faster than its velocity limit allows, and away from singularities. A scene where no candidate
works keeps the first one and says so: the arm then fails there as the real one would
(``unreachable`` / ``joint_limit`` / ``joint_velocity``).

The base stands back from the contact along the approach (horizontally), or towards the
camera when the approach is nearly vertical, and faces the contact. A base below the floor
means the object stands on a table: the physics floor moves down under the arm
(:func:`lower_floor`); the camera images, which show the object only, do not change.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import sapien

from robomamba_ros import geometry
from robomamba_ros.sim.panda import ARM_VELOCITY_LIMITS, READY_QPOS

# Below this horizontal share the approach counts as vertical (a lid): face the camera instead.
_MIN_HORIZONTAL = 0.3


@dataclass
class PandaLayoutConfig:
    """
    Candidate base poses, tried in order.

    :param distances_m: horizontal distance of ``panda_link0`` from the reference contact, for a
        horizontal approach (a door, a drawer): the hand points ahead.
    :param heights_m: height of the reference contact above ``panda_link0``, the same.
    :param vertical_distances_m: the distances for a nearly vertical approach (a lid): the hand
        points down, nearer the base, where a contact elsewhere on the lid stays in reach.
    :param vertical_heights_m: the heights for it.
    :param lateral_m: sideways shift of the base (left of the approach, m).
    :param pregrasp_m: the pre-grasp TCP pose stands this far back along the approach
        (robomamba_node's ``pregrasp_offset_m``).
    :param pull_m: the pull the arm must be able to follow from the contact.
    :param path_step_m: translation step of the straight-line streams checked (robomamba_node's
        goal stream: ``max_goal_step_m``).
    :param path_step_rad: their rotation step (``max_goal_step_rad`` as franka.yaml sets it).
    :param path_period_s: the time between their goals (1 / robomamba_node's ``goal_rate_hz``).
    :param speed_share: no joint may need to move faster than this share of its velocity
        limit along them (the stream's goals arrive with some jitter).
    :param margin_rad: joints along the checked streams stay this far inside their limits (the
        Servo interface halts closer than 0.05 rad).
    :param min_singular_value: the Jacobian's smallest singular value stays above this along
        them (the Servo interface halts below 0.02).
    :param workspace_min_m: lower corner of the box in ``panda_link0`` that the contact and the
        pre-grasp pose must lie in (robomamba_node's goal workspace, as franka.yaml runs it).
    :param workspace_max_m: its upper corner.
    :param start_qpos: the arm's start poses (joint positions), tried in order at each base pose
        (default: franka's ready pose only).
    :param observe_m: for a wrist camera, the arm starts in an observation pose this far further
        back along the approach than the pre-grasp pose, the hand looking along the approach at
        the contact; the streams from the start pose through it are checked and the layout's
        ``q_start`` is the arm there. 0: the arm starts in the start pose.
    """

    distances_m: tuple = (0.7, 0.8, 0.55)
    heights_m: tuple = (0.6, 0.45, 0.75, 0.3, 0.15)
    vertical_distances_m: tuple = (0.5, 0.4, 0.6)
    vertical_heights_m: tuple = (0.3, 0.45, 0.15)
    lateral_m: tuple = (0.0, 0.2, -0.2)
    pregrasp_m: float = 0.15
    pull_m: float = 0.25
    path_step_m: float = 0.005
    path_step_rad: float = 0.015
    path_period_s: float = 0.02
    speed_share: float = 0.75
    margin_rad: float = 0.1
    min_singular_value: float = 0.04
    workspace_min_m: tuple = (0.15, -0.6, 0.0)
    workspace_max_m: tuple = (0.8, 0.6, 0.8)
    start_qpos: tuple = (READY_QPOS,)
    observe_m: float = 0.0

    def __post_init__(self):
        for name in ('distances_m', 'heights_m', 'lateral_m', 'vertical_distances_m',
                     'vertical_heights_m'):
            values = tuple(float(v) for v in getattr(self, name))
            if not values:
                raise ValueError(f'{name} must not be empty')
            setattr(self, name, values)
        self.start_qpos = tuple(tuple(float(v) for v in q) for q in self.start_qpos)
        if not self.start_qpos or any(len(q) != 7 for q in self.start_qpos):
            raise ValueError(f'start_qpos must hold joint vectors of 7, got {self.start_qpos!r}')
        for name in ('distances_m', 'vertical_distances_m'):
            if min(getattr(self, name)) <= 0.0:
                raise ValueError(f'{name} must be positive, got {getattr(self, name)!r}')
        for name in ('pregrasp_m', 'pull_m', 'path_step_m', 'path_step_rad', 'path_period_s'):
            if not getattr(self, name) > 0.0:
                raise ValueError(f'{name} must be > 0, got {getattr(self, name)!r}')
        if not self.observe_m >= 0.0:
            raise ValueError(f'observe_m must be >= 0, got {self.observe_m!r}')

    def candidates(self, vertical=False):
        """Yield ``(distance, height, lateral)`` in the order they are tried."""
        heights = self.vertical_heights_m if vertical else self.heights_m
        distances = self.vertical_distances_m if vertical else self.distances_m
        for height in heights:
            for distance in distances:
                for lateral in self.lateral_m:
                    yield distance, height, lateral


class BaseLayout(NamedTuple):
    """
    A chosen base pose.

    :param T_world_base: pose of ``panda_link0`` in the world (4, 4).
    :param reachable: True when the arm follows the reference grasp from there.
    :param tried: candidates checked.
    :param q_start: the arm's start joint positions (7,): with ``observe_m``, at the
        observation pose.
    """

    T_world_base: np.ndarray
    reachable: bool
    tried: int
    q_start: tuple = READY_QPOS


def base_pose(point_m, approach, toward_m, distance_m, height_m, lateral_m):
    """
    Return the base pose for one candidate: back from the point, facing it, level.

    :param point_m: reference contact (3,).
    :param approach: approach axis (3,), pointing into the surface.
    :param toward_m: where to stand when the approach is vertical (e.g. the camera), (3,).
    :param distance_m: horizontal distance from the point.
    :param height_m: height of the point above the base.
    :param lateral_m: shift to the left of the facing direction.
    :return: ``T_world_base`` (4, 4).
    """
    point = np.asarray(point_m, dtype=np.float64)
    back = -np.asarray(approach, dtype=np.float64)
    back[2] = 0.0
    if np.linalg.norm(back) < _MIN_HORIZONTAL * np.linalg.norm(approach):
        back = np.asarray(toward_m, dtype=np.float64) - point
        back[2] = 0.0
    if np.linalg.norm(back) < 1e-9:
        back = np.array([-1.0, 0.0, 0.0])  # the suite's front side
    back /= np.linalg.norm(back)
    x = -back  # the base faces the point
    z = np.array([0.0, 0.0, 1.0])
    y = np.cross(z, x)
    position = point + distance_m * back + lateral_m * y
    position[2] = point[2] - height_m
    return geometry.make_transform(np.column_stack([x, y, z]), position)


def follows(arm, T_base_world, waypoints, step_m, step_rad, margin_rad=0.0,
            q_start=READY_QPOS, period_s=None, min_singular_value=0.0):
    """
    Tell whether the arm follows straight-line streams through TCP poses within its limits.

    :param arm: a :class:`~robomamba_ros.sim.panda.PandaArm` (its kinematics only).
    :param T_base_world: world to base (4, 4).
    :param waypoints: TCP poses in the world, each (4, 4).
    :param step_m: stream step (m).
    :param step_rad: stream rotation step (rad).
    :param margin_rad: every joint stays this far inside its limits.
    :param q_start: the arm's start joints.
    :param period_s: time between the stream's goals; with it, no joint may move faster than
        its velocity limit (the Cartesian pose interface's ``joint_velocity`` stop).
    :param min_singular_value: the Jacobian's smallest singular value must stay above this.
    :return: ``(ok, qs)``: whether every pose was reached, and the joints at each waypoint.
    """
    q = np.asarray(q_start, dtype=np.float64)
    T = arm.fk(q)
    max_speed = np.asarray(ARM_VELOCITY_LIMITS)
    reached_q = []
    for T_world in waypoints:
        goal = T_base_world @ T_world
        reached = False
        while not reached:
            position, quat, reached = geometry.step_toward(
                T[:3, 3], geometry.matrix_to_quat_xyzw(T[:3, :3]), goal[:3, 3],
                geometry.matrix_to_quat_xyzw(goal[:3, :3]), step_m, step_rad)
            T = geometry.pose_to_matrix(position, quat)
            result = arm.ik(T, q_seed=q, continuous=True)
            if not result.ok or not arm.within_limits(result.q, tolerance=-margin_rad):
                return False, reached_q
            if period_s is not None and \
                    np.any(np.abs(result.q - q) > period_s * max_speed):
                return False, reached_q
            if min_singular_value > 0.0 and np.linalg.svd(
                    arm.jacobian(result.q), compute_uv=False)[-1] < min_singular_value:
                return False, reached_q
            q = result.q
        reached_q.append(q)
    return True, reached_q


def grasp_waypoints(point_m, R_world_tcp, pregrasp_m, pull_m):
    """Return the pre-grasp, contact and pull-end TCP poses of a grasp (world, 4x4 each)."""
    approach = R_world_tcp[:, 2]
    return [geometry.make_transform(R_world_tcp, point_m + offset * approach)
            for offset in (-pregrasp_m, 0.0, -pregrasp_m - pull_m)]


def plan_base(arm, point_m, up, forward, toward_m, config=None, touches=None):
    """
    Choose the base pose for a scene from its reference grasp.

    Of the two hand orientations about the approach axis (the fingers are symmetric), the one
    nearer the ready pose's is checked, as robomamba_node picks it
    (:func:`~robomamba_ros.geometry.nearer_half_turn`).

    :param arm: a :class:`~robomamba_ros.sim.panda.PandaArm` (its kinematics only).
    :param point_m: reference contact point (3,).
    :param up: approach axis (3,).
    :param forward: the hand's forward axis (3,).
    :param toward_m: where to stand for a vertical approach (the camera position), (3,).
    :param config: a :class:`PandaLayoutConfig`.
    :param touches: optional ``touches(T_world_base, configurations) -> bool``, e.g.
        :func:`arm_touches`: a candidate where the arm touches the object in the ready pose or
        at the pre-grasp pose is skipped.
    :return: a :class:`BaseLayout`.
    """
    config = config or PandaLayoutConfig()
    R = geometry.gripper_rotation(up, forward)
    first, tried = None, 0
    approach = np.asarray(up, dtype=np.float64)
    vertical = np.linalg.norm(approach[:2]) < _MIN_HORIZONTAL * np.linalg.norm(approach)
    for distance, height, lateral in config.candidates(vertical):
        T_world_base = base_pose(point_m, up, toward_m, distance, height, lateral)
        first = T_world_base if first is None else first
        T_base_world = geometry.invert_transform(T_world_base)
        for q_start in config.start_qpos:
            tried += 1
            R_start = T_world_base[:3, :3] @ arm.fk(np.asarray(q_start))[:3, :3]
            R_tcp = geometry.nearer_half_turn(R, R_start)
            waypoints = grasp_waypoints(point_m, R_tcp, config.pregrasp_m, config.pull_m)
            # The pre-grasp pose and the contact in the goal workspace.
            points = geometry.transform_points(T_base_world,
                                               [T[:3, 3] for T in waypoints[:2]])
            if np.any(points < config.workspace_min_m) or \
                    np.any(points > config.workspace_max_m):
                break  # the same for every start
            if config.observe_m > 0.0:
                waypoints.insert(0, geometry.make_transform(
                    R_tcp, point_m - (config.pregrasp_m + config.observe_m) * R_tcp[:, 2]))
            ok, qs = follows(arm, T_base_world, waypoints, config.path_step_m,
                             config.path_step_rad, config.margin_rad, q_start=q_start,
                             period_s=config.path_period_s * config.speed_share,
                             min_singular_value=config.min_singular_value)
            if not ok:
                continue
            if config.observe_m > 0.0:
                start, checked = tuple(float(v) for v in qs[0]), [qs[0], qs[1]]
            else:
                start, checked = q_start, [q_start, qs[0]]
            if touches is None or not touches(T_world_base, checked):
                return BaseLayout(T_world_base, True, tried, start)
    return BaseLayout(first, False, tried, config.start_qpos[0])


def arm_touches(arm, obj, T_world_base, configurations):
    """
    Tell whether the arm, its base at a pose, touches an object in any of some configurations.

    Each configuration is tested by one physics step and the contacts it reports; the arm and
    the object are put back as they were.

    :param arm: a :class:`~robomamba_ros.sim.panda.PandaArm` in the object's scene.
    :param obj: the :class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`.
    :param T_world_base: base pose to test (4, 4); the arm stays there.
    :param configurations: arm joint vectors (7,) each.
    :return: bool.
    """
    scene, articulation = arm.scene, arm.articulation
    set_base_pose(arm, T_world_base)
    saved = [(a, a.get_qpos(), a.get_qvel()) for a in (articulation, obj.articulation)]
    arm_ids = {link.entity.per_scene_id for link in articulation.get_links()}
    object_ids = obj.entity_ids()
    touched = False
    for q in configurations:
        articulation.set_qpos(arm.full_qpos(q))
        articulation.set_qvel(np.zeros(arm.dof))
        arm.set_arm_targets(q)
        scene.step()
        for contact in scene.get_contacts():
            ids = {body.entity.per_scene_id for body in contact.bodies}
            if ids & arm_ids and ids & object_ids and \
                    any(point.separation < 0.0 for point in contact.points):
                touched = True
        for a, qpos, qvel in saved:
            a.set_qpos(qpos)
            a.set_qvel(qvel)
        if touched:
            break
    arm.set_arm_targets(saved[0][1][arm.arm_index])
    return touched


def floor_altitude(scene):
    """Return the altitude of the scene's physics floor (entity ``ground``), or None."""
    heights = [float(entity.pose.p[2] + shape.local_pose.p[2])
               for entity in scene.entities if entity.name == 'ground'
               for component in entity.components
               for shape in getattr(component, 'collision_shapes', ())]
    return min(heights, default=None)


def lower_floor(scene, altitude_m):
    """
    Move the physics floor down to ``altitude_m`` when it is above it (the object on a table).

    :param scene: a ``sapien.Scene`` whose floor is the entity named ``ground``.
    :param altitude_m: the height the floor must not be above.
    :return: the floor's altitude afterwards.
    """
    current = floor_altitude(scene)
    if current is not None and current <= altitude_m:
        return current
    for ground in [entity for entity in scene.entities if entity.name == 'ground']:
        scene.remove_entity(ground)
    scene.add_ground(float(altitude_m), render=False)
    return float(altitude_m)


def set_base_pose(arm, T_world_base):
    """Place the arm's fixed base (before the arm moves)."""
    arm.articulation.set_root_pose(sapien.Pose(np.asarray(T_world_base, dtype=np.float32)))


__all__ = ['BaseLayout', 'PandaLayoutConfig', 'arm_touches', 'base_pose', 'floor_altitude',
           'follows', 'grasp_waypoints', 'lower_floor', 'plan_base',
           'set_base_pose']
