#!/usr/bin/env bash
# The GPU session's runs, as made on a lent NVIDIA GPU (numbers in lab/step_cost/gpu*.json, lab/imagenet_presets/, README):
#   1. the full-size ImageNet run: efficientnet_lite0, --preset official (2,000 steps at 112 px + 1,000 at 224 px),
#      32 classes × 2 images in one batch of 64, DeepInversion and DeepDream with the same budget;
#   2. the CUDA tests (pytest -m cuda) and the step benchmark on the GPU (float32 and bf16);
#   3. one-at-a-time changes of the preset (BN weight ×0.3 and ×3, learning rate 0.1, 2,000 steps all at 224 px), same batch, while time is left;
#   4. not run here: the imagenet-cpu preset on the full schedule in batches of 8 was made by lab/imagenet_presets/gpu_b8.sh (one torchrun
#      rank per batch; one after another, 3,000 steps at the benchmark's ~33 ms per step would take ~100 s a batch); its weights in one batch of 64 (SKIP="di dd di_bn003 di_bn03
#      di_lr01 di_2k di_cpu_b8 dd_cpu_b8") are left for a later session.
# usage: bash lab/imagenet_presets/gpu.sh OUT [SECONDS]   (needs the imagenet extra and a CUDA GPU; SECONDS: the time budget)
# Each run's images and metrics are packed as OUT/<run>.tar; judge them on any machine with
#   deepinversion metrics --images DIR --verifier efficientnet_lite1 --verifier efficientnet_lite2 --json
set -u
OUT=${1:?usage: imagenet_gpu.sh OUT [SECONDS]}; BUDGET=${2:-520}; DEV=${DEV:-cuda}; ITERS=${ITERS:-}
WORK=$(mktemp -d); T0=$(date +%s); mkdir -p "$OUT"
TARGETS=985,980,749,933,294,874,130,309,1,9,22,88,145,207,288,323,340,386,409,417,430,466,511,546,779,817,920,937,950,954,963,970
log() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a "$OUT/log.txt"; }
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }

synth() {  # NAME RECIPE [extra synth flags…]: one batch of 64 at full size, packed as OUT/NAME.tar
  local name=$1 rec=$2; shift 2
  [[ " ${SKIP:-} " == *" $name "* ]] && return  # SKIP="dd …": runs already made
  [ "$(left)" -gt 60 ] || { log "skip $name: $(left) s left"; return; }
  log "synth $name ($rec $*)"
  timeout "$(left)" deepinversion synth --teacher efficientnet_lite0 --recipe "$rec" --preset official --count 64 --batch 64 \
    --targets $TARGETS --device "$DEV" ${ITERS:+--iters $ITERS} --out "$WORK/$name" --json "$WORK/$name/result.json" "$@" 2>>"$OUT/log.txt"
  log "done $name: rc $?"
  [ -d "$WORK/$name/images" ] && tar cf "$OUT/$name.tar" -C "$WORK" "$name/images" "$name/metrics.json" "$name/result.json" 2>/dev/null
}

(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo none) | tee -a "$OUT/log.txt"
synth di deepinversion
synth dd deepdream
if [ "$(left)" -gt 120 ]; then
  log "pytest -m cuda"
  timeout 150 python3 -m pytest -q -m cuda tests/test_cuda.py -p no:cacheprovider >>"$OUT/log.txt" 2>&1; log "pytest rc $?"
fi
if [ "$(left)" -gt 90 ]; then
  log "bench"
  timeout 60 deepinversion bench --device "$DEV" --json "$WORK/gpu.json" >>"$OUT/log.txt" 2>&1; log "bench rc $?"
  timeout 60 deepinversion bench --device "$DEV" --amp bf16 --json "$WORK/gpu_bf16.json" >>"$OUT/log.txt" 2>&1; log "bench bf16 rc $?"
  tar cf "$OUT/bench.tar" -C "$WORK" $(cd "$WORK" && ls gpu*.json 2>/dev/null)  # one file back: the GPU machine returns at most 8
fi
synth di_bn003 deepinversion --weight bn=0.003
synth di_bn03 deepinversion --weight bn=0.03
synth di_lr01 deepinversion --lr 0.1
synth di_2k deepinversion --schedule 2k
synth di_cpu_b8 deepinversion --preset imagenet-cpu --weight bn=0.004 --zoom 0.1 --rotate 10 --schedule multires --batch 8
synth dd_cpu_b8 deepdream --preset imagenet-cpu --zoom 0.1 --rotate 10 --schedule multires --batch 8
synth di_cpuw_fbm100 deepinversion --weight bn=0.004 --weight tv_l2=9e-4 --weight l2=1.5e-3 --first-bn-multiplier 100
synth di_cpuw deepinversion --weight bn=0.004 --weight tv_l2=9e-4 --weight l2=1.5e-3
log "end"
