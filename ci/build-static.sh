#!/usr/bin/env bash
# Builds the static musl binary into dist/ and proves what the images rely
# on: it is static (no interpreter, no shared libraries), it fits the size
# goal, and it runs in an empty root directory holding only itself — no
# libc, no /etc, no certificates, as in a FROM scratch image — down to a TLS
# handshake with a local HTTPS server whose CA comes from SSL_CERT_FILE.
#
#   bash ci/build-static.sh            # CARGO_TARGET_DIR is honoured
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIZE_GOAL=8500000 # bytes (8.5 MB; 8 MB until the one YAML parse, fs-err and the per-stage spans; 7 MB before the engine, report, init, completions and man pages)

step "toolchain"
if ! rustup target list --installed | grep -qx "$MUSL_TARGET"; then
    rustup target add "$MUSL_TARGET"
fi
if ! command -v musl-gcc >/dev/null; then
    # ring compiles C for the target.
    apt-get update -qq && apt-get install -y -qq musl-tools >/dev/null
fi

step "build"
(cd "$REPO" && cargo build --release --locked --target "$MUSL_TARGET")
mkdir -p "$REPO/dist"
cp "$TARGET_DIR/$MUSL_TARGET/release/katalon-prep" "$STATIC_BIN.tmp"
mv "$STATIC_BIN.tmp" "$STATIC_BIN"
size=$(bytes "$STATIC_BIN")
printf 'binary: %s  %d bytes (%s; goal <= %s)\n' "dist/$(basename "$STATIC_BIN")" "$size" "$(mb "$size")" "$(mb $SIZE_GOAL)"
check "binary size $(mb "$size") is within the $(mb $SIZE_GOAL) goal" test "$size" -le "$SIZE_GOAL"

step "static linking"
file "$STATIC_BIN" || true
check "no program interpreter (PT_INTERP)" bash -c "! readelf -lW '$STATIC_BIN' | grep -q INTERP"
check "no shared library dependencies (DT_NEEDED)" bash -c "! readelf -dW '$STATIC_BIN' | grep -q NEEDED"

step "an empty root: the binary alone, TLS to a local HTTPS server"
work=$(mktemp -d)
cleanup() {
    [ -n "${HTTPS_PID:-}" ] && kill "$HTTPS_PID" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root/work" "$work/tls" "$work/www/plugins"
cp "$STATIC_BIN" "$work/root/katalon-prep"
make_ca "$work/tls"
keyword_jar "$work/www/plugins/remote-keywords-2.0.jar" remote
start_https "$work/tls" "$work/www"
fixture_project "$work/project"
add_url_plugin "$work/project/katalon-prep.yml" \
    "https://127.0.0.1:$HTTPS_PORT/plugins/remote-keywords-2.0.jar" "$work/www/plugins/remote-keywords-2.0.jar"
cp "$work/tls/ca.pem" "$work/project/ca.pem"
printf 'root directory before the run: %s\n' "$(cd "$work/root" && find . -mindepth 1 | sort | tr '\n' ' ')"

# in_empty_root ENV... -- ARGS...: the binary in a private mount namespace,
# chrooted into $work/root with the project bind-mounted at /work, with an
# environment holding only ENV.
in_empty_root() {
    local -a envs=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env -i "${envs[@]}" unshare --mount --fork /bin/sh -c \
        'mount --bind "$1" "$2/work" && root=$2 && shift 2 && exec /usr/sbin/chroot "$root" /katalon-prep "$@"' \
        sh "$work/project" "$work/root" "$@"
}

set +e
in_empty_root "KATALON_API_KEY=$TEST_KEY" -- --config /work/katalon-prep.yml --cache-dir /work/cache prepare \
    >"$work/no-ca.out" 2>"$work/no-ca.err"
code=$?
set -e
sed 's/^/  | /' "$work/no-ca.err"
check "without SSL_CERT_FILE the throwaway CA is not trusted (exit $code, expected 20)" test "$code" -eq 20
check "the error names the certificate problem" grep -qi "certificate" "$work/no-ca.err"

set +e
in_empty_root "KATALON_API_KEY=$TEST_KEY" "SSL_CERT_FILE=/work/ca.pem" -- \
    --config /work/katalon-prep.yml --cache-dir /work/cache prepare >"$work/ok.out" 2>"$work/ok.err"
code=$?
set -e
sed 's/^/  | /' "$work/ok.err"
check "prepare in the empty root succeeds with SSL_CERT_FILE (exit $code, expected 0)" test "$code" -eq 0
check "the plugin was downloaded over TLS from the local server" \
    grep -q "GET /plugins/remote-keywords-2.0.jar" "$work/tls/requests.log"
check "both plugins are installed in the project" \
    test -f "$work/project/tests/katalon/Plugins/remote-keywords-2.0.jar" -a \
    -f "$work/project/tests/katalon/Plugins/local-keywords-1.0.jar"
check "the line on stdout carries the key for katalonc" grep -q -- "-apiKey=$TEST_KEY" "$work/ok.out"
check "the key appears nowhere on stderr" bash -c "! grep -q '$TEST_KEY' '$work/ok.err'"
check "the root directory still holds only the binary" \
    test "$(cd "$work/root" && find . -mindepth 1 | sort | tr '\n' ' ')" = "./katalon-prep ./work "

finish build-static
