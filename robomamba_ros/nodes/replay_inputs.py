# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Which topics of a recorded bag feed robomamba_node: remaps, transports and what is missing.

``replay`` and ``inspect`` share this choice, so that ``inspect`` tells in advance what a
``replay`` with the same parameters and remaps will use:

* remaps (``--remap FROM:=TO``, ROS syntax) rename a topic of the node, as ``--ros-args -r``
  does: ``FROM`` is one of the node's topic parameters' values (base topics for the cameras);
* the transport of colour and depth is taken from the bag: a raw ``sensor_msgs/Image`` on the
  base topic is preferred, else the image_transport subtopic (``<base>/compressed``,
  ``<base>/compressedDepth``) holding ``sensor_msgs/CompressedImage``;
* a stream the bag lacks is reported with the bag's topics of that kind and a ``--remap`` that
  would fit.
"""

import dataclasses
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from robomamba_ros.nodes.robomamba_node import transport_topic

#: robomamba_node parameters that hold topic names (remaps apply to their values).
TOPIC_PARAMETERS = ('image_topic', 'depth_topic', 'camera_info_topic', 'instruction_topic',
                    'estop_topic', 'goal_topic')
IMAGE = 'sensor_msgs/msg/Image'
COMPRESSED = 'sensor_msgs/msg/CompressedImage'
CAMERA_INFO = 'sensor_msgs/msg/CameraInfo'
#: The camera streams: (name, base topic parameter, transport parameter, compressed transport,
#: words that name such a topic in a bag).
STREAMS = (
    ('colour', 'image_topic', 'image_transport', 'compressed', ('color', 'colour', 'rgb')),
    ('depth', 'depth_topic', 'depth_transport', 'compressedDepth', ('depth',)),
    ('camera info', 'camera_info_topic', None, None, ('color', 'colour', 'rgb')),
)
#: Topics replay passes on besides the cameras when the bag has them (transforms).
TF_TOPICS = ('/tf', '/tf_static')


def parse_remap(text: str) -> Tuple[str, str]:
    """
    Parse one ``FROM:=TO`` topic remap.

    :param text: the remap as typed.
    :return: ``(from_topic, to_topic)``.
    :raises ValueError: without ``:=``, or with an empty side.
    """
    source, sep, target = str(text).partition(':=')
    source, target = source.strip(), target.strip()
    if not sep or not source or not target:
        raise ValueError(f'remap {text!r} is not FROM:=TO (e.g. '
                         '/camera/color/image_raw:=/camera/camera/color/image_raw)')
    return source, target


def apply_remaps(params, remaps: Sequence[str]):
    """
    Rename the node's topics as ``--ros-args -r FROM:=TO`` would.

    :param params: :class:`~robomamba_ros.nodes.robomamba_node.RoboMambaNodeParameters`.
    :param remaps: ``FROM:=TO`` strings, applied in order.
    :return: a copy of ``params`` with the renamed topics.
    :raises ValueError: for a malformed remap, or a ``FROM`` that is none of the node's topics.
    """
    values = {name: getattr(params, name) for name in TOPIC_PARAMETERS}
    for text in remaps:
        source, target = parse_remap(text)
        names = [name for name, value in values.items() if value == source]
        if not names:
            known = ', '.join(sorted(set(values.values())))
            raise ValueError(f'remap {text!r}: robomamba_node has no topic {source}; its topics '
                             f'are {known}')
        for name in names:
            values[name] = target
    return dataclasses.replace(params, **values)


class StreamChoice(NamedTuple):
    """The bag topic chosen for one camera stream, or why none fits."""

    stream: str
    topic: Optional[str]
    type_name: Optional[str]
    transport: Optional[str]
    problem: str = ''


def _strip_transport(base: str, transport: Optional[str]) -> str:
    # A remap straight onto the transport subtopic names the base topic plus its suffix.
    if transport and base.endswith('/' + transport):
        return base[:-len(transport) - 1]
    return base


def _candidates(topics: Dict[str, Tuple[str, int]], words: Sequence[str], types: Sequence[str]):
    return sorted(t for t, (type_name, _) in topics.items()
                  if type_name in types and any(w in t.lower() for w in words))


def _choose(stream, base, compressed, words, topics) -> StreamChoice:
    if compressed is None:  # camera info
        if topics.get(base, (None,))[0] == CAMERA_INFO:
            return StreamChoice(stream, base, CAMERA_INFO, None)
        found = _candidates(topics, words, (CAMERA_INFO,)) or _candidates(
            topics, ('',), (CAMERA_INFO,))
        return StreamChoice(stream, None, None, None, _missing(stream, [base], base, found))
    base = _strip_transport(base, compressed)
    for transport in ('raw', compressed):
        topic, type_name = transport_topic(base, transport)
        if topics.get(topic, (None,))[0] == type_name:
            return StreamChoice(stream, topic, type_name, transport)
    tried = [transport_topic(base, t)[0] for t in ('raw', compressed)]
    found = [_strip_transport(t, compressed) for t in
             _candidates(topics, words, (IMAGE, COMPRESSED))]
    if stream == 'colour':  # a depth topic is no colour image
        found = [t for t in found if 'depth' not in t.lower()]
    return StreamChoice(stream, None, None, None,
                        _missing(stream, tried, base, sorted(set(found))))


def _missing(stream, tried, base, found):
    text = f"no {stream} topic: the bag has none of {', '.join(tried)}"
    if found:
        text += f"; it has {', '.join(found)}: try --remap {base}:={found[0]}"
    return text


def choose_inputs(params, topics: Dict[str, Tuple[str, int]]):
    """
    Choose the bag topics for robomamba_node's camera streams and set their transports.

    :param params: the node's parameters (after remaps).
    :param topics: the bag's ``{topic: (type, count)}``.
    :return: ``(params, choices)``: the parameters with ``image_transport`` and
        ``depth_transport`` set from the bag (unchanged for a missing stream), and one
        :class:`StreamChoice` per stream (colour, depth, camera info) with ``problem`` set for
        a missing one.
    """
    choices: List[StreamChoice] = []
    changes = {}
    for stream, topic_param, transport_param, compressed, words in STREAMS:
        choice = _choose(stream, getattr(params, topic_param), compressed, words, topics)
        choices.append(choice)
        if transport_param and choice.topic is not None:
            changes[transport_param] = choice.transport
            changes[topic_param] = _strip_transport(getattr(params, topic_param), compressed)
    return dataclasses.replace(params, **changes), choices


def replayed_topics(params, topics: Dict[str, Tuple[str, int]]) -> List[str]:
    """
    List the bag topics that replay passes to the node, in the bag's topic order.

    :param params: the node's parameters after :func:`choose_inputs`.
    :param topics: the bag's ``{topic: (type, count)}``.
    :return: camera streams, the instruction and e-stop topics, and ``/tf``/``/tf_static`` when
        the bag has them.
    """
    wanted = {transport_topic(params.image_topic, params.image_transport)[0],
              transport_topic(params.depth_topic, params.depth_transport)[0],
              params.camera_info_topic, params.instruction_topic, params.estop_topic,
              *TF_TOPICS}
    return [t for t in topics if t in wanted]


__all__ = ['StreamChoice', 'TOPIC_PARAMETERS', 'TF_TOPICS', 'apply_remaps', 'choose_inputs',
           'parse_remap', 'replayed_topics']
