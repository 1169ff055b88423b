# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Camera and rigid-body geometry for robomamba_ros (numpy only).

Frames and conventions (REP-103/105):

* Camera optical frame: x right, y down, z forward (along the optical axis).
* Pixels follow ROS ``sensor_msgs/CameraInfo`` / OpenCV: ``u`` is the column, ``v`` the row, and
  integer coordinates are pixel centres, so the centre of the top-left pixel is (0, 0).
* Depth is metric distance along the optical axis (z), not along the ray.
* Quaternions are (x, y, z, w), ROS order, returned with ``w >= 0``.
* Homogeneous transforms are 4x4 arrays ``T_a_b`` that map points in frame ``b`` into frame ``a``.
* Lengths are metres (``_m``) and angles radians (``_rad``) unless a name says otherwise.

Gripper frames:
The where2act / ManipLLM / RoboMamba label frame ("gripper frame") has the columns
``[forward, left, up]``; ``up`` is the approach axis, pointing from the hand into the object.
It coincides with the Franka ``panda_hand`` frame: origin at the hand base, x = forward,
y = left (the direction the fingers open and close along), z = up (approach).
The simulator protocol places this origin at ``p - 0.10 * up`` for a contact point ``p``.

franka_description's ``panda_hand_tcp`` has the same orientation and sits ``TCP_OFFSET_M``
(0.1034 m) further along z, between the finger tips.  Seen from the side (x points into the page)::

         y = left (the fingers open and close along y)
         ^
         |
    hand o=======[fingers]=====|===+------>  z = up = approach axis, into the object
    base                       p   TCP
         |<------ 0.10 m ----->|           contact point p (protocol: base at p - 0.10 * up)
         |<------ 0.1034 m ------->|       panda_hand_tcp

So ``T_GRIPPER_TCP`` is a pure translation of +0.1034 m along the gripper z axis, and with the
protocol's contact pose the TCP ends up 3.4 mm past ``p``, inside the surface.
"""

import math
from typing import NamedTuple

import numpy as np

# Distance from the panda_hand origin to panda_hand_tcp along the hand z axis (franka_description).
TCP_OFFSET_M = 0.1034

# Pose of the Franka hand TCP frame in the where2act gripper (panda_hand) frame.
T_GRIPPER_TCP = np.array(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, TCP_OFFSET_M],
        [0.0, 0.0, 0.0, 1.0],
    ]
)
T_GRIPPER_TCP.setflags(write=False)

# Norms at or below this are treated as zero (degenerate directions, quaternions).
_ZERO_NORM = 1e-12
# A second direction whose component orthogonal to the first is this small relative to its own
# length is treated as parallel: Gram-Schmidt would amplify noise into the result.
_PARALLEL_REL = 1e-8
# Tolerance on |R^T R - I| and |det R - 1|; lenient enough for float32 rotations.
_ROTATION_ATOL = 1e-4


def _as_float_array(x, name):
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f'{name} must be numeric, got {x!r}') from exc
    return arr


def validate_intrinsics(K):
    """
    Check a pinhole camera matrix and return it as a float64 (3, 3) array.

    Accepts anything array-like with 9 elements in row-major order (e.g. ``CameraInfo.k``).
    The matrix must be ``[[fx, s, cx], [0, fy, cy], [0, 0, 1]]`` with finite entries and
    ``fx > 0``, ``fy > 0``.

    :param K: camera matrix, shape (3, 3) or (9,), pixels.
    :return: a new float64 array of shape (3, 3).
    :raises ValueError: naming the problem (shape, non-finite, all zeros, fx/fy, last row).
    """
    K = _as_float_array(K, 'K')
    if K.shape == (9,):
        K = K.reshape(3, 3)
    if K.shape != (3, 3):
        raise ValueError(f'K must have shape (3, 3) or (9,), got {K.shape}')
    if not np.all(np.isfinite(K)):
        raise ValueError('K contains non-finite values')
    if not np.any(K):
        # CameraInfo.k is all zeros when a driver has no calibration.
        raise ValueError('K is all zeros (uncalibrated camera)')
    if K[0, 0] <= 0.0 or K[1, 1] <= 0.0:
        raise ValueError(f'K focal lengths must be > 0, got fx={K[0, 0]}, fy={K[1, 1]}')
    if K[1, 0] != 0.0 or not np.array_equal(K[2], [0.0, 0.0, 1.0]):
        raise ValueError(f'K must have the form [[fx, s, cx], [0, fy, cy], [0, 0, 1]], got {K}')
    return K.copy()


def intrinsics_from_fov(width, height, fov_y_rad):
    """
    Build a pinhole camera matrix from an image size and a vertical field of view.

    Uses the ROS/OpenCV pixel-centre convention: ``cx = width / 2 - 0.5``,
    ``cy = height / 2 - 0.5``, square pixels, ``fy = (height / 2) / tan(fov_y_rad / 2)``.

    SAPIEN's ``Camera.get_intrinsic_matrix()`` returns the same focal lengths but
    ``cx = width / 2``, ``cy = height / 2``: it puts pixel centres at ``(u + 0.5, v + 0.5)``.
    Publishing SAPIEN's matrix unchanged in a ``CameraInfo`` would shift every deprojected ray by
    half a pixel; use this function (or :func:`sapien_to_ros_intrinsics`) instead.

    :param width: image width in pixels (positive int).
    :param height: image height in pixels (positive int).
    :param fov_y_rad: vertical field of view in radians, in (0, pi).
    :return: camera matrix K, float64 shape (3, 3).
    :raises ValueError: for a non-positive size or a field of view outside (0, pi).
    """
    for name, value in (('width', width), ('height', height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f'{name} must be a positive integer, got {value!r}')
    fov = float(fov_y_rad)
    if not (math.isfinite(fov) and 0.0 < fov < math.pi):
        raise ValueError(f'fov_y_rad must be in (0, pi), got {fov_y_rad!r}')
    f = (height / 2.0) / math.tan(fov / 2.0)
    return np.array(
        [
            [f, 0.0, width / 2.0 - 0.5],
            [0.0, f, height / 2.0 - 0.5],
            [0.0, 0.0, 1.0],
        ]
    )


def sapien_to_ros_intrinsics(K_sapien):
    """
    Convert a SAPIEN intrinsic matrix (pixel centres at u + 0.5) to the ROS convention.

    :param K_sapien: SAPIEN ``get_intrinsic_matrix()`` output, shape (3, 3).
    :return: the same camera with ``cx`` and ``cy`` reduced by half a pixel, shape (3, 3).
    """
    K = validate_intrinsics(K_sapien)
    K[0, 2] -= 0.5
    K[1, 2] -= 0.5
    return K


def deproject(u, v, depth_m, K):
    """
    Lift pixels with metric depth to 3D points in the camera optical frame.

    ``u``, ``v`` and ``depth_m`` broadcast against each other.  With scalar inputs the result has
    shape (3,) and invalid input (non-finite u/v/depth, ``depth_m <= 0``) raises ValueError.  With
    array inputs the result has shape (..., 3) and invalid entries give NaN rows instead, so one
    bad pixel does not discard a whole batch.

    :param u: column coordinate(s), pixels, integer values are pixel centres.
    :param v: row coordinate(s), pixels.
    :param depth_m: depth(s) along the optical axis (z), metres.
    :param K: camera matrix, see :func:`validate_intrinsics`.
    :return: points (x right, y down, z forward) in metres, shape (3,) or (..., 3).
    :raises ValueError: for invalid K, or invalid scalar input.
    """
    K = validate_intrinsics(K)
    u, v, z = np.broadcast_arrays(
        _as_float_array(u, 'u'), _as_float_array(v, 'v'), _as_float_array(depth_m, 'depth_m')
    )
    valid = np.isfinite(u) & np.isfinite(v) & np.isfinite(z) & (z > 0.0)
    if u.ndim == 0 and not valid:
        raise ValueError(
            f'deproject needs finite u, v and depth_m > 0, got u={u}, v={v}, depth_m={z}'
        )
    fx, s, cx = K[0]
    fy, cy = K[1, 1], K[1, 2]
    y_n = (v - cy) / fy
    x_n = (u - cx - s * y_n) / fx
    points = np.stack([x_n * z, y_n * z, z], axis=-1)
    points[~valid] = np.nan
    return points


def project(p_cam, K):
    """
    Project points in the camera optical frame to pixel coordinates (inverse of deproject).

    A shape (3,) input is one point: it returns two floats and raises ValueError when the point is
    non-finite or not in front of the camera (``z <= 0``).  A shape (..., 3) input returns two
    arrays of shape (...) with NaN for such points.

    :param p_cam: point(s) in the camera optical frame, metres, shape (3,) or (..., 3).
    :param K: camera matrix, see :func:`validate_intrinsics`.
    :return: ``(u, v)`` in pixels, integer values are pixel centres.
    :raises ValueError: for invalid K, a wrong shape, or an invalid single point.
    """
    K = validate_intrinsics(K)
    p = _as_float_array(p_cam, 'p_cam')
    if p.ndim == 0 or p.shape[-1] != 3:
        raise ValueError(f'p_cam must have shape (3,) or (..., 3), got {p.shape}')
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    valid = np.all(np.isfinite(p), axis=-1) & (z > 0.0)
    if p.ndim == 1:
        if not valid:
            raise ValueError(f'cannot project a point that is non-finite or has z <= 0: {p}')
        x_n, y_n = x / z, y / z
    else:
        with np.errstate(divide='ignore', invalid='ignore'):
            x_n = np.where(valid, x / np.where(valid, z, 1.0), np.nan)
            y_n = np.where(valid, y / np.where(valid, z, 1.0), np.nan)
    u = K[0, 0] * x_n + K[0, 1] * y_n + K[0, 2]
    v = K[1, 1] * y_n + K[1, 2]
    if p.ndim == 1:
        return float(u), float(v)
    return u, v


def _round_half_up(x):
    # Python's round() is half-to-even; pixels want a rule that does not depend on parity.
    return math.floor(x + 0.5)


def _depth_window(depth, u, v, window):
    """
    Return the window of a depth image around a pixel, in metres.

    :return: ``(patch_m, rows, cols)``: float64 metres with NaN where there is no reading, and
        the pixel rows and columns it covers; None when u/v is not finite or the window lies
        outside the image.
    :raises ValueError: as :func:`robust_depth`.
    """
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)):
        raise ValueError(f'window must be a positive odd integer, got {window!r}')
    if window <= 0 or window % 2 == 0:
        raise ValueError(f'window must be a positive odd integer, got {window!r}')
    depth = np.asarray(depth)
    if depth.ndim != 2:
        raise ValueError(f'depth must be a 2D (H, W) image, got shape {depth.shape}')
    if depth.dtype == np.uint16:
        scale = 1e-3
    elif depth.dtype in (np.float32, np.float64):
        scale = 1.0
    else:
        raise ValueError(
            f'depth must be uint16 (millimetres, 16UC1) or float32/float64 (metres, 32FC1), '
            f'got dtype {depth.dtype}'
        )
    try:
        u_f, v_f = float(u), float(v)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(u_f) and math.isfinite(v_f)):
        return None
    col, row = _round_half_up(u_f), _round_half_up(v_f)
    half = int(window) // 2
    height, width = depth.shape
    r0, r1 = max(row - half, 0), min(row + half + 1, height)
    c0, c1 = max(col - half, 0), min(col + half + 1, width)
    if r0 >= r1 or c0 >= c1:
        return None
    patch = depth[r0:r1, c0:c1].astype(np.float64)
    patch[~(np.isfinite(patch) & (patch > 0.0))] = np.nan
    return patch * scale, np.arange(r0, r1), np.arange(c0, c1)


def robust_depth(depth, u, v, window=5, surface_m=None):
    """
    Median depth in metres of the valid readings in a square window around a pixel.

    With ``surface_m``, when the pixel itself has a reading, only the readings within
    ``surface_m`` of it count: on a thin handle in front of a door the whole window's median
    would read the door.

    The encoding is taken from the dtype: ``uint16`` means millimetres (ROS ``16UC1``) and is
    divided by 1000; ``float32``/``float64`` means metres (ROS ``32FC1``).  A reading is valid when
    it is finite and > 0 (0, NaN and inf mean "no reading").  The pixel is rounded to the nearest
    integer (halves up) and the window is clipped to the image.

    :param depth: depth image, shape (H, W), uint16 millimetres or float32/float64 metres.
    :param u: column of the pixel, pixels (any float).
    :param v: row of the pixel, pixels (any float).
    :param window: side of the square window in pixels, positive odd integer.
    :param surface_m: keep the readings this close to the pixel's own (m); None: all.
    :return: the median in metres as a float, or None when the window holds no valid reading,
        lies entirely outside the image, or u/v is not finite.
    :raises ValueError: for a window that is not a positive odd integer, or a depth array that is
        not 2D or has another dtype.
    """
    found = _depth_window(depth, u, v, window)
    if found is None:
        return None
    patch, rows, cols = found
    values = patch[np.isfinite(patch)]
    if values.size == 0:
        return None
    row, col = _round_half_up(float(v)), _round_half_up(float(u))
    if surface_m is not None and row in rows and col in cols:
        centre = patch[row - rows[0], col - cols[0]]
        if np.isfinite(centre):
            values = values[np.abs(values - centre) <= surface_m]
    return float(np.median(values))


class SurfaceNormal(NamedTuple):
    """A plane fitted to the depth around a pixel (see :func:`estimate_surface_normal`)."""

    normal: np.ndarray  # unit (3,), camera optical frame, pointing toward the camera
    rms_m: float        # root mean square distance of the kept points from the plane
    points: int         # points the plane was fitted to


# The depth gate lets a surface tilt up to this much away from facing the camera.
_MAX_TILT_SLOPE = math.tan(math.radians(80.0))
# Depth noise always tolerated by the gate and the residual trim (RealSense ~1-2 mm at 1 m).
_DEPTH_NOISE_M = 0.01


def estimate_surface_normal(depth, u, v, K, window=15, min_points=10):
    """
    Fit a plane to the depth around a pixel and return its normal.

    The window's valid readings are lifted to 3D. Readings that cannot lie on the surface through
    the pixel are dropped first: those farther in depth from the median around the pixel
    (3x3) than a surface tilted 80 deg, plus 1 cm of noise, allows at their lateral distance
    (a step edge, the background). A least-squares plane (SVD) is fitted to the rest and
    refitted once without the points farther from it than three times the median distance (or
    the noise floor). Points that barely span two directions (a line, e.g. a thin edge) give
    no normal.

    :param depth: ``(H, W)`` uint16 millimetres or float metres (0, NaN, inf: no reading).
    :param u: pixel column (integer values are pixel centres).
    :param v: pixel row.
    :param K: camera matrix, see :func:`validate_intrinsics`.
    :param window: side of the square window (positive odd integer, px).
    :param min_points: fewest points to fit a plane to.
    :return: a :class:`SurfaceNormal` (normal in the camera optical frame, pointing toward the
        camera), or None when too few points remain or they do not span a plane.
    :raises ValueError: for a bad window, depth array or K.
    """
    K = validate_intrinsics(K)
    found = _depth_window(depth, u, v, window)
    if found is None:
        return None
    patch, rows, cols = found
    vv, uu = np.meshgrid(rows, cols, indexing='ij')
    valid = np.isfinite(patch)
    if int(valid.sum()) < min_points:
        return None
    centre_row, centre_col = _round_half_up(float(v)), _round_half_up(float(u))
    near = (np.abs(vv - centre_row) <= 1) & (np.abs(uu - centre_col) <= 1) & valid
    reference = float(np.median(patch[near] if near.any() else patch[valid]))
    lateral_m = np.hypot(vv - centre_row, uu - centre_col) * reference / K[0, 0]
    keep = valid & (np.abs(patch - reference) <= lateral_m * _MAX_TILT_SLOPE + _DEPTH_NOISE_M)
    points = deproject(uu[keep], vv[keep], patch[keep], K)
    fit = None
    for _ in range(2):
        if len(points) < min_points:
            return None
        centroid = points.mean(axis=0)
        _, singular, vt = np.linalg.svd(points - centroid, full_matrices=False)
        if singular[1] < 0.1 * singular[0]:
            return None  # the points lie along a line: no plane
        normal = vt[2]
        distance = np.abs((points - centroid) @ normal)
        fit = (normal, centroid, distance)
        limit = max(3.0 * float(np.median(distance)), _DEPTH_NOISE_M * 0.2)
        points = points[distance <= limit]
    normal, centroid, distance = fit
    if normal @ centroid > 0.0:
        normal = -normal
    return SurfaceNormal(normal, float(np.sqrt(np.mean(distance ** 2))), int(len(distance)))


def _normalize_rows(x, name):
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    if np.any(norm <= _ZERO_NORM):
        raise ValueError(f'{name} has a zero-length vector')
    return x / norm


def _orthonormal_pair(a1, a2, name1, name2):
    """
    Gram-Schmidt two direction arrays of shape (..., 3).

    :return: ``(b1, b2)`` unit vectors, ``b2`` orthogonal to ``b1``.
    """
    if not (np.all(np.isfinite(a1)) and np.all(np.isfinite(a2))):
        raise ValueError(f'{name1} and {name2} must be finite')
    b1 = _normalize_rows(a1, name1)
    a2_norm = np.linalg.norm(a2, axis=-1, keepdims=True)
    if np.any(a2_norm <= _ZERO_NORM):
        raise ValueError(f'{name2} has a zero-length vector')
    perp = a2 - np.sum(b1 * a2, axis=-1, keepdims=True) * b1
    perp_norm = np.linalg.norm(perp, axis=-1, keepdims=True)
    if np.any(perp_norm <= _PARALLEL_REL * a2_norm):
        raise ValueError(f'{name1} and {name2} are parallel')
    return b1, perp / perp_norm


def rot6d_to_matrix(x6):
    """
    Turn a 6D rotation ``[a1, a2]`` into a rotation matrix by Gram-Schmidt.

    The columns are ``b1 = a1 / |a1|``, ``b2`` = the part of ``a2`` orthogonal to ``b1``,
    normalised, and ``b3 = b1 x b2`` (the where2act / RoboMamba rotation-loss convention).
    For a policy output ``[up, forward]`` this gives columns ``[up, forward, left]``;
    :func:`gripper_rotation` gives the gripper frame ``[forward, left, up]`` from the same vectors.

    :param x6: shape (6,) or (..., 6), ``a1 = x6[..., :3]``, ``a2 = x6[..., 3:]``.
    :return: rotation matrices, shape (3, 3) or (..., 3, 3).
    :raises ValueError: for a wrong shape, non-finite input, a zero vector, or parallel a1, a2.
    """
    x6 = _as_float_array(x6, 'x6')
    if x6.ndim == 0 or x6.shape[-1] != 6:
        raise ValueError(f'x6 must have shape (6,) or (..., 6), got {x6.shape}')
    b1, b2 = _orthonormal_pair(x6[..., :3], x6[..., 3:], 'a1', 'a2')
    b3 = np.cross(b1, b2)
    return np.stack([b1, b2, b3], axis=-1)


def _check_matrix_shape(R, name='R'):
    R = _as_float_array(R, name)
    if R.ndim < 2 or R.shape[-2:] != (3, 3):
        raise ValueError(f'{name} must have shape (3, 3) or (..., 3, 3), got {R.shape}')
    if not np.all(np.isfinite(R)):
        raise ValueError(f'{name} contains non-finite values')
    return R


def _check_rotation(R, name='R'):
    R = _check_matrix_shape(R, name)
    eye = np.eye(3)
    gram = np.swapaxes(R, -1, -2) @ R
    if not np.allclose(gram, eye, atol=_ROTATION_ATOL, rtol=0.0):
        raise ValueError(f'{name} is not orthonormal (R^T R != I)')
    if np.any(np.abs(np.linalg.det(R) - 1.0) > _ROTATION_ATOL):
        raise ValueError(f'{name} is a reflection, not a rotation (det R != +1)')
    return R


def matrix_to_rot6d(R):
    """
    Return the 6D representation of rotation matrices: the first two columns, concatenated.

    :param R: shape (3, 3) or (..., 3, 3).
    :return: ``[R[:, 0], R[:, 1]]``, shape (6,) or (..., 6).
    :raises ValueError: for a wrong shape or non-finite input.
    """
    R = _check_matrix_shape(R)
    return np.concatenate([R[..., :, 0], R[..., :, 1]], axis=-1)


def matrix_to_quat_xyzw(R):
    """
    Convert rotation matrices to unit quaternions (x, y, z, w) with ``w >= 0``.

    Uses Shepperd's method: it solves for the largest of ``|w|, |x|, |y|, |z|`` first, so the
    result stays accurate near 180 degree rotations where ``w`` is close to 0.  When ``w == 0``
    exactly, the sign is chosen so that the largest of x, y, z is positive.

    :param R: rotation matrix, shape (3, 3) or (..., 3, 3).
    :return: quaternion(s), shape (4,) or (..., 4).
    :raises ValueError: for a wrong shape, non-finite input, or a matrix that is not a rotation
        (tolerance 1e-4 on orthonormality and determinant).
    """
    R = _check_rotation(R)
    m00, m01, m02 = R[..., 0, 0], R[..., 0, 1], R[..., 0, 2]
    m10, m11, m12 = R[..., 1, 0], R[..., 1, 1], R[..., 1, 2]
    m20, m21, m22 = R[..., 2, 0], R[..., 2, 1], R[..., 2, 2]
    trace = m00 + m11 + m22
    choice = np.argmax(np.stack([trace, m00, m11, m22], axis=-1), axis=-1)

    def _four_s(arg):
        # Only the chosen branch is used; the floor keeps the others from dividing by zero.
        return 2.0 * np.sqrt(np.maximum(arg, 1e-12))

    s = _four_s(1.0 + trace)
    q_w = np.stack([(m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, 0.25 * s], axis=-1)
    s = _four_s(1.0 + m00 - m11 - m22)
    q_x = np.stack([0.25 * s, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s], axis=-1)
    s = _four_s(1.0 - m00 + m11 - m22)
    q_y = np.stack([(m01 + m10) / s, 0.25 * s, (m12 + m21) / s, (m02 - m20) / s], axis=-1)
    s = _four_s(1.0 - m00 - m11 + m22)
    q_z = np.stack([(m02 + m20) / s, (m12 + m21) / s, 0.25 * s, (m10 - m01) / s], axis=-1)

    candidates = np.stack([q_w, q_x, q_y, q_z], axis=-2)
    q = np.take_along_axis(candidates, choice[..., None, None], axis=-2)[..., 0, :]
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    return np.where(q[..., 3:4] < 0.0, -q, q)


def quat_xyzw_to_matrix(q):
    """
    Convert quaternions (x, y, z, w) to rotation matrices; the input is normalised first.

    :param q: quaternion(s), shape (4,) or (..., 4), any non-zero length.
    :return: rotation matrix, shape (3, 3) or (..., 3, 3).
    :raises ValueError: for a wrong shape, non-finite values, or a zero quaternion.
    """
    q = _as_float_array(q, 'q')
    if q.ndim == 0 or q.shape[-1] != 4:
        raise ValueError(f'q must have shape (4,) or (..., 4), got {q.shape}')
    if not np.all(np.isfinite(q)):
        raise ValueError('q contains non-finite values')
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    if np.any(norm <= _ZERO_NORM):
        raise ValueError('q is a zero quaternion')
    x, y, z, w = np.moveaxis(q / norm, -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def gripper_rotation(up, forward):
    """
    Build the where2act gripper orientation with columns ``[forward, left, up]``.

    ``up`` (the approach axis, gripper z) is normalised first; ``forward`` (gripper x) is then made
    orthogonal to it and normalised; ``left = up x forward`` (gripper y, the finger axis).

    :param up: approach direction(s), shape (3,) or (..., 3), any non-zero length.
    :param forward: forward direction(s), shape (3,) or (..., 3), not parallel to ``up``.
    :return: rotation matrix ``R_frame_gripper``, shape (3, 3) or (..., 3, 3), in the frame the
        vectors are expressed in.
    :raises ValueError: for a wrong shape, non-finite input, a zero vector, or parallel vectors.
    """
    up = _as_float_array(up, 'up')
    forward = _as_float_array(forward, 'forward')
    if up.ndim == 0 or forward.ndim == 0 or up.shape[-1] != 3 or forward.shape[-1] != 3:
        raise ValueError(
            f'up and forward must have shape (..., 3), got {up.shape} and {forward.shape}'
        )
    up, forward = np.broadcast_arrays(up, forward)
    up_u, forward_u = _orthonormal_pair(up, forward, 'up', 'forward')
    left = np.cross(up_u, forward_u)
    return np.stack([forward_u, left, up_u], axis=-1)


def _check_transform(T, name='T'):
    T = _as_float_array(T, name)
    if T.shape != (4, 4):
        raise ValueError(f'{name} must have shape (4, 4), got {T.shape}')
    if not np.all(np.isfinite(T)):
        raise ValueError(f'{name} contains non-finite values')
    if not np.allclose(T[3], [0.0, 0.0, 0.0, 1.0], atol=1e-9, rtol=0.0):
        raise ValueError(f'{name} last row must be [0, 0, 0, 1], got {T[3]}')
    return T


def _check_vector3(t, name):
    t = _as_float_array(t, name)
    if t.shape != (3,):
        raise ValueError(f'{name} must have shape (3,), got {t.shape}')
    if not np.all(np.isfinite(t)):
        raise ValueError(f'{name} contains non-finite values')
    return t


def make_transform(R, t):
    """
    Assemble a 4x4 homogeneous transform from a rotation and a translation.

    :param R: rotation matrix, shape (3, 3).
    :param t: translation in metres, shape (3,).
    :return: ``T`` with ``T[:3, :3] = R`` and ``T[:3, 3] = t``, shape (4, 4).
    :raises ValueError: for wrong shapes, non-finite values, or R not a rotation.
    """
    R = _check_rotation(R)
    if R.shape != (3, 3):
        raise ValueError(f'R must have shape (3, 3), got {R.shape}')
    T = np.eye(4)
    T[:3, :3] = R
    T[:3, 3] = _check_vector3(t, 't')
    return T


def invert_transform(T):
    """
    Invert a rigid transform: ``T_a_b`` becomes ``T_b_a``.

    :param T: rigid homogeneous transform, shape (4, 4).
    :return: the inverse, shape (4, 4), computed as ``[R^T, -R^T t]``.
    :raises ValueError: for an invalid transform or a non-rigid rotation block.
    """
    T = _check_transform(T)
    R = _check_rotation(T[:3, :3], 'T[:3, :3]')
    T_inv = np.eye(4)
    T_inv[:3, :3] = R.T
    T_inv[:3, 3] = -R.T @ T[:3, 3]
    return T_inv


def transform_points(T, p):
    """
    Apply a homogeneous transform ``T_a_b`` to points expressed in frame ``b``.

    :param T: homogeneous transform, shape (4, 4), last row [0, 0, 0, 1].
    :param p: point(s) in frame ``b``, metres, shape (3,) or (N, 3) (any (..., 3) works).
    :return: the points in frame ``a``, same shape as ``p``.
    :raises ValueError: for an invalid ``T`` or ``p`` not of shape (..., 3).
    """
    T = _check_transform(T)
    p = _as_float_array(p, 'p')
    if p.ndim == 0 or p.shape[-1] != 3:
        raise ValueError(f'p must have shape (3,) or (N, 3), got {p.shape}')
    return p @ T[:3, :3].T + T[:3, 3]


def pose_to_matrix(position, quat_xyzw):
    """
    Convert a pose (position, quaternion) to a 4x4 homogeneous transform.

    :param position: translation in metres, shape (3,).
    :param quat_xyzw: orientation (x, y, z, w), shape (4,), normalised here.
    :return: homogeneous transform, shape (4, 4).
    :raises ValueError: for wrong shapes, non-finite values, or a zero quaternion.
    """
    q = _as_float_array(quat_xyzw, 'quat_xyzw')
    if q.shape != (4,):
        raise ValueError(f'quat_xyzw must have shape (4,), got {q.shape}')
    T = np.eye(4)
    T[:3, :3] = quat_xyzw_to_matrix(q)
    T[:3, 3] = _check_vector3(position, 'position')
    return T


def matrix_to_pose(T):
    """
    Convert a rigid 4x4 transform to a pose.

    :param T: homogeneous transform, shape (4, 4), with a rotation block.
    :return: ``(position, quat_xyzw)``: metres, shape (3,); quaternion (x, y, z, w) with
        ``w >= 0``, shape (4,).
    :raises ValueError: for an invalid transform or a non-rotation block.
    """
    T = _check_transform(T)
    return T[:3, 3].copy(), matrix_to_quat_xyzw(T[:3, :3])


def gripper_pose_to_tcp(T_world_gripper):
    """
    Convert a where2act gripper (``panda_hand``) pose to the Franka hand TCP pose.

    :param T_world_gripper: pose of the gripper frame in some frame "world", shape (4, 4).
    :return: ``T_world_tcp = T_world_gripper @ T_GRIPPER_TCP``: the same orientation, origin moved
        ``TCP_OFFSET_M`` along the gripper z (approach, ``up``) axis, shape (4, 4).
    :raises ValueError: for an invalid transform.
    """
    return _check_transform(T_world_gripper, 'T_world_gripper') @ T_GRIPPER_TCP


def tcp_pose_to_gripper(T_world_tcp):
    """
    Convert a Franka hand TCP pose back to the where2act gripper (``panda_hand``) pose.

    :param T_world_tcp: pose of ``panda_hand_tcp`` in some frame "world", shape (4, 4).
    :return: ``T_world_gripper``, origin moved ``TCP_OFFSET_M`` back along the approach axis.
    :raises ValueError: for an invalid transform.
    """
    T = _check_transform(T_world_tcp, 'T_world_tcp')
    return T @ invert_transform(T_GRIPPER_TCP)


def axis_angle_to_matrix(rotvec):
    """
    Convert a rotation vector (unit axis times angle in radians) to a rotation matrix (Rodrigues).

    :param rotvec: shape (3,); zero gives the identity.
    :return: rotation matrix, shape (3, 3).
    :raises ValueError: for a wrong shape or non-finite values.
    """
    r = _check_vector3(rotvec, 'rotvec')
    angle = float(np.linalg.norm(r))
    if angle < _ZERO_NORM:
        return np.eye(3)
    k = r / angle
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(angle) * K + (1.0 - math.cos(angle)) * K @ K


def _tcp_lever(R_gripper):
    """Vector from the gripper origin to the TCP, in the frame ``R_gripper`` is given in (m)."""
    return np.asarray(R_gripper, dtype=np.float64) @ T_GRIPPER_TCP[:3, 3]


def gripper_twist_to_tcp(linear, angular, R_gripper):
    """
    Convert the gripper (``panda_hand``) origin's twist to the TCP's.

    ``v_tcp = v_gripper + w x (R_gripper @ [0, 0, TCP_OFFSET_M])``; the angular velocity is the
    same for both points of the rigid hand.

    :param linear: gripper-origin linear velocity (m/s), shape (3,).
    :param angular: angular velocity (rad/s), same frame, shape (3,).
    :param R_gripper: gripper orientation in that frame, shape (3, 3).
    :return: ``(v_tcp (3,), angular (3,))``.
    """
    angular = _check_vector3(angular, 'angular')
    return (_check_vector3(linear, 'linear') + np.cross(angular, _tcp_lever(R_gripper)),
            angular.copy())


def tcp_twist_to_gripper(linear, angular, R_gripper):
    """
    Convert the TCP's twist to the gripper origin's (inverse of :func:`gripper_twist_to_tcp`).

    :param linear: TCP linear velocity (m/s), shape (3,).
    :param angular: angular velocity (rad/s), same frame, shape (3,).
    :param R_gripper: gripper (= TCP) orientation in that frame, shape (3, 3).
    :return: ``(v_gripper (3,), angular (3,))``.
    """
    angular = _check_vector3(angular, 'angular')
    return (_check_vector3(linear, 'linear') - np.cross(angular, _tcp_lever(R_gripper)),
            angular.copy())


# ----- poses: log/exp, distances, interpolation, the one rate limiter ---------------------------

def rotation_log(R):
    """
    Rotation vector (axis times angle, rad) of a rotation matrix.

    The inverse of :func:`axis_angle_to_matrix`.

    :param R: shape (3, 3).
    :return: shape (3,).
    """
    R = np.asarray(R, dtype=np.float64)
    cos = np.clip((np.trace(R) - 1.0) / 2.0, -1.0, 1.0)
    axis = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    if cos > -0.9:
        angle = float(np.arccos(cos))
        if angle < 1e-6:
            return np.zeros(3)
        return angle * axis / (2.0 * np.sin(angle))
    # Near a half turn the arccos of the trace loses digits and the antisymmetric part vanishes:
    # take the angle from both parts, and the axis k from the symmetric part, which is
    # (1 - cos) k k^T + cos I, signed like the antisymmetric part.
    angle = float(np.arctan2(np.linalg.norm(axis) / 2.0, cos))
    M = (R + R.T) / 2.0 - cos * np.eye(3)
    direction = M[:, np.argmax(np.linalg.norm(M, axis=0))]
    direction = direction / np.linalg.norm(direction)
    if direction @ axis < 0.0:
        direction = -direction
    return angle * direction


def rotation_angle(R_a, R_b):
    """
    Angle of the rotation between two orientations (rad, in [0, pi]).

    :param R_a: shape (3, 3).
    :param R_b: shape (3, 3).
    :return: the angle of ``R_a^T R_b``.
    """
    R = np.asarray(R_a, dtype=np.float64).T @ np.asarray(R_b, dtype=np.float64)
    cos = (np.trace(R) - 1.0) / 2.0
    if cos > -0.9:
        return float(np.arccos(min(cos, 1.0)))
    # Near a half turn: arccos of the trace alone loses digits (see rotation_log).
    sin = np.linalg.norm([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]]) / 2.0
    return float(np.arctan2(sin, cos))


def nearer_half_turn(R_goal, R_now):
    """
    Return whichever of ``R_goal`` and its half turn about its z axis is nearer ``R_now``.

    A gripper symmetric about its approach axis (the Franka Hand's two fingers, a suction cup)
    grasps alike in both; the nearer one spares the wrist up to half a turn, often one beyond
    the last joint's limits.

    :param R_goal: goal rotation (3, 3), z the approach axis.
    :param R_now: current rotation (3, 3).
    :return: (3, 3).
    """
    R_goal = np.asarray(R_goal, dtype=np.float64)
    flipped = R_goal @ np.diag([-1.0, -1.0, 1.0])
    if rotation_angle(flipped, R_now) < rotation_angle(R_goal, R_now):
        return flipped
    return R_goal


def quat_angle(q0, q1):
    """
    Return the rotation angle between two unit quaternions (x, y, z, w).

    :param q0: (4,) quaternion.
    :param q1: (4,) quaternion.
    :return: angle in [0, pi] (rad).
    """
    q0 = np.asarray(q0, dtype=np.float64) / np.linalg.norm(q0)
    q1 = np.asarray(q1, dtype=np.float64) / np.linalg.norm(q1)
    return 2.0 * math.acos(min(1.0, abs(float(q0 @ q1))))


def slerp(q0, q1, t):
    """
    Spherical linear interpolation between unit quaternions (x, y, z, w), the short way.

    :param q0: (4,) start quaternion.
    :param q1: (4,) end quaternion.
    :param t: fraction in [0, 1].
    :return: (4,) unit quaternion with ``w >= 0``.
    """
    q0 = np.asarray(q0, dtype=np.float64) / np.linalg.norm(q0)
    q1 = np.asarray(q1, dtype=np.float64) / np.linalg.norm(q1)
    dot = float(q0 @ q1)
    if dot < 0.0:
        q1, dot = -q1, -dot
    if dot > 1.0 - 1e-10:  # nearly equal: lerp is exact to rounding here
        q = q0 + t * (q1 - q0)
    else:
        theta = math.acos(dot)
        q = (math.sin((1.0 - t) * theta) * q0 + math.sin(t * theta) * q1) / math.sin(theta)
    q = q / np.linalg.norm(q)
    return -q if q[3] < 0.0 else q


def step_toward(position, quat_xyzw, target_position, target_quat_xyzw, max_step_m,
                max_step_rad):
    """
    Move a pose toward a target by at most a distance and an angle: the one pose rate limiter.

    Translation and rotation advance by the same fraction of the way, so the pose follows the
    straight line and the slerp arc together. ``robomamba_node``'s goal stream and the
    simulator's pose drive both move by it, so the simulated arm follows goals the way the node
    limits them for the robot.

    :param position: (3,) current position (m).
    :param quat_xyzw: (4,) current orientation.
    :param target_position: (3,) target position (m).
    :param target_quat_xyzw: (4,) target orientation.
    :param max_step_m: largest translation per step (m, > 0).
    :param max_step_rad: largest rotation per step (rad, > 0).
    :return: ``(position, quat_xyzw, reached)``; ``reached`` is True when the target was reached
        in this step (the returned pose is then exactly the target).
    """
    p0 = np.asarray(position, dtype=np.float64)
    p1 = np.asarray(target_position, dtype=np.float64)
    distance = float(np.linalg.norm(p1 - p0))
    angle = quat_angle(quat_xyzw, target_quat_xyzw)
    fraction = 1.0
    if distance > max_step_m:
        fraction = min(fraction, max_step_m / distance)
    if angle > max_step_rad:
        fraction = min(fraction, max_step_rad / angle)
    if fraction >= 1.0:
        q = np.asarray(target_quat_xyzw, dtype=np.float64)
        q = q / np.linalg.norm(q)
        return p1.copy(), (-q if q[3] < 0.0 else q), True
    return p0 + fraction * (p1 - p0), slerp(quat_xyzw, target_quat_xyzw, fraction), False


def step_transform_toward(T, T_target, max_step_m, max_step_rad):
    """
    :func:`step_toward` for 4x4 transforms.

    :param T: current pose, shape (4, 4).
    :param T_target: target pose, shape (4, 4).
    :param max_step_m: largest translation per step (m).
    :param max_step_rad: largest rotation per step (rad).
    :return: ``(T_new (4, 4), reached)``.
    """
    position, quat, reached = step_toward(*matrix_to_pose(T), *matrix_to_pose(T_target),
                                          max_step_m, max_step_rad)
    return (np.array(T_target, dtype=np.float64) if reached else
            pose_to_matrix(position, quat)), reached


def clip_norm(vector, limit):
    """
    Scale a vector down to a norm of at most ``limit`` (direction kept).

    :param vector: shape (n,).
    :param limit: largest norm (>= 0).
    :return: float array, shape (n,).
    """
    v = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    return v * (limit / norm) if norm > limit else v


def limit_twist(linear, angular, max_linear_mps, max_angular_radps):
    """
    Bound a twist: each component to ``[-max, max]``, then the vector's norm to ``max``.

    :param linear: linear velocity (m/s), shape (3,).
    :param angular: angular velocity (rad/s), shape (3,).
    :param max_linear_mps: linear bound (> 0).
    :param max_angular_radps: angular bound (> 0).
    :return: ``(linear (3,), angular (3,))`` within the bounds, same directions when only the
        norm was too large.
    """
    return (clip_norm(np.clip(np.asarray(linear, dtype=np.float64), -max_linear_mps,
                              max_linear_mps), max_linear_mps),
            clip_norm(np.clip(np.asarray(angular, dtype=np.float64), -max_angular_radps,
                              max_angular_radps), max_angular_radps))


def gripper_pose(point_m, up, forward, offset_m):
    """
    Hand base pose for a contact point and axes: origin ``p - offset * up``.

    :param point_m: contact point, shape (3,).
    :param up: approach axis, shape (3,).
    :param forward: forward axis, not parallel to up, shape (3,).
    :param offset_m: distance of the hand base from ``p`` against ``up``.
    :return: ``T_world_gripper``, shape (4, 4).
    """
    R = gripper_rotation(up, forward)
    return make_transform(R, np.asarray(point_m, dtype=np.float64) - offset_m * R[:, 2])


__all__ = [
    'TCP_OFFSET_M',
    'T_GRIPPER_TCP',
    'SurfaceNormal',
    'axis_angle_to_matrix',
    'clip_norm',
    'deproject',
    'estimate_surface_normal',
    'gripper_pose',
    'gripper_pose_to_tcp',
    'gripper_rotation',
    'gripper_twist_to_tcp',
    'intrinsics_from_fov',
    'nearer_half_turn',
    'invert_transform',
    'limit_twist',
    'make_transform',
    'matrix_to_pose',
    'matrix_to_quat_xyzw',
    'matrix_to_rot6d',
    'pose_to_matrix',
    'project',
    'quat_angle',
    'quat_xyzw_to_matrix',
    'robust_depth',
    'rot6d_to_matrix',
    'rotation_angle',
    'rotation_log',
    'sapien_to_ros_intrinsics',
    'slerp',
    'step_toward',
    'step_transform_toward',
    'tcp_pose_to_gripper',
    'tcp_twist_to_gripper',
    'transform_points',
    'validate_intrinsics',
]
