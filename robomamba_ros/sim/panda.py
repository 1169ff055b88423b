# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The Franka Panda arm in SAPIEN: its model, loading, and kinematics with the real joint limits.

The URDF, SRDF and meshes come from the ``example-robot-data`` wheel (franka_description,
Apache-2.0), found through the installed distribution's file list, never by a fixed path and
never downloaded. Its frames are franka_ros2's: ``panda_link0`` (the base) to ``panda_link8``,
``panda_hand``, ``panda_hand_tcp``, fingers on ``panda_finger_joint1``/``2`` (0-40 mm each).

:class:`PandaArm` wraps the articulation with forward kinematics and inverse kinematics of
``panda_hand_tcp`` in ``panda_link0`` (SAPIEN's built-in Pinocchio model, closed-loop IK from
several starts). IK answers with a reason instead of a silent approximation: a pose it cannot
reach to :data:`IK_POSITION_TOL_M` / :data:`IK_ROTATION_TOL_RAD` is ``unreachable``, one it
reaches only outside the joint limits is ``joint_limit``.
"""

import importlib.metadata
from pathlib import Path
from typing import NamedTuple, Optional, Tuple

import numpy as np
import sapien

from robomamba_ros import geometry

#: The seven arm joints and the two finger joints, in franka_ros2's /joint_states names.
ARM_JOINTS = tuple(f'panda_joint{i}' for i in range(1, 8))
FINGER_JOINTS = ('panda_finger_joint1', 'panda_finger_joint2')
BASE_LINK = 'panda_link0'
TCP_LINK = 'panda_hand_tcp'
#: franka_ros2's "ready" configuration (rad).
READY_QPOS = (0.0, -0.785, 0.0, -2.356, 0.0, 1.571, 0.785)
#: Joint torque limits (N m) of franka_description, used as the drives' force limits.
ARM_EFFORT_LIMITS = (87.0, 87.0, 87.0, 87.0, 12.0, 12.0, 12.0)
#: Joint velocity limits (rad/s) of franka_description.
ARM_VELOCITY_LIMITS = (2.175, 2.175, 2.175, 2.175, 2.61, 2.61, 2.61)
#: Joint position drives: stiff and damped enough to track a 1 kHz stream of targets.
ARM_STIFFNESS, ARM_DAMPING = 4000.0, 400.0
#: The Franka Hand: fingers open to 80 mm between them and squeeze with up to 70 N continuous.
GRIPPER_MAX_WIDTH_M = 0.08
GRIPPER_FORCE_N = 70.0
#: Friction of the fingertips' rubber pads.
FINGER_FRICTION = 1.0
_FINGER_STIFFNESS, _FINGER_DAMPING = 2000.0, 100.0
#: IK accepts a solution this close to the goal (m, rad).
IK_POSITION_TOL_M = 1e-3
IK_ROTATION_TOL_RAD = 0.01
# Rounds of clip-and-refine per IK start, and how far inside the limits a clipped joint goes.
_IK_PROJECTIONS, _IK_CLIP_MARGIN_RAD = 4, 0.05
_DISTRIBUTION = 'example-robot-data'
_URDF_SUFFIX = 'robots/panda_description/urdf/panda.urdf'


class PandaDescription(NamedTuple):
    """Where the Panda's model files are."""

    urdf: Path
    srdf: Path
    package_dir: Path  # resolves the URDF's package://example-robot-data/... mesh URIs


def panda_description() -> PandaDescription:
    """
    Find the Panda's URDF, SRDF and mesh root in the installed ``example-robot-data`` wheel.

    :return: a :class:`PandaDescription`.
    :raises FileNotFoundError: with what to install when the wheel is missing.
    """
    try:
        files = importlib.metadata.files(_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    urdf = next((Path(f.locate()) for f in files if str(f).endswith(_URDF_SUFFIX)), None)
    if urdf is None or not urdf.is_file():
        raise FileNotFoundError('the simulated Franka Panda needs its model from the '
                                f'{_DISTRIBUTION} wheel: pip install "robomamba_ros[sim]"')
    # .../share/example-robot-data/robots/panda_description/urdf/panda.urdf
    return PandaDescription(urdf, urdf.parents[1] / 'srdf' / 'panda.srdf', urdf.parents[4])


class IKResult(NamedTuple):
    """
    An inverse kinematics answer.

    :param q: the seven arm joint positions (rad); the best found when not ``ok``.
    :param ok: True when ``q`` reaches the goal within the tolerances and the joint limits.
    :param reason: ``''``, ``'unreachable'`` or ``'joint_limit'``.
    :param position_error_m: distance of ``q``'s TCP from the goal.
    :param rotation_error_rad: angle of ``q``'s TCP orientation from the goal.
    """

    q: np.ndarray
    ok: bool
    reason: str
    position_error_m: float
    rotation_error_rad: float

    @property
    def detail(self):
        """Say in words what the answer is."""
        errors = (f'{self.position_error_m * 1000:.1f} mm and '
                  f'{np.degrees(self.rotation_error_rad):.2f} deg from the goal')
        if self.ok:
            return f'reached, {errors}'
        if self.reason == 'joint_limit':
            return f'reachable only outside the joint limits ({errors} within them)'
        return f'unreachable: the closest configuration found is {errors}'


class PandaArm:
    """
    A loaded Panda articulation with its kinematics.

    :param articulation: the SAPIEN articulation built from the Panda's URDF.
    :param scene: its scene (kept alive here: SAPIEN articulations only point back to it weakly).
    """

    def __init__(self, articulation, scene=None):
        self.articulation = articulation
        self.scene = scene
        self.joints = articulation.get_active_joints()
        names = [j.name for j in self.joints]
        missing = [n for n in ARM_JOINTS + FINGER_JOINTS if n not in names]
        if missing:
            raise ValueError(f'the articulation has no joints {missing}; it has {names}')
        self.arm_index = np.array([names.index(n) for n in ARM_JOINTS])
        self.finger_index = np.array([names.index(n) for n in FINGER_JOINTS])
        limits = np.concatenate([j.limit for j in self.joints])  # (dof, 2)
        self.arm_limits = limits[self.arm_index]
        self.finger_limits = limits[self.finger_index]
        self.links = {link.name: i for i, link in enumerate(articulation.get_links())}
        self.tcp_index = self.links[TCP_LINK]
        self._pinocchio = articulation.create_pinocchio_model()
        self._mask = np.zeros(len(self.joints), dtype=np.int32)
        self._mask[self.arm_index] = 1

    def configure_drives(self):
        """
        Give the joints position drives with the real torque and grasp force limits.

        A Franka compensates gravity in its own controller, so the simulated links float as the
        real ones appear to; the drives then only follow the commanded joint positions.
        """
        for link in self.articulation.get_links():
            link.disable_gravity = True
        for index, effort in zip(self.arm_index, ARM_EFFORT_LIMITS):
            self.joints[index].set_drive_properties(ARM_STIFFNESS, ARM_DAMPING, effort)
        # Each finger pushes with at most the hand's grasp force: that squeezes the object.
        for index in self.finger_index:
            self.joints[index].set_drive_properties(_FINGER_STIFFNESS, _FINGER_DAMPING,
                                                    GRIPPER_FORCE_N)
        pads = sapien.physx.PhysxMaterial(FINGER_FRICTION, FINGER_FRICTION, 0.0)
        for link in self.articulation.get_links():
            if link.name in ('panda_leftfinger', 'panda_rightfinger'):
                for shape in link.get_collision_shapes():
                    shape.set_physical_material(pads)

    def set_gripper(self, width_m, force_n=GRIPPER_FORCE_N):
        """
        Command the distance between the fingers, like franka_gripper's grasp action.

        Closing on an object stops at its width and squeezes it with ``force_n``.

        :param width_m: target width (m), clipped to 0-80 mm; 0 closes the hand.
        :param force_n: grasp force (N), clipped to the hand's continuous 70 N.
        """
        half = float(np.clip(width_m, 0.0, GRIPPER_MAX_WIDTH_M)) / 2.0
        force = float(np.clip(force_n, 0.0, GRIPPER_FORCE_N))
        for index in self.finger_index:
            self.joints[index].set_drive_properties(_FINGER_STIFFNESS, _FINGER_DAMPING, force)
            self.joints[index].set_drive_target(half)
            self.joints[index].set_drive_velocity_target(0.0)

    def gripper_force_limit(self):
        """Return the force each finger may push with now (N)."""
        return float(self.joints[self.finger_index[0]].force_limit)

    def gripper_width(self):
        """Return the distance between the fingers now (m)."""
        return float(np.sum(np.asarray(self.articulation.get_qpos())[self.finger_index]))

    def set_arm_targets(self, q_arm, velocity=None):
        """
        Command arm joint positions (clipped to the limits) to the position drives.

        :param q_arm: seven joint positions (rad).
        :param velocity: seven joint velocities the drives should move with (rad/s); default
            zero, i.e. come to rest at ``q_arm``.
        """
        q = np.clip(np.asarray(q_arm, dtype=np.float64).reshape(7), self.arm_limits[:, 0],
                    self.arm_limits[:, 1])
        dq = np.zeros(7) if velocity is None else np.asarray(velocity, dtype=np.float64)
        for index, value, speed in zip(self.arm_index, q, dq.reshape(7)):
            self.joints[index].set_drive_target(float(value))
            self.joints[index].set_drive_velocity_target(float(speed))

    def arm_qpos(self):
        """Return the seven arm joint positions now (rad)."""
        return np.asarray(self.articulation.get_qpos(), dtype=np.float64)[self.arm_index]

    @property
    def dof(self):
        """Number of active joints (7 arm + 2 fingers)."""
        return len(self.joints)

    def full_qpos(self, q_arm, fingers_m=0.04):
        """Return the articulation's joint vector for arm joints ``q_arm`` and open fingers."""
        q = np.zeros(self.dof)
        q[self.arm_index] = np.asarray(q_arm, dtype=np.float64).reshape(7)
        q[self.finger_index] = fingers_m
        return q

    def within_limits(self, q_arm, tolerance=1e-9):
        """Tell whether arm joint positions lie within the URDF limits."""
        q = np.asarray(q_arm, dtype=np.float64).reshape(7)
        low, high = self.arm_limits[:, 0], self.arm_limits[:, 1]
        return bool(np.all(q >= low - tolerance) and np.all(q <= high + tolerance))

    def fk(self, q_arm, link=TCP_LINK):
        """
        Return a link's pose in ``panda_link0`` for arm joint positions.

        :param q_arm: seven joint positions (rad).
        :param link: link name (default ``panda_hand_tcp``).
        :return: ``T_link0_link`` (4, 4).
        """
        self._pinocchio.compute_forward_kinematics(self.full_qpos(q_arm))
        pose = self._pinocchio.get_link_pose(self.links[link])
        return np.asarray(pose.to_transformation_matrix(), dtype=np.float64)

    def jacobian(self, q_arm):
        """
        Return the TCP's Jacobian in ``panda_link0`` (world-aligned axes, at the TCP origin).

        :param q_arm: seven joint positions (rad).
        :return: ``(6, 7)``: rows linear (m/rad) then angular (rad/rad) velocity.
        """
        full = self.full_qpos(q_arm)
        # Pinocchio's body Jacobian is in the TCP's own axes: rotate both halves to the base's.
        J_body = self._pinocchio.compute_single_link_local_jacobian(full, self.tcp_index)
        R = self.fk(q_arm)[:3, :3]
        J = np.asarray(J_body, dtype=np.float64)[:, self.arm_index]
        return np.vstack([R @ J[:3], R @ J[3:]])

    def _wrap_into_limits(self, q_arm):
        # A revolute joint at q and q + 2 pi is the same arm: take the turn that fits.
        q = np.array(q_arm, dtype=np.float64)
        low, high = self.arm_limits[:, 0], self.arm_limits[:, 1]
        for turn in (-2 * np.pi, 2 * np.pi):
            shifted = q + turn
            fits = (q < low) | (q > high)
            fits &= (shifted >= low) & (shifted <= high)
            q[fits] = shifted[fits]
        return q

    def _errors(self, q_arm, T_goal):
        T = self.fk(q_arm)
        return (float(np.linalg.norm(T[:3, 3] - T_goal[:3, 3])),
                geometry.rotation_angle(T[:3, :3], T_goal[:3, :3]))

    def ik(self, T_goal, q_seed=None, restarts=32, seed=0, continuous=False) -> IKResult:
        """
        Find arm joint positions that put ``panda_hand_tcp`` at a pose in ``panda_link0``.

        Closed-loop IK starts at ``q_seed`` (so a nearby goal gets a nearby answer), then at the
        ready pose and at random configurations within the limits; the first start that
        converges within the limits wins.

        :param T_goal: ``T_link0_tcp`` (4, 4).
        :param q_seed: seven joint positions to start from (default: the ready pose).
        :param restarts: random starts tried after ``q_seed`` and the ready pose.
        :param seed: random seed of those starts (answers are deterministic).
        :param continuous: start from ``q_seed`` only and keep the answer on the same turn of
            every joint: a streamed goal must not flip the arm into another configuration
            (which the real arm could only reach by moving through the ones in between).
        :return: an :class:`IKResult`.
        """
        T_goal = np.asarray(T_goal, dtype=np.float64)
        goal = sapien.Pose(T_goal.astype(np.float32))
        rng = np.random.default_rng(seed)
        starts = [np.asarray(READY_QPOS if q_seed is None else q_seed, dtype=np.float64)]
        low, high = self.arm_limits[:, 0], self.arm_limits[:, 1]
        if not continuous:
            if q_seed is not None:
                starts.append(np.asarray(READY_QPOS))
            starts += [rng.uniform(low, high) for _ in range(restarts)]
        best: Optional[Tuple[float, IKResult]] = None
        outside = False
        for start in starts:
            q = start
            # Pinocchio's closed-loop IK ignores the limits: a solution outside them is clipped
            # back inside and refined from there, which finds the nearby solutions within them.
            for _ in range(_IK_PROJECTIONS):
                q_full, _, _ = self._pinocchio.compute_inverse_kinematics(
                    self.tcp_index, goal, initial_qpos=self.full_qpos(q),
                    active_qmask=self._mask, eps=1e-5, max_iterations=300)
                q = np.asarray(q_full, dtype=np.float64)[self.arm_index]
                if not continuous:
                    q = self._wrap_into_limits(q)
                position, rotation = self._errors(q, T_goal)
                reached = position <= IK_POSITION_TOL_M and rotation <= IK_ROTATION_TOL_RAD
                if reached and self.within_limits(q):
                    return IKResult(q, True, '', position, rotation)
                outside |= reached
                if self.within_limits(q):
                    break
                q = np.clip(q, low + _IK_CLIP_MARGIN_RAD, high - _IK_CLIP_MARGIN_RAD)
            if self.within_limits(q):
                score = position + 0.1 * rotation
                if best is None or score < best[0]:
                    best = (score, IKResult(q, False, 'unreachable', position, rotation))
        if best is None:
            q = np.clip(starts[0], low, high)
            position, rotation = self._errors(q, T_goal)
            best = (0.0, IKResult(q, False, 'unreachable', position, rotation))
        result = best[1]
        return result._replace(reason='joint_limit') if outside else result


def _renders(scene):
    try:
        scene.get_system('render')
    except RuntimeError:  # SAPIEN's answer for a physics-only scene
        return False
    return True


def load_panda(scene, base_pose=None) -> PandaArm:
    """
    Build the Panda in a scene, its base ``panda_link0`` fixed at ``base_pose``.

    Visual meshes are loaded only when the scene renders; physics-only scenes get the collision
    meshes alone.

    :param scene: a ``sapien.Scene``.
    :param base_pose: pose of ``panda_link0`` in the world (4, 4); default the origin.
    :return: a :class:`PandaArm` in the ready pose with open fingers, its position drives
        holding it there.
    :raises FileNotFoundError: when the model is not installed.
    """
    description = panda_description()
    loader = scene.create_urdf_loader()
    loader.fix_root_link = True
    builders = loader.parse(str(description.urdf), str(description.srdf),
                            package_dir=str(description.package_dir))
    builder = builders[0][0]
    if not _renders(scene):
        for link in builder.link_builders:
            link.visual_records = []
    if base_pose is not None:
        builder.initial_pose = sapien.Pose(np.asarray(base_pose, dtype=np.float32))
    arm = PandaArm(builder.build(), scene)
    arm.configure_drives()
    arm.articulation.set_qpos(arm.full_qpos(READY_QPOS))
    arm.set_arm_targets(READY_QPOS)
    arm.set_gripper(GRIPPER_MAX_WIDTH_M)
    return arm


__all__ = ['ARM_DAMPING', 'ARM_EFFORT_LIMITS', 'ARM_JOINTS', 'ARM_STIFFNESS',
           'ARM_VELOCITY_LIMITS', 'BASE_LINK', 'FINGER_FRICTION', 'FINGER_JOINTS',
           'GRIPPER_FORCE_N', 'GRIPPER_MAX_WIDTH_M', 'IK_POSITION_TOL_M', 'IK_ROTATION_TOL_RAD',
           'IKResult', 'PandaArm', 'PandaDescription', 'READY_QPOS', 'TCP_LINK', 'load_panda',
           'panda_description']
