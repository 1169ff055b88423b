# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The ``datagen`` and ``eval`` subcommands of ``robomamba-ros``.

``add_sim_parsers(subparsers)`` registers both; the simulator is imported only when a command
runs, so ``robomamba-ros --help`` never loads sapien.
"""

import json

from robomamba_ros.cli_args import (
    add_robot_arguments, category_list, name_list, non_negative_int, positive_int)


def cmd_datagen(args):
    """
    Run ``robomamba-ros datagen``.

    :param args: parsed arguments.
    :return: exit status.
    """
    from robomamba_ros.sim.datagen import DatagenConfig, run_datagen

    try:
        config = DatagenConfig(num_samples=args.num_samples, out_dir=args.out, seed=args.seed,
                               workers=args.workers, categories=category_list(args.categories),
                               primitive=args.primitive, suite=args.suite)
    except ValueError as exc:
        print(f'datagen: {exc}')
        return 2
    summary = run_datagen(config, progress=not args.quiet)
    run = summary['this_run']
    print(f'{summary["samples"]} samples in {args.out} ({run["generated"]} new, '
          f'{run["samples_per_s"]:.2f} samples/s with {run["workers"]} workers), '
          f'success rate {100 * summary["success_rate"]:.1f} %')
    return 0


def cmd_eval(args):
    """
    Run ``robomamba-ros eval``.

    :param args: parsed arguments.
    :return: exit status.
    """
    from robomamba_ros.sim.evaluate import (
        builtin_executor, EvalConfig, format_table, PRIMITIVE_EXECUTOR, run_eval,
        SCRIPTED_EXECUTOR)

    try:
        config = EvalConfig(scenes_per_category=args.scenes_per_category, seed=args.seed,
                            categories=category_list(args.categories), primitive=args.primitive,
                            executors=name_list(args.executor), robot=args.robot,
                            gripper=args.gripper, suite=args.suite)
        from robomamba_ros.sim.policies import load_policy
        policies = {name: load_policy(name) for name in name_list(args.policy)}
        executors = {}
        for name in config.executors:
            if name in (PRIMITIVE_EXECUTOR, SCRIPTED_EXECUTOR):
                executors[name] = builtin_executor(name, panda=config.panda_config())
            else:  # a trained DMM or DT: torch and the offline layer load only then
                from robomamba_ros.offline.evaluation import load_executor
                executors[name] = load_executor(name, inference=args.dmm_inference,
                                                panda=config.panda_config())
    except (ValueError, FileNotFoundError) as exc:
        print(f'eval: {exc}')
        return 2
    results = run_eval(policies, config, args.out, progress=not args.quiet, executors=executors)
    print(format_table(results))
    print(f'results: {args.out}/eval.json, table: {args.out}/eval_table.png')
    if args.print_json:
        print(json.dumps({n: {k: s[k] for k in ('seen', 'unseen', 'mean')}
                          for n, s in results['policies'].items()}))
    return 0


def _add_suite_argument(parser):
    parser.add_argument('--suite', choices=('v1', 'v2'), default='v1',
                        help='v1: one movable part per object (the protocol of the paper); v2: '
                             'objects with several drawers, doors and lids, the instruction '
                             'naming one, with scenery and lab-distance views (default: v1)')


def add_sim_parsers(subparsers):
    """
    Register ``datagen`` and ``eval`` on an argparse subparsers object.

    :param subparsers: the object returned by ``ArgumentParser.add_subparsers()``.
    :return: ``(datagen_parser, eval_parser)``.
    """
    datagen = subparsers.add_parser(
        'datagen', help='generate SAPIEN pull interactions with labels (needs Vulkan)',
        description='Render seeded scenes of procedural articulated objects, sample a contact '
                    'point and gripper axes on the movable part, run the pull, and write RGB, '
                    'depth (16-bit PNG, mm), labels (index.jsonl), summary.json, grid.png and '
                    'LLaVA-format exports. Deterministic per seed; rerun to resume.')
    datagen.add_argument('--num-samples', type=positive_int, required=True,
                         help='total samples in the folder')
    datagen.add_argument('--out', required=True, help='output folder')
    datagen.add_argument('--seed', type=non_negative_int, default=0, help='run seed')
    datagen.add_argument('--workers', type=positive_int, default=1, help='worker processes')
    datagen.add_argument('--categories', nargs='+', default=None,
                         help='category names, or seen / unseen / all (default: all)')
    datagen.add_argument('--primitive', choices=('pull', 'push'), default='pull')
    _add_suite_argument(datagen)
    datagen.add_argument('--quiet', action='store_true', help='no progress bar')
    datagen.set_defaults(func=cmd_datagen)

    evaluate = subparsers.add_parser(
        'eval', help='closed-loop success rates of a policy in SAPIEN (needs Vulkan)',
        description='Run a policy on N fresh seeded scenes per category, lift its pixel with '
                    'the depth image, execute the pull and report success per category, seen '
                    'and unseen averages and the mean (eval.json, eval_table.png). Policies: '
                    'random, random-on-object, heuristic, heuristic-instructed, oracle, or a '
                    'model folder. '
                    'Executors: primitive (the scripted pull), scripted (the expert controller '
                    'in closed loop in LowLevelPull-v1) or a train-dmm run folder (its DMM or '
                    'DT in that loop). Several of each may be given, separated by commas; each '
                    'policy and executor pair is a row.')
    evaluate.add_argument('--policy', nargs='+', required=True,
                          help='policy names or model folders')
    evaluate.add_argument('--executor', nargs='+', default=['primitive'],
                          help='primitive, scripted, or train-dmm run / model folders '
                               '(default: primitive)')
    evaluate.add_argument('--dmm-inference', choices=('recurrent', 'window'),
                          default='recurrent',
                          help='DMM executors: O(1) recurrent step, or re-forward the last K '
                               'steps (the DT always re-forwards)')
    evaluate.add_argument('--scenes-per-category', type=positive_int, default=10)
    evaluate.add_argument('--seed', type=non_negative_int, default=0)
    evaluate.add_argument('--out', required=True, help='output folder')
    evaluate.add_argument('--categories', nargs='+', default=None,
                          help='category names, or seen / unseen / all (default: all)')
    evaluate.add_argument('--primitive', choices=('pull', 'push'), default='pull')
    _add_suite_argument(evaluate)
    add_robot_arguments(evaluate, " (closed-loop executors only: its hand starts at the task's "
                                  'start pose when the arm reaches it)')
    evaluate.add_argument('--print-json', action='store_true',
                          help='also print the averages as one JSON line')
    evaluate.add_argument('--quiet', action='store_true', help='no progress bar')
    evaluate.set_defaults(func=cmd_eval)
    return datagen, evaluate


__all__ = ['add_sim_parsers', 'cmd_datagen', 'cmd_eval']
