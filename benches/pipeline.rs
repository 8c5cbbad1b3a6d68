//! Micro benchmarks of the pure path an upstream answer takes, at the real catalog's size
//! (77 products, ~400 services, the demo's events) and at 10× and 100× (`--demo.scale`).
//!
//! The bodies come from the demo simulator over HTTP, so they are the exact wire format.
//! Run: `cargo bench --bench pipeline` (see BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;

use adobe_status_exporter::gzip::Segment;
use adobe_status_exporter::metrics::{
    encode, openmetrics_to_text, EncodedSnapshot, ExporterMetrics, Format, ScrapeView,
};
use adobe_status_exporter::pipeline::{self, EventFeeds};
use adobe_status_exporter::snapshot::{derive, Registry, Watch};
use adobe_status_exporter::upstream::Api;
use adobe_status_sim::{Simulator, SimulatorConfig};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

const NOW: f64 = 1_800_000_000.0;

/// The upstream bodies of one world size.
struct Bodies {
    events: Vec<u8>,
    scheduled: Vec<u8>,
    registry: Vec<(Api, Vec<u8>)>,
}

impl Bodies {
    fn registry_len(&self) -> usize {
        self.registry.iter().map(|(_, body)| body.len()).sum()
    }
}

fn fetch_bodies(scale: u32) -> Bodies {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = SimulatorConfig {
            scale,
            speed: 0.0,
            ..SimulatorConfig::default()
        };
        let (id, secret) = (config.client_id.clone(), config.client_secret.clone());
        let sim = Simulator::start("127.0.0.1:0".parse().unwrap(), config)
            .await
            .unwrap();
        let client = reqwest::Client::new();
        let token: serde_json::Value = client
            .post(sim.ims_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "openid"),
            ])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        let token = token["access_token"].as_str().unwrap().to_owned();
        // The paths production asks for.
        let get = |api: Api| {
            let path = api.path();
            let request = client
                .get(format!("{}{path}", sim.status_url().trim_end_matches('/')))
                .bearer_auth(&token)
                .header("x-api-key", "StatusAdobeIOClient");
            async move {
                let response = request.send().await.unwrap();
                assert!(
                    response.status().is_success(),
                    "{path}: {}",
                    response.status()
                );
                response.bytes().await.unwrap().to_vec()
            }
        };
        let mut registry = Vec::new();
        for api in Api::REGISTRY {
            registry.push((api, get(api).await));
        }
        let bodies = Bodies {
            events: get(Api::Events).await,
            scheduled: get(Api::Scheduled).await,
            registry,
        };
        sim.shutdown();
        bodies
    })
}

fn parse_registry(b: &Bodies) -> Registry {
    pipeline::registry_from_bodies(b.registry.iter().map(|(api, body)| (*api, body.as_slice()))).0
}

fn parse_events(b: &Bodies) -> EventFeeds {
    pipeline::parse_events(&b.events, &b.scheduled).unwrap()
}

fn scrape_view(snapshot: &Arc<EncodedSnapshot>) -> ScrapeView {
    ScrapeView {
        snapshot: Some(Arc::clone(snapshot)),
        up: true,
        last_success_unix: Some(NOW),
        registry_last_success_unix: Some(NOW),
    }
}

fn pipeline(c: &mut Criterion) {
    for scale in [1_u32, 10, 100] {
        let bodies = fetch_bodies(scale);
        let registry = parse_registry(&bodies);
        let feeds = parse_events(&bodies);
        let snapshot = derive(
            &registry,
            &feeds.events,
            &feeds.scheduled,
            &Watch::all(),
            NOW,
        );
        let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot.clone())).unwrap());
        let metrics = Arc::new(ExporterMetrics::new());
        let exposition = encode(&metrics, scrape_view(&encoded), Format::OpenMetrics1)
            .unwrap()
            .to_text();
        eprintln!(
            "scale {scale}: events {} B, scheduled {} B, registry {} B; \
             {} products, {} incident series, {} maintenance series; /metrics {} B ({} B gzipped), {} samples, \
             {} body chunks (OpenMetrics), {} (text)",
            bodies.events.len(),
            bodies.scheduled.len(),
            bodies.registry_len(),
            snapshot.products.len(),
            snapshot.incidents.len(),
            snapshot.maintenances.len(),
            exposition.len(),
            encode(&metrics, scrape_view(&encoded), Format::OpenMetrics1)
                .unwrap()
                .gzip_chunks()
                .unwrap()
                .iter()
                .map(|c| c.len())
                .sum::<usize>(),
            exposition.lines().filter(|l| !l.starts_with('#')).count(),
            encode(&metrics, scrape_view(&encoded), Format::OpenMetrics1)
                .unwrap()
                .chunks()
                .count(),
            encode(&metrics, scrape_view(&encoded), Format::Text)
                .unwrap()
                .chunks()
                .count(),
        );

        // One warm scrape in `format`: health gauges and counters around the shared series.
        let scrape = |format| encode(&metrics, scrape_view(black_box(&encoded)), format).unwrap();
        let mut group = c.benchmark_group(format!("scale_{scale}"));
        if scale == 100 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Bytes(
            (bodies.events.len() + bodies.scheduled.len()) as u64,
        ));
        group.bench_function(BenchmarkId::new("parse_events", scale), |b| {
            b.iter(|| parse_events(black_box(&bodies)))
        });
        // `/events` as a refresh parses it: from a reader, as the body arrives.
        group.throughput(Throughput::Bytes(bodies.events.len() as u64));
        group.bench_function(BenchmarkId::new("read_events", scale), |b| {
            b.iter(|| pipeline::read_event_list(black_box(&bodies.events[..])).unwrap())
        });
        group.throughput(Throughput::Bytes(bodies.registry_len() as u64));
        group.bench_function(BenchmarkId::new("parse_registry", scale), |b| {
            b.iter(|| parse_registry(black_box(&bodies)))
        });
        group.throughput(Throughput::Elements(snapshot.products.len() as u64));
        group.bench_function(BenchmarkId::new("derive", scale), |b| {
            b.iter(|| {
                derive(
                    &registry,
                    black_box(&feeds.events),
                    &feeds.scheduled,
                    &Watch::all(),
                    NOW,
                )
            })
        });
        group.bench_function(BenchmarkId::new("encode_snapshot", scale), |b| {
            b.iter_batched(
                || snapshot.clone(),
                |snapshot| EncodedSnapshot::new(&Arc::new(snapshot)).unwrap(),
                BatchSize::LargeInput,
            )
        });
        // The next refresh with the same data: every chunk is the previous generation's (the
        // text is still encoded and compared, nothing is deflated or kept twice).
        group.bench_function(BenchmarkId::new("encode_snapshot_again", scale), |b| {
            b.iter_batched(
                || snapshot.clone(),
                |snapshot| EncodedSnapshot::reusing(&Arc::new(snapshot), Some(&encoded)).unwrap(),
                BatchSize::LargeInput,
            )
        });
        // What a warm scrape costs: health gauges and counters around the shared bytes.
        group.bench_function(BenchmarkId::new("encode_scrape", scale), |b| {
            b.iter(|| scrape(Format::OpenMetrics1))
        });
        // gzip: the series deflated once per refresh (part of encode_snapshot above), and
        // what a warm gzip scrape adds on top of encode_scrape (head and tail only).
        group.throughput(Throughput::Bytes(exposition.len() as u64));
        group.bench_function(BenchmarkId::new("gzip_series", scale), |b| {
            b.iter(|| Segment::new(black_box(exposition.as_bytes())).unwrap())
        });
        group.bench_function(BenchmarkId::new("encode_scrape_gzip", scale), |b| {
            b.iter(|| scrape(Format::OpenMetrics1).gzip_chunks().unwrap())
        });
        // The text format (clients that do not ask for OpenMetrics): the series are derived
        // from the OpenMetrics text on the first such scrape; warm scrapes share them.
        group.bench_function(BenchmarkId::new("encode_scrape_text", scale), |b| {
            b.iter(|| scrape(Format::Text))
        });
        group.bench_function(BenchmarkId::new("encode_scrape_text_gzip", scale), |b| {
            b.iter(|| scrape(Format::Text).gzip_chunks().unwrap())
        });
        // What the first text scrape after a refresh pays once: the line-by-line derivation.
        group.throughput(Throughput::Bytes(encoded.encoded_len() as u64));
        group.bench_function(BenchmarkId::new("openmetrics_to_text", scale), |b| {
            b.iter(|| openmetrics_to_text(black_box(&exposition)))
        });
        // One whole refresh after the fetch: parse both event bodies, derive, encode.
        group.bench_function(BenchmarkId::new("events_to_exposition", scale), |b| {
            b.iter(|| {
                let feeds = parse_events(black_box(&bodies));
                let derived =
                    pipeline::derive_and_encode(&registry, feeds, &Watch::all(), NOW, None)
                        .unwrap();
                encode(
                    &metrics,
                    scrape_view(&Arc::new(derived.encoded)),
                    Format::OpenMetrics1,
                )
                .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
