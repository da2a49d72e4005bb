"""Prints one job's `script:` from the GitLab component as the shell script
the runner would pipe into the job image's shell: the component's inputs
interpolated (defaults, overridden by NAME=VALUE arguments), `set -e` as
GitLab's generated script has it.

    python3 ci/gitlab-job.py templates/katalon-prep.yml prepare [input=value...]

A job suffix ending in `:after_script` (`run:after_script`) prints that job's
`after_script:` instead, which GitLab runs whatever the script's outcome.

A plain pipeline (one YAML document, e.g. `katalon-prep matrix --format
gitlab`) names the job exactly; --after prints its `after_script:` instead.
Global and job `variables:` are exported first.

    python3 ci/gitlab-job.py child.yml 'katalon 1/2: Test Suites/A' [--after]
"""

import re
import sys

import yaml


def plain(doc: dict, name: str, after: bool) -> None:
    if name not in doc:
        sys.exit(f"no job {name!r} (jobs: {[k for k in doc if isinstance(doc[k], dict) and 'script' in doc[k]]})")
    job = doc[name]
    print("set -eu")
    for scope in (doc.get("variables") or {}, job.get("variables") or {}):
        for var, value in scope.items():
            print(f'export {var}="{value}"')
    for line in job["after_script" if after else "script"]:
        print(line)


def main() -> None:
    path, job_suffix, *overrides = sys.argv[1:]
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    if len(docs) == 1:
        plain(docs[0], job_suffix, "--after" in overrides)
        return
    job_suffix, _, section = job_suffix.partition(":")
    section = section or "script"
    header, jobs = docs
    inputs = {name: spec.get("default", "") for name, spec in header["spec"]["inputs"].items()}
    for item in overrides:
        name, _, value = item.partition("=")
        if name not in inputs:
            sys.exit(f"unknown input {name}")
        inputs[name] = value

    def interpolate(text: str) -> str:
        return re.sub(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]", lambda m: str(inputs[m.group(1)]), text)

    for name, job in jobs.items():
        if interpolate(name) == f"{inputs['job-prefix']}-{job_suffix}":
            print("set -eu")
            for var, value in (job.get("variables") or {}).items():
                value = interpolate(str(value))
                # GitLab expands $VARS in variables: so does the shell here.
                print(f'export {var}="{value}"')
            for line in job[section]:
                print(interpolate(line))
            return
    sys.exit(f"no job ending in -{job_suffix}")


if __name__ == "__main__":
    main()
