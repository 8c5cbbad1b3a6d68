//! The past window (`--status.history`): from the incidents `/events` returns (the last 40
//! days, closed ones included), per watched product and severity the incidents that started in
//! the window and the seconds of it with at least one open; per product a strip of days with the
//! worst severity of each; and the incidents resolved within it, newest first.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::classify::{CustomerImpact, OperationsImpact, Severity};
use super::scope::root_cause_url;
use super::ProductStatus;
use crate::model::{HistoryEntry, Text};

const DAY: f64 = 86_400.0;
/// Resolved incidents listed on the status page, at most.
pub const MAX_RESOLVED: usize = 25;
/// Products with a day strip on the status page, at most (the worst first).
pub const MAX_STRIPS: usize = 40;

/// One (incident, product) in scope, placed in time; borrowed from the parsed events.
#[derive(Debug, Clone)]
pub(super) struct Occurrence<'e> {
    pub(super) incident_id: &'e str,
    pub(super) product_id: &'e str,
    pub(super) severity: Severity,
    pub(super) start: f64,
    /// `None` while it is open.
    pub(super) end: Option<f64>,
    /// Its history, for the title and root-cause statement of the ones listed.
    pub(super) history: &'e [HistoryEntry],
    pub(super) customer_impact: CustomerImpact,
    pub(super) operations_impact: OperationsImpact,
}

/// What the status page shows of the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub window_seconds: u64,
    /// Unix seconds of the first strip day's midnight (UTC).
    pub first_day: f64,
    /// Days in a strip; the last one is today.
    pub days: usize,
    /// Products with an incident in the window, the worst first, at most [`MAX_STRIPS`].
    pub strips: Vec<DayStrip>,
    /// Products with an incident in the window beyond [`MAX_STRIPS`].
    pub strips_omitted: usize,
    /// Incidents resolved within the window, newest first, at most [`MAX_RESOLVED`].
    pub resolved: Vec<ResolvedIncident>,
    /// All incidents resolved within the window.
    pub resolved_total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayStrip {
    pub product_id: String,
    /// One per day, oldest first: the worst severity open that day.
    pub cells: Vec<Option<Severity>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedIncident {
    pub incident_id: String,
    pub product_id: String,
    pub severity: Severity,
    pub title: String,
    pub start: f64,
    pub end: f64,
    /// Empty when Adobe published no root-cause statement.
    pub root_cause_url: String,
    pub customer_impact: CustomerImpact,
    pub operations_impact: OperationsImpact,
}

/// Seconds covered by the union of `intervals` (overlaps counted once).
fn covered_seconds(mut intervals: Vec<(f64, f64)>) -> f64 {
    intervals.retain(|(a, b)| b > a);
    intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut current: Option<(f64, f64)> = None;
    for (a, b) in intervals {
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = current {
        total += cb - ca;
    }
    total
}

/// Fill each product's recent gauges and build the status page's view of the window ending
/// at `now`; `title_of` gives the title of a history, for the incidents listed.
pub(super) fn summarize(
    occurrences: &[Occurrence],
    products: &mut BTreeMap<Text, ProductStatus>,
    window_seconds: u64,
    now: f64,
    title_of: impl Fn(&[HistoryEntry]) -> String,
) -> History {
    let from = now - window_seconds as f64;
    let mut by_product: BTreeMap<&str, Vec<&Occurrence>> = BTreeMap::new();
    for occurrence in occurrences {
        by_product
            .entry(occurrence.product_id)
            .or_default()
            .push(occurrence);
    }

    let days = (window_seconds as f64 / DAY).ceil().max(1.0) as usize;
    let first_day = (now / DAY).floor() * DAY - (days as f64 - 1.0) * DAY;
    let mut strips: Vec<(u8, f64, DayStrip)> = Vec::new();

    for (product_id, list) in &by_product {
        let Some(status) = products.get_mut(*product_id) else {
            continue;
        };
        for severity in Severity::ALL {
            let of_severity = list.iter().filter(|o| o.severity == severity);
            let started = of_severity
                .clone()
                .filter(|o| o.start >= from && o.start <= now)
                .count();
            let open: Vec<(f64, f64)> = of_severity
                .map(|o| (o.start.max(from), o.end.unwrap_or(now).min(now)))
                .collect();
            status.recent_incidents[severity.index()] = started as u32;
            status.recent_impact_seconds[severity.index()] = covered_seconds(open).round();
        }

        let cells: Vec<Option<Severity>> = (0..days)
            .map(|day| {
                let start = first_day + day as f64 * DAY;
                let end = start + DAY;
                list.iter()
                    .filter(|o| o.start < end && o.end.unwrap_or(now) >= start)
                    .map(|o| o.severity)
                    .max_by(|a, b| worse(*a, *b))
            })
            .collect();
        if let Some(worst) = cells.iter().flatten().copied().max_by(|a, b| worse(*a, *b)) {
            let impact: f64 = status.recent_impact_seconds.iter().sum();
            let strip = DayStrip {
                product_id: (*product_id).to_owned(),
                cells,
            };
            strips.push((worst.rank(), impact, strip));
        }
    }
    strips.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.product_id.cmp(&b.2.product_id))
    });
    let strips_omitted = strips.len().saturating_sub(MAX_STRIPS);
    let strips = strips
        .into_iter()
        .take(MAX_STRIPS)
        .map(|(_, _, s)| s)
        .collect();

    let mut resolved: Vec<&Occurrence> = occurrences
        .iter()
        .filter(|o| o.end.is_some_and(|end| end >= from && end <= now))
        .collect();
    resolved.sort_by(|a, b| {
        b.end
            .unwrap_or(0.0)
            .total_cmp(&a.end.unwrap_or(0.0))
            .then(a.incident_id.cmp(b.incident_id))
            .then(a.product_id.cmp(b.product_id))
    });
    let resolved_total = resolved.len();
    let resolved = resolved
        .into_iter()
        .take(MAX_RESOLVED)
        .map(|o| ResolvedIncident {
            incident_id: o.incident_id.to_owned(),
            product_id: o.product_id.to_owned(),
            severity: o.severity,
            title: title_of(o.history),
            start: o.start,
            end: o.end.unwrap_or(now),
            root_cause_url: root_cause_url(o.history),
            customer_impact: o.customer_impact,
            operations_impact: o.operations_impact,
        })
        .collect();

    History {
        window_seconds,
        first_day,
        days,
        strips,
        strips_omitted,
        resolved,
        resolved_total,
    }
}

/// Order by the worst-severity scale; a known severity beats `unknown` of the same rank.
fn worse(a: Severity, b: Severity) -> Ordering {
    a.rank()
        .cmp(&b.rank())
        .then((a != Severity::Unknown).cmp(&(b != Severity::Unknown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_intervals_count_once() {
        assert_eq!(covered_seconds(vec![]), 0.0);
        assert_eq!(covered_seconds(vec![(0.0, 10.0), (5.0, 15.0)]), 15.0);
        assert_eq!(covered_seconds(vec![(20.0, 30.0), (0.0, 10.0)]), 20.0);
        assert_eq!(covered_seconds(vec![(0.0, 10.0), (2.0, 3.0)]), 10.0);
        assert_eq!(covered_seconds(vec![(0.0, 10.0), (10.0, 12.0)]), 12.0);
        assert_eq!(covered_seconds(vec![(5.0, 5.0), (7.0, 6.0)]), 0.0);
    }

    #[test]
    fn a_known_severity_beats_unknown_of_the_same_rank() {
        assert_eq!(
            worse(Severity::Potential, Severity::Unknown),
            Ordering::Greater
        );
        assert_eq!(worse(Severity::Major, Severity::Minor), Ordering::Greater);
        assert_eq!(worse(Severity::None, Severity::Trivial), Ordering::Less);
    }
}
