# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``replay`` and ``inspect`` on bags recorded as labs record them (see ``realsense_bag.py``).

Every transport and encoding, both typestores, realsense2_camera 4.x and 3.x names, cut and
broken bags, and the command line's one-line errors and exit codes.
"""

import json

import numpy as np
import pytest
from realsense_bag import base_point, handle_pose_source, PLANE_DEPTH_M, write_realsense_bag

from robomamba_ros.cli import main
from robomamba_ros.nodes.bag_inspect import inspect_bag
from robomamba_ros.nodes.replay import EXIT_NO_GOAL, replay, ReplayError
from robomamba_ros.ros.bag import read_bag
from robomamba_ros.ros.messages import pose_stamped_to_numpy

GOAL_TOPIC = '/cartesian_pose_controller/target_pose'  # config/franka.yaml
CONTACT_TOPIC = '/robomamba_node/contact_pose'
COLOR = '/camera/camera/color/image_raw'
# The drawer front's centre pixel seen from the camera, in panda_link0.
HANDLE = base_point([(320.0 - 321.3) * PLANE_DEPTH_M / 615.0,
                     (240.0 - 240.2) * PLANE_DEPTH_M / 615.0, PLANE_DEPTH_M])

TRANSPORTS = {
    'raw-bgr8-16UC1': {'color': 'raw', 'color_encoding': 'bgr8', 'depth_encoding': '16UC1'},
    'raw-rgb8-32FC1': {'color': 'raw', 'color_encoding': 'rgb8', 'depth_encoding': '32FC1'},
    'raw-mono8-16UC1': {'color': 'raw', 'color_encoding': 'mono8'},
    'jpeg-compressedDepth-16UC1': {'color': 'jpeg', 'depth': 'compressedDepth'},
    'png-compressedDepth-32FC1': {'color': 'png', 'depth': 'compressedDepth',
                                  'depth_encoding': '32FC1'},
    'jpeg-mono8-raw-depth': {'color': 'jpeg', 'color_encoding': 'mono8'},
}


def _contacts(out):
    return [pose_stamped_to_numpy(m.msg).position for m in read_bag(out, [CONTACT_TOPIC])]


@pytest.mark.parametrize('distro', ['humble', 'jazzy'])
@pytest.mark.parametrize('transport', sorted(TRANSPORTS))
def test_a_lab_bag_replays_to_goals_at_the_handle_for_every_transport(tmp_path, distro,
                                                                      transport):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, distro=distro, seconds=1.0, **TRANSPORTS[transport])
    result = replay(bag, tmp_path / 'out', pose_source=handle_pose_source,
                    instruction='Open the drawer.', progress=False)
    assert result.exit_code == 0 and result.goals > 0, result.table()
    assert result.refusals == {} and result.accepted == 1
    contacts = _contacts(tmp_path / 'out')
    # 3 % holes, the centre pixel may be one of them: the robust window still lifts it.
    assert len(contacts) == 1 and np.linalg.norm(contacts[0] - HANDLE) < 0.005, contacts
    played = {t: n for t, (_, n) in result.inputs.items()}
    color = COLOR + ('/compressed' if transport.startswith(('jpeg', 'png')) else '')
    assert played['/tf_static'] == 1 and played['/camera/camera/color/camera_info'] == 15
    assert played[color] == 15 and played['/tf'] == 30


def test_the_centre_pixel_without_depth_does_not_veto_the_goal(tmp_path):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=0.5, hole_fraction=0.03)

    def at_a_hole(rgb, depth_m, K, instruction):
        v, u = np.argwhere(depth_m[200:280, 280:360] == 0)[0] + (200, 280)
        return (float(u), float(v)), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)

    result = replay(bag, tmp_path / 'out', pose_source=at_a_hole, instruction='Open it.',
                    progress=False)
    assert result.accepted == 1 and result.goals > 0, result.table()


def test_an_approach_along_the_drawer_front_is_refused(tmp_path):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=0.5)

    def sideways(rgb, depth_m, K, instruction):  # 84 deg off pushing into the front
        tilt = np.radians(84.0)
        return (320.0, 240.0), (np.sin(tilt), 0.0, np.cos(tilt)), (0.0, 1.0, 0.0)

    result = replay(bag, tmp_path / 'out', pose_source=sideways, instruction='Open it.',
                    progress=False, overrides={'max_approach_angle_deg': 89.0})
    assert result.exit_code == EXIT_NO_GOAL
    assert result.refusals == {'approach_normal': 1}, result.table()


def test_without_a_tcp_pose_the_goal_is_refused_and_replay_says_so(tmp_path, capsys):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=0.5, with_tcp=False)
    result = replay(bag, tmp_path / 'out', pose_source=handle_pose_source,
                    instruction='Open the drawer.', progress=False)
    # The prediction itself is good (contact published); only the arm goal lacks a start.
    assert result.accepted == 1 and len(_contacts(tmp_path / 'out')) == 1
    assert result.goals == 0 and result.exit_code == EXIT_NO_GOAL
    assert result.refusals == {'no_start_pose': 1}
    table = result.table()
    assert 'no_start_pose' in table and f'exit status {EXIT_NO_GOAL}' in table


def _truncate(msg):
    msg.data = msg.data[:len(msg.data) // 2]  # a JPEG cut short in transit


def _bad_depth_header(msg):
    msg.data = msg.data[5:]  # the 12-byte compressedDepth header is broken


def _bigger_camera_info(msg):
    msg.width, msg.height = 1280, 720  # CameraInfo of another resolution


BAD_PAYLOADS = {'truncated-jpeg': ('/compressed', _truncate),
                'broken-depth-header': ('/compressedDepth', _bad_depth_header),
                'camera-info-size': ('/camera_info', _bigger_camera_info)}


@pytest.mark.parametrize('case', sorted(BAD_PAYLOADS))
def test_bad_payloads_are_counted_refusals_not_crashes(tmp_path, case):
    from robomamba_ros.ros.bag import BagWriter

    suffix, damage = BAD_PAYLOADS[case]
    bag, broken = tmp_path / 'lab', tmp_path / 'broken'
    write_realsense_bag(bag, seconds=0.5, color='jpeg', depth='compressedDepth')
    with BagWriter(broken) as out:
        for m in read_bag(bag):
            if m.topic.endswith(suffix):
                damage(m.msg)
            out.write(m.topic, m.type_name, m.stamp_ns, m.msg)
    result = replay(broken, tmp_path / 'out', pose_source=handle_pose_source,
                    instruction='Open the drawer.', progress=False)
    assert result.exit_code == EXIT_NO_GOAL and result.refusals == {'bad_frame': 1}


def test_start_and_duration_cut_the_bag_and_keep_the_static_transforms(tmp_path):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=2.0)
    result = replay(bag, tmp_path / 'out', pose_source=handle_pose_source,
                    instruction='Open the drawer.', start_s=0.5, duration_s=0.6,
                    progress=False)
    played = {t: n for t, (_, n) in result.inputs.items()}
    assert played['/tf_static'] == 1  # recorded at 0 s, delivered at the start
    assert 8 <= played[COLOR] <= 10  # 0.6 s at 15 Hz
    assert result.goals > 0
    assert 0.5 <= result.window_s[0] < result.window_s[1] <= 1.11


def test_3x_names_are_refused_with_a_remap_hint_and_replay_after_remapping(tmp_path):
    bag = tmp_path / 'lab3'
    write_realsense_bag(bag, seconds=0.5, names='3x', color='jpeg')
    with pytest.raises(ReplayError) as info:
        replay(bag, tmp_path / 'out', pose_source=handle_pose_source, instruction='Open it.')
    text = str(info.value)
    assert '\n' not in text and str(bag) in text
    assert '--remap /camera/camera/color/image_raw:=/camera/color/image_raw' in text
    assert '--remap /camera/camera/color/camera_info:=/camera/color/camera_info' in text
    remaps = [f'/camera/camera/{t}:=/camera/{t}' for t in (
        'color/image_raw', 'aligned_depth_to_color/image_raw', 'color/camera_info')]
    result = replay(bag, tmp_path / 'out', pose_source=handle_pose_source,
                    instruction='Open it.', remaps=remaps, progress=False)
    assert result.goals > 0


def _cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code, err, *phrases):
    assert code == 2
    assert err.count('\n') == 1 and 'Traceback' not in err, err
    for phrase in phrases:
        assert phrase in err, err


def test_cli_user_errors_are_one_line_and_exit_2(tmp_path, capsys):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=0.5)
    out = tmp_path / 'out'
    mcap = next(bag.glob('*.mcap'))
    code, _, err = _cli(capsys, 'replay', tmp_path / 'nothing', out, '--instruction', 'x')
    _one_line_error(code, err, 'nothing', 'no such bag')
    empty = tmp_path / 'empty'
    empty.mkdir()
    code, _, err = _cli(capsys, 'replay', empty, out, '--instruction', 'x')
    _one_line_error(code, err, str(empty), 'metadata.yaml')
    code, _, err = _cli(capsys, 'replay', bag, out, '--remap', '/nope:=/x', '--instruction', 'x')
    _one_line_error(code, err, '/nope', 'no topic')
    code, _, err = _cli(capsys, 'replay', bag, out, '--remap', 'nonsense', '--instruction', 'x')
    _one_line_error(code, err, 'FROM:=TO')
    code, _, err = _cli(capsys, 'replay', bag, out)
    _one_line_error(code, err, '--instruction')
    code, _, err = _cli(capsys, 'replay', bag, bag, '--instruction', 'x')
    _one_line_error(code, err, 'already exists')
    code, _, err = _cli(capsys, 'replay', bag, out, '--model', tmp_path / 'no-model',
                        '--instruction', 'x')
    _one_line_error(code, err, 'no-model')
    # A recording that was killed: the MCAP file lacks its summary and end magic.
    data = mcap.read_bytes()
    mcap.write_bytes(data[:int(len(data) * 0.6)])
    for command in (('replay', bag, out, '--instruction', 'x'), ('inspect', bag)):
        code, _, err = _cli(capsys, *command)
        _one_line_error(code, err, mcap.name, 'truncated', 'messages could be read')
    assert not out.exists()


def test_cli_replays_a_lab_bag_with_no_yaml_and_reports_the_refusals(tmp_path, capsys):
    bag, model = tmp_path / 'lab', tmp_path / 'tiny'
    write_realsense_bag(bag, seconds=0.5, color='jpeg', depth='compressedDepth',
                        with_tcp=False)
    assert main(['train', 'init', '--tiny', '--out', str(model)]) == 0
    capsys.readouterr()
    code, out, _ = _cli(capsys, 'replay', bag, tmp_path / 'out', '--model', model,
                        '--instruction', 'Open the drawer.', '--quiet')
    # No TCP pose in the bag: whatever the model predicts, no arm goal can start.
    assert code == EXIT_NO_GOAL, out
    assert '/camera/camera/color/image_raw/compressed' in out
    assert 'predictions accepted:' in out and 'arm goals published' in out


def test_inspect_lists_topics_and_what_replay_would_use(tmp_path, capsys):
    bag = tmp_path / 'lab'
    write_realsense_bag(bag, seconds=1.0, color='jpeg', depth='compressedDepth',
                        depth_encoding='32FC1', distro='jazzy')
    report = inspect_bag(bag)
    topics = {t['topic']: t for t in report['topics']}
    color = topics['/camera/camera/color/image_raw/compressed']
    assert color['type'] == 'sensor_msgs/msg/CompressedImage' and color['count'] == 15
    assert color['rate_hz'] == pytest.approx(15.0, rel=0.1)
    assert color['detail'] == '640x480 "rgb8; jpeg compressed bgr8"'
    depth = topics['/camera/camera/aligned_depth_to_color/image_raw/compressedDepth']
    assert depth['detail'].startswith('640x480 "32FC1; compressedDepth')
    assert topics['/tf']['rate_hz'] == pytest.approx(30.0, rel=0.1)
    assert '640x480, fx 615.0' in topics['/camera/camera/color/camera_info']['detail']
    chosen = {c['stream']: (c['topic'], c['transport']) for c in report['replay']}
    assert chosen == {
        'colour': ('/camera/camera/color/image_raw/compressed', 'compressed'),
        'depth': ('/camera/camera/aligned_depth_to_color/image_raw/compressedDepth',
                  'compressedDepth'),
        'camera info': ('/camera/camera/color/camera_info', None)}
    assert report['transforms']['/tf_static'] == ['panda_link0 -> camera_color_optical_frame']
    code, out, _ = _cli(capsys, 'inspect', bag, '--quiet', '--json', tmp_path / 'r.json')
    assert code == 0 and 'replay would use:' in out and 'give --instruction' in out
    assert json.loads((tmp_path / 'r.json').read_text())['replay'] == report['replay']
    old = tmp_path / 'lab3'
    write_realsense_bag(old, seconds=0.5, names='3x')
    code, out, _ = _cli(capsys, 'inspect', old, '--quiet')
    assert code == 0 and 'MISSING' in out
    assert '--remap /camera/camera/color/image_raw:=/camera/color/image_raw' in out
