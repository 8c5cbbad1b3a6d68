//! The bytes of a state file, and nothing else: encode, and a decoder that trusts none of them.
//!
//! ```text
//! magic    "adobe_status_exporter state\n"   28 bytes: says what the file is
//! version  u32                                 FORMAT_VERSION; another one is refused by name
//! length   u64                                 bytes of the payload that follows
//! payload  last_success f64 · written f64 · scope (u32 length + UTF-8)
//!          · section count u32 · per section: api label (u16 length + UTF-8) · fetched f64
//!            · body length u64 and crc32 u32 (inflated) · deflated length u64
//!            · the body, deflated (raw deflate)
//! crc32    u32                                 of everything before it
//! ```
//!
//! Integers and floats little-endian, times in Unix seconds. A section is one upstream answer as
//! Adobe sent it, keyed by its `Api` label; the reader re-derives everything from the bodies, so
//! the format does not change when the derivation does. Every length is checked against what is
//! left before it is used, and the checksum is verified before any of the payload is read.

use std::io::{self, Read, Write};

use bytes::Bytes;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::upstream::Api;

/// What every state file starts with.
pub const MAGIC: &[u8; 28] = b"adobe_status_exporter state\n";
/// The layout above. Bump it for any change a reader of this version would misread.
pub const FORMAT_VERSION: u32 = 1;
/// magic + version + payload length.
const HEADER_LEN: usize = MAGIC.len() + 4 + 8;
const CRC_LEN: usize = 4;

/// Why a file's bytes are not a state file this exporter can use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    #[error("the file is empty")]
    Empty,
    #[error("not a state file of adobe_status_exporter (it does not start with its magic line)")]
    NotAStateFile,
    #[error("state file format version {found}; this exporter reads version {FORMAT_VERSION}")]
    OtherVersion { found: u32 },
    #[error("truncated: {found} bytes where the header promises {expected}")]
    Truncated { expected: u64, found: u64 },
    #[error("checksum mismatch: the file is corrupt")]
    Checksum,
    #[error("corrupt: {0}")]
    Corrupt(&'static str),
    #[error("the {api} body does not inflate: {reason}")]
    Inflate { api: &'static str, reason: String },
    #[error("the {api} body is larger than {max} bytes")]
    BodyTooLarge { api: &'static str, max: usize },
}

/// One upstream body, deflated, with the length it has inflated. Cheap to clone (shared bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBody {
    raw_len: u64,
    /// crc32 of the inflated body: an unchanged answer is recognised without deflating it again.
    raw_crc: u32,
    deflated: Bytes,
}

impl StoredBody {
    /// Deflate `body` (fast level: a refresh deflates the events on every change).
    pub fn deflate(body: &[u8]) -> StoredBody {
        let mut deflating = Deflating::default();
        deflating.write(body);
        deflating.finish()
    }

    /// The inflated body's length and crc32.
    pub fn raw(&self) -> (u64, u32) {
        (self.raw_len, self.raw_crc)
    }

    /// Whether this is `body` (same length and crc32): then it need not be deflated again.
    pub fn holds(&self, body: &[u8]) -> bool {
        self.raw_len == body.len() as u64 && self.raw_crc == crc32fast::hash(body)
    }

    /// The body again, refusing more than `max` bytes whatever the file claims.
    pub fn inflate(&self, api: Api, max: usize) -> Result<Vec<u8>, FormatError> {
        let too_large = FormatError::BodyTooLarge {
            api: api.label(),
            max,
        };
        if self.raw_len > max as u64 {
            return Err(too_large);
        }
        let mut body = Vec::new();
        DeflateDecoder::new(&self.deflated[..])
            .take(self.raw_len.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|err| FormatError::Inflate {
                api: api.label(),
                reason: err.to_string(),
            })?;
        if body.len() as u64 != self.raw_len || crc32fast::hash(&body) != self.raw_crc {
            return Err(FormatError::Inflate {
                api: api.label(),
                reason: format!(
                    "{} bytes that do not match the {} recorded",
                    body.len(),
                    self.raw_len
                ),
            });
        }
        Ok(body)
    }
}

/// One upstream answer and when it was fetched (Unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub api: Api,
    pub fetched_unix: f64,
    pub body: StoredBody,
}

/// Everything a state file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct StateFile {
    /// Unix seconds of the refresh whose events are in the file.
    pub last_success_unix: f64,
    pub written_unix: f64,
    /// What the data was fetched for (`Config::state_scope`); data for another scope is not used.
    pub scope: String,
    pub sections: Vec<Section>,
}

impl StateFile {
    pub fn section(&self, api: Api) -> Option<&Section> {
        self.sections.iter().find(|s| s.api == api)
    }
}

/// The APIs whose bodies a state file may hold: the two event feeds and every registry part.
fn api_of(label: &str) -> Option<Api> {
    [Api::Events, Api::Scheduled]
        .into_iter()
        .chain(Api::REGISTRY)
        .find(|api| api.label() == label)
}

/// What a file says about one section, without its body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SectionHead {
    pub api: Api,
    pub fetched_unix: f64,
    pub raw_len: u64,
    pub raw_crc: u32,
    pub deflated_len: u64,
}

impl Section {
    pub fn head(&self) -> SectionHead {
        SectionHead {
            api: self.api,
            fetched_unix: self.fetched_unix,
            raw_len: self.body.raw_len,
            raw_crc: self.body.raw_crc,
            deflated_len: self.body.deflated.len() as u64,
        }
    }
}

impl StoredBody {
    /// The deflated bytes (what a section's body is in the file).
    pub fn deflated(&self) -> &Bytes {
        &self.deflated
    }
}

/// A body deflated piece by piece as it is read, for a body never held whole (`/events` parsed
/// as it arrives).
pub struct Deflating {
    encoder: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Default for Deflating {
    fn default() -> Deflating {
        Deflating {
            encoder: DeflateEncoder::new(Vec::new(), Compression::fast()),
            crc: crc32fast::Hasher::new(),
            len: 0,
        }
    }
}

impl Deflating {
    pub fn write(&mut self, bytes: &[u8]) {
        // Writing into a Vec cannot fail.
        let _ = self.encoder.write_all(bytes);
        self.crc.update(bytes);
        self.len += bytes.len() as u64;
    }

    pub fn finish(self) -> StoredBody {
        let mut deflated = self.encoder.finish().unwrap_or_default();
        // Held until the file is written: not the up to twice as much the Vec grew to.
        deflated.shrink_to_fit();
        StoredBody {
            raw_len: self.len,
            raw_crc: self.crc.finalize(),
            deflated: Bytes::from(deflated),
        }
    }
}

/// Write a file in the layout above, each section's deflated body written by `body(i, out)`
/// (exactly `sections[i].deflated_len` bytes: from memory, or copied from the previous file).
/// Returns where each body starts in the output.
pub fn encode_streaming(
    last_success_unix: f64,
    written_unix: f64,
    scope: &str,
    sections: &[SectionHead],
    mut body: impl FnMut(usize, &mut dyn Write) -> io::Result<()>,
    out: &mut impl Write,
) -> io::Result<Vec<u64>> {
    let mut payload_len = 8 + 8 + 4 + scope.len() as u64 + 4;
    for section in sections {
        payload_len += 2 + section.api.label().len() as u64 + 8 + 8 + 4 + 8;
        payload_len += section.deflated_len;
    }
    let mut out = CountingCrc {
        inner: out,
        crc: crc32fast::Hasher::new(),
        written: 0,
    };
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&payload_len.to_le_bytes())?;
    out.write_all(&last_success_unix.to_le_bytes())?;
    out.write_all(&written_unix.to_le_bytes())?;
    out.write_all(&(scope.len() as u32).to_le_bytes())?;
    out.write_all(scope.as_bytes())?;
    out.write_all(&(sections.len() as u32).to_le_bytes())?;
    let mut offsets = Vec::with_capacity(sections.len());
    for (i, section) in sections.iter().enumerate() {
        let label = section.api.label();
        out.write_all(&(label.len() as u16).to_le_bytes())?;
        out.write_all(label.as_bytes())?;
        out.write_all(&section.fetched_unix.to_le_bytes())?;
        out.write_all(&section.raw_len.to_le_bytes())?;
        out.write_all(&section.raw_crc.to_le_bytes())?;
        out.write_all(&section.deflated_len.to_le_bytes())?;
        let start = out.written;
        offsets.push(start);
        body(i, &mut out)?;
        if out.written - start != section.deflated_len {
            return Err(io::Error::other(format!(
                "the {label} body is not the length its head says"
            )));
        }
    }
    let crc = out.crc.clone().finalize();
    out.inner.write_all(&crc.to_le_bytes())?;
    Ok(offsets)
}

/// Write `file` to `out` in the layout above, its bodies from memory.
pub fn encode(file: &StateFile, out: &mut impl Write) -> io::Result<Vec<u64>> {
    let heads: Vec<SectionHead> = file.sections.iter().map(Section::head).collect();
    encode_streaming(
        file.last_success_unix,
        file.written_unix,
        &file.scope,
        &heads,
        |i, out| out.write_all(&file.sections[i].body.deflated),
        out,
    )
}

/// `file` as bytes (tests).
pub fn to_bytes(file: &StateFile) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = encode(file, &mut bytes);
    bytes
}

/// Passes bytes on, with their crc32 and how many there were.
struct CountingCrc<'a, W: Write> {
    inner: &'a mut W,
    crc: crc32fast::Hasher,
    written: u64,
}

impl<W: Write> Write for CountingCrc<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.crc.update(&bytes[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Read a state file's bytes. Checks, in order: magic, version, length, checksum, then the
/// payload field by field. Sections of an API this exporter does not know are skipped (a newer
/// exporter's registry part); a known one twice is corrupt.
pub fn decode(bytes: &[u8]) -> Result<StateFile, FormatError> {
    decode_located(bytes).map(|(file, _)| file)
}

/// [`decode`], and where each section's deflated body starts in `bytes`.
pub fn decode_located(bytes: &[u8]) -> Result<(StateFile, Vec<u64>), FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::Empty);
    }
    let magic_seen = &bytes[..bytes.len().min(MAGIC.len())];
    if magic_seen != &MAGIC[..magic_seen.len()] {
        return Err(FormatError::NotAStateFile);
    }
    let mut header = Cursor { rest: bytes };
    header
        .take(MAGIC.len())
        .map_err(|_| truncated(bytes, None))?;
    let version = header.u32().map_err(|_| truncated(bytes, None))?;
    if version != FORMAT_VERSION {
        return Err(FormatError::OtherVersion { found: version });
    }
    let payload_len = header.u64().map_err(|_| truncated(bytes, None))?;
    let expected = (HEADER_LEN as u64)
        .checked_add(payload_len)
        .and_then(|n| n.checked_add(CRC_LEN as u64))
        .ok_or(FormatError::Corrupt("impossible payload length"))?;
    if (bytes.len() as u64) < expected {
        return Err(truncated(bytes, Some(expected)));
    }
    if (bytes.len() as u64) > expected {
        return Err(FormatError::Corrupt("bytes after the checksum"));
    }
    let (checked, crc) = bytes.split_at(bytes.len() - CRC_LEN);
    if crc32fast::hash(checked) != u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) {
        return Err(FormatError::Checksum);
    }
    let mut payload = Cursor {
        rest: &checked[HEADER_LEN..],
    };
    let (file, offsets) = read_payload(&mut payload).map_err(FormatError::Corrupt)?;
    if !payload.rest.is_empty() {
        return Err(FormatError::Corrupt("bytes after the last section"));
    }
    let offsets = offsets.into_iter().map(|o| o + HEADER_LEN as u64).collect();
    Ok((file, offsets))
}

fn truncated(bytes: &[u8], expected: Option<u64>) -> FormatError {
    FormatError::Truncated {
        expected: expected.unwrap_or((HEADER_LEN + CRC_LEN) as u64),
        found: bytes.len() as u64,
    }
}

/// The payload, and where each kept section's body starts in it.
fn read_payload(payload: &mut Cursor<'_>) -> Result<(StateFile, Vec<u64>), &'static str> {
    let payload_len = payload.rest.len();
    let mut offsets = Vec::new();
    let last_success_unix = payload.time()?;
    let written_unix = payload.time()?;
    let scope_len = payload.u32()? as usize;
    let scope = payload.text(scope_len)?;
    let count = payload.u32()?;
    let mut sections: Vec<Section> = Vec::new();
    for _ in 0..count {
        let label_len = usize::from(payload.u16()?);
        let label = payload.text(label_len)?;
        let fetched_unix = payload.time()?;
        let raw_len = payload.u64()?;
        let raw_crc = payload.u32()?;
        let deflated_len = usize::try_from(payload.u64()?).map_err(|_| "section too long")?;
        let offset = (payload_len - payload.rest.len()) as u64;
        let deflated = payload.take(deflated_len)?;
        let Some(api) = api_of(&label) else {
            continue;
        };
        if sections.iter().any(|s| s.api == api) {
            return Err("a section twice");
        }
        offsets.push(offset);
        sections.push(Section {
            api,
            fetched_unix,
            body: StoredBody {
                raw_len,
                raw_crc,
                deflated: Bytes::copy_from_slice(deflated),
            },
        });
    }
    let file = StateFile {
        last_success_unix,
        written_unix,
        scope,
        sections,
    };
    Ok((file, offsets))
}

/// The unread rest of the bytes; every read checks that enough is left.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.rest.len() {
            return Err("a field runs past the end of the payload");
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u16(&mut self) -> Result<u16, &'static str> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        self.array().map(u64::from_le_bytes)
    }

    /// A Unix time: finite and not before 1970.
    fn time(&mut self) -> Result<f64, &'static str> {
        let value = f64::from_le_bytes(self.array()?);
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err("a time that is not a Unix time")
        }
    }

    fn text(&mut self, n: usize) -> Result<String, &'static str> {
        std::str::from_utf8(self.take(n)?)
            .map(str::to_owned)
            .map_err(|_| "text that is not UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StateFile {
        StateFile {
            last_success_unix: 1_800_000_000.5,
            written_unix: 1_800_000_001.0,
            scope: "product-ids=503462".into(),
            sections: vec![
                Section {
                    api: Api::Events,
                    fetched_unix: 1_800_000_000.5,
                    body: StoredBody::deflate(br#"{"incidents":[],"maintenances":[]}"#),
                },
                Section {
                    api: Api::Products,
                    fetched_unix: 1_799_999_000.0,
                    body: StoredBody::deflate(br#"[{"id":"503462","name":"Adobe Analytics"}]"#),
                },
            ],
        }
    }

    #[test]
    fn a_file_round_trips_and_its_bodies_inflate_to_what_was_stored() {
        let file = sample();
        let mut bytes = Vec::new();
        let written_at = encode(&file, &mut bytes).unwrap();
        assert!(bytes.starts_with(MAGIC));
        let (back, read_at) = decode_located(&bytes).unwrap();
        assert_eq!(back, file);
        assert_eq!(written_at, read_at);
        for (section, at) in back.sections.iter().zip(read_at) {
            let at = at as usize;
            assert_eq!(
                &bytes[at..at + section.body.deflated.len()],
                &section.body.deflated[..]
            );
        }
        let products = back.section(Api::Products).unwrap();
        assert_eq!(
            products.body.inflate(Api::Products, 1 << 20).unwrap(),
            br#"[{"id":"503462","name":"Adobe Analytics"}]"#
        );
        assert!(products
            .body
            .holds(br#"[{"id":"503462","name":"Adobe Analytics"}]"#));
        assert!(!products.body.holds(b"[]"));
    }

    #[test]
    fn every_truncation_is_detected() {
        let bytes = to_bytes(&sample());
        assert_eq!(decode(&[]), Err(FormatError::Empty));
        for len in 1..bytes.len() {
            let err = decode(&bytes[..len]).unwrap_err();
            assert!(
                matches!(err, FormatError::Truncated { .. }),
                "{len}: {err:?}"
            );
        }
    }

    #[test]
    fn every_flipped_byte_after_the_header_fails_the_checksum() {
        let bytes = to_bytes(&sample());
        for i in HEADER_LEN..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x5a;
            assert_eq!(decode(&damaged), Err(FormatError::Checksum), "byte {i}");
        }
    }

    #[test]
    fn another_version_and_another_file_are_named_as_such() {
        let mut bytes = to_bytes(&sample());
        bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(decode(&bytes), Err(FormatError::OtherVersion { found: 2 }));
        assert_eq!(
            decode(b"{\"incidents\":[]}"),
            Err(FormatError::NotAStateFile)
        );
        let mut appended = to_bytes(&sample());
        appended.push(0);
        assert!(matches!(decode(&appended), Err(FormatError::Corrupt(_))));
    }

    /// A file with a valid checksum can still lie about its lengths: each lie is an error.
    #[test]
    fn lengths_inside_the_payload_are_not_trusted() {
        fn with_payload(payload: &[u8]) -> Vec<u8> {
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
            bytes.extend_from_slice(payload);
            let crc = crc32fast::hash(&bytes);
            bytes.extend_from_slice(&crc.to_le_bytes());
            bytes
        }
        let mut payload = Vec::new();
        payload.extend_from_slice(&1.0f64.to_le_bytes());
        payload.extend_from_slice(&1.0f64.to_le_bytes());
        payload.extend_from_slice(&u32::MAX.to_le_bytes()); // scope length past the end
        assert!(matches!(
            decode(&with_payload(&payload)),
            Err(FormatError::Corrupt(_))
        ));
        let mut payload = Vec::new();
        payload.extend_from_slice(&f64::NAN.to_le_bytes());
        assert!(matches!(
            decode(&with_payload(&payload)),
            Err(FormatError::Corrupt(_))
        ));
        // A section count far beyond what the bytes can hold.
        let mut payload = Vec::new();
        payload.extend_from_slice(&1.0f64.to_le_bytes());
        payload.extend_from_slice(&1.0f64.to_le_bytes());
        payload.extend_from_slice(&0u32.to_le_bytes());
        payload.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode(&with_payload(&payload)),
            Err(FormatError::Corrupt(_))
        ));
    }

    #[test]
    fn a_body_that_claims_more_than_the_cap_or_lies_about_its_length_is_refused() {
        let body = StoredBody::deflate(&[b'x'; 4096]);
        assert_eq!(
            body.inflate(Api::Events, 4095),
            Err(FormatError::BodyTooLarge {
                api: "events",
                max: 4095
            })
        );
        let liar = StoredBody {
            raw_len: 10,
            ..body.clone()
        };
        assert!(matches!(
            liar.inflate(Api::Events, 1 << 20),
            Err(FormatError::Inflate { .. })
        ));
        let garbage = StoredBody {
            deflated: Bytes::from_static(&[0xff; 16]),
            ..body
        };
        assert!(matches!(
            garbage.inflate(Api::Events, 1 << 20),
            Err(FormatError::Inflate { .. })
        ));
    }

    #[test]
    fn unknown_sections_are_skipped_and_a_duplicate_is_corrupt() {
        let mut file = sample();
        file.sections.push(file.sections[0].clone());
        assert_eq!(
            decode(&to_bytes(&file)),
            Err(FormatError::Corrupt("a section twice"))
        );
        // Token has a label but is no section a file may hold: read as an unknown one.
        let mut file = sample();
        file.sections.push(Section {
            api: Api::Token,
            fetched_unix: 1.0,
            body: StoredBody::deflate(b"x"),
        });
        let back = decode(&to_bytes(&file)).unwrap();
        assert_eq!(back.sections.len(), 2);
    }

    proptest::proptest! {
        /// Arbitrary bytes, and arbitrary payloads behind a valid header and checksum (which
        /// reach the field-by-field reader): an error or a file, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = decode(&bytes);
            let mut framed = MAGIC.to_vec();
            framed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            framed.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            framed.extend_from_slice(&bytes);
            let crc = crc32fast::hash(&framed);
            framed.extend_from_slice(&crc.to_le_bytes());
            if let Ok(file) = decode(&framed) {
                for section in &file.sections {
                    let _ = section.body.inflate(section.api, 1 << 16);
                }
            }
        }
    }
}
