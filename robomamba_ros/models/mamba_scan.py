# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Mamba-1 selective scan in pure torch, fast enough on CPU for training, and its one-step update.

Shapes follow the ``mamba_ssm`` kernel layout (and transformers' ``mamba_selective_scan``)::

    x, dt, z : (batch, dim, seqlen)      A : (dim, state)      D, dt_bias : (dim,)
    B, C     : (batch, state, seqlen)    state : (batch, dim, state)

The recurrence ``h_t = exp(dt_t * A) * h_{t-1} + dt_t * B_t * x_t``, ``y_t = C_t . h_t + D * x_t``
is a first-order linear recurrence. :class:`LinearRecurrence` runs it with one fused
multiply-add per time step on contiguous slices, and computes its gradient with the reverse
recurrence in its own ``backward``, so autograd never records one node per time step (that
per-step graph is what makes transformers' sequential fallback slow to train).
"""

import torch
import torch.nn.functional as F


class LinearRecurrence(torch.autograd.Function):
    """
    ``h_t = a_t * h_{t-1} + b_t`` over the leading (time) axis, returning every ``h_t``.

    Forward: ``a``, ``b`` of shape (seqlen, ...), ``h0`` of shape (...); returns (seqlen, ...).
    Backward: with ``g_t = dL/dh_t`` accumulated backwards, ``g_t += a_{t+1} * g_{t+1}``, then
    ``dL/db_t = g_t``, ``dL/da_t = g_t * h_{t-1}`` and ``dL/dh0 = a_0 * g_0``.
    """

    @staticmethod
    def forward(ctx, a, b, h0):
        states = torch.empty_like(b)
        h = h0
        for t in range(a.shape[0]):
            h = torch.addcmul(b[t], a[t], h, out=states[t])
        ctx.save_for_backward(a, h0, states)
        return states

    @staticmethod
    def backward(ctx, grad_states):
        a, h0, states = ctx.saved_tensors
        grad = grad_states.contiguous().clone()
        for t in range(a.shape[0] - 2, -1, -1):
            grad[t].addcmul_(a[t + 1], grad[t + 1])
        previous = torch.cat([h0.unsqueeze(0), states[:-1]], dim=0)
        grad_a = grad * previous
        grad_h0 = a[0] * grad[0]
        return grad_a, grad, grad_h0


def _discretize(x, dt, A, B, dt_bias, dt_softplus):
    """Return time-major ``exp(dt A)`` and ``dt B x``, (seqlen, batch, dim, state), float32."""
    dt = dt.float()
    if dt_bias is not None:
        dt = dt + dt_bias.float()[:, None]
    if dt_softplus:
        dt = F.softplus(dt)
    dt_t = dt.permute(2, 0, 1)  # (seqlen, batch, dim)
    decay = torch.exp(dt_t.unsqueeze(-1) * A.float())
    B_t = B.float().permute(2, 0, 1)  # (seqlen, batch, state)
    drive = (dt_t * x.float().permute(2, 0, 1)).unsqueeze(-1) * B_t[:, :, None]
    return decay.contiguous(), drive.contiguous()


def selective_scan(x, dt, A, B, C, D=None, z=None, dt_bias=None, dt_softplus=False,
                   initial_state=None, return_last_state=False):
    """
    Run the Mamba-1 selective scan over a whole sequence.

    :param x: input, (batch, dim, seqlen).
    :param dt: time steps before bias/softplus, (batch, dim, seqlen).
    :param A: state matrix (negative reals), (dim, state).
    :param B: input projection per step, (batch, state, seqlen).
    :param C: output projection per step, (batch, state, seqlen).
    :param D: optional skip weight, (dim,).
    :param z: optional gate, (batch, dim, seqlen); the output is multiplied by ``silu(z)``.
    :param dt_bias: optional bias added to ``dt``, (dim,).
    :param dt_softplus: apply softplus to ``dt`` (after the bias).
    :param initial_state: optional state before the first step, (batch, dim, state).
    :param return_last_state: also return the state after the last step.
    :return: ``y`` (batch, dim, seqlen) in ``x``'s dtype, and the last state (float32) if asked.
    """
    batch, dim, seqlen = x.shape
    if A.shape[0] != dim or B.shape != (batch, A.shape[1], seqlen) or C.shape != B.shape:
        raise ValueError(
            f'selective_scan: shapes do not fit: x {tuple(x.shape)}, A {tuple(A.shape)}, '
            f'B {tuple(B.shape)}, C {tuple(C.shape)}')
    decay, drive = _discretize(x, dt, A, B, dt_bias, dt_softplus)
    if initial_state is None:
        h0 = torch.zeros_like(drive[0])
    else:
        h0 = initial_state.float()
    states = LinearRecurrence.apply(decay, drive, h0)  # (seqlen, batch, dim, state)
    C_t = C.float().permute(2, 0, 1).unsqueeze(-1)  # (seqlen, batch, state, 1)
    y = torch.matmul(states, C_t).squeeze(-1).permute(1, 2, 0)  # (batch, dim, seqlen)
    if D is not None:
        y = y + x.float() * D.float()[:, None]
    if z is not None:
        y = y * F.silu(z.float())
    y = y.to(x.dtype)
    if return_last_state:
        return y, states[-1]
    return y


def selective_state_step(state, x, dt, A, B, C, D=None, z=None, dt_bias=None, dt_softplus=False):
    """
    Advance the selective scan by one time step (recurrent decoding, O(1) per token).

    :param state: state before the step, (batch, dim, state).
    :param x: input, (batch, dim).
    :param dt: time step before bias/softplus, (batch, dim).
    :param A: (dim, state).
    :param B: (batch, state).
    :param C: (batch, state).
    :param D: optional skip weight, (dim,).
    :param z: optional gate, (batch, dim).
    :param dt_bias: optional bias added to ``dt``, (dim,).
    :param dt_softplus: apply softplus to ``dt``.
    :return: ``(y, new_state)``: y (batch, dim) in ``x``'s dtype, new_state float32; the input
        state is not modified.
    """
    dt = dt.float()
    if dt_bias is not None:
        dt = dt + dt_bias.float()
    if dt_softplus:
        dt = F.softplus(dt)
    decay = torch.exp(dt.unsqueeze(-1) * A.float())
    drive = (dt * x.float()).unsqueeze(-1) * B.float().unsqueeze(1)
    new_state = decay * state.float() + drive
    y = torch.matmul(new_state, C.float().unsqueeze(-1)).squeeze(-1)
    if D is not None:
        y = y + x.float() * D.float()
    if z is not None:
        y = y * F.silu(z.float())
    return y.to(x.dtype), new_state


__all__ = ['LinearRecurrence', 'selective_scan', 'selective_state_step']
