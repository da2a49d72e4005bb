//! `katalon-prep init`: a config that loads (then `args` and `check` work) on
//! the demo project and on 6.x- and 10.x-style projects; `--from-args` on
//! real-world katalonc lines gives the same line minus the key; the key and
//! other credentials are written nowhere; nothing is overwritten without
//! `--force`; the CI files are the documented templates and pass their checks.

use std::path::Path;

use katalon_prep_fakes::FakeServer;
use predicates::prelude::*;

use crate::remote::{account, publish};
use crate::support::{Fixture, SENTINEL, keyword_jar, platform_jar, stderr, stdout};

/// A copy of `examples/demo` without its config: a project as a user has it.
fn demo() -> Fixture {
    let f = Fixture::empty();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo"), f.root());
    std::fs::remove_file(f.path("katalon-prep.yml")).expect("remove the demo's config");
    // What README's quick start leaves in the demo (`prepare` there writes
    // Plugins/ and the offline setting, both git-ignored) is not the project.
    for made in ["Plugins", "settings"] {
        let _ = std::fs::remove_dir_all(f.path(made));
    }
    f
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `args --without-api-key --format json` in the fixture: the line as argv.
fn line_of(f: &Fixture) -> Vec<String> {
    let out = f.cmd().args(["args", "--without-api-key", "--format", "json"]).output().expect("run args");
    assert!(out.status.success(), "args failed\n{}", crate::support::report(&out));
    serde_json::from_str(&stdout(&out)).expect("a JSON array")
}

/// The line as katalonc reads it: the main section and the `--config`
/// section, each in an order-free form (jopt-simple does not care).
fn sections(argv: &[String]) -> (Vec<String>, Vec<String>) {
    let at = argv.iter().position(|a| a == "--config").unwrap_or(argv.len());
    let mut main = argv[..at].to_vec();
    let mut config = argv.get(at + 1..).unwrap_or_default().to_vec();
    main.sort();
    config.sort();
    (main, config)
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Runs `init` with `args` and asserts it succeeded without the sentinel on
/// either stream.
fn init_ok(f: &Fixture, args: &[&str]) -> std::process::Output {
    let out = f.cmd().arg("init").args(args).output().expect("run init");
    let (o, e) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "init failed\n{}", crate::support::report(&out));
    assert!(!o.contains(SENTINEL) && !e.contains(SENTINEL), "the key was printed\n{}", crate::support::report(&out));
    out
}

#[test]
fn demo_project_gets_a_config_that_args_and_check_accept() {
    let f = demo();
    let out = init_ok(&f, &["--yes", "--suite", "Test Suites/Smoke", "--profile", "staging"]);
    let err = stderr(&out);
    assert!(err.contains("Wrote katalon-prep.yml for Demo.prj, Katalon 9.7.2"), "{err}");
    assert!(
        err.contains(
            "Project Demo.prj (Katalon 9.7.2)\n  suites: Test Suites/Regression/Checkout, Test Suites/Smoke\n  \
             collections: Test Suites/Nightly\n  profiles: default, staging"
        ),
        "{err}"
    );
    let text = f.read("katalon-prep.yml");
    for expected in [
        "project: \"Demo.prj\"",
        "test-suite: \"Test Suites/Smoke\"",
        "profile: \"staging\"",
        "browser: \"Chrome (headless)\"",
        "offline: true",
        "app-version: \"9.7.2\"",
        "#   Test Suites/Nightly              (collection)",
        "KATALON_API_KEY",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(
        line_of(&f),
        strings(&[
            "-noSplash",
            "-runMode=console",
            "-projectPath=Demo.prj",
            "-testSuitePath=Test Suites/Smoke",
            "-browserType=Chrome (headless)",
            "-executionProfile=staging",
        ])
    );
    f.cmd().arg("check").assert().success();
}

#[test]
fn several_suites_and_no_choice_leaves_the_target_to_fill_in() {
    let f = demo();
    let out = init_ok(&f, &["--yes"]);
    assert!(stderr(&out).contains("No test suite chosen (3 in the project)"), "{}", stderr(&out));
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("  # test-suite: \"Test Suites/...\""), "{text}");
    assert!(text.contains("profile: \"default\""), "{text}");
    // It still loads: `args` gives the line without a target.
    assert!(!line_of(&f).iter().any(|a| a.starts_with("-testSuitePath")));
}

#[test]
fn legacy_6x_project_takes_its_created_version_and_a_collection_keeps_its_browsers() {
    let f = Fixture::copy_of("legacy6");
    init_ok(&f, &["--yes", "--suite", "Test Suites/Everything.ts"]);
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("from the project's <createdVersion>"), "{text}");
    assert!(text.contains("app-version: \"6.3.3\""), "{text}");
    assert!(text.contains("test-suite-collection: \"Test Suites/Everything\""), "{text}");
    assert!(text.contains("  # browser: "), "a collection gets no -browserType unless asked:\n{text}");
    assert_eq!(
        line_of(&f),
        strings(&[
            "-noSplash",
            "-runMode=console",
            "-projectPath=Legacy.prj",
            "-testSuiteCollectionPath=Test Suites/Everything",
            "-executionProfile=default",
        ])
    );
}

#[test]
fn legacy_6x_line_gets_the_lint_of_its_katalon_version() {
    let f = Fixture::copy_of("legacy6");
    let out = init_ok(
        &f,
        &[
            "--from-args",
            "katalonc -projectPath=Legacy.prj -testSuitePath=Test\\ Suites/Web/Login -licenseRelease=true -orgID=7",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("newer-option"), "{err}");
    assert!(err.contains("`-licenseRelease` needs Katalon 8.0 or newer; the project was created with 6.3.3"), "{err}");
    let (main, _) = sections(&line_of(&f));
    assert!(main.contains(&"-licenseRelease=true".to_string()) && main.contains(&"-orgID=7".to_string()));
}

#[test]
fn modern_10x_project_with_a_custom_browser_and_plugins_moved_then_installed_by_prepare() {
    let f = Fixture::copy_of("modern10");
    f.write("Plugins/storefront-keywords-2.1.0.jar", keyword_jar("Storefront"));
    f.write("Plugins/platform/grid-bundle-1.0.jar", platform_jar("com.example.grid"));
    let out = init_ok(
        &f,
        &[
            "--move-plugins",
            "--from-args",
            "./katalonc -noSplash -runMode=console -projectPath=\"$(pwd)/Storefront.prj\" \
             -testSuiteCollectionPath=\"Test Suites/Collections/Release\" -browserType=\"Chrome Grid\" \
             -executionProfile=ci -g_user=qa-bot -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "Moved Plugins/storefront-keywords-2.1.0.jar to vendor/katalon-plugins/storefront-keywords-2.1.0.jar"
        ),
        "{err}"
    );
    assert!(err.contains("-projectPath=$(pwd)/Storefront.prj does not exist here"), "{err}");
    assert!(!f.path("Plugins/storefront-keywords-2.1.0.jar").exists());
    assert!(f.path("vendor/katalon-plugins/platform/grid-bundle-1.0.jar").is_file());
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("app-version: \"10.2.0\""), "{text}");
    assert!(
        text.contains("  - path: \"vendor/katalon-plugins/platform/grid-bundle-1.0.jar\"\n    kind: platform"),
        "{text}"
    );
    // The moved jars go back where katalonc loads them, now pinned by katalon-prep.
    f.cmd_with_key().arg("prepare").assert().success();
    assert!(f.path("Plugins/storefront-keywords-2.1.0.jar").is_file());
    assert!(f.path("Plugins/platform/grid-bundle-1.0.jar").is_file());
    let (main, _) = sections(&line_of(&f));
    assert!(main.contains(&"-browserType=Chrome Grid".to_string()), "{main:?}");
    f.assert_no_file_contains(SENTINEL, &[]);
}

#[test]
fn jars_stay_in_plugins_unless_moving_is_asked_for() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    let out = init_ok(&f, &["--yes", "--suite", "Test Suites/Smoke"]);
    assert!(stderr(&out).contains("The project's Plugins/ holds 1 jar:\n  Plugins/demo-keywords-1.0.0.jar"));
    assert!(f.path("Plugins/demo-keywords-1.0.0.jar").is_file());
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("# plugins:\n# Still in the project's Plugins/"), "{text}");
    assert!(text.contains("#   Plugins/demo-keywords-1.0.0.jar"), "{text}");
}

#[test]
fn a_different_file_at_the_vendor_path_stops_init_before_anything_moves() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    f.write("vendor/katalon-plugins/demo-keywords-1.0.0.jar", keyword_jar("Other"));
    f.cmd()
        .args(["init", "--yes", "--suite", "Test Suites/Smoke", "--move-plugins"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains(
            "vendor/katalon-plugins/demo-keywords-1.0.0.jar already exists and differs from Plugins/demo-keywords-1.0.0.jar",
        ));
    assert!(f.path("Plugins/demo-keywords-1.0.0.jar").is_file());
    assert!(!f.path("katalon-prep.yml").exists());
}

#[test]
fn an_existing_config_is_not_overwritten_without_force() {
    let f = demo();
    f.config("# mine\n");
    f.cmd()
        .args(["init", "--yes", "--suite", "Test Suites/Smoke"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml already exists; `init` does not overwrite it"))
        .stderr(predicate::str::contains("hint: pass --force"));
    assert_eq!(f.read("katalon-prep.yml"), "# mine\n");
    init_ok(&f, &["--yes", "--suite", "Test Suites/Smoke", "--force"]);
    assert!(f.read("katalon-prep.yml").contains("test-suite: \"Test Suites/Smoke\""));
}

#[test]
fn an_existing_ci_file_stops_init_before_the_config_is_written() {
    let f = demo();
    f.write(".github/workflows/katalon.yml", "name: mine\n");
    f.cmd()
        .args(["init", "--yes", "--ci", "github"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains(".github/workflows/katalon.yml already exists"));
    assert!(!f.path("katalon-prep.yml").exists());
    assert_eq!(f.read(".github/workflows/katalon.yml"), "name: mine\n");
}

#[test]
fn a_suite_or_profile_the_project_lacks_is_refused_with_the_closest() {
    let f = demo();
    f.cmd()
        .args(["init", "--yes", "--suite", "Test Suites/Smok"])
        .assert()
        .code(12)
        .stderr(predicate::str::contains("did you mean `Test Suites/Smoke`?"));
    f.cmd()
        .args(["init", "--yes", "--suite", "Test Suites/Smoke", "--profile", "stagin"])
        .assert()
        .code(12)
        .stderr(predicate::str::contains("did you mean `staging`?"));
    assert!(!f.path("katalon-prep.yml").exists());
}

#[test]
fn prompts_take_numbers_names_and_defaults_from_stdin() {
    let f = demo();
    // Target 3 (Test Suites/Smoke), profile by name, browser typed, plugins: none to ask about.
    f.cmd()
        .args(["init", "--interactive"])
        .write_stdin("3\nstaging\nFirefox\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("  1) Test Suites/Nightly (collection)"))
        .stderr(predicate::str::contains("Run which one"));
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("test-suite: \"Test Suites/Smoke\""), "{text}");
    assert!(text.contains("profile: \"staging\""), "{text}");
    assert!(text.contains("browser: \"Firefox\""), "{text}");
}

#[test]
fn prompts_offer_the_line_as_defaults_and_end_of_input_takes_them() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    f.cmd()
        .args([
            "init",
            "--interactive",
            "--from-args",
            "-testSuitePath='Test Suites/Regression/Checkout' -executionProfile=staging",
        ])
        .write_stdin("\n\n\n\ny\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("Run which one [Test Suites/Regression/Checkout]"))
        .stderr(predicate::str::contains("Move them to vendor/katalon-plugins/"));
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("test-suite: \"Test Suites/Regression/Checkout\""), "{text}");
    assert!(text.contains("profile: \"staging\""), "{text}");
    assert!(text.contains("browser: \"Chrome (headless)\""), "{text}");
    assert!(text.contains("- path: \"vendor/katalon-plugins/demo-keywords-1.0.0.jar\""), "{text}");
    assert!(f.path("vendor/katalon-plugins/demo-keywords-1.0.0.jar").is_file());
}

/// Real-world katalonc lines (workflows, scripts, Jenkinsfiles, Katalon's
/// docs), each with the line `args` must give back: the same options minus
/// the key and other credentials, with the project as found here, separate
/// values joined and `.ts` dropped (what katalonc reads is the same).
const LINES: &[(&str, &[&str], &[&str])] = &[
    (
        // The official GitHub action's `args:`.
        "-retry=0 -testSuitePath=\"Test Suites/Smoke\" -browserType=\"Chrome (headless)\" -executionProfile=\"default\" -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086 --config -webui.autoUpdateDrivers=true",
        &[
            "-retry=0",
            "-testSuitePath=Test Suites/Smoke",
            "-browserType=Chrome (headless)",
            "-executionProfile=default",
        ],
        &["-webui.autoUpdateDrivers=true"],
    ),
    (
        // The official image's README.
        "docker run -t --rm -v \"$(pwd)\":/tmp/project katalonstudio/katalon katalonc.sh -projectPath=/tmp/project/Demo.prj -browserType=\"Chrome\" -retry=0 -statusDelay=15 -testSuitePath=\"Test Suites/Smoke\" -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086",
        &["-browserType=Chrome", "-retry=0", "-statusDelay=15", "-testSuitePath=Test Suites/Smoke"],
        &[],
    ),
    (
        // A workflow relying on the empty-value quirk.
        "katalonc -noSplash -runMode=console -projectPath=\"${{ github.workspace }}/Demo.prj\" -testSuitePath=\"Test Suites/Smoke\" -apiKey= SENTINEL-kp-5f3a9c1e7b2d4086 -browserType=\"Firefox (headless)\"",
        &["-testSuitePath=Test Suites/Smoke", "-browserType=Firefox (headless)"],
        &[],
    ),
    (
        // A shell script with continuation lines and a log pipe.
        "./katalonc \\\n  -noSplash \\\n  -runMode=console \\\n  -projectPath=\"Demo.prj\" \\\n  -testSuiteCollectionPath=\"Test Suites/Nightly\" \\\n  -apiKey=\"SENTINEL-kp-5f3a9c1e7b2d4086\" \\\n  -statusDelay=30 2>&1 | tee katalon.log",
        &["-testSuiteCollectionPath=Test Suites/Nightly", "-statusDelay=30"],
        &[],
    ),
    (
        // A Windows agent's batch line (POSIX-compatible quoting).
        "\"C:\\Katalon\\katalonc.exe\" -noSplash -runMode=console -projectPath=\"Demo.prj\" -retry=1 -testSuitePath=\"Test Suites/Smoke\" -browserType=\"Chrome\" -executionProfile=\"staging\" -apiKey=\"SENTINEL-kp-5f3a9c1e7b2d4086\"",
        &["-retry=1", "-testSuitePath=Test Suites/Smoke", "-browserType=Chrome", "-executionProfile=staging"],
        &[],
    ),
    (
        // A corporate proxy, its password from a variable.
        "katalonc.sh -projectPath=Demo.prj -testSuitePath='Test Suites/Smoke' -browserType=Chrome -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086 --config -proxy.option=MANUAL_CONFIG -proxy.server.type=HTTP -proxy.server.address=proxy.corp.example -proxy.server.port=8080 -proxy.username=ci-bot -proxy.password=SENTINEL-kp-5f3a9c1e7b2d4086",
        &["-testSuitePath=Test Suites/Smoke", "-browserType=Chrome"],
        &[
            "-proxy.option=MANUAL_CONFIG",
            "-proxy.server.type=HTTP",
            "-proxy.server.address=proxy.corp.example",
            "-proxy.server.port=8080",
            "-proxy.username=ci-bot",
        ],
    ),
    (
        // A collection with globals, organisation and licence release.
        "katalonc -noSplash -runMode=console -projectPath=Demo.prj -testSuiteCollectionPath=\"Test Suites/Nightly\" -executionProfile=staging -g_baseUrl=https://qa.example.com -g_timeoutSeconds=20 -apikey=SENTINEL-kp-5f3a9c1e7b2d4086 -orgID=123456 -licenseRelease=true",
        &[
            "-testSuiteCollectionPath=Test Suites/Nightly",
            "-executionProfile=staging",
            "-g_baseUrl=https://qa.example.com",
            "-g_timeoutSeconds=20",
            "-orgID=123456",
            "-licenseRelease=true",
        ],
        &[],
    ),
    (
        // Kobiton devices: the token is a credential.
        "katalonc -projectPath=Demo.prj -testSuitePath=\"Test Suites/Smoke\" -browserType=\"Kobiton Device\" -kobitonUserName=qa -kobitonToken=SENTINEL-kp-5f3a9c1e7b2d4086 -kobitonDeviceId=42 -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086",
        &[
            "-testSuitePath=Test Suites/Smoke",
            "-browserType=Kobiton Device",
            "-kobitonUserName=qa",
            "-kobitonDeviceId=42",
        ],
        &[],
    ),
    (
        // Values written apart from their options.
        "katalonc -projectPath Demo.prj -testSuitePath \"Test Suites/Smoke\" -browserType Firefox -retry 2 -apiKey SENTINEL-kp-5f3a9c1e7b2d4086",
        &["-testSuitePath=Test Suites/Smoke", "-browserType=Firefox", "-retry=2"],
        &[],
    ),
    (
        // Reports, retries and mail; a `.ts` in the suite's path.
        "katalonc -projectPath=Demo.prj -testSuitePath=\"Test Suites/Regression/Checkout.ts\" -reportFolder=reports/katalon -reportFileName=report -retryFailedTestCases=true -retryStrategy=failedExecutions -maxFailedTests=5 -sendMail=qa@example.com -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086",
        &[
            "-testSuitePath=Test Suites/Regression/Checkout",
            "-reportFolder=reports/katalon",
            "-reportFileName=report",
            "-retryFailedTestCases=true",
            "-retryStrategy=failedExecutions",
            "-maxFailedTests=5",
            "-sendMail=qa@example.com",
        ],
        &[],
    ),
    (
        // TestOps and an on-premise licence server.
        "katalonc -projectPath=Demo.prj -testSuitePath=\"Test Suites/Smoke\" -testOpsProjectId=123 -testOpsReleaseId=45 -serverUrl=https://katalon.corp.example -apiKeyOnPremise=SENTINEL-kp-5f3a9c1e7b2d4086",
        &[
            "-testSuitePath=Test Suites/Smoke",
            "-testOpsProjectId=123",
            "-testOpsReleaseId=45",
            "-serverUrl=https://katalon.corp.example",
        ],
        &[],
    ),
    (
        // A remote Selenium grid and a properties file.
        "katalonc.sh -noSplash -runMode=console -projectPath=./Demo.prj -testSuitePath='Test Suites/Smoke' -browserType=Remote -remoteWebDriverUrl=http://grid:4444/wd/hub -remoteWebDriverType=Selenium -propertiesFile=ci.properties -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086 --config -webui.autoUpdateDrivers=false -proxy.option=NO_PROXY",
        &[
            "-testSuitePath=Test Suites/Smoke",
            "-browserType=Remote",
            "-remoteWebDriverUrl=http://grid:4444/wd/hub",
            "-remoteWebDriverType=Selenium",
            "-propertiesFile=ci.properties",
        ],
        &["-webui.autoUpdateDrivers=false", "-proxy.option=NO_PROXY"],
    ),
    (
        // A Jenkins `bat` step: cmd's `^` continuations, `%VAR%`, a Windows path.
        "\"C:\\Program Files\\Katalon\\katalonc.exe\" -noSplash -runMode=console ^\r\n  -projectPath=\"%WORKSPACE%\\Demo.prj\" ^\r\n  -testSuitePath=\"Test Suites/Smoke\" -browserType=\"Chrome\" ^\r\n  -apiKey=SENTINEL-kp-5f3a9c1e7b2d4086 -reportFolder=reports",
        &["-testSuitePath=Test Suites/Smoke", "-browserType=Chrome", "-reportFolder=reports"],
        &[],
    ),
    (
        // An Azure PowerShell step: the call operator, backtick continuations, `$env:`.
        "& \"C:\\Katalon\\katalonc.exe\" -noSplash -runMode=console `\n  -projectPath=\"$env:BUILD_SOURCESDIRECTORY\\Demo.prj\" `\n  -testSuiteCollectionPath=\"Test Suites/Nightly\" -apiKey=\"SENTINEL-kp-5f3a9c1e7b2d4086\" -g_baseUrl=https://qa.example.com",
        &["-testSuiteCollectionPath=Test Suites/Nightly", "-g_baseUrl=https://qa.example.com"],
        &[],
    ),
];

#[test]
fn from_args_gives_the_same_line_minus_the_key_on_real_world_lines() {
    for (i, (line, main, config)) in LINES.iter().enumerate() {
        let f = Fixture::project();
        let out = f.cmd().env("RUST_LOG", "trace").args(["init", "--from-args", line]).output().expect("init");
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(out.status.success(), "line {i}: init failed\n{}", crate::support::report(&out));
        assert!(
            !o.contains(SENTINEL) && !e.contains(SENTINEL),
            "line {i}: the key was printed\n{}",
            crate::support::report(&out)
        );
        assert!(e.contains("KATALON_API_KEY"), "line {i}: no word on where the key goes:\n{e}");
        if line.contains('^') || line.contains('`') {
            assert!(e.contains("the line is written for"), "line {i}: the dialect is not said:\n{e}");
        }
        let text = f.read("katalon-prep.yml");
        f.assert_no_file_contains(SENTINEL, &[]);
        let mut expected: Vec<String> = strings(&["-noSplash", "-runMode=console", "-projectPath=Demo.prj"]);
        expected.extend(strings(main));
        expected.sort();
        let mut expected_config = strings(config);
        expected_config.sort();
        let (got_main, got_config) = sections(&line_of(&f));
        assert_eq!(got_main, expected, "line {i}: main section\n{text}");
        assert_eq!(got_config, expected_config, "line {i}: --config section\n{text}");
        // Nothing the user wrote went missing without a word: the key is
        // named, never shown, and the rest is in the line.
        let again = f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args"]).output().expect("args");
        assert!(
            stdout(&again).contains(&format!("-apiKey={SENTINEL}")),
            "line {i}: the key goes back in from the secret"
        );
    }
}

#[test]
fn credentials_other_than_the_key_are_named_with_how_to_pass_them() {
    let f = Fixture::project();
    let out = init_ok(
        &f,
        &[
            "--from-args",
            "-testSuitePath=Test\\ Suites/Smoke -kobitonToken=SENTINEL-kp-5f3a9c1e7b2d4086 --config -proxy.auth.password=SENTINEL-kp-5f3a9c1e7b2d4086",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("`-kobitonToken` holds a credential: it is left out of the config"), "{err}");
    assert!(err.contains("katalon-prep run -- --config -proxy.auth.password=\"$SECRET\""), "{err}");
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("# `-kobitonToken` (a credential) was on the line and is left out"), "{text}");
    f.assert_no_file_contains(SENTINEL, &[]);
}

#[test]
fn options_after_config_that_katalonc_ignores_there_are_moved_with_a_warning() {
    // The example on Katalon's own page puts ordinary options after --config.
    let f = Fixture::project();
    let out = init_ok(
        &f,
        &[
            "--from-args",
            "-testSuitePath='Test Suites/Smoke' --config -webui.autoUpdateDrivers=true -licenseRelease=true -reportFolder=out",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("wrong-section"), "the lint of the line is shown:\n{err}");
    assert!(err.contains("-licenseRelease, -reportFolder came after `--config`"), "{err}");
    let (main, config) = sections(&line_of(&f));
    assert!(main.contains(&"-licenseRelease=true".to_string()) && main.contains(&"-reportFolder=out".to_string()));
    assert_eq!(config, ["-webui.autoUpdateDrivers=true"]);
}

#[test]
fn a_line_a_shell_would_refuse_is_exit_10_without_quoting_it() {
    let f = Fixture::project();
    let out = f
        .cmd()
        .args(["init", "--from-args", "-apiKey=SENTINEL-kp-5f3a9c1e7b2d4086 '-browserType=Chrome"])
        .output()
        .expect("init");
    crate::support::assert_code(&out, 10);
    let err = stderr(&out);
    assert!(err.contains("--from-args: unterminated single quote at byte 37"), "{err}");
    assert!(!err.contains(SENTINEL), "{err}");
    assert!(!f.path("katalon-prep.yml").exists());
}

#[test]
fn store_plugins_become_store_entries_when_the_store_knows_the_jar() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    f.write("Plugins/in-house-2.0.jar", keyword_jar("InHouse"));
    let store = FakeServer::start();
    account(
        &store,
        &[publish(&store, 1, 42, "Demo Keywords", "1.0.0"), publish(&store, 2, 7, "Excel Keywords", "1.2.3")],
    );
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("KATALON_STORE_URL", store.url())
        .args(["init", "--yes", "--suite", "Test Suites/Smoke", "--store", "--move-plugins"])
        .output()
        .expect("init");
    crate::support::assert_success(&out);
    assert!(!stderr(&out).contains(SENTINEL));
    let text = f.read("katalon-prep.yml");
    assert!(
        text.contains("  # Demo Keywords 1.0.0 from the Store (was Plugins/demo-keywords-1.0.0.jar)\n  - store: 42\n"),
        "{text}"
    );
    assert!(text.contains("  - path: \"vendor/katalon-plugins/in-house-2.0.jar\"\n    kind: keyword"), "{text}");
    assert!(text.contains("  # - store: 7   # Excel Keywords 1.2.3"), "{text}");
    let list = store.requests_for(katalon_prep_fakes::STORE_PATH);
    assert_eq!(list[0].query.as_deref(), Some("appVersion=9.7.2&appType=ENGINE&licenseType=ENTERPRISE"));
    // The written config works against the same Store.
    crate::remote::prepare(&f, &store).assert().success();
    assert!(f.path("Plugins/demo-keywords-1.0.0.jar").is_file());
    f.assert_no_file_contains(SENTINEL, &[]);
}

#[test]
fn store_lookup_without_a_key_is_exit_11_and_writes_nothing() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    f.cmd()
        .args(["init", "--yes", "--store", "--move-plugins"])
        .assert()
        .code(11)
        .stderr(predicate::str::contains("No Katalon API key found"));
    assert!(!f.path("katalon-prep.yml").exists());
    assert!(f.path("Plugins/demo-keywords-1.0.0.jar").is_file());
}

/// Runs a linter on a generated file when it is installed, else says so loudly.
fn lint_with(tool: &str, args: &[&str], file: &Path) {
    match std::process::Command::new(tool).args(args).arg(file).output() {
        Ok(out) => {
            assert!(out.status.success(), "{tool} rejects {}:\n{}{}", file.display(), stdout(&out), stderr(&out))
        }
        Err(_) => eprintln!("SKIPPED: {tool} is not installed; {} not linted with it", file.display()),
    }
}

#[test]
fn ci_files_are_the_documented_templates_and_pass_their_checks() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (system, file) in [
        ("github", ".github/workflows/katalon.yml"),
        ("gitlab", ".gitlab-ci.yml"),
        ("jenkins", "Jenkinsfile"),
        ("azure", "azure-pipelines.yml"),
    ] {
        let f = demo();
        let out = init_ok(&f, &["--yes", "--suite", "Test Suites/Smoke", "--ci", system]);
        assert!(stderr(&out).contains(&format!("Wrote {file}")), "{}", stderr(&out));
        let text = f.read(file);
        assert!(!text.contains("-apiKey"), "{system}: a key option in the CI file");
        let path = f.path(file);
        match system {
            "github" => {
                assert_eq!(text, std::fs::read_to_string(repo.join("examples/github/prepare-and-run.yml")).unwrap());
                lint_with("actionlint", &["-no-color"], &path);
                lint_with("check-jsonschema", &["-q", "--builtin-schema", "vendor.github-workflows"], &path);
            }
            "gitlab" => {
                assert!(!text.contains("$[["), "inputs left:\n{text}");
                let jobs: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
                assert!(jobs.get("katalon-prepare").is_some() && jobs.get("katalon-run").is_some(), "{text}");
                lint_with("check-jsonschema", &["-q", "--builtin-schema", "vendor.gitlab-ci"], &path);
            }
            "jenkins" => assert_eq!(text, std::fs::read_to_string(repo.join("examples/Jenkinsfile")).unwrap()),
            _ => {
                let _: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
                // The schema's patterns need Python's regex dialect.
                lint_with(
                    "check-jsonschema",
                    &["-q", "--regex-variant", "python", "--builtin-schema", "vendor.azure-pipelines"],
                    &path,
                );
            }
        }
        // The templates run `prepare --locked`, which this config passes.
        f.cmd_with_key().args(["prepare", "--locked"]).assert().success();
    }
}

#[test]
fn quiet_init_prints_nothing_but_still_writes() {
    let f = demo();
    f.cmd().args(["-q", "init", "--yes", "--suite", "Test Suites/Smoke"]).assert().success().stdout("").stderr("");
    assert!(f.path("katalon-prep.yml").is_file());
}

#[test]
fn values_from_the_shell_are_kept_as_written_with_a_warning() {
    let f = Fixture::project();
    let out = init_ok(
        &f,
        &["--from-args", "-projectPath=\"$(pwd)/Demo.prj\" -testSuitePath='Test Suites/Smoke' -g_baseUrl=$BASE_URL"],
    );
    let err = stderr(&out);
    assert!(err.contains("`-g_baseUrl` takes its value from the shell or the CI (`$BASE_URL`)"), "{err}");
    // The project is the one found here, not the text of the line: no warning about its `$`.
    assert!(!err.contains("`-projectPath` takes its value"), "{err}");
    let (main, _) = sections(&line_of(&f));
    assert!(main.contains(&"-g_baseUrl=$BASE_URL".to_string()), "{main:?}");
}

#[test]
fn no_spelling_of_a_credential_reaches_a_file_or_an_output() {
    for line in [
        format!("-ApiKey={SENTINEL} -retry=1"),
        format!("--APIKEY={SENTINEL} -retry=1"),
        format!("-apiKeyOP={SENTINEL} -retry=1"),
        format!("-apiKey {SENTINEL} -retry=1"),
        format!("-apiKey=\"{SENTINEL}\" -retry=1 --config -kobiton.authentication.password={SENTINEL}"),
        format!("-retry=1 --config -proxy.auth.password={SENTINEL} -proxy.system.password={SENTINEL}"),
        format!("-retry=1 -g_apiToken={SENTINEL}"),
        // A credential that is a variable named like the placeholder of init's own advice.
        format!("-retry=1 -kobitonToken=$SECRET -apiKey={SENTINEL}"),
    ] {
        let f = Fixture::project();
        let out = f.cmd().env("RUST_LOG", "trace").args(["init", "--yes", "--from-args", &line]).output().unwrap();
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(out.status.success(), "{line}\n{}", crate::support::report(&out));
        assert!(!all.contains(SENTINEL), "{line}\n{all}");
        f.assert_no_file_contains(SENTINEL, &[]);
        assert!(line_of(&f).contains(&"-retry=1".to_string()), "{line}");
    }
}

#[test]
fn a_config_in_a_subfolder_keeps_the_lines_paths() {
    let f = Fixture::project();
    std::fs::create_dir_all(f.path("ci")).unwrap();
    init_ok(
        &f,
        &[
            "--config",
            "ci/katalon-prep.yml",
            "--from-args",
            "-projectPath=Demo.prj -testSuitePath='Test Suites/Smoke' -reportFolder=out/reports",
        ],
    );
    let text = f.read("ci/katalon-prep.yml");
    assert!(text.contains("project: \"../Demo.prj\"") && text.contains("report-folder: \"../out/reports\""), "{text}");
    let out = f
        .cmd()
        .args(["--config", "ci/katalon-prep.yml", "args", "--without-api-key", "--format", "json"])
        .output()
        .unwrap();
    let argv: Vec<String> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        argv.contains(&"-reportFolder=out/reports".to_string()) && argv.contains(&"-projectPath=Demo.prj".to_string()),
        "{argv:?}"
    );
}

#[test]
fn what_the_conversion_cannot_mend_is_reported_against_the_new_config() {
    let f = Fixture::project();
    let out = init_ok(&f, &["--from-args", "-testSuitePath='Test Suites/Smoke' -testSuitPath=X -statusDelay=soon"]);
    let err = stderr(&out);
    assert!(err.contains("The line the new config gives has findings; `prepare`, `args` and `run` refuse it"), "{err}");
    assert!(err.contains("error[unknown-option]: unknown option `-testSuitPath`"), "{err}");
    assert!(err.contains("--> katalon-prep.yml:"), "the finding points at the config:\n{err}");
    f.cmd().args(["args", "--without-api-key"]).assert().code(13);
}

#[test]
fn questions_and_a_key_on_stdin_cannot_share_it() {
    let f = demo();
    f.cmd()
        .args(["--api-key-stdin", "init", "--interactive", "--store"])
        .write_stdin(format!("{SENTINEL}\n"))
        .assert()
        .code(10)
        .stderr(predicate::str::contains("--api-key-stdin and the questions of `init` would both read standard input"))
        .stderr(predicate::str::contains(SENTINEL).not());
    assert!(!f.path("katalon-prep.yml").exists());
}

#[test]
fn prompts_ask_about_the_store_only_when_a_key_is_there() {
    let f = demo();
    f.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    let store = FakeServer::start();
    account(&store, &[publish(&store, 1, 42, "Demo Keywords", "1.0.0")]);
    // Suite, profile, browser, engine: no, move: no, Store: yes.
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("KATALON_STORE_URL", store.url())
        .args(["init", "--interactive"])
        .write_stdin("3\n\n\nn\nn\ny\n")
        .output()
        .unwrap();
    crate::support::assert_success(&out);
    assert!(stderr(&out).contains("Look them up in the Katalon Store account"));
    assert!(f.read("katalon-prep.yml").contains("  - store: 42\n"));
    // The jar the Store entry replaces leaves Plugins/, where the Store's copy goes.
    assert!(!f.path("Plugins/demo-keywords-1.0.0.jar").exists());
    assert!(f.path("vendor/katalon-plugins/demo-keywords-1.0.0.jar").is_file());
    crate::remote::prepare(&f, &store).assert().success();
    // Without a key the question is not asked (and the Store is not called).
    let g = demo();
    g.write("Plugins/demo-keywords-1.0.0.jar", keyword_jar("Demo"));
    let out = g.cmd().args(["init", "--interactive"]).write_stdin("3\n\n\nn\nn\n").output().unwrap();
    crate::support::assert_success(&out);
    assert!(!stderr(&out).contains("Katalon Store account"), "{}", stderr(&out));
}

#[test]
fn engine_version_is_written_when_asked_for_and_commented_otherwise() {
    let f = Fixture::copy_of("modern10");
    init_ok(&f, &["--yes", "--suite", "Test Suites/Smoke/Search", "--engine"]);
    let text = f.read("katalon-prep.yml");
    assert!(text.contains("\nengine:\n  version: \"10.2.0\"\n"), "{text}");
    // engine.version and store.app-version agree, so the config loads.
    assert!(line_of(&f).contains(&"-testSuitePath=Test Suites/Smoke/Search".to_string()));

    let g = Fixture::copy_of("modern10");
    g.cmd()
        .args(["init", "--interactive", "--suite", "Test Suites/Smoke/Search"])
        .write_stdin("\n\ny\n")
        .assert()
        .success();
    assert!(g.read("katalon-prep.yml").contains("\nengine:\n  version: \"10.2.0\"\n"));

    let h = demo();
    init_ok(&h, &["--yes", "--suite", "Test Suites/Smoke"]);
    assert!(h.read("katalon-prep.yml").contains("\n# engine:\n#   version: \"9.7.2\"\n"));
}
