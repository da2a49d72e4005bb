//! Plugins: [`resolve`] turns each configured entry (and its lock entries)
//! into [`Artifact`]s, the [`Fetcher`] brings each one into the cache
//! (verified once, on entry), [`select`] chooses its jars, and [`install`]
//! places them.
//!
//! Sources: `path` (a file in the repository), `url` (a download pinned by
//! sha256), [`store`] (the Katalon Store account) and [`github`] (a release
//! asset). Network access goes through [`crate::net`] only.

pub mod archive;
pub mod cache;
pub mod github;
pub mod install;
pub mod resolve;
pub mod store;

use std::path::{Path, PathBuf};

use futures_util::{StreamExt, TryStreamExt};

use crate::config::Kind;
use crate::digest::{HashingWriter, Sha256};
use crate::location::{Location, suffix};
use crate::net::{self, Http};
use crate::report::{Event, Reporter};
use cache::{Cache, Entry, JarMeta, Meta};
pub use resolve::{Artifact, Auth, FetchFrom, Origin, Remote};

/// How plugins are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub jobs: usize,
    pub net: net::Settings,
    pub limits: archive::Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Plugin {plugin}: could not download it")]
    Network {
        plugin: String,
        #[source]
        source: net::Error,
    },
    #[error("Plugin {plugin}: could not save the download into the cache")]
    Save {
        plugin: String,
        #[source]
        source: net::Error,
    },
    #[error("Plugin {plugin}: sha256 mismatch{}\n  expected: {}\n  computed: {}", suffix(&mismatch.at), mismatch.expected, mismatch.actual)]
    Checksum { plugin: String, mismatch: Box<Mismatch> },
    #[error("Plugin {plugin}: the artifact is not acceptable")]
    Archive {
        plugin: String,
        #[source]
        source: archive::Error,
    },
    #[error(transparent)]
    Store(Box<store::Error>),
    #[error(transparent)]
    Github(Box<github::Error>),
    #[error(transparent)]
    Lock(Box<crate::lock::Error>),
    #[error(transparent)]
    Config(Box<crate::config::Error>),
    #[error("Store plugins must be downloaded, but no Katalon API key was found")]
    NeedKey,
    #[error("Plugin {plugin}: the cache entry {sha256} disappeared while katalon-prep was running")]
    CacheVanished { plugin: String, sha256: Sha256 },
    #[error(transparent)]
    Cache(#[from] cache::Error),
    #[error(transparent)]
    Install(#[from] install::Error),
    #[error("Plugin file {} does not exist{}", path.display(), suffix(at))]
    PathMissing { path: PathBuf, at: Option<Location> },
    #[error("Plugin file {} {what}{}", path.display(), suffix(at))]
    PathNotFile { path: PathBuf, what: &'static str, at: Option<Location> },
    #[error("Could not read plugin file {}", path.display())]
    PathRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("Plugin {plugin}{}: {message}", suffix(at))]
    Choice { plugin: String, message: String, at: Option<Location> },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The documented exit code; a wrapped error keeps its own.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Network { source, .. } => source.exit(),
            Error::Save { .. } => Exit::Filesystem,
            Error::Checksum { .. } => Exit::Integrity,
            Error::Archive { source, .. } => source.exit(),
            Error::Store(e) => e.exit(),
            Error::Github(e) => e.exit(),
            Error::Lock(e) => e.exit(),
            Error::Config(e) => e.exit(),
            Error::NeedKey => Exit::ApiKey,
            Error::CacheVanished { .. } => Exit::Filesystem,
            Error::Cache(e) => e.exit(),
            Error::Install(e) => e.exit(),
            Error::PathMissing { .. } => Exit::Usage,
            Error::PathNotFile { .. } => Exit::Usage,
            Error::PathRead { .. } => Exit::Filesystem,
            Error::Choice { .. } => Exit::Usage,
            Error::Internal(_) => Exit::Internal,
        }
    }

    /// What the user can do about it, printed after the cause chain; a
    /// wrapped error keeps its own.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Network { source, .. } => source.hint(),
            Error::Save { source, .. } => source.hint(),
            Error::Checksum { .. } => {
                Some("nothing was installed; if the new file is trusted, update `sha256` in katalon-prep.yml".into())
            }
            // The message says what is wrong with a package.
            Error::Archive { .. } => None,
            Error::Store(e) => e.hint(),
            Error::Github(e) => e.hint(),
            Error::Lock(e) => e.hint(),
            Error::Config(e) => e.hint(),
            Error::NeedKey => Some(
                "set KATALON_API_KEY (or the variable named by --api-key-env); it is sent only to the Store".into(),
            ),
            Error::CacheVanished { .. } => Some("run the command again".into()),
            Error::Cache(e) => e.hint(),
            Error::Install(e) => e.hint(),
            Error::PathMissing { .. } => None,
            Error::PathNotFile { .. } => Some("`path:` names a jar or a zip package in the repository".into()),
            Error::PathRead { .. } => None,
            Error::Choice { .. } => None,
            Error::Internal(_) => None,
        }
    }
}

// Boxed: these carry locations and lists, and every `Result` pays for the largest variant.
impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        Error::Store(Box::new(e))
    }
}

impl From<github::Error> for Error {
    fn from(e: github::Error) -> Self {
        Error::Github(Box::new(e))
    }
}

impl From<crate::lock::Error> for Error {
    fn from(e: crate::lock::Error) -> Self {
        Error::Lock(Box::new(e))
    }
}

impl From<crate::config::Error> for Error {
    fn from(e: crate::config::Error) -> Self {
        Error::Config(Box::new(e))
    }
}

/// What was expected and what arrived.
#[derive(Debug)]
pub struct Mismatch {
    pub expected: Sha256,
    pub actual: Sha256,
    pub at: Option<Location>,
}

impl Error {
    fn checksum(plugin: String, expected: Sha256, actual: Sha256, at: Option<Location>) -> Error {
        Error::Checksum { plugin, mismatch: Box::new(Mismatch { expected, actual, at }) }
    }
}

/// An artifact present in the cache, and whether it had to be downloaded.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub name: String,
    pub entry: Entry,
    pub downloaded: bool,
}

/// What the fetch stage needs.
pub struct Fetcher<'a> {
    pub cache: &'a Cache,
    /// The network side, set up on first use: a warm run builds no client.
    pub remote: &'a Remote<'a>,
    pub limits: archive::Limits,
    pub jobs: usize,
    pub reporter: &'a dyn Reporter,
}

impl Fetcher<'_> {
    /// Fetches every artifact, `jobs` downloads at a time; the result is in
    /// order.
    ///
    /// A download slot is held only while bytes arrive: checking and
    /// committing a finished download (zip check, fsync, rename) overlaps the
    /// next download instead of holding its slot, and a slow plugin never
    /// blocks the ones after it.
    pub async fn fetch_all(&self, artifacts: &[Artifact]) -> Result<Vec<Fetched>, Error> {
        let jobs = self.jobs.max(1);
        let slots = tokio::sync::Semaphore::new(jobs);
        let mut done: Vec<(usize, Fetched)> = futures_util::stream::iter(artifacts.iter().enumerate())
            .map(|(i, a)| {
                let slots = &slots;
                async move { self.fetch(a, slots).await.map(|f| (i, f)) }
            })
            .buffer_unordered(jobs.saturating_mul(2))
            .try_collect()
            .await?;
        done.sort_by_key(|(i, _)| *i);
        Ok(done.into_iter().map(|(_, f)| f).collect())
    }

    async fn fetch(&self, a: &Artifact, slots: &tokio::sync::Semaphore) -> Result<Fetched, Error> {
        let name = a.name.clone();
        let fetched = match &a.from {
            FetchFrom::Path(path) => self.fetch_path(a, path, &name).await?,
            FetchFrom::Cache => {
                let sha256 = a.sha256.ok_or_else(|| Error::Internal(format!("{name}: cached without a sha256")))?;
                let entry = self.cache.get(&sha256).ok_or(Error::CacheVanished { plugin: name.clone(), sha256 })?;
                Fetched { name: name.clone(), entry, downloaded: false }
            }
            FetchFrom::Url { url, auth, accept } => {
                if let Some(entry) = a.sha256.and_then(|s| self.cache.get(&s)) {
                    Fetched { name: name.clone(), entry, downloaded: false }
                } else {
                    let http =
                        self.remote.http().await.map_err(|source| Error::Network { plugin: name.clone(), source })?;
                    let header = self.remote.header(*auth);
                    let download = Download {
                        url,
                        header,
                        accept: accept.unwrap_or("*/*"),
                        expected: a.sha256,
                        at: a.at.clone(),
                        package: matches!(a.origin, Origin::Store(..)),
                        name: file_name_of(&a.origin),
                        slots: Some(slots),
                    };
                    self.download(http, &name, download).await?
                }
            }
        };
        let bytes = fetched.entry.meta.size;
        self.reporter.report(Event::Fetched { name: fetched.name.clone(), cached: !fetched.downloaded, bytes });
        Ok(fetched)
    }

    async fn fetch_path(&self, a: &Artifact, path: &Path, name: &str) -> Result<Fetched, Error> {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(meta) => {
                let what = if meta.is_dir() {
                    "is a folder, not a file"
                } else {
                    "is not a regular file (a FIFO, a socket or a device)"
                };
                return Err(Error::PathNotFile { path: path.to_path_buf(), what, at: a.at.clone() });
            }
            Err(_) => return Err(Error::PathMissing { path: path.to_path_buf(), at: a.at.clone() }),
        }
        let path = path.to_path_buf();
        let cache = self.cache.clone();
        let limits = self.limits;
        let (name, at, expected) = (name.to_string(), a.at.clone(), a.sha256);
        blocking(move || {
            let read_err = |source| Error::PathRead { path: path.clone(), source };
            let actual = Sha256::of_file(&path).map_err(read_err)?;
            if let Some(expected) = expected
                && expected != actual
            {
                return Err(Error::checksum(name, expected, actual, at));
            }
            if let Some(entry) = cache.get(&actual) {
                return Ok(Fetched { name, entry, downloaded: false });
            }
            let _lock = cache.lock(&actual)?;
            if let Some(entry) = cache.get(&actual) {
                return Ok(Fetched { name, entry, downloaded: false });
            }
            let staging = cache.staging()?;
            let artifact = staging.dir.join("artifact");
            let mut out = fs_err::File::create(&artifact).map_err(cache::Error::from)?;
            let mut src = std::fs::File::open(&path).map_err(read_err)?;
            let mut w = HashingWriter::new(&mut out);
            std::io::copy(&mut src, &mut w).map_err(read_err)?;
            let (copied, size, _) = w.finish();
            if copied != actual {
                return Err(Error::checksum(name, actual, copied, at));
            }
            let file_name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "plugin.jar".into());
            let meta = build_entry(&staging.dir, &artifact, &file_name, &name, actual, size, limits)?;
            Ok(Fetched { name, entry: cache.commit(staging, meta)?, downloaded: false })
        })
        .await
    }

    /// Downloads into a staging folder, verifies the sha256 (when one is
    /// expected) and commits under the entry's lock. Without an expected
    /// hash (a Store or GitHub artifact not pinned yet, or trust on first use
    /// in `lock`) the entry is addressed by what arrived.
    pub(crate) async fn download(&self, http: &Http, name: &str, d: Download<'_>) -> Result<Fetched, Error> {
        let cache = self.cache.clone();
        let lock = match d.expected {
            Some(expected) => {
                let lock = blocking({
                    let cache = cache.clone();
                    move || Ok(cache.lock(&expected)?)
                })
                .await?;
                if let Some(entry) = cache.get(&expected) {
                    drop(lock);
                    return Ok(Fetched { name: name.to_string(), entry, downloaded: false });
                }
                Some(lock)
            }
            None => None,
        };
        let staging = cache.staging()?;
        let artifact = staging.dir.join("artifact");
        let file = fs_err::File::create(&artifact).map_err(cache::Error::from)?;
        let slot = match d.slots {
            Some(slots) => Some(slots.acquire().await.map_err(|e| Error::Internal(e.to_string()))?),
            None => None,
        };
        let got = http
            .download_as(d.url, d.header.as_ref(), d.accept, name, file.file(), self.reporter)
            .await
            .map_err(|source| {
                // A full or failing disk is not the network's fault.
                if source.is_local() {
                    Error::Save { plugin: name.to_string(), source }
                } else {
                    Error::Network { plugin: name.to_string(), source }
                }
            })?;
        drop(slot);
        let (actual, size) = (got.sha256, got.size);
        drop(file);
        if let Some(expected) = d.expected
            && actual != expected
        {
            return Err(Error::checksum(name.to_string(), expected, actual, d.at));
        }
        // Named after what the config or the source says (a `url` plugin's
        // link, a GitHub asset's name), never after a redirect target: names
        // must not drift with CDN or presigned URLs. A Store download is a
        // package; its jars are named by their entries.
        let mut file_name = match &d.name {
            Some(name) => name.clone(),
            None => artifact_name(&got.final_url),
        };
        if d.package && !file_name.to_ascii_lowercase().ends_with(".zip") {
            file_name.push_str(".zip");
        }
        let limits = self.limits;
        let plugin = name.to_string();
        let entry = blocking(move || {
            let lock = match lock {
                Some(lock) => lock,
                None => cache.lock(&actual)?,
            };
            // Another run may have brought the same bytes in meanwhile.
            if let Some(entry) = cache.get(&actual) {
                drop(lock);
                return Ok(entry);
            }
            let meta = build_entry(&staging.dir, &artifact, &file_name, &plugin, actual, size, limits)?;
            let entry = cache.commit(staging, meta)?;
            drop(lock);
            Ok(entry)
        })
        .await?;
        Ok(Fetched { name: name.to_string(), entry, downloaded: true })
    }
}

/// One download request.
pub(crate) struct Download<'a> {
    pub url: &'a reqwest::Url,
    pub header: Option<net::OriginHeader<'a>>,
    pub accept: &'a str,
    pub expected: Option<Sha256>,
    pub at: Option<Location>,
    /// A zip package whatever its name (Store downloads, katalon.md §2).
    pub package: bool,
    /// The file name to store the artifact under; `None`: the last segment
    /// of the URL the bytes finally came from.
    pub name: Option<String>,
    /// The download slots of [`Fetcher::fetch_all`]; one is held while bytes arrive.
    pub slots: Option<&'a tokio::sync::Semaphore>,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(e.to_string()))?
}

/// The file name of a download, from the config or the source's metadata:
/// a `url` plugin's configured link, a GitHub asset's download URL (which
/// ends in `asset.name`). The lock's URLs are without query.
fn file_name_of(origin: &Origin) -> Option<String> {
    match origin {
        Origin::Url(url) | Origin::Github(_, url) => Some(artifact_name(url)),
        Origin::Store(..) | Origin::Path(_) => None,
    }
}

/// The file name a URL's artifact is stored under.
pub fn artifact_name(url: &reqwest::Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .unwrap_or_else(|| "plugin.jar".into())
}

fn percent_decode(s: &str) -> String {
    // Keep file names plain: no separators, no control characters.
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .chars()
        .map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c })
        .collect()
}

/// Turns a staged artifact into an entry: a `.zip` is a package whose jars
/// are extracted; anything else must be a jar.
fn build_entry(
    dir: &Path,
    artifact: &Path,
    file_name: &str,
    plugin: &str,
    sha256: Sha256,
    size: u64,
    limits: archive::Limits,
) -> Result<Meta, Error> {
    let archive_err = |source| Error::Archive { plugin: plugin.to_string(), source };
    let jars_dir = dir.join("jars");
    let package = file_name.to_ascii_lowercase().ends_with(".zip");
    // (file, sha256, size) of each jar: a package's are hashed while extracted;
    // a lone jar is the artifact, already hashed while downloaded.
    let files: Vec<(String, Sha256, u64)> = if package {
        let files = archive::extract_jars(artifact, file_name, &jars_dir, limits).map_err(archive_err)?;
        let _ = std::fs::remove_file(artifact);
        files.into_iter().map(|e| (e.file, e.sha256, e.size)).collect()
    } else {
        let jar_name = if file_name.to_ascii_lowercase().ends_with(".jar") {
            file_name.to_string()
        } else {
            format!("{file_name}.jar")
        };
        fs_err::create_dir_all(&jars_dir).map_err(cache::Error::from)?;
        let target = jars_dir.join(&jar_name);
        fs_err::rename(artifact, &target).map_err(cache::Error::from)?;
        vec![(jar_name, sha256, size)]
    };
    let mut jars = Vec::new();
    for (file, jar_sha, jar_size) in files {
        let path = jars_dir.join(&file);
        let info = archive::inspect_jar(&path, &file).map_err(archive_err)?;
        jars.push(JarMeta {
            file,
            sha256: jar_sha,
            size: jar_size,
            kind: info.kind,
            symbolic_name: info.symbolic_name,
        });
    }
    Ok(Meta { format: 1, sha256, size, artifact: file_name.to_string(), package, jars })
}

/// Chooses the jars of a fetched artifact to install, and their kinds.
pub fn select(
    spec_jar: Option<&str>,
    spec_kind: Option<Kind>,
    at: &Option<Location>,
    fetched: &Fetched,
) -> Result<Vec<install::Item>, Error> {
    let meta = &fetched.entry.meta;
    let choice = |message: String| Error::Choice { plugin: fetched.name.clone(), message, at: at.clone() };
    let candidates: Vec<&JarMeta> = match spec_jar {
        Some(glob) => {
            let matcher =
                globset::Glob::new(glob).map_err(|e| choice(format!("bad `jar` glob: {e}")))?.compile_matcher();
            let picked: Vec<&JarMeta> = meta.jars.iter().filter(|j| matcher.is_match(&j.file)).collect();
            if picked.len() != 1 {
                return Err(choice(format!(
                    "`jar: {glob}` matches {} of its jars ({}); it must match exactly one",
                    picked.len(),
                    meta.jars.iter().map(|j| j.file.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
            picked
        }
        None if meta.jars.len() > 1 => {
            return Err(choice(format!(
                "the package holds several jars ({}); choose one with `jar: <glob>`",
                meta.jars.iter().map(|j| j.file.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        None => meta.jars.iter().collect(),
    };
    candidates
        .into_iter()
        .map(|jar| {
            let kind = spec_kind.or(jar.kind).ok_or_else(|| {
                choice(format!(
                    "cannot tell whether {} is a keyword or a platform plugin (no {} and no Bundle-SymbolicName); add `kind: keyword` or `kind: platform`",
                    jar.file,
                    archive::KEYWORD_MANIFEST
                ))
            })?;
            Ok(install::Item {
                plugin: fetched.name.clone(),
                file: jar.file.clone(),
                kind,
                source: fetched.entry.jar_path(&jar.file),
                sha256: jar.sha256,
                size: jar.size,
            })
        })
        .collect()
}
