# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Static checks of launch/manipulate.launch.py and config/*.yaml (launch itself needs ROS 2).

Every node the launch file starts from this package must be a console script in setup.py, every
parameter file it names must exist, and every parameter file must be a valid ROS parameter file
for nodes that the launch file starts.
"""

import ast
import re

from conftest import REPO_ROOT
import pytest
import yaml

LAUNCH_FILE = REPO_ROOT / 'launch' / 'manipulate.launch.py'
CONFIG_FILES = sorted((REPO_ROOT / 'config').glob('*.yaml'))


def _launch_tree():
    return ast.parse(LAUNCH_FILE.read_text(encoding='utf-8'), filename=str(LAUNCH_FILE))


def _launched_nodes():
    nodes = []
    for call in ast.walk(_launch_tree()):
        if isinstance(call, ast.Call) and getattr(call.func, 'id', None) == 'Node':
            kwargs = {k.arg: k.value.value for k in call.keywords
                      if isinstance(k.value, ast.Constant)}
            nodes.append(kwargs)
    return nodes


def _console_scripts():
    text = (REPO_ROOT / 'setup.py').read_text(encoding='utf-8')
    return set(re.findall(r"'([\w-]+) = robomamba_ros[\w.]*:main'", text))


def test_launch_starts_the_three_nodes_with_installed_executables():
    ours = [n for n in _launched_nodes() if n.get('package') == 'robomamba_ros']
    assert {n['executable'] for n in ours} == {'robomamba_node', 'dmm_node', 'sapien_bridge'}
    missing = {n['executable'] for n in ours} - _console_scripts()
    assert not missing, f'launched but not a console script in setup.py: {missing}'


def test_launch_declares_the_documented_arguments():
    declared = {
        call.args[0].value for call in ast.walk(_launch_tree())
        if isinstance(call, ast.Call) and getattr(call.func, 'id', None) == 'DeclareLaunchArgument'
    }
    assert declared == {'sim', 'config', 'robomamba_model', 'dmm_model', 'use_sim_time', 'rviz'}


def test_parameter_files_named_in_launch_exist():
    named = {node.value for node in ast.walk(_launch_tree())
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value.endswith('.yaml')}
    assert named, 'the launch file names no parameter files'
    for name in named:
        assert (REPO_ROOT / 'config' / name).is_file(), f'config/{name} is missing'


@pytest.mark.parametrize('path', CONFIG_FILES, ids=lambda p: p.name)
def test_config_is_a_ros_parameter_file_for_launched_nodes(path):
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    launched = {n['name'] for n in _launched_nodes() if 'name' in n}
    assert isinstance(data, dict) and data, f'{path.name} is empty'
    for node_name, section in data.items():
        assert node_name in launched, f'{path.name}: {node_name} is not started by the launch file'
        assert set(section) == {'ros__parameters'}, f'{path.name}: {node_name}'
        for key, value in section['ros__parameters'].items():
            assert re.fullmatch(r'[a-z][a-z0-9_]*', key), f'{path.name}: bad parameter name {key}'
            assert isinstance(value, (str, int, float, bool, list)), f'{path.name}: {key}'
