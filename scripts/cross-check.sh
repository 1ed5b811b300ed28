#!/usr/bin/env bash
# Cross-check the `read` benchmark against an independent C microbenchmark of
# the same instructions (benches/c/read_cost.c), on this machine, now.
#
#   scripts/cross-check.sh BENCH_CSV OUT_CSV
#
# BENCH_CSV is a `litmus bench-report` CSV of this machine; OUT_CSV gets one
# row per target and strategy: the Rust median, the C median, their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bench_csv=${1:?usage: scripts/cross-check.sh BENCH_CSV OUT_CSV}
out_csv=${2:?usage: scripts/cross-check.sh BENCH_CSV OUT_CSV}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -m64 -o "$work/read_cost-64" benches/c/read_cost.c
gcc -O2 -m32 -msse2 -o "$work/read_cost-32" benches/c/read_cost.c
"$work/read_cost-64" > "$work/x86_64-unknown-linux-gnu.txt"
"$work/read_cost-32" > "$work/i686-unknown-linux-gnu.txt"

python3 - "$bench_csv" "$out_csv" "$work" <<'PY'
import csv, sys, pathlib
bench_csv, out_csv, work = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
rust = {(r["target"], r["strategy"]): float(r["cycles_per_op"])
        for r in csv.DictReader(open(bench_csv)) if r["bench"] == "read"}
with open(out_csv, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["target", "strategy", "rust_ticks", "c_ticks", "rust_over_c"])
    for target in ["x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu"]:
        for line in (work / f"{target}.txt").read_text().split("\n"):
            if not line:
                continue
            strategy, c = line.split()
            r = rust.get((target, strategy))
            if r is None:
                continue
            ratio = r / float(c) if float(c) > 0 else float("nan")
            w.writerow([target, strategy, f"{r:.3f}", f"{float(c):.3f}", f"{ratio:.3f}"])
            print(f"{target:26} {strategy:16} rust {r:8.3f}  C {float(c):8.3f}  ratio {ratio:6.3f}")
PY
