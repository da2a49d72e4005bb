//! Resolve: each configured plugin (and what the lock pinned for it) made
//! concrete as [`Artifact`]s — where the bytes come from, what they must
//! hash to, what kind of plugin they are. A `store: all` entry becomes one
//! artifact per plugin of the account.
//!
//! With a lock and a warm cache this stage touches no network: a locked
//! Store or GitHub artifact found in the cache is [`FetchFrom::Cache`]. Only
//! when it is missing is the Store listed (once per run) or the GitHub
//! release looked up, for a fresh download URL whose bytes are then checked
//! against the lock.

use std::sync::OnceLock;

use reqwest::Url;
use tokio::sync::OnceCell;

use super::github::{self, Github};
use super::store::{self, Listing, Store};
use super::{Error, cache::Cache};
pub use crate::config::Origin;
use crate::config::{Config, Kind, PluginSpec, Source, StoreRelease, StoreSettings, relative_path};
use crate::digest::Sha256;
use crate::env::Env;
use crate::location::Location;
use crate::lock::{self, Loaded, Matching};
use crate::net::{self, Http, OriginHeader};
use crate::report::Reporter;
use crate::secret::ApiKey;

/// Which credential a download may carry (to its own origin only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    /// The `apiKey` header, to the Store's origin.
    Store,
    /// `GITHUB_TOKEN`, to the GitHub API's origin.
    Github,
}

/// How an artifact's bytes are obtained.
#[derive(Debug, Clone)]
pub enum FetchFrom {
    /// A file in the repository.
    Path(std::path::PathBuf),
    /// A download; the query may be a credential (never printed or locked).
    Url { url: Url, auth: Auth, accept: Option<&'static str> },
    /// Pinned by the lock and already in the cache.
    Cache,
}

/// One artifact to fetch and install.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The config entry it belongs to (index in `plugins:`).
    pub spec: usize,
    pub name: String,
    pub from: FetchFrom,
    /// What the bytes must hash to: the config's `sha256`, the lock's, or
    /// GitHub's published digest. `None` for a Store or GitHub artifact not
    /// pinned yet, or a `url` hashed on first use by `lock`. For `path`
    /// plugins only the config's (the lock's is compared by the caller).
    pub sha256: Option<Sha256>,
    pub kind: Option<Kind>,
    pub jar: Option<String>,
    pub at: Option<Location>,
    pub origin: Origin,
    /// The lock entry it was made from.
    pub locked: Option<usize>,
}

/// What to do for one config entry.
#[derive(Debug, Clone)]
pub enum Planned {
    /// `lock` without `--update`: the lock entries stay as they are.
    Kept(Vec<usize>),
    Fetch(Vec<Artifact>),
}

/// Which command resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Install what the lock pins; resolve the rest (unpinned `url` refused).
    Prepare,
    /// Keep what the lock pins; resolve the rest, hashing `url` on first use.
    Lock,
    /// Resolve everything again (`lock --update`).
    Update,
}

/// The network side of a run, each part set up on first use.
pub struct Remote<'a> {
    settings: net::Settings,
    store_settings: &'a StoreSettings,
    key: Option<&'a ApiKey>,
    env: &'a Env,
    reporter: &'a dyn Reporter,
    http: OnceCell<Http>,
    store_base: OnceLock<Url>,
    listing: OnceCell<Listing>,
    github: OnceCell<Github>,
}

impl<'a> Remote<'a> {
    pub fn new(
        settings: net::Settings,
        store_settings: &'a StoreSettings,
        key: Option<&'a ApiKey>,
        env: &'a Env,
        reporter: &'a dyn Reporter,
    ) -> Remote<'a> {
        Remote {
            settings,
            store_settings,
            key,
            env,
            reporter,
            http: OnceCell::new(),
            store_base: OnceLock::new(),
            listing: OnceCell::new(),
            github: OnceCell::new(),
        }
    }

    /// The HTTP client, built on first use.
    pub async fn http(&self) -> Result<&Http, net::Error> {
        self.http.get_or_try_init(|| async { Http::new(self.settings.clone()) }).await
    }

    /// Whether anything was sent (a client was built).
    pub fn used_network(&self) -> bool {
        self.http.initialized()
    }

    fn store_base(&self) -> Result<&Url, store::Error> {
        if let Some(url) = self.store_base.get() {
            return Ok(url);
        }
        let url = store::base_url(self.store_settings, self.env)?;
        Ok(self.store_base.get_or_init(|| url))
    }

    fn store(&self) -> Result<Store<'a>, Error> {
        let key = self.key.ok_or(Error::NeedKey)?;
        let app_version = self
            .store_settings
            .app_version
            .as_ref()
            .map(|v| v.value.clone())
            // The config's validation requires it for Store entries, but a lock
            // can pin Store plugins the config no longer lists (`outdated`).
            .ok_or(store::Error::NoAppVersion)?;
        Ok(Store { base: self.store_base()?.clone(), app_version, license_type: self.store_settings.license_type, key })
    }

    /// The account's plugins, listed once per run.
    pub async fn listing(&self) -> Result<&Listing, Error> {
        self.listing
            .get_or_try_init(|| async {
                let store = self.store()?;
                let http =
                    self.http().await.map_err(|source| Error::Network { plugin: "Katalon Store".into(), source })?;
                Ok::<_, Error>(store.list(http, self.reporter).await?)
            })
            .await
    }

    /// The GitHub API client.
    pub async fn github(&self) -> Result<&Github, Error> {
        self.github
            .get_or_try_init(|| async {
                let http =
                    self.http().await.map_err(|source| Error::Network { plugin: "GitHub API".into(), source })?;
                Ok::<_, Error>(Github::from_env(http, self.env)?)
            })
            .await
    }

    /// The credential header a download may carry, bound to its origin.
    pub fn header(&self, auth: Auth) -> Option<OriginHeader<'_>> {
        match auth {
            Auth::None => None,
            Auth::Store => {
                let key = self.key?;
                let base = self.store_base().ok()?.clone();
                Some(OriginHeader {
                    origin: base,
                    name: reqwest::header::HeaderName::from_static("apikey"),
                    value: key.expose(),
                })
            }
            Auth::Github => self.github.get().and_then(Github::header),
        }
    }

    pub fn reporter(&self) -> &dyn Reporter {
        self.reporter
    }
}

/// Resolves every config entry, in order.
pub async fn resolve(
    config: &Config,
    lock: Option<(&Loaded, &Matching)>,
    mode: Mode,
    cache: &Cache,
    remote: &Remote<'_>,
) -> Result<Vec<Planned>, Error> {
    let mut out = Vec::with_capacity(config.plugins.len());
    for (i, spec) in config.plugins.iter().enumerate() {
        let matched = match (mode, lock) {
            (Mode::Update, _) | (_, None) => None,
            (_, Some((loaded, matching))) => {
                matching.per_spec.get(i).cloned().flatten().map(|indices| (loaded, indices))
            }
        };
        let planned = match matched {
            Some((_, indices)) if mode == Mode::Lock => Planned::Kept(indices),
            Some((loaded, indices)) => {
                let mut artifacts = Vec::new();
                for idx in indices {
                    artifacts.push(from_lock(i, spec, loaded, idx, cache, remote).await?);
                }
                Planned::Fetch(artifacts)
            }
            None => {
                let mut artifacts = fresh(config, i, spec, mode, remote).await?;
                if let (Mode::Update, Some((loaded, _))) = (mode, lock) {
                    artifacts.iter_mut().for_each(|a| reuse_locked_sha(a, loaded, cache));
                }
                Planned::Fetch(artifacts)
            }
        };
        out.push(planned);
    }
    Ok(out)
}

/// `lock --update`: a Store version or GitHub release asset the lock
/// already pins, at the same URL, is the same download (both are
/// immutable); when the cache holds it, it is not fetched again.
fn reuse_locked_sha(a: &mut Artifact, loaded: &Loaded, cache: &Cache) {
    if a.sha256.is_some() {
        return;
    }
    let Some(url) = a.origin.download_url() else { return };
    let version = a.origin.version();
    let same =
        loaded.lock.plugins.iter().find(|e| e.origin.download_url() == Some(url) && e.origin.version() == version);
    if let Some(e) = same
        && cache.get(&e.sha256).is_some()
    {
        a.sha256 = Some(e.sha256);
    }
}

/// An artifact the lock pins.
async fn from_lock(
    i: usize,
    spec: &PluginSpec,
    loaded: &Loaded,
    idx: usize,
    cache: &Cache,
    remote: &Remote<'_>,
) -> Result<Artifact, Error> {
    let e = &loaded.lock.plugins[idx];
    let cached = cache.get(&e.sha256).is_some();
    let mut a = Artifact {
        spec: i,
        name: e.name.clone(),
        from: FetchFrom::Cache,
        sha256: Some(e.sha256),
        kind: Some(e.kind),
        jar: spec.jar.clone(),
        at: spec.at.clone(),
        origin: e.origin.clone(),
        locked: Some(idx),
    };
    // `lock::compare` pairs an entry only with a spec of its own kind.
    match (&spec.source, &e.origin) {
        (Source::Path(p), _) => {
            a.from = FetchFrom::Path(p.clone());
            a.sha256 = spec.sha256;
        }
        (Source::Url(u), _) => {
            if !cached {
                a.from = FetchFrom::Url { url: u.clone(), auth: Auth::None, accept: None };
            }
        }
        (Source::Store(..) | Source::Github(..), _) if cached => {}
        (Source::Store(..), Source::Store(_, release)) => {
            let listing = remote.listing().await?;
            match listing.by_product(release.product_id) {
                Some(p) if p.version == release.version => {
                    a.from = FetchFrom::Url { url: p.download_url.clone(), auth: Auth::Store, accept: None };
                }
                other => {
                    return Err(store::Error::NoLongerServed {
                        name: e.name.clone(),
                        locked: release.version.clone(),
                        now: other.map(|p| p.version.clone()),
                        at: spec.at.clone(),
                    }
                    .into());
                }
            }
        }
        (Source::Github(g, ()), Source::Github(_, locked_url)) => {
            let gh = remote.github().await?;
            let release = gh.release(g, &spec.at, remote.reporter()).await?;
            let wanted = super::artifact_name(locked_url);
            let asset = release.assets.iter().find(|x| x.name == wanted).ok_or_else(|| github::Error::AssetGone {
                repo: g.slug(),
                tag: g.tag.clone(),
                asset: wanted.clone(),
                at: spec.at.clone(),
            })?;
            a.from = FetchFrom::Url { url: asset.url.clone(), auth: Auth::Github, accept: Some(github::ASSET_ACCEPT) };
        }
        (Source::Store(..) | Source::Github(..), _) => {}
    }
    Ok(a)
}

/// An entry resolved from its source, ignoring any lock.
async fn fresh(
    config: &Config,
    i: usize,
    spec: &PluginSpec,
    mode: Mode,
    remote: &Remote<'_>,
) -> Result<Vec<Artifact>, Error> {
    let artifact = |name: String, from: FetchFrom, origin: Origin| Artifact {
        spec: i,
        name,
        from,
        sha256: spec.sha256,
        kind: spec.kind,
        jar: spec.jar.clone(),
        at: spec.at.clone(),
        origin,
        locked: None,
    };
    Ok(match &spec.source {
        Source::Path(p) => vec![artifact(
            spec.display_name(),
            FetchFrom::Path(p.clone()),
            Source::Path(relative_path(p, &config.base_dir).into()),
        )],
        Source::Url(u) => {
            if spec.sha256.is_none() && mode == Mode::Prepare {
                return Err(crate::config::unpinned_url(spec).into());
            }
            vec![artifact(
                spec.display_name(),
                FetchFrom::Url { url: u.clone(), auth: Auth::None, accept: None },
                Source::Url(net::urls::without_query(u)),
            )]
        }
        Source::Store(r, ()) => {
            let listing = remote.listing().await?;
            listing
                .select(r, &spec.at, remote.reporter())?
                .into_iter()
                .map(|p| {
                    let release = StoreRelease {
                        product_id: p.product_id,
                        version: p.version.clone(),
                        url: net::urls::without_query(&p.download_url),
                    };
                    let from = FetchFrom::Url { url: p.download_url.clone(), auth: Auth::Store, accept: None };
                    Artifact {
                        kind: spec.kind.or(Some(p.kind)),
                        ..artifact(p.name.clone(), from, Source::Store(r.clone(), release))
                    }
                })
                .collect()
        }
        Source::Github(g, ()) => {
            let gh = remote.github().await?;
            let release = gh.release(g, &spec.at, remote.reporter()).await?;
            let asset = github::pick_asset(&release, g, &spec.at)?;
            let from =
                FetchFrom::Url { url: asset.url.clone(), auth: Auth::Github, accept: Some(github::ASSET_ACCEPT) };
            let origin = Source::Github(g.clone(), net::urls::without_query(&asset.browser_download_url));
            vec![Artifact {
                sha256: spec.sha256.or_else(|| github::asset_digest(asset)),
                ..artifact(asset.name.clone(), from, origin)
            }]
        }
    })
}

/// The lock entry for a fetched artifact and the files it installs.
pub fn lock_entry(a: &Artifact, sha256: Sha256, size: u64, kind: Kind, files: Vec<String>) -> lock::Entry {
    lock::Entry { name: a.name.clone(), origin: a.origin.clone(), jar: a.jar.clone(), kind, sha256, size, files }
}
