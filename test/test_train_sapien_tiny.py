# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The robomamba-sapien-tiny recipe on a small folder in the datagen layout (no rendering)."""

import json
import os

import matplotlib.image
import numpy as np
import pytest
from safetensors.torch import load_file
import torch

from robomamba_ros.models.robomamba import RoboMamba
from robomamba_ros.train.sapien_tiny import (
    preset_recipe, run_recipe, SapienTinyRecipe, write_stage1_data)
from robomamba_ros.train.synthetic_data import square_image

SCENES = 6


def _language(i):
    turns = []
    for q, a in (('What object is in the image?', 'A box.'),
                 ('Which part of the box can move?', 'The lid.'),
                 ('How does the lid move?', 'It rotates about a hinge.'),
                 ('Is the lid of the box open or closed?', 'It is closed.'),
                 ('How can a robot open the lid of the box? Plan step by step.',
                  '1. Find the lid. 2. Pull it.')):
        turns += [{'from': 'human', 'value': ('<image>\n' if not turns else '') + q},
                  {'from': 'gpt', 'value': a}]
    return {'id': f'{i:06d}-qa', 'image': f'rgb/{i:06d}.png', 'conversations': turns}


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    """Write a datagen-layout folder: index, exports and images (every other scene succeeds)."""
    root = tmp_path_factory.mktemp('sapien_tiny_data')
    os.makedirs(root / 'rgb')
    index, language, contact = [], [], []
    for i in range(SCENES):
        centre = (20 + 4 * i, 24)
        matplotlib.image.imsave(root / f'rgb/{i:06d}.png', square_image('red', centre))
        ok = i % 2 == 0
        index.append({'id': i, 'rgb': f'rgb/{i:06d}.png', 'instruction': 'Open the lid.',
                      'category': 'storage_box', 'part_name': 'lid', 'is_open': i % 3 == 0,
                      'valid': True, 'success': ok, 'pixel': list(centre),
                      'up_cam': [0, 0, 1], 'forward_cam': [1, 0, 0]})
        language.append(_language(i))
        if ok:
            contact.append({'id': f'{i:06d}', 'image': f'rgb/{i:06d}.png', 'conversations': [
                {'from': 'human', 'value': '<image>\nOpen the lid. Specify the contact point.'},
                {'from': 'gpt', 'value': f'The contact point at ({centre[0]}, {centre[1]}).'}]})
    (root / 'index.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in index))
    (root / 'language_llava.json').write_text(json.dumps(language))
    (root / 'manipllm_llava.json').write_text(json.dumps(contact))
    return root


TINY = {'num_samples': SCENES, 'vocab_size': 300, 'image_size': 32, 'patch_size': 8,
        'vision_width': 16, 'vision_layers': 2, 'lm_width': 16, 'lm_layers': 1,
        'stage1_steps': 3, 'stage1_batch': 4, 'stage2_steps': 3, 'stage2_batch': 4}


def test_stage1_data_puts_the_contact_answer_first_and_thins_plans(data_dir, tmp_path):
    out = tmp_path / 'stage1.json'
    assert write_stage1_data(str(data_dir), str(out), plan_every=3) == SCENES
    rows = json.loads(out.read_text())
    assert rows[0]['conversations'][1]['value'].startswith('The contact point at (20, 24)')
    assert len(rows[0]['conversations']) == 2 + 10          # contact answer + all five turns
    assert len(rows[1]['conversations']) == 8               # failed scene, plan dropped
    assert len(rows[3]['conversations']) == 10              # 3 % 3 == 0 keeps the plan


@pytest.mark.parametrize('variant', ['stages', 'untrained', 'end-to-end'])
def test_recipe_variants_train_what_they_claim(data_dir, tmp_path, variant):
    summary = run_recipe(str(data_dir), str(tmp_path / variant),
                         SapienTinyRecipe(**TINY), variant=variant, progress=False)
    init = load_file(f'{tmp_path}/{variant}/init/model.safetensors')
    final = load_file(f"{summary['model_dir']}/model.safetensors")
    changed = {k.split('.')[0] for k in init if not torch.equal(init[k], final[k])}
    expected = {'stages': {'vision', 'projector', 'lm', 'head'}, 'untrained': {'head'},
                'end-to-end': {'vision', 'projector', 'lm', 'head'}}[variant]
    assert changed == expected
    stage = {'stages': 'stage2', 'untrained': 'stage2', 'end-to-end': 'end_to_end'}[variant]
    assert summary['stages'][stage]['steps'] == (6 if variant == 'end-to-end' else 3)
    if variant != 'end-to-end':
        assert summary['stages'][stage]['trainable_fraction'] < 0.5
    assert set(summary['seconds']) >= {'datagen', 'init', stage}
    model = RoboMamba.from_pretrained(summary['model_dir'])
    pose = model.predict_pose(np.zeros((48, 64, 3), np.uint8), 'Open the lid.')
    assert np.all(np.isfinite(pose['pixel_uv']))


def test_recipe_rejects_bad_sizes_and_variants(data_dir, tmp_path):
    with pytest.raises(ValueError, match='stage1_steps must be a positive integer'):
        SapienTinyRecipe(stage1_steps=0)
    with pytest.raises(ValueError, match='stage0_steps must be a non-negative integer'):
        SapienTinyRecipe(stage0_steps=-1)
    with pytest.raises(ValueError, match="suite must be 'v1' or 'v2'"):
        SapienTinyRecipe(suite='v3')
    with pytest.raises(ValueError, match='preset must be one of'):
        preset_recipe('huge')
    v2 = preset_recipe('v2-tiny', seed=3)
    assert (v2.suite, v2.seed, v2.stage0_steps > 0) == ('v2', 3, True)
    assert preset_recipe('sapien-tiny') == SapienTinyRecipe()
    with pytest.raises(ValueError, match='variant must be one of'):
        run_recipe(str(data_dir), str(tmp_path), SapienTinyRecipe(**TINY), variant='lora')


def test_stage0_pretrains_the_encoder_that_stages_1_and_2_keep_frozen(data_dir, tmp_path):
    from transformers import CLIPVisionModel

    recipe = SapienTinyRecipe(**TINY, stage0_steps=2, stage0_batch=2)
    summary = run_recipe(str(data_dir), str(tmp_path / 'run'), recipe, progress=False)
    stage0 = summary['stages']['stage0']
    assert stage0['steps'] == 2 and stage0['held_out_after']['pictures'] >= 1
    assert os.path.isfile(tmp_path / 'run/stage0/loss.png')
    init = load_file(f'{tmp_path}/run/init/model.safetensors')
    final = load_file(f"{summary['model_dir']}/model.safetensors")
    changed = {k.split('.')[0] for k in init if not torch.equal(init[k], final[k])}
    assert changed == {'projector', 'lm', 'head'}
    clip = CLIPVisionModel.from_pretrained(f'{tmp_path}/run/stage0/clip')
    patch = clip.embeddings.patch_embedding.weight
    mine = [k for k in final if k.startswith('vision.') and k.endswith('patch_embedding.weight')]
    assert len(mine) == 1 and torch.equal(final[mine[0]], patch)
    # Without stage 0 the encoder starts random and learns in stage 1.
    summary = run_recipe(str(data_dir), str(tmp_path / 'none'), recipe, variant='no-stage0',
                         progress=False)
    assert 'stage0' not in summary['stages']
    assert not torch.equal(load_file(f"{summary['model_dir']}/model.safetensors")[mine[0]],
                           patch)
