#!/usr/bin/env bash
# Windows for real, as far as a Linux machine can: builds katalon-prep for
# x86_64-pc-windows-gnu (mingw-w64), lints that build, runs its unit tests and
# the integration tests under Wine (the `it` binary runs the real
# katalon-prep.exe, the fake katalonc.exe and Wine's cmd.exe), then a demo
# `prepare` with Windows paths. The release ships the MSVC build made on a
# Windows runner; this gnu build under Wine is its stand-in here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO"
target=x86_64-pc-windows-gnu
started=$(date +%s)

step "tools"
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
need_apt=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need_apt+=(mingw-w64)
command -v wine >/dev/null || need_apt+=(wine64 wine)
if [ "${#need_apt[@]}" -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
wine --version

# A prefix of our own, made once per target dir; no Mono or Gecko prompts.
export WINEPREFIX=${KATALON_PREP_WINEPREFIX:-$TARGET_DIR/wine-prefix}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
# One build of the Windows target per run: incremental state only costs disk.
export CARGO_INCREMENTAL=0
step "wine prefix ($WINEPREFIX)"
t0=$(date +%s)
[ -f "$WINEPREFIX/system.reg" ] || wineboot --init >/dev/null 2>&1
wineserver -w
echo "prefix ready in $(($(date +%s) - t0)) s"
# Rust's standard library (1.78+) takes random numbers from ProcessPrng in
# bcryptprimitives.dll, which Wine gained only in 9.x: a shim over
# BCryptGenRandom stands in on older Wine (never shipped).
sys32=$WINEPREFIX/drive_c/windows/system32
if [ ! -f "$sys32/bcryptprimitives.dll" ] && [ ! -f "$(dirname "$(command -v wine)")/../lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll" ]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
        ci/wine/bcryptprimitives.c ci/wine/bcryptprimitives.def -lbcrypt
    echo "installed the ProcessPrng shim"
fi

step "clippy for $target"
check "cargo clippy --target $target (the Windows-only code paths)" \
    cargo clippy --locked --workspace --all-targets --target "$target" -- -D warnings

step "tests under Wine"
t0=$(date +%s)
# Unit tests (Windows path handling included) and the integration tests;
# the Unix-only ones (modes, inodes, signals, fifos, openssl) are cfg(unix).
check "cargo test --target $target (unit and integration tests under Wine)" \
    cargo test --locked --target "$target" -p katalon-prep -- --test-threads 4
echo "tests under Wine: $(($(date +%s) - t0)) s"

step "demo prepare under Wine"
exe=$TARGET_DIR/$target/debug/katalon-prep.exe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/demo "$work/Demo Project"
rm -rf "$work/Demo Project/Plugins"
# Windows paths: a drive letter, backslashes, a space, the config's folder
# named in another case than on disk.
winwork=$(winepath -w "$work")
out=$(cd "$work" && KATALON_API_KEY=demo-not-a-real-key wine "$exe" \
    --config "${winwork}\\demo project\\katalon-prep.yml" --cache-dir "${winwork}\\cache" prepare --format cmd 2>"$work/stderr")
cat "$work/stderr"
echo "$out"
check "prepare exits 0 and prints one cmd line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "the line names the project relative to the working directory" \
    grep -qiF -- '^"-projectPath=Demo Project/Demo.prj^"' <<<"$out"
check "the keyword jar is installed in Plugins" test -f "$work/Demo Project/Plugins/demo-keywords-1.0.0.jar"
check "the offline setting is written" \
    grep -q 'OFFLINE' "$work/Demo Project/settings/internal/com.kms.katalon.execution.properties"
check "the key is only in the line" bash -c '! grep -q demo-not-a-real-key "$0"' "$work/stderr"

echo "test-windows: $(($(date +%s) - started)) s in all"
finish test-windows
