//! The fault matrix (docs/fault-matrix.md): every row runs the real binary against the
//! simulator (or nothing at all), checks the metrics and the log line it promises, and that
//! the exporter recovers by itself once the fault clears. `/metrics` answers 200 throughout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime};

use adobe_status_sim::{
    Fault, IncidentSpec, MaintenanceSpec, RetryAfter, Scenario, Simulator, SimulatorConfig,
};
use common::{free_port, simulator, value, Exporter, CLIENT_ID, SECRET};

const ANALYTICS: &str = "503467";

fn major(product: &str, title: &str) -> IncidentSpec {
    IncidentSpec {
        product_ids: vec![product.into()],
        severity: "Major".into(),
        title: title.into(),
        regions: vec![],
        service_ids: vec![],
        ..IncidentSpec::default()
    }
}

fn failures(body: &str, reason: &str) -> f64 {
    value(
        body,
        &format!(r#"adobe_status_refresh_failures_total{{reason="{reason}"}}"#),
    )
    .unwrap_or(0.0)
}

fn analytics_major(body: &str) -> Option<f64> {
    value(
        body,
        &format!(
            r#"adobe_status_product_incidents{{product_id="{ANALYTICS}",incident_severity="major"}}"#
        ),
    )
}

struct Row {
    name: &'static str,
    api: &'static str,
    /// Built when the row runs (an HTTP-date must be in the future then).
    fault: fn() -> Fault,
    reason: &'static str,
    log: &'static str,
}

/// Status API rows: each fault makes `up` 0 with the given failure reason and log line, keeps
/// the last good data, and clears to `up` 1.
#[tokio::test]
async fn status_api_faults() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    control.open_incident(major(ANALYTICS, "Known incident"));
    // Registry hourly, so the request budget (10 per 5 s) is not what delays the requests.
    let exporter = Exporter::against(
        &sim,
        &[
            "--status.timeout=2s",
            "--status.max-response-size=1MiB",
            "--status.registry-interval=1h",
        ],
    );
    exporter.ready().await;
    exporter
        .scrape_until("the incident", |b| analytics_major(b) == Some(1.0))
        .await;

    let rows = [
        Row {
            name: "403 forbidden",
            api: "events",
            fault: || Fault::status(403),
            reason: "auth",
            log: "HTTP 403 Forbidden (403003: Api Key is invalid)",
        },
        Row {
            name: "404",
            api: "scheduled",
            fault: || Fault::status(404),
            reason: "http",
            log: "scheduled: HTTP 404",
        },
        Row {
            name: "500",
            api: "events",
            fault: || Fault::status(500),
            reason: "http",
            log: "events: HTTP 500 (500000: Internal Server Error)",
        },
        Row {
            name: "502",
            api: "events",
            fault: || Fault::status(502),
            reason: "http",
            log: "events: HTTP 502",
        },
        Row {
            name: "503",
            api: "scheduled",
            fault: || Fault::status(503),
            reason: "http",
            log: "scheduled: HTTP 503",
        },
        Row {
            name: "429 seconds",
            api: "events",
            fault: || Fault::TooManyRequests {
                retry_after: RetryAfter::Seconds(3),
            },
            reason: "throttled",
            log: "throttled by Adobe (HTTP 429)",
        },
        Row {
            name: "429 date",
            api: "events",
            fault: || Fault::TooManyRequests {
                retry_after: RetryAfter::HttpDate(SystemTime::now() + Duration::from_secs(4)),
            },
            reason: "throttled",
            log: "retry_after_seconds=",
        },
        Row {
            name: "slower than the deadline",
            api: "events",
            fault: || Fault::Delay(Duration::from_secs(5)),
            reason: "timeout",
            log: "events: timed out",
        },
        Row {
            name: "reset mid-body",
            api: "events",
            fault: || Fault::ResetMidBody,
            reason: "network",
            log: "connection failed while reading the response body",
        },
        Row {
            name: "truncated JSON",
            api: "events",
            fault: || Fault::TruncatedJson,
            reason: "parse",
            log: "invalid JSON from events",
        },
        Row {
            name: "malformed JSON",
            api: "scheduled",
            fault: || Fault::MalformedJson,
            reason: "parse",
            log: "invalid JSON from scheduled",
        },
        Row {
            name: "body far above the cap",
            api: "events",
            fault: || Fault::Oversize { bytes: 256 << 20 },
            reason: "parse",
            log: "response body larger than 1048576 bytes",
        },
    ];
    for row in rows {
        let before = failures(&exporter.scrape().await, row.reason);
        let events_before = control.request_count("events");
        control.set_fault(row.api, (row.fault)(), None);
        let body = exporter
            .scrape_until(row.name, |b| {
                value(b, "adobe_status_up") == Some(0.0) && failures(b, row.reason) > before
            })
            .await;
        assert_eq!(
            analytics_major(&body),
            Some(1.0),
            "{}: last good data lost",
            row.name
        );
        assert!(
            exporter.log_appears(row.log).await,
            "{}: no log line {:?}:\n{}",
            row.name,
            row.log,
            exporter.logs()
        );
        if row.reason == "throttled" {
            // Nothing reaches Adobe until Retry-After has passed (a few refreshes later).
            let throttled_at = control.request_count("events");
            assert_eq!(throttled_at, events_before + 1, "{}", row.name);
            tokio::time::sleep(Duration::from_millis(1500)).await;
            exporter.scrape().await;
            assert_eq!(
                control.request_count("events"),
                throttled_at,
                "{}: request inside Retry-After:\n{}",
                row.name,
                exporter.logs()
            );
        }
        if row.name == "403 forbidden" {
            // No retry loop: one request per refresh.
            assert_eq!(control.request_count("events"), events_before + 1);
        }
        control.clear_faults();
        exporter
            .scrape_until(&format!("recovery after {}", row.name), |b| {
                value(b, "adobe_status_up") == Some(1.0)
            })
            .await;
    }
}

/// IMS rejects the credentials, then accepts them again: clear error, back-off, recovery.
#[tokio::test]
async fn ims_rejections_back_off_and_recover() {
    for (name, fault, log) in [
        ("400 invalid_client", Fault::InvalidClient, "invalid_client"),
        (
            "401 invalid_client",
            Fault::Status {
                code: 401,
                body: r#"{"error":"invalid_client","error_description":"bad secret"}"#.into(),
            },
            "Adobe IMS rejected the credentials (HTTP 401: invalid_client (bad secret))",
        ),
    ] {
        let sim = simulator(Scenario::Empty).await;
        let control = sim.control();
        control.set_fault("token", fault, None);
        let exporter = Exporter::against(&sim, &[]);
        exporter.listening().await;
        exporter
            .scrape_until(name, |b| {
                failures(b, "auth") >= 2.0 && value(b, "adobe_status_up") == Some(0.0)
            })
            .await;
        assert!(
            exporter.log_appears(log).await,
            "{name}:\n{}",
            exporter.logs()
        );
        // Back-off: several refreshes failed, far fewer IMS requests (no hot loop).
        assert!(
            control.request_count("token") < 3,
            "{name}: {} token requests",
            control.request_count("token")
        );
        assert_eq!(control.request_count("events"), 0);
        control.clear_faults();
        // Recovers once the back-off (5 s, 10 s, ...) has passed; Prometheus keeps scraping.
        exporter
            .scrape_until("recovery", |b| value(b, "adobe_status_up") == Some(1.0))
            .await;
    }
}

/// IMS unreachable (nothing listens), then it comes up on that address.
#[tokio::test]
async fn ims_unreachable_then_back() {
    let port = free_port();
    let ims = format!("http://127.0.0.1:{port}/ims/token/v3");
    let exporter = Exporter::spawn(
        &[
            "--adobe.client-id".into(),
            CLIENT_ID.into(),
            format!("--adobe.ims-url={ims}"),
            format!("--adobe.status-url=http://127.0.0.1:{port}"),
            "--status.min-interval=1s".into(),
            "--status.registry-interval=1s".into(),
        ],
        &[("ADOBE_CLIENT_SECRET", SECRET)],
    );
    exporter.listening().await;
    let body = exporter
        .scrape_until("a network failure", |b| failures(b, "network") >= 1.0)
        .await;
    assert_eq!(value(&body, "adobe_status_up"), Some(0.0));
    assert!(body.contains(r#"adobe_status_upstream_requests_total{api="token",code="error"}"#));
    assert!(
        exporter
            .logs()
            .contains("cannot reach Adobe IMS: connection failed"),
        "{}",
        exporter.logs()
    );
    // IMS (and the Status API) come up where the exporter expects them.
    let _sim = Simulator::start(
        format!("127.0.0.1:{port}").parse().unwrap(),
        SimulatorConfig {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            scenario: Scenario::Empty,
            ..SimulatorConfig::default()
        },
    )
    .await
    .unwrap();
    exporter
        .scrape_until("recovery", |b| value(b, "adobe_status_up") == Some(1.0))
        .await;
}

/// DNS failure: the name does not resolve; reported as a network failure, never a 5xx.
#[tokio::test]
async fn dns_failure_is_a_network_failure() {
    let sim = simulator(Scenario::Empty).await;
    let exporter = Exporter::against(&sim, &["--adobe.status-url=http://adobe-status.invalid"]);
    exporter.listening().await;
    let body = exporter
        .scrape_until("a network failure", |b| failures(b, "network") >= 1.0)
        .await;
    assert_eq!(value(&body, "adobe_status_up"), Some(0.0));
    assert!(
        exporter.log_appears("events: connection failed").await,
        "{}",
        exporter.logs()
    );
}

/// Registry down at start-up: events are still exported under the names they carry; once the
/// registry answers, names and clouds come from it.
#[tokio::test]
async fn registry_down_at_start_up() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    control.set_registry_available(false);
    control.open_incident(major(ANALYTICS, "Registry-less incident"));
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the incident", |b| analytics_major(b) == Some(1.0))
        .await;
    assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
    assert!(
        body.contains(&format!(
            r#"product_id="{ANALYTICS}",product_name="Adobe Analytics",cloud_id="",cloud_name="""#
        )),
        "{body}"
    );
    assert!(exporter
        .logs()
        .contains("registry refresh failed; keeping the last good copy"));
    let registry_products = body
        .lines()
        .filter(|l| l.starts_with("adobe_status_product_info{"))
        .count();
    assert_eq!(registry_products, 1, "only the product named by the event");

    control.set_registry_available(true);
    let body = exporter
        .scrape_until("the registry", |b| {
            b.lines()
                .filter(|l| l.starts_with("adobe_status_product_info{"))
                .count()
                > 50
        })
        .await;
    assert!(
        body.contains(&format!(
            r#"product_id="{ANALYTICS}",product_name="Adobe Analytics",cloud_id="503461""#
        )),
        "{body}"
    );
}

/// 100× the realistic number of events: still exact, still one refresh per interval.
#[tokio::test]
async fn a_hundred_times_the_events() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    let products: Vec<String> = (503462..503526).map(|id| id.to_string()).collect();
    for i in 0..300 {
        let product = &products[i % products.len()];
        control.open_incident(IncidentSpec {
            product_ids: vec![product.clone()],
            severity: ["Major", "Minor", "Potential"][i % 3].into(),
            title: format!("Incident {i}"),
            regions: vec!["EMEA".into()],
            service_ids: vec![],
            ..IncidentSpec::default()
        });
    }
    let now = SystemTime::now();
    for i in 0..100 {
        control.add_maintenance(MaintenanceSpec {
            product_ids: vec![products[i % products.len()].clone()],
            status: if i % 2 == 0 { "Started" } else { "Scheduled" }.into(),
            maintenance_type: "Normal".into(),
            title: format!("Maintenance {i}"),
            start: now + Duration::from_secs(3600 * (i as u64 % 2)),
            end: now + Duration::from_secs(7200),
        });
    }
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("all incidents", |b| {
            b.lines()
                .filter(|l| l.starts_with("adobe_status_incident_info{"))
                .count()
                == 300
        })
        .await;
    let total: f64 = body
        .lines()
        .filter(|l| l.starts_with("adobe_status_product_incidents{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(total, 300.0);
    let maintenances = body
        .lines()
        .filter(|l| l.starts_with("adobe_status_maintenance_info{"))
        .count();
    assert_eq!(maintenances, 100);
    assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
}
