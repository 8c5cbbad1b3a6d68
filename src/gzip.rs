//! gzip for `/metrics` without compressing the shared series on every scrape.
//!
//! A body is three pieces: this scrape's head, the snapshot's series (the same bytes for every
//! scrape until the next refresh) and this scrape's tail. The series are deflated once per
//! refresh into a [`Segment`]: raw deflate that ends byte-aligned on a sync flush and is not
//! final, so it can be spliced between other deflate output (the pieces after it never refer
//! back into it). A scrape deflates only its few-KB head and tail and joins the three into one
//! ordinary gzip member, its CRC-32 combined from the pieces' (the technique of pigz).
//! The series may also be many segments, each deflated on its own ([`Deflater`]) so that a
//! refresh can keep the ones whose text did not change, joined once per refresh
//! ([`Segment::concat`]).
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
        Segment::from_chunks(&[data])
    }

    /// [`Segment::new`] of the chunks joined, without joining them.
    pub fn from_chunks<T: AsRef<[u8]>>(chunks: &[T]) -> Result<Segment, GzipError> {
        let len: usize = chunks.iter().map(|c| c.as_ref().len()).sum();
        if len == 0 {
            return Ok(Segment::default());
        }
        let mut compress = Compress::new(Compression::fast(), false);
        let mut crc = crc32fast::Hasher::new();
        let mut out = Vec::with_capacity(len / 4 + 64);
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.iter().enumerate() {
            let chunk = chunk.as_ref();
            crc.update(chunk);
            let flush = if i == last {
                FlushCompress::Sync
            } else {
                FlushCompress::None
            };
            deflate_into(&mut compress, chunk, flush, &mut out)?;
        }
        // The estimate above is generous: give back what the output did not use.
        out.shrink_to_fit();
        Ok(Segment {
            deflated: Bytes::from(out),
            crc: crc.finalize(),
            len: len as u64,
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

    /// Independent segments (see [`Deflater`]) one after another, as one segment: their
    /// deflated bytes copied into one buffer, their CRC-32s and lengths combined. A scrape then
    /// sends the series as one piece rather than hundreds of small ones.
    pub fn concat<'a>(segments: impl IntoIterator<Item = &'a Segment>) -> Segment {
        let segments: Vec<&Segment> = segments.into_iter().filter(|s| s.len > 0).collect();
        let mut deflated = BytesMut::with_capacity(segments.iter().map(|s| s.deflated.len()).sum());
        let mut crc = crc32fast::Hasher::new();
        let mut len = 0;
        for segment in segments {
            deflated.put_slice(&segment.deflated);
            crc.combine(&crc32fast::Hasher::new_with_initial_len(
                segment.crc,
                segment.len,
            ));
            len += segment.len;
        }
        Segment {
            deflated: deflated.freeze(),
            crc: crc.finalize(),
            len,
        }
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

/// Deflates many small independent segments with one compressor and one output buffer: a
/// compressor's tables are hundreds of KB, more to set up than a small segment costs to deflate.
pub struct Deflater {
    compress: Compress,
    out: Vec<u8>,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflater").finish_non_exhaustive()
    }
}

impl Default for Deflater {
    fn default() -> Deflater {
        Deflater {
            compress: Compress::new(Compression::fast(), false),
            out: Vec::new(),
        }
    }
}

impl Deflater {
    /// `data` as a segment that refers to nothing before it, so that it can follow any other
    /// segment: the same bytes whatever was deflated before. Its deflated bytes are sized
    /// exactly (copied out of the reused buffer).
    pub fn segment(&mut self, data: &[u8]) -> Result<Segment, GzipError> {
        if data.is_empty() {
            return Ok(Segment::default());
        }
        self.compress.reset();
        self.out.clear();
        self.out.reserve(data.len() / 4 + 64);
        deflate_into(&mut self.compress, data, FlushCompress::Sync, &mut self.out)?;
        Ok(Segment {
            deflated: Bytes::copy_from_slice(&self.out),
            crc: crc32fast::hash(data),
            len: data.len() as u64,
        })
    }
}

/// Raw deflate of all of `data`, ending with `flush` (Sync: byte-aligned, not final; Full: the
/// same and the history forgotten; Finish: the final block).
fn deflate_with(
    compress: &mut Compress,
    data: &[u8],
    flush: FlushCompress,
) -> Result<BytesMut, GzipError> {
    // Text metrics deflate to well under a quarter; grown below if not.
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    deflate_into(compress, data, flush, &mut out)?;
    Ok(BytesMut::from(&out[..]))
}

/// [`deflate_with`], appending to `out` (None: no flush, the compressor may hold output back).
fn deflate_into(
    compress: &mut Compress,
    data: &[u8],
    flush: FlushCompress,
    out: &mut Vec<u8>,
) -> Result<(), GzipError> {
    let start = compress.total_in();
    loop {
        let consumed = usize::try_from(compress.total_in() - start).unwrap_or(data.len());
        let rest = data.get(consumed..).unwrap_or_default();
        let status = compress.compress_vec(rest, out, flush)?;
        let all_in =
            usize::try_from(compress.total_in() - start).unwrap_or(data.len()) >= data.len();
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            // The flush is complete when the input is used up and output space was left over.
            _ => all_in && out.len() < out.capacity(),
        };
        if done {
            return Ok(());
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
    fn a_segment_of_chunks_is_the_segment_of_their_join() {
        let whole = text(3000, "mid");
        let chunks: Vec<Bytes> = [
            &whole[..10],
            &whole[10..10],
            &whole[10..5000],
            &whole[5000..],
        ]
        .into_iter()
        .map(Bytes::copy_from_slice)
        .collect();
        let segment = Segment::from_chunks(&chunks).unwrap();
        assert_eq!(segment.len, whole.len() as u64);
        assert_eq!(segment.crc, crc32fast::hash(&whole));
        let body = member(b"h\n", &segment, b"t\n").unwrap();
        assert_eq!(gunzip(&body), [b"h\n".as_slice(), &whole, b"t\n"].concat());
        assert!(segment.deflated_len() * 5 < whole.len());
    }

    #[test]
    fn independent_segments_join_in_any_order_into_one_member() {
        let pieces = [text(2000, "a"), Vec::new(), text(10, "b"), text(3000, "c")];
        let mut deflater = Deflater::default();
        let segments: Vec<Segment> = pieces
            .iter()
            .map(|p| deflater.segment(p).unwrap())
            .collect();
        // The same bytes whatever the deflater did before: a segment refers to nothing earlier.
        let alone = Deflater::default().segment(&pieces[3]).unwrap();
        assert_eq!(alone.deflated, segments[3].deflated);
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
            let middle = Segment::concat(order.iter().map(|&i| &segments[i]));
            let body = member(b"head\n", &middle, b"# EOF\n").unwrap();
            let expected: Vec<u8> = std::iter::once(b"head\n".to_vec())
                .chain(order.iter().map(|&i| pieces[i].clone()))
                .chain(std::iter::once(b"# EOF\n".to_vec()))
                .collect::<Vec<_>>()
                .concat();
            assert_eq!(gunzip(&body), expected);
            assert!(middle.deflated_len() * 5 < expected.len());
        }
        assert_eq!(
            gunzip(&member(b"", &Segment::concat([]), b"").unwrap()),
            b""
        );
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
