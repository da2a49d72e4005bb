//! `katalon-prep check`, and the same lint refusing lines in `prepare`/`args`:
//! every rule fires on the line that breaks it and stays quiet on a clean
//! one; findings point at the config line or the position in `--args`; a
//! key in a hand-written line is never printed.

use crate::support;

use std::process::Output;

use support::{Fixture, SENTINEL, assert_code, native, stderr, stdout};

fn check_args(p: &Fixture, line: &str) -> Output {
    p.cmd().args(["check", "--args", line]).output().expect("run check")
}

/// `-projectPath` (and a suite, unless `rest` names a target) plus `rest`, so
/// the no-project-path note and the no-target error stay out of the way.
fn line(rest: &str) -> String {
    let suite = if rest.contains("-testSuite") { "" } else { "-testSuitePath='Test Suites/Smoke/Login' " };
    format!("katalonc -noSplash -runMode=console -projectPath=shop.prj {suite}{rest}")
}

#[track_caller]
fn assert_finding(out: &Output, severity: &str, rule: &str) {
    let text = stdout(out);
    assert!(text.contains(&format!("{severity}[{rule}]")), "expected {severity}[{rule}] in:\n{text}");
}

#[track_caller]
fn assert_clean(out: &Output) {
    let text = stdout(out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(out));
    assert_eq!(text, "0 errors, 0 warnings, 0 notes\n", "{}", stderr(out));
}

const CLEAN_CONFIG: &str = "\
run:
  test-suite: Test Suites/Smoke/Login
  browser: Chrome Grid
  profile: staging
  retry: 1
  globals: { baseUrl: \"https://staging.example.com\", adminUser: qa }
  args: [\"-statusDelay=5\", \"-retryStrategy=failedExecutions\", \"-retryFailedTestCases=true\", \"-testOpsBuildId=7\"]
  config: { webui.autoUpdateDrivers: true, proxy.option: NO_PROXY }
";

// ---- clean lines ----

#[test]
fn clean_config_has_no_findings_and_needs_no_key() {
    let p = Fixture::shop();
    p.config(CLEAN_CONFIG);
    let out = p.cmd().arg("check").output().unwrap();
    assert_clean(&out);
}

#[test]
fn clean_hand_written_line_has_no_findings() {
    let p = Fixture::shop();
    let l = line(&format!(
        "-testSuiteCollectionPath='Test Suites/Parallel Regression' -browserType='Chrome (headless)' \
         -executionProfile=default -g_baseUrl=https://x -retry=2 -apiKey={SENTINEL} \
         --config -proxy.option=MANUAL_CONFIG -proxy.server.port=8080 -webui.autoUpdateDrivers=false"
    ));
    let out = check_args(&p, &l);
    assert_clean(&out);
}

// ---- errors ----

#[test]
fn unknown_option_in_config_names_its_line_and_the_closest_option() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args:\n    - -statusDelay=5\n    - -testSuitPath=x\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    assert_finding(&out, "error", "unknown-option");
    let text = stdout(&out);
    assert!(text.contains("unknown option `-testSuitPath`"), "{text}");
    assert!(text.contains("  --> katalon-prep.yml:5:7\n"), "{text}");
    assert!(text.contains("did you mean `-testSuitePath`?"), "{text}");
}

#[test]
fn unknown_option_in_args_points_at_its_position() {
    let p = Fixture::shop();
    let out = check_args(&p, "-projectPath=shop.prj -testSuitPath=X");
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("  --> --args:1:23\n"), "{text}");
    assert!(
        text.contains("   | -projectPath=shop.prj -testSuitPath=X\n   |                       ^^^^^^^^^^^^^\n"),
        "{text}"
    );
}

#[test]
fn option_names_are_case_sensitive() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-browsertype=Chrome"));
    assert_code(&out, 13);
    assert!(stdout(&out).contains("did you mean `-browserType`? katalonc's option names are case-sensitive"));
}

#[test]
fn empty_value_takes_the_next_word() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-apiKey= -browserType=Chrome"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "empty-value");
    assert!(stdout(&out).contains("`-apiKey=` has an empty value: katalonc takes the next word as its value"));
}

#[test]
fn value_missing_at_the_end_of_the_line() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-executionProfile"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "missing-value");
}

#[test]
fn single_valued_option_given_twice() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-browserType=Chrome -browserType=Firefox"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "duplicate-option");
    assert!(stdout(&out).contains("the first is at --args:1:100"), "{}", stdout(&out));
}

#[test]
fn option_repeated_across_config_keys_points_at_the_second() {
    let p = Fixture::shop();
    p.config("run:\n  browser: Chrome\n  args: [\"-browserType=Firefox\"]\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("error[duplicate-option]: `-browserType` is given twice"), "{text}");
    assert!(text.contains("--> katalon-prep.yml:3:10"), "{text}");
    assert!(text.contains("the first is at katalon-prep.yml:2:12"), "{text}");
}

#[test]
fn main_option_after_config_section() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("--config -retry=1"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "wrong-section");
    assert!(stdout(&out).contains("`-retry` comes after `--config`"));
}

#[test]
fn config_option_before_config_section() {
    let p = Fixture::shop();
    p.config("run:\n  args: [\"-proxy.server.port=8080\"]\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    assert!(stdout(&out).contains("`-proxy.server.port` is a `--config` option but comes before `--config`"));
}

#[test]
fn unknown_browser_lists_the_custom_configurations() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-browserType='Chrome Headless'"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "unknown-browser");
    let text = stdout(&out);
    assert!(text.contains("did you mean `Chrome (headless)`?"), "{text}");
    assert!(text.contains("the project's custom execution configurations: Chrome Grid"), "{text}");
}

#[test]
fn missing_suite_suggests_the_closest() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testSuitePath='Test Suites/Smoke/Logn'"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "missing-suite");
    assert!(stdout(&out).contains("did you mean `Test Suites/Smoke/Login`?"));
}

#[test]
fn collection_given_to_test_suite_path() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testSuitePath='Test Suites/Nightly'"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "wrong-kind");
    assert!(stdout(&out).contains("use `-testSuiteCollectionPath=Test Suites/Nightly`"));
}

#[test]
fn suite_given_to_test_suite_collection_path() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testSuiteCollectionPath='Test Suites/Smoke/Login.ts'"));
    assert_code(&out, 13);
    assert!(stdout(&out).contains("`Test Suites/Smoke/Login` is a test suite, but `-testSuiteCollectionPath`"));
}

#[test]
fn unknown_profile_lists_the_profiles() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-executionProfile=prod"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "unknown-profile");
    assert!(stdout(&out).contains("the project has: default, staging"));
}

#[test]
fn global_variable_no_profile_defines() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-g_baseURL=https://x -g_adminUser=qa"));
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(
        text.contains("error[unknown-global]: no execution profile defines the global variable `baseURL`"),
        "{text}"
    );
    assert!(text.contains("did you mean `baseUrl`?"), "{text}");
    // adminUser is defined by the staging profile only: still known.
    assert!(!text.contains("`adminUser`"), "{text}");
}

#[test]
fn non_integer_retry() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-retry=two"));
    assert_code(&out, 13);
    assert!(stdout(&out).contains("error[not-integer]: `-retry` takes a whole number, not `two`"));
}

#[test]
fn non_integer_status_delay() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-statusDelay=1.5"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "not-integer");
}

#[test]
fn unknown_retry_strategy() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-retryStrategy=failedExecution"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "bad-value");
    assert!(
        stdout(&out).contains("did you mean `failedExecutions`? one of: allExecutions, failedExecutions, immediately")
    );
}

#[test]
fn boolean_option_with_another_word() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-retryFailedTestCases=yes"));
    assert_code(&out, 13);
    assert_finding(&out, "error", "not-boolean");
}

#[test]
fn unquoted_space_leaves_a_stray_word() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testSuitePath=Test Suites/Smoke/Login"));
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("error[stray-word]: `Suites/Smoke/Login` is not an option"), "{text}");
    assert!(text.contains("quote the whole option: '-testSuitePath=Test Suites/Smoke/Login'"), "{text}");
}

#[test]
fn shell_syntax_error_points_at_the_character() {
    let p = Fixture::shop();
    let out = check_args(&p, "-browserType=Chrome (headless)");
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("error[shell-syntax]: unquoted `(`"), "{text}");
    assert!(text.contains("--> --args:1:21"), "{text}");
}

#[test]
fn missing_config_target_is_a_finding_with_its_line() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Logon\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("error[missing-suite]: test suite `Test Suites/Smoke/Logon` does not exist"), "{text}");
    assert!(text.contains("--> katalon-prep.yml:2:15"), "{text}");
}

#[test]
fn collection_entries_are_checked_at_their_lines() {
    let p = Fixture::shop();
    let good = p.read("Test Suites/Nightly.ts");
    let broken = good.replace("<profileName>staging</profileName>", "<profileName>prod</profileName>").replace(
        "<runConfigurationId>Firefox (headless)</runConfigurationId>",
        "<runConfigurationId>Opera</runConfigurationId>",
    );
    p.write("Test Suites/Broken.ts", &broken);
    p.config("run:\n  test-suite-collection: Test Suites/Broken\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    let text = stdout(&out);
    assert!(text.contains("error[unknown-browser]: `Opera`"), "{text}");
    assert!(text.contains("error[unknown-profile]: execution profile `prod`"), "{text}");
    // The second entry starts at line 20; the disabled third one is not checked.
    assert!(text.contains(&native("--> Test Suites/Broken.ts:20:7")), "{text}");
    assert_eq!(text.matches("unknown-profile").count(), 1, "{text}");
}

// ---- warnings and notes ----

#[test]
fn value_in_the_next_word_warns() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-statusDelay 15"));
    assert_code(&out, 0);
    assert_finding(&out, "warning", "separate-value");
    assert!(stdout(&out).contains("write it as one word, `-statusDelay=15`"));
}

#[test]
fn windows_browser_warns_when_the_run_is_on_linux() {
    let p = Fixture::shop();
    let out = p.cmd().env("RUNNER_OS", "Linux").args(["check", "--args", &line("-browserType=IE")]).output().unwrap();
    assert_code(&out, 0);
    assert_finding(&out, "warning", "browser-not-on-linux");
}

#[test]
fn windows_browser_is_fine_on_windows() {
    let p = Fixture::shop();
    let out = p.cmd().env("RUNNER_OS", "Windows").args(["check", "--args", &line("-browserType=IE")]).output().unwrap();
    assert_clean(&out);
}

#[test]
fn option_newer_than_the_project_warns() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-maxFailedTests=3"));
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(
            "warning[newer-option]: `-maxFailedTests` needs Katalon 8.1 or newer; the project was last saved with 8.0.5 (`<modifiedVersion>`)"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn line_without_project_path_is_a_note() {
    let p = Fixture::shop();
    let out = check_args(&p, "-testSuitePath='Test Suites/Smoke/Login' -browserType=Chrome -retry=1");
    assert_code(&out, 0);
    assert_finding(&out, "info", "no-project-path");
    assert!(stdout(&out).ends_with("0 errors, 0 warnings, 1 note\n"));
}

#[test]
fn a_second_command_is_a_note() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-retry=1 | tee katalon.log"));
    assert_code(&out, 0);
    assert_finding(&out, "info", "second-command");
}

#[test]
fn strict_turns_warnings_into_errors() {
    let p = Fixture::shop();
    let out = p.cmd().args(["check", "--strict", "--args", &line("-statusDelay 15")]).output().unwrap();
    assert_code(&out, 13);
    assert_finding(&out, "error", "separate-value");
}

// ---- output formats ----

#[test]
fn json_format_gives_every_finding_with_its_origin() {
    let p = Fixture::shop();
    let out = p.cmd().args(["check", "--format", "json", "--args", &line("-retry=x")]).output().unwrap();
    assert_code(&out, 13);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["errors"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["rule"], "not-integer");
    assert_eq!(f["origin"]["args"]["column"], 66 + "-testSuitePath='Test Suites/Smoke/Login' ".len());
    assert_eq!(f["origin"]["args"]["line"], 1);
}

#[test]
fn github_annotations_are_escaped() {
    let p = Fixture::shop();
    p.write("ci,cfg:x.yml", "run:\n  args:\n    - -statusDelay=50%\n    - -retri=1\n");
    let out = p.cmd().env("GITHUB_ACTIONS", "true").args(["--config", "ci,cfg:x.yml", "check"]).output().unwrap();
    assert_code(&out, 13);
    let err = stderr(&out);
    assert!(
        err.contains(
            "::error file=ci%2Ccfg%3Ax.yml,line=3,col=7,title=katalon-prep check%3A not-integer::`-statusDelay` takes a whole number, not `50%25`\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("title=katalon-prep check%3A unknown-option::unknown option `-retri`: katalonc ignores it without a word%0Ahint: did you mean `-retry`?"),
        "{err}"
    );
}

// ---- the key ----

#[test]
fn key_in_a_hand_written_line_is_never_printed() {
    let p = Fixture::shop();
    let lines = [
        line(&format!("-apiKey={SENTINEL} -retri=1")),
        line(&format!("-apiKey= {SENTINEL} -retry=x")),
        line(&format!("-apiKey {SENTINEL}")),
        format!("-apiKey='{SENTINEL}' -browserType='Chrome (headless)"),
    ];
    for l in &lines {
        for format in ["text", "json"] {
            let out = p
                .cmd()
                .env("GITHUB_ACTIONS", "true")
                .args(["check", "--format", format, "--args", l])
                .output()
                .unwrap();
            support::assert_linted(&out);
            // The runner hides the key once told to: `::add-mask::` comes first.
            let err = stderr(&out);
            assert!(err.starts_with(&format!("::add-mask::{SENTINEL}\n")), "{}", support::report(&out));
            let logged: Vec<&str> = err.lines().filter(|x| !x.starts_with("::add-mask::")).collect();
            let all = format!("{}{}", stdout(&out), logged.join("\n"));
            assert!(!all.contains(SENTINEL), "{}", support::report(&out));
            assert!(!all.contains("sentinel"), "{}", support::report(&out));
        }
    }
}

// ---- the lint in prepare and args ----

#[test]
fn args_refuses_a_line_with_lint_errors() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testSuitPath=x\"]\n");
    let out = p.cmd_with_key().arg("args").output().unwrap();
    assert_code(&out, 13);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("error: Refusing to emit the katalonc line: 1 lint error"), "{err}");
    assert!(err.contains("katalon-prep.yml:3:10: unknown option `-testSuitPath`"), "{err}");
    assert!(!err.contains(SENTINEL), "{err}");
}

#[test]
fn prepare_refuses_before_touching_the_project() {
    let p = Fixture::shop();
    p.config("offline: true\nrun:\n  browser: Chrome Headless\n");
    let out = p.cmd_with_key().arg("prepare").output().unwrap();
    assert_code(&out, 13);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("unknown-browser"));
    // The offline setting was not written: the lint ran first.
    assert!(!p.read("settings/internal/com.kms.katalon.execution.properties").contains("OFFLINE"));
}

#[test]
fn args_prints_warnings_and_still_emits_the_line() {
    let p = Fixture::shop();
    p.config("run:\n  browser: Safari\n");
    let out = p.cmd_with_key().env("RUNNER_OS", "Linux").arg("args").output().unwrap();
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("warning: katalon-prep.yml:2:12: `Safari` does not run on Linux"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains(&format!("-apiKey={SENTINEL}")));
}

// ---- the lock ----

#[test]
fn lock_out_of_date_with_the_config_warns() {
    let p = Fixture::shop();
    p.write("vendor/a.jar", support::keyword_jar("A"));
    p.write("vendor/b.jar", support::keyword_jar("B"));
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nplugins:\n  - path: vendor/a.jar\n");
    assert_code(&p.cmd().arg("lock").output().unwrap(), 0);
    p.config("plugins:\n  - path: vendor/a.jar\n  - path: vendor/b.jar\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("warning[lock-outdated]: katalon-prep.lock is out of date: katalon-prep.yml:3:5: `path: "),
        "{text}"
    );
    assert!(text.contains("vendor/b.jar` is not in the lock as configured"), "{text}");
    assert!(text.contains("--> katalon-prep.lock:1:1"), "{text}");
}

#[test]
fn lock_that_fits_the_config_is_quiet() {
    let p = Fixture::shop();
    p.write("vendor/a.jar", support::keyword_jar("A"));
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nplugins:\n  - path: vendor/a.jar\n");
    assert_code(&p.cmd().arg("lock").output().unwrap(), 0);
    assert_clean(&p.cmd().arg("check").output().unwrap());
}

#[test]
fn lock_that_does_not_parse_is_an_error() {
    let p = Fixture::shop();
    p.config("plugins:\n  - path: vendor/a.jar\n");
    p.write("katalon-prep.lock", "version: [\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    assert_finding(&out, "error", "lock-invalid");
}

#[test]
fn url_plugin_without_a_pin_is_an_error() {
    let p = Fixture::shop();
    p.config("plugins:\n  - url: https://example.com/a.jar\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 13);
    assert_finding(&out, "error", "unpinned-url");
    assert!(stdout(&out).contains("--> katalon-prep.yml:2:5"), "{}", stdout(&out));
}

#[test]
fn store_app_version_is_the_version_the_run_uses() {
    let p = Fixture::shop();
    p.config("store:\n  app-version: \"9.7.2\"\nrun:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-maxFailedTests=3\"]\n");
    assert_clean(&p.cmd().arg("check").output().unwrap());
    p.config("store:\n  app-version: \"8.0.2\"\nrun:\n  args: [\"-maxFailedTests=3\"]\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert!(stdout(&out).contains("needs Katalon 8.1 or newer; `store.app-version` is 8.0.2"), "{}", stdout(&out));
}

// ---- exact output (snapshots) ----

/// A line with an unknown option, a bad value and a misspelt browser.
fn faulty_line() -> String {
    line("-retri=1 -browserType=\"Chrom\" -statusDelay=soon")
}

#[test]
fn findings_of_a_hand_written_line_as_text() {
    let p = Fixture::shop();
    let out = check_args(&p, &faulty_line());
    support::assert_run_snapshot!(p, out);
}

#[test]
fn findings_of_a_hand_written_line_as_json() {
    let p = Fixture::shop();
    let out = p.cmd().args(["check", "--format", "json", "--args", &faulty_line()]).output().unwrap();
    support::assert_run_snapshot!(p, out);
}

#[test]
fn findings_of_the_config_point_at_its_lines() {
    let p = Fixture::shop();
    p.config(
        "run:\n  test-suite: Test Suites/Smoke/Login\n  browser: Chrom\n  profile: nope\n  args: [\"-retri=1\"]\n",
    );
    let out = p.cmd().arg("check").output().unwrap();
    support::assert_run_snapshot!(p, out);
}
