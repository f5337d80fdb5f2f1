#!/usr/bin/env bash
# Quick start on Debian 12: installs the missing packages, configures and builds Latentbrush,
# then starts the editor (`run`) or runs the whole test suite through ctest (`test`).
set -euo pipefail

mode="${1:-run}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATENTBRUSH_BUILD_DIR:-$root/build/release}"
jobs="${LATENTBRUSH_JOBS:-$(nproc)}"

packages=(
  cmake ninja-build g++ pkg-config ccache
  qt6-base-dev libgl-dev libqt6svg6
  libtorch-dev
  libopenimageio-dev libopencv-core-dev libpng-dev
  nlohmann-json3-dev
  xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "quickstart: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

extra=()
[ "${CI:-}" = "true" ] && extra+=(-DLATENTBRUSH_WERROR=ON)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${extra[@]}"
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
    exec ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
    ;;
  *)
    echo "usage: scripts/quickstart.sh run|test [arguments]" >&2
    exit 2
    ;;
esac
