# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Measure the SAPIEN suite's speed: physics steps, pull episodes, pictures, data generation.

Usage: ``python benchmarks/sim_throughput.py [--samples N] [--workers W] [--out DIR]``.
Prints one JSON object; ``--skip-render`` measures physics only (no Vulkan needed).
"""

import argparse
import json
import pathlib
import shutil
import tempfile
import time

import numpy as np

from robomamba_ros.sim.categories import CATEGORIES
from robomamba_ros.sim.datagen import DatagenConfig, run_datagen
from robomamba_ros.sim.episode import Episode


def physics_steps_per_s(steps=5000):
    """
    Step a scene with an object and the hand: plain steps, then steps under a twist command.

    :param steps: physics steps to time for each.
    :return: ``(plain steps per second, twist-driven steps per second)``.
    """
    episode = Episode('drawer_cabinet', 0)
    episode.gripper.teleport(np.eye(4))
    start = time.perf_counter()
    for _ in range(steps):
        episode.scene.step()
    plain = steps / (time.perf_counter() - start)
    episode.gripper.set_twist([0.05, 0.0, 0.0], [0.0, 0.0, 0.1])
    start = time.perf_counter()
    for _ in range(steps):
        episode.gripper.step()
    return plain, steps / (time.perf_counter() - start)


def pull_episodes_per_s(per_category=3):
    """
    Build, label and pull physics-only episodes of every category.

    :param per_category: episodes per category.
    :return: ``(episodes per second, oracle-sampler success rate per category)``.
    """
    rates = {}
    count = 0
    start = time.perf_counter()
    for name in CATEGORIES:
        wins = 0
        for seed in range(per_category):
            episode = Episode(name, seed)
            label = episode.sample_label()
            if label is not None:
                wins += episode.execute(label.point_world_m, label.up_world,
                                        label.forward_world).success
            count += 1
        rates[name] = wins / per_category
    return count / (time.perf_counter() - start), rates


def render_seconds(pictures=20):
    """
    Time the first picture of the process and warm pictures after it.

    :param pictures: warm pictures to time.
    :return: ``(first picture s, warm picture s)``.
    """
    episode = Episode('refrigerator', 0)
    start = time.perf_counter()
    episode.observe()
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(pictures):
        episode.observe()
    return first, (time.perf_counter() - start) / pictures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--samples', type=int, default=130, help='data generation samples')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--out', default=None, help='keep the generated data here')
    parser.add_argument('--skip-render', action='store_true')
    args = parser.parse_args()
    plain, twist = physics_steps_per_s()
    report = {'physics_steps_per_s': plain, 'twist_steps_per_s': twist}
    eps, rates = pull_episodes_per_s()
    report.update(pull_episodes_per_s_physics_only=eps, oracle_sampler_success=rates)
    if not args.skip_render:
        first, warm = render_seconds()
        report.update(first_picture_s=first, warm_picture_s=warm)
        out = pathlib.Path(args.out or tempfile.mkdtemp(prefix='sim_bench_'))
        for workers in sorted({1, args.workers}):
            folder = out / f'workers_{workers}'
            shutil.rmtree(folder, ignore_errors=True)
            summary = run_datagen(DatagenConfig(num_samples=args.samples, out_dir=str(folder),
                                                workers=workers), progress=False)
            report[f'datagen_samples_per_s_workers_{workers}'] = (
                summary['this_run']['samples_per_s'])
        if args.out is None:
            shutil.rmtree(out)
    print(json.dumps(report, indent=1))


if __name__ == '__main__':
    main()
