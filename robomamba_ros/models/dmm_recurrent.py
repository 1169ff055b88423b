# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Recurrent Decision MetaMamba inference on CPU in numpy: one control step per call.

A control step feeds two or three tokens (previous action, return-to-go, state) through every
layer. Those are tiny tensors (3 x 64), so the time of a torch step goes into per-operator and
per-module dispatch, not arithmetic. This module runs the same update on numpy arrays
prepared once from the model's weights, with as few array operations as possible:

* the residual stream is kept centred (every linear map that writes into it has the centring
  projection ``I - 11^T/h`` folded in) and carries one extra constant channel
  ``sqrt(h eps)``, so a LayerNorm is ``x / sqrt(x . x)`` (the ``sqrt(h)`` is folded too);
* LayerNorm affines are folded into the linear map that reads them (``norm_mamba`` into
  ``in_proj``, ``final_norm`` into ``predict_action``, ``norm_mixer`` into the mixer, whose
  history keeps the normalised tokens plus a channel that is 1 on real tokens and 0 on the
  zero padding before an episode, through which the affine offset enters exactly);
* ``dt_proj`` is folded into ``x_proj`` (one matmul gives dt, B and C) and ``A = -exp(A_log)``
  is precomputed; ``silu(v) = (v/2) (1 + tanh(v/2))`` with the halving folded into the weights;
* token-wise maps run on the whole chunk at once; the mixer and conv1d histories live in ring
  buffers that new tokens are written into, and their windows are strided views; the SSM
  applies its closed-form update ``h = exp(dt A) * h + dt x B`` once per token; the last
  layer only projects the state token;
* every view a step reads or writes (ring slots and windows at each ring position) and its
  work arrays are made at their first use in an episode and kept with the state, so a step
  looks them up and writes most results in place.

One entry point folds: ``RecurrentDMM(model)`` (the model's fold in ``RecurrentDMM.__init__``,
each layer's in ``_Layer.__init__``, next to the step that reads their layout);
:meth:`RecurrentDMM.is_current` tells whether the model's weights changed since. Folding happens
in float64, computation in float32. The result equals
:meth:`~robomamba_ros.models.dmm.DecisionMetaMamba.predict` to float32 rounding; a change to
the torch layers needs the matching change here, which ``test/test_dmm_recurrent.py`` checks
step by step for every mixer, with and without conv1d.
"""

import numpy as np
import torch


def weights_key(model):
    """
    Return a key that changes whenever a parameter or buffer of ``model`` is modified.

    In-place updates (optimiser steps, ``load_state_dict``) bump a tensor's version counter,
    and ``.to()`` or ``.data = ...`` give new storage, so the key covers both.

    :param model: an ``nn.Module``.
    :return: a hashable tuple, or None when a tensor is an inference tensor (made under
        ``torch.inference_mode``), which keeps no version counter.
    """
    tensors = (*model.parameters(), *model.buffers())
    if any(t.is_inference() for t in tensors):
        return None
    return tuple((t.data_ptr(), t._version, t.dtype, t.device)
                 for t in tensors)


if hasattr(np, 'vecdot'):
    def _norm(x):
        """Return ``sqrt(x . x)`` over the last axis, keeping it."""
        return np.sqrt(np.vecdot(x, x, keepdims=True))
else:  # numpy < 2
    def _norm(x):
        """Return ``sqrt(x . x)`` over the last axis, keeping it."""
        return np.sqrt(np.einsum('...i,...i->...', x, x)[..., None])


def _array(tensor):
    """Return a float64 numpy copy of a tensor (on any device)."""
    return tensor.detach().to('cpu', torch.float64).numpy().copy()


def _windows(ring, start, count, width, flat=False):
    """
    Return a view (batch, count, width, features) of sliding windows along axis 1.

    :param ring: contiguous (batch, rows, features).
    :param start: first row of the first window.
    :param count: windows.
    :param width: window length.
    :param flat: give each window as one row of ``width * features`` (its rows are contiguous).
    :return: the strided view (no copy).
    """
    s0, s1, s2 = ring.strides
    if flat:
        return np.ndarray((ring.shape[0], count, width * ring.shape[2]), ring.dtype, ring,
                          start * s1, (s0, s1, s2))
    return np.ndarray((ring.shape[0], count, width, ring.shape[2]), ring.dtype, ring,
                      start * s1, (s0, s1, s1, s2))


#: Tokens a history ring holds beyond its window before it is moved back to the start.
RING_TOKENS = 48


class RecurrentState:
    """
    Episode state of a :class:`RecurrentDMM`.

    :param layers: per layer ``[mixer ring (B, w-1 + RING_TOKENS, h+2) or None, Mamba ring
        (B, kernel-1 + RING_TOKENS, h+2), ssm (B, N, inner)]``. Ring rows ``[start, start +
        width-1)`` hold the last ``width-1`` tokens of each LayerNorm's output: normalised,
        divided by ``sqrt(h)``, then the constant channel and the real-token channel.
    """

    def __init__(self, layers):
        self.layers = layers
        self.tokens = 0  # tokens fed so far
        self.start = 0  # ring row of the oldest kept token
        # Views into the rings per (start, token count) and work arrays, made at first use:
        # a step then only looks them up.
        self.plans = {}
        self.buffers = []

    def arrays(self):
        """Return every array of the recurrent state (to measure the state's size)."""
        return [a for layer in self.layers for a in layer if a is not None]

    def work_arrays(self):
        """Return the work arrays kept between steps (not state: any values will do)."""
        return [a for layer in self.buffers for a in layer]


class _Layer:
    """Folded weights of one :class:`~robomamba_ros.models.dmm.DMMLayer`."""

    def __init__(self, layer, center, dtype):
        def cast(value):
            return np.ascontiguousarray(value, dtype=dtype)

        h = center.shape[0]
        root = np.sqrt(h)  # normalised tokens are kept divided by sqrt(h)
        # Maps reading the stream get a zero row for the constant channel; maps writing into it
        # get a zero column (center is (h, h + 1) with a zero last column).
        self.mixer = None if layer.mixer is None else layer.mixer.kind
        self.window = None
        if self.mixer is not None:
            norm, mixer, w = layer.norm_mixer, layer.mixer, layer.mixer.window
            gamma, beta = _array(norm.weight), _array(norm.bias)
            self.window = w
            self.mix_gamma, self.mix_beta = gamma * root, beta
            # offsets[k]: what a real token in window slot k adds through beta.
            if self.mixer == 'dense':
                proj = _array(mixer.proj.weight).T.reshape(w, h, h)  # [k, c_in, c_out]
                weight = np.zeros((w, h + 2, h + 1))
                weight[:, :h] = (proj * (gamma * root)[:, None]) @ center
                weight[:, h + 1] = (beta @ proj) @ center
                weight = weight.reshape(w * (h + 2), h + 1)
            elif self.mixer == 'linear':
                # (taps @ windows) sums the real-token channel too: sum of the taps on real
                # tokens, the factor of beta.
                self.mix_taps = cast(_array(mixer.weight))
                weight = np.zeros((h + 2, h + 1))
                weight[:h] = (gamma * root)[:, None] * center
                weight[h + 1] = beta @ center
            else:
                kernel = _array(mixer.weight).T  # (w, h)
                taps = np.zeros((w, h + 2))
                taps[:, :h] = kernel * gamma * root
                self.mix_taps = cast(taps)
                weight = np.zeros((h + 2, h + 1))
                weight[:h] = center
                # The offset depends on which slots are real: a table by fill level j.
                offsets = kernel * beta
                offsets[-1] += _array(mixer.bias)  # every window holds its current token
                fill = np.zeros((w + 1, h + 1))
                for j in range(1, w + 1):
                    fill[j] = offsets[w - j:].sum(0) @ center
                self.mix_fill = cast(fill)
            self.mix_weight = cast(weight)
        mamba, norm = layer.mamba, layer.norm_mamba
        inner, n, rank = mamba.d_inner, mamba.d_state, mamba.dt_rank
        self.inner, self.d_state = inner, n
        # The Mamba block reads its normalised tokens from a ring like the mixer's. in_proj's
        # x half, the conv1d over it and both biases are one map of the last ``kernel``
        # tokens (the biases through the real-token channel; without conv1d the kernel is 1),
        # with one more output: the constant 16, whose silu is 32 and carries dt's bias.
        # silu(v) = (v/2) (1 + tanh(v/2)): every map feeding a silu is halved.
        w_in = _array(mamba.in_proj.weight).T  # (h, 2 inner)
        gamma, beta = _array(norm.weight) * root, _array(norm.bias)
        self.x_in_weight, self.x_in_bias = gamma[:, None] * w_in[:, :inner], beta @ w_in[:, :inner]
        if mamba.conv1d is not None:
            kernel = _array(mamba.conv1d.weight)[:, 0].T  # (kernel, inner)
            conv_bias = _array(mamba.conv1d.bias)
        else:
            kernel, conv_bias = np.ones((1, inner)), np.zeros(inner)
        self.kernel = k = kernel.shape[0]
        weight = np.zeros((k, h + 2, inner + 1))
        weight[:, :h, :inner] = self.x_in_weight * kernel[:, None]
        weight[:, h + 1, :inner] = self.x_in_bias * kernel
        weight[-1, h + 1, :inner] += conv_bias
        weight[-1, h + 1, inner] = 32.0
        self.conv_weight = cast(weight.reshape(k * (h + 2), inner + 1) / 2)
        weight = np.zeros((h + 2, inner))
        weight[:h] = gamma[:, None] * w_in[:, inner:]
        weight[h + 1] = beta @ w_in[:, inner:]
        self.gate_weight = cast(weight / 2)
        w_x = _array(mamba.x_proj.weight)  # (rank + 2N, inner)
        w_dt = _array(mamba.dt_proj.weight) @ w_x[:rank]  # (inner, inner)
        weight = np.zeros((inner + 1, inner + 2 * n))  # (inner + 1, inner + 2N): dt, B, C
        weight[:inner] = np.concatenate([w_dt, w_x[rank:]]).T
        weight[inner, :inner] = _array(mamba.dt_proj.bias) / 32.0
        self.x_weight = cast(weight)
        self.A = cast(-np.exp(_array(mamba.A_log)).T)  # (N, inner)
        self.D = cast(_array(mamba.D))
        self.out_weight = cast(_array(mamba.out_proj.weight).T @ center)  # (inner, h + 1)


class RecurrentDMM:
    """
    Numpy twin of a :class:`~robomamba_ros.models.dmm.DecisionMetaMamba` for recurrent steps.

    Build it from a model; it copies (and folds) the weights, so rebuild it when they change
    (:meth:`is_current`). Dropout is never applied (eval mode).

    :param model: the DecisionMetaMamba.
    :param dtype: numpy compute dtype.
    :raises ValueError: when the stream's LayerNorms do not share one ``eps``.
    """

    def __init__(self, model, dtype=np.float32):
        config = model.config
        h, act = config.hidden_size, config.act_dim
        self.dtype = dtype
        self.key = weights_key(model)
        self.hidden, self.state_dim, self.act_dim = h, config.state_dim, act
        norms = [model.final_norm] + [norm for layer in model.layers for norm in (
            layer.norm_mamba, *([layer.norm_mixer] if layer.mixer is not None else []))]
        if len({norm.eps for norm in norms}) != 1:
            raise ValueError('RecurrentDMM needs one LayerNorm eps for the residual stream')
        center = np.zeros((h, h + 1))
        center[:, :h] = np.eye(h) - 1.0 / h

        def cast(value):
            return np.ascontiguousarray(value, dtype=dtype)

        # One matmul embeds [previous action, return-to-go, state] into three centred tokens,
        # each with the constant channel of the embedding LayerNorm.
        inputs = act + 1 + config.state_dim
        norm = model.embed_norm
        weight = np.zeros((inputs, 3, h + 1))
        weight[:act, 0] = _array(model.embed_action.weight).T @ center
        weight[act, 1] = _array(model.embed_return.weight)[:, 0] @ center
        weight[act + 1:, 2] = _array(model.embed_state.weight).T @ center
        self.embed_weight = cast(weight.reshape(inputs, 3 * (h + 1)))
        bias = np.stack([_array(model.embed_action.bias), _array(model.embed_return.bias),
                         _array(model.embed_state.bias)]) @ center
        bias[:, h] = np.sqrt(h * norm.eps)
        self.embed_bias = cast(bias)
        weight = np.zeros((h + 1, h + 1))
        weight[:h] = (_array(norm.weight) * np.sqrt(h))[:, None] * center
        self.norm_weight = cast(weight)
        bias = _array(norm.bias) @ center
        bias[h] = np.sqrt(h * norms[0].eps)  # the stream's constant channel
        self.norm_bias = cast(bias)
        self.layers = [_Layer(layer, center, dtype) for layer in model.layers]
        head, norm = _array(model.predict_action.weight).T, model.final_norm
        weight = np.zeros((h + 1, act))
        weight[:h] = (_array(norm.weight) * np.sqrt(h))[:, None] * head
        self.head_weight = cast(weight)
        self.head_bias = cast(_array(model.predict_action.bias) + _array(norm.bias) @ head)
        self.half_range = cast(_array(model.action_half_range))
        self.center = cast(_array(model.action_center))
        self.no_action = np.zeros((1, act), dtype)

    def is_current(self, model):
        """
        Return whether ``model``'s weights are still those this twin was folded from.

        :param model: the DecisionMetaMamba it was made from.
        :return: False when a weight may have changed (always for inference tensors).
        """
        return self.key is not None and self.key == weights_key(model)

    def zero_state(self, batch):
        """
        Return the state before the first token.

        :param batch: episodes side by side.
        :return: a :class:`RecurrentState`.
        """
        def ring(width):
            rows = np.zeros((batch, width - 1 + RING_TOKENS, self.hidden + 2), self.dtype)
            rows[:, width - 1:, -1] = 1.0  # rows for real tokens
            return rows

        return RecurrentState([
            [None if layer.mixer is None else ring(layer.window), ring(layer.kernel),
             np.zeros((batch, layer.d_state, layer.inner), self.dtype)]
            for layer in self.layers])

    def _plan(self, state, start, count):
        """
        Make the per-layer views and work arrays of a step of ``count`` tokens at ``start``.

        :param state: a :class:`RecurrentState`.
        :param start: ring row of the oldest kept token.
        :param count: tokens of the step (2 or 3).
        :return: per layer a tuple of weights, views and work arrays, as :meth:`step` reads it.
        """
        h1, dtype = self.hidden + 1, self.dtype
        batch = state.layers[0][2].shape[0]
        if not state.buffers:
            # Sized for three tokens; a step of two uses their first rows.
            for lw in self.layers:
                inner, n = lw.inner, lw.d_state
                state.buffers.append((np.empty((batch, 3, 2 * inner + 1), dtype),
                                      np.empty((3, batch, n, inner), dtype),
                                      np.empty((3, batch, n, inner), dtype)))
        buffers = []
        for lw, (xz, decay, ssm) in zip(self.layers, state.buffers):
            inner = lw.inner
            xz, decay, ssm = xz[:, :count], decay[:count], ssm[:count]
            buffers.append((xz, xz[..., :inner + 1], xz[..., :inner], xz[..., inner + 1:], decay,
                            tuple(zip(decay, ssm)), ssm))
        plan = []
        for lw, (ring, conv_ring, ssm_state), work in zip(self.layers, state.layers, buffers):
            mix_slot = window = None
            if ring is not None:
                w = lw.window
                mix_slot = ring[:, start + w - 1:start + w - 1 + count, :h1]
                # (B, n, w * (h + 2)) for the dense mixer, else (B, n, w, h + 2).
                window = _windows(ring, start, count, w, flat=lw.mixer == 'dense')
            k = lw.kernel
            rows = conv_ring[:, start + k - 1:start + k - 1 + count]
            conv_window = _windows(conv_ring, start, count, k, flat=True)
            plan.append((
                lw.mixer, lw.window, mix_slot, window, getattr(lw, 'mix_weight', None),
                getattr(lw, 'mix_taps', None), getattr(lw, 'mix_fill', None), rows[..., :h1],
                rows, conv_window, lw.conv_weight, lw.gate_weight, *work, lw.inner, lw.d_state,
                lw.x_weight, lw.A, lw.D, lw.out_weight, ssm_state, lw is self.layers[-1]))
        state.plans[start, count] = plan
        return plan

    def step(self, state, returns_to_go, observation, previous_action):
        """
        Advance by one timestep; update ``state`` in place and return the action.

        :param state: a :class:`RecurrentState`.
        :param returns_to_go: (B, 1) array.
        :param observation: normalised state (B, state_dim) array.
        :param previous_action: (B, act_dim) array, or None at the first step.
        :return: action (B, act_dim) in action units, a new array.
        """
        batch = observation.shape[0]
        first, start = state.tokens, state.start
        count = 2 if previous_action is None else 3
        if start + count > RING_TOKENS:
            # Move the kept tokens of every ring back to its start.
            for layer_state in state.layers:
                for ring in layer_state[:2]:
                    if ring is not None and ring.shape[1]:
                        kept = ring.shape[1] - RING_TOKENS
                        ring[:, :kept] = ring[:, start:start + kept]
            start = 0
        state.tokens, state.start = first + count, start + count
        plan = state.plans.get((start, count)) or self._plan(state, start, count)
        if previous_action is None:
            previous_action = np.broadcast_to(self.no_action, (batch, self.act_dim))
        x = (np.concatenate((previous_action, returns_to_go, observation), axis=1) @
             self.embed_weight).reshape(batch, 3, self.hidden + 1)
        x += self.embed_bias
        if count == 2:
            x = x[:, 1:]
        x = (x / _norm(x)) @ self.norm_weight
        x += self.norm_bias
        divide, multiply, matmul, tanh, exp = np.divide, np.multiply, np.matmul, np.tanh, np.exp
        for (mixer, w, mix_slot, window, mix_weight, mix_taps, mix_fill, conv_slot, rows,
             conv_window, conv_weight, gate_weight, xz, xu, u, z, decay, steps, ssm, inner, n,
             x_weight, A, D, out_weight, ssm_state, last) in plan:
            if mixer is not None:
                divide(x, _norm(x), out=mix_slot)
                if mixer == 'dense':
                    x += window @ mix_weight
                elif mixer == 'linear':
                    x += (mix_taps @ window) @ mix_weight
                else:
                    mixed = np.add.reduce(window * mix_taps, axis=2) @ mix_weight
                    if first + 1 >= w:
                        mixed += mix_fill[-1]
                    else:
                        mixed += mix_fill[np.minimum(np.arange(first + 1, first + count + 1), w)]
                    x += mixed
            divide(x, _norm(x), out=conv_slot)
            matmul(conv_window, conv_weight, out=xu)
            matmul(rows, gate_weight, out=z)
            xz *= 1.0 + tanh(xz)  # silu of twice the (halved) conv output and gate
            # Token-major from here: (n, B, ...). The constant 32 in xz adds dt's bias.
            projected = matmul(xu, x_weight).transpose(1, 0, 2)
            dt = np.logaddexp(projected[..., :inner], 0.0)  # softplus
            exp(multiply(dt[..., None, :], A, out=decay), out=decay)  # (n, B, N, inner)
            # The drive dt x B, overwritten by h_t.
            multiply((dt * u.transpose(1, 0, 2))[..., None, :],
                     projected[..., inner:inner + n, None], out=ssm)
            previous = ssm_state
            for step_decay, drive in steps:
                step_decay *= previous
                drive += step_decay
                previous = drive
            ssm_state[...] = previous
            C = projected[..., None, inner + n:]  # (n, B, 1, N)
            if last:
                # Only the state token's output is read.
                y = (C[-1] @ previous)[:, 0]
                y += D * u[:, -1]
                y *= z[:, -1]
                x = x[:, -1] + y @ out_weight
            else:
                y = (C @ ssm)[..., 0, :].transpose(1, 0, 2)
                y += D * u
                y *= z
                x += y @ out_weight
        x /= _norm(x)
        return np.tanh(x @ self.head_weight + self.head_bias) * self.half_range + self.center

    def torch_state(self, state):
        """
        Return ``state`` in the layout of the torch layers' recurrent forward.

        :param state: a :class:`RecurrentState`.
        :return: per layer ``(mixer history or None, (conv inputs, ssm, tokens seen))``, the
            arrays as float32 tensors.
        """
        layers, start, h = [], state.start, self.hidden
        for lw, (ring, conv_ring, ssm) in zip(self.layers, state.layers):
            history = None
            if ring is not None:
                kept = ring[:, start:start + lw.window - 1]
                history = (kept[..., :h] * lw.mix_gamma + kept[..., -1:] * lw.mix_beta)
                history = torch.from_numpy(history.astype(np.float32))
            kept = conv_ring[:, start:start + lw.kernel - 1]
            conv = kept[..., :h] @ lw.x_in_weight + kept[..., -1:] * lw.x_in_bias
            layers.append((history, (
                torch.from_numpy(conv.transpose(0, 2, 1).astype(np.float32)),
                torch.from_numpy(ssm.transpose(0, 2, 1).astype(np.float32)), state.tokens)))
        return layers


__all__ = ['RING_TOKENS', 'RecurrentDMM', 'RecurrentState', 'weights_key']
