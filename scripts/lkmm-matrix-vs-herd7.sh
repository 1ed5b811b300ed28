#!/usr/bin/env bash
# Holds `litmus protocols --model lkmm` against herd7: the matrix rests on the final states
# the suite's LKMM finds for one C test per pair and cycle count (each install storing its
# own number, so a state names the store each load read); this writes those tests
# (`--c-tests DIR`), runs herd7 with the kernel's model on each (`cd LKMM && herd7 -conf
# linux-kernel.cfg FILE`) and `litmus model FILE`, and prints a markdown table: file | states
# (the suite) | states (herd7) | the same states | seconds (the suite, herd7). Two runs agree
# when their `States` blocks are the same lines.
#   usage: scripts/lkmm-matrix-vs-herd7.sh [HERD7]    (default /opt/herdtools/bin/herd7)
#   env:   LITMUS=PATH  the suite's binary (default target/release/litmus)
#          LKMM=DIR     linux-kernel.cfg and its files (default ../shared/lkmm)
#          CYCLES=K     the matrix's --cycles (default 8, the matrix's default)
#          TIMEOUT=S    seconds allowed herd7 per file (default 300)
# Exit status: 0 every file both finish agrees, 1 any differs (or herd7 gave no states, not
# for lack of time), 2 a usage error. A herd7 timeout is listed with the suite's time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND="$0${*:+ $*}"
CYCLES=${CYCLES:-8}
EXTRA_ENV=CYCLES
. scripts/herd7-lkmm-common.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$LITMUS" protocols --model lkmm --cycles "$CYCLES" --c-tests "$work/c" >"$work/matrix.txt"

states() { awk '$1 == "States" { on = 1; next } on && ($1 == "Ok" || $1 == "No") { exit } on' | sort; }

herd7_header "\`litmus protocols --model lkmm\` against herd7" "LITMUS=$LITMUS LKMM=$LKMM CYCLES=$CYCLES TIMEOUT=$TIMEOUT"
echo "- the tests: \`litmus protocols --model lkmm --cycles $CYCLES --c-tests DIR\`, $(head -n 1 <(grep 'C tests the LKMM judged' "$work/matrix.txt"))"
echo
echo "| file | states (suite) | states (herd7) | same states | seconds (suite) | seconds (herd7) |"
echo "|---|---|---|---|---|---|"

files=0 agreed=0 timeouts=0
while IFS= read -r name; do
  [ -n "$name" ] && [ "$name" != "@all" ] || continue
  file=$work/c/$name
  files=$((files + 1))
  s0=$(date +%s.%N)
  ours=$("$LITMUS" model "$file" 2>&1 || true)
  s1=$(date +%s.%N)
  set +e
  theirs=$(cd "$LKMM" && timeout "$TIMEOUT" "$HERD7" -conf linux-kernel.cfg "$file" 2>&1)
  status=$?
  set -e
  s2=$(date +%s.%N)
  a=$(states <<<"$ours")
  b=$(states <<<"$theirs")
  na=$(grep -c . <<<"$a" || true)
  nb=$(grep -c . <<<"$b" || true)
  if [ "$status" -eq 124 ]; then
    same="herd7 TIMEOUT"; timeouts=$((timeouts + 1))
  elif [ "$status" -ne 0 ] || [ "$nb" -eq 0 ]; then
    same="herd7 gave no states"
  elif [ "$a" = "$b" ]; then
    same=yes; agreed=$((agreed + 1))
  else
    same=DIFFERENT
  fi
  t1=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
  t2=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.2f", b - a }')
  echo "| $name | $na | $nb | $same | $t1 | $t2 |"
done < "$work/c/@all"

echo
echo "$agreed of $((files - timeouts)) files herd7 finished have the same states as herd7; herd7 did not finish $timeouts in ${TIMEOUT} s."
echo
echo "The matrix these tests gave:"
echo
echo '```'
sed -n '/^The kernel.s memory model/,$p' "$work/matrix.txt"
echo '```'
[ "$agreed" -eq "$((files - timeouts))" ] || exit 1
