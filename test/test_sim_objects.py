# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Every procedural category builds, is seeded, and opens under a pull with the oracle action."""

import numpy as np
import pytest

from robomamba_ros.sim import categories
from robomamba_ros.sim.contact_sampling import ContactSamplingConfig
from robomamba_ros.sim.episode import Episode, EpisodeConfig
from robomamba_ros.sim.interaction import InteractionConfig
from robomamba_ros.sim.scene import create_scene

ALL = tuple(categories.CATEGORIES)


def test_at_least_twelve_categories_split_in_seen_and_unseen():
    assert len(ALL) >= 12
    assert set(categories.SEEN_CATEGORIES) | set(categories.UNSEEN_CATEGORIES) == set(ALL)
    assert not set(categories.SEEN_CATEGORIES) & set(categories.UNSEEN_CATEGORIES)
    seen_types = {categories.CATEGORIES[n].joint_type for n in categories.SEEN_CATEGORIES}
    unseen_types = {categories.CATEGORIES[n].joint_type for n in categories.UNSEEN_CATEGORIES}
    assert unseen_types <= seen_types


def test_resolve_categories():
    assert categories.resolve_categories(['unseen']) == tuple(
        n for n in ALL if n in categories.UNSEEN_CATEGORIES)
    assert categories.resolve_categories(['safe', 'all']) == ALL
    with pytest.raises(ValueError, match='unknown category'):
        categories.resolve_categories(['spaceship'])


@pytest.mark.parametrize('name', ALL)
def test_category_builds_with_one_movable_joint(name):
    scene = create_scene(render=False)
    obj = categories.get_category(name).build(scene, seed=7)
    assert obj.category == name
    assert obj.joint_type == categories.CATEGORIES[name].joint_type
    assert len(obj.articulation.get_active_joints()) == 1
    lower, upper = obj.limits
    assert lower == 0.0 and upper > 0.2
    assert obj.get_q() == pytest.approx(lower)
    assert obj.collision_boxes(), 'the movable part needs collision geometry'
    origin, axis = obj.joint_axis()
    assert np.linalg.norm(axis) == pytest.approx(1.0, abs=1e-5)
    assert 0.1 < obj.bounding_radius_m < 2.0


@pytest.mark.parametrize('name', ALL)
def test_same_seed_same_object_and_other_seed_other_object(name):
    category = categories.get_category(name)
    a = category.build(create_scene(False), seed=11)
    b = category.build(create_scene(False), seed=11)
    c = category.build(create_scene(False), seed=12)
    assert a.params == b.params
    assert a.params != c.params


@pytest.mark.parametrize('name', ALL)
def test_oracle_pull_opens_the_part(name):
    # The oracle is not perfect (the hand can touch the frame first), so try a few seeds.
    results = []
    for seed in range(6):
        episode = Episode(name, seed)
        label = episode.sample_label()
        assert label is not None, f'{name} seed {seed}: no visible point on the part'
        result = episode.execute(label.point_world_m, label.up_world, label.forward_world)
        results.append(result)
        if result.success:
            break
    assert any(r.success for r in results), [r.reason for r in results]
    winner = next(r for r in results if r.success)
    assert abs(winner.delta_q) > 0.03 and winner.direction_dot > 0.3


def test_sampled_label_lies_on_the_part_and_faces_the_camera():
    episode = Episode('refrigerator', 4)
    label = episode.sample_label()
    eye = episode.camera.T_world_camera[:3, 3]
    assert label.normal_world @ (eye - label.point_world_m) > 0.0
    assert label.up_world @ label.normal_world < -np.cos(np.radians(21.0))
    assert abs(label.up_world @ label.forward_world) < 1e-9
    u, v = episode.camera.world_to_pixel(label.point_world_m)
    assert (u, v) == pytest.approx(label.pixel_uv)


def test_bad_episode_input_is_rejected():
    with pytest.raises(ValueError, match='unknown category'):
        Episode('spaceship', 0)
    with pytest.raises(ValueError, match='seed'):
        Episode('safe', -1)


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match='closed_probability'):
        EpisodeConfig(closed_probability=1.5)
    with pytest.raises(ValueError, match='up_noise_deg'):
        ContactSamplingConfig(up_noise_deg=95.0)
    with pytest.raises(ValueError, match='pull_steps'):
        InteractionConfig(pull_steps=-1)
    with pytest.raises(ValueError, match='contact_offset_m'):
        InteractionConfig(contact_offset_m=0.2)


def _seed_with_handle(category, kind):
    """Return an evaluation seed whose object has a handle of this kind."""
    from robomamba_ros.sim.evaluate import eval_episode_seed
    for k in range(20):
        seed = eval_episode_seed(0, category, k)
        if Episode(category, seed).object.params.get('handle') == kind:
            return seed
    raise AssertionError(f'no {kind} handle among 20 {category} scenes')


def test_a_bar_handle_is_grasped_across_its_bar_at_its_front_face():
    from robomamba_ros import geometry
    from robomamba_ros.sim.contact_sampling import handle_grasp
    episode = Episode('drawer_cabinet', _seed_with_handle('drawer_cabinet', 'bar'))
    obj = episode.object
    (handle,) = obj.handles_world()
    label = handle_grasp(obj, episode.scene, episode.camera)
    np.testing.assert_allclose(label.point_world_m, handle.front_m)
    np.testing.assert_allclose(label.up_world, -handle.outward, atol=1e-9)  # into the drawer
    R = geometry.gripper_rotation(label.up_world, label.forward_world)
    assert abs(R[:, 1] @ handle.along) < 1e-9  # the fingers close across the bar
    # Its front face is what the camera sees at the label's pixel.
    u, v = label.pixel_uv
    np.testing.assert_allclose(episode.camera.world_to_pixel(handle.front_m), (u, v))
    # The handle moves with the drawer.
    obj.set_q(obj.limits[1])
    moved = obj.handles_world()[0].front_m - handle.front_m
    assert np.linalg.norm(moved) == pytest.approx(obj.joint_range, abs=1e-4)


def test_a_part_without_a_handle_has_no_finger_grasp():
    from robomamba_ros.sim.contact_sampling import handle_grasp
    episode = Episode('laptop', 0)
    assert episode.object.handles == ()
    assert handle_grasp(episode.object, episode.scene, episode.camera) is None


def test_the_opening_grasp_is_the_label_whose_pull_follows_the_opening_best():
    from robomamba_ros.sim.contact_sampling import ContactLabel, opening_grasp

    class Drawer:
        joint_type = 'prismatic'

        def joint_axis(self):
            return np.zeros(3), np.array([1.0, 0.0, 0.0])  # opens along +x

    def label(up):
        return ContactLabel((0.0, 0.0), np.zeros(3), -np.asarray(up, float),
                            np.asarray(up, float), np.array([0.0, 0.0, 1.0]))

    # Pulling is -up: the label approaching along -x pulls along +x.
    labels = iter([label([0.0, 1.0, 0.0]), label([-1.0, 0.0, 0.0]), label([-0.7, 0.7, 0.0])])
    best = opening_grasp(lambda: next(labels, None), Drawer(), candidates=16)
    np.testing.assert_allclose(best.up_world, [-1.0, 0.0, 0.0])
    labels = iter([label([0.0, 1.0, 0.0]), label([-1.0, 0.0, 0.0])])
    best = opening_grasp(lambda: next(labels, None), Drawer(), candidates=1)  # draws only one
    np.testing.assert_allclose(best.up_world, [0.0, 1.0, 0.0])
    assert opening_grasp(lambda: None, Drawer()) is None
