# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The safety layer between the model's prediction and an arm goal (numpy only, no ROS).

Every check returns a :class:`Check`: ``ok`` with a value to go on with, or a refusal with a
machine-readable ``reason`` (one of :data:`REASONS`) and a human ``detail``. The node refuses
the goal at the first failed check, logs the detail and counts the reason in a
:class:`RefusalCounter`, which builds the ``diagnostic_msgs/DiagnosticArray`` it publishes.

Checks, in the order the node runs them:

* :func:`check_finite_output`: the model's pixel and axes are finite numbers of the right size;
* :func:`check_depth`: the depth around the contact pixel is valid (a minimum fraction of valid
  readings in the window, median inside the sensor's range; the pixel itself may be a hole);
* :func:`check_orientation`: the gripper frame is a proper rotation and its approach axis points
  away from the camera, within a maximum angle of the viewing ray;
* :func:`check_surface_approach`: the approach axis pushes into the surface, within a maximum
  angle of the inward normal fitted to the depth around the contact (unknown geometry passes);
* :func:`check_transform_age`: the camera-to-base transform is not stale;
* :func:`clamp_to_workspace`: the goal lies in the workspace box (clamped when slightly
  outside, refused when farther out than a margin).

The goal stream then moves toward the target by at most a fixed distance and angle per tick
(:func:`robomamba_ros.geometry.step_toward`; the Franka Cartesian controllers abort on
discontinuous goals).
"""

from dataclasses import dataclass
import math
from typing import Any, Dict, Optional, Sequence

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.ros.messages import make_header

#: Reasons a goal is refused; each has a counter in the diagnostics.
REASONS = (
    'stale_frame',        # the newest synchronised frame is older than allowed
    'bad_frame',          # the frame cannot be decoded or its parts disagree (sizes)
    'model_error',        # the pose source raised
    'non_finite_output',  # the model's pixel or axes are NaN/inf or malformed
    'invalid_depth',      # no valid depth at and around the contact pixel
    'orientation',        # the gripper frame is not a sane rotation for this view
    'approach_normal',    # the approach does not push into the surface seen in the depth
    'tf_missing',         # no transform camera -> base (or base -> end effector)
    'tf_stale',           # the transform is older than allowed
    'workspace',          # the goal is outside the workspace box by more than the margin
    'no_start_pose',      # neither the end-effector pose nor a previous goal is known
    'estop',              # the emergency stop is engaged
)


@dataclass(frozen=True)
class Check:
    """
    Result of one safety check.

    :param ok: True when the check passed.
    :param reason: one of :data:`REASONS` on refusal, ``''`` otherwise.
    :param detail: human-readable explanation (also set for passed checks that changed
        something, e.g. a clamp).
    :param value: what the check produced (e.g. the depth in metres, the clamped position).
    """

    ok: bool
    reason: str = ''
    detail: str = ''
    value: Any = None


def passed(value=None, detail=''):
    """
    Return a passed :class:`Check`.

    :param value: the checked or corrected value.
    :param detail: optional note (e.g. what was clamped).
    """
    return Check(True, '', detail, value)


def refused(reason, detail):
    """
    Return a failed :class:`Check`.

    :param reason: one of :data:`REASONS`.
    :param detail: human-readable explanation.
    :raises ValueError: for an unknown reason.
    """
    if reason not in REASONS:
        raise ValueError(f'unknown refusal reason {reason!r}; known: {REASONS}')
    return Check(False, reason, detail, None)


def _vector(values, size):
    """Return ``values`` as a float64 vector of ``size`` or None when that is impossible."""
    try:
        out = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    return out if out.shape == (size,) else None


def check_finite_output(pixel_uv, up, forward) -> Check:
    """
    Check the pose source's output: a finite pixel and two finite, non-zero 3-vectors.

    :param pixel_uv: contact pixel ``(u, v)``.
    :param up: approach axis, camera optical frame.
    :param forward: forward axis, camera optical frame.
    :return: on success ``value = (pixel (2,), up (3,), forward (3,))`` float64 arrays;
        otherwise reason ``'non_finite_output'``.
    """
    parts = (('pixel_uv', pixel_uv, 2), ('up', up, 3), ('forward', forward, 3))
    values = []
    for name, raw, size in parts:
        v = _vector(raw, size)
        if v is None:
            return refused('non_finite_output', f'model output {name} is not {size} numbers: '
                                                f'{raw!r}')
        if not np.all(np.isfinite(v)):
            return refused('non_finite_output', f'model output {name} is not finite: '
                                                f'{v.tolist()}')
        if size == 3 and np.linalg.norm(v) <= 1e-9:
            return refused('non_finite_output', f'model output {name} is a zero vector')
        values.append(v)
    return passed(tuple(values))


def check_depth(depth_m, u, v, window=5, min_valid_fraction=0.5, min_depth_m=0.05,
                max_depth_m=10.0, surface_m=None) -> Check:
    """
    Check that the depth at and around a pixel is valid, and return its robust value.

    :param depth_m: ``(H, W)`` depth in metres (float; 0, NaN and inf are "no reading") or
        uint16 millimetres.
    :param u: pixel column (ROS convention: integer values are pixel centres).
    :param v: pixel row.
    :param window: side of the square window (odd, px).
    :param min_valid_fraction: smallest fraction of valid readings in the window (clipped to
        the image) that is accepted, in [0, 1].
    :param min_depth_m: nearest accepted depth (m).
    :param max_depth_m: farthest accepted depth (m).
    :param surface_m: when the pixel has a reading, the median takes only the readings this
        close to it (m): the surface under the pixel, not the door behind a thin handle; None:
        the whole window.
    :return: on success ``value`` = median depth of the window (m, via
        :func:`robomamba_ros.geometry.robust_depth`), also when the pixel itself has no
        reading; otherwise reason ``'invalid_depth'``.
    """
    depth = np.asarray(depth_m)
    if depth.ndim != 2:
        return refused('invalid_depth', f'depth image must be 2-D, got shape {depth.shape}')
    height, width = depth.shape
    if not (math.isfinite(u) and math.isfinite(v)):
        return refused('invalid_depth', f'pixel ({u}, {v}) is not finite')
    col, row = math.floor(u + 0.5), math.floor(v + 0.5)
    if not (0 <= col < width and 0 <= row < height):
        return refused('invalid_depth', f'pixel ({u:.1f}, {v:.1f}) is outside the '
                                        f'{width}x{height} image')
    # A missing reading at the pixel itself does not veto: RealSense dropout leaves single
    # holes everywhere, and the window's median stands in for it.
    half = int(window) // 2
    patch = depth[max(row - half, 0):row + half + 1,
                  max(col - half, 0):col + half + 1].astype(np.float64)
    valid = np.isfinite(patch) & (patch > 0.0)
    fraction = float(valid.mean())
    if fraction < min_valid_fraction:
        return refused('invalid_depth', f'only {fraction:.0%} valid depth readings around pixel '
                                        f'({col}, {row}), need {min_valid_fraction:.0%}')
    try:
        median = geometry.robust_depth(depth, u, v, window=int(window), surface_m=surface_m)
    except ValueError as exc:
        return refused('invalid_depth', f'depth image rejected: {exc}')
    if median is None:
        return refused('invalid_depth', f'no valid depth around pixel ({col}, {row})')
    if not min_depth_m <= median <= max_depth_m:
        return refused('invalid_depth', f'depth {median:.3f} m at pixel ({col}, {row}) is '
                                        f'outside [{min_depth_m}, {max_depth_m}] m')
    return passed(median)


def check_orientation(up, forward, p_cam, max_approach_angle_rad) -> Check:
    """
    Check the gripper orientation predicted in the camera optical frame.

    The frame ``R = gripper_rotation(up, forward)`` must be a proper rotation (``up`` and
    ``forward`` not parallel), and the approach axis ``up`` must point away from the camera:
    its angle to the viewing ray through the contact point is at most
    ``max_approach_angle_rad`` (a gripper cannot approach a visible surface from behind it).

    :param up: approach axis (3,), camera optical frame.
    :param forward: forward axis (3,), camera optical frame.
    :param p_cam: contact point (3,) in the camera optical frame (m).
    :param max_approach_angle_rad: largest accepted angle between ``up`` and the viewing ray.
    :return: on success ``value`` = ``R`` (3, 3), columns forward, left, up; otherwise reason
        ``'orientation'``.
    """
    try:
        R = geometry.gripper_rotation(up, forward)
    except ValueError as exc:
        return refused('orientation', f'gripper axes do not make a rotation: {exc}')
    if not (np.allclose(R.T @ R, np.eye(3), atol=1e-6) and np.linalg.det(R) > 0.999):
        return refused('orientation', 'gripper frame is not a proper rotation')
    ray = np.asarray(p_cam, dtype=np.float64)
    norm = float(np.linalg.norm(ray))
    if not (np.all(np.isfinite(ray)) and norm > 0.0):
        return refused('orientation', f'contact point {ray.tolist()} gives no viewing ray')
    cos_angle = float(np.clip(R[:, 2] @ (ray / norm), -1.0, 1.0))
    angle = math.acos(cos_angle)
    if angle > max_approach_angle_rad:
        limit = math.degrees(max_approach_angle_rad)
        return refused('orientation', f'approach axis is {math.degrees(angle):.0f} deg from the '
                                      f'viewing ray (max {limit:.0f}): it does not point away '
                                      'from the camera')
    return passed(R)


def check_surface_approach(up, depth_m, u, v, K, max_angle_rad, window=15) -> Check:
    """
    Check that the approach axis pushes into the surface around the contact pixel.

    A plane is fitted to the depth window (:func:`robomamba_ros.geometry.estimate_surface_normal`)
    and the approach axis ``up`` (the gripper z axis) is compared with its inward normal. When
    the window gives no plane (too few readings, an edge), the check passes and says so: the
    depth check already vouched for the contact, and unknown geometry is no reason to refuse.

    :param up: approach axis (3,), camera optical frame.
    :param depth_m: ``(H, W)`` depth, metres (float) or uint16 millimetres.
    :param u: contact pixel column.
    :param v: contact pixel row.
    :param K: camera matrix (3, 3).
    :param max_angle_rad: largest accepted angle between ``up`` and the inward normal.
    :param window: side of the depth window the plane is fitted in (odd, px).
    :return: on success ``value`` = the :class:`~robomamba_ros.geometry.SurfaceNormal` (None
        when unknown, with ``detail`` saying so); otherwise reason ``'approach_normal'``.
    """
    axis = np.asarray(up, dtype=np.float64).reshape(3)
    axis = axis / np.linalg.norm(axis)
    try:
        surface = geometry.estimate_surface_normal(depth_m, u, v, K, window=int(window))
    except ValueError as exc:
        return passed(None, f'surface normal unknown: {exc}')
    if surface is None:
        return passed(None, f'surface normal unknown: no plane in the {window} px window '
                            f'around pixel ({u:.0f}, {v:.0f})')
    angle = math.acos(float(np.clip(axis @ -surface.normal, -1.0, 1.0)))
    if angle > max_angle_rad:
        return refused('approach_normal', f'approach axis is {math.degrees(angle):.0f} deg from '
                                          'pushing into the surface (max '
                                          f'{math.degrees(max_angle_rad):.0f})')
    return passed(surface)


def check_transform_age(stamp_ns, now_ns, max_age_ns, what='transform') -> Check:
    """
    Check that a transform is recent enough.

    :param stamp_ns: the transform's stamp (0 = static, never stale).
    :param now_ns: current time (ns).
    :param max_age_ns: largest accepted age (ns).
    :param what: name for the message, e.g. ``'panda_link0 <- camera_color_optical_frame'``.
    :return: passed, or reason ``'tf_stale'``.
    """
    if stamp_ns == 0:
        return passed()
    age_ns = int(now_ns) - int(stamp_ns)
    if age_ns > max_age_ns:
        return refused('tf_stale', f'{what} is {age_ns / 1e9:.3f} s old (max '
                                   f'{max_age_ns / 1e9:.3f} s)')
    return passed()


def clamp_to_workspace(position, low, high, margin_m=0.0) -> Check:
    """
    Keep a position inside an axis-aligned workspace box.

    :param position: (3,) position in the box's frame (m).
    :param low: (3,) lower corner (m).
    :param high: (3,) upper corner (m).
    :param margin_m: positions at most this far outside the box are clamped onto it; farther
        ones are refused.
    :return: on success ``value`` = the (possibly clamped) position and ``detail`` saying what
        was clamped; otherwise reason ``'workspace'``.
    """
    p = np.asarray(position, dtype=np.float64).reshape(3)
    low = np.asarray(low, dtype=np.float64).reshape(3)
    high = np.asarray(high, dtype=np.float64).reshape(3)
    if not np.all(np.isfinite(p)):
        return refused('workspace', f'position {p.tolist()} is not finite')
    clamped = np.clip(p, low, high)
    distance = float(np.linalg.norm(p - clamped))
    if distance > margin_m:
        return refused('workspace', f'goal {np.round(p, 3).tolist()} is {distance:.3f} m outside '
                                    f'the workspace {low.tolist()}..{high.tolist()} (margin '
                                    f'{margin_m} m)')
    detail = ''
    if distance > 0.0:
        detail = (f'goal {np.round(p, 3).tolist()} clamped by {distance:.3f} m to '
                  f'{np.round(clamped, 3).tolist()}')
    return passed(clamped, detail)


class RefusalCounter:
    """
    Count refusals by reason and summarise them as diagnostics.

    :param reasons: the reasons to report (every one appears in the diagnostics, also at 0).
    :param recent_ns: a refusal younger than this makes the status WARN (ns).
    """

    def __init__(self, reasons: Sequence[str] = REASONS, recent_ns: int = 5_000_000_000):
        self.reasons = tuple(reasons)
        self.recent_ns = int(recent_ns)
        self.counts: Dict[str, int] = dict.fromkeys(self.reasons, 0)
        self.accepted = 0
        self.last_reason = ''
        self.last_detail = ''
        self.last_refusal_ns: Optional[int] = None

    def refuse(self, reason: str, detail: str, now_ns: int):
        """
        Count one refusal.

        :param reason: one of the reasons.
        :param detail: what was wrong.
        :param now_ns: time of the refusal (ns).
        :raises ValueError: for an unknown reason.
        """
        if reason not in self.counts:
            raise ValueError(f'unknown refusal reason {reason!r}; known: {self.reasons}')
        self.counts[reason] += 1
        self.last_reason, self.last_detail = reason, detail
        self.last_refusal_ns = int(now_ns)

    def accept(self):
        """Count one accepted goal."""
        self.accepted += 1

    @property
    def total(self):
        """Number of refusals so far."""
        return sum(self.counts.values())

    def is_recent(self, now_ns: int) -> bool:
        """Tell whether a refusal happened within :attr:`recent_ns` of ``now_ns``."""
        return (self.last_refusal_ns is not None
                and int(now_ns) - self.last_refusal_ns <= self.recent_ns)

    def to_diagnostic_array(self, types, now_ns: int, name: str, hardware_id: str = ''):
        """
        Build a ``diagnostic_msgs/DiagnosticArray`` with one status.

        :param types: type source.
        :param now_ns: time for the header and the WARN window (ns).
        :param name: status name (e.g. ``'robomamba_node: goal safety'``).
        :param hardware_id: status hardware id.
        :return: the message: level WARN when a refusal happened recently, else OK; one
            key/value per reason (count), plus ``accepted`` and ``last_refusal``.
        """
        status_cls = types.get('diagnostic_msgs/msg/DiagnosticStatus')
        recent = self.is_recent(now_ns)
        if recent:
            message = f'goal refused ({self.last_reason}): {self.last_detail}'
        elif self.total:
            message = f'no recent refusals ({self.total} in total)'
        else:
            message = 'no refusals'

        def kv(key, value):
            return types.new('diagnostic_msgs/msg/KeyValue', key=key, value=str(value))

        values = [kv(r, self.counts[r]) for r in self.reasons]
        values.append(kv('accepted', self.accepted))
        values.append(kv('last_refusal', self.last_reason))
        status = types.new('diagnostic_msgs/msg/DiagnosticStatus',
                           level=status_cls.WARN if recent else status_cls.OK, name=name,
                           message=message, hardware_id=hardware_id, values=values)
        return types.new('diagnostic_msgs/msg/DiagnosticArray',
                         header=make_header('', now_ns, types), status=[status])


__all__ = ['Check', 'REASONS', 'RefusalCounter', 'check_depth', 'check_finite_output',
           'check_orientation', 'check_surface_approach', 'check_transform_age',
           'clamp_to_workspace', 'passed', 'refused']
