# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Trash can: lift the lid of a tall bin.

Task Description
----------------
A tall narrow open-top bin with a lid hinged along its back edge. Pulling the lid upwards near
its front edge opens it.

Randomizations
--------------
- depth U(0.25, 0.35) m, width U(0.25, 0.4) m, height U(0.5, 0.8) m, times scale U(0.7, 1.2)
- opening limit U(1.4, 2.0) rad; handle: lip or none; colours jittered

Success Conditions
------------------
The lid turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class TrashCan(Category):
    """A pedal-less bin with a hinged lid."""

    name = 'trash_can'
    part_name = 'lid'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.25, 0.35, s),
            'width': scaled(rng, 0.25, 0.4, s), 'height': scaled(rng, 0.5, 0.8, s),
            'upper_rad': float(rng.uniform(1.4, 2.0)),
            'handle': str(rng.choice(['lip', 'none'])),
            'color': jitter_color(rng, [0.35, 0.5, 0.4]),
            'lid_color': jitter_color(rng, [0.2, 0.3, 0.25]),
        }

    def build_parts(self, builder, p):
        d, w, h = p['depth'], p['width'], p['height']
        templates.shell(builder, builder.root, d, w, h, 0.015, 'top', p['color'])
        templates.top_lid(builder, 'lid', d + 0.01, w + 0.01, h, 0.02, p['upper_rad'],
                          p['lid_color'], p['handle'], p['lid_color'])


__all__ = ['TrashCan']
