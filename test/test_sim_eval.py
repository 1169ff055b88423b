# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Closed-loop evaluation: every scene counts, bad outputs fail with a reason, files appear."""

import json

import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.sim import evaluate
from robomamba_ros.sim.datagen import DATAGEN_SEED_SPACE
from robomamba_ros.sim.episode import Episode
from robomamba_ros.sim.low_level_task import LowLevelPullTask
from robomamba_ros.sim.policies import load_policy
from robomamba_ros.sim.suction import part_proximity
from robomamba_ros.tasks.low_level_pull import LowLevelTaskConfig


def test_eval_seeds_are_fixed_and_disjoint_from_datagen():
    seed = evaluate.eval_episode_seed(0, 'safe', 3)
    assert seed == evaluate.eval_episode_seed(0, 'safe', 3)
    assert seed != evaluate.eval_episode_seed(1, 'safe', 3)
    assert seed >= DATAGEN_SEED_SPACE


def test_aggregate_counts_every_attempt():
    records = [{'category': 'safe', 'success': True}, {'category': 'safe', 'success': False},
               {'category': 'oven', 'success': False}]
    result = evaluate.aggregate(records, ('oven', 'safe', 'kettle'))
    expected = {'attempted': 2, 'successes': 1, 'success_rate': 0.5}
    assert result['per_category']['safe'] == expected
    assert result['per_category']['kettle']['success_rate'] is None
    assert result['seen'] == 0.0  # oven
    assert result['unseen'] == 0.5  # safe; kettle has no scenes
    assert result['mean'] == 0.25


def test_unknown_policies_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match='unknown policy'):
        load_policy('telepathy')
    with pytest.raises(FileNotFoundError, match='config.json'):
        load_policy(str(tmp_path))  # a folder without a model


def _nan_policy(rgb, depth, K, instruction):
    return (np.nan, 3.0), [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]


def _outside_policy(rgb, depth, K, instruction):
    return (-40.0, -40.0), [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]


def _parallel_policy(rgb, depth, K, instruction):
    return (100.0, 100.0), [0.0, 0.0, 1.0], [0.0, 0.0, 2.0]


def test_eval_config_checks_its_executors():
    assert evaluate.EvalConfig().executors == ('primitive',)
    assert evaluate.EvalConfig(executors='scripted').executors == ('scripted',)
    with pytest.raises(ValueError, match='repeat'):
        evaluate.EvalConfig(executors=('scripted', 'scripted'))
    with pytest.raises(ValueError, match='pull task only'):
        evaluate.EvalConfig(primitive='push', executors=('primitive', 'scripted'))
    assert evaluate.EvalConfig(primitive='push').executors == ('primitive',)


def test_executors_load_by_name_and_unknown_ones_are_clear_errors(tmp_path):
    from robomamba_ros.offline.evaluation import load_executor

    assert isinstance(load_executor('primitive'), evaluate.PrimitiveExecutor)
    scripted = load_executor('scripted')
    assert isinstance(scripted, evaluate.ClosedLoopExecutor) and scripted.closed_loop
    with pytest.raises(ValueError, match='unknown executor'):
        load_executor('telekinesis')
    with pytest.raises(ValueError, match='unknown executor'):
        evaluate.builtin_executor('telekinesis')
    with pytest.raises(FileNotFoundError, match='config.json'):
        load_executor(str(tmp_path))  # a folder without a policy
    assert evaluate.short_name('runs/dense/model') == 'dense'
    assert evaluate.short_name('runs/dense') == 'dense'


def _label_target(category, seed):
    task = LowLevelPullTask()
    task.reset(category, seed)
    return task.point, task.up, task.forward


def test_dmm_run_folder_drives_the_closed_loop(tmp_path):
    from robomamba_ros.models.configuration_dmm import DMMConfig
    from robomamba_ros.models.dmm import DecisionMetaMamba
    from robomamba_ros.offline.controller import ReturnConditionedController
    from robomamba_ros.offline.processing import TrajectoryStats
    from robomamba_ros.tasks.low_level_pull import ACTION_SIZE, OBSERVATION_SIZE

    config = LowLevelTaskConfig(max_steps=4)
    model = tmp_path / 'tiny' / 'model'
    DecisionMetaMamba(DMMConfig(
        state_dim=OBSERVATION_SIZE, act_dim=ACTION_SIZE, hidden_size=16, num_layers=1,
        action_low=tuple(config.action_low.tolist()),
        action_high=tuple(config.action_high.tolist()))).save_pretrained(str(model))
    TrajectoryStats([0.0] * OBSERVATION_SIZE, [1.0] * OBSERVATION_SIZE, 5.0, 5.0).save(str(model))
    from robomamba_ros.offline.evaluation import load_executor
    executor = load_executor(str(tmp_path / 'tiny'), task_config=config)
    assert isinstance(executor.controller, ReturnConditionedController)
    result, extra = executor(Episode('drawer_cabinet', 0), *_label_target('drawer_cabinet', 0))
    assert extra['steps'] == 4 and np.isfinite(extra['return'])
    assert not result.success  # four steps of an untrained policy open nothing
    assert executor.controller.remaining == pytest.approx(5.0 - extra['return'])


@pytest.mark.render
@pytest.mark.parametrize('policy, reason, executor', [
    (_nan_policy, 'invalid action', 'primitive'),
    (_parallel_policy, 'invalid action', 'scripted'),
    (_outside_policy, 'no depth at pixel', 'scripted'),
])
def test_unusable_outputs_fail_with_a_reason(policy, reason, executor):
    record = evaluate.run_episode(policy, 'safe', evaluate.eval_episode_seed(0, 'safe', 0),
                                  executor=executor)
    assert (record['success'], record['reason'], record['executor']) == (False, reason, executor)
    if executor == 'scripted':
        assert record['return'] is None and record['steps'] is None  # no episode ran


@pytest.mark.render
def test_scripted_executor_pulls_the_oracle_prediction_in_the_rendered_scene():
    category, seed = 'drawer_cabinet', evaluate.eval_episode_seed(0, 'drawer_cabinet', 1)
    records = evaluate.run_scene(load_policy('oracle'), category, seed,
                                 {'primitive': 'primitive', 'scripted': 'scripted'})
    primitive, scripted = records['primitive'], records['scripted']
    # One prediction, two executors; both pull the drawer open.
    assert primitive['pixel'] == scripted['pixel']
    assert primitive['success'] and scripted['success']
    assert 'steps' not in primitive
    assert 0 < scripted['steps'] < 80 and scripted['return'] > 1.0
    # The rendered scene and the task's physics are one: a fresh task episode has the same
    # part state, and the part's pixels lie on its collision boxes.
    episode = Episode(category, seed)
    obs = episode.observe()
    task_episode = LowLevelPullTask()
    task_episode.reset(category, seed, target=(scripted['point_world_m'], [1.0, 0, 0],
                                               [0, 0, 1.0]))
    assert task_episode.episode.object.get_q() == episode.object.get_q()
    np.testing.assert_array_equal(task_episode.episode.object.link_pose(),
                                  episode.object.link_pose())
    rows, cols = np.nonzero(obs.mask_of(episode.object.movable_entity_ids()) & (obs.depth_m > 0))
    assert rows.size > 50
    points = episode.point_to_world(geometry.deproject(
        cols[::7], rows[::7], obs.depth_m[rows[::7], cols[::7]], obs.K))
    assert max(part_proximity(episode.object, p)[0] for p in points) < 2e-3
    assert part_proximity(episode.object, scripted['point_world_m'])[0] < 2e-3


@pytest.mark.render
def test_run_eval_writes_results_and_table(tmp_path):
    config = evaluate.EvalConfig(scenes_per_category=2, seed=0,
                                 categories=('cabinet_door', 'safe'))
    results = evaluate.run_eval(['random', 'oracle'], config, tmp_path, progress=False)
    saved = json.loads((tmp_path / 'eval.json').read_text())
    assert saved['config']['categories'] == ['cabinet_door', 'safe']
    assert saved['config']['executors'] == ['primitive']
    assert (tmp_path / 'eval_table.png').stat().st_size > 1000
    for name in ('random', 'oracle'):
        summary = results['policies'][name]
        assert len(summary['episodes']) == 4
        assert all(e['attempted'] == 2 for e in summary['per_category'].values())
    oracle = results['policies']['oracle']
    assert oracle['mean'] >= results['policies']['random']['mean']
    assert oracle['mean'] >= 0.5
    assert 'oracle' in evaluate.format_table(results)


@pytest.mark.render
def test_run_eval_pairs_every_policy_with_every_executor(tmp_path):
    config = evaluate.EvalConfig(scenes_per_category=1, seed=0, categories=('faucet',),
                                 executors=('primitive', 'scripted'))
    results = evaluate.run_eval(['heuristic'], config, tmp_path, progress=False)
    assert list(results['policies']) == ['heuristic + primitive', 'heuristic + scripted']
    scripted = results['policies']['heuristic + scripted']
    assert (scripted['policy'], scripted['executor']) == ('heuristic', 'scripted')
    assert scripted['episodes'][0]['steps'] > 0 and 'mean_return' in scripted
    assert 'heuristic + scripted' in evaluate.format_table(results)
    assert (tmp_path / 'eval_table.png').stat().st_size > 1000


def test_eval_config_checks_its_robot():
    from robomamba_ros.sim.panda_runner import PandaRunnerConfig
    assert evaluate.EvalConfig().panda_config() is None
    config = evaluate.EvalConfig(executors='scripted', robot='panda', gripper='suction')
    assert config.panda_config() == PandaRunnerConfig(gripper='suction')
    with pytest.raises(ValueError, match='robot'):
        evaluate.EvalConfig(robot='ur5')
    with pytest.raises(ValueError, match='gripper'):
        evaluate.EvalConfig(executors='scripted', robot='panda', gripper='magnet')
    with pytest.raises(ValueError, match='primitive moves the flying hand'):
        evaluate.EvalConfig(robot='panda')


def test_the_low_level_task_drives_the_panda_through_its_servo_interface():
    from robomamba_ros.sim.gripper import PARKING_POSITION_M
    from robomamba_ros.sim.panda_runner import PandaEpisodeRunner, PandaRunnerConfig
    from robomamba_ros.tasks.scripted import ScriptedController
    task = LowLevelPullTask(panda=PandaRunnerConfig(gripper='suction'))
    observation = task.reset('drawer_cabinet', 3)
    assert isinstance(task.runner, PandaEpisodeRunner)
    np.testing.assert_allclose(task.episode.gripper.pose()[:3, 3], PARKING_POSITION_M,
                               atol=1e-3)
    # The observation is the arm's hand, not the parked flying one.
    np.testing.assert_allclose(observation[:3], task.runner.hand_pose()[:3, 3], atol=1e-5)
    controller = ScriptedController(task.config, 'expert', np.random.default_rng(0),
                                    task.interaction)
    start = task.contact_distance()
    for _ in range(30):
        observation, _, terminated, truncated, info = task.step(controller(observation))
        if terminated or truncated:
            break
    assert task.contact_distance() < start or info['attached']
    assert task.runner.steps > 0 and task.episode.scene.timestep == pytest.approx(1e-3)


def test_on_the_panda_the_task_pulls_the_grasp_the_arm_was_placed_for():
    from robomamba_ros.sim.episode import Episode
    from robomamba_ros.sim.panda_runner import PandaRunnerConfig, reference_grasp
    task = LowLevelPullTask(panda=PandaRunnerConfig(gripper='fingers'))
    task.reset('drawer_cabinet', 3)
    fresh = Episode('drawer_cabinet', 3)
    label = reference_grasp(fresh, 'fingers')
    np.testing.assert_allclose(task.point, label.point_world_m, atol=1e-9)
    # For the fingers that is the drawer's handle, not a point on its front.
    fronts = [handle.front_m for handle in fresh.object.handles_world()]
    assert min(np.linalg.norm(task.point - front) for front in fronts) < 1e-9
    suction = LowLevelPullTask(panda=PandaRunnerConfig(gripper='suction'))
    suction.reset('drawer_cabinet', 3)
    np.testing.assert_allclose(
        suction.point, reference_grasp(Episode('drawer_cabinet', 3), 'suction').point_world_m,
        atol=1e-9)


@pytest.mark.render
def test_on_the_panda_the_oracle_predicts_the_grasp_the_arm_was_placed_for():
    from robomamba_ros.sim.panda_runner import reference_grasp
    seed = evaluate.eval_episode_seed(0, 'laptop', 0)  # no handle: the oracle samples a lid edge
    label = reference_grasp(Episode('laptop', seed), 'fingers')
    record, target, failure = evaluate.predict(load_policy('oracle'), Episode('laptop', seed),
                                               gripper='fingers', robot='panda')
    assert failure is None and record['pixel'] == list(label.pixel_uv)
    np.testing.assert_allclose(target[0], label.point_world_m, atol=5e-3)  # lifted with depth
    np.testing.assert_allclose(target[1], label.up_world, atol=1e-9)
    # Left to itself (the flying hand's protocol) it picks a grasp of its own.
    _, own, _ = evaluate.predict(load_policy('oracle'), Episode('laptop', seed),
                                 gripper='fingers')
    assert np.linalg.norm(own[0] - label.point_world_m) > 0.05


def test_eval_cli_refuses_the_primitive_on_the_panda_in_one_line(capsys):
    from robomamba_ros.cli import main
    status = main(['eval', '--policy', 'oracle', '--robot', 'panda', '--out', 'unused'])
    assert status == 2
    out = capsys.readouterr().out.strip()
    assert out.count('\n') == 0 and 'primitive moves the flying hand' in out


@pytest.mark.render
def test_run_eval_with_the_panda_records_the_robot_and_the_arms_failures(tmp_path):
    config = evaluate.EvalConfig(scenes_per_category=2, categories=('drawer_cabinet',),
                                 executors=('scripted',), robot='panda', gripper='fingers')
    results = evaluate.run_eval(['oracle'], config, tmp_path, progress=False)
    saved = json.loads((tmp_path / 'eval.json').read_text())
    assert saved['config']['robot'] == 'panda' and saved['config']['gripper'] == 'fingers'
    summary = results['policies']['oracle + scripted']
    assert len(summary['episodes']) == 2
    assert all('failure' in e for e in summary['episodes'])
    assert summary['mean'] >= 0.5  # the arm's fingers open the drawer
