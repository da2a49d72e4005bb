//! Property tests over everything that parses input: the config, project
//! XML, the properties editor, digests, jar manifests, archives, URLs and
//! the emitted line's quoting. Arbitrary and near-valid inputs; the
//! properties: no panic, errors carry a location, and edits keep every byte
//! they do not own.

mod support;

use std::path::Path;

use katalon_prep::config;
use katalon_prep::digest::Sha256;
use katalon_prep::katalonc::quote;
use katalon_prep::plugins::{archive, artifact_name};
use katalon_prep::project::{self, settings};
use proptest::prelude::*;
use support::{PRJ, keyword_jar, zip};

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

// --- the config ---------------------------------------------------------------

/// Keys as users write them: known ones, at their depth, and typos.
fn config_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "project",
            "run",
            "api-key",
            "offline",
            "plugins",
            "  test-suite",
            "  test-suite-collection",
            "  browser",
            "  profile",
            "  retry",
            "  report-folder",
            "  globals",
            "  args",
            "  config",
            "  env",
            "  - path",
            "  - url",
            "    sha256",
            "    kind",
            "    jar",
            "    baseUrl",
            "  -",
            "- ",
        ])
        .prop_map(str::to_string),
        "[ ]{0,6}[a-z][a-z0-9_.-]{0,14}",
        "[ ]{0,6}\\PC{1,10}",
    ]
}

fn config_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ -~]{0,24}",
        "[0-9a-fA-F]{64}",
        "-?[0-9]{1,12}",
        prop::sample::select(vec![
            "true",
            "null",
            "~",
            "[a, b]",
            "{x: 1}",
            "[",
            "{",
            "'",
            "\"",
            "\"unterminated",
            "&anchor x",
            "*anchor",
            "!!binary aGk=",
            "https://example.com/a.jar",
            "http://[::1",
            "ftp://x/y.jar",
            "keyword",
            "platform",
            "sha256:00",
            "Test Suites/Smoke",
            "- -apiKey=x",
            "|\n  block",
            ">-",
            "\t",
            "#",
            "- a\n- b",
            "*.jar",
            "[a-",
            "{a,b",
        ])
        .prop_map(str::to_string),
    ]
}

fn config_like() -> impl Strategy<Value = String> {
    prop::collection::vec((config_key(), config_value(), prop::bool::ANY), 0..12).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(k, v, colon)| if colon { format!("{k}: {v}\n") } else { format!("{k} {v}\n") })
            .collect()
    })
}

fn check_config(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("katalon-prep.yml");
    if let Err(e) = config::parse(text, file, Path::new("/repo")) {
        let shown = e.to_string();
        let at = e.location();
        prop_assert!(at.is_some(), "an error without a location: {shown}");
        let at = at.unwrap_or_else(|| unreachable!());
        prop_assert_eq!(&at.file, file);
        let lines = text.split('\n').count();
        prop_assert!(at.line >= 1 && at.line <= lines + 1, "line {} of {lines}: {shown}", at.line);
        prop_assert!(at.column >= 1, "column {}: {shown}", at.column);
        prop_assert!(shown.starts_with(&format!("katalon-prep.yml:{}:{}: ", at.line, at.column)), "{shown}");
        prop_assert!(!shown.contains('\0'));
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn config_parse_of_any_text_never_panics_and_errors_are_located(text in any::<String>()) {
        check_config(&text)?;
    }

    #[test]
    fn config_parse_of_config_like_text_never_panics_and_errors_are_located(text in config_like()) {
        check_config(&text)?;
    }

    #[test]
    fn yaml_position_index_takes_any_text(text in config_like()) {
        let _ = config::locate::Index::build(&text);
    }
}

// --- project XML ----------------------------------------------------------------

/// A real `.prj` with a few bytes changed, inserted or removed.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((0..base.len(), 0..3u8, any::<char>()), 1..6).prop_map(move |edits| {
        let mut chars: Vec<char> = base.chars().collect();
        for (at, op, c) in edits {
            let at = at % chars.len().max(1);
            match op {
                0 => chars[at] = c,
                1 => chars.insert(at, c),
                _ => {
                    chars.remove(at);
                }
            }
            if chars.is_empty() {
                chars.push(c);
            }
        }
        chars.into_iter().collect()
    })
}

fn check_xml(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("Demo.prj");
    let result =
        project::xml::parse(text, file).and_then(|doc| project::xml::expect_root(&doc, file, &["Project"]).map(|_| ()));
    if let Err(e) = result {
        let shown = e.to_string();
        let mut parts = shown.splitn(4, ':');
        prop_assert_eq!(parts.next(), Some("Demo.prj"), "{}", shown);
        let line: Option<usize> = parts.next().and_then(|l| l.parse().ok());
        let column: Option<usize> = parts.next().and_then(|c| c.parse().ok());
        prop_assert!(line.is_some_and(|l| l >= 1) && column.is_some_and(|c| c >= 1), "no line:column: {}", shown);
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn project_xml_of_any_text_never_panics_and_errors_are_located(text in any::<String>()) {
        check_xml(&text)?;
    }

    #[test]
    fn project_xml_near_a_real_prj_never_panics_and_errors_are_located(text in mutated(PRJ)) {
        check_xml(&text)?;
    }
}

// --- the properties editor ------------------------------------------------------------

fn properties_line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "plugin.reloadOption=ONLINE",
            "plugin.reloadOption=\"OFFLINE\"",
            "plugin.reloadOption = OFFLINE",
            "plugin.reloadOption:\"ONLINE_AND_OFFLINE\"",
            "  plugin.reloadOption\t\"OFFLINE\"  ",
            "plugin\\.reloadOption=x",
            "plugin.reloadOption=\\",
            "plugin.reloadOption=first\\",
            "#plugin.reloadOption=\"OFFLINE\"",
            "!plugin.reloadOption=x",
            "plugin.reloadOptionX=1",
            "\\u0070lugin.reloadOption=\"ONLINE\"",
            "execution.default.timeout=30",
            "report.videoRecorderOption=\"{\\\"enable\\\"\\:false}\"",
            "proxy.excludes=localhost\\,127.0.0.1",
            "long.value=first\\",
            "   second\\\\",
            "key\\ with\\ spaces=v",
            "\\",
            "\\\\",
            "",
            "   ",
            "#Fri Nov 20 09:14:03 UTC 2026",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,30}",
        "\\PC{0,12}",
    ]
}

fn properties_text() -> impl Strategy<Value = String> {
    let terminator = prop::sample::select(vec!["\n", "\r\n", "\r"]);
    (prop::collection::vec((properties_line(), terminator), 0..10), prop::bool::ANY).prop_map(|(lines, last)| {
        let mut text = String::new();
        let n = lines.len();
        for (i, (line, end)) in lines.into_iter().enumerate() {
            text.push_str(&line);
            if i + 1 < n || last {
                text.push_str(end);
            }
        }
        text
    })
}

/// `text` without the logical lines that set `plugin.reloadOption`.
fn without_target(text: &str) -> String {
    let mut out = String::new();
    let mut pos = 0;
    for line in settings::logical_lines(text) {
        if line.key.as_deref() == Some(settings::KEY) {
            out.push_str(&text[pos..line.start]);
            pos = line.end;
        }
    }
    out.push_str(&text[pos..]);
    out
}

fn check_offline(text: &str) -> Result<(), TestCaseError> {
    for line in settings::logical_lines(text) {
        prop_assert!(line.start <= line.end && line.end <= text.len());
        prop_assert!(text.is_char_boundary(line.start) && text.is_char_boundary(line.end));
    }
    let targets = settings::logical_lines(text).iter().filter(|l| l.key.as_deref() == Some(settings::KEY)).count();
    let Some(out) = settings::with_offline(text) else {
        // Unchanged only when every target line already says "OFFLINE".
        prop_assert!(targets > 0);
        return Ok(());
    };
    // The result says OFFLINE, and saying it again changes nothing.
    prop_assert_eq!(settings::with_offline(&out), None, "not idempotent: {:?}", out);
    let ours: Vec<_> =
        settings::logical_lines(&out).into_iter().filter(|l| l.key.as_deref() == Some(settings::KEY)).collect();
    prop_assert!(!ours.is_empty());
    for line in &ours {
        prop_assert_eq!(&out[line.start..line.end], settings::OFFLINE_LINE);
    }
    if targets == 0 {
        // Appended: the old text is kept whole, as a prefix.
        prop_assert!(out.starts_with(text), "the old text was changed: {:?} → {:?}", text, out);
        let tail = out[text.len()..].trim_start_matches(['\r', '\n']);
        prop_assert!(tail.starts_with(settings::OFFLINE_LINE), "{:?}", out);
    } else {
        // Replaced: every byte outside the target lines is where it was.
        prop_assert_eq!(without_target(&out), without_target(text));
        prop_assert_eq!(ours.len(), targets);
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(2048))]

    #[test]
    fn offline_edit_of_properties_like_text_keeps_every_other_byte(text in properties_text()) {
        check_offline(&text)?;
    }

    #[test]
    fn offline_edit_of_any_text_keeps_every_other_byte(text in any::<String>()) {
        check_offline(&text)?;
    }
}

// --- digests, manifests, URLs, quoting --------------------------------------------------

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn sha256_parsing_never_panics(text in any::<String>()) {
        let _ = text.parse::<Sha256>();
    }

    #[test]
    fn sha256_parses_any_case_with_or_without_prefix(bytes in any::<[u8; 32]>(), upper in any::<bool>(), prefix in any::<bool>()) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let shown = if upper { hex.to_uppercase() } else { hex.clone() };
        let shown = if prefix { format!("sha256:{shown}") } else { shown };
        let parsed: Sha256 = shown.parse().map_err(|e: &str| TestCaseError::fail(e))?;
        prop_assert_eq!(parsed.hex(), hex);
    }

    #[test]
    fn manifest_attribute_takes_any_text(text in "(\\PC{0,20}(\r\n|\n| )){0,8}", name in "[A-Za-z-]{1,20}") {
        let _ = archive::manifest_attribute(&text, &name);
    }

    #[test]
    fn artifact_names_are_plain_file_names(path in "(/[ -~]{0,12}){1,4}") {
        if let Ok(url) = reqwest::Url::parse(&format!("https://example.com{path}")) {
            let name = artifact_name(&url);
            prop_assert!(!name.is_empty());
            prop_assert!(!name.contains('/') && !name.contains('\\'), "{name}");
        }
    }

    #[test]
    fn json_line_round_trips(argv in prop::collection::vec(any::<String>(), 0..6)) {
        let back: Vec<String> = serde_json::from_str(&quote::json_array(&argv)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, argv);
    }
}

proptest! {
    // Each case runs sh: fewer of them.
    #![proptest_config(cases(64))]

    #[test]
    fn shell_line_round_trips_through_sh(argv in prop::collection::vec("[^\0]{0,12}", 1..5)) {
        prop_assert_eq!(support::shell_split(&quote::shell_line(&argv)), argv);
    }
}

// --- archives -----------------------------------------------------------------------

/// A real package with a few bytes flipped.
fn damaged_zip() -> impl Strategy<Value = Vec<u8>> {
    let base = zip(&[("lib/a.jar", &keyword_jar("A")), ("README.txt", b"hello"), ("lib/b-sources.jar", b"s")]);
    let len = base.len();
    prop::collection::vec((0..len, any::<u8>()), 1..8).prop_map(move |flips| {
        let mut bytes = base.clone();
        for (at, b) in flips {
            bytes[at] = b;
        }
        bytes
    })
}

fn check_archive(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let file = dir.path().join("artifact");
    std::fs::write(&file, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let _ = archive::inspect_jar(&file, "x.jar");
    let dest = dir.path().join("out");
    let limits = archive::Limits { max_total: 1 << 20, max_ratio: 200, max_entries: 1000 };
    if let Ok(files) = archive::extract_jars(&file, "x.zip", &dest, limits) {
        for f in &files {
            prop_assert!(!f.contains('/') && !f.contains('\\') && f != ".." && !f.is_empty(), "{f}");
            prop_assert!(dest.join(f).is_file());
        }
    }
    // Nothing is ever written outside the destination.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    prop_assert!(names == ["artifact"] || names == ["artifact", "out"], "{names:?}");
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn damaged_packages_never_panic_or_escape(bytes in damaged_zip()) {
        check_archive(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_as_an_artifact_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_archive(&bytes)?;
    }
}
