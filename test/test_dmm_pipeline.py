# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""dmm-data -> train-dmm (DMM and DT) -> eval-dmm through the command-line parsers."""

import argparse
import json

import pytest

from robomamba_ros.offline.cli import add_dmm_parsers
from robomamba_ros.offline.d4rl_format import read_d4rl_hdf5


def _run(*argv):
    parser = argparse.ArgumentParser()
    add_dmm_parsers(parser.add_subparsers(dest='command'))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


@pytest.mark.slow
def test_generate_train_and_evaluate(tmp_path):
    data = tmp_path / 'expert.hdf5'
    assert _run('dmm-data', '--out', data, '--episodes', 3, '--categories', 'drawer_cabinet',
                '--quiet') == 0
    arrays, metadata = read_d4rl_hdf5(str(data))
    assert metadata['level'] == 'expert' and metadata['success_rate'] == 1.0
    assert arrays['observations'].shape[1] == 23 and arrays['actions'].shape[1] == 7
    runs = []
    for policy, frame in (('dmm', 'target'), ('dt', 'world')):
        out = tmp_path / policy
        assert _run('train-dmm', '--data', data, '--out', out, '--policy', policy,
                    '--max-steps', 4, '--batch-size', 8, '--hidden-size', 16, '--num-layers',
                    1, '--warmup-steps', 1, '--frame', frame, '--quiet') == 0
        stats = json.loads((out / 'model' / 'stats.json').read_text())
        assert stats['frame'] == frame and (out / 'loss.png').is_file()
        runs.append(out)
    assert _run('eval-dmm', *runs, '--out', tmp_path / 'eval', '--episodes', 1,
                '--categories', 'drawer_cabinet', '--quiet') == 0
    results = json.loads((tmp_path / 'eval' / 'eval.json').read_text())
    assert [row['label'] for row in results['table']] == ['dmm-dense', 'dt']
    assert (tmp_path / 'eval' / 'eval_table.png').is_file()
    assert _run('train-dmm', '--data', data, '--out', tmp_path / 'x', '--lr', '0') == 2


@pytest.mark.slow
def test_data_and_evaluation_with_the_panda_record_the_robot(tmp_path):
    data = tmp_path / 'panda.hdf5'
    assert _run('dmm-data', '--out', data, '--episodes', 1, '--categories', 'drawer_cabinet',
                '--robot', 'panda', '--gripper', 'fingers', '--quiet') == 0
    arrays, metadata = read_d4rl_hdf5(str(data))
    assert (metadata['robot'], metadata['gripper']) == ('panda', 'fingers')
    # The expert opens this drawer with the arm's fingers on its handle, more slowly than the
    # flying hand, which needs fewer than 40 steps.
    assert metadata['success_rate'] == 1.0 and metadata['transitions'] > 40
    out = tmp_path / 'run'
    assert _run('train-dmm', '--data', data, '--out', out, '--max-steps', 2, '--batch-size', 4,
                '--hidden-size', 16, '--num-layers', 1, '--warmup-steps', 1, '--quiet') == 0
    assert json.loads((out / 'log.json').read_text())['dataset_metadata']['robot'] == 'panda'
    assert _run('eval-dmm', out, '--out', tmp_path / 'eval', '--episodes', 1, '--categories',
                'drawer_cabinet', '--robot', 'panda', '--gripper', 'suction', '--quiet') == 0
    results = json.loads((tmp_path / 'eval' / 'eval.json').read_text())
    assert (results['robot'], results['gripper']) == ('panda', 'suction')
    assert results['reference']['expert_success'] == 1.0


def test_target_frame_needs_low_level_pull_data(tmp_path):
    import numpy as np
    from robomamba_ros.offline.configuration_dmm_train import DMMTrainConfig
    from robomamba_ros.offline.d4rl_format import write_d4rl_hdf5
    from robomamba_ros.offline.training import train_dmm
    n = 10
    data = {'observations': np.zeros((n, 5), np.float32), 'actions': np.zeros((n, 2), np.float32),
            'rewards': np.zeros(n, np.float32), 'terminals': np.arange(n) == n - 1,
            'timeouts': np.zeros(n, bool)}
    write_d4rl_hdf5(str(tmp_path / 'd.hdf5'), data, {'task': 'hopper'})
    cfg = DMMTrainConfig(data=str(tmp_path / 'd.hdf5'), out=str(tmp_path / 'run'),
                         frame='target', max_steps=1)
    with pytest.raises(ValueError, match="frame 'target' needs LowLevelPull-v1 data"):
        train_dmm(cfg, progress=False)
    with pytest.raises(ValueError, match='frame must be one of'):
        DMMTrainConfig(data='d', out='o', frame='hand')


def test_medium_expert_plan_is_half_each_and_seeded():
    from robomamba_ros.offline.generate import episode_plan
    plan = episode_plan('medium-expert', 9, seed=0)
    assert (plan.count('expert'), plan.count('medium')) == (5, 4)
    assert plan == episode_plan('medium-expert', 9, seed=0)
    assert episode_plan('medium-expert', 9, seed=1) != plan
    assert episode_plan('expert', 3, seed=0) == ['expert'] * 3
    with pytest.raises(ValueError, match='level must be one of'):
        episode_plan('medium-replay', 3, seed=0)


class _Task:
    """Stand-in task whose reset fails for the given (category, seed) pairs."""

    def __init__(self, unbuildable):
        self.unbuildable = set(unbuildable)

    def reset(self, category, seed):
        if (category, seed) in self.unbuildable:
            raise RuntimeError(f'no pullable contact label for {category} seed {seed}')


def test_episode_seeds_skip_seeds_without_a_label():
    from robomamba_ros.offline.generate import episode_seeds, MAX_SKIPPED_SEEDS
    categories = ('a', 'b')
    episodes, skipped = episode_seeds(_Task([]), categories, 5, seed=10)
    assert episodes == [('a', 10), ('b', 10), ('a', 11), ('b', 11), ('a', 12)]
    assert skipped == []
    # Category b loses seed 10: its episodes move on by one seed, a's stay.
    episodes, skipped = episode_seeds(_Task([('b', 10)]), categories, 5, seed=10)
    assert episodes == [('a', 10), ('b', 11), ('a', 11), ('b', 12), ('a', 12)]
    assert skipped == [('b', 10)]
    never = _Task([('b', s) for s in range(10, 10 + MAX_SKIPPED_SEEDS)])
    with pytest.raises(RuntimeError, match=f'b: no pullable contact label in {MAX_SKIPPED_SEEDS}'):
        episode_seeds(never, categories, 2, seed=10)


def test_category_words_expand_to_the_split():
    from robomamba_ros.cli import build_parser
    from robomamba_ros.offline.cli import _categories
    from robomamba_ros.offline.generate import DATASET_LEVELS
    from robomamba_ros.sim.categories import SEEN_CATEGORIES, UNSEEN_CATEGORIES
    # The CLI offers every level the generator makes, and no other.
    for level in DATASET_LEVELS:
        assert build_parser().parse_args(['dmm-data', '--out', 'd', '--level', level]).level \
            == level
    with pytest.raises(SystemExit):
        build_parser().parse_args(['dmm-data', '--out', 'd', '--level', 'medium-replay'])
    assert _categories(['seen']) == SEEN_CATEGORIES
    assert set(_categories(['unseen', 'drawer_cabinet'])) == {*UNSEEN_CATEGORIES, 'drawer_cabinet'}
    # Plain names keep the given order (datasets depend on it).
    assert _categories(['microwave,drawer_cabinet']) == ('microwave', 'drawer_cabinet')


def test_perturbed_expert_is_the_expert_between_disturbances():
    import numpy as np
    from robomamba_ros.tasks import scripted
    from robomamba_ros.tasks.low_level_pull import LowLevelTaskConfig
    config = LowLevelTaskConfig()
    # Hand 20 cm back along up from a contact point, upright: the approach phase.
    point, up, forward = np.array([0.3, 0.0, 0.5]), np.array([1.0, 0.0, 0.0]), \
        np.array([0.0, 0.0, 1.0])
    R = np.stack([forward, np.cross(up, forward), up], axis=1)
    position = point - 0.35 * up
    observation = np.concatenate([position, R[:, 0], R[:, 1], [0.0], point, up, forward, [0.0],
                                  point - position]).astype(np.float32)
    expert = scripted.ScriptedController(config, 'expert', np.random.default_rng(0))
    perturbed = scripted.ScriptedController(config, 'perturbed', np.random.default_rng(0))
    clean = expert(observation)
    runs, length, previous = [], 0, clean
    steps = 1000
    for _ in range(steps):
        action = perturbed(observation)
        if length and not np.array_equal(action, previous):
            runs.append(length)  # a disturbance ended (another may start right away)
            length = 0
        if not np.array_equal(action, clean):
            # The suction command stays the expert's (phase 0).
            assert action[6] == clean[6] and np.all(np.abs(action) <= config.action_high)
            length += 1
        previous = action
    low, high = scripted.DISTURBANCE_STEPS
    assert runs and min(runs) >= low and max(runs) <= high
    # About DISTURBANCE_PROBABILITY of the undisturbed steps start one.
    assert 0.5 < len(runs) / (steps - sum(runs)) / scripted.DISTURBANCE_PROBABILITY < 1.5
    # On the way to the contact pose, some disturbances also close the suction.
    perturbed.reset()
    perturbed.phase = 1
    commands = [perturbed(observation)[6] for _ in range(300)]
    assert perturbed.phase == 1 and set(commands) == {-1.0, 1.0}
