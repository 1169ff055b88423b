# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Text for the suite: instructions, ManipLLM-style answers, Stage 1 question/answer pairs.

Both exports use the LLaVA conversation format (:func:`llava_entry`).
"""

import numpy as np

from robomamba_ros import geometry

_INSTRUCTIONS = (
    'Pull open the {part} of the {noun}.',
    'Open the {noun} by pulling its {part}.',
    'Grab the {part} of the {noun} and pull it open.',
    'Please open the {part} of the {noun}.',
)

_NOUNS = {
    'drawer_cabinet': 'drawer cabinet',
    'cabinet_door': 'cabinet',
    'storage_box': 'box',
    'trash_can': 'trash can',
    'double_door_cabinet': 'cabinet',
    'kitchen_base_cabinet': 'kitchen cabinet',
    'top_freezer_fridge': 'fridge',
    'oven_with_drawer': 'oven',
    'two_lid_box': 'box',
    'kitchen_tall_unit': 'kitchen unit',
    'side_by_side_fridge': 'fridge',
    'two_door_safe': 'safe',
    'wall_oven_combo': 'wall oven',
}


def object_noun(category):
    """
    Name the object in words.

    :param category: category name (``'trash_can'``) or a PartNet-Mobility ``model_cat``.
    :return: lower-case words (``'trash can'``).
    """
    return _NOUNS.get(category, category.replace('_', ' '))


def instruction(category, part_name, rng, referring=''):
    """
    Draw a manipulation instruction.

    :param category: category name.
    :param part_name: movable part in words.
    :param rng: a ``numpy.random.Generator``.
    :param referring: on an object with several parts, the words naming the instructed one
        (``'the top drawer'``), used instead of the part's name.
    :return: one sentence.
    """
    template = _INSTRUCTIONS[int(rng.integers(len(_INSTRUCTIONS)))]
    part = referring[len('the '):] if referring.startswith('the ') else (referring or part_name)
    return template.format(part=part, noun=object_noun(category))


# ManipLLM's question for its manipulation answers (its data preparation script).
MANIPLLM_QUESTION = 'Specify the contact point and orientation of {verb} the object.'


def _vec(v):
    return '[' + ', '.join(f'{float(x):.4f}' for x in v) + ']'


def manipllm_question(primitive='pull'):
    """
    Return ManipLLM's question for a primitive.

    :param primitive: ``'pull'`` or ``'push'``.
    :return: the question sentence.
    """
    return MANIPLLM_QUESTION.format(verb='pulling' if primitive == 'pull' else 'pushing')


def manipllm_answer(pixel_uv, up_cam, forward_cam):
    """
    Write ManipLLM's answer for an action: contact pixel, gripper up and left directions.

    ManipLLM states ``up`` and ``left = up x forward`` in the camera frame; the pixel is
    truncated to integers as in its data preparation, directions are given to 1e-4.

    :param pixel_uv: contact pixel (u, v).
    :param up_cam: approach axis in the camera optical frame, shape (3,).
    :param forward_cam: forward axis in the camera optical frame, shape (3,).
    :return: the answer sentence.
    """
    u, v = (int(float(c)) for c in pixel_uv)
    R = geometry.gripper_rotation(up_cam, forward_cam)
    return (f'The contact point at ({u}, {v}), the gripper up 3D direction is {_vec(R[:, 2])}, '
            f'the gripper left 3D direction is {_vec(R[:, 1])}.')


def _plan(record):
    noun, part = object_noun(record['category']), record['part_name']
    where = ' far from the hinge' if record['joint_type'] == 'revolute' else ''
    return (f'1. Find the {part} of the {noun}. 2. Choose a point on the {part}{where}, for '
            f'example on its handle. 3. Move the gripper in front of that point with its approach '
            f'axis against the surface. 4. Move in until the gripper touches the {part} and '
            f'attach to it. 5. Pull back along the approach axis until the {part} is open. '
            f'6. Release.')


def language_pairs(record):
    """
    Question/answer pairs about one scene for Stage 1 training.

    :param record: a data generation record (category, part_name, joint_type, is_open).
    :return: list of ``(question, answer)``.
    """
    noun, part = object_noun(record['category']), record['part_name']
    if record['joint_type'] == 'prismatic':
        motion = f'The {part} slides along a straight line: a prismatic joint.'
    else:
        motion = f'The {part} rotates about a hinge: a revolute joint.'
    state = 'open' if record['is_open'] else 'closed'
    return [
        ('What object is in the image?', f'A {noun}.'),
        (f'Which part of the {noun} can move?', f'The {part}.'),
        (f'How does the {part} move?', motion),
        (f'Is the {part} of the {noun} open or closed?', f'It is {state}.'),
        (f'How can a robot open the {part} of the {noun}? Plan step by step.', _plan(record)),
    ]


def llava_entry(sample_id, image, pairs):
    """
    One LLaVA conversation: the image token precedes the first question.

    :param sample_id: unique id.
    :param image: image path relative to the dataset folder.
    :param pairs: list of ``(question, answer)``.
    :return: ``{'id', 'image', 'conversations': [{'from': 'human'|'gpt', 'value'}]}``.
    """
    conversations = []
    for index, (question, answer) in enumerate(pairs):
        prefix = '<image>\n' if index == 0 else ''
        conversations.append({'from': 'human', 'value': prefix + question})
        conversations.append({'from': 'gpt', 'value': answer})
    return {'id': str(sample_id), 'image': image, 'conversations': conversations}


def as_list(vector):
    """
    Round a vector for JSON records.

    :param vector: array-like.
    :return: list of floats (9 significant digits).
    """
    return [float(f'{x:.9g}') for x in np.asarray(vector, dtype=np.float64).ravel()]


__all__ = [
    'MANIPLLM_QUESTION',
    'as_list',
    'instruction',
    'language_pairs',
    'llava_entry',
    'manipllm_answer',
    'manipllm_question',
    'object_noun',
]
