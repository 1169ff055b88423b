# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The launch file under ROS 2's own launch machinery (skipped where ROS 2 is not installed).

The first test needs the package installed in a sourced workspace (``colcon build``, ``source
install/setup``), since the launch file finds ``config/`` through ament_index. The second runs the
launch file for real against a throw-away install prefix whose node executables are stand-ins
that record their command lines: the commands must carry the plan's parameter files and values,
and one node exiting must shut the whole launch down.
"""

import importlib.util
import json
import os
from pathlib import Path
import shutil
import sys
import time

import pytest

from robomamba_ros.nodes.launch_plan import plan_from_arguments

LAUNCH_FILE = Path(__file__).resolve().parents[1] / 'launch' / 'manipulate.launch.py'
CONFIG_DIR = Path(__file__).resolve().parents[1] / 'config'
#: Seconds after which the launch under test is shut down regardless.
TIMEOUT_S = 10.0

# A node executable that records its command line and parameter files, then runs until SIGINT,
# or exits with DIE_<node name> after a moment.
STANDIN = """#!{python}
import json, os, signal, sys, time
name = next(a.split(':=')[1] for a in sys.argv if a.startswith('__node:='))
files = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == '--params-file']
record = {{'argv': sys.argv[1:], 'files': {{f: open(f).read() for f in files}}}}
with open(os.path.join(os.environ['RECORD_DIR'], name + '.json'), 'w') as f:
    json.dump(record, f)
signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
if os.environ.get('DIE_' + name):
    time.sleep(0.5)
    sys.exit(int(os.environ['DIE_' + name]))
while True:
    time.sleep(0.05)
"""


def _import_launch():
    pytest.importorskip('launch', reason='needs a sourced ROS 2 installation')
    pytest.importorskip('launch_ros', reason='needs a sourced ROS 2 installation')
    pytest.importorskip('ament_index_python.packages', reason='needs a sourced ROS 2 installation')


def _description():
    _import_launch()
    import ament_index_python.packages as ament
    try:
        ament.get_package_share_directory('robomamba_ros')
    except (ament.PackageNotFoundError, OSError):  # OSError: AMENT_PREFIX_PATH is unset
        pytest.skip('robomamba_ros is not installed in the sourced workspace')
    spec = importlib.util.spec_from_file_location('manipulate_launch', LAUNCH_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_launch_description()


@pytest.mark.ros
@pytest.mark.parametrize('sim, expected', [
    ('true', {'sapien_bridge', 'robomamba_node', 'dmm_node'}),
    ('false', {'robomamba_node', 'dmm_node'}),
])
def test_launch_starts_the_nodes_for_the_deployment(sim, expected):
    description = _description()
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument, OpaqueFunction
    from launch_ros.actions import Node

    context = LaunchContext()
    context.launch_configurations['sim'] = sim
    started = set()
    for entity in description.entities:
        if isinstance(entity, DeclareLaunchArgument):
            entity.execute(context)  # sets the default of an argument not given
        elif isinstance(entity, OpaqueFunction):
            started |= {a.node_executable for a in entity.execute(context) or []
                        if isinstance(a, Node)}
    assert started == expected


@pytest.fixture
def standin_prefix(tmp_path, monkeypatch):
    """Build an install prefix of robomamba_ros whose node executables are stand-ins."""
    prefix = tmp_path / 'install'
    index = prefix / 'share' / 'ament_index' / 'resource_index' / 'packages'
    index.mkdir(parents=True)
    (index / 'robomamba_ros').write_text('')
    shutil.copytree(CONFIG_DIR, prefix / 'share' / 'robomamba_ros' / 'config')
    bin_dir = prefix / 'lib' / 'robomamba_ros'
    bin_dir.mkdir(parents=True)
    for name in ('sapien_bridge', 'robomamba_node', 'dmm_node'):
        (bin_dir / name).write_text(STANDIN.format(python=sys.executable))
        (bin_dir / name).chmod(0o755)
    records = tmp_path / 'records'
    records.mkdir()
    monkeypatch.setenv('AMENT_PREFIX_PATH', os.pathsep.join(
        filter(None, [str(prefix), os.environ.get('AMENT_PREFIX_PATH')])))
    monkeypatch.setenv('RECORD_DIR', str(records))
    monkeypatch.setenv('DIE_dmm_node', '3')
    return prefix, records


@pytest.mark.ros
def test_launch_passes_the_plan_and_ends_when_a_node_exits(standin_prefix):
    _import_launch()
    import yaml
    from launch import LaunchService
    from launch.actions import IncludeLaunchDescription, Shutdown, TimerAction
    from launch.launch_description_sources import PythonLaunchDescriptionSource

    prefix, records = standin_prefix
    arguments = {'robomamba_model': '/models/rm'}
    service = LaunchService()
    service.include_launch_description(IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(LAUNCH_FILE)), launch_arguments=arguments.items()))
    service.include_launch_description(  # bounds the test if the launch went on
        TimerAction(period=TIMEOUT_S, actions=[Shutdown(reason='test timeout')]))
    start = time.monotonic()
    service.run()
    assert time.monotonic() - start < TIMEOUT_S - 2, 'the launch went on after dmm_node exited'

    plan = plan_from_arguments(arguments, config_dir=prefix / 'share' / 'robomamba_ros' / 'config')
    for step in plan:
        record = json.loads((records / f'{step.name}.json').read_text())
        assert record['argv'][:3] == ['--ros-args', '-r', f'__node:={step.name}']
        files = list(record['files'])
        assert files[:len(step.param_files)] == list(step.param_files)
        # launch_ros writes the dict of values to one more file, for every node ('/**').
        (extra,) = files[len(step.param_files):]
        values = yaml.safe_load(record['files'][extra])['/**']['ros__parameters']
        assert values == step.override_dict
