# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""A SAPIEN scene with the suite's physics settings, with or without a render system."""

from dataclasses import dataclass

import sapien


@dataclass
class SceneConfig:
    """
    Physics settings shared by every scene of the suite.

    :param timestep_s: physics step (where2act steps at 500 Hz).
    :param ground_altitude_m: height of the ground plane.
    :param ambient_light: RGB ambient light when rendering.
    """

    timestep_s: float = 1.0 / 500.0
    ground_altitude_m: float = 0.0
    ambient_light: tuple = (0.45, 0.45, 0.45)

    def __post_init__(self):
        if not 0.0 < self.timestep_s <= 0.05:
            raise ValueError(f'timestep_s must be in (0, 0.05], got {self.timestep_s!r}')


def create_scene(render, config=None):
    """
    Create a scene with a ground plane; lights and a render system only when ``render`` is true.

    :param render: build a render system (needs a Vulkan device) or a physics-only scene.
    :param config: a :class:`SceneConfig` (default settings when None).
    :return: the ``sapien.Scene``.
    """
    config = config or SceneConfig()
    if render:
        scene = sapien.Scene()
    else:
        scene = sapien.Scene([sapien.physx.PhysxCpuSystem()])
    scene.set_timestep(config.timestep_s)
    scene.add_ground(config.ground_altitude_m, render=render)
    if render:
        scene.set_ambient_light(list(config.ambient_light))
        scene.add_directional_light([0.5, 0.3, -1.0], [0.9, 0.9, 0.9])
        scene.add_directional_light([-0.5, -0.6, -0.4], [0.3, 0.3, 0.3])
    return scene


def has_renderer(scene):
    """
    Tell whether a scene was created with a render system.

    :param scene: a ``sapien.Scene``.
    :return: True when pictures can be taken in it.
    """
    try:
        return scene.render_system is not None
    except (AttributeError, RuntimeError):
        return False


__all__ = ['SceneConfig', 'create_scene', 'has_renderer']
