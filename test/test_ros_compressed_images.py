# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
CompressedImage codecs against references written from the transports' format descriptions.

``image_transport_reference`` encodes and decodes without the package; the package's encoders
are read by the reference decoder and the reference's output by the package's decoders, on real
message types of both typestores (through CDR).
"""

import struct

from conftest import cdr_round_trip, DISTROS
import cv2
from image_transport_reference import (decode_compressed_depth, encode_compressed_color,
                                       encode_compressed_depth)
import numpy as np
import pytest

from robomamba_ros.ros import compressed_images as ci
from robomamba_ros.ros.messages import make_header, numpy_to_image
from robomamba_ros.ros.type_source import RosbagsTypes


def _message(types, fmt, payload):
    msg = types.new('sensor_msgs/msg/CompressedImage',
                    header=make_header('camera_color_optical_frame', 5, types), format=fmt,
                    data=types.uint8_array(np.frombuffer(payload, np.uint8)))
    return cdr_round_trip(types, msg)


def _close(decoded, expected, fmt):
    # PNG is lossless; JPEG subsamples colour, so compare away from the stripes' edges.
    if fmt == 'png':
        return np.array_equal(decoded, expected)
    inner = np.r_[4:16, 24:36, 44:60]
    return np.abs(decoded[:, inner].astype(int) - expected[:, inner]).max() <= 8


def _colour_image():
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[:, :20] = (255, 0, 0)
    rgb[:, 20:40] = (0, 255, 0)
    rgb[:, 40:] = (0, 0, 255)
    return rgb


def _depth_image(rng):
    depth = rng.uniform(0.3, 4.0, (48, 64))
    depth[rng.random(depth.shape) < 0.1] = np.nan  # holes
    depth[0, :5] = 0.0  # "no reading" written as zero
    depth[1, :5] = 12.0  # beyond the default depth_max of 10 m
    return depth


@pytest.mark.parametrize('distro', DISTROS)
@pytest.mark.parametrize('fmt', ['jpeg', 'png'])
def test_colour_from_the_reference_decodes_to_rgb(distro, fmt):
    types = RosbagsTypes(distro)
    rgb = _colour_image()
    fmt_string, payload = encode_compressed_color(rgb, fmt)
    decoded = ci.decode_color(_message(types, fmt_string, payload))
    assert decoded.shape == rgb.shape and decoded.dtype == np.uint8
    assert _close(decoded, rgb, fmt)
    grey = rgb.mean(axis=2).astype(np.uint8)
    fmt_string, payload = encode_compressed_color(grey, fmt)
    decoded = ci.compressed_to_rgb(_message(types, fmt_string, payload))
    assert _close(decoded, np.repeat(grey[:, :, None], 3, axis=2), fmt)
    # A bgr8 camera: another source encoding, the same BGR payload.
    _, payload = encode_compressed_color(rgb, fmt)
    bgr_source = _message(types, f'bgr8; {fmt} compressed bgr8', payload)
    assert _close(ci.compressed_to_rgb(bgr_source), rgb, fmt)
    # Older drivers: the format names the codec only; the payload is BGR as always.
    assert _close(ci.compressed_to_rgb(_message(types, fmt, payload)), rgb, fmt)


def test_a_payload_written_in_rgb_order_says_so_and_is_not_swapped():
    types = RosbagsTypes(DISTROS[0])
    rgb = _colour_image()
    ok, png = cv2.imencode('.png', rgb)  # no BGR conversion: the format says "compressed rgb8"
    decoded = ci.compressed_to_rgb(_message(types, 'rgb8; png compressed rgb8', png.tobytes()))
    assert np.array_equal(decoded, rgb)


@pytest.mark.parametrize('distro', DISTROS)
def test_package_colour_encoder_matches_compressed_image_transport(distro):
    types = RosbagsTypes(distro)
    rgb = _colour_image()
    msg = cdr_round_trip(types, ci.make_compressed_image(rgb, types, 'png', 7, 'cam'))
    assert msg.format == 'rgb8; png compressed bgr8' and msg.header.frame_id == 'cam'
    bgr = cv2.imdecode(np.frombuffer(bytes(msg.data), np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(bgr[:, :, ::-1], rgb)  # BGR inside, as the C++ publisher writes
    grey = ci.make_compressed_image(rgb[:, :, 0], types, 'jpeg')
    assert grey.format == 'mono8; jpeg compressed mono8'


@pytest.mark.parametrize('distro', DISTROS)
@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_compressed_depth_round_trips_both_ways_against_the_reference(distro, encoding):
    types = RosbagsTypes(distro)
    depth = _depth_image(np.random.default_rng(0))
    expected_valid = np.isfinite(depth) & (depth > 0) & (depth < 10.0)
    # Reference encoder -> package decoder.
    fmt, payload = encode_compressed_depth(depth, encoding)
    decoded = ci.decode_depth(_message(types, fmt, payload))
    assert decoded.dtype == np.float32 and decoded.shape == depth.shape
    assert np.array_equal(np.isfinite(decoded), expected_valid)
    if encoding == '16UC1':
        assert np.allclose(decoded[expected_valid], np.round(depth[expected_valid] * 1000) / 1000,
                           atol=1e-6)  # exact millimetres
    else:
        # Inverse depth in steps of 1/A: relative error below d / A = 4 m / 10100 = 4e-4.
        error = np.abs(decoded[expected_valid] - depth[expected_valid]) / depth[expected_valid]
        assert error.max() < depth[expected_valid].max() / 10100.0 + 1e-6
    # Package encoder -> reference decoder: the same numbers.
    msg = cdr_round_trip(types, ci.make_compressed_depth(depth, encoding, types, 3, 'cam'))
    assert msg.format == f'{encoding}; compressedDepth png'
    reference = decode_compressed_depth(msg.format, bytes(msg.data))
    assert np.array_equal(np.isfinite(reference), expected_valid)
    assert np.allclose(reference[expected_valid], decoded[expected_valid], atol=1e-6)


def test_raw_images_pass_through_the_same_calls():
    types = RosbagsTypes(DISTROS[0])
    rgb = _colour_image()
    assert np.array_equal(ci.decode_color(numpy_to_image(rgb[:, :, ::-1].copy(), 'bgr8', types)),
                          rgb)
    mm = np.full((4, 5), 1500, np.uint16)
    mm[0, 0] = 0
    depth = ci.decode_depth(numpy_to_image(mm, '16UC1', types))
    assert np.isnan(depth[0, 0]) and depth[1, 1] == pytest.approx(1.5)


def _jpeg():
    return encode_compressed_color(_colour_image(), 'jpeg')[1]


def _png():
    return encode_compressed_color(_colour_image(), 'png')[1]


def _depth_png(image):
    return cv2.imencode('.png', image)[1].tobytes()


BAD_COLOUR = {
    'truncated jpeg': ('rgb8; jpeg compressed bgr8', lambda: _jpeg()[:len(_jpeg()) // 2],
                       'JPEG data has no end marker'),
    'truncated png': ('rgb8; png compressed bgr8', lambda: _png()[:-30], 'no IEND chunk'),
    'garbage': ('rgb8; jpeg compressed bgr8', lambda: b'not an image at all',
                'neither JPEG nor PNG'),
    'empty data': ('rgb8; jpeg compressed bgr8', lambda: b'', 'no data'),
    'empty format': ('', _jpeg, 'format is empty'),
    'depth as colour': ('16UC1; compressedDepth', _png, 'is depth, not colour'),
}


BAD_DEPTH = {
    'short payload': ('16UC1; compressedDepth', lambda: b'\x00' * 5, 'no compressedDepth'),
    'wrong header': ('16UC1; compressedDepth',
                     lambda: struct.pack('<iff', 7, 0, 0) + _depth_png(np.ones((4, 4), np.uint16)),
                     'wrong header'),
    'header cut': ('16UC1; compressedDepth',
                   lambda: _depth_png(np.ones((4, 4), np.uint16))[5:], 'wrong header|PNG'),
    '8-bit png': ('16UC1; compressedDepth png',
                  lambda: struct.pack('<iff', 0, 0, 0) + _depth_png(np.ones((4, 4), np.uint8)),
                  'one 16-bit channel'),
    'truncated png': ('32FC1; compressedDepth',
                      lambda: struct.pack('<iff', 0, 10100.0, -1009.0)
                      + _depth_png(np.ones((40, 40), np.uint16))[:-20], 'no IEND chunk'),
    'bad quantisation': ('32FC1; compressedDepth',
                         lambda: struct.pack('<iff', 0, 0.0, 1.0)
                         + _depth_png(np.ones((4, 4), np.uint16)), 'quantisation'),
    'rvl': ('16UC1; compressedDepth rvl', lambda: b'\x00' * 40, 'only PNG'),
    'unknown format': ('16UC1; zstd', lambda: b'\x00' * 40, 'not a compressedDepth format'),
    'colour encoding': ('rgb8; compressedDepth', lambda: b'\x00' * 40, '16UC1 or 32FC1'),
}


BAD = {**{f'colour: {k}': (ci.decode_color, v) for k, v in BAD_COLOUR.items()},
       **{f'depth: {k}': (ci.decode_depth, v) for k, v in BAD_DEPTH.items()}}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_payloads_raise_one_clear_line(case):
    decode, (fmt, payload, phrase) = BAD[case]
    with pytest.raises(ValueError, match=phrase) as info:
        decode(_message(RosbagsTypes(DISTROS[0]), fmt, payload()))
    assert '\n' not in str(info.value)
