//! GitHub release plugins: tag + asset glob through octocrab against a fake
//! API on plain-http loopback (`GITHUB_API_URL`), clear 404 and rate-limit
//! errors, and the token kept to the API's origin.

use crate::remote;
use crate::support;

use std::time::{Duration, Instant};

use katalon_prep_fakes::FakeServer;
use predicates::prelude::*;
use remote::{prepare, release};
use support::{Fixture, keyword_jar, native};

const TOKEN: &str = "ghs_SENTINELtoken0123456789";

fn config(f: &Fixture, asset: &str) {
    f.config(&format!("plugins:\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: \"{asset}\"\n"));
}

#[test]
fn tag_and_a_glob_matching_one_asset_installs_it() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("keywords-1.2.0.jar", keyword_jar("K")), ("keywords-1.2.0-sources.zip", vec![1, 2])]);
    config(&f, "*.jar");
    prepare(&f, &api)
        .assert()
        .success()
        .stderr(predicate::str::contains(native("Installed   Plugins/keywords-1.2.0.jar")));
    assert_eq!(std::fs::read(f.path("Plugins/keywords-1.2.0.jar")).unwrap(), keyword_jar("K"));
    assert_eq!(api.count("/repos/acme/keywords/releases/tags/v1.2.0"), 1);
}

#[test]
fn glob_matching_no_asset_lists_the_assets() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("keywords-1.2.0.zip", vec![1]), ("notes.txt", vec![2])]);
    config(&f, "*.jar");
    prepare(&f, &api)
        .assert()
        .code(10)
        .stderr(predicate::str::contains(
            "`asset: *.jar` matches 0 assets of acme/keywords v1.2.0 (at katalon-prep.yml:2:5); it must match exactly one",
        ))
        .stderr(predicate::str::contains("hint: the release has: keywords-1.2.0.zip, notes.txt"));
}

#[test]
fn glob_matching_two_assets_lists_the_assets() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("a.jar", keyword_jar("A")), ("b.jar", keyword_jar("B"))]);
    config(&f, "*.jar");
    prepare(&f, &api)
        .assert()
        .code(10)
        .stderr(predicate::str::contains("`asset: *.jar` matches 2 assets of acme/keywords v1.2.0"))
        .stderr(predicate::str::contains("hint: the release has: a.jar, b.jar"));
    assert!(!f.path("Plugins").join("a.jar").exists());
}

#[test]
fn unknown_tag_is_a_clear_404_exit_20() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.0.0", &[("a.jar", keyword_jar("A"))]);
    config(&f, "*.jar");
    prepare(&f, &api)
        .assert()
        .code(20)
        .stderr(predicate::str::contains("GitHub has no release `v1.2.0` in acme/keywords"))
        .stderr(predicate::str::contains("/repos/acme/keywords/releases/tags/v1.2.0 answered 404"));
    assert_eq!(api.count("/repos/acme/keywords/releases/tags/v1.2.0"), 1, "a 404 is not retried");
}

#[test]
fn rate_limit_fails_at_once_with_a_clear_message() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("a.jar", keyword_jar("A"))]);
    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 1800;
    api.github_rate_limited(Some(reset));
    config(&f, "*.jar");
    let started = Instant::now();
    prepare(&f, &api)
        .assert()
        .code(20)
        .stderr(predicate::str::contains("GitHub API rate limit exceeded at"))
        .stderr(predicate::str::contains("(resets in 30 min)").or(predicate::str::contains("(resets in 29 min)")))
        .stderr(predicate::str::contains("hint: set GITHUB_TOKEN"));
    assert!(started.elapsed() < Duration::from_secs(10), "no long sleep");
    assert_eq!(api.count("/repos/acme/keywords/releases/tags/v1.2.0"), 1);
}

#[test]
fn token_goes_to_the_api_origin_only_and_is_never_printed() {
    let f = Fixture::project();
    let api = FakeServer::start();
    let cdn = FakeServer::start();
    cdn.file("/assets/a.jar", keyword_jar("A"));
    api.github_release("acme", "keywords", "v1.2.0", &[("a.jar", &format!("{}/assets/a.jar", cdn.url()))]);
    config(&f, "a.jar");
    prepare(&f, &api)
        .env("GITHUB_TOKEN", TOKEN)
        .arg("-vv")
        .assert()
        .success()
        .stderr(predicate::str::contains(TOKEN).not())
        .stdout(predicate::str::contains(TOKEN).not());
    let api_calls = api.requests();
    assert!(!api_calls.is_empty());
    for r in &api_calls {
        assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()), "{} lacks the token", r.target);
    }
    assert_eq!(cdn.count("/assets/a.jar"), 1);
    assert!(
        cdn.requests().iter().all(|r| r.headers.iter().all(|(_, v)| !v.contains(TOKEN))),
        "the storage host received the token"
    );
    f.assert_no_file_contains(TOKEN, &[]);
}

#[test]
fn asset_is_fetched_from_its_api_url_as_an_octet_stream() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("a.jar", keyword_jar("A"))]);
    config(&f, "a.jar");
    prepare(&f, &api).assert().success();
    let asset_calls: Vec<_> =
        api.requests().into_iter().filter(|r| r.path.starts_with("/repos/acme/keywords/releases/assets/")).collect();
    assert_eq!(asset_calls.len(), 1);
    assert_eq!(asset_calls[0].header("accept"), Some("application/octet-stream"));
    assert_eq!(asset_calls[0].status, 302);
}

#[test]
fn github_config_needs_a_tag() {
    let f = Fixture::project();
    f.config("plugins:\n  - github: acme/keywords\n    asset: \"*.jar\"\n");
    f.cmd()
        .env("KATALON_API_KEY", support::SENTINEL)
        .arg("args")
        .assert()
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:2:13: the `github: acme/keywords` plugin needs a `tag`"));
}
