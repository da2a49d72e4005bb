//! What the user sees on stderr: progress bars on a terminal, plain lines
//! in CI and pipes (`::group::` folds on GitHub Actions), the error chain,
//! and the logging set-up. Every line passes through [`secret::redact`].

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use katalon_prep::env::Env;
use katalon_prep::report::{Event, Reporter, untrusted};
use katalon_prep::{ci, human_bytes, secret};

/// How progress is shown.
enum Style {
    /// A terminal: one bar per running download.
    Bars { multi: MultiProgress, bars: Mutex<HashMap<String, ProgressBar>> },
    /// CI logs and pipes: one line per event; `github` adds `::group::` folds.
    Plain { github: bool },
}

pub struct Ui {
    quiet: bool,
    started: Instant,
    /// The working directory, for showing paths relative to it.
    cwd: std::path::PathBuf,
    style: Style,
    /// Whether a `::group::` is open (GitHub forbids nesting).
    group_open: Mutex<bool>,
}

impl Ui {
    pub fn new(quiet: bool, env: &Env) -> Ui {
        let github = env.github_actions;
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let style = if tty && !env.ci && !github && !env.dumb_terminal && !quiet {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            Style::Bars { multi, bars: Mutex::new(HashMap::new()) }
        } else {
            Style::Plain { github }
        };
        Ui {
            quiet,
            started: Instant::now(),
            cwd: std::env::current_dir().unwrap_or_default(),
            style,
            group_open: Mutex::new(false),
        }
    }

    fn line(&self, text: &str) {
        let text = secret::redact(text);
        if let Style::Bars { multi, .. } = &self.style {
            // Printed above the bars, so they are not torn.
            let _ = multi.println(text.as_ref());
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    fn bar_started(&self, name: &str, size: Option<u64>) -> bool {
        let Style::Bars { multi, bars } = &self.style else { return false };
        let bar = match size {
            Some(size) => ProgressBar::new(size).with_style(
                ProgressStyle::with_template("{spinner} {msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg:30!} {bytes} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        let bar = multi.add(bar.with_message(name.to_string()));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        if let Ok(mut map) = bars.lock()
            && let Some(old) = map.insert(name.to_string(), bar)
        {
            old.finish_and_clear();
        }
        true
    }

    fn bar_progress(&self, name: &str, bytes: u64) {
        if let Style::Bars { bars, .. } = &self.style
            && let Ok(map) = bars.lock()
            && let Some(bar) = map.get(name)
        {
            bar.set_position(bytes);
        }
    }

    fn bar_done(&self, name: &str) {
        if let Style::Bars { bars, .. } = &self.style
            && let Ok(mut map) = bars.lock()
            && let Some(bar) = map.remove(name)
        {
            bar.finish_and_clear();
        }
    }

    fn group(&self, start: Option<&str>) {
        let Style::Plain { github: true } = &self.style else { return };
        let Ok(mut open) = self.group_open.lock() else { return };
        if *open {
            self.line("::endgroup::");
            *open = false;
        }
        if let Some(title) = start {
            self.line(&format!("::group::{}", ci::github::escape_data(title)));
            *open = true;
        }
    }

    /// Paths as the user sees them: relative to the working directory.
    fn rel(&self, path: &std::path::Path) -> String {
        katalon_prep::katalonc::argv::relative(path, &self.cwd).display().to_string()
    }

    pub fn finish(&self) {
        if let Style::Bars { bars, .. } = &self.style
            && let Ok(mut map) = bars.lock()
        {
            map.drain().for_each(|(_, bar)| bar.finish_and_clear());
        }
        if !self.quiet {
            self.group(None);
        }
        tracing::debug!(elapsed_ms = self.started.elapsed().as_millis() as u64, "done");
    }
}

impl Reporter for Ui {
    fn report(&self, event: Event) {
        // -q silences everything but errors and data, warnings included.
        if self.quiet {
            return;
        }
        match event {
            Event::DownloadStarted { name, size } => {
                if self.bar_started(&name, size) {
                    return;
                }
                match size {
                    Some(size) => self.line(&format!("Downloading {} ({})", untrusted(&name), human_bytes(size))),
                    None => self.line(&format!("Downloading {}", untrusted(&name))),
                }
            }
            Event::DownloadProgress { name, bytes } => self.bar_progress(&name, bytes),
            Event::GroupStart(title) => self.group(Some(&title)),
            Event::GroupEnd => self.group(None),
            Event::Retrying { name, attempt, reason, delay } => self.line(&format!(
                "warning: {}: {reason}; retrying in {:.1} s (try {} failed)",
                untrusted(&name),
                delay.as_secs_f64(),
                attempt
            )),
            Event::Fetched { name, cached: true, .. } => self.line(&format!("Cached      {}", untrusted(&name))),
            Event::Fetched { name, cached: false, bytes } => {
                self.bar_done(&name);
                self.line(&format!("Downloaded  {} ({})", untrusted(&name), human_bytes(bytes)))
            }
            Event::Installed { file, unchanged: false } => {
                self.line(&format!("Installed   {}", untrusted(&self.rel(&file))))
            }
            Event::Installed { .. } => {}
            Event::Removed { file } => self.line(&format!("Removed     {}", untrusted(&self.rel(&file)))),
            Event::Info(text) => self.line(&text),
            Event::Warning { message, hint: None } => self.line(&format!("warning: {message}")),
            Event::Warning { message, hint: Some(hint) } => self.line(&format!("warning: {message}\nhint: {hint}")),
            Event::Findings(found) => {
                crate::commands::findings::events(&found, &self.cwd).into_iter().for_each(|e| self.report(e))
            }
        }
    }
}

/// `error: …`, then `  caused by: …` for each source, then `hint: …` last,
/// all redacted: the cause is read before what to do about it.
pub fn print_error(err: &katalon_prep::Error) {
    let mut text = format!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    if let Some(hint) = err.hint() {
        text.push_str(&format!("\nhint: {hint}"));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", secret::redact(&text));
}

/// A stderr writer that redacts secrets from every log line.
struct RedactingWriter;

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().lock().write_all(secret::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

pub fn init_logging(verbose: u8, quiet: bool, env: &Env) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "katalon_prep=debug",
        _ => "katalon_prep=trace,info",
    };
    // `RUST_LOG` wins when it parses, as `EnvFilter::try_from_env` has it.
    let filter =
        env.log_filter.as_deref().and_then(|f| EnvFilter::try_new(f).ok()).unwrap_or_else(|| EnvFilter::new(default));
    let color = !env.no_color && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Each pipeline stage's span, once it ends, with its time: `-v` shows the pipeline.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(color)
        .with_target(false)
        .with_writer(|| RedactingWriter)
        .try_init();
}
