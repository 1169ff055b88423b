# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The ``train`` subcommands, wired into a parser the way the main CLI wires them."""

import argparse
import json
import subprocess
import sys

import pytest

from robomamba_ros.train.cli import add_train_parser


def _run(argv):
    parser = argparse.ArgumentParser(prog='robomamba-ros')
    add_train_parser(parser.add_subparsers(dest='command'))
    args = parser.parse_args(argv)
    return args.func(args)


def test_init_tiny_then_every_stage(tmp_path):
    model = tmp_path / 'tiny'
    assert _run(['train', 'init', '--tiny', '--out', str(model)]) == 0
    data = model / 'data'
    current = str(model)
    for stage, extra in (('align', []), ('cotrain', ['--lora-rank', '8']), ('head', [])):
        out = tmp_path / stage
        data_file = data / ('manipulation.jsonl' if stage == 'head' else 'llava.json')
        assert _run(['train', stage, '--model', current, '--data', str(data_file), '--out',
                     str(out), '--max-steps', '2', '--batch-size', '4', '--device', 'cpu',
                     *extra]) == 0
        log = json.loads((out / 'log.json').read_text())
        assert log['stage'] == stage and log['steps'] == 2
        current = str(out / 'model')
    assert _run(['train-head', '--model', current, '--data', str(data / 'manipulation.jsonl'),
                 '--out', str(tmp_path / 'again'), '--max-steps', '1']) == 0


def test_init_needs_components_or_tiny(tmp_path, capsys):
    assert _run(['train', 'init', '--out', str(tmp_path)]) == 2
    assert '--tiny' in capsys.readouterr().out


@pytest.mark.slow
def test_torchrun_two_cpu_processes(tmp_path):
    model = tmp_path / 'tiny'
    assert _run(['train', 'init', '--tiny', '--out', str(model)]) == 0
    script = tmp_path / 'run.py'
    script.write_text(
        'import sys\n'
        'from robomamba_ros.train.cli import add_train_parser\n'
        'import argparse\n'
        'p = argparse.ArgumentParser()\n'
        'add_train_parser(p.add_subparsers(dest="command"))\n'
        'a = p.parse_args(sys.argv[1:])\n'
        'sys.exit(a.func(a))\n')
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', str(script),
         'train', 'head', '--model', str(model), '--data',
         str(model / 'data' / 'manipulation.jsonl'), '--out', str(tmp_path / 'out'),
         '--max-steps', '3', '--batch-size', '4', '--device', 'cpu'],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads((tmp_path / 'out' / 'log.json').read_text())
    assert log['world_size'] == 2 and log['steps'] == 3
