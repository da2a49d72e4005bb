//! Turns the katalonc line a CI runs today into the values of a
//! `katalon-prep.yml`: known options into their keys (`run.test-suite`,
//! `run.browser`, ...), the rest into `run.args` and `run.config`.
//!
//! Credentials never come out of here: the API key (and any other
//! credential option, `-kobitonToken`, `-proxy.*.password`, ...) is dropped,
//! together with the word an empty `-apiKey=` would swallow, and only the
//! option's *name* is reported. This module prints nothing.

use std::collections::BTreeMap;

use crate::katalonc::options::{self, CONFIG, INFO, Known, Section};
use crate::katalonc::split;

/// What a converted line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// `-projectPath`, as written.
    pub project: Option<String>,
    /// `-testSuitePath` (`false`) or `-testSuiteCollectionPath` (`true`), as written.
    pub target: Option<(bool, String)>,
    pub browser: Option<String>,
    pub profile: Option<String>,
    pub retry: Option<u32>,
    pub report_folder: Option<String>,
    pub globals: BTreeMap<String, String>,
    /// Options emitted as written, in order.
    pub args: Vec<String>,
    /// `--config` options, without the dash.
    pub config: BTreeMap<String, String>,
    /// Credential options that were on the line, by name (never a value).
    pub dropped: Vec<Dropped>,
    /// What the user should know; each may also go into the file as a comment.
    pub messages: Vec<Message>,
}

/// A credential option left out of the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The option as written, without value: `-apiKey`.
    pub option: String,
    /// The Katalon API key itself (katalon-prep injects it from a CI secret).
    pub api_key: bool,
    /// After `--config`.
    pub config_section: bool,
}

/// A note about the conversion. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub warning: bool,
    pub text: String,
}

impl Converted {
    fn warn(&mut self, text: String) {
        self.messages.push(Message { warning: true, text });
    }

    fn note(&mut self, text: String) {
        self.messages.push(Message { warning: false, text });
    }
}

/// The line as a POSIX shell would read it, for a line written for cmd or
/// PowerShell ([`split::foreign_dialect`]): line continuations (`^`, a
/// backtick) joined, their escapes turned into POSIX ones, backslashes
/// (Windows paths) kept, and PowerShell's leading `&` call operator dropped.
/// PowerShell's single quotes are literal, as POSIX ones are; cmd has none.
pub fn posix_form(src: &str, dialect: split::Dialect) -> String {
    let escape = match dialect {
        split::Dialect::Cmd => '^',
        split::Dialect::PowerShell => '`',
    };
    let body = match dialect {
        split::Dialect::PowerShell => {
            let lead = src.trim_start();
            lead.strip_prefix('&').filter(|r| r.trim_start().starts_with(['"', '\''])).unwrap_or(lead)
        }
        split::Dialect::Cmd => src,
    };
    let mut out = String::with_capacity(body.len() + 8);
    let mut chars = body.chars().peekable();
    let mut single = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' if dialect == split::Dialect::PowerShell => {
                single = !single;
                out.push(c);
            }
            '\'' => out.push_str("\\'"),
            _ if single => out.push(c),
            '\\' => out.push_str("\\\\"),
            c if c == escape => match chars.next() {
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                    out.push(' ');
                }
                Some('\n') => out.push(' '),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => {}
            },
            c => out.push(c),
        }
    }
    out
}

/// Converts the words of a katalonc line (program name already removed).
pub fn convert(words: &[String]) -> Converted {
    let mut out = Converted::default();
    let mut section = Section::Main;
    let mut info_started = false;
    let mut moved_to_main = Vec::new();
    let mut moved_to_config = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        i += 1;
        if let Some(next) = section.after_marker(word) {
            section = next;
            continue;
        }
        let Some(body) = word.strip_prefix('-').filter(|b| !b.is_empty()) else {
            out.warn(format!(
                "`{word}` is not an option (half of an unquoted value?): katalonc ignores it; not carried over"
            ));
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let known = options::find(name);
        let takes_value = match known {
            Some(Known::Opt(o)) => o.value.takes_value(),
            Some(Known::Global) => true,
            // An unknown option keeps its own shape.
            None => inline.is_some(),
        };
        // The word jopt-simple would take as the value: the next one, when
        // the value is empty (`-apiKey= $KEY`) or written apart (`-retry 2`).
        let next_is_value = takes_value
            && inline.is_none_or(str::is_empty)
            && words.get(i).is_some_and(|n| !n.starts_with('-') && n != CONFIG && n != INFO);
        let value = if next_is_value {
            i += 1;
            Some(words[i - 1].clone())
        } else {
            inline.filter(|v| !v.is_empty()).map(str::to_string)
        };

        if options::is_secret_name(name) {
            let bare = name.trim_start_matches('-').to_ascii_lowercase();
            let api_key = options::is_api_key_arg(word) && !bare.starts_with("apikeyo");
            out.dropped.push(Dropped {
                option: format!("-{name}"),
                api_key,
                config_section: section == Section::Config,
            });
            continue;
        }
        let Some(value) = value.filter(|_| takes_value) else {
            // A flag, or an option missing its value (the lint says so).
            match (known, section) {
                (Some(Known::Opt(o)), Section::Main) if o.name == "noSplash" => {}
                (_, Section::Config) => {
                    out.warn(format!("`{word}` after `--config` has no value: not carried over"));
                }
                (_, Section::Info) => push_info(&mut out, &mut info_started, word.to_string()),
                _ => out.args.push(word.to_string()),
            }
            continue;
        };
        // `-projectPath` is not written as it is: the project found here is.
        let as_written = !matches!(known, Some(Known::Opt(o)) if o.name == "projectPath");
        if as_written && (value.contains('$') || value.contains('`')) {
            out.warn(format!(
                "`-{name}` takes its value from the shell or the CI (`{value}`): katalon-prep.yml holds values as \
                 written, so katalonc would get that text; write the value itself"
            ));
        }
        let joined = format!("-{name}={value}");
        let belongs = match known {
            Some(Known::Opt(o)) => o.section,
            Some(Known::Global) => Section::Main,
            None if section == Section::Config => Section::Config,
            None => Section::Main,
        };
        match (belongs, section) {
            (Section::Config, Section::Main | Section::Info) => {
                moved_to_config.push(format!("-{name}"));
                insert_config(&mut out, name, value);
            }
            (Section::Config, Section::Config) => insert_config(&mut out, name, value),
            (_, Section::Config) => {
                moved_to_main.push(format!("-{name}"));
                out.args.push(joined);
            }
            (_, Section::Info) => push_info(&mut out, &mut info_started, joined),
            (_, Section::Main) => main_option(&mut out, known, name, value, joined),
        }
    }
    if !moved_to_main.is_empty() {
        out.warn(format!(
            "{} came after `--config`, where katalonc does not read ordinary options (it ignored them): moved to \
             `run.args`, where they take effect; check that you want them",
            moved_to_main.join(", ")
        ));
    }
    if !moved_to_config.is_empty() {
        out.warn(format!(
            "{} came before `--config`, where katalonc does not read them: moved to `run.config`",
            moved_to_config.join(", ")
        ));
    }
    if info_started {
        out.warn(
            "the `--info` section is kept at the end of `run.args`; katalon-prep puts `-apiKey` after `run.args`, \
             so run with `--without-api-key` or move these options before `--info` if katalonc misses the key"
                .into(),
        );
    }
    out
}

fn push_info(out: &mut Converted, started: &mut bool, word: String) {
    if !*started {
        out.args.push(INFO.to_string());
        *started = true;
    }
    out.args.push(word);
}

fn insert_config(out: &mut Converted, name: &str, value: String) {
    if out.config.contains_key(name) {
        out.warn(format!("`-{name}` is given twice after `--config`: the first is kept"));
        return;
    }
    out.config.insert(name.to_string(), value);
}

/// An option of the main section: its own key when it has one, else `run.args`.
fn main_option(out: &mut Converted, known: Option<Known>, name: &str, value: String, joined: String) {
    let canonical = match known {
        Some(Known::Opt(o)) => o.name,
        Some(Known::Global) => {
            let var = &name[options::GLOBAL_PREFIX.len()..];
            if out.globals.contains_key(var) {
                out.args.push(joined);
            } else {
                out.globals.insert(var.to_string(), value);
            }
            return;
        }
        None => {
            out.args.push(joined);
            return;
        }
    };
    // A second one of any of these goes to `run.args`, where the lint reports it.
    match canonical {
        "runMode" if value == "console" => {}
        "projectPath" if out.project.is_none() => out.project = Some(value),
        "testSuitePath" | "testSuiteCollectionPath" if out.target.is_none() => {
            out.target = Some((canonical == "testSuiteCollectionPath", value));
        }
        "browserType" if out.browser.is_none() => out.browser = Some(value),
        "executionProfile" if out.profile.is_none() => out.profile = Some(value),
        "retry" if out.retry.is_none() && value.parse::<u32>().is_ok() => out.retry = value.parse().ok(),
        // A relative folder: katalon-prep resolves it against the config's
        // folder and emits it relative to the working directory, the same
        // text when both are the checkout. Anything else stays as written.
        "reportFolder" if out.report_folder.is_none() && is_plain_relative(&value) => out.report_folder = Some(value),
        "projectPath" => {
            out.note(format!("a second `-projectPath={value}` is left out: katalon-prep emits the project once"));
        }
        _ => out.args.push(joined),
    }
}

fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with(['/', '\\', '~'])
        && !path.contains(['$', '`', ':'])
        && !path.split(['/', '\\']).any(|p| p == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(words: &[&str]) -> Converted {
        convert(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn known_options_go_to_their_keys() {
        let c = conv(&[
            "-noSplash",
            "-runMode=console",
            "-projectPath=shop.prj",
            "-testSuitePath=Test Suites/Smoke",
            "-browserType=Chrome (headless)",
            "-executionProfile=staging",
            "-retry=2",
            "-reportFolder=reports",
            "-g_baseUrl=https://x",
            "-statusDelay=30",
            "--config",
            "-webui.autoUpdateDrivers=true",
        ]);
        assert_eq!(c.project.as_deref(), Some("shop.prj"));
        assert_eq!(c.target, Some((false, "Test Suites/Smoke".into())));
        assert_eq!(c.browser.as_deref(), Some("Chrome (headless)"));
        assert_eq!(c.profile.as_deref(), Some("staging"));
        assert_eq!(c.retry, Some(2));
        assert_eq!(c.report_folder.as_deref(), Some("reports"));
        assert_eq!(c.globals["baseUrl"], "https://x");
        assert_eq!(c.args, ["-statusDelay=30"]);
        assert_eq!(c.config["webui.autoUpdateDrivers"], "true");
        assert!(c.messages.is_empty(), "{:?}", c.messages);
    }

    #[test]
    fn credentials_and_the_word_an_empty_key_swallows_are_dropped() {
        let c =
            conv(&["-apiKey=", "SECRET1", "-kobitonToken", "SECRET2", "-retry=1", "--config", "-proxy.password=S3"]);
        let all = format!("{c:?}");
        assert!(!all.contains("SECRET1") && !all.contains("SECRET2") && !all.contains("S3"), "{all}");
        assert_eq!(c.dropped.len(), 3);
        assert!(c.dropped[0].api_key && !c.dropped[1].api_key && c.dropped[2].config_section);
        assert_eq!(c.retry, Some(1));
    }

    #[test]
    fn separate_values_are_joined_and_misplaced_options_moved() {
        let c = conv(&["-browserType", "Firefox", "--config", "-reportFolder=out/x", "-proxy.option=NO_PROXY"]);
        assert_eq!(c.browser.as_deref(), Some("Firefox"));
        assert_eq!(c.args, ["-reportFolder=out/x"]);
        assert_eq!(c.config["proxy.option"], "NO_PROXY");
        assert!(c.messages.iter().any(|m| m.text.contains("-reportFolder came after `--config`")));
    }

    #[test]
    fn info_sections_unknown_options_and_stray_words() {
        let c =
            conv(&["-retry=1", "-newOption=x", "Chromium", "--info", "-buildLabel=7", "--config", "-proxy.excludes=a"]);
        assert_eq!(c.args, ["-newOption=x", "--info", "-buildLabel=7"]);
        assert_eq!(c.config["proxy.excludes"], "a");
        assert!(c.messages.iter().any(|m| m.warning && m.text.starts_with("`Chromium` is not an option")));
        assert!(c.messages.iter().any(|m| m.text.contains("`--info` section")));
    }

    #[test]
    fn windows_lines_read_as_posix_ones() {
        let cmd = "\"C:\\Katalon\\katalonc.exe\" -noSplash ^\r\n  -reportFolder=C:\\out -g_name=O'Brien ^\n  -retry=1";
        let words: Vec<String> =
            split::split(&posix_form(cmd, split::Dialect::Cmd)).unwrap().words.into_iter().map(|w| w.text).collect();
        assert_eq!(
            words,
            [r"C:\Katalon\katalonc.exe", "-noSplash", r"-reportFolder=C:\out", "-g_name=O'Brien", "-retry=1"]
        );
        let ps = "& 'C:\\K\\katalonc.exe' -g_q=\"a`\"b\" `\n  -retry=1";
        let words: Vec<String> = split::split(&posix_form(ps, split::Dialect::PowerShell))
            .unwrap()
            .words
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, [r"C:\K\katalonc.exe", "-g_q=a\"b", "-retry=1"]);
    }
}
