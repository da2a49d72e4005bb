//! The environment is read in one place: `src/env.rs` (`Env::from_process`
//! and the by-name lookups for the API key's variable and action inputs).
//! Every other module is handed an `Env`, so a new `std::env::var` anywhere
//! else — a setting read behind the caller's back — fails here.

use std::path::{Path, PathBuf};

/// What reads a variable: std's functions, and tracing's filter reading
/// `RUST_LOG` by itself.
const READS: [&str; 6] =
    ["env::var(", "env::var_os(", "env::vars(", "env::vars_os(", "EnvFilter::from_env(", "EnvFilter::try_from_env("];
/// An import that would let a read go by its bare name (`var_os(...)`).
const IMPORTS: [&str; 2] = ["use std::env::{", "use std::env::var"];
/// The one file allowed to read the environment.
const THE_PLACE: &str = "env.rs";

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file:line: text` of every read or import in `text`.
fn reads_in(file: &Path, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| READS.iter().chain(&IMPORTS).any(|r| line.contains(r)))
        .map(|(i, line)| format!("{}:{}: {}", file.display(), i + 1, line.trim()))
        .collect()
}

#[test]
fn only_src_env_rs_reads_environment_variables() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "found only {} files under {}", files.len(), src.display());
    let mut found = Vec::new();
    let mut in_the_place = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let reads = reads_in(file.strip_prefix(&src).unwrap(), &text);
        if file == &src.join(THE_PLACE) {
            in_the_place = reads.len();
        } else {
            found.extend(reads);
        }
    }
    // The patterns do find reads: the one place has some.
    assert!(in_the_place > 0, "no environment read found in src/{THE_PLACE}: the patterns are stale");
    assert!(
        found.is_empty(),
        "environment read outside src/{THE_PLACE} (add a field to `katalon_prep::env::Env` and pass it down):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_patterns_catch_a_read() {
    let caught = reads_in(Path::new("x.rs"), "let a = 1;\nlet t = std::env::var(\"TERM\").ok();\n");
    assert_eq!(caught, ["x.rs:2: let t = std::env::var(\"TERM\").ok();"]);
}
