# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Oven: pull down the bottom-hinged door of an oven.

Task Description
----------------
A box with a control strip on top of the front and a door on a horizontal hinge along its bottom
edge. Pulling the upper part of the door outwards (and down) opens it.

Randomizations
--------------
- depth U(0.5, 0.65) m, width U(0.5, 0.75) m, height U(0.7, 0.95) m, times scale U(0.7, 1.2)
- door share of the front U(0.65, 0.8); opening limit U(1.3, 1.6) rad
- bar handle near the top of the door; colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Oven(Category):
    """An oven whose door opens downwards."""

    name = 'oven'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.5, 0.65, s),
            'width': scaled(rng, 0.5, 0.75, s), 'height': scaled(rng, 0.7, 0.95, s),
            'door_frac': float(rng.uniform(0.65, 0.8)),
            'upper_rad': float(rng.uniform(1.3, 1.6)),
            'color': jitter_color(rng, [0.3, 0.3, 0.3]),
            'door_color': jitter_color(rng, [0.15, 0.15, 0.17]),
            'handle_color': jitter_color(rng, [0.8, 0.8, 0.82]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall = p['depth'], p['width'], p['height'], 0.03
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        z0, z1 = 0.08 * h, 0.08 * h + p['door_frac'] * h
        builder.box(builder.root, [-d / 2.0 - 0.01, 0.0, (z1 + h) / 2.0],
                    [0.01, w / 2.0, (h - z1) / 2.0 - 0.005], p['color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0), (z0, z1), -d / 2.0, 0.03,
                             'bottom', p['upper_rad'], p['door_color'], 'bar',
                             p['handle_color'], damping=2.0)


__all__ = ['Oven']
