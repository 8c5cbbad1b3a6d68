//! End-to-end: the real binary against the simulated Adobe (IMS + Status API), as a user
//! runs it. Request counts come from the simulator's own log of what it received.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use adobe_status_sim::{IncidentSpec, Scenario};
use common::{incidents, simulator, value, Exporter, BIN, PROMETHEUS_ACCEPT, SECRET};

fn incident(products: &[&str], severity: &str, title: &str) -> IncidentSpec {
    IncidentSpec {
        product_ids: products.iter().map(|p| p.to_string()).collect(),
        severity: severity.into(),
        title: title.into(),
        regions: vec![],
        service_ids: vec![],
        ..IncidentSpec::default()
    }
}

const ANALYTICS: &str = "503467";
const AEM: &str = "503470";
const MARKETO: &str = "503491";

#[tokio::test]
async fn counts_per_product_and_severity_for_a_known_data_set() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    let major = control.open_incident(incident(&[ANALYTICS, AEM], "Major", "Reports are delayed"));
    control.open_incident(incident(&[ANALYTICS], "Minor", "Slow UI"));
    control.open_incident(incident(&[MARKETO], "Catastrophic", "New severity value"));
    let closed = control.open_incident(incident(&[MARKETO], "Major", "Already over"));
    control.close_incident(&closed);

    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the open incidents", |b| {
            b.contains(&format!(r#"incident_id="{major}""#))
        })
        .await;
    assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
    assert_eq!(incidents(&body, ANALYTICS, "major"), Some(1.0));
    assert_eq!(incidents(&body, ANALYTICS, "minor"), Some(1.0));
    assert_eq!(incidents(&body, AEM, "major"), Some(1.0));
    assert_eq!(incidents(&body, MARKETO, "unknown"), Some(1.0));
    assert_eq!(
        incidents(&body, MARKETO, "major"),
        Some(0.0),
        "closed incidents are not counted"
    );
    assert!(!body.contains(&format!(r#"incident_id="{closed}""#)));
    let worst = |p: &str| {
        value(
            &body,
            &format!(r#"adobe_status_product_worst_severity{{product_id="{p}"}}"#),
        )
    };
    assert_eq!(worst(ANALYTICS), Some(4.0));
    assert_eq!(worst(MARKETO), Some(2.0));
    assert_eq!(
        worst("503473"),
        Some(0.0),
        "registry products without events are healthy"
    );
    assert!(body.contains(&format!(
        r#"adobe_status_incident_info{{incident_id="{major}",product_id="{ANALYTICS}",incident_severity="major",title="Reports are delayed",customer_impact="most",operations_impact="availability",root_cause_url=""}} 1"#
    )));

    // Closing the incident removes its series on the next refresh.
    control.close_incident(&major);
    let body = exporter
        .scrape_until("the closed incident to vanish", |b| {
            !b.contains(&format!(r#"incident_id="{major}""#))
        })
        .await;
    assert_eq!(incidents(&body, ANALYTICS, "major"), Some(0.0));
    assert_eq!(incidents(&body, AEM, "major"), Some(0.0));
}

#[tokio::test]
async fn tricky_product_names_are_escaped() {
    let sim = simulator(Scenario::Empty).await;
    sim.control().add_product(
        "999001",
        "Adobe \"Quoted\" \\ Prod\u{fc}kt\nline",
        "503461",
        vec![("svc".into(), "S\u{e9}rvice".into())],
    );
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the product", |b| b.contains("999001"))
        .await;
    assert!(
        body.contains(
            r#"product_id="999001",product_name="Adobe \"Quoted\" \\ Produkt\nline""#
                .replace("Produkt", "Prod\u{fc}kt")
                .as_str()
        ),
        "{body}"
    );
}

#[tokio::test]
async fn fifty_concurrent_scrapes_of_a_fresh_exporter_cost_one_request_each() {
    let sim = simulator(Scenario::Empty).await;
    let exporter = Exporter::against(
        &sim,
        &["--status.min-interval=60s", "--status.registry-interval=1h"],
    );
    exporter.listening().await;
    let client = reqwest::Client::new();
    let scrapes = (0..50).map(|_| {
        let client = client.clone();
        let url = exporter.url("/metrics");
        tokio::spawn(async move {
            let r = client
                .get(url)
                .header("X-Prometheus-Scrape-Timeout-Seconds", "10")
                .header("Accept", PROMETHEUS_ACCEPT)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        })
    });
    for scrape in scrapes {
        let body = scrape.await.unwrap();
        assert!(body.ends_with("# EOF\n"));
    }
    for _ in 0..10 {
        exporter.scrape().await;
    }
    let control = sim.control();
    assert_eq!(control.request_count("token"), 1);
    assert_eq!(control.request_count("events"), 1);
    assert_eq!(control.request_count("scheduled"), 1);
    assert_eq!(control.request_count("products"), 1);
}

#[tokio::test]
async fn a_revoked_token_costs_exactly_one_reauth() {
    let sim = simulator(Scenario::Empty).await;
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let control = sim.control();
    assert_eq!(control.request_count("token"), 1);
    control.revoke_tokens();
    let before = control.request_count("events");
    exporter
        .scrape_until("a refresh after the revocation", |b| {
            control.request_count("events") >= before + 2
                && value(b, "adobe_status_up") == Some(1.0)
        })
        .await;
    assert_eq!(control.request_count("token"), 2);
}

#[test]
fn bad_flags_exit_2_with_one_clear_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--demo", "--status.min-interval=soon"],
            "--status.min-interval",
        ),
        (
            &["--demo", "--status.max-requests=500"],
            "--status.max-requests",
        ),
        (
            &["--demo", "--web.listen-address=nowhere"],
            "--web.listen-address",
        ),
        (&["--demo", "--bogus"], "--bogus"),
        (&[], "--adobe.client-id"),
        (&["--adobe.client-id=x"], "secret"),
        (
            &[
                "--adobe.client-id=x",
                "--adobe.client-secret-file=/nonexistent/secret",
            ],
            "--adobe.client-secret-file",
        ),
    ];
    for (args, needle) in cases {
        let out = std::process::Command::new(BIN)
            .args(*args)
            .env_remove("ADOBE_CLIENT_ID")
            .env_remove("ADOBE_CLIENT_SECRET")
            .env_remove("ADOBE_CLIENT_SECRET_FILE")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn check_prints_a_summary_and_sets_the_exit_code() {
    let sim = simulator(Scenario::Live).await;
    let run = |secret: &'static str| {
        let sim_ims = sim.ims_url();
        let sim_status = sim.status_url();
        async move {
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(BIN)
                    .args(["--check", "--adobe.client-id=e2e-client"])
                    .arg(format!("--adobe.ims-url={sim_ims}"))
                    .arg(format!("--adobe.status-url={sim_status}"))
                    .env("ADOBE_CLIENT_SECRET", secret)
                    .env_remove("ADOBE_CLIENT_SECRET_FILE")
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let ok = run(SECRET).await;
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("OK   token: valid until"), "{stdout}");
    assert!(stdout.contains("OK   events:"), "{stdout}");
    assert!(!stdout.contains(SECRET));

    let bad = run("canary-not-the-secret").await;
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL token") && stdout.contains("invalid_client"),
        "{stdout}"
    );
    assert!(!stdout.contains("canary-not-the-secret"));
}

#[tokio::test]
async fn demo_mode_serves_dozens_of_products_and_stops_cleanly() {
    let mut exporter = Exporter::spawn(&["--demo".to_owned()], &[]);
    exporter.ready().await;
    let body = exporter.scrape().await;
    let products = body
        .lines()
        .filter(|l| l.starts_with("adobe_status_product_info{"))
        .count();
    assert!(products >= 50, "{products} products");
    assert!(
        body.lines()
            .any(|l| l.starts_with("adobe_status_incident_info{")),
        "demo has incidents"
    );
    assert!(
        body.lines()
            .any(|l| l.starts_with("adobe_status_maintenance_info{")),
        "demo has maintenances"
    );
    assert!(body
        .lines()
        .any(|l| l.starts_with("adobe_status_service_info{")));
    assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
    let page = exporter.page().await;
    assert!(page.contains(r#"href="/metrics""#));
    assert_eq!(
        reqwest::get(exporter.url("/nope")).await.unwrap().status(),
        404
    );
    assert_eq!(exporter.terminate(), Some(0));
}

#[tokio::test]
async fn a_gzip_scrape_carries_the_same_series_as_a_plain_one() {
    use std::io::Read;
    let sim = simulator(Scenario::Empty).await;
    let id = sim
        .control()
        .open_incident(incident(&[ANALYTICS], "Major", "Gzip me"));
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let plain = exporter
        .scrape_until("the incident", |b| b.contains(&id))
        .await;

    let response = exporter
        .get_metrics(&[("Accept-Encoding", "gzip"), ("Accept", PROMETHEUS_ACCEPT)])
        .await;
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let raw = response.bytes().await.unwrap();
    assert_eq!(raw.len(), length);
    let mut text = String::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_string(&mut text)
        .unwrap();

    // The Adobe series (the pre-deflated part) are identical; the exporter's own counters
    // move between the two scrapes.
    let data = |body: &str| -> Vec<String> {
        body.lines()
            .filter(|l| l.contains("product_id="))
            .map(str::to_owned)
            .collect()
    };
    assert!(data(&plain).len() > 50);
    assert_eq!(data(&text), data(&plain));
    assert!(text.contains(&format!(r#"incident_id="{id}""#)));
    assert!(text.ends_with("# EOF\n"));
    assert!(
        raw.len() * 5 < plain.len(),
        "{} vs {}",
        raw.len(),
        plain.len()
    );
}

#[tokio::test]
async fn text_format_without_accept_openmetrics_for_prometheus_same_samples() {
    let sim = simulator(Scenario::Live).await;
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let openmetrics = exporter.scrape().await;
    let response = exporter.get_metrics(&[]).await;
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(response.headers()["vary"], "Accept, Accept-Encoding");
    let text = response.text().await.unwrap();
    // The Adobe series; the exporter's own counters move between two scrapes.
    let data = |body: &str| -> Vec<String> {
        let mut lines: Vec<String> = body
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains("product_id="))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    assert!(data(&openmetrics).len() > 100);
    assert_eq!(data(&text), data(&openmetrics));
    assert!(text.contains("# TYPE adobe_status_product_info gauge"));
    assert!(!text.contains("# EOF") && !text.contains("# UNIT"));
}

/// The status page under a custom telemetry path: what `/metrics` exports (open incidents, the
/// maintenance in progress, never the closed incident), Adobe's strings escaped, and a link to
/// where the metrics really are.
#[tokio::test]
async fn status_page_shows_what_the_metrics_export_and_links_the_telemetry_path() {
    const HOSTILE: &str = "<img src=x onerror=alert(1)>";
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    control.add_product("999002", HOSTILE, "503461", vec![]);
    let major = control.open_incident(incident(&[ANALYTICS], "Major", "Reports are delayed"));
    control.open_incident(incident(&["999002"], "Minor", HOSTILE));
    let closed = control.open_incident(incident(&[AEM], "Major", "Already over"));
    control.close_incident(&closed);
    let now = std::time::SystemTime::now();
    control.add_maintenance(adobe_status_sim::MaintenanceSpec {
        product_ids: vec![MARKETO.to_owned()],
        status: "Started".to_owned(),
        maintenance_type: "Normal".to_owned(),
        title: "Database upgrade".to_owned(),
        start: now - std::time::Duration::from_secs(600),
        end: now + std::time::Duration::from_secs(3600),
    });

    let exporter = Exporter::against(&sim, &["--web.telemetry-path=/adobe/metrics"]);
    exporter.ready().await;
    let metrics = reqwest::get(exporter.url("/adobe/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(&format!(r#"incident_id="{major}""#)));

    let response = reqwest::get(exporter.url("/")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"href="/adobe/metrics""#), "{page}");
    assert!(page.contains("Reports are delayed"), "{page}");
    assert!(page.contains("Adobe Analytics"), "{page}");
    assert!(page.contains("Database upgrade"), "{page}");
    assert!(page.contains("In progress"), "{page}");
    // A closed incident is never among the ongoing ones; it is in the history's resolved list.
    let (ongoing, history) = page.split_once(r#"id="history""#).unwrap();
    assert!(!ongoing.contains("Already over"), "{page}");
    assert!(history.contains("Already over"), "{page}");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(!page.contains("<img"), "{page}");
    assert!(page.contains(r#"<strong class="up">1</strong>"#), "{page}");
    assert!(page.contains("2 ongoing incidents on 2 of"), "{page}");

    // HEAD answers like GET, without the body.
    let head = reqwest::Client::new()
        .head(exporter.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "text/html; charset=utf-8");
    assert!(head.text().await.unwrap().is_empty());
}
