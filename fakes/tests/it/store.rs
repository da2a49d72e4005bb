//! The Katalon Store fake: key check, response shape (katalon.md §2), and
//! what the log keeps for assertions.

use crate::common::{get, request};
use katalon_prep_fakes::{FakeServer, STORE_PATH, StorePlugin};
use serde_json::json;

const QUERY: &str = "/api/products/ks?appVersion=9.0.0&appType=ENGINE&licenseType=ENTERPRISE";

#[test]
fn without_a_configured_key_every_request_is_401() {
    let server = FakeServer::start();
    server.store_products(&[StorePlugin::new(1, 2, "P")]);
    let r = request(server.addr(), "GET", QUERY, &[("apiKey", "anything")]);
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), "Invalid credentials");
}

#[test]
fn a_missing_or_wrong_key_is_401() {
    let server = FakeServer::start();
    server.store_key("k-123");
    assert_eq!(get(server.addr(), QUERY).status, 401);
    let wrong = request(server.addr(), "GET", QUERY, &[("apiKey", "k-124")]);
    assert_eq!((wrong.status, wrong.text().as_str()), (401, "Invalid credentials"));
}

#[test]
fn the_right_key_in_any_header_case_gets_the_list() {
    let server = FakeServer::start();
    server.store_key("k-123");
    server.store_products(&[StorePlugin::new(1, 2, "P")]);
    for name in ["apiKey", "apikey", "APIKEY"] {
        let r = request(server.addr(), "GET", QUERY, &[(name, "k-123")]);
        assert_eq!(r.status, 200, "header {name}");
        assert_eq!(r.json().as_array().unwrap().len(), 1);
    }
}

#[test]
fn entries_have_katalons_shape() {
    let server = FakeServer::start();
    server.store_key("k");
    server.store_products(&[
        StorePlugin::new(123, 42, "Excel Keywords").version("1.2.3").download_url("https://cdn.example/excel.zip"),
        StorePlugin::new(124, 43, "Platform Thing").keyword(false),
    ]);
    let body = request(server.addr(), "GET", QUERY, &[("apiKey", "k")]).json();
    assert_eq!(
        body[0],
        json!({
            "id": 123,
            "download_url": "https://cdn.example/excel.zip",
            "expired": false, "active": true, "free": true, "trial": false, "paid": false,
            "product": {
                "id": 42, "name": "Excel Keywords",
                "url": format!("{}/product/42", server.url()),
                "product_type": { "id": 1, "name": "Custom Keywords Plugin" },
            },
            "latest_compatible_version": { "id": 123_001, "number": "1.2.3" },
        })
    );
    assert_ne!(body[1]["product"]["product_type"]["name"], "Custom Keywords Plugin");
}

#[test]
fn relative_and_default_download_urls_point_at_the_server() {
    let server = FakeServer::start();
    server.store_key("k");
    server.store_products(&[StorePlugin::new(1, 1, "A").download_url("/dl/a.zip"), StorePlugin::new(2, 2, "B")]);
    let body = request(server.addr(), "GET", QUERY, &[("apiKey", "k")]).json();
    assert_eq!(body[0]["download_url"], format!("{}/dl/a.zip", server.url()));
    assert_eq!(body[1]["download_url"], format!("{}/store/download/2.zip", server.url()));
}

#[test]
fn expired_null_and_empty_versions_and_type_override() {
    let server = FakeServer::start();
    server.store_key("k");
    server.store_products(&[
        StorePlugin::new(1, 1, "A").expired(true),
        StorePlugin::new(2, 2, "B").null_version(true),
        StorePlugin::new(3, 3, "C").empty_version(true),
        StorePlugin::new(4, 4, "D").product_type("custom keywords PLUGIN"),
    ]);
    let body = request(server.addr(), "GET", QUERY, &[("apiKey", "k")]).json();
    assert_eq!((body[0]["expired"].clone(), body[0]["active"].clone()), (json!(true), json!(false)));
    assert!(body[1]["latest_compatible_version"].is_null());
    assert_eq!(body[2]["latest_compatible_version"], json!({}));
    assert_eq!(body[3]["product"]["product_type"]["name"], "custom keywords PLUGIN");
}

#[test]
fn logs_the_query_and_the_key_header() {
    let server = FakeServer::start();
    server.store_key("k");
    request(server.addr(), "GET", QUERY, &[("apiKey", "k")]);
    let log = server.requests_for(STORE_PATH);
    assert_eq!(log[0].target, QUERY);
    assert_eq!(log[0].query_param("appVersion"), Some("9.0.0"));
    assert_eq!(log[0].query_param("appType"), Some("ENGINE"));
    assert_eq!(log[0].query_param("licenseType"), Some("ENTERPRISE"));
    assert_eq!(log[0].header("apikey"), Some("k"));
    assert_eq!(log[0].status, 200);
}

#[test]
fn raw_json_is_served_after_the_key_check() {
    let server = FakeServer::start();
    server.store_key("k");
    server.store_products_json(json!({"not": "an array"}));
    assert_eq!(get(server.addr(), QUERY).status, 401);
    let r = request(server.addr(), "GET", QUERY, &[("apiKey", "k")]);
    assert_eq!(r.json(), json!({"not": "an array"}));
}

#[test]
fn faults_apply_to_the_store_route() {
    let server = FakeServer::start();
    server.store_key("k");
    server.fail_times(STORE_PATH, 1, 503);
    assert_eq!(request(server.addr(), "GET", QUERY, &[("apiKey", "k")]).status, 503);
    assert_eq!(request(server.addr(), "GET", QUERY, &[("apiKey", "k")]).status, 200);
}

#[test]
fn only_get_is_allowed() {
    let server = FakeServer::start();
    server.store_key("k");
    assert_eq!(request(server.addr(), "POST", QUERY, &[("apiKey", "k")]).status, 405);
}

#[test]
fn a_manifest_entry_needs_only_an_id() {
    let plugins: Vec<StorePlugin> = serde_json::from_str(r#"[{"id": 7, "name": "X", "keyword": false}]"#).unwrap();
    assert_eq!(plugins[0], StorePlugin::new(7, 1, "X").keyword(false));
}
