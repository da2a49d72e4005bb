//! An X display for katalonc. On Linux katalonc needs one even for headless
//! browsers; CI runners and containers seldom have one. Without `DISPLAY`,
//! `run` starts a private Xvfb for the run, as `xvfb-run -a` does: the first
//! free display number from :99 up, a fresh MIT-MAGIC-COOKIE so that only
//! katalonc's processes can connect, ready before katalonc starts (Xvfb's
//! `-displayfd`), stopped when the run ends.
//!
//! A `DISPLAY` already set is used as is; `run.display: none` and
//! `--display none` turn all of this off; other systems need nothing.
//! This module only starts and stops Xvfb; it never starts katalonc.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

/// Whether `run` may start a display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// On Linux without DISPLAY, a private Xvfb for the run
    #[default]
    Auto,
    /// Never start a display (katalonc gets the environment as it is)
    None,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "auto" => Some(Mode::Auto),
            "none" => Some(Mode::None),
            _ => None,
        }
    }
}

/// The screen katalonc's browsers get: the official Katalon image's default.
pub const SCREEN: &str = "1024x768x24";
/// The first display number tried, as `xvfb-run -a` does.
const FIRST: u32 = 99;
/// How many display numbers are tried before giving up.
const TRIES: u32 = 100;
/// How long Xvfb may take to accept connections.
const READY_WITHIN: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("katalonc needs an X display on Linux: DISPLAY is not set and Xvfb is not installed (no Xvfb on PATH)")]
    NotInstalled,
    #[error("Could not prepare a private X display")]
    Setup(#[source] std::io::Error),
    #[error("Could not start {}", program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} could not open display :{number}{}", program.display(), log_tail(log))]
    Failed { program: PathBuf, number: u32, log: String },
    #[error(
        "{} found no free display from :{FIRST} to :{}",
        program.display(), FIRST + TRIES - 1
    )]
    NoFreeDisplay { program: PathBuf },
    #[error("{} did not accept connections within {}s{}", program.display(), READY_WITHIN.as_secs(), log_tail(log))]
    NotReady { program: PathBuf, log: String },
}

impl Error {
    /// The documented exit code: every display error is exit 50.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::NotInstalled => Exit::NoDisplay,
            Error::Setup(_) => Exit::NoDisplay,
            Error::Spawn { .. } => Exit::NoDisplay,
            Error::Failed { .. } => Exit::NoDisplay,
            Error::NoFreeDisplay { .. } => Exit::NoDisplay,
            Error::NotReady { .. } => Exit::NoDisplay,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotInstalled => Some(
                "install it (Debian/Ubuntu: `apt-get install xvfb`; Fedora/RHEL: `dnf install xorg-x11-server-Xvfb`; \
                 Alpine: `apk add xvfb`), or set DISPLAY to a display you run yourself, \
                 or pass `--display none` (`run.display: none` in katalon-prep.yml) to run katalonc without one"
                    .into(),
            ),
            Error::Setup(_) => None,
            Error::Spawn { .. } => None,
            Error::Failed { .. } => None,
            Error::NoFreeDisplay { .. } => Some("stop stale X servers, or remove stale /tmp/.X<n>-lock files".into()),
            Error::NotReady { .. } => None,
        }
    }
}

/// The last lines of Xvfb's output, indented under the message.
fn log_tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(8)..];
    tail.iter().map(|l| format!("\n  Xvfb: {l}")).collect()
}

/// What the run does about a display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing: turned off, not Linux, or `DISPLAY` is set.
    AsIs,
    /// Start this Xvfb.
    Xvfb(PathBuf),
}

/// Decides, before any work is done, whether a display will be started and
/// with which Xvfb, so that a missing Xvfb fails the run early.
pub fn plan(mode: Mode, display: Option<&OsStr>, path_var: &OsStr) -> Result<Plan, Error> {
    if !cfg!(target_os = "linux") || mode == Mode::None || display.is_some_and(|d| !d.is_empty()) {
        return Ok(Plan::AsIs);
    }
    super::on_path(OsStr::new("Xvfb"), path_var).map(Plan::Xvfb).ok_or(Error::NotInstalled)
}

#[cfg(target_os = "linux")]
pub use linux::Xvfb;

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{BufRead, Read, Write};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    use super::{Error, FIRST, READY_WITHIN, SCREEN, TRIES};

    /// How long Xvfb gets to exit after SIGTERM before SIGKILL.
    const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

    /// A running private Xvfb; stopped when dropped.
    #[derive(Debug)]
    pub struct Xvfb {
        child: Option<Child>,
        number: u32,
        /// Holds the cookie file and Xvfb's log; removed when dropped.
        dir: tempfile::TempDir,
    }

    impl Xvfb {
        /// Starts `program` on the first free display from :99 up and
        /// returns once it accepts connections.
        pub fn start(program: &Path) -> Result<Xvfb, Error> {
            let dir = tempfile::Builder::new().prefix("katalon-prep-x").tempdir().map_err(Error::Setup)?;
            write_cookie(&dir.path().join("Xauthority")).map_err(Error::Setup)?;
            for number in FIRST..FIRST + TRIES {
                if in_use(number) {
                    continue;
                }
                match attempt(program, number, dir.path())? {
                    Some(child) => return Ok(Xvfb { child: Some(child), number, dir }),
                    // Another server took it between the check and the start.
                    None => continue,
                }
            }
            Err(Error::NoFreeDisplay { program: program.to_path_buf() })
        }

        /// The value for `DISPLAY`: `:99`.
        pub fn display(&self) -> String {
            format!(":{}", self.number)
        }

        /// The value for `XAUTHORITY`: the file holding the cookie.
        pub fn xauthority(&self) -> PathBuf {
            self.dir.path().join("Xauthority")
        }

        /// SIGTERM, then SIGKILL if it has not exited within a few seconds;
        /// returns once it is gone.
        pub fn stop(&mut self) {
            let Some(mut child) = self.child.take() else { return };
            let Ok(pid) = i32::try_from(child.id()) else { return };
            // SAFETY: kill(2) on our child, not yet waited for, so the pid is still ours.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let deadline = Instant::now() + STOP_WITHIN;
            while Instant::now() < deadline {
                if !matches!(child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            tracing::debug!(pid, "Xvfb ignored SIGTERM; killing it");
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    impl Drop for Xvfb {
        fn drop(&mut self) {
            self.stop();
        }
    }

    /// Whether another X server holds `number` (its lock file or socket).
    fn in_use(number: u32) -> bool {
        Path::new(&format!("/tmp/.X{number}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{number}")).exists()
    }

    /// Starts Xvfb on `:number`. `Ok(None)`: the number turned out to be taken.
    fn attempt(program: &Path, number: u32, dir: &Path) -> Result<Option<Child>, Error> {
        let setup = Error::Setup;
        let (reader, writer) = std::io::pipe().map_err(setup)?;
        // Above the standard streams, which the child's own stdio replaces.
        // SAFETY: fcntl(2) F_DUPFD_CLOEXEC on a descriptor we own returns a new one we own.
        let ready_fd = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
        if ready_fd < 0 {
            return Err(setup(std::io::Error::last_os_error()));
        }
        // SAFETY: a fresh descriptor from fcntl above, owned by nobody else.
        let ready = unsafe { OwnedFd::from_raw_fd(ready_fd) };
        drop(writer);
        let log_path = dir.join("Xvfb.log");
        let log = std::fs::File::create(&log_path).map_err(setup)?;
        let mut cmd = Command::new(program);
        cmd.arg(format!(":{number}"))
            .args(["-displayfd", &ready_fd.to_string(), "-screen", "0", SCREEN, "-nolisten", "tcp", "-auth"])
            .arg(dir.join("Xauthority"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            // Its own group: Ctrl+C in a terminal must not take the display
            // away while katalonc is still finishing its reports.
            .process_group(0);
        // SAFETY: only async-signal-safe calls (fcntl, prctl) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                // Xvfb writes its display number here once it accepts connections.
                if libc::fcntl(ready_fd, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                // Gone with katalon-prep even when it is killed outright. We
                // are called on the thread that runs the command, which lives
                // as long as the run.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|source| Error::Spawn { program: program.to_path_buf(), source })?;
        drop(cmd);
        drop(ready);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = std::io::BufReader::new(reader).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        });
        let log = |child: &mut Child| {
            let _ = child.wait();
            let mut text = String::new();
            let _ = std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut text));
            text
        };
        match rx.recv_timeout(READY_WITHIN) {
            Ok(Ok(line)) if line.trim() == number.to_string() => {
                tracing::debug!(number, pid = child.id(), "Xvfb ready");
                Ok(Some(child))
            }
            Ok(_) => {
                // It exited without opening the display: taken, or broken.
                let _ = child.kill();
                let text = log(&mut child);
                if in_use(number) || text.contains("already active") || text.contains("already running") {
                    tracing::debug!(number, "display taken; trying the next");
                    return Ok(None);
                }
                Err(Error::Failed { program: program.to_path_buf(), number, log: text })
            }
            Err(_) => {
                let _ = child.kill();
                Err(Error::NotReady { program: program.to_path_buf(), log: log(&mut child) })
            }
        }
    }

    /// An Xauthority file with one fresh MIT-MAGIC-COOKIE-1 for any display
    /// of this host (family Wild, no number): Xvfb loads it with `-auth`,
    /// katalonc's X clients find it through `XAUTHORITY`.
    fn write_cookie(path: &Path) -> std::io::Result<()> {
        let mut cookie = [0u8; 16];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut cookie)?;
        let mut entry = Vec::new();
        entry.extend_from_slice(&0xffffu16.to_be_bytes());
        for field in [&b""[..], b"", b"MIT-MAGIC-COOKIE-1", &cookie] {
            entry.extend_from_slice(&u16::try_from(field.len()).unwrap_or(0).to_be_bytes());
            entry.extend_from_slice(field);
        }
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(&entry)
    }
}

/// Where a stopped display leaves nothing: a no-op stand-in off Linux.
#[cfg(not(target_os = "linux"))]
#[derive(Debug)]
pub struct Xvfb(std::convert::Infallible);

#[cfg(not(target_os = "linux"))]
impl Xvfb {
    pub fn start(_program: &std::path::Path) -> Result<Xvfb, Error> {
        Err(Error::NotInstalled)
    }
    pub fn display(&self) -> String {
        match self.0 {}
    }
    pub fn xauthority(&self) -> PathBuf {
        match self.0 {}
    }
    pub fn stop(&mut self) {
        match self.0 {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_display_is_used_as_is() {
        assert_eq!(plan(Mode::Auto, Some(OsStr::new(":0")), OsStr::new("")).unwrap(), Plan::AsIs);
    }

    #[test]
    fn none_never_starts_one() {
        assert_eq!(plan(Mode::None, None, OsStr::new("")).unwrap(), Plan::AsIs);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn no_xvfb_names_the_package() {
        let err = plan(Mode::Auto, Some(OsStr::new("")), OsStr::new("/nonexistent")).unwrap_err();
        let hint = err.hint().unwrap_or_default();
        assert!(hint.contains("apt-get install xvfb"), "{err}: {hint}");
    }

    #[test]
    fn the_log_tail_keeps_the_last_lines() {
        let log: String = (1..=20).map(|i| format!("line {i}\n\n")).collect();
        let tail = log_tail(&log);
        assert!(tail.starts_with("\n  Xvfb: line 13"), "{tail}");
        assert!(tail.ends_with("Xvfb: line 20"), "{tail}");
    }
}
