//! A place in a file the user wrote (config, lock, project XML), printed as
//! `file:line:column` so editors and CI annotations can jump to it.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A value with the place it was written, when it was written in a file
/// (`None` for values from flags and defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub at: Option<Location>,
}

impl<T> Located<T> {
    pub fn new(value: T, at: Option<Location>) -> Self {
        Located { value, at }
    }

    /// A value that came from a flag or a default.
    pub fn bare(value: T) -> Self {
        Located { value, at: None }
    }
}

/// ` (at file:line:col)` when the place is known, else nothing.
pub fn suffix(at: &Option<Location>) -> String {
    match at {
        Some(at) => format!(" (at {at})"),
        None => String::new(),
    }
}

/// Line and column (1-based) of a YAML parser's error, counted as editors
/// count them. libyaml also breaks lines at `\r`, U+0085, U+2028 and U+2029,
/// so its own line number can point past the end of a file that has one
/// line; its character index (clamped to the text) is recounted with `\n`
/// as the only line break.
pub fn yaml_line_column(text: &str, err: Option<serde_yaml::Location>) -> (usize, usize) {
    let Some(at) = err else { return (1, 1) };
    let (mut line, mut column) = (1, 1);
    for c in text.chars().take(at.index()) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// The closest candidate to `word` by edit distance, if one is close enough
/// to be a plausible typo.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(word.chars().count()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_but_not_strangers() {
        let c = ["test-suite", "test-suite-collection", "browser"];
        assert_eq!(closest("tset-suite", c), Some("test-suite"));
        assert_eq!(closest("browsr", c), Some("browser"));
        assert_eq!(closest("zzz", c), None);
    }

    fn at(text: &str) -> (usize, usize) {
        let err = serde_yaml::from_str::<serde_yaml::Value>(text).expect_err(text);
        yaml_line_column(text, err.location())
    }

    #[test]
    fn yaml_errors_count_lines_as_editors_do() {
        assert_eq!(at("a: [\nb: c\n"), (3, 1));
        assert_eq!(at("a: b\n  c: d\n"), (2, 4));
        // One line for an editor, three for libyaml (regression: 3:1 was printed).
        assert_eq!(at("A:\u{2028}a").0, 1);
    }
}
