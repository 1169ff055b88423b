# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Kettle: flip open the small lid of a kettle standing on a counter.

Task Description
----------------
A counter block with a kettle body (box with a side grip) whose top lid is hinged at the back.
Pulling the lid upwards near its front edge opens it.

Randomizations
--------------
- kettle depth and width U(0.14, 0.2) m, height U(0.18, 0.26) m, counter height
  U(0.7, 0.9) m, times scale U(0.7, 1.2)
- lid share of the top U(0.6, 0.8); opening limit U(1.2, 1.8) rad; colours jittered

Success Conditions
------------------
The lid turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Kettle(Category):
    """A kettle on a counter; the lid moves."""

    name = 'kettle'
    part_name = 'lid'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.14, 0.2, s),
            'width': scaled(rng, 0.14, 0.2, s), 'height': scaled(rng, 0.18, 0.26, s),
            'counter': scaled(rng, 0.7, 0.9, s), 'lid_frac': float(rng.uniform(0.6, 0.8)),
            'upper_rad': float(rng.uniform(1.2, 1.8)),
            'color': jitter_color(rng, [0.75, 0.2, 0.2]),
            'counter_color': jitter_color(rng, [0.85, 0.85, 0.8], 0.05),
        }

    def build_parts(self, builder, p):
        d, w, h, z0 = p['depth'], p['width'], p['height'], p['counter']
        builder.box(builder.root, [0.0, 0.0, z0 / 2.0], [0.2, 0.25, z0 / 2.0], p['counter_color'])
        builder.box(builder.root, [0.0, 0.0, z0 + h / 2.0], [d / 2.0, w / 2.0, h / 2.0],
                    p['color'])
        builder.box(builder.root, [0.0, w / 2.0 + 0.03, z0 + h * 0.55],
                    [0.015, 0.03, h * 0.3], p['color'])
        lid_d = p['lid_frac'] * d
        templates.top_lid(builder, 'lid', lid_d, 0.85 * w, z0 + h, 0.012, p['upper_rad'],
                          p['color'], 'knob', p['counter_color'], x_center=d / 2.0 - lid_d / 2.0,
                          damping=0.2)


__all__ = ['Kettle']
