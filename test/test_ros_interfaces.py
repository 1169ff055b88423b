# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The interface packages under ``ros_interfaces/`` are the upstream ones on the wire.

scripts/setup_ros.sh builds them where ROS 2 comes from wheels that lack them; real ROS 2 nodes
only talk to them when the names, fields and type hashes are upstream's. Checked here against
rosbags' Kilted typestore, with no ROS 2 installed.
"""

from catkin_pkg.package import parse_package
from conftest import REPO_ROOT
from rosbags.typesys import get_types_from_msg, get_typestore, Stores

TF2_MSGS = REPO_ROOT / 'ros_interfaces' / 'tf2_msgs'
TF_MESSAGE = 'tf2_msgs/msg/TFMessage'


def test_tf2_msgs_package_xml_is_a_format3_interface_package():
    pkg = parse_package(str(TF2_MSGS / 'package.xml'))  # validates against the format rules
    assert pkg.name == 'tf2_msgs'
    assert pkg.package_format == 3
    assert pkg.get_build_type() == 'ament_cmake'
    assert 'rosidl_interface_packages' in {group.name for group in pkg.member_of_groups}
    assert {'ament_cmake', 'rosidl_default_generators'} <= {d.name for d in pkg.buildtool_depends}
    assert 'geometry_msgs' in {d.name for d in pkg.build_depends}
    assert 'rosidl_default_runtime' in {d.name for d in pkg.exec_depends}


def test_tf_message_matches_upstream_fields_and_type_hash():
    text = (TF2_MSGS / 'msg' / 'TFMessage.msg').read_text(encoding='utf-8')
    ours = get_types_from_msg(text, TF_MESSAGE)
    upstream = get_typestore(Stores.ROS2_KILTED)
    assert ours[TF_MESSAGE] == upstream.fielddefs[TF_MESSAGE]

    # The RIHS01 hash rosidl puts in the type description (and rmw announces on the graph).
    store = get_typestore(Stores.EMPTY)
    store.register({name: d for name, d in upstream.fielddefs.items() if name != TF_MESSAGE})
    store.register(ours)
    assert store.hash_rihs01(TF_MESSAGE) == upstream.hash_rihs01(TF_MESSAGE) == (
        'RIHS01_e369d0f05a23ae52508854b66f6aa0437f3449d652e8cbf22d5abe85d020f087')


def test_tf2_msgs_builds_only_the_one_message():
    cmake = (TF2_MSGS / 'CMakeLists.txt').read_text(encoding='utf-8')
    assert 'project(tf2_msgs)' in cmake
    assert sorted(p.name for p in (TF2_MSGS / 'msg').iterdir()) == ['TFMessage.msg']
    assert '"msg/TFMessage.msg"' in cmake
