//! `katalon-prep run`: prepares, runs a (fake) katalonc with the line, passes
//! its exit code through with one explanatory line, streams its output
//! unchanged, redacts its own, and forwards SIGTERM/SIGINT.

use crate::support;

use std::process::Output;
#[cfg(unix)]
use std::{
    path::Path,
    time::{Duration, Instant},
};

use support::{Fixture, SENTINEL, assert_code, stderr, stdout};

const CONFIG: &str = "\
run:
  test-suite: Test Suites/Smoke/Login
  browser: Chrome (headless)
  profile: staging
  config: { webui.autoUpdateDrivers: true }
";

fn shop() -> Fixture {
    let p = Fixture::shop();
    p.config(CONFIG);
    p
}

/// `run --katalonc <fake>` with the key, katalonc exiting with `code`.
fn run_with_code(p: &Fixture, code: u8) -> Output {
    let fake = p.fake_katalonc("katalonc");
    p.cmd_with_key().env("FAKE_CODE", code.to_string()).args(["run", "--katalonc"]).arg(&fake).output().expect("run")
}

#[test]
fn passes_exit_code_0_without_explaining() {
    let p = shop();
    let out = run_with_code(&p, 0);
    assert_code(&out, 0);
    assert!(!stderr(&out).contains("katalonc exited"), "{}", stderr(&out));
}

#[test]
fn passes_exit_code_1_failed_tests() {
    let p = shop();
    let out = run_with_code(&p, 1);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("katalonc exited with 1: some tests failed\n"), "{}", stderr(&out));
}

#[test]
fn passes_exit_code_2_errored_tests_or_crash() {
    let p = shop();
    let out = run_with_code(&p, 2);
    assert_code(&out, 2);
    assert!(stderr(&out).contains(
        "katalonc exited with 2: some tests errored, or katalonc crashed or could not parse its arguments\n"
    ));
}

#[test]
fn passes_exit_code_3_failed_and_errored_or_licence() {
    let p = shop();
    let out = run_with_code(&p, 3);
    assert_code(&out, 3);
    assert!(stderr(&out).contains(
        "katalonc exited with 3: tests failed and errored, or the licence could not be activated or TestOps was unreachable\n"
    ));
}

#[test]
fn passes_exit_code_4_invalid_arguments_or_no_licence() {
    let p = shop();
    let out = run_with_code(&p, 4);
    assert_code(&out, 4);
    assert!(
        stderr(&out)
            .contains("katalonc exited with 4: invalid arguments, or no Runtime Engine licence for the command line\n")
    );
}

#[test]
fn gives_katalonc_the_line_with_the_key_and_the_extra_args() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let out = p
        .cmd_with_key()
        .args(["run", "--katalonc"])
        .arg(&fake)
        .args(["--", "-statusDelay=3", "--config", "-proxy.option=NO_PROXY"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    let expected = [
        "-noSplash",
        "-runMode=console",
        "-projectPath=shop.prj",
        "-testSuitePath=Test Suites/Smoke/Login",
        "-browserType=Chrome (headless)",
        "-executionProfile=staging",
        "-statusDelay=3",
        &format!("-apiKey={SENTINEL}"),
        "--config",
        "-webui.autoUpdateDrivers=true",
        "-proxy.option=NO_PROXY",
    ];
    assert_eq!(p.katalonc_argv().expect("katalonc ran"), expected);
}

#[test]
fn streams_katalonc_output_and_redacts_its_own() {
    let p = shop();
    let out = run_with_code(&p, 0);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "fake katalonc: stdout line\n");
    let err = stderr(&out);
    assert!(err.contains("fake katalonc: stderr line\n"), "{err}");
    assert!(err.contains("'-apiKey=***'"), "{err}");
    assert!(!err.contains(SENTINEL), "{err}");
}

#[test]
fn lints_extra_args_and_does_not_start_katalonc_on_errors() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let out = p.cmd_with_key().args(["run", "--katalonc"]).arg(&fake).args(["--", "-retri=2"]).output().unwrap();
    assert_code(&out, 13);
    let err = stderr(&out);
    assert!(err.contains("argument 1 after `--`: unknown option `-retri`"), "{err}");
    assert_eq!(p.katalonc_argv(), None, "katalonc must not run");
}

#[test]
fn shard_replaces_suite_browser_and_profile() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let shard = r#"{"suite":"Test Suites/Regression/Checkout/Payment","browser":"Chrome Grid","profile":"default"}"#;
    let out = p.cmd_with_key().args(["run", "--shard", shard, "--katalonc"]).arg(&fake).output().unwrap();
    assert_code(&out, 0);
    let argv = p.katalonc_argv().unwrap();
    assert!(argv.contains(&"-testSuitePath=Test Suites/Regression/Checkout/Payment".to_string()), "{argv:?}");
    assert!(argv.contains(&"-browserType=Chrome Grid".to_string()), "{argv:?}");
    assert!(argv.contains(&"-executionProfile=default".to_string()), "{argv:?}");
}

#[test]
fn no_katalonc_on_path_exits_10() {
    let p = shop();
    let empty = p.path("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = p.cmd_with_key().env("PATH", &empty).arg("run").output().unwrap();
    assert_code(&out, 10);
    let names = if cfg!(windows) { "katalonc.exe or katalonc.bat" } else { "katalonc or katalonc.sh" };
    assert!(stderr(&out).contains(&format!("error: katalonc not found: no {names} on PATH")), "{}", stderr(&out));
}

/// Windows finds `katalonc.exe` on PATH in any case, and a path without
/// `.exe` names the exe (the fake is a real Windows program there).
#[cfg(windows)]
#[test]
fn finds_katalonc_exe_on_path_in_any_case_and_by_a_path_without_exe() {
    let p = shop();
    let fake = p.fake_katalonc("KATALONC.EXE");
    let out = p.cmd_with_key().env("PATH", fake.parent().unwrap()).env("FAKE_CODE", "3").arg("run").output().unwrap();
    assert_code(&out, 3);
    assert!(stderr(&out).contains("katalonc exited with 3: tests failed and errored"), "{}", stderr(&out));
    assert_eq!(p.katalonc_argv().unwrap().last().unwrap(), "-webui.autoUpdateDrivers=true");
    std::fs::remove_file(p.path("fake/argv")).unwrap();
    let out = p.cmd_with_key().args(["run", "--katalonc", r"bin\katalonc"]).output().unwrap();
    assert_code(&out, 0);
    assert!(p.katalonc_argv().is_some());
}

#[cfg(unix)]
#[test]
fn finds_katalonc_sh_on_path() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc.sh");
    let out = p.cmd_with_key().env("PATH", fake.parent().unwrap()).args(["run", "--display", "none"]).output().unwrap();
    assert_code(&out, 0);
    assert!(p.katalonc_argv().is_some());
}

#[test]
fn katalonc_env_names_the_program() {
    let p = shop();
    let fake = p.fake_katalonc("my-katalonc");
    let out = p.cmd_with_key().env("KATALONC", &fake).env("FAKE_CODE", "1").arg("run").output().unwrap();
    assert_code(&out, 1);
    assert!(p.katalonc_argv().is_some());
}

#[test]
fn missing_key_stops_before_katalonc() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let out = p.cmd().args(["run", "--katalonc"]).arg(&fake).output().unwrap();
    assert_code(&out, 11);
    assert_eq!(p.katalonc_argv(), None);
}

/// Starts `run` with a katalonc that waits, sends `signal` to katalon-prep
/// once katalonc is up, and returns katalon-prep's exit code.
#[cfg(unix)]
fn forwards(signal: i32) -> (Fixture, Option<i32>, String) {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let child = support::bin_std(p.root())
        .env("KATALON_API_KEY", SENTINEL)
        .env("FAKE_SLEEP", "30")
        .args(["run", "--katalonc"])
        .arg(&fake)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start katalon-prep");
    wait_for(&p.path("fake/started"));
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on the child we spawned and have not yet waited for.
    unsafe {
        libc::kill(pid, signal);
    }
    let out = child.wait_with_output().expect("wait for katalon-prep");
    (p, out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[cfg(unix)]
fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(Instant::now() < deadline, "katalonc never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn forwards_sigterm_to_katalonc() {
    let (p, code, err) = forwards(libc::SIGTERM);
    assert_eq!(p.read("fake/signal"), "TERM\n");
    assert_eq!(code, Some(143), "{err}");
    assert!(err.contains("katalonc exited with 143 after katalon-prep passed it SIGTERM"), "{err}");
}

#[cfg(unix)]
#[test]
fn forwards_sigint_to_katalonc() {
    let (p, code, err) = forwards(libc::SIGINT);
    assert_eq!(p.read("fake/signal"), "INT\n");
    assert_eq!(code, Some(130), "{err}");
}

// ---- exact output (snapshots) ----

/// Unix only: on Windows the fake is `katalonc.exe`, and there is no X
/// display to start. `DISPLAY` is set so that whether Xvfb is installed
/// here does not change the output.
#[cfg(unix)]
#[test]
fn run_output_when_tests_failed() {
    let p = shop();
    let fake = p.fake_katalonc("katalonc");
    let out = p
        .cmd_with_key()
        .env("FAKE_CODE", "1")
        .env("DISPLAY", ":99")
        .args(["run", "--katalonc"])
        .arg(&fake)
        .output()
        .unwrap();
    assert_code(&out, 1);
    support::assert_run_snapshot!(p, out);
}

/// `run -v` shows the pipeline through to katalonc and the report, stage by stage.
#[test]
fn verbose_run_shows_each_stage_through_katalonc_and_the_report() {
    let p = Fixture::shop();
    p.write("vendor/k.jar", support::keyword_jar("com.example.K"));
    p.config(&format!("{CONFIG}plugins:\n  - path: vendor/k.jar\n"));
    let fake = p.fake_katalonc("katalonc");
    let out = p.cmd_with_key().env_remove("RUST_LOG").args(["-v", "run", "--katalonc"]).arg(&fake).output().unwrap();
    support::assert_success(&out);
    let err = stderr(&out);
    let closes = support::closed_spans(&err);
    assert_eq!(
        closes,
        ["key", "plan", "line", "reconcile", "resolve", "fetch", "install", "settings", "engine", "katalonc", "report"],
        "{err}"
    );
}
