# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""LoRA adapters on the Mamba projections: start at the base model, merge exactly."""

import pytest
import torch

from robomamba_ros.models.configuration_robomamba import LanguageModelConfig
from robomamba_ros.models.lora import add_lora, has_lora, LoRALinear, merge_lora
from robomamba_ros.models.mamba_lm import MambaLM


@pytest.fixture()
def lm():
    torch.manual_seed(0)
    return MambaLM(LanguageModelConfig(vocab_size=40, hidden_size=32, num_layers=2)).eval()


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


def test_adapters_act_in_cached_decoding(lm):
    ids = torch.randint(0, 40, (1, 7), generator=torch.Generator().manual_seed(2))
    add_lora(lm, rank=2)
    with torch.no_grad():
        for p in lm.parameters():
            if p.requires_grad:
                p.add_(0.05 * torch.randn_like(p))
        full = lm(ids).logits
        cache = lm.allocate_inference_cache(1)
        steps = [lm(ids[:, t:t + 1], cache=cache).logits for t in range(7)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-5)


def test_only_adapters_train(lm):
    params = add_lora(lm, rank=2)
    trainable = {id(p) for p in lm.parameters() if p.requires_grad}
    assert {id(p) for p in params} <= trainable
    assert not lm.backbone.layers[0].mixer.in_proj.base.weight.requires_grad


def test_no_target_is_an_error():
    with pytest.raises(ValueError, match='no nn.Linear named'):
        add_lora(torch.nn.Sequential(torch.nn.ReLU()))
