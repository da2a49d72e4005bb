//! Bad `katalon-prep.yml` input: each case names
//! file:line:column, says what to do, and exits 10. The messages are
//! snapshots (`snapshots/it__config_errors__*.snap`), so their wording and
//! order are reviewed in diffs.

use crate::support::{self, Fixture, SENTINEL, assert_run_snapshot};

/// `args` with the sentinel key in a project whose config is `yaml`.
fn args_with_config(yaml: &str) -> (Fixture, std::process::Output) {
    let f = Fixture::project();
    f.config(yaml);
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").output().unwrap();
    (f, out)
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let (f, out) = args_with_config("run:\n  test-suite: [unclosed\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn unknown_key_suggests_the_closest_known_key() {
    let (f, out) = args_with_config("run:\n  browser: Chrome\n  tset-suite: Test Suites/Smoke\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn unknown_top_level_key_is_reported() {
    let (f, out) = args_with_config("ofline: true\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn misspelt_plugin_key_is_reported_not_ignored() {
    let (f, out) = args_with_config("plugins:\n  - url: https://example.com/a.jar\n    sah256: 00\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn plugin_with_two_sources_is_refused() {
    let (f, out) = args_with_config(
        "plugins:\n  - path: a.jar\n    url: https://example.com/a.jar\n    sha256: 0000000000000000000000000000000000000000000000000000000000000000\n",
    );
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn url_plugin_without_sha256_is_refused() {
    let (f, out) = args_with_config("plugins:\n  - url: https://example.com/a.jar\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn bad_sha256_names_its_line() {
    let (f, out) = args_with_config("plugins:\n  - url: https://example.com/a.jar\n    sha256: abc\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn api_key_in_run_args_is_a_committed_secret() {
    let (f, out) = args_with_config("run:\n  args:\n    - -statusDelay=30\n    - -apiKey=abcdef123456\n");
    support::assert_code(&out, 10);
    assert!(!support::stderr(&out).contains("abcdef123456"), "{}", support::report(&out));
    assert_run_snapshot!(f, out);
}

#[test]
fn both_suite_and_collection_is_refused() {
    let (f, out) =
        args_with_config("run:\n  test-suite: Test Suites/Smoke\n  test-suite-collection: Test Suites/Nightly\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn wrong_value_type_names_its_line() {
    let (f, out) = args_with_config("run:\n  retry: often\n");
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn wrong_value_type_in_a_nested_map_names_its_line() {
    let (f, out) = args_with_config("run:\n  globals:\n    baseUrl: [a, b]\n");
    assert_run_snapshot!(f, out);
}

#[test]
fn explicit_config_that_does_not_exist_is_a_usage_error() {
    let f = Fixture::project();
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).args(["--config", "nope.yml", "args"]).output().unwrap();
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn unknown_flag_exits_10_not_clap_default_2() {
    let f = Fixture::project();
    let out = f.cmd().args(["args", "--no-such-flag"]).output().unwrap();
    support::assert_code(&out, 10);
    assert_run_snapshot!(f, out);
}

#[test]
fn help_exits_0() {
    let f = Fixture::project();
    let out = f.cmd().arg("--help").output().unwrap();
    support::assert_code(&out, 0);
    assert!(support::stdout(&out).contains("prepare"), "{}", support::report(&out));
}
