# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The PartNet-Mobility loader on a tiny folder written here: metadata, joint choice, a pull."""

import json

import numpy as np
import pytest

from robomamba_ros.sim import interaction
from robomamba_ros.sim.episode import Episode
from robomamba_ros.sim.gripper import FlyingGripper
from robomamba_ros.sim.partnet_mobility import load_partnet_mobility, PartNetMobilitySource
from robomamba_ros.sim.scene import create_scene

# A 0.4 m cube body with a door on a vertical hinge at its front (-x) face, -y edge, and a
# drawer-like slider that is not a movable part by its semantics.
URDF = """<?xml version="1.0"?>
<robot name="tiny_cabinet">
  <link name="base"/>
  <link name="link_1">
    <visual><origin xyz="0 0 0.3"/><geometry><box size="0.4 0.4 0.6"/></geometry></visual>
    <collision><origin xyz="0 0 0.3"/><geometry><box size="0.4 0.4 0.6"/></geometry></collision>
  </link>
  <joint name="joint_1" type="fixed"><parent link="base"/><child link="link_1"/></joint>
  <link name="link_2">
    <collision><origin xyz="0.1 0 0"/><geometry><box size="0.2 0.02 0.02"/></geometry></collision>
  </link>
  <joint name="joint_2" type="prismatic">
    <origin xyz="0 0 0.62"/><axis xyz="1 0 0"/><parent link="link_1"/><child link="link_2"/>
    <limit lower="0" upper="0.1"/>
  </joint>
  <link name="link_0">
    <visual>
      <origin xyz="0 0.2 0.3"/><geometry><box size="0.02 0.4 0.58"/></geometry>
    </visual>
    <collision>
      <origin xyz="0 0.2 0.3"/><geometry><box size="0.02 0.4 0.58"/></geometry>
    </collision>
  </link>
  <joint name="joint_0" type="revolute">
    <origin xyz="-0.211 -0.2 0.01"/><axis xyz="0 0 1"/><parent link="link_1"/>
    <child link="link_0"/><limit lower="0" upper="1.57"/>
  </joint>
</robot>
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / 'mobility.urdf').write_text(URDF)
    (tmp_path / 'meta.json').write_text(json.dumps({'model_cat': 'StorageFurniture'}))
    (tmp_path / 'semantics.txt').write_text(
        'link_0 hinge door\nlink_1 static body\nlink_2 slider antenna\n')
    return tmp_path


def test_loads_metadata_and_picks_the_semantic_door(folder):
    obj = load_partnet_mobility(create_scene(False), folder)
    assert obj.category == 'storagefurniture'
    assert (obj.part_name, obj.joint_type) == ('door', 'revolute')
    assert obj.limits == pytest.approx((0.0, 1.57))
    origin, axis = obj.joint_axis()
    np.testing.assert_allclose(np.abs(axis), [0.0, 0.0, 1.0], atol=1e-5)
    assert obj.bounding_radius_m == pytest.approx(np.linalg.norm([0.42, 0.4, 0.63]) / 2, abs=0.02)


def test_link_name_selects_another_joint(folder):
    scene = create_scene(False)
    obj = load_partnet_mobility(scene, folder, link_name='link_2')
    assert (obj.joint_type, obj.movable_link.name) == ('prismatic', 'link_2')
    with pytest.raises(ValueError, match='no revolute or prismatic joint'):
        load_partnet_mobility(create_scene(False), folder, link_name='link_9')


def test_missing_urdf_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='mobility.urdf'):
        load_partnet_mobility(create_scene(False), tmp_path)


def test_pull_opens_the_loaded_door(folder):
    scene = create_scene(False)
    obj = load_partnet_mobility(scene, folder)
    hand = FlyingGripper(scene)
    point = np.array([-0.221, 0.3 - 0.2 + 0.2 * 0.4, 0.3])  # outer face, near the free edge
    result = interaction.execute(scene, hand, obj, point, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    assert result.success, result


def test_a_folder_drives_an_episode_like_a_category(folder):
    source = PartNetMobilitySource(folder, split='unseen')
    episode = Episode(source, 3)
    assert (episode.category, episode.split) == ('storagefurniture', 'unseen')
    label = episode.sample_label()
    assert label is not None
    result = episode.execute(label.point_world_m, label.up_world, label.forward_world)
    assert result.touched_part, result


@pytest.mark.render
def test_a_folder_renders_with_its_part_mask(folder):
    episode = Episode(PartNetMobilitySource(folder), 3)
    obs = episode.observe()
    assert obs.mask_of(episode.object.movable_entity_ids()).sum() > 100
    label = episode.sample_label(obs=obs)
    assert label is not None
    u, v = (int(c) for c in label.pixel_uv)
    assert obs.mask_of(episode.object.movable_entity_ids())[v, u]
