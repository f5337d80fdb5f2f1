#!/usr/bin/env bash
# Quick start on Debian 12: installs the missing packages, configures and builds Latentbrush,
# then starts the editor (`run`) or runs the whole test suite through ctest (`test`).
set -euo pipefail

mode="${1:-run}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATENTBRUSH_BUILD_DIR:-$root/build/release}"
jobs="${LATENTBRUSH_JOBS:-$(nproc)}"

# The packages come from scripts/debian-packages.txt, the project's one list.
sections=(build runtime headless)
[ "$mode" = "test" ] && sections+=(test)
mapfile -t missing < <("$root/scripts/debian-packages.sh" --missing "${sections[@]}")
if ((${#missing[@]})); then
  echo "quickstart: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if ! "${sudo_cmd[@]}" apt-get update -qq ||
     ! DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
         --no-install-recommends "${missing[@]}"; then
    echo "quickstart: could not install ${missing[*]} (no network or no apt source?)" >&2
    exit 1
  fi
fi

# ccache keys on paths relative to the checkout: other clones, worktrees and CI's fresh root
# (the project at /work/main there) share the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"

# The presets of CMakePresets.json: `release`, or `ci` (warnings are errors) in CI.
preset=release
[ "${CI:-}" = "true" ] && preset=ci
cmake -S "$root" -B "$build" --preset "$preset"
cmake --build "$build" -j "$jobs"

case "$mode" in
  run)
    if [ -x "$build/app/latentbrush" ]; then
      if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        echo "quickstart: no display; starting the editor under xvfb-run (screen 1600x1000)"
        exec xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/latentbrush" "$@"
      fi
      exec "$build/app/latentbrush" "$@"
    fi
    exec "$build/app/latentbrush-cli" --help
    ;;
  test)
    # The gpu-labelled suites need a CUDA device; where there is none they are left out, said
    # here, and run on a GPU machine (scripts/gpu-bench.sh, docs/PERFORMANCE.md).
    ctest_args=(--test-dir "$build" --output-on-failure -j "$jobs")
    if [ ! -e /dev/nvidia0 ] && [ -z "${LATENTBRUSH_TEST_GPU:-}" ]; then
      echo "quickstart: no NVIDIA device here: the gpu-labelled suites are not run"
      ctest_args+=(-LE gpu)
    fi
    status=0
    ctest "${ctest_args[@]}" "$@" || status=$?
    # A skipped test function is a check that did not run: counted from ctest's full log, and
    # a failure in CI, where everything must run (tests/common/TestSupport.h, lbtest::mustRun).
    log="$build/Testing/Temporary/LastTest.log"
    skipped=0
    if [ -f "$log" ]; then
      skipped="$(grep -c '^SKIP   : ' "$log" || true)"
      grep '^SKIP   : ' "$log" | sed 's/^/quickstart: skipped: /' || true
    fi
    echo "quickstart: skipped test functions: $skipped"
    if [ "${CI:-}" = "true" ] && ((skipped > 0)) && ((status == 0)); then
      echo "quickstart: in CI every check must run: $skipped skipped" >&2
      status=1
    fi
    exit "$status"
    ;;
  *)
    echo "usage: scripts/quickstart.sh run|test [arguments]" >&2
    exit 2
    ;;
esac
