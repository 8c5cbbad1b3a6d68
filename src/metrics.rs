//! Metrics (README "Metrics"): the exporter's own counters in a long-lived registry, and the Adobe
//! data series encoded from the current [`Snapshot`] by a collector.
//!
//! Data series are never kept in long-lived gauges: the exposition holds exactly what the
//! snapshot holds, so an ended incident's series vanish with the snapshot that had them. The
//! snapshot's families are encoded once, when a refresh publishes it ([`EncodedSnapshot`]);
//! a scrape encodes only the few health gauges and counters around those shared bytes
//! ([`Exposition`]). Iteration is over sorted maps, so the output is deterministic. HELP
//! texts are static ASCII.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use crate::gzip;
use crate::snapshot::{MaintenanceState, Severity, Snapshot};

pub const PREFIX: &str = "adobe_status";
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Which upstream call a request belongs to (the `api` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Token,
    Events,
    Scheduled,
    Clouds,
    Products,
    Regions,
    Messages,
}

impl Api {
    pub fn label(self) -> &'static str {
        match self {
            Api::Token => "token",
            Api::Events => "events",
            Api::Scheduled => "scheduled",
            Api::Clouds => "clouds",
            Api::Products => "products",
            Api::Regions => "regions",
            Api::Messages => "messages",
        }
    }
}

/// Why an events refresh failed (the `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    Auth,
    Throttled,
    Timeout,
    Http,
    Parse,
    Network,
}

impl FailureReason {
    pub const ALL: [FailureReason; 6] = [
        FailureReason::Auth,
        FailureReason::Throttled,
        FailureReason::Timeout,
        FailureReason::Http,
        FailureReason::Parse,
        FailureReason::Network,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FailureReason::Auth => "auth",
            FailureReason::Throttled => "throttled",
            FailureReason::Timeout => "timeout",
            FailureReason::Http => "http",
            FailureReason::Parse => "parse",
            FailureReason::Network => "network",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    api: &'static str,
    code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ApiLabels {
    api: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// Request latency buckets: from a fast cached answer to the default 30 s timeout.
const DURATION_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0];

/// The exporter's own instrumentation, shared by the clients and the refresh gate.
#[derive(Debug)]
pub struct ExporterMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<ApiLabels, Histogram, fn() -> Histogram>,
    throttled: Counter,
    refresh_failures: Family<ReasonLabels, Counter>,
    /// f64 bits of the cached token's expiry (Unix seconds); 0 = no token yet.
    token_expiry: AtomicU64,
}

impl Default for ExporterMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ExporterMetrics {
    pub fn new() -> ExporterMetrics {
        let mut registry = Registry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Family<ApiLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(|| Histogram::new(DURATION_BUCKETS));
        let throttled = Counter::default();
        let refresh_failures = Family::<ReasonLabels, Counter>::default();
        // Every reason exists from the start, so rate() and increase() see the first failure.
        for reason in FailureReason::ALL {
            drop(refresh_failures.get_or_create(&ReasonLabels {
                reason: reason.label(),
            }));
        }
        registry.register(
            "upstream_requests",
            "Upstream HTTP requests by API and outcome (status code, or error when no response arrived)",
            requests.clone(),
        );
        registry.register_with_unit(
            "upstream_request_duration",
            "Duration of upstream HTTP requests by API",
            Unit::Seconds,
            durations.clone(),
        );
        registry.register(
            "upstream_throttled",
            "Upstream answers with HTTP 429 Too Many Requests",
            throttled.clone(),
        );
        registry.register(
            "refresh_failures",
            "Failed refreshes of Adobe events by reason",
            refresh_failures.clone(),
        );
        registry.register(
            "exporter_build",
            "Build information of adobe_status_exporter",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION")),
                (
                    "revision",
                    option_env!("ADOBE_STATUS_EXPORTER_REVISION").unwrap_or("unknown"),
                ),
                (
                    "rustc_version",
                    option_env!("ADOBE_STATUS_EXPORTER_RUSTC").unwrap_or("unknown"),
                ),
            ]),
        );
        ExporterMetrics {
            registry,
            requests,
            durations,
            throttled,
            refresh_failures,
            token_expiry: AtomicU64::new(0),
        }
    }

    /// Record one upstream HTTP exchange; `status` is `None` when no response arrived.
    pub fn observe_request(&self, api: Api, status: Option<u16>, elapsed: Duration) {
        let code = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
        self.requests
            .get_or_create(&RequestLabels {
                api: api.label(),
                code,
            })
            .inc();
        self.durations
            .get_or_create(&ApiLabels { api: api.label() })
            .observe(elapsed.as_secs_f64());
        if status == Some(429) {
            self.throttled.inc();
        }
    }

    pub fn refresh_failed(&self, reason: FailureReason) {
        self.refresh_failures
            .get_or_create(&ReasonLabels {
                reason: reason.label(),
            })
            .inc();
    }

    pub fn set_token_expiry(&self, unix_seconds: f64) {
        self.token_expiry
            .store(unix_seconds.to_bits(), Ordering::Relaxed);
    }

    fn token_expiry(&self) -> Option<f64> {
        let value = f64::from_bits(self.token_expiry.load(Ordering::Relaxed));
        (value > 0.0).then_some(value)
    }

    /// Requests recorded so far for `api` with `code` (for tests and `--check`).
    pub fn request_count(&self, api: Api, code: &str) -> u64 {
        self.requests
            .get(&RequestLabels {
                api: api.label(),
                code: code.to_owned(),
            })
            .map_or(0, |c| c.get())
    }
}

/// A snapshot's series, already encoded. Built once per refresh; every scrape until the next
/// refresh shares these bytes instead of encoding thousands of series again. The snapshot
/// itself is not kept: the bytes are all a scrape needs (at 100× the real catalogue that
/// halves what a refresh holds).
#[derive(Debug)]
pub struct EncodedSnapshot {
    families: Bytes,
    /// The same series deflated, for scrapes that accept gzip (Prometheus does).
    families_gzip: gzip::Segment,
    summary: SnapshotSummary,
}

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("encoding the exposition failed")]
    Format(#[from] fmt::Error),
    #[error(transparent)]
    Gzip(#[from] gzip::GzipError),
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
        let mut registry = Registry::with_prefix(PREFIX);
        registry.register_collector(Box::new(SnapshotCollector(Arc::clone(snapshot))));
        prometheus_client::encoding::text::encode_registry(&mut text, &registry)?;
        Ok(EncodedSnapshot {
            families_gzip: gzip::Segment::new(text.as_bytes())?,
            families: Bytes::from(text),
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

    /// Size of the encoded series in bytes.
    pub fn encoded_len(&self) -> usize {
        self.families.len()
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

/// One full OpenMetrics exposition (ending in `# EOF`) in three pieces: this scrape's health
/// gauges, the snapshot's shared bytes, this scrape's counters. Served piece by piece, so a
/// scrape never copies the snapshot's series.
#[derive(Debug, Clone)]
pub struct Exposition {
    head: Bytes,
    snapshot: Option<Arc<EncodedSnapshot>>,
    tail: Bytes,
}

impl Exposition {
    fn families(&self) -> Bytes {
        self.snapshot
            .as_ref()
            .map(|s| s.families.clone())
            .unwrap_or_default()
    }

    pub fn chunks(&self) -> impl Iterator<Item = Bytes> {
        [self.head.clone(), self.families(), self.tail.clone()]
            .into_iter()
            .filter(|c| !c.is_empty())
    }

    /// The same text as one gzip member, sharing the snapshot's pre-deflated series.
    pub fn gzip_chunks(&self) -> Result<[Bytes; 3], gzip::GzipError> {
        let empty = gzip::Segment::default();
        let middle = self.snapshot.as_ref().map_or(&empty, |s| &s.families_gzip);
        gzip::member(&self.head, middle, &self.tail)
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

/// Encode one scrape's exposition around the snapshot's pre-encoded series.
pub fn encode(metrics: &Arc<ExporterMetrics>, view: ScrapeView) -> Result<Exposition, EncodeError> {
    let mut head = String::with_capacity(1024);
    let mut health = Registry::with_prefix(PREFIX);
    let snapshot = view.snapshot.clone();
    health.register_collector(Box::new(HealthCollector {
        view,
        metrics: Arc::clone(metrics),
    }));
    prometheus_client::encoding::text::encode_registry(&mut head, &health)?;
    let mut tail = String::with_capacity(4096);
    prometheus_client::encoding::text::encode_registry(&mut tail, &metrics.registry)?;
    prometheus_client::encoding::text::encode_eof(&mut tail)?;
    Ok(Exposition {
        head: Bytes::from(head),
        snapshot,
        tail: Bytes::from(tail),
    })
}

/// The per-scrape gauges: freshness of the data and of the token.
#[derive(Debug)]
struct HealthCollector {
    view: ScrapeView,
    metrics: Arc<ExporterMetrics>,
}

/// The Adobe data series of one snapshot.
#[derive(Debug)]
struct SnapshotCollector(Arc<Snapshot>);

impl Collector for SnapshotCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        encode_snapshot(&mut encoder, &self.0)
    }
}

/// Write one gauge family: a descriptor, then one sample per `(labels, value)`.
fn gauge_family<'a, L, V, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    samples: I,
) -> Result<(), fmt::Error>
where
    L: EncodeLabelSet + 'a,
    V: prometheus_client::encoding::EncodeGaugeValue,
    I: IntoIterator<Item = (L, V)>,
{
    let mut family = encoder.encode_descriptor(name, help, unit, MetricType::Gauge)?;
    for (labels, value) in samples {
        family.encode_family(&labels)?.encode_gauge(&value)?;
    }
    Ok(())
}

/// Write one unlabelled gauge.
fn single_gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    value: impl prometheus_client::encoding::EncodeGaugeValue,
) -> Result<(), fmt::Error> {
    encoder
        .encode_descriptor(name, help, unit, MetricType::Gauge)?
        .encode_gauge(&value)
}

fn info_family<L, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: I,
) -> Result<(), fmt::Error>
where
    L: EncodeLabelSet,
    I: IntoIterator<Item = L>,
{
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Info)?;
    for labels in samples {
        family.encode_info(&labels)?;
    }
    Ok(())
}

impl Collector for HealthCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let view = &self.view;
        single_gauge(
            &mut encoder,
            "up",
            "Whether the data served comes from a successful refresh no older than twice the minimum interval.",
            None,
            i64::from(view.up),
        )?;
        if let Some(t) = view.last_success_unix {
            single_gauge(
                &mut encoder,
                "last_success_timestamp",
                "Unix time of the last successful refresh of Adobe events.",
                Some(&Unit::Seconds),
                t,
            )?;
        }
        if let Some(t) = view.registry_last_success_unix {
            single_gauge(
                &mut encoder,
                "registry_last_success_timestamp",
                "Unix time of the last successful refresh of the Adobe product registry.",
                Some(&Unit::Seconds),
                t,
            )?;
        }
        if let Some(t) = self.metrics.token_expiry() {
            single_gauge(
                &mut encoder,
                "token_expiry_timestamp",
                "Unix time at which the cached Adobe IMS access token expires.",
                Some(&Unit::Seconds),
                t,
            )?;
        }
        Ok(())
    }
}

fn encode_snapshot(encoder: &mut DescriptorEncoder, s: &Snapshot) -> Result<(), fmt::Error> {
    let products = || s.products.iter();
    info_family(
        encoder,
        "product",
        "Watched Adobe product with its name and cloud.",
        products().map(|(id, p)| {
            [
                ("product_id", id.as_str()),
                ("product_name", p.name.as_str()),
                ("cloud_id", p.cloud_id.as_str()),
                ("cloud_name", p.cloud_name.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "product_incidents",
        "Ongoing Adobe incidents per product and incident severity.",
        None,
        products().flat_map(|(id, p)| {
            Severity::ALL.into_iter().map(move |sev| {
                (
                    [
                        ("product_id", id.as_str()),
                        ("incident_severity", sev.label()),
                    ],
                    i64::from(p.incidents(sev)),
                )
            })
        }),
    )?;
    gauge_family(
        encoder,
        "product_worst_severity",
        "Worst ongoing incident severity per product: 0 healthy, 1 trivial, 2 potential, 3 minor, 4 major.",
        None,
        products().map(|(id, p)| ([("product_id", id.as_str())], i64::from(p.worst_severity()))),
    )?;
    gauge_family(
        encoder,
        "product_maintenances",
        "Adobe maintenances per product that are in progress or scheduled.",
        None,
        products().flat_map(|(id, p)| {
            MaintenanceState::ALL.into_iter().map(move |state| {
                (
                    [
                        ("product_id", id.as_str()),
                        ("maintenance_state", state.label()),
                    ],
                    i64::from(p.maintenances(state)),
                )
            })
        }),
    )?;
    let services =
        || products().flat_map(|(pid, p)| p.services.iter().map(move |(sid, svc)| (pid, sid, svc)));
    info_family(
        encoder,
        "service",
        "Service of a watched Adobe product with its name.",
        services().map(|(pid, sid, svc)| {
            [
                ("product_id", pid.as_str()),
                ("service_id", sid.as_str()),
                ("service_name", svc.name.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "service_worst_severity",
        "Worst ongoing incident severity per service: 0 healthy, 1 trivial, 2 potential, 3 minor, 4 major.",
        None,
        services().map(|(pid, sid, svc)| {
            (
                [("product_id", pid.as_str()), ("service_id", sid.as_str())],
                i64::from(svc.worst_severity),
            )
        }),
    )?;
    info_family(
        encoder,
        "incident",
        "Ongoing Adobe incident per product with its severity and title.",
        s.incidents.iter().map(|i| {
            [
                ("incident_id", i.incident_id.as_str()),
                ("product_id", i.product_id.as_str()),
                ("incident_severity", i.severity.label()),
                ("title", i.title.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "incident_start_timestamp",
        "Unix time at which an ongoing Adobe incident started for a product.",
        Some(&Unit::Seconds),
        s.incidents.iter().filter_map(|i| {
            let started = i.started?;
            Some((
                [
                    ("incident_id", i.incident_id.as_str()),
                    ("product_id", i.product_id.as_str()),
                ],
                started,
            ))
        }),
    )?;
    gauge_family(
        encoder,
        "incident_region_impacted",
        "Region impacted by an ongoing Adobe incident (all when the incident names none).",
        None,
        s.incidents.iter().flat_map(|i| {
            i.regions.iter().map(move |region| {
                (
                    [
                        ("incident_id", i.incident_id.as_str()),
                        ("product_id", i.product_id.as_str()),
                        ("region_name", region.as_str()),
                    ],
                    1_i64,
                )
            })
        }),
    )?;
    info_family(
        encoder,
        "maintenance",
        "Adobe maintenance in progress or scheduled per product with its type and title.",
        s.maintenances.iter().map(|m| {
            [
                ("maintenance_id", m.maintenance_id.as_str()),
                ("product_id", m.product_id.as_str()),
                ("maintenance_state", m.state.label()),
                ("maintenance_type", m.maintenance_type),
                ("title", m.title.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "maintenance_start_timestamp",
        "Unix time at which an Adobe maintenance starts or started.",
        Some(&Unit::Seconds),
        s.maintenances.iter().filter_map(|m| {
            Some((
                [
                    ("maintenance_id", m.maintenance_id.as_str()),
                    ("product_id", m.product_id.as_str()),
                ],
                m.start?,
            ))
        }),
    )?;
    gauge_family(
        encoder,
        "maintenance_end_timestamp",
        "Unix time at which an Adobe maintenance ends or is planned to end.",
        Some(&Unit::Seconds),
        s.maintenances.iter().filter_map(|m| {
            Some((
                [
                    ("maintenance_id", m.maintenance_id.as_str()),
                    ("product_id", m.product_id.as_str()),
                ],
                m.end?,
            ))
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
