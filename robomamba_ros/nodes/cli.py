# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The ``demo``, ``replay``, ``inspect`` and ``launch`` subcommands of ``robomamba-ros``.

``demo`` and ``replay`` run the node cores in one process without ROS; ``inspect`` describes a
bag; ``launch`` starts the ROS 2 nodes as separate processes, as ``ros2 launch robomamba_ros
manipulate.launch.py`` does.
``add_node_parsers(subparsers)`` registers them; torch and sapien load only when one runs.
"""

import argparse
import sys

from robomamba_ros.cli_args import category_list, positive_int
from robomamba_ros.nodes.launch_plan import CAMERA_MOUNTS, LAUNCH_ARGUMENTS, ROBOTS, SUITES


def _shipped(value, name):
    """Resolve an unset model argument to the model shipped with the package."""
    from robomamba_ros.package_files import shipped_model
    return str(shipped_model(name)) if value is None else value


def bag_summary(results):
    """
    Describe the demo's bag in one line: path, size on disk, compression and what it records.

    :param results: the dict returned by :func:`~robomamba_ros.nodes.demo.run_demo`.
    """
    chunks = results.get('bag_chunks', {})
    raw = sum(c['uncompressed_bytes'] for c in chunks.values())
    packed = ', '.join(f'{name or "uncompressed"} MCAP chunks' for name in sorted(chunks))
    rec = results.get('recording', {})
    camera = results['topics'].get('/camera/camera/color/image_raw', {}).get('count', 0)
    return (f"bag {results['bag']}: {results['bag_bytes'] / 1e6:.1f} MB on disk "
            f"({packed or 'no chunks'}, {raw / 1e6:.1f} MB of records), "
            f"{len(results['topics'])} topics, every message recorded: {camera} camera frames "
            f"at {rec.get('camera_rate_hz', float('nan')):g} Hz "
            f"({rec.get('depth_encoding', '?')} depth), state at "
            f"{rec.get('control_rate_hz', float('nan')):g} Hz")


def cmd_demo(args):
    """Run ``robomamba-ros demo``."""
    from robomamba_ros.nodes.demo import run_demo, success_table
    from robomamba_ros.nodes.robomamba_node import STAGES
    from robomamba_ros.package_files import ROBOT_DMMS, SUITE_ROBOMAMBAS

    if args.camera == 'wrist' and args.robot != 'panda':
        print('demo: --camera wrist needs --robot panda (the flying hand has no wrist)')
        return 2
    if args.suite == 'v2' and args.robot != 'flying_hand':
        print('demo: --suite v2 runs with the flying hand (the layout of the Panda plans for '
              'one-part objects)')
        return 2
    if args.camera_distance_m is not None and \
            not 0.0 < args.camera_distance_m[0] <= args.camera_distance_m[1]:
        print('demo: --camera-distance-m takes LOW HIGH metres with 0 < LOW <= HIGH, got '
              f'{args.camera_distance_m[0]:g} {args.camera_distance_m[1]:g}')
        return 2
    try:
        policy = _shipped(args.policy, SUITE_ROBOMAMBAS[args.suite])
    except FileNotFoundError as exc:
        print(f'demo: no shipped RoboMamba here ({exc}); give --policy')
        return 2
    try:
        dmm = _shipped(args.dmm, ROBOT_DMMS[args.robot])
    except FileNotFoundError:
        print(f'demo: no shipped {ROBOT_DMMS[args.robot]} here; dmm_node runs its scripted '
              'executor')
        dmm = 'scripted'
    categories = category_list(args.categories)
    if args.episodes is None:
        from robomamba_ros.sim.categories import resolve_categories
        try:
            episodes = len(resolve_categories(categories or ['seen'], args.suite))
        except ValueError as exc:
            print(f'demo: {exc}')
            return 2
    else:
        episodes = args.episodes
    results = run_demo(episodes=episodes, policy=policy,
                       dmm_model='' if dmm == 'scripted' else dmm,
                       out=args.out, categories=categories,
                       seed=args.seed, distro=args.distro, camera_rate_hz=args.camera_rate_hz,
                       robot=args.robot, gripper=args.gripper, camera=args.camera,
                       camera_distance_m=args.camera_distance_m, suite=args.suite,
                       progress=not args.quiet)
    print(success_table(results['episodes']))
    print(f"pose source {results['policy']}, executor {results['executor']}: "
          f"{len(results['episodes'])} episodes in {results['elapsed_s']:.0f} s, results in "
          f'{args.out}')
    print(bag_summary(results))
    sizes = results.get('figure_bytes', {})
    if sizes:
        print('figures: ' + ', '.join(f'{name} ({size / 1e3:.0f} kB)'
                                      for name, size in sizes.items()))
    latency = results['latency_ms']
    if latency:
        print('robomamba_node median latency (ms): ' + ', '.join(
            f'{stage} {latency[stage]:.1f}' for stage in STAGES + ('total',) if stage in latency))
    return 0


def cmd_replay(args):
    """Run ``robomamba-ros replay``: exit 0 with goals, 3 without, 2 for a user error."""
    from robomamba_ros.nodes.replay import replay, ReplayError

    try:
        result = replay(args.input, args.output, args.model, deployment=args.config,
                        remaps=args.remap, instruction=args.instruction, start_s=args.start,
                        duration_s=args.duration, include_inputs=args.include_inputs,
                        progress=not args.quiet)
    except ReplayError as exc:
        print(f'replay: {exc}', file=sys.stderr)
        return 2
    print(result.table())
    return result.exit_code


def cmd_inspect(args):
    """Run ``robomamba-ros inspect``: exit 0, or 2 for a bag that cannot be read."""
    import json

    from robomamba_ros.nodes.bag_inspect import format_report, inspect_bag

    try:
        report = inspect_bag(args.bag, deployment=args.config, remaps=args.remap,
                             progress=not args.quiet)
    except ValueError as exc:  # BagError and bad remaps: one line each
        print(f'inspect: {exc}', file=sys.stderr)
        return 2
    print(format_report(report))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=2)
    return 0


def launch_arguments(args):
    """
    Collect the launch arguments of ``robomamba-ros launch`` as strings.

    :param args: the parsed arguments (``name:=value`` items and options).
    :return: ``{name: value}`` for the arguments given.
    :raises ValueError: for an item without ``:=``, an unknown name, or one given twice.
    """
    values = {}
    for item in args.arguments:
        name, sep, value = item.partition(':=')
        if not sep:
            raise ValueError(f'{item!r}: launch arguments are written name:=value')
        if name not in LAUNCH_ARGUMENTS:
            raise ValueError(f'unknown launch argument {name!r}; known: '
                             + ', '.join(LAUNCH_ARGUMENTS))
        if name in values:
            raise ValueError(f'{name} is given twice')
        values[name] = value
    for name in LAUNCH_ARGUMENTS:  # each has an option of the same name (--dmm-model: dmm_model)
        value = getattr(args, name)
        if value is None:
            continue
        if name in values:
            raise ValueError(f'{name} is given twice (as an option and as {name}:=)')
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def cmd_launch(args):
    """Run ``robomamba-ros launch``."""
    from robomamba_ros.nodes.launch_plan import plan_from_arguments
    from robomamba_ros.nodes.launcher import dry_run, Supervisor

    try:
        plan = plan_from_arguments(launch_arguments(args))
        if args.dry_run:
            dry_run(plan)
            return 0
    except (ValueError, FileNotFoundError) as exc:
        print(f'launch: {exc}', file=sys.stderr)
        return 2
    return Supervisor(plan, sigterm_timeout_s=args.sigterm_timeout,
                      sigkill_timeout_s=args.sigkill_timeout).run()


def _add_launch_parser(sub):
    quoted = {name: default or "''" for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    defaults = '\n'.join(f'  {name}:={quoted[name]}  {text}'
                         for name, (_, text) in LAUNCH_ARGUMENTS.items())
    p = sub.add_parser(
        'launch', help='start the ROS 2 nodes as ros2 launch would, without ros2 launch',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description='\n'.join((
            'Start sapien_bridge (with --sim), robomamba_node and dmm_node as separate',
            'processes with the parameter files and values of launch/manipulate.launch.py',
            '(both follow robomamba_ros.nodes.launch_plan): for ROS 2 installed from the',
            'Python package index, which has no ros2 launch. Each output line starts with',
            '[node name]. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops every node: SIGINT, then',
            'SIGTERM and SIGKILL to those still running after the timeouts; another Ctrl-C',
            'a second or more later takes the next step at once. When a node exits on its own,',
            'the others are stopped. Exit status: 0 after a clean stop by Ctrl-C, 1 otherwise,',
            '2 for bad arguments.')),
        epilog='launch arguments (name:=value, default, meaning):\n' + defaults)
    p.add_argument('arguments', nargs='*', metavar='NAME:=VALUE',
                   help='launch arguments as ros2 launch takes them, e.g. sim:=false')
    p.add_argument('--sim', action=argparse.BooleanOptionalAction, default=None,
                   help='run the SAPIEN bridge (sim:=; default: true)')
    p.add_argument('--config', default=None, metavar='FILE',
                   help='deployment parameter file, a path or a shipped file name (config:=; '
                        'default: sim.yaml with --sim, franka.yaml otherwise)')
    p.add_argument('--robomamba-model', default=None, metavar='DIR',
                   help="robomamba_node's model folder (robomamba_model:=; default: shipped)")
    p.add_argument('--dmm-model', default=None, metavar='DIR',
                   help="dmm_node's model folder (dmm_model:=; default: shipped)")
    p.add_argument('--robot', default=None, choices=ROBOTS,
                   help='the simulated robot (robot:=; default flying_hand; panda runs the nodes '
                        'with franka.yaml)')
    p.add_argument('--camera', default=None, choices=CAMERA_MOUNTS,
                   help="the simulated camera's mount (camera:=; default tripod; wrist rides on "
                        "the Panda's hand)")
    p.add_argument('--suite', default=None, choices=SUITES,
                   help="the simulated scenes (suite:=; default v1; v2 takes the suite's "
                        'shipped RoboMamba)')
    p.add_argument('--use-sim-time', action=argparse.BooleanOptionalAction, default=None,
                   help='follow /clock (use_sim_time:=; default: the value of sim)')
    p.add_argument('--rviz', action=argparse.BooleanOptionalAction, default=None,
                   help='also start rviz2 (rviz:=; default: false)')
    p.add_argument('--dry-run', action='store_true',
                   help='print the command line of each node, one per line, and exit')
    p.add_argument('--sigterm-timeout', type=float, default=5.0, metavar='S',
                   help='seconds from SIGINT to SIGTERM for a node still running (default: 5)')
    p.add_argument('--sigkill-timeout', type=float, default=5.0, metavar='S',
                   help='seconds from SIGTERM to SIGKILL (default: 5)')
    p.set_defaults(func=cmd_launch)


def add_node_parsers(sub):
    """
    Register ``demo``, ``replay``, ``inspect`` and ``launch``.

    :param sub: the ``add_subparsers`` object of the main parser.
    """
    p = sub.add_parser(
        'demo', help='run the three nodes on the SAPIEN bridge without ROS and record a bag',
        description='sapien_bridge -> robomamba_node -> dmm_node in one process, exchanging ROS 2 '
                    'messages (CDR) by topic with the parameters of config/*.yaml; writes an '
                    'MCAP bag (rosbag2 metadata version 8, zstd-compressed MCAP chunks) of '
                    'every message on every topic, results.json, frames.png (one captioned '
                    'tile per episode), success.png (success per category) and, with the '
                    'Panda, arm_frames.png (a side view of the arm per episode), and prints a '
                    "success table and the bag's size. Nothing is throttled: the camera topics "
                    'are recorded at the camera rate (see --camera-rate-hz), the state topics at '
                    "the bridge's control rate (100 Hz).")
    p.add_argument('--episodes', type=positive_int, default=None,
                   help='number of scenes (default: one per category, the seen ones of the suite '
                        'unless --categories names others)')
    p.add_argument('--policy', default=None,
                   help='pose source: random, random-on-object, heuristic, oracle, or a '
                        'RoboMamba model folder (default: the shipped robomamba-sapien-tiny)')
    p.add_argument('--dmm', default=None,
                   help="dmm_node's executor: a DMM/DT model folder, or scripted for the "
                        'scripted expert (default: the shipped dmm-sapien-tiny, with --robot '
                        'panda dmm-panda-tiny)')
    p.add_argument('--categories', nargs='+', default=None,
                   help='object categories, space or comma separated (default: the seen ones)')
    p.add_argument('--seed', type=int, default=0, help='evaluation seed of the scenes')
    p.add_argument('--distro', choices=('humble', 'jazzy'), default='humble',
                   help='message definitions of the bag')
    p.add_argument('--camera-rate-hz', type=float, default=None,
                   help="the bridge's camera rate in Hz of sim time (default: config/sim.yaml's, "
                        '10): the rate of the colour, aligned depth (16UC1) and camera info '
                        'topics, all recorded to the bag (every published frame, nothing '
                        'throttled); the control loop and the state topics run at 100 Hz. A '
                        'lower rate renders the moving part less often (a smaller bag, a faster '
                        "demo, the episode's first frame up to one camera period later)")
    p.add_argument('--robot', choices=ROBOTS, default='flying_hand',
                   help="the simulated robot: the protocol's flying suction hand, or a Franka "
                        "Panda with franka_ros2's topics and frames")
    p.add_argument('--gripper', choices=('fingers', 'suction'), default='fingers',
                   help="the Panda's gripper (default: the Franka Hand's fingers)")
    p.add_argument('--camera', choices=CAMERA_MOUNTS, default='tripod',
                   help="the RGB-D camera: on a tripod (the scene's seeded camera, default) or, "
                        "with --robot panda, on the Panda's hand")
    p.add_argument('--suite', choices=('v1', 'v2'), default='v1',
                   help='v1: one movable part per object; v2: drawers, doors and lids, the '
                        'instruction naming one (flying hand only; default: v1)')
    p.add_argument('--camera-distance-m', type=float, nargs=2, default=None,
                   metavar=('LOW', 'HIGH'),
                   help="the tripod's distance from the object, drawn per scene in metres, e.g. "
                        "0.6 1.2 for a lab's RealSense (default: the protocol's, 4.5-5.5 object "
                        'radii, which the shipped RoboMamba was trained on)')
    p.add_argument('--out', default='robomamba_out/demo', help='output folder')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_demo)

    remap_help = ('rename a topic of robomamba_node as --ros-args -r does, e.g. '
                  '/camera/camera/color/image_raw:=/camera/color/image_raw (repeatable)')
    config_help = ('robomamba_node parameter file for topic names and frames: franka.yaml '
                   '(realsense2_camera 4.x names), sim.yaml (a demo bag) or a path')
    p = sub.add_parser(
        'replay', help="run robomamba_node's core over a recorded bag",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description='\n'.join((
            'Play a ROS 2 bag (camera topics, /tf, /tf_static, instruction) through',
            'robomamba_node in recorded time order and write what it publishes to a new bag.',
            'Colour and depth may be raw Images or CompressedImage (compressed,',
            'compressedDepth): the transport is taken from the bag. Prints what was played,',
            'published and refused (by reason).',
            '',
            'exit status: 0 when an arm goal was published, 3 when none was (every prediction',
            'refused, or no end-effector pose in the bag), 2 for a bag or option error.')))
    p.add_argument('input', help='input bag folder or .mcap file')
    p.add_argument('output', help='output bag folder (must not exist)')
    p.add_argument('--model', default=None,
                   help='RoboMamba model folder (default: the shipped robomamba-sapien-tiny)')
    p.add_argument('--config', default='franka.yaml', help=config_help)
    p.add_argument('--remap', action='append', default=[], metavar='FROM:=TO', help=remap_help)
    p.add_argument('--instruction', default=None, metavar='TEXT',
                   help='instruction published at the start (needed when the bag has none)')
    p.add_argument('--start', type=float, default=0.0, metavar='S',
                   help="start this many seconds after the bag's first message (default 0)")
    p.add_argument('--duration', type=float, default=None, metavar='S',
                   help='replay only this many seconds (default: to the end)')
    p.add_argument('--include-inputs', action='store_true',
                   help='also copy the input messages to the output bag')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser(
        'inspect', help="list a bag's topics and what replay would use from it",
        description='List the topics of a ROS 2 bag with type, count, rate, image size and '
                    'encoding or compressed format, then which topics replay would use for '
                    'colour, depth and camera info with the same --config and --remap, whether '
                    'an instruction is recorded, and the transforms the bag holds.')
    p.add_argument('bag', help='bag folder or .mcap file')
    p.add_argument('--config', default='franka.yaml', help=config_help)
    p.add_argument('--remap', action='append', default=[], metavar='FROM:=TO', help=remap_help)
    p.add_argument('--json', default=None, metavar='FILE', help='also write the report as JSON')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_inspect)

    _add_launch_parser(sub)


__all__ = ['add_node_parsers', 'bag_summary', 'cmd_demo', 'cmd_inspect', 'cmd_launch',
           'cmd_replay', 'launch_arguments']
