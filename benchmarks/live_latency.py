# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
robomamba_node over Fast DDS against the same core in-process: camera frame -> contact pose.

Live: ``robomamba_node`` runs as its own process (continuous mode, the robot base = the camera
frame so no TF is needed); this script publishes a colour image, an aligned 16UC1 depth image
and the CameraInfo with one stamp and times until the contact pose for that stamp arrives, then
until the first arm goal after it. In-process: the same core class, built from the same
parameters, gets the same three messages (rclpy objects) through its callbacks and one
inference tick. Both use the shipped ``robomamba-sapien-tiny``. Medians over ``--frames``
predictions after ``--warmup``; the last line is ``live / in-process latency ratio: <x>``.

With ``--episodes N`` it also times whole simulated episodes: ``robomamba-ros launch`` (three
processes, shipped models) against ``robomamba-ros demo`` (the same three cores in one process,
same scenes), and prints the live real-time factor and ``live / in-process episode time
ratio: <x>``.

Needs rclpy (a sourced ROS 2, or ``ROBOMAMBA_ROS=1 scripts/setup.sh``).
Usage: ``python benchmarks/live_latency.py [--size 336x336] [--frames 20] [--episodes 2]
[--json out.json]``
"""

import argparse
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

FRAME = 'camera'
PARAMETERS = {
    'base_frame': FRAME, 'ee_frame': FRAME, 'max_approach_angle_deg': 180.0,
    'max_surface_angle_deg': 180.0,
    'workspace_min': [-100.0, -100.0, -100.0], 'workspace_max': [100.0, 100.0, 100.0],
    'continuous_rate_hz': 100.0, 'max_frame_age_s': 5.0,
}


def _frame(size):
    rng = np.random.default_rng(0)
    w, h = size
    rgb = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    depth = np.full((h, w), 1000, dtype=np.uint16)
    f = 0.9 * w
    K = np.array([[f, 0.0, (w - 1) / 2], [0.0, f, (h - 1) / 2], [0.0, 0.0, 1.0]])
    return rgb, depth, K


def _messages(types, rgb, depth, K, stamp_ns):
    from robomamba_ros.ros import messages

    h, w = depth.shape
    return (messages.numpy_to_image(rgb, 'rgb8', types, stamp_ns, FRAME),
            messages.numpy_to_image(depth, '16UC1', types, stamp_ns, FRAME),
            messages.make_camera_info(K, w, h, types, FRAME, stamp_ns))


def in_process_ms(size, frames, warmup):
    """Median ms from the three camera callbacks to the contact pose, core called directly."""
    from robomamba_ros.nodes.core import NodeContext
    from robomamba_ros.nodes.parameters import load_parameters
    from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters
    from robomamba_ros.ros import messages
    from robomamba_ros.ros.type_source import RclpyTypes

    types = RclpyTypes()
    params = load_parameters(RoboMambaNodeParameters, 'robomamba_node', [], PARAMETERS)
    core = RoboMambaNodeCore(params, NodeContext(types))
    rgb, depth, K = _frame(size)
    now = time.time_ns()
    core.on_instruction(messages.make_string('Pull open the door.', types), now)
    times = []
    for i in range(warmup + frames):
        now = time.time_ns()
        image, depth_msg, info = _messages(types, rgb, depth, K, now)
        start = time.perf_counter()
        core.on_image(image, now)
        core.on_depth(depth_msg, now)
        core.on_camera_info(info, now)
        outputs = core.on_infer(now + 1)
        elapsed = time.perf_counter() - start
        assert any(name == 'contact_pose' for name, _ in outputs), outputs
        if i >= warmup:
            times.append(1e3 * elapsed)
        core._next_continuous_ns = 0  # the next frame is predicted at once
    return statistics.median(times)


def live_ms(size, frames, warmup, log_dir):
    """Median ms frame published -> contact pose / first goal received, over DDS."""
    import rclpy
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

    from robomamba_ros.ros import messages
    from robomamba_ros.ros.type_source import RclpyTypes

    env = dict(os.environ, ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST', HF_HUB_OFFLINE='1')
    env.setdefault('ROS_DOMAIN_ID', str(1 + os.getpid() % 100))
    os.environ.update(env)
    args = [str(pathlib.Path(sys.executable).parent / 'robomamba_node'), '--ros-args']
    for key, value in PARAMETERS.items():
        value = '[' + ','.join(map(str, value)) + ']' if isinstance(value, list) else value
        args += ['-p', f'{key}:={value}']
    log = open(pathlib.Path(log_dir) / 'robomamba_node.log', 'w', encoding='utf-8')
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    rclpy.init()
    node = rclpy.create_node('live_latency')
    types = RclpyTypes()
    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
    from geometry_msgs.msg import PoseStamped
    from sensor_msgs.msg import CameraInfo, Image
    from std_msgs.msg import String

    pubs = (node.create_publisher(Image, '/camera/camera/color/image_raw', reliable),
            node.create_publisher(Image, '/camera/camera/aligned_depth_to_color/image_raw',
                                  reliable),
            node.create_publisher(CameraInfo, '/camera/camera/color/camera_info', reliable))
    arrivals = {'contact': [], 'goal': []}
    node.create_subscription(PoseStamped, '/robomamba_node/contact_pose',
                             lambda msg: arrivals['contact'].append(time.perf_counter()),
                             reliable)
    node.create_subscription(PoseStamped, '/robomamba/goal_pose',
                             lambda msg: arrivals['goal'].append(time.perf_counter()), reliable)
    instruction = node.create_publisher(String, '/robomamba/instruction', latched)
    instruction.publish(messages.make_string('Pull open the door.', types))
    rgb, depth, K = _frame(size)
    contact_ms, goal_ms = [], []
    try:
        # Until the node has loaded its model, frames go unanswered: wait for a first pose.
        deadline = time.monotonic() + 60.0
        while not arrivals['contact'] and time.monotonic() < deadline:
            stamp = node.get_clock().now().nanoseconds
            for pub, msg in zip(pubs, _messages(types, rgb, depth, K, stamp)):
                pub.publish(msg)
            end = time.monotonic() + 0.2
            while time.monotonic() < end:
                rclpy.spin_once(node, timeout_sec=0.01)
        deadline = time.monotonic() + 120.0
        i = dropped = 0
        while i < warmup + frames:
            stamp = node.get_clock().now().nanoseconds
            for pub, msg in zip(pubs, _messages(types, rgb, depth, K, stamp)):
                pub.publish(msg)
            sent = time.perf_counter()
            goals_before, contacts_before = len(arrivals['goal']), len(arrivals['contact'])
            answer_by = time.monotonic() + 2.0
            while len(arrivals['contact']) == contacts_before and time.monotonic() < answer_by:
                rclpy.spin_once(node, timeout_sec=0.005)
            if len(arrivals['contact']) == contacts_before:
                # Best-effort camera subscriptions may drop a large image: send another frame.
                dropped += 1
                if time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError('no contact pose:\n' +
                                       pathlib.Path(log.name).read_text()[-3000:])
                continue
            contact = arrivals['contact'][contacts_before]
            # The goal stream ticks at goal_rate_hz: its next goal steps toward the new target.
            while not (arrivals['goal'] and arrivals['goal'][-1] > contact) and \
                    time.monotonic() < deadline:
                rclpy.spin_once(node, timeout_sec=0.005)
            goal = next(t for t in arrivals['goal'][goals_before:] if t > contact)
            if i >= warmup:
                contact_ms.append(1e3 * (contact - sent))
                goal_ms.append(1e3 * (goal - sent))
            i += 1
            end = time.monotonic() + 0.1  # let the goal stream settle
            while time.monotonic() < end:
                rclpy.spin_once(node, timeout_sec=0.005)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        log.close()
    return statistics.median(contact_ms), statistics.median(goal_ms), dropped


def live_episodes(episodes, log_dir):
    """Run ``episodes`` live episodes; return wall seconds per episode and the real-time factor."""
    import rclpy
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from rosgraph_msgs.msg import Clock
    from std_msgs.msg import String
    from std_srvs.srv import Trigger

    env = dict(os.environ, ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST', HF_HUB_OFFLINE='1')
    env.setdefault('ROS_DOMAIN_ID', str(1 + os.getpid() % 100))
    os.environ.update(env)
    log = open(pathlib.Path(log_dir) / 'launch.log', 'w', encoding='utf-8')
    launch = subprocess.Popen([str(pathlib.Path(sys.executable).parent / 'robomamba-ros'),
                               'launch'], stdout=log, stderr=subprocess.STDOUT, env=env,
                              start_new_session=True)
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node('live_episodes')
    results, clock = [], []
    node.create_subscription(String, '/sapien_bridge/result',
                             lambda m: results.append(time.perf_counter()),
                             QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
    node.create_subscription(
        Clock, '/clock',
        lambda m: clock.append((time.perf_counter(), m.clock.sec + 1e-9 * m.clock.nanosec)),
        QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT))
    reset = node.create_client(Trigger, '/sapien_bridge/reset')
    walls, factors = [], []
    try:
        for k in range(episodes):
            if k:
                future = reset.call_async(Trigger.Request())
                rclpy.spin_until_future_complete(node, future, timeout_sec=10.0)
            start, first = time.perf_counter(), len(clock)
            deadline = time.monotonic() + 300.0
            while len(results) <= k and time.monotonic() < deadline:
                rclpy.spin_once(node, timeout_sec=0.05)
            if len(results) <= k:
                raise RuntimeError(f'live episode {k} gave no result; see {log.name}')
            walls.append(results[k] - start)
            ticks = clock[first:]
            if len(ticks) > 1:
                factors.append((ticks[-1][1] - ticks[0][1]) / (ticks[-1][0] - ticks[0][0]))
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        os.killpg(launch.pid, signal.SIGINT)
        launch.wait(timeout=30)
        log.close()
    return walls, statistics.median(factors)


def in_process_episodes(episodes, out_dir):
    """Wall seconds per episode of ``robomamba-ros demo`` on the same scenes (shipped models)."""
    from robomamba_ros.nodes.demo import run_demo
    from robomamba_ros.package_files import DEFAULT_DMM, DEFAULT_ROBOMAMBA, shipped_model

    summary = run_demo(episodes=episodes, policy=str(shipped_model(DEFAULT_ROBOMAMBA)),
                       dmm_model=str(shipped_model(DEFAULT_DMM)), out=out_dir, progress=False)
    return [r['wall_s'] for r in summary['episodes']]


def main(argv=None):
    """Run both measurements and print the ratio line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size', default='336x336', help='camera image WxH (e.g. 640x480)')
    parser.add_argument('--frames', type=int, default=20, help='timed predictions (median)')
    parser.add_argument('--warmup', type=int, default=3, help='untimed predictions first')
    parser.add_argument('--episodes', type=int, default=0,
                        help='also time this many simulated episodes, live and in-process')
    parser.add_argument('--json', help='write the numbers to this JSON file')
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split('x'))
    os.environ['HF_HUB_OFFLINE'] = '1'
    with tempfile.TemporaryDirectory() as log_dir:
        live_contact, live_goal, dropped = live_ms(size, args.frames, args.warmup, log_dir)
    local = in_process_ms(size, args.frames, args.warmup)
    print(f'image {size[0]}x{size[1]}, {args.frames} predictions after {args.warmup} warm-up')
    print(f'  in-process: camera callbacks -> contact pose {local:.1f} ms')
    print(f'  live: frame published -> contact pose received {live_contact:.1f} ms, '
          f'-> first arm goal toward it {live_goal:.1f} ms ({dropped} frames unanswered within '
          '2 s and sent again)')
    print(f'live / in-process latency ratio: {live_contact / local:.2f}')
    results = {'size': size, 'in_process_ms': local, 'live_contact_ms': live_contact,
               'live_goal_ms': live_goal, 'unanswered_frames': dropped,
               'ratio': live_contact / local}
    if args.episodes:
        with tempfile.TemporaryDirectory() as work:
            walls, factor = live_episodes(args.episodes, work)
            local_walls = in_process_episodes(args.episodes, os.path.join(work, 'demo'))
        live_s, local_s = statistics.median(walls), statistics.median(local_walls)
        print(f'{args.episodes} episodes: live {live_s:.1f} s per episode (real-time factor '
              f'{factor:.2f}), in-process demo {local_s:.1f} s')
        print(f'live / in-process episode time ratio: {live_s / local_s:.2f}')
        results.update(live_episode_s=walls, in_process_episode_s=local_walls,
                       real_time_factor=factor, episode_ratio=live_s / local_s)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
