#!/usr/bin/env bash
# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
#
# Regenerate constraints/lock.txt: install the package with the newest releases that setup.py's
# ranges allow into a fresh venv, and freeze it. The new lock is what CI tested only once
# `make test` (which then installs exactly it) passes; commit it with that run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ROBOMAMBA_UNPINNED=1 ROBOMAMBA_VENV="$TMP/venv" ROBOMAMBA_SKIP_SYSTEM=1 bash "$ROOT/scripts/setup.sh"
{
  echo '# The exact stack CI tested (CPU, Python 3.11, extras sim,test): `pip freeze --all'
  echo '# --exclude-editable` of a fresh venv, without pip. scripts/setup.sh installs with it as'
  echo '# constraints; ROBOMAMBA_UNPINNED=1 skips it. Regenerate: scripts/lock_stack.sh.'
  "$TMP/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v '^pip=='
} > "$ROOT/constraints/lock.txt"
echo "wrote $ROOT/constraints/lock.txt ($(grep -c '==' "$ROOT/constraints/lock.txt") packages)"
