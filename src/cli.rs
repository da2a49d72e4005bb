//! The command line, as clap definitions only. Validation and meaning live
//! in `commands`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "katalon-prep",
    version,
    about = "Prepare a Katalon test run in CI: the API key from secrets, plugins pinned and cached, a checked katalonc line",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The config file [default: katalon-prep.yml in the working directory, if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The Katalon project: its .prj file or its folder [default: the single .prj under the config's folder]
    #[arg(long, global = true, value_name = "PATH")]
    pub project: Option<PathBuf>,
    /// Where downloaded plugins are cached [default: $XDG_CACHE_HOME/katalon-prep, %LOCALAPPDATA%\katalon-prep on Windows, or ~/.cache/katalon-prep]
    #[arg(long, global = true, env = "KATALON_PREP_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// The name of the environment variable holding the API key [default: api-key.env in the config, else KATALON_API_KEY]
    #[arg(long, global = true, env = "KATALON_PREP_API_KEY_ENV", value_name = "NAME")]
    pub api_key_env: Option<String>,
    /// Read the API key from standard input
    #[arg(long, global = true)]
    pub api_key_stdin: bool,
    /// More logging (-v debug, -vv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Print nothing but errors and data
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install the configured plugins into the project, then print the katalonc line
    Prepare(PrepareArgs),
    /// Print the katalonc line only (no plugin work)
    Args(EmitArgs),
    /// Resolve every plugin and write katalon-prep.lock (pins versions, URLs and sha256)
    Lock(LockArgs),
    /// Show, per plugin, the locked version and the one its source serves now
    Outdated(OutdatedArgs),
    /// Inspect and maintain the plugin cache
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Provision the Katalon Runtime Engine of `engine:` (pinned in the lock, cached, a writable copy per project)
    #[command(subcommand)]
    Engine(EngineCommand),
    /// Run as the GitHub Action: read its inputs (INPUT_*), then `prepare`, `report` or `run` (the entry point of action.yml)
    #[command(name = "github-action", hide = true)]
    GithubAction,
    /// Lint the config, the project and the katalonc line, or a hand-written line (exit 13 on errors); needs no key
    Check(CheckArgs),
    /// Prepare, then run katalonc with the line and pass its exit code through
    Run(RunArgs),
    /// Turn a test suite collection or a set of suites into shards for the CI's parallel jobs
    Matrix(MatrixArgs),
    /// Undo what prepare did to the project (the jars it placed, the offline setting), as its install record says
    Clean,
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish)
    Completions {
        /// The shell the script is for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into DIR (the release archives carry them)
    #[command(hide = true)]
    Man {
        /// Write katalon-prep.1 and katalon-prep-<command>.1 here instead of printing katalon-prep.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Summarise Katalon's JUnit reports: a table, the failed tests, a merged JUnit file (exit 14: none found)
    Report(ReportArgs),
    /// Write a commented katalon-prep.yml for the project here (and a CI file), from flags, prompts or a katalonc line
    Init(InitArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table, then each failed test with its message and log
    Text,
    /// The same as GitHub-flavoured Markdown, failed tests in a collapsible <details>
    Markdown,
    /// One JSON object (schema documented in docs/src/results.md)
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// JUnit files or folders to search [default: the project's Reports/ and the line's -reportFolder]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How the results are printed (standard output)
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write one merged JUnit file for CI tools (GitLab, Jenkins) [on GitHub Actions: katalon-prep-junit.xml in the report folder]
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Read every run of each suite, not only the newest
    #[arg(long)]
    pub all: bool,
    /// Only reports written since TIME: RFC 3339 (2024-05-01T10:00:00Z) or a duration back from now (30m, 2h, 1h30m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Exit 1 when a test failed or errored, a suite crashed or a report is unreadable
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiSystem {
    /// .github/workflows/katalon.yml
    Github,
    /// .gitlab-ci.yml
    Gitlab,
    /// Jenkinsfile
    Jenkins,
    /// azure-pipelines.yml
    Azure,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The katalonc line your CI runs today (program name, quotes and `--config` allowed); its API key is dropped, never written
    #[arg(long, value_name = "LINE", allow_hyphen_values = true)]
    pub from_args: Option<String>,
    /// The test suite or collection to run (a path under the project, e.g. "Test Suites/Smoke")
    #[arg(long, value_name = "PATH")]
    pub suite: Option<String>,
    /// The execution profile
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The -browserType
    #[arg(long, value_name = "NAME")]
    pub browser: Option<String>,
    /// Also write the CI file for this system, from the templates the docs show
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub ci: Option<CiSystem>,
    /// Write `engine.version` (the project's Katalon version): katalon-prep then downloads, pins and runs that Runtime Engine itself
    #[arg(long)]
    pub engine: bool,
    /// Move the jars in the project's Plugins/ to vendor/katalon-plugins/ and list them as `path:` entries
    #[arg(long)]
    pub move_plugins: bool,
    /// Look the jars in Plugins/ up in the Katalon Store account (needs the key, e.g. in KATALON_API_KEY) and list matches as `store:` entries
    #[arg(long)]
    pub store: bool,
    /// Replace katalon-prep.yml (and the CI file) when they exist
    #[arg(long)]
    pub force: bool,
    /// Ask nothing: take the flags and the defaults
    #[arg(long, short = 'y', conflicts_with = "interactive")]
    pub yes: bool,
    /// Ask even when standard input is not a terminal (answers read line by line)
    #[arg(long)]
    pub interactive: bool,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Resolve every plugin again (newer Store versions); without it, entries already locked are kept
    #[arg(long)]
    pub update: bool,
    /// Engine platforms to pin: `all`, or a comma-separated list of linux-x64, linux-arm64, macos-x64, macos-arm64, windows-x64 [default: those locked already, and this machine's]
    #[arg(long, value_name = "PLATFORMS", value_delimiter = ',')]
    pub platform: Vec<String>,
    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutdatedFormat {
    /// Aligned columns for people
    Table,
    /// A JSON array of {name, source, locked, available}
    Json,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// How the result is printed
    #[arg(long, value_enum, default_value_t = OutdatedFormat::Table)]
    pub format: OutdatedFormat,
    /// Exit 32 when something is outdated
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineFormat {
    /// One POSIX-shell-quoted line, without the program name
    Shell,
    /// A JSON array of strings
    Json,
    /// PowerShell arguments (single-quoted where needed), for `& katalonc.exe <line>`
    Powershell,
    /// One cmd.exe line (C-runtime quoting, cmd's special characters escaped with ^)
    Cmd,
}

#[derive(Debug, Args)]
pub struct EmitArgs {
    /// How the line is printed
    #[arg(long, value_enum, default_value_t = LineFormat::Shell)]
    pub format: LineFormat,
    /// Write the line to FILE (mode 0600) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave -apiKey out of the line (another job appends it from its own secret)
    #[arg(long)]
    pub without_api_key: bool,
    /// Where the run sees the working directory (e.g. /tmp/project in the official image); prefixes emitted paths
    #[arg(long, value_name = "DIR")]
    pub workdir_as: Option<String>,
    /// Extra katalonc options, appended to the line before -apiKey and --config (after `--`)
    #[arg(last = true, value_name = "KATALONC_OPTION")]
    pub extra: Vec<String>,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub lint: AllowArgs,
}

/// Lint rules turned off for this command.
#[derive(Debug, Args, Default, Clone)]
pub struct AllowArgs {
    /// Turn lint rule RULE off (repeatable; with `lint.allow` of the config); docs/src/lint-rules.md lists the rules
    #[arg(long = "allow", value_name = "RULE")]
    pub allow: Vec<String>,
}

/// Which shard to prepare: one `matrix` entry, or its parts.
#[derive(Debug, Args, Default)]
pub struct ShardArgs {
    /// One `matrix` include entry as JSON, e.g. '{"suite":"Test Suites/A","browser":"Chrome","profile":"default"}'
    #[arg(long, value_name = "JSON", conflicts_with_all = ["suite", "browser", "profile"])]
    pub shard: Option<String>,
    /// The test suite to run, replacing `run.test-suite`
    #[arg(long, value_name = "PATH")]
    pub suite: Option<String>,
    /// The -browserType, replacing `run.browser`
    #[arg(long, value_name = "NAME")]
    pub browser: Option<String>,
    /// The execution profile, replacing `run.profile`
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Findings for people
    Text,
    /// One JSON object with every finding
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Lint this hand-written katalonc argument string instead (split as a POSIX shell would; a key in it is never printed)
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub args: Option<String>,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// How findings are printed (standard output)
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub lint: AllowArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The katalonc to run [default: katalonc, then katalonc.sh, on PATH]
    #[arg(long, env = "KATALONC", value_name = "PATH")]
    pub katalonc: Option<PathBuf>,
    /// Run without -apiKey (a licence from elsewhere)
    #[arg(long)]
    pub without_api_key: bool,
    /// Set plugin.reloadOption="OFFLINE" in the project even if the config does not say `offline: true`
    #[arg(long)]
    pub offline: bool,
    /// Fail (exit 31) unless katalon-prep.lock exists and matches katalon-prep.yml (for CI)
    #[arg(long)]
    pub locked: bool,
    /// Stop katalonc after this long (exit 51): seconds, or 90s, 30m, 2h, 1h30m; 0 for no limit [default: `run.timeout`, else no limit]
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser)]
    pub timeout: Option<Duration>,
    /// How long katalonc's processes get between SIGTERM and SIGKILL [default: `run.kill-after`, else 10s]
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser)]
    pub kill_after: Option<Duration>,
    /// Linux: start a private Xvfb for katalonc when DISPLAY is unset (auto), or never (none) [default: `run.display`, else auto]
    #[arg(long, value_enum, value_name = "MODE")]
    pub display: Option<crate::run::display::Mode>,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub fetch: FetchArgs,
    #[command(flatten)]
    pub lint: AllowArgs,
    /// More katalonc options, after `--` (linted too; a `--config` among them starts the config section)
    #[arg(last = true, value_name = "KATALONC_ARGS")]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    /// `{"include":[...]}` for `strategy.matrix` (and the `matrix`/`max-parallel` outputs in Actions)
    Github,
    /// A child-pipeline YAML, one job per shard
    Gitlab,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// The test suite collection to shard [default: `run.test-suite-collection` in the config]
    #[arg(long, value_name = "PATH", conflicts_with = "suites")]
    pub collection: Option<String>,
    /// Shard every test suite matching this glob instead, e.g. 'Test Suites/Smoke/**'
    #[arg(long, value_name = "GLOB")]
    pub suites: Option<String>,
    /// With --suites: the -browserType of every shard [default: `run.browser`]
    #[arg(long, value_name = "NAME", requires = "suites")]
    pub browser: Option<String>,
    /// With --suites: the execution profile of every shard [default: `run.profile`]
    #[arg(long, value_name = "NAME", requires = "suites")]
    pub profile: Option<String>,
    /// Where the matrix is for
    #[arg(long, value_enum, default_value_t = MatrixFormat::Github)]
    pub format: MatrixFormat,
    /// How many shards may run at once [default: the collection's maxConcurrentInstances when PARALLEL, 1 when SEQUENTIAL; every shard with --suites]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_parallel: Option<u32>,
    /// GitLab: the image each shard job runs in: one that runs Katalon (katalonc); katalon-prep comes from the prepare job
    #[arg(long, value_name = "IMAGE", default_value = "katalonstudio/katalon")]
    pub image: String,
    /// GitLab: the prepare job's image: katalon-prep with a shell (it passes the binary to the shard jobs)
    #[arg(long, value_name = "IMAGE", default_value = "ghcr.io/katalon-prep/katalon-prep:1-shell")]
    pub prep_image: String,
    /// The OS the shards run on, for warnings about browsers that cannot run there [default: RUNNER_OS, else this host]
    #[arg(long, value_enum, value_name = "OS")]
    pub runner_os: Option<RunnerOs>,
    #[command(flatten)]
    pub lint: AllowArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunnerOs {
    Linux,
    Windows,
    Macos,
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    #[command(flatten)]
    pub emit: EmitArgs,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// Set plugin.reloadOption="OFFLINE" in the project even if the config does not say `offline: true`
    #[arg(long)]
    pub offline: bool,
    /// Fail (exit 31) unless katalon-prep.lock exists and matches katalon-prep.yml (for CI)
    #[arg(long)]
    pub locked: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Downloads at once
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// Allow plain-http downloads from non-loopback hosts
    #[arg(long)]
    pub allow_http: bool,
    /// Refuse downloads larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_download_size: u64,
    /// Honour a server's Retry-After up to this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub max_retry_wait: u64,
    /// Seconds to wait for a connection
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// Seconds a download may stall before it is retried
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub read_timeout: u64,
    /// Total time one download may take, retries included (90s, 30m, 2h; a bare number is seconds)
    #[arg(
        long,
        value_name = "DURATION",
        env = "KATALON_PREP_DOWNLOAD_TIMEOUT",
        default_value = "30m",
        value_parser = crate::duration::clap_parser
    )]
    pub download_timeout: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum EngineCommand {
    /// Bring the engine into the cache (verified against the lock) and make the project's writable engine
    Install(EngineArgs),
    /// Print the absolute path of the writable engine's katalonc (installing it when missing)
    Path(EngineArgs),
    /// List the engines in the cache and in the lock: version, platform, sha256, size
    List,
}

#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Fail (exit 31) unless katalon-prep.lock pins the engine for this platform (for CI)
    #[arg(long)]
    pub locked: bool,
    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Print the cache directory
    Dir,
    /// Re-hash every cached jar and engine file and report corrupt entries (exit 30 when any)
    Verify {
        /// Remove corrupt entries (then exit 0)
        #[arg(long)]
        fix: bool,
    },
    /// Print a key for CI caches, derived from katalon-prep.lock (changes when the locked artifacts do)
    Key,
    /// Remove cache entries (plugins and engines) that no lock references
    Prune {
        /// Lock files, or folders holding katalon-prep.lock, whose entries are kept [default: the config's lock]
        #[arg(value_name = "PATH")]
        locks: Vec<PathBuf>,
        /// Only print what would be removed
        #[arg(long)]
        dry_run: bool,
    },
}
