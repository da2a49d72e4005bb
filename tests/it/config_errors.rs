//! Bad `katalon-prep.yml` input: each case names file:line:column, says what
//! to do, and exits 10.

use crate::support;

use predicates::prelude::*;
use support::{Fixture, SENTINEL};

fn run_args(f: &Fixture) -> assert_cmd::assert::Assert {
    f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").assert()
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: [unclosed\n");
    run_args(&f).code(10).stderr(predicate::str::is_match(r"error: katalon-prep\.yml:\d+:\d+: ").unwrap());
}

#[test]
fn unknown_key_suggests_the_closest_known_key() {
    let f = Fixture::project();
    f.config("run:\n  browser: Chrome\n  tset-suite: Test Suites/Smoke\n");
    run_args(&f)
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:3:3: unknown key `tset-suite` in `run`"))
        .stderr(predicate::str::contains("hint: did you mean `test-suite`?"));
}

#[test]
fn unknown_top_level_key_is_reported() {
    let f = Fixture::project();
    f.config("ofline: true\n");
    run_args(&f)
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:1:1: unknown key `ofline`"))
        .stderr(predicate::str::contains("did you mean `offline`?"));
}

#[test]
fn misspelt_plugin_key_is_reported_not_ignored() {
    let f = Fixture::project();
    f.config("plugins:\n  - url: https://example.com/a.jar\n    sah256: 00\n");
    run_args(&f)
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:3:5: unknown key `sah256`"))
        .stderr(predicate::str::contains("did you mean `sha256`?"));
}

#[test]
fn plugin_with_two_sources_is_refused() {
    let f = Fixture::project();
    f.config("plugins:\n  - path: a.jar\n    url: https://example.com/a.jar\n    sha256: 0000000000000000000000000000000000000000000000000000000000000000\n");
    run_args(&f).code(10).stderr(predicate::str::contains(
        "katalon-prep.yml:2:5: a plugin entry needs exactly one source, found path and url",
    ));
}

#[test]
fn url_plugin_without_sha256_is_refused() {
    let f = Fixture::project();
    f.config("plugins:\n  - url: https://example.com/a.jar\n");
    run_args(&f).code(10).stderr(predicate::str::contains("katalon-prep.yml:2:5: a `url` plugin needs a `sha256`"));
}

#[test]
fn bad_sha256_names_its_line() {
    let f = Fixture::project();
    f.config("plugins:\n  - url: https://example.com/a.jar\n    sha256: abc\n");
    run_args(&f)
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:3:13: a sha256 is 64 hexadecimal characters"));
}

#[test]
fn api_key_in_run_args_is_a_committed_secret() {
    let f = Fixture::project();
    f.config("run:\n  args:\n    - -statusDelay=30\n    - -apiKey=abcdef123456\n");
    run_args(&f)
        .code(10)
        .stderr(predicate::str::contains("katalon-prep.yml:4:7: `run.args` contains an API key option"))
        .stderr(predicate::str::contains("abcdef123456").not());
}

#[test]
fn both_suite_and_collection_is_refused() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n  test-suite-collection: Test Suites/Nightly\n");
    run_args(&f).code(10).stderr(predicate::str::contains("are both set"));
}

#[test]
fn wrong_value_type_names_its_line() {
    let f = Fixture::project();
    f.config("run:\n  retry: often\n");
    run_args(&f).code(10).stderr(predicate::str::contains("katalon-prep.yml:2:"));
}

#[test]
fn explicit_config_that_does_not_exist_is_a_usage_error() {
    let f = Fixture::project();
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .args(["--config", "nope.yml", "args"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("Could not read config file"));
}

#[test]
fn unknown_flag_exits_10_not_clap_default_2() {
    let f = Fixture::project();
    f.cmd().args(["args", "--no-such-flag"]).assert().code(10);
}

#[test]
fn help_exits_0() {
    let f = Fixture::project();
    f.cmd().arg("--help").assert().code(0).stdout(predicate::str::contains("prepare"));
}
