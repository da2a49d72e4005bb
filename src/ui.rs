//! What the user sees on stderr: plain lines (CI, pipes, `NO_COLOR`), the
//! error chain, and the logging set-up. Every line passes through
//! [`secret::redact`].

use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use katalon_prep::report::{Event, Reporter};
use katalon_prep::{human_bytes, secret};

pub struct Ui {
    quiet: bool,
    started: Instant,
    lock: Mutex<()>,
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        Ui { quiet, started: Instant::now(), lock: Mutex::new(()) }
    }

    fn line(&self, text: &str) {
        let _guard = self.lock.lock();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", secret::redact(text));
    }

    pub fn finish(&self) {
        tracing::debug!(elapsed_ms = self.started.elapsed().as_millis() as u64, "done");
    }
}

impl Reporter for Ui {
    fn report(&self, event: Event) {
        if let Event::Warning(w) = &event {
            // Warnings show even with -q? No: -q silences everything but errors and data.
            if !self.quiet {
                self.line(&format!("warning: {w}"));
            }
            return;
        }
        if self.quiet {
            return;
        }
        match event {
            Event::DownloadStarted { name, size } => match size {
                Some(size) => self.line(&format!("Downloading {name} ({})", human_bytes(size))),
                None => self.line(&format!("Downloading {name}")),
            },
            Event::DownloadProgress { .. } => {}
            Event::Retrying { name, attempt, reason, delay } => self.line(&format!(
                "warning: {name}: {reason}; retrying in {:.1} s (try {} failed)",
                delay.as_secs_f64(),
                attempt
            )),
            Event::Fetched { name, cached: true, .. } => self.line(&format!("Cached      {name}")),
            Event::Fetched { name, cached: false, bytes } => {
                self.line(&format!("Downloaded  {name} ({})", human_bytes(bytes)))
            }
            Event::Installed { file, unchanged: false } => self.line(&format!("Installed   {}", rel(&file))),
            Event::Installed { .. } => {}
            Event::Removed { file } => self.line(&format!("Removed     {}", rel(&file))),
            Event::Info(text) => self.line(&text),
            Event::Warning(_) => {}
        }
    }
}

fn rel(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    katalon_prep::katalonc::argv::relative(path, &cwd).display().to_string()
}

/// `error: …` then `  caused by: …` for each source, all redacted.
pub fn print_error(err: &katalon_prep::Error) {
    let mut text = format!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
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

pub fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "katalon_prep=debug",
        _ => "katalon_prep=trace,info",
    };
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(color)
        .with_target(false)
        .with_writer(|| RedactingWriter)
        .try_init();
}
