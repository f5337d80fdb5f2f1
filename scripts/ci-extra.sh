#!/usr/bin/env bash
# CI, after `scripts/quickstart.sh test`: the reliability checks of docs/RELIABILITY.md.
#   1. installs what is missing (the project's packages and the [ci] section of
#      scripts/debian-packages.txt: clang-14, libclang-rt-14-dev, llvm-14)
#   2. build/asan  GCC, AddressSanitizer + LeakSanitizer + UBSan, every test suite (label gpu and
#                  the .deb packaging test excluded) and the fuzz reproducers/seeds, plus the
#                  VAE-loader fuzz target for a while (standalone driver: LibTorch 1.13 headers
#                  do not compile with clang in C++20)
#   3. build/fuzz  clang-14 libFuzzer targets, each run briefly on its corpus (scripts/fuzz.sh)
#   4. build/tsan  GCC ThreadSanitizer over the project's own threaded code: the mask operations
#                  on Parallel.cpp (mirror test against LibTorch, mask-ops fuzz target)
# Prints the time of each step. Environment: LATENTBRUSH_FUZZ_SECONDS (default 30 per target),
# LATENTBRUSH_JOBS (default nproc), LATENTBRUSH_CI_STEPS (default "asan fuzz tsan"),
# LATENTBRUSH_CI_BUILD_ROOT (default build, for build/asan, build/fuzz and build/tsan).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${LATENTBRUSH_JOBS:-$(nproc)}"
fuzz_seconds="${LATENTBRUSH_FUZZ_SECONDS:-30}"
steps="${LATENTBRUSH_CI_STEPS:-asan fuzz tsan}"
broot="${LATENTBRUSH_CI_BUILD_ROOT:-build}"
export CCACHE_BASEDIR="$root"

timings=()
step_start=0
begin() { step_start=$(date +%s); echo "== ci-extra: $1"; }
finish() { timings+=("$1: $(($(date +%s) - step_start)) s"); }

# --- 1. packages ---------------------------------------------------------------------------------
begin "packages"
mapfile -t missing < <(scripts/debian-packages.sh --missing build runtime headless test ci)
if ((${#missing[@]})); then
  echo "ci-extra: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
# Symbolized sanitizer reports.
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export TSAN_OPTIONS="${TSAN_OPTIONS:-}${TSAN_OPTIONS:+:}external_symbolizer_path=$ASAN_SYMBOLIZER_PATH"
finish "packages"

# Tests that fail under the sanitizers for a reported bug outside this step's files:
# "ctest name regex :: reason". Remove an entry once the bug is fixed.
asan_known_failures=(
  # Fixed in 0344a28: "cli_tst_cli :: tst_cli.cpp read one byte past a literal" and
  # "ui_tst_... :: the document's signals reached a MainWindow being destroyed (UBSan)".
)

failed=()

# --- 2. AddressSanitizer + UBSan: the test suites ------------------------------------------------
if [[ " $steps " == *" asan "* ]]; then
  begin "asan build"
  cmake -S "$root" -B "$broot/asan" --preset asan
  cmake --build "$broot/asan" -j "$jobs"
  finish "asan build"
  begin "asan tests"
  # The sanitizer options and suppressions are compiled into every program of the build. Tests
  # that fail for a reported bug in someone's code run apart: reported, but not failing CI; a
  # known failure that passes is reported too, so that it can leave the list.
  known_regex=""
  for entry in "${asan_known_failures[@]}"; do known_regex+="${known_regex:+|}${entry%% :: *}"; done
  # Left out here: the packaging test, and core_tst_precision_f64, 220 VAEs of LibTorch
  # arithmetic against float64 (minutes in the release run, many times that under ASan): the
  # loader and kernel code it runs is under ASan through tst_vae_layouts and tst_cpu_fast; and
  # cli_tst_pil_loader, whose minutes go to one Python process (PIL + torch imports) per row:
  # the image loader it checks is under ASan through io_tst_imageio, the CLI suites and
  # fuzz_image.
  # The SIGKILL tests are about the file system, not memory: fewer rounds here than in the
  # release run of scripts/quickstart.sh test (the core's and the editor's autosave rounds).
  LATENTBRUSH_KILL_ITERATIONS=40 LB_KILL_ITERATIONS=5 QT_QPA_PLATFORM=offscreen \
    ctest --test-dir "$broot/asan" --output-on-failure -j "$jobs" -LE gpu \
    -E "^(interop_tst_interop_package|core_tst_precision_f64|cli_tst_pil_loader|$known_regex)\$" ||
    failed+=("asan tests")
  for entry in "${asan_known_failures[@]}"; do
    name="${entry%% :: *}"
    if QT_QPA_PLATFORM=offscreen ctest --test-dir "$broot/asan" -R "^($name)\$" > /dev/null 2>&1; then
      echo "ci-extra: known failure now PASSES (take it off the list): $name"
    else
      echo "ci-extra: KNOWN FAILURE (reported): $name: ${entry#* :: }"
    fi
  done
  finish "asan tests"
  begin "asan vae fuzzing"
  scripts/fuzz.sh --build "$broot/asan" --time "$fuzz_seconds" vae || failed+=("vae fuzzing")
  finish "asan vae fuzzing"
fi

# --- 3. libFuzzer ----------------------------------------------------------------------------------
if [[ " $steps " == *" fuzz "* ]]; then
  begin "fuzz build"
  cmake -S "$root" -B "$broot/fuzz" --preset fuzz
  cmake --build "$broot/fuzz" -j "$jobs" --target latentbrush-fuzzers
  finish "fuzz build"
  begin "fuzzing"
  # Every target, the image loaders included (ImageIO.cpp checks EXR headers and WebP canvases
  # before OpenEXR/OpenImageIO can allocate what they claim: docs/RELIABILITY.md, bugs 4 and 5).
  scripts/fuzz.sh --build "$broot/fuzz" --time "$fuzz_seconds" || failed+=("fuzzing")
  finish "fuzzing"
fi

# --- 4. ThreadSanitizer: the project's own threads -----------------------------------------------
if [[ " $steps " == *" tsan "* ]]; then
  begin "tsan build"
  cmake -S "$root" -B "$broot/tsan" --preset tsan
  cmake --build "$broot/tsan" -j "$jobs" --target latentbrush-fuzz-maskops core_tst_maskops_mirror
  finish "tsan build"
  begin "tsan tests"
  ctest --test-dir "$broot/tsan" --output-on-failure -R '^(core_tst_maskops_mirror|fuzz_maskops_.*)$' \
    || failed+=("tsan tests")
  scripts/fuzz.sh --build "$broot/tsan" --time "$fuzz_seconds" maskops || failed+=("tsan fuzzing")
  finish "tsan tests"
fi

echo
echo "ci-extra timings:"
printf '  %s\n' "${timings[@]}"
if ((${#failed[@]})); then
  echo "ci-extra: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "ci-extra: all passed"
