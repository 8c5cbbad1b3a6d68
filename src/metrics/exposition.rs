//! The exposition a scrape answers with: the snapshot's series encoded once per refresh
//! ([`EncodedSnapshot`], plain and pre-deflated; the text format derived from it on first use),
//! and per scrape the health gauges and counters around them ([`Exposition`]), served as
//! shared chunks so a scrape never copies the series. Those per-scrape pieces, and their gzip,
//! are reused by the next scrapes while nothing they show has changed ([`ScrapeCache`]).

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use bytes::Bytes;
use prometheus_client::registry::Registry as PromRegistry;

use super::adobe::SnapshotCollector;
use super::chunks::{Chunk, Chunker};
use super::exporter::{ExporterMetrics, HealthCollector};
use super::format::{openmetrics_to_text, Format};
use super::PREFIX;
use crate::gzip;
use crate::snapshot::Snapshot;

/// A snapshot's series, already encoded. Built once per refresh; every scrape until the next
/// refresh shares these bytes instead of encoding thousands of series again. The snapshot
/// itself is not kept: the bytes are all a scrape needs (at 100× the real catalogue that
/// halves what a refresh holds). The series are chunks (`chunks.rs`) that the next refresh
/// shares wherever its text is the same ([`EncodedSnapshot::reusing`]).
#[derive(Debug)]
pub struct EncodedSnapshot {
    chunks: Vec<Arc<Chunk>>,
    openmetrics: Encoded,
    /// The text format, derived from the OpenMetrics text when a scrape first asks for it
    /// (Prometheus asks for OpenMetrics, so usually never): its rewritten comment lines, and
    /// slices of the OpenMetrics bytes for the samples, which both formats share. Derived
    /// chunk by chunk; a chunk shared with the previous generation brings its text along.
    text: OnceLock<Encoded>,
    /// Bytes of series encoded anew, not shared with the previous generation.
    new_bytes: usize,
    summary: SnapshotSummary,
}

/// One format's series: the text (as chunks to send in order), and the same deflated for
/// scrapes that accept gzip.
#[derive(Debug, Default)]
struct Encoded {
    plain: Vec<Bytes>,
    /// The chunks' deflated bytes joined, on the first gzip scrape of this format (a client
    /// that does not take gzip never pays for it; and while a refresh encodes, the generation
    /// still served holds its own, not the new one's too). The text format is deflated then
    /// too. `None` if deflating failed: such scrapes are answered uncompressed.
    gzip: OnceLock<Option<gzip::Segment>>,
}

impl Encoded {
    fn openmetrics_of(chunks: &[Arc<Chunk>]) -> Encoded {
        Encoded {
            plain: chunks
                .iter()
                .flat_map(|c| c.pieces().iter().cloned())
                .collect(),
            gzip: OnceLock::new(),
        }
    }

    /// The text format of the OpenMetrics series, mostly slices of their bytes.
    fn text_of(chunks: &[Arc<Chunk>]) -> Encoded {
        Encoded {
            plain: chunks
                .iter()
                .flat_map(|c| c.text().iter().cloned())
                .collect(),
            gzip: OnceLock::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("encoding the exposition failed")]
    Format(#[from] fmt::Error),
    #[error(transparent)]
    Gzip(#[from] gzip::GzipError),
    #[error("the series could not be deflated")]
    NoGzip,
}

/// What logs and readiness want to know about a published snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnapshotSummary {
    pub products: usize,
    pub ongoing_incidents: u32,
    pub maintenance_series: usize,
}

impl EncodedSnapshot {
    pub fn new(snapshot: &Arc<Snapshot>) -> Result<EncodedSnapshot, EncodeError> {
        EncodedSnapshot::reusing(snapshot, None)
    }

    /// [`EncodedSnapshot::new`], sharing `previous`'s chunks wherever the text is the same:
    /// while the previous generation is still served, only what changed is held twice.
    pub fn reusing(
        snapshot: &Arc<Snapshot>,
        previous: Option<&EncodedSnapshot>,
    ) -> Result<EncodedSnapshot, EncodeError> {
        let mut chunker = Chunker::new(previous.map_or(&[], |p| p.chunks.as_slice()));
        let mut registry = PromRegistry::with_prefix(PREFIX);
        registry.register_collector(Box::new(SnapshotCollector(Arc::clone(snapshot))));
        prometheus_client::encoding::text::encode_registry(&mut chunker, &registry)?;
        let (chunks, new_bytes) = chunker.finish()?;
        Ok(EncodedSnapshot {
            openmetrics: Encoded::openmetrics_of(&chunks),
            chunks,
            text: OnceLock::new(),
            new_bytes,
            summary: SnapshotSummary {
                products: snapshot.products.len(),
                ongoing_incidents: snapshot
                    .products
                    .values()
                    .map(|p| p.ongoing_incidents())
                    .sum(),
                maintenance_series: snapshot.maintenances.len(),
            },
        })
    }

    pub fn summary(&self) -> SnapshotSummary {
        self.summary
    }

    /// Size of the encoded series (OpenMetrics) in bytes.
    pub fn encoded_len(&self) -> usize {
        self.openmetrics.plain.iter().map(Bytes::len).sum()
    }

    /// How many of [`EncodedSnapshot::encoded_len`]'s bytes are new: not shared with the
    /// generation this one was encoded after (all of them without one).
    pub fn new_bytes(&self) -> usize {
        self.new_bytes
    }

    /// How many pieces a scrape sends for the series (one per chunk, more for patched ones).
    pub fn pieces(&self) -> usize {
        self.openmetrics.plain.len()
    }

    fn encoded(&self, format: Format) -> &Encoded {
        if format.is_openmetrics() {
            &self.openmetrics
        } else {
            self.text.get_or_init(|| Encoded::text_of(&self.chunks))
        }
    }

    /// The series in `format` deflated, if they could be.
    fn gzip(&self, format: Format) -> Option<&gzip::Segment> {
        self.encoded(format)
            .gzip
            .get_or_init(|| {
                if format.is_openmetrics() {
                    return Some(gzip::Segment::concat(self.chunks.iter().map(|c| &c.gzip)));
                }
                let segments: Option<Vec<&gzip::Segment>> =
                    self.chunks.iter().map(|c| c.text_gzip()).collect();
                segments.map(gzip::Segment::concat)
            })
            .as_ref()
    }
}

/// What one scrape exports besides the counters: the data and the state of the last refresh.
#[derive(Debug, Clone)]
pub struct ScrapeView {
    pub snapshot: Option<Arc<EncodedSnapshot>>,
    pub up: bool,
    pub last_success_unix: Option<f64>,
    pub registry_last_success_unix: Option<f64>,
}

/// One full exposition in three pieces: this scrape's health gauges, the snapshot's shared
/// bytes, this scrape's counters (and `# EOF` in OpenMetrics). Served piece by piece, so a
/// scrape never copies the snapshot's series.
#[derive(Debug, Clone)]
pub struct Exposition {
    format: Format,
    snapshot: Option<Arc<EncodedSnapshot>>,
    pieces: Arc<ScrapePieces>,
}

/// The per-scrape head and tail, and the same deflated (made on the first gzip scrape): shared
/// by every scrape with the same [`PiecesKey`].
#[derive(Debug)]
struct ScrapePieces {
    key: PiecesKey,
    head: Bytes,
    tail: Bytes,
    /// The gzip member's first and last chunks around the snapshot's deflated series. The
    /// middle is not kept here: a cached entry must not hold an old snapshot's bytes.
    gzip: OnceLock<(Bytes, Bytes)>,
}

/// Everything the head and tail are made of. Equal keys give byte-identical pieces.
#[derive(Debug)]
struct PiecesKey {
    format: Format,
    /// [`ExporterMetrics::generation`], read before encoding.
    generation: u64,
    /// Weak: a cache entry never keeps a snapshot alive, and while the weak reference exists
    /// no other snapshot can take its address.
    snapshot: Option<Weak<EncodedSnapshot>>,
    up: bool,
    last_success: Option<u64>,
    registry_success: Option<u64>,
}

impl PiecesKey {
    fn new(metrics: &ExporterMetrics, view: &ScrapeView, format: Format) -> PiecesKey {
        PiecesKey {
            format,
            generation: metrics.generation(),
            snapshot: view.snapshot.as_ref().map(Arc::downgrade),
            up: view.up,
            last_success: view.last_success_unix.map(f64::to_bits),
            registry_success: view.registry_last_success_unix.map(f64::to_bits),
        }
    }

    fn same(&self, other: &PiecesKey) -> bool {
        let same_snapshot = match (&self.snapshot, &other.snapshot) {
            (None, None) => true,
            (Some(a), Some(b)) => a.ptr_eq(b),
            _ => false,
        };
        same_snapshot
            && self.format == other.format
            && self.generation == other.generation
            && self.up == other.up
            && self.last_success == other.last_success
            && self.registry_success == other.registry_success
    }
}

/// The last scrape's pieces per format. Between two refreshes nearly every scrape finds its
/// pieces here: it encodes nothing and deflates nothing, it only shares bytes.
#[derive(Debug, Default)]
pub(super) struct ScrapeCache {
    last: Mutex<Vec<Arc<ScrapePieces>>>,
}

impl ScrapeCache {
    fn get(&self, key: &PiecesKey) -> Option<Arc<ScrapePieces>> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.iter().find(|p| p.key.same(key)).map(Arc::clone)
    }

    fn put(&self, pieces: &Arc<ScrapePieces>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.retain(|p| p.key.format != pieces.key.format);
        last.push(Arc::clone(pieces));
    }
}

impl Exposition {
    fn families(&self) -> &[Bytes] {
        self.snapshot
            .as_ref()
            .map_or(&[], |s| s.encoded(self.format).plain.as_slice())
    }

    pub fn chunks(&self) -> impl Iterator<Item = Bytes> + '_ {
        std::iter::once(self.pieces.head.clone())
            .chain(self.families().iter().cloned())
            .chain(std::iter::once(self.pieces.tail.clone()))
            .filter(|c| !c.is_empty())
    }

    /// The same text as one gzip member, sharing the snapshot's pre-deflated series (and the
    /// deflated head and tail of earlier scrapes with the same pieces).
    pub fn gzip_chunks(&self) -> Result<[Bytes; 3], EncodeError> {
        let empty = gzip::Segment::default();
        let middle = match &self.snapshot {
            None => &empty,
            Some(snapshot) => snapshot.gzip(self.format).ok_or(EncodeError::NoGzip)?,
        };
        if let Some((first, last)) = self.pieces.gzip.get() {
            return Ok([first.clone(), middle.deflated(), last.clone()]);
        }
        let [first, middle, last] = gzip::member(&self.pieces.head, middle, &self.pieces.tail)?;
        // A concurrent scrape may have set the same bytes first; either copy is right.
        let _ = self.pieces.gzip.set((first.clone(), last.clone()));
        Ok([first, middle, last])
    }

    pub fn len(&self) -> usize {
        self.chunks().map(|c| c.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole text (a copy; for tests and tools, not the serving path).
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(self.len());
        for chunk in self.chunks() {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text
    }
}

/// Encode one scrape's exposition in `format` around the snapshot's pre-encoded series, or
/// reuse the last scrape's pieces when they would come out the same.
pub fn encode(
    metrics: &Arc<ExporterMetrics>,
    view: ScrapeView,
    format: Format,
) -> Result<Exposition, EncodeError> {
    let key = PiecesKey::new(metrics, &view, format);
    let snapshot = view.snapshot.clone();
    if let Some(pieces) = metrics.scrape_cache.get(&key) {
        return Ok(Exposition {
            format,
            snapshot,
            pieces,
        });
    }
    let mut head = String::with_capacity(1024);
    let mut health = PromRegistry::with_prefix(PREFIX);
    health.register_collector(Box::new(HealthCollector {
        view,
        metrics: Arc::clone(metrics),
    }));
    prometheus_client::encoding::text::encode_registry(&mut head, &health)?;
    let mut tail = String::with_capacity(4096);
    prometheus_client::encoding::text::encode_registry(&mut tail, &metrics.registry)?;
    if format.is_openmetrics() {
        prometheus_client::encoding::text::encode_eof(&mut tail)?;
    } else {
        head = openmetrics_to_text(&head);
        tail = openmetrics_to_text(&tail);
    }
    let pieces = Arc::new(ScrapePieces {
        key,
        head: Bytes::from(head),
        tail: Bytes::from(tail),
        gzip: OnceLock::new(),
    });
    metrics.scrape_cache.put(&pieces);
    Ok(Exposition {
        format,
        snapshot,
        pieces,
    })
}
