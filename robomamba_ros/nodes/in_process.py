# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The in-process binding: node cores wired by topic in one process, without ROS installed.

Used by the tests and by ``robomamba-ros demo`` / ``replay``. It behaves like a small ROS graph
on a simulated clock:

* every message a core publishes is serialised to CDR and deserialised again with the rosbags
  typestore of the chosen distribution (what crosses the wire is exactly what ROS would carry),
  optionally recorded to an MCAP bag;
* QoS compatibility follows DDS (a best-effort publisher never reaches a reliable subscription),
  and transient-local topics replay their last message to subscriptions added later;
* delivery is synchronous and FIFO at the current time; timers fire in time order as
  :meth:`InProcessGraph.advance` moves the clock, so runs are deterministic;
* ``/tf`` and ``/tf_static`` feed :attr:`InProcessGraph.tf`, the transform source of every core.
"""

import collections
import heapq
import logging
import types as pytypes
from typing import Any, Dict, List, Tuple

from robomamba_ros.nodes import qos as qos_module
from robomamba_ros.nodes.core import callback_of, check_outputs, NodeContext, OUT, resolve_name
from robomamba_ros.ros.bag import BagWriter
from robomamba_ros.ros.messages import NS_PER_S
from robomamba_ros.ros.tf_buffer import TransformBuffer
from robomamba_ros.ros.type_source import normalize_type_name, RosbagsTypes

TF_TOPIC = '/tf'
TF_STATIC_TOPIC = '/tf_static'


def _bag_qos(spec):
    """Return the rosbags QoS entry recorded for a topic, so ``ros2 bag play`` offers the same."""
    from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, \
        QosReliability, QosTime

    zero = QosTime(0, 0)
    return Qos(
        history=QosHistory.KEEP_LAST, depth=spec.depth,
        reliability=(QosReliability.RELIABLE if spec.reliability == qos_module.RELIABLE
                     else QosReliability.BEST_EFFORT),
        durability=(QosDurability.TRANSIENT_LOCAL
                    if spec.durability == qos_module.TRANSIENT_LOCAL else QosDurability.VOLATILE),
        deadline=zero, lifespan=zero, liveliness=QosLiveliness.AUTOMATIC,
        liveliness_lease_duration=zero, avoid_ros_namespace_conventions=False)


class InProcessGraph:
    """
    Run node cores together on a simulated clock.

    :param distro: rosbags typestore, ``'humble'`` or ``'jazzy'``.
    :param record: bag directory to record every topic to (MCAP), or None.
    :param start_ns: clock value at start (ROS time 0 means "unset", so start later).
    :param logger: parent logger of the cores' loggers.
    :param record_external: also record what :meth:`publish` injects (not only the cores'
        messages).
    """

    def __init__(self, distro='humble', record=None, start_ns=NS_PER_S, logger=None,
                 record_external=True):
        self.types = RosbagsTypes(distro)
        self.tf = TransformBuffer()
        self.now_ns = int(start_ns)
        self.logger = logger or logging.getLogger('robomamba_ros')
        self.cores: Dict[str, Any] = {}
        self._subscriptions: Dict[str, List[Tuple[Any, Any]]] = collections.defaultdict(list)
        # Per core: output port name -> (topic, type, QoS), resolved once (ports are fixed).
        self._outputs: Dict[int, Dict[str, Tuple[str, str, Any]]] = {}
        self._topic_types: Dict[str, str] = {}
        self._latched: Dict[str, Tuple[Any, bytes]] = {}
        self._timers: List[Tuple[int, int, int, Any]] = []
        self._services: Dict[str, Any] = {}
        self._queue = collections.deque()
        self._taps: Dict[str, list] = collections.defaultdict(list)
        self._sequence = 0
        self._writer = BagWriter(record, distro) if record else None
        self._recorded = set()
        self._record_external = record_external

    # ----- wiring ------------------------------------------------------------------------------
    def add(self, core_class, params, name=None, **injected):
        """
        Create a core and connect its ports, timers and services.

        :param core_class: a :class:`~robomamba_ros.nodes.core.NodeCore` subclass.
        :param params: its parameters instance.
        :param name: node name (default: the class's ``node_name``).
        :param injected: extra keyword arguments of the core's constructor.
        :return: the core.
        :raises ValueError: for a duplicate node name or a topic used with two message types.
        """
        name = name or core_class.node_name
        if name in self.cores:
            raise ValueError(f'a node named {name!r} is already in the graph')
        context = NodeContext(types=self.types, logger=self.logger.getChild(name),
                              transforms=self.tf)
        core = core_class(params, context, **injected)
        core.node_name = name
        ports = list(core.ports())
        outputs = self._outputs[id(core)] = {}
        for port in ports:
            topic = resolve_name(port.topic, name)
            self._declare_topic(topic, port.type_name)
            if port.direction == OUT:
                outputs[port.name] = (topic, port.type_name, port.qos)
            else:
                entry = (port, callback_of(core, port.name), core)
                self._subscriptions[topic].append(entry)
                latched = self._latched.get(topic)
                if latched is not None and port.qos.durability == qos_module.TRANSIENT_LOCAL:
                    self._queue.append((topic, port.type_name, latched[0], latched[1], entry))
        for timer in core.timers():
            period_ns = max(1, int(round(timer.period_s * NS_PER_S)))
            self._push_timer(self.now_ns + period_ns, period_ns, callback_of(core, timer.name),
                             core)
        for service in core.services():
            full = resolve_name(service.service, name)
            if full in self._services:
                raise ValueError(f'service {full!r} is offered twice')
            self._services[full] = (callback_of(core, service.name), core)
        self.cores[name] = core
        self._pump()
        return core

    def _declare_topic(self, topic, type_name):
        have = self._topic_types.setdefault(topic, type_name)
        if have != type_name:
            raise ValueError(f'topic {topic!r} carries {have}; cannot also use it for {type_name}')

    def _push_timer(self, due_ns, period_ns, callback, core):
        self._sequence += 1
        heapq.heappush(self._timers, (due_ns, self._sequence, period_ns, (callback, core)))

    @property
    def recorder(self):
        """The :class:`~robomamba_ros.ros.bag.BagWriter` recording the graph, or None."""
        return self._writer

    def topics(self):
        """Return ``{topic: type_name}`` of every topic declared so far."""
        return dict(self._topic_types)

    def tap(self, topic):
        """
        Return a list that receives ``(now_ns, msg)`` for every message published on a topic.

        :param topic: fully qualified topic name.
        """
        return self._taps[topic]

    # ----- messages ----------------------------------------------------------------------------
    def publish(self, topic, type_name, msg, qos=qos_module.COMMAND):
        """
        Publish a message from outside the cores (a test, the demo driver) and deliver it now.

        :param topic: fully qualified topic name.
        :param type_name: message type.
        :param msg: message object of :attr:`types` (or CDR bytes).
        :param qos: the publisher's :class:`~robomamba_ros.nodes.qos.QosSpec`.
        """
        type_name = normalize_type_name(type_name)
        self._declare_topic(topic, type_name)
        self._send(topic, type_name, qos, msg, record=self._record_external)
        self._pump()

    def _send(self, topic, type_name, qos, msg, record=True):
        data = msg if isinstance(msg, bytes) else self.types.serialize(msg, type_name)
        if self._writer is not None and record:
            if topic not in self._recorded:
                self._writer.add_topic(topic, type_name, [_bag_qos(qos)])
                self._recorded.add(topic)
            self._writer.write(topic, type_name, self.now_ns, data)
        if qos.durability == qos_module.TRANSIENT_LOCAL:
            self._latched[topic] = (qos, data)
        self._queue.append((topic, type_name, qos, data, None))

    def _emit(self, core, outputs):
        ports = self._outputs[id(core)]
        for port_name, msg in check_outputs(core, outputs, ports):
            topic, type_name, qos = ports[port_name]
            self._send(topic, type_name, qos, msg)

    def _pump(self):
        while self._queue:
            topic, type_name, pub_qos, data, only = self._queue.popleft()
            msg = self.types.deserialize(data, type_name)
            if only is None:
                if topic in (TF_TOPIC, TF_STATIC_TOPIC):
                    self.tf.add_message(msg, static=topic == TF_STATIC_TOPIC)
                if topic in self._taps:
                    self._taps[topic].append((self.now_ns, msg))
            targets = [only] if only is not None else list(self._subscriptions.get(topic, ()))
            for port, callback, core in targets:
                if not qos_module.compatible(pub_qos, port.qos):
                    continue
                self._emit(core, callback(msg, self.now_ns))

    # ----- time and services -------------------------------------------------------------------
    def advance(self, seconds):
        """
        Move the clock forward, firing every timer due on the way in time order.

        :param seconds: duration (>= 0).
        """
        if not seconds >= 0:
            raise ValueError(f'seconds must be >= 0, got {seconds!r}')
        end_ns = self.now_ns + int(round(seconds * NS_PER_S))
        while self._timers and self._timers[0][0] <= end_ns:
            due_ns, _, period_ns, (callback, core) = heapq.heappop(self._timers)
            self.now_ns = due_ns
            self._push_timer(due_ns + period_ns, period_ns, callback, core)
            self._emit(core, callback(self.now_ns))
            self._pump()
        self.now_ns = end_ns

    def call_service(self, service, **request):
        """
        Call a service and deliver what the call published.

        :param service: fully qualified service name, e.g. ``'/sapien_bridge/reset'``.
        :param request: request fields.
        :return: the response fields (dict).
        :raises KeyError: for an unknown service.
        """
        if service not in self._services:
            raise KeyError(f'no service {service!r}; offered: {", ".join(sorted(self._services))}')
        callback, core = self._services[service]
        response, outputs = callback(pytypes.SimpleNamespace(**request), self.now_ns)
        self._emit(core, outputs)
        self._pump()
        return dict(response)

    def close(self):
        """Finish the recorded bag, if any (closing twice is harmless)."""
        if self._writer is not None:
            self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


__all__ = ['InProcessGraph', 'TF_STATIC_TOPIC', 'TF_TOPIC']
