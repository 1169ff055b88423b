# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Reference encoders and decoders of image_transport's compressed formats, for the tests.

Written from the formats' descriptions, independently of ``robomamba_ros.ros.compressed_images``:

* ``compressed`` (compressed_image_transport): the payload is a whole JPEG or PNG file; the
  format string is ``"<encoding>; <jpeg|png> compressed <bgr8|mono8>"``, colour being converted
  to BGR before encoding.
* ``compressedDepth`` (compressed_depth_image_transport): a 12-byte little-endian header
  ``int32 format`` (0 = INV_DEPTH), ``float32 depthParam[2]``, then a 16-bit PNG. ``16UC1``
  stores the millimetres themselves (beyond ``depth_max``: 0). ``32FC1`` stores quantised
  inverse depth: with ``A = q (q + 1)`` and ``B = 1 - A / depth_max``, ``inv = A / d + B``
  for ``d < depth_max`` (0 otherwise, and for no reading), and decoding is
  ``d = A / (inv - B)``.
"""

import struct

import cv2
import numpy as np


def encode_compressed_color(rgb, fmt='jpeg', quality=95):
    """Return ``(format string, payload bytes)`` of an RGB or grey image."""
    ext = '.jpg' if fmt == 'jpeg' else '.png'
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == 'jpeg' else []
    if rgb.ndim == 2:
        ok, data = cv2.imencode(ext, rgb, params)
        assert ok
        return f'mono8; {fmt} compressed mono8', data.tobytes()
    ok, data = cv2.imencode(ext, np.ascontiguousarray(rgb[:, :, ::-1]), params)
    assert ok
    return f'rgb8; {fmt} compressed bgr8', data.tobytes()


def encode_compressed_depth(depth_m, encoding, depth_max=10.0, quantization=100.0):
    """Return ``(format, payload)`` as compressed_depth_image_transport (Humble) writes them."""
    d = np.asarray(depth_m, np.float32)  # a 32FC1 image holds float32
    if encoding == '16UC1':
        with np.errstate(invalid='ignore'):
            mm = np.round(d.astype(np.float64) * 1000.0)
            keep = np.isfinite(mm) & (mm > 0) & (mm <= int(depth_max * 1000.0))
        image = np.where(keep, mm, 0).astype(np.uint16)
        header = struct.pack('<iff', 0, 0.0, 0.0)  # Humble leaves the parameters unset
    else:
        a = np.float32(quantization) * (np.float32(quantization) + np.float32(1))
        b = np.float32(1) - a / np.float32(depth_max)
        image = np.zeros(d.shape, np.uint16)
        with np.errstate(invalid='ignore'):
            keep = np.isfinite(d) & (d > 0) & (d < np.float32(depth_max))
        image[keep] = np.trunc(a / d[keep] + b)  # float -> uint16 truncates
        header = struct.pack('<iff', 0, a, b)
    ok, png = cv2.imencode('.png', image)
    assert ok
    return f'{encoding}; compressedDepth', header + png.tobytes()


def decode_compressed_depth(fmt, payload):
    """Return metres (NaN: no reading) from a compressedDepth format and payload."""
    kind, a, b = struct.unpack('<iff', payload[:12])
    assert kind == 0
    image = cv2.imdecode(np.frombuffer(payload[12:], np.uint8), cv2.IMREAD_UNCHANGED)
    assert image.dtype == np.uint16 and image.ndim == 2
    if fmt.split(';')[0] == '16UC1':
        depth = image / 1000.0
    else:
        with np.errstate(divide='ignore'):
            depth = np.float32(a) / (image.astype(np.float32) - np.float32(b))
    return np.where(image > 0, depth, np.nan).astype(np.float32)
