# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
RoboMamba latency against same-size transformers, in one process (CPU or CUDA).

For each config (``tiny``, ``small``):

* prefill: image + prompt -> pose (``predict_pose``), and the LM prefill alone against a
  ``LlamaForCausalLM`` with the same width, depth and number of tokens;
* decode: one answer token with the recurrent cache against one Llama token with a KV cache
  holding the same context (the image + prompt, and 2048 tokens);
* train step: forward + backward at batch 8, ~300 tokens, against a same-size GPT-2 (and,
  with ``--hf-sequential``, transformers' own sequential Mamba scan).

Every comparison ends with a line ``<what> ratio: <number>`` (Mamba time / other time, medians),
and everything is also written as JSON when ``--json`` is given.

Usage: ``python benchmarks/robomamba_latency.py [--configs tiny,small] [--reps 5]``
"""

import argparse
import copy
import json
import time

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

from robomamba_ros.models.configuration_robomamba import (
    LanguageModelConfig, RoboMambaConfig, VisionConfig)
from robomamba_ros.models.robomamba import RoboMamba
from robomamba_ros.nodes.latency_profile import LatencyProfile

VOCAB = 512
CONFIGS = {
    'tiny': RoboMambaConfig(lm=LanguageModelConfig(vocab_size=VOCAB)),
    'small': RoboMambaConfig(
        vision=VisionConfig(image_size=224, patch_size=16, hidden_size=256, num_layers=4,
                            num_heads=4, intermediate_size=1024),
        lm=LanguageModelConfig(vocab_size=VOCAB, hidden_size=256, num_layers=4)),
}
PROMPT_TOKENS = 24
# Decoding is also timed after this many tokens: a KV cache grows, a Mamba state does not.
LONG_CONTEXT = 2048
TRAIN_BATCH, TRAIN_TOKENS = 8, 300


class _CharTokenizer:
    """A tokenizer stand-in (one id per character) so no tokenizer files are needed."""

    def __call__(self, text, add_special_tokens=False):
        return {'input_ids': [5 + ord(c) % (VOCAB - 5) for c in text]}

    def decode(self, ids, skip_special_tokens=True):
        return ''.join(chr(32 + i % 90) for i in ids)


def synced_seconds():
    """Return ``time.perf_counter()`` once the GPU (if any) has finished its queued work."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()


def round_robin_medians(fns, reps, warmup=1):
    """
    Time functions in turn (f0, f1, ..., f0, f1, ...) and return each one's median (s).

    Alternating keeps slow phases of a shared machine from landing on one side only.

    :param fns: callables without arguments.
    :param reps: timed rounds.
    :param warmup: untimed rounds first.
    :return: the median seconds of each function, in order.
    """
    names = [str(i) for i in range(len(fns))]
    # Only the last ``reps`` rounds are kept: the warm-up rounds fall out.
    profile = LatencyProfile(names, kept=reps, clock=synced_seconds)
    for _ in range(warmup + reps):
        with profile.run() as lap:
            for name, fn in zip(names, fns):
                fn()
                lap(name)
    medians = profile.medians_ms()
    return [medians[name] / 1e3 for name in names]


def median_seconds(fn, reps, warmup=1):
    """Return the median wall time of ``fn()`` over ``reps`` runs after ``warmup`` runs."""
    return round_robin_medians([fn], reps, warmup)[0]


def paired_median_seconds(fn_a, fn_b, reps, warmup=1):
    """Time two functions alternately (a, b, a, b, ...) and return both medians (s)."""
    return tuple(round_robin_medians([fn_a, fn_b], reps, warmup))


def llama_like(lm_config):
    """Build a LlamaForCausalLM with the Mamba LM's width, depth and vocabulary."""
    d = lm_config.hidden_size
    return LlamaForCausalLM(LlamaConfig(
        vocab_size=lm_config.vocab_size, hidden_size=d, intermediate_size=int(8 * d / 3),
        num_hidden_layers=lm_config.num_layers, num_attention_heads=max(1, d // 64),
        max_position_embeddings=4096))


def gpt2_like(lm_config):
    """Build a GPT2LMHeadModel with the Mamba LM's width, depth and vocabulary."""
    d = lm_config.hidden_size
    return GPT2LMHeadModel(GPT2Config(
        vocab_size=lm_config.vocab_size, n_embd=d, n_layer=lm_config.num_layers,
        n_head=max(1, d // 64), n_positions=1024))


def report(results, key, what, mamba_s, other_s):
    """Print both medians and the ratio line, and store them."""
    ratio = mamba_s / other_s
    print(f'  {what}: mamba {1e3 * mamba_s:.2f} ms, other {1e3 * other_s:.2f} ms')
    print(f'{what} ratio: {ratio:.2f}')
    results[key] = {'mamba_ms': 1e3 * mamba_s, 'other_ms': 1e3 * other_s, 'ratio': ratio}


@torch.no_grad()
def bench_inference(name, config, reps, device, results):
    """Prefill and per-token decode latency against a same-size Llama."""
    torch.manual_seed(0)
    model = RoboMamba(config, _CharTokenizer()).to(device).eval()
    llama = llama_like(config.lm).to(device).eval()
    image = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    instruction = 'x' * (PROMPT_TOKENS - 3)
    pose_s = median_seconds(lambda: model.predict_pose(image, instruction), reps)
    print(f'  {name} predict_pose (image {image.shape[1]}x{image.shape[0]} -> pose): '
          f'{1e3 * pose_s:.2f} ms')
    results[f'{name}/predict_pose_ms'] = 1e3 * pose_s

    tokens = config.vision.num_patches + PROMPT_TOKENS
    embeds = torch.randn(1, tokens, config.lm.hidden_size, device=device)
    mamba_prefill, llama_prefill = paired_median_seconds(
        lambda: model.lm(inputs_embeds=embeds, cache=model.lm.allocate_inference_cache(1)),
        lambda: llama(inputs_embeds=embeds, use_cache=True), reps)
    print(f'  {name}: {tokens} prompt tokens (image + text)')
    report(results, f'{name}/prefill', f'{name} prefill vs llama', mamba_prefill, llama_prefill)

    for context in (tokens, LONG_CONTEXT):
        label = f'{name} decode-token' + ('' if context == tokens else f'@{context}')
        mamba_decode, llama_decode = decode_seconds(model.lm, llama, context, config, reps,
                                                    device)
        report(results, f'{name}/decode@{context}', f'{label} vs llama', mamba_decode,
               llama_decode)


def decode_seconds(mamba, llama, context, config, reps, device):
    """
    Return the median time of one cached decoding step after ``context`` tokens, per model.

    Each step starts from a copy of the prefilled cache, so the context length stays fixed;
    the copy time is measured separately and subtracted.
    """
    embeds = torch.randn(1, context, config.lm.hidden_size, device=device)
    token = torch.tensor([[7]], device=device)
    m_cache = mamba.allocate_inference_cache(1)
    mamba(inputs_embeds=embeds, cache=m_cache)
    l_out = llama(inputs_embeds=embeds, use_cache=True)

    def mamba_step():
        mamba(input_ids=token, cache=copy.deepcopy(m_cache))

    def llama_step():
        llama(input_ids=token, past_key_values=copy.deepcopy(l_out.past_key_values),
              use_cache=True)

    def copy_mamba():
        copy.deepcopy(m_cache)

    def copy_llama():
        copy.deepcopy(l_out.past_key_values)

    mamba_s, llama_s = paired_median_seconds(mamba_step, llama_step, reps * 4)
    mamba_copy, llama_copy = paired_median_seconds(copy_mamba, copy_llama, reps * 4)
    return mamba_s - mamba_copy, llama_s - llama_copy


def bench_training(name, config, reps, device, results, hf_sequential):
    """Forward + backward of the LM at batch 8, ~300 tokens, against a same-size GPT-2."""
    torch.manual_seed(0)
    model = RoboMamba(config).to(device).train()
    gpt2 = gpt2_like(config.lm).to(device).train()
    ids = torch.randint(0, config.lm.vocab_size, (TRAIN_BATCH, TRAIN_TOKENS), device=device)

    def step(lm):
        def run():
            lm.zero_grad(set_to_none=True)
            lm(input_ids=ids, labels=ids).loss.backward()
        return run

    mamba_s, gpt2_s = paired_median_seconds(step(model.lm), step(gpt2), reps)
    print(f'  {name}: fwd+bwd, batch {TRAIN_BATCH}, {TRAIN_TOKENS} tokens')
    report(results, f'{name}/train_step', f'{name} train-step vs gpt2', mamba_s, gpt2_s)
    if hf_sequential:
        from transformers import MambaConfig, MambaForCausalLM
        c = config.lm
        reference = MambaForCausalLM(MambaConfig(
            vocab_size=c.vocab_size, hidden_size=c.hidden_size, num_hidden_layers=c.num_layers,
            state_size=c.state_size, expand=c.expand)).to(device).train()
        seq_s = median_seconds(step(reference), max(1, reps // 3), warmup=0)
        report(results, f'{name}/train_step_hf_sequential',
               f'{name} hf-sequential train-step vs gpt2', seq_s, gpt2_s)


def main(argv=None):
    """Run the benchmark and print the ratio lines."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--configs', default='tiny,small', help='comma-separated: tiny,small')
    parser.add_argument('--reps', type=int, default=5, help='timed repetitions (median)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--skip-train', action='store_true', help='skip the training step')
    parser.add_argument('--hf-sequential', action='store_true',
                        help="also time transformers' sequential scan (slow)")
    parser.add_argument('--json', help='write all numbers to this JSON file')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch intra-op threads (0: keep the default); 1 gives stable '
                             'numbers on a CPU shared with other jobs')
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f'torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}')
    results = {}
    for name in args.configs.split(','):
        config = CONFIGS[name]
        print(f'[{name}] d={config.lm.hidden_size}, layers={config.lm.num_layers}, '
              f'image tokens={config.vision.num_patches}')
        bench_inference(name, config, args.reps, device, results)
        if not args.skip_train:
            bench_training(name, config, args.reps, device, results, args.hf_sequential)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
