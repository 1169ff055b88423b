# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Microwave: open the side-hinged door of a microwave oven standing on a low plinth.

Task Description
----------------
A box on a plinth with a control panel on one side of the front and a door on a vertical hinge
covering the rest. Pulling the door near its free edge opens it.

Randomizations
--------------
- depth U(0.3, 0.45) m, width U(0.45, 0.6) m, height U(0.25, 0.35) m, plinth U(0.3, 0.6) m,
  times scale U(0.7, 1.2)
- control panel share U(0.2, 0.3); opening limit U(1.4, 1.9) rad
- handle: bar or none (a flat door); colours jittered

Success Conditions
------------------
The door turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Microwave(Category):
    """A microwave oven on a plinth; the door hinges on the -y edge."""

    name = 'microwave'
    part_name = 'door'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.3, 0.45, s),
            'width': scaled(rng, 0.45, 0.6, s), 'height': scaled(rng, 0.25, 0.35, s),
            'plinth': scaled(rng, 0.3, 0.6, s), 'panel_frac': float(rng.uniform(0.2, 0.3)),
            'upper_rad': float(rng.uniform(1.4, 1.9)),
            'handle': str(rng.choice(['bar', 'none'])),
            'color': jitter_color(rng, [0.2, 0.2, 0.22]),
            'plinth_color': jitter_color(rng, [0.55, 0.5, 0.45]),
            'handle_color': jitter_color(rng, [0.7, 0.7, 0.72]),
        }

    def build_parts(self, builder, p):
        d, w, h, z0, wall = p['depth'], p['width'], p['height'], p['plinth'], 0.015
        builder.box(builder.root, [0.0, 0.0, z0 / 2.0], [d / 2.0, w / 2.0, z0 / 2.0],
                    p['plinth_color'])
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'], z0=z0)
        panel_w = p['panel_frac'] * w
        builder.box(builder.root, [-d / 2.0 - 0.01, w / 2.0 - panel_w / 2.0, z0 + h / 2.0],
                    [0.01, panel_w / 2.0, h / 2.0], p['plinth_color'])
        templates.front_door(builder, 'door', (-w / 2.0, w / 2.0 - panel_w - 0.005),
                             (z0, z0 + h), -d / 2.0, 0.02, 'minus_y', p['upper_rad'],
                             p['color'], p['handle'], p['handle_color'])


__all__ = ['Microwave']
