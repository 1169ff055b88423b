# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Stage 0: image-text contrastive pretraining of the vision encoder (CLIP's objective).

RoboMamba starts from a CLIP encoder, which learned what is in a picture by matching pictures to
their captions. This stage does the same at our scale: transformers' ``CLIPModel`` (a ViT of the
RoboMamba encoder's size and a small text transformer) trained with CLIP's symmetric
cross-entropy on rendered scenes of a data generation folder and captions drawn from their
records (:func:`robomamba_ros.sim.captions.caption`: object, parts, layout, open parts, spatial
relations, surroundings, instruction). The result is a CLIP folder whose vision tower
``CLIPVisionModel.from_pretrained`` loads, as RoboMamba loads a real CLIP.

Outputs under ``out``: ``clip/`` (the model and the tokenizer), ``checkpoint/`` (resumable),
``log.json`` (every step's loss and in-batch accuracy, the held-out retrieval and zero-shot
category accuracy) and ``loss.png``.
"""

import dataclasses
import json
import os

import numpy as np
import torch

from robomamba_ros.sim.captions import caption
from robomamba_ros.sim.datagen import read_index
from robomamba_ros.sim.language import object_noun
from robomamba_ros.train.datasets import load_rgb
from robomamba_ros.train.trainer import optimize, plot_losses

CLIP_DIR = 'clip'
LOG_FILE = 'log.json'
PLOT_FILE = 'loss.png'
# The token that ends a caption, where CLIP's text tower pools. Not the tokenizer's end-of-text:
# transformers' CLIP treats an end-of-text id of 2 (ours) as a legacy configuration and pools at
# the largest id instead.
CAPTION_END = '<|caption|>'


@dataclasses.dataclass
class ContrastiveConfig:
    """
    One Stage 0 run.

    :param data: data generation folder (``index.jsonl`` and ``rgb/``).
    :param tokenizer: tokenizer folder; it must know :data:`CAPTION_END`.
    :param out: output folder.
    :param vision: the RoboMamba :class:`~robomamba_ros.models.configuration_robomamba.
        VisionConfig` whose encoder is pretrained (sizes and image normalisation).
    :param text_width: text transformer width.
    :param text_layers: text transformer blocks.
    :param text_heads: text attention heads.
    :param max_text_tokens: caption length in tokens (longer captions are cut).
    :param projection_dim: width of the shared image-text space.
    :param max_steps: optimizer steps.
    :param batch_size: pictures (and captions) per step: the negatives of each pair.
    :param lr: peak learning rate.
    :param weight_decay: AdamW weight decay.
    :param warmup_steps: linear warmup steps.
    :param min_lr_ratio: final learning rate as a share of ``lr``.
    :param grad_clip: gradient-norm clip (0 disables).
    :param held_out: share of the pictures kept for the retrieval check (the last ones).
    :param save_every: steps between resumable checkpoints.
    :param resume: continue from ``out/checkpoint`` when it exists.
    :param seed: initialisation, order and caption seed.
    """

    data: str
    tokenizer: str
    out: str
    vision: object
    text_width: int = 96
    text_layers: int = 2
    text_heads: int = 4
    max_text_tokens: int = 48
    projection_dim: int = 64
    max_steps: int = 1000
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.1
    warmup_steps: int = 50
    min_lr_ratio: float = 0.05
    grad_clip: float = 1.0
    held_out: float = 0.03
    save_every: int = 100
    resume: bool = True
    seed: int = 0
    grad_accum: int = 1

    def __post_init__(self):
        for name in ('text_width', 'text_layers', 'text_heads', 'max_text_tokens',
                     'projection_dim', 'max_steps', 'batch_size'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be a positive integer, got {value!r}')
        if self.batch_size < 2:
            raise ValueError(f'batch_size must be >= 2 (the other pairs are the negatives), '
                             f'got {self.batch_size!r}')
        if not self.lr > 0 or not 0.0 < self.held_out < 1.0:
            raise ValueError(f'need lr > 0 and held_out in (0, 1), got {self.lr!r}, '
                             f'{self.held_out!r}')


class CaptionedScenes(torch.utils.data.Dataset):
    """
    Rendered scenes of a data generation folder as encoder inputs, with their records.

    :param records: index records (``rgb`` relative to ``root``).
    :param root: the data generation folder.
    :param vision: the :class:`VisionConfig` (input size and normalisation).
    """

    def __init__(self, records, root, vision):
        from robomamba_ros.models.image_processing import preprocess_image
        self.records, self.root, self.vision = records, root, vision
        self._preprocess = preprocess_image

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        record = self.records[index]
        pixels, _ = self._preprocess(load_rgb(os.path.join(self.root, record['rgb'])),
                                     self.vision)
        return pixels, index


class CaptionCollator:
    """
    Stack pictures and draw one caption per picture, tokenised and closed by the pooling token.

    :param dataset: the :class:`CaptionedScenes`.
    :param tokenizer: a transformers tokenizer knowing :data:`CAPTION_END`.
    :param max_tokens: caption length.
    :param seed: caption draws.
    """

    def __init__(self, dataset, tokenizer, max_tokens, seed):
        self.dataset, self.tokenizer, self.max_tokens = dataset, tokenizer, max_tokens
        self.end_id = caption_end_id(tokenizer)
        self.rng = np.random.default_rng(seed)

    def texts(self, indices, rng=None):
        """Draw a caption for each record index."""
        rng = rng or self.rng
        return [caption(self.dataset.records[i], rng) for i in indices]

    def encode(self, texts):
        """Token ids ``(B, max_tokens)`` ending in the pooling token, and the attention mask."""
        ids = torch.full((len(texts), self.max_tokens), self.tokenizer.pad_token_id)
        mask = torch.zeros((len(texts), self.max_tokens), dtype=torch.long)
        for row, text in enumerate(texts):
            tokens = self.tokenizer(text, add_special_tokens=False)['input_ids']
            tokens = tokens[:self.max_tokens - 1] + [self.end_id]
            ids[row, :len(tokens)] = torch.tensor(tokens)
            mask[row, :len(tokens)] = 1
        return ids, mask

    def __call__(self, items):
        pixels = torch.stack([p for p, _ in items])
        ids, mask = self.encode(self.texts([i for _, i in items]))
        return {'pixel_values': pixels, 'input_ids': ids, 'attention_mask': mask}


def caption_end_id(tokenizer):
    """
    Return the id of :data:`CAPTION_END` in a tokenizer.

    :raises ValueError: when the tokenizer does not know it.
    """
    token_id = tokenizer.convert_tokens_to_ids(CAPTION_END)
    if token_id is None or token_id == tokenizer.unk_token_id or \
            tokenizer.convert_ids_to_tokens(token_id) != CAPTION_END:
        raise ValueError(f'the tokenizer has no {CAPTION_END} token; train it with '
                         f"extra_special_tokens=('{CAPTION_END}',)")
    return int(token_id)


class ContrastiveModel(torch.nn.Module):
    """``CLIPModel`` returning ``(loss, metrics)`` for the shared optimizer loop."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, batch):
        out = self.clip(**batch, return_loss=True)
        target = torch.arange(out.logits_per_image.shape[0])
        accuracy = (out.logits_per_image.argmax(-1) == target).float().mean()
        return out.loss, {'loss': float(out.loss.detach()), 'accuracy': float(accuracy)}


def build_clip(config, tokenizer):
    """
    Build a random ``CLIPModel`` whose vision tower has the RoboMamba encoder's sizes.

    :param config: a :class:`ContrastiveConfig`.
    :param tokenizer: the tokenizer (vocabulary size, pad and pooling ids).
    :return: ``transformers.CLIPModel``.
    """
    from transformers import CLIPConfig, CLIPModel

    v = config.vision
    if v.backend != 'hf' or v.model_type != 'clip':
        raise ValueError(f'Stage 0 pretrains a transformers CLIP encoder, got backend '
                         f'{v.backend!r} and model_type {v.model_type!r}')
    clip_config = CLIPConfig(
        text_config={'vocab_size': len(tokenizer), 'hidden_size': config.text_width,
                     'intermediate_size': 2 * config.text_width,
                     'num_hidden_layers': config.text_layers,
                     'num_attention_heads': config.text_heads,
                     'max_position_embeddings': config.max_text_tokens,
                     'pad_token_id': tokenizer.pad_token_id,
                     'bos_token_id': tokenizer.bos_token_id,
                     'eos_token_id': caption_end_id(tokenizer)},
        vision_config={'image_size': v.image_size, 'patch_size': v.patch_size,
                       'hidden_size': v.hidden_size, 'num_hidden_layers': v.num_layers,
                       'num_attention_heads': v.num_heads,
                       'intermediate_size': v.intermediate_size},
        projection_dim=config.projection_dim)
    return CLIPModel(clip_config)


@torch.no_grad()
def held_out_scores(clip, dataset, collator, seed=0, batch=64):
    """
    Score retrieval and zero-shot recognition on held-out pictures.

    Retrieval: each picture against the captions of all of them. Zero-shot: each picture
    against "A photo of a {object}." for every category present.

    :param clip: the ``CLIPModel``.
    :param dataset: held-out :class:`CaptionedScenes`.
    :param collator: the :class:`CaptionCollator`.
    :param seed: caption draws (fixed, so runs compare).
    :return: dict with ``retrieval_top1``, ``retrieval_chance``, ``zero_shot_category``,
        ``zero_shot_chance`` and ``pictures``.
    """
    clip.eval()
    indices = list(range(len(dataset)))
    images = []
    for start in range(0, len(indices), batch):
        pixels = torch.stack([dataset[i][0] for i in indices[start:start + batch]])
        images.append(torch.nn.functional.normalize(
            clip.get_image_features(pixel_values=pixels).pooler_output, dim=-1))
    images = torch.cat(images)

    def text_features(texts):
        ids, mask = collator.encode(texts)
        return torch.nn.functional.normalize(
            clip.get_text_features(input_ids=ids, attention_mask=mask).pooler_output, dim=-1)

    texts = text_features(collator.texts(indices, np.random.default_rng(seed)))
    retrieval = float(((images @ texts.T).argmax(-1) == torch.arange(len(indices)))
                      .float().mean())
    categories = sorted({r['category'] for r in dataset.records})
    prompts = text_features([f'A photo of a {object_noun(c)}.' for c in categories])
    truth = torch.tensor([categories.index(r['category']) for r in dataset.records])
    zero_shot = float(((images @ prompts.T).argmax(-1) == truth).float().mean())
    clip.train()
    return {'pictures': len(indices), 'retrieval_top1': retrieval,
            'retrieval_chance': 1.0 / len(indices), 'zero_shot_category': zero_shot,
            'zero_shot_chance': 1.0 / len(categories)}


def run_contrastive(config, progress=True):
    """
    Train Stage 0 and write ``clip/``, ``log.json`` and ``loss.png`` under ``config.out``.

    :param config: a :class:`ContrastiveConfig`.
    :param progress: show a tqdm bar.
    :return: the summary dict (also in ``log.json``).
    """
    from transformers import AutoTokenizer

    records = read_index(config.data)
    if len(records) < 2 * config.batch_size:
        raise ValueError(f'{config.data}: {len(records)} pictures, need at least '
                         f'{2 * config.batch_size} for batches of {config.batch_size}')
    tokenizer = AutoTokenizer.from_pretrained(config.tokenizer, local_files_only=True)
    torch.manual_seed(config.seed)
    clip = build_clip(config, tokenizer)
    held = max(1, int(round(config.held_out * len(records))))
    train_set = CaptionedScenes(records[:-held], config.data, config.vision)
    test_set = CaptionedScenes(records[-held:], config.data, config.vision)
    collator = CaptionCollator(train_set, tokenizer, config.max_text_tokens, config.seed)
    loader = torch.utils.data.DataLoader(
        train_set, batch_size=config.batch_size, shuffle=True, drop_last=True,
        collate_fn=collator, generator=torch.Generator().manual_seed(config.seed))

    def batches():
        while True:
            yield from loader

    os.makedirs(config.out, exist_ok=True)
    model = ContrastiveModel(clip).train()
    test_collator = CaptionCollator(test_set, tokenizer, config.max_text_tokens, config.seed)
    before = held_out_scores(clip, test_set, test_collator)
    steps, history, seconds = optimize(model, list(model.parameters()), batches(), config,
                                       torch.device('cpu'), progress=progress,
                                       desc='stage 0')
    after = held_out_scores(clip, test_set, test_collator)
    clip_dir = os.path.join(config.out, CLIP_DIR)
    clip.save_pretrained(clip_dir)
    tokenizer.save_pretrained(clip_dir)
    summary = {
        'steps': steps, 'seconds': seconds, 'pictures': len(train_set),
        'params': sum(p.numel() for p in clip.parameters()),
        'vision_params': sum(p.numel() for p in clip.vision_model.parameters()),
        'first_loss': history[0]['loss'] if history else None,
        'final_loss': float(np.mean([h['loss'] for h in history[-20:]])) if history else None,
        'final_batch_accuracy': float(np.mean([h['accuracy'] for h in history[-20:]]))
        if history else None,
        'held_out_before': before, 'held_out_after': after,
        'config': {k: v for k, v in dataclasses.asdict(config).items() if k != 'vision'},
        'clip_dir': clip_dir, 'history': history,
    }
    with open(os.path.join(config.out, LOG_FILE), 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=1)
    plot_losses(history, os.path.join(config.out, PLOT_FILE), 'Stage 0: image-text contrastive')
    return summary


__all__ = [
    'CAPTION_END', 'CaptionCollator', 'CaptionedScenes', 'ContrastiveConfig', 'ContrastiveModel',
    'build_clip', 'caption_end_id', 'held_out_scores', 'run_contrastive',
]
