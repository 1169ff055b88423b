# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Closed-loop evaluation of a policy on fresh seeded scenes, with success rates per category.

A policy (a pose source) looks at a rendered scene, its action is lifted to 3D and executed
as a pull by an executor, and success rates are reported per category, per split and overall.

Executors:

* ``'primitive'`` (default): the scripted pull of :meth:`Episode.execute
  <robomamba_ros.sim.episode.Episode.execute>` (hand placed at the approach pose, moved in,
  attached at first touch, pulled);
* ``'scripted'``: the :class:`~robomamba_ros.tasks.scripted.ScriptedController` expert driving
  the hand in closed loop in ``LowLevelPull-v1`` (:mod:`robomamba_ros.sim.low_level_task`) from
  its seeded start pose to the predicted contact, judged by that task;
* a ``train-dmm`` run or model folder: its DMM or DT in the same closed loop, through
  :class:`~robomamba_ros.offline.controller.ReturnConditionedController` (loaded by
  :func:`robomamba_ros.offline.evaluation.load_executor`, above this layer).

The prediction becomes the low-level task's target in the very scene the policy saw (the first
executor acts on the rendered episode; each further one on a fresh copy of it, which the
physics makes identical), so all executors of a policy are compared on the same predictions.
Closed-loop records also hold the episode's return and control steps.

With ``EvalConfig(robot='panda')`` the closed-loop executors act with the simulated Franka Panda
(:class:`~robomamba_ros.sim.panda_runner.PandaEpisodeRunner`, fingers or suction): its hand
starts at the task's start pose when the arm reaches it, the actions go through its Servo
interface, and records hold why the arm stopped (``failure``). The policies' context names the
grasp the arm was placed for, which ``oracle`` takes, as it does through the nodes. The primitive
moves the flying hand only.

``EvalConfig(suite='v2')`` evaluates on suite v2's objects with several movable parts, where the
instruction names one (:mod:`robomamba_ros.sim.categories`): success also needs that no other part
moved. Suite v2 runs with the flying hand.

Scene ``k`` of a category under seed ``S`` is a fixed episode (seeds above the data generation
range, so evaluation scenes are never training scenes). Every attempted scene counts in the
denominator: an unusable output (non-finite numbers, parallel axes, a pixel without depth) is a
failure with its reason, not a skipped scene.
"""

from dataclasses import dataclass
import json
import pathlib
import time
import zlib

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import language, success
from robomamba_ros.sim.categories import resolve_categories, split_of, SUITES
from robomamba_ros.sim.datagen import DATAGEN_SEED_SPACE
from robomamba_ros.sim.episode import Episode, episode_rng, EpisodeConfig, suite_episode_config
from robomamba_ros.sim.low_level_task import LowLevelPullTask
from robomamba_ros.sim.panda_runner import GRIPPERS, PandaRunnerConfig, reference_grasp, ROBOTS
from robomamba_ros.sim.policies import load_policy, PolicyContext
from robomamba_ros.sim.report import markdown_table
from robomamba_ros.tasks.scripted import ScriptedController

PRIMITIVE_EXECUTOR = 'primitive'
SCRIPTED_EXECUTOR = 'scripted'
# Model folder of a train-dmm run (robomamba_ros.train.trainer's MODEL_DIR, named here so that
# the evaluator does not import torch).
_RUN_MODEL_DIR = 'model'


@dataclass
class EvalConfig:
    """
    One evaluation run.

    :param scenes_per_category: scenes per category.
    :param seed: evaluation seed.
    :param categories: names or ``seen``/``unseen``/``all`` (None = all).
    :param primitive: ``'pull'`` or ``'push'``.
    :param executors: executor names (``'primitive'``, ``'scripted'``) or DMM/DT run folders;
        every policy is paired with every executor.
    :param robot: ``'flying_hand'`` or ``'panda'`` (the simulated Franka Panda, closed-loop
        executors only: the primitive moves the flying hand).
    :param gripper: the Panda's gripper, ``'fingers'`` or ``'suction'``.
    :param suite: ``'v1'`` (one movable part per object) or ``'v2'`` (several, the instruction
        naming one; the flying hand only).
    """

    scenes_per_category: int = 10
    seed: int = 0
    categories: tuple = None
    primitive: str = 'pull'
    executors: tuple = (PRIMITIVE_EXECUTOR,)
    robot: str = 'flying_hand'
    gripper: str = 'fingers'
    suite: str = 'v1'

    def __post_init__(self):
        if self.suite not in SUITES:
            raise ValueError(f'suite must be one of {tuple(SUITES)}, got {self.suite!r}')
        for name, low in (('scenes_per_category', 1), ('seed', 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f'{name} must be an integer >= {low}, got {value!r}')
        self.categories = resolve_categories(self.categories, self.suite)
        if isinstance(self.executors, str):
            self.executors = (self.executors,)
        self.executors = tuple(self.executors)
        if not self.executors or not all(isinstance(e, str) and e for e in self.executors):
            raise ValueError(f'executors must be non-empty names, got {self.executors!r}')
        if len(set(self.executors)) != len(self.executors):
            raise ValueError(f'executors must not repeat, got {self.executors!r}')
        if self.primitive != 'pull' and set(self.executors) != {PRIMITIVE_EXECUTOR}:
            raise ValueError(f'closed-loop executors run the pull task only, got primitive '
                             f'{self.primitive!r} with executors {self.executors!r}')
        if self.robot not in ROBOTS:
            raise ValueError(f'robot must be one of {ROBOTS}, got {self.robot!r}')
        if self.gripper not in GRIPPERS:
            raise ValueError(f'gripper must be one of {GRIPPERS}, got {self.gripper!r}')
        if self.robot == 'panda' and PRIMITIVE_EXECUTOR in self.executors:
            raise ValueError('the Panda runs closed-loop executors (scripted or a DMM/DT '
                             'folder); the primitive moves the flying hand')
        if self.suite == 'v2' and self.robot != 'flying_hand':
            raise ValueError('suite v2 runs with the flying hand (the layout of the Panda plans '
                             f'for one-part objects), got robot {self.robot!r}')

    def episode_config(self):
        """Return the suite's :class:`EpisodeConfig` (camera and field of view)."""
        return suite_episode_config(self.suite)

    def panda_config(self):
        """Return the :class:`PandaRunnerConfig` of the run, or None for the flying hand."""
        return PandaRunnerConfig(gripper=self.gripper) if self.robot == 'panda' else None


class PrimitiveExecutor:
    """Execute the prediction with the scripted primitive of :meth:`Episode.execute`."""

    name = PRIMITIVE_EXECUTOR
    closed_loop = False

    def __call__(self, episode, point_world_m, up_world, forward_world, primitive='pull'):
        """
        Run the primitive in the episode.

        :param episode: the :class:`~robomamba_ros.sim.episode.Episode` in its initial state.
        :param point_world_m: contact point, shape (3,).
        :param up_world: approach axis, shape (3,).
        :param forward_world: forward axis, shape (3,).
        :param primitive: ``'pull'`` or ``'push'``.
        :return: ``(InteractionResult, {})``.
        """
        return episode.execute(point_world_m, up_world, forward_world, primitive), {}


class ClosedLoopExecutor:
    """
    Drive the hand to the prediction in ``LowLevelPull-v1`` with a low-level controller.

    The prediction is the task's target (contact point, up, forward); the hand starts at the
    task's seeded start pose, the controller acts until the task ends, and the task's criterion
    judges.

    :param name: label of the executor in records and tables.
    :param controller: callable observation (23,) -> action (7,) with ``reset()``, and
        ``observe_reward(reward)`` when it is return-conditioned.
    :param task_config: a :class:`~robomamba_ros.tasks.low_level_pull.LowLevelTaskConfig`.
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` to act with the
        simulated Panda, or None for the flying hand.
    """

    closed_loop = True

    def __init__(self, name, controller, task_config=None, panda=None):
        self.name = name
        self.controller = controller
        self.task = LowLevelPullTask(task_config, panda=panda)

    def __call__(self, episode, point_world_m, up_world, forward_world, primitive='pull'):
        """
        Run one closed-loop episode towards the prediction.

        :param episode: the :class:`~robomamba_ros.sim.episode.Episode` in its initial state.
        :param point_world_m: contact point, shape (3,).
        :param up_world: approach axis, shape (3,).
        :param forward_world: forward axis, shape (3,).
        :param primitive: must be ``'pull'``.
        :return: ``(InteractionResult, {'return', 'steps', 'open_fraction'})``, with the Panda
            also ``failure``: why the arm stopped (``joint_limit``, ``singularity``, ...), or
            ``slip``, or ``''``.
        :raises ValueError: for another primitive.
        """
        if primitive != 'pull':
            raise ValueError(f'{self.name}: closed-loop executors pull only, got {primitive!r}')
        task, controller = self.task, self.controller
        observation = task.reset(episode.category, episode.seed,
                                 target=(point_world_m, up_world, forward_world),
                                 episode=episode)
        controller.reset()
        total = 0.0
        while True:
            observation, reward, terminated, truncated, info = task.step(controller(observation))
            if hasattr(controller, 'observe_reward'):
                controller.observe_reward(reward)
            total += reward
            if terminated or truncated:
                break
        extra = {'return': float(total), 'steps': task.steps,
                 'open_fraction': float(info['open_fraction'])}
        if task.panda is not None:
            extra['failure'] = task.runner.failure
        return task.judge(), extra


def builtin_executor(name, task_config=None, panda=None):
    """
    Make a built-in executor by name.

    Trained executors (``train-dmm`` run or model folders) need torch and the offline layer:
    :func:`robomamba_ros.offline.evaluation.load_executor` loads those and these alike.

    :param name: ``'primitive'`` or ``'scripted'``.
    :param task_config: a :class:`~robomamba_ros.tasks.low_level_pull.LowLevelTaskConfig`
        for the closed-loop executor.
    :param panda: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig` for the
        closed-loop executor to act with the simulated Panda, or None.
    :return: a :class:`PrimitiveExecutor` or :class:`ClosedLoopExecutor`.
    :raises ValueError: for another name.
    """
    if name == PRIMITIVE_EXECUTOR:
        return PrimitiveExecutor()
    if name == SCRIPTED_EXECUTOR:
        task = LowLevelPullTask(task_config)
        controller = ScriptedController(task.config, 'expert', np.random.default_rng(0),
                                        task.interaction)
        return ClosedLoopExecutor(name, controller, task.config, panda)
    raise ValueError(f'unknown executor {name!r}: use {PRIMITIVE_EXECUTOR}, '
                     f'{SCRIPTED_EXECUTOR} or a train-dmm run or model folder')


def short_name(name):
    """
    Short label of a policy or executor for tables: a folder's name (its run's for ``model/``).

    :param name: a built-in name or a path.
    :return: string.
    """
    path = pathlib.Path(name)
    if path.name == _RUN_MODEL_DIR and path.parent.name:
        return path.parent.name
    return path.name or name


def eval_episode_seed(seed, category, scene_index):
    """
    Episode seed of scene ``scene_index`` of a category (disjoint from data generation seeds).

    :param seed: evaluation seed.
    :param category: category name.
    :param scene_index: index of the scene within the category.
    :return: integer seed >= ``DATAGEN_SEED_SPACE``.
    """
    key = f'eval:{seed}:{category}:{scene_index}'.encode()
    return DATAGEN_SEED_SPACE + zlib.crc32(key)


def eval_episode_plan(k, categories, scenes_per_category, seed):
    """
    Return the ``k``-th evaluation episode in scene-major order.

    Scene 0 of every category, then scene 1, ...; after every pair ran once the order repeats.

    :param k: episode number (>= 0).
    :param categories: category names, in order.
    :param scenes_per_category: scenes per category before the order repeats.
    :param seed: evaluation seed.
    :return: ``(category, scene index, episode seed)``.
    """
    n = len(categories)
    pair = k % (n * scenes_per_category)
    category, scene = categories[pair % n], pair // n
    return category, scene, eval_episode_seed(seed, category, scene)


def _parse_action(action):
    pixel, up, forward = action
    pixel = np.asarray(pixel, dtype=np.float64).reshape(-1)
    up = np.asarray(up, dtype=np.float64).reshape(-1)
    forward = np.asarray(forward, dtype=np.float64).reshape(-1)
    if pixel.shape != (2,) or up.shape != (3,) or forward.shape != (3,):
        raise ValueError('policy output must be (pixel (2,), up (3,), forward (3,))')
    geometry.gripper_rotation(up, forward)  # raises for non-finite, zero or parallel axes
    if not np.all(np.isfinite(pixel)):
        raise ValueError('pixel must be finite')
    return pixel, up, forward


def predict(policy, episode, primitive='pull', gripper='suction', robot='flying_hand'):
    """
    Render a scene, ask the policy, and lift its action to the world frame.

    :param policy: a policy callable.
    :param episode: the :class:`~robomamba_ros.sim.episode.Episode` in its initial state.
    :param primitive: ``'pull'`` or ``'push'`` (recorded on failures).
    :param gripper: the gripper the pose is for (the policy's context): ``'suction'`` or
        ``'fingers'``.
    :param robot: ``'panda'`` tells the policy's context the grasp the arm is placed for
        (:func:`~robomamba_ros.sim.panda_runner.reference_grasp`; ``oracle`` returns it).
    :return: ``(record, target, failure)``: the record so far; the target
        ``(point_world_m, up_world, forward_world)`` or None; a failed
        :class:`~robomamba_ros.sim.success.InteractionResult` when the action is unusable.
    """
    category, episode_seed = episode.category, episode.seed
    obs = episode.observe()
    rng = episode_rng(category, episode_seed, 'policy')
    text = language.instruction(category, episode.object.part_name,
                                episode_rng(category, episode_seed, 'instruction'),
                                episode.object.referring)
    if hasattr(policy, 'reset'):
        grasp = reference_grasp(episode, gripper) if robot == 'panda' else None
        policy.reset(PolicyContext(episode=episode, observation=obs, rng=rng, gripper=gripper,
                                   grasp=grasp))
    record = {'category': category, 'split': episode.split, 'episode_seed': episode_seed,
              'instruction': text}
    if len(episode.object.parts) > 1:
        record.update(referring=episode.object.referring, target_part=episode.object.target,
                      parts=len(episode.object.parts))
    try:
        pixel, up_cam, forward_cam = _parse_action(
            policy(obs.rgb.copy(), obs.depth_m.copy(), obs.K.copy(), text))
    except (TypeError, ValueError) as exc:
        record['error'] = str(exc)
        return record, None, success.failed_before_contact('invalid action', primitive)
    record.update(pixel=pixel.tolist(), up_cam=up_cam.tolist(), forward_cam=forward_cam.tolist())
    u, v = pixel
    depth_m = geometry.robust_depth(obs.depth_m, u, v, window=1)
    if depth_m is None:
        depth_m = geometry.robust_depth(obs.depth_m, u, v, window=5)
    if depth_m is None:
        return record, None, success.failed_before_contact('no depth at pixel', primitive)
    point_world = episode.point_to_world(geometry.deproject(u, v, depth_m, obs.K))
    record['point_world_m'] = language.as_list(point_world)
    return record, (point_world, episode.to_world(up_cam), episode.to_world(forward_cam)), None


def _as_executor(executor):
    return builtin_executor(executor) if isinstance(executor, str) else executor


def run_scene(policy, category, episode_seed, executors, primitive='pull', episode_config=None,
              gripper='suction', robot='flying_hand'):
    """
    Evaluate one policy on one scene with several executors, on the same prediction.

    The first executor acts on the rendered episode, each further one on a fresh episode of
    the same ``(category, seed, config)``.

    :param policy: a policy callable.
    :param category: category name.
    :param episode_seed: episode seed.
    :param executors: dict ``{label: executor}`` (executor objects or names).
    :param primitive: ``'pull'`` or ``'push'``.
    :param episode_config: an :class:`EpisodeConfig`.
    :param gripper: the gripper the policy predicts for (see :func:`predict`).
    :param robot: the robot the executors act with (see :func:`predict`).
    :return: dict ``{label: record}``; each record holds the executor's name, ``predict_s``
        (building, rendering and the policy, shared) and ``execute_s``; closed-loop ones also
        ``return`` and ``steps`` (None when no episode ran).
    """
    config = episode_config or EpisodeConfig()
    start = time.perf_counter()
    episode = Episode(category, episode_seed, config=config)
    base, target, failure = predict(policy, episode, primitive, gripper, robot)
    base['predict_s'] = time.perf_counter() - start
    records = {}
    for label, executor in executors.items():
        executor = _as_executor(executor)
        record = dict(base, executor=executor.name)
        extra = {'return': None, 'steps': None} if executor.closed_loop else {}
        start = time.perf_counter()
        if failure is None:
            if episode is None:
                episode = Episode(category, episode_seed, config=config)
                start = time.perf_counter()
            result, extra = executor(episode, *target, primitive)
            episode = None  # used: the next executor needs a fresh copy
        else:
            result = failure
        record.update(result.to_dict(), **extra)
        record['execute_s'] = time.perf_counter() - start
        records[label] = record
    return records


def run_episode(policy, category, episode_seed, primitive='pull', episode_config=None,
                executor=PRIMITIVE_EXECUTOR):
    """
    Evaluate a policy on one scene.

    :param policy: a policy callable.
    :param category: category name.
    :param episode_seed: episode seed.
    :param primitive: ``'pull'`` or ``'push'``.
    :param episode_config: an :class:`EpisodeConfig`.
    :param executor: ``'primitive'``, ``'scripted'``, a DMM/DT folder, or an executor object
        (see :func:`builtin_executor`).
    :return: a record dict (category, seed, the action, the executor, the result fields).
    """
    executor = _as_executor(executor)
    return run_scene(policy, category, episode_seed, {executor.name: executor}, primitive,
                     episode_config)[executor.name]


def aggregate(records, categories):
    """
    Success rate per category, the mean over seen and unseen categories, and the overall mean.

    :param records: episode records.
    :param categories: category names in column order.
    :return: dict with ``per_category``, ``seen``, ``unseen``, ``mean`` (None for an empty split).
    """
    per_category = {}
    for name in categories:
        mine = [r for r in records if r['category'] == name]
        per_category[name] = {
            'attempted': len(mine), 'successes': sum(bool(r['success']) for r in mine),
            'success_rate': (sum(bool(r['success']) for r in mine) / len(mine)) if mine else None,
        }

    def mean(names):
        rates = [per_category[n]['success_rate'] for n in names
                 if n in per_category and per_category[n]['success_rate'] is not None]
        return float(np.mean(rates)) if rates else None

    return {
        'per_category': per_category,
        'seen': mean([n for n in categories if split_of(n) == 'seen']),
        'unseen': mean([n for n in categories if split_of(n) == 'unseen']),
        'mean': mean(categories),
    }


def _timing(records):
    """Median seconds per scene (shared prediction, execution) and closed-loop means."""
    out = {'median_predict_s': float(np.median([r.get('predict_s', 0.0) for r in records])),
           'median_execute_s': float(np.median([r.get('execute_s', 0.0) for r in records]))}
    ran = [r for r in records if r.get('steps') is not None]
    if ran:
        out['mean_return'] = float(np.mean([r['return'] for r in ran]))
        out['mean_steps'] = float(np.mean([r['steps'] for r in ran]))
    return out


def run_eval(policies, config, out_dir, progress=True, executors=None):
    """
    Evaluate every policy with every executor and write the results.

    ``eval.json`` holds every record, ``eval_table.png`` the success per category, and
    ``eval_table.md`` the averages with 95 % intervals and the success per category.

    Rows are named by the policy alone when the only executor is the default primitive (as
    before executors existed), else ``'policy + executor'``.

    :param policies: list of built-in names or model folders, or a dict ``{name: policy}`` of
        policies already made.
    :param config: an :class:`EvalConfig`.
    :param out_dir: output folder.
    :param progress: show a tqdm bar.
    :param executors: dict ``{name: executor}`` of executors already made (see
        :func:`robomamba_ros.offline.evaluation.load_executor`); default: the built-in
        ``config.executors`` by name.
    :return: the results dict; ``results['policies'][row]`` holds the policy, the executor,
        the success rates, median timings, closed-loop return and steps, and every record.
    """
    from tqdm import tqdm

    from robomamba_ros.sim.figures import success_table

    if not isinstance(policies, dict):
        policies = {name: load_policy(name) for name in policies}
    if executors is None:
        executors = {name: builtin_executor(name, panda=config.panda_config())
                     for name in config.executors}
    elif not isinstance(executors, dict):
        executors = {name: builtin_executor(name, panda=config.panda_config())
                     for name in executors}
    legacy = list(executors) == [PRIMITIVE_EXECUTOR]
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = {'config': {'scenes_per_category': config.scenes_per_category,
                          'seed': config.seed, 'categories': list(config.categories),
                          'primitive': config.primitive, 'executors': list(executors),
                          'robot': config.robot, 'gripper': config.gripper,
                          'suite': config.suite},
               'policies': {}}
    total = len(policies) * len(config.categories) * config.scenes_per_category
    gripper = config.gripper if config.robot == 'panda' else 'suction'
    with tqdm(total=total, disable=not progress, desc='eval', unit='scene') as bar:
        for name, policy in policies.items():
            records = {label: [] for label in executors}
            for category in config.categories:
                for k in range(config.scenes_per_category):
                    seed = eval_episode_seed(config.seed, category, k)
                    scene = run_scene(policy, category, seed, executors, config.primitive,
                                      config.episode_config(), gripper=gripper,
                                      robot=config.robot)
                    for label, record in scene.items():
                        records[label].append(record)
                    bar.update(1)
            for label, mine in records.items():
                summary = {'policy': name, 'executor': label}
                summary.update(aggregate(mine, config.categories))
                summary['elapsed_s'] = float(sum(r['predict_s'] + r['execute_s'] for r in mine))
                summary.update(_timing(mine))
                summary['episodes'] = mine
                results['policies'][name if legacy else f'{name} + {label}'] = summary
    (out / 'eval.json').write_text(json.dumps(results, indent=1), encoding='utf-8')
    seen = [n for n in config.categories if split_of(n) == 'seen']
    unseen = [n for n in config.categories if split_of(n) == 'unseen']
    rows = {}
    for summary in results['policies'].values():
        row = {n: e['success_rate'] for n, e in summary['per_category'].items()}
        row.update(seen=summary['seen'], unseen=summary['unseen'], mean=summary['mean'])
        label = short_name(summary['policy'])
        rows[label if legacy else f'{label} + {short_name(summary["executor"])}'] = row
    executed_by = config.primitive if legacy else f'{config.primitive} (pose source + executor)'
    success_table(rows, seen, unseen, out / 'eval_table.png',
                  title=f'Success rate (%) of {executed_by}, '
                        f'{config.scenes_per_category} scenes per category')
    (out / 'eval_table.md').write_text(markdown_table(results, lambda name: ' + '.join(
        short_name(part) for part in name.split(' + '))), encoding='utf-8')
    return results


def format_table(results):
    """
    Plain-text table of the results for the terminal.

    :param results: output of :func:`run_eval`.
    :return: multi-line string.
    """
    width = max([20] + [len(name) for name in results['policies']])
    lines = [f'{"policy":<{width}} {"seen":>6} {"unseen":>6} {"mean":>6} {"exec s":>7}']
    for name, summary in results['policies'].items():
        cells = [summary[k] for k in ('seen', 'unseen', 'mean')]
        lines.append(f'{name:<{width}} ' + ' '.join(
            f'{"-":>6}' if c is None else f'{100 * c:6.1f}' for c in cells) +
            f' {summary.get("median_execute_s", 0.0):7.3f}')
    return '\n'.join(lines)


__all__ = [
    'ClosedLoopExecutor',
    'EvalConfig',
    'PRIMITIVE_EXECUTOR',
    'PrimitiveExecutor',
    'SCRIPTED_EXECUTOR',
    'aggregate',
    'builtin_executor',
    'eval_episode_plan',
    'eval_episode_seed',
    'format_table',
    'predict',
    'run_episode',
    'run_eval',
    'run_scene',
    'short_name',
]
