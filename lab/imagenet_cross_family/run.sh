#!/usr/bin/env bash
# One run of the cross-family study: efficientnet_lite0 inverted with --preset imagenet-cpu (16 images of 8 held-out classes)
# or --preset imagenet (8 images)
# (a class set per seed, never tuned on), judged by MobileNet-V2 (TFLite), lite1 and lite2.
# Usage, from anywhere: bash lab/imagenet_cross_family/run.sh SEED RECIPE [VARIANT]
#   RECIPE: deepinversion | deepdream | adi
#   VARIANT: preset (default) | no-smooth (no blur of the pixels) | no-shift (neither colour shift nor blur, TV weight 9e-4)
#            | long (the 3,000-step `--preset imagenet`, 8 images) | long-no-shift (the same without colour shift and
#            blur, TV weight 9e-4) | long-paper (the same with the paper's priors only: jitter and flip, no zoom, turn,
#            colour shift or blur) | long-blur (the paper's priors and the preset's blur of the pixels) | long-zoom
#            (the preset without its colour shift: zoom, turn and blur) | long-blur-bn03 (long-blur with R_feature at
#            0.0003; deepinversion only)
# One torch thread, so that two runs share the 2 cores. Writes runs/<recipe>-<variant>-s<seed>/ with judged.json.
set -euo pipefail
cd "$(dirname "$0")"
source common.sh
seed=$1; recipe=$2; variant=${3:-preset}
classes=(23,61,301,349,829,841,956,965 0,85,189,264,286,534,664,924 86,290,395,465,582,600,697,778)
case $variant in
  preset) extra=() ;;
  no-smooth) extra=(--smooth 0) ;;
  no-shift) extra=(--color-shift 0 --weight tv_l2=0.0009 --smooth 0) ;;
  long) extra=() ;;
  long-no-shift) extra=(--color-shift 0 --weight tv_l2=0.0009 --smooth 0) ;;
  long-paper) extra=(--zoom 0 --rotate 0 --color-shift 0 --smooth 0) ;;
  long-blur) extra=(--zoom 0 --rotate 0 --color-shift 0) ;;
  long-zoom) extra=(--color-shift 0) ;;
  long-blur-bn03) extra=(--zoom 0 --rotate 0 --color-shift 0 --weight bn=0.0003) ;;
  *) echo "unknown variant $variant; use preset, no-smooth, no-shift, long, long-no-shift, long-paper, long-blur, long-zoom or long-blur-bn03" >&2; exit 2 ;;
esac
preset=imagenet-cpu; count=16
case $variant in long*) preset=imagenet; count=8 ;; esac
invert_and_judge "runs/$recipe-$variant-s$seed" --recipe "$recipe" --preset "$preset" "${extra[@]}" \
    --count "$count" --batch-size 8 --targets "${classes[$((seed % 3))]}" --seed "$seed"
