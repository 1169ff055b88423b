# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The ManipLLM success test of one interaction, and its result record.

An interaction succeeds when the movable joint moved enough,
``|dq| > 0.03`` (metres or radians) or ``|dq| / range > 0.5``, and the contact point moved along
the action direction, ``action_direction . motion_direction > 0.3``. For a pull the action
direction is ``-up`` (the hand retreats along its approach axis); for a push it is ``+up``.
The motion direction is the unit displacement of the contact point, carried by the part from
its pose before the interaction to its pose after.

On an object with several movable parts (suite v2) the joint is the instructed part's, and the
interaction fails with reason ``'wrong part moved'`` when any other part moved by the same
threshold, whether or not the instructed one opened too.
"""

from dataclasses import asdict, dataclass

import numpy as np

MIN_DELTA_Q = 0.03
MIN_RANGE_FRACTION = 0.5
MIN_DIRECTION_DOT = 0.3
# A contact point that moved less than this has no meaningful direction.
_MIN_MOTION_M = 1e-5

REASONS = ('', 'no contact', 'missed movable part', 'part did not move', 'wrong direction',
           'no depth at pixel', 'invalid action', 'wrong part moved')


@dataclass
class InteractionResult:
    """
    Outcome of one interaction.

    :param success: the ManipLLM criterion holds.
    :param delta_q: joint change (after - before), metres or radians.
    :param range_fraction: ``|delta_q| / joint range``.
    :param direction_dot: action direction . unit motion of the contact point (0 if it did not
        move).
    :param reason: empty on success, else one of :data:`REASONS`.
    :param touched_object: the hand touched the object at the contact pose.
    :param touched_part: the hand touched the movable part at the contact pose.
    :param primitive: ``'pull'`` or ``'push'``.
    :param other_part_moved: another movable part than the instructed one moved.
    """

    success: bool
    delta_q: float
    range_fraction: float
    direction_dot: float
    reason: str
    touched_object: bool = False
    touched_part: bool = False
    primitive: str = 'pull'
    other_part_moved: bool = False

    def to_dict(self):
        """Plain dict for JSON."""
        return asdict(self)


def contact_motion(T_link_before, T_link_after, point_world):
    """
    Displacement of a point rigidly attached to a part between two part poses.

    :param T_link_before: part pose before, shape (4, 4).
    :param T_link_after: part pose after, shape (4, 4).
    :param point_world: the point in the world frame at the time of ``T_link_before``.
    :return: displacement in metres, shape (3,).
    """
    p = np.append(np.asarray(point_world, dtype=np.float64), 1.0)
    moved = np.asarray(T_link_after) @ np.linalg.solve(np.asarray(T_link_before), p)
    return moved[:3] - p[:3]


def part_moved(delta_q, joint_range):
    """
    Tell whether a joint moved enough to count: ``|dq| > 0.03`` or more than half its range.

    :param delta_q: joint change (metres or radians).
    :param joint_range: upper minus lower limit (> 0).
    :return: bool.
    """
    return abs(float(delta_q)) > MIN_DELTA_Q or \
        abs(float(delta_q)) / float(joint_range) > MIN_RANGE_FRACTION


def others_moved(qs_before, qs_after, ranges, target):
    """
    Tell whether any movable part other than the target moved enough to count.

    :param qs_before: joint positions of every part before, shape (P,).
    :param qs_after: after, shape (P,).
    :param ranges: joint ranges, shape (P,).
    :param target: index of the instructed part.
    :return: bool (False for a one-part object).
    """
    return any(part_moved(after - before, span) for i, (before, after, span) in
               enumerate(zip(qs_before, qs_after, ranges)) if i != target)


def judge(delta_q, joint_range, motion_m, action_direction, touched_object=True,
          touched_part=True, primitive='pull', other_part_moved=False):
    """
    Apply the success criterion.

    :param delta_q: joint change (metres or radians).
    :param joint_range: upper minus lower joint limit (> 0).
    :param motion_m: displacement of the contact point, shape (3,).
    :param action_direction: unit direction the hand moved the part in (``-up`` for a pull).
    :param touched_object: the hand touched the object at the contact pose.
    :param touched_part: the hand touched the movable part.
    :param primitive: ``'pull'`` or ``'push'``, recorded.
    :param other_part_moved: another part than the instructed one moved (a failure).
    :return: an :class:`InteractionResult`.
    :raises ValueError: for a non-positive range or a zero action direction.
    """
    if not joint_range > 0.0:
        raise ValueError(f'joint_range must be > 0, got {joint_range!r}')
    action = np.asarray(action_direction, dtype=np.float64)
    norm = np.linalg.norm(action)
    if not norm > 0.0:
        raise ValueError('action_direction must be non-zero')
    motion = np.asarray(motion_m, dtype=np.float64)
    distance = float(np.linalg.norm(motion))
    dot = float(action @ motion / (norm * distance)) if distance > _MIN_MOTION_M else 0.0
    fraction = abs(float(delta_q)) / float(joint_range)
    moved = part_moved(delta_q, joint_range)
    success = moved and dot > MIN_DIRECTION_DOT and not other_part_moved
    if success:
        reason = ''
    elif other_part_moved:
        reason = 'wrong part moved'
    elif not touched_object:
        reason = 'no contact'
    elif not touched_part:
        reason = 'missed movable part'
    elif not moved:
        reason = 'part did not move'
    else:
        reason = 'wrong direction'
    return InteractionResult(success=bool(success), delta_q=float(delta_q),
                             range_fraction=fraction, direction_dot=dot, reason=reason,
                             touched_object=bool(touched_object),
                             touched_part=bool(touched_part), primitive=primitive,
                             other_part_moved=bool(other_part_moved))


def failed_before_contact(reason, primitive='pull'):
    """
    Make the result of an action that could not run (no depth at the pixel, invalid output).

    :param reason: one of :data:`REASONS`.
    :param primitive: ``'pull'`` or ``'push'``.
    :return: a failed :class:`InteractionResult`.
    """
    if reason not in REASONS or not reason:
        raise ValueError(f'reason must be one of {REASONS[1:]}, got {reason!r}')
    return InteractionResult(success=False, delta_q=0.0, range_fraction=0.0,
                             direction_dot=0.0, reason=reason, primitive=primitive)


__all__ = [
    'InteractionResult',
    'MIN_DELTA_Q',
    'MIN_DIRECTION_DOT',
    'MIN_RANGE_FRACTION',
    'REASONS',
    'contact_motion',
    'failed_before_contact',
    'judge',
    'others_moved',
    'part_moved',
]
