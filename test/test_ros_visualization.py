# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Markers and the annotated debug image of a prediction."""

from conftest import cdr_round_trip, DISTROS
import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.ros.messages import image_to_rgb, numpy_to_image
from robomamba_ros.ros.type_source import RosbagsTypes
from robomamba_ros.ros.visualization import draw_debug_image, make_contact_markers


@pytest.mark.parametrize('distro', DISTROS)
def test_contact_markers_sphere_and_three_coloured_axes(distro):
    types = RosbagsTypes(distro)
    R = geometry.gripper_rotation([0.0, 0.0, -1.0], [1.0, 0.0, 0.0])  # approach downward
    p = np.array([0.5, 0.1, 0.2])
    msg = make_contact_markers(p, R, 'panda_link0', 2_000_000_000, types, axis_length_m=0.1)
    msg = cdr_round_trip(types, msg)
    sphere, *arrows = msg.markers
    assert sphere.type == sphere.SPHERE and sphere.id == 0
    assert sphere.header.frame_id == 'panda_link0' and sphere.header.stamp.sec == 2
    assert [sphere.pose.position.x, sphere.pose.position.y, sphere.pose.position.z] == \
        pytest.approx(p)
    assert [a.id for a in arrows] == [1, 2, 3] and all(a.type == a.ARROW for a in arrows)
    colours = [(a.color.r, a.color.g, a.color.b) for a in arrows]
    assert colours == [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)]
    for i, arrow in enumerate(arrows):
        start, end = [np.array([q.x, q.y, q.z]) for q in arrow.points]
        assert start == pytest.approx(p)
        assert (end - start) == pytest.approx(0.1 * R[:, i])
    # The blue (up) arrow points down: the gripper approaches from above.
    assert arrows[2].points[1].z < arrows[2].points[0].z


def test_contact_markers_reject_non_finite_input():
    with pytest.raises(ValueError, match='finite'):
        make_contact_markers([np.nan, 0, 0], np.eye(3), 'base', 0, RosbagsTypes('humble'))


def test_debug_image_draws_contact_and_axes_without_touching_the_input():
    rgb = np.zeros((120, 160, 3), np.uint8)
    K = np.array([[100.0, 0.0, 79.5], [0.0, 100.0, 59.5], [0.0, 0.0, 1.0]])
    p_cam = geometry.deproject(79.5, 59.5, 1.0, K)
    R = geometry.gripper_rotation([0.0, 0.3, 1.0], [1.0, 0.0, 0.0])
    out = draw_debug_image(rgb, (79.5, 59.5), K, p_cam, R, axis_length_m=0.2, text='ok')
    assert out.shape == rgb.shape and out.dtype == np.uint8 and not rgb.any()
    # The forward axis (red, +x in the image) is drawn to the right of the contact.
    right = out[55:65, 90:105]
    assert (right[..., 0] > 200).any() and (right[..., 1] < 50).all()
    # The contact circle (yellow) surrounds the pixel.
    assert ((out[..., 0] > 200) & (out[..., 1] > 200) & (out[..., 2] < 50)).any()
    # Refused: magenta, still an image of the same size; no axes without a rotation.
    refused = draw_debug_image(rgb, (10.0, 10.0), accepted=False, text='refused: depth')
    magenta = (refused[..., 0] > 200) & (refused[..., 2] > 200) & (refused[..., 1] < 50)
    assert magenta.any()


def test_debug_image_round_trips_as_an_rgb8_message():
    types = RosbagsTypes()
    out = draw_debug_image(np.full((24, 32, 3), 80, np.uint8), (5.0, 6.0))
    msg = numpy_to_image(out, 'rgb8', types, 5, 'camera_color_optical_frame')
    assert np.array_equal(image_to_rgb(cdr_round_trip(types, msg)), out)


def test_debug_image_rejects_non_rgb_input():
    with pytest.raises(ValueError, match='uint8'):
        draw_debug_image(np.zeros((4, 4), np.float32), (1, 1))
