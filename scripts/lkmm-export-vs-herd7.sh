#!/usr/bin/env bash
# Holds `litmus export --lkmm`'s C litmus tests against herd7: exports them into a
# temporary directory, runs herd7 with the kernel's memory model on every file of its @all
# (`cd LKMM && herd7 -conf linux-kernel.cfg FILE`), and prints a markdown table: file |
# Result: (the line the suite's LKMM wrote into the file) | herd7's Observation and flags |
# agree. A file agrees when herd7's Observation word is the Result: line's word and herd7
# flags a data race exactly when the line says DATARACE.
#   usage: scripts/lkmm-export-vs-herd7.sh [HERD7]    (default /opt/herdtools/bin/herd7)
#   env:   LITMUS=PATH  the suite's binary (default target/release/litmus: cargo build --release)
#          LKMM=DIR     the folder holding linux-kernel.cfg/.def/.bell/.cat and lock.cat
#                       (default ../shared/lkmm beside this repository)
#          TIMEOUT=S    seconds allowed herd7 per file (default 300)
# Exit status: 0 all agree, 1 any file disagrees (or herd7 gave no answer), 2 a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND="$0${*:+ $*}"
. scripts/herd7-lkmm-common.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$LITMUS" export --lkmm "$work" >"$work/export.txt"

herd7_header "\`litmus export --lkmm\` against herd7" "LITMUS=$LITMUS LKMM=$LKMM TIMEOUT=$TIMEOUT"
echo "- the export: $(head -n 1 "$work/export.txt")"
echo
echo "| file | Result: (the suite's LKMM) | herd7 | agree |"
echo "|---|---|---|---|"

files=0 agreed=0 seconds=0
while IFS= read -r name; do
  [ -n "$name" ] || continue
  file=$work/$name
  result=$(sed -n 's/^ \* Result: //p' "$file" | head -n 1)
  start=$(date +%s.%N)
  set +e
  out=$(cd "$LKMM" && timeout "$TIMEOUT" "$HERD7" -conf linux-kernel.cfg "$file" 2>&1)
  status=$?
  set -e
  end=$(date +%s.%N)
  seconds=$(awk -v s="$seconds" -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", s + b - a }')
  observation=$(awk '$1 == "Observation" { print $3, $4, $5; exit }' <<<"$out")
  flags=$(awk '$1 == "Flag" { printf " %s", $2 }' <<<"$out")
  if [ "$status" -eq 124 ]; then
    herd="TIMEOUT after ${TIMEOUT}s"
  elif [ -z "$observation" ]; then
    herd="no answer (exit $status): $(head -n 1 <<<"$out")"
  else
    herd="$observation$flags"
  fi
  word=${observation%% *}
  race=no; case " $flags " in *" data-race "*) race=yes ;; esac
  predicted=no; case " $result " in *" DATARACE "*) predicted=yes ;; esac
  if [ -n "$observation" ] && [ "$word" = "${result%% *}" ] && [ "$race" = "$predicted" ]; then
    agree=yes; agreed=$((agreed + 1))
  else
    agree=NO
  fi
  files=$((files + 1))
  echo "| ${name%.litmus} | $result | ${herd//|/\\|} | $agree |"
done <"$work/@all"

echo
echo "$agreed of $files files agree; herd7 took $seconds s in all."
[ "$agreed" -eq "$files" ]
