# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Import a checkpoint saved by the official RoboMamba code (``*.pth``) into our layout.

The official ``LinearManip`` / ``LinearVLM`` modules hold a timm CLIP ViT (``vision.model.*``),
the projector (``projector.projector.{0,2,4}``), the Mamba LM (``llm.mamba.*``, optionally
wrapped by peft: ``base_model.model.*`` with ``lora_A``/``lora_B``) and the heads
(``action_head1``/``action_head2``/``action_head`` with ``fc1..fc3``, ``ssm1``/``ssm2``). Sizes
are read from the tensors; ViT heads are assumed 64 wide (true for ViT-L/14). LoRA adapters
are merged with the official scaling (alpha 32 over rank r).
"""

import re

import torch

from robomamba_ros.models.configuration_robomamba import (
    LanguageModelConfig, RoboMambaConfig, VisionConfig)

OFFICIAL_LORA_ALPHA = 32
_VIT_HEAD_WIDTH = 64
_HEAD_NAMES = {'action_head1': 'head.position', 'action_head2': 'head.rotation',
               'action_head': 'head.mlp'}
_BLOCK = {'norm1': 'layer_norm1', 'norm2': 'layer_norm2', 'attn.proj': 'self_attn.out_proj',
          'mlp.fc1': 'mlp.fc1', 'mlp.fc2': 'mlp.fc2'}


def _merge_lora(lm_state):
    """Strip peft prefixes and fold ``lora_A``/``lora_B`` into their base weights."""
    plain, lora = {}, {}
    for key, value in lm_state.items():
        key = key.replace('base_model.model.', '')
        match = re.match(r'(.*)\.lora_([AB])\.[^.]+\.weight$', key)
        if match:
            lora.setdefault(match.group(1), {})[match.group(2)] = value
        else:
            plain[key.replace('.base_layer.', '.')] = value
    for module, pair in lora.items():
        rank = pair['A'].shape[0]
        delta = (OFFICIAL_LORA_ALPHA / rank) * pair['B'].float() @ pair['A'].float()
        weight = plain[f'{module}.weight']
        plain[f'{module}.weight'] = (weight.float() + delta).to(weight.dtype)
    return plain


def _convert_vision(state, prefix='vision.model.'):
    out = {}
    hf = 'vision.model.'
    for key, value in state.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        block = re.match(r'blocks\.(\d+)\.(.*)\.(weight|bias)$', name)
        if name == 'cls_token':
            out[hf + 'embeddings.class_embedding'] = value.reshape(-1)
        elif name == 'pos_embed':
            out[hf + 'embeddings.position_embedding.weight'] = value.reshape(-1, value.shape[-1])
        elif name == 'patch_embed.proj.weight':
            out[hf + 'embeddings.patch_embedding.weight'] = value
        elif name.startswith('norm_pre.'):
            out[hf + 'pre_layrnorm.' + name.split('.')[-1]] = value
        elif name.startswith('norm.'):
            out[hf + 'post_layernorm.' + name.split('.')[-1]] = value
        elif block and block.group(2) == 'attn.qkv':
            layer, kind = block.group(1), block.group(3)
            for part, tensor in zip('qkv', value.chunk(3, dim=0)):
                out[f'{hf}encoder.layers.{layer}.self_attn.{part}_proj.{kind}'] = tensor
        elif block and block.group(2) in _BLOCK:
            out[f'{hf}encoder.layers.{block.group(1)}.{_BLOCK[block.group(2)]}.'
                f'{block.group(3)}'] = value
        elif name.startswith(('head.', 'fc_norm.')):
            continue  # classification parts, unused (num_classes=0)
        else:
            raise KeyError(f'official checkpoint: unexpected vision key {key!r}')
    return out


def convert_official_state_dict(state):
    """
    Map an official state dict to our key names (``model.safetensors`` layout).

    :param state: the official ``state_dict`` (name -> tensor).
    :return: our state dict; the output embedding stays tied to the input embedding.
    """
    out = _convert_vision(state)
    lm = {k[len('llm.mamba.'):]: v for k, v in state.items() if k.startswith('llm.mamba.')}
    for key, value in _merge_lora(lm).items():
        if key.startswith('lm_head.'):
            continue  # tied to the embeddings (the manipulation model zeroes its own copy)
        out['lm.' + key.replace('backbone.embedding.', 'backbone.embeddings.')] = value
    for key, value in state.items():
        if key.startswith('projector.projector.'):
            out['projector.layers.' + key[len('projector.projector.'):]] = value
        head = re.match(r'(action_head[12]?)\.fc([123])\.(weight|bias)$', key)
        if head:
            index = 2 * (int(head.group(2)) - 1)
            out[f'{_HEAD_NAMES[head.group(1)]}.{index}.{head.group(3)}'] = value
        ssm = re.match(r'ssm([12])\.(.*)$', key)
        if ssm:
            name = 'position_ssm' if ssm.group(1) == '1' else 'rotation_ssm'
            out[f'head.{name}.{ssm.group(2)}'] = value
    return out


def infer_official_config(state, **fields):
    """
    Read the model sizes of an official checkpoint from its tensors.

    :param state: the official state dict.
    :param fields: further :class:`RoboMambaConfig` fields; ``lm_fields`` and
        ``vision_fields`` (dicts) set LM token ids and the ViT head count, which the tensors
        do not determine.
    :return: a :class:`RoboMambaConfig`.
    """
    lm = _merge_lora({k[len('llm.mamba.'):]: v for k, v in state.items()
                      if k.startswith('llm.mamba.')})
    embed = lm.get('backbone.embeddings.weight', lm.get('backbone.embedding.weight'))
    if embed is None:
        raise KeyError('official checkpoint has no llm.mamba.backbone.embeddings.weight')
    layers = {int(m.group(1)) for k in lm for m in [re.match(r'backbone\.layers\.(\d+)\.', k)]
              if m}
    a_log = lm['backbone.layers.0.mixer.A_log']
    patch = state['vision.model.patch_embed.proj.weight']
    width = patch.shape[0]
    grid = int(round((state['vision.model.pos_embed'].shape[-2] - 1) ** 0.5))
    blocks = {int(m.group(1)) for k in state
              for m in [re.match(r'vision\.model\.blocks\.(\d+)\.', k)] if m}
    if 'action_head.fc1.weight' in state:
        head_type = 'mlp'
    elif 'ssm1.mixer.A_log' in state:
        head_type = 'ssm+mlp'
    else:
        head_type = 'two_mlp'
    fields.setdefault('head_type', head_type)
    lm_fields = fields.pop('lm_fields', {})
    vision_fields = {'num_heads': max(1, width // _VIT_HEAD_WIDTH)}
    vision_fields.update(fields.pop('vision_fields', {}))
    return RoboMambaConfig(
        vision=VisionConfig(
            image_size=grid * patch.shape[-1], patch_size=patch.shape[-1], hidden_size=width,
            num_layers=len(blocks),
            intermediate_size=state['vision.model.blocks.0.mlp.fc1.weight'].shape[0],
            **vision_fields),
        lm=LanguageModelConfig(
            vocab_size=embed.shape[0], hidden_size=embed.shape[1], num_layers=len(layers),
            state_size=a_log.shape[1], expand=a_log.shape[0] // embed.shape[1],
            conv_kernel=lm['backbone.layers.0.mixer.conv1d.weight'].shape[-1], **lm_fields),
        projector_hidden_size=state['projector.projector.0.weight'].shape[0], **fields)


def load_official_checkpoint(path, tokenizer=None, **fields):
    """
    Build a :class:`~robomamba_ros.models.robomamba.RoboMamba` from an official ``.pth`` file.

    :param path: the checkpoint (a state dict, or a dict holding one under ``'model'`` or
        ``'state_dict'``).
    :param tokenizer: tokenizer to attach (the Mamba checkpoint's GPT-NeoX tokenizer).
    :param fields: further config fields, see :func:`infer_official_config`.
    :return: the model in eval mode; every key must fit (errors name the key).
    """
    from robomamba_ros.models.checkpoint import load_checked
    from robomamba_ros.models.robomamba import RoboMamba
    state = torch.load(path, map_location='cpu', weights_only=True)
    for wrapper in ('model', 'state_dict'):
        if isinstance(state, dict) and wrapper in state and isinstance(state[wrapper], dict):
            state = state[wrapper]
    config = infer_official_config(state, **fields)
    model = RoboMamba(config, tokenizer)
    load_checked(model, convert_official_state_dict(state), path)
    return model.eval()


__all__ = ['OFFICIAL_LORA_ALPHA', 'convert_official_state_dict', 'infer_official_config',
           'load_official_checkpoint']
