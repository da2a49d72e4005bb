//! Shared test helpers: the real binary with a clean environment, a copy of
//! a fixture Katalon project in a temp dir, a sentinel key, and a fake
//! `katalonc` that records its argv and exits with a chosen code.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A key that must never show up anywhere but in katalonc's argv.
pub const SENTINEL: &str = "sentinel-KEY-7d41c0e9b2";

/// Environment variables that would change what the binary does.
const ISOLATE: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "RUNNER_OS",
    "KATALON_API_KEY",
    "KATALON_API_KEY_FILE",
    "INPUT_API-KEY",
    "INPUT_API_KEY",
    "KATALON_PREP_API_KEY_ENV",
    "KATALON_PREP_CACHE_DIR",
    "KATALONC",
    "RUST_LOG",
];

/// A copy of `tests/fixtures/<name>` in a temp dir.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// The `shop` project: Katalon 7.9.1 → 8.0.5, suites in nested folders,
    /// a SEQUENTIAL and a PARALLEL collection (with disabled entries), two
    /// profiles with global variables, a custom execution configuration.
    pub fn shop() -> Project {
        Project::fixture("shop")
    }

    pub fn fixture(name: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        copy_dir(&from, dir.path());
        // Docker and Compose secrets must not leak in from the host.
        std::fs::create_dir_all(dir.path().join(".secrets")).expect("secrets dir");
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `katalon-prep.yml`.
    pub fn config(&self, yaml: &str) -> &Project {
        self.write("katalon-prep.yml", yaml)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Project {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_default()
    }

    /// The binary, run in the project with a clean environment and no key.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("katalon-prep").expect("binary");
        for var in ISOLATE {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.path())
            .env("KATALON_PREP_SECRETS_DIR", self.join(".secrets"))
            .env("KATALON_PREP_CACHE_DIR", self.join(".cache"))
            .env("NO_COLOR", "1");
        cmd
    }

    /// [`Project::cmd`] with the sentinel key in `KATALON_API_KEY`.
    pub fn cmd_with_key(&self) -> Command {
        let mut cmd = self.cmd();
        cmd.env("KATALON_API_KEY", SENTINEL);
        cmd
    }

    /// Installs a fake katalonc at `bin/<name>` and returns its path. It
    /// writes its arguments, one per line, to `fake/argv`, prints one line to
    /// stdout and one to stderr, then exits with `$FAKE_CODE` (default 0).
    /// With `$FAKE_SLEEP` it first writes `fake/started` and waits, writing the
    /// signal it receives (TERM or INT) to `fake/signal` and exiting 143/130.
    pub fn fake_katalonc(&self, name: &str) -> PathBuf {
        let fake = self.join("fake");
        std::fs::create_dir_all(&fake).expect("fake dir");
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
            out = fake.display()
        );
        let bin = self.join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        let path = bin.join(name);
        std::fs::write(&path, script).expect("write fake katalonc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        path
    }

    /// The argv the fake katalonc received, `None` when it never ran.
    pub fn katalonc_argv(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.join("fake/argv")).ok()?;
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

/// stdout of a finished command, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of a finished command, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
