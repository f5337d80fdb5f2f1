#!/usr/bin/env bash
# On the GPU machine (see ../shared/device/README.md), from the project's root after
# `source .device-deps/env.sh`: builds the core against the machine's CUDA LibTorch, runs the
# core and gpu test labels, then the encoder and live-view benchmarks beside the PyTorch baselines.
# Results go to ${OUT:-out}/ (ctest.log, bench.jsonl). SKIP_TESTS=1 / SKIP_BENCH=1 leave a part out
# (the device service allows 10 minutes a call: the two halves fit one call each).
set -uo pipefail
out="${OUT:-out}"
mkdir -p "$out"
build=build-gpu
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
cmake -S . -B "$build" --preset gpu > "$out/configure.log" 2>&1 || { tail "$out/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" > "$out/build.log" 2>&1 || { grep -E "error" "$out/build.log" | head; exit 1; }
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  ctest --test-dir "$build" -L 'gpu|core' -E maskops_mirror --output-on-failure -j "${CTEST_JOBS:-4}" --timeout 400 > "$out/ctest.log" 2>&1
  grep -E "QINFO|FAIL!|tests passed|Passed|Failed" "$out/ctest.log" | grep -v "^PASS" | head -80
fi
[ "${SKIP_BENCH:-0}" = 1 ] && exit 0
bench="$build/tests/bench/latentbrush-bench"
ref="python3 tests/bench/reference.py"
sd=/tmp/sd-shaped.safetensors
taef2="${LATENTBRUSH_SHARED}/models/taef2_encoder.safetensors"
taef2dec="${LATENTBRUSH_SHARED}/models/taef2_decoder.safetensors"
sizes="${SIZES:-512,1024,4096}"
{
  $ref --weights $sd --make-sd-weights --family sd --sizes 64 --device cuda --reps 1 > /dev/null
  timeout 200 $bench encode --vae $sd --device cuda --dtype bf16 --sizes "$sizes" --reps 5
  timeout 200 $ref --weights $sd --family sd --device cuda --dtype bf16 --sizes "$sizes" --reps 5
  timeout 240 $ref --weights $sd --family sd --device cuda --dtype bf16 --sizes 512,1024 --reps 5 \
    --compile --channels-last
  timeout 60 $bench encode --vae "$taef2" --device cuda --dtype bf16 --sizes 512,4096 --reps 5
  timeout 60 $ref --weights "$taef2" --family taef2 --device cuda --dtype bf16 --sizes 512,4096 --reps 5
  # The live view's computation (node preprocessing, encode, decode, difference) beside PyTorch's
  # encode + decode of the same network.
  for dt in bf16 fp32; do
    timeout 90 env LATENTBRUSH_MODELS_DIR="${LATENTBRUSH_SHARED}/models" $bench roundtrip \
      --device cuda --dtype $dt --sizes 512,1024 --reps 20
    timeout 120 $ref --weights "$taef2" --decoder "$taef2dec" --family taef2 --device cuda --dtype $dt \
      --sizes 512,1024 --reps 20 --compile
  done
} 2>&1 | grep -v "^W\|Warning" | tee "$out/bench.jsonl"
