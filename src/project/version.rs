//! Katalon versions as `.prj` files record them (`<createdVersion>`,
//! `<modifiedVersion>`), compared part by part.

use std::cmp::Ordering;
use std::fmt;

/// A Katalon version, compared numerically part by part (`8.10` > `8.9`).
/// Trailing zeros do not count: `8.0.0` equals `8`.
#[derive(Debug, Clone)]
pub struct Version(pub Vec<u32>);

impl Version {
    /// Parses the leading dotted numbers of `text` (`8.6.5`, `9.0.0.208`,
    /// `7.9.1-rc`), `None` when it does not start with a number.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = Vec::new();
        for part in text.trim().split('.') {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != part.len() {
                break;
            }
        }
        if parts.is_empty() { None } else { Some(Version(parts)) }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.0.len().max(other.0.len());
        for i in 0..n {
            let (a, b) = (self.0.get(i).copied().unwrap_or(0), other.0.get(i).copied().unwrap_or(0));
            match a.cmp(&b) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(Version::parse("8.10").unwrap() > Version::parse("8.9.9").unwrap());
        assert_eq!(Version::parse("8.0.0").unwrap(), Version::parse("8").unwrap());
        assert_eq!(Version::parse("9.0.0.208").unwrap().to_string(), "9.0.0.208");
        assert_eq!(Version::parse("7.9.1-rc").unwrap().to_string(), "7.9.1");
        assert_eq!(Version::parse("x"), None);
    }
}
