//! The GitHub runner's channels, written by the binary only: workflow
//! commands (`::add-mask::`, annotations) on stderr — the runner reads
//! commands from both streams; stdout stays data — and the step outputs and
//! summary appended to the files the runner names (`GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY`). What is written is formed by
//! [`katalon_prep::ci::github`]; outside GitHub Actions nothing is.

use std::io::Write;
use std::path::{Path, PathBuf};

use katalon_prep::ci::github::{self, Prepared};
use katalon_prep::env::Env;
use katalon_prep::{Error, secret};

/// Prints the `::add-mask::` commands for a secret. Installed as the
/// [`secret::on_register`] hook on GitHub Actions, so every secret — the
/// key and any credential among the katalonc options — is masked as soon as
/// katalon-prep knows it, before it can appear in a log or an output.
pub fn print_mask(value: &str) {
    let mut text = github::add_mask_lines(value).join("\n");
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Prints workflow commands (annotations), one a line, redacted.
pub fn print_commands(lines: &[String]) {
    let mut err = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{}", secret::redact(line));
    }
}

/// Appends step outputs to `$GITHUB_OUTPUT`, if set.
pub fn write_outputs(env: &Env, outputs: &[(String, String)]) -> std::io::Result<Option<PathBuf>> {
    let Some(path) = &env.github_output else { return Ok(None) };
    append(path, &github::output_text(outputs))?;
    Ok(Some(path.clone()))
}

/// Appends Markdown to `$GITHUB_STEP_SUMMARY`, if set. The text must
/// already be free of secrets; it is redacted once more regardless.
pub fn write_summary(env: &Env, markdown: &str) -> std::io::Result<Option<PathBuf>> {
    let Some(path) = &env.github_step_summary else { return Ok(None) };
    append(path, &secret::redact(markdown))?;
    Ok(Some(path.clone()))
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(text.as_bytes())
}

/// Bytes this step may still add to the step summary ([`github::summary_room`]).
pub fn summary_room(env: &Env) -> usize {
    let used = env.github_step_summary.as_ref().and_then(|p| std::fs::metadata(p).ok()).map_or(0, |m| m.len());
    github::summary_room(used)
}

/// The error for a file the runner named that could not be written.
fn failed(named: &Option<PathBuf>, var: &str) -> impl FnOnce(std::io::Error) -> Error {
    let path = named.clone().unwrap_or_else(|| PathBuf::from(var));
    move |source| Error::Write { path, source }
}

/// What `prepare` publishes: the outputs, then the summary.
pub fn publish(env: &Env, p: &Prepared) -> Result<(), Error> {
    let mut outputs = github::outputs(p);
    let written = write_outputs(env, &outputs);
    // `args` holds the key: wipe every value before the memory is freed.
    for (_, value) in &mut outputs {
        zeroize::Zeroize::zeroize(value);
    }
    written.map_err(failed(&env.github_output, "GITHUB_OUTPUT"))?;
    write_summary(env, &github::summary(p)).map_err(failed(&env.github_step_summary, "GITHUB_STEP_SUMMARY"))?;
    Ok(())
}

/// What `report` and `run` publish: the annotations, the summary (already
/// within [`summary_room`]), then the outputs.
pub fn publish_results(
    env: &Env,
    markdown: &str,
    annotations: &[String],
    outputs: &[(String, String)],
) -> Result<(), Error> {
    print_commands(annotations);
    write_summary(env, markdown).map_err(failed(&env.github_step_summary, "GITHUB_STEP_SUMMARY"))?;
    write_outputs(env, outputs).map_err(failed(&env.github_output, "GITHUB_OUTPUT"))?;
    Ok(())
}
