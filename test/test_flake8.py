# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""flake8 with ament_flake8's settings (the repository's .flake8): 99 columns, single quotes."""

import subprocess
import sys

from conftest import REPO_ROOT
from lint_targets import python_files


def test_flake8():
    files = [str(p) for p in python_files()]
    result = subprocess.run(
        [sys.executable, '-m', 'flake8', '--config', str(REPO_ROOT / '.flake8'), *files],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f'flake8 found problems:\n{result.stdout}{result.stderr}'
