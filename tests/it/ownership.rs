//! Containers never leave root-owned files: run as root in a folder that
//! belongs to someone else (the GitHub container Action, `docker run -v
//! "$PWD":/work`), katalon-prep gives what it wrote to that folder's owner.
//! And in the GitHub container Action, a cache the runner does not mount is
//! an error, not a folder silently lost with the container.
//!
//! The hand-over tests need root (CI runs as root); elsewhere they say so
//! and check nothing.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::{Fixture, SENTINEL, keyword_jar};

const OWNER: u32 = 4321;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn every_entry(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
            out.push(e.path());
        }
    }
    out
}

fn chown_all(root: &Path, uid: u32) {
    for p in every_entry(root) {
        std::os::unix::fs::lchown(&p, Some(uid), Some(uid)).unwrap();
    }
}

fn root_owned(root: &Path) -> Vec<PathBuf> {
    every_entry(root).into_iter().filter(|p| std::fs::symlink_metadata(p).unwrap().uid() == 0).collect()
}

/// A checkout owned by OWNER, with a jar in the repo.
fn checkout() -> Fixture {
    let f = Fixture::project();
    f.write("vendor/keywords.jar", keyword_jar("com.example.Keywords"));
    f.config("plugins:\n  - path: vendor/keywords.jar\n");
    chown_all(f.root(), OWNER);
    f
}

#[test]
fn root_gives_what_it_writes_in_the_checkout_to_the_checkouts_owner() {
    if !is_root() {
        eprintln!("SKIPPED: not root, so nothing to hand over (CI runs this as root)");
        return;
    }
    let f = checkout();
    f.prepare().args(["--output", "katalonc.args"]).assert().success();
    assert!(f.path("Plugins/keywords.jar").is_file(), "the run got as far as installing");
    assert!(f.path("cache/CACHEDIR.TAG").is_file(), "and caching");
    assert_eq!(root_owned(f.root()), Vec::<PathBuf>::new(), "entries still root's");
    let jar = std::fs::metadata(f.path("Plugins/keywords.jar")).unwrap();
    assert_eq!((jar.uid(), jar.gid()), (OWNER, OWNER));
}

#[test]
fn a_cache_outside_the_checkout_chosen_explicitly_is_handed_over_too() {
    if !is_root() {
        eprintln!("SKIPPED: not root (CI runs this as root)");
        return;
    }
    let f = checkout();
    let other = tempfile::tempdir().unwrap();
    let cache = other.path().join("plugin-cache");
    f.prepare().env("KATALON_PREP_CACHE_DIR", &cache).assert().success();
    assert!(cache.join("CACHEDIR.TAG").is_file());
    assert_eq!(root_owned(&cache), Vec::<PathBuf>::new());
    assert_eq!(std::fs::metadata(other.path()).unwrap().uid(), 0, "its parent is left alone");
}

#[test]
fn katalon_prep_chown_false_keeps_roots_files() {
    if !is_root() {
        eprintln!("SKIPPED: not root (CI runs this as root)");
        return;
    }
    let f = checkout();
    f.prepare().env("KATALON_PREP_CHOWN", "false").assert().success();
    assert_eq!(std::fs::metadata(f.path("Plugins/keywords.jar")).unwrap().uid(), 0);
}

#[test]
fn a_folder_that_is_roots_own_is_left_alone() {
    if !is_root() {
        eprintln!("SKIPPED: not root (CI runs this as root)");
        return;
    }
    let f = Fixture::project();
    f.write("vendor/keywords.jar", keyword_jar("com.example.Keywords"));
    f.config("plugins:\n  - path: vendor/keywords.jar\n");
    let out = f.prepare().assert().success().get_output().stderr.clone();
    assert!(!String::from_utf8_lossy(&out).contains("Gave"), "nothing to give");
    assert_eq!(std::fs::metadata(f.path("Plugins/keywords.jar")).unwrap().uid(), 0);
}

#[test]
fn the_container_action_refuses_a_cache_the_runner_does_not_mount() {
    let f = Fixture::project();
    f.write("vendor/keywords.jar", keyword_jar("com.example.Keywords"));
    f.config("plugins:\n  - path: vendor/keywords.jar\n");
    f.cmd()
        .arg("github-action")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", "/github/workspace")
        .env("GITHUB_OUTPUT", f.path("out"))
        .env("INPUT_API-KEY", SENTINEL)
        .env("INPUT_CACHE-DIR", "/opt/katalon-cache")
        .assert()
        .code(10)
        .stderr(predicates::str::contains(
            "The action input `cache-dir` is `/opt/katalon-cache`: outside the folders the runner mounts into the container (/github/workspace, /github/home, /github/workflow, /github/file_commands), so the cache would be written inside the container and lost",
        ))
        .stderr(predicates::str::contains("hint: put it in the workspace, e.g. `cache-dir: .katalon-prep-cache`"));
    assert!(!f.path("Plugins").exists(), "nothing was installed");
    assert!(!f.path("out").exists(), "no outputs");
}

#[test]
fn outside_the_container_action_any_cache_folder_is_fine() {
    let f = Fixture::project();
    let cache = tempfile::tempdir().unwrap();
    f.write("vendor/keywords.jar", keyword_jar("com.example.Keywords"));
    f.config("plugins:\n  - path: vendor/keywords.jar\n");
    f.cmd()
        .arg("github-action")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", f.root())
        .env("GITHUB_OUTPUT", f.path("out"))
        .env("INPUT_API-KEY", SENTINEL)
        .env("INPUT_CACHE-DIR", cache.path().join("c"))
        .assert()
        .success();
    assert!(cache.path().join("c/CACHEDIR.TAG").is_file());
}
