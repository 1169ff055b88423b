# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Recurrent Decision MetaMamba inference on CPU in numpy: one control step per call.

A control step feeds two or three tokens (previous action, return-to-go, state) through every
layer. Those are tiny tensors (3 x 64), so the time of a torch step goes into per-operator and
per-module dispatch, not arithmetic. This module runs the same update on numpy arrays
prepared once from the model's weights, with as few array operations as possible:

* the residual stream is kept centred (every linear map that writes into it has the centring
  projection ``I - 11^T/h`` folded in), so each LayerNorm is only a rescale;
* LayerNorm affines are folded into the linear map that reads them (``norm_mamba`` into
  ``in_proj``, ``final_norm`` into ``predict_action``, ``norm_mixer`` into the mixer, whose
  history keeps the normalised tokens; the affine offset enters as a per-fill-level bias so
  the zero history of an episode's first tokens stays exact);
* ``dt_proj`` is folded into ``x_proj`` (one matmul gives dt, B and C) and ``A = -exp(A_log)``
  is precomputed; ``silu(v) = (v/2) (1 + tanh(v/2))`` with the halving folded into the weights;
* token-wise maps run on the whole chunk at once; the mixer window and the conv1d read
  strided views over ``history + chunk``; the SSM applies its closed-form update
  ``h = exp(dt A) * h + dt x B`` once per token; the last layer only projects the state token.

Folding happens in float64, computation in float32. The result equals
:meth:`~robomamba_ros.models.dmm.DecisionMetaMamba.predict` to float32 rounding.
"""

import numpy as np
import torch


def weights_key(model):
    """
    Return a key that changes whenever a parameter or buffer of ``model`` is modified.

    In-place updates (optimiser steps, ``load_state_dict``) bump a tensor's version counter,
    and ``.to()`` or ``.data = ...`` give new storage, so the key covers both.

    :param model: an ``nn.Module``.
    :return: a hashable tuple.
    """
    return tuple((t.data_ptr(), t._version, t.dtype, t.device)
                 for t in (*model.parameters(), *model.buffers()))


if hasattr(np, 'vecdot'):
    def _sum_squares(x):
        return np.vecdot(x, x, keepdims=True)
else:  # numpy < 2
    def _sum_squares(x):
        return np.einsum('...i,...i->...', x, x)[..., None]


def _array(tensor):
    """Return a float64 numpy copy of a tensor (on any device)."""
    return tensor.detach().to('cpu', torch.float64).numpy().copy()


def _windows(padded, count, width):
    """
    Return a view (batch, count, width, features) of sliding windows along axis 1.

    :param padded: contiguous (batch, count + width - 1, features).
    :param count: windows.
    :param width: window length.
    :return: the strided view (no copy).
    """
    batch, _, features = padded.shape
    s0, s1, s2 = padded.strides
    return np.ndarray((batch, count, width, features), padded.dtype, padded, 0,
                      (s0, s1, s1, s2))


class RecurrentState:
    """
    Episode state of a :class:`RecurrentDMM`.

    :param layers: per layer ``[normalised mixer inputs (B, w-1, h) or None, conv inputs
        (B, kernel-1, inner), ssm (B, N, inner)]``.
    """

    def __init__(self, layers):
        self.layers = layers
        self.tokens = 0  # tokens fed so far (the mixer's fill level)

    def arrays(self):
        """Return every array held (to measure the state's size)."""
        return [a for layer in self.layers for a in layer if a is not None]


class _Layer:
    """Folded weights of one :class:`~robomamba_ros.models.dmm.DMMLayer`."""

    def __init__(self, layer, center, dtype):
        def cast(value):
            return np.ascontiguousarray(value, dtype=dtype)

        h = center.shape[0]
        root = np.sqrt(h)  # normalised tokens are kept divided by sqrt(h)
        self.mixer = None if layer.mixer is None else layer.mixer.kind
        self.window = None
        if self.mixer is not None:
            norm, mixer, w = layer.norm_mixer, layer.mixer, layer.mixer.window
            gamma, beta = _array(norm.weight), _array(norm.bias)
            self.window, self.mix_eps = w, h * norm.eps
            self.mix_gamma, self.mix_beta = gamma * root, beta
            # offsets[k]: what a filled window slot k adds through the affine offset beta;
            # weight: the map of the normalised window, both followed by the centring.
            if self.mixer == 'dense':
                proj = _array(mixer.proj.weight).T.reshape(w, h, h)  # [k, c_in, c_out]
                offsets = beta @ proj
                weight = (proj * (gamma * root)[:, None]).reshape(w * h, h) @ center
            elif self.mixer == 'linear':
                a = _array(mixer.weight)
                offsets = a[:, None] * beta
                weight = (gamma * root)[:, None] * center
                self.mix_taps = cast(a)
            else:
                kernel = _array(mixer.weight).T  # (w, h)
                offsets = kernel * beta
                offsets[-1] += _array(mixer.bias)  # every window holds its current token
                weight = center
                self.mix_taps = cast(kernel * gamma * root)
            self.mix_weight = cast(weight)
            # fill[j]: offset of a window whose last j slots hold tokens (j = 1..w).
            fill = np.zeros((w + 1, h))
            for j in range(1, w + 1):
                fill[j] = offsets[w - j:].sum(0) @ center
            self.mix_fill = cast(fill)
        mamba, norm = layer.mamba, layer.norm_mamba
        inner, n, rank = mamba.inner, mamba.d_state, mamba.dt_rank
        self.inner, self.d_state, self.eps = inner, n, h * norm.eps
        w_in = _array(mamba.in_proj.weight).T  # (h, 2 inner)
        # silu(v) = (v/2) (1 + tanh(v/2)): halve the gate, and x or the conv that follows.
        scale = np.full(2 * inner, 0.5)
        self.conv_history = mamba.conv_history
        if mamba.conv1d is not None:
            scale[:inner] = 1.0
            self.conv_weight = cast(_array(mamba.conv1d.weight)[:, 0].T / 2)  # (kernel, inner)
            self.conv_bias = cast(_array(mamba.conv1d.bias) / 2)
        self.in_weight = cast((_array(norm.weight) * root)[:, None] * w_in * scale)
        self.in_bias = cast(_array(norm.bias) @ w_in * scale)
        w_x = _array(mamba.x_proj.weight)  # (rank + 2N, inner)
        w_dt = _array(mamba.dt_proj.weight) @ w_x[:rank]  # (inner, inner)
        self.x_weight = cast(np.concatenate([w_dt, w_x[rank:]]).T)  # (inner, inner + 2N)
        self.x_bias = cast(np.concatenate([_array(mamba.dt_proj.bias), np.zeros(2 * n)]))
        self.A = cast(-np.exp(_array(mamba.A_log)).T)  # (N, inner)
        self.D = cast(_array(mamba.D))
        self.out_weight = cast(_array(mamba.out_proj.weight).T @ center)  # (inner, h)


class RecurrentDMM:
    """
    Numpy twin of a :class:`~robomamba_ros.models.dmm.DecisionMetaMamba` for recurrent steps.

    Build it from a model; it copies (and folds) the weights, so rebuild it when they change
    (compare :attr:`key` with :func:`weights_key`). Dropout is never applied (eval mode).

    :param model: the DecisionMetaMamba.
    :param dtype: numpy compute dtype.
    """

    def __init__(self, model, dtype=np.float32):
        config = model.config
        h, act = config.hidden_size, config.act_dim
        self.dtype = dtype
        self.key = weights_key(model)
        self.hidden, self.state_dim, self.act_dim = h, config.state_dim, act
        center = np.eye(h) - 1.0 / h

        def cast(value):
            return np.ascontiguousarray(value, dtype=dtype)

        # One matmul embeds [previous action, return-to-go, state] into three centred tokens.
        inputs = act + 1 + config.state_dim
        weight = np.zeros((inputs, 3, h))
        weight[:act, 0] = _array(model.embed_action.weight).T @ center
        weight[act, 1] = _array(model.embed_return.weight)[:, 0] @ center
        weight[act + 1:, 2] = _array(model.embed_state.weight).T @ center
        self.embed_weight = cast(weight.reshape(inputs, 3 * h))
        self.embed_bias = cast(np.stack([_array(model.embed_action.bias),
                                         _array(model.embed_return.bias),
                                         _array(model.embed_state.bias)]) @ center)
        norm = model.embed_norm
        self.embed_eps = h * norm.eps
        self.norm_weight = cast((_array(norm.weight) * np.sqrt(h))[:, None] * center)
        self.norm_bias = cast(_array(norm.bias) @ center)
        self.layers = [_Layer(layer, center, dtype) for layer in model.layers]
        head, norm = _array(model.predict_action.weight).T, model.final_norm
        self.final_eps = h * norm.eps
        self.head_weight = cast((_array(norm.weight) * np.sqrt(h))[:, None] * head)
        self.head_bias = cast(_array(model.predict_action.bias) + _array(norm.bias) @ head)
        self.half_range = cast(_array(model.action_half_range))
        self.center = cast(_array(model.action_center))
        self.no_action = np.zeros((1, act), dtype)

    def zero_state(self, batch):
        """
        Return the state before the first token.

        :param batch: episodes side by side.
        :return: a :class:`RecurrentState`.
        """
        zeros, h = np.zeros, self.hidden
        return RecurrentState([
            [None if layer.mixer is None else zeros((batch, layer.window - 1, h), self.dtype),
             zeros((batch, layer.conv_history, layer.inner), self.dtype),
             zeros((batch, layer.d_state, layer.inner), self.dtype)] for layer in self.layers])

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
        first = state.tokens
        count = 2 if previous_action is None else 3
        state.tokens += count
        if previous_action is None:
            previous_action = np.broadcast_to(self.no_action, (batch, self.act_dim))
        x = (np.concatenate((previous_action, returns_to_go, observation), axis=1) @
             self.embed_weight).reshape(batch, 3, self.hidden) + self.embed_bias
        if count == 2:
            x = x[:, 1:]
        x = (x * (_sum_squares(x) + self.embed_eps) ** -0.5) @ self.norm_weight + self.norm_bias
        last = self.layers[-1]
        for index, lw in enumerate(self.layers):
            history, conv_inputs, ssm_state = state.layers[index]
            if lw.mixer is not None:
                normalised = x * (_sum_squares(x) + lw.mix_eps) ** -0.5
                padded = np.concatenate((history, normalised), axis=1)
                history = padded[:, count:]
                windows = _windows(padded, count, lw.window)  # (B, n, w, h)
                if lw.mixer == 'dense':
                    mixed = windows.reshape(batch, count, -1) @ lw.mix_weight
                elif lw.mixer == 'linear':
                    mixed = (lw.mix_taps @ windows) @ lw.mix_weight
                else:
                    mixed = np.add.reduce(windows * lw.mix_taps, axis=2) @ lw.mix_weight
                if first + 1 >= lw.window:
                    mixed += lw.mix_fill[-1]
                else:
                    mixed += lw.mix_fill[np.minimum(np.arange(first + 1, first + count + 1),
                                                    lw.window)]
                x = x + mixed
            xz = (x @ lw.in_weight) * (_sum_squares(x) + lw.eps) ** -0.5 + lw.in_bias
            if lw.conv_history:
                padded = np.concatenate((conv_inputs, xz[..., :lw.inner]), axis=1)
                conv_inputs = padded[:, count:]
                np.add(np.add.reduce(_windows(padded, count, lw.conv_history + 1) *
                                     lw.conv_weight, axis=2), lw.conv_bias,
                       out=xz[..., :lw.inner])
            xz *= 1.0 + np.tanh(xz)  # silu of twice the (halved) conv output and gate
            u, z = xz[..., :lw.inner], xz[..., lw.inner:]
            projected = u @ lw.x_weight + lw.x_bias
            dt = np.logaddexp(projected[..., :lw.inner], 0.0)  # softplus
            B = projected[..., lw.inner:lw.inner + lw.d_state]
            C = projected[..., lw.inner + lw.d_state:]
            decay = np.exp(dt[..., None, :] * lw.A)  # (B, n, N, inner)
            ssm = (dt * u)[..., None, :] * B[..., None]  # the drive, overwritten by h_t
            previous = ssm_state
            for t in range(count):
                step_decay = decay[:, t]
                step_decay *= previous
                previous = ssm[:, t]
                previous += step_decay
            state.layers[index] = [history, conv_inputs, previous]
            if lw is last:
                # Only the state token's output is read.
                u, z, ssm, C, x = u[:, -1], z[:, -1], previous, C[:, -1], x[:, -1]
            y = (C[..., None, :] @ ssm)[..., 0, :]
            y += lw.D * u
            y *= z
            x = x + y @ lw.out_weight
        x = x * (_sum_squares(x) + self.final_eps) ** -0.5
        return np.tanh(x @ self.head_weight + self.head_bias) * self.half_range + self.center

    def torch_state(self, state):
        """
        Return ``state`` in the layout of the torch layers' recurrent forward.

        :param state: a :class:`RecurrentState`.
        :return: per layer ``(mixer history or None, (conv inputs, ssm))`` as float32 tensors.
        """
        layers = []
        for lw, (history, conv, ssm) in zip(self.layers, state.layers):
            if history is not None:
                history = history * lw.mix_gamma + lw.mix_beta
                history[:, :max(lw.window - 1 - state.tokens, 0)] = 0.0
                history = torch.from_numpy(history.astype(np.float32))
            layers.append((history, (
                torch.from_numpy(conv.transpose(0, 2, 1).astype(np.float32)),
                torch.from_numpy(ssm.transpose(0, 2, 1).astype(np.float32)))))
        return layers


__all__ = ['RecurrentDMM', 'RecurrentState', 'weights_key']
