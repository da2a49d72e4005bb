//! `outdated [--format table|json] [--exit-code]`: per locked plugin, the
//! version the lock pins and the one its source serves now (Store: its
//! `latest_compatible_version`; GitHub: the latest release's tag; `path`
//! and `url`: not applicable). Plugins added to the account since the lock
//! was written show up here when the config says `store: all`.

use katalon_prep::cli::{OutdatedArgs, OutdatedFormat};
use katalon_prep::config::{self, Source, StoreRef};
use katalon_prep::lock;
use katalon_prep::plugins::resolve::Remote;
use katalon_prep::report::Event;
use katalon_prep::{Context, Error, Exit, secret};

/// One line of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub name: String,
    pub source: String,
    pub locked: Option<String>,
    pub available: Option<String>,
    #[serde(skip)]
    pub applicable: bool,
}

impl Row {
    pub fn is_outdated(&self) -> bool {
        self.applicable && self.locked != self.available
    }
}

pub fn run(ctx: &Context, args: &OutdatedArgs) -> Result<Exit, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    let (path, shown) = lock::path_for(&config);
    let loaded = lock::load(&path, &shown)?.ok_or(lock::Error::Missing { path: shown.clone() })?;
    let store_all = config.plugins.iter().any(|p| p.source == Source::Store(StoreRef::All, ()));
    let needs_store = store_all || loaded.lock.plugins.iter().any(|e| matches!(e.origin, Source::Store(..)));
    let key = if needs_store { Some(secret::resolve(&ctx.key_request(&config), ctx.env)?) } else { None };
    let opts = super::prepare::fetch_options(&args.fetch, ctx.env);
    let rt = super::runtime()?;
    let rows = rt.block_on(async {
        let remote = Remote::new(opts.net.clone(), &config.store, key.as_ref(), ctx.env, ctx.reporter);
        let listing = if needs_store { Some(remote.listing().await?) } else { None };
        let mut rows = Vec::new();
        for e in &loaded.lock.plugins {
            let mut row = Row {
                name: e.name.clone(),
                source: e.origin.kind().to_string(),
                locked: e.origin.version().map(str::to_string),
                available: None,
                applicable: false,
            };
            match &e.origin {
                Source::Store(_, release) => {
                    row.applicable = true;
                    row.available = listing.and_then(|l| l.by_product(release.product_id)).map(|p| p.version.clone());
                }
                Source::Github(release, _) => {
                    row.applicable = true;
                    let gh = remote.github().await?;
                    row.available = gh
                        .latest(release, ctx.reporter)
                        .await
                        .map_err(katalon_prep::plugins::Error::from)?
                        .map(|r| r.tag_name);
                }
                Source::Path(_) | Source::Url(_) => {}
            }
            rows.push(row);
        }
        if store_all && let Some(listing) = listing {
            for p in &listing.plugins {
                let known = loaded
                    .lock
                    .plugins
                    .iter()
                    .any(|e| matches!(&e.origin, Source::Store(_, r) if r.product_id == p.product_id));
                if !known {
                    rows.push(Row {
                        name: p.name.clone(),
                        source: "store".into(),
                        locked: None,
                        available: Some(p.version.clone()),
                        applicable: true,
                    });
                }
            }
        }
        Ok::<_, Error>(rows)
    })?;
    let outdated = rows.iter().filter(|r| r.is_outdated()).count();
    let text = match args.format {
        OutdatedFormat::Json => {
            let mut t = serde_json::to_string_pretty(&rows).map_err(|e| Error::Internal(e.to_string()))?;
            t.push('\n');
            t
        }
        OutdatedFormat::Table => table(&rows),
    };
    super::print_data(&text)?;
    // A GitHub plugin is pinned by the `tag:` the config writes: `lock
    // --update` cannot move it, editing the tag does.
    let github = rows.iter().filter(|r| r.is_outdated() && r.source == "github").count();
    let mut how = Vec::new();
    if outdated > github {
        how.push("`katalon-prep lock --update` locks what the Store serves now".to_string());
    }
    if github > 0 {
        how.push(format!(
            "{github} from GitHub: change `tag:` in katalon-prep.yml to the newer release, then run `katalon-prep lock`"
        ));
    }
    ctx.reporter.report(Event::Info(if outdated == 0 {
        format!("All {} locked plugins are up to date", rows.len())
    } else {
        format!("{outdated} of {} plugins outdated; {}", rows.len(), how.join("; "))
    }));
    Ok(if args.exit_code && outdated > 0 { Exit::Outdated } else { Exit::Ok })
}

fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            let (locked, available) = if r.applicable {
                (
                    r.locked.clone().unwrap_or_else(|| "-".into()),
                    r.available.clone().unwrap_or_else(|| "(not served)".into()),
                )
            } else {
                ("-".into(), "n/a".into())
            };
            [r.name.clone(), r.source.clone(), locked, available]
        })
        .collect();
    let header = ["NAME".to_string(), "SOURCE".into(), "LOCKED".into(), "AVAILABLE".into()];
    let mut widths = header.iter().map(|h| h.chars().count()).collect::<Vec<_>>();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
