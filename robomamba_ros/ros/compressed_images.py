# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``sensor_msgs/CompressedImage`` as ROS 2's image_transport plugins write it, to and from numpy.

Two transports, named as image_transport names them:

* ``compressed`` (compressed_image_transport): ``data`` is a whole JPEG or PNG file and
  ``format`` is ``"<encoding>; <jpeg|png> compressed <target>"``, where ``<encoding>`` is the
  raw image's encoding and ``<target>`` the pixel layout that went into the codec: ``bgr8``
  (JPEG of any colour image), ``bgr8``/``bgr16`` (PNG of 8/16-bit colour), ``mono8`` (JPEG of a
  grey image) or nothing (PNG of a grey image: ``"mono8; png compressed "``). Colour goes into
  the codec in BGR order unless the target says ``rgb``. Older drivers write only ``"jpeg"`` or
  ``"png"`` (BGR or grey).
* ``compressedDepth`` (compressed_depth_image_transport): ``data`` is a 12-byte header, the C
  struct ``{int32 format; float32 depthParam[2]}`` with ``format`` 0 (``INV_DEPTH``), followed
  by a single-channel 16-bit PNG. ``format`` is ``"<encoding>; compressedDepth"`` (Humble,
  Iron) or ``"<encoding>; compressedDepth png"`` (Jazzy and later). ``16UC1`` (and ``mono16``)
  PNGs hold the millimetres themselves, readings beyond ``depth_max`` set to 0, and the header's
  parameters are unused. ``32FC1`` PNGs hold quantised inverse depth: with ``A = q (q + 1)`` and
  ``B = 1 - A / depth_max`` (defaults q = 100, depth_max = 10 m; A and B travel in the header),
  ``inv = A / d + B`` truncated to uint16 for ``d < depth_max``, else 0 (no reading); decoding
  is ``d = A / (inv - B)``. ``compressedDepth rvl`` is not supported.

:func:`decode_color` and :func:`decode_depth` take either a raw ``sensor_msgs/Image`` or a
CompressedImage, so a node decodes whatever transport it subscribed to with one call. A payload
that does not decode raises ``ValueError`` with one line naming the field and the problem;
cut-short JPEG and PNG files are caught by their end markers before OpenCV, which would fill the
missing rows with grey, sees them.
"""

import re
import struct
from typing import Any

import cv2
import numpy as np

from robomamba_ros.ros.messages import depth_image_to_m, encode_depth, image_to_rgb, make_header
from robomamba_ros.ros.type_source import as_uint8_vector, TypeSource

#: The compressedDepth header: int32 compression format, float32 depthParam[2], little endian.
DEPTH_HEADER = struct.Struct('<iff')
#: ``compressionFormat::INV_DEPTH``, the only format compressed_depth_image_transport writes.
INV_DEPTH = 0
#: compressed_depth_image_transport's default parameters.
DEFAULT_DEPTH_MAX_M = 10.0
DEFAULT_DEPTH_QUANTIZATION = 100.0
#: Depth encodings a compressedDepth image may carry, and their bit depth.
COMPRESSED_DEPTH_ENCODINGS = {'16UC1': 16, 'mono16': 16, '32FC1': 32}

_JPEG_START, _JPEG_END = b'\xff\xd8', b'\xff\xd9'
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# A zero-length IEND chunk: length, type and its fixed CRC.
_PNG_END = b'\x00\x00\x00\x00IEND\xaeB`\x82'
_PLAIN_COLOUR_FORMATS = ('jpeg', 'png')
_TARGET = re.compile(r'(bgr|rgb|mono)(8|16)')
_UINT16_MAX = 65535
# Encodings make_compressed_image takes: channels and the slice that gives BGR (None: grey).
_SOURCES = {
    'rgb8': (3, np.s_[:, :, ::-1]),
    'bgr8': (3, np.s_[:, :, :]),
    'rgba8': (4, np.s_[:, :, 2::-1]),
    'bgra8': (4, np.s_[:, :, :3]),
    'mono8': (1, None),
}
_COLOUR_EXAMPLE = '"rgb8; jpeg compressed bgr8", "mono8; png compressed ", "jpeg" or "png"'
_DEPTH_EXAMPLE = '"16UC1; compressedDepth png" or "32FC1; compressedDepth"'


# --------------------------------------------------------------------------------------------
# Payload checks


def _payload(msg: Any) -> bytes:
    return as_uint8_vector(msg.data, 'CompressedImage.data').tobytes()


def _format(msg: Any, example: str) -> str:
    fmt = getattr(msg, 'format', None)
    if not isinstance(fmt, str) or not fmt.strip():
        raise ValueError(f'CompressedImage.format is empty; expected e.g. {example}')
    return fmt


def _check_file(data: bytes, field: str) -> str:
    """
    Check that bytes are one complete JPEG or PNG file.

    :param data: the file's bytes.
    :param field: field name for errors.
    :return: ``'jpeg'`` or ``'png'``.
    :raises ValueError: empty, neither JPEG nor PNG, or cut short (no end marker).
    """
    if not data:
        raise ValueError(f'{field} is empty; expected a JPEG or PNG file')
    if data.startswith(_JPEG_START):
        # Some encoders pad after the end marker with zeros; a cut file lacks the marker.
        if not data.rstrip(b'\x00').endswith(_JPEG_END):
            raise ValueError(f'{field}: JPEG has no end-of-image marker FFD9 (truncated at '
                             f'{len(data)} bytes)')
        return 'jpeg'
    if data.startswith(_PNG_SIGNATURE):
        if not data.endswith(_PNG_END):
            raise ValueError(f'{field}: PNG has no final IEND chunk (truncated at '
                             f'{len(data)} bytes)')
        return 'png'
    raise ValueError(f'{field} is neither JPEG (FFD8...) nor PNG (89504E47...): it starts with '
                     f'{data[:8].hex().upper()}')


def _imdecode(data: bytes, codec: str, field: str) -> np.ndarray:
    """
    Decode a checked JPEG or PNG file with OpenCV, channels as stored (BGR for colour).

    :param data: a complete file (see :func:`_check_file`).
    :param codec: ``'jpeg'`` or ``'png'``, for errors.
    :param field: field name for errors.
    :return: ``(H, W)`` or ``(H, W, C)`` uint8 or uint16 array.
    :raises ValueError: OpenCV cannot decode it.
    """
    name = codec.upper()
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        reason = ' '.join(str(exc).split())
        raise ValueError(f'{field}: OpenCV cannot decode the {name} ({reason})') from None
    if image is None or image.size == 0:
        raise ValueError(f'{field}: OpenCV cannot decode the {name} ({len(data)} bytes, corrupt)')
    return image


# --------------------------------------------------------------------------------------------
# compressed (JPEG / PNG colour and grey)


def _colour_order(fmt: str) -> str:
    """
    Return the channel order of a compressed colour payload from its format string.

    :param fmt: a non-empty ``CompressedImage.format``.
    :return: ``'bgr'`` or ``'rgb'`` (what a 3-channel payload holds; grey needs neither).
    :raises ValueError: a compressedDepth or an unknown format.
    """
    encoding, sep, rest = fmt.partition(';')
    if not sep:
        if fmt.strip() in _PLAIN_COLOUR_FORMATS:
            return 'bgr'  # older drivers: OpenCV's own order
    else:
        words = rest.split()
        if words[:1] == ['compressedDepth']:
            raise ValueError(f'CompressedImage.format {fmt!r} is compressedDepth, a depth image, '
                             'not colour')
        if (len(words) in (2, 3) and words[0] in _PLAIN_COLOUR_FORMATS
                and words[1] == 'compressed'
                and (len(words) == 2 or _TARGET.fullmatch(words[2]))):
            # The subscriber's rule: BGR unless the target says the codec was fed RGB.
            return 'rgb' if len(words) == 3 and words[2].startswith('rgb') else 'bgr'
    raise ValueError(f'CompressedImage.format {fmt!r} is not a compressed_image_transport JPEG or '
                     f'PNG format; expected e.g. {_COLOUR_EXAMPLE}')


def compressed_to_rgb(msg: Any) -> np.ndarray:
    """
    Decode a ``compressed`` CompressedImage into RGB.

    16-bit payloads (``bgr16``, ``mono16``) keep their high byte, the inverse of the subscriber's
    ``x 256`` for JPEGs of 16-bit images.

    :param msg: CompressedImage with a JPEG or PNG payload and a compressed_image_transport
        format (``"rgb8; jpeg compressed bgr8"``, ``"mono8; png compressed "``, ``"jpeg"``, ...).
    :return: ``(H, W, 3)`` uint8, C-contiguous, channels R, G, B (grey is replicated, alpha
        dropped).
    :raises ValueError: an empty, unknown or compressedDepth format, or a payload that is not a
        complete, decodable JPEG or PNG file.
    """
    order = _colour_order(_format(msg, _COLOUR_EXAMPLE))
    data = _payload(msg)
    codec = _check_file(data, 'CompressedImage.data')
    image = _imdecode(data, codec, 'CompressedImage.data')
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(f'CompressedImage.data: {codec.upper()} has {image.dtype} samples; '
                         'expected 8 or 16 bits')
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f'CompressedImage.data: {codec.upper()} has shape {image.shape}; '
                         'expected 1, 3 or 4 channels')
    image = image[:, :, :3]
    return np.ascontiguousarray(image if order == 'rgb' else image[:, :, ::-1])


# --------------------------------------------------------------------------------------------
# compressedDepth


def _depth_encoding(fmt: str) -> str:
    """
    Return the raw depth encoding named by a compressedDepth format string.

    :param fmt: a non-empty ``CompressedImage.format``.
    :return: ``'16UC1'``, ``'mono16'`` or ``'32FC1'``.
    :raises ValueError: not a compressedDepth format, an RVL one, or another encoding.
    """
    encoding, sep, rest = fmt.partition(';')
    words = rest.split()
    if not sep or words[:1] != ['compressedDepth']:
        raise ValueError(f'CompressedImage.format {fmt!r} is not a compressedDepth format; '
                         f'expected e.g. {_DEPTH_EXAMPLE}')
    if words[1:] == ['rvl']:
        raise ValueError(f'CompressedImage.format {fmt!r}: RVL is not supported; publish with '
                         'the compressedDepth format parameter "png"')
    if words[1:] not in ([], ['png']):
        raise ValueError(f'CompressedImage.format {fmt!r} is not a PNG compressedDepth format; '
                         f'expected e.g. {_DEPTH_EXAMPLE}')
    encoding = encoding.strip()
    if encoding not in COMPRESSED_DEPTH_ENCODINGS:
        raise ValueError(f'CompressedImage.format {fmt!r}: compressedDepth encoding {encoding!r} '
                         f'is not one of {sorted(COMPRESSED_DEPTH_ENCODINGS)}')
    return encoding


def compressed_depth_to_m(msg: Any) -> np.ndarray:
    """
    Decode a ``compressedDepth`` CompressedImage into metres.

    :param msg: CompressedImage with format ``"16UC1; compressedDepth[ png]"``,
        ``"mono16; compressedDepth[ png]"`` (millimetres) or ``"32FC1; compressedDepth[ png]"``
        (quantised inverse depth).
    :return: ``(H, W)`` float32 depth along the optical axis (m), NaN where there is no reading.
    :raises ValueError: an empty or unknown format (``rvl`` included), a payload shorter than
        the header or with nothing after it, a header of another compression format, unusable
        32FC1 quantisation parameters, or a payload that is not a complete single-channel 16-bit
        PNG.
    """
    encoding = _depth_encoding(_format(msg, _DEPTH_EXAMPLE))
    data = _payload(msg)
    size = DEPTH_HEADER.size
    if len(data) < size:
        raise ValueError(f'CompressedImage.data has {len(data)} bytes, shorter than the '
                         f'{size}-byte compressedDepth header')
    kind, quant_a, quant_b = DEPTH_HEADER.unpack_from(data)
    if kind != INV_DEPTH:
        raise ValueError(f'CompressedImage.data: compressedDepth header format is {kind}, '
                         f'expected {INV_DEPTH} (INV_DEPTH)')
    if len(data) == size:
        raise ValueError(f'CompressedImage.data holds only the {size}-byte compressedDepth '
                         'header, no PNG after it')
    is_float = COMPRESSED_DEPTH_ENCODINGS[encoding] == 32
    # 16-bit images leave the parameters unset (garbage in C++), so only 32FC1 checks them.
    if is_float and not (np.isfinite(quant_a) and np.isfinite(quant_b) and quant_a > 0.0):
        raise ValueError(f'CompressedImage.data: compressedDepth quantisation parameters '
                         f'A={quant_a}, B={quant_b} are not usable (need finite A > 0, finite B)')
    png = data[size:]
    codec = _check_file(png, 'CompressedImage.data after the compressedDepth header')
    if codec != 'png':
        raise ValueError('CompressedImage.data: the compressedDepth image after the header is '
                         f'{codec.upper()}, not PNG')
    image = _imdecode(png, codec, 'CompressedImage.data')
    if image.ndim != 2 or image.dtype != np.uint16:
        channels = 1 if image.ndim == 2 else image.shape[2]
        raise ValueError(f'CompressedImage.data: compressedDepth PNG must be single-channel '
                         f'16-bit, got {image.dtype.itemsize * 8}-bit with {channels} channels')
    valid = image > 0
    if not is_float:
        # Divide in float64 so that e.g. 1000 mm is exactly 1.0 m, as depth_image_to_m does.
        depth = (image.astype(np.float64) / 1000.0).astype(np.float32)
    else:
        # In float32, as the C++ decoder computes it.
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            depth = np.float32(quant_a) / (image.astype(np.float32) - np.float32(quant_b))
        valid &= np.isfinite(depth) & (depth > 0)
    return np.where(valid, depth, np.float32(np.nan)).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Either transport


def _is_compressed(msg: Any) -> bool:
    if hasattr(msg, 'encoding'):
        return False
    if hasattr(msg, 'format'):
        return True
    name = getattr(msg, '__msgtype__', type(msg).__name__)  # rosbags names its classes oddly
    raise ValueError(f'expected a sensor_msgs/Image (encoding) or CompressedImage (format), got '
                     f'{name}')


def decode_color(msg: Any) -> np.ndarray:
    """
    Decode a colour image of either transport into RGB.

    :param msg: a raw ``sensor_msgs/Image`` (see :func:`~robomamba_ros.ros.messages.image_to_rgb`)
        or a ``compressed`` CompressedImage (see :func:`compressed_to_rgb`).
    :return: ``(H, W, 3)`` uint8 RGB, C-contiguous.
    :raises ValueError: a message of neither type, or an image that does not decode.
    """
    return compressed_to_rgb(msg) if _is_compressed(msg) else image_to_rgb(msg)


def decode_depth(msg: Any) -> np.ndarray:
    """
    Decode a depth image of either transport into metres.

    :param msg: a raw depth ``sensor_msgs/Image`` (see
        :func:`~robomamba_ros.ros.messages.depth_image_to_m`) or a ``compressedDepth``
        CompressedImage (see :func:`compressed_depth_to_m`).
    :return: ``(H, W)`` float32 metres, NaN where there is no reading.
    :raises ValueError: a message of neither type, or an image that does not decode.
    """
    return compressed_depth_to_m(msg) if _is_compressed(msg) else depth_image_to_m(msg)


# --------------------------------------------------------------------------------------------
# Encoders


def _message(types: TypeSource, fmt: str, data: bytes, stamp_ns: int, frame_id: str) -> Any:
    return types.new('sensor_msgs/msg/CompressedImage',
                     header=make_header(frame_id, stamp_ns, types), format=fmt,
                     data=types.uint8_array(np.frombuffer(data, dtype=np.uint8)))


def _imencode(ext: str, image: np.ndarray, params: list) -> bytes:
    try:
        ok, data = cv2.imencode(ext, image, params)
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f'OpenCV cannot encode a {image.dtype} {image.shape} image as '
                         f'{ext[1:].upper()}')
    return data.tobytes()


def make_compressed_image(rgb: np.ndarray, types: TypeSource, fmt: str = 'jpeg',
                          stamp_ns: int = 0, frame_id: str = '', quality: int = 95,
                          encoding: str = 'rgb8') -> Any:
    """
    Encode a colour or grey image as compressed_image_transport publishes it.

    Colour goes into the codec as BGR (alpha dropped); the format string is
    ``"<encoding>; <fmt> compressed bgr8"``, ``"mono8; jpeg compressed mono8"`` or
    ``"mono8; png compressed "`` (the C++ publisher names no target for grey PNG).

    :param rgb: uint8 pixels in ``encoding``'s channel order: ``(H, W, 3)`` for ``rgb8`` and
        ``bgr8``, ``(H, W, 4)`` for ``rgba8`` and ``bgra8``, ``(H, W)`` for ``mono8``.
    :param types: type source.
    :param fmt: ``'jpeg'`` or ``'png'``.
    :param stamp_ns: acquisition time (ns).
    :param frame_id: camera optical frame.
    :param quality: JPEG quality, 1-100 (unused for PNG).
    :param encoding: the raw image's encoding: ``rgb8``, ``bgr8``, ``rgba8``, ``bgra8`` or
        ``mono8``.
    :return: the CompressedImage.
    :raises ValueError: another encoding or format, a shape or dtype not matching the encoding,
        an empty image, or a quality outside 1-100.
    """
    if encoding not in _SOURCES:
        raise ValueError(f'encoding must be one of {sorted(_SOURCES)}, got {encoding!r}')
    if fmt not in _PLAIN_COLOUR_FORMATS:
        raise ValueError(f"fmt must be 'jpeg' or 'png', got {fmt!r}")
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) \
            or not 1 <= quality <= 100:
        raise ValueError(f'quality must be an integer in 1-100, got {quality!r}')
    channels, to_bgr = _SOURCES[encoding]
    array = np.asarray(rgb)
    if channels == 1 and array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    expected = '(H, W)' if channels == 1 else f'(H, W, {channels})'
    if array.ndim != (2 if channels == 1 else 3) or (channels > 1
                                                     and array.shape[2] != channels):
        raise ValueError(f'image shape {array.shape} does not match encoding {encoding!r}: '
                         f'expected {expected}')
    if array.dtype != np.uint8:
        raise ValueError(f'image dtype must be uint8 for {encoding!r}, got {array.dtype}')
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f'image must not be empty, got shape {array.shape}')
    if to_bgr is None:
        source = np.ascontiguousarray(array)
        text = f'mono8; {fmt} compressed {"mono8" if fmt == "jpeg" else ""}'
    else:
        source = np.ascontiguousarray(array[to_bgr])
        text = f'{encoding}; {fmt} compressed bgr8'
    if fmt == 'jpeg':
        data = _imencode('.jpg', source, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    else:
        data = _imencode('.png', source, [])
    return _message(types, text, data, stamp_ns, frame_id)


def _positive(value: Any, field: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{field} must be a number, got {value!r}') from None
    if not (np.isfinite(out) and out > 0.0):
        raise ValueError(f'{field} must be finite and > 0, got {out}')
    return out


def make_compressed_depth(depth_m: np.ndarray, encoding: str, types: TypeSource,
                          stamp_ns: int = 0, frame_id: str = '',
                          depth_max_m: float = DEFAULT_DEPTH_MAX_M,
                          depth_quantization: float = DEFAULT_DEPTH_QUANTIZATION) -> Any:
    """
    Encode depth in metres as compressed_depth_image_transport publishes it (PNG).

    ``16UC1`` rounds to millimetres and drops readings above ``depth_max_m`` (as the C++
    encoder, which compares millimetres with ``depth_max * 1000`` truncated); ``32FC1`` quantises
    inverse depth in float32 as the C++ encoder does and drops readings at or beyond
    ``depth_max_m``. Readings nearer than ``A / (65535 - B)`` (0.15 m with the defaults), whose
    inverse depth overflows uint16 (undefined in C++), are stored as 65535, the nearest value.

    :param depth_m: ``(H, W)`` depth (m); 0, NaN, inf or negative where nothing was seen.
    :param encoding: ``'16UC1'`` (millimetres) or ``'32FC1'`` (quantised inverse depth).
    :param types: type source.
    :param stamp_ns: acquisition time (ns).
    :param frame_id: camera optical frame.
    :param depth_max_m: the transport's ``depth_max`` parameter (m).
    :param depth_quantization: the transport's ``depth_quantization`` parameter (32FC1 only).
    :return: the CompressedImage, format ``"<encoding>; compressedDepth png"`` (the Jazzy form,
        which Humble's decoder also reads: it looks only before the ``;``).
    :raises ValueError: another encoding, a depth array that is not 2-D or is empty, or
        parameters that are not finite and > 0.
    """
    if encoding not in ('16UC1', '32FC1'):
        raise ValueError(f"compressedDepth encoding must be '16UC1' or '32FC1', got "
                         f'{encoding!r}')
    depth_max = _positive(depth_max_m, 'depth_max_m')
    quantization = _positive(depth_quantization, 'depth_quantization')
    try:
        depth = np.asarray(depth_m, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError('depth_m must be an array of numbers') from None
    if depth.ndim != 2 or depth.size == 0:
        raise ValueError(f'depth_m must be a non-empty (H, W) array, got shape {depth.shape}')
    if encoding == '16UC1':
        image = encode_depth(depth, '16UC1')
        limit_mm = int(depth_max * 1000.0)
        if limit_mm < _UINT16_MAX:
            image[image > limit_mm] = 0
        params = (0.0, 0.0)
    else:
        # float32 throughout, as the C++ encoder computes on a 32FC1 image.
        z0, d_max = np.float32(quantization), np.float32(depth_max)
        quant_a = z0 * (z0 + np.float32(1.0))
        quant_b = np.float32(1.0) - quant_a / d_max
        with np.errstate(invalid='ignore', over='ignore'):
            d32 = depth.astype(np.float32)
            inside = np.isfinite(d32) & (d32 > 0) & (d32 < d_max)
        inv = np.zeros(depth.shape, dtype=np.float32)
        inv[inside] = quant_a / d32[inside] + quant_b
        # The C++ float -> uint16 store truncates.
        image = np.floor(np.clip(inv, 0.0, _UINT16_MAX)).astype(np.uint16)
        params = (float(quant_a), float(quant_b))
    png = _imencode('.png', image, [])
    data = DEPTH_HEADER.pack(INV_DEPTH, *params) + png
    return _message(types, f'{encoding}; compressedDepth png', data, stamp_ns, frame_id)


__all__ = [
    'COMPRESSED_DEPTH_ENCODINGS',
    'DEFAULT_DEPTH_MAX_M',
    'DEFAULT_DEPTH_QUANTIZATION',
    'DEPTH_HEADER',
    'INV_DEPTH',
    'compressed_depth_to_m',
    'compressed_to_rgb',
    'decode_color',
    'decode_depth',
    'make_compressed_depth',
    'make_compressed_image',
]
