//! Classification rules: severity buckets, maintenance states, whether an (incident, product)
//! pair is still open, which regions it hits, how maintenances from both feeds merge, and
//! titles cleaned for labels (docs/adobe-status-api.md §7).

use std::collections::BTreeMap;

use super::registry::{non_empty, Registry};
use super::scope::{newest_first, newest_stated, Places};
use super::{ALL_REGIONS, MAX_TITLE_CHARS};
use crate::model::{self, HistoryEntry, Maintenance, Text};

// === Severity ===

/// Incident severity bucket, the `incident_severity` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Major,
    Minor,
    Potential,
    Trivial,
    None,
    Unknown,
}

impl Severity {
    /// Every bucket, in the order series are emitted.
    pub const ALL: [Severity; 6] = [
        Severity::Major,
        Severity::Minor,
        Severity::Potential,
        Severity::Trivial,
        Severity::None,
        Severity::Unknown,
    ];

    /// Classify an upstream value; `None` when it is missing or `Empty` (not set).
    pub fn parse(raw: Option<&str>) -> Option<Severity> {
        let value = raw?.trim();
        Some(match value.to_ascii_lowercase().as_str() {
            "" | "empty" => return None,
            "major" => Severity::Major,
            "minor" => Severity::Minor,
            "potential" => Severity::Potential,
            "trivial" => Severity::Trivial,
            "none" => Severity::None,
            _ => Severity::Unknown,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Potential => "potential",
            Severity::Trivial => "trivial",
            Severity::None => "none",
            Severity::Unknown => "unknown",
        }
    }

    /// The `*_worst_severity` scale: 0 healthy … 4 major. A value Adobe added after this
    /// exporter was written ranks as "potential": something is open, its impact unclassified.
    pub fn rank(self) -> u8 {
        match self {
            Severity::None => 0,
            Severity::Trivial => 1,
            Severity::Potential | Severity::Unknown => 2,
            Severity::Minor => 3,
            Severity::Major => 4,
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

// === Maintenance state ===

/// The `maintenance_state` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaintenanceState {
    InProgress,
    Scheduled,
}

impl MaintenanceState {
    pub const ALL: [MaintenanceState; 2] =
        [MaintenanceState::InProgress, MaintenanceState::Scheduled];

    pub fn label(self) -> &'static str {
        match self {
            MaintenanceState::InProgress => "in_progress",
            MaintenanceState::Scheduled => "scheduled",
        }
    }
}

/// Where a maintenance stands, by its own status (never by the endpoint that returned it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    Unknown,
    Scheduled,
    Started,
    Finished,
}

impl Phase {
    pub(super) fn from_status(raw: Option<&str>) -> Phase {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("started") | Some("inprogress") | Some("in_progress") => Phase::Started,
            Some("scheduled") => Phase::Scheduled,
            Some("completed") | Some("canceled") | Some("cancelled") => Phase::Finished,
            _ => Phase::Unknown,
        }
    }
}

pub(super) fn maintenance_type_label(raw: Option<&str>) -> &'static str {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("normal") => "normal",
        Some("urgent") => "urgent",
        Some("scheduled") => "scheduled",
        None | Some("") | Some("empty") => "unspecified",
        Some(_) => "unknown",
    }
}

/// Is this (incident, product) pair still open? (docs/adobe-status-api.md §7.1)
pub(super) fn incident_is_ongoing(
    product: &model::IncidentProduct,
    latest: Option<&HistoryEntry>,
    now: f64,
) -> bool {
    let ended = product.ended_on.is_some_and(|t| t <= now);
    let status = product
        .status
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase());
    match status.as_deref() {
        Some("opened") | Some("open") | Some("reopened") => !ended,
        Some("closed") | Some("dismissed") | Some("resolved") => false,
        known_unset => {
            if ended {
                return false;
            }
            let from_history = latest
                .and_then(|h| h.status.as_deref())
                .map(|s| s.trim().to_ascii_lowercase());
            match from_history.as_deref() {
                Some("opened") | Some("discovery") | Some("reopened") => true,
                Some("closed") | Some("dismissed") | Some("resolved") => false,
                // No conclusive history: a status value we do not know yet (and no end
                // time) is still reported, since hiding a real outage is the worse error;
                // a missing or `Empty` status with nothing else is not evidence of one.
                _ => !matches!(known_unset, None | Some("") | Some("empty")),
            }
        }
    }
}

/// Region names of one (incident, product) (ids where no name is known), or [`ALL_REGIONS`]
/// when it names none.
pub(super) fn region_names(registry: &Registry, regions: &Places) -> Vec<String> {
    let names = regions.names(|id| registry.region_name(id));
    if names.is_empty() {
        vec![ALL_REGIONS.to_owned()]
    } else {
        names
    }
}

/// Environment names of one (incident, product) (ids where no name is known); empty when it
/// names none.
pub(super) fn environment_names(registry: &Registry, environments: &Places) -> Vec<String> {
    environments.names(|id| registry.environment_name(id))
}

/// When a closed (incident, product) ended: `endedOn`, else the time of the newest history
/// entry that closed or dismissed it, else of the newest entry.
pub(super) fn incident_end(product: &model::IncidentProduct) -> Option<f64> {
    product.ended_on.or_else(|| {
        let closing = newest_first(&product.history).find(|h| {
            h.message_time.is_some()
                && matches!(
                    h.status
                        .as_deref()
                        .map(|s| s.trim().to_ascii_lowercase())
                        .as_deref(),
                    Some("closed" | "dismissed" | "resolved")
                )
        });
        closing
            .or_else(|| newest_first(&product.history).find(|h| h.message_time.is_some()))
            .and_then(|h| h.message_time)
    })
}

// === Impact ===

/// `customerImpact`: how many customers Adobe says are hit (the `customer_impact` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum CustomerImpact {
    Most,
    Some,
    None,
    #[default]
    Unknown,
}

impl CustomerImpact {
    /// A stated value; one this exporter does not know yet is `Unknown`.
    pub fn parse(raw: &str) -> CustomerImpact {
        match raw.trim().to_ascii_lowercase().as_str() {
            "most" => CustomerImpact::Most,
            "some" => CustomerImpact::Some,
            "none" => CustomerImpact::None,
            _ => CustomerImpact::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomerImpact::Most => "most",
            CustomerImpact::Some => "some",
            CustomerImpact::None => "none",
            CustomerImpact::Unknown => "unknown",
        }
    }
}

/// `operationsImpact`: what is hit (the `operations_impact` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum OperationsImpact {
    Availability,
    Performance,
    None,
    #[default]
    Unknown,
}

impl OperationsImpact {
    pub fn parse(raw: &str) -> OperationsImpact {
        match raw.trim().to_ascii_lowercase().as_str() {
            "availability" => OperationsImpact::Availability,
            "performance" => OperationsImpact::Performance,
            "none" => OperationsImpact::None,
            _ => OperationsImpact::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OperationsImpact::Availability => "availability",
            OperationsImpact::Performance => "performance",
            OperationsImpact::None => "none",
            OperationsImpact::Unknown => "unknown",
        }
    }
}

/// Customer and operations impact of one (incident, product), each from the newest history
/// entry that states it.
pub(super) fn impacts(history: &[HistoryEntry]) -> (CustomerImpact, OperationsImpact) {
    let customer = newest_stated(history, |h| h.customer_impact.as_deref())
        .map_or(CustomerImpact::Unknown, CustomerImpact::parse);
    let operations = newest_stated(history, |h| h.operations_impact.as_deref())
        .map_or(OperationsImpact::Unknown, OperationsImpact::parse);
    (customer, operations)
}

/// Merge `/events` maintenances with `/events/scheduled` by id. When both carry the same id
/// the one further along (finished > started > scheduled) wins: it is the newer news.
pub(super) fn merge_maintenances<'a>(
    ongoing: &'a [Maintenance],
    scheduled: &'a [Maintenance],
) -> Vec<&'a Maintenance> {
    let mut by_id: BTreeMap<&str, &Maintenance> = BTreeMap::new();
    let mut without_id = Vec::new();
    for m in ongoing.iter().chain(scheduled) {
        match non_empty(&m.id) {
            Some(id) => {
                by_id
                    .entry(id)
                    .and_modify(|kept| {
                        if Phase::from_status(m.status.as_deref())
                            > Phase::from_status(kept.status.as_deref())
                        {
                            *kept = m;
                        }
                    })
                    .or_insert(m);
            }
            None => without_id.push(m),
        }
    }
    by_id.into_values().chain(without_id).collect()
}

/// In progress, scheduled, or not exported (finished or unknown).
pub(super) fn maintenance_state(m: &Maintenance, now: f64) -> Option<MaintenanceState> {
    let phase = match Phase::from_status(m.status.as_deref()) {
        Phase::Unknown => {
            // `Empty` or a new value: the latest history entry of any product, then the dates.
            let latest = m
                .products
                .iter()
                .filter_map(|p| model::latest(&p.history))
                .max_by(|a, b| {
                    a.message_time
                        .unwrap_or(0.0)
                        .total_cmp(&b.message_time.unwrap_or(0.0))
                });
            match Phase::from_status(latest.and_then(|h| h.status.as_deref())) {
                Phase::Unknown => phase_from_dates(m, now),
                phase => phase,
            }
        }
        phase => phase,
    };
    match phase {
        Phase::Started => Some(MaintenanceState::InProgress),
        Phase::Scheduled => Some(MaintenanceState::Scheduled),
        Phase::Finished | Phase::Unknown => None,
    }
}

pub(super) fn phase_from_dates(m: &Maintenance, now: f64) -> Phase {
    if m.completed_on.is_some_and(|t| t <= now) {
        Phase::Finished
    } else if m.started_on.is_some_and(|t| t <= now) {
        Phase::Started
    } else if m.scheduled_date.is_some_and(|t| t > now) {
        Phase::Scheduled
    } else {
        Phase::Unknown
    }
}

/// The newest resolvable title of a history, cleaned for a label value: one line, bounded
/// length, maintenance window placeholders filled in. Empty when unknown.
pub(super) fn title_from_history<'r>(
    history: &[HistoryEntry],
    lookup: impl Fn(&str) -> Option<&'r Text>,
    window: Option<(Option<f64>, Option<f64>)>,
) -> String {
    let text = newest_first(history).find_map(|h| {
        let token = non_empty(&h.title_token)?;
        lookup(token)
    });
    let Some(text) = text else {
        return String::new();
    };
    let mut text = text.to_string();
    if let Some((start, end)) = window {
        let fmt = |t: Option<f64>| t.map(crate::timestamp::format_rfc3339).unwrap_or_default();
        text = text
            .replace("{startDateTime}", &fmt(start))
            .replace("{endDateTime}", &fmt(end));
    }
    clean_title(&text)
}

/// Collapse whitespace (newlines included) and cut to [`MAX_TITLE_CHARS`] characters.
pub fn clean_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TITLE_CHARS * 4));
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(MAX_TITLE_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('…');
            out
        }
        None => out,
    }
}
