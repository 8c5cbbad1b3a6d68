//! `--web.config.file`: the Prometheus exporter-toolkit web configuration, the whole format
//! (its `docs/web-configuration.md`), so a file node_exporter takes works here unchanged:
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: server.crt          # or cert: inline PEM; paths are relative to this file
//!   key_file: server.key           # or key: inline PEM
//!   client_auth_type: RequireAndVerifyClientCert
//!   client_ca_file: ca.crt         # or client_ca: inline PEM
//!   client_allowed_sans: [prometheus.example.com]
//!   min_version: TLS12
//!   max_version: TLS13
//!   cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
//!   prefer_server_cipher_suites: true
//!   curve_preferences: [X25519, CurveP256]
//! http_server_config:
//!   http2: true
//!   headers: { X-Frame-Options: deny }
//! basic_auth_users:
//!   prometheus: $2y$10$...         # bcrypt hash
//! rate_limit: { interval: 1s, burst: 10 }
//! ```
//!
//! A file the toolkit refuses is refused (one line naming the field); where rustls lacks what
//! Go has, what is left is used with a start-up warning. Submodules: [`format`] (the YAML
//! model), [`tls`] and [`go_names`] (the rustls server config), [`p521`] (the P-521 key
//! exchange rustls' provider lacks), [`reload`] (renewed certificate files are served without
//! a restart), [`client_auth`] and [`san`] (client certificates), [`headers`], [`limiter`]
//! (`rate_limit`), [`basic_auth`].

mod basic_auth;
mod client_auth;
mod format;
mod go_names;
mod headers;
mod limiter;
mod p521;
mod reload;
mod san;
mod tls;
mod trusted_leaf;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::header::{HeaderName, HeaderValue};
use rustls::ServerConfig;

pub use basic_auth::{AuthOutcome, BasicAuth};
pub use limiter::RateLimiter;
pub use p521::SECP521R1;

use format::FileFormat;

/// The web config could not be used; one line naming what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum WebConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why (the I/O error's kind).
        reason: String,
    },
    /// Not YAML, or not the toolkit's fields (an unknown or repeated key, a wrong type).
    #[error("invalid YAML in {path}: {reason}")]
    Yaml {
        /// The file (empty for [`WebConfig::parse`]).
        path: String,
        /// go-yaml's complaint, on one line.
        reason: String,
    },
    /// A value the toolkit refuses, naming the field.
    #[error("{0}")]
    Invalid(String),
}

/// What `--web.config.file` turns on; all off by default (plain HTTP, no checks).
#[derive(Default, Clone)]
pub struct WebConfig {
    /// `tls_server_config`: the rustls server config (certificates re-read when renewed).
    pub tls: Option<Arc<ServerConfig>>,
    /// `basic_auth_users`, required on every path when set.
    pub auth: Option<Arc<BasicAuth>>,
    /// `http_server_config.headers`, added to every response.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `rate_limit`, over every request.
    pub rate_limit: Option<Arc<RateLimiter>>,
    /// Accepted but worth a warning line at start-up.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for WebConfig {
    // The TLS config holds the private key: only say whether it is there.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("tls", &self.tls.is_some())
            .field("auth", &self.auth)
            .field("headers", &self.headers)
            .field("rate_limit", &self.rate_limit)
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl WebConfig {
    /// The file `flags.config_file` names, or the default (plain HTTP) without one.
    pub fn from_flags(flags: &crate::FlagConfig) -> Result<WebConfig, WebConfigError> {
        match &flags.config_file {
            Some(path) => WebConfig::load(path),
            None => Ok(WebConfig::default()),
        }
    }

    /// Load and check the file; relative paths are resolved against its directory.
    pub fn load(path: &Path) -> Result<WebConfig, WebConfigError> {
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

    /// Parse the YAML text; `base` is where relative paths start. The checks run in the
    /// toolkit's order: the YAML and the names in it, headers, users, then TLS.
    pub fn parse(text: &str, base: &Path) -> Result<WebConfig, WebConfigError> {
        let file: FileFormat = if text.trim().is_empty() {
            FileFormat::default()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| WebConfigError::Yaml {
                path: String::new(),
                reason: e.to_string().replace('\n', " "),
            })?
        };
        let invalid = WebConfigError::Invalid;
        if let Some(tls) = &file.tls_server_config {
            tls::check_names(tls).map_err(invalid)?;
        }
        let http = file.http_server_config.unwrap_or_default();
        let headers = match &http.headers {
            Some(configured) => headers::response_headers(&configured.0)
                .map_err(|e| invalid(format!("http_server_config.headers: {e}")))?,
            None => Vec::new(),
        };
        let mut warnings = Vec::new();
        let users = file.basic_auth_users.map(|u| u.0).unwrap_or_default();
        let auth = if users.is_empty() {
            None
        } else {
            let users = users
                .into_iter()
                .map(|(user, hash)| (user, hash.0))
                .collect();
            let (auth, auth_warnings) =
                BasicAuth::new(users).map_err(|e| invalid(format!("basic_auth_users: {e}")))?;
            warnings.extend(auth_warnings);
            Some(Arc::new(auth))
        };
        let http2 = http.http2.map(|b| b.0);
        let tls = match file.tls_server_config {
            Some(section) => {
                tls::server_config(section, base, http2.unwrap_or(true), &mut warnings)
                    .map_err(invalid)?
            }
            None => None,
        };
        if tls.is_some() && http2 == Some(true) {
            warnings.push(
                "http_server_config.http2: HTTP/2 is not built into this server; HTTPS is \
                 served as HTTP/1.1, which clients (Prometheus included) pick through ALPN"
                    .to_owned(),
            );
        }
        let rate_limit = file.rate_limit.and_then(|r| {
            let interval = r.interval.map_or(0, |d| d.0);
            let burst = r.burst.unwrap_or(0);
            // Zero is off; so is a negative interval (Go's rate.Every gives an infinite rate).
            let interval = u64::try_from(interval).ok().filter(|ns| *ns > 0)?;
            if burst <= 0 {
                warnings.push(format!(
                    "rate_limit: burst {burst} with an interval refuses every request with 429 \
                     (as with the exporter-toolkit); set burst to at least 1"
                ));
            }
            Some(Arc::new(RateLimiter::new(
                Duration::from_nanos(interval),
                burst,
            )))
        });
        Ok(WebConfig {
            tls,
            auth,
            headers,
            rate_limit,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls")
    }

    fn parse(text: &str) -> Result<WebConfig, String> {
        WebConfig::parse(text, &fixtures()).map_err(|e| e.to_string())
    }

    const TLS: &str = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

    #[test]
    fn an_empty_file_or_section_serves_plain_http_like_the_toolkit() {
        for text in [
            "",
            "\n",
            "tls_server_config:\n",
            "tls_server_config: {}\n",
            "{}",
        ] {
            let web = parse(text).unwrap();
            assert!(web.tls.is_none() && web.auth.is_none() && web.rate_limit.is_none());
            assert!(web.warnings.is_empty(), "{text:?}: {:?}", web.warnings);
        }
        let web = parse(
            "tls_server_config:\n  min_version: TLS13\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
        )
        .unwrap();
        assert!(web.tls.is_none());
        assert!(
            web.warnings[0].contains("sets min_version, cipher_suites but no cert_file"),
            "{:?}",
            web.warnings
        );
    }

    #[test]
    fn errors_name_the_field_like_the_toolkit() {
        let cases = [
            ("tls_sever_config: {}\n", "unknown field"),
            ("tls_server_config:\n  cert_file: server.crt\n", "missing one of key or key_file"),
            ("tls_server_config:\n  key_file: server.key\n", "missing one of cert or cert_file"),
            ("tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n", "missing one of cert or cert_file"),
            ("tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n", "tls_server_config.cert_file: cannot read"),
            ("tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n", "tls_server_config.key_file"),
            ("tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n", "do not form a usable pair"),
            ("tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n", "no PEM CERTIFICATE"),
            ("tls_server_config:\n  cert: 'not pem'\n  key_file: server.key\n", "tls_server_config.cert: "),
            (&format!("{TLS}  client_ca_file: ca.crt\n"), "client CA's have been configured without a client auth policy"),
            (&format!("{TLS}  client_ca_file: nope.crt\n  client_auth_type: RequireAndVerifyClientCert\n"), "client_ca_file: cannot read"),
            (&format!("{TLS}  client_ca_file: nope.crt\n"), "client_ca_file: cannot read"),
            (&format!("{TLS}  client_auth_type: VerifyClientCert\n"), "client_auth_type: invalid value \"VerifyClientCert\""),
            (&format!("{TLS}  client_auth_type: VerifyClientCertIfGiven\n  client_allowed_sans: [a]\n"), "client_allowed_sans requires client_auth_type"),
            (&format!("{TLS}  client_allowed_sans: [a]\n"), "client_allowed_sans requires client_auth_type"),
            (&format!("{TLS}  min_version: TLS14\n"), "min_version: unknown TLS version \"TLS14\""),
            (&format!("{TLS}  max_version: TLS11\n"), "max_version: TLS11 leaves no TLS version"),
            (&format!("{TLS}  min_version: TLS13\n  max_version: TLS12\n"), "min_version TLS13 is above max_version TLS12"),
            (&format!("{TLS}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n"), "unknown cipher \"TLS_RSA_WITH_RC4_128_SHA\""),
            (&format!("{TLS}  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n  max_version: TLS12\n"), "missing an HTTP/2-required"),
            (&format!("{TLS}  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n  max_version: TLS12\nhttp_server_config:\n  http2: false\n"), "none of TLS_RSA_WITH_AES_128_CBC_SHA is a TLS 1.2 suite rustls has"),
            (&format!("{TLS}  curve_preferences: [P256]\n"), "unknown curve \"P256\""),
            (&format!("{TLS}  curve_preferences: [SecP384r1MLKEM1024]\n"), "none of SecP384r1MLKEM1024 is available"),
            ("http_server_config:\n  headers:\n    Server: x\n", "http_server_config.headers: HTTP header \"Server\" can not be configured"),
            ("http_server_config:\n  headers:\n    X-Frame-Options: DENY\n", "invalid value for X-Frame-Options"),
            ("basic_auth_users:\n  u: plain\n", "basic_auth_users: the password of \"u\" is not a bcrypt hash"),
            ("rate_limit:\n  interval: 1d\n", "rate_limit.interval"),
            // Names are checked while reading, before the rest (as go-yaml does).
            ("tls_server_config:\n  cipher_suites: [x]\nbasic_auth_users:\n  u: plain\n", "unknown cipher"),
        ];
        for (text, needle) in cases {
            let err = parse(text).unwrap_err();
            assert!(
                err.contains(needle),
                "{text}\n=> {err}\n(wanted {needle:?})"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn the_toolkits_good_files_start() {
        for text in [
            TLS.to_owned(),
            format!("{TLS}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"),
            format!("{TLS}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [one, two]\n"),
            format!("{TLS}  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n  max_version: TLS12\nhttp_server_config:\n  http2: false\n"),
            format!("{TLS}  min_version: TLS13\n  curve_preferences: [CurveP521, X25519]\n"),
            format!("{TLS}  curve_preferences: [SecP256r1MLKEM768]\n"),
            format!("{TLS}  client_auth_type: RequireClientCert\n  client_allowed_sans: [a]\n"),
            format!("{TLS}  cipher_suites: [TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"),
            format!("{TLS}  prefer_server_cipher_suites: false\n"),
            format!("{TLS}  cipher_suites: []\n  curve_preferences: []\n"),
            "http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n".to_owned(),
            "rate_limit:\n  interval: 1s\n  burst: 5\n".to_owned(),
        ] {
            assert!(parse(&text).is_ok(), "{text}: {:?}", parse(&text).err());
        }
    }

    #[test]
    fn warnings_say_what_rustls_lacks_in_one_line_each() {
        let all_ciphers = format!(
            "{TLS}  cipher_suites:\n{}",
            go_names::CIPHER_SUITE_NAMES
                .iter()
                .map(|n| format!("  - {n}\n"))
                .collect::<String>()
        );
        let web = parse(&all_ciphers).unwrap();
        assert_eq!(web.warnings.len(), 1, "{:?}", web.warnings);
        assert!(web.warnings[0]
            .contains("rustls has no TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA"));
        let web = parse(&format!(
            "{TLS}  min_version: TLS10\n  curve_preferences: [SecP384r1MLKEM1024, CurveP256]\n"
        ))
        .unwrap();
        assert_eq!(web.warnings.len(), 2, "{:?}", web.warnings);
        assert!(web.warnings[0].contains("min_version TLS10"));
        assert!(web.warnings[1].contains("rustls has no SecP384r1MLKEM1024"));
        let web = parse(&format!("{TLS}  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n")).unwrap();
        assert_eq!(web.warnings.len(), 1);
        let web = parse(&format!("{TLS}  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\nhttp_server_config:\n  http2: false\n")).unwrap();
        assert!(
            web.warnings[0].contains("only TLS 1.3 is served"),
            "{:?}",
            web.warnings
        );
        let web = parse(&format!("{TLS}http_server_config:\n  http2: true\n")).unwrap();
        assert!(
            web.warnings[0].contains("served as HTTP/1.1"),
            "{:?}",
            web.warnings
        );
        assert!(parse("http_server_config:\n  http2: true\n")
            .unwrap()
            .warnings
            .is_empty());
        assert!(parse(TLS).unwrap().warnings.is_empty());
        let inline_and_file = format!("{TLS}  cert: x\n");
        assert!(parse(&inline_and_file).unwrap().warnings[0].contains("cert_file is used"));
    }

    #[test]
    fn inline_pem_works_like_files() {
        let read = |name: &str| std::fs::read_to_string(fixtures().join(name)).unwrap();
        let indent = |pem: String| {
            pem.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        };
        let text = format!(
            "tls_server_config:\n  cert: |\n{}  key: |\n{}  client_ca: |\n{}  client_auth_type: RequireAndVerifyClientCert\n",
            indent(read("server.crt")),
            indent(read("server.key")),
            indent(read("ca.crt"))
        );
        let web = WebConfig::parse(&text, Path::new("/nonexistent")).unwrap();
        assert!(web.tls.is_some());
        assert!(!format!("{web:?}").contains("PRIVATE KEY"));
        // A broken inline key is named, never shown.
        let broken = text.replace(
            "BEGIN PRIVATE KEY-----\n",
            "BEGIN PRIVATE KEY-----\n    AAAA-secret-ish\n",
        );
        let err = WebConfig::parse(&broken, Path::new("/nonexistent"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tls_server_config.key: ") && !err.contains("secret-ish"),
            "{err}"
        );
    }

    #[test]
    fn rate_limit_is_on_only_with_a_positive_interval() {
        let limiter = |text: &str| parse(text).unwrap().rate_limit.is_some();
        assert!(limiter("rate_limit:\n  interval: 1s\n  burst: 2\n"));
        assert!(limiter("rate_limit:\n  interval: 1000000000\n"));
        assert!(!limiter("rate_limit:\n  interval: 0\n  burst: 2\n"));
        assert!(!limiter("rate_limit:\n  burst: 2\n"));
        assert!(!limiter("rate_limit:\n  interval: -1s\n  burst: 2\n"));
        let web = parse("rate_limit:\n  interval: 1s\n  burst: 0\n").unwrap();
        assert!(
            web.warnings[0].contains("refuses every request"),
            "{:?}",
            web.warnings
        );
    }
}
