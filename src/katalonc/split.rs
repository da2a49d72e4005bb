//! Splits a hand-written katalonc command line into words as a POSIX shell
//! would, keeping for every byte of every word the byte of the original
//! string it came from, so a finding can point at the exact place.
//!
//! Nothing is expanded: `$VAR`, `${VAR}`, `$(...)`, backquotes and GitHub's
//! `${{ ... }}` stay literal parts of their word (a shell expands them before
//! katalonc sees the line; GitHub substitutes `${{ }}` before the shell runs).
//! The first command ends at an unquoted `;`, `&`, `|` or newline;
//! redirections (`> log`, `2>&1`) are dropped.

use std::ops::Range;

/// One word as the program receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal.
    pub text: String,
    /// Where the word is written in the original string, quotes included.
    pub span: Range<usize>,
    /// For each byte of `text`, the byte of the original string it came from.
    map: Vec<usize>,
}

impl Word {
    /// The original bytes that produced `range` of [`Word::text`] (the whole
    /// word for an empty range).
    pub fn original(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.start >= self.map.len() {
            return self.span.clone();
        }
        let last = range.end.min(self.map.len()) - 1;
        // Every byte of a character maps to its own original byte, so the
        // last byte's successor is the end.
        self.map[range.start]..self.map[last] + 1
    }
}

/// The words of the first command, and where the string goes on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    pub words: Vec<Word>,
    /// The byte where a second command starts (after `;`, `&&`, `|`, a
    /// newline), when there is one.
    pub rest: Option<usize>,
}

/// Text a shell would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("unterminated {} quote", if *quote == '\'' { "single" } else { "double" })]
    Unterminated { quote: char, at: usize },
    #[error("unquoted `{ch}`: a shell syntax error here")]
    Unexpected { ch: char, at: usize },
}

impl Error {
    /// The byte the error is at.
    pub fn at(&self) -> usize {
        match self {
            Error::Unterminated { at, .. } | Error::Unexpected { at, .. } => *at,
        }
    }
}

struct Builder<'a> {
    chars: Vec<(usize, char)>,
    src: &'a str,
    words: Vec<Word>,
    text: String,
    map: Vec<usize>,
    start: Option<usize>,
    /// The next finished word is a redirection target: drop it.
    discard_next: bool,
}

impl Builder<'_> {
    fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map(|c| c.0).unwrap_or(self.src.len())
    }

    fn begin(&mut self, i: usize) {
        if self.start.is_none() {
            self.start = Some(self.byte(i));
        }
    }

    fn push(&mut self, i: usize) {
        self.begin(i);
        let (at, c) = self.chars[i];
        self.text.push(c);
        for k in 0..c.len_utf8() {
            self.map.push(at + k);
        }
    }

    /// Ends the current word; `end` is the index of the first char after it.
    fn finish(&mut self, end: usize) {
        if let Some(start) = self.start.take() {
            let word = Word {
                text: std::mem::take(&mut self.text),
                span: start..self.byte(end),
                map: std::mem::take(&mut self.map),
            };
            if self.discard_next {
                self.discard_next = false;
            } else {
                self.words.push(word);
            }
        }
    }

    /// Copies chars literally from `i` up to and including the closing
    /// `close` (balanced against `open` when given); returns the index after.
    fn literal_until(&mut self, mut i: usize, open: Option<char>, close: &str) -> usize {
        let mut depth = 0usize;
        while i < self.chars.len() {
            let c = self.chars[i].1;
            if Some(c) == open {
                depth += 1;
            }
            if self.src[self.chars[i].0..].starts_with(close) {
                if depth == 0 {
                    for _ in 0..close.chars().count() {
                        self.push(i);
                        i += 1;
                    }
                    return i;
                }
                depth -= 1;
            }
            self.push(i);
            i += 1;
        }
        i
    }
}

/// Splits `src` into the words of its first command.
pub fn split(src: &str) -> Result<Split, Error> {
    let mut b = Builder {
        chars: src.char_indices().collect(),
        src,
        words: Vec::new(),
        text: String::new(),
        map: Vec::new(),
        start: None,
        discard_next: false,
    };
    let mut rest = None;
    let mut i = 0;
    while i < b.chars.len() {
        let (at, c) = b.chars[i];
        match c {
            ' ' | '\t' | '\r' => {
                b.finish(i);
                i += 1;
            }
            '\n' => {
                b.finish(i);
                if !src[at..].trim().is_empty() {
                    rest = Some(at + 1);
                }
                break;
            }
            '#' if b.start.is_none() => {
                // A comment runs to the end of the line.
                while i < b.chars.len() && b.chars[i].1 != '\n' {
                    i += 1;
                }
            }
            '\\' => match b.chars.get(i + 1).map(|c| c.1) {
                Some('\n') => i += 2,
                Some(_) => {
                    b.begin(i);
                    b.push(i + 1);
                    i += 2;
                }
                None => {
                    b.push(i);
                    i += 1;
                }
            },
            '\'' => {
                b.begin(i);
                let mut j = i + 1;
                loop {
                    match b.chars.get(j) {
                        None => return Err(Error::Unterminated { quote: '\'', at }),
                        Some((_, '\'')) => break,
                        Some(_) => {
                            b.push(j);
                            j += 1;
                        }
                    }
                }
                i = j + 1;
            }
            '"' => {
                b.begin(i);
                let mut j = i + 1;
                loop {
                    match b.chars.get(j).map(|c| c.1) {
                        None => return Err(Error::Unterminated { quote: '"', at }),
                        Some('"') => break,
                        Some('\\') => match b.chars.get(j + 1).map(|c| c.1) {
                            Some('\n') => j += 2,
                            Some('$' | '`' | '"' | '\\') => {
                                b.push(j + 1);
                                j += 2;
                            }
                            _ => {
                                b.push(j);
                                j += 1;
                            }
                        },
                        Some(_) => {
                            b.push(j);
                            j += 1;
                        }
                    }
                }
                i = j + 1;
            }
            '$' if src[at..].starts_with("${{") => i = b.literal_until(i, None, "}}"),
            '$' if src[at..].starts_with("$(") => {
                b.push(i);
                b.push(i + 1);
                i = b.literal_until(i + 2, Some('('), ")");
            }
            '$' if src[at..].starts_with("${") => {
                b.push(i);
                b.push(i + 1);
                i = b.literal_until(i + 2, Some('{'), "}");
            }
            '`' => {
                b.push(i);
                i = b.literal_until(i + 1, None, "`");
            }
            ';' | '&' | '|' => {
                b.finish(i);
                rest = Some(at);
                break;
            }
            '<' | '>' => {
                // `2>` : digits right before a redirection are its file descriptor.
                if b.start.is_some() && !b.text.is_empty() && b.text.bytes().all(|x| x.is_ascii_digit()) {
                    b.start = None;
                    b.text.clear();
                    b.map.clear();
                } else {
                    b.finish(i);
                }
                i += 1;
                while i < b.chars.len() && matches!(b.chars[i].1, '>' | '<' | '&' | '|') {
                    i += 1;
                }
                b.discard_next = true;
            }
            '(' | ')' => return Err(Error::Unexpected { ch: c, at }),
            _ => {
                b.push(i);
                i += 1;
            }
        }
    }
    let end = i.min(b.chars.len());
    b.finish(end);
    Ok(Split { words: b.words, rest })
}

/// The names katalonc is started by in pasted lines: the launcher, the
/// scripts of the official image and older releases, the Windows binaries.
pub const PROGRAMS: &[&str] =
    &["katalonc", "katalonc.sh", "katalon-execute.sh", "katalon", "katalonc.exe", "katalon.exe", "katalon-execute.bat"];

/// Whether `raw`, a word as written (quotes included, before any unescaping),
/// names katalonc: one of [`PROGRAMS`] (any case) with any path before it,
/// POSIX (`/opt/katalon/katalonc`) or Windows (`C:\Katalon\katalonc.exe`).
/// Matching the raw text matters for Windows paths: a POSIX shell would
/// turn `C:\Katalon\katalonc.exe` into `C:Kataloncatalonc.exe`.
pub fn is_program(raw: &str) -> bool {
    let word = raw.trim().trim_matches(['"', '\'']);
    if word.starts_with('-') {
        return false;
    }
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    PROGRAMS.iter().any(|p| p.eq_ignore_ascii_case(base))
}

/// The index of the word that starts katalonc in `words` (split from
/// `src`): the last word naming it, so `docker run katalonstudio/katalon
/// katalonc.sh ...` finds `katalonc.sh`, not the image.
pub fn program_position(src: &str, words: &[Word]) -> Option<usize> {
    words.iter().rposition(|w| src.get(w.span.clone()).is_some_and(is_program))
}

/// A shell other than a POSIX one that a line is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Windows `cmd.exe`: `^` line continuations, `%VAR%`.
    Cmd,
    /// PowerShell: backtick continuations and escapes, `$env:VAR`, the `&` call operator.
    PowerShell,
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dialect::Cmd => "Windows cmd",
            Dialect::PowerShell => "PowerShell",
        })
    }
}

/// Whether `src` is written for cmd or PowerShell rather than a POSIX
/// shell, and the byte of the first sign of it. Only unmistakable signs
/// count: a `^` or a backtick ending a line (line continuations), `%VAR%`,
/// `$env:VAR`, a backtick escaping a quote, a leading `&` before a quoted
/// program (PowerShell's call operator).
pub fn foreign_dialect(src: &str) -> Option<(Dialect, usize)> {
    let mut found: Vec<(Dialect, usize)> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let body = line.trim_end();
        if let Some(i) = body.strip_suffix('^').map(str::len) {
            found.push((Dialect::Cmd, offset + i));
        }
        if line.ends_with('\n')
            && let Some(i) = body.strip_suffix('`').map(str::len)
        {
            found.push((Dialect::PowerShell, offset + i));
        }
        offset += line.len();
    }
    let bytes = src.as_bytes();
    for (i, _) in src.match_indices('%') {
        let name_len = bytes[i + 1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        if name_len > 0 && bytes[i + 1].is_ascii_alphabetic() && bytes.get(i + 1 + name_len) == Some(&b'%') {
            found.push((Dialect::Cmd, i));
            break;
        }
    }
    if let Some(i) = src.to_ascii_lowercase().find("$env:") {
        found.push((Dialect::PowerShell, i));
    }
    if let Some(i) = src.find("`\"") {
        found.push((Dialect::PowerShell, i));
    }
    let lead = src.trim_start();
    if let Some(rest) = lead.strip_prefix('&')
        && rest.trim_start().starts_with(['"', '\''])
    {
        found.push((Dialect::PowerShell, src.len() - lead.len()));
    }
    found.into_iter().min_by_key(|(_, at)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        split(s).unwrap().words.into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn quotes_and_escapes_as_a_shell_does() {
        assert_eq!(texts(r#"a 'b c' "d \"e\" \x" f\ g"#), vec!["a", "b c", r#"d "e" \x"#, "f g"]);
        assert_eq!(texts("-a=''"), vec!["-a="]);
        assert_eq!(texts("'' x"), vec!["", "x"]);
        assert_eq!(texts("a \\\n  b"), vec!["a", "b"]);
        assert_eq!(texts("-x=\"Test Suites\"/A"), vec!["-x=Test Suites/A"]);
    }

    #[test]
    fn expansions_stay_literal_and_whole() {
        assert_eq!(texts("-apiKey=${{ secrets.KEY }} -b"), vec!["-apiKey=${{ secrets.KEY }}", "-b"]);
        assert_eq!(texts("-k=$(cat f | tr -d x) y"), vec!["-k=$(cat f | tr -d x)", "y"]);
        assert_eq!(texts("-k=${A:-b c} `x y`"), vec!["-k=${A:-b c}", "`x y`"]);
    }

    #[test]
    fn first_command_only_and_redirections_dropped() {
        let s = split("a b 2>&1 > out.log c | tee x").unwrap();
        assert_eq!(s.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), vec!["a", "b", "c"]);
        assert_eq!(s.rest, Some(21));
        assert_eq!(split("a\n").unwrap().rest, None);
        assert_eq!(split("a # comment 'x\nb").unwrap().rest, Some(15));
    }

    #[test]
    fn positions_point_into_the_original() {
        let src = r#"katalonc "-testSuitePath=Test Suites/A" -x"#;
        let s = split(src).unwrap();
        let w = &s.words[1];
        assert_eq!(&src[w.span.clone()], r#""-testSuitePath=Test Suites/A""#);
        let value = w.original(15..w.text.len());
        assert_eq!(&src[value], "Test Suites/A");
        let name = w.original(0..14);
        assert_eq!(&src[name], "-testSuitePath");
    }

    #[test]
    fn shell_errors_are_reported_with_positions() {
        assert_eq!(split("a 'b"), Err(Error::Unterminated { quote: '\'', at: 2 }));
        assert_eq!(split("-browserType=Chrome (headless)"), Err(Error::Unexpected { ch: '(', at: 20 }));
    }

    #[test]
    fn program_names_with_any_path_are_recognised_on_the_raw_text() {
        for raw in [
            "katalonc",
            "./katalonc.sh",
            "/opt/katalon/katalon-execute.sh",
            "katalon",
            r"C:\Katalon\katalonc.exe",
            r#""C:\Program Files\Katalon\katalon.exe""#,
            "'/opt/Katalon Studio/katalonc'",
            "KATALONC.EXE",
        ] {
            assert!(is_program(raw), "{raw}");
        }
        for raw in ["katalonc.jar", "-katalonc", "katalon-prep", "xvfb-run"] {
            assert!(!is_program(raw), "{raw}");
        }
        let src = r"docker run -t katalonstudio/katalon C:\K\katalonc.exe -retry=1";
        let s = split(src).unwrap();
        assert_eq!(program_position(src, &s.words), Some(4));
    }

    #[test]
    fn cmd_and_powershell_lines_are_told_apart_from_posix_ones() {
        assert_eq!(foreign_dialect("katalonc.exe -noSplash ^\n  -retry=1"), Some((Dialect::Cmd, 23)));
        assert_eq!(foreign_dialect("katalonc -apiKey=%KATALON_API_KEY%").map(|d| d.0), Some(Dialect::Cmd));
        assert_eq!(foreign_dialect("katalonc.exe -noSplash `\n  -retry=1").map(|d| d.0), Some(Dialect::PowerShell));
        assert_eq!(foreign_dialect("katalonc -apiKey=$env:KEY").map(|d| d.0), Some(Dialect::PowerShell));
        assert_eq!(foreign_dialect(r#"& "C:\K\katalonc.exe" -retry=1"#), Some((Dialect::PowerShell, 0)));
        for posix in [
            "katalonc -noSplash \\\n  -retry=1",
            "katalonc -k=`cat key` -g_x=a^b -u=https://h/a%20b%20c",
            "katalonc -g_pct=100%",
        ] {
            assert_eq!(foreign_dialect(posix), None, "{posix}");
        }
    }
}
