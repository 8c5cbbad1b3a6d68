//! Micro benchmarks of the pure path an upstream answer takes, at the real catalog's size
//! (66 products, ~350 services, the demo's events) and at 10× and 100× (`--demo.scale`).
//!
//! The bodies come from the demo simulator over HTTP, so they are the exact wire format.
//! Run: `cargo bench --bench pipeline` (see BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;

use adobe_status_exporter::demo::{Simulator, SimulatorConfig};
use adobe_status_exporter::gzip::Segment;
use adobe_status_exporter::metrics::{encode, EncodedSnapshot, ExporterMetrics, ScrapeView};
use adobe_status_exporter::model::{self, Events, Maintenance, Messages, NamedRef, Product};
use adobe_status_exporter::snapshot::{derive, Registry, RegistryParts, Watch};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

const NOW: f64 = 1_800_000_000.0;

/// The upstream bodies of one world size.
struct Bodies {
    events: Vec<u8>,
    scheduled: Vec<u8>,
    products: Vec<u8>,
    clouds: Vec<u8>,
    regions: Vec<u8>,
    messages: Vec<u8>,
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
        let get = |path: &'static str| {
            let request = client
                .get(format!("{}/api/v1/{path}", sim.status_url()))
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
        let bodies = Bodies {
            events: get("events").await,
            scheduled: get("events/scheduled").await,
            products: get("products").await,
            clouds: get("clouds").await,
            regions: get("regions").await,
            messages: get("messages").await,
        };
        sim.shutdown();
        bodies
    })
}

fn parse_registry(b: &Bodies) -> Registry {
    Registry::build(&RegistryParts {
        clouds: model::parse_list("clouds", &b.clouds).ok(),
        products: model::parse_list::<Product>("products", &b.products).ok(),
        regions: model::parse_list::<NamedRef>("regions", &b.regions).ok(),
        messages: model::parse_list::<Messages>("messages", &b.messages).ok(),
    })
}

fn parse_events(b: &Bodies) -> (Events, Vec<Maintenance>) {
    (
        model::parse_object("events", &b.events).unwrap(),
        model::parse_list("scheduled", &b.scheduled).unwrap(),
    )
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
        let (events, scheduled) = parse_events(&bodies);
        let snapshot = derive(&registry, &events, &scheduled, &Watch::all(), NOW);
        let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot.clone())).unwrap());
        let metrics = Arc::new(ExporterMetrics::new());
        let exposition = encode(&metrics, scrape_view(&encoded)).unwrap().to_text();
        eprintln!(
            "scale {scale}: events {} B, scheduled {} B, products {} B, messages {} B; \
             {} products, {} incident series, {} maintenance series; /metrics {} B ({} B gzipped), {} samples",
            bodies.events.len(),
            bodies.scheduled.len(),
            bodies.products.len(),
            bodies.messages.len(),
            snapshot.products.len(),
            snapshot.incidents.len(),
            snapshot.maintenances.len(),
            exposition.len(),
            encode(&metrics, scrape_view(&encoded))
                .unwrap()
                .gzip_chunks()
                .unwrap()
                .iter()
                .map(|c| c.len())
                .sum::<usize>(),
            exposition.lines().filter(|l| !l.starts_with('#')).count(),
        );

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
        group.throughput(Throughput::Bytes(
            (bodies.products.len() + bodies.clouds.len() + bodies.messages.len()) as u64,
        ));
        group.bench_function(BenchmarkId::new("parse_registry", scale), |b| {
            b.iter(|| parse_registry(black_box(&bodies)))
        });
        group.throughput(Throughput::Elements(snapshot.products.len() as u64));
        group.bench_function(BenchmarkId::new("derive", scale), |b| {
            b.iter(|| {
                derive(
                    &registry,
                    black_box(&events),
                    &scheduled,
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
        // What a warm scrape costs: health gauges and counters around the shared bytes.
        group.bench_function(BenchmarkId::new("encode_scrape", scale), |b| {
            b.iter(|| encode(&metrics, scrape_view(black_box(&encoded))).unwrap())
        });
        // gzip: the series deflated once per refresh (part of encode_snapshot above), and
        // what a warm gzip scrape adds on top of encode_scrape (head and tail only).
        group.throughput(Throughput::Bytes(exposition.len() as u64));
        group.bench_function(BenchmarkId::new("gzip_series", scale), |b| {
            b.iter(|| Segment::new(black_box(exposition.as_bytes())).unwrap())
        });
        group.bench_function(BenchmarkId::new("encode_scrape_gzip", scale), |b| {
            b.iter(|| {
                encode(&metrics, scrape_view(black_box(&encoded)))
                    .unwrap()
                    .gzip_chunks()
                    .unwrap()
            })
        });
        // One whole refresh after the fetch: parse both event bodies, derive, encode.
        group.bench_function(BenchmarkId::new("events_to_exposition", scale), |b| {
            b.iter(|| {
                let (events, scheduled) = parse_events(black_box(&bodies));
                let snapshot = derive(&registry, &events, &scheduled, &Watch::all(), NOW);
                let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot)).unwrap());
                encode(&metrics, scrape_view(&encoded)).unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
