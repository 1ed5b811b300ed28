#!/usr/bin/env bash
# Holds this project's LKMM (`litmus model FILE`) against herd7's recorded verdicts.
#   usage: scripts/lkmm-vs-herd7.sh VERDICTS DIR
#     VERDICTS  lines "file|Result-line words|herd7 observation and flags|seconds", as in
#               ../shared/lkmm/herd7-verdicts.txt; the third field is an Observation word
#               followed by flag names ("Sometimes data-race"), or "TIMEOUT", or "ERROR: message".
#     DIR       the folder the file names are relative to (for example ../shared/lkmm). If
#               DIR/FILE does not exist and FILE starts with DIR's own name (DIR=.../paulmckrcu-litmus,
#               FILE=paulmckrcu-litmus/...), FILE is taken relative to DIR's parent.
#   env: LITMUS=PATH   the model's binary (default target/release/litmus)
#        TIMEOUT=S     seconds allowed per file (default 60)
#        ONLY=REGEX    only the files whose name matches REGEX (grep -E)
# The model prints, herd7-like, "Observation NAME WORD P N" and zero or more "Flag NAME"
# lines (exit status 0, or 1 when that answer contradicts the file's Result: line), or, for a file it cannot read, one line on stderr (exit status 2).
# Prints a markdown report on stdout: a table (file | Result: line | herd7 | model | model s |
# match), the messages of the refused files, then counts per folder and in total.
# match is one of:
#   equal                      both answered the same word and the same (sorted) flags
#   DIFFERENT                  both answered, differently; also a model that crashed or printed
#                              no Observation line (any exit status but 0, 1, 2 and 124)
#   refused (herd7 ERROR too)  the model refused (exit 2) and herd7 refused the file too
#   refused (herd7 answered)   the model refused a file herd7 answered
#   refused (herd7 TIMEOUT)    the model refused a file herd7 read but did not finish
#   answered (herd7 ERROR)     the model answered a file herd7 refused
#   answered (herd7 TIMEOUT)   the model answered a file herd7 did not finish
#   model timeout              the model did not finish in TIMEOUT seconds
# The folder of a file is its directory, less a first component that every file of VERDICTS
# shares, when more follows it (paulmckrcu-litmus/manual/rcu/X.litmus counts under manual/rcu,
# litmus-tests/X.litmus under litmus-tests).
# Exit status: 1 if any row is DIFFERENT, 2 on a usage error, else 0.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -d "$2" ]; then
  echo "usage: $0 VERDICTS DIR   (env LITMUS, TIMEOUT, ONLY)" >&2
  exit 2
fi
VERDICTS=$1
DIR=${2%/}
LITMUS=${LITMUS:-target/release/litmus}
TIMEOUT=${TIMEOUT:-60}
ONLY=${ONLY:-}
DIRNAME=$(basename "$(cd "$DIR" && pwd)")
PARENT=$(cd "$DIR/.." && pwd)

rows=$(mktemp)
trap 'rm -f "$rows" "$rows.out" "$rows.err"' EXIT

# "Sometimes data-race mixed-accesses" -> the word, then the flags sorted, one space apart.
normalise() { # WORDS...
  local word=$1; shift
  printf '%s' "$word"
  if [ $# -gt 0 ]; then printf ' %s' $(printf '%s\n' "$@" | LC_ALL=C sort); fi
  printf '\n'
}

# One row per file: file, result, herd7 (normalised), herd7 kind (answer|ERROR|TIMEOUT),
# herd7 message, model (normalised), model kind (answer|refused|timeout|error),
# model message, model seconds, match; tab-separated.
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  file=${line%%|*}
  rest=${line#*|}
  result=${rest%%|*}
  rest=${rest#*|}
  herd=${rest%|*}            # the message of an ERROR may itself hold a '|'
  if [ -n "$ONLY" ] && ! grep -Eq -- "$ONLY" <<<"$file"; then continue; fi

  herd_msg=""
  case "$herd" in
    ERROR*)   herd_kind=ERROR; herd_msg=${herd#ERROR: }; herd_norm=ERROR ;;
    TIMEOUT*) herd_kind=TIMEOUT; herd_norm=TIMEOUT ;;
    *)        herd_kind=answer; herd_norm=$(normalise $herd) ;;
  esac

  path=$DIR/$file
  if [ ! -e "$path" ] && [ "${file%%/*}" = "$DIRNAME" ]; then path=$PARENT/$file; fi

  start=$(date +%s.%N)
  set +e
  timeout "$TIMEOUT" "$LITMUS" model "$path" >"$rows.out" 2>"$rows.err"
  status=$?
  set -e
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')

  model_msg=""
  obs=$(awk '$1 == "Observation" && NF >= 5 { print $(NF-2); exit }' "$rows.out")
  if [ "$status" -eq 124 ]; then
    model_kind=timeout; model_norm=timeout
  elif [ "$status" -eq 2 ]; then
    model_kind=refused; model_norm=refused; model_msg=$(head -n 1 "$rows.err")
  elif { [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; } && [ -n "$obs" ]; then
    # 1: answered, and the answer contradicts the file's Result: line (as
    # judgelitmus.sh would say of herd7's); the verdicts hold herd7's answer.
    model_kind=answer
    model_norm=$(normalise "$obs" $(awk '$1 == "Flag" { print $2 }' "$rows.out"))
  else
    model_kind=error; model_norm="error (exit $status)"
    model_msg=$( { head -n 1 "$rows.err"; head -n 1 "$rows.out"; } | head -n 1)
  fi

  case "$model_kind/$herd_kind" in
    timeout/*)          match="model timeout" ;;
    refused/ERROR)      match="refused (herd7 ERROR too)" ;;
    refused/TIMEOUT)    match="refused (herd7 TIMEOUT)" ;;
    refused/answer)     match="refused (herd7 answered)" ;;
    error/*)            match="DIFFERENT" ;;
    answer/ERROR)       match="answered (herd7 ERROR)" ;;
    answer/TIMEOUT)     match="answered (herd7 TIMEOUT)" ;;
    answer/answer)      if [ "$model_norm" = "$herd_norm" ]; then match=equal; else match=DIFFERENT; fi ;;
  esac

  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$result" "$herd_norm" "$herd_kind" \
    "${herd_msg//$'\t'/ }" "$model_norm" "$model_kind" "${model_msg//$'\t'/ }" "$secs" "$match" >>"$rows"
done <"$VERDICTS"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
ncpu=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || echo '?')

echo "# LKMM model vs herd7"
echo
echo "- command: \`$0 $*\` (LITMUS=$LITMUS TIMEOUT=$TIMEOUT${ONLY:+ ONLY=$ONLY})"
echo "- machine: ${cpu:-unknown CPU} ($ncpu CPUs)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- herd7's answers: $VERDICTS (recorded earlier; its seconds are not re-measured here)"
echo

# The first path component that every file of VERDICTS shares, if any (ONLY aside).
strip=$(awk -F'|' '/^#/ || NF < 2 { next }
  { split($1, p, "/"); if (!(p[1] in s)) { s[p[1]] = 1; n++ } if (index($1, "/") == 0) flat = 1 }
  END { if (n == 1 && !flat) for (k in s) print k }' "$VERDICTS")

LC_ALL=C awk -F'\t' -v strip="$strip" '
  function esc(s) { gsub(/\|/, "\\|", s); return s }
  # The folder: the directory, less the first component when every file shares it.
  function folder(f,   d) {
    d = f; if (!sub(/\/[^\/]*$/, "", d)) d = "."
    if (strip != "" && index(d, strip "/") == 1) d = substr(d, length(strip) + 2)
    return d
  }
  NR == 1 {
    print "| file | Result: line | herd7 | model | model s | match |"
    print "|---|---|---|---|---:|---|"
  }
  {
    print "| " esc($1) " | " esc($2) " | " esc($3) " | " esc($6) " | " $9 " | " $10 " |"
    f = folder($1)
    if (!(f in seen)) { seen[f] = 1; order[++nf] = f }
    files[f]++; total++; secs += $9
    m = $10
    k = (m == "equal") ? "eq" : (m == "DIFFERENT") ? "diff" : (m == "refused (herd7 ERROR too)") ? "rr" : \
        (m == "refused (herd7 answered)") ? "ra" : (m == "refused (herd7 TIMEOUT)") ? "rt" : \
        (m == "answered (herd7 ERROR)") ? "ae" : (m == "answered (herd7 TIMEOUT)") ? "at" : "mt"
    c[f, k]++; t[k]++
    if ($5 != "" || $8 != "") msgs[++nm] = "- " $1 ": model: " ($8 != "" ? $8 : $6) "; herd7: " ($5 != "" ? $5 : $3)
  }
  END {
    if (total == 0) { print "(no file)"; exit }
    if (nm > 0) {
      print ""; print "## Messages of refused and failed files"; print ""
      for (i = 1; i <= nm; i++) print msgs[i]
    }
    print ""; print "## Counts"; print ""
    print "| folder | files | equal | different | refused, herd7 refused | refused, herd7 answered | refused, herd7 TIMEOUT | answered, herd7 ERROR | herd7 TIMEOUT answered | model timeout |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    split("eq diff rr ra rt ae at mt", keys, " ")
    for (i = 1; i <= nf; i++) {
      f = order[i]; line = "| " esc(f) " | " files[f]
      for (j = 1; j <= 8; j++) line = line " | " (c[f, keys[j]] + 0)
      print line " |"
    }
    line = "| **total** | " total
    for (j = 1; j <= 8; j++) line = line " | " (t[keys[j]] + 0)
    print line " |"
    print ""
    printf "Totals: %d files, %d equal, %d different, %d refused where herd7 refused, %d refused where herd7 answered, %d refused where herd7 timed out, %d answered where herd7 refused, %d answered where herd7 timed out (herd7 TIMEOUT answered), %d model timeouts; model time %.2f s.\n", \
      total, t["eq"], t["diff"], t["rr"], t["ra"], t["rt"], t["ae"], t["at"], t["mt"], secs
  }
' "$rows"

if grep -q $'\tDIFFERENT$' "$rows"; then exit 1; fi
exit 0
