//! The emitted katalonc line: order, quoting, formats, paths.

use crate::support;

use predicates::prelude::*;
use support::{Fixture, SENTINEL, shell_split};

const FULL: &str = r#"run:
  test-suite: Test Suites/Smoke
  browser: Chrome (headless)
  profile: staging
  retry: 1
  report-folder: reports
  globals:
    timeoutSeconds: 60
    baseUrl: "https://staging.example.com/a b?x=1&y='2'"
  args: ["-statusDelay=30"]
  config:
    webui.autoUpdateDrivers: true
"#;

fn expected(prefix: &str) -> Vec<String> {
    [
        "-noSplash".to_string(),
        "-runMode=console".into(),
        format!("-projectPath={prefix}Demo.prj"),
        "-testSuitePath=Test Suites/Smoke".into(),
        "-browserType=Chrome (headless)".into(),
        "-executionProfile=staging".into(),
        "-retry=1".into(),
        format!("-reportFolder={prefix}reports"),
        "-g_baseUrl=https://staging.example.com/a b?x=1&y='2'".into(),
        "-g_timeoutSeconds=60".into(),
        "-statusDelay=30".into(),
        format!("-apiKey={SENTINEL}"),
        "--config".into(),
        "-webui.autoUpdateDrivers=true".into(),
    ]
    .to_vec()
}

#[test]
fn shell_line_splits_back_into_the_documented_order() {
    let f = Fixture::project();
    f.config(FULL);
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line.lines().count(), 1);
    assert_eq!(shell_split(line.trim_end()), expected(""));
}

#[test]
fn json_is_the_same_argv() {
    let f = Fixture::project();
    f.config(FULL);
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--format", "json"]).output().unwrap();
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(argv, expected(""));
}

#[test]
fn workdir_as_prefixes_every_emitted_path() {
    let f = Fixture::project();
    f.config(FULL);
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .args(["args", "--format", "json", "--workdir-as", "/tmp/project"])
        .output()
        .unwrap();
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(argv, expected("/tmp/project/"));
}

#[test]
fn paths_are_relative_to_the_working_directory() {
    let f = Fixture::empty();
    f.add_project("proj");
    f.write("ci/katalon-prep.yml", "project: ../proj\nrun:\n  report-folder: ../out/reports\n");
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .args(["--config", "ci/katalon-prep.yml", "args", "--format", "json"])
        .output()
        .unwrap();
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(argv.contains(&"-projectPath=proj/Demo.prj".to_string()), "{argv:?}");
    assert!(argv.contains(&"-reportFolder=out/reports".to_string()), "{argv:?}");
}

#[test]
fn output_file_gets_the_line_and_is_private() {
    let f = Fixture::project();
    f.config(FULL);
    f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--output", "line.txt"]).assert().success().stdout("");
    let text = f.read("line.txt");
    assert_eq!(shell_split(text.trim_end()), expected(""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.path("line.txt")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn stderr_shows_the_line_with_the_key_masked() {
    let f = Fixture::project();
    f.config(FULL);
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .arg("args")
        .assert()
        .success()
        .stderr(predicate::str::contains("'-apiKey=***'"))
        .stderr(predicate::str::contains(SENTINEL).not());
}

#[test]
fn quiet_prints_only_data() {
    let f = Fixture::project();
    f.config(FULL);
    f.cmd().env("KATALON_API_KEY", SENTINEL).args(["-q", "args"]).assert().success().stderr("");
}

#[test]
fn minimal_line_without_config() {
    let f = Fixture::project();
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--format", "json"]).output().unwrap();
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(argv, vec!["-noSplash", "-runMode=console", "-projectPath=Demo.prj", &format!("-apiKey={SENTINEL}")]);
}

#[test]
fn args_does_no_plugin_work() {
    let f = Fixture::project();
    f.config("plugins:\n  - path: vendor/missing.jar\n");
    f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").assert().success();
    assert!(!f.path("Plugins").exists());
}

#[cfg(unix)]
#[test]
fn output_to_a_pipe_writes_through_it_instead_of_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let f = Fixture::project();
    f.config(FULL);
    let fifo = f.path("line.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--output", "line.fifo"]).assert().success();
    let text = reader.join().unwrap();
    assert_eq!(shell_split(text.trim_end()), expected(""));
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let f = Fixture::project();
    f.config(FULL);
    f.write("real/line.txt", "old");
    std::os::unix::fs::symlink(f.path("real/line.txt"), f.path("link.txt")).unwrap();
    f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--output", "link.txt"]).assert().success();
    assert!(std::fs::symlink_metadata(f.path("link.txt")).unwrap().file_type().is_symlink());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(f.path("real/line.txt")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the file behind the link holds the key: owner only");
    assert_eq!(shell_split(f.read("real/line.txt").trim_end()), expected(""));
}
