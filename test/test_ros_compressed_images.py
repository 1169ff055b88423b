# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Tests for robomamba_ros.ros.compressed_images against the image_transport wire formats.

The compressedDepth reference (``image_transport_reference``) is written from the format
description (12-byte header ``<iff`` = INV_DEPTH, A, B, then a 16-bit PNG), in float32 as the
C++ codec computes, without the package's helpers: the package's encoder is read by the
reference decoder and the reference encoder's bytes by the package's decoder. Colour payloads
are checked by decoding them with OpenCV directly. Every message goes through CDR on the Humble
and Jazzy typestores.
"""

import struct

from conftest import cdr_round_trip, DISTROS
import cv2
from image_transport_reference import (decode_compressed_depth as ref_decode_depth,
                                       encode_compressed_depth as ref_encode_depth)
import numpy as np
import pytest

from robomamba_ros.ros import compressed_images as ci
from robomamba_ros.ros.messages import make_header, numpy_to_image
from robomamba_ros.ros.type_source import RosbagsTypes


@pytest.fixture(params=DISTROS)
def types(request):
    return RosbagsTypes(request.param)


def compressed_msg(types, fmt, payload):
    """Build a CompressedImage field by field and pass it through CDR."""
    msg = types.new('sensor_msgs/msg/CompressedImage',
                    header=make_header('camera_optical_frame', 5, types), format=fmt,
                    data=types.uint8_array(np.frombuffer(payload, np.uint8)))
    return cdr_round_trip(types, msg)


A_DEFAULT = 100.0 * 101.0  # q (q + 1) with q = 100
B_DEFAULT = 1.0 - A_DEFAULT / 10.0


def depth_scene():
    """Return depth (m) with holes (0, NaN, inf, negative) and readings at and beyond depth_max."""
    depth = np.random.default_rng(0).uniform(0.3, 9.5, (24, 32))
    depth[0, :4] = (0.0, np.nan, np.inf, -1.0)
    depth[1, :4] = (10.0, 10.0005, 12.0, 70.0)  # at and beyond the default depth_max
    depth[2, :3] = (1.0, 0.5, 9.999)
    return depth


def expected_valid(depth, encoding, depth_max=10.0):
    with np.errstate(invalid='ignore'):
        ok = np.isfinite(depth) & (depth > 0)
        if encoding == '16UC1':  # millimetres above depth_max * 1000 are dropped
            return ok & (np.round(depth * 1000) <= depth_max * 1000)
        return ok & (depth < depth_max)


def check_depth(decoded, depth, encoding):
    """Assert decoded depth matches the scene within the encoding's exactness."""
    valid = expected_valid(depth, encoding)
    assert decoded.dtype == np.float32 and decoded.shape == depth.shape
    assert np.array_equal(np.isfinite(decoded), valid)
    if encoding == '16UC1':
        assert np.array_equal(np.round(decoded[valid].astype(np.float64) * 1000),
                              np.round(depth[valid] * 1000))  # exact millimetres
        return
    # inv = trunc(A/d + B) loses f in [0, 1), so the decoded A/d' = A/d - f: d' >= d and
    # d'/d - 1 = f / (A/d - f) < 1 / (A/d - 1); the slack covers float32 rounding.
    d, out = depth[valid], decoded[valid].astype(np.float64)
    assert np.all(out >= d * (1 - 1e-6))
    assert np.all(out / d - 1 <= 1.0 / (A_DEFAULT / d - 1) + 1e-6)


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_package_depth_encoder_is_read_by_the_reference_decoder(types, encoding):
    depth = depth_scene()
    msg = cdr_round_trip(types, ci.make_compressed_depth(depth, encoding, types, 7, 'cam'))
    assert msg.format == f'{encoding}; compressedDepth png'
    assert msg.header.frame_id == 'cam' and msg.header.stamp.nanosec == 7
    payload = bytes(msg.data)
    kind, a, b = struct.unpack('<iff', payload[:12])
    assert kind == 0
    if encoding == '32FC1':
        assert (a, b) == (A_DEFAULT, B_DEFAULT)
    check_depth(ref_decode_depth(msg.format, payload), depth, encoding)
    # The package's decoder reads its own encoder identically to the reference.
    ours = ci.compressed_depth_to_m(msg)
    assert np.array_equal(ours, ref_decode_depth(msg.format, payload), equal_nan=True)


@pytest.mark.parametrize('suffix', ['', ' png'])
@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_reference_depth_encoder_is_read_by_the_package_decoder(types, encoding, suffix):
    depth = depth_scene()
    fmt, payload = ref_encode_depth(depth, encoding)
    decoded = ci.decode_depth(compressed_msg(types, fmt + suffix, payload))
    check_depth(decoded, depth, encoding)


def test_quantised_inverse_depth_is_within_a_thousandth_at_one_metre(types):
    depth = np.linspace(0.2, 9.99, 4000).reshape(40, 100)
    decoded = ci.decode_depth(compressed_msg(types, *ref_encode_depth(depth, '32FC1')))
    check_depth(decoded, depth, '32FC1')
    near_1m = np.abs(depth - 1.0) < 0.01
    assert np.max(np.abs(decoded[near_1m] / depth[near_1m] - 1)) < 1e-4  # bound: 1/10099


def test_depth_max_and_quantization_are_honoured(types):
    depth = np.array([[0.5, 1.999, 2.0, 2.0004, 2.5]])
    mm = ci.decode_depth(cdr_round_trip(types, ci.make_compressed_depth(
        depth, '16UC1', types, depth_max_m=2.0)))
    assert np.array_equal(np.isnan(mm[0]), [False, False, False, False, True])
    inv = ci.make_compressed_depth(depth, '32FC1', types, depth_max_m=2.0, depth_quantization=50)
    _, a, b = struct.unpack('<iff', bytes(inv.data)[:12])
    assert (a, b) == (2550.0, 1.0 - 2550.0 / 2.0)
    out = ci.decode_depth(cdr_round_trip(types, inv))
    assert np.array_equal(np.isnan(out[0]), [False, False, True, True, True])
    assert out[0, 0] == pytest.approx(0.5, rel=1.0 / (2550 / 0.5 - 1))


def test_depth_nearer_than_the_uint16_range_is_stored_as_the_nearest_value(types):
    near = ci.decode_depth(ci.make_compressed_depth(np.array([[0.05, 0.1]]), '32FC1', types))
    assert np.allclose(near, A_DEFAULT / (65535 - B_DEFAULT), rtol=1e-6)


def test_16uc1_beyond_65_m_and_mono16_depth(types):
    out = ci.decode_depth(ci.make_compressed_depth(np.array([[70.0, 1.5]]), '16UC1', types,
                                                   depth_max_m=100.0))
    assert np.isnan(out[0, 0]) and out[0, 1] == np.float32(1.5)
    _, payload = ref_encode_depth(np.array([[1.234, 0.0]]), '16UC1')
    out = ci.decode_depth(compressed_msg(types, 'mono16; compressedDepth', payload))
    assert out[0, 0] == np.float32(1.234) and np.isnan(out[0, 1])


# --------------------------------------------------------------------------------------------
# compressed colour


def colour_scene():
    """Return red, green and blue stripes and a white one, on 16-pixel JPEG block boundaries."""
    rgb = np.zeros((32, 64, 3), np.uint8)
    rgb[:, :16] = (255, 0, 0)
    rgb[:, 16:32] = (0, 255, 0)
    rgb[:, 32:48] = (0, 0, 255)
    rgb[:, 48:] = (255, 255, 255)
    return rgb


def grey_scene():
    return np.tile(np.linspace(0, 255, 64).astype(np.uint8), (32, 1))


def assert_image(decoded, expected, lossless):
    assert decoded.dtype == np.uint8 and decoded.shape == expected.shape
    assert decoded.flags['C_CONTIGUOUS']
    if lossless:
        assert np.array_equal(decoded, expected)
    else:
        # JPEG's upsampled chroma blurs the stripes' edges; compare away from them.
        inner = np.arange(decoded.shape[1]) % 16 >= 3
        inner &= np.arange(decoded.shape[1]) % 16 <= 12
        assert np.abs(decoded[:, inner].astype(int) - expected[:, inner]).max() <= 8


SOURCES = {
    'rgb8': colour_scene,
    'bgr8': lambda: colour_scene()[:, :, ::-1],
    'rgba8': lambda: np.dstack([colour_scene(), np.full((32, 64), 7, np.uint8)]),
    'mono8': grey_scene,
}
FORMATS = {
    ('rgb8', 'jpeg'): 'rgb8; jpeg compressed bgr8',
    ('rgb8', 'png'): 'rgb8; png compressed bgr8',
    ('bgr8', 'jpeg'): 'bgr8; jpeg compressed bgr8',
    ('bgr8', 'png'): 'bgr8; png compressed bgr8',
    ('rgba8', 'jpeg'): 'rgba8; jpeg compressed bgr8',
    ('rgba8', 'png'): 'rgba8; png compressed bgr8',
    ('mono8', 'jpeg'): 'mono8; jpeg compressed mono8',
    ('mono8', 'png'): 'mono8; png compressed ',  # the C++ publisher names no grey PNG target
}


@pytest.mark.parametrize('fmt', ['jpeg', 'png'])
@pytest.mark.parametrize('encoding', sorted(SOURCES))
def test_package_colour_encoder_writes_what_compressed_image_transport_writes(
        types, encoding, fmt):
    msg = cdr_round_trip(types, ci.make_compressed_image(SOURCES[encoding](), types, fmt, 9,
                                                         'cam', encoding=encoding))
    assert msg.format == FORMATS[encoding, fmt] and msg.header.frame_id == 'cam'
    payload = cv2.imdecode(np.frombuffer(bytes(msg.data), np.uint8), cv2.IMREAD_UNCHANGED)
    if encoding == 'mono8':
        expected = np.repeat(grey_scene()[:, :, None], 3, axis=2)
        assert payload.ndim == 2
        assert_image(np.repeat(payload[:, :, None], 3, axis=2), expected, fmt == 'png')
    else:
        expected = colour_scene()
        assert_image(np.ascontiguousarray(payload[:, :, ::-1]), expected, fmt == 'png')  # BGR
    assert_image(ci.decode_color(msg), expected, fmt == 'png')


@pytest.mark.parametrize('fmt', ['jpeg', 'png'])
def test_stripes_decode_to_the_right_channels(types, fmt):
    rgb = ci.compressed_to_rgb(cdr_round_trip(types, ci.make_compressed_image(
        colour_scene(), types, fmt)))
    means = [rgb[:, x:x + 8].reshape(-1, 3).mean(axis=0) for x in (4, 20, 36, 52)]
    assert np.allclose(means, [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)], atol=4)


def encode(image, fmt):
    ok, data = cv2.imencode('.jpg' if fmt == 'jpeg' else '.png', image)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize('fmt', ['jpeg', 'png'])
def test_payloads_written_by_opencv_decode_by_their_format_string(types, fmt):
    rgb, lossless = colour_scene(), fmt == 'png'
    bgr_payload = encode(np.ascontiguousarray(rgb[:, :, ::-1]), fmt)
    for text in (f'rgb8; {fmt} compressed bgr8', f'bgr8; {fmt} compressed bgr8', fmt):
        assert_image(ci.decode_color(compressed_msg(types, text, bgr_payload)), rgb, lossless)
    # A codec fed RGB says so in the target, and the channels are not swapped.
    rgb_payload = encode(rgb, fmt)
    assert_image(ci.decode_color(compressed_msg(types, f'rgb8; {fmt} compressed rgb8',
                                                rgb_payload)), rgb, lossless)
    grey = grey_scene()
    grey_rgb = np.repeat(grey[:, :, None], 3, axis=2)
    assert_image(ci.decode_color(compressed_msg(types, fmt, encode(grey, fmt))), grey_rgb,
                 lossless)


def test_16_bit_and_alpha_png_payloads_keep_the_high_byte_and_drop_alpha(types):
    rgb = colour_scene()
    bgr16 = rgb[:, :, ::-1].astype(np.uint16) * 257
    out = ci.decode_color(compressed_msg(types, 'rgb16; png compressed bgr16',
                                         encode(np.ascontiguousarray(bgr16), 'png')))
    assert np.array_equal(out, rgb)
    mono16 = grey_scene().astype(np.uint16) * 256 + 255
    out = ci.decode_color(compressed_msg(types, 'mono16; png compressed ', encode(mono16, 'png')))
    assert np.array_equal(out, np.repeat(grey_scene()[:, :, None], 3, axis=2))
    bgra = np.dstack([rgb[:, :, ::-1], np.zeros((32, 64), np.uint8)])
    out = ci.decode_color(compressed_msg(types, 'png', encode(bgra, 'png')))
    assert np.array_equal(out, rgb)


# --------------------------------------------------------------------------------------------
# Either transport through one call


def test_raw_images_and_foreign_messages_dispatch(types):
    rgb = colour_scene()
    for encoding, pixels in (('rgb8', rgb), ('bgr8', np.ascontiguousarray(rgb[:, :, ::-1]))):
        msg = cdr_round_trip(types, numpy_to_image(pixels, encoding, types))
        assert np.array_equal(ci.decode_color(msg), rgb)
    grey = cdr_round_trip(types, numpy_to_image(grey_scene(), 'mono8', types))
    assert np.array_equal(ci.decode_color(grey)[:, :, 2], grey_scene())
    mm = np.array([[1500, 0]], np.uint16)
    depth = ci.decode_depth(cdr_round_trip(types, numpy_to_image(mm, '16UC1', types)))
    assert depth[0, 0] == np.float32(1.5) and np.isnan(depth[0, 1])
    metres = np.array([[2.25, np.nan]], np.float32)
    depth = ci.decode_depth(cdr_round_trip(types, numpy_to_image(metres, '32FC1', types)))
    assert depth[0, 0] == np.float32(2.25) and np.isnan(depth[0, 1])
    with pytest.raises(ValueError, match='sensor_msgs/Image .* got std_msgs/msg/String'):
        ci.decode_color(types.new('std_msgs/msg/String', data='x'))


# --------------------------------------------------------------------------------------------
# Bad payloads: one line each, naming the field


def jpeg():
    return encode(colour_scene(), 'jpeg')


def png(image=None):
    return encode(colour_scene() if image is None else image, 'png')


def depth_png(image):
    return png(image)


HEADER_16 = struct.pack('<iff', 0, 0.0, 0.0)
HEADER_32 = struct.pack('<iff', 0, A_DEFAULT, B_DEFAULT)
ONES_16 = np.ones((8, 8), np.uint16)

BAD_COLOUR = {
    'truncated jpeg': ('rgb8; jpeg compressed bgr8', lambda: jpeg()[:len(jpeg()) // 2],
                       r'CompressedImage\.data: JPEG has no end-of-image marker FFD9'),
    'corrupt jpeg': ('jpeg', lambda: b'\xff\xd8' + b'\x17' * 64 + b'\xff\xd9',
                     r'CompressedImage\.data: OpenCV cannot decode the JPEG'),
    'truncated png': ('rgb8; png compressed bgr8', lambda: png()[:-30],
                      r'CompressedImage\.data: PNG has no final IEND chunk'),
    'garbage': ('rgb8; jpeg compressed bgr8', lambda: b'not an image at all',
                r'CompressedImage\.data is neither JPEG .* nor PNG .*: it starts with 6E6F'),
    'empty data': ('rgb8; jpeg compressed bgr8', lambda: b'', r'CompressedImage\.data is empty'),
    'empty format': (' ', jpeg, r'CompressedImage\.format is empty'),
    'unknown format': ('rgb8; tiff compressed ', png, 'is not a compressed_image_transport'),
    'codec name': ('h264', jpeg, 'is not a compressed_image_transport'),
    'unknown target': ('yuv422; jpeg compressed yuv422', jpeg,
                       'is not a compressed_image_transport'),
    'depth as colour': ('16UC1; compressedDepth png', png, 'is compressedDepth, a depth image'),
}


BAD_DEPTH = {
    'short payload': ('16UC1; compressedDepth', lambda: b'\x00' * 5,
                      r'CompressedImage\.data has 5 bytes, shorter than the 12-byte'),
    'header only': ('16UC1; compressedDepth', lambda: HEADER_16, 'no PNG after it'),
    'wrong header': ('16UC1; compressedDepth png',
                     lambda: struct.pack('<iff', 7, 0, 0) + depth_png(ONES_16),
                     r'header format is 7, expected 0 \(INV_DEPTH\)'),
    'no header': ('32FC1; compressedDepth', lambda: depth_png(ONES_16),
                  r'header format is \d+, expected 0 \(INV_DEPTH\)'),
    '8-bit png': ('16UC1; compressedDepth png',
                  lambda: HEADER_16 + depth_png(ONES_16.astype(np.uint8)),
                  'must be single-channel 16-bit, got 8-bit with 1 channels'),
    'colour png': ('16UC1; compressedDepth png',
                   lambda: HEADER_16 + depth_png(np.ones((8, 8, 3), np.uint16)),
                   'must be single-channel 16-bit, got 16-bit with 3 channels'),
    'truncated png': ('32FC1; compressedDepth',
                      lambda: HEADER_32 + depth_png(np.ones((40, 40), np.uint16))[:-20],
                      'PNG has no final IEND chunk'),
    'jpeg after header': ('16UC1; compressedDepth', lambda: HEADER_16 + jpeg(), 'JPEG, not PNG'),
    'nan quantisation': ('32FC1; compressedDepth',
                         lambda: struct.pack('<iff', 0, np.nan, 1.0) + depth_png(ONES_16),
                         'quantisation parameters A=nan'),
    'zero quantisation': ('32FC1; compressedDepth png',
                          lambda: struct.pack('<iff', 0, 0.0, 1.0) + depth_png(ONES_16),
                          'quantisation parameters A=0.0'),
    'rvl': ('16UC1; compressedDepth rvl', lambda: HEADER_16 + b'\x00' * 40,
            'RVL is not supported'),
    'unknown format': ('16UC1; zstd', lambda: HEADER_16 + depth_png(ONES_16),
                       'is not a compressedDepth format'),
    'unknown codec': ('16UC1; compressedDepth zstd', lambda: HEADER_16 + depth_png(ONES_16),
                      'is not a PNG compressedDepth format'),
    'colour encoding': ('rgb8; compressedDepth', lambda: HEADER_16 + depth_png(ONES_16),
                        r"compressedDepth encoding 'rgb8' is not one of \['16UC1'"),
    'empty format': ('', lambda: HEADER_16 + depth_png(ONES_16), 'format is empty'),
}


BAD = {**{f'colour: {k}': (ci.decode_color, v) for k, v in BAD_COLOUR.items()},
       **{f'depth: {k}': (ci.decode_depth, v) for k, v in BAD_DEPTH.items()}}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_payloads_raise_one_clear_line(case):
    decode, (fmt, payload, phrase) = BAD[case]
    msg = compressed_msg(RosbagsTypes(DISTROS[0]), fmt, payload())
    with pytest.raises(ValueError, match=phrase) as info:
        decode(msg)
    assert '\n' not in str(info.value)


def test_opencv_errors_become_value_errors(monkeypatch):
    def broken(*args):
        raise cv2.error('OpenCV(5.1.0) imgcodecs: out of memory\n')

    monkeypatch.setattr(ci.cv2, 'imdecode', broken)
    msg = compressed_msg(RosbagsTypes(DISTROS[0]), 'png', png())
    with pytest.raises(ValueError, match='OpenCV cannot decode the PNG .*out of memory') as info:
        ci.decode_color(msg)
    assert '\n' not in str(info.value)
    monkeypatch.setattr(ci.cv2, 'imencode', broken)
    with pytest.raises(ValueError, match='OpenCV cannot encode'):
        ci.make_compressed_image(colour_scene(), RosbagsTypes(DISTROS[0]))


BAD_ENCODER_ARGS = {
    'shape': (lambda t: ci.make_compressed_image(grey_scene(), t),
              r"shape \(32, 64\) does not match encoding 'rgb8'"),
    'dtype': (lambda t: ci.make_compressed_image(colour_scene().astype(np.uint16), t),
              'dtype must be uint8'),
    'format': (lambda t: ci.make_compressed_image(colour_scene(), t, 'tiff'),
               "fmt must be 'jpeg' or 'png'"),
    'quality': (lambda t: ci.make_compressed_image(colour_scene(), t, quality=0),
                'quality must be an integer in 1-100'),
    'encoding': (lambda t: ci.make_compressed_image(colour_scene(), t, encoding='yuv422'),
                 'encoding must be one of'),
    'depth encoding': (lambda t: ci.make_compressed_depth(np.ones((2, 2)), 'mono8', t),
                       "compressedDepth encoding must be '16UC1' or '32FC1'"),
    'depth shape': (lambda t: ci.make_compressed_depth(np.ones(4), '16UC1', t),
                    r'depth_m must be a non-empty \(H, W\) array'),
    'depth_max': (lambda t: ci.make_compressed_depth(np.ones((2, 2)), '32FC1', t,
                                                     depth_max_m=0.0),
                  'depth_max_m must be finite and > 0'),
}


@pytest.mark.parametrize('case', sorted(BAD_ENCODER_ARGS))
def test_encoders_refuse_bad_arguments(case):
    build, phrase = BAD_ENCODER_ARGS[case]
    with pytest.raises(ValueError, match=phrase):
        build(RosbagsTypes(DISTROS[0]))
