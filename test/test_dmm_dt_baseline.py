# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Decision Transformer baseline: matched config, interface, re-forward step, save/load."""

import torch

from robomamba_ros.models.configuration_dmm import DMMConfig, matched_dt_config
from robomamba_ros.models.dmm import DecisionMetaMamba
from robomamba_ros.models.dt_baseline import DecisionTransformerPolicy


def _pair():
    dmm_config = DMMConfig(state_dim=4, act_dim=2, action_low=-2.0, action_high=2.0)
    torch.manual_seed(0)
    return DecisionMetaMamba(dmm_config), DecisionTransformerPolicy(
        matched_dt_config(dmm_config, max_episode_length=100)).eval()


def test_matched_width_depth_context_and_bounds():
    dmm, dt = _pair()
    hf = dt.transformer.config
    assert (hf.hidden_size, hf.n_layer) == (dmm.config.hidden_size, dmm.config.num_layers)
    assert dt.config.context_length == dmm.config.context_length == 8
    assert dt.config.action_high == dmm.config.action_high == (2.0, 2.0)


def test_step_reforwards_the_last_k_steps():
    _, dt = _pair()
    g = torch.Generator().manual_seed(2)
    length = 12
    rtg = torch.randn(1, length, 1, generator=g)
    states = torch.randn(1, length, 4, generator=g)
    actions = torch.rand(1, length, 2, generator=g) * 4 - 2
    timesteps = torch.arange(length)[None]
    dt.reset()
    for t in range(length):
        out = dt.step(rtg[:, t], states[:, t], actions[:, t - 1] if t else None)
        start = max(0, t - 7)
        window = dt.predict(rtg[:, start:t + 1], states[:, start:t + 1],
                            actions[:, start:t + 1], timesteps[:, start:t + 1])
        torch.testing.assert_close(out, window[:, -1], atol=1e-5, rtol=0)
        assert out.abs().max() <= 2.0


def test_loss_and_save_load(tmp_path):
    _, dt = _pair()
    batch = {'returns_to_go': torch.randn(2, 8, 1), 'states': torch.randn(2, 8, 4),
             'actions': torch.rand(2, 8, 2), 'timesteps': torch.arange(8).repeat(2, 1),
             'mask': torch.ones(2, 8)}
    loss, metrics = dt(batch)
    assert loss.ndim == 0 and metrics['loss'] > 0
    dt.save_pretrained(tmp_path / 'dt')
    loaded = DecisionTransformerPolicy.from_pretrained(tmp_path / 'dt')
    with torch.no_grad():
        torch.testing.assert_close(loaded(batch)[0], dt(batch)[0], atol=0, rtol=0)
