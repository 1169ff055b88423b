# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The robomamba-ros command line: help, version, and errors for bad use."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

from robomamba_ros import __version__
from robomamba_ros.cli import main

CLI = pathlib.Path(sys.executable).parent / 'robomamba-ros'


def test_console_script_help_lists_subcommands():
    result = subprocess.run([str(CLI), '--help'], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'usage: robomamba-ros' in result.stdout
    for command in ('version', 'doctor'):
        assert command in result.stdout


def test_version_subcommand(capsys):
    assert main(['version']) == 0
    assert capsys.readouterr().out.strip() == f'robomamba_ros {__version__}'


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert 'usage: robomamba-ros' in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(['fly-to-the-moon'])
    assert exc.value.code == 2
    assert 'invalid choice' in capsys.readouterr().err


@pytest.mark.parametrize('name', ['robomamba_node', 'dmm_node', 'sapien_bridge'])
def test_node_executables_without_ros_exit_with_a_reason(name):
    if importlib.util.find_spec('rclpy') is not None:
        pytest.skip('rclpy is installed: the executables would start a node')
    exe = pathlib.Path(sys.executable).parent / name
    result = subprocess.run([str(exe)], capture_output=True, text=True)
    assert result.returncode == 2
    assert name in result.stderr and 'rclpy' in result.stderr and 'demo' in result.stderr
