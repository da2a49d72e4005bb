//! `katalon-prep report` and the summary after `run`: Katalon's JUnit files
//! in the 6.x and 10.x layouts, collections, failures and errors, crashed
//! suites, truncated files, Windows paths, `--since`/`--all`, the merged
//! JUnit file, GitHub's step summary, annotations and outputs, and no secret
//! in any of it.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use support::{Fixture, SENTINEL, assert_code, stderr, stdout};

/// One `<testcase>`: name, Katalon status, message of its failure or error.
struct Tc<'a> {
    name: &'a str,
    status: &'a str,
    message: &'a str,
    out: &'a str,
}

fn tc<'a>(name: &'a str, status: &'a str) -> Tc<'a> {
    Tc { name, status, message: "", out: "" }
}

/// A `JUnit_Report.xml` shaped as Katalon writes it. The suite's own
/// `tests`/`failures` attributes are wrong on purpose: counts must come
/// from the cases.
fn junit(id: &str, log_folder: &str, cases: &[Tc]) -> String {
    let name = id.rsplit('/').next().unwrap();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{name}\" time=\"12.5\" tests=\"99\" failures=\"0\" errors=\"0\">\n   <testsuite name=\"{name}\" tests=\"99\" failures=\"0\" errors=\"0\" time=\"12.5\" skipped=\"0\" timestamp=\"05-01-2024T10:10:10\" hostname=\"runner - ci\" id=\"{id}\">\n      <properties>\n         <property name=\"logFolder\" value=\"{log_folder}\"/>\n         <property name=\"katalonVersion\" value=\"9.7.2.1\"/>\n         <property name=\"browser\" value=\"Chrome 120.0\"/>\n         <property name=\"os\" value=\"Linux 64bit\"/>\n      </properties>\n"
    );
    for c in cases {
        x.push_str(&format!(
            "      <testcase name=\"{}\" time=\"2.5\" classname=\"{}\" status=\"{}\">\n",
            c.name, c.name, c.status
        ));
        let tag = match c.status {
            "FAILED" => Some("failure"),
            "ERROR" => Some("error"),
            _ => None,
        };
        if let Some(tag) = tag {
            x.push_str(&format!(
                "         <{tag} type=\"{}\" message=\"{}\">{}</{tag}>\n",
                c.status, c.message, c.message
            ));
        }
        if c.status == "SKIPPED" {
            x.push_str("         <skipped/>\n");
        }
        x.push_str(&format!("         <system-out><![CDATA[{}]]></system-out>\n", c.out));
        x.push_str("         <system-err><![CDATA[]]></system-err>\n      </testcase>\n");
    }
    x.push_str("   </testsuite>\n</testsuites>\n");
    x
}

/// Writes a run folder: the JUnit file and `execution0.log`.
fn run_folder(f: &Fixture, folder: &str, xml: &str) {
    f.write(&format!("{folder}/JUnit_Report.xml"), xml);
    f.write(&format!("{folder}/execution0.log"), "log\n");
}

const SMOKE_10: &str = "Reports/20240105_101010/Smoke/20240105_101011";

/// A project (`Demo.prj`) with one 10.x run of `Smoke`: a pass, a failure,
/// an error, a skip.
fn smoke() -> Fixture {
    let f = Fixture::project();
    run_folder(
        &f,
        SMOKE_10,
        &junit(
            "Test Suites/Smoke",
            "/ci/Reports/20240105_101010/Smoke/20240105_101011",
            &[
                tc("Test Cases/Login/Good", "PASSED"),
                Tc {
                    message: "Unable to verify text &apos;Welcome&apos;&#xa;at line 12",
                    ..tc("Test Cases/Login/Bad password", "FAILED")
                },
                Tc { message: "Element not found: btn_add", ..tc("Test Cases/Cart/Add", "ERROR") },
                tc("Test Cases/Cart/Later", "SKIPPED"),
            ],
        ),
    );
    f
}

fn report(f: &Fixture, args: &[&str]) -> Output {
    f.cmd().arg("report").args(args).output().expect("run report")
}

#[test]
fn text_is_a_table_then_the_failed_cases_with_message_and_log() {
    let f = smoke();
    let out = report(&f, &[]);
    assert_code(&out, 0);
    let log = format!("{SMOKE_10}/execution0.log");
    assert_eq!(
        stdout(&out),
        format!(
            "\
Suite                Tests   Passed   Failed   Errors  Skipped     Time
Test Suites/Smoke        4        1        1        1        1   12.5 s
Total                    4        1        1        1        1   12.5 s

FAILED  Test Suites/Smoke > Test Cases/Login/Bad password
        Unable to verify text 'Welcome'
        log: {log}
ERROR   Test Suites/Smoke > Test Cases/Cart/Add
        Element not found: btn_add
        log: {log}

4 tests: 1 passed, 1 failed, 1 error, 1 skipped
"
        )
    );
}

#[test]
fn markdown_has_the_table_and_the_failed_cases_in_details() {
    let f = smoke();
    let out = report(&f, &["--format", "markdown"]);
    assert_code(&out, 0);
    let log = format!("{SMOKE_10}/execution0.log");
    assert_eq!(
        stdout(&out),
        format!(
            "\
### Katalon test results

❌ 4 tests: 1 passed, 1 failed, 1 error, 1 skipped

| Suite | Tests | Passed | Failed | Errors | Skipped | Time |
|---|---:|---:|---:|---:|---:|---:|
| Test Suites/Smoke | 4 | 1 | 1 | 1 | 1 | 12.5 s |
| **Total** | **4** | **1** | **1** | **1** | **1** | **12.5 s** |

<details>
<summary>2 failed or errored test cases</summary>

**FAILED** `Test Suites/Smoke` > `Test Cases/Login/Bad password`

```text
Unable to verify text 'Welcome'
```

Log: `{log}`  

**ERROR** `Test Suites/Smoke` > `Test Cases/Cart/Add`

```text
Element not found: btn_add
```

Log: `{log}`  

</details>
"
        )
    );
}

#[test]
fn json_follows_the_documented_schema() {
    let f = smoke();
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(v["schema"], 1);
    assert_eq!(
        v["totals"],
        serde_json::json!({"suites": 1, "tests": 4, "passed": 1, "failed": 1, "errors": 1, "skipped": 1, "time": 12.5, "crashed": 0, "unreadable": 0})
    );
    let s = &v["suites"][0];
    assert_eq!(s["name"], "Test Suites/Smoke");
    assert_eq!(s["state"], "read");
    assert_eq!(s["file"], format!("{SMOKE_10}/JUnit_Report.xml"));
    assert_eq!(s["katalon_version"], "9.7.2.1");
    assert_eq!(s["browser"], "Chrome 120.0");
    let statuses: Vec<&str> = s["cases"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["passed", "failed", "error", "skipped"]);
    assert_eq!(s["cases"][1]["message"], "Unable to verify text 'Welcome'");
    assert_eq!(v["junit"], serde_json::Value::Null);
}

#[test]
fn reads_the_6x_layout() {
    let f = Fixture::project();
    run_folder(
        &f,
        "Reports/Regression/Checkout/20190301_080000",
        &junit(
            "Test Suites/Regression/Checkout",
            "",
            &[tc("Test Cases/Pay", "PASSED"), tc("Test Cases/Refund", "PASSED")],
        ),
    );
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["suites"][0]["name"], "Test Suites/Regression/Checkout");
    assert_eq!(v["totals"]["passed"], 2);
    assert_eq!(v["suites"][0]["folder"], "Reports/Regression/Checkout/20190301_080000");
}

#[test]
fn keeps_the_newest_run_of_each_suite_unless_all() {
    let f = smoke();
    // An older run of the same suite (6.x layout) and a newer one (10.x).
    run_folder(&f, "Reports/Smoke/20230101_000000", &junit("Test Suites/Smoke", "", &[tc("Test Cases/Old", "PASSED")]));
    run_folder(
        &f,
        "Reports/20240106_090000/Smoke/20240106_090001",
        &junit("Test Suites/Smoke", "", &[tc("Test Cases/Newest", "PASSED")]),
    );
    let newest = report(&f, &["--format", "json"]);
    assert_code(&newest, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&newest)).unwrap();
    assert_eq!(v["suites"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["suites"][0]["cases"][0]["name"], "Test Cases/Newest");

    let all = report(&f, &["--format", "json", "--all"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&all)).unwrap();
    assert_eq!(v["totals"]["suites"], 3, "{v}");
    assert_eq!(v["totals"]["tests"], 6);
}

#[test]
fn a_collection_run_lists_every_suite() {
    let f = Fixture::project();
    let ts = "Reports/20240105_101010";
    run_folder(
        &f,
        &format!("{ts}/Smoke/20240105_101011"),
        &junit("Test Suites/Smoke", "", &[tc("Test Cases/A", "PASSED")]),
    );
    run_folder(
        &f,
        &format!("{ts}/Regression/Checkout/20240105_101530"),
        &junit("Test Suites/Regression/Checkout", "", &[tc("Test Cases/B", "PASSED"), tc("Test Cases/C", "FAILED")]),
    );
    // The collection's own folder: neither a JUnit file nor a log.
    f.write(&format!("{ts}/Nightly/20240105_101010/20240105_101010.html"), "<html/>");
    let out = report(&f, &[]);
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "\
Suite                              Tests   Passed   Failed   Errors  Skipped     Time
Test Suites/Regression/Checkout        2        1        1        0        0   12.5 s
Test Suites/Smoke                      1        1        0        0        0   12.5 s
Total                                  3        2        1        0        0   25.0 s

FAILED  Test Suites/Regression/Checkout > Test Cases/C
        log: Reports/20240105_101010/Regression/Checkout/20240105_101530/execution0.log

3 tests: 2 passed, 1 failed, 0 errors, 0 skipped
"
    );
}

#[test]
fn no_report_at_all_exits_14_saying_where_it_looked() {
    let f = Fixture::project();
    let out = report(&f, &[]);
    assert_code(&out, 14);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "error: No Katalon report (JUnit_Report.xml) found; looked in:\n  - Reports (no such file or folder)\nhint: run the tests first, or name the JUnit files or the folders holding them: `katalon-prep report PATH...`\n"
    );
}

#[test]
fn an_empty_run_exits_14_too_and_names_the_report_folder() {
    let f = Fixture::project();
    f.config("run:\n  report-folder: out\n");
    std::fs::create_dir_all(f.path("Reports/20240105_101010")).unwrap();
    let out = report(&f, &[]);
    assert_code(&out, 14);
    let err = stderr(&out);
    assert!(err.contains("looked in:\n  - Reports\n  - out (no such file or folder)\n"), "{err}");
}

#[test]
fn the_report_folder_of_the_config_is_searched() {
    let f = Fixture::project();
    f.config("run:\n  report-folder: out\n");
    // -reportFolder copies a run's files flat into the folder.
    f.write("out/JUnit_Report.xml", junit("Test Suites/Smoke", "", &[tc("Test Cases/A", "PASSED")]));
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["suites"][0]["file"], "out/JUnit_Report.xml");
}

#[test]
fn a_suite_that_crashed_is_reported_without_invented_counts() {
    let f = smoke();
    f.write("Reports/20240105_101010/Regression/Checkout/20240105_101200/execution0.log", "started\n");
    let out = report(&f, &[]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(
            "\nTest Suites/Regression/Checkout  crashed before writing JUnit_Report.xml (Reports/20240105_101010/Regression/Checkout/20240105_101200)\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("4 tests: 1 passed, 1 failed, 1 error, 1 skipped; 1 suite crashed\n"), "{text}");
    let json = report(&f, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let crashed = &v["suites"][0];
    assert_eq!(crashed["state"], "crashed");
    assert_eq!(crashed["tests"], serde_json::Value::Null);
    assert_eq!(crashed["log"], "Reports/20240105_101010/Regression/Checkout/20240105_101200/execution0.log");
    assert_eq!(v["totals"]["crashed"], 1);
}

#[test]
fn a_truncated_file_is_a_warning_naming_it_and_the_rest_is_read() {
    let f = smoke();
    let whole = junit("Test Suites/Regression/Checkout", "", &[tc("Test Cases/A", "PASSED")]);
    let cut = "Reports/20240105_101010/Regression/Checkout/20240105_101200/JUnit_Report.xml";
    f.write(cut, &whole[..whole.len() / 2]);
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.starts_with(&format!("warning: {cut} is not complete XML (")), "{err}");
    assert!(err.contains("katalonc may have stopped while writing it; its suite is reported without counts"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["totals"]["unreadable"], 1);
    assert_eq!(v["totals"]["tests"], 4, "the other suite is still read");
    assert_eq!(v["suites"][0]["name"], "Test Suites/Regression/Checkout");
    assert_eq!(v["suites"][0]["state"], "unreadable");
}

#[test]
fn exit_code_makes_failures_exit_1() {
    let f = smoke();
    assert_code(&report(&f, &["--exit-code"]), 1);
    let green = Fixture::project();
    run_folder(&green, SMOKE_10, &junit("Test Suites/Smoke", "", &[tc("Test Cases/A", "PASSED")]));
    assert_code(&report(&green, &["--exit-code"]), 0);
}

#[test]
fn windows_paths_inside_map_onto_the_run_folder() {
    let f = Fixture::project();
    let win = r"C:\Users\qa\shop\Reports\20240105_101010\Smoke\20240105_101011";
    let shot = format!(r"{win}\shots\login failed.png");
    let out = format!("step failed\n[[ATTACHMENT|{shot}]]\n[[ATTACHMENT|1759578150377.png]]");
    let mut xml =
        junit("Test Suites/Smoke", win, &[Tc { message: "boom", out: &out, ..tc("Test Cases/Login", "FAILED") }]);
    // A report copied from Windows: no local log, only its own logFiles.
    xml = xml.replace(
        "<property name=\"os\"",
        &format!(
            "<property name=\"logFiles\" value=\"{win}\\console0.log, {win}\\execution0.log\"/>\n<property name=\"os\""
        ),
    );
    f.write(&format!("{SMOKE_10}/JUnit_Report.xml"), xml);
    let md = report(&f, &["--format", "markdown"]);
    assert_code(&md, 0);
    let md = stdout(&md);
    assert!(
        md.contains(&format!(
            "Log: `{SMOKE_10}/execution0.log`  \nScreenshots: `{SMOKE_10}/shots/login failed.png`, `{SMOKE_10}/1759578150377.png`  \n"
        )),
        "{md}"
    );
}

#[test]
fn since_keeps_only_reports_written_since_then() {
    let f = smoke();
    let old = "Reports/20200101_000000/Old/20200101_000001";
    run_folder(&f, old, &junit("Test Suites/Old", "", &[tc("Test Cases/X", "PASSED")]));
    let week_ago = SystemTime::now() - Duration::from_secs(7 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(f.path(&format!("{old}/JUnit_Report.xml")))
        .unwrap()
        .set_modified(week_ago)
        .unwrap();
    let names = |out: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
        v["suites"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
    };
    let recent = report(&f, &["--format", "json", "--since", "2h"]);
    assert_code(&recent, 0);
    assert_eq!(names(&recent), ["Test Suites/Smoke"]);
    let since_2020 = report(&f, &["--format", "json", "--since", "2020-01-01T00:00:00Z"]);
    assert_eq!(names(&since_2020), ["Test Suites/Old", "Test Suites/Smoke"]);
    let future = report(&f, &["--since", "2999-01-01T00:00:00+01:00"]);
    assert_code(&future, 14);
    assert!(stderr(&future).contains("written since 2999-01-01T00:00:00+01:00 found"), "{}", stderr(&future));
    let bad = report(&f, &["--since", "yesterday"]);
    assert_code(&bad, 10);
    assert!(stderr(&bad).contains("error: --since `yesterday` is neither an RFC 3339 time nor a duration"));
}

#[test]
fn paths_name_files_and_folders_to_read() {
    let f = smoke();
    f.write("elsewhere/run1/result.xml", junit("Test Suites/Other", "", &[tc("Test Cases/Z", "FAILED")]));
    let out = report(&f, &["--format", "json", "elsewhere/run1/result.xml"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["totals"]["suites"], 1);
    assert_eq!(v["suites"][0]["name"], "Test Suites/Other");
    let missing = report(&f, &["nowhere"]);
    assert_code(&missing, 14);
    assert!(stderr(&missing).contains("  - nowhere (no such file or folder)\n"), "{}", stderr(&missing));
}

#[test]
fn the_merged_junit_file_reads_back_with_the_same_counts() {
    let f = smoke();
    f.write("Reports/20240105_101010/Regression/Checkout/20240105_101200/execution0.log", "started\n");
    let out = report(&f, &["--junit", "merged/junit.xml", "--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["junit"], "merged/junit.xml");
    let xml = f.read("merged/junit.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"katalon-prep\" tests=\"5\" failures=\"1\" errors=\"2\" skipped=\"1\""), "{xml}");
    assert!(xml.contains("<testcase name=\"Test Suites/Regression/Checkout (no report)\""), "{xml}");
    // Read back by katalon-prep itself: well-formed, same cases.
    let back = report(&f, &["--format", "json", "merged/junit.xml"]);
    assert_code(&back, 0);
    let b: serde_json::Value = serde_json::from_str(&stdout(&back)).unwrap();
    assert_eq!(b["totals"]["tests"], 5);
    assert_eq!(b["totals"]["errors"], 2);
    assert_eq!(b["suites"][1]["cases"][1]["message"], "Unable to verify text 'Welcome'");
}

/// The secret-bearing report: the key and two credential option values
/// (from the config's line and from `execution.properties`) inside
/// messages, step logs and properties.
fn leaky() -> Fixture {
    let f = Fixture::project();
    f.config(
        "run:\n  args: [\"-kobitonToken=kob-TOKEN-5150\"]\n  config: { proxy.auth.password: \"two words-7070\" }\n",
    );
    let out = format!("apiKey={SENTINEL} token kob-TOKEN-5150 proxy pw-SECRET-9090 and two words-7070 done");
    let msg = format!("login with {SENTINEL} failed (kob-TOKEN-5150, pw-SECRET-9090)");
    let mut xml = junit("Test Suites/Smoke", "", &[Tc { message: &msg, out: &out, ..tc("Test Cases/Leak", "FAILED") }]);
    xml = xml.replace(
        "<property name=\"os\"",
        &format!("<property name=\"cmd\" value=\"-apiKey={SENTINEL} -proxy.auth.password=pw-SECRET-9090\"/>\n<property name=\"os\""),
    );
    run_folder(&f, SMOKE_10, &xml);
    f.write(
        &format!("{SMOKE_10}/execution.properties"),
        "{\"execution\": {\"general\": {\"proxy.auth.password\": \"pw-SECRET-9090\"}}}",
    );
    f
}

fn assert_clean(what: &str, text: &str) {
    for secret in [SENTINEL, "kob-TOKEN-5150", "pw-SECRET-9090", "two words-7070"] {
        assert!(!text.contains(secret), "{what} carries {secret}:\n{text}");
    }
}

#[test]
fn no_secret_in_any_output() {
    let f = leaky();
    for format in ["text", "markdown", "json"] {
        let out = f
            .cmd_with_key()
            .env("RUST_LOG", "trace")
            .args(["report", "--format", format, "--junit", "merged.xml"])
            .output()
            .unwrap();
        assert_code(&out, 0);
        assert!(stdout(&out).contains("***"), "{}", stdout(&out));
        assert_clean(&format!("{format} stdout"), &stdout(&out));
        assert_clean(&format!("{format} stderr"), &stderr(&out));
        assert_clean("the merged JUnit file", &f.read("merged.xml"));
    }
}

/// The command as the runner starts a container action's process (the
/// contract of tests/it/github_action.rs): a clean environment, the
/// runner's files in a folder of their own.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        Runner { dir: tempfile::tempdir().unwrap() }
    }
    fn output(&self) -> PathBuf {
        self.dir.path().join("set_output")
    }
    fn summary(&self) -> PathBuf {
        self.dir.path().join("step_summary")
    }
    fn cmd(&self, f: &Fixture) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("katalon-prep"));
        cmd.current_dir(f.root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", f.path("home"))
            .env("KATALON_PREP_SECRETS_DIR", f.path("no-secrets"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", self.output())
            .env("GITHUB_STEP_SUMMARY", self.summary())
            .env("INPUT_API-KEY", SENTINEL);
        cmd
    }
    fn outputs(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.output())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(a, b)| (a.to_string(), b.to_string())))
            .collect()
    }
}

/// A suite with `n` failed cases.
fn many_failures(n: usize, message: &str) -> Fixture {
    let f = Fixture::project();
    let names: Vec<String> = (0..n).map(|i| format!("Test Cases/T{i:05}")).collect();
    let cases: Vec<Tc> = names.iter().map(|name| Tc { message, ..tc(name, "FAILED") }).collect();
    run_folder(&f, SMOKE_10, &junit("Test Suites/Smoke", "", &cases));
    f
}

#[test]
fn on_github_the_summary_annotations_and_outputs_are_written() {
    let f = many_failures(12, "Step 3 failed, 100% sure: element missing");
    let gh = Runner::new();
    let out = gh.cmd(&f).args(["report"]).output().unwrap();
    assert_code(&out, 0);
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{err}");
    assert_eq!(
        errors[0],
        format!(
            "::error title=FAILED%3A Test Suites/Smoke > Test Cases/T00000::Step 3 failed, 100%25 sure: element missing%0Alog: {SMOKE_10}/execution0.log"
        )
    );
    assert!(
        err.contains("::notice title=katalon-prep report::2 more failed or errored test cases are not annotated (GitHub shows 10 per step): see the step summary\n"),
        "{err}"
    );
    let md = std::fs::read_to_string(gh.summary()).unwrap();
    assert!(
        md.starts_with("### Katalon test results\n\n❌ 12 tests: 0 passed, 12 failed, 0 errors, 0 skipped\n"),
        "{md}"
    );
    assert!(md.contains("| Test Suites/Smoke | 12 | 0 | 12 | 0 | 0 | 12.5 s |\n"), "{md}");
    assert!(md.contains("<summary>12 failed or errored test cases</summary>"), "{md}");
    let junit = format!("{}/katalon-prep-junit.xml", "Reports");
    assert_eq!(
        gh.outputs(),
        [("report-path".to_string(), "Reports".to_string()), ("junit-path".to_string(), junit.clone())]
    );
    assert!(f.path(&junit).is_file());
}

#[test]
fn on_github_the_summary_stays_under_1_mib_with_a_note() {
    let long = "x".repeat(900);
    let f = many_failures(1500, &long);
    let gh = Runner::new();
    // The step wrote a summary already (as `run` does with its plugin table).
    std::fs::write(gh.summary(), "p".repeat(100_000)).unwrap();
    let out = gh.cmd(&f).args(["report"]).output().unwrap();
    assert_code(&out, 0);
    let md = std::fs::read_to_string(gh.summary()).unwrap();
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(md.len() > 900 * 1024, "the room is used: {} bytes", md.len());
    let note = md.rsplit("\n> **Note:** ").next().unwrap();
    assert!(note.ends_with(
        " more failed or errored test cases are not shown: GitHub keeps a step summary under 1 MiB. `katalon-prep report` and the merged JUnit file have all of them.\n"
    ), "{note}");
    assert!(md.contains("</details>\n\n> **Note:**"), "the details block is closed before the note");
    // Standalone, nothing is cut.
    let full = report(&f, &["--format", "markdown"]);
    assert!(stdout(&full).len() > 1024 * 1024);
}

#[test]
fn on_github_no_secret_reaches_the_summary_annotations_or_outputs() {
    let f = leaky();
    let gh = Runner::new();
    let out = gh.cmd(&f).args(["report", "--format", "markdown"]).output().unwrap();
    assert_code(&out, 0);
    let err = stderr(&out);
    // The key is masked first; then nothing carries it.
    assert_eq!(err.lines().next(), Some(format!("::add-mask::{SENTINEL}").as_str()), "{err}");
    let after_masks: String = err.lines().filter(|l| !l.starts_with("::add-mask::")).collect::<Vec<_>>().join("\n");
    assert_clean("stderr", &after_masks);
    assert!(after_masks.contains("::error title=FAILED"), "{after_masks}");
    assert_clean("stdout", &stdout(&out));
    assert_clean("the step summary", &std::fs::read_to_string(gh.summary()).unwrap());
    assert_clean("the outputs", &std::fs::read_to_string(gh.output()).unwrap());
    assert_clean("the merged JUnit file", &f.read("Reports/katalon-prep-junit.xml"));
}

#[test]
fn the_action_runs_report_when_asked() {
    let f = smoke();
    let gh = Runner::new();
    let out = gh.cmd(&f).arg("github-action").env("INPUT_COMMAND", "report").output().unwrap();
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("Suite "), "{}", stdout(&out));
    let outputs = gh.outputs();
    assert_eq!(outputs[1], ("junit-path".to_string(), "Reports/katalon-prep-junit.xml".to_string()));
    assert!(
        std::fs::read_to_string(gh.summary()).unwrap().contains("| Test Suites/Smoke | 4 | 1 | 1 | 1 | 1 | 12.5 s |")
    );

    let bad = gh.cmd(&f).arg("github-action").env("INPUT_COMMAND", "deploy").output().unwrap();
    assert_code(&bad, 10);
    assert!(stderr(&bad).contains("The action input `command` is `deploy`; expected prepare, report or run"));
}

/// A katalonc that writes a 10.x report of `Smoke` (one pass, one
/// failure) under the project, or a truncated one with `FAKE_TRUNCATE`,
/// then exits with `$FAKE_CODE`. A shell script: the tests using it are Unix-only.
#[cfg(unix)]
fn katalonc_writing_a_report(f: &Fixture) -> PathBuf {
    let xml = junit(
        "Test Suites/Smoke",
        "",
        &[tc("Test Cases/Fine", "PASSED"), Tc { message: "it broke", ..tc("Test Cases/Broken", "FAILED") }],
    );
    f.write("fake-report.xml", &xml);
    f.write("fake-truncated.xml", &xml[..xml.len() / 3]);
    let script = format!(
        r#"#!/bin/sh
dir='{root}/Reports/20990101_000000/Smoke/20990101_000001'
mkdir -p "$dir"
echo log > "$dir/execution0.log"
if [ -n "$FAKE_TRUNCATE" ]; then cp '{root}/fake-truncated.xml' "$dir/JUnit_Report.xml"; else cp '{root}/fake-report.xml' "$dir/JUnit_Report.xml"; fi
echo "fake katalonc ran"
exit "${{FAKE_CODE:-0}}"
"#,
        root = f.root().display()
    );
    let path = f.write("bin/katalonc", script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(unix)]
fn stale_report(f: &Fixture) {
    let stale = "Reports/20200101_000000/Stale/20200101_000001";
    run_folder(f, stale, &junit("Test Suites/Stale", "", &[tc("Test Cases/Old", "FAILED")]));
    let old = SystemTime::now() - Duration::from_secs(86_400);
    std::fs::File::options()
        .write(true)
        .open(f.path(&format!("{stale}/JUnit_Report.xml")))
        .unwrap()
        .set_modified(old)
        .unwrap();
}

#[cfg(unix)]
#[test]
fn run_summarises_the_new_report_and_keeps_katalonc_exit_code() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    stale_report(&f);
    let fake = katalonc_writing_a_report(&f);
    let out = f.cmd_with_key().env("FAKE_CODE", "1").args(["run", "--katalonc"]).arg(&fake).output().unwrap();
    assert_code(&out, 1);
    assert_eq!(stdout(&out), "fake katalonc ran\n");
    let err = stderr(&out);
    assert!(err.contains("katalonc exited with 1: some tests failed\n"), "{err}");
    assert!(err.contains("\nTest Suites/Smoke        2        1        1        0        0   12.5 s\n"), "{err}");
    assert!(err.contains("FAILED  Test Suites/Smoke > Test Cases/Broken\n        it broke\n"), "{err}");
    assert!(err.contains("2 tests: 1 passed, 1 failed, 0 errors, 0 skipped"), "{err}");
    assert!(!err.contains("Stale"), "a report older than the run is left out:\n{err}");
    assert_clean("run's stderr", &err);
}

#[cfg(unix)]
#[test]
fn run_with_an_unreadable_report_warns_and_keeps_the_code() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    let fake = katalonc_writing_a_report(&f);
    let out = f
        .cmd_with_key()
        .env("FAKE_CODE", "2")
        .env("FAKE_TRUNCATE", "1")
        .args(["run", "--katalonc"])
        .arg(&fake)
        .output()
        .unwrap();
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("warning: Reports/20990101_000000/Smoke/20990101_000001/JUnit_Report.xml is not complete XML"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn run_without_any_report_warns_and_keeps_the_code() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    let fake = f.fake_katalonc("katalonc");
    let out = f.cmd_with_key().env("FAKE_CODE", "3").args(["run", "--katalonc"]).arg(&fake).output().unwrap();
    assert_code(&out, 3);
    assert!(
        stderr(&out)
            .contains("warning: katalonc wrote no JUnit_Report.xml that katalon-prep could find (looked in Reports)"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn run_on_github_publishes_the_results_after_the_plugin_summary() {
    let f = Fixture::project();
    f.config("run:\n  test-suite: Test Suites/Smoke\n");
    let fake = katalonc_writing_a_report(&f);
    let gh = Runner::new();
    let out = gh.cmd(&f).env("FAKE_CODE", "1").args(["run", "--katalonc"]).arg(&fake).output().unwrap();
    assert_code(&out, 1);
    let md = std::fs::read_to_string(gh.summary()).unwrap();
    let prepare_at = md.find("### katalon-prep").expect("the prepare summary");
    let results_at = md.find("### Katalon test results").expect("the results summary");
    assert!(prepare_at < results_at, "{md}");
    let junit = gh.outputs().into_iter().find(|(k, _)| k == "junit-path").expect("junit-path").1;
    assert_eq!(junit, "Reports/katalon-prep-junit.xml");
    assert!(Path::new(&f.path(&junit)).is_file());
    assert!(stderr(&out).contains("::error title=FAILED%3A Test Suites/Smoke > Test Cases/Broken::it broke"));
}

/// Copies `tests/fixtures/reports/<name>` to `<folder>/JUnit_Report.xml`.
fn committed(f: &Fixture, name: &str, folder: &str) {
    let xml = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports").join(name)).unwrap();
    f.write(&format!("{folder}/JUnit_Report.xml"), xml);
}

#[test]
fn katalon_10_made_on_windows_and_katalon_6_side_by_side() {
    let f = Fixture::project();
    let win = "Reports/20240304_101500/Regression/Checkout/20240304_101502";
    committed(&f, "katalon-10-windows.xml", win);
    committed(&f, "katalon-6.xml", "Reports/Login/20190301_080000");
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let login = &v["suites"][0];
    assert_eq!(login["name"], "Test Suites/Login");
    assert_eq!((login["passed"].as_u64(), login["failed"].as_u64()), (Some(1), Some(1)), "6.x: no status attributes");
    assert_eq!(login["cases"][1]["message"], "Unable to click on object 'Page_Login/btn_submit'");
    let checkout = &v["suites"][1];
    assert_eq!(checkout["name"], "Test Suites/Regression/Checkout");
    assert_eq!(checkout["katalon_version"], "10.1.0.223");
    assert_eq!(
        [&checkout["tests"], &checkout["passed"], &checkout["failed"], &checkout["errors"]],
        [3, 1, 1, 1],
        "INCOMPLETE counts as an error"
    );
    // Its own doubled-backslash Windows paths, mapped onto the run folder here.
    assert_eq!(checkout["log"], format!("{win}/execution0.log"));
    let voucher = &checkout["cases"][1];
    assert_eq!(voucher["message"], "Test Cases/Checkout/Pay by voucher FAILED.");
    assert_eq!(voucher["screenshots"], serde_json::json!([format!("{win}/1709543720455.png")]));
}

#[test]
fn on_github_a_crashed_suite_is_an_error_and_an_unreadable_report_a_warning() {
    let f = Fixture::project();
    f.write("Reports/20240105_101010/Crashy/20240105_101200/execution0.log", "started\n");
    f.write(
        "Reports/20240105_101010/Cut/20240105_101300/JUnit_Report.xml",
        "<?xml version=\"1.0\"?>\n<testsuites><testsu",
    );
    let gh = Runner::new();
    let out = gh.cmd(&f).args(["report", "--exit-code"]).output().unwrap();
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(
            "::error title=Test Suites/Crashy crashed::No JUnit_Report.xml in Reports/20240105_101010/Crashy/20240105_101200: the suite stopped before writing it\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("::warning title=Test Suites/Cut%3A report unreadable::Reports/20240105_101010/Cut/20240105_101300/JUnit_Report.xml is not complete XML ("),
        "{err}"
    );
    let md = std::fs::read_to_string(gh.summary()).unwrap();
    assert!(
        md.contains("❌ 0 tests: 0 passed, 0 failed, 0 errors, 0 skipped; 1 suite crashed; 1 report unreadable\n"),
        "{md}"
    );
}

#[test]
fn a_collection_that_ran_a_suite_twice_shows_both_runs_of_the_newest_batch() {
    let f = smoke();
    // Yesterday's run of Smoke, then today's collection running it in two browsers.
    let today = "Reports/20240106_090000";
    run_folder(
        &f,
        &format!("{today}/Smoke/20240106_090001"),
        &junit("Test Suites/Smoke", "", &[tc("Test Cases/Chrome", "PASSED")]),
    );
    run_folder(
        &f,
        &format!("{today}/Smoke/20240106_091500"),
        &junit("Test Suites/Smoke", "", &[tc("Test Cases/Firefox", "PASSED")]),
    );
    let out = report(&f, &["--format", "json"]);
    assert_code(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cases: Vec<&str> =
        v["suites"].as_array().unwrap().iter().map(|s| s["cases"][0]["name"].as_str().unwrap()).collect();
    assert_eq!(cases, ["Test Cases/Chrome", "Test Cases/Firefox"]);
}

// ---- exact output (snapshots) ----

#[test]
fn report_in_each_format() {
    let f = smoke();
    for format in ["text", "markdown", "json"] {
        let out = report(&f, &["--format", format]);
        assert_code(&out, 0);
        support::assert_run_snapshot!(format!("report_{format}"), f, out);
    }
}
