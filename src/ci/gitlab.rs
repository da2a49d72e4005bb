//! GitLab CI: a child pipeline that runs as written. A prepare job (in the
//! katalon-prep shell image) passes the static binary on as an artifact and
//! fills the plugin cache (keyed by the lock); one job per shard then runs
//! `katalon-prep run --shard '<json>'` in the image the user names (one
//! that runs Katalon), gets the binary through `needs:`, pulls the cache,
//! and hands the merged JUnit file to `artifacts:reports:junit`. The key is
//! named, never written: each job reads it from the masked CI/CD variable
//! whose name it is given.

use serde_yaml::{Mapping, Value};

use crate::katalonc::quote::shell_word;
use crate::matrix::Shard;

/// How the jobs run.
#[derive(Debug, Clone)]
pub struct Pipeline<'a> {
    /// The shard jobs' image: it runs katalonc (katalon-prep comes from the prepare job).
    pub image: &'a str,
    /// The prepare job's image: it has katalon-prep and a shell.
    pub prep_image: &'a str,
    /// The name of the masked variable holding the key.
    pub key_var: &'a str,
    /// Global flags every job repeats (`--config FILE`, `--project PATH`).
    pub global_args: Vec<String>,
    /// katalon-prep.lock, relative to the project directory (the cache key).
    pub lock: String,
    /// The report folder katalonc writes to, relative to the project directory.
    pub report_folder: String,
    /// A line saying where the shards came from, for the header comment.
    pub source: String,
}

/// GitLab caps job names at 255 characters.
const MAX_NAME: usize = 255;
/// The prepare job.
pub const PREPARE_JOB: &str = "katalon-prep";
/// Where the prepare job leaves the binary for the shard jobs.
pub const BIN: &str = ".katalon-prep/bin/katalon-prep";
/// The plugin cache: inside the project directory, as GitLab's cache needs.
pub const CACHE_DIR: &str = ".katalon-prep-cache";
/// The merged JUnit file `katalon-prep report --junit` writes in the report folder.
pub const JUNIT_FILE: &str = "katalon-prep-junit.xml";

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn seq<I: IntoIterator<Item = Value>>(items: I) -> Value {
    Value::Sequence(items.into_iter().collect())
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert(s(k), v);
    }
    Value::Mapping(m)
}

/// The child pipeline. Shards run in waves of `max_parallel` jobs, one
/// stage per wave; as `needs:` lets a job start as soon as what it needs is
/// done, a wave's jobs also need every job of the wave before (artifacts
/// not downloaded), and run even when one of them failed, as a Katalon
/// collection goes on after a failed suite.
pub fn child_pipeline(shards: &[Shard], max_parallel: u32, p: &Pipeline) -> String {
    let wave_size = usize::try_from(max_parallel.max(1)).unwrap_or(usize::MAX);
    let waves = shards.len().div_ceil(wave_size).max(1);
    let stage = |w: usize| if waves == 1 { "katalon".to_string() } else { format!("katalon-{}", w + 1) };
    let mut doc = Mapping::new();
    let mut stages = vec![s("katalon-prepare")];
    stages.extend((0..waves).map(|w| Value::String(stage(w))));
    doc.insert(s("stages"), Value::Sequence(stages));
    doc.insert(s("variables"), map([("KATALON_PREP_CACHE_DIR", s(&format!("$CI_PROJECT_DIR/{CACHE_DIR}")))]));

    let cache = |policy: &str| {
        map([
            ("key", map([("prefix", s("katalon-prep")), ("files", seq([s(&p.lock)]))])),
            ("paths", seq([s(&format!("{CACHE_DIR}/"))])),
            ("policy", s(policy)),
        ])
    };
    let mut with_key: Vec<String> = vec!["--api-key-env".into(), p.key_var.to_string()];
    with_key.extend(p.global_args.iter().cloned());
    let with_key = with_key.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" ");
    let globals: String = p.global_args.iter().map(|a| format!(" {}", shell_word(a))).collect();

    doc.insert(
        s(PREPARE_JOB),
        map([
            ("stage", s("katalon-prepare")),
            ("image", map([("name", s(p.prep_image))])),
            ("cache", cache("pull-push")),
            (
                "script",
                seq([
                    s(&format!("mkdir -p {}", BIN.rsplit_once('/').map_or(".", |(d, _)| d))),
                    s(&format!("cp \"$(command -v katalon-prep)\" {BIN}")),
                    // Fills the cache once for every shard, and checks the
                    // project before any shard starts. The line is not kept.
                    s(&format!("katalon-prep {with_key} prepare --without-api-key >/dev/null")),
                ]),
            ),
            ("artifacts", map([("expire_in", s("1 day")), ("paths", seq([s(BIN)]))])),
        ]),
    );

    let report = p.report_folder.trim_end_matches('/');
    let junit = format!("{report}/{JUNIT_FILE}");
    let mut names: Vec<Vec<String>> = vec![Vec::new(); waves];
    for (i, shard) in shards.iter().enumerate() {
        let wave = i / wave_size;
        let mut name = format!("katalon {}/{}: {}", i + 1, shards.len(), shard.label());
        if name.chars().count() > MAX_NAME {
            name = name.chars().take(MAX_NAME - 1).collect::<String>() + "…";
        }
        let mut needs = vec![map([("job", s(PREPARE_JOB)), ("artifacts", Value::Bool(true))])];
        if wave > 0 {
            needs.extend(names[wave - 1].iter().map(|n| map([("job", s(n)), ("artifacts", Value::Bool(false))])));
        }
        let mut job = Mapping::new();
        job.insert(s("stage"), Value::String(stage(wave)));
        job.insert(s("image"), map([("name", s(p.image)), ("entrypoint", seq([s("")]))]));
        job.insert(s("needs"), Value::Sequence(needs));
        if wave > 0 {
            job.insert(s("when"), s("always"));
        }
        job.insert(s("cache"), cache("pull"));
        job.insert(s("script"), seq([s(&format!("{BIN} {with_key} run --shard {}", shell_word(&shard.to_json())))]));
        // after_script runs whatever katalonc's exit code was; the merged
        // file is what GitLab's test report reads.
        job.insert(s("after_script"), seq([s(&format!("{BIN}{globals} report --junit {}", shell_word(&junit)))]));
        job.insert(
            s("artifacts"),
            map([
                ("when", s("always")),
                ("paths", seq([s(&format!("{report}/"))])),
                ("reports", map([("junit", s(&junit))])),
            ]),
        );
        names[wave].push(name.clone());
        doc.insert(Value::String(name), Value::Mapping(job));
    }
    let body = serde_yaml::to_string(&doc).unwrap_or_default();
    format!(
        "# Generated by katalon-prep matrix: {} shard{} from {}, at most {} at once.\n# Each job reads the Katalon API key from the masked CI/CD variable {}.\n{body}",
        shards.len(),
        if shards.len() == 1 { "" } else { "s" },
        p.source,
        max_parallel,
        p.key_var
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(s: &str) -> Shard {
        Shard { suite: Some(s.into()), browser: Some("Chrome".into()), profile: None }
    }

    #[test]
    fn waves_follow_max_parallel() {
        let p = Pipeline {
            image: "img",
            prep_image: "prep",
            key_var: "KEY",
            global_args: vec![],
            lock: "katalon-prep.lock".into(),
            report_folder: "Reports".into(),
            source: "x".into(),
        };
        let y = child_pipeline(&[shard("A"), shard("B"), shard("C")], 2, &p);
        let doc: serde_yaml::Value = serde_yaml::from_str(&y).unwrap();
        assert_eq!(
            doc["stages"],
            serde_yaml::from_str::<serde_yaml::Value>("[katalon-prepare, katalon-1, katalon-2]").unwrap()
        );
        let third = &doc["katalon 3/3: C (Chrome)"];
        assert_eq!(third["stage"], Value::String("katalon-2".into()));
        assert_eq!(third["when"], Value::String("always".into()));
        // needs: would start it at once; it waits for the first wave too.
        let needs: Vec<&str> =
            third["needs"].as_sequence().unwrap().iter().map(|n| n["job"].as_str().unwrap()).collect();
        assert_eq!(needs, ["katalon-prep", "katalon 1/3: A (Chrome)", "katalon 2/3: B (Chrome)"]);
        assert_eq!(doc["katalon 1/3: A (Chrome)"]["needs"].as_sequence().unwrap().len(), 1);
    }
}
