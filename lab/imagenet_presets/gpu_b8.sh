#!/usr/bin/env bash
# The second GPU session's runs (numbers in lab/imagenet_presets/gpu_run.json, README, notebook 18): the imagenet-cpu preset's
# weights, first BN ×100 and zoom/turn on the full 3,000-step schedule (2,000 steps at 112 px + 1,000 at 224 px) in batches
# of 8 (notebook 18: batches of 8 beat one of 32 on the CPU), 32 classes × 2 images, DeepInversion and DeepDream with the
# same budget. The batches of one run share the GPU as COUNT/BATCH torchrun ranks: one after another, 3,000 steps at
# lab/step_cost/gpu.json's ~33 ms per step would take ~100 s a batch; 8 ranks side by side made 64 images in 307 s. The CUDA
# tests run beside them.
# ROUND=2 COUNT=32 TARGETS=<the first 16>: the CPU's best settings — since session 12 the `imagenet` preset's
# (BN weight 0.001, zoom 0.3, turn 20°; notebook 18) — on the full schedule, DeepDream with the same zoom/turn beside it, and
# the preset with zoom 0.4 / turn 25°: 12 ranks; the third GPU session ran it twice (TARGETS = the first 16, then the last 16
# of the 32), 267 s each on an H200 with the CUDA tests beside it; give it SECONDS ≥ 400 (round 1's
# 16 ranks: 287 s per batch for DI's, ~180 s for DeepDream's; three variants as 12 ranks, ~315 s per batch, were cut off at
# 97 % with 350 and brought nothing back).
# ROUND=5 COUNT=32 NOTEST=1: the preset with a lower BN weight (0.0003, 0.0001) on the paper's 16 and the other 16 (seed 1 each, beside
# round 3/4's runs and their DeepDream pairs): does less BN weight buy DeepInversion the verifiers' confidence (Inception Score)? 16 ranks,
# 437 s on an H200; BNS=0.00003: a second call, 8 ranks.
# ROUND=3 COUNT=32: zoom 0.4 / turn 25° on the full schedule, seeds 1 and 2 of the other 16 classes and seed 1 of the first 16 (12 ranks,
# 338 s on an H200 with the CUDA tests beside); ROUND=4 NOTEST=1: DeepDream beside those three and DeepInversion on 16 random classes.
# usage: bash lab/imagenet_presets/gpu_b8.sh OUT [SECONDS]   (needs the imagenet extra and a CUDA GPU; SECONDS: the time budget)
# Each run's images and metrics are packed as OUT/<run>.tar; judge them on any machine with
#   python lab/imagenet_presets/full_report.py gpu DIR   or   deepinversion metrics --images DIR/<run>/images --verifier efficientnet_lite1 --verifier efficientnet_lite2 --json
set -u
OUT=${1:?usage: imagenet_gpu_b8.sh OUT [SECONDS]}; BUDGET=${2:-520}; DEV=${DEV:-cuda}; ITERS=${ITERS:-}; COUNT=${COUNT:-64}
WORK=$(mktemp -d); T0=$(date +%s); mkdir -p "$OUT"; export OMP_NUM_THREADS=1
TARGETS=${TARGETS:-985,980,749,933,294,874,130,309,1,9,22,88,145,207,288,323,340,386,409,417,430,466,511,546,779,817,920,937,950,954,963,970}
log() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a "$OUT/log.txt"; }
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }

# imagenet-cpu as it was when these rounds ran (before session 20): zoom ±10 %, turn ±10°, BN weight 0.004 (ROUND=1 spells it out;
# the later rounds set their own); flags after it override
synth() {  # NAME RECIPE BATCH [extra synth flags…]: COUNT images in batches of BATCH, one torchrun rank per batch, packed as OUT/NAME.tar
  local name=$1 rec=$2 batch=$3; shift 3
  log "synth $name ($rec, batches of $batch, $*)"
  timeout "$(( $(left) - 25 ))" torchrun --standalone --nproc-per-node $(( COUNT / batch )) -m deepinversion_nb.cli synth \
    --teacher efficientnet_lite0 --recipe "$rec" --preset imagenet-cpu --zoom 0.1 --rotate 10 --schedule multires --count "$COUNT" --batch "$batch" \
    --targets $TARGETS --device "$DEV" ${ITERS:+--iters $ITERS} --out "$WORK/$name" --json "$WORK/$name.json" "$@" >>"$OUT/$name.log" 2>&1
  log "done $name: rc $?"
  [ -d "$WORK/$name/images" ] || python3 - "$WORK/$name" <<'PY'  # cut off: the finished batches' PNGs, so they are not lost
import sys, torch; from pathlib import Path
from deepinversion_nb.models import load_teacher; from deepinversion_nb.store import load_part, write_png_folder
out = Path(sys.argv[1]); done = [d for d in map(load_part, sorted(out.glob("parts/batch_*.pt"))) if d]
c = load_teacher("efficientnet_lite0").card
if done: write_png_folder(out / "images", torch.cat([d["images"] for d in done]), torch.cat([d["targets"] for d in done]), c.classes, c.mean, c.std)
print(f"{out.name}: {len(done)} finished batches written")
PY
  cp "$WORK/$name.json" "$WORK/$name/result.json" 2>/dev/null
  tar cf "$OUT/$name.tar" -C "$WORK" "$name/images" $(cd "$WORK" && ls "$name/metrics.json" "$name/result.json" "$name/parts/config.json" 2>/dev/null)
}

(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo none) | tee -a "$OUT/log.txt"
if [ "${ROUND:-1}" = 1 ]; then
  synth di_cpu_b8 deepinversion 8 --weight bn=0.004 &
  synth dd_cpu_b8 deepdream 8 &
elif [ "$ROUND" = 2 ]; then  # COUNT=32, TARGETS=the first 16
  synth di_imagenet deepinversion 8 --weight bn=0.001 --zoom 0.3 --rotate 20 &  # = sessions 12-15's --preset imagenet on the full schedule
  synth dd_zoom03 deepdream 8 --zoom 0.3 --rotate 20 &
  synth di_zoom04 deepinversion 8 --weight bn=0.001 --zoom 0.4 --rotate 25 &  # the CPU's zoom lever (one seed: lite1/lite2 100 %)
else  # ROUND=3|4|5 (COUNT=32): round 2's best, zoom 0.4 / turn 25° on the full schedule, on more seeds of both class sets
  C2=340,386,409,417,430,466,511,546,779,817,920,937,950,954,963,970; R10=585,33,439,494,591,15,211,473,832,503,843,284,669,830,164,35
  T16=985,980,749,933,294,874,130,309,1,9,22,88,145,207,288,323; Z04="--zoom 0.4 --rotate 25"
  if [ "$ROUND" = 5 ]; then
    for bn in ${BNS:-0.0003 0.0001}; do
      TARGETS=$T16 synth di_bn${bn#0.}_s1 deepinversion 8 --weight bn=$bn $Z04 --seed 1 &
      TARGETS=$C2 synth di_bn${bn#0.}_c2_s1 deepinversion 8 --weight bn=$bn $Z04 --seed 1 &
    done
  elif [ "$ROUND" = 3 ]; then
    for s in 1 2; do TARGETS=$C2 synth di_zoom04_c2_s$s deepinversion 8 --weight bn=0.001 $Z04 --seed $s & done  # = --preset imagenet since
    TARGETS=$T16 synth di_zoom04_s1 deepinversion 8 --weight bn=0.001 $Z04 --seed 1 &
  else  # ROUND=4: DeepDream with the same budget and zoom/turn beside round 3's runs, and DeepInversion on 16 random classes
    for s in 1 2; do TARGETS=$C2 synth dd_zoom04_c2_s$s deepdream 8 $Z04 --seed $s & done
    TARGETS=$T16 synth dd_zoom04_s1 deepdream 8 $Z04 --seed 1 &
    TARGETS=$R10 synth di_zoom04_r10 deepinversion 8 --weight bn=0.001 $Z04 --seed 10 &
  fi
fi
if [ "$DEV" = cuda ] && [ -z "${NOTEST:-}" ]; then  # NOTEST=1: the CUDA tests already passed on this machine
  command -v deepinversion >/dev/null || printf '#!/bin/sh\nexec python3 -m deepinversion_nb.cli "$@"\n' > "$(dirname "$(command -v python3)")/deepinversion"
  chmod +x "$(dirname "$(command -v python3)")/deepinversion"
  log "pytest -m cuda"; timeout 240 python3 -m pytest -q -m cuda tests/test_cuda.py -p no:cacheprovider >"$OUT/pytest.log" 2>&1; log "pytest rc $?"
fi
wait; log "end"
