# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The categories of suite v2: furniture and appliances with several drawers, doors and lids.

Each class gives nominal sizes (scaled by U(0.7, 1.2)), colours, handle styles and a layout of
its parts in face coordinates (see :mod:`~robomamba_ros.sim.objects.multi_part`). The split into
seen and unseen categories is in :mod:`robomamba_ros.sim.categories`. The unseen ones combine
part types, hinges and instruction words that the seen ones have, in new arrangements
(three doors in a row, a lid above drawers, a side-hinged door above a bottom-hinged one).
"""

from robomamba_ros.sim.objects.multi_part import MultiPartCategory, side_by_side, slot, stacked


class ChestOfDrawers(MultiPartCategory):
    """2-4 drawers stacked: 'the top drawer', 'the second drawer from the bottom'."""

    name = 'chest_of_drawers'
    size_ranges = {'depth': (0.35, 0.5), 'width': (0.5, 0.9), 'height': (0.6, 1.1)}

    def layout(self, rng, size):
        return stacked('drawer', int(rng.integers(2, 5)), 0.04, 0.96)


class Dresser(MultiPartCategory):
    """Two columns of 2-3 drawers: 'the top-left drawer'."""

    name = 'dresser'
    size_ranges = {'depth': (0.4, 0.5), 'width': (0.8, 1.2), 'height': (0.6, 0.9)}
    body_color = (0.85, 0.83, 0.78)
    front_color = (0.9, 0.88, 0.84)

    def layout(self, rng, size):
        rows = int(rng.integers(2, 4))
        return stacked('drawer', rows, 0.04, 0.96, 0.02, 0.5) + \
            stacked('drawer', rows, 0.04, 0.96, 0.5, 0.98)


class DoubleDoorCabinet(MultiPartCategory):
    """Two doors side by side, hinged on the outer edges: 'the left door'."""

    name = 'double_door_cabinet'
    size_ranges = {'depth': (0.35, 0.5), 'width': (0.6, 0.9), 'height': (0.6, 1.0)}
    body_color = (0.45, 0.3, 0.2)
    front_color = (0.5, 0.35, 0.22)

    def layout(self, rng, size):
        return side_by_side('door', 2, 0.02, 0.98, 0.03, 0.97, ['left', 'right'])


class KitchenBaseCabinet(MultiPartCategory):
    """Drawers above doors, one or two columns: 'the drawer', 'the right door'."""

    name = 'kitchen_base_cabinet'
    size_ranges = {'depth': (0.5, 0.6), 'width': (0.45, 0.9), 'height': (0.75, 0.9)}
    body_color = (0.9, 0.9, 0.88)
    front_color = (0.35, 0.45, 0.55)
    handles = ('bar', 'knob', 'recessed')

    def layout(self, rng, size):
        split = float(rng.uniform(0.22, 0.3))
        if size['width'] < 0.65:
            return [slot('drawer', 0.02, 0.98, 0.03, split),
                    slot('door', 0.02, 0.98, split, 0.97, str(rng.choice(['left', 'right'])))]
        return side_by_side('drawer', 2, 0.02, 0.98, 0.03, split) + \
            side_by_side('door', 2, 0.02, 0.98, split, 0.97, ['left', 'right'])


class TopFreezerFridge(MultiPartCategory):
    """A small freezer door above a large one, hinged on one side: 'the smaller door'."""

    name = 'top_freezer_fridge'
    size_ranges = {'depth': (0.6, 0.75), 'width': (0.6, 0.85), 'height': (1.5, 1.9)}
    body_color = (0.92, 0.92, 0.93)
    front_color = (0.95, 0.95, 0.96)
    handles = ('bar', 'recessed', 'none')

    def layout(self, rng, size):
        hinge = str(rng.choice(['left', 'right']))
        split = float(rng.uniform(0.28, 0.4))
        return [slot('door', 0.01, 0.99, 0.02, split, hinge),
                slot('door', 0.01, 0.99, split, 0.98, hinge)]


class OvenWithDrawer(MultiPartCategory):
    """A bottom-hinged oven door above a storage drawer: 'the door', 'the drawer'."""

    name = 'oven_with_drawer'
    size_ranges = {'depth': (0.5, 0.65), 'width': (0.5, 0.75), 'height': (0.75, 0.95)}
    body_color = (0.3, 0.3, 0.32)
    front_color = (0.15, 0.15, 0.17)
    handles = ('bar',)

    def layout(self, rng, size):
        top = float(rng.uniform(0.1, 0.18))
        split = float(rng.uniform(0.72, 0.8))
        return [slot('door', 0.02, 0.98, top, split, 'bottom'),
                slot('drawer', 0.02, 0.98, split, 0.97)]


class Wardrobe(MultiPartCategory):
    """Two tall doors above one or two drawers: 'the right door', 'the left drawer'."""

    name = 'wardrobe'
    size_ranges = {'depth': (0.5, 0.6), 'width': (0.8, 1.2), 'height': (1.6, 2.0)}
    body_color = (0.55, 0.4, 0.28)
    front_color = (0.6, 0.45, 0.3)

    def layout(self, rng, size):
        split = float(rng.uniform(0.7, 0.8))
        parts = side_by_side('door', 2, 0.02, 0.98, 0.02, split, ['left', 'right'])
        return parts + side_by_side('drawer', int(rng.integers(1, 3)), 0.02, 0.98, split, 0.97)


class Nightstand(MultiPartCategory):
    """One or two drawers above a door: 'the top drawer', 'the door'."""

    name = 'nightstand'
    size_ranges = {'depth': (0.35, 0.45), 'width': (0.4, 0.55), 'height': (0.5, 0.7)}
    body_color = (0.4, 0.28, 0.2)
    front_color = (0.45, 0.32, 0.22)

    def layout(self, rng, size):
        drawers = int(rng.integers(1, 3))
        split = 0.25 * drawers + 0.04
        return stacked('drawer', drawers, 0.04, split) + \
            [slot('door', 0.02, 0.98, split, 0.96, str(rng.choice(['left', 'right'])))]


class Desk(MultiPartCategory):
    """A wide desk with drawer pedestals left and right: 'the top-right drawer'."""

    name = 'desk'
    size_ranges = {'depth': (0.5, 0.65), 'width': (1.0, 1.4), 'height': (0.7, 0.78)}
    body_color = (0.7, 0.6, 0.45)
    front_color = (0.75, 0.65, 0.5)

    def layout(self, rng, size):
        left, right = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        return stacked('drawer', left, 0.05, 0.95, 0.02, 0.3) + \
            stacked('drawer', right, 0.05, 0.95, 0.7, 0.98)


class TwoLidBox(MultiPartCategory):
    """A box with two lids of different sizes side by side: 'the smaller lid', 'the left lid'."""

    name = 'two_lid_box'
    size_ranges = {'depth': (0.3, 0.5), 'width': (0.5, 0.9), 'height': (0.25, 0.5)}
    body_color = (0.3, 0.45, 0.6)
    front_color = (0.35, 0.5, 0.65)
    handles = ('bar', 'knob', 'none')
    top_open = True

    def layout(self, rng, size):
        split = float(rng.choice([rng.uniform(0.3, 0.42), rng.uniform(0.58, 0.7)]))
        return [slot('lid', 0.0, split, 0.0, 1.0), slot('lid', split, 1.0, 0.0, 1.0)]


class WashingMachine(MultiPartCategory):
    """A front door and a detergent drawer: 'the door', 'the drawer'."""

    name = 'washing_machine'
    size_ranges = {'depth': (0.55, 0.65), 'width': (0.55, 0.65), 'height': (0.8, 0.9)}
    body_color = (0.93, 0.93, 0.95)
    front_color = (0.8, 0.82, 0.85)
    handles = ('bar', 'recessed', 'knob')

    def layout(self, rng, size):
        return [slot('drawer', 0.04, float(rng.uniform(0.35, 0.45)), 0.04, 0.17),
                slot('door', 0.12, 0.88, 0.28, 0.9, 'left')]


class KitchenTallUnit(MultiPartCategory):
    """A column of 3 drawers beside a door: 'the bottom drawer', 'the door'."""

    name = 'kitchen_tall_unit'
    size_ranges = {'depth': (0.5, 0.6), 'width': (0.8, 1.0), 'height': (0.8, 1.0)}
    body_color = (0.92, 0.92, 0.9)
    front_color = (0.55, 0.6, 0.45)
    handles = ('bar', 'knob', 'recessed')

    def layout(self, rng, size):
        split = float(rng.uniform(0.45, 0.55))
        if rng.random() < 0.5:
            return stacked('drawer', 3, 0.03, 0.97, 0.02, split) + \
                [slot('door', split, 0.98, 0.03, 0.97, 'right')]
        return [slot('door', 0.02, split, 0.03, 0.97, 'left')] + \
            stacked('drawer', 3, 0.03, 0.97, split, 0.98)


class Sideboard(MultiPartCategory):
    """Three doors in a row: 'the middle door' (unseen: seen cabinets have two)."""

    name = 'sideboard'
    size_ranges = {'depth': (0.4, 0.5), 'width': (1.2, 1.7), 'height': (0.7, 0.9)}
    body_color = (0.35, 0.25, 0.18)
    front_color = (0.4, 0.3, 0.2)

    def layout(self, rng, size):
        return side_by_side('door', 3, 0.02, 0.98, 0.05, 0.95, ['left', 'left', 'right'])


class SideBySideFridge(MultiPartCategory):
    """Two tall doors of different widths left and right: 'the larger door', 'the left door'."""

    name = 'side_by_side_fridge'
    size_ranges = {'depth': (0.65, 0.75), 'width': (0.8, 0.95), 'height': (1.6, 1.9)}
    body_color = (0.75, 0.76, 0.78)
    front_color = (0.8, 0.81, 0.83)
    handles = ('bar', 'recessed')

    def layout(self, rng, size):
        split = float(rng.choice([0.4, 0.6]) + rng.uniform(-0.03, 0.03))
        return [slot('door', 0.01, split, 0.02, 0.98, 'left'),
                slot('door', split, 0.99, 0.02, 0.98, 'right')]


class ToolChest(MultiPartCategory):
    """3-5 drawers stacked under a top lid: 'the lid', 'the second drawer from the top'."""

    name = 'tool_chest'
    size_ranges = {'depth': (0.4, 0.5), 'width': (0.5, 0.7), 'height': (0.6, 1.0)}
    body_color = (0.7, 0.12, 0.1)
    front_color = (0.75, 0.15, 0.12)
    handles = ('bar', 'recessed')

    def layout(self, rng, size):
        return [slot('lid', 0.0, 1.0, 0.0, 1.0)] + \
            stacked('drawer', int(rng.integers(3, 6)), 0.04, 0.96)


class TwoDoorSafe(MultiPartCategory):
    """Two steel doors stacked, hinged on the same side: 'the bottom door'."""

    name = 'two_door_safe'
    size_ranges = {'depth': (0.4, 0.5), 'width': (0.4, 0.55), 'height': (0.6, 1.0)}
    body_color = (0.25, 0.27, 0.3)
    front_color = (0.3, 0.32, 0.35)
    handles = ('knob', 'bar')

    def layout(self, rng, size):
        hinge = str(rng.choice(['left', 'right']))
        split = float(rng.uniform(0.4, 0.6))
        return [slot('door', 0.04, 0.96, 0.04, split, hinge),
                slot('door', 0.04, 0.96, split, 0.96, hinge)]


class WallOvenCombo(MultiPartCategory):
    """A side-hinged microwave door above a bottom-hinged oven door: 'the top door'."""

    name = 'wall_oven_combo'
    size_ranges = {'depth': (0.55, 0.65), 'width': (0.55, 0.75), 'height': (1.0, 1.3)}
    body_color = (0.2, 0.2, 0.22)
    front_color = (0.1, 0.1, 0.12)
    handles = ('bar',)

    def layout(self, rng, size):
        split = float(rng.uniform(0.38, 0.45))
        return [slot('door', 0.04, 0.96, 0.04, split - 0.02, str(rng.choice(['left', 'right']))),
                slot('door', 0.02, 0.98, split + 0.04, 0.96, 'bottom')]


class BlanketChest(MultiPartCategory):
    """A lid on top and two drawers side by side below: 'the lid', 'the right drawer'."""

    name = 'blanket_chest'
    size_ranges = {'depth': (0.4, 0.5), 'width': (0.8, 1.1), 'height': (0.45, 0.6)}
    body_color = (0.5, 0.32, 0.2)
    front_color = (0.55, 0.36, 0.22)

    def layout(self, rng, size):
        return [slot('lid', 0.0, 1.0, 0.0, 1.0)] + \
            side_by_side('drawer', 2, 0.03, 0.97, 0.6, 0.95)


__all__ = [
    'BlanketChest', 'ChestOfDrawers', 'Desk', 'DoubleDoorCabinet', 'Dresser',
    'KitchenBaseCabinet', 'KitchenTallUnit', 'Nightstand', 'OvenWithDrawer', 'SideBySideFridge',
    'Sideboard', 'ToolChest', 'TopFreezerFridge', 'TwoDoorSafe', 'TwoLidBox', 'WallOvenCombo',
    'Wardrobe', 'WashingMachine',
]
