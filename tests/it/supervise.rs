//! `run` around katalonc: a private Xvfb when Linux has no display, a
//! process group that signals, a time limit and a grace period end as a
//! whole, and no process of the run left behind. The fake katalonc here is a
//! shell script that can fork a child, hang, and ignore SIGTERM.
#![cfg(target_os = "linux")]

use crate::support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Fixture, SENTINEL, assert_code, stderr};

const CONFIG: &str = "run:\n  test-suite: Test Suites/Smoke/Login\n  browser: Chrome (headless)\n";

fn shop(extra_config: &str) -> Fixture {
    let p = Fixture::shop();
    p.config(&format!("{CONFIG}{extra_config}"));
    std::fs::create_dir_all(p.path("fake")).expect("fake dir");
    p
}

/// A katalonc that records its display and pids under `fake/`, forks a
/// `sleep 1000` with `FAKE_FORK`, ignores SIGTERM and SIGINT with
/// `FAKE_IGNORE_TERM`, waits for `fake/go` with `FAKE_HANG` (at most a
/// minute, then exit 99, so that a broken supervisor fails instead of
/// hanging the suite), then exits with `FAKE_CODE`.
fn fake_katalonc(p: &Fixture) -> PathBuf {
    let script = format!(
        r#"#!/bin/sh
out='{out}'
echo $$ > "$out/katalonc.pid"
printf '%s\n' "${{DISPLAY-(unset)}}" > "$out/display"
printf '%s\n' "${{XAUTHORITY-(unset)}}" > "$out/xauthority"
[ -n "$FAKE_IGNORE_TERM" ] && trap '' TERM INT
if [ -n "$FAKE_FORK" ]; then
  # Not holding katalon-prep's output pipes: a child that outlives the run
  # then fails a test at once instead of hanging it.
  sleep 1000 </dev/null >/dev/null 2>&1 &
  echo $! > "$out/child.pid"
fi
echo started > "$out/started"
if [ -n "$FAKE_HANG" ]; then
  i=0
  while [ ! -e "$out/go" ]; do
    i=$((i + 1))
    [ "$i" -gt 600 ] && exit 99
    sleep 0.1
  done
fi
exit "${{FAKE_CODE:-0}}"
"#,
        out = p.path("fake").display()
    );
    let path = p.write("bin/katalonc", script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// A running katalon-prep; stopped (SIGTERM twice) if a test fails before
/// it ends, so that a failure leaves nothing running.
struct Running(Option<Child>);

impl Running {
    fn pid(&self) -> i32 {
        i32::try_from(self.0.as_ref().expect("running").id()).expect("pid")
    }

    fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on the child we spawned and have not yet waited for.
        unsafe {
            libc::kill(self.pid(), sig);
        }
    }

    fn finish(mut self) -> Output {
        self.0.take().expect("running").wait_with_output().expect("wait for katalon-prep")
    }

    /// The Xvfb katalon-prep started: its child called Xvfb.
    fn xvfb(&self) -> i32 {
        let parent = self.pid();
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            let ppid = stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().nth(1));
            if stat.contains("(Xvfb)") && ppid == Some(&parent.to_string()) {
                return pid;
            }
        }
        panic!("katalon-prep {parent} has no Xvfb child")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            for _ in 0..2 {
                // SAFETY: kill(2) on our child, not yet waited for.
                unsafe {
                    libc::kill(child.id() as i32, libc::SIGTERM);
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            let _ = child.wait();
        }
    }
}

/// `katalon-prep run --katalonc <fake> ARGS`, with the key and `env`, spawned.
fn start(p: &Fixture, env: &[(&str, &str)], args: &[&str]) -> Running {
    let fake = fake_katalonc(p);
    let mut cmd = support::bin_std(p.root());
    cmd.env("KATALON_API_KEY", SENTINEL).args(["run", "--katalonc"]).arg(&fake).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Running(Some(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start katalon-prep")))
}

fn run(p: &Fixture, env: &[(&str, &str)], args: &[&str]) -> Output {
    start(p, env, args).finish()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pid(p: &Fixture, rel: &str) -> i32 {
    p.read(rel).trim().parse().unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Whether a process is running (a zombie is not).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// Kills a `sleep` or `sh` of the fake that a failed test leaves behind,
/// once katalon-prep is gone; never a process that merely reuses the pid.
struct Reap(i32);
impl Drop for Reap {
    fn drop(&mut self) {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.0)).unwrap_or_default();
        if running(self.0) && (stat.contains("(sleep)") || stat.contains("(katalonc)")) {
            // SAFETY: SIGKILL to the fake's own leftover, checked just above.
            unsafe {
                libc::kill(self.0, libc::SIGKILL);
            }
        }
    }
}

// ---- display ----

#[test]
fn without_display_katalonc_gets_a_private_xvfb_that_is_gone_afterwards() {
    let p = shop("");
    let child = start(&p, &[("FAKE_HANG", "1")], &[]);
    wait_for(&p.path("fake/started"));
    let display = p.read("fake/display").trim().to_string();
    let number: u32 = display.strip_prefix(':').and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{display}"));
    assert!(number >= 99, "{display}");
    let xvfb = child.xvfb();
    assert!(running(xvfb));
    let xauthority = PathBuf::from(p.read("fake/xauthority").trim());
    // Only a client with the cookie may connect.
    let cookie = cookie_in(&xauthority);
    assert_eq!(x_connect(number, Some(&cookie)), Some(1), "the cookie in XAUTHORITY is refused");
    assert_ne!(x_connect(number, None), Some(1), "a client without the cookie is let in");
    p.write("fake/go", "");
    let out = child.finish();
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("DISPLAY is not set: started "), "{err}");
    assert!(err.contains(&format!("Xvfb on {display} (1024x768x24) for katalonc")), "{err}");
    assert!(!err.contains(SENTINEL), "{err}");
    assert!(!running(xvfb), "Xvfb {xvfb} still runs");
    assert!(!Path::new(&format!("/tmp/.X11-unix/X{number}")).exists(), "Xvfb left its socket");
    assert!(!xauthority.exists(), "the cookie file outlives the run");
}

/// The cookie of the one entry katalon-prep writes.
fn cookie_in(xauthority: &Path) -> Vec<u8> {
    let bytes = std::fs::read(xauthority).expect("XAUTHORITY file");
    let mut at = 2;
    let mut fields = Vec::new();
    for _ in 0..4 {
        let len = usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
        fields.push(bytes[at + 2..at + 2 + len].to_vec());
        at += 2 + len;
    }
    assert_eq!(fields[2], b"MIT-MAGIC-COOKIE-1");
    assert_eq!(fields[3].len(), 16);
    fields.swap_remove(3)
}

/// The first byte of the X server's answer to a connection setup: 1
/// accepted, 0 refused; `None` when it closed or reset the connection
/// unanswered (Xvfb sometimes does either to a refused client).
fn x_connect(display: u32, cookie: Option<&[u8]>) -> Option<u8> {
    let mut socket = std::os::unix::net::UnixStream::connect(format!("/tmp/.X11-unix/X{display}")).expect("X socket");
    let (name, data): (&[u8], &[u8]) = match cookie {
        Some(c) => (b"MIT-MAGIC-COOKIE-1", c),
        None => (b"", b""),
    };
    let pad = |n: usize| (4 - n % 4) % 4;
    let mut req = vec![b'l', 0, 11, 0, 0, 0];
    req.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
    req.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
    req.extend_from_slice(&[0, 0]);
    req.extend_from_slice(name);
    req.extend(std::iter::repeat_n(0, pad(name.len())));
    req.extend_from_slice(data);
    req.extend(std::iter::repeat_n(0, pad(data.len())));
    socket.write_all(&req).expect("X setup");
    let mut answer = [0u8; 1];
    match socket.read(&mut answer) {
        Ok(1) => Some(answer[0]),
        _ => None,
    }
}

#[test]
fn an_existing_display_is_used_as_is() {
    let p = shop("");
    let out = run(&p, &[("DISPLAY", ":42")], &[]);
    assert_code(&out, 0);
    assert_eq!(p.read("fake/display"), ":42\n");
    assert_eq!(p.read("fake/xauthority"), "(unset)\n");
    assert!(!stderr(&out).contains("started"), "{}", stderr(&out));
}

#[test]
fn display_none_in_the_config_starts_nothing() {
    let p = shop("  display: none\n");
    let out = run(&p, &[], &[]);
    assert_code(&out, 0);
    assert_eq!(p.read("fake/display"), "(unset)\n");
}

#[test]
fn display_none_flag_starts_nothing_even_when_the_config_says_auto() {
    let p = shop("  display: auto\n");
    let out = run(&p, &[], &["--display", "none"]);
    assert_code(&out, 0);
    assert_eq!(p.read("fake/display"), "(unset)\n");
}

#[test]
fn no_xvfb_installed_exits_50_naming_the_package_before_katalonc() {
    let p = shop("");
    let empty = p.path("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = run(&p, &[("PATH", empty.to_str().unwrap())], &[]);
    assert_code(&out, 50);
    let err = stderr(&out);
    assert!(err.contains("error: katalonc needs an X display on Linux: DISPLAY is not set and Xvfb is not installed"));
    assert!(err.contains("Debian/Ubuntu: `apt-get install xvfb`"), "{err}");
    assert!(err.contains("`--display none`"), "{err}");
    assert!(!p.path("fake/started").exists(), "katalonc must not run");
}

#[test]
fn an_xvfb_that_cannot_start_exits_50_with_its_output() {
    let p = shop("");
    let bin = p.path("broken-x");
    std::fs::create_dir_all(&bin).unwrap();
    let xvfb = p.write("broken-x/Xvfb", "#!/bin/sh\necho 'no screens found' >&2\nexit 1\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&xvfb, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let out = run(&p, &[("PATH", &path)], &[]);
    assert_code(&out, 50);
    let err = stderr(&out);
    assert!(err.contains("/broken-x/Xvfb could not open display :"), "{err}");
    assert!(err.contains("  Xvfb: no screens found"), "{err}");
    assert!(!p.path("fake/started").exists(), "katalonc must not run");
}

// ---- the process group ----

/// Starts a hanging katalonc that forks a child, waits until both run,
/// sends `signals` to katalon-prep, and returns the output with the pids
/// of katalonc, of its child and of Xvfb, and how long it took after the
/// first signal.
fn stop_with(p: &Fixture, env: &[(&str, &str)], args: &[&str], signals: &[i32]) -> Stopped {
    let mut env = env.to_vec();
    env.extend([("FAKE_HANG", "1"), ("FAKE_FORK", "1")]);
    let child = start(p, &env, args);
    wait_for(&p.path("fake/started"));
    let (katalonc, forked, xvfb) = (pid(p, "fake/katalonc.pid"), pid(p, "fake/child.pid"), child.xvfb());
    // Held by the caller, so that it checks the pids before any reaping.
    let reap = [Reap(katalonc), Reap(forked)];
    assert!(running(katalonc) && running(forked) && running(xvfb));
    let t0 = Instant::now();
    for sig in signals {
        child.signal(*sig);
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = child.finish();
    (out, [katalonc, forked, xvfb], t0.elapsed(), reap)
}

/// What [`stop_with`] returns: the output, the pids of katalonc, of its
/// child and of Xvfb, how long it took after the first signal, and the
/// reapers of the fake's processes (to drop after the checks).
type Stopped = (Output, [i32; 3], Duration, [Reap; 2]);

#[test]
fn sigterm_stops_katalonc_and_what_it_forked() {
    let p = shop("");
    let (out, [katalonc, forked, xvfb], _, _reap) = stop_with(&p, &[], &[], &[libc::SIGTERM]);
    assert_code(&out, 143);
    assert!(stderr(&out).contains("katalonc exited with 143 after katalon-prep passed it SIGTERM"));
    assert!(!running(katalonc), "katalonc {katalonc} still runs");
    assert!(!running(forked), "katalonc's child {forked} still runs");
    assert!(!running(xvfb), "Xvfb {xvfb} still runs");
}

#[test]
fn sigint_stops_katalonc_and_what_it_forked() {
    let p = shop("");
    let (out, [katalonc, forked, _], _, _reap) = stop_with(&p, &[], &[], &[libc::SIGINT]);
    assert_code(&out, 130);
    assert!(!running(katalonc) && !running(forked));
}

#[test]
fn a_group_ignoring_sigterm_is_killed_after_the_grace_period() {
    let p = shop("");
    let env = [("FAKE_IGNORE_TERM", "1")];
    let (out, [katalonc, forked, xvfb], took, _reap) = stop_with(&p, &env, &["--kill-after", "2s"], &[libc::SIGTERM]);
    assert_code(&out, 137);
    let err = stderr(&out);
    assert!(
        err.contains("katalonc was still running 2s after katalon-prep passed it SIGTERM: it and every process it started were killed (exit 137)"),
        "{err}"
    );
    assert!(took >= Duration::from_secs(2), "killed before the grace period was over: {took:?}");
    assert!(!running(katalonc) && !running(forked) && !running(xvfb));
}

#[test]
fn kill_after_comes_from_the_config() {
    let p = shop("  kill-after: 1\n");
    let env = [("FAKE_IGNORE_TERM", "1")];
    let (out, [_, forked, _], _, _reap) = stop_with(&p, &env, &[], &[libc::SIGTERM]);
    assert_code(&out, 137);
    assert!(stderr(&out).contains("still running 1s after"), "{}", stderr(&out));
    assert!(!running(forked));
}

#[test]
fn a_second_signal_kills_at_once() {
    let p = shop("");
    let env = [("FAKE_IGNORE_TERM", "1")];
    let (out, [katalonc, forked, _], took, _reap) =
        stop_with(&p, &env, &["--kill-after", "10m"], &[libc::SIGINT, libc::SIGTERM]);
    assert_code(&out, 137);
    assert!(took < Duration::from_secs(60), "waited for the grace period: {took:?}");
    assert!(!running(katalonc) && !running(forked));
}

#[test]
fn what_katalonc_leaves_running_is_stopped_when_it_exits() {
    let p = shop("");
    let out = run(&p, &[("FAKE_FORK", "1"), ("FAKE_CODE", "1")], &[]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: katalonc exited but left processes running in its process group; katalon-prep stopped them"
        ),
        "{err}"
    );
    assert!(err.contains("katalonc exited with 1: some tests failed"), "{err}");
    let forked = pid(&p, "fake/child.pid");
    let _reap = Reap(forked);
    assert!(!running(forked), "katalonc's child {forked} still runs");
}

// ---- the time limit ----

#[test]
fn a_hung_katalonc_times_out_with_51() {
    let p = shop("");
    let out = run(&p, &[("FAKE_HANG", "1"), ("FAKE_FORK", "1")], &["--timeout", "1"]);
    assert_code(&out, 51);
    let err = stderr(&out);
    assert!(
        err.contains("error: katalonc timed out after 1s: katalon-prep stopped it and every process it started\n"),
        "{err}"
    );
    assert!(err.contains("/bin/katalonc (time limit 1s)\n"), "{err}");
    assert!(!err.contains(SENTINEL), "{err}");
    assert!(!running(pid(&p, "fake/child.pid")));
    assert!(!running(pid(&p, "fake/katalonc.pid")));
}

#[test]
fn a_timeout_ignored_ends_in_sigkill_after_the_grace_period() {
    let p = shop("  timeout: 1s\n  kill-after: 1\n");
    let out = run(&p, &[("FAKE_HANG", "1"), ("FAKE_FORK", "1"), ("FAKE_IGNORE_TERM", "1")], &[]);
    assert_code(&out, 51);
    let err = stderr(&out);
    assert!(
        err.contains("katalonc timed out after 1s: katalon-prep stopped it and every process it started (SIGKILL: still running 1s after SIGTERM)"),
        "{err}"
    );
    assert!(!running(pid(&p, "fake/child.pid")));
}

#[test]
fn timeout_0_lifts_the_configured_limit() {
    let p = shop("  timeout: 1\n");
    // Exits by itself after 2 s, beyond the configured limit.
    let fake_dir = p.path("fake");
    let child = start(&p, &[("FAKE_HANG", "1")], &["--timeout", "0"]);
    wait_for(&fake_dir.join("started"));
    std::thread::sleep(Duration::from_secs(2));
    p.write("fake/go", "");
    let out = child.finish();
    assert_code(&out, 0);
}

#[test]
fn a_run_within_its_time_limit_passes_its_code_through() {
    let p = shop("  timeout: 10m\n");
    for code in 0..=4 {
        let out = run(&p, &[("FAKE_CODE", &code.to_string())], &[]);
        assert_code(&out, code);
    }
}

#[test]
fn an_invalid_timeout_is_a_usage_error() {
    let p = shop("");
    let out = run(&p, &[], &["--timeout", "10x"]);
    assert_code(&out, 10);
    assert!(stderr(&out).contains("invalid duration `10x`"), "{}", stderr(&out));
    assert!(!p.path("fake/started").exists());
}

// ---- the engine ----

/// The engine's synthetic katalonc records its argv and environment in its
/// OSGi state folder (tests/it/engine.rs).
fn engine_dir(f: &Fixture) -> PathBuf {
    use crate::engine::{V, top};
    f.root().join(format!(".katalon-prep/engine/{V}-linux-x64/{}", top("Linux_64")))
}

#[test]
fn run_uses_the_provisioned_engine_before_path_and_leaves_the_cache_unchanged() {
    use crate::engine::{V, cmd, fixture, linux_engine};
    let server = katalon_prep_fakes::FakeServer::start();
    let archive = server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    f.config(&format!("{}run:\n  test-suite: Test Suites/Smoke\n", f.read("katalon-prep.yml")));
    cmd(&f).arg("lock").assert().success();
    // A katalonc on PATH that must not run: the engine comes first.
    let decoy = f.write("decoy/katalonc", "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&decoy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", f.path("decoy").display());
    let out = cmd(&f)
        .env("KATALON_API_KEY", SENTINEL)
        .env("PATH", &path)
        .env("KATALONC_EXIT", "3")
        .args(["run", "--locked"])
        .output()
        .unwrap();
    assert_code(&out, 3);
    assert!(!f.path("decoy/ran").exists(), "the katalonc on PATH ran");
    let engine = engine_dir(&f);
    let err = stderr(&out);
    assert!(err.contains(&format!("Running {}\n", engine.join("katalonc").display())), "{err}");
    assert!(err.contains("katalonc exited with 3: "), "{err}");
    let state = engine.join("configuration/org.eclipse.osgi");
    let argv = std::fs::read_to_string(state.join("argv")).expect("the engine's katalonc ran");
    assert!(argv.starts_with("-noSplash\n-runMode=console\n-projectPath="), "{argv}");
    let env = std::fs::read_to_string(state.join("env")).unwrap();
    assert!(env.lines().any(|l| l.starts_with("DISPLAY=:")), "no private display: {env}");
    // katalonc wrote into its writable copy; the cached engine is unchanged.
    let verify = cmd(&f).args(["cache", "verify"]).output().unwrap();
    assert_code(&verify, 0);
    assert!(stderr(&verify).contains("1 engine checked, 0 corrupt"), "{}", stderr(&verify));
    assert_eq!(server.count(&archive), 1, "lock downloaded the engine; run took it from the cache");
}

#[test]
fn an_explicit_katalonc_wins_over_the_engine() {
    use crate::engine::{V, cmd, fixture, linux_engine};
    let server = katalon_prep_fakes::FakeServer::start();
    server.engine_archive(V, "Linux_64", linux_engine());
    let f = fixture(&server);
    f.config(&format!("{}run:\n  test-suite: Test Suites/Smoke\n", f.read("katalon-prep.yml")));
    std::fs::create_dir_all(f.path("fake")).unwrap();
    let fake = fake_katalonc(&f);
    let out = cmd(&f)
        .env("KATALON_API_KEY", SENTINEL)
        .env("FAKE_CODE", "2")
        .args(["run", "--display", "none", "--katalonc"])
        .arg(&fake)
        .output()
        .unwrap();
    assert_code(&out, 2);
    assert!(f.path("fake/started").exists(), "--katalonc did not run");
    assert!(!engine_dir(&f).join("configuration/org.eclipse.osgi/argv").exists(), "the engine's katalonc ran");
}
