# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
A latest-frame approximate synchroniser for camera streams (colour, depth, camera info).

Like ``message_filters.ApproximateTimeSynchronizer`` with one difference that matters for a
slow consumer: it never queues complete sets. It keeps a few recent messages per stream and,
whenever a message arrives, looks for the newest set whose stamps all lie within ``slop`` of
each other; that set replaces the previous one. A set around the same reference message
replaces it too when its stamps lie closer to the reference's in total: the reference may
arrive before its own partners and first pair with older ones still within the slop (after a
simulator teleports to a new scene between two camera frames, those older partners show another
scene). A consumer reads :meth:`FrameSync.latest` when it is ready, so inference never falls
behind the camera and intake stays O(queue size).

Pure Python, no ROS: items are opaque (the node stores the raw messages and decodes them only
when it runs inference).
"""

import collections
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence


@dataclass(frozen=True)
class SyncedFrame:
    """
    One synchronised set.

    :param stamp_ns: stamp of the reference stream (the first name, e.g. the colour image).
    :param stamps_ns: stamp of every stream's item, by name.
    :param items: the items, by stream name.
    :param serial: increases by one for every new set (tells a consumer whether it saw it).
    """

    stamp_ns: int
    stamps_ns: Dict[str, int]
    items: Dict[str, Any]
    serial: int

    def __getitem__(self, name):
        """Return the item of one stream."""
        return self.items[name]

    @property
    def spread_ns(self):
        """Largest minus smallest stamp of the set (ns)."""
        return max(self.stamps_ns.values()) - min(self.stamps_ns.values())


def _mismatch_ns(stamps_ns, reference_ns):
    """Return how far a set's stamps lie from its reference stamp in total (ns)."""
    return sum(abs(stamp - reference_ns) for stamp in stamps_ns.values())


class FrameSync:
    """
    Keep the newest set of messages, one per stream, whose stamps agree within a slop.

    :param names: stream names; the first is the reference whose stamp is the set's stamp.
    :param slop_ns: largest allowed difference between any two stamps of a set (ns, >= 0).
    :param queue_size: recent messages kept per stream while waiting for partners (>= 1).
    :param jump_back_ns: a message older than the newest set's item of its stream by more than
        this means time went backwards (simulation reset, bag loop): everything is forgotten
        and synchronisation starts again. None: such messages are only ignored.
    """

    def __init__(self, names: Sequence[str] = ('rgb', 'depth', 'info'), slop_ns: int = 0,
                 queue_size: int = 5, jump_back_ns: Optional[int] = None):
        names = tuple(names)
        if len(names) < 1 or len(set(names)) != len(names):
            raise ValueError(f'names must be distinct stream names, got {names!r}')
        if int(slop_ns) < 0:
            raise ValueError(f'slop_ns must be >= 0, got {slop_ns!r}')
        if int(queue_size) < 1:
            raise ValueError(f'queue_size must be >= 1, got {queue_size!r}')
        self.names = names
        self.slop_ns = int(slop_ns)
        self.jump_back_ns = None if jump_back_ns is None else int(jump_back_ns)
        self._queues = {n: collections.deque(maxlen=int(queue_size)) for n in names}
        self._latest: Optional[SyncedFrame] = None
        self._serial = 0

    def add(self, name: str, stamp_ns: int, item: Any) -> bool:
        """
        Add one message and update the newest complete set.

        :param name: stream name.
        :param stamp_ns: the message's header stamp (ns).
        :param item: the message (stored as is).
        :return: True when a set newer than the previous one was formed.
        :raises KeyError: for an unknown stream name.
        """
        if name not in self._queues:
            raise KeyError(f'unknown stream {name!r}; streams: {self.names}')
        stamp_ns = int(stamp_ns)
        queue = self._queues[name]
        if (self._latest is not None and self.jump_back_ns is not None
                and stamp_ns < self._latest.stamps_ns[name] - self.jump_back_ns):
            self.clear()
        if self._latest is not None and stamp_ns <= self._latest.stamps_ns[name]:
            # Older than (or as old as) what the newest set already used: cannot make it newer.
            return False
        queue.append((stamp_ns, item))
        chosen = {name: (stamp_ns, item)}
        for other in self.names:
            if other == name:
                continue
            candidates = self._queues[other]
            if not candidates:
                return False
            chosen[other] = min(candidates, key=lambda entry: abs(entry[0] - stamp_ns))
        stamps = {n: entry[0] for n, entry in chosen.items()}
        if max(stamps.values()) - min(stamps.values()) > self.slop_ns:
            return False
        reference = stamps[self.names[0]]
        if self._latest is not None and (
                reference < self._latest.stamp_ns or
                (reference == self._latest.stamp_ns and
                 _mismatch_ns(stamps, reference) >= _mismatch_ns(self._latest.stamps_ns,
                                                                 reference))):
            # Not newer, and not a closer match of the same reference message either.
            return False
        self._serial += 1
        self._latest = SyncedFrame(reference, stamps, {n: e[1] for n, e in chosen.items()},
                                   self._serial)
        # Messages as old as the ones used can never form a newer set.
        for n, q in self._queues.items():
            while q and q[0][0] < stamps[n]:
                q.popleft()
        return True

    def latest(self) -> Optional[SyncedFrame]:
        """Return the newest complete set, or None before the first one."""
        return self._latest

    def clear(self):
        """Forget every message and the newest set (e.g. after the clock jumped back)."""
        for q in self._queues.values():
            q.clear()
        self._latest = None


__all__ = ['FrameSync', 'SyncedFrame']
