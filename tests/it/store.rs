//! Katalon Store plugins: the list request katalonc makes, selection by id,
//! name or `all`, tolerant decoding, skipped entries, credentials, and the
//! API key staying on the Store's origin.

use crate::remote;
use crate::support;

use katalon_prep_fakes::{FakeServer, STORE_PATH, StorePlugin};
use predicates::prelude::*;
use remote::{account, prepare, publish, store_config};
use support::{Fixture, SENTINEL, assert_run_snapshot, native};

/// A project whose config asks for `store: <selector>`, and a fresh Store
/// whose account lists what `plugins` publishes on it.
fn on_store(selector: &str, plugins: impl FnOnce(&FakeServer) -> Vec<StorePlugin>) -> (Fixture, FakeServer) {
    let f = Fixture::project();
    let store = FakeServer::start();
    let listed = plugins(&store);
    account(&store, &listed);
    f.config(&store_config(&format!("  - store: {selector}\n")));
    (f, store)
}

/// Excel Keywords 1.2.3, product 42, published on `store`.
fn excel(store: &FakeServer) -> StorePlugin {
    publish(store, 1, 42, "Excel Keywords", "1.2.3")
}

#[test]
fn store_by_id_installs_the_jar_of_its_package() {
    let (f, store) = on_store("42", |s| vec![excel(s), publish(s, 2, 7, "Other", "2.0.0")]);
    prepare(&f, &store)
        .assert()
        .success()
        .stderr(predicate::str::contains(native("Installed   Plugins/excel-keywords-1.2.3.jar")));
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
    assert!(!f.path("Plugins/other-2.0.0.jar").exists());
}

#[test]
fn list_request_speaks_katalons_api() {
    let f = Fixture::project();
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Excel Keywords", "1.2.3")]);
    f.config("store:\n  app-version: \"9.7.2\"\n  license-type: free\nplugins:\n  - store: 42\n");
    prepare(&f, &store).assert().success();
    let list = store.requests_for(STORE_PATH);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].method, "GET");
    assert_eq!(list[0].query.as_deref(), Some("appVersion=9.7.2&appType=ENGINE&licenseType=FREE"));
    assert_eq!(list[0].header("apikey"), Some(SENTINEL));
}

#[test]
fn store_by_name_is_case_insensitive() {
    let (f, store) = on_store("\"excel keywords\"", |s| vec![excel(s)]);
    prepare(&f, &store).assert().success();
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
}

#[test]
fn store_all_installs_every_plugin_and_platform_ones_under_platform() {
    let f = Fixture::project();
    let store = FakeServer::start();
    let platform = StorePlugin::new(3, 9, "Bundle")
        .keyword(false)
        .version("3.0.0")
        .download_url(format!("{}/dl/bundle.zip", store.url()));
    store.file("/dl/bundle.zip", support::zip(&[("bundle-3.0.0.jar", &support::platform_jar("com.example.bundle"))]));
    account(
        &store,
        &[publish(&store, 1, 42, "Excel Keywords", "1.2.3"), publish(&store, 2, 7, "Other", "2.0.0"), platform],
    );
    f.config(&store_config("  - store: all\n"));
    prepare(&f, &store).assert().success().stderr(predicate::str::contains("3 plugins: 0 cached, 3 downloaded"));
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
    assert!(f.path("Plugins/other-2.0.0.jar").is_file());
    assert!(f.path("Plugins/platform/bundle-3.0.0.jar").is_file());
}

#[test]
fn expired_entry_is_skipped_with_a_warning_naming_it() {
    let (f, store) = on_store("all", |s| vec![excel(s), publish(s, 2, 7, "Old Thing", "1.0.0").expired(true)]);
    prepare(&f, &store).assert().success().stderr(predicate::str::contains(
        "warning: Store plugin Old Thing: its licence on the account has expired; skipped",
    ));
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
    assert!(!f.path("Plugins/old-thing-1.0.0.jar").exists());
    assert_eq!(store.count("/dl/old-thing-1.0.0.zip"), 0);
}

#[test]
fn null_version_entry_is_skipped_with_a_warning_naming_it() {
    let (f, store) = on_store("all", |s| vec![excel(s), publish(s, 2, 7, "Too New", "5.0").null_version(true)]);
    prepare(&f, &store).assert().success().stderr(predicate::str::contains(
        "warning: Store plugin Too New: no version is compatible with Katalon 9.7.2; skipped",
    ));
    assert!(!f.path("Plugins/too-new-5.0.jar").exists());
}

#[test]
fn empty_object_version_counts_as_null() {
    let (f, store) = on_store("all", |s| vec![excel(s), publish(s, 2, 7, "Hollow", "1.0").empty_version(true)]);
    prepare(&f, &store)
        .assert()
        .success()
        .stderr(predicate::str::contains("Store plugin Hollow: no version is compatible"));
}

#[test]
fn unknown_fields_and_empty_objects_are_tolerated() {
    let f = Fixture::project();
    let store = FakeServer::start();
    store.store_key(SENTINEL);
    store.file("/dl/x.zip", remote::package("x-1.0.jar", "X"));
    store.store_products_json(serde_json::json!([{
        "id": 5, "download_url": format!("{}/dl/x.zip", store.url()), "expired": false,
        "brand_new_field": {"nested": [1, 2, 3]}, "licenses": {},
        "product": { "id": 11, "name": "X Plugin", "product_type": {}, "extra": true },
        "latest_compatible_version": { "id": 1, "number": "1.0", "changelog": {} }
    }]));
    f.config(&store_config("  - store: 11\n"));
    prepare(&f, &store).assert().success();
    // `product_type: {}` is null: not a keyword plugin type, so platform.
    assert!(f.path("Plugins/platform/x-1.0.jar").is_file());
}

#[test]
fn rejected_key_exits_21_naming_where_the_key_came_from() {
    let f = Fixture::project();
    let store = FakeServer::start();
    store.store_key("another-key");
    f.config(&store_config("  - store: 42\n"));
    let out = prepare(&f, &store).output().unwrap();
    support::assert_code(&out, 21);
    // The transcript also checks the key is nowhere in the output.
    assert_run_snapshot!(f, out);
}

#[test]
fn missing_app_version_is_a_config_error_with_an_example() {
    let f = Fixture::project();
    let store = FakeServer::start();
    f.config("plugins:\n  - path: a.jar\n  - store: 42\n");
    let out = prepare(&f, &store).output().unwrap();
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
    assert_eq!(store.total(), 0);
}

#[test]
fn plugin_the_account_lacks_is_an_error_listing_what_it_has() {
    let (f, store) = on_store("\"PDF Keywords\"", |s| vec![excel(s), publish(s, 2, 7, "Other", "2.0.0")]);
    let out = prepare(&f, &store).output().unwrap();
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn listed_plugin_that_expired_is_an_error() {
    let (f, store) = on_store("42", |s| vec![excel(s).expired(true)]);
    prepare(&f, &store).assert().code(10).stderr(predicate::str::contains(
        "Store plugin Excel Keywords (product 42) cannot be installed: its licence on the account has expired",
    ));
}

#[test]
fn key_is_not_sent_to_a_download_host_on_another_origin() {
    let f = Fixture::project();
    let store = FakeServer::start();
    let cdn = FakeServer::start();
    account(&store, &[publish(&cdn, 1, 42, "Excel Keywords", "1.2.3")]);
    f.config(&store_config("  - store: 42\n"));
    prepare(&f, &store).assert().success();
    assert_eq!(cdn.count("/dl/excel-keywords-1.2.3.zip"), 1);
    assert!(!remote::saw_key(&cdn), "the CDN received the key: {:?}", cdn.requests());
    assert!(remote::saw_key(&store));
}

#[test]
fn key_is_not_sent_across_a_redirect_to_another_origin() {
    let f = Fixture::project();
    let store = FakeServer::start();
    let cdn = FakeServer::start();
    cdn.file("/real/excel.zip", remote::package("excel-1.2.3.jar", "E"));
    store.redirect("/download/42", &format!("{}/real/excel.zip", cdn.url()), 302);
    let entry = StorePlugin::new(1, 42, "Excel Keywords").version("1.2.3").download_url("/download/42");
    account(&store, &[entry]);
    f.config(&store_config("  - store: 42\n"));
    prepare(&f, &store).assert().success();
    let hop = store.requests_for("/download/42");
    assert_eq!(hop.len(), 1);
    assert_eq!(hop[0].header("apikey"), Some(SENTINEL), "the Store's own origin gets the key");
    assert_eq!(cdn.count("/real/excel.zip"), 1);
    assert!(!remote::saw_key(&cdn), "the redirect target received the key: {:?}", cdn.requests());
    assert!(f.path("Plugins/excel-1.2.3.jar").is_file());
}

#[test]
fn store_plugins_without_a_lock_are_reported_as_unpinned() {
    let (f, store) = on_store("42", |s| vec![excel(s)]);
    prepare(&f, &store).assert().success().stderr(predicate::str::contains(
        "warning: no katalon-prep.lock: Store and GitHub plugins are installed as served now, not pinned",
    ));
}

#[test]
fn warm_locked_store_plugins_need_no_key_without_api_key() {
    let (f, store) = on_store("42", |s| vec![excel(s)]);
    remote::lock(&f, &store).assert().success();
    store.clear_log();
    f.cmd()
        .env("KATALON_STORE_URL", store.url())
        .args(["prepare", "--locked", "--without-api-key"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-apiKey").not());
    assert_eq!(store.total(), 0);
    assert!(f.path("Plugins/excel-keywords-1.2.3.jar").is_file());
}

#[test]
fn store_download_without_any_key_is_exit_11() {
    let (f, store) = on_store("42", |s| vec![excel(s)]);
    f.cmd()
        .env("KATALON_STORE_URL", store.url())
        .args(["prepare", "--without-api-key"])
        .assert()
        .code(11)
        .stderr(predicate::str::contains("Store plugins must be downloaded, but no Katalon API key was found"));
    assert_eq!(store.total(), 0);
}

/// Regression: a key that could not be read was reported as missing.
#[test]
fn store_download_with_a_malformed_key_says_why_the_key_is_unusable() {
    let (f, store) = on_store("42", |s| vec![excel(s)]);
    f.cmd()
        .env("KATALON_STORE_URL", store.url())
        .env("KATALON_API_KEY", "two words")
        .args(["prepare", "--without-api-key"])
        .assert()
        .code(11)
        .stderr(predicate::str::contains("is malformed: it contains whitespace"))
        .stderr(predicate::str::contains("two words").not());
    assert_eq!(store.total(), 0);
}
