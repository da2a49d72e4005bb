#!/usr/bin/env bash
# Baseline for the cold benchmark: what a CI script does without katalon-prep,
# one plugin after the other. For each line "SHA256 URL" of LIST: download,
# check the sha256, check that it is a zip (jar), place it into DEST/Plugins.
# Usage: cold-seq.sh LIST DEST
set -euo pipefail
list=$1 dest=$2
mkdir -p "$dest/dl" "$dest/Plugins"
while read -r sha url; do
    name=${url##*/}
    curl -fsS --retry 3 -o "$dest/dl/$name" "$url"
    echo "$sha  $dest/dl/$name" | sha256sum -c --quiet -
    unzip -qql "$dest/dl/$name" >/dev/null
    mv "$dest/dl/$name" "$dest/Plugins/$name"
done <"$list"
