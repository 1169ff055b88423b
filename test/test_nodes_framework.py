# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The node-core contract, parameters, the transform buffer and the in-process binding."""

from dataclasses import dataclass
import logging

from conftest import DISTROS
import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.nodes import qos
from robomamba_ros.nodes.core import IN, NodeCore, OUT, Port, resolve_name, Service, Timer
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import file_parameters, load_parameters, parameter
from robomamba_ros.ros.bag import bag_topics, read_bag
from robomamba_ros.ros.messages import make_string, NS_PER_S, string_msg_to_str
from robomamba_ros.ros.tf_buffer import TransformBuffer, TransformUnavailable
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped
from robomamba_ros.ros.type_source import RosbagsTypes


@dataclass
class EchoParameters:
    """Parameters of the test core."""

    input_topic: str = parameter('/in', 'Topic to echo.')
    prefix: str = parameter('echo: ', 'Prepended to every message.')
    rate_hz: float = parameter(10.0, 'Tick rate.', low=0.1, high=1000.0)
    count_limit: int = parameter(100, 'Stop ticking after this many ticks.', low=0)
    mode: str = parameter('upper', 'Case.', choices=('upper', 'lower'))
    scale: tuple = parameter((1.0, 2.0), 'A list parameter.')


class EchoCore(NodeCore):
    """Echo strings with a prefix, count timer ticks, reset the count on a service call."""

    node_name = 'echo'
    parameters_class = EchoParameters

    def __init__(self, params, context, suffix=''):
        super().__init__(params, context)
        self.suffix = suffix
        self.ticks = []

    def ports(self):
        p = self.params
        return [Port('text', 'std_msgs/msg/String', p.input_topic, qos.COMMAND, IN),
                Port('latched_in', 'std_msgs/String', '/latched', qos.LATCHED, IN),
                Port('sensor', 'std_msgs/msg/String', '/sensor', qos.COMMAND, IN),
                Port('echo', 'std_msgs/msg/String', '~/echo', qos.COMMAND, OUT)]

    def timers(self):
        return [Timer('tick', 1.0 / self.params.rate_hz)]

    def services(self):
        return [Service('reset', 'std_srvs/srv/Trigger', '~/reset')]

    def _echo(self, text):
        return [('echo', make_string(self.params.prefix + text + self.suffix, self.types))]

    def on_text(self, msg, now_ns):
        return self._echo(string_msg_to_str(msg))

    def on_latched_in(self, msg, now_ns):
        return self._echo('latched ' + string_msg_to_str(msg))

    def on_sensor(self, msg, now_ns):
        return self._echo('sensor ' + string_msg_to_str(msg))

    def on_tick(self, now_ns):
        self.ticks.append(now_ns)

    def on_reset(self, request, now_ns):
        n = len(self.ticks)
        self.ticks.clear()
        return {'success': True, 'message': f'cleared {n}'}, self._echo('reset')


def test_resolve_name_follows_ros_rules():
    assert resolve_name('~/x', 'node') == '/node/x'
    assert resolve_name('~/x', 'node', '/ns') == '/ns/node/x'
    assert resolve_name('x', 'node', '/ns') == '/ns/x'
    assert resolve_name('/x', 'node', '/ns') == '/x'


def test_qos_compatibility_is_the_dds_rule():
    assert not qos.compatible(qos.SENSOR, qos.COMMAND)
    assert qos.compatible(qos.COMMAND, qos.SENSOR)
    assert not qos.compatible(qos.COMMAND, qos.LATCHED)
    assert qos.compatible(qos.LATCHED, qos.COMMAND)
    with pytest.raises(ValueError, match='reliability'):
        qos.QosSpec('bad', 'sometimes', qos.VOLATILE, 1)


def test_parameters_from_ros_files_later_wins(tmp_path):
    first = tmp_path / 'a.yaml'
    first.write_text('echo:\n  ros__parameters:\n    prefix: "a: "\n    rate_hz: 5\n'
                     '    use_sim_time: true\nother:\n  ros__parameters:\n    x: 1\n')
    second = tmp_path / 'b.yaml'
    second.write_text('/**:\n  ros__parameters:\n    mode: lower\n/echo:\n  ros__parameters:\n'
                      '    scale: [3, 4.5]\n')
    params = load_parameters(EchoParameters, 'echo', [first, second], {'count_limit': 7})
    assert params.prefix == 'a: ' and params.rate_hz == 5.0 and isinstance(params.rate_hz, float)
    assert params.mode == 'lower' and params.scale == (3.0, 4.5) and params.count_limit == 7
    assert file_parameters(first, 'nobody') == {}


@pytest.mark.parametrize('overrides, message', [
    ({'nope': 1}, "unknown parameter 'nope'"),
    ({'rate_hz': 0.0}, 'outside'),
    ({'rate_hz': 'fast'}, 'must be a number'),
    ({'count_limit': 1.5}, 'must be an integer'),
    ({'mode': 'title'}, 'not one of'),
    ({'scale': 3.0}, 'must be a list'),
])
def test_bad_parameters_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        load_parameters(EchoParameters, 'echo', [], overrides)


def test_parameter_file_errors_name_the_file(tmp_path):
    bad = tmp_path / 'bad.yaml'
    bad.write_text('echo:\n  prefix: 1\n')
    with pytest.raises(ValueError, match='ros__parameters'):
        load_parameters(EchoParameters, 'echo', [bad])
    typo = tmp_path / 'typo.yaml'
    typo.write_text('echo:\n  ros__parameters:\n    prefx: 1\n')
    with pytest.raises(ValueError, match='typo.yaml'):
        load_parameters(EchoParameters, 'echo', [typo])


def _pose(angle, t):
    R = geometry.quat_xyzw_to_matrix([0.0, 0.0, np.sin(angle / 2), np.cos(angle / 2)])
    return geometry.make_transform(R, t)


def test_transform_buffer_chains_and_reports_oldest_dynamic_stamp():
    buf = TransformBuffer()
    T_world_base = _pose(0.3, [1.0, 0.0, 0.0])
    T_base_cam = _pose(-1.0, [0.0, 2.0, 0.5])
    T_world_hand = _pose(0.1, [0.0, 0.0, 1.0])
    buf.set_transform(T_world_base, 'world', 'base', 0, static=True)
    buf.set_transform(T_base_cam, 'base', 'cam', 5)
    buf.set_transform(T_world_hand, 'world', 'hand', 9)
    T, stamp = buf.lookup('hand', 'cam')
    expected = geometry.invert_transform(T_world_hand) @ T_world_base @ T_base_cam
    np.testing.assert_allclose(T, expected, atol=1e-12)
    assert stamp == 5
    assert buf.lookup('world', 'base')[1] == 0
    buf.set_transform(T_base_cam, 'base', 'cam', 3)  # older: ignored
    assert buf.lookup('world', 'cam')[1] == 5
    with pytest.raises(TransformUnavailable, match='no transform'):
        buf.lookup('world', 'moon')
    with pytest.raises(ValueError, match='loop'):
        buf.set_transform(np.eye(4), 'cam', 'world', 1)


@pytest.mark.parametrize('distro', DISTROS)
def test_graph_delivers_through_cdr_and_records(tmp_path, distro):
    bag = tmp_path / 'bag'
    with InProcessGraph(distro, record=bag) as graph:
        params = load_parameters(EchoParameters, 'echo', [], {'rate_hz': 4.0})
        core = graph.add(EchoCore, params, suffix='!')
        out = graph.tap('/echo/echo')
        types = RosbagsTypes(distro)
        graph.publish('/in', 'std_msgs/msg/String', make_string('hi', types))
        assert [string_msg_to_str(m) for _, m in out] == ['echo: hi!']
        # Best effort never reaches a reliable subscription.
        graph.publish('/sensor', 'std_msgs/msg/String', make_string('x', types), qos.SENSOR)
        assert len(out) == 1
        graph.advance(1.0)
        assert [t - NS_PER_S for t in core.ticks] == [k * NS_PER_S // 4 for k in (1, 2, 3, 4)]
        response = graph.call_service('/echo/reset')
        assert response == {'success': True, 'message': 'cleared 4'}
        assert string_msg_to_str(out[-1][1]) == 'echo: reset!'
        with pytest.raises(KeyError, match='offered'):
            graph.call_service('/nobody/reset')
        with pytest.raises(ValueError, match='carries'):
            graph.publish('/in', 'std_msgs/msg/Bool', types.new('std_msgs/msg/Bool', data=True))
    topics = bag_topics(bag)
    assert topics['/echo/echo'] == ('std_msgs/msg/String', 2)
    texts = [string_msg_to_str(m.msg) for m in read_bag(bag, ['/in'])]
    assert texts == ['hi']


def test_late_subscribers_get_latched_messages_only():
    graph = InProcessGraph()
    out = graph.tap('/echo/echo')
    graph.publish('/latched', 'std_msgs/msg/String', make_string('first', graph.types),
                  qos.LATCHED)
    graph.publish('/in', 'std_msgs/msg/String', make_string('gone', graph.types))
    graph.add(EchoCore, EchoParameters())
    assert [string_msg_to_str(m) for _, m in out] == ['echo: latched first']
    # A volatile publisher never satisfies a transient-local subscription.
    graph.publish('/latched', 'std_msgs/msg/String', make_string('x', graph.types))
    assert len(out) == 1
    with pytest.raises(ValueError, match='already in the graph'):
        graph.add(EchoCore, EchoParameters())


def test_tf_topic_feeds_the_graph_buffer():
    graph = InProcessGraph('jazzy')
    T = _pose(0.5, [1.0, 2.0, 3.0])
    msg = make_tf_message([make_transform_stamped(T, 'world', 'cam', 7, graph.types)], graph.types)
    graph.publish('/tf', 'tf2_msgs/msg/TFMessage', msg)
    found, stamp = graph.tf.lookup('world', 'cam')
    np.testing.assert_allclose(found, T, atol=1e-9)
    assert stamp == 7


def test_outputs_on_undeclared_ports_are_rejected():
    class Bad(EchoCore):
        def on_text(self, msg, now_ns):
            return [('nowhere', msg)]

    graph = InProcessGraph()
    graph.add(Bad, EchoParameters())
    with pytest.raises(ValueError, match='not one of its output ports'):
        graph.publish('/in', 'std_msgs/msg/String', make_string('x', graph.types))


def test_throttled_warnings_once_per_period_per_key(caplog):
    core = InProcessGraph().add(EchoCore, EchoParameters())
    with caplog.at_level(logging.DEBUG, logger='robomamba_ros'):
        for t_ms in (0, 400, 999, 1000, 1500):
            core.warn_throttled('bad twist', t_ms * 1_000_000)
        core.warn_throttled('other', 1500 * 1_000_000, key='x')
        core.warn_throttled('time went back', 100 * 1_000_000, key='x')
    warnings = [(r.getMessage()) for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ['bad twist', 'bad twist', 'other', 'time went back']
    assert sum(r.levelno == logging.DEBUG for r in caplog.records) == 3
