# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-sapien-tiny``: the recipe that trains the shipped small RoboMamba from nothing.

One command runs every step on a CPU: SAPIEN data generation on the seen categories, a
byte-level BPE tokenizer trained on that data's text, a small random RoboMamba (ViT encoder,
MLP projector, Mamba LM, ``two_mlp`` head), then

* ``stages`` (the shipped model): stage 1 on the scene-language export (the ManipLLM-style
  contact-point answer, then object, movable part, joint type, state and, for one scene in
  ``plan_every``, the step-by-step plan), training encoder, projector and LM; stage 2 freezes
  all of it and trains only the head on the successful interactions;
* ``untrained``: stage 2 alone on the random backbone (what stage 1 is worth);
* ``end-to-end``: every module trained with the pose loss from scratch, for as many optimizer
  steps as stage 1 and stage 2 together and on as many pose samples as stage 2.

``OUT/summary.json`` records the sizes, the wall time of each phase and the parameter counts;
``OUT/model`` is the result, a folder ``RoboMamba.from_pretrained`` loads.
"""

from dataclasses import asdict, dataclass
import json
import os
import time

VARIANTS = ('stages', 'untrained', 'end-to-end')
STAGE1_FILE = 'stage1_llava.json'
SUMMARY_FILE = 'summary.json'
# Turns of one scene's language export: object, part, joint, state, plan (question, answer).
LANGUAGE_TURNS_WITHOUT_PLAN = 8


@dataclass
class SapienTinyRecipe:
    """
    Sizes and budgets of the recipe (the defaults reproduce the shipped model).

    :param num_samples: SAPIEN interactions generated on the seen categories.
    :param datagen_seed: data generation seed.
    :param vocab_size: BPE vocabulary size.
    :param image_size: encoder input side (pixels).
    :param patch_size: ViT patch side.
    :param vision_width: ViT width.
    :param vision_layers: ViT blocks (features from the second-to-last).
    :param lm_width: Mamba width.
    :param lm_layers: Mamba blocks.
    :param lm_state: SSM state size.
    :param stage1_steps: stage 1 optimizer steps.
    :param stage1_batch: stage 1 batch size.
    :param stage1_lr: stage 1 peak learning rate.
    :param stage2_steps: stage 2 optimizer steps.
    :param stage2_batch: stage 2 batch size.
    :param stage2_lr: stage 2 peak learning rate.
    :param plan_every: one scene in this many keeps its plan turn in stage 1 (plans are long and
        follow one template per category).
    :param seed: initialisation and training seed.
    """

    num_samples: int = 10_000
    datagen_seed: int = 0
    vocab_size: int = 1024
    image_size: int = 112
    patch_size: int = 16
    vision_width: int = 96
    vision_layers: int = 3
    lm_width: int = 128
    lm_layers: int = 3
    lm_state: int = 8
    stage1_steps: int = 600
    stage1_batch: int = 16
    stage1_lr: float = 1e-3
    stage2_steps: int = 600
    stage2_batch: int = 32
    stage2_lr: float = 1e-3
    plan_every: int = 4
    seed: int = 0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if name in ('stage1_lr', 'stage2_lr'):
                if not value > 0:
                    raise ValueError(f'{name} must be > 0, got {value!r}')
            elif not isinstance(value, int) or isinstance(value, bool) or value < (
                    0 if name in ('datagen_seed', 'seed') else 1):
                raise ValueError(f'{name} must be a non-negative integer, got {value!r}')


def _read_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def write_stage1_data(data_dir, out_path, plan_every):
    """
    Merge the datagen exports into one stage 1 conversation per scene.

    The contact-point answer (successful scenes only) comes first, right after the image, as the
    pose prompt does in stage 2; then the scene-language turns.

    :param data_dir: a datagen folder with ``language_llava.json`` and ``manipllm_llava.json``.
    :param out_path: output LLaVA JSON (image paths stay relative to ``data_dir``).
    :param plan_every: keep the plan turn for one scene in this many.
    :return: number of conversations written.
    """
    language = _read_json(os.path.join(data_dir, 'language_llava.json'))
    contact = {s['image']: s['conversations']
               for s in _read_json(os.path.join(data_dir, 'manipllm_llava.json'))}
    merged = []
    for i, sample in enumerate(language):
        turns = sample['conversations']
        if i % plan_every:
            turns = turns[:LANGUAGE_TURNS_WITHOUT_PLAN]
        turns = contact.get(sample['image'], []) + turns
        merged.append({'id': sample['id'], 'image': sample['image'], 'conversations': turns})
    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(merged, f)
    return len(merged)


def _texts(stage1_path, index_path):
    for sample in _read_json(stage1_path):
        for turn in sample['conversations']:
            yield turn['value'].replace('<image>', '').strip()
    with open(index_path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                yield json.loads(line)['instruction']


def build_model(recipe, stage1_path, index_path, folder):
    """
    Train the tokenizer and write the random small RoboMamba into ``folder``.

    :return: total parameter count.
    """
    import torch

    from robomamba_ros.models.configuration_robomamba import (
        LanguageModelConfig, RoboMambaConfig, VisionConfig)
    from robomamba_ros.models.robomamba import RoboMamba
    from robomamba_ros.train.tokenizer import train_bpe_tokenizer

    torch.manual_seed(recipe.seed)
    tokenizer = train_bpe_tokenizer(_texts(stage1_path, index_path), folder, recipe.vocab_size)
    config = RoboMambaConfig(
        vision=VisionConfig(
            image_size=recipe.image_size, patch_size=recipe.patch_size,
            hidden_size=recipe.vision_width, num_layers=recipe.vision_layers, num_heads=4,
            intermediate_size=2 * recipe.vision_width),
        lm=LanguageModelConfig(vocab_size=len(tokenizer), hidden_size=recipe.lm_width,
                               num_layers=recipe.lm_layers, state_size=recipe.lm_state),
        head_type='two_mlp')
    model = RoboMamba(config, tokenizer)
    model.save_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def _train(stage, model, data, out, steps, batch, lr, seed, unfreeze=(), progress=True):
    from robomamba_ros.train.configuration_train import TrainConfig
    from robomamba_ros.train.trainer import run_training
    cfg = TrainConfig(stage=stage, model=model, data=data, out=out, max_steps=steps,
                      batch_size=batch, lr=lr, warmup_steps=max(1, steps // 20),
                      unfreeze=unfreeze, seed=seed, device='cpu', save_every=100,
                      resume=True)
    return run_training(cfg, progress=progress)


def run_recipe(data_dir, out_dir, recipe=None, variant='stages', progress=True):
    """
    Generate the data when missing, then build and train one variant.

    :param data_dir: datagen folder (created or completed with ``recipe.num_samples``).
    :param out_dir: output folder: ``model/``, ``init/``, a folder per stage, ``summary.json``.
    :param recipe: a :class:`SapienTinyRecipe`.
    :param variant: one of ``VARIANTS``.
    :param progress: show progress bars.
    :return: the summary dict.
    """
    recipe = recipe or SapienTinyRecipe()
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}, got {variant!r}')
    os.makedirs(out_dir, exist_ok=True)
    seconds = {}
    start = time.perf_counter()
    index_path = os.path.join(data_dir, 'index.jsonl')
    from robomamba_ros.sim.datagen import DatagenConfig, read_index, run_datagen
    if len([r for r in read_index(data_dir) if r['id'] < recipe.num_samples]) < \
            recipe.num_samples or not os.path.isfile(os.path.join(data_dir,
                                                                  'language_llava.json')):
        run_datagen(DatagenConfig(num_samples=recipe.num_samples, out_dir=data_dir,
                                  seed=recipe.datagen_seed, categories='seen'),
                    progress=progress)
    seconds['datagen'] = time.perf_counter() - start

    start = time.perf_counter()
    stage1_path = os.path.join(data_dir, STAGE1_FILE)
    conversations = write_stage1_data(data_dir, stage1_path, recipe.plan_every)
    init_dir = os.path.join(out_dir, 'init')
    total = build_model(recipe, stage1_path, index_path, init_dir)
    seconds['init'] = time.perf_counter() - start

    logs = {}
    model = init_dir
    if variant == 'stages':
        start = time.perf_counter()
        logs['stage1'] = _train('cotrain', model, stage1_path, os.path.join(out_dir, 'stage1'),
                                recipe.stage1_steps, recipe.stage1_batch, recipe.stage1_lr,
                                recipe.seed, unfreeze=('vision',), progress=progress)
        seconds['stage1'] = time.perf_counter() - start
        model = logs['stage1']['model_dir']
    start = time.perf_counter()
    if variant == 'end-to-end':
        # As many optimizer steps as both stages, seeing as many pose samples as stage 2.
        e2e_batch = max(1, recipe.stage2_steps * recipe.stage2_batch // (
            recipe.stage1_steps + recipe.stage2_steps))
        logs['end_to_end'] = _train(
            'head', model, index_path, os.path.join(out_dir, 'end_to_end'),
            recipe.stage1_steps + recipe.stage2_steps, e2e_batch, recipe.stage2_lr,
            recipe.seed, unfreeze=('vision', 'projector', 'lm'), progress=progress)
        final = logs['end_to_end']
    else:
        logs['stage2'] = _train('head', model, index_path, os.path.join(out_dir, 'stage2'),
                                recipe.stage2_steps, recipe.stage2_batch, recipe.stage2_lr,
                                recipe.seed, progress=progress)
        final = logs['stage2']
    seconds['stage2' if variant != 'end-to-end' else 'end_to_end'] = (
        time.perf_counter() - start)
    model_dir = os.path.join(out_dir, 'model')
    _copy_model(final['model_dir'], model_dir)
    summary = {
        'variant': variant, 'recipe': asdict(recipe), 'data_dir': os.path.abspath(data_dir),
        'stage1_conversations': conversations, 'total_params': total,
        'seconds': seconds, 'total_seconds': sum(seconds.values()),
        'stages': {name: {k: log[k] for k in (
            'steps', 'trainable_params', 'total_params', 'trainable_fraction', 'first_loss',
            'final_loss', 'seconds', 'train_pose_errors')} for name, log in logs.items()},
        'model_dir': model_dir,
    }
    with open(os.path.join(out_dir, SUMMARY_FILE), 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=1)
    return summary


def _copy_model(src, dst):
    import shutil
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


__all__ = ['SapienTinyRecipe', 'VARIANTS', 'build_model', 'run_recipe', 'write_stage1_data']
