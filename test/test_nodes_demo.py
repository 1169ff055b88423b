# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
End to end without ROS: ``demo`` runs the three cores on the rendered SAPIEN bridge.

Also ``replay`` over the demo's own bag with a tiny RoboMamba folder, as a user replays a
RealSense recording.
"""

import collections
import contextlib
import io
import json

from conftest import DISTROS
import cv2
import numpy as np
import pytest
import yaml

from robomamba_ros.cli import main
from robomamba_ros.ros.bag import bag_size_bytes, bag_topics, CHUNK_COMPRESSION_KEY, \
    mcap_chunk_compression, read_bag
from robomamba_ros.ros.messages import camera_info_to_intrinsics, depth_image_to_m, \
    image_to_rgb, pose_stamped_to_numpy, twist_stamped_to_numpy
from robomamba_ros.sim.figures import episode_caption

pytestmark = [pytest.mark.render, pytest.mark.slow]

EXPECTED_TOPICS = {
    '/camera/camera/color/image_raw': 'sensor_msgs/msg/Image',
    '/camera/camera/aligned_depth_to_color/image_raw': 'sensor_msgs/msg/Image',
    '/camera/camera/color/camera_info': 'sensor_msgs/msg/CameraInfo',
    '/tf': 'tf2_msgs/msg/TFMessage',
    '/clock': 'rosgraph_msgs/msg/Clock',
    '/joint_states': 'sensor_msgs/msg/JointState',
    '/robomamba/instruction': 'std_msgs/msg/String',
    '/robomamba_node/contact_pose': 'geometry_msgs/msg/PoseStamped',
    '/robomamba_node/pregrasp_pose': 'geometry_msgs/msg/PoseStamped',
    '/robomamba_node/markers': 'visualization_msgs/msg/MarkerArray',
    '/robomamba_node/debug_image': 'sensor_msgs/msg/Image',
    '/dmm_node/twist': 'geometry_msgs/msg/TwistStamped',
    '/sapien_bridge/result': 'std_msgs/msg/String',
}


#: Bytes of one uncompressed 336x336 camera frame: rgb8 colour and 16UC1 depth.
_RAW_FRAME_BYTES = 336 * 336 * 3 + 336 * 336 * 2


@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo')
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(['demo', '--episodes', '2', '--policy', 'oracle', '--dmm', 'scripted',
                       '--out', str(out),
                       '--camera-rate-hz', '2', '--quiet'])
    assert status == 0
    (out / 'stdout.txt').write_text(printed.getvalue(), encoding='utf-8')
    return out


def test_demo_succeeds_and_writes_results(demo_run):
    results = json.loads((demo_run / 'results.json').read_text())
    assert len(results['episodes']) == 2
    # The oracle's contacts open both scenes (the first, a low drawer, only when the executor
    # moves on after the ground stopped the hand short of the pre-contact pose).
    assert all(r['success'] for r in results['episodes'])
    assert all(r['predictions'] >= 1 for r in results['episodes'])
    assert all(r['latency_ms']['model'] > 0.0 for r in results['episodes'])
    latency = results['latency_ms']
    assert latency['predictions'] == 2
    assert {'decode', 'model', 'lift', 'safety', 'publish', 'total'} <= set(latency)
    assert results['sim_s'] == pytest.approx(sum(r['duration_s'] for r in results['episodes']))
    # The camera at 2 Hz of sim time (its first frame at most one period after each reset).
    images = results['topics']['/camera/camera/color/image_raw']['count']
    assert 2 * results['sim_s'] - 2 <= images <= 2 * results['sim_s'] + 4
    assert (demo_run / 'frames.png').stat().st_size > 1000


def test_demo_bag_holds_valid_messages_of_every_topic(demo_run):
    topics = bag_topics(demo_run / 'bag')
    for topic, type_name in EXPECTED_TOPICS.items():
        assert topic in topics, topic
        assert topics[topic][0] == type_name and topics[topic][1] > 0, topic
    messages = {}
    for m in read_bag(demo_run / 'bag', list(EXPECTED_TOPICS)):
        messages.setdefault(m.topic, []).append(m.msg)
    rgb = image_to_rgb(messages['/camera/camera/color/image_raw'][0])
    depth = depth_image_to_m(messages['/camera/camera/aligned_depth_to_color/image_raw'][0])
    K = camera_info_to_intrinsics(messages['/camera/camera/color/camera_info'][0])
    assert rgb.shape[:2] == depth.shape == (K.height, K.width)
    assert np.isfinite(depth).any() and rgb.std() > 1.0
    contact = pose_stamped_to_numpy(messages['/robomamba_node/contact_pose'][0])
    assert contact.frame_id == 'world' and np.all(np.isfinite(contact.position))
    twists = [twist_stamped_to_numpy(t) for t in messages['/dmm_node/twist']]
    assert any(np.linalg.norm(t.linear) > 0 for t in twists)
    record = json.loads(messages['/sapien_bridge/result'][0].data)
    assert {'category', 'success'} <= set(record)


def test_replay_runs_robomamba_node_over_the_demo_bag(demo_run, tmp_path):
    model = tmp_path / 'tiny'
    assert main(['train', 'init', '--tiny', '--out', str(model)]) == 0
    out = tmp_path / 'replayed'
    code = main(['replay', str(demo_run / 'bag'), str(out), '--model', str(model),
                 '--config', 'sim.yaml', '--quiet'])
    topics = bag_topics(out)
    # 0 when an arm goal was published, 3 when every prediction was refused.
    assert code == (0 if topics.get('/robomamba/goal_pose', ('', 0))[1] else 3)
    assert '/robomamba/instruction' not in topics  # inputs are not copied unless asked
    # One prediction per recorded instruction; an untrained model's goals may all be refused,
    # but every prediction is either accepted or refused for a named reason, never an error.
    assert topics['/robomamba_node/debug_image'][1] == 2
    last = list(read_bag(out, ['/diagnostics']))[-1].msg.status[0]
    counts = {kv.key: kv.value for kv in last.values}
    assert counts['model_error'] == '0'
    decided = sum(int(v) for k, v in counts.items() if k != 'last_refusal')
    assert decided == 2
    for m in read_bag(out, ['/robomamba_node/contact_pose']) if \
            '/robomamba_node/contact_pose' in topics else ():
        assert np.all(np.isfinite(pose_stamped_to_numpy(m.msg).position))


def test_demo_bag_is_compressed_and_readable_with_both_typestores(demo_run):
    results = json.loads((demo_run / 'results.json').read_text())
    bag = demo_run / 'bag'
    meta = yaml.safe_load((bag / 'metadata.yaml').read_text())['rosbag2_bagfile_information']
    assert meta['version'] == 8 and meta['storage_identifier'] == 'mcap'
    # zstd inside the MCAP chunks, as `ros2 bag record -s mcap --storage-preset-profile
    # zstd_fast` writes: no rosbag2 file/message compression is declared.
    assert meta['compression_mode'] == '' and meta['compression_format'] == ''
    assert meta['relative_file_paths'] == ['bag.mcap']
    chunks = mcap_chunk_compression(bag)
    assert set(chunks) == {'zstd'} and results['bag_chunks'] == chunks
    assert chunks['zstd']['compressed_bytes'] * 4 < chunks['zstd']['uncompressed_bytes']
    custom = meta['custom_data']
    assert custom[CHUNK_COMPRESSION_KEY] == 'zstd'
    # Nothing throttled, and the bag says so with the rates it was recorded at.
    assert results['recording'] == {
        'note': results['recording']['note'], 'throttled': False, 'camera_rate_hz': 2.0,
        'control_rate_hz': 100.0, 'depth_encoding': '16UC1', 'compression': 'zstd'}
    assert 'none throttled' in results['recording']['note']
    for key, value in results['recording'].items():
        assert custom[f'robomamba_ros.demo.{key}'] == str(value)
    topics = bag_topics(bag)
    expected = {topic: count for topic, (_, count) in topics.items()}
    for distro in DISTROS:
        seen = collections.Counter()
        for m in read_bag(bag, distro=distro):
            seen[m.topic] += 1
            if m.topic == '/camera/camera/aligned_depth_to_color/image_raw':
                assert m.msg.encoding == '16UC1'
        assert seen == expected, distro


def test_demo_bag_size_per_camera_frame_is_bounded(demo_run):
    results = json.loads((demo_run / 'results.json').read_text())
    bag = demo_run / 'bag'
    assert results['bag_bytes'] == bag_size_bytes(bag) > 0
    topics = results['topics']
    frames = topics['/camera/camera/color/image_raw']['count']
    assert frames == topics['/camera/camera/aligned_depth_to_color/image_raw']['count'] > 0
    # Everything in the bag (100 Hz state topics included) per camera frame stays under a
    # tenth of one uncompressed frame: ~9 GB would be ~0.9 GB for the default demo's 1,500.
    assert results['bag_bytes'] / frames < _RAW_FRAME_BYTES / 10
    printed = (demo_run / 'stdout.txt').read_text()
    assert f"{results['bag_bytes'] / 1e6:.1f} MB on disk (zstd MCAP chunks" in printed
    assert f'{frames} camera frames at 2 Hz (16UC1 depth)' in printed


def test_demo_figures_are_small_and_captioned_from_the_records(demo_run):
    results = json.loads((demo_run / 'results.json').read_text())
    for name in ('frames.png', 'success.png'):
        size = (demo_run / name).stat().st_size
        assert 1000 < size <= 1_000_000, name
        assert results['figure_bytes'][name] == size
    assert results['success_plot'] == str(demo_run / 'success.png')
    grid = cv2.imread(str(demo_run / 'frames.png'))
    assert grid.shape[1] == 2 * 336 + 4 and grid.shape[0] > 336  # two tiles, captions below
    for record in results['episodes']:
        u, v = record['contact_pixel_uv']
        assert 0 <= u < 336 and 0 <= v < 336
        assert record['goal'] == 'accepted'
        caption = episode_caption(record)
        assert caption[0] == f'episode {record["episode_index"]}: {record["category"]} (seen)'
        assert caption[1].startswith('"' + record['instruction'][:10])
        assert caption[3] == 'success'
        assert caption[4] == (f'ended: {record["end"]} after {record["duration_s"]:.1f} s, '
                              f'opened {100 * record["open_fraction"]:.0f}%')
        assert caption[5] == f'contact ({u:.0f}, {v:.0f}) px: goal accepted'


@pytest.mark.parametrize('args, message', [
    (['--camera', 'wrist'], 'needs --robot panda'),
    (['--camera-distance-m', '2', '1'], '0 < LOW <= HIGH, got 2 1'),
    (['--suite', 'v2', '--robot', 'panda'], '--suite v2 runs with the flying hand')])
def test_a_scene_the_robot_cannot_have_is_one_clear_line(capsys, args, message):
    status = main(['demo', *args, '--out', 'unused'])
    assert status == 2
    out = capsys.readouterr().out.strip()
    assert out.count('\n') == 0 and message in out


# None: the demo's default executor with the Panda, the shipped dmm-panda-tiny.
@pytest.mark.parametrize('gripper, category, dmm, camera', [
    ('suction', 'refrigerator', 'scripted', 'tripod'),
    ('fingers', 'drawer_cabinet', 'scripted', 'tripod'),
    ('fingers', 'microwave', None, 'tripod'),
    ('fingers', 'drawer_cabinet', 'scripted', 'wrist')])
def test_the_panda_demo_runs_the_nodes_on_franka_topics_and_draws_the_arm(tmp_path, gripper,
                                                                          category, dmm, camera):
    printed = io.StringIO()
    executor = ['--dmm', dmm] if dmm else []
    with contextlib.redirect_stdout(printed):
        status = main(['demo', '--episodes', '1', '--robot', 'panda', '--gripper', gripper,
                       '--policy', 'oracle', *executor, '--categories', category,
                       '--camera', camera, '--camera-rate-hz', '2', '--out', str(tmp_path),
                       '--quiet'])
    assert status == 0
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['robot'] == 'panda' and results['gripper'] == gripper
    assert results['camera'] == results['episodes'][0]['camera_mount'] == camera
    assert results['executor'].endswith(dmm or 'dmm-panda-tiny')
    record = results['episodes'][0]
    assert record['success'] and record['goal'] == 'accepted', record
    assert record['failure'] != 'slip'
    # The oracle's contact is the grasp the arm was placed for.
    np.testing.assert_allclose(record['contact_pixel_uv'], record['layout_grasp_uv'])
    topics = results['topics']
    for topic in ('/cartesian_pose_controller/target_pose', '/servo_node/delta_twist_cmds',
                  '/franka_robot_state_broadcaster/current_pose'):
        assert topics[topic]['count'] > 0, topic
    assert '/robomamba/goal_pose' not in topics and '/dmm_node/twist' not in topics
    assert (tmp_path / 'arm_frames.png').stat().st_size > 1000
    assert results['arm_frames'].endswith('arm_frames.png')


def test_a_suite_v2_demo_pulls_the_instructed_part_through_the_nodes(tmp_path):
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(['demo', '--episodes', '1', '--policy', 'oracle', '--dmm', 'scripted',
                       '--suite', 'v2', '--categories', 'two_door_safe', '--out',
                       str(tmp_path), '--camera-rate-hz', '2', '--quiet'])
    assert status == 0
    record = json.loads((tmp_path / 'results.json').read_text())['episodes'][0]
    assert record['category'] == 'two_door_safe' and record['suite'] == 'v2'
    assert record['referring'][len('the '):] in record['instruction']
    assert record['success'] and not record['other_part_moved'], record
