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


def add_robot_arguments(parser, help_suffix=''):
    """
    Add ``--robot`` (flying_hand or panda) and ``--gripper`` (the Panda's) to a parser.

    :param parser: an ``argparse.ArgumentParser``.
    :param help_suffix: appended to the help of ``--robot``.
    """
    parser.add_argument('--robot', choices=('flying_hand', 'panda'), default='flying_hand',
                        help="the simulated robot: the protocol's flying suction hand, or a "
                             'Franka Panda' + help_suffix)
    parser.add_argument('--gripper', choices=('fingers', 'suction'), default='fingers',
                        help="the Panda's gripper (default: the Franka Hand's fingers)")


def panda_config(args):
    """
    Return the Panda's runner config that ``--robot`` and ``--gripper`` ask for.

    :param args: parsed arguments with ``robot`` and ``gripper``.
    :return: a :class:`~robomamba_ros.sim.panda_runner.PandaRunnerConfig`, or None for the
        flying hand (SAPIEN is imported only for the Panda).
    """
    if args.robot != 'panda':
        return None
    from robomamba_ros.sim.panda_runner import PandaRunnerConfig
    return PandaRunnerConfig(gripper=args.gripper)


__all__ = ['add_robot_arguments', 'category_list', 'name_list', 'non_negative_int', 'panda_config',
           'positive_int']
