# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Data generation: seeded scenes, oracle labels, a pull per sample, files plus a JSONL index.

Sample ``i`` of a run with seed ``S`` is a pure function of ``(S, i)``: its category is the
``i``-th in round-robin order and its episode seed is derived from ``(S, i)``. Worker processes
therefore produce the same data in any number and order, and a run that stops can resume: the
index is read back and only missing samples are generated.

Folder layout::

    OUT/index.jsonl            one JSON record per sample (order of completion)
    OUT/rgb/000123.png         RGB
    OUT/depth/000123.png       depth, uint16 millimetres (ROS 16UC1), 0 = no reading
    OUT/summary.json           counts and success rates per category, throughput
    OUT/grid.png               samples with the contact point and gripper axes drawn
    OUT/manipllm_llava.json    successful samples: instruction and ManipLLM's question -> its
                               answer text (contact pixel, up and left in the camera frame)
    OUT/language_llava.json    Stage 1 question/answer pairs per scene (LLaVA format); for
                               suite v2 also the parts, the instructed part, where it is
                               and which parts are open
"""

import concurrent.futures
from dataclasses import dataclass
import json
import multiprocessing
import pathlib
import time
import zlib

import cv2
import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import captions, language
from robomamba_ros.sim.categories import resolve_categories
from robomamba_ros.sim.episode import Episode, episode_rng, suite_episode_config

# Episode seeds of data generation stay below this; evaluation uses seeds above it.
DATAGEN_SEED_SPACE = 2 ** 30


@dataclass
class DatagenConfig:
    """
    One data generation run.

    :param num_samples: total samples in the folder (a resumed run adds the missing ones).
    :param out_dir: output folder.
    :param seed: run seed.
    :param workers: worker processes (1 runs in this process).
    :param categories: category names or ``seen``/``unseen``/``all`` (None = all).
    :param primitive: ``'pull'`` or ``'push'``.
    :param grid_samples: samples drawn in ``grid.png``.
    :param episode: an :class:`~robomamba_ros.sim.episode.EpisodeConfig` (default: the suite's).
    :param suite: ``'v1'`` or ``'v2'`` (objects with several parts, the instruction naming one).
    """

    num_samples: int
    out_dir: str
    seed: int = 0
    workers: int = 1
    categories: tuple = None
    primitive: str = 'pull'
    grid_samples: int = 16
    episode: object = None
    suite: str = 'v1'

    def __post_init__(self):
        for name, low in (('num_samples', 1), ('workers', 1), ('seed', 0), ('grid_samples', 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f'{name} must be an integer >= {low}, got {value!r}')
        if self.primitive not in ('pull', 'push'):
            raise ValueError(f"primitive must be 'pull' or 'push', got {self.primitive!r}")
        self.categories = resolve_categories(self.categories, self.suite)
        if self.episode is None:
            self.episode = suite_episode_config(self.suite)


def sample_plan(index, seed, categories):
    """
    Category and episode seed of sample ``index``.

    :param index: sample index.
    :param seed: run seed.
    :param categories: tuple of category names.
    :return: ``(category, episode_seed)``.
    """
    category = categories[index % len(categories)]
    key = f'{seed}:{index}'.encode()
    episode_seed = (zlib.crc32(key) ^ (zlib.adler32(key) << 15)) % DATAGEN_SEED_SPACE
    return category, episode_seed


def generate_sample(index, seed, category, episode_seed, out_dir, primitive='pull',
                    episode_config=None):
    """
    Render one scene, label it with the oracle sampler, run the primitive, write the files.

    :param index: sample index (names the files).
    :param seed: run seed (recorded).
    :param category: category name.
    :param episode_seed: episode seed.
    :param out_dir: dataset folder.
    :param primitive: ``'pull'`` or ``'push'``.
    :param episode_config: an :class:`EpisodeConfig`.
    :return: the record written to the index.
    """
    out = pathlib.Path(out_dir)
    episode = Episode(category, episode_seed, config=episode_config)
    obs = episode.observe()
    label_rng = episode_rng(category, episode_seed, 'label')
    obj = episode.object
    name = f'{index:06d}.png'
    cv2.imwrite(str(out / 'rgb' / name), obs.rgb[..., ::-1])
    depth_mm = np.clip(np.round(obs.depth_m * 1000.0), 0, 65535).astype(np.uint16)
    cv2.imwrite(str(out / 'depth' / name), depth_mm)
    record = {
        'id': index, 'seed': seed, 'episode_seed': episode_seed, 'category': category,
        'split': episode.split, 'part_name': episode.object.part_name,
        'joint_type': episode.object.joint_type, 'joint_limits': list(episode.object.limits),
        'q_start': episode.q_start, 'is_open': bool(episode.is_open),
        'instruction': language.instruction(category, obj.part_name, label_rng, obj.referring),
        'rgb': f'rgb/{name}', 'depth': f'depth/{name}', 'depth_unit': 'mm',
        'K': language.as_list(obs.K), 'T_world_camera': language.as_list(obs.T_world_camera),
        'camera': episode.camera_params, 'primitive': primitive,
    }
    if len(obj.parts) > 1:
        scenery = obj.params['scenery']
        record.update(
            referring=obj.referring, target_part=obj.target,
            parts=[dict(kind=p.kind, joint_type=p.joint_type, q=float(q),
                        open=bool(q - lo > 0.05 * span), pixel=_centroid(obs, p), **p.traits)
                   for p, q, lo, span in zip(obj.parts, obj.part_qs(),
                                             [obj.articulation.get_qlimits()[p.joint_index][0]
                                              for p in obj.parts], obj.part_ranges())],
            on_table=scenery['table'] is not None, distractors=len(scenery['distractors']))
    label = episode.sample_label(label_rng, obs)
    if label is None:
        record.update(valid=False, success=False, reason='part not visible')
        return record
    point_cam = geometry.transform_points(geometry.invert_transform(obs.T_world_camera),
                                          label.point_world_m)
    result = episode.execute(label.point_world_m, label.up_world, label.forward_world,
                             primitive)
    record.update(
        valid=True, pixel=list(label.pixel_uv), point_cam_m=language.as_list(point_cam),
        point_world_m=language.as_list(label.point_world_m),
        up_cam=language.as_list(episode.to_camera(label.up_world)),
        forward_cam=language.as_list(episode.to_camera(label.forward_world)),
        normal_cam=language.as_list(episode.to_camera(label.normal_world)),
        **result.to_dict())
    return record


def _centroid(obs, part):
    """Mean pixel (u, v) of a part's visible mask, or None when it is hidden."""
    rows, cols = np.nonzero(obs.mask_of({part.link.entity.per_scene_id}))
    return [float(cols.mean()), float(rows.mean())] if rows.size else None


def _generate_task(task):
    return generate_sample(*task)


def read_index(out_dir):
    """
    Read the records of a dataset folder, skipping a torn last line.

    :param out_dir: dataset folder.
    :return: list of records sorted by id (the latest record wins for a repeated id).
    """
    path = pathlib.Path(out_dir) / 'index.jsonl'
    records = {}
    if path.is_file():
        for line in path.read_text(encoding='utf-8').splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record['id']] = record
    return [records[k] for k in sorted(records)]


def run_datagen(config, progress=True):
    """
    Generate (or complete) a dataset folder.

    :param config: a :class:`DatagenConfig`.
    :param progress: show a tqdm bar.
    :return: the summary dict (also written to ``summary.json``).
    """
    from tqdm import tqdm

    out = pathlib.Path(config.out_dir)
    for sub in ('rgb', 'depth'):
        (out / sub).mkdir(parents=True, exist_ok=True)
    done = {r['id'] for r in read_index(out) if r['id'] < config.num_samples}
    tasks = []
    for index in range(config.num_samples):
        if index not in done:
            category, episode_seed = sample_plan(index, config.seed, config.categories)
            tasks.append((index, config.seed, category, episode_seed, str(out),
                          config.primitive, config.episode))
    start = time.perf_counter()
    with open(out / 'index.jsonl', 'a', encoding='utf-8') as index_file, \
            tqdm(total=len(tasks), disable=not progress, desc='datagen', unit='sample') as bar:
        def write(record):
            index_file.write(json.dumps(record) + '\n')
            index_file.flush()
            bar.update(1)

        if config.workers == 1:
            for task in tasks:
                write(_generate_task(task))
        elif tasks:
            context = multiprocessing.get_context('spawn')
            with concurrent.futures.ProcessPoolExecutor(config.workers,
                                                        mp_context=context) as pool:
                for record in pool.map(_generate_task, tasks, chunksize=4):
                    write(record)
    elapsed = time.perf_counter() - start
    records = read_index(out)
    summary = summarize(records, config, len(tasks), elapsed)
    (out / 'summary.json').write_text(json.dumps(summary, indent=2), encoding='utf-8')
    write_exports(records, out)
    from robomamba_ros.sim.figures import sample_grid
    sample_grid(out, records[:config.grid_samples], out / 'grid.png')
    return summary


def summarize(records, config, generated, elapsed_s):
    """
    Count samples and successes per category and measure this run's throughput.

    :param records: all index records.
    :param config: the :class:`DatagenConfig`.
    :param generated: samples generated by this run.
    :param elapsed_s: wall time of this run.
    :return: the summary dict.
    """
    per_category = {}
    reasons = {}
    for record in records:
        entry = per_category.setdefault(record['category'], {
            'split': record['split'], 'samples': 0, 'valid': 0, 'successes': 0})
        entry['samples'] += 1
        entry['valid'] += int(bool(record.get('valid')))
        entry['successes'] += int(bool(record.get('success')))
        reason = record.get('reason') or 'success'
        reasons[reason] = reasons.get(reason, 0) + 1
    for entry in per_category.values():
        entry['success_rate'] = entry['successes'] / entry['samples']
    total = len(records)
    return {
        'samples': total,
        'successes': sum(e['successes'] for e in per_category.values()),
        'success_rate': (sum(e['successes'] for e in per_category.values()) / total
                         if total else 0.0),
        'outcomes': reasons,
        'per_category': per_category,
        'this_run': {
            'generated': generated, 'elapsed_s': elapsed_s, 'workers': config.workers,
            'samples_per_s': generated / elapsed_s if elapsed_s > 0 and generated else 0.0,
        },
        'seed': config.seed,
        'categories': list(config.categories),
        'primitive': config.primitive,
        'suite': config.suite,
    }


def write_exports(records, out_dir):
    """
    Write the ManipLLM-answer and language exports in LLaVA format.

    :param records: index records.
    :param out_dir: dataset folder.
    """
    out = pathlib.Path(out_dir)
    manipllm, lang = [], []
    for record in records:
        if record.get('valid') and record.get('success'):
            answer = language.manipllm_answer(record['pixel'], record['up_cam'],
                                              record['forward_cam'])
            question = (f'{record["instruction"]} '
                        f'{language.manipllm_question(record.get("primitive", "pull"))}')
            manipllm.append(language.llava_entry(
                f'{record["id"]:06d}', record['rgb'], [(question, answer)]))
        lang.append(language.llava_entry(f'{record["id"]:06d}-qa', record['rgb'],
                                         language.language_pairs(record) +
                                         captions.scene_questions(record)))
    (out / 'manipllm_llava.json').write_text(json.dumps(manipllm, indent=1), encoding='utf-8')
    (out / 'language_llava.json').write_text(json.dumps(lang, indent=1), encoding='utf-8')


__all__ = [
    'DATAGEN_SEED_SPACE',
    'DatagenConfig',
    'generate_sample',
    'read_index',
    'run_datagen',
    'sample_plan',
    'summarize',
    'write_exports',
]
