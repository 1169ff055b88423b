# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
SAPIEN manipulation suite: the where2act / ManipLLM pull protocol with procedural assets.

Modules, from the bottom up:

* ``poses`` -- SAPIEN poses and camera frames as 4x4 matrices.
* ``scene`` -- a physics-only or rendering SAPIEN scene with the suite's settings.
* ``objects`` -- procedural articulated objects, one category per file; ``categories`` holds the
  seen/unseen split; ``partnet_mobility`` loads PartNet-Mobility folders behind the same interface.
* ``panda`` -- the Franka Panda arm: its model from the example-robot-data wheel, kinematics
  with the joint limits, joint drives; ``panda_control`` -- its libfranka-like Cartesian pose
  interface and MoveIt-Servo-like twist interface;
* ``gripper`` -- the flying Franka hand; ``camera`` -- camera model and pose sampling;
  ``renderer`` -- RGB-D pictures and part segmentation from a shared rendering scene.
* ``contact_sampling``, ``interaction``, ``success`` -- labels, the pull/push primitives, the
  success test.
* ``episode`` -- one seeded scene (object + camera + gripper); ``episode_runner`` -- the hand
  commands, suction, settle and success judge on it, shared by ``low_level_task``, the evaluator
  and the ROS bridge.
* ``datagen`` -- labelled interaction data; ``language`` -- instructions and LLaVA exports;
  ``figures`` -- sample grid and result table.
* ``policies`` and ``evaluate`` -- closed-loop evaluation; ``cli`` -- the ``datagen`` and
  ``eval`` commands.

May import: :mod:`robomamba_ros.geometry`, :mod:`robomamba_ros.tasks`, ``models`` (a trained
pose source as a policy), sapien; never ``ros``, ``train``, ``offline`` or ``nodes``. Nothing
here imports sapien at package import time; import the submodules you need.
"""

__all__ = []
