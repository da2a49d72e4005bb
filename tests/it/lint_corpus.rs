//! The lint against a corpus of katalonc lines: the examples of Katalon's
//! page "Command-line syntax in Katalon Runtime Engine" and lines seen in
//! public workflows and scripts, each with the findings it must get —
//! no more, no fewer. Every line is checked with `check --args --format
//! json` against the shop fixture, saved by Katalon 10.3.1 (so version gates
//! stay quiet unless a line says otherwise).

use crate::support::{Fixture, output_of, stderr, stdout};

/// `(line, expected findings as "severity[rule]", sorted as they come)`.
/// `P` at the start of a line stands for the program and the project:
/// `katalonc -noSplash -runMode=console -projectPath=shop.prj`.
const CORPUS: &[(&str, &[&str])] = &[
    // Katalon's page, proxy section: each name is its own option.
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.auth.option=MANUAL_CONFIG \
         -proxy.auth.server.type=HTTP -proxy.auth.server.address=proxy.example.com -proxy.auth.server.port=8080 \
         -proxy.auth.username=me -proxy.auth.password=pass -proxy.auth.excludes=localhost",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.system.option=MANUAL_CONFIG \
         -proxy.system.server.type=SOCKS -proxy.system.server.address=10.0.0.1 -proxy.system.server.port=1080 \
         -proxy.system.applyToDesiredCapabilities=true -proxy.system.excludes=127.0.0.1",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.option=USE_SYSTEM -proxy.server.type=HTTPS \
         -proxy.server.address=p -proxy.server.port=3128 -proxy.username=u -proxy.password=pw -proxy.excludes=x",
        &[],
    ),
    // An exact value of a proxy option is exact.
    ("P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.auth.option=manual_config", &["error[bad-value]"]),
    ("P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.auth.server.port=eighty", &["error[not-integer]"]),
    // The same option twice is still a repeat.
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -proxy.auth.option=NO_PROXY -proxy.auth.option=NO_PROXY",
        &["error[duplicate-option]"],
    ),
    // Kobiton and the web UI settings after --config.
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -kobiton.authentication.serverUrl=https://api.kobiton.com \
         -kobiton.authentication.username=me -kobiton.authentication.apiKey=k -webui.autoUpdateDrivers=true",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -delayBetweenInstances=5 -appiumDirectory=/opt/appium", &[]),
    ("P -testSuitePath='Test Suites/Smoke/Login' -delayBetweenInstances=1000", &["error[bad-value]"]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --info -buildLabel=nightly -buildURL=https://ci/1 -adoDefinitionID=3",
        &[],
    ),
    // Katalon's page: licence retries, TestOps (8.4-10.3), TestCloud, collections.
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -enableLicenseRetry=true -licenseRetryMaxDuration=10 \
         -licenseRetryInterval=3 -licenseRetryMaxJitter=1",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -testOps.enabled=true -testOps.testRunName=\"Nightly run\" \
         -testOps.serverUrl=https://testops.katalon.io -testOps.tag=\"t1, t2\" -testOps.customField=\"k1:v1, k2:v2\" \
         -testOps.baselineCollectionId=42 -testOpsProjectId=7 -testOpsReleaseId=3 -testOpsBuildId=9",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -browserType=\"TestCloud\" -testcloudEnvironmentId=12 -testcloudTunnel=true",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -browserType=TestCloud", &["error[testcloud-without-environment]"]),
    (
        "P -testSuiteCollectionPath=\"Test Suites/Parallel Regression\" -testSuiteCollectionQuery=\"indexes=(0,3)\" -delayBetweenInstances=5",
        &[],
    ),
    // Katalon's page has this mistake: ordinary options after --config.
    (
        "P -testSuitePath='Test Suites/Smoke/Login' --config -webui.autoUpdateDrivers=true -licenseRelease=true -reportFolder=Reports",
        &["error[wrong-section]", "error[wrong-section]", "warning[license-release-without-org]"],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -orgID=1 -licenseRelease=true -serverUrl=https://kse.example.com",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -licenseRetryInterval=2", &["error[license-retry]"]),
    ("P -testSuitePath='Test Suites/Smoke/Login' -retry=two", &["error[not-integer]"]),
    ("P -testSuitePath='Test Suites/Smoke/Login' -testOps.enabled=yes", &["error[not-boolean]"]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -consoleLog -noExit",
        &["warning[windows-cmd-only]", "warning[windows-cmd-only]"],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -reportFileName=report", &["warning[ignored-option]"]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -testSuiteCollectionPath='Test Suites/Parallel Regression'",
        &["error[two-targets]"],
    ),
    ("P -browserType=Chrome", &["error[no-target]"]),
    ("P -TestSuitePath='Test Suites/Smoke/Login'", &["error[unknown-option]", "error[no-target]"]),
    ("P -testSuitPath='Test Suites/Smoke/Login'", &["error[unknown-option]", "error[no-target]"]),
    ("P -testSuitePath='Test Suites/Smoke/Login' -executionProfle=default", &["error[unknown-option]"]),
    ("P -testSuitePath='Test Suites/Smoke/Login' -testOps.futureSetting=1", &["warning[unlisted-option]"]),
    // An unknown option with its value in the next word: one finding, not a stray word too.
    ("P -testSuitePath='Test Suites/Smoke/Login' -testOps.futureSetting on", &["warning[unlisted-option]"]),
    ("P -testSuitPath 'Test Suites/Smoke/Login'", &["error[unknown-option]", "error[no-target]"]),
    // Public workflows and scripts.
    (
        "katalonc -noSplash -runMode=console -projectPath=\"$(pwd)/shop.prj\" -retry=0 -testSuitePath=\"Test Suites/Smoke/Login\" \
         -executionProfile=default -browserType=\"Chrome (headless)\" -apiKey=\"${{ secrets.KATALON_API_KEY }}\" \
         --config -webui.autoUpdateDrivers=true",
        &[],
    ),
    // The official Katalon action's `args`: it adds -projectPath itself.
    (
        "-retry=0 -testSuitePath=\"Test Suites/Smoke/Login\" -browserType=\"Chrome\" -executionProfile=\"default\" \
         -apiKey=${{ secrets.API_KEY }} --config -proxy.option=NO_PROXY -proxy.system.option=NO_PROXY \
         -proxy.system.applyToDesiredCapabilities=true -webui.autoUpdateDrivers=true",
        &["info[no-project-path]"],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -apiKey= ${{ secrets.KATALON_API_KEY }}", &["error[empty-value]"]),
    (
        "./katalonc.sh -noSplash -runMode=console -projectPath=\"${WORKSPACE}/shop.prj\" -retry=0 \
         -testSuiteCollectionPath=\"Test Suites/Parallel Regression\" -apiKey=$KATALON_API_KEY -reportFolder=reports -reportFileName=report",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -browserType=Remote -remoteWebDriverUrl=http://selenium:4444/wd/hub \
         -remoteWebDriverType=Selenium",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -browserType=Android -deviceId=emulator-5554", &[]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -browserType=\"Kobiton Device\" -kobitonUserName=me -kobitonToken=t0k3n \
         -kobitonDeviceId=123",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -browserType=IE", &["warning[browser-not-on-linux]"]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -browserType=Edge Chromium",
        &["warning[browser-not-on-linux]", "error[stray-word]"],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -executionProfile=default -g_baseUrl=https://x -g_timeout=30", &[]),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -retryStrategy=failedExecutions -retryFailedTestCases=true -retry=2 \
         -maxFailedTests=5 -statusDelay=30 -maxResponseSize=1000000",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -sendMail=qa@example.com -executionUUID=abc -propertiesFile=run.properties \
         -installPlugin=/opt/plugins/x.jar",
        &[],
    ),
    (
        "P -testSuitePath='Test Suites/Smoke/Login' -qTestDestId=1 -qTestDestType=test-suite -adoPlanId=3 -adoTestRunName=nightly",
        &[],
    ),
    ("P -testSuitePath='Test Suites/Smoke/Login' -statusDelay 15", &["warning[separate-value]"]),
    // Program names as pasted, with POSIX and Windows paths (matched before unescaping).
    (
        r"C:\Katalon\katalonc.exe -noSplash -runMode=console -projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login'",
        &[],
    ),
    (
        r#""C:\Program Files\Katalon\katalon.exe" -noSplash -runMode=console -projectPath=shop.prj -testSuitePath="Test Suites/Smoke/Login""#,
        &[],
    ),
    (
        "./katalon-execute.sh -noSplash -runMode=console -projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login'",
        &[],
    ),
    (
        "/opt/katalon/katalon -noSplash -runMode=console -projectPath=shop.prj -testSuitePath='Test Suites/Smoke/Login'",
        &[],
    ),
    // The official image's usage line (katalon.md §5): the image is not the program.
    (
        r#"docker run -t --rm -v "$(pwd)":/tmp/project katalonstudio/katalon katalonc.sh -projectPath=/tmp/project -browserType="Chrome" -retry=0 -statusDelay=15 -testSuitePath="Test Suites/Smoke/Login" -apiKey="$KATALON_API_KEY""#,
        &[],
    ),
    // cmd and PowerShell lines: one clear finding, not a pile.
    (
        "katalonc.exe -noSplash -runMode=console ^\n -projectPath=\"C:\\work\\shop\\shop.prj\" ^\n -testSuitePath=\"Test Suites/Smoke/Login\" -apiKey=%KATALON_API_KEY%",
        &["error[not-posix-shell]"],
    ),
    (
        "& \"C:\\Katalon\\katalonc.exe\" -noSplash -runMode=console `\n -projectPath=\"C:\\work\\shop\" `\n -apiKey=$env:KATALON_API_KEY",
        &["error[not-posix-shell]"],
    ),
];

/// The shop fixture as saved by Katalon 10.3.1.
pub fn shop_10() -> Fixture {
    let p = Fixture::shop();
    let prj = p
        .read("shop.prj")
        .replace("<modifiedVersion>8.0.5</modifiedVersion>", "<modifiedVersion>10.3.1</modifiedVersion>");
    p.write("shop.prj", prj);
    p
}

fn expand(line: &str) -> String {
    match line.strip_prefix("P ") {
        Some(rest) => format!("katalonc -noSplash -runMode=console -projectPath=shop.prj {rest}"),
        None => line.to_string(),
    }
}

/// The findings of `check --args line` as `severity[rule]`, and the exit code.
fn findings(p: &Fixture, line: &str) -> (Vec<String>, Option<i32>) {
    let out = output_of(p.cmd().env("RUNNER_OS", "Linux").args(["check", "--format", "json", "--args", line]));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}) for {line}:\n{}\n{}", stdout(&out), stderr(&out)));
    let found = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{}[{}]", f["severity"].as_str().unwrap_or("?"), f["rule"].as_str().unwrap_or("?")))
        .collect();
    (found, out.status.code())
}

#[test]
fn every_line_of_the_corpus_gets_exactly_its_findings() {
    let p = shop_10();
    let mut wrong = Vec::new();
    for (line, expected) in CORPUS {
        let line = expand(line);
        let (found, code) = findings(&p, &line);
        let want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        let want_code = if want.iter().any(|f| f.starts_with("error")) { 13 } else { 0 };
        assert!(CORPUS.len() >= 30);
        if found != want || code != Some(want_code) {
            wrong.push(format!("{line}\n  expected {want:?} (exit {want_code})\n  found    {found:?} (exit {code:?})"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} lines:\n{}", wrong.len(), CORPUS.len(), wrong.join("\n"));
}
