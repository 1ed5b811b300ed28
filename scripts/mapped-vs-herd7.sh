#!/usr/bin/env bash
# Holds the suite's x86-TSO model of the kernel's x86 code for C litmus tests against herd7:
# `litmus export --herd` writes each test that maps (docs/lkmm-x86.md) as an X86 file with the
# suite's x86-TSO verdict as its Result: line, then herd7 judges every file of its @all
# (`herd7 -model x86tso.cat FILE`; an X86_64 file, written for a test with a lock cmpxchg,
# `herd7 -variant mixed -model x86tso-mixed.cat FILE`; every file with `-unroll 0`, which changes
# nothing but a spin_lock()'s lock cmpxchg loop, the one backward jump the export writes: each lock
# is then taken at its first attempt, which reaches every final state, and such a file goes
# without `-variant mixed`, as all its accesses are 4 bytes: byte-wise coherence of the lock
# word's writes takes herd7 minutes a file). A file agrees when the witness is reachable for both or
# for neither: herd7's Positive count for `exists`/`~exists`, its Negative count for `forall`
# (a counterexample), against the Result: line's Sometimes or Never.
# Where they differ, herd7 judges the file again with x86tso.cat's coherence strengthened
# (`acyclic (po-loc | com | rmw)`: a locked RMW's write comes after the write its read reads,
# as the read comes before the write in one instruction; x86tso.cat's own axioms, `acyclic
# po-loc | com` and `empty rmw & (fre;coe)`, leave the RMW's read and write unordered, so its
# write may come coherence-before the write its read reads): that model is made at run time
# from herd7's installed x86tso.cat, a line added, and the last column gives its answer.
#   usage: scripts/mapped-vs-herd7.sh TEST...    (C .litmus files, directories, @all lists)
#   env:   LITMUS=PATH  the suite's binary (default target/release/litmus: cargo build --release)
#          HERD7=PATH   herd7 (default /opt/herdtools/bin/herd7)
#          MODEL=CAT    herd7's model for X86 files (default x86tso.cat; X86_64 files
#                       take x86tso-mixed.cat)
#          TIMEOUT=S    seconds allowed herd7 per file (default 60)
# Prints a markdown table (file | Result: | herd7 | agree), the tests not exported with
# their reasons, and the counts. Exit status: 0 every answered file agrees with herd7, with
# x86tso.cat or, where that differs, with the RMW ordered in coherence; 1 any file agrees with
# neither; 2 a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
HERD7=${HERD7:-/opt/herdtools/bin/herd7}
LITMUS=${LITMUS:-target/release/litmus}
MODEL=${MODEL:-x86tso.cat}
TIMEOUT=${TIMEOUT:-60}

[ $# -ge 1 ] || { echo "usage: $0 TEST...   (env LITMUS, HERD7, MODEL, TIMEOUT)" >&2; exit 2; }
[ -x "$HERD7" ] || { echo "$0: no herd7 at $HERD7" >&2; exit 2; }
[ -x "$LITMUS" ] || { echo "$0: no litmus binary at $LITMUS (cargo build --release)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$LITMUS" export --herd "$work" "$@" >"$work/export.txt"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "# The kernel's x86 code for C litmus tests: the suite's x86-TSO against herd7"
echo
if [ $# -le 4 ]; then shown="$*"; else shown="$1 $2 $3 ... ($# arguments)"; fi
echo "- command: \`$0 $shown\` (LITMUS=$LITMUS HERD7=$HERD7 MODEL=$MODEL TIMEOUT=$TIMEOUT)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: ${cpu:-unknown CPU}, $(uname -sr)"
echo "- herd7: version $("$HERD7" -version), \`herd7 -unroll 0 -model $MODEL FILE\`"
echo "- the export: $(head -n 1 "$work/export.txt")"
echo
echo "| file | Result: (the suite's x86-TSO) | herd7 | agree | herd7, RMW ordered in coherence |"
echo "|---|---|---|---|---|"

libdir=$(cd "$(dirname "$HERD7")/../lib/herd" 2>/dev/null && pwd || true)
# Each model with a locked RMW ordered in coherence, beside the stock one.
for cat in "$MODEL" x86tso-mixed.cat; do
  if [ -f "$libdir/$cat" ]; then
    sed 's/^empty rmw & (fre;coe)\( as atomic\)\{0,1\}$/&\nacyclic (po-loc | com | rmw)/' \
      "$libdir/$cat" >"$work/rmw-ordered-$cat"
  fi
done
cp "$libdir/x86fences.cat" "$libdir/filters.cat" "$libdir/cos.cat" "$work/" 2>/dev/null || true
# herd7 on a file (relative to $work) under a model: sets `answer` to "P N" (empty when
# herd7 gave none), `status` to herd7's exit status and `out` to what it printed.
judge() { # FILE MODEL [OPTION...]
  local file=$1 model=$2
  shift 2
  set +e
  out=$(cd "$work" && timeout "$TIMEOUT" "$HERD7" "$@" -model "$model" "$file" 2>&1)
  status=$?
  set -e
  answer=$(awk '$1 == "Observation" { print $3, $4, $5; exit }' <<<"$out")
}

files=0 agreed=0 unanswered=0 atomic_agreed=0
while IFS= read -r name; do
  [ -n "$name" ] || continue
  file=$work/$name
  result=$(sed -n 's/^ \* Result: //p' "$file" | head -n 1)
  quantifier=$(tail -n 1 "$file" | awk '{ print $1 }')
  if [ "$(head -n 1 "$file" | awk '{ print $1 }')" != X86_64 ]; then
    cat=$MODEL options=(-unroll 0)
  elif grep -q '^ \* spin_lock() is its lock cmpxchg loop' "$file"; then
    cat=x86tso-mixed.cat options=(-unroll 0)
  else
    cat=x86tso-mixed.cat options=(-unroll 0 -variant mixed)
  fi
  judge "$name" "$cat" "${options[@]}"
  observation=$answer
  files=$((files + 1))
  if [ -z "$observation" ]; then
    unanswered=$((unanswered + 1))
    if [ "$status" -eq 124 ]; then
      echo "| ${name%.litmus} | $result | TIMEOUT after ${TIMEOUT}s | - | |"
    else
      echo "| ${name%.litmus} | $result | no answer (exit $status): $(head -n 1 <<<"$out" | tr '|' '/') | - | |"
    fi
    continue
  fi
  read -r _ positive negative <<<"$observation"
  if [ "$quantifier" = forall ]; then reached=$negative; else reached=$positive; fi
  if [ "$reached" -gt 0 ]; then herd=Sometimes; else herd=Never; fi
  again=
  if [ "$herd" = "$result" ]; then
    agree=yes; agreed=$((agreed + 1))
  else
    agree=NO
    if [ -f "$work/rmw-ordered-$cat" ]; then
      judge "$name" "$work/rmw-ordered-$cat" "${options[@]}"
      strong=$answer
      read -r _ positive negative <<<"${strong:-x 0 0}"
      if [ "$quantifier" = forall ]; then reached=$negative; else reached=$positive; fi
      if [ -z "$strong" ]; then again="no answer"
      elif [ "$reached" -gt 0 ]; then again="$strong (witness: Sometimes)"
      else again="$strong (witness: Never)"; atomic_agreed=$((atomic_agreed + 1)); fi
    fi
  fi
  echo "| ${name%.litmus} | $result | $observation (witness: $herd) | $agree | $again |"
done <"$work/@all"

echo
echo "## Not exported"
echo
grep '^litmus: not exported: ' "$work/export.txt" | sed 's/^litmus: not exported: /- /' || true
echo
echo "$agreed of $files files agree, $((files - agreed - unanswered)) differ, herd7 gave no answer on $unanswered;"
echo "of those that differ, $atomic_agreed agree with herd7 once a locked RMW's write is coherence-after what its read reads."
[ $((agreed + atomic_agreed)) -eq $((files - unanswered)) ]
