# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Task specs, shared by the simulator, the offline data and the robot nodes (numpy only).

* ``low_level_pull`` -- LowLevelPull-v1: observation and action layout, bounds, pull offsets,
  frames and dataset levels.
* ``scripted`` -- the expert, medium, perturbed and random controllers of that task, reading
  only the observation (they drive the simulator and, behind ``dmm_node``, a robot).

May import: :mod:`robomamba_ros.geometry` and numpy. Nothing here imports SAPIEN, torch or ROS.
"""

__all__ = ['low_level_pull', 'scripted']
