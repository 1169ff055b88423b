# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Tests for robomamba_ros.ros.messages.

Every message built here goes through a CDR serialise/deserialise round trip (Humble and Jazzy
typestores) before it is read back, so the tests see what a subscriber would receive.
"""

import math

from conftest import cdr_round_trip as wire, DISTROS, image_msg
from hypothesis import given, settings
from hypothesis import strategies as st
import numpy as np
import pytest

from robomamba_ros.ros.messages import (
    bool_msg_to_bool,
    camera_info_to_intrinsics,
    depth_image_to_m,
    IMAGE_ENCODINGS,
    image_to_numpy,
    image_to_rgb,
    joint_state_to_numpy,
    make_bool,
    make_camera_info,
    make_header,
    make_joint_state,
    make_pose_stamped,
    make_string,
    make_twist_stamped,
    ns_to_time,
    numpy_to_image,
    pose_stamped_to_numpy,
    string_msg_to_str,
    time_to_ns,
    twist_stamped_to_numpy,
)
from robomamba_ros.ros.type_source import RosbagsTypes

_TYPES = {}


def get_types(distro):
    # Built once per distro: hypothesis tests cannot take function-scoped fixtures.
    if distro not in _TYPES:
        _TYPES[distro] = RosbagsTypes(distro)
    return _TYPES[distro]


@pytest.fixture(params=DISTROS)
def types(request):
    return get_types(request.param)


def raw_image(types, height, width, encoding, step, data, is_bigendian=0):
    """Build an Image field by field, independent of numpy_to_image."""
    return types.new('sensor_msgs/msg/Image', header=make_header('cam', 0, types),
                     height=height, width=width, encoding=encoding, is_bigendian=is_bigendian,
                     step=step, data=np.frombuffer(bytes(data), dtype=np.uint8).copy())


# --------------------------------------------------------------------------------------------
# Time and header


def test_time_roundtrip(types):
    for ns in [0, 1, 999_999_999, 1_000_000_000, 1_700_000_000_123_456_789, (2**31 - 1) * 10**9]:
        t = wire(types, ns_to_time(ns, types))
        assert 0 <= t.nanosec < 1_000_000_000
        assert time_to_ns(t) == ns
    t = ns_to_time(1_999_999_999, types)
    assert (t.sec, t.nanosec) == (1, 999_999_999)


def test_time_errors(types):
    with pytest.raises(ValueError, match='stamp_ns'):
        ns_to_time(-1, types)
    with pytest.raises(ValueError, match='stamp_ns'):
        ns_to_time(1.5, types)
    with pytest.raises(ValueError, match='stamp_ns'):
        ns_to_time(True, types)
    with pytest.raises(ValueError, match='int32'):
        ns_to_time(2**31 * 10**9, types)
    bad = types.new('builtin_interfaces/msg/Time', sec=1, nanosec=1_000_000_000)
    with pytest.raises(ValueError, match='nanosec'):
        time_to_ns(bad)
    assert ns_to_time(np.int64(7), types).nanosec == 7


def test_header(types):
    header = wire(types, make_header('panda_link0', 3_000_000_005, types))
    assert header.frame_id == 'panda_link0'
    assert (header.stamp.sec, header.stamp.nanosec) == (3, 5)
    with pytest.raises(ValueError, match='frame_id'):
        make_header(None, 0, types)


# --------------------------------------------------------------------------------------------
# Image: round trips and known values

_SAMPLES = {
    'rgb8': np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3),
    'bgr8': (np.arange(2 * 3 * 3, dtype=np.uint8) * 7).reshape(2, 3, 3),
    'rgba8': np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
    'bgra8': (255 - np.arange(2 * 3 * 4, dtype=np.uint8)).reshape(2, 3, 4),
    'mono8': np.array([[0, 1, 255], [128, 7, 9]], dtype=np.uint8),
    'mono16': np.array([[0, 1, 65535], [256, 4660, 9]], dtype=np.uint16),
    '16UC1': np.array([[0, 1000, 65535], [258, 1, 2]], dtype=np.uint16),
    '32FC1': np.array([[0.0, 1.5, np.nan], [np.inf, -2.25, 1e-30]], dtype=np.float32),
}


@pytest.mark.parametrize('encoding', sorted(_SAMPLES))
@pytest.mark.parametrize('is_bigendian', [False, True])
@pytest.mark.parametrize('pad', [0, 3])
def test_image_roundtrip(types, encoding, is_bigendian, pad):
    pixels = _SAMPLES[encoding]
    dtype, channels = IMAGE_ENCODINGS[encoding]
    row_bytes = pixels.shape[1] * channels * dtype.itemsize
    if pad or is_bigendian:
        msg = image_msg(types, pixels, encoding, step=row_bytes + pad,
                        is_bigendian=is_bigendian, stamp_ns=42, frame_id='cam_optical')
    else:
        msg = numpy_to_image(pixels, encoding, types, stamp_ns=42, frame_id='cam_optical')
    msg = wire(types, msg)
    assert (msg.height, msg.width, msg.step) == (2, 3, row_bytes + pad)
    assert msg.encoding == encoding and bool(msg.is_bigendian) == is_bigendian
    assert msg.header.frame_id == 'cam_optical' and time_to_ns(msg.header.stamp) == 42
    out = image_to_numpy(msg)
    assert out.dtype == dtype and out.dtype.isnative and out.shape == pixels.shape
    assert out.tobytes() == pixels.tobytes()
    assert not np.shares_memory(out, msg.data)
    out[...] = 0
    assert image_to_numpy(msg).tobytes() == pixels.tobytes()


def test_image_accepts_non_native_and_hwc1_input(types):
    pixels = np.array([[1, 2], [3, 4]], dtype='>u2')
    msg = wire(types, numpy_to_image(pixels[:, :, None], '16UC1', types))
    np.testing.assert_array_equal(image_to_numpy(msg), [[1, 2], [3, 4]])
    # Little-endian on the wire by default: 1 -> 01 00.
    assert bytes(msg.data[:2]) == b'\x01\x00'


def test_big_endian_16uc1_known_values(types):
    data = b'\x00\x01\x01\x02\xff\xfe' + b'\x12\x34\x00\x00\x80\x00'
    msg = wire(types, raw_image(types, 2, 3, '16UC1', 6, data, is_bigendian=1))
    out = image_to_numpy(msg)
    assert out.dtype == np.dtype(np.uint16) and out.dtype.isnative
    np.testing.assert_array_equal(out, [[1, 258, 65534], [0x1234, 0, 0x8000]])
    little = wire(types, raw_image(types, 2, 3, '16UC1', 6, data, is_bigendian=0))
    np.testing.assert_array_equal(image_to_numpy(little), [[256, 513, 65279],
                                                           [0x3412, 0, 0x0080]])


def test_big_endian_32fc1_known_values(types):
    data = np.array([1.5, -0.25], dtype='>f4').tobytes()
    msg = wire(types, raw_image(types, 1, 2, '32FC1', 8, data, is_bigendian=1))
    np.testing.assert_array_equal(image_to_numpy(msg), [[1.5, -0.25]])


def test_padded_rows_are_ignored(types):
    # mono8 2x3 with step 5: the two padding bytes per row hold junk.
    data = bytes([1, 2, 3, 0xAA, 0xBB, 4, 5, 6, 0xCC, 0xDD])
    msg = wire(types, raw_image(types, 2, 3, 'mono8', 5, data))
    np.testing.assert_array_equal(image_to_numpy(msg), [[1, 2, 3], [4, 5, 6]])
    # rgb8 1x1 with step 4.
    msg = wire(types, raw_image(types, 2, 1, 'rgb8', 4, bytes([9, 8, 7, 0xFF, 6, 5, 4, 0xFF])))
    np.testing.assert_array_equal(image_to_numpy(msg), [[[9, 8, 7]], [[6, 5, 4]]])


def test_bgr8_to_rgb(types):
    bgr = np.array([[[255, 0, 0], [0, 0, 255]], [[10, 20, 30], [0, 255, 0]]], dtype=np.uint8)
    msg = wire(types, numpy_to_image(bgr, 'bgr8', types))
    rgb = image_to_rgb(msg)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 2, 3) and rgb.flags.c_contiguous
    np.testing.assert_array_equal(rgb[0, 0], [0, 0, 255])   # pure blue
    np.testing.assert_array_equal(rgb[0, 1], [255, 0, 0])   # pure red
    np.testing.assert_array_equal(rgb[1, 0], [30, 20, 10])
    np.testing.assert_array_equal(rgb[1, 1], [0, 255, 0])


def test_other_encodings_to_rgb(types):
    rgb = np.arange(2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 3)
    alpha = np.full((2, 2, 1), 99, dtype=np.uint8)
    cases = {
        'rgb8': rgb,
        'rgba8': np.concatenate([rgb, alpha], axis=2),
        'bgra8': np.concatenate([rgb[:, :, ::-1], alpha], axis=2),
    }
    for encoding, pixels in cases.items():
        out = image_to_rgb(wire(types, numpy_to_image(pixels, encoding, types)))
        np.testing.assert_array_equal(out, rgb, err_msg=encoding)
    grey = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    out = image_to_rgb(wire(types, numpy_to_image(grey, 'mono8', types)))
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out, np.stack([grey] * 3, axis=2))


def test_depth_16uc1_mm_to_m(types):
    mm = np.array([[0, 1000, 1], [65535, 250, 0]], dtype=np.uint16)
    for encoding in ['16UC1', 'mono16']:
        depth = depth_image_to_m(wire(types, numpy_to_image(mm, encoding, types)))
        assert depth.dtype == np.float32 and depth.shape == (2, 3)
        assert math.isnan(depth[0, 0]) and math.isnan(depth[1, 2])
        assert depth[0, 1] == 1.0
        np.testing.assert_allclose(depth[[0, 1, 1], [2, 0, 1]], [0.001, 65.535, 0.25],
                                   rtol=1e-7)


def test_depth_32fc1_invalid_readings(types):
    metres = np.array([[0.0, 1.25, np.nan], [np.inf, -np.inf, -0.5]], dtype=np.float32)
    depth = depth_image_to_m(wire(types, image_msg(types, metres, '32FC1', is_bigendian=True)))
    assert depth.dtype == np.float32
    assert depth[0, 1] == 1.25
    assert np.isnan(depth).sum() == 5


# --------------------------------------------------------------------------------------------
# Image: every ValueError path


def test_image_read_errors(types):
    ok = bytes(range(6))
    with pytest.raises(ValueError, match='encoding'):
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'yuv422', 6, ok)))
    with pytest.raises(ValueError, match='encoding'):
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'RGB8', 6, ok)))
    with pytest.raises(ValueError, match='height'):
        image_to_numpy(wire(types, raw_image(types, 0, 3, 'mono8', 3, b'')))
    with pytest.raises(ValueError, match='width'):
        image_to_numpy(wire(types, raw_image(types, 2, 0, 'mono8', 0, b'')))
    with pytest.raises(ValueError, match='step'):
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'mono16', 5, bytes(10))))
    with pytest.raises(ValueError, match='data'):
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'mono8', 3, bytes(5))))
    with pytest.raises(ValueError, match='data'):
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'mono8', 3, bytes(7))))
    with pytest.raises(ValueError, match='data'):
        # Padded step: data sized for the unpadded rows is too short.
        image_to_numpy(wire(types, raw_image(types, 2, 3, 'mono8', 4, bytes(6))))


def test_image_to_rgb_and_depth_reject_wrong_encodings(types):
    depth = wire(types, numpy_to_image(np.ones((2, 2), np.uint16), '16UC1', types))
    colour = wire(types, numpy_to_image(np.ones((2, 2, 3), np.uint8), 'rgb8', types))
    with pytest.raises(ValueError, match='encoding'):
        image_to_rgb(depth)
    with pytest.raises(ValueError, match='encoding'):
        depth_image_to_m(colour)


def test_image_write_errors(types):
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match='encoding'):
        numpy_to_image(rgb, 'rgb16', types)
    with pytest.raises(ValueError, match='dtype'):
        numpy_to_image(rgb.astype(np.uint16), 'rgb8', types)
    with pytest.raises(ValueError, match='dtype'):
        numpy_to_image(np.zeros((2, 3), np.float64), '32FC1', types)
    with pytest.raises(ValueError, match='dtype'):
        numpy_to_image(np.zeros((2, 3), np.int16), '16UC1', types)
    with pytest.raises(ValueError, match='shape'):
        numpy_to_image(rgb, 'rgba8', types)
    with pytest.raises(ValueError, match='shape'):
        numpy_to_image(rgb, 'mono8', types)
    with pytest.raises(ValueError, match='shape'):
        numpy_to_image(np.zeros((2, 3), np.uint8), 'rgb8', types)
    with pytest.raises(ValueError, match='shape'):
        numpy_to_image(np.zeros(6, np.uint8), 'mono8', types)
    with pytest.raises(ValueError, match='ndarray'):
        numpy_to_image([[1, 2]], 'mono8', types)
    with pytest.raises(ValueError, match='height'):
        numpy_to_image(np.zeros((0, 3), np.uint8), 'mono8', types)
    with pytest.raises(ValueError, match='width'):
        numpy_to_image(np.zeros((2, 0, 3), np.uint8), 'rgb8', types)
    with pytest.raises(ValueError, match='stamp_ns'):
        numpy_to_image(rgb, 'rgb8', types, stamp_ns=-5)


# --------------------------------------------------------------------------------------------
# Image: fuzzing


@st.composite
def image_cases(draw):
    encoding = draw(st.sampled_from(sorted(IMAGE_ENCODINGS)))
    dtype, channels = IMAGE_ENCODINGS[encoding]
    height = draw(st.integers(1, 16))
    width = draw(st.integers(1, 16))
    shape = (height, width) if channels == 1 else (height, width, channels)
    nbytes = height * width * channels * dtype.itemsize
    # Raw bytes, so 32FC1 covers NaN payloads, infinities, subnormals and negative zero.
    pixels = np.frombuffer(draw(st.binary(min_size=nbytes, max_size=nbytes)),
                           dtype=dtype).reshape(shape).copy()
    extra = draw(st.integers(-3, 7))
    big = draw(st.booleans())
    garbage = draw(st.one_of(st.just(0), st.integers(-40, 40)))
    filler = draw(st.integers(0, 255))
    return encoding, pixels, extra, big, garbage, filler


@pytest.mark.parametrize('distro', DISTROS)
@settings(max_examples=100, deadline=None)
@given(case=image_cases())
def test_image_fuzz(distro, case):
    types = get_types(distro)
    encoding, pixels, extra, big, garbage, filler = case
    dtype, channels = IMAGE_ENCODINGS[encoding]
    height, width = pixels.shape[:2]
    row_bytes = width * channels * dtype.itemsize
    step = row_bytes + extra
    if extra < 0:
        step = max(step, 0)  # Image.step is uint32
        bad = raw_image(types, height, width, encoding, step, bytes(height * step), int(big))
        with pytest.raises(ValueError, match='step'):
            image_to_numpy(wire(types, bad))
        return
    if extra or big:
        msg = wire(types, image_msg(types, pixels, encoding, step=step, is_bigendian=big))
    else:
        msg = wire(types, numpy_to_image(pixels, encoding, types))
    # The bytes on the wire follow the message's declared layout, checked independently.
    rows = pixels.astype(dtype.newbyteorder('>' if big else '<')).reshape(height, -1)
    expected = b''.join(r.tobytes() + bytes(extra) for r in rows)
    assert bytes(msg.data) == expected
    if garbage:
        data = bytes(msg.data)
        data = data[:max(0, len(data) + garbage)] if garbage < 0 else data + bytes(
            [filler]) * garbage
        corrupt = raw_image(types, height, width, encoding, step, data, msg.is_bigendian)
        with pytest.raises(ValueError, match='data'):
            image_to_numpy(wire(types, corrupt))
        return
    out = image_to_numpy(msg)
    assert out.dtype == dtype and out.dtype.isnative and out.shape == pixels.shape
    # Bitwise, so NaN payloads must survive too.
    assert out.tobytes() == pixels.astype(dtype).tobytes()


# --------------------------------------------------------------------------------------------
# CameraInfo

_K = np.array([[615.0, 0.0, 319.5], [0.0, 617.5, 239.5], [0.0, 0.0, 1.0]])


def test_camera_info_roundtrip(types):
    msg = wire(types, make_camera_info(_K, 640, 480, types, 'cam_optical', 12,
                                       D=[0.1, -0.2, 0.001, 0.002, 0.05]))
    assert msg.distortion_model == 'plumb_bob'
    np.testing.assert_array_equal(np.asarray(msg.p).reshape(3, 4)[:, :3], _K)
    np.testing.assert_array_equal(np.asarray(msg.r).reshape(3, 3), np.eye(3))
    cam = camera_info_to_intrinsics(msg)
    assert cam.K.shape == (3, 3) and cam.K.dtype == np.float64
    np.testing.assert_array_equal(cam.K, _K)
    np.testing.assert_array_equal(cam.D, [0.1, -0.2, 0.001, 0.002, 0.05])
    assert (cam.width, cam.height, cam.frame_id) == (640, 480, 'cam_optical')
    assert (cam.fx, cam.fy, cam.cx, cam.cy) == (615.0, 617.5, 319.5, 239.5)
    with pytest.raises(ValueError):
        cam.K[0, 0] = 1.0
    with pytest.raises(AttributeError):
        cam.width = 3


def test_camera_info_default_distortion(types):
    sizes = {'plumb_bob': 5, 'rational_polynomial': 8, 'equidistant': 4, 'none': 0}
    for model, size in sizes.items():
        msg = wire(types, make_camera_info(_K, 64, 48, types, 'c', 0, distortion_model=model))
        cam = camera_info_to_intrinsics(msg)
        assert cam.distortion_model == model
        np.testing.assert_array_equal(cam.D, np.zeros(size))


def _camera_info_with(types, **changes):
    fields = {
        'header': make_header('c', 0, types), 'height': 480, 'width': 640,
        'distortion_model': 'plumb_bob', 'd': np.zeros(5), 'k': _K.ravel().copy(),
        'r': np.eye(3).ravel(), 'p': np.zeros(12), 'binning_x': 0, 'binning_y': 0,
        'roi': types.new('sensor_msgs/msg/RegionOfInterest', x_offset=0, y_offset=0, height=0,
                         width=0, do_rectify=False),
    }
    fields.update(changes)
    return wire(types, types.new('sensor_msgs/msg/CameraInfo', **fields))


def test_camera_info_errors(types):
    nan_k = _K.ravel().copy()
    nan_k[2] = np.nan
    neg_k = _K.ravel().copy()
    neg_k[4] = -1.0
    cases = [
        ({'k': np.zeros(9)}, 'k.*zeros'),
        ({'k': nan_k}, 'k.*finite'),
        ({'k': neg_k}, 'k.*focal'),
        ({'width': 0}, 'width'),
        ({'height': 0}, 'height'),
        ({'d': np.array([0.0, np.inf])}, 'd.*finite'),
    ]
    for changes, pattern in cases:
        with pytest.raises(ValueError, match=f'CameraInfo.{pattern}'):
            camera_info_to_intrinsics(_camera_info_with(types, **changes))
    assert camera_info_to_intrinsics(_camera_info_with(types)).width == 640


def test_make_camera_info_errors(types):
    with pytest.raises(ValueError, match='K.*zeros'):
        make_camera_info(np.zeros((3, 3)), 64, 48, types, 'c', 0)
    with pytest.raises(ValueError, match='K.*9'):
        make_camera_info(np.eye(2), 64, 48, types, 'c', 0)
    with pytest.raises(ValueError, match='K.*finite'):
        make_camera_info(np.full((3, 3), np.inf), 64, 48, types, 'c', 0)
    with pytest.raises(ValueError, match='width'):
        make_camera_info(_K, 0, 48, types, 'c', 0)
    with pytest.raises(ValueError, match='height'):
        make_camera_info(_K, 64, -1, types, 'c', 0)
    with pytest.raises(ValueError, match='width'):
        make_camera_info(_K, 64.0, 48, types, 'c', 0)
    with pytest.raises(ValueError, match='D'):
        make_camera_info(_K, 64, 48, types, 'c', 0, D=[np.nan] * 5)


# --------------------------------------------------------------------------------------------
# PoseStamped, TwistStamped


def test_pose_stamped_roundtrip(types):
    msg = wire(types, make_pose_stamped([0.4, -0.1, 0.3], [0.0, 0.0, 0.0, 2.0], 'panda_link0',
                                        1_500_000_000, types))
    position, quat, frame_id, stamp_ns = pose_stamped_to_numpy(msg)
    np.testing.assert_array_equal(position, [0.4, -0.1, 0.3])
    np.testing.assert_array_equal(quat, [0.0, 0.0, 0.0, 1.0])
    assert (frame_id, stamp_ns) == ('panda_link0', 1_500_000_000)
    assert position.dtype == np.float64 and quat.shape == (4,)
    q = np.array([1.0, -2.0, 3.0, 0.5])
    data = pose_stamped_to_numpy(wire(types, make_pose_stamped(np.zeros(3), q, 'w', 0, types)))
    np.testing.assert_allclose(data.quat_xyzw, q / np.linalg.norm(q), rtol=0, atol=1e-15)
    # make(*read(msg)) reproduces the message.
    again = pose_stamped_to_numpy(wire(types, make_pose_stamped(*data, types)))
    np.testing.assert_array_equal(again.quat_xyzw, data.quat_xyzw)


def test_pose_stamped_errors(types):
    with pytest.raises(ValueError, match='quat_xyzw.*zero'):
        make_pose_stamped([0, 0, 0], [0, 0, 0, 0], 'w', 0, types)
    with pytest.raises(ValueError, match='quat_xyzw.*finite'):
        make_pose_stamped([0, 0, 0], [0, 0, np.nan, 1], 'w', 0, types)
    with pytest.raises(ValueError, match='position.*finite'):
        make_pose_stamped([0, np.inf, 0], [0, 0, 0, 1], 'w', 0, types)
    with pytest.raises(ValueError, match='position.*shape'):
        make_pose_stamped([0, 0], [0, 0, 0, 1], 'w', 0, types)
    with pytest.raises(ValueError, match='quat_xyzw.*shape'):
        make_pose_stamped([0, 0, 0], [0, 0, 1], 'w', 0, types)
    with pytest.raises(ValueError, match='stamp_ns'):
        make_pose_stamped([0, 0, 0], [0, 0, 0, 1], 'w', -1, types)
    with pytest.raises(ValueError, match='quat_xyzw.*zero'):
        make_pose_stamped([0, 0, 0], [1e-12, 0, 0, 0], 'w', 0, types)


def test_twist_stamped_roundtrip(types):
    msg = wire(types, make_twist_stamped([0.1, 0.0, -0.2], [0.0, 0.5, 0.0], 'panda_hand', 7,
                                         types))
    linear, angular, frame_id, stamp_ns = twist_stamped_to_numpy(msg)
    np.testing.assert_array_equal(linear, [0.1, 0.0, -0.2])
    np.testing.assert_array_equal(angular, [0.0, 0.5, 0.0])
    assert (frame_id, stamp_ns) == ('panda_hand', 7)
    with pytest.raises(ValueError, match='angular'):
        make_twist_stamped([0, 0, 0], [np.nan, 0, 0], 'f', 0, types)
    with pytest.raises(ValueError, match='linear'):
        make_twist_stamped([0, 0], [0, 0, 0], 'f', 0, types)


# --------------------------------------------------------------------------------------------
# JointState

_NAMES = [f'panda_joint{i}' for i in range(1, 8)]


def test_joint_state_roundtrip(types):
    position = np.linspace(-1.0, 1.0, 7)
    velocity = np.arange(7) * 0.1
    msg = wire(types, make_joint_state(_NAMES, position, velocity, [], 99, types))
    names, pos, vel, eff, stamp_ns = joint_state_to_numpy(msg)
    assert names == _NAMES and stamp_ns == 99
    np.testing.assert_array_equal(pos, position)
    np.testing.assert_array_equal(vel, velocity)
    assert eff.shape == (0,) and eff.dtype == np.float64
    empty = joint_state_to_numpy(wire(types, make_joint_state(['a'], [0.5], (), (), 0, types)))
    assert empty.velocity.size == 0 and empty.position.tolist() == [0.5]


def test_joint_state_errors(types):
    with pytest.raises(ValueError, match='velocity'):
        make_joint_state(_NAMES, np.zeros(7), np.zeros(6), [], 0, types)
    with pytest.raises(ValueError, match='position'):
        make_joint_state(_NAMES, np.zeros(8), [], [], 0, types)
    with pytest.raises(ValueError, match='effort'):
        make_joint_state(_NAMES, np.zeros(7), [], np.zeros(1), 0, types)
    with pytest.raises(ValueError, match='duplicate'):
        make_joint_state(['a', 'a'], [1, 2], [], [], 0, types)
    with pytest.raises(ValueError, match='name'):
        make_joint_state(['a', 3], [1, 2], [], [], 0, types)
    bad = types.new('sensor_msgs/msg/JointState', header=make_header('', 0, types),
                    name=['a', 'b'], position=np.zeros(2), velocity=np.zeros(3),
                    effort=np.zeros(0))
    with pytest.raises(ValueError, match='JointState.velocity'):
        joint_state_to_numpy(wire(types, bad))


# --------------------------------------------------------------------------------------------
# std_msgs


def test_std_msgs_roundtrip(types):
    assert string_msg_to_str(wire(types, make_string('open the drawer', types))) == (
        'open the drawer')
    assert string_msg_to_str(wire(types, make_string('', types))) == ''
    assert bool_msg_to_bool(wire(types, make_bool(np.bool_(True), types))) is True
    assert bool_msg_to_bool(wire(types, make_bool(False, types))) is False

    def float32(value):
        return float(wire(types, types.new('std_msgs/msg/Float32', data=value)).data)

    assert float32(0.75) == 0.75
    rounded = float32(0.1)
    assert rounded == float(np.float32(0.1))
    assert math.isnan(float32(float('nan')))
    with pytest.raises(ValueError, match='String.data'):
        make_string(b'bytes', types)
