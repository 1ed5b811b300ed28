#!/usr/bin/env bash
# The suite's two modes against litmus7 at its best synchronisation mode,
# per file: witnesses per second, alternating rounds, into a CSV.
#
#   scripts/perpetual-vs-litmus7.sh OUT_CSV ROUNDS FILE.litmus...
#   (or C.litmus:X86.litmus: the suite runs the C test, litmus7 its exported x86 code)
#
# litmus7 is built four ways per file (-barrier userfence, timebase, user,
# none); a calibration round (one million instances each) picks the mode
# with the most witnesses per second for that file. Then each round runs,
# per file: litmus7 in that mode (-s 100000 -r 100: ten million instances),
# then `litmus run FILE --duration T` with `--mode auto`, `perpetual`,
# `instances` and `instances --sync none` (`free`), T being litmus7's own
# time that round (at least 0.1 s).
# Rows: test, tool (litmus7-MODE, auto, perpetual, instances, free), round, witnesses,
# seconds, rate. At the end: per file, each tool's median rate and the
# median (min-max) of the per-round ratios to litmus7.
#
# Needs herdtools7's litmus7 (LITMUS7, default /opt/herdtools/bin/litmus7;
# ../shared/herdtools7/build.sh builds it here) and gcc with -m32.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/litmus7-common.sh
litmus7_begin perpetual-vs-litmus7 "$@"
modes=(userfence timebase user none)

declare -A exe best
for f in "${files[@]}"; do
    name=$(test_name "$f")
    top=0
    for m in "${modes[@]}"; do
        exe[$f,$m]=$(litmus7_build "$f" "$m")
        read -r pos secs <<<"$(litmus7_run "${exe[$f,$m]}" -q -i 1 -s 100000 -r 10)"
        r=$(rate "$pos" "$secs")
        echo "calibration: $name -barrier $m: $pos witnesses in $secs s ($r/s)"
        if awk -v r="$r" -v t="$top" 'BEGIN {exit !(r > t)}' || [ -z "${best[$f]:-}" ]; then
            best[$f]=$m; top=$r
        fi
    done
    echo "calibration: $name: litmus7's best mode is ${best[$f]}"
done

# The suite's run of FILE in MODE for SECONDS: "witnesses seconds". MODE `free` is
# `--mode instances --sync none` (no meeting within a batch, as litmus7's -barrier none).
suite_run() {
    rm -f "$work/suite.csv"
    local mode=(--mode "$2")
    [ "$2" = free ] && mode=(--mode instances --sync none)
    "$suite" run "$1" "${mode[@]}" --duration "$3" --quiet --csv "$work/suite.csv" >/dev/null || true
    python3 - "$work/suite.csv" <<'PY'
import csv, sys
try:
    rows = list(csv.DictReader(open(sys.argv[1])))
except FileNotFoundError:
    rows = []
if not rows:
    print("NA NA")  # the mode cannot run this file (no perpetual form)
else:
    print(sum(int(r["count"]) for r in rows if r["witness"] == "true"), rows[0]["seconds"])
PY
}

echo "test,tool,round,witnesses,seconds,rate" > "$out_csv"
row() { echo "$1,$2,$3,$4,$5,$(rate "$4" "$5")" >> "$out_csv"; }
for round in $(seq 1 "$rounds"); do
    for f in "${files[@]}"; do
        name=$(test_name "$f")
        read -r pos secs <<<"$(litmus7_run "${exe[$f,${best[$f]}]}" -q -i 1 -s 100000 -r 100)"
        row "$name" "litmus7-${best[$f]}" "$round" "$pos" "$secs"
        budget=$(awk -v s="$secs" 'BEGIN {printf "%.3f", s < 0.1 ? 0.1 : s}')
        for mode in auto perpetual instances free; do
            read -r w s <<<"$(suite_run "${suite_file[$f]}" "$mode" "$budget")"
            [ "$w" = NA ] || row "$name" "$mode" "$round" "$w" "$s"
        done
    done
done
python3 - "$out_csv" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
for test in dict.fromkeys(r["test"] for r in rows):
    mine = [r for r in rows if r["test"] == test]
    l7 = {r["round"]: float(r["rate"]) for r in mine if r["tool"].startswith("litmus7")}
    l7_tool = next(r["tool"] for r in mine if r["tool"].startswith("litmus7"))
    line = f"{test:26} {l7_tool:18} {statistics.median(l7.values()):12.1f}/s"
    for tool in ("auto", "perpetual", "instances", "free"):
        rates = {r["round"]: float(r["rate"]) for r in mine if r["tool"] == tool}
        if not rates:
            line += f"  {tool} (cannot run this file)"
            continue
        ratios = sorted(rates[k] / l7[k] if l7[k] > 0 else float("inf") for k in rates)
        line += (f"  {tool} {statistics.median(rates.values()):12.1f}/s"
                 f" x{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})")
    print(line)
PY
