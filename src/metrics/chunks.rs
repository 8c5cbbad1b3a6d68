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
//!
//! When the series are large (at 100× the catalogue) a changed chunk is patched rather than
//! copied: its unchanged lines are slices of the previous generation's bytes and only its
//! changed lines are new. A refresh in which many products change at once (an incident closing
//! in every copy of the catalogue) touches nearly every chunk; copied, the new generation would
//! be held nearly whole next to the one still served (BENCHMARKS.md, "The worst refresh at
//! 100×").

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
/// Changed chunks are patched only when the previous generation's series are this large: a
/// scrape sends one piece per run of lines, and below this size holding a changed chunk twice
/// during a refresh costs less than the pieces cost every scrape (at 1× the series are 244 KB).
const PATCH_FROM: usize = 8 * 1024 * 1024;
/// A patched chunk has at most this many pieces, and at least half of its bytes shared;
/// otherwise it is copied whole (which also starts its patches afresh).
const MAX_PIECES: usize = 64;

/// Whole lines of the OpenMetrics series, ending with a sample line (or the end of the text).
#[derive(Debug)]
pub(super) struct Chunk {
    /// The lines, in pieces of whole lines sent in order: one piece, or for a patched chunk the
    /// runs of unchanged lines (slices of an earlier generation's bytes) and of changed ones.
    pieces: Box<[Bytes]>,
    /// Deflated on its own, so it can be spliced after any other chunk.
    pub(super) gzip: Segment,
    /// The text format of these lines, derived on the first text-format scrape that needs it
    /// and shared, like the chunk, with every later generation that has the same lines: the
    /// rewritten comment lines as bytes of their own, the sample lines as slices of the pieces.
    text: OnceLock<Vec<Bytes>>,
    /// The text format deflated, on the first text-format scrape that takes gzip (`None` if
    /// that failed).
    text_gzip: OnceLock<Option<Segment>>,
}

impl Chunk {
    pub(super) fn pieces(&self) -> &[Bytes] {
        &self.pieces
    }

    pub(super) fn text(&self) -> &[Bytes] {
        self.text
            .get_or_init(|| openmetrics_to_text_chunks(&self.pieces))
    }

    pub(super) fn text_gzip(&self) -> Option<&Segment> {
        self.text_gzip
            .get_or_init(|| Segment::from_chunks(self.text()).ok())
            .as_ref()
    }

    /// The first line (with its `\n`): unique among the chunks of one text, since a chunk
    /// starts with a sample line or a family's HELP line. Pieces hold whole lines.
    fn first_line(&self) -> &[u8] {
        self.pieces.first().map_or(&[], |piece| first_line(piece))
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(Bytes::len).sum()
    }

    /// Whether the chunk's lines are exactly `lines`.
    fn is(&self, lines: &[u8]) -> bool {
        let mut rest = lines;
        for piece in self.pieces.iter() {
            match rest.strip_prefix(&piece[..]) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        rest.is_empty()
    }

    /// Each line (with its `\n`) as the piece it is in and its range there.
    fn lines(&self) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        self.pieces.iter().enumerate().flat_map(|(index, piece)| {
            let mut start = 0;
            piece.split_inclusive(|&b| b == b'\n').map(move |line| {
                let range = start..start + line.len();
                start = range.end;
                (index, range)
            })
        })
    }
}

/// A line without its value: the same series in two generations has the same key.
fn series_key(line: &[u8]) -> &[u8] {
    if line.starts_with(b"#") {
        return line;
    }
    line.iter()
        .rposition(|&b| b == b' ')
        .map_or(line, |space| &line[..space])
}

/// Where a piece of a patched chunk comes from: a range of one of the old chunk's pieces, or a
/// range of the new lines' buffer.
enum Span {
    Old(usize, std::ops::Range<usize>),
    New(std::ops::Range<usize>),
}

/// `lines` as the pieces of a patch of `old`: runs of lines `old` has too, as slices of its
/// pieces, and the others copied into one new buffer. `None` when that would be more than
/// [`MAX_PIECES`] pieces or share less than half of the bytes. Also returns the new bytes.
fn patch(old: &Chunk, lines: &[u8]) -> Option<(Box<[Bytes]>, usize)> {
    let old_lines: Vec<(usize, std::ops::Range<usize>)> = old.lines().collect();
    let old_line = |i: usize| {
        let (piece, range) = &old_lines[i];
        &old.pieces[*piece][range.clone()]
    };
    let by_key: HashMap<&[u8], usize> = (0..old_lines.len())
        .map(|i| (series_key(old_line(i)), i))
        .collect();
    let mut spans: Vec<Span> = Vec::new();
    let mut fresh: Vec<u8> = Vec::new();
    let mut next_old = 0;
    for line in lines.split_inclusive(|&b| b == b'\n') {
        // The old line in this line's place: the next one, or further on where the series is
        // (lines removed since); none for a series that is new.
        let key = series_key(line);
        let at = if next_old < old_lines.len() && series_key(old_line(next_old)) == key {
            Some(next_old)
        } else {
            by_key.get(key).copied().filter(|&i| i >= next_old)
        };
        if let Some(i) = at {
            next_old = i + 1;
            if old_line(i) == line {
                let (piece, range) = old_lines[i].clone();
                match spans.last_mut() {
                    Some(Span::Old(p, run)) if *p == piece && run.end == range.start => {
                        run.end = range.end;
                    }
                    _ => spans.push(Span::Old(piece, range)),
                }
                continue;
            }
        }
        let range = fresh.len()..fresh.len() + line.len();
        fresh.extend_from_slice(line);
        match spans.last_mut() {
            Some(Span::New(run)) => run.end = range.end,
            _ => spans.push(Span::New(range)),
        }
        if fresh.len() * 2 > lines.len() {
            return None;
        }
    }
    if spans.len() > MAX_PIECES {
        return None;
    }
    let new_bytes = fresh.len();
    let fresh = Bytes::from(fresh);
    let pieces = spans
        .into_iter()
        .map(|span| match span {
            Span::Old(piece, range) => old.pieces[piece].slice(range),
            Span::New(range) => fresh.slice(range),
        })
        .collect();
    Some((pieces, new_bytes))
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
    /// Whether a changed chunk is patched (see [`PATCH_FROM`]) rather than copied.
    patching: bool,
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
        Chunker::patching_from(previous, PATCH_FROM)
    }

    /// A chunker that patches changed chunks when `previous` has `patch_from` bytes or more.
    fn patching_from(previous: &'p [Arc<Chunk>], patch_from: usize) -> Chunker<'p> {
        Chunker {
            previous: previous.iter().map(|c| (c.first_line(), c)).collect(),
            patching: previous.iter().map(|c| c.len()).sum::<usize>() >= patch_from,
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
        end >= MAX_CHUNK || hash(series_key(line.as_bytes())) % CUT_EVERY == 0
    }

    /// End the chunk after `text[..end]`: the previous generation's chunk if it has exactly
    /// these bytes, else a new one (patched from the previous generation's chunk that starts
    /// with the same line, where there is one and patching is on).
    fn cut(&mut self, end: usize) {
        let lines = &self.text.as_bytes()[..end];
        let old = self.previous.get(first_line(lines)).copied();
        let chunk = match old {
            Some(old) if old.is(lines) => Arc::clone(old),
            _ => {
                let gzip = self.deflater.segment(lines).unwrap_or_else(|err| {
                    self.failed.get_or_insert(err);
                    Segment::default()
                });
                let patched = old
                    .filter(|_| self.patching)
                    .and_then(|old| patch(old, lines));
                let (pieces, new_bytes) = patched.unwrap_or_else(|| {
                    (
                        Box::new([Bytes::copy_from_slice(lines)]) as Box<[Bytes]>,
                        lines.len(),
                    )
                });
                self.new_bytes += new_bytes;
                Arc::new(Chunk {
                    pieces,
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
        chunk_with(Chunker::new(previous), text).0
    }

    /// The same with patching on whatever the size; also the new bytes.
    fn patched(text: &str, previous: &[Arc<Chunk>]) -> (Vec<Arc<Chunk>>, usize) {
        chunk_with(Chunker::patching_from(previous, 0), text)
    }

    fn chunk_with(mut chunker: Chunker<'_>, text: &str) -> (Vec<Arc<Chunk>>, usize) {
        let mut rest = text;
        while !rest.is_empty() {
            let mut at = rest.len().min(7);
            while !rest.is_char_boundary(at) {
                at += 1;
            }
            chunker.write_str(&rest[..at]).unwrap();
            rest = &rest[at..];
        }
        chunker.finish().unwrap()
    }

    fn joined(chunks: &[Arc<Chunk>]) -> Vec<u8> {
        chunks.iter().flat_map(|c| c.pieces().concat()).collect()
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
            assert_eq!(c.pieces().len(), 1);
            let plain = &c.pieces()[0];
            assert!(plain.len() >= MIN_CHUNK && plain.len() <= MAX_CHUNK + 200);
            assert!(plain.ends_with(b"\n"));
            let last_line = plain[..plain.len() - 1].rsplit(|&b| b == b'\n').next();
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
        // Small series: the changed chunk is a copy, one piece.
        assert_eq!(changed[0].pieces().len(), 1);
        let changed = std::str::from_utf8(&changed[0].pieces()[0]).unwrap();
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

    /// Whether `piece` is a slice of one of `chunks`' pieces.
    fn slice_of(piece: &Bytes, chunks: &[Arc<Chunk>]) -> bool {
        let at = piece.as_ptr();
        chunks
            .iter()
            .flat_map(|c| c.pieces().iter())
            .any(|p| p.as_ptr_range().contains(&at))
    }

    #[test]
    fn a_patched_chunk_shares_its_unchanged_lines() {
        let before = family("a", 3000, |_| 0);
        let after = family("a", 3000, |p| u32::from(p == 1234 || p == 1240));
        let first = chunk(&before, &[]);
        let (second, new_bytes) = patched(&after, &first);
        assert_eq!(joined(&second), after.as_bytes());
        assert_eq!(shared(&second, &first), first.len() - 1);
        let changed = second
            .iter()
            .find(|c| !first.iter().any(|o| Arc::ptr_eq(c, o)))
            .unwrap();
        // Runs of old lines around each product's six changed lines; only those are new.
        let lines_of = |p: &str| -> String {
            after
                .split_inclusive('\n')
                .filter(|l| l.contains(&format!("\"product-{p}\"")))
                .collect()
        };
        let (one, two) = (lines_of("01234"), lines_of("01240"));
        assert_eq!(new_bytes, one.len() + two.len());
        assert_eq!(changed.pieces().len(), 5);
        assert_eq!(&changed.pieces()[1][..], one.as_bytes());
        assert_eq!(&changed.pieces()[3][..], two.as_bytes());
        for piece in [0, 2, 4] {
            assert!(slice_of(&changed.pieces()[piece], &first), "{piece}");
        }
        assert!(!slice_of(&changed.pieces()[1], &first));
        // Its gzip and text format are those of its lines.
        let plain = changed.pieces().concat();
        let body = crate::gzip::member(b"", &changed.gzip, b"")
            .unwrap()
            .concat();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, plain);
        let text = super::super::format::openmetrics_to_text(std::str::from_utf8(&plain).unwrap());
        assert_eq!(changed.text().concat(), text.as_bytes());
    }

    #[test]
    fn a_chunk_mostly_changed_is_copied_not_patched() {
        let before = family("a", 3000, |_| 0);
        let after = family("a", 3000, |_| 1);
        let first = chunk(&before, &[]);
        let (second, new_bytes) = patched(&after, &first);
        assert_eq!(joined(&second), after.as_bytes());
        // Every sample line changed: every chunk copied whole.
        assert_eq!(new_bytes, after.len());
        assert!(second.iter().all(|c| c.pieces().len() == 1));
    }

    /// Generations of random edits (changed values, added and removed series), each patched
    /// from the last: the pieces always join to the text, every chunk keeps the piece limit,
    /// and its text format is that of its lines.
    #[test]
    fn patched_generations_stay_exact() {
        let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut lines: Vec<String> = family("a", 2000, |_| 0)
            .lines()
            .map(str::to_owned)
            .collect();
        let mut previous = chunk(&(lines.join("\n") + "\n"), &[]);
        let mut patches = 0;
        for _ in 0..30 {
            for _ in 0..next(40) {
                let at = 2 + next(lines.len() as u64 - 2) as usize;
                match next(10) {
                    0 => {
                        lines.remove(at);
                    }
                    1 => lines.insert(at, format!("a{{product_id=\"new-{}\"}} 1", next(1 << 20))),
                    _ => {
                        let series = lines[at].rsplit_once(' ').unwrap().0.to_owned();
                        lines[at] = format!("{series} {}", next(1000));
                    }
                }
            }
            let text = lines.join("\n") + "\n";
            let (chunks, _) = patched(&text, &previous);
            assert_eq!(joined(&chunks), text.as_bytes());
            for c in &chunks {
                patches += usize::from(c.pieces().len() > 1);
                assert!(c.pieces().len() <= MAX_PIECES);
                assert!(c.pieces().iter().all(|p| p.ends_with(b"\n")));
                let plain = String::from_utf8(c.pieces().concat()).unwrap();
                assert_eq!(
                    c.text().concat(),
                    super::super::format::openmetrics_to_text(&plain).as_bytes()
                );
            }
            previous = chunks;
        }
        assert!(patches > 30, "{patches} patched chunks");
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
        let first = std::str::from_utf8(&chunks[0].pieces()[0]).unwrap();
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
