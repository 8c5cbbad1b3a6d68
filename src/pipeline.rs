//! The pure path from Adobe's answers to what a scrape serves, in one place:
//!
//! ```text
//! registry bodies ──parse_registry_part──► RegistryParts ──Registry::build──► Registry ─┐
//! events + scheduled bodies ──parse_events──► Events, [Maintenance] ─────────────────────┤
//!                                                  derive_and_encode ◄──────────────────┘
//!                                                         ▼
//!                                   Snapshot ──► EncodedSnapshot (plain + gzip series)
//!                                            └──► status page's Adobe part (HTML + gzip)
//! ```
//!
//! No I/O and no clock: the refresh gate (`refresh.rs`) calls these with the bodies it fetched
//! and the time it read; the benchmarks, the fuzz target and the property tests call the very
//! same functions with bodies of their own.

use std::io::Read;
use std::sync::Arc;

use crate::metrics::{
    encode, EncodeError, EncodedSnapshot, ExporterMetrics, Exposition, Format, ScrapeView,
};
pub use crate::model::Events;
use crate::model::{self, Maintenance, ParseError};
use crate::snapshot::{self, Registry, RegistryParts, Snapshot, Watch};
use crate::status_page::AdobePart;
use crate::upstream::Api;

/// A body that did not parse, and which API it came from.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct BodyError {
    pub api: Api,
    #[source]
    pub error: ParseError,
}

/// Replace `api`'s part of `parts` with its parsed `body`; on error the part keeps its last
/// good copy. Only the registry APIs have parts: the others are ignored.
pub fn parse_registry_part(
    parts: &mut RegistryParts,
    api: Api,
    body: &[u8],
) -> Result<(), BodyError> {
    let what = api.label();
    let wrap = |error| BodyError { api, error };
    match api {
        Api::Clouds => parts.clouds = Some(model::parse_list(what, body).map_err(wrap)?),
        Api::Products => parts.products = Some(model::parse_list(what, body).map_err(wrap)?),
        Api::Regions => parts.regions = Some(model::parse_list(what, body).map_err(wrap)?),
        Api::Locales => parts.locales = Some(model::parse_list(what, body).map_err(wrap)?),
        Api::Messages => parts.messages = Some(model::parse_list(what, body).map_err(wrap)?),
        Api::FallbackMessages => {
            parts.fallback_messages = Some(model::parse_list(what, body).map_err(wrap)?)
        }
        Api::Token | Api::Events | Api::Scheduled => {}
    }
    Ok(())
}

/// The registry from one body per registry API; parts whose body does not parse stay absent
/// (events still name their products themselves).
pub fn registry_from_bodies<'a>(
    bodies: impl IntoIterator<Item = (Api, &'a [u8])>,
) -> (Registry, Vec<BodyError>) {
    let mut parts = RegistryParts::default();
    let errors = bodies
        .into_iter()
        .filter_map(|(api, body)| parse_registry_part(&mut parts, api, body).err())
        .collect();
    (Registry::build(&parts), errors)
}

/// The two event feeds of one refresh, parsed.
#[derive(Debug, Clone, Default)]
pub struct EventFeeds {
    pub events: Events,
    pub scheduled: Vec<Maintenance>,
}

/// Parse the `/events` and `/events/scheduled` bodies; both must parse.
pub fn parse_events(events: &[u8], scheduled: &[u8]) -> Result<EventFeeds, BodyError> {
    Ok(EventFeeds {
        events: parse_event_list(events)?,
        scheduled: parse_scheduled(scheduled)?,
    })
}

/// The `/events` body, whole.
pub fn parse_event_list(body: &[u8]) -> Result<Events, BodyError> {
    model::parse_object(Api::Events.label(), body).map_err(|error| BodyError {
        api: Api::Events,
        error,
    })
}

/// The `/events` body as it arrives: at 100× the catalogue the parse then never holds the
/// megabytes of the body besides what it makes of them. A body with a repeated key is an
/// error that asks for [`parse_event_list`] on the whole body (`error.needs_whole_body()`).
pub fn read_event_list(body: impl Read) -> Result<Events, BodyError> {
    model::read_object(Api::Events.label(), body).map_err(|error| BodyError {
        api: Api::Events,
        error,
    })
}

/// The `/events/scheduled` body.
pub fn parse_scheduled(body: &[u8]) -> Result<Vec<Maintenance>, BodyError> {
    model::parse_list(Api::Scheduled.label(), body).map_err(|error| BodyError {
        api: Api::Scheduled,
        error,
    })
}

/// What a refresh publishes: the derived snapshot, its encoded series and the status page's
/// Adobe part, all from the same snapshot (so the page and the metrics agree).
#[derive(Debug)]
pub struct Derived {
    pub snapshot: Arc<Snapshot>,
    pub encoded: EncodedSnapshot,
    pub page: AdobePart,
}

/// The CPU part of a refresh: derive the snapshot for the watched products at `now` (Unix
/// seconds), encode its series and render its part of the status page, once: [`derive`], then
/// [`encode_derived`].
pub fn derive_and_encode(
    registry: &Registry,
    feeds: EventFeeds,
    watch: &Watch,
    now: f64,
    previous: Option<&EncodedSnapshot>,
) -> Result<Derived, EncodeError> {
    encode_derived(derive(registry, feeds, watch, now), now, previous)
}

/// The snapshot for the watched products at `now`. The feeds are dropped when it is derived,
/// before anything is encoded: at 100× the catalogue they and the encoded text would otherwise
/// be alive at once.
pub fn derive(registry: &Registry, feeds: EventFeeds, watch: &Watch, now: f64) -> Arc<Snapshot> {
    Arc::new(snapshot::derive(
        registry,
        &feeds.events,
        &feeds.scheduled,
        watch,
        now,
    ))
}

/// Encode the snapshot's series and render its part of the status page. The encoded series
/// share `previous`'s bytes (the generation still being served) wherever they are the same.
pub fn encode_derived(
    snapshot: Arc<Snapshot>,
    now: f64,
    previous: Option<&EncodedSnapshot>,
) -> Result<Derived, EncodeError> {
    let encoded = EncodedSnapshot::reusing(&snapshot, previous)?;
    let page = AdobePart::render(&snapshot, now);
    Ok(Derived {
        snapshot,
        encoded,
        page,
    })
}

/// The exposition a healthy exporter would serve for `encoded` (fresh data, refreshed at
/// `now`), with a fresh set of the exporter's own counters. For tests, benchmarks and fuzzing.
pub fn healthy_exposition(encoded: EncodedSnapshot, now: f64) -> Result<Exposition, EncodeError> {
    encode(
        &Arc::new(ExporterMetrics::new()),
        ScrapeView {
            snapshot: Some(Arc::new(encoded)),
            up: true,
            last_success_unix: Some(now),
            registry_last_success_unix: Some(now),
        },
        Format::OpenMetrics1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_800_000_000.0;

    #[test]
    fn bodies_become_a_complete_exposition() {
        let (registry, errors) = registry_from_bodies([
            (
                Api::Products,
                br#"[{"id":"p1","name":"Adobe Analytics"}]"#.as_slice(),
            ),
            (Api::Regions, b"not json".as_slice()),
        ]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].api, Api::Regions);
        let feeds = parse_events(
            br#"{"incidents":[{"id":"i1","products":[{"id":"p1","severity":"Major","status":"Opened"}]}]}"#,
            b"[]",
        )
        .unwrap();
        let derived = derive_and_encode(&registry, feeds, &Watch::all(), NOW, None).unwrap();
        assert_eq!(derived.snapshot.incidents.len(), 1);
        assert_eq!(derived.page.summary().incidents, 1);
        let text = healthy_exposition(derived.encoded, NOW).unwrap().to_text();
        assert!(text.contains(
            "adobe_status_product_incidents{product_id=\"p1\",incident_severity=\"major\"} 1"
        ));
        assert!(text.contains("adobe_status_up 1"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn a_broken_feed_names_its_api_and_a_broken_part_keeps_the_last_good_copy() {
        let err = parse_events(b"{}", b"{truncated").unwrap_err();
        assert_eq!(err.api, Api::Scheduled);
        let mut parts = RegistryParts::default();
        parse_registry_part(&mut parts, Api::Clouds, br#"[{"id":"c1","name":"Cloud"}]"#).unwrap();
        assert!(parse_registry_part(&mut parts, Api::Clouds, b"[").is_err());
        assert_eq!(parts.clouds.map(|c| c.len()), Some(1));
    }
}
