# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
What stands around an object of suite v2: a floor or a table, distractors, lights, finishes.

Everything is drawn from the object's seeded stream (:func:`sample_scenery`), so a scene is the
same in the physics scene and in the rendering scene. The table and the distractors collide
(the hand can bump into them); the floor's pattern and the lights exist in rendering scenes
only. Textures come from a small fixed bank of procedural patterns, tinted by the colour of the
surface, so that building a scene never creates more than a handful of textures per process.
"""

import math

import numpy as np
import sapien

from robomamba_ros.sim.objects.category import jitter_color

PATTERNS = ('plain', 'planks', 'tiles', 'grain')
DISTRACTOR_SHAPES = ('box', 'cylinder')
# Objects lower than this may stand on a table.
TABLE_MAX_OBJECT_HEIGHT_M = 0.75
_TEXTURE_PX = 64
_TEXTURES = {}


def sample_scenery(rng, depth, width, height):
    """
    Draw the scenery of one object.

    :param rng: a ``numpy.random.Generator`` (the object's stream).
    :param depth: object x size in metres.
    :param width: object y size.
    :param height: object z size.
    :return: dict of plain values: ``table`` (None or its size and colour), ``floor``,
        ``distractors`` (0-3), ``light`` and ``finish`` (roughness, metallic, pattern of the
        object's panels).
    """
    table = None
    if height < TABLE_MAX_OBJECT_HEIGHT_M and rng.random() < 0.5:
        table = {'height': float(rng.uniform(0.45, 0.75)),
                 'depth': float(depth + rng.uniform(0.2, 0.5)),
                 'width': float(width + rng.uniform(0.3, 0.9)),
                 'pattern': str(rng.choice(['plain', 'planks', 'grain'])),
                 'color': jitter_color(rng, [0.55, 0.42, 0.3], 0.2)}
    floor = {'pattern': str(rng.choice(PATTERNS)),
             'color': jitter_color(rng, [0.6, 0.58, 0.55], 0.3)}
    distractors = []
    for index in range(int(rng.integers(0, 4))):
        side = 1.0 if index % 2 == 0 else -1.0
        size = float(rng.uniform(0.06, 0.25))
        distractors.append({
            'shape': str(rng.choice(DISTRACTOR_SHAPES)),
            'size': size, 'height': float(rng.uniform(0.05, 0.35)),
            # Beside or behind the object, never in front of its face.
            'x': float(rng.uniform(-0.3 * depth, depth / 2.0 + 0.2)),
            'y': float(side * (width / 2.0 + size / 2.0 + rng.uniform(0.05, 0.35))),
            'yaw': float(rng.uniform(0.0, math.pi)),
            'color': [float(c) for c in rng.uniform(0.1, 0.95, size=3)]})
    azimuth, elevation = rng.uniform(0.0, 2.0 * math.pi), rng.uniform(0.6, 1.4)
    ambient = float(rng.uniform(0.2, 0.6))
    tint = jitter_color(rng, [0.95, 0.9, 0.85], 0.1)
    intensity = float(rng.uniform(0.5, 1.3))
    light = {
        'ambient': ambient,
        'direction': [float(-math.cos(elevation) * math.cos(azimuth)),
                      float(-math.cos(elevation) * math.sin(azimuth)),
                      float(-math.sin(elevation))],
        'color': [intensity * c for c in tint]}
    finish = {'roughness': float(rng.uniform(0.3, 0.95)),
              'metallic': float(rng.choice([0.0, 0.0, 0.15])),
              'pattern': str(rng.choice(PATTERNS))}
    return {'table': table, 'floor': floor, 'distractors': distractors, 'light': light,
            'finish': finish}


def pattern_texture(pattern):
    """
    Return the process-wide texture of a pattern (grey levels, tinted by a material's colour).

    :param pattern: one of :data:`PATTERNS` other than ``'plain'``.
    :return: a ``sapien.render.RenderTexture2D``.
    """
    if pattern not in _TEXTURES:
        n = _TEXTURE_PX
        rng = np.random.default_rng(PATTERNS.index(pattern))
        rows, cols = np.mgrid[0:n, 0:n]
        if pattern == 'planks':
            grey = 0.8 + 0.15 * np.sin(cols * 0.9 + rng.normal(0, 0.3, (n, 1)))
            grey[:, ::16] = 0.45
        elif pattern == 'tiles':
            grey = np.full((n, n), 0.9)
            grey[::16], grey[:, ::16] = 0.4, 0.4
        elif pattern == 'grain':
            grey = 0.75 + 0.2 * np.sin(rows * 0.35 + 2.0 * np.sin(cols * 0.1)) + \
                rng.normal(0.0, 0.03, (n, n))
        else:
            raise ValueError(f'no texture for pattern {pattern!r}; patterns: {PATTERNS}')
        level = (np.clip(grey, 0.0, 1.0) * 255.0).astype(np.uint8)
        rgba = np.dstack([level, level, level, np.full((n, n), 255, np.uint8)])
        _TEXTURES[pattern] = sapien.render.RenderTexture2D(np.ascontiguousarray(rgba),
                                                           'R8G8B8A8Unorm')
    return _TEXTURES[pattern]


def material(color, pattern='plain', roughness=0.8, metallic=0.0):
    """
    Make a render material: a colour, a finish, and a tinted pattern.

    :param color: RGB in [0, 1].
    :param pattern: one of :data:`PATTERNS`.
    :param roughness: surface roughness.
    :param metallic: metalness.
    :return: a ``sapien.render.RenderMaterial``.
    """
    result = sapien.render.RenderMaterial(base_color=[*map(float, color), 1.0],
                                          roughness=float(roughness), metallic=float(metallic))
    if pattern != 'plain':
        result.base_color_texture = pattern_texture(pattern)
    return result


def add_scenery(builder, scenery):
    """
    Register the scenery's table, distractors, floor and light with an object builder.

    Colliding scenery comes first: the renderer pairs the two scenes' scenery in order.

    :param builder: the :class:`~robomamba_ros.sim.objects.object_builder.ObjectBuilder`.
    :param scenery: output of :func:`sample_scenery`.
    :return: height of the object's base (the table top, or 0 on the floor).
    """
    base_z = 0.0
    table = scenery['table']
    if table is not None:
        base_z = table['height']
        builder.extra(lambda scene, render: _static_box(
            scene, render, 'table', [table['depth'] / 2.0 - 0.1, 0.0, table['height'] / 2.0],
            [table['depth'] / 2.0, table['width'] / 2.0, table['height'] / 2.0], 0.0,
            material(table['color'], table['pattern']) if render else None))
    for index, d in enumerate(scenery['distractors']):
        z = base_z + d['height'] / 2.0
        builder.extra(lambda scene, render, d=d, index=index, z=z: _distractor(
            scene, render, f'distractor_{index}', d, z))
    floor = scenery['floor']
    builder.extra(lambda scene, render: _static_box(
        scene, render, 'floor', [0.0, 0.0, -0.004], [6.0, 6.0, 0.005], 0.0,
        material(floor['color'], floor['pattern']), collide=False) if render else None)
    light = scenery['light']
    builder.extra(lambda scene, render: _light(scene, light) if render else None)
    return base_z


def _static_box(scene, render, name, center, half, yaw, render_material, collide=True):
    b = scene.create_actor_builder()
    if collide:
        b.add_box_collision(half_size=list(map(float, half)))
    if render:
        b.add_box_visual(half_size=list(map(float, half)), material=render_material)
    entity = b.build_static(name=name)
    entity.set_pose(sapien.Pose(list(map(float, center)),
                                [math.cos(yaw / 2.0), 0.0, 0.0, math.sin(yaw / 2.0)]))
    return entity


def _distractor(scene, render, name, d, z):
    half_height = d['height'] / 2.0
    render_material = material(d['color'], 'plain', 0.6) if render else None
    if d['shape'] == 'box':
        return _static_box(scene, render, name, [d['x'], d['y'], z],
                           [d['size'] / 2.0, d['size'] / 3.0, half_height], d['yaw'],
                           render_material)
    # A cylinder's axis is its x axis: stand it up.
    pose = sapien.Pose([0.0, 0.0, 0.0], [math.cos(math.pi / 4.0), 0.0, -math.sin(math.pi / 4.0),
                                         0.0])
    b = scene.create_actor_builder()
    b.add_cylinder_collision(pose, radius=d['size'] / 2.0, half_length=half_height)
    if render:
        b.add_cylinder_visual(pose, radius=d['size'] / 2.0, half_length=half_height,
                              material=render_material)
    entity = b.build_static(name=name)
    entity.set_pose(sapien.Pose([d['x'], d['y'], z]))
    return entity


def _light(scene, light):
    scene.set_ambient_light([light['ambient']] * 3)
    return scene.add_directional_light(light['direction'], light['color']).entity


__all__ = ['DISTRACTOR_SHAPES', 'PATTERNS', 'TABLE_MAX_OBJECT_HEIGHT_M', 'add_scenery',
           'material', 'pattern_texture', 'sample_scenery']
