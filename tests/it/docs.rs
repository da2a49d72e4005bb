//! The documentation matches the code, in both directions: README's and the
//! book's exit-code tables, the book's lint rule table, every subcommand and
//! long flag clap accepts (and no documented flag clap lacks), every key
//! `katalon-prep.yml` accepts (and no documented key the parser refuses), and
//! every link between README.md and the pages of `docs/src` resolves, `#anchor`
//! included (mdbook does not fail on a broken link by itself).
//!
//! Conventions the checks rely on (docs/src/development.md repeats them):
//! - each subcommand `katalon-prep a b` has a heading whose first code span is
//!   `katalon-prep a b`, on the page `docs/src/commands/a.md`; its flags are the
//!   `--flag` code spans in the first cell of the table rows of that section;
//! - the global flags are the table rows of `docs/src/commands.md`;
//! - the config keys are the first-cell code spans of the table rows of
//!   `docs/src/configuration.md`, dotted (`run.test-suite`, `plugins[].sha256`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use clap::CommandFactory;
use katalon_prep::Exit;

use crate::support::{Fixture, keyword_jar, stderr};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

// ---------------------------------------------------------------------------
// A little Markdown: the lines outside code fences, headings, code spans,
// table rows and links. Enough for the pages of this repository.

/// The lines that are not inside a fenced code block, with their 1-based
/// numbers. A fence closes only with the same character, at least as long.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let ch = t.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = ch.map(|c| t.chars().take_while(|x| *x == c).count()).unwrap_or(0);
        match fence {
            Some((c, n)) => {
                if ch == Some(c) && run >= n && t[run..].trim().is_empty() {
                    fence = None;
                }
            }
            None if run >= 3 => fence = Some((ch.expect("a fence character"), run)),
            None => out.push((i + 1, line)),
        }
    }
    out
}

/// `(level, text)` of a heading line.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let text = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, text.trim()))
}

/// The contents of the code spans of a line, in order.
fn code_spans(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        let fence = "`".repeat(ticks);
        let Some(end) = find_run(after, &fence) else { break };
        out.push(after[..end].trim());
        rest = &after[end + ticks..];
    }
    out
}

/// The position of a run of exactly `ticks` backticks.
fn find_run(text: &str, ticks: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(ticks) {
        let at = from + i;
        let run = text[at..].chars().take_while(|c| *c == '`').count();
        if run == ticks.len() {
            return Some(at);
        }
        from = at + run;
    }
    None
}

/// The line with its code spans removed (links inside code are not links).
fn without_code(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        match find_run(after, &"`".repeat(ticks)) {
            Some(end) => {
                out.push_str(&rest[..start]);
                rest = &after[end + ticks..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// The first cell of a table row (`| cell | ... |`), separator rows excluded.
fn first_cell(line: &str) -> Option<&str> {
    let row = line.trim().strip_prefix('|')?;
    // A `|` inside a code span is written `\|`: split on unescaped ones.
    let bytes = row.as_bytes();
    let end = (0..bytes.len()).find(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))?;
    let cell = row[..end].trim();
    (!cell.chars().all(|c| c == '-' || c == ':')).then_some(cell)
}

/// The `--flag` names of the code spans of a table row's first cell.
fn flags_in_row(line: &str) -> Vec<String> {
    let Some(cell) = first_cell(line) else { return Vec::new() };
    code_spans(cell)
        .into_iter()
        .filter_map(|span| {
            let word = span.split([' ', '=', '[']).next()?;
            let name = word.strip_prefix("--")?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// The anchor mdbook (and GitHub) give a heading: inline markup dropped,
/// lower case, spaces to `-`, every other character but `-` and `_` dropped;
/// a repeated anchor gets `-1`, `-2`, ...
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let Some((_, title)) = heading(line) else { continue };
        let plain = link_texts(&title.replace('`', ""));
        let id: String = plain
            .chars()
            .filter_map(|c| match c {
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
                c if c.is_whitespace() => Some('-'),
                _ => None,
            })
            .collect();
        let n = seen.entry(id.clone()).or_default();
        out.insert(if *n == 0 { id.clone() } else { format!("{id}-{n}") });
        *n += 1;
    }
    out
}

/// `[text](target)` replaced by `text`.
fn link_texts(line: &str) -> String {
    let mut out = line.to_string();
    while let Some((start, end, text)) = links(&out).first().map(|l| (l.start, l.end, l.text.clone())) {
        out.replace_range(start..end, &text);
    }
    out
}

struct Link {
    start: usize,
    end: usize,
    text: String,
    target: String,
}

/// The inline links of a line (code spans already removed).
fn links(line: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find("](") {
        let mid = from + i;
        let Some(open) = line[..mid].rfind('[') else {
            from = mid + 2;
            continue;
        };
        let Some(close) = line[mid + 2..].find(')') else { break };
        let end = mid + 2 + close + 1;
        out.push(Link {
            start: open,
            end,
            text: line[open + 1..mid].to_string(),
            target: line[mid + 2..end - 1].trim().to_string(),
        });
        from = end;
    }
    out
}

/// The lines of the section under the first heading for which `is_start`
/// holds, up to the next heading of the same or a higher level, or the next
/// heading for which `is_stop` holds.
fn section(text: &str, is_start: impl Fn(&str) -> bool, is_stop: impl Fn(&str) -> bool) -> Option<Vec<&str>> {
    let lines = prose_lines(text);
    let start = lines.iter().position(|(_, l)| heading(l).is_some_and(|(_, t)| is_start(t)))?;
    let (level, _) = heading(lines[start].1)?;
    Some(
        lines[start + 1..]
            .iter()
            .map(|(_, l)| *l)
            .take_while(|l| heading(l).is_none_or(|(lv, t)| lv > level && !is_stop(t)))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// Exit codes and lint rules.

fn exit_codes_in(rel: &str) -> Vec<u8> {
    let text = read(rel);
    let rows =
        section(&text, |t| t == "Exit codes", |_| false).unwrap_or_else(|| panic!("{rel}: an Exit codes section"));
    rows.iter().filter_map(|l| first_cell(l)?.parse::<u8>().ok()).collect()
}

#[test]
fn readme_exit_code_table_matches_the_code() {
    let defined: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(exit_codes_in("README.md"), defined);
}

#[test]
fn book_exit_code_table_matches_the_code() {
    let defined: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(exit_codes_in("docs/src/errors.md"), defined);
}

/// The book's lint rule table lists exactly the rules of `lint::RULES`, and
/// every rule id the source reports is one of them.
#[test]
fn book_rule_table_matches_the_rules() {
    let page = read("docs/src/lint-rules.md");
    // `rule | ... | allow` rows: the id, and whether it can be allowed.
    let mut documented: Vec<(String, bool)> = prose_lines(&page)
        .into_iter()
        .filter_map(|(_, l)| {
            let id = l.strip_prefix("| `")?.split('`').next()?.to_string();
            let allow = l.trim_end().trim_end_matches('|').rsplit('|').next()?.trim() == "yes";
            Some((id, allow))
        })
        .collect();
    documented.sort();
    let mut rules: Vec<(String, bool)> =
        katalon_prep::katalonc::lint::RULES.iter().map(|r| (r.id.to_string(), r.allowable)).collect();
    rules.sort();
    assert_eq!(documented, rules);
    let defined: Vec<String> = rules.into_iter().map(|(id, _)| id).collect();

    let mut used = BTreeSet::new();
    for path in files_under(&Path::new(ROOT).join("src"), "rs") {
        let text = std::fs::read_to_string(&path).unwrap();
        // `rule: "id"` in a Finding, `Severity::X, "id"` in a push.
        for piece in text.split("rule: \"").skip(1).chain(text.split("Severity::").skip(1).filter_map(|p| {
            let rest = p.split_once(',')?.1.trim_start();
            rest.strip_prefix('"')
        })) {
            if let Some(id) = piece
                .split('"')
                .next()
                .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            {
                used.insert(id.to_string());
            }
        }
    }
    let unknown: Vec<&String> = used.iter().filter(|id| !defined.contains(id)).collect();
    assert!(unknown.is_empty(), "rule ids reported but not in lint::RULES: {unknown:?}");
    assert!(used.len() >= 25, "the scan found too few rule ids: {used:?}");
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// Subcommands and flags.

/// Every visible subcommand path (nested ones too) with its visible long flags.
fn clap_commands() -> BTreeMap<Vec<String>, BTreeSet<String>> {
    fn long_flags(cmd: &clap::Command) -> BTreeSet<String> {
        cmd.get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long())
            .filter(|l| *l != "help" && *l != "version")
            .map(str::to_string)
            .collect()
    }
    fn walk(cmd: &clap::Command, path: &[String], out: &mut BTreeMap<Vec<String>, BTreeSet<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            let mut p = path.to_vec();
            p.push(sub.get_name().to_string());
            out.insert(p.clone(), long_flags(sub));
            walk(sub, &p, out);
        }
    }
    let root = katalon_prep::cli::Cli::command();
    let mut out = BTreeMap::new();
    out.insert(Vec::new(), long_flags(&root));
    walk(&root, &[], &mut out);
    out
}

/// The command a heading names: the words after `katalon-prep` in its first code span.
fn command_of_heading(title: &str) -> Option<Vec<String>> {
    let span = code_spans(title).into_iter().next()?;
    let rest = span.strip_prefix("katalon-prep")?;
    // The words that name commands; `[--flag]`, `PATH...` or `bash|zsh` end them.
    let words = rest
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.starts_with('-'));
    Some(words.map(str::to_string).collect())
}

/// The `--flag`s of the table rows of a command's section.
fn documented_flags(page: &str, command: &[String]) -> Option<BTreeSet<String>> {
    let rows =
        section(page, |t| command_of_heading(t).as_deref() == Some(command), |t| command_of_heading(t).is_some())?;
    Some(rows.iter().flat_map(|l| flags_in_row(l)).collect())
}

#[test]
fn every_command_and_flag_is_documented_and_every_documented_flag_exists() {
    let commands = clap_commands();
    assert!(commands.len() > 15, "clap introspection found too few commands: {:?}", commands.keys());
    let mut problems = Vec::new();

    let global = read("docs/src/commands.md");
    let rows =
        section(&global, |t| t == "Global flags", |_| false).expect("docs/src/commands.md: a Global flags section");
    let documented: BTreeSet<String> = rows.iter().flat_map(|l| flags_in_row(l)).collect();
    if documented != commands[&Vec::new()] {
        problems.push(format!(
            "docs/src/commands.md, Global flags: documented {documented:?}, clap has {:?}",
            commands[&Vec::new()]
        ));
    }

    for (path, flags) in commands.iter().filter(|(p, _)| !p.is_empty()) {
        let rel = format!("docs/src/commands/{}.md", path[0]);
        let Ok(page) = std::fs::read_to_string(Path::new(ROOT).join(&rel)) else {
            problems.push(format!("`katalon-prep {}`: no page {rel}", path.join(" ")));
            continue;
        };
        match documented_flags(&page, path) {
            None => problems.push(format!("{rel}: no heading `katalon-prep {}`", path.join(" "))),
            Some(documented) if documented != *flags => problems.push(format!(
                "{rel}, `katalon-prep {}`: undocumented {:?}; documented but not in clap {:?}",
                path.join(" "),
                flags.difference(&documented).collect::<Vec<_>>(),
                documented.difference(flags).collect::<Vec<_>>(),
            )),
            Some(_) => {}
        }
    }

    // And no page documents a command clap does not have.
    for page in files_under(&Path::new(ROOT).join("docs/src/commands"), "md") {
        let text = std::fs::read_to_string(&page).unwrap();
        for (n, line) in prose_lines(&text) {
            let Some(command) = heading(line).and_then(|(_, t)| command_of_heading(t)) else { continue };
            if !commands.contains_key(&command) {
                problems.push(format!(
                    "{}:{n}: `katalon-prep {}` is no visible command",
                    page.display(),
                    command.join(" ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "the commands pages and clap disagree:\n{}", problems.join("\n"));
}

#[test]
fn flag_rows_are_read_as_the_docs_write_them() {
    assert_eq!(flags_in_row("| `--format shell\\|json` | x |"), ["format"]);
    assert_eq!(
        flags_in_row("| `--connect-timeout SECS`, `--read-timeout SECS` | x |"),
        ["connect-timeout", "read-timeout"]
    );
    assert_eq!(flags_in_row("| `--yes`, `-y` | x |"), ["yes"]);
    assert!(flags_in_row("| `-- KATALONC_OPTION...` | x |").is_empty());
    assert!(flags_in_row("|---|---|").is_empty());
    assert_eq!(
        command_of_heading("`katalon-prep cache verify`"),
        Some(vec!["cache".to_string(), "verify".to_string()])
    );
    assert_eq!(
        command_of_heading("`katalon-prep cache prune [PATH...]`"),
        Some(vec!["cache".to_string(), "prune".to_string()])
    );
    assert_eq!(command_of_heading("`katalon-prep run [-- KATALONC_ARGS...]`"), Some(vec!["run".to_string()]));
}

// ---------------------------------------------------------------------------
// Config keys.

/// A config holding every key `katalon-prep.yml` accepts, with a value that
/// is valid together with the others: `args` must succeed on it. The keys
/// are read out of it (dotted), so it is the list the other checks compare.
const EVERY_KEY: &str = r#"
project: .
run:
  test-suite: Test Suites/Smoke
  browser: Chrome (headless)
  profile: staging
  retry: 1
  report-folder: reports
  globals: { baseUrl: "https://staging.example.com" }
  args: ["-statusDelay=30"]
  config: { webui.autoUpdateDrivers: true }
  display: none
  timeout: 2h
  kill-after: 30s
api-key:
  env: MY_KATALON_KEY
offline: true
store:
  app-version: "10.3.1"
  license-type: FREE
  url: https://store.example.com
lint:
  allow: [unlisted-option]
plugins:
  - path: vendor/excel-keywords.jar
    kind: keyword
  - url: https://example.com/bundle.zip
    sha256: 9b1c000000000000000000000000000000000000000000000000000000000000
    jar: "bundle-core-*.jar"
  - store: 42
  - github: acme/katalon-keywords
    tag: v1.2.0
    asset: "*.jar"
engine:
  version: "10.3.1"
  url: https://mirror.example.com
"#;

/// The keys that `EVERY_KEY` cannot hold at once (`run.test-suite` excludes it).
const ALSO_ACCEPTED: &str = "run:\n  test-suite-collection: Test Suites/Nightly\n";

/// The dotted keys of the block-style YAML above: `run.test-suite`,
/// `plugins[].sha256`; a flow map (`{ ... }`: globals, `--config` options)
/// is a value. Read by indentation, not by a YAML library, so this test does
/// not depend on which YAML crate the parser uses.
fn dotted_keys(yaml: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // (indent, prefix of the keys nested deeper than it)
    let mut parents: Vec<(usize, String)> = Vec::new();
    for line in yaml.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
        let mut indent = line.len() - line.trim_start().len();
        let mut rest = line.trim_start();
        while parents.last().is_some_and(|(i, _)| *i >= indent) {
            parents.pop();
        }
        if let Some(item) = rest.strip_prefix("- ") {
            let list = parents.last().map(|(_, p)| p.trim_end_matches('.')).expect("a list under a key");
            parents.push((indent, format!("{list}[].")));
            indent += 2;
            rest = item;
        }
        let (key, value) = rest.split_once(':').expect("`key: value` lines");
        let key = format!("{}{}", parents.last().map(|(_, p)| p.as_str()).unwrap_or(""), key.trim());
        if value.trim().is_empty() {
            parents.push((indent, format!("{key}.")));
        } else {
            out.insert(key);
        }
    }
    out
}

#[test]
fn config_keys_are_read_as_the_list_writes_them() {
    let keys = dotted_keys("a: 1\nb:\n  c: { x: 1 }\n  d:\n    - e: 1\n      f: 2\n    - g: 3\nh: 2\n");
    let expected: BTreeSet<String> =
        ["a", "b.c", "b.d[].e", "b.d[].f", "b.d[].g", "h"].into_iter().map(String::from).collect();
    assert_eq!(keys, expected);
}

fn accepted_keys() -> BTreeSet<String> {
    let mut keys = dotted_keys(EVERY_KEY);
    keys.extend(dotted_keys(ALSO_ACCEPTED));
    keys
}

fn project_with(config: &str) -> Fixture {
    let f = Fixture::project();
    f.write("vendor/excel-keywords.jar", keyword_jar("Excel"));
    f.config(config);
    f
}

/// Every key of the list is accepted by the real binary, with the others.
#[test]
fn every_listed_config_key_is_accepted() {
    for config in [EVERY_KEY, ALSO_ACCEPTED] {
        let f = project_with(config);
        let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
        assert!(out.status.success(), "the config was refused:\n{config}\nstderr:\n{}", stderr(&out));
    }
}

/// At every level of the config (the top, each section, a plugin entry) an
/// unknown key is refused, and the keys the error says are known there are
/// exactly the list's: a key the parser gains or loses fails this test.
#[test]
fn the_parser_knows_exactly_the_listed_keys_at_every_level() {
    let keys = accepted_keys();
    // "" for the top level, then "run.", "plugins[].", ...
    let mut levels: BTreeSet<String> = BTreeSet::from([String::new()]);
    for key in &keys {
        let mut at = 0;
        while let Some(dot) = key[at..].find('.') {
            levels.insert(key[..at + dot + 1].to_string());
            at += dot + 1;
        }
    }
    assert!(levels.len() >= 7, "too few levels: {levels:?}");
    for level in &levels {
        let expected: BTreeSet<String> = keys
            .iter()
            .filter_map(|k| k.strip_prefix(level.as_str()))
            .map(|rest| rest.split('.').next().unwrap_or(rest).trim_end_matches("[]").to_string())
            .collect();
        // The bogus key, nested as `level` says.
        let mut yaml = String::new();
        let mut indent = String::new();
        for part in level.split('.').filter(|p| !p.is_empty()) {
            match part.strip_suffix("[]") {
                Some(list) => {
                    yaml += &format!("{indent}{list}:\n{indent}  - ");
                    indent += "    ";
                }
                None => {
                    yaml += &format!("{indent}{part}:\n");
                    indent += "  ";
                }
            }
        }
        if !yaml.ends_with("- ") {
            yaml += &indent;
        }
        yaml += "zzqxbogus: 1\n";
        let f = project_with(&yaml);
        let out = f.cmd().args(["args", "--without-api-key"]).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(10), "level `{level}`: {yaml}\nstderr:\n{err}");
        assert!(err.contains("unknown key `zzqxbogus`"), "level `{level}`: {yaml}\nstderr:\n{err}");
        let listed: BTreeSet<String> = err
            .lines()
            .find_map(|l| l.split_once("known keys here: ").map(|(_, list)| list))
            .unwrap_or_else(|| panic!("level `{level}`: the error lists no known keys:\n{err}"))
            .split(", ")
            .map(|k| k.trim().trim_matches('`').to_string())
            .collect();
        assert_eq!(listed, expected, "level `{level}`: the parser's keys (left) and the list's (right) differ");
    }
}

/// The configuration page's key table documents exactly the accepted keys.
#[test]
fn every_config_key_is_documented_and_every_documented_key_exists() {
    let page = read("docs/src/configuration.md");
    let documented: BTreeSet<String> = prose_lines(&page)
        .into_iter()
        .filter_map(|(_, l)| first_cell(l))
        .flat_map(|cell| code_spans(cell).into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let keys = accepted_keys();
    assert!(keys.len() >= 25, "too few keys: {keys:?}");
    assert_eq!(
        documented,
        keys,
        "docs/src/configuration.md documents (left) and katalon-prep.yml accepts (right): undocumented {:?}, not accepted {:?}",
        keys.difference(&documented).collect::<Vec<_>>(),
        documented.difference(&keys).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------
// Links.

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Every page of the book and README.md, relative to the repository.
fn markdown_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(&Path::new(ROOT).join("docs/src"), "md")
        .into_iter()
        .map(|p| p.strip_prefix(ROOT).unwrap().to_path_buf())
        .collect();
    files.push(PathBuf::from("README.md"));
    files
}

#[test]
fn every_link_of_the_book_and_the_readme_resolves() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = read(file.to_str().unwrap());
        let in_book = file.starts_with("docs/src");
        for (n, line) in prose_lines(&text) {
            for link in links(&without_code(line)) {
                let target = link.target.split_whitespace().next().unwrap_or_default();
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
                let resolved =
                    if path.is_empty() { file.clone() } else { normalize(&file.parent().unwrap().join(path)) };
                let at = format!("{}:{n}: `{target}`", file.display());
                if in_book && !resolved.starts_with("docs/src") {
                    problems.push(format!("{at} leaves docs/src: the built book would not have it (link to GitHub)"));
                    continue;
                }
                if !Path::new(ROOT).join(&resolved).exists() {
                    problems.push(format!("{at}: no file {}", resolved.display()));
                    continue;
                }
                if !anchor.is_empty() && !anchors(&read(resolved.to_str().unwrap())).contains(anchor) {
                    problems.push(format!("{at}: no heading with anchor #{anchor} in {}", resolved.display()));
                }
            }
        }
    }
    assert!(checked > 50, "too few links checked: {checked}");
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

/// mdbook renders only the pages SUMMARY.md lists: a page left out would be
/// documentation nobody reaches.
#[test]
fn every_page_of_the_book_is_in_the_summary() {
    let summary = read("docs/src/SUMMARY.md");
    let listed: BTreeSet<PathBuf> = prose_lines(&summary)
        .into_iter()
        .flat_map(|(_, l)| links(l))
        .map(|l| normalize(&Path::new("docs/src").join(l.target)))
        .collect();
    let pages: BTreeSet<PathBuf> =
        markdown_files().into_iter().filter(|p| p.starts_with("docs/src") && !p.ends_with("SUMMARY.md")).collect();
    assert_eq!(listed, pages);
}

#[test]
fn anchors_are_made_as_mdbook_makes_them() {
    let ids = anchors(
        "# `katalon-prep run [-- ARGS...]`\n## The lockfile: `katalon-prep.lock`\n## Exit codes\n## Exit codes\n```\n# not a heading\n```\n",
    );
    let expected: BTreeSet<String> =
        ["katalon-prep-run----args", "the-lockfile-katalon-preplock", "exit-codes", "exit-codes-1"]
            .into_iter()
            .map(String::from)
            .collect();
    assert_eq!(ids, expected);
}

/// ARCHITECTURE.md's module map names every module of `src/` (each file and
/// folder at its top), and every `src/…` path it names exists: the map stays
/// true when a module is added, moved or removed.
#[test]
fn architecture_names_every_module_and_only_real_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named: Vec<&str> = text.split('`').skip(1).step_by(2).filter(|s| s.starts_with("src/")).collect();
    for path in &named {
        assert!(root.join(path).exists(), "ARCHITECTURE.md names `{path}`, which does not exist");
    }
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("src")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown = if entry.path().is_dir() { format!("src/{name}/") } else { format!("src/{name}") };
        if !named.contains(&shown.as_str()) {
            missing.push(shown);
        }
    }
    missing.sort();
    assert!(missing.is_empty(), "modules missing from ARCHITECTURE.md's module map: {missing:?}");
}
