# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Launch the manipulation pipeline: robomamba_node, dmm_node and, in simulation, sapien_bridge.

Arguments: sim (start the SAPIEN bridge), config (the deployment parameter file applied over each
node's defaults), robomamba_model / dmm_model (local model folders), use_sim_time, rviz. On a real
robot, franka_ros2 and the camera driver come from the lab's own bringup.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration, PythonExpression
from launch_ros.actions import Node


def generate_launch_description():
    config_dir = os.path.join(get_package_share_directory('robomamba_ros'), 'config')
    sim = LaunchConfiguration('sim')
    use_sim_time = LaunchConfiguration('use_sim_time')
    deployment = PythonExpression([
        "'", os.path.join(config_dir, 'sim.yaml'), "' if '", sim, "'.lower() == 'true' else '",
        os.path.join(config_dir, 'franka.yaml'), "'"])

    def params(node_file, model_arg):
        # Later entries win: node defaults, then the deployment file, then the launch arguments.
        return [
            os.path.join(config_dir, node_file),
            LaunchConfiguration('config'),
            {'use_sim_time': use_sim_time, 'model_path': LaunchConfiguration(model_arg)},
        ]

    return LaunchDescription([
        DeclareLaunchArgument('sim', default_value='true',
                              description='Run the SAPIEN bridge instead of a real robot.'),
        DeclareLaunchArgument('config', default_value=deployment,
                              description='Deployment parameter file (default: sim.yaml when '
                                          'sim is true, franka.yaml otherwise).'),
        DeclareLaunchArgument('robomamba_model', default_value='',
                              description='Local RoboMamba model folder (empty: default).'),
        DeclareLaunchArgument('dmm_model', default_value='',
                              description='Local DMM model folder (empty: default).'),
        DeclareLaunchArgument('use_sim_time', default_value=sim,
                              description='Follow /clock (defaults to the value of sim).'),
        DeclareLaunchArgument('rviz', default_value='false', description='Start RViz.'),
        # The bridge publishes /clock itself, so it never waits for sim time.
        Node(package='robomamba_ros', executable='sapien_bridge', name='sapien_bridge',
             output='screen', condition=IfCondition(sim),
             parameters=[LaunchConfiguration('config'), {'use_sim_time': False}]),
        Node(package='robomamba_ros', executable='robomamba_node', name='robomamba_node',
             output='screen', parameters=params('robomamba.yaml', 'robomamba_model')),
        Node(package='robomamba_ros', executable='dmm_node', name='dmm_node',
             output='screen', parameters=params('dmm.yaml', 'dmm_model')),
        Node(package='rviz2', executable='rviz2', name='rviz2', output='log',
             condition=IfCondition(LaunchConfiguration('rviz'))),
    ])
