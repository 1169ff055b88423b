# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""RoboMamba on a tiny CPU config: every inference path, persistence and its errors."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from robomamba_ros import geometry
from robomamba_ros.models.configuration_robomamba import (
    LanguageModelConfig, RoboMambaConfig, VisionConfig)
from robomamba_ros.models.prompting import manipulation_ids, question_ids
from robomamba_ros.models.robomamba import build_from_components, RoboMamba
from robomamba_ros.train.synthetic_data import build_tokenizer, INSTRUCTION, QUESTION, square_image


@pytest.fixture(scope='module')
def tokenizer(tmp_path_factory):
    return build_tokenizer(str(tmp_path_factory.mktemp('tokenizer')))


def _model(tokenizer, **fields):
    torch.manual_seed(0)
    config = RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer)), **fields)
    return RoboMamba(config, tokenizer).eval()


@pytest.fixture(scope='module')
def model(tokenizer):
    return _model(tokenizer)


@pytest.fixture(scope='module')
def image():
    return square_image('red', (40, 20), size_hw=(48, 64))


def test_config_errors_name_field_value_and_range():
    with pytest.raises(ValueError, match=r"vision.resize_mode must be one of .* got 'zoom'"):
        VisionConfig(resize_mode='zoom')
    with pytest.raises(ValueError, match=r'lm.hidden_size must be an integer >= 1, got 0'):
        LanguageModelConfig(hidden_size=0)
    with pytest.raises(ValueError, match=r'lm.bos_token_id must be an integer in \[0, 64\)'):
        LanguageModelConfig(bos_token_id=99)
    with pytest.raises(ValueError, match=r"unknown fields \['colour'\]"):
        RoboMambaConfig.from_dict({'colour': 1})


def test_config_module_does_not_import_torch():
    code = ('import sys; import robomamba_ros.models.configuration_robomamba as c; '
            'c.RoboMambaConfig(); assert "torch" not in sys.modules')
    subprocess.run([sys.executable, '-c', code], check=True)


def test_encoder_uses_second_to_last_block_patch_tokens(model):
    pixels = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        features = model.vision(pixels)
        hidden = model.vision.model(pixel_values=pixels, output_hidden_states=True).hidden_states
        projected = model.encode_images(pixels)
    assert features.shape == (2, model.num_vision_tokens, 32)
    torch.testing.assert_close(features, hidden[-2][:, 1:])
    assert projected.shape == (2, model.num_vision_tokens, model.config.lm.hidden_size)


def test_projector_and_head_layout(model):
    widths = [(m.in_features, m.out_features) for m in model.projector.modules()
              if isinstance(m, torch.nn.Linear)]
    assert widths == [(32, 128), (128, 64), (64, 64)]
    for mlp, out in ((model.head.position, 2), (model.head.rotation, 6)):
        linears = [m for m in mlp if isinstance(m, torch.nn.Linear)]
        assert [(m.in_features, m.out_features) for m in linears] == [(64, 32), (32, 16),
                                                                      (16, out)]
        assert linears[-1].bias is None


def test_head_pools_first_text_token_and_last_token(model, tokenizer, image):
    ids = [manipulation_ids(tokenizer, INSTRUCTION, model.config)]
    pixels = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        embeds, last, _ = model.embed_sequences(pixels, ids)
        hidden = model.hidden_states(embeds)
        xy, _ = model.pose_outputs(pixels, ids)
        pooled = (hidden[0, model.num_vision_tokens] + hidden[0, -1]) / 2
    assert last.item() == hidden.shape[1] - 1
    torch.testing.assert_close(xy[0], model.head.position(pooled))


def test_predict_pose_outputs(model, image):
    model.train()
    pose = model.predict_pose(image, INSTRUCTION)
    assert not model.training
    assert pose['pixel_uv'].shape == (2,)
    np.testing.assert_allclose(np.linalg.norm(pose['up']), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(pose['forward']), 1.0, atol=1e-6)
    assert abs(pose['up'] @ pose['forward']) < 1e-6
    np.testing.assert_allclose(pose['rotation'],
                               geometry.gripper_rotation(pose['up'], pose['forward']))
    transform_uv = pose['pixel_model']
    np.testing.assert_allclose(pose['raw_xy'] * 32, transform_uv, rtol=1e-6)
    assert model.select_action({'image': image, 'instruction': INSTRUCTION}).keys() == pose.keys()


def test_answer_greedy_is_deterministic_and_sampling_seeded(model, image):
    first = model.answer(image, QUESTION, max_new_tokens=6)
    assert isinstance(first, str)
    assert model.answer(image, QUESTION, max_new_tokens=6) == first
    a = model.answer(image, QUESTION, max_new_tokens=6, temperature=1.0, seed=3)
    assert model.answer(image, QUESTION, max_new_tokens=6, temperature=1.0, seed=3) == a
    assert isinstance(model.answer(None, QUESTION, max_new_tokens=3), str)


def test_recurrent_decoding_with_image_tokens_equals_full_forward(model, tokenizer):
    pixels = torch.randn(1, 3, 32, 32)
    prompt = question_ids(tokenizer, QUESTION, model.config)
    continuation = [40, 41, 42, 43, 44]
    with torch.no_grad():
        embeds, _, _ = model.embed_sequences(pixels, [prompt + continuation])
        full = model.lm(inputs_embeds=embeds).logits
        prefix, _, _ = model.embed_sequences(pixels, [prompt])
        cache = model.lm.allocate_inference_cache(1)
        logits = [model.lm(inputs_embeds=prefix, cache=cache).logits]
        for token in continuation:
            logits.append(model.lm(input_ids=torch.tensor([[token]]), cache=cache).logits)
    assert cache.seqlen_offset == model.num_vision_tokens + len(prompt) + len(continuation)
    torch.testing.assert_close(torch.cat(logits, 1), full, atol=1e-5, rtol=1e-5)


def _greedy_by_full_forwards(model, image, question, steps):
    """Greedy decoding that re-runs the whole sequence for every token (no cache)."""
    from robomamba_ros.models.image_processing import preprocess_image
    pixels = preprocess_image(image, model.config.vision)[0][None]
    ids = question_ids(model.tokenizer, question, model.config)
    tokens = []
    with torch.no_grad():
        for _ in range(steps):
            embeds, _, _ = model.embed_sequences(pixels, [ids + tokens])
            token = int(model.lm(inputs_embeds=embeds).logits[0, -1].argmax())
            if token == model.config.lm.eos_token_id:
                break
            tokens.append(token)
    return tokens


@pytest.fixture(scope='module')
def talkative_model(tokenizer):
    """
    Build a random model whose answers depend on the image.

    An untied output head of unit scale, loud image tokens and long-memory SSMs: a fresh init
    forgets the image within the prompt.
    """
    torch.manual_seed(0)
    config = RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer),
                                                    tie_embeddings=False))
    model = RoboMamba(config, tokenizer).eval()
    with torch.no_grad():
        model.lm.lm_head.weight.normal_()
        model.projector.layers[-1].weight.mul_(30.0)
        for layer in model.lm.backbone.layers:
            layer.mixer.A_log.fill_(-4.0)
            layer.mixer.dt_proj.bias.fill_(0.5)
            layer.mixer.out_proj.weight.mul_(10.0)
    return model


def test_answer_equals_greedy_decoding_by_full_forwards(talkative_model, image):
    tokens = talkative_model.generate(image, QUESTION, max_new_tokens=6)
    assert len(tokens) == 6
    assert tokens == _greedy_by_full_forwards(talkative_model, image, QUESTION, 6)
    assert talkative_model.answer(image, QUESTION, max_new_tokens=6) == \
        talkative_model.tokenizer.decode(tokens, skip_special_tokens=True).strip()


def test_answer_changes_with_the_image_and_with_the_question(talkative_model, image):
    base = talkative_model.generate(image, QUESTION, max_new_tokens=8)
    other_image = square_image('blue', (10, 30), size_hw=(48, 64))
    assert talkative_model.generate(other_image, QUESTION, max_new_tokens=8) != base
    assert talkative_model.generate(image, 'which part should move?', max_new_tokens=8) != base


def test_batches_mixing_image_and_text_only_samples(model, tokenizer):
    pixels = torch.randn(1, 3, 32, 32)
    with_image = question_ids(tokenizer, QUESTION, model.config)
    text_only = with_image[:5]
    with torch.no_grad():
        embeds, last, num_vis = model.embed_sequences(pixels, [text_only, with_image],
                                                      has_image=[False, True])
        hidden = model.hidden_states(embeds)
        alone_text = model.hidden_states(model.embed_sequences(None, [text_only])[0])
        alone_image = model.hidden_states(model.embed_sequences(pixels, [with_image])[0])
    assert num_vis.tolist() == [0, model.num_vision_tokens]
    assert last.tolist() == [4, model.num_vision_tokens + len(with_image) - 1]
    torch.testing.assert_close(hidden[0, :5], alone_text[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(hidden[1], alone_image[0], atol=1e-5, rtol=1e-5)
    labels = [[-100] * 4 + [text_only[4]], [-100] * (len(with_image) - 1) + [with_image[-1]]]
    loss, _ = model.language_loss(pixels, [text_only, with_image], labels, [False, True])
    assert torch.isfinite(loss)


def test_save_load_round_trip_is_exact(model, image, tmp_path):
    model.save_pretrained(tmp_path)
    for name in ('config.json', 'model.safetensors', 'policy_head.safetensors',
                 'tokenizer.json'):
        assert (tmp_path / name).is_file(), name
    loaded = RoboMamba.from_pretrained(str(tmp_path))
    assert not loaded.training
    a, b = model.predict_pose(image, INSTRUCTION), loaded.predict_pose(image, INSTRUCTION)
    np.testing.assert_array_equal(a['raw_xy'], b['raw_xy'])
    np.testing.assert_array_equal(a['raw_rot6d'], b['raw_rot6d'])
    assert loaded.answer(image, QUESTION, 5) == model.answer(image, QUESTION, 5)


def test_head_weights_load_separately(model, tokenizer, image, tmp_path):
    model.save_pretrained(tmp_path)
    other = _model(tokenizer)
    with torch.no_grad():
        for p in other.head.parameters():
            p.add_(1.0)
    other.load_head(str(tmp_path / 'policy_head.safetensors'))
    np.testing.assert_array_equal(other.predict_pose(image, INSTRUCTION)['raw_xy'],
                                  model.predict_pose(image, INSTRUCTION)['raw_xy'])


def test_loading_errors_name_the_problem(model, tmp_path):
    with pytest.raises(FileNotFoundError, match='model folder not found'):
        RoboMamba.from_pretrained(str(tmp_path / 'nowhere'))
    model.save_pretrained(tmp_path)
    os.remove(tmp_path / 'model.safetensors')
    with pytest.raises(FileNotFoundError, match='model.safetensors'):
        RoboMamba.from_pretrained(str(tmp_path))
    model.save_pretrained(tmp_path)
    config = dataclasses.replace(model.config, head_type='mlp')
    config.save(tmp_path)
    with pytest.raises(KeyError, match=r"missing keys \['head.mlp.0.bias'"):
        RoboMamba.from_pretrained(str(tmp_path))
    config = dataclasses.replace(model.config, projector_hidden_size=64)
    config.save(tmp_path)
    with pytest.raises(ValueError, match=r"'projector.layers.0.bias' has shape \(128,\), "
                                         r'the config expects \(64,\)'):
        RoboMamba.from_pretrained(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='tokenizer.json'):
        RoboMamba.from_pretrained(str(tmp_path), tokenizer_path=str(tmp_path / 'x'))


@pytest.mark.parametrize('head_type', ['mlp', 'ssm+mlp'])
def test_head_variants_train(tokenizer, head_type):
    model = _model(tokenizer, head_type=head_type).train()
    ids = [manipulation_ids(tokenizer, INSTRUCTION, model.config)] * 2
    batch = {'pixels': torch.randn(2, 3, 32, 32), 'token_ids': ids,
             'target_xy': torch.rand(2, 2), 'target_rotation': torch.eye(3).expand(2, 3, 3)}
    loss, metrics = model(batch)
    loss.backward()
    assert set(metrics) == {'loss', 'position_loss', 'rotation_loss_rad'}
    assert all(p.grad is not None for p in model.head.parameters())


def test_siglip_option_runs_and_mamba2_is_refused(tokenizer, image):
    torch.manual_seed(0)
    config = RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer)),
                             vision=VisionConfig(model_type='siglip'))
    model = RoboMamba(config, tokenizer)
    assert model.predict_pose(image, INSTRUCTION)['pixel_uv'].shape == (2,)
    assert isinstance(model.answer(image, QUESTION, max_new_tokens=3), str)
    with pytest.raises(ValueError, match=r"lm.architecture must be one of \('mamba',\)"):
        LanguageModelConfig(architecture='mamba2')


def test_build_from_local_components(tokenizer, tmp_path, image):
    from transformers import CLIPVisionConfig, CLIPVisionModel, MambaConfig, MambaForCausalLM
    CLIPVisionModel(CLIPVisionConfig(
        image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64)).save_pretrained(tmp_path / 'clip')
    MambaForCausalLM(MambaConfig(
        vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, pad_token_id=0,
        bos_token_id=1, eos_token_id=2)).save_pretrained(tmp_path / 'mamba')
    tokenizer.save_pretrained(tmp_path / 'tok')
    model = build_from_components(str(tmp_path / 'clip'), str(tmp_path / 'mamba'),
                                  str(tmp_path / 'tok'))
    assert model.config.vision.num_layers == 2 and model.config.lm.hidden_size == 64
    assert type(model.lm.backbone.layers[0].mixer).__name__ == 'Mamba'
    assert model.predict_pose(image, INSTRUCTION)['pixel_uv'].shape == (2,)


def test_open_clip_backend_checks_its_weights_file_before_importing():
    config = RoboMambaConfig(vision=VisionConfig(backend='open_clip',
                                                 open_clip_weights='/nonexistent/clip.bin'))
    with pytest.raises(FileNotFoundError, match='open_clip_weights'):
        RoboMamba(config)
