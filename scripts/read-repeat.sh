#!/usr/bin/env bash
# Run-to-run agreement of the `read` benchmark: runs the `read` group twice
# back to back for each target and writes, per target and strategy, both
# medians and their difference.
#
#   scripts/read-repeat.sh OUT_CSV [TARGET...]   (default: x86_64 and i686 gnu)
set -euo pipefail
cd "$(dirname "$0")/.."
out_csv=${1:?usage: scripts/read-repeat.sh OUT_CSV [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-linux-gnu i686-unknown-linux-gnu)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for run in 1 2; do
    for target in "${targets[@]}"; do
        cargo bench -q --bench pte_read --target "$target" -- '^read/' >/dev/null 2>&1
    done
    cargo run -q --release --bin litmus -- bench-report --csv "$work/run$run.csv" >/dev/null
done

python3 - "$work/run1.csv" "$work/run2.csv" "$out_csv" "${targets[@]}" <<'PY'
import csv, sys
first, second, out_csv, targets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def medians(path):
    return {(r["target"], r["strategy"]): (float(r["cycles_per_op"]), r["commit"])
            for r in csv.DictReader(open(path)) if r["bench"] == "read"}
a, b = medians(first), medians(second)
with open(out_csv, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["commit", "target", "strategy", "first_ticks", "second_ticks", "change_percent"])
    worst = 0.0
    for key in sorted(k for k in a if k in b and k[0] in targets):
        (x, commit), (y, _) = a[key], b[key]
        change = 100.0 * (y - x) / x if x > 0 else float("nan")
        worst = max(worst, abs(change))
        w.writerow([commit, key[0], key[1], f"{x:.3f}", f"{y:.3f}", f"{change:+.1f}"])
        print(f"{key[0]:26} {key[1]:16} {x:8.3f} {y:8.3f} {change:+6.1f}%")
    print(f"largest change: {worst:.1f}%")
PY
