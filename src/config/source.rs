//! Where a plugin comes from: one model for the config, resolve, the lock
//! and `outdated`. A [`Source`] is an entry as configured; an [`Origin`] is
//! the same source once resolved, carrying what resolving found (a Store
//! product's id, version and download URL; a GitHub asset's URL). A lock
//! entry is an `Origin` plus hashes.

use std::path::{Path, PathBuf};

use reqwest::Url;

/// A plugin's source. `S` and `G` are what resolving adds to a Store and a
/// GitHub source: nothing for an entry as configured, [`StoreRelease`] and
/// the asset's URL for an [`Origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<S = (), G = ()> {
    /// A file in the repository: in the config, resolved against the
    /// config's folder; in an [`Origin`], relative to it.
    Path(PathBuf),
    /// In the config, as written (its query may be a credential); in an
    /// [`Origin`], without query or credentials.
    Url(Url),
    /// Plugins of the Katalon Store account.
    Store(StoreRef, S),
    /// An asset of a GitHub release.
    Github(GithubRelease, G),
}

/// A source as resolved: what a lock entry records besides its hashes.
pub type Origin = Source<StoreRelease, Url>;

/// The Store product a `store:` entry resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRelease {
    pub product_id: u64,
    /// `latest_compatible_version.number`.
    pub version: String,
    /// Where it was downloaded from, without query or credentials.
    pub url: Url,
}

/// Which Store plugins a `store:` entry means.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreRef {
    /// `product.id`.
    Id(u64),
    /// `product.name` (compared case-insensitively).
    Name(String),
    /// Every plugin on the account, as katalonc installs them.
    All,
}

impl StoreRef {
    /// `store:` written as text: `all`, a product id, else a product name;
    /// `None` when it is blank.
    pub fn from_text(text: &str) -> Option<StoreRef> {
        let s = text.trim();
        if s.is_empty() {
            None
        } else if s == "all" {
            Some(StoreRef::All)
        } else if let Ok(id) = s.parse::<u64>() {
            Some(StoreRef::Id(id))
        } else {
            Some(StoreRef::Name(s.to_string()))
        }
    }

    /// Whether two selectors name the same plugins (names ignore case).
    pub fn same_as(&self, other: &StoreRef) -> bool {
        match (self, other) {
            (StoreRef::Name(a), StoreRef::Name(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            (a, b) => a == b,
        }
    }
}

impl std::fmt::Display for StoreRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreRef::Id(id) => write!(f, "{id}"),
            StoreRef::Name(name) => f.write_str(name),
            StoreRef::All => f.write_str("all"),
        }
    }
}

/// As the lock writes it: a product id as a number, a name or `all` as text.
impl serde::Serialize for StoreRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StoreRef::Id(id) => s.serialize_u64(*id),
            StoreRef::Name(name) => s.serialize_str(name),
            StoreRef::All => s.serialize_str("all"),
        }
    }
}

/// `github: owner/repo` with `tag` and an `asset` glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRelease {
    pub owner: String,
    pub repo: String,
    pub tag: String,
    /// A glob that must match exactly one asset of the release; `None` means
    /// the release must have exactly one asset.
    pub asset: Option<String>,
}

impl GithubRelease {
    /// `owner/repo`.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }
}

impl<S, G> Source<S, G> {
    /// The entry as written, for messages: `path: vendor/a.jar`, `url: https://…`,
    /// `store: 42`, `github: owner/repo tag: v1.2.0`.
    pub fn describe(&self, base_dir: &Path) -> String {
        match self {
            Source::Path(p) => format!("path: {}", p.strip_prefix(base_dir).unwrap_or(p).display()),
            Source::Url(u) => format!("url: {}", crate::net::urls::redacted(u)),
            Source::Store(r, _) => format!("store: {r}"),
            Source::Github(g, _) => format!("github: {} tag: {}", g.slug(), g.tag),
        }
    }

    /// `path`, `url`, `store` or `github`: the config key that names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Path(_) => "path",
            Source::Url(_) => "url",
            Source::Store(..) => "store",
            Source::Github(..) => "github",
        }
    }
}

impl Origin {
    /// `store 42 1.2.3`, `url https://…/x.jar`: the source column of the summary.
    pub fn summary_cell(&self) -> String {
        match self {
            Source::Path(path) => format!("path {}", super::relative_path(path, std::path::Path::new(""))),
            Source::Url(url) => format!("url {url}"),
            Source::Store(_, release) => format!("store {} {}", release.product_id, release.version),
            Source::Github(release, _) => format!("github {} {}", release.slug(), release.tag),
        }
    }

    /// Whether this is what `source` (as configured) resolves to.
    pub fn is_from(&self, source: &Source, base_dir: &Path) -> bool {
        match (self, source) {
            (Source::Path(a), Source::Path(b)) => relative_path(a, base_dir) == relative_path(b, base_dir),
            (Source::Url(a), Source::Url(b)) => *a == crate::net::urls::without_query(b),
            (Source::Store(a, _), Source::Store(b, ())) => a.same_as(b),
            (Source::Github(a, _), Source::Github(b, ())) => a == b,
            _ => false,
        }
    }

    /// The Store version or the GitHub tag; `None` for `path` and `url`.
    pub fn version(&self) -> Option<&str> {
        match self {
            Source::Store(_, release) => Some(&release.version),
            Source::Github(g, _) => Some(&g.tag),
            Source::Path(_) | Source::Url(_) => None,
        }
    }

    /// Where a Store or GitHub artifact was downloaded from.
    pub fn download_url(&self) -> Option<&Url> {
        match self {
            Source::Store(_, release) => Some(&release.url),
            Source::Github(_, url) => Some(url),
            Source::Path(_) | Source::Url(_) => None,
        }
    }
}

/// `dir/sub/a.jar` relative to `base`, `/`-separated (as the lock writes it).
pub fn relative_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_from_the_source_it_was_resolved_from() {
        let base = Path::new("/repo");
        let path: Origin = Source::Path(PathBuf::from("vendor/a.jar"));
        assert!(path.is_from(&Source::Path(base.join("vendor/a.jar")), base));
        assert!(!path.is_from(&Source::Path(base.join("vendor/b.jar")), base));
        let url = Url::parse("https://cdn.example.com/a.jar").unwrap();
        let signed = Url::parse("https://cdn.example.com/a.jar?X-Amz-Signature=s").unwrap();
        assert!(Origin::Url(url.clone()).is_from(&Source::Url(signed), base));
        let release = StoreRelease { product_id: 42, version: "1.0".into(), url };
        let named: Origin = Source::Store(StoreRef::Name("Excel Keywords".into()), release);
        assert!(named.is_from(&Source::Store(StoreRef::Name("excel keywords".into()), ()), base));
        assert!(!named.is_from(&Source::Store(StoreRef::Id(42), ()), base));
        assert_eq!(named.describe(base), "store: Excel Keywords");
        assert_eq!(named.version(), Some("1.0"));
    }

    #[test]
    fn store_text_is_all_an_id_or_a_name() {
        assert_eq!(StoreRef::from_text(" all "), Some(StoreRef::All));
        assert_eq!(StoreRef::from_text("42"), Some(StoreRef::Id(42)));
        assert_eq!(StoreRef::from_text("All"), Some(StoreRef::Name("All".into())));
        assert_eq!(StoreRef::from_text("  "), None);
    }
}
