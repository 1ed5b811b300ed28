#!/usr/bin/env bash
# Times this project's LKMM (`litmus model FILE`) against herd7 (`herd7 -conf linux-kernel.cfg
# FILE`) on the same files, in one run on this machine, and checks that they give the same answer.
#   usage: scripts/lkmm-speed-vs-herd7.sh [--memory FILE|largest]... SET...
#     SET   kernel    the kernel's tests: every file of LKMM_DIR/herd7-verdicts.txt
#           manual    every paulmckrcu-litmus/manual/ file of LKMM_DIR/herd7-verdicts-paulmckrcu.txt
#                     that herd7 finished there (third field neither TIMEOUT nor ERROR...)
#           auto-100  the 100 paulmckrcu-litmus/auto/ files herd7 finished there with the largest
#                     recorded seconds (fourth field; ties broken by file name)
#     --memory FILE     also measure the peak resident set (/usr/bin/time -f %M, KiB) of the model,
#                       then of herd7, on FILE (relative to LKMM_DIR); may be repeated, and may be
#                       given with no SET. FILE "largest" means two files: the paulmckrcu-litmus/auto/
#                       test with the most threads (lines "P<n>(", then the largest byte size, then
#                       the name), and the same among the auto/ files herd7 finished in the verdicts.
#   env: LITMUS=PATH   the model's binary (default target/release/litmus of this repository)
#        HERD7=PATH    herd7 (default /opt/herdtools/bin/herd7)
#        LKMM_DIR=DIR  the kernel's model files, the verdicts and the tests (default ../shared/lkmm
#                      beside this repository); both tools run with DIR as working directory
#        TIMEOUT=S     seconds allowed per process (default 120), under timeout(1)
#        MAX=N         only the first N files of each set (for a quick try)
# Each time is the wall-clock time of one whole process (date +%s.%N before and after
# `timeout S TOOL ...`): process start-up, reading the .cfg/.cat files (herd7) and printing
# are included for both tools. Each file runs once in each tool, one tool right after the
# other, and the order alternates from one file to the next (herd7 then the model, then the
# model then herd7, ...) over the whole run, so that a drift of the machine's speed (other
# jobs, a noisy host) falls on both tools alike.
# The answer of each tool is its Observation word followed by its Flag names, sorted.
# Prints markdown on stdout: a header (command, date, CPU, nproc, load, versions), per SET a
# table (file | herd7 s | model s | ratio herd7/model | same answer) and a summary (files,
# totals, total ratio, median and smallest per-file ratio, files where the model was slower),
# an overall summary, then the memory table if asked. "same answer" is "yes", or DIFFERENT
# (both answered, differently), or says which tool timed out, refused or failed. Totals,
# the median and the smallest ratio count the files both tools answered; a file one tool did
# not finish shows its ratio as a bound ("<0.13": the model timed out), is added in a second
# total (its time counted as the timeout), and a model timeout counts among the files where
# the model was slower.
# Exit status: 1 if any file got DIFFERENT answers, 2 on a usage error, else 0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: $0 [--memory FILE|largest]... SET...   (SET: kernel manual auto-100; env LITMUS HERD7 LKMM_DIR TIMEOUT MAX)" >&2; exit 2; }

args="$*"
sets=()
memfiles=()
while [ $# -gt 0 ]; do
  case "$1" in
    --memory) [ $# -ge 2 ] || usage; memfiles+=("$2"); shift 2 ;;
    kernel|manual|auto-100) sets+=("$1"); shift ;;
    *) usage ;;
  esac
done
[ ${#sets[@]} -gt 0 ] || [ ${#memfiles[@]} -gt 0 ] || usage

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd)" "$1" ;; esac; }
LITMUS=$(abspath "${LITMUS:-$ROOT/target/release/litmus}")
HERD7=$(abspath "${HERD7:-/opt/herdtools/bin/herd7}")
LKMM_DIR=${LKMM_DIR:-$ROOT/../shared/lkmm}
TIMEOUT=${TIMEOUT:-120}
MAX=${MAX:-}
[ -x "$LITMUS" ] || { echo "$0: no model binary at $LITMUS" >&2; exit 2; }
[ -x "$HERD7" ] || { echo "$0: no herd7 at $HERD7" >&2; exit 2; }
[ -f "$LKMM_DIR/linux-kernel.cfg" ] || { echo "$0: no linux-kernel.cfg in $LKMM_DIR" >&2; exit 2; }
[ -x /usr/bin/time ] || [ ${#memfiles[@]} -eq 0 ] || { echo "$0: --memory needs /usr/bin/time" >&2; exit 2; }
LKMM_DIR=$(cd "$LKMM_DIR" && pwd)
KV=$LKMM_DIR/herd7-verdicts.txt
PV=$LKMM_DIR/herd7-verdicts-paulmckrcu.txt

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$LKMM_DIR"

# The files of a set, one a line, relative to LKMM_DIR.
set_files() { # SET
  case "$1" in
    kernel)   awk -F'|' '/^#/ || NF < 4 { next } { print $1 }' "$KV" ;;
    manual)   awk -F'|' '/^#/ || NF < 4 { next }
                $1 ~ /^paulmckrcu-litmus\/manual\// && $3 !~ /^(TIMEOUT|ERROR)/ { print $1 }' "$PV" ;;
    auto-100) awk -F'|' '/^#/ || NF < 4 { next }
                $1 ~ /^paulmckrcu-litmus\/auto\// && $3 !~ /^(TIMEOUT|ERROR)/ { print $NF "|" $1 }' "$PV" \
                | LC_ALL=C sort -t'|' -k1,1gr -k2,2 | head -n 100 | cut -d'|' -f2- ;;
  esac | if [ -n "$MAX" ]; then head -n "$MAX"; else cat; fi
}

# "Sometimes data-race mixed-accesses" -> the word, then the flags sorted, one space apart.
answer_of() { # OUTFILE
  local word
  word=$(awk '$1 == "Observation" && NF >= 5 { print $(NF-2); exit }' "$1")
  [ -n "$word" ] || return 0
  printf '%s' "$word"
  awk '$1 == "Flag" { print $2 }' "$1" | LC_ALL=C sort | awk '{ printf " %s", $0 }'
  printf '\n'
}

# Runs TOOL (herd7|model) on FILE; sets secs (unrounded), kind (answer|timeout|refused|error)
# and ans (the answer, or a short note).
run_tool() { # TOOL FILE
  local tool=$1 file=$2 status start end
  start=$(date +%s.%N)
  set +e
  if [ "$tool" = herd7 ]; then
    timeout "$TIMEOUT" "$HERD7" -conf linux-kernel.cfg "$file" >"$tmp/out" 2>"$tmp/err"
  else
    timeout "$TIMEOUT" "$LITMUS" model "$file" >"$tmp/out" 2>"$tmp/err"
  fi
  status=$?
  set -e
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
  ans=$(answer_of "$tmp/out")
  if [ "$status" -eq 124 ]; then
    kind=timeout; ans="timeout after ${TIMEOUT} s"
  elif [ "$tool" = model ] && [ "$status" -eq 2 ]; then
    kind=refused; ans="refused: $(head -n 1 "$tmp/err")"
  elif [ -n "$ans" ] && { [ "$tool" = herd7 ] || [ "$status" -le 1 ]; }; then
    kind=answer
  else
    kind=error; ans="no answer (exit $status): $( { head -n 1 "$tmp/err"; head -n 1 "$tmp/out"; } | head -n 1)"
  fi
  ans=${ans//$'\t'/ }
  ans=${ans//|/\\|}
}

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo "# LKMM model vs herd7: speed, side by side"
echo
echo "- command: \`$0 $args\` (LITMUS=$LITMUS HERD7=$HERD7 LKMM_DIR=$LKMM_DIR TIMEOUT=$TIMEOUT${MAX:+ MAX=$MAX})"
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC') (start)"
echo "- CPU: $cpu; nproc: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- herd7: $("$HERD7" -version 2>&1 | head -n 1), run as \`cd LKMM_DIR && herd7 -conf linux-kernel.cfg FILE\`"
echo "- model: \`$LITMUS model FILE\` (sha256 $(sha256sum "$LITMUS" | cut -c1-16), built $(date -u -r "$LITMUS" '+%Y-%m-%d %H:%M UTC'); repository HEAD at run time $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "- times: wall clock of each whole process (\`date +%s.%N\` around \`timeout $TIMEOUT TOOL\`), so process start-up"
echo "  (and herd7's reading of linux-kernel.cfg/.bell/.cat) is in both; each file runs once per tool, the two"
echo "  tools back to back, in an order that alternates from file to file (herd7 first, then the model first, ...)."
echo "  The machine is a shared VM; other jobs may have run during the measurement."
echo "- ratio = herd7 s / model s (above 1: the model is faster); totals, median and smallest ratio count the files"
echo "  both tools answered; a timeout makes the ratio a bound (\"<\": the model timed out) and counts as the model slower."
echo

rows=$tmp/rows
: >"$rows"
n=0
for set in "${sets[@]}"; do
  mapfile -t files < <(set_files "$set")
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  for file in "${files[@]}"; do
    if [ $((n % 2)) -eq 0 ]; then order="herd7 model"; else order="model herd7"; fi
    n=$((n + 1))
    for tool in $order; do
      run_tool "$tool" "$file"
      if [ "$tool" = herd7 ]; then hs=$secs hk=$kind ha=$ans; else ms=$secs mk=$kind ma=$ans; fi
    done
    if [ "$hk/$mk" = answer/answer ]; then
      if [ "$ha" = "$ma" ]; then same="yes ($ha)"; else same="DIFFERENT (herd7: $ha; model: $ma)"; fi
    else
      same="herd7: $ha; model: $ma"
    fi
    first=${order%% *}
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$file" "$hs" "$ms" "$hk" "$mk" "$same" "$first" >>"$rows"
  done
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  # One set: its table and its summary.
  LC_ALL=C awk -F'\t' -v set="$set" -v load0="$load0" -v load1="$load1" '
    function ms(x) { return sprintf("%.3f", x) }
    function r(x) { return sprintf("%.2f", x) }
    $1 != set { next }
    {
      nf++
      f = $2; sub(/^paulmckrcu-litmus\//, "", f); g = f; gsub(/\|/, "\\|", g)
      both = ($5 == "answer" && $6 == "answer")
      ratio = (both && $4 > 0) ? $3 / $4 : -1
      # A timeout bounds the ratio: herd7 answered and the model timed out, "<"; the reverse, ">".
      bound = ($5 == "answer" && $6 == "timeout") ? "<" : ($5 == "timeout" && $6 == "answer") ? ">" : ""
      shown = (ratio >= 0) ? r(ratio) : (bound != "" && $4 > 0) ? bound r($3 / $4) : "-"
      rows[nf] = "| " g " | " ms($3) " | " ms($4) " | " shown " | " $7 " |"
      if ($7 ~ /^DIFFERENT/) ndiff++
      if (bound == "<") {
        nslow++; slow = slow (slow == "" ? "" : ", ") g " (herd7 " ms($3) " s, model timed out after " ms($4) " s)"
      }
      if (bound != "") { ntb++; htb += $3; mtb += $4 }
      if (!both) { nskip++; skipped = skipped (skipped == "" ? "" : ", ") g " (" $7 ")"; next }
      nb++; ht += $3; mt += $4; rat[nb] = ratio
      if (nb == 1 || ratio < worst) { worst = ratio; worstf = g; worsth = $3; worstm = $4 }
      if ($4 > $3) { nslow++; slow = slow (slow == "" ? "" : ", ") g " (herd7 " ms($3) " s, model " ms($4) " s)" }
    }
    END {
      print "## Set `" set "` (" nf " files)"
      print ""
      if (nf == 0) { print "(no file)"; print ""; exit }
      print "| file | herd7 s | model s | ratio herd7/model | same answer |"
      print "|---|---:|---:|---:|---|"
      for (i = 1; i <= nf; i++) print rows[i]
      print ""
      # Median of the per-file ratios (insertion sort: sets are small).
      for (i = 2; i <= nb; i++) { v = rat[i]; for (j = i - 1; j >= 1 && rat[j] > v; j--) rat[j + 1] = rat[j]; rat[j + 1] = v }
      med = (nb == 0) ? 0 : (nb % 2 ? rat[(nb + 1) / 2] : (rat[nb / 2] + rat[nb / 2 + 1]) / 2)
      print "Summary of `" set "`:"
      print ""
      print "- files: " nf " (" nb " answered by both" (nskip ? "; not counted below: " skipped : "") ")"
      printf "- herd7 total: %.3f s; model total: %.3f s; total ratio herd7/model: %.2f\n", ht, mt, (mt > 0 ? ht / mt : 0)
      if (ntb) printf "- counting also the %d file(s) one tool answered and the other did not finish, at the time it was stopped: herd7 %.3f s, model %.3f s, total ratio %.2f (a bound)\n", ntb, ht + htb, mt + mtb, (mt + mtb > 0 ? (ht + htb) / (mt + mtb) : 0)
      printf "- median per-file ratio (files answered by both): %.2f; smallest: %.2f (%s: herd7 %.3f s, model %.3f s)\n", med, worst, worstf, worsth, worstm
      print "- files where the model was slower than herd7 (a model timeout included): " (nslow + 0) (nslow ? ": " slow : "")
      print "- answers: " (ndiff + 0) " DIFFERENT"
      print "- load average (1, 5, 15 min) before the set: " load0 "; after: " load1
      print ""
    }' "$rows"
done

if [ ${#sets[@]} -gt 0 ]; then
  LC_ALL=C awk -F'\t' '
    { nf++ }
    $7 ~ /^DIFFERENT/ { ndiff++ }
    $5 == "answer" && $6 == "timeout" { nslow++; nmt++ }
    $5 != "answer" || $6 != "answer" { next }
    { nb++; ht += $3; mt += $4; rat[nb] = $3 / $4; if ($4 > $3) nslow++ }
    END {
      for (i = 2; i <= nb; i++) { v = rat[i]; for (j = i - 1; j >= 1 && rat[j] > v; j--) rat[j + 1] = rat[j]; rat[j + 1] = v }
      med = (nb == 0) ? 0 : (nb % 2 ? rat[(nb + 1) / 2] : (rat[nb / 2] + rat[nb / 2 + 1]) / 2)
      printf "**Overall**: %d files (%d answered by both); on those, herd7 %.3f s, model %.3f s, total ratio %.2f, median per-file ratio %.2f; model slower than herd7 on %d (%d of them model timeouts); %d DIFFERENT answers.\n\n", \
        nf, nb, ht, mt, (mt > 0 ? ht / mt : 0), med, nslow + 0, nmt + 0, ndiff + 0
    }' "$rows"
fi

if [ ${#memfiles[@]} -gt 0 ]; then
  # "largest": most threads, then most bytes, then the name; over all auto/ files, and over
  # those herd7 finished in the recorded verdicts.
  sized=$tmp/sized
  for f in paulmckrcu-litmus/auto/*.litmus; do
    printf '%s\t%s\t%s\n' "$(grep -cE '^P[0-9]+ *\(' "$f" || true)" "$(stat -c %s "$f")" "$f"
  done | LC_ALL=C sort -t$'\t' -k1,1nr -k2,2nr -k3,3 >"$sized"
  mem=()
  for m in "${memfiles[@]}"; do
    if [ "$m" = largest ]; then
      mem+=("$(head -n 1 "$sized" | cut -f3)")
      finished=$(awk -F'|' '$1 ~ /^paulmckrcu-litmus\/auto\// && $3 !~ /^(TIMEOUT|ERROR)/ { print $1 }' "$PV")
      mem+=("$(awk -F'\t' 'NR == FNR { ok[$0] = 1; next } ($3 in ok) { print $3; exit }' <(printf '%s\n' "$finished") "$sized")")
    else
      mem+=("$m")
    fi
  done
  echo "## Peak resident memory"
  echo
  echo "Peak resident set of each process (\`/usr/bin/time -f '%e %M' timeout $TIMEOUT TOOL ...\`; KiB as /usr/bin/time"
  echo "reports it, the largest of the process tree), the model first, then herd7. Threads: the test's \`P<n>(\`"
  echo "lines; the \"largest\" auto/ test is the one with the most threads, then the most bytes, then the name."
  echo
  echo "| file | threads | bytes | herd7 recorded | model peak KiB | model s | model answer | herd7 peak KiB | herd7 s | herd7 answer |"
  echo "|---|---:|---:|---|---:|---:|---|---:|---:|---|"
  for f in "${mem[@]}"; do
    [ -f "$f" ] || { echo "$0: --memory: no file $LKMM_DIR/$f" >&2; exit 2; }
    line="| ${f#paulmckrcu-litmus/} | $(grep -cE '^P[0-9]+ *\(' "$f" || true) | $(stat -c %s "$f") | $(awk -F'|' -v f="$f" '$1 == f { print $3 " (" $4 " s)"; exit }' "$KV" "$PV")"
    for tool in model herd7; do
      set +e
      if [ "$tool" = herd7 ]; then
        /usr/bin/time -f '%e %M' -o "$tmp/time" timeout "$TIMEOUT" "$HERD7" -conf linux-kernel.cfg "$f" >"$tmp/out" 2>"$tmp/err"
      else
        /usr/bin/time -f '%e %M' -o "$tmp/time" timeout "$TIMEOUT" "$LITMUS" model "$f" >"$tmp/out" 2>"$tmp/err"
      fi
      status=$?
      set -e
      read -r e k < <(tail -n 1 "$tmp/time")
      a=$(answer_of "$tmp/out")
      if [ "$status" -eq 124 ]; then a="timeout after $TIMEOUT s (peak until killed)"; elif [ -z "$a" ]; then a="no answer (exit $status)"; fi
      line="$line | $k | $e | $a"
    done
    echo "$line |"
  done
  echo
fi

echo "End: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q $'\tDIFFERENT' "$rows"; then exit 1; fi
exit 0
