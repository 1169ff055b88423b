# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Tests for robomamba_ros.geometry."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
import numpy as np
import pytest

from robomamba_ros import geometry as g

SETTINGS = settings(max_examples=200, deadline=None, database=None)

K_336 = g.intrinsics_from_fov(336, 336, math.radians(35.0))


# ----------------------------------------------------------------------------- strategies

def _finite(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def intrinsics(draw):
    fx = draw(_finite(50.0, 2000.0))
    fy = draw(_finite(50.0, 2000.0))
    skew = draw(st.one_of(st.just(0.0), _finite(-5.0, 5.0)))
    cx = draw(_finite(-10.0, 1000.0))
    cy = draw(_finite(-10.0, 1000.0))
    return np.array([[fx, skew, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])


@st.composite
def unit_vectors(draw):
    v = draw(hnp.arrays(np.float64, 3, elements=_finite(-1.0, 1.0)))
    norm = np.linalg.norm(v)
    if norm < 0.1:
        v = np.array([0.0, 0.0, 1.0]) if norm == 0.0 else v / norm
    return v / np.linalg.norm(v)


def _axis_angle(axis, angle_rad):
    axis = np.asarray(axis, dtype=float)
    axis = axis / np.linalg.norm(axis)
    kx = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + math.sin(angle_rad) * kx + (1.0 - math.cos(angle_rad)) * kx @ kx


@st.composite
def rotations(draw):
    axis = draw(unit_vectors())
    angle = draw(st.one_of(_finite(-math.pi, math.pi), near_pi_angles()))
    return _axis_angle(axis, angle)


def near_pi_angles():
    return st.one_of(
        st.just(math.pi),
        _finite(0.0, 1e-6).map(lambda d: math.pi - d),
        _finite(0.0, 1e-3).map(lambda d: math.pi - d),
    )


def _assert_rotation(R, atol=1e-9):
    np.testing.assert_allclose(R.T @ R, np.eye(3), atol=atol)
    assert np.linalg.det(R) == pytest.approx(1.0, abs=atol)


def _same_quat(q1, q2, atol=1e-9):
    return np.allclose(q1, q2, atol=atol) or np.allclose(q1, -q2, atol=atol)


# ----------------------------------------------------------------------------- intrinsics

def test_intrinsics_from_fov_336_at_35_degrees():
    f = 168.0 / math.tan(math.radians(17.5))
    assert f == pytest.approx(532.828, abs=1e-3)
    expected = np.array([[f, 0.0, 167.5], [0.0, f, 167.5], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(K_336, expected)


def test_intrinsics_from_fov_non_square_image_uses_vertical_fov():
    K = g.intrinsics_from_fov(640, 480, math.radians(60.0))
    assert K[1, 1] == pytest.approx(240.0 / math.tan(math.radians(30.0)))
    assert K[0, 0] == K[1, 1]
    assert (K[0, 2], K[1, 2]) == (319.5, 239.5)


def test_sapien_to_ros_intrinsics_shifts_by_half_pixel():
    f = K_336[0, 0]
    K_sapien = np.array([[f, 0.0, 168.0], [0.0, f, 168.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(g.sapien_to_ros_intrinsics(K_sapien), K_336)


@pytest.mark.parametrize('args', [
    (0, 10, 1.0), (10, -1, 1.0), (10.0, 10, 1.0), (True, 10, 1.0),
    (10, 10, 0.0), (10, 10, math.pi), (10, 10, float('nan')),
])
def test_intrinsics_from_fov_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        g.intrinsics_from_fov(*args)


def test_validate_intrinsics_accepts_flat_camera_info_k():
    K = g.validate_intrinsics(list(K_336.ravel()))
    np.testing.assert_array_equal(K, K_336)
    assert K.shape == (3, 3)


@pytest.mark.parametrize('K, message', [
    (np.eye(4), 'shape'),
    (np.zeros(8), 'shape'),
    ([[500.0, 0.0, np.nan], [0.0, 500.0, 1.0], [0.0, 0.0, 1.0]], 'non-finite'),
    ([[500.0, 0.0, 1.0], [0.0, np.inf, 1.0], [0.0, 0.0, 1.0]], 'non-finite'),
    (np.zeros((3, 3)), 'all zeros'),
    (np.zeros(9), 'all zeros'),
    ([[0.0, 0.0, 1.0], [0.0, 500.0, 1.0], [0.0, 0.0, 1.0]], 'fx'),
    ([[500.0, 0.0, 1.0], [0.0, -500.0, 1.0], [0.0, 0.0, 1.0]], 'fy'),
    ([[500.0, 0.0, 1.0], [0.0, 500.0, 1.0], [0.0, 0.0, 2.0]], 'form'),
    ([[500.0, 0.0, 1.0], [3.0, 500.0, 1.0], [0.0, 0.0, 1.0]], 'form'),
    ('abc', 'numeric'),
])
def test_validate_intrinsics_errors_name_the_problem(K, message):
    with pytest.raises(ValueError, match=message):
        g.validate_intrinsics(K)


# ----------------------------------------------------------------------------- deproject / project

def test_principal_point_deprojects_onto_optical_axis():
    p = g.deproject(167.5, 167.5, 2.0, K_336)
    np.testing.assert_allclose(p, [0.0, 0.0, 2.0], atol=1e-12)
    assert p.shape == (3,)


def test_deproject_known_value():
    K = [[500.0, 0.0, 320.0], [0.0, 400.0, 240.0], [0.0, 0.0, 1.0]]
    # 100 px right of and 40 px below the principal point at 2 m.
    np.testing.assert_allclose(g.deproject(420.0, 280.0, 2.0, K), [0.4, 0.2, 2.0])
    assert g.project([0.4, 0.2, 2.0], K) == pytest.approx((420.0, 280.0))


def test_pixel_at_fov_edge_lies_on_fov_ray():
    # The top edge of the top row (v = -0.5 in the ROS convention) is at half the vertical fov.
    p = g.deproject(167.5, -0.5, 1.0, K_336)
    assert math.atan2(-p[1], p[2]) == pytest.approx(math.radians(17.5))


def test_deproject_batched_broadcasts_and_marks_invalid_with_nan():
    u = np.array([[167.5, 0.0], [np.nan, 10.0]])
    depth = np.array([[1.0, 2.0], [1.0, 0.0]])
    points = g.deproject(u, 167.5, depth, K_336)
    assert points.shape == (2, 2, 3)
    np.testing.assert_allclose(points[0, 0], [0.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(points[0, 1], g.deproject(0.0, 167.5, 2.0, K_336))
    assert np.all(np.isnan(points[1, 0])) and np.all(np.isnan(points[1, 1]))


@pytest.mark.parametrize('u, v, depth', [
    (1.0, 1.0, 0.0), (1.0, 1.0, -1.0), (1.0, 1.0, np.nan), (np.inf, 1.0, 1.0), (1.0, np.nan, 1.0),
])
def test_deproject_scalar_invalid_raises(u, v, depth):
    with pytest.raises(ValueError):
        g.deproject(u, v, depth, K_336)


def test_deproject_rejects_bad_intrinsics():
    with pytest.raises(ValueError, match='all zeros'):
        g.deproject(1.0, 1.0, 1.0, np.zeros(9))


@pytest.mark.parametrize('p', [[0.0, 0.0, 0.0], [1.0, 1.0, -1.0], [np.nan, 0.0, 1.0]])
def test_project_single_point_behind_camera_raises(p):
    with pytest.raises(ValueError):
        g.project(p, K_336)


@pytest.mark.parametrize('p', [[1.0, 2.0], np.zeros((2, 4)), 3.0])
def test_project_rejects_bad_shapes(p):
    with pytest.raises(ValueError, match='shape'):
        g.project(p, K_336)


def test_project_batched_gives_nan_for_points_behind_camera():
    pts = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0], [np.inf, 0.0, 1.0]])
    u, v = g.project(pts, K_336)
    assert u.shape == (4,) and v.shape == (4,)
    assert (u[0], v[0]) == pytest.approx((167.5, 167.5))
    assert np.all(np.isnan(u[1:])) and np.all(np.isnan(v[1:]))


@SETTINGS
@given(K=intrinsics(), u=_finite(-500.0, 1500.0), v=_finite(-500.0, 1500.0),
       depth=_finite(0.01, 50.0))
def test_project_after_deproject_is_identity(K, u, v, depth):
    p = g.deproject(u, v, depth, K)
    assert p[2] == pytest.approx(depth)
    u2, v2 = g.project(p, K)
    assert u2 == pytest.approx(u, abs=1e-6)
    assert v2 == pytest.approx(v, abs=1e-6)


@SETTINGS
@given(K=intrinsics(), xy=hnp.arrays(np.float64, (5, 2), elements=_finite(-10.0, 10.0)),
       z=hnp.arrays(np.float64, 5, elements=_finite(0.01, 50.0)))
def test_deproject_after_project_is_identity_batched(K, xy, z):
    points = np.column_stack([xy, z])
    u, v = g.project(points, K)
    back = g.deproject(u, v, z, K)
    np.testing.assert_allclose(back, points, rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------- robust_depth

def test_robust_depth_median_ignores_invalid_pixels():
    depth = np.full((5, 5), np.nan, dtype=np.float32)
    depth[1, 1] = 1.0
    depth[2, 2] = 2.0
    depth[3, 3] = 10.0
    depth[0, 0] = 0.0
    depth[4, 4] = np.inf
    depth[0, 4] = -3.0
    assert g.robust_depth(depth, 2, 2, window=5) == pytest.approx(2.0)


def test_robust_depth_window_restricts_neighbourhood():
    depth = np.ones((7, 7), dtype=np.float64)
    depth[3, 3] = 5.0
    depth[2:5, 2:5] = 5.0
    assert g.robust_depth(depth, 3, 3, window=3) == 5.0
    assert g.robust_depth(depth, 3, 3, window=1) == 5.0
    # 9 of 25 readings are 5 m, so the 5x5 median is 1 m.
    assert g.robust_depth(depth, 3, 3, window=5) == 1.0


def test_robust_depth_on_a_thin_bar_reads_the_bar_with_a_surface_tolerance():
    depth = np.full((9, 9), 1.20)  # a door
    depth[:, 4] = 1.00  # a handle one pixel wide in front of it
    assert g.robust_depth(depth, 4, 4, window=5) == pytest.approx(1.20)
    assert g.robust_depth(depth, 4, 4, window=5, surface_m=0.02) == pytest.approx(1.00)
    mm = (depth * 1000).astype(np.uint16)
    assert g.robust_depth(mm, 4, 4, window=5, surface_m=0.02) == pytest.approx(1.00)
    depth[4, 4] = np.nan  # no reading at the pixel: the whole window stands in
    assert g.robust_depth(depth, 4, 4, window=5, surface_m=0.02) == pytest.approx(1.20)


def test_robust_depth_uint16_millimetres_agree_with_float_metres():
    rng = np.random.default_rng(0)
    mm = rng.integers(300, 4000, size=(48, 64)).astype(np.uint16)
    mm[rng.random(mm.shape) < 0.3] = 0
    metres = mm.astype(np.float32) / 1000.0
    metres[mm == 0] = np.nan
    for u, v in [(0, 0), (10.4, 20.6), (63, 47), (31.5, 23.5)]:
        a = g.robust_depth(mm, u, v, window=7)
        b = g.robust_depth(metres, u, v, window=7)
        assert a is not None and a == pytest.approx(b, abs=1e-6)
    assert g.robust_depth(np.full((4, 4), 1234, np.uint16), 1, 1) == pytest.approx(1.234)


D435 = (640, 480, np.array([[615.0, 0.0, 319.5], [0.0, 615.0, 239.5], [0.0, 0.0, 1.0]]))
SIM = (336, 336, g.intrinsics_from_fov(336, 336, math.radians(35.0)))


def _plane_depth(camera, normal, distance_m, holes, noise_m, encoding, seed):
    """Render a plane through (0, 0, distance) with the given normal into a depth image."""
    width, height, K = camera
    rng = np.random.default_rng(seed)
    v, u = np.mgrid[0:height, 0:width].astype(float)
    rays = np.stack([(u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1], np.ones_like(u)], -1)
    depth = (normal @ [0.0, 0.0, distance_m]) / (rays @ normal)
    depth = depth + rng.normal(0.0, noise_m, depth.shape)
    depth[rng.random(depth.shape) < holes] = np.nan
    if encoding == '16UC1':
        return np.nan_to_num(np.round(depth * 1000.0)).astype(np.uint16)
    return depth.astype(np.float32)


def _unit(tilt_deg, axis):
    # Tilted away from facing the camera (0, 0, -1) about the x or y axis.
    t = math.radians(tilt_deg)
    return (np.array([0.0, math.sin(t), -math.cos(t)]) if axis == 'x'
            else np.array([math.sin(t), 0.0, -math.cos(t)]))


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
@pytest.mark.parametrize('camera, distance_m, noise_m', [(D435, 0.6, 0.001), (SIM, 5.0, 0.0)],
                         ids=['d435-0.6m', 'sim-5m'])
@pytest.mark.parametrize('holes', [0.03, 0.3])
def test_surface_normal_of_tilted_planes_with_holes_and_noise(encoding, camera, distance_m,
                                                              noise_m, holes):
    errors = []
    for seed, (tilt, axis) in enumerate([(0, 'x'), (30, 'x'), (30, 'y'), (60, 'y'),
                                         (60, 'x')]):
        normal = _unit(tilt, axis)
        depth = _plane_depth(camera, normal, distance_m, holes, noise_m, encoding, seed)
        u, v = camera[2][0, 2] + 0.3, camera[2][1, 2] - 0.2
        fit = g.estimate_surface_normal(depth, u, v, camera[2], window=15)
        assert fit is not None and np.linalg.norm(fit.normal) == pytest.approx(1.0)
        errors.append(math.degrees(math.acos(min(1.0, fit.normal @ normal))))
    # Measured over 20 seeds x 5 tilts: D435 at 0.6 m with 1 mm noise (a 15 mm patch) median
    # 1.0 deg, worst 5.7; the noiseless sim camera at 5 m below 0.1 deg.
    assert max(errors) < 7.0, errors


def test_surface_normal_at_a_step_edge_is_the_near_surface():
    width, height, K = D435
    depth = np.full((height, width), 0.6, dtype=np.float32)
    depth[:, 320:] = 0.7  # the right half of the window is 10 cm further back
    fit = g.estimate_surface_normal(depth, 316.0, 240.0, K, window=15)
    assert fit is not None and fit.normal @ [0.0, 0.0, -1.0] > math.cos(math.radians(2))
    assert fit.points <= 15 * 11  # the far side was not fitted


def test_surface_normal_needs_enough_points_in_a_plane():
    width, height, K = D435
    depth = np.full((height, width), np.nan)
    assert g.estimate_surface_normal(depth, 320.0, 240.0, K) is None
    depth[240, :] = 0.6  # one row: a line
    assert g.estimate_surface_normal(depth, 320.0, 240.0, K) is None
    depth[238:243, 300:340] = 0.6
    assert g.estimate_surface_normal(depth, 320.0, 240.0, K, min_points=200) is None
    assert g.estimate_surface_normal(depth, 320.0, 240.0, K) is not None
    with pytest.raises(ValueError, match='odd'):
        g.estimate_surface_normal(depth, 320.0, 240.0, K, window=4)
    with pytest.raises(ValueError, match='dtype'):
        g.estimate_surface_normal(np.zeros((height, width), np.int32), 320.0, 240.0, K)


def test_robust_depth_rounds_pixel_and_clips_window():
    depth = np.zeros((4, 6), dtype=np.float32)
    depth[0, 5] = 3.0
    # (5.4, -0.4) rounds to column 5, row 0: the corner pixel.
    assert g.robust_depth(depth, 5.4, -0.4, window=1) == 3.0
    # Halves round up: 4.5 -> column 5.
    assert g.robust_depth(depth, 4.5, 0.0, window=1) == 3.0
    assert g.robust_depth(depth, 4.4, 0.0, window=1) is None
    # Outside the image but the 5x5 window still overlaps the corner.
    assert g.robust_depth(depth, 7.0, -2.0, window=5) == 3.0


@pytest.mark.parametrize('u, v', [
    (100.0, 0.0), (0.0, -100.0), (-3.0, 0.0), (np.nan, 1.0), (1.0, np.inf), (-np.inf, np.nan),
    (1e300, 1.0), (None, 1.0),
])
def test_robust_depth_outside_or_non_finite_pixel_gives_none(u, v):
    depth = np.ones((4, 4), dtype=np.float32)
    assert g.robust_depth(depth, u, v, window=5) is None


def test_robust_depth_no_valid_reading_gives_none():
    assert g.robust_depth(np.zeros((4, 4), np.uint16), 1, 1) is None
    assert g.robust_depth(np.full((4, 4), np.nan, np.float32), 1, 1) is None
    assert g.robust_depth(np.zeros((0, 0), np.float32), 0, 0) is None


@pytest.mark.parametrize('window', [0, -1, 2, 4, 3.0, True, '5', None])
def test_robust_depth_rejects_bad_window(window):
    with pytest.raises(ValueError, match='window'):
        g.robust_depth(np.ones((4, 4), np.float32), 1, 1, window=window)


@pytest.mark.parametrize('depth, message', [
    (np.ones((4, 4), np.int32), 'dtype'),
    (np.ones((4, 4), np.uint8), 'dtype'),
    (np.ones((4, 4), np.int16), 'dtype'),
    (np.ones((4, 4), np.float16), 'dtype'),
    (np.ones((4, 4), bool), 'dtype'),
    (np.ones((4, 4, 1), np.float32), '2D'),
    (np.ones(4, np.float32), '2D'),
])
def test_robust_depth_rejects_bad_arrays(depth, message):
    with pytest.raises(ValueError, match=message):
        g.robust_depth(depth, 1, 1)


def _reference_robust_depth(depth, u, v, window):
    if not (math.isfinite(u) and math.isfinite(v)):
        return None
    col, row = math.floor(u + 0.5), math.floor(v + 0.5)
    half = window // 2
    values = []
    for r in range(depth.shape[0]):
        for c in range(depth.shape[1]):
            x = float(depth[r, c])
            if abs(r - row) <= half and abs(c - col) <= half and math.isfinite(x) and x > 0:
                values.append(x / 1000.0 if depth.dtype == np.uint16 else x)
    return float(np.median(values)) if values else None


_pixel_coords = st.one_of(
    _finite(-12.0, 20.0),
    st.floats(allow_nan=True, allow_infinity=True),
)


@SETTINGS
@given(
    depth=st.one_of(
        hnp.arrays(np.uint16, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8)),
        hnp.arrays(st.sampled_from([np.float32, np.float64]),
                   hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                   elements=st.one_of(st.sampled_from([0.0, np.nan, np.inf, -np.inf, -1.0]),
                                      _finite(0.0, 100.0)))),
    u=_pixel_coords, v=_pixel_coords, window=st.sampled_from([1, 3, 5, 7]))
def test_robust_depth_never_raises_and_matches_reference(depth, u, v, window):
    result = g.robust_depth(depth, u, v, window=window)
    expected = _reference_robust_depth(depth, u, v, window)
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, float)
        assert math.isfinite(result) and result > 0.0
        assert result == pytest.approx(expected, rel=1e-6)


# ----------------------------------------------------------------------------- 6D rotations

def test_rot6d_identity_and_known_value():
    np.testing.assert_allclose(g.rot6d_to_matrix([2, 0, 0, 5, 7, 0]), np.eye(3), atol=1e-15)
    R = g.rot6d_to_matrix([0, 0, 1, 1, 0, 1])
    np.testing.assert_allclose(R, [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-15)


@SETTINGS
@given(x6=hnp.arrays(np.float64, 6, elements=_finite(-100.0, 100.0)))
def test_rot6d_to_matrix_is_proper_rotation(x6):
    a1, a2 = x6[:3], x6[3:]
    n1, n2 = np.linalg.norm(a1), np.linalg.norm(a2)
    if n1 < 1e-3 or n2 < 1e-3 or np.linalg.norm(np.cross(a1, a2)) < 1e-3 * n1 * n2:
        return
    R = g.rot6d_to_matrix(x6)
    _assert_rotation(R)
    # b1 is along a1 and a2 lies in the plane of b1, b2 with a positive b2 component.
    np.testing.assert_allclose(R[:, 0], a1 / n1, atol=1e-12)
    assert R[:, 1] @ a2 > 0.0
    assert abs(R[:, 2] @ a2) < 1e-9 * n2


@SETTINGS
@given(R=rotations())
def test_rot6d_round_trip(R):
    x6 = g.matrix_to_rot6d(R)
    assert x6.shape == (6,)
    np.testing.assert_allclose(g.rot6d_to_matrix(x6), R, atol=1e-12)


def test_rot6d_batched_matches_single():
    rng = np.random.default_rng(1)
    x6 = rng.normal(size=(4, 2, 6))
    Rs = g.rot6d_to_matrix(x6)
    assert Rs.shape == (4, 2, 3, 3)
    for idx in np.ndindex(4, 2):
        np.testing.assert_allclose(Rs[idx], g.rot6d_to_matrix(x6[idx]), atol=1e-15)
    np.testing.assert_allclose(g.matrix_to_rot6d(Rs), g.matrix_to_rot6d(Rs.reshape(-1, 3, 3))
                               .reshape(4, 2, 6))


@pytest.mark.parametrize('x6, message', [
    ([0, 0, 0, 1, 0, 0], 'zero'),
    ([1, 0, 0, 0, 0, 0], 'zero'),
    ([1, 2, 3, 2, 4, 6], 'parallel'),
    ([1, 2, 3, -3, -6, -9], 'parallel'),
    ([1, 0, np.nan, 0, 1, 0], 'finite'),
    ([1, 0, 0, 0, np.inf, 0], 'finite'),
    ([1, 0, 0, 0, 1], 'shape'),
    (np.zeros((2, 3)), 'shape'),
])
def test_rot6d_degenerate_inputs_raise(x6, message):
    with pytest.raises(ValueError, match=message):
        g.rot6d_to_matrix(x6)


def test_rot6d_batch_with_one_degenerate_entry_raises():
    x6 = np.array([[1, 0, 0, 0, 1, 0], [1, 0, 0, 3, 0, 0]], dtype=float)
    with pytest.raises(ValueError, match='parallel'):
        g.rot6d_to_matrix(x6)


@pytest.mark.parametrize('R', [np.eye(4), np.ones(3), np.full((3, 3), np.nan)])
def test_matrix_to_rot6d_rejects_bad_input(R):
    with pytest.raises(ValueError):
        g.matrix_to_rot6d(R)


# ----------------------------------------------------------------------------- quaternions

@pytest.mark.parametrize('axis, angle, q', [
    ([1, 0, 0], 0.0, [0, 0, 0, 1]),
    ([0, 0, 1], math.pi / 2, [0, 0, math.sqrt(0.5), math.sqrt(0.5)]),
    ([1, 0, 0], math.pi, [1, 0, 0, 0]),
    ([0, 1, 0], math.pi, [0, 1, 0, 0]),
    ([0, 0, 1], math.pi, [0, 0, 1, 0]),
    ([1, 1, 0], math.pi, [math.sqrt(0.5), math.sqrt(0.5), 0, 0]),
    ([0, 1, 0], -math.pi / 2, [0, -math.sqrt(0.5), 0, math.sqrt(0.5)]),
])
def test_quaternion_known_values(axis, angle, q):
    R = _axis_angle(axis, angle)
    np.testing.assert_allclose(g.matrix_to_quat_xyzw(R), q, atol=1e-12)
    np.testing.assert_allclose(g.quat_xyzw_to_matrix(q), R, atol=1e-12)


def test_quaternion_w_is_canonically_non_negative():
    q = g.matrix_to_quat_xyzw(_axis_angle([0, 0, 1], 1.5 * math.pi))
    assert q[3] >= 0.0
    np.testing.assert_allclose(q, [0, 0, -math.sin(math.pi / 4), math.cos(math.pi / 4)],
                               atol=1e-12)


@SETTINGS
@given(R=rotations())
def test_matrix_quat_matrix_round_trip(R):
    q = g.matrix_to_quat_xyzw(R)
    assert q.shape == (4,)
    assert np.linalg.norm(q) == pytest.approx(1.0)
    assert q[3] >= 0.0
    np.testing.assert_allclose(g.quat_xyzw_to_matrix(q), R, atol=1e-9)


@SETTINGS
@given(axis=unit_vectors(), angle=near_pi_angles())
def test_quaternion_round_trip_near_180_degrees(axis, angle):
    # Construct the quaternion directly so the test does not rely on the code under test.
    q = np.append(axis * math.sin(angle / 2.0), math.cos(angle / 2.0))
    R = g.quat_xyzw_to_matrix(q)
    np.testing.assert_allclose(R, _axis_angle(axis, angle), atol=1e-12)
    q_back = g.matrix_to_quat_xyzw(R)
    assert _same_quat(q_back, q, atol=1e-9)
    assert q_back[3] >= 0.0


@SETTINGS
@given(q=hnp.arrays(np.float64, 4, elements=_finite(-10.0, 10.0)))
def test_quat_matrix_quat_round_trip_up_to_sign(q):
    if np.linalg.norm(q) < 1e-3:
        return
    R = g.quat_xyzw_to_matrix(q)
    _assert_rotation(R)
    q_back = g.matrix_to_quat_xyzw(R)
    assert _same_quat(q_back, q / np.linalg.norm(q), atol=1e-9)


def test_quaternions_batched_match_single():
    rng = np.random.default_rng(2)
    q = rng.normal(size=(3, 5, 4))
    q[0, 0] = [1.0, 0.0, 0.0, 0.0]  # exactly 180 degrees in the batch
    Rs = g.quat_xyzw_to_matrix(q)
    assert Rs.shape == (3, 5, 3, 3)
    qs = g.matrix_to_quat_xyzw(Rs)
    assert qs.shape == (3, 5, 4)
    for idx in np.ndindex(3, 5):
        np.testing.assert_allclose(Rs[idx], g.quat_xyzw_to_matrix(q[idx]), atol=1e-15)
        np.testing.assert_allclose(qs[idx], g.matrix_to_quat_xyzw(Rs[idx]), atol=1e-15)
        assert _same_quat(qs[idx], q[idx] / np.linalg.norm(q[idx]))


@pytest.mark.parametrize('q, message', [
    ([0, 0, 0, 0], 'zero'),
    ([np.nan, 0, 0, 1], 'non-finite'),
    ([0, 0, np.inf, 1], 'non-finite'),
    ([0, 0, 1], 'shape'),
    (np.zeros((2, 4)), 'zero'),
])
def test_quat_xyzw_to_matrix_rejects_bad_input(q, message):
    with pytest.raises(ValueError, match=message):
        g.quat_xyzw_to_matrix(q)


@pytest.mark.parametrize('R, message', [
    (np.diag([1.0, 1.0, -1.0]), 'reflection'),
    (2.0 * np.eye(3), 'orthonormal'),
    (np.eye(3)[:2], 'shape'),
    (np.full((3, 3), np.nan), 'non-finite'),
])
def test_matrix_to_quat_rejects_non_rotations(R, message):
    with pytest.raises(ValueError, match=message):
        g.matrix_to_quat_xyzw(R)


# ----------------------------------------------------------------------------- gripper frames

def test_gripper_rotation_columns():
    R = g.gripper_rotation(up=[0, 0, 2], forward=[3, 0, 1])
    np.testing.assert_allclose(R[:, 0], [1, 0, 0], atol=1e-15)  # forward, made orthogonal to up
    np.testing.assert_allclose(R[:, 1], [0, 1, 0], atol=1e-15)  # left = up x forward
    np.testing.assert_allclose(R[:, 2], [0, 0, 1], atol=1e-15)  # up
    R = g.gripper_rotation(up=[-1, 0, 0], forward=[0, 0, 1])
    np.testing.assert_allclose(R, [[0, 0, -1], [0, 1, 0], [1, 0, 0]], atol=1e-15)


@SETTINGS
@given(up=unit_vectors(), forward=unit_vectors(), scale=_finite(0.01, 100.0))
def test_gripper_rotation_is_proper_and_keeps_up(up, forward, scale):
    if np.linalg.norm(np.cross(up, forward)) < 1e-3:
        return
    R = g.gripper_rotation(scale * up, forward)
    _assert_rotation(R)
    np.testing.assert_allclose(R[:, 2], up, atol=1e-12)
    np.testing.assert_allclose(R[:, 1], np.cross(R[:, 2], R[:, 0]), atol=1e-12)
    assert R[:, 0] @ forward > 0.0
    # The same frame from the policy's 6D output [up, forward], reordered.
    R6 = g.rot6d_to_matrix(np.concatenate([up, forward]))
    np.testing.assert_allclose(R6[:, [1, 2, 0]], R, atol=1e-9)


def test_gripper_rotation_batched():
    up = np.array([[0, 0, 1], [0, 0, -1]], dtype=float)
    Rs = g.gripper_rotation(up, [1.0, 0.0, 0.0])
    assert Rs.shape == (2, 3, 3)
    np.testing.assert_allclose(Rs[1], g.gripper_rotation(up[1], [1.0, 0.0, 0.0]))


@pytest.mark.parametrize('up, forward, message', [
    ([0, 0, 0], [1, 0, 0], 'zero'),
    ([0, 0, 1], [0, 0, 0], 'zero'),
    ([0, 0, 1], [0, 0, -5], 'parallel'),
    ([0, 0, np.nan], [1, 0, 0], 'finite'),
    ([0, 1], [1, 0, 0], 'shape'),
])
def test_gripper_rotation_degenerate_raises(up, forward, message):
    with pytest.raises(ValueError, match=message):
        g.gripper_rotation(up, forward)


def test_tcp_offset_constants():
    assert g.TCP_OFFSET_M == 0.1034
    np.testing.assert_array_equal(g.T_GRIPPER_TCP[:3, :3], np.eye(3))
    np.testing.assert_array_equal(g.T_GRIPPER_TCP[:3, 3], [0.0, 0.0, 0.1034])
    with pytest.raises(ValueError):
        g.T_GRIPPER_TCP[0, 3] = 1.0  # read-only so no caller can corrupt it


def test_tcp_moves_along_approach_axis():
    up = np.array([0.0, -1.0, 1.0]) / math.sqrt(2.0)
    R = g.gripper_rotation(up, [1.0, 0.0, 0.0])
    p_contact = np.array([0.5, 0.2, 0.8])
    T_world_gripper = g.make_transform(R, p_contact - 0.10 * up)
    T_world_tcp = g.gripper_pose_to_tcp(T_world_gripper)
    np.testing.assert_allclose(T_world_tcp[:3, :3], R)
    np.testing.assert_allclose(T_world_tcp[:3, 3] - T_world_gripper[:3, 3], 0.1034 * up)
    np.testing.assert_allclose(T_world_tcp[:3, 3], p_contact + 0.0034 * up)
    np.testing.assert_allclose(g.tcp_pose_to_gripper(T_world_tcp), T_world_gripper, atol=1e-15)


@pytest.mark.parametrize('fn', [g.gripper_pose_to_tcp, g.tcp_pose_to_gripper])
def test_tcp_conversions_reject_bad_transforms(fn):
    with pytest.raises(ValueError):
        fn(np.eye(3))


# ----------------------------------------------------------------------------- transforms

def test_transform_points_against_hand_computed():
    # 90 degrees about z, then translate by (1, 2, 3).
    T = np.array([[0.0, -1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 3.0],
                  [0.0, 0.0, 0.0, 1.0]])
    np.testing.assert_allclose(g.transform_points(T, [1.0, 0.0, 0.0]), [1.0, 3.0, 3.0])
    pts = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -3.0], [2.0, 2.0, 2.0]])
    expected = np.array([[0.0, 2.0, 3.0], [1.0, 2.0, 0.0], [-1.0, 4.0, 5.0]])
    out = g.transform_points(T, pts)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize('T, message', [
    (np.eye(3), 'shape'),
    (np.full((4, 4), np.nan), 'non-finite'),
    (np.vstack([np.eye(4)[:3], [0.0, 0.0, 1.0, 1.0]]), 'last row'),
    (2.0 * np.eye(4), 'last row'),
])
def test_transform_points_rejects_bad_transforms(T, message):
    with pytest.raises(ValueError, match=message):
        g.transform_points(T, [0.0, 0.0, 0.0])


@pytest.mark.parametrize('p', [[1.0, 2.0], np.zeros((2, 4)), 1.0])
def test_transform_points_rejects_bad_points(p):
    with pytest.raises(ValueError, match='shape'):
        g.transform_points(np.eye(4), p)


@SETTINGS
@given(R=rotations(), t=hnp.arrays(np.float64, 3, elements=_finite(-10.0, 10.0)),
       pts=hnp.arrays(np.float64, (4, 3), elements=_finite(-10.0, 10.0)))
def test_invert_transform_undoes_transform(R, t, pts):
    T = g.make_transform(R, t)
    T_inv = g.invert_transform(T)
    np.testing.assert_allclose(T_inv @ T, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(g.transform_points(T_inv, g.transform_points(T, pts)), pts,
                               atol=1e-12)


def test_make_transform_and_invert_reject_bad_input():
    with pytest.raises(ValueError, match='orthonormal'):
        g.make_transform(2.0 * np.eye(3), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match='shape'):
        g.make_transform(np.eye(3), [0.0, 0.0])
    with pytest.raises(ValueError, match='shape'):
        g.make_transform(np.stack([np.eye(3)] * 2), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match='non-finite'):
        g.make_transform(np.eye(3), [0.0, np.nan, 0.0])
    shear = np.eye(4)
    shear[0, 1] = 0.5
    with pytest.raises(ValueError, match='orthonormal'):
        g.invert_transform(shear)


@SETTINGS
@given(q=hnp.arrays(np.float64, 4, elements=_finite(-1.0, 1.0)),
       position=hnp.arrays(np.float64, 3, elements=_finite(-10.0, 10.0)))
def test_pose_matrix_round_trip(q, position):
    if np.linalg.norm(q) < 1e-3:
        return
    T = g.pose_to_matrix(position, q)
    np.testing.assert_array_equal(T[3], [0.0, 0.0, 0.0, 1.0])
    position_back, q_back = g.matrix_to_pose(T)
    np.testing.assert_allclose(position_back, position)
    assert _same_quat(q_back, q / np.linalg.norm(q), atol=1e-9)
    assert q_back[3] >= 0.0


def test_pose_to_matrix_known_value_and_errors():
    T = g.pose_to_matrix([1.0, 2.0, 3.0], [0.0, 0.0, math.sqrt(0.5), math.sqrt(0.5)])
    np.testing.assert_allclose(T[:3, :3], _axis_angle([0, 0, 1], math.pi / 2), atol=1e-15)
    np.testing.assert_allclose(T[:3, 3], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match='shape'):
        g.pose_to_matrix([1.0, 2.0, 3.0], np.zeros((2, 4)))
    with pytest.raises(ValueError, match='zero'):
        g.pose_to_matrix([1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match='shape'):
        g.pose_to_matrix([1.0, 2.0], [0.0, 0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match='last row'):
        g.matrix_to_pose(np.zeros((4, 4)))


def test_public_api_is_exported():
    for name in g.__all__:
        assert hasattr(g, name), name


def test_axis_angle_to_matrix_is_rodrigues():
    axis = np.array([1.0, -2.0, 0.5]) / np.linalg.norm([1.0, -2.0, 0.5])
    np.testing.assert_allclose(g.axis_angle_to_matrix(0.7 * axis), _axis_angle(axis, 0.7),
                               atol=1e-12)
    np.testing.assert_array_equal(g.axis_angle_to_matrix([0.0, 0.0, 0.0]), np.eye(3))
    with pytest.raises(ValueError, match='rotvec'):
        g.axis_angle_to_matrix([0.0, np.nan, 0.0])


def test_gripper_and_tcp_twists_differ_by_the_lever_arm():
    R = _axis_angle([0.0, 1.0, 0.0], math.pi / 2)  # gripper z (approach) along world +x
    v_tcp, w = g.gripper_twist_to_tcp([0.0, 0.0, 0.0], [0.0, 0.0, 1.0], R)
    # The TCP sits TCP_OFFSET_M along +x; spinning about z moves it along +y.
    np.testing.assert_allclose(v_tcp, [0.0, g.TCP_OFFSET_M, 0.0], atol=1e-12)
    back, w_back = g.tcp_twist_to_gripper(v_tcp, w, R)
    np.testing.assert_allclose(back, 0.0, atol=1e-12)
    np.testing.assert_array_equal(w_back, [0.0, 0.0, 1.0])


# ----------------------------------------------------------------------------- poses

def test_rotation_log_inverts_small_and_half_turns():
    for vector in (np.array([0.1, -0.2, 0.3]), np.array([0.0, np.pi, 0.0])):
        angle = np.linalg.norm(vector)
        k = vector / angle
        K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        R = np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K
        out = g.rotation_log(R)
        assert np.linalg.norm(out) == pytest.approx(angle)
        assert abs(out @ vector) == pytest.approx(angle ** 2)


def _rot_z(angle):
    return g.axis_angle_to_matrix([0.0, 0.0, angle])


def test_slerp_halfway_and_short_way():
    q0 = g.matrix_to_quat_xyzw(np.eye(3))
    q1 = g.matrix_to_quat_xyzw(_rot_z(1.0))
    half = g.slerp(q0, q1, 0.5)
    assert np.allclose(g.quat_xyzw_to_matrix(half), _rot_z(0.5))
    # The same rotation written with the opposite sign interpolates the same short way.
    assert np.allclose(g.slerp(q0, -q1, 0.5), half)
    assert g.quat_angle(q0, q1) == pytest.approx(1.0)


def test_step_toward_bounds_translation_and_rotation_together():
    q0 = g.matrix_to_quat_xyzw(np.eye(3))
    q1 = g.matrix_to_quat_xyzw(_rot_z(0.5))
    p, q, reached = g.step_toward([0, 0, 0], q0, [1.0, 0, 0], q1, 0.01, 0.1)
    assert not reached
    assert np.linalg.norm(p) == pytest.approx(0.01)
    assert g.quat_angle(q0, q) == pytest.approx(0.005)  # same 1 % of the way
    p, q, reached = g.step_toward([0, 0, 0], q0, [0.001, 0, 0], q1, 0.01, 0.1)
    assert not reached and g.quat_angle(q0, q) == pytest.approx(0.1)
    assert np.linalg.norm(p) == pytest.approx(0.0002)
    p, q, reached = g.step_toward([0, 0, 0], q0, [0.001, 0, 0], q1, 0.01, 1.0)
    assert reached and p.tolist() == [0.001, 0, 0] and np.allclose(q, q1)


def test_repeated_steps_converge_without_jumps():
    q0 = g.matrix_to_quat_xyzw(np.eye(3))
    target_q = g.matrix_to_quat_xyzw(_rot_z(2.5))
    p, q = np.zeros(3), q0
    for _ in range(1000):
        p_next, q_next, reached = g.step_toward(p, q, [0.3, -0.2, 0.1], target_q, 0.005, 0.03)
        assert np.linalg.norm(p_next - p) <= 0.005 + 1e-12
        assert g.quat_angle(q, q_next) <= 0.03 + 1e-9
        p, q = p_next, q_next
        if reached:
            break
    assert reached and np.allclose(p, [0.3, -0.2, 0.1])


@st.composite
def poses(draw):
    position = draw(hnp.arrays(np.float64, 3, elements=_finite(-1.0, 1.0)))
    # Below a half turn from the identity, so that two such poses never sit at the antipodal
    # ambiguity of the short way.
    R = _axis_angle(draw(unit_vectors()), draw(_finite(0.0, 1.5)))
    return position, g.matrix_to_quat_xyzw(R)


@SETTINGS
@given(poses(), poses(), _finite(1e-4, 0.5), _finite(1e-4, 1.0))
def test_step_toward_moves_within_both_bounds_by_one_shared_fraction(start, target, step_m,
                                                                     step_rad):
    (p0, q0), (p1, q1) = start, target
    p, q, reached = g.step_toward(p0, q0, p1, q1, step_m, step_rad)
    moved_m, turned = np.linalg.norm(p - p0), g.quat_angle(q0, q)
    assert moved_m <= step_m + 1e-9 and turned <= step_rad + 1e-7
    distance, angle = np.linalg.norm(p1 - p0), g.quat_angle(q0, q1)
    if reached:
        assert distance <= step_m + 1e-12 and angle <= step_rad + 1e-12
        assert np.array_equal(p, p1) and _same_quat(q, q1)
        return
    # Not there yet: one bound is used up, and rotation went as far (as a fraction) as
    # translation, along the straight line and the slerp arc.
    assert math.isclose(moved_m, step_m, rel_tol=1e-9) or \
        math.isclose(turned, step_rad, rel_tol=1e-6)
    fraction = moved_m / distance if distance > 1e-9 else turned / angle
    if distance > 1e-9:
        np.testing.assert_allclose(p, p0 + fraction * (p1 - p0), atol=1e-12)
    if angle > 1e-6:
        assert turned == pytest.approx(fraction * angle, abs=1e-7)
        assert g.quat_angle(q, q1) == pytest.approx((1.0 - fraction) * angle, abs=1e-7)


@SETTINGS
@given(poses(), poses(), _finite(1e-3, 0.2), _finite(1e-3, 0.5), st.integers(2, 10))
def test_many_small_steps_follow_the_path_of_one_large_step(
        start, target, step_m, step_rad, n):
    # Why the simulator (a step per physics tick) follows the node's goal stream (a step per
    # goal tick) exactly: n steps of (a, b) land where one step of (n a, n b) does.
    (p0, q0), (p1, q1) = start, target
    p, q = p0, q0
    for _ in range(n):
        p, q, _ = g.step_toward(p, q, p1, q1, step_m, step_rad)
    p_one, q_one, _ = g.step_toward(p0, q0, p1, q1, n * step_m, n * step_rad)
    np.testing.assert_allclose(p, p_one, atol=1e-9)
    assert g.quat_angle(q, q_one) < 1e-6


@SETTINGS
@given(poses(), poses(), _finite(1e-3, 0.2), _finite(1e-3, 0.5))
def test_step_transform_toward_is_step_toward_on_matrices(start, target, step_m, step_rad):
    T0, T1 = g.pose_to_matrix(*start), g.pose_to_matrix(*target)
    T, reached = g.step_transform_toward(T0, T1, step_m, step_rad)
    p, q, expected_reached = g.step_toward(*start, *target, step_m, step_rad)
    assert reached == expected_reached
    np.testing.assert_allclose(T, g.pose_to_matrix(p, q), atol=1e-12)


def test_limit_twist_clips_components_then_the_norm():
    linear, angular = g.limit_twist([0.3, 0.0, 0.0], [0.0, 0.0, -0.1], 0.4, 1.5)
    assert linear.tolist() == [0.3, 0.0, 0.0] and angular.tolist() == [0.0, 0.0, -0.1]
    linear, _ = g.limit_twist([5.0, 5.0, 0.0], [0, 0, 0], 0.4, 1.5)
    # Each component is clipped to 0.4 first, then the (0.4, 0.4) vector is scaled to norm 0.4.
    np.testing.assert_allclose(linear, [0.4 / math.sqrt(2.0)] * 2 + [0.0])
    assert np.allclose(g.clip_norm([3.0, 4.0], 1.0), [0.6, 0.8])
    assert g.clip_norm([0.3, 0.4], 1.0).tolist() == [0.3, 0.4]


@SETTINGS
@given(rotations(), rotations())
def test_rotation_angle_is_the_norm_of_the_relative_rotation_log(R_a, R_b):
    angle = g.rotation_angle(R_a, R_b)
    # rotation_log calls a turn below 1e-6 rad none.
    assert angle == pytest.approx(np.linalg.norm(g.rotation_log(R_b @ R_a.T)), abs=1e-6)
    assert angle == pytest.approx(g.quat_angle(g.matrix_to_quat_xyzw(R_a),
                                               g.matrix_to_quat_xyzw(R_b)), abs=1e-7)


@SETTINGS
@given(unit_vectors(), st.one_of(_finite(0.0, math.pi), near_pi_angles()))
def test_rotation_log_inverts_axis_angle_to_matrix_up_to_a_half_turn(axis, angle):
    rotvec = g.rotation_log(g.axis_angle_to_matrix(angle * axis))
    if angle < 1e-6:
        assert np.linalg.norm(rotvec) < 1e-6
        return
    assert np.linalg.norm(rotvec) == pytest.approx(angle, abs=1e-9)
    if angle < math.pi - 1e-9:  # a half turn about -axis is the same rotation
        np.testing.assert_allclose(rotvec, angle * axis, atol=1e-8)


def test_nearer_half_turn_takes_the_symmetric_orientation_nearer_the_current_one():
    R = g.gripper_rotation(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]))
    flipped = R @ np.diag([-1.0, -1.0, 1.0])
    np.testing.assert_allclose(g.nearer_half_turn(R, R), R)
    np.testing.assert_allclose(g.nearer_half_turn(R, flipped), flipped)
    np.testing.assert_allclose(g.nearer_half_turn(flipped, R), R)
    # The approach axis never changes; a hand turned 100 deg about it is nearer the flip.
    turned = R @ g.axis_angle_to_matrix(np.array([0.0, 0.0, np.deg2rad(100.0)]))
    chosen = g.nearer_half_turn(R, turned)
    np.testing.assert_allclose(chosen, flipped)
    np.testing.assert_allclose(chosen[:, 2], R[:, 2])
