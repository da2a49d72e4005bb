//! Shared test support: the real binary with a clean environment, fixture
//! Katalon projects on disk, and real jars and zips built in memory.
//!
//! Every story module of the `it` test binary uses it as `crate::support`.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A key that must never show up where it is not allowed.
pub const SENTINEL: &str = "SENTINEL-kp-5f3a9c1e7b2d4086";

/// The binary, with every variable that could change its behaviour removed
/// and `HOME`/secrets pointed into `root`.
pub fn bin(root: &Path) -> Command {
    Command::from_std(bin_std(root))
}

/// [`bin`] as a plain `std::process::Command`, for runs that are spawned,
/// raced or killed.
pub fn bin_std(root: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_katalon-prep"));
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("KATALON")
            || k.starts_with("GITHUB_")
            || k.starts_with("INPUT_")
            || k.starts_with("RUNNER_")
            || k == "XDG_CACHE_HOME"
            || k == "RUST_LOG"
            || k == "DISPLAY"
            || k == "XAUTHORITY"
            || k == "SSL_CERT_FILE"
            || k.ends_with("_PROXY")
            || k.ends_with("_proxy")
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", root.join("home"))
        .env("KATALON_PREP_SECRETS_DIR", root.join("no-secrets"))
        .env("KATALON_PREP_CACHE_DIR", root.join("cache"))
        .env("NO_COLOR", "1")
        .current_dir(root);
    cmd
}

/// A temp dir holding a Katalon project and a config.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// An empty temp dir.
    pub fn empty() -> Fixture {
        Fixture { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// A realistic project at the root: `Demo.prj`, suites `Smoke`,
    /// `Regression/Checkout`, collection `Nightly`, profiles `default` and `staging`.
    pub fn project() -> Fixture {
        let f = Fixture::empty();
        f.add_project(".");
        f
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, content).expect("write");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn config(&self, yaml: &str) -> PathBuf {
        self.write("katalon-prep.yml", yaml)
    }

    /// Writes a project in folder `rel`.
    pub fn add_project(&self, rel: &str) {
        let at = |p: &str| format!("{rel}/{p}");
        self.write(&at("Demo.prj"), PRJ);
        self.write(&at("Test Suites/Smoke.ts"), suite("Smoke"));
        self.write(&at("Test Suites/Regression/Checkout.ts"), suite("Checkout"));
        self.write(&at("Test Suites/Nightly.ts"), COLLECTION);
        self.write(&at("Profiles/default.glbl"), profile("default", &["baseUrl"]));
        self.write(&at("Profiles/staging.glbl"), profile("staging", &["baseUrl", "timeoutSeconds"]));
    }

    /// The binary run in this fixture.
    pub fn cmd(&self) -> Command {
        bin(self.root())
    }

    /// `prepare` with the sentinel key.
    pub fn prepare(&self) -> Command {
        let mut c = self.cmd();
        c.env("KATALON_API_KEY", SENTINEL).arg("prepare");
        c
    }

    /// Every file under the fixture, for secret scans.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.root().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Panics if any file under the fixture contains `needle`.
    pub fn assert_no_file_contains(&self, needle: &str, except: &[&Path]) {
        for f in self.all_files() {
            if except.iter().any(|e| *e == f) {
                continue;
            }
            let bytes = std::fs::read(&f).unwrap_or_default();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{} contains the secret",
                f.display()
            );
        }
    }
}

pub const PRJ: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Project>
   <description></description>
   <name>Demo</name>
   <tag></tag>
   <UUID>6f1d2c1e-8b7a-4e0b-9d52-0c7f3b0f7a11</UUID>
   <createdVersion>8.6.0</createdVersion>
   <modifiedVersion>9.7.2</modifiedVersion>
   <pageLoadTimeout>30</pageLoadTimeout>
   <type>WEBUI</type>
</Project>
"#;

pub fn suite(name: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TestSuiteEntity>
   <description></description>
   <name>{name}</name>
   <tag></tag>
   <isRerun>false</isRerun>
   <numberOfRerun>0</numberOfRerun>
   <pageLoadTimeout>30</pageLoadTimeout>
   <testSuiteGuid>00000000-0000-4000-8000-000000000000</testSuiteGuid>
</TestSuiteEntity>
"#
    )
}

pub const COLLECTION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TestSuiteCollectionEntity>
   <description></description>
   <name>Nightly</name>
   <tag></tag>
   <executionMode>SEQUENTIAL</executionMode>
   <maxConcurrentInstances>4</maxConcurrentInstances>
   <testSuiteRunConfigurations>
      <TestSuiteRunConfiguration>
         <configuration>
            <groupName>Web Desktop</groupName>
            <profileName>default</profileName>
            <runConfigurationId>Chrome</runConfigurationId>
         </configuration>
         <runEnabled>true</runEnabled>
         <testSuiteEntity>Test Suites/Smoke</testSuiteEntity>
      </TestSuiteRunConfiguration>
   </testSuiteRunConfigurations>
</TestSuiteCollectionEntity>
"#;

pub fn profile(name: &str, vars: &[&str]) -> String {
    let vars: String = vars
        .iter()
        .map(|v| format!("   <GlobalVariableEntity>\n      <description></description>\n      <initValue>''</initValue>\n      <name>{v}</name>\n   </GlobalVariableEntity>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GlobalVariableEntities>\n   <description></description>\n   <name>{name}</name>\n   <tag></tag>\n   <defaultProfile>{}</defaultProfile>\n{vars}</GlobalVariableEntities>\n",
        name == "default"
    )
}

/// A zip with the given entries, in memory.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            w.start_file(*name, opts).expect("zip entry");
            w.write_all(bytes).expect("zip write");
        }
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// A keyword plugin jar (`Keywords/katalon-plugin.json`).
pub fn keyword_jar(class: &str) -> Vec<u8> {
    zip(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n"),
        ("Keywords/katalon-plugin.json", format!("{{\"keywords\":[\"{class}\"]}}").as_bytes()),
        ("com/example/K.class", class.as_bytes()),
    ])
}

/// A keyword jar padded with `len` incompressible bytes (for transfer tests).
pub fn big_keyword_jar(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    zip(&[("Keywords/katalon-plugin.json", b"{\"keywords\":[]}"), ("noise.bin", &noise)])
}

/// A platform (OSGi) plugin jar.
pub fn platform_jar(symbolic: &str) -> Vec<u8> {
    let manifest = format!(
        "Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\nBundle-SymbolicName: {symbolic};singleton:=true\r\nBundle-Version: 1.0.0\r\n\r\n"
    );
    zip(&[("META-INF/MANIFEST.MF", manifest.as_bytes()), ("plugin.xml", b"<plugin/>")])
}

/// A jar that is neither kind.
pub fn plain_jar() -> Vec<u8> {
    zip(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n"), ("a/B.class", b"x")])
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    katalon_prep::digest::Sha256::of(bytes).hex()
}

/// A zip whose single entry is named `name` (e.g. `../evil.jar`), written
/// byte by byte so that no library sanitises the name.
pub fn zip_with_raw_name(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let mut out = Vec::new();
    let local_at = 0u32;
    out.extend_from_slice(&0x04034b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // stored
    out.extend_from_slice(&0u32.to_le_bytes()); // time/date
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    let cd_at = out.len() as u32;
    out.extend_from_slice(&0x02014b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // made by
    out.extend_from_slice(&20u16.to_le_bytes()); // needed
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
    out.extend_from_slice(&0u32.to_le_bytes()); // external attrs
    out.extend_from_slice(&local_at.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let cd_len = out.len() as u32 - cd_at;
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Splits a shell line as a POSIX shell would (for checking our quoting):
/// the real `sh` where there is one; on Windows, katalon-prep's own POSIX
/// splitter (tested against `sh` on Unix).
#[cfg(not(unix))]
pub fn shell_split(line: &str) -> Vec<String> {
    katalon_prep::katalonc::split::split(line).expect("a POSIX line").words.into_iter().map(|w| w.text).collect()
}

/// Splits a shell line as a POSIX shell would (for checking our quoting).
#[cfg(unix)]
pub fn shell_split(line: &str) -> Vec<String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("set -f; for a in {line}; do printf '%s\\0' \"$a\"; done"))
        .output()
        .expect("sh");
    crate::support::assert_success(&out);
    // Every word ends with a NUL; empty words are words too.
    let mut words: Vec<String> =
        out.stdout.split(|b| *b == 0).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
    words.pop();
    words
}

/// `len` incompressible bytes, the same for the same `seed`.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A zip whose single entry `name` is a symbolic link to `target` (Unix mode
/// in the external attributes, as `zip --symlinks` writes it).
pub fn zip_with_symlink(name: &str, target: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("real.jar", opts).expect("zip entry");
        w.write_all(&keyword_jar("Real")).expect("zip write");
        w.add_symlink(name, target, opts).expect("zip symlink");
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// stdout of a finished command, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of a finished command, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

impl Fixture {
    /// A copy of the project in `tests/fixtures/<name>` at the root.
    pub fn copy_of(name: &str) -> Fixture {
        let f = Fixture::empty();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), f.root());
        f
    }

    /// `tests/fixtures/shop`: Katalon 7.9.1 saved by 8.0.5, suites in nested
    /// folders, a SEQUENTIAL and a PARALLEL collection (with disabled
    /// entries), a device collection, two profiles with global variables, a
    /// custom execution configuration (`Chrome Grid`).
    pub fn shop() -> Fixture {
        Fixture::copy_of("shop")
    }

    /// [`Fixture::cmd`] with [`SENTINEL`] in `KATALON_API_KEY`.
    pub fn cmd_with_key(&self) -> Command {
        let mut cmd = self.cmd();
        cmd.env("KATALON_API_KEY", SENTINEL);
        cmd
    }

    /// Installs a fake katalonc at `bin/<name>` and returns its path. It
    /// writes its arguments, one per line, to `fake/argv`, prints a line to
    /// stdout and one to stderr, then exits with `$FAKE_CODE` (default 0).
    /// With `$FAKE_SLEEP` it first writes `fake/started` and waits, writing
    /// the signal it gets (TERM or INT) to `fake/signal` and exiting 143/130.
    /// On Windows it is `bin/<name>.exe`, the compiled fake (no `$FAKE_SLEEP`).
    pub fn fake_katalonc(&self, name: &str) -> PathBuf {
        let out = self.path("fake");
        std::fs::create_dir_all(&out).expect("fake dir");
        let script = format!(
            r#"#!/bin/sh
out='{out}'
: > "$out/argv"
for a in "$@"; do printf '%s\n' "$a" >> "$out/argv"; done
echo "fake katalonc: stdout line"
echo "fake katalonc: stderr line" >&2
if [ -n "$FAKE_SLEEP" ]; then
  trap 'echo TERM > "$out/signal"; kill $child 2>/dev/null; exit 143' TERM
  trap 'echo INT > "$out/signal"; kill $child 2>/dev/null; exit 130' INT
  sleep "$FAKE_SLEEP" &
  child=$!
  echo started > "$out/started"
  wait $child
fi
exit "${{FAKE_CODE:-0}}"
"#,
            out = out.display()
        );
        #[cfg(unix)]
        {
            let path = self.write(&format!("bin/{name}"), script);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            path
        }
        #[cfg(not(unix))]
        {
            // The compiled fake (tests/tools/fake_katalonc.rs) does what the script does.
            let _ = script;
            let exe =
                if name.to_ascii_lowercase().ends_with(".exe") { name.to_string() } else { format!("{name}.exe") };
            let path = self.path(&format!("bin/{exe}"));
            std::fs::create_dir_all(self.path("bin")).expect("bin dir");
            std::fs::copy(fake_katalonc_exe(), &path).expect("copy the fake katalonc");
            path
        }
    }

    /// The argv the fake katalonc received, `None` when it never ran.
    pub fn katalonc_argv(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.path("fake/argv")).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

/// Serves `bytes` at `/<name>` and returns the config entry pinning them.
pub fn url_plugin(server: &katalon_prep_fakes::FakeServer, name: &str, bytes: &[u8]) -> String {
    server.file(&format!("/{name}"), bytes.to_vec());
    format!("  - url: {}/{name}\n    sha256: {}\n", server.url(), sha256_hex(bytes))
}

/// `path` (written with `/`) as katalon-prep displays it on this platform:
/// with `\` on Windows.
pub fn native(path: &str) -> String {
    path.replace('/', std::path::MAIN_SEPARATOR_STR)
}

/// Removes a folder the way a user would, read-only cache files included
/// (Windows refuses to delete those as they are).
pub fn remove_tree(dir: &Path) -> std::io::Result<()> {
    katalon_prep::fsutil::remove_tree(dir)
}

/// The compiled fake katalonc (example `fake_katalonc`, built by `cargo test`
/// beside this test binary).
#[cfg(not(unix))]
pub fn fake_katalonc_exe() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let debug = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
    let fake = debug.join("examples").join(format!("fake_katalonc{}", std::env::consts::EXE_SUFFIX));
    assert!(fake.is_file(), "{} is missing: build it with `cargo test` (or `cargo build --examples`)", fake.display());
    fake
}

/// `text` with [`SENTINEL`] replaced by `[SENTINEL]`: what a failing
/// assertion may print, so that a leak shows where it is without the test
/// log holding the key.
pub fn redact_key(text: &str) -> String {
    text.replace(SENTINEL, "[SENTINEL]")
}

/// A finished run as a failing assertion shows it: the exit code, stdout and
/// stderr, with the key redacted.
pub fn report(out: &std::process::Output) -> String {
    format!(
        "exit code: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        redact_key(&stdout(out)),
        redact_key(&stderr(out))
    )
}

/// Panics with the run's [`report`] unless it exited 0.
#[track_caller]
pub fn assert_success(out: &std::process::Output) {
    assert!(out.status.success(), "the run failed\n{}", report(out));
}

/// Panics with the run's [`report`] unless it exited with `code`.
#[track_caller]
pub fn assert_code(out: &std::process::Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "unexpected exit code\n{}", report(out));
}

/// A run as a snapshot holds it: the exit code, then stdout and stderr, with
/// `root` (the fixture's temp dir, as given and canonical) written `[ROOT]`
/// and the path that follows it written with `/` on every platform. Panics
/// if the key is anywhere in the run's output: a snapshot never holds it,
/// not even redacted.
pub fn transcript(root: &Path, out: &std::process::Output) -> String {
    let (stdout, stderr) = (stdout(out), stderr(out));
    assert!(!stdout.contains(SENTINEL) && !stderr.contains(SENTINEL), "the key is in the output\n{}", report(out));
    let code = out.status.code().map_or_else(|| "none (killed by a signal)".to_string(), |c| c.to_string());
    let mut text = format!("exit code: {code}\n----- stdout -----\n{stdout}----- stderr -----\n{stderr}");
    let mut roots = vec![root.to_path_buf()];
    roots.extend(root.canonicalize().ok());
    for root in roots {
        text = text.replace(&root.display().to_string(), "[ROOT]");
    }
    let mut parts = text.split("[ROOT]");
    let mut joined = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let end = part.find(|c: char| c.is_whitespace() || matches!(c, '`' | '\'' | '"' | ')')).unwrap_or(part.len());
        joined.push_str("[ROOT]");
        joined.push_str(&part[..end].replace('\\', "/"));
        joined.push_str(&part[end..]);
    }
    joined
}

/// What differs between a Unix and a Windows run of the same command: the
/// binary's file name in clap's usage lines and the system's wording of a
/// missing file (Windows' and Wine's).
pub fn platform_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"katalon-prep\.exe\b", "katalon-prep");
    settings.add_filter(r"The system cannot find the (file|path) specified\.", "No such file or directory");
    // Wine's wording of the same error (Windows tests run under Wine in CI).
    settings.add_filter(r"File not found\.", "No such file or directory");
    settings
}

/// The insta settings of every snapshot of a run: [`platform_settings`],
/// the ports of the local fake servers and the measured time of a run
/// (`in 0.10 s`), which vary from run to run, and on Windows the path
/// separator (`Plugins\foo.jar`, JSON's `Plugins\\foo.jar`). Nothing else is
/// redacted, so that wording and order show in the snapshot's diff.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = platform_settings();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.add_filter(r"\bin \d+(\.\d+)? ?m?s\b", "in [TIME]");
    if cfg!(windows) {
        settings.add_filter(r"\\\\|\\", "/");
    }
    settings
}

/// Snapshots a run of `fixture` (its [`transcript`]) under the test's name,
/// or under `name`, with [`snapshot_settings`].
macro_rules! assert_run_snapshot {
    ($fixture:expr, $out:expr) => {
        $crate::support::snapshot_settings()
            .bind(|| insta::assert_snapshot!($crate::support::transcript($fixture.root(), &$out)))
    };
    ($name:expr, $fixture:expr, $out:expr) => {
        $crate::support::snapshot_settings()
            .bind(|| insta::assert_snapshot!($name, $crate::support::transcript($fixture.root(), &$out)))
    };
}
pub(crate) use assert_run_snapshot;

/// Panics with the run's [`report`] unless `check` ran to the end of its
/// lint: exit 0 (no error found) or 13 (errors found), and its count line
/// (`3 errors, 0 warnings, 1 note`) on stdout or stderr. A test asserting
/// that a finding or a secret is absent calls it first, so that a run that
/// failed before linting cannot pass.
#[track_caller]
pub fn assert_linted(out: &std::process::Output) {
    let counts = |line: &str| {
        let parts: Vec<&str> = line.split(", ").collect();
        parts.len() == 3
            && parts.iter().zip(["error", "warning", "note"]).all(|(part, noun)| {
                part.split_once(' ')
                    .is_some_and(|(n, word)| n.parse::<u32>().is_ok() && word.trim_end_matches('s') == noun)
            })
    };
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(
        matches!(out.status.code(), Some(0 | 13)) && all.lines().any(counts),
        "check did not finish its lint\n{}",
        report(out)
    );
}

/// The pipeline stages a `-v` run's stderr shows, in the order they ended:
/// the names of the tracing spans as they close.
pub fn closed_spans(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(" close "))
        .filter_map(|l| l.split_whitespace().find(|w| w.ends_with(':')))
        .map(|w| w.trim_end_matches(':'))
        .collect()
}

/// Runs `cmd` to completion. On Windows a failure to *start* it is tried
/// again (twice at most): Wine, which runs these tests in CI, now and then
/// fails CreateProcess with ERROR_INTERNAL_ERROR (1359) under load. Only the
/// start is retried; what the run does is the test's business. The command
/// is not printed: its environment can hold the sentinel key.
pub fn output_of(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let mut tries = 0;
    loop {
        match cmd.output() {
            Ok(out) => return out,
            Err(e) if cfg!(windows) && tries < 2 => {
                tries += 1;
                eprintln!("could not start the command ({e}); trying again");
            }
            Err(e) => panic!("could not start the command: {e}"),
        }
    }
}
