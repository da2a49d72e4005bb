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

/// A string could not be split into words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("a {0} quote is not closed")]
    Unclosed(&'static str),
    #[error("it ends with a lone backslash")]
    TrailingBackslash,
}

/// Splits `text` into words as a POSIX shell does for a simple command:
/// blanks separate words; single quotes keep everything; double quotes keep
/// everything but `\"`, `\\`, `\$` and `` \` ``; an unquoted backslash keeps the
/// next character. No expansion happens (`$X` stays `$X`): the text is
/// data, never run.
pub fn split_shell(text: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unclosed("single")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::Unclosed("double")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unclosed("double")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
                None => return Err(SplitError::TrailingBackslash),
            },
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
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
    fn splits_like_a_shell() {
        let words =
            split_shell(r#"-retry=1  -g_url="https://x/?a=1&b" '-testSuitePath=Test Suites/A' a\ b "q\"uote" ''"#);
        assert_eq!(
            words.unwrap(),
            vec!["-retry=1", "-g_url=https://x/?a=1&b", "-testSuitePath=Test Suites/A", "a b", "q\"uote", ""]
        );
        assert_eq!(split_shell("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_shell("'open"), Err(SplitError::Unclosed("single")));
        assert_eq!(split_shell("\"open"), Err(SplitError::Unclosed("double")));
        assert_eq!(split_shell("x\\"), Err(SplitError::TrailingBackslash));
    }

    #[test]
    fn split_undoes_shell_line() {
        let argv: Vec<String> = ["a b", "it's", "", "$X", "-k=v"].iter().map(|s| s.to_string()).collect();
        assert_eq!(split_shell(&shell_line(&argv)).unwrap(), argv);
    }
}
