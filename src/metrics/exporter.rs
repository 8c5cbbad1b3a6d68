//! The exporter's own instrumentation: upstream requests, their durations, throttling, failed
//! refreshes and build info in a long-lived registry, plus the health gauges a scrape computes
//! from the state of the last refresh.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry as PromRegistry, Unit};

use super::exposition::{ScrapeCache, ScrapeView};
use super::single_gauge;
use super::PREFIX;
use crate::upstream::{Api, FailureReason};

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
    pub(super) registry: PromRegistry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<ApiLabels, Histogram, fn() -> Histogram>,
    throttled: Counter,
    /// All upstream requests, for the status page (the family has no total).
    requests_total: Counter,
    refresh_failures: Family<ReasonLabels, Counter>,
    state_write_failures: Counter,
    /// f64 bits of the cached token's expiry (Unix seconds); 0 = no token yet.
    token_expiry: AtomicU64,
    /// Bumped after every change above: scrapes reuse their encoded pieces while it stays put.
    generation: AtomicU64,
    pub(super) scrape_cache: ScrapeCache,
}

impl Default for ExporterMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ExporterMetrics {
    pub fn new() -> ExporterMetrics {
        let mut registry = PromRegistry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Family<ApiLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(|| Histogram::new(DURATION_BUCKETS));
        let throttled = Counter::default();
        let refresh_failures = Family::<ReasonLabels, Counter>::default();
        let state_write_failures = Counter::default();
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
            "state_write_failures",
            "Failed writes of the --status.state-file (disk full, read-only, permissions)",
            state_write_failures.clone(),
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
            requests_total: Counter::default(),
            refresh_failures,
            state_write_failures,
            token_expiry: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            scrape_cache: ScrapeCache::default(),
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
        self.requests_total.inc();
        self.durations
            .get_or_create(&ApiLabels { api: api.label() })
            .observe(elapsed.as_secs_f64());
        if status == Some(429) {
            self.throttled.inc();
        }
        self.changed();
    }

    pub fn refresh_failed(&self, reason: FailureReason) {
        self.refresh_failures
            .get_or_create(&ReasonLabels {
                reason: reason.label(),
            })
            .inc();
        self.changed();
    }

    pub fn state_write_failed(&self) {
        self.state_write_failures.inc();
        self.changed();
    }

    /// Failed writes of the state file so far.
    pub fn state_write_failures(&self) -> u64 {
        self.state_write_failures.get()
    }

    pub fn set_token_expiry(&self, unix_seconds: f64) {
        self.token_expiry
            .store(unix_seconds.to_bits(), Ordering::Relaxed);
        self.changed();
    }

    /// After a change is complete (Release): a scrape that reads the new generation (Acquire)
    /// and encodes then sees the change.
    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Unix seconds at which the cached token expires; `None` before the first token.
    pub fn token_expiry(&self) -> Option<f64> {
        let value = f64::from_bits(self.token_expiry.load(Ordering::Relaxed));
        (value > 0.0).then_some(value)
    }

    /// Upstream requests so far, all APIs and outcomes together.
    pub fn upstream_requests(&self) -> u64 {
        self.requests_total.get()
    }

    /// Upstream answers with HTTP 429 so far.
    pub fn upstream_throttled(&self) -> u64 {
        self.throttled.get()
    }

    /// Failed refreshes so far, all reasons together.
    pub fn refresh_failures(&self) -> u64 {
        FailureReason::ALL
            .iter()
            .filter_map(|reason| {
                self.refresh_failures.get(&ReasonLabels {
                    reason: reason.label(),
                })
            })
            .map(|c| c.get())
            .sum()
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

/// The per-scrape gauges: freshness of the data and of the token.
#[derive(Debug)]
pub(super) struct HealthCollector {
    pub(super) view: ScrapeView,
    pub(super) metrics: Arc<ExporterMetrics>,
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
