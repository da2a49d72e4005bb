//! The Katalon Store fake: `GET /api/products/ks`, the plugin list katalonc
//! fetches with `-apiKey` (katalon.md §2), guarded by the `apiKey` header.
//!
//! Owns the response shape (snake_case, nested `product` / `product_type`,
//! `latest_compatible_version` that may be null or `{}`) and the key check.
//! It does not serve the plugin downloads: register those as ordinary file
//! routes, so their faults and logs work like any other download's.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::Response;
use crate::lock;
use crate::server::FakeServer;

/// The Store's plugin-list path. Log entries keep the query
/// (`appVersion`, `appType`, `licenseType`) for assertions.
pub const STORE_PATH: &str = "/api/products/ks";

/// What `product_type.name` says for a keyword plugin (katalon.md §2).
const KEYWORD_TYPE: &str = "Custom Keywords Plugin";
/// Anything else is a platform plugin; this is a plausible name for one.
const PLATFORM_TYPE: &str = "Katalon Studio Plugin";

/// One entry of the account's plugin list, as a builder.
///
/// ```
/// use katalon_prep_fakes::StorePlugin;
/// let p = StorePlugin::new(123, 42, "Excel Keywords")
///     .version("1.2.3")
///     .download_url("/dl/excel.zip");
/// ```
///
/// Also the element type of the binary's `--store-manifest` JSON array;
/// every field but `id` may be left out there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorePlugin {
    /// The per-account record id (`id`).
    pub id: u64,
    /// `product.id`.
    pub product_id: u64,
    /// `product.name`.
    pub name: String,
    /// A keyword plugin (`product_type.name` = "Custom Keywords Plugin") or
    /// a platform plugin.
    pub keyword: bool,
    /// Overrides `product_type.name` (e.g. to test case-insensitive matching).
    pub product_type: Option<String>,
    /// `latest_compatible_version.number`.
    pub version: String,
    /// `download_url`. A value starting with `/` is made absolute against the
    /// server's URL; empty means `/store/download/{id}.zip` on the server.
    pub download_url: String,
    /// `expired` (and `active` is its negation).
    pub expired: bool,
    /// `latest_compatible_version: null`.
    pub null_version: bool,
    /// `latest_compatible_version: {}` (Katalon treats it as null).
    pub empty_version: bool,
}

impl Default for StorePlugin {
    fn default() -> Self {
        StorePlugin {
            id: 1,
            product_id: 1,
            name: "Plugin".into(),
            keyword: true,
            product_type: None,
            version: "1.0.0".into(),
            download_url: String::new(),
            expired: false,
            null_version: false,
            empty_version: false,
        }
    }
}

impl StorePlugin {
    /// A live keyword plugin at version 1.0.0, downloadable from the server.
    pub fn new(id: u64, product_id: u64, name: impl Into<String>) -> Self {
        StorePlugin { id, product_id, name: name.into(), ..StorePlugin::default() }
    }

    /// Keyword (`true`) or platform (`false`) plugin.
    pub fn keyword(mut self, keyword: bool) -> Self {
        self.keyword = keyword;
        self
    }

    /// Overrides `product_type.name`.
    pub fn product_type(mut self, name: impl Into<String>) -> Self {
        self.product_type = Some(name.into());
        self
    }

    /// `latest_compatible_version.number`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// `download_url`; a leading `/` means "on this server".
    pub fn download_url(mut self, url: impl Into<String>) -> Self {
        self.download_url = url.into();
        self
    }

    /// Marks the entry expired.
    pub fn expired(mut self, expired: bool) -> Self {
        self.expired = expired;
        self
    }

    /// Sends `latest_compatible_version: null`.
    pub fn null_version(mut self, null: bool) -> Self {
        self.null_version = null;
        self
    }

    /// Sends `latest_compatible_version: {}`.
    pub fn empty_version(mut self, empty: bool) -> Self {
        self.empty_version = empty;
        self
    }

    /// The absolute download URL given the server's base URL.
    pub fn resolved_download_url(&self, base: &str) -> String {
        if self.download_url.is_empty() {
            format!("{base}/store/download/{}.zip", self.id)
        } else if self.download_url.starts_with('/') {
            format!("{base}{}", self.download_url)
        } else {
            self.download_url.clone()
        }
    }

    /// The entry as the Store sends it.
    pub fn to_json(&self, base: &str) -> Value {
        let type_name = match (&self.product_type, self.keyword) {
            (Some(name), _) => name.as_str(),
            (None, true) => KEYWORD_TYPE,
            (None, false) => PLATFORM_TYPE,
        };
        let version = if self.null_version {
            Value::Null
        } else if self.empty_version {
            json!({})
        } else {
            // Version record ids are per-version on the real Store; any stable
            // number distinct from the entry id will do.
            json!({ "id": self.id * 1000 + 1, "number": self.version })
        };
        json!({
            "id": self.id,
            "download_url": self.resolved_download_url(base),
            "expired": self.expired,
            "active": !self.expired,
            "free": true,
            "trial": false,
            "paid": false,
            "product": {
                "id": self.product_id,
                "name": self.name,
                "url": format!("{base}/product/{}", self.product_id),
                "product_type": { "id": if self.keyword { 1 } else { 2 }, "name": type_name },
            },
            "latest_compatible_version": version,
        })
    }
}

pub(crate) struct StoreState {
    key: Option<String>,
    body: StoreBody,
}

enum StoreBody {
    Plugins(Vec<StorePlugin>),
    /// Served verbatim (after the key check): for malformed-response tests.
    Raw(Value),
}

impl FakeServer {
    /// The API key the Store accepts in the `apiKey` header. Until one is
    /// set, every Store request gets 401.
    pub fn store_key(&self, key: impl Into<String>) {
        lock(self.store_state()).key = Some(key.into());
    }

    /// Serves `entries` at [`STORE_PATH`] (replacing any earlier list).
    pub fn store_products(&self, entries: &[StorePlugin]) {
        lock(self.store_state()).body = StoreBody::Plugins(entries.to_vec());
    }

    /// Serves `body` verbatim at [`STORE_PATH`] after the key check.
    pub fn store_products_json(&self, body: Value) {
        lock(self.store_state()).body = StoreBody::Raw(body);
    }

    /// The Store state, registering the route on first use.
    fn store_state(&self) -> &Arc<Mutex<StoreState>> {
        self.store.get_or_init(|| {
            let state = Arc::new(Mutex::new(StoreState { key: None, body: StoreBody::Plugins(Vec::new()) }));
            let base = self.url().to_owned();
            let handler_state = Arc::clone(&state);
            self.route_fn(STORE_PATH, move |request| {
                if !request.method.eq_ignore_ascii_case("GET") {
                    return Response::text(405, "Method Not Allowed").header("Allow", "GET");
                }
                let state = lock(&handler_state);
                let authorised = matches!(
                    (&state.key, request.header("apikey")),
                    (Some(want), Some(got)) if want == got
                );
                if !authorised {
                    return Response::text(401, "Invalid credentials");
                }
                match &state.body {
                    StoreBody::Plugins(entries) => {
                        Response::json(200, &Value::Array(entries.iter().map(|p| p.to_json(&base)).collect()))
                    }
                    StoreBody::Raw(value) => Response::json(200, value),
                }
            });
            state
        })
    }
}
