//! What is inside a plugin artifact: checks that a jar is a real zip and
//! decides its kind, and extracts the jars of a package safely (no `..`, no
//! absolute paths, no symlinks, capped sizes and ratios).
//!
//! Pure file work on paths it is given; no network, no cache policy.

use fs_err::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use crate::config::Kind;
use crate::digest::{HashingWriter, Sha256};
use crate::report::untrusted;

/// Where a keyword plugin declares its keywords.
pub const KEYWORD_MANIFEST: &str = "Keywords/katalon-plugin.json";

/// Caps against zip bombs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total bytes extracted from one package.
    pub max_total: u64,
    /// Largest uncompressed/compressed ratio accepted for an entry above 1 MiB.
    pub max_ratio: u64,
    /// Entries in one archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_total: 2 * 1024 * 1024 * 1024, max_ratio: 200, max_entries: 100_000 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{name} is not a jar: {reason}")]
    NotAJar { name: String, reason: String },
    #[error("{name} is not a zip package: {reason}")]
    NotAZip { name: String, reason: String },
    #[error("Unsafe archive {}: entry `{}` {reason}", untrusted(name), untrusted(entry))]
    Unsafe { name: String, entry: String, reason: &'static str },
    #[error("Archive {name} is too large when unpacked ({reason})")]
    Bomb { name: String, reason: String },
    #[error("Package {name} holds no plugin jar (entries: {entries})")]
    NoJar { name: String, entries: String },
    #[error("Package {name} holds two jars named {jar}")]
    DuplicateJar { name: String, jar: String },
    /// The file and the operation that failed are in the cause: fs-err
    /// names them.
    #[error("Could not read or write a plugin package")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The documented exit code: bad content is an integrity error (30), a
    /// failed read or write the disk's (40).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::NotAJar { .. } => Exit::Integrity,
            Error::NotAZip { .. } => Exit::Integrity,
            Error::Unsafe { .. } => Exit::Integrity,
            Error::Bomb { .. } => Exit::Integrity,
            Error::NoJar { .. } => Exit::Integrity,
            Error::DuplicateJar { .. } => Exit::Integrity,
            Error::Io(_) => Exit::Filesystem,
        }
    }
}

/// What a jar says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JarInfo {
    pub kind: Option<Kind>,
    pub symbolic_name: Option<String>,
}

/// Opens a jar, proving it is a zip, and detects its kind:
/// `Keywords/katalon-plugin.json` → keyword; else `Bundle-SymbolicName` → platform.
pub fn inspect_jar(path: &Path, name: &str) -> Result<JarInfo, Error> {
    let file = File::open(path)?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Error::NotAJar { name: name.to_string(), reason: zip_reason(path, e) })?;
    if zip.by_name(KEYWORD_MANIFEST).is_ok() {
        return Ok(JarInfo { kind: Some(Kind::Keyword), symbolic_name: None });
    }
    let symbolic_name = match zip.by_name("META-INF/MANIFEST.MF") {
        Ok(mut entry) => {
            let mut text = String::new();
            // A manifest is small; cap what is read of it.
            let _ = entry.by_ref().take(1 << 20).read_to_string(&mut text);
            manifest_attribute(&text, "Bundle-SymbolicName")
                .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
                .filter(|v| !v.is_empty())
        }
        Err(_) => None,
    };
    Ok(JarInfo { kind: symbolic_name.as_ref().map(|_| Kind::Platform), symbolic_name })
}

fn zip_reason(path: &Path, e: zip::result::ZipError) -> String {
    let mut head = [0u8; 64];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    let text = text.trim_start();
    if text.starts_with('<') && (text.contains("html") || text.contains("<!doctype") || text.contains("<?xml")) {
        "it is an HTML/XML page, not a zip archive (an error page or a login page?)".to_string()
    } else if n == 0 {
        "it is empty".to_string()
    } else {
        format!("not a valid zip archive ({e})")
    }
}

/// Reads an attribute of a JAR manifest (72-byte lines continued by a
/// leading space).
pub fn manifest_attribute(text: &str, name: &str) -> Option<String> {
    let mut current: Option<String> = None;
    let mut found = None;
    let mut flush = |line: &Option<String>| {
        if let Some(line) = line
            && let Some((k, v)) = line.split_once(':')
            && k.trim().eq_ignore_ascii_case(name)
            && found.is_none()
        {
            found = Some(v.trim().to_string());
        }
    };
    for raw in text.lines() {
        if let Some(rest) = raw.strip_prefix(' ') {
            if let Some(line) = current.as_mut() {
                line.push_str(rest);
            }
        } else {
            flush(&current);
            current = Some(raw.to_string());
        }
    }
    flush(&current);
    found
}

/// True for jars that are never plugins (`-sources.jar`, `-javadoc.jar`).
pub fn is_plugin_jar(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".jar") && !lower.ends_with("-sources.jar") && !lower.ends_with("-javadoc.jar")
}

/// Checks that an entry name stays inside the extraction folder.
pub(crate) fn check_entry_name(name: &str) -> Result<(), &'static str> {
    if name.contains('\0') {
        return Err("contains a NUL byte");
    }
    // A newline would start a GitHub workflow command wherever the name is
    // printed; an escape sequence would drive the terminal.
    if name.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if name.starts_with('/') || name.starts_with('\\') || name.as_bytes().get(1) == Some(&b':') {
        return Err("is an absolute path");
    }
    // No filesystem takes a longer name; failing to create it would look
    // like a disk problem (exit 40) when the archive is at fault.
    if name.split(['/', '\\']).any(|c| c.len() > 255) {
        return Err("has a file name longer than 255 bytes");
    }
    if name.split(['/', '\\']).any(|c| c == "..") {
        return Err("climbs out of the archive with `..`");
    }
    Ok(())
}

/// A jar extracted from a package, hashed as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub file: String,
    pub sha256: Sha256,
    pub size: u64,
}

/// Extracts every plugin jar of a package into `dest` (flat, by file name),
/// after checking every entry of the archive. Each jar is hashed while it is
/// written, so it is never read back. (Not synced: the cache syncs every file
/// of an entry when it commits it.)
pub fn extract_jars(package: &Path, name: &str, dest: &Path, limits: Limits) -> Result<Vec<Extracted>, Error> {
    let result = extract(package, name, dest, limits);
    if result.is_err() {
        // A refused package leaves nothing of itself behind.
        let _ = std::fs::remove_dir_all(dest);
    }
    result
}

fn extract(package: &Path, name: &str, dest: &Path, limits: Limits) -> Result<Vec<Extracted>, Error> {
    let file = File::open(package)?;
    // The package's real size: the sizes in its headers can lie.
    let package_len = file.metadata()?.len().max(1);
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Error::NotAZip { name: name.to_string(), reason: zip_reason(package, e) })?;
    if zip.len() > limits.max_entries {
        return Err(Error::Bomb { name: name.to_string(), reason: format!("{} entries", zip.len()) });
    }
    // First pass: refuse the whole archive if any entry is unsafe.
    let mut jars = Vec::new();
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry =
            zip.by_index_raw(i).map_err(|e| Error::NotAZip { name: name.to_string(), reason: e.to_string() })?;
        let entry_name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| "?".into());
        check_entry_name(&entry_name).map_err(|reason| Error::Unsafe {
            name: name.to_string(),
            entry: entry_name.clone(),
            reason,
        })?;
        if entry.is_symlink() {
            return Err(Error::Unsafe { name: name.to_string(), entry: entry_name, reason: "is a symbolic link" });
        }
        let file_name = entry_name.rsplit(['/', '\\']).next().unwrap_or("").to_string();
        if !entry.is_dir() && is_plugin_jar(&file_name) {
            jars.push((i, file_name));
        }
        names.push(entry_name);
    }
    if jars.is_empty() {
        return Err(Error::NoJar { name: name.to_string(), entries: names.join(", ") });
    }
    fs_err::create_dir_all(dest)?;
    let mut total = 0u64;
    let mut out = Vec::new();
    for (i, file_name) in jars {
        if out.iter().any(|e: &Extracted| e.file == file_name) {
            return Err(Error::DuplicateJar { name: name.to_string(), jar: file_name });
        }
        let mut entry =
            zip.by_index(i).map_err(|e| Error::NotAZip { name: name.to_string(), reason: e.to_string() })?;
        let compressed = entry.compressed_size().max(1);
        let target = dest.join(&file_name);
        let mut f = HashingWriter::new(File::create(&target)?);
        // Count real bytes: the sizes in the headers can lie.
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n =
                entry.read(&mut buf).map_err(|e| Error::NotAZip { name: name.to_string(), reason: e.to_string() })?;
            if n == 0 {
                break;
            }
            written += n as u64;
            total += n as u64;
            if total > limits.max_total {
                return Err(Error::Bomb {
                    name: name.to_string(),
                    reason: format!("more than {} bytes", limits.max_total),
                });
            }
            if written > (1 << 20) && written / compressed > limits.max_ratio {
                return Err(Error::Bomb {
                    name: name.to_string(),
                    reason: format!("entry `{file_name}` expands more than {}:1", limits.max_ratio),
                });
            }
            // Bytes actually inflated against bytes actually in the package:
            // catches a forged compressed size and many entries each small
            // enough to pass the per-entry check.
            if total > (1 << 20) && total / package_len > limits.max_ratio {
                return Err(Error::Bomb {
                    name: name.to_string(),
                    reason: format!(
                        "its jars expand more than {}:1, {total} bytes from a {package_len}-byte package",
                        limits.max_ratio
                    ),
                });
            }
            f.write_all(&buf[..n])?;
        }
        let (sha256, size, _) = f.finish();
        out.push(Extracted { file: file_name, sha256, size });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_continuation_lines() {
        let m = "Manifest-Version: 1.0\r\nBundle-SymbolicName: com.example.very.long.na\r\n me;singleton:=true\r\n";
        assert_eq!(
            manifest_attribute(m, "Bundle-SymbolicName").as_deref(),
            Some("com.example.very.long.name;singleton:=true")
        );
    }

    #[test]
    fn entry_names() {
        assert!(check_entry_name("a/b.jar").is_ok());
        assert!(check_entry_name("../b.jar").is_err());
        assert!(check_entry_name("a/../../b.jar").is_err());
        assert!(check_entry_name("/etc/passwd").is_err());
        assert!(check_entry_name("C:/x.jar").is_err());
    }

    #[test]
    fn sources_and_javadoc_are_not_plugins() {
        assert!(is_plugin_jar("a-1.0.jar"));
        assert!(!is_plugin_jar("a-1.0-sources.jar"));
        assert!(!is_plugin_jar("a-1.0-javadoc.JAR"));
        assert!(!is_plugin_jar("a.zip"));
    }
}
