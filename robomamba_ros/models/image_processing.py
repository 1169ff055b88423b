# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Image preprocessing for the vision encoder, with the exact pixel mapping it applies.

Pixel coordinates follow ``robomamba_ros.geometry``: ``u`` is the column, ``v`` the row, and
integer coordinates are pixel centres. Resizing samples at half-pixel centres
(``align_corners=False``), so a camera pixel ``u`` lands at ``(u + 0.5) * scale - 0.5`` in the
resized image, and cropping or padding then shifts it by a whole number of pixels.
:class:`ImageTransform` records both, so a pixel predicted in model-input coordinates maps back
to the original camera image.
"""

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F


@dataclasses.dataclass(frozen=True)
class ImageTransform:
    """
    Affine map from camera-image pixels to model-input pixels (per axis scale, then shift).

    :param scale_x: resized width / original width.
    :param scale_y: resized height / original height.
    :param shift_x: pixels added after resizing (negative: crop, positive: padding).
    :param shift_y: same for rows.
    :param size: model input side in pixels.
    """

    scale_x: float
    scale_y: float
    shift_x: float
    shift_y: float
    size: int

    def to_model(self, uv):
        """Map camera pixels ``(..., 2)`` (u, v) to model-input pixels."""
        uv = np.asarray(uv, dtype=np.float64)
        scale = np.array([self.scale_x, self.scale_y])
        shift = np.array([self.shift_x, self.shift_y])
        return (uv + 0.5) * scale - 0.5 + shift

    def to_image(self, uv_model):
        """Map model-input pixels ``(..., 2)`` back to camera pixels."""
        uv_model = np.asarray(uv_model, dtype=np.float64)
        scale = np.array([self.scale_x, self.scale_y])
        shift = np.array([self.shift_x, self.shift_y])
        return (uv_model + 0.5 - shift) / scale - 0.5


def preprocess_image(image, vision_config):
    """
    Resize, crop or pad, and normalise one RGB image for the encoder.

    :param image: ``(H, W, 3)`` uint8 RGB array (or float in [0, 1]).
    :param vision_config: :class:`VisionConfig` (image_size, resize_mode, mean, std).
    :return: ``(pixels, transform)``: a float32 tensor ``(3, S, S)`` and the
        :class:`ImageTransform` from camera to model-input pixels.
    """
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f'image must have shape (H, W, 3), got {array.shape}')
    pixels = torch.from_numpy(np.array(array)).permute(2, 0, 1).float()
    if array.dtype == np.uint8:
        pixels = pixels / 255.0
    height, width = array.shape[:2]
    size = vision_config.image_size
    crop = vision_config.resize_mode == 'crop'
    scale = size / (min(width, height) if crop else max(width, height))
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = F.interpolate(pixels[None], size=(new_h, new_w), mode='bicubic',
                            align_corners=False, antialias=True)[0].clamp(0.0, 1.0)
    mean = torch.tensor(vision_config.mean).view(3, 1, 1)
    std = torch.tensor(vision_config.std).view(3, 1, 1)
    if crop:
        left, top = (new_w - size) // 2, (new_h - size) // 2
        out = resized[:, top:top + size, left:left + size]
        shift_x, shift_y = -left, -top
    else:
        left, top = (size - new_w) // 2, (size - new_h) // 2
        out = mean.expand(3, size, size).clone()
        out[:, top:top + new_h, left:left + new_w] = resized
        shift_x, shift_y = left, top
    transform = ImageTransform(new_w / width, new_h / height, float(shift_x), float(shift_y), size)
    return ((out - mean) / std).contiguous(), transform


__all__ = ['ImageTransform', 'preprocess_image']
