//! The client secret: from a file (preferred; read again at run time, see `credentials.rs`) or
//! the `ADOBE_CLIENT_SECRET` environment variable, never argv; trimmed; a file other local users
//! can read is worth a warning.

use std::path::PathBuf;

use secrecy::SecretString;

use super::ConfigError;
use crate::credentials::{ClientSecret, SecretFileError};

pub(super) fn read_secret(
    file: Option<&PathBuf>,
    env_value: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<ClientSecret, ConfigError> {
    match (file, env_value) {
        (Some(_), Some(_)) => Err(ConfigError::TwoSecrets),
        (None, None) => Err(ConfigError::MissingSecret),
        (None, Some(value)) => {
            let value = value.trim();
            if value.is_empty() {
                Err(ConfigError::EmptySecretEnv)
            } else {
                Ok(ClientSecret::fixed(SecretString::from(value)))
            }
        }
        (Some(path), None) => {
            let secret = ClientSecret::from_file(path).map_err(|err| match err {
                SecretFileError::Read { path, reason } => ConfigError::SecretFile { path, reason },
                SecretFileError::Empty { path } => ConfigError::EmptySecretFile { path },
            })?;
            warnings.extend(world_readable_warning(path));
            Ok(secret)
        }
    }
}

/// A secret file any local user can read still works, but deserves one line saying how to fix it.
#[cfg(unix)]
fn world_readable_warning(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o004 != 0).then(|| {
        format!(
            "--adobe.client-secret-file: {} is readable by every local user (mode {mode:04o}); \
             let only the user the exporter runs as read it: chmod 600 {} (on Kubernetes: defaultMode: 0400 \
             or 0440 with fsGroup on the secret volume)",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn world_readable_warning(_path: &std::path::Path) -> Option<String> {
    None
}
