# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Tests for robomamba_ros.ros.type_source: type sources for rosbags and rclpy."""

import array
import importlib
import subprocess
import sys
import types as pytypes

from conftest import DISTROS, image_msg, REPO_ROOT
import numpy as np
import pytest

from robomamba_ros.ros.type_source import (
    as_uint8_vector,
    import_interface,
    make_type_source,
    normalize_type_name,
    RclpyTypes,
    RosbagsTypes,
)


@pytest.fixture(scope='module', params=DISTROS)
def types(request):
    return RosbagsTypes(request.param)


def test_normalize_type_name():
    assert normalize_type_name('sensor_msgs/msg/Image') == 'sensor_msgs/msg/Image'
    assert normalize_type_name('sensor_msgs/Image') == 'sensor_msgs/msg/Image'
    for bad in ['Image', 'sensor_msgs/srv/SetBool', 'a//b', '/msg/Image', 'a/msg/b/c', '', 3]:
        with pytest.raises(ValueError, match='type name'):
            normalize_type_name(bad)


def test_get_accepts_long_and_short_names(types):
    long_cls = types.get('sensor_msgs/msg/Image')
    assert types.get('sensor_msgs/Image') is long_cls
    assert long_cls.__msgtype__ == 'sensor_msgs/msg/Image'
    assert types.get('geometry_msgs/msg/PoseStamped').__msgtype__ == (
        'geometry_msgs/msg/PoseStamped')


def test_unknown_type_names_the_type(types):
    with pytest.raises(ValueError, match='no_such_pkg/msg/Thing'):
        types.get('no_such_pkg/msg/Thing')
    with pytest.raises(ValueError, match='sensor_msgs/msg/NotAType'):
        types.get('sensor_msgs/NotAType')


def test_bad_distro():
    with pytest.raises(ValueError, match='distro'):
        RosbagsTypes('noetic')


def test_make_type_source():
    assert make_type_source('humble').distro == 'humble'
    assert make_type_source('rosbags-jazzy').distro == 'jazzy'
    assert isinstance(make_type_source('rclpy'), RclpyTypes)
    with pytest.raises(ValueError, match='iron'):
        make_type_source('iron')


def test_new_requires_every_field(types):
    # rosbags classes have no defaults: a missing field must fail loudly, not default silently.
    with pytest.raises(TypeError):
        types.new('std_msgs/msg/Header', frame_id='x')
    header = types.new('std_msgs/msg/Header',
                       stamp=types.new('builtin_interfaces/msg/Time', sec=1, nanosec=2),
                       frame_id='x')
    assert header.stamp.nanosec == 2


def test_rosbags_array_helpers_copy(types):
    source = np.arange(10, dtype=np.uint8)
    out = types.uint8_array(source)
    assert out.dtype == np.uint8 and not np.shares_memory(out, source)
    np.testing.assert_array_equal(out, source)
    np.testing.assert_array_equal(types.uint8_array(b'\x01\x02'), [1, 2])
    np.testing.assert_array_equal(types.uint8_array(array.array('B', [3, 4])), [3, 4])
    values = types.float64_array([1, 2.5])
    assert values.dtype == np.float64 and values.tolist() == [1.0, 2.5]
    fixed = types.float64_fixed(np.eye(3), 9)
    assert fixed.shape == (9,) and fixed.dtype == np.float64
    with pytest.raises(ValueError, match='float64\\[9\\]'):
        types.float64_fixed([1.0, 2.0], 9)


def test_as_uint8_vector_forms():
    np.testing.assert_array_equal(as_uint8_vector([0, 255, 7]), [0, 255, 7])
    np.testing.assert_array_equal(as_uint8_vector(bytearray(b'\x09')), [9])
    np.testing.assert_array_equal(as_uint8_vector(memoryview(b'ab')), [97, 98])
    with pytest.raises(ValueError, match='data'):
        as_uint8_vector(np.zeros(3, dtype=np.uint16))
    with pytest.raises(ValueError, match='Image.data'):
        as_uint8_vector(array.array('d', [1.0]), 'Image.data')
    with pytest.raises(ValueError, match='data'):
        as_uint8_vector([1, 256])
    with pytest.raises(ValueError, match='data'):
        as_uint8_vector(12)


def test_serialize_roundtrip_and_bytes(types):
    msg = types.new('std_msgs/msg/String', data='hello')
    raw = types.serialize(msg, 'std_msgs/String')
    assert isinstance(raw, bytes)
    # CDR little-endian encapsulation header, then uint32 length 6 (with NUL) and the text.
    assert raw[:4] == b'\x00\x01\x00\x00'
    assert raw[4:8] == (6).to_bytes(4, 'little') and raw[8:14] == b'hello\x00'
    assert types.deserialize(raw, 'std_msgs/msg/String').data == 'hello'


def test_deserialize_garbage_raises_value_error(types):
    with pytest.raises(ValueError, match='std_msgs/msg/String'):
        types.deserialize(b'\x00\x01\x00\x00\xff\xff\xff\x7f', 'std_msgs/msg/String')
    with pytest.raises(ValueError, match='unknown'):
        types.deserialize(b'\x00\x01\x00\x00', 'foo_msgs/msg/Bar')


def test_modules_do_not_import_rclpy_or_rosbags():
    code = (
        'import sys\n'
        'import robomamba_ros.ros, robomamba_ros.ros.type_source, robomamba_ros.ros.messages\n'
        'bad = [m for m in sys.modules if m.split(".")[0] in ("rclpy", "rosbags", '
        '"rosidl_runtime_py")]\n'
        'assert not bad, bad\n'
    )
    subprocess.run([sys.executable, '-c', code], check=True, cwd=REPO_ROOT)


@pytest.fixture
def fake_interfaces(monkeypatch):
    """Stand in for generated ``pkg.msg`` modules with the humble rosbags typestore's classes."""
    store = RosbagsTypes('humble').typestore
    imported = []
    real_import = importlib.import_module

    def import_module(name, package=None):
        pkg, _, kind = name.partition('.')
        if kind not in ('msg', 'srv'):
            return real_import(name, package)
        imported.append(name)
        prefix = f'{pkg}/{kind}/'
        members = {t[len(prefix):]: cls for t, cls in store.types.items()
                   if t.startswith(prefix)}
        if not members:
            raise ModuleNotFoundError(f"No module named '{name}'")
        module = pytypes.ModuleType(name)
        module.__dict__.update(members)
        return module

    monkeypatch.setattr(importlib, 'import_module', import_module)
    return imported


def test_rclpy_types_import_generated_modules(fake_interfaces):
    types = RclpyTypes()
    cls = types.get('sensor_msgs/Image')
    assert cls.__msgtype__ == 'sensor_msgs/msg/Image'
    assert types.get('sensor_msgs/msg/Image') is cls
    # One import of the package's msg module, thanks to the cache.
    assert fake_interfaces == ['sensor_msgs.msg']
    with pytest.raises(ValueError, match='sensor_msgs/msg/Nope'):
        types.get('sensor_msgs/msg/Nope')
    with pytest.raises(ValueError, match='nopkg/msg/Nope'):
        types.get('nopkg/msg/Nope')
    with pytest.raises(ValueError, match='malformed srv type name'):
        import_interface('std_srvs/msg/Trigger', 'srv')


def test_rclpy_array_forms():
    types = RclpyTypes()
    data = types.uint8_array(np.array([1, 2, 250], dtype=np.uint8))
    assert isinstance(data, array.array) and data.typecode == 'B' and list(data) == [1, 2, 250]
    values = types.float64_array(np.array([0.5, -1.0]))
    assert isinstance(values, array.array) and values.typecode == 'd'
    assert list(values) == [0.5, -1.0]
    fixed = types.float64_fixed(range(9), 9)
    assert isinstance(fixed, np.ndarray) and fixed.dtype == np.float64


def test_rclpy_types_real():
    pytest.importorskip('sensor_msgs.msg', reason='needs the ROS 2 message packages')
    from robomamba_ros.ros.messages import image_to_numpy

    types = RclpyTypes()
    with pytest.raises(ValueError, match='no_such_pkg'):
        types.get('no_such_pkg/msg/X')
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    msg = image_msg(types, pixels, 'rgb8', step=13, stamp_ns=5, frame_id='cam')
    assert type(msg).__name__ == 'Image'
    np.testing.assert_array_equal(image_to_numpy(msg), pixels)
