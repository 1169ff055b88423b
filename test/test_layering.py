# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The package's layers point one way, and nothing borrows another folder's private names.

geometry -> tasks -> models / ros -> sim -> train -> offline -> nodes -> cli: a module may
import its own folder and the layers below it, never a layer above it or a peer on its level.
The command-line modules (``robomamba_ros/cli.py``, ``cli_args.py``, ``doctor.py`` and each
folder's ``cli.py``) sit on top and may import anything.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / 'robomamba_ros'
TESTS = Path(__file__).resolve().parent
LAYERS = {
    'geometry': 0, 'package_files': 0, '__init__': 0,
    'tasks': 1,
    'models': 2, 'ros': 2,
    'sim': 3,
    'train': 4,
    'offline': 5,
    'nodes': 6,
    'cli': 7, 'cli_args': 7, 'doctor': 7,
}
TOP = max(LAYERS.values())


def _module_name(path):
    return '.'.join(('robomamba_ros',) + path.relative_to(PACKAGE).with_suffix('').parts)


def _imports(path):
    """Yield ``(line, imported module, imported names)`` of a file, relative imports resolved."""
    package = _module_name(path).split('.') if path.is_relative_to(PACKAGE) else ['test']
    if path.name != '__init__.py':
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = '.'.join(base + ([node.module] if node.module else []))
            names = tuple(alias.name for alias in node.names)
            yield node.lineno, module, names
            for name in names:  # `from robomamba_ros import geometry` imports a module
                yield node.lineno, f'{module}.{name}', ()


def _component(module):
    """Return the top-level part of the package a module belongs to, e.g. ``'sim'``."""
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else '__init__'


def _layer(module):
    parts = module.split('.')
    if parts[-1] == 'cli':
        return TOP
    return LAYERS[_component(module)]


def test_every_part_of_the_package_has_a_layer():
    parts = {_component(_module_name(path)) for path in PACKAGE.rglob('*.py')}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


def test_no_import_runs_up_a_layer_or_across_peers():
    offenders = []
    for path in sorted(PACKAGE.rglob('*.py')):
        importer = _module_name(path)
        own, level = _component(importer), _layer(importer)
        if level == TOP:
            continue
        for line, module, _ in _imports(path):
            if not module.startswith('robomamba_ros.') or _component(module) not in LAYERS:
                continue
            if _component(module) == own or _layer(module) < level:
                continue
            offenders.append(f'{path.relative_to(PACKAGE.parent)}:{line} imports {module}')
    assert offenders == []


def test_no_private_name_crosses_a_folder_or_a_library():
    offenders = []
    for path in sorted(PACKAGE.rglob('*.py')) + sorted(TESTS.glob('*.py')):
        inside = path.is_relative_to(PACKAGE)
        own = _component(_module_name(path)) if inside else None
        for line, module, names in _imports(path):
            private = [n for n in names if n.startswith('_') and not n.startswith('__')]
            ours = module.startswith('robomamba_ros')
            if not private or (not ours and (module + '.').split('.')[0] in _test_helpers()):
                continue
            if ours and (not inside or _component(module) == own):
                continue  # a folder's own helpers, or the package's tests of its internals
            offenders.append(f'{path.name}:{line} imports {private} from {module}')
    assert offenders == []


def _test_helpers():
    return {path.stem for path in TESTS.glob('*.py')}
