//! The GitHub releases fake: routes, GitHub's error bodies and rate-limit
//! headers, and the fields octocrab's `Release`/`Asset` cannot do without.

use crate::common::{get, request};
use katalon_prep_fakes::FakeServer;
use serde_json::{Value, json};

/// The non-`Option` fields of octocrab 0.54 `models::repos::Release`
/// (plus the `Option` ones the brief asks to fill).
const RELEASE_FIELDS: &[&str] = &[
    "url",
    "html_url",
    "assets_url",
    "upload_url",
    "tarball_url",
    "zipball_url",
    "id",
    "node_id",
    "tag_name",
    "target_commitish",
    "name",
    "body",
    "draft",
    "prerelease",
    "created_at",
    "published_at",
    "author",
    "assets",
];
const ASSET_FIELDS: &[&str] = &[
    "url",
    "browser_download_url",
    "id",
    "node_id",
    "name",
    "label",
    "state",
    "content_type",
    "size",
    "download_count",
    "created_at",
    "updated_at",
    "uploader",
];
/// Non-`Option` fields of octocrab's `Author` (a superset of `Uploader`'s).
const USER_FIELDS: &[&str] = &[
    "login",
    "id",
    "node_id",
    "avatar_url",
    "gravatar_id",
    "url",
    "html_url",
    "followers_url",
    "following_url",
    "gists_url",
    "starred_url",
    "subscriptions_url",
    "organizations_url",
    "repos_url",
    "events_url",
    "received_events_url",
    "type",
    "site_admin",
];

fn assert_fields(value: &Value, fields: &[&str], what: &str) {
    for f in fields {
        assert!(value.get(f).is_some_and(|v| !v.is_null()), "{what} lacks `{f}`: {value:#}");
    }
}

fn publish(server: &FakeServer) {
    server.file("/dl/kre.tar.gz", vec![0u8; 4096]);
    server.github_release("katalon-studio", "plugin", "v1.0.0", &[("plugin-1.0.0.jar", "https://cdn.example/p1.jar")]);
    server.github_release(
        "katalon-studio",
        "plugin",
        "v1.1.0",
        &[("plugin-1.1.0.jar", "/dl/kre.tar.gz"), ("notes.txt", "/dl/notes.txt")],
    );
}

#[test]
fn release_by_tag_has_every_field_octocrab_needs() {
    let server = FakeServer::start();
    publish(&server);
    let r = get(server.addr(), "/repos/katalon-studio/plugin/releases/tags/v1.1.0");
    assert_eq!(r.status, 200);
    let release = r.json();
    assert_fields(&release, RELEASE_FIELDS, "release");
    assert_fields(&release["author"], USER_FIELDS, "author");
    assert_eq!(release["tag_name"], "v1.1.0");
    assert!(release["id"].is_u64());
    assert_eq!(release["draft"], false);
    let assets = release["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 2);
    for asset in assets {
        assert_fields(asset, ASSET_FIELDS, "asset");
        assert_fields(&asset["uploader"], USER_FIELDS, "uploader");
        assert_eq!(asset["state"], "uploaded");
    }
    assert_eq!(assets[0]["name"], "plugin-1.1.0.jar");
    assert_eq!(assets[0]["browser_download_url"], server.url_for("/dl/kre.tar.gz"));
    assert_eq!(assets[0]["content_type"], "application/java-archive");
    // Size comes from the route serving the download, when there is one.
    assert_eq!(assets[0]["size"], 4096);
    assert_eq!(assets[1]["size"], 0);
    assert!(release["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(release["url"].as_str().unwrap().starts_with(server.url()));
}

#[test]
fn lists_releases_newest_first_and_latest_is_the_newest() {
    let server = FakeServer::start();
    publish(&server);
    server.github_release("other", "repo", "v9", &[]);
    let list = get(server.addr(), "/repos/katalon-studio/plugin/releases?per_page=100").json();
    let tags: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["tag_name"].as_str().unwrap()).collect();
    assert_eq!(tags, ["v1.1.0", "v1.0.0"]);
    let latest = get(server.addr(), "/repos/katalon-studio/plugin/releases/latest").json();
    assert_eq!(latest["tag_name"], "v1.1.0");
    assert!(list[0]["created_at"].as_str() > list[1]["created_at"].as_str());
}

#[test]
fn owner_and_repo_are_case_insensitive() {
    let server = FakeServer::start();
    publish(&server);
    let r = get(server.addr(), "/repos/Katalon-Studio/Plugin/releases/tags/v1.0.0");
    assert_eq!(r.status, 200);
}

#[test]
fn release_and_assets_by_id() {
    let server = FakeServer::start();
    publish(&server);
    let release = get(server.addr(), "/repos/katalon-studio/plugin/releases/tags/v1.0.0").json();
    let id = release["id"].as_u64().unwrap();
    let by_id = get(server.addr(), &format!("/repos/katalon-studio/plugin/releases/{id}")).json();
    assert_eq!(by_id, release);
    let assets = get(server.addr(), &format!("/repos/katalon-studio/plugin/releases/{id}/assets")).json();
    assert_eq!(assets, release["assets"]);
}

#[test]
fn asset_api_url_redirects_octet_stream_requests_to_the_download() {
    let server = FakeServer::start();
    publish(&server);
    let release = get(server.addr(), "/repos/katalon-studio/plugin/releases/tags/v1.0.0").json();
    let asset_path = release["assets"][0]["url"].as_str().unwrap().strip_prefix(server.url()).unwrap().to_owned();
    let json_answer = get(server.addr(), &asset_path);
    assert_eq!(json_answer.json()["name"], "plugin-1.0.0.jar");
    let download = request(server.addr(), "GET", &asset_path, &[("Accept", "application/octet-stream")]);
    assert_eq!(download.status, 302);
    assert_eq!(download.header("location"), Some("https://cdn.example/p1.jar"));
}

#[test]
fn unknown_repo_or_tag_is_githubs_404() {
    let server = FakeServer::start();
    publish(&server);
    for target in [
        "/repos/katalon-studio/plugin/releases/tags/v0.0.1",
        "/repos/nobody/nothing/releases/latest",
        "/repos/nobody/nothing/releases/tags/v1.0.0",
        "/repos/katalon-studio/plugin/releases/123",
    ] {
        let r = get(server.addr(), target);
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.json()["message"], "Not Found");
        assert!(r.json()["documentation_url"].is_string());
    }
    // An unknown repository lists as 404 only on GitHub when it does not
    // exist; here every repo "exists", so the list is just empty.
    assert_eq!(get(server.addr(), "/repos/nobody/nothing/releases").json(), json!([]));
}

#[test]
fn rate_limit_switch_answers_403_with_githubs_headers() {
    let server = FakeServer::start();
    publish(&server);
    let ok = get(server.addr(), "/repos/katalon-studio/plugin/releases/latest");
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("4999"));

    server.github_rate_limited(Some(1_900_000_000));
    let limited = get(server.addr(), "/repos/katalon-studio/plugin/releases/latest");
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("x-ratelimit-reset"), Some("1900000000"));
    assert!(limited.json()["message"].as_str().unwrap().starts_with("API rate limit exceeded"));

    server.github_rate_limited(None);
    assert_eq!(get(server.addr(), "/repos/katalon-studio/plugin/releases/latest").status, 200);
}

#[test]
fn logs_the_authorization_header_sent_to_the_api() {
    let server = FakeServer::start();
    publish(&server);
    request(server.addr(), "GET", "/repos/katalon-studio/plugin/releases/latest", &[("Authorization", "Bearer ghp_x")]);
    assert_eq!(
        server.requests_for("/repos/katalon-studio/plugin/releases/latest")[0].header("authorization"),
        Some("Bearer ghp_x")
    );
}

#[test]
fn exact_routes_win_over_the_api() {
    let server = FakeServer::start();
    publish(&server);
    server.status("/repos/katalon-studio/plugin/releases/latest", 500, "boom");
    assert_eq!(get(server.addr(), "/repos/katalon-studio/plugin/releases/latest").status, 500);
}
