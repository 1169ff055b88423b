# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Decision MetaMamba's numpy step: equals the forward, follows weight and mode changes."""

from dmm_helpers import dmm_model as _model, dmm_sequence as _sequence, STATE_DIM
import numpy as np
import pytest
import torch

from robomamba_ros.models.configuration_dmm import MIXERS
from robomamba_ros.models.dmm_recurrent import RecurrentDMM, RecurrentState


def _rollout(model, rtg, states, actions, steps, start=0):
    return torch.stack([model.step(rtg[:, t], states[:, t], actions[:, t - 1] if t else None)
                        for t in range(start, start + steps)], dim=1)


def _full(model, rtg, states, actions):
    with torch.no_grad():
        return model.predict(rtg, states, actions)


@pytest.mark.parametrize('use_conv', (True, False))
@pytest.mark.parametrize('mixer', MIXERS)
def test_twin_equals_forward_for_batch_one_with_numpy_inputs(mixer, use_conv):
    # Non-default window and conv kernel; every LayerNorm affine, A_log and D away from their
    # initial values (a zero LayerNorm bias would hide how the twin folds it).
    model = _model(mixer, use_conv, window=3, conv_kernel=2, num_layers=2)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'norm' in name or name.endswith(('A_log', '.D')):
                p.add_(0.3 * torch.randn_like(p))
    rtg, states, actions = _sequence(1, 200, seed=2)
    full = _full(model, rtg, states, actions)
    model.reset()
    # Float, numpy (float64 too) and 1-D inputs are accepted.
    stepped = []
    for t in range(200):
        previous = None
        if t:
            previous = actions[0, t - 1] if t % 2 else actions[0, t - 1].numpy().astype(float)
        stepped.append(model.step(float(rtg[0, t, 0]), states[0, t].numpy(), previous))
    torch.testing.assert_close(torch.stack(stepped, dim=1), full, atol=1e-5, rtol=0)


def test_default_previous_action_is_the_returned_one():
    model = _model()
    rtg, states, _ = _sequence(3, 30)
    model.reset(batch_size=3)
    actions = []
    for t in range(30):
        actions.append(model.step(rtg[:, t], states[:, t]))  # previous action left out
    actions = torch.stack(actions, dim=1)
    # The forward, fed the actions the step returned, predicts the same ones.
    torch.testing.assert_close(_full(model, rtg, states, actions), actions, atol=1e-5, rtol=0)


def test_episodes_after_reset_are_independent_and_batch_size_may_change():
    model = _model('conv')
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'norm' in name:
                p.add_(0.5 * torch.randn_like(p))
    rtg, states, actions = _sequence(2, 40)
    full = _full(model, rtg, states, actions)
    for batch in (2, 1, 2):
        model.reset(batch_size=batch)
        stepped = _rollout(model, rtg[:batch], states[:batch], actions[:batch], 40)
        torch.testing.assert_close(stepped, full[:batch], atol=1e-5, rtol=0)


def test_new_weights_take_effect_at_the_next_episode():
    model = _model()
    rtg, states, actions = _sequence(2, 20)
    model.reset(batch_size=2)
    _rollout(model, rtg, states, actions, 20)
    first = model._twin
    # Same weights: the twin is kept.
    model.reset(batch_size=2)
    _rollout(model, rtg, states, actions, 2)
    assert model._twin is first
    # load_state_dict copies in place; the next episode rebuilds the twin.
    model.load_state_dict(_model(seed=5).state_dict())
    model.reset(batch_size=2)
    torch.testing.assert_close(_rollout(model, rtg, states, actions, 20),
                               _full(model, rtg, states, actions), atol=1e-5, rtol=0)
    assert model._twin is not first
    # So does an optimiser step.
    before = model._twin
    with torch.no_grad():
        model.layers[1].mamba.out_proj.weight.mul_(1.5)
    model.reset(batch_size=2)
    torch.testing.assert_close(_rollout(model, rtg, states, actions, 20),
                               _full(model, rtg, states, actions), atol=1e-5, rtol=0)
    assert model._twin is not before
    # The twin is not a submodule: it never reaches the state dict.
    assert not any('twin' in key or 'recurrent' in key for key in model.state_dict())


@pytest.mark.parametrize('mixer', MIXERS)
def test_switching_to_the_torch_layers_mid_episode_keeps_the_state(mixer):
    # Without dropout, train mode computes the same function on the torch layers.
    model = _model(mixer, dropout=0.0)
    rtg, states, actions = _sequence(2, 60)
    full = _full(model, rtg, states, actions)
    model.reset(batch_size=2)
    # Switch after 1 step (mixer window not yet filled) or 30 steps.
    switch = 1 if mixer == 'linear' else 30
    first = _rollout(model, rtg, states, actions, switch)
    assert isinstance(model._state, RecurrentState)
    model.train()
    rest = _rollout(model, rtg, states, actions, 60 - switch, start=switch)
    assert isinstance(model._state, list)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), full, atol=1e-5, rtol=0)
    # Back in eval mode, the episode stays on the torch layers; the next one uses the twin.
    model.eval()
    model.step(rtg[:, 0], states[:, 0])
    assert isinstance(model._state, list)
    model.reset(batch_size=2)
    model.step(rtg[:, 0], states[:, 0])
    assert isinstance(model._state, RecurrentState)


def test_float64_models_use_the_torch_layers():
    model = _model().double()
    model.reset()
    with pytest.raises(RuntimeError):  # the torch step feeds float32 inputs, as before
        model.step(0.5, torch.zeros(STATE_DIM))
    assert model._state is None or isinstance(model._state, list)


def test_bad_inputs_raise_clear_errors():
    model = _model()
    model.reset()
    with pytest.raises(ValueError, match=r'state needs rows of 5 values, got shape \(4,\)'):
        model.step(0.5, np.zeros(4))
    model.step(0.5, np.zeros(STATE_DIM))
    with pytest.raises(ValueError, match='previous_action needs rows of 2 values'):
        model.step(0.5, np.zeros(STATE_DIM), previous_action=np.zeros(3))
    with pytest.raises(ValueError, match='returns_to_go'):
        model.step([], np.zeros(STATE_DIM))


def test_twin_state_converts_to_the_torch_layout():
    model = _model('dense')
    twin = RecurrentDMM(model)
    state = twin.zero_state(3)
    rng = np.random.default_rng(0)
    twin.step(state, rng.standard_normal((3, 1), dtype=np.float32),
              rng.standard_normal((3, STATE_DIM), dtype=np.float32), None)
    layers = twin.torch_state(state)
    config = model.config
    inner = config.expand * config.hidden_size
    for history, (conv, ssm, seen) in layers:
        assert seen == 2
        assert history.shape == (3, config.window - 1, config.hidden_size)
        # Two tokens so far: the older history slots are still the zero padding.
        assert torch.count_nonzero(history[:, :config.window - 3]) == 0
        assert conv.shape == (3, inner, config.conv_kernel - 1)
        assert ssm.shape == (3, inner, config.d_state) and ssm.dtype == torch.float32


@pytest.mark.parametrize('use_conv', (True, False))
@pytest.mark.parametrize('mixer', MIXERS)
def test_twin_step_equals_torch_step_over_300_steps(mixer, use_conv):
    twin = _model(mixer, use_conv, window=4, num_layers=2)
    with torch.no_grad():
        for name, p in twin.named_parameters():
            if 'norm' in name or name.endswith(('A_log', '.D')):
                p.add_(0.3 * torch.randn_like(p))
    layers = _model(mixer, use_conv, window=4, num_layers=2)
    layers.load_state_dict(twin.state_dict())
    layers.fast_step = False
    rtg, states, actions = _sequence(2, 300, seed=4)
    for model in (twin, layers):
        model.reset(batch_size=2)
    stepped = [_rollout(model, rtg, states, actions, 300) for model in (twin, layers)]
    assert isinstance(twin._state, RecurrentState)
    assert isinstance(layers._state, list)
    torch.testing.assert_close(stepped[0], stepped[1], atol=1e-5, rtol=0)


def test_weights_loaded_under_inference_mode_are_folded_at_every_episode():
    with torch.inference_mode():
        model = _model()  # its weights are inference tensors: no version counters
    assert model.embed_state.weight.is_inference()
    rtg, states, actions = _sequence(1, 10)
    model.reset()
    _rollout(model, rtg, states, actions, 10)
    first = model._twin
    assert isinstance(model._state, RecurrentState)
    model.reset()
    torch.testing.assert_close(_rollout(model, rtg, states, actions, 10),
                               _full(model, rtg, states, actions), atol=1e-5, rtol=0)
    assert model._twin is not first


def test_an_episode_begun_in_train_mode_stays_on_the_torch_layers():
    model = _model(dropout=0.0).train()
    rtg, states, actions = _sequence(1, 20)
    model.reset()
    first = _rollout(model, rtg, states, actions, 5)
    model.eval()
    rest = _rollout(model, rtg, states, actions, 15, start=5)
    assert isinstance(model._state, list)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), _full(model, rtg, states, actions),
                               atol=1e-5, rtol=0)
