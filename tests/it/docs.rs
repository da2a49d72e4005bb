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
