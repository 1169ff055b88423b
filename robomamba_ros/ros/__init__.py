# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
ROS message conversions and bag I/O; works on rclpy and rosbags message classes alike.

* :mod:`robomamba_ros.ros.type_source`: type sources that resolve ``'pkg/msg/Name'`` to message
  classes (rclpy in production, a rosbags typestore for Humble or Jazzy in tests and in-process
  runs).
* :mod:`robomamba_ros.ros.messages`: numpy conversions for images, camera info, poses, twists,
  joint states, times and small std_msgs.
* :mod:`robomamba_ros.ros.bag`: rosbag2 (MCAP, metadata version 8) writer and reader; needs
  ``rosbags``.

May import: :mod:`robomamba_ros.geometry`, :mod:`robomamba_ros.tasks`, numpy, rosbags (bag I/O).
Nothing here imports rclpy (or rosbags, except :mod:`~robomamba_ros.ros.bag`) at import time.
"""

__all__ = ['bag', 'messages', 'types']
