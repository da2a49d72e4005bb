//! The GitHub REST API fake: releases by tag, the release list, the latest
//! release, single releases and assets, GitHub's 404 body and its primary
//! rate-limit 403.
//!
//! Owns the JSON shapes, which must deserialize into octocrab 0.54's
//! `models::repos::Release` / `Asset` (every non-`Option` field present and
//! of the right type; URLs parseable). Every URL in them points back at this
//! server, so nothing a client follows leaves loopback. It does not serve the
//! asset bytes: register the `download_url`s as ordinary file routes.

use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::http::{Request, Response, percent_decode, split_target};
use crate::lock;
use crate::server::{FakeServer, Shared, content_type_for};

/// 2024-01-01T00:00:00Z: release timestamps count up from here, a day apart,
/// so "newest" is also the latest date.
const EPOCH_BASE: u64 = 1_704_067_200;

#[derive(Default)]
pub(crate) struct GithubState {
    /// In registration order: the last one is the newest.
    releases: Vec<ReleaseSpec>,
    /// `Some(reset)`: answer every API request 403 rate-limited until turned off.
    rate_limited: Option<u64>,
    next_id: u64,
}

struct ReleaseSpec {
    owner: String,
    repo: String,
    id: u64,
    seq: u64,
    tag: String,
    assets: Vec<AssetSpec>,
}

struct AssetSpec {
    id: u64,
    name: String,
    download_url: String,
}

impl FakeServer {
    /// Publishes release `tag` of `owner/repo` with `assets` as
    /// `(name, browser_download_url)` pairs; a URL starting with `/` is made
    /// absolute against this server. Releases registered later are newer.
    /// Registering an existing tag again replaces its assets.
    ///
    /// Serves, under this server's URL as the API base:
    /// `GET /repos/{owner}/{repo}/releases`, `/releases/latest`,
    /// `/releases/tags/{tag}`, `/releases/{id}`, `/releases/{id}/assets` and
    /// `/releases/assets/{id}` (with `Accept: application/octet-stream`: a
    /// 302 to the download URL, as GitHub does).
    pub fn github_release(&self, owner: &str, repo: &str, tag: &str, assets: &[(&str, &str)]) {
        let base = self.url().to_owned();
        let state = self.github_state();
        let mut state = lock(state);
        let assets: Vec<AssetSpec> = assets
            .iter()
            .map(|(name, url)| AssetSpec {
                id: state.alloc_id(),
                name: (*name).to_owned(),
                download_url: absolute(&base, url),
            })
            .collect();
        if let Some(existing) = state.releases.iter_mut().find(|r| same_repo(r, owner, repo) && r.tag == tag) {
            existing.assets = assets;
            return;
        }
        let id = state.alloc_id();
        let seq = state.releases.len() as u64;
        state.releases.push(ReleaseSpec {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            id,
            seq,
            tag: tag.to_owned(),
            assets,
        });
    }

    /// `Some(reset_epoch_secs)`: every GitHub API request gets 403 with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset: reset_epoch_secs`
    /// until called again with `None`.
    pub fn github_rate_limited(&self, reset: Option<u64>) {
        lock(self.github_state()).rate_limited = reset;
    }

    fn github_state(&self) -> &Arc<Mutex<GithubState>> {
        self.github.get_or_init(|| {
            let state = Arc::new(Mutex::new(GithubState::default()));
            let api = Api { base: self.url().to_owned(), state: Arc::clone(&state), shared: self.weak_shared() };
            self.prefix_fn("/repos/", Arc::new(move |request| api.handle(request)));
            state
        })
    }
}

impl GithubState {
    fn alloc_id(&mut self) -> u64 {
        // Real ids are large; start somewhere that looks like one.
        self.next_id = if self.next_id == 0 { 100_000_001 } else { self.next_id + 1 };
        self.next_id
    }
}

fn same_repo(r: &ReleaseSpec, owner: &str, repo: &str) -> bool {
    // GitHub owner and repository names are case-insensitive.
    r.owner.eq_ignore_ascii_case(owner) && r.repo.eq_ignore_ascii_case(repo)
}

fn absolute(base: &str, url: &str) -> String {
    if url.starts_with('/') { format!("{base}{url}") } else { url.to_owned() }
}

struct Api {
    base: String,
    state: Arc<Mutex<GithubState>>,
    shared: Weak<Shared>,
}

impl Api {
    fn handle(&self, request: &Request) -> Response {
        let state = lock(&self.state);
        if let Some(reset) = state.rate_limited {
            return rate_limited(reset);
        }
        if !matches!(request.method.as_str(), "GET" | "HEAD") {
            return with_quota(not_found());
        }
        // Split the raw path, then decode each segment, so an encoded `/`
        // inside a tag stays inside the tag.
        let (raw_path, _) = split_target(&request.target);
        let segments: Vec<String> = raw_path.trim_matches('/').split('/').map(percent_decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let response = match segments.as_slice() {
            ["repos", owner, repo, "releases", rest @ ..] => {
                let mut releases: Vec<&ReleaseSpec> =
                    state.releases.iter().filter(|r| same_repo(r, owner, repo)).collect();
                releases.reverse(); // newest first, as GitHub lists them
                self.releases_route(request, &releases, rest)
            }
            _ => not_found(),
        };
        with_quota(response)
    }

    fn releases_route(&self, request: &Request, releases: &[&ReleaseSpec], rest: &[&str]) -> Response {
        let by_id = |id: &str| {
            let id: u64 = id.parse().ok()?;
            releases.iter().find(|r| r.id == id).copied()
        };
        match rest {
            [] => Response::json(200, &Value::Array(releases.iter().map(|r| self.release_json(r)).collect())),
            ["latest"] => self.release_or_404(releases.first().copied()),
            ["tags", tag] => self.release_or_404(releases.iter().find(|r| r.tag == *tag).copied()),
            ["assets", id] => {
                let found = id
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| releases.iter().find_map(|r| r.assets.iter().find(|a| a.id == id).map(|a| (*r, a))));
                match found {
                    Some((_, asset))
                        if request.header("accept").is_some_and(|a| a.contains("application/octet-stream")) =>
                    {
                        Response::new(302).header("Location", &asset.download_url)
                    }
                    Some((release, asset)) => Response::json(200, &self.asset_json(release, asset)),
                    None => not_found(),
                }
            }
            [id] => self.release_or_404(by_id(id)),
            [id, "assets"] => match by_id(id) {
                Some(r) => Response::json(200, &Value::Array(r.assets.iter().map(|a| self.asset_json(r, a)).collect())),
                None => not_found(),
            },
            _ => not_found(),
        }
    }

    fn release_or_404(&self, release: Option<&ReleaseSpec>) -> Response {
        match release {
            Some(r) => Response::json(200, &self.release_json(r)),
            None => not_found(),
        }
    }

    fn release_json(&self, r: &ReleaseSpec) -> Value {
        let base = &self.base;
        let repo_api = format!("{base}/repos/{}/{}", r.owner, r.repo);
        let time = rfc3339(EPOCH_BASE + r.seq * 86_400);
        json!({
            "url": format!("{repo_api}/releases/{}", r.id),
            "assets_url": format!("{repo_api}/releases/{}/assets", r.id),
            "upload_url": format!("{base}/uploads/repos/{}/{}/releases/{}/assets{{?name,label}}", r.owner, r.repo, r.id),
            "html_url": format!("{base}/{}/{}/releases/tag/{}", r.owner, r.repo, r.tag),
            "id": r.id,
            "author": self.user_json(&r.owner),
            "node_id": format!("RE_kwDOfake{}", r.id),
            "tag_name": r.tag,
            "target_commitish": "main",
            "name": r.tag,
            "draft": false,
            "prerelease": false,
            "created_at": time,
            "published_at": time,
            "assets": r.assets.iter().map(|a| self.asset_json(r, a)).collect::<Vec<_>>(),
            "tarball_url": format!("{repo_api}/tarball/{}", r.tag),
            "zipball_url": format!("{repo_api}/zipball/{}", r.tag),
            "body": format!("Release {}", r.tag),
        })
    }

    fn asset_json(&self, r: &ReleaseSpec, a: &AssetSpec) -> Value {
        let time = rfc3339(EPOCH_BASE + r.seq * 86_400);
        json!({
            "url": format!("{}/repos/{}/{}/releases/assets/{}", self.base, r.owner, r.repo, a.id),
            "id": a.id,
            "node_id": format!("RA_kwDOfake{}", a.id),
            "name": a.name,
            "label": "",
            "uploader": self.user_json(&r.owner),
            "content_type": content_type_for(&a.name),
            "state": "uploaded",
            "size": self.size_of(&a.download_url),
            "digest": null,
            "download_count": 0,
            "created_at": time,
            "updated_at": time,
            "browser_download_url": a.download_url,
        })
    }

    /// The size of the download if this server serves it from a static
    /// route, else 0 (GitHub always knows; tests rarely care).
    fn size_of(&self, url: &str) -> u64 {
        let Some(rest) = url.strip_prefix(&self.base) else {
            return 0;
        };
        let path = percent_decode(split_target(rest).0);
        self.shared.upgrade().and_then(|shared| shared.body_len_of(&path)).unwrap_or(0)
    }

    /// A "simple user" object, fields as octocrab's `Author`/`Uploader` need.
    fn user_json(&self, login: &str) -> Value {
        let user = format!("{}/users/{login}", self.base);
        json!({
            "login": login,
            "id": 1,
            "node_id": "MDQ6VXNlcjE=",
            "avatar_url": format!("{}/avatars/u/1?v=4", self.base),
            "gravatar_id": "",
            "url": user,
            "html_url": format!("{}/{login}", self.base),
            "followers_url": format!("{user}/followers"),
            "following_url": format!("{user}/following{{/other_user}}"),
            "gists_url": format!("{user}/gists{{/gist_id}}"),
            "starred_url": format!("{user}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{user}/subscriptions"),
            "organizations_url": format!("{user}/orgs"),
            "repos_url": format!("{user}/repos"),
            "events_url": format!("{user}/events{{/privacy}}"),
            "received_events_url": format!("{user}/received_events"),
            "type": "User",
            "user_view_type": "public",
            "site_admin": false,
        })
    }
}

fn not_found() -> Response {
    Response::json(
        404,
        &json!({
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name",
            "status": "404",
        }),
    )
}

/// The quota headers GitHub puts on every answer, showing plenty left.
fn with_quota(response: Response) -> Response {
    response
        .header("x-ratelimit-limit", 5000)
        .header("x-ratelimit-remaining", 4999)
        .header("x-ratelimit-reset", now_secs() + 3600)
        .header("x-ratelimit-used", 1)
        .header("x-ratelimit-resource", "core")
}

fn rate_limited(reset: u64) -> Response {
    Response::json(
        403,
        &json!({
            "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }),
    )
    .header("x-ratelimit-limit", 60)
    .header("x-ratelimit-remaining", 0)
    .header("x-ratelimit-reset", reset)
    .header("x-ratelimit-used", 60)
    .header("x-ratelimit-resource", "core")
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), by
/// counting whole 400-year eras and then years of a March-based calendar
/// (which puts the leap day last).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153; // month index from March
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(EPOCH_BASE), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_164_800 + 3661), "2024-02-29T01:01:01Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
