//! Go's names for TLS versions, cipher suites and curves, as the exporter-toolkit accepts them,
//! mapped to what rustls (aws-lc-rs provider) has.

use rustls::crypto::aws_lc_rs::{cipher_suite as cs, kx_group};
use rustls::crypto::SupportedKxGroup;
use rustls::SupportedCipherSuite;

/// `min_version` / `max_version` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TlsVersion {
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl TlsVersion {
    pub fn parse(name: &str) -> Option<TlsVersion> {
        match name {
            "TLS10" => Some(TlsVersion::Tls10),
            "TLS11" => Some(TlsVersion::Tls11),
            "TLS12" => Some(TlsVersion::Tls12),
            "TLS13" => Some(TlsVersion::Tls13),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls10 => "TLS10",
            TlsVersion::Tls11 => "TLS11",
            TlsVersion::Tls12 => "TLS12",
            TlsVersion::Tls13 => "TLS13",
        }
    }
}

/// What a Go cipher suite name means here.
#[derive(Debug, Clone, Copy)]
pub(super) enum Suite {
    /// A TLS 1.2 suite rustls has.
    Tls12(SupportedCipherSuite),
    /// A TLS 1.3 suite: Go (and so the toolkit) does not let TLS 1.3 suites be configured;
    /// naming one is allowed and changes nothing for TLS 1.3.
    Tls13,
    /// A suite Go has but rustls does not (CBC, 3DES, RSA key exchange).
    Missing,
}

/// Every name Go's `tls.CipherSuites()` has returned in recent Go releases: the names the
/// toolkit accepts. Go's `InsecureCipherSuites()` (RC4, CBC-SHA256) are unknown names to the
/// toolkit, and so here.
pub(super) const CIPHER_SUITE_NAMES: &[&str] = &[
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// The Go name of a cipher suite; `None` for a name the toolkit does not know.
pub(super) fn cipher_suite(name: &str) -> Option<Suite> {
    Some(match name {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => {
            Suite::Tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
        }
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => {
            Suite::Tls12(cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
        }
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => {
            Suite::Tls12(cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
        }
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => {
            Suite::Tls12(cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        }
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => {
            Suite::Tls12(cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)
        }
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => {
            Suite::Tls12(cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
        }
        "TLS_AES_128_GCM_SHA256" | "TLS_AES_256_GCM_SHA384" | "TLS_CHACHA20_POLY1305_SHA256" => {
            Suite::Tls13
        }
        other if CIPHER_SUITE_NAMES.contains(&other) => Suite::Missing,
        _ => return None,
    })
}

/// Whether Go's HTTP/2 server accepts a TLS 1.2 suite list containing this suite (it needs
/// one of the two ECDHE AES-128-GCM suites, RFC 7540 §9.2.2).
pub(super) fn is_http2_required_suite(name: &str) -> bool {
    matches!(
        name,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" | "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    )
}

/// What a Go curve name means here: the rustls key exchange group (P-521 from [`super::p521`]),
/// or `None` when there is none for it (the P-384 hybrid). The outer `None` is a name the toolkit does not know.
pub(super) fn curve(name: &str) -> Option<Option<&'static dyn SupportedKxGroup>> {
    Some(match name {
        "CurveP256" => Some(kx_group::SECP256R1),
        "CurveP384" => Some(kx_group::SECP384R1),
        "X25519" => Some(kx_group::X25519),
        // Go 1.26 names (the toolkit registers them when built with Go 1.26).
        "SecP256r1MLKEM768" => Some(kx_group::SECP256R1MLKEM768),
        "X25519MLKEM768" => Some(kx_group::X25519MLKEM768),
        "CurveP521" => Some(super::p521::SECP521R1),
        "SecP384r1MLKEM1024" => None,
        _ => return None,
    })
}

/// Curve names the toolkit accepts, for error messages.
pub(super) const CURVE_NAMES: &str =
    "CurveP256, CurveP384, CurveP521, X25519, X25519MLKEM768, SecP256r1MLKEM768 or SecP384r1MLKEM1024";

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES;
    use rustls::NamedGroup;

    #[test]
    fn every_go_cipher_name_is_known_and_rustls_suites_keep_their_iana_name() {
        let mut tls12 = 0;
        for name in CIPHER_SUITE_NAMES {
            match cipher_suite(name) {
                Some(Suite::Tls12(suite)) => {
                    tls12 += 1;
                    // rustls spells the suite exactly as Go does.
                    assert_eq!(format!("{:?}", suite.suite()), *name);
                    assert_eq!(suite.version(), &rustls::version::TLS12);
                }
                Some(Suite::Tls13) => assert!(!name.contains("_WITH_"), "{name}"),
                Some(Suite::Missing) => assert!(
                    name.contains("_CBC_") || name.starts_with("TLS_RSA_"),
                    "{name} is neither CBC nor RSA key exchange"
                ),
                None => panic!("{name} unknown"),
            }
        }
        // All of rustls' TLS 1.2 suites are reachable by a Go name.
        let rustls_tls12 = ALL_CIPHER_SUITES
            .iter()
            .filter(|s| s.version() == &rustls::version::TLS12)
            .count();
        assert_eq!(tls12, rustls_tls12);
    }

    #[test]
    fn unknown_and_insecure_cipher_names_are_refused_like_go() {
        for name in [
            "TLS_RSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
            "tls_ecdhe_rsa_with_aes_128_gcm_sha256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "",
        ] {
            assert!(cipher_suite(name).is_none(), "{name}");
        }
    }

    #[test]
    fn http2_required_suites() {
        assert!(is_http2_required_suite(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        ));
        assert!(is_http2_required_suite(
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        ));
        assert!(!is_http2_required_suite(
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        ));
        assert!(!is_http2_required_suite("TLS_RSA_WITH_AES_128_GCM_SHA256"));
    }

    #[test]
    fn curves() {
        let group = |name: &str| curve(name).map(|g| g.map(|g| g.name()));
        assert_eq!(group("CurveP256"), Some(Some(NamedGroup::secp256r1)));
        assert_eq!(group("CurveP384"), Some(Some(NamedGroup::secp384r1)));
        assert_eq!(group("X25519"), Some(Some(NamedGroup::X25519)));
        assert_eq!(
            group("SecP256r1MLKEM768"),
            Some(Some(NamedGroup::secp256r1MLKEM768))
        );
        assert_eq!(group("CurveP521"), Some(Some(NamedGroup::secp521r1)));
        assert_eq!(
            group("X25519MLKEM768"),
            Some(Some(NamedGroup::X25519MLKEM768))
        );
        assert_eq!(group("SecP384r1MLKEM1024"), Some(None));
        for unknown in ["P256", "x25519", "x25519mlkem768", "secp256r1", "P521", ""] {
            assert_eq!(group(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn tls_versions() {
        for name in ["TLS10", "TLS11", "TLS12", "TLS13"] {
            assert_eq!(TlsVersion::parse(name).map(TlsVersion::name), Some(name));
        }
        assert!(TlsVersion::Tls11 < TlsVersion::Tls12);
        for unknown in ["TLS1.2", "tls12", "TLS14", "SSL30", ""] {
            assert_eq!(TlsVersion::parse(unknown), None, "{unknown}");
        }
    }
}
