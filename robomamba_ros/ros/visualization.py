# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
What RViz shows of a prediction: contact and gripper-axes markers, and an annotated camera image.

* :func:`make_contact_markers` builds a ``visualization_msgs/MarkerArray``: a sphere at the contact
  point and three arrows for the gripper axes, coloured red, green, blue for forward (x), left (y)
  and up (z, the approach axis) as RViz colours frame axes.
* :func:`draw_debug_image` draws the contact pixel and the projected axes onto the RGB image
  with OpenCV (``cv2``, imported when called); the caller publishes it with
  :func:`robomamba_ros.ros.messages.numpy_to_image`.

Messages are built through a type source with every field given, as everywhere in ``ros/``.
"""

from typing import Any, Sequence

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.ros.messages import make_header, NS_PER_S

#: RGB colours of the gripper axes, columns of the gripper rotation (forward, left, up).
AXIS_COLORS = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
AXIS_NAMES = ('forward', 'left', 'up')
#: Colour of the contact point: yellow when the goal was accepted, magenta when refused.
CONTACT_OK_COLOR = (1.0, 1.0, 0.0)
CONTACT_REFUSED_COLOR = (1.0, 0.0, 1.0)


def _point(types, p):
    return types.new('geometry_msgs/msg/Point', x=float(p[0]), y=float(p[1]), z=float(p[2]))


def _color(types, rgb, alpha=1.0):
    return types.new('std_msgs/msg/ColorRGBA', r=float(rgb[0]), g=float(rgb[1]),
                     b=float(rgb[2]), a=float(alpha))


def make_marker(types, frame_id: str, stamp_ns: int, ns: str, marker_id: int, marker_type: str,
                position=(0.0, 0.0, 0.0), quat_xyzw=(0.0, 0.0, 0.0, 1.0),
                scale=(1.0, 1.0, 1.0), color=(1.0, 1.0, 1.0), alpha: float = 1.0,
                points: Sequence[Any] = (), text: str = '', lifetime_s: float = 0.0,
                action: str = 'ADD') -> Any:
    """
    Build one ``visualization_msgs/Marker`` with every field set.

    :param types: type source.
    :param frame_id: frame of the pose and points.
    :param stamp_ns: time (ns).
    :param ns: marker namespace.
    :param marker_id: id within the namespace.
    :param marker_type: constant name of the Marker type, e.g. ``'SPHERE'``, ``'ARROW'``.
    :param position: (3,) marker pose position (m).
    :param quat_xyzw: (4,) marker pose orientation.
    :param scale: (3,) scale; for an arrow given by two points: shaft diameter, head diameter,
        head length (m).
    :param color: RGB in [0, 1].
    :param alpha: opacity in [0, 1].
    :param points: (N, 3) points (m), e.g. an arrow's start and end.
    :param text: text for TEXT_VIEW_FACING markers.
    :param lifetime_s: how long RViz keeps it (0 = forever).
    :param action: ``'ADD'``, ``'DELETE'`` or ``'DELETEALL'``.
    :return: the Marker message.
    """
    cls = types.get('visualization_msgs/msg/Marker')
    q = np.asarray(quat_xyzw, dtype=np.float64)
    pose = types.new(
        'geometry_msgs/msg/Pose', position=_point(types, position),
        orientation=types.new('geometry_msgs/msg/Quaternion', x=float(q[0]), y=float(q[1]),
                              z=float(q[2]), w=float(q[3])))
    lifetime_ns = int(round(max(0.0, float(lifetime_s)) * NS_PER_S))
    sec, nanosec = divmod(lifetime_ns, NS_PER_S)
    empty = types.uint8_array(b'')
    return types.new(
        'visualization_msgs/msg/Marker',
        header=make_header(frame_id, stamp_ns, types),
        ns=str(ns),
        id=int(marker_id),
        type=int(getattr(cls, marker_type)),
        action=int(getattr(cls, action)),
        pose=pose,
        scale=types.new('geometry_msgs/msg/Vector3', x=float(scale[0]), y=float(scale[1]),
                        z=float(scale[2])),
        color=_color(types, color, alpha),
        lifetime=types.new('builtin_interfaces/msg/Duration', sec=sec, nanosec=nanosec),
        frame_locked=False,
        points=[_point(types, p) for p in points],
        colors=[],
        texture_resource='',
        texture=types.new('sensor_msgs/msg/CompressedImage',
                          header=make_header('', 0, types), format='', data=empty),
        uv_coordinates=[],
        text=str(text),
        mesh_resource='',
        mesh_file=types.new('visualization_msgs/msg/MeshFile', filename='',
                            data=types.uint8_array(b'')),
        mesh_use_embedded_materials=False,
    )


def make_contact_markers(position, rotation, frame_id: str, stamp_ns: int, types,
                         ns: str = 'robomamba', axis_length_m: float = 0.1,
                         sphere_diameter_m: float = 0.02, lifetime_s: float = 0.0,
                         accepted: bool = True) -> Any:
    """
    Build the contact point and gripper axes as a ``visualization_msgs/MarkerArray``.

    :param position: (3,) contact point in ``frame_id`` (m).
    :param rotation: (3, 3) gripper frame in ``frame_id``, columns forward, left, up.
    :param frame_id: frame of the markers (the base frame).
    :param stamp_ns: time (ns).
    :param types: type source.
    :param ns: marker namespace.
    :param axis_length_m: arrow length (m).
    :param sphere_diameter_m: diameter of the contact sphere (m).
    :param lifetime_s: marker lifetime (0 = until replaced).
    :param accepted: colour the sphere as accepted (yellow) or refused (magenta).
    :return: MarkerArray with ids 0 (sphere, ``SPHERE``) and 1, 2, 3 (``ARROW`` from the contact
        point along forward, left and up, coloured red, green, blue).
    :raises ValueError: for non-finite input or a matrix that is not a rotation.
    """
    p = np.asarray(position, dtype=np.float64).reshape(3)
    R = np.asarray(rotation, dtype=np.float64).reshape(3, 3)
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(R))):
        raise ValueError('contact markers need a finite position and rotation')
    quat = geometry.matrix_to_quat_xyzw(R)
    markers = [make_marker(
        types, frame_id, stamp_ns, ns, 0, 'SPHERE', position=p, quat_xyzw=quat,
        scale=(sphere_diameter_m,) * 3,
        color=CONTACT_OK_COLOR if accepted else CONTACT_REFUSED_COLOR, lifetime_s=lifetime_s)]
    shaft = 0.1 * axis_length_m
    for i, color in enumerate(AXIS_COLORS):
        end = p + axis_length_m * R[:, i]
        markers.append(make_marker(
            types, frame_id, stamp_ns, ns, i + 1, 'ARROW',
            scale=(shaft, 2.0 * shaft, 3.0 * shaft), color=color, points=(p, end),
            lifetime_s=lifetime_s))
    return types.new('visualization_msgs/msg/MarkerArray', markers=markers)


def draw_debug_image(rgb: np.ndarray, pixel_uv, K=None, p_cam=None, rotation_cam=None,
                     axis_length_m: float = 0.1, accepted: bool = True,
                     text: str = '') -> np.ndarray:
    """
    Draw a prediction onto a copy of the camera image.

    :param rgb: ``(H, W, 3)`` uint8 RGB image.
    :param pixel_uv: contact pixel ``(u, v)`` (ROS convention), or None.
    :param K: (3, 3) intrinsics, needed to project the axes.
    :param p_cam: (3,) contact point in the camera optical frame (m), needed for the axes.
    :param rotation_cam: (3, 3) gripper frame in the camera optical frame (columns forward,
        left, up), or None to draw no axes.
    :param axis_length_m: length of the drawn axes (m).
    :param accepted: circle colour yellow (accepted) or magenta with a cross (refused).
    :param text: one line written in the top-left corner (e.g. the refusal reason).
    :return: the annotated ``(H, W, 3)`` uint8 RGB image (the input is not modified).
    :raises ValueError: for an image that is not ``(H, W, 3)`` uint8.
    """
    import cv2

    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f'rgb must be an (H, W, 3) uint8 image, got {rgb.shape} {rgb.dtype}')
    out = np.ascontiguousarray(rgb).copy()
    height, width = out.shape[:2]
    size = max(1, min(height, width))
    thickness = max(1, size // 160)
    color = tuple(int(255 * c) for c in (CONTACT_OK_COLOR if accepted else CONTACT_REFUSED_COLOR))

    def to_px(uv):
        return int(round(float(uv[0]))), int(round(float(uv[1])))

    center = None
    if pixel_uv is not None and np.all(np.isfinite(np.asarray(pixel_uv, dtype=np.float64))):
        center = to_px(pixel_uv)
    if center is not None and K is not None and p_cam is not None and rotation_cam is not None:
        p = np.asarray(p_cam, dtype=np.float64)
        R = np.asarray(rotation_cam, dtype=np.float64)
        if np.all(np.isfinite(p)) and np.all(np.isfinite(R)):
            for i, axis_color in enumerate(AXIS_COLORS):
                try:
                    end = geometry.project(p + axis_length_m * R[:, i], K)
                    start = geometry.project(p, K)
                except ValueError:
                    continue  # the axis end is behind the camera
                cv2.arrowedLine(out, to_px(start), to_px(end),
                                tuple(int(255 * c) for c in axis_color), thickness,
                                cv2.LINE_AA, tipLength=0.2)
    if center is not None:
        radius = max(3, size // 40)
        cv2.circle(out, center, radius, color, thickness, cv2.LINE_AA)
        if not accepted:
            d = int(radius * 0.7)
            cv2.line(out, (center[0] - d, center[1] - d), (center[0] + d, center[1] + d), color,
                     thickness, cv2.LINE_AA)
            cv2.line(out, (center[0] - d, center[1] + d), (center[0] + d, center[1] - d), color,
                     thickness, cv2.LINE_AA)
    if text:
        scale = max(0.3, size / 800.0)
        cv2.putText(out, str(text), (4, int(14 * scale / 0.4)), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    color, 1, cv2.LINE_AA)
    return out


__all__ = ['AXIS_COLORS', 'AXIS_NAMES', 'CONTACT_OK_COLOR', 'CONTACT_REFUSED_COLOR',
           'draw_debug_image', 'make_contact_markers', 'make_marker']
