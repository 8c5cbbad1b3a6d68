//! The status page at `/` (README "Status page"): the current Adobe picture for the watched
//! products, for a human, from the same [`Snapshot`] the metrics come from.
//!
//! Built in two parts so a page view never renders Adobe's data:
//! - [`AdobePart`]: incidents and maintenances, rendered (and deflated) once per refresh beside
//!   the encoded series, with every relative time taken at the refresh;
//! - [`Page::assemble`]: per request, only the headline and the exporter's health around the
//!   shared Adobe bytes (a few KB), spliced into one gzip member like `/metrics`.
//!
//! Every string from upstream goes through `maud`, which escapes whatever it interpolates.

mod template;
mod time;

use bytes::Bytes;

use crate::gzip::{self, GzipError, Segment};
use crate::snapshot::{MaintenanceState, Severity, Snapshot};

pub use time::{day, relative, span, utc};

/// The page's `Content-Security-Policy`: nothing may load or run; only its own inline CSS.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The incidents and maintenances of one refresh, rendered once.
#[derive(Debug, Clone)]
pub struct AdobePart {
    html: Bytes,
    /// `None` if deflating failed: such pages are served uncompressed.
    gzip: Option<Segment>,
    summary: Summary,
}

/// What the headline says about the data of one refresh.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Unix seconds of the refresh the data comes from (relative times are taken at it).
    pub refreshed_at: f64,
    pub products: usize,
    /// Products with at least one of the listed incidents.
    pub affected_products: usize,
    /// Ongoing (incident, product) pairs, as listed (the ones with an incident id).
    pub incidents: usize,
    pub worst: Option<Severity>,
    pub maintenances_in_progress: usize,
    pub maintenances_scheduled: usize,
}

impl AdobePart {
    /// Render the incidents and maintenances of `snapshot`, derived at `refreshed_at`.
    pub fn render(snapshot: &Snapshot, refreshed_at: f64) -> AdobePart {
        let incidents = template::ordered_incidents(snapshot);
        let maintenances = template::grouped_maintenances(snapshot);
        let count = |state| maintenances.iter().filter(|m| m.state == state).count();
        let summary = Summary {
            refreshed_at,
            products: snapshot.products.len(),
            affected_products: incidents
                .iter()
                .map(|i| &i.series.product_id)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            incidents: incidents.len(),
            worst: incidents.first().map(|i| i.series.severity),
            maintenances_in_progress: count(MaintenanceState::InProgress),
            maintenances_scheduled: count(MaintenanceState::Scheduled),
        };
        let html = template::adobe_sections(snapshot, &incidents, &maintenances, refreshed_at);
        AdobePart {
            gzip: Segment::new(html.as_bytes()).ok(),
            html: Bytes::from(html),
            summary,
        }
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Size of the rendered HTML in bytes.
    pub fn len(&self) -> usize {
        self.html.len()
    }

    pub fn is_empty(&self) -> bool {
        self.html.is_empty()
    }
}

/// How the last refresh attempt went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LastRefresh {
    NotYet,
    Succeeded {
        at: f64,
    },
    /// `reason` is the `reason` label of `adobe_status_refresh_failures_total`.
    Failed {
        reason: &'static str,
        at: f64,
    },
}

/// The exporter's state at this request: the only part of the page rendered per view.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub now: f64,
    pub up: bool,
    pub last_refresh: LastRefresh,
    pub token_expiry: Option<f64>,
    pub upstream_requests: u64,
    pub upstream_throttled: u64,
    pub refresh_failures: u64,
}

/// Where the page links to.
#[derive(Debug, Clone)]
pub struct Links {
    /// `--web.telemetry-path`.
    pub telemetry_path: String,
}

/// One page view: its own head and tail around the refresh's shared Adobe part.
#[derive(Debug, Clone)]
pub struct Page {
    head: Bytes,
    adobe: Option<(Bytes, Option<Segment>)>,
    tail: Bytes,
}

impl Page {
    /// The page for this request: `adobe` is the last good refresh's part, if any.
    pub fn assemble(adobe: Option<&AdobePart>, health: &Health, links: &Links) -> Page {
        let summary = adobe.map(|a| &a.summary);
        Page {
            head: Bytes::from(template::head(summary, health)),
            adobe: adobe.map(|a| (a.html.clone(), a.gzip.clone())),
            tail: Bytes::from(template::tail(health, links)),
        }
    }

    /// The page as chunks to send in order (the Adobe part shared, not copied).
    pub fn chunks(&self) -> impl Iterator<Item = Bytes> {
        let middle = self.adobe.as_ref().map(|(html, _)| html.clone());
        [Some(self.head.clone()), middle, Some(self.tail.clone())]
            .into_iter()
            .flatten()
            .filter(|c| !c.is_empty())
    }

    /// The page as one gzip member, sharing the Adobe part's pre-deflated bytes; `None` when
    /// that part could not be deflated at the refresh.
    pub fn gzip_chunks(&self) -> Option<Result<[Bytes; 3], GzipError>> {
        let empty = Segment::default();
        let middle = match &self.adobe {
            None => &empty,
            Some((_, segment)) => segment.as_ref()?,
        };
        Some(gzip::member(&self.head, middle, &self.tail))
    }

    /// The whole page (a copy; for tests and tools, not the serving path).
    pub fn to_html(&self) -> String {
        self.chunks()
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests;
