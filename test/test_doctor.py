# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The doctor's round trip and report, and one real SAPIEN picture."""

import json
import sys

from conftest import DISTROS
import pytest

from robomamba_ros import doctor
from robomamba_ros.ros.bag import bag_topics


@pytest.mark.parametrize('distro', DISTROS)
def test_rgbd_round_trip_lifts_pixels_onto_the_plane(tmp_path, distro):
    report = doctor.rgbd_bag_round_trip(tmp_path, distro=distro)
    assert report['ok'], report
    # 16UC1 depth is quantised to 1 mm; a lifted point must stay within that of the true plane.
    assert report['max_plane_error_m'] < 1e-3
    assert report['points_m'][-1] is None  # pixel in the region without depth readings
    topics = bag_topics(report['bag'])
    assert topics == {
        '/camera/camera/color/image_raw': ('sensor_msgs/msg/Image', 1),
        '/camera/camera/aligned_depth_to_color/image_raw': ('sensor_msgs/msg/Image', 1),
        '/camera/camera/color/camera_info': ('sensor_msgs/msg/CameraInfo', 1),
    }


def test_round_trip_replaces_an_old_bag(tmp_path):
    first = doctor.rgbd_bag_round_trip(tmp_path)
    second = doctor.rgbd_bag_round_trip(tmp_path)
    assert first['bag'] == second['bag'] and second['ok']


def test_run_doctor_writes_a_report(tmp_path, capsys):
    assert doctor.run_doctor(tmp_path, check_render=False) == 0
    report = json.loads((tmp_path / 'doctor.json').read_text())
    assert report['ok'] is True
    assert 'render' not in report
    required = {name for name, e in report['libraries'].items() if e['required']}
    assert {'numpy', 'torch', 'transformers', 'rosbags'} <= required
    assert all(report['libraries'][name]['ok'] for name in required)
    assert report['libraries']['rosbags']['version'] not in (None, 'unknown')
    assert 'round trip: ok' in capsys.readouterr().out


def test_missing_required_library_fails_the_doctor(tmp_path, monkeypatch):
    libraries = doctor.LIBRARIES + (('robomamba_no_such_module', 'nothing', True),)
    monkeypatch.setattr(doctor, 'LIBRARIES', libraries)
    assert doctor.run_doctor(tmp_path, check_render=False) == 1
    report = json.loads((tmp_path / 'doctor.json').read_text())
    assert report['ok'] is False
    assert 'ModuleNotFoundError' in report['libraries']['robomamba_no_such_module']['error']


@pytest.mark.render
def test_sapien_renders_offscreen():
    status = doctor.render_status()
    assert status['ok'], status


def test_locate_only_libraries_are_found_without_importing(monkeypatch, capsys):
    assert 'rclpy' in doctor._LOCATE_ONLY
    # `this` prints the Zen of Python when imported: a cheap witness of an import.
    monkeypatch.delitem(sys.modules, 'this', raising=False)
    monkeypatch.setattr(doctor, 'LIBRARIES', (('this', 'this', False),))
    monkeypatch.setattr(doctor, '_LOCATE_ONLY', ('this',))
    report = doctor.library_versions()
    assert report['this']['ok'] is True
    assert 'this' not in sys.modules
    assert 'Zen of Python' not in capsys.readouterr().out
