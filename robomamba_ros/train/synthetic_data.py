# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Tiny synthetic data for tests and smoke runs: a byte-level BPE tokenizer and local datasets.

Images show one coloured square on a grey background. Language samples ask for its colour; the
manipulation label's contact pixel is the square's centre and its up/forward vectors depend on
the colour, so every stage has something learnable.
"""

import json
import os

import numpy as np

from robomamba_ros import geometry
from robomamba_ros.train.tokenizer import train_bpe_tokenizer

COLOURS = {'red': (220, 30, 30), 'green': (30, 200, 60), 'blue': (40, 60, 220)}
QUESTION = 'What colour is the square?'
INSTRUCTION = 'Pull the square.'
# One approach direction per colour, in the camera optical frame.
COLOUR_POSES = {
    'red': ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
    'green': ((0.0, 0.6, 0.8), (0.0, 0.8, -0.6)),
    'blue': ((0.6, 0.0, 0.8), (0.8, 0.0, -0.6)),
}


def build_tokenizer(folder, vocab_size=160):
    """
    Train a byte-level BPE tokenizer on the synthetic texts and save it with transformers.

    :param folder: output folder (``tokenizer.json`` and ``tokenizer_config.json``).
    :param vocab_size: BPE vocabulary size.
    :return: the loaded transformers tokenizer.
    """
    corpus = [QUESTION, INSTRUCTION, 'Describe the image.', 'The square is'] + [
        f' The square is {c}.\n' for c in COLOURS] + [f' {c}\n' for c in COLOURS]
    return train_bpe_tokenizer(corpus * 4, folder, vocab_size)


def square_image(colour, centre_uv, size_hw=(48, 64), half_side=6):
    """Return an ``(H, W, 3)`` uint8 grey image with a coloured square centred at ``centre_uv``."""
    image = np.full((*size_hw, 3), 128, dtype=np.uint8)
    u, v = int(round(centre_uv[0])), int(round(centre_uv[1]))
    image[max(0, v - half_side):v + half_side + 1, max(0, u - half_side):u + half_side + 1] = (
        COLOURS[colour])
    return image


def _save_png(path, image):
    import matplotlib.image
    matplotlib.image.imsave(path, image)


def write_synthetic_datasets(folder, num_samples=16, size_hw=(48, 64), seed=0):
    """
    Write ``llava.json``, ``manipulation.jsonl`` and their images under ``folder``.

    :param folder: output folder.
    :param num_samples: samples per dataset.
    :param size_hw: image (height, width); non-square to exercise the pixel mapping.
    :param seed: random seed.
    :return: ``(llava_json_path, manipulation_jsonl_path)``.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(folder, 'images'), exist_ok=True)
    llava, manipulation = [], []
    height, width = size_hw
    names = list(COLOURS)
    for i in range(num_samples):
        colour = names[i % len(names)]
        centre = (float(rng.integers(16, width - 16)), float(rng.integers(12, height - 12)))
        rel = f'images/{i:04d}.png'
        _save_png(os.path.join(folder, rel), square_image(colour, centre, size_hw))
        llava.append({'id': str(i), 'image': rel, 'conversations': [
            {'from': 'human', 'value': f'<image>\n{QUESTION}'},
            {'from': 'gpt', 'value': f'The square is {colour}.'}]})
        up, forward = COLOUR_POSES[colour]
        frame = geometry.gripper_rotation(up, forward)
        manipulation.append({'image': rel, 'instruction': INSTRUCTION, 'pixel_uv': list(centre),
                             'up': frame[:, 2].tolist(), 'forward': frame[:, 0].tolist()})
    llava_path = os.path.join(folder, 'llava.json')
    with open(llava_path, 'w', encoding='utf-8') as f:
        json.dump(llava, f, indent=1)
    manip_path = os.path.join(folder, 'manipulation.jsonl')
    with open(manip_path, 'w', encoding='utf-8') as f:
        for row in manipulation:
            f.write(json.dumps(row) + '\n')
    return llava_path, manip_path


__all__ = ['COLOURS', 'COLOUR_POSES', 'INSTRUCTION', 'QUESTION',
           'build_tokenizer', 'square_image', 'write_synthetic_datasets']
