# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Offline datasets of the low-level pull task at D4RL-like quality levels.

``expert``: the scripted controller. ``medium``: scripted with action noise, delays and an
aiming error in some episodes. ``medium-expert``: half expert, half medium episodes in a random
order (as D4RL's medium-expert). ``perturbed``: the expert hit by disturbances it recovers
from (see :mod:`robomamba_ros.tasks.scripted`). ``mixed``: one third each of expert, medium
and random episodes (a stand-in for D4RL's medium-replay). Physics only; each (category, seed)
is one episode, so datasets are reproducible. The file's metadata holds the mean returns of the
expert and random controllers on the same episodes, for D4RL-style normalised scores.
"""

import numpy as np
from tqdm import tqdm

from robomamba_ros.offline.d4rl_format import write_d4rl_hdf5
from robomamba_ros.sim.low_level_task import LowLevelPullTask
from robomamba_ros.tasks.low_level_pull import DATASET_LEVELS
from robomamba_ros.tasks.low_level_pull import LowLevelTaskConfig, TASK_ID
from robomamba_ros.tasks.scripted import LEVELS, ScriptedController

DEFAULT_CATEGORIES = ('drawer_cabinet', 'cabinet_door', 'microwave')


def run_episode(task, category, seed, policy):
    """
    Roll out one episode.

    :param task: a :class:`~robomamba_ros.sim.low_level_task.LowLevelPullTask`.
    :param category: object category.
    :param seed: episode seed.
    :param policy: callable observation (23,) -> action (7,), with an optional ``reset()``.
    :return: dict of arrays (observations, actions, rewards, terminals, timeouts) and
        ``success`` (bool), ``return`` (float).
    """
    observation = task.reset(category, seed)
    if hasattr(policy, 'reset'):
        policy.reset()
    rows = {key: [] for key in ('observations', 'actions', 'rewards', 'terminals', 'timeouts')}
    while True:
        action = policy(observation)
        rows['observations'].append(observation)
        rows['actions'].append(action)
        observation, reward, terminated, truncated, info = task.step(action)
        rows['rewards'].append(reward)
        rows['terminals'].append(terminated)
        rows['timeouts'].append(truncated)
        if terminated or truncated:
            break
    out = {key: np.asarray(value) for key, value in rows.items()}
    out['success'] = bool(info['success'])
    out['return'] = float(out['rewards'].sum())
    return out


def episode_plan(level, num_episodes, seed):
    """
    Return the controller level of each episode of a dataset.

    :param level: one of :data:`DATASET_LEVELS`.
    :param num_episodes: episodes.
    :param seed: dataset seed.
    :return: list of controller levels (``'expert'``, ``'medium'``, ``'perturbed'``,
        ``'random'``).
    """
    if level not in DATASET_LEVELS:
        raise ValueError(f'level must be one of {DATASET_LEVELS}, got {level!r}')
    if level in ('expert', 'medium', 'perturbed'):
        return [level] * num_episodes
    rng = np.random.default_rng([seed, 7])
    if level == 'medium-expert':
        # Half each, in a random order (so that no category gets only one of them).
        half = ['expert'] * ((num_episodes + 1) // 2) + ['medium'] * (num_episodes // 2)
        return [str(name) for name in rng.permutation(half)]
    return list(rng.choice(['expert', 'medium', 'random'], size=num_episodes))


#: Seeds in a row that may lack a pullable contact label before a category counts as unusable.
MAX_SKIPPED_SEEDS = 50


def episode_seeds(task, categories, num_episodes, seed):
    """
    Choose the ``(category, seed)`` of each episode, skipping seeds the task cannot build.

    Episode i uses category ``i % len(categories)`` and the next seed of that category, counting
    from ``seed``, for which the task finds a pullable contact label (without skips: seed
    ``seed + i // len(categories)``).

    :param task: a :class:`~robomamba_ros.sim.low_level_task.LowLevelPullTask`.
    :param categories: object categories.
    :param num_episodes: episodes.
    :param seed: first seed of every category.
    :return: ``(episodes, skipped)``: lists of ``(category, seed)``.
    :raises RuntimeError: when a category yields no episode for ``MAX_SKIPPED_SEEDS`` seeds.
    """
    next_seed = [seed] * len(categories)
    episodes, skipped = [], []
    for i in range(num_episodes):
        k = i % len(categories)
        for _ in range(MAX_SKIPPED_SEEDS):
            candidate = (categories[k], next_seed[k])
            next_seed[k] += 1
            try:
                task.reset(*candidate)
            except RuntimeError:
                skipped.append(candidate)
                continue
            episodes.append(candidate)
            break
        else:
            raise RuntimeError(f'{categories[k]}: no pullable contact label in '
                               f'{MAX_SKIPPED_SEEDS} seeds up to {next_seed[k] - 1}')
    return episodes, skipped


def generate_dataset(path, level, num_episodes, seed=0, categories=DEFAULT_CATEGORIES,
                     task_config=None, progress=True, panda=None):
    """
    Generate a dataset and write it in the D4RL layout.

    :param path: output ``.hdf5`` file.
    :param level: one of :data:`DATASET_LEVELS`.
    :param num_episodes: episodes; episode i uses category ``i % len(categories)`` and seed
        ``seed + i // len(categories)``, or a later one where the task cannot build that
        episode (see :func:`episode_seeds`).
    :param seed: first episode seed.
    :param categories: object categories.
    :param task_config: a :class:`~robomamba_ros.sim.low_level_task.LowLevelTaskConfig`.
    :param progress: show a tqdm bar.
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` to roll out with
        the simulated Franka Panda (twists through its Servo interface, its fingers or suction
        cup), or None for the flying hand.
    :return: the metadata dict written with the file.
    """
    task_config = task_config or LowLevelTaskConfig()
    task = LowLevelPullTask(task_config, panda=panda)
    plan = episode_plan(level, num_episodes, seed)
    chosen, skipped = episode_seeds(task, categories, num_episodes, seed)
    episodes, references = [], {'expert': [], 'random': []}
    for i in tqdm(range(num_episodes), disable=not progress, desc=f'dmm-data {level}'):
        category, episode_seed = chosen[i]
        rng = np.random.default_rng([episode_seed, i, 11])
        episodes.append(run_episode(task, category, episode_seed,
                                    ScriptedController(task_config, plan[i], rng)))
        # Reference returns on the same episode, for normalised scores.
        for name in references:
            if plan[i] == name:
                references[name].append(episodes[-1]['return'])
            else:
                references[name].append(run_episode(
                    task, category, episode_seed,
                    ScriptedController(task_config, name, rng))['return'])
    data = {key: np.concatenate([e[key] for e in episodes])
            for key in ('observations', 'actions', 'rewards', 'terminals', 'timeouts')}
    metadata = {
        'task': TASK_ID, 'level': level, 'episodes': num_episodes, 'seed': seed,
        'robot': 'flying_hand' if panda is None else 'panda',
        'gripper': 'suction' if panda is None else panda.gripper,
        'categories': list(categories), 'transitions': int(len(data['rewards'])),
        'control_hz': task_config.control_hz, 'max_steps': task_config.max_steps,
        'action_low': task_config.action_low.tolist(),
        'action_high': task_config.action_high.tolist(),
        'success_rate': float(np.mean([e['success'] for e in episodes])),
        'mean_return': float(np.mean([e['return'] for e in episodes])),
        'expert_return': float(np.mean(references['expert'])),
        'random_return': float(np.mean(references['random'])),
        'controllers': {name: plan.count(name) for name in LEVELS},
        'skipped_seeds': [list(pair) for pair in skipped],
    }
    write_d4rl_hdf5(path, data, metadata)
    return metadata


__all__ = ['DATASET_LEVELS', 'DEFAULT_CATEGORIES', 'MAX_SKIPPED_SEEDS', 'episode_plan',
           'episode_seeds', 'generate_dataset', 'run_episode']
