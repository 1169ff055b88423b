# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Safe: swing open the heavy door of a small safe.

Task Description
----------------
A thick-walled cube with a thick door on a vertical hinge and a knob. Pulling the door near its
free edge opens it against a strong joint damping.

Randomizations
--------------
- depth U(0.35, 0.5) m, width U(0.35, 0.5) m, height U(0.35, 0.55) m, times scale U(0.7, 1.2)
- hinge side; opening limit U(1.3, 1.8) rad; damping U(3, 8)
- knob or bar handle; colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Safe(Category):
    """A small safe with a heavy side-hinged door."""

    name = 'safe'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.35, 0.5, s),
            'width': scaled(rng, 0.35, 0.5, s), 'height': scaled(rng, 0.35, 0.55, s),
            'hinge_side': str(rng.choice(['minus_y', 'plus_y'])),
            'upper_rad': float(rng.uniform(1.3, 1.8)), 'damping': float(rng.uniform(3.0, 8.0)),
            'handle': str(rng.choice(['knob', 'bar'])),
            'color': jitter_color(rng, [0.25, 0.3, 0.28]),
            'handle_color': jitter_color(rng, [0.8, 0.7, 0.3]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall = p['depth'], p['width'], p['height'], 0.05
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0), (0.01, h), -d / 2.0, 0.05,
                             p['hinge_side'], p['upper_rad'], p['color'], p['handle'],
                             p['handle_color'], damping=p['damping'])


__all__ = ['Safe']
