//! `client_allowed_sans`: the Subject Alternative Names of a client certificate, as the
//! exporter-toolkit matches them (Go's `crypto/x509` fields `DNSNames`, `EmailAddresses`,
//! `IPAddresses` printed by `net.IP.String`, `URIs` printed by `url.URL.String`), compared
//! exactly with the allowed strings.
//!
//! A small DER reader, enough to walk to the SAN extension; anything it does not understand
//! yields no names, so the certificate is refused (fail closed).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// OID 2.5.29.17, subjectAltName.
const SAN_OID: &[u8] = &[0x55, 0x1d, 0x11];

/// The SAN values of a DER certificate that `client_allowed_sans` can match; `None` when the
/// certificate cannot be read.
pub(super) fn subject_alt_names(certificate: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    if let Some(value) = extension(certificate, SAN_OID)? {
        general_names(value, &mut names)?;
    }
    Some(names)
}

/// The fields of a DER certificate's TBSCertificate.
pub(super) fn tbs_certificate(certificate: &[u8]) -> Option<Der<'_>> {
    let (tag, cert) = Der(certificate).next()?;
    expect(tag, 0x30)?;
    let (tag, tbs) = Der(cert).next()?;
    expect(tag, 0x30)?;
    Some(Der(tbs))
}

/// The value (the OCTET STRING's contents) of the certificate's extension `oid`: `Some(None)`
/// when it has none, `None` when the certificate cannot be read.
pub(super) fn extension<'a>(certificate: &'a [u8], oid: &[u8]) -> Option<Option<&'a [u8]>> {
    for (tag, value) in tbs_certificate(certificate)? {
        // [3] EXPLICIT Extensions, the last field of the TBSCertificate.
        if tag != 0xa3 {
            continue;
        }
        let (tag, extensions) = Der(value).next()?;
        expect(tag, 0x30)?;
        for (tag, extension) in Der(extensions) {
            expect(tag, 0x30)?;
            let mut parts = Der(extension);
            let (tag, id) = parts.next()?;
            expect(tag, 0x06)?;
            if id != oid {
                continue;
            }
            let (mut tag, mut value) = parts.next()?;
            if tag == 0x01 {
                // critical BOOLEAN
                (tag, value) = parts.next()?;
            }
            expect(tag, 0x04)?;
            return Some(Some(value));
        }
    }
    Some(None)
}

fn general_names(octets: &[u8], names: &mut Vec<String>) -> Option<()> {
    let (tag, sequence) = Der(octets).next()?;
    expect(tag, 0x30)?;
    for (tag, value) in Der(sequence) {
        match tag {
            // rfc822Name and dNSName: IA5String (Go refuses anything but ASCII).
            0x81 | 0x82 => names.push(ascii(value)?.to_owned()),
            // uniformResourceIdentifier: Go re-prints the parsed URL, lowercasing the scheme.
            0x86 => {
                let uri = ascii(value)?;
                names.push(match uri.split_once(':') {
                    Some((scheme, rest)) => format!("{}:{rest}", scheme.to_ascii_lowercase()),
                    None => uri.to_owned(),
                });
            }
            0x87 => names.push(ip(value)?),
            // otherName, x400Address, directoryName, ediPartyName, registeredID: not matched.
            _ => {}
        }
    }
    Some(())
}

/// `net.IP.String()`: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6.
fn ip(bytes: &[u8]) -> Option<String> {
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => {
            let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(ip.to_string())
}

fn ascii(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok().filter(|s| s.is_ascii())
}

pub(super) fn expect(tag: u8, wanted: u8) -> Option<()> {
    (tag == wanted).then_some(())
}

/// DER elements one after another: (tag, contents). Low-tag-number form only, definite
/// lengths of at most four bytes.
pub(super) struct Der<'a>(pub(super) &'a [u8]);

impl<'a> Iterator for Der<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let tag = *self.0.first()?;
        if tag & 0x1f == 0x1f {
            return None;
        }
        let first = *self.0.get(1)?;
        let (length, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None;
            }
            let mut length = 0usize;
            for byte in self.0.get(2..2 + count)? {
                length = (length << 8) | usize::from(*byte);
            }
            (length, 2 + count)
        };
        let end = header.checked_add(length)?;
        let contents = self.0.get(header..end)?;
        self.0 = self.0.get(end..)?;
        Some((tag, contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    fn fixture(name: &str) -> CertificateDer<'static> {
        let path = format!("{}/tests/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"));
        CertificateDer::from_pem_file(path).unwrap()
    }

    #[test]
    fn every_san_kind_go_matches_in_go_spelling() {
        let names = subject_alt_names(&fixture("client-san.crt")).unwrap();
        assert_eq!(
            names,
            [
                "prometheus.example.com",
                "scraper@example.com",
                "spiffe://example.com/ns/monitoring/sa/prometheus",
                "10.0.0.7",
                "2001:db8::7",
            ]
        );
        assert_eq!(
            subject_alt_names(&fixture("server.crt")).unwrap(),
            ["localhost", "127.0.0.1"]
        );
        // The common name is not a SAN.
        assert_eq!(
            subject_alt_names(&fixture("client.crt")).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn ip_addresses_print_like_go() {
        assert_eq!(ip(&[10, 0, 0, 7]).unwrap(), "10.0.0.7");
        let mapped = Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped().octets();
        assert_eq!(ip(&mapped).unwrap(), "192.0.2.1");
        assert_eq!(ip(&Ipv6Addr::LOCALHOST.octets()).unwrap(), "::1");
        assert_eq!(ip(&[1, 2, 3]), None);
    }

    #[test]
    fn truncated_or_garbage_input_reads_as_no_certificate() {
        let der = fixture("client-san.crt");
        for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
            assert!(subject_alt_names(&der[..cut]).is_none(), "cut at {cut}");
        }
        for garbage in [
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff][..],
            &[0x1f, 0x00],
            &[0x30, 0x80],
        ] {
            assert!(subject_alt_names(garbage).is_none(), "{garbage:?}");
        }
        // Every single-byte corruption either reads or is refused; none panics.
        let mut copy = der.to_vec();
        for at in 0..copy.len() {
            let saved = copy[at];
            copy[at] = saved ^ 0xff;
            let _ = subject_alt_names(&copy);
            copy[at] = saved;
        }
    }
}
