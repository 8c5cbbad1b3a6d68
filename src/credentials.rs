//! The OAuth client credentials, and where the client secret comes from.
//!
//! A secret from `--adobe.client-secret-file` is read again whenever a token is requested (about
//! once a day) and while IMS requests are backing off, so a rotated secret is picked up without a
//! restart: Adobe's Developer Console rotates by adding a new secret and deleting the old one,
//! and Kubernetes updates a mounted Secret in place. A file that cannot be read (or is empty)
//! keeps the last good secret, with one warning line until it can be read again. The secret
//! itself never reaches a log line, an error or `Debug` output.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};
use tracing::{info, warn};

/// OAuth server-to-server credentials.
#[derive(Debug)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub scopes: String,
}

/// Why a secret file gave no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretFileError {
    /// The io error's kind only: never anything of the file's content.
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is empty")]
    Empty { path: String },
}

/// The client secret: fixed (from the environment), or the content of a file.
pub struct ClientSecret {
    file: Option<PathBuf>,
    state: Mutex<SecretState>,
}

struct SecretState {
    /// The last secret read successfully.
    current: SecretString,
    /// Whether the last read failed (so the warning is said once, not on every attempt).
    unreadable: bool,
}

/// What [`ClientSecret::reload`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    /// No file, or the same secret as before.
    Unchanged,
    /// The file holds a new secret, which is now the current one.
    Changed,
    /// The file cannot be read or is empty: the last good secret stays.
    KeptLastGood,
}

impl ClientSecret {
    /// A secret that never changes (`ADOBE_CLIENT_SECRET`, the demo's).
    pub fn fixed(secret: SecretString) -> ClientSecret {
        ClientSecret {
            file: None,
            state: Mutex::new(SecretState {
                current: secret,
                unreadable: false,
            }),
        }
    }

    /// The secret in `path`, read now: at start-up an unreadable or empty file is an error.
    pub fn from_file(path: &Path) -> Result<ClientSecret, SecretFileError> {
        Ok(ClientSecret {
            state: Mutex::new(SecretState {
                current: read(path)?,
                unreadable: false,
            }),
            file: Some(path.to_owned()),
        })
    }

    /// The secret to send now.
    pub fn current(&self) -> SecretString {
        self.lock().current.clone()
    }

    /// Read the file again (if there is one) and make what it holds the current secret.
    pub fn reload(&self) -> Reload {
        let Some(path) = &self.file else {
            return Reload::Unchanged;
        };
        let read = read(path);
        let mut state = self.lock();
        match read {
            Ok(secret) => {
                let changed = secret.expose_secret() != state.current.expose_secret();
                let was_unreadable = std::mem::replace(&mut state.unreadable, false);
                if changed {
                    state.current = secret;
                    info!(file = %path.display(), "picked up a new client secret from the secret file");
                    Reload::Changed
                } else {
                    if was_unreadable {
                        info!(file = %path.display(), "the client secret file is readable again");
                    }
                    Reload::Unchanged
                }
            }
            Err(err) => {
                if !std::mem::replace(&mut state.unreadable, true) {
                    warn!(error = %err, "client secret file unusable; keeping the last good secret");
                }
                Reload::KeptLastGood
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SecretState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecret")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// The trimmed content of a secret file.
fn read(path: &Path) -> Result<SecretString, SecretFileError> {
    let shown = || path.display().to_string();
    let raw = std::fs::read_to_string(path).map_err(|e| SecretFileError::Read {
        path: shown(),
        reason: e.kind().to_string(),
    })?;
    let secret = SecretString::from(raw.trim());
    if secret.expose_secret().is_empty() {
        return Err(SecretFileError::Empty { path: shown() });
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ase-cred-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, content).unwrap();
        file
    }

    #[test]
    fn a_rotated_file_is_picked_up_and_an_unusable_one_keeps_the_last_good_secret() {
        let file = temp_file("rotate", "first\n");
        let secret = ClientSecret::from_file(&file).unwrap();
        assert_eq!(secret.current().expose_secret(), "first");
        assert_eq!(secret.reload(), Reload::Unchanged);
        std::fs::write(&file, "second").unwrap();
        assert_eq!(secret.reload(), Reload::Changed);
        assert_eq!(secret.current().expose_secret(), "second");
        std::fs::write(&file, "  \n").unwrap();
        assert_eq!(secret.reload(), Reload::KeptLastGood);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(secret.reload(), Reload::KeptLastGood);
        assert_eq!(secret.current().expose_secret(), "second");
        std::fs::write(&file, "second").unwrap();
        assert_eq!(secret.reload(), Reload::Unchanged);
    }

    #[test]
    fn start_up_errors_name_the_file_and_never_the_content() {
        let empty = temp_file("empty", "\n");
        assert_eq!(
            ClientSecret::from_file(&empty).unwrap_err(),
            SecretFileError::Empty {
                path: empty.display().to_string()
            }
        );
        let missing = Path::new("/nonexistent/secret");
        assert!(ClientSecret::from_file(missing)
            .unwrap_err()
            .to_string()
            .starts_with("cannot read /nonexistent/secret"));
    }

    #[test]
    fn fixed_secrets_never_reload_and_debug_shows_no_secret() {
        let secret = ClientSecret::fixed(SecretString::from("canary-value"));
        assert_eq!(secret.reload(), Reload::Unchanged);
        let file = temp_file("debug", "canary-value");
        let from_file = ClientSecret::from_file(&file).unwrap();
        for shown in [format!("{secret:?}"), format!("{from_file:?}")] {
            assert!(!shown.contains("canary"), "{shown}");
        }
    }
}
