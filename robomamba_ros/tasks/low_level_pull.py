# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
LowLevelPull-v1 as a spec: sizes, bounds, pull offsets and frames, without the simulator.

The task runs in SAPIEN (:mod:`robomamba_ros.sim.low_level_task`, the pull primitive in
:mod:`robomamba_ros.sim.interaction`) and on a robot (``dmm_node``); both, and the offline data
and training, take the task's numbers from here (numpy and :mod:`robomamba_ros.geometry` only).
"""

from dataclasses import dataclass

import numpy as np

from robomamba_ros import geometry

TASK_ID = 'LowLevelPull-v1'
#: Observation and action sizes (see :mod:`robomamba_ros.sim.low_level_task` for the layout).
OBSERVATION_SIZE = 23
ACTION_SIZE = 7
#: Attach command above this closes the suction, below its negative releases it.
ATTACH_THRESHOLD = 0.5
#: Quality levels of the offline datasets (see :mod:`robomamba_ros.offline.generate`).
DATASET_LEVELS = ('expert', 'medium', 'medium-expert', 'perturbed', 'mixed')
#: Frames a policy may see observations and give actions in: the task's world frame, the
#: target's, or the target's without the target's own pose in the world (``target_local``: the
#: same numbers whatever frame the robot reports in; see :func:`observations_to_target_frame`).
FRAMES = ('world', 'target', 'target_local')
#: The frames that rotate the hand and the twists into the target's.
TARGET_FRAMES = ('target', 'target_local')
#: In the target frame, a twist component may reach this multiple of its world-frame bound (a
#: rotated vector whose world components are each within b has components within b sqrt(3)).
TARGET_FRAME_ACTION_SCALE = float(np.sqrt(3.0))
#: Rotation error counts as this many metres per radian in the approach distance.
ROTATION_WEIGHT_M = 0.1
#: Hand base distance from the contact point ``p`` along ``-up`` (m): pre-contact (approach),
#: contact, and end of the pull.
APPROACH_OFFSET_M = 0.15
CONTACT_OFFSET_M = 0.10
PULL_OFFSET_M = 0.5


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _require(config, names, test, wording):
    """Raise ValueError naming the first field of ``names`` whose value fails ``test``."""
    for name in names:
        value = getattr(config, name)
        if not test(value):
            raise ValueError(f'{name} must be {wording}, got {value!r}')


@dataclass
class InteractionConfig:
    """
    Offsets and step counts of the primitives (the scene runs at 500 Hz by default).

    :param approach_offset_m: hand base distance from ``p`` before moving in (0.15).
    :param contact_offset_m: hand base distance from ``p`` at contact (0.10).
    :param pull_offset_m: hand base distance from ``p`` at the end of a pull (0.5).
    :param push_depth_m: how far past ``p`` a push drives the hand base.
    :param settle_steps: steps at the approach pose before moving in.
    :param contact_steps: steps to move from the approach to the contact pose.
    :param pull_steps: steps to move to the end of the pull or push.
    :param hold_steps: steps at the end pose before judging.
    """

    approach_offset_m: float = APPROACH_OFFSET_M
    contact_offset_m: float = CONTACT_OFFSET_M
    pull_offset_m: float = PULL_OFFSET_M
    push_depth_m: float = 0.2
    settle_steps: int = 10
    contact_steps: int = 100
    pull_steps: int = 300
    hold_steps: int = 30

    def __post_init__(self):
        _require(self, ('settle_steps', 'contact_steps', 'pull_steps', 'hold_steps'),
                 lambda v: _is_int(v) and v >= 0, 'a non-negative integer')
        if not 0.0 < self.contact_offset_m < self.approach_offset_m < self.pull_offset_m:
            raise ValueError('need 0 < contact_offset_m < approach_offset_m < pull_offset_m, got '
                             f'{self.contact_offset_m}, {self.approach_offset_m}, '
                             f'{self.pull_offset_m}')


@dataclass
class LowLevelTaskConfig:
    """
    Settings of the low-level pull task.

    :param control_hz: control rate (physics steps per action = scene rate / control_hz).
    :param max_steps: control steps before a timeout.
    :param max_linear_mps: bound of each linear velocity component.
    :param max_angular_radps: bound of each angular velocity component.
    :param start_distance_m: range of the extra distance back along ``up`` at the start.
    :param start_jitter_m: sideways start offset bound.
    :param start_turn_deg: start rotation error bound.
    :param attach_tolerance_m: the suction closes only within this distance of the contact pose.
    :param attach_tolerance_deg: ... and within this rotation error.
    :param open_fraction_done: terminate once the part opened by this fraction of its range.
    """

    control_hz: float = 20.0
    max_steps: int = 80
    max_linear_mps: float = 0.4
    max_angular_radps: float = 1.5
    start_distance_m: tuple = (0.05, 0.25)
    start_jitter_m: float = 0.1
    start_turn_deg: float = 25.0
    attach_tolerance_m: float = 0.03
    attach_tolerance_deg: float = 20.0
    open_fraction_done: float = 0.5

    def __post_init__(self):
        _require(self, ('control_hz', 'max_linear_mps', 'max_angular_radps',
                        'attach_tolerance_m', 'attach_tolerance_deg', 'open_fraction_done'),
                 lambda v: isinstance(v, (int, float)) and v > 0, 'a number > 0')
        _require(self, ('max_steps',), lambda v: _is_int(v) and v >= 1, 'an integer >= 1')
        low, high = self.start_distance_m
        if not 0.0 <= low <= high:
            raise ValueError(f'start_distance_m must be (low, high) with 0 <= low <= high, '
                             f'got {self.start_distance_m!r}')

    @property
    def action_low(self):
        """Lower action bounds, shape (7,)."""
        return np.array([-self.max_linear_mps] * 3 + [-self.max_angular_radps] * 3 + [-1.0],
                        dtype=np.float32)

    @property
    def action_high(self):
        """Upper action bounds, shape (7,)."""
        return -self.action_low


def target_rotation(observations):
    """
    Orientation of the hand at the target (columns ``[forward, left, up]``) from observations.

    :param observations: shape (..., 23).
    :return: shape (..., 3, 3), float64.
    """
    obs = np.asarray(observations, dtype=np.float64)
    return geometry.gripper_rotation(obs[..., 13:16], obs[..., 16:19])


def _rotate(R, vectors, inverse=False):
    """Return ``R v`` (or ``R^T v``) for stacks of rotations (..., 3, 3) and vectors (..., 3)."""
    return np.einsum('...ji,...j->...i' if inverse else '...ij,...j->...i', R, vectors)


def observations_to_target_frame(observations, local=False):
    """
    Express the hand in the frame of its target pose (the contact point, axes of the target).

    The hand position becomes its offset from the contact point, and the hand rotation columns
    and the contact point minus hand position are rotated, into the target frame (``R_t^T v``
    with ``R_t`` from :func:`target_rotation`); the finger opening, the target itself (world
    frame) and the holding flag stay. The expert's twist is a function of the hand's pose in
    this frame alone, so a policy need not learn the frame change.

    ``local=True`` also drops the target's pose in the world: its point becomes zeros, its
    ``up`` the vertical (the frame's z axis) seen from the target frame, its ``forward`` zeros.
    The result is then the same in any frame whose z axis points up: the simulator's world for
    the flying hand, ``panda_link0`` for an arm, wherever the arm stands.

    :param observations: shape (..., 23), world frame as the task gives them.
    :param local: drop the target's pose in the world (the ``target_local`` frame).
    :return: shape (..., 23), float32.
    """
    obs = np.asarray(observations, dtype=np.float64)
    R = target_rotation(obs)
    out = obs.copy()
    out[..., 0:3] = _rotate(R, obs[..., 0:3] - obs[..., 10:13], inverse=True)
    out[..., 3:6] = _rotate(R, obs[..., 3:6], inverse=True)
    out[..., 6:9] = _rotate(R, obs[..., 6:9], inverse=True)
    out[..., 20:23] = _rotate(R, obs[..., 20:23], inverse=True)
    if local:
        out[..., 10:13] = 0.0
        out[..., 13:16] = R[..., 2, :]  # R^T z: the vertical in the target frame
        out[..., 16:19] = 0.0
    return out.astype(np.float32)


def actions_to_target_frame(observations, actions):
    """
    Rotate the twists of world-frame actions into the target frame of their observations.

    :param observations: shape (..., 23), world frame.
    :param actions: shape (..., 7): linear and angular velocity, attach command.
    :return: shape (..., 7), float32; the attach command is unchanged.
    """
    R = target_rotation(observations)
    out = np.array(actions, dtype=np.float64)
    out[..., 0:3] = _rotate(R, out[..., 0:3], inverse=True)
    out[..., 3:6] = _rotate(R, out[..., 3:6], inverse=True)
    return out.astype(np.float32)


def actions_to_world_frame(observations, actions):
    """
    Rotate the twists of target-frame actions back into the world frame.

    :param observations: shape (..., 23), world frame.
    :param actions: shape (..., 7), target frame.
    :return: shape (..., 7), float32.
    """
    R = target_rotation(observations)
    out = np.array(actions, dtype=np.float64)
    out[..., 0:3] = _rotate(R, out[..., 0:3])
    out[..., 3:6] = _rotate(R, out[..., 3:6])
    return out.astype(np.float32)


__all__ = ['ACTION_SIZE', 'APPROACH_OFFSET_M', 'ATTACH_THRESHOLD', 'CONTACT_OFFSET_M',
           'DATASET_LEVELS', 'FRAMES', 'InteractionConfig', 'LowLevelTaskConfig',
           'OBSERVATION_SIZE', 'PULL_OFFSET_M', 'ROTATION_WEIGHT_M', 'TARGET_FRAME_ACTION_SCALE',
           'TARGET_FRAMES',
           'TASK_ID', 'actions_to_target_frame', 'actions_to_world_frame',
           'observations_to_target_frame', 'target_rotation']
