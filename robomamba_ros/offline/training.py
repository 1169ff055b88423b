# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``train-dmm``: DT-style offline training of Decision MetaMamba or the Decision Transformer.

Reads a D4RL-layout dataset, optionally converts LowLevelPull-v1 observations and actions to the
target frame, normalises states with the dataset's statistics, scales returns-to-go by the best
episode return, and runs the shared optimizer loop of
:func:`robomamba_ros.train.trainer.optimize` on every K-step window. Writes ``model/``
(``config.json``, ``model.safetensors``, ``stats.json``), ``checkpoint/``, ``log.json`` and
``loss.png`` under ``out``.
"""

import dataclasses
import json
import os

import numpy as np
import torch

from robomamba_ros.models.configuration_dmm import DMMConfig, matched_dt_config
from robomamba_ros.models.dmm import DecisionMetaMamba
from robomamba_ros.models.dt_baseline import DecisionTransformerPolicy
from robomamba_ros.offline.d4rl_format import load_dataset, split_episodes
from robomamba_ros.offline.processing import TrajectoryStats, WindowDataset
from robomamba_ros.tasks import low_level_pull
from robomamba_ros.train.trainer import LOG_FILE, MODEL_DIR, optimize, PLOT_FILE, plot_losses


def build_policy(cfg, state_dim, act_dim, action_low, action_high, max_episode_length):
    """
    Build an untrained policy of the run's kind.

    :param cfg: a :class:`~robomamba_ros.offline.configuration_dmm_train.DMMTrainConfig`.
    :param state_dim: observation size.
    :param act_dim: action size.
    :param action_low: per-dimension lower bounds.
    :param action_high: per-dimension upper bounds.
    :param max_episode_length: longest episode (DT timestep embedding rows).
    :return: a :class:`DecisionMetaMamba` or :class:`DecisionTransformerPolicy`.
    """
    config = DMMConfig(
        state_dim=state_dim, act_dim=act_dim, hidden_size=cfg.hidden_size,
        num_layers=cfg.num_layers, mixer=cfg.mixer, window=cfg.window, use_conv=cfg.use_conv,
        dropout=cfg.dropout, context_length=cfg.context_length,
        action_low=tuple(action_low), action_high=tuple(action_high))
    if cfg.policy == 'dt':
        return DecisionTransformerPolicy(matched_dt_config(
            config, max_episode_length=max_episode_length))
    return DecisionMetaMamba(config)


def load_policy(folder, device='cpu'):
    """
    Load a trained policy folder (DMM or DT, told apart by ``config.json``) and its stats.

    :param folder: ``model/`` folder written by ``train-dmm``.
    :param device: target device.
    :return: ``(policy in eval mode, TrajectoryStats)``.
    """
    path = os.path.join(folder, 'config.json')
    if not os.path.isfile(path):
        raise FileNotFoundError(f'policy config not found: {path}')
    with open(path, encoding='utf-8') as f:
        model_type = json.load(f).get('model_type')
    classes = {cls.config_class.model_type: cls
               for cls in (DecisionMetaMamba, DecisionTransformerPolicy)}
    if model_type not in classes:
        raise ValueError(f'{path}: model_type must be one of {sorted(classes)}, got '
                         f'{model_type!r}')
    return classes[model_type].from_pretrained(folder, device), TrajectoryStats.load(folder)


def _batches(loader):
    while True:
        yield from loader


def _action_bounds(data, metadata, frame='world'):
    if frame in low_level_pull.TARGET_FRAMES:
        # Rotated into the target frame, a twist component may exceed its world bound.
        scale = np.array([low_level_pull.TARGET_FRAME_ACTION_SCALE] * 6 + [1.0])
        low, high = _action_bounds(data, metadata)
        return (list(np.asarray(low) * scale), list(np.asarray(high) * scale))
    if 'action_low' in metadata and 'action_high' in metadata:
        return metadata['action_low'], metadata['action_high']
    # D4RL locomotion actions live in [-1, 1]; widen to the data when it goes further.
    bound = max(1.0, float(np.abs(data['actions']).max()))
    return [-bound] * data['actions'].shape[1], [bound] * data['actions'].shape[1]


def _check_frame(cfg, data, metadata):
    """Refuse the target frame for data that is not LowLevelPull-v1's."""
    sizes = (data['observations'].shape[1], data['actions'].shape[1])
    if cfg.frame in low_level_pull.TARGET_FRAMES and (
            metadata.get('task', low_level_pull.TASK_ID) != low_level_pull.TASK_ID or
            sizes != (low_level_pull.OBSERVATION_SIZE, low_level_pull.ACTION_SIZE)):
        raise ValueError(f'frame {cfg.frame!r} needs {low_level_pull.TASK_ID} data, got task '
                         f"{metadata.get('task')!r} with observation and action sizes {sizes}")


def train_dmm(cfg, progress=True):
    """
    Train one policy and write its outputs under ``cfg.out``.

    :param cfg: a :class:`~robomamba_ros.offline.configuration_dmm_train.DMMTrainConfig`.
    :param progress: show a tqdm bar.
    :return: summary dict (also in ``log.json``).
    """
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    device = torch.device('cuda' if cfg.device == 'cuda' or (
        cfg.device == 'auto' and torch.cuda.is_available()) else 'cpu')
    data, metadata = load_dataset(cfg.data)
    _check_frame(cfg, data, metadata)
    episodes = split_episodes(data)
    reference = {key: metadata[key] for key in ('expert_return', 'random_return')
                 if key in metadata}
    stats = TrajectoryStats.from_episodes(episodes, reference=reference, frame=cfg.frame)
    low, high = _action_bounds(data, metadata, cfg.frame)
    policy = build_policy(cfg, data['observations'].shape[1], data['actions'].shape[1], low,
                          high, max(len(e['rewards']) for e in episodes))
    policy.to(device).train()
    dataset = WindowDataset(episodes, stats, cfg.context_length)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=cfg.batch_size, shuffle=True,
        drop_last=len(dataset) >= cfg.batch_size,
        generator=torch.Generator().manual_seed(cfg.seed))
    os.makedirs(cfg.out, exist_ok=True)
    print(f'train-dmm {cfg.label}: {policy.num_parameters():,} parameters, {len(episodes)} '
          f'episodes, {len(dataset)} windows of {cfg.context_length} steps')
    steps, history, seconds = optimize(
        policy, list(policy.parameters()), _batches(loader), cfg, device, progress=progress,
        desc=f'train-dmm {cfg.label}')
    model_dir = os.path.join(cfg.out, MODEL_DIR)
    policy.save_pretrained(model_dir)
    stats.save(model_dir)
    plot_losses(history, os.path.join(cfg.out, PLOT_FILE), f'{cfg.label} on '
                f'{os.path.basename(cfg.data)}')
    summary = {
        'label': cfg.label, 'config': dataclasses.asdict(cfg), 'steps': steps,
        'parameters': policy.num_parameters(), 'episodes': len(episodes),
        'windows': len(dataset), 'dataset_metadata': metadata, 'first_loss': history[0]['loss'],
        'final_loss': history[-1]['loss'], 'seconds': seconds, 'model_dir': model_dir,
        'history': history,
    }
    with open(os.path.join(cfg.out, LOG_FILE), 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=1)
    return summary


__all__ = ['build_policy', 'load_policy', 'train_dmm']
