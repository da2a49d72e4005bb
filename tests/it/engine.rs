//! The engine (katalonc itself): pinned per platform in the lock, cached,
//! and copied into a writable engine per project. A synthetic engine per
//! platform (a `katalonc` shell script that records its argv and
//! environment, writes into its own folder as KRE does and exits with
//! `$KATALONC_EXIT`; relative symlinks inside) is built here and served by
//! the fakes crate under Katalon's URL layout, with faults.

use crate::support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use katalon_prep_fakes::FakeServer;
use predicates::prelude::*;
use support::{Fixture, SENTINEL, bin_std, noise, sha256_hex};

pub(crate) const V: &str = "10.3.1";

/// The synthetic katalonc: argv and env into its OSGi state folder, a
/// driver replaced (as `-webui.autoUpdateDrivers` does), a chosen exit code.
const KATALONC: &str = r#"#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
state="$here/configuration/org.eclipse.osgi"
mkdir -p "$state"
: > "$state/argv"
for a in "$@"; do printf '%s\n' "$a" >> "$state/argv"; done
env > "$state/env"
echo "updated by katalonc" > "$here/configuration/resources/drivers/chromedriver"
exit "${KATALONC_EXIT:-0}"
"#;

/// One entry of a synthetic archive, relative to its top folder.
enum E {
    File(&'static str, Vec<u8>, u32),
    Link(&'static str, &'static str),
}

pub(crate) fn top(platform: &str) -> String {
    format!("Katalon_Studio_Engine_{platform}-{V}")
}

/// What every synthetic engine holds: the launcher, its .ini, an OSGi
/// configuration with a driver, a "JRE" with relative links, a plugin.
fn standard(katalonc: &'static str) -> Vec<E> {
    vec![
        E::File(katalonc, KATALONC.as_bytes().to_vec(), 0o755),
        E::File("katalonc.ini", b"-vmargs\n-Xmx2g\n".to_vec(), 0o644),
        E::File("configuration/config.ini", b"osgi.bundles=...\n".to_vec(), 0o644),
        E::File("configuration/resources/drivers/chromedriver", b"driver v1\n".to_vec(), 0o755),
        E::File("jre/bin/java", noise(200_000, 7), 0o755),
        E::File("jre/lib/modules", noise(300_000, 8), 0o644),
        E::Link("jre/bin/java-link", "java"),
        E::Link("jre/legal", "lib"),
        E::File("plugins/org.eclipse.osgi.jar", noise(100_000, 9), 0o644),
    ]
}

fn tar_gz(platform: &str, entries: &[E]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    let top = top(platform);
    for e in entries {
        let mut h = tar::Header::new_gnu();
        match e {
            E::File(path, bytes, mode) => {
                h.set_size(bytes.len() as u64);
                h.set_mode(*mode);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, format!("{top}/{path}"), bytes.as_slice()).expect("tar file");
            }
            E::Link(path, target) => {
                h.set_size(0);
                h.set_mode(0o777);
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_link_name_literal(target).expect("link name");
                b.append_data(&mut h, format!("{top}/{path}"), std::io::empty()).expect("tar link");
            }
        }
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

fn zip(platform: &str, entries: &[E]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let top = top(platform);
        for e in entries {
            match e {
                E::File(path, bytes, mode) => {
                    let opts = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
                    w.start_file(format!("{top}/{path}"), opts).expect("zip entry");
                    w.write_all(bytes).expect("zip write");
                }
                E::Link(path, target) => {
                    w.add_symlink(format!("{top}/{path}"), *target, zip::write::SimpleFileOptions::default())
                        .expect("zip link");
                }
            }
        }
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

pub(crate) fn linux_engine() -> Vec<u8> {
    tar_gz("Linux_64", &standard("katalonc"))
}

/// A project whose config provisions engine `V` from `server`.
pub(crate) fn fixture(server: &FakeServer) -> Fixture {
    let f = Fixture::project();
    f.config(&format!("engine:\n  version: \"{V}\"\n  url: {}\n", server.url()));
    f
}

pub(crate) fn cmd(f: &Fixture) -> assert_cmd::Command {
    let mut c = f.cmd();
    c.env("KATALON_PREP_PLATFORM", "linux-x64");
    c
}

fn std_cmd(f: &Fixture) -> std::process::Command {
    let mut c = bin_std(f.root());
    c.env("KATALON_PREP_PLATFORM", "linux-x64");
    c
}

/// The engines complete in the cache.
fn cached_engines(f: &Fixture) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(f.path("cache/v1/engines"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// What a run may not leave behind: staging folders in the cache.
fn staging_leftovers(f: &Fixture) -> Vec<String> {
    std::fs::read_dir(f.path("cache/v1/tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn engine_path(f: &Fixture) -> PathBuf {
    let out = cmd(f).args(["engine", "path"]).output().expect("run");
    crate::support::assert_success(&out);
    PathBuf::from(support::stdout(&out).trim_end())
}

#[test]
fn lock_pins_the_platform_then_path_prints_a_writable_katalonc_that_runs() {
    let server = FakeServer::start();
    let archive = linux_engine();
    let path = server.engine_archive(V, "Linux_64", archive.clone());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success().stderr(predicate::str::contains(
        "Katalon publishes no checksums; trusting what was downloaded now (trust on first use)",
    ));
    let lock = f.read("katalon-prep.lock");
    assert!(
        lock.contains(&format!(
            "engine:\n  version: {V}\n  platforms:\n    linux-x64:\n      file: Katalon_Studio_Engine_Linux_64-{V}.tar.gz\n      size: {}\n      sha256: {}\n",
            archive.len(),
            sha256_hex(&archive)
        )),
        "{lock}"
    );
    // The URL is not pinned: a mirror is not drift.
    assert!(!lock.contains("127.0.0.1"), "{lock}");

    let out = cmd(&f).args(["engine", "path", "--locked"]).output().expect("run");
    crate::support::assert_success(&out);
    let katalonc = PathBuf::from(support::stdout(&out).trim_end());
    assert!(katalonc.is_absolute(), "{}", katalonc.display());
    assert_eq!(katalonc, f.root().join(format!(".katalon-prep/engine/{V}-linux-x64/{}/katalonc", top("Linux_64"))));
    assert!(f.read(".katalon-prep/.gitignore").contains("*\n"));
    // The relative links came through, and resolve.
    let engine_dir = katalonc.parent().unwrap().to_path_buf();
    assert_eq!(std::fs::read_link(engine_dir.join("jre/bin/java-link")).unwrap(), PathBuf::from("java"));
    assert_eq!(std::fs::read(engine_dir.join("jre/bin/java-link")).unwrap(), noise(200_000, 7));
    assert!(engine_dir.join("jre/legal/modules").is_file());

    let run = std::process::Command::new(&katalonc)
        .args(["-noSplash", "-runMode=console"])
        .env("KATALONC_EXIT", "3")
        .output()
        .expect("katalonc runs");
    crate::support::assert_code(&run, 3);
    let state = engine_dir.join("configuration/org.eclipse.osgi");
    assert_eq!(std::fs::read_to_string(state.join("argv")).unwrap(), "-noSplash\n-runMode=console\n");
    assert!(std::fs::read_to_string(state.join("env")).unwrap().contains("KATALONC_EXIT=3"));
    // katalonc wrote into its folder; the cache is unchanged.
    cmd(&f)
        .args(["cache", "verify"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 engine checked, 0 corrupt"));
    assert_eq!(server.count(&path), 1, "lock downloaded once; path used the cache");
}

#[test]
fn a_warm_run_makes_no_request_even_without_the_writable_engine() {
    let server = FakeServer::start();
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    let first = engine_path(&f);
    // As a CI cache restore leaves it: the cache, a fresh checkout.
    std::fs::remove_dir_all(f.path(".katalon-prep")).unwrap();
    server.clear_log();
    let again = engine_path(&f);
    assert_eq!(first, again);
    assert!(again.is_file());
    assert_eq!(server.total(), 0, "{:?}", server.requests());
}

#[test]
fn a_bad_hash_is_exit_30_and_nothing_is_installed() {
    let server = FakeServer::start();
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();
    // Wrong bytes: a valid engine, but not the one locked.
    let mut other = standard("katalonc");
    other.push(E::File("extra.txt", b"tampered".to_vec(), 0o644));
    server.engine_archive(V, "Linux_64", tar_gz("Linux_64", &other));
    cmd(&f)
        .args(["engine", "install", "--locked"])
        .assert()
        .code(30)
        .stderr(predicate::str::contains(format!(
            "Checksum mismatch for the engine Katalon_Studio_Engine_Linux_64-{V}.tar.gz"
        )))
        .stderr(predicate::str::contains("hint:"));
    assert_eq!(cached_engines(&f), Vec::<String>::new());
    assert_eq!(staging_leftovers(&f), Vec::<String>::new());
    assert!(!f.path(".katalon-prep/engine").join(format!("{V}-linux-x64")).exists());
}

#[test]
fn a_503_and_a_dropped_body_are_retried_and_a_download_that_keeps_dropping_leaves_nothing() {
    let server = FakeServer::start();
    let archive = linux_engine();
    let path = server.engine_archive(V, "Linux_64", archive.clone());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();

    server.fail_times(&path, 1, 503);
    server.drop_mid_body(&path, 1, archive.len() as u64 / 2);
    server.clear_log();
    let katalonc = engine_path(&f);
    assert!(katalonc.is_file());
    assert_eq!(server.count(&path), 3);
    cmd(&f).args(["cache", "verify"]).assert().success();

    std::fs::remove_dir_all(f.path("cache")).unwrap();
    std::fs::remove_dir_all(f.path(".katalon-prep")).unwrap();
    server.drop_mid_body(&path, 10, archive.len() as u64 / 3);
    cmd(&f)
        .args(["engine", "install", "--locked"])
        .assert()
        .code(20)
        .stderr(predicate::str::contains("Could not download the engine"))
        .stderr(predicate::str::contains("after 4 tries"));
    assert_eq!(cached_engines(&f), Vec::<String>::new());
    assert_eq!(staging_leftovers(&f), Vec::<String>::new());
}

#[test]
fn an_escaping_symlink_is_refused_and_nothing_is_cached() {
    for (link, target) in [("jre/evil", "../../../../etc"), ("jre/abs", "/etc/passwd")] {
        let server = FakeServer::start();
        let mut entries = standard("katalonc");
        entries.push(E::Link(link, target));
        server.engine_archive(V, "Linux_64", tar_gz("Linux_64", &entries));
        let f = fixture(&server);
        cmd(&f)
            .arg("lock")
            .assert()
            .code(30)
            .stderr(predicate::str::contains(format!("entry `{}/{link}`", top("Linux_64"))))
            .stderr(predicate::str::contains("symbolic link"));
        assert_eq!(cached_engines(&f), Vec::<String>::new(), "{link}");
        assert_eq!(staging_leftovers(&f), Vec::<String>::new(), "{link}");
        assert!(!f.path("katalon-prep.lock").exists());
    }
}

#[test]
fn a_chain_of_links_that_leaves_the_folder_is_refused() {
    // Each link's text stays inside; followed, `up/up/..` leaves the root.
    let server = FakeServer::start();
    let mut entries = standard("katalonc");
    entries.push(E::Link("up", ".."));
    entries.push(E::Link("out", "up/../x"));
    server.engine_archive(V, "Linux_64", tar_gz("Linux_64", &entries));
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().code(30).stderr(predicate::str::contains("Unsafe archive"));
    assert_eq!(cached_engines(&f), Vec::<String>::new());
}

#[test]
fn killed_mid_extract_leaves_nothing_a_later_run_uses() {
    let server = FakeServer::start();
    // Big enough, and slow enough, to be killed while extracting.
    let mut entries = standard("katalonc");
    entries.push(E::File("plugins/big.jar", noise(3_000_000, 11), 0o644));
    let archive = tar_gz("Linux_64", &entries);
    server.engine_archive(V, "Linux_64", archive.clone());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();
    server.throttle(1_000_000);
    let mut child = std_cmd(&f)
        .args(["engine", "install", "--locked"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until the extraction has written part of the tree.
    let deadline = Instant::now() + Duration::from_secs(20);
    let extracting = loop {
        let partial = walk_files(&f.path("cache/v1/tmp")).iter().any(|p| p.ends_with("jre/lib/modules"));
        if partial || Instant::now() > deadline {
            break partial;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // SIGKILL: no destructor, no clean-up of our own.
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(extracting, "the kill did not land mid-extract");
    assert!(!status.success());
    assert_eq!(cached_engines(&f), Vec::<String>::new(), "a killed install left an engine");
    assert!(!staging_leftovers(&f).is_empty(), "the kill left no staging folder: did it land?");

    server.throttle(0);
    let katalonc = engine_path(&f);
    assert!(katalonc.is_file());
    assert_eq!(staging_leftovers(&f), Vec::<String>::new(), "the next run did not clean the staging folder");
    cmd(&f)
        .args(["cache", "verify"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 engine checked, 0 corrupt"));
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn four_concurrent_installs_on_one_cache_agree_and_download_once() {
    let server = FakeServer::start();
    let archive = linux_engine();
    let path = server.engine_archive(V, "Linux_64", archive);
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();
    let lock = f.read("katalon-prep.lock");
    // Four projects (each its own writable engine), one cache.
    let projects: Vec<Fixture> = (0..4)
        .map(|_| {
            let p = fixture(&server);
            p.write("katalon-prep.lock", &lock);
            p
        })
        .collect();
    server.throttle(2_000_000);
    server.clear_log();
    let children: Vec<_> = projects
        .iter()
        .map(|p| {
            std_cmd(p)
                .env("KATALON_PREP_CACHE_DIR", f.path("cache"))
                .args(["engine", "path", "--locked"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for (p, child) in projects.iter().zip(children) {
        let out = child.wait_with_output().expect("wait");
        crate::support::assert_success(&out);
        let katalonc = PathBuf::from(support::stdout(&out).trim_end());
        assert!(katalonc.starts_with(p.root()), "{}", katalonc.display());
        assert_eq!(std::fs::read_to_string(&katalonc).unwrap(), KATALONC);
    }
    assert_eq!(server.count(&path), 1, "the pinned engine was downloaded more than once");
    assert_eq!(cached_engines(&f).len(), 1);
    cmd(&f)
        .args(["cache", "verify"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 engine checked, 0 corrupt"));
}

#[test]
fn locked_without_a_pin_for_this_platform_is_exit_31() {
    let server = FakeServer::start();
    server.engine_archive(V, "Windows_64", zip("Windows_64", &standard("katalonc.exe")));
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    cmd(&f).args(["lock", "--platform", "windows-x64"]).assert().success();
    assert!(!f.read("katalon-prep.lock").contains("linux-x64"));
    cmd(&f)
        .args(["engine", "install", "--locked"])
        .assert()
        .code(31)
        .stderr(predicate::str::contains(format!("pins no engine {V} for linux-x64 (--locked)")))
        .stderr(predicate::str::contains("hint: run `katalon-prep lock --platform linux-x64`"));
    assert_eq!(cached_engines(&f), Vec::<String>::new());
    // Without --locked: installed unpinned, and said so.
    cmd(&f).args(["engine", "install"]).assert().success().stderr(predicate::str::contains(
        "installing Katalon_Studio_Engine_Linux_64-10.3.1.tar.gz as served now, unverified",
    ));
}

#[test]
fn lock_platform_all_pins_every_platform_and_caches_only_this_one() {
    let server = FakeServer::start();
    let mut shas = Vec::new();
    for (k, ours) in [
        ("Linux_64", "linux-x64"),
        ("Linux_arm64", "linux-arm64"),
        ("MacOS", "macos-x64"),
        ("MacOS_Arm64", "macos-arm64"),
    ] {
        let bytes = tar_gz(k, &standard("katalonc"));
        shas.push((ours, sha256_hex(&bytes)));
        server.engine_archive(V, k, bytes);
    }
    let win = zip("Windows_64", &standard("katalonc.exe"));
    shas.push(("windows-x64", sha256_hex(&win)));
    server.engine_archive(V, "Windows_64", win);
    let f = fixture(&server);
    cmd(&f).args(["lock", "--platform", "all"]).assert().success();
    let lock = f.read("katalon-prep.lock");
    for (p, sha) in &shas {
        assert!(lock.contains(&format!("    {p}:\n")), "{p}: {lock}");
        assert!(lock.contains(sha.as_str()), "{p}: {lock}");
    }
    assert_eq!(cached_engines(&f).len(), 1);
    let out = cmd(&f).args(["engine", "list"]).output().unwrap();
    support::assert_success(&out);
    support::assert_run_snapshot!("engine_list", f, out);
    let listing = support::stdout(&out);
    assert_eq!(listing.lines().count(), 5, "{listing}");
    assert!(
        listing.lines().any(|l| l.starts_with(&format!("{V}\tlinux-x64\t")) && l.ends_with("cached, locked")),
        "{listing}"
    );
    assert!(
        listing.lines().any(|l| l.starts_with(&format!("{V}\twindows-x64\t")) && l.ends_with("\tlocked")),
        "{listing}"
    );
    // A later `lock` keeps them all without a request.
    server.clear_log();
    cmd(&f).arg("lock").assert().success();
    assert_eq!(f.read("katalon-prep.lock"), lock);
    assert_eq!(server.total(), 0);
}

#[test]
fn the_windows_zip_is_streamed_to_disk_then_extracted() {
    let server = FakeServer::start();
    server.engine_archive(V, "Windows_64", zip("Windows_64", &standard("katalonc.exe")));
    let f = fixture(&server);
    let mut c = cmd(&f);
    c.env("KATALON_PREP_PLATFORM", "windows-x64").arg("lock").assert().success();
    let out =
        f.cmd().env("KATALON_PREP_PLATFORM", "windows-x64").args(["engine", "path", "--locked"]).output().unwrap();
    crate::support::assert_success(&out);
    let katalonc = PathBuf::from(support::stdout(&out).trim_end());
    assert!(katalonc.ends_with(format!("{}/katalonc.exe", top("Windows_64"))), "{}", katalonc.display());
    assert_eq!(
        std::fs::read_link(katalonc.parent().unwrap().join("jre/bin/java-link")).unwrap(),
        PathBuf::from("java")
    );
    cmd(&f).args(["cache", "verify"]).assert().success();
}

#[test]
fn a_platform_katalon_does_not_publish_is_exit_15() {
    let server = FakeServer::start();
    let f = fixture(&server);
    f.cmd()
        .env("KATALON_PREP_PLATFORM", "linux-riscv64")
        .args(["engine", "install"])
        .assert()
        .code(15)
        .stderr(predicate::str::contains("Katalon publishes no Runtime Engine for this platform (linux-riscv64"))
        .stderr(predicate::str::contains("hint:"));
    assert_eq!(server.total(), 0);
}

#[test]
fn engine_and_a_different_store_app_version_is_exit_10() {
    let f = Fixture::project();
    f.config(&format!("engine:\n  version: \"{V}\"\nstore:\n  app-version: \"9.7.2\"\n"));
    f.cmd()
        .args(["engine", "install"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:4:"))
        .stderr(predicate::str::contains(format!("differs from `engine.version: {V}`")));
}

#[test]
fn a_mirror_is_not_drift_and_env_overrides_the_config() {
    let server = FakeServer::start();
    let archive = linux_engine();
    server.engine_archive(V, "Linux_64", archive.clone());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();
    let mirror = FakeServer::start();
    let path = mirror.engine_archive(V, "Linux_64", archive);
    server.clear_log();
    let out = cmd(&f).env("KATALON_DOWNLOAD_URL", mirror.url()).args(["engine", "path", "--locked"]).output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(mirror.count(&path), 1);
    assert_eq!(server.total(), 0);
}

#[test]
fn cache_verify_names_changed_and_added_files_and_fix_removes_the_engine() {
    let server = FakeServer::start();
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    let sha = cached_engines(&f).remove(0);
    let tree = f.path(&format!("cache/v1/engines/{sha}/tree/{}", top("Linux_64")));
    let ini = tree.join("katalonc.ini");
    let mut perms = std::fs::metadata(&ini).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&ini, perms).unwrap();
    std::fs::write(&ini, "-Xmx64g\n").unwrap();
    std::fs::write(tree.join("configuration/new.txt"), "x").unwrap();
    cmd(&f)
        .args(["cache", "verify"])
        .assert()
        .code(30)
        .stderr(predicate::str::contains(format!("corrupt engine {sha}")))
        .stderr(predicate::str::contains(format!("{}/katalonc.ini: changed", top("Linux_64"))))
        .stderr(predicate::str::contains(format!("{}/configuration/new.txt: added", top("Linux_64"))));
    cmd(&f).args(["cache", "verify", "--fix"]).assert().success();
    assert_eq!(cached_engines(&f), Vec::<String>::new());
}

#[test]
fn prepare_installs_the_engine_and_the_action_outputs_its_katalonc_without_the_key() {
    let server = FakeServer::start();
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    cmd(&f).arg("lock").assert().success();
    std::fs::remove_dir_all(f.path("cache")).unwrap();
    let output = f.path("gh-output");
    let summary = f.path("gh-summary");
    let out = cmd(&f)
        .env("KATALON_API_KEY", SENTINEL)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["prepare", "--locked"])
        .output()
        .unwrap();
    crate::support::assert_success(&out);
    let outputs = std::fs::read_to_string(&output).unwrap();
    let katalonc = f.root().join(format!(".katalon-prep/engine/{V}-linux-x64/{}/katalonc", top("Linux_64")));
    assert!(outputs.contains(&format!("katalonc={}\n", katalonc.display())), "{outputs}");
    assert!(katalonc.is_file());
    assert!(std::fs::read_to_string(&summary).unwrap().contains(&format!("Engine: {V} linux-x64")));
    // Only the mask command, which the runner reads and never shows.
    for line in support::stderr(&out).lines().filter(|l| l.contains(SENTINEL)) {
        assert_eq!(line, format!("::add-mask::{SENTINEL}"));
    }
    f.assert_no_file_contains(SENTINEL, &[&output]);
    // The cache key covers the engine: it changes with the locked archive.
    let key = cmd(&f).args(["cache", "key"]).output().unwrap();
    let before = support::stdout(&key);
    let lock = f.read("katalon-prep.lock").replace(&sha256_hex(&linux_engine()), &"0".repeat(64));
    f.write("katalon-prep.lock", lock);
    let after = support::stdout(&cmd(&f).args(["cache", "key"]).output().unwrap());
    assert_ne!(before, after);
}

#[test]
fn engine_commands_without_engine_and_unknown_platforms_are_exit_10() {
    let server = FakeServer::start();
    let f = Fixture::project();
    f.cmd()
        .args(["engine", "path"])
        .assert()
        .code(10)
        .stdout("")
        .stderr(predicate::str::contains("No `engine:` in katalon-prep.yml"));
    f.cmd().args(["lock", "--platform", "all"]).assert().code(10).stderr(predicate::str::contains("has no `engine:`"));
    let f = fixture(&server);
    cmd(&f)
        .args(["lock", "--platform", "linux-amd64"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("`linux-amd64` is not a platform of the engine"));
    assert_eq!(server.total(), 0);
}
