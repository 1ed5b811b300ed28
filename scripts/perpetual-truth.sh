#!/usr/bin/env bash
# Is perpetual mode truthful? Runs every .litmus file given (files,
# directories, @all lists) with `litmus run --mode MODE --duration SECONDS`
# and checks, against the suite's x86-TSO model (which agrees with herd7 on
# herdtools7's catalogue): no Never test is ever witnessed, and every
# two-thread Sometimes test is. Prints the counts; exits 1 on a Never
# witnessed or a two-thread Sometimes test missed.
#
#   scripts/perpetual-truth.sh OUT_CSV MODE SECONDS FILE|DIR|@all...
#
# A family to try it on, from herdtools7's diy7 (not a dependency of the
# suite; ../shared/herdtools7/build.sh installs it here):
#   mkdir /tmp/fam && cd /tmp/fam && diy7 -arch X86 -nprocs 2 -size 6 \
#     -relax PodWR,Rfi -safe Fre,Rfe,Wse,PodRR,PodRW,PodWW,MFencedWR
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/perpetual-truth.sh OUT_CSV MODE SECONDS FILE|DIR|@all..."
out_csv=${1:?$usage}
mode=${2:?$usage}
seconds=${3:?$usage}
shift 3
[ $# -gt 0 ] || { echo "perpetual-truth: no .litmus files" >&2; exit 2; }
cargo build -q --release --bin litmus
rm -f "$out_csv"
status=0
target/release/litmus run "$@" --mode "$mode" --duration "$seconds" --quiet \
    --csv "$out_csv" > "$out_csv.stdout" || status=$?
# 0: nothing forbidden seen; 1: a forbidden outcome seen (a finding).
[ "$status" -le 1 ] || { cat "$out_csv.stdout"; exit "$status"; }
python3 - "$out_csv" "$@" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
runs = collections.OrderedDict()
for r in rows:
    run = runs.setdefault((r["test"], r["source"]), {
        "expected": r["expected"], "mode": r["mode"], "witnesses": 0,
        "threads": len(r["cores"].split()), "seconds": float(r["seconds"]),
    })
    if r["witness"] == "true":
        run["witnesses"] += int(r["count"])
count = collections.Counter()
bad = []
for (test, source), run in runs.items():
    key = (run["mode"], run["expected"], "seen" if run["witnesses"] else "not seen")
    count[key] += 1
    if run["expected"] == "Forbidden" and run["witnesses"]:
        bad.append(f"{test}: Never, witnessed {run['witnesses']} times ({run['mode']})")
    if run["expected"] == "Allowed" and not run["witnesses"] and run["threads"] == 2:
        bad.append(f"{test}: two-thread Sometimes, never witnessed ({run['mode']})")
print(f"{len(runs)} tests run")
for (mode, expected, seen), n in sorted(count.items()):
    result = "Never" if expected == "Forbidden" else "Sometimes"
    print(f"  {mode:9} {result:9} {seen:8}: {n}")
for line in bad:
    print("  WRONG:", line)
sys.exit(1 if bad else 0)
PY
