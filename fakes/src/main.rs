//! `katalon-prep-fake`: the fake server as a process, for the benchmark.
//!
//! ```text
//! katalon-prep-fake serve --dir DIR [--latency-ms N] [--rate-bytes N] [--port P]
//!                         [--store-key KEY --store-manifest FILE.json] [--log FILE]
//! ```
//!
//! Serves every file under DIR at `/<relative path>`, streamed from disk;
//! prints the base URL as the first stdout line; runs until killed. The log,
//! if asked for, is rewritten atomically after every request, so it is
//! complete whenever the process dies (SIGTERM needs no handler).
//!
//! Owns argument parsing and wiring only; all behaviour is the library's.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use katalon_prep_fakes::{FakeServer, StorePlugin};

const USAGE: &str = "\
Usage: katalon-prep-fake serve --dir DIR [--latency-ms N] [--rate-bytes N] [--port P]
                              [--store-key KEY --store-manifest FILE.json] [--log FILE]

Serves every file under DIR at /<relative path> on 127.0.0.1, prints the base
URL as the first line on stdout, and runs until killed.

  --dir DIR               directory to serve (files are streamed from disk)
  --latency-ms N          delay added before every response
  --rate-bytes N          send every body at most N bytes per second (a slow link)
  --port P                port to bind (default: any free port)
  --store-key KEY         fake Katalon Store: the accepted apiKey header value
  --store-manifest FILE   fake Katalon Store: JSON array of plugin entries
                          ({\"id\", \"product_id\", \"name\", \"keyword\", \"version\",
                          \"download_url\", \"expired\", \"null_version\", ...});
                          a download_url starting with / points at this server
  --log FILE              request log (JSON), rewritten after every request";

struct Args {
    dir: PathBuf,
    latency: Duration,
    rate: u64,
    port: u16,
    store: Option<(String, PathBuf)>,
    log: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse(&args) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn parse(argv: &[String]) -> Result<Args, String> {
    let Some((command, rest)) = argv.split_first() else {
        return Err("missing command `serve`".into());
    };
    if command != "serve" {
        return Err(format!("unknown command `{command}`"));
    }
    let mut dir = None;
    let mut latency = Duration::ZERO;
    let mut rate = 0u64;
    let mut port = 0;
    let mut store_key = None;
    let mut store_manifest = None;
    let mut log = None;

    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value =
            || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("`{flag}` needs a value"));
        match flag {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--rate-bytes" => {
                let v = value()?;
                rate = v.parse().map_err(|_| format!("`--rate-bytes` must be a whole number, got `{v}`"))?;
            }
            "--latency-ms" => {
                let v = value()?;
                let ms = v.parse().map_err(|_| format!("`--latency-ms` must be a whole number, got `{v}`"))?;
                latency = Duration::from_millis(ms);
            }
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("`--port` must be 0-65535, got `{v}`"))?;
            }
            "--store-key" => store_key = Some(value()?),
            "--store-manifest" => store_manifest = Some(PathBuf::from(value()?)),
            "--log" => log = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let store = match (store_key, store_manifest) {
        (Some(key), Some(manifest)) => Some((key, manifest)),
        (None, None) => None,
        _ => return Err("`--store-key` and `--store-manifest` go together".into()),
    };
    Ok(Args { dir: dir.ok_or("`--dir` is required")?, latency, rate, port, store, log })
}

fn serve(args: &Args) -> Result<(), String> {
    let server =
        FakeServer::start_on_port(args.port).map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    server.latency(args.latency);
    server.throttle(args.rate);

    let mut files = Vec::new();
    collect_files(&args.dir, &mut files).map_err(|e| format!("cannot list {}: {e}", args.dir.display()))?;
    for file in files {
        let Ok(relative) = file.strip_prefix(&args.dir) else {
            continue;
        };
        let route: Vec<&str> = relative.components().filter_map(|c| c.as_os_str().to_str()).collect();
        if route.len() != relative.components().count() {
            eprintln!("warning: skipping non-UTF-8 file name {}", file.display());
            continue;
        }
        server.file_from_disk(&format!("/{}", route.join("/")), file);
    }

    if let Some((key, manifest)) = &args.store {
        let text = fs::read_to_string(manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
        let plugins: Vec<StorePlugin> = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a JSON array of plugins: {e}", manifest.display()))?;
        server.store_key(key.clone());
        server.store_products(&plugins);
    }

    if let Some(log) = &args.log {
        server.autosave_log(log.clone()).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    }

    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", server.url())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    // Serve until killed; the accept loop runs on its own thread.
    loop {
        std::thread::park();
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            collect_files(&path, out)?;
        } else if path.is_file() {
            // `is_file` follows symlinks, so linked files are served too.
            out.push(path);
        }
    }
    Ok(())
}
