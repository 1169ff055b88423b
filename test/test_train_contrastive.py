# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Stage 0: the contrastive image-text model, its captions batches and its checks."""

import json
import os

import matplotlib.image
import numpy as np
import pytest
import torch

from robomamba_ros.models.configuration_robomamba import VisionConfig
from robomamba_ros.train.contrastive import (
    build_clip, CAPTION_END, caption_end_id, CaptionCollator, CaptionedScenes, ContrastiveConfig,
    ContrastiveModel, held_out_scores, run_contrastive)
from robomamba_ros.train.synthetic_data import square_image
from robomamba_ros.train.tokenizer import train_bpe_tokenizer

VISION = VisionConfig(image_size=32, patch_size=8, hidden_size=16, num_layers=2, num_heads=2,
                      intermediate_size=32)
CATEGORIES = ('storage_box', 'laptop', 'oven')
COLOURS = ('red', 'green', 'blue')


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    """Nine pictures, each category with its own colour, in the datagen layout."""
    root = tmp_path_factory.mktemp('stage0')
    os.makedirs(root / 'rgb')
    records = []
    for i in range(9):
        name = f'rgb/{i:06d}.png'
        matplotlib.image.imsave(root / name, square_image(COLOURS[i % 3], (16 + i, 20)))
        records.append({'id': i, 'rgb': name, 'category': CATEGORIES[i % 3],
                        'part_name': 'door', 'is_open': False,
                        'instruction': f'Open the {CATEGORIES[i % 3]}.'})
    (root / 'index.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in records))
    texts = [f'A photo of a {c.replace("_", " ")} with a door, the door is closed. Open it.'
             for c in CATEGORIES] * 5
    train_bpe_tokenizer(texts, root / 'tok', 300, (CAPTION_END,))
    train_bpe_tokenizer(texts, root / 'plain', 300)
    return root


def _config(folder, **kw):
    kw = {'vision': VISION, **kw}
    return ContrastiveConfig(data=str(folder), tokenizer=str(folder / 'tok'),
                             out=str(folder / 'out'), text_width=16, text_layers=1,
                             text_heads=2, max_text_tokens=24, projection_dim=8, **kw)


def test_captions_end_in_the_pooling_token_and_batches_stack(folder):
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(folder / 'tok')
    with pytest.raises(ValueError, match='no <|caption|> token'):
        caption_end_id(AutoTokenizer.from_pretrained(folder / 'plain'))
    from robomamba_ros.sim.datagen import read_index
    scenes = CaptionedScenes(read_index(folder), str(folder), VISION)
    collate = CaptionCollator(scenes, tokenizer, 24, seed=0)
    batch = collate([scenes[0], scenes[1], scenes[2]])
    assert batch['pixel_values'].shape == (3, 3, 32, 32)
    end = caption_end_id(tokenizer)
    for ids, mask in zip(batch['input_ids'], batch['attention_mask']):
        length = int(mask.sum())
        assert ids[length - 1] == end and torch.all(ids[length:] == tokenizer.pad_token_id)
    with pytest.raises(ValueError, match='batch_size must be >= 2'):
        _config(folder, batch_size=1)
    with pytest.raises(ValueError, match='transformers CLIP'):
        build_clip(_config(folder, vision=VisionConfig(model_type='siglip')), tokenizer)


def test_training_matches_pictures_to_their_captions(folder):
    from transformers import AutoTokenizer
    from robomamba_ros.sim.datagen import read_index
    tokenizer = AutoTokenizer.from_pretrained(folder / 'tok')
    torch.manual_seed(0)
    config = _config(folder)
    clip = build_clip(config, tokenizer)
    scenes = CaptionedScenes(read_index(folder)[:3], str(folder), VISION)
    collate = CaptionCollator(scenes, tokenizer, 24, seed=0)
    model = ContrastiveModel(clip).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss, metrics = model(collate([scenes[i] for i in range(3)]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(metrics['loss'])
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    scores = held_out_scores(clip, scenes, collate)
    assert scores['zero_shot_category'] > scores['zero_shot_chance']
    assert scores['retrieval_chance'] == pytest.approx(1 / 3)


def test_a_run_writes_a_clip_folder_whose_vision_tower_loads_and_resumes(folder):
    from transformers import CLIPVisionModel
    summary = run_contrastive(_config(folder, max_steps=3, batch_size=2, save_every=2),
                              progress=False)
    assert summary['steps'] == 3 and len(summary['history']) == 3
    assert os.path.isfile(folder / 'out/loss.png')
    tower = CLIPVisionModel.from_pretrained(summary['clip_dir'])
    assert tower.config.hidden_size == VISION.hidden_size
    again = run_contrastive(_config(folder, max_steps=4, batch_size=2), progress=False)
    assert again['steps'] == 4 and len(again['history']) == 4
    with pytest.raises(ValueError, match='need at least'):
        run_contrastive(_config(folder, batch_size=5), progress=False)
