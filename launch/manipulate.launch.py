# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Launch the manipulation pipeline: robomamba_node, dmm_node and, in simulation, sapien_bridge.

Arguments: sim (start the SAPIEN bridge), config (the deployment parameter file applied over each
node's defaults), robomamba_model / dmm_model (local model folders), use_sim_time, rviz. On a real
robot, franka_ros2 and the camera driver come from the lab's own bringup.

What starts, and with which parameter files and values, comes from
``robomamba_ros.nodes.launch_plan``, which ``robomamba-ros launch`` follows too. When a node of
the pipeline exits, the whole launch shuts down (RViz may be closed alone).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, Shutdown
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

from robomamba_ros.nodes.launch_plan import LAUNCH_ARGUMENTS, plan_from_arguments


def _parameters(step):
    # Later entries win: node defaults, then the deployment file, then the launch arguments.
    # Strings stay strings (a model folder named 1 is not an integer).
    overrides = {name: ParameterValue(value, value_type=str) if isinstance(value, str) else value
                 for name, value in step.overrides}
    return list(step.param_files) + ([overrides] if overrides else [])


def _nodes(context):
    config_dir = os.path.join(get_package_share_directory('robomamba_ros'), 'config')
    arguments = {name: context.launch_configurations.get(name) for name in LAUNCH_ARGUMENTS}
    return [
        Node(package=step.package, executable=step.executable, name=step.name,
             output=step.output, parameters=_parameters(step),
             on_exit=Shutdown(reason=f'{step.name} exited') if step.required else None)
        for step in plan_from_arguments(arguments, config_dir=config_dir)
    ]


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (default, description) in LAUNCH_ARGUMENTS.items()
    ] + [OpaqueFunction(function=_nodes)])
