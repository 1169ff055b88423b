# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Argument types shared by the ``robomamba-ros`` subcommands (argparse only)."""

import argparse


def _int_at_least(low, wording):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f'expected {wording}, got {text!r}')
        return value
    return parse


#: ``type=`` of an argument that takes an integer >= 1.
positive_int = _int_at_least(1, 'a positive integer')
#: ``type=`` of an argument that takes an integer >= 0.
non_negative_int = _int_at_least(0, 'an integer >= 0')


def name_list(values):
    """
    Flatten ``--x a b`` and ``--x a,b`` into one tuple of names, in order, without repeats.

    :param values: the strings argparse collected (``nargs='+'`` or ``'*'``), or None.
    :return: tuple of names (empty for no values).
    """
    return tuple(dict.fromkeys(name for value in values or () for name in value.split(',')
                               if name))


def category_list(values):
    """
    Flatten ``--categories a b`` and ``--categories a,b``; None when none were given.

    :param values: the strings argparse collected, or None.
    :return: tuple of category names (or ``seen``/``unseen``/``all``), or None.
    """
    if not values:
        return None
    return tuple(name for value in values for name in value.split(',') if name)


__all__ = ['category_list', 'name_list', 'non_negative_int', 'positive_int']
