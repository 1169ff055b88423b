# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The procedural categories and the seen (training) / unseen (held-out) split.

This is the one place the split is defined. Every joint type and every hinge kind of the unseen
categories also occurs among the seen ones (vertical door hinge: safe ~ cabinet door; bottom
hinge: dishwasher ~ oven; small top lid: kettle ~ box; lever: faucet ~ laptop lid), as the
paper's held-out categories share motion types with its training categories.
"""

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


def get_category(name):
    """
    Look up a category by name.

    :param name: one of :data:`CATEGORIES`.
    :return: the :class:`~robomamba_ros.sim.objects.category.Category` instance.
    :raises ValueError: for an unknown name, listing the known ones.
    """
    try:
        return CATEGORIES[name]
    except KeyError:
        raise ValueError(
            f'unknown category {name!r}; known: {", ".join(sorted(CATEGORIES))}') from None


def resolve_categories(names=None):
    """
    Expand a category selection: None or ``'all'`` for all, ``'seen'``/``'unseen'`` for a split.

    :param names: None, or an iterable of names and the words ``all``, ``seen``, ``unseen``.
    :return: tuple of category names without duplicates, in registry order.
    :raises ValueError: for an unknown name or an empty selection.
    """
    if names is None:
        return tuple(CATEGORIES)
    chosen = set()
    for name in names:
        if name == 'all':
            chosen.update(CATEGORIES)
        elif name == 'seen':
            chosen.update(SEEN_CATEGORIES)
        elif name == 'unseen':
            chosen.update(UNSEEN_CATEGORIES)
        else:
            chosen.add(get_category(name).name)
    if not chosen:
        raise ValueError('no category selected')
    return tuple(name for name in CATEGORIES if name in chosen)


def split_of(name):
    """
    Tell which split a category belongs to.

    :param name: category name.
    :return: ``'seen'`` or ``'unseen'``.
    """
    return 'seen' if get_category(name).name in SEEN_CATEGORIES else 'unseen'


assert set(SEEN_CATEGORIES) | set(UNSEEN_CATEGORIES) == set(CATEGORIES)
assert not set(SEEN_CATEGORIES) & set(UNSEEN_CATEGORIES)

__all__ = [
    'CATEGORIES',
    'SEEN_CATEGORIES',
    'UNSEEN_CATEGORIES',
    'get_category',
    'resolve_categories',
    'split_of',
]
