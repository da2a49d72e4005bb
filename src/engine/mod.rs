//! The Katalon Runtime Engine (katalonc itself): which archive a config and
//! platform mean, pinned in the lock like plugins, fetched once into the
//! content-addressed cache (download, hash and extraction in one streaming
//! pass for tar.gz), and copied into a writable engine per project.
//!
//! The stages, in order: [`wanted`] (config + lock + platform → the archive
//! and its pin), [`fetch`] (into the cache, verified), then the writable
//! engine. Network only through [`crate::net`]; files only under the cache
//! and the writable engine's folder.

pub mod cache;
pub mod extract;
pub mod platform;
pub mod writable;

use std::path::{Path, PathBuf};

use reqwest::Url;

pub use cache::Engine;
pub use platform::{Packing, Platform, Unsupported};

use crate::digest::Sha256;
use crate::net::{self, Http, StreamError};
use crate::plugins::archive::Limits;
use crate::plugins::cache::Cache;
use crate::report::{Event, Reporter};

/// Overrides `engine.url` (a mirror of Katalon's downloads).
pub const DOWNLOAD_URL_ENV: &str = crate::env::DOWNLOAD_URL;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not download the engine {file}")]
    Network {
        file: String,
        #[source]
        source: net::Error,
    },
    #[error(
        "Checksum mismatch for the engine {} from {}\n  locked:     sha256 {}, {} bytes\n  downloaded: sha256 {}, {} bytes",
        .0.file, .0.url, .0.expected, .0.expected_size, .0.actual, .0.actual_size
    )]
    Checksum(Box<Mismatch>),
    #[error("The engine {file} could not be unpacked")]
    Extract {
        file: String,
        #[source]
        source: extract::Error,
    },
    #[error("The engine {file} holds no {katalonc}")]
    NoKatalonc { file: String, katalonc: &'static str, url: String },
    #[error(transparent)]
    Cache(#[from] crate::plugins::cache::Error),
    #[error(transparent)]
    Writable(#[from] writable::Error),
    #[error("No `engine:` in {}", config.display())]
    NotConfigured { config: PathBuf },
    #[error("`{value}` ({DOWNLOAD_URL_ENV}) is not an http(s) base URL")]
    BadEnvUrl { value: String },
    /// The lock does not pin the engine as `--locked` asks (exit 31).
    #[error(transparent)]
    Lock(Box<crate::lock::Error>),
    /// Katalon publishes no engine for this machine (exit 15).
    #[error(transparent)]
    Platform(#[from] platform::Unsupported),
    /// The HTTP client could not be set up (TLS roots: exit 10).
    #[error(transparent)]
    Client(#[from] net::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::lock::Error> for Error {
    fn from(e: crate::lock::Error) -> Self {
        Error::Lock(Box::new(e))
    }
}

impl Error {
    /// The documented exit code.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Network { source, .. } => source.exit(),
            Error::Checksum(_) => Exit::Integrity,
            Error::Extract { source, .. } => source.exit(),
            Error::NoKatalonc { .. } => Exit::Integrity,
            Error::Cache(e) => e.exit(),
            Error::Writable(e) => e.exit(),
            Error::NotConfigured { .. } => Exit::Usage,
            Error::BadEnvUrl { .. } => Exit::Usage,
            Error::Lock(e) => e.exit(),
            Error::Platform(e) => e.exit(),
            Error::Client(e) => e.exit(),
            Error::Internal(_) => Exit::Internal,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Network { source, .. } => source.hint(),
            Error::Checksum(m) => Some(format!(
                "the server (or a mirror) serves other bytes than when {} was written; nothing was installed. If Katalon really republished the archive, check it and run `katalon-prep lock --update`",
                m.lock.display()
            )),
            Error::Extract { .. } => None,
            Error::NoKatalonc { url, .. } => {
                Some(format!("is {url} an engine archive? A mirror must serve Katalon's files unchanged"))
            }
            Error::Cache(e) => e.hint(),
            Error::Writable(_) => None,
            Error::NotConfigured { .. } => {
                Some("add, at the top level:\n  engine:\n    version: \"10.3.1\"".to_string())
            }
            Error::BadEnvUrl { .. } => None,
            Error::Lock(e) => e.hint(),
            Error::Platform(e) => e.hint(),
            Error::Client(e) => e.hint(),
            Error::Internal(_) => None,
        }
    }
}

/// What the lock pinned and what was downloaded instead.
#[derive(Debug)]
pub struct Mismatch {
    pub file: String,
    pub url: String,
    pub lock: PathBuf,
    pub expected: Sha256,
    pub expected_size: u64,
    pub actual: Sha256,
    pub actual_size: u64,
}

/// The download base: `KATALON_DOWNLOAD_URL`, else `engine.url`, else Katalon's.
pub fn download_base(settings: &crate::config::EngineSettings, env: &crate::env::Env) -> Result<Url, Error> {
    if let Some(value) = &env.engine_download_url {
        return match Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base() => Ok(u),
            _ => Err(Error::BadEnvUrl { value: value.clone() }),
        };
    }
    Ok(match &settings.url {
        Some(u) => u.value.clone(),
        None => Url::parse(crate::config::DEFAULT_DOWNLOAD_URL).map_err(|e| Error::Internal(e.to_string()))?,
    })
}

/// `<base>/<version>/<file>`, Katalon's layout.
pub fn archive_url(base: &Url, version: &str, file: &str) -> Url {
    let mut url = base.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(version).push(file);
    }
    url
}

/// What the lock pins for one platform: the archive's name, size and sha256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    pub sha256: Sha256,
    pub size: u64,
}

/// One engine archive to bring into the cache.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub version: String,
    pub platform: Platform,
    pub file: String,
    pub url: Url,
    /// `None` on first use (the lock pins nothing yet).
    pub pin: Option<Pin>,
    /// The lock, as messages name it.
    pub lock: PathBuf,
}

/// What [`fetch`] did.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub engine: Engine,
    /// False when the engine was in the cache already (no request made).
    pub downloaded: bool,
}

/// Brings the engine into the cache, verified: from the cache when the
/// lock's sha256 is there (no request, no re-hash), else downloaded and
/// extracted into staging, checked against the pin, and moved into place.
/// Concurrent fetches of one pinned engine download it once: the others
/// wait on its lock and find it complete.
pub async fn fetch(
    cache: &Cache,
    http: &Http,
    w: &Wanted,
    limits: Limits,
    reporter: &dyn Reporter,
) -> Result<Fetched, Error> {
    let engines = cache::Engines::new(cache);
    let _lock = match w.pin {
        Some(pin) => {
            if let Some(engine) = engines.get(&pin.sha256) {
                return Ok(Fetched { engine, downloaded: false });
            }
            let lock = cache.lock(&pin.sha256)?;
            if let Some(engine) = engines.get(&pin.sha256) {
                return Ok(Fetched { engine, downloaded: false });
            }
            Some(lock)
        }
        None => None,
    };
    let staging = cache.staging()?;
    let tree = staging.dir.join(cache::TREE);
    let (manifest, got) = download(http, w, &staging.dir, &tree, limits, reporter).await?;
    if let Some(pin) = w.pin
        && (got.sha256 != pin.sha256 || got.size != pin.size)
    {
        return Err(Error::Checksum(Box::new(Mismatch {
            file: w.file.clone(),
            url: net::urls::redacted(&w.url),
            lock: w.lock.clone(),
            expected: pin.sha256,
            expected_size: pin.size,
            actual: got.sha256,
            actual_size: got.size,
        })));
    }
    let katalonc = find_katalonc(&manifest, w.platform).ok_or_else(|| Error::NoKatalonc {
        file: w.file.clone(),
        katalonc: w.platform.katalonc_name(),
        url: net::urls::redacted(&w.url),
    })?;
    // First use: only now is the address known.
    let _first_use_lock = match w.pin {
        None => {
            let lock = cache.lock(&got.sha256)?;
            if let Some(engine) = engines.get(&got.sha256) {
                return Ok(Fetched { engine, downloaded: true });
            }
            Some(lock)
        }
        Some(_) => None,
    };
    let meta = cache::Meta {
        format: cache::FORMAT,
        sha256: got.sha256,
        size: got.size,
        file: w.file.clone(),
        version: w.version.clone(),
        platform: w.platform,
        katalonc,
        manifest,
    };
    let engine = engines.commit(staging, meta)?;
    reporter.report(Event::Fetched { name: w.file.clone(), cached: false, bytes: got.size });
    Ok(Fetched { engine, downloaded: true })
}

/// Downloads and extracts into `tree`: tar.gz in one streaming pass (the
/// bytes are hashed as tar reads them); zip streamed to disk while hashed,
/// then extracted (a zip's directory is at its end).
async fn download(
    http: &Http,
    w: &Wanted,
    staging: &std::path::Path,
    tree: &std::path::Path,
    limits: Limits,
    reporter: &dyn Reporter,
) -> Result<(extract::Manifest, net::Downloaded), Error> {
    let file = w.file.clone();
    match w.platform.packing() {
        Packing::TarGz => {
            let (root, name) = (tree.to_path_buf(), file.clone());
            let result = http
                .download_streamed(&w.url, &file, reporter, move |input| {
                    // A retry starts over: nothing of a cut try may remain.
                    let _ = std::fs::remove_dir_all(&root);
                    fs_err::create_dir_all(&root).map_err(extract::Error::from)?;
                    extract::untar_gz(input, &root, &name, limits)
                })
                .await;
            match result {
                Ok(done) => Ok(done),
                Err(StreamError::Net(source)) => Err(Error::Network { file, source }),
                Err(StreamError::Consumer(source)) => Err(Error::Extract { file, source }),
            }
        }
        Packing::Zip => {
            let archive = staging.join("archive.zip");
            let out = fs_err::File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&archive)
                .map_err(crate::plugins::cache::Error::from)?;
            let got = http
                .download_as(&w.url, None, "*/*", &file, out.file(), reporter)
                .await
                .map_err(|source| Error::Network { file: file.clone(), source })?;
            drop(out);
            // Checked before extraction: a zip is read from its end, by offsets
            // an attacker chooses; only pinned bytes are opened.
            if let Some(pin) = w.pin
                && got.sha256 != pin.sha256
            {
                return Ok((extract::Manifest::new(), got));
            }
            let (root, name, zip) = (tree.to_path_buf(), file.clone(), archive.clone());
            let manifest = tokio::task::spawn_blocking(move || {
                fs_err::create_dir_all(&root).map_err(extract::Error::from)?;
                extract::unzip(&zip, &root, &name, limits)
            })
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(|source| Error::Extract { file: file.clone(), source })?;
            let _ = std::fs::remove_file(&archive);
            Ok((manifest, got))
        }
    }
}

/// katalonc's path in the manifest: the shallowest file or link of that name.
fn find_katalonc(manifest: &extract::Manifest, platform: Platform) -> Option<String> {
    let name = platform.katalonc_name();
    manifest
        .iter()
        .filter(|(path, node)| path.rsplit('/').next() == Some(name) && !matches!(node, extract::Node::Dir))
        .map(|(path, _)| path.clone())
        .min_by_key(|p| (p.matches('/').count(), p.clone()))
}

/// Downloads an archive only to hash it (`lock` for another platform):
/// nothing is stored.
pub async fn hash_only(http: &Http, w: &Wanted, reporter: &dyn Reporter) -> Result<net::Downloaded, Error> {
    let result = http
        .download_streamed(&w.url, &w.file, reporter, |input| std::io::copy(input, &mut std::io::sink()).map(|_| ()))
        .await;
    match result {
        Ok(((), got)) => Ok(got),
        Err(StreamError::Net(source)) => Err(Error::Network { file: w.file.clone(), source }),
        Err(StreamError::Consumer(e)) => Err(Error::Network {
            file: w.file.clone(),
            source: net::Error::Write { url: net::urls::redacted(&w.url), source: e },
        }),
    }
}

/// Which archive the config means on `platform`, and what the lock pins
/// for it. A lock that pins nothing for it (or another version) is exit 31
/// with `locked`; without, the archive is fetched unpinned and the returned
/// warning says so.
pub fn wanted(
    config: &crate::config::Config,
    loaded: Option<&crate::lock::Loaded>,
    platform: Platform,
    locked: bool,
    env: &crate::env::Env,
) -> Result<(Wanted, Option<String>), Error> {
    let settings = config.engine.as_ref().ok_or(Error::NotConfigured { config: config.shown_file() })?;
    let (_, lock_shown) = crate::lock::path_for(config);
    let version = settings.version.value.clone();
    let file = platform.archive_name(&version);
    let url = archive_url(&download_base(settings, env)?, &version, &file);
    let locked_engine = loaded.and_then(|l| l.lock.engine.as_ref());
    let pin = locked_engine
        .filter(|e| e.version == version)
        .and_then(|e| e.platforms.get(&platform))
        .filter(|a| a.file == file)
        .map(|a| Pin { sha256: a.sha256, size: a.size });
    let warning = match (pin, loaded, locked_engine) {
        (Some(_), _, _) => None,
        (None, None, _) if locked => return Err(crate::lock::Error::Missing { path: lock_shown }.into()),
        (None, Some(_), Some(e)) if e.version != version && locked => {
            return Err(crate::lock::Error::Drift {
                lock: lock_shown,
                config: config.shown_file(),
                items: vec![format!("`engine.version` is {version} but the lock pins engine {}", e.version)],
            }
            .into());
        }
        (None, _, _) if locked => {
            return Err(crate::lock::Error::EngineMissing { lock: lock_shown, version, platform }.into());
        }
        (None, _, _) => Some(format!(
            "{} pins no engine {version} for {platform}: installing {file} as served now, unverified; run `katalon-prep lock` and commit {}",
            lock_shown.display(),
            lock_shown.display()
        )),
    };
    Ok((Wanted { version, platform, file, url, pin, lock: lock_shown }, warning))
}

/// What [`provision`] did.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The writable engine's katalonc, absolute.
    pub katalonc: PathBuf,
    pub version: String,
    pub platform: Platform,
    pub sha256: Sha256,
    pub size: u64,
    pub downloaded: bool,
    pub writable: writable::Made,
}

/// The engine of `config` for this platform: verified into the cache, then
/// the project's writable engine made from it. `None` when the config has
/// no `engine:`.
pub async fn provision(
    ctx: &crate::context::Context<'_>,
    config: &crate::config::Config,
    lock: Option<&crate::lock::Loaded>,
    project_root: &Path,
    opts: &crate::plugins::FetchOptions,
    locked: bool,
) -> Result<Option<Provisioned>, Error> {
    if config.engine.is_none() {
        return Ok(None);
    }
    let platform = platform::host(ctx.env)?;
    let (w, warning) = wanted(config, lock, platform, locked, ctx.env)?;
    if let Some(warning) = warning {
        ctx.reporter.report(Event::warning(warning));
    }
    let cache = Cache::open(&ctx.cache_dir()?)?;
    let http = Http::new(opts.net.clone())?;
    let fetched = fetch(&cache, &http, &w, engine_limits(opts), ctx.reporter).await?;
    let (katalonc, made) = writable::ensure(project_root, &fetched.engine)?;
    let meta = &fetched.engine.meta;
    ctx.reporter.report(Event::Info(format!(
        "Engine {} {}: {} ({}){}",
        meta.version,
        meta.platform,
        if fetched.downloaded { "downloaded" } else { "cached" },
        crate::report::human_bytes(meta.size),
        if made.made {
            format!(
                "; writable engine made in {:.2} s ({} files linked, {} copied, {})",
                made.seconds,
                made.linked,
                made.copied,
                crate::report::human_bytes(made.copied_bytes)
            )
        } else {
            String::new()
        }
    )));
    Ok(Some(Provisioned {
        katalonc,
        version: meta.version.clone(),
        platform: meta.platform,
        sha256: meta.sha256,
        size: meta.size,
        downloaded: fetched.downloaded,
        writable: made,
    }))
}

/// The caps for an engine archive: engines are large (a JRE, Eclipse), so
/// the total is four times the download cap; the ratio and entry caps are
/// the plugins'.
pub fn engine_limits(opts: &crate::plugins::FetchOptions) -> Limits {
    Limits { max_total: opts.net.max_size.saturating_mul(4), ..opts.limits }
}
