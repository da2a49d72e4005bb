//! A stand-in for katalonc.exe in the tests that run on Windows (under Wine
//! in CI), where the shell-script fake of tests/it/support.rs cannot run.
//!
//! Placed as `<fixture>/bin/<name>.exe` it behaves like that script: writes
//! its arguments, one a line, to `<fixture>/fake/argv`, prints one line to
//! stdout and one to stderr, and exits with `$FAKE_CODE` (default 0).
//! Anywhere else (no `fake/` folder beside its `bin/`) it prints its
//! arguments as a JSON array: what the cmd.exe round trip reads back.

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let Some(out) = fixture_out() else {
        println!("{}", serde_json::to_string(&args).unwrap_or_default());
        return;
    };
    let mut lines = String::new();
    for a in &args {
        lines.push_str(a);
        lines.push('\n');
    }
    std::fs::write(out.join("argv"), lines).expect("write fake/argv");
    println!("fake katalonc: stdout line");
    eprintln!("fake katalonc: stderr line");
    let _ = std::io::stdout().flush();
    let code = std::env::var("FAKE_CODE").ok().and_then(|c| c.parse().ok()).unwrap_or(0);
    std::process::exit(code);
}

/// `<dir>/fake` when this program runs as `<dir>/bin/<name>`.
fn fixture_out() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?;
    if bin.file_name()? != "bin" {
        return None;
    }
    let out = bin.parent()?.join("fake");
    out.is_dir().then_some(out)
}
