//! Encoding of a known snapshot: names, labels, values, escaping, completeness.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::*;
use crate::model::{parse_list, parse_object};
use crate::snapshot::{derive, Registry, RegistryParts, Watch};
use crate::snapshot::{MaintenanceState, Severity, Snapshot};
use crate::upstream::{Api, FailureReason};

const NOW: f64 = 1_800_000_000.0;

fn snapshot() -> Snapshot {
    let products = parse_list(
        "products",
        br#"[{"id":"p1","name":"Adobe \"Analytics\" \\ caf\u00e9\nline","productServices":[{"id":"s1","name":"Reporting"}]},
             {"id":"p2","name":"Photoshop"}]"#,
    )
    .unwrap();
    let clouds = parse_list(
        "clouds",
        br#"[{"id":"c1","name":"Adobe Experience Cloud","cloudProducts":[{"id":"p1"}]}]"#,
    )
    .unwrap();
    let registry = Registry::build(&RegistryParts {
        clouds: Some(clouds),
        products: Some(products),
        ..RegistryParts::default()
    });
    let events = parse_object(
        "events",
        br#"{"incidents":[
            {"id":"i1","region":[{"id":"EMEA"}],"services":[{"id":"s1"}],
             "environment":[{"id":"e1","name":"Prod EU","serviceRegions":["EMEA"]}],
             "products":[{"id":"p1","severity":"Major","status":"Opened","startedOn":"1799990000",
               "history":[{"status":"Opened","customerImpact":"Most","operationsImpact":"Availability"}]}]},
            {"id":"i2","products":[{"id":"p1","severity":"Major","status":"Opened",
               "history":[{"messageType":"CFS","cfsURL":"https://status.adobe.com/cfs/1"}]},
              {"id":"p2","severity":"Weird","status":"Opened"}]},
            {"id":"i3","products":[{"id":"p2","severity":"Minor","status":"Closed"}]}],
          "maintenances":[{"id":"m1","status":"Started","maintenanceType":"Normal","startedOn":"1799990000","completedOn":"1800010000","products":[{"id":"p2"}]}]}"#,
    )
    .unwrap();
    derive(&registry, &events, &[], &Watch::all(), NOW)
}

fn encode_view(up: bool, snapshot: Option<Snapshot>) -> String {
    let metrics = Arc::new(ExporterMetrics::new());
    metrics.observe_request(Api::Events, Some(200), Duration::from_millis(20));
    metrics.observe_request(Api::Events, Some(429), Duration::from_millis(20));
    metrics.observe_request(Api::Token, None, Duration::from_millis(20));
    metrics.refresh_failed(FailureReason::Throttled);
    metrics.set_token_expiry(1_800_086_399.0);
    encode(
        &metrics,
        ScrapeView {
            snapshot: snapshot.map(|s| Arc::new(EncodedSnapshot::new(&Arc::new(s)).unwrap())),
            up,
            last_success_unix: Some(NOW),
            registry_last_success_unix: None,
        },
        Format::OpenMetrics1,
    )
    .unwrap()
    .to_text()
}

/// A scrape's view of `encoded`, refreshed at NOW.
fn fresh_view(encoded: &Arc<EncodedSnapshot>, up: bool) -> ScrapeView {
    ScrapeView {
        snapshot: Some(Arc::clone(encoded)),
        up,
        last_success_unix: Some(NOW),
        registry_last_success_unix: Some(NOW),
    }
}

fn has_line(body: &str, line: &str) -> bool {
    body.lines().any(|l| l == line)
}

#[test]
fn data_series_have_fixed_names_labels_and_values() {
    let body = encode_view(true, Some(snapshot()));
    let expected = [
        "adobe_status_up 1",
        "adobe_status_last_success_timestamp_seconds 1800000000.0",
        "adobe_status_token_expiry_timestamp_seconds 1800086399.0",
        r#"adobe_status_product_incidents{product_id="p1",incident_severity="major"} 2"#,
        r#"adobe_status_product_incidents{product_id="p1",incident_severity="unknown"} 0"#,
        r#"adobe_status_product_incidents{product_id="p2",incident_severity="unknown"} 1"#,
        r#"adobe_status_product_incidents{product_id="p2",incident_severity="minor"} 0"#,
        r#"adobe_status_product_worst_severity{product_id="p1"} 4"#,
        r#"adobe_status_product_worst_severity{product_id="p2"} 2"#,
        r#"adobe_status_product_maintenances{product_id="p2",maintenance_state="in_progress"} 1"#,
        r#"adobe_status_product_maintenances{product_id="p1",maintenance_state="scheduled"} 0"#,
        r#"adobe_status_product_info{product_id="p2",product_name="Photoshop",cloud_id="",cloud_name=""} 1"#,
        r#"adobe_status_service_info{product_id="p1",service_id="s1",service_name="Reporting"} 1"#,
        r#"adobe_status_service_worst_severity{product_id="p1",service_id="s1"} 4"#,
        r#"adobe_status_incident_info{incident_id="i1",product_id="p1",incident_severity="major",title="",customer_impact="most",operations_impact="availability",root_cause_url=""} 1"#,
        r#"adobe_status_incident_info{incident_id="i2",product_id="p1",incident_severity="major",title="",customer_impact="unknown",operations_impact="unknown",root_cause_url="https://status.adobe.com/cfs/1"} 1"#,
        r#"adobe_status_incident_environment_impacted{incident_id="i1",product_id="p1",environment_name="Prod EU"} 1"#,
        r#"adobe_status_product_recent_incidents{product_id="p1",incident_severity="major"} 1"#,
        r#"adobe_status_product_recent_incidents{product_id="p2",incident_severity="minor"} 0"#,
        r#"adobe_status_product_recent_impact_seconds{product_id="p1",incident_severity="major"} 10000"#,
        r#"adobe_status_product_recent_impact_seconds{product_id="p2",incident_severity="unknown"} 0"#,
        "# UNIT adobe_status_product_recent_impact_seconds seconds",
        r#"adobe_status_incident_start_timestamp_seconds{incident_id="i1",product_id="p1"} 1799990000.0"#,
        r#"adobe_status_incident_region_impacted{incident_id="i1",product_id="p1",region_name="EMEA"} 1"#,
        r#"adobe_status_incident_region_impacted{incident_id="i2",product_id="p2",region_name="all"} 1"#,
        r#"adobe_status_maintenance_info{maintenance_id="m1",product_id="p2",maintenance_state="in_progress",maintenance_type="normal",title=""} 1"#,
        r#"adobe_status_maintenance_start_timestamp_seconds{maintenance_id="m1",product_id="p2"} 1799990000.0"#,
        r#"adobe_status_maintenance_end_timestamp_seconds{maintenance_id="m1",product_id="p2"} 1800010000.0"#,
        r#"adobe_status_upstream_requests_total{api="events",code="429"} 1"#,
        r#"adobe_status_upstream_requests_total{api="token",code="error"} 1"#,
        r#"adobe_status_upstream_throttled_total 1"#,
        r#"adobe_status_refresh_failures_total{reason="throttled"} 1"#,
        r#"adobe_status_refresh_failures_total{reason="parse"} 0"#,
        r#"adobe_status_upstream_request_duration_seconds_count{api="events"} 2"#,
        "# TYPE adobe_status_product info",
        "# TYPE adobe_status_upstream_requests counter",
        "# UNIT adobe_status_incident_start_timestamp_seconds seconds",
    ];
    for line in expected {
        assert!(has_line(&body, line), "missing {line}\n{body}");
    }
    assert!(body.ends_with("# EOF\n"));
    assert!(
        !body.contains("{}"),
        "unlabelled series must not carry empty braces"
    );
    // Closed incident i3 leaves no per-incident series.
    assert!(!body.contains(r#"incident_id="i3""#));
    assert!(body.contains("adobe_status_exporter_build_info{version=\""));
}

#[test]
fn every_product_has_every_severity_and_state() {
    let body = encode_view(true, Some(snapshot()));
    for product in ["p1", "p2"] {
        for severity in Severity::ALL {
            let prefix = format!(
                r#"adobe_status_product_incidents{{product_id="{product}",incident_severity="{}"}} "#,
                severity.label()
            );
            assert_eq!(
                body.lines().filter(|l| l.starts_with(&prefix)).count(),
                1,
                "{prefix}"
            );
        }
        for state in MaintenanceState::ALL {
            let prefix = format!(
                r#"adobe_status_product_maintenances{{product_id="{product}",maintenance_state="{}"}} "#,
                state.label()
            );
            assert_eq!(
                body.lines().filter(|l| l.starts_with(&prefix)).count(),
                1,
                "{prefix}"
            );
        }
    }
}

#[test]
fn label_values_are_escaped() {
    let body = encode_view(true, Some(snapshot()));
    let line = r#"adobe_status_product_info{product_id="p1",product_name="Adobe \"Analytics\" \\ café\nline",cloud_id="c1",cloud_name="Adobe Experience Cloud"} 1"#;
    assert!(has_line(&body, line), "{body}");
}

#[test]
fn help_texts_are_static_single_periods() {
    let body = encode_view(true, Some(snapshot()));
    for help in body.lines().filter(|l| l.starts_with("# HELP ")) {
        assert!(help.ends_with('.') && !help.ends_with(".."), "{help}");
        assert!(help.is_ascii(), "{help}");
    }
}

#[test]
fn before_any_success_only_health_is_exported() {
    let metrics = Arc::new(ExporterMetrics::new());
    let body = encode(
        &metrics,
        ScrapeView {
            snapshot: None,
            up: false,
            last_success_unix: None,
            registry_last_success_unix: None,
        },
        Format::OpenMetrics1,
    )
    .unwrap()
    .to_text();
    assert!(has_line(&body, "adobe_status_up 0"));
    assert!(!body.contains("adobe_status_product_"));
    assert!(!body.contains("adobe_status_last_success_timestamp_seconds "));
    assert!(!body.contains("adobe_status_token_expiry_timestamp_seconds "));
    assert!(has_line(
        &body,
        r#"adobe_status_refresh_failures_total{reason="auth"} 0"#
    ));
}

#[test]
fn data_series_are_deterministic() {
    // The exporter's own counter families are hash-ordered by prometheus-client; the Adobe
    // data, encoded by our collector from sorted maps, is byte-for-byte stable.
    let data = |body: String| {
        body.split("# HELP adobe_status_upstream_requests ")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        data(encode_view(false, Some(snapshot()))),
        data(encode_view(false, Some(snapshot())))
    );
}

#[test]
fn scrapes_share_the_snapshot_bytes_and_form_one_exposition() {
    let metrics = Arc::new(ExporterMetrics::new());
    let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot())).unwrap());
    let view = |up| fresh_view(&encoded, up);
    let first = encode(&metrics, view(true), Format::OpenMetrics1).unwrap();
    let second = encode(&metrics, view(false), Format::OpenMetrics1).unwrap();
    // The snapshot's chunk is the same allocation in both scrapes, not a copy.
    let data_chunk = |e: &Exposition| {
        e.chunks()
            .find(|c| c.len() == encoded.encoded_len())
            .map(|c| c.as_ptr())
    };
    assert!(data_chunk(&first).is_some());
    assert_eq!(data_chunk(&first), data_chunk(&second));
    // Per-scrape parts still change per scrape.
    assert!(has_line(&first.to_text(), "adobe_status_up 1"));
    assert!(has_line(&second.to_text(), "adobe_status_up 0"));
    // Together: one exposition, each family once, one EOF at the very end.
    let text = first.to_text();
    assert_eq!(text.len(), first.len());
    assert!(text.ends_with("# EOF\n"));
    assert_eq!(text.matches("# EOF").count(), 1);
    let mut families: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    let total = families.len();
    families.sort_unstable();
    families.dedup();
    assert_eq!(families.len(), total, "a family is split across chunks");
}

/// Sample lines (name, labels, value) of an exposition, without comments.
fn samples(text: &str) -> Vec<&str> {
    let mut samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    samples.sort_unstable();
    samples
}

#[test]
fn both_formats_carry_exactly_the_same_samples() {
    let metrics = Arc::new(ExporterMetrics::new());
    metrics.observe_request(Api::Events, Some(200), Duration::from_millis(20));
    metrics.refresh_failed(FailureReason::Parse);
    let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot())).unwrap());
    let view = ScrapeView {
        snapshot: Some(Arc::clone(&encoded)),
        up: true,
        last_success_unix: Some(NOW),
        registry_last_success_unix: Some(NOW),
    };
    let openmetrics = encode(&metrics, view.clone(), Format::OpenMetrics1)
        .unwrap()
        .to_text();
    let text = encode(&metrics, view, Format::Text).unwrap().to_text();
    assert!(samples(&openmetrics).len() > 50);
    assert_eq!(samples(&openmetrics), samples(&text));
    // Each family is typed once, under the name its samples carry in the text format.
    assert!(text.contains("# TYPE adobe_status_product_info gauge\n"));
    assert!(text.contains("# TYPE adobe_status_upstream_requests_total counter\n"));
    assert!(!text.contains("# UNIT") && !text.contains("# EOF"));
    let types = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
    let helps = text.lines().filter(|l| l.starts_with("# HELP ")).count();
    assert_eq!(types, helps);
}

#[test]
fn text_scrapes_share_bytes_derived_once_and_gzip_to_the_same_text() {
    let metrics = Arc::new(ExporterMetrics::new());
    let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot())).unwrap());
    let view = ScrapeView {
        snapshot: Some(Arc::clone(&encoded)),
        up: true,
        last_success_unix: Some(NOW),
        registry_last_success_unix: None,
    };
    let first = encode(&metrics, view.clone(), Format::Text).unwrap();
    let second = encode(&metrics, view, Format::Text).unwrap();
    let largest = |e: &Exposition| {
        e.chunks()
            .max_by_key(|c| c.len())
            .map(|c| (c.as_ptr(), c.len()))
    };
    assert_eq!(largest(&first), largest(&second));
    let gzipped: Vec<u8> = first.gzip_chunks().unwrap().concat();
    let mut decoded = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(gzipped.as_slice()),
        &mut decoded,
    )
    .unwrap();
    assert_eq!(decoded, first.to_text());
}

fn gunzip(chunks: &[Bytes]) -> String {
    let joined = chunks.concat();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(joined.as_slice()),
        &mut text,
    )
    .unwrap();
    text
}

#[test]
fn unchanged_scrapes_share_their_pieces_and_any_change_encodes_anew() {
    let metrics = Arc::new(ExporterMetrics::new());
    let encoded = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot())).unwrap());
    let view = |up| fresh_view(&encoded, up);
    let pointers = |e: &Exposition| e.chunks().map(|c| c.as_ptr()).collect::<Vec<_>>();
    let first = encode(&metrics, view(true), Format::OpenMetrics1).unwrap();
    let first_gzip = first.gzip_chunks().unwrap();
    // Same state: the very same bytes, plain and deflated.
    let second = encode(&metrics, view(true), Format::OpenMetrics1).unwrap();
    assert_eq!(pointers(&first), pointers(&second));
    let second_gzip = second.gzip_chunks().unwrap();
    for (a, b) in first_gzip.iter().zip(&second_gzip) {
        assert_eq!(a.as_ptr(), b.as_ptr());
    }
    assert_eq!(gunzip(&second_gzip), second.to_text());
    // Another format has pieces of its own.
    let text = encode(&metrics, view(true), Format::Text).unwrap();
    assert!(!text.to_text().contains("# EOF"));
    // A counter that moved is in the next scrape, plain and gzip.
    metrics.observe_request(Api::Scheduled, Some(503), Duration::from_millis(5));
    let counted = encode(&metrics, view(true), Format::OpenMetrics1).unwrap();
    let line = "adobe_status_upstream_requests_total{api=\"scheduled\",code=\"503\"} 1";
    assert!(has_line(&counted.to_text(), line));
    assert!(has_line(&gunzip(&counted.gzip_chunks().unwrap()), line));
    // So is a change of health, and of the token's expiry.
    let down = encode(&metrics, view(false), Format::OpenMetrics1).unwrap();
    assert!(has_line(&down.to_text(), "adobe_status_up 0"));
    metrics.set_token_expiry(NOW + 60.0);
    let token = encode(&metrics, view(false), Format::OpenMetrics1).unwrap();
    assert!(token
        .to_text()
        .contains("adobe_status_token_expiry_timestamp_seconds "));
}

#[test]
fn cached_pieces_never_keep_an_old_snapshot_alive() {
    let metrics = Arc::new(ExporterMetrics::new());
    let view = |snapshot: &Arc<EncodedSnapshot>| ScrapeView {
        snapshot: Some(Arc::clone(snapshot)),
        up: true,
        last_success_unix: Some(NOW),
        registry_last_success_unix: None,
    };
    let old = Arc::new(EncodedSnapshot::new(&Arc::new(snapshot())).unwrap());
    let weak = Arc::downgrade(&old);
    let scrape = encode(&metrics, view(&old), Format::OpenMetrics1).unwrap();
    scrape.gzip_chunks().unwrap();
    drop((scrape, old));
    assert!(weak.upgrade().is_none());
    // A new snapshot gets pieces of its own, around its own series.
    let new = Arc::new(EncodedSnapshot::new(&Arc::new(Snapshot::default())).unwrap());
    let scrape = encode(&metrics, view(&new), Format::OpenMetrics1).unwrap();
    assert!(!scrape.to_text().contains("adobe_status_product_info"));
    assert!(!gunzip(&scrape.gzip_chunks().unwrap()).contains("adobe_status_product_info"));
}

/// A catalogue of `n` products with two services each, and one Major incident on product
/// `incident_on` if any: at 4,000 products the series are megabytes, tens of chunks.
fn catalogue(n: usize, incident_on: Option<usize>) -> Arc<Snapshot> {
    let products: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":"p{i:05}","name":"Product {i}","productServices":[{{"id":"s{i}a","name":"A"}},{{"id":"s{i}b","name":"B"}}]}}"#
            )
        })
        .collect();
    let products = parse_list("products", format!("[{}]", products.join(",")).as_bytes());
    let registry = Registry::build(&RegistryParts {
        products: Some(products.unwrap()),
        ..RegistryParts::default()
    });
    let incidents = incident_on.map_or(String::new(), |i| {
        format!(
            r#"{{"id":"i1","products":[{{"id":"p{i:05}","severity":"Major","status":"Opened","startedOn":"1799990000"}}]}}"#
        )
    });
    let events = parse_object(
        "events",
        format!(r#"{{"incidents":[{incidents}],"maintenances":[]}}"#).as_bytes(),
    )
    .unwrap();
    Arc::new(derive(&registry, &events, &[], &Watch::all(), NOW))
}

/// The series encoded in one piece, as the exporter did before it cut them into chunks.
fn encoded_whole(snapshot: &Arc<Snapshot>) -> String {
    let mut text = String::new();
    let mut registry = prometheus_client::registry::Registry::with_prefix(PREFIX);
    registry.register_collector(Box::new(super::adobe::SnapshotCollector(Arc::clone(
        snapshot,
    ))));
    prometheus_client::encoding::text::encode_registry(&mut text, &registry).unwrap();
    text
}

/// The series' chunks of one scrape: everything between its head and its tail.
fn series_chunks(scrape: &Exposition) -> Vec<Bytes> {
    let chunks: Vec<Bytes> = scrape.chunks().collect();
    chunks[1..chunks.len() - 1].to_vec()
}

fn shared(new: &[Bytes], old: &[Bytes]) -> usize {
    new.iter()
        .filter(|c| {
            old.iter()
                .any(|o| o.as_ptr() == c.as_ptr() && o.len() == c.len())
        })
        .count()
}

#[test]
fn chunked_series_are_the_same_bytes_in_both_formats_and_in_gzip() {
    let metrics = Arc::new(ExporterMetrics::new());
    metrics.observe_request(Api::Events, Some(200), Duration::from_millis(20));
    let snapshot = catalogue(4000, Some(7));
    let whole = encoded_whole(&snapshot);
    let encoded = Arc::new(EncodedSnapshot::new(&snapshot).unwrap());
    assert_eq!(encoded.encoded_len(), whole.len());
    assert_eq!(encoded.new_bytes(), whole.len());
    let openmetrics = encode(&metrics, fresh_view(&encoded, true), Format::OpenMetrics1).unwrap();
    let series = series_chunks(&openmetrics);
    assert!(series.len() > 20, "{} chunks", series.len());
    assert_eq!(series.concat(), whole.as_bytes());
    let text = encode(&metrics, fresh_view(&encoded, true), Format::Text).unwrap();
    assert_eq!(text.to_text(), openmetrics_to_text(&openmetrics.to_text()));
    assert_eq!(
        gunzip(&openmetrics.gzip_chunks().unwrap()),
        openmetrics.to_text()
    );
    assert_eq!(gunzip(&text.gzip_chunks().unwrap()), text.to_text());
}

#[test]
fn an_unchanged_snapshot_encoded_again_shares_every_chunk_in_both_formats() {
    let metrics = Arc::new(ExporterMetrics::new());
    let first = Arc::new(EncodedSnapshot::new(&catalogue(2000, Some(7))).unwrap());
    let again = catalogue(2000, Some(7));
    let second = Arc::new(EncodedSnapshot::reusing(&again, Some(&first)).unwrap());
    assert_eq!(second.new_bytes(), 0);
    for format in [Format::OpenMetrics1, Format::Text] {
        let before = encode(&metrics, fresh_view(&first, true), format).unwrap();
        let after = encode(&metrics, fresh_view(&second, true), format).unwrap();
        let (old, new) = (series_chunks(&before), series_chunks(&after));
        assert_eq!(shared(&new, &old), new.len(), "{format:?}");
        assert_eq!(new.len(), old.len());
        // The deflated series are one piece per generation, joined from the chunks' own
        // (shared) deflated bytes: the same bytes.
        let (old_gzip, new_gzip) = (before.gzip_chunks().unwrap(), after.gzip_chunks().unwrap());
        assert_eq!(new_gzip[1], old_gzip[1]);
        assert_eq!(gunzip(&new_gzip), after.to_text());
    }
}

#[test]
fn a_changed_product_changes_only_the_chunks_it_is_in() {
    let metrics = Arc::new(ExporterMetrics::new());
    let first = Arc::new(EncodedSnapshot::new(&catalogue(4000, None)).unwrap());
    let changed = catalogue(4000, Some(1234));
    let second = Arc::new(EncodedSnapshot::reusing(&changed, Some(&first)).unwrap());
    let before = encode(&metrics, fresh_view(&first, true), Format::OpenMetrics1).unwrap();
    let after = encode(&metrics, fresh_view(&second, true), Format::OpenMetrics1).unwrap();
    let (old, new) = (series_chunks(&before), series_chunks(&after));
    // The same text as encoding it afresh.
    assert_eq!(new.concat(), encoded_whole(&changed).as_bytes());
    // The product's lines are in a few families (its incidents, its worst severity, its
    // services' worst severity, the incident's own families): those chunks are new, the rest
    // are the first generation's.
    // At this size (over 8 MiB) a changed chunk is patched: its unchanged lines are slices of
    // the first generation's bytes, only the product's own lines are new.
    assert!(first.encoded_len() > 8 << 20, "{}", first.encoded_len());
    let fresh: Vec<&Bytes> = new
        .iter()
        .filter(|c| !old.iter().any(|o| o.as_ptr_range().contains(&c.as_ptr())))
        .collect();
    assert!(
        (1..=8).contains(&fresh.len()),
        "{} of {}",
        fresh.len(),
        new.len()
    );
    assert!(shared(&new, &old) + 8 >= old.len());
    let fresh_bytes: usize = fresh.iter().map(|c| c.len()).sum();
    assert_eq!(second.new_bytes(), fresh_bytes);
    // A product's few lines, not the chunks around them (~175 KB each).
    assert!(fresh_bytes < 4096, "{fresh_bytes}");
    let line =
        "adobe_status_product_incidents{product_id=\"p01234\",incident_severity=\"major\"} 1\n";
    assert!(fresh
        .iter()
        .any(|c| std::str::from_utf8(c).unwrap().contains(line)));
    // The text format and gzip follow the chunks.
    let text = encode(&metrics, fresh_view(&second, true), Format::Text).unwrap();
    assert_eq!(text.to_text(), openmetrics_to_text(&after.to_text()));
    assert_eq!(gunzip(&after.gzip_chunks().unwrap()), after.to_text());
}
