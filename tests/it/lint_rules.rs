//! The lint rules of issue 10, one behaviour per test, through the real
//! binary: version gates, unlisted options, `allow`, the rules from
//! Katalon's documentation, the false findings fixed.

use std::process::Output;

use crate::support::{Fixture, stderr, stdout};

fn check_args(p: &Fixture, line: &str) -> Output {
    p.cmd().args(["check", "--args", line]).output().expect("run check")
}

/// A complete line: program, project, a suite, then `rest`.
fn line(rest: &str) -> String {
    format!("katalonc -noSplash -runMode=console -projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login' {rest}")
}

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
}

#[track_caller]
fn assert_has(out: &Output, text: &str) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(all.contains(text), "expected {text:?} in:\n{all}");
}

#[track_caller]
fn assert_lacks(out: &Output, text: &str) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(!all.contains(text), "did not expect {text:?} in:\n{all}");
}

/// The shop fixture with its `.prj` versions replaced (`None` removes the element).
fn shop_saved_by(modified: Option<&str>, created: Option<&str>) -> Fixture {
    let p = Fixture::shop();
    let mut prj = p.read("shop.prj");
    for (tag, old, new) in [("modifiedVersion", "8.0.5", modified), ("createdVersion", "7.9.1", created)] {
        let element = format!("<{tag}>{old}</{tag}>");
        prj = prj.replace(&element, &new.map(|v| format!("<{tag}>{v}</{tag}>")).unwrap_or_default());
    }
    p.write("shop.prj", prj);
    p
}

// ---- version gates ----

#[test]
fn an_option_newer_than_the_project_names_the_version_it_needs() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testOps.testRunName=nightly"));
    assert_exit(&out, 0);
    assert_has(
        &out,
        "warning[newer-option]: `-testOps.testRunName` needs Katalon 10.3.1 or newer; the project was last saved with 8.0.5 (`<modifiedVersion>`)",
    );
}

#[test]
fn the_project_version_is_modified_then_created() {
    let p = shop_saved_by(Some("10.3.1"), Some("7.9.1"));
    assert_exit(&check_args(&p, &line("-testOps.testRunName=nightly")), 0);
    assert_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
    let p = shop_saved_by(None, Some("8.3.0"));
    let out = check_args(&p, &line("-testOps.serverUrl=https://testops.example.com"));
    assert_has(
        &out,
        "`-testOps.serverUrl` needs Katalon 8.4 or newer; the project was created with 8.3.0 (`<createdVersion>`)",
    );
    let p = shop_saved_by(None, None);
    assert_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
}

#[test]
fn store_app_version_beats_the_project_also_for_a_hand_written_line() {
    let p = shop_saved_by(Some("8.0.5"), None);
    p.config("store:\n  app-version: \"10.3.1\"\n");
    assert_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
    p.config("store:\n  app-version: \"10.1\"\n");
    let out = check_args(&p, &line("-testOps.testRunName=nightly -testOps.enabled=true"));
    assert_has(&out, "`-testOps.testRunName` needs Katalon 10.3.1 or newer; `store.app-version` is 10.1");
    assert_lacks(&out, "`-testOps.enabled` needs");
}

#[test]
fn testcloud_as_a_browser_needs_8_2_5() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-browserType=TestCloud -testcloudEnvironmentId=12"));
    assert_has(&out, "`-browserType=TestCloud` needs Katalon 8.2.5 or newer");
    assert_has(&out, "`-testcloudEnvironmentId` needs Katalon 8.2.5 or newer");
}

// ---- unknown and unlisted options ----

#[test]
fn a_near_miss_of_a_known_option_stays_an_error() {
    let p = Fixture::shop();
    for (typo, known) in [("-testSuitPath", "-testSuitePath"), ("-executionProfle", "-executionProfile")] {
        let out = check_args(&p, &line(&format!("{typo}=x")));
        assert_exit(&out, 13);
        assert_has(&out, &format!("error[unknown-option]: unknown option `{typo}`"));
        assert_has(&out, &format!("did you mean `{known}`?"));
    }
}

#[test]
fn an_option_far_from_every_known_one_is_only_a_warning() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testOps.futureSetting=1"));
    assert_exit(&out, 0);
    assert_has(
        &out,
        "warning[unlisted-option]: `-testOps.futureSetting` is not in katalon-prep's table of katalonc options up to 10.x; katalonc ignores options it does not know",
    );
    let out = p.cmd().args(["check", "--strict", "--args", &line("-testOps.futureSetting=1")]).output().unwrap();
    assert_exit(&out, 13);
    assert_has(&out, "error[unlisted-option]: `-testOps.futureSetting`");
}

#[test]
fn prepare_emits_an_unlisted_option_with_a_warning() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testOps.futureSetting=1\"]\n");
    let out = p.prepare().output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("-testOps.futureSetting=1"), "{}", stdout(&out));
    assert_has(&out, "[unlisted-option]");
}

// ---- allow ----

#[test]
fn allow_flag_turns_a_rule_off_on_every_command_that_lints() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testSuitPath=x\"]\n");
    assert_exit(&p.cmd().arg("check").output().unwrap(), 13);
    assert_exit(&p.cmd().args(["check", "--allow", "unknown-option"]).output().unwrap(), 0);
    let out = p.cmd().args(["args", "--without-api-key"]).output().unwrap();
    assert_exit(&out, 13);
    let out = p.cmd().args(["args", "--without-api-key", "--allow", "unknown-option"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("-testSuitPath=x"), "{}", stdout(&out));
    let out = p.prepare().args(["--allow", "unknown-option"]).output().unwrap();
    assert_exit(&out, 0);
    assert_lacks(&out, "unknown-option");
    let out = check_args(&p, &line("-testSuitPath=x"));
    assert_exit(&out, 13);
    let out =
        p.cmd().args(["check", "--allow", "unknown-option", "--args", &line("-testSuitPath=x")]).output().unwrap();
    assert_exit(&out, 0);
}

#[test]
fn lint_allow_in_the_config_turns_a_rule_off() {
    let p = Fixture::shop();
    p.config(
        "run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-consoleLog\", \"-testOps.futureSetting=1\"]\nlint:\n  allow: [unlisted-option]\n",
    );
    let out = p.cmd().args(["check", "--strict"]).output().unwrap();
    assert_lacks(&out, "unlisted-option");
    let out = p.prepare().output().unwrap();
    assert_exit(&out, 0);
    assert_lacks(&out, "unlisted-option");
}

#[test]
fn an_unknown_rule_id_is_a_usage_error() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n");
    for cmd in [&["check"][..], &["args", "--without-api-key"], &["matrix", "--suites", "Test Suites/Smoke/*"]] {
        let out = p.cmd().args(cmd).args(["--allow", "unknown-optoin"]).output().unwrap();
        assert_exit(&out, 10);
        assert_has(&out, "--allow: `unknown-optoin` is not a lint rule; did you mean `unknown-option`?");
    }
    p.config(
        "run:\n  test-suite: Test Suites/Smoke/Login\nlint:\n  allow:\n    - unlisted-option\n    - no-such-rule\n",
    );
    let out = p.prepare().output().unwrap();
    assert_exit(&out, 10);
    assert_has(&out, "katalon-prep.yml:6:7: `no-such-rule` is not a lint rule");
    assert_lacks(&out, "-noSplash");
}

#[test]
fn allowing_a_rule_never_relaxes_what_is_not_a_lint() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nplugins:\n  - url: https://example.com/x.jar\n");
    let out = p.prepare().args(["--allow", "unknown-option", "--allow", "unlisted-option"]).output().unwrap();
    assert_exit(&out, 10);
    assert_has(&out, "a `url` plugin needs a `sha256`");
    let out = p.cmd().args(["check", "--allow", "unpinned-url"]).output().unwrap();
    assert_exit(&out, 10);
    assert_has(&out, "`unpinned-url` cannot be allowed");
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nlint: { allow: [unpinned-url] }\n");
    assert_exit(&p.cmd().arg("check").output().unwrap(), 10);
}
