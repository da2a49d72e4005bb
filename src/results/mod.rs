//! Katalon's test results: finding the `JUnit_Report.xml` files a run left
//! behind ([`find`]), reading them into [`Suite`]s ([`parse`]), and showing
//! them as text, Markdown, JSON or one merged JUnit file ([`render`]).
//!
//! Counts always come from the `<testcase>` elements and their status, never
//! from the `tests`/`failures` attributes, which Katalon versions fill in
//! differently. A suite whose run folder holds a log but no JUnit file
//! crashed before writing it: it is reported as such, with no counts. Every
//! string read from a report passes through [`crate::secret::redact`] when it
//! is read, so no output made from the model can carry a registered secret.
//!
//! This module reads files only; what goes to stdout, stderr or the CI is
//! the caller's business (`commands::report`, `ci::github`).

pub mod find;
pub mod parse;
pub mod render;
pub mod since;

use std::path::PathBuf;

/// The file name Katalon gives its JUnit report.
pub const JUNIT_FILE: &str = "JUnit_Report.xml";
/// The log a suite run writes first; a run folder with it and without
/// [`JUNIT_FILE`] is a suite that crashed before writing its report.
pub const EXECUTION_LOG: &str = "execution0.log";
/// The merged JUnit file written by default (on GitHub Actions) in the report folder.
pub const MERGED_JUNIT: &str = "katalon-prep-junit.xml";

/// How one test case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl Status {
    /// `FAILED`, as Katalon writes it.
    pub fn upper(self) -> &'static str {
        match self {
            Status::Passed => "PASSED",
            Status::Failed => "FAILED",
            Status::Error => "ERROR",
            Status::Skipped => "SKIPPED",
        }
    }

    /// `failed`, as the JSON output writes it.
    pub fn lower(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }

    pub fn is_bad(self) -> bool {
        matches!(self, Status::Failed | Status::Error)
    }
}

/// One `<testcase>`.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub classname: Option<String>,
    pub status: Status,
    pub time: Option<f64>,
    /// The first non-empty line of the failure's or error's message.
    pub message: Option<String>,
    /// The `<failure>`/`<error>` element as written: its `type` and text.
    pub failure_type: Option<String>,
    pub failure_text: Option<String>,
    pub system_out: Option<String>,
    pub system_err: Option<String>,
    /// Screenshots the case's step log attaches, as paths to show.
    pub screenshots: Vec<String>,
}

/// What could be made of one suite run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Its JUnit file was read.
    Read,
    /// Its run folder has a log but no JUnit file: it crashed (or was killed) before writing it.
    Crashed,
    /// Its JUnit file exists but cannot be read (truncated, empty, not XML); why.
    Unreadable(String),
}

/// One suite run.
#[derive(Debug, Clone)]
pub struct Suite {
    /// `Test Suites/X` (the report's `id`), else its `name`, else from the folder.
    pub name: String,
    /// The JUnit file, when there is one.
    pub file: Option<PathBuf>,
    /// The run folder (where the log and screenshots are).
    pub folder: PathBuf,
    pub state: State,
    pub timestamp: Option<String>,
    pub hostname: Option<String>,
    /// `<properties>`, in order.
    pub properties: Vec<(String, String)>,
    /// The suite's own `time`, else the sum of its cases'.
    pub time: Option<f64>,
    pub cases: Vec<Case>,
    /// The suite's log, as a path to show.
    pub log: Option<String>,
}

/// Counts of one suite or of all.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    pub time: f64,
}

impl Suite {
    /// Counted from the cases; `None` when the suite has no readable report.
    pub fn counts(&self) -> Option<Counts> {
        if self.state != State::Read {
            return None;
        }
        let mut c = Counts { tests: self.cases.len(), time: self.time.unwrap_or(0.0), ..Counts::default() };
        for case in &self.cases {
            match case.status {
                Status::Passed => c.passed += 1,
                Status::Failed => c.failed += 1,
                Status::Error => c.errors += 1,
                Status::Skipped => c.skipped += 1,
            }
        }
        Some(c)
    }

    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// Everything read, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub suites: Vec<Suite>,
}

impl Results {
    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.suites.iter().filter_map(Suite::counts) {
            t.tests += c.tests;
            t.passed += c.passed;
            t.failed += c.failed;
            t.errors += c.errors;
            t.skipped += c.skipped;
            t.time += c.time;
        }
        t
    }

    /// Suites that crashed before writing their report.
    pub fn crashed(&self) -> usize {
        self.suites.iter().filter(|s| s.state == State::Crashed).count()
    }

    /// Reports that could not be read.
    pub fn unreadable(&self) -> usize {
        self.suites.iter().filter(|s| matches!(s.state, State::Unreadable(_))).count()
    }

    /// Failed and errored cases, with their suite, in report order.
    pub fn bad_cases(&self) -> impl Iterator<Item = (&Suite, &Case)> {
        self.suites.iter().flat_map(|s| s.cases.iter().filter(|c| c.status.is_bad()).map(move |c| (s, c)))
    }

    /// Whether anything went wrong: a failed or errored case, a crashed
    /// suite, a report that could not be read (`--exit-code`).
    pub fn any_bad(&self) -> bool {
        self.bad_cases().next().is_some() || self.crashed() > 0 || self.unreadable() > 0
    }
}

/// The file in each run folder holding the run's settings (proxy and device
/// credentials among them).
pub const EXECUTION_PROPERTIES: &str = "execution.properties";

/// Reads the selected runs. First registers for redaction every credential
/// in their `execution.properties` (a report of one run may quote another's),
/// so nothing read afterwards can carry one.
pub fn read(selected: &[find::Candidate], cwd: &std::path::Path) -> Results {
    for c in selected {
        if let Ok(text) = std::fs::read_to_string(c.folder.join(EXECUTION_PROPERTIES)) {
            credential_values(&text).iter().for_each(|v| crate::secret::register(v));
        }
    }
    let mut suites = Vec::new();
    for c in selected {
        let fallback =
            if c.suite.is_empty() { parse::show(&c.folder, cwd) } else { format!("Test Suites/{}", c.suite) };
        match c.kind {
            find::Kind::Junit => suites.extend(parse::file(&c.path, &c.folder, &fallback, cwd)),
            find::Kind::Crashed => suites.push(Suite {
                name: fallback,
                file: None,
                folder: c.folder.clone(),
                state: State::Crashed,
                timestamp: c.stamp.clone(),
                hostname: None,
                properties: Vec::new(),
                time: None,
                cases: Vec::new(),
                log: Some(parse::show(&c.path, cwd)),
            }),
        }
    }
    Results { suites }
}

/// The values of credential settings in a text of any usual shape —
/// `-kobitonToken=v`, `proxy.auth.password=v`, `"password": "v"`,
/// `password: v` — where the name is one [`crate::katalonc::options::is_secret_name`]
/// accepts. Masked (`****`), empty and very short values are left alone:
/// masking them would blank out ordinary words.
pub fn credential_values(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let is_name = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-');
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_name(b[i]) || (i > 0 && is_name(b[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_name(b[i]) {
            i += 1;
        }
        let name = &text[start..i];
        let mut j = i;
        if j < b.len() && matches!(b[j], b'"' | b'\'') {
            j += 1;
        }
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j >= b.len() || !matches!(b[j], b'=' | b':') || !crate::katalonc::options::is_secret_name(name) {
            continue;
        }
        j += 1;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        let value = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let mut v = String::new();
                let mut k = j + 1;
                while k < b.len() && b[k] != q {
                    if b[k] == b'\\' && k + 1 < b.len() {
                        k += 1;
                    }
                    let ch = text[k..].chars().next().unwrap_or(' ');
                    v.push(ch);
                    k += ch.len_utf8();
                }
                v
            }
            _ => {
                let end = text[j..]
                    .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '}' | ']' | ')' | '&'))
                    .map_or(text.len(), |e| j + e);
                text[j..end].to_string()
            }
        };
        let trivial = value.chars().count() < 4
            || value.chars().all(|c| c == '*')
            || matches!(value.as_str(), "null" | "true" | "false");
        if !trivial && !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_every_usual_shape() {
        let text = r#"{"proxy.auth.password": "pa ss\"w0rd", "user": "bob"}
-kobitonToken=tok-123456 -browserType=Chrome
kobiton.authentication.apiKey: k-98765
ProxyInformation { username=, password=********, proxyServerPort=0 }
secret=ab
"#;
        assert_eq!(credential_values(text), ["pa ss\"w0rd", "tok-123456", "k-98765"]);
    }
}
