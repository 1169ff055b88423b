# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Byte-level BPE tokenizers trained on local text, saved as transformers tokenizer folders."""

SPECIAL_TOKENS = ['<|pad|>', '<|bos|>', '<|endoftext|>', '<|user|>', '<|assistant|>']


def train_bpe_tokenizer(texts, folder, vocab_size, extra_special_tokens=()):
    """
    Train a byte-level BPE tokenizer on ``texts`` and save it with transformers.

    Special tokens get ids 0..4: pad, bos, end-of-text, user, assistant (the ids
    :class:`~robomamba_ros.models.configuration_robomamba.LanguageModelConfig` defaults to).

    :param texts: iterable of strings.
    :param folder: output folder (``tokenizer.json`` and ``tokenizer_config.json``).
    :param vocab_size: BPE vocabulary size (at least the 256 bytes plus the special tokens).
    :param extra_special_tokens: more special tokens, after the five (ids 5, 6, ...), e.g.
        :data:`robomamba_ros.train.contrastive.CAPTION_END` for Stage 0.
    :return: the loaded transformers tokenizer.
    """
    from tokenizers import decoders, models, pre_tokenizers, Tokenizer, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS + list(extra_special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token='<|pad|>', bos_token='<|bos|>',
        eos_token='<|endoftext|>',
        additional_special_tokens=SPECIAL_TOKENS[3:] + list(extra_special_tokens))
    fast.save_pretrained(folder)
    return fast


__all__ = ['SPECIAL_TOKENS', 'train_bpe_tokenizer']
