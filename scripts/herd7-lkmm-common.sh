# Sourced by the scripts that hold the suite's C tests against herd7 with the kernel's
# model (lkmm-export-vs-herd7.sh, lkmm-matrix-vs-herd7.sh): their arguments and checks, and
# the lines that head their tables. Before sourcing: `set -euo pipefail`, cd to the
# repository, ROOT set; after it, HERD7, LITMUS and LKMM are absolute and checked.
#   env: LITMUS=PATH (default target/release/litmus), LKMM=DIR (default ../shared/lkmm),
#        TIMEOUT=S seconds allowed herd7 per file (default 300)
HERD7=${1:-/opt/herdtools/bin/herd7}
LITMUS=${LITMUS:-target/release/litmus}
LKMM=${LKMM:-$ROOT/../shared/lkmm}
TIMEOUT=${TIMEOUT:-300}

[ $# -le 1 ] || { echo "usage: $0 [HERD7]   (env LITMUS, LKMM, TIMEOUT${EXTRA_ENV:+, $EXTRA_ENV})" >&2; exit 2; }
[ -x "$HERD7" ] || { echo "$0: no herd7 at $HERD7" >&2; exit 2; }
[ -x "$LITMUS" ] || { echo "$0: no litmus binary at $LITMUS (cargo build --release)" >&2; exit 2; }
[ -f "$LKMM/linux-kernel.cfg" ] || { echo "$0: no linux-kernel.cfg in $LKMM" >&2; exit 2; }
LKMM=$(cd "$LKMM" && pwd)
LITMUS=$(cd "$(dirname "$LITMUS")" && pwd)/$(basename "$LITMUS")

# The title, then the command (with SETTINGS, the env it ran with), date, machine and herd7.
herd7_header() {
  local title=$1 settings=$2 cpu ncpu
  cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  ncpu=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || echo '?')
  echo "# $title"
  echo
  echo "- command: \`$COMMAND\` ($settings)"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(hostname), ${cpu:-unknown CPU} ($ncpu CPUs), $(uname -sr)"
  echo "- herd7: $HERD7, version $("$HERD7" -version) (\`herd7 -conf linux-kernel.cfg FILE\` in $LKMM)"
}
