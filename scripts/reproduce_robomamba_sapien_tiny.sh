#!/usr/bin/env bash
# Reproduce models/robomamba-sapien-tiny and its stage ablation from nothing, on a CPU.
#
#   scripts/reproduce_robomamba_sapien_tiny.sh WORK_DIR [ablation]
#
# WORK_DIR/sim-seen: 10,000 SAPIEN interactions on the seen categories (datagen, seed 0).
# WORK_DIR/stages/model: stage 1 then stage 2, the shipped model (copy it to models/).
# With "ablation": WORK_DIR/untrained (stage 2 on the random backbone) and WORK_DIR/end-to-end
# (everything trained with the pose loss), then WORK_DIR/eval-stages: their evaluation.
set -euo pipefail
WORK=${1:?usage: $0 WORK_DIR [ablation]}
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mkdir -p "$WORK"
robomamba-ros train sapien-tiny --data "$WORK/sim-seen" --out "$WORK/stages" --variant stages
if [ "${2:-}" = ablation ]; then
    robomamba-ros train sapien-tiny --data "$WORK/sim-seen" --out "$WORK/untrained" \
        --variant untrained
    robomamba-ros train sapien-tiny --data "$WORK/sim-seen" --out "$WORK/end-to-end" \
        --variant end-to-end
    # Row labels come from folder names.
    mkdir -p "$WORK/ablation"
    for run in stages untrained end-to-end; do
        rm -rf "$WORK/ablation/$run"
        cp -r "$WORK/$run/model" "$WORK/ablation/$run"
    done
    robomamba-ros eval --policy "$WORK/ablation/stages" "$WORK/ablation/untrained" \
        "$WORK/ablation/end-to-end" --executor primitive scripted \
        --scenes-per-category 20 --seed 0 --out "$WORK/eval-stages"
fi
