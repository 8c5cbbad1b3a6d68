//! The snapshot's series as chunks that one refresh shares with the next.
//!
//! At 100× the catalogue the series are megabytes, and nearly all of them (the info series from
//! the registry, the zero-filled gauges of healthy products) come out byte for byte the same
//! from one refresh to the next. So the text is cut into chunks of whole lines, each with its
//! own deflated bytes, and a refresh looks every new chunk up among the previous generation's:
//! when the bytes are equal it shares the old chunk (text, gzip and text format) instead of
//! keeping a copy. While a refresh runs, only the chunks that changed exist twice.
//!
//! Where to cut depends on which series there are, not on their values or their byte offsets
//! (content-defined chunking): after a sample line whose series (name and labels) hashes to a
//! multiple of [`CUT_EVERY`], once the chunk has [`MIN_CHUNK`] bytes. A changed value changes
//! the one chunk it is in; an added or removed series changes its chunk and perhaps the next,
//! and the cuts after that fall where they did.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use super::format::openmetrics_to_text_chunks;
use crate::gzip::{Deflater, GzipError, Segment};

/// No cut before a chunk has this many bytes. A scrape sends one piece per chunk, and many
/// small pieces cost throughput: with 32 KB chunks a 10× body (1.3 MB, 21 pieces) was served
/// 20–30 % slower (BENCHMARKS.md). At 128 KB the real catalogue's series (138 KB) are one or
/// two chunks; and each chunk is a block of its own from the system (glibc's mmap threshold is
/// 128 KiB here), given back when no generation uses it any more.
pub(super) const MIN_CHUNK: usize = 128 * 1024;
/// One sample line in this many ends a chunk (past [`MIN_CHUNK`]): about 45 KB more at ~90
/// bytes a line, so chunks average ~175 KB, ~135 at 100× the catalogue (23.8 MB of series).
const CUT_EVERY: u64 = 512;
/// A chunk ends here whatever the hashes say (a family of very long lines).
const MAX_CHUNK: usize = 1024 * 1024;

/// Whole lines of the OpenMetrics series, ending with a sample line (or the end of the text).
#[derive(Debug)]
pub(super) struct Chunk {
    pub(super) plain: Bytes,
    /// Deflated on its own, so it can be spliced after any other chunk.
    pub(super) gzip: Segment,
    /// The text format of these lines, derived on the first text-format scrape that needs it
    /// and shared, like the chunk, with every later generation that has the same lines: the
    /// rewritten comment lines as bytes of their own, the sample lines as slices of `plain`.
    text: OnceLock<Vec<Bytes>>,
    /// The text format deflated, on the first text-format scrape that takes gzip (`None` if
    /// that failed).
    text_gzip: OnceLock<Option<Segment>>,
}

impl Chunk {
    pub(super) fn text(&self) -> &[Bytes] {
        self.text
            .get_or_init(|| openmetrics_to_text_chunks(&self.plain))
    }

    pub(super) fn text_gzip(&self) -> Option<&Segment> {
        self.text_gzip
            .get_or_init(|| Segment::from_chunks(self.text()).ok())
            .as_ref()
    }

    /// The first line (with its `\n`): unique among the chunks of one text, since a chunk
    /// starts with a sample line or a family's HELP line.
    fn first_line(&self) -> &[u8] {
        first_line(&self.plain)
    }
}

fn first_line(text: &[u8]) -> &[u8] {
    text.iter()
        .position(|&b| b == b'\n')
        .map_or(text, |end| &text[..=end])
}

/// The `fmt::Write` the encoder writes the series into: it cuts them into chunks as the lines
/// come, sharing the previous generation's chunk wherever the new one has the same bytes.
pub(super) struct Chunker<'p> {
    /// The previous generation's chunks by first line.
    previous: HashMap<&'p [u8], &'p Arc<Chunk>>,
    /// The chunk being written (one chunk's worth of scratch, reused).
    text: String,
    /// Where the line being written starts in `text`.
    line_start: usize,
    /// False inside counter, histogram and summary families: the text format drops their
    /// `_created` samples by the family named above them, so their samples stay in one chunk
    /// with their TYPE line.
    cuttable: bool,
    chunks: Vec<Arc<Chunk>>,
    /// Bytes of the chunks made anew (not the previous generation's).
    new_bytes: usize,
    deflater: Deflater,
    /// Why a chunk could not be deflated; reported by [`Chunker::finish`].
    failed: Option<GzipError>,
}

impl<'p> Chunker<'p> {
    pub(super) fn new(previous: &'p [Arc<Chunk>]) -> Chunker<'p> {
        Chunker {
            previous: previous.iter().map(|c| (c.first_line(), c)).collect(),
            text: String::with_capacity(MIN_CHUNK * 2),
            line_start: 0,
            cuttable: true,
            chunks: Vec::new(),
            new_bytes: 0,
            deflater: Deflater::default(),
            failed: None,
        }
    }

    /// The chunks of everything written, in order, and how many of their bytes are new.
    pub(super) fn finish(mut self) -> Result<(Vec<Arc<Chunk>>, usize), GzipError> {
        if !self.text.is_empty() {
            self.cut(self.text.len());
        }
        match self.failed {
            Some(err) => Err(err),
            None => Ok((self.chunks, self.new_bytes)),
        }
    }

    /// Whether a chunk ends after the line `text[start..end]` (with its `\n`).
    fn cut_after(&mut self, start: usize, end: usize) -> bool {
        let line = &self.text[start..end - 1];
        if let Some(kind) = line.strip_prefix("# TYPE ") {
            let kind = kind.rsplit(' ').next().unwrap_or_default();
            self.cuttable = !matches!(kind, "counter" | "histogram" | "summary");
            return false;
        }
        if line.starts_with('#') || !self.cuttable || end < MIN_CHUNK {
            return false;
        }
        // The series without its value: a sample whose value changes keeps its cut.
        let series = line.rsplit_once(' ').map_or(line, |(series, _)| series);
        end >= MAX_CHUNK || hash(series.as_bytes()) % CUT_EVERY == 0
    }

    /// End the chunk after `text[..end]`: the previous generation's chunk if it has exactly
    /// these bytes, else a new one.
    fn cut(&mut self, end: usize) {
        let lines = &self.text.as_bytes()[..end];
        let chunk = match self.previous.get(first_line(lines)) {
            Some(old) if old.plain == lines => Arc::clone(old),
            _ => {
                let gzip = self.deflater.segment(lines).unwrap_or_else(|err| {
                    self.failed.get_or_insert(err);
                    Segment::default()
                });
                self.new_bytes += lines.len();
                Arc::new(Chunk {
                    plain: Bytes::copy_from_slice(lines),
                    gzip,
                    text: OnceLock::new(),
                    text_gzip: OnceLock::new(),
                })
            }
        };
        self.chunks.push(chunk);
        self.text.drain(..end);
        self.line_start = self.line_start.saturating_sub(end);
    }
}

impl fmt::Write for Chunker<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut scan = self.text.len();
        self.text.push_str(s);
        while let Some(at) = self.text[scan..].find('\n') {
            let end = scan + at + 1;
            let start = std::mem::replace(&mut self.line_start, end);
            if self.cut_after(start, end) {
                self.cut(end);
                scan = 0;
            } else {
                scan = end;
            }
        }
        Ok(())
    }
}

/// A fast hash of a series (FxHash's step, eight bytes at a time): only where to cut depends
/// on it, so it need not resist anything, only spread.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut buf = [0; 8];
        buf.copy_from_slice(word);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    // The low bits of a product are the weakest: fold the high ones in.
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// Lines like the product families', `n` products × 6 severities.
    fn family(name: &str, n: usize, value: impl Fn(usize) -> u32) -> String {
        let mut text = format!("# HELP {name} Help.\n# TYPE {name} gauge\n");
        for p in 0..n {
            for sev in ["major", "minor", "potential", "trivial", "none", "other"] {
                writeln!(
                    text,
                    "{name}{{product_id=\"product-{p:05}\",incident_severity=\"{sev}\"}} {}",
                    value(p)
                )
                .unwrap();
            }
        }
        text
    }

    /// `text` written the way the encoder writes it: a few bytes at a time.
    fn chunk(text: &str, previous: &[Arc<Chunk>]) -> Vec<Arc<Chunk>> {
        let mut chunker = Chunker::new(previous);
        let mut rest = text;
        while !rest.is_empty() {
            let mut at = rest.len().min(7);
            while !rest.is_char_boundary(at) {
                at += 1;
            }
            chunker.write_str(&rest[..at]).unwrap();
            rest = &rest[at..];
        }
        chunker.finish().unwrap().0
    }

    fn joined(chunks: &[Arc<Chunk>]) -> Vec<u8> {
        chunks
            .iter()
            .flat_map(|c| c.plain.iter().copied())
            .collect()
    }

    fn shared(new: &[Arc<Chunk>], old: &[Arc<Chunk>]) -> usize {
        new.iter()
            .filter(|c| old.iter().any(|o| Arc::ptr_eq(c, o)))
            .count()
    }

    #[test]
    fn chunks_are_whole_lines_that_join_to_the_text() {
        let text = family("a", 6000, |_| 0) + &family("b", 3000, |p| (p % 3) as u32);
        let chunks = chunk(&text, &[]);
        assert_eq!(joined(&chunks), text.as_bytes());
        assert!(chunks.len() > 10, "{} chunks", chunks.len());
        for c in &chunks[..chunks.len() - 1] {
            assert!(c.plain.len() >= MIN_CHUNK && c.plain.len() <= MAX_CHUNK + 200);
            assert!(c.plain.ends_with(b"\n"));
            let last_line = c.plain[..c.plain.len() - 1].rsplit(|&b| b == b'\n').next();
            assert!(!last_line.unwrap().starts_with(b"#"), "ends with a comment");
        }
    }

    #[test]
    fn the_same_text_again_shares_every_chunk() {
        let text = family("a", 3000, |_| 0);
        let first = chunk(&text, &[]);
        let second = chunk(&text, &first);
        assert_eq!(shared(&second, &first), first.len());
        assert_eq!(second.len(), first.len());
    }

    #[test]
    fn a_changed_value_changes_only_its_chunk() {
        let before = family("a", 3000, |_| 0);
        let after = family("a", 3000, |p| u32::from(p == 1234));
        let first = chunk(&before, &[]);
        let second = chunk(&after, &first);
        assert_eq!(joined(&second), after.as_bytes());
        assert_eq!(second.len(), first.len());
        assert_eq!(shared(&second, &first), first.len() - 1);
        let changed: Vec<_> = second
            .iter()
            .filter(|c| !first.iter().any(|o| Arc::ptr_eq(c, o)))
            .collect();
        let changed = std::str::from_utf8(&changed[0].plain).unwrap();
        assert!(changed.contains("product_id=\"product-01234\",incident_severity=\"major\"} 1\n"));
    }

    #[test]
    fn an_added_series_changes_its_chunk_and_the_cuts_after_it_come_back() {
        let before = family("a", 3000, |_| 0);
        let after = before.replacen(
            "a{product_id=\"product-00500\",incident_severity=\"major\"} 0\n",
            "a{product_id=\"product-00500\",incident_severity=\"major\"} 0\n\
             a{product_id=\"product-00500\",incident_severity=\"extra\"} 0\n",
            1,
        );
        assert_ne!(before, after);
        let first = chunk(&before, &[]);
        let second = chunk(&after, &first);
        assert_eq!(joined(&second), after.as_bytes());
        // At most the chunk with the new line and the one after it are new.
        assert!(shared(&second, &first) + 2 >= first.len());
        // The last chunks, long after the change, are the same ones.
        assert!(Arc::ptr_eq(
            &first[first.len() - 1],
            &second[second.len() - 1]
        ));
    }

    #[test]
    fn no_cut_inside_a_counter_family() {
        let mut text = String::from("# HELP c Counted.\n# TYPE c counter\n");
        for i in 0..5000 {
            writeln!(text, "c_total{{id=\"{i}\"}} 1\nc_created{{id=\"{i}\"}} 5.0").unwrap();
        }
        text += &family("g", 500, |_| 0);
        let chunks = chunk(&text, &[]);
        assert_eq!(joined(&chunks), text.as_bytes());
        // The counter family's lines are all in the first chunk, with its TYPE line.
        let first = std::str::from_utf8(&chunks[0].plain).unwrap();
        assert!(first.starts_with("# HELP c ") && first.contains("c_created{id=\"4999\"}"));
        assert!(chunks.len() > 1);
    }

    #[test]
    fn each_chunk_in_the_text_format_is_that_of_the_whole() {
        let text = family("a", 3000, |p| (p % 2) as u32).replace(" gauge\n", " info\n");
        let chunks = chunk(&text, &[]);
        assert!(chunks.len() > 3);
        let per_chunk: Vec<u8> = chunks.iter().flat_map(|c| c.text().concat()).collect();
        assert_eq!(
            per_chunk,
            super::super::format::openmetrics_to_text(&text).as_bytes()
        );
    }

    #[test]
    fn the_text_format_is_deflated_only_when_asked() {
        let chunks = chunk(&family("a", 100, |_| 0), &[]);
        let text = chunks[0].text().concat();
        assert!(chunks[0].text_gzip.get().is_none());
        let segment = chunks[0].text_gzip().unwrap();
        let body = crate::gzip::member(b"", segment, b"").unwrap().concat();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
    }

    #[test]
    fn the_hash_spreads_over_the_low_bits() {
        let hits = (0..100_000)
            .filter(|i| hash(format!("a{{product_id=\"{i}\"}}").as_bytes()) % CUT_EVERY == 0)
            .count();
        let expected = 100_000 / CUT_EVERY as usize;
        assert!(
            (expected * 2 / 3..expected * 3 / 2).contains(&hits),
            "{hits}, expected about {expected}"
        );
    }
}
