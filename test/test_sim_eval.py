# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Closed-loop evaluation: every scene counts, bad outputs fail with a reason, files appear."""

import json

import numpy as np
import pytest

from robomamba_ros.sim import evaluate
from robomamba_ros.sim.datagen import DATAGEN_SEED_SPACE
from robomamba_ros.sim.policies import load_policy


def test_eval_seeds_are_fixed_and_disjoint_from_datagen():
    seed = evaluate.eval_episode_seed(0, 'safe', 3)
    assert seed == evaluate.eval_episode_seed(0, 'safe', 3)
    assert seed != evaluate.eval_episode_seed(1, 'safe', 3)
    assert seed >= DATAGEN_SEED_SPACE


def test_aggregate_counts_every_attempt():
    records = [{'category': 'safe', 'success': True}, {'category': 'safe', 'success': False},
               {'category': 'oven', 'success': False}]
    result = evaluate.aggregate(records, ('oven', 'safe', 'kettle'))
    expected = {'attempted': 2, 'successes': 1, 'success_rate': 0.5}
    assert result['per_category']['safe'] == expected
    assert result['per_category']['kettle']['success_rate'] is None
    assert result['seen'] == 0.0  # oven
    assert result['unseen'] == 0.5  # safe; kettle has no scenes
    assert result['mean'] == 0.25


def test_unknown_policies_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match='unknown policy'):
        load_policy('telepathy')
    with pytest.raises(FileNotFoundError, match='config.json'):
        load_policy(str(tmp_path))  # a folder without a model


def _nan_policy(rgb, depth, K, instruction):
    return (np.nan, 3.0), [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]


def _outside_policy(rgb, depth, K, instruction):
    return (-40.0, -40.0), [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]


def _parallel_policy(rgb, depth, K, instruction):
    return (100.0, 100.0), [0.0, 0.0, 1.0], [0.0, 0.0, 2.0]


@pytest.mark.render
@pytest.mark.parametrize('policy, reason', [
    (_nan_policy, 'invalid action'),
    (_parallel_policy, 'invalid action'),
    (_outside_policy, 'no depth at pixel'),
])
def test_unusable_outputs_fail_with_a_reason(policy, reason):
    record = evaluate.run_episode(policy, 'safe', evaluate.eval_episode_seed(0, 'safe', 0))
    assert (record['success'], record['reason']) == (False, reason)


@pytest.mark.render
def test_run_eval_writes_results_and_table(tmp_path):
    config = evaluate.EvalConfig(scenes_per_category=2, seed=0,
                                 categories=('cabinet_door', 'safe'))
    results = evaluate.run_eval(['random', 'oracle'], config, tmp_path, progress=False)
    saved = json.loads((tmp_path / 'eval.json').read_text())
    assert saved['config']['categories'] == ['cabinet_door', 'safe']
    assert (tmp_path / 'eval_table.png').stat().st_size > 1000
    for name in ('random', 'oracle'):
        summary = results['policies'][name]
        assert len(summary['episodes']) == 4
        assert all(e['attempted'] == 2 for e in summary['per_category'].values())
    oracle = results['policies']['oracle']
    assert oracle['mean'] >= results['policies']['random']['mean']
    assert oracle['mean'] >= 0.5
    assert 'oracle' in evaluate.format_table(results)
