//! Certificate renewal without a restart. The toolkit re-reads `cert_file` and `key_file` for
//! every new TLS connection, so a renewed certificate (cert-manager, certbot) is served at once;
//! so does this resolver: each handshake reads the certificate file and, when its bytes changed,
//! loads the pair again. A pair that does not load (half written, a key that does not match the
//! certificate yet) leaves the last good pair in service, with one warning per distinct failure.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tracing::{info, warn};

use super::tls::{certificates, private_key};

pub(super) struct CertFiles {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    state: Mutex<State>,
}

struct State {
    /// The certificate file as it was when `current` was loaded from it.
    cert_pem: Vec<u8>,
    current: Arc<CertifiedKey>,
    /// The last reload failure, warned about once.
    failure: Option<String>,
}

impl std::fmt::Debug for CertFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertFiles")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertFiles {
    /// Start from the pair loaded at start-up (`cert_pem` is the certificate file it came from).
    pub fn new(
        cert_path: PathBuf,
        key_path: PathBuf,
        cert_pem: Vec<u8>,
        current: CertifiedKey,
        provider: Arc<CryptoProvider>,
    ) -> CertFiles {
        CertFiles {
            cert_path,
            key_path,
            provider,
            state: Mutex::new(State {
                cert_pem,
                current: Arc::new(current),
                failure: None,
            }),
        }
    }

    /// The pair to serve now, reloaded first if the certificate file changed.
    fn current(&self) -> Arc<CertifiedKey> {
        let read = std::fs::read(&self.cert_path);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let result = match read {
            Ok(pem) if pem == state.cert_pem => return Arc::clone(&state.current),
            Ok(pem) => self.load(&pem).map(|key| (pem, key)),
            Err(e) => Err(format!(
                "cannot read {}: {}",
                self.cert_path.display(),
                e.kind()
            )),
        };
        match result {
            Ok((pem, key)) => {
                info!(cert_file = %self.cert_path.display(), "TLS certificate file changed: serving the new certificate");
                state.cert_pem = pem;
                state.current = Arc::new(key);
                state.failure = None;
            }
            Err(failure) if state.failure.as_ref() != Some(&failure) => {
                warn!(error = %failure, "TLS certificate file changed but cannot be used yet; still serving the previous certificate");
                state.failure = Some(failure);
            }
            Err(_) => {}
        }
        Arc::clone(&state.current)
    }

    fn load(&self, cert_pem: &[u8]) -> Result<CertifiedKey, String> {
        let certs = certificates(cert_pem)
            .map_err(|e| format!("cert_file {}: {e}", self.cert_path.display()))?;
        let key_pem = std::fs::read(&self.key_path)
            .map_err(|e| format!("cannot read {}: {}", self.key_path.display(), e.kind()))?;
        let key = private_key(&key_pem)
            .map_err(|e| format!("key_file {}: {e}", self.key_path.display()))?;
        CertifiedKey::from_der(certs, key, &self.provider)
            .map_err(|e| format!("the certificate and key do not form a usable pair: {e}"))
    }
}

impl ResolvesServerCert for CertFiles {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tls")
            .join(name)
    }

    #[test]
    fn a_changed_certificate_is_served_and_a_broken_one_is_not() {
        let dir = std::env::temp_dir().join(format!("ase-reload-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
        std::fs::copy(fixture("server.crt"), &cert).unwrap();
        std::fs::copy(fixture("server.key"), &key).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let files = CertFiles::new(
            cert.clone(),
            key.clone(),
            Vec::new(),
            {
                let pem = std::fs::read(&cert).unwrap();
                let key = private_key(&std::fs::read(&key).unwrap()).unwrap();
                CertifiedKey::from_der(certificates(&pem).unwrap(), key, &provider).unwrap()
            },
            Arc::clone(&provider),
        );
        let served = |files: &CertFiles| files.current().cert[0].clone();
        let original = served(&files);

        // Renewed: both files replaced.
        std::fs::copy(fixture("server-renewed.crt"), &cert).unwrap();
        std::fs::copy(fixture("server-renewed.key"), &key).unwrap();
        let renewed = served(&files);
        assert_ne!(renewed, original);
        assert_eq!(
            renewed,
            certificates(&std::fs::read(&cert).unwrap()).unwrap()[0]
        );

        // Half way through the next renewal: the certificate is new, the key is not.
        std::fs::copy(fixture("server.crt"), &cert).unwrap();
        assert_eq!(served(&files), renewed);
        assert!(files
            .state
            .lock()
            .unwrap()
            .failure
            .as_ref()
            .unwrap()
            .contains("do not form a usable pair"));
        // The key arrives: the pair loads.
        std::fs::copy(fixture("server.key"), &key).unwrap();
        assert_eq!(served(&files), original);

        // Garbage or a missing file: the last good pair stays.
        std::fs::write(&cert, "not a certificate").unwrap();
        assert_eq!(served(&files), original);
        std::fs::remove_file(&cert).unwrap();
        assert_eq!(served(&files), original);
    }
}
