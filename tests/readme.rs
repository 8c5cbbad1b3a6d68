//! The README's flags and metrics tables stay in step with the code: every flag of `--help`
//! and every metric family the exporter can emit is documented, and nothing documented is gone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use adobe_status_exporter::config::{Command, Config};
use adobe_status_exporter::metrics::{
    encode, EncodedSnapshot, ExporterMetrics, Format, ScrapeView,
};
use adobe_status_exporter::model::{parse_list, parse_object};
use adobe_status_exporter::snapshot::{derive, Registry, RegistryParts, Watch};
use adobe_status_exporter::upstream::Api;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// First backticked cell of every table row that starts with `prefix`.
fn table_names(text: &str, prefix: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn flags_table_matches_help() {
    let Ok(Command::Print(help)) =
        Config::parse_from(["adobe_status_exporter", "--help"], |_| None)
    else {
        panic!("no help text")
    };
    let from_help: BTreeSet<String> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--"))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .filter(|f| f != "--help" && f != "--version")
        .collect();
    assert!(from_help.len() >= 19, "{from_help:?}");
    assert_eq!(table_names(&readme(), "--"), from_help);
}

#[test]
fn metrics_tables_match_the_exposition() {
    // A scrape view that exercises every family the exporter can emit.
    let registry = Registry::build(&RegistryParts {
        products: Some(
            parse_list(
                "p",
                br#"[{"id":"p1","name":"A","productServices":[{"id":"s1","name":"S"}]}]"#,
            )
            .unwrap(),
        ),
        ..RegistryParts::default()
    });
    let events = parse_object(
        "e",
        br#"{"incidents":[{"id":"i1","products":[{"id":"p1","severity":"Major","status":"Opened","startedOn":"1700000000"}]}],
            "maintenances":[{"id":"m1","status":"Started","startedOn":"1700000000","completedOn":"1900000000","products":[{"id":"p1"}]}]}"#,
    )
    .unwrap();
    let snapshot = derive(&registry, &events, &[], &Watch::all(), 1_800_000_000.0);
    let metrics = Arc::new(ExporterMetrics::new());
    metrics.observe_request(Api::Events, Some(200), Duration::from_millis(5));
    metrics.set_token_expiry(1_800_000_000.0);
    let body = encode(
        &metrics,
        ScrapeView {
            snapshot: Some(Arc::new(EncodedSnapshot::new(&Arc::new(snapshot)).unwrap())),
            up: true,
            last_success_unix: Some(1.0),
            registry_last_success_unix: Some(1.0),
        },
        Format::OpenMetrics1,
    )
    .unwrap()
    .to_text();
    let exposed: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| {
            let (name, kind) = l.split_once(' ').unwrap();
            match kind {
                "counter" => format!("{name}_total"),
                "info" => format!("{name}_info"),
                _ => name.to_owned(),
            }
        })
        .collect();
    assert_eq!(table_names(&readme(), "adobe_status_"), exposed);

    // Every sample name a user can query (histogram `_bucket`/`_sum`/`_count` included) is
    // named somewhere in the metrics tables.
    let tables = readme()
        .lines()
        .filter(|l| l.starts_with("| `adobe_status_"))
        .collect::<Vec<_>>()
        .join("\n");
    let samples: BTreeSet<&str> = body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    for sample in samples {
        assert!(
            tables.contains(&format!("`{sample}`")),
            "README metrics tables lack `{sample}`"
        );
    }
}
