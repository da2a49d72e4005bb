//! `settings/internal/com.kms.katalon.execution.properties`: set
//! `plugin.reloadOption="OFFLINE"` while keeping every other byte.
//!
//! Katalon types each raw value by its shape and treats anything that is not
//! `true|false`, an integer or a `"quoted"` string as unset, so the value must
//! be written JSON-quoted: `plugin.reloadOption=OFFLINE` would be ignored.

use std::path::{Path, PathBuf};

/// The settings file, relative to the project root.
pub const FILE: &str = "settings/internal/com.kms.katalon.execution.properties";
pub const KEY: &str = "plugin.reloadOption";
pub const OFFLINE_LINE: &str = "plugin.reloadOption=\"OFFLINE\"";

/// One logical line of a properties file, as byte ranges of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logical {
    /// From the first byte of the line to the end of its last physical line,
    /// excluding the final line terminator.
    pub start: usize,
    pub end: usize,
    /// The unescaped key, `None` for comments and blank lines.
    pub key: Option<String>,
    /// The raw value text (escapes kept, continuations joined), if a key.
    pub raw_value: Option<String>,
}

/// Splits properties text into logical lines (Java `Properties.load` rules:
/// `#`/`!` comments, backslash continuations, `=`, `:` or whitespace
/// separating key and value, backslash escapes in keys).
pub fn logical_lines(text: &str) -> Vec<Logical> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        // Gather physical lines while the line ends with an odd number of backslashes.
        let mut joined = String::new();
        let mut first = true;
        let end;
        loop {
            let line_end =
                bytes[i..].iter().position(|&b| b == b'\n' || b == b'\r').map(|p| i + p).unwrap_or(bytes.len());
            let mut piece = &text[i..line_end];
            if !first {
                piece = piece.trim_start_matches([' ', '\t', '\x0c']);
            }
            let is_comment = first && {
                let t = piece.trim_start_matches([' ', '\t', '\x0c']);
                t.starts_with('#') || t.starts_with('!')
            };
            let trailing = piece.bytes().rev().take_while(|&b| b == b'\\').count();
            let continues = !is_comment && trailing % 2 == 1 && line_end < bytes.len();
            if continues {
                joined.push_str(&piece[..piece.len() - 1]);
            } else {
                joined.push_str(piece);
            }
            // Step over the terminator (`\n`, `\r` or `\r\n`).
            let mut next = line_end;
            if next < bytes.len() && bytes[next] == b'\r' {
                next += 1;
                if next < bytes.len() && bytes[next] == b'\n' {
                    next += 1;
                }
            } else if next < bytes.len() {
                next += 1;
            }
            if continues {
                i = next;
                first = false;
                continue;
            }
            end = line_end;
            i = next;
            if is_comment {
                out.push(Logical { start, end, key: None, raw_value: None });
                break;
            }
            let (key, value) = split_key_value(&joined);
            out.push(Logical { start, end, key, raw_value: value });
            break;
        }
    }
    out
}

fn split_key_value(line: &str) -> (Option<String>, Option<String>) {
    let line = line.trim_start_matches([' ', '\t', '\x0c']);
    if line.is_empty() {
        return (None, None);
    }
    let mut key = String::new();
    let mut chars = line.char_indices().peekable();
    let mut value_start = line.len();
    while let Some((idx, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, e)) = chars.next() {
                    key.push(match e {
                        't' => '\t',
                        'n' => '\n',
                        'r' => '\r',
                        'f' => '\x0c',
                        'u' => {
                            let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                            u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}')
                        }
                        other => other,
                    });
                }
            }
            '=' | ':' => {
                value_start = idx + 1;
                break;
            }
            ' ' | '\t' | '\x0c' => {
                // Whitespace ends the key; an `=` or `:` may still follow.
                let rest = line[idx..].trim_start_matches([' ', '\t', '\x0c']);
                let offset = line.len() - rest.len();
                value_start = if rest.starts_with(['=', ':']) { offset + 1 } else { offset };
                break;
            }
            other => key.push(other),
        }
    }
    let value = line.get(value_start..).unwrap_or("").trim_start_matches([' ', '\t', '\x0c']);
    (Some(key), Some(value.to_string()))
}

/// What `set_offline` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Created,
    Updated,
}

/// Returns the new text, or `None` when `text` already says OFFLINE.
pub fn with_offline(text: &str) -> Option<String> {
    let lines = logical_lines(text);
    let ours: Vec<&Logical> = lines.iter().filter(|l| l.key.as_deref() == Some(KEY)).collect();
    if !ours.is_empty() && ours.iter().all(|l| l.raw_value.as_deref().map(str::trim_end) == Some("\"OFFLINE\"")) {
        return None;
    }
    if ours.is_empty() {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with(['\n', '\r']) {
            out.push_str(newline);
        }
        let mut at = out.len();
        out.push_str(OFFLINE_LINE);
        out.push_str(newline);
        // A last line ending in a lone backslash continues into the next
        // one and would swallow ours (`a=b\` + our line reads as one value):
        // an empty line ends the continuation without changing its value.
        // (Twice at most: after a lone `\r`, the first `\n` only completes it.)
        for _ in 0..2 {
            if logical_lines(&out).last().map(|l| l.start) == Some(at) {
                break;
            }
            out.insert_str(at, newline);
            at += newline.len();
        }
        return Some(out);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut pos = 0;
    for line in ours {
        out.push_str(&text[pos..line.start]);
        out.push_str(OFFLINE_LINE);
        pos = line.end;
    }
    out.push_str(&text[pos..]);
    Some(out)
}

/// [`with_offline`] on bytes: every byte it does not own stays as it was,
/// whatever the encoding (Katalon writes ISO-8859-1; UTF-8 is common too).
/// The bytes are read as ISO-8859-1, one char per byte, which maps back
/// exactly; the only text added is ASCII.
pub fn with_offline_bytes(bytes: &[u8]) -> Option<Vec<u8>> {
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let out = with_offline(&text)?;
    Some(out.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect())
}

/// UTF-16 (a byte-order mark, or NUL bytes, which no 8-bit properties file has).
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.contains(&0)
}

/// An edit of the settings file, decided but not yet made: the install
/// record notes it first, so `clean` can undo it even after a kill.
#[derive(Debug, Clone)]
pub struct Edit {
    pub path: PathBuf,
    /// The file's bytes before the edit; `None` when it does not exist.
    pub before: Option<Vec<u8>>,
    pub after: Vec<u8>,
}

/// What [`apply`] would do to make katalonc load plugins from the project
/// only; `None` when the setting is already there. A UTF-16 file is refused.
pub fn plan_offline(project_root: &Path) -> Result<Option<Edit>, super::Error> {
    let path = project_root.join(FILE);
    let before = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(super::Error::Read { path, source }),
    };
    let bytes = before.as_deref().unwrap_or_default();
    if is_utf16(bytes) {
        return Err(super::Error::Utf16 { path });
    }
    Ok(with_offline_bytes(bytes).map(|after| Edit { path, before, after }))
}

/// Writes the edit (atomically; the file's mode kept).
pub fn apply(edit: &Edit) -> Result<Change, super::Error> {
    let write = |source| super::Error::Write { path: edit.path.clone(), source };
    if let Some(dir) = edit.path.parent() {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    crate::fsutil::write_atomic(&edit.path, &edit.after, crate::fsutil::Mode::Keep).map_err(write)?;
    Ok(if edit.before.is_some() { Change::Updated } else { Change::Created })
}

/// Makes katalonc load plugins from the project only. Keeps every other byte
/// of the file; writes nothing when the setting is already there. A UTF-16
/// file is refused, untouched.
pub fn set_offline(project_root: &Path) -> Result<(Change, PathBuf), super::Error> {
    match plan_offline(project_root)? {
        None => Ok((Change::Unchanged, project_root.join(FILE))),
        Some(edit) => Ok((apply(&edit)?, edit.path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_escaped_keys_and_continuations() {
        let text = "# c\nplugin\\.x=1\nplugin.reloadOption = \\\n   \"ONLINE\"\nother:value\n";
        let lines = logical_lines(text);
        let keys: Vec<_> = lines.iter().map(|l| l.key.clone()).collect();
        assert_eq!(keys, vec![None, Some("plugin.x".into()), Some("plugin.reloadOption".into()), Some("other".into())]);
        assert_eq!(lines[2].raw_value.as_deref(), Some("\"ONLINE\""));
    }

    #[test]
    fn replaces_only_our_line_byte_for_byte() {
        let text = "#Fri Nov 27 10:00:00 UTC 2026\r\nexecution.default.timeout=30\r\nplugin.reloadOption=OFFLINE\r\nweb\\ ui=\"a\\:b\"\r\n";
        let out = with_offline(text).unwrap();
        assert_eq!(
            out,
            "#Fri Nov 27 10:00:00 UTC 2026\r\nexecution.default.timeout=30\r\nplugin.reloadOption=\"OFFLINE\"\r\nweb\\ ui=\"a\\:b\"\r\n"
        );
        assert_eq!(with_offline(&out), None);
    }

    #[test]
    fn appending_after_a_dangling_continuation_ends_it_first() {
        let out = with_offline("long.value=first\\").unwrap();
        assert_eq!(out, "long.value=first\\\n\nplugin.reloadOption=\"OFFLINE\"\n");
        let keys: Vec<_> = logical_lines(&out).into_iter().filter_map(|l| l.key).collect();
        assert_eq!(keys, ["long.value", "plugin.reloadOption"]);
        assert_eq!(with_offline(&out), None);
        let out = with_offline("a=b\\\r\n").unwrap();
        assert_eq!(out, "a=b\\\r\n\r\nplugin.reloadOption=\"OFFLINE\"\r\n");
        let out = with_offline("a=b\\\r").unwrap();
        assert_eq!(logical_lines(&out).last().and_then(|l| l.key.clone()).as_deref(), Some(KEY));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_kept() {
        let before = b"#Katalon\nuser.name=Jos\xe9 M\xfcller\nplugin.reloadOption=\"ONLINE\"\nutf8=caf\xc3\xa9\n";
        let out = with_offline_bytes(before).unwrap();
        assert_eq!(
            out,
            b"#Katalon\nuser.name=Jos\xe9 M\xfcller\nplugin.reloadOption=\"OFFLINE\"\nutf8=caf\xc3\xa9\n".to_vec()
        );
        assert_eq!(with_offline_bytes(&out), None);
    }

    #[test]
    fn appends_when_absent_and_a_comment_does_not_count() {
        let out = with_offline("#plugin.reloadOption=\"OFFLINE\"\na=1").unwrap();
        assert_eq!(out, "#plugin.reloadOption=\"OFFLINE\"\na=1\nplugin.reloadOption=\"OFFLINE\"\n");
    }
}
