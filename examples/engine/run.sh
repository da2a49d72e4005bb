#!/bin/sh
# The engine example, end to end and offline: build a tiny synthetic engine
# archive under Katalon's URL layout, serve it with the fakes crate's server,
# pin it (`lock`, trust on first use), then print and run the pinned katalonc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$fake" 2>/dev/null || true; rm -rf "$work"' EXIT

v=10.3.1
top="Katalon_Studio_Engine_Linux_64-$v"
mkdir -p "$work/$top/configuration/resources/drivers" "$work/$top/jre/bin" "$work/downloads/$v"
cat > "$work/$top/katalonc" <<'SCRIPT'
#!/bin/sh
# A stand-in for katalonc: says what it got, writes into its folder as KRE does.
here=$(cd "$(dirname "$0")" && pwd)
echo "synthetic katalonc $*"
date > "$here/configuration/last-run"
SCRIPT
chmod +x "$work/$top/katalonc"
echo "-vmargs" > "$work/$top/katalonc.ini"
echo "chromedriver" > "$work/$top/configuration/resources/drivers/chromedriver"
echo "java" > "$work/$top/jre/bin/java"
ln -s bin/java "$work/$top/jre/java"
tar -C "$work" -czf "$work/downloads/$v/$top.tar.gz" "$top"

cargo build -q -p katalon-prep-fakes --bin katalon-prep-fake
cargo build -q --bin katalon-prep
target/debug/katalon-prep-fake serve --dir "$work/downloads" --port 18080 > "$work/url" &
fake=$!
sleep 1

export KATALON_PREP_PLATFORM=linux-x64
# The example's lock is written to a scratch copy: the archive is built anew each time.
cp "$here/katalon-prep.yml" "$work/katalon-prep.yml"
sed -i "s|^project: ../demo|project: $here/../demo|" "$work/katalon-prep.yml"
kp="target/debug/katalon-prep --config $work/katalon-prep.yml --cache-dir $work/cache"
$kp lock
$kp engine list
katalonc=$($kp engine path --locked)
echo "katalonc: $katalonc"
"$katalonc" -noSplash -runMode=console
