# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros inspect BAG``: what an unknown bag holds, and what ``replay`` would take from it.

Lists every topic with its type, message count and rate; image topics with their size and
encoding (raw) or format (compressed, decoded once); CameraInfo with its size, focal length and
frame. Then, with the same parameter file and remaps a ``replay`` would get, the topic chosen
for colour, depth and camera info (and its transport), whether an instruction is recorded, and
the frames the bag's transforms connect.
"""

from typing import Any, Dict, Sequence

from robomamba_ros.nodes.config_files import node_parameters
from robomamba_ros.nodes.replay_inputs import (apply_remaps, CAMERA_INFO, choose_inputs,
                                               COMPRESSED, IMAGE, TF_TOPICS)
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeParameters
from robomamba_ros.ros import compressed_images
from robomamba_ros.ros.bag import check_bag, read_bag, topic_timing


def _describe(type_name: str, msg: Any) -> str:
    """Describe one image-like message in a few words (size, encoding or format)."""
    try:
        if type_name == IMAGE:
            text = f'{msg.width}x{msg.height} {msg.encoding}'
            return text + (f', step {msg.step}' if msg.step and msg.height else '')
        if type_name == CAMERA_INFO:
            return (f'{msg.width}x{msg.height}, fx {float(msg.k[0]):.1f}, frame '
                    f'{msg.header.frame_id or "(none)"}')
        if type_name == COMPRESSED:
            if 'compressedDepth' in str(msg.format):
                array = compressed_images.decode_depth(msg)
            else:
                array = compressed_images.decode_color(msg)
            return f'{array.shape[1]}x{array.shape[0]} "{msg.format}"'
    except (ValueError, AttributeError, IndexError, TypeError) as exc:
        return f'undecodable: {exc}'
    return ''


def _first_messages(path, topics: Sequence[str]) -> Dict[str, Any]:
    """Return the first message of each topic (reading stops once all are found)."""
    first: Dict[str, Any] = {}
    if not topics:
        return first
    for m in read_bag(path, topics):
        first.setdefault(m.topic, m.msg)
        if len(first) == len(topics):
            break
    return first


def _tf_frames(path, topics) -> Dict[str, Sequence[str]]:
    """Return ``{tf topic: ['parent -> child', ...]}`` of the transforms the bag records."""
    present = [t for t in TF_TOPICS if t in topics]
    edges: Dict[str, set] = {t: set() for t in present}
    for m in read_bag(path, present) if present else ():
        for transform in m.msg.transforms:
            edges[m.topic].add(f'{transform.header.frame_id} -> {transform.child_frame_id}')
    return {t: sorted(e) for t, e in edges.items()}


def inspect_bag(path, deployment='franka.yaml', remaps: Sequence[str] = (), overrides=None,
                progress=False) -> Dict[str, Any]:
    """
    Describe a bag and what a replay would use from it.

    :param path: bag directory or ``.mcap``/``.db3`` file.
    :param deployment: robomamba_node parameter file (as for ``replay``).
    :param remaps: ``FROM:=TO`` topic remaps (as for ``replay``).
    :param overrides: extra robomamba_node parameters.
    :param progress: show a progress bar while reading the receive times.
    :return: a JSON-friendly dict: ``bag``, ``duration_s``, ``topics`` (list of dicts with
        ``topic``, ``type``, ``count``, ``rate_hz``, ``detail``), ``replay`` (one entry per
        camera stream with ``topic``, ``transport`` or ``problem``), ``instruction_topic``,
        ``instruction_recorded`` and ``transforms``.
    :raises robomamba_ros.ros.bag.BagError: for a bag that cannot be read.
    :raises ValueError: for a bad remap.
    """
    check_bag(path)
    params = node_parameters(RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml',
                             deployment, overrides)
    params = apply_remaps(params, remaps)
    timing = topic_timing(path, progress=progress)
    kinds = (IMAGE, COMPRESSED, CAMERA_INFO)
    first = _first_messages(path, [t for t, s in timing.items() if s.type_name in kinds])
    starts = [s.first_ns for s in timing.values()]
    ends = [s.last_ns for s in timing.values()]
    topics = {t: (s.type_name, s.count) for t, s in timing.items()}
    params, choices = choose_inputs(params, topics)
    return {
        'bag': str(path),
        'duration_s': (max(ends) - min(starts)) / 1e9 if starts else 0.0,
        'topics': [{'topic': t, 'type': s.type_name, 'count': s.count, 'rate_hz': s.rate_hz,
                    'detail': _describe(s.type_name, first[t]) if t in first else ''}
                   for t, s in sorted(timing.items())],
        'replay': [{'stream': c.stream, 'topic': c.topic, 'transport': c.transport,
                    'problem': c.problem} for c in choices],
        'instruction_topic': params.instruction_topic,
        'instruction_recorded': params.instruction_topic in topics,
        'base_frame': params.base_frame,
        'transforms': _tf_frames(path, topics),
    }


def format_report(report: Dict[str, Any]) -> str:
    """
    Format :func:`inspect_bag`'s result as the table ``inspect`` prints.

    :param report: the dict from :func:`inspect_bag`.
    """
    width = max([len('topic')] + [len(t['topic']) for t in report['topics']])
    kind = max([len('type')] + [len(t['type']) for t in report['topics']])
    lines = [f"{report['bag']}: {len(report['topics'])} topics over "
             f"{report['duration_s']:.2f} s",
             f"{'topic':<{width}}  {'type':<{kind}}  {'count':>6}  {'rate Hz':>7}  detail"]
    for t in report['topics']:
        rate = '' if t['rate_hz'] is None else f"{t['rate_hz']:.1f}"
        lines.append(f"{t['topic']:<{width}}  {t['type']:<{kind}}  {t['count']:>6}  "
                     f"{rate:>7}  {t['detail']}".rstrip())
    lines.append('replay would use:')
    for c in report['replay']:
        if c['problem']:
            lines.append(f"  {c['stream']:<12} MISSING: {c['problem']}")
        else:
            via = f" ({c['transport']})" if c['transport'] else ''
            lines.append(f"  {c['stream']:<12} {c['topic']}{via}")
    lines.append(f"  {'instruction':<12} " + (
        f"{report['instruction_topic']} (recorded)" if report['instruction_recorded'] else
        f"none on {report['instruction_topic']}: give --instruction TEXT"))
    for topic, edges in report['transforms'].items():
        lines.append(f"  {topic:<12} {', '.join(edges) or 'no transforms'}")
    if not report['transforms']:
        lines.append(f"  {'tf':<12} none recorded: goals need a transform to "
                     f"{report['base_frame']}")
    return '\n'.join(lines)


__all__ = ['format_report', 'inspect_bag']
