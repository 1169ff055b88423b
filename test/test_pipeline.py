# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The command-line pipeline across packages: simulated data → head training → closed-loop eval.

Each command's own tests check its numbers; this checks that their files fit together.
"""

import json

import pytest

from robomamba_ros.cli import main


@pytest.mark.slow
@pytest.mark.render
def test_datagen_then_train_head_then_eval_a_model_folder(tmp_path):
    data, tiny, head, ev = (tmp_path / n for n in ('data', 'tiny', 'head', 'eval'))
    assert main(['datagen', '--num-samples', '4', '--out', str(data), '--seed', '0',
                 '--workers', '1', '--categories', 'drawer_cabinet', '--quiet']) == 0
    assert main(['train', 'init', '--tiny', '--out', str(tiny)]) == 0
    assert main(['train', 'head', '--model', str(tiny), '--data', str(data / 'index.jsonl'),
                 '--out', str(head), '--max-steps', '2', '--batch-size', '2']) == 0
    assert json.loads((head / 'log.json').read_text())['steps'] == 2

    model = str(head / 'model')
    assert main(['eval', '--policy', model, '--scenes-per-category', '1', '--seed', '0',
                 '--out', str(ev), '--categories', 'drawer_cabinet,safe']) == 0
    per_category = json.loads((ev / 'eval.json').read_text())['policies'][model]['per_category']
    # Every attempted scene counts, whatever an untrained head predicts.
    assert {name: c['attempted'] for name, c in per_category.items()} == {
        'drawer_cabinet': 1, 'safe': 1}
    assert (ev / 'eval_table.png').stat().st_size > 0
