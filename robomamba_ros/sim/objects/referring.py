# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Referring expressions: the words that name one movable part of an object and no other.

A part is named by its type (``'the lid'``, when it is the only lid), by its position among the
parts of its type as a person in front of the object sees them (``'the top drawer'``,
``'the second drawer from the bottom'``, ``'the top-left drawer'``, ``'the right door'``), or by
an attribute (``'the smaller lid'``, ``'the drawer with the knob'``). Every expression returned
here is unambiguous by construction; :func:`referring_expressions` lists them all and
:func:`choose_referring` draws one.

Parts are described by their traits (:class:`~robomamba_ros.sim.objects.articulated_object.
MovablePart`): ``u`` and ``v``, the centre of the part on the object's face from the viewer's
left and from the top, in [0, 1]; ``area_m2``; and ``handle``.
"""

MODES = ('type', 'position', 'attribute')
_HANDLE_WORDS = {'bar': 'with the bar handle', 'knob': 'with the knob',
                 'recessed': 'with the recessed grip', 'none': 'without a handle'}
# Centres closer than this (share of the face) are in the same row or column.
_SAME_LINE = 0.08
# Two sizes differ when the larger is this much larger.
_SIZE_RATIO = 1.25


def _lines(values):
    """Group coordinates into rows or columns: the index of each value's line, and the count."""
    order = sorted({round(v, 6) for v in values})
    lines = []
    for value in order:
        if not lines or value - lines[-1][-1] > _SAME_LINE:
            lines.append([value])
        else:
            lines[-1].append(value)
    index = [next(i for i, line in enumerate(lines) if round(v, 6) in line) for v in values]
    return index, len(lines)


def _ordinal(index, count, first, last):
    """Words for place ``index`` of ``count`` from the ``first`` end, or None."""
    if index == 0:
        return first
    if index == count - 1:
        return last
    if count % 2 == 1 and index == count // 2:
        return 'middle'
    if index == 1:
        return f'second {{kind}} from the {first}'
    if index == count - 2:
        return f'second {{kind}} from the {last}'
    return None


def _position(target, same):
    rows, n_rows = _lines([p['v'] for p in same])
    cols, n_cols = _lines([p['u'] for p in same])
    i = same.index(target)
    if len({(r, c) for r, c in zip(rows, cols)}) != len(same):
        return None
    if n_cols == 1:
        words = _ordinal(rows[i], n_rows, 'top', 'bottom')
    elif n_rows == 1:
        words = _ordinal(cols[i], n_cols, 'left', 'right')
    else:
        vertical = {0: 'top', n_rows - 1: 'bottom'}.get(rows[i])
        horizontal = {0: 'left', n_cols - 1: 'right'}.get(cols[i])
        if vertical is None or horizontal is None:
            return None
        words = f'{vertical}-{horizontal}'
    if words is None:
        return None
    kind = target['kind']
    if '{kind}' in words:
        return 'the ' + words.format(kind=kind)
    return f'the {words} {kind}'


def _attributes(target, same):
    out = []
    kind = target['kind']
    if len(same) == 2:
        other = same[1] if same[0] is target else same[0]
        ratio = target['area_m2'] / other['area_m2']
        if ratio >= _SIZE_RATIO:
            out.append(f'the larger {kind}')
        elif ratio <= 1.0 / _SIZE_RATIO:
            out.append(f'the smaller {kind}')
    handles = [p['handle'] for p in same]
    if handles.count(target['handle']) == 1 and len(same) > 1:
        out.append(f'the {kind} {_HANDLE_WORDS[target["handle"]]}')
    return out


def referring_expressions(traits, target):
    """
    Every unambiguous expression for one part.

    :param traits: list of dicts, one per part: ``kind``, ``u``, ``v``, ``area_m2``,
        ``handle``.
    :param target: index of the part to name.
    :return: dict ``{mode: [expressions]}`` over :data:`MODES` (lists may be empty).
    """
    parts = [dict(t) for t in traits]
    me = parts[target]
    same = [p for p in parts if p['kind'] == me['kind']]
    out = {mode: [] for mode in MODES}
    if len(same) == 1:
        out['type'].append(f'the {me["kind"]}')
        return out
    position = _position(me, same)
    if position is not None:
        out['position'].append(position)
    out['attribute'] = _attributes(me, same)
    return out


def choose_referring(traits, target, rng):
    """
    Draw one unambiguous expression for a part: a mode first, then an expression of it.

    :param traits: as :func:`referring_expressions`.
    :param target: index of the part.
    :param rng: a ``numpy.random.Generator``.
    :return: ``(expression, mode)``, or ``(None, None)`` when nothing names the part alone.
    """
    options = referring_expressions(traits, target)
    modes = [mode for mode in MODES if options[mode]]
    if not modes:
        return None, None
    mode = modes[int(rng.integers(len(modes)))]
    words = options[mode]
    return words[int(rng.integers(len(words)))], mode


__all__ = ['MODES', 'choose_referring', 'referring_expressions']
