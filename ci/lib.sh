# shellcheck shell=bash disable=SC2034  # variables here are for the scripts that source it
# Shared helpers of the ci/*.sh packaging scripts (sourced, not run).
# Fixtures are made at test time: a Katalon project, a keyword plugin jar,
# a throwaway CA with a server certificate for 127.0.0.1.

# The repository root, whichever folder the script is run from.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
MUSL_TARGET=x86_64-unknown-linux-musl
STATIC_BIN=$REPO/dist/katalon-prep-$MUSL_TARGET
# A sentinel API key: any appearance of it where it must not be is a failure.
TEST_KEY=sentinel-KEY-4b1d9f40ca383c8b

FAILURES=0
PASSES=0
step() { printf '\n== %s\n' "$*"; }
pass() {
    printf 'ok: %s\n' "$*"
    PASSES=$((PASSES + 1))
}
fail() {
    printf 'FAIL: %s\n' "$*"
    FAILURES=$((FAILURES + 1))
}
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# check DESCRIPTION COMMAND...: runs a test command, counts the outcome.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# bytes FILE: its size in bytes; mb N: N bytes as MB with one decimal.
bytes() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

# keyword_jar FILE MARKER: a minimal keyword plugin (Keywords/katalon-plugin.json).
keyword_jar() {
    python3 - "$1" "$2" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("Keywords/katalon-plugin.json", '{"keywords": ["com.example.Keywords"]}')
    z.writestr("marker.txt", sys.argv[2])
PY
}

# fixture_project DIR: a checkout with tests/katalon/Demo.prj, a suite, a
# jar under vendor/ and a katalon-prep.yml listing it. More plugins can be
# appended to the config's `plugins:` list.
fixture_project() {
    local dir=$1
    mkdir -p "$dir/tests/katalon/Test Suites" "$dir/vendor"
    printf '<?xml version="1.0"?>\n<Project><name>Demo</name></Project>\n' >"$dir/tests/katalon/Demo.prj"
    printf '<?xml version="1.0"?>\n<TestSuiteEntity><name>Smoke</name></TestSuiteEntity>\n' \
        >"$dir/tests/katalon/Test Suites/Smoke.ts"
    keyword_jar "$dir/vendor/local-keywords-1.0.jar" local
    cat >"$dir/katalon-prep.yml" <<'YML'
project: tests/katalon
run:
  test-suite: Test Suites/Smoke
  browser: Chrome (headless)
offline: true
plugins:
  - path: vendor/local-keywords-1.0.jar
YML
}

# make_ca DIR: DIR/ca.pem (a throwaway CA) and DIR/server.{pem,key} for
# 127.0.0.1, valid for a day. ECDSA keys: fast to make.
make_ca() {
    local d=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -subj "/CN=katalon-prep throwaway test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 1 \
        -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
}

# start_https DIR WWW: serves WWW over TLS with DIR's certificate; sets
# HTTPS_PORT and HTTPS_PID. DIR/requests.log gets one line per request.
start_https() {
    local d=$1 www=$2
    rm -f "$d/port"
    python3 "$REPO/ci/https-server.py" --dir "$www" --cert "$d/server.pem" --key "$d/server.key" \
        --port-file "$d/port" --log "$d/requests.log" --lifetime 600 >"$d/server.out" 2>&1 &
    HTTPS_PID=$!
    for _ in $(seq 100); do
        [ -s "$d/port" ] && break
        sleep 0.1
    done
    [ -s "$d/port" ] || die "the HTTPS test server did not start: $(cat "$d/server.out")"
    HTTPS_PORT=$(cat "$d/port")
}

# add_url_plugin CONFIG URL FILE: lists URL (serving FILE) in the config.
add_url_plugin() {
    local sha
    sha=$(sha256sum "$3" | cut -d' ' -f1)
    printf '  - url: %s\n    sha256: %s\n' "$2" "$sha" >>"$1"
}

# ensure_static_binary: builds dist/ unless it is there already.
ensure_static_binary() {
    [ -x "$STATIC_BIN" ] || bash "$REPO/ci/build-static.sh" || die "could not build the static binary"
}

# finish NAME: the closing count (`NAME: N passed, N failed`), and the exit status.
finish() {
    printf '\n%s: %d passed, %d failed\n' "$1" "$PASSES" "$FAILURES"
    [ "$FAILURES" -eq 0 ]
}

# start_http DIR WWW: serves WWW over plain HTTP on 127.0.0.1 (a local
# release server); sets HTTP_PORT and HTTP_PID. DIR/requests.log gets one
# line per request.
start_http() {
    local d=$1 www=$2
    mkdir -p "$d"
    rm -f "$d/port"
    python3 "$REPO/ci/https-server.py" --dir "$www" --port-file "$d/port" --log "$d/requests.log" \
        --lifetime 900 >"$d/server.out" 2>&1 &
    HTTP_PID=$!
    for _ in $(seq 100); do
        [ -s "$d/port" ] && break
        sleep 0.1
    done
    [ -s "$d/port" ] || die "the HTTP test server did not start: $(cat "$d/server.out")"
    HTTP_PORT=$(cat "$d/port")
}

# make_release WWW UNIX_BIN [WINDOWS_EXE]: a release's downloads as the
# release workflow publishes them: katalon-prep-<target>.tar.gz for the Unix
# targets (each holding UNIX_BIN as katalon-prep, completions/, man/,
# README.md), katalon-prep-x86_64-pc-windows-msvc.zip (WINDOWS_EXE as
# katalon-prep.exe; a stand-in file without it) and SHA256SUMS. The same
# Linux binary stands in for every Unix target: only the Linux one runs here.
make_release() {
    local www=$1 bin=$2 exe=${3:-} stage t
    stage=$(mktemp -d)
    mkdir -p "$www" "$stage/unix/completions" "$stage/unix/man" "$stage/win/completions" "$stage/win/man"
    cp "$bin" "$stage/unix/katalon-prep"
    chmod 0755 "$stage/unix/katalon-prep"
    printf '# katalon-prep\n' >"$stage/unix/README.md"
    printf '# completions\n' >"$stage/unix/completions/katalon-prep.bash"
    printf '.TH KATALON-PREP 1\n' >"$stage/unix/man/katalon-prep.1"
    for t in x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin; do
        tar -C "$stage/unix" -czf "$www/katalon-prep-$t.tar.gz" katalon-prep completions man README.md
    done
    if [ -n "$exe" ]; then cp "$exe" "$stage/win/katalon-prep.exe"; else printf 'MZ stand-in\n' >"$stage/win/katalon-prep.exe"; fi
    cp "$stage/unix/README.md" "$stage/win/README.md"
    printf '# completions\n' >"$stage/win/completions/_katalon-prep.ps1"
    printf '.TH KATALON-PREP 1\n' >"$stage/win/man/katalon-prep.1"
    (cd "$stage/win" && rm -f "$www/katalon-prep-x86_64-pc-windows-msvc.zip" &&
        python3 -m zipfile -c "$www/katalon-prep-x86_64-pc-windows-msvc.zip" katalon-prep.exe completions man README.md)
    (cd "$www" && sha256sum katalon-prep-*.tar.gz katalon-prep-*.zip >SHA256SUMS)
    rm -rf "$stage"
}

# ensure_host_binary: builds the host's (glibc) binary; sets HOST_BIN. It
# stands in for the release's Linux binary in the install and Action tests.
ensure_host_binary() {
    (cd "$REPO" && cargo build --locked --bin katalon-prep >/dev/null 2>&1) ||
        (cd "$REPO" && cargo build --locked --bin katalon-prep) || die "could not build katalon-prep"
    HOST_BIN=$TARGET_DIR/debug/katalon-prep
}
