#!/usr/bin/env bash
# install.sh against a local release server, as a user runs it: archives
# built from the real binary, SHA256SUMS beside them. It installs and the
# binary runs; a wrong or missing sum fails before anything is installed;
# it runs in dash and busybox sh too (POSIX sh, as `curl ... | sh` does).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
cleanup() {
    [ -z "${HTTP_PID:-}" ] || kill "$HTTP_PID" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The shells install.sh must run in: dash is Debian's /bin/sh; busybox is
# installed here when the machine lacks it (a fresh CI machine does).
missing=()
command -v dash >/dev/null || missing+=(dash)
command -v busybox >/dev/null || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "a release on a local server"
ensure_host_binary
make_release "$work/www" "$HOST_BIN"
start_http "$work/srv" "$work/www"
URL=http://127.0.0.1:$HTTP_PORT
version=v$("$HOST_BIN" --version | cut -d' ' -f2)
ls -l "$work/www" | sed 's/^/  /'
log=$work/srv/requests.log

# install SHELL OUT [ARGS...]: runs install.sh with SHELL against the local
# server; stderr to OUT.err, status to OUT.code.
install() {
    local sh=$1 out=$2
    shift 2
    set +e
    env -u KATALON_PREP_RELEASE_URL KATALON_PREP_RELEASE_URL="$URL" HOME="$work/home" \
        $sh "$REPO/install.sh" "$@" >"$out.out" 2>"$out.err"
    echo $? >"$out.code"
    set -e
    sed 's/^/  | /' "$out.err"
}
code() { cat "$1.code"; }

step "installs what it detects, in bash, dash and busybox sh"
for sh in bash dash "busybox sh"; do
    dir=$work/to-${sh// /-}
    : >"$log"
    install "$sh" "$work/ok" --version "$version" --to "$dir"
    check "$sh: exits 0 (got $(code "$work/ok"))" test "$(code "$work/ok")" -eq 0
    check "$sh: the installed binary runs and is $version" \
        test "$("$dir/katalon-prep" --version 2>/dev/null)" = "katalon-prep ${version#v}"
    check "$sh: it is executable" test -x "$dir/katalon-prep"
    check "$sh: it fetched SHA256SUMS and the x86_64 Linux archive" \
        test "$(sort "$log" | tr '\n' ' ')" = "GET /SHA256SUMS GET /katalon-prep-x86_64-unknown-linux-musl.tar.gz "
    check "$sh: no temporary file is left beside it" test "$(ls -A "$dir")" = katalon-prep
done

step "the default folder is ~/.local/bin"
install sh "$work/default"
check "exits 0" test "$(code "$work/default")" -eq 0
check "\$HOME/.local/bin/katalon-prep runs" "$work/home/.local/bin/katalon-prep" --version
check "it says the folder is not on PATH" grep -q "is not on PATH" "$work/default.err"

step "--sums FILE: the sums come from the caller, not the server"
cp "$work/www/SHA256SUMS" "$work/pinned-sums"
: >"$log"
install sh "$work/pinned" --sums "$work/pinned-sums" --to "$work/pinned-to"
check "exits 0" test "$(code "$work/pinned")" -eq 0
check "the server's SHA256SUMS was not fetched" bash -c "! grep -q SHA256SUMS '$log'"
check "the binary is installed" test -x "$work/pinned-to/katalon-prep"

step "a wrong sum fails before anything is installed"
# The archive's sum with its first digit changed.
awk '$2 == "katalon-prep-x86_64-unknown-linux-musl.tar.gz" { $1 = ($1 ~ /^0/ ? "1" : "0") substr($1, 2); $0 = $1 "  " $2 } 1' \
    "$work/www/SHA256SUMS" >"$work/wrong-sums"
check "the fixture's sum differs from the archive's" bash -c "! cmp -s '$work/wrong-sums' '$work/www/SHA256SUMS'"
install sh "$work/wrong" --sums "$work/wrong-sums" --to "$work/wrong-to"
check "exits 1 (got $(code "$work/wrong"))" test "$(code "$work/wrong")" -eq 1
check "the error says the archive does not match its sum" grep -q "does not match its SHA-256" "$work/wrong.err"
check "and that nothing was installed" grep -q "nothing was installed" "$work/wrong.err"
check "the target folder was not even created" test ! -e "$work/wrong-to"
# The same against a binary already there: it must stay untouched.
mkdir -p "$work/keep" && printf 'old\n' >"$work/keep/katalon-prep"
install sh "$work/wrong2" --sums "$work/wrong-sums" --to "$work/keep"
check "an existing binary is left as it was" test "$(cat "$work/keep/katalon-prep")" = old

step "an archive altered on the server fails (sums from the server)"
cp -r "$work/www" "$work/www.bak"
printf 'tampered' >>"$work/www/katalon-prep-x86_64-unknown-linux-musl.tar.gz"
install sh "$work/tampered" --to "$work/tampered-to"
check "exits 1 (got $(code "$work/tampered"))" test "$(code "$work/tampered")" -eq 1
check "the error shows the expected and the actual sum" \
    bash -c "grep -q '  expected [0-9a-f]\{64\}' '$work/tampered.err' && grep -q '  got      [0-9a-f]\{64\}' '$work/tampered.err'"
check "nothing installed" test ! -e "$work/tampered-to"
rm -rf "$work/www" && mv "$work/www.bak" "$work/www"

step "a missing entry fails before the archive is downloaded"
grep -v x86_64-unknown-linux-musl "$work/www/SHA256SUMS" >"$work/missing-sums"
: >"$log"
install sh "$work/missing" --sums "$work/missing-sums" --to "$work/missing-to"
check "exits 1 (got $(code "$work/missing"))" test "$(code "$work/missing")" -eq 1
check "the error names the asset" grep -q "has no entry for katalon-prep-x86_64-unknown-linux-musl.tar.gz" "$work/missing.err"
check "the archive was never requested" test ! -s "$log"
check "nothing installed" test ! -e "$work/missing-to"

step "Windows: the zip asset"
install sh "$work/win" --target x86_64-pc-windows-msvc --to "$work/win-to"
check "exits 0 (got $(code "$work/win"))" test "$(code "$work/win")" -eq 0
check "katalon-prep.exe is installed from the zip" test -f "$work/win-to/katalon-prep.exe"
check "its bytes are the archive's" bash -c "unzip -p '$work/www/katalon-prep-x86_64-pc-windows-msvc.zip' katalon-prep.exe | cmp -s - '$work/win-to/katalon-prep.exe'"

step "refusals"
set +e
KATALON_PREP_RELEASE_URL=http://example.invalid/dl sh "$REPO/install.sh" --to "$work/http-to" >/dev/null 2>"$work/http.err"
c=$?
set -e
check "plain http to another host is refused (exit $c)" test "$c" -eq 1
check "and says https" grep -q "must be an https:// URL" "$work/http.err"
install sh "$work/usage" --frobnicate
check "an unknown argument is a usage error (exit 2)" test "$(code "$work/usage")" -eq 2
install sh "$work/badver" --version 1.x
check "a malformed --version is a usage error (exit 2)" test "$(code "$work/badver")" -eq 2
install sh "$work/notarget" --target sparc-sun-solaris --to "$work/notarget-to"
check "an unreleased target fails naming it (exit 1)" \
    bash -c "[ \"\$(cat '$work/notarget.code')\" -eq 1 ] && grep -q 'no entry for katalon-prep-sparc-sun-solaris.tar.gz' '$work/notarget.err'"

finish install-tests
