# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Local training datasets and their collators.

* LLaVA JSON (stages 1.1 and 1.2): a list of
  ``{"image": "rel/path.jpg", "conversations": [{"from": "human", "value": "<image>..."},
  {"from": "gpt", "value": "..."}]}``; ``image`` may be missing for text-only samples.
* Manipulation JSONL (stage 2): one object per line,
  ``{"image": ..., "instruction": ..., "pixel_uv": [u, v], "up": [x, y, z], "forward": [x, y, z]}``
  with the contact pixel in camera-image pixels (ROS centre convention) and up/forward in the
  camera optical frame; the simulator's ``index.jsonl`` is read as well.

Image paths are relative to the file's folder unless an ``image_root`` is given.
"""

import json
import os

import numpy as np
from PIL import Image
import torch

from robomamba_ros import geometry
from robomamba_ros.models.image_processing import preprocess_image
from robomamba_ros.models.prompting import conversation_ids, manipulation_ids


def load_rgb(path):
    """Read an image file as an ``(H, W, 3)`` uint8 RGB array."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    with Image.open(path) as image:
        return np.asarray(image.convert('RGB'))


class LlavaDataset(torch.utils.data.Dataset):
    """
    Image-text conversations in LLaVA JSON format.

    :param json_path: the JSON list.
    :param image_root: folder the image paths are relative to (default: the JSON's folder).
    """

    def __init__(self, json_path, image_root=None):
        if not os.path.isfile(json_path):
            raise FileNotFoundError(f'LLaVA dataset not found: {json_path}')
        with open(json_path, encoding='utf-8') as f:
            self.samples = json.load(f)
        self.image_root = image_root or os.path.dirname(os.path.abspath(json_path))
        for i, sample in enumerate(self.samples):
            if 'conversations' not in sample:
                raise ValueError(f'{json_path}: sample {i} has no "conversations"')

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        sample = self.samples[index]
        image = None
        if sample.get('image'):
            image = load_rgb(os.path.join(self.image_root, sample['image']))
        return {'image': image, 'conversations': sample['conversations']}


class ManipulationDataset(torch.utils.data.Dataset):
    """
    Manipulation samples (image, instruction, contact pixel, up, forward) in JSONL.

    Also reads the simulator's ``index.jsonl`` (fields ``rgb``, ``pixel``, ``up_cam``,
    ``forward_cam``): records marked ``valid: false`` or ``success: false`` are skipped, so
    Stage 2 learns from successful interactions only, as ManipLLM and RoboMamba do.

    :param jsonl_path: one JSON object per line.
    :param image_root: folder the image paths are relative to (default: the file's folder).
    """

    FIELDS = ('image', 'instruction', 'pixel_uv', 'up', 'forward')
    ALIASES = {'image': 'rgb', 'pixel_uv': 'pixel', 'up': 'up_cam', 'forward': 'forward_cam'}

    def __init__(self, jsonl_path, image_root=None):
        if not os.path.isfile(jsonl_path):
            raise FileNotFoundError(f'manipulation dataset not found: {jsonl_path}')
        self.samples = []
        with open(jsonl_path, encoding='utf-8') as f:
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if record.get('valid') is False or record.get('success') is False:
                    continue
                sample = {k: record.get(k, record.get(self.ALIASES.get(k))) for k in self.FIELDS}
                missing = [k for k, v in sample.items() if v is None]
                if missing:
                    raise ValueError(f'{jsonl_path}:{line_no}: missing fields {missing}')
                self.samples.append(sample)
        self.image_root = image_root or os.path.dirname(os.path.abspath(jsonl_path))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        sample = dict(self.samples[index])
        sample['image'] = load_rgb(os.path.join(self.image_root, sample['image']))
        return sample


class LanguageCollator:
    """Turn LLaVA samples into a language batch (answer-only labels)."""

    def __init__(self, tokenizer, config):
        self.tokenizer = tokenizer
        self.config = config

    def __call__(self, samples):
        has_image = [s['image'] is not None for s in samples]
        pixels = None
        if any(has_image):
            pixels = torch.stack([preprocess_image(s['image'], self.config.vision)[0]
                                  for s in samples if s['image'] is not None])
        encoded = [conversation_ids(self.tokenizer, s['conversations'], self.config)
                   for s in samples]
        return {'pixels': pixels, 'token_ids': [e[0] for e in encoded],
                'labels': [e[1] for e in encoded], 'has_image': has_image}


class PoseCollator:
    """
    Turn manipulation samples into a pose batch.

    Targets: the contact pixel mapped into model-input pixels and divided by the input size, and
    the rotation ``rot6d_to_matrix([up, forward])`` (columns up, forward, up x forward).
    """

    def __init__(self, tokenizer, config):
        self.tokenizer = tokenizer
        self.config = config

    def __call__(self, samples):
        pixels, target_xy, rotations, ids = [], [], [], []
        for s in samples:
            image, transform = preprocess_image(s['image'], self.config.vision)
            pixels.append(image)
            uv = transform.to_model(np.asarray(s['pixel_uv'], dtype=np.float64))
            target_xy.append(uv / self.config.vision.image_size)
            rotations.append(geometry.rot6d_to_matrix(np.concatenate([s['up'], s['forward']])))
            ids.append(manipulation_ids(self.tokenizer, s['instruction'], self.config))
        return {
            'pixels': torch.stack(pixels), 'token_ids': ids,
            'target_xy': torch.tensor(np.stack(target_xy), dtype=torch.float32),
            'target_rotation': torch.tensor(np.stack(rotations), dtype=torch.float32),
        }


__all__ = ['LanguageCollator', 'LlavaDataset', 'ManipulationDataset', 'PoseCollator',
           'load_rgb']
