//! The results as people and CI tools read them: a text table, GitHub-
//! flavoured Markdown (within a byte budget, for the step summary), JSON
//! (schema 1, documented in docs/src/results.md) and one merged JUnit file. Pure
//! functions of [`Results`]: nothing here prints or writes.

use std::fmt::Write as _;
use std::path::Path;

use super::parse::show;
use super::{Case, Counts, Results, State, Suite};
use crate::results::JUNIT_FILE;

/// `12.3 s`.
fn secs(t: f64) -> String {
    format!("{t:.1} s")
}

/// What is wrong with a suite that has no counts.
fn problem(s: &Suite, cwd: &Path) -> String {
    match &s.state {
        State::Read => String::new(),
        State::Crashed => format!("crashed before writing {JUNIT_FILE} ({})", show(&s.folder, cwd)),
        State::Unreadable(why) => {
            format!("unreadable: {} {why}", s.file.as_deref().map(|f| show(f, cwd)).unwrap_or_default())
        }
    }
}

/// `4 tests: 1 passed, 1 failed, 1 error, 1 skipped`, then crashed and unreadable suites.
pub fn headline(r: &Results) -> String {
    let t = r.totals();
    let mut line = format!(
        "{} test{}: {} passed, {} failed, {} error{}, {} skipped",
        t.tests,
        if t.tests == 1 { "" } else { "s" },
        t.passed,
        t.failed,
        t.errors,
        if t.errors == 1 { "" } else { "s" },
        t.skipped
    );
    if r.crashed() > 0 {
        let _ = write!(line, "; {} suite{} crashed", r.crashed(), if r.crashed() == 1 { "" } else { "s" });
    }
    if r.unreadable() > 0 {
        let _ = write!(line, "; {} report{} unreadable", r.unreadable(), if r.unreadable() == 1 { "" } else { "s" });
    }
    line
}

/// The text format: a table, then each failed or errored case with the
/// first line of its message and the path of its log.
pub fn text(r: &Results, cwd: &Path) -> String {
    const HEAD: [&str; 6] = ["Tests", "Passed", "Failed", "Errors", "Skipped", "Time"];
    let width = r.suites.iter().map(|s| s.name.chars().count()).chain([5]).max().unwrap_or(5);
    let mut out = format!("{:<width$}", "Suite");
    for h in HEAD {
        let _ = write!(out, "  {h:>7}");
    }
    out.push('\n');
    let row = |out: &mut String, name: &str, c: &Counts| {
        let _ = write!(out, "{name:<width$}");
        for n in [c.tests, c.passed, c.failed, c.errors, c.skipped] {
            let _ = write!(out, "  {n:>7}");
        }
        let _ = writeln!(out, "  {:>7}", secs(c.time));
    };
    for s in &r.suites {
        match s.counts() {
            Some(c) => row(&mut out, &s.name, &c),
            None => {
                let _ = writeln!(out, "{:<width$}  {}", s.name, problem(s, cwd));
            }
        }
    }
    row(&mut out, "Total", &r.totals());
    let bad: Vec<(&Suite, &Case)> = r.bad_cases().collect();
    if !bad.is_empty() {
        out.push('\n');
    }
    for (s, c) in bad {
        let _ = writeln!(out, "{:<7} {} > {}", c.status.upper(), s.name, c.name);
        if let Some(m) = &c.message {
            let _ = writeln!(out, "        {m}");
        }
        if let Some(log) = &s.log {
            let _ = writeln!(out, "        log: {log}");
        }
    }
    let _ = writeln!(out, "\n{}", headline(r));
    out
}

/// Escapes text for one Markdown table cell: control characters shown
/// escaped (`\n` stays visible, it never breaks the row), then Markdown's
/// own `\` and `|`.
pub fn cell(text: &str) -> String {
    crate::report::untrusted(text).replace('\\', "\\\\").replace('|', "\\|")
}

/// Inline code that survives backticks in the text.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A fenced block that survives fences in the text.
fn block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}\n")
}

/// At most `max` characters, with `…` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}

/// The Markdown format: a GitHub-flavoured table, then the failed and
/// errored cases in a collapsible `<details>` with their message, log and
/// screenshots. With `budget`, the text stays within that many bytes:
/// cases (then suites) that do not fit are left out, and a note says how
/// many and why.
pub fn markdown(r: &Results, cwd: &Path, budget: Option<usize>) -> String {
    let t = r.totals();
    let bad: Vec<(&Suite, &Case)> = r.bad_cases().collect();
    let mut head = String::from("### Katalon test results\n\n");
    let verdict = if bad.is_empty() && r.crashed() == 0 && r.unreadable() == 0 { "✅" } else { "❌" };
    let _ = writeln!(head, "{verdict} {}\n", headline(r));
    head.push_str(
        "| Suite | Tests | Passed | Failed | Errors | Skipped | Time |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut rows: Vec<String> = r
        .suites
        .iter()
        .map(|s| match s.counts() {
            Some(c) => format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                cell(&s.name),
                c.tests,
                c.passed,
                c.failed,
                c.errors,
                c.skipped,
                secs(c.time)
            ),
            None => format!("| {} | – | – | – | – | – | – |\n", cell(&s.name)),
        })
        .collect();
    let total = format!(
        "| **Total** | **{}** | **{}** | **{}** | **{}** | **{}** | **{}** |\n",
        t.tests,
        t.passed,
        t.failed,
        t.errors,
        t.skipped,
        secs(t.time)
    );
    let notes: Vec<String> = r
        .suites
        .iter()
        .filter(|s| s.state != State::Read)
        .map(|s| format!("- {}: {}\n", code(&s.name), cell(&problem(s, cwd))))
        .collect();
    let limit = budget.unwrap_or(usize::MAX);
    let note = |n: usize, what: &str| {
        format!(
            "\n> **Note:** {n} more {what} not shown: GitHub keeps a step summary under 1 MiB. `katalon-prep report` and the merged JUnit file have all of them.\n"
        )
    };
    // The note's size with the largest count it could need.
    let reserve = note(usize::MAX, "failed or errored test cases are").len() + 64;
    let mut dropped_rows = 0;
    while !rows.is_empty() && head.len() + rows.iter().map(String::len).sum::<usize>() + total.len() + reserve > limit {
        rows.pop();
        dropped_rows += 1;
    }
    let mut md = head;
    rows.iter().for_each(|r| md.push_str(r));
    md.push_str(&total);
    if dropped_rows > 0 {
        md.push_str(&note(dropped_rows, "suites are"));
        return md;
    }
    let notes_len: usize = notes.iter().map(String::len).sum();
    if !notes.is_empty() && md.len() + notes_len + 1 + reserve <= limit {
        md.push('\n');
        notes.iter().for_each(|n| md.push_str(n));
    }
    if bad.is_empty() {
        return md;
    }
    let open = format!(
        "\n<details>\n<summary>{} failed or errored test case{}</summary>\n\n",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    let close = "</details>\n";
    if md.len() + open.len() + close.len() + reserve > limit {
        md.push_str(&note(bad.len(), "failed or errored test cases are"));
        return md;
    }
    md.push_str(&open);
    let mut shown = 0;
    for (s, c) in &bad {
        let mut b = format!("**{}** {} > {}\n\n", c.status.upper(), code(&s.name), code(&c.name));
        if let Some(m) = &c.message {
            b.push_str(&block(&clip(m, 1000)));
            b.push('\n');
        }
        if let Some(log) = &s.log {
            let _ = writeln!(b, "Log: {}  ", code(log));
        }
        if !c.screenshots.is_empty() {
            let list: Vec<String> = c.screenshots.iter().map(|p| code(p)).collect();
            let _ = writeln!(b, "Screenshots: {}  ", list.join(", "));
        }
        b.push('\n');
        if md.len() + b.len() + close.len() + reserve > limit {
            break;
        }
        md.push_str(&b);
        shown += 1;
    }
    md.push_str(close);
    if shown < bad.len() {
        md.push_str(&note(bad.len() - shown, "failed or errored test cases are"));
    }
    md
}

/// The JSON format, schema 1 (docs/src/results.md, "JSON").
pub fn json(r: &Results, cwd: &Path, junit: Option<&str>) -> serde_json::Value {
    use serde_json::json;
    let suites: Vec<serde_json::Value> = r
        .suites
        .iter()
        .map(|s| {
            let c = s.counts();
            let (state, problem) = match &s.state {
                State::Read => ("read", None),
                State::Crashed => ("crashed", Some(format!("crashed before writing {JUNIT_FILE}"))),
                State::Unreadable(why) => ("unreadable", Some(why.clone())),
            };
            json!({
                "name": s.name,
                "state": state,
                "problem": problem,
                "file": s.file.as_deref().map(|f| show(f, cwd)),
                "folder": show(&s.folder, cwd),
                "log": s.log,
                "timestamp": s.timestamp,
                "hostname": s.hostname,
                "katalon_version": s.property("katalonVersion"),
                "browser": s.property("browser"),
                "os": s.property("os"),
                "tests": c.map(|c| c.tests),
                "passed": c.map(|c| c.passed),
                "failed": c.map(|c| c.failed),
                "errors": c.map(|c| c.errors),
                "skipped": c.map(|c| c.skipped),
                "time": s.time,
                "cases": s.cases.iter().map(|k| json!({
                    "name": k.name,
                    "classname": k.classname,
                    "status": k.status.lower(),
                    "time": k.time,
                    "message": k.message,
                    "screenshots": k.screenshots,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let t = r.totals();
    json!({
        "schema": 1,
        "suites": suites,
        "totals": {
            "suites": r.suites.len(),
            "tests": t.tests,
            "passed": t.passed,
            "failed": t.failed,
            "errors": t.errors,
            "skipped": t.skipped,
            "time": t.time,
            "crashed": r.crashed(),
            "unreadable": r.unreadable(),
        },
        "junit": junit,
    })
}

/// Escapes XML text or an attribute value; drops characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Element text: like [`xml`], but line breaks stay line breaks.
fn xml_text(text: &str) -> String {
    xml(text).replace("&#10;", "\n").replace("&#13;", "\r").replace("&#9;", "\t")
}

/// One merged JUnit file: every suite read, counts recomputed from its
/// cases. A suite that crashed (or whose report cannot be read) gets one
/// errored case that says so, so CI tools that read only JUnit see it.
pub fn junit(r: &Results, cwd: &Path) -> String {
    let t = r.totals();
    let extra = r.crashed() + r.unreadable();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"katalon-prep\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        t.tests + extra,
        t.failed,
        t.errors + extra,
        t.skipped,
        t.time
    );
    for s in &r.suites {
        let attrs = |tests: usize, failures: usize, errors: usize, skipped: usize| {
            let mut a = format!(
                "name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\"",
                xml(&s.name)
            );
            if let Some(time) = s.time {
                let _ = write!(a, " time=\"{time:.3}\"");
            }
            if let Some(ts) = &s.timestamp {
                let _ = write!(a, " timestamp=\"{}\"", xml(ts));
            }
            if let Some(h) = &s.hostname {
                let _ = write!(a, " hostname=\"{}\"", xml(h));
            }
            a
        };
        match s.counts() {
            None => {
                let _ = writeln!(x, "  <testsuite {}>", attrs(1, 0, 1, 0));
                let _ = writeln!(
                    x,
                    "    <testcase name=\"{}\" classname=\"{}\">\n      <error message=\"{}\" type=\"katalon-prep\"/>\n    </testcase>",
                    xml(&format!("{} (no report)", s.name)),
                    xml(&s.name),
                    xml(&problem(s, cwd))
                );
            }
            Some(c) => {
                let _ = writeln!(x, "  <testsuite {}>", attrs(c.tests, c.failed, c.errors, c.skipped));
                if !s.properties.is_empty() {
                    x.push_str("    <properties>\n");
                    for (n, v) in &s.properties {
                        let _ = writeln!(x, "      <property name=\"{}\" value=\"{}\"/>", xml(n), xml(v));
                    }
                    x.push_str("    </properties>\n");
                }
                for k in &s.cases {
                    write_case(&mut x, k);
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

fn write_case(x: &mut String, k: &Case) {
    let _ = write!(
        x,
        "    <testcase name=\"{}\" classname=\"{}\" status=\"{}\"",
        xml(&k.name),
        xml(k.classname.as_deref().unwrap_or(&k.name)),
        k.status.upper()
    );
    if let Some(time) = k.time {
        let _ = write!(x, " time=\"{time:.3}\"");
    }
    x.push_str(">\n");
    let tag = match k.status {
        super::Status::Failed => Some("failure"),
        super::Status::Error => Some("error"),
        _ => None,
    };
    if let Some(tag) = tag {
        let _ = write!(x, "      <{tag} message=\"{}\"", xml(k.message.as_deref().unwrap_or("")));
        if let Some(ty) = &k.failure_type {
            let _ = write!(x, " type=\"{}\"", xml(ty));
        }
        match &k.failure_text {
            Some(text) => {
                let _ = writeln!(x, ">{}</{tag}>", xml_text(text));
            }
            None => x.push_str("/>\n"),
        }
    }
    if k.status == super::Status::Skipped {
        x.push_str("      <skipped/>\n");
    }
    if let Some(out) = &k.system_out {
        let _ = writeln!(x, "      <system-out>{}</system-out>", xml_text(out));
    }
    if let Some(err) = &k.system_err {
        let _ = writeln!(x, "      <system-err>{}</system-err>", xml_text(err));
    }
    x.push_str("    </testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("plain"), "`plain`");
    }

    #[test]
    fn xml_escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(xml_text("l1\nl2"), "l1\nl2");
    }
}
