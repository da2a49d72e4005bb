//! `completions <shell>` and the hidden `man`: generated from the clap
//! definitions; the bash script is loaded into a real bash and asked.

use crate::support;

use predicates::prelude::*;
use support::Fixture;

fn script(f: &Fixture, shell: &str) -> String {
    let out = f.cmd().args(["completions", shell]).output().unwrap();
    assert!(out.status.success(), "{shell}\n{}", crate::support::report(&out));
    assert!(out.stderr.is_empty(), "{shell}: stderr {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What bash offers after `words` (the last one being completed).
#[cfg(unix)]
fn bash_complete(f: &Fixture, words: &[&str]) -> Vec<String> {
    let file = f.write("completion.bash", script(f, "bash"));
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let prev = words[words.len() - 2];
    let cur = words[words.len() - 1];
    let probe = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _katalon__prep katalon-prep '{cur}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let out = std::process::Command::new("bash").arg("-c").arg(probe).output().unwrap();
    crate::support::assert_success(&out);
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[cfg(unix)]
#[test]
fn bash_completes_subcommands() {
    let f = Fixture::empty();
    assert_eq!(bash_complete(&f, &["katalon-prep", "comp"]), ["completions"]);
    assert_eq!(
        bash_complete(&f, &["katalon-prep", "cache", ""]),
        [
            "-v",
            "-q",
            "-h",
            "-V",
            "--config",
            "--project",
            "--cache-dir",
            "--api-key-env",
            "--api-key-stdin",
            "--verbose",
            "--quiet",
            "--help",
            "--version",
            "dir",
            "verify",
            "key",
            "prune",
            "help"
        ]
    );
}

/// clap_complete 4.6 misnames the case of each subcommand of a binary whose
/// name has a `-`: without the fix nothing after a subcommand completes.
#[cfg(unix)]
#[test]
fn bash_completes_a_subcommands_options_and_values() {
    let f = Fixture::empty();
    assert_eq!(bash_complete(&f, &["katalon-prep", "prepare", "--format", ""]), ["shell", "json", "powershell", "cmd"]);
    assert!(bash_complete(&f, &["katalon-prep", "run", "--kat"]).contains(&"--katalonc".to_string()));
}

#[test]
fn every_shell_gets_a_script_naming_the_commands_and_flags() {
    let f = Fixture::empty();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(&f, shell);
        for word in ["katalon-prep", "prepare", "matrix", "completions", "format", "powershell", "without-api-key"] {
            assert!(text.contains(word), "{shell}: no {word}");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_listing_the_shells() {
    Fixture::empty()
        .cmd()
        .args(["completions", "tcsh"])
        .assert()
        .code(10)
        .stdout("")
        .stderr(predicate::str::contains("[possible values: bash, elvish, fish, powershell, zsh]"));
}

#[test]
fn man_prints_the_main_page() {
    let out = Fixture::empty().cmd().arg("man").output().unwrap();
    crate::support::assert_success(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH katalon-prep 1"), "{page}");
    for word in ["prepare", "completions", "matrix", "\\-\\-cache\\-dir"] {
        assert!(page.contains(word), "no {word}");
    }
}

#[test]
fn man_dir_writes_one_page_per_visible_command() {
    let f = Fixture::empty();
    f.cmd().args(["man", "--dir", "out/man"]).assert().success().stdout("");
    let mut pages: Vec<String> = std::fs::read_dir(f.path("out/man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for want in [
        "katalon-prep.1",
        "katalon-prep-prepare.1",
        "katalon-prep-run.1",
        "katalon-prep-cache-verify.1",
        "katalon-prep-completions.1",
    ] {
        assert!(pages.contains(&want.to_string()), "{want} missing from {pages:?}");
    }
    assert!(
        !pages.iter().any(|p| p.contains("github-action") || p.contains("-man.")),
        "hidden commands get no page: {pages:?}"
    );
    let prepare = f.read("out/man/katalon-prep-prepare.1");
    assert!(prepare.starts_with(".ie") && prepare.contains(".TH katalon-prep-prepare 1"), "{prepare}");
    assert!(prepare.contains("powershell") && prepare.contains("cmd"), "{prepare}");
}
