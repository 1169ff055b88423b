# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The node-core contract: ports, timers and services a core declares, and what it gets injected.

A core is a plain class holding all of a node's behaviour. It declares

* :class:`Port` entries (topic, ROS message type string, QoS, direction). An input port ``x``
  is delivered to ``core.on_x(msg, now_ns)``; an output port is what callbacks publish on;
* :class:`Timer` entries: ``core.on_<name>(now_ns)`` every ``period_s`` (binding's clock);
* :class:`Service` entries (``std_srvs/srv/Trigger`` style): ``core.on_<name>(request, now_ns)``
  returns ``(response_fields, outputs)``.

Every callback returns the messages to publish as a list of ``(output_port_name, msg)``.
Messages are built through ``context.types`` (a :class:`~robomamba_ros.ros.type_source.TypeSource`)
with every field given, so the same core runs on rclpy messages and on rosbags messages.
Transforms come through ``context.transforms`` (:class:`TransformSource`) and time through
``now_ns``, so cores are deterministic under test. Cores never import rclpy.
"""

from dataclasses import dataclass
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from robomamba_ros.nodes.qos import QosSpec
from robomamba_ros.ros.messages import NS_PER_S
from robomamba_ros.ros.tf_buffer import TransformSource, TransformUnavailable
from robomamba_ros.ros.type_source import normalize_type_name, TypeSource

IN = 'in'
OUT = 'out'

#: Default minimum time between two warnings of one kind (:meth:`NodeCore.warn_throttled`).
WARN_PERIOD_S = 1.0

#: What callbacks return: messages to publish, by output port name.
Outputs = List[Tuple[str, Any]]


@dataclass(frozen=True)
class Port:
    """
    One topic a core subscribes to or publishes on.

    :param name: port name; an input port ``x`` calls ``on_x``.
    :param type_name: ROS message type, e.g. ``'sensor_msgs/msg/Image'``.
    :param topic: topic name; ``'~/x'`` is private to the node (``/<node name>/x``).
    :param qos: a :class:`~robomamba_ros.nodes.qos.QosSpec`.
    :param direction: :data:`IN` or :data:`OUT`.
    :param group: callback group; callbacks in different groups may run concurrently under the
        rclpy binding (inference runs in its own group so message intake never waits for it).
    """

    name: str
    type_name: str
    topic: str
    qos: QosSpec
    direction: str
    group: str = 'default'

    def __post_init__(self):
        if self.direction not in (IN, OUT):
            raise ValueError(f'port {self.name!r}: direction must be {IN!r} or {OUT!r}')
        if not self.topic:
            raise ValueError(f'port {self.name!r}: empty topic name')
        object.__setattr__(self, 'type_name', normalize_type_name(self.type_name))


@dataclass(frozen=True)
class Timer:
    """
    A periodic callback ``on_<name>(now_ns)``.

    :param name: timer name.
    :param period_s: period in seconds (> 0).
    :param group: callback group, as for :class:`Port`.
    :param wake_on: input ports after whose messages the callback also runs at once (the rclpy
        binding triggers it; the in-process binding keeps to the period, which stays
        deterministic), so work waits for no timer tick.
    """

    name: str
    period_s: float
    group: str = 'default'
    wake_on: Tuple[str, ...] = ()

    def __post_init__(self):
        if not self.period_s > 0:
            raise ValueError(f'timer {self.name!r}: period_s must be > 0, got {self.period_s!r}')


@dataclass(frozen=True)
class Service:
    """
    A service ``on_<name>(request, now_ns) -> (response_fields, outputs)``.

    :param name: handler name.
    :param type_name: ROS service type, e.g. ``'std_srvs/srv/Trigger'``.
    :param service: service name (``'~/x'`` is private to the node).
    """

    name: str
    type_name: str
    service: str


class NoTransforms(TransformSource):
    """A transform source that knows only identity transforms."""

    def lookup(self, target_frame, source_frame):
        """Identity for equal frames, otherwise :class:`TransformUnavailable`."""
        if target_frame == source_frame:
            return np.eye(4), 0
        raise TransformUnavailable(f'no transform from {source_frame!r} to {target_frame!r}')


@dataclass
class NodeContext:
    """
    What a binding gives a core.

    :param types: message type source.
    :param logger: object with ``debug``/``info``/``warning``/``error`` (a ``logging.Logger``
        in-process, the node's logger under rclpy).
    :param transforms: a :class:`TransformSource`.
    """

    types: TypeSource
    logger: Any = None
    transforms: TransformSource = None

    def __post_init__(self):
        if self.logger is None:
            self.logger = logging.getLogger('robomamba_ros')
        if self.transforms is None:
            self.transforms = NoTransforms()


class NodeCore:
    """
    Base of node cores.

    Subclasses set :attr:`node_name` and :attr:`parameters_class` (a dataclass built with
    :func:`robomamba_ros.nodes.parameters.parameter` fields) and implement :meth:`ports`
    (and :meth:`timers` / :meth:`services` when they have some) plus the ``on_*`` callbacks.

    :param params: an instance of :attr:`parameters_class`.
    :param context: a :class:`NodeContext`.
    """

    node_name = 'node'
    parameters_class = None
    #: Parameters read only at start-up besides the strings (see
    #: :func:`~robomamba_ros.nodes.parameters.is_read_only`): timer periods, the model.
    read_only_parameters = ()

    def __init__(self, params, context: NodeContext):
        if self.parameters_class is not None and not isinstance(params, self.parameters_class):
            raise TypeError(f'{type(self).__name__} needs {self.parameters_class.__name__}, got '
                            f'{type(params).__name__}')
        self.params = params
        self.context = context
        self.types = context.types
        self.log = context.logger
        self._warned_ns = {}

    def check_parameters(self, params):
        """
        Check values that are valid one by one but not together (override in cores).

        :param params: a validated parameters instance.
        :raises ValueError: naming the parameters and their values.
        """

    def apply_parameters(self, params):
        """
        Take new parameters while running (``ros2 param set``); they apply from the next callback.

        :param params: a validated instance of :attr:`parameters_class` whose read-only
            parameters equal the current ones.
        :raises ValueError: when :meth:`check_parameters` refuses them (nothing changes).
        """
        self.check_parameters(params)
        self.params = params
        self.parameters_applied()

    def parameters_applied(self):
        """Refresh what a core derived from its parameters (override in cores)."""

    def ports(self) -> Sequence[Port]:
        """Return the topics of this node (may depend on the parameters)."""
        raise NotImplementedError

    def timers(self) -> Sequence[Timer]:
        """Return the periodic callbacks of this node."""
        return ()

    def services(self) -> Sequence[Service]:
        """Return the services of this node."""
        return ()

    def warn_throttled(self, text, now_ns, key=None, period_s=WARN_PERIOD_S):
        """
        Log a warning at most once per period for the same key (bad input often streams).

        Repeats inside the period go to the debug log; a clock that jumps back warns again.

        :param text: the message.
        :param now_ns: current time (ns).
        :param key: what counts as the same warning (default: the text).
        :param period_s: minimum time between two warnings of one key (s).
        """
        key = text if key is None else key
        last = self._warned_ns.get(key)
        if last is not None and 0 <= now_ns - last < period_s * NS_PER_S:
            self.log.debug(text)
            return
        self._warned_ns[key] = now_ns
        self.log.warning(text)

    def port(self, name: str) -> Port:
        """
        Return a declared port by name.

        :param name: port name.
        :raises KeyError: for an undeclared port.
        """
        for p in self.ports():
            if p.name == name:
                return p
        raise KeyError(f'{type(self).__name__} has no port {name!r}')


def callback_of(core: NodeCore, name: str):
    """
    Return the ``on_<name>`` method of a core, with a clear error when it is missing.

    :param core: the core.
    :param name: port, timer or service name.
    """
    fn = getattr(core, f'on_{name}', None)
    if not callable(fn):
        raise TypeError(f'{type(core).__name__} declares {name!r} but has no on_{name} method')
    return fn


def check_outputs(core: NodeCore, outputs: Optional[Outputs], out_ports) -> Outputs:
    """
    Validate what a callback returned.

    :param core: the core that returned it.
    :param outputs: list of ``(output_port_name, msg)`` or None.
    :param out_ports: the core's output port names (bindings collect them once, at start).
    :return: the list (empty for None).
    :raises ValueError: when a name is not an output port of the core.
    """
    if outputs is None:
        return []
    checked = []
    for item in outputs:
        name, msg = item
        if name not in out_ports:
            raise ValueError(f'{type(core).__name__} published on {name!r}, which is not one of '
                             f'its output ports {sorted(out_ports)}')
        checked.append((name, msg))
    return checked


def resolve_name(name: str, node_name: str, namespace: str = '') -> str:
    """
    Expand a topic or service name the way ROS 2 does for ``~`` and relative names.

    :param name: ``'~/x'``, ``'x'`` or ``'/x'``.
    :param node_name: the node's name.
    :param namespace: the node's namespace (``''`` or ``'/ns'``).
    :return: the fully qualified name.
    """
    ns = namespace.rstrip('/')
    if name.startswith('~'):
        return f'{ns}/{node_name}{name[1:]}'
    if name.startswith('/'):
        return name
    return f'{ns}/{name}'


Response = Dict[str, Any]

__all__ = ['IN', 'NoTransforms', 'NodeContext', 'NodeCore', 'OUT', 'Outputs', 'Port',
           'Response', 'Service', 'Timer', 'TransformSource', 'TransformUnavailable',
           'WARN_PERIOD_S', 'callback_of', 'check_outputs', 'resolve_name']
