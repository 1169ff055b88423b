# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The datagen and eval subcommands: registration, argument errors, one small real run."""

import argparse
import json
import subprocess
import sys

import pytest

from robomamba_ros.cli_args import name_list
from robomamba_ros.sim.cli import add_sim_parsers


def _parser():
    parser = argparse.ArgumentParser(prog='robomamba-ros')
    add_sim_parsers(parser.add_subparsers(dest='command'))
    return parser


def test_parsers_register_both_commands_without_importing_sapien():
    code = ('import sys, argparse; from robomamba_ros.sim.cli import add_sim_parsers; '
            'p = argparse.ArgumentParser(); add_sim_parsers(p.add_subparsers()); '
            'print("sapien" in sys.modules)')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'False'
    args = _parser().parse_args(['datagen', '--num-samples', '3', '--out', 'x', '--categories',
                                 'safe,oven', 'laptop'])
    assert args.func.__name__ == 'cmd_datagen' and args.num_samples == 3
    args = _parser().parse_args(['eval', '--policy', 'oracle', '--out', 'y'])
    assert args.func.__name__ == 'cmd_eval' and args.scenes_per_category == 10
    assert args.executor == ['primitive'] and args.dmm_inference == 'recurrent'


def test_executors_parse_like_policies():
    args = _parser().parse_args(['eval', '--policy', 'oracle,heuristic', '--out', 'y',
                                 '--executor', 'primitive,scripted', 'runs/dense',
                                 '--dmm-inference', 'window'])
    assert name_list(args.policy) == ('oracle', 'heuristic')
    assert name_list(args.executor) == ('primitive', 'scripted', 'runs/dense')
    assert name_list(['scripted,scripted', 'primitive']) == ('scripted', 'primitive')
    assert args.dmm_inference == 'window'


@pytest.mark.parametrize('argv', [
    ['datagen', '--num-samples', '0', '--out', 'x'],
    ['datagen', '--num-samples', 'many', '--out', 'x'],
    ['eval', '--policy', 'oracle', '--out', 'y', '--scenes-per-category', '-1'],
])
def test_bad_numbers_are_argparse_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(argv)
    assert exc.value.code == 2


def test_unknown_category_or_policy_exit_with_status_2(tmp_path, capsys):
    args = _parser().parse_args(['datagen', '--num-samples', '1', '--out', str(tmp_path),
                                 '--categories', 'spaceship'])
    assert args.func(args) == 2
    args = _parser().parse_args(['eval', '--policy', 'telepathy', '--out', str(tmp_path)])
    assert args.func(args) == 2
    assert 'unknown policy' in capsys.readouterr().out
    args = _parser().parse_args(['eval', '--policy', 'oracle', '--out', str(tmp_path),
                                 '--executor', 'telekinesis'])
    assert args.func(args) == 2
    assert 'unknown executor' in capsys.readouterr().out
    args = _parser().parse_args(['eval', '--policy', 'oracle', '--out', str(tmp_path),
                                 '--executor', 'scripted', '--primitive', 'push'])
    assert args.func(args) == 2
    assert 'pull task only' in capsys.readouterr().out


@pytest.mark.render
def test_eval_command_runs(tmp_path, capsys):
    args = _parser().parse_args(['eval', '--policy', 'heuristic', '--out', str(tmp_path),
                                 '--scenes-per-category', '1', '--categories', 'laptop',
                                 '--quiet', '--print-json'])
    assert args.func(args) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert set(json.loads(last)['heuristic']) == {'seen', 'unseen', 'mean'}
