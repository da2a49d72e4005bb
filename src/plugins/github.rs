//! The GitHub release source: `github: owner/repo`, `tag`, `asset` (a glob).
//!
//! The API is spoken through octocrab, built on katalon-prep's own reqwest
//! client ([`Http::client`]): one TLS stack and crypto provider, the bundled
//! roots plus `SSL_CERT_FILE`, the proxy variables, our timeouts. octocrab's
//! own retry layer is not compiled in (its `retry` feature is off), so the
//! one [`RetryPolicy`](crate::net::RetryPolicy) of katalon-prep decides:
//! connection errors, 5xx and `Retry-After` within the cap are retried; a
//! 404 or an exhausted rate limit fails at once with a clear message.
//!
//! `GITHUB_API_URL` (set by GitHub Actions, different on GitHub Enterprise
//! Server) chooses the API; `GITHUB_TOKEN` is optional and never printed.
//! The asset itself is downloaded by [`super::Fetcher`] from its API URL
//! with `Accept: application/octet-stream`; the token goes only to the API's
//! origin, not to the storage host GitHub redirects to.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use octocrab::Octocrab;
use octocrab::models::repos::{Asset, Release};
use reqwest::Url;
use reqwest::header::HeaderName;
use zeroize::Zeroizing;

use crate::config::GithubRelease;
use crate::location::{Location, suffix};
use crate::net::{self, Http, OriginHeader, tries_suffix};
use crate::report::Reporter;

pub const API_URL_ENV: &str = crate::env::GITHUB_API_URL;
pub const TOKEN_ENV: &str = crate::env::GITHUB_TOKEN;
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// What GitHub wants to serve an asset's bytes from its API URL.
pub const ASSET_ACCEPT: &str = "application/octet-stream";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{API_URL_ENV}=`{value}` is not a usable URL: {reason}")]
    BadApiUrl { value: String, reason: String },
    #[error(transparent)]
    Insecure(net::Error),
    #[error("Could not set up the GitHub API client: {0}")]
    Client(String),
    #[error("GitHub has no release `{tag}` in {repo} ({url} answered 404){}{}", tries_suffix(*attempts), suffix(at))]
    NotFound { repo: String, tag: String, url: String, attempts: u32, at: Option<Location> },
    #[error("GitHub API rate limit exceeded at {url}{}", reset_text(*reset))]
    RateLimited { url: String, reset: Option<u64>, token: bool },
    #[error("GitHub rejected the token in {TOKEN_ENV} ({status}) at {url}")]
    Unauthorized { url: String, status: u16 },
    #[error("GitHub answered {status} at {url}{}: {message}", tries_suffix(*attempts))]
    Status { url: String, status: u16, message: String, attempts: u32 },
    #[error("{url} answered more than {} MiB; a release is never that large, so it was not read to the end", net::MAX_API_BODY >> 20)]
    TooLarge { url: String },
    #[error("Could not reach the GitHub API at {url}{}: {message}", tries_suffix(*attempts))]
    Transport { url: String, message: String, attempts: u32 },
    #[error(
        "`asset: {}` matches {} assets of {} {}{}; it must match exactly one",
        .0.glob,
        .0.matched.len(),
        .0.repo,
        .0.tag,
        suffix(&.0.at)
    )]
    Asset(Box<AssetMismatch>),
    #[error("GitHub release {tag} of {repo} no longer has the locked asset {asset}{}", suffix(at))]
    AssetGone { repo: String, tag: String, asset: String, at: Option<Location> },
}

impl Error {
    /// The documented exit code.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::BadApiUrl { .. } => Exit::Usage,
            Error::Insecure(e) => e.exit(),
            Error::Client(_) => Exit::Network,
            Error::NotFound { .. } => Exit::Network,
            Error::RateLimited { .. } => Exit::Network,
            Error::Unauthorized { .. } => Exit::Credentials,
            Error::Status { .. } => Exit::Network,
            Error::TooLarge { .. } => Exit::Network,
            Error::Transport { .. } => Exit::Network,
            Error::Asset(_) => Exit::Usage,
            Error::AssetGone { .. } => Exit::LockOutdated,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::BadApiUrl { .. } => return None,
            Error::Insecure(e) => return e.hint(),
            Error::Client(_) => return None,
            Error::NotFound { .. } => "check `github:` and `tag:`; a private repository also answers 404 without a GITHUB_TOKEN that can read it".into(),
            Error::RateLimited { token: true, .. } => "wait for the reset, or use a token with a higher limit".into(),
            Error::RateLimited { token: false, .. } => {
                "set GITHUB_TOKEN (in GitHub Actions: `GITHUB_TOKEN: ${{ github.token }}`) for a higher limit".into()
            }
            Error::Unauthorized { .. } => "check that GITHUB_TOKEN is valid and can read the repository".into(),
            Error::Status { .. } => return None,
            Error::TooLarge { .. } => return None,
            Error::Transport { .. } => return None,
            Error::Asset(m) => {
                format!("the release has: {}", if m.assets.is_empty() { "no assets".to_string() } else { m.assets.join(", ") })
            }
            Error::AssetGone { .. } => "the locked artifact is not in the cache; run `katalon-prep lock --update` and commit katalon-prep.lock".into(),
        })
    }
}

/// An `asset` glob that does not name exactly one asset.
#[derive(Debug)]
pub struct AssetMismatch {
    pub repo: String,
    pub tag: String,
    pub glob: String,
    pub matched: Vec<String>,
    pub assets: Vec<String>,
    pub at: Option<Location>,
}

fn reset_text(reset: Option<u64>) -> String {
    let Some(reset) = reset else { return String::new() };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let secs = reset.saturating_sub(now);
    if secs < 120 { format!(" (resets in {secs} s)") } else { format!(" (resets in {} min)", secs.div_ceil(60)) }
}

/// The GitHub API of one run.
pub struct Github {
    crab: Octocrab,
    api: Url,
    /// `Bearer <token>`, the `Authorization` value for asset downloads.
    bearer: Option<Zeroizing<String>>,
    retry: net::RetryPolicy,
}

impl Github {
    /// Builds the client from `GITHUB_API_URL` and `GITHUB_TOKEN`.
    pub fn from_env(http: &Http, env: &crate::env::Env) -> Result<Github, Error> {
        let raw = env.github_api_url.clone().unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let api = Url::parse(raw.trim())
            .map_err(|e| Error::BadApiUrl { value: net::urls::redacted_str(&raw), reason: e.to_string() })?;
        if !matches!(api.scheme(), "https" | "http") {
            return Err(Error::BadApiUrl {
                value: net::urls::redacted_str(&raw),
                reason: format!("unsupported scheme `{}`", api.scheme()),
            });
        }
        http.check_scheme(&api).map_err(Error::Insecure)?;
        let token = env.github_token.as_ref();
        if let Some(t) = token {
            crate::secret::register(t);
        }
        let mut builder = Octocrab::builder()
            .base_uri(api.as_str().trim_end_matches('/'))
            .map_err(|e| Error::BadApiUrl { value: net::urls::redacted_str(&raw), reason: e.to_string() })?;
        if let Some(t) = token {
            builder = builder.personal_token(t.as_str().to_string());
        }
        let crab = builder.build_with_reqwest(http.client().clone()).map_err(|e| Error::Client(e.to_string()))?;
        let bearer = token.map(|t| Zeroizing::new(format!("Bearer {}", t.as_str())));
        Ok(Github { crab, api, bearer, retry: http.settings().retry.clone() })
    }

    /// `Authorization` for asset downloads, bound to the API's origin.
    pub fn header(&self) -> Option<OriginHeader<'_>> {
        self.bearer.as_ref().map(|t| OriginHeader {
            origin: self.api.clone(),
            name: HeaderName::from_static("authorization"),
            value: t.as_str(),
        })
    }

    /// The release `tag` of `owner/repo`.
    pub async fn release(
        &self,
        g: &GithubRelease,
        at: &Option<Location>,
        reporter: &dyn Reporter,
    ) -> Result<Release, Error> {
        let url = self.route(&format!(
            "repos/{}/{}/releases/tags/{}",
            g.owner,
            g.repo,
            crate::net::urls::encode_component(&g.tag)
        ));
        let name = format!("{}@{}", g.slug(), g.tag);
        let crab = &self.crab;
        let op = || get_capped::<Release>(crab, &url);
        let answer = self.call(&url, &name, reporter, op).await.map_err(|e| match e {
            Failure::NotFound { attempts } => Error::NotFound {
                repo: g.slug(),
                tag: g.tag.clone(),
                url: net::urls::redacted(&url),
                attempts,
                at: at.clone(),
            },
            Failure::Other(e) => e,
        })?;
        answer.map_err(|refusal| refusal.into_error(&url))
    }

    /// The newest published (non-draft, non-prerelease) release; `None` when there is none.
    pub async fn latest(&self, g: &GithubRelease, reporter: &dyn Reporter) -> Result<Option<Release>, Error> {
        let url = self.route(&format!("repos/{}/{}/releases/latest", g.owner, g.repo));
        let crab = &self.crab;
        let op = || get_capped::<Release>(crab, &url);
        match self.call(&url, &g.slug(), reporter, op).await {
            Ok(r) => r.map(Some).map_err(|refusal| refusal.into_error(&url)),
            Err(Failure::NotFound { .. }) => Ok(None),
            Err(Failure::Other(e)) => Err(e),
        }
    }

    fn route(&self, path: &str) -> Url {
        let mut url = self.api.clone();
        url.set_path(&format!("{}/{path}", self.api.path().trim_end_matches('/')));
        url
    }

    /// Runs one API call under katalon-prep's retry policy.
    async fn call<T, F, Fut>(&self, url: &Url, name: &str, reporter: &dyn Reporter, op: F) -> Result<T, Failure>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = octocrab::Result<T>>,
    {
        let shown = net::urls::redacted(url);
        let mut tries = net::retry::Tries::new(&self.retry, name, reporter);
        loop {
            let err = match op().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let (failure, transient, retry_after) = self.classify(err, &shown, tries.attempt());
            let failure = match failure {
                Failure::NotFound { .. } => return Err(Failure::NotFound { attempts: tries.attempt() }),
                Failure::Other(e) => e,
            };
            if !tries.again(&failure, transient, retry_after).await {
                return Err(Failure::Other(failure));
            }
        }
    }

    /// What an octocrab error means here: the error, whether it is worth
    /// another try, and the server's `Retry-After`.
    fn classify(&self, err: octocrab::Error, url: &str, attempts: u32) -> (Failure, bool, Option<Duration>) {
        match err {
            octocrab::Error::GitHub { source, .. } => {
                let status = source.status_code.as_u16();
                let headers = source.headers.as_ref();
                let header = |name: &str| {
                    headers.and_then(|h| h.get(name)).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string())
                };
                let exhausted = header("x-ratelimit-remaining").as_deref() == Some("0");
                let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok()).map(Duration::from_secs);
                let message = source.message.lines().next().unwrap_or("").to_string();
                let rate_limited = (status == 403 || status == 429)
                    && (exhausted || retry_after.is_some() || message.to_ascii_lowercase().contains("rate limit"));
                if status == 404 {
                    (Failure::NotFound { attempts }, false, None)
                } else if rate_limited && retry_after.is_some() && !exhausted {
                    // A secondary limit that says how long to wait: the policy decides.
                    let e = Error::Status { url: url.to_string(), status, message, attempts };
                    (Failure::Other(e), true, retry_after)
                } else if rate_limited {
                    let reset =
                        source.rate_limit_reset.or_else(|| header("x-ratelimit-reset").and_then(|v| v.parse().ok()));
                    let e = Error::RateLimited { url: url.to_string(), reset, token: self.bearer.is_some() };
                    (Failure::Other(e), false, None)
                } else if status == 401 || status == 403 {
                    (Failure::Other(Error::Unauthorized { url: url.to_string(), status }), false, None)
                } else {
                    let transient = status == 408 || status == 429 || status >= 500;
                    let e = Error::Status { url: url.to_string(), status, message, attempts };
                    (Failure::Other(e), transient, retry_after)
                }
            }
            octocrab::Error::Reqwest { source, .. } => {
                let transient = source.is_timeout() || source.is_connect() || source.is_request() || source.is_body();
                let message = crate::secret::redact(&error_chain(&source.without_url())).into_owned();
                (Failure::Other(Error::Transport { url: url.to_string(), message, attempts }), transient, None)
            }
            octocrab::Error::Service { source, .. } => {
                let message = crate::secret::redact(&source.to_string()).into_owned();
                (Failure::Other(Error::Transport { url: url.to_string(), message, attempts }), true, None)
            }
            other => {
                let message = crate::secret::redact(&first_line(&other.to_string())).into_owned();
                (Failure::Other(Error::Transport { url: url.to_string(), message, attempts }), false, None)
            }
        }
    }
}

/// An answer read but not usable.
enum Refusal {
    TooLarge,
    Json(String),
}

impl Refusal {
    fn into_error(self, url: &Url) -> Error {
        let url = net::urls::redacted(url);
        match self {
            Refusal::TooLarge => Error::TooLarge { url },
            Refusal::Json(message) => Error::Transport { url, message, attempts: 1 },
        }
    }
}

/// GETs an API URL through octocrab (its auth and headers), reading at most
/// [`net::MAX_API_BODY`] bytes: an endless answer must not fill memory.
async fn get_capped<T: serde::de::DeserializeOwned>(
    crab: &Octocrab,
    url: &Url,
) -> octocrab::Result<Result<T, Refusal>> {
    use http_body_util::BodyExt;
    let mut response = crab._get(url.as_str()).await?;
    let mut bytes = Vec::new();
    while let Some(frame) = response.body_mut().frame().await {
        if let Ok(data) = frame?.into_data() {
            if (bytes.len() + data.len()) as u64 > net::MAX_API_BODY {
                return Ok(Err(Refusal::TooLarge));
            }
            bytes.extend_from_slice(&data);
        }
    }
    if !response.status().is_success() {
        // octocrab's own reading of an error answer (status, message, rate-limit headers).
        let response = response.map(|_| http_body_util::Full::from(bytes).map_err(|never| match never {}).boxed());
        octocrab::map_github_error(response).await?;
        return Ok(Err(Refusal::Json("an unsuccessful answer".into())));
    }
    Ok(serde_json::from_slice(&bytes).map_err(|e| Refusal::Json(format!("not a release: {e}"))))
}

enum Failure {
    NotFound { attempts: u32 },
    Other(Error),
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The one asset the glob (or, without one, the release) names.
pub fn pick_asset<'r>(release: &'r Release, g: &GithubRelease, at: &Option<Location>) -> Result<&'r Asset, Error> {
    let glob = g.asset.clone().unwrap_or_else(|| "*".to_string());
    let mismatch = |glob: String, matched: Vec<String>| {
        Error::Asset(Box::new(AssetMismatch {
            repo: g.slug(),
            tag: g.tag.clone(),
            glob,
            matched,
            assets: release.assets.iter().map(|a| a.name.clone()).collect(),
            at: at.clone(),
        }))
    };
    let matcher = globset::Glob::new(&glob).map_err(|_| mismatch(glob.clone(), Vec::new()))?.compile_matcher();
    let matched: Vec<&Asset> = release.assets.iter().filter(|a| matcher.is_match(&a.name)).collect();
    match matched.as_slice() {
        [one] => Ok(one),
        _ => Err(mismatch(glob, matched.iter().map(|a| a.name.clone()).collect())),
    }
}

/// The asset's published sha256 (`digest: "sha256:…"`), when GitHub gives one.
pub fn asset_digest(asset: &Asset) -> Option<crate::digest::Sha256> {
    asset.digest.as_deref().and_then(|d| d.strip_prefix("sha256:")).and_then(|h| h.parse().ok())
}
