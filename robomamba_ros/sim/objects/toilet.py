# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Toilet: lift the lid of a toilet.

Task Description
----------------
A bowl block with a cistern at the back and a lid hinged in front of the cistern. Pulling the
lid upwards near its front edge opens it.

Randomizations
--------------
- bowl depth U(0.45, 0.6) m, width U(0.35, 0.45) m, height U(0.38, 0.45) m, cistern height
  U(0.3, 0.45) m, times scale U(0.7, 1.2)
- opening limit U(1.4, 1.7) rad; colours jittered

Success Conditions
------------------
The lid turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Toilet(Category):
    """A toilet with a hinged lid."""

    name = 'toilet'
    part_name = 'lid'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.45, 0.6, s),
            'width': scaled(rng, 0.35, 0.45, s), 'height': scaled(rng, 0.38, 0.45, s),
            'cistern': scaled(rng, 0.3, 0.45, s), 'upper_rad': float(rng.uniform(1.4, 1.7)),
            'color': jitter_color(rng, [0.95, 0.95, 0.93], 0.04),
            'lid_color': jitter_color(rng, [0.9, 0.9, 0.88], 0.06),
        }

    def build_parts(self, builder, p):
        d, w, h = p['depth'], p['width'], p['height']
        cistern_d = 0.18 * d / 0.5
        builder.box(builder.root, [0.0, 0.0, h / 2.0], [d / 2.0, w / 2.0, h / 2.0], p['color'])
        builder.box(builder.root, [d / 2.0 + cistern_d / 2.0, 0.0, (h + p['cistern']) / 2.0],
                    [cistern_d / 2.0, w / 2.0 + 0.02, (h + p['cistern']) / 2.0], p['color'])
        templates.top_lid(builder, 'lid', d, w * 0.95, h, 0.03, p['upper_rad'], p['lid_color'],
                          'none', p['lid_color'])


__all__ = ['Toilet']
