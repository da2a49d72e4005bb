#!/usr/bin/env bash
# The native Action (action.yml, a composite action) run as the GitHub runner
# runs it (ci/gh-composite.py), against a local release server:
#   Linux   as an unprivileged "runner" user (UID 1234), the runner's
#           environment emulated (RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE,
#           RUNNER_TEMP, GITHUB_*), the release's binary installed from a
#           tar.gz checked against the action's release/SHA256SUMS
#   Windows RUNNER_OS=Windows, the Windows binary installed from the zip and
#           run under Wine
# A wrong sum makes it fail before anything runs; a ref without
# release/SHA256SUMS (main) says so and stops.
#
# The release's archives hold the host's (glibc) binary standing in for the
# musl one, and the x86_64-pc-windows-gnu build standing in for the msvc one:
# neither musl nor msvc builds change what the Action does with them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNNER_UID=1234
work=$(mktemp -d)
chmod 0755 "$work"
cleanup() {
    [ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

step "tools"
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml
win_target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$win_target" || rustup target add "$win_target"
command -v x86_64-w64-mingw32-gcc >/dev/null || { apt-get update -qq && apt-get install -y -qq mingw-w64 >/dev/null; }
command -v wine >/dev/null || { apt-get update -qq && apt-get install -y -qq wine wine64 >/dev/null; }
ensure_host_binary
(cd "$REPO" && cargo build --locked --target "$win_target" --bin katalon-prep) || die "could not build the Windows binary"
WIN_EXE=$TARGET_DIR/$win_target/debug/katalon-prep.exe
# Rust's standard library takes its random numbers from ProcessPrng in
# bcryptprimitives.dll (Windows 10 and later); Debian's Wine 8 lacks that
# export. The Wine prefix stands in for a Windows runner, so it gets a
# bcryptprimitives.dll whose ProcessPrng is Windows' RtlGenRandom.
export WINEPREFIX=$TARGET_DIR/action-tests-wine WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll.katalon-prep" ]; then
    wineboot --init >/dev/null 2>&1 || true
    cat >"$work/prng.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
C
    x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
        "$work/prng.c" -ladvapi32 || die "could not build the bcryptprimitives.dll stand-in"
    : >"$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll.katalon-prep"
fi
check "the Windows binary runs under Wine" wine "$WIN_EXE" --version
version=$("$HOST_BIN" --version | cut -d' ' -f2)
echo "katalon-prep $version; Linux stand-in $HOST_BIN; Windows stand-in $WIN_EXE"

step "a release on a local server, and the action at its tag"
make_release "$work/www" "$HOST_BIN" "$WIN_EXE"
start_http "$work/srv" "$work/www"
export KATALON_PREP_RELEASE_URL=http://127.0.0.1:$HTTP_PORT
log=$work/srv/requests.log
# action_ref DIR [SUMS]: the action as a released tag holds it: action.yml,
# install.sh, release/VERSION and release/SHA256SUMS (SUMS, or the release's).
action_ref() {
    mkdir -p "$1/release"
    cp "$REPO/action.yml" "$REPO/install.sh" "$1/"
    printf '%s\n' "$version" >"$1/release/VERSION"
    cp "${2:-$work/www/SHA256SUMS}" "$1/release/SHA256SUMS"
}
action_ref "$work/tag"
chmod -R a+rX "$work"

# runner NAME OS ARCH [--input K=V]...: one job: a fresh checkout in
# $work/NAME/workspace, the runner's folders, then the action's steps.
# RUNNER_TOOL_CACHE is $work/toolcache-OS unless TOOL_CACHE is set. Linux
# runs its steps as UID 1234; Windows (Wine) as this user. Exit status in NAME/code.
runner() {
    local os=$2 arch=$3 dir=$work/$1
    shift 3
    mkdir -p "$dir/temp" "$dir/state" "${TOOL_CACHE:=$work/toolcache-$os}"
    fixture_project "$dir/workspace"
    local -a as=() extra=()
    if [ "$os" = Linux ]; then
        chown -R "$RUNNER_UID:$RUNNER_UID" "$dir" "$TOOL_CACHE"
        as=(--uid "$RUNNER_UID")
    else
        extra=(--launch-exe-with wine)
    fi
    : >"$log"
    set +e
    env -i PATH="$PATH" HOME="$dir/temp" LANG=C.UTF-8 \
        WINEPREFIX="$WINEPREFIX" WINEDEBUG=-all \
        KATALON_PREP_RELEASE_URL="$KATALON_PREP_RELEASE_URL" \
        RUNNER_OS="$os" RUNNER_ARCH="$arch" RUNNER_TEMP="$dir/temp" RUNNER_TOOL_CACHE="$TOOL_CACHE" \
        GITHUB_WORKSPACE="$dir/workspace" GITHUB_REPOSITORY=acme/shop GITHUB_RUN_ID=1 \
        python3 "$REPO/ci/gh-composite.py" "${ACTION:-$work/tag}/action.yml" \
        --workspace "$dir/workspace" --state "$dir/state" "${as[@]}" "${extra[@]}" "$@" >"$dir/out" 2>&1
    echo $? >"$dir/code"
    set -e
    unset TOOL_CACHE
    sed 's/^/  | /' "$dir/out"
}
code() { cat "$work/$1/code"; }
out() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1/state/outputs.json" "$2"; }
steps_run() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/$1/state/steps.json"; }
# masked_first NAME: the first line of the log that holds the key is its
# ::add-mask:: (the runner masks every later appearance).
masked_first() { test "$(grep -F -m1 "$TEST_KEY" "$work/$1/state/log")" = "::add-mask::$TEST_KEY"; }
no_key_under() { ! grep -rqF "$TEST_KEY" "$@"; }

step "Linux X64, cold tool cache"
runner linux Linux X64 --input "api-key=$TEST_KEY" --input locked=false \
    --input "args=-retry=1 --config -webui.autoUpdateDrivers=true"
check "the action exits 0 (got $(code linux))" test "$(code linux)" -eq 0
check "both steps ran" test "$(steps_run linux)" = 2
check "it downloaded the x86_64 Linux archive, and not the server's sums (it has its own)" \
    test "$(cat "$log")" = "GET /katalon-prep-x86_64-unknown-linux-musl.tar.gz"
tc=$work/toolcache-Linux/katalon-prep/$version
check "the binary is in the tool cache (<tool>/<version>/<arch>)" test -x "$tc/x64/katalon-prep"
check "the tool cache marker holds the archive's sum" \
    test "$(cat "$tc/x64.complete")" = "$(sha256sum "$work/www/katalon-prep-x86_64-unknown-linux-musl.tar.gz" | cut -d' ' -f1)"
check "the tool's folder is added to PATH for later steps" grep -qx "$tc/x64" "$work/linux/state/path"
check "output project-path is relative to the workspace" test "$(out linux project-path)" = tests/katalon/Demo.prj
check "output plugins-dir is relative to the workspace" test "$(out linux plugins-dir)" = tests/katalon/Plugins
check "output cache-dir is the default" test "$(out linux cache-dir)" = .katalon-prep-cache
check "output cache-key is set" test -n "$(out linux cache-key)"
check "output args holds the key and the args input, --config options last" \
    bash -c "out=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"args\"])' '$work/linux/state/outputs.json'); [[ \$out == *-apiKey=$TEST_KEY* && \$out == *-retry=1* && \$out == *'--config -webui.autoUpdateDrivers=true' ]]"
check "output args-for-katalon-action leaves out -projectPath" bash -c '! grep -q -- -projectPath <<<"$1"' _ "$(out linux args-for-katalon-action)"
check "the plugin is installed in the project" test -f "$work/linux/workspace/tests/katalon/Plugins/local-keywords-1.0.jar"
check "everything in the workspace belongs to the runner user (UID $RUNNER_UID)" \
    test -z "$(find "$work/linux/workspace" ! -uid "$RUNNER_UID" -print -quit)"
check "the key is masked (::add-mask::) before it appears in the log" masked_first linux
check "the key is in no file of the workspace, tool cache or temp" \
    no_key_under "$work/linux/workspace" "$work/toolcache-Linux" "$work/linux/temp"
check "the step summary lists the plugin" grep -q "| local-keywords-1.0.jar |" "$work/linux/state/summary.md"

step "Linux X64, warm tool cache"
runner linux-warm Linux X64 --input "api-key=$TEST_KEY"
check "exits 0 (got $(code linux-warm))" test "$(code linux-warm)" -eq 0
check "nothing was downloaded" test ! -s "$log"
check "it says the binary came from the tool cache" grep -q "from the tool cache" "$work/linux-warm/out"

step "Linux X64, a cached copy from other sums is installed again"
printf '%064d\n' 0 >"$tc/x64.complete"
printf 'not katalon-prep\n' >"$tc/x64/katalon-prep"
runner linux-stale Linux X64 --input "api-key=$TEST_KEY"
check "exits 0 (got $(code linux-stale))" test "$(code linux-stale)" -eq 0
check "the archive was downloaded again" test "$(cat "$log")" = "GET /katalon-prep-x86_64-unknown-linux-musl.tar.gz"
check "the cached binary is the release's again" cmp -s "$tc/x64/katalon-prep" "$HOST_BIN"

step "workdir-as: absolute paths for the official Katalon action"
runner linux-abs Linux X64 --input "api-key=$TEST_KEY" --input "workdir-as=/home/runner/work/shop/shop"
check "exits 0 (got $(code linux-abs))" test "$(code linux-abs)" -eq 0
check "args has absolute paths under workdir-as" \
    grep -q -- "-reportFolder=/home/runner/work/shop/shop/\|-projectPath=/home/runner/work/shop/shop/" \
    <<<"$(out linux-abs args)"

step "a wrong sum in the action: fails before anything runs"
awk '{ $1 = ($1 ~ /^0/ ? "1" : "0") substr($1, 2); print $1 "  " $2 }' "$work/www/SHA256SUMS" >"$work/wrong-sums"
action_ref "$work/tag-wrong" "$work/wrong-sums"
chmod -R a+rX "$work/tag-wrong"
ACTION=$work/tag-wrong TOOL_CACHE=$work/toolcache-wrong runner linux-wrong Linux X64 --input "api-key=$TEST_KEY"
check "the action fails (got $(code linux-wrong))" test "$(code linux-wrong)" -ne 0
check "the install step failed and the prepare step never ran" test "$(steps_run linux-wrong)" = 1
check "it says the archive does not match" grep -q "does not match its SHA-256" "$work/linux-wrong/out"
check "the archive was downloaded (the check ran)" grep -q "GET /katalon-prep-x86_64-unknown-linux-musl.tar.gz" "$log"
check "no binary in the tool cache" test -z "$(find "$work/toolcache-wrong" -type f -print -quit)"
check "the project was not touched (no Plugins folder)" test ! -e "$work/linux-wrong/workspace/tests/katalon/Plugins"
check "no outputs" test -z "$(out linux-wrong args)$(out linux-wrong project-path)"

step "a ref without release/SHA256SUMS (main): says so and stops"
mkdir -p "$work/main" && cp "$REPO/action.yml" "$REPO/install.sh" "$work/main/" && chmod -R a+rX "$work/main"
ACTION=$work/main TOOL_CACHE=$work/toolcache-main runner linux-main Linux X64 --input "api-key=$TEST_KEY"
check "the action fails (got $(code linux-main))" test "$(code linux-main)" -ne 0
check "an ::error:: says this ref is not released and names build-from-source" \
    grep -q "^::error title=katalon-prep is not released at this ref::.*build-from-source: true" "$work/linux-main/out"
check "nothing was downloaded" test ! -s "$log"
check "the prepare step never ran" test "$(steps_run linux-main)" = 1

step "build-from-source without cargo: a clear error"
ACTION=$work/main TOOL_CACHE=$work/toolcache-main PATH=/usr/bin:/bin runner linux-nocargo Linux X64 --input build-from-source=true
check "the action fails (got $(code linux-nocargo))" test "$(code linux-nocargo)" -ne 0
check "the error says cargo is needed" grep -q "build-from-source: true needs cargo" "$work/linux-nocargo/out"
ACTION=$work/main TOOL_CACHE=$work/toolcache-main runner linux-badbool Linux X64 --input build-from-source=yes
check "build-from-source: yes is refused (exit 10, got $(code linux-badbool))" test "$(code linux-badbool)" -eq 10

step "an unsupported runner: a clear error"
TOOL_CACHE=$work/toolcache-x86 runner linux-x86 Linux X86 --input "api-key=$TEST_KEY"
check "the action fails (got $(code linux-x86))" test "$(code linux-x86)" -ne 0
check "the error names the runner and build-from-source" grep -q "No katalon-prep release for Linux/X86.*build-from-source" "$work/linux-x86/out"

step "Windows X64 under Wine"
runner windows Windows X64 --input "api-key=$TEST_KEY" --input "args=-retry=1"
check "the action exits 0 (got $(code windows))" test "$(code windows)" -eq 0
check "it downloaded the Windows zip" test "$(cat "$log")" = "GET /katalon-prep-x86_64-pc-windows-msvc.zip"
check "katalon-prep.exe is in the tool cache, the Windows build" \
    cmp -s "$work/toolcache-Windows/katalon-prep/$version/x64/katalon-prep.exe" "$WIN_EXE"
check "the Windows binary ran (under Wine)" grep -q "Windows programs are launched with wine" "$work/windows/out"
check "output project-path is workspace-relative with / separators" test "$(out windows project-path)" = tests/katalon/Demo.prj
check "output args holds the key and the args input" \
    bash -c "[[ '$(out windows args)' == *-apiKey=$TEST_KEY*-retry=1* ]]"
check "the plugin is installed in the project" test -f "$work/windows/workspace/tests/katalon/Plugins/local-keywords-1.0.jar"
check "the key is masked (::add-mask::) before it appears in the log" masked_first windows

step "Windows X64, a wrong sum: fails before anything runs"
ACTION=$work/tag-wrong TOOL_CACHE=$work/toolcache-winwrong runner windows-wrong Windows X64 --input "api-key=$TEST_KEY"
check "the action fails (got $(code windows-wrong))" test "$(code windows-wrong)" -ne 0
check "the prepare step never ran" test "$(steps_run windows-wrong)" = 1
check "it says the zip does not match" grep -q "katalon-prep-x86_64-pc-windows-msvc.zip does not match its SHA-256" "$work/windows-wrong/out"
check "no program in the tool cache" test -z "$(find "$work/toolcache-winwrong" -type f -print -quit)"

finish action-tests
