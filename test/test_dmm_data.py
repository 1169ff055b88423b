# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Offline datasets: D4RL HDF5 layout, Minari folders, returns-to-go, training windows."""

import h5py
import numpy as np
import pytest

from robomamba_ros.offline.d4rl_format import (
    DatasetFormatError, load_dataset, load_minari_folder, read_d4rl_hdf5, split_episodes,
    write_d4rl_hdf5)
from robomamba_ros.offline.processing import returns_to_go, TrajectoryStats, WindowDataset


def _data(n=7, obs_dim=3, act_dim=2):
    rng = np.random.default_rng(0)
    terminals = np.zeros(n, bool)
    terminals[3] = True
    timeouts = np.zeros(n, bool)
    timeouts[-1] = True
    return {'observations': rng.normal(size=(n, obs_dim)).astype(np.float32),
            'actions': rng.uniform(-1, 1, (n, act_dim)).astype(np.float32),
            'rewards': np.arange(n, dtype=np.float32), 'terminals': terminals,
            'timeouts': timeouts}


def test_round_trip_with_metadata_and_episode_split(tmp_path):
    path = tmp_path / 'd.hdf5'
    write_d4rl_hdf5(str(path), _data(), {'level': 'expert'})
    data, metadata = read_d4rl_hdf5(str(path))
    assert metadata == {'level': 'expert'}
    np.testing.assert_array_equal(data['rewards'], np.arange(7))
    episodes = split_episodes(data)
    assert [len(e['rewards']) for e in episodes] == [4, 3]
    assert load_dataset(str(path))[0]['observations'].shape == (7, 3)


def _write_raw(path, data):
    with h5py.File(path, 'w') as f:
        for key, value in data.items():
            f.create_dataset(key, data=value)


def test_missing_key_is_named(tmp_path):
    data = _data()
    del data['timeouts']
    _write_raw(tmp_path / 'm.hdf5', data)
    with pytest.raises(DatasetFormatError, match=r"missing keys \['timeouts'\]"):
        read_d4rl_hdf5(str(tmp_path / 'm.hdf5'))


def test_length_mismatch_is_named(tmp_path):
    data = _data()
    data['rewards'] = data['rewards'][:-2]
    _write_raw(tmp_path / 'l.hdf5', data)
    with pytest.raises(DatasetFormatError,
                       match='length mismatch: observations has 7 rows, rewards has 5'):
        read_d4rl_hdf5(str(tmp_path / 'l.hdf5'))


def test_wrong_rank_missing_file_and_nan(tmp_path):
    data = _data()
    data['observations'] = data['observations'][:, 0]
    _write_raw(tmp_path / 'r.hdf5', data)
    with pytest.raises(DatasetFormatError, match='observations must be 2-D'):
        read_d4rl_hdf5(str(tmp_path / 'r.hdf5'))
    with pytest.raises(FileNotFoundError, match='dataset not found'):
        read_d4rl_hdf5(str(tmp_path / 'none.hdf5'))
    data = _data()
    data['actions'][0, 0] = np.nan
    with pytest.raises(DatasetFormatError, match='actions holds NaN'):
        write_d4rl_hdf5(str(tmp_path / 'n.hdf5'), data)


def test_minari_folder_loads_into_the_same_layout(tmp_path):
    folder = tmp_path / 'pull-v0'
    (folder / 'data').mkdir(parents=True)
    with h5py.File(folder / 'data' / 'main_data.hdf5', 'w') as f:
        for i, steps in enumerate((3, 2)):
            group = f.create_group(f'episode_{i}')
            group.create_dataset('observations', data=np.full((steps + 1, 4), i, np.float32))
            group.create_dataset('actions', data=np.zeros((steps, 2), np.float32))
            group.create_dataset('rewards', data=np.ones(steps))
            group.create_dataset('terminations', data=np.arange(steps) == steps - 1)
            group.create_dataset('truncations', data=np.zeros(steps, bool))
    data, _ = load_dataset(str(folder))
    assert data['observations'].shape == (5, 4)
    assert [len(e['rewards']) for e in split_episodes(data)] == [3, 2]
    with pytest.raises(FileNotFoundError, match='not a Minari dataset folder'):
        load_minari_folder(str(tmp_path))


def test_returns_to_go_stats_and_windows():
    np.testing.assert_allclose(returns_to_go(np.array([1.0, 2.0, 3.0])), [6.0, 5.0, 3.0])
    episodes = split_episodes(_data())
    stats = TrajectoryStats.from_episodes(episodes, reference={'expert_return': 10.0,
                                                               'random_return': 0.0})
    assert stats.rtg_scale == pytest.approx(15.0)  # the best episode: 4 + 5 + 6
    assert stats.target_return == 10.0  # the expert reference, not the best episode
    assert stats.normalized_score(5.0) == pytest.approx(50.0)
    dataset = WindowDataset(episodes, stats, context_length=3)
    assert len(dataset) == 7
    item = dataset[2]  # episode 0 from step 2: two real steps, one padding step
    assert item['states'].shape == (3, 3) and item['mask'].tolist() == [1.0, 1.0, 0.0]
    assert item['returns_to_go'][:, 0].tolist() == pytest.approx([5 / 15, 3 / 15, 0.0])
    assert item['timesteps'].tolist() == [2, 3, 4]


def _pull_observations(n, seed=0):
    """Random LowLevelPull-v1 observations with the task's layout (world frame)."""
    from robomamba_ros import geometry
    rng = np.random.default_rng(seed)
    R = geometry.rot6d_to_matrix(rng.normal(size=(n, 6)))
    position, point = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    up, forward = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    return np.concatenate([position, geometry.matrix_to_rot6d(R), rng.uniform(0, 0.08, (n, 1)),
                           point, up / np.linalg.norm(up, axis=1, keepdims=True), forward,
                           rng.integers(0, 2, (n, 1)), point - position], axis=1)


def _turn(observations, Q):
    """Turn the scene of observations by Q about the world origin."""
    out = np.array(observations, dtype=np.float64)
    for start in (0, 3, 6, 10, 13, 16, 20):
        out[:, start:start + 3] = out[:, start:start + 3] @ Q.T
    return out


def test_target_frame_is_invariant_to_turning_the_world_and_actions_round_trip():
    from robomamba_ros import geometry
    from robomamba_ros.tasks.low_level_pull import (
        actions_to_target_frame, actions_to_world_frame, LowLevelTaskConfig,
        observations_to_target_frame)
    from robomamba_ros.tasks.scripted import ScriptedController
    observations = _pull_observations(20)
    Q = geometry.rot6d_to_matrix(np.array([0.3, -1.0, 0.2, 0.9, 0.4, -0.1]))
    # The hand's part turns with the target; the target itself stays in the world frame.
    hand = np.r_[0:10, 19:23]
    local = observations_to_target_frame(observations)
    np.testing.assert_allclose(observations_to_target_frame(_turn(observations, Q))[:, hand],
                               local[:, hand], atol=1e-5)
    np.testing.assert_array_equal(local[:, 10:19], observations[:, 10:19].astype(np.float32))
    # The hand at the contact point with the target's orientation: origin and identity.
    at_target = observations.copy()
    R_t = geometry.gripper_rotation(observations[:, 13:16], observations[:, 16:19])
    at_target[:, 0:3] = observations[:, 10:13]
    at_target[:, 3:9] = geometry.matrix_to_rot6d(R_t)
    np.testing.assert_allclose(observations_to_target_frame(at_target)[:, :9],
                               np.tile([0, 0, 0, 1, 0, 0, 0, 1, 0], (20, 1)), atol=1e-5)
    # The expert's twist turns with the world, so in the target frame it does not change.
    config = LowLevelTaskConfig(max_linear_mps=1e3, max_angular_radps=1e3)  # no clipping
    act = [ScriptedController(config, 'expert', None)(o.astype(np.float32))
           for o in observations]
    turned = [ScriptedController(config, 'expert', None)(o.astype(np.float32))
              for o in _turn(observations, Q)]
    np.testing.assert_allclose(actions_to_target_frame(_turn(observations, Q), turned),
                               actions_to_target_frame(observations, act), atol=1e-3)
    np.testing.assert_allclose(
        actions_to_world_frame(observations, actions_to_target_frame(observations, act)), act,
        atol=1e-5)


def test_the_local_target_frame_is_the_same_in_any_upright_frame():
    from robomamba_ros import geometry
    from robomamba_ros.tasks.low_level_pull import observations_to_target_frame
    observations = _pull_observations(20)
    # An arm's base frame: turned about the vertical and moved, as the layout places the base.
    Q = geometry.axis_angle_to_matrix(np.array([0.0, 0.0, 2.1]))
    moved = _turn(observations, Q)
    moved[:, 0:3] += [0.7, -0.3, 0.1]
    moved[:, 10:13] += [0.7, -0.3, 0.1]
    local = observations_to_target_frame(observations, local=True)
    np.testing.assert_allclose(observations_to_target_frame(moved, local=True), local, atol=1e-5)
    # The 'target' frame keeps the target's pose in the world, so it sees the move.
    assert not np.allclose(observations_to_target_frame(moved)[:, 10:19],
                           observations_to_target_frame(observations)[:, 10:19], atol=1e-3)
    # What is left of the target is the vertical seen from it (a unit vector).
    np.testing.assert_array_equal(local[:, 10:13], 0.0)
    np.testing.assert_allclose(np.linalg.norm(local[:, 13:16], axis=1), 1.0, atol=1e-5)
    R_t = geometry.gripper_rotation(observations[:, 13:16], observations[:, 16:19])
    np.testing.assert_allclose(local[:, 13:16], R_t[:, 2, :], atol=1e-5)
    # A frame that is not upright changes it: the vertical is the one thing it keeps.
    tilted = _turn(observations, geometry.axis_angle_to_matrix(np.array([0.4, 0.0, 0.0])))
    assert not np.allclose(observations_to_target_frame(tilted, local=True), local, atol=1e-3)


def test_stats_in_the_target_frame_convert_states_and_actions():
    observations = _pull_observations(12).astype(np.float32)
    actions = np.random.default_rng(1).uniform(-1, 1, (12, 7)).astype(np.float32)
    episodes = [{'observations': observations, 'actions': actions,
                 'rewards': np.ones(12, np.float32)}]
    world = TrajectoryStats.from_episodes(episodes)
    target = TrajectoryStats.from_episodes(episodes, frame='target')
    assert world.frame == 'world' and target.frame == 'target'
    np.testing.assert_array_equal(world.model_actions(observations, actions), actions)
    assert not np.allclose(target.model_actions(observations, actions), actions)
    np.testing.assert_allclose(
        target.world_actions(observations, target.model_actions(observations, actions)),
        actions, atol=1e-5)
    # Normalised with the statistics of the converted states.
    np.testing.assert_allclose(target.model_states(observations).mean(0), 0.0, atol=1e-5)
    item = WindowDataset(episodes, target, context_length=4)[0]
    np.testing.assert_allclose(item['actions'], target.model_actions(observations[:4],
                                                                     actions[:4]), atol=1e-6)
    with pytest.raises(ValueError, match='frame must be one of'):
        TrajectoryStats([0.0], [1.0], 1.0, 1.0, frame='base')
