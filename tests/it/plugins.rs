//! Plugins from `path` and `url`: cache, verification, archive safety,
//! installation into `Plugins/`, clean-up, idempotence, the offline setting.

use crate::support;

use katalon_prep_fakes::FakeServer;
use predicates::prelude::*;
use support::{
    Fixture, big_keyword_jar, keyword_jar, native, plain_jar, platform_jar, sha256_hex, url_plugin, zip,
    zip_with_raw_name,
};

#[test]
fn path_plugin_is_installed_as_a_keyword_jar() {
    let f = Fixture::project();
    f.write("vendor/excel-keywords.jar", keyword_jar("com.example.Excel"));
    f.config("plugins:\n  - path: vendor/excel-keywords.jar\n");
    f.prepare().assert().success().stderr(predicate::str::contains(native("Installed   Plugins/excel-keywords.jar")));
    assert_eq!(std::fs::read(f.path("Plugins/excel-keywords.jar")).unwrap(), keyword_jar("com.example.Excel"));
}

#[test]
fn url_plugin_is_downloaded_verified_and_installed() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let cfg = url_plugin(&server, "foo-1.2.0.jar", &keyword_jar("Foo"));
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().success().stderr(predicate::str::contains("1 plugin: 0 cached, 1 downloaded"));
    assert!(f.path("Plugins/foo-1.2.0.jar").is_file());
    assert_eq!(server.count("/foo-1.2.0.jar"), 1);
}

#[test]
fn platform_jar_goes_to_plugins_platform() {
    let f = Fixture::project();
    f.write("vendor/bundle.jar", platform_jar("com.example.bundle"));
    f.config("plugins:\n  - path: vendor/bundle.jar\n");
    f.prepare().assert().success();
    assert!(f.path("Plugins/platform/bundle.jar").is_file());
    assert!(!f.path("Plugins/bundle.jar").exists());
}

#[test]
fn kind_overrides_detection() {
    let f = Fixture::project();
    f.write("vendor/odd.jar", plain_jar());
    f.config("plugins:\n  - path: vendor/odd.jar\n    kind: platform\n");
    f.prepare().assert().success();
    assert!(f.path("Plugins/platform/odd.jar").is_file());
}

#[test]
fn jar_of_unknown_kind_asks_for_kind() {
    let f = Fixture::project();
    f.write("vendor/odd.jar", plain_jar());
    f.config("plugins:\n  - path: vendor/odd.jar\n");
    f.prepare()
        .assert()
        .code(10)
        .stderr(predicate::str::contains("Plugin odd.jar (at katalon-prep.yml:2:5)"))
        .stderr(predicate::str::contains("add `kind: keyword` or `kind: platform`"));
    assert!(!f.path("Plugins/odd.jar").exists());
}

#[test]
fn package_zip_yields_its_jar_minus_sources_and_javadoc() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let pkg = zip(&[
        ("excel/excel-keywords-1.0.jar", &keyword_jar("E")),
        ("excel/excel-keywords-1.0-sources.jar", b"src"),
        ("excel/excel-keywords-1.0-javadoc.jar", b"doc"),
        ("README.txt", b"hi"),
    ]);
    let cfg = url_plugin(&server, "excel.zip", &pkg);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().success();
    let names: Vec<String> = std::fs::read_dir(f.path("Plugins"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jar"))
        .collect();
    assert_eq!(names, vec!["excel-keywords-1.0.jar"]);
}

#[test]
fn package_with_several_jars_needs_a_jar_glob() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let pkg = zip(&[("a.jar", &keyword_jar("A")), ("b.jar", &keyword_jar("B"))]);
    let cfg = url_plugin(&server, "two.zip", &pkg);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().code(10).stderr(predicate::str::contains("holds several jars (a.jar, b.jar)"));
    f.config(&format!("plugins:\n{cfg}    jar: \"b*.jar\"\n"));
    f.prepare().assert().success();
    assert!(f.path("Plugins/b.jar").is_file());
    assert!(!f.path("Plugins/a.jar").exists());
}

#[test]
fn sha256_mismatch_shows_both_values_and_leaves_nothing() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let real = keyword_jar("Real");
    server.file("/foo.jar", real.clone());
    let wrong = "0".repeat(64);
    f.config(&format!("plugins:\n  - url: {}/foo.jar\n    sha256: {wrong}\n", server.url()));
    f.prepare()
        .assert()
        .code(30)
        .stderr(predicate::str::contains("sha256 mismatch (at katalon-prep.yml:2:5)"))
        .stderr(predicate::str::contains(format!("expected: {wrong}")))
        .stderr(predicate::str::contains(format!("computed: {}", sha256_hex(&real))));
    assert!(!f.path("Plugins").exists());
    let entries = std::fs::read_dir(f.path("cache/v1/entries")).unwrap().count();
    assert_eq!(entries, 0);
    let tmp = std::fs::read_dir(f.path("cache/v1/tmp")).unwrap().count();
    assert_eq!(tmp, 0, "staging left behind");
}

#[test]
fn not_found_is_a_network_error_naming_plugin_and_url() {
    let f = Fixture::project();
    let server = FakeServer::start();
    f.config(&format!("plugins:\n  - url: {}/gone.jar\n    sha256: {}\n", server.url(), "1".repeat(64)));
    f.prepare()
        .assert()
        .code(20)
        .stderr(predicate::str::contains("Plugin gone.jar: could not download it"))
        .stderr(predicate::str::contains(format!("{}/gone.jar answered 404", server.url())));
    assert_eq!(server.count("/gone.jar"), 1, "404 is not retried");
}

#[test]
fn html_page_instead_of_a_jar_is_an_integrity_error() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let html = b"<!DOCTYPE html><html><body>Sign in</body></html>".to_vec();
    let cfg = url_plugin(&server, "plugin.jar", &html);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().code(30).stderr(predicate::str::contains("plugin.jar is not a jar: it is an HTML/XML page"));
    assert!(!f.path("Plugins").exists());
}

#[test]
fn zip_slip_package_is_refused() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let evil = zip_with_raw_name("../../evil.jar", &keyword_jar("E"));
    let cfg = url_plugin(&server, "evil.zip", &evil);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare()
        .assert()
        .code(30)
        .stderr(predicate::str::contains("Unsafe archive evil.zip: entry `../../evil.jar` climbs out of the archive"));
    assert!(!f.path("evil.jar").exists());
    assert!(!f.path("../evil.jar").exists());
}

#[test]
fn absolute_path_entry_is_refused() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let evil = zip_with_raw_name("/tmp/kp-evil.jar", &keyword_jar("E"));
    let cfg = url_plugin(&server, "abs.zip", &evil);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().code(30).stderr(predicate::str::contains("is an absolute path"));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let f = Fixture::project();
    f.config(&format!("plugins:\n  - url: http://plugins.example.com/a.jar\n    sha256: {}\n", "2".repeat(64)));
    f.prepare()
        .assert()
        .code(10)
        .stderr(predicate::str::contains("Refusing plain http for http://plugins.example.com/a.jar"));
}

#[test]
fn missing_path_plugin_names_the_config_line() {
    let f = Fixture::project();
    f.config("plugins:\n  - path: vendor/nope.jar\n");
    f.prepare().assert().code(10).stderr(predicate::str::contains("does not exist (at katalon-prep.yml:2:5)"));
}

#[test]
fn rerun_does_no_network_and_rewrites_nothing() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let cfg = url_plugin(&server, "foo.jar", &keyword_jar("Foo"));
    f.config(&format!("offline: true\nplugins:\n{cfg}"));
    f.prepare().assert().success();
    let jar = std::fs::metadata(f.path("Plugins/foo.jar")).unwrap();
    let record = std::fs::metadata(f.path("Plugins/.katalon-prep.json")).unwrap();
    let settings = std::fs::metadata(f.path("settings/internal/com.kms.katalon.execution.properties")).unwrap();
    let requests = server.total();
    f.prepare().assert().success().stderr(predicate::str::contains("1 cached, 0 downloaded"));
    assert_eq!(server.total(), requests, "a warm re-run made requests");
    let jar2 = std::fs::metadata(f.path("Plugins/foo.jar")).unwrap();
    assert_eq!(identity(&jar), identity(&jar2));
    let record2 = std::fs::metadata(f.path("Plugins/.katalon-prep.json")).unwrap();
    assert_eq!(identity(&record), identity(&record2));
    let settings2 = std::fs::metadata(f.path("settings/internal/com.kms.katalon.execution.properties")).unwrap();
    assert_eq!(identity(&settings), identity(&settings2));
}

/// What a rewrite changes: the inode and mtime on Unix; the modification
/// and creation times on Windows (a replacing rename makes a new file).
fn identity(meta: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        format!("{} {}", meta.ino(), meta.mtime_nsec())
    }
    #[cfg(not(unix))]
    {
        format!("{:?} {:?}", meta.modified().unwrap(), meta.created().ok())
    }
}

#[cfg(unix)]
#[test]
fn installed_jar_is_a_hardlink_to_the_read_only_cache_entry() {
    use std::os::unix::fs::MetadataExt;
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().assert().success();
    let installed = std::fs::metadata(f.path("Plugins/a.jar")).unwrap();
    let sha = sha256_hex(&keyword_jar("A"));
    let cached = std::fs::metadata(f.path(&format!("cache/v1/entries/{sha}/jars/a.jar"))).unwrap();
    assert_eq!(installed.ino(), cached.ino());
    assert!(cached.permissions().readonly());
    assert!(f.path("cache/CACHEDIR.TAG").is_file());
}

#[test]
fn stale_plugins_are_removed_but_user_files_stay() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("vendor/b.jar", keyword_jar("B"));
    f.write("Plugins/users-own.jar", b"the user's jar");
    f.config("plugins:\n  - path: vendor/a.jar\n  - path: vendor/b.jar\n");
    f.prepare().assert().success();
    assert!(f.path("Plugins/a.jar").is_file() && f.path("Plugins/b.jar").is_file());
    f.config("plugins:\n  - path: vendor/b.jar\n");
    f.prepare().assert().success().stderr(predicate::str::contains(native("Removed     Plugins/a.jar")));
    assert!(!f.path("Plugins/a.jar").exists());
    assert!(f.path("Plugins/b.jar").is_file());
    assert_eq!(f.read("Plugins/users-own.jar"), "the user's jar");
    f.config("");
    f.prepare().assert().success();
    assert!(!f.path("Plugins/b.jar").exists());
    assert!(!f.path("Plugins/.katalon-prep.json").exists());
    assert_eq!(f.read("Plugins/users-own.jar"), "the user's jar");
}

#[test]
fn name_clash_with_a_user_file_is_refused_and_changes_nothing() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("vendor/b.jar", keyword_jar("B"));
    f.write("Plugins/b.jar", b"user's b");
    f.config("plugins:\n  - path: vendor/a.jar\n  - path: vendor/b.jar\n");
    f.prepare()
        .assert()
        .code(12)
        .stderr(predicate::str::contains(native("Plugins/b.jar exists and was not installed by katalon-prep")));
    assert_eq!(f.read("Plugins/b.jar"), "user's b");
    assert!(!f.path("Plugins/a.jar").exists(), "nothing is installed when a clash is found");
}

#[test]
fn offline_writes_the_quoted_setting_and_keeps_every_other_byte() {
    let f = Fixture::project();
    let original = "#Fri Nov 20 09:14:03 UTC 2026\n\
execution.default.timeout=30\n\
execution.default.browser=\"Chrome (headless)\"\n\
plugin.reloadOption=ONLINE_AND_OFFLINE\n\
proxy.excludes=localhost\\,127.0.0.1\n\
report.videoRecorderOption=\"{\\\"enable\\\"\\:false,\\\"useBrowserRecorder\\\"\\:true}\"\n\
long.value=first\\\n    second\n";
    f.write("settings/internal/com.kms.katalon.execution.properties", original);
    f.config("offline: true\n");
    f.prepare().assert().success();
    let expected = original.replace("plugin.reloadOption=ONLINE_AND_OFFLINE", "plugin.reloadOption=\"OFFLINE\"");
    assert_eq!(f.read("settings/internal/com.kms.katalon.execution.properties"), expected);
}

#[test]
fn offline_creates_the_settings_file_when_missing() {
    let f = Fixture::project();
    f.config("offline: true\n");
    f.prepare().assert().success();
    assert_eq!(f.read("settings/internal/com.kms.katalon.execution.properties"), "plugin.reloadOption=\"OFFLINE\"\n");
}

#[test]
fn without_offline_the_settings_file_is_untouched() {
    let f = Fixture::project();
    f.write("settings/internal/com.kms.katalon.execution.properties", "plugin.reloadOption=\"ONLINE\"\n");
    f.config("");
    f.prepare().assert().success();
    assert_eq!(f.read("settings/internal/com.kms.katalon.execution.properties"), "plugin.reloadOption=\"ONLINE\"\n");
}

#[test]
fn offline_flag_forces_the_setting() {
    let f = Fixture::project();
    f.config("");
    f.prepare().arg("--offline").assert().success();
    assert!(
        f.read("settings/internal/com.kms.katalon.execution.properties").contains("plugin.reloadOption=\"OFFLINE\"")
    );
}

#[test]
fn unwritable_cache_is_a_filesystem_error_naming_the_flag() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("not-a-dir", b"file");
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare()
        .env("KATALON_PREP_CACHE_DIR", f.path("not-a-dir/cache"))
        .assert()
        .code(40)
        .stderr(predicate::str::contains("is not writable"))
        .stderr(predicate::str::contains("--cache-dir"));
    assert!(!f.path("Plugins").exists());
}

/// Issue 12: the hint is printed last, after the cause chain, so the cause
/// is read first and the advice closes the message.
#[test]
fn hint_follows_the_cause_chain() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.write("not-a-dir", b"file");
    f.config("plugins:\n  - path: vendor/a.jar\n");
    let out = f.prepare().env("KATALON_PREP_CACHE_DIR", f.path("not-a-dir/cache")).output().unwrap();
    assert_eq!(out.status.code(), Some(40));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let error = lines.iter().position(|l| l.starts_with("error: ") && l.contains("is not writable"));
    let cause = lines.iter().position(|l| l.starts_with("  caused by: "));
    let hint = lines.iter().position(|l| *l == "hint: choose another with --cache-dir DIR (or KATALON_PREP_CACHE_DIR)");
    assert!(matches!((error, cause, hint), (Some(e), Some(c), Some(h)) if e < c && c < h), "{stderr}");
    assert_eq!(hint, Some(lines.len() - 1), "the hint is the last line: {stderr}");
}

#[test]
fn default_cache_dir_follows_xdg_cache_home() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().env_remove("KATALON_PREP_CACHE_DIR").env("XDG_CACHE_HOME", f.path("xdg")).assert().success();
    assert!(f.path("xdg/katalon-prep/CACHEDIR.TAG").is_file());
}

#[test]
fn transient_errors_are_retried() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let cfg = url_plugin(&server, "flaky.jar", &keyword_jar("F"));
    server.fail_times("/flaky.jar", 2, 503);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().success().stderr(predicate::str::contains("answered 503"));
    assert_eq!(server.count("/flaky.jar"), 3);
}

#[test]
fn body_cut_mid_transfer_is_retried_and_never_cached() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let big = big_keyword_jar(200_000);
    let cfg = url_plugin(&server, "cut.jar", &big);
    server.drop_mid_body("/cut.jar", 1, 1000);
    f.config(&format!("plugins:\n{cfg}"));
    f.prepare().assert().success();
    assert_eq!(server.count("/cut.jar"), 2);
    assert_eq!(std::fs::read(f.path("Plugins/cut.jar")).unwrap(), big);
}

#[test]
fn cache_verify_finds_a_corrupted_entry() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().assert().success();
    f.cmd()
        .args(["cache", "verify"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 cache entry checked, 0 corrupt"));
    let sha = sha256_hex(&keyword_jar("A"));
    let jar = f.path(&format!("cache/v1/entries/{sha}/jars/a.jar"));
    let mut perms = std::fs::metadata(&jar).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&jar, perms).unwrap();
    std::fs::write(&jar, b"corrupted").unwrap();
    f.cmd()
        .args(["cache", "verify"])
        .assert()
        .code(30)
        .stderr(predicate::str::contains(format!("corrupt cache entry {sha}")));
    f.cmd().args(["cache", "verify", "--fix"]).assert().success();
    f.cmd().args(["cache", "verify"]).assert().success().stderr(predicate::str::contains("0 cache entries checked"));
}

#[test]
fn github_folds_plugin_lines_into_balanced_groups() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    let out = f.prepare().env("GITHUB_ACTIONS", "true").output().unwrap();
    crate::support::assert_success(&out);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let opens = stderr.lines().filter(|l| l.starts_with("::group::")).count();
    let closes = stderr.lines().filter(|l| *l == "::endgroup::").count();
    assert!(opens >= 1, "{stderr}");
    assert_eq!(opens, closes, "{stderr}");
    let first_group = stderr.find("::group::").unwrap();
    let installed = stderr.find(&native("Installed   Plugins/a.jar")).unwrap();
    assert!(first_group < installed && installed < stderr.rfind("::endgroup::").unwrap(), "{stderr}");
}

#[test]
fn plain_output_outside_github_has_no_workflow_commands() {
    let f = Fixture::project();
    f.write("vendor/a.jar", keyword_jar("A"));
    f.config("plugins:\n  - path: vendor/a.jar\n");
    f.prepare().env("CI", "true").assert().success().stderr(predicate::str::contains("::").not());
}

/// Regression: an entry with two corrupt jars was reported twice, and
/// `--fix` failed removing it the second time.
#[test]
fn cache_verify_fix_removes_an_entry_with_several_bad_jars_once() {
    let f = Fixture::project();
    let server = FakeServer::start();
    let pkg = zip(&[("a.jar", &keyword_jar("A")), ("b.jar", &keyword_jar("B"))]);
    let cfg = url_plugin(&server, "two.zip", &pkg);
    f.config(&format!("plugins:\n{cfg}    jar: a.jar\n"));
    f.prepare().assert().success();
    let sha = sha256_hex(&pkg);
    for jar in ["a.jar", "b.jar"] {
        let path = f.path(&format!("cache/v1/entries/{sha}/jars/{jar}"));
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        std::fs::write(&path, b"corrupted").unwrap();
    }
    f.cmd()
        .args(["cache", "verify"])
        .assert()
        .code(30)
        .stderr(predicate::str::contains("1 cache entry checked, 1 corrupt"))
        .stderr(predicate::str::contains("a.jar: sha256 is").and(predicate::str::contains("b.jar: sha256 is")));
    f.cmd().args(["cache", "verify", "--fix"]).assert().success();
    f.cmd().args(["cache", "verify"]).assert().success().stderr(predicate::str::contains("0 cache entries checked"));
}

// ---- exact output (snapshots) ----

/// A project with a suite to run and one `url` plugin, served by the
/// returned server. One plugin: the progress lines of several are fetched
/// concurrently and print in the order the fetches finish.
fn url_plugin_project() -> (Fixture, FakeServer) {
    let f = Fixture::project();
    let server = FakeServer::start();
    let url = url_plugin(&server, "foo-1.2.0.jar", &keyword_jar("Foo"));
    f.config(&format!("run:\n  test-suite: Test Suites/Smoke\nplugins:\n{url}"));
    (f, server)
}

#[test]
fn prepare_summary_cold_then_warm() {
    let (f, _server) = url_plugin_project();
    // With the sentinel in the environment but out of the line: a snapshot
    // never holds the key, and the transcript checks it is nowhere.
    let cold = f.prepare().arg("--without-api-key").output().unwrap();
    support::assert_success(&cold);
    support::assert_run_snapshot!("prepare_summary_cold", f, cold);
    support::remove_tree(&f.path("Plugins")).unwrap();
    let warm = f.prepare().arg("--without-api-key").output().unwrap();
    support::assert_success(&warm);
    support::assert_run_snapshot!("prepare_summary_warm", f, warm);
}

#[test]
fn cache_dir_and_verify_output() {
    let (f, _server) = url_plugin_project();
    support::assert_success(&f.prepare().output().unwrap());
    let dir = f.cmd().args(["cache", "dir"]).output().unwrap();
    support::assert_success(&dir);
    support::assert_run_snapshot!("cache_dir", f, dir);
    let verify = f.cmd().args(["cache", "verify"]).output().unwrap();
    support::assert_success(&verify);
    support::assert_run_snapshot!("cache_verify", f, verify);
}

/// `-v` shows the pipeline: each stage `prepare` runs, by name, in the order
/// it runs; without `-v` none of it.
#[test]
fn verbose_prepare_shows_each_stage_in_order() {
    let f = Fixture::project();
    f.write("vendor/excel-keywords.jar", keyword_jar("com.example.Excel"));
    f.config("offline: true\nplugins:\n  - path: vendor/excel-keywords.jar\n");
    let out = f.prepare().arg("-v").env_remove("RUST_LOG").output().unwrap();
    support::assert_success(&out);
    let err = support::stderr(&out);
    let closes = support::closed_spans(&err);
    assert_eq!(
        closes,
        ["key", "plan", "line", "reconcile", "resolve", "fetch", "install", "settings", "engine"],
        "{err}"
    );
    let quiet = f.prepare().env_remove("RUST_LOG").output().unwrap();
    assert!(!support::stderr(&quiet).contains(" close "), "{}", support::stderr(&quiet));
}
