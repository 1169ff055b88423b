# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The rclpy binding: only it imports ROS client libraries; where ROS 2 is installed, it runs cores.

Tests that need rclpy are skipped where it is not installed, with that reason; the node
processes themselves are tested live in ``test_live_nodes.py``.
"""

import ast
from pathlib import Path

import pytest
from test_nodes_framework import EchoParameters

from robomamba_ros.nodes.parameters import parameter_fields

PACKAGE = Path(__file__).resolve().parents[1] / 'robomamba_ros'
# Client libraries and launch; message type lookup (rosidl_runtime_py) is not one.
ROS_MODULES = ('rclpy', 'tf2_ros', 'rcl_interfaces', 'message_filters', 'launch', 'launch_ros')


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding='utf-8'))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_the_rclpy_binding_imports_ros_client_libraries():
    offenders = []
    for path in sorted(PACKAGE.rglob('*.py')):
        if path.relative_to(PACKAGE).as_posix() == 'nodes/rclpy_binding.py':
            continue
        for module in _imported_modules(path):
            if module.split('.')[0] in ROS_MODULES:
                offenders.append(f'{path.relative_to(PACKAGE.parent)}: {module}')
    assert offenders == []


def test_binding_module_imports_without_ros():
    from robomamba_ros.nodes import rclpy_binding

    assert callable(rclpy_binding.run_node)


def test_parameter_descriptors_carry_description_range_and_flags():
    pytest.importorskip('rcl_interfaces', reason='needs rclpy: a sourced ROS 2 or '
                                                 'ROBOMAMBA_ROS=1 setup')
    from robomamba_ros.nodes.rclpy_binding import parameter_descriptor

    fields = {f.name: f for f in parameter_fields(EchoParameters)}
    descriptor = parameter_descriptor(fields['rate_hz'])
    assert descriptor.description == 'Tick rate.'
    assert descriptor.floating_point_range[0].to_value == 1000.0
    assert descriptor.dynamic_typing and not descriptor.read_only  # floats accept integers
    descriptor = parameter_descriptor(fields['rate_hz'], read_only=True)
    assert descriptor.read_only and 'read-only' in descriptor.description
