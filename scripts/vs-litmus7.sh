#!/usr/bin/env bash
# litmus7 and `litmus run` on the same .litmus files, alternately, N rounds:
# the witness rate of each, side by side, into a CSV.
#
#   scripts/vs-litmus7.sh OUT_CSV ROUNDS FILE.litmus...
#
# Needs herdtools7's litmus7 (LITMUS7, default /opt/herdtools/bin/litmus7; a
# user's clone has none: build it from herdtools7, as ../shared/herdtools7/
# build.sh does here) and gcc with 32-bit support. Each round runs, for each
# file, litmus7's executable once (-s 100000 -r 100: ten million instances,
# as herdtools7's README suggests) and then `litmus run FILE --duration 1`.
# OUT_CSV gets one row per run: test, tool, round, witnesses, seconds, rate
# (witnesses per second of the tool's own timing: litmus7's "Time" line,
# the suite's run seconds) and outcomes (every final state seen, written
# alike for both tools: `0:EAX=0;1:EAX=0`, sorted, `|` between states).
# At the end it prints each test's median rates, their ratio, and any
# state litmus7 saw that the suite never did. litmus7 runs in one mode
# here (userfence); scripts/perpetual-vs-litmus7.sh holds the suite against
# litmus7's best mode per file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/litmus7-common.sh
litmus7_begin vs-litmus7 "$@"
declare -A exe
for f in "${files[@]}"; do
    exe[$f]=$(litmus7_build "$f" userfence)
done

# A final state as both tools print it, normalised: `[y]=1; 1:EAX=0;` and
# `y=1; 1:EAX=0;` both become `1:EAX=0;y=1`.
states() {
    python3 -c '
import re, sys
seen = set()
for line in sys.stdin:
    m = re.match(r"\s*\d+\s*[*:]>(.*)", line) if sys.argv[1] == "litmus7" else None
    text = m.group(1) if m else (line if sys.argv[1] == "suite" else None)
    if text is None or not text.strip():
        continue
    parts = [p.replace(" ", "").replace("[", "").replace("]", "") for p in text.strip().split(";")]
    seen.add(";".join(sorted(p for p in parts if p)))
print("|".join(sorted(seen)))
' "$1"
}

echo "test,tool,round,witnesses,seconds,rate,outcomes" > "$out_csv"
for round in $(seq 1 "$rounds"); do
    for f in "${files[@]}"; do
        name=$(test_name "$f")
        read -r pos secs <<<"$(litmus7_run "${exe[$f]}" -q -i 1 -s 100000 -r 100)"
        echo "$name,litmus7,$round,$pos,$secs,$(rate "$pos" "$secs"),$(states litmus7 < "$work/litmus7.out")" >> "$out_csv"
        # The suite: its CSV row of the witness... summed over outcomes.
        "$suite" run "${suite_file[$f]}" --duration 1 --quiet --csv "$work/suite.csv" > /dev/null || true
        python3 - "$work/suite.csv" "$name" "$round" >> "$out_csv" <<'PY'
import csv, sys
path, name, rnd = sys.argv[1:4]
rows = list(csv.DictReader(open(path)))
last = rows[-1]["run_id"]
run = [r for r in rows if r["run_id"] == last and r["test"] == name]
w = sum(int(r["count"]) for r in run if r["witness"] == "true")
s = float(run[0]["seconds"])
# Final states only: a perpetual run adds its condition's tally
# (`0:EAX=0 /\ 1:EAX=0`) and the rest (`(perpetual ...)`).
states = sorted(";".join(sorted(p.replace(" ", "") for p in r["outcome"].split(";") if p.strip()))
                for r in run if int(r["count"]) > 0
                and not r["outcome"].startswith("(") and "/\\" not in r["outcome"])
print(f"{name},pte-litmus,{rnd},{w},{s:.3f},{w / s:.1f},{'|'.join(states)}")
PY
    done
done
python3 - "$out_csv" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
for test in dict.fromkeys(r["test"] for r in rows):
    rate = lambda tool: statistics.median(float(r["rate"]) for r in rows if r["test"] == test and r["tool"] == tool)
    l7, us = rate("litmus7"), rate("pte-litmus")
    ratio = us / l7 if l7 > 0 else float("inf")
    seen = lambda tool: set(s for r in rows if r["test"] == test and r["tool"] == tool
                            for s in r["outcomes"].split("|") if s)
    missed = seen("litmus7") - seen("pte-litmus")
    print(f"{test:28} litmus7 {l7:12.1f}/s  pte-litmus {us:12.1f}/s  ratio {ratio:6.2f}"
          + (f"  states litmus7 saw and the suite did not: {' '.join(sorted(missed))}" if missed else ""))
PY
