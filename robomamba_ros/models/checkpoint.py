# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Model folders: strict weight loading and the ``save_pretrained``/``from_pretrained`` pair.

A folder holds ``config.json`` (written by the model's config dataclass) and
``model.safetensors``. Loading never ignores a key: a missing, unexpected or mis-shaped tensor is
an error that names it.
"""

import os

from safetensors.torch import load_file, save_file

WEIGHTS_FILE = 'model.safetensors'


class CheckpointMismatchError(KeyError):
    """A checkpoint's keys do not fit the model built from its config."""

    def __str__(self):
        return str(self.args[0])  # KeyError would print the message's repr


def _tensor_key(tensor):
    return (tensor.data_ptr(), tuple(tensor.shape), tensor.stride())


def unique_state_dict(module):
    """Return the state dict without aliases of tied tensors (first name wins), detached."""
    seen, out = set(), {}
    for name, tensor in module.state_dict().items():
        key = _tensor_key(tensor) if tensor.numel() else name
        if key in seen:
            continue
        seen.add(key)
        out[name] = tensor.detach().contiguous()
    return out


def load_checked(module, state, source):
    """
    Copy ``state`` into ``module``, failing on any missing, unexpected or mis-shaped key.

    :param module: target module.
    :param state: name -> tensor.
    :param source: file name for the error messages.
    """
    expected = unique_state_dict(module)
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointMismatchError(
            f'{source} does not fit the config: missing keys {missing[:10]}'
            f'{" ..." if len(missing) > 10 else ""}, unexpected keys {unexpected[:10]}'
            f'{" ..." if len(unexpected) > 10 else ""}')
    for name, tensor in state.items():
        if tensor.shape != expected[name].shape:
            raise ValueError(
                f'{source}: key {name!r} has shape {tuple(tensor.shape)}, the config expects '
                f'{tuple(expected[name].shape)}')
    # Tied weights are stored once; give their aliases the same tensor, then load strictly.
    full = dict(state)
    canonical = {_tensor_key(t): n for n, t in module.state_dict().items() if n in expected}
    for name, tensor in module.state_dict().items():
        if name not in full:
            full[name] = state[canonical[_tensor_key(tensor)]]
    module.load_state_dict(full, strict=True)


class PretrainedMixin:
    """
    ``save_pretrained``/``from_pretrained`` for an ``nn.Module`` built from ``cls(config)``.

    The class sets ``config_class``, a config dataclass with ``save(folder)`` and
    ``load(folder)``.
    """

    config_class = None

    def save_pretrained(self, folder):
        """Write ``config.json`` and ``model.safetensors`` into ``folder``."""
        os.makedirs(folder, exist_ok=True)
        self.config.save(folder)
        save_file(unique_state_dict(self), os.path.join(folder, WEIGHTS_FILE))

    @classmethod
    def from_pretrained(cls, folder, device='cpu'):
        """
        Load a folder written by :meth:`save_pretrained`, with strict key and shape checks.

        :param folder: model folder (a local path).
        :param device: target device.
        :return: the model in eval mode.
        """
        if not os.path.isdir(folder):
            raise FileNotFoundError(f'model folder not found: {folder}')
        model = cls(cls.config_class.load(folder))
        weights = os.path.join(folder, WEIGHTS_FILE)
        if not os.path.isfile(weights):
            raise FileNotFoundError(f'model weights not found: {weights}')
        load_checked(model, load_file(weights), WEIGHTS_FILE)
        return model.to(device).eval()


__all__ = ['CheckpointMismatchError', 'PretrainedMixin', 'WEIGHTS_FILE', 'load_checked',
           'unique_state_dict']
