#!/usr/bin/env bash
# Builds both images from the Dockerfile with the static binary made on the
# host, and runs them the way each CI system does (../shared/ci-conventions.md):
#   1. GitHub container action (runs.args from container/action.yml, INPUT_*, /github/*)
#   2. GitLab job: the component's script piped into the shell image's sh
#   3. Jenkins docker agent: `docker run -d -u 1234:1234 IMAGE cat` + docker exec
#   4. local: docker run --rm -v "$PWD":/work -w /work IMAGE prepare
#   5. matrix --format gitlab: the child pipeline's jobs piped into sh, the
#      shard jobs in a stand-in for the Katalon image
#   6. examples/Jenkinsfile: each stage's sh steps docker exec'd as UID 1234
#   7. examples/azure-pipelines.yml: its script steps in a shell
# and no file in any of their workspaces belongs to root.
# Where no Docker engine answers, it says so loudly and exits 0.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if ! docker info >/dev/null 2>&1; then
    echo "SKIPPED: no Docker engine (docker info failed): the container tests did not run"
    exit 0
fi

SIZE_GOAL=8500000 # bytes (8.5 MB) for the scratch image
# KATALON_PREP_CI_TAG keeps parallel runs on one Docker engine apart.
TAG=katalon-prep:${KATALON_PREP_CI_TAG:-ci}
SHELL_TAG=katalon-prep:${KATALON_PREP_CI_TAG:-ci}-shell
# The shell variant's base, exactly as the Dockerfile names it.
SHELL_BASE=$(sed -n 's/^ARG SHELL_BASE=//p' "$REPO/Dockerfile")
[ -n "$SHELL_BASE" ] || die "no ARG SHELL_BASE in the Dockerfile"
# This engine cannot pull, and only the legacy builder is there.
export DOCKER_BUILDKIT=0

work=$(mktemp -d)
# Readable by the unprivileged users the tests run as (Azure's steps).
chmod 0755 "$work"
containers=()
cleanup() {
    for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    [ -z "${HTTPS_PID:-}" ] || kill "$HTTPS_PID" 2>/dev/null || true
    [ -z "${HTTP_PID:-}" ] || kill "$HTTP_PID" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml
ensure_static_binary

step "base image $SHELL_BASE"
if docker image inspect "$SHELL_BASE" >/dev/null 2>&1; then
    echo "present"
else
    # Debian's busybox-static, imported under the Dockerfile's base tag, so
    # the Dockerfile builds unchanged without a registry.
    mkdir -p "$work/busybox" && (cd "$work/busybox" && apt-get download busybox-static >/dev/null 2>&1) ||
        { apt-get update -qq && (cd "$work/busybox" && apt-get download busybox-static >/dev/null); }
    rootfs=$work/busybox/rootfs
    dpkg-deb -x "$work"/busybox/busybox-static_*.deb "$work/busybox/pkg"
    mkdir -p "$rootfs"/{bin,etc,root,tmp,home,usr/bin,usr/local/bin}
    cp "$work/busybox/pkg/bin/busybox" "$rootfs/bin/busybox"
    for applet in $("$rootfs/bin/busybox" --list); do
        [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
    done
    chmod 1777 "$rootfs/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
    tar -C "$rootfs" -c . | docker import --change 'CMD ["sh"]' - "$SHELL_BASE" >/dev/null
    echo "imported Debian's busybox-static $(dpkg-deb -f "$work"/busybox/busybox-static_*.deb Version) as $SHELL_BASE"
fi

step "build the images (the user's Dockerfile; binary from dist/)"
build() {
    docker build --quiet --target "$1" -t "$2" \
        --build-arg BUILD_IMAGE="$SHELL_BASE" \
        --build-arg PREBUILT="dist/$(basename "$STATIC_BIN")" \
        --build-arg VERSION="$("$STATIC_BIN" --version | cut -d' ' -f2)" \
        --build-arg REVISION="$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)" \
        "$REPO" >/dev/null
}
check "docker build --target static" build static "$TAG"
check "docker build --target shell" build shell "$SHELL_TAG"
size=$(docker image inspect -f '{{.Size}}' "$TAG")
shell_size=$(docker image inspect -f '{{.Size}}' "$SHELL_TAG")
printf 'image %-22s %9d bytes (%s; goal <= %s)\n' "$TAG" "$size" "$(mb "$size")" "$(mb $SIZE_GOAL)"
printf 'image %-22s %9d bytes (%s)\n' "$SHELL_TAG" "$shell_size" "$(mb "$shell_size")"
check "scratch image $(mb "$size") is within the $(mb $SIZE_GOAL) goal" test "$size" -le "$SIZE_GOAL"
check "OCI labels are set" test "$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.title"}}' "$TAG")" = katalon-prep
check "the scratch image holds the binary only" \
    test "$(docker create "$TAG" | tee "$work/cid" >/dev/null; docker export "$(cat "$work/cid")" | tar -t | grep -v '/$' | grep -vE '^(\.dockerenv|etc/|proc/|sys/|dev/)' | tr '\n' ' ')" = "usr/local/bin/katalon-prep "
docker rm -f "$(cat "$work/cid")" >/dev/null

# Fixtures: a checkout with a jar in the repo, and a plugin served over TLS
# by a local server (the containers share the host's loopback).
make_ca_dir() { mkdir -p "$work/tls" "$work/www/plugins" && make_ca "$work/tls"; }
make_ca_dir
keyword_jar "$work/www/plugins/remote-keywords-2.0.jar" remote
start_https "$work/tls" "$work/www"
REMOTE_URL="https://127.0.0.1:$HTTPS_PORT/plugins/remote-keywords-2.0.jar"
# checkout DIR: a fresh checkout with both plugins and the test CA.
checkout() {
    fixture_project "$1"
    add_url_plugin "$1/katalon-prep.yml" "$REMOTE_URL" "$work/www/plugins/remote-keywords-2.0.jar"
    cp "$work/tls/ca.pem" "$1/test-ca.pem"
}
# no_key_under DIR...: the sentinel key is in no file there.
no_key_under() { ! grep -rqF "$TEST_KEY" "$@"; }

# The owner of the checkouts mounted into root containers (a runner's user).
CHECKOUT_UID=1000

step "1. GitHub container action"
# The runner's layout: <work>/<repo>/<repo> is the workspace, <work>/_temp
# holds what it mounts as /github/home, /github/workflow and
# /github/file_commands; all of it belongs to the runner's user (UID 1001 on
# GitHub's hosted runners), the container runs as root.
RUNNER_UID=1001
gh=$work/github
# gh_action NAME CACHE_DIR: the action in a fresh checkout $gh/NAME/shop/shop;
# its log in $gh/NAME.log, its exit status in $gh/NAME.code.
gh_action() {
    local w=$gh/$1
    checkout "$w/shop/shop"
    mkdir -p "$w/_temp/_runner_file_commands" "$w/_temp/_github_home" "$w/_temp/_github_workflow"
    : >"$w/_temp/_runner_file_commands/set_output_1"
    : >"$w/_temp/_runner_file_commands/step_summary_1"
    chown -R "$RUNNER_UID:$RUNNER_UID" "$w"
    set +e
    docker run --rm --network host --workdir /github/workspace \
        -e "INPUT_API-KEY=$TEST_KEY" -e INPUT_CONFIG= -e INPUT_PROJECT= -e "INPUT_CACHE-DIR=$2" \
        -e INPUT_LOCKED=false -e INPUT_OFFLINE=false -e INPUT_ALLOW=unlisted-option \
        -e INPUT_ARGS="-retry=1 --config -webui.autoUpdateDrivers=true" \
        -e HOME=/github/home -e GITHUB_ACTIONS=true -e CI=true -e GITHUB_WORKSPACE=/github/workspace \
        -e GITHUB_OUTPUT=/github/file_commands/set_output_1 -e GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_1 \
        -e SSL_CERT_FILE=/github/workspace/test-ca.pem \
        -v "$w/_temp/_github_home":/github/home -v "$w/_temp/_github_workflow":/github/workflow \
        -v "$w/_temp/_runner_file_commands":/github/file_commands -v "$w/shop/shop":/github/workspace \
        "$TAG" "${action_args[@]}" >"$gh/$1.log" 2>&1
    echo $? >"$gh/$1.code"
    set -e
    sed 's/^/  | /' "$gh/$1.log"
}
# runs.args exactly as container/action.yml has them.
mapfile -t action_args < <(python3 -c 'import sys, yaml; [print(a) for a in yaml.safe_load(open(sys.argv[1]))["runs"]["args"]]' "$REPO/container/action.yml")
gh_action default .katalon-prep-cache
code=$(cat "$gh/default.code")
check "the action exits 0 (got $code)" test "$code" -eq 0
check "::add-mask:: is the first line of output" test "$(head -n1 "$gh/default.log")" = "::add-mask::$TEST_KEY"
python3 - "$gh/default/shop/shop" "$gh/default/_temp/_runner_file_commands" "$TEST_KEY" >"$gh/checks" <<'PY' || true
import os, shlex, sys
ws, fc, key = sys.argv[1], sys.argv[2], sys.argv[3]

def parse(text):
    """$GITHUB_OUTPUT by the runner's rules: name=value, or name<<DELIM ... DELIM."""
    out, lines = {}, text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, hd = line.find("="), line.find("<<")
        if hd != -1 and (eq == -1 or hd < eq):
            name, delim = line[:hd], line[hd + 2:]
            value = []
            while lines[i] != delim:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        else:
            out[line[:eq]] = line[eq + 1:]
    return out

def check(ok, what):
    print(("ok" if ok else "FAIL") + "\t" + what)

try:
    out = parse(open(os.path.join(fc, "set_output_1"), encoding="utf-8").read())
except Exception as e:  # a parse failure is a failed check, not a crash
    check(False, f"the outputs file parses with the runner's rules ({e!r})")
    sys.exit()
check(True, "the outputs file parses with the runner's rules")
want = ["args", "args-for-katalon-action", "project-path", "plugins-dir", "cache-dir", "cache-key"]
check(sorted(out) == sorted(want), f"outputs are exactly {want} (got {sorted(out)})")
for name in ["project-path", "plugins-dir", "cache-dir"]:
    p = out.get(name, "")
    check(p and not p.startswith("/") and os.path.exists(os.path.join(ws, p)),
          f"output {name}={p!r} is relative and exists in the workspace on the host")
args = shlex.split(out.get("args", ""))
check(f"-apiKey={key}" in args, "output args holds the key for katalonc")
check(args[-2:] == ["--config", "-webui.autoUpdateDrivers=true"] and "-retry=1" in args,
      "the `args` input's options are in the line, --config options last")
ka = shlex.split(out.get("args-for-katalon-action", ""))
check(not any(a.split("=")[0] in ("-noSplash", "-runMode", "-projectPath") for a in ka),
      "args-for-katalon-action leaves out -noSplash, -runMode, -projectPath")
md = open(os.path.join(fc, "step_summary_1"), encoding="utf-8").read()
check(key not in md, "the step summary never contains the key")
check("| Plugin | Version | Source | SHA-256 | Fetched |" in md, "the step summary has the plugin table header")
check("| local-keywords-1.0.jar |" in md and "| cached |" in md, "the summary lists the repo jar as cached")
check("| remote-keywords-2.0.jar |" in md and "| downloaded |" in md, "the summary lists the url jar as downloaded")
PY
while IFS=$'\t' read -r verdict what; do
    if [ "$verdict" = ok ]; then pass "$what"; else fail "$what"; fi
done <"$gh/checks"
check "the plugin came over TLS from the local server (scratch image, SSL_CERT_FILE)" \
    grep -q "GET /plugins/remote-keywords-2.0.jar" "$work/tls/requests.log"
check "the key is in no file of the workspace, cache or home" no_key_under "$gh/default/shop/shop" "$gh/default/_temp/_github_home"
check "the action gave the runner's user what it wrote: nothing in the workspace is root's" \
    test -z "$(find "$gh/default" -uid 0 -print -quit)"
check "it says so" grep -q "root-owned entries to UID $RUNNER_UID:$RUNNER_UID" "$gh/default.log"

gh_action home /github/home/plugin-cache
check "a cache in /github/home works (got $(cat "$gh/home.code"))" test "$(cat "$gh/home.code")" -eq 0
home_out=$(sed -n 's/^cache-dir=//p' "$gh/home/_temp/_runner_file_commands/set_output_1")
check "its output is relative to the workspace, through the runner's layout ($home_out)" \
    test "$home_out" = ../../_temp/_github_home/plugin-cache
check "and names the cache on the host" test -f "$gh/home/shop/shop/$home_out/CACHEDIR.TAG"
check "the cache in home is the runner user's too" test -z "$(find "$gh/home" -uid 0 -print -quit)"

gh_action outside /opt/katalon-cache
check "a cache outside the mounted folders is an error (exit 10, got $(cat "$gh/outside.code"))" \
    test "$(cat "$gh/outside.code")" -eq 10
check "that says where to put it" grep -q "outside the folders the runner mounts.*hint: put it in the workspace" \
    <<<"$(tr '\n' ' ' <"$gh/outside.log")"
check "and installed nothing" test ! -e "$gh/outside/shop/shop/tests/katalon/Plugins"

step "1b. GitHub container action: command report"
# A run's reports, as katalonc 10.x leaves them: 12 failed cases (one
# quoting the key), so the annotations stop at 10 and count the rest.
rdir="$gh/default/shop/shop/tests/katalon/Reports/20240105_101010/Smoke/20240105_101011"
mkdir -p "$rdir"
echo log >"$rdir/execution0.log"
{
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Smoke">\n'
    printf '<testsuite name="Smoke" id="Test Suites/Smoke" time="30.0">\n'
    for i in $(seq 1 12); do
        printf '<testcase name="Test Cases/T%s" classname="Test Cases/T%s" status="FAILED" time="2.5">' "$i" "$i"
        printf '<failure type="FAILED" message="step %s failed with key %s">x</failure></testcase>\n' "$i" "$TEST_KEY"
    done
    printf '<testcase name="Test Cases/Fine" status="PASSED" time="1.0"/>\n</testsuite>\n</testsuites>\n'
} >"$rdir/JUnit_Report.xml"
# katalonc ran as the runner's user: the reports are that user's.
chown -R "$RUNNER_UID:$RUNNER_UID" "$gh/default/shop/shop/tests/katalon/Reports"
: >"$gh/default/_temp/_runner_file_commands/set_output_2"
: >"$gh/default/_temp/_runner_file_commands/step_summary_2"
set +e
docker run --rm --workdir /github/workspace \
    -e "INPUT_API-KEY=$TEST_KEY" -e INPUT_COMMAND=report -e INPUT_CONFIG= -e INPUT_PROJECT= \
    -e HOME=/github/home -e GITHUB_ACTIONS=true -e CI=true -e GITHUB_WORKSPACE=/github/workspace \
    -e GITHUB_OUTPUT=/github/file_commands/set_output_2 -e GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_2 \
    -v "$gh/default/_temp/_github_home":/github/home -v "$gh/default/_temp/_github_workflow":/github/workflow \
    -v "$gh/default/_temp/_runner_file_commands":/github/file_commands -v "$gh/default/shop/shop":/github/workspace \
    "$TAG" "${action_args[@]}" >"$gh/report.log" 2>&1
code=$?
set -e
sed 's/^/  | /' "$gh/report.log"
check "the report action exits 0 with failed tests (got $code)" test "$code" -eq 0
check "10 ::error annotations, one per failed case" test "$(grep -c '^::error title=FAILED%3A Test Suites/Smoke > Test Cases/T' "$gh/report.log")" -eq 10
check "then one ::notice counting the 2 others" grep -q '^::notice title=katalon-prep report::2 more failed' "$gh/report.log"
check "the step summary has the results table" \
    grep -qF '| Test Suites/Smoke | 13 | 1 | 12 | 0 | 0 | 30.0 s |' "$gh/default/_temp/_runner_file_commands/step_summary_2"
check "outputs report-path and junit-path are workspace-relative" \
    test "$(cat "$gh/default/_temp/_runner_file_commands/set_output_2")" = "$(printf 'report-path=tests/katalon/Reports\njunit-path=tests/katalon/Reports/katalon-prep-junit.xml')"
check "the merged JUnit file is on the host" test -s "$gh/default/shop/shop/tests/katalon/Reports/katalon-prep-junit.xml"
check "the key is in no annotation (only in the mask)" \
    bash -c "! grep -v '^::add-mask::' '$gh/report.log' | grep -qF '$TEST_KEY'"
check "the key is in neither the summary nor the merged file" \
    no_key_under "$gh/default/_temp/_runner_file_commands/step_summary_2" "$gh/default/shop/shop/tests/katalon/Reports/katalon-prep-junit.xml"

step "2. GitLab job: the component's script piped into sh"
gl=$work/gitlab
checkout "$gl/project"
# A committed lock, as the component's cache key expects (made on the host).
(cd "$gl/project" && SSL_CERT_FILE=test-ca.pem KATALON_PREP_CACHE_DIR="$gl/host-cache" "$STATIC_BIN" -q lock) ||
    fail "katalon-prep lock on the host"
# A checkout that belongs to a user (a bind-mounted build folder), not root.
chown -R "$CHECKOUT_UID:$CHECKOUT_UID" "$gl/project"
# What GitLab's docker executor runs: the image's entrypoint with its shell
# detection as the command, the job script on standard input.
detect='if [ -x /usr/local/bin/bash ]; then exec /usr/local/bin/bash; elif [ -x /usr/bin/bash ]; then exec /usr/bin/bash; elif [ -x /bin/bash ]; then exec /bin/bash; elif [ -x /usr/local/bin/sh ]; then exec /usr/local/bin/sh; elif [ -x /usr/bin/sh ]; then exec /usr/bin/sh; elif [ -x /bin/sh ]; then exec /bin/sh; elif [ -x /busybox/sh ]; then exec /busybox/sh; else echo shell not found; exit 1; fi'
gitlab_job() { # IMAGE JOB [INPUT=VALUE...]: runs that job of the component
    local image=$1 job=$2
    shift 2
    python3 "$REPO/ci/gitlab-job.py" "$REPO/templates/katalon-prep.yml" "$job" "$@" >"$gl/$job.sh"
    docker run --rm -i --network host -v "$gl/project":/builds/group/project -w /builds/group/project \
        -e CI=true -e GITLAB_CI=true -e CI_PROJECT_DIR=/builds/group/project \
        -e "MY_KATALON_KEY=$TEST_KEY" -e SSL_CERT_FILE=/builds/group/project/test-ca.pem \
        -e DISPLAY=:99 \
        "${entrypoint[@]}" "$image" sh -c "$detect" <"$gl/$job.sh"
}
entrypoint=()
set +e
gitlab_job "$SHELL_TAG" prepare api-key-variable=MY_KATALON_KEY >"$gl/prepare.log" 2>&1
code=$?
set -e
sed 's/^/  | /' "$gl/prepare.log"
check "the prepare job succeeds in the shell image (got $code)" test "$code" -eq 0
check "plugins are installed in the project" test -f "$gl/project/tests/katalon/Plugins/remote-keywords-2.0.jar"
check "the cache is inside the project directory" test -f "$gl/project/.katalon-prep-cache/CACHEDIR.TAG"
check "the static binary is an artifact" test -x "$gl/project/.katalon-prep/bin/katalon-prep"
check "the artifact line has no -apiKey" \
    bash -c "[ -s '$gl/project/.katalon-prep/katalonc.args' ] && ! grep -q -- -apiKey '$gl/project/.katalon-prep/katalonc.args'"
check "the key is in no artifact or cache" no_key_under "$gl/project"
downloads_before_run=$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")
# The run job, with the shell image standing in for the Katalon image (its
# DISPLAY=:99 passed in gitlab_job) and a fake katalonc that records its
# arguments.
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >katalonc.argv\n' >"$gl/project/fake-katalonc"
chmod +x "$gl/project/fake-katalonc"
entrypoint=(--entrypoint "")
set +e
gitlab_job "$SHELL_TAG" run api-key-variable=MY_KATALON_KEY katalonc=./fake-katalonc >"$gl/run.log" 2>&1
code=$?
set -e
sed 's/^/  | /' "$gl/run.log"
check "the run job succeeds (got $code)" test "$code" -eq 0
check "katalonc got the key from the run job's own variable" grep -qx -- "-apiKey=$TEST_KEY" "$gl/project/katalonc.argv"
check "katalonc got the project inside the job's checkout" \
    grep -qx -- "-projectPath=tests/katalon/Demo.prj" "$gl/project/katalonc.argv"
check "the key is not in the run job's log" bash -c "! grep -qF '$TEST_KEY' '$gl/run.log'"
check "the run job downloaded nothing (the cache was pulled)" \
    test "$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")" = "$downloads_before_run"
rm -f "$gl/project/katalonc.argv"
# The run job's after_script, with a report katalonc would have left.
grdir="$gl/project/tests/katalon/Reports/20240105_101010/Smoke/20240105_101011"
mkdir -p "$grdir"
printf '<testsuites><testsuite id="Test Suites/Smoke"><testcase name="Test Cases/A" status="FAILED"><failure message="boom"/></testcase></testsuite></testsuites>\n' \
    >"$grdir/JUnit_Report.xml"
set +e
gitlab_job "$SHELL_TAG" run:after_script api-key-variable=MY_KATALON_KEY >"$gl/after.log" 2>&1
code=$?
set -e
sed 's/^/  | /' "$gl/after.log"
check "the run job's after_script succeeds (got $code)" test "$code" -eq 0
check "it writes katalon-prep-junit.xml, the job's declared JUnit report" \
    grep -q '<testcase name="Test Cases/A" classname="Test Cases/A" status="FAILED">' "$gl/project/katalon-prep-junit.xml"
check "and prints the summary in the job log" grep -q '^FAILED  Test Suites/Smoke > Test Cases/A' "$gl/after.log"

step "3. Jenkins docker agent: -u 1234:1234 IMAGE cat, then docker exec"
jk=$work/jenkins
checkout "$jk/ws"
chown -R 1234:1234 "$jk/ws"
cid=$(docker run -t -d -u 1234:1234 --network host -w "$jk/ws" -v "$jk/ws":"$jk/ws":rw "$SHELL_TAG" cat)
containers+=("$cid")
check "the agent container keeps running on cat" test "$(docker inspect -f '{{.State.Running}}' "$cid")" = true
set +e
docker exec -e "KATALON_API_KEY=$TEST_KEY" -e SSL_CERT_FILE="$jk/ws/test-ca.pem" "$cid" \
    sh -c 'katalon-prep prepare' >"$jk/nocache.out" 2>"$jk/nocache.err"
code=$?
set -e
sed 's/^/  | /' "$jk/nocache.err"
check "without a cache dir (HOME=/ is not writable) it exits 40 (got $code)" test "$code" -eq 40
check "and the error names --cache-dir" grep -q -- "--cache-dir" "$jk/nocache.err"
set +e
docker exec -e "KATALON_API_KEY=$TEST_KEY" -e SSL_CERT_FILE="$jk/ws/test-ca.pem" "$cid" \
    sh -c 'katalon-prep --cache-dir .katalon-prep-cache prepare --output katalonc.args' >"$jk/out" 2>"$jk/err"
code=$?
set -e
sed 's/^/  | /' "$jk/err"
check "prepare as UID 1234 with --cache-dir succeeds (got $code)" test "$code" -eq 0
check "the files it wrote belong to UID 1234" \
    test "$(stat -c %u "$jk/ws/katalonc.args")/$(stat -c %u "$jk/ws/tests/katalon/Plugins/remote-keywords-2.0.jar")" = 1234/1234
check "--output is private (mode 600)" test "$(stat -c %a "$jk/ws/katalonc.args")" = 600

step "4. local: docker run --rm -v \"\$PWD\":/work -w /work IMAGE prepare"
lc=$work/local
checkout "$lc"
chown -R "$CHECKOUT_UID:$CHECKOUT_UID" "$lc"
set +e
(cd "$lc" && docker run --rm --network host -e "KATALON_API_KEY=$TEST_KEY" -e SSL_CERT_FILE=/work/test-ca.pem \
    -v "$PWD":/work -w /work "$TAG" prepare >"$work/local.out" 2>"$work/local.err")
code=$?
set -e
sed 's/^/  | /' "$work/local.err"
check "prepare in the scratch image succeeds (got $code)" test "$code" -eq 0
check "stdout is the katalonc line with workspace-relative paths" \
    grep -q -- "^-noSplash -runMode=console -projectPath=tests/katalon/Demo.prj .*-apiKey=$TEST_KEY" "$work/local.out"
check "the key is only on stdout, never on stderr" bash -c "! grep -qF '$TEST_KEY' '$work/local.err'"
set +e
(cd "$lc" && docker run --rm -e "KATALON_API_KEY=$TEST_KEY" -v "$PWD":/work -w /work "$SHELL_TAG" args >"$work/shell.out" 2>/dev/null)
code=$?
set -e
check "the shell image runs a subcommand through its entrypoint (got $code)" \
    bash -c "[ $code -eq 0 ] && grep -q -- -projectPath=tests/katalon/Demo.prj '$work/shell.out'"


step "stand-in for the Katalon image (katalonstudio/katalon cannot be pulled here)"
# The shell image plus a fake katalonc (also as katalonc.sh) that records its
# arguments in ./katalonc.argv and writes a JUnit report where Katalon does
# (<project>/Reports/<time>/<suite>/<time>/JUnit_Report.xml).
STANDIN_TAG=katalon-prep:${KATALON_PREP_CI_TAG:-ci}-katalon-standin
mkdir -p "$work/standin"
cat >"$work/standin/katalonc" <<'SH'
#!/bin/sh
# Stand-in katalonc: records argv, writes a one-test JUnit report.
for a in "$@"; do printf '%s\n' "$a"; done >katalonc.argv
project=. suite=Suite
for a in "$@"; do
    case $a in
    -projectPath=*) project=$(dirname "${a#-projectPath=}") ;;
    -testSuitePath=*) suite=$(basename "${a#-testSuitePath=}") ;;
    esac
done
d=$project/Reports/20260101_000000/$suite/20260101_000000
mkdir -p "$d"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="%s" tests="1" failures="0" errors="0" time="1.0"><testsuite name="%s" tests="1" failures="0" errors="0" skipped="0" time="1.0" timestamp="2026-01-01T00:00:00"><testcase name="Test Cases/Ok" classname="%s" status="PASSED" time="1.0"/></testsuite></testsuites>\n' "$suite" "$suite" "$suite" >"$d/JUnit_Report.xml"
SH
chmod 0755 "$work/standin/katalonc"
# DISPLAY=:99 as the Katalon image sets it (its katalonc.sh starts the X
# server with xvfb-run), so `katalon-prep run` uses that display as it is.
printf 'FROM %s\nCOPY katalonc /usr/local/bin/katalonc\nRUN ln -s katalonc /usr/local/bin/katalonc.sh\nENV DISPLAY=:99\n' "$SHELL_TAG" >"$work/standin/Dockerfile"
check "docker build the stand-in Katalon image" docker build --quiet -t "$STANDIN_TAG" "$work/standin"

step "5. GitLab child pipeline from matrix --format gitlab, each job piped into sh in its image"
gm=$work/gitlab-matrix
checkout "$gm/project"
printf '<?xml version="1.0"?>\n<TestSuiteEntity><name>Checkout</name></TestSuiteEntity>\n' \
    >"$gm/project/tests/katalon/Test Suites/Checkout.ts"
(cd "$gm/project" && SSL_CERT_FILE=test-ca.pem KATALON_PREP_CACHE_DIR="$gm/host-cache" "$STATIC_BIN" -q lock) ||
    fail "katalon-prep lock on the host"
(cd "$gm/project" && "$STATIC_BIN" -q --api-key-env MY_KATALON_KEY matrix --format gitlab --suites 'Test Suites/*' \
    --image "$STANDIN_TAG" --prep-image "$SHELL_TAG" >"$gm/child.yml")
sed 's/^/  > /' "$gm/child.yml"
check "the child pipeline passes GitLab's CI schema" check-jsonschema -q --builtin-schema vendor.gitlab-ci "$gm/child.yml"
chown -R "$CHECKOUT_UID:$CHECKOUT_UID" "$gm/project"
# child_job DIR IMAGE NAME [--after]: that job's script piped into the image's
# shell, DIR mounted as the job's checkout; IMAGE's entrypoint as the job says.
child_job() {
    local dir=$1 image=$2 name=$3
    shift 3
    local -a ep=()
    [ "$(python3 -c 'import sys, yaml; j = yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]["image"]; print(j.get("entrypoint") == [""])' "$gm/child.yml" "$name")" = True ] &&
        ep=(--entrypoint "")
    python3 "$REPO/ci/gitlab-job.py" "$gm/child.yml" "$name" "$@" |
        docker run --rm -i --network host -v "$dir":/builds/group/project -w /builds/group/project \
            -e CI=true -e GITLAB_CI=true -e CI_PROJECT_DIR=/builds/group/project \
            -e "MY_KATALON_KEY=$TEST_KEY" -e SSL_CERT_FILE=/builds/group/project/test-ca.pem \
            "${ep[@]}" "$image" sh -c "$detect"
}
set +e
child_job "$gm/project" "$SHELL_TAG" katalon-prep >"$gm/prepare.log" 2>&1
code=$?
set -e
sed 's/^/  | /' "$gm/prepare.log"
check "the prepare job succeeds in the prep image (got $code)" test "$code" -eq 0
check "the binary is its artifact" test -x "$gm/project/.katalon-prep/bin/katalon-prep"
check "it filled the cache" test -f "$gm/project/.katalon-prep-cache/CACHEDIR.TAG"
downloads=$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")
mapfile -t shard_jobs < <(python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); [print(k) for k, v in d.items() if isinstance(v, dict) and v.get("needs")]' "$gm/child.yml")
check "one job per suite (${#shard_jobs[@]})" test "${#shard_jobs[@]}" -eq 2
i=0
for job in "${shard_jobs[@]}"; do
    i=$((i + 1))
    # A fresh checkout with what GitLab brings: the artifacts of needs: and the cache.
    sd=$gm/shard-$i
    checkout "$sd"
    cp "$gm/project/tests/katalon/Test Suites/Checkout.ts" "$sd/tests/katalon/Test Suites/"
    cp "$gm/project/katalon-prep.lock" "$sd/"
    cp -a "$gm/project/.katalon-prep" "$gm/project/.katalon-prep-cache" "$sd/"
    chown -R "$CHECKOUT_UID:$CHECKOUT_UID" "$sd"
    set +e
    child_job "$sd" "$STANDIN_TAG" "$job" >"$sd.log" 2>&1
    code=$?
    child_job "$sd" "$STANDIN_TAG" "$job" --after >"$sd.after.log" 2>&1
    after=$?
    set -e
    sed 's/^/  | /' "$sd.log" "$sd.after.log"
    suite=$(python3 -c 'import json, sys, yaml; s = yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]["script"][0]; print(json.loads(s.split("--shard ", 1)[1].strip("\x27"))["suite"])' "$gm/child.yml" "$job")
    check "$job: succeeds in the named image, with the binary from needs: (got $code)" test "$code" -eq 0
    check "$job: katalonc ran that suite with the key" \
        bash -c "grep -qx -- '-testSuitePath=$suite' '$sd/katalonc.argv' && grep -qx -- '-apiKey=$TEST_KEY' '$sd/katalonc.argv'"
    check "$job: the key is not in its log" bash -c "! grep -qF '$TEST_KEY' '$sd.log' '$sd.after.log'"
    junit=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]["artifacts"]["reports"]["junit"])' "$gm/child.yml" "$job")
    check "$job: after_script wrote $junit for artifacts:reports:junit (got $after)" test -s "$sd/$junit"
    check "$job: the merged file holds that suite's test" grep -q "Test Cases/Ok" "$sd/$junit"
done
check "the shard jobs downloaded nothing (the cache was pulled)" \
    test "$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")" = "$downloads"

step "6. the example Jenkinsfile: each stage's image started with cat as UID 1234, its sh steps docker exec'd under sh -xe"
jf=$work/jenkinsfile/ws
checkout "$jf"
(cd "$jf" && SSL_CERT_FILE=test-ca.pem KATALON_PREP_CACHE_DIR="$work/jenkinsfile/host-cache" "$STATIC_BIN" -q lock) ||
    fail "katalon-prep lock on the host"
chown -R 1234:1234 "$jf"
jk_downloads=$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")
python3 "$REPO/ci/template-steps.py" jenkins "$REPO/examples/Jenkinsfile" >"$work/jenkinsfile/stages"
check "the Jenkinsfile has a Prepare and a Test stage" \
    test "$(python3 -c 'import json, sys; print(" ".join(json.loads(l)["stage"] for l in open(sys.argv[1])))' "$work/jenkinsfile/stages")" = "Prepare Test"
while IFS= read -r stage_json; do
    stage=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["stage"])' "$stage_json")
    image=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["image"])' "$stage_json")
    case $image in
    ghcr.io/katalon-prep/katalon-prep:*-shell) image=$SHELL_TAG ;;
    katalonstudio/katalon*) image=$STANDIN_TAG ;;
    *) fail "stage $stage: unknown image $image" ;;
    esac
    cid=$(docker run -t -d -u 1234:1234 --network host -w "$jf" -v "$jf":"$jf":rw "$image" cat)
    containers+=("$cid")
    n=0
    while IFS= read -r -d '' script; do
        n=$((n + 1))
        set +e
        docker exec -e "KATALON_API_KEY=$TEST_KEY" -e "WORKSPACE=$jf" -e "KATALON_PREP_CACHE_DIR=$jf/.katalon-prep-cache" \
            -e SSL_CERT_FILE="$jf/test-ca.pem" "$cid" sh -xe -c "$script" >"$work/jenkinsfile/$stage-$n.log" 2>&1
        code=$?
        set -e
        sed 's/^/  | /' "$work/jenkinsfile/$stage-$n.log"
        check "stage $stage, sh step $n succeeds (got $code)" test "$code" -eq 0
        check "stage $stage, sh step $n: the key is not in its log (sh -xe traces every command)" \
            bash -c "! grep -qF '$TEST_KEY' '$work/jenkinsfile/$stage-$n.log'"
    done < <(python3 -c 'import json, sys; [print(s, end="\0") for s in json.loads(sys.argv[1])["scripts"]]' "$stage_json")
    docker rm -f "$cid" >/dev/null
done <"$work/jenkinsfile/stages"
check "katalonc ran through katalon-prep run, with the key" grep -qx -- "-apiKey=$TEST_KEY" "$jf/katalonc.argv"
check "the Test stage downloaded nothing (Prepare filled the cache)" \
    test "$(grep -c 'GET /plugins/remote-keywords-2.0.jar' "$work/tls/requests.log")" = "$((jk_downloads + 1))"

step "7. the Azure Pipelines example: its script steps in a shell, install.sh against a local release"
az=$work/azure
mkdir -p "$az/s" "$az/tmp" "$az/tools" "$az/w" "$az/steps"
checkout "$az/s"
(cd "$az/s" && SSL_CERT_FILE=test-ca.pem KATALON_PREP_CACHE_DIR="$az/host-cache" "$STATIC_BIN" -q lock) ||
    fail "katalon-prep lock on the host"
make_release "$az/www" "$STATIC_BIN"
cp "$REPO/install.sh" "$az/www/install.sh"
start_http "$az/srv" "$az/www"
cp "$work/standin/katalonc" "$az/katalonc"
chown -R 1234:1234 "$az"
version=v$("$STATIC_BIN" --version | cut -d' ' -f2)
python3 "$REPO/ci/template-steps.py" azure "$REPO/examples/azure-pipelines.yml" "$az/steps" \
    "KATALON_PREP_VERSION=$version" "KATALON_PREP_INSTALL_URL=http://127.0.0.1:$HTTP_PORT/install.sh" \
    "KATALON_PREP_RELEASE_URL=http://127.0.0.1:$HTTP_PORT" "KATALONC=$az/katalonc" "KATALON_API_KEY=$TEST_KEY" \
    "SSL_CERT_FILE=$az/s/test-ca.pem" Agent.OS=Linux "Agent.TempDirectory=$az/tmp" "Agent.ToolsDirectory=$az/tools" \
    "Pipeline.Workspace=$az/w" "Build.SourcesDirectory=$az/s" >"$az/steps.jsonl"
chown -R 1234:1234 "$az/steps"
az_path=$PATH
failed=false
while IFS= read -r step_json; do
    n=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["n"])' "$step_json")
    name=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["name"])' "$step_json")
    condition=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["condition"])' "$step_json")
    if [ "$failed" = true ] && [ "$condition" != "always()" ]; then
        echo "  (step $n, $name: skipped after a failure, as Azure does)"
        continue
    fi
    mapfile -t step_env <"$az/steps/$n.env"
    set +e
    # Azure runs a script step as `bash --noprofile --norc FILE` in the sources folder.
    (cd "$az/s" && env -i HOME="$az/w" PATH="$az_path" "${step_env[@]}" \
        setpriv --reuid 1234 --regid 1234 --clear-groups bash --noprofile --norc "$az/steps/$n.sh") >"$az/$n.log" 2>&1
    code=$?
    set -e
    sed 's/^/  | /' "$az/$n.log"
    check "step $n, $name: exits 0 (got $code)" test "$code" -eq 0
    [ "$code" -eq 0 ] || failed=true
    # ##vso[task.prependpath] applies to the later steps.
    while IFS= read -r p; do az_path=$p:$az_path; done < <(sed -n 's/^##vso\[task.prependpath\]//p' "$az/$n.log")
done <"$az/steps.jsonl"
check "install.sh put the release's binary in the tools folder" cmp -s "$az/tools/katalon-prep/katalon-prep" "$STATIC_BIN"
check "it fetched the Linux archive from the local release" grep -q "GET /katalon-prep-x86_64-unknown-linux-musl.tar.gz" "$az/srv/requests.log"
check "katalonc ran through katalon-prep run, with the key from the step's env:" grep -qx -- "-apiKey=$TEST_KEY" "$az/s/katalonc.argv"
check "the key is in no step's log" bash -c "! grep -qF '$TEST_KEY' '$az'/*.log"
check "the report step wrote katalon-prep-junit.xml" test -s "$az/s/katalon-prep-junit.xml"
kill "$HTTP_PID" 2>/dev/null || true
HTTP_PID=

step "no file in a workspace is root's"
for ws in "$gh"/*/shop/shop "$gl/project" "$jk/ws" "$lc" "$gm/project" "$gm"/shard-*/ "$jf"; do
    ws=${ws%/}
    owner=$(stat -c %u "$ws")
    check "$ws (owner $owner): every file belongs to its owner, none to root" \
        test "$owner" -ne 0 -a -z "$(find "$ws" ! -uid "$owner" -print -quit)"
done

step "the shell image's entrypoint"
check "--version goes to katalon-prep" bash -c "docker run --rm '$SHELL_TAG' --version | grep -q '^katalon-prep '"
check "sh -c runs a shell" test "$(docker run --rm "$SHELL_TAG" sh -c 'echo from-sh')" = from-sh
check "cat is exec'd as given" test "$(echo from-cat | docker run --rm -i "$SHELL_TAG" cat)" = from-cat
check "works as an arbitrary UID" test "$(docker run --rm -u 4321:4321 "$SHELL_TAG" sh -c 'id -u; katalon-prep --version >/dev/null && echo ok' | tr '\n' ' ')" = "4321 ok "
subcommands=$("$STATIC_BIN" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}' | grep -vx help)
# Each subcommand reaches katalon-prep through the entrypoint, also where the
# image has a command of the same name (busybox's `init`).
for sub in $subcommands; do
    check "docker run IMAGE $sub --help is katalon-prep's $sub" \
        bash -c "docker run --rm '$SHELL_TAG' $sub --help 2>&1 | grep -q 'Usage: katalon-prep $sub'"
done

finish container-tests
