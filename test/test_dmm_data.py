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
