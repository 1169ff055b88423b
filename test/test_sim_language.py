# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Instruction, answer and LLaVA export texts."""

import numpy as np

from robomamba_ros.sim import language


def test_instruction_names_the_object_and_part():
    text = language.instruction('trash_can', 'lid', np.random.default_rng(0))
    assert 'trash can' in text and 'lid' in text


def test_manipllm_answer_format():
    answer = language.manipllm_answer((101.6, 20.2), [0.0, 0.6, 0.8], [1.0, 0.0, 0.0])
    # left = up x forward
    assert answer == ('The contact point at (101, 20), the gripper up 3D direction is '
                      '[0.0000, 0.6000, 0.8000], the gripper left 3D direction is '
                      '[0.0000, 0.8000, -0.6000].')
    assert language.manipllm_question() == (
        'Specify the contact point and orientation of pulling the object.')


def test_language_pairs_cover_category_part_joint_state_and_plan():
    record = {'category': 'drawer_cabinet', 'part_name': 'drawer', 'joint_type': 'prismatic',
              'is_open': False}
    pairs = language.language_pairs(record)
    answers = ' '.join(a for _, a in pairs)
    assert 'drawer cabinet' in answers and 'prismatic' in answers and 'closed' in answers
    assert pairs[-1][1].startswith('1. ')
    entry = language.llava_entry('7', 'rgb/000007.png', pairs)
    assert entry['conversations'][0]['value'].startswith('<image>\n')
    assert [c['from'] for c in entry['conversations']] == ['human', 'gpt'] * len(pairs)
    assert sum('<image>' in c['value'] for c in entry['conversations']) == 1
