#!/usr/bin/env bash
# Prints the packages of the named sections of scripts/debian-packages.txt, one a line.
#   scripts/debian-packages.sh build runtime test
#   scripts/debian-packages.sh --missing build runtime    only those dpkg does not have installed
set -euo pipefail

list="$(dirname "${BASH_SOURCE[0]}")/debian-packages.txt"
missing_only=0
if [ "${1:-}" = "--missing" ]; then
  missing_only=1
  shift
fi
(($#)) || { echo "usage: debian-packages.sh [--missing] SECTION..." >&2; exit 2; }

for section in "$@"; do
  grep -q "^\[$section\]\$" "$list" || { echo "debian-packages: no section [$section] in $list" >&2; exit 2; }
done

wanted=" $* "
section=""
while IFS= read -r line; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [ -n "$line" ] || continue
  if [[ "$line" =~ ^\[(.*)\]$ ]]; then
    section="${BASH_REMATCH[1]}"
    continue
  fi
  [[ "$wanted" == *" $section "* ]] || continue
  if ((missing_only)) &&
     dpkg-query -W -f='${Status}' "$line" 2>/dev/null | grep -q "install ok installed"; then
    continue
  fi
  echo "$line"
done <"$list"
