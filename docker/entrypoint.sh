#!/bin/sh
# Entry point of the shell image. CI systems start job images with a command
# of their own (GitLab: a shell reading the job script; Jenkins: `cat`), so a
# command found on PATH is exec'd as given; a katalon-prep subcommand
# (`prepare`, `init`: busybox has an `init` too) and anything else
# (`--help`, no argument) go to katalon-prep.
set -eu
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ] && ! katalon-prep help "$1" >/dev/null 2>&1 &&
    command -v -- "$1" >/dev/null 2>&1; then
    exec "$@"
fi
exec katalon-prep "$@"
