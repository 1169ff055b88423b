# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Image preprocessing: the recorded transform maps camera pixels to model pixels and back."""

import numpy as np
import pytest

from robomamba_ros.models.configuration_robomamba import VisionConfig
from robomamba_ros.models.image_processing import preprocess_image


def _blob_image(height, width, u, v):
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[v - 2:v + 3, u - 2:u + 3] = 255
    return image


def _centroid(pixels):
    weight = pixels.sum(0).numpy()
    weight = weight - weight.min()
    rows, cols = np.indices(weight.shape)
    return np.array([(weight * cols).sum(), (weight * rows).sum()]) / weight.sum()


@pytest.mark.parametrize('mode', ['crop', 'pad'])
@pytest.mark.parametrize('shape', [(60, 90), (90, 60), (48, 64)])
def test_round_trip_both_ways(mode, shape):
    config = VisionConfig(image_size=32, resize_mode=mode)
    _, transform = preprocess_image(np.zeros((*shape, 3), np.uint8), config)
    uv = np.array([[0.0, 0.0], [10.3, 20.7], [shape[1] - 1.0, shape[0] - 1.0]])
    np.testing.assert_allclose(transform.to_image(transform.to_model(uv)), uv, atol=1e-9)
    model_uv = np.array([[0.0, 0.0], [15.5, 3.25], [31.0, 31.0]])
    np.testing.assert_allclose(transform.to_model(transform.to_image(model_uv)), model_uv,
                               atol=1e-9)


@pytest.mark.parametrize('mode', ['crop', 'pad'])
@pytest.mark.parametrize('shape,uv', [((120, 180), (90, 40)), ((180, 120), (50, 100)),
                                      ((96, 128), (70, 60))])
def test_mapping_follows_image_content(mode, shape, uv):
    config = VisionConfig(image_size=64, resize_mode=mode, mean=(0.0,) * 3, std=(1.0,) * 3)
    pixels, transform = preprocess_image(_blob_image(*shape, *uv), config)
    assert pixels.shape == (3, 64, 64)
    expected = transform.to_model(np.array(uv, dtype=float))
    np.testing.assert_allclose(_centroid(pixels), expected, atol=0.35)


def test_crop_keeps_centre_and_pad_keeps_everything():
    crop = VisionConfig(image_size=32, resize_mode='crop')
    pad = VisionConfig(image_size=32, resize_mode='pad')
    image = np.zeros((60, 90, 3), np.uint8)
    _, t_crop = preprocess_image(image, crop)
    _, t_pad = preprocess_image(image, pad)
    np.testing.assert_allclose(t_crop.to_model([44.5, 29.5]), [15.5, 15.5], atol=1e-9)
    corners = t_pad.to_model([[-0.5, -0.5], [89.5, 59.5]])
    assert np.all(corners >= -0.5 - 1e-9) and np.all(corners <= 31.5 + 1e-9)


def test_bad_image_shape_is_rejected():
    with pytest.raises(ValueError, match='shape'):
        preprocess_image(np.zeros((10, 10)), VisionConfig())
