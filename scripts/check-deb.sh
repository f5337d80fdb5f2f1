#!/usr/bin/env bash
# Builds the .deb from a build folder with CPack and checks what is in it; optionally installs it
# into a throw-away Debian 12 root made with debootstrap and starts both programs there.
#
#   scripts/check-deb.sh [BUILD_DIR] [--out DIR] [--root-test] [--base-root DIR] [--keep-root]
#                        [--mirror URL]
#
# BUILD_DIR     a configured and built tree (default build/release; `cpack` packs what is built,
#               it builds nothing)
# --out DIR     where the .deb goes (default BUILD_DIR/package)
# --root-test   also: debootstrap --variant=minbase bookworm, `apt-get install ./latentbrush.deb
#               xvfb xauth` (no recommends: the declared Depends must be enough), then inside
#               the root `latentbrush-cli --help`, an encode and an rgba export with the shared
#               test VAE when ../shared is there, the .latent MIME type registered by the
#               shared-mime-info trigger, and `xvfb-run -a latentbrush --quit-after 2`.
#               Needs root (chroot, mounts in a private mount namespace through unshare),
#               debootstrap and network access to the mirror. Takes 3-6 minutes, most of it
#               downloading LibTorch, Qt and OpenImageIO into the root.
# --base-root DIR  keep a pristine debootstrap there and reuse it (each test runs in a copy)
# --keep-root   leave the root where it was made (its path is printed)
# --mirror URL  Debian mirror (default http://deb.debian.org/debian)
#
# Exit status 0 when every check passes; each failed check prints one line "FAIL: ...".
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=""
out=""
root_test=0
base_root=""
keep_root=0
mirror="http://deb.debian.org/debian"
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --root-test) root_test=1; shift ;;
    --base-root) base_root="$2"; shift 2 ;;
    --keep-root) keep_root=1; shift ;;
    --mirror) mirror="$2"; shift 2 ;;
    -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "check-deb: unknown option $1" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
build="$(cd "${build:-$root_dir/build/release}" && pwd)"
out="${out:-$build/package}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

for tool in cpack dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "check-deb: $tool is not installed" >&2; exit 2; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "check-deb: $build is not a configured build" >&2; exit 2; }

# ---- build the package ------------------------------------------------------------------------
mkdir -p "$out"
rm -f "$out"/latentbrush_*.deb
echo "check-deb: cpack -G DEB in $out"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1; then
  cat "$out/cpack.log"
  echo "check-deb: cpack failed (is the build complete? cmake --build $build)" >&2
  exit 1
fi
deb="$(ls "$out"/latentbrush_*.deb)"
echo "check-deb: $deb ($(du -h "$deb" | cut -f1))"

# ---- contents ---------------------------------------------------------------------------------
work="$(mktemp -d)"
cleanup() { rm -rf "$work"; }
trap 'cleanup' EXIT
dpkg-deb -x "$deb" "$work/x"
dpkg-deb -c "$deb" >"$work/contents"

for f in usr/bin/latentbrush usr/bin/latentbrush-cli usr/bin/latentbrush-cli-io usr/bin/latentbrush-cli-vae; do
  if [ -x "$work/x/$f" ] && head -c 4 "$work/x/$f" | grep -q ELF; then ok "$f"; else fail "$f missing or not an executable"; fi
  if command -v readelf >/dev/null && [ -f "$work/x/$f" ]; then
    rp="$(readelf -d "$work/x/$f" | grep -E 'RPATH|RUNPATH' || true)"
    if echo "$rp" | grep -qE "$build|$root_dir"; then fail "$f has a build-tree RUNPATH: $rp"; fi
  fi
  if command -v ldd >/dev/null && [ -f "$work/x/$f" ]; then
    missing="$(ldd "$work/x/$f" | grep 'not found' || true)"
    [ -z "$missing" ] || fail "$f: libraries not found here: $missing"
  fi
done

desktop=usr/share/applications/latentbrush.desktop
if [ -f "$work/x/$desktop" ]; then
  ok "$desktop"
  grep -q '^Exec=latentbrush' "$work/x/$desktop" || fail "$desktop: Exec is not latentbrush"
  grep -q '^Icon=latentbrush$' "$work/x/$desktop" || fail "$desktop: Icon is not latentbrush"
  grep -q '^Type=Application$' "$work/x/$desktop" || fail "$desktop: Type is not Application"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$work/x/$desktop" || fail "$desktop: desktop-file-validate"
  fi
else
  fail "$desktop missing"
fi

# PNG width and height are big-endian words at bytes 16..23.
png_size() {
  local b
  read -r -a b <<<"$(od -An -tu1 -j16 -N8 "$1")"
  echo "$(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]))x$(((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]))"
}
for s in 16 22 24 32 48 64 128 256 512; do
  icon="usr/share/icons/hicolor/${s}x${s}/apps/latentbrush.png"
  if [ -f "$work/x/$icon" ]; then
    size="$(png_size "$work/x/$icon")"
    if [ "$size" = "${s}x${s}" ]; then ok "$icon ($size)"; else fail "$icon is $size, not ${s}x${s}"; fi
  else
    fail "$icon missing"
  fi
done
svg=usr/share/icons/hicolor/scalable/apps/latentbrush.svg
if [ -f "$work/x/$svg" ]; then ok "$svg"; else fail "$svg missing"; fi

mime=usr/share/mime/packages/latentbrush.xml
if [ -f "$work/x/$mime" ]; then
  ok "$mime"
  grep -q 'type="application/x-latentbrush-latent"' "$work/x/$mime" || fail "$mime: no application/x-latentbrush-latent"
  grep -q 'pattern="\*.latent"' "$work/x/$mime" || fail "$mime: no *.latent glob"
  if command -v xmllint >/dev/null; then xmllint --noout "$work/x/$mime" || fail "$mime is not well-formed"; fi
else
  fail "$mime missing"
fi
for name in inpaint_from_latentbrush regions_with_latentbrush_nodes; do
  workflow=usr/share/latentbrush/workflows/$name.json
  if [ -f "$work/x/$workflow" ]; then
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/x/$workflow" 2>/dev/null; then
      ok "$workflow"
    else
      fail "$workflow is not JSON"
    fi
  else
    fail "$workflow missing"
  fi
done
# The ComfyUI node package, byte for byte the files of comfyui/latentbrush_nodes, no bytecode.
for node_file in __init__.py latent_file.py nodes.py stitch.py; do
  f="usr/share/latentbrush/comfyui/latentbrush_nodes/$node_file"
  if cmp -s "$work/x/$f" "$root_dir/comfyui/latentbrush_nodes/$node_file"; then ok "$f"; else fail "$f missing or not comfyui/latentbrush_nodes/$node_file"; fi
done
if find "$work/x/usr/share/latentbrush/comfyui" -name '__pycache__' -o -name '*.pyc' 2>/dev/null | grep -q .; then
  fail "usr/share/latentbrush/comfyui holds Python bytecode"
fi
doc=usr/share/doc/latentbrush/README.md
if [ -f "$work/x/$doc" ]; then ok "$doc"; else fail "$doc missing"; fi
# The built-in VAE, byte for byte the files of resources/models, and its licence.
for model in taef2_encoder.safetensors taef2_decoder.safetensors; do
  f="usr/share/latentbrush/models/$model"
  if cmp -s "$work/x/$f" "$root_dir/resources/models/$model"; then ok "$f"; else fail "$f missing or not resources/models/$model"; fi
done
copyright=usr/share/doc/latentbrush/copyright
if [ -f "$work/x/$copyright" ] && grep -q '^License: MIT' "$work/x/$copyright" &&
   grep -q 'usr/share/latentbrush/models' "$work/x/$copyright"; then
  ok "$copyright (the built-in VAE's MIT licence)"
else
  fail "$copyright missing or without the built-in VAE's MIT licence"
fi
if awk '{print $6}' "$work/contents" | grep -vE '^\./usr(/|$)' | grep -q .; then
  fail "files outside /usr: $(awk '{print $6}' "$work/contents" | grep -vE '^\./usr(/|$)' | head -3)"
fi
dpkg-deb -e "$deb" "$work/control"
for script in preinst postinst prerm postrm; do
  [ ! -e "$work/control/$script" ] || fail "maintainer script $script (the triggers of shared-mime-info etc. do the work)"
done

# ---- dependencies -----------------------------------------------------------------------------
depends="$(dpkg-deb -f "$deb" Depends)"
echo "check-deb: Depends: $depends"
need=(libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 libtorch1.13 libopenimageio2.4
      shared-mime-info hicolor-icon-theme libstdc++6 libc6)
for p in "${need[@]}"; do
  case ", $depends," in
    *", $p ("* | *", $p,"*) ok "Depends: $p" ;;
    *) fail "Depends lacks $p" ;;
  esac
done
# Every package named must exist: installed here (dpkg knows it without apt's package lists,
# which a fresh root may not have) or, failing that, known to apt.
for p in $(echo "$depends" | tr ',|' '\n' | sed 's/(.*)//; s/ //g' | grep .); do
  dpkg-query -W "$p" >/dev/null 2>&1 || apt-cache show "$p" >/dev/null 2>&1 ||
    fail "Depends names $p, which neither dpkg nor apt knows here"
done

if ((failures)); then
  echo "check-deb: $failures check(s) failed"
  exit 1
fi
echo "check-deb: package contents OK"
((root_test)) || exit 0

# ---- install into a throw-away Debian 12 root -------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "check-deb: --root-test needs root (chroot, mounts)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "check-deb: --root-test needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
command -v unshare >/dev/null || { echo "check-deb: --root-test needs unshare (util-linux)" >&2; exit 2; }

chroot_dir="$(mktemp -d /var/tmp/latentbrush-root.XXXXXX)"
chmod 755 "$chroot_dir" # the root folder of the system: apt's _apt user must traverse it
cleanup() {
  rm -rf "$work"
  if ((keep_root)); then echo "check-deb: root kept in $chroot_dir"; else rm -rf --one-file-system "$chroot_dir"; fi
}
if [ -n "$base_root" ] && [ -f "$base_root/etc/debian_version" ]; then
  echo "check-deb: copying the pristine root $base_root"
  cp -a "$base_root/." "$chroot_dir/"
else
  echo "check-deb: debootstrap --variant=minbase bookworm ($mirror)"
  if ! debootstrap --variant=minbase bookworm "$chroot_dir" "$mirror" >"$out/debootstrap.log" 2>&1; then
    tail -20 "$out/debootstrap.log"
    echo "check-deb: debootstrap failed (network? mirror?)" >&2
    exit 1
  fi
  if [ -n "$base_root" ]; then mkdir -p "$base_root" && cp -a "$chroot_dir/." "$base_root/"; fi
fi
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
cp "$deb" "$chroot_dir/tmp/latentbrush.deb"
shared="${LATENTBRUSH_SHARED:-$root_dir/../shared}"
if [ -f "$shared/golden/vae/kl4.safetensors" ]; then
  mkdir -p "$chroot_dir/tmp/data"
  cp "$shared/golden/vae/kl4.safetensors" "$shared/golden/kl4-mask-2x-ties-grow4/image.png" \
     "$shared/golden/kl4-mask-2x-ties-grow4/mask.png" "$chroot_dir/tmp/data/"
fi

cat >"$chroot_dir/tmp/inside.sh" <<'INSIDE'
#!/bin/sh
# Runs inside the root, as a fresh Debian 12 user would.
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
fails=0
check() { if "$@" >/tmp/check.out 2>&1; then echo "ok:   (root) $*"; else echo "FAIL: (root) $*"; sed 's/^/      /' /tmp/check.out | tail -15; fails=$((fails + 1)); fi; }
apt-get update -qq
apt-get install -y -qq --no-install-recommends /tmp/latentbrush.deb xvfb xauth >/tmp/apt.log 2>&1 \
  || { tail -30 /tmp/apt.log; echo "FAIL: (root) apt-get install ./latentbrush.deb"; exit 1; }
echo "ok:   (root) apt-get install ./latentbrush.deb xvfb xauth ($(dpkg-query -W -f='${Installed-Size}' latentbrush) KiB; $(dpkg -l | grep -c '^ii') packages in the root)"
check latentbrush-cli --help
check latentbrush-cli --version
check test -f /usr/share/mime/application/x-latentbrush-latent.xml
if [ -f /tmp/data/kl4.safetensors ]; then
  check latentbrush-cli encode --image /tmp/data/image.png --mask /tmp/data/mask.png --vae /tmp/data/kl4.safetensors --grow 4 --output /tmp/out.latent --save-mask /tmp/out.mask.png
  check latentbrush-cli rgba --image /tmp/data/image.png --mask /tmp/data/mask.png --output /tmp/out.rgba.png
fi
check xvfb-run -a -s "-screen 0 1600x1000x24" latentbrush --quit-after 2
if [ -s /tmp/check.out ]; then echo "      the editor's output:"; sed 's/^/      | /' /tmp/check.out | head -20; fi
if grep -qiE 'could not (load|find) the Qt platform plugin|cannot load library' /tmp/check.out; then
  echo "FAIL: (root) the editor reported a missing plugin"; cat /tmp/check.out; fails=$((fails + 1))
fi
exit $fails
INSIDE
chmod +x "$chroot_dir/tmp/inside.sh"

echo "check-deb: installing into $chroot_dir and starting the programs"
set +e
unshare --mount --propagation private --fork sh -c '
  set -e
  r="$1"
  mount -t proc proc "$r/proc"
  mount -t sysfs sys "$r/sys"
  mount --rbind /dev "$r/dev"
  chroot "$r" /tmp/inside.sh' sh "$chroot_dir"
rc=$?
set -e
if ((rc)); then
  echo "check-deb: the install test in the Debian 12 root failed ($rc check(s))"
  exit 1
fi
echo "check-deb: installed and started in a fresh Debian 12 root: OK"
