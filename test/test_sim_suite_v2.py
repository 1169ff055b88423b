# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Suite v2: objects with several parts, instructions that name one, and who moved what."""

import numpy as np
import pytest

from robomamba_ros.sim import categories, success
from robomamba_ros.sim.camera import CameraConfig, RGBDCamera
from robomamba_ros.sim.episode import Episode, suite_episode_config
from robomamba_ros.sim.objects.referring import choose_referring, referring_expressions
from robomamba_ros.sim.scene import create_scene

V2 = tuple(categories.V2_CATEGORIES)
CONFIG = suite_episode_config('v2')


def test_the_split_has_twelve_seen_and_six_unseen_categories_sharing_part_kinds():
    assert len(categories.V2_SEEN_CATEGORIES) >= 12
    assert len(categories.V2_UNSEEN_CATEGORIES) >= 6
    assert categories.resolve_categories(['seen'], 'v2') == categories.V2_SEEN_CATEGORIES
    assert categories.resolve_categories(None, 'v1') == tuple(categories.CATEGORIES)
    kinds = {split: set() for split in ('seen', 'unseen')}
    for name in V2:
        obj = categories.get_category(name).build(create_scene(False), 0)
        kinds[categories.split_of(name)].update((p.kind, p.joint_type) for p in obj.parts)
        assert categories.suite_of(name) == 'v2'
    assert kinds['unseen'] <= kinds['seen']
    with pytest.raises(ValueError, match='not in suite v2'):
        categories.resolve_categories(['drawer_cabinet'], 'v2')
    with pytest.raises(ValueError, match='unknown suite'):
        categories.resolve_categories(None, 'v3')


@pytest.mark.parametrize('name', V2)
def test_every_category_builds_several_parts_and_names_its_target(name):
    category = categories.get_category(name)
    obj = category.build(create_scene(False), 3)
    assert len(obj.parts) >= 2
    assert len(obj.articulation.get_active_joints()) == len(obj.parts)
    assert obj.referring.startswith('the ') and obj.part_name in obj.referring
    assert obj.movable_link is obj.parts[obj.target].link
    assert obj.get_q() == pytest.approx(obj.limits[0])
    # The target's expression names it and no other part.
    traits = [dict(kind=p.kind, **p.traits) for p in obj.parts]
    for index in range(len(obj.parts)):
        for words in sum(referring_expressions(traits, index).values(), []):
            others = [sum(referring_expressions(traits, k).values(), []) for k in
                      range(len(obj.parts)) if k != index]
            assert not any(words in o for o in others), (words, index)
    again = category.build(create_scene(False), 3)
    assert again.params == obj.params and again.target == obj.target
    assert again.referring == obj.referring
    other = category.build(create_scene(False), 4)
    assert other.params != obj.params


def _drawers(*vs, handles=None):
    handles = handles or ['bar'] * len(vs)
    return [{'kind': 'drawer', 'u': 0.5, 'v': v, 'area_m2': 0.1, 'handle': h}
            for v, h in zip(vs, handles)]


def test_referring_expressions_by_position_type_and_attribute():
    column = _drawers(0.1, 0.3, 0.5, 0.7)
    assert referring_expressions(column, 0)['position'] == ['the top drawer']
    assert referring_expressions(column, 1)['position'] == ['the second drawer from the top']
    assert referring_expressions(column, 2)['position'] == ['the second drawer from the bottom']
    assert referring_expressions(_drawers(0.2, 0.5, 0.8), 1)['position'] == \
        ['the middle drawer']
    grid = [{'kind': 'drawer', 'u': u, 'v': v, 'area_m2': 0.1, 'handle': 'knob'}
            for v in (0.25, 0.75) for u in (0.25, 0.75)]
    assert referring_expressions(grid, 1)['position'] == ['the top-right drawer']
    assert referring_expressions(grid, 2)['position'] == ['the bottom-left drawer']
    mixed = _drawers(0.2) + [{'kind': 'door', 'u': 0.5, 'v': 0.7, 'area_m2': 0.3,
                              'handle': 'bar'}]
    assert referring_expressions(mixed, 1) == {'type': ['the door'], 'position': [],
                                               'attribute': []}
    lids = [{'kind': 'lid', 'u': 0.2, 'v': 0.0, 'area_m2': 0.05, 'handle': 'none'},
            {'kind': 'lid', 'u': 0.7, 'v': 0.0, 'area_m2': 0.12, 'handle': 'none'}]
    assert referring_expressions(lids, 0) == {'type': [], 'position': ['the left lid'],
                                              'attribute': ['the smaller lid']}
    odd = _drawers(0.1, 0.3, 0.5, 0.7, 0.9, handles=['bar', 'bar', 'knob', 'bar', 'bar'])
    assert referring_expressions(odd, 2) == {'type': [], 'position': ['the middle drawer'],
                                             'attribute': ['the drawer with the knob']}
    # The third of six stacked drawers has no position word and nothing else sets it apart.
    six = _drawers(0.1, 0.25, 0.4, 0.55, 0.7, 0.85)
    assert choose_referring(six, 2, np.random.default_rng(0)) == (None, None)


def _front_pull(episode, part):
    """Pull a part of a front-facing object straight out from the middle of its front."""
    T = np.asarray(part.link.entity_pose.to_transformation_matrix())
    low, high = part.link.compute_global_aabb_tight()
    point = np.array([low[0], (low[1] + high[1]) / 2.0, (low[2] + high[2]) / 2.0])
    if part.handles:
        point = T[:3, :3] @ part.handles[0].front_m + T[:3, 3]
    return episode.execute(point, np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]))


def _episode_with_drawers(seed_range=range(40)):
    for seed in seed_range:
        episode = Episode('chest_of_drawers', seed, CONFIG)
        if episode.object.params['scenery']['table'] is None and not any(
                q > 0 for q in episode.object.part_qs()):
            return seed
    raise AssertionError('no closed chest of drawers on the floor in the seeds tried')


def test_pulling_the_wrong_drawer_fails_and_the_instructed_one_succeeds():
    seed = _episode_with_drawers()
    episode = Episode('chest_of_drawers', seed, CONFIG)
    target = episode.object.target
    wrong = next(i for i in range(len(episode.object.parts)) if i != target)
    result = _front_pull(episode, episode.object.parts[wrong])
    assert not result.success and result.reason == 'wrong part moved'
    assert result.other_part_moved and abs(result.delta_q) < 0.03
    episode = Episode('chest_of_drawers', seed, CONFIG)
    result = _front_pull(episode, episode.object.parts[target])
    assert result.success, result
    assert not result.other_part_moved and result.delta_q > 0.03


def _front_target(part):
    T = np.asarray(part.link.entity_pose.to_transformation_matrix())
    point = T[:3, :3] @ part.handles[0].front_m + T[:3, 3] if part.handles else None
    if point is None:
        low, high = part.link.compute_global_aabb_tight()
        point = np.array([low[0], (low[1] + high[1]) / 2.0, (low[2] + high[2]) / 2.0])
    return point, np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])


def test_in_closed_loop_the_suction_grips_the_drawer_it_reaches_and_the_judge_knows():
    from robomamba_ros.sim.evaluate import builtin_executor
    seed = _episode_with_drawers()
    executor = builtin_executor('scripted')
    episode = Episode('chest_of_drawers', seed, CONFIG)
    target = episode.object.target
    wrong = next(i for i in range(len(episode.object.parts)) if i != target)
    result, extra = executor(episode, *_front_target(episode.object.parts[wrong]))
    assert not result.success and result.reason == 'wrong part moved', result
    episode = Episode('chest_of_drawers', seed, CONFIG)
    result, extra = executor(episode, *_front_target(episode.object.parts[target]))
    assert result.success and not result.other_part_moved, result


def test_another_part_moving_fails_even_when_the_instructed_one_opened():
    result = success.judge(0.2, 0.3, np.array([-0.2, 0.0, 0.0]), np.array([-1.0, 0.0, 0.0]),
                           other_part_moved=True)
    assert not result.success and result.reason == 'wrong part moved'
    assert success.others_moved([0.0, 0.0], [0.0, 0.05], [0.3, 0.3], target=0)
    assert not success.others_moved([0.0, 0.0], [0.2, 0.01], [0.3, 0.3], target=0)


def test_the_episode_is_a_function_of_its_seed_and_sees_its_target():
    a = Episode('dresser', 5, CONFIG)
    b = Episode('dresser', 5, CONFIG)
    assert a.camera_params == b.camera_params
    np.testing.assert_array_equal(a.camera.T_world_entity, b.camera.T_world_entity)
    obs_a, obs_b = a.observe(), b.observe()
    np.testing.assert_array_equal(obs_a.rgb, obs_b.rgb)
    assert obs_a.mask_of(a.object.movable_entity_ids()).sum() > 50
    # Distractors and the table are scenery, not the object.
    scenery_ids = {e.per_scene_id for e in a.object.extras}
    assert not scenery_ids & a.object.entity_ids()


def test_lab_views_stand_in_the_lab_range_and_v1_draws_are_unchanged():
    camera = RGBDCamera(CameraConfig(fov_y_deg=45.0, lab_distance_share=1.0))
    params = camera.sample_pose(np.random.default_rng(1), np.zeros(3), 0.3)
    assert params['lab'] and 0.6 <= params['distance_m'] <= 1.5
    # Far enough to keep most of a big object in view.
    params = camera.sample_pose(np.random.default_rng(1), np.zeros(3), 1.5)
    assert params['distance_m'] >= 0.7 * 1.5 / np.tan(np.radians(22.5)) - 1e-9
    v1 = RGBDCamera(CameraConfig()).sample_pose(np.random.default_rng(2), np.zeros(3), 0.5)
    rng = np.random.default_rng(2)
    assert 'lab' not in v1 and v1['distance_m'] == pytest.approx(rng.uniform(4.5, 5.5) * 0.5)
    with pytest.raises(ValueError, match='lab_distance_share'):
        CameraConfig(lab_distance_share=1.5)


@pytest.mark.render
def test_eval_on_v2_is_deterministic_and_the_heuristics_see_different_masks(tmp_path):
    from robomamba_ros.sim import evaluate
    from robomamba_ros.sim.policies import load_policy, PolicyContext

    episode = Episode('chest_of_drawers', 2, CONFIG)
    obs = episode.observe()
    masks = {}
    for name in ('heuristic', 'heuristic-instructed'):
        policy = load_policy(name)
        policy.reset(PolicyContext(episode, obs, np.random.default_rng(0)))
        masks[name] = policy.mask
    target = obs.mask_of(episode.object.movable_entity_ids())
    np.testing.assert_array_equal(masks['heuristic-instructed'], target)
    assert masks['heuristic'].sum() > 2 * target.sum()
    assert np.all(masks['heuristic'][target])

    config = evaluate.EvalConfig(scenes_per_category=2, categories=('dresser', 'sideboard'),
                                 suite='v2')
    first = evaluate.run_eval(['heuristic-instructed', 'random-on-object'], config,
                              tmp_path / 'a', progress=False)
    second = evaluate.run_eval(['heuristic-instructed', 'random-on-object'], config,
                               tmp_path / 'b', progress=False)
    assert first['config']['suite'] == 'v2'
    for name, summary in first['policies'].items():
        keep = ('episode_seed', 'instruction', 'referring', 'pixel', 'success', 'reason')
        assert [{k: e.get(k) for k in keep} for e in summary['episodes']] == \
            [{k: e.get(k) for k in keep} for e in second['policies'][name]['episodes']]
        for record in summary['episodes']:
            words = record['referring'][len('the '):]
            assert words in record['instruction'] and record['parts'] >= 2
    assert first['policies']['heuristic-instructed']['per_category']['sideboard'][
        'attempted'] == 2
    with pytest.raises(ValueError, match='suite v2 runs with the flying hand'):
        evaluate.EvalConfig(suite='v2', executors=('scripted',), robot='panda')


@pytest.mark.render
def test_datagen_v2_records_the_parts_the_target_and_the_scenery(tmp_path):
    from robomamba_ros.sim.datagen import DatagenConfig, read_index, run_datagen

    config = DatagenConfig(num_samples=3, out_dir=str(tmp_path), seed=1, suite='v2',
                           categories=['unseen'], grid_samples=0)
    summary = run_datagen(config, progress=False)
    assert summary['suite'] == 'v2' and summary['samples'] == 3
    records = read_index(tmp_path)
    for record in records:
        assert record['split'] == 'unseen'
        assert categories.suite_of(record['category']) == 'v2'
        assert len(record['parts']) >= 2 and 0 <= record['target_part'] < len(record['parts'])
        assert record['parts'][record['target_part']]['kind'] == record['part_name']
        assert record['referring'][len('the '):] in record['instruction']
        assert record['camera']['lab'] in (True, False)
    with pytest.raises(ValueError, match='not in suite v1'):
        DatagenConfig(num_samples=1, out_dir=str(tmp_path), categories=['desk'])


def test_the_cli_takes_a_suite_and_refuses_a_category_of_another_in_one_line(tmp_path, capsys):
    import argparse

    from robomamba_ros.sim.cli import add_sim_parsers

    parser = argparse.ArgumentParser()
    add_sim_parsers(parser.add_subparsers())
    args = parser.parse_args(['eval', '--suite', 'v2', '--policy', 'oracle', '--out',
                              str(tmp_path), '--categories', 'laptop'])
    assert args.func(args) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("eval: category 'laptop' is not in suite v2")
    args = parser.parse_args(['datagen', '--suite', 'v2', '--num-samples', '1', '--out',
                              str(tmp_path), '--categories', 'laptop'])
    assert args.func(args) == 2
    with pytest.raises(SystemExit):
        parser.parse_args(['eval', '--suite', 'v9', '--policy', 'oracle', '--out', 'x'])
