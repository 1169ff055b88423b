# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The models shipped in ``models/`` are found, load offline, stay small and predict sanely."""

import os

import numpy as np
import pytest

from robomamba_ros.package_files import (
    data_dirs, DEFAULT_ROBOMAMBA, find_data, shipped_model, SUITE_ROBOMAMBAS)

os.environ.setdefault('HF_HUB_OFFLINE', '1')


@pytest.mark.parametrize('suite', sorted(SUITE_ROBOMAMBAS))
def test_each_suites_shipped_robomamba_is_found_and_documented(suite):
    folder = shipped_model(SUITE_ROBOMAMBAS[suite])
    assert (folder / 'model.safetensors').is_file()
    card = (folder / 'README.md').read_text()
    assert 'robomamba-ros train sapien-tiny' in card and 'Limits' in card
    assert SUITE_ROBOMAMBAS['v1'] == DEFAULT_ROBOMAMBA


def test_models_stay_within_the_size_budget():
    root = data_dirs('models')[0]
    total = sum(f.stat().st_size for f in root.rglob('*') if f.is_file())
    assert total <= 25 * 2 ** 20, f'models/ holds {total / 2 ** 20:.1f} MB'


def test_missing_data_names_every_folder_searched():
    with pytest.raises(FileNotFoundError, match='no-such-model not found in .*models'):
        shipped_model('no-such-model')
    assert find_data('config', 'sim.yaml').name == 'sim.yaml'


@pytest.mark.parametrize('suite', sorted(SUITE_ROBOMAMBAS))
def test_shipped_robomamba_predicts_a_pixel_inside_the_image(suite):
    from robomamba_ros.models.robomamba import RoboMamba
    model = RoboMamba.from_pretrained(str(shipped_model(SUITE_ROBOMAMBAS[suite])))
    image = np.full((336, 336, 3), 200, np.uint8)
    image[100:260, 110:230] = (150, 110, 80)     # a brown box, as the drawer cabinets are
    pose = model.predict_pose(image, 'Please open the drawer of the drawer cabinet.')
    u, v = pose['pixel_uv']
    assert 0 <= u < 336 and 0 <= v < 336
    assert np.isclose(np.linalg.norm(pose['up']), 1.0, atol=1e-5)
    answer = model.answer(image, 'What object is in the image?', max_new_tokens=8)
    assert isinstance(answer, str) and answer.strip()
