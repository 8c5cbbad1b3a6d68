//! gzip for `/metrics` without compressing the shared series on every scrape.
//!
//! A body is three pieces: this scrape's head, the snapshot's series (the same bytes for every
//! scrape until the next refresh) and this scrape's tail. The series are deflated once per
//! refresh into a [`Segment`]: raw deflate that ends byte-aligned on a sync flush and is not
//! final, so it can be spliced between other deflate output (the pieces after it never refer
//! back into it). A scrape deflates only its few-KB head and tail and joins the three into one
//! ordinary gzip member, its CRC-32 combined from the pieces' (the technique of pigz).
//! One member, not concatenated members: decoders that stop after the first member (some
//! browsers) still see the whole body.

use std::cell::RefCell;

use bytes::{BufMut, Bytes, BytesMut};
use flate2::{Compress, Compression, FlushCompress, Status};

/// gzip header: magic, deflate, no flags, no mtime, no extra flags, OS "unknown".
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

#[derive(Debug, thiserror::Error)]
#[error("deflate failed: {0}")]
pub struct GzipError(#[from] flate2::CompressError);

/// Deflated bytes that can stand anywhere but last in a gzip member, with the CRC-32 and
/// length of what they decompress to.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    deflated: Bytes,
    crc: u32,
    len: u64,
}

impl Segment {
    /// Deflate `data`, once per refresh. The fast level: on this exposition text it is ten times
    /// quicker than the default level for a third more bytes, still a tenth of the text
    /// (BENCHMARKS.md).
    pub fn new(data: &[u8]) -> Result<Segment, GzipError> {
        if data.is_empty() {
            return Ok(Segment::default());
        }
        let mut compress = Compress::new(Compression::fast(), false);
        Ok(Segment {
            deflated: deflate_with(&mut compress, data, FlushCompress::Sync)?.freeze(),
            crc: crc32fast::hash(data),
            len: data.len() as u64,
        })
    }

    /// Size of the deflated bytes.
    pub fn deflated_len(&self) -> usize {
        self.deflated.len()
    }

    /// The deflated bytes (shared, not copied).
    pub fn deflated(&self) -> Bytes {
        self.deflated.clone()
    }
}

/// One gzip member of `head`, then `middle`'s input, then `tail`, as three chunks to send in
/// order (the middle one shares `middle`'s bytes).
pub fn member(head: &[u8], middle: &Segment, tail: &[u8]) -> Result<[Bytes; 3], GzipError> {
    // Head and tail are a few KB each. One compressor per thread does both: setting up a
    // fresh one (hundreds of KB of tables) would cost more than compressing them. The full
    // flush after the head forgets it, so the tail never refers back across the middle.
    let (head_deflated, mut last) = SCRAPE_COMPRESSOR.with_borrow_mut(|compress| {
        compress.reset();
        let head_deflated = deflate_with(compress, head, FlushCompress::Full)?;
        let last = deflate_with(compress, tail, FlushCompress::Finish)?;
        Ok::<_, GzipError>((head_deflated, last))
    })?;
    let mut first = BytesMut::with_capacity(HEADER.len() + head_deflated.len());
    first.put_slice(&HEADER);
    first.put_slice(&head_deflated);

    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    crc.combine(&crc32fast::Hasher::new_with_initial_len(
        middle.crc, middle.len,
    ));
    let mut tail_crc = crc32fast::Hasher::new();
    tail_crc.update(tail);
    crc.combine(&tail_crc);
    let total = head.len() as u64 + middle.len + tail.len() as u64;
    last.put_u32_le(crc.finalize());
    // ISIZE is the length modulo 2^32 (RFC 1952).
    last.put_u32_le((total & 0xffff_ffff) as u32);

    Ok([first.freeze(), middle.deflated.clone(), last.freeze()])
}

thread_local! {
    static SCRAPE_COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
}

/// Raw deflate of all of `data`, ending with `flush` (Sync: byte-aligned, not final; Full: the
/// same and the history forgotten; Finish: the final block).
fn deflate_with(
    compress: &mut Compress,
    data: &[u8],
    flush: FlushCompress,
) -> Result<BytesMut, GzipError> {
    let start = compress.total_in();
    // Text metrics deflate to well under a quarter; grown below if not.
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    loop {
        let consumed = usize::try_from(compress.total_in() - start).unwrap_or(data.len());
        let rest = data.get(consumed..).unwrap_or_default();
        let status = compress.compress_vec(rest, &mut out, flush)?;
        let all_in =
            usize::try_from(compress.total_in() - start).unwrap_or(data.len()) >= data.len();
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            // The flush is complete when the input is used up and output space was left over.
            _ => all_in && out.len() < out.capacity(),
        };
        if done {
            return Ok(BytesMut::from(&out[..]));
        }
        out.reserve(out.capacity().max(64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(chunks: &[Bytes]) -> Vec<u8> {
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
        // GzDecoder reads one member only: the whole text coming back proves it is one.
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&joined[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn text(n: usize, seed: &str) -> Vec<u8> {
        (0..n)
            .map(|i| format!("adobe_status_{seed}{{product_id=\"{i}\"}} {}\n", i % 7))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn spliced_member_decodes_to_the_three_pieces() {
        let (head, middle, tail) = (text(30, "head"), text(5000, "mid"), text(40, "tail"));
        let segment = Segment::new(&middle).unwrap();
        let body = member(&head, &segment, &tail).unwrap();
        let expected = [head.clone(), middle.clone(), tail.clone()].concat();
        assert_eq!(gunzip(&body), expected);
        // It compresses (the shared middle, and the body as a whole).
        assert!(segment.deflated_len() * 5 < middle.len());
        assert!(body.iter().map(Bytes::len).sum::<usize>() * 5 < expected.len());
    }

    #[test]
    fn the_shared_segment_serves_many_members() {
        let segment = Segment::new(&text(1000, "mid")).unwrap();
        for i in 0..3 {
            let head = text(i * 10, "h");
            let body = member(&head, &segment, b"# EOF\n").unwrap();
            let expected = [head, text(1000, "mid"), b"# EOF\n".to_vec()].concat();
            assert_eq!(gunzip(&body), expected);
        }
    }

    #[test]
    fn the_tail_never_refers_back_into_the_head() {
        // Head and tail identical: a compressor that remembered the head would encode the
        // tail as back-references, which would land in the middle once it is spliced in.
        let piece = text(200, "same");
        let segment = Segment::new(&text(300, "other")).unwrap();
        for _ in 0..3 {
            let body = member(&piece, &segment, &piece).unwrap();
            let expected = [piece.clone(), text(300, "other"), piece.clone()].concat();
            assert_eq!(gunzip(&body), expected);
        }
    }

    #[test]
    fn empty_pieces_are_valid() {
        let empty = Segment::new(b"").unwrap();
        assert_eq!(gunzip(&member(b"", &empty, b"").unwrap()), b"");
        assert_eq!(gunzip(&member(b"a\n", &empty, b"").unwrap()), b"a\n");
        assert_eq!(
            gunzip(&member(b"", &empty, b"# EOF\n").unwrap()),
            b"# EOF\n"
        );
    }

    #[test]
    fn incompressible_input_grows_the_buffer_and_still_round_trips() {
        // A pseudo-random byte string deflates to more than a quarter of its size.
        let mut x: u32 = 1;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x & 0xff) as u8
            })
            .collect();
        let segment = Segment::new(&noise).unwrap();
        assert!(segment.deflated_len() > noise.len() / 4);
        assert_eq!(
            gunzip(&member(&noise, &segment, &noise).unwrap()),
            [noise.clone(), noise.clone(), noise].concat()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_three_pieces_round_trip(
            head in proptest::collection::vec(proptest::num::u8::ANY, 0..3000),
            middle in proptest::collection::vec(proptest::num::u8::ANY, 0..20000),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..3000),
        ) {
            let body = member(&head, &Segment::new(&middle).unwrap(), &tail).unwrap();
            proptest::prop_assert_eq!(gunzip(&body), [head, middle, tail].concat());
        }
    }
}
