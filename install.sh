#!/bin/sh
# Installs a released katalon-prep binary, checked against the release's
# SHA-256 sums before anything is installed.
#
#   curl -fsSL https://github.com/katalon-prep/katalon-prep/releases/latest/download/install.sh | sh
#   sh install.sh [--version vX.Y.Z] [--to DIR] [--sums FILE] [--target TRIPLE]
#
#   --version vX.Y.Z  the release to install [default: the latest release]
#   --to DIR          where the binary goes [default: $HOME/.local/bin]
#   --sums FILE       check against this SHA256SUMS file (e.g. one committed in
#                     your repository) instead of the one the release serves
#   --target TRIPLE   the asset to install [default: detected from uname]
#
#   KATALON_PREP_RELEASE_URL  the base URL of a release's downloads (a mirror,
#                     a local server) instead of GitHub's
#
# POSIX sh: runs in dash, busybox sh, bash (also Git Bash on Windows) and zsh.
# Needs curl or wget, sha256sum (or shasum, or openssl), tar or unzip.
# Exit status: 0 installed, 1 failed (nothing installed), 2 usage error.
set -eu

REPO_URL=https://github.com/katalon-prep/katalon-prep
NAME=katalon-prep

say() { printf 'katalon-prep install: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$1" >&2
    [ -z "${2:-}" ] || printf 'hint: %s\n' "$2" >&2
    exit 1
}
usage() {
    printf 'error: %s\n' "$1" >&2
    printf 'usage: install.sh [--version vX.Y.Z] [--to DIR] [--sums FILE] [--target TRIPLE]\n' >&2
    exit 2
}

version='' to='' sums='' target=''
while [ "$#" -gt 0 ]; do
    case $1 in
    --version | --to | --sums | --target)
        if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage "$1 needs a value"; fi
        case $1 in
        --version) version=$2 ;;
        --to) to=$2 ;;
        --sums) sums=$2 ;;
        --target) target=$2 ;;
        esac
        shift 2
        ;;
    --version=* | --to=* | --sums=* | --target=*)
        value=${1#*=}
        [ -n "$value" ] || usage "${1%%=*} needs a value"
        case $1 in
        --version=*) version=$value ;;
        --to=*) to=$value ;;
        --sums=*) sums=$value ;;
        --target=*) target=$value ;;
        esac
        shift
        ;;
    -h | --help)
        sed -n '2,19p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) usage "unknown argument \`$1\`" ;;
    esac
done

if [ -n "$version" ]; then
    case $version in
    v[0-9]*.[0-9]*.[0-9]*) ;;
    [0-9]*.[0-9]*.[0-9]*) version=v$version ;;
    *) usage "--version $version is not a release version (vX.Y.Z)" ;;
    esac
fi
[ -z "$sums" ] || [ -f "$sums" ] || die "--sums $sums: no such file" "give the path of a SHA256SUMS file"

# The target triple of this machine, as the release names its assets.
if [ -z "$target" ]; then
    os=$(uname -s)
    arch=$(uname -m)
    case $arch in
    x86_64 | amd64 | x64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no katalon-prep release for this machine's architecture ($arch)" "build from source: cargo install --locked --git $REPO_URL" ;;
    esac
    case $os in
    Linux) target=$arch-unknown-linux-musl ;;
    Darwin) target=$arch-apple-darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
        # Windows on ARM runs the x64 build under emulation.
        target=x86_64-pc-windows-msvc
        ;;
    *) die "no katalon-prep release for this operating system ($os)" "build from source: cargo install --locked --git $REPO_URL" ;;
    esac
fi
case $target in
*-windows-*) asset=$NAME-$target.zip exe=.exe ;;
*) asset=$NAME-$target.tar.gz exe='' ;;
esac

if [ -n "${KATALON_PREP_RELEASE_URL:-}" ]; then
    base=${KATALON_PREP_RELEASE_URL%/}
elif [ -n "$version" ]; then
    base=$REPO_URL/releases/download/$version
else
    base=$REPO_URL/releases/latest/download
fi
# Plain HTTP only to this machine (a local mirror, the tests): the sums come
# from the same place as the archive unless --sums names a file.
case $base in
https://*) ;;
http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
*) die "KATALON_PREP_RELEASE_URL must be an https:// URL (got $base)" "plain http:// is accepted for 127.0.0.1 and localhost only" ;;
esac

[ -n "$to" ] || to=${HOME:?HOME is not set: give --to DIR}/.local/bin

download() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --tries=3 --output-document="$2" "$1"
    else
        die "neither curl nor wget is installed" "install one of them, or download $1 by hand"
    fi
}
sha256() { # FILE: its hex digest
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d' ' -f1
    else
        die "no sha256sum, shasum or openssl to check the download with"
    fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t katalon-prep)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "$sums" ]; then
    say "downloading $base/SHA256SUMS"
    download "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $base/SHA256SUMS" "check --version and KATALON_PREP_RELEASE_URL"
    sums=$tmp/SHA256SUMS
fi
# `<sha256>  <asset>` lines (`*<asset>` in binary mode); CRLF tolerated.
want=$(tr -d '\r' <"$sums" | awk -v a="$asset" '$2 == a || $2 == "*" a { print tolower($1); exit }')
case $want in
'') die "$sums has no entry for $asset: nothing was installed" "is $target a released target? the release's SHA256SUMS lists them" ;;
*[!0-9a-f]*) die "$sums: the entry for $asset is not a SHA-256 ($want)" ;;
esac
[ "${#want}" -eq 64 ] || die "$sums: the entry for $asset is not a SHA-256 ($want)"

say "downloading $base/$asset"
download "$base/$asset" "$tmp/$asset" || die "could not download $base/$asset" "check --version and KATALON_PREP_RELEASE_URL"
got=$(sha256 "$tmp/$asset")
if [ "$got" != "$want" ]; then
    die "$asset does not match its SHA-256 in $sums: nothing was installed
  expected $want
  got      $got" "the download was altered or the sums belong to another release; do not use this file"
fi
say "sha256 $got ok"

mkdir "$tmp/x"
case $asset in
*.zip)
    if command -v unzip >/dev/null 2>&1; then
        unzip -q "$tmp/$asset" -d "$tmp/x"
    elif command -v 7z >/dev/null 2>&1; then
        7z x -y -o"$tmp/x" "$tmp/$asset" >/dev/null
    elif command -v python3 >/dev/null 2>&1; then
        python3 -m zipfile -e "$tmp/$asset" "$tmp/x"
    else
        die "no unzip, 7z or python3 to extract $asset"
    fi
    ;;
*) tar -xzf "$tmp/$asset" -C "$tmp/x" ;;
esac
# The binary at the top of the archive, or in its single folder.
bin=''
for candidate in "$tmp/x/$NAME$exe" "$tmp/x"/*/"$NAME$exe"; do
    if [ -f "$candidate" ]; then
        bin=$candidate
        break
    fi
done
[ -n "$bin" ] || die "$asset holds no $NAME$exe"

mkdir -p "$to" || die "cannot create $to" "give a writable folder with --to DIR"
# Copied next to its final name, then renamed: a running copy is never
# overwritten half-way.
cp "$bin" "$to/.$NAME$exe.$$" || die "cannot write to $to" "give a writable folder with --to DIR"
chmod 0755 "$to/.$NAME$exe.$$"
mv -f "$to/.$NAME$exe.$$" "$to/$NAME$exe"
say "installed $to/$NAME$exe ($target${version:+ $version})"
case :${PATH:-}: in
*:"$to":*) ;;
*) say "$to is not on PATH: add it, or run $to/$NAME$exe" ;;
esac
