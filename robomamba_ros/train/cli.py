# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The ``robomamba-ros train`` command: ``init``, ``align``, ``cotrain`` and ``head``.

``train-head`` is a shortcut for ``train head``. Torch is imported only when a command runs.
"""

from robomamba_ros.train.sapien_tiny import PRESETS, VARIANTS
from robomamba_ros.train.stages import MODULES

STAGE_HELP = {
    'align': 'stage 1.1: train the projector on LLaVA image-text pairs',
    'cotrain': 'stage 1.2: train projector + Mamba (or LoRA adapters) on LLaVA-format VQA',
    'head': 'stage 2: train only the policy head on manipulation samples',
}


def _add_stage_arguments(p):
    p.add_argument('--model', required=True,
                   help='model folder (config.json, model.safetensors, tokenizer files)')
    p.add_argument('--data', required=True,
                   help='LLaVA JSON (align, cotrain) or manipulation JSONL (head)')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--image-root', default=None,
                   help='folder image paths are relative to (default: the data file folder)')
    p.add_argument('--max-steps', type=int, default=100, help='optimizer steps')
    p.add_argument('--batch-size', type=int, default=8, help='samples per micro-batch')
    p.add_argument('--grad-accum', type=int, default=1, help='micro-batches per step')
    p.add_argument('--lr', type=float, default=1e-4, help='peak learning rate')
    p.add_argument('--weight-decay', type=float, default=0.0, help='AdamW weight decay')
    p.add_argument('--warmup-steps', type=int, default=10, help='linear warmup steps')
    p.add_argument('--min-lr-ratio', type=float, default=0.1, help='final lr / peak lr')
    p.add_argument('--grad-clip', type=float, default=1.0, help='gradient-norm clip (0: off)')
    p.add_argument('--save-every', type=int, default=0, help='checkpoint period in steps')
    p.add_argument('--resume', action='store_true', help='continue from OUT/checkpoint')
    p.add_argument('--seed', type=int, default=0, help='random seed')
    p.add_argument('--device', default='auto', choices=('auto', 'cpu', 'cuda'))
    p.add_argument('--num-workers', type=int, default=0, help='DataLoader workers')
    p.add_argument('--unfreeze', nargs='+', default=(), choices=MODULES,
                   help='modules trained besides those of the stage (e.g. vision for an '
                        'encoder trained from scratch)')


def _cmd_stage(args):
    from robomamba_ros.train.configuration_train import TrainConfig
    from robomamba_ros.train.trainer import run_training
    cfg = TrainConfig(
        stage=args.stage, model=args.model, data=args.data, out=args.out,
        image_root=args.image_root, max_steps=args.max_steps, batch_size=args.batch_size,
        grad_accum=args.grad_accum, lr=args.lr, weight_decay=args.weight_decay,
        warmup_steps=args.warmup_steps, min_lr_ratio=args.min_lr_ratio,
        grad_clip=args.grad_clip, lora_rank=getattr(args, 'lora_rank', 0),
        lora_alpha=getattr(args, 'lora_alpha', 32.0), unfreeze=args.unfreeze,
        save_every=args.save_every,
        resume=args.resume, seed=args.seed, device=args.device, num_workers=args.num_workers)
    summary = run_training(cfg)
    if summary is not None:
        print(f"stage {summary['stage']}: loss {summary['first_loss']:.4f} -> "
              f"{summary['final_loss']:.4f} in {summary['steps']} steps; "
              f"model in {summary['model_dir']}")
    return 0


def _cmd_init(args):
    if args.tiny:
        import torch

        from robomamba_ros.models.configuration_robomamba import (
            LanguageModelConfig, RoboMambaConfig)
        from robomamba_ros.models.robomamba import RoboMamba
        from robomamba_ros.train.synthetic_data import build_tokenizer, write_synthetic_datasets
        torch.manual_seed(args.seed)
        tokenizer = build_tokenizer(args.out)
        config = RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer)),
                                 head_type=args.head_type)
        RoboMamba(config, tokenizer).save_pretrained(args.out)
        llava, manipulation = write_synthetic_datasets(f'{args.out}/data', 16)
        print(f'tiny model in {args.out}; synthetic data: {llava}, {manipulation}')
        return 0
    if args.official:
        from robomamba_ros.models.convert_official import load_official_checkpoint
        from robomamba_ros.models.robomamba import load_tokenizer
        tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else None
        ids = {}
        if tokenizer is not None:
            eos = tokenizer.eos_token_id or 0
            ids = {'bos_token_id': tokenizer.bos_token_id or eos, 'eos_token_id': eos,
                   'pad_token_id': tokenizer.pad_token_id or eos}
        model = load_official_checkpoint(args.official, tokenizer, lm_fields=ids)
        model.save_pretrained(args.out)
        print(f'official checkpoint {args.official} converted into {args.out}')
        return 0
    if not (args.vision and args.lm and args.tokenizer):
        print('train init: give --vision, --lm and --tokenizer folders, --official, or --tiny')
        return 2
    from robomamba_ros.models.robomamba import build_from_components
    model = build_from_components(args.vision, args.lm, args.tokenizer, head_type=args.head_type)
    model.save_pretrained(args.out)
    print(f'RoboMamba assembled in {args.out}')
    return 0


def _cmd_sapien_tiny(args):
    from robomamba_ros.train.sapien_tiny import preset_recipe, run_recipe
    overrides = {name: getattr(args, name) for name in (
        'num_samples', 'stage0_steps', 'stage1_steps', 'stage2_steps', 'seed', 'suite')
        if getattr(args, name) is not None}
    try:
        recipe = preset_recipe(args.preset, **overrides)
    except ValueError as exc:
        print(f'train sapien-tiny: {exc}')
        return 2
    summary = run_recipe(args.data, args.out, recipe, args.variant)
    times = ', '.join(f'{name} {sec / 60:.1f} min' for name, sec in summary['seconds'].items())
    print(f"sapien-tiny ({summary['variant']}): {summary['total_params']:,} parameters; {times}; "
          f"model in {summary['model_dir']}")
    return 0


def add_train_parser(subparsers):
    """
    Register ``train`` (with ``init`` and one subcommand per stage) and ``train-head``.

    :param subparsers: the object ``ArgumentParser.add_subparsers()`` returned.
    :return: the ``train`` parser.
    """
    train = subparsers.add_parser(
        'train', help='build a RoboMamba folder and run its training stages',
        description='RoboMamba training: init assembles a model folder from local pretrained '
                    'parts; align, cotrain and head run the three stages. Each stage writes '
                    'OUT/model, OUT/checkpoint, OUT/log.json and OUT/loss.png.')
    stages = train.add_subparsers(dest='stage', metavar='STAGE', required=True)
    p = stages.add_parser('init', help='assemble a model folder from CLIP, Mamba, tokenizer')
    p.add_argument('--out', required=True, help='output model folder')
    p.add_argument('--vision', help='local CLIP or SigLIP checkpoint folder')
    p.add_argument('--lm', help='local Mamba checkpoint folder (transformers format)')
    p.add_argument('--tokenizer', help='local tokenizer folder')
    p.add_argument('--official', help='convert an official RoboMamba .pth checkpoint instead')
    p.add_argument('--head-type', default='two_mlp', choices=('two_mlp', 'mlp', 'ssm+mlp'))
    p.add_argument('--tiny', action='store_true',
                   help='write a tiny random model, tokenizer and synthetic data instead')
    p.add_argument('--seed', type=int, default=0, help='random seed for --tiny')
    p.set_defaults(func=_cmd_init)
    text = ('the robomamba-sapien-tiny recipe: SAPIEN data on the seen categories, tokenizer, '
            'small model, stage 1 and stage 2 (or an ablation variant), on a CPU')
    p = stages.add_parser('sapien-tiny', help=text, description=text)
    p.add_argument('--data', required=True,
                   help='datagen folder (generated or completed when samples are missing)')
    p.add_argument('--out', required=True, help='output folder (OUT/model is the result)')
    p.add_argument('--variant', default='stages', choices=VARIANTS,
                   help='stages: stage 0 (when it has steps), stage 1, stage 2 (shipped); '
                        'no-stage0: stages 1 and 2; untrained: stage 2 on the random '
                        'backbone; end-to-end: everything trained with the pose loss')
    p.add_argument('--preset', default='sapien-tiny', choices=tuple(PRESETS),
                   help='sapien-tiny: models/robomamba-sapien-tiny (suite v1); v2-tiny: '
                        'models/robomamba-v2-tiny (suite v2 with stage 0, 160 px)')
    p.add_argument('--suite', choices=('v1', 'v2'), help="suite of the data (the preset's)")
    p.add_argument('--num-samples', type=int, help='SAPIEN interactions (default 10000)')
    p.add_argument('--stage0-steps', type=int,
                   help='stage 0 (image-text contrastive) optimizer steps (default 0: none)')
    p.add_argument('--stage1-steps', type=int, help='stage 1 optimizer steps')
    p.add_argument('--stage2-steps', type=int, help='stage 2 optimizer steps')
    p.add_argument('--seed', type=int, help='model and training seed')
    p.set_defaults(func=_cmd_sapien_tiny)
    for stage, text in STAGE_HELP.items():
        p = stages.add_parser(stage, help=text, description=text)
        _add_stage_arguments(p)
        if stage == 'cotrain':
            p.add_argument('--lora-rank', type=int, default=0,
                           help='0: train the whole LM; >0: LoRA rank (paper: 8)')
            p.add_argument('--lora-alpha', type=float, default=32.0, help='LoRA alpha')
        p.set_defaults(func=_cmd_stage)
    head = subparsers.add_parser('train-head', help='same as "train head"',
                                 description=STAGE_HELP['head'])
    _add_stage_arguments(head)
    head.set_defaults(func=_cmd_stage, stage='head')
    return train


__all__ = ['add_train_parser']
