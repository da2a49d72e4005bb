//! `clean`: undo what `prepare` did to the project, exactly as its install
//! record says — the jars it placed in `Plugins/`, the settings edit of
//! `offline: true` — so a developer's checkout shows no diff. A file the
//! record does not name, or one changed since katalon-prep wrote it, is
//! never touched.

use katalon_prep::location::Located;
use katalon_prep::plugins::install;
use katalon_prep::report::Event;
use katalon_prep::{Context, Error, Exit, config, project};

pub fn clean(ctx: &Context) -> Result<Exit, Error> {
    let found = match &ctx.project {
        Some(flag) => project::discover(Some(&Located::bare(ctx.cwd.join(flag))), &ctx.cwd)?,
        None => {
            let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
            project::discover(config.project.as_ref(), &config.base_dir)?
        }
    };
    let done = install::clean(&found.root, ctx.reporter)?;
    if let Some(path) = &done.restored {
        let shown = katalon_prep::katalonc::argv::relative(path, &ctx.cwd);
        ctx.reporter.report(Event::Info(format!("Restored    {}", katalon_prep::report::untrusted_path(&shown))));
    }
    let n = done.removed.len();
    ctx.reporter.report(Event::Info(match (n, &done.restored, done.kept.len()) {
        (0, None, 0) => "Nothing to clean: katalon-prep has not changed this project".to_string(),
        (_, _, kept) => format!(
            "{n} file{} removed{}{}",
            if n == 1 { "" } else { "s" },
            if done.restored.is_some() { ", settings restored" } else { "" },
            if kept > 0 { format!(", {kept} changed since and left in place") } else { String::new() }
        ),
    }));
    Ok(Exit::Ok)
}
