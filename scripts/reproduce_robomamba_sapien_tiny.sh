#!/usr/bin/env bash
# Reproduce a shipped tiny RoboMamba and its stage ablation from nothing, on a CPU.
#
#   scripts/reproduce_robomamba_sapien_tiny.sh WORK_DIR [ablation]
#   PRESET=v2-tiny scripts/reproduce_robomamba_sapien_tiny.sh WORK_DIR [ablation]
#
# PRESET sapien-tiny (default): models/robomamba-sapien-tiny, suite v1, data in WORK_DIR/sim-seen
# (10,000 SAPIEN interactions on the seen categories, datagen seed 0).
# PRESET v2-tiny: models/robomamba-v2-tiny, suite v2 with stage 0, data in WORK_DIR/sim-v2-seen
# (12,000 interactions).
# WORK_DIR/stages/model: the shipped model (copy it to models/).
# With "ablation": WORK_DIR/untrained (stage 2 on the random backbone), WORK_DIR/end-to-end
# (everything trained with the pose loss) and, for v2-tiny, WORK_DIR/no-stage0 (stages 1 and 2),
# then WORK_DIR/eval-stages: their evaluation on the preset's suite.
set -euo pipefail
WORK=${1:?usage: [PRESET=v2-tiny] $0 WORK_DIR [ablation]}
PRESET=${PRESET:-sapien-tiny}
case "$PRESET" in
    sapien-tiny) SUITE=v1 DATA="$WORK/sim-seen" VARIANTS="untrained end-to-end"
                 EXECUTORS="primitive scripted" ;;
    v2-tiny) SUITE=v2 DATA="$WORK/sim-v2-seen" VARIANTS="no-stage0 untrained end-to-end"
             EXECUTORS="primitive" ;;
    *) echo "unknown PRESET $PRESET (sapien-tiny or v2-tiny)" >&2; exit 2 ;;
esac
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mkdir -p "$WORK"
robomamba-ros train sapien-tiny --preset "$PRESET" --data "$DATA" --out "$WORK/stages" \
    --variant stages
if [ "${2:-}" = ablation ]; then
    for variant in $VARIANTS; do
        robomamba-ros train sapien-tiny --preset "$PRESET" --data "$DATA" \
            --out "$WORK/$variant" --variant "$variant"
    done
    # Row labels come from folder names.
    mkdir -p "$WORK/ablation"
    for run in stages $VARIANTS; do
        rm -rf "$WORK/ablation/$run"
        cp -r "$WORK/$run/model" "$WORK/ablation/$run"
    done
    # shellcheck disable=SC2086
    robomamba-ros eval --suite "$SUITE" --policy "$WORK/ablation/stages" \
        $(for v in $VARIANTS; do echo "$WORK/ablation/$v"; done) --executor $EXECUTORS \
        --scenes-per-category 20 --seed 0 --out "$WORK/eval-stages"
fi
