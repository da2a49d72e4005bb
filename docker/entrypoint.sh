#!/bin/sh
# Entry point of the shell image. CI systems start job images with a command
# of their own (GitLab: a shell reading the job script; Jenkins: `cat`), so a
# command found on PATH is exec'd as given; anything else (`prepare`,
# `--help`, no argument) goes to katalon-prep. No katalon-prep subcommand is
# named like a command in the image (ci/container-tests.sh checks it).
set -eu
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && command -v -- "$1" >/dev/null 2>&1; then
    exec "$@"
fi
exec katalon-prep "$@"
