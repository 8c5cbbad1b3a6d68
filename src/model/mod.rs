//! Tolerant wire model of the Adobe Status API (docs/adobe-status-api.md §4,
//! pitfalls 1, 2, 4, 13, 16).
//!
//! Nothing in the upstream schemas is required, real and example bodies carry unknown keys,
//! enum values drift (`Reopened`, lower case, `Canceled`/`Cancelled`) and timestamps come as
//! strings, integers, epoch milliseconds or ISO dates. So every field here is optional or
//! defaults to empty, enums stay strings (classified later, case-insensitively), and
//! timestamps are parsed leniently into "set" or "not set" — a single odd value never fails a
//! whole body. Only a body that is not JSON at all (or has the wrong top-level shape) is an
//! error.

mod lenient;

use std::collections::BTreeMap;
use std::io::Read;

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A string of the wire model. Nearly all of them (ids, statuses, severities, impacts, title
/// tokens) are under 24 bytes and are held inline, without an allocation of their own: at 100×
/// the catalogue a parse makes ~100,000 fewer small blocks.
pub type Text = smol_str::SmolStr;

use lenient::{
    lenient, lenient_ids, lenient_map, lenient_string, lenient_time, lenient_vec, parse_top,
    read_top, MaybeObject, TopList,
};

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

impl ParseError {
    /// Valid JSON that a parse from a reader could not take: a repeated key inside one object,
    /// which only [`parse_object`] on the whole body normalises.
    pub fn needs_whole_body(&self) -> bool {
        matches!(self, ParseError::Json { source, .. } if source.classify() == serde_json::error::Category::Data)
    }
}

/// Parse a body whose top level must be a JSON object (`/events`).
///
/// An array or a scalar where an object belongs is an error, never "all green".
pub fn parse_object<T: DeserializeOwned>(what: &'static str, body: &[u8]) -> Result<T, ParseError> {
    match parse_top::<MaybeObject<T>>(what, body)? {
        MaybeObject(Some(value)) => Ok(value),
        MaybeObject(None) => Err(ParseError::Shape {
            what,
            expected: "an object",
        }),
    }
}

/// [`parse_object`] as the body arrives, from a reader; a body with a repeated key is an error
/// that asks for the whole body ([`ParseError::needs_whole_body`]).
pub fn read_object<T: DeserializeOwned>(
    what: &'static str,
    body: impl Read,
) -> Result<T, ParseError> {
    match read_top::<MaybeObject<T>>(what, body)? {
        MaybeObject(Some(value)) => Ok(value),
        MaybeObject(None) => Err(ParseError::Shape {
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
    match parse_top::<TopList<T>>(what, body)? {
        TopList(Some(items)) => Ok(items),
        TopList(None) => Err(ParseError::Shape {
            what,
            expected: "an array",
        }),
    }
}

// === Registry ===

/// `GET /api/v1/clouds` element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cloud {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<Text>,
    /// Objects `{id, name}` here, unlike the id strings of events.
    #[serde(default, deserialize_with = "lenient_vec")]
    pub cloud_products: Vec<NamedRef>,
}

/// An `{id, name}` pair: registry cloud products, regions, event products of maintenances.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NamedRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<Text>,
}

/// `GET /api/v1/products` element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<Text>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub product_services: Vec<NamedRef>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub regions: Vec<NamedRef>,
    /// Where the product runs: the names `--adobe.environment` and the environment series use.
    #[serde(default, deserialize_with = "lenient_vec")]
    pub environments: Vec<NamedRef>,
}

/// `GET /api/v1/locales` element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Locale {
    #[serde(default, deserialize_with = "lenient_string")]
    pub locale_code: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub language_name: Option<Text>,
}

/// One locale's message catalogue from `GET /api/v1/messages/{locale}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Messages {
    #[serde(default, deserialize_with = "lenient_string")]
    pub language_code: Option<Text>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub incident_messages: BTreeMap<String, Message>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub maintenance_messages: BTreeMap<String, Message>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(default, deserialize_with = "lenient_string")]
    pub text_message: Option<Text>,
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
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub products: Vec<IncidentProduct>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub services: Vec<NamedRef>,
    /// Singular name, array value.
    #[serde(default, deserialize_with = "lenient_vec")]
    pub region: Vec<NamedRef>,
    /// Singular name, array value (`EventEnvironment`: id, name, serviceRegions).
    #[serde(default, deserialize_with = "lenient_vec")]
    pub environment: Vec<NamedRef>,
}

/// `IncidentProductDto`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentProduct {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub severity: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<Text>,
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
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub severity: Option<Text>,
    /// A string in incident history, an integer in maintenance history.
    #[serde(default, deserialize_with = "lenient_time")]
    pub message_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title_token: Option<Text>,
    /// `Most`, `Some`, `None`, `Unknown` (classified later, case-insensitively).
    #[serde(default, deserialize_with = "lenient_string")]
    pub customer_impact: Option<Text>,
    /// `Availability`, `Performance`, `None`, `Unknown`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub operations_impact: Option<Text>,
    /// Address of the root-cause statement, on entries of type `CFS` (`messageType`, not
    /// read: the address alone says there is one).
    #[serde(
        default,
        rename = "cfsURL",
        alias = "cfsUrl",
        deserialize_with = "lenient_string"
    )]
    pub cfs_url: Option<Text>,
    #[serde(default, deserialize_with = "lenient")]
    pub service_impact: ServiceImpact,
    #[serde(default, deserialize_with = "lenient")]
    pub location_impact: LocationImpact,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImpact {
    #[serde(default, deserialize_with = "lenient_ids")]
    pub product_services: Box<[Text]>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationImpact {
    #[serde(default, deserialize_with = "lenient_ids")]
    pub service_regions: Box<[Text]>,
    #[serde(default, deserialize_with = "lenient_ids")]
    pub service_environments: Box<[Text]>,
}

/// `MaintenanceDto`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub maintenance_type: Option<Text>,
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
    #[serde(default, deserialize_with = "lenient_vec")]
    pub environment: Vec<NamedRef>,
}

/// `MaintenanceProductDto`: no per-product status or severity.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MaintenanceProduct {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<Text>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<Text>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub history: Vec<HistoryEntry>,
}

/// The latest entry of a history: greatest parseable `messageTime`, ties and unparseable
/// times resolved by array order (later wins), as the order is not guaranteed
/// (docs/adobe-status-api.md §7.7, pitfall 9).
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
    use lenient::TimeOrSkip;
    use serde::Deserializer;
    use serde_json::json;

    /// A timestamp field's value through the visitor the model uses for it.
    fn time_of(value: serde_json::Value) -> Option<f64> {
        value.deserialize_any(TimeOrSkip).unwrap()
    }

    const T: f64 = 1_763_885_520.0;

    #[test]
    fn every_documented_timestamp_form_parses_to_the_same_instant() {
        let forms = [
            json!(1_763_885_520),
            json!(1_763_885_520_000_u64),
            json!(1_763_885_520.0),
            json!("1763885520"),
            json!("1763885520000"),
            json!(" 1763885520 "),
            json!("2025-11-23T08:12:00Z"),
            json!("2025-11-23T08:12:00.000Z"),
            json!("2025-11-23T09:12:00+01:00"),
            json!("2025-11-23T09:12:00.000+0100"),
            json!("2025-11-23T08:12:00"),
            json!("2025-11-23T08:12:00.000"),
            json!("2025-11-23 08:12:00"),
            json!("2025-11-23T08:12"),
        ];
        for form in forms {
            assert_eq!(time_of(form.clone()), Some(T), "{form}");
        }
    }

    #[test]
    fn timestamp_garbage_empty_and_wrong_types_are_not_set() {
        for v in [
            json!(""),
            json!("0"),
            json!(0),
            json!(-5),
            json!(null),
            json!("veniam"),
            json!("12:00"),
            json!("2025-13-45"),
            json!("1.2.3"),
            json!("-"),
            json!(true),
            json!([1]),
            json!({"value": 1}),
        ] {
            assert_eq!(time_of(v.clone()), None, "{v}");
        }
    }

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
    fn wrong_types_at_every_level_become_not_set() {
        let body = br#"{
          "incidents": [
            7, "x", null, [1, 2], {"id": ["a"], "products": {"id": "1"}},
            {"id": 12.5, "products": [
              {"id": 503462, "name": {"x": 1}, "severity": ["Major"], "startedOn": true,
               "history": [1, {"messageTime": 1763885520000, "titleToken": 9,
                               "serviceImpact": [], "locationImpact": {"serviceRegions": [1, "EMEA", null, {}]}}]}
            ], "region": "EMEA"}
          ],
          "maintenances": {"id": "m"}
        }"#;
        let events: Events = parse_object("events", body).unwrap();
        assert_eq!(events.incidents.len(), 2, "only the objects are kept");
        assert_eq!(events.incidents[0].id, None);
        assert!(events.incidents[0].products.is_empty());
        let incident = &events.incidents[1];
        assert_eq!(incident.id.as_deref(), Some("12.5"));
        assert!(incident.region.is_empty());
        let product = &incident.products[0];
        assert_eq!(product.id.as_deref(), Some("503462"));
        assert_eq!(
            (product.name.as_deref(), product.severity.as_deref()),
            (None, None)
        );
        assert_eq!(product.started_on, None);
        assert_eq!(product.history.len(), 1);
        let entry = &product.history[0];
        assert_eq!(
            entry.message_time,
            Some(1_763_885_520.0),
            "epoch milliseconds"
        );
        assert_eq!(entry.title_token.as_deref(), Some("9"));
        assert_eq!(*entry.location_impact.service_regions, ["1", "EMEA"]);
        assert!(events.maintenances.is_empty());
    }

    #[test]
    fn booleans_are_text_in_string_fields_but_not_ids_in_id_lists() {
        let body = br#"{"incidents": [{"id": true, "products": [{"history": [
            {"locationImpact": {"serviceRegions": [true, "EMEA", 5]}}]}]}]}"#;
        let events: Events = parse_object("events", body).unwrap();
        let incident = &events.incidents[0];
        assert_eq!(incident.id.as_deref(), Some("true"));
        let regions = &incident.products[0].history[0]
            .location_impact
            .service_regions;
        assert_eq!(**regions, ["EMEA", "5"]);
    }

    #[test]
    fn repeated_keys_keep_the_last_value() {
        let body = br#"{"incidents": [{"id": "first", "id": "last", "products": []}]}"#;
        let events: Events = parse_object("events", body).unwrap();
        assert_eq!(events.incidents[0].id.as_deref(), Some("last"));
    }

    /// A reader that hands out at most `step` bytes per call, as a network body does.
    struct Trickle<'a> {
        body: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.step).min(self.body.len());
            buf[..n].copy_from_slice(&self.body[..n]);
            self.body = &self.body[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_body_read_as_it_arrives_parses_as_the_whole_body_does() {
        let body = br#"{"incidents": [{"id": "i\u00e9", "products": [{"id": 503467,
            "history": [{"status": "Opened", "messageTime": 1763885520000,
            "locationImpact": {"serviceRegions": ["EMEA", 7, true]}}]}]}, "odd", 5],
            "maintenances": {"not": "a list"}}"#;
        for step in [1, 7, 4096] {
            let read: Events = read_object("events", Trickle { body, step }).unwrap();
            let whole: Events = parse_object("events", body).unwrap();
            assert_eq!(format!("{read:?}"), format!("{whole:?}"), "step {step}");
        }
        let read: Events = read_object("events", Trickle { body, step: 3 }).unwrap();
        assert_eq!(read.incidents[0].id.as_deref(), Some("i\u{e9}"));
        assert_eq!(read.incidents[0].products[0].id.as_deref(), Some("503467"));
    }

    #[test]
    fn only_a_repeated_key_asks_for_the_whole_body() {
        let repeated = br#"{"incidents": [{"id": "first", "id": "last"}]}"#;
        let err = read_object::<Events>("events", &repeated[..]).unwrap_err();
        assert!(err.needs_whole_body(), "{err}");
        for broken in [
            &br#"{"incidents": [{"id": "i1""#[..],
            b"{} {}",
            b"[]",
            b"nul",
        ] {
            let err = read_object::<Events>("events", broken).unwrap_err();
            assert!(!err.needs_whole_body(), "{err}");
        }
    }

    #[test]
    fn message_catalogue_keeps_the_entries_that_are_objects() {
        let body = br#"[{"languageCode": "en", "incidentMessages": {
            "a": {"textMessage": "Title A"}, "b": "not an object", "c": {"textMessage": 3}},
            "maintenanceMessages": []}]"#;
        let catalogues: Vec<Messages> = parse_list("messages", body).unwrap();
        let incident = &catalogues[0].incident_messages;
        assert_eq!(incident.len(), 2);
        assert_eq!(incident["a"].text_message.as_deref(), Some("Title A"));
        assert_eq!(incident["c"].text_message.as_deref(), Some("3"));
        assert!(catalogues[0].maintenance_messages.is_empty());
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        // What the model does not read is skipped iteratively by serde_json: 100,000 levels
        // cost no stack, wherever they are.
        let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        for deep in [&arrays, &objects] {
            let body = format!(
                r#"{{"incidents": [{deep}, {{"id": "i1", "x": {deep}, "products": [{{"history": [{{"serviceImpact": {deep}}}]}}]}}]}}"#
            );
            let events: Events = parse_object("events", body.as_bytes()).unwrap();
            // A deep array is not an incident; a deep object is one without any known field.
            let last = events.incidents.last().unwrap();
            assert_eq!(last.id.as_deref(), Some("i1"));
            assert_eq!(last.products[0].history.len(), 1);
            assert_eq!(events.incidents.len(), if deep == &arrays { 1 } else { 2 });
        }
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
