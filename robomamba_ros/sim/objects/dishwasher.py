# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Dishwasher: pull down the full-height front door of a dishwasher.

Task Description
----------------
A narrow tall box whose front is one door on a horizontal hinge at the bottom, with a recessed
grip at the top. Pulling the upper part of the door outwards opens it.

Randomizations
--------------
- depth U(0.5, 0.6) m, width U(0.45, 0.6) m, height U(0.75, 0.9) m, times scale U(0.7, 1.2)
- opening limit U(1.3, 1.6) rad
- handle: bar or none; colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Dishwasher(Category):
    """A dishwasher whose door opens downwards."""

    name = 'dishwasher'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.5, 0.6, s),
            'width': scaled(rng, 0.45, 0.6, s), 'height': scaled(rng, 0.75, 0.9, s),
            'upper_rad': float(rng.uniform(1.3, 1.6)),
            'handle': str(rng.choice(['bar', 'none'])),
            'color': jitter_color(rng, [0.78, 0.78, 0.8], 0.05),
            'handle_color': jitter_color(rng, [0.25, 0.25, 0.27]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall = p['depth'], p['width'], p['height'], 0.02
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0), (0.05, h), -d / 2.0, 0.03,
                             'bottom', p['upper_rad'], p['color'], p['handle'],
                             p['handle_color'], damping=2.0)


__all__ = ['Dishwasher']
