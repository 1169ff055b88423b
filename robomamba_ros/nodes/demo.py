# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros demo``: the three node cores on the SAPIEN bridge, in one process, without ROS.

``sapien_bridge`` renders the scene and publishes what a RealSense and a Franka would;
``robomamba_node`` turns the instruction and the RGB-D frame into a contact pose and an arm goal;
``dmm_node`` drives the hand from the pre-grasp pose to the contact, closes the suction and pulls.
They exchange real ROS 2 messages (rosbags typestore, CDR on every hop) through
:class:`~robomamba_ros.nodes.in_process.InProcessGraph`, read the same ``config/*.yaml`` as the
launch file, and every topic is recorded to an MCAP bag. Writes ``results.json``, ``frames.png``,
``success.png`` and the bag under ``--out`` and prints a success table and the bag's size.

The bag records every message published in the graph, at the rate it was published: nothing is
throttled or dropped. The camera topics (colour, aligned depth, camera info and the camera's
``/tf``) come at the bridge's ``camera_rate_hz`` (``config/sim.yaml``: 10 Hz, ``demo
--camera-rate-hz``), the state topics at its ``control_rate_hz`` (100 Hz); depth is ``16UC1``
millimetres as a RealSense publishes it. The MCAP chunks are zstd-compressed (see
:mod:`robomamba_ros.ros.bag`). The bag's ``custom_data`` and ``results.json`` (``recording``)
say so.

``results.json`` holds every episode's record (the bridge's result, the number of predictions,
the predicted contact pixel and whether robomamba_node accepted the goal, the wall time and the
stage timings of its prediction), the success rate, the simulated and wall time, the median
wall-clock milliseconds per robomamba_node stage (``latency_ms``, see
:meth:`~robomamba_ros.nodes.robomamba_node.RoboMambaNodeCore.latency_medians_ms`; the pose
source is timed as a whole), the bag's topics, size and chunk compression, and the figures'
sizes. ``frames.png`` shows each episode's debug image with a caption built from its record
(:func:`~robomamba_ros.sim.figures.episode_caption`); ``success.png`` the success per category.
"""

import json
from pathlib import Path
import shutil
import time

import numpy as np

from robomamba_ros.nodes.config_files import node_parameters
from robomamba_ros.nodes.dmm_node import DMMNodeCore, DMMNodeParameters
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.launch_plan import SIM_DEPLOYMENTS
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters
from robomamba_ros.nodes.sapien_bridge import SapienBridgeCore, SapienBridgeParameters
from robomamba_ros.ros.messages import image_to_rgb

RESULTS_FILE = 'results.json'
FRAMES_FILE = 'frames.png'
SUCCESS_FILE = 'success.png'
#: With the Panda: per episode, the arm and the object seen from the side when the gripper first
#: held the part (else at the end).
ARM_FRAMES_FILE = 'arm_frames.png'
BAG_DIR = 'bag'
#: What the demo bag holds, as recorded in its ``custom_data`` and in ``results.json``.
RECORDING = 'every message published in the graph, at its publication rate (none throttled)'
#: Prefix of the demo's keys in the bag's ``custom_data``.
CUSTOM_DATA_PREFIX = 'robomamba_ros.'
#: Simulated seconds the driver advances between checks for the episode result.
_POLL_S = 0.25


class SimPolicySource:
    """
    A simulator policy as robomamba_node's pose source, told about each new bridge episode.

    The built-in baselines (``heuristic``, ``oracle``, ...) read privileged scene facts through
    ``reset(PolicyContext)``; a model folder ignores them.

    :param policy: a policy callable from :func:`robomamba_ros.sim.policies.load_policy`.
    :param bridge: the :class:`SapienBridgeCore` whose episodes it acts in.
    """

    def __init__(self, policy, bridge):
        self.policy, self.bridge = policy, bridge
        self._episode = None
        #: Number of calls so far, and the contact pixel ``(u, v)`` of the latest call.
        self.calls = 0
        self.last_pixel_uv = None

    def __call__(self, rgb, depth, K, instruction):
        """Run the policy on a frame, resetting it first when the bridge started an episode."""
        episode = self.bridge.episode
        if episode is not self._episode and hasattr(self.policy, 'reset'):
            from robomamba_ros.sim.episode import episode_rng
            from robomamba_ros.sim.policies import PolicyContext

            rng = episode_rng(episode.category, episode.seed, 'policy')
            p = self.bridge.params
            gripper = 'fingers' if (p.robot, p.gripper) == ('panda', 'fingers') else 'suction'
            self.policy.reset(PolicyContext(episode=episode, observation=self.bridge.observation,
                                            rng=rng, gripper=gripper,
                                            grasp=getattr(self.bridge.runner, 'grasp', None)))
        self._episode = episode
        self.calls += 1
        self.last_pixel_uv = None
        output = self.policy(rgb, depth, K, instruction)
        try:
            self.last_pixel_uv = [float(x) for x in np.asarray(output[0], float).reshape(2)]
        except (TypeError, ValueError, IndexError):
            pass  # robomamba_node refuses such an output and says why
        return output


def _fresh_bag_path(out):
    bag = out / BAG_DIR
    if bag.exists():
        if not (bag / 'metadata.yaml').is_file():
            raise FileExistsError(f'{bag} exists and is not a bag written by a previous demo; '
                                  'choose another --out')
        shutil.rmtree(bag)
    return bag


def _goal_outcome(counter, accepted_before, refused_before):
    """Say what robomamba_node did with the episode's predictions (its refusal counter)."""
    if counter.accepted > accepted_before:
        return 'accepted'
    if counter.total > refused_before:
        return f'refused ({counter.last_reason})'
    return 'none'


def write_figures(records, frames, out, title='', arm_frames=()):
    """
    Write ``frames.png`` (one captioned tile per episode), ``success.png``, ``arm_frames.png``.

    ``arm_frames.png`` only when arm frames are given.

    :param records: the episode records (see :func:`~robomamba_ros.sim.figures.episode_caption`).
    :param frames: per record, the RGB image of its tile (the debug image of its prediction).
    :param out: output folder.
    :param title: title of the success chart.
    :param arm_frames: per record, a side view of the arm (:data:`ARM_FRAMES_FILE`), or none.
    :return: ``{file name: path}`` of the files written.
    """
    from robomamba_ros.sim import figures

    written = {}
    captions = [figures.episode_caption(r) for r in records]
    successes = [bool(r['success']) for r in records]
    for name, images in ((FRAMES_FILE, frames), (ARM_FRAMES_FILE, arm_frames)):
        path = figures.caption_grid(images, captions, successes, out / name) if images else None
        if path:
            written[name] = path
    path = figures.success_bar_chart(records, out / SUCCESS_FILE,
                                     title=title or 'Demo success per category')
    if path:
        written[SUCCESS_FILE] = path
    return written


def success_table(records):
    """
    Return the per-category success table as text.

    :param records: episode result records (``category``, ``success``).
    """
    lines = [f'{"category":<16} {"episodes":>8} {"success":>8} {"rate":>7}']
    categories = sorted({r['category'] for r in records})
    for name in categories + ['all']:
        mine = [r for r in records if name in ('all', r['category'])]
        wins = sum(bool(r['success']) for r in mine)
        lines.append(f'{name:<16} {len(mine):>8} {wins:>8} {100.0 * wins / len(mine):6.1f}%')
    return '\n'.join(lines)


def run_demo(episodes=2, policy='heuristic', dmm_model='', out='robomamba_out/demo',
             categories=None, seed=0, distro='humble', episode_timeout_s=None,
             camera_rate_hz=None, robot='flying_hand', gripper='fingers', camera='tripod',
             camera_distance_m=None, suite='v1', progress=True):
    """
    Run the pipeline for some episodes and write the bag, results and frames.

    :param episodes: number of episodes (scenes taken in the bridge's order).
    :param policy: pose source: a built-in policy name or a RoboMamba model folder.
    :param dmm_model: DMM/DT model folder for dmm_node; empty runs its scripted executor.
    :param out: output folder.
    :param categories: object categories of the suite (default: its seen ones).
    :param seed: evaluation seed (scene seeds as ``robomamba-ros eval`` draws them).
    :param distro: message typestore of the bag, ``'humble'`` or ``'jazzy'``.
    :param episode_timeout_s: simulated-time limit per episode (default: the bridge's).
    :param camera_rate_hz: the bridge's camera rate (default: ``sim.yaml``'s). Re-rendering the
        moving part at every camera tick is the largest cost of an episode after the first;
        robomamba_node predicts once per episode from the first frame. The bag records every
        camera frame published at this rate.
    :param robot: the simulated robot, ``'flying_hand'`` or ``'panda'``; it chooses the
        deployment files as the launch does (the Panda: the nodes read ``franka.yaml``).
    :param gripper: the Panda's gripper, ``'fingers'`` or ``'suction'``.
    :param camera: the camera mount, ``'tripod'`` or (the Panda only) ``'wrist'``.
    :param camera_distance_m: the tripod's ``(low, high)`` distance from the object in metres
        (default: the protocol's, see the bridge's ``camera_distance_m``).
    :param suite: ``'v1'`` or ``'v2'`` (objects with several parts, the instruction naming
        one; the flying hand only).
    :param progress: show a progress bar.
    :return: the results dict (also written to ``results.json``).
    """
    from tqdm import tqdm

    from robomamba_ros.ros.bag import bag_size_bytes, bag_topics, mcap_chunk_compression
    from robomamba_ros.sim.policies import load_policy

    if episodes < 1:
        raise ValueError(f'episodes must be >= 1, got {episodes!r}')
    if robot not in SIM_DEPLOYMENTS:
        raise ValueError(f'robot must be one of {", ".join(SIM_DEPLOYMENTS)}, got {robot!r}')
    if camera == 'wrist' and robot != 'panda':
        raise ValueError('the wrist camera needs --robot panda (the flying hand has no wrist)')
    if suite == 'v2' and robot != 'flying_hand':
        raise ValueError('suite v2 runs with the flying hand')
    bridge_files, node_files = SIM_DEPLOYMENTS[robot]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bag = _fresh_bag_path(out)
    # One simulated clock for all cores: the bridge ticks at its control period.
    bridge_overrides = {'categories': tuple(categories or ('seen',)), 'seed': int(seed),
                        'suite': suite,
                        'autostart': False, 'auto_reset': False, 'real_time_factor': 1.0,
                        'gripper': gripper, 'camera_mount': camera}
    if episode_timeout_s is not None:
        bridge_overrides['episode_timeout_s'] = float(episode_timeout_s)
    if camera_rate_hz is not None:
        bridge_overrides['camera_rate_hz'] = float(camera_rate_hz)
    if camera_distance_m is not None:
        bridge_overrides['camera_distance_m'] = tuple(float(x) for x in camera_distance_m)
    dmm_overrides = {'executor': 'model', 'model_path': str(dmm_model)} if dmm_model else \
        {'executor': 'scripted'}
    if robot == 'panda' and gripper == 'suction':  # franka.yaml's grasp is the Franka Hand's
        defaults = DMMNodeParameters()
        dmm_overrides.update(grasp_depth_m=defaults.grasp_depth_m,
                             grasp_tolerance_m=defaults.grasp_tolerance_m)
    records, frames, arm_frames = [], [], []
    start = time.perf_counter()
    with InProcessGraph(distro, record=bag) as graph:
        bridge = graph.add(SapienBridgeCore, node_parameters(
            SapienBridgeParameters, 'sapien_bridge', None, bridge_files, bridge_overrides))
        source = SimPolicySource(load_policy(policy), bridge)
        node = graph.add(RoboMambaNodeCore, node_parameters(
            RoboMambaNodeParameters, 'robomamba_node', 'robomamba.yaml', node_files),
            pose_source=source)
        graph.add(DMMNodeCore, node_parameters(
            DMMNodeParameters, 'dmm_node', 'dmm.yaml', node_files, dmm_overrides))
        recording = {'note': RECORDING, 'throttled': False,
                     'camera_rate_hz': bridge.params.camera_rate_hz,
                     'control_rate_hz': bridge.params.control_rate_hz,
                     'depth_encoding': bridge.params.depth_encoding,
                     'compression': graph.recorder.compression}
        for key, value in recording.items():
            graph.recorder.set_custom_data(CUSTOM_DATA_PREFIX + 'demo.' + key, value)
        results = graph.tap('/sapien_bridge/result')
        debug = graph.tap('/robomamba_node/debug_image')
        limit_s = 2.0 * bridge.params.episode_timeout_s + 5.0
        for k in tqdm(range(episodes), desc='demo', unit='episode', disable=not progress):
            seen_debug = len(debug)
            seen_calls = source.calls
            accepted, refused = node.counter.accepted, node.counter.total
            last_timing = node.timings[-1] if node.timings else None
            episode_start = time.perf_counter()
            response = graph.call_service('/sapien_bridge/reset')
            if not response.get('success'):
                raise RuntimeError(f'sapien_bridge could not start episode {k}: '
                                   f'{response.get("message")}')
            waited, arm_frame = 0.0, None
            while len(results) <= k and waited < limit_s:
                graph.advance(_POLL_S)
                waited += _POLL_S
                if robot == 'panda' and arm_frame is None and bridge.runner.holding:
                    arm_frame = bridge.runner.witness_picture().rgb
            if len(results) <= k:
                raise RuntimeError(f'episode {k} produced no result within {limit_s:.0f} s of '
                                   'simulated time')
            record = json.loads(results[k][1].data)
            record['predictions'] = len(debug) - seen_debug
            # The pose source's raw contact pixel of the episode's last prediction, and what
            # robomamba_node's safety checks made of it.
            record['contact_pixel_uv'] = source.last_pixel_uv if source.calls > seen_calls \
                else None
            record['goal'] = _goal_outcome(node.counter, accepted, refused)
            record['wall_s'] = time.perf_counter() - episode_start
            if node.timings and node.timings[-1] is not last_timing:
                record['latency_ms'] = node.timings[-1]  # of the episode's last prediction
            records.append(record)
            if robot == 'panda':
                arm_frames.append(arm_frame if arm_frame is not None
                                  else bridge.runner.witness_picture().rgb)
            if len(debug) > seen_debug:
                frames.append(image_to_rgb(debug[-1][1]))
            elif bridge.observation is not None:
                frames.append(bridge.observation.rgb)
            else:
                frames.append(np.full((64, 64, 3), 128, np.uint8))
    rate = float(np.mean([bool(r['success']) for r in records]))
    written = write_figures(records, frames, out, title=(
        f'Demo success per category: {100.0 * rate:.0f}% of {len(records)} episodes '
        f'({Path(str(policy)).name}, {Path(str(dmm_model)).name or "scripted"})'),
        arm_frames=arm_frames)
    summary = {
        'policy': policy, 'executor': dmm_model or 'scripted', 'distro': distro, 'seed': seed,
        'robot': robot, 'gripper': gripper if robot == 'panda' else 'suction', 'camera': camera,
        'episodes': records,
        'success_rate': rate,
        'elapsed_s': time.perf_counter() - start,
        'sim_s': float(sum(r['duration_s'] for r in records)),
        'latency_ms': node.latency_medians_ms(),
        'bag': str(bag),
        'bag_bytes': bag_size_bytes(bag),
        'bag_chunks': mcap_chunk_compression(bag),
        'recording': recording,
        'topics': {t: {'type': ty, 'count': n} for t, (ty, n) in bag_topics(bag).items()},
        'frames': str(written.get(FRAMES_FILE, '')),
        'arm_frames': str(written.get(ARM_FRAMES_FILE, '')),
        'success_plot': str(written.get(SUCCESS_FILE, '')),
        'figure_bytes': {name: Path(path).stat().st_size for name, path in written.items()},
    }
    (out / RESULTS_FILE).write_text(json.dumps(summary, indent=1), encoding='utf-8')
    return summary


__all__ = ['ARM_FRAMES_FILE', 'RECORDING', 'SimPolicySource', 'run_demo', 'success_table',
           'write_figures']
