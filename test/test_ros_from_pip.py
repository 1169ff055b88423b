# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
ROS 2 from pip: two OS processes exchange a ``tf2_msgs/msg/TFMessage`` over Fast DDS.

``ROBOMAMBA_ROS=1 scripts/setup.sh`` installs the ROS 2 Kilted wheels and builds tf2_msgs from
``ros_interfaces/tf2_msgs`` into the venv; a sourced ROS 2 installation serves as well. The two
processes are this file run as a script (``talk`` and ``listen``), on a ROS domain of their own
with localhost-only discovery; every child is killed at the end. The listener takes the message
as it came over the wire and the test reads those bytes with the upstream definition (rosbags'
Kilted typestore), so the built message matches real ROS 2 nodes byte for byte and by type hash.
"""

import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = [
    pytest.mark.ros,
    pytest.mark.skipif(
        importlib.util.find_spec('rclpy') is None,
        reason='rclpy is not importable: ROBOMAMBA_ROS=1 scripts/setup.sh installs ROS 2 from '
               'wheels (or source a ROS 2 installation)'),
]

TYPE_NAME = 'tf2_msgs/msg/TFMessage'
#: The one transform the talker sends: a 45 degree turn about z, xyzw.
SENT = {
    'sec': 1767225600,
    'nanosec': 123456789,
    'frame_id': 'world',
    'translation': [0.5, -0.25, 1.0],
    'rotation': [0.0, 0.0, 0.3826834323650898, 0.9238795325112867],
}
#: Bounds of one exchange (discovery plus the first message takes about 1 s here).
LISTEN_S = 15.0
TALK_S = 20.0


def _talk(topic, child_frame_id):
    """Publish the SENT transform on ``topic`` every 50 ms for up to TALK_S (child process)."""
    from builtin_interfaces.msg import Time
    from geometry_msgs.msg import Quaternion, Transform, TransformStamped, Vector3
    import rclpy
    from std_msgs.msg import Header
    from tf2_msgs.msg import TFMessage

    rclpy.init()
    node = rclpy.create_node('pip_probe_talker')
    publisher = node.create_publisher(TFMessage, topic, 10)
    x, y, z = SENT['translation']
    qx, qy, qz, qw = SENT['rotation']
    msg = TFMessage(transforms=[TransformStamped(
        header=Header(stamp=Time(sec=SENT['sec'], nanosec=SENT['nanosec']),
                      frame_id=SENT['frame_id']),
        child_frame_id=child_frame_id,
        transform=Transform(translation=Vector3(x=x, y=y, z=z),
                            rotation=Quaternion(x=qx, y=qy, z=qz, w=qw)))])
    deadline = time.monotonic() + TALK_S
    while time.monotonic() < deadline:
        publisher.publish(msg)
        rclpy.spin_once(node, timeout_sec=0.05)
    node.destroy_node()
    rclpy.try_shutdown()


def _listen(topic):
    """Print, as one JSON line, the first message's bytes and fields and its publisher."""
    import rclpy
    from rclpy.serialization import deserialize_message
    from tf2_msgs.msg import TFMessage

    rclpy.init()
    node = rclpy.create_node('pip_probe_listener')
    received = []
    node.create_subscription(TFMessage, topic, received.append, 10, raw=True)
    deadline = time.monotonic() + LISTEN_S
    while not received and time.monotonic() < deadline:
        rclpy.spin_once(node, timeout_sec=0.1)
    # The graph learns a publisher's node name from a discovery topic of its own, which can
    # arrive after the first message: wait a moment for it.
    names_deadline = time.monotonic() + 5.0
    infos = node.get_publishers_info_by_topic(topic)
    while (not infos or any(info.node_name == '_NODE_NAME_UNKNOWN_' for info in infos)) and \
            time.monotonic() < names_deadline:
        rclpy.spin_once(node, timeout_sec=0.1)
        infos = node.get_publishers_info_by_topic(topic)
    report = {'raw': None, 'transforms': [], 'publishers': [
        {'node': info.node_name, 'type': info.topic_type,
         'hash': str(getattr(info, 'topic_type_hash', ''))}
        for info in infos]}
    if received:
        report['raw'] = received[0].hex()
        msg = deserialize_message(received[0], TFMessage)
        report['transforms'] = [{
            'sec': t.header.stamp.sec, 'nanosec': t.header.stamp.nanosec,
            'frame_id': t.header.frame_id, 'child_frame_id': t.child_frame_id,
            'translation': [t.transform.translation.x, t.transform.translation.y,
                            t.transform.translation.z],
            'rotation': [t.transform.rotation.x, t.transform.rotation.y,
                         t.transform.rotation.z, t.transform.rotation.w],
        } for t in msg.transforms]
    print(json.dumps(report), flush=True)
    node.destroy_node()
    rclpy.try_shutdown()


def _ros_env():
    """Return the children's environment: an own ROS domain, localhost only, Fast DDS."""
    return dict(os.environ, ROS_DOMAIN_ID=str(1 + os.getpid() % 100),
                ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST', RMW_IMPLEMENTATION='rmw_fastrtps_cpp')


def _child(*args):
    return subprocess.Popen([sys.executable, __file__, *args], env=_ros_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _upstream_typestore():
    from rosbags.typesys import get_typestore, Stores

    return get_typestore(Stores.ROS2_KILTED)


def test_tf_message_has_the_upstream_fields():
    from tf2_msgs.msg import TFMessage

    assert TFMessage.get_fields_and_field_types() == {
        'transforms': 'sequence<geometry_msgs/TransformStamped>'}
    msg = TFMessage()
    assert list(msg.transforms) == []
    upstream = _upstream_typestore().fielddefs[TYPE_NAME][1]
    assert [name for name, _ in upstream] == list(TFMessage.get_fields_and_field_types())


def test_two_processes_exchange_a_tf_message():
    nonce = uuid.uuid4().hex[:12]
    topic = f'/pip_probe_{nonce}/tf'
    child_frame_id = f'probe_{nonce}'
    listener = _child('listen', topic)
    talker = _child('talk', topic, child_frame_id)
    try:
        out, err = listener.communicate(timeout=LISTEN_S + 15.0)
    finally:
        for child in (listener, talker):
            if child.poll() is None:
                child.kill()
            child.communicate()
    assert listener.returncode == 0, err[-2000:]
    lines = [line for line in out.splitlines() if line.startswith('{')]
    assert lines, f'the listener printed no report:\n{out}\n{err[-2000:]}'
    report = json.loads(lines[-1])
    assert report['raw'] is not None, f'no message within {LISTEN_S} s: {report}'

    # What the generated Python class read from the wire.
    assert report['transforms'] == [dict(SENT, child_frame_id=child_frame_id)]

    # The same bytes with the upstream definition: the wire format real ROS 2 nodes use.
    store = _upstream_typestore()
    msg = store.deserialize_cdr(bytes.fromhex(report['raw']), TYPE_NAME)
    assert len(msg.transforms) == 1
    ts = msg.transforms[0]
    assert (ts.header.stamp.sec, ts.header.stamp.nanosec) == (SENT['sec'], SENT['nanosec'])
    assert (ts.header.frame_id, ts.child_frame_id) == (SENT['frame_id'], child_frame_id)
    t, q = ts.transform.translation, ts.transform.rotation
    assert [t.x, t.y, t.z] == SENT['translation']
    assert [q.x, q.y, q.z, q.w] == SENT['rotation']
    assert store.serialize_cdr(msg, TYPE_NAME) == bytes.fromhex(report['raw'])

    # The type as the graph announces it; ROS 2 before Iron has no type hashes.
    talkers = [p for p in report['publishers'] if p['node'] == 'pip_probe_talker']
    assert talkers and talkers[0]['type'] == TYPE_NAME, report['publishers']
    if talkers[0]['hash'] not in ('', 'INVALID'):
        assert talkers[0]['hash'] == store.hash_rihs01(TYPE_NAME)


if __name__ == '__main__':
    if sys.argv[1] == 'talk':
        _talk(sys.argv[2], sys.argv[3])
    else:
        _listen(sys.argv[2])
