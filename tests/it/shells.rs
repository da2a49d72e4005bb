//! `--format powershell` and `--format cmd`: each line reads back as the
//! argv `--format json` gives, by the shell's documented rules here and,
//! for cmd, through the real cmd.exe on Windows (Wine in CI).

use crate::support;

use support::{Fixture, SENTINEL};

/// Values every shell treats specially somewhere.
const NASTY: &str = r#"run:
  test-suite: Test Suites/Smoke
  browser: Chrome (headless)
  report-folder: reports
  globals:
    amp: "a&b|c<d>e(f)g"
    caret: "x^y^^z"
    percent: "%PATH% 100% %%"
    bang: "wow!really!"
    dollar: "$HOME $(id) ${x}"
    tick: "`date` a`b"
    dquote: 'say "hi" \"there\"'
    squote: "it's 'quoted'"
    smart: "‘left’ ‚low‛ “double”"
    unicode: "Ünïcödé 日本語"
    slashes: 'C:\Program Files\dir\ \\server\share\'
    spaces: "  two  spaces  "
"#;

fn json_argv(f: &Fixture, extra: &[&str]) -> Vec<String> {
    let out =
        f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--format", "json", "--"]).args(extra).output().unwrap();
    crate::support::assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line(f: &Fixture, format: &str, extra: &[&str]) -> String {
    let out =
        f.cmd().env("KATALON_API_KEY", SENTINEL).args(["args", "--format", format, "--"]).args(extra).output().unwrap();
    crate::support::assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    text.trim_end_matches('\n').to_string()
}

const EXTRA: &[&str] = &["-statusDelay=30", "-g_last=ends with a backslash\\"];

const GLOBALS: &[&str] = &[
    "amp", "caret", "percent", "bang", "dollar", "tick", "dquote", "squote", "smart", "unicode", "slashes", "spaces",
    "last",
];

fn nasty() -> Fixture {
    let f = Fixture::project();
    f.write("Profiles/default.glbl", support::profile("default", GLOBALS));
    f.config(NASTY);
    f
}

/// PowerShell's argument mode (about_Parsing, about_Quoting_Rules): words
/// split on spaces; a single-quoted string is verbatim but for its quotes
/// (`'` and the typographic ‘ ’ ‚ ‛), doubled to stand for one; a bare word
/// must hold nothing PowerShell expands or splits on.
fn powershell_split(line: &str) -> Vec<String> {
    const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut word = String::new();
        if QUOTES.contains(&chars[i]) {
            i += 1;
            loop {
                let c = *chars.get(i).unwrap_or_else(|| panic!("unterminated string in {line}"));
                if QUOTES.contains(&c) {
                    if chars.get(i + 1).is_some_and(|n| QUOTES.contains(n)) {
                        word.push(c);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                word.push(c);
                i += 1;
            }
        } else {
            while i < chars.len() && chars[i] != ' ' {
                let c = chars[i];
                assert!(c.is_ascii_alphanumeric() || "_=+/-".contains(c), "{c:?} bare in {line}");
                word.push(c);
                i += 1;
            }
        }
        assert!(i == chars.len() || chars[i] == ' ', "words are separated by one space: {line}");
        i += 1;
        words.push(word);
    }
    words
}

/// cmd.exe, then the C runtime: outside quotes `^` escapes the next
/// character (the line never opens a cmd quote: every `"` is `^"`), then
/// the program splits on whitespace, with `"` grouping and backslashes
/// special only before a `"` (Microsoft's "Parsing C command-line arguments").
fn cmd_split(line: &str) -> Vec<String> {
    let mut after_cmd = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => after_cmd.push(chars.next().expect("a caret escapes something")),
            '&' | '|' | '<' | '>' | '(' | ')' | '%' | '!' | '"' => panic!("unescaped {c:?} in {line}"),
            c => after_cmd.push(c),
        }
    }
    let chars: Vec<char> = after_cmd.chars().collect();
    let (mut words, mut word, mut in_word, mut quoted) = (Vec::new(), String::new(), false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let n = chars[i..].iter().take_while(|&&c| c == '\\').count();
            if chars.get(i + n) == Some(&'"') {
                word.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    word.push('"');
                    i += n + 1;
                } else {
                    i += n;
                }
            } else {
                word.extend(std::iter::repeat_n('\\', n));
                i += n;
            }
            in_word = true;
            continue;
        }
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' | '\t' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn powershell_line_reads_back_as_the_argv() {
    let f = nasty();
    let want = json_argv(&f, EXTRA);
    assert!(want.contains(&"-g_smart=‘left’ ‚low‛ “double”".to_string()), "{want:?}");
    let line = line(&f, "powershell", EXTRA);
    assert_eq!(powershell_split(&line), want, "{line}");
    assert!(line.starts_with("-noSplash -runMode=console '-projectPath=Demo.prj' "), "{line}");
}

#[test]
fn cmd_line_reads_back_as_the_argv() {
    let f = nasty();
    let want = json_argv(&f, EXTRA);
    let line = line(&f, "cmd", EXTRA);
    assert_eq!(cmd_split(&line), want, "{line}");
    assert!(line.contains(r#"^"-g_percent=^%PATH^% 100^% ^%^%^""#), "{line}");
}

/// A line break has no cmd form (nor any one-line form): refused before
/// anything is printed, the key never shown. (`quote::cmd_line` refuses it
/// too, by position: a unit test.)
#[test]
fn cmd_refuses_a_line_break_and_never_prints_the_key() {
    // Every format refuses a value with a line break before quoting (the line
    // must stay one line); cmd's own refusal stays as defence in depth.
    let f = Fixture::project();
    f.cmd()
        .env("KATALON_API_KEY", SENTINEL)
        .args(["args", "--format", "cmd", "--", "-g_baseUrl=two\nlines"])
        .assert()
        .code(10)
        .stdout("")
        .stderr(predicates::str::contains("`-g_baseUrl=two\\nlines` holds a line break or a NUL byte"))
        .stderr(predicates::str::contains(SENTINEL).not());
}

use predicates::prelude::PredicateBooleanExt;

/// The cmd form through the real cmd.exe (Wine's in CI) into a real
/// Windows program that prints the argv it got.
#[cfg(windows)]
mod through_cmd_exe {
    use super::*;

    use std::os::windows::process::CommandExt;
    use std::path::Path;

    use katalon_prep::katalonc::quote;

    /// `cmd /d /c <fake katalonc> <line>`, exactly as written (no quoting
    /// added by Rust), in `dir`; the argv the program printed.
    fn through_cmd_c(dir: &Path, line: &str) -> Vec<String> {
        let fake = support::fake_katalonc_exe();
        let fake = fake.to_str().unwrap();
        assert!(!fake.contains(' '), "the command word is written bare: {fake}");
        let out = std::process::Command::new("cmd.exe")
            .raw_arg("/d /c")
            .raw_arg(format!("{fake} {line}"))
            .current_dir(dir)
            .output()
            .unwrap();
        crate::support::assert_success(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {:?} for {line}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Wine's cmd expands `%NAME%` of a defined variable even when its `%`
    /// are caret-escaped (Windows' cmd leaves them: `^%PATH^%` names the
    /// undefined `PATH^`); the Wine runs use an undefined name, the
    /// rule-based test above covers `%PATH%`.
    fn nasty_for_wine() -> Fixture {
        let f = nasty();
        f.config(&NASTY.replace("%PATH%", "%KATALON_PREP_UNDEFINED%"));
        f
    }

    #[test]
    fn the_line_katalon_prep_prints_reaches_the_program_intact() {
        let f = nasty_for_wine();
        let want = json_argv(&f, EXTRA);
        let line = line(&f, "cmd", EXTRA);
        assert_eq!(through_cmd_c(f.root(), &line), want, "{line}");
    }

    /// Values no config can carry (empty words, quotes and backslashes at
    /// the edges), straight from the library.
    #[test]
    fn nasty_words_survive_cmd_c() {
        let table: &[&[&str]] = &[
            &["", "a", ""],
            &["\"", "\"\"", "a\"b\"c", "\\\"", "\\\\\""],
            &["trailing\\", "trailing space\\", "\\\\server\\share\\", "C:\\Program Files\\"],
            &["%KATALON_PREP_UNDEFINED%", "%%", "%", "100%!", "!PATH!", "^", "^^", "a^"],
            &["&", "|", "<", ">", "(", ")", "a&&b||c", "x >NUL 2>&1"],
            &["$HOME", "`date`", "'single'", "‘smart’", "Ünïcödé", "日本語 テスト"],
            &["  leading", "tab\there", "   "],
        ];
        let dir = tempfile::tempdir().unwrap();
        for argv in table {
            let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
            let line = quote::cmd_line(&argv).unwrap();
            assert_eq!(through_cmd_c(dir.path(), &line), argv, "{line}");
        }
    }
}
