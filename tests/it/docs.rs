//! README.md documents every exit code exactly as `src/exit.rs` defines it.

use katalon_prep::Exit;

#[test]
fn readme_exit_code_table_matches_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## Exit codes").nth(1).expect("an Exit codes section");
    let documented: Vec<u8> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| ")?.split(' ').next()?.parse::<u8>().ok())
        .collect();
    let defined: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(documented, defined);
}

/// README's lint rule table lists exactly the rules of `lint::RULES`, and
/// every rule id the source reports is one of them.
#[test]
fn readme_rule_table_matches_the_rules() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("\n## Lint rules").nth(1).expect("a Lint rules section");
    // `rule | ... | allow` rows: the id, and whether it can be allowed.
    let mut documented: Vec<(String, bool)> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| {
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

    let mut used = std::collections::BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
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
    }
    let unknown: Vec<&String> = used.iter().filter(|id| !defined.contains(id)).collect();
    assert!(unknown.is_empty(), "rule ids reported but not in lint::RULES: {unknown:?}");
    assert!(used.len() >= 25, "the scan found too few rule ids: {used:?}");
}
