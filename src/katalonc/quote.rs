//! Renders an argv for its consumer: one POSIX shell line, or a JSON array.

/// Quotes one word for a POSIX shell: bare when it only holds characters no
/// shell treats specially, else in single quotes (`'` written as `'\''`).
pub fn shell_word(word: &str) -> String {
    let safe = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=+./:,@%^".contains(&b));
    if safe {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// The argv as one shell line.
pub fn shell_line(argv: &[String]) -> String {
    argv.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" ")
}

/// The argv as a JSON array of strings.
pub fn json_array(argv: &[String]) -> String {
    serde_json::to_string(argv).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_word("-runMode=console"), "-runMode=console");
        assert_eq!(shell_word("-testSuitePath=Test Suites/A"), "'-testSuitePath=Test Suites/A'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }

    #[test]
    fn split_undoes_shell_line() {
        let argv: Vec<String> = ["a b", "it's", "", "$X", "-k=v"].iter().map(|s| s.to_string()).collect();
        let words: Vec<String> =
            super::super::split::split(&shell_line(&argv)).unwrap().words.into_iter().map(|w| w.text).collect();
        assert_eq!(words, argv);
    }
}
