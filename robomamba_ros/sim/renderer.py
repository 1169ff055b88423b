# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Pictures of episodes from one long-lived rendering scene per process.

The first picture of a new SAPIEN scene costs seconds on a CPU Vulkan device, the next ones
milliseconds; physics, on the other hand, must start from a fresh scene for every episode to be
deterministic. So episodes simulate in their own physics-only scene, and a picture is taken by
rebuilding the same object (same category and seed, visual shapes added) in this shared
rendering scene, copying the joint positions, rendering, and removing it again (with the scenery
built with it: a table, distractors, lights). Segmentation ids are translated to the physics
scene's entities, so masks work with the episode's object.
"""

import math

import numpy as np

from robomamba_ros.sim import poses
from robomamba_ros.sim.camera import CameraConfig, Observation
from robomamba_ros.sim.panda import load_panda
from robomamba_ros.sim.scene import create_scene, SceneConfig

_SHARED = {}


class SceneRenderer:
    """
    A rendering scene with one RGB-D camera.

    :param camera_config: a :class:`~robomamba_ros.sim.camera.CameraConfig`.
    :param scene_config: a :class:`~robomamba_ros.sim.scene.SceneConfig` (lights).
    """

    def __init__(self, camera_config=None, scene_config=None):
        self.camera_config = camera_config or CameraConfig()
        c = self.camera_config
        self.scene_config = scene_config or SceneConfig()
        self.scene = create_scene(True, self.scene_config)
        self.camera = self.scene.add_camera('rgbd', c.width, c.height,
                                            math.radians(c.fov_y_deg), c.near_m, c.far_m)

    def capture(self, build, source, T_world_entity, K, arm=None):
        """
        Render an object in the state of its physics twin.

        :param build: ``build(scene) -> ArticulatedObject`` that builds the same object with
            visual shapes in the given scene.
        :param source: the physics-scene :class:`ArticulatedObject` (joint positions, ids).
        :param T_world_entity: camera entity pose, shape (4, 4).
        :param K: intrinsics (ROS convention) recorded in the observation.
        :param arm: optional Franka Panda to draw too: ``(T_world_base, qpos)`` with its base
            pose (4, 4) and all nine joint positions (segmentation id 0, like the background).
        :return: an :class:`~robomamba_ros.sim.camera.Observation`.
        """
        twin = build(self.scene)
        arm_twin = None
        if arm is not None:
            arm_twin = load_panda(self.scene, arm[0])
            arm_twin.articulation.set_qpos(np.asarray(arm[1], np.float32))
        try:
            twin.articulation.set_qpos(np.asarray(source.articulation.get_qpos(), np.float32))
            id_map = {mine.entity.per_scene_id: theirs.entity.per_scene_id for mine, theirs in
                      zip(twin.articulation.get_links(), source.articulation.get_links())}
            # Scenery that collides comes first in both scenes; lights only in this one.
            id_map.update({mine.per_scene_id: theirs.per_scene_id
                           for mine, theirs in zip(twin.extras, source.extras)})
            self.camera.entity.set_pose(poses.matrix_to_pose(T_world_entity))
            self.scene.update_render()
            self.camera.take_picture()
            position = self.camera.get_picture('Position')
            color = self.camera.get_picture('Color')
            raw_ids = self.camera.get_picture('Segmentation')[..., 1].astype(np.int64)
        finally:
            self.scene.remove_articulation(twin.articulation)
            for entity in twin.extras:
                self.scene.remove_entity(entity)
            self.scene.set_ambient_light(list(self.scene_config.ambient_light))
            if arm_twin is not None:
                self.scene.remove_articulation(arm_twin.articulation)
        # The fourth channel is the depth-buffer value: 1 where nothing was drawn.
        valid = position[..., 3] < 1.0
        points = poses.opengl_to_optical_points(position[..., :3]).astype(np.float32)
        points[~valid] = 0.0
        depth = np.where(valid, points[..., 2], 0.0).astype(np.float32)
        rgb = (np.clip(color[..., :3], 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        segmentation = np.zeros(raw_ids.shape, np.int32)
        for mine, theirs in id_map.items():
            segmentation[raw_ids == mine] = theirs
        return Observation(rgb=rgb, depth_m=depth, points_cam_m=points,
                           segmentation=segmentation, K=np.array(K, dtype=np.float64),
                           T_world_camera=poses.entity_to_optical(T_world_entity))


def shared_renderer(camera_config=None, scene_config=None):
    """
    Return the process-wide renderer for a camera configuration (created on first use).

    :param camera_config: a :class:`~robomamba_ros.sim.camera.CameraConfig`.
    :param scene_config: a :class:`~robomamba_ros.sim.scene.SceneConfig`.
    :return: a :class:`SceneRenderer`.
    """
    camera_config = camera_config or CameraConfig()
    scene_config = scene_config or SceneConfig()
    key = (repr(camera_config), repr(scene_config))
    if key not in _SHARED:
        _SHARED[key] = SceneRenderer(camera_config, scene_config)
    return _SHARED[key]


__all__ = ['SceneRenderer', 'shared_renderer']
