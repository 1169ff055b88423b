# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
ROS 2 nodes.

Each executable's module holds a plain core class with all behaviour; the rclpy binding in this
package is the only place that imports rclpy.
"""
