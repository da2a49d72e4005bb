//! The generic server against a raw socket client: routes, each fault
//! really happening on the wire, the request log, and shutdown.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{TempDir, get, pattern, request, send_raw};
use katalon_prep_fakes::{FakeServer, RecordedRequest, Response, TRUNCATE_OVERCLAIM};
use serde_json::json;

#[test]
fn serves_bytes_with_their_length_and_closes() {
    let server = FakeServer::start();
    server.file("/a.zip", b"hello".to_vec());
    let r = get(server.addr(), "/a.zip");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hello");
    assert_eq!(r.content_length(), 5);
    assert_eq!(r.header("connection"), Some("close"));
    assert_eq!(r.header("content-type"), Some("application/zip"));
}

#[test]
fn url_is_loopback_with_the_bound_port() {
    let server = FakeServer::start();
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.addr().port()));
    assert_eq!(server.origin(), server.url());
    assert_eq!(server.url_for("/x"), format!("{}/x", server.url()));
}

#[test]
fn serves_json_and_status_routes() {
    let server = FakeServer::start();
    server.json("/j", json!({"a": 1}));
    server.status("/gone", 410, "gone for good");
    let j = get(server.addr(), "/j");
    assert_eq!(j.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(j.json(), json!({"a": 1}));
    let g = get(server.addr(), "/gone");
    assert_eq!(g.status, 410);
    assert_eq!(g.text(), "gone for good");
}

#[test]
fn redirects_with_a_location() {
    let server = FakeServer::start();
    server.redirect("/old", "/new", 307);
    let r = get(server.addr(), "/old");
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("/new"));
    assert!(r.body.is_empty());
}

#[test]
fn unknown_path_is_404() {
    let server = FakeServer::start();
    assert_eq!(get(server.addr(), "/nothing").status, 404);
    server.file("/x", b"x".to_vec());
    server.remove("/x");
    assert_eq!(get(server.addr(), "/x").status, 404);
}

#[test]
fn matches_without_the_query_but_logs_the_full_target() {
    let server = FakeServer::start();
    server.file("/f", b"ok".to_vec());
    let r = get(server.addr(), "/f?appVersion=9.0.0&appType=ENGINE");
    assert_eq!(r.body, b"ok");
    let log = server.requests_for("/f");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].target, "/f?appVersion=9.0.0&appType=ENGINE");
    assert_eq!(log[0].query_param("appType"), Some("ENGINE"));
}

#[test]
fn matches_percent_encoded_paths() {
    let server = FakeServer::start();
    server.file("/My Plugin.jar", b"jar".to_vec());
    assert_eq!(get(server.addr(), "/My%20Plugin.jar").body, b"jar");
    assert_eq!(server.count("/My Plugin.jar"), 1);
}

#[test]
fn logs_method_and_lowercased_headers_in_order() {
    let server = FakeServer::start();
    request(server.addr(), "GET", "/p", &[("apiKey", "secret"), ("User-Agent", "t/1"), ("X-Dup", "1"), ("x-dup", "2")]);
    let entry = &server.requests()[0];
    assert_eq!(entry.method, "GET");
    assert_eq!(entry.status, 404);
    assert_eq!(entry.fault, None);
    let names: Vec<&str> = entry.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["host", "apikey", "user-agent", "x-dup", "x-dup"]);
    assert_eq!(entry.header("APIKEY"), Some("secret"));
}

#[test]
fn head_sends_the_length_without_a_body() {
    let server = FakeServer::start();
    server.file("/f", pattern(1000));
    let r = request(server.addr(), "HEAD", "/f", &[]);
    assert_eq!(r.content_length(), 1000);
    assert!(r.body.is_empty());
}

#[test]
fn route_fn_sees_the_request() {
    let server = FakeServer::start();
    server.route_fn("/echo", |req| {
        Response::text(200, format!("{} {}", req.method, req.header("x-a").unwrap_or("-"))).header("X-Seen", "yes")
    });
    let r = request(server.addr(), "POST", "/echo", &[("X-A", "b")]);
    assert_eq!(r.text(), "POST b");
    assert_eq!(r.header("x-seen"), Some("yes"));
}

#[test]
fn reads_a_request_body_and_logs_its_length() {
    let server = FakeServer::start();
    server.status("/up", 201, "");
    let raw = "PUT /up HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    let r = send_raw(server.addr(), raw.as_bytes(), Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(server.requests()[0].body_len, 3);
}

#[test]
fn garbage_gets_400_and_is_not_logged() {
    let server = FakeServer::start();
    let r = send_raw(server.addr(), b"NOT HTTP\r\n\r\n", Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(server.total(), 0);
}

// --- faults -----------------------------------------------------------------

#[test]
fn fail_times_answers_the_status_n_times_then_the_route() {
    let server = FakeServer::start();
    server.file("/f", b"body".to_vec());
    server.fail_times("/f", 2, 503);
    assert_eq!(get(server.addr(), "/f").status, 503);
    assert_eq!(get(server.addr(), "/f").status, 503);
    let ok = get(server.addr(), "/f");
    assert_eq!((ok.status, ok.body.as_slice()), (200, &b"body"[..]));
    let statuses: Vec<(u16, Option<String>)> = server.requests().into_iter().map(|e| (e.status, e.fault)).collect();
    assert_eq!(statuses, [(503, Some("status 503".to_owned())), (503, Some("status 503".to_owned())), (200, None)]);
}

#[test]
fn retry_after_answers_429_with_the_header() {
    let server = FakeServer::start();
    server.file("/f", b"body".to_vec());
    server.retry_after("/f", 1, 7);
    let limited = get(server.addr(), "/f");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(get(server.addr(), "/f").status, 200);
}

#[test]
fn drop_mid_body_sends_fewer_bytes_than_promised() {
    let server = FakeServer::start();
    let body = pattern(100_000);
    server.file("/f", body.clone());
    server.drop_mid_body("/f", 1, 1234);
    let cut = get(server.addr(), "/f");
    assert_eq!(cut.status, 200);
    assert_eq!(cut.content_length(), 100_000);
    assert_eq!(cut.body, &body[..1234]);
    assert_eq!(server.requests()[0].fault.as_deref(), Some("drop-mid-body 1234"));
    assert_eq!(get(server.addr(), "/f").body, body);
}

#[test]
fn truncate_promises_more_than_it_sends() {
    let server = FakeServer::start();
    server.file("/f", pattern(500));
    server.truncate("/f", 1);
    let r = get(server.addr(), "/f");
    assert_eq!(r.content_length(), 500 + TRUNCATE_OVERCLAIM);
    assert_eq!(r.body, pattern(500));
    assert_eq!(get(server.addr(), "/f").content_length(), 500);
}

#[test]
fn stall_outlasts_a_client_timeout_then_answers_normally() {
    let server = FakeServer::start();
    server.file("/f", b"late".to_vec());
    server.stall("/f", 1, Duration::from_secs(3));
    let raw = b"GET /f HTTP/1.1\r\n\r\n";
    let started = Instant::now();
    let err = send_raw(server.addr(), raw, Duration::from_millis(200)).err().expect("the stalled request times out");
    assert!(matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
    assert!(started.elapsed() < Duration::from_secs(2));
    // The request was read (and logged) before the stall.
    assert_eq!(server.requests_for("/f")[0].fault.as_deref(), Some("stall 3000ms"));
    assert_eq!(get(server.addr(), "/f").body, b"late");
}

#[test]
fn stall_delays_the_response() {
    let server = FakeServer::start();
    server.file("/f", b"x".to_vec());
    server.stall("/f", 1, Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(get(server.addr(), "/f").body, b"x");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn latency_delays_every_response() {
    let server = FakeServer::start();
    server.file("/f", b"x".to_vec());
    server.latency(Duration::from_millis(150));
    for _ in 0..2 {
        let started = Instant::now();
        get(server.addr(), "/f");
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
    server.latency(Duration::ZERO);
    let started = Instant::now();
    get(server.addr(), "/f");
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[test]
fn faults_on_one_path_run_in_the_order_added() {
    let server = FakeServer::start();
    server.file("/f", pattern(10));
    server.fail_times("/f", 1, 500);
    server.retry_after("/f", 1, 1);
    server.drop_mid_body("/f", 1, 3);
    server.fail_times("/other", 1, 500);
    assert_eq!(get(server.addr(), "/f").status, 500);
    assert_eq!(get(server.addr(), "/f").status, 429);
    assert_eq!(get(server.addr(), "/f").body.len(), 3);
    assert_eq!(get(server.addr(), "/f").body.len(), 10);
    server.clear_faults();
    assert_eq!(get(server.addr(), "/other").status, 404);
}

#[test]
fn faults_apply_to_paths_without_a_route() {
    let server = FakeServer::start();
    server.fail_times("/missing", 1, 502);
    assert_eq!(get(server.addr(), "/missing").status, 502);
    assert_eq!(get(server.addr(), "/missing").status, 404);
}

// --- files on disk ------------------------------------------------------------

#[test]
fn streams_a_file_from_disk() {
    let dir = TempDir::new();
    let path = dir.path().join("big.bin");
    let body = pattern(3 * 64 * 1024 + 17);
    std::fs::write(&path, &body).unwrap();
    let server = FakeServer::start();
    server.file_from_disk("/big.bin", &path);
    let r = get(server.addr(), "/big.bin");
    assert_eq!(r.content_length(), body.len() as u64);
    assert_eq!(r.body, body);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
}

#[test]
fn drop_mid_body_cuts_a_file_from_disk() {
    let dir = TempDir::new();
    let path = dir.path().join("big.bin");
    let body = pattern(200_000);
    std::fs::write(&path, &body).unwrap();
    let server = FakeServer::start();
    server.file_from_disk("/big.bin", &path);
    server.drop_mid_body("/big.bin", 1, 70_000);
    let r = get(server.addr(), "/big.bin");
    assert_eq!(r.content_length(), 200_000);
    assert_eq!(r.body, &body[..70_000]);
}

#[test]
fn a_missing_file_on_disk_is_a_500() {
    let dir = TempDir::new();
    let server = FakeServer::start();
    server.file_from_disk("/nope", dir.path().join("nope"));
    assert_eq!(get(server.addr(), "/nope").status, 500);
}

// --- concurrency and shutdown -------------------------------------------------

#[test]
fn a_stalled_connection_does_not_block_others() {
    let server = FakeServer::start();
    server.file("/slow", b"s".to_vec());
    server.file("/fast", b"f".to_vec());
    server.stall("/slow", 1, Duration::from_secs(2));
    let addr = server.addr();
    let slow = thread::spawn(move || get(addr, "/slow"));
    // Let the slow request arrive first.
    while server.count("/slow") == 0 {
        thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    assert_eq!(get(addr, "/fast").body, b"f");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(slow.join().unwrap().body, b"s");
}

#[test]
fn many_concurrent_requests_are_all_served_and_logged() {
    let server = FakeServer::start();
    server.file("/f", pattern(10_000));
    let addr = server.addr();
    let clients: Vec<_> = (0..16).map(|i| thread::spawn(move || get(addr, &format!("/f?i={i}")).body.len())).collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), 10_000);
    }
    assert_eq!(server.count("/f"), 16);
    assert_eq!(server.total(), 16);
}

#[test]
fn dropping_the_server_stops_listening_and_cuts_stalls_short() {
    let server = FakeServer::start();
    let addr = server.addr();
    server.file("/f", b"x".to_vec());
    server.stall("/f", 1, Duration::from_secs(30));
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled.write_all(b"GET /f HTTP/1.1\r\n\r\n").unwrap();
    while server.count("/f") == 0 {
        thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    drop(server);
    assert!(TcpStream::connect(addr).is_err(), "still listening after drop");
    // The stalled connection is closed without an answer, promptly.
    stalled.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    assert!(rest.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

// --- the log ----------------------------------------------------------------

#[test]
fn counts_and_filters_the_log() {
    let server = FakeServer::start();
    server.file("/a", b"a".to_vec());
    get(server.addr(), "/a");
    get(server.addr(), "/a?x=1");
    get(server.addr(), "/b");
    assert_eq!(server.count("/a"), 2);
    assert_eq!(server.count("a"), 2);
    assert_eq!(server.count("/b"), 1);
    assert_eq!(server.total(), 3);
    assert_eq!(server.requests_for("/a").len(), 2);
    server.clear_log();
    assert_eq!(server.total(), 0);
}

#[test]
fn writes_the_log_as_json() {
    let dir = TempDir::new();
    let server = FakeServer::start();
    request(server.addr(), "GET", "/x?q=1", &[("Authorization", "token t")]);
    let file = dir.path().join("log.json");
    server.write_log(&file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let entries: Vec<RecordedRequest> = serde_json::from_str(&text).unwrap();
    assert_eq!(entries, server.requests());
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw[0]["target"], "/x?q=1");
    assert_eq!(raw[0]["headers"][1], json!(["authorization", "token t"]));
}

#[test]
fn autosave_rewrites_the_log_after_every_request() {
    let dir = TempDir::new();
    let file = dir.path().join("log.json");
    let server = FakeServer::start();
    server.autosave_log(&file).unwrap();
    let read = || -> Vec<RecordedRequest> { serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap() };
    assert!(read().is_empty());
    get(server.addr(), "/one");
    assert_eq!(read().len(), 1);
    get(server.addr(), "/two");
    assert_eq!(read()[1].path, "/two");
}
