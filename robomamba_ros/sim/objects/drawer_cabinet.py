# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Drawer cabinet: pull a drawer out of a cabinet.

Task Description
----------------
A cabinet with one sliding drawer (prismatic joint along -x, the front normal). Pulling any
point of the drawer front or its handle straight out opens it.

Randomizations
--------------
- cabinet depth U(0.35, 0.5) m, width U(0.4, 0.7) m, height U(0.45, 0.9) m, times the object
  scale U(0.7, 1.2)
- drawer height 25-40 % of the cabinet, placed in the upper or lower half
- travel limit 60-85 % of the cabinet depth
- handle: bar or knob; colours jittered

Success Conditions
------------------
The drawer slides out by more than 0.03 m (or more than half its travel) and the contact point
moves along -up within 72.5 degrees (dot product > 0.3).
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class DrawerCabinet(Category):
    """A cabinet with one drawer."""

    name = 'drawer_cabinet'
    part_name = 'drawer'
    joint_type = 'prismatic'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        height = scaled(rng, 0.45, 0.9, s)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.35, 0.5, s),
            'width': scaled(rng, 0.4, 0.7, s), 'height': height,
            'drawer_frac': float(rng.uniform(0.25, 0.4)), 'upper_half': bool(rng.random() < 0.5),
            'travel_frac': float(rng.uniform(0.6, 0.85)),
            'handle': str(rng.choice(['bar', 'knob'])),
            'color': jitter_color(rng, [0.62, 0.45, 0.3]),
            'handle_color': jitter_color(rng, [0.75, 0.75, 0.78]),
        }

    def build_parts(self, builder, p):
        d, w, h, wall = p['depth'], p['width'], p['height'], 0.02
        templates.shell(builder, builder.root, d, w, h, wall, 'front', p['color'])
        dh = p['drawer_frac'] * (h - 2 * wall)
        z0 = h - wall - dh if p['upper_half'] else wall
        # The drawer link frame sits at the middle of the front panel's back face.
        link = builder.movable_link('drawer', 'prismatic', [-d / 2.0, 0.0, z0 + dh / 2.0],
                                    [-1, 0, 0], (0.0, p['travel_frac'] * d), 0.0, 5.0)
        inner_w, inner_d, t = w - 2 * wall - 0.01, d - wall - 0.01, 0.015
        builder.box(link, [-t / 2.0, 0.0, 0.0], [t / 2.0, w / 2.0 - 0.002, dh / 2.0 - 0.002],
                    p['color'])
        builder.box(link, [inner_d / 2.0, 0.0, -dh / 2.0 + t],
                    [inner_d / 2.0, inner_w / 2.0, t / 2.0], p['color'])
        builder.box(link, [inner_d - t / 2.0, 0.0, 0.0], [t / 2.0, inner_w / 2.0, dh / 2.5],
                    p['color'])
        for sign in (-1.0, 1.0):
            builder.box(link, [inner_d / 2.0, sign * (inner_w / 2.0 - t / 2.0), 0.0],
                        [inner_d / 2.0, t / 2.0, dh / 2.5], p['color'])
        grip = [-t, 0.0, 0.0]
        if p['handle'] == 'bar':
            builder.bar_handle(link, grip, 0.4 * w, 1, [-1.0, 0.0, 0.0], p['handle_color'])
        else:
            builder.knob(link, grip, [-1.0, 0.0, 0.0], p['handle_color'])


__all__ = ['DrawerCabinet']
