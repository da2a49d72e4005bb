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
}
