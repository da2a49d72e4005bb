#!/usr/bin/env bash
# Baseline for the cold benchmark: the same work as cold-seq.sh with 8
# downloads at once (xargs -P8 curl), then one sha256sum over all files,
# then the zip check and the move into DEST/Plugins.
# Usage: cold-par.sh LIST DEST
set -euo pipefail
list=$1 dest=$2
mkdir -p "$dest/dl" "$dest/Plugins"
cut -d' ' -f2 "$list" | (cd "$dest/dl" && xargs -P8 -n1 curl -fsS --retry 3 -O)
sed -E 's#^([0-9a-f]+) .*/([^/]+)$#\1  \2#' "$list" | (cd "$dest/dl" && sha256sum -c --quiet -)
for f in "$dest"/dl/*; do
    unzip -qql "$f" >/dev/null
done
mv "$dest"/dl/* "$dest/Plugins/"
