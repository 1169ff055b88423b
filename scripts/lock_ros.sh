#!/usr/bin/env bash
# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
#
# Regenerate constraints/ros-lock.txt: install the newest ROS 2 wheels that scripts/setup_ros.sh
# names into a fresh venv, with constraints/lock.txt holding the packages they share with the
# package's stack, and pin what they need that lock.txt does not. The new lock is what CI tested
# only once `ROBOMAMBA_ROS=1 make test` (which then installs exactly it) passes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=setup_ros.sh
source "$ROOT/scripts/setup_ros.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"${PYTHON:-python3}" -m venv "$TMP/venv"
grep -v '^torch==' "$ROOT/constraints/lock.txt" > "$TMP/shared.txt"
"$TMP/venv/bin/python" -m pip install -q "${ROS_WHEELS[@]}" -c "$TMP/shared.txt"
{
  echo '# The ROS 2 Kilted wheels CI tested and what they need beyond constraints/lock.txt (Python'
  echo '# 3.11, x86_64): scripts/setup_ros.sh installs them with both files as constraints.'
  echo '# Regenerate: scripts/lock_ros.sh.'
  "$TMP/venv/bin/python" - "$ROOT/constraints/lock.txt" "${ROS_WHEELS[@]}" <<'EOF'
import re
import sys
from importlib import metadata

from packaging.requirements import Requirement


def canonical(name):
    return re.sub(r'[-_.]+', '-', name).lower()


lock_file, wanted = sys.argv[1], sys.argv[2:]
shared = {canonical(line.split('==')[0]) for line in open(lock_file, encoding='utf-8')
          if '==' in line and not line.startswith('#')}
pins, todo = {}, list(wanted)
while todo:
    dist = metadata.distribution(todo.pop())
    key = canonical(dist.metadata['Name'])
    if key in pins:
        continue
    pins[key] = f"{dist.metadata['Name']}=={dist.version}"
    for line in dist.requires or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({'extra': ''}):
            todo.append(requirement.name)
for key in sorted(set(pins) - shared):
    print(pins[key])
EOF
} > "$ROOT/constraints/ros-lock.txt"
echo "wrote constraints/ros-lock.txt ($(grep -c '==' "$ROOT/constraints/ros-lock.txt") packages)"
