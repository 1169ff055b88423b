# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Tests for robomamba_ros.ros.bag: MCAP rosbag2 writing and reading."""

from conftest import DISTROS, image_msg
import numpy as np
import pytest
from rosbags.typesys import get_types_from_msg
import yaml

from robomamba_ros.ros.bag import bag_size_bytes, bag_topics, BAG_VERSION, BagWriter, \
    CHUNK_COMPRESSION_KEY, DISTRO_KEY, mcap_chunk_compression, read_bag
from robomamba_ros.ros.messages import (
    camera_info_to_intrinsics,
    image_to_numpy,
    joint_state_to_numpy,
    make_camera_info,
    make_joint_state,
    make_pose_stamped,
    make_string,
    numpy_to_image,
    pose_stamped_to_numpy,
    string_msg_to_str,
    time_to_ns,
)

_K = np.array([[300.0, 0.0, 167.5], [0.0, 300.0, 167.5], [0.0, 0.0, 1.0]])
_MCAP_MAGIC = b'\x89MCAP0\r\n'


def _write_sample_bag(path, distro):
    """Write a few messages of several types; return what was written, in write order."""
    rgb = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    depth = np.array([[0, 500], [1000, 65535]], dtype=np.uint16)
    with BagWriter(path, distro=distro) as bag:
        types = bag.types
        written = [
            ('/camera/color/image_raw', 'sensor_msgs/msg/Image', 100,
             image_msg(types, rgb, 'rgb8', step=16, stamp_ns=100, frame_id='cam')),
            ('/camera/depth/image_raw', 'sensor_msgs/msg/Image', 110,
             image_msg(types, depth, '16UC1', is_bigendian=True, stamp_ns=110, frame_id='cam')),
            ('/camera/color/camera_info', 'sensor_msgs/CameraInfo', 120,
             make_camera_info(_K, 336, 336, types, 'cam', 120)),
            ('/robomamba/goal', 'geometry_msgs/msg/PoseStamped', 130,
             make_pose_stamped([0.5, 0.0, 0.2], [1.0, 0.0, 0.0, 0.0], 'world', 130, types)),
            ('/joint_states', 'sensor_msgs/msg/JointState', 140,
             make_joint_state(['j1', 'j2'], [0.1, 0.2], [], [], 140, types)),
            ('/joint_states', 'sensor_msgs/msg/JointState', 150,
             make_joint_state(['j1', 'j2'], [0.3, 0.4], [1.0, 2.0], [], 150, types)),
            ('/instruction', 'std_msgs/String', 160, make_string('pull the door', types)),
        ]
        # Out of time order on purpose: the reader returns time order.
        for topic, type_name, stamp_ns, msg in reversed(written):
            bag.write(topic, type_name, stamp_ns, msg)
    return written, rgb, depth


@pytest.mark.parametrize('distro', DISTROS)
def test_bag_roundtrip(tmp_path, distro):
    path = tmp_path / 'run'
    written, rgb, depth = _write_sample_bag(path, distro)

    meta = yaml.safe_load((path / 'metadata.yaml').read_text())['rosbag2_bagfile_information']
    assert meta['version'] == BAG_VERSION == 8
    assert meta['storage_identifier'] == 'mcap'
    assert meta['message_count'] == len(written)
    assert meta['custom_data'] == {DISTRO_KEY: distro, CHUNK_COMPRESSION_KEY: 'zstd'}
    # zstd MCAP chunks by default, which rosbag2 declares as no rosbag2 compression.
    assert meta['compression_mode'] == '' and meta['compression_format'] == ''
    (storage_file,) = meta['relative_file_paths']
    assert storage_file.endswith('.mcap')
    assert (path / storage_file).read_bytes()[:8] == _MCAP_MAGIC
    assert set(mcap_chunk_compression(path)) == {'zstd'}
    assert {t['topic_metadata']['type'] for t in meta['topics_with_message_count']} == {
        'sensor_msgs/msg/Image', 'sensor_msgs/msg/CameraInfo', 'geometry_msgs/msg/PoseStamped',
        'sensor_msgs/msg/JointState', 'std_msgs/msg/String'}

    assert bag_topics(path) == {
        '/camera/color/image_raw': ('sensor_msgs/msg/Image', 1),
        '/camera/depth/image_raw': ('sensor_msgs/msg/Image', 1),
        '/camera/color/camera_info': ('sensor_msgs/msg/CameraInfo', 1),
        '/robomamba/goal': ('geometry_msgs/msg/PoseStamped', 1),
        '/joint_states': ('sensor_msgs/msg/JointState', 2),
        '/instruction': ('std_msgs/msg/String', 1),
    }

    read = list(read_bag(path))
    assert [(m.topic, m.stamp_ns) for m in read] == [(w[0], w[2]) for w in written]
    assert [m.type_name for m in read] == [
        'sensor_msgs/msg/Image', 'sensor_msgs/msg/Image', 'sensor_msgs/msg/CameraInfo',
        'geometry_msgs/msg/PoseStamped', 'sensor_msgs/msg/JointState',
        'sensor_msgs/msg/JointState', 'std_msgs/msg/String']
    colour, depth_msg, info, goal, joints_a, joints_b, text = (m.msg for m in read)

    assert (colour.height, colour.width, colour.step, colour.encoding) == (4, 5, 16, 'rgb8')
    assert colour.header.frame_id == 'cam' and time_to_ns(colour.header.stamp) == 100
    np.testing.assert_array_equal(image_to_numpy(colour), rgb)
    assert depth_msg.is_bigendian == 1 and depth_msg.encoding == '16UC1'
    np.testing.assert_array_equal(image_to_numpy(depth_msg), depth)

    cam = camera_info_to_intrinsics(info)
    np.testing.assert_array_equal(cam.K, _K)
    assert (cam.width, cam.height, cam.distortion_model) == (336, 336, 'plumb_bob')

    position, quat, frame_id, stamp_ns = pose_stamped_to_numpy(goal)
    np.testing.assert_array_equal(position, [0.5, 0.0, 0.2])
    np.testing.assert_array_equal(quat, [1.0, 0.0, 0.0, 0.0])
    assert (frame_id, stamp_ns) == ('world', 130)

    a, b = joint_state_to_numpy(joints_a), joint_state_to_numpy(joints_b)
    assert a.names == b.names == ['j1', 'j2']
    np.testing.assert_array_equal(a.position, [0.1, 0.2])
    assert a.velocity.size == 0
    np.testing.assert_array_equal(b.velocity, [1.0, 2.0])
    assert string_msg_to_str(text) == 'pull the door'

    only = list(read_bag(path, topics=['/joint_states', '/instruction']))
    assert [m.stamp_ns for m in only] == [140, 150, 160]


def test_read_with_other_distro(tmp_path):
    path = tmp_path / 'humble_bag'
    _write_sample_bag(path, 'humble')
    read = list(read_bag(path, topics=['/robomamba/goal'], distro='jazzy'))
    assert pose_stamped_to_numpy(read[0].msg).frame_id == 'world'


def test_raw_bytes_and_sqlite3(tmp_path):
    path = tmp_path / 'db'
    with BagWriter(path, storage='sqlite3') as bag:
        raw = bag.types.serialize(make_string('hi', bag.types), 'std_msgs/msg/String')
        bag.write('/t', 'std_msgs/String', 5, raw)
    meta = yaml.safe_load((path / 'metadata.yaml').read_text())['rosbag2_bagfile_information']
    assert meta['storage_identifier'] == 'sqlite3'
    (msg,) = read_bag(path)
    assert string_msg_to_str(msg.msg) == 'hi' and msg.stamp_ns == 5


def test_custom_type_read_from_bag_definition(tmp_path):
    path = tmp_path / 'custom'
    definition = 'string label\nfloat64 score\n'
    with BagWriter(path) as bag:
        bag.types.typestore.register(get_types_from_msg(definition, 'robomamba_msgs/msg/Score'))
        msg = bag.types.new('robomamba_msgs/msg/Score', label='door', score=0.5)
        bag.write('/score', 'robomamba_msgs/msg/Score', 1, msg)
    (read,) = read_bag(path)
    assert read.type_name == 'robomamba_msgs/msg/Score'
    assert (read.msg.label, read.msg.score) == ('door', 0.5)


def test_writer_errors(tmp_path):
    existing = tmp_path / 'exists'
    existing.mkdir()
    with pytest.raises(FileExistsError, match='exists'):
        BagWriter(existing)
    with pytest.raises(ValueError, match='distro'):
        BagWriter(tmp_path / 'a', distro='rolling')
    with pytest.raises(ValueError, match='storage'):
        BagWriter(tmp_path / 'b', storage='ros1')
    assert not (tmp_path / 'a').exists() and not (tmp_path / 'b').exists()

    path = tmp_path / 'c'
    bag = BagWriter(path)
    msg = make_string('x', bag.types)
    bag.write('/s', 'std_msgs/msg/String', 1, msg)
    with pytest.raises(ValueError, match='std_msgs/msg/String'):
        bag.write('/s', 'std_msgs/msg/Bool', 2, bag.types.new('std_msgs/msg/Bool', data=True))
    with pytest.raises(ValueError, match='stamp_ns'):
        bag.write('/s', 'std_msgs/msg/String', -1, msg)
    with pytest.raises(ValueError, match='stamp_ns'):
        bag.write('/s', 'std_msgs/msg/String', 1.0, msg)
    with pytest.raises(ValueError, match='stamp_ns'):
        bag.write('/s', 'std_msgs/msg/String', True, msg)
    bag.write('/s', 'std_msgs/msg/String', np.int64(2), msg)
    with pytest.raises(ValueError, match='nope_msgs/msg/X'):
        bag.write('/n', 'nope_msgs/msg/X', 1, msg)
    with pytest.raises(ValueError, match='already added'):
        bag.add_topic('/s', 'std_msgs/msg/String')
    bag.close()
    bag.close()
    with pytest.raises(RuntimeError, match='not open'):
        bag.write('/s', 'std_msgs/msg/String', 3, msg)
    assert bag_topics(path) == {'/s': ('std_msgs/msg/String', 2)}
    assert [m.stamp_ns for m in read_bag(path)] == [1, 2]


def test_bag_is_readable_after_an_error_inside_with(tmp_path):
    path = tmp_path / 'partial'
    with pytest.raises(KeyError):
        with BagWriter(path) as bag:
            bag.write('/s', 'std_msgs/msg/String', 1, make_string('kept', bag.types))
            raise KeyError('boom')
    assert [string_msg_to_str(m.msg) for m in read_bag(path)] == ['kept']


def test_reader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing'):
        read_bag(tmp_path / 'missing')
    with pytest.raises(FileNotFoundError, match='missing'):
        bag_topics(tmp_path / 'missing')
    path = tmp_path / 'ok'
    with BagWriter(path) as bag:
        bag.write('/s', 'std_msgs/msg/String', 1, make_string('x', bag.types))
    with pytest.raises(ValueError, match='/nope'):
        read_bag(path, topics=['/nope'])
    with pytest.raises(ValueError, match='distro'):
        read_bag(path, distro='iron')
    assert list(read_bag(path, topics=[])) == []


@pytest.mark.parametrize('distro', DISTROS)
def test_chunk_compression_is_read_back_by_both_typestores(tmp_path, distro):
    frames = []
    for compression in ('zstd', 'none'):
        path = tmp_path / compression
        with BagWriter(path, distro=distro, compression=compression) as bag:
            assert bag.compression == compression
            bag.set_custom_data('robomamba_ros.test', 1.5)
            for k in range(8):
                # A flat picture with a few edges, like the rendered scenes.
                rgb = np.full((120, 160, 3), 200, np.uint8)
                rgb[40:80, 20 + k:90 + k] = (150, 110, 70)
                bag.write('/camera/color/image_raw', 'sensor_msgs/msg/Image', 100 * k,
                          numpy_to_image(rgb, 'rgb8', bag.types, 100 * k, 'cam'))
                bag.write('/instruction', 'std_msgs/msg/String', 100 * k + 1,
                          make_string(f'pull {k}', bag.types))
        meta = yaml.safe_load((path / 'metadata.yaml').read_text())
        meta = meta['rosbag2_bagfile_information']
        assert meta['version'] == BAG_VERSION and meta['storage_identifier'] == 'mcap'
        assert meta['compression_mode'] == '' and meta['compression_format'] == ''
        assert meta['custom_data']['robomamba_ros.test'] == '1.5'
        assert (CHUNK_COMPRESSION_KEY in meta['custom_data']) == (compression == 'zstd')
        chunks = mcap_chunk_compression(path)
        (name,) = chunks
        assert name == ('zstd' if compression == 'zstd' else '')
        stats = chunks[name]
        assert stats['chunks'] >= 1 and stats['uncompressed_bytes'] > 8 * 120 * 160 * 3
        if compression == 'none':
            assert stats['compressed_bytes'] == stats['uncompressed_bytes']
        else:
            assert stats['compressed_bytes'] * 20 < stats['uncompressed_bytes']
        assert bag_size_bytes(path) == sum(f.stat().st_size for f in path.iterdir())
        assert bag_size_bytes(path / f'{compression}.mcap') < bag_size_bytes(path)
        for reader_distro in DISTROS:
            read = list(read_bag(path, distro=reader_distro))
            assert len(read) == 16
            frames.append([image_to_numpy(m.msg) for m in read if m.topic != '/instruction'])
            assert [string_msg_to_str(m.msg) for m in read if m.topic == '/instruction'] == [
                f'pull {k}' for k in range(8)]
    for other in frames[1:]:
        np.testing.assert_array_equal(np.stack(other), np.stack(frames[0]))
    assert bag_size_bytes(tmp_path / 'zstd') * 10 < bag_size_bytes(tmp_path / 'none')


def test_compression_errors(tmp_path):
    with pytest.raises(ValueError, match='compression'):
        BagWriter(tmp_path / 'a', compression='lz4')
    with pytest.raises(ValueError, match='sqlite3'):
        BagWriter(tmp_path / 'b', storage='sqlite3', compression='zstd')
    with BagWriter(tmp_path / 'c', storage='sqlite3') as bag:
        assert bag.compression == 'none'
    not_mcap = tmp_path / 'x.mcap'
    not_mcap.write_bytes(b'not an mcap file')
    with pytest.raises(ValueError, match='not an MCAP'):
        mcap_chunk_compression(not_mcap)
    with pytest.raises(FileNotFoundError):
        mcap_chunk_compression(tmp_path / 'missing')
    with pytest.raises(FileNotFoundError):
        bag_size_bytes(tmp_path / 'missing')
