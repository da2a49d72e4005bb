//! Secret hygiene: with a sentinel key and `RUST_LOG=trace`, the key shows
//! up only where it is allowed — the injected `-apiKey=` token (stdout or
//! `--output`) and the `::add-mask::` command — and nowhere else: not in
//! stderr, logs, the cache, the project, or any request to a download host.

mod support;

use katalon_prep_fakes::FakeServer;
use support::{Fixture, SENTINEL, keyword_jar, sha256_hex};

fn fixture_with_everything(server: &FakeServer) -> Fixture {
    let f = Fixture::project();
    let jar = keyword_jar("K");
    server.file("/k.jar", jar.clone());
    f.write("vendor/local.jar", keyword_jar("L"));
    f.config(&format!(
        "offline: true\nrun:\n  test-suite: Test Suites/Smoke\n  profile: staging\nplugins:\n  - path: vendor/local.jar\n  - url: {}/k.jar\n    sha256: {}\n",
        server.url(),
        sha256_hex(&jar)
    ));
    f
}

fn assert_requests_clean(server: &FakeServer) {
    for r in server.requests() {
        assert!(!r.target.contains(SENTINEL), "request target carries the key: {}", r.target);
        for (name, value) in &r.headers {
            assert!(!value.contains(SENTINEL), "request header {name} carries the key");
        }
    }
}

#[test]
fn prepare_shell_to_stdout_with_trace_logs() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).env("RUST_LOG", "trace").arg("prepare").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches(SENTINEL).count(), 1);
    assert!(stdout.contains(&format!("-apiKey={SENTINEL}")));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("TRACE") || stderr.contains("DEBUG"), "trace logging did not run");
    assert!(!stderr.contains(SENTINEL), "stderr leaks the key");
    f.assert_no_file_contains(SENTINEL, &[]);
    assert_requests_clean(&server);
}

#[test]
fn prepare_json_to_an_output_file() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("RUST_LOG", "trace")
        .args(["-vv", "prepare", "--format", "json", "--output", "argv.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SENTINEL));
    let argv: Vec<String> = serde_json::from_str(&f.read("argv.json")).unwrap();
    assert!(argv.contains(&format!("-apiKey={SENTINEL}")));
    let output = f.path("argv.json");
    f.assert_no_file_contains(SENTINEL, &[&output]);
    assert_requests_clean(&server);
}

#[test]
fn github_mode_masks_first_and_never_repeats_the_key_on_stderr() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("RUST_LOG", "trace")
        .env("GITHUB_ACTIONS", "true")
        .arg("prepare")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with(&format!("::add-mask::{SENTINEL}\n")), "{stderr}");
    assert_eq!(stderr.matches(SENTINEL).count(), 1);
    f.assert_no_file_contains(SENTINEL, &[]);
}

#[test]
fn errors_never_carry_the_key() {
    let server = FakeServer::start();
    let f = Fixture::project();
    // A URL that embeds the key (as a careless user might): the failure must not print it.
    f.config(&format!(
        "plugins:\n  - url: {}/dl/{SENTINEL}/x.jar?token={SENTINEL}\n    sha256: {}\n",
        server.url(),
        "3".repeat(64)
    ));
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).env("RUST_LOG", "trace").arg("prepare").output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("answered 404"), "{stderr}");
    assert!(!stderr.contains(SENTINEL), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn without_api_key_the_key_appears_nowhere() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("RUST_LOG", "trace")
        .args(["prepare", "--without-api-key"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SENTINEL));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SENTINEL));
    f.assert_no_file_contains(SENTINEL, &[]);
}
