# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Decision MetaMamba: shapes, causality, recurrent step == forward, save/load, learning."""

from dmm_helpers import ACT_DIM, dmm_model as _model, dmm_sequence as _sequence, STATE_DIM
import numpy as np
import pytest
import torch

from robomamba_ros.models.configuration_dmm import DMMConfig, MIXERS
from robomamba_ros.models.dmm import DecisionMetaMamba
from robomamba_ros.models.dmm_recurrent import RecurrentState


def test_shapes_bounds_and_parameter_count():
    model = _model()
    rtg, states, actions = _sequence(3, 8)
    predicted = model.predict(rtg, states, actions)
    assert predicted.shape == (3, 8, ACT_DIM)
    assert predicted[..., 1].abs().max() <= 0.5
    # The paper's small footprint at h=64, 3 layers.
    assert 100_000 <= model.num_parameters() <= 150_000
    loss, metrics = model({'returns_to_go': rtg, 'states': states, 'actions': actions,
                           'mask': torch.ones(3, 8)})
    assert loss.ndim == 0 and metrics['loss'] == pytest.approx(loss.item())


def test_every_mixer_weight_is_a_registered_trained_parameter():
    for mixer in ('dense', 'linear', 'conv'):
        names = [n for n, _ in _model(mixer).named_parameters()]
        for i in range(3):
            assert any(n.startswith(f'layers.{i}.mixer.') for n in names), mixer
            # Norms belong to each layer (the official code shares them).
            assert f'layers.{i}.norm_mixer.weight' in names
            assert f'layers.{i}.norm_mamba.weight' in names
    assert 'layers.0.mixer' not in str(_model('none').state_dict().keys())


def test_config_errors_name_field_and_value():
    with pytest.raises(ValueError, match=r'dmm.mixer .*got .attention.'):
        DMMConfig(mixer='attention')
    with pytest.raises(ValueError, match=r'dmm.window must be an integer >= 1, got 0'):
        DMMConfig(window=0)
    with pytest.raises(ValueError, match=r'action_low\[0\]'):
        DMMConfig(act_dim=1, action_low=1.0, action_high=1.0)


@pytest.mark.parametrize('mixer', MIXERS)
def test_outputs_never_depend_on_future_tokens(mixer):
    model = _model(mixer)
    rtg, states, actions = _sequence(2, 10)
    with torch.no_grad():
        base = model.predict(rtg, states, actions)
        # Perturb the action of step 6 (a token after state 6): steps <= 6 stay the same.
        changed = actions.clone()
        changed[:, 6] += 1.0
        out = model.predict(rtg, states, changed)
        assert torch.equal(out[:, :7], base[:, :7])
        assert not torch.allclose(out[:, 7:], base[:, 7:])
        # Perturb the state of step 4: steps < 4 unchanged.
        changed = states.clone()
        changed[:, 4] += 1.0
        out = model.predict(rtg, changed, actions)
        assert torch.equal(out[:, :4], base[:, :4])
        assert not torch.allclose(out[:, 4], base[:, 4])


@pytest.mark.parametrize('fast', (True, False))
@pytest.mark.parametrize('use_conv', (True, False))
@pytest.mark.parametrize('mixer', MIXERS)
def test_recurrent_step_equals_full_forward_over_200_steps(mixer, use_conv, fast):
    model = _model(mixer, use_conv)
    model.fast_step = fast  # the numpy twin, or the torch layers
    rtg, states, actions = _sequence(2, 200)
    with torch.no_grad():
        full = model.predict(rtg, states, actions)
    model.reset(batch_size=2)
    stepped = torch.stack([
        model.step(rtg[:, t], states[:, t], actions[:, t - 1] if t else None)
        for t in range(200)], dim=1)
    assert isinstance(model._state, RecurrentState) == fast
    torch.testing.assert_close(stepped, full, atol=1e-5, rtol=0)
    # reset() starts a fresh episode.
    model.reset(batch_size=2)
    torch.testing.assert_close(model.step(rtg[:, 0], states[:, 0]), full[:, 0], atol=1e-5,
                               rtol=0)


@pytest.mark.parametrize('fast', (True, False))
def test_step_state_has_constant_size(fast):
    model = _model()
    model.fast_step = fast
    model.reset()
    sizes = []
    for t in range(50):
        model.step(0.5, torch.zeros(STATE_DIM))
        if fast:
            arrays = model._state.arrays()
        else:
            arrays = [tensor for history, mamba in model._state
                      for tensor in (history, mamba.conv, mamba.ssm)]
        sizes.append(sum(a.nbytes if isinstance(a, np.ndarray) else a.numel() * 4
                         for a in arrays))
    assert len(set(sizes)) == 1 and sizes[0] > 0


def test_save_and_load_are_identical(tmp_path):
    model = _model('conv')
    model.save_pretrained(tmp_path / 'dmm')
    loaded = DecisionMetaMamba.from_pretrained(tmp_path / 'dmm')
    assert loaded.config == model.config and not loaded.training
    rtg, states, actions = _sequence(1, 12)
    with torch.no_grad():
        assert torch.equal(loaded.predict(rtg, states, actions),
                           model.predict(rtg, states, actions))
    # A folder of another mixer does not load silently into this config.
    other = _model('dense')
    other.config = model.config
    other.save_pretrained(tmp_path / 'bad')
    with pytest.raises(KeyError, match='does not fit the config'):
        DecisionMetaMamba.from_pretrained(tmp_path / 'bad')


def test_training_on_a_tiny_dataset_reduces_the_loss():
    model = _model(hidden_size=32, num_layers=2).train()
    rtg, states, _ = _sequence(16, 8, seed=3)
    # Expert: the action is a fixed function of the state.
    actions = torch.tanh(states[..., :ACT_DIM]) * torch.tensor([1.0, 0.5])
    batch = {'returns_to_go': rtg, 'states': states, 'actions': actions}
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = model(batch)[0].item()
    for _ in range(60):
        loss, _ = model(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.3 * first
