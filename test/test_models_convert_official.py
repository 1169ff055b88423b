# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Import of the official checkpoint layout (timm ViT, projector.projector, llm.mamba, heads)."""

import pytest
import torch

from robomamba_ros.models.checkpoint import CheckpointMismatchError, unique_state_dict
from robomamba_ros.models.configuration_robomamba import LanguageModelConfig, RoboMambaConfig
from robomamba_ros.models.convert_official import (
    convert_official_state_dict, infer_official_config, load_official_checkpoint)
from robomamba_ros.models.robomamba import RoboMamba

VIT = 'vision.model.'


def official_layout(model):
    """Write our weights under the official names, independently of the converter."""
    ours = unique_state_dict(model)
    state = {}
    for key, value in ours.items():
        if key.startswith(VIT + 'encoder.layers.'):
            layer, rest = key[len(VIT + 'encoder.layers.'):].split('.', 1)
            if rest.split('.')[:2] in (['self_attn', 'q_proj'], ['self_attn', 'k_proj'],
                                       ['self_attn', 'v_proj']):
                continue
            rest = (rest.replace('layer_norm1', 'norm1').replace('layer_norm2', 'norm2')
                    .replace('self_attn.out_proj', 'attn.proj'))
            state[f'vision.model.blocks.{layer}.{rest}'] = value
        elif key == VIT + 'embeddings.class_embedding':
            state['vision.model.cls_token'] = value.reshape(1, 1, -1)
        elif key == VIT + 'embeddings.position_embedding.weight':
            state['vision.model.pos_embed'] = value[None]
        elif key == VIT + 'embeddings.patch_embedding.weight':
            state['vision.model.patch_embed.proj.weight'] = value
        elif key.startswith(VIT + 'pre_layrnorm.'):
            state['vision.model.norm_pre.' + key.split('.')[-1]] = value
        elif key.startswith(VIT + 'post_layernorm.'):
            state['vision.model.norm.' + key.split('.')[-1]] = value
        elif key.startswith('lm.'):
            state['llm.mamba.' + key[3:]] = value
        elif key.startswith('projector.layers.'):
            state['projector.projector.' + key[len('projector.layers.'):]] = value
        elif key.startswith('head.'):
            _, which, index, kind = key.split('.')
            name = {'position': 'action_head1', 'rotation': 'action_head2'}[which]
            state[f'{name}.fc{int(index) // 2 + 1}.{kind}'] = value
    for layer in range(model.config.vision.num_layers):
        prefix = f'{VIT}encoder.layers.{layer}.self_attn.'
        for kind in ('weight', 'bias'):
            state[f'vision.model.blocks.{layer}.attn.qkv.{kind}'] = torch.cat(
                [ours[f'{prefix}{p}_proj.{kind}'] for p in 'qkv'])
    state['llm.mamba.lm_head.weight'] = torch.zeros_like(ours['lm.backbone.embeddings.weight'])
    return state


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    return RoboMamba(RoboMambaConfig(lm=LanguageModelConfig(vocab_size=80))).eval()


def test_sizes_are_read_from_the_tensors(model):
    config = infer_official_config(official_layout(model), vision_fields={'num_heads': 2})
    assert config.vision == model.config.vision
    assert config.lm == model.config.lm
    assert config.projector_hidden_size == model.config.projector_hidden_size
    assert config.head_type == 'two_mlp'


def test_official_checkpoint_loads_with_identical_outputs(model, tmp_path):
    path = tmp_path / 'robomamba.pth'
    torch.save({'model': official_layout(model)}, path)
    loaded = load_official_checkpoint(str(path), vision_fields={'num_heads': 2})
    pixels = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        expected = model.pose_outputs(pixels, [[1, 5, 6, 7]])
        actual = loaded.pose_outputs(pixels, [[1, 5, 6, 7]])
    for a, b in zip(actual, expected):
        torch.testing.assert_close(a, b)


def test_peft_lora_weights_are_merged(model):
    state = official_layout(model)
    key = 'llm.mamba.backbone.layers.0.mixer.in_proj.weight'
    base = state.pop(key)
    prefix = 'llm.mamba.base_model.model.backbone.layers.0.mixer.in_proj.'
    state[prefix + 'base_layer.weight'] = base
    a, b = torch.randn(8, base.shape[1]), torch.randn(base.shape[0], 8)
    state[prefix + 'lora_A.default.weight'] = a
    state[prefix + 'lora_B.default.weight'] = b
    converted = convert_official_state_dict(state)
    torch.testing.assert_close(converted['lm.backbone.layers.0.mixer.in_proj.weight'],
                               base + 4.0 * b @ a)


def test_unknown_or_missing_keys_are_named(model, tmp_path):
    state = official_layout(model)
    state['vision.model.blocks.0.ls1.gamma'] = torch.ones(3)
    with pytest.raises(KeyError, match='ls1.gamma'):
        convert_official_state_dict(state)
    state = official_layout(model)
    del state['action_head2.fc3.weight']
    torch.save(state, tmp_path / 'broken.pth')
    with pytest.raises(CheckpointMismatchError, match=r'head\.rotation\.4\.weight'):
        load_official_checkpoint(str(tmp_path / 'broken.pth'), vision_fields={'num_heads': 2})
