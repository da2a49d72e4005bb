"""Reads the steps of a CI template the way its CI would run them, for the
container tests.

    python3 ci/template-steps.py jenkins examples/Jenkinsfile
        one JSON line per stage: {"stage", "image", "scripts": [...]}, the
        `sh '...'` / `sh '''...'''` bodies in order (Jenkins runs each with
        `sh -xe`)
    python3 ci/template-steps.py azure examples/azure-pipelines.yml OUTDIR NAME=VALUE...
        writes OUTDIR/N.sh for each `script:` step, its `$(Macro)`s replaced
        by the pipeline's variables, the NAME=VALUE overrides and the
        predefined ones given (Agent.OS ...), as Azure expands them before
        the step runs; OUTDIR/N.env its `env:` (NAME=VALUE lines, expanded the
        same way); prints one JSON line per step {"n", "name", "condition"}
"""

import json
import os
import re
import sys

import yaml


def jenkins(path):
    text = open(path, encoding="utf-8").read()
    stages = list(re.finditer(r"stage\('([^']+)'\)", text))
    for i, m in enumerate(stages):
        body = text[m.end():stages[i + 1].start() if i + 1 < len(stages) else len(text)]
        image = re.search(r"image '([^']+)'", body)
        scripts = []
        for sm in re.finditer(r"\bsh\s+(?:'''(.*?)'''|'([^'\n]*)')", body, re.S):
            scripts.append(sm.group(1) if sm.group(1) is not None else sm.group(2))
        print(json.dumps({"stage": m.group(1), "image": image.group(1) if image else None, "scripts": scripts}))


def azure(path, outdir, overrides):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    given = dict(o.split("=", 1) for o in overrides)
    variables = {k: str(v) for k, v in (doc.get("variables") or {}).items()}
    variables.update(given)

    def expand(text, depth=0):
        def one(m):
            name = m.group(1)
            if name not in variables:
                return m.group(0)  # Azure leaves an unknown macro as written
            return expand(variables[name], depth + 1) if depth < 10 else variables[name]
        return re.sub(r"\$\(([A-Za-z0-9_.]+)\)", one, str(text))

    os.makedirs(outdir, exist_ok=True)
    for n, step in enumerate(doc["steps"], 1):
        if "script" not in step:
            continue
        with open(os.path.join(outdir, f"{n}.sh"), "w", encoding="utf-8") as f:
            f.write(expand(step["script"]))
        with open(os.path.join(outdir, f"{n}.env"), "w", encoding="utf-8") as f:
            # Every pipeline variable is in a step's environment (upper-cased,
            # `.` as `_`), but secrets only through env:.
            for k, v in variables.items():
                if k != "KATALON_API_KEY":
                    f.write(f"{k.upper().replace('.', '_')}={expand(v)}\n")
            for k, v in (step.get("env") or {}).items():
                f.write(f"{k}={expand(v)}\n")
        print(json.dumps({"n": n, "name": step.get("displayName", ""), "condition": step.get("condition", "")}))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "jenkins":
        jenkins(sys.argv[2])
    elif kind == "azure":
        azure(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(f"unknown template kind {kind}")
