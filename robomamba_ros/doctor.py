# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Installation check: library versions, optional backends, and a real RGB-D → MCAP → 3D round trip.

The round trip exercises the same layers the nodes use: a synthetic RGB-D frame of a known plane
becomes ``sensor_msgs/Image`` and ``CameraInfo`` messages, passes through CDR into an MCAP bag,
is read back, and a pixel is lifted to 3D with the depth and intrinsics from the bag. The lifted
point must lie on the plane it came from.
"""

import importlib
import importlib.metadata
import importlib.util
import json
import math
import pathlib
import platform
import shutil
import subprocess
import sys

import numpy as np

from robomamba_ros import __version__, geometry
from robomamba_ros.ros import messages
from robomamba_ros.ros.bag import BagWriter, read_bag
from robomamba_ros.ros.type_source import RosbagsTypes

# (import name, distribution label, required for the CPU pipeline)
LIBRARIES = (
    ('numpy', 'numpy', True),
    ('torch', 'torch', True),
    ('transformers', 'transformers', True),
    ('safetensors', 'safetensors', True),
    ('rosbags', 'rosbags', True),
    ('cv2', 'opencv-python', True),
    ('yaml', 'pyyaml', True),
    ('sapien', 'sapien', False),
    ('mamba_ssm', 'mamba-ssm', False),
    ('causal_conv1d', 'causal-conv1d', False),
    ('open_clip', 'open_clip_torch', False),
    ('rclpy', 'rclpy (ROS 2)', False),
)

# Found but not imported: only the node bindings import rclpy.
_LOCATE_ONLY = ('rclpy',)

# A tiny offscreen picture in a child process: a missing or broken Vulkan driver can abort the
# process, which must not take the doctor down with it.
_RENDER_PROBE = """
import json, time
import sapien
t0 = time.perf_counter()
scene = sapien.Scene()
scene.add_ground(0.0)
camera = scene.add_camera('probe', 32, 32, 0.6, 0.1, 10.0)
camera.set_local_pose(sapien.Pose([-1.0, 0.0, 0.5]))
scene.update_render()
camera.take_picture()
position = camera.get_picture('Position')
print(json.dumps({'shape': list(position.shape), 'seconds': time.perf_counter() - t0}))
"""

# Synthetic scene for the round trip: a tilted plane n·p = d seen by a 64x48 camera.
_PLANE_NORMAL = np.array([0.1, -0.2, -1.0]) / np.linalg.norm([0.1, -0.2, -1.0])
_PLANE_OFFSET_M = -1.2
_IMAGE_SIZE = (64, 48)
_FOV_Y_RAD = math.radians(35.0)


def _version_of(module, distribution):
    version = getattr(module, '__version__', None)
    if version is None:
        try:
            version = importlib.metadata.version(distribution.split(' ')[0])
        except importlib.metadata.PackageNotFoundError:
            version = 'unknown'
    return str(version)


def library_versions():
    """
    Import each library of the stack and record its version or why it is missing.

    :return: ``{import name: {'version', 'ok', 'required', 'error'?}}``.
    """
    report = {}
    for module_name, label, required in LIBRARIES:
        entry = {'package': label, 'required': required}
        try:
            if module_name in _LOCATE_ONLY:
                if importlib.util.find_spec(module_name) is None:
                    raise ModuleNotFoundError(f'No module named {module_name!r}')
                module = None
            else:
                module = importlib.import_module(module_name)
            entry.update(ok=True, version=_version_of(module, label))
        except Exception as exc:  # a broken install can raise anything on import
            entry.update(ok=False, version=None, error=f'{type(exc).__name__}: {exc}')
        report[module_name] = entry
    return report


def cuda_status():
    """
    Report whether torch sees a CUDA device.

    :return: ``{'available': bool, 'device': name or None}``.
    """
    try:
        import torch
    except ImportError:
        return {'available': False, 'device': None}
    available = bool(torch.cuda.is_available())
    return {'available': available,
            'device': torch.cuda.get_device_name(0) if available else None}


def render_status(timeout_s=180.0):
    """
    Take one small SAPIEN picture in a child process.

    :param timeout_s: how long the child may take (the first picture compiles shaders).
    :return: ``{'ok': bool, 'seconds'?: float, 'error'?: str}``.
    """
    try:
        result = subprocess.run([sys.executable, '-c', _RENDER_PROBE], capture_output=True,
                                text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {'ok': False, 'error': f'no picture within {timeout_s:.0f} s'}
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return {'ok': False, 'error': ' | '.join(tail) or f'exit status {result.returncode}'}
    info = json.loads(result.stdout.strip().splitlines()[-1])
    return {'ok': info['shape'] == [32, 32, 4], 'seconds': round(info['seconds'], 3)}


def _synthetic_frame():
    width, height = _IMAGE_SIZE
    K = geometry.intrinsics_from_fov(width, height, _FOV_Y_RAD)
    u, v = np.meshgrid(np.arange(width), np.arange(height))
    rays = np.stack([(u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1], np.ones(u.shape)], -1)
    depth_m = _PLANE_OFFSET_M / (rays @ _PLANE_NORMAL)
    depth_mm = np.round(depth_m * 1000.0).astype(np.uint16)
    depth_mm[:4, :4] = 0  # a corner with no reading, as real sensors have
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0] = (255 * u / (width - 1)).astype(np.uint8)
    rgb[..., 1] = (255 * v / (height - 1)).astype(np.uint8)
    return rgb, depth_mm, K


def rgbd_bag_round_trip(out_dir, distro='humble'):
    """
    Write a synthetic RGB-D frame as ROS 2 messages to MCAP, read it back, lift pixels to 3D.

    :param out_dir: folder for the bag (``rgbd.mcap/`` inside it is replaced).
    :param distro: typestore used for the messages and the bag.
    :return: a report with the bag path, topics, and the worst distance (m) of a lifted point
        from the plane, and ``ok``.
    """
    types = RosbagsTypes(distro)
    rgb, depth_mm, K = _synthetic_frame()
    height, width = depth_mm.shape
    stamp_ns = 1_700_000_000_123_456_789
    frame = 'camera_color_optical_frame'
    outgoing = [
        ('/camera/camera/color/image_raw', 'sensor_msgs/msg/Image',
         messages.numpy_to_image(rgb, 'rgb8', types, stamp_ns, frame)),
        ('/camera/camera/aligned_depth_to_color/image_raw', 'sensor_msgs/msg/Image',
         messages.numpy_to_image(depth_mm, '16UC1', types, stamp_ns, frame)),
        ('/camera/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo',
         messages.make_camera_info(K, width, height, types, frame, stamp_ns)),
    ]
    bag_path = pathlib.Path(out_dir) / 'rgbd.mcap'
    if bag_path.exists():
        shutil.rmtree(bag_path)
    with BagWriter(bag_path, distro=distro) as bag:
        for topic, type_name, msg in outgoing:
            bag.write(topic, type_name, stamp_ns, msg)
    received = {m.topic: m.msg for m in read_bag(bag_path)}

    color = messages.image_to_rgb(received['/camera/camera/color/image_raw'])
    depth = messages.depth_image_to_m(received['/camera/camera/aligned_depth_to_color/image_raw'])
    intrinsics = messages.camera_info_to_intrinsics(received['/camera/camera/color/camera_info'])
    pixels = [(width // 2, height // 2), (5, 6), (width - 1, height - 1), (1, 1)]
    worst_m = 0.0
    lifted = []
    for u, v in pixels:
        z = geometry.robust_depth(depth, u, v, window=3)
        if z is None:
            lifted.append(None)
            continue
        point = geometry.deproject(u, v, z, intrinsics.K)
        worst_m = max(worst_m, abs(float(point @ _PLANE_NORMAL) - _PLANE_OFFSET_M))
        lifted.append([round(float(c), 5) for c in point])
    # (1, 1) sits in the corner without readings: it must come back as "no depth", not a point.
    ok = (np.array_equal(color, rgb) and lifted[-1] is None and None not in lifted[:-1]
          and worst_m < 2e-3 and intrinsics.frame_id == frame)
    return {
        'ok': bool(ok),
        'bag': str(bag_path),
        'distro': distro,
        'topics': sorted(received),
        'pixels': [list(p) for p in pixels],
        'points_m': lifted,
        'max_plane_error_m': worst_m,
    }


def run_doctor(out_dir, check_render=True):
    """
    Run every check, print a summary, and write ``doctor.json``.

    :param out_dir: output folder (created).
    :param check_render: also take a SAPIEN picture (needs a Vulkan device).
    :return: 0 when every required piece works, 1 otherwise.
    """
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        'robomamba_ros': __version__,
        'python': platform.python_version(),
        'platform': platform.platform(),
        'libraries': library_versions(),
        'cuda': cuda_status(),
    }
    if check_render and report['libraries']['sapien']['ok']:
        report['render'] = render_status()
    report['round_trip'] = rgbd_bag_round_trip(out)
    missing = [name for name, e in report['libraries'].items() if e['required'] and not e['ok']]
    report['ok'] = not missing and report['round_trip']['ok']
    (out / 'doctor.json').write_text(json.dumps(report, indent=2) + '\n', encoding='utf-8')

    print(f"robomamba_ros {__version__} on Python {report['python']}")
    for name, entry in report['libraries'].items():
        state = entry['version'] if entry['ok'] else 'missing'
        kind = 'required' if entry['required'] else 'optional'
        print(f"  {entry['package']:<18} {state:<24} ({kind})")
    cuda = report['cuda']
    print(f"  {'CUDA':<18} {cuda['device'] if cuda['available'] else 'not available'}")
    if 'render' in report:
        render = report['render']
        state = f"ok ({render['seconds']} s)" if render['ok'] else f"failed: {render['error']}"
        print(f"  {'SAPIEN rendering':<18} {state}")
    trip = report['round_trip']
    print(f"RGB-D → MCAP → 3D round trip: {'ok' if trip['ok'] else 'FAILED'}, "
          f"max plane error {trip['max_plane_error_m'] * 1000:.2f} mm, bag {trip['bag']}")
    if missing:
        print('missing required libraries: ' + ', '.join(missing))
    print(f"report: {out / 'doctor.json'}")
    return 0 if report['ok'] else 1


__all__ = ['library_versions', 'cuda_status', 'render_status', 'rgbd_bag_round_trip',
           'run_doctor']
