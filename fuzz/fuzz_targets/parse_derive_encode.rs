//! Fuzz the pure path an upstream body takes: tolerant parse → snapshot derivation →
//! OpenMetrics encoding. The input is split at 0xFF bytes (never valid in UTF-8 JSON) into
//! the `/events` body, the `/events/scheduled` body and one body fed to every registry
//! parser. Nothing on this path may panic, and every encoding must be a complete exposition.
#![no_main]

use std::io::Read;

use adobe_status_exporter::pipeline::{self, EventFeeds};
use adobe_status_exporter::snapshot::Watch;
use adobe_status_exporter::upstream::Api;
use libfuzzer_sys::fuzz_target;

const NOW: f64 = 1_800_000_000.0;

fuzz_target!(|input: &[u8]| {
    let mut bodies = input.splitn(3, |&b| b == 0xFF);
    let events_body = bodies.next().unwrap_or_default();
    let scheduled_body = bodies.next().unwrap_or_default();
    let registry_body = bodies.next().unwrap_or_default();

    // The same functions the refresh gate calls; one body is offered to every registry part.
    let (registry, _) =
        pipeline::registry_from_bodies(Api::REGISTRY.map(|api| (api, registry_body)));
    let Ok(events) = pipeline::parse_events(events_body, b"[]") else {
        return;
    };
    let feeds = EventFeeds {
        events: events.events,
        scheduled: pipeline::parse_events(b"{}", scheduled_body)
            .map(|f| f.scheduled)
            .unwrap_or_default(),
    };
    let derived = pipeline::derive_and_encode(&registry, feeds, &Watch::all(), NOW, None)
        .expect("encoding cannot fail");
    let exposition =
        pipeline::healthy_exposition(derived.encoded, NOW).expect("encoding cannot fail");
    let body = exposition.to_text();
    assert!(body.ends_with("# EOF\n"), "exposition is not terminated");
    // The gzip answer is one member that decodes to the very same text.
    let gzipped: Vec<u8> = exposition
        .gzip_chunks()
        .expect("deflate cannot fail")
        .iter()
        .flat_map(|c| c.iter().copied())
        .collect();
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_string(&mut decoded)
        .expect("gzip body decodes");
    assert_eq!(decoded, body, "gzip body differs from the plain one");
});
