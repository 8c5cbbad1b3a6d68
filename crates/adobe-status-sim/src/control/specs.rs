//! The public descriptions of test events that the control API opens, changes and adds.

use std::collections::BTreeMap;
use std::time::SystemTime;

/// A test incident to open (control API). Deserializable from the snake_case JSON of
/// `POST /__sim/incidents`; missing fields default to empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct IncidentSpec {
    pub product_ids: Vec<String>,
    /// `Major`, `Minor`, `Potential`, `Trivial`, `None`, or any other string.
    pub severity: String,
    /// English title: a message in `/messages/en`, referenced by the entries' `titleToken`.
    pub title: String,
    /// Titles in other locales (`{"fr": "…"}`). A locale without an entry lacks the token in
    /// its `/messages/{locale}`, so a client must fall back to English itself.
    pub titles: BTreeMap<String, String>,
    /// Region ids (`APAC`, `Americas`, `EMEA`); empty = not region-specific, unless
    /// `environments` is set: then the regions of those environments.
    pub regions: Vec<String>,
    /// Environment ids of the registry (`locationImpact.serviceEnvironments`, the event's
    /// `environment` list); non-empty sets `showEnvironment`.
    pub environments: Vec<String>,
    pub service_ids: Vec<String>,
    /// `customerImpact` (`Most`, `Some`, `None`, `Unknown`); default from the severity.
    pub customer_impact: Option<String>,
    /// `operationsImpact` (`Availability`, `Performance`, `None`, `Unknown`); default from the
    /// severity.
    pub operations_impact: Option<String>,
    /// Start (`startedOn`, first entry's `messageTime`) in epoch seconds; default now.
    pub started: Option<i64>,
}

/// A change to an open test incident (control API `POST /__sim/incidents/{id}/update`): every
/// product still open gets a history entry with the new values; fields left out keep theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct IncidentChange {
    pub severity: Option<String>,
    pub customer_impact: Option<String>,
    pub operations_impact: Option<String>,
    /// Replaces the incident's regions.
    pub regions: Option<Vec<String>>,
    /// Replaces the incident's environments (and `showEnvironment`).
    pub environments: Option<Vec<String>>,
    /// Epoch seconds of the entry; default now.
    pub at: Option<i64>,
}

/// A test maintenance to add (control API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceSpec {
    pub product_ids: Vec<String>,
    /// `Scheduled`, `Started`, `Completed`, `Canceled`, or any other string.
    pub status: String,
    /// `Normal`, `Urgent`, `Scheduled`, `Empty`, or any other string.
    pub maintenance_type: String,
    pub title: String,
    /// Planned start (`scheduledDate`).
    pub start: SystemTime,
    /// Planned end (`completedOn`).
    pub end: SystemTime,
}
