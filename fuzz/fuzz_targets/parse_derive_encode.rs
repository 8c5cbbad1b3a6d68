//! Fuzz the pure path an upstream body takes: tolerant parse → snapshot derivation →
//! OpenMetrics encoding. The input is split at 0xFF bytes (never valid in UTF-8 JSON) into
//! the `/events` body, the `/events/scheduled` body and one body fed to every registry
//! parser. Nothing on this path may panic, and every encoding must be a complete exposition.
#![no_main]

use std::io::Read;
use std::sync::Arc;

use adobe_status_exporter::metrics::{encode, EncodedSnapshot, ExporterMetrics, ScrapeView};
use adobe_status_exporter::model::{self, Events, Maintenance, Messages, NamedRef, Product};
use adobe_status_exporter::snapshot::{derive, Registry, RegistryParts, Watch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let mut bodies = input.splitn(3, |&b| b == 0xFF);
    let events_body = bodies.next().unwrap_or_default();
    let scheduled_body = bodies.next().unwrap_or_default();
    let registry_body = bodies.next().unwrap_or_default();

    let parts = RegistryParts {
        clouds: model::parse_list("clouds", registry_body).ok(),
        products: model::parse_list::<Product>("products", registry_body).ok(),
        regions: model::parse_list::<NamedRef>("regions", registry_body).ok(),
        messages: model::parse_list::<Messages>("messages", registry_body).ok(),
    };
    let registry = Registry::build(&parts);
    let Ok(events) = model::parse_object::<Events>("events", events_body) else {
        return;
    };
    let scheduled: Vec<Maintenance> =
        model::parse_list("scheduled", scheduled_body).unwrap_or_default();
    let snapshot = derive(&registry, &events, &scheduled, &Watch::all(), 1_800_000_000.0);
    let exposition = encode(
        &Arc::new(ExporterMetrics::new()),
        ScrapeView {
            snapshot: Some(Arc::new(
                EncodedSnapshot::new(&Arc::new(snapshot)).expect("encoding cannot fail"),
            )),
            up: true,
            last_success_unix: Some(1_800_000_000.0),
            registry_last_success_unix: None,
        },
    )
    .expect("encoding cannot fail");
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
