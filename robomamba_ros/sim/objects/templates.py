# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Shapes several categories share: an open box shell, a hinged front door, a hinged top lid.

Sizes are ``depth`` (x), ``width`` (y) and ``height`` (z) in metres; the object front is -x.
"""

import numpy as np

HINGE_SIDES = ('minus_y', 'plus_y', 'bottom')


def shell(builder, link, depth, width, height, wall, open_face, color, z0=0.0):
    """
    Add a box shell with one open face.

    :param builder: the :class:`ObjectBuilder`.
    :param link: link builder to add the walls to.
    :param depth: outer x size.
    :param width: outer y size.
    :param height: outer z size.
    :param wall: wall thickness.
    :param open_face: ``'front'`` (-x) or ``'top'`` (+z).
    :param color: RGB.
    :param z0: height of the bottom face.
    """
    d, w, h, t = depth / 2.0, width / 2.0, height / 2.0, wall / 2.0
    zc = z0 + h
    builder.box(link, [0.0, 0.0, z0 + t], [d, w, t], color)  # bottom
    builder.box(link, [d - t, 0.0, zc], [t, w, h], color)  # back
    builder.box(link, [0.0, -w + t, zc], [d, t, h], color)  # side -y
    builder.box(link, [0.0, w - t, zc], [d, t, h], color)  # side +y
    if open_face == 'front':
        builder.box(link, [0.0, 0.0, z0 + height - t], [d, w, t], color)  # top
    elif open_face == 'top':
        builder.box(link, [-d + t, 0.0, zc], [t, w, h], color)  # front
    else:
        raise ValueError(f"open_face must be 'front' or 'top', got {open_face!r}")


def front_door(builder, name, y_range, z_range, front_x, thickness, hinge_side, upper_rad,
               color, handle, handle_color, friction=0.0, damping=2.0, **part):
    """
    Add a door panel on the front face (x = ``front_x``) hinged on one edge.

    :param builder: the :class:`ObjectBuilder`.
    :param name: movable part name.
    :param y_range: ``(y_min, y_max)`` covered by the door.
    :param z_range: ``(z_min, z_max)`` covered by the door.
    :param front_x: x of the body's front face; the door lies in front of it.
    :param thickness: door thickness.
    :param hinge_side: ``'minus_y'``, ``'plus_y'`` (vertical axis) or ``'bottom'``.
    :param upper_rad: opening limit.
    :param color: RGB of the panel.
    :param handle: one of :data:`HANDLES`.
    :param handle_color: RGB of the handle.
    :param friction: joint friction coefficient.
    :param damping: joint damping.
    :param part: ``kind`` and ``traits`` of the part (see :meth:`ObjectBuilder.movable_link`).
    :return: the door link builder.
    """
    if hinge_side not in HINGE_SIDES:
        raise ValueError(f'hinge_side must be one of {HINGE_SIDES}, got {hinge_side!r}')
    (y0, y1), (z0, z1) = y_range, z_range
    width, height = y1 - y0, z1 - z0
    x = front_x - thickness / 2.0
    half = [thickness / 2.0, width / 2.0, height / 2.0]
    outward = [-1.0, 0.0, 0.0]
    face = -thickness / 2.0
    if hinge_side == 'minus_y':
        link = builder.movable_link(name, 'revolute', [x, y0, z0], [0, 0, 1], (0.0, upper_rad),
                                    friction, damping, **part)
        center = np.array([0.0, width / 2.0, height / 2.0])
        grip = np.array([face, 0.88 * width, height / 2.0])
        along = 2
    elif hinge_side == 'plus_y':
        link = builder.movable_link(name, 'revolute', [x, y1, z0], [0, 0, -1], (0.0, upper_rad),
                                    friction, damping, **part)
        center = np.array([0.0, -width / 2.0, height / 2.0])
        grip = np.array([face, -0.88 * width, height / 2.0])
        along = 2
    else:
        link = builder.movable_link(name, 'revolute', [x, (y0 + y1) / 2.0, z0], [0, -1, 0],
                                    (0.0, upper_rad), friction, damping, **part)
        center = np.array([0.0, 0.0, height / 2.0])
        grip = np.array([face, 0.0, 0.88 * height])
        along = 1
    builder.box(link, center, half, color)
    _add_handle(builder, link, handle, grip, along, outward, min(width, height), handle_color)
    return link


def top_lid(builder, name, depth, width, top_z, thickness, upper_rad, color, handle,
            handle_color, x_center=0.0, damping=1.0, y_center=0.0, **part):
    """
    Add a lid lying on top (z = ``top_z``) hinged along its back (+x) edge.

    :param builder: the :class:`ObjectBuilder`.
    :param name: movable part name.
    :param depth: lid x size.
    :param width: lid y size.
    :param top_z: height the lid rests on.
    :param thickness: lid thickness.
    :param upper_rad: opening limit.
    :param color: RGB.
    :param handle: ``'lip'`` or one of :data:`HANDLES`.
    :param handle_color: RGB of the handle.
    :param x_center: x of the lid centre.
    :param damping: joint damping.
    :param y_center: y of the lid centre.
    :param part: ``kind`` and ``traits`` of the part (see :meth:`ObjectBuilder.movable_link`).
    :return: the lid link builder.
    """
    hinge = [x_center + depth / 2.0, y_center, top_z + thickness / 2.0]
    link = builder.movable_link(name, 'revolute', hinge, [0, 1, 0], (0.0, upper_rad),
                                0.0, damping, **part)
    builder.box(link, [-depth / 2.0, 0.0, 0.0], [depth / 2.0, width / 2.0, thickness / 2.0],
                color)
    if handle == 'lip':
        builder.box(link, [-depth - 0.01, 0.0, -thickness / 2.0],
                    [0.01, width / 4.0, thickness], handle_color)
    else:
        grip = np.array([-0.85 * depth, 0.0, thickness / 2.0])
        _add_handle(builder, link, handle, grip, 1, [0.0, 0.0, 1.0], min(depth, width),
                    handle_color)
    return link


def front_drawer(builder, name, y_range, z_range, front_x, depth, travel_m, color, handle,
                 handle_color, damping=5.0, **part):
    """
    Add a drawer whose front panel fills a rectangle of the front face and slides out along -x.

    :param builder: the :class:`ObjectBuilder`.
    :param name: movable link name.
    :param y_range: ``(y_min, y_max)`` of the front panel.
    :param z_range: ``(z_min, z_max)`` of the front panel.
    :param front_x: x of the body's front face; the panel's back face sits there.
    :param depth: depth of the drawer box behind the panel.
    :param travel_m: opening limit.
    :param color: RGB.
    :param handle: one of :data:`HANDLES`.
    :param handle_color: RGB of the handle.
    :param damping: joint damping.
    :param part: ``kind`` and ``traits`` of the part (see :meth:`ObjectBuilder.movable_link`).
    :return: the drawer link builder, its frame at the middle of the panel's back face.
    """
    (y0, y1), (z0, z1) = y_range, z_range
    width, height, t = y1 - y0, z1 - z0, 0.015
    link = builder.movable_link(name, 'prismatic', [front_x, (y0 + y1) / 2.0, (z0 + z1) / 2.0],
                                [-1, 0, 0], (0.0, travel_m), 0.0, damping, **part)
    builder.box(link, [-t / 2.0, 0.0, 0.0], [t / 2.0, width / 2.0 - 0.002, height / 2.0 - 0.002],
                color)
    inner_w, inner_h = width - 0.03, height - 0.03
    builder.box(link, [depth / 2.0, 0.0, -inner_h / 2.0 + t / 2.0],
                [depth / 2.0, inner_w / 2.0, t / 2.0], color)
    builder.box(link, [depth - t / 2.0, 0.0, 0.0], [t / 2.0, inner_w / 2.0, inner_h / 2.5], color)
    for sign in (-1.0, 1.0):
        builder.box(link, [depth / 2.0, sign * (inner_w / 2.0 - t / 2.0), 0.0],
                    [depth / 2.0, t / 2.0, inner_h / 2.5], color)
    grip = np.array([-t, 0.0, 0.0])
    _add_handle(builder, link, handle, grip, 1, [-1.0, 0.0, 0.0], width, handle_color)
    return link


# Handles a part may have: a bar, a knob, a recessed grip (a slot along the edge, nothing to
# close fingers on) or none.
HANDLES = ('bar', 'knob', 'recessed', 'none')


def _add_handle(builder, link, handle, grip, along, outward, panel_size, color):
    if handle == 'bar':
        builder.bar_handle(link, grip, 0.45 * panel_size, along, outward, color)
    elif handle == 'knob':
        builder.knob(link, grip, outward, color)
    elif handle == 'recessed':
        # A dark strip just proud of the panel: the shadowed lip of a finger slot.
        outward = np.asarray(outward, dtype=np.float64)
        half = np.full(3, 0.003)
        half[along] = min(0.3 * panel_size, 0.15)
        half[int(np.argmax(np.abs(outward)))] = 0.002
        builder.box(link, np.asarray(grip) + outward * 0.002, half,
                    [0.35 * c for c in color])
    elif handle != 'none':
        raise ValueError(f'handle must be one of {HANDLES}, got {handle!r}')


__all__ = ['HANDLES', 'HINGE_SIDES', 'front_door', 'front_drawer', 'shell', 'top_lid']
