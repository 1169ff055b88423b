# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Result tables: Wilson intervals, pooled split counts, the Markdown layout."""

import pytest

from robomamba_ros.sim.report import markdown_table, split_summary, wilson_interval


def test_wilson_interval_matches_known_values():
    assert wilson_interval(0, 0) == (0.0, 0.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(50, 100)
    assert (low, high) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))


def _results():
    def cat(wins, n):
        return {'attempted': n, 'successes': wins, 'success_rate': wins / n}
    episodes = [{'success': True, 'reason': ''}] * 5 + \
        [{'success': False, 'reason': 'wrong part moved'}] * 4 + \
        [{'success': False, 'reason': 'no contact'}] * 1
    row = {'per_category': {'dresser': cat(3, 4), 'desk': cat(1, 4), 'sideboard': cat(1, 2)},
           'seen': 0.5, 'unseen': 0.5, 'episodes': episodes}
    return {'config': {'categories': ['dresser', 'desk', 'sideboard'],
                       'scenes_per_category': 4, 'seed': 0}, 'policies': {'heuristic': row}}


def test_split_summary_pools_each_split_and_ranks_failures():
    summary = split_summary(_results()['policies']['heuristic'])
    assert summary['seen']['attempted'] == 8 and summary['seen']['successes'] == 4
    assert summary['unseen']['attempted'] == 2
    assert list(summary['failures']) == ['wrong part moved', 'no contact']
    assert summary['failures']['wrong part moved'] == pytest.approx(0.8)


def test_markdown_table_has_averages_intervals_and_every_category():
    text = markdown_table(_results())
    assert '| heuristic | 50.0 (21.5-78.5) | 50.0 (9.5-90.5) | wrong part moved (80 %) |' in text
    assert '| pose source | dresser | desk | sideboard* |' in text
    assert '| heuristic | 75.0 | 25.0 | 50.0 |' in text
