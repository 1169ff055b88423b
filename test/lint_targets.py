# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The Python files that the lint tests check: everything the package ships or runs."""

from conftest import REPO_ROOT

LINT_DIRS = ('robomamba_ros', 'test', 'launch', 'benchmarks', 'scripts')
SKIP_PARTS = {'__pycache__', '.venv', 'build', 'install', 'log'}


def python_files():
    files = [REPO_ROOT / 'setup.py']
    for name in LINT_DIRS:
        folder = REPO_ROOT / name
        if folder.is_dir():
            files += [p for p in sorted(folder.rglob('*.py')) if not SKIP_PARTS & set(p.parts)]
    return files
