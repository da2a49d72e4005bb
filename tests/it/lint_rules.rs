//! The lint rules of issue 10, one behaviour per test, through the real
//! binary: version gates, unlisted options, `allow`, the rules from
//! Katalon's documentation, the false findings fixed.

use std::process::Output;

use crate::support::{Fixture, assert_code, stderr, stdout};

fn check_args(p: &Fixture, line: &str) -> Output {
    p.cmd().args(["check", "--args", line]).output().expect("run check")
}

/// A complete line: program, project, a suite, then `rest`.
fn line(rest: &str) -> String {
    format!("katalonc -noSplash -runMode=console -projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login' {rest}")
}

#[track_caller]
fn assert_has(out: &Output, text: &str) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(all.contains(text), "expected {text:?} in:\n{all}");
}

/// [`assert_lacks`] for a `check` run: first that the lint ran to its end.
#[track_caller]
fn assert_lint_lacks(out: &Output, text: &str) {
    crate::support::assert_linted(out);
    assert_lacks(out, text);
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
    assert_code(&out, 0);
    assert_has(
        &out,
        "warning[newer-option]: `-testOps.testRunName` needs Katalon 10.3.1 or newer; the project was last saved with 8.0.5 (`<modifiedVersion>`)",
    );
}

#[test]
fn the_project_version_is_modified_then_created() {
    let p = shop_saved_by(Some("10.3.1"), Some("7.9.1"));
    assert_code(&check_args(&p, &line("-testOps.testRunName=nightly")), 0);
    assert_lint_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
    let p = shop_saved_by(None, Some("8.3.0"));
    let out = check_args(&p, &line("-testOps.serverUrl=https://testops.example.com"));
    assert_has(
        &out,
        "`-testOps.serverUrl` needs Katalon 8.4 or newer; the project was created with 8.3.0 (`<createdVersion>`)",
    );
    let p = shop_saved_by(None, None);
    assert_lint_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
}

#[test]
fn store_app_version_beats_the_project_also_for_a_hand_written_line() {
    let p = shop_saved_by(Some("8.0.5"), None);
    p.config("store:\n  app-version: \"10.3.1\"\n");
    assert_lint_lacks(&check_args(&p, &line("-testOps.testRunName=nightly")), "newer-option");
    p.config("store:\n  app-version: \"10.1\"\n");
    let out = check_args(&p, &line("-testOps.testRunName=nightly -testOps.enabled=true"));
    assert_has(&out, "`-testOps.testRunName` needs Katalon 10.3.1 or newer; `store.app-version` is 10.1");
    assert_lint_lacks(&out, "`-testOps.enabled` needs");
}

#[test]
fn the_configured_engine_is_the_version_the_run_uses() {
    let p = shop_saved_by(Some("10.3.1"), None);
    p.config("engine:\n  version: \"10.1.0\"\nrun:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testOps.testRunName=x\"]\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_code(&out, 0);
    assert_has(&out, "`-testOps.testRunName` needs Katalon 10.3.1 or newer; `engine.version` is 10.1.0");
    let p8 = shop_saved_by(Some("8.0.5"), None);
    p8.config("engine:\n  version: \"10.3.1\"\nrun:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testOps.testRunName=x\"]\n");
    assert_lint_lacks(&p8.cmd().arg("check").output().unwrap(), "newer-option");
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
        assert_code(&out, 13);
        assert_has(&out, &format!("error[unknown-option]: unknown option `{typo}`"));
        assert_has(&out, &format!("did you mean `{known}`?"));
    }
}

#[test]
fn an_option_far_from_every_known_one_is_only_a_warning() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-testOps.futureSetting=1"));
    assert_code(&out, 0);
    assert_has(
        &out,
        "warning[unlisted-option]: `-testOps.futureSetting` is not in katalon-prep's table of katalonc options up to 10.x; katalonc ignores options it does not know",
    );
    let out = p.cmd().args(["check", "--strict", "--args", &line("-testOps.futureSetting=1")]).output().unwrap();
    assert_code(&out, 13);
    assert_has(&out, "error[unlisted-option]: `-testOps.futureSetting`");
}

#[test]
fn prepare_emits_an_unlisted_option_with_a_warning() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testOps.futureSetting=1\"]\n");
    let out = p.prepare().output().unwrap();
    assert_code(&out, 0);
    assert!(stdout(&out).contains("-testOps.futureSetting=1"), "{}", stdout(&out));
    assert_has(&out, "[unlisted-option]");
}

// ---- allow ----

#[test]
fn allow_flag_turns_a_rule_off_on_every_command_that_lints() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-testSuitPath=x\"]\n");
    assert_code(&p.cmd().arg("check").output().unwrap(), 13);
    assert_code(&p.cmd().args(["check", "--allow", "unknown-option"]).output().unwrap(), 0);
    let out = p.cmd().args(["args", "--without-api-key"]).output().unwrap();
    assert_code(&out, 13);
    let out = p.cmd().args(["args", "--without-api-key", "--allow", "unknown-option"]).output().unwrap();
    assert_code(&out, 0);
    assert!(stdout(&out).contains("-testSuitPath=x"), "{}", stdout(&out));
    let out = p.prepare().args(["--allow", "unknown-option"]).output().unwrap();
    assert_code(&out, 0);
    assert_lacks(&out, "unknown-option");
    let out = check_args(&p, &line("-testSuitPath=x"));
    assert_code(&out, 13);
    let out =
        p.cmd().args(["check", "--allow", "unknown-option", "--args", &line("-testSuitPath=x")]).output().unwrap();
    assert_code(&out, 0);
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
    assert_code(&out, 0);
    assert_lacks(&out, "unlisted-option");
}

#[test]
fn an_unknown_rule_id_is_a_usage_error() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n");
    for cmd in [&["check"][..], &["args", "--without-api-key"], &["matrix", "--suites", "Test Suites/Smoke/*"]] {
        let out = p.cmd().args(cmd).args(["--allow", "unknown-optoin"]).output().unwrap();
        assert_code(&out, 10);
        assert_has(&out, "--allow: `unknown-optoin` is not a lint rule; did you mean `unknown-option`?");
    }
    p.config(
        "run:\n  test-suite: Test Suites/Smoke/Login\nlint:\n  allow:\n    - unlisted-option\n    - no-such-rule\n",
    );
    let out = p.prepare().output().unwrap();
    assert_code(&out, 10);
    assert_has(&out, "katalon-prep.yml:6:7: `no-such-rule` is not a lint rule");
    assert_lacks(&out, "-noSplash");
    let out = check_args(&p, &line("-retry=1"));
    assert_code(&out, 10);
    assert_has(&out, "katalon-prep.yml:6:7: `no-such-rule` is not a lint rule");
}

#[test]
fn allowing_a_rule_never_relaxes_what_is_not_a_lint() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nplugins:\n  - url: https://example.com/x.jar\n");
    let out = p.prepare().args(["--allow", "unknown-option", "--allow", "unlisted-option"]).output().unwrap();
    assert_code(&out, 10);
    assert_has(&out, "a `url` plugin needs a `sha256`");
    let out = p.cmd().args(["check", "--allow", "unpinned-url"]).output().unwrap();
    assert_code(&out, 10);
    assert_has(&out, "`unpinned-url` cannot be allowed");
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\nlint: { allow: [unpinned-url] }\n");
    assert_code(&p.cmd().arg("check").output().unwrap(), 10);
}

// ---- documented examples (Katalon's page "Command-line syntax in Katalon Runtime Engine") ----

/// The examples of issue 10, each completed by the suite of [`line`].
const DOCUMENTED: &[&str] = &[
    "-enableLicenseRetry=true -licenseRetryMaxDuration=10 -licenseRetryInterval=3 -licenseRetryMaxJitter=1",
    "-testOps.enabled=true '-testOps.testRunName=Nightly run' -testOps.serverUrl=https://testops.katalon.io \
     '-testOps.tag=t1, t2' '-testOps.customField=k1:v1, k2:v2' -testOps.baselineCollectionId=42",
    "-browserType=\"TestCloud\" -testcloudEnvironmentId=12 -testcloudTunnel=true",
    "-delayBetweenInstances=5 -appiumDirectory=/opt/appium",
    "--config -proxy.auth.option=MANUAL_CONFIG -proxy.auth.server.type=HTTP \
     -proxy.auth.server.address=proxy.example.com -proxy.auth.server.port=8080",
];

#[test]
fn every_documented_example_passes_check() {
    for project in [Fixture::shop(), shop_saved_by(Some("10.3.1"), None)] {
        for example in DOCUMENTED {
            let out = check_args(&project, &line(example));
            assert_code(&out, 0);
            assert_lacks(&out, "error[");
        }
    }
}

#[test]
fn prepare_emits_every_documented_example() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n");
    for example in DOCUMENTED {
        let words = crate::support::shell_split(example);
        let out = p.prepare().arg("--").args(&words).output().unwrap();
        assert_code(&out, 0);
        let emitted = crate::support::shell_split(stdout(&out).trim());
        for word in &words {
            assert!(emitted.contains(word), "{word} not emitted in {emitted:?}");
        }
    }
}

// ---- the rules from the documentation: each exits 13 under --strict, naming the option ----

#[test]
fn each_new_rule_fires_and_names_the_option_under_strict() {
    let p = Fixture::shop();
    let suite = "-projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login'";
    let cases: &[(&str, &str, &str, &str)] = &[
        // (line after katalonc, rule, severity without --strict, option named)
        ("-projectPath=shop.prj -browserType=Chrome", "no-target", "error", "-testSuitePath"),
        (
            "-projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login' -testSuiteCollectionPath='Test Suites/Nightly'",
            "two-targets",
            "error",
            "-testSuiteCollectionPath",
        ),
        ("-licenseRetryInterval=2", "license-retry", "error", "-licenseRetryInterval=2"),
        ("-licenseRetryMaxDuration=5 -licenseRetryInterval=10", "license-retry", "error", "-licenseRetryMaxDuration=5"),
        ("-licenseRetryInterval=30", "license-retry", "error", "the default `-licenseRetryMaxDuration` of 20"),
        ("-licenseRetryInterval=4 -licenseRetryMaxJitter=5", "license-retry", "error", "-licenseRetryMaxJitter=5"),
        ("-licenseRelease=true", "license-release-without-org", "warning", "-orgID"),
        ("-reportFileName=run1", "ignored-option", "warning", "-reportFileName"),
        ("-remoteWebDriverType=Appium", "ignored-option", "warning", "-remoteWebDriverType"),
        ("-deviceId=emulator-5554", "ignored-option", "warning", "-deviceId"),
        (
            "-browserType=TestCloud -testcloudTunnel=true",
            "testcloud-without-environment",
            "error",
            "-testcloudEnvironmentId",
        ),
        ("-consoleLog", "windows-cmd-only", "warning", "-consoleLog"),
        ("-noExit", "windows-cmd-only", "warning", "-noExit"),
        ("-retry=two", "not-integer", "error", "-retry"),
        ("-testOps.enabled=yes", "not-boolean", "error", "-testOps.enabled"),
        ("-testOps.futureSetting=1", "unlisted-option", "warning", "-testOps.futureSetting"),
    ];
    for (rest, rule, severity, named) in cases {
        let text =
            if rest.contains("-projectPath") { format!("katalonc {rest}") } else { format!("katalonc {suite} {rest}") };
        let out = check_args(&p, &text);
        assert_has(&out, &format!("{severity}[{rule}]"));
        assert_code(&out, if *severity == "error" { 13 } else { 0 });
        let out = p.cmd().args(["check", "--strict", "--args", &text]).output().unwrap();
        assert_code(&out, 13);
        let finding = stdout(&out).split("\n\n").find(|b| b.starts_with(&format!("error[{rule}]"))).map(String::from);
        let finding = finding.unwrap_or_else(|| panic!("no error[{rule}] for {text}:\n{}", stdout(&out)));
        assert!(finding.contains(named), "{rule} does not name {named}:\n{finding}");
    }
}

#[test]
fn license_retry_within_the_rules_is_quiet() {
    let p = Fixture::shop();
    let out = check_args(&p, &line("-licenseRetryMaxDuration=30 -licenseRetryInterval=30 -licenseRetryMaxJitter=30"));
    assert_code(&out, 0);
    assert_lacks(&out, "license-retry");
    assert_lint_lacks(&check_args(&p, &line("-licenseRelease=true -orgID=42")), "license-release-without-org");
    assert_lint_lacks(&check_args(&p, &line("-licenseRelease=false")), "license-release-without-org");
    assert_lint_lacks(&check_args(&p, &line("-reportFolder=r -reportFileName=run1")), "ignored-option");
}

#[test]
fn no_target_is_a_warning_for_prepare_and_args_and_an_error_for_run() {
    let p = Fixture::shop();
    p.config("run:\n  browser: Chrome\n");
    let out = p.prepare().output().unwrap();
    assert_code(&out, 0);
    assert_has(&out, "warning: the line has neither `-testSuitePath` nor `-testSuiteCollectionPath`");
    assert_code(&p.cmd().args(["args", "--without-api-key"]).output().unwrap(), 0);
    let katalonc = p.fake_katalonc("katalonc");
    let out = p.cmd_with_key().arg("run").arg("--katalonc").arg(&katalonc).output().unwrap();
    assert_code(&out, 13);
    assert_has(
        &out,
        "the line has neither `-testSuitePath` nor `-testSuiteCollectionPath`: katalonc has nothing to run [no-target]",
    );
    assert!(!p.path("fake/argv").exists(), "katalonc was not started");
    // A shard gives the target.
    let out = p
        .cmd_with_key()
        .args(["run", "--suite", "Test Suites/Smoke/Login", "--katalonc"])
        .arg(&katalonc)
        .output()
        .unwrap();
    assert_code(&out, 0);
}

// ---- false findings seen on real projects ----

/// The shop fixture whose Nightly collection runs Login on IE and Cart on Safari.
fn shop_with_windows_and_mac_entries() -> Fixture {
    let p = Fixture::shop();
    let nightly = p
        .read("Test Suites/Nightly.ts")
        .replacen(
            "<runConfigurationId>Chrome (headless)</runConfigurationId>",
            "<runConfigurationId>IE</runConfigurationId>",
            1,
        )
        .replace(
            "<runConfigurationId>Firefox (headless)</runConfigurationId>",
            "<runConfigurationId>Safari</runConfigurationId>",
        );
    p.write("Test Suites/Nightly.ts", nightly);
    p
}

#[test]
fn run_browser_overrides_the_collections_browsers_so_they_are_not_linted() {
    let p = shop_with_windows_and_mac_entries();
    p.config("run:\n  test-suite-collection: Test Suites/Nightly\n");
    let out = p.cmd().env("RUNNER_OS", "Linux").arg("check").output().unwrap();
    assert_has(&out, "warning[browser-not-on-linux]: `IE` does not run on Linux");
    assert_has(&out, "`Safari` does not run on Linux");
    p.config("run:\n  test-suite-collection: Test Suites/Nightly\n  browser: Chrome (headless)\n");
    let out = p.cmd().env("RUNNER_OS", "Linux").args(["check", "--strict"]).output().unwrap();
    assert_code(&out, 0);
    assert_lacks(&out, "browser-not-on");
    p.config("run:\n  test-suite-collection: Test Suites/Nightly\n  args: [\"-browserType=Firefox\"]\n");
    assert_lint_lacks(&p.cmd().env("RUNNER_OS", "Linux").arg("check").output().unwrap(), "browser-not-on");
}

#[test]
fn browsers_are_checked_against_the_system_the_run_is_on() {
    let p = Fixture::shop();
    let out = p.cmd().env("RUNNER_OS", "macOS").args(["check", "--args", &line("-browserType=IE")]).output().unwrap();
    assert_has(&out, "warning[browser-not-on-os]: `IE` does not run on macOS, and this run is on macOS");
    let out =
        p.cmd().env("RUNNER_OS", "macOS").args(["check", "--args", &line("-browserType=Safari")]).output().unwrap();
    assert_lint_lacks(&out, "browser-not-on");
    let out =
        p.cmd().env("RUNNER_OS", "Windows").args(["check", "--args", &line("-browserType=Safari")]).output().unwrap();
    assert_has(&out, "`Safari` does not run on Windows");
}

#[test]
fn matrix_warns_about_shards_whose_browser_cannot_run_on_the_runners() {
    let p = shop_with_windows_and_mac_entries();
    let matrix = |extra: &[&str], runner: Option<&str>| {
        let mut cmd = p.cmd();
        if let Some(os) = runner {
            cmd.env("RUNNER_OS", os);
        }
        cmd.args(["matrix", "--collection", "Test Suites/Nightly"]).args(extra).output().unwrap()
    };
    let out = matrix(&["--runner-os", "linux"], Some("Windows"));
    assert_code(&out, 0);
    assert_has(
        &out,
        "1 shard uses `IE`, which does not run on Linux, where the shards run: Test Suites/Smoke/Login [browser-not-on-linux]",
    );
    assert_has(&out, "1 shard uses `Safari`, which does not run on Linux");
    assert!(stdout(&out).contains("\"browser\":\"IE\""), "the matrix is still printed");
    // RUNNER_OS when --runner-os is not given.
    let out = matrix(&[], Some("Windows"));
    assert_lacks(&out, "`IE`, which");
    assert_has(
        &out,
        "1 shard uses `Safari`, which does not run on Windows, where the shards run: Test Suites/Regression/Cart [browser-not-on-os]",
    );
    let out = matrix(&["--runner-os", "macos"], None);
    assert_has(&out, "`IE`, which does not run on macOS");
    assert_lacks(&out, "`Safari`, which");
    // The rule can be allowed like any other.
    let out = matrix(&["--runner-os", "linux", "--allow", "browser-not-on-linux"], None);
    assert_lacks(&out, "does not run on");
}

#[test]
fn a_finding_about_an_extra_option_says_it_came_after_double_dash() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  args: [\"-retry=1\", \"-consoleLog\"]\n");
    let out = p.prepare().args(["--", "-statusDelay=5", "-noExit"]).output().unwrap();
    assert_code(&out, 0);
    assert_has(&out, "warning: katalon-prep.yml:3:22: `-consoleLog` is for an interactive Windows cmd window");
    assert_has(&out, "warning: argument 2 after `--`: `-noExit` is for an interactive Windows cmd window");
    assert_lacks(&out, "`run --` argument");
}

// ---- secrets ----

#[test]
fn a_key_in_a_cmd_or_powershell_line_is_never_printed() {
    let p = Fixture::shop();
    let key = crate::support::SENTINEL;
    for text in [
        format!("katalonc.exe -projectPath=shop.prj ^\n -apiKey={key} ^\n -testSuitePath=\"Test Suites/Smoke/Login\""),
        format!("katalonc.exe -apiKey={key} -retry=%RETRY%"),
        format!("& \"C:\\K\\katalonc.exe\" -apiKey=\"{key}\" `\n -retry=1"),
    ] {
        for format in ["text", "json"] {
            let out = p
                .cmd()
                .env("GITHUB_ACTIONS", "true")
                .args(["check", "--format", format, "--args", &text])
                .output()
                .unwrap();
            assert_code(&out, 13);
            assert_has(&out, "not-posix-shell");
            // `::add-mask::` is the one line that must carry it, so the runner masks it.
            assert_eq!(stderr(&out).lines().filter(|l| l.starts_with("::add-mask::")).count(), 1, "{}", stderr(&out));
            let shown: String = format!("{}{}", stdout(&out), stderr(&out))
                .lines()
                .filter(|l| !l.starts_with("::add-mask::"))
                .collect();
            assert!(!shown.contains(key), "{shown}");
        }
    }
}

#[test]
fn the_documented_proxy_section_in_the_config_is_not_a_repeat() {
    let p = Fixture::shop();
    p.config(
        "run:\n  test-suite: Test Suites/Smoke/Login\n  config:\n    proxy.auth.option: MANUAL_CONFIG\n    proxy.auth.server.type: HTTP\n    \
         proxy.auth.server.address: proxy.example.com\n    proxy.auth.server.port: 8080\n    proxy.auth.username: me\n    \
         proxy.auth.excludes: localhost\n    proxy.system.option: NO_PROXY\n",
    );
    let out = p.cmd().args(["check", "--strict"]).output().unwrap();
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "0 errors, 0 warnings, 0 notes\n");
    let out = p.prepare().output().unwrap();
    assert_code(&out, 0);
    let line = crate::support::shell_split(stdout(&out).trim());
    let config = line.iter().position(|w| w == "--config").expect("--config");
    assert_eq!(line[config + 1..].iter().filter(|w| w.starts_with("-proxy.auth.")).count(), 6, "{line:?}");
}

#[test]
fn init_recognises_the_program_as_check_does_windows_paths_included() {
    let p = Fixture::shop();
    let out = p
        .cmd()
        .args([
            "init",
            "--from-args",
            r#"C:\Katalon\katalonc.exe -projectPath=shop.prj -testSuitePath="Test Suites/Smoke/Login" -retry=2"#,
        ])
        .output()
        .unwrap();
    assert_code(&out, 0);
    // Unescaped as POSIX would, the program word becomes `C:Katalonkatalonc.exe`: it must not be read as an option or word.
    assert_lacks(&out, "Katalonkatalonc");
    let config = p.read("katalon-prep.yml");
    assert!(
        config.contains("test-suite: \"Test Suites/Smoke/Login\"")
            || config.contains("test-suite: Test Suites/Smoke/Login"),
        "{config}"
    );
    assert!(!config.contains("Katalonkatalonc"), "{config}");
}
