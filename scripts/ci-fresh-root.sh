#!/usr/bin/env bash
# CI's proof of the quick start on a new machine: a fresh Debian 12 root holding the base system
# (mmdebstrap --variant=apt) and the packages of scripts/debian-packages.txt (sections build,
# runtime, headless, test) and nothing else; a clean clone of this repository at /work/main and
# a copy of ../shared at /work/shared inside it; then the README's test command,
# `scripts/quickstart.sh test`, run there as root in a chroot without network (a private network
# namespace holding only loopback). A package missing from the list fails the build or a test
# there: nothing can be fetched.
#
#   scripts/ci-fresh-root.sh [--keep | --root-only]    (root; mmdebstrap, unshare, git)
#
# --keep       leave the root where it is (its path is printed) instead of removing it
# --root-only  make (or find) the cached root and stop
#
# Caches, in LATENTBRUSH_CI_CACHE (default /var/cache/latentbrush-ci):
#   roots/<key>.tar  the root as mmdebstrap made it, for one content of the package list and of
#                    apt's sources; each run unpacks a copy, so every run starts from that state
#   debs/            the downloaded .deb files (a changed list downloads only what is new)
# The builds inside share the host's ccache folder (${CCACHE_DIR:-~/.cache/ccache}): the root
# has the same compiler and headers at the same paths, so a host build of the same commit warms
# it. Environment: LATENTBRUSH_JOBS (default nproc) is passed on.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep=0
root_only=0
case "${1:-}" in
  --keep) keep=1 ;;
  --root-only) root_only=1 ;;
  "") ;;
  *) echo "usage: scripts/ci-fresh-root.sh [--keep | --root-only]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "ci-fresh-root: needs root (mmdebstrap, chroot, mounts)" >&2; exit 2; }
for tool in mmdebstrap unshare git; do
  command -v "$tool" >/dev/null || { echo "ci-fresh-root: $tool is not installed" >&2; exit 2; }
done
shared="$(cd "$repo/.." && pwd)/shared"
[ -d "$shared" ] || { echo "ci-fresh-root: $shared not found" >&2; exit 2; }

cache="${LATENTBRUSH_CI_CACHE:-/var/cache/latentbrush-ci}"
ccache_dir="${CCACHE_DIR:-$HOME/.cache/ccache}"
mkdir -p "$cache/roots" "$cache/debs" "$ccache_dir"

t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

# ---- the root: base system + the listed packages ----------------------------------------------
mapfile -t packages < <("$repo/scripts/debian-packages.sh" build runtime headless test)
# apt's sources of this machine (deb822 or one-line format), which mmdebstrap copies into the root
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$f" ] && grep -qv '^\s*\(#\|$\)' "$f" && sources+=("$f")
done
((${#sources[@]})) || { echo "ci-fresh-root: no apt sources on this machine" >&2; exit 2; }
key="$( (printf '%s\n' "${packages[@]}"; cat "${sources[@]}") | sha256sum | cut -c1-16)"
tarball="$cache/roots/bookworm-$key.tar"
if [ ! -s "$tarball" ]; then
  echo "ci-fresh-root: making a Debian 12 root with ${#packages[@]} packages: ${packages[*]}"
  rm -f "$cache"/roots/bookworm-*.tar # older lists' roots
  # The .deb cache goes in before apt downloads and comes out after it (mmdebstrap's manual).
  mmdebstrap --variant=apt --format=tar --skip=essential/unlink \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $cache/debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $cache/debs" \
    bookworm "$tarball.part" "${sources[@]}"
  mv "$tarball.part" "$tarball"
  echo "ci-fresh-root: root made ($(du -h "$tarball" | cut -f1), $(elapsed))"
fi
((root_only)) && { echo "ci-fresh-root: root in $tarball"; exit 0; }

# ---- a copy of it, with the project and ../shared ---------------------------------------------
root_dir="$(mktemp -d "$cache/run.XXXXXX")"
cleanup() {
  if ((keep)); then echo "ci-fresh-root: root kept in $root_dir"; else rm -rf "$root_dir"; fi
}
trap cleanup EXIT
chmod 755 "$root_dir"
tar -C "$root_dir" -xf "$tarball"
git clone -q --no-hardlinks "$repo" "$root_dir/work/main"
cp -a "$shared" "$root_dir/work/shared"
mkdir -p "$root_dir/root/.cache/ccache"
echo "ci-fresh-root: root ready in $root_dir ($(elapsed)); packages installed there:" \
  "$(chroot "$root_dir" dpkg-query -W -f='${binary:Package}\n' | wc -l)"

# ---- the README's test command inside, without network -----------------------------------------
# A private mount, PID and network namespace: /proc, /dev and /sys for the programs, the host's
# ccache folder, loopback only.
status=0
unshare --mount --pid --net --fork --propagation private bash -euc '
  r="$1"
  ip link set lo up 2>/dev/null || true
  mount -t proc proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount --rbind /sys "$r/sys"
  mount --bind "$2" "$r/root/.cache/ccache"
  exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI=true \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LATENTBRUSH_JOBS="$3" CCACHE_DIR=/root/.cache/ccache \
    bash -c "cd /work/main && scripts/quickstart.sh test"
' _ "$root_dir" "$ccache_dir" "${LATENTBRUSH_JOBS:-$(nproc)}" || status=$?
echo "ci-fresh-root: quickstart.sh test in the fresh root exited $status ($(elapsed))"
exit "$status"
