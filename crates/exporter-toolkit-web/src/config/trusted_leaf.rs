//! A client certificate that is itself one of the trusted CAs (a self-signed certificate with
//! `CA:TRUE`, made one per scraper and listed in `client_ca_file`, as the toolkit's own
//! `client_selfsigned.pem`). webpki refuses a CA certificate as an end entity; Go's
//! `x509.Verify` admits a leaf that is in the root pool as a chain of one, after checking its
//! validity period and that its extended key usage allows client authentication. This module
//! does those two checks; the caller has matched the certificate byte for byte against a
//! trusted one, and the handshake still makes the client prove it holds the key.

use super::san::{expect, extension, tbs_certificate, Der};

/// OID 2.5.29.37, extKeyUsage.
const EKU_OID: &[u8] = &[0x55, 0x1d, 0x25];
/// 1.3.6.1.5.5.7.3.2, id-kp-clientAuth.
const CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// 2.5.29.37.0, anyExtendedKeyUsage.
const ANY_USAGE: &[u8] = &[0x55, 0x1d, 0x25, 0x00];

/// Whether `certificate` (DER) is within its validity period at `now` (Unix seconds) and may
/// authenticate a client (no extKeyUsage, or one listing clientAuth or any usage). `false`
/// when it cannot be read.
pub(super) fn usable_as_client_certificate(certificate: &[u8], now: i64) -> bool {
    let Some((not_before, not_after, usages)) = read(certificate) else {
        return false;
    };
    let usage_ok = usages.is_none_or(|oids| {
        oids.iter()
            .any(|oid| *oid == CLIENT_AUTH || *oid == ANY_USAGE)
    });
    (not_before..=not_after).contains(&now) && usage_ok
}

/// (notBefore, notAfter, the extKeyUsage OIDs if the extension is there).
#[allow(clippy::type_complexity)]
fn read(certificate: &[u8]) -> Option<(i64, i64, Option<Vec<&[u8]>>)> {
    let mut fields = tbs_certificate(certificate)?.peekable();
    // [0] EXPLICIT version, optional.
    if fields.peek().is_some_and(|(tag, _)| *tag == 0xa0) {
        fields.next();
    }
    // serialNumber, signature, issuer, then validity.
    let (tag, validity) = fields.nth(3)?;
    expect(tag, 0x30)?;
    let mut times = Der(validity);
    let not_before = time(times.next()?)?;
    let not_after = time(times.next()?)?;
    let usages = match extension(certificate, EKU_OID)? {
        None => None,
        Some(value) => {
            let (tag, sequence) = Der(value).next()?;
            expect(tag, 0x30)?;
            let mut oids = Vec::new();
            for (tag, oid) in Der(sequence) {
                expect(tag, 0x06)?;
                oids.push(oid);
            }
            Some(oids)
        }
    };
    Some((not_before, not_after, usages))
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) to
/// Unix seconds.
fn time((tag, bytes): (u8, &[u8])) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    let (year, rest) = match (tag, text.len()) {
        (0x17, 12) => {
            let yy: i64 = text.get(..2)?.parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, text.get(2..)?)
        }
        (0x18, 14) => (text.get(..4)?.parse().ok()?, text.get(4..)?),
        _ => return None,
    };
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |at: usize| -> Option<i64> { rest.get(at..at + 2)?.parse().ok() };
    let (month, day) = (field(0)?, field(2)?);
    let (hour, minute, second) = (field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    fn fixture(path: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_file(format!(
            "{}/tests/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn dates_convert_like_go() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(time((0x17, b"210820153218Z")), Some(1_629_473_538));
        assert_eq!(time((0x18, b"21210727153218Z")), Some(4_783_073_538));
        assert_eq!(time((0x17, b"491231235959Z")), Some(2_524_607_999));
        assert_eq!(time((0x17, b"500101000000Z")), Some(-631_152_000));
        for bad in [
            &b"2108201532Z"[..],
            b"210820153218",
            b"211320153218Z",
            b"21082015321xZ",
        ] {
            assert_eq!(time((0x17, bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn the_toolkits_self_signed_client_certificate_is_usable_within_its_dates() {
        // Valid from 2021-08-20 to 2121-07-27, extKeyUsage clientAuth.
        let cert = fixture("toolkit/client2_selfsigned.pem");
        assert!(usable_as_client_certificate(&cert, 1_700_000_000));
        assert!(!usable_as_client_certificate(&cert, 1_629_473_537));
        assert!(!usable_as_client_certificate(&cert, 4_783_073_539));
        // A server certificate (extKeyUsage serverAuth only) cannot authenticate a client.
        assert!(!usable_as_client_certificate(
            &fixture("tls/server.crt"),
            1_700_000_000
        ));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!(usable_as_client_certificate(
            &fixture("tls/self-signed-ca-client.crt"),
            now
        ));
        // The CA has no extKeyUsage: any usage.
        assert!(usable_as_client_certificate(&fixture("tls/ca.crt"), now));
        assert!(!usable_as_client_certificate(
            &cert[..cert.len() / 2],
            1_700_000_000
        ));
    }
}
