# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The three training stages on tiny synthetic data: losses fall, frozen weights stay put."""

import json

import numpy as np
import pytest
from safetensors.torch import load_file
import torch

from robomamba_ros.models.configuration_robomamba import LanguageModelConfig, RoboMambaConfig
from robomamba_ros.models.robomamba import RoboMamba
from robomamba_ros.train.configuration_train import TrainConfig
from robomamba_ros.train.datasets import ManipulationDataset
from robomamba_ros.train.synthetic_data import build_tokenizer, write_synthetic_datasets
from robomamba_ros.train.trainer import run_training, warmup_cosine


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('robomamba_train')
    base = root / 'base'
    tokenizer = build_tokenizer(str(base))
    torch.manual_seed(0)
    config = RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer)))
    RoboMamba(config, tokenizer).save_pretrained(str(base))
    llava, manipulation = write_synthetic_datasets(str(root / 'data'), 16)
    return {'root': root, 'base': str(base), 'llava': llava, 'manipulation': manipulation}


def _train(setup, stage, name, **fields):
    data = setup['manipulation'] if stage == 'head' else setup['llava']
    defaults = {'max_steps': 20, 'batch_size': 16, 'lr': 3e-3, 'warmup_steps': 2}
    defaults.update(fields)
    cfg = TrainConfig(stage=stage, model=setup['base'], data=data,
                      out=str(setup['root'] / name), **defaults)
    return run_training(cfg, progress=False)


def _changed(before, after):
    return sorted(k for k in before if not torch.equal(before[k], after[k]))


def test_align_trains_only_the_projector(setup):
    summary = _train(setup, 'align', 'align', lr=1e-2)
    assert summary['final_loss'] < summary['first_loss']
    before = load_file(f"{setup['base']}/model.safetensors")
    after = load_file(f"{summary['model_dir']}/model.safetensors")
    changed = _changed(before, after)
    assert changed and all(k.startswith('projector.') for k in changed)


def test_cotrain_full_lm_reduces_loss(setup):
    summary = _train(setup, 'cotrain', 'cotrain')
    assert summary['final_loss'] < 0.5 * summary['first_loss']
    changed = _changed(load_file(f"{setup['base']}/model.safetensors"),
                       load_file(f"{summary['model_dir']}/model.safetensors"))
    assert any(k.startswith('lm.') for k in changed)
    assert not any(k.startswith(('vision.', 'head.')) for k in changed)


def test_cotrain_lora_merges_into_a_plain_checkpoint(setup):
    summary = _train(setup, 'cotrain', 'cotrain_lora', lora_rank=8, lora_alpha=32.0)
    assert summary['final_loss'] < 0.5 * summary['first_loss']
    before = load_file(f"{setup['base']}/model.safetensors")
    after = load_file(f"{summary['model_dir']}/model.safetensors")
    assert before.keys() == after.keys()
    changed = _changed(before, after)
    assert 'lm.backbone.layers.0.mixer.in_proj.weight' in changed
    assert 'lm.backbone.layers.0.mixer.A_log' not in changed
    RoboMamba.from_pretrained(summary['model_dir'])


def test_head_stage_overfits_and_keeps_everything_else_frozen(setup):
    summary = _train(setup, 'head', 'head', max_steps=150, lr=1e-2, warmup_steps=5)
    before = load_file(f"{setup['base']}/model.safetensors")
    after = load_file(f"{summary['model_dir']}/model.safetensors")
    changed = _changed(before, after)
    assert changed and all(k.startswith('head.') for k in changed)
    for key in before:
        if not key.startswith('head.'):
            assert torch.equal(before[key], after[key]), key
    assert 0 < summary['trainable_fraction'] < 0.1
    assert summary['trainable_params'] == sum(
        v.numel() for k, v in after.items() if k.startswith('head.'))

    model = RoboMamba.from_pretrained(summary['model_dir'])
    errors = [np.linalg.norm(model.predict_pose(s['image'], s['instruction'])['pixel_uv']
                             - np.asarray(s['pixel_uv']))
              for s in ManipulationDataset(setup['manipulation'])]
    assert np.mean(errors) < 10.0
    assert summary['train_pose_errors']['samples'] == 16
    assert summary['train_pose_errors']['pixel_error_px'] == pytest.approx(np.mean(errors))

    out = setup['root'] / 'head'
    log = json.loads((out / 'log.json').read_text())
    assert len(log['history']) == 150 and 'rotation_loss_rad' in log['history'][0]
    assert (out / 'loss.png').stat().st_size > 1000
    assert (out / 'model' / 'policy_head.safetensors').is_file()


def test_resume_continues_from_the_checkpoint(setup):
    first = _train(setup, 'head', 'resume', max_steps=6, save_every=3)
    assert first['steps'] == 6
    second = _train(setup, 'head', 'resume', max_steps=9, resume=True)
    assert second['steps'] == 9
    assert [r['step'] for r in second['history']] == list(range(1, 10))
    assert second['history'][:6] == first['history']


def test_gradient_accumulation_runs(setup):
    summary = _train(setup, 'head', 'accum', max_steps=2, batch_size=4, grad_accum=2)
    assert summary['steps'] == 2


def test_schedule_warms_up_then_decays_to_the_floor():
    factors = [warmup_cosine(s, 4, 20, 0.1) for s in range(25)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert all(a >= b for a, b in zip(factors[3:], factors[4:]))
    assert factors[-1] == pytest.approx(0.1)


def test_train_config_errors_name_the_field():
    with pytest.raises(ValueError, match="stage must be one of .* got 'finetune'"):
        TrainConfig(stage='finetune', model='m', data='d', out='o')
    with pytest.raises(ValueError, match='grad_accum must be an integer >= 1, got 0'):
        TrainConfig(stage='head', model='m', data='d', out='o', grad_accum=0)
    with pytest.raises(ValueError, match='lora_rank applies to stage cotrain only'):
        TrainConfig(stage='head', model='m', data='d', out='o', lora_rank=8)


def test_manipulation_dataset_reads_simulator_index(tmp_path):
    import matplotlib.image

    from robomamba_ros.train.synthetic_data import square_image
    matplotlib.image.imsave(tmp_path / 'a.png', square_image('red', (20, 20)))
    rows = [
        {'rgb': 'a.png', 'instruction': 'Pull the door.', 'pixel': [20, 20], 'valid': True,
         'success': True, 'up_cam': [0, 0, 1], 'forward_cam': [1, 0, 0]},
        {'rgb': 'a.png', 'instruction': 'Pull the door.', 'valid': False, 'success': False},
        {'rgb': 'a.png', 'instruction': 'Pull the door.', 'pixel': [5, 5], 'valid': True,
         'success': False, 'up_cam': [0, 0, 1], 'forward_cam': [1, 0, 0]},
    ]
    (tmp_path / 'index.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    dataset = ManipulationDataset(str(tmp_path / 'index.jsonl'))
    assert len(dataset) == 1
    sample = dataset[0]
    assert sample['pixel_uv'] == [20, 20] and sample['image'].shape == (48, 64, 3)


def test_unfreeze_adds_the_vision_encoder_to_cotrain(setup):
    summary = _train(setup, 'cotrain', 'cotrain_vision', max_steps=3, unfreeze=('vision',))
    changed = _changed(load_file(f"{setup['base']}/model.safetensors"),
                       load_file(f"{summary['model_dir']}/model.safetensors"))
    assert any(k.startswith('vision.') for k in changed)
    assert any(k.startswith('lm.') for k in changed)
    assert not any(k.startswith('head.') for k in changed)
    with pytest.raises(ValueError, match=r"unfreeze names must be in .* got \['decoder'\]"):
        TrainConfig(stage='head', model='m', data='d', out='o', unfreeze=('decoder',))
