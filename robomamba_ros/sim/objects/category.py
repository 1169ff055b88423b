# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The interface every procedural category implements, and its seeded sampling scheme."""

import zlib

import numpy as np

from robomamba_ros.sim.objects.object_builder import ObjectBuilder

# ManipLLM scales PartNet-Mobility shapes by U(0.7, 1.2); we apply it on top of nominal sizes.
SCALE_RANGE = (0.7, 1.2)


def category_rng(category, seed):
    """
    Random generator for one object of a category: a fixed function of (category, seed).

    :param category: category name.
    :param seed: non-negative integer.
    :return: a ``numpy.random.Generator``.
    """
    return np.random.default_rng([zlib.crc32(category.encode('utf-8')), int(seed)])


class Category:
    """
    A family of procedural objects with one movable part.

    Subclasses set ``name``, ``part_name``, ``joint_type`` and implement ``sample_params`` and
    ``build_parts``; their docstrings describe the task, randomizations and success conditions.
    """

    name = ''
    part_name = ''
    joint_type = ''

    def sample_params(self, rng):
        """
        Draw the dimensions and options of one object.

        :param rng: a ``numpy.random.Generator``.
        :return: dict of plain numbers and strings.
        """
        raise NotImplementedError

    def build_parts(self, builder, params):
        """
        Add the boxes and the movable joint to ``builder``.

        :param builder: an :class:`ObjectBuilder`.
        :param params: output of :meth:`sample_params`.
        """
        raise NotImplementedError

    def build(self, scene, seed, render=False):
        """
        Sample and build one object.

        :param scene: the ``sapien.Scene``.
        :param seed: object seed; the same (category, seed) always gives the same object.
        :param render: also add visual shapes.
        :return: an :class:`ArticulatedObject` with the part closed (lower limit).
        """
        params = self.sample_params(category_rng(self.name, seed))
        builder = ObjectBuilder(scene, render)
        self.build_parts(builder, params)
        return builder.build(self.name, params)


def scaled(rng, low, high, scale):
    """
    Draw ``U(low, high) * scale``.

    :param rng: a ``numpy.random.Generator``.
    :param low: lower bound before scaling.
    :param high: upper bound before scaling.
    :param scale: object scale factor.
    :return: float.
    """
    return float(rng.uniform(low, high) * scale)


def jitter_color(rng, base, amount=0.08):
    """
    Perturb an RGB colour.

    :param rng: a ``numpy.random.Generator``.
    :param base: RGB in [0, 1].
    :param amount: maximum change per channel.
    :return: list of three floats in [0, 1].
    """
    return [float(np.clip(c + rng.uniform(-amount, amount), 0.0, 1.0)) for c in base]


__all__ = ['Category', 'SCALE_RANGE', 'category_rng', 'jitter_color', 'scaled']
