#!/usr/bin/env bash
# The committed evaluation of the shipped models, on the evaluator's fixed seeds (seed 0) with
# 20 scenes per category:
#   OUT/pose-sources: every pose source with the primitive and the scripted expert executor;
#   OUT/dmm-executor: the shipped RoboMamba and the oracle with the shipped DMM executor.
#
#   scripts/evaluate_default_models.sh [OUT_DIR]     (default: results)
set -euo pipefail
OUT=${1:-results}
MODELS=$(cd "$(dirname "$0")/.." && pwd)/models
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
robomamba-ros eval \
    --policy random random-on-object heuristic oracle "$MODELS/robomamba-sapien-tiny" \
    --executor primitive scripted --scenes-per-category 20 --seed 0 --out "$OUT/pose-sources"
robomamba-ros eval --policy "$MODELS/robomamba-sapien-tiny" oracle \
    --executor "$MODELS/dmm-sapien-tiny" --scenes-per-category 20 --seed 0 \
    --out "$OUT/dmm-executor"
