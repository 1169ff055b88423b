# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Faucet: lift the lever of a single-lever mixer tap on a counter.

Task Description
----------------
A counter block with a tap body and a lever that points forwards (-x) and turns upwards about a
horizontal axis. Pulling the lever up near its tip opens the tap.

Randomizations
--------------
- lever length U(0.1, 0.16) m, tap height U(0.15, 0.25) m, counter height U(0.7, 0.9) m,
  times scale U(0.7, 1.2)
- opening limit U(0.6, 0.9) rad; colours jittered

Success Conditions
------------------
The lever turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class Faucet(Category):
    """A mixer tap whose lever lifts."""

    name = 'faucet'
    part_name = 'lever'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'lever': scaled(rng, 0.1, 0.16, s),
            'tap_height': scaled(rng, 0.15, 0.25, s), 'counter': scaled(rng, 0.7, 0.9, s),
            'upper_rad': float(rng.uniform(0.6, 0.9)),
            'color': jitter_color(rng, [0.8, 0.8, 0.84], 0.05),
            'counter_color': jitter_color(rng, [0.35, 0.35, 0.4]),
        }

    def build_parts(self, builder, p):
        z0, th, lever = p['counter'], p['tap_height'], p['lever']
        builder.box(builder.root, [0.0, 0.0, z0 / 2.0], [0.2, 0.25, z0 / 2.0], p['counter_color'])
        builder.box(builder.root, [0.05, 0.0, z0 + th / 2.0], [0.025, 0.025, th / 2.0],
                    p['color'])
        builder.box(builder.root, [-0.03, 0.0, z0 + th - 0.02], [0.07, 0.015, 0.012],
                    p['color'])
        # Lever pivot on top of the tap body; the lever points forwards along -x.
        link = builder.movable_link('lever', 'revolute', [0.05, 0.0, z0 + th + 0.01], [0, 1, 0],
                                    (0.0, p['upper_rad']), 0.0, 0.2)
        builder.box(link, [-lever / 2.0, 0.0, 0.0], [lever / 2.0, 0.015, 0.008], p['color'])


__all__ = ['Faucet']
