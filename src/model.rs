//! Tolerant wire model of the Adobe Status API (digest §3, pitfalls §7).
//!
//! Nothing in the upstream schemas is required, real and example bodies carry unknown keys,
//! enum values drift (`Reopened`, lower case, `Canceled`/`Cancelled`) and timestamps come as
//! strings, integers, epoch milliseconds or ISO dates. So every field here is optional or
//! defaults to empty, enums stay strings (classified later, case-insensitively), and
//! timestamps are parsed leniently into "set" or "not set" — a single odd value never fails a
//! whole body. Only a body that is not JSON at all (or has the wrong top-level shape) is an
//! error.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

/// A body could not be read as the expected JSON document.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("invalid JSON from {what}: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("unexpected JSON from {what}: expected {expected} at the top level")]
    Shape {
        what: &'static str,
        expected: &'static str,
    },
}

/// Parse a body whose top level must be a JSON object (`/events`).
///
/// An array or a scalar where an object belongs is an error, never "all green".
pub fn parse_object<T: DeserializeOwned + Default>(
    what: &'static str,
    body: &[u8],
) -> Result<T, ParseError> {
    match serde_json::from_slice(body).map_err(|source| ParseError::Json { what, source })? {
        value @ serde_json::Value::Object(_) => Ok(T::deserialize(value).unwrap_or_default()),
        _ => Err(ParseError::Shape {
            what,
            expected: "an object",
        }),
    }
}

/// Parse a body whose top level must be a JSON array; elements that do not fit are dropped.
pub fn parse_list<T: DeserializeOwned>(
    what: &'static str,
    body: &[u8],
) -> Result<Vec<T>, ParseError> {
    match serde_json::from_slice(body).map_err(|source| ParseError::Json { what, source })? {
        serde_json::Value::Array(items) => Ok(items
            .into_iter()
            .filter_map(|item| T::deserialize(item).ok())
            .collect()),
        _ => Err(ParseError::Shape {
            what,
            expected: "an array",
        }),
    }
}

/// Deserialize `null`, a wrong type or garbage as the type's default instead of failing.
///
/// Used on every field: the schemas mark nothing as required and the published examples put
/// objects where arrays belong (`{"value": "..."}`).
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// Like [`lenient`] for lists: keeps the elements that parse, drops the ones that do not.
fn lenient_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|item| T::deserialize(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// A string field that may arrive as a number (ids do, in some feeds) or not at all.
fn lenient_string<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A list of ids that may contain numbers or be the wrong type altogether.
fn lenient_ids<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A timestamp in any of the forms the API has been seen to use, as Unix seconds.
fn lenient_time<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(crate::timestamp::parse_value(&value))
}

// === Registry ===

/// `GET /api/v1/clouds` element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cloud {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Objects `{id, name}` here, unlike the id strings of events.
    #[serde(default, deserialize_with = "lenient_vec")]
    pub cloud_products: Vec<NamedRef>,
}

/// An `{id, name}` pair: registry cloud products, regions, event products of maintenances.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NamedRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
}

/// `GET /api/v1/products` element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub product_services: Vec<NamedRef>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub regions: Vec<NamedRef>,
}

/// One locale's message catalogue from `GET /api/v1/messages/{locale}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Messages {
    #[serde(default, deserialize_with = "lenient_string")]
    pub language_code: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub incident_messages: BTreeMap<String, Message>,
    #[serde(default, deserialize_with = "lenient")]
    pub maintenance_messages: BTreeMap<String, Message>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(default, deserialize_with = "lenient_string")]
    pub text_message: Option<String>,
}

// === Events ===

/// `GET /api/v1/events`: one object, both keys optional (`{}` means all green).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Events {
    #[serde(default, deserialize_with = "lenient_vec")]
    pub incidents: Vec<Incident>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub maintenances: Vec<Maintenance>,
}

/// `IncidentDto`: severity, status and dates live per product, impact lists per event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Incident {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub products: Vec<IncidentProduct>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub services: Vec<NamedRef>,
    /// Singular name, array value.
    #[serde(default, deserialize_with = "lenient_vec")]
    pub region: Vec<NamedRef>,
}

/// `IncidentProductDto`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentProduct {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub severity: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub started_on: Option<f64>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub ended_on: Option<f64>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub history: Vec<HistoryEntry>,
}

/// Incident and maintenance history entries share what the exporter reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub severity: Option<String>,
    /// A string in incident history, an integer in maintenance history.
    #[serde(default, deserialize_with = "lenient_time")]
    pub message_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub service_impact: ServiceImpact,
    #[serde(default, deserialize_with = "lenient")]
    pub location_impact: LocationImpact,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImpact {
    #[serde(default, deserialize_with = "lenient_ids")]
    pub product_services: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationImpact {
    #[serde(default, deserialize_with = "lenient_ids")]
    pub service_regions: Vec<String>,
}

/// `MaintenanceDto`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub maintenance_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub scheduled_date: Option<f64>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub started_on: Option<f64>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub completed_on: Option<f64>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub products: Vec<MaintenanceProduct>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub services: Vec<NamedRef>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub region: Vec<NamedRef>,
}

/// `MaintenanceProductDto`: no per-product status or severity.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MaintenanceProduct {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub history: Vec<HistoryEntry>,
}

/// The latest entry of a history: greatest parseable `messageTime`, ties and unparseable
/// times resolved by array order (later wins), as the order is not guaranteed (pitfall 10).
pub fn latest(history: &[HistoryEntry]) -> Option<&HistoryEntry> {
    let timed = history
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.message_time.map(|t| (t, i, h)))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(_, _, h)| h);
    timed.or_else(|| history.last())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postman_example_traps_parse_without_error() {
        // From the Postman mock: placeholder history, impact objects of the wrong shape,
        // lorem-ipsum timestamps, integer messageTime, unknown keys.
        let body = br#"{
          "incidents": [{
            "id": "in", "clouds": [{"id":"1","name":"c","cloudProducts":["503462"]}],
            "products": [{
              "id": "503462", "name": "Adobe Analytics", "severity": "Major", "status": "Opened",
              "startedOn": "veniam", "endedOn": "",
              "history": [{"value": "<Error: Too many levels of nesting to fake this schema>"}]
            }],
            "region": [{"id": "EMEA", "name": "EMEA"}],
            "extra": {"value": 1}
          }],
          "maintenances": [{
            "id": "m1", "status": "Started", "maintenanceType": "Normal",
            "scheduledDate": "1763885520", "products": [{"id": 503472, "name": "AEM",
              "history": [{"messageTime": 58244909, "status": "Started",
                           "serviceImpact": {"value": "x"}, "locationImpact": {"value": "y"}}]}]
          }]
        }"#;
        let events: Events = parse_object("events", body).unwrap();
        let product = &events.incidents[0].products[0];
        assert_eq!(product.severity.as_deref(), Some("Major"));
        assert_eq!(product.started_on, None);
        assert_eq!(product.history.len(), 1);
        assert_eq!(product.history[0].status, None);
        let maintenance = &events.maintenances[0];
        assert_eq!(maintenance.products[0].id.as_deref(), Some("503472"));
        assert_eq!(maintenance.scheduled_date, Some(1_763_885_520.0));
        let history = &maintenance.products[0].history[0];
        assert_eq!(history.message_time, Some(58_244_909.0));
        assert!(history.service_impact.product_services.is_empty());
    }

    #[test]
    fn empty_and_null_bodies_mean_all_green() {
        for body in [&b"{}"[..], br#"{"incidents":null,"maintenances":[]}"#] {
            let events: Events = parse_object("events", body).unwrap();
            assert!(events.incidents.is_empty() && events.maintenances.is_empty());
        }
    }

    #[test]
    fn wrong_top_level_shape_and_truncation_are_errors() {
        assert!(parse_object::<Events>("events", b"[1,2]").is_err());
        assert!(parse_object::<Events>("events", b"null").is_err());
        assert!(parse_list::<Product>("products", b"{}").is_err());
        assert!(parse_object::<Events>("events", br#"{"incidents":[{"id":"1""#).is_err());
        assert!(parse_list::<Maintenance>("scheduled", b"").is_err());
        let err = parse_object::<Events>("events", b"<html>").unwrap_err();
        assert!(err.to_string().starts_with("invalid JSON from events"));
    }

    #[test]
    fn bad_list_elements_are_dropped_not_fatal() {
        let body = br#"[{"id":"1","name":"A"}, 7, "x", {"id":2}]"#;
        let products: Vec<Product> = parse_list("products", body).unwrap();
        let ids: Vec<_> = products.iter().map(|p| p.id.clone().unwrap()).collect();
        assert_eq!(ids, ["1", "2"]);
    }

    #[test]
    fn latest_history_prefers_time_then_array_order() {
        let entry = |t: Option<f64>, s: &str| HistoryEntry {
            message_time: t,
            status: Some(s.into()),
            ..Default::default()
        };
        let h = [
            entry(Some(30.0), "b"),
            entry(Some(10.0), "a"),
            entry(None, "c"),
        ];
        assert_eq!(latest(&h).unwrap().status.as_deref(), Some("b"));
        let untimed = [entry(None, "x"), entry(None, "y")];
        assert_eq!(latest(&untimed).unwrap().status.as_deref(), Some("y"));
        assert!(latest(&[]).is_none());
    }
}
