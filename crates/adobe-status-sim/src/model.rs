//! The simulator's internal event model, independent of the wire format.
//!
//! Both the live scenario and the control API produce these values; `wire` renders them into the
//! Adobe DTOs. Times are absolute Unix epoch milliseconds so that rendering only has to choose a
//! string form (see [`TimeForm`]).

use serde_json::Value;

/// How a timestamp is spelled on the wire. Real data mixes forms and the spec never states one,
/// so the simulator varies them (deterministically) to exercise tolerant parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeForm {
    /// `2026-11-23T08:12:00.000Z`: the common form.
    Rfc3339Millis,
    /// `2026-11-23T08:12:00+00:00`: RFC 3339 with a numeric offset and no fraction.
    Rfc3339Offset,
    /// `2026-11-23T08:12:00`: ISO without a zone (seen in the API's own examples).
    NaiveIso,
    /// `"1763885520000"`: epoch milliseconds as a string.
    EpochMillisString,
}

/// Renders epoch milliseconds in the given form. Out-of-range values (never produced by the
/// simulator itself) fall back to the digit form rather than failing.
pub(crate) fn format_time(ms: i64, form: TimeForm) -> String {
    let Some(dt) = chrono::DateTime::from_timestamp_millis(ms) else {
        return ms.to_string();
    };
    match form {
        TimeForm::Rfc3339Millis => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        TimeForm::Rfc3339Offset => dt.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        TimeForm::NaiveIso => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        TimeForm::EpochMillisString => ms.to_string(),
    }
}

/// `YYYYMMDD` of a time, for CSO-style incident ids.
pub(crate) fn date_digits(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|dt| dt.format("%Y%m%d").to_string())
        .unwrap_or_else(|| "19700101".to_owned())
}

/// `(customerImpact, operationsImpact)` that goes with a severity.
pub(crate) fn impacts_for(severity: &str) -> (&'static str, &'static str) {
    match severity {
        "Major" => ("Most", "Availability"),
        "Minor" => ("Some", "Performance"),
        "Potential" => ("Unknown", "Unknown"),
        "Trivial" => ("None", "Performance"),
        "None" => ("None", "None"),
        _ => ("Unknown", "Unknown"),
    }
}

/// Unknown extra keys added to some objects, as real payloads have fields the spec lacks.
pub(crate) type Extra = Vec<(String, Value)>;

/// One status update of one product of an incident.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IncidentUpdate {
    pub(crate) id: String,
    /// `Discovery` | `Opened` | `Closed` | `Dismissed`.
    pub(crate) status: String,
    pub(crate) severity: String,
    pub(crate) customer_impact: String,
    pub(crate) operations_impact: String,
    /// `Canned` | `CFS` | `Custom`.
    pub(crate) message_type: String,
    pub(crate) time_ms: i64,
    pub(crate) message_token: String,
    pub(crate) title_token: String,
    pub(crate) show_environment: bool,
    pub(crate) service_ids: Vec<String>,
    pub(crate) offering_ids: Vec<String>,
    pub(crate) region_ids: Vec<String>,
    pub(crate) env_ids: Vec<String>,
    /// The root-cause record (`cfsId`, `cfsSource`, `cfsURL`) of a `CFS` entry.
    pub(crate) cfs: Option<CfsRecord>,
    pub(crate) extra: Extra,
}

/// A customer-facing statement (root cause) published after an incident: Adobe appends it to
/// the history as a `messageType` `CFS` entry carrying `cfsId`, `cfsSource` and `cfsURL`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CfsRecord {
    pub(crate) id: String,
    pub(crate) source: String,
    pub(crate) url: String,
}

impl CfsRecord {
    /// The record Adobe's status page would link: `https://status.adobe.com/cfs/<id>`.
    pub(crate) fn for_id(id: String) -> Self {
        Self {
            url: format!("https://status.adobe.com/cfs/{id}"),
            id,
            source: "ServiceNow".to_owned(),
        }
    }
}

/// One product of an incident: severity and status live here, not on the incident.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IncidentProduct {
    pub(crate) product_id: String,
    /// `Major` | `Minor` | `Potential` | `Trivial` | `None` (the control API allows anything).
    pub(crate) severity: String,
    /// `Opened` | `Closed`.
    pub(crate) status: String,
    pub(crate) started_ms: i64,
    pub(crate) ended_ms: Option<i64>,
    pub(crate) history: Vec<IncidentUpdate>,
    pub(crate) extra: Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Incident {
    pub(crate) id: String,
    pub(crate) products: Vec<IncidentProduct>,
    /// Event-level impact lists, shared by all products (as in the real DTO).
    pub(crate) service_ids: Vec<String>,
    pub(crate) region_ids: Vec<String>,
    pub(crate) env_ids: Vec<String>,
    /// Form of `startedOn`/`endedOn`.
    pub(crate) started_form: TimeForm,
    /// Form of history `messageTime`.
    pub(crate) message_time_form: TimeForm,
    pub(crate) extra: Extra,
}

#[cfg(test)]
impl Incident {
    /// True while at least one product is not closed.
    pub(crate) fn is_ongoing(&self) -> bool {
        self.products
            .iter()
            .any(|p| !p.status.eq_ignore_ascii_case("Closed"))
    }
}

/// One update of a maintenance (shared by its products; ids are made per product when rendering).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MaintenanceUpdate {
    /// `Scheduled` | `Started` | `Completed` | `Cancelled` | `Updated`.
    pub(crate) status: String,
    pub(crate) customer_impact: String,
    pub(crate) operations_impact: String,
    /// `Canned` | `Custom`.
    pub(crate) message_type: String,
    pub(crate) time_ms: i64,
    pub(crate) message_token: String,
    pub(crate) title_token: String,
    pub(crate) show_environment: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Maintenance {
    pub(crate) id: String,
    /// `Scheduled` | `Started` | `Completed` | `Canceled` (one L, as in the DTO) | anything.
    pub(crate) status: String,
    /// `Normal` | `Urgent` | `Scheduled` | `Empty`.
    pub(crate) maintenance_type: String,
    /// Planned start.
    pub(crate) scheduled_ms: i64,
    /// Actual start; `None` (rendered `""`) until started.
    pub(crate) started_ms: Option<i64>,
    /// Planned end, known from the moment the maintenance is scheduled.
    pub(crate) completed_ms: i64,
    pub(crate) reminder_ms: Vec<i64>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) service_ids: Vec<String>,
    pub(crate) region_ids: Vec<String>,
    pub(crate) env_ids: Vec<String>,
    pub(crate) history: Vec<MaintenanceUpdate>,
    /// Still listed by `/events/scheduled` although started: the real backend lags, so a client
    /// sees the same maintenance in two feeds and must de-duplicate by id.
    pub(crate) lingers_in_scheduled: bool,
    /// Form of `scheduledDate`/`startedOn`/`completedOn`.
    pub(crate) date_form: TimeForm,
    pub(crate) extra: Extra,
}

impl Maintenance {
    pub(crate) fn is_started(&self) -> bool {
        self.status.eq_ignore_ascii_case("Started")
    }

    pub(crate) fn is_scheduled(&self) -> bool {
        self.status.eq_ignore_ascii_case("Scheduled")
    }

    /// Listed by `/events`: everything except maintenances that have not started yet.
    pub(crate) fn in_events_feed(&self) -> bool {
        !self.is_scheduled()
    }

    /// Listed by `/events/scheduled`.
    pub(crate) fn in_scheduled_feed(&self) -> bool {
        self.is_scheduled() || (self.is_started() && self.lingers_in_scheduled)
    }
}

/// History status that corresponds to a `MaintenanceDto.status` (note the spelling change).
pub(crate) fn maintenance_history_status(status: &str) -> String {
    if status.eq_ignore_ascii_case("Canceled") {
        "Cancelled".to_owned()
    } else {
        status.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_forms() {
        let ms = 1_763_885_520_000; // 2025-11-23T08:12:00Z
        assert_eq!(
            format_time(ms, TimeForm::Rfc3339Millis),
            "2025-11-23T08:12:00.000Z"
        );
        assert_eq!(
            format_time(ms, TimeForm::Rfc3339Offset),
            "2025-11-23T08:12:00+00:00"
        );
        assert_eq!(format_time(ms, TimeForm::NaiveIso), "2025-11-23T08:12:00");
        assert_eq!(
            format_time(ms, TimeForm::EpochMillisString),
            "1763885520000"
        );
        assert_eq!(date_digits(ms), "20251123");
        assert_eq!(maintenance_history_status("Canceled"), "Cancelled");
    }
}
