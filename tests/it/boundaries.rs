//! What only the binary does, checked in the source: reading the
//! environment and writing to the terminal. The library is handed an `Env`
//! and returns values and events, so a new `std::env::var` or `eprintln!`
//! in it — a setting read or a line printed behind the caller's back —
//! fails here.

use std::path::{Path, PathBuf};

/// What reads a variable: std's functions, and tracing's filter reading
/// `RUST_LOG` by itself.
const ENV_READS: [&str; 8] = [
    "env::var(",
    "env::var_os(",
    "env::vars(",
    "env::vars_os(",
    "EnvFilter::from_env(",
    "EnvFilter::try_from_env(",
    // Imports that would let a read go by its bare name (`var_os(...)`).
    "use std::env::{",
    "use std::env::var",
];
/// The one file that reads the environment: `Env::from_process` and the
/// lookups by a name chosen at run time (the API key's variable, action inputs).
const ENV_FILE: &str = "env.rs";

/// What writes to the terminal.
const PRINTS: [&str; 7] = ["print!(", "println!(", "eprint!(", "eprintln!(", "dbg!(", "io::stdout()", "io::stderr()"];
/// The binary's files (`src/main.rs` and its modules): the only ones that print.
const BINARY: [&str; 4] = ["main.rs", "ui.rs", "workflow.rs", "commands/"];

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

/// `file:line: text` of every line of `text` holding one of `patterns`.
fn lines_with(patterns: &[&str], file: &str, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| patterns.iter().any(|p| line.contains(p)))
        .map(|(i, line)| format!("{file}:{}: {}", i + 1, line.trim()))
        .collect()
}

/// Each file under src/, by its path relative to src/ with `/`, and its text.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "found only {} files under {}", files.len(), src.display());
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().components();
            let rel = rel.map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            (rel, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

#[test]
fn only_src_env_rs_reads_environment_variables() {
    let (mut found, mut in_env_file) = (Vec::new(), 0);
    for (file, text) in sources() {
        let reads = lines_with(&ENV_READS, &file, &text);
        if file == ENV_FILE {
            in_env_file = reads.len();
        } else {
            found.extend(reads);
        }
    }
    // The patterns do find reads: the one place has some.
    assert!(in_env_file > 0, "no environment read found in src/{ENV_FILE}: the patterns are stale");
    assert!(
        found.is_empty(),
        "environment read outside src/{ENV_FILE} (add a field to `katalon_prep::env::Env` and pass it down):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_binary_prints() {
    let (mut found, mut in_binary) = (Vec::new(), 0);
    for (file, text) in sources() {
        let prints = lines_with(&PRINTS, &file, &text);
        if BINARY.iter().any(|b| file == *b || (b.ends_with('/') && file.starts_with(b))) {
            in_binary += prints.len();
        } else {
            found.extend(prints);
        }
    }
    assert!(in_binary > 0, "nothing prints in the binary's files: the patterns are stale");
    assert!(
        found.is_empty(),
        "the library writes to the terminal (return the text, or report an event, and let the binary print it):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_patterns_catch_a_read_and_a_print() {
    let text = "let a = 1;\nlet t = std::env::var(\"TERM\").ok();\neprintln!(\"{t:?}\");\n";
    assert_eq!(lines_with(&ENV_READS, "x.rs", text), ["x.rs:2: let t = std::env::var(\"TERM\").ok();"]);
    assert_eq!(lines_with(&PRINTS, "x.rs", text), ["x.rs:3: eprintln!(\"{t:?}\");"]);
}
