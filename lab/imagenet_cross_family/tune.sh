#!/usr/bin/env bash
# One tuning run: efficientnet_lite0 inverted with --preset imagenet and the given extra settings, on a tuning class
# set (never one of run.sh's held-out sets), judged like run.sh's runs. Writes runs/tune/NAME/ with judged.json and
# command.txt (this script's command line).
# Usage, from anywhere: bash lab/imagenet_cross_family/tune.sh NAME SET COUNT BATCH RECIPE [SYNTH ARGS...]
#   SET: A (985,980,749,933,294,874,130,309) | B (340,386,409,417,430,466,511,546)
set -euo pipefail
cd "$(dirname "$0")"
source common.sh
call="$*"; name=$1; set=$2; count=$3; batch=$4; recipe=$5; shift 5
case $set in
  A) classes=985,980,749,933,294,874,130,309 ;;
  B) classes=340,386,409,417,430,466,511,546 ;;
  *) echo "unknown class set $set; use A or B" >&2; exit 2 ;;
esac
invert_and_judge "runs/tune/$name" --recipe "$recipe" --preset imagenet "$@" \
    --count "$count" --batch-size "$batch" --targets "$classes" --seed 0
printf 'bash lab/imagenet_cross_family/tune.sh %s\n' "$call" > "runs/tune/$name/command.txt"  # for tune_table.py
