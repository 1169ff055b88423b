# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""LoRA adapters on the Mamba projections: start at the base model, merge exactly."""

import pytest
import torch
from transformers import MambaConfig, MambaForCausalLM

from robomamba_ros.models.lora import add_lora, has_lora, LoRALinear, merge_lora
from robomamba_ros.models.mamba_lm import use_torch_scan


@pytest.fixture()
def lm():
    torch.manual_seed(0)
    model = MambaForCausalLM(MambaConfig(vocab_size=40, hidden_size=32, num_hidden_layers=2))
    use_torch_scan(model)
    return model.eval()


def test_adapters_start_at_the_base_model_and_merge_exactly(lm):
    ids = torch.randint(0, 40, (2, 9), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        base = lm(ids).logits
    params = add_lora(lm, rank=4, alpha=8)
    assert len(params) == 2 * 4 * 2 and has_lora(lm)
    assert isinstance(lm.backbone.layers[0].mixer.out_proj, LoRALinear)
    with torch.no_grad():
        torch.testing.assert_close(lm(ids).logits, base)
        for p in params:
            p.add_(0.05 * torch.randn_like(p))
        adapted = lm(ids).logits
    assert not torch.allclose(adapted, base)
    assert merge_lora(lm) == 8 and not has_lora(lm)
    with torch.no_grad():
        torch.testing.assert_close(lm(ids).logits, adapted, atol=1e-5, rtol=1e-5)


def test_only_adapters_train(lm):
    params = add_lora(lm, rank=2)
    trainable = {id(p) for p in lm.parameters() if p.requires_grad}
    assert {id(p) for p in params} <= trainable
    assert not lm.backbone.layers[0].mixer.in_proj.base.weight.requires_grad


def test_no_target_is_an_error():
    with pytest.raises(ValueError, match='no nn.Linear named'):
        add_lora(torch.nn.Sequential(torch.nn.ReLU()))
