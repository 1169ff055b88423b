# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""dmm-data -> train-dmm (DMM and DT) -> eval-dmm through the command-line parsers."""

import argparse
import json

import pytest

from robomamba_ros.offline.cli import add_dmm_parsers
from robomamba_ros.offline.d4rl_format import read_d4rl_hdf5


def _run(*argv):
    parser = argparse.ArgumentParser()
    add_dmm_parsers(parser.add_subparsers(dest='command'))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


@pytest.mark.slow
def test_generate_train_and_evaluate(tmp_path):
    data = tmp_path / 'expert.hdf5'
    assert _run('dmm-data', '--out', data, '--episodes', 3, '--categories', 'drawer_cabinet',
                '--quiet') == 0
    arrays, metadata = read_d4rl_hdf5(str(data))
    assert metadata['level'] == 'expert' and metadata['success_rate'] == 1.0
    assert arrays['observations'].shape[1] == 23 and arrays['actions'].shape[1] == 7
    runs = []
    for policy in ('dmm', 'dt'):
        out = tmp_path / policy
        assert _run('train-dmm', '--data', data, '--out', out, '--policy', policy,
                    '--max-steps', 4, '--batch-size', 8, '--hidden-size', 16, '--num-layers',
                    1, '--warmup-steps', 1, '--quiet') == 0
        assert (out / 'model' / 'stats.json').is_file() and (out / 'loss.png').is_file()
        runs.append(out)
    assert _run('eval-dmm', *runs, '--out', tmp_path / 'eval', '--episodes', 1,
                '--categories', 'drawer_cabinet', '--quiet') == 0
    results = json.loads((tmp_path / 'eval' / 'eval.json').read_text())
    assert [row['label'] for row in results['table']] == ['dmm-dense', 'dt']
    assert (tmp_path / 'eval' / 'eval_table.png').is_file()
    assert _run('train-dmm', '--data', data, '--out', tmp_path / 'x', '--lr', '0') == 2
