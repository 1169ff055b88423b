# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Low-rank adapters (LoRA) for the Mamba projections, mergeable back into plain ``nn.Linear``.

peft refuses ``out_proj`` on Mamba models because the fused CUDA training kernel
(``mamba_inner_fn``) reads ``x_proj``/``dt_proj``/``out_proj`` weights directly and would bypass an
adapter. :class:`~robomamba_ros.models.mamba_block.Mamba` never uses that fused kernel: it calls
its projections as modules (and reads ``dt_proj.weight``, which the wrapper below exposes with the
adapter folded in), so adapters stay in effect on every path.
"""

import math

import torch
from torch import nn

MAMBA_LORA_TARGETS = ('in_proj', 'x_proj', 'dt_proj', 'out_proj')


class LoRALinear(nn.Module):
    """
    ``base(x) + (alpha / r) * B(A(x))``; ``B`` starts at zero, so training starts at ``base``.

    :param base: the frozen ``nn.Linear``.
    :param rank: adapter rank ``r``.
    :param alpha: scaling numerator.
    """

    def __init__(self, base, rank=8, alpha=32):
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scaling = alpha / rank
        base.requires_grad_(False)

    @property
    def weight(self):
        """Base plus adapter, for code that reads the matrix directly (the dt_proj product)."""
        return self.base.weight + self.scaling * self.lora_b @ self.lora_a

    @property
    def bias(self):
        """The base bias."""
        return self.base.bias

    def forward(self, x):
        return self.base(x) + self.scaling * (x @ self.lora_a.t()) @ self.lora_b.t()

    def merged(self):
        """Return a plain ``nn.Linear`` with the adapter folded into its weight."""
        linear = nn.Linear(self.base.in_features, self.base.out_features,
                           bias=self.base.bias is not None)
        with torch.no_grad():
            linear.weight.copy_(self.weight)
            if self.base.bias is not None:
                linear.bias.copy_(self.base.bias)
        return linear.to(self.base.weight.device, self.base.weight.dtype)


def add_lora(model, targets=MAMBA_LORA_TARGETS, rank=8, alpha=32):
    """
    Wrap every ``nn.Linear`` child named in ``targets`` with :class:`LoRALinear`.

    :param model: module to modify in place.
    :param targets: attribute names to wrap.
    :param rank: adapter rank.
    :param alpha: adapter scaling numerator.
    :return: the list of adapter parameters.
    """
    params = []
    for module in list(model.modules()):
        for name in targets:
            child = getattr(module, name, None)
            if isinstance(child, nn.Linear):
                wrapped = LoRALinear(child, rank, alpha).to(child.weight.device)
                setattr(module, name, wrapped)
                params += [wrapped.lora_a, wrapped.lora_b]
    if not params:
        raise ValueError(f'add_lora: no nn.Linear named {list(targets)} found')
    return params


def merge_lora(model):
    """Replace every :class:`LoRALinear` in ``model`` by its merged ``nn.Linear``; return count."""
    count = 0
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, LoRALinear):
                setattr(module, name, child.merged())
                count += 1
    return count


def has_lora(module):
    """Return True when ``module`` holds a :class:`LoRALinear` anywhere."""
    return any(isinstance(m, LoRALinear) for m in module.modules())


__all__ = ['LoRALinear', 'MAMBA_LORA_TARGETS', 'add_lora', 'has_lora', 'merge_lora']
