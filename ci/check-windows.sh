#!/usr/bin/env bash
# Keeps Windows builds possible: `cargo check` of the library and binaries
# for x86_64-pc-windows-gnu
# (mingw-w64 gives the C compiler ring needs). macOS cannot be checked here
# (its SDK is not available); the release workflow builds it on GitHub.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO"
target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    apt-get update -qq && apt-get install -y -qq mingw-w64 >/dev/null
fi
# The library and binaries; the tests use Unix file APIs (modes, inodes).
check "cargo check --workspace --target $target" cargo check --locked --workspace --target "$target"
finish check-windows
