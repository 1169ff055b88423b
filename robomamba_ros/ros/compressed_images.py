# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``sensor_msgs/CompressedImage`` as ROS 2's image_transport plugins write it, to and from numpy.

Two transports, named as image_transport names them:

* ``compressed`` (compressed_image_transport): ``data`` is a whole JPEG or PNG file and
  ``format`` is ``"<encoding>; <jpeg|png> compressed <bgr8|mono8>"``; colour is converted to
  BGR before encoding (the subscriber turns it back unless the format says ``compressed rgb``).
  Older drivers write only ``"jpeg"`` or ``"png"``.
* ``compressedDepth`` (compressed_depth_image_transport): ``data`` is a 12-byte header, the C
  struct ``{int32 format; float32 depthParam[2]}`` with ``format`` 0 (``INV_DEPTH``), followed
  by a 16-bit PNG. ``format`` is ``"16UC1; compressedDepth"`` or ``"32FC1; compressedDepth"``
  (Humble), with `` png`` appended since Iron. ``16UC1`` stores the millimetres themselves
  (readings beyond ``depth_max`` become 0). ``32FC1`` stores quantised inverse depth: with
  ``A = q (q + 1)`` and ``B = 1 - A / depth_max`` (defaults q = 100, depth_max = 10 m),
  ``inv = A / d + B`` truncated to uint16 for ``d < depth_max``, else 0 (no reading, NaN
  included); decoding is ``d = A / (inv - B)``. ``compressedDepth rvl`` is not supported.

:func:`decode_color` and :func:`decode_depth` take either a raw ``sensor_msgs/Image`` or a
CompressedImage, so a node decodes whatever transport it subscribed to with one call. A payload
that does not decode raises ``ValueError`` with one line saying why: cut-short JPEG and PNG
files are caught by their end markers, which OpenCV would otherwise fill in with grey.
"""

import struct
from typing import Any, Tuple

import cv2
import numpy as np

from robomamba_ros.ros.messages import depth_image_to_m, image_to_rgb, make_header
from robomamba_ros.ros.type_source import as_uint8_vector, TypeSource

#: The compressedDepth header: int32 compression format, float32 depthParam[2], little endian.
DEPTH_HEADER = struct.Struct('<iff')
#: ``compressionFormat::INV_DEPTH``, the only format compressed_depth_image_transport writes.
INV_DEPTH = 0
#: compressed_depth_image_transport's default parameters.
DEFAULT_DEPTH_MAX_M = 10.0
DEFAULT_DEPTH_QUANTIZATION = 100.0
_JPEG_START, _JPEG_END = b'\xff\xd8', b'\xff\xd9'
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
_PNG_END = b'IEND\xaeB`\x82'


def _payload(msg: Any) -> bytes:
    return as_uint8_vector(msg.data, 'CompressedImage.data').tobytes()


def _check_file(data: bytes, what: str) -> str:
    """Return ``'jpeg'`` or ``'png'`` for a complete file; raise for a cut or foreign one."""
    if data.startswith(_JPEG_START):
        # Encoders may pad after the end marker; a cut file lacks it.
        if not data.rstrip(b'\x00').endswith(_JPEG_END):
            raise ValueError(f'{what}: JPEG data has no end marker (truncated, '
                             f'{len(data)} bytes)')
        return 'jpeg'
    if data.startswith(_PNG_SIGNATURE):
        if not data.endswith(_PNG_END):
            raise ValueError(f'{what}: PNG data has no IEND chunk (truncated, '
                             f'{len(data)} bytes)')
        return 'png'
    if not data:
        raise ValueError(f'{what}: no data')
    raise ValueError(f'{what}: data is neither JPEG nor PNG (starts with {data[:4].hex()})')


def _imdecode(data: bytes, flags: int, what: str) -> np.ndarray:
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    except cv2.error as exc:
        raise ValueError(f'{what}: image does not decode: {str(exc).strip()}') from None
    if image is None or image.size == 0:
        raise ValueError(f'{what}: image does not decode')
    return image


def _split_format(msg: Any, what: str) -> Tuple[str, str]:
    fmt = getattr(msg, 'format', None)
    if not isinstance(fmt, str) or not fmt.strip():
        raise ValueError(f'{what}: format is empty; expected e.g. "rgb8; jpeg compressed bgr8" '
                         'or "16UC1; compressedDepth"')
    encoding, _, rest = fmt.partition(';')
    return encoding.strip(), rest.strip()


def compressed_to_rgb(msg: Any) -> np.ndarray:
    """
    Decode a ``compressed`` CompressedImage into RGB.

    :param msg: CompressedImage with a JPEG or PNG payload and a compressed_image_transport
        format (``"bgr8; jpeg compressed bgr8"``, ``"mono8; png compressed mono8"``, ``"jpeg"``).
    :return: ``(H, W, 3)`` uint8, C-contiguous, channels R, G, B (grey is replicated, alpha
        dropped).
    :raises ValueError: for a compressedDepth format, an empty format, or a payload that is not
        a complete JPEG/PNG file.
    """
    what = f'CompressedImage ({getattr(msg, "format", "?")!r})'
    encoding, rest = _split_format(msg, what)
    if 'compressedDepth' in rest or 'compressedDepth' in encoding:
        raise ValueError(f'{what}: a compressedDepth image is depth, not colour')
    data = _payload(msg)
    _check_file(data, what)
    image = _imdecode(data, cv2.IMREAD_UNCHANGED, what)
    if image.dtype == np.uint16:  # bgr16/mono16 transports: keep the high byte
        image = (image >> 8).astype(np.uint8)
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    image = image[:, :, :3]
    if 'compressed rgb' in rest:  # written without the BGR conversion
        return np.ascontiguousarray(image)
    return np.ascontiguousarray(image[:, :, ::-1])


def compressed_depth_to_m(msg: Any) -> np.ndarray:
    """
    Decode a ``compressedDepth`` CompressedImage into metres.

    :param msg: CompressedImage with format ``"16UC1; compressedDepth[ png]"`` or
        ``"32FC1; compressedDepth[ png]"``.
    :return: ``(H, W)`` float32 depth along the optical axis (m), NaN where there is no reading.
    :raises ValueError: for another format (``rvl`` included), a payload shorter than the
        header, a header of another compression format, bad quantisation parameters, or a
        payload that is not a complete single-channel 16-bit PNG.
    """
    what = f'CompressedImage ({getattr(msg, "format", "?")!r})'
    encoding, rest = _split_format(msg, what)
    if not rest.startswith('compressedDepth'):
        raise ValueError(f'{what}: not a compressedDepth format')
    if rest.split()[1:] not in ([], ['png']):
        raise ValueError(f'{what}: only PNG compressedDepth is supported (not '
                         f'{" ".join(rest.split()[1:])})')
    if encoding not in ('16UC1', '32FC1'):
        raise ValueError(f'{what}: compressedDepth encoding must be 16UC1 or 32FC1')
    data = _payload(msg)
    if len(data) <= DEPTH_HEADER.size:
        raise ValueError(f'{what}: {len(data)} bytes is no compressedDepth payload (a '
                         f'{DEPTH_HEADER.size}-byte header and a PNG)')
    kind, quant_a, quant_b = DEPTH_HEADER.unpack_from(data)
    if kind != INV_DEPTH:
        raise ValueError(f'{what}: compressedDepth header has compression format {kind}, '
                         f'expected {INV_DEPTH} (INV_DEPTH): wrong header')
    png = data[DEPTH_HEADER.size:]
    if _check_file(png, what) != 'png':
        raise ValueError(f'{what}: compressedDepth payload is not a PNG')
    image = _imdecode(png, cv2.IMREAD_UNCHANGED, what)
    if image.ndim != 2 or image.dtype != np.uint16:
        raise ValueError(f'{what}: compressedDepth PNG must be one 16-bit channel, got '
                         f'{image.dtype} with shape {image.shape}')
    valid = image > 0
    if encoding == '16UC1':
        depth = image.astype(np.float64) / 1000.0
        return np.where(valid, depth, np.nan).astype(np.float32)
    if not (np.isfinite(quant_a) and np.isfinite(quant_b) and quant_a != 0.0):
        raise ValueError(f'{what}: compressedDepth quantisation parameters {quant_a}, {quant_b} '
                         'are not usable')
    # In float32 as the C++ decoder computes it.
    with np.errstate(divide='ignore', invalid='ignore'):
        depth = np.float32(quant_a) / (image.astype(np.float32) - np.float32(quant_b))
    valid &= np.isfinite(depth) & (depth > 0)
    return np.where(valid, depth, np.float32(np.nan)).astype(np.float32)


def _is_compressed(msg: Any) -> bool:
    return hasattr(msg, 'format') and not hasattr(msg, 'encoding')


def decode_color(msg: Any) -> np.ndarray:
    """
    Decode a colour image of either transport into RGB.

    :param msg: a raw ``sensor_msgs/Image`` (see :func:`~robomamba_ros.ros.messages.image_to_rgb`)
        or a ``compressed`` CompressedImage (see :func:`compressed_to_rgb`).
    :return: ``(H, W, 3)`` uint8 RGB.
    :raises ValueError: for an image that does not decode.
    """
    return compressed_to_rgb(msg) if _is_compressed(msg) else image_to_rgb(msg)


def decode_depth(msg: Any) -> np.ndarray:
    """
    Decode a depth image of either transport into metres.

    :param msg: a raw depth ``sensor_msgs/Image`` (see
        :func:`~robomamba_ros.ros.messages.depth_image_to_m`) or a ``compressedDepth``
        CompressedImage (see :func:`compressed_depth_to_m`).
    :return: ``(H, W)`` float32 metres, NaN where there is no reading.
    :raises ValueError: for an image that does not decode.
    """
    return compressed_depth_to_m(msg) if _is_compressed(msg) else depth_image_to_m(msg)


def _message(types: TypeSource, fmt: str, data: bytes, stamp_ns: int, frame_id: str) -> Any:
    return types.new('sensor_msgs/msg/CompressedImage',
                     header=make_header(frame_id, stamp_ns, types), format=fmt,
                     data=types.uint8_array(np.frombuffer(data, dtype=np.uint8)))


def make_compressed_image(image: np.ndarray, types: TypeSource, fmt: str = 'jpeg',
                          stamp_ns: int = 0, frame_id: str = '', quality: int = 95) -> Any:
    """
    Encode an RGB or grey image as compressed_image_transport publishes it.

    :param image: ``(H, W, 3)`` uint8 RGB (format ``"rgb8; <fmt> compressed bgr8"``) or
        ``(H, W)`` uint8 grey (``"mono8; <fmt> compressed mono8"``).
    :param types: type source.
    :param fmt: ``'jpeg'`` or ``'png'``.
    :param stamp_ns: acquisition time (ns).
    :param frame_id: camera optical frame.
    :param quality: JPEG quality (1-100).
    :return: the CompressedImage.
    :raises ValueError: for another shape, dtype or format.
    """
    array = np.asarray(image)
    if array.dtype != np.uint8 or not (array.ndim == 2 or (array.ndim == 3
                                                           and array.shape[2] == 3)):
        raise ValueError(f'image must be uint8 (H, W) or (H, W, 3), got {array.dtype} '
                         f'{array.shape}')
    if fmt not in ('jpeg', 'png'):
        raise ValueError(f"fmt must be 'jpeg' or 'png', got {fmt!r}")
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if fmt == 'jpeg' else []
    if array.ndim == 2:
        source, text = array, f'mono8; {fmt} compressed mono8'
    else:
        source, text = np.ascontiguousarray(array[:, :, ::-1]), f'rgb8; {fmt} compressed bgr8'
    ok, data = cv2.imencode('.jpg' if fmt == 'jpeg' else '.png', source, params)
    if not ok:
        raise ValueError(f'OpenCV could not encode a {array.shape} image as {fmt}')
    return _message(types, text, data.tobytes(), stamp_ns, frame_id)


def make_compressed_depth(depth_m: np.ndarray, encoding: str, types: TypeSource,
                          stamp_ns: int = 0, frame_id: str = '',
                          depth_max_m: float = DEFAULT_DEPTH_MAX_M,
                          depth_quantization: float = DEFAULT_DEPTH_QUANTIZATION) -> Any:
    """
    Encode depth in metres as compressed_depth_image_transport publishes it (PNG).

    :param depth_m: ``(H, W)`` depth (m); 0, NaN or inf where nothing was seen.
    :param encoding: ``'16UC1'`` (millimetres) or ``'32FC1'`` (quantised inverse depth).
    :param types: type source.
    :param stamp_ns: acquisition time (ns).
    :param frame_id: camera optical frame.
    :param depth_max_m: readings at or beyond this are dropped (m).
    :param depth_quantization: the transport's ``depth_quantization`` parameter (32FC1).
    :return: the CompressedImage, format ``"<encoding>; compressedDepth png"``.
    :raises ValueError: for another encoding or a depth array that is not 2-D.
    """
    depth = np.asarray(depth_m, dtype=np.float64)
    if depth.ndim != 2:
        raise ValueError(f'depth must be (H, W), got shape {depth.shape}')
    valid = np.isfinite(depth) & (depth > 0.0)
    if encoding == '16UC1':
        mm = np.where(valid, np.round(depth * 1000.0), 0.0)
        mm[mm > np.float32(depth_max_m * 1000.0)] = 0.0
        image, params = mm.astype(np.uint16), (0.0, 0.0)
    elif encoding == '32FC1':
        quant_a = np.float32(depth_quantization * (depth_quantization + 1.0))
        quant_b = np.float32(1.0) - quant_a / np.float32(depth_max_m)
        inside = valid & (depth < depth_max_m)
        inv = np.zeros(depth.shape, dtype=np.float32)
        inv[inside] = quant_a / depth[inside].astype(np.float32) + quant_b
        # Nearer than about 0.15 m the inverse depth exceeds uint16, where C++'s cast is
        # undefined; clip so such readings stay the nearest representable.
        image = np.minimum(inv, 65535.0).astype(np.uint16)
        params = (float(quant_a), float(quant_b))
    else:
        raise ValueError(f"compressedDepth encoding must be '16UC1' or '32FC1', got "
                         f'{encoding!r}')
    ok, png = cv2.imencode('.png', image)
    if not ok:
        raise ValueError(f'OpenCV could not encode a {image.shape} depth image as PNG')
    data = DEPTH_HEADER.pack(INV_DEPTH, *params) + png.tobytes()
    return _message(types, f'{encoding}; compressedDepth png', data, stamp_ns, frame_id)


__all__ = ['DEFAULT_DEPTH_MAX_M', 'DEFAULT_DEPTH_QUANTIZATION', 'DEPTH_HEADER', 'INV_DEPTH',
           'compressed_depth_to_m', 'compressed_to_rgb', 'decode_color', 'decode_depth',
           'make_compressed_depth', 'make_compressed_image']
