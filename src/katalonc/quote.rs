//! Renders an argv for its consumer: one line for a POSIX shell, PowerShell
//! or cmd.exe, or a JSON array. Each renderer is the inverse of one
//! documented parser; none of them runs anything.

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

/// The characters PowerShell reads as a single quote: the ASCII one and the
/// four typographic ones (about_Quoting_Rules). Inside a single-quoted
/// string each is written twice to stand for itself.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// Quotes one word as a PowerShell argument: bare when it holds only
/// `[A-Za-z0-9_=+/-]` (no expansion, splitting or array syntax applies, and
/// no `.` or `:` that Windows PowerShell splits off a leading `-`), else
/// single-quoted: nothing inside (`$`, backtick, `"`, `%`, `;`, `,`) is
/// special except the single quotes, which are doubled.
pub fn powershell_word(word: &str) -> String {
    let safe = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"_=+/-".contains(&b));
    if safe && !word.starts_with("--%") {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('\'');
    for c in word.chars() {
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The argv as PowerShell arguments, for `& katalonc.exe <line>` (through
/// `Invoke-Expression`) or a script. PowerShell 7.3+ passes each argument to a
/// native program intact (`$PSNativeCommandArgumentPassing`); Windows
/// PowerShell 5.1 drops empty ones and does not escape `"` inside them.
pub fn powershell_line(argv: &[String]) -> String {
    argv.iter().map(|a| powershell_word(a)).collect::<Vec<_>>().join(" ")
}

/// Why an argv has no cmd.exe form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("argument {index} holds a line break or NUL, which no cmd.exe line can carry")]
pub struct CmdError {
    /// 1-based position in the argv (never the value: it may be the key).
    pub index: usize,
}

/// The characters cmd.exe acts on outside quotes; each is escaped with `^`.
/// `"` is among them, so cmd never enters its quoted state and every caret
/// is read the same way.
const CMD_SPECIAL: &[u8] = b"()%!^\"<>&|";

/// Quotes one word for the C runtime's argument parser (what a Windows
/// program's `main` receives): bare unless empty or holding whitespace or
/// `"`, else in double quotes with `"` as `\"` and the backslashes before a
/// quote (or the closing one) doubled.
pub fn crt_word(word: &str) -> String {
    if !word.is_empty() && !word.contains([' ', '\t', '\n', '\u{b}', '"']) {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    let mut backslashes = 0;
    for c in word.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                backslashes = 0;
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                backslashes = 0;
            }
        }
        if c != '\\' {
            out.push(c);
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

/// Escapes cmd.exe's special characters in an already CRT-quoted text.
fn cmd_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() && CMD_SPECIAL.contains(&(c as u8)) {
            out.push('^');
        }
        out.push(c);
    }
    out
}

/// The argv as one line for cmd.exe's command line: each word quoted for
/// the C runtime, then every cmd special character (`"` included) escaped
/// with `^`. The line survives `cmd /c katalonc.exe <line>`; `^%NAME^%`
/// stays `%NAME%` because `NAME^` is not defined. Not for a batch file,
/// where `%` would have to be doubled.
pub fn cmd_line(argv: &[String]) -> Result<String, CmdError> {
    let mut words = Vec::with_capacity(argv.len());
    for (i, a) in argv.iter().enumerate() {
        if a.contains(['\n', '\r', '\0']) {
            return Err(CmdError { index: i + 1 });
        }
        words.push(cmd_escape(&crt_word(a)));
    }
    Ok(words.join(" "))
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

    /// PowerShell's documented rules for arguments of native commands
    /// (about_Parsing, about_Quoting_Rules, about_Special_Characters): in
    /// argument mode a bare word is expanded (`$x`, `$(...)`), split (`,`
    /// makes an array, `;` ends the statement, `#` starts a comment, `|` `&`
    /// `<` `>` `(` `)` `{` `}` `@` are operators) and has backtick escapes;
    /// a single-quoted string is verbatim except its quotes, ASCII or
    /// typographic, which are doubled.
    #[test]
    fn powershell_table() {
        let table: &[(&str, &str)] = &[
            ("-noSplash", "-noSplash"),
            ("-runMode=console", "-runMode=console"),
            ("-retry=1", "-retry=1"),
            // `-name.ext` and `-name:value` are split in two by Windows PowerShell.
            ("-projectPath=tests/katalon/Demo.prj", "'-projectPath=tests/katalon/Demo.prj'"),
            ("-g_url=https://x", "'-g_url=https://x'"),
            ("", "''"),
            ("a b", "'a b'"),
            ("it's", "'it''s'"),
            ("''", "''''''"),
            ("\"quoted\"", "'\"quoted\"'"),
            ("$env:KEY", "'$env:KEY'"),
            ("$(Get-Date)", "'$(Get-Date)'"),
            ("${x}", "'${x}'"),
            ("a`b", "'a`b'"),
            ("tick`", "'tick`'"),
            ("100%", "'100%'"),
            ("%PATH%", "'%PATH%'"),
            ("a^b", "'a^b'"),
            ("a,b", "'a,b'"),
            ("a;b", "'a;b'"),
            ("#x", "'#x'"),
            ("@x", "'@x'"),
            ("a|b&c", "'a|b&c'"),
            ("<x>", "'<x>'"),
            ("(x){y}", "'(x){y}'"),
            ("--%", "'--%'"),
            ("--%x", "'--%x'"),
            ("C:\\Program Files\\x\\", "'C:\\Program Files\\x\\'"),
            ("Ünïcödé", "'Ünïcödé'"),
            ("日本語 テスト", "'日本語 テスト'"),
            ("\u{2018}smart\u{2019}", "'\u{2018}\u{2018}smart\u{2019}\u{2019}'"),
            ("\u{201A}low\u{201B}", "'\u{201A}\u{201A}low\u{201B}\u{201B}'"),
            ("\u{201C}double\u{201D}", "'\u{201C}double\u{201D}'"),
            ("line\nbreak", "'line\nbreak'"),
        ];
        for (value, want) in table {
            assert_eq!(&powershell_word(value), want, "{value:?}");
            assert_eq!(ps_unquote(want), *value, "{want:?} reads back");
        }
    }

    /// Reads one word as PowerShell's parser would: a single-quoted string
    /// (doubled quotes of any of the five kinds stand for one), or a bare word
    /// of characters that need no quoting.
    fn ps_unquote(word: &str) -> String {
        let chars: Vec<char> = word.chars().collect();
        if chars.first().is_none_or(|c| !PS_SINGLE_QUOTES.contains(c)) {
            assert!(chars.iter().all(|c| c.is_ascii_alphanumeric() || "_=+/-".contains(*c)), "bare {word:?}");
            return word.to_string();
        }
        let mut out = String::new();
        let mut i = 1;
        loop {
            let c = chars[i];
            if PS_SINGLE_QUOTES.contains(&c) {
                if chars.get(i + 1).is_some_and(|n| PS_SINGLE_QUOTES.contains(n)) {
                    out.push(c);
                    i += 2;
                    continue;
                }
                assert_eq!(i, chars.len() - 1, "the string ends at its closing quote: {word:?}");
                return out;
            }
            out.push(c);
            i += 1;
        }
    }

    #[test]
    fn powershell_line_joins_words() {
        let argv: Vec<String> = ["-noSplash", "a b", ""].iter().map(|s| s.to_string()).collect();
        assert_eq!(powershell_line(&argv), "-noSplash 'a b' ''");
    }

    /// The C runtime's rules (Microsoft's "Parsing C command-line arguments"):
    /// `2n` backslashes before `"` give `n` and a quote toggle, `2n+1` give
    /// `n` and a literal `"`; backslashes elsewhere are literal.
    #[test]
    fn crt_table() {
        let table: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("", "\"\""),
            ("a b", "\"a b\""),
            ("a\"b", "\"a\\\"b\""),
            ("C:\\dir\\", "C:\\dir\\"),
            ("C:\\my dir\\", "\"C:\\my dir\\\\\""),
            ("a\\\"b", "\"a\\\\\\\"b\""),
            ("\\\\server\\share", "\\\\server\\share"),
            ("tab\there", "\"tab\there\""),
        ];
        for (value, want) in table {
            assert_eq!(&crt_word(value), want, "{value:?}");
        }
    }

    #[test]
    fn cmd_escapes_every_special_character_with_a_caret() {
        let argv: Vec<String> =
            ["-noSplash", "a b", "", "100%", "x&y|z", "(a)<b>", "c^d!", "q\"q"].iter().map(|s| s.to_string()).collect();
        assert_eq!(cmd_line(&argv).unwrap(), r#"-noSplash ^"a b^" ^"^" 100^% x^&y^|z ^(a^)^<b^> c^^d^! ^"q\^"q^""#);
    }

    #[test]
    fn cmd_refuses_line_breaks_and_names_only_the_position() {
        let argv: Vec<String> = ["-noSplash", "-apiKey=secret\nvalue"].iter().map(|s| s.to_string()).collect();
        let err = cmd_line(&argv).unwrap_err();
        assert_eq!(err, CmdError { index: 2 });
        assert!(!err.to_string().contains("secret"));
    }
}
