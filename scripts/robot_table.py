# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Tabulate ``scripts/evaluate_robots.sh``: success and failure reasons per robot and executor.

Usage: ``python scripts/robot_table.py results/robots`` reads ``runs/*/results.json`` (one
``robomamba-ros demo`` run each) and writes ``table.md`` and ``table.json`` next to them; and
``eval/<robot>/eval.json`` (one ``robomamba-ros eval --robot ...`` run each: the in-process
evaluator, every policy paired with every executor) into ``eval_table.md`` and
``eval_table.json``.

Each failed episode gets one reason, the first that applies: the goal was refused by
robomamba_node's safety layer (``refused: <check>``), the arm stopped (``unreachable``,
``joint_limit``, ``joint_velocity``, ``singularity``, ``discontinuity``, ``slip``), else the
judge's reason (``no contact``, ``part did not move``, ``wrong direction``, ...). The interval
is Wilson's 95 %.
"""

import collections
import json
from pathlib import Path
import sys

from robomamba_ros.sim.report import wilson_interval


def wilson(successes, n):
    """Return the 95 % Wilson interval of a success rate, in percent."""
    low, high = wilson_interval(successes, n)
    return 100.0 * low, 100.0 * high


def failure_reason(record):
    """Return the one reason an episode failed (see the module notes)."""
    goal = record.get('goal') or ''
    if goal.startswith('refused'):
        return 'refused: ' + goal[len('refused'):].strip(' ()')
    if record.get('failure'):
        return record['failure']
    return record.get('reason') or 'unknown'


def median(values):
    """Return the median of a non-empty list."""
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def summarise(name, results):
    """Return one table row of a demo's ``results.json``."""
    episodes = results['episodes']
    wins = sum(bool(r['success']) for r in episodes)
    low, high = wilson(wins, len(episodes))
    reasons = collections.Counter(failure_reason(r) for r in episodes if not r['success'])
    robot, policy, executor = name.split('-')
    return {
        'robot': robot, 'policy': policy, 'executor': executor, 'episodes': len(episodes),
        'scenes_per_category': len({r['scene_index'] for r in episodes}),
        'successes': wins, 'success_rate': 100.0 * wins / len(episodes), 'ci95': [low, high],
        'failure_reasons': dict(reasons.most_common()),
        'arm_stops': dict(collections.Counter(r['failure'] for r in episodes
                                              if r.get('failure'))),
        'layout_reachable': sum(bool(r.get('layout_reachable', True)) for r in episodes),
        'median_wall_s': median([r['wall_s'] for r in episodes]),
        'median_sim_s': median([r['duration_s'] for r in episodes]),
    }


def markdown(rows):
    """Return the table as Markdown."""
    lines = ['| robot | pose source | executor | scenes / category | success | 95 % interval '
             '| failures (count) | median wall s / episode |',
             '|---|---|---|---|---|---|---|---|']
    for row in rows:
        reasons = ', '.join(f'{k} {v}' for k, v in row['failure_reasons'].items()) or '-'
        lines.append(f"| {row['robot']} | {row['policy']} | {row['executor']} | "
                     f"{row['scenes_per_category']} | {row['successes']}/{row['episodes']} "
                     f"({row['success_rate']:.0f} %) | "
                     f"{row['ci95'][0]:.0f}-{row['ci95'][1]:.0f} % | {reasons} | "
                     f"{row['median_wall_s']:.1f} |")
    return '\n'.join(lines) + '\n'


def robot_label(config):
    """Return ``flying_hand``, ``panda_suction`` or ``panda_fingers`` of an eval config."""
    robot = config.get('robot', 'flying_hand')
    return robot if robot == 'flying_hand' else f"{robot}_{config.get('gripper', 'fingers')}"


def summarise_eval(results):
    """Return the table rows of one ``eval.json`` (one per policy and executor)."""
    robot = robot_label(results['config'])
    rows = []
    for summary in results['policies'].values():
        episodes = summary['episodes']
        wins = sum(bool(r['success']) for r in episodes)
        low, high = wilson(wins, len(episodes))
        reasons = collections.Counter(failure_reason(r) for r in episodes if not r['success'])
        rows.append({
            'robot': robot, 'policy': Path(summary['policy']).name,
            'executor': Path(summary['executor']).name, 'episodes': len(episodes),
            'scenes_per_category': results['config']['scenes_per_category'],
            'successes': wins, 'success_rate': 100.0 * wins / len(episodes), 'ci95': [low, high],
            'seen': 100.0 * summary['seen'] if summary['seen'] is not None else None,
            'unseen': 100.0 * summary['unseen'] if summary['unseen'] is not None else None,
            'failure_reasons': dict(reasons.most_common()),
            'median_execute_s': median([r['execute_s'] for r in episodes]),
        })
    return rows


def eval_markdown(rows):
    """Return the evaluator's table as Markdown (the four most frequent failures)."""
    lines = ['| robot | pose source | executor | success | 95 % interval | seen | unseen '
             '| most frequent failures (count) | median execute s |',
             '|---|---|---|---|---|---|---|---|---|']
    for row in rows:
        reasons = ', '.join(f'{k} {v}' for k, v in
                            list(row['failure_reasons'].items())[:4]) or '-'
        split = [f'{row[k]:.0f} %' if row[k] is not None else '-' for k in ('seen', 'unseen')]
        lines.append(f"| {row['robot']} | {row['policy']} | {row['executor']} | "
                     f"{row['successes']}/{row['episodes']} ({row['success_rate']:.0f} %) | "
                     f"{row['ci95'][0]:.0f}-{row['ci95'][1]:.0f} % | {split[0]} | {split[1]} | "
                     f"{reasons} | {row['median_execute_s']:.2f} |")
    return '\n'.join(lines) + '\n'


def main(out):
    out = Path(out)
    rows = []
    for path in sorted((out / 'runs').glob('*/results.json')):
        rows.append(summarise(path.parent.name,
                              json.loads(path.read_text(encoding='utf-8'))))
    order = {'flying_hand': 0, 'panda_suction': 1, 'panda_fingers': 2}
    sources = {'oracle': 0, 'heuristic': 1, 'model': 2}
    rows.sort(key=lambda r: (sources.get(r['policy'], 9), r['executor'],
                             order.get(r['robot'], 9)))
    (out / 'table.json').write_text(json.dumps(rows, indent=1), encoding='utf-8')
    (out / 'table.md').write_text(markdown(rows), encoding='utf-8')
    print(markdown(rows))
    rows = []
    for path in sorted((out / 'eval').glob('*/eval.json')):
        rows += summarise_eval(json.loads(path.read_text(encoding='utf-8')))
    if rows:
        sources = {'oracle': 0, 'heuristic': 1}
        executors = {'primitive': 0, 'scripted': 1, 'dmm-sapien-tiny': 2, 'dmm-panda-tiny': 3}
        order = {'flying_hand': 0, 'panda_suction': 1, 'panda_fingers': 2}
        rows.sort(key=lambda r: (sources.get(r['policy'], 9), executors.get(r['executor'], 9),
                                 order.get(r['robot'], 9)))
        (out / 'eval_table.json').write_text(json.dumps(rows, indent=1), encoding='utf-8')
        (out / 'eval_table.md').write_text(eval_markdown(rows), encoding='utf-8')
        print(eval_markdown(rows))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'results/robots')
