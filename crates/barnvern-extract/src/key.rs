//! The project key: at least 32 bytes, from a key file or the environment variable
//! [`KEY_ENV`], never printed, logged or written; a fingerprint stands for it in manifests.

use std::fmt;
use std::path::Path;

use hmac::{Hmac, KeyInit};
use sha2::{Digest, Sha256};

/// The environment variable a key may come from.
pub const KEY_ENV: &str = "BARNVERN_KEY";
/// The shortest key accepted, in bytes: HMAC-SHA256 wants a key as long as its output.
pub const MIN_KEY_BYTES: usize = 32;

/// Why a key could not be had. Messages name the source and the rule, never the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is shorter than [`MIN_KEY_BYTES`].
    #[error(
        "the project key from {source_name} has {length} bytes; a key needs at least 32 bytes (for example 64 hex characters from `openssl rand -hex 32`)"
    )]
    TooShort {
        /// Where the key came from (a file path or the variable name).
        source_name: String,
        /// Its length in bytes.
        length: usize,
    },
    /// The key file could not be read.
    #[error("cannot read the project key file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The HMAC could not be keyed with the key (HMAC takes keys of any length, so this names
    /// an impossible state rather than letting it become silent all-zero pseudonyms).
    #[error("the project key from {source_name} cannot key HMAC-SHA256")]
    Unusable {
        /// Where the key came from.
        source_name: String,
    },
    /// Neither a key file nor the environment variable was given.
    #[error(
        "no project key: give --key-file FILE or set {KEY_ENV} (research extracts are always pseudonymised; `barnvern demo` alone uses a one-off key)"
    )]
    Missing,
}

/// A project key. `Debug` never shows it.
///
/// A key holds its HMAC-SHA256 state, keyed once when the key is made: a key that exists can
/// pseudonymise, so no pseudonym is ever made without it.
#[derive(Clone)]
pub struct ProjectKey {
    bytes: Vec<u8>,
    demo: bool,
    mac: Hmac<Sha256>,
}

impl PartialEq for ProjectKey {
    fn eq(&self, other: &ProjectKey) -> bool {
        self.bytes == other.bytes && self.demo == other.demo
    }
}

impl Eq for ProjectKey {}

impl fmt::Debug for ProjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProjectKey({}, redacted)", self.fingerprint())
    }
}

impl ProjectKey {
    /// A key from bytes; `source_name` says where they came from, for the error message.
    pub fn from_bytes(bytes: Vec<u8>, source_name: &str) -> Result<ProjectKey, KeyError> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                source_name: source_name.to_owned(),
                length: bytes.len(),
            });
        }
        ProjectKey::keyed(bytes, false, source_name)
    }

    /// A key from a file: its bytes, without one trailing line end (`\n` or `\r\n`).
    pub fn from_file(path: &Path) -> Result<ProjectKey, KeyError> {
        let mut bytes = std::fs::read(path).map_err(|e| KeyError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if bytes.ends_with(b"\r\n") {
            bytes.truncate(bytes.len() - 2);
        } else if bytes.ends_with(b"\n") {
            bytes.truncate(bytes.len() - 1);
        }
        ProjectKey::from_bytes(bytes, &path.display().to_string())
    }

    /// A key from the value of [`KEY_ENV`] (its bytes as text).
    pub fn from_env_value(value: &str) -> Result<ProjectKey, KeyError> {
        ProjectKey::from_bytes(value.as_bytes().to_vec(), KEY_ENV)
    }

    /// The key from `key_file` if given, else from [`KEY_ENV`]; [`KeyError::Missing`] if
    /// neither.
    pub fn from_file_or_env(key_file: Option<&Path>) -> Result<ProjectKey, KeyError> {
        match key_file {
            Some(path) => ProjectKey::from_file(path),
            None => match std::env::var(KEY_ENV) {
                Ok(value) => ProjectKey::from_env_value(&value),
                Err(_) => Err(KeyError::Missing),
            },
        }
    }

    /// A random one-off key for `barnvern demo`: its pseudonyms cannot be linked to any other
    /// extract, and the manifest says so ([`ProjectKey::is_demo`]).
    pub fn random_demo() -> Result<ProjectKey, KeyError> {
        let bytes: [u8; 32] = rand::random();
        ProjectKey::keyed(bytes.to_vec(), true, "the one-off demo key")
    }

    fn keyed(bytes: Vec<u8>, demo: bool, source_name: &str) -> Result<ProjectKey, KeyError> {
        let mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes).map_err(|_| KeyError::Unusable {
                source_name: source_name.to_owned(),
            })?;
        Ok(ProjectKey { bytes, demo, mac })
    }

    /// Whether this is a one-off demo key.
    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// `sha256:` and the first 16 hex characters of SHA-256 over a fixed label and the key:
    /// enough to tell two keys apart, nothing to recover the key from.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"barnvern key fingerprint v1\0");
        hasher.update(&self.bytes);
        let digest = hasher.finalize();
        format!("sha256:{}", hex::encode(&digest[..8]))
    }

    /// The HMAC-SHA256 state keyed with this key.
    pub(crate) fn mac(&self) -> &Hmac<Sha256> {
        &self.mac
    }
}

/// A warning when the key file at `path` may be read or written by its group or by others
/// (mode bits `0o077`), as ssh warns about a private key: the key is what makes pseudonyms
/// unlinkable, so it should be readable by its owner only. `None` for an owner-only file, a
/// file that cannot be inspected, and on systems without Unix permissions. Names the file and
/// its mode, never the key.
pub fn key_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "the project key file {} has permissions {mode:04o}: others than its owner may read or change it, and anyone who reads it can link pseudonyms back to identity numbers; restrict it with `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_without_repeating_them() {
        let err = ProjectKey::from_env_value("secret-but-short").unwrap_err();
        assert!(matches!(err, KeyError::TooShort { length: 16, .. }));
        assert!(!err.to_string().contains("secret-but-short"));
        assert!(err.to_string().contains(KEY_ENV));
    }

    #[test]
    fn key_files_lose_one_line_end_and_keep_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        std::fs::write(&path, format!("{key}\n")).unwrap();
        let from_file = ProjectKey::from_file(&path).unwrap();
        assert_eq!(from_file, ProjectKey::from_env_value(key).unwrap());
        std::fs::write(&path, "short\n").unwrap();
        assert!(matches!(
            ProjectKey::from_file(&path),
            Err(KeyError::TooShort { length: 5, .. })
        ));
        assert!(matches!(
            ProjectKey::from_file(&dir.path().join("none")),
            Err(KeyError::Unreadable { .. })
        ));
    }

    #[test]
    fn fingerprints_tell_keys_apart_and_debug_hides_the_key() {
        let a = ProjectKey::from_env_value(&"a".repeat(32)).unwrap();
        let b = ProjectKey::from_env_value(&"b".repeat(32)).unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), "sha256:".len() + 16);
        assert!(!format!("{a:?}").contains("aaaa"));
        let demo = ProjectKey::random_demo().unwrap();
        assert!(demo.is_demo() && !a.is_demo());
        assert_ne!(
            demo.fingerprint(),
            ProjectKey::random_demo().unwrap().fingerprint()
        );
    }

    /// As ssh does: a key file that group or others may read or write is worth a warning
    /// (naming the file and its mode, never the key); an owner-only file is not.
    #[cfg(unix)]
    #[test]
    fn key_files_open_to_others_are_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        std::fs::write(&path, key).unwrap();
        for (mode, warned) in [
            (0o600, false),
            (0o400, false),
            (0o640, true),
            (0o604, true),
            (0o620, true),
            (0o666, true),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let warning = key_file_warning(&path);
            assert_eq!(warning.is_some(), warned, "{mode:o}");
            if let Some(w) = warning {
                assert!(w.contains(&format!("{mode:04o}")), "{w}");
                assert!(w.contains("chmod 600"), "{w}");
                assert!(!w.contains(key));
            }
        }
    }
}
