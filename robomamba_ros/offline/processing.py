# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The processor between datasets and sequence policies: returns-to-go, normalisation, windows.

Models see normalised states ``(s - mean) / std`` and returns-to-go divided by ``rtg_scale``;
:class:`TrajectoryStats` holds those numbers and travels with the model as ``stats.json``.
With ``frame='target'`` (LowLevelPull-v1 only) the model sees observations and gives actions in
the target frame (:func:`~robomamba_ros.tasks.low_level_pull.observations_to_target_frame`);
:meth:`TrajectoryStats.model_states` and :meth:`TrajectoryStats.world_actions` convert.
:class:`WindowDataset` cuts episodes into ``K``-step training windows.
"""

import dataclasses
import json
import os

import numpy as np
import torch

from robomamba_ros.tasks import low_level_pull

STATS_FILE = 'stats.json'


def returns_to_go(rewards, gamma=1.0):
    """
    Sum of the rewards from each step to the end of its episode.

    :param rewards: shape (T,).
    :param gamma: discount.
    :return: shape (T,), float32.
    """
    out = np.zeros(len(rewards), dtype=np.float64)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        out[t] = running
    return out.astype(np.float32)


@dataclasses.dataclass
class TrajectoryStats:
    """
    Normalisation of a dataset, stored with the model.

    :param state_mean: per-dimension state mean.
    :param state_std: per-dimension state standard deviation (floored at 1e-6).
    :param rtg_scale: returns-to-go are divided by this.
    :param target_return: return to condition on at evaluation: the scripted expert's mean return
        when the dataset records it, else the dataset's best (an outlier there conditions
        badly).
    :param reference: ``{'expert_return', 'random_return'}`` for normalised scores, if known.
    :param frame: ``'world'`` (observations and actions as the task gives them) or ``'target'``
        (LowLevelPull-v1 in its target frame; the statistics are of the converted states).
    """

    state_mean: list
    state_std: list
    rtg_scale: float
    target_return: float
    reference: dict = dataclasses.field(default_factory=dict)
    frame: str = 'world'

    def __post_init__(self):
        if self.frame not in low_level_pull.FRAMES:
            raise ValueError(f'frame must be one of {low_level_pull.FRAMES}, got {self.frame!r}')

    @classmethod
    def from_episodes(cls, episodes, rtg_scale=None, reference=None, frame='world'):
        """
        Compute the statistics of a list of episodes.

        :param episodes: dicts with ``observations`` and ``rewards``.
        :param rtg_scale: divisor of returns-to-go (default: the largest episode return).
        :param reference: reference returns for normalised scores.
        :param frame: one of :data:`~robomamba_ros.tasks.low_level_pull.FRAMES` (see the class).
        :return: a :class:`TrajectoryStats`.
        """
        states = np.concatenate([e['observations'] for e in episodes])
        if frame in low_level_pull.TARGET_FRAMES:
            states = low_level_pull.observations_to_target_frame(states,
                                                                 frame == 'target_local')
        best = max(float(np.sum(e['rewards'])) for e in episodes)
        reference = dict(reference or {})
        return cls(state_mean=states.mean(0).tolist(),
                   state_std=np.maximum(states.std(0), 1e-6).tolist(),
                   rtg_scale=float(rtg_scale or max(abs(best), 1e-6)),
                   target_return=float(reference.get('expert_return', best)),
                   reference=reference, frame=frame)

    def normalize_states(self, states):
        """Return ``(states - mean) / std`` as float32; any leading shape."""
        return ((np.asarray(states, dtype=np.float32) - np.float32(self.state_mean)) /
                np.float32(self.state_std)).astype(np.float32)

    def model_states(self, observations):
        """Return what the model sees of task observations: normalised, in its frame."""
        if self.frame in low_level_pull.TARGET_FRAMES:
            observations = low_level_pull.observations_to_target_frame(
                observations, self.frame == 'target_local')
        return self.normalize_states(observations)

    def model_actions(self, observations, actions):
        """Return task actions in the model's frame (for training targets)."""
        if self.frame in low_level_pull.TARGET_FRAMES:
            return low_level_pull.actions_to_target_frame(observations, actions)
        return np.asarray(actions, dtype=np.float32)

    def world_actions(self, observations, actions):
        """Return the model's actions for ``observations`` in the task's frame."""
        if self.frame in low_level_pull.TARGET_FRAMES:
            return low_level_pull.actions_to_world_frame(observations, actions)
        return np.asarray(actions, dtype=np.float32)

    def normalized_score(self, episode_return):
        """Return 100 * (R - random) / (expert - random), or None without references."""
        expert, random = self.reference.get('expert_return'), self.reference.get('random_return')
        if expert is None or random is None or expert == random:
            return None
        return 100.0 * (episode_return - random) / (expert - random)

    def save(self, folder):
        """Write ``stats.json`` into ``folder``."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, STATS_FILE), 'w', encoding='utf-8') as f:
            json.dump(dataclasses.asdict(self), f, indent=1)

    @classmethod
    def load(cls, folder):
        """Read ``stats.json`` from ``folder``."""
        path = os.path.join(folder, STATS_FILE)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'normalisation statistics not found: {path}')
        with open(path, encoding='utf-8') as f:
            return cls(**json.load(f))


class WindowDataset(torch.utils.data.Dataset):
    """
    Every ``K``-step window of every episode, padded at the end with ``mask`` 0.

    Items: ``returns_to_go`` (K, 1) scaled, ``states`` (K, state_dim) normalised, ``actions``
    (K, act_dim), both in the model's frame (see :class:`TrajectoryStats`), ``timesteps``
    (K,) int64, ``mask`` (K,).

    :param episodes: dicts with ``observations``, ``actions``, ``rewards``.
    :param stats: a :class:`TrajectoryStats`.
    :param context_length: K.
    """

    def __init__(self, episodes, stats, context_length):
        self.context_length = context_length
        self.episodes = []
        for e in episodes:
            self.episodes.append({
                'states': stats.model_states(e['observations']),
                'actions': stats.model_actions(e['observations'], e['actions']),
                'returns_to_go': returns_to_go(e['rewards'])[:, None] / stats.rtg_scale,
            })
        self.index = [(i, t) for i, e in enumerate(self.episodes)
                      for t in range(len(e['states']))]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, item):
        i, start = self.index[item]
        episode, k = self.episodes[i], self.context_length
        end = min(start + k, len(episode['states']))
        out = {}
        for key in ('returns_to_go', 'states', 'actions'):
            window = episode[key][start:end]
            padded = np.zeros((k,) + window.shape[1:], dtype=np.float32)
            padded[:end - start] = window
            out[key] = torch.from_numpy(padded)
        out['timesteps'] = torch.arange(start, start + k)
        out['mask'] = (torch.arange(k) < end - start).float()
        return out


__all__ = ['STATS_FILE', 'TrajectoryStats', 'WindowDataset', 'returns_to_go']
