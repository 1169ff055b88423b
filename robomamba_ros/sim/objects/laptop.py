# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Laptop: lift the lid of a closed laptop lying on a side table.

Task Description
----------------
A side table carrying a thin base slab with a lid of the same footprint hinged along the back
edge. Pulling the lid upwards near its front edge opens it.

Randomizations
--------------
- laptop depth U(0.22, 0.3) m, width U(0.3, 0.4) m, base and lid thickness, table height
  U(0.45, 0.7) m, times scale U(0.7, 1.2)
- opening limit U(1.8, 2.3) rad; colours jittered

Success Conditions
------------------
The lid turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Laptop(Category):
    """A closed laptop on a side table; the lid moves."""

    name = 'laptop'
    part_name = 'lid'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.22, 0.3, s),
            'width': scaled(rng, 0.3, 0.4, s), 'base_t': scaled(rng, 0.015, 0.025, s),
            'lid_t': scaled(rng, 0.008, 0.015, s), 'table': scaled(rng, 0.45, 0.7, s),
            'upper_rad': float(rng.uniform(1.8, 2.3)),
            'color': jitter_color(rng, [0.55, 0.56, 0.6]),
            'table_color': jitter_color(rng, [0.5, 0.35, 0.22]),
        }

    def build_parts(self, builder, p):
        d, w, z0 = p['depth'], p['width'], p['table']
        table_d, table_w = d * 1.6, w * 1.4
        builder.box(builder.root, [0.0, 0.0, z0 / 2.0], [table_d / 2.0, table_w / 2.0, z0 / 2.0],
                    p['table_color'])
        builder.box(builder.root, [0.0, 0.0, z0 + p['base_t'] / 2.0],
                    [d / 2.0, w / 2.0, p['base_t'] / 2.0], p['color'])
        templates.top_lid(builder, 'lid', d, w, z0 + p['base_t'], p['lid_t'], p['upper_rad'],
                          p['color'], 'none', p['color'], damping=0.5)


__all__ = ['Laptop']
