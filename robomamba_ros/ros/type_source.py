# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Type sources: resolve ROS 2 message type names to message classes.

One conversion code path builds messages for two backends:

* :class:`RclpyTypes` imports the generated ``pkg.msg`` modules (production, ROS 2 installed or
  the ROS 2 wheels in a venv; ``rosidl_runtime_py`` is not needed).
* :class:`RosbagsTypes` resolves names with a ``rosbags`` typestore for ROS 2 Humble or Jazzy
  (tests, in-process runs, bag recording) and also serialises messages to CDR bytes.

The backends disagree on the Python type of array fields, so a type source also builds those:
``uint8[]`` and ``float64[]`` are ``numpy`` arrays for rosbags but ``array.array`` for rclpy,
whose setters reject numpy arrays for unbounded sequences. Fixed-size ``float64[N]`` fields are
``numpy`` float64 arrays in both.

Neither rclpy nor rosbags is imported at module level.
"""

import array
from typing import Any, Iterable, Union

import numpy as np

BytesLike = Union[bytes, bytearray, memoryview, np.ndarray, array.array]

DISTROS = ('humble', 'jazzy')


def normalize_type_name(type_name: str) -> str:
    """
    Return the canonical ``pkg/msg/Name`` form of a message type name.

    :param type_name: ``'pkg/msg/Name'`` or the short form ``'pkg/Name'``.
    :return: ``'pkg/msg/Name'``.
    :raises ValueError: the name has neither form.
    """
    if not isinstance(type_name, str):
        raise ValueError(f'message type name must be a str, got {type_name!r}')
    parts = type_name.split('/')
    if len(parts) == 2 and all(parts):
        return f'{parts[0]}/msg/{parts[1]}'
    if len(parts) == 3 and all(parts) and parts[1] == 'msg':
        return type_name
    raise ValueError(
        f'malformed message type name {type_name!r}; expected "pkg/msg/Name" or "pkg/Name"')


def as_uint8_vector(data: BytesLike, field: str = 'data') -> np.ndarray:
    """
    View bytes-like data as a flat uint8 array, without copying where possible.

    :param data: bytes, bytearray, memoryview, ``array.array('B')``, a uint8 ndarray, or a list
        of ints in [0, 255] (how rclpy and rosbags messages hold ``uint8[]`` fields).
    :param field: field name used in error messages.
    :return: 1-D uint8 array; it may share memory with ``data``.
    :raises ValueError: items are not bytes.
    """
    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8:
            raise ValueError(f'{field} must hold uint8 values, got dtype {data.dtype}')
        return data.reshape(-1)
    if isinstance(data, (list, tuple)):
        try:
            values = np.array(data, dtype=np.int64).reshape(-1)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f'{field} must hold uint8 values') from None
        if values.size and (values.min() < 0 or values.max() > 255):
            raise ValueError(f'{field} must hold uint8 values, got values outside [0, 255]')
        return values.astype(np.uint8)
    try:
        view = memoryview(data)
    except TypeError:
        raise ValueError(
            f'{field} must be bytes-like or a uint8 array, got {type(data).__name__}') from None
    if view.itemsize != 1:
        raise ValueError(f'{field} must have 1-byte items, got {view.itemsize}-byte items')
    return np.frombuffer(view.cast('B'), dtype=np.uint8)


def _as_float64_vector(values: Iterable[float], size: Union[int, None] = None) -> np.ndarray:
    """
    Convert values to a flat float64 array, optionally of an exact size.

    :param values: numbers (any iterable or array).
    :param size: required number of elements, or None for any.
    :return: 1-D float64 array (always a copy).
    :raises ValueError: the number of elements differs from ``size``.
    """
    out = np.array(values if isinstance(values, np.ndarray) else list(values),
                   dtype=np.float64).reshape(-1)
    if size is not None and out.size != size:
        raise ValueError(f'fixed-size float64[{size}] field got {out.size} values')
    return out


class TypeSource:
    """
    Resolve message type names to classes and build array fields for one backend.

    Subclasses implement :meth:`_resolve`, :meth:`uint8_array` and :meth:`float64_array`.
    """

    #: Short backend name, e.g. ``'rosbags-humble'`` or ``'rclpy'``.
    name = 'abstract'

    def __init__(self) -> None:
        self._cache: dict = {}

    def get(self, type_name: str) -> type:
        """
        Return the message class for a type name.

        :param type_name: e.g. ``'sensor_msgs/msg/Image'`` or ``'sensor_msgs/Image'``.
        :return: the message class.
        :raises ValueError: the name is malformed or the type is unknown to this backend.
        """
        canonical = normalize_type_name(type_name)
        cls = self._cache.get(canonical)
        if cls is None:
            cls = self._resolve(canonical)
            self._cache[canonical] = cls
        return cls

    def new(self, type_name: str, **fields: Any) -> Any:
        """
        Build a message with every field given as a keyword.

        :param type_name: message type name.
        :param fields: all fields of the message (rosbags classes have no defaults).
        :return: the message object.
        """
        return self.get(type_name)(**fields)

    def _resolve(self, type_name: str) -> type:
        raise NotImplementedError

    def uint8_array(self, data: BytesLike) -> Any:
        """
        Build an unbounded ``uint8[]`` field value (e.g. ``sensor_msgs/Image.data``).

        :param data: the bytes (bytes-like or uint8 ndarray); copied.
        :return: the value in the form this backend's messages accept.
        """
        raise NotImplementedError

    def float64_array(self, values: Iterable[float]) -> Any:
        """
        Build an unbounded ``float64[]`` field value (e.g. ``JointState.position``).

        :param values: numbers; copied.
        :return: the value in the form this backend's messages accept.
        """
        raise NotImplementedError

    def float64_fixed(self, values: Iterable[float], size: int) -> np.ndarray:
        """
        Build a fixed-size ``float64[size]`` field value (e.g. ``CameraInfo.k``, size 9).

        Both backends accept a flat float64 ndarray of exactly ``size`` elements.

        :param values: numbers in row-major order; copied.
        :param size: the field's fixed length.
        :return: 1-D float64 ndarray.
        :raises ValueError: the number of values differs from ``size``.
        """
        return _as_float64_vector(values, size)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r})'


class RosbagsTypes(TypeSource):
    """
    Type source over a ``rosbags`` typestore for one ROS 2 distribution.

    :param distro: ``'humble'`` or ``'jazzy'``.
    """

    def __init__(self, distro: str = 'humble') -> None:
        super().__init__()
        if distro not in DISTROS:
            raise ValueError(f'distro must be one of {DISTROS}, got {distro!r}')
        # Imported here so that production installs without rosbags can import this module.
        from rosbags.typesys import get_typestore, Stores

        store = {'humble': Stores.ROS2_HUMBLE, 'jazzy': Stores.ROS2_JAZZY}[distro]
        self.distro = distro
        self.name = f'rosbags-{distro}'
        self.typestore = get_typestore(store)

    def _resolve(self, type_name: str) -> type:
        try:
            return self.typestore.types[type_name]
        except KeyError:
            raise ValueError(
                f'unknown message type {type_name!r} in the rosbags {self.distro} typestore'
            ) from None

    def uint8_array(self, data: BytesLike) -> np.ndarray:
        """
        Build an unbounded ``uint8[]`` field value.

        :param data: the bytes (bytes-like or uint8 ndarray); copied.
        :return: 1-D uint8 ndarray.
        """
        return as_uint8_vector(data).copy()

    def float64_array(self, values: Iterable[float]) -> np.ndarray:
        """
        Build an unbounded ``float64[]`` field value.

        :param values: numbers; copied.
        :return: 1-D float64 ndarray.
        """
        return _as_float64_vector(values)

    def serialize(self, msg: Any, type_name: str) -> bytes:
        """
        Serialise a message to CDR bytes (little-endian, with the 4-byte encapsulation header).

        :param msg: a message built by this type source.
        :param type_name: its type name.
        :return: the CDR bytes, as ROS 2 sends them on the wire and stores them in bags.
        """
        canonical = normalize_type_name(type_name)
        self.get(canonical)
        return bytes(self.typestore.serialize_cdr(msg, canonical, little_endian=True))

    def deserialize(self, data: BytesLike, type_name: str) -> Any:
        """
        Deserialise CDR bytes into a message of this typestore.

        :param data: CDR bytes including the encapsulation header.
        :param type_name: the message type name.
        :return: the message object.
        :raises ValueError: unknown type or bytes that are not a valid CDR message of it.
        """
        canonical = normalize_type_name(type_name)
        self.get(canonical)
        from rosbags.serde import SerdeError

        try:
            return self.typestore.deserialize_cdr(bytes(data), canonical)
        except SerdeError as exc:
            raise ValueError(f'cannot deserialise {canonical!r} from CDR data: {exc}') from exc


def import_interface(type_name: str, kind: str = 'msg') -> type:
    """
    Import a generated ROS 2 interface class (what ``rosidl_runtime_py.utilities`` does).

    :param type_name: ``'pkg/msg/Name'``, ``'pkg/srv/Name'`` or the short ``'pkg/Name'``.
    :param kind: ``'msg'`` or ``'srv'`` (the middle part when the name is short).
    :return: the class.
    :raises ValueError: naming the type when it cannot be imported.
    """
    import importlib

    parts = type_name.split('/')
    if len(parts) == 2:
        parts = [parts[0], kind, parts[1]]
    if len(parts) != 3 or not all(parts) or parts[1] != kind:
        raise ValueError(f'malformed {kind} type name {type_name!r}; expected "pkg/{kind}/Name"')
    package, _, name = parts
    try:
        return getattr(importlib.import_module(f'{package}.{kind}'), name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f'unknown {kind} type {type_name!r} in the installed ROS 2 packages: '
                         f'{exc}') from None


class RclpyTypes(TypeSource):
    """Type source over the installed ROS 2 Python message packages (``pkg.msg`` modules)."""

    name = 'rclpy'

    def _resolve(self, type_name: str) -> type:
        return import_interface(type_name, 'msg')

    def uint8_array(self, data: BytesLike) -> array.array:
        """
        Build an unbounded ``uint8[]`` field value.

        :param data: the bytes (bytes-like or uint8 ndarray); copied.
        :return: ``array.array('B')``, the form rclpy's setters take without per-item checks.
        """
        return array.array('B', as_uint8_vector(data).tobytes())

    def float64_array(self, values: Iterable[float]) -> array.array:
        """
        Build an unbounded ``float64[]`` field value.

        :param values: numbers; copied.
        :return: ``array.array('d')``.
        """
        return array.array('d', _as_float64_vector(values).tobytes())


def make_type_source(backend: str) -> TypeSource:
    """
    Build a type source by name.

    :param backend: ``'rclpy'``, ``'humble'``, ``'jazzy'``, ``'rosbags-humble'`` or
        ``'rosbags-jazzy'``.
    :return: the type source.
    :raises ValueError: unknown backend name.
    """
    if backend == 'rclpy':
        return RclpyTypes()
    distro = backend[len('rosbags-'):] if backend.startswith('rosbags-') else backend
    if distro in DISTROS:
        return RosbagsTypes(distro)
    raise ValueError(
        f'unknown type source {backend!r}; expected "rclpy" or one of {DISTROS} '
        '(optionally prefixed "rosbags-")')


__all__ = [
    'DISTROS',
    'RclpyTypes',
    'RosbagsTypes',
    'TypeSource',
    'as_uint8_vector',
    'import_interface',
    'make_type_source',
    'normalize_type_name',
]
