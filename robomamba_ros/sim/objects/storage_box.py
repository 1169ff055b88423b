# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Storage box: lift the hinged lid of a box.

Task Description
----------------
An open-top box with a lid hinged along its back edge. Pulling the lid upwards near its front
edge (or its front lip) opens it.

Randomizations
--------------
- depth U(0.3, 0.5) m, width U(0.4, 0.7) m, height U(0.25, 0.45) m, times scale U(0.7, 1.2)
- opening limit U(1.6, 2.2) rad; handle: knob, lip or none; colours jittered

Success Conditions
------------------
The lid turns by more than 0.03 rad (or more than half its range) and the contact point moves
along -up with a dot product above 0.3.
"""

from robomamba_ros.sim.objects import templates
from robomamba_ros.sim.objects.category import Category, jitter_color, SCALE_RANGE, scaled


class StorageBox(Category):
    """A chest-like box with a hinged lid."""

    name = 'storage_box'
    part_name = 'lid'
    joint_type = 'revolute'

    def sample_params(self, rng):
        s = rng.uniform(*SCALE_RANGE)
        return {
            'scale': float(s), 'depth': scaled(rng, 0.3, 0.5, s),
            'width': scaled(rng, 0.4, 0.7, s), 'height': scaled(rng, 0.25, 0.45, s),
            'upper_rad': float(rng.uniform(1.6, 2.2)),
            'handle': str(rng.choice(['knob', 'lip', 'none'])),
            'color': jitter_color(rng, [0.7, 0.55, 0.35]),
            'handle_color': jitter_color(rng, [0.35, 0.25, 0.15]),
        }

    def build_parts(self, builder, p):
        d, w, h = p['depth'], p['width'], p['height']
        templates.shell(builder, builder.root, d, w, h, 0.02, 'top', p['color'])
        templates.top_lid(builder, 'lid', d, w, h, 0.02, p['upper_rad'], p['color'],
                          p['handle'], p['handle_color'])


__all__ = ['StorageBox']
