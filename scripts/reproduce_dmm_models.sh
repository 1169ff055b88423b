#!/usr/bin/env bash
# Reproduce models/dmm-sapien-tiny, models/dt-sapien-tiny and models/dm-sapien-tiny and their
# evaluation (results/dmm) from nothing, on a CPU:
#
#   scripts/reproduce_dmm_models.sh OUT_DIR
#
# and models/dmm-panda-tiny (data and evaluation with the simulated Panda and its fingers):
#
#   ROBOT=panda SEEDS=0 VARIANTS=dmm-dense scripts/reproduce_dmm_models.sh OUT_DIR
#
# 1. OUT_DIR/data/perturbed.hdf5: dmm-data, level perturbed, 450 episodes of the seen categories
#    (50 each), seed 0.
# 2. OUT_DIR/runs/<variant>-s<seed>: train-dmm for the variants dmm-dense (Decision MetaMamba,
#    dense mixer), dt (the matched Decision Transformer) and dmm-none (plain Decision Mamba),
#    seeds 0 1 2, in the target frame: 6000 steps, batch 64, lr 1e-3, 200 warmup steps, the
#    other hyperparameters at their train-dmm defaults (h=64, 3 layers, K=8, dropout 0.1).
# 3. OUT_DIR/eval: eval-dmm of all runs, 90 held-out episodes of the seen categories per run
#    (eval.json, eval_table.png); OUT_DIR/times.tsv: wall and CPU seconds of every command.
#
# The shipped models are the seed-0 runs' model/ folders (OUT_DIR/runs/<variant>-s0/model).
# Knobs (environment): SEEDS (default "0 1 2"), VARIANTS (default "dmm-dense dt dmm-none";
# also dmm-linear and dmm-conv, the other token mixers),
# LEVEL / EPISODES (data), STEPS, EVAL_EPISODES, JOBS (trainings run side by side, default 2:
# one per core of the 2-core CPU the cards were measured on), ROBOT (flying_hand or panda) and
# GRIPPER (the Panda's: fingers or suction) of the data and the evaluation.
# Finished steps are skipped when run again. Every command runs on one thread
# (OMP_NUM_THREADS=1), as the times in the model cards were measured.
set -euo pipefail
OUT=${1:?usage: $0 OUT_DIR}
SEEDS=${SEEDS:-0 1 2}
VARIANTS=${VARIANTS:-dmm-dense dt dmm-none}
LEVEL=${LEVEL:-perturbed}
EPISODES=${EPISODES:-450}
STEPS=${STEPS:-6000}
EVAL_EPISODES=${EVAL_EPISODES:-90}
JOBS=${JOBS:-2}
ROBOT=${ROBOT:-flying_hand}
GRIPPER=${GRIPPER:-fingers}
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT/data" "$OUT/runs"
TIMES="$OUT/times.tsv"
[ -f "$TIMES" ] || printf 'what\twall_s\tuser_s\tsys_s\n' > "$TIMES"

# timed NAME COMMAND...: run COMMAND, append its wall, user and system seconds to times.tsv.
timed() {
    local name=$1 log
    shift
    log=$(mktemp)
    local TIMEFORMAT=$'%R\t%U\t%S'
    # The command's own stderr goes to ours (fd 3); only the time report goes to the log.
    { time "$@" 2>&3 ; } 3>&2 2> "$log"
    printf '%s\t%s\n' "$name" "$(tail -n 1 "$log")" >> "$TIMES"
    rm -f "$log"
}

variant_args() {
    case $1 in
        dmm-dense) echo --policy dmm --mixer dense ;;
        dmm-linear) echo --policy dmm --mixer linear ;;
        dmm-conv) echo --policy dmm --mixer conv ;;
        dmm-none) echo --policy dmm --mixer none ;;
        dt) echo --policy dt ;;
        *) echo "unknown variant $1" >&2; return 1 ;;
    esac
}

DATA="$OUT/data/$LEVEL.hdf5"
if [ ! -f "$DATA" ]; then
    timed "dmm-data $LEVEL $EPISODES" robomamba-ros dmm-data --level "$LEVEL" \
        --episodes "$EPISODES" --categories seen --seed 0 --robot "$ROBOT" --gripper "$GRIPPER" \
        --out "$DATA" --quiet
fi

train() {
    local variant=$1 seed=$2 run="$OUT/runs/$1-s$2"
    [ -f "$run/model/stats.json" ] && return 0
    # shellcheck disable=SC2046
    timed "train-dmm $variant seed $seed" robomamba-ros train-dmm --data "$DATA" --out "$run" \
        $(variant_args "$variant") --frame target --max-steps "$STEPS" --batch-size 64 \
        --warmup-steps 200 --lr 1e-3 --seed "$seed" --quiet
}

RUNS=()
for seed in $SEEDS; do
    for variant in $VARIANTS; do
        RUNS+=("$OUT/runs/$variant-s$seed")
        train "$variant" "$seed" &
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    done
done
wait

timed "eval-dmm $EVAL_EPISODES episodes" robomamba-ros eval-dmm "${RUNS[@]}" --out "$OUT/eval" \
    --episodes "$EVAL_EPISODES" --categories seen --robot "$ROBOT" --gripper "$GRIPPER" --quiet
column -t -s $'\t' "$TIMES"
