//! `--web.config.file`: TLS and basic auth in the Prometheus exporter-toolkit format.
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: server.crt          # paths are relative to this file
//!   key_file: server.key
//!   min_version: TLS12             # TLS12 (default) or TLS13
//!   client_auth_type: RequireAndVerifyClientCert   # or NoClientCert, VerifyClientCertIfGiven
//!   client_ca_file: ca.crt
//! basic_auth_users:
//!   prometheus: $2y$10$...         # bcrypt hash
//! ```
//!
//! Unknown keys are errors (a typo must not silently disable security). Go-only options this
//! server cannot honour (`cipher_suites`, `curve_preferences`, unverified client certificates)
//! are rejected with a message rather than ignored.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use tokio::sync::Semaphore;

/// The web config could not be used; one line naming what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum WebConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("invalid YAML in {path}: {reason}")]
    Yaml { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    tls_server_config: Option<TlsFormat>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
    /// Accepted for compatibility; only `http2: false` makes sense here (HTTP/1.1 only).
    http_server_config: Option<HttpServerFormat>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HttpServerFormat {
    http2: Option<bool>,
    headers: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TlsFormat {
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    client_auth_type: Option<String>,
    client_ca_file: Option<PathBuf>,
    min_version: Option<String>,
    max_version: Option<String>,
    cipher_suites: Option<Vec<String>>,
    curve_preferences: Option<Vec<String>>,
    prefer_server_cipher_suites: Option<bool>,
}

/// What `--web.config.file` turns on.
#[derive(Debug, Default, Clone)]
pub struct WebSecurity {
    pub tls: Option<Arc<ServerConfig>>,
    pub auth: Option<Arc<BasicAuth>>,
    /// Accepted but worth a warning line at start-up.
    pub warnings: Vec<String>,
}

impl WebSecurity {
    /// Load and check the file; relative paths are resolved against its directory.
    pub fn load(path: &Path) -> Result<WebSecurity, WebConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| WebConfigError::Read {
            path: shown.clone(),
            reason: e.kind().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|e| match e {
            WebConfigError::Yaml { reason, .. } => WebConfigError::Yaml {
                path: shown,
                reason,
            },
            other => other,
        })
    }

    /// Parse the YAML text; `base` is where relative paths start.
    pub fn parse(text: &str, base: &Path) -> Result<WebSecurity, WebConfigError> {
        let file: FileFormat = if text.trim().is_empty() {
            FileFormat::default()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| WebConfigError::Yaml {
                path: String::new(),
                reason: e.to_string().replace('\n', " "),
            })?
        };
        if let Some(http) = &file.http_server_config {
            if http.headers.as_ref().is_some_and(|h| !h.is_empty()) {
                return Err(WebConfigError::Invalid(
                    "http_server_config.headers is not supported".into(),
                ));
            }
            let _ = http.http2;
        }
        let tls = file
            .tls_server_config
            .map(|tls| tls_config(tls, base))
            .transpose()?;
        let mut warnings = Vec::new();
        let auth = if file.basic_auth_users.is_empty() {
            None
        } else {
            let auth = BasicAuth::new(file.basic_auth_users)?;
            if auth.cost > SLOW_BCRYPT_COST {
                warnings.push(format!(
                    "basic_auth_users: bcrypt cost {} makes every login that is not cached yet \
                     take about {}x as long as at cost 10 (tens of milliseconds there); \
                     cost 10 to 12 is the usual choice",
                    auth.cost,
                    1u64 << (auth.cost - 10).min(30)
                ));
            }
            Some(Arc::new(auth))
        };
        Ok(WebSecurity {
            tls,
            auth,
            warnings,
        })
    }
}

fn tls_config(tls: TlsFormat, base: &Path) -> Result<Arc<ServerConfig>, WebConfigError> {
    let invalid = |m: String| WebConfigError::Invalid(format!("tls_server_config: {m}"));
    if tls.cipher_suites.is_some() || tls.curve_preferences.is_some() {
        return Err(invalid(
            "cipher_suites and curve_preferences are not configurable here; rustls uses only modern suites".into(),
        ));
    }
    let _ = tls.prefer_server_cipher_suites;
    let resolve = |p: &PathBuf| {
        if p.is_absolute() {
            p.clone()
        } else {
            base.join(p)
        }
    };
    let cert_file = tls
        .cert_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("cert_file is required".into()))?;
    let key_file = tls
        .key_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("key_file is required".into()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_file)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            invalid(format!(
                "cannot read certificates from {}: {e}",
                cert_file.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(invalid(format!(
            "no certificate in {}",
            cert_file.display()
        )));
    }
    // The error never includes key material, only the file name and the kind of problem.
    let key = PrivateKeyDer::from_pem_file(&key_file).map_err(|e| {
        invalid(format!(
            "cannot read a private key from {}: {e}",
            key_file.display()
        ))
    })?;

    let versions = protocol_versions(tls.min_version.as_deref(), tls.max_version.as_deref())
        .map_err(invalid)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .map_err(|e| invalid(e.to_string()))?;

    let auth_type = tls.client_auth_type.as_deref().unwrap_or("NoClientCert");
    let builder = match auth_type {
        "NoClientCert" | "" => builder.with_no_client_auth(),
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {
            let ca_file = tls
                .client_ca_file
                .as_ref()
                .map(resolve)
                .ok_or_else(|| invalid(format!("client_ca_file is required with client_auth_type {auth_type}")))?;
            let mut roots = RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(&ca_file)
                .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
                .map_err(|e| invalid(format!("cannot read {}: {e}", ca_file.display())))?;
            let (added, _) = roots.add_parsable_certificates(cas);
            if added == 0 {
                return Err(invalid(format!("no CA certificate in {}", ca_file.display())));
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if auth_type == "VerifyClientCertIfGiven" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier.build().map_err(|e| invalid(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        "RequestClientCert" | "RequireAnyClientCert" => {
            return Err(invalid(format!(
                "client_auth_type {auth_type} accepts unverified certificates and is not supported; use RequireAndVerifyClientCert or VerifyClientCertIfGiven"
            )))
        }
        other => return Err(invalid(format!("unknown client_auth_type {other:?}"))),
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| {
        invalid(format!(
            "certificate and key do not form a usable pair: {e}"
        ))
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn protocol_versions(
    min: Option<&str>,
    max: Option<&str>,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, String> {
    let rank = |v: &str| match v {
        "TLS12" => Ok(12),
        "TLS13" => Ok(13),
        "TLS10" | "TLS11" => Err(format!(
            "{v} is obsolete and not supported; use TLS12 or TLS13"
        )),
        other => Err(format!("unknown TLS version {other:?} (TLS12 or TLS13)")),
    };
    let lo = min.map(rank).transpose()?.unwrap_or(12);
    let hi = max.map(rank).transpose()?.unwrap_or(13);
    if lo > hi {
        return Err("min_version is above max_version".into());
    }
    let mut versions = Vec::new();
    if lo <= 12 {
        versions.push(&rustls::version::TLS12);
    }
    if hi >= 13 {
        versions.push(&rustls::version::TLS13);
    }
    Ok(versions)
}

// === Basic auth ===

/// Above this bcrypt cost a start-up warning says what each uncached login costs.
const SLOW_BCRYPT_COST: u32 = 12;

/// Successful logins remembered so that a scrape does not pay bcrypt every time.
const CACHE_LIMIT: usize = 64;

/// Outcome of checking one `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthOutcome {
    Allowed,
    Denied,
}

/// bcrypt-hashed users; checks run on the blocking pool, at most a few at a time, so a flood
/// of bad passwords cannot starve the server's CPU.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    /// The costliest user's hash: unknown users are checked against it (and denied whatever
    /// the result) so that their answers take as long as a wrong password for a real user.
    /// Reusing a real hash keeps bcrypt work off the start-up path.
    dummy_hash: String,
    /// The highest bcrypt cost among the users.
    cost: u32,
    /// Successful `Authorization` header values; cleared when full.
    cache: Mutex<HashMap<String, ()>>,
    permits: Semaphore,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl BasicAuth {
    fn new(users: BTreeMap<String, String>) -> Result<BasicAuth, WebConfigError> {
        for (user, hash) in &users {
            if user.contains(':') {
                return Err(WebConfigError::Invalid(format!(
                    "basic_auth_users: user name {user:?} must not contain ':'"
                )));
            }
            if hash.parse::<bcrypt::HashParts>().is_err() {
                return Err(WebConfigError::Invalid(format!(
                    "basic_auth_users: the password of {user:?} is not a bcrypt hash"
                )));
            }
        }
        let (cost, dummy_hash) = users
            .values()
            .filter_map(|h| Some((h.parse::<bcrypt::HashParts>().ok()?.get_cost(), h)))
            .max_by_key(|(cost, _)| *cost)
            .map(|(cost, hash)| (cost, hash.clone()))
            .ok_or_else(|| WebConfigError::Invalid("basic_auth_users: no users".into()))?;
        Ok(BasicAuth {
            users,
            dummy_hash,
            cost,
            cache: Mutex::new(HashMap::new()),
            permits: Semaphore::new(2),
        })
    }

    /// Check an `Authorization` header value.
    pub async fn check(self: &Arc<Self>, header: Option<&str>) -> AuthOutcome {
        let Some(header) = header else {
            return AuthOutcome::Denied;
        };
        if self.cache_lock().contains_key(header) {
            return AuthOutcome::Allowed;
        }
        let Some((user, password)) = decode(header) else {
            return AuthOutcome::Denied;
        };
        let Ok(_permit) = self.permits.acquire().await else {
            return AuthOutcome::Denied;
        };
        let this = Arc::clone(self);
        let verified = tokio::task::spawn_blocking(move || {
            let (hash, known) = match this.users.get(&user) {
                Some(hash) => (hash.as_str(), true),
                None => (this.dummy_hash.as_str(), false),
            };
            let ok = bcrypt::verify(password.as_bytes(), hash).unwrap_or(false);
            ok && known
        })
        .await
        .unwrap_or(false);
        if !verified {
            return AuthOutcome::Denied;
        }
        let mut cache = self.cache_lock();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(header.to_owned(), ());
        AuthOutcome::Allowed
    }

    fn cache_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ()>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `Basic base64(user:password)` → (user, password).
fn decode(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    fn auth() -> Arc<BasicAuth> {
        let hash = bcrypt::hash("correct horse", 4).unwrap();
        let users = BTreeMap::from([("prometheus".to_owned(), hash)]);
        Arc::new(BasicAuth::new(users).unwrap())
    }

    #[tokio::test]
    async fn basic_auth_accepts_only_the_right_password() {
        let auth = auth();
        let good = basic("prometheus", "correct horse");
        assert_eq!(auth.check(Some(&good)).await, AuthOutcome::Allowed);
        assert_eq!(
            auth.check(Some(&good)).await,
            AuthOutcome::Allowed,
            "cached"
        );
        for bad in [
            basic("prometheus", "wrong"),
            basic("nobody", "correct horse"),
            "Bearer x".to_owned(),
            "Basic !!!".to_owned(),
            "Basic".to_owned(),
        ] {
            assert_eq!(auth.check(Some(&bad)).await, AuthOutcome::Denied, "{bad}");
        }
        assert_eq!(auth.check(None).await, AuthOutcome::Denied);
    }

    #[test]
    fn unknown_users_are_checked_at_the_same_cost() {
        let auth = auth();
        let cost = auth
            .dummy_hash
            .parse::<bcrypt::HashParts>()
            .unwrap()
            .get_cost();
        assert_eq!(cost, 4);
    }

    #[test]
    fn a_slow_bcrypt_cost_is_a_warning_and_costs_nothing_at_start() {
        let base = Path::new("/nonexistent");
        let fast = bcrypt::hash("pw", 4).unwrap();
        // Only the cost field changes: parsing the file must not hash at that cost.
        let slow = fast.replacen("$04$", "$31$", 1);
        let warnings = |hash: &str| {
            WebSecurity::parse(&format!("basic_auth_users:\n  u: '{hash}'\n"), base)
                .unwrap()
                .warnings
        };
        assert!(warnings(&fast).is_empty());
        let slow_warnings = warnings(&slow);
        assert_eq!(slow_warnings.len(), 1);
        assert!(
            slow_warnings[0].contains("bcrypt cost 31"),
            "{slow_warnings:?}"
        );
    }

    #[test]
    fn config_errors_are_specific() {
        let base = Path::new("/nonexistent");
        let err = |text: &str| WebSecurity::parse(text, base).unwrap_err().to_string();
        assert!(err("tls_server_config:\n  cert_file: a\n").contains("key_file is required"));
        assert!(err("basic_auth_users:\n  u: plain\n").contains("not a bcrypt hash"));
        assert!(err("tls_sever_config: {}\n").contains("unknown field"));
        assert!(
            err("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n")
                .contains("cipher_suites")
        );
        assert!(
            err("tls_server_config:\n  cert_file: a\n  key_file: b\n").contains("/nonexistent/a")
        );
        assert!(WebSecurity::parse("", base).unwrap().tls.is_none());
    }

    #[test]
    fn tls_versions() {
        assert_eq!(protocol_versions(None, None).unwrap().len(), 2);
        assert_eq!(protocol_versions(Some("TLS13"), None).unwrap().len(), 1);
        assert!(protocol_versions(Some("TLS10"), None).is_err());
        assert!(protocol_versions(Some("TLS13"), Some("TLS12")).is_err());
    }
}
