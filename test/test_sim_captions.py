# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Captions and scene questions say only what is true of the record they describe."""

import numpy as np

from robomamba_ros.sim.captions import caption, scene_facts, scene_questions


def _part(kind, u, v, open_=False, handle='bar', pixel=None):
    return {'kind': kind, 'u': u, 'v': v, 'area_m2': 0.1, 'handle': handle, 'open': open_,
            'pixel': pixel}


CHEST = {
    'category': 'chest_of_drawers', 'instruction': 'Pull open the top drawer of the chest of '
    'drawers.', 'referring': 'the top drawer', 'target_part': 0, 'part_name': 'drawer',
    'is_open': False, 'on_table': False, 'distractors': 2,
    'parts': [_part('drawer', 0.5, 0.2, pixel=[150.4, 100.9]), _part('drawer', 0.5, 0.5, True),
              _part('drawer', 0.5, 0.8)],
}
CABINET = {
    'category': 'kitchen_base_cabinet', 'instruction': 'Please open the door of the kitchen '
    'cabinet.', 'referring': 'the door', 'target_part': 1, 'part_name': 'door',
    'is_open': False, 'on_table': True, 'distractors': 0,
    'parts': [_part('drawer', 0.5, 0.15, handle='knob'), _part('door', 0.5, 0.6, handle='bar')],
}
LAPTOP = {'category': 'laptop', 'instruction': 'Open the laptop by pulling its lid.',
          'part_name': 'lid', 'is_open': True}


def test_facts_name_the_parts_their_layout_states_and_surroundings():
    facts = scene_facts(CHEST)
    assert facts['parts'][:3] == ['a chest of drawers with three drawers',
                                  'three drawers stacked one above another', 'bar handles']
    assert facts['states'] == ['the middle drawer is open']
    assert facts['surroundings'] == ['on the floor', 'two objects beside it']
    facts = scene_facts(CABINET)
    assert facts['parts'][0] == 'a kitchen cabinet with a drawer and a door'
    assert facts['relations'] == ['the drawer is above the door']
    assert facts['states'] == ['all parts are closed']
    assert facts['surroundings'] == ['on a table']
    facts = scene_facts(LAPTOP)
    assert facts['parts'] == ['a laptop with a lid'] and facts['states'] == ['the lid is open']


def test_captions_vary_are_seeded_and_are_made_of_facts_only():
    facts = scene_facts(CHEST)
    groups = ('object', 'parts', 'states', 'relations', 'surroundings')
    true = set(sum((facts[k] for k in groups), []))
    drawn = [caption(CHEST, np.random.default_rng(seed)) for seed in range(40)]
    assert drawn == [caption(CHEST, np.random.default_rng(seed)) for seed in range(40)]
    assert len(set(drawn)) > 10
    for text in drawn:
        body = text.split('.')[0]
        fragments = [f.strip() for f in body.split(', ')]
        assert fragments[0][0].isupper()
        assert all(f[0].lower() + f[1:] in true for f in fragments), text


def test_scene_questions_ask_for_the_instructed_part_and_where_it_is():
    pairs = dict(scene_questions(CHEST))
    assert pairs['What movable parts does the chest of drawers have?'] == 'It has three drawers.'
    assert pairs[CHEST['instruction'] + ' Which part should move?'] == 'The top drawer.'
    assert pairs['Where is the top drawer?'] == 'Its centre is at (150, 100).'
    assert pairs['Which parts of the chest of drawers are open?'] == 'The middle drawer is open.'
    assert scene_questions(LAPTOP) == []
