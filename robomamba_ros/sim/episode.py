# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
One seeded scene of the suite: an object, a camera around it, and the flying hand.

An episode is a pure function of (category, seed, config): it builds a fresh scene, so results
do not depend on what ran before in the same process (data generation workers and evaluation
rely on this for determinism).
"""

from dataclasses import dataclass, field
import zlib

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import contact_sampling, interaction
from robomamba_ros.sim.camera import CameraConfig, RGBDCamera
from robomamba_ros.sim.categories import get_category, split_of
from robomamba_ros.sim.contact_sampling import ContactSamplingConfig
from robomamba_ros.sim.gripper import FlyingGripper, GripperConfig
from robomamba_ros.sim.interaction import InteractionConfig
from robomamba_ros.sim.renderer import shared_renderer
from robomamba_ros.sim.scene import create_scene, SceneConfig


@dataclass
class EpisodeConfig:
    """
    Everything that shapes an episode.

    :param closed_probability: chance that the part starts closed (ManipLLM: most of the time).
    :param open_fraction_max: otherwise it starts open by U(0, this) of its range.
    :param settle_steps: physics steps after building, before the picture.
    """

    scene: SceneConfig = field(default_factory=SceneConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    gripper: GripperConfig = field(default_factory=GripperConfig)
    interaction: InteractionConfig = field(default_factory=InteractionConfig)
    sampling: ContactSamplingConfig = field(default_factory=ContactSamplingConfig)
    closed_probability: float = 0.8
    open_fraction_max: float = 0.3
    settle_steps: int = 5

    def __post_init__(self):
        for name in ('closed_probability', 'open_fraction_max'):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {value!r}')
        if self.settle_steps < 0:
            raise ValueError(f'settle_steps must be >= 0, got {self.settle_steps!r}')


def suite_episode_config(suite):
    """
    Return the episode settings of a suite.

    Suite v2 widens the field of view to 45 degrees and makes half the views lab views, 0.6-1.5 m
    from the object (:class:`~robomamba_ros.sim.camera.CameraConfig`); v1 keeps the protocol's.

    :param suite: ``'v1'`` or ``'v2'``.
    :return: an :class:`EpisodeConfig`.
    :raises ValueError: for an unknown suite.
    """
    if suite == 'v1':
        return EpisodeConfig()
    if suite == 'v2':
        return EpisodeConfig(camera=CameraConfig(fov_y_deg=45.0, lab_distance_share=0.5))
    raise ValueError(f"suite must be 'v1' or 'v2', got {suite!r}")


def episode_rng(category, seed, stream):
    """
    Independent random stream of an episode (camera, state, labels).

    :param category: category name.
    :param seed: episode seed.
    :param stream: name of the stream.
    :return: a ``numpy.random.Generator``.
    """
    return np.random.default_rng(
        [zlib.crc32(category.encode()), zlib.crc32(stream.encode()), int(seed)])


class Episode:
    """
    Build the scene of one (category, seed).

    The episode simulates in its own physics-only scene; :meth:`observe` renders the same state
    through the process-wide :class:`~robomamba_ros.sim.renderer.SceneRenderer` (needs a Vulkan
    device), so tests that only simulate never touch the renderer.

    :param category: category name, or an object source with ``name``, ``split`` and
        ``build(scene, seed, render)`` such as
        :class:`~robomamba_ros.sim.partnet_mobility.PartNetMobilitySource`.
    :param seed: non-negative integer.
    :param config: an :class:`EpisodeConfig`.
    """

    def __init__(self, category, seed, config=None):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f'seed must be a non-negative integer, got {seed!r}')
        self.config = config or EpisodeConfig()
        if isinstance(category, str):
            self.source = get_category(category)
            self.split = split_of(category)
        else:
            self.source = category
            self.split = category.split
        self.category = self.source.name
        self.seed = int(seed)
        self.scene = create_scene(False, self.config.scene)
        self.object = self.source.build(self.scene, self.seed)
        state_rng = episode_rng(self.category, self.seed, 'state')
        lower, _ = self.object.limits
        self.q_initial = lower
        if state_rng.random() >= self.config.closed_probability:
            self.q_initial = lower + state_rng.uniform(0.0, self.config.open_fraction_max) * \
                self.object.joint_range
        self.object.set_q(self.q_initial)
        self.gripper = FlyingGripper(self.scene, self.config.gripper)
        self.camera = RGBDCamera(self.config.camera)
        focus = None
        if len(self.object.parts) > 1:
            low, high = self.object.movable_link.compute_global_aabb_tight()
            focus = (np.asarray(low) + np.asarray(high)) / 2.0
        self.camera_params = self.camera.sample_pose(
            episode_rng(self.category, self.seed, 'camera'), self.object.center_m,
            self.object.bounding_radius_m, focus)
        for _ in range(self.config.settle_steps):
            self.scene.step()
        self.q_start = self.object.get_q()

    @property
    def is_open(self):
        """True when the part starts open by more than 5 % of its range."""
        lower, _ = self.object.limits
        return (self.q_start - lower) > 0.05 * self.object.joint_range

    def observe(self):
        """
        Take the RGB-D picture of the initial state (the hand is parked out of view).

        :return: an :class:`~robomamba_ros.sim.camera.Observation`.
        """
        source = self.source
        renderer = shared_renderer(self.config.camera, self.config.scene)
        return renderer.capture(lambda scene: source.build(scene, self.seed, render=True),
                                self.object, self.camera.T_world_entity, self.camera.K)

    def sample_label(self, rng=None, obs=None):
        """
        Draw a ground-truth contact label.

        :param rng: a ``numpy.random.Generator`` (default: the episode's label stream).
        :param obs: an observation to sample from its part mask; geometry sampling when None.
        :return: a :class:`~robomamba_ros.sim.contact_sampling.ContactLabel` or None.
        """
        rng = rng or episode_rng(self.category, self.seed, 'label')
        if obs is not None:
            return contact_sampling.sample_from_observation(
                obs, self.object, self.scene, self.camera, rng, self.config.sampling)
        return contact_sampling.sample_from_geometry(
            self.object, self.scene, self.camera, rng, self.config.sampling)

    def execute(self, point_world_m, up_world, forward_world, primitive='pull'):
        """
        Run a primitive from the current state.

        :param point_world_m: contact point, shape (3,).
        :param up_world: approach axis, shape (3,).
        :param forward_world: forward axis, shape (3,).
        :param primitive: ``'pull'`` or ``'push'``.
        :return: a :class:`~robomamba_ros.sim.success.InteractionResult`.
        """
        return interaction.execute(self.scene, self.gripper, self.object, point_world_m,
                                   up_world, forward_world, primitive, self.config.interaction)

    def to_camera(self, vectors_world):
        """
        Rotate world directions into the camera optical frame.

        :param vectors_world: shape (3,) or (N, 3).
        :return: same shape, optical frame.
        """
        return np.asarray(vectors_world) @ self.camera.T_world_camera[:3, :3]

    def to_world(self, vectors_cam):
        """
        Rotate optical-frame directions into the world frame.

        :param vectors_cam: shape (3,) or (N, 3).
        :return: same shape, world frame.
        """
        return np.asarray(vectors_cam) @ self.camera.T_world_camera[:3, :3].T

    def point_to_world(self, point_cam_m):
        """
        Move a point from the optical frame to the world frame.

        :param point_cam_m: shape (3,).
        :return: shape (3,).
        """
        return geometry.transform_points(self.camera.T_world_camera, point_cam_m)


__all__ = ['Episode', 'EpisodeConfig', 'episode_rng', 'suite_episode_config']
