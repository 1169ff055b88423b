# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Vision encoders behind one interface: pixels in, patch tokens of the second-to-last block out.

``hf`` wraps transformers' ``CLIPVisionModel`` or ``SiglipVisionModel`` (the CPU default).
``open_clip`` is for CUDA machines (it needs torchvision) and is imported only when selected.
"""

import dataclasses
import os

from torch import nn
from transformers import CLIPVisionConfig, CLIPVisionModel, SiglipVisionConfig, SiglipVisionModel


class HFVisionEncoder(nn.Module):
    """
    transformers CLIP / SigLIP vision tower.

    :param vision_config: :class:`VisionConfig`.
    :param model: an already loaded ``CLIPVisionModel`` / ``SiglipVisionModel`` (optional).
    """

    def __init__(self, vision_config, model=None):
        super().__init__()
        self.config = vision_config
        if model is None:
            kwargs = {
                'image_size': vision_config.image_size, 'patch_size': vision_config.patch_size,
                'hidden_size': vision_config.hidden_size,
                'num_hidden_layers': vision_config.num_layers,
                'num_attention_heads': vision_config.num_heads,
                'intermediate_size': vision_config.intermediate_size,
            }
            if vision_config.model_type == 'clip':
                model = CLIPVisionModel(CLIPVisionConfig(**kwargs))
            else:
                model = SiglipVisionModel(SiglipVisionConfig(**kwargs))
        self.model = model
        # CLIP puts a class token first; LLaVA-style features keep the patch tokens only.
        self.drop_class_token = vision_config.model_type == 'clip'

    def forward(self, pixels):
        """
        Encode images.

        :param pixels: ``(batch, 3, S, S)`` normalised images.
        :return: ``(batch, num_patches, hidden_size)`` from the second-to-last block.
        """
        out = self.model(pixel_values=pixels, output_hidden_states=True)
        features = out.hidden_states[-2]
        return features[:, 1:] if self.drop_class_token else features


class OpenClipVisionEncoder(nn.Module):
    """
    open_clip vision tower (CUDA machines; needs the ``clip`` extra).

    The config's sizes must describe the chosen architecture (ViT-L-14: 224 px, patch 14,
    width 1024, 24 blocks).

    :param vision_config: :class:`VisionConfig`; ``open_clip_name`` picks the architecture and
        ``open_clip_weights`` an optional local weights file.
    """

    def __init__(self, vision_config):
        super().__init__()
        weights = vision_config.open_clip_weights
        if weights is not None and not os.path.isfile(weights):
            raise FileNotFoundError(f'vision.open_clip_weights: file not found: {weights}')
        import open_clip  # Imported here: it pulls torchvision, absent on CPU machines.
        self.config = vision_config
        # A local file only: open_clip would download for a named tag.
        model = open_clip.create_model(vision_config.open_clip_name,
                                       pretrained=weights)
        self.visual = model.visual
        self._captured = None
        self.visual.transformer.resblocks[-2].register_forward_hook(self._capture)

    def _capture(self, module, inputs, output):
        self._captured = output

    def forward(self, pixels):
        """Encode images to patch tokens of the second-to-last block, class token dropped."""
        self.visual(pixels)
        features = self._captured
        if not getattr(self.visual.transformer, 'batch_first', True):
            features = features.permute(1, 0, 2)
        return features[:, 1:]


def build_vision_encoder(vision_config, model=None):
    """
    Build the encoder the config selects.

    :param vision_config: :class:`VisionConfig`.
    :param model: optional preloaded transformers vision model for the ``hf`` backend.
    :return: an ``nn.Module`` mapping ``(batch, 3, S, S)`` to ``(batch, tokens, width)``.
    """
    if vision_config.backend == 'open_clip':
        return OpenClipVisionEncoder(vision_config)
    return HFVisionEncoder(vision_config, model)


def vision_config_from_hf(model, base_config):
    """
    Return ``base_config`` with the sizes of a loaded transformers vision model.

    :param model: ``CLIPVisionModel`` or ``SiglipVisionModel``.
    :param base_config: :class:`VisionConfig` whose other fields are kept.
    :return: a new :class:`VisionConfig`.
    """
    c = model.config
    model_type = 'siglip' if 'siglip' in c.model_type else 'clip'
    # SigLIP normalises to [-1, 1]; CLIP uses its own dataset statistics (the config default).
    stats = {'mean': (0.5,) * 3, 'std': (0.5,) * 3} if model_type == 'siglip' else {}
    return dataclasses.replace(
        base_config, backend='hf', model_type=model_type, image_size=c.image_size, **stats,
        patch_size=c.patch_size, hidden_size=c.hidden_size, num_layers=c.num_hidden_layers,
        num_heads=c.num_attention_heads, intermediate_size=c.intermediate_size)


__all__ = [
    'HFVisionEncoder', 'OpenClipVisionEncoder', 'build_vision_encoder', 'vision_config_from_hf',
]
