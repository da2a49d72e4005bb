//! Finding the project and checking what the run names against it (exit 12).

use crate::support;

use predicates::prelude::*;
use support::{Fixture, SENTINEL, native};

fn args(f: &Fixture) -> assert_cmd::Command {
    let mut c = f.cmd();
    c.env("KATALON_API_KEY", SENTINEL).arg("args");
    c
}

#[test]
fn missing_prj_is_a_project_error() {
    let f = Fixture::empty();
    f.config("run:\n  browser: Chrome\n");
    args(&f).assert().code(12).stderr(predicate::str::contains("No Katalon project (.prj) found under"));
}

#[test]
fn ambiguous_prj_lists_candidates() {
    let f = Fixture::empty();
    f.add_project("a");
    f.add_project("b/c");
    f.config("");
    args(&f)
        .assert()
        .code(12)
        .stderr(predicate::str::contains("Several Katalon projects found"))
        .stderr(predicate::str::contains(native("a/Demo.prj")))
        .stderr(predicate::str::contains(native("b/c/Demo.prj")));
}

#[test]
fn project_found_below_the_config_folder() {
    let f = Fixture::empty();
    f.add_project("tests/katalon");
    f.config("");
    args(&f).assert().success().stdout(predicate::str::contains("-projectPath=tests/katalon/Demo.prj"));
}

#[test]
fn project_key_in_config_is_relative_to_the_config_folder() {
    let f = Fixture::empty();
    f.add_project("ci/proj");
    f.add_project("other");
    f.write("ci/katalon-prep.yml", "project: proj\n");
    args(&f)
        .args(["--config", "ci/katalon-prep.yml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-projectPath=ci/proj/Demo.prj"));
}

#[test]
fn project_flag_is_relative_to_the_working_directory() {
    let f = Fixture::empty();
    f.add_project("one");
    f.add_project("two");
    args(&f)
        .args(["--project", "two"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-projectPath=two/Demo.prj"));
}

#[test]
fn misspelt_suite_suggests_the_closest_and_names_the_config_line() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smok\n");
    args(&f)
        .assert()
        .code(12)
        .stderr(predicate::str::contains(
            "Test suite `Test Suites/Smok` does not exist in the project (at katalon-prep.yml:2:15)",
        ))
        .stderr(predicate::str::contains("did you mean `Test Suites/Smoke`?"));
}

/// The key is resolved (and masked) before the plan is checked, but its
/// error is said after the plan's: a misspelt suite is still exit 12 when
/// no key is set anywhere.
#[test]
fn a_missing_suite_is_said_before_a_missing_key() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smok\n");
    let out = f.cmd().env_remove("KATALON_API_KEY").arg("args").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{err}");
    assert!(err.contains("Test suite `Test Suites/Smok` does not exist in the project"), "{err}");
}

#[test]
fn collection_given_as_test_suite_emits_the_collection_option() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Nightly\n");
    let out = args(&f).output().unwrap();
    crate::support::assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("'-testSuiteCollectionPath=Test Suites/Nightly'"), "{stdout}");
    assert!(!stdout.contains("-testSuitePath"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warning: `run.test-suite: Test Suites/Nightly` is a test suite collection")
    );
}

#[test]
fn suite_path_with_ts_extension_is_accepted() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Regression/Checkout.ts\n");
    args(&f).assert().success().stdout(predicate::str::contains("'-testSuitePath=Test Suites/Regression/Checkout'"));
}

#[test]
fn missing_profile_lists_the_existing_ones() {
    let f = Fixture::project();
    f.config("run:\n  profile: prod\n");
    args(&f)
        .assert()
        .code(12)
        .stderr(predicate::str::contains("Execution profile `prod` does not exist"))
        .stderr(predicate::str::contains("default, staging"));
}

#[test]
fn invalid_ts_xml_names_file_line_and_column() {
    let f = Fixture::project();
    f.write(
        "Test Suites/Broken.ts",
        "<?xml version=\"1.0\"?>\n<TestSuiteEntity>\n  <name>x</nam>\n</TestSuiteEntity>\n",
    );
    f.config("run:\n  test-suite: Test Suites/Broken\n");
    args(&f).assert().code(12).stderr(predicate::str::is_match(r"Broken\.ts:3:\d+: not valid XML").unwrap());
}
