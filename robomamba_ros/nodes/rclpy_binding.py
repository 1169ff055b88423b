# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The rclpy binding: run a node core as a ROS 2 node (the only module that imports rclpy).

It only wires: parameters are declared from the core's dataclass (descriptions and ranges
included) and read back through :func:`~robomamba_ros.nodes.parameters.load_parameters`'s
validation; every port becomes a publisher or subscription with the port's QoS; timers and
services are created as declared; transforms come from a ``tf2_ros`` buffer. Each callback group
a core names becomes a ``MutuallyExclusiveCallbackGroup`` and the node spins in a
``MultiThreadedExecutor``, so a core's inference timer (its own group) never blocks message
intake. Time is the node clock, which follows ``/clock`` when ``use_sim_time`` is set.

Frame synchronisation lives in the cores (not ``message_filters``) so both bindings behave the
same. Not exercised on machines without ROS 2: see the README.
"""

import sys

from robomamba_ros.nodes.core import check_outputs, IN, NodeContext, NoTransforms
from robomamba_ros.nodes.parameters import load_parameters, parameter_fields
from robomamba_ros.nodes.qos import BEST_EFFORT, TRANSIENT_LOCAL
from robomamba_ros.ros.tf_buffer import TransformSource, TransformUnavailable
from robomamba_ros.ros.tf_messages import transform_stamped_to_numpy
from robomamba_ros.ros.type_source import RclpyTypes


def qos_profile(spec):
    """
    Build the ``rclpy.qos.QoSProfile`` of a :class:`~robomamba_ros.nodes.qos.QosSpec`.

    :param spec: the port's QoS.
    :return: the rclpy profile.
    """
    from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

    return QoSProfile(
        history=HistoryPolicy.KEEP_LAST, depth=spec.depth,
        reliability=(ReliabilityPolicy.BEST_EFFORT if spec.reliability == BEST_EFFORT
                     else ReliabilityPolicy.RELIABLE),
        durability=(DurabilityPolicy.TRANSIENT_LOCAL if spec.durability == TRANSIENT_LOCAL
                    else DurabilityPolicy.VOLATILE))


def parameter_descriptor(f):
    """
    Build the ``ParameterDescriptor`` of one parameters-dataclass field.

    :param f: a dataclass field made with :func:`~robomamba_ros.nodes.parameters.parameter`.
    :return: the descriptor (description, numeric range, allowed values).
    """
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

    meta = f.metadata
    descriptor = ParameterDescriptor(description=meta.get('description', ''))
    low, high = meta.get('low'), meta.get('high')
    scalar = f.default[0] if isinstance(f.default, tuple) and f.default else f.default
    if (low is not None or high is not None) and not isinstance(scalar, bool):
        if isinstance(scalar, int):
            descriptor.integer_range = [IntegerRange(
                from_value=int(low if low is not None else -2**63),
                to_value=int(high if high is not None else 2**63 - 1), step=0)]
        elif isinstance(scalar, float):
            descriptor.floating_point_range = [FloatingPointRange(
                from_value=float(low if low is not None else -1e308),
                to_value=float(high if high is not None else 1e308), step=0.0)]
    if meta.get('choices'):
        descriptor.additional_constraints = 'one of: ' + ', '.join(map(str, meta['choices']))
    return descriptor


class Tf2Transforms(TransformSource):
    """
    The core's transform source over a ``tf2_ros.Buffer``.

    :param buffer: the buffer, filled by a ``TransformListener``.
    """

    def __init__(self, buffer):
        self.buffer = buffer

    def lookup(self, target_frame, source_frame):
        """Return the newest transform and its stamp (see :class:`TransformSource`)."""
        import rclpy.time
        import tf2_ros

        try:
            msg = self.buffer.lookup_transform(target_frame, source_frame, rclpy.time.Time())
        except (tf2_ros.LookupException, tf2_ros.ConnectivityException,
                tf2_ros.ExtrapolationException) as exc:
            raise TransformUnavailable(str(exc)) from None
        _, _, T, stamp_ns = transform_stamped_to_numpy(msg)
        return T, stamp_ns


def _make_node_class():
    from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
    from rclpy.node import Node
    from rosidl_runtime_py.utilities import get_service

    class CoreNode(Node):
        """A ROS 2 node that runs one core."""

        def __init__(self, core_class, injected):
            super().__init__(core_class.node_name)
            cls = core_class.parameters_class
            values = {}
            for f in parameter_fields(cls):
                default = list(f.default) if isinstance(f.default, tuple) else f.default
                self.declare_parameter(f.name, default, parameter_descriptor(f))
                value = self.get_parameter(f.name).value
                values[f.name] = list(value) if isinstance(value, (list, tuple)) else value
            params = load_parameters(cls, self.get_name(), [], values)
            types = RclpyTypes()
            try:
                import tf2_ros

                self._tf_buffer = tf2_ros.Buffer()
                self._tf_listener = tf2_ros.TransformListener(self._tf_buffer, self)
                transforms = Tf2Transforms(self._tf_buffer)
            except ImportError:
                transforms = NoTransforms()
                self.get_logger().warning('tf2_ros is not installed: only identity transforms')
            self.core = core_class(params, NodeContext(types, self.get_logger(), transforms),
                                   **injected)
            self.core.node_name = self.get_name()
            self._groups = {}
            self._publishers_by_port = {}
            for port in self.core.ports():
                msg_class = types.get(port.type_name)
                if port.direction == IN:
                    callback = getattr(self.core, f'on_{port.name}')
                    self.create_subscription(msg_class, port.topic, self._wrap(callback),
                                             qos_profile(port.qos),
                                             callback_group=self._group(port.group))
                else:
                    self._publishers_by_port[port.name] = self.create_publisher(
                        msg_class, port.topic, qos_profile(port.qos))
            for timer in self.core.timers():
                callback = getattr(self.core, f'on_{timer.name}')
                self.create_timer(timer.period_s, self._wrap(callback, with_msg=False),
                                  callback_group=self._group(timer.group))
            for service in self.core.services():
                self.create_service(get_service(service.type_name), service.service,
                                    self._service(getattr(self.core, f'on_{service.name}')),
                                    callback_group=self._group('default'))

        def _group(self, name):
            if name not in self._groups:
                self._groups[name] = MutuallyExclusiveCallbackGroup()
            return self._groups[name]

        def _now_ns(self):
            return self.get_clock().now().nanoseconds

        def _publish(self, outputs):
            for name, msg in check_outputs(self.core, outputs, self._publishers_by_port):
                self._publishers_by_port[name].publish(msg)

        def _wrap(self, callback, with_msg=True):
            if with_msg:
                return lambda msg: self._publish(callback(msg, self._now_ns()))
            return lambda: self._publish(callback(self._now_ns()))

        def _service(self, callback):
            def handle(request, response):
                fields, outputs = callback(request, self._now_ns())
                for key, value in fields.items():
                    setattr(response, key, value)
                self._publish(outputs)
                return response
            return handle

    return CoreNode


def run_node(core_class, args=None, **injected):
    """
    Spin a core as a ROS 2 node until shutdown (the ``main()`` of the node executables).

    :param core_class: the core's class.
    :param args: command-line arguments for ``rclpy.init`` (ROS remaps, ``--ros-args``).
    :param injected: extra keyword arguments of the core's constructor.
    """
    try:
        import rclpy
        from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
    except ImportError as exc:
        sys.stderr.write(
            f'{core_class.node_name}: ROS 2 (rclpy) is not available in this Python ({exc}). '
            'Source a ROS 2 installation, or run the nodes without ROS with '
            '`robomamba-ros demo`.\n')
        raise SystemExit(2) from None
    rclpy.init(args=args)
    node = None
    try:
        node = _make_node_class()(core_class, injected)
        executor = MultiThreadedExecutor()
        executor.add_node(node)
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()


__all__ = ['Tf2Transforms', 'parameter_descriptor', 'qos_profile', 'run_node']
