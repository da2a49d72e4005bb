//! The Katalon API key: where it is looked for, what a valid one looks like,
//! and the process-wide redaction of its value.
//!
//! The value lives only inside [`ApiKey`], whose `Debug`/`Display` print `***`
//! and whose memory is zeroized on drop. Anything that prints text the user
//! can read later (logs, errors, the step summary) passes through
//! [`redact`]. This module never prints or writes the value itself.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use zeroize::Zeroizing;

/// The default name of the environment variable holding the key.
pub const DEFAULT_ENV: &str = "KATALON_API_KEY";
/// Where Docker and Compose secrets appear.
pub const DEFAULT_SECRETS_DIR: &str = "/run/secrets";
/// The file name of the Docker secret looked for in the secrets directory.
pub const DOCKER_SECRET_NAME: &str = "katalon_api_key";
/// What a redacted secret looks like.
pub const MASK: &str = "***";
/// The shortest API key accepted. Katalon's keys are far longer; a shorter
/// value is a placeholder or a word (`katalon`), and masking a word wherever
/// it occurs would mangle every log line and give the key away (`k***t`).
pub const MIN_KEY_LEN: usize = 16;

/// Where a key came from. Printed in errors instead of the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Stdin,
    Env(String),
    EnvFile { var: String, path: PathBuf },
    ActionInput(String),
    DockerSecret(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Stdin => write!(f, "standard input (--api-key-stdin)"),
            KeySource::Env(var) => write!(f, "environment variable {var}"),
            // A variable meant to hold a path sometimes holds the key itself:
            // the path is shown only when it names a file that exists.
            KeySource::EnvFile { var, path } if path.exists() => {
                write!(f, "file {} (from environment variable {var})", path.display())
            }
            KeySource::EnvFile { var, .. } => {
                write!(f, "the file named by environment variable {var} (no such file: it must hold a path)")
            }
            KeySource::ActionInput(var) => write!(f, "GitHub Action input `api-key` ({var})"),
            KeySource::DockerSecret(path) => write!(f, "Docker secret {}", path.display()),
        }
    }
}

/// A validated API key. Never printed: `Debug` and `Display` show `***`.
pub struct ApiKey {
    value: Zeroizing<String>,
    source: KeySource,
}

impl ApiKey {
    /// Validates `value` and registers it for redaction.
    pub fn new(mut value: Zeroizing<String>, source: KeySource) -> Result<Self, Error> {
        // Editors on Windows start a file with a byte-order mark.
        if let Some(rest) = value.strip_prefix('\u{feff}') {
            value = Zeroizing::new(rest.to_string());
        }
        let reason = if value.is_empty() {
            Some("it is empty")
        } else if value.contains(['\n', '\r']) {
            Some("it spans several lines")
        } else if value.chars().any(char::is_whitespace) {
            Some("it contains whitespace")
        } else if value.chars().any(char::is_control) {
            Some("it contains control characters")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::Malformed { from: source, reason });
        }
        let len = value.chars().count();
        if len < MIN_KEY_LEN {
            return Err(Error::TooShort { from: source, len });
        }
        register(&value);
        Ok(ApiKey { value, source })
    }

    /// The key itself. Call only where the key is meant to go: the injected
    /// `-apiKey=` token, the `::add-mask::` command, the Store's `apiKey` header.
    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({MASK}, from {})", self.source)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("No Katalon API key found; looked in:\n{}", looked.iter().map(|l| format!("  - {l}")).collect::<Vec<_>>().join("\n"))]
    Missing { var: String, looked: Vec<String> },
    #[error(
        "The name given for the API key's variable (--api-key-env or KATALON_PREP_API_KEY_ENV) is not an environment variable name"
    )]
    BadVarName,
    #[error("Both {var} and {var}_FILE are set; set only one of them")]
    Ambiguous { var: String },
    #[error("The API key from {from} is malformed: {reason}")]
    Malformed { from: KeySource, reason: &'static str },
    #[error("The API key from {from} is {len} characters long; a Katalon API key has at least {MIN_KEY_LEN}")]
    TooShort { from: KeySource, len: usize },
    #[error("{} set but empty; no API key in it", names(vars))]
    Empty { vars: Vec<String> },
    #[error("Could not read the API key from {from}")]
    Read {
        from: KeySource,
        #[source]
        cause: std::io::Error,
    },
}

impl Error {
    /// The documented exit code: every API key error is exit 11.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Missing { .. } => Exit::ApiKey,
            Error::BadVarName => Exit::ApiKey,
            Error::Ambiguous { .. } => Exit::ApiKey,
            Error::Malformed { .. } => Exit::ApiKey,
            Error::TooShort { .. } => Exit::ApiKey,
            Error::Empty { .. } => Exit::ApiKey,
            Error::Read { .. } => Exit::ApiKey,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Missing { var, .. } => format!(
                "set {var} from your CI's secret store (e.g. `{var}: ${{{{ secrets.KATALON_API_KEY }}}}` on GitHub), or pass --without-api-key to emit the line without it"
            ),
            Error::BadVarName => "give the variable's name, e.g. KATALON_API_KEY, never the key itself".into(),
            Error::Ambiguous { .. } => return None,
            Error::Malformed { .. } => "a Katalon API key is a single token without spaces or newlines".into(),
            Error::TooShort { .. } => "copy the whole key from Katalon TestOps or the Katalon Platform (Settings > API Keys); a placeholder or a word is not a key".into(),
            Error::Empty { .. } => "a CI secret is empty where it is not available, e.g. on a pull request from a fork; set the secret for this job, or pass --without-api-key".into(),
            Error::Read { .. } => return None,
        })
    }
}

/// `X is` / `X and Y are`.
fn names(vars: &[String]) -> String {
    match vars {
        [one] => format!("{one} is"),
        _ => format!("{} are", vars.join(" and ")),
    }
}

/// Where to look for the key, as the command line and config decided.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    /// The name of the variable holding the key (`api-key.env`, `--api-key-env`).
    pub var: String,
    /// `--api-key-stdin`: read the key from standard input first.
    pub stdin: bool,
    /// Where Docker secrets live (normally `/run/secrets`).
    pub secrets_dir: PathBuf,
}

/// Finds the key, in the documented order: stdin (when asked), `$VAR`,
/// `$VAR_FILE`, the GitHub Action input, the Docker secret.
pub fn resolve(request: &KeyRequest, env: &crate::env::Env) -> Result<ApiKey, Error> {
    if !is_env_name(&request.var) {
        // Never echoed: a key pasted where its variable's name belongs.
        return Err(Error::BadVarName);
    }
    let var = &request.var;
    let file_var = format!("{var}_FILE");
    let mut looked = Vec::new();

    if request.stdin {
        let mut buf = Zeroizing::new(String::new());
        std::io::stdin().read_to_string(&mut buf).map_err(|cause| Error::Read { from: KeySource::Stdin, cause })?;
        return ApiKey::new(trim_line_end(buf), KeySource::Stdin);
    }

    // Set but empty (a secret not available to this job) is remembered: if
    // no other place has a key, the error says so instead of "not found".
    let mut empty = Vec::new();
    let mut set = |name: &str, is_set: bool| {
        if !is_set {
            empty.push(name.to_string());
        }
        is_set
    };
    let direct = env.var(var).filter(|v| set(var, !v.is_empty()));
    let file = env.path(&file_var).filter(|p| set(&file_var, !p.as_os_str().is_empty()));
    if direct.is_some() && file.is_some() {
        return Err(Error::Ambiguous { var: var.clone() });
    }
    if let Some(value) = direct {
        // A secret pasted with its newline: trimmed, as for a file.
        return ApiKey::new(trim_line_end(value), KeySource::Env(var.clone()));
    }
    looked.push(format!("environment variable {var}"));
    if let Some(path) = file {
        let source = KeySource::EnvFile { var: file_var.clone(), path: path.clone() };
        return read_key_file(&path, source);
    }
    looked.push(format!("environment variable {file_var} (a path to a file)"));

    for input in ["INPUT_API-KEY", "INPUT_API_KEY"] {
        if let Some(value) = env.var(input).filter(|v| set(input, !v.is_empty())) {
            return ApiKey::new(trim_line_end(value), KeySource::ActionInput(input.to_string()));
        }
    }
    looked.push("GitHub Action input `api-key` (INPUT_API-KEY, INPUT_API_KEY)".to_string());

    let docker = request.secrets_dir.join(DOCKER_SECRET_NAME);
    if docker.is_file() {
        return read_key_file(&docker, KeySource::DockerSecret(docker.clone()));
    }
    looked.push(format!("Docker secret {}", docker.display()));

    if !empty.is_empty() {
        return Err(Error::Empty { vars: empty });
    }
    Err(Error::Missing { var: var.clone(), looked })
}

fn read_key_file(path: &Path, source: KeySource) -> Result<ApiKey, Error> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|cause| Error::Read { from: source.clone(), cause })?);
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => Zeroizing::new(text.to_string()),
        Err(_) => return Err(Error::Malformed { from: source, reason: "it is not UTF-8 text" }),
    };
    ApiKey::new(trim_line_end(text), source)
}

/// Trims one trailing newline (`\n` or `\r\n`), as `echo` and editors add it.
fn trim_line_end(mut value: Zeroizing<String>) -> Zeroizing<String> {
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    value
}

static SECRETS: RwLock<Vec<Zeroizing<String>>> = RwLock::new(Vec::new());
/// Short credential values (a `-kobitonToken=ab` in `check --args`): masked
/// only as whole tokens, so a common word inside other words stays readable.
static TOKENS: RwLock<Vec<Zeroizing<String>>> = RwLock::new(Vec::new());

/// Adds a value (and its URL-encoded form) to the process-wide redaction list.
/// Every new form is also passed to the hook set by [`on_register`].
pub fn register(value: &str) {
    if value.is_empty() {
        return;
    }
    let mut added = Vec::new();
    {
        let short = value.chars().count() < MIN_KEY_LEN;
        let mut list = if short { TOKENS.write() } else { SECRETS.write() }.unwrap_or_else(|e| e.into_inner());
        let encoded = crate::net::urls::encode_component(value);
        for form in [value.to_string(), encoded] {
            if !list.iter().any(|s| s.as_str() == form) {
                list.push(Zeroizing::new(form.clone()));
                added.push(Zeroizing::new(form));
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
    if let Some(hook) = ON_REGISTER.get() {
        for form in &added {
            hook(form);
        }
    }
}

static ON_REGISTER: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Sets what happens to every newly registered secret, before it can be
/// printed anywhere: on GitHub Actions, the `::add-mask::` command. Only the
/// first call has an effect.
pub fn on_register(hook: fn(&str)) {
    let _ = ON_REGISTER.set(hook);
}

/// Whether `name` can name an environment variable (and so is not a key
/// pasted where a name belongs).
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every registered secret in `text` with `***`: long ones
/// wherever they occur, short ones where they are a whole token.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let list = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let tokens = TOKENS.read().unwrap_or_else(|e| e.into_inner());
    if !list.iter().chain(tokens.iter()).any(|s| text.contains(s.as_str())) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for secret in list.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    for token in tokens.iter() {
        out = replace_tokens(&out, token);
    }
    std::borrow::Cow::Owned(out)
}

/// `text` with every occurrence of `token` not glued to a letter or digit
/// replaced by the mask.
fn replace_tokens(text: &str, token: &str) -> String {
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(token) {
        let before = out.chars().next_back().filter(|_| i == 0).or_else(|| rest[..i].chars().next_back());
        let after = rest[i + token.len()..].chars().next();
        out.push_str(&rest[..i]);
        if glued(before) || glued(after) {
            out.push_str(token);
        } else {
            out.push_str(MASK);
        }
        rest = &rest[i + token.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let key = ApiKey::new(Zeroizing::new("sentinel-DEBUG-1234".into()), KeySource::Env("K".into())).unwrap();
        assert!(!format!("{key:?}").contains("sentinel"));
        assert_eq!(key.to_string(), MASK);
    }

    #[test]
    fn malformed_keys_are_rejected_without_echoing_them() {
        for bad in ["", "two words", "line1\nline2", "tab\there"] {
            let err = ApiKey::new(Zeroizing::new(bad.into()), KeySource::Stdin).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, Error::Malformed { .. }));
            if !bad.is_empty() {
                assert!(!msg.contains(bad), "{msg}");
            }
        }
    }

    #[test]
    fn short_values_are_masked_as_whole_tokens_only() {
        register("zq");
        assert_eq!(redact("-kobitonToken=zq -x=zq"), "-kobitonToken=*** -x=***");
        assert_eq!(redact("zqx azq a-zq-b"), "zqx azq a-***-b");
        assert_eq!(redact("zq"), "***");
    }

    #[test]
    fn keys_shorter_than_16_are_refused_and_a_bom_is_dropped() {
        let err = ApiKey::new(Zeroizing::new("katalonc".into()), KeySource::Stdin).unwrap_err();
        assert!(matches!(err, Error::TooShort { len: 8, .. }), "{err}");
        assert!(!err.to_string().contains("katalonc"));
        let key = ApiKey::new(Zeroizing::new("\u{feff}bom-key-0123456789".into()), KeySource::Stdin).unwrap();
        assert_eq!(key.expose(), "bom-key-0123456789");
    }

    #[test]
    fn redact_masks_registered_values_and_encodings() {
        register("s3cr3t/with+plus");
        assert_eq!(redact("a s3cr3t/with+plus b"), "a *** b");
        assert_eq!(redact("q=s3cr3t%2Fwith%2Bplus"), "q=***");
        assert_eq!(redact("nothing here"), "nothing here");
    }
}
