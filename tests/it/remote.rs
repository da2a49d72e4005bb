//! Helpers for the Store, GitHub, lock and network tests: a fake Store
//! account with downloadable packages, a fake GitHub release, and the
//! binary pointed at them.

use assert_cmd::Command;
use katalon_prep_fakes::{FakeServer, StorePlugin};

use crate::support::{Fixture, SENTINEL, keyword_jar, sha256_hex, zip};

/// The Katalon version the fixtures' configs name.
pub const APP_VERSION: &str = "9.7.2";

/// A Store package: a zip holding `jar_name` (a keyword jar).
pub fn package(jar_name: &str, class: &str) -> Vec<u8> {
    zip(&[(jar_name, &keyword_jar(class))])
}

pub fn slug(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

/// The download path of a plugin's package on the CDN.
pub fn package_path(name: &str, version: &str) -> String {
    format!("/dl/{}-{version}.zip", slug(name))
}

/// Publishes plugin `name` at `version` on `cdn` and returns its Store entry.
pub fn publish(cdn: &FakeServer, id: u64, product_id: u64, name: &str, version: &str) -> StorePlugin {
    let path = package_path(name, version);
    cdn.file(&path, package(&format!("{}-{version}.jar", slug(name)), &format!("{name} {version}")));
    StorePlugin::new(id, product_id, name).version(version).download_url(format!("{}{path}", cdn.url()))
}

/// The account behind [`SENTINEL`] lists `plugins`.
pub fn account(store: &FakeServer, plugins: &[StorePlugin]) {
    store.store_key(SENTINEL);
    store.store_products(plugins);
}

/// `store:` settings plus `plugins:` entries.
pub fn store_config(entries: &str) -> String {
    format!("store:\n  app-version: \"{APP_VERSION}\"\nplugins:\n{entries}")
}

/// The binary with the key and the Store URL set.
pub fn cmd(f: &Fixture, store: &FakeServer) -> Command {
    let mut c = f.cmd();
    c.env("KATALON_API_KEY", SENTINEL).env("KATALON_STORE_URL", store.url()).env("GITHUB_API_URL", store.url());
    c
}

/// `prepare` against `store`, retry waits kept short.
pub fn prepare(f: &Fixture, store: &FakeServer) -> Command {
    let mut c = cmd(f, store);
    c.arg("prepare");
    c
}

/// `lock` against `store`.
pub fn lock(f: &Fixture, store: &FakeServer) -> Command {
    let mut c = cmd(f, store);
    c.arg("lock");
    c
}

/// A GitHub release `v1.2.0` of `acme/keywords` whose assets (name, bytes)
/// are served by `server` under `/gh/<name>`.
pub fn release(server: &FakeServer, tag: &str, assets: &[(&str, Vec<u8>)]) {
    let urls: Vec<(String, String)> =
        assets.iter().map(|(name, _)| (name.to_string(), format!("/gh/{tag}/{name}"))).collect();
    for ((_, bytes), (_, path)) in assets.iter().zip(&urls) {
        server.file(path, bytes.clone());
    }
    let pairs: Vec<(&str, &str)> = urls.iter().map(|(n, p)| (n.as_str(), p.as_str())).collect();
    server.github_release("acme", "keywords", tag, &pairs);
}

/// Every header value any request to `server` carried, lower-cased names.
pub fn saw_key(server: &FakeServer) -> bool {
    server.requests().iter().any(|r| r.headers.iter().any(|(_, v)| v.contains(SENTINEL)) || r.target.contains(SENTINEL))
}

pub fn sha(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}
