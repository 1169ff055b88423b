# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Refrigerator: open the upper (fridge) door of a tall two-compartment refrigerator.

Task Description
----------------
A tall box with a fixed freezer front below and a fridge door above, hinged on a vertical edge.
Pulling the fridge door near its free edge opens it.

Randomizations
--------------
- depth U(0.55, 0.75) m, width U(0.55, 0.8) m, height U(1.4, 1.9) m, times scale U(0.7, 1.2)
- freezer share of the height U(0.3, 0.4); hinge side; opening limit U(1.5, 2.1) rad
- long vertical bar handle; colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Refrigerator(Category):
    """A two-compartment refrigerator; the upper door moves."""

    name = 'refrigerator'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.55, 0.75, s),
            'width': scaled(rng, 0.55, 0.8, s), 'height': scaled(rng, 1.4, 1.9, s),
            'freezer_frac': float(rng.uniform(0.3, 0.4)),
            'hinge_side': str(rng.choice(['minus_y', 'plus_y'])),
            'upper_rad': float(rng.uniform(1.5, 2.1)),
            'color': jitter_color(rng, [0.9, 0.9, 0.92], 0.05),
            'handle_color': jitter_color(rng, [0.6, 0.6, 0.62]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall, t = p['depth'], p['width'], p['height'], 0.03, 0.04
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        split = p['freezer_frac'] * h
        builder.box(builder.root, [-d / 2.0 - t / 2.0, 0.0, split / 2.0],
                    [t / 2.0, w / 2.0, split / 2.0 - 0.005], p['color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0), (split + 0.01, h), -d / 2.0,
                             t, p['hinge_side'], p['upper_rad'], p['color'], 'bar',
                             p['handle_color'])


__all__ = ['Refrigerator']
