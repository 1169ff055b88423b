# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Procedural articulated objects, one category per module.

Every category builds from boxes with SAPIEN's articulation builder and exposes exactly one
movable joint through :class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`.
Objects stand on the ground at the world origin with their front facing -x, the side the camera
looks from (azimuth around pi). The category list and the seen/unseen split live in
:mod:`robomamba_ros.sim.categories`.
"""

__all__ = []
