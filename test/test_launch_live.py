# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The launch file under ROS 2's own launch machinery (skipped where ROS 2 is not installed).

It needs the package installed in a sourced workspace (``colcon build``, ``source install/setup``),
since the launch file finds ``config/`` through ament_index.
"""

import importlib.util
from pathlib import Path

import pytest

LAUNCH_FILE = Path(__file__).resolve().parents[1] / 'launch' / 'manipulate.launch.py'


def _description():
    pytest.importorskip('launch', reason='needs a sourced ROS 2 installation')
    pytest.importorskip('launch_ros', reason='needs a sourced ROS 2 installation')
    ament = pytest.importorskip('ament_index_python.packages',
                                reason='needs a sourced ROS 2 installation')
    try:
        ament.get_package_share_directory('robomamba_ros')
    except ament.PackageNotFoundError:
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
    from launch.actions import DeclareLaunchArgument
    from launch_ros.actions import Node

    context = LaunchContext()
    context.launch_configurations['sim'] = sim
    started = set()
    for entity in description.entities:
        if isinstance(entity, DeclareLaunchArgument) and entity.name not in \
                context.launch_configurations:
            context.launch_configurations[entity.name] = entity.default_value[0].perform(context) \
                if entity.default_value else ''
        if isinstance(entity, Node) and (entity.condition is None or
                                         entity.condition.evaluate(context)):
            started.add(entity.node_executable)
    assert expected <= started
