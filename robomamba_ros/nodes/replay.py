# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros replay IN OUT``: run robomamba_node's core over a recorded ROS 2 bag.

The input bag (for example a RealSense recording with ``/tf`` and an instruction) is played into
an :class:`~robomamba_ros.nodes.in_process.InProcessGraph` in its recorded time order, the clock
following the bag's receive times so that timers, synchronisation and staleness checks see the
recorded timing. The output bag holds what the node published (and the input topics when asked).
"""

from pathlib import Path

from robomamba_ros.nodes.config_files import node_parameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.qos import LATCHED, SENSOR
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters
from robomamba_ros.ros.bag import bag_topics, read_bag
from robomamba_ros.ros.messages import NS_PER_S

#: Seconds of extra time after the last message, so pending inference and goals finish.
TAIL_S = 2.0


def replay(in_bag, out_bag, model_path, deployment='franka.yaml', overrides=None,
           include_inputs=False, progress=True):
    """
    Replay a bag through robomamba_node and record its outputs.

    :param in_bag: input bag directory or ``.mcap`` file.
    :param out_bag: output bag directory (must not exist).
    :param model_path: RoboMamba model folder (local).
    :param deployment: parameter file for topic names and frames (``franka.yaml`` for a real
        RealSense + Franka recording, ``sim.yaml`` for a demo bag).
    :param overrides: extra robomamba_node parameters.
    :param include_inputs: also record the input messages to the output bag.
    :param progress: show a progress bar.
    :return: ``{topic: (type, count)}`` of the output bag.
    :raises ValueError: when the bag lacks the camera topics the node subscribes to.
    """
    from tqdm import tqdm

    params = node_parameters(RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml',
                             deployment, dict(overrides or {}, model_path=str(model_path)))
    topics = bag_topics(in_bag)
    needed = [params.image_topic, params.depth_topic, params.camera_info_topic]
    missing = [t for t in needed if t not in topics]
    if missing:
        raise ValueError(f'{in_bag}: topics {missing} are missing; the bag has {sorted(topics)}'
                         ' (remap with the robomamba_node topic parameters)')
    messages = list(read_bag(in_bag))
    if not messages:
        raise ValueError(f'{in_bag}: the bag is empty')
    latched = {params.instruction_topic, '/tf_static'}
    graph = InProcessGraph(record=out_bag, start_ns=messages[0].stamp_ns,
                           record_external=include_inputs)
    with graph:
        graph.add(RoboMambaNodeCore, params)
        for m in tqdm(messages, desc='replay', unit='msg', disable=not progress):
            graph.advance(max(0, m.stamp_ns - graph.now_ns) / NS_PER_S)
            qos = LATCHED if m.topic in latched else SENSOR
            graph.publish(m.topic, m.type_name, m.msg, qos)
        graph.advance(TAIL_S)
    if not Path(out_bag).exists():
        return {}
    return bag_topics(out_bag)


__all__ = ['TAIL_S', 'replay']
