#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for a set time on its corpus (the generated seeds, the
# committed reproducers of tests/fuzz/regressions, and what earlier runs found), then prints a
# table of executions, time, corpus size and crashes. Exits non-zero when a target found a crash.
#
#   scripts/fuzz.sh [--time SECONDS] [--build DIR] [TARGET...]
#     --time S     seconds per target (default 60)
#     --build DIR  a build configured with -DLATENTBRUSH_BUILD_FUZZERS=ON and clang
#                  (default build/fuzz; configured here with clang-14 when missing)
#     TARGET       safetensors latent maskops image vae (default: every target built)
#
# Crashes, leaks, timeouts and out-of-memory inputs are saved under DIR/fuzz-artifacts/; rerun one
# with `DIR/tests/fuzz/latentbrush-fuzz-<target> <file>` and commit it to
# tests/fuzz/regressions/<target>/ with the fix.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
build="$root/build/fuzz"
targets=()
while (($#)); do
  case "$1" in
    --time) seconds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
jobs="${LATENTBRUSH_JOBS:-$(nproc)}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" --preset fuzz # clang 14, libFuzzer, no editor
fi
if ((${#targets[@]})); then
  cmake --build "$build" -j "$jobs" --target "${targets[@]/#/latentbrush-fuzz-}"
else
  cmake --build "$build" -j "$jobs" --target latentbrush-fuzzers
fi

bin="$build/tests/fuzz"
if ((${#targets[@]} == 0)); then
  for t in safetensors latent maskops image vae; do
    [ -x "$bin/latentbrush-fuzz-$t" ] && targets+=("$t")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz targets in $build (configure it with clang and -DLATENTBRUSH_BUILD_FUZZERS=ON)" >&2
  exit 1
fi

artifacts="$build/fuzz-artifacts"
work="$build/fuzz-work"
logs="$build/fuzz-logs"
mkdir -p "$artifacts" "$work" "$logs"
summary="$build/fuzz-summary.md"
{
  echo "| target | seconds | executions | exec/s | corpus files | peak RSS MB | result |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
} > "$summary"

failed=0
for t in "${targets[@]}"; do
  exe="$bin/latentbrush-fuzz-$t"
  [ -x "$exe" ] || { echo "fuzz: $exe is missing" >&2; failed=1; continue; }
  mkdir -p "$work/$t"
  opts=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -malloc_limit_mb=1024
        -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$artifacts/$t-")
  [ -f "$root/tests/fuzz/dict/$t.dict" ] && opts+=(-dict="$root/tests/fuzz/dict/$t.dict")
  corpora=("$work/$t")
  [ -d "$bin/corpus/$t" ] && corpora+=("$bin/corpus/$t")
  [ -d "$root/tests/fuzz/regressions/$t" ] && corpora+=("$root/tests/fuzz/regressions/$t")
  before=$(ls "$artifacts" | wc -l)
  start=$(date +%s)
  set +e
  LATENTBRUSH_FUZZ_TMP="${LATENTBRUSH_FUZZ_TMP:-}" \
    timeout $((seconds + 300)) "$exe" "${opts[@]}" "${corpora[@]}" > "$logs/$t.log" 2>&1
  rc=$?
  set -e
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$logs/$t.log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/$t.log" | tail -1)
  files=$(find "${corpora[@]}" -type f | wc -l)
  new=$(($(ls "$artifacts" | wc -l) - before))
  if [ "$rc" -eq 0 ] && [ "$new" -eq 0 ]; then
    result="ok"
  else
    result="FAILED (exit $rc, $new new artifact(s))"
    failed=1
    echo "fuzz: $t failed; the end of $logs/$t.log:" >&2
    grep -v '^#[0-9]' "$logs/$t.log" | tail -40 >&2
  fi
  rate=0
  [ "${execs:-0}" -gt 0 ] && [ "$elapsed" -gt 0 ] && rate=$((execs / elapsed))
  echo "| $t | $elapsed | ${execs:-?} | $rate | $files | ${rss:-?} | $result |" >> "$summary"
  echo "fuzz: $t: ${execs:-?} executions in ${elapsed}s, $files corpus files: $result"
done

echo
cat "$summary"
if ((failed)); then
  echo "fuzz: crash reproducers are in $artifacts" >&2
  exit 1
fi
