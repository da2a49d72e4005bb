//! `cache dir` and `cache verify`.

use crate::cli::CacheCommand;
use crate::plugins::cache::{self, Cache};
use crate::report::Event;
use crate::{Context, Error, Exit};

pub fn run(ctx: &Context, cmd: CacheCommand) -> Result<Exit, Error> {
    let dir = match &ctx.cache_dir {
        Some(dir) => ctx.cwd.join(dir),
        None => cache::default_dir()?,
    };
    match cmd {
        CacheCommand::Dir => {
            super::print_data(&format!("{}\n", dir.display()))?;
            Ok(Exit::Ok)
        }
        CacheCommand::Verify { fix } => {
            let cache = Cache::at(&dir);
            let entries = cache.entries().len();
            let corrupt = cache.verify();
            for c in &corrupt {
                ctx.reporter.report(Event::Warning(format!("corrupt cache entry {}: {}", c.sha256, c.reason)));
                if fix {
                    cache.remove(&c.sha256)?;
                    ctx.reporter.report(Event::Info(format!("removed {}", c.sha256)));
                }
            }
            ctx.reporter.report(Event::Info(format!(
                "{entries} cache entr{} checked, {} corrupt",
                if entries == 1 { "y" } else { "ies" },
                corrupt.len()
            )));
            Ok(if corrupt.is_empty() || fix { Exit::Ok } else { Exit::Integrity })
        }
    }
}
