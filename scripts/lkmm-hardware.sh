#!/usr/bin/env bash
# The kernel's C litmus tests on this machine's hardware, as the x86 code the kernel compiles
# them to (docs/lkmm-x86.md): every test of the kernel's tools/memory-model (litmus-tests/ and
# Documentation/litmus-tests/) and of paulmckrcu/litmus's manual/ that the suite reads, run by
# `litmus run --duration 0.1` built for TARGET, the LKMM's verdict beside x86-TSO's and the
# hardware's count; the tests with no x86 code are listed as unavailable, each with its reason.
#   usage: scripts/lkmm-hardware.sh TARGET OUT     (TARGET x86_64-unknown-linux-gnu, i686-...)
#   env:   LKMM=DIR   the kernel's tests and paulmckrcu's (default ../shared/lkmm)
#          DURATION=S seconds per test (default 0.1)
# Writes OUT.md (the command, the machine and the run's closing tables, markdown) and OUT.csv
# (every outcome of every run). Left out, with the reason, before the run: files the C reader
# refuses (as herd7 refuses them: not C, undeclared annotations, macros linux-kernel.def lacks),
# the two 5-thread absperf tests, whose x86-TSO search passes 4 million states, and
# C-ManfredSpraul-L1G2xchg, whose LKMM search does not end (the run judges each test against
# x86-TSO and the LKMM before it runs it).
# Exit status: litmus run's (0; 1 a forbidden outcome seen or the x86 code weaker than the
# LKMM's promise), 2 a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 TARGET OUT   (env LKMM, DURATION)" >&2; exit 2; }
TARGET=$1 OUT=$2
LKMM=${LKMM:-../shared/lkmm}
DURATION=${DURATION:-0.1}
cargo build -q --release --target "$TARGET" --bin litmus
bin=target/$TARGET/release/litmus

files=() refused=()
while IFS= read -r f; do
  case "$f" in
    */absperf/C-SB+l-o-o-u+l-o-o-u+l-o-o-u+l-o-o-u+l-o-o-u-*)
      refused+=("$f: 5 threads with locked RMWs: the x86-TSO search passes 4 million states"); continue ;;
    */manual/kernel/C-ManfredSpraul-L1G2xchg.litmus)
      refused+=("$f: the LKMM's search does not end in 30 s (herd7's neither: herd7-verdicts-paulmckrcu.txt)"); continue ;;
  esac
  if why=$("$bin" show "$f" 2>&1 >/dev/null); then files+=("$f"); else refused+=("$why"); fi
done < <(find "$LKMM/litmus-tests" "$LKMM/Documentation-litmus-tests" \
              "$LKMM/paulmckrcu-litmus/manual" -name '*.litmus' | LC_ALL=C sort)

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
{
  echo "# The kernel's C litmus tests on hardware ($TARGET)"
  echo
  echo "- command: \`scripts/lkmm-hardware.sh $TARGET $OUT\` (LKMM=$LKMM DURATION=$DURATION), which runs"
  echo "  \`litmus run FILE... --duration $DURATION --quiet --markdown --csv $OUT.csv\` on the ${#files[@]} files below"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr)"
  echo "- files read: ${#files[@]}; left out before the run: ${#refused[@]} (listed at the end)"
  echo
} >"$OUT.md"
rm -f "$OUT.csv"
set +e
"$bin" run "${files[@]}" --duration "$DURATION" --quiet --markdown --csv "$OUT.csv" >>"$OUT.md" 2>&1
status=$?
set -e
{
  echo
  echo "litmus run's exit status: $status"
  echo
  echo "## Left out before the run"
  echo
  for r in "${refused[@]}"; do echo "- $r"; done
} >>"$OUT.md"
exit "$status"
