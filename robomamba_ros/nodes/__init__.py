# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
ROS 2 nodes: plain cores holding all behaviour, and two bindings that run them.

* ``core`` -- the contract (ports, timers, services, injected context); ``qos``; ``parameters``.
* ``robomamba_node`` (with ``frame_sync``, ``goal_safety``, ``goal_stream`` and
  ``latency_profile``), ``dmm_node`` (with ``low_level_executor``), ``sapien_bridge`` (a
  translator over :mod:`robomamba_ros.sim.episode_runner`) -- the three cores and their
  ``main()``.
* ``rclpy_binding`` -- the only module that imports rclpy; ``in_process`` -- the same cores in one
  process on rosbags messages, used by the tests, ``demo`` and ``replay``.
* ``config_files`` -- finds ``config/*.yaml``; ``launch_plan`` -- what the launch starts, with
  which parameter files (read by ``launch/manipulate.launch.py`` and ``launcher``); ``launcher``
  -- ``robomamba-ros launch``, the nodes as supervised processes without ``ros2 launch``;
  ``cli`` -- the ``demo``, ``replay`` and ``launch`` subcommands.

May import every layer below (geometry, tasks, models, ros, sim, train, offline); only
``rclpy_binding`` imports rclpy, and the SAPIEN bridge is the only core that needs SAPIEN.
"""
