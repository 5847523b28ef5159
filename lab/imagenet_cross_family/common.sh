# Sourced by run.sh and tune.sh: the repository's environment, one torch thread (two runs share the 2 cores), and
# invert_and_judge OUT SYNTH_ARGS... — efficientnet_lite0 inverted into OUT, then judged by MobileNet-V2 (TFLite), lite1
# and lite2 into OUT/judged.json.
export PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.venv/bin:$PATH"  # `make install`
export OMP_NUM_THREADS=1
invert_and_judge() {
  local out=$1; shift
  deepinversion synth --teacher efficientnet_lite0 "$@" --out "$out"
  deepinversion metrics --images "$out" --verifier mobilenet_v2_tflite --verifier efficientnet_lite1 --verifier efficientnet_lite2 \
      --json "$out/judged.json"
}
