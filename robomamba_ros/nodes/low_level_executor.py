# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Low-level executors of ``dmm_node``: a LowLevelPull-v1 observation in, one action out.

The node builds the task's observation (:mod:`robomamba_ros.tasks.low_level_pull`, 23 numbers)
from live topics with :func:`build_observation` and asks an executor for the action
(7 numbers: hand-origin linear and angular velocity in the base frame, attach command).
Two executors share the small :class:`LowLevelExecutor` interface:

* :class:`ScriptedExecutor`: the scripted expert of :mod:`robomamba_ros.tasks.scripted`
  (needs no model; useful to test the whole chain on a robot or in simulation);
* :class:`ModelExecutor`: a trained Decision MetaMamba (or Decision Transformer) folder written
  by ``train-dmm``, driven by
  :class:`~robomamba_ros.offline.controller.ReturnConditionedController`.

Return-to-go on a robot: the task's reward has three parts, progress towards the contact pose
(while not yet attached), a bonus of 1 when the suction closes, and 10 x the opening gained by
the part. The node cannot see the object's joint, so :class:`ModelExecutor` subtracts only the
first two, which it computes from consecutive observations exactly as the task does; the
return-to-go it conditions on therefore stays higher than in simulation during the pull phase.

Neither executor needs SAPIEN (the ``sim`` extra): the task's numbers come from
:mod:`robomamba_ros.tasks.low_level_pull`, the controllers from
:mod:`robomamba_ros.tasks.scripted` and :mod:`robomamba_ros.offline.controller`. torch is
imported only when a :class:`ModelExecutor` is built, so importing this module is cheap.

Twist helpers: the policies command the hand (``panda_hand``) origin, the robot takes the TCP's
velocity; :func:`robomamba_ros.geometry.gripper_twist_to_tcp` and its inverse convert between the
two and :func:`robomamba_ros.geometry.limit_twist` bounds a twist per component and in norm.
"""

import collections
import json
import math
import os

import numpy as np

from robomamba_ros import geometry
# The task's sizes, hand offsets from the contact point along ``-up`` (m) and the rotation
# weight of its distance (m per rad), re-exported for the node.
from robomamba_ros.tasks.low_level_pull import (
    ACTION_SIZE, APPROACH_OFFSET_M, CONTACT_OFFSET_M, InteractionConfig, LowLevelTaskConfig,
    OBSERVATION_SIZE, ROTATION_WEIGHT_M)
from robomamba_ros.tasks.scripted import ATTACH_M, ScriptedController

#: Executor names accepted by :func:`make_executor`.
EXECUTORS = ('scripted', 'model')
# Folder and log names written by train-dmm (robomamba_ros.train.trainer MODEL_DIR / LOG_FILE).
_MODEL_DIR = 'model'
_LOG_FILE = 'log.json'


# --------------------------------------------------------------------------------------------
# Observation and twist conversions


def build_observation(T_base_hand, finger_opening_m, contact_point, R_contact, holding):
    """
    Build the LowLevelPull-v1 observation from robot state and the upstream target.

    :param T_base_hand: pose of the hand (``panda_hand``, where2act gripper frame) in the base
        frame, shape (4, 4).
    :param finger_opening_m: sum of both finger joints (m).
    :param contact_point: contact point ``p`` in the base frame, shape (3,).
    :param R_contact: target gripper orientation, columns ``[forward, left, up]``, shape (3, 3).
    :param holding: whether the suction holds something.
    :return: shape (23,), float32: hand position (3), hand rotation 6D (6), finger opening (1),
        contact point (3), up (3), forward (3), holding (1), contact point minus hand
        position (3).
    """
    T = np.asarray(T_base_hand, dtype=np.float64)
    point = np.asarray(contact_point, dtype=np.float64)
    R = np.asarray(R_contact, dtype=np.float64)
    return np.concatenate([
        T[:3, 3], geometry.matrix_to_rot6d(T[:3, :3]), [float(finger_opening_m)], point,
        R[:, 2], R[:, 0], [1.0 if holding else 0.0], point - T[:3, 3]]).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Executors


class LowLevelExecutor:
    """
    What ``dmm_node`` asks for actions.

    :attr:`name` names the executor in logs; :attr:`trained_control_hz` is the control rate the
    executor was trained for (None when unknown or when it adapts to any rate).
    """

    name = 'executor'
    trained_control_hz = None

    def reset(self):
        """Forget the recurrent state: a new target (episode) starts."""
        raise NotImplementedError

    def __call__(self, observation):
        """
        Return the action for one observation.

        :param observation: shape (23,), see :func:`build_observation`.
        :return: shape (7,): hand-origin linear velocity (m/s), angular velocity (rad/s), both
            in the base frame, and the attach command in [-1, 1].
        """
        raise NotImplementedError

    def set_target_return(self, value):
        """
        Set the return to condition on (return-conditioned executors only; others ignore it).

        :param value: target return of the episode.
        """


class ScriptedExecutor(LowLevelExecutor):
    """
    The scripted expert: move to the pre-contact and contact poses, attach, pull along ``-up``.

    The expert of the task starts near the pre-contact pose and assumes both poses can be
    reached. On a robot (and on the simulator bridge, whose hand comes from afar) something may
    block the hand short of them: the ground under a low drawer, the object's frame beside a
    handle. A hand that has stalled, moved less than ``stall_motion_m`` during ``stall_s``
    while still short of the phase's pose by at most ``stall_reach_m``, moves on: blocked short
    of the pre-contact pose it starts the approach along ``up``, blocked short of the contact
    pose it commands the suction (which grips only where the cup touches the part, as the
    simulator's protocol attaches at the first touch).

    :param control_hz: the node's control rate (the expert closes a fixed fraction of the
        remaining error per step, so it adapts to any rate).
    :param level: scripted controller level (``'expert'``; ``'medium'`` and ``'random'`` exist
        for tests).
    :param seed: seed of the controller's random generator (unused by the expert).
    :param stall_s: time window of the stall test (s); 0 disables it.
    :param stall_motion_m: the hand moved less than this in the window: stalled.
    :param stall_reach_m: a stalled hand moves on only this close to the phase's pose (m).
    :param grasp_depth_m: the contact pose lies this much deeper along ``up`` than the task's,
        so that two fingers close around a handle instead of at its front face (m).
    :param attach_m: the gripper closes this near the contact pose (m).
    """

    name = 'scripted'

    def __init__(self, control_hz=20.0, level='expert', seed=0, stall_s=0.5,
                 stall_motion_m=0.002, stall_reach_m=0.08, grasp_depth_m=0.0,
                 attach_m=ATTACH_M):
        interaction = InteractionConfig(contact_offset_m=CONTACT_OFFSET_M - float(grasp_depth_m))
        self.controller = ScriptedController(LowLevelTaskConfig(control_hz=float(control_hz)),
                                             level, np.random.default_rng(seed), interaction,
                                             attach_m)
        self.stall_steps = int(round(stall_s * float(control_hz)))
        self.stall_motion_m, self.stall_reach_m = float(stall_motion_m), float(stall_reach_m)
        self.stalls = 0  # control steps the stall test acted on (all episodes)
        self._positions = collections.deque(maxlen=self.stall_steps + 1)

    def reset(self):
        """Start a new episode (back to the approach phase)."""
        self.controller.reset()
        self._positions.clear()

    def _stalled_short_of(self, observation, phase):
        """Return True when the hand stalled near (not at) the pose of an approach phase."""
        position = np.asarray(observation[:3], dtype=np.float64)
        self._positions.append(position)
        if self.stall_steps < 1 or len(self._positions) <= self.stall_steps or \
                observation[19] > 0.5 or phase > 1:
            return False
        if np.max(np.linalg.norm(np.asarray(self._positions) - position, axis=1)) >= \
                self.stall_motion_m:
            return False
        ic = self.controller.interaction
        offset = (ic.approach_offset_m, ic.contact_offset_m)[phase]
        up = np.asarray(observation[13:16], dtype=np.float64)
        error = float(np.linalg.norm(observation[10:13] - offset * up - position))
        return error <= self.stall_reach_m

    def __call__(self, observation):
        """Return the expert's action (see :meth:`LowLevelExecutor.__call__`)."""
        observation = np.asarray(observation, dtype=np.float32)
        phase = self.controller.phase
        stalled = self._stalled_short_of(observation, phase)
        if stalled and phase == 0:
            self.controller.phase = 1
            self._positions.clear()
            self.stalls += 1
        action = np.asarray(self.controller(observation), dtype=np.float64)
        if stalled and phase == 1 and action[6] <= 0.5:
            action[6] = 1.0
            self.stalls += 1
        return action


def _resolve_model_folder(model_path):
    """Return the folder holding ``config.json``: ``model_path`` or its ``model/`` subfolder."""
    if os.path.isfile(os.path.join(model_path, 'config.json')):
        return model_path
    inner = os.path.join(model_path, _MODEL_DIR)
    if os.path.isfile(os.path.join(inner, 'config.json')):
        return inner
    raise ValueError(f'model_path {model_path!r} holds no policy: expected config.json there or '
                     f'in its {_MODEL_DIR}/ folder (a train-dmm output)')


def trained_control_hz(model_folder):
    """
    Read the control rate a policy's training data was recorded at, if the run says so.

    :param model_folder: the ``model/`` folder of a ``train-dmm`` run.
    :return: ``dataset_metadata.control_hz`` from the run's ``log.json`` (next to or above the
        model folder), or None.
    """
    for folder in (model_folder, os.path.dirname(os.path.abspath(model_folder))):
        path = os.path.join(folder, _LOG_FILE)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding='utf-8') as f:
                value = json.load(f).get('dataset_metadata', {}).get('control_hz')
        except (OSError, ValueError, AttributeError):
            return None
        return float(value) if isinstance(value, (int, float)) else None
    return None


class ModelExecutor(LowLevelExecutor):
    """
    A trained return-conditioned sequence policy (DMM or DT), stepped recurrently.

    The return-to-go starts at the target return of the episode and drops by the observable
    reward after every step (progress towards the contact pose and the attach bonus; the
    part's opening is not observable on a robot, see the module notes).

    :param model_path: ``train-dmm`` output folder or its ``model/`` folder.
    :param device: torch device (``'cpu'``, ``'cuda'``, ``'cuda:1'``).
    :param target_return: return to condition on; None, NaN or negative: the dataset's
        (``stats.target_return``).
    :raises ValueError: empty or wrong ``model_path``, a policy whose sizes do not fit the task,
        or a CUDA device on a machine without one.
    """

    name = 'model'

    def __init__(self, model_path, device='cpu', target_return=None):
        if not model_path:
            raise ValueError("executor 'model' needs the model_path parameter: the folder of a "
                             'trained policy (train-dmm output or its model/ folder)')
        if not os.path.isdir(model_path):
            raise ValueError(f'model_path {model_path!r} is not a folder')
        folder = _resolve_model_folder(model_path)
        import torch
        if str(device).startswith('cuda') and not torch.cuda.is_available():
            raise ValueError(f'device {device!r} asked for, but torch sees no CUDA device')
        from robomamba_ros.offline.controller import ReturnConditionedController
        from robomamba_ros.offline.training import load_policy
        try:
            policy, stats = load_policy(folder, device)
        except (OSError, RuntimeError) as exc:
            raise ValueError(f'model_path {model_path!r}: cannot load the policy: {exc}') from None
        config = policy.config
        if (config.state_dim, config.act_dim) != (OBSERVATION_SIZE, ACTION_SIZE):
            raise ValueError(
                f'model_path {model_path!r}: the policy takes {config.state_dim} state numbers '
                f'and gives {config.act_dim} actions; LowLevelPull-v1 needs '
                f'{OBSERVATION_SIZE} and {ACTION_SIZE}')
        if len(stats.state_mean) != OBSERVATION_SIZE:
            raise ValueError(f'model_path {model_path!r}: stats.json has '
                             f'{len(stats.state_mean)} state means, expected {OBSERVATION_SIZE}')
        self.policy, self.stats, self.folder = policy, stats, folder
        self.trained_control_hz = trained_control_hz(folder)
        self.target_return = self._target(target_return)
        self.controller = ReturnConditionedController(policy, stats, self.target_return)
        self.reset()

    def _target(self, value):
        if value is None or not math.isfinite(float(value)) or float(value) < 0.0:
            return float(self.stats.target_return)
        return float(value)

    def reset(self):
        """Start a new episode: zero the recurrent state, restart the return-to-go."""
        self.controller.target_return = self.target_return
        self.controller.reset()
        self.collected = 0.0
        self._distance = None
        self._ever_attached = False

    def set_target_return(self, value):
        """
        Condition on another return: the episode's target, minus what it already collected.

        :param value: target return (NaN or negative: back to the dataset's).
        """
        self.target_return = self._target(value)
        self.controller.target_return = self.target_return
        self.controller.remaining = self.target_return - self.collected

    @property
    def return_to_go(self):
        """Return still to go of the current episode (before scaling)."""
        return float(self.controller.remaining)

    def contact_distance(self, observation):
        """
        Distance of the hand to the contact pose as the task measures it.

        :param observation: shape (23,).
        :return: metres plus ``ROTATION_WEIGHT_M`` per radian of rotation error.
        """
        obs = np.asarray(observation, dtype=np.float64)
        R_hand = geometry.rot6d_to_matrix(obs[3:9])
        R_contact = geometry.gripper_rotation(obs[13:16], obs[16:19])
        contact = obs[10:13] - CONTACT_OFFSET_M * R_contact[:, 2]
        return float(np.linalg.norm(contact - obs[:3]) +
                     ROTATION_WEIGHT_M * geometry.rotation_angle(R_hand, R_contact))

    def observable_reward(self, observation):
        """
        Reward of the step that led to ``observation``, without the unobservable opening part.

        :param observation: shape (23,).
        :return: the reward (0 at the first observation of an episode).
        """
        distance = self.contact_distance(observation)
        reward = 0.0
        if observation[19] > 0.5 and not self._ever_attached:
            reward += 1.0
            self._ever_attached = True
        elif self._distance is not None and not self._ever_attached:
            reward += self._distance - distance
        self._distance = distance
        return reward

    def __call__(self, observation):
        """Return the policy's action (see :meth:`LowLevelExecutor.__call__`)."""
        reward = self.observable_reward(observation)
        self.collected += reward
        self.controller.observe_reward(reward)
        return np.asarray(self.controller(np.asarray(observation, dtype=np.float32)),
                          dtype=np.float64)


def make_executor(kind, model_path='', device='cpu', target_return=None, control_hz=20.0,
                  grasp_depth_m=0.0, attach_m=ATTACH_M):
    """
    Build the executor a node's parameters name.

    :param kind: ``'scripted'`` or ``'model'``.
    :param model_path: policy folder (``'model'`` only).
    :param device: torch device (``'model'`` only).
    :param target_return: return to condition on (``'model'`` only; NaN/negative: dataset's).
    :param control_hz: the node's control rate.
    :param grasp_depth_m: see :class:`ScriptedExecutor` (``'scripted'`` only).
    :param attach_m: see :class:`ScriptedExecutor` (``'scripted'`` only).
    :return: a :class:`LowLevelExecutor`.
    :raises ValueError: unknown kind, or a model that cannot be used (see :class:`ModelExecutor`).
    """
    if kind == 'scripted':
        return ScriptedExecutor(control_hz, grasp_depth_m=grasp_depth_m, attach_m=attach_m)
    if kind == 'model':
        return ModelExecutor(model_path, device, target_return)
    raise ValueError(f'executor must be one of {EXECUTORS}, got {kind!r}')


__all__ = ['ACTION_SIZE', 'APPROACH_OFFSET_M', 'CONTACT_OFFSET_M', 'EXECUTORS',
           'LowLevelExecutor', 'ModelExecutor', 'OBSERVATION_SIZE', 'ROTATION_WEIGHT_M',
           'ScriptedExecutor', 'build_observation',
           'make_executor', 'trained_control_hz']
