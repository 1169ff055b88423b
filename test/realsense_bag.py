# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Bags recorded as a lab records them, built with rosbags: a D435-like RealSense on a Franka.

The scene is a flat drawer front 0.8 m in front of the camera, facing it; the camera sits in
``panda_link0`` at (1.2, 0, 0.5) looking along -x, so the image centre is the point
(0.4, 0, 0.5) of the base frame. Frames come at 15 Hz with receive times jittered by a few
milliseconds, colour as ``bgr8`` with padded rows (or compressed), depth as ``16UC1`` or
``32FC1`` with holes (or compressedDepth), topics named as realsense2_camera 4.x names them
(``/camera/camera/...``) or as 3.x did (``/camera/...``). ``/tf_static`` holds the camera
mounting; ``/tf`` the TCP pose at 30 Hz (as franka_ros2's robot_state_publisher does).
"""

from image_transport_reference import encode_compressed_color, encode_compressed_depth
import numpy as np

from robomamba_ros.geometry import make_transform
from robomamba_ros.ros.bag import BagWriter
from robomamba_ros.ros.messages import encode_depth, make_camera_info, make_header, NS_PER_S
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped
from robomamba_ros.ros.type_source import RosbagsTypes

WIDTH, HEIGHT = 640, 480
K = np.array([[615.0, 0.0, 321.3], [0.0, 615.0, 240.2], [0.0, 0.0, 1.0]])
OPTICAL_FRAME = 'camera_color_optical_frame'
PLANE_DEPTH_M = 0.8
# Optical axes in panda_link0: x (right) = +y, y (down) = -z, z (forward) = -x.
R_BASE_CAMERA = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
CAMERA_POSITION = np.array([1.2, 0.0, 0.5])
TCP_POSITION = np.array([0.5, 0.0, 0.6])
TOPICS_4X = {'color': '/camera/camera/color/image_raw',
             'depth': '/camera/camera/aligned_depth_to_color/image_raw',
             'info': '/camera/camera/color/camera_info'}
TOPICS_3X = {k: v.replace('/camera/camera/', '/camera/') for k, v in TOPICS_4X.items()}


def scene_images(rng, hole_fraction):
    """Return ``(rgb, depth_m)`` of the drawer front: a dark handle bar on a light panel."""
    rgb = np.full((HEIGHT, WIDTH, 3), (200, 180, 150), dtype=np.uint8)
    rgb[230:250, 260:380] = (40, 40, 60)
    rgb[:, :40] = (255, 0, 0)  # a red strip on the left: channel order is visible
    depth = np.full((HEIGHT, WIDTH), PLANE_DEPTH_M, dtype=np.float64)
    holes = rng.random((HEIGHT, WIDTH)) < hole_fraction
    depth[holes] = np.nan
    return rgb, depth


def _color_message(types, rgb, stamp_ns, transport, encoding, pad):
    header = make_header(OPTICAL_FRAME, stamp_ns, types)
    if transport != 'raw':
        source = rgb if encoding != 'mono8' else rgb.mean(axis=2).astype(np.uint8)
        fmt, payload = encode_compressed_color(source, transport)
        return types.new('sensor_msgs/msg/CompressedImage', header=header, format=fmt,
                         data=types.uint8_array(np.frombuffer(payload, np.uint8)))
    pixels = {'bgr8': rgb[:, :, ::-1], 'rgb8': rgb,
              'mono8': rgb.mean(axis=2).astype(np.uint8)}[encoding]
    channels = 1 if pixels.ndim == 2 else 3
    step = WIDTH * channels + pad
    rows = np.zeros((HEIGHT, step), dtype=np.uint8)
    rows[:, :WIDTH * channels] = pixels.reshape(HEIGHT, -1)
    return types.new('sensor_msgs/msg/Image', header=header, height=HEIGHT, width=WIDTH,
                     encoding=encoding, is_bigendian=0, step=step,
                     data=types.uint8_array(rows.reshape(-1)))


def _depth_message(types, depth_m, stamp_ns, transport, encoding):
    header = make_header(OPTICAL_FRAME, stamp_ns, types)
    if transport != 'raw':
        fmt, payload = encode_compressed_depth(depth_m, encoding)
        return types.new('sensor_msgs/msg/CompressedImage', header=header, format=fmt,
                         data=types.uint8_array(np.frombuffer(payload, np.uint8)))
    raw = encode_depth(depth_m, encoding)
    return types.new('sensor_msgs/msg/Image', header=header, height=HEIGHT, width=WIDTH,
                     encoding=encoding, is_bigendian=0, step=WIDTH * raw.itemsize,
                     data=types.uint8_array(raw.view(np.uint8).reshape(-1)))


def write_realsense_bag(path, distro='humble', color='raw', color_encoding='bgr8', depth='raw',
                        depth_encoding='16UC1', names='4x', hole_fraction=0.03, seconds=2.0,
                        with_tcp=True, instruction=None, seed=0, pad=64):
    """
    Write a RealSense + Franka recording.

    :param path: bag directory to create.
    :param distro: rosbags typestore (``humble``/``jazzy``).
    :param color: ``'raw'``, ``'jpeg'`` or ``'png'`` (CompressedImage on ``.../compressed``).
    :param color_encoding: raw encoding (``bgr8``, ``rgb8``, ``mono8``).
    :param depth: ``'raw'`` or ``'compressedDepth'``.
    :param depth_encoding: ``'16UC1'`` or ``'32FC1'``.
    :param names: ``'4x'`` or ``'3x'`` realsense2_camera topic names.
    :param hole_fraction: share of depth pixels without a reading.
    :param seconds: recording length.
    :param with_tcp: record the TCP pose on ``/tf``.
    :param instruction: text recorded on ``/robomamba/instruction`` at the start, or None.
    :param seed: random seed (holes, jitter).
    :param pad: bytes of padding per raw colour row.
    :return: ``{'color': topic, 'depth': topic, 'info': topic}`` as recorded.
    """
    rng = np.random.default_rng(seed)
    types = RosbagsTypes(distro)
    topics = dict(TOPICS_4X if names == '4x' else TOPICS_3X)
    if color != 'raw':
        topics['color'] += '/compressed'
    if depth != 'raw':
        topics['depth'] += '/compressedDepth'
    t0 = 1_700_000_000 * NS_PER_S
    mount = make_transform(R_BASE_CAMERA, CAMERA_POSITION)
    tcp = make_transform(np.diag([1.0, -1.0, -1.0]), TCP_POSITION)
    with BagWriter(path, distro) as bag:
        bag.write('/tf_static', 'tf2_msgs/msg/TFMessage', t0, make_tf_message(
            [make_transform_stamped(mount, 'panda_link0', OPTICAL_FRAME, t0, types)], types))
        if instruction is not None:
            bag.write('/robomamba/instruction', 'std_msgs/msg/String', t0,
                      types.new('std_msgs/msg/String', data=instruction))
        events = [(t0 + int(k * NS_PER_S / 15), 'frame') for k in range(int(seconds * 15))]
        if with_tcp:
            events += [(t0 + int(k * NS_PER_S / 30), 'tcp') for k in range(int(seconds * 30))]
        for stamp_ns, kind in sorted(events):
            if kind == 'tcp':
                bag.write('/tf', 'tf2_msgs/msg/TFMessage', stamp_ns, make_tf_message(
                    [make_transform_stamped(tcp, 'panda_link0', 'panda_hand_tcp', stamp_ns,
                                            types)], types))
                continue
            rgb, depth_m = scene_images(rng, hole_fraction)
            jitter = rng.integers(1_000_000, 6_000_000, 3)  # receive 1-6 ms after the stamp
            bag.write(topics['color'], _color_type(color), stamp_ns + int(jitter[0]),
                      _color_message(types, rgb, stamp_ns, color, color_encoding, pad))
            bag.write(topics['depth'], _color_type(depth), stamp_ns + int(jitter[1]),
                      _depth_message(types, depth_m, stamp_ns, depth, depth_encoding))
            bag.write(topics['info'], 'sensor_msgs/msg/CameraInfo', stamp_ns + int(jitter[2]),
                      make_camera_info(K, WIDTH, HEIGHT, types, OPTICAL_FRAME, stamp_ns))
    return topics


def _color_type(transport):
    return 'sensor_msgs/msg/Image' if transport == 'raw' else 'sensor_msgs/msg/CompressedImage'


def handle_pose_source(rgb, depth_m, K_, instruction):
    """Point at the handle's centre pixel, approaching straight into the drawer front."""
    return (320.0, 240.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)


def base_point(p_cam):
    """Return a camera-frame point in panda_link0."""
    return R_BASE_CAMERA @ np.asarray(p_cam, float) + CAMERA_POSITION
