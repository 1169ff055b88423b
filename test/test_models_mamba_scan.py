# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The shared selective scan against a naive loop: values, last state, gradients, steps."""

import pytest
import torch

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
