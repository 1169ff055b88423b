# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Closed-loop evaluation of a policy on fresh seeded scenes, with success rates per category.

A policy looks at a rendered scene, its action is lifted to 3D and executed as a pull, and
success rates are reported per category, per split and overall.

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
from robomamba_ros.sim.categories import resolve_categories, SEEN_CATEGORIES, UNSEEN_CATEGORIES
from robomamba_ros.sim.datagen import DATAGEN_SEED_SPACE
from robomamba_ros.sim.episode import Episode, episode_rng, EpisodeConfig
from robomamba_ros.sim.policies import load_policy, PolicyContext


@dataclass
class EvalConfig:
    """
    One evaluation run.

    :param scenes_per_category: scenes per category.
    :param seed: evaluation seed.
    :param categories: names or ``seen``/``unseen``/``all`` (None = all).
    :param primitive: ``'pull'`` or ``'push'``.
    """

    scenes_per_category: int = 10
    seed: int = 0
    categories: tuple = None
    primitive: str = 'pull'

    def __post_init__(self):
        for name, low in (('scenes_per_category', 1), ('seed', 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f'{name} must be an integer >= {low}, got {value!r}')
        self.categories = resolve_categories(self.categories)


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


def run_episode(policy, category, episode_seed, primitive='pull', episode_config=None):
    """
    Evaluate a policy on one scene.

    :param policy: a policy callable.
    :param category: category name.
    :param episode_seed: episode seed.
    :param primitive: ``'pull'`` or ``'push'``.
    :param episode_config: an :class:`EpisodeConfig`.
    :return: a record dict (category, seed, the action, the result fields).
    """
    episode = Episode(category, episode_seed, config=episode_config or EpisodeConfig())
    obs = episode.observe()
    rng = episode_rng(category, episode_seed, 'policy')
    text = language.instruction(category, episode.object.part_name,
                                episode_rng(category, episode_seed, 'instruction'))
    if hasattr(policy, 'reset'):
        policy.reset(PolicyContext(episode=episode, observation=obs, rng=rng))
    record = {'category': category, 'split': episode.split, 'episode_seed': episode_seed,
              'instruction': text}
    try:
        pixel, up_cam, forward_cam = _parse_action(
            policy(obs.rgb.copy(), obs.depth_m.copy(), obs.K.copy(), text))
    except (TypeError, ValueError) as exc:
        result = success.failed_before_contact('invalid action', primitive)
        record.update(result.to_dict(), error=str(exc))
        return record
    record.update(pixel=pixel.tolist(), up_cam=up_cam.tolist(), forward_cam=forward_cam.tolist())
    u, v = pixel
    depth_m = geometry.robust_depth(obs.depth_m, u, v, window=1)
    if depth_m is None:
        depth_m = geometry.robust_depth(obs.depth_m, u, v, window=5)
    if depth_m is None:
        record.update(success.failed_before_contact('no depth at pixel', primitive).to_dict())
        return record
    point_world = episode.point_to_world(geometry.deproject(u, v, depth_m, obs.K))
    result = episode.execute(point_world, episode.to_world(up_cam), episode.to_world(forward_cam),
                             primitive)
    record.update(result.to_dict(), point_world_m=language.as_list(point_world))
    return record


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
        'seen': mean(SEEN_CATEGORIES),
        'unseen': mean(UNSEEN_CATEGORIES),
        'mean': mean(categories),
    }


def run_eval(policies, config, out_dir, progress=True):
    """
    Evaluate one or more policies and write ``eval.json`` and ``eval_table.png``.

    :param policies: list of built-in names or model folders, or a dict ``{name: policy}`` of
        policies already made.
    :param config: an :class:`EvalConfig`.
    :param out_dir: output folder.
    :param progress: show a tqdm bar.
    :return: the results dict.
    """
    from tqdm import tqdm

    from robomamba_ros.sim.figures import success_table

    if not isinstance(policies, dict):
        policies = {name: load_policy(name) for name in policies}
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = {'config': {'scenes_per_category': config.scenes_per_category,
                          'seed': config.seed, 'categories': list(config.categories),
                          'primitive': config.primitive},
               'policies': {}}
    total = len(policies) * len(config.categories) * config.scenes_per_category
    with tqdm(total=total, disable=not progress, desc='eval', unit='scene') as bar:
        for name, policy in policies.items():
            start = time.perf_counter()
            records = []
            for category in config.categories:
                for k in range(config.scenes_per_category):
                    seed = eval_episode_seed(config.seed, category, k)
                    records.append(run_episode(policy, category, seed, config.primitive))
                    bar.update(1)
            summary = aggregate(records, config.categories)
            summary['elapsed_s'] = time.perf_counter() - start
            summary['episodes'] = records
            results['policies'][name] = summary
    (out / 'eval.json').write_text(json.dumps(results, indent=1), encoding='utf-8')
    seen = [n for n in config.categories if n in SEEN_CATEGORIES]
    unseen = [n for n in config.categories if n in UNSEEN_CATEGORIES]
    rows = {}
    for name, summary in results['policies'].items():
        row = {n: e['success_rate'] for n, e in summary['per_category'].items()}
        row.update(seen=summary['seen'], unseen=summary['unseen'], mean=summary['mean'])
        rows[pathlib.Path(name).name or name] = row
    success_table(rows, seen, unseen, out / 'eval_table.png',
                  title=f'Success rate (%) of {config.primitive}, '
                        f'{config.scenes_per_category} scenes per category')
    return results


def format_table(results):
    """
    Plain-text table of the results for the terminal.

    :param results: output of :func:`run_eval`.
    :return: multi-line string.
    """
    lines = [f'{"policy":<20} {"seen":>6} {"unseen":>6} {"mean":>6}']
    for name, summary in results['policies'].items():
        cells = [summary[k] for k in ('seen', 'unseen', 'mean')]
        lines.append(f'{name:<20} ' + ' '.join(
            f'{"-":>6}' if c is None else f'{100 * c:6.1f}' for c in cells))
    return '\n'.join(lines)


__all__ = [
    'EvalConfig',
    'aggregate',
    'eval_episode_seed',
    'format_table',
    'run_episode',
    'run_eval',
]
