# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-sapien-tiny``: the recipe that trains the shipped small RoboMamba from nothing.

One command runs every step on a CPU: SAPIEN data generation on the seen categories of a suite,
a byte-level BPE tokenizer trained on that data's text, a small random RoboMamba (ViT encoder,
MLP projector, Mamba LM, ``two_mlp`` head), then

* ``stages`` (the shipped models): with ``stage0_steps``, stage 0 first pretrains the encoder
  image-text contrastively on the same pictures and their captions
  (:mod:`robomamba_ros.train.contrastive`; the encoder then stays frozen, as RoboMamba's CLIP
  does); stage 1 on the scene-language export (the ManipLLM-style contact-point answer, then
  object, movable part, joint type, state, the parts of a multi-part object and where the
  instructed one is, and for one scene in ``plan_every`` the step-by-step plan), training
  projector and LM (and the encoder when there was no stage 0); stage 2 freezes all of it and
  trains only the head on the successful interactions;
* ``no-stage0``: ``stages`` without stage 0 (the encoder learns in stage 1);
* ``untrained``: stage 2 alone on the random backbone (what stages 0 and 1 are worth);
* ``end-to-end``: every module trained with the pose loss from scratch, for as many optimizer
  steps as the stages together and on as many pose samples as stage 2.

``OUT/summary.json`` records the sizes, the wall time of each phase and the parameter counts;
``OUT/model`` is the result, a folder ``RoboMamba.from_pretrained`` loads.
"""

from dataclasses import asdict, dataclass
import json
import os
import time

VARIANTS = ('stages', 'no-stage0', 'untrained', 'end-to-end')
STAGE1_FILE = 'stage1_llava.json'
SUMMARY_FILE = 'summary.json'
# The plan is the fifth question/answer pair of a scene's language export (turns 8 and 9).
PLAN_TURNS = slice(8, 10)


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
    :param suite: the suite the data comes from, ``'v1'`` or ``'v2'``.
    :param stage0_steps: stage 0 optimizer steps (0: no stage 0).
    :param stage0_batch: stage 0 batch size (pictures and captions).
    :param stage0_lr: stage 0 peak learning rate.
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
    suite: str = 'v1'
    stage0_steps: int = 0
    stage0_batch: int = 64
    stage0_lr: float = 1e-3

    def __post_init__(self):
        if self.suite not in ('v1', 'v2'):
            raise ValueError(f"suite must be 'v1' or 'v2', got {self.suite!r}")
        for name, value in asdict(self).items():
            if name == 'suite':
                continue
            if name in ('stage0_lr', 'stage1_lr', 'stage2_lr'):
                if not value > 0:
                    raise ValueError(f'{name} must be > 0, got {value!r}')
            elif not isinstance(value, int) or isinstance(value, bool) or value < (
                    0 if name in ('datagen_seed', 'seed', 'stage0_steps') else 1):
                kind = 'non-negative' if name in ('datagen_seed', 'seed', 'stage0_steps') \
                    else 'positive'
                raise ValueError(f'{name} must be a {kind} integer, got {value!r}')


# Named recipes: the fields that differ from :class:`SapienTinyRecipe`'s defaults.
PRESETS = {
    # models/robomamba-sapien-tiny: suite v1, no stage 0.
    'sapien-tiny': {},
    # models/robomamba-v2-tiny: suite v2, stage 0, 160 px pictures (100 image tokens), a longer
    # stage 2.
    'v2-tiny': {'suite': 'v2', 'num_samples': 12_000, 'image_size': 160, 'stage0_steps': 2000,
                'stage2_steps': 1500},
}


def preset_recipe(name, **overrides):
    """
    Make a named recipe, with some fields changed.

    :param name: one of :data:`PRESETS`.
    :param overrides: :class:`SapienTinyRecipe` fields.
    :return: a :class:`SapienTinyRecipe`.
    :raises ValueError: for an unknown name or a bad field value.
    """
    if name not in PRESETS:
        raise ValueError(f'recipe preset must be one of {tuple(PRESETS)}, got {name!r}')
    return SapienTinyRecipe(**{**PRESETS[name], **overrides})


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
            turns = turns[:PLAN_TURNS.start] + turns[PLAN_TURNS.stop:]
        turns = contact.get(sample['image'], []) + turns
        merged.append({'id': sample['id'], 'image': sample['image'], 'conversations': turns})
    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(merged, f)
    return len(merged)


def _texts(stage1_path, index_path, captions_per_scene=0):
    import numpy as np

    from robomamba_ros.sim.captions import caption
    for sample in _read_json(stage1_path):
        for turn in sample['conversations']:
            yield turn['value'].replace('<image>', '').strip()
    rng = np.random.default_rng(0)
    with open(index_path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                yield record['instruction']
                for _ in range(captions_per_scene):
                    yield caption(record, rng)


def vision_config(recipe):
    """Return the encoder's :class:`VisionConfig` for a recipe."""
    from robomamba_ros.models.configuration_robomamba import VisionConfig
    return VisionConfig(image_size=recipe.image_size, patch_size=recipe.patch_size,
                        hidden_size=recipe.vision_width, num_layers=recipe.vision_layers,
                        num_heads=4, intermediate_size=2 * recipe.vision_width)


def train_tokenizer(recipe, stage1_path, index_path, folder):
    """
    Train the recipe's BPE tokenizer on the data's text (and captions, for stage 0).

    :return: the tokenizer.
    """
    from robomamba_ros.train.contrastive import CAPTION_END
    from robomamba_ros.train.tokenizer import train_bpe_tokenizer

    captions = 2 if recipe.stage0_steps else 0
    return train_bpe_tokenizer(_texts(stage1_path, index_path, captions), folder,
                               recipe.vocab_size, (CAPTION_END,) if captions else ())


def build_model(recipe, tokenizer, folder, vision_model=None):
    """
    Write the small RoboMamba into ``folder``: random, or with a pretrained encoder.

    :param recipe: the :class:`SapienTinyRecipe`.
    :param tokenizer: the trained tokenizer.
    :param folder: output folder.
    :param vision_model: a ``CLIPVisionModel`` from stage 0, or None for a random encoder.
    :return: total parameter count.
    """
    import torch

    from robomamba_ros.models.configuration_robomamba import (
        LanguageModelConfig, RoboMambaConfig)
    from robomamba_ros.models.robomamba import RoboMamba

    torch.manual_seed(recipe.seed)
    config = RoboMambaConfig(
        vision=vision_config(recipe),
        lm=LanguageModelConfig(vocab_size=len(tokenizer), hidden_size=recipe.lm_width,
                               num_layers=recipe.lm_layers, state_size=recipe.lm_state),
        head_type='two_mlp')
    model = RoboMamba(config, tokenizer, vision_model=vision_model)
    model.save_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def run_stage0(recipe, data_dir, tokenizer_dir, out_dir, progress=True):
    """
    Pretrain the encoder image-text contrastively on the data's pictures and captions.

    :return: ``(summary, CLIPVisionModel)``.
    """
    from transformers import CLIPVisionModel

    from robomamba_ros.train.contrastive import ContrastiveConfig, run_contrastive
    summary = run_contrastive(ContrastiveConfig(
        data=data_dir, tokenizer=tokenizer_dir, out=out_dir, vision=vision_config(recipe),
        text_width=recipe.vision_width, max_steps=recipe.stage0_steps,
        batch_size=recipe.stage0_batch, lr=recipe.stage0_lr,
        warmup_steps=max(1, recipe.stage0_steps // 20), seed=recipe.seed), progress=progress)
    return summary, CLIPVisionModel.from_pretrained(summary['clip_dir'], local_files_only=True)


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
                                  seed=recipe.datagen_seed, categories=['seen'],
                                  suite=recipe.suite), progress=progress)
    seconds['datagen'] = time.perf_counter() - start

    start = time.perf_counter()
    stage1_path = os.path.join(data_dir, STAGE1_FILE)
    conversations = write_stage1_data(data_dir, stage1_path, recipe.plan_every)
    init_dir = os.path.join(out_dir, 'init')
    tokenizer = train_tokenizer(recipe, stage1_path, index_path, init_dir)
    seconds['init'] = time.perf_counter() - start

    logs = {}
    stage0 = variant == 'stages' and recipe.stage0_steps > 0
    vision_model = None
    if stage0:
        start = time.perf_counter()
        stage0_log, vision_model = run_stage0(recipe, data_dir, init_dir,
                                              os.path.join(out_dir, 'stage0'), progress)
        logs['stage0'] = {k: stage0_log[k] for k in (
            'steps', 'params', 'vision_params', 'first_loss', 'final_loss',
            'final_batch_accuracy', 'held_out_before', 'held_out_after', 'seconds')}
        seconds['stage0'] = time.perf_counter() - start
    start = time.perf_counter()
    total = build_model(recipe, tokenizer, init_dir, vision_model)
    seconds['init'] += time.perf_counter() - start
    model = init_dir
    if variant in ('stages', 'no-stage0'):
        start = time.perf_counter()
        # A pretrained encoder stays frozen, as RoboMamba's CLIP; a random one learns here.
        logs['stage1'] = _train('cotrain', model, stage1_path, os.path.join(out_dir, 'stage1'),
                                recipe.stage1_steps, recipe.stage1_batch, recipe.stage1_lr,
                                recipe.seed, unfreeze=() if stage0 else ('vision',),
                                progress=progress)
        seconds['stage1'] = time.perf_counter() - start
        model = logs['stage1']['model_dir']
    start = time.perf_counter()
    if variant == 'end-to-end':
        # As many optimizer steps as the stages, seeing as many pose samples as stage 2.
        steps = recipe.stage0_steps + recipe.stage1_steps + recipe.stage2_steps
        e2e_batch = max(1, recipe.stage2_steps * recipe.stage2_batch // steps)
        logs['end_to_end'] = _train(
            'head', model, index_path, os.path.join(out_dir, 'end_to_end'), steps, e2e_batch,
            recipe.stage2_lr, recipe.seed, unfreeze=('vision', 'projector', 'lm'),
            progress=progress)
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
        'stages': {name: log if name == 'stage0' else {k: log[k] for k in (
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


__all__ = ['PRESETS', 'SapienTinyRecipe', 'VARIANTS', 'build_model', 'preset_recipe',
           'run_recipe', 'run_stage0', 'train_tokenizer', 'vision_config', 'write_stage1_data']
