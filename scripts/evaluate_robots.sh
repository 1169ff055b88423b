#!/usr/bin/env bash
# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
#
# The flying hand and the simulated Franka Panda (suction cup, fingers) under the same pose
# sources and low-level executors: `robomamba-ros demo` (the three nodes exchanging ROS 2
# messages) for each combination, every episode counted, then results/robots/table.md; and
# `robomamba-ros eval --robot` (in process, all categories, oracle / heuristic / shipped model x
# primitive (flying hand only) / scripted / shipped DMMs: the flying hand's, and on the Panda
# also the Panda's), then results/robots/eval_table.md.
#
#   scripts/evaluate_robots.sh [SCENES_PER_CATEGORY [ROW...]]   (default 2: 18 episodes per row)
#
# Each row is one demo run on the seen categories, scenes 0.. of the evaluator's seed 0; a row
# whose results.json exists is skipped, so an interrupted run resumes. ROW names (e.g.
# panda_fingers-oracle-scripted, eval-panda_fingers) pick rows; two runs with different rows can
# share OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENES=${1:-2}
shift || true
ROWS=" $* "
PY=${PY:-.venv/bin/python}
OUT=${OUT:-results/robots}
EPISODES=$((SCENES * 9))

run() {  # name robot gripper policy executor
  local dir="$OUT/runs/$1"
  if [[ "$ROWS" != "  " && "$ROWS" != *" $1 "* ]]; then return; fi
  if [[ -f "$dir/results.json" ]]; then echo "$1: done"; return; fi
  echo "$1: $EPISODES episodes"
  "$PY" -m robomamba_ros.cli demo --robot "$2" --gripper "$3" --policy "$4" --dmm "$5" \
    --episodes "$EPISODES" --out "$dir" --quiet > "$dir.log" 2>&1 || {
    echo "$1 failed, see $dir.log"; return 1; }
  rm -rf "$dir/bag"  # the bags are large; results.json and the figures stay
}

evaluate() {  # name robot gripper executor...
  local dir="$OUT/eval/$1"
  if [[ "$ROWS" != "  " && "$ROWS" != *" eval-$1 "* ]]; then return; fi
  if [[ -f "$dir/eval.json" ]]; then echo "eval-$1: done"; return; fi
  echo "eval-$1: $SCENES scenes per category"
  mkdir -p "$OUT/eval"
  HF_HUB_OFFLINE=1 "$PY" -m robomamba_ros.cli eval --robot "$2" --gripper "$3" \
    --policy oracle heuristic models/robomamba-sapien-tiny --executor "${@:4}" \
    --scenes-per-category "$SCENES" --out "$dir" --quiet > "$dir.log" 2>&1 || {
    echo "eval-$1 failed, see $dir.log"; return 1; }
}

mkdir -p "$OUT/runs"
for policy in oracle heuristic model; do
  source=$policy
  [[ $policy == model ]] && source=models/robomamba-sapien-tiny
  for executor in scripted dmm dmm_panda; do
    [[ $policy == heuristic && $executor != scripted ]] && continue
    dmm=scripted
    [[ $executor == dmm ]] && dmm=models/dmm-sapien-tiny
    [[ $executor == dmm_panda ]] && dmm=models/dmm-panda-tiny
    if [[ $executor != dmm_panda ]]; then
      run "flying_hand-$policy-$executor" flying_hand suction "$source" "$dmm"
    fi
    run "panda_suction-$policy-$executor" panda suction "$source" "$dmm"
    run "panda_fingers-$policy-$executor" panda fingers "$source" "$dmm"
  done
done
# The Panda's DMM (models/dmm-panda-tiny) has evaluations of its own, next to the others.
evaluate flying_hand flying_hand fingers primitive scripted models/dmm-sapien-tiny
evaluate panda_suction panda suction scripted models/dmm-sapien-tiny
evaluate panda_fingers panda fingers scripted models/dmm-sapien-tiny
evaluate panda_suction-dmm_panda panda suction models/dmm-panda-tiny
evaluate panda_fingers-dmm_panda panda fingers models/dmm-panda-tiny
"$PY" scripts/robot_table.py "$OUT"
