# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The rclpy binding: run a node core as a ROS 2 node (the only module that imports rclpy).

It only wires:

* parameters are declared from the core's dataclass (descriptions, ranges, read-only flags) and
  read back through :func:`~robomamba_ros.nodes.parameters.load_parameters`'s validation; live
  ones are re-validated on every set (``ros2 param set``) and rejected with the reason, floats
  accept integers;
* every port becomes a publisher or subscription with the port's QoS; timers and services are
  created as declared; a failing callback logs one error line and the node goes on;
* transforms come from ``tf2_ros`` when it is importable, otherwise from the package's own
  :class:`~robomamba_ros.ros.tf_buffer.TransformBuffer` fed by ``/tf`` and ``/tf_static``
  (newest transform per frame, no interpolation);
* the core's ``default`` callback group is the node's own (parameter services included), other
  groups are ``MutuallyExclusiveCallbackGroup``s; a node with several groups spins in a
  ``MultiThreadedExecutor`` (inference never blocks intake), others in a single thread;
* time is the node clock, which follows ``/clock`` when ``use_sim_time`` is set; a node that gets
  no ``/clock`` for :data:`CLOCK_SILENCE_S` says so;
* SIGINT and SIGTERM stop the executor, then the node is destroyed; if that does not finish
  within :data:`SHUTDOWN_TIMEOUT_S` the process exits anyway.

Frame synchronisation lives in the cores (not ``message_filters``) so both bindings behave the
same.
"""

import logging
import os
import sys
import threading
import time

from robomamba_ros.nodes.core import check_outputs, IN, NodeContext, NoTransforms
from robomamba_ros.nodes.parameters import (
    is_read_only, load_parameters, parameter_fields, replace_parameters, ROS_STANDARD_PARAMETERS)
from robomamba_ros.nodes.qos import BEST_EFFORT, QosSpec, RELIABLE, TRANSIENT_LOCAL, VOLATILE
from robomamba_ros.ros.tf_buffer import TransformBuffer, TransformSource, TransformUnavailable
from robomamba_ros.ros.tf_messages import transform_stamped_to_numpy
from robomamba_ros.ros.type_source import import_interface, RclpyTypes

#: Seconds the process may take to stop after SIGINT/SIGTERM before it exits regardless.
SHUTDOWN_TIMEOUT_S = 2.0
#: Wall-clock seconds without ``/clock`` after which a node with ``use_sim_time`` warns.
CLOCK_SILENCE_S = 5.0
#: QoS of ``/tf`` and ``/tf_static`` subscriptions (as tf2_ros's listener).
TF_QOS = QosSpec('tf', RELIABLE, VOLATILE, 100)
TF_STATIC_QOS = QosSpec('tf_static', RELIABLE, TRANSIENT_LOCAL, 100)


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


def _is_float(f):
    scalar = f.default[0] if isinstance(f.default, tuple) and f.default else f.default
    return isinstance(scalar, float)


def parameter_descriptor(f, read_only=False):
    """
    Build the ``ParameterDescriptor`` of one parameters-dataclass field.

    Float parameters are dynamically typed so that an integer (``-p max_frame_age_s:=1``) is
    accepted; the binding converts and validates it.

    :param f: a dataclass field made with :func:`~robomamba_ros.nodes.parameters.parameter`.
    :param read_only: declare it read-only (it only takes effect at start-up).
    :return: the descriptor (description, numeric range, allowed values, flags).
    """
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

    meta = f.metadata
    description = meta.get('description', '')
    if read_only:
        description += ' (read-only: set at start-up)'
    descriptor = ParameterDescriptor(description=description, read_only=read_only,
                                     dynamic_typing=_is_float(f))
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


class LockedTransformBuffer(TransformSource):
    """
    The package's :class:`TransformBuffer` shared by subscription and lookup threads.

    Fed by ``/tf`` and ``/tf_static`` subscriptions where ``tf2_ros`` is not installed.
    """

    def __init__(self):
        self.buffer = TransformBuffer()
        self._lock = threading.Lock()

    def add_message(self, msg, static=False):
        """Add a ``tf2_msgs/TFMessage`` (see :meth:`TransformBuffer.add_message`)."""
        with self._lock:
            self.buffer.add_message(msg, static)

    def lookup(self, target_frame, source_frame):
        """Return the newest transform and its stamp (see :class:`TransformSource`)."""
        with self._lock:
            return self.buffer.lookup(target_frame, source_frame)


def _make_node_class():
    from rcl_interfaces.msg import SetParametersResult
    from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
    from rclpy.clock import Clock, ClockType
    from rclpy.node import Node

    class CoreNode(Node):
        """A ROS 2 node that runs one core."""

        def __init__(self, core_class, injected):
            super().__init__(core_class.node_name)
            self._lock = threading.Lock()
            cls = core_class.parameters_class
            values = {}
            for f in parameter_fields(cls):
                default = list(f.default) if isinstance(f.default, tuple) else f.default
                read_only = is_read_only(f, core_class.read_only_parameters)
                self.declare_parameter(f.name, default, parameter_descriptor(f, read_only))
                value = self.get_parameter(f.name).value
                values[f.name] = list(value) if isinstance(value, (list, tuple)) else value
            params = load_parameters(cls, self.get_name(), [], values)
            types = RclpyTypes()
            self._groups = {'default': self.default_callback_group}
            transforms = self._transform_source(types)
            self.core = core_class(params, NodeContext(types, self.get_logger(), transforms),
                                   **injected)
            self.core.node_name = self.get_name()
            self._publishers_by_port = {}
            # Timers that input messages wake: a guard condition in the timer's group runs
            # the same callback right after such a message.
            wakes = {}
            for timer in self.core.timers():
                callback = self._wrap(getattr(self.core, f'on_{timer.name}'), with_msg=False)
                self.create_timer(timer.period_s, callback,
                                  callback_group=self._group(timer.group))
                if timer.wake_on:
                    guard = self.create_guard_condition(callback,
                                                        callback_group=self._group(timer.group))
                    for port_name in timer.wake_on:
                        wakes.setdefault(port_name, []).append(guard)
            for port in self.core.ports():
                msg_class = types.get(port.type_name)
                if port.direction == IN:
                    callback = getattr(self.core, f'on_{port.name}')
                    self.create_subscription(msg_class, port.topic,
                                             self._wrap(callback, wakes=wakes.get(port.name)),
                                             qos_profile(port.qos),
                                             callback_group=self._group(port.group))
                else:
                    self._publishers_by_port[port.name] = self.create_publisher(
                        msg_class, port.topic, qos_profile(port.qos))
            for service in self.core.services():
                self.create_service(import_interface(service.type_name, 'srv'), service.service,
                                    self._service(getattr(self.core, f'on_{service.name}')),
                                    callback_group=self._group('default'))
            self.add_on_set_parameters_callback(self._on_set_parameters)
            self._watch_clock(types, Clock, ClockType)

        # ----- wiring ------------------------------------------------------------------------
        def callback_groups_in_use(self):
            """Return the callback groups the core's callbacks run in."""
            return set(self._groups)

        def _group(self, name):
            if name not in self._groups:
                self._groups[name] = MutuallyExclusiveCallbackGroup()
            return self._groups[name]

        def _transform_source(self, types):
            try:
                import tf2_ros
            except ImportError:
                tf2_ros = None
            if tf2_ros is not None:
                self._tf_buffer = tf2_ros.Buffer()
                self._tf_listener = tf2_ros.TransformListener(self._tf_buffer, self)
                return Tf2Transforms(self._tf_buffer)
            try:
                tf_message = types.get('tf2_msgs/msg/TFMessage')
            except ValueError:
                self.get_logger().warning(
                    'neither tf2_ros nor tf2_msgs is installed: only identity transforms, so '
                    'every goal between two different frames is refused (tf_missing)')
                return NoTransforms()
            buffer = LockedTransformBuffer()
            self.create_subscription(tf_message, '/tf', buffer.add_message, qos_profile(TF_QOS),
                                     callback_group=self._group('default'))
            self.create_subscription(tf_message, '/tf_static',
                                     lambda msg: buffer.add_message(msg, static=True),
                                     qos_profile(TF_STATIC_QOS),
                                     callback_group=self._group('default'))
            self.get_logger().info(
                'tf2_ros is not installed: transforms come from /tf and /tf_static through the '
                "package's own buffer (newest transform per frame, no interpolation)")
            return buffer

        def _now_ns(self):
            return self.get_clock().now().nanoseconds

        def _publish(self, outputs):
            for name, msg in check_outputs(self.core, outputs, self._publishers_by_port):
                self._publishers_by_port[name].publish(msg)

        def _run(self, what, fn, *args):
            try:
                self._publish(fn(*args))
            except Exception as exc:  # noqa: B902 - one bad callback must not end the node
                if not self.context.ok():
                    return  # shutting down: publishers are already gone
                self.get_logger().error(f'{what} failed: {type(exc).__name__}: {exc}')

        def _wrap(self, callback, with_msg=True, wakes=None):
            what = callback.__name__
            if not with_msg:
                return lambda: self._run(what, lambda: callback(self._now_ns()))

            def deliver(msg):
                self._run(what, lambda: callback(msg, self._now_ns()))
                for guard in wakes or ():
                    guard.trigger()
            return deliver

        def _service(self, callback):
            def handle(request, response):
                try:
                    fields, outputs = callback(request, self._now_ns())
                except Exception as exc:  # noqa: B902 - reply with the failure
                    fields, outputs = {'success': False,
                                       'message': f'{type(exc).__name__}: {exc}'}, []
                for key, value in fields.items():
                    setattr(response, key, value)
                self._run(callback.__name__, lambda: outputs)
                return response
            return handle

        # ----- parameters --------------------------------------------------------------------
        def _on_set_parameters(self, parameters):
            """Validate new values like at start-up and hand them to the core, or refuse."""
            core = self.core
            changes = {p.name: list(p.value) if isinstance(p.value, (list, tuple)) else p.value
                       for p in parameters if p.name not in ROS_STANDARD_PARAMETERS}
            try:
                core.apply_parameters(replace_parameters(core.params, changes))
            except (ValueError, TypeError) as exc:
                self.get_logger().warning(f'parameter change refused: {exc}')
                return SetParametersResult(successful=False, reason=str(exc))
            changed = ', '.join(f'{p.name}={p.value!r}' for p in parameters)
            self.get_logger().info(f'parameters set: {changed}')
            return SetParametersResult(successful=True)

        # ----- sim time ----------------------------------------------------------------------
        def _watch_clock(self, types, Clock, ClockType):
            """Warn once per silence when ``use_sim_time`` is set and no /clock arrives."""
            if not self.get_parameter('use_sim_time').value:
                return
            self._clock_seen = time.monotonic()
            self._clock_ever = False
            self._clock_warned = False

            def on_clock(msg):
                self._clock_seen, self._clock_ever = time.monotonic(), True
                if self._clock_warned:
                    self._clock_warned = False
                    self.get_logger().info('/clock is back')

            def check():
                silent = time.monotonic() - self._clock_seen
                if silent > CLOCK_SILENCE_S and not self._clock_warned:
                    self._clock_warned = True
                    since = 'since start-up' if not self._clock_ever else 'for'
                    self.get_logger().warning(
                        f'use_sim_time is true but no /clock message {since} {silent:.0f} s: '
                        'node time is frozen, so timers and inference wait. Is the simulator '
                        '(sapien_bridge) running? On a real robot set use_sim_time:=false.')

            self.create_subscription(types.get('rosgraph_msgs/msg/Clock'), '/clock', on_clock,
                                     qos_profile(QosSpec('clock', BEST_EFFORT, VOLATILE, 1)),
                                     callback_group=self._group('default'))
            self.create_timer(1.0, check, callback_group=self._group('default'),
                              clock=Clock(clock_type=ClockType.STEADY_TIME))

    return CoreNode


def _exit_soon(code):
    """Exit the process after :data:`SHUTDOWN_TIMEOUT_S` unless cancelled (bounded shutdown)."""
    def force():
        sys.stderr.write(f'shutdown took longer than {SHUTDOWN_TIMEOUT_S:g} s: exiting\n')
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(SHUTDOWN_TIMEOUT_S, force)
    timer.daemon = True
    timer.start()
    return timer


def spin_core(core_class, args=None, **injected):
    """
    Spin a core as a ROS 2 node until SIGINT/SIGTERM or shutdown, then clean up.

    A configuration error (bad parameter, missing model) gives one error line and status 1;
    cleanup is bounded by :data:`SHUTDOWN_TIMEOUT_S` (past it the process exits).

    :param core_class: the core's class.
    :param args: command-line arguments for ``rclpy.init`` (ROS remaps, ``--ros-args``).
    :param injected: extra keyword arguments of the core's constructor.
    :return: the exit status.
    """
    try:
        import rclpy
        from rclpy.executors import (
            ExternalShutdownException, MultiThreadedExecutor, SingleThreadedExecutor)
    except ImportError as exc:
        sys.stderr.write(
            f'{core_class.node_name}: ROS 2 (rclpy) is not available in this Python ({exc}). '
            'Source a ROS 2 installation or run `ROBOMAMBA_ROS=1 scripts/setup.sh`, or run the '
            'nodes without ROS with `robomamba-ros demo`.\n')
        return 2
    rclpy.init(args=args)  # also installs the SIGINT/SIGTERM handlers that stop spinning
    node, executor, code = None, None, 0
    try:
        node = _make_node_class()(core_class, injected)
        # Several callback groups need threads; one group runs best on one thread: rclpy's
        # multi-threaded executor polls while a callback runs, which costs a core (measured:
        # sapien_bridge at 100 % CPU and 0.02x real time with it).
        threaded = len(node.callback_groups_in_use()) > 1
        executor = MultiThreadedExecutor() if threaded else SingleThreadedExecutor()
        executor.add_node(node)
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except RuntimeError:
        if rclpy.ok():
            raise
        # rclpy can fail to take a message that arrives while the context shuts down.
    except (ValueError, TypeError, FileNotFoundError, OSError) as exc:
        text = str(exc)
        if not text.startswith(core_class.node_name):
            text = f'{core_class.node_name}: {text}'
        sys.stderr.write(text + '\n')
        code = 1
    finally:
        watchdog = _exit_soon(code)
        if executor is not None:
            executor.shutdown(timeout_sec=SHUTDOWN_TIMEOUT_S / 2)
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
        watchdog.cancel()
    return code


def run_node(core_class, args=None, **injected):
    """
    Run a core as a ROS 2 node process (the ``main()`` of the node executables); never returns.

    :param core_class: the core's class.
    :param args: command-line arguments for ``rclpy.init``.
    :param injected: extra keyword arguments of the core's constructor.
    """
    code = spin_core(core_class, args, **injected)
    # Everything is shut down: skip the interpreter's teardown of the libraries, which can
    # take seconds, so that launch's SIGINT -> SIGTERM escalation never has to step in.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = ['CLOCK_SILENCE_S', 'LockedTransformBuffer', 'SHUTDOWN_TIMEOUT_S', 'Tf2Transforms',
           'parameter_descriptor', 'qos_profile', 'run_node', 'spin_core']
