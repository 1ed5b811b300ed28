#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian
# machine (rustup targets, gcc-multilib to link the 32-bit gnu targets,
# binutils for the objdump the instruction checks run), then runs every test
# for x86_64, i686, i586 and i686-musl, optimised as the litmus runs are.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(x86_64-unknown-linux-gnu i686-unknown-linux-gnu i586-unknown-linux-gnu i686-unknown-linux-musl)

# --- install what is missing -------------------------------------------------
installed=$(rustup target list --installed)
for target in "${TARGETS[@]}"; do
    grep -qx "$target" <<<"$installed" || rustup target add "$target"
done
packages=()
dpkg -s gcc-multilib >/dev/null 2>&1 || packages+=(gcc-multilib)
command -v objdump >/dev/null 2>&1 || packages+=(binutils)
if [ ${#packages[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# --- test every target ---------------------------------------------------------
for target in "${TARGETS[@]}"; do
    echo "=== cargo test --release --workspace --target $target"
    cargo test --release --workspace --target "$target"
done
