//! Secret hygiene: with a sentinel key and `RUST_LOG=trace`, the key shows
//! up only where it is allowed — the injected `-apiKey=` token (stdout or
//! `--output`) and the `::add-mask::` command — and nowhere else: not in
//! stderr, logs, the cache, the project, or any request to a download host.

use crate::support;
// After `support`: it uses it.
use crate::remote;

use katalon_prep_fakes::{FakeServer, STORE_PATH};
use support::{Fixture, SENTINEL, keyword_jar, sha256_hex};

fn fixture_with_everything(server: &FakeServer) -> Fixture {
    let f = Fixture::project();
    let jar = keyword_jar("K");
    server.file("/k.jar", jar.clone());
    f.write("vendor/local.jar", keyword_jar("L"));
    f.config(&format!(
        "offline: true\nrun:\n  test-suite: Test Suites/Smoke\n  profile: staging\nplugins:\n  - path: vendor/local.jar\n  - url: {}/k.jar\n    sha256: {}\n",
        server.url(),
        sha256_hex(&jar)
    ));
    f
}

fn assert_requests_clean(server: &FakeServer) {
    for r in server.requests() {
        assert!(!r.target.contains(SENTINEL), "request target carries the key: {}", r.target);
        for (name, value) in &r.headers {
            assert!(!value.contains(SENTINEL), "request header {name} carries the key");
        }
    }
}

/// The binary with the sentinel key and trace logging: every log line a
/// run can write is written, for the key to be looked for in.
fn traced(f: &Fixture) -> assert_cmd::Command {
    let mut cmd = f.cmd_with_key();
    cmd.env("RUST_LOG", "trace");
    cmd
}

/// Sets up GitHub Actions for `cmd`: its outputs file and step summary under
/// the fixture's `gh/`, where the file checks look for the key.
fn on_github(cmd: &mut assert_cmd::Command, f: &Fixture) {
    std::fs::create_dir_all(f.path("gh")).unwrap();
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", f.path("gh/output"))
        .env("GITHUB_STEP_SUMMARY", f.path("gh/summary"));
}

/// Panics unless stderr holds the key at most in the `::add-mask::` line
/// that opens it under GitHub Actions.
#[track_caller]
fn assert_stderr_masks_the_key(out: &std::process::Output, github: bool, what: &str) {
    let stderr = support::stderr(out);
    let masked = format!("::add-mask::{SENTINEL}\n");
    let rest = if github { stderr.strip_prefix(&masked).unwrap_or(&stderr) } else { &stderr };
    assert!(!rest.contains(SENTINEL), "{what}: stderr leaks the key\n{}", support::report(out));
}

/// Checks the file a run wrote its line to (`line`) holds the key once, then
/// that no other file under the fixture but `allowed` holds it; removes the
/// line's file for the next run.
#[track_caller]
fn assert_files_keep_the_key(f: &Fixture, line: Line, allowed: &[std::path::PathBuf], what: &str) {
    let mut allowed = allowed.to_vec();
    if let Line::File(rel) = line {
        assert_eq!(f.read(rel).matches(SENTINEL).count(), 1, "{what}: {rel}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(f.path(rel)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{what}: {rel} is readable by others");
        }
        allowed.push(f.path(rel));
    }
    let allowed: Vec<&std::path::Path> = allowed.iter().map(|p| p.as_path()).collect();
    f.assert_no_file_contains(SENTINEL, &allowed);
    if let Line::File(rel) = line {
        std::fs::remove_file(f.path(rel)).unwrap();
    }
}

#[test]
fn prepare_shell_to_stdout_with_trace_logs() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = traced(&f).arg("prepare").output().unwrap();
    crate::support::assert_success(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches(SENTINEL).count(), 1);
    assert!(stdout.contains(&format!("-apiKey={SENTINEL}")));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("TRACE") || stderr.contains("DEBUG"), "trace logging did not run");
    assert!(!stderr.contains(SENTINEL), "stderr leaks the key");
    f.assert_no_file_contains(SENTINEL, &[]);
    assert_requests_clean(&server);
}

#[test]
fn prepare_json_to_an_output_file() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = traced(&f).args(["-vv", "prepare", "--format", "json", "--output", "argv.json"]).output().unwrap();
    crate::support::assert_success(&out);
    assert!(out.stdout.is_empty());
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SENTINEL));
    let argv: Vec<String> = serde_json::from_str(&f.read("argv.json")).unwrap();
    assert!(argv.contains(&format!("-apiKey={SENTINEL}")));
    let output = f.path("argv.json");
    f.assert_no_file_contains(SENTINEL, &[&output]);
    assert_requests_clean(&server);
}

#[test]
fn github_mode_masks_first_and_never_repeats_the_key_on_stderr() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = traced(&f).env("GITHUB_ACTIONS", "true").arg("prepare").output().unwrap();
    crate::support::assert_success(&out);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with(&format!("::add-mask::{SENTINEL}\n")), "{}", support::redact_key(&stderr));
    assert_eq!(stderr.matches(SENTINEL).count(), 1);
    f.assert_no_file_contains(SENTINEL, &[]);
}

#[test]
fn errors_never_carry_the_key() {
    let server = FakeServer::start();
    let f = Fixture::project();
    // A URL that embeds the key (as a careless user might): the failure must not print it.
    f.config(&format!(
        "plugins:\n  - url: {}/dl/{SENTINEL}/x.jar?token={SENTINEL}\n    sha256: {}\n",
        server.url(),
        "3".repeat(64)
    ));
    let out = traced(&f).arg("prepare").output().unwrap();
    crate::support::assert_code(&out, 20);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("answered 404"), "{}", support::redact_key(&stderr));
    assert!(!stderr.contains(SENTINEL), "{}", support::redact_key(&stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn without_api_key_the_key_appears_nowhere() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let out = traced(&f).args(["prepare", "--without-api-key"]).output().unwrap();
    crate::support::assert_success(&out);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SENTINEL));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SENTINEL));
    f.assert_no_file_contains(SENTINEL, &[]);
}

/// Where a run's line goes.
#[derive(Clone, Copy)]
enum Line {
    Stdout,
    File(&'static str),
    /// No line with a key: `--without-api-key`, or a command that prints none.
    Keyless,
}

/// Every command on main, in every output format and verbosity.
const RUNS: &[(&[&str], Line)] = &[
    (&["prepare"], Line::Stdout),
    (&["prepare", "--format", "json"], Line::Stdout),
    (&["prepare", "--output", "out/line.sh"], Line::File("out/line.sh")),
    (&["prepare", "--format", "json", "--output", "out/argv.json"], Line::File("out/argv.json")),
    (&["prepare", "--without-api-key"], Line::Keyless),
    (&["prepare", "--workdir-as", "/tmp/project", "--offline"], Line::Stdout),
    (&["-q", "prepare"], Line::Stdout),
    (&["-vv", "prepare", "--format", "json"], Line::Stdout),
    (&["prepare", "--format", "powershell"], Line::Stdout),
    (&["prepare", "--format", "cmd", "--output", "out/line.cmd"], Line::File("out/line.cmd")),
    (&["args"], Line::Stdout),
    (&["args", "--format", "json"], Line::Stdout),
    (&["args", "--output", "out/args.sh"], Line::File("out/args.sh")),
    (&["args", "--format", "json", "--output", "out/args.json"], Line::File("out/args.json")),
    (&["args", "--without-api-key", "--format", "json"], Line::Keyless),
    (&["args", "--format", "cmd"], Line::Stdout),
    (&["args", "--format", "powershell", "--output", "out/args.ps1"], Line::File("out/args.ps1")),
    (&["cache", "dir"], Line::Keyless),
    (&["cache", "verify"], Line::Keyless),
    (&["-vv", "cache", "verify", "--fix"], Line::Keyless),
];

/// How the key reaches the binary.
#[derive(Clone, Copy, Debug)]
enum KeyFrom {
    Env,
    EnvFile,
    Stdin,
    ActionInput,
    DockerSecret,
}

/// Runs `args` with the sentinel key from `from` and `RUST_LOG=trace`, then
/// checks every place the key could end up: stdout, stderr, the files under
/// the fixture (project, cache, home, GitHub step summary) and every request
/// the download host received.
fn check_run(server: &FakeServer, f: &Fixture, args: &[&str], line: Line, from: KeyFrom, github: bool) {
    let what = format!("{args:?} with the key from {from:?}{}", if github { " under GitHub Actions" } else { "" });
    // Key files live outside the fixture: they hold the key by design.
    let secrets = tempfile::tempdir().unwrap();
    let mut cmd = f.cmd();
    cmd.env("RUST_LOG", "trace");
    match from {
        KeyFrom::Env => {
            cmd.env("KATALON_API_KEY", SENTINEL);
        }
        KeyFrom::EnvFile => {
            let file = secrets.path().join("key");
            std::fs::write(&file, format!("{SENTINEL}\n")).unwrap();
            cmd.env("KATALON_API_KEY_FILE", file);
        }
        KeyFrom::Stdin => {
            cmd.arg("--api-key-stdin").write_stdin(format!("{SENTINEL}\n"));
        }
        KeyFrom::ActionInput => {
            cmd.env("INPUT_API_KEY", SENTINEL);
        }
        KeyFrom::DockerSecret => {
            std::fs::write(secrets.path().join("katalon_api_key"), SENTINEL).unwrap();
            cmd.env("KATALON_PREP_SECRETS_DIR", secrets.path());
        }
    }
    if github {
        on_github(&mut cmd, f);
    }
    std::fs::create_dir_all(f.path("out")).unwrap();
    let out = cmd.args(args).output().unwrap();
    assert!(out.status.success(), "{what} failed\n{}", support::report(&out));
    let stdout = support::stdout(&out);
    let emits_key = matches!(line, Line::Stdout | Line::File(_));
    assert_eq!(stdout.matches(SENTINEL).count(), usize::from(matches!(line, Line::Stdout)), "{what}: stdout");
    if github && emits_key {
        let stderr = support::stderr(&out);
        assert!(stderr.starts_with(&format!("::add-mask::{SENTINEL}\n")), "{what}: the mask must come first");
        assert_eq!(stderr.matches(SENTINEL).count(), 1, "{what}: stderr repeats the key");
    }
    assert_stderr_masks_the_key(&out, github, &what);
    assert_files_keep_the_key(f, line, &[f.path("gh/output")], &what);
    assert_requests_clean(server);
}

#[test]
fn every_command_in_every_format_keeps_the_key_where_it_belongs() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    for github in [false, true] {
        for (args, line) in RUNS {
            check_run(&server, &f, args, *line, KeyFrom::Env, github);
        }
    }
}

#[test]
fn every_key_source_keeps_the_key_where_it_belongs() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    for from in [KeyFrom::Env, KeyFrom::EnvFile, KeyFrom::Stdin, KeyFrom::ActionInput, KeyFrom::DockerSecret] {
        for github in [false, true] {
            check_run(&server, &f, &["prepare"], Line::Stdout, from, github);
            check_run(
                &server,
                &f,
                &["args", "--format", "json", "--output", "out/a.json"],
                Line::File("out/a.json"),
                from,
                github,
            );
        }
    }
}

/// Failures print what went wrong; with the key resolved or not yet, at
/// trace level, the key's value is never part of it.
#[test]
fn failing_runs_never_print_the_key() {
    let server = FakeServer::start();
    let cases: Vec<(String, i32)> = vec![
        // The key pasted where the variable's name belongs (the hint there
        // says not to, so people do).
        (format!("api-key:\n  env: {SENTINEL}\n"), 10),
        // The key in the run's extra arguments.
        (format!("run:\n  args: [\"-apiKey={SENTINEL}\"]\n"), 10),
        // A plugin host that refuses, with the key in its URL.
        (format!("plugins:\n  - url: {}/{SENTINEL}.jar\n    sha256: {}\n", server.url(), "4".repeat(64)), 20),
    ];
    for (config, code) in cases {
        let f = Fixture::project();
        f.config(&config);
        for args in [&["prepare"][..], &["args", "--format", "json"]] {
            let out = traced(&f).args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if args[0] == "args" && code == 20 {
                // `args` does no plugin work: nothing fails.
                assert!(out.status.success(), "{}\n{}", support::redact_key(&config), support::report(&out));
                continue;
            }
            assert_eq!(out.status.code(), Some(code), "{}\n{}", support::redact_key(&config), support::report(&out));
            assert!(out.stdout.is_empty(), "{}: a failed run printed a line", support::redact_key(&config));
            assert!(
                !stderr.contains(SENTINEL),
                "{} {args:?}: stderr leaks the key\n{}",
                support::redact_key(&config),
                support::redact_key(&stderr)
            );
        }
        f.assert_no_file_contains(SENTINEL, &[&f.path("katalon-prep.yml")]);
    }
    // (The URL with the key in it was requested as written: the user asked for it.)
}

/// The Store-era commands (`lock`, `outdated`, `cache key`, `cache prune`,
/// `prepare --locked`) with a Store plugin next to `path` and `url` ones:
/// the key goes to the Store's origin in the `apikey` header of the list
/// request, and nowhere else — not to the package CDN, not into
/// katalon-prep.lock, not into any output but the line.
#[test]
fn store_lock_outdated_and_cache_commands_keep_the_key_on_the_store_origin() {
    let store = FakeServer::start();
    let cdn = FakeServer::start();
    remote::account(&store, &[remote::publish(&cdn, 1, 42, "Excel Keywords", "1.2.3")]);
    let f = fixture_with_everything(&cdn);
    let config = f.read("katalon-prep.yml");
    f.config(&format!("store:\n  app-version: \"{}\"\n{config}  - store: 42\n", remote::APP_VERSION));
    let runs: &[(&[&str], Line)] = &[
        (&["lock"], Line::Keyless),
        (&["lock", "--update"], Line::Keyless),
        (&["prepare", "--locked"], Line::Stdout),
        (&["-vv", "prepare", "--locked", "--without-api-key"], Line::Keyless),
        (&["prepare", "--locked", "--format", "json", "--output", "out/argv.json"], Line::File("out/argv.json")),
        (&["outdated"], Line::Keyless),
        (&["outdated", "--format", "json", "--exit-code"], Line::Keyless),
        (&["cache", "key"], Line::Keyless),
        (&["cache", "prune", "--dry-run"], Line::Keyless),
        (&["cache", "prune"], Line::Keyless),
        (&["args", "--format", "json"], Line::Stdout),
    ];
    std::fs::create_dir_all(f.path("out")).unwrap();
    for github in [false, true] {
        // Cold each round: the Store is asked again.
        let _ = support::remove_tree(&f.path("cache"));
        for (args, line) in runs {
            let what = format!("{args:?}{}", if github { " under GitHub Actions" } else { "" });
            let mut cmd = remote::cmd(&f, &store);
            cmd.env("RUST_LOG", "trace").args(*args);
            if github {
                cmd.env("GITHUB_ACTIONS", "true");
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{what} failed\n{}", support::report(&out));
            let stdout = support::stdout(&out);
            assert_eq!(stdout.matches(SENTINEL).count(), usize::from(matches!(line, Line::Stdout)), "{what}: stdout");
            // Under GitHub Actions, a command that shows the key masks it first; nothing else may show it.
            assert_stderr_masks_the_key(&out, github, &what);
            assert_files_keep_the_key(&f, *line, &[], &what);
        }
    }
    assert!(f.path("katalon-prep.lock").is_file());
    assert_requests_clean(&cdn);
    let mut listed = 0;
    for r in store.requests() {
        assert!(!r.target.contains(SENTINEL), "the key is in a Store URL: {}", r.target);
        for (name, value) in &r.headers {
            if value.contains(SENTINEL) {
                assert_eq!((r.path.as_str(), name.as_str()), (STORE_PATH, "apikey"), "the key went elsewhere");
                listed += 1;
            }
        }
    }
    assert!(listed > 0, "the Store was never asked: the test tests nothing");
}

/// `check` (its own line and a hand-written one holding the key), `run`
/// (katalonc gets the key in its argv, as allowed, and nothing else does)
/// and `matrix` (GitHub outputs), in each of their formats, at trace level.
#[test]
fn check_run_and_matrix_keep_the_key_where_it_belongs() {
    let server = FakeServer::start();
    let f = fixture_with_everything(&server);
    let fake = f.fake_katalonc("katalonc");
    let written = format!("-projectPath=Demo.prj -testSuitePath=\"Test Suites/Smoke\" -apiKey={SENTINEL} -retry=x");
    let runs: Vec<Vec<String>> = vec![
        vec!["check".into()],
        vec!["check".into(), "--format".into(), "json".into()],
        vec!["check".into(), "--args".into(), written.clone()],
        vec!["check".into(), "--format".into(), "json".into(), "--args".into(), written],
        vec!["run".into(), "--katalonc".into(), fake.display().to_string()],
        vec![
            "-vv".into(),
            "run".into(),
            "--katalonc".into(),
            fake.display().to_string(),
            "--".into(),
            "-retry=1".into(),
        ],
        vec!["matrix".into(), "--suites".into(), "Test Suites/*".into()],
        vec!["matrix".into(), "--suites".into(), "Test Suites/*".into(), "--format".into(), "gitlab".into()],
    ];
    for github in [false, true] {
        for args in &runs {
            let what = format!("{args:?}{}", if github { " under GitHub Actions" } else { "" });
            let mut cmd = traced(&f);
            cmd.args(args);
            if github {
                on_github(&mut cmd, &f);
            }
            let out = cmd.output().unwrap();
            // `check --args` with `-retry=x` finds an error (exit 13); everything else succeeds.
            let expected = if args.iter().any(|a| a.contains("-retry=x")) { 13 } else { 0 };
            assert_eq!(out.status.code(), Some(expected), "{what}\n{}", crate::support::report(&out));
            assert!(
                !support::stdout(&out).contains(SENTINEL),
                "{what}: stdout leaks the key\n{}",
                support::report(&out)
            );
            assert_stderr_masks_the_key(&out, github, &what);
            // The fake katalonc records its argv: that one holds the key by design.
            let argv = f.path("fake/argv");
            if args[0] == "run" || args.get(1).is_some_and(|a| a == "run") {
                assert_eq!(
                    std::fs::read_to_string(&argv).unwrap().matches(SENTINEL).count(),
                    1,
                    "{what}: katalonc's argv"
                );
            }
            f.assert_no_file_contains(SENTINEL, &[&argv, &f.path("gh/output")]);
        }
    }
    assert_requests_clean(&server);
}

// ---- regressions found in review: credentials spelt otherwise, or put where a name belongs ----

#[test]
fn check_never_prints_a_key_whatever_the_option_spelling() {
    let f = Fixture::project();
    for line in [
        format!("-ApiKey={SENTINEL} -retri=1"),
        format!("--APIKEY={SENTINEL} -retri=1"),
        format!("-apiKeyOP={SENTINEL} -retri=1"),
        format!("-proxy.auth.password={SENTINEL} -retri=1"),
    ] {
        let out = f.cmd().args(["check", "--args", &line]).output().unwrap();
        support::assert_code(&out, 13);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(all.contains("`-retri`"), "the lint ran to the line's end\n{}", support::report(&out));
        assert!(!all.contains(SENTINEL), "{}\n{}", support::redact_key(&line), support::redact_key(&all));
    }
}

#[test]
fn a_key_in_the_file_variable_is_not_echoed_as_a_path() {
    let f = Fixture::project();
    let out = f.cmd().env("KATALON_API_KEY_FILE", SENTINEL).arg("args").output().unwrap();
    crate::support::assert_code(&out, 11);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no such file: it must hold a path"), "{}", support::redact_key(&stderr));
    assert!(!stderr.contains(SENTINEL), "{}", support::redact_key(&stderr));
}

#[test]
fn a_key_given_as_the_variable_name_is_refused_unechoed() {
    let f = Fixture::project();
    for cmd in [vec!["--api-key-env", SENTINEL, "args"], vec!["args"]] {
        let out = f.cmd().env("KATALON_PREP_API_KEY_ENV", SENTINEL).args(&cmd).output().unwrap();
        crate::support::assert_code(&out, 11);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("is not an environment variable name"), "{}", support::redact_key(&stderr));
        assert!(!stderr.contains(SENTINEL), "{}", support::redact_key(&stderr));
    }
}

#[test]
fn run_refuses_a_key_among_the_extra_options_even_without_api_key() {
    let f = Fixture::project();
    let fake = f.fake_katalonc("katalonc");
    let out = f
        .cmd()
        .args(["run", "--without-api-key", "--katalonc"])
        .arg(&fake)
        .args(["--", &format!("-APIKEY={SENTINEL}")])
        .output()
        .unwrap();
    crate::support::assert_code(&out, 10);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("contain an API key option"), "{}", support::redact_key(&all));
    assert!(!all.contains(SENTINEL), "{}", support::redact_key(&all));
}

#[test]
fn github_masks_a_token_among_the_options_before_it_reaches_an_output() {
    let f = Fixture::project();
    let token = "kobiton-TOKEN-9d81c2";
    f.config(&format!("run:\n  args: [\"-kobitonToken={token}\"]\n"));
    let outputs = f.path("github_output");
    let out = f
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .arg("args")
        .output()
        .unwrap();
    crate::support::assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], format!("::add-mask::{SENTINEL}"), "{}", support::redact_key(&stderr));
    assert!(lines.contains(&format!("::add-mask::{token}").as_str()), "{}", support::redact_key(&stderr));
    assert_eq!(stderr.matches(token).count(), 1, "only in its mask: {}", support::redact_key(&stderr));
    // The output carries the token (the line needs it), which the runner now masks.
    assert!(std::fs::read_to_string(&outputs).unwrap().contains(token));
}
