# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Node parameters: a dataclass per core, described once, read from ROS parameter files.

Each field is made with :func:`parameter` (default, description, optional range or choices).
The rclpy binding declares every field as a ROS parameter with that description and range; the
in-process binding reads the same ``config/*.yaml`` files with :func:`load_parameters`, using
the ROS rules: a file's ``<node name>`` and ``/**`` sections apply, later files win.
"""

import dataclasses
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import yaml

#: Parameters every ROS 2 node has; accepted in files and ignored by cores.
ROS_STANDARD_PARAMETERS = ('use_sim_time',)


def parameter(default, description, low=None, high=None, choices=None, read_only=None):
    """
    Declare one parameter field.

    :param default: default value (bool, int, float, str, or a tuple of floats or strings).
    :param description: one line shown by ``ros2 param describe``.
    :param low: inclusive lower bound (numbers).
    :param high: inclusive upper bound (numbers).
    :param choices: allowed values (strings).
    :param read_only: True: only read at start-up; None: True for strings and string tuples.
    :return: a dataclass field.
    """
    metadata = {'description': description, 'low': low, 'high': high,
                'choices': tuple(choices) if choices else None, 'read_only': read_only}
    return dataclasses.field(default=default, metadata=metadata)


def is_read_only(f, extra=()):
    """
    Tell whether a parameter field only takes effect at start-up.

    :param f: a dataclass field made with :func:`parameter`.
    :param extra: further read-only names (a core's ``read_only_parameters``).
    :return: True for read-only parameters.
    """
    flag = f.metadata.get('read_only')
    if flag is not None:
        return bool(flag)
    if f.name in extra:
        return True
    scalar = f.default[0] if isinstance(f.default, tuple) and f.default else f.default
    return isinstance(scalar, str)


def parameter_values(params):
    """Return ``{name: value}`` of a parameters instance (tuples as they are)."""
    return {f.name: getattr(params, f.name) for f in parameter_fields(type(params))}


def parameter_fields(cls):
    """Return the dataclass fields of a parameters class."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f'{cls!r} is not a parameters dataclass')
    return dataclasses.fields(cls)


def _coerce(name, value, default):
    """Convert a YAML value to the type of the default, or raise a clear error."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f'parameter {name!r} must be true or false, got {value!r}')
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f'parameter {name!r} must be an integer, got {value!r}')
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f'parameter {name!r} must be a number, got {value!r}')
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f'parameter {name!r} must be a string, got {value!r}')
        return value
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f'parameter {name!r} must be a list, got {value!r}')
        kind = type(default[0]) if default else type(value[0]) if value else float
        return tuple(_coerce(f'{name}[{i}]', v, kind()) for i, v in enumerate(value))
    raise TypeError(f'parameter {name!r} has an unsupported default {default!r}')


def validate(params):
    """
    Check types, ranges and choices of a parameters instance.

    :param params: a parameters dataclass instance.
    :return: ``params``.
    :raises ValueError: naming the first bad parameter.
    """
    for f in parameter_fields(type(params)):
        value = _coerce(f.name, getattr(params, f.name), f.default)
        object.__setattr__(params, f.name, value)
        low, high, choices = f.metadata.get('low'), f.metadata.get('high'), \
            f.metadata.get('choices')
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if low is not None and v < low or high is not None and v > high:
                raise ValueError(f'parameter {f.name!r} = {value!r} is outside [{low}, {high}]')
            if choices and v not in choices:
                raise ValueError(f'parameter {f.name!r} = {value!r} is not one of {choices}')
    return params


def file_parameters(path, node_name):
    """
    Read the parameters a ROS 2 parameter file gives one node.

    :param path: YAML file with ``<node>: {ros__parameters: {...}}`` sections.
    :param node_name: the node's name (sections ``node_name``, ``/node_name`` and ``/**`` apply).
    :return: dict of parameter values.
    :raises ValueError: for a file that is not a ROS 2 parameter file.
    """
    path = Path(path)
    with open(path, encoding='utf-8') as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise ValueError(f'{path}: not a ROS 2 parameter file (top level must be a mapping)')
    values = {}
    for key in ('/**', node_name, f'/{node_name}'):
        section = data.get(key)
        if section is None:
            continue
        if not isinstance(section, dict) or 'ros__parameters' not in section:
            raise ValueError(f'{path}: section {key!r} must hold ros__parameters')
        values.update(section['ros__parameters'] or {})
    return values


def replace_parameters(params, changes):
    """
    Return a validated copy of ``params`` with some values changed (a run-time parameter set).

    :param params: a parameters instance.
    :param changes: ``{name: value}``; values are converted as in a parameter file.
    :return: the new instance.
    :raises ValueError: for unknown names or bad values, naming them.
    """
    known = {f.name: f for f in parameter_fields(type(params))}
    values = parameter_values(params)
    for name, value in changes.items():
        if name not in known:
            raise ValueError(f'unknown parameter {name!r}')
        values[name] = _coerce(name, value, known[name].default)
    return validate(type(params)(**values))


def load_parameters(cls, node_name, paths: Iterable = (), overrides: Optional[Dict] = None):
    """
    Build a parameters instance from defaults, parameter files and overrides (later wins).

    :param cls: the parameters dataclass.
    :param node_name: node name whose sections apply.
    :param paths: ROS 2 parameter files.
    :param overrides: extra values, applied last.
    :return: a validated instance.
    :raises ValueError: for unknown names or bad values, naming the file.
    """
    known = {f.name: f for f in parameter_fields(cls)}
    values: Dict[str, Any] = {}
    sources = [(str(p), file_parameters(p, node_name)) for p in paths]
    sources.append(('overrides', dict(overrides or {})))
    for source, given in sources:
        for name, value in given.items():
            if name in ROS_STANDARD_PARAMETERS:
                continue
            if name not in known:
                raise ValueError(f'{source}: unknown parameter {name!r} for {node_name}; known: '
                                 f'{", ".join(sorted(known))}')
            try:
                values[name] = _coerce(name, value, known[name].default)
            except ValueError as exc:
                raise ValueError(f'{source}: {exc}') from None
    return validate(cls(**values))


__all__ = ['ROS_STANDARD_PARAMETERS', 'file_parameters', 'is_read_only', 'load_parameters',
           'parameter', 'parameter_fields', 'parameter_values', 'replace_parameters', 'validate']
