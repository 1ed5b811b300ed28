#!/usr/bin/env bash
# The X86 side unchanged, byte for byte: `litmus list`, `show` and `model`
# of every built-in test and every X86/X86_64 file under tests/litmus/x86,
# `export --herd`'s files, every CSV header (`litmus run --csv` of a short
# run) and the refusal of a bad file, from two binaries (say, the previous
# commit's and this one's), compared with diff. Exit 1 on any difference.
#   usage: scripts/x86-unchanged.sh OLD_LITMUS NEW_LITMUS
set -euo pipefail
old=$1 new=$2
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

outputs() {
    local bin=$1 out=$2
    mkdir -p "$out"
    "$bin" list >"$out/list.txt"
    for t in $("$bin" list | awk 'NR>1 && $1 !~ /^$/ && $0 !~ /^ / {print $1}'); do
        "$bin" show "$t" >>"$out/show.txt" 2>&1 || true
    done
    for f in tests/litmus/x86/*.litmus; do
        "$bin" show "$f" >>"$out/show-files.txt" 2>&1 || true
        "$bin" model "$f" | grep -v ' s); ' >>"$out/model-files.txt" 2>&1 || true
    done
    "$bin" export --herd "$out/herd" >/dev/null
    printf 'X86 T\n{}\n P0 ;\n JMP L ;\nexists (x=1)\n' >"$work/bad.litmus"
    "$bin" show "$work/bad.litmus" >"$out/bad.txt" 2>&1 || echo "exit $?" >>"$out/bad.txt"
    "$bin" run SB tests/litmus/x86/MP.litmus --iterations 2000 --quiet --csv "$out/run.csv" >/dev/null 2>&1 || true
    head -1 "$out/run.csv" >"$out/run-header.csv"
    rm "$out/run.csv"
}

outputs "$old" "$work/old"
outputs "$new" "$work/new"
if diff -r "$work/old" "$work/new"; then
    echo "same: list, show, model, export --herd, the run CSV header and a refusal ($(ls tests/litmus/x86/*.litmus | wc -l) X86 files)"
else
    echo "DIFFERENT (above)"
    exit 1
fi
