# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Docstrings in the form ament_pep257 accepts (its default ignore list)."""

import subprocess
import sys

from conftest import REPO_ROOT
from lint_targets import python_files

AMENT_PEP257_IGNORE = 'D100,D101,D102,D103,D104,D105,D106,D107,D203,D212,D404'


def test_pep257():
    files = [str(p) for p in python_files()]
    result = subprocess.run(
        [sys.executable, '-m', 'pydocstyle', f'--ignore={AMENT_PEP257_IGNORE}', *files],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f'pydocstyle found problems:\n{result.stdout}{result.stderr}'
