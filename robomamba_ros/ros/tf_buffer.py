# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
A small transform tree fed by ``/tf`` and ``/tf_static`` messages (the in-process tf2 buffer).

It keeps the newest transform per child frame (no history, no interpolation): node cores ask
for the newest transform and judge its age themselves, which is what the in-process runner and
the tests need. Under rclpy, ``tf2_ros.Buffer`` plays this role.
"""

from typing import Dict, Tuple

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.ros.tf_messages import tf_message_to_transforms


class TransformUnavailable(LookupError):
    """No transform between the two frames is known."""


class TransformSource:
    """What a core may ask about frames: the newest transform between two frames."""

    def lookup(self, target_frame: str, source_frame: str) -> Tuple[np.ndarray, int]:
        """
        Return the newest known transform.

        :param target_frame: frame to express data in.
        :param source_frame: frame the data is in.
        :return: ``(T_target_source (4, 4), stamp_ns)``; the stamp is the oldest stamp among
            the chained dynamic transforms, 0 when all are static (static ones never go stale).
        :raises TransformUnavailable: when the frames are not connected.
        """
        raise NotImplementedError


class TransformBuffer(TransformSource):
    """
    Newest transform per child frame, chained through the tree on lookup.

    A child frame has one parent; a transform that gives a known child a different parent
    replaces the old edge (as tf2 does).
    """

    def __init__(self):
        # child -> (parent, T_parent_child, stamp_ns, static)
        self._edges: Dict[str, Tuple[str, np.ndarray, int, bool]] = {}

    def set_transform(self, T_parent_child, parent, child, stamp_ns, static=False):
        """
        Add or replace the transform of ``child``.

        :param T_parent_child: shape (4, 4).
        :param parent: parent frame.
        :param child: child frame.
        :param stamp_ns: its time (ns).
        :param static: True for ``/tf_static`` transforms (never stale).
        :raises ValueError: for an edge that would close a loop.
        """
        T = np.array(T_parent_child, dtype=np.float64)
        if parent == child or child in self._chain(parent):
            raise ValueError(f'transform {parent!r} -> {child!r} would make a loop in the tree')
        old = self._edges.get(child)
        if old is not None and not static and not old[3] and stamp_ns < old[2]:
            return  # an older message arriving late never replaces a newer one
        self._edges[child] = (parent, T, int(stamp_ns), bool(static))

    def add_message(self, msg, static=False):
        """
        Add every transform of a ``tf2_msgs/TFMessage``.

        :param msg: the message.
        :param static: True for messages from ``/tf_static``.
        """
        for parent, child, T, stamp_ns in tf_message_to_transforms(msg):
            self.set_transform(T, parent, child, stamp_ns, static)

    def frames(self):
        """Return every frame the buffer knows."""
        known = set(self._edges)
        known.update(edge[0] for edge in self._edges.values())
        return sorted(known)

    def _chain(self, frame):
        """Frames from ``frame`` up to its root, ``frame`` first."""
        chain = [frame]
        while chain[-1] in self._edges:
            chain.append(self._edges[chain[-1]][0])
        return chain

    def _to_root(self, frame):
        T, stamps = np.eye(4), []
        while frame in self._edges:
            parent, T_parent_frame, stamp_ns, static = self._edges[frame]
            T = T_parent_frame @ T
            if not static:
                stamps.append(stamp_ns)
            frame = parent
        return frame, T, stamps

    def lookup(self, target_frame, source_frame):
        """
        Return the newest transform from ``source_frame`` to ``target_frame``.

        :param target_frame: frame to express data in.
        :param source_frame: frame the data is in.
        :return: ``(T_target_source, stamp_ns)``: the stamp is the oldest dynamic stamp of the
            chain, 0 when every link is static.
        :raises TransformUnavailable: when the frames are unknown or not connected.
        """
        if target_frame == source_frame:
            return np.eye(4), 0
        root_s, T_root_source, stamps_s = self._to_root(source_frame)
        root_t, T_root_target, stamps_t = self._to_root(target_frame)
        if root_s != root_t:
            raise TransformUnavailable(
                f'no transform from {source_frame!r} to {target_frame!r} (known frames: '
                f'{", ".join(self.frames()) or "none"})')
        stamps = stamps_s + stamps_t
        T = geometry.invert_transform(T_root_target) @ T_root_source
        return T, (min(stamps) if stamps else 0)


__all__ = ['TransformBuffer', 'TransformSource', 'TransformUnavailable']
