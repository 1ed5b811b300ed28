#!/usr/bin/env bash
# The LKMM model against herd7 on whole sets of files, each tool in ONE process per set
# (`herd7 -conf linux-kernel.cfg FILE...`, `litmus model @LIST`), so that process start-up,
# which scripts/lkmm-speed-vs-herd7.sh pays per file, is paid once: the rate a user checking
# a directory sees. Rounds alternate the tools (herd7 first, then the model, ...); the table
# gives each tool's median wall time and the ratio of the medians, with every round's times.
#   usage: scripts/lkmm-bulk-vs-herd7.sh SET...    (SET: kernel, manual)
#     kernel   every file of LKMM_DIR/herd7-verdicts.txt
#     manual   every paulmckrcu-litmus/manual/ file herd7 finished in the recorded verdicts,
#              less manual/kernel/C-seqlock.litmus (the model does not finish it in 120 s:
#              lkmm-speed-vs-herd7.md)
#   env: LITMUS=PATH (default target/release/litmus), HERD7=PATH (default
#        /opt/herdtools/bin/herd7), LKMM_DIR=DIR (default ../shared/lkmm), ROUNDS=N (default 3)
# Exit status: 2 on a usage error, else 0.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LITMUS=${LITMUS:-$ROOT/target/release/litmus}
HERD7=${HERD7:-/opt/herdtools/bin/herd7}
LKMM_DIR=$(cd "${LKMM_DIR:-$ROOT/../shared/lkmm}" && pwd)
ROUNDS=${ROUNDS:-3}
[ $# -ge 1 ] || { echo "usage: $0 SET...   (kernel, manual)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files_of() { # SET
  case "$1" in
    kernel) cut -d'|' -f1 "$LKMM_DIR/herd7-verdicts.txt" ;;
    manual) grep '^paulmckrcu-litmus/manual/' "$LKMM_DIR/herd7-verdicts-paulmckrcu.txt" |
              awk -F'|' '$3 != "TIMEOUT" && $3 !~ /^ERROR/ { print $1 }' |
              grep -v '^paulmckrcu-litmus/manual/kernel/C-seqlock.litmus$' ;;
    *) echo "$0: unknown set '$1'" >&2; exit 2 ;;
  esac
}

seconds() { # COMMAND...: wall seconds of the command, its output discarded
  local a b
  a=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  b=$(date +%s.%N)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}

echo "# LKMM model against herd7, one process per set"
echo
echo "- command: \`scripts/lkmm-bulk-vs-herd7.sh $*\` (ROUNDS=$ROUNDS, LITMUS=$LITMUS)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); CPU: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo); nproc $(nproc)"
echo "- herd7 $("$HERD7" -version | head -n 1): \`cd LKMM_DIR && herd7 -conf linux-kernel.cfg FILE...\`; model: \`litmus model @LIST\` (the same files, absolute paths)"
echo
echo "| set | files | herd7 s (median) | model s (median) | herd7/model | rounds (herd7 s / model s) |"
echo "|---|---:|---:|---:|---:|---|"
for set in "$@"; do
  files_of "$set" >"$work/$set.txt"
  sed "s|^|$LKMM_DIR/|" "$work/$set.txt" >"$work/@$set"
  mapfile -t files <"$work/$set.txt"
  herd=() model=() rounds=""
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
      h=$(cd "$LKMM_DIR" && seconds "$HERD7" -conf linux-kernel.cfg "${files[@]}")
      m=$(seconds "$LITMUS" model "$work/@$set")
    else
      m=$(seconds "$LITMUS" model "$work/@$set")
      h=$(cd "$LKMM_DIR" && seconds "$HERD7" -conf linux-kernel.cfg "${files[@]}")
    fi
    herd+=("$h"); model+=("$m"); rounds+="$h / $m; "
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  mh=$(median "${herd[@]}"); mm=$(median "${model[@]}")
  ratio=$(awk -v h="$mh" -v m="$mm" 'BEGIN { printf "%.2f", h / (m > 0 ? m : 0.001) }')
  echo "| $set | ${#files[@]} | $mh | $mm | $ratio | ${rounds%; } |"
done
