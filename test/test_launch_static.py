# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Static checks of launch/manipulate.launch.py and config/*.yaml (launch itself needs ROS 2).

The launch file is imported with small stand-ins for ``launch``, ``launch_ros`` and
``ament_index_python`` that record what it builds; its deferred part (the ``OpaqueFunction``) runs
with the launch arguments, and the nodes it makes must be those of
:mod:`robomamba_ros.nodes.launch_plan`, which ``robomamba-ros launch`` starts. Every node it starts
from this package must be a console script in setup.py, every parameter file it names must exist,
and every parameter file must be a valid ROS parameter file for nodes that it starts.
"""

import importlib.util
import re
import sys
import types

from conftest import REPO_ROOT
import pytest
import yaml

from robomamba_ros.nodes.launch_plan import LAUNCH_ARGUMENTS, plan_from_arguments

LAUNCH_FILE = REPO_ROOT / 'launch' / 'manipulate.launch.py'
CONFIG_DIR = REPO_ROOT / 'config'
CONFIG_FILES = sorted(CONFIG_DIR.glob('*.yaml'))


class _Recorded:
    """Stands in for a launch class: keeps the arguments it was built with."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


_STANDINS = {
    'launch': ('LaunchDescription',),
    'launch.actions': ('DeclareLaunchArgument', 'OpaqueFunction', 'Shutdown'),
    'launch_ros': (),
    'launch_ros.actions': ('Node',),
    'launch_ros.parameter_descriptions': ('ParameterValue',),
    'ament_index_python': (),
}


@pytest.fixture
def launch_module(monkeypatch):
    """Import the launch file against recording stand-ins; ``module.cls`` holds the classes."""
    classes = {}
    for module_name, names in _STANDINS.items():
        module = types.ModuleType(module_name)
        for name in names:
            classes[name] = type(name, (_Recorded,), {})
            setattr(module, name, classes[name])
        monkeypatch.setitem(sys.modules, module_name, module)
    packages = types.ModuleType('ament_index_python.packages')
    packages.get_package_share_directory = lambda package: str(REPO_ROOT)
    monkeypatch.setitem(sys.modules, 'ament_index_python.packages', packages)
    spec = importlib.util.spec_from_file_location('manipulate_launch', LAUNCH_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.cls = types.SimpleNamespace(**classes)
    return module


def _entities(module):
    description = module.generate_launch_description()
    assert isinstance(description, module.cls.LaunchDescription)
    return description.args[0]


def _declared(module):
    return {e.args[0]: e.kwargs for e in _entities(module)
            if isinstance(e, module.cls.DeclareLaunchArgument)}


def _launched(module, **arguments):
    """Run the launch file's deferred part as ``ros2 launch ... name:=value`` would."""
    configurations = {name: kw['default_value'] for name, kw in _declared(module).items()}
    configurations.update(arguments)
    context = types.SimpleNamespace(launch_configurations=configurations)
    deferred = [e for e in _entities(module) if isinstance(e, module.cls.OpaqueFunction)]
    assert len(deferred) == 1
    return deferred[0].kwargs['function'](context)


def _parameters(module, node):
    """Return a Node's parameters with ParameterValue stand-ins replaced by (value, type)."""
    out = []
    for entry in node.kwargs['parameters']:
        if isinstance(entry, dict):
            entry = {k: (v.args[0], v.kwargs['value_type'])
                     if isinstance(v, module.cls.ParameterValue) else v
                     for k, v in entry.items()}
        out.append(entry)
    return out


def _console_scripts():
    text = (REPO_ROOT / 'setup.py').read_text(encoding='utf-8')
    return dict(re.findall(r"'([\w-]+) = (robomamba_ros[\w.]*:main)'", text))


CASES = {
    'sim': {},
    'real': {'sim': 'false'},
    'real-in-sim-config': {'sim': 'False', 'config': 'sim.yaml'},
    'custom-config': {'sim': 'true', 'config': str(CONFIG_DIR / 'franka.yaml')},
    'models': {'robomamba_model': '/models/rm', 'dmm_model': '7'},
    'wall-time-in-sim': {'use_sim_time': 'false'},
    'rviz': {'sim': '0', 'rviz': 'true'},
    'panda': {'robot': 'panda'},
    'panda-wrist': {'robot': 'panda', 'camera': 'wrist'},
    'suite-v2': {'suite': 'v2'},
}


def test_launch_declares_the_documented_arguments(launch_module):
    declared = _declared(launch_module)
    assert set(declared) == {'sim', 'config', 'robomamba_model', 'dmm_model', 'robot',
                             'camera', 'suite', 'use_sim_time', 'rviz'}
    for name, (default, description) in LAUNCH_ARGUMENTS.items():
        assert declared[name] == {'default_value': default, 'description': description}


@pytest.mark.parametrize('arguments', CASES.values(), ids=CASES.keys())
def test_launch_starts_what_the_plan_says(launch_module, arguments):
    nodes = _launched(launch_module, **arguments)
    plan = plan_from_arguments(arguments, config_dir=CONFIG_DIR)
    assert [n.kwargs['name'] for n in nodes] == [step.name for step in plan]
    for node, step in zip(nodes, plan):
        assert node.kwargs['package'] == step.package
        assert node.kwargs['executable'] == step.executable
        assert node.kwargs['output'] == step.output
        overrides = {k: (v, str) if isinstance(v, str) else v for k, v in step.overrides}
        expected = list(step.param_files) + ([overrides] if overrides else [])
        assert _parameters(launch_module, node) == expected
        on_exit = node.kwargs['on_exit']
        assert isinstance(on_exit, launch_module.cls.Shutdown) == step.required, step.name
        assert step.required or on_exit is None


@pytest.mark.parametrize('arguments', CASES.values(), ids=CASES.keys())
def test_parameter_files_named_in_launch_exist(launch_module, arguments):
    for node in _launched(launch_module, **arguments):
        for entry in node.kwargs['parameters']:
            if isinstance(entry, str):
                assert (CONFIG_DIR / entry).is_file(), f'{entry} is missing'


def test_launch_layers_node_file_then_deployment_then_arguments(launch_module):
    nodes = {n.kwargs['name']: n for n in _launched(
        launch_module, sim='false', robomamba_model='/m/rm')}
    assert set(nodes) == {'robomamba_node', 'dmm_node'}
    assert _parameters(launch_module, nodes['robomamba_node']) == [
        str(CONFIG_DIR / 'robomamba.yaml'), str(CONFIG_DIR / 'franka.yaml'),
        {'use_sim_time': False, 'model_path': ('/m/rm', str)}]
    sim = {n.kwargs['name']: n for n in _launched(launch_module)}
    assert _parameters(launch_module, sim['sapien_bridge']) == [
        str(CONFIG_DIR / 'sim.yaml'), {'use_sim_time': False}]
    assert _parameters(launch_module, sim['dmm_node']) == [
        str(CONFIG_DIR / 'dmm.yaml'), str(CONFIG_DIR / 'sim.yaml'),
        {'use_sim_time': True, 'model_path': ('', str)}]


def test_launch_starts_the_three_nodes_with_installed_executables():
    ours = [s for s in plan_from_arguments({'sim': 'true'}) if s.package == 'robomamba_ros']
    assert {s.executable for s in ours} == {'robomamba_node', 'dmm_node', 'sapien_bridge'}
    scripts = _console_scripts()
    for step in ours:
        assert scripts.get(step.executable) == step.entry_point, \
            f'{step.executable} is not the console script {step.entry_point} in setup.py'


@pytest.mark.parametrize('path', CONFIG_FILES, ids=lambda p: p.name)
def test_config_is_a_ros_parameter_file_for_launched_nodes(path):
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    launched = {s.name for s in plan_from_arguments({'sim': 'true'})}
    assert isinstance(data, dict) and data, f'{path.name} is empty'
    for node_name, section in data.items():
        assert node_name in launched, f'{path.name}: {node_name} is not started by the launch file'
        assert set(section) == {'ros__parameters'}, f'{path.name}: {node_name}'
        for key, value in section['ros__parameters'].items():
            assert re.fullmatch(r'[a-z][a-z0-9_]*', key), f'{path.name}: bad parameter name {key}'
            assert isinstance(value, (str, int, float, bool, list)), f'{path.name}: {key}'
