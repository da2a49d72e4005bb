//! GitHub Actions: `::add-mask::`, annotations, `$GITHUB_OUTPUT` and
//! `$GITHUB_STEP_SUMMARY`, with the runner's escaping rules.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `GITHUB_ACTIONS=true` marks a run inside GitHub Actions.
pub fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The `::add-mask::` command for a value (one per line of the value).
pub fn add_mask_lines(value: &str) -> Vec<String> {
    value.lines().filter(|l| !l.is_empty()).map(|l| format!("::add-mask::{}", escape_data(l))).collect()
}

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

/// `::error file=F,line=N,col=C,title=T::message`.
pub fn annotation(
    level: Level,
    file: Option<&str>,
    line: Option<usize>,
    col: Option<usize>,
    title: Option<&str>,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
    }
    if let Some(l) = line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = col {
        props.push(format!("col={c}"));
    }
    if let Some(t) = title {
        props.push(format!("title={}", escape_property(t)));
    }
    let name = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    };
    let props = if props.is_empty() { String::new() } else { format!(" {}", props.join(",")) };
    format!("::{name}{props}::{}", escape_data(message))
}

/// Formats one `$GITHUB_OUTPUT` entry: `name=value`, or the heredoc form
/// with a random delimiter that does not occur in the value.
pub fn output_entry(name: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    loop {
        let delim = format!("ghadelimiter_{:016x}", fastrand::u64(..));
        if !value.contains(&delim) {
            return format!("{name}<<{delim}\n{value}\n{delim}\n");
        }
    }
}

/// Appends outputs to the file named by `$GITHUB_OUTPUT`, if set.
pub fn write_outputs(outputs: &[(String, String)]) -> std::io::Result<Option<PathBuf>> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()).map(PathBuf::from) else {
        return Ok(None);
    };
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&output_entry(name, value));
    }
    append(&path, &text)?;
    Ok(Some(path))
}

/// Appends Markdown to `$GITHUB_STEP_SUMMARY`, if set. The text must
/// already be free of secrets; it is redacted once more regardless.
pub fn write_summary(markdown: &str) -> std::io::Result<Option<PathBuf>> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()).map(PathBuf::from) else {
        return Ok(None);
    };
    append(&path, &crate::secret::redact(markdown))?;
    Ok(Some(path))
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escaping() {
        let a = annotation(Level::Error, Some("a,b:c.yml"), Some(3), Some(5), Some("x"), "100% bad\nreally");
        assert_eq!(a, "::error file=a%2Cb%3Ac.yml,line=3,col=5,title=x::100%25 bad%0Areally");
    }

    #[test]
    fn multiline_outputs_use_a_fresh_delimiter() {
        let e = output_entry("args", "a\nb");
        let mut lines = e.lines();
        let head = lines.next().unwrap();
        let delim = head.strip_prefix("args<<").unwrap();
        assert_eq!(lines.collect::<Vec<_>>(), vec!["a", "b", delim]);
        assert_eq!(output_entry("x", "1"), "x=1\n");
    }
}
