//! Client certificates: `client_auth_type` (Go's five `tls.ClientAuthType` policies),
//! `client_ca_file` / `client_ca`, and `client_allowed_sans`, as one rustls verifier.
//!
//! Like Go: the verifying policies check the chain against the configured CAs, or the system's
//! trust store when none is configured; the other two take any certificate whose key signs
//! the handshake. `client_allowed_sans` is checked on the end-entity certificate during the
//! handshake (Go's `VerifyPeerCertificate`), after the chain, so a mismatch fails the handshake.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ParsedCertificate, WebPkiClientVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, OtherError, RootCertStore,
    SignatureScheme,
};

use super::san::subject_alt_names;
use super::trusted_leaf::usable_as_client_certificate;

/// `client_auth_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientAuth {
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

impl ClientAuth {
    pub fn parse(name: &str) -> Option<ClientAuth> {
        Some(match name {
            "" | "NoClientCert" => ClientAuth::NoClientCert,
            "RequestClientCert" => ClientAuth::RequestClientCert,
            // The toolkit keeps the old spelling working.
            "RequireAnyClientCert" | "RequireClientCert" => ClientAuth::RequireAnyClientCert,
            "VerifyClientCertIfGiven" => ClientAuth::VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => ClientAuth::RequireAndVerifyClientCert,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ClientAuth::NoClientCert => "NoClientCert",
            ClientAuth::RequestClientCert => "RequestClientCert",
            ClientAuth::RequireAnyClientCert => "RequireAnyClientCert",
            ClientAuth::VerifyClientCertIfGiven => "VerifyClientCertIfGiven",
            ClientAuth::RequireAndVerifyClientCert => "RequireAndVerifyClientCert",
        }
    }

    /// A client without a certificate is refused.
    pub fn requires_certificate(self) -> bool {
        matches!(
            self,
            ClientAuth::RequireAnyClientCert | ClientAuth::RequireAndVerifyClientCert
        )
    }

    fn verifies_chain(self) -> bool {
        matches!(
            self,
            ClientAuth::VerifyClientCertIfGiven | ClientAuth::RequireAndVerifyClientCert
        )
    }
}

/// The configured client CAs: where they came from (for messages) and the PEM certificates.
pub(super) struct ClientCas {
    pub source: String,
    pub certs: Vec<CertificateDer<'static>>,
}

/// The rustls verifier for `auth` (`None` for `NoClientCert`), with start-up warnings for
/// the policies that let unverified clients in and for trust stores that verify nothing.
pub(super) fn verifier(
    auth: ClientAuth,
    cas: Option<ClientCas>,
    allowed_sans: Option<Vec<String>>,
    provider: &Arc<CryptoProvider>,
    warnings: &mut Vec<String>,
) -> Result<Option<Arc<dyn ClientCertVerifier>>, String> {
    if auth == ClientAuth::NoClientCert {
        return Ok(None);
    }
    let mut configured = RootCertStore::empty();
    if let Some(cas) = &cas {
        // Like Go's AppendCertsFromPEM: what cannot be used is skipped.
        configured.add_parsable_certificates(cas.certs.iter().cloned());
    }
    let hints = configured.subjects();
    // The trusted certificates themselves: a client certificate identical to one is admitted
    // as Go admits it (a chain of one).
    let mut anchors = Vec::new();
    let chain = if !auth.verifies_chain() {
        warnings.push(format!(
            "tls_server_config.client_auth_type {}: client certificates are not verified, {} \
             (as in the exporter-toolkit); use RequireAndVerifyClientCert with client_ca_file \
             to admit only certificates from your CA",
            auth.name(),
            if auth.requires_certificate() {
                "any client that shows any certificate whose key it holds gets in"
            } else {
                "any client gets in, with or without a certificate"
            }
        ));
        Chain::Unverified
    } else {
        let (roots, source) = match cas {
            Some(cas) => {
                anchors = cas.certs;
                (configured, cas.source)
            }
            None => {
                let system = rustls_native_certs::load_native_certs();
                let mut roots = RootCertStore::empty();
                roots.add_parsable_certificates(system.certs.iter().cloned());
                anchors = system.certs;
                warnings.push(format!(
                    "tls_server_config.client_auth_type {} without client_ca_file or client_ca: \
                     client certificates are checked against the system's trust store ({} CA \
                     certificates), as Go does; set client_ca_file to trust only your own CA",
                    auth.name(),
                    roots.len()
                ));
                (roots, "the system's trust store".to_owned())
            }
        };
        if roots.is_empty() {
            warnings.push(format!(
                "{source} holds no usable CA certificate: every client certificate is refused"
            ));
            Chain::NoTrustAnchors
        } else {
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider))
                    .allow_unauthenticated()
                    .build()
                    .map_err(|e| format!("cannot verify client certificates: {e}"))?;
            Chain::Verified(verifier)
        }
    };
    if allowed_sans.as_ref().is_some_and(Vec::is_empty) {
        warnings.push(
            "tls_server_config.client_allowed_sans is an empty list: every client certificate \
             is refused"
                .to_owned(),
        );
    }
    Ok(Some(Arc::new(ClientVerifier {
        mandatory: auth.requires_certificate(),
        chain,
        hints,
        anchors,
        allowed_sans,
        algorithms: provider.signature_verification_algorithms,
    })))
}

#[derive(Debug)]
enum Chain {
    /// RequestClientCert, RequireAnyClientCert: any well-formed certificate.
    Unverified,
    Verified(Arc<dyn ClientCertVerifier>),
    /// A verifying policy whose trust store is empty: nothing can be verified.
    NoTrustAnchors,
}

#[derive(Debug)]
struct ClientVerifier {
    mandatory: bool,
    chain: Chain,
    /// Subjects of the configured CAs, sent in the certificate request (Go sends its
    /// `ClientCAs` too); empty with the system's trust store.
    hints: Vec<DistinguishedName>,
    /// The trusted CA certificates (configured, or the system's) as they were read.
    anchors: Vec<CertificateDer<'static>>,
    allowed_sans: Option<Vec<String>>,
    algorithms: WebPkiSupportedAlgorithms,
}

#[derive(Debug, thiserror::Error)]
#[error("the client certificate has no SAN listed in client_allowed_sans")]
struct NoAllowedSan;

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        match &self.chain {
            Chain::Unverified => {
                ParsedCertificate::try_from(end_entity)?;
            }
            Chain::Verified(verifier) => {
                if let Err(err) = verifier.verify_client_cert(end_entity, intermediates, now) {
                    let trusted_itself = self.anchors.iter().any(|ca| ca == end_entity)
                        && usable_as_client_certificate(
                            end_entity.as_ref(),
                            i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
                        );
                    if !trusted_itself {
                        return Err(err);
                    }
                }
            }
            Chain::NoTrustAnchors => {
                return Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
            }
        }
        if let Some(allowed) = &self.allowed_sans {
            let names = subject_alt_names(end_entity.as_ref()).unwrap_or_default();
            if !names.iter().any(|name| allowed.contains(name)) {
                return Err(Error::InvalidCertificate(CertificateError::Other(
                    OtherError(Arc::new(NoAllowedSan)),
                )));
            }
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;

    fn pem(name: &str) -> CertificateDer<'static> {
        let path = format!("{}/tests/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"));
        CertificateDer::from_pem_file(path).unwrap()
    }

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    fn build(
        auth: ClientAuth,
        ca: Option<&str>,
        sans: Option<&[&str]>,
    ) -> (Arc<dyn ClientCertVerifier>, Vec<String>) {
        let mut warnings = Vec::new();
        let cas = ca.map(|name| ClientCas {
            source: name.to_owned(),
            certs: vec![pem(name)],
        });
        let sans = sans.map(|s| s.iter().map(|s| s.to_string()).collect());
        let verifier = verifier(auth, cas, sans, &provider(), &mut warnings)
            .unwrap()
            .unwrap();
        (verifier, warnings)
    }

    fn accepts(verifier: &Arc<dyn ClientCertVerifier>, cert: &str) -> bool {
        verifier
            .verify_client_cert(&pem(cert), &[], UnixTime::now())
            .is_ok()
    }

    #[test]
    fn policy_names() {
        for name in [
            "NoClientCert",
            "RequestClientCert",
            "RequireAnyClientCert",
            "VerifyClientCertIfGiven",
            "RequireAndVerifyClientCert",
        ] {
            assert_eq!(ClientAuth::parse(name).map(ClientAuth::name), Some(name));
        }
        assert_eq!(
            ClientAuth::parse("RequireClientCert"),
            Some(ClientAuth::RequireAnyClientCert)
        );
        assert_eq!(ClientAuth::parse(""), Some(ClientAuth::NoClientCert));
        assert_eq!(ClientAuth::parse("requireandverifyclientcert"), None);
    }

    #[test]
    fn verifying_policies_check_the_chain() {
        for auth in [
            ClientAuth::VerifyClientCertIfGiven,
            ClientAuth::RequireAndVerifyClientCert,
        ] {
            let (verifier, warnings) = build(auth, Some("ca.crt"), None);
            assert!(warnings.is_empty(), "{warnings:?}");
            assert!(accepts(&verifier, "client.crt"));
            assert!(!accepts(&verifier, "self-signed-client.crt"));
            assert_eq!(
                verifier.client_auth_mandatory(),
                auth == ClientAuth::RequireAndVerifyClientCert
            );
            assert_eq!(verifier.root_hint_subjects().len(), 1);
        }
        // A self-signed certificate that is itself the CA verifies, as in Go.
        let (verifier, _) = build(
            ClientAuth::RequireAndVerifyClientCert,
            Some("self-signed-client.crt"),
            None,
        );
        assert!(accepts(&verifier, "self-signed-client.crt"));
    }

    #[test]
    fn unverifying_policies_take_any_certificate_and_say_so() {
        for auth in [
            ClientAuth::RequestClientCert,
            ClientAuth::RequireAnyClientCert,
        ] {
            let (verifier, warnings) = build(auth, None, None);
            assert!(accepts(&verifier, "self-signed-client.crt"));
            assert!(accepts(&verifier, "client.crt"));
            assert_eq!(warnings.len(), 1);
            assert!(warnings[0].contains("not verified"), "{warnings:?}");
            assert_eq!(
                verifier.client_auth_mandatory(),
                auth.requires_certificate()
            );
        }
        let (verifier, _) = build(ClientAuth::RequireAnyClientCert, None, None);
        let garbage = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        assert!(verifier
            .verify_client_cert(&garbage, &[], UnixTime::now())
            .is_err());
    }

    #[test]
    fn allowed_sans_match_exactly_any_san_kind() {
        for san in [
            "prometheus.example.com",
            "scraper@example.com",
            "spiffe://example.com/ns/monitoring/sa/prometheus",
            "10.0.0.7",
            "2001:db8::7",
        ] {
            let (verifier, _) = build(
                ClientAuth::RequireAndVerifyClientCert,
                Some("ca.crt"),
                Some(&["someone-else", san]),
            );
            assert!(accepts(&verifier, "client-san.crt"), "{san}");
            // The CN of a certificate without SANs is not a SAN.
            assert!(!accepts(&verifier, "client.crt"), "{san}");
        }
        for near_miss in [
            "Prometheus.example.com",
            "*.example.com",
            "example.com",
            "2001:DB8::7",
            "2001:db8:0:0:0:0:0:7",
            "prometheus-san",
        ] {
            let (verifier, _) = build(
                ClientAuth::RequireAndVerifyClientCert,
                Some("ca.crt"),
                Some(&[near_miss]),
            );
            assert!(!accepts(&verifier, "client-san.crt"), "{near_miss}");
        }
        let (verifier, warnings) = build(ClientAuth::RequireAnyClientCert, None, Some(&[]));
        assert!(!accepts(&verifier, "client-san.crt"));
        assert!(
            warnings.iter().any(|w| w.contains("empty list")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_ca_source_without_certificates_refuses_every_certificate() {
        let mut warnings = Vec::new();
        let cas = ClientCas {
            source: "client_ca_file empty.pem".to_owned(),
            certs: vec![CertificateDer::from(vec![1, 2, 3])],
        };
        let verifier = verifier(
            ClientAuth::VerifyClientCertIfGiven,
            Some(cas),
            None,
            &provider(),
            &mut warnings,
        )
        .unwrap()
        .unwrap();
        assert!(!accepts(&verifier, "client.crt"));
        assert!(!verifier.client_auth_mandatory());
        assert!(
            warnings[0].contains("empty.pem holds no usable CA certificate"),
            "{warnings:?}"
        );
    }

    #[test]
    fn without_a_ca_the_system_trust_store_verifies_like_go() {
        let (verifier, warnings) = build(ClientAuth::VerifyClientCertIfGiven, None, None);
        assert!(warnings[0].contains("system's trust store"), "{warnings:?}");
        // The test CA is in no system store.
        assert!(!accepts(&verifier, "client.crt"));
        assert!(verifier.root_hint_subjects().is_empty());
    }
}
