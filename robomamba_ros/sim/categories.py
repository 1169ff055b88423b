# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The procedural categories of both suites and their seen (training) / unseen (held-out) splits.

This is the one place the splits are defined.

Suite ``v1`` (ManipLLM's protocol at our scale): 13 objects with one movable part each. Every
joint type and every hinge kind of the unseen categories also occurs among the seen ones
(vertical door hinge: safe ~ cabinet door; bottom hinge: dishwasher ~ oven; small top lid:
kettle ~ box; lever: faucet ~ laptop lid), as the paper's held-out categories share motion types
with its training categories.

Suite ``v2``: 18 objects with several drawers, doors and lids, the instruction naming one
(:mod:`~robomamba_ros.sim.objects.furniture`), on a floor or a table with distractors and
randomised finishes and lights. The unseen categories arrange the seen part types, hinges and
words anew: three doors in a row, a lid over drawers, side-by-side fridge doors of two widths,
doors stacked on a safe, a side-hinged door above a bottom-hinged one.
"""

from robomamba_ros.sim.objects import furniture
from robomamba_ros.sim.objects.cabinet_door import CabinetDoor
from robomamba_ros.sim.objects.dishwasher import Dishwasher
from robomamba_ros.sim.objects.drawer_cabinet import DrawerCabinet
from robomamba_ros.sim.objects.faucet import Faucet
from robomamba_ros.sim.objects.kettle import Kettle
from robomamba_ros.sim.objects.laptop import Laptop
from robomamba_ros.sim.objects.microwave import Microwave
from robomamba_ros.sim.objects.oven import Oven
from robomamba_ros.sim.objects.refrigerator import Refrigerator
from robomamba_ros.sim.objects.safe import Safe
from robomamba_ros.sim.objects.storage_box import StorageBox
from robomamba_ros.sim.objects.toilet import Toilet
from robomamba_ros.sim.objects.trash_can import TrashCan

CATEGORIES = {
    cls.name: cls()
    for cls in (DrawerCabinet, CabinetDoor, Refrigerator, Microwave, Oven, Laptop, StorageBox,
                TrashCan, Toilet, Dishwasher, Safe, Kettle, Faucet)
}

SEEN_CATEGORIES = ('drawer_cabinet', 'cabinet_door', 'refrigerator', 'microwave', 'oven',
                   'laptop', 'storage_box', 'trash_can', 'toilet')
UNSEEN_CATEGORIES = ('dishwasher', 'safe', 'kettle', 'faucet')

V2_CATEGORIES = {
    cls.name: cls()
    for cls in (furniture.ChestOfDrawers, furniture.Dresser, furniture.DoubleDoorCabinet,
                furniture.KitchenBaseCabinet, furniture.TopFreezerFridge,
                furniture.OvenWithDrawer, furniture.Wardrobe, furniture.Nightstand,
                furniture.Desk, furniture.TwoLidBox, furniture.WashingMachine,
                furniture.KitchenTallUnit, furniture.Sideboard, furniture.SideBySideFridge,
                furniture.ToolChest, furniture.TwoDoorSafe, furniture.WallOvenCombo,
                furniture.BlanketChest)
}
V2_SEEN_CATEGORIES = ('chest_of_drawers', 'dresser', 'double_door_cabinet',
                      'kitchen_base_cabinet', 'top_freezer_fridge', 'oven_with_drawer',
                      'wardrobe', 'nightstand', 'desk', 'two_lid_box', 'washing_machine',
                      'kitchen_tall_unit')
V2_UNSEEN_CATEGORIES = ('sideboard', 'side_by_side_fridge', 'tool_chest', 'two_door_safe',
                        'wall_oven_combo', 'blanket_chest')

SUITES = {
    'v1': (CATEGORIES, SEEN_CATEGORIES, UNSEEN_CATEGORIES),
    'v2': (V2_CATEGORIES, V2_SEEN_CATEGORIES, V2_UNSEEN_CATEGORIES),
}
_EVERY = {**CATEGORIES, **V2_CATEGORIES}


def suite_split(suite):
    """
    Return the categories of a suite and its split.

    :param suite: ``'v1'`` or ``'v2'``.
    :return: ``(categories dict, seen names, unseen names)``.
    :raises ValueError: for an unknown suite.
    """
    try:
        return SUITES[suite]
    except KeyError:
        raise ValueError(f'unknown suite {suite!r}; known: {", ".join(SUITES)}') from None


def get_category(name):
    """
    Look up a category by name.

    :param name: a category of either suite.
    :return: the :class:`~robomamba_ros.sim.objects.category.Category` instance.
    :raises ValueError: for an unknown name, listing the known ones.
    """
    try:
        return _EVERY[name]
    except KeyError:
        raise ValueError(
            f'unknown category {name!r}; known: {", ".join(sorted(_EVERY))}') from None


def resolve_categories(names=None, suite='v1'):
    """
    Expand a category selection: None or ``'all'`` for all, ``'seen'``/``'unseen'`` for a split.

    :param names: None, or an iterable of names and the words ``all``, ``seen``, ``unseen``.
    :param suite: the suite the words and names refer to.
    :return: tuple of category names without duplicates, in registry order.
    :raises ValueError: for an unknown name, a name of another suite or an empty selection.
    """
    every, seen, unseen = suite_split(suite)
    if names is None:
        return tuple(every)
    chosen = set()
    for name in names:
        if name == 'all':
            chosen.update(every)
        elif name == 'seen':
            chosen.update(seen)
        elif name == 'unseen':
            chosen.update(unseen)
        elif get_category(name).name not in every:
            raise ValueError(f'category {name!r} is not in suite {suite}; its categories: '
                             f'{", ".join(every)}')
        else:
            chosen.add(name)
    if not chosen:
        raise ValueError('no category selected')
    return tuple(name for name in every if name in chosen)


def split_of(name):
    """
    Tell which split a category belongs to.

    :param name: category name.
    :return: ``'seen'`` or ``'unseen'``.
    """
    name = get_category(name).name
    return 'seen' if name in SEEN_CATEGORIES or name in V2_SEEN_CATEGORIES else 'unseen'


def suite_of(name):
    """
    Tell which suite a category belongs to.

    :param name: category name.
    :return: ``'v1'`` or ``'v2'``.
    """
    return 'v2' if get_category(name).name in V2_CATEGORIES else 'v1'


for _every, _seen, _unseen in SUITES.values():
    assert set(_seen) | set(_unseen) == set(_every)
    assert not set(_seen) & set(_unseen)
assert not set(CATEGORIES) & set(V2_CATEGORIES)

__all__ = [
    'CATEGORIES',
    'SEEN_CATEGORIES',
    'SUITES',
    'UNSEEN_CATEGORIES',
    'V2_CATEGORIES',
    'V2_SEEN_CATEGORIES',
    'V2_UNSEEN_CATEGORIES',
    'get_category',
    'resolve_categories',
    'split_of',
    'suite_of',
    'suite_split',
]
