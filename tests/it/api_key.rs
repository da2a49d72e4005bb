//! Where the API key comes from, what a valid one is, and that its value is
//! never echoed in errors.

use crate::support;

use predicates::prelude::*;
use support::{Fixture, SENTINEL};

fn fixture() -> Fixture {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    f
}

fn key_in(stdout: &[u8]) -> Option<String> {
    String::from_utf8_lossy(stdout).split_whitespace().find_map(|t| t.strip_prefix("-apiKey=").map(str::to_string))
}

#[test]
fn missing_key_lists_every_place_looked() {
    let f = fixture();
    f.cmd()
        .arg("args")
        .assert()
        .code(11)
        .stdout("")
        .stderr(predicate::str::contains("No Katalon API key found"))
        .stderr(predicate::str::contains("environment variable KATALON_API_KEY"))
        .stderr(predicate::str::contains("KATALON_API_KEY_FILE"))
        .stderr(predicate::str::contains("INPUT_API-KEY"))
        .stderr(predicate::str::contains("katalon_api_key"));
}

#[test]
fn key_from_env_is_injected_as_one_token() {
    let f = fixture();
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn key_from_file_has_its_newline_trimmed() {
    let f = fixture();
    let file = f.write("secret.txt", format!("{SENTINEL}\n"));
    let out = f.cmd().env("KATALON_API_KEY_FILE", &file).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn env_and_file_both_set_is_an_error() {
    let f = fixture();
    let file = f.write("secret.txt", SENTINEL);
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("KATALON_API_KEY_FILE", &file)
        .arg("args")
        .assert()
        .code(11)
        .stderr(predicate::str::contains("Both KATALON_API_KEY and KATALON_API_KEY_FILE are set"))
        .stderr(predicate::str::contains(SENTINEL).not());
}

#[test]
fn multi_line_key_is_refused_without_echoing_it() {
    let f = fixture();
    let file = f.write("secret.txt", format!("{SENTINEL}\nsecond-line\n"));
    f.cmd()
        .env("KATALON_API_KEY_FILE", &file)
        .arg("args")
        .assert()
        .code(11)
        .stderr(predicate::str::contains("it spans several lines"))
        .stderr(predicate::str::contains(SENTINEL).not())
        .stderr(predicate::str::contains("second-line").not());
}

#[test]
fn key_with_whitespace_is_refused() {
    let f = fixture();
    f.cmd()
        .env("KATALON_API_KEY", "two words")
        .arg("args")
        .assert()
        .code(11)
        .stderr(predicate::str::contains("it contains whitespace"))
        .stderr(predicate::str::contains("two words").not());
}

#[test]
fn github_action_input_with_hyphen_is_read() {
    let f = fixture();
    let out = f.cmd().env("INPUT_API-KEY", SENTINEL).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn docker_secret_is_the_last_resort() {
    let f = fixture();
    f.write("secrets/katalon_api_key", format!("{SENTINEL}\n"));
    let out = f.cmd().env("KATALON_PREP_SECRETS_DIR", f.path("secrets")).arg("args").output().unwrap();
    crate::support::assert_success(&out);
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn env_wins_over_action_input_and_docker_secret() {
    let f = fixture();
    f.write("secrets/katalon_api_key", "from-docker-secret");
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("INPUT_API_KEY", "from-input")
        .env("KATALON_PREP_SECRETS_DIR", f.path("secrets"))
        .arg("args")
        .output()
        .unwrap();
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn key_from_stdin_comes_first() {
    let f = fixture();
    let out = f
        .cmd()
        .env("KATALON_API_KEY", "from-env")
        .args(["--api-key-stdin", "args"])
        .write_stdin(format!("{SENTINEL}\n"))
        .output()
        .unwrap();
    crate::support::assert_success(&out);
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn variable_name_from_config() {
    let f = Fixture::project();
    f.config("api-key:\n  env: MY_KATALON_KEY\n");
    let out = f.cmd().env("MY_KATALON_KEY", SENTINEL).arg("args").output().unwrap();
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn variable_name_flag_overrides_config() {
    let f = Fixture::project();
    f.config("api-key:\n  env: MY_KATALON_KEY\n");
    let out = f
        .cmd()
        .env("MY_KATALON_KEY", "wrong")
        .env("OTHER_KEY", SENTINEL)
        .args(["--api-key-env", "OTHER_KEY", "args"])
        .output()
        .unwrap();
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn variable_name_from_env_for_ci_templates() {
    let f = fixture();
    let out = f
        .cmd()
        .env("KATALON_PREP_API_KEY_ENV", "TEMPLATE_KEY")
        .env("TEMPLATE_KEY", SENTINEL)
        .arg("args")
        .output()
        .unwrap();
    assert_eq!(key_in(&out.stdout).as_deref(), Some(SENTINEL));
}

#[test]
fn a_key_in_api_key_env_is_refused_as_a_name() {
    let f = Fixture::project();
    f.config("api-key:\n  env: abc-123 def\n");
    f.cmd()
        .arg("args")
        .assert()
        .code(10)
        .stderr(predicate::str::contains(
            "katalon-prep.yml:2:8: `api-key.env` holds something that is not an environment variable name",
        ))
        .stderr(predicate::str::contains("abc-123").not());
}

#[test]
fn without_api_key_needs_no_key_and_emits_none() {
    let f = fixture();
    let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
    crate::support::assert_success(&out);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("-apiKey"));
}

#[test]
fn github_mask_comes_first_on_stderr() {
    let f = fixture();
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).env("GITHUB_ACTIONS", "true").arg("args").output().unwrap();
    crate::support::assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().next(), Some(format!("::add-mask::{SENTINEL}").as_str()), "{stderr}");
    assert_eq!(stderr.matches(SENTINEL).count(), 1, "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("::add-mask::"));
}

#[test]
fn no_mask_outside_github() {
    let f = fixture();
    let out = f.cmd().env("KATALON_API_KEY", SENTINEL).arg("args").output().unwrap();
    support::assert_success(&out);
    // The line with the key was printed, so a mask would have been due.
    assert_eq!(support::stdout(&out).matches(&format!("-apiKey={SENTINEL}")).count(), 1, "{}", support::report(&out));
    assert!(!support::stderr(&out).contains("add-mask"), "{}", support::report(&out));
}
