# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Mamba-1 selective scan in pure torch, fast enough on CPU for training, and its one-step update.

Shapes follow the ``mamba_ssm`` kernel layout (and transformers' ``mamba_selective_scan``)::

    x, dt, z : (batch, dim, seqlen)      A : (dim, state)      D, dt_bias : (dim,)
    B, C     : (batch, state, seqlen)    state : (batch, dim, state)

The recurrence ``h_t = exp(dt_t * A) * h_{t-1} + dt_t * B_t * x_t``, ``y_t = C_t . h_t + D * x_t``
is a first-order linear recurrence. :class:`SelectiveScanFn` runs it with one fused
multiply-add per time step on contiguous slices, and computes its gradient with the reverse
recurrence in its own ``backward``, so autograd never records one node per time step (that
per-step graph is what makes transformers' sequential fallback slow to train).
"""

import torch
import torch.nn.functional as F


class SelectiveScanFn(torch.autograd.Function):
    """
    The selective-scan core with a hand-written backward.

    Inputs are time-major: ``dt``, ``x`` (seqlen, batch, dim), ``dt`` already biased and passed
    through softplus, ``A`` (dim, state), ``B``, ``C`` (seqlen, batch, state) and ``h0``
    (batch, dim, state). Returns ``y`` (seqlen, batch, dim), ``y_t = C_t . h_t``, and the last
    state.

    Forward runs ``h_t = exp(dt_t A) * h_{t-1} + dt_t x_t B_t`` with one fused multiply-add per
    step. Backward runs the reverse recurrence ``g_t = gy_t C_t + exp(dt_{t+1} A) * g_{t+1}`` the
    same way and forms every other gradient with whole-sequence tensor operations.
    """

    @staticmethod
    def forward(ctx, dt, x, A, B, C, h0):
        decay = torch.exp(dt.unsqueeze(-1) * A)  # (seqlen, batch, dim, state)
        states = (dt * x).unsqueeze(-1) * B.unsqueeze(2)  # the drive, overwritten by h_t
        h = h0
        for t in range(states.shape[0]):
            h = states[t].addcmul_(decay[t], h)
        y = torch.matmul(states, C.unsqueeze(-1)).squeeze(-1)
        ctx.save_for_backward(dt, x, A, B, C, h0, decay, states)
        return y, states[-1].clone()

    @staticmethod
    def backward(ctx, grad_y, grad_last):
        dt, x, A, B, C, h0, decay, states = ctx.saved_tensors
        # g_t = dL/dh_t: the direct part from y_t, then the reverse recurrence.
        g = grad_y.unsqueeze(-1) * C.unsqueeze(2)
        if grad_last is not None:
            g[-1] += grad_last
        for t in range(g.shape[0] - 2, -1, -1):
            g[t].addcmul_(decay[t + 1], g[t + 1])
        grad_h0 = decay[0] * g[0]
        # Row vector times matrix contracts over dim without transposing the big tensors.
        grad_C = torch.matmul(grad_y.unsqueeze(-2), states).squeeze(-2)
        # drive_t = dt_t x_t B_t, so dL/d(dt x) = g . B and dL/dB = sum over dim of g * dt x.
        grad_dtx = torch.matmul(g, B.unsqueeze(-1)).squeeze(-1)
        grad_B = torch.matmul((dt * x).unsqueeze(-2), g).squeeze(-2)
        # decay_t = exp(dt_t A), so dL/d(dt_t A) = g_t * h_{t-1} * decay_t (computed in place).
        q = g
        q[1:].mul_(states[:-1])
        q[0].mul_(h0)
        q.mul_(decay)
        grad_A = (q * dt.unsqueeze(-1)).sum((0, 1))
        grad_dt = q.mul_(A).sum(-1) + grad_dtx * x
        return grad_dt, grad_dtx * dt, grad_A, grad_B, grad_C, grad_h0


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
    dt = dt.float()
    if dt_bias is not None:
        dt = dt + dt_bias.float()[:, None]
    if dt_softplus:
        dt = F.softplus(dt)
    if initial_state is None:
        h0 = x.new_zeros(batch, dim, A.shape[1], dtype=torch.float32)
    else:
        h0 = initial_state.float()
    y, last_state = SelectiveScanFn.apply(
        dt.permute(2, 0, 1).contiguous(), x.float().permute(2, 0, 1).contiguous(), A.float(),
        B.float().permute(2, 0, 1).contiguous(), C.float().permute(2, 0, 1).contiguous(), h0)
    y = y.permute(1, 2, 0)  # (batch, dim, seqlen)
    if D is not None:
        y = y + x.float() * D.float()[:, None]
    if z is not None:
        y = y * F.silu(z.float())
    y = y.to(x.dtype)
    if return_last_state:
        return y, last_state
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


__all__ = ['SelectiveScanFn', 'selective_scan', 'selective_state_step']
