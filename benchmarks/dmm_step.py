# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Per-control-step latency of Decision MetaMamba against a Decision Transformer, in one process.

Three ways to produce the next action in an episode:

* ``DMM step``: :meth:`DecisionMetaMamba.step`, the recurrent O(1) update (on the CPU in eval
  mode it runs on the numpy twin, :mod:`robomamba_ros.models.dmm_recurrent`);
* ``DT re-forward``: the Decision Transformer re-runs its last ``K`` timesteps every step
  (how it is normally deployed);
* ``DMM re-forward``: the same re-forward of the last ``K`` timesteps with the DMM;
* ``DMM torch step``: the recurrent update on the torch layers (``fast_step = False``), for
  reference.

Each is timed over the steps ``[n - window, n)`` of an episode after ``n - window`` warm steps,
for ``n`` = 100 and 1000, so a cost that grows with the episode shows. Every call runs under
``torch.inference_mode()``. Each episode is run ``--rounds`` times, the four ways taking turns,
so a change of machine load hits all of them; a median pools the timed steps of all rounds.
Memory is the bytes held between steps (recurrent state or K-window history; the DMM step also
keeps work arrays, shown apart) and the process peak RSS.

Every comparison ends with one line ``<what> ratio: <number>`` (medians); the last line is the
goal's, the DT re-forward over the DMM step at the episode length where it is lower.

Usage: ``python benchmarks/dmm_step.py [--context 20] [--hidden 64] [--layers 3] [--rounds 3]
[--json out]``
"""

import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch

from robomamba_ros.models.configuration_dmm import DMMConfig, matched_dt_config
from robomamba_ros.models.dmm import DecisionMetaMamba
from robomamba_ros.models.dt_baseline import DecisionTransformerPolicy

STATE_DIM, ACT_DIM = 17, 6
EPISODE_LENGTHS = (100, 1000)
TIMED_STEPS = 50


def _held_bytes(tensors):
    return sum(t.nbytes for t in tensors)


def _flatten(value):
    if torch.is_tensor(value) or isinstance(value, np.ndarray):
        return [value]
    if hasattr(value, 'arrays'):  # the numpy twin's RecurrentState
        return value.arrays()
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten(item)]
    return []


def run_steps(policy, length, states):
    """Run ``length`` steps; return the seconds of the last TIMED_STEPS steps and the state."""
    policy.reset()
    times = []
    with torch.inference_mode():
        for t in range(length):
            start = time.perf_counter()
            policy.step(1.0, states[t])
            times.append(time.perf_counter() - start)
    state = getattr(policy, '_state', None)
    held = _flatten(state) + _flatten(getattr(policy, '_history', None))
    work = state.work_arrays() if hasattr(state, 'work_arrays') else []
    return times[-TIMED_STEPS:], _held_bytes(held), _held_bytes(work)


def run_reforward(model, length, states, context):
    """DMM re-forwarding its last ``context`` timesteps at every step; return the seconds."""
    rtg = torch.ones(1, length, 1)
    seq_states = states[None]
    actions = torch.zeros(1, length, ACT_DIM)
    times = []
    with torch.inference_mode():
        for t in range(length):
            start = time.perf_counter()
            lo = max(0, t + 1 - context)
            model.predict(rtg[:, lo:t + 1], seq_states[:, lo:t + 1], actions[:, lo:t + 1])
            times.append(time.perf_counter() - start)
    return times[-TIMED_STEPS:]


def main(argv=None):
    """Run the benchmark and print its table and ratio lines."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[1])
    parser.add_argument('--context', type=int, default=20, help='DT / re-forward window K')
    parser.add_argument('--hidden', type=int, default=64)
    parser.add_argument('--layers', type=int, default=3)
    parser.add_argument('--mixer', default='dense')
    parser.add_argument('--threads', type=int, default=1, help='torch threads')
    parser.add_argument('--rounds', type=int, default=3, help='runs of each episode')
    parser.add_argument('--json', default=None, help='also write results here')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = DMMConfig(state_dim=STATE_DIM, act_dim=ACT_DIM, hidden_size=args.hidden,
                       num_layers=args.layers, mixer=args.mixer, context_length=args.context)
    dmm = DecisionMetaMamba(config).eval()
    dmm_torch = DecisionMetaMamba(config).eval()
    dmm_torch.load_state_dict(dmm.state_dict())
    dmm_torch.fast_step = False
    dt = DecisionTransformerPolicy(matched_dt_config(config, max_episode_length=1000)).eval()
    print(f'DMM ({args.mixer}) {dmm.num_parameters():,} parameters, DT '
          f'{dt.num_parameters():,} parameters; h={args.hidden}, {args.layers} layers, '
          f'K={args.context}, {torch.get_num_threads()} thread(s), {args.rounds} round(s)')
    results = {'config': vars(args), 'dmm_parameters': dmm.num_parameters(),
               'dt_parameters': dt.num_parameters(), 'lengths': {}}
    for length in EPISODE_LENGTHS:
        states = torch.randn(length, STATE_DIM)
        timed = {'dmm_step': [], 'dt_reforward': [], 'dmm_reforward': [], 'dmm_torch_step': []}
        for _ in range(args.rounds):
            times, dmm_bytes, work_bytes = run_steps(dmm, length, states)
            timed['dmm_step'] += times
            times, dt_bytes, _ = run_steps(dt, length, states)
            timed['dt_reforward'] += times
            timed['dmm_reforward'] += run_reforward(dmm, length, states, args.context)
            timed['dmm_torch_step'] += run_steps(dmm_torch, length, states)[0]
        row = {f'{key}_ms': 1e3 * statistics.median(value) for key, value in timed.items()}
        row.update(dmm_state_bytes=dmm_bytes, dmm_work_bytes=work_bytes,
                   dt_history_bytes=dt_bytes)
        results['lengths'][length] = row
        dmm_step = row['dmm_step_ms']
        print(f'\nepisode step {length}: DMM step {dmm_step:.3f} ms '
              f'(state {dmm_bytes / 1024:.1f} KiB + work arrays {work_bytes / 1024:.1f} KiB), '
              f'DT re-forward {row["dt_reforward_ms"]:.3f} '
              f'ms (history {dt_bytes / 1024:.1f} KiB), DMM re-forward '
              f'{row["dmm_reforward_ms"]:.3f} ms, DMM torch step '
              f'{row["dmm_torch_step_ms"]:.3f} ms')
        print(f'DT re-forward / DMM step ratio: {row["dt_reforward_ms"] / dmm_step:.2f}')
        print(f'DMM re-forward / DMM step ratio: {row["dmm_reforward_ms"] / dmm_step:.2f}')
        print(f'DMM torch step / DMM step ratio: {row["dmm_torch_step_ms"] / dmm_step:.2f}')
        print(f'DT re-forward / DMM torch step ratio: '
              f'{row["dt_reforward_ms"] / row["dmm_torch_step_ms"]:.2f}')
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results['peak_rss_mib'] = peak_mib
    print(f'\nprocess peak RSS: {peak_mib:.0f} MiB')
    long, short = (results['lengths'][n]['dmm_step_ms'] for n in EPISODE_LENGTHS[::-1])
    print(f'DMM step at {EPISODE_LENGTHS[1]} / at {EPISODE_LENGTHS[0]} steps ratio: '
          f'{long / short:.2f}')
    # The goal (>= 10x) as the last line: the lower ratio of the episode lengths.
    worst = min(row['dt_reforward_ms'] / row['dmm_step_ms'] for row in results['lengths'].values())
    print(f'DT re-forward / DMM step ratio (lower of the episode lengths): {worst:.2f}')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()


__all__ = ['main', 'run_reforward', 'run_steps']
