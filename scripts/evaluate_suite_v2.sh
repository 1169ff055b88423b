#!/usr/bin/env bash
# The committed evaluation on suite v2 (objects with several parts, the instruction naming one)
# and, for comparison, on v1: every baseline and the shipped RoboMamba models, with the
# evaluator's fixed scenes (seed 0, 20 per category) and the primitive executor:
#   OUT/v2: suite v2 (12 seen, 6 unseen categories);
#   OUT/v1: suite v1 (9 seen, 4 unseen categories).
# Each folder gets eval.json (every episode), eval_table.md (averages with 95 % intervals and
# success per category) and eval_table.png.
#
#   scripts/evaluate_suite_v2.sh [OUT_DIR] [MODEL_DIR...]
#
# Run from anywhere; OUT_DIR and MODEL_DIRs are relative to the repository (defaults:
# results/suite-v2 and the shipped RoboMamba models), so the records name them that way.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/suite-v2}
shift || true
if [ "$#" -eq 0 ]; then
    set -- models/robomamba-v2-tiny models/robomamba-sapien-tiny
fi
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
for SUITE in v2 v1; do
    robomamba-ros eval --suite "$SUITE" \
        --policy random random-on-object heuristic heuristic-instructed oracle "$@" \
        --scenes-per-category 20 --seed 0 --out "$OUT/$SUITE" --quiet
done
