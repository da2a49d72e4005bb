//! How lint findings are shown: blocks with a source snippet (`check`),
//! JSON (`check --format json`), GitHub annotations, and one-line warnings
//! or a refusal (`prepare`, `args`, `run`). Every text passes through
//! redaction: a hand-written line may hold a key.

use std::path::Path;

use katalon_prep::ci::github::{self, Level};
use katalon_prep::env::Env;
use katalon_prep::katalonc::lint::{self, Finding, Origin, Severity, place};
use katalon_prep::report::Event;
use katalon_prep::secret;

/// For `prepare`/`args`/`run` ([`Event::Findings`]): warnings and notes as
/// the one-line events the UI prints; errors refuse the line instead
/// ([`lint::refusal`], exit 13).
pub fn events(findings: &[Finding], cwd: &Path) -> Vec<Event> {
    let mut events = Vec::new();
    for f in findings {
        let at = place(&f.origin, None, cwd).map(|p| format!("{p}: ")).unwrap_or_default();
        let hint = f.hint.as_ref().map(|h| format!("\nhint: {h}")).unwrap_or_default();
        match f.severity {
            Severity::Error => {}
            Severity::Warning => {
                events.push(Event::Warning { message: format!("{at}{} [{}]", f.message, f.rule), hint: f.hint.clone() })
            }
            Severity::Info => events.push(Event::Info(format!("note: {at}{} [{}]{hint}", f.message, f.rule))),
        }
    }
    events
}

/// The `check` text report.
pub fn text(findings: &[Finding], source: Option<&str>, cwd: &Path) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!("{}[{}]: {}\n", f.severity, f.rule, f.message));
        if let Some(at) = place(&f.origin, source, cwd) {
            out.push_str(&format!("  --> {at}\n"));
        }
        if let (Origin::Args(range), Some(src)) = (&f.origin, source) {
            out.push_str(&snippet(src, range.clone()));
        }
        if let Some(hint) = &f.hint {
            out.push_str(&format!("  = hint: {hint}\n"));
        }
        out.push('\n');
    }
    let (e, w, i) = lint::counts(findings);
    out.push_str(&format!("{}\n", summary(e, w, i)));
    secret::redact(&out).into_owned()
}

/// `2 errors, 1 warning, 0 notes`.
pub fn summary(errors: usize, warnings: usize, notes: usize) -> String {
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    format!("{}, {}, {}", n(errors, "error", "errors"), n(warnings, "warning", "warnings"), n(notes, "note", "notes"))
}

/// How much of a long line a snippet shows on each side of the finding.
const CONTEXT: usize = 40;

/// The line of `src` holding `range.start`, redacted (a long one cut to a
/// window around the range), with carets under the range.
fn snippet(src: &str, range: std::ops::Range<usize>) -> String {
    // Ranges count bytes; one that ends inside a multi-byte character
    // (U+2028, a no-break space) widens to the whole character.
    let start = floor_char(src, range.start);
    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = src[start..].find('\n').map(|i| start + i).unwrap_or(src.len());
    let end = ceil_char(src, range.end.clamp(start, line_end));
    // Credentials as written (`-apiKey="ab"cd`, a URL's password) are cut
    // out of the raw text first: redaction only knows their unquoted value.
    let hidden = hidden_spans(src);
    let shown = |from: usize, to: usize| -> Vec<char> {
        let mut raw = String::new();
        let mut at = from;
        for span in hidden.iter().filter(|h| h.start < to && h.end > from) {
            let (a, b) = (floor_char(src, span.start.max(from)), ceil_char(src, span.end.min(to)));
            raw.push_str(&src[at.min(a)..a]);
            raw.push_str(secret::MASK);
            at = at.max(b);
        }
        raw.push_str(&src[at.min(to)..to]);
        secret::redact(&raw)
            .chars()
            .map(|c| if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c })
            .collect()
    };
    let before = shown(line_start, start);
    let target = shown(start, end);
    let after = shown(end, line_end);
    let (lead, before) =
        if before.len() > CONTEXT { ("…", &before[before.len() - CONTEXT..]) } else { ("", &before[..]) };
    let (trail, after) = if after.len() > CONTEXT { ("…", &after[..CONTEXT]) } else { ("", &after[..]) };
    let text: String = before.iter().chain(&target).chain(after).collect();
    let pad = lead.chars().count() + before.len();
    format!("   | {lead}{text}{trail}\n   | {}{}\n", " ".repeat(pad), "^".repeat(target.len().max(1)))
}

/// Where a hand-written line holds a credential, as written (quotes
/// included): the value of a secret option (or the word an empty one
/// swallows), and the password of any `scheme://user:password@host`.
fn hidden_spans(src: &str) -> Vec<std::ops::Range<usize>> {
    let Ok(split) = katalon_prep::katalonc::split::split(src) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, word) in split.words.iter().enumerate() {
        let text = &word.text;
        if let Some((name, value)) = text.strip_prefix('-').and_then(|b| b.split_once('='))
            && katalon_prep::katalonc::options::is_secret_name(name)
        {
            if value.is_empty() {
                if let Some(next) = split.words.get(i + 1).filter(|n| !n.text.starts_with('-')) {
                    out.push(next.span.clone());
                }
            } else {
                out.push(word.original(text.len() - value.len()..text.len()));
            }
        }
        if let Some(password) = url_password(text) {
            out.push(word.original(password));
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// The byte range of the password in the first `scheme://user:password@` of `text`.
pub(crate) fn url_password(text: &str) -> Option<std::ops::Range<usize>> {
    let authority_start = text.find("://")? + 3;
    let authority_end = text[authority_start..].find(['/', '?', '#']).map_or(text.len(), |i| authority_start + i);
    let at = text[authority_start..authority_end].rfind('@')? + authority_start;
    let colon = text[authority_start..at].find(':')? + authority_start;
    (colon + 1 < at).then_some(colon + 1..at)
}

/// The char boundary at or before `i` (`str::floor_char_boundary`, newer than our MSRV).
fn floor_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The char boundary at or after `i`.
fn ceil_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The `check --format json` report.
pub fn json(findings: &[Finding], source: Option<&str>, cwd: &Path) -> String {
    let items: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let origin = match &f.origin {
                Origin::Generated => serde_json::Value::Null,
                Origin::File(at) => serde_json::json!({
                    "file": lint::shown_path(&at.file, cwd), "line": at.line, "column": at.column
                }),
                Origin::Args(range) => {
                    let (line, column) = lint::line_col(source.unwrap_or(""), range.start);
                    serde_json::json!({ "args": { "start": range.start, "end": range.end, "line": line, "column": column } })
                }
                Origin::Extra(i) => serde_json::json!({ "extra": i + 1 }),
            };
            serde_json::json!({
                "severity": f.severity, "rule": f.rule, "message": f.message, "hint": f.hint, "origin": origin
            })
        })
        .collect();
    let (e, w, i) = lint::counts(findings);
    let doc = serde_json::json!({ "findings": items, "errors": e, "warnings": w, "notes": i });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    secret::redact(&text).into_owned()
}

/// GitHub workflow commands, one per finding, so findings show on the diff.
pub fn annotations(findings: &[Finding], source: Option<&str>, cwd: &Path, env: &Env) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
                Severity::Info => Level::Notice,
            };
            let message = match &f.hint {
                Some(h) => format!("{}\nhint: {h}", f.message),
                None => f.message.clone(),
            };
            let message = secret::redact(&message).into_owned();
            match &f.origin {
                Origin::File(at) => {
                    let file =
                        github::repo_path(&lint::shown_path(&at.file, cwd), cwd, env.github_workspace.as_deref());
                    let title = format!("katalon-prep check: {}", f.rule);
                    github::annotation(level, Some(&file), Some(at.line), Some(at.column), Some(&title), &message)
                }
                other => {
                    let title = match lint::describe(other, source) {
                        Some(at) => format!("katalon-prep check: {} ({at})", f.rule),
                        None => format!("katalon-prep check: {}", f.rule),
                    };
                    github::annotation(level, None, None, None, Some(&title), &message)
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_stay_under_the_range_after_redaction_and_cutting() {
        secret::register("snippet-SECRET-0001");
        let src = format!("{} -apiKey=snippet-SECRET-0001 -retri=1 {}", "-a".repeat(40), "-b ".repeat(30));
        let start = src.find("-retri").unwrap();
        let out = snippet(&src, start..start + 6);
        let mut lines = out.lines();
        let text = lines.next().unwrap();
        let carets = lines.next().unwrap();
        assert!(!text.contains("SECRET"), "{text}");
        let col = carets.find('^').unwrap();
        let under: String = text.chars().skip(col).take(6).collect();
        assert_eq!(under, "-retri", "{out}");
        assert!(text.starts_with("   | …") && text.ends_with('…'), "{out}");
    }
}
