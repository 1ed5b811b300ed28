# Sourced by scripts/vs-litmus7.sh and scripts/perpetual-vs-litmus7.sh:
# their arguments, litmus7's builds and runs, the suite's binary.
#
#   litmus7_begin SCRIPT "$@"   sets out_csv, rounds, files[], suite_file[],
#                               litmus7, work (removed on exit) and suite (built)
#
# A file argument SUITE.litmus:LITMUS7.litmus gives the suite and litmus7 each its own
# file of one test: a C test for the suite (run as the x86 code the kernel compiles it to)
# and for litmus7 the X86 file `litmus export --herd DIR C.litmus` writes of that code.
# files[] holds litmus7's files; suite_file[F] the suite's file for litmus7's F.

# litmus7_begin NAME OUT_CSV ROUNDS FILE.litmus...
litmus7_begin() {
    local name=$1 usage="usage: scripts/$1.sh OUT_CSV ROUNDS FILE.litmus..."
    shift
    out_csv=${1:?$usage}
    rounds=${2:?$usage}
    shift 2
    [ $# -gt 0 ] || { echo "$name: no .litmus files" >&2; exit 2; }
    files=()
    declare -gA suite_file
    local arg
    for arg in "$@"; do
        files+=("${arg#*:}")
        suite_file[${arg#*:}]=${arg%%:*}
    done
    litmus7=${LITMUS7:-/opt/herdtools/bin/litmus7}
    command -v "$litmus7" >/dev/null || { echo "$name: $litmus7 not found (set LITMUS7)" >&2; exit 2; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cargo build -q --release --bin litmus
    suite=target/release/litmus
}

# The test's name: the second word of the file's first line.
test_name() { head -1 "$1" | awk '{print $2}'; }

# litmus7_build FILE BARRIER: build litmus7's executable of FILE with
# `-barrier BARRIER` (32-bit for X86, 64-bit for X86_64); prints its path.
litmus7_build() {
    local f=$1 barrier=$2 arch mach=x86 ccopts="-O2 -m32" dir
    arch=$(head -1 "$f" | awk '{print $1}')
    [ "$arch" = X86_64 ] && { mach=x86_64; ccopts="-O2"; }
    dir="$work/$(test_name "$f")/$barrier"
    mkdir -p "$dir"
    "$litmus7" -mach "$mach" -ccopts "$ccopts" -barrier "$barrier" -affinity incr1 -o "$dir" "$f" >/dev/null
    make -s -C "$dir" >/dev/null 2>&1
    ls "$dir"/*.exe
}

# litmus7_run EXE ARGS...: "witnesses seconds" from its "Observation NAME
# Sometimes P N" and "Time NAME 1.23" lines; the whole output is kept in
# $work/litmus7.out.
litmus7_run() {
    local pos
    "$@" > "$work/litmus7.out"
    read -r _ _ _ pos _ <<<"$(grep '^Observation' "$work/litmus7.out")"
    echo "$pos $(awk '/^Time/ {print $3}' "$work/litmus7.out")"
}

# rate WITNESSES SECONDS: witnesses per second, one decimal.
rate() { awk -v p="$1" -v s="$2" 'BEGIN {printf "%.1f", p / (s > 0 ? s : 1e-9)}'; }
