# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Policies for closed-loop evaluation and the built-in baselines.

A policy is any callable ``policy(rgb, depth, K, instruction) -> (pixel, up, forward)``:

* ``rgb`` uint8 (H, W, 3), ``depth`` float32 metres (H, W; 0 = no reading), ``K`` (3, 3) in the
  ROS convention (integer pixel centres), ``instruction`` a sentence;
* ``pixel`` (u, v) in the same convention, ``up`` and ``forward`` in the camera optical frame
  (x right, y down, z forward); ``up`` points into the surface.

Before each scene the evaluator calls ``policy.reset(context)`` when the policy has it. The
:class:`PolicyContext` carries privileged scene knowledge (segmentation, the episode itself)
that only the baselines may use: ``random-on-object`` the object mask, ``heuristic`` the mask of
the movable parts and depth normals, ``heuristic-instructed`` the mask of the instructed part
alone (an upper bound for a language-blind heuristic that is told the part), ``oracle`` the
ground-truth label sampler. On one-part objects (suite v1) the two heuristics are the same.
"""

from dataclasses import dataclass
import pathlib

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.sim import contact_sampling


@dataclass
class PolicyContext:
    """
    Privileged information about the scene being evaluated (baselines only).

    :param episode: the :class:`~robomamba_ros.sim.episode.Episode`.
    :param observation: its :class:`~robomamba_ros.sim.camera.Observation`.
    :param rng: a ``numpy.random.Generator`` seeded for this scene.
    :param gripper: ``'suction'`` (the protocol's, by default) or ``'fingers'`` (two fingers that
        need a handle to close on).
    :param grasp: the :class:`~robomamba_ros.sim.contact_sampling.ContactLabel` the robot was
        placed for (the Panda's layout, :func:`~robomamba_ros.sim.panda_runner.reference_grasp`),
        which ``oracle`` returns; None lets it choose.
    """

    episode: object
    observation: object
    rng: object
    gripper: str = 'suction'
    grasp: object = None


def random_up_cam(rng):
    """
    Draw an approach axis uniformly over the directions pointing away from the camera.

    :param rng: a ``numpy.random.Generator``.
    :return: unit vector in the optical frame with z > 0.
    """
    v = contact_sampling.random_unit_vector(rng)
    v[2] = abs(v[2]) + 1e-6
    return v / np.linalg.norm(v)


def random_forward(up, rng):
    """
    Draw a forward axis orthogonal to ``up``.

    :param up: unit vector, shape (3,).
    :param rng: a ``numpy.random.Generator``.
    :return: unit vector orthogonal to ``up``.
    """
    return geometry.gripper_rotation(up, contact_sampling.random_unit_vector(rng) + 1e-3)[:, 0]


def _pick_pixel(mask, rng):
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return None
    k = int(rng.integers(rows.size))
    return float(cols[k]), float(rows[k])


class RandomPolicy:
    """Any pixel of the image and a random approach axis facing away from the camera."""

    name = 'random'

    def __init__(self):
        self.rng = np.random.default_rng(0)

    def reset(self, context):
        self.rng = context.rng

    def __call__(self, rgb, depth, K, instruction):
        height, width = np.asarray(depth).shape
        pixel = (float(self.rng.integers(width)), float(self.rng.integers(height)))
        up = random_up_cam(self.rng)
        return pixel, up, random_forward(up, self.rng)


class RandomOnObjectPolicy(RandomPolicy):
    """A random pixel of the object (any part of it) and a random approach axis."""

    name = 'random-on-object'

    def reset(self, context):
        super().reset(context)
        self.mask = context.observation.mask_of(context.episode.object.entity_ids())

    def __call__(self, rgb, depth, K, instruction):
        pixel = _pick_pixel(self.mask & (np.asarray(depth) > 0.0), self.rng)
        if pixel is None:
            return super().__call__(rgb, depth, K, instruction)
        up = random_up_cam(self.rng)
        return pixel, up, random_forward(up, self.rng)


def depth_normal(depth, K, u, v, window=3):
    """
    Surface normal at a pixel from the depth image (plane fit), facing the camera.

    :param depth: float depth in metres (H, W).
    :param K: intrinsics.
    :param u: column.
    :param v: row.
    :param window: half-size of the neighbourhood in pixels.
    :return: unit normal in the optical frame, or None with too few valid neighbours.
    """
    depth = np.asarray(depth)
    height, width = depth.shape
    r0, r1 = max(int(v) - window, 0), min(int(v) + window + 1, height)
    c0, c1 = max(int(u) - window, 0), min(int(u) + window + 1, width)
    rows, cols = np.mgrid[r0:r1, c0:c1]
    z = depth[r0:r1, c0:c1]
    valid = np.isfinite(z) & (z > 0.0)
    if valid.sum() < 4:
        return None
    points = geometry.deproject(cols[valid], rows[valid], z[valid], K)
    centered = points - points.mean(axis=0)
    normal = np.linalg.svd(centered, full_matrices=False)[2][-1]
    # Face the camera: the optical centre is at the origin.
    if normal @ points.mean(axis=0) > 0.0:
        normal = -normal
    return normal


class HeuristicPolicy(RandomPolicy):
    """
    Pull the movable-part pixel nearest the mask centroid against the depth normal there.

    A geometric baseline: it knows the mask of the movable parts, all of them together, but not
    the joints, and it does not read the instruction.
    """

    name = 'heuristic'

    def reset(self, context):
        super().reset(context)
        self.mask = context.observation.mask_of(context.episode.object.all_movable_entity_ids())

    def __call__(self, rgb, depth, K, instruction):
        mask = self.mask & (np.asarray(depth) > 0.0)
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            return super().__call__(rgb, depth, K, instruction)
        k = int(np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2))
        u, v = float(cols[k]), float(rows[k])
        normal = depth_normal(depth, K, u, v)
        up = -normal if normal is not None else np.array([0.0, 0.0, 1.0])
        return (u, v), up, random_forward(up, self.rng)


class InstructedHeuristicPolicy(HeuristicPolicy):
    """The heuristic on the mask of the instructed part alone: it is told which part to open."""

    name = 'heuristic-instructed'

    def reset(self, context):
        RandomPolicy.reset(self, context)
        self.mask = context.observation.mask_of(context.episode.object.movable_entity_ids())


class OraclePolicy(RandomPolicy):
    """
    Sample ground-truth labels and keep the one that best opens the part.

    Among a few labels from the data generation sampler it keeps the one whose pull direction
    (-up) is best aligned with the part's opening motion at the contact point. For two fingers it
    takes a handle it sees instead (:func:`~robomamba_ros.sim.contact_sampling.handle_grasp`).
    Where the robot was placed for a grasp (the context's ``grasp``), it returns that one: the
    ground truth of the scene as it was set up.
    """

    name = 'oracle'
    candidates = 16

    def reset(self, context):
        super().reset(context)
        self.context = context

    def __call__(self, rgb, depth, K, instruction):
        episode, obs = self.context.episode, self.context.observation
        if self.context.grasp is not None:
            grasp = self.context.grasp
            return (grasp.pixel_uv, episode.to_camera(grasp.up_world),
                    episode.to_camera(grasp.forward_world))
        if self.context.gripper == 'fingers':
            grasp = contact_sampling.handle_grasp(episode.object, episode.scene, episode.camera)
            if grasp is not None:
                return (grasp.pixel_uv, episode.to_camera(grasp.up_world),
                        episode.to_camera(grasp.forward_world))
        best = contact_sampling.opening_grasp(lambda: episode.sample_label(self.rng, obs),
                                              episode.object, self.candidates)
        if best is None:
            return super().__call__(rgb, depth, K, instruction)
        return (best.pixel_uv, episode.to_camera(best.up_world),
                episode.to_camera(best.forward_world))


BUILTIN_POLICIES = {
    cls.name: cls for cls in (RandomPolicy, RandomOnObjectPolicy, HeuristicPolicy,
                              InstructedHeuristicPolicy, OraclePolicy)
}


def load_policy(name):
    """
    Make a built-in policy by name, or load a trained model from a folder.

    A folder is loaded with
    :func:`robomamba_ros.models.manipulation_policy.load_manipulation_policy`.

    :param name: one of :data:`BUILTIN_POLICIES` or a model folder.
    :return: the policy.
    :raises ValueError: for an unknown name.
    """
    if name in BUILTIN_POLICIES:
        return BUILTIN_POLICIES[name]()
    path = pathlib.Path(name)
    if not path.is_dir():
        raise ValueError(f'unknown policy {name!r}: use one of '
                         f'{", ".join(BUILTIN_POLICIES)} or a model folder')
    # Imported here: torch and transformers load only when a model is evaluated.
    from robomamba_ros.models.manipulation_policy import load_manipulation_policy
    return load_manipulation_policy(path)


__all__ = [
    'BUILTIN_POLICIES',
    'HeuristicPolicy',
    'InstructedHeuristicPolicy',
    'OraclePolicy',
    'PolicyContext',
    'RandomOnObjectPolicy',
    'RandomPolicy',
    'depth_normal',
    'load_policy',
    'random_forward',
    'random_up_cam',
]
