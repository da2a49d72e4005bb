//! One `JUnit_Report.xml` into [`Suite`]s, as Katalon 6.x–10.x write it:
//! `<testsuites>` holding `<testsuite>`s (or a bare `<testsuite>`), each with
//! `<properties>` and `<testcase status="PASSED|FAILED|ERROR|SKIPPED|…">`
//! whose `<failure>`/`<error>`/`<skipped>` child, when present, decides.
//! Missing attributes are tolerated; paths inside may be Windows paths from
//! the machine that ran the suite, and are mapped onto the run folder here.

use std::path::Path;

use super::{Case, EXECUTION_LOG, State, Status, Suite};
use crate::secret::redact;

/// Reads one JUnit file of run folder `folder`. A file that cannot be read
/// gives one suite in [`State::Unreadable`], named `fallback`.
pub fn file(path: &Path, folder: &Path, fallback: &str, cwd: &Path) -> Vec<Suite> {
    let unreadable = |why: String| {
        vec![Suite {
            name: fallback.to_string(),
            file: Some(path.to_path_buf()),
            folder: folder.to_path_buf(),
            state: State::Unreadable(why),
            timestamp: None,
            hostname: None,
            properties: Vec::new(),
            time: None,
            cases: Vec::new(),
            log: local_log(folder, cwd),
        }]
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return unreadable(format!("cannot be read: {e}")),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return unreadable("is empty: katalonc stopped before writing it".into());
    }
    let text = String::from_utf8_lossy(&bytes);
    let doc = match roxmltree::Document::parse(&text) {
        Ok(d) => d,
        Err(e) => return unreadable(format!("is not complete XML ({e}): katalonc may have stopped while writing it")),
    };
    let suites: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    if suites.is_empty() {
        return unreadable(format!("has no <testsuite> (root element <{}>)", doc.root_element().tag_name().name()));
    }
    suites.into_iter().map(|node| suite(node, path, folder, fallback, cwd)).collect()
}

fn attr(node: roxmltree::Node, name: &str) -> Option<String> {
    node.attribute(name).map(str::trim).filter(|v| !v.is_empty()).map(|v| redact(v).into_owned())
}

fn number(node: roxmltree::Node, name: &str) -> Option<f64> {
    node.attribute(name).and_then(|v| v.trim().replace(',', "").parse::<f64>().ok()).filter(|v| v.is_finite())
}

fn suite(node: roxmltree::Node, path: &Path, folder: &Path, fallback: &str, cwd: &Path) -> Suite {
    let properties: Vec<(String, String)> = node
        .children()
        .filter(|n| n.has_tag_name("properties"))
        .flat_map(|p| p.children().filter(|n| n.has_tag_name("property")))
        .filter_map(|p| {
            let name = p.attribute("name")?.to_string();
            let value = p.attribute("value").map(str::to_string).unwrap_or_else(|| text_of(p));
            Some((redact(&name).into_owned(), redact(&value).into_owned()))
        })
        .collect();
    let log_folder = properties.iter().find(|(n, _)| n == "logFolder").map(|(_, v)| v.clone());
    let cases: Vec<Case> = node
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| case(c, folder, log_folder.as_deref(), cwd))
        .collect();
    let time = number(node, "time").or_else(|| {
        let times: Vec<f64> = cases.iter().filter_map(|c| c.time).collect();
        (!times.is_empty()).then(|| times.iter().sum())
    });
    let log = local_log(folder, cwd).or_else(|| {
        let files = properties.iter().find(|(n, _)| n == "logFiles").map(|(_, v)| v.as_str());
        files
            .and_then(|f| f.split(',').map(str::trim).find(|f| f.ends_with(EXECUTION_LOG)))
            .map(|f| show_local(f, folder, log_folder.as_deref(), cwd))
    });
    Suite {
        name: attr(node, "id").or_else(|| attr(node, "name")).unwrap_or_else(|| fallback.to_string()),
        file: Some(path.to_path_buf()),
        folder: folder.to_path_buf(),
        state: State::Read,
        timestamp: attr(node, "timestamp"),
        hostname: attr(node, "hostname"),
        properties,
        time,
        cases,
        log,
    }
}

/// An element's text and CDATA, concatenated.
fn text_of(node: roxmltree::Node) -> String {
    node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

fn case(node: roxmltree::Node, folder: &Path, log_folder: Option<&str>, cwd: &Path) -> Case {
    let child = |tag: &str| node.children().find(|n| n.has_tag_name(tag));
    let (failure, error, skipped) = (child("failure"), child("error"), child("skipped"));
    let by_attr = node.attribute("status").map(|s| s.trim().to_ascii_uppercase());
    // The element says what happened; the `status` attribute (Katalon's
    // own) decides when there is none. INCOMPLETE (a case that never
    // finished) counts as an error.
    let status = if error.is_some() {
        Status::Error
    } else if failure.is_some() {
        Status::Failed
    } else if skipped.is_some() {
        Status::Skipped
    } else {
        match by_attr.as_deref() {
            Some("FAILED" | "FAILURE" | "FAIL") => Status::Failed,
            Some("ERROR" | "ERRORED" | "INCOMPLETE") => Status::Error,
            Some("SKIPPED" | "SKIP" | "NOT_RUN") => Status::Skipped,
            _ => Status::Passed,
        }
    };
    let problem = error.or(failure);
    let failure_text = problem.map(text_of).filter(|t| !t.trim().is_empty()).map(|t| redact(&t).into_owned());
    let message = problem
        .and_then(|p| p.attribute("message").map(str::to_string))
        .filter(|m| !m.trim().is_empty())
        .or_else(|| failure_text.clone())
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string))
        .map(|m| redact(&m).into_owned());
    let system_out = child("system-out").map(text_of).filter(|t| !t.is_empty()).map(|t| redact(&t).into_owned());
    let system_err = child("system-err").map(text_of).filter(|t| !t.is_empty()).map(|t| redact(&t).into_owned());
    let screenshots = system_out
        .as_deref()
        .map(|out| attachments(out).into_iter().map(|a| show_local(&a, folder, log_folder, cwd)).collect())
        .unwrap_or_default();
    Case {
        name: attr(node, "name").unwrap_or_else(|| "(unnamed test case)".into()),
        classname: attr(node, "classname"),
        status,
        time: number(node, "time"),
        message,
        failure_type: problem.and_then(|p| attr(p, "type")),
        failure_text,
        system_out,
        system_err,
        screenshots,
    }
}

/// The images a step log attaches: `[[ATTACHMENT|name.png]]`, each once.
fn attachments(log: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in log.split("[[ATTACHMENT|").skip(1) {
        let Some(end) = part.find("]]") else { continue };
        let name = part[..end].trim();
        let lower = name.to_ascii_lowercase();
        let image = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"].iter().any(|e| lower.ends_with(e));
        if image && !name.is_empty() && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// The run folder's own `execution0.log`, as a path to show.
fn local_log(folder: &Path, cwd: &Path) -> Option<String> {
    let log = folder.join(EXECUTION_LOG);
    log.is_file().then(|| show(&log, cwd))
}

/// A path relative to the working directory, with `/` separators.
pub fn show(path: &Path, cwd: &Path) -> String {
    let rel = crate::katalonc::argv::relative(path, cwd);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

/// Whether a path was written by Windows: `C:\…`, `C:/…`, `\\server\…`, or any backslash.
fn is_windows(p: &str) -> bool {
    let b = p.as_bytes();
    p.contains('\\') || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\'))
}

/// A path a report names, as a path to show here: relative ones are in the
/// run folder; absolute ones under the report's `logFolder` (the run
/// folder where it was made, perhaps on Windows) are mapped onto this run
/// folder; any other is shown as written.
fn show_local(written: &str, folder: &Path, log_folder: Option<&str>, cwd: &Path) -> String {
    let norm = |s: &str| {
        // Katalon writes `logFolder` with doubled backslashes (`C:\\agent`):
        // runs of separators are one, but for a UNC path's leading `//`.
        let slashed = s.replace('\\', "/");
        let unc = slashed.starts_with("//");
        let mut out = String::from(if unc { "/" } else { "" });
        for ch in slashed.chars() {
            if !(ch == '/' && out.ends_with('/') && !(unc && out == "/")) {
                out.push(ch);
            }
        }
        out.trim_end_matches('/').to_string()
    };
    let w = norm(written);
    let absolute = w.starts_with('/') || (is_windows(written) && (w.starts_with("//") || w.get(1..2) == Some(":")));
    if !absolute {
        return show(&folder.join(&w), cwd);
    }
    if let Some(base) = log_folder.map(norm).filter(|b| !b.is_empty()) {
        let case_blind = is_windows(written);
        let matches = if case_blind {
            w.to_ascii_lowercase().starts_with(&format!("{}/", base.to_ascii_lowercase()))
        } else {
            w.starts_with(&format!("{base}/"))
        };
        if matches {
            return show(&folder.join(&w[base.len() + 1..]), cwd);
        }
    }
    written.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_paths_under_the_log_folder_map_onto_the_run_folder() {
        let folder = Path::new("/w/Reports/20240105_101010/Smoke/20240105_101010");
        let cwd = Path::new("/w");
        let base = r"C:\Users\qa\shop\Reports\20240105_101010\Smoke\20240105_101010";
        assert_eq!(
            show_local(&format!(r"{base}\shots\fail.png"), folder, Some(base), cwd),
            "Reports/20240105_101010/Smoke/20240105_101010/shots/fail.png"
        );
        assert_eq!(show_local(r"D:\elsewhere\x.png", folder, Some(base), cwd), r"D:\elsewhere\x.png");
        // As Katalon writes logFolder: every backslash doubled.
        let doubled = base.replace('\\', r"\\");
        assert_eq!(
            show_local(&format!(r"{base}\a.png"), folder, Some(&doubled), cwd),
            "Reports/20240105_101010/Smoke/20240105_101010/a.png"
        );
        assert_eq!(
            show_local("1759578150377.png", folder, None, cwd),
            "Reports/20240105_101010/Smoke/20240105_101010/1759578150377.png"
        );
    }

    #[test]
    fn attachments_are_listed_once() {
        let log = "a [[ATTACHMENT|x.png]] b [[ATTACHMENT|x.png]] [[ATTACHMENT|data.csv]] [[ATTACHMENT|y.PNG]]";
        assert_eq!(attachments(log), ["x.png", "y.PNG"]);
    }
}
