//! Issue 9, the red-team pass and the real-user trial: each break pinned by
//! a test that failed before its fix. Every test runs the real binary.

use crate::support;

use support::{Fixture, SENTINEL, stderr, stdout};

// --- 2. `check --args` panicked and printed the key --------------------------

/// A second line starting with a non-ASCII character (U+2028, a no-break
/// space pasted from a web page) sliced a string off a char boundary: the
/// panic message quoted the line, key included, before any `::add-mask::`.
#[test]
fn check_args_with_a_non_ascii_second_line_neither_panics_nor_prints_the_key() {
    let p = Fixture::shop();
    for tail in ["\n\u{2028}-", "\n\u{a0}-x", "\r\n\u{00e9}", "\n\u{1F600}\u{1F600}"] {
        let line = format!("katalonc -apiKey={SENTINEL} \"\"{tail}");
        let out = p.cmd().env("GITHUB_ACTIONS", "true").args(["check", "--args", &line]).output().unwrap();
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(matches!(out.status.code(), Some(0 | 13)), "{tail:?}: {:?}\n{o}\n{e}", out.status);
        assert!(!e.contains("panicked"), "{e}");
        let logged: String = e.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
        assert!(!o.contains(SENTINEL) && !logged.contains(SENTINEL), "{tail:?}:\n{o}\n{e}");
        // The run got as far as the report, and masked the key first.
        assert!(o.contains("second-command"), "{o}");
        assert!(e.starts_with(&format!("::add-mask::{SENTINEL}")), "{e}");
    }
}

// --- 1. a cancelled install blocked the project for good ----------------------

const SETTINGS: &str = "settings/internal/com.kms.katalon.execution.properties";
const SETTINGS_BEFORE: &str = "#Katalon\nexecution.default.timeout=30\nplugin.reloadOption=\"ONLINE\"\n";

/// A project with two `url` plugins (one keyword jar, one inside a zip),
/// `offline: true`, a settings file saying ONLINE and a jar of the user's
/// own in `Plugins/`; the cache, shared with a sibling project, is warm, so
/// the only writes left in a run are the install's.
struct KillScene {
    f: Fixture,
    _server: katalon_prep_fakes::FakeServer,
    jars: Vec<(String, String)>,
}

impl KillScene {
    fn new() -> KillScene {
        let f = Fixture::project();
        let server = katalon_prep_fakes::FakeServer::start();
        let a = support::keyword_jar("com.example.A");
        let b = support::keyword_jar("com.example.B");
        let mut cfg = String::from("offline: true\nplugins:\n");
        cfg += &support::url_plugin(&server, "a.jar", &a);
        cfg += &support::url_plugin(&server, "b-package.zip", &support::zip(&[("lib/b.jar", &b)]));
        f.config(&cfg);
        f.write(SETTINGS, SETTINGS_BEFORE);
        f.write("Plugins/mine.jar", b"the user's own jar");
        let jars = vec![("a.jar".to_string(), support::sha256_hex(&a)), ("b.jar".to_string(), support::sha256_hex(&b))];
        KillScene { f, _server: server, jars }
    }

    fn fresh_project(&self, name: &str) -> std::path::PathBuf {
        let dir = self.f.path(name);
        let _ = std::fs::remove_dir_all(&dir);
        for rel in ["Demo.prj", "Test Suites/Smoke.ts", "katalon-prep.yml", SETTINGS, "Plugins/mine.jar"] {
            let to = dir.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(self.f.path(rel), &to).unwrap();
        }
        dir
    }

    fn prepare(&self, project: &std::path::Path) -> std::process::Command {
        let mut cmd = support::bin_std(self.f.root());
        cmd.env("KATALON_API_KEY", SENTINEL)
            .env("KATALON_PREP_CACHE_DIR", self.f.path("cache"))
            .current_dir(project)
            .arg("prepare");
        cmd
    }

    /// `prepare` under strace, `signal` delivered at the `when`-th call of
    /// one of `syscalls`; the strace log goes to `log`.
    #[cfg(target_os = "linux")]
    fn prepare_killed(
        &self,
        project: &std::path::Path,
        syscalls: &str,
        signal: &str,
        when: usize,
    ) -> std::process::Output {
        let inner = self.prepare(project);
        let mut cmd = std::process::Command::new("strace");
        cmd.args(["-f", "-qq", "-e", &format!("trace={syscalls}"), "-e"])
            .arg(format!("inject={syscalls}:signal={signal}:when={when}"))
            .arg("-o")
            .arg(project.with_extension("strace"))
            .arg(inner.get_program())
            .args(inner.get_args())
            .current_dir(project)
            .env_clear()
            .envs(inner.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.output().expect("strace runs")
    }

    /// The project as a finished run leaves it.
    #[track_caller]
    fn assert_installed(&self, project: &std::path::Path, context: &str) {
        for (name, sha) in &self.jars {
            let bytes =
                std::fs::read(project.join("Plugins").join(name)).unwrap_or_else(|e| panic!("{context}: {name}: {e}"));
            assert_eq!(&support::sha256_hex(&bytes), sha, "{context}: Plugins/{name}");
        }
        assert_eq!(std::fs::read(project.join("Plugins/mine.jar")).unwrap(), b"the user's own jar", "{context}");
        let settings = std::fs::read_to_string(project.join(SETTINGS)).unwrap();
        assert_eq!(settings, SETTINGS_BEFORE.replace("\"ONLINE\"", "\"OFFLINE\""), "{context}: every other byte kept");
        let mut names: Vec<String> = std::fs::read_dir(project.join("Plugins"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".katalon-prep.lock")
            .collect();
        names.sort();
        assert_eq!(names, [".katalon-prep.json", "a.jar", "b.jar", "mine.jar"], "{context}");
        let internal: Vec<String> = std::fs::read_dir(project.join("settings/internal"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(internal, ["com.kms.katalon.execution.properties"], "{context}");
    }
}

/// Counts the calls of `syscall` in a strace log.
#[cfg(target_os = "linux")]
fn calls(log: &std::path::Path, syscall: &str) -> usize {
    let text = std::fs::read_to_string(log).expect("strace log");
    let call = format!("{syscall}(");
    text.lines().filter(|l| l.split_once(' ').is_some_and(|(_, rest)| rest.trim_start().starts_with(&call))).count()
}

/// SIGKILL (kill -9) or SIGTERM (a cancelled job, `docker stop`) before
/// each rename and each hard link of an install — between placing the jars,
/// writing the install record and editing the settings — and the next run
/// must succeed with the project as it should be, the user's files intact.
#[cfg(target_os = "linux")] // strace
#[test]
fn install_killed_between_any_two_steps_is_finished_by_the_next_run() {
    if std::process::Command::new("strace").arg("-V").output().is_err() {
        panic!("strace is needed (apt-get install strace; .ci/run installs it)");
    }
    let scene = KillScene::new();
    let pristine = tree(&scene.fresh_project("pristine"));
    // Warm the shared cache: what is left to do is the install itself.
    let warm = scene.fresh_project("warm");
    let out = scene.prepare(&warm).output().unwrap();
    crate::support::assert_success(&out);
    scene.assert_installed(&warm, "warm-up");

    // strace counts each system call by itself: probe how often a full run
    // makes each one (fresh project, warm cache), then kill at every call.
    let probe = scene.fresh_project("probe");
    let out = scene.prepare_killed(&probe, "rename,renameat,renameat2,link,linkat", "SIGKILL", 65535);
    crate::support::assert_success(&out);
    let log = probe.with_extension("strace");
    let renames: usize = ["rename", "renameat", "renameat2"].iter().map(|c| calls(&log, c)).sum();
    let links: usize = ["link", "linkat"].iter().map(|c| calls(&log, c)).sum();
    // Two jars, the record three times (intent, done, settings noted), the settings file.
    assert!(renames >= 6 && links >= 2, "{}", std::fs::read_to_string(&log).unwrap());
    for syscall in ["rename", "renameat", "renameat2", "link", "linkat"] {
        let total = calls(&log, syscall);
        for signal in ["SIGKILL", "SIGTERM"] {
            for when in 1..=total {
                let context = format!("{signal} at {syscall} call {when} of {total}");
                let project = scene.fresh_project("victim");
                let killed = scene.prepare_killed(&project, syscall, signal, when);
                assert!(!killed.status.success(), "{context}: the run was not interrupted");
                let next = scene.prepare(&project).output().unwrap();
                assert!(next.status.success(), "{context}: the next run failed\n{}", crate::support::report(&next));
                scene.assert_installed(&project, &context);
                // And it stays that way: a third run changes nothing.
                let before = std::fs::read(project.join("Plugins/.katalon-prep.json")).unwrap();
                let third = scene.prepare(&project).output().unwrap();
                assert!(third.status.success(), "{context}\n{}", crate::support::report(&third));
                assert_eq!(std::fs::read(project.join("Plugins/.katalon-prep.json")).unwrap(), before, "{context}");
                // And `clean` still knows everything the runs did.
                let cleaned = clean(&scene, &project);
                assert!(cleaned.status.success(), "{context}\n{}", crate::support::report(&cleaned));
                assert_eq!(tree(&project), pristine, "{context}: after clean");
            }
        }
    }
}

/// A pending entry names a file a killed run was placing; a file there with
/// other content is the user's (or someone's): refused, never overwritten.
#[test]
fn pending_entry_whose_file_has_other_content_is_not_adopted() {
    let scene = KillScene::new();
    let project = scene.fresh_project("p");
    let (name, sha) = &scene.jars[0];
    std::fs::write(project.join("Plugins").join(name), b"someone else's a.jar").unwrap();
    let record = format!(r#"{{"format":1,"files":{{}},"pending":{{"{name}":{{"sha256":"{sha}","size":20}}}}}}"#);
    std::fs::write(project.join("Plugins/.katalon-prep.json"), record).unwrap();
    let out = scene.prepare(&project).output().unwrap();
    crate::support::assert_code(&out, 12);
    assert!(stderr(&out).contains("was not installed by katalon-prep; refusing to overwrite it"), "{}", stderr(&out));
    assert_eq!(std::fs::read(project.join("Plugins").join(name)).unwrap(), b"someone else's a.jar");
}

// --- 8. the install record could delete files outside the project -----------

/// `Plugins/.katalon-prep.json` is a file in the project anyone can edit.
/// One listing `../../victim.txt` with the victim's size and mtime made
/// `prepare` delete it as "no longer configured".
#[test]
fn install_record_naming_a_file_outside_plugins_deletes_nothing() {
    let scene = KillScene::new();
    let project = scene.fresh_project("p");
    let victim = scene.f.write("victim.txt", "precious");
    let also = scene.f.write("p/settings/keep.txt", "also precious");
    let mtime = |p: &std::path::Path| {
        std::fs::metadata(p).unwrap().modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    };
    let zero = "0".repeat(64);
    let record = format!(
        r#"{{"format":1,"files":{{
            "../../victim.txt":{{"sha256":"{zero}","size":8,"mtime_ns":{}}},
            "platform/../../settings/keep.txt":{{"sha256":"{zero}","size":13,"mtime_ns":{}}},
            "{}":{{"sha256":"{zero}","size":8,"mtime_ns":{}}}
        }}}}"#,
        mtime(&victim),
        mtime(&also),
        // As JSON: a Windows path's backslashes escaped.
        victim.display().to_string().replace('\\', "\\\\"),
        mtime(&victim)
    );
    std::fs::write(project.join("Plugins/.katalon-prep.json"), record).unwrap();
    let out = scene.prepare(&project).output().unwrap();
    crate::support::assert_success(&out);
    assert!(stderr(&out).contains("`../../victim.txt`, which is not a file in"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&also).unwrap(), "also precious");
    // The run went on and installed what the config says.
    scene.assert_installed(&project, "after a hostile record");
}

// --- 3. workflow-command injection through file names -------------------------

/// No line of stderr may be a workflow command katalon-prep did not write.
#[track_caller]
fn assert_no_injected_command(err: &str) {
    for line in err.lines() {
        assert!(!line.contains("::warning title=x") && !line.starts_with("::warning::"), "injected: {line:?}\n{err}");
        assert!(!line.contains('\u{1b}'), "terminal escape printed raw: {line:?}");
    }
}

/// A redirect to `/n.jar/x%0A::warning%20title=x::injected%0A.jar` named
/// the Plugins file after the redirect target, newline included, and
/// printed it raw: GitHub ran the injected `::warning`. A `url` plugin is
/// named after the configured URL, whatever a CDN redirects to.
#[test]
fn url_plugin_is_named_after_the_configured_url_not_a_redirect_target() {
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    let jar = support::keyword_jar("com.example.N");
    let target = "/n.jar/x%0A::warning%20title=x::injected%0A.jar";
    let decoded = "/n.jar/x\n::warning title=x::injected\n.jar";
    server.file(decoded, jar.clone());
    server.redirect("/n.jar", &format!("{}{target}", server.url()), 302);
    f.config(&format!("plugins:\n  - url: {}/n.jar\n    sha256: {}\n", server.url(), support::sha256_hex(&jar)));
    let out = f.prepare().env("GITHUB_ACTIONS", "true").output().unwrap();
    let err = stderr(&out);
    crate::support::assert_success(&out);
    assert_no_injected_command(&err);
    let names: Vec<String> = std::fs::read_dir(f.path("Plugins"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(names.contains(&"n.jar".to_string()), "{names:?}");
    assert!(names.iter().all(|n| !n.chars().any(char::is_control)), "{names:?}");
    assert_eq!(server.count(decoded), 1, "the redirect was followed");
}

/// Zip entries whose names hold a newline, a carriage return or a terminal
/// escape are refused (exit 30), and the refusal prints the name escaped.
#[test]
fn archive_entry_names_with_control_characters_are_refused_and_printed_escaped() {
    for name in ["lib/a\n::warning::x.jar", "lib/b\r::warning::y.jar", "lib/\u{1b}[31mred\u{1b}[0m.jar"] {
        let f = Fixture::project();
        let server = katalon_prep_fakes::FakeServer::start();
        let package = support::zip_with_raw_name(name, &support::keyword_jar("com.example.Z"));
        f.config(&support::url_plugin(&server, "p.zip", &package).replacen("  - url", "plugins:\n  - url", 1));
        let out = f.prepare().env("GITHUB_ACTIONS", "true").output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(30), "{name:?}\n{}", crate::support::report(&out));
        assert!(err.contains("control character"), "{err}");
        assert_no_injected_command(&err);
        assert!(!f.path("Plugins").exists(), "{name:?}: nothing installed");
    }
}

// --- 7. GitHub release assets were named after the storage URL ----------------

/// GitHub redirects an asset download to an object URL that names neither
/// the asset nor its type: the jar was installed as `<uuid>`, two plugins
/// collided, and a `.zip` asset was not unpacked. Named after `asset.name`.
#[test]
fn github_assets_are_named_after_the_asset_not_the_object_storage_url() {
    let f = Fixture::project();
    let api = katalon_prep_fakes::FakeServer::start();
    let a = support::keyword_jar("com.example.GhA");
    let b = support::keyword_jar("com.example.GhB");
    let package = support::zip(&[("lib/gh-b.jar", &b)]);
    let download = "/acme/keywords/releases/download/v1.2.0";
    for (name, uuid, bytes) in [
        ("gh-a.jar", "0f8e2a8c-4b8e-4a53-9d6b-1c1b7e1f0a11", &a),
        ("gh-b.zip", "9c2d4f1e-77aa-4f0e-8a55-2b3c4d5e6f70", &package),
    ] {
        api.redirect(&format!("{download}/{name}"), &format!("{}/objects/{uuid}?sig=x", api.url()), 302);
        api.file(&format!("/objects/{uuid}"), bytes.clone());
    }
    api.github_release(
        "acme",
        "keywords",
        "v1.2.0",
        &[("gh-a.jar", &format!("{download}/gh-a.jar")), ("gh-b.zip", &format!("{download}/gh-b.zip"))],
    );
    f.config(
        "plugins:\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: gh-a.jar\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: gh-b.zip\n",
    );
    let out = crate::remote::prepare(&f, &api).output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(std::fs::read(f.path("Plugins/gh-a.jar")).unwrap(), a);
    assert_eq!(std::fs::read(f.path("Plugins/gh-b.jar")).unwrap(), b, "the zip asset is a package");
    assert_eq!(api.count("/objects/0f8e2a8c-4b8e-4a53-9d6b-1c1b7e1f0a11"), 1, "served through the object URL");
}

// --- 4. no size limit on JSON responses --------------------------------------

/// A body just over the 16 MiB cap, streamed from a sparse file.
fn oversized_body(f: &Fixture) -> std::path::PathBuf {
    let path = f.path("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(16 * 1024 * 1024 + 64 * 1024).unwrap();
    path
}

/// An endless Store listing grew to 4.8 GiB in 25 s. API bodies are capped
/// at 16 MiB: exit 20, naming the endpoint.
#[test]
fn store_listing_over_16_mib_is_exit_20_naming_the_endpoint() {
    let f = Fixture::project();
    let store = katalon_prep_fakes::FakeServer::start();
    store.file_from_disk("/api/products/ks", oversized_body(&f));
    f.config(&crate::remote::store_config("  - store: 42\n"));
    let out = crate::remote::prepare(&f, &store).output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 20);
    assert!(err.contains("/api/products/ks") && err.contains("more than 16 MiB"), "{err}");
    assert_eq!(store.count("/api/products/ks"), 1, "too large is not retried");
}

/// The GitHub release endpoint, the same: 3.4 GiB in 12 s before.
#[test]
fn github_release_over_16_mib_is_exit_20_naming_the_endpoint() {
    let f = Fixture::project();
    let api = katalon_prep_fakes::FakeServer::start();
    let path = "/repos/acme/keywords/releases/tags/v1.2.0";
    api.file_from_disk(path, oversized_body(&f));
    f.config("plugins:\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: \"*.jar\"\n");
    let out = crate::remote::prepare(&f, &api).output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 20);
    assert!(err.contains(path) && err.contains("more than 16 MiB"), "{err}");
    assert_eq!(api.count(path), 1, "too large is not retried");
}

// --- 5. the zip bomb cap trusted the archive's header -------------------------

/// Bytes under `dir`, every file counted.
fn bytes_under(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

/// `zip` with each entry's compressed size in both headers raised to `declared`.
fn zip_with_lying_sizes(entries: &[(&str, &[u8])], declared: u32) -> Vec<u8> {
    let mut bytes = support::zip(entries);
    let find = |bytes: &[u8], sig: u32, from: usize| {
        (from..bytes.len().saturating_sub(4)).find(|&i| bytes[i..i + 4] == sig.to_le_bytes())
    };
    let mut at = 0;
    while let Some(i) = find(&bytes, 0x04034b50, at) {
        bytes[i + 18..i + 22].copy_from_slice(&declared.to_le_bytes());
        at = i + 4;
    }
    let mut at = 0;
    while let Some(i) = find(&bytes, 0x02014b50, at) {
        bytes[i + 20..i + 24].copy_from_slice(&declared.to_le_bytes());
        at = i + 4;
    }
    bytes
}

#[track_caller]
fn assert_refused_as_bomb(package: &[u8]) {
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    f.config(&format!("plugins:\n{}", support::url_plugin(&server, "bomb.zip", package)));
    let out = f.prepare().output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 30);
    assert!(err.contains("Archive bomb.zip is too large when unpacked"), "{err}");
    assert!(err.contains("Downloading bomb.zip"), "refused after the download: {err}");
    // Nothing of the refused package is left behind (the download itself
    // is the only large thing a refusal may have held).
    let left = bytes_under(&f.path("cache"));
    assert!(left < 1 << 20, "{left} bytes left in the cache");
    assert!(!f.path("Plugins").exists());
}

/// A declared compressed size raised to the real inflated size made the
/// ratio check see 1:1: count the bytes actually inflated against the bytes
/// actually in the package.
#[test]
fn zip_bomb_with_a_lying_compressed_size_is_refused() {
    let zeros = vec![0u8; 8 << 20];
    let package = zip_with_lying_sizes(&[("lib/bomb.jar", &zeros)], 8 << 20);
    assert!(package.len() < 100_000, "{}", package.len());
    assert_refused_as_bomb(&package);
}

/// Entries under 1 MiB skipped the ratio check: 16 of them made 16 MiB from
/// an 18 kB package (400 of them, 400 MiB).
#[test]
fn zip_bomb_of_many_small_entries_is_refused_and_leaves_nothing() {
    let zeros = vec![0u8; (1 << 20) - 1];
    let names: Vec<String> = (0..16).map(|i| format!("lib/part-{i}.jar")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), zeros.as_slice())).collect();
    let package = support::zip(&entries);
    assert!(package.len() < 200_000, "{}", package.len());
    assert_refused_as_bomb(&package);
}

// --- 6. `offline: true` corrupted non-UTF-8 properties files -----------------

/// Latin-1 bytes elsewhere in the file became U+FFFD. Bytes are edited, not
/// text: every other byte stays.
#[test]
fn offline_edit_keeps_every_other_byte_of_a_latin1_file() {
    let f = Fixture::project();
    f.config("offline: true\n");
    let before: &[u8] =
        b"#Katalon\r\nuser.name=Jos\xe9 M\xfcller\r\nplugin.reloadOption=\"ONLINE\"\r\nnote=caf\xc3\xa9 \xff\r\n";
    f.write(SETTINGS, before);
    let out = f.prepare().output().unwrap();
    crate::support::assert_success(&out);
    let after = std::fs::read(f.path(SETTINGS)).unwrap();
    let expected: &[u8] =
        b"#Katalon\r\nuser.name=Jos\xe9 M\xfcller\r\nplugin.reloadOption=\"OFFLINE\"\r\nnote=caf\xc3\xa9 \xff\r\n";
    assert_eq!(after, expected, "{}", String::from_utf8_lossy(&after));
}

/// A UTF-16 file (a byte-order mark, or NUL bytes) cannot be edited byte by
/// byte: exit 12, the file untouched.
#[test]
fn offline_edit_refuses_a_utf16_file_and_leaves_it_untouched() {
    let utf16 = |bom: bool| {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for unit in "plugin.reloadOption=\"ONLINE\"\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    };
    for bom in [true, false] {
        let f = Fixture::project();
        f.config("offline: true\n");
        f.write(SETTINGS, utf16(bom));
        let out = f.prepare().output().unwrap();
        let err = stderr(&out);
        crate::support::assert_code(&out, 12);
        assert!(err.contains("com.kms.katalon.execution.properties is UTF-16 text"), "{err}");
        assert_eq!(std::fs::read(f.path(SETTINGS)).unwrap(), utf16(bom));
    }
}

// --- Low: key rules -----------------------------------------------------------

fn args_with_env(name: &str, value: &str) -> std::process::Output {
    let f = Fixture::project();
    f.cmd().env(name, value).arg("args").output().unwrap()
}

/// A key that is a common word (`katalonc`) mangled stderr and revealed
/// itself (`k***t***lonc`). Keys shorter than 16 characters are refused.
#[test]
fn key_shorter_than_16_characters_is_refused_saying_what_was_expected() {
    let out = args_with_env("KATALON_API_KEY", "katalonc");
    let err = stderr(&out);
    crate::support::assert_code(&out, 11);
    assert!(err.contains("is 8 characters long; a Katalon API key has at least 16"), "{err}");
    assert!(!err.contains("katalonc"), "{err}");
    assert_eq!(stdout(&out), "");
    // 16 is enough.
    crate::support::assert_success(&args_with_env("KATALON_API_KEY", "0123456789abcdef"));
}

/// A secret pasted with its newline is common: one trailing `\n` or `\r\n`
/// is trimmed from a variable, as from a file; a newline inside stays exit 11.
#[test]
fn key_in_a_variable_has_one_trailing_newline_trimmed() {
    for value in [format!("{SENTINEL}\n"), format!("{SENTINEL}\r\n")] {
        let out = args_with_env("KATALON_API_KEY", &value);
        assert!(out.status.success(), "{value:?}\n{}", crate::support::report(&out));
        assert!(stdout(&out).split_whitespace().any(|t| t == format!("-apiKey={SENTINEL}")), "{}", stdout(&out));
    }
    for value in [format!("{SENTINEL}\n\n"), format!("{SENTINEL}\nmore")] {
        let out = args_with_env("KATALON_API_KEY", &value);
        assert_eq!(out.status.code(), Some(11), "{value:?}");
        assert!(stderr(&out).contains("it spans several lines"), "{}", stderr(&out));
    }
}

/// A key file saved by a Windows editor starts with a UTF-8 BOM.
#[test]
fn key_file_starting_with_a_bom_is_read_without_it() {
    let f = Fixture::project();
    let file = f.write("secret.txt", format!("\u{feff}{SENTINEL}\r\n"));
    let out = f.cmd().env("KATALON_API_KEY_FILE", &file).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    assert!(stdout(&out).split_whitespace().any(|t| t == format!("-apiKey={SENTINEL}")), "{}", stdout(&out));
}

/// On a pull request from a fork the secret is empty, not missing: say so,
/// naming the variable.
#[test]
fn empty_secret_says_set_but_empty_naming_the_variable() {
    let out = args_with_env("KATALON_API_KEY", "");
    let err = stderr(&out);
    crate::support::assert_code(&out, 11);
    assert!(err.contains("KATALON_API_KEY is set but empty"), "{err}");
    assert!(!err.contains("No Katalon API key found"), "{err}");
    let f = Fixture::project();
    let out = f.cmd().env("INPUT_API-KEY", "").env("KATALON_API_KEY", "").arg("args").output().unwrap();
    assert!(stderr(&out).contains("KATALON_API_KEY and INPUT_API-KEY are set but empty"), "{}", stderr(&out));
    // An empty variable does not hide a key found further on.
    let out = f.cmd().env("KATALON_API_KEY", "").env("INPUT_API-KEY", SENTINEL).arg("args").output().unwrap();
    crate::support::assert_success(&out);
}

/// Short credential values found by `check --args` are masked as whole
/// tokens only: `-kobitonToken=on` must not turn `option` into `opti***`.
#[test]
fn short_credentials_in_check_args_are_masked_as_whole_tokens() {
    let p = Fixture::shop();
    let out =
        p.cmd().args(["check", "--args", "katalonc -projectPath=shop.prj -kobitonToken=on -retri=1"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("-kobitonToken=***"), "{text}");
    assert!(text.contains("unknown option") && !text.contains("opti***"), "{text}");
}

// --- Low: an overall deadline on a download ----------------------------------

/// Serves one body forever slowly: a byte every 100 ms, never stalling long
/// enough for the read timeout. Returns the URL.
fn trickling_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/slow.jar", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/java-archive\r\n\r\n",
                );
                while conn.write_all(b"x").is_ok() {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            });
        }
    });
    url
}

/// 1 byte/s kept a run alive for an hour: `--download-timeout` (env
/// `KATALON_PREP_DOWNLOAD_TIMEOUT`, default 30m) bounds a download, retries
/// included; exit 20.
#[test]
fn download_timeout_bounds_a_trickling_download() {
    let url = trickling_server();
    for (flag, env, shown) in [(Some("2s"), None, "2s"), (None, Some("2"), "2s")] {
        let f = Fixture::project();
        f.config(&format!("plugins:\n  - url: {url}\n    sha256: {}\n", "ab".repeat(32)));
        let mut cmd = f.prepare();
        if let Some(v) = flag {
            cmd.args(["--download-timeout", v]);
        }
        if let Some(v) = env {
            cmd.env("KATALON_PREP_DOWNLOAD_TIMEOUT", v);
        }
        let started = std::time::Instant::now();
        let out = cmd.output().unwrap();
        let err = stderr(&out);
        crate::support::assert_code(&out, 20);
        assert!(err.contains(&format!("did not finish within {shown} (retries included)")), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }
    let f = Fixture::project();
    let out = f.prepare().args(["--download-timeout", "1.5h"]).output().unwrap();
    crate::support::assert_code(&out, 10);
    assert!(stderr(&out).contains("invalid duration `1.5h`"), "{}", stderr(&out));
}

// --- Low: `katalon-prep clean` --------------------------------------------------

/// Every file under `dir` with its bytes.
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn clean(scene: &KillScene, project: &std::path::Path) -> std::process::Output {
    let mut cmd = support::bin_std(scene.f.root());
    cmd.current_dir(project).arg("clean");
    cmd.output().unwrap()
}

/// A developer's checkout showed a diff after `prepare` (the settings file,
/// `Plugins/`). `clean` undoes exactly what the install record says, and
/// the project is byte for byte as it was.
#[test]
fn clean_undoes_exactly_what_prepare_did() {
    let scene = KillScene::new();
    let project = scene.fresh_project("p");
    let before = tree(&project);
    let out = scene.prepare(&project).output().unwrap();
    crate::support::assert_success(&out);
    scene.assert_installed(&project, "prepare");
    let out = clean(&scene, &project);
    let err = stderr(&out);
    crate::support::assert_success(&out);
    assert!(
        err.contains(&support::native("Removed     Plugins/a.jar"))
            && err.contains(&support::native("Restored    settings/internal/")),
        "{err}"
    );
    assert!(err.contains("2 files removed, settings restored"), "{err}");
    assert_eq!(tree(&project), before, "the project is as it was");
    // Nothing left to do.
    let out = clean(&scene, &project);
    assert!(stderr(&out).contains("Nothing to clean"), "{}", stderr(&out));
}

/// A settings file katalon-prep created is removed; `Plugins/` it created
/// goes too when nothing of the user's is in it.
#[test]
fn clean_removes_what_prepare_created() {
    let f = Fixture::project();
    f.config("offline: true\n");
    let before = tree(f.root());
    let out = f.prepare().output().unwrap();
    crate::support::assert_success(&out);
    assert!(f.path(SETTINGS).exists());
    let out = f.cmd().arg("clean").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(tree(f.root()), before);
    assert!(!f.path("Plugins").exists() && !f.path(SETTINGS).exists());
}

/// What changed since katalon-prep wrote it is the user's now: left in
/// place, with a warning; so is anything the record does not name.
#[test]
fn clean_leaves_files_changed_since_and_files_it_does_not_own() {
    let scene = KillScene::new();
    let project = scene.fresh_project("p");
    crate::support::assert_success(&scene.prepare(&project).output().unwrap());
    std::fs::write(project.join("Plugins/a.jar"), b"edited by the user").unwrap();
    let edited = format!("{}more=1\n", std::fs::read_to_string(project.join(SETTINGS)).unwrap());
    std::fs::write(project.join(SETTINGS), &edited).unwrap();
    let out = clean(&scene, &project);
    let err = stderr(&out);
    crate::support::assert_success(&out);
    assert!(
        err.contains(&support::native("Plugins/a.jar has changed since katalon-prep wrote it; leaving it in place")),
        "{err}"
    );
    assert_eq!(std::fs::read(project.join("Plugins/a.jar")).unwrap(), b"edited by the user");
    assert_eq!(std::fs::read_to_string(project.join(SETTINGS)).unwrap(), edited);
    assert!(!project.join("Plugins/b.jar").exists(), "untouched jars are removed");
    assert_eq!(std::fs::read(project.join("Plugins/mine.jar")).unwrap(), b"the user's own jar");
}

/// The record is a file anyone can edit: a settings entry naming another
/// file is not obeyed.
#[test]
fn clean_obeys_no_settings_entry_for_another_file() {
    let scene = KillScene::new();
    let project = scene.fresh_project("p");
    let victim = scene.f.write("p/Demo.prj.bak", "keep me");
    let sha = support::sha256_hex(b"keep me");
    let record = format!(
        r#"{{"format":1,"files":{{}},"settings":{{"file":"../p/Demo.prj.bak","before":"{}","after":"{sha}"}}}}"#,
        "00".repeat(4)
    );
    std::fs::write(project.join("Plugins/.katalon-prep.json"), record).unwrap();
    let out = clean(&scene, &project);
    crate::support::assert_success(&out);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
}

// --- Low: `check --args` snippets and credentials as written -----------------

/// Snippets showed quoted pieces of the key (`-apiKey="ab"cd`: redaction
/// knew only `abcd`) and the password of `https://user:PASS@` in
/// `-remoteWebDriverUrl`.
#[test]
fn check_args_snippets_hide_credentials_as_written() {
    let p = Fixture::shop();
    let (head, tail) = SENTINEL.split_at(12);
    for line in [
        format!("katalonc -projectPath=shop.prj -apiKey=\"{head}\"{tail} -retri=1"),
        format!("katalonc -projectPath=shop.prj -apiKey='{head}'\"{tail}\" -retri=1"),
        format!("katalonc -projectPath=shop.prj -apiKey= {head}\"{tail}\" -retri=1"),
        "katalonc -projectPath=shop.prj -remoteWebDriverUrl=https://grid-user:Pa55-w0rd-x9@grid.example.com/wd/hub -retri=1"
            .to_string(),
    ] {
        for format in ["text", "json"] {
            let out = p.cmd().env("GITHUB_ACTIONS", "true").args(["check", "--format", format, "--args", &line]).output().unwrap();
            support::assert_code(&out, 13);
            let err: String = stderr(&out).lines().filter(|l| !l.starts_with("::add-mask::")).collect();
            let all = format!("{}{err}", stdout(&out));
            assert!(all.contains("-retri"), "the run got as far as the findings: {all}");
            for piece in [head, tail, "Pa55-w0rd-x9"] {
                assert!(!all.contains(piece), "{piece} printed for {line}:\n{all}");
            }
        }
    }
}

// --- Low: hostile and odd inputs get the right exit and message --------------

/// A config saved with a UTF-8 byte-order mark was refused as "more than one
/// document".
#[test]
fn config_starting_with_a_bom_is_read() {
    let f = Fixture::project();
    f.config("\u{feff}run:\n  test-suite: Test Suites/Smoke\n");
    let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
    crate::support::assert_success(&out);
    assert!(stdout(&out).contains("Test Suites/Smoke"), "{}", stdout(&out));
}

/// A `.prj` that is not UTF-8 is a project problem (12) naming the file,
/// not a filesystem error (40).
#[test]
fn non_utf8_prj_is_exit_12_naming_the_file() {
    let f = Fixture::project();
    let mut prj = std::fs::read(f.path("Demo.prj")).unwrap();
    let at = prj.windows(6).position(|w| w == b"</name").unwrap();
    prj.splice(at..at, [0xE9u8, 0xFF]);
    std::fs::write(f.path("Demo.prj"), prj).unwrap();
    let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 12);
    assert!(err.contains("Demo.prj") && err.contains("not UTF-8"), "{err}");
}

/// `path:` naming a folder or a FIFO said "does not exist" (exit 10, a
/// config that names the wrong thing, as for a missing file).
#[test]
fn path_plugin_that_is_a_folder_or_a_fifo_says_what_it_is() {
    let f = Fixture::project();
    std::fs::create_dir_all(f.path("vendor/a-folder.jar")).unwrap();
    f.config("plugins:\n  - path: vendor/a-folder.jar\n");
    let out = f.prepare().output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 10);
    assert!(err.contains("is a folder, not a file") && !err.contains("does not exist"), "{err}");
    #[cfg(unix)]
    {
        let fifo = f.path("vendor/pipe.jar");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        f.config("plugins:\n  - path: vendor/pipe.jar\n");
        let out = f.prepare().output().unwrap();
        let err = stderr(&out);
        crate::support::assert_code(&out, 10);
        assert!(err.contains("is not a regular file") && !err.contains("does not exist"), "{err}");
    }
}

/// A zip entry name over 255 bytes failed as a filesystem error (40): it is
/// the archive's fault (30).
#[test]
fn zip_entry_name_over_255_bytes_is_exit_30() {
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    let name = format!("lib/{}.jar", "a".repeat(300));
    let package = support::zip(&[(name.as_str(), &support::keyword_jar("com.example.Long"))]);
    f.config(&format!("plugins:\n{}", support::url_plugin(&server, "long.zip", &package)));
    let out = f.prepare().output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 30);
    assert!(err.contains("longer than 255 bytes"), "{err}");
}

/// `kind:` says what a jar is, not that it is one: a corrupt or empty bare
/// jar is refused (30) with `kind:` as without.
#[test]
fn corrupt_or_empty_bare_jar_with_kind_is_refused() {
    for (bytes, why) in [(b"PK\x03\x04 not really a zip".to_vec(), "is not a jar"), (Vec::new(), "is not a jar")] {
        let f = Fixture::project();
        let server = katalon_prep_fakes::FakeServer::start();
        let entry = support::url_plugin(&server, "broken.jar", &bytes);
        f.config(&format!("plugins:\n{entry}    kind: keyword\n"));
        let out = f.prepare().output().unwrap();
        let err = stderr(&out);
        crate::support::assert_code(&out, 30);
        assert!(err.contains(why), "{err}");
        assert!(!f.path("Plugins/broken.jar").exists());
    }
}

// --- Low: the line stays one line -----------------------------------------------

/// A value with a newline or NUL made the "one line" on stdout several
/// lines. Refused (exit 10) wherever it comes from, naming where.
#[test]
fn values_with_a_line_break_or_nul_never_reach_the_line() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n  args:\n    - \"-x=first\\nsecond\"\n");
    let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 10);
    assert!(err.contains("katalon-prep.yml:4:") && err.contains("`-x=first\\nsecond` holds a line break"), "{err}");
    assert_eq!(stdout(&out), "");

    f.config("run:\n  test-suite: Test Suites/Smoke\n  browser: \"Chrome\\0\"\n");
    let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
    crate::support::assert_code(&out, 10);

    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    for args in [
        vec!["args", "--without-api-key", "--browser", "Chrome\r"],
        vec!["args", "--without-api-key", "--", "-y=1\n2"],
        vec!["args", "--without-api-key", "--shard", "{\"suite\":\"Test Suites/Smoke\",\"browser\":\"Chrome\\nx\"}"],
    ] {
        let out = f.cmd().args(&args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(10), "{args:?}\n{}", crate::support::report(&out));
        assert!(err.contains("holds a line break or a NUL byte"), "{args:?}: {err}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    // Whatever the format.
    let out = f.cmd().args(["args", "--without-api-key", "--format", "json", "--", "-y=1\n2"]).output().unwrap();
    crate::support::assert_code(&out, 10);
    // Where the project is asked first (a suite, a profile), its error shows the name escaped.
    let out = f.cmd().args(["args", "--without-api-key", "--profile", "default\r"]).output().unwrap();
    crate::support::assert_code(&out, 12);
    assert!(stderr(&out).contains("profile `default\\r` does not exist"), "{}", stderr(&out));
}

/// Found by the binary fuzz suite: a lock pinning Store plugins that the
/// config no longer lists (so without `store.app-version`) made `outdated`
/// fail as an internal error (70).
#[test]
fn outdated_with_store_pins_but_no_store_settings_is_a_config_error() {
    let f = Fixture::project();
    f.config("plugins:\n  - url: https://cdn.example.com/a.jar\n");
    f.write(
        "katalon-prep.lock",
        "version: 1\nstore:\n  app-version: 9.7.2\n  license-type: ENTERPRISE\nplugins:\n- name: Excel Keywords\n  source: store\n  store: 42\n  product-id: 42\n  version: 1.2.3\n  url: https://cdn.example.com/x.zip\n  kind: keyword\n  sha256: 82d47764765f0b9d87a7e40946ecb756747c17c55425f49c13b03d43c6c87f5c\n  size: 3\n  files:\n  - Plugins/x.jar\n",
    );
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).arg("outdated").output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 10);
    assert!(err.contains("sets no `store.app-version`"), "{err}");
}

// --- Low: `prepare` racing `cache prune` ------------------------------------------

/// `prepare` racing `cache prune` failed 1 in 64 with a misleading exit 40
/// (the entry vanished between finding it and linking from it): 64 races
/// give 64 successes.
#[test]
fn prepare_racing_cache_prune_always_succeeds() {
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    let jar = support::big_keyword_jar(400_000);
    f.config(&format!("plugins:\n{}", support::url_plugin(&server, "a.jar", &jar)));
    f.write("nothing.lock", "version: 1\nplugins: []\n");
    for i in 0..64 {
        let mut prepare = support::bin_std(f.root());
        prepare.env("KATALON_API_KEY", SENTINEL).arg("prepare");
        let prepare = prepare.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        // Vary who starts first; prune again and again while prepare runs.
        std::thread::sleep(std::time::Duration::from_millis((i % 8) * 3));
        for _ in 0..4 {
            let prune = support::bin_std(f.root()).args(["cache", "prune", "nothing.lock"]).output().unwrap();
            assert!(prune.status.success(), "race {i}: prune\n{}", crate::support::report(&prune));
        }
        let out = prepare.wait_with_output().unwrap();
        assert!(out.status.success(), "race {i}: prepare failed\n{}", crate::support::report(&out));
        assert_eq!(std::fs::read(f.path("Plugins/a.jar")).unwrap(), jar, "race {i}");
    }
}

/// `cache prune /nonexistent` talked about `--locked`; it is still exit 31
/// (documented), naming the missing lock.
#[test]
fn cache_prune_of_a_missing_lock_names_it_without_talking_about_locked() {
    let f = Fixture::project();
    let out = f.cmd().args(["cache", "prune", "/nonexistent"]).output().unwrap();
    let err = stderr(&out);
    crate::support::assert_code(&out, 31);
    assert!(err.contains("No lock file at /nonexistent"), "{err}");
    assert!(err.contains("/nonexistent") && !err.contains("--locked"), "{err}");
}

// --- Low: GitHub annotation paths ---------------------------------------------------

/// Annotation paths were relative to the working directory, so a step with
/// `working-directory: tests/katalon` put them on files GitHub cannot find.
/// They are relative to the repository root (`GITHUB_WORKSPACE`).
#[test]
fn github_annotation_paths_are_relative_to_the_repository_root() {
    let f = Fixture::empty();
    f.add_project("tests/katalon");
    f.write("tests/katalon/katalon-prep.yml", "run:\n  test-suite: Test Suites/Smoke\n  args:\n    - -retri=1\n");
    let out = f
        .cmd()
        .current_dir(f.path("tests/katalon"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", f.root())
        .arg("check")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("file=tests/katalon/katalon-prep.yml,line=4"), "{err}");
    // Without a workspace, as before: relative to the working directory.
    let out = f.cmd().current_dir(f.path("tests/katalon")).env("GITHUB_ACTIONS", "true").arg("check").output().unwrap();
    assert!(stderr(&out).contains("file=katalon-prep.yml,line=4"), "{}", stderr(&out));
}

// --- Low: outdated and lock --update -----------------------------------------------

/// `outdated` suggested `lock --update` for a GitHub plugin, whose `tag:`
/// is fixed in the config (the update would change nothing).
#[test]
fn outdated_github_plugin_says_to_change_the_tag_not_lock_update() {
    use crate::remote::{release, store_config};
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    release(&server, "v1.2.0", &[("gh-1.2.0.jar", support::keyword_jar("G"))]);
    f.config(&store_config("  - github: acme/keywords\n    tag: v1.2.0\n    asset: \"*.jar\"\n"));
    crate::support::assert_success(&crate::remote::lock(&f, &server).output().unwrap());
    release(&server, "v1.3.0", &[("gh-1.3.0.jar", support::keyword_jar("G2"))]);
    let out = crate::remote::cmd(&f, &server).arg("outdated").output().unwrap();
    let err = stderr(&out);
    crate::support::assert_success(&out);
    assert!(err.contains("1 of 1 plugins outdated; 1 from GitHub: change `tag:` in katalon-prep.yml"), "{err}");
    assert!(!err.contains("lock --update"), "{err}");
}

/// `lock --update` downloaded again what was already in the cache.
#[test]
fn lock_update_does_not_download_what_the_cache_holds() {
    use crate::remote::{account, publish, release, store_config};
    let f = Fixture::project();
    let server = katalon_prep_fakes::FakeServer::start();
    account(&server, &[publish(&server, 1, 42, "Excel Keywords", "1.2.3")]);
    release(&server, "v1.2.0", &[("gh-1.2.0.jar", support::keyword_jar("G"))]);
    f.config(&store_config("  - store: 42\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: \"*.jar\"\n"));
    crate::support::assert_success(&crate::remote::lock(&f, &server).output().unwrap());
    let downloads = |s: &katalon_prep_fakes::FakeServer| {
        s.requests().iter().filter(|r| r.path.ends_with(".zip") || r.path.contains("/releases/assets/")).count()
    };
    assert!(downloads(&server) >= 2, "the first lock downloads both");
    server.clear_log();
    let out = crate::remote::lock(&f, &server).arg("--update").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(downloads(&server), 0, "{:?}", server.requests().iter().map(|r| r.path.clone()).collect::<Vec<_>>());
}
