//! The `katalon-prep-fake` process as the benchmark uses it: URL on the
//! first stdout line, files under `--dir` served, Store wired from a
//! manifest, the log readable after the process is killed.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use crate::common::{TempDir, get, pattern, request};
use katalon_prep_fakes::RecordedRequest;

const BIN: &str = env!("CARGO_BIN_EXE_katalon-prep-fake");

/// Kills the child even when an assertion fails first.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(BIN).args(args).stdout(Stdio::piped()).spawn().expect("spawn katalon-prep-fake");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    (running, line.trim_end().to_owned())
}

fn addr_of(url: &str) -> SocketAddr {
    url.strip_prefix("http://").unwrap().parse().unwrap()
}

#[test]
fn serves_a_directory_and_the_store_and_leaves_a_log_when_killed() {
    let dir = TempDir::new();
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("sub")).unwrap();
    std::fs::write(files.join("kre.tar.gz"), pattern(200_000)).unwrap();
    std::fs::write(files.join("sub").join("p.zip"), b"zip").unwrap();
    let manifest = dir.path().join("store.json");
    std::fs::write(
        &manifest,
        r#"[{"id": 1, "product_id": 10, "name": "P", "version": "2.0", "download_url": "/sub/p.zip"}]"#,
    )
    .unwrap();
    let log = dir.path().join("log.json");

    let (mut running, url) = spawn(&[
        "serve",
        "--dir",
        files.to_str().unwrap(),
        "--latency-ms=1",
        "--store-key",
        "key-1",
        "--store-manifest",
        manifest.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let addr = addr_of(&url);

    assert_eq!(get(addr, "/kre.tar.gz").body, pattern(200_000));
    assert_eq!(get(addr, "/sub/p.zip").body, b"zip");
    let store = request(addr, "GET", "/api/products/ks?appType=ENGINE", &[("apiKey", "key-1")]);
    assert_eq!(store.json()[0]["download_url"], format!("{url}/sub/p.zip"));

    running.0.kill().unwrap();
    running.0.wait().unwrap();
    let entries: Vec<RecordedRequest> = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let targets: Vec<&str> = entries.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["/kre.tar.gz", "/sub/p.zip", "/api/products/ks?appType=ENGINE"]);
}

#[test]
fn binds_the_requested_port() {
    let dir = TempDir::new();
    // Find a free port, release it, ask for it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (_running, url) = spawn(&["serve", "--dir", dir.path().to_str().unwrap(), "--port", &port.to_string()]);
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    for args in [
        &["serve"][..],
        &["serve", "--dir", ".", "--store-key", "k"],
        &["serve", "--dir", ".", "--port", "x"],
        &["bogus"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("Usage: katalon-prep-fake serve"), "{stderr}");
    }
}
