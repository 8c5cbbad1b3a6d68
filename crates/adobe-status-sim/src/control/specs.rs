//! The public descriptions of test events that the control API opens and adds.

use std::time::SystemTime;

/// A test incident to open (control API). Deserializable from the snake_case JSON of
/// `POST /__sim/incidents`; missing fields default to empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct IncidentSpec {
    pub product_ids: Vec<String>,
    /// `Major`, `Minor`, `Potential`, `Trivial`, `None`, or any other string.
    pub severity: String,
    /// Becomes a message in `/messages`, referenced by the history entries' `titleToken`.
    pub title: String,
    /// Region ids (`APAC`, `Americas`, `EMEA`); empty = not region-specific.
    pub regions: Vec<String>,
    pub service_ids: Vec<String>,
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
