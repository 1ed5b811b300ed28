#!/usr/bin/env bash
# Regenerates tests/litmus/c/herd7-output.txt: herd7's stdout for every C litmus
# test in tests/litmus/c/ and tests/litmus/c/accepted/, run with the Linux-kernel
# memory model, as data with its source.
#   usage: scripts/c-herd7-output.sh [HERD7]     (default /opt/herdtools/bin/herd7)
#   env:   LKMM=DIR  the folder holding linux-kernel.cfg/.def/.bell/.cat and lock.cat
#                    (default ../shared/lkmm beside this repository)
# herd7 is herdtools7 7.58 as built by ../shared/herdtools7/build.sh. Each block
# is "== PATH" (relative to the repository root) followed by herd7's stdout
# verbatim, less its "Time" and "Hash=" lines (the time varies from run to
# run). A file that herd7 refuses, or that gives no Observation line, stops the
# script with an error: every file here must be accepted.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HERD7=${1:-/opt/herdtools/bin/herd7}
LKMM=${LKMM:-$ROOT/../shared/lkmm}
OUT=tests/litmus/c/herd7-output.txt

[ -x "$HERD7" ] || { echo "$0: no herd7 at $HERD7" >&2; exit 1; }
[ -f "$LKMM/linux-kernel.cfg" ] || { echo "$0: no linux-kernel.cfg in $LKMM" >&2; exit 1; }
LKMM=$(cd "$LKMM" && pwd)
version=$("$HERD7" -version)
case "$version" in
  7.58*) ;;
  *) echo "$0: warning: herd7 says '$version', the recorded data is from 7.58" >&2 ;;
esac

files=()
for f in tests/litmus/c/*.litmus tests/litmus/c/accepted/*.litmus; do files+=("$f"); done
mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "# herd7's answers on this project's C litmus tests, as data (a fact with its source):"
  echo "# herdtools7's herd7 (herd7 -version: $version), built by ../shared/herdtools7/build.sh,"
  echo "# run on $(date -u +%Y-%m-%d) from the folder of the kernel's model files (../shared/lkmm) as"
  echo "#   herd7 -conf linux-kernel.cfg FILE"
  echo "# for each of the ${#files[@]} files below; regenerate with scripts/c-herd7-output.sh."
  echo "# Each block: \"== FILE\" (path from the repository root), then herd7's stdout verbatim"
  echo "# without its \"Time\" and \"Hash=\" lines. stderr is not recorded (only the loop tests"
  echo "# write there: \"unrolling limit exceeded at While\", shown on stdout as \"Loop Ok\"/\"Loop No\")."
  for f in "${files[@]}"; do
    out=$(cd "$LKMM" && timeout 60 "$HERD7" -conf linux-kernel.cfg "$ROOT/$f" 2>/dev/null) || {
      echo "$0: herd7 failed on $f" >&2; exit 1; }
    grep -q '^Observation ' <<<"$out" || { echo "$0: no Observation line for $f" >&2; exit 1; }
    echo "== $f"
    # herd7's stdout ends with an empty line; $(...) drops it, so it is put back.
    grep -v -e '^Time ' -e '^Hash=' <<<"$out"
    echo
  done
} > "$tmp"
mv "$tmp" "$OUT"
trap - EXIT
echo "wrote $OUT (${#files[@]} files)"
