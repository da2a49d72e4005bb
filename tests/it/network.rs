//! Network behaviour end to end: the one retry policy on Store, GitHub and
//! download requests, `Retry-After`, bodies cut or truncated, checksum
//! mismatches, the proxy variables, and failures that name the plugin, the
//! URL (redacted) and the number of tries.

use crate::remote;
use crate::support;

use std::time::{Duration, Instant};

use katalon_prep_fakes::{FakeServer, STORE_PATH, StorePlugin};
use predicates::prelude::*;
use remote::{account, prepare, publish, release, sha, store_config};
use support::{Fixture, big_keyword_jar, keyword_jar};

#[test]
fn store_list_503_twice_then_success() {
    let f = Fixture::project();
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Excel Keywords", "1.2.3")]);
    store.fail_times(STORE_PATH, 2, 503);
    f.config(&store_config("  - store: 42\n"));
    prepare(&f, &store)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: Katalon Store: ").and(predicate::str::contains("answered 503")))
        .stderr(predicate::str::contains("(try 2 failed)"));
    assert_eq!(store.count(STORE_PATH), 3);
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
}

#[test]
fn github_api_503_twice_then_success() {
    let f = Fixture::project();
    let api = FakeServer::start();
    release(&api, "v1.2.0", &[("a.jar", keyword_jar("A"))]);
    api.fail_times("/repos/acme/keywords/releases/tags/v1.2.0", 2, 503);
    f.config("plugins:\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: a.jar\n");
    prepare(&f, &api).assert().success().stderr(predicate::str::contains("GitHub answered 503"));
    assert_eq!(api.count("/repos/acme/keywords/releases/tags/v1.2.0"), 3);
}

#[test]
fn download_429_with_retry_after_is_honoured() {
    let f = Fixture::project();
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Excel Keywords", "1.2.3")]);
    store.retry_after("/dl/excel-keywords-1.2.3.zip", 1, 1);
    f.config(&store_config("  - store: 42\n"));
    let started = Instant::now();
    prepare(&f, &store)
        .assert()
        .success()
        .stderr(predicate::str::contains("answered 429; retrying in 1.0 s (try 1 failed)"));
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(store.count("/dl/excel-keywords-1.2.3.zip"), 2);
}

#[test]
fn retry_after_beyond_the_cap_fails_at_once() {
    let f = Fixture::project();
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Excel Keywords", "1.2.3")]);
    store.retry_after("/dl/excel-keywords-1.2.3.zip", 1, 120);
    f.config(&store_config("  - store: 42\n"));
    let started = Instant::now();
    prepare(&f, &store)
        .args(["--max-retry-wait", "2"])
        .assert()
        .code(20)
        .stderr(predicate::str::contains("Plugin Excel Keywords: could not download it"))
        .stderr(predicate::str::contains("answered 429"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn connection_dropped_mid_body_is_retried_and_never_cached() {
    let f = Fixture::project();
    let api = FakeServer::start();
    let big = big_keyword_jar(300_000);
    release(&api, "v1.2.0", &[("big.jar", big.clone())]);
    api.drop_mid_body("/gh/v1.2.0/big.jar", 1, 4096);
    f.config("plugins:\n  - github: acme/keywords\n    tag: v1.2.0\n    asset: big.jar\n");
    prepare(&f, &api).assert().success().stderr(predicate::str::contains("ended after 4096 of 3"));
    assert_eq!(api.count("/gh/v1.2.0/big.jar"), 2);
    assert_eq!(std::fs::read(f.path("Plugins/big.jar")).unwrap(), big);
    assert_eq!(std::fs::read_dir(f.path("cache/v1/entries")).unwrap().count(), 1);
}

#[test]
fn truncated_body_fails_naming_plugin_url_and_tries_and_caches_nothing() {
    let f = Fixture::project();
    let store = FakeServer::start();
    store.file("/dl/excel.zip", remote::package("excel-1.2.3.jar", "E"));
    let presigned = format!("{}/dl/excel.zip?X-Amz-Signature=PRESIGNEDsecret", store.url());
    account(&store, &[StorePlugin::new(1, 42, "Excel Keywords").version("1.2.3").download_url(presigned)]);
    store.truncate("/dl/excel.zip", 10);
    f.config(&store_config("  - store: 42\n"));
    prepare(&f, &store)
        .assert()
        .code(20)
        .stderr(predicate::str::contains("error: Plugin Excel Keywords: could not download it"))
        .stderr(predicate::str::contains(format!("caused by: Download of {}/dl/excel.zip?… ended after", store.url())))
        .stderr(predicate::str::contains("(after 4 tries)"))
        .stderr(predicate::str::contains("PRESIGNED").not());
    assert_eq!(store.count("/dl/excel.zip"), 4);
    assert_eq!(std::fs::read_dir(f.path("cache/v1/entries")).unwrap().count(), 0);
    assert!(!f.path("Plugins").exists());
}

#[test]
fn checksum_mismatch_on_a_pinned_store_plugin_is_exit_30() {
    let f = Fixture::project();
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Excel Keywords", "1.2.3")]);
    let wrong = sha(b"something else");
    f.config(&store_config(&format!("  - store: 42\n    sha256: {wrong}\n")));
    prepare(&f, &store)
        .assert()
        .code(30)
        .stderr(predicate::str::contains("Plugin Excel Keywords: sha256 mismatch (at katalon-prep.yml:4:5)"))
        .stderr(predicate::str::contains(format!("expected: {wrong}")));
    assert_eq!(std::fs::read_dir(f.path("cache/v1/entries")).unwrap().count(), 0);
}

#[test]
fn http_proxy_is_honoured() {
    let f = Fixture::project();
    let proxy = FakeServer::start();
    let jar = keyword_jar("P");
    proxy.file("/via/proxied.jar", jar.clone());
    f.config(&format!(
        "plugins:\n  - url: http://plugins.example.invalid/via/proxied.jar\n    sha256: {}\n",
        sha(&jar)
    ));
    prepare(&f, &proxy).arg("--allow-http").env("HTTP_PROXY", proxy.url()).assert().success();
    let seen = proxy.requests_for("/via/proxied.jar");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "http://plugins.example.invalid/via/proxied.jar", "absolute-form: sent to a proxy");
    assert!(f.path("Plugins/proxied.jar").is_file());
}

#[test]
fn no_proxy_bypasses_the_proxy() {
    let f = Fixture::project();
    let proxy = FakeServer::start();
    let origin = FakeServer::start();
    let jar = keyword_jar("D");
    origin.file("/direct.jar", jar.clone());
    f.config(&format!("plugins:\n  - url: {}/direct.jar\n    sha256: {}\n", origin.url(), sha(&jar)));
    prepare(&f, &origin).env("HTTP_PROXY", proxy.url()).env("NO_PROXY", "127.0.0.1,localhost").assert().success();
    assert_eq!(origin.count("/direct.jar"), 1);
    assert_eq!(proxy.total(), 0);
}

#[test]
fn unreachable_host_names_plugin_url_and_tries() {
    let f = Fixture::project();
    let closed = {
        let s = FakeServer::start();
        s.url().to_string()
    };
    let jar = keyword_jar("X");
    f.config(&format!("plugins:\n  - url: {closed}/gone.jar?token=SECRETQUERY\n    sha256: {}\n", sha(&jar)));
    let dummy = FakeServer::start();
    prepare(&f, &dummy)
        .args(["--connect-timeout", "2"])
        .assert()
        .code(20)
        .stderr(predicate::str::contains("error: Plugin gone.jar: could not download it"))
        .stderr(predicate::str::contains(format!("caused by: Could not reach {closed}/gone.jar?… (after 4 tries)")))
        .stderr(predicate::str::contains("SECRETQUERY").not());
}
