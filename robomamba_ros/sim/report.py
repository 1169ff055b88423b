# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Tables of evaluation results for people: success per category, split averages, 95 % intervals.

The split average is the mean of the per-category rates (the paper's); with the same number of
scenes per category it equals the pooled rate, whose Wilson 95 % interval is given. Every
attempted scene counts.
"""

import collections
import math

from robomamba_ros.sim.categories import split_of


def wilson_interval(successes, n, z=1.96):
    """
    Wilson's 95 % interval of a success rate.

    :param successes: successes.
    :param n: attempts.
    :param z: normal quantile.
    :return: ``(low, high)`` in [0, 1]; ``(0, 0)`` without attempts.
    """
    if n == 0:
        return 0.0, 0.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def split_summary(summary):
    """
    Pooled counts, rates and intervals of one row's seen and unseen scenes, and its failures.

    :param summary: one ``results['policies'][row]`` of :func:`~robomamba_ros.sim.evaluate.
        run_eval`.
    :return: dict ``{split: {'attempted', 'successes', 'rate', 'low', 'high'}}`` plus
        ``'failures'``: the share of each failure reason among the row's failures.
    """
    out = {}
    for split in ('seen', 'unseen'):
        mine = [e for name, e in summary['per_category'].items() if split_of(name) == split]
        n = sum(e['attempted'] for e in mine)
        wins = sum(e['successes'] for e in mine)
        low, high = wilson_interval(wins, n)
        out[split] = {'attempted': n, 'successes': wins, 'rate': summary[split], 'low': low,
                      'high': high}
    reasons = collections.Counter(e['reason'] for e in summary['episodes'] if not e['success'])
    total = sum(reasons.values())
    out['failures'] = {r: c / total for r, c in reasons.most_common()} if total else {}
    return out


def _pct(value):
    return '-' if value is None else f'{100.0 * value:.1f}'


def markdown_table(results, short=lambda name: name):
    """
    Write the results as Markdown: one row per pose source (and executor).

    :param results: output of :func:`~robomamba_ros.sim.evaluate.run_eval`.
    :param short: row label from the row name.
    :return: the table text: averages with intervals, then success per category.
    """
    categories = results['config']['categories']
    lines = ['| pose source | seen avg (95 % CI) | unseen avg (95 % CI) | most common failure |',
             '| --- | --- | --- | --- |']
    for name, summary in results['policies'].items():
        splits = split_summary(summary)
        cells = []
        for split in ('seen', 'unseen'):
            s = splits[split]
            cells.append('-' if not s['attempted'] else
                         f'{_pct(s["rate"])} ({_pct(s["low"])}-{_pct(s["high"])})')
        failure = next(iter(splits['failures'].items()), None)
        cells.append('-' if failure is None else f'{failure[0]} ({100 * failure[1]:.0f} %)')
        lines.append(f'| {short(name)} | ' + ' | '.join(cells) + ' |')
    lines += ['', '| pose source | ' + ' | '.join(
        f'{c}{"*" if split_of(c) == "unseen" else ""}' for c in categories) + ' |',
        '| --- |' + ' --- |' * len(categories)]
    for name, summary in results['policies'].items():
        lines.append(f'| {short(name)} | ' + ' | '.join(
            _pct(summary['per_category'][c]['success_rate']) for c in categories) + ' |')
    lines.append('')
    lines.append(f'Success rate (%), {results["config"]["scenes_per_category"]} scenes per '
                 f'category, seed {results["config"]["seed"]}; * unseen category.')
    return '\n'.join(lines) + '\n'


__all__ = ['markdown_table', 'split_summary', 'wilson_interval']
