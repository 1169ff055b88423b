# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``eval-dmm``: closed-loop evaluation of trained policies in the SAPIEN low-level pull task.

Each run folder (one training seed) is evaluated at the end of its training on the same held-out
episodes; a variant's score is the mean ± standard deviation over its runs of the per-run mean
(normalised return and success rate). Normalised return is D4RL's
``100 * (R - R_random) / (R_expert - R_random)`` with the scripted expert and random controllers
run on the same evaluation episodes. Writes ``eval.json`` and ``eval_table.png``.
"""

import collections
import json
import os
import pathlib

import numpy as np
from tqdm import tqdm

# ReturnConditionedController and INFERENCE_MODES are re-exported (they need no SAPIEN).
from robomamba_ros.offline.controller import INFERENCE_MODES, ReturnConditionedController
from robomamba_ros.offline.generate import DEFAULT_CATEGORIES, episode_seeds, run_episode
from robomamba_ros.offline.training import load_policy
from robomamba_ros.sim.evaluate import (
    builtin_executor, ClosedLoopExecutor, PRIMITIVE_EXECUTOR, SCRIPTED_EXECUTOR)
from robomamba_ros.sim.low_level_task import LowLevelPullTask
from robomamba_ros.tasks.low_level_pull import LowLevelTaskConfig
from robomamba_ros.tasks.scripted import ScriptedController
from robomamba_ros.train.trainer import LOG_FILE, MODEL_DIR

EVAL_SEED = 10_000
RESULTS_FILE = 'eval.json'
TABLE_FILE = 'eval_table.png'


def load_executor(name, inference='recurrent', task_config=None, panda=None):
    """
    Make an executor of the pose-source evaluator by name, or from a ``train-dmm`` folder.

    :param name: ``'primitive'``, ``'scripted'``, or a folder with a DMM or DT (a run folder
        holding ``model/``, or the model folder itself).
    :param inference: DMM inference, ``'recurrent'`` or ``'window'`` (the DT always
        re-forwards its window).
    :param task_config: a :class:`~robomamba_ros.tasks.low_level_pull.LowLevelTaskConfig`
        for the closed-loop executors.
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` for the
        closed-loop executors to act with the simulated Panda, or None.
    :return: a :class:`~robomamba_ros.sim.evaluate.PrimitiveExecutor` or
        :class:`~robomamba_ros.sim.evaluate.ClosedLoopExecutor`.
    :raises ValueError: for an unknown name.
    """
    path = pathlib.Path(name)
    if name in (PRIMITIVE_EXECUTOR, SCRIPTED_EXECUTOR) or not path.is_dir():
        return builtin_executor(name, task_config, panda)
    task = LowLevelPullTask(task_config)
    model_dir = path / MODEL_DIR
    policy, stats = load_policy(str(model_dir if model_dir.is_dir() else path))
    mode = inference if policy.name == 'dmm' else 'recurrent'
    controller = ReturnConditionedController(policy, stats, inference=mode)
    return ClosedLoopExecutor(name, controller, task.config, panda)


def rollout(task, category, seed, controller):
    """
    Run one closed-loop episode with a return-conditioned controller.

    :param task: a :class:`~robomamba_ros.sim.low_level_task.LowLevelPullTask`.
    :param category: object category.
    :param seed: episode seed.
    :param controller: a :class:`ReturnConditionedController`.
    :return: ``{'return', 'success', 'steps'}``.
    """
    observation = task.reset(category, seed)
    controller.reset()
    total, steps = 0.0, 0
    while True:
        observation, reward, terminated, truncated, info = task.step(controller(observation))
        controller.observe_reward(reward)
        total += reward
        steps += 1
        if terminated or truncated:
            return {'return': total, 'success': bool(info['success']), 'steps': steps}


def evaluation_episodes(num_episodes, categories=DEFAULT_CATEGORIES, task=None):
    """
    Return the held-out ``(category, seed)`` pairs, the same for every policy.

    Seeds count from ``EVAL_SEED`` per category, skipping those without a pullable contact
    label (see :func:`~robomamba_ros.offline.generate.episode_seeds`).

    :param num_episodes: episodes.
    :param categories: object categories, taken in turn.
    :param task: the task that checks the episodes (a new one when None).
    :return: list of ``(category, seed)``.
    """
    task = task or LowLevelPullTask(LowLevelTaskConfig())
    return episode_seeds(task, categories, num_episodes, EVAL_SEED)[0]


def reference_returns(episodes, task):
    """
    Mean returns and success rates of the scripted expert and random controllers.

    :param episodes: ``(category, seed)`` pairs.
    :param task: a :class:`~robomamba_ros.sim.low_level_task.LowLevelPullTask`.
    :return: ``{'expert_return', 'random_return', 'expert_success', 'random_success'}``.
    """
    out = {}
    for level in ('expert', 'random'):
        results = [run_episode(task, category, seed, ScriptedController(
            task.config, level, np.random.default_rng([seed, i, 13])))
            for i, (category, seed) in enumerate(episodes)]
        out[f'{level}_return'] = float(np.mean([r['return'] for r in results]))
        out[f'{level}_success'] = float(np.mean([r['success'] for r in results]))
    return out


def _label(run_dir):
    path = os.path.join(run_dir, LOG_FILE)
    if os.path.isfile(path):
        with open(path, encoding='utf-8') as f:
            return json.load(f).get('label', os.path.basename(run_dir))
    return os.path.basename(os.path.normpath(run_dir))


def evaluate_runs(run_dirs, num_episodes, out_dir, categories=DEFAULT_CATEGORIES,
                  progress=True, inference='recurrent', target_return=None, panda=None):
    """
    Evaluate training runs and write ``eval.json`` and ``eval_table.png``.

    :param run_dirs: ``train-dmm`` output folders (or model folders).
    :param num_episodes: evaluation episodes per run.
    :param out_dir: output folder.
    :param categories: object categories of the evaluation episodes.
    :param progress: show a tqdm bar.
    :param inference: DMM inference, ``'recurrent'`` or ``'window'`` (see
        :class:`ReturnConditionedController`); the DT always re-forwards its window.
    :param target_return: return to condition on (default: each run's best dataset return).
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` to evaluate with
        the simulated Franka Panda, or None for the flying hand.
    :return: the results dict.
    """
    task = LowLevelPullTask(LowLevelTaskConfig(), panda=panda)
    episodes = evaluation_episodes(num_episodes, categories, task)
    reference = reference_returns(episodes, task)
    span = reference['expert_return'] - reference['random_return']
    runs = []
    bar = tqdm(total=len(run_dirs) * len(episodes), disable=not progress, desc='eval-dmm')
    for run_dir in run_dirs:
        model_dir = os.path.join(run_dir, MODEL_DIR)
        policy, stats = load_policy(model_dir if os.path.isdir(model_dir) else run_dir)
        mode = inference if policy.name == 'dmm' else 'recurrent'
        controller = ReturnConditionedController(policy, stats, target_return, inference=mode)
        results = []
        for category, seed in episodes:
            results.append(rollout(task, category, seed, controller))
            bar.update(1)
        returns = np.array([r['return'] for r in results])
        runs.append({
            'run': run_dir, 'label': _label(run_dir), 'mean_return': float(returns.mean()),
            'target_return': controller.target_return,
            'normalized_return': float(100.0 * (returns.mean() - reference['random_return']) /
                                       span),
            'success_rate': float(np.mean([r['success'] for r in results])),
            'episodes': results})
    bar.close()
    groups = collections.OrderedDict()
    for run in runs:
        groups.setdefault(run['label'], []).append(run)
    table = []
    for label, members in groups.items():
        normalized = np.array([m['normalized_return'] for m in members])
        success = np.array([m['success_rate'] for m in members])
        table.append({'label': label, 'runs': len(members),
                      'normalized_return_mean': float(normalized.mean()),
                      'normalized_return_std': float(normalized.std()),
                      'success_mean': float(success.mean()), 'success_std': float(success.std()),
                      'best_run_normalized_return': float(normalized.max())})
    results = {'episodes_per_run': len(episodes), 'categories': list(categories),
               'robot': 'flying_hand' if panda is None else 'panda',
               'gripper': 'suction' if panda is None else panda.gripper,
               'episodes': [list(pair) for pair in episodes], 'dmm_inference': inference,
               'reference': reference, 'table': table, 'runs': runs}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, RESULTS_FILE), 'w', encoding='utf-8') as f:
        json.dump(results, f, indent=1)
    plot_table(table, os.path.join(out_dir, TABLE_FILE), len(episodes), reference)
    return results


def format_row(row):
    """One line of the table: label, normalised return and success as mean ± std."""
    return (f"{row['label']:<12} runs {row['runs']}  normalised return "
            f"{row['normalized_return_mean']:7.1f} ± {row['normalized_return_std']:5.1f}  "
            f"success {100 * row['success_mean']:5.1f} ± {100 * row['success_std']:4.1f} %")


def plot_table(table, path, episodes, reference=None):
    """
    Write the ablation table as a PNG.

    :param table: rows as :func:`evaluate_runs` builds them.
    :param path: output file.
    :param episodes: episodes per run (for the title).
    :param reference: :func:`reference_returns` of the same episodes: adds the scripted expert.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    cells = [[row['label'], str(row['runs']),
              f"{row['normalized_return_mean']:.1f} ± {row['normalized_return_std']:.1f}",
              f"{100 * row['success_mean']:.1f} ± {100 * row['success_std']:.1f}"]
             for row in table]
    if reference and 'expert_success' in reference:
        cells.append(['scripted expert', '-', '100.0', f"{100 * reference['expert_success']:.1f}"])
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.4 * max(1, len(cells))))
    ax.axis('off')
    ax.table(cellText=cells, colLabels=['policy', 'seeds', 'normalised return',
                                        'success %'], loc='center')
    ax.set_title(f'LowLevelPull-v1, {episodes} episodes per seed (mean ± std over seeds)')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


__all__ = ['EVAL_SEED', 'INFERENCE_MODES', 'ReturnConditionedController', 'evaluate_runs',
           'evaluation_episodes', 'format_row', 'load_executor', 'plot_table',
           'reference_returns', 'rollout']
