# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``tf2_msgs/TFMessage``, ``geometry_msgs/TransformStamped`` and ``rosgraph_msgs/Clock`` as numpy.

Transforms are 4x4 arrays ``T_parent_child`` (maps points in ``child`` into ``parent``), the
convention of :mod:`robomamba_ros.geometry`.
"""

from typing import Any, List, Sequence, Tuple

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.ros.messages import header_to_frame_ns, make_header, ns_to_time
from robomamba_ros.ros.type_source import TypeSource


def make_transform_stamped(T_parent_child: Any, parent: str, child: str, stamp_ns: int,
                           types: TypeSource) -> Any:
    """
    Build a ``geometry_msgs/TransformStamped``.

    :param T_parent_child: pose of ``child`` in ``parent``, shape (4, 4).
    :param parent: parent frame (``header.frame_id``).
    :param child: child frame (``child_frame_id``).
    :param stamp_ns: time (ns).
    :param types: type source.
    :return: the message.
    :raises ValueError: for an invalid transform or empty frame names.
    """
    if not parent or not child or parent == child:
        raise ValueError(f'transform needs two different frame names, got {parent!r}, {child!r}')
    t, q = geometry.matrix_to_pose(T_parent_child)
    transform = types.new(
        'geometry_msgs/msg/Transform',
        translation=types.new('geometry_msgs/msg/Vector3', x=float(t[0]), y=float(t[1]),
                              z=float(t[2])),
        rotation=types.new('geometry_msgs/msg/Quaternion', x=float(q[0]), y=float(q[1]),
                           z=float(q[2]), w=float(q[3])))
    return types.new('geometry_msgs/msg/TransformStamped',
                     header=make_header(parent, stamp_ns, types), child_frame_id=str(child),
                     transform=transform)


def make_tf_message(transforms: Sequence[Any], types: TypeSource) -> Any:
    """
    Build a ``tf2_msgs/TFMessage``.

    :param transforms: ``TransformStamped`` messages.
    :param types: type source.
    :return: the message.
    """
    return types.new('tf2_msgs/msg/TFMessage', transforms=list(transforms))


def transform_stamped_to_numpy(msg: Any) -> Tuple[str, str, np.ndarray, int]:
    """
    Read a ``geometry_msgs/TransformStamped``.

    :param msg: the message.
    :return: ``(parent, child, T_parent_child (4, 4), stamp_ns)``.
    :raises ValueError: for a non-finite translation or an invalid quaternion.
    """
    parent, stamp_ns = header_to_frame_ns(msg.header)
    tr, rot = msg.transform.translation, msg.transform.rotation
    t = np.array([tr.x, tr.y, tr.z], dtype=np.float64)
    q = np.array([rot.x, rot.y, rot.z, rot.w], dtype=np.float64)
    if not np.all(np.isfinite(t)):
        raise ValueError(f'transform {parent!r} -> {msg.child_frame_id!r} has a non-finite '
                         'translation')
    return parent, str(msg.child_frame_id), geometry.pose_to_matrix(t, q), stamp_ns


def tf_message_to_transforms(msg: Any) -> List[Tuple[str, str, np.ndarray, int]]:
    """
    Read every transform of a ``tf2_msgs/TFMessage``.

    :param msg: the message.
    :return: list of ``(parent, child, T_parent_child, stamp_ns)``.
    """
    return [transform_stamped_to_numpy(t) for t in msg.transforms]


def make_clock(stamp_ns: int, types: TypeSource) -> Any:
    """
    Build a ``rosgraph_msgs/Clock``.

    :param stamp_ns: simulation time (ns).
    :param types: type source.
    :return: the message.
    """
    return types.new('rosgraph_msgs/msg/Clock', clock=ns_to_time(stamp_ns, types))


__all__ = ['make_clock', 'make_tf_message', 'make_transform_stamped', 'tf_message_to_transforms',
           'transform_stamped_to_numpy']
