//! The reliability suite: the real binary against loopback servers, made to
//! fail — killed mid-run, raced by copies of itself, starved of disk, served
//! errors and cut bodies, fed hostile archives — and then the state on disk
//! is checked: the next run succeeds, the cache verifies, nothing is half
//! written, and the project's `Plugins/` is as it was.
//!
//! Cases that need root tricks (a small tmpfs, a read-only bind mount) try
//! to mount and print a loud SKIPPED line when they cannot. The 503-twice,
//! drop-once, checksum-mismatch, zip-slip, absolute-path and HTML-as-jar
//! basics live in `tests/it/plugins.rs`; this file covers what they do not.

use crate::support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use katalon_prep_fakes::FakeServer;
use predicates::prelude::*;
use support::{
    Fixture, SENTINEL, big_keyword_jar, bin_std, keyword_jar, noise, sha256_hex, url_plugin, zip, zip_with_raw_name,
    zip_with_symlink,
};

/// Temp files and staging folders under `root`: what no run may leave
/// behind once the next run is done.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let in_staging = dir.ends_with("v1/tmp");
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if in_staging || name.starts_with(".katalon-prep-") || name.ends_with(".tmp") {
                out.push(path.clone());
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.insert(path.strip_prefix(dir).unwrap_or(&path).to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Entries in the fixture's cache (`cache/v1/entries/*`).
fn cache_entries(f: &Fixture) -> usize {
    std::fs::read_dir(f.path("cache/v1/entries")).map(|d| d.count()).unwrap_or(0)
}

fn assert_cache_verifies(f: &Fixture, cache: &Path) {
    f.cmd()
        .env("KATALON_PREP_CACHE_DIR", cache)
        .args(["cache", "verify"])
        .assert()
        .success()
        .stderr(predicate::str::contains(", 0 corrupt"));
}

// --- crash safety ---------------------------------------------------------

/// A download host that sends the headers, then the body in slow pieces, so
/// that a kill lands while a download is half written.
struct Trickle {
    url: String,
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Trickle {
    fn start(body: Vec<u8>, pieces: usize, pause: Duration) -> Trickle {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let body = Arc::new(body);
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (body, stopping) = (Arc::clone(&body), Arc::clone(&stopping));
                std::thread::spawn(move || trickle(conn, &body, pieces, pause, &stopping));
            }
        });
        Trickle { url: format!("http://{addr}"), addr, stop }
    }
}

fn trickle(mut conn: TcpStream, body: &[u8], pieces: usize, pause: Duration, stop: &AtomicBool) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    if conn.write_all(head.as_bytes()).is_err() {
        return;
    }
    for piece in body.chunks(body.len().div_ceil(pieces)) {
        if stop.load(Ordering::SeqCst) || conn.write_all(piece).is_err() {
            return;
        }
        std::thread::sleep(pause);
    }
}

impl Drop for Trickle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

#[test]
fn killed_at_ten_moments_every_next_run_recovers_and_leaves_nothing_behind() {
    let f = Fixture::project();
    // Five hosts whose answers arrive 0–200 ms apart (one serves a zip
    // package), and one that trickles its body over ~250 ms: the kills land
    // before, during and after downloads, in commits and in installation.
    let servers: Vec<FakeServer> = (0..5u64)
        .map(|i| {
            let s = FakeServer::start();
            s.latency(Duration::from_millis(50 * i));
            s
        })
        .collect();
    let mut cfg = String::from("offline: true\nplugins:\n");
    let mut expected = BTreeMap::new();
    for (i, server) in servers.iter().enumerate() {
        let jar = big_keyword_jar(150_000 + i * 1000);
        let name = format!("plugin-{i}.jar");
        if i == 2 {
            cfg += &url_plugin(server, "package-2.zip", &zip(&[(&format!("lib/{name}"), &jar)]));
        } else {
            cfg += &url_plugin(server, &name, &jar);
        }
        expected.insert(name, sha256_hex(&jar));
    }
    let slow = big_keyword_jar(250_000);
    let trickler = Trickle::start(slow.clone(), 25, Duration::from_millis(10));
    cfg += &format!("  - url: {}/slow.jar\n    sha256: {}\n", trickler.url, sha256_hex(&slow));
    expected.insert("slow.jar".into(), sha256_hex(&slow));
    f.config(&cfg);

    let mut landed = 0;
    for (i, delay) in [0u64, 10, 25, 45, 70, 100, 140, 180, 230, 290].into_iter().enumerate() {
        // A cold run every time; every other time on a project that an
        // earlier run had fully installed.
        let _ = support::remove_tree(&f.path("cache"));
        if i % 2 == 0 {
            let _ = support::remove_tree(&f.path("Plugins"));
        }
        let mut child = bin_std(f.root())
            .env("KATALON_API_KEY", SENTINEL)
            .arg("prepare")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("SIGKILL");
        if !child.wait().expect("wait").success() {
            landed += 1;
        }

        let out = f.prepare().output().expect("run");
        assert!(out.status.success(), "the run after a kill at {delay} ms failed\n{}", crate::support::report(&out));
        for (name, sha) in &expected {
            let bytes = std::fs::read(f.path(&format!("Plugins/{name}"))).expect("installed jar");
            assert_eq!(&sha256_hex(&bytes), sha, "Plugins/{name} after a kill at {delay} ms");
        }
        assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new(), "left behind after a kill at {delay} ms");
        assert_cache_verifies(&f, &f.path("cache"));
    }
    assert!(landed >= 8, "only {landed} of 10 kills hit a running process");
}

#[test]
fn temp_files_of_a_killed_run_are_removed_and_those_of_a_live_run_kept() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("offline: true\nplugins:\n  - path: vendor/a.jar\n");
    f.prepare().assert().success();
    // What a run killed between writing a temp file and renaming it leaves:
    // its pid (beyond any pid_max) is in the name. A live writer's is ours.
    let dead = ".katalon-prep-4194305-0badc0de.tmp";
    let live = format!(".katalon-prep-{}-00000001.tmp", std::process::id());
    for dir in ["Plugins", "Plugins/platform", "settings/internal", "cache"] {
        f.write(&format!("{dir}/{dead}"), b"half a jar");
        f.write(&format!("{dir}/{live}"), b"being written");
    }
    // Each folder is cleaned when katalon-prep next writes there.
    f.write("vendor/b.jar", keyword_jar("B"));
    std::fs::remove_file(f.path("settings/internal/com.kms.katalon.execution.properties")).expect("rm");
    std::fs::remove_file(f.path("cache/CACHEDIR.TAG")).expect("rm");
    f.config("offline: true\nplugins:\n  - path: vendor/a.jar\n  - path: vendor/b.jar\n");
    f.prepare().assert().success();
    for dir in ["Plugins", "Plugins/platform", "settings/internal", "cache"] {
        assert!(!f.path(&format!("{dir}/{dead}")).exists(), "{dir}/{dead} was left");
        assert!(f.path(&format!("{dir}/{live}")).exists(), "{dir}/{live} of a live run was removed");
    }
}

// --- concurrency ------------------------------------------------------------

/// Four plugins on one host with some latency, so that runs overlap.
fn four_plugins(server: &FakeServer) -> (String, Vec<(String, Vec<u8>)>) {
    server.latency(Duration::from_millis(50));
    let jars: Vec<(String, Vec<u8>)> = (0..4).map(|i| (format!("p{i}.jar"), big_keyword_jar(100_000 + i))).collect();
    let mut cfg = String::from("offline: true\nplugins:\n");
    for (name, bytes) in &jars {
        cfg += &url_plugin(server, name, bytes);
    }
    (cfg, jars)
}

fn run_at_once(runs: Vec<Command>) -> Vec<Output> {
    let children: Vec<_> =
        runs.into_iter().map(|mut c| c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn")).collect();
    children.into_iter().map(|c| c.wait_with_output().expect("wait")).collect()
}

#[test]
fn four_prepares_at_once_on_one_cache_download_each_plugin_once() {
    let server = FakeServer::start();
    let (cfg, jars) = four_plugins(&server);
    let cache = tempfile::tempdir().expect("temp dir");
    let projects: Vec<Fixture> = (0..4)
        .map(|_| {
            let f = Fixture::project();
            f.config(&cfg);
            f
        })
        .collect();
    let outs = run_at_once(
        projects
            .iter()
            .map(|f| {
                let mut c = bin_std(f.root());
                c.env("KATALON_PREP_CACHE_DIR", cache.path()).env("KATALON_API_KEY", SENTINEL).arg("prepare");
                c
            })
            .collect(),
    );
    for out in &outs {
        crate::support::assert_success(out);
        assert_eq!(out.stdout, outs[0].stdout, "the runs printed different lines");
    }
    for f in &projects {
        for (name, bytes) in &jars {
            assert_eq!(&std::fs::read(f.path(&format!("Plugins/{name}"))).expect("jar"), bytes);
        }
        assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new());
    }
    for (name, _) in &jars {
        assert_eq!(server.count(&format!("/{name}")), 1, "{name}: one download serves every run");
    }
    assert_eq!(leftovers(cache.path()), Vec::<PathBuf>::new());
    assert_cache_verifies(&projects[0], cache.path());
}

#[test]
fn four_prepares_at_once_on_one_project_agree_and_leave_no_partial_file() {
    let server = FakeServer::start();
    let (cfg, jars) = four_plugins(&server);
    let f = Fixture::project();
    f.config(&cfg);
    let outs = run_at_once(
        (0..4)
            .map(|_| {
                let mut c = bin_std(f.root());
                c.env("KATALON_API_KEY", SENTINEL).arg("prepare");
                c
            })
            .collect(),
    );
    for out in &outs {
        crate::support::assert_success(out);
        assert_eq!(out.stdout, outs[0].stdout, "the runs printed different lines");
    }
    let plugins = snapshot(&f.path("Plugins"));
    let names: Vec<String> = plugins.keys().map(|p| p.display().to_string()).collect();
    assert_eq!(names, [".katalon-prep.json", ".katalon-prep.lock", "p0.jar", "p1.jar", "p2.jar", "p3.jar"]);
    for (name, bytes) in &jars {
        assert_eq!(&plugins[Path::new(name)], bytes);
    }
    let record: serde_json::Value = serde_json::from_slice(&plugins[Path::new(".katalon-prep.json")]).expect("json");
    assert_eq!(record["files"].as_object().map(|o| o.len()), Some(4));
    let settings = f.read("settings/internal/com.kms.katalon.execution.properties");
    assert_eq!(settings, "plugin.reloadOption=\"OFFLINE\"\n");
    assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new());
    assert_cache_verifies(&f, &f.path("cache"));
}

// --- resource faults (root only) ------------------------------------------

/// A mount made by a test, undone when dropped (also when the test panics).
struct Mount(PathBuf);

impl Mount {
    /// `mount ARGS... AT`; `None` when this machine does not allow it.
    fn new(args: &[&str], at: &Path) -> Option<Mount> {
        std::fs::create_dir_all(at).ok()?;
        let status = Command::new("mount").args(args).arg(at).stderr(Stdio::null()).status();
        status.is_ok_and(|s| s.success()).then(|| Mount(at.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn skipped(case: &str) {
    eprintln!("\n******** SKIPPED {case}: cannot mount here (needs root and mount(8)) ********\n");
}

#[test]
fn cache_on_a_full_filesystem_is_exit_40_and_plugins_stay_as_they_were() {
    let f = Fixture::project();
    let server = FakeServer::start();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("Plugins/users-own.jar", b"the user's jar");
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().env("KATALON_PREP_CACHE_DIR", f.path("roomy")).assert().success();
    let before = snapshot(&f.path("Plugins"));

    let Some(_tmpfs) = Mount::new(&["-t", "tmpfs", "-o", "size=256k", "tmpfs"], &f.path("cache")) else {
        return skipped("cache_on_a_full_filesystem");
    };
    let big = big_keyword_jar(2_000_000);
    f.config(&format!("plugins:\n  - path: vendor/a.jar\n{}", url_plugin(&server, "big.jar", &big)));
    f.prepare()
        .assert()
        .code(40)
        .stderr(predicate::str::contains("Plugin big.jar: could not save the download"))
        .stderr(predicate::str::contains("No space left on device"));
    assert_eq!(snapshot(&f.path("Plugins")), before, "Plugins/ changed");
    assert!(!f.path(&format!("cache/v1/entries/{}", sha256_hex(&big))).exists());
    assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new());
    assert_eq!(server.count("/big.jar"), 1, "a full disk is not retried");
    assert_cache_verifies(&f, &f.path("cache"));
}

#[test]
fn read_only_cache_is_exit_40_naming_the_flag_and_changes_nothing() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("vendor/b.jar", keyword_jar("B"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().env("KATALON_PREP_CACHE_DIR", f.path("filled")).assert().success();
    let plugins_before = snapshot(&f.path("Plugins"));
    let cache_before = snapshot(&f.path("filled"));

    let filled = f.path("filled");
    let Some(_ro) = Mount::new(&["--bind", "-o", "ro", &filled.to_string_lossy()], &f.path("cache")) else {
        return skipped("read_only_cache");
    };
    f.config("plugins:\n  - path: vendor/a.jar\n  - path: vendor/b.jar\n");
    f.prepare()
        .assert()
        .code(40)
        .stderr(predicate::str::contains("The cache directory"))
        .stderr(predicate::str::contains("is not writable"))
        .stderr(predicate::str::contains("Read-only file system"))
        .stderr(predicate::str::contains("hint: choose another with --cache-dir DIR"));
    assert_eq!(snapshot(&f.path("Plugins")), plugins_before, "Plugins/ changed");
    assert_eq!(snapshot(&f.path("filled")), cache_before, "the cache changed");
}

// --- network faults, end to end ----------------------------------------------

/// A project where `vendor/a.jar` is already installed, and a host serving
/// `name`: the state a failing run must leave as it was.
fn installed_project(name: &str, bytes: &[u8]) -> (Fixture, FakeServer, BTreeMap<PathBuf, Vec<u8>>) {
    let f = Fixture::project();
    let server = FakeServer::start();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().assert().success();
    let before = snapshot(&f.path("Plugins"));
    f.config(&format!("plugins:\n  - path: vendor/a.jar\n{}", url_plugin(&server, name, bytes)));
    (f, server, before)
}

/// After a failed download: Plugins/ untouched, nothing staged or cached.
fn assert_untouched(f: &Fixture, before: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(&snapshot(&f.path("Plugins")), before, "Plugins/ changed");
    assert_eq!(cache_entries(f), 1, "only vendor/a.jar may be cached");
    assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new());
}

#[test]
fn status_503_until_the_retries_run_out_is_exit_20_after_4_tries() {
    let (f, server, before) = installed_project("down.jar", &keyword_jar("D"));
    server.fail_times("/down.jar", 10, 503);
    f.prepare()
        .assert()
        .code(20)
        .stderr(predicate::str::contains("Plugin down.jar: could not download it"))
        .stderr(predicate::str::contains("/down.jar answered 503 (after 4 tries)"));
    assert_eq!(server.count("/down.jar"), 4);
    assert_untouched(&f, &before);
}

#[test]
fn status_429_with_retry_after_waits_as_told_then_succeeds() {
    let (f, server, _) = installed_project("limited.jar", &keyword_jar("L"));
    server.retry_after("/limited.jar", 1, 1);
    let started = Instant::now();
    f.prepare().assert().success().stderr(predicate::str::contains("answered 429"));
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was not honoured");
    assert_eq!(server.count("/limited.jar"), 2);
    assert!(f.path("Plugins/limited.jar").is_file());
}

#[test]
fn retry_after_beyond_max_retry_wait_fails_at_once() {
    let (f, server, before) = installed_project("limited.jar", &keyword_jar("L"));
    server.retry_after("/limited.jar", 1, 120);
    let started = Instant::now();
    f.prepare()
        .args(["--max-retry-wait", "5"])
        .assert()
        .code(20)
        .stderr(predicate::str::contains("/limited.jar answered 429"));
    assert!(started.elapsed() < Duration::from_secs(5), "waited for a Retry-After beyond the cap");
    assert_eq!(server.count("/limited.jar"), 1);
    assert_untouched(&f, &before);
}

#[test]
fn body_dropped_mid_transfer_every_time_is_exit_20_and_nothing_partial_is_kept() {
    let big = big_keyword_jar(200_000);
    let (f, server, before) = installed_project("cut.jar", &big);
    server.drop_mid_body("/cut.jar", 10, 1000);
    f.prepare()
        .assert()
        .code(20)
        .stderr(predicate::str::contains(format!("/cut.jar ended after 1000 of {} bytes (after 4 tries)", big.len())));
    assert_eq!(server.count("/cut.jar"), 4);
    assert_untouched(&f, &before);
}

#[test]
fn truncated_body_is_retried_and_the_retry_is_installed() {
    let jar = big_keyword_jar(50_000);
    let (f, server, _) = installed_project("short.jar", &jar);
    server.truncate("/short.jar", 1);
    f.prepare().assert().success();
    assert_eq!(server.count("/short.jar"), 2);
    assert_eq!(std::fs::read(f.path("Plugins/short.jar")).expect("jar"), jar);
}

#[test]
fn truncated_body_every_time_is_exit_20() {
    let jar = big_keyword_jar(50_000);
    let (f, server, before) = installed_project("short.jar", &jar);
    server.truncate("/short.jar", 10);
    let promised = jar.len() as u64 + katalon_prep_fakes::TRUNCATE_OVERCLAIM;
    f.prepare()
        .assert()
        .code(20)
        .stderr(predicate::str::contains(format!("ended after {} of {promised} bytes (after 4 tries)", jar.len())));
    assert_eq!(server.count("/short.jar"), 4);
    assert_untouched(&f, &before);
}

#[test]
fn stalled_server_times_out_and_the_retry_succeeds() {
    let (f, server, _) = installed_project("stall.jar", &keyword_jar("S"));
    server.stall("/stall.jar", 1, Duration::from_secs(5));
    let started = Instant::now();
    f.prepare().args(["--read-timeout", "1"]).assert().success();
    let took = started.elapsed();
    // Under Wine each process start costs up to a second more; two requests
    // (below) prove the timeout fired before the 5 s stall ended either way.
    let bound = Duration::from_secs(if cfg!(windows) { 5 } else { 4 });
    assert!(took >= Duration::from_secs(1) && took < bound, "took {took:?}");
    assert_eq!(server.count("/stall.jar"), 2);
    assert!(f.path("Plugins/stall.jar").is_file());
}

#[test]
fn stalled_server_every_time_is_exit_20_after_4_timeouts() {
    let (f, server, before) = installed_project("stall.jar", &keyword_jar("S"));
    server.stall("/stall.jar", 10, Duration::from_secs(5));
    let started = Instant::now();
    f.prepare()
        .args(["--read-timeout", "1"])
        .assert()
        .code(20)
        .stderr(predicate::str::contains("Plugin stall.jar: could not download it"))
        .stderr(predicate::str::contains("(after 4 tries)"))
        .stderr(predicate::str::contains("timed out"));
    assert!(started.elapsed() < Duration::from_secs(12), "the read timeout was not applied");
    assert_eq!(server.count("/stall.jar"), 4);
    assert_untouched(&f, &before);
}

#[test]
fn checksum_mismatch_is_not_retried_and_changes_nothing() {
    let (f, server, before) = installed_project("moved.jar", &keyword_jar("Old"));
    // The host now serves other bytes than the ones pinned.
    server.file("/moved.jar", keyword_jar("New"));
    f.prepare().assert().code(30).stderr(predicate::str::contains("Plugin moved.jar: sha256 mismatch"));
    assert_eq!(server.count("/moved.jar"), 1, "a mismatch is not a transient error");
    assert_untouched(&f, &before);
}

// --- hostile archives -----------------------------------------------------

/// Serves `bytes` as `name` and runs `prepare` on a fresh project; checks
/// exit 30 with `message`, and that nothing was installed, cached or staged.
fn refused(name: &str, bytes: &[u8], extra_args: &[&str], message: &str) {
    let f = Fixture::project();
    let server = FakeServer::start();
    f.config(&format!("plugins:\n{}", url_plugin(&server, name, bytes)));
    f.prepare().args(extra_args).assert().code(30).stderr(predicate::str::contains(message));
    assert!(!f.path("Plugins").exists(), "something was installed");
    assert_eq!(cache_entries(&f), 0, "a refused archive was cached");
    assert_eq!(leftovers(f.root()), Vec::<PathBuf>::new());
}

#[test]
fn symlink_entry_refuses_the_package() {
    refused(
        "link.zip",
        &zip_with_symlink("evil.jar", "/etc/passwd"),
        &[],
        "Unsafe archive link.zip: entry `evil.jar` is a symbolic link",
    );
}

#[test]
fn backslash_zip_slip_is_refused() {
    refused(
        "win.zip",
        &zip_with_raw_name("..\\..\\evil.jar", &keyword_jar("E")),
        &[],
        "climbs out of the archive with `..`",
    );
}

#[test]
fn drive_letter_path_is_refused() {
    refused("drive.zip", &zip_with_raw_name("C:/evil.jar", &keyword_jar("E")), &[], "is an absolute path");
}

#[test]
fn one_unsafe_entry_refuses_the_whole_package_even_if_not_a_jar() {
    let pkg = zip(&[("good.jar", &keyword_jar("G")), ("docs/../../../etc/cron.d/evil", b"* * * * * root x")]);
    refused("mixed.zip", &pkg, &[], "entry `docs/../../../etc/cron.d/evil` climbs out of the archive");
}

#[test]
fn zip_bomb_ratio_cap() {
    let zeros = vec![0u8; 8 << 20];
    let pkg = zip(&[("bomb.jar", &zeros)]);
    assert!(pkg.len() < 100_000, "the test package should be small: {}", pkg.len());
    refused(
        "bomb.zip",
        &pkg,
        &[],
        "Archive bomb.zip is too large when unpacked (entry `bomb.jar` expands more than 200:1)",
    );
}

#[test]
fn zip_bomb_total_size_cap() {
    // Two jars that compress a few times over: under the ratio cap, but the
    // unpacked total exceeds 4 × --max-download-size.
    let text = |seed| noise(700_000, seed).iter().map(|b| b"ab"[(b & 1) as usize]).collect::<Vec<u8>>();
    let pkg = zip(&[("a.jar", &text(1)), ("b.jar", &text(2))]);
    assert!(pkg.len() < 300_000, "the test package should fit the download limit: {}", pkg.len());
    refused(
        "big.zip",
        &pkg,
        &["--max-download-size", "300000"],
        "is too large when unpacked (more than 1200000 bytes)",
    );
}

#[test]
fn html_page_served_as_a_package_is_refused() {
    let html = b"<!doctype html>\n<html><head><title>Sign in</title></head></html>\n";
    refused("plugin.zip", html, &[], "plugin.zip is not a zip package: it is an HTML/XML page");
}

#[test]
fn empty_body_is_not_a_jar() {
    refused("empty.jar", b"", &[], "empty.jar is not a jar: it is empty");
}

#[test]
fn package_without_a_plugin_jar_is_refused() {
    let pkg = zip(&[("README.md", b"hi"), ("lib/x-sources.jar", b"src")]);
    refused("nojar.zip", &pkg, &[], "Package nojar.zip holds no plugin jar (entries: README.md, lib/x-sources.jar)");
}

#[test]
fn package_with_two_jars_of_one_name_is_refused() {
    let pkg = zip(&[("a/x.jar", &keyword_jar("A")), ("b/x.jar", &keyword_jar("B"))]);
    refused("twice.zip", &pkg, &[], "Package twice.zip holds two jars named x.jar");
}
