# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The training loop shared by all stages.

AdamW with linear warmup and cosine decay, gradient accumulation, bf16 autocast on CUDA,
resumable checkpoints, tqdm progress, a JSON log and a PNG loss plot. Under ``torchrun``
(``WORLD_SIZE`` > 1) it runs data-parallel with ``DistributedDataParallel``; otherwise it is a
plain single process (CPU or one GPU).
"""

import dataclasses
import json
import math
import os
import time

import torch
from tqdm import tqdm

from robomamba_ros.models.lora import merge_lora
from robomamba_ros.models.robomamba import RoboMamba
from robomamba_ros.train.datasets import (
    LanguageCollator, LlavaDataset, ManipulationDataset, PoseCollator)
from robomamba_ros.train.evaluation import pose_errors
from robomamba_ros.train.stages import configure_trainable, parameter_counts, STAGE_DATA

CHECKPOINT_DIR = 'checkpoint'
CHECKPOINT_FILE = 'trainer_state.pt'
MODEL_DIR = 'model'
LOG_FILE = 'log.json'
PLOT_FILE = 'loss.png'
# Stage 2 reports its pose errors on this many training samples at the end.
EVAL_SAMPLES = 64


def warmup_cosine(step, warmup_steps, total_steps, min_lr_ratio):
    """Return the learning-rate factor at ``step``: linear warmup, then cosine to the floor."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    return min_lr_ratio + (1.0 - min_lr_ratio) * cosine


def _distributed():
    world = int(os.environ.get('WORLD_SIZE', '1'))
    if world > 1 and not torch.distributed.is_initialized():
        backend = 'nccl' if torch.cuda.is_available() else 'gloo'
        torch.distributed.init_process_group(backend)
    rank = torch.distributed.get_rank() if world > 1 else 0
    return world, rank


def _device(cfg, rank):
    if cfg.device == 'cpu' or (cfg.device == 'auto' and not torch.cuda.is_available()):
        return torch.device('cpu')
    local = int(os.environ.get('LOCAL_RANK', rank))
    torch.cuda.set_device(local)
    return torch.device('cuda', local)


def build_loader(cfg, model, world, rank):
    """Return the DataLoader (and its sampler) for the stage's data format."""
    if STAGE_DATA[cfg.stage] == 'manipulation':
        dataset = ManipulationDataset(cfg.data, cfg.image_root)
        collate = PoseCollator(model.tokenizer, model.config)
    else:
        dataset = LlavaDataset(cfg.data, cfg.image_root)
        collate = LanguageCollator(model.tokenizer, model.config)
    if len(dataset) == 0:
        raise ValueError(f'dataset {cfg.data} is empty')
    sampler = torch.utils.data.DistributedSampler(
        dataset, num_replicas=world, rank=rank, shuffle=True, seed=cfg.seed) if world > 1 else None
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=cfg.batch_size, shuffle=sampler is None, sampler=sampler,
        collate_fn=collate, num_workers=cfg.num_workers, drop_last=False,
        generator=torch.Generator().manual_seed(cfg.seed))
    return loader, sampler


def _batches(loader, sampler):
    epoch = 0
    while True:
        if sampler is not None:
            sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def _to_device(batch, device):
    return {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items()}


def plot_losses(history, path, title):
    """Write a PNG of every ``*loss*`` series in ``history`` against the step."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    keys = sorted({k for row in history for k in row if 'loss' in k})
    fig, ax = plt.subplots(figsize=(7, 4))
    for key in keys:
        rows = [r for r in history if key in r]
        ax.plot([r['step'] for r in rows], [r[key] for r in rows], label=key)
    ax.set_xlabel('optimizer step')
    ax.set_ylabel('loss')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if keys:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _save_checkpoint(path, model, optimizer, scheduler, step, history):
    os.makedirs(path, exist_ok=True)
    trainable = {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}
    state = {'step': step, 'trainable': trainable, 'optimizer': optimizer.state_dict(),
             'scheduler': scheduler.state_dict(), 'history': history,
             'rng': torch.get_rng_state()}
    tmp = os.path.join(path, CHECKPOINT_FILE + '.tmp')
    torch.save(state, tmp)
    os.replace(tmp, os.path.join(path, CHECKPOINT_FILE))


def _load_checkpoint(path, model, optimizer, scheduler):
    state = torch.load(os.path.join(path, CHECKPOINT_FILE), map_location='cpu',
                       weights_only=False)
    params = dict(model.named_parameters())
    wrong = sorted(set(state['trainable']) ^ {n for n, p in params.items() if p.requires_grad})
    if wrong:
        raise KeyError(
            f'checkpoint {path} trains different parameters than this run: {wrong[:10]}')
    with torch.no_grad():
        for name, value in state['trainable'].items():
            params[name].copy_(value)
    optimizer.load_state_dict(state['optimizer'])
    scheduler.load_state_dict(state['scheduler'])
    torch.set_rng_state(state['rng'])
    return state['step'], state['history']


def optimize(model, params, batches, cfg, device, world=1, main_process=True, progress=True,
             desc='train'):
    """
    Run the optimizer loop shared by all trainings, resuming from ``cfg.out/checkpoint``.

    ``model(batch)`` must return ``(loss, metrics)`` with ``metrics['loss']`` a float.

    :param model: the module (already on ``device``, in train mode).
    :param params: parameters to optimise.
    :param batches: endless iterator of batch dicts.
    :param cfg: any config with ``out``, ``max_steps``, ``grad_accum``, ``lr``, ``weight_decay``,
        ``warmup_steps``, ``min_lr_ratio``, ``grad_clip``, ``save_every`` and ``resume``.
    :param device: ``torch.device``.
    :param world: data-parallel processes (``DistributedDataParallel`` when > 1).
    :param main_process: this process writes checkpoints.
    :param progress: show a tqdm bar.
    :param desc: bar label.
    :return: ``(steps, history, seconds)``; the final checkpoint is written.
    """
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(
        s, cfg.warmup_steps, cfg.max_steps, cfg.min_lr_ratio))
    step, history = 0, []
    checkpoint_dir = os.path.join(cfg.out, CHECKPOINT_DIR)
    if cfg.resume and os.path.isfile(os.path.join(checkpoint_dir, CHECKPOINT_FILE)):
        step, history = _load_checkpoint(checkpoint_dir, model, optimizer, scheduler)
    trained = model
    if world > 1:
        trained = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == 'cuda' else None)
    bar = tqdm(total=cfg.max_steps, initial=step, disable=not (progress and main_process),
               desc=desc)
    start = time.perf_counter()
    while step < cfg.max_steps:
        sums = {}
        for _ in range(cfg.grad_accum):
            batch = _to_device(next(batches), device)
            with torch.autocast('cuda', dtype=torch.bfloat16, enabled=device.type == 'cuda'):
                loss, metrics = trained(batch)
            (loss / cfg.grad_accum).backward()
            for key, value in metrics.items():
                sums[key] = sums.get(key, 0.0) + value / cfg.grad_accum
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        lr = scheduler.get_last_lr()[0]
        scheduler.step()
        step += 1
        history.append({'step': step, 'lr': lr, **sums})
        bar.update(1)
        bar.set_postfix(loss=f"{sums['loss']:.4f}")
        if main_process and cfg.save_every and step % cfg.save_every == 0:
            _save_checkpoint(checkpoint_dir, model, optimizer, scheduler, step, history)
    bar.close()
    seconds = time.perf_counter() - start
    if main_process:
        _save_checkpoint(checkpoint_dir, model, optimizer, scheduler, step, history)
    return step, history, seconds


def run_training(cfg, progress=True):
    """
    Train one stage and write its outputs under ``cfg.out``.

    :param cfg: :class:`~robomamba_ros.train.configuration_train.TrainConfig`.
    :param progress: show a tqdm bar.
    :return: summary dict (also in ``log.json``): final loss, parameter counts, paths, timing.
    """
    world, rank = _distributed()
    torch.manual_seed(cfg.seed + rank)
    device = _device(cfg, rank)
    model = RoboMamba.from_pretrained(cfg.model, device='cpu')
    if model.tokenizer is None:
        raise FileNotFoundError(f'{cfg.model} has no tokenizer.json; training needs one')
    params = configure_trainable(model, cfg.stage, cfg.lora_rank, cfg.lora_alpha,
                                 cfg.unfreeze)
    trainable, total, fraction = parameter_counts(model)
    model.to(device).train()
    loader, sampler = build_loader(cfg, model, world, rank)
    main_process = rank == 0
    if main_process:
        os.makedirs(cfg.out, exist_ok=True)
        print(f'stage {cfg.stage}: training {trainable:,} of {total:,} parameters '
              f'({100 * fraction:.3f} %)')
    step, history, seconds = optimize(
        model, params, _batches(loader, sampler), cfg, device, world=world,
        main_process=main_process, progress=progress, desc=f'train {cfg.stage}')
    summary = None
    if main_process:
        merge_lora(model)
        model_dir = os.path.join(cfg.out, MODEL_DIR)
        model.save_pretrained(model_dir)
        plot_losses(history, os.path.join(cfg.out, PLOT_FILE), f'RoboMamba stage {cfg.stage}')
        errors = None
        if cfg.stage == 'head':
            errors = pose_errors(model.eval(), loader.dataset, limit=EVAL_SAMPLES)
            print(f"stage head: on {errors['samples']} training samples, pixel error "
                  f"{errors['pixel_error_px']:.1f} px, rotation error "
                  f"{errors['rotation_error_deg']:.1f} deg")
        summary = {
            'stage': cfg.stage, 'config': dataclasses.asdict(cfg), 'steps': step,
            'trainable_params': trainable, 'total_params': total,
            'trainable_fraction': fraction, 'first_loss': history[0]['loss'],
            'final_loss': history[-1]['loss'], 'seconds': seconds, 'model_dir': model_dir,
            'world_size': world, 'train_pose_errors': errors, 'history': history,
        }
        with open(os.path.join(cfg.out, LOG_FILE), 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=1)
    if world > 1:
        torch.distributed.barrier()
    return summary


__all__ = ['build_loader', 'optimize', 'plot_losses', 'run_training', 'warmup_cosine']
