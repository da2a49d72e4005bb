//! How library code tells the user what it is doing, without knowing about
//! terminals: stages emit [`Event`]s to a [`Reporter`]; the binary decides
//! how to show them (bars on a TTY, plain lines in CI, nothing with `-q`).

use std::borrow::Cow;
use std::path::PathBuf;

/// Text that came from outside (a file name from an archive, a URL or a
/// server; a Store plugin's name), made safe to print on any channel:
/// control characters (newlines that would start a GitHub workflow command,
/// terminal escapes), line and paragraph separators and bidirectional
/// overrides are shown as `\n`, `\u{1b}`, `\u{202e}`. The one function every
/// channel uses (stderr, annotations, the step summary, outputs).
pub fn untrusted(text: &str) -> Cow<'_, str> {
    let risky = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if risky(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`untrusted`] for a path.
pub fn untrusted_path(path: &std::path::Path) -> String {
    untrusted(&path.display().to_string()).into_owned()
}

/// Something worth telling the user.
#[derive(Debug, Clone)]
pub enum Event {
    /// A download started; `size` when the server said.
    DownloadStarted { name: String, size: Option<u64> },
    /// Bytes received so far for a download.
    DownloadProgress { name: String, bytes: u64 },
    /// A transient failure; the request will be tried again after `delay`.
    Retrying { name: String, attempt: u32, reason: String, delay: std::time::Duration },
    /// A plugin was resolved from the cache or downloaded.
    Fetched { name: String, cached: bool, bytes: u64 },
    /// A jar was placed in the project (or was already there).
    Installed { file: PathBuf, unchanged: bool },
    /// A jar installed earlier and no longer listed was removed.
    Removed { file: PathBuf },
    /// A stage with several lines of output begins (a `::group::` on GitHub).
    GroupStart(String),
    /// The stage begun by the last [`Event::GroupStart`] ended.
    GroupEnd,
    /// Something the user should look at; the run goes on. `hint`, what to
    /// do about it, is printed last.
    Warning { message: String, hint: Option<String> },
    /// Plain information.
    Info(String),
    /// Lint findings on the katalonc line that do not refuse it (warnings
    /// and notes), in the order found; errors refuse the line instead
    /// ([`crate::error::Error::Lint`]).
    Findings(Vec<crate::katalonc::lint::Finding>),
}

impl Event {
    /// A warning without a hint.
    pub fn warning(message: impl Into<String>) -> Event {
        Event::Warning { message: message.into(), hint: None }
    }

    /// A warning and what to do about it.
    pub fn warning_hint(message: impl Into<String>, hint: impl Into<String>) -> Event {
        Event::Warning { message: message.into(), hint: Some(hint.into()) }
    }
}

pub trait Reporter: Send + Sync {
    fn report(&self, event: Event);
}

/// `1.5 MB`-style sizes for people.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_is_escaped_and_plain_text_borrowed() {
        assert!(matches!(untrusted("a-b_c.jar"), Cow::Borrowed(_)));
        assert_eq!(untrusted("a\n::warning::x"), "a\\n::warning::x");
        assert_eq!(untrusted("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(untrusted("evil\u{202e}gnp.jar"), "evil\\u{202e}gnp.jar");
        assert_eq!(untrusted("caf\u{e9}"), "caf\u{e9}");
    }
}
