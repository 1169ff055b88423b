# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The shared selective scan against a naive loop, transformers' scan, and the patched mixer."""

import copy

import pytest
import torch
from transformers import MambaConfig, MambaForCausalLM
from transformers.models.mamba import modeling_mamba

from robomamba_ros.models.mamba_lm import TorchScanMambaMixer, use_torch_scan
from robomamba_ros.models.mamba_scan import selective_scan, selective_state_step


def naive_scan(x, dt, A, B, C, D, z, dt_bias, h0):
    dt = torch.nn.functional.softplus(dt + dt_bias[:, None])
    h, ys = h0, []
    for t in range(x.shape[-1]):
        h = torch.exp(dt[:, :, t, None] * A) * h + (dt[:, :, t] * x[:, :, t])[..., None] * B[
            :, None, :, t]
        ys.append((h * C[:, None, :, t]).sum(-1) + D * x[:, :, t])
    return torch.stack(ys, -1) * torch.nn.functional.silu(z), h


def _inputs(batch=2, dim=6, state=4, seqlen=9, seed=0):
    g = torch.Generator().manual_seed(seed)

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)
    return {'x': r(batch, dim, seqlen), 'dt': r(batch, dim, seqlen),
            'A': -torch.exp(r(dim, state)),
            'B': r(batch, state, seqlen), 'C': r(batch, state, seqlen), 'D': r(dim),
            'z': r(batch, dim, seqlen), 'dt_bias': r(dim), 'h0': r(batch, dim, state)}


def test_values_and_last_state_match_naive_loop():
    a = _inputs()
    y_ref, h_ref = naive_scan(**a)
    y, h = selective_scan(a['x'], a['dt'], a['A'], a['B'], a['C'], a['D'], z=a['z'],
                          dt_bias=a['dt_bias'], dt_softplus=True, initial_state=a['h0'],
                          return_last_state=True)
    torch.testing.assert_close(y.double(), y_ref, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(h.double(), h_ref, atol=1e-5, rtol=1e-4)


def test_scan_function_gradients_in_double_precision():
    from robomamba_ros.models.mamba_scan import SelectiveScanFn
    g = torch.Generator().manual_seed(1)

    def r(*shape, scale=1.0):
        return (scale * torch.randn(*shape, generator=g, dtype=torch.float64)).requires_grad_()
    dt = (0.1 + torch.rand(5, 2, 3, generator=g, dtype=torch.float64)).requires_grad_()
    inputs = (dt, r(5, 2, 3), (-torch.rand(3, 4, generator=g, dtype=torch.float64))
              .requires_grad_(), r(5, 2, 4), r(5, 2, 4), r(2, 3, 4))
    assert torch.autograd.gradcheck(SelectiveScanFn.apply, inputs)


def test_gradients_match_naive_loop():
    a = {k: v.float().requires_grad_() for k, v in _inputs(seed=2).items()}
    y_ref, h_ref = naive_scan(**a)
    (y_ref.square().sum() + h_ref.sum()).backward()
    ref = {k: v.grad.clone() for k, v in a.items()}
    for v in a.values():
        v.grad = None
    y, h = selective_scan(a['x'], a['dt'], a['A'], a['B'], a['C'], a['D'], z=a['z'],
                          dt_bias=a['dt_bias'], dt_softplus=True, initial_state=a['h0'],
                          return_last_state=True)
    (y.square().sum() + h.sum()).backward()
    for k, v in a.items():
        torch.testing.assert_close(v.grad, ref[k], atol=1e-4, rtol=1e-4, msg=k)


def test_matches_transformers_reference_scan():
    a = {k: v.float() for k, v in _inputs(seed=3).items()}
    ref, ref_state = modeling_mamba.mamba_selective_scan.__wrapped__(
        a['x'], a['dt'], a['A'], a['B'], a['C'], a['D'], z=a['z'], delta_bias=a['dt_bias'],
        delta_softplus=True, return_last_state=True)
    y, state = selective_scan(a['x'], a['dt'], a['A'], a['B'], a['C'], a['D'], z=a['z'],
                              dt_bias=a['dt_bias'], dt_softplus=True, return_last_state=True)
    torch.testing.assert_close(y, ref, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(state, ref_state.float(), atol=1e-5, rtol=1e-4)


def test_steps_equal_full_scan():
    a = {k: v.float() for k, v in _inputs(seed=4).items()}
    y_full, h_full = selective_scan(
        a['x'], a['dt'], a['A'], a['B'], a['C'], a['D'], z=a['z'], dt_bias=a['dt_bias'],
        dt_softplus=True, initial_state=a['h0'], return_last_state=True)
    h = a['h0']
    for t in range(a['x'].shape[-1]):
        y, h_new = selective_state_step(
            h, a['x'][..., t], a['dt'][..., t], a['A'], a['B'][..., t], a['C'][..., t], a['D'],
            z=a['z'][..., t], dt_bias=a['dt_bias'], dt_softplus=True)
        torch.testing.assert_close(y, y_full[..., t], atol=1e-5, rtol=1e-5)
        h = h_new
    torch.testing.assert_close(h, h_full, atol=1e-5, rtol=1e-5)


def test_shape_mismatch_is_reported():
    a = {k: v.float() for k, v in _inputs().items()}
    with pytest.raises(ValueError, match='shapes do not fit'):
        selective_scan(a['x'], a['dt'], a['A'][:, :2], a['B'], a['C'])


@pytest.fixture(scope='module')
def lm_pair():
    torch.manual_seed(0)
    config = MambaConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, state_size=8)
    reference = MambaForCausalLM(config)
    patched = copy.deepcopy(reference)
    assert use_torch_scan(patched) == 2
    return reference, patched


def test_patch_touches_only_this_instance(lm_pair):
    reference, patched = lm_pair
    assert type(reference.backbone.layers[0].mixer) is modeling_mamba.MambaMixer
    assert type(patched.backbone.layers[0].mixer) is TorchScanMambaMixer
    assert modeling_mamba.MambaBlock(reference.config, 0).mixer.__class__ is (
        modeling_mamba.MambaMixer)
    assert reference.state_dict().keys() == patched.state_dict().keys()


def test_patched_model_equals_unpatched_forward_and_gradients(lm_pair):
    reference, patched = lm_pair
    ids = torch.randint(0, 50, (2, 12), generator=torch.Generator().manual_seed(5))
    reference.train()
    patched.train()
    ref = reference(ids, labels=ids)
    out = patched(ids, labels=ids)
    torch.testing.assert_close(out.logits, ref.logits, atol=1e-5, rtol=1e-4)
    ref.loss.backward()
    out.loss.backward()
    for (name, p_ref), p in zip(reference.named_parameters(), patched.parameters()):
        torch.testing.assert_close(p.grad, p_ref.grad, atol=1e-5, rtol=1e-4, msg=name)


def test_patched_cached_decoding_equals_full_forward(lm_pair):
    _, patched = lm_pair
    patched.eval()
    ids = torch.randint(0, 50, (1, 10), generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        full = patched(ids).logits
        out = patched(ids[:, :4], use_cache=True)
        steps = [out.logits]
        for t in range(4, 10):
            out = patched(ids[:, t:t + 1], cache_params=out.cache_params, use_cache=True)
            steps.append(out.logits)
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-5)
