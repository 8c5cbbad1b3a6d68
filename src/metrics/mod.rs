//! Metrics (README "Metrics"), in parts:
//! - `exporter`: the exporter's own counters in a long-lived registry ([`ExporterMetrics`]) and
//!   the health gauges a scrape computes from the last refresh;
//! - `adobe`: the Adobe data families written from a [`crate::snapshot::Snapshot`];
//! - `exposition`: what a scrape is answered with, the snapshot's families encoded once per
//!   refresh ([`EncodedSnapshot`]) and the per-scrape parts around them ([`Exposition`]);
//! - `chunks`: those families cut into chunks that the next refresh shares where its text is
//!   the same;
//! - `format`: OpenMetrics or the classic text format, as the scrape's `Accept` asks ([`Format`]).
//!
//! Data series are never kept in long-lived gauges: the exposition holds exactly what the
//! snapshot holds, so an ended incident's series vanish with the snapshot that had them.
//! Iteration is over sorted maps, so the output is deterministic. HELP texts are static ASCII.

mod adobe;
mod chunks;
mod exporter;
mod exposition;
mod format;

use std::fmt;

use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;

pub use exporter::ExporterMetrics;
pub use exposition::{
    encode, EncodeError, EncodedSnapshot, Exposition, ScrapeView, SnapshotSummary,
};
pub use format::{openmetrics_to_text, Format};

/// Every metric name starts with this (and `_`).
pub const PREFIX: &str = "adobe_status";

/// Write one unlabelled gauge.
pub(crate) fn single_gauge(
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

#[cfg(test)]
mod tests;
