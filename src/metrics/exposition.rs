//! The exposition a scrape answers with: the snapshot's series encoded once per refresh
//! ([`EncodedSnapshot`], plain and pre-deflated; the text format derived from it on first use),
//! and per scrape the health gauges and counters around them ([`Exposition`]), served as
//! shared chunks so a scrape never copies the series.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use prometheus_client::registry::Registry as PromRegistry;

use super::adobe::SnapshotCollector;
use super::exporter::{ExporterMetrics, HealthCollector};
use super::format::{openmetrics_to_text, Format};
use super::PREFIX;
use crate::gzip;
use crate::snapshot::Snapshot;

/// A snapshot's series, already encoded. Built once per refresh; every scrape until the next
/// refresh shares these bytes instead of encoding thousands of series again. The snapshot
/// itself is not kept: the bytes are all a scrape needs (at 100× the real catalogue that
/// halves what a refresh holds).
#[derive(Debug)]
pub struct EncodedSnapshot {
    openmetrics: Encoded,
    /// The text format, derived from the OpenMetrics text when a scrape first asks for it
    /// (Prometheus asks for OpenMetrics, so usually never).
    text: OnceLock<Encoded>,
    summary: SnapshotSummary,
}

/// One format's series: the text, and the same deflated for scrapes that accept gzip.
#[derive(Debug, Default)]
struct Encoded {
    plain: Bytes,
    /// `None` if deflating failed: such scrapes are answered uncompressed.
    gzip: Option<gzip::Segment>,
}

impl Encoded {
    fn new(text: String) -> Encoded {
        Encoded {
            gzip: gzip::Segment::new(text.as_bytes()).ok(),
            plain: Bytes::from(text),
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
        // Sized up front (~2.2 KB per product with its services at the real catalogue's
        // shape): growing a 13 MB string at 100× by doubling would briefly need twice that.
        let series = snapshot.incidents.len() + snapshot.maintenances.len();
        let mut text = String::with_capacity(4096 + snapshot.products.len() * 2200 + series * 1024);
        let mut registry = PromRegistry::with_prefix(PREFIX);
        registry.register_collector(Box::new(SnapshotCollector(Arc::clone(snapshot))));
        prometheus_client::encoding::text::encode_registry(&mut text, &registry)?;
        Ok(EncodedSnapshot {
            openmetrics: Encoded {
                gzip: Some(gzip::Segment::new(text.as_bytes())?),
                plain: Bytes::from(text),
            },
            text: OnceLock::new(),
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
        self.openmetrics.plain.len()
    }

    fn encoded(&self, format: Format) -> &Encoded {
        if format.is_openmetrics() {
            &self.openmetrics
        } else {
            self.text.get_or_init(|| {
                let openmetrics = String::from_utf8_lossy(&self.openmetrics.plain);
                Encoded::new(openmetrics_to_text(&openmetrics))
            })
        }
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
    head: Bytes,
    snapshot: Option<Arc<EncodedSnapshot>>,
    tail: Bytes,
}

impl Exposition {
    fn families(&self) -> Bytes {
        self.snapshot
            .as_ref()
            .map(|s| s.encoded(self.format).plain.clone())
            .unwrap_or_default()
    }

    pub fn chunks(&self) -> impl Iterator<Item = Bytes> {
        [self.head.clone(), self.families(), self.tail.clone()]
            .into_iter()
            .filter(|c| !c.is_empty())
    }

    /// The same text as one gzip member, sharing the snapshot's pre-deflated series.
    pub fn gzip_chunks(&self) -> Result<[Bytes; 3], EncodeError> {
        let empty = gzip::Segment::default();
        let middle = match &self.snapshot {
            None => &empty,
            Some(snapshot) => snapshot
                .encoded(self.format)
                .gzip
                .as_ref()
                .ok_or(EncodeError::NoGzip)?,
        };
        Ok(gzip::member(&self.head, middle, &self.tail)?)
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

/// Encode one scrape's exposition in `format` around the snapshot's pre-encoded series.
pub fn encode(
    metrics: &Arc<ExporterMetrics>,
    view: ScrapeView,
    format: Format,
) -> Result<Exposition, EncodeError> {
    let mut head = String::with_capacity(1024);
    let mut health = PromRegistry::with_prefix(PREFIX);
    let snapshot = view.snapshot.clone();
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
    Ok(Exposition {
        format,
        head: Bytes::from(head),
        snapshot,
        tail: Bytes::from(tail),
    })
}
