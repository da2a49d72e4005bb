//! Runs katalonc so that katalon-prep answers for every process it starts.
//!
//! Unix: katalonc leads a process group of its own, and what it forks (a
//! collection's suites, browsers, drivers) stays in that group unless it
//! leaves on purpose (`setsid`). SIGINT, SIGTERM and SIGHUP sent to
//! katalon-prep are passed to the whole group; when the group has not
//! ended `kill_after` later, or when a second such signal arrives (GitHub
//! Actions sends SIGINT, then SIGTERM 7.5 s later, then kills the step),
//! the group gets SIGKILL. A time limit stops the group the same way,
//! starting with SIGTERM. When katalonc exits, whatever it left running in
//! its group is stopped too, so nothing of the run outlives `run`.
//!
//! Windows: katalonc runs in a job object that is closed, killing every
//! process still in it, when katalonc exits or katalon-prep ends. Windows
//! has no SIGTERM for console programs: the time limit, and the end of the
//! grace period after Ctrl+C, terminate the job at once.
//!
//! Nothing here knows about Katalon: a command, a time limit, a grace period.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use tokio::time::Instant;

/// When katalon-prep steps in.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Stop the run after this long; `None`: no limit.
    pub timeout: Option<Duration>,
    /// Between the polite stop (SIGTERM, or the signal passed on) and SIGKILL.
    pub kill_after: Duration,
}

/// Why katalon-prep stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// katalon-prep received this signal and passed it on.
    Signal(&'static str),
    /// The time limit ran out.
    TimedOut,
}

/// How the run ended.
#[derive(Debug)]
pub struct Ended {
    /// katalonc's own status.
    pub status: ExitStatus,
    pub stopped: Option<Stopped>,
    /// The group had to be killed (SIGKILL; the job terminated).
    pub killed: bool,
    /// Processes of katalonc's group were still running when katalonc
    /// exited, and were stopped.
    pub leftovers: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not start {}", program.display())]
    Start {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("Could not listen for signals")]
    Signals(#[source] std::io::Error),
    #[error("Waiting for katalonc failed")]
    Wait(#[source] std::io::Error),
    #[error("Could not put katalonc in a job object")]
    Job(#[source] std::io::Error),
}

impl Error {
    /// The documented exit code: a katalonc that cannot be started is the
    /// user's to fix (10); losing track of a started one is our bug (70).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Start { .. } => Exit::Usage,
            Error::Signals(_) => Exit::Internal,
            Error::Wait(_) => Exit::Internal,
            Error::Job(_) => Exit::Internal,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Start { .. } => Some("is it an executable katalonc?".into()),
            Error::Signals(_) => None,
            Error::Wait(_) => None,
            Error::Job(_) => None,
        }
    }
}

/// Runs `cmd` (program, arguments, directory and environment set) under
/// `limits` until it and everything it started have ended.
pub async fn run(cmd: tokio::process::Command, limits: Limits) -> Result<Ended, Error> {
    imp::run(cmd, limits).await
}

/// Completes at `at`, never when `None`.
async fn at(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// What the supervisor reacts to while katalonc runs.
enum Event {
    /// A request to stop, with its name (`SIGTERM`, `Ctrl+C`).
    Signal {
        name: &'static str,
        #[cfg(unix)]
        number: i32,
    },
    Timeout,
    GraceOver,
}

#[cfg(unix)]
mod imp {
    use super::{Ended, Error, Event, Limits, Stopped, at};
    use std::path::PathBuf;
    use std::time::Duration;
    use tokio::signal::unix::{Signal, SignalKind, signal};
    use tokio::time::Instant;

    /// How long a killed group may take to disappear before we stop waiting
    /// (a zombie nobody reaps would otherwise hold us forever).
    const GONE_WITHIN: Duration = Duration::from_secs(5);
    const POLL: Duration = Duration::from_millis(25);

    /// katalonc's process group, named by its leader's pid.
    struct Group(libc::pid_t);

    impl Group {
        fn signal(&self, sig: i32) {
            tracing::debug!(pgid = self.0, sig, "signalling katalonc's process group");
            // SAFETY: kill(2) on a process group we created. Linux keeps the
            // id from being reused while any process is in the group.
            unsafe {
                libc::kill(-self.0, sig);
            }
        }

        /// Whether any process is left in the group, once katalonc itself
        /// has been waited for. Reaps the members that became our children.
        fn alive(&self) -> bool {
            // SAFETY: waitpid(2) for members of our own group only, without blocking.
            while unsafe { libc::waitpid(-self.0, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
            // SAFETY: signal 0 only checks for existence.
            let r = unsafe { libc::kill(-self.0, 0) };
            r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
        }
    }

    /// On Linux, katalon-prep adopts what katalonc's processes orphan
    /// (PR_SET_CHILD_SUBREAPER): it can then reap them itself, where PID 1
    /// of a container does not (`tail -f /dev/null`, a shell).
    #[cfg(target_os = "linux")]
    fn adopt_orphans() {
        // SAFETY: prctl(2) on our own process with plain integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) } == -1 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "could not become a subreaper");
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn adopt_orphans() {}

    /// Reaps exited orphans of the group we adopted while katalonc runs,
    /// leaving katalonc itself to tokio.
    #[cfg(target_os = "linux")]
    fn reap_adopted(group: &Group) {
        loop {
            // SAFETY: waitid(2) peeks (WNOWAIT) at an exited member of our group without blocking.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
            if unsafe { libc::waitid(libc::P_PGID, group.0 as libc::id_t, &mut info, flags) } != 0 {
                return;
            }
            // SAFETY: waitid filled `info` for a child that exited (si_pid is 0 when none has).
            let pid = unsafe { info.si_pid() };
            if pid == 0 || pid == group.0 {
                return;
            }
            // SAFETY: waitpid(2) on the adopted child just seen exited.
            unsafe {
                libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG);
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn reap_adopted(_group: &Group) {}

    /// How often adopted orphans are reaped while katalonc runs.
    const REAP_EVERY: Duration = Duration::from_secs(1);

    struct Signals {
        int: Signal,
        term: Signal,
        hup: Signal,
    }

    impl Signals {
        fn listen() -> Result<Signals, Error> {
            let listen = |kind| signal(kind).map_err(Error::Signals);
            Ok(Signals {
                int: listen(SignalKind::interrupt())?,
                term: listen(SignalKind::terminate())?,
                hup: listen(SignalKind::hangup())?,
            })
        }

        async fn next(&mut self) -> Event {
            tokio::select! {
                _ = self.int.recv() => Event::Signal { name: "SIGINT", number: libc::SIGINT },
                _ = self.term.recv() => Event::Signal { name: "SIGTERM", number: libc::SIGTERM },
                _ = self.hup.recv() => Event::Signal { name: "SIGHUP", number: libc::SIGHUP },
            }
        }
    }

    pub async fn run(mut cmd: tokio::process::Command, limits: Limits) -> Result<Ended, Error> {
        // Listen before the child exists, so that no signal falls between.
        let mut signals = Signals::listen()?;
        adopt_orphans();
        cmd.process_group(0);
        let program = PathBuf::from(cmd.as_std().get_program());
        let mut child = cmd.spawn().map_err(|source| Error::Start { program, source })?;
        let Some(group) = child.id().and_then(|p| libc::pid_t::try_from(p).ok()).map(Group) else {
            return Err(Error::Wait(std::io::Error::other("katalonc has no process id")));
        };
        let deadline = limits.timeout.map(|t| Instant::now() + t);
        let mut stopped = None;
        let mut kill_at = None;
        let mut killed = false;
        let mut reap = tokio::time::interval(REAP_EVERY);
        let status = loop {
            let event = tokio::select! {
                status = child.wait() => break status.map_err(Error::Wait)?,
                event = signals.next() => event,
                _ = reap.tick() => {
                    reap_adopted(&group);
                    continue;
                }
                () = at(deadline), if stopped.is_none() => Event::Timeout,
                () = at(kill_at), if !killed => Event::GraceOver,
            };
            match event {
                Event::Signal { name, number } if stopped.is_none() => {
                    group.signal(number);
                    stopped = Some(Stopped::Signal(name));
                    kill_at = Some(Instant::now() + limits.kill_after);
                }
                Event::Timeout => {
                    group.signal(libc::SIGTERM);
                    stopped = Some(Stopped::TimedOut);
                    kill_at = Some(Instant::now() + limits.kill_after);
                }
                // A second signal, or the grace period is over.
                Event::Signal { .. } | Event::GraceOver => {
                    if !killed {
                        group.signal(libc::SIGKILL);
                        killed = true;
                    }
                }
            }
        };
        // katalonc has exited; its group may not have.
        let leftovers = group.alive();
        if leftovers {
            tracing::debug!(pgid = group.0, "katalonc left processes in its group");
            if stopped.is_none() {
                group.signal(libc::SIGTERM);
            }
            let kill_at = kill_at.unwrap_or_else(|| Instant::now() + limits.kill_after);
            while !killed && group.alive() {
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    _ = signals.next() => killed = true,
                    () = at(Some(kill_at)) => killed = true,
                }
                if killed {
                    group.signal(libc::SIGKILL);
                }
            }
            let gone_by = Instant::now() + GONE_WITHIN;
            while group.alive() && Instant::now() < gone_by {
                tokio::time::sleep(POLL).await;
            }
        }
        Ok(Ended { status, stopped, killed, leftovers })
    }
}

#[cfg(windows)]
mod imp {
    use super::{Ended, Error, Event, Limits, Stopped, at};
    use std::path::PathBuf;
    use tokio::time::Instant;
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
        JobObjectBasicAccountingInformation, JobObjectExtendedLimitInformation, QueryInformationJobObject,
        SetInformationJobObject, TerminateJobObject,
    };

    /// A job object that kills its processes when its handle is closed.
    struct Job(HANDLE);

    // SAFETY: a job handle may be used from any thread.
    unsafe impl Send for Job {}

    impl Job {
        fn new() -> std::io::Result<Job> {
            // SAFETY: no security attributes, no name: a fresh anonymous job.
            let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if handle.is_null() {
                return Err(std::io::Error::last_os_error());
            }
            let job = Job(handle);
            // SAFETY: a zeroed JOBOBJECT_EXTENDED_LIMIT_INFORMATION is valid (plain integers).
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            // SAFETY: the pointer and size describe `info`, alive for the call.
            let ok = unsafe {
                SetInformationJobObject(
                    job.0,
                    JobObjectExtendedLimitInformation,
                    (&raw const info).cast(),
                    std::mem::size_of_val(&info) as u32,
                )
            };
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(job)
        }

        fn assign(&self, process: HANDLE) -> std::io::Result<()> {
            // SAFETY: both handles are open.
            if unsafe { AssignProcessToJobObject(self.0, process) } == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        }

        fn terminate(&self) {
            // SAFETY: an open job handle.
            unsafe {
                TerminateJobObject(self.0, 1);
            }
        }

        fn active_processes(&self) -> u32 {
            // SAFETY: a zeroed accounting record is valid (plain integers).
            let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { std::mem::zeroed() };
            // SAFETY: the pointer and size describe `info`, alive for the call.
            let ok = unsafe {
                QueryInformationJobObject(
                    self.0,
                    JobObjectBasicAccountingInformation,
                    (&raw mut info).cast(),
                    std::mem::size_of_val(&info) as u32,
                    std::ptr::null_mut(),
                )
            };
            if ok == 0 { 0 } else { info.ActiveProcesses }
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: closing our own handle once; KILL_ON_JOB_CLOSE ends what is left.
            unsafe {
                CloseHandle(self.0);
            }
        }
    }

    pub async fn run(mut cmd: tokio::process::Command, limits: Limits) -> Result<Ended, Error> {
        let job = Job::new().map_err(Error::Job)?;
        let program = PathBuf::from(cmd.as_std().get_program());
        let mut child = cmd.spawn().map_err(|source| Error::Start { program, source })?;
        // What katalonc starts from here on is in the job too.
        if let Some(handle) = child.raw_handle()
            && let Err(e) = job.assign(handle as HANDLE)
        {
            let _ = child.kill().await;
            return Err(Error::Job(e));
        }
        let deadline = limits.timeout.map(|t| Instant::now() + t);
        let mut stopped = None;
        let mut kill_at = None;
        let mut killed = false;
        let status = loop {
            let event = tokio::select! {
                status = child.wait() => break status.map_err(Error::Wait)?,
                // Without a console to listen on, the branch is off (never a stop).
                Ok(()) = tokio::signal::ctrl_c() => Event::Signal { name: "Ctrl+C" },
                () = at(deadline), if stopped.is_none() => Event::Timeout,
                () = at(kill_at), if !killed => Event::GraceOver,
            };
            match event {
                // The console has sent Ctrl+C to katalonc as well.
                Event::Signal { name } if stopped.is_none() => {
                    stopped = Some(Stopped::Signal(name));
                    kill_at = Some(Instant::now() + limits.kill_after);
                }
                Event::Timeout => {
                    stopped = Some(Stopped::TimedOut);
                    job.terminate();
                    killed = true;
                }
                Event::Signal { .. } | Event::GraceOver => {
                    if !killed {
                        job.terminate();
                        killed = true;
                    }
                }
            }
        };
        let leftovers = job.active_processes() > 0;
        drop(job);
        Ok(Ended { status, stopped, killed, leftovers })
    }
}
