//! TLS against a real local HTTPS server with a throwaway CA: an untrusted
//! certificate fails at once (no retries) with the SSL_CERT_FILE hint, and
//! SSL_CERT_FILE makes the same download work.

use crate::support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use support::{Fixture, SENTINEL, keyword_jar, sha256_hex};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl is installed");
    assert!(status.status.success(), "openssl {args:?}\n{}", crate::support::report(&status));
}

/// A CA and a server certificate for 127.0.0.1, in `dir`.
fn make_ca(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=katalon-prep test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

struct Https {
    child: Child,
    port: String,
}

impl Drop for Https {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(tls: &Path, www: &Path) -> Https {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/https-server.py");
    let mut server = Https {
        child: Command::new("python3")
            .arg(script)
            .args(["--dir".as_ref(), www.as_os_str()])
            .args(["--cert".as_ref(), tls.join("server.pem").as_os_str()])
            .args(["--key".as_ref(), tls.join("server.key").as_os_str()])
            .args(["--port-file".as_ref(), tls.join("port").as_os_str()])
            .args(["--log".as_ref(), tls.join("requests.log").as_os_str()])
            .args(["--lifetime", "120"])
            .spawn()
            .expect("python3"),
        port: String::new(),
    };
    // From here on, dropping `server` (even by a failed assertion) stops it.
    let started = Instant::now();
    loop {
        if let Ok(port) = std::fs::read_to_string(tls.join("port"))
            && !port.trim().is_empty()
        {
            server.port = port.trim().to_string();
            return server;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "HTTPS server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn setup() -> (Fixture, Https) {
    let f = Fixture::project();
    std::fs::create_dir_all(f.path("tls")).unwrap();
    make_ca(&f.path("tls"));
    let jar = keyword_jar("Tls");
    f.write("www/tls-1.0.jar", &jar);
    let server = serve(&f.path("tls"), &f.path("www"));
    f.config(&format!(
        "plugins:\n  - url: https://127.0.0.1:{}/tls-1.0.jar\n    sha256: {}\n",
        server.port,
        sha256_hex(&jar)
    ));
    (f, server)
}

#[test]
fn untrusted_certificate_fails_at_once_with_the_ssl_cert_file_hint() {
    let (f, _server) = setup();
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .arg("prepare")
        .assert()
        .code(20)
        .stderr(predicate::str::contains("is not trusted"))
        .stderr(predicate::str::contains("hint: if your network inspects TLS, give its CA bundle with SSL_CERT_FILE"))
        .stderr(predicate::str::contains("retrying").not());
    assert!(!f.path("Plugins").exists());
}

#[test]
fn ssl_cert_file_adds_a_trusted_ca() {
    let (f, _server) = setup();
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("SSL_CERT_FILE", f.path("tls/ca.pem"))
        .arg("prepare")
        .assert()
        .success();
    assert!(f.path("Plugins/tls-1.0.jar").is_file());
}

#[test]
fn unreadable_ssl_cert_file_is_a_usage_error() {
    let (f, _server) = setup();
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("SSL_CERT_FILE", f.path("tls/nope.pem"))
        .arg("prepare")
        .assert()
        .code(10)
        .stderr(predicate::str::contains("Could not read the CA bundle in SSL_CERT_FILE"));
}
