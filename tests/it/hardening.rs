//! Issue 9, the red-team pass and the real-user trial: each break pinned by
//! a test that failed before its fix. Every test runs the real binary.

use crate::support;

use support::{Fixture, SENTINEL, stderr, stdout};

// --- 2. `check --args` panicked and printed the key --------------------------

/// A second line starting with a non-ASCII character (U+2028, a no-break
/// space pasted from a web page) sliced a string off a char boundary: the
/// panic message quoted the line, key included, before any `::add-mask::`.
#[test]
fn check_args_with_a_non_ascii_second_line_neither_panics_nor_prints_the_key() {
    let p = Fixture::shop();
    for tail in ["\n\u{2028}-", "\n\u{a0}-x", "\r\n\u{00e9}", "\n\u{1F600}\u{1F600}"] {
        let line = format!("katalonc -apiKey={SENTINEL} \"\"{tail}");
        let out = p.cmd().env("GITHUB_ACTIONS", "true").args(["check", "--args", &line]).output().unwrap();
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(matches!(out.status.code(), Some(0 | 13)), "{tail:?}: {:?}\n{o}\n{e}", out.status);
        assert!(!e.contains("panicked"), "{e}");
        let logged: String = e.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
        assert!(!o.contains(SENTINEL) && !logged.contains(SENTINEL), "{tail:?}:\n{o}\n{e}");
        // The run got as far as the report, and masked the key first.
        assert!(o.contains("second-command"), "{o}");
        assert!(e.starts_with(&format!("::add-mask::{SENTINEL}")), "{e}");
    }
}
