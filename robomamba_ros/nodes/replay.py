# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros replay IN OUT``: run robomamba_node's core over a recorded ROS 2 bag.

The input bag (for example a RealSense recording with ``/tf``) is played into an
:class:`~robomamba_ros.nodes.in_process.InProcessGraph` in its recorded time order, the clock
following the bag's receive times so that timers, synchronisation and staleness checks see the
recorded timing. The topics come from :mod:`robomamba_ros.nodes.replay_inputs` (remaps, raw or
compressed transports detected from the bag). The output bag holds what the node published (and
the input topics when asked); :class:`ReplayResult` counts what was played, published and
refused, by reason.

Exit codes of the command: 0 when at least one arm goal was published, :data:`EXIT_NO_GOAL` when
none was (every prediction refused, or no end-effector pose to start the goals from), 2 for a
user error (a bag that cannot be read, a missing camera topic, a bad remap).
"""

from dataclasses import dataclass, field
import itertools
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from robomamba_ros.nodes.config_files import node_parameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.qos import LATCHED, SENSOR
from robomamba_ros.nodes.replay_inputs import apply_remaps, choose_inputs, replayed_topics
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters
from robomamba_ros.ros.bag import bag_distro, bag_topics, BagError, check_bag, read_bag
from robomamba_ros.ros.messages import make_string, NS_PER_S

#: Seconds of extra time after the last message, so pending inference and goals finish.
TAIL_S = 2.0
#: Exit status of a replay that published no arm goal.
EXIT_NO_GOAL = 3


class ReplayError(ValueError):
    """A user error in a replay: one line that names the file or option and what is wrong."""


@dataclass
class ReplayResult:
    """
    What a replay played, published and refused.

    :param inputs: ``{topic: (type, messages played)}`` of the input bag.
    :param outputs: ``{topic: (type, messages)}`` of the output bag.
    :param goal_topic: the node's arm goal topic.
    :param accepted: predictions that passed the safety layer.
    :param refusals: ``{reason: count}`` of refused predictions and goals (non-zero only).
    :param window_s: ``(start, end)`` of the replayed part, seconds from the bag's first message.
    """

    inputs: Dict[str, Tuple[str, int]]
    outputs: Dict[str, Tuple[str, int]]
    goal_topic: str
    accepted: int = 0
    refusals: Dict[str, int] = field(default_factory=dict)
    window_s: Tuple[float, float] = (0.0, 0.0)

    @property
    def goals(self):
        """Number of arm goals published."""
        return self.outputs.get(self.goal_topic, ('', 0))[1]

    @property
    def exit_code(self):
        """0 when a goal was published, else :data:`EXIT_NO_GOAL`."""
        return 0 if self.goals else EXIT_NO_GOAL

    def table(self):
        """Return the summary a person reads: topics in and out, predictions, refusals."""
        rows = {**self.inputs, **self.outputs}
        width = max([len('published topic')] + [len(t) for t in rows])
        kind = max([len('type')] + [len(ty) for ty, _ in rows.values()])
        lines = [f'replayed {self.window_s[0]:.2f}..{self.window_s[1]:.2f} s of the bag',
                 f"{'input topic':<{width}}  {'type':<{kind}}  {'played':>7}"]
        lines += [f'{t:<{width}}  {ty:<{kind}}  {n:>7}'
                  for t, (ty, n) in sorted(self.inputs.items())]
        lines.append(f"{'published topic':<{width}}  {'type':<{kind}}  {'count':>7}")
        lines += [f'{t:<{width}}  {ty:<{kind}}  {n:>7}'
                  for t, (ty, n) in sorted(self.outputs.items())]
        refused = sum(self.refusals.values())
        lines.append(f'predictions accepted: {self.accepted}; refusals: {refused}'
                     + ''.join(f'\n  {reason:<20} {count:>5}'
                               for reason, count in sorted(self.refusals.items())))
        lines.append(f'arm goals published on {self.goal_topic}: {self.goals}'
                     + ('' if self.goals else f' (exit status {EXIT_NO_GOAL})'))
        return '\n'.join(lines)


def replay(in_bag, out_bag, model_path=None, deployment='franka.yaml', overrides=None,
           remaps: Sequence[str] = (), instruction: Optional[str] = None, start_s=0.0,
           duration_s=None, include_inputs=False, progress=True, pose_source=None):
    """
    Replay a bag through robomamba_node and record its outputs.

    :param in_bag: input bag directory or ``.mcap`` file.
    :param out_bag: output bag directory (must not exist).
    :param model_path: RoboMamba model folder (local); None with ``pose_source``.
    :param deployment: parameter file for topic names and frames (``franka.yaml`` for a real
        RealSense + Franka recording, ``sim.yaml`` for a demo bag).
    :param overrides: extra robomamba_node parameters.
    :param remaps: ``FROM:=TO`` topic remaps of the node (ROS syntax).
    :param instruction: instruction published (latched) at the start; the bag's own
        instructions, if any, follow at their recorded times.
    :param start_s: seconds from the bag's first message where the replay starts; latched
        topics (``/tf_static``, the instruction) recorded before it are delivered at the start.
    :param duration_s: seconds to replay from ``start_s``; None: to the end.
    :param include_inputs: also record the input messages to the output bag.
    :param progress: show a progress bar.
    :param pose_source: a policy callable used instead of a model (see
        :class:`~robomamba_ros.nodes.robomamba_node.RoboMambaNodeCore`).
    :return: a :class:`ReplayResult`.
    :raises ReplayError: for a bag that cannot be read, a missing camera stream or instruction, a
        bad remap, window or output path, or a model folder that does not exist.
    """
    from tqdm import tqdm

    try:
        check_bag(in_bag)
    except BagError as exc:
        raise ReplayError(str(exc)) from None
    if Path(out_bag).exists():
        raise ReplayError(f'{out_bag}: output already exists; rosbag2 bags are never '
                          'overwritten')
    if start_s < 0 or (duration_s is not None and duration_s <= 0):
        raise ReplayError(f'--start {start_s} must be >= 0 and --duration {duration_s} > 0')
    extra = dict(overrides or {})
    if model_path is not None:
        if not Path(model_path).is_dir():
            raise ReplayError(f'{model_path}: no such model folder (give a local RoboMamba '
                              'folder with --model)')
        extra['model_path'] = str(model_path)
    params = node_parameters(RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml',
                             deployment, extra)
    try:
        params = apply_remaps(params, remaps)
    except ValueError as exc:
        raise ReplayError(str(exc)) from None
    topics = bag_topics(in_bag)
    params, choices = choose_inputs(params, topics)
    problems = [c.problem for c in choices if c.problem]
    if problems:
        raise ReplayError(f'{in_bag}: ' + '; '.join(problems))
    if instruction is None and params.instruction_topic not in topics:
        raise ReplayError(f'{in_bag}: no instruction on {params.instruction_topic}; give one '
                          'with --instruction TEXT')
    names = replayed_topics(params, topics)
    messages = iter(read_bag(in_bag, names))
    first = next(messages, None)
    if first is None:
        raise ReplayError(f'{in_bag}: the bag has no messages on {", ".join(names)}')
    t0 = first.stamp_ns
    start_ns = t0 + int(round(start_s * NS_PER_S))
    end_ns = None if duration_s is None else start_ns + int(round(duration_s * NS_PER_S))
    latched = {params.instruction_topic, '/tf_static'}
    played = {t: [topics[t][0], 0] for t in names}
    graph = InProcessGraph(distro=bag_distro(in_bag), record=out_bag, start_ns=start_ns,
                           record_external=include_inputs)
    last_ns = start_ns
    with graph:
        core = graph.add(RoboMambaNodeCore, params, pose_source=pose_source)
        if instruction is not None:
            graph.publish(params.instruction_topic, 'std_msgs/msg/String',
                          make_string(instruction, graph.types), LATCHED)
        total = sum(topics[t][1] for t in names)
        for m in tqdm(itertools.chain([first], messages), total=total, desc='replay',
                      unit='msg', disable=not progress):
            if end_ns is not None and m.stamp_ns > end_ns:
                break
            if m.stamp_ns < start_ns and m.topic not in latched:
                continue
            graph.advance(max(0, m.stamp_ns - graph.now_ns) / NS_PER_S)
            graph.publish(m.topic, m.type_name, m.msg, LATCHED if m.topic in latched else SENSOR)
            played[m.topic][1] += 1
            last_ns = max(last_ns, m.stamp_ns)
        graph.advance(TAIL_S)
    outputs = bag_topics(out_bag) if Path(out_bag).exists() else {}
    counter = core.counter
    return ReplayResult(
        inputs={t: (ty, n) for t, (ty, n) in played.items()}, outputs=outputs,
        goal_topic=params.goal_topic, accepted=counter.accepted,
        refusals={r: n for r, n in counter.counts.items() if n},
        window_s=((start_ns - t0) / NS_PER_S, (last_ns - t0) / NS_PER_S))


__all__ = ['EXIT_NO_GOAL', 'ReplayError', 'ReplayResult', 'TAIL_S', 'replay']
