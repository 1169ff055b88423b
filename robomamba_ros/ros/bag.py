# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
ROS 2 bag I/O over ``rosbags.rosbag2`` (no ROS installation needed).

Bags are written in rosbag2 metadata version 8 with MCAP storage, which ``ros2 bag`` on
Humble (with ``rosbag2_storage_mcap``) and Jazzy read and play. Messages are rosbags message
objects (see :class:`~robomamba_ros.ros.type_source.RosbagsTypes`) or already serialised CDR bytes.

MCAP bags are compressed inside the storage file by default: each MCAP chunk (about 1 MiB of
messages) is zstd-compressed, as ``ros2 bag record -s mcap --storage-preset-profile zstd_fast``
writes them. ``metadata.yaml`` then declares no rosbag2 compression (``compression_mode`` and
``compression_format`` empty, as rosbag2 writes for that preset), because the storage plugin
decompresses the chunks itself; the bag's ``custom_data`` names the chunk compression under
:data:`CHUNK_COMPRESSION_KEY`. rosbag2's own ``file`` and ``message`` compression are not used:
``file`` turns the bag into ``bag.mcap.zstd``, which has to be decompressed whole before any
MCAP tool can read it, and ``message`` hides every message in an opaque zstd blob that only
rosbag2 unpacks, whereas chunk compression leaves a plain ``.mcap`` that rosbag2 (Humble's
``mcap_vendor`` links zstd), rosbags, Foxglove and the ``mcap`` tools read directly, with its
index.
"""

import operator
from pathlib import Path
import struct
from typing import Any, Dict, Iterable, Iterator, NamedTuple, Optional, Sequence, Tuple, Union

from mcap.exceptions import McapError
from mcap.records import Message
from mcap.stream_reader import StreamReader
from rosbags.interfaces import MessageDefinitionFormat
from rosbags.rosbag2 import (CompressionFormat, CompressionMode, Reader, ReaderError,
                             StoragePlugin, Writer)
from rosbags.typesys import get_types_from_idl, get_types_from_msg, TypesysError

from robomamba_ros.ros.type_source import DISTROS, normalize_type_name, RosbagsTypes

PathLike = Union[str, Path]

#: rosbag2 metadata version written; 8 is the newest that ROS 2 Humble reads.
BAG_VERSION = 8
#: Key in the bag's ``custom_data`` recording the typestore distribution used for writing.
DISTRO_KEY = 'robomamba_ros.distro'
#: Key in the bag's ``custom_data`` naming the compression of the MCAP chunks (``zstd``).
CHUNK_COMPRESSION_KEY = 'robomamba_ros.mcap_chunk_compression'
#: Compressions a :class:`BagWriter` offers: zstd MCAP chunks, or none.
COMPRESSIONS = ('zstd', 'none')
_STORAGE_PLUGINS = {'mcap': StoragePlugin.MCAP, 'sqlite3': StoragePlugin.SQLITE3}
_MCAP_MAGIC = b'\x89MCAP0\r\n'
_MCAP_CHUNK, _MCAP_FOOTER, _MCAP_DATA_END = 0x06, 0x02, 0x0F


class BagMessage(NamedTuple):
    """One message read from a bag."""

    topic: str
    type_name: str
    stamp_ns: int
    msg: Any


class BagWriter:
    """
    Write ROS 2 messages to a new rosbag2 directory.

    The bag directory is created at construction; :meth:`close` (or leaving a ``with`` block)
    writes the index and ``metadata.yaml``, without which ROS 2 cannot read the bag. Topics are
    added on first write; a topic keeps the message type of its first write.

    :param path: bag directory to create; must not exist.
    :param distro: typestore used to serialise messages, ``'humble'`` or ``'jazzy'``.
    :param storage: ``'mcap'`` (default) or ``'sqlite3'``.
    :param compression: ``'zstd'`` (zstd-compressed MCAP chunks; MCAP only) or ``'none'``;
        default: ``'zstd'`` for MCAP, ``'none'`` for sqlite3.
    """

    def __init__(self, path: PathLike, distro: str = 'humble', storage: str = 'mcap',
                 compression: Optional[str] = None) -> None:
        self.path = Path(path)
        if self.path.exists():
            raise FileExistsError(f'bag output path {str(self.path)!r} already exists; '
                                  'rosbag2 bags are never overwritten')
        if storage not in _STORAGE_PLUGINS:
            raise ValueError(
                f'storage must be one of {sorted(_STORAGE_PLUGINS)}, got {storage!r}')
        if compression is None:
            compression = 'zstd' if storage == 'mcap' else 'none'
        if compression not in COMPRESSIONS:
            raise ValueError(f'compression must be one of {COMPRESSIONS}, got {compression!r}')
        if compression != 'none' and storage != 'mcap':
            raise ValueError(f'compression {compression!r} compresses MCAP chunks; storage '
                             f"{storage!r} has none (use compression='none')")
        self.types = RosbagsTypes(distro)
        self.distro = distro
        self.storage = storage
        self.compression = compression
        self._writer = Writer(self.path, version=BAG_VERSION,
                              storage_plugin=_STORAGE_PLUGINS[storage])
        self._writer.set_custom_data(DISTRO_KEY, distro)
        if compression == 'zstd':
            # CompressionMode.STORAGE: zstd inside the MCAP chunks, no rosbag2 compression.
            self._writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
            self._writer.set_custom_data(CHUNK_COMPRESSION_KEY, compression)
        self._connections: Dict[str, Tuple[str, Any]] = {}
        # Creating the writer creates the bag, like open(path, 'w') creates a file.
        self._writer.open()
        self._open = True

    def add_topic(self, topic: str, type_name: str,
                  offered_qos_profiles: Sequence[Any] = ()) -> None:
        """
        Declare a topic before writing to it (optional; :meth:`write` adds topics itself).

        :param topic: topic name, e.g. ``'/camera/color/image_raw'``.
        :param type_name: message type name.
        :param offered_qos_profiles: ``rosbags.interfaces.Qos`` entries recorded for playback;
            empty leaves ``ros2 bag play`` on its defaults.
        :raises ValueError: the topic was already added, or the type is unknown.
        """
        self._check_open()
        if topic in self._connections:
            raise ValueError(f'topic {topic!r} was already added to the bag')
        canonical = normalize_type_name(type_name)
        self.types.get(canonical)
        connection = self._writer.add_connection(
            topic, canonical, typestore=self.types.typestore,
            offered_qos_profiles=list(offered_qos_profiles))
        self._connections[topic] = (canonical, connection)

    def write(self, topic: str, type_name: str, stamp_ns: int, msg: Any) -> None:
        """
        Append one message.

        :param topic: topic name.
        :param type_name: message type name (``'pkg/msg/Name'`` or ``'pkg/Name'``).
        :param stamp_ns: receive time recorded in the bag (ns), >= 0.
        :param msg: a message object of this writer's typestore, or CDR bytes.
        :raises ValueError: negative time, or a type different from the topic's first type.
        """
        self._check_open()
        try:
            valid = not isinstance(stamp_ns, bool) and operator.index(stamp_ns) >= 0
        except TypeError:
            valid = False
        if not valid:
            raise ValueError(f'stamp_ns must be an integer >= 0, got {stamp_ns!r}')
        stamp_ns = operator.index(stamp_ns)
        canonical = normalize_type_name(type_name)
        if topic not in self._connections:
            self.add_topic(topic, canonical)
        have, connection = self._connections[topic]
        if have != canonical:
            raise ValueError(f'topic {topic!r} holds {have}, cannot write a {canonical}')
        if isinstance(msg, (bytes, bytearray, memoryview)):
            data = bytes(msg)
        else:
            data = self.types.serialize(msg, canonical)
        self._writer.write(connection, stamp_ns, data)

    def set_custom_data(self, key: str, value: Any) -> None:
        """
        Record a key/value pair in the bag's ``custom_data`` (written at :meth:`close`).

        :param key: key, e.g. ``'robomamba_ros.camera_rate_hz'``.
        :param value: value; stored as its ``str()`` (rosbag2 custom data are strings).
        """
        self._check_open()
        self._writer.set_custom_data(str(key), str(value))

    def close(self) -> None:
        """Finish the storage file and write ``metadata.yaml``; closing twice is harmless."""
        if self._open:
            self._open = False
            self._writer.close()

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError(f'bag {str(self.path)!r} is not open for writing')

    def __enter__(self) -> 'BagWriter':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        # Close even on error so that the messages written so far remain readable.
        self.close()


class BagError(ValueError):
    """A bag that cannot be read; the message names the file and what is wrong, in one line."""


def _check_bag_path(path: PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f'bag {str(path)!r} does not exist')
    return path


def mcap_readable_messages(path: PathLike) -> Tuple[int, bool]:
    """
    Count the messages of an MCAP file by reading it from the start, without its index.

    A recording that was killed leaves an MCAP file without its summary and end magic, which
    indexed readers refuse at once; reading record by record still reaches every message
    written before the cut (a chunk cut in the middle is lost as a whole).

    :param path: one ``.mcap`` file.
    :return: ``(messages, complete)``: the messages read before the first unreadable record,
        and whether the file ended with its footer and end magic.
    """
    count = 0
    with open(path, 'rb') as f:
        try:
            for record in StreamReader(f, skip_magic=False, emit_chunks=False).records:
                if isinstance(record, Message):
                    count += 1
        except (McapError, EOFError, ValueError, struct.error, OSError, MemoryError):
            return count, False
        # The stream reader stops at the footer; a complete file ends with the magic there.
        f.seek(-len(_MCAP_MAGIC), 2)
        return count, f.read(len(_MCAP_MAGIC)) == _MCAP_MAGIC


def check_bag(path: PathLike) -> Path:
    """
    Check that a path is a readable rosbag2 bag, before any work starts.

    :param path: bag directory, or one ``.mcap`` or ``.db3`` file.
    :return: the path.
    :raises BagError: with one line naming the file and what is wrong: it does not exist, a
        folder without ``metadata.yaml``, a file that is no bag, a truncated MCAP file (with the
        number of messages that could still be read), or another storage error.
    """
    path = Path(path)
    if not path.exists():
        raise BagError(f'{path}: no such bag (give a rosbag2 folder, a .mcap or a .db3 file)')
    if path.is_dir():
        if not (path / 'metadata.yaml').is_file():
            storage = sorted(path.glob('*.mcap')) + sorted(path.glob('*.db3'))
            hint = (f'; to read its storage file alone, give {storage[0]}' if len(storage) == 1
                    else ' (a rosbag2 bag is a folder with metadata.yaml and its storage files)')
            raise BagError(f'{path}: folder has no metadata.yaml, so it is not a rosbag2 bag'
                           f'{hint}')
        files = sorted(path.glob('*.mcap'))
    elif path.suffix not in ('.mcap', '.db3'):
        raise BagError(f'{path}: not a bag (give a rosbag2 folder, a .mcap or a .db3 file)')
    else:
        files = [path] if path.suffix == '.mcap' else []
    for file in files:
        with open(file, 'rb') as f:
            magic = f.read(len(_MCAP_MAGIC))
            f.seek(max(f.seek(0, 2) - len(_MCAP_MAGIC), 0))
            end_magic = f.read(len(_MCAP_MAGIC))
        if magic != _MCAP_MAGIC:
            raise BagError(f'{file}: not an MCAP file (it does not start with the MCAP magic)')
        if end_magic == _MCAP_MAGIC:
            continue  # complete; the indexed reader below checks the rest
        count, _ = mcap_readable_messages(file)
        raise BagError(f'{file}: MCAP file is truncated (cut short at {file.stat().st_size} '
                       f'bytes, as when a recording is killed); {count} messages could be read '
                       'before the cut; `mcap recover` rewrites them into a complete file')
    try:
        # Opening reads metadata and index: a broken bag fails here, not halfway through.
        with Reader(path):
            pass
    except (ReaderError, FileNotFoundError, OSError, KeyError, ValueError) as exc:
        raise BagError(f'{path}: cannot be read as a rosbag2 bag: {exc}') from None
    return path


def _register_bag_types(types: RosbagsTypes, connections: Iterable[Any]) -> None:
    """
    Add message types that the bag defines but the typestore lacks (custom messages).

    :param types: the type source to extend.
    :param connections: the bag's connections, with their stored definitions.
    :raises ValueError: a missing type that the bag does not define, or conflicting definitions.
    """
    for conn in connections:
        if conn.msgtype in types.typestore.types:
            continue
        definition = conn.msgdef
        if definition.format == MessageDefinitionFormat.MSG:
            typs = get_types_from_msg(definition.data, conn.msgtype)
        elif definition.format == MessageDefinitionFormat.IDL:
            typs = {}
            sep = '=' * 80 + '\n'
            for part in definition.data.split(sep):
                if part.startswith('IDL: '):
                    part = part.split('\n', 1)[1]
                if part.strip():
                    typs.update(get_types_from_idl(part))
        else:
            raise ValueError(f'bag topic {conn.topic!r} has type {conn.msgtype!r}, which is '
                             f'neither in the {types.distro} typestore nor defined in the bag')
        try:
            types.typestore.register(typs)
        except TypesysError as exc:
            raise ValueError(f'bag type {conn.msgtype!r} conflicts with the {types.distro} '
                             f'typestore: {exc}') from exc


def _pick_distro(reader: Reader, distro: Optional[str]) -> str:
    if distro is not None:
        return distro
    metadata = getattr(reader.storage, 'metadata', None)
    custom = getattr(metadata, 'custom', None) or {}
    for candidate in (custom.get(DISTRO_KEY), reader.ros_distro):
        if candidate in DISTROS:
            return candidate
    return 'humble'


def bag_distro(path: PathLike) -> str:
    """
    Return the typestore :func:`read_bag` uses for a bag by default.

    :param path: bag directory (or a single storage file).
    :return: ``'humble'`` or ``'jazzy'``: the one recorded by :class:`BagWriter`, else the
        bag's ``ros_distro`` if it is one of them, else ``'humble'``.
    """
    with Reader(_check_bag_path(path)) as reader:
        return _pick_distro(reader, None)


def read_bag(path: PathLike, topics: Optional[Iterable[str]] = None,
             distro: Optional[str] = None) -> Iterator[BagMessage]:
    """
    Iterate over a bag's messages in time order, deserialised.

    :param path: bag directory (or a single ``.mcap``/``.db3`` file).
    :param topics: topic names to read; None reads all.
    :param distro: typestore to deserialise with; default: the one recorded by
        :class:`BagWriter`, else the bag's ``ros_distro`` if humble/jazzy, else humble. Types
        the typestore lacks are taken from the bag's own definitions.
    :return: iterator of :class:`BagMessage` ``(topic, type_name, stamp_ns, msg)``.
    :raises FileNotFoundError: ``path`` does not exist.
    :raises ValueError: a requested topic is not in the bag.
    """
    path = _check_bag_path(path)
    if distro is not None and distro not in DISTROS:
        raise ValueError(f'distro must be one of {DISTROS}, got {distro!r}')
    wanted = None if topics is None else set(topics)
    # Checked before returning the iterator, so a wrong topic fails at the call, not later.
    with Reader(path) as reader:
        present = {c.topic for c in reader.connections}
    if wanted is not None and wanted - present:
        raise ValueError(f'topics {sorted(wanted - present)} are not in bag {str(path)!r}; it '
                         f'has {sorted(present)}')
    return _iter_bag(path, wanted, distro)


def _iter_bag(path: Path, wanted: Optional[set], distro: Optional[str]) -> Iterator[BagMessage]:
    with Reader(path) as reader:
        types = RosbagsTypes(_pick_distro(reader, distro))
        connections = [c for c in reader.connections if wanted is None or c.topic in wanted]
        _register_bag_types(types, connections)
        if not connections:
            return
        for conn, stamp_ns, data in reader.messages(connections=connections):
            yield BagMessage(conn.topic, conn.msgtype, stamp_ns,
                             types.deserialize(data, conn.msgtype))


def bag_topics(path: PathLike) -> Dict[str, Tuple[str, int]]:
    """
    List a bag's topics.

    :param path: bag directory (or a single storage file).
    :return: ``{topic: (type_name, message_count)}``.
    :raises FileNotFoundError: ``path`` does not exist.
    """
    path = _check_bag_path(path)
    with Reader(path) as reader:
        return {topic: (info.msgtype, info.msgcount) for topic, info in reader.topics.items()}


class TopicTiming(NamedTuple):
    """Receive times of one topic in a bag."""

    type_name: str
    count: int
    first_ns: int
    last_ns: int

    @property
    def rate_hz(self) -> Optional[float]:
        """Mean message rate (Hz), None below two messages or over no time."""
        span = self.last_ns - self.first_ns
        return (self.count - 1) * 1e9 / span if self.count > 1 and span > 0 else None


def topic_timing(path: PathLike, progress: bool = False) -> Dict[str, TopicTiming]:
    """
    Read every message's receive time (no deserialisation) and summarise it per topic.

    :param path: bag directory (or a single storage file).
    :param progress: show a progress bar over the messages.
    :return: ``{topic: TopicTiming}`` for the topics with at least one message.
    """
    from tqdm import tqdm

    path = _check_bag_path(path)
    stats: Dict[str, list] = {}
    with Reader(path) as reader:
        for conn, stamp_ns, _ in tqdm(reader.messages(), total=reader.message_count,
                                      desc='read', unit='msg', disable=not progress):
            entry = stats.get(conn.topic)
            if entry is None:
                stats[conn.topic] = [conn.msgtype, 1, stamp_ns, stamp_ns]
            else:
                entry[1] += 1
                entry[2] = min(entry[2], stamp_ns)
                entry[3] = max(entry[3], stamp_ns)
    return {topic: TopicTiming(*entry) for topic, entry in stats.items()}


def bag_size_bytes(path: PathLike) -> int:
    """
    Return the size on disk of a bag: its storage files and ``metadata.yaml``.

    :param path: bag directory (or a single storage file).
    :raises FileNotFoundError: ``path`` does not exist.
    """
    path = _check_bag_path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob('*') if f.is_file())


def mcap_chunk_compression(path: PathLike) -> Dict[str, Dict[str, int]]:
    """
    Read how the MCAP chunks of a bag are compressed, from the chunk records themselves.

    :param path: bag directory (every ``*.mcap`` in it) or one ``.mcap`` file.
    :return: ``{compression: {'chunks': n, 'compressed_bytes': c, 'uncompressed_bytes': u}}``
        with ``''`` for uncompressed chunks (the MCAP name), e.g. ``{'zstd': {...}}``.
    :raises FileNotFoundError: ``path`` does not exist.
    :raises ValueError: a file that is not MCAP, or a truncated record.
    """
    path = _check_bag_path(path)
    files = [path] if path.is_file() else sorted(path.glob('*.mcap'))
    stats: Dict[str, Dict[str, int]] = {}
    for file in files:
        with open(file, 'rb') as f:
            if f.read(len(_MCAP_MAGIC)) != _MCAP_MAGIC:
                raise ValueError(f'{str(file)!r} is not an MCAP file')
            while True:
                head = f.read(9)
                if len(head) < 9:
                    raise ValueError(f'{str(file)!r}: truncated MCAP record')
                opcode, length = struct.unpack('<BQ', head)
                if opcode in (_MCAP_FOOTER, _MCAP_DATA_END):
                    break
                if opcode != _MCAP_CHUNK:
                    f.seek(length, 1)
                    continue
                # start time, end time, uncompressed size, uncompressed CRC, compression string
                fixed = f.read(32)
                if len(fixed) < 32:
                    raise ValueError(f'{str(file)!r}: truncated MCAP chunk')
                _, _, uncompressed, _, name_length = struct.unpack('<QQQII', fixed)
                name = f.read(name_length).decode('utf-8')
                (compressed,) = struct.unpack('<Q', f.read(8))
                entry = stats.setdefault(name, {'chunks': 0, 'compressed_bytes': 0,
                                                'uncompressed_bytes': 0})
                entry['chunks'] += 1
                entry['compressed_bytes'] += compressed
                entry['uncompressed_bytes'] += uncompressed
                f.seek(length - 32 - name_length - 8, 1)
    return stats


__all__ = [
    'BAG_VERSION',
    'CHUNK_COMPRESSION_KEY',
    'COMPRESSIONS',
    'DISTRO_KEY',
    'BagError',
    'BagMessage',
    'BagWriter',
    'TopicTiming',
    'bag_distro',
    'bag_size_bytes',
    'bag_topics',
    'check_bag',
    'mcap_chunk_compression',
    'mcap_readable_messages',
    'read_bag',
    'topic_timing',
]
