# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The goal safety layer: each check alone, and the diagnostics."""

import math

from conftest import cdr_round_trip, DISTROS
import numpy as np
import pytest

from robomamba_ros.nodes import goal_safety as gs
from robomamba_ros.ros.type_source import RosbagsTypes


@pytest.mark.parametrize('pixel, up, forward', [
    ((np.nan, 3.0), (0, 0, 1), (1, 0, 0)),
    ((1.0, 2.0), (0, np.inf, 1), (1, 0, 0)),
    ((1.0, 2.0), (0, 0, 1), (0, 0, 0)),
    ((1.0, 2.0, 3.0), (0, 0, 1), (1, 0, 0)),
    ('middle', (0, 0, 1), (1, 0, 0)),
])
def test_non_finite_or_malformed_output_is_refused(pixel, up, forward):
    check = gs.check_finite_output(pixel, up, forward)
    assert not check.ok and check.reason == 'non_finite_output' and check.detail


def test_finite_output_passes_as_float_arrays():
    check = gs.check_finite_output([10, 20], [0, 0, 2], [1, 0, 0])
    assert check.ok
    pixel, up, forward = check.value
    assert pixel.dtype == np.float64 and pixel.tolist() == [10.0, 20.0] and up.shape == (3,)


def test_depth_check_uses_the_robust_median_and_refuses_holes():
    depth = np.full((20, 30), 1.0, np.float32)
    depth[10, 15] = 1.2  # one outlier in the window: the median ignores it
    check = gs.check_depth(depth, 15.0, 10.0, window=5)
    assert check.ok and check.value == pytest.approx(1.0)

    depth = np.full((20, 30), 1.0, np.float32)
    depth[8:13, 13:17] = 0.0  # 20 of 25 window readings missing, the centre pixel kept
    depth[10, 15] = 1.0
    check = gs.check_depth(depth, 15.0, 10.0, window=5, min_valid_fraction=0.5)
    assert not check.ok and 'valid depth readings' in check.detail


def test_depth_check_reads_a_thin_handle_not_the_door_behind_it():
    depth = np.full((20, 30), 1.3, np.float32)
    depth[:, 15] = 1.0 + 0.002 * np.arange(20)  # a 1 px handle, with some noise, before a door
    assert gs.check_depth(depth, 15.0, 10.0, window=5).value == pytest.approx(1.3)
    check = gs.check_depth(depth, 15.0, 10.0, window=5, surface_m=0.02)
    assert check.ok and check.value == pytest.approx(1.02)


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_a_hole_at_the_pixel_itself_does_not_veto_a_well_measured_window(encoding):
    rng = np.random.default_rng(3)
    depth = np.full((480, 640), 0.8)
    depth[rng.random(depth.shape) < 0.03] = np.nan  # RealSense-like dropout
    depth[221, 323] = np.nan  # the contact pixel itself
    raw = (np.nan_to_num(depth * 1000).astype(np.uint16) if encoding == '16UC1'
           else depth.astype(np.float32))
    check = gs.check_depth(raw, 323.0, 221.0, window=5, min_valid_fraction=0.5)
    assert check.ok and check.value == pytest.approx(0.8)
    raw[219:224, 321:326][:4] = 0  # now 20 of 25 are holes: below the minimum fraction
    check = gs.check_depth(raw, 323.0, 221.0, window=5, min_valid_fraction=0.5)
    assert not check.ok and check.reason == 'invalid_depth' and '20%' in check.detail


def test_depth_check_range_and_pixel_outside_the_image():
    depth = np.full((20, 30), 1000, np.uint16)  # 16UC1 millimetres
    assert gs.check_depth(depth, 3.0, 4.0).value == pytest.approx(1.0)
    far = gs.check_depth(depth, 3.0, 4.0, max_depth_m=0.5)
    assert not far.ok and 'outside' in far.detail
    outside = gs.check_depth(depth, 30.4, 4.0)
    assert not outside.ok and outside.reason == 'invalid_depth'
    assert not gs.check_depth(depth, math.nan, 4.0).ok


def test_orientation_must_approach_away_from_the_camera():
    p_cam = np.array([0.0, 0.0, 1.0])
    good = gs.check_orientation([0.2, 0.0, 1.0], [1.0, 0.0, 0.0], p_cam, math.radians(60))
    assert good.ok
    R = good.value
    assert np.allclose(R.T @ R, np.eye(3)) and np.linalg.det(R) == pytest.approx(1.0)
    toward = gs.check_orientation([0.0, 0.0, -1.0], [1.0, 0.0, 0.0], p_cam, math.radians(85))
    assert not toward.ok and toward.reason == 'orientation'
    parallel = gs.check_orientation([0.0, 0.0, 1.0], [0.0, 0.0, 2.0], p_cam, math.radians(85))
    assert not parallel.ok and 'rotation' in parallel.detail
    # The limit is measured against the viewing ray through the point, not the optical axis.
    p_side = np.array([1.0, 0.0, 1.0])
    ray_aligned = gs.check_orientation([1.0, 0.0, 1.0], [0.0, 1.0, 0.0], p_side,
                                       math.radians(10))
    assert ray_aligned.ok


K_D435 = np.array([[615.0, 0.0, 319.5], [0.0, 615.0, 239.5], [0.0, 0.0, 1.0]])


def _tilted_plane(tilt_deg, distance_m=0.6, holes=0.03, seed=0):
    """Depth (m, NaN holes) of a plane through (0, 0, distance) tilted about the y axis."""
    tilt = math.radians(tilt_deg)
    normal = np.array([math.sin(tilt), 0.0, -math.cos(tilt)])  # toward the camera
    v, u = np.mgrid[0:480, 0:640].astype(float)
    rays = np.stack([(u - 319.5) / 615.0, (v - 239.5) / 615.0, np.ones_like(u)], axis=-1)
    depth = (normal @ [0.0, 0.0, distance_m]) / (rays @ normal)
    depth[np.random.default_rng(seed).random(depth.shape) < holes] = np.nan
    return depth, normal


def test_an_approach_84_deg_off_the_inward_normal_is_refused():
    depth, normal = _tilted_plane(30.0, holes=0.03)
    inward = -normal
    side = np.cross(inward, [0.0, 1.0, 0.0])
    limit = math.radians(60)
    for angle, ok in ((0.0, True), (10.0, True), (84.0, False)):
        up = math.cos(math.radians(angle)) * inward + math.sin(math.radians(angle)) * side
        check = gs.check_surface_approach(up, depth, 320.0, 240.0, K_D435, limit)
        assert check.ok == ok, (angle, check)
        if ok:
            assert abs(check.value.normal @ normal) > math.cos(math.radians(2))
        else:
            assert check.reason == 'approach_normal' and '84 deg' in check.detail


def test_no_plane_in_the_window_is_no_reason_to_refuse():
    depth = np.full((480, 640), np.nan)
    depth[240, 300:340] = 0.6  # a single row of readings: a line, not a plane
    for image in (depth, np.full((480, 640), np.nan)):
        check = gs.check_surface_approach([1.0, 0.0, 0.0], image, 320.0, 240.0, K_D435,
                                          math.radians(60))
        assert check.ok and check.value is None and 'surface normal unknown' in check.detail


def test_transform_age():
    assert gs.check_transform_age(0, 10**12, 1).ok  # static
    assert gs.check_transform_age(900, 1000, 200).ok
    stale = gs.check_transform_age(100, 1000, 200, 'base <- camera')
    assert not stale.ok and stale.reason == 'tf_stale' and 'base <- camera' in stale.detail


def test_workspace_clamps_near_goals_and_refuses_far_ones():
    low, high = (0.2, -0.5, 0.0), (0.8, 0.5, 0.8)
    inside = gs.clamp_to_workspace([0.5, 0.0, 0.3], low, high, 0.05)
    assert inside.ok and inside.detail == '' and inside.value.tolist() == [0.5, 0.0, 0.3]
    near = gs.clamp_to_workspace([0.83, 0.0, 0.3], low, high, 0.05)
    assert near.ok and 'clamped' in near.detail
    assert near.value == pytest.approx([0.8, 0.0, 0.3])
    far = gs.clamp_to_workspace([1.5, 0.0, 0.3], low, high, 0.05)
    assert not far.ok and far.reason == 'workspace'
    assert not gs.clamp_to_workspace([np.nan, 0, 0], low, high, 1.0).ok


@pytest.mark.parametrize('distro', DISTROS)
def test_refusal_counter_diagnostics(distro):
    types = RosbagsTypes(distro)
    counter = gs.RefusalCounter(recent_ns=2_000_000_000)
    msg = counter.to_diagnostic_array(types, 1_000_000_000, 'robomamba_node: goal safety')
    status = msg.status[0]
    assert status.level == status.OK and status.message == 'no refusals'
    values = {kv.key: kv.value for kv in status.values}
    assert set(gs.REASONS) <= set(values) and all(values[r] == '0' for r in gs.REASONS)

    counter.refuse('invalid_depth', 'hole', 1_000_000_000)
    counter.refuse('invalid_depth', 'hole', 1_500_000_000)
    counter.refuse('tf_stale', 'old', 1_600_000_000)
    counter.accept()
    msg = counter.to_diagnostic_array(types, 2_000_000_000, 'robomamba_node: goal safety')
    status = msg.status[0]
    values = {kv.key: kv.value for kv in status.values}
    assert status.level == status.WARN and 'tf_stale' in status.message
    assert values['invalid_depth'] == '2' and values['tf_stale'] == '1'
    assert values['accepted'] == '1' and values['last_refusal'] == 'tf_stale'
    # The bytes survive the CDR round trip.
    again = cdr_round_trip(types, msg)
    assert again.status[0].values[0].key == gs.REASONS[0]
    # Long after the last refusal the status is OK again, counts kept.
    later = counter.to_diagnostic_array(types, 10_000_000_000, 'x').status[0]
    assert later.level == later.OK and '3 in total' in later.message
    with pytest.raises(ValueError, match='unknown refusal reason'):
        counter.refuse('bad_luck', '', 0)
