//! `katalon-prep matrix`: shards from a collection (one per enabled entry,
//! disabled ones skipped) or a suite glob, as a GitHub matrix (stdout and
//! Actions outputs) or a GitLab child pipeline; and `--shard` taking one back.

use crate::support;

use std::process::Output;

use support::{Fixture, SENTINEL, assert_code, stderr, stdout};

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn github_matrix_from_a_parallel_collection_skips_disabled_entries() {
    let p = Fixture::shop();
    let out = p.cmd().args(["matrix", "--collection", "Test Suites/Parallel Regression"]).output().unwrap();
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        concat!(
            r#"{"include":[{"suite":"Test Suites/Smoke/Login","browser":"Chrome","profile":"default"},"#,
            r#"{"suite":"Test Suites/Smoke/Search","browser":"Chrome Grid","profile":"staging"},"#,
            r#"{"suite":"Test Suites/Regression/Checkout/Payment","browser":"Chrome (headless)","profile":"staging"}]}"#,
            "\n"
        )
    );
    assert!(
        stderr(&out).contains("3 shards from `Test Suites/Parallel Regression` (1 disabled skipped), max-parallel 2")
    );
}

/// `matrix --collection <collection>` under GitHub Actions, writing its
/// outputs to `github_output`; panics unless it succeeds.
fn matrix_on_github(p: &Fixture, collection: &str) -> Output {
    let out = p
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", p.path("github_output"))
        .args(["matrix", "--collection", collection])
        .output()
        .unwrap();
    assert_code(&out, 0);
    out
}

#[test]
fn github_outputs_in_actions() {
    let p = Fixture::shop();
    let out = matrix_on_github(&p, "Test Suites/Parallel Regression");
    let written = p.read("github_output");
    let matrix = stdout(&out);
    assert_eq!(written, format!("matrix={}max-parallel=2\n", matrix));
}

#[test]
fn sequential_collection_runs_one_at_a_time() {
    let p = Fixture::shop();
    let out = matrix_on_github(&p, "Test Suites/Nightly.ts");
    let doc = json(&out);
    let suites: Vec<&str> = doc["include"].as_array().unwrap().iter().map(|e| e["suite"].as_str().unwrap()).collect();
    assert_eq!(suites, ["Test Suites/Smoke/Login", "Test Suites/Regression/Cart"]);
    assert!(p.read("github_output").ends_with("max-parallel=1\n"));
}

#[test]
fn collection_from_the_config_by_default() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite-collection: Test Suites/Nightly\n");
    let out = p.cmd().arg("matrix").output().unwrap();
    assert_code(&out, 0);
    assert_eq!(json(&out)["include"].as_array().unwrap().len(), 2);
}

#[test]
fn suites_glob_gives_one_shard_per_suite() {
    let p = Fixture::shop();
    p.config("run:\n  browser: Firefox (headless)\n");
    let out =
        p.cmd().args(["matrix", "--suites", "Test Suites/Regression/**", "--profile", "staging"]).output().unwrap();
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        concat!(
            r#"{"include":[{"suite":"Test Suites/Regression/Cart","browser":"Firefox (headless)","profile":"staging"},"#,
            r#"{"suite":"Test Suites/Regression/Checkout/Payment","browser":"Firefox (headless)","profile":"staging"}]}"#,
            "\n"
        )
    );
}

#[test]
fn suites_glob_single_star_stays_in_its_folder_and_skips_collections() {
    let p = Fixture::shop();
    let out = p.cmd().args(["matrix", "--suites", "Test Suites/*"]).output().unwrap();
    // Test Suites/* holds only collections (Nightly, Parallel Regression, Mobile).
    assert_code(&out, 12);
    assert!(stderr(&out).contains("`--suites Test Suites/*` gives no shards"), "{}", stderr(&out));
}

#[test]
fn gitlab_child_pipeline_has_one_job_per_enabled_entry() {
    let p = Fixture::shop();
    let out = p
        .cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .args(["--api-key-env", "KATALON_KEY_MASKED", "matrix", "--format", "gitlab"])
        .args(["--collection", "Test Suites/Parallel Regression", "--image", "registry.example.com/katalon:10"])
        .args(["--prep-image", "registry.example.com/katalon-prep:1-shell"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(!text.contains(SENTINEL), "{text}");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let map = doc.as_mapping().unwrap();
    let jobs: Vec<(&str, &serde_yaml::Value)> =
        map.iter().filter(|(k, _)| k.as_str() != Some("stages")).map(|(k, v)| (k.as_str().unwrap(), v)).collect();
    // The prepare job, then one job per shard.
    assert_eq!(jobs.len(), 5, "{text}");
    assert_eq!(jobs[0].0, "variables");
    assert_eq!(jobs[1].0, "katalon-prep");
    let prep = jobs[1].1;
    assert_eq!(prep["image"]["name"].as_str(), Some("registry.example.com/katalon-prep:1-shell"));
    assert_eq!(prep["artifacts"]["paths"][0].as_str(), Some(".katalon-prep/bin/katalon-prep"));
    assert_eq!(prep["cache"]["key"]["files"][0].as_str(), Some("katalon-prep.lock"));
    let shards = &jobs[2..];
    assert_eq!(shards[0].0, "katalon 1/3: Test Suites/Smoke/Login (Chrome, default)");
    // The image the user names, its entrypoint cleared so GitLab's shell runs the script.
    assert_eq!(shards[1].1["image"]["name"].as_str(), Some("registry.example.com/katalon:10"));
    assert_eq!(shards[1].1["image"]["entrypoint"][0].as_str(), Some(""));
    // The binary comes from the prepare job's artifact.
    assert_eq!(shards[1].1["needs"][0]["job"].as_str(), Some("katalon-prep"));
    assert_eq!(shards[1].1["needs"][0]["artifacts"].as_bool(), Some(true));
    assert_eq!(
        shards[1].1["script"][0].as_str(),
        Some(
            r#".katalon-prep/bin/katalon-prep --api-key-env KATALON_KEY_MASKED run --shard '{"suite":"Test Suites/Smoke/Search","browser":"Chrome Grid","profile":"staging"}'"#
        )
    );
    // The plugin cache, keyed by the lock; only the prepare job writes it.
    assert_eq!(shards[1].1["cache"]["key"]["files"][0].as_str(), Some("katalon-prep.lock"));
    assert_eq!(shards[1].1["cache"]["policy"].as_str(), Some("pull"));
    // The merged JUnit file in the report folder, for GitLab's test report.
    assert_eq!(shards[1].1["artifacts"]["reports"]["junit"].as_str(), Some("Reports/katalon-prep-junit.xml"));
    assert_eq!(
        shards[1].1["after_script"][0].as_str(),
        Some(".katalon-prep/bin/katalon-prep report --junit Reports/katalon-prep-junit.xml")
    );
    assert_eq!(shards[1].1["artifacts"]["when"].as_str(), Some("always"));
    // maxConcurrentInstances 2: two jobs in the first wave, the third in the next.
    assert_eq!(
        doc["stages"],
        serde_yaml::from_str::<serde_yaml::Value>("[katalon-prepare, katalon-1, katalon-2]").unwrap()
    );
    assert_eq!(shards[2].1["stage"].as_str(), Some("katalon-2"));
    assert_eq!(shards[2].1["when"].as_str(), Some("always"));
}

#[test]
fn gitlab_jobs_repeat_config_and_project_flags() {
    let p = Fixture::shop();
    p.write("ci/katalon.yml", "run:\n  test-suite-collection: Test Suites/Nightly\n");
    let out = p
        .cmd()
        .args(["--config", "ci/katalon.yml", "--project", "shop.prj", "matrix", "--format", "gitlab"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    let doc: serde_yaml::Value = serde_yaml::from_str(&stdout(&out)).unwrap();
    let job = &doc["katalon 1/2: Test Suites/Smoke/Login (Chrome (headless), default)"];
    let script = job["script"][0].as_str().unwrap();
    assert!(
        script.starts_with(
            ".katalon-prep/bin/katalon-prep --api-key-env KATALON_API_KEY --config ci/katalon.yml --project shop.prj run --shard "
        ),
        "{script}"
    );
    // The lock sits beside the config.
    assert_eq!(job["cache"]["key"]["files"][0].as_str(), Some("ci/katalon-prep.lock"));
}

#[test]
fn a_shard_from_the_matrix_prepares_that_shard() {
    let p = Fixture::shop();
    let out = p.cmd().args(["matrix", "--collection", "Test Suites/Parallel Regression"]).output().unwrap();
    let shard = json(&out)["include"][1].to_string();
    let out = p.cmd_with_key().args(["args", "--format", "json", "--shard", &shard]).output().unwrap();
    assert_code(&out, 0);
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        argv,
        [
            "-noSplash",
            "-runMode=console",
            "-projectPath=shop.prj",
            "-testSuitePath=Test Suites/Smoke/Search",
            "-browserType=Chrome Grid",
            "-executionProfile=staging",
            &format!("-apiKey={SENTINEL}"),
        ]
    );
}

#[test]
fn suite_browser_and_profile_flags_prepare_a_shard() {
    let p = Fixture::shop();
    p.config("run:\n  test-suite: Test Suites/Smoke/Login\n  browser: Chrome\n");
    let out = p
        .cmd()
        .args(["args", "--without-api-key", "--suite", "Test Suites/Regression/Cart", "--profile", "staging"])
        .output()
        .unwrap();
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "-noSplash -runMode=console -projectPath=shop.prj '-testSuitePath=Test Suites/Regression/Cart' -browserType=Chrome -executionProfile=staging\n"
    );
}

#[test]
fn malformed_shard_is_a_usage_error() {
    let p = Fixture::shop();
    let out = p.cmd_with_key().args(["args", "--shard", r#"{"suite":"x","brwser":"Chrome"}"#]).output().unwrap();
    assert_code(&out, 10);
    assert!(stderr(&out).contains("`--shard` is not a shard: unknown field `brwser`"), "{}", stderr(&out));
}

#[test]
fn collection_with_every_entry_disabled_gives_no_shards() {
    let p = Fixture::shop();
    let all_off =
        p.read("Test Suites/Nightly.ts").replace("<runEnabled>true</runEnabled>", "<runEnabled>false</runEnabled>");
    p.write("Test Suites/Off.ts", &all_off);
    let out = p.cmd().args(["matrix", "--collection", "Test Suites/Off"]).output().unwrap();
    assert_code(&out, 12);
    assert!(
        stderr(&out)
            .contains("Collection `Test Suites/Off` gives no shards\nhint: all 3 entries have runEnabled=false")
    );
}

#[test]
fn a_suite_is_not_a_collection() {
    let p = Fixture::shop();
    let out = p.cmd().args(["matrix", "--collection", "Test Suites/Smoke/Login"]).output().unwrap();
    assert_code(&out, 12);
    assert!(stderr(&out).contains("hint: shard suites with --suites 'Test Suites/Smoke/Login'"));
}

#[test]
fn entry_with_device_settings_warns() {
    let p = Fixture::shop();
    let out = p.cmd().args(["matrix", "--collection", "Test Suites/Mobile"]).output().unwrap();
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("has run configuration data (deviceName, deviceId) that -browserType cannot carry"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn nothing_to_shard_is_a_usage_error() {
    let p = Fixture::shop();
    let out = p.cmd().arg("matrix").output().unwrap();
    assert_code(&out, 10);
    assert!(stderr(&out).contains("error: Nothing to shard"));
}

// ---- exact output (snapshots) ----

#[test]
fn matrix_in_each_format() {
    let p = Fixture::shop();
    let runs: [(&str, &[&str]); 3] = [
        ("github_collection", &["--collection", "Test Suites/Parallel Regression"]),
        ("github_suites", &["--suites", "Test Suites/Smoke/*"]),
        ("gitlab_collection", &["--collection", "Test Suites/Parallel Regression", "--format", "gitlab"]),
    ];
    for (name, args) in runs {
        let out = p.cmd().arg("matrix").args(args).output().unwrap();
        assert_code(&out, 0);
        support::assert_run_snapshot!(format!("matrix_{name}"), p, out);
    }
}
