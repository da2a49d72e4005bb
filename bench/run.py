#!/usr/bin/env python3
"""The katalon-prep benchmark: every row of issue 6 as a ratio against a
baseline measured in the same run, with absolute medians.

    bench/run.py [--work DIR] [--out FILE] [--cold-runs N] [--warm-runs N]
                 [--latency-ms MS] [--jobs N] [--skip-size] [--engine-only]

Builds the release binaries (katalon-prep and katalon-prep-fake), generates
the plugin sets (20 incompressible keyword jars, 100 MB in all; one 512 MB
jar) and a 300 MB synthetic engine archive (issue 15), serves them from
`katalon-prep-fake serve` on 127.0.0.1 (the engine throttled to 50 MB/s), runs
hyperfine, and writes a Markdown table (default WORK/results.md) and the raw
hyperfine JSON (WORK/results/). Installs what it needs with apt-get when run
as root, and stops with a clear message otherwise. Only loopback traffic.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
N_PLUGINS = 20
TOTAL_BYTES = 100_000_000
BIG_BYTES = 512 * 1024 * 1024
SEED = 6
ENGINE_VERSION = "10.3.1"
ENGINE_BYTES = 300_000_000
ENGINE_RATE = 50_000_000  # bytes per second, the fake's throttle for the engine rows


def die(msg):
    print(f"bench: error: {msg}", file=sys.stderr)
    sys.exit(1)


def say(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


# --- tools -------------------------------------------------------------------

TOOLS = {  # command -> Debian package
    "hyperfine": "hyperfine",
    "curl": "curl",
    "unzip": "unzip",
    "sha256sum": "coreutils",
    "tar": "tar",
    "bash": "bash",
    "/usr/bin/time": "time",
}


def ensure_tools():
    missing = sorted({pkg for cmd, pkg in TOOLS.items() if not shutil.which(cmd)})
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        die(f"missing tools; install the Debian packages: {' '.join(missing)}")
    say(f"installing {' '.join(missing)} with apt-get")
    run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
    run(["apt-get", "install", "-y", "-qq", *missing], stdout=subprocess.DEVNULL)
    still = [cmd for cmd in TOOLS if not shutil.which(cmd)]
    if still:
        die(f"still missing after apt-get: {' '.join(still)}")


def cargo_target_dir():
    out = run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO, capture_output=True, text=True)
    return Path(json.loads(out.stdout)["target_directory"])


def build(work):
    say("building release binaries (cargo build --release --locked)")
    run(["cargo", "build", "--release", "--locked", "-p", "katalon-prep", "-p", "katalon-prep-fakes"], cwd=REPO)
    target = cargo_target_dir()
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    # Copies: a concurrent build into the shared target dir must not change
    # the binary under measurement.
    for name in ["katalon-prep", "katalon-prep-fake"]:
        shutil.copy2(target / "release" / name, bin_dir / f".{name}.new")
        os.replace(bin_dir / f".{name}.new", bin_dir / name)
    return bin_dir / "katalon-prep", bin_dir / "katalon-prep-fake"


# --- data --------------------------------------------------------------------


def keyword_jar(path, size, rng):
    """A keyword plugin jar of about `size` bytes: manifest, plugin JSON and
    incompressible class-like entries (stored: deflating noise gains nothing)."""
    chunk = 64 * 1024 if size < 64 * 1024 * 1024 else 1024 * 1024
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n", zipfile.ZIP_DEFLATED)
        z.writestr("Keywords/katalon-plugin.json", '{"keywords":["com.example.Bench"]}', zipfile.ZIP_DEFLATED)
        left, i = size - 1024, 0
        while left > 0:
            n = min(chunk, left)
            z.writestr(f"com/example/bench/C{i:05}.class", rng.randbytes(n), zipfile.ZIP_STORED)
            left -= n + 100  # local header + central entry, roughly
            i += 1


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(1 << 20):
            h.update(b)
    return h.hexdigest()


def generate(work):
    """WORK/data/url/*.jar (20 jars, 100 MB) and WORK/data/big/huge.jar (512 MiB),
    reused when already there with the same recipe."""
    data = work / "data"
    stamp = data / "recipe.json"
    recipe = {"n": N_PLUGINS, "total": TOTAL_BYTES, "big": BIG_BYTES, "seed": SEED, "v": 2}
    if stamp.exists() and json.loads(stamp.read_text()).get("recipe") == recipe:
        return json.loads(stamp.read_text())
    say("generating plugin jars (once per work dir)")
    shutil.rmtree(data, ignore_errors=True)
    rng = random.Random(SEED)
    mean = TOTAL_BYTES // N_PLUGINS
    plugins = []
    for i in range(N_PLUGINS):
        size = mean + (i - (N_PLUGINS - 1) / 2) * 200_000  # 3.1 MB .. 6.9 MB
        path = data / "url" / f"bench-plugin-{i:02}-1.0.{i}.jar"
        keyword_jar(path, int(size), rng)
        plugins.append({"file": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)})
        # The same jar as a Katalon Store package (Store downloads are zips).
        package = data / "store" / f"bench-store-{i:02}.zip"
        package.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(package, "w") as z:
            z.write(path, f"bench-store-{i:02}/bench-store-{i:02}-1.0.{i}.jar", zipfile.ZIP_STORED)
        plugins[-1]["package"] = package.name
        plugins[-1]["package_size"] = package.stat().st_size
    big = data / "big" / "huge-plugin-1.0.0.jar"
    keyword_jar(big, BIG_BYTES, rng)
    info = {
        "recipe": recipe,
        "plugins": plugins,
        "big": {"file": big.name, "size": big.stat().st_size, "sha256": sha256_file(big)},
    }
    stamp.write_text(json.dumps(info, indent=1))
    return info


ENGINE_KATALONC = """#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/configuration/org.eclipse.osgi"
printf '%s\\n' "$@" > "$here/configuration/org.eclipse.osgi/argv"
exit 0
"""


def generate_engine(work):
    """WORK/data/engine/<v>/Katalon_Studio_Engine_Linux_64-<v>.tar.gz: a
    synthetic engine of ENGINE_BYTES incompressible bytes (a JRE-like and a
    plugins-like part, as the real archive is mostly compressed jars) with a
    katalonc script, its .ini, a configuration/ with a driver, and relative
    links; reused when already there with the same recipe."""
    import io
    import tarfile

    out_dir = work / "data" / "engine" / ENGINE_VERSION
    top = f"Katalon_Studio_Engine_Linux_64-{ENGINE_VERSION}"
    archive = out_dir / f"{top}.tar.gz"
    stamp = out_dir / "recipe.json"
    recipe = {"bytes": ENGINE_BYTES, "seed": SEED, "v": 1}
    if archive.exists() and stamp.exists() and json.loads(stamp.read_text()) == recipe:
        return archive
    say("generating the 300 MB synthetic engine (once per work dir)")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED + 15)

    def add(tar, name, data, mode=0o644):
        info = tarfile.TarInfo(f"{top}/{name}")
        info.size, info.mode = len(data), mode
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        add(tar, "katalonc", ENGINE_KATALONC.encode(), 0o755)
        add(tar, "katalonc.ini", b"-vmargs\n-Xmx2g\n")
        add(tar, "configuration/config.ini", b"osgi.bundles=...\n")
        add(tar, "configuration/resources/drivers/chromedriver", rng.randbytes(2_000_000), 0o755)
        link = tarfile.TarInfo(f"{top}/jre/java")
        link.type, link.linkname = tarfile.SYMTYPE, "bin/java"
        tar.addfile(link)
        parts = 30
        for i in range(parts):
            where = "jre/lib" if i < parts // 3 else "plugins"
            add(tar, f"{where}/part-{i:02}.jar" if where == "plugins" else f"{where}/modules-{i:02}", rng.randbytes(ENGINE_BYTES // parts))
        add(tar, "jre/bin/java", rng.randbytes(100_000), 0o755)
    stamp.write_text(json.dumps(recipe))
    return archive


# --- fake servers --------------------------------------------------------------


STORE_KEY = "bench-not-a-real-key"


class Fake:
    def __init__(self, fake_bin, directory, latency_ms, log, store_manifest=None, rate=0):
        self.log = log
        cmd = [str(fake_bin), "serve", "--dir", str(directory), "--latency-ms", str(latency_ms), "--log", str(log)]
        if rate:
            cmd += ["--rate-bytes", str(rate)]
        if store_manifest:
            cmd += ["--store-key", STORE_KEY, "--store-manifest", str(store_manifest)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            die(f"katalon-prep-fake did not print its URL (got {self.url!r})")

    def requests(self):
        return len(json.loads(self.log.read_text()))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- measuring -----------------------------------------------------------------


def hyperfine(name, commands, work, *, runs, warmup=1, prepare=None, shell=True, cwd=None, env=None, shell_cmd=None):
    """Runs hyperfine; returns {command name: {median, mean, stddev, min, max}} in seconds."""
    out = work / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["hyperfine", "--style", "basic", "--runs", str(runs), "--warmup", str(warmup), "--export-json", str(out)]
    if not shell:
        cmd.append("-N")
    elif shell_cmd:
        cmd += ["--shell", shell_cmd]
    if prepare:
        cmd += ["--prepare", prepare]
    for label, command in commands:
        cmd += ["--command-name", label, command]
    say(f"hyperfine: {name}")
    run(cmd, cwd=cwd, env=env, stdout=sys.stderr)
    results = json.loads(out.read_text())["results"]
    return {r["command"]: r for r in results}


def peak_rss_kib(cmd, cwd, env, reset):
    run(["sh", "-c", reset])
    out = run(["/usr/bin/time", "-v", *cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if out.returncode != 0:
        die(f"{' '.join(cmd)} failed:\n{out.stderr}")
    for line in out.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    die("no 'Maximum resident set size' in /usr/bin/time -v output")


def static_binary(work):
    """(path, description) of the binary whose size is reported."""
    installed = run(["rustup", "target", "list", "--installed"], capture_output=True, text=True, check=False).stdout
    if "x86_64-unknown-linux-musl" in installed:
        if not shutil.which("musl-gcc") and os.geteuid() == 0 and shutil.which("apt-get"):
            run(["apt-get", "install", "-y", "-qq", "musl-tools"], stdout=subprocess.DEVNULL, check=False)
        if shutil.which("musl-gcc"):
            say("building the static musl binary")
            r = run(
                ["cargo", "build", "--release", "--locked", "-p", "katalon-prep", "--target", "x86_64-unknown-linux-musl"],
                cwd=REPO,
                check=False,
            )
            if r.returncode == 0:
                path = cargo_target_dir() / "x86_64-unknown-linux-musl" / "release" / "katalon-prep"
                dest = work / "bin" / "katalon-prep-musl"
                shutil.copy2(path, dest)
                return dest, "static (x86_64-unknown-linux-musl, release profile: LTO, stripped)"
    return work / "bin" / "katalon-prep", "dynamic glibc release binary (no musl target or musl-gcc here)"


def scratch_image(binary, work):
    """Size in bytes of a `FROM scratch` image holding only the binary, or None."""
    if not shutil.which("docker"):
        return None, "docker not installed"
    if run(["docker", "info"], capture_output=True, check=False, timeout=30).returncode != 0:
        return None, "no docker daemon"
    ctx = work / "image"
    shutil.rmtree(ctx, ignore_errors=True)
    ctx.mkdir()
    shutil.copy2(binary, ctx / "katalon-prep")
    (ctx / "Dockerfile").write_text('FROM scratch\nCOPY katalon-prep /katalon-prep\nENTRYPOINT ["/katalon-prep"]\n')
    tag = "katalon-prep-bench:scratch"
    r = run(["docker", "build", "-q", "-t", tag, str(ctx)], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        return None, f"docker build failed: {r.stderr.strip()[:200]}"
    size = int(run(["docker", "image", "inspect", "-f", "{{.Size}}", tag], capture_output=True, text=True).stdout)
    run(["docker", "image", "rm", tag], capture_output=True, check=False)
    return size, "docker image inspect .Size"


# --- the project -----------------------------------------------------------------


def make_project(work, plugin_urls, store_ids, store_url):
    """A copy of examples/demo (minus its vendor jar), the url config beside it
    (its lock is project/katalon-prep.lock), and configs in folders of their
    own (each folder holds its own lock) for the Store, the big plugin and
    start-up."""
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    demo = REPO / "examples" / "demo"
    shutil.copytree(demo / "Test Suites", project / "Test Suites")
    shutil.copytree(demo / "Profiles", project / "Profiles")
    shutil.copy2(demo / "Demo.prj", project / "Demo.prj")
    run_section = (
        "run:\n  test-suite: Test Suites/Smoke\n  browser: Chrome (headless)\n  profile: staging\n"
        "  globals:\n    baseUrl: https://staging.example.com\n"
    )

    def config(folder, text):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "katalon-prep.yml"
        outside = "" if folder == project else "project: ../project\n"
        path.write_text(outside + text)
        return path

    configs = {"startup": config(work / "cfg-startup", run_section)}
    for name, plugins in plugin_urls.items():
        body = "".join(f"  - url: {url}\n    sha256: {sha}\n" for sha, url in plugins)
        folder = project if name == "cold" else work / f"cfg-{name}"
        configs[name] = config(folder, f"{run_section}offline: true\nplugins:\n{body}")
    body = "".join(f"  - store: {i}\n" for i in store_ids)
    store = f'store:\n  app-version: "9.7.2"\n  url: {store_url}\n'
    configs["store"] = config(work / "cfg-store", f"{run_section}{store}offline: true\nplugins:\n{body}")
    return project, configs


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/katalon-prep-bench"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--warm-runs", type=int, default=50)
    ap.add_argument("--latency-ms", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--skip-size", action="store_true", help="skip the musl build and the image")
    ap.add_argument("--engine-only", action="store_true", help="measure the engine rows (issue 15) only")
    args = ap.parse_args()
    work = args.work.resolve()
    out_md = (args.out or work / "results.md").resolve()
    work.mkdir(parents=True, exist_ok=True)

    ensure_tools()
    load_start = loadavg()
    if os.getloadavg()[0] > 1.0:
        say(f"warning: load average {load_start}: other work on this machine will show in the figures")
    kp, fake_bin = build(work)
    if args.engine_only:
        rows, notes = measure_engine(args, work, kp, fake_bin)
        notes.append(f"Load average (1, 5, 15 min) at the start: {load_start}; at the end: {loadavg()}.")
        write_report(args, work, out_md, rows, notes, 0)
        return
    info = generate(work)
    data = work / "data"
    total = sum(p["size"] for p in info["plugins"])
    (work / "logs").mkdir(exist_ok=True)

    manifest = work / "store-manifest.json"
    manifest.write_text(
        json.dumps(
            [
                {
                    "id": 1000 + i,
                    "product_id": 500 + i,
                    "name": f"Bench Store {i:02}",
                    "keyword": True,
                    "version": f"1.0.{i}",
                    "download_url": f"/store/{p['package']}",
                }
                for i, p in enumerate(info["plugins"])
            ]
        )
    )
    slow = Fake(fake_bin, data, args.latency_ms, work / "logs" / "slow.json", manifest)
    fast = Fake(fake_bin, data, 0, work / "logs" / "fast.json")
    try:
        rows, notes = measure(args, work, kp, info, total, slow, fast)
    finally:
        slow.stop()
        fast.stop()
    engine_rows, engine_notes = measure_engine(args, work, kp, fake_bin)
    rows += engine_rows
    notes += engine_notes

    if not args.skip_size:
        binary, how = static_binary(work)
        size = binary.stat().st_size
        image, image_how = scratch_image(binary, work)
        rows.append(("Size: binary", f"{size / 1e6:.2f} MB", "", "", "≤ 7 MB", size <= 7_000_000, how))
        if image is not None:
            rows.append(("Size: scratch image", f"{image / 1e6:.2f} MB", "", "", "≤ 8 MB", image <= 8_000_000, image_how))
        else:
            notes.append(f"Scratch image not measured: {image_how}.")

    notes.append(f"Load average (1, 5, 15 min) at the start: {load_start}; at the end: {loadavg()}.")
    write_report(args, work, out_md, rows, notes, total)


def measure(args, work, kp, info, total, slow, fast):
    rows, notes = [], []
    seq = lambda server: [(p["sha256"], f"{server.url}/url/{p['file']}") for p in info["plugins"]]
    store_ids = [500 + i for i in range(N_PLUGINS)]
    project, configs = make_project(
        work,
        {"cold": seq(slow), "big": [(info["big"]["sha256"], f"{fast.url}/big/{info['big']['file']}")]},
        store_ids,
        slow.url,
    )
    env = {**os.environ, "KATALON_API_KEY": STORE_KEY, "NO_COLOR": "1"}
    for k in list(env):
        if k.startswith(("KATALON_PREP_", "KATALON_STORE", "GITHUB_")) or k == "RUST_LOG":
            del env[k]
    cache = work / "cache"
    runs_dir = work / "run"
    lists = work / "lists"
    lists.mkdir(exist_ok=True)
    (lists / "slow.txt").write_text("".join(f"{sha} {url}\n" for sha, url in seq(slow)))
    kp_q = f"{kp} --cache-dir {cache} -q"
    prep = f"{kp_q} --config {configs['cold']} prepare --locked --jobs {args.jobs} --output {runs_dir}/line"

    # Bandwidth of the fake server: the same 20 files, no latency, to /dev/null.
    urls = " ".join(url for _, url in seq(fast))
    bw = hyperfine(
        "bandwidth",
        [
            ("curl -P8 to /dev/null", f"printf '%s\\n' {urls} | xargs -P8 -n1 curl -fsS -o /dev/null"),
            ("curl 512 MiB to /dev/null", f"curl -fsS -o /dev/null {fast.url}/big/{info['big']['file']}"),
        ],
        work,
        runs=5,
    )
    bw_par = total / bw["curl -P8 to /dev/null"]["median"]
    bw_one = info["big"]["size"] / bw["curl 512 MiB to /dev/null"]["median"]
    bandwidth = max(bw_par, bw_one)
    waves = math.ceil(N_PLUGINS / args.jobs)
    limit = args.latency_ms / 1000 * waves + total / bandwidth
    notes.append(
        f"Fake server bandwidth: {bw_par / 1e6:.0f} MB/s with 8 parallel curls, {bw_one / 1e6:.0f} MB/s for one "
        f"512 MiB stream; the limits use the larger, {bandwidth / 1e6:.0f} MB/s."
    )

    # The lock the cold and warm runs check against (--locked), as CI would have it committed.
    run(f"{kp_q} --config {configs['cold']} lock".split(), cwd=project, env=env)

    # Cold.
    reset_cold = f"rm -rf {cache} {project}/Plugins {runs_dir} && mkdir -p {runs_dir}"
    cold = hyperfine(
        "cold",
        [
            ("katalon-prep prepare --locked", prep),
            ("sequential curl script", f"{REPO}/bench/cold-seq.sh {lists}/slow.txt {runs_dir}/seq"),
            ("parallel curl script", f"{REPO}/bench/cold-par.sh {lists}/slow.txt {runs_dir}/par"),
        ],
        work,
        runs=args.cold_runs,
        prepare=reset_cold,
        cwd=project,
        env=env,
    )
    kp_cold = cold["katalon-prep prepare --locked"]["median"]
    s_seq = cold["sequential curl script"]["median"]
    s_par = cold["parallel curl script"]["median"]
    detail = f"{N_PLUGINS} url plugins, {total / 1e6:.1f} MB, {args.latency_ms} ms latency, --jobs {args.jobs}"
    limit_what = f"{args.latency_ms} ms × ⌈{N_PLUGINS}/{args.jobs}⌉ + {total / 1e6:.0f} MB ÷ {bandwidth / 1e6:.0f} MB/s"
    rows.append(("Cold vs sequential curl", fmt_s(kp_cold), fmt_s(s_seq), f"{s_seq / kp_cold:.1f}× faster", "≥ 4× faster", s_seq / kp_cold >= 4, detail))
    rows.append(("Cold vs parallel curl (-P8)", fmt_s(kp_cold), fmt_s(s_par), f"{kp_cold / s_par:.2f}×", "≤ 0.8×", kp_cold / s_par <= 0.8, detail))
    rows.append(("Cold vs theoretical limit", fmt_s(kp_cold), fmt_s(limit), f"{kp_cold / limit:.2f}×", "≤ 1.25×", kp_cold / limit <= 1.25, f"limit = {limit_what}"))

    # Cold, Store plugins: the listing round trip, then the packages.
    store_cache = work / "store-cache"
    store_bytes = sum(p["package_size"] for p in info["plugins"])
    store_limit = args.latency_ms / 1000 * (1 + waves) + store_bytes / bandwidth
    st = hyperfine(
        "cold-store",
        [("katalon-prep prepare (Store)", f"{kp} --cache-dir {store_cache} -q --config {configs['store']} prepare --jobs {args.jobs}")],
        work,
        runs=args.cold_runs,
        prepare=f"rm -rf {store_cache} {project}/Plugins",
        cwd=project,
        env=env,
    )
    kp_store = st["katalon-prep prepare (Store)"]["median"]
    rows.append(("Cold Store plugins vs theoretical limit", fmt_s(kp_store), fmt_s(store_limit), f"{kp_store / store_limit:.2f}×", "≤ 1.25×", kp_store / store_limit <= 1.25, f"{N_PLUGINS} `store:` packages, {store_bytes / 1e6:.1f} MB; limit = {args.latency_ms} ms × (1 listing + ⌈{N_PLUGINS}/{args.jobs}⌉) + bytes ÷ {bandwidth / 1e6:.0f} MB/s"))
    installed = list((project / "Plugins").glob("bench-store-*.jar"))
    if len(installed) != N_PLUGINS:
        die(f"the Store run installed {len(installed)} jars, expected {N_PLUGINS}")
    shutil.rmtree(store_cache, ignore_errors=True)

    # Warm: the cache is full (restored by CI), the checkout's Plugins/ is empty.
    run(["sh", "-c", f"rm -rf {project}/Plugins"])
    run(prep.split(), cwd=project, env=env, stdout=subprocess.DEVNULL)
    jars = sorted(cache.glob("v1/entries/*/jars/*.jar"))
    installed = list((project / "Plugins").glob("*.jar"))
    if len(jars) != N_PLUGINS or len(installed) != N_PLUGINS:
        die(f"expected {N_PLUGINS} cached and installed jars, found {len(jars)} and {len(installed)}")
    files = " ".join(str(j) for j in jars)
    before = slow.requests()
    cp_dir, ln_dir = runs_dir / "cp", runs_dir / "ln"
    warm = hyperfine(
        "warm",
        [
            ("katalon-prep prepare --locked", prep),
            ("cp", f"cp -t {cp_dir} {files}"),
            ("ln", f"ln -t {ln_dir} {files}"),
        ],
        work,
        runs=args.warm_runs,
        warmup=3,
        prepare=f"sh -c 'rm -rf {project}/Plugins {runs_dir} && mkdir -p {cp_dir} {ln_dir}'",
        shell=False,
        cwd=project,
        env=env,
    )
    noop = hyperfine("warm-noop", [("katalon-prep prepare --locked (already installed)", prep)], work, runs=args.warm_runs, warmup=3, shell=False, cwd=project, env=env)
    requests = slow.requests() - before
    kp_warm = warm["katalon-prep prepare --locked"]["median"]
    t_cp, t_ln = warm["cp"]["median"], warm["ln"]["median"]
    kp_noop = noop["katalon-prep prepare --locked (already installed)"]["median"]
    zero = f"{requests} network requests in {2 * (3 + args.warm_runs)} warm runs (the fake's log)"
    if requests:
        notes.append(f"**Warm runs made {requests} requests (must be 0).**")
    rows.append(("Warm (locked, cached) vs `cp`", fmt_s(kp_warm), fmt_s(t_cp), f"{kp_warm / t_cp:.2f}×", "≤ 0.25×", kp_warm / t_cp <= 0.25 and requests == 0, zero))
    rows.append(("Warm vs `ln` (floor)", fmt_s(kp_warm), fmt_s(t_ln), f"{kp_warm / t_ln:.1f}×", "—", None, "hardlinks only, no process of ours"))
    rows.append(("Warm, already installed, vs `cp`", fmt_s(kp_noop), fmt_s(t_cp), f"{kp_noop / t_cp:.2f}×", "—", None, "a re-run in the same checkout: nothing to do"))

    # Memory: one 512 MiB plugin, cold, from the fast server.
    big_cache = work / "big-cache"
    rss = [
        peak_rss_kib(
            [str(kp), "--config", str(configs["big"]), "--cache-dir", str(big_cache), "-q", "prepare"],
            project,
            env,
            f"rm -rf {big_cache} {project}/Plugins",
        )
        for _ in range(3)
    ]
    peak = max(rss)
    rows.append(("Memory: peak RSS, 512 MiB plugin", f"{peak / 1024:.1f} MiB", "", "", "≤ 32 MB", peak * 1024 <= 32_000_000, f"/usr/bin/time -v, max of 3 cold runs ({', '.join(f'{r / 1024:.1f}' for r in rss)} MiB)"))
    shutil.rmtree(big_cache, ignore_errors=True)
    shutil.rmtree(project / "Plugins", ignore_errors=True)

    # Start-up.
    st = hyperfine(
        "startup",
        [("katalon-prep args", f"{kp} --config {configs['startup']} args"), ("/bin/true", "/bin/true")],
        work,
        runs=300,
        warmup=20,
        shell=False,
        cwd=project,
        env=env,
    )
    t_args, t_true = st["katalon-prep args"]["median"], st["/bin/true"]["median"]
    rows.append(("Start-up: `args` vs `/bin/true`", fmt_s(t_args), fmt_s(t_true), f"+{(t_args - t_true) * 1000:.1f} ms", "—", None, "config, project discovery, key, line; no plugins"))
    return rows, notes


def measure_engine(args, work, kp, fake_bin):
    """Issue 15: a cold engine install from a fake throttled to 50 MB/s with
    the configured latency, against `curl | tee >(sha256sum) | tar xz` and
    the limit; a warm install (the engine cached, the writable engine
    missing, as a CI cache restore leaves it) against `tar xzf`; peak RSS."""
    rows, notes = [], []
    archive = generate_engine(work)
    size = archive.stat().st_size
    (work / "logs").mkdir(exist_ok=True)
    fake = Fake(fake_bin, work / "data" / "engine", args.latency_ms, work / "logs" / "engine.json", rate=ENGINE_RATE)
    try:
        project = work / "engine-project"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        shutil.copy2(REPO / "examples" / "demo" / "Demo.prj", project / "Demo.prj")
        (project / "katalon-prep.yml").write_text(f'engine:\n  version: "{ENGINE_VERSION}"\n  url: {fake.url}\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KATALON", "GITHUB_")) and k != "RUST_LOG"}
        env.update({"NO_COLOR": "1", "KATALON_PREP_PLATFORM": "linux-x64"})
        cache = work / "engine-cache"
        out = work / "engine-out"
        kp_q = f"{kp} --cache-dir {cache} -q"
        url = f"{fake.url}/{ENGINE_VERSION}/{archive.name}"
        run(["sh", "-c", f"rm -rf {cache}"])
        run(f"{kp_q} lock".split(), cwd=project, env=env)
        install = f"{kp_q} engine install --locked"
        reset = f"rm -rf {cache} {project}/.katalon-prep {out} && mkdir -p {out}"
        baseline = f"curl -fsS {url} | tee >(sha256sum > /dev/null) | tar xz -C {out}"
        cold = hyperfine(
            "engine-cold",
            [("katalon-prep engine install --locked", install), ("curl | tee >(sha256sum) | tar xz", baseline)],
            work,
            runs=args.cold_runs,
            prepare=reset,
            cwd=project,
            env={**env, "SHELL": "/bin/bash"},
            shell_cmd="bash",
        )
        kp_cold = cold["katalon-prep engine install --locked"]["median"]
        base = cold["curl | tee >(sha256sum) | tar xz"]["median"]
        limit = args.latency_ms / 1000 + size / ENGINE_RATE
        what = f"{size / 1e6:.0f} MB synthetic engine, fake throttled to {ENGINE_RATE / 1e6:.0f} MB/s, {args.latency_ms} ms latency"
        rows.append(("Engine cold vs `curl \\| tee >(sha256sum) \\| tar xz`", fmt_s(kp_cold), fmt_s(base), f"{kp_cold / base:.2f}×", "≤ 1.1×", kp_cold / base <= 1.1, what))
        rows.append(("Engine cold vs theoretical limit", fmt_s(kp_cold), fmt_s(limit), f"{kp_cold / limit:.2f}×", "≤ 1.25×", kp_cold / limit <= 1.25, f"limit = {args.latency_ms} ms + {size / 1e6:.0f} MB ÷ {ENGINE_RATE / 1e6:.0f} MB/s"))
        rss = [peak_rss_kib(install.split(), project, env, reset) for _ in range(3)]
        rows.append(("Engine memory: peak RSS, cold install", f"{max(rss) / 1024:.1f} MiB", "", "", "≤ 64 MB", max(rss) * 1024 <= 64_000_000, f"/usr/bin/time -v, max of 3 ({', '.join(f'{r / 1024:.1f}' for r in rss)} MiB)"))

        # Warm: the engine in the cache, the checkout without its writable engine.
        run(install.split(), cwd=project, env=env)
        before = fake.requests()
        warm = hyperfine(
            "engine-warm",
            [("katalon-prep engine install --locked", install), ("tar xzf", f"tar xzf {archive} -C {out}")],
            work,
            runs=args.warm_runs,
            warmup=3,
            prepare=f"sh -c 'rm -rf {project}/.katalon-prep {out} && mkdir -p {out}'",
            shell=False,
            cwd=project,
            env=env,
        )
        requests = fake.requests() - before
        kp_warm = warm["katalon-prep engine install --locked"]["median"]
        t_tar = warm["tar xzf"]["median"]
        made = run(f"{kp} --cache-dir {cache} engine install --locked".split(), cwd=project, env=env, capture_output=True, text=True).stderr.strip()
        rows.append(("Engine warm vs `tar xzf`", fmt_s(kp_warm), fmt_s(t_tar), f"{kp_warm / t_tar:.3f}×", "≤ 0.05×", kp_warm / t_tar <= 0.05 and requests == 0, f"{requests} requests in {args.warm_runs + 3} warm runs; writable engine made each run"))
        notes.append(f"Engine warm install, as it reports itself: `{made.splitlines()[-1] if made else ''}`.")
    finally:
        fake.stop()
    return rows, notes


def write_report(args, work, out_md, rows, notes, total):
    rev = run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.processor())
    fs = run(["df", "-T", str(work)], capture_output=True, text=True, check=False).stdout.splitlines()[-1].split()[1]
    hf = run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC} on {os.cpu_count()} cores ({cpu}), "
        f"Linux {platform.release()}, work dir on {fs}; {hf}; commit {rev}{' (with local changes)' if dirty else ''}.",
        "",
        "| row | katalon-prep | baseline | ratio | target | met | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, ours, base, ratio, target, met, what in rows:
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {ours} | {base} | {ratio} | {target} | {mark} | {what} |")
    lines += [""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    out_md.write_text(text)
    print(text)
    say(f"wrote {out_md} and {work}/results/*.json")


if __name__ == "__main__":
    main()
