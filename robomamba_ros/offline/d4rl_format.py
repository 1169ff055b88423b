# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Offline datasets in the D4RL HDF5 layout, and Minari dataset folders found locally.

D4RL layout (flat over all episodes, N transitions)::

    observations (N, obs_dim) float32    actions (N, act_dim) float32    rewards (N,) float32
    terminals (N,) bool                  timeouts (N,) bool

An episode ends at a ``terminals`` or ``timeouts`` flag. A user's own D4RL files load through
:func:`read_d4rl_hdf5` unchanged; nothing is downloaded. Minari folders
(``<dataset>/data/main_data.hdf5`` with one ``episode_<i>`` group per episode holding
``observations`` (T+1, d), ``actions``, ``rewards``, ``terminations``, ``truncations``) are
converted to the same flat layout by :func:`load_minari_folder`.
"""

import json
import os

import numpy as np

REQUIRED_KEYS = ('observations', 'actions', 'rewards', 'terminals', 'timeouts')
METADATA_ATTR = 'robomamba_metadata'
MINARI_FILE = os.path.join('data', 'main_data.hdf5')


class DatasetFormatError(ValueError):
    """A dataset file does not have the expected layout."""


def _h5py():
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - h5py is a dependency
        raise ImportError('reading offline datasets needs h5py: pip install h5py') from exc
    return h5py


def validate(data, source='dataset'):
    """
    Check the D4RL arrays for presence, rank and equal lengths.

    :param data: dict of arrays.
    :param source: file name for the messages.
    :return: ``data`` with float32 observations/actions/rewards and bool flags.
    :raises DatasetFormatError: naming the missing key or the key with the wrong shape.
    """
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise DatasetFormatError(
            f'{source}: missing keys {missing}; a D4RL file needs {list(REQUIRED_KEYS)}, this '
            f'one has {sorted(data)}')
    out = dict(data)
    for key in ('observations', 'actions'):
        out[key] = np.asarray(data[key], dtype=np.float32)
        if out[key].ndim != 2:
            raise DatasetFormatError(
                f'{source}: {key} must be 2-D (N, dim), got shape {out[key].shape}')
    out['rewards'] = np.asarray(data['rewards'], dtype=np.float32).reshape(-1) \
        if np.ndim(data['rewards']) == 2 and np.shape(data['rewards'])[1] == 1 \
        else np.asarray(data['rewards'], dtype=np.float32)
    for key in ('terminals', 'timeouts'):
        out[key] = np.asarray(data[key]).astype(bool)
    length = len(out['observations'])
    for key in REQUIRED_KEYS[1:]:
        if out[key].ndim != (2 if key == 'actions' else 1):
            raise DatasetFormatError(f'{source}: {key} has shape {out[key].shape}')
        if len(out[key]) != length:
            raise DatasetFormatError(
                f'{source}: length mismatch: observations has {length} rows, {key} has '
                f'{len(out[key])}')
    if length == 0:
        raise DatasetFormatError(f'{source}: the dataset is empty')
    for key in ('observations', 'actions', 'rewards'):
        if not np.all(np.isfinite(out[key])):
            raise DatasetFormatError(f'{source}: {key} holds NaN or inf')
    return out


def write_d4rl_hdf5(path, data, metadata=None):
    """
    Write a dataset in the D4RL layout.

    :param path: ``.hdf5`` file to create (parent folders are created).
    :param data: dict with the :data:`REQUIRED_KEYS` arrays (extra arrays are written too).
    :param metadata: JSON-ready dict stored as the ``robomamba_metadata`` file attribute.
    :return: ``path``.
    """
    h5py = _h5py()
    data = validate(data, os.path.basename(path))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with h5py.File(path, 'w') as f:
        for key, value in data.items():
            f.create_dataset(key, data=np.asarray(value), compression='gzip')
        if metadata is not None:
            f.attrs[METADATA_ATTR] = json.dumps(metadata)
    return path


def read_d4rl_hdf5(path):
    """
    Read a D4RL-layout HDF5 file.

    :param path: the file.
    :return: ``(data, metadata)``: dict of arrays, and the metadata dict (empty if none).
    :raises FileNotFoundError: when the file does not exist.
    :raises DatasetFormatError: for missing keys, wrong ranks or unequal lengths.
    """
    h5py = _h5py()
    if not os.path.isfile(path):
        raise FileNotFoundError(f'dataset not found: {path}')
    with h5py.File(path, 'r') as f:
        data = {key: f[key][()] for key in f.keys() if isinstance(f[key], h5py.Dataset)}
        metadata = json.loads(f.attrs[METADATA_ATTR]) if METADATA_ATTR in f.attrs else {}
    return validate(data, os.path.basename(path)), metadata


def load_minari_folder(folder):
    """
    Load a Minari dataset folder into the flat D4RL layout (no ``minari`` import needed).

    :param folder: the dataset folder (holding ``data/main_data.hdf5``).
    :return: ``(data, metadata)``; metadata from ``data/metadata.json`` when present.
    :raises FileNotFoundError: when ``data/main_data.hdf5`` is missing.
    :raises DatasetFormatError: for dictionary observations or inconsistent episodes.
    """
    h5py = _h5py()
    path = os.path.join(folder, MINARI_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'not a Minari dataset folder (no {MINARI_FILE}): {folder}')
    parts = {key: [] for key in REQUIRED_KEYS}
    with h5py.File(path, 'r') as f:
        names = sorted((k for k in f.keys() if k.startswith('episode_')),
                       key=lambda k: int(k.split('_')[1]))
        for name in names:
            episode = f[name]
            for key in ('observations', 'actions', 'rewards', 'terminations', 'truncations'):
                if key not in episode:
                    raise DatasetFormatError(f'{path}: {name} has no {key}')
            if not isinstance(episode['observations'], h5py.Dataset):
                raise DatasetFormatError(
                    f'{path}: {name} has dictionary observations; only flat arrays are read')
            steps = len(episode['actions'])
            observations = episode['observations'][()]
            if len(observations) not in (steps, steps + 1):
                raise DatasetFormatError(
                    f'{path}: {name} has {len(observations)} observations for {steps} actions')
            parts['observations'].append(observations[:steps])
            parts['actions'].append(episode['actions'][()].reshape(steps, -1))
            parts['rewards'].append(episode['rewards'][()].reshape(steps))
            parts['terminals'].append(episode['terminations'][()].reshape(steps))
            timeouts = episode['truncations'][()].reshape(steps).astype(bool)
            # The last step ends the episode even when neither flag is set.
            timeouts[-1] |= not parts['terminals'][-1][-1]
            parts['timeouts'].append(timeouts)
    if not names:
        raise DatasetFormatError(f'{path}: no episode_<i> groups')
    metadata = {}
    meta_path = os.path.join(folder, 'data', 'metadata.json')
    if os.path.isfile(meta_path):
        with open(meta_path, encoding='utf-8') as f:
            metadata = json.load(f)
    data = {key: np.concatenate(value) for key, value in parts.items()}
    return validate(data, path), metadata


def load_dataset(path):
    """
    Load a D4RL-layout ``.hdf5`` file or a Minari dataset folder.

    :param path: file or folder.
    :return: ``(data, metadata)``.
    """
    if os.path.isdir(path):
        return load_minari_folder(path)
    return read_d4rl_hdf5(path)


def split_episodes(data):
    """
    Cut the flat arrays into episodes at ``terminals`` or ``timeouts`` (and at the end).

    :param data: validated D4RL dict.
    :return: list of dicts with ``observations``, ``actions``, ``rewards``, ``terminals``.
    """
    ends = np.flatnonzero(data['terminals'] | data['timeouts'])
    bounds = list(ends + 1)
    if not bounds or bounds[-1] != len(data['rewards']):
        bounds.append(len(data['rewards']))
    episodes, start = [], 0
    for end in bounds:
        episodes.append({key: data[key][start:end]
                         for key in ('observations', 'actions', 'rewards', 'terminals')})
        start = end
    return episodes


__all__ = ['DatasetFormatError', 'REQUIRED_KEYS', 'load_dataset', 'load_minari_folder',
           'read_d4rl_hdf5', 'split_episodes', 'validate', 'write_d4rl_hdf5']
