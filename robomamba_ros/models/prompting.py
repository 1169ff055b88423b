# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
r"""
Text layout of RoboMamba sequences: ``[image tokens] BOS <|user|> ... \\n [<|assistant|> ...]``.

Manipulation prompt: ``'<|user|> {instruction}\\n'``. VQA turns:
``'<|user|> {q}\\n<|assistant|> {a}\\n<|endoftext|>'`` with the loss on the answer tokens only.
"""

IGNORE_INDEX = -100


def _encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)['input_ids']


def manipulation_ids(tokenizer, instruction, config):
    r"""Return BOS + the tokens of ``'<|user|> {instruction}\\n'``."""
    text = f'{config.user_tag} {instruction.strip()}\n'
    return [config.lm.bos_token_id] + _encode(tokenizer, text)


def question_ids(tokenizer, question, config):
    r"""Return BOS + the tokens of ``'<|user|> {question}\\n<|assistant|>'`` (for decoding)."""
    text = f'{config.user_tag} {question.strip()}\n{config.assistant_tag}'
    return [config.lm.bos_token_id] + _encode(tokenizer, text)


def conversation_ids(tokenizer, conversations, config):
    """
    Tokenize a LLaVA conversation into input ids and labels (answers only).

    :param tokenizer: a transformers tokenizer.
    :param conversations: ``[{'from': 'human', 'value': ...}, {'from': 'gpt', ...}, ...]``; the
        ``<image>`` placeholder is removed (image tokens always come first).
    :param config: :class:`RoboMambaConfig` (tags, BOS/EOS ids).
    :return: ``(input_ids, labels)``, equal-length lists; labels are ``IGNORE_INDEX`` outside
        answers.
    """
    ids, labels = [config.lm.bos_token_id], [IGNORE_INDEX]
    for turn in conversations:
        value = turn['value'].replace('<image>', '').strip()
        if turn['from'] == 'human':
            prompt = _encode(tokenizer, f'{config.user_tag} {value}\n{config.assistant_tag}')
            ids += prompt
            labels += [IGNORE_INDEX] * len(prompt)
        elif turn['from'] == 'gpt':
            answer = _encode(tokenizer, f' {value}\n') + [config.lm.eos_token_id]
            ids += answer
            labels += answer
        else:
            raise ValueError(
                f"conversation turn 'from' must be 'human' or 'gpt', got {turn['from']!r}")
    return ids, labels


__all__ = ['IGNORE_INDEX', 'conversation_ids', 'manipulation_ids', 'question_ids']
