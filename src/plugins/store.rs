//! The Katalon Store source: the plugin list of the account behind the API
//! key, exactly as katalonc asks for it (katalon.md §2), decoded tolerantly.
//!
//! `GET {base}/api/products/ks?appVersion=…&appType=ENGINE&licenseType=…`
//! with the header `apiKey`. The key goes only to the Store's origin: the
//! list request and any download on that origin carry it, a `download_url`
//! on another origin (or a redirect there) does not — [`Store::header`] is
//! bound to the Store's origin and [`net::Http`] applies it per hop.
//!
//! This module lists and selects; fetching is the [`super::Fetcher`]'s job.

use reqwest::Url;
use reqwest::header::HeaderName;
use serde::Deserialize;

use crate::config::{Kind, LicenseType, StoreRef, StoreSettings};
use crate::location::{Location, suffix};
use crate::net::{self, Http, OriginHeader};
use crate::report::{Event, Reporter};
use crate::secret::{ApiKey, KeySource};

/// The list endpoint, under the Store's base URL.
pub const LIST_PATH: &str = "/api/products/ks";
/// The environment variable that overrides `store.url`.
pub const URL_ENV: &str = crate::env::STORE_URL;
/// What `product_type.name` says for a keyword plugin (case-insensitive).
const KEYWORD_TYPE: &str = "Custom Keywords Plugin";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "The Katalon Store rejected the API key from {from} ({status} {})",
        if *status == 401 { "Invalid credentials" } else { "Forbidden" }
    )]
    Unauthorized { from: KeySource, status: u16 },
    #[error("Could not list the plugins of the Katalon Store account")]
    List(#[source] net::Error),
    #[error(
        "The Katalon Store must be asked (katalon-prep.lock pins Store plugins) but katalon-prep.yml sets no `store.app-version`"
    )]
    NoAppVersion,
    #[error("{URL_ENV}=`{value}` is not a valid URL: {reason}")]
    BadUrl { value: String, reason: String },
    #[error("The Katalon Store account has no plugin `store: {wanted}`{}", suffix(at))]
    NotOnAccount { wanted: StoreRef, has: Vec<String>, at: Option<Location> },
    #[error("Store plugin {name} (product {product_id}) cannot be installed: {reason}{}", suffix(at))]
    Unavailable { name: String, product_id: u64, reason: String, at: Option<Location> },
    #[error(
        "The Katalon Store no longer serves the locked version of {name}: katalon-prep.lock pins {locked}, the Store now serves {}{}",
        now.as_deref().unwrap_or("nothing"),
        suffix(at)
    )]
    NoLongerServed { name: String, locked: String, now: Option<String>, at: Option<Location> },
}

impl Error {
    /// The documented exit code.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Unauthorized { .. } => Exit::Credentials,
            Error::List(e) => e.exit(),
            Error::NoAppVersion => Exit::Usage,
            Error::BadUrl { .. } => Exit::Usage,
            Error::NotOnAccount { .. } => Exit::Usage,
            Error::Unavailable { .. } => Exit::Usage,
            Error::NoLongerServed { .. } => Exit::LockOutdated,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Unauthorized { .. } => {
                "check that this secret holds a valid Katalon API key of the account that owns the plugins".into()
            }
            Error::List(e) => return e.hint(),
            Error::NoAppVersion => "set `store: app-version:` to the Katalon version you run, or run `katalon-prep lock` so the lock matches the config".into(),
            Error::BadUrl { .. } => return None,
            Error::NotOnAccount { has, .. } => has_list(has),
            Error::Unavailable { .. } => return None,
            Error::NoLongerServed { .. } => "the locked artifact is not in the cache; run `katalon-prep lock --update` to lock what the Store serves now, and commit katalon-prep.lock".into(),
        })
    }
}

fn has_list(has: &[String]) -> String {
    if has.is_empty() {
        "the account has no installable plugins for this Katalon version".to_string()
    } else {
        format!("the account has: {}", has.join(", "))
    }
}

/// One installable plugin of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePlugin {
    /// `product.id`.
    pub product_id: u64,
    /// `product.name`.
    pub name: String,
    /// From `product_type.name`.
    pub kind: Kind,
    /// `latest_compatible_version.number`.
    pub version: String,
    /// `download_url`, query included (it may be presigned: never print or store it whole).
    pub download_url: Url,
}

/// An entry the Store listed but that cannot be installed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub product_id: Option<u64>,
    pub name: String,
    pub reason: String,
}

/// What the account has, for this Katalon version and licence.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Sorted by product id.
    pub plugins: Vec<StorePlugin>,
    pub skipped: Vec<Skipped>,
}

impl Listing {
    /// The plugins a config entry means. `store: all` warns about every
    /// skipped entry; a named plugin that cannot be installed is an error.
    pub fn select(
        &self,
        wanted: &StoreRef,
        at: &Option<Location>,
        reporter: &dyn Reporter,
    ) -> Result<Vec<StorePlugin>, Error> {
        let hit = |id: Option<u64>, name: &str| match wanted {
            StoreRef::Id(w) => id == Some(*w),
            StoreRef::Name(w) => name.trim().eq_ignore_ascii_case(w.trim()),
            StoreRef::All => true,
        };
        if *wanted == StoreRef::All {
            for s in &self.skipped {
                reporter.report(Event::warning(format!("Store plugin {}: {}; skipped", s.name, s.reason)));
            }
            return Ok(self.plugins.clone());
        }
        if let Some(p) = self.plugins.iter().find(|p| hit(Some(p.product_id), &p.name)) {
            return Ok(vec![p.clone()]);
        }
        if let Some(s) = self.skipped.iter().find(|s| hit(s.product_id, &s.name)) {
            return Err(Error::Unavailable {
                name: s.name.clone(),
                product_id: s.product_id.unwrap_or(0),
                reason: s.reason.clone(),
                at: at.clone(),
            });
        }
        Err(Error::NotOnAccount {
            wanted: wanted.clone(),
            has: self.plugins.iter().map(|p| format!("{} (store: {})", p.name, p.product_id)).collect(),
            at: at.clone(),
        })
    }

    pub fn by_product(&self, id: u64) -> Option<&StorePlugin> {
        self.plugins.iter().find(|p| p.product_id == id)
    }
}

/// The Store of one run: where it is, which key, which Katalon version.
pub struct Store<'a> {
    pub base: Url,
    pub app_version: String,
    pub license_type: LicenseType,
    pub key: &'a ApiKey,
}

/// The Store's base URL: `KATALON_STORE_URL`, else `store.url`, else the default.
pub fn base_url(settings: &StoreSettings, env: &crate::env::Env) -> Result<Url, Error> {
    if let Some(value) = &env.store_url {
        let url = Url::parse(value.trim())
            .map_err(|e| Error::BadUrl { value: crate::net::urls::redacted_str(value), reason: e.to_string() })?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Error::BadUrl {
                value: crate::net::urls::redacted_str(value),
                reason: format!("unsupported scheme `{}`", url.scheme()),
            });
        }
        return Ok(url);
    }
    if let Some(url) = &settings.url {
        return Ok(url.value.clone());
    }
    Url::parse(crate::config::DEFAULT_STORE_URL)
        .map_err(|e| Error::BadUrl { value: crate::config::DEFAULT_STORE_URL.into(), reason: e.to_string() })
}

impl<'a> Store<'a> {
    /// `{base}/api/products/ks?appVersion=…&appType=ENGINE&licenseType=…`.
    pub fn list_url(&self) -> Url {
        let mut url = self.base.clone();
        let path = format!("{}{LIST_PATH}", self.base.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        url.query_pairs_mut()
            .append_pair("appVersion", &self.app_version)
            .append_pair("appType", "ENGINE")
            .append_pair("licenseType", self.license_type.as_str());
        url.set_fragment(None);
        url
    }

    /// The `apiKey` header, bound to the Store's origin.
    pub fn header(&self) -> OriginHeader<'a> {
        OriginHeader { origin: self.base.clone(), name: HeaderName::from_static("apikey"), value: self.key.expose() }
    }

    /// Lists the account's plugins (one request, retried by the net policy).
    pub async fn list(&self, http: &Http, reporter: &dyn Reporter) -> Result<Listing, Error> {
        let url = self.list_url();
        let header = self.header();
        let value: serde_json::Value =
            http.get_json(&url, Some(&header), "Katalon Store", reporter).await.map_err(|e| match e {
                net::Error::Status { status: status @ (401 | 403), .. } => {
                    Error::Unauthorized { from: self.key.source().clone(), status }
                }
                other => Error::List(other),
            })?;
        decode(value, &self.app_version).map_err(|message| {
            Error::List(net::Error::Json { url: net::urls::redacted(&url), message: message.to_string() })
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEntry {
    download_url: Option<String>,
    expired: Option<bool>,
    product: Option<RawProduct>,
    latest_compatible_version: Option<RawVersion>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawProduct {
    id: Option<u64>,
    name: Option<String>,
    product_type: Option<RawType>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawType {
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawVersion {
    number: Option<serde_json::Value>,
}

/// `{}` where an object is expected means null, as Katalon's parser has it.
fn empty_objects_to_null(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) if map.is_empty() => *value = serde_json::Value::Null,
        serde_json::Value::Object(map) => map.values_mut().for_each(empty_objects_to_null),
        serde_json::Value::Array(items) => items.iter_mut().for_each(empty_objects_to_null),
        _ => {}
    }
}

/// Decodes the list: unknown fields ignored, unreadable or unusable entries
/// skipped with a reason. Only a body that is not a JSON array is an error.
fn decode(mut value: serde_json::Value, app_version: &str) -> Result<Listing, &'static str> {
    empty_objects_to_null(&mut value);
    let serde_json::Value::Array(items) = value else {
        return Err("expected a JSON array of plugins");
    };
    let mut listing = Listing::default();
    for (i, item) in items.into_iter().enumerate() {
        if item.is_null() {
            continue;
        }
        let entry: RawEntry = match serde_json::from_value(item) {
            Ok(entry) => entry,
            Err(e) => {
                listing.skipped.push(Skipped {
                    product_id: None,
                    name: format!("entry {}", i + 1),
                    reason: format!("the Store sent an entry that could not be read ({e})"),
                });
                continue;
            }
        };
        let product = entry.product.unwrap_or_default();
        let name = product.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| match product.id {
            Some(id) => format!("product {id}"),
            None => format!("entry {}", i + 1),
        });
        let skip = |reason: String| Skipped { product_id: product.id, name: name.clone(), reason };
        let Some(product_id) = product.id else {
            listing.skipped.push(skip("the Store sent no product id".into()));
            continue;
        };
        if entry.expired == Some(true) {
            listing.skipped.push(skip("its licence on the account has expired".into()));
            continue;
        }
        let version = entry.latest_compatible_version.and_then(|v| v.number).and_then(|n| match n {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        let Some(version) = version else {
            listing.skipped.push(skip(format!("no version is compatible with Katalon {app_version}")));
            continue;
        };
        let download_url = match entry.download_url.as_deref().map(Url::parse) {
            Some(Ok(url)) if matches!(url.scheme(), "https" | "http") => url,
            _ => {
                listing.skipped.push(skip("the Store sent no usable download URL".into()));
                continue;
            }
        };
        let kind = match product.product_type.and_then(|t| t.name) {
            Some(t) if t.trim().eq_ignore_ascii_case(KEYWORD_TYPE) => Kind::Keyword,
            _ => Kind::Platform,
        };
        listing.plugins.push(StorePlugin { product_id, name, kind, version, download_url });
    }
    listing.plugins.sort_by_key(|p| p.product_id);
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_tolerantly_and_skips_with_reasons() {
        let body = json!([
            { "id": 1, "download_url": "https://cdn/a.zip", "expired": false, "unknown": [1, 2],
              "product": { "id": 42, "name": "Excel Keywords", "product_type": { "id": 1, "name": "custom keywords plugin" } },
              "latest_compatible_version": { "id": 9, "number": "1.2.3" } },
            { "id": 2, "download_url": "https://cdn/b.zip", "expired": true,
              "product": { "id": 7, "name": "Old" }, "latest_compatible_version": { "number": "1.0" } },
            { "id": 3, "download_url": "https://cdn/c.zip",
              "product": { "id": 8, "name": "Empty", "product_type": {} }, "latest_compatible_version": {} },
            { "id": 4, "download_url": "https://cdn/d.zip",
              "product": { "id": 9, "name": "Platform" }, "latest_compatible_version": { "number": "2.0" } },
        ]);
        let listing = decode(body, "9.0.0").unwrap();
        assert_eq!(listing.plugins.len(), 2);
        assert_eq!(listing.plugins[0].kind, Kind::Platform);
        assert_eq!(listing.plugins[1].name, "Excel Keywords");
        assert_eq!(listing.plugins[1].kind, Kind::Keyword);
        let reasons: Vec<&str> = listing.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(reasons, ["Old", "Empty"]);
        assert!(decode(json!({}), "9").is_err());
    }

    #[test]
    fn list_url_speaks_katalons_query() {
        let key = ApiKey::new(zeroize::Zeroizing::new("k".repeat(16)), KeySource::Env("K".into())).unwrap();
        let store = Store {
            base: Url::parse("https://store.example.com/").unwrap(),
            app_version: "9.7.2".into(),
            license_type: LicenseType::Enterprise,
            key: &key,
        };
        assert_eq!(
            store.list_url().as_str(),
            "https://store.example.com/api/products/ks?appVersion=9.7.2&appType=ENGINE&licenseType=ENTERPRISE"
        );
    }
}
