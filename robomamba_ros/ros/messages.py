# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Conversions between ROS 2 messages and numpy / plain Python values.

The read side (``*_to_numpy``, ``*_to_*``) works on any object with ROS 2 field names: rclpy
messages in production, rosbags messages in tests and in-process runs. The write side
(``make_*``, ``numpy_to_image``, ``ns_to_time``) takes a type source
(:class:`robomamba_ros.ros.type_source.TypeSource`) that supplies the message classes and the array
field forms of one backend.

Conventions: times are integer nanoseconds (``*_ns``), lengths are metres unless a name says
otherwise, quaternions are ``(x, y, z, w)``, pixel arrays are row-major ``(H, W)`` or
``(H, W, C)`` in the encoding's own channel order. Invalid input raises ``ValueError`` naming
the offending field.
"""

from dataclasses import dataclass
import operator
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from robomamba_ros.geometry import validate_intrinsics
from robomamba_ros.ros.type_source import as_uint8_vector, TypeSource

NS_PER_S = 1_000_000_000
_INT32_MAX = 2**31 - 1
_UINT32_MAX = 2**32 - 1
# Quaternions shorter than this are treated as zero: normalising them would amplify noise.
_MIN_QUAT_NORM = 1e-9

#: Supported image encodings: numpy dtype of one channel and number of channels.
IMAGE_ENCODINGS = {
    'rgb8': (np.dtype(np.uint8), 3),
    'bgr8': (np.dtype(np.uint8), 3),
    'rgba8': (np.dtype(np.uint8), 4),
    'bgra8': (np.dtype(np.uint8), 4),
    'mono8': (np.dtype(np.uint8), 1),
    'mono16': (np.dtype(np.uint16), 1),
    '16UC1': (np.dtype(np.uint16), 1),
    '32FC1': (np.dtype(np.float32), 1),
}
#: Depth encodings and the factor that turns a stored value into metres.
DEPTH_SCALE_TO_M = {'16UC1': 1e-3, 'mono16': 1e-3, '32FC1': 1.0}
_COLOR_ENCODINGS = ('rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8')


# --------------------------------------------------------------------------------------------
# Small validators


def _as_ns(value: Any, field: str) -> int:
    """
    Return a non-negative integer nanosecond count.

    :param value: an int (or numpy integer).
    :param field: field name for errors.
    :return: the value as a Python int.
    :raises ValueError: not an integer, or negative.
    """
    if isinstance(value, bool):
        raise ValueError(f'{field} must be an integer number of nanoseconds, got {value!r}')
    try:
        ns = operator.index(value)
    except TypeError:
        raise ValueError(
            f'{field} must be an integer number of nanoseconds, got {value!r}') from None
    if ns < 0:
        raise ValueError(f'{field} must be >= 0 ns, got {ns}')
    return ns


def _as_str(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f'{field} must be a str, got {type(value).__name__}')
    return value


def _finite_vector(values: Any, size: int, field: str) -> np.ndarray:
    """
    Convert to a finite float64 vector of a fixed size.

    :param values: array-like of numbers.
    :param size: required number of elements.
    :param field: field name for errors.
    :return: float64 array of shape ``(size,)`` (a copy).
    :raises ValueError: wrong size, non-numeric or non-finite values.
    """
    try:
        out = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f'{field} must be {size} numbers, got {values!r}') from None
    if out.shape != (size,):
        raise ValueError(f'{field} must have shape ({size},), got {out.shape}')
    if not np.all(np.isfinite(out)):
        raise ValueError(f'{field} must be finite, got {out.tolist()}')
    return out


def _float_vector(values: Any, field: str) -> np.ndarray:
    try:
        out = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f'{field} must be a sequence of numbers') from None
    if out.ndim != 1:
        raise ValueError(f'{field} must be one-dimensional, got shape {out.shape}')
    return out


# --------------------------------------------------------------------------------------------
# builtin_interfaces/Time and std_msgs/Header


def time_to_ns(t: Any) -> int:
    """
    Convert a ``builtin_interfaces/Time`` to integer nanoseconds.

    :param t: object with ``sec`` and ``nanosec``.
    :return: ``sec * 1e9 + nanosec`` (ns).
    :raises ValueError: ``nanosec`` outside [0, 1e9).
    """
    sec = int(t.sec)
    nanosec = int(t.nanosec)
    if not 0 <= nanosec < NS_PER_S:
        raise ValueError(f'Time.nanosec must be in [0, 1e9), got {nanosec}')
    return sec * NS_PER_S + nanosec


def ns_to_time(ns: int, types: TypeSource) -> Any:
    """
    Build a ``builtin_interfaces/Time`` from integer nanoseconds.

    :param ns: time (ns), >= 0 and within the int32 seconds range.
    :param types: type source.
    :return: the Time message, with ``nanosec`` in [0, 1e9).
    :raises ValueError: negative, non-integer or too large ``ns``.
    """
    ns = _as_ns(ns, 'stamp_ns')
    sec, nanosec = divmod(ns, NS_PER_S)
    if sec > _INT32_MAX:
        raise ValueError(f'stamp_ns {ns} overflows Time.sec (int32)')
    return types.new('builtin_interfaces/msg/Time', sec=sec, nanosec=nanosec)


def make_header(frame_id: str, stamp_ns: int, types: TypeSource) -> Any:
    """
    Build a ``std_msgs/Header``.

    :param frame_id: coordinate frame of the data (e.g. ``'camera_color_optical_frame'``).
    :param stamp_ns: acquisition time (ns).
    :param types: type source.
    :return: the Header message.
    """
    return types.new('std_msgs/msg/Header', stamp=ns_to_time(stamp_ns, types),
                     frame_id=_as_str(frame_id, 'Header.frame_id'))


def header_to_frame_ns(header: Any) -> Tuple[str, int]:
    """
    Read a ``std_msgs/Header``.

    :param header: object with ``frame_id`` and ``stamp``.
    :return: ``(frame_id, stamp_ns)``.
    """
    return str(header.frame_id), time_to_ns(header.stamp)


# --------------------------------------------------------------------------------------------
# sensor_msgs/Image


def _image_format(encoding: Any) -> Tuple[np.dtype, int]:
    try:
        return IMAGE_ENCODINGS[encoding]
    except (KeyError, TypeError):
        raise ValueError(
            f'Image.encoding {encoding!r} is not supported; expected one of '
            f'{sorted(IMAGE_ENCODINGS)}') from None


def _wire_dtype(dtype: np.dtype, big_endian: bool) -> np.dtype:
    return dtype.newbyteorder('>' if big_endian else '<')


def image_to_numpy(msg: Any) -> np.ndarray:
    """
    Decode a ``sensor_msgs/Image`` into a numpy array.

    Row padding (``step`` larger than a row) is skipped and ``is_bigendian`` is honoured.

    :param msg: object with ``height``, ``width``, ``encoding``, ``is_bigendian``, ``step`` and
        ``data``.
    :return: ``(H, W)`` for one-channel encodings, else ``(H, W, C)``, channels in the
        encoding's own order (``bgr8`` stays BGR); native-endian dtype (uint8, uint16 or
        float32); a new array that does not share memory with the message.
    :raises ValueError: unsupported ``encoding``, zero ``height``/``width``, ``step`` smaller
        than a row, or ``data`` length different from ``height * step``.
    """
    dtype, channels = _image_format(msg.encoding)
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if height <= 0:
        raise ValueError(f'Image.height must be > 0, got {height}')
    if width <= 0:
        raise ValueError(f'Image.width must be > 0, got {width}')
    row_bytes = width * channels * dtype.itemsize
    if step < row_bytes:
        raise ValueError(
            f'Image.step {step} is smaller than one row of {msg.encoding}: '
            f'width {width} x {channels * dtype.itemsize} bytes = {row_bytes}')
    data = as_uint8_vector(msg.data, 'Image.data')
    if data.size != height * step:
        raise ValueError(
            f'Image.data has {data.size} bytes, expected height {height} x step {step} = '
            f'{height * step}')
    rows = np.ascontiguousarray(data.reshape(height, step)[:, :row_bytes])
    pixels = rows.view(_wire_dtype(dtype, bool(msg.is_bigendian)))
    shape = (height, width) if channels == 1 else (height, width, channels)
    # astype to the native dtype always copies here, so the result never aliases msg.data.
    return pixels.reshape(shape).astype(dtype, copy=True)


def numpy_to_image(array: np.ndarray, encoding: str, types: TypeSource, stamp_ns: int = 0,
                   frame_id: str = '') -> Any:
    """
    Encode a numpy array as a ``sensor_msgs/Image`` with packed, little-endian rows.

    :param array: ``(H, W)`` (or ``(H, W, 1)``) for one-channel encodings, ``(H, W, C)``
        otherwise, channels in the encoding's order; dtype uint8 for ``rgb8``, ``bgr8``,
        ``rgba8``, ``bgra8``, ``mono8``; uint16 for ``mono16``/``16UC1`` (``16UC1`` depth in
        millimetres); float32 for ``32FC1`` (depth in metres). Any byte order.
    :param encoding: one of :data:`IMAGE_ENCODINGS`.
    :param types: type source.
    :param stamp_ns: acquisition time (ns).
    :param frame_id: camera optical frame.
    :return: the Image message (``step`` is one row, ``is_bigendian`` 0).
    :raises ValueError: unsupported ``encoding``, shape or dtype not matching it, or zero height
        or width.
    """
    dtype, channels = _image_format(encoding)
    if not isinstance(array, np.ndarray):
        raise ValueError(f'array must be a numpy.ndarray, got {type(array).__name__}')
    if array.dtype.kind != dtype.kind or array.dtype.itemsize != dtype.itemsize:
        raise ValueError(f'array dtype {array.dtype} does not match encoding {encoding!r} '
                         f'(expected {dtype})')
    expected = '(H, W)' if channels == 1 else f'(H, W, {channels})'
    if channels == 1 and array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != (2 if channels == 1 else 3) or (channels > 1 and array.shape[2] != channels):
        raise ValueError(
            f'array shape {array.shape} does not match encoding {encoding!r}: expected '
            f'{expected}')
    height, width = int(array.shape[0]), int(array.shape[1])
    if height == 0:
        raise ValueError('Image.height must be > 0, got an array with 0 rows')
    if width == 0:
        raise ValueError('Image.width must be > 0, got an array with 0 columns')
    row_bytes = width * channels * dtype.itemsize
    if row_bytes > _UINT32_MAX or height > _UINT32_MAX:
        raise ValueError('Image.step and height must fit in uint32')
    packed = np.ascontiguousarray(array, dtype=_wire_dtype(dtype, False))
    return types.new(
        'sensor_msgs/msg/Image',
        header=make_header(frame_id, stamp_ns, types),
        height=height,
        width=width,
        encoding=encoding,
        is_bigendian=0,
        step=row_bytes,
        data=types.uint8_array(packed.view(np.uint8).reshape(-1)),
    )


def image_to_rgb(msg: Any) -> np.ndarray:
    """
    Decode a colour or grey ``sensor_msgs/Image`` into RGB.

    :param msg: Image with encoding ``rgb8``, ``bgr8``, ``rgba8``, ``bgra8`` or ``mono8``
        (alpha is dropped, grey is replicated).
    :return: ``(H, W, 3)`` uint8, C-contiguous, channels R, G, B.
    :raises ValueError: any other ``encoding`` or an invalid image (see :func:`image_to_numpy`).
    """
    encoding = msg.encoding
    if encoding not in _COLOR_ENCODINGS:
        raise ValueError(f'Image.encoding {encoding!r} is not a colour encoding; expected one '
                         f'of {list(_COLOR_ENCODINGS)}')
    pixels = image_to_numpy(msg)
    if encoding == 'rgb8':
        return pixels
    if encoding == 'mono8':
        return np.repeat(pixels[:, :, None], 3, axis=2)
    if encoding == 'rgba8':
        return np.ascontiguousarray(pixels[:, :, :3])
    # bgr8 and bgra8: channels 2, 1, 0 are R, G, B.
    return np.ascontiguousarray(pixels[:, :, 2::-1])


def depth_image_to_m(msg: Any) -> np.ndarray:
    """
    Decode a depth ``sensor_msgs/Image`` into metres.

    ``16UC1`` and ``mono16`` hold millimetres, ``32FC1`` metres. Zero, NaN, infinite (and
    negative) values mean "no reading" and become NaN.

    :param msg: Image with a depth encoding (see :data:`DEPTH_SCALE_TO_M`).
    :return: ``(H, W)`` float32 depth along the optical axis (m), NaN where there is no reading.
    :raises ValueError: any other ``encoding`` or an invalid image.
    """
    encoding = msg.encoding
    if encoding not in DEPTH_SCALE_TO_M:
        raise ValueError(f'Image.encoding {encoding!r} is not a depth encoding; expected one '
                         f'of {sorted(DEPTH_SCALE_TO_M)}')
    raw = image_to_numpy(msg)
    if encoding == '32FC1':
        depth_m = raw
    else:
        # Divide in float64 so that e.g. 1000 mm is exactly 1.0 m after rounding to float32.
        depth_m = (raw.astype(np.float64) / 1000.0).astype(np.float32)
    with np.errstate(invalid='ignore'):
        invalid = ~np.isfinite(depth_m) | (depth_m <= 0)
    depth_m[invalid] = np.nan
    return depth_m


def encode_depth(depth_m: np.ndarray, encoding: str) -> np.ndarray:
    """
    Encode depth in metres for a depth Image (the inverse of :func:`depth_image_to_m`).

    :param depth_m: float ``(H, W)`` depth in metres; 0, NaN or inf where nothing was seen.
    :param encoding: ``'32FC1'`` (metres) or ``'16UC1'`` (millimetres, 0 beyond 65.535 m).
    :return: float32 or uint16 ``(H, W)`` array, 0 where there is no reading.
    :raises ValueError: for another encoding.
    """
    depth = np.asarray(depth_m, dtype=np.float64)
    valid = np.isfinite(depth) & (depth > 0.0)
    if encoding == '32FC1':
        return np.where(valid, depth, 0.0).astype(np.float32)
    if encoding == '16UC1':
        mm = np.where(valid, np.round(depth * 1000.0), 0.0)
        mm[mm > np.iinfo(np.uint16).max] = 0.0
        return mm.astype(np.uint16)
    raise ValueError(f"depth encoding must be '32FC1' or '16UC1', got {encoding!r}")


# --------------------------------------------------------------------------------------------
# sensor_msgs/CameraInfo


@dataclass(frozen=True, eq=False)
class CameraIntrinsics:
    """
    Pinhole intrinsics read from a ``sensor_msgs/CameraInfo``.

    Pixel centres are at integer coordinates (ROS convention). Arrays are read-only.

    :param K: ``(3, 3)`` float64 camera matrix ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]`` (px).
    :param D: distortion coefficients, float64, length depends on ``distortion_model``.
    :param distortion_model: e.g. ``'plumb_bob'``, ``'rational_polynomial'``, ``'equidistant'``.
    :param width: image width (px).
    :param height: image height (px).
    :param frame_id: camera optical frame.
    """

    K: np.ndarray
    D: np.ndarray
    distortion_model: str
    width: int
    height: int
    frame_id: str

    @property
    def fx(self) -> float:
        return float(self.K[0, 0])

    @property
    def fy(self) -> float:
        return float(self.K[1, 1])

    @property
    def cx(self) -> float:
        return float(self.K[0, 2])

    @property
    def cy(self) -> float:
        return float(self.K[1, 2])


def _check_k(k: Any, field: str) -> np.ndarray:
    """
    Validate a camera matrix with :func:`robomamba_ros.geometry.validate_intrinsics`.

    :param k: 9 numbers or a 3x3 array.
    :param field: field name for errors.
    :return: ``(3, 3)`` float64 copy.
    :raises ValueError: naming ``field`` and the problem (size, non-finite, all zeros,
        focal length <= 0, not an upper-triangular pinhole matrix).
    """
    try:
        return validate_intrinsics(k)
    except ValueError as exc:
        raise ValueError(f'{field}: {exc}') from None


def camera_info_to_intrinsics(msg: Any) -> CameraIntrinsics:
    """
    Read pinhole intrinsics from a ``sensor_msgs/CameraInfo``.

    :param msg: object with ``header``, ``width``, ``height``, ``k``, ``d`` and
        ``distortion_model``.
    :return: the intrinsics.
    :raises ValueError: zero ``width``/``height``; ``k`` all zeros, non-finite or with
        non-positive focal lengths; non-finite ``d``.
    """
    width, height = int(msg.width), int(msg.height)
    if width <= 0:
        raise ValueError(f'CameraInfo.width must be > 0, got {width}')
    if height <= 0:
        raise ValueError(f'CameraInfo.height must be > 0, got {height}')
    k = _check_k(msg.k, 'CameraInfo.k')
    d = _float_vector(msg.d, 'CameraInfo.d')
    if not np.all(np.isfinite(d)):
        raise ValueError(f'CameraInfo.d must be finite, got {d.tolist()}')
    k.setflags(write=False)
    d.setflags(write=False)
    return CameraIntrinsics(K=k, D=d, distortion_model=str(msg.distortion_model), width=width,
                            height=height, frame_id=str(msg.header.frame_id))


_DEFAULT_D_SIZE = {'plumb_bob': 5, 'rational_polynomial': 8, 'equidistant': 4}


def make_camera_info(K: Any, width: int, height: int, types: TypeSource, frame_id: str,
                     stamp_ns: int, distortion_model: str = 'plumb_bob',
                     D: Optional[Sequence[float]] = None) -> Any:
    """
    Build a monocular ``sensor_msgs/CameraInfo`` (R = identity, P = [K | 0]).

    :param K: ``(3, 3)`` camera matrix (px), pixel centres at integer coordinates.
    :param width: image width (px).
    :param height: image height (px).
    :param types: type source.
    :param frame_id: camera optical frame.
    :param stamp_ns: time (ns).
    :param distortion_model: ROS distortion model name.
    :param D: distortion coefficients; default zeros of the model's usual length (5 for
        ``plumb_bob``, 8 for ``rational_polynomial``, 4 for ``equidistant``, else none).
    :return: the CameraInfo message.
    :raises ValueError: invalid ``K`` (see :func:`camera_info_to_intrinsics`), zero or negative
        ``width``/``height``, or non-finite ``D``.
    """
    k = _check_k(K, 'K')
    for name, value in (('width', width), ('height', height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f'CameraInfo.{name} must be an integer, got {value!r}')
        if not 0 < value <= _UINT32_MAX:
            raise ValueError(f'CameraInfo.{name} must be > 0, got {value}')
    if D is None:
        d = np.zeros(_DEFAULT_D_SIZE.get(distortion_model, 0))
    else:
        d = _float_vector(D, 'D')
    if not np.all(np.isfinite(d)):
        raise ValueError(f'D must be finite, got {d.tolist()}')
    p = np.zeros((3, 4))
    p[:, :3] = k
    roi = types.new('sensor_msgs/msg/RegionOfInterest', x_offset=0, y_offset=0, height=0,
                    width=0, do_rectify=False)
    return types.new(
        'sensor_msgs/msg/CameraInfo',
        header=make_header(frame_id, stamp_ns, types),
        height=int(height),
        width=int(width),
        distortion_model=_as_str(distortion_model, 'CameraInfo.distortion_model'),
        d=types.float64_array(d),
        k=types.float64_fixed(k.ravel(), 9),
        r=types.float64_fixed(np.eye(3).ravel(), 9),
        p=types.float64_fixed(p.ravel(), 12),
        binning_x=0,
        binning_y=0,
        roi=roi,
    )


# --------------------------------------------------------------------------------------------
# geometry_msgs/PoseStamped and TwistStamped


class PoseStampedData(NamedTuple):
    """A stamped pose as numpy: position (m) and orientation quaternion x, y, z, w."""

    position: np.ndarray
    quat_xyzw: np.ndarray
    frame_id: str
    stamp_ns: int


class TwistStampedData(NamedTuple):
    """A stamped twist as numpy: linear (m/s) and angular (rad/s) velocity."""

    linear: np.ndarray
    angular: np.ndarray
    frame_id: str
    stamp_ns: int


def _xyz(v: Any) -> np.ndarray:
    return np.array([v.x, v.y, v.z], dtype=np.float64)


def _unit_quaternion(quat_xyzw: Any, field: str = 'quat_xyzw') -> np.ndarray:
    """
    Return a unit quaternion.

    :param quat_xyzw: 4 numbers in ROS order x, y, z, w.
    :param field: field name for errors.
    :return: ``(4,)`` float64 unit quaternion (same sign as the input).
    :raises ValueError: wrong size, non-finite, or (near) zero norm.
    """
    q = _finite_vector(quat_xyzw, 4, field)
    norm = float(np.linalg.norm(q))
    if norm < _MIN_QUAT_NORM:
        raise ValueError(f'{field} has zero norm, it is not a rotation: {q.tolist()}')
    return q / norm


def pose_stamped_to_numpy(msg: Any) -> PoseStampedData:
    """
    Read a ``geometry_msgs/PoseStamped``.

    :param msg: object with ``header`` and ``pose.position``/``pose.orientation``.
    :return: ``(position (3,) m, quat_xyzw (4,), frame_id, stamp_ns)``; values as stored (the
        quaternion is not renormalised).
    """
    frame_id, stamp_ns = header_to_frame_ns(msg.header)
    o = msg.pose.orientation
    quat = np.array([o.x, o.y, o.z, o.w], dtype=np.float64)
    return PoseStampedData(_xyz(msg.pose.position), quat, frame_id, stamp_ns)


def make_pose_stamped(position: Any, quat_xyzw: Any, frame_id: str, stamp_ns: int,
                      types: TypeSource) -> Any:
    """
    Build a ``geometry_msgs/PoseStamped``.

    :param position: ``(3,)`` position of the pose in ``frame_id`` (m).
    :param quat_xyzw: ``(4,)`` orientation, x, y, z, w; normalised before storing.
    :param frame_id: reference frame (e.g. ``'panda_link0'``).
    :param stamp_ns: time (ns).
    :param types: type source.
    :return: the PoseStamped message.
    :raises ValueError: non-finite values, wrong sizes, or a zero quaternion.
    """
    p = _finite_vector(position, 3, 'position')
    q = _unit_quaternion(quat_xyzw)
    pose = types.new(
        'geometry_msgs/msg/Pose',
        position=types.new('geometry_msgs/msg/Point', x=float(p[0]), y=float(p[1]),
                           z=float(p[2])),
        orientation=types.new('geometry_msgs/msg/Quaternion', x=float(q[0]), y=float(q[1]),
                              z=float(q[2]), w=float(q[3])),
    )
    return types.new('geometry_msgs/msg/PoseStamped',
                     header=make_header(frame_id, stamp_ns, types), pose=pose)


def twist_stamped_to_numpy(msg: Any) -> TwistStampedData:
    """
    Read a ``geometry_msgs/TwistStamped``.

    :param msg: object with ``header`` and ``twist.linear``/``twist.angular``.
    :return: ``(linear (3,) m/s, angular (3,) rad/s, frame_id, stamp_ns)``.
    """
    frame_id, stamp_ns = header_to_frame_ns(msg.header)
    return TwistStampedData(_xyz(msg.twist.linear), _xyz(msg.twist.angular), frame_id,
                            stamp_ns)


def make_twist_stamped(linear: Any, angular: Any, frame_id: str, stamp_ns: int,
                       types: TypeSource) -> Any:
    """
    Build a ``geometry_msgs/TwistStamped``.

    :param linear: ``(3,)`` linear velocity (m/s) in ``frame_id``.
    :param angular: ``(3,)`` angular velocity (rad/s) in ``frame_id``.
    :param frame_id: frame the velocities are expressed in.
    :param stamp_ns: time (ns).
    :param types: type source.
    :return: the TwistStamped message.
    :raises ValueError: non-finite values or wrong sizes.
    """
    lin = _finite_vector(linear, 3, 'linear')
    ang = _finite_vector(angular, 3, 'angular')

    def vec(v: np.ndarray) -> Any:
        return types.new('geometry_msgs/msg/Vector3', x=float(v[0]), y=float(v[1]),
                         z=float(v[2]))

    twist = types.new('geometry_msgs/msg/Twist', linear=vec(lin), angular=vec(ang))
    return types.new('geometry_msgs/msg/TwistStamped',
                     header=make_header(frame_id, stamp_ns, types), twist=twist)


# --------------------------------------------------------------------------------------------
# sensor_msgs/JointState


class JointStateData(NamedTuple):
    """
    A joint state as numpy.

    Position in rad (revolute) or m (prismatic), velocity per second, effort in N·m or N.
    Velocity, effort (and position) may be empty when not reported.
    """

    names: List[str]
    position: np.ndarray
    velocity: np.ndarray
    effort: np.ndarray
    stamp_ns: int


def _check_joint_arrays(names: List[str], arrays: Iterable[Tuple[str, np.ndarray]]) -> None:
    if len(set(names)) != len(names):
        raise ValueError(f'JointState.name has duplicate joint names: {names}')
    for field, values in arrays:
        if values.size not in (0, len(names)):
            raise ValueError(
                f'JointState.{field} has {values.size} values for {len(names)} joints '
                '(must be empty or one per name)')


def joint_state_to_numpy(msg: Any) -> JointStateData:
    """
    Read a ``sensor_msgs/JointState``.

    :param msg: object with ``header``, ``name``, ``position``, ``velocity`` and ``effort``.
    :return: ``(names, position, velocity, effort, stamp_ns)``, arrays float64 (copies).
    :raises ValueError: an array neither empty nor as long as ``name``, or duplicate names.
    """
    names = [str(n) for n in msg.name]
    position = _float_vector(msg.position, 'JointState.position')
    velocity = _float_vector(msg.velocity, 'JointState.velocity')
    effort = _float_vector(msg.effort, 'JointState.effort')
    _check_joint_arrays(names, (('position', position), ('velocity', velocity),
                                ('effort', effort)))
    return JointStateData(names, position, velocity, effort, time_to_ns(msg.header.stamp))


def make_joint_state(names: Sequence[str], position: Any, velocity: Any, effort: Any,
                     stamp_ns: int, types: TypeSource, frame_id: str = '') -> Any:
    """
    Build a ``sensor_msgs/JointState``.

    :param names: joint names (e.g. ``'panda_joint1'``), unique.
    :param position: one per name (rad or m), or empty.
    :param velocity: one per name (rad/s or m/s), or empty.
    :param effort: one per name (N·m or N), or empty.
    :param stamp_ns: time (ns).
    :param types: type source.
    :param frame_id: header frame, usually empty for joint states.
    :return: the JointState message.
    :raises ValueError: lengths that are neither 0 nor ``len(names)``, duplicate or non-str
        names.
    """
    names = list(names)
    for n in names:
        _as_str(n, 'JointState.name item')
    arrays = [(field, _float_vector(values, f'JointState.{field}'))
              for field, values in (('position', position), ('velocity', velocity),
                                    ('effort', effort))]
    _check_joint_arrays(names, arrays)
    fields = {field: types.float64_array(values) for field, values in arrays}
    return types.new('sensor_msgs/msg/JointState', header=make_header(frame_id, stamp_ns, types),
                     name=names, **fields)


# --------------------------------------------------------------------------------------------
# std_msgs String and Bool


def make_string(text: str, types: TypeSource) -> Any:
    """Build a ``std_msgs/String``; ``text`` must be a str."""
    return types.new('std_msgs/msg/String', data=_as_str(text, 'String.data'))


def string_msg_to_str(msg: Any) -> str:
    """Read a ``std_msgs/String``."""
    return str(msg.data)


def make_bool(value: bool, types: TypeSource) -> Any:
    """Build a ``std_msgs/Bool`` from anything with a truth value."""
    return types.new('std_msgs/msg/Bool', data=bool(value))


def bool_msg_to_bool(msg: Any) -> bool:
    """Read a ``std_msgs/Bool``."""
    return bool(msg.data)


__all__ = [
    'DEPTH_SCALE_TO_M',
    'IMAGE_ENCODINGS',
    'NS_PER_S',
    'CameraIntrinsics',
    'JointStateData',
    'PoseStampedData',
    'TwistStampedData',
    'bool_msg_to_bool',
    'camera_info_to_intrinsics',
    'depth_image_to_m',
    'encode_depth',
    'header_to_frame_ns',
    'image_to_numpy',
    'image_to_rgb',
    'joint_state_to_numpy',
    'make_bool',
    'make_camera_info',
    'make_header',
    'make_joint_state',
    'make_pose_stamped',
    'make_string',
    'make_twist_stamped',
    'ns_to_time',
    'numpy_to_image',
    'pose_stamped_to_numpy',
    'string_msg_to_str',
    'time_to_ns',
]
