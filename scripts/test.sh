#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian
# machine (rustup targets, gcc-multilib to link the 32-bit gnu targets,
# binutils for the objdump the instruction checks run, QEMU for the guest
# test, clippy and rustfmt), checks the format and the lints (warnings are
# errors), then runs every test
# for x86_64, i686, i586 and i686-musl, optimised as the litmus runs are.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(x86_64-unknown-linux-gnu i686-unknown-linux-gnu i586-unknown-linux-gnu i686-unknown-linux-musl)

# --- install what is missing -------------------------------------------------
installed=$(rustup target list --installed)
for target in "${TARGETS[@]}"; do
    grep -qx "$target" <<<"$installed" || rustup target add "$target"
done
# clippy and rustfmt: the lint and format checks below.
installed_components=$(rustup component list --installed)
for component in clippy rustfmt; do
    grep -q "^$component" <<<"$installed_components" || rustup component add "$component"
done
packages=()
dpkg -s gcc-multilib >/dev/null 2>&1 || packages+=(gcc-multilib)
command -v objdump >/dev/null 2>&1 || packages+=(binutils)
command -v file >/dev/null 2>&1 || packages+=(file)
# The guest test boots Debian's 686-pae kernel under QEMU (the kernel and
# busybox it downloads itself, through a private apt state, into ~/.cache).
command -v qemu-system-i386 >/dev/null 2>&1 || packages+=(qemu-system-x86)
if [ ${#packages[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# --- format and lints (the lints in Cargo.toml's [workspace.lints]) -------------
echo "=== cargo fmt --all --check"
cargo fmt --all --check
for target in x86_64-unknown-linux-gnu i686-unknown-linux-gnu i586-unknown-linux-gnu; do
    echo "=== cargo clippy --release --workspace --all-targets --target $target -- -D warnings"
    cargo clippy --release --workspace --all-targets --target "$target" -- -D warnings
done
echo "=== cargo clippy --release -p pte-asm --all-targets --target i686-unknown-linux-musl -- -D warnings"
cargo clippy --release -p pte-asm --all-targets --target i686-unknown-linux-musl -- -D warnings

# --- test every target ---------------------------------------------------------
# The host's target builds without --target, into target/release, where the
# main command (`cargo run --release --bin litmus -- run`) finds it built.
host=$(rustc -vV | sed -n 's/^host: //p')
for target in x86_64-unknown-linux-gnu i686-unknown-linux-gnu i586-unknown-linux-gnu; do
    if [ "$target" = "$host" ]; then
        echo "=== cargo test --release --workspace --all-targets (host: $target)"
        cargo test --release --workspace --all-targets
        cargo build --release --bin litmus
    else
        echo "=== cargo test --release --workspace --all-targets --target $target"
        cargo test --release --workspace --all-targets --target "$target"
    fi
done

# i686-musl is the static binary for guests and old machines. criterion (a
# dev-dependency) compiles C that needs musl-gcc, so this target runs the
# primitives' tests and a smoke run of the static litmus binary.
musl=i686-unknown-linux-musl
echo "=== cargo test --release -p pte-asm --target $musl"
cargo test --release -p pte-asm --target "$musl"
echo "=== static litmus ($musl): build and smoke run"
cargo build --release --bin litmus --target "$musl"
bin="target/$musl/release/litmus"
file "$bin" 2>/dev/null | grep -q "statically linked" || { echo "$bin is not statically linked"; exit 1; }
"$bin" list >/dev/null
"$bin" run SB PTE-ABA --strategy lowhigh,cmpxchg8b --iterations 20000 --quiet
echo "=== all targets passed; the main command now runs without compiling:"
echo "    cargo run --release --bin litmus -- run"
