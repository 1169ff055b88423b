# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Every Python file carries the copyright line and the SPDX licence identifier."""

from conftest import REPO_ROOT
from lint_targets import python_files

HEADER = (
    '# Copyright 2026 The robomamba_ros Authors',
    '# SPDX-License-Identifier: Apache-2.0',
)


def test_copyright_headers():
    missing = []
    for path in python_files():
        head = path.read_text(encoding='utf-8').splitlines()[:2]
        if tuple(head) != HEADER:
            missing.append(str(path.relative_to(REPO_ROOT)))
    assert not missing, 'files without the copyright header: ' + ', '.join(missing)
