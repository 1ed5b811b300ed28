#!/usr/bin/env bash
# Cross-check the `read` benchmark against an independent C microbenchmark of
# the same instructions (benches/c/read_cost.c), on this machine, at the same
# time: for each target the Rust `read` group runs and the C program right
# after it (this host's speed drifts over minutes, so a comparison with an
# older bench CSV would measure the drift).
#
#   scripts/cross-check.sh OUT_CSV
#
# OUT_CSV gets one row per target and strategy: the Rust median, the C
# median, their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
out_csv=${1:?usage: scripts/cross-check.sh OUT_CSV}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -m64 -o "$work/read_cost-x86_64-unknown-linux-gnu" benches/c/read_cost.c
gcc -O2 -m32 -msse2 -o "$work/read_cost-i686-unknown-linux-gnu" benches/c/read_cost.c
for target in x86_64-unknown-linux-gnu i686-unknown-linux-gnu; do
    cargo bench -q --bench pte_read --target "$target" -- '^read/' >/dev/null 2>&1
    "$work/read_cost-$target" > "$work/$target.txt"
done
cargo run -q --release --bin litmus -- bench-report --csv "$work/rust.csv" >/dev/null

python3 - "$work/rust.csv" "$out_csv" "$work" <<'PY'
import csv, sys, pathlib
bench_csv, out_csv, work = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
rust = {(r["target"], r["strategy"]): (float(r["cycles_per_op"]), r["commit"])
        for r in csv.DictReader(open(bench_csv)) if r["bench"] == "read"}
with open(out_csv, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["commit", "target", "strategy", "rust_ticks", "c_ticks", "rust_over_c"])
    within = total = 0
    for target in ["x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu"]:
        for line in (work / f"{target}.txt").read_text().split("\n"):
            if not line:
                continue
            strategy, c = line.split()
            if (target, strategy) not in rust:
                continue
            r, commit = rust[(target, strategy)]
            ratio = r / float(c) if float(c) > 0 else float("nan")
            total += 1
            within += abs(ratio - 1) <= 0.10
            w.writerow([commit, target, strategy, f"{r:.3f}", f"{float(c):.3f}", f"{ratio:.3f}"])
            print(f"{target:26} {strategy:16} rust {r:8.3f}  C {float(c):8.3f}  ratio {ratio:6.3f}")
    print(f"within 10%: {within} of {total}")
PY
