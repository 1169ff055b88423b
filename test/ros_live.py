# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Helpers of the live ROS 2 tests: node processes over Fast DDS and a probe node in the test.

Every test run gets its own ``ROS_DOMAIN_ID`` and localhost-only discovery, so parallel runs
and other machines never meet; every process started is stopped (SIGINT, then SIGKILL) at the
end, and the time each took to stop is recorded.
"""

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

BIN = pathlib.Path(sys.executable).parent
#: How long a node may take to stop after SIGINT/SIGTERM (the binding's bound is 2 s).
STOP_LIMIT_S = 2.0


def ros_environment():
    """Set and return the environment of an isolated ROS 2 graph for this test process."""
    os.environ.setdefault('ROS_DOMAIN_ID', str(1 + os.getpid() % 100))
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    os.environ['HF_HUB_OFFLINE'] = '1'
    os.environ.setdefault('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp')
    return dict(os.environ)


def require_rclpy():
    """Skip the calling test where rclpy is not installed (no ROS 2 in this Python)."""
    pytest.importorskip('rclpy', reason='needs rclpy: a sourced ROS 2 or ROBOMAMBA_ROS=1 setup')


class NodeProcess:
    """
    One node executable as an OS process, its output in a log file.

    :param executable: console script name, e.g. ``'robomamba_node'``.
    :param log_dir: folder for the log file.
    :param parameters: ``{name: value}`` given as ``-p name:=value``.
    :param name: node name (``-r __node:=name``); default: the executable's.
    """

    def __init__(self, executable, log_dir, parameters=None, name=None):
        self.name = name or executable
        self.log_path = pathlib.Path(log_dir) / f'{self.name}.log'
        args = [str(BIN / executable), '--ros-args', '-r', f'__node:={self.name}']
        for key, value in (parameters or {}).items():
            args += ['-p', f'{key}:={_ros_value(value)}']
        self._log = open(self.log_path, 'w', encoding='utf-8')
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                        env=ros_environment())
        self.stop_s = None

    def log(self):
        """Return what the process printed so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding='utf-8')

    def wait_for(self, text, timeout_s):
        """Wait until the log holds ``text`` (True) or ``timeout_s`` passed (False)."""
        deadline = time.monotonic() + timeout_s
        while text not in self.log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def alive(self):
        """Return True while the process runs."""
        return self.process.poll() is None

    def stop(self, sig=signal.SIGINT):
        """Send ``sig``, wait up to 10 s (then SIGKILL); record how long it took to exit."""
        if self.alive():
            start = time.monotonic()
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10.0)
                self.stop_s = time.monotonic() - start
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.stop_s = float('inf')
        self._log.close()
        return self.process.returncode


def _ros_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return '[' + ','.join(_ros_value(v) for v in value) + ']'
    return str(value)


class Probe:
    """
    A node in the test process that publishes and records topics.

    :param name: node name.
    """

    def __init__(self, name='live_test_probe'):
        import rclpy

        self.rclpy = rclpy
        if not rclpy.ok():
            rclpy.init()
        self.node = rclpy.create_node(name)
        self.received = {}

    def record(self, msg_type, topic, qos):
        """Subscribe and keep ``(monotonic time, msg)`` of every message on ``topic``."""
        items = self.received.setdefault(topic, [])
        self.node.create_subscription(msg_type, topic,
                                      lambda msg: items.append((time.monotonic(), msg)), qos)
        return items

    def spin(self, seconds):
        """Process callbacks for ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.rclpy.spin_once(self.node, timeout_sec=0.01)

    def spin_until(self, condition, timeout_s, step=None):
        """Spin until ``condition()`` (calling ``step()`` each round); return whether it held."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if condition():
                return True
            if step is not None:
                step()
            self.rclpy.spin_once(self.node, timeout_sec=0.01)
        return condition()

    def call(self, srv_type, name, request, timeout_s=10.0):
        """Call a service and return its response (None on timeout)."""
        client = self.node.create_client(srv_type, name)
        if not client.wait_for_service(timeout_sec=timeout_s):
            return None
        future = client.call_async(request)
        self.rclpy.spin_until_future_complete(self.node, future, timeout_sec=timeout_s)
        return future.result()

    def close(self):
        """Destroy the node and shut rclpy down."""
        self.node.destroy_node()
        self.rclpy.try_shutdown()


def qos(reliable=True, transient_local=False, depth=10):
    """Build an rclpy QoS profile."""
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

    return QoSProfile(
        depth=depth,
        reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT,
        durability=(DurabilityPolicy.TRANSIENT_LOCAL if transient_local
                    else DurabilityPolicy.VOLATILE))


def parameter_value(value):
    """Build an ``rcl_interfaces/ParameterValue`` from a Python value."""
    from rcl_interfaces.msg import ParameterType, ParameterValue

    if isinstance(value, bool):
        return ParameterValue(type=ParameterType.PARAMETER_BOOL, bool_value=value)
    if isinstance(value, int):
        return ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=value)
    if isinstance(value, float):
        return ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=value)
    return ParameterValue(type=ParameterType.PARAMETER_STRING, string_value=str(value))


__all__ = ['BIN', 'NodeProcess', 'Probe', 'STOP_LIMIT_S', 'parameter_value', 'qos',
           'require_rclpy', 'ros_environment', 'signal']
