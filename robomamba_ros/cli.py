# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The `robomamba-ros` command line.

Each subcommand registers its arguments here and imports its implementation only when it runs, so
`--help` stays fast and never needs torch or sapien.
"""

import argparse
import sys

from robomamba_ros import __version__
from robomamba_ros.nodes.cli import add_node_parsers
from robomamba_ros.offline.cli import add_dmm_parsers
from robomamba_ros.sim.cli import add_sim_parsers
from robomamba_ros.train.cli import add_train_parser


def _cmd_version(args):
    print(f'robomamba_ros {__version__}')
    return 0


def _cmd_doctor(args):
    from robomamba_ros.doctor import run_doctor
    return run_doctor(out_dir=args.out, check_render=not args.no_render)


def build_parser():
    """
    Build the argument parser with every subcommand.

    :return: the configured ``argparse.ArgumentParser``.
    """
    parser = argparse.ArgumentParser(
        prog='robomamba-ros',
        description='Mamba-based robot manipulation (RoboMamba, Decision MetaMamba) for ROS 2.')
    parser.add_argument('--version', action='version', version=f'robomamba_ros {__version__}')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')

    p = sub.add_parser('version', help='print the package version')
    p.set_defaults(func=_cmd_version)

    p = sub.add_parser(
        'doctor',
        help='check the installation and run a small RGB-D → MCAP → 3D round trip',
        description='Report library versions and available backends (CUDA kernels, Vulkan '
                    'rendering, rclpy), write a synthetic RGB-D frame as ROS 2 messages into an '
                    'MCAP bag, read it back and lift a pixel to 3D. Writes doctor.json.')
    p.add_argument('--out', default='robomamba_out/doctor', help='output folder')
    p.add_argument('--no-render', action='store_true', help='skip the SAPIEN rendering check')
    p.set_defaults(func=_cmd_doctor)

    add_train_parser(sub)
    add_sim_parsers(sub)
    add_dmm_parsers(sub)
    add_node_parsers(sub)
    return parser


def main(argv=None):
    """
    Run the command line.

    :param argv: arguments without the program name (default: ``sys.argv[1:]``).
    :return: the process exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
