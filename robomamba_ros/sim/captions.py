# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Captions of rendered scenes for image-text pretraining (Stage 0), and scene questions for Stage 1.

A caption is built from a data generation record: what the object is, its movable parts and how
they are laid out, which ones stand open, spatial relations between parts of different kinds,
where the object stands and what is around it, and the instruction. :func:`caption` draws a
different combination of these facts per call, so a contrastive batch sees varied, but always
true, sentences about each picture. Records of suite v1 (one part) get the facts that apply.
"""

from robomamba_ros.sim import language
from robomamba_ros.sim.objects.referring import referring_expressions

_NUMBERS = ('no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight')
_PLURALS = {'drawer': 'drawers', 'door': 'doors', 'lid': 'lids'}


def _article(words):
    return f'an {words}' if words[0] in 'aeiou' else f'a {words}'


def _count(n, kind):
    if n == 1:
        return _article(kind)
    return f'{_NUMBERS[n] if n < len(_NUMBERS) else n} {_PLURALS.get(kind, kind + "s")}'


def _name_of(parts, index):
    """Words naming a part (type or position first), or None."""
    options = referring_expressions(parts, index)
    for mode in ('type', 'position', 'attribute'):
        if options[mode]:
            return options[mode][0]
    return None


def _kinds_in_order(parts):
    kinds = []
    for part in parts:
        if part['kind'] not in kinds:
            kinds.append(part['kind'])
    return kinds


def scene_facts(record):
    """
    Every true sentence this module can say about a scene.

    :param record: a data generation record (see :mod:`robomamba_ros.sim.datagen`).
    :return: dict of fact groups: ``object``, ``parts``, ``states``, ``relations``,
        ``surroundings``, ``instruction`` (lists of sentences; some may be empty).
    """
    noun = language.object_noun(record['category'])
    parts = record.get('parts')
    facts = {'object': [_article(noun)], 'parts': [], 'states': [], 'relations': [],
             'surroundings': [], 'instruction': [record['instruction']]}
    if not parts:
        part = record['part_name']
        facts['parts'].append(f'{_article(noun)} with {_count(1, part)}')
        facts['states'].append(f'the {part} is {"open" if record["is_open"] else "closed"}')
        return facts
    kinds = _kinds_in_order(parts)
    counts = ' and '.join(_count(sum(p['kind'] == k for p in parts), k) for k in kinds)
    facts['parts'].append(f'{_article(noun)} with {counts}')
    for kind in kinds:
        mine = [p for p in parts if p['kind'] == kind]
        if len(mine) > 1:
            us = {round(p['u'], 2) for p in mine}
            vs = {round(p['v'], 2) for p in mine}
            if len(us) == 1:
                facts['parts'].append(f'{_count(len(mine), kind)} stacked one above another')
            elif len(vs) == 1:
                facts['parts'].append(f'{_count(len(mine), kind)} side by side')
    opened = [i for i, p in enumerate(parts) if p['open']]
    for index in opened:
        words = _name_of(parts, index)
        if words is not None:
            facts['states'].append(f'{words} is open')
    if not opened:
        facts['states'].append(f'all {"parts" if len(kinds) > 1 else _PLURALS[kinds[0]]} '
                               f'are closed')
    if len(kinds) > 1:
        for a in kinds:
            for b in kinds:
                va = [p['v'] for p in parts if p['kind'] == a]
                vb = [p['v'] for p in parts if p['kind'] == b]
                if a != b and a != 'lid' and b != 'lid' and max(va) < min(vb):
                    facts['relations'].append(f'the {_PLURALS[a] if len(va) > 1 else a} '
                                              f'{"are" if len(va) > 1 else "is"} above the '
                                              f'{_PLURALS[b] if len(vb) > 1 else b}')
        if 'lid' in kinds:
            facts['relations'].append('the lid is on top')
    handles = {p['handle'] for p in parts}
    if len(handles) == 1:
        handle = handles.pop()
        facts['parts'].append({'bar': 'bar handles', 'knob': 'knobs',
                               'recessed': 'recessed grips', 'none': 'no handles'}[handle])
    facts['surroundings'].append(f'on {"a table" if record.get("on_table") else "the floor"}')
    n = record.get('distractors', 0)
    if n:
        facts['surroundings'].append(f'{_count(n, "object")} beside it' if n > 1
                                     else 'an object beside it')
    return facts


def caption(record, rng):
    """
    Draw one caption of a scene: the object with its parts, and up to three more facts.

    :param record: a data generation record.
    :param rng: a ``numpy.random.Generator``.
    :return: one sentence.
    """
    facts = scene_facts(record)
    first = facts['parts'][0] if rng.random() < 0.8 else facts['object'][0]
    pool = facts['parts'][1:] + facts['states'] + facts['relations'] + facts['surroundings']
    extra = [pool[i] for i in sorted(rng.permutation(len(pool))[:int(rng.integers(0, 4))])]
    sentence = ', '.join([first] + extra) + '.'
    if rng.random() < 0.25:
        sentence += ' ' + facts['instruction'][0]
    return sentence[0].upper() + sentence[1:]


def scene_questions(record):
    """
    Question/answer pairs about the parts of a multi-part scene (Stage 1), empty for v1 records.

    :param record: a data generation record.
    :return: list of ``(question, answer)``.
    """
    parts = record.get('parts')
    if not parts:
        return []
    noun = language.object_noun(record['category'])
    kinds = _kinds_in_order(parts)
    counts = ' and '.join(_count(sum(p['kind'] == k for p in parts), k) for k in kinds)
    target = record['target_part']
    pairs = [(f'What movable parts does the {noun} have?', f'It has {counts}.'),
             (f'{record["instruction"]} Which part should move?',
              f'{record["referring"][0].upper()}{record["referring"][1:]}.')]
    pixel = parts[target].get('pixel')
    if pixel is not None:
        pairs.append((f'Where is {record["referring"]}?',
                      f'Its centre is at ({int(pixel[0])}, {int(pixel[1])}).'))
    facts = scene_facts(record)
    pairs.append((f'Which parts of the {noun} are open?',
                  (', '.join(facts['states']) + '.').capitalize()))
    return pairs


__all__ = ['caption', 'scene_facts', 'scene_questions']
