//! `tls_server_config` → a rustls `ServerConfig`, field by field as the exporter-toolkit
//! reads it, with its checks in its order; where rustls lacks what Go has (TLS 1.0/1.1,
//! CBC/3DES/RSA-key-exchange suites, the P-384 hybrid) the rest is used with one warning line, and the
//! file is refused only when nothing usable is left.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::{aws_lc_rs, CryptoProvider, SupportedKxGroup};
use rustls::server::ResolvesServerCert;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::client_auth::{self, ClientAuth, ClientCas};
use super::format::{non_empty, TlsFormat};
use super::go_names::{self, Suite, TlsVersion, CIPHER_SUITE_NAMES, CURVE_NAMES};
use super::reload::CertFiles;

/// The names in the file are known (go-yaml fails on them while decoding, before anything
/// else, whether TLS ends up on or not).
pub(super) fn check_names(tls: &TlsFormat) -> Result<(), String> {
    for name in tls.cipher_suites.iter().flatten() {
        if go_names::cipher_suite(name).is_none() {
            return Err(format!(
                "tls_server_config.cipher_suites: unknown cipher {name:?} (Go's names, one of {})",
                CIPHER_SUITE_NAMES.join(", ")
            ));
        }
    }
    for name in tls.curve_preferences.iter().flatten() {
        if go_names::curve(name).is_none() {
            return Err(format!(
                "tls_server_config.curve_preferences: unknown curve {name:?} ({CURVE_NAMES})"
            ));
        }
    }
    for (field, value) in [
        ("min_version", &tls.min_version),
        ("max_version", &tls.max_version),
    ] {
        if let Some(value) = value {
            if TlsVersion::parse(value).is_none() {
                return Err(format!(
                    "tls_server_config.{field}: unknown TLS version {value:?} (TLS10, TLS11, TLS12 or TLS13)"
                ));
            }
        }
    }
    Ok(())
}

/// Build the server config; `None` when the section turns no TLS on (the toolkit then serves
/// plain HTTP). `http2` is `http_server_config.http2` (default true), which decides one of
/// Go's checks. Every `Err` is one line naming the field.
pub(super) fn server_config(
    tls: TlsFormat,
    base: &Path,
    http2: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Arc<ServerConfig>>, String> {
    check_names(&tls)?;
    if !tls.enables_tls() {
        let ignored = tls.tls_only_settings();
        if !ignored.is_empty() {
            warnings.push(format!(
                "tls_server_config sets {} but no cert_file, cert, key_file, key, client CA or \
                 client_auth_type: TLS is off and plain HTTP is served (as with the \
                 exporter-toolkit)",
                ignored.join(", ")
            ));
        }
        return Ok(None);
    }
    // The certificate and key, both named before either is read (the toolkit's order), then
    // the client CAs (a missing file is an error whatever the policy).
    let inline_key = tls
        .key
        .as_ref()
        .map(|k| k.0.as_str())
        .filter(|k| !k.is_empty());
    let cert = Pem::pick(
        "cert",
        non_empty(&tls.cert_file),
        non_empty(&tls.cert),
        warnings,
    );
    let key = Pem::pick("key", non_empty(&tls.key_file), inline_key, warnings);
    let Some(cert) = cert else {
        return Err("tls_server_config: missing one of cert or cert_file".into());
    };
    let Some(key) = key else {
        return Err("tls_server_config: missing one of key or key_file".into());
    };
    let (label, cert_pem, cert_path) = cert.read(base)?;
    let certs = certificates(&cert_pem).map_err(|e| format!("tls_server_config.{label}: {e}"))?;
    let (label, key_pem, key_path) = key.read(base)?;
    let key = private_key(&key_pem).map_err(|e| format!("tls_server_config.{label}: {e}"))?;
    let certified =
        CertifiedKey::from_der(certs, key, &aws_lc_rs::default_provider()).map_err(|e| {
            format!("tls_server_config: the certificate and key do not form a usable pair: {e}")
        })?;
    // Files are read again when they change (the toolkit reads them for every connection).
    let certificate: Arc<dyn ResolvesServerCert> = match (cert_path, key_path) {
        (Some(cert_path), Some(key_path)) => Arc::new(CertFiles::new(
            cert_path,
            key_path,
            cert_pem,
            certified,
            Arc::new(aws_lc_rs::default_provider()),
        )),
        _ => Arc::new(SingleCertAndKey::from(certified)),
    };
    let ca = Pem::pick(
        "client_ca",
        non_empty(&tls.client_ca_file),
        non_empty(&tls.client_ca),
        warnings,
    );
    let cas = match ca {
        Some(ca) => {
            let (label, pem, _) = ca.read(base)?;
            Some(ClientCas {
                source: format!("tls_server_config.{label}"),
                certs: lenient_certificates(&pem),
            })
        }
        None => None,
    };

    let auth_name = tls.client_auth_type.as_deref().unwrap_or_default();
    let auth = ClientAuth::parse(auth_name).ok_or_else(|| {
        format!(
            "tls_server_config.client_auth_type: invalid value {auth_name:?} (NoClientCert, \
             RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or \
             RequireAndVerifyClientCert)"
        )
    })?;
    if cas.is_some() && auth == ClientAuth::NoClientCert {
        return Err(
            "tls_server_config: client CA's have been configured without a client auth policy: \
             set client_auth_type (RequireAndVerifyClientCert admits only certificates from that CA)"
                .into(),
        );
    }
    if tls.client_allowed_sans.is_some() && !auth.requires_certificate() {
        return Err(format!(
            "tls_server_config.client_allowed_sans requires client_auth_type to be one of \
             RequireAnyClientCert or RequireAndVerifyClientCert, not {}",
            auth.name()
        ));
    }

    // Versions, suites, curves.
    let versions = versions(&tls, warnings)?;
    let (suites, versions) = cipher_suites(&tls, versions, http2, warnings)?;
    let kx_groups = kx_groups(&tls, warnings)?;
    let provider = Arc::new(CryptoProvider {
        cipher_suites: suites,
        kx_groups,
        ..aws_lc_rs::default_provider()
    });
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls_server_config: {e}"))?;
    let verifier = client_auth::verifier(auth, cas, tls.client_allowed_sans, &provider, warnings)?;
    let builder = match verifier {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(certificate);
    config.ignore_client_order = tls.prefer_server_cipher_suites.is_none_or(|p| p.0);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Arc::new(config)))
}

/// Where a PEM comes from: `<name>_file`, relative to the config file, or inline `<name>`.
enum Pem<'a> {
    File { name: &'static str, path: &'a str },
    Inline { name: &'static str, text: &'a str },
}

impl<'a> Pem<'a> {
    /// The file wins when both are set, as in the toolkit (with a warning here).
    fn pick(
        name: &'static str,
        file: Option<&'a str>,
        inline: Option<&'a str>,
        warnings: &mut Vec<String>,
    ) -> Option<Pem<'a>> {
        match (file, inline) {
            (Some(path), inline) => {
                if inline.is_some() {
                    warnings.push(format!(
                        "tls_server_config: both {name}_file and {name} are set; {name}_file is \
                         used and {name} ignored (as with the exporter-toolkit)"
                    ));
                }
                Some(Pem::File { name, path })
            }
            (None, Some(text)) => Some(Pem::Inline { name, text }),
            (None, None) => None,
        }
    }

    /// The field (with the path) to name in errors about them, the bytes, and the file.
    fn read(&self, base: &Path) -> Result<(String, Vec<u8>, Option<PathBuf>), String> {
        let (name, path) = match self {
            Pem::Inline { name, text } => {
                return Ok((name.to_string(), text.as_bytes().to_vec(), None))
            }
            Pem::File { name, path } => (name, Path::new(path)),
        };
        let path: PathBuf = if path.is_absolute() {
            path.to_owned()
        } else {
            base.join(path)
        };
        let bytes = std::fs::read(&path).map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                other => other.to_string(),
            };
            format!(
                "tls_server_config.{name}_file: cannot read {}: {reason}",
                path.display()
            )
        })?;
        Ok((
            format!("{name}_file: {}", path.display()),
            bytes,
            Some(path),
        ))
    }
}

pub(super) fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM CERTIFICATE block".into());
    }
    Ok(certs)
}

/// What Go's `AppendCertsFromPEM` keeps: every certificate block that reads.
fn lenient_certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .map_while(Result::ok)
        .collect()
}

/// The error says what kind of problem, never a byte of the key.
pub(super) fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| {
        let kind = match e {
            rustls_pki_types::pem::Error::NoItemsFound => "no PEM private key block",
            _ => "not a readable PEM private key",
        };
        format!("{kind} (PKCS#1, PKCS#8 or SEC1 expected)")
    })
}

/// `min_version` (default TLS12) to `max_version` (default TLS13). rustls has no TLS 1.0 or
/// 1.1: a lower minimum is raised to TLS 1.2 with a warning; a maximum below 1.2 leaves nothing.
fn versions(tls: &TlsFormat, warnings: &mut Vec<String>) -> Result<Vec<TlsVersion>, String> {
    let parse =
        |v: &Option<String>, default| v.as_deref().and_then(TlsVersion::parse).unwrap_or(default);
    let min = parse(&tls.min_version, TlsVersion::Tls12);
    let max = parse(&tls.max_version, TlsVersion::Tls13);
    if max < TlsVersion::Tls12 {
        return Err(format!(
            "tls_server_config.max_version: {} leaves no TLS version this server has (rustls \
             speaks TLS12 and TLS13 only)",
            max.name()
        ));
    }
    if min > max {
        return Err(format!(
            "tls_server_config: min_version {} is above max_version {}: no client could connect",
            min.name(),
            max.name()
        ));
    }
    if min < TlsVersion::Tls12 {
        warnings.push(format!(
            "tls_server_config.min_version {}: rustls has no TLS 1.0 or 1.1, so the minimum is \
             TLS12 (clients that only speak the older versions cannot connect)",
            min.name()
        ));
    }
    Ok([TlsVersion::Tls12, TlsVersion::Tls13]
        .into_iter()
        .filter(|v| (min..=max).contains(v))
        .collect())
}

/// The provider's suites for `cipher_suites`, and the versions still usable with them. Go
/// applies the list to TLS 1.0–1.2 only (TLS 1.3 suites are not configurable), in the order
/// written; names rustls lacks are dropped with one warning line.
fn cipher_suites(
    tls: &TlsFormat,
    mut versions: Vec<TlsVersion>,
    http2: bool,
    warnings: &mut Vec<String>,
) -> Result<
    (
        Vec<SupportedCipherSuite>,
        Vec<&'static SupportedProtocolVersion>,
    ),
    String,
> {
    let all = aws_lc_rs::default_provider().cipher_suites;
    let tls13 = all
        .iter()
        .copied()
        .filter(|s| s.version() == &rustls::version::TLS13);
    let names = tls.cipher_suites.as_deref().unwrap_or_default();
    let suites = if names.is_empty() {
        all.clone()
    } else {
        // Go's HTTP/2 server refuses a TLS 1.2 list without an ECDHE AES-128-GCM suite, so
        // node_exporter does not start with one; neither does this server.
        let min = tls.min_version.as_deref().and_then(TlsVersion::parse);
        if http2
            && min.unwrap_or(TlsVersion::Tls12) < TlsVersion::Tls13
            && !names.iter().any(|n| go_names::is_http2_required_suite(n))
        {
            return Err(
                "tls_server_config.cipher_suites is missing an HTTP/2-required AES_128_GCM_SHA256 \
                 cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or \
                 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256); add one, or set \
                 http_server_config.http2: false (the exporter-toolkit refuses this file too)"
                    .into(),
            );
        }
        let mut tls12 = Vec::new();
        let mut missing = Vec::new();
        for name in names {
            match go_names::cipher_suite(name) {
                Some(Suite::Tls12(suite)) if !tls12.contains(&suite) => tls12.push(suite),
                Some(Suite::Missing) => missing.push(name.as_str()),
                _ => {}
            }
        }
        if versions.contains(&TlsVersion::Tls12) {
            if tls12.is_empty() && !versions.contains(&TlsVersion::Tls13) {
                return Err(format!(
                    "tls_server_config.cipher_suites: none of {} is a TLS 1.2 suite rustls has \
                     (it has no CBC, 3DES or RSA key exchange suites) and max_version is TLS12, \
                     so no client could connect; add an ECDHE GCM or CHACHA20 suite",
                    names.join(", ")
                ));
            }
            let rest = if tls12.is_empty() {
                versions.retain(|v| *v == TlsVersion::Tls13);
                "no TLS 1.2 suite is left, so only TLS 1.3 is served"
            } else {
                "the others are used"
            };
            if !missing.is_empty() {
                warnings.push(format!(
                    "tls_server_config.cipher_suites: rustls has no {} (it has no CBC, 3DES or \
                     RSA key exchange suites); {rest}",
                    missing.join(", ")
                ));
            } else if tls12.is_empty() {
                warnings.push(format!(
                    "tls_server_config.cipher_suites names only TLS 1.3 suites, which are not \
                     configurable (as in Go); {rest}"
                ));
            }
        }
        tls13.chain(tls12).collect()
    };
    let versions = versions
        .into_iter()
        .map(|v| match v {
            TlsVersion::Tls13 => &rustls::version::TLS13,
            _ => &rustls::version::TLS12,
        })
        .collect();
    Ok((suites, versions))
}

/// `curve_preferences`, in order; curves rustls lacks are dropped with one warning line.
fn kx_groups(
    tls: &TlsFormat,
    warnings: &mut Vec<String>,
) -> Result<Vec<&'static dyn SupportedKxGroup>, String> {
    let names = tls.curve_preferences.as_deref().unwrap_or_default();
    if names.is_empty() {
        return Ok(aws_lc_rs::default_provider().kx_groups);
    }
    let mut groups: Vec<&'static dyn SupportedKxGroup> = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match go_names::curve(name) {
            Some(Some(group)) if !groups.iter().any(|g| g.name() == group.name()) => {
                groups.push(group)
            }
            Some(None) => missing.push(name.as_str()),
            _ => {}
        }
    }
    if groups.is_empty() {
        return Err(format!(
            "tls_server_config.curve_preferences: none of {} is available in rustls (it has \
             CurveP256, CurveP384, CurveP521, X25519, X25519MLKEM768 and SecP256r1MLKEM768), so \
             no client could connect",
            names.join(", ")
        ));
    }
    if !missing.is_empty() {
        warnings.push(format!(
            "tls_server_config.curve_preferences: rustls has no {}; using the others",
            missing.join(", ")
        ));
    }
    Ok(groups)
}
