# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The ``dmm-data``, ``train-dmm`` and ``eval-dmm`` subcommands of ``robomamba-ros``.

``add_dmm_parsers(subparsers)`` registers them; torch and sapien are imported only when a
command runs.
"""

import dataclasses

from robomamba_ros.cli_args import add_robot_arguments, category_list, panda_config, positive_int
from robomamba_ros.offline.configuration_dmm_train import DMMTrainConfig
from robomamba_ros.tasks.low_level_pull import DATASET_LEVELS, FRAMES

# One source of truth for the hyperparameters: the config dataclass (it never imports torch).
DEFAULTS = {f.name: f.default for f in dataclasses.fields(DMMTrainConfig)}


def _categories(values):
    """Category names from ``--categories``, with ``seen``, ``unseen`` and ``all`` expanded."""
    from robomamba_ros.sim.categories import resolve_categories
    names = category_list(values)
    words = ('seen', 'unseen', 'all')
    if not any(name in words for name in names):
        return names  # as given, in the given order
    return resolve_categories(names)


def cmd_data(args):
    """Run ``robomamba-ros dmm-data``."""
    from robomamba_ros.offline.generate import generate_dataset
    categories = _categories(args.categories)
    meta = generate_dataset(args.out, args.level, args.episodes, seed=args.seed,
                            categories=categories, progress=not args.quiet,
                            panda=panda_config(args))
    print(f"{meta['robot']} {meta['level']}: {meta['episodes']} episodes, "
          f"{meta['transitions']} transitions, "
          f"success {100 * meta['success_rate']:.1f} %, mean return {meta['mean_return']:.2f} "
          f"(expert {meta['expert_return']:.2f}, random {meta['random_return']:.2f}) in "
          f'{args.out}')
    return 0


def cmd_train(args):
    """Run ``robomamba-ros train-dmm``."""
    try:
        cfg = DMMTrainConfig(
            data=args.data, out=args.out, policy=args.policy, mixer=args.mixer,
            use_conv=not args.no_conv, hidden_size=args.hidden_size,
            num_layers=args.num_layers, window=args.window, context_length=args.context,
            frame=args.frame, dropout=args.dropout, max_steps=args.max_steps,
            batch_size=args.batch_size,
            lr=args.lr, weight_decay=args.weight_decay, warmup_steps=args.warmup_steps,
            grad_clip=args.grad_clip, save_every=args.save_every, resume=args.resume,
            seed=args.seed, device=args.device)
    except ValueError as exc:
        print(f'train-dmm: {exc}')
        return 2
    from robomamba_ros.offline.training import train_dmm
    summary = train_dmm(cfg, progress=not args.quiet)
    print(f"train-dmm {summary['label']}: loss {summary['first_loss']:.4f} -> "
          f"{summary['final_loss']:.4f} in {summary['steps']} steps "
          f"({summary['seconds']:.0f} s); model in {summary['model_dir']}")
    return 0


def cmd_eval(args):
    """Run ``robomamba-ros eval-dmm``."""
    from robomamba_ros.offline.evaluation import evaluate_runs, format_row
    categories = _categories(args.categories)
    results = evaluate_runs(args.runs, args.episodes, args.out, categories,
                            progress=not args.quiet, inference=args.inference,
                            target_return=args.target_return, panda=panda_config(args))
    ref = results['reference']
    print(f"{results['episodes_per_run']} episodes per run; scripted expert return "
          f"{ref['expert_return']:.2f} (success {100 * ref['expert_success']:.1f} %), random "
          f"{ref['random_return']:.2f}")
    for row in results['table']:
        print(format_row(row))
    print(f'results in {args.out}/eval.json and {args.out}/eval_table.png')
    return 0


def add_dmm_parsers(subparsers):
    """
    Register ``dmm-data``, ``train-dmm`` and ``eval-dmm``.

    :param subparsers: the object ``ArgumentParser.add_subparsers()`` returned.
    """
    categories = 'drawer_cabinet,cabinet_door,microwave'
    p = subparsers.add_parser(
        'dmm-data', help='generate a low-level pull dataset (D4RL HDF5 layout)',
        description='Roll out scripted controllers in the SAPIEN low-level pull task (physics '
                    'only) and write observations, actions, rewards, terminals and timeouts.')
    p.add_argument('--out', required=True, help='output .hdf5 file')
    p.add_argument('--level', default='expert', choices=DATASET_LEVELS)
    p.add_argument('--episodes', type=positive_int, default=60)
    p.add_argument('--seed', type=int, default=0, help='first episode seed')
    p.add_argument('--categories', nargs='+', default=[categories],
                   help='category names, or seen / unseen / all (default: %(default)s)')
    add_robot_arguments(p, ' (rolled out through its Servo interface)')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_data)

    p = subparsers.add_parser(
        'train-dmm', help='train Decision MetaMamba (or the DT baseline) offline',
        description='DT-style offline training on a D4RL-layout file or a Minari folder. Writes '
                    'OUT/model (config.json, model.safetensors, stats.json), OUT/checkpoint, '
                    'OUT/log.json and OUT/loss.png.')
    p.add_argument('--data', required=True, help='D4RL-layout .hdf5 file or Minari folder')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--policy', default='dmm', choices=('dmm', 'dt'))
    p.add_argument('--mixer', default=DEFAULTS['mixer'],
                   choices=('dense', 'linear', 'conv', 'none'))
    p.add_argument('--no-conv', action='store_true', help='Mamba blocks without conv1d')
    p.add_argument('--hidden-size', type=positive_int, default=DEFAULTS['hidden_size'])
    p.add_argument('--num-layers', type=positive_int, default=DEFAULTS['num_layers'])
    p.add_argument('--window', type=positive_int, default=DEFAULTS['window'],
                   help='mixer window (tokens)')
    p.add_argument('--context', type=positive_int, default=DEFAULTS['context_length'],
                   help='training window K')
    p.add_argument('--frame', default=DEFAULTS['frame'], choices=FRAMES,
                   help='observations and actions as the data holds them, or '
                        '(LowLevelPull-v1) in the frame of the target pose; target_local also '
                        "drops the target's pose in the world, so the model sees the same "
                        "numbers in any upright frame (an arm's base frame)")
    p.add_argument('--dropout', type=float, default=DEFAULTS['dropout'])
    p.add_argument('--max-steps', type=positive_int, default=DEFAULTS['max_steps'])
    p.add_argument('--batch-size', type=positive_int, default=DEFAULTS['batch_size'])
    p.add_argument('--lr', type=float, default=DEFAULTS['lr'])
    p.add_argument('--weight-decay', type=float, default=DEFAULTS['weight_decay'])
    p.add_argument('--warmup-steps', type=int, default=DEFAULTS['warmup_steps'])
    p.add_argument('--grad-clip', type=float, default=DEFAULTS['grad_clip'])
    p.add_argument('--save-every', type=int, default=0)
    p.add_argument('--resume', action='store_true')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--device', default='auto', choices=('auto', 'cpu', 'cuda'))
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_train)

    p = subparsers.add_parser(
        'eval-dmm', help='closed-loop evaluation and ablation table of train-dmm runs',
        description='Run every train-dmm output folder on the same held-out episodes; report '
                    'normalised return and success as mean ± std over the runs (seeds) of each '
                    'variant. Writes OUT/eval.json and OUT/eval_table.png.')
    p.add_argument('runs', nargs='+', help='train-dmm output folders (one per seed)')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--episodes', type=positive_int, default=30, help='episodes per run')
    p.add_argument('--inference', default='recurrent', choices=('recurrent', 'window'),
                   help='DMM: O(1) recurrent step from the episode start, or re-forward of '
                        'the last K steps as in training (the DT always re-forwards)')
    p.add_argument('--target-return', type=float, default=None,
                   help='return to condition on (default: dataset expert return, else best)')
    p.add_argument('--categories', nargs='+', default=[categories],
                   help='category names, or seen / unseen / all (default: %(default)s)')
    add_robot_arguments(p)
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.set_defaults(func=cmd_eval)


__all__ = ['add_dmm_parsers', 'cmd_data', 'cmd_eval', 'cmd_train']
