# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Single-door cabinet: swing open a door hinged on a vertical edge.

Task Description
----------------
A cabinet whose whole front is one door on a vertical revolute joint at its left or right edge.
Pulling the door near its free edge, away from the cabinet, opens it.

Randomizations
--------------
- depth U(0.3, 0.5) m, width U(0.35, 0.6) m, height U(0.5, 1.0) m, times scale U(0.7, 1.2)
- hinge side (-y or +y), opening limit U(1.4, 2.0) rad
- handle: bar or knob; colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class CabinetDoor(Category):
    """A cabinet with a single side-hinged door."""

    name = 'cabinet_door'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.3, 0.5, s),
            'width': scaled(rng, 0.35, 0.6, s), 'height': scaled(rng, 0.5, 1.0, s),
            'hinge_side': str(rng.choice(['minus_y', 'plus_y'])),
            'upper_rad': float(rng.uniform(1.4, 2.0)),
            'handle': str(rng.choice(['bar', 'knob'])),
            'color': jitter_color(rng, [0.85, 0.82, 0.74]),
            'handle_color': jitter_color(rng, [0.3, 0.3, 0.32]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall = p['depth'], p['width'], p['height'], 0.02
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0), (0.01, h), -d / 2.0, 0.02,
                             p['hinge_side'], p['upper_rad'], p['color'], p['handle'],
                             p['handle_color'])


__all__ = ['CabinetDoor']
