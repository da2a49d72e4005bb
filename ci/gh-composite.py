"""Runs a composite action's steps the way the GitHub runner does, for the
packaging tests (ci/action-tests.sh).

    python3 ci/gh-composite.py ACTION_YML --workspace DIR --state DIR \
        [--input NAME=VALUE]... [--launch-exe-with wine] [--uid N]

What the runner does, and so does this:
- `${{ ... }}` in a step's `env:` (and anywhere else) is evaluated before the
  step runs: `inputs.*` (the action's defaults, overridden by --input),
  `github.action_path`, `github.workspace`, `runner.*`, `steps.<id>.outputs.*`.
  Any other expression is an error here, so the action cannot grow one that
  this emulation would silently get wrong.
- Each `shell: bash` step's script is written to a file under RUNNER_TEMP and
  run as `bash --noprofile --norc -eo pipefail FILE` in the workspace, with
  the process's environment (RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE,
  RUNNER_TEMP, GITHUB_* set by the caller), GITHUB_ACTION_PATH, the step's
  env, and fresh GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and
  GITHUB_STEP_SUMMARY files.
- Outputs are parsed with the runner's rules (`name=value`, `name<<DELIM`);
  GITHUB_PATH lines are prepended to PATH for the later steps; GITHUB_ENV
  is applied to them.
- The first failing step stops the action with its exit status.

--launch-exe-with CMD: Linux has no binfmt for Windows programs, so a command
that starts with `"$VAR"` where VAR names a `.exe` is run as `CMD "$VAR"`
(Wine). That is the only change made to a script, and it is printed.

Written to --state: log (every step's stdout and stderr, raw), outputs.json
(the action's outputs), summary.md, path (GITHUB_PATH lines), steps.json.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def parse_file_command(text):
    """$GITHUB_OUTPUT / $GITHUB_ENV by the runner's rules."""
    out, lines = {}, text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        eq, hd = line.find("="), line.find("<<")
        if hd != -1 and (eq == -1 or hd < eq):
            name, delim = line[:hd], line[hd + 2:]
            value = []
            while i < len(lines) and lines[i] != delim:
                value.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"no closing delimiter {delim!r} for {name!r}")
            i += 1
            out[name] = "\n".join(value)
        else:
            if eq == -1:
                raise ValueError(f"not a file command line: {line!r}")
            out[line[:eq]] = line[eq + 1:]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action")
    p.add_argument("--workspace", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--launch-exe-with")
    p.add_argument("--uid", type=int, help="run the steps as this user (and group) ID, as a runner's user")
    a = p.parse_args()

    action_yml = os.path.abspath(a.action)
    action_path = os.path.dirname(action_yml)
    doc = yaml.safe_load(open(action_yml, encoding="utf-8"))
    runs = doc["runs"]
    if runs.get("using") != "composite":
        sys.exit(f"{a.action}: runs.using is {runs.get('using')!r}, not composite")

    inputs = {k: str(v.get("default", "")) for k, v in (doc.get("inputs") or {}).items()}
    for item in a.input:
        name, _, value = item.partition("=")
        if name not in inputs:
            print(f"##[warning]Unexpected input(s) '{name}'", flush=True)
        inputs[name] = value

    os.makedirs(a.state, exist_ok=True)
    fc = os.path.join(a.state, "file_commands")
    os.makedirs(fc, exist_ok=True)
    workspace = os.path.abspath(a.workspace)
    base_env = dict(os.environ)
    base_env["GITHUB_ACTION_PATH"] = action_path
    base_env.setdefault("GITHUB_WORKSPACE", workspace)
    base_env["GITHUB_ACTIONS"] = "true"
    base_env["CI"] = "true"
    steps_out = {}
    added_path = []
    log = open(os.path.join(a.state, "log"), "ab")
    summary = open(os.path.join(a.state, "summary.md"), "a", encoding="utf-8")

    def context(path):
        parts = path.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in inputs:
                raise KeyError(f"inputs.{parts[1]} is not an input of the action")
            return inputs[parts[1]]
        if parts[0] == "github" and len(parts) == 2:
            return {"action_path": action_path, "workspace": base_env["GITHUB_WORKSPACE"]}[parts[1]]
        if parts[0] == "runner" and len(parts) == 2:
            return base_env["RUNNER_" + parts[1].upper()]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return steps_out.get(parts[1], {}).get(parts[3], "")
        raise KeyError(f"unsupported expression `{path}`")

    def evaluate(text):
        return EXPR.sub(lambda m: context(m.group(1)), str(text))

    results = []
    for n, step in enumerate(runs["steps"], 1):
        sid = step.get("id", f"__{n}")
        if step.get("shell") != "bash" or "run" not in step:
            sys.exit(f"step {n}: only `shell: bash` run steps are emulated")
        if "if" in step:
            sys.exit(f"step {n}: `if:` is not emulated")
        env = dict(base_env)
        if added_path:
            env["PATH"] = os.pathsep.join(reversed(added_path)) + os.pathsep + env.get("PATH", "")
        for k, v in (step.get("env") or {}).items():
            env[k] = evaluate(v)
        files = {}
        for var, stem in [("GITHUB_OUTPUT", "set_output"), ("GITHUB_ENV", "set_env"),
                          ("GITHUB_PATH", "add_path"), ("GITHUB_STEP_SUMMARY", "step_summary")]:
            files[var] = os.path.join(fc, f"{stem}_{n}")
            open(files[var], "w").close()
            if a.uid is not None:
                os.chown(files[var], a.uid, a.uid)
            env[var] = files[var]
        script = evaluate(step["run"])
        if a.launch_exe_with:
            def launch(m):
                var = m.group(2)
                if env.get(var, "").lower().endswith(".exe"):
                    return f'{m.group(1)}{a.launch_exe_with} "${var}"'
                return m.group(0)
            changed = re.sub(r'(^|\n)\s*"\$([A-Za-z_][A-Za-z0-9_]*)"', launch, script)
            if changed != script:
                print(f"[emulation] step {n}: Windows programs are launched with {a.launch_exe_with}", flush=True)
            script = changed
        tmp = env.get("RUNNER_TEMP") or a.state
        script_file = os.path.join(tmp, f"step-{n}.sh")
        with open(script_file, "w", encoding="utf-8") as f:
            f.write(script)
        print(f"[emulation] step {n}: {step.get('name', sid)}", flush=True)
        as_user = {} if a.uid is None else {"user": a.uid, "group": a.uid, "extra_groups": []}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script_file],
                              cwd=workspace, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **as_user)
        log.write(proc.stdout)
        log.flush()
        sys.stdout.buffer.write(proc.stdout)
        sys.stdout.flush()
        outs = parse_file_command(open(files["GITHUB_OUTPUT"], encoding="utf-8").read())
        steps_out[sid] = outs
        for k, v in parse_file_command(open(files["GITHUB_ENV"], encoding="utf-8").read()).items():
            base_env[k] = v
        for line in open(files["GITHUB_PATH"], encoding="utf-8").read().splitlines():
            if line.strip():
                added_path.append(line.strip())
        summary.write(open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8").read())
        results.append({"step": n, "id": sid, "name": step.get("name"), "exit": proc.returncode})
        if proc.returncode != 0:
            break

    outputs = {k: evaluate(v.get("value", "")) for k, v in (doc.get("outputs") or {}).items()}
    with open(os.path.join(a.state, "outputs.json"), "w", encoding="utf-8") as f:
        json.dump(outputs, f, indent=1)
    with open(os.path.join(a.state, "steps.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(a.state, "path"), "w", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in added_path))
    sys.exit(results[-1]["exit"] if results else 0)


if __name__ == "__main__":
    main()
