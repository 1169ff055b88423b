# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Objects with several movable parts (suite v2): a body, a layout of parts, scenery, a target.

A category of this kind draws a body size and a **layout**: the drawers, doors and lids on the
object's front face or top, each as a rectangle in face coordinates (``u`` from the viewer's
left edge, ``v`` from the top, both in [0, 1]). Handles (bar, knob, recessed grip, none),
colours, a finish and the scenery (:mod:`~robomamba_ros.sim.objects.scenery`) come from the
same seeded stream. One part is the target: drawn from a second stream among the parts that an
unambiguous expression names (:mod:`~robomamba_ros.sim.objects.referring`); some of the other
parts start ajar.
"""

import zlib

import numpy as np

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import (
    Category, category_rng, jitter_color, SCALE_RANGE, scaled)
from robomamba_ros.sim.objects.object_builder import ObjectBuilder
from robomamba_ros.sim.objects.referring import choose_referring
from robomamba_ros.sim.objects.scenery import add_scenery, material, sample_scenery

KINDS = ('drawer', 'door', 'lid')
# Viewer's left is the object's +y (its front faces -x).
_HINGES = {'left': 'plus_y', 'right': 'minus_y', 'bottom': 'bottom'}
_GAP_M = 0.006
_WALL_M = 0.02


def slot(kind, u0, u1, v0, v1, hinge=None):
    """
    One part of a layout.

    :param kind: one of :data:`KINDS`.
    :param u0: left edge on the face, from the viewer's left (0) to right (1).
    :param u1: right edge.
    :param v0: top edge, from the top (0) to the bottom (1); lids ignore it.
    :param v1: bottom edge.
    :param hinge: doors: ``'left'``, ``'right'`` or ``'bottom'``.
    :return: dict.
    """
    if kind not in KINDS:
        raise ValueError(f'kind must be one of {KINDS}, got {kind!r}')
    if not (0.0 <= u0 < u1 <= 1.0 and 0.0 <= v0 < v1 <= 1.0):
        raise ValueError(f'slot edges must satisfy 0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1, got '
                         f'{(u0, u1, v0, v1)}')
    if (kind == 'door') != (hinge is not None) or (hinge is not None and hinge not in _HINGES):
        raise ValueError(f'doors (only) need a hinge in {tuple(_HINGES)}, got {kind}, {hinge!r}')
    out = {'kind': kind, 'u0': float(u0), 'u1': float(u1), 'v0': float(v0), 'v1': float(v1)}
    if hinge is not None:
        out['hinge'] = hinge
    return out


def stacked(kind, count, v0, v1, u0=0.0, u1=1.0, hinge=None):
    """
    ``count`` equal parts stacked between ``v0`` and ``v1``.

    :return: list of :func:`slot` dicts, top first.
    """
    edges = np.linspace(v0, v1, count + 1)
    return [slot(kind, u0, u1, float(a), float(b), hinge) for a, b in zip(edges, edges[1:])]


def side_by_side(kind, count, u0, u1, v0, v1, hinges=None):
    """
    ``count`` equal parts side by side between ``u0`` and ``u1``.

    :param hinges: doors: a hinge per part, left to right.
    :return: list of :func:`slot` dicts, left first.
    """
    edges = np.linspace(u0, u1, count + 1)
    return [slot(kind, float(a), float(b), v0, v1, None if hinges is None else hinges[i])
            for i, (a, b) in enumerate(zip(edges, edges[1:]))]


class MultiPartCategory(Category):
    """
    A category of objects with several movable parts; subclasses give sizes and a layout.

    Subclasses set ``name``, ``size_ranges`` (nominal ``depth``, ``width``, ``height`` ranges in
    metres, scaled by U(0.7, 1.2)), ``body_color``, ``front_color``, ``handles`` (the handle
    styles the object may have) and ``top_open`` (a box opened from the top), and implement
    :meth:`layout`.
    """

    size_ranges = {'depth': (0.4, 0.5), 'width': (0.5, 0.8), 'height': (0.6, 1.0)}
    body_color = (0.6, 0.45, 0.3)
    front_color = (0.65, 0.5, 0.35)
    handles = ('bar', 'knob', 'recessed', 'none')
    top_open = False
    # Parts other than the target start ajar with this chance (by up to a third of their range).
    ajar_probability = 0.15

    def layout(self, rng, size):
        """
        Draw the parts.

        :param rng: a ``numpy.random.Generator``.
        :param size: dict with ``depth``, ``width``, ``height`` in metres.
        :return: list of :func:`slot` dicts.
        """
        raise NotImplementedError

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        size = {key: scaled(rng, *self.size_ranges[key], s)
                for key in ('depth', 'width', 'height')}
        parts = self.layout(rng, size)
        style = str(rng.choice(self.handles))
        for part in parts:
            part['handle'] = style
            part['upper'] = float(rng.uniform(0.6, 0.85) if part['kind'] == 'drawer'
                                  else rng.uniform(1.3, 1.9))
        if len(parts) > 1 and rng.random() < 0.35:
            odd = parts[int(rng.integers(len(parts)))]
            odd['handle'] = str(rng.choice([h for h in templates.HANDLES if h != style]))
        return {
            'scale': float(s), **size, 'parts': parts,
            'color': jitter_color(rng, self.body_color, 0.12),
            'front_color': jitter_color(rng, self.front_color, 0.12),
            'handle_color': jitter_color(rng, [0.75, 0.75, 0.78], 0.15),
            'scenery': sample_scenery(rng, size['depth'], size['width'], size['height']),
        }

    def build_parts(self, builder, p):
        d, w, h = p['depth'], p['width'], p['height']
        open_face = 'top' if self.top_open else 'front'
        templates.shell(builder, builder.root, d, w, h, _WALL_M, open_face, p['color'])
        for index, part in enumerate(p['parts']):
            self._add_part(builder, index, part, p)

    def _add_part(self, builder, index, part, p):
        d, w, h = p['depth'], p['width'], p['height']
        y_hi, y_lo = w / 2.0 - part['u0'] * w - _GAP_M, w / 2.0 - part['u1'] * w + _GAP_M
        z_hi, z_lo = h - part['v0'] * h - _GAP_M, h - part['v1'] * h + _GAP_M
        kind, handle = part['kind'], part['handle']
        name = f'{kind}_{index}'
        traits = {'u': (part['u0'] + part['u1']) / 2.0, 'handle': handle}
        color, handle_color = p['front_color'], p['handle_color']
        if kind == 'lid':
            lid_depth = d - 2.0 * _GAP_M
            traits.update(v=0.0, area_m2=float((y_hi - y_lo) * lid_depth))
            templates.top_lid(builder, name, lid_depth, y_hi - y_lo, h, 0.02, part['upper'],
                              color, handle, handle_color, y_center=(y_hi + y_lo) / 2.0,
                              kind=kind, traits=traits)
            return
        traits.update(v=(part['v0'] + part['v1']) / 2.0,
                      area_m2=float((y_hi - y_lo) * (z_hi - z_lo)))
        if kind == 'drawer':
            inner = d - _WALL_M - 0.03
            templates.front_drawer(builder, name, (y_lo, y_hi), (z_lo, z_hi), -d / 2.0, inner,
                                   part['upper'] * inner, color, handle, handle_color,
                                   kind=kind, traits=traits)
        else:
            traits['hinge'] = part['hinge']
            templates.front_door(builder, name, (y_lo, y_hi), (z_lo, z_hi), -d / 2.0, 0.025,
                                 _HINGES[part['hinge']], part['upper'], color, handle,
                                 handle_color, kind=kind, traits=traits)

    def build(self, scene, seed, render=False):
        """
        Sample and build one object with its scenery, and choose its target part.

        :param scene: the ``sapien.Scene``.
        :param seed: object seed; the same (category, seed) always gives the same scene.
        :param render: also add visual shapes, the floor's pattern and the lights.
        :return: an :class:`ArticulatedObject` whose target is named by ``referring``.
        """
        params = self.sample_params(category_rng(self.name, seed))
        finish = params['scenery']['finish']
        builder = ObjectBuilder(scene, render, finish=lambda color: material(
            color, finish['pattern'], finish['roughness'], finish['metallic']))
        base_z = add_scenery(builder, params['scenery'])
        self.build_parts(builder, params)
        obj = builder.build(self.name, params, base_z)
        rng = np.random.default_rng([zlib.crc32(self.name.encode()), int(seed), 1])
        traits = [dict(kind=part.kind, **part.traits) for part in obj.parts]
        named = [(i, choose_referring(traits, i, rng)) for i in range(len(obj.parts))]
        named = [(i, words) for i, (words, _) in named if words is not None]
        if not named:
            raise ValueError(f'{self.name} seed {seed}: no part can be named alone')
        index, words = named[int(rng.integers(len(named)))]
        obj.select_target(index, words)
        qpos = np.array(obj.articulation.get_qpos(), dtype=np.float32)
        limits = obj.articulation.get_qlimits()
        for i, part in enumerate(obj.parts):
            if i != index and rng.random() < self.ajar_probability:
                lower, upper = limits[part.joint_index]
                qpos[part.joint_index] = lower + rng.uniform(0.1, 0.33) * (upper - lower)
        obj.articulation.set_qpos(qpos)
        return obj


__all__ = ['KINDS', 'MultiPartCategory', 'side_by_side', 'slot', 'stacked']
