//! "Is it us?" end to end: the real binary against the simulator, for impact, scope, language
//! and history (README "Scope, language and history").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use adobe_status_sim::{IncidentChange, IncidentSpec, Scenario, SimulatorHandle};
use common::{incidents, simulator, value, Exporter, CLIENT_ID, SECRET};
use serde_json::Value;

const ANALYTICS: &str = "503467";
const AEM: &str = "503470";

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

fn incident(products: &[&str], severity: &str, title: &str, regions: &[&str]) -> IncidentSpec {
    IncidentSpec {
        product_ids: products.iter().map(|p| p.to_string()).collect(),
        severity: severity.into(),
        title: title.into(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        ..IncidentSpec::default()
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix as u64)
}

/// A body of the simulated Adobe, fetched as the exporter would (token, API key).
async fn adobe_get(sim: &SimulatorHandle, path: &str) -> Value {
    let http = reqwest::Client::new();
    let token = json(http.post(sim.ims_url()).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("scope", "openid"),
    ]))
    .await;
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    json(
        http.get(format!("{}{path}", sim.status_url().trim_end_matches('/')))
            .query(&[("api_key", "StatusAdobeIOClient")])
            .bearer_auth(bearer),
    )
    .await
}

/// Send `request` and parse its body as JSON.
async fn json(request: reqwest::RequestBuilder) -> Value {
    let body = request.send().await.unwrap().text().await.unwrap();
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn an_emea_scope_sees_no_apac_only_incident_and_still_sees_one_that_names_no_region() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    let apac = control.open_incident(incident(&[ANALYTICS], "Major", "Sydney only", &["APAC"]));
    let emea = control.open_incident(incident(&[ANALYTICS], "Minor", "London", &["EMEA"]));
    let anywhere = control.open_incident(incident(&[AEM], "Major", "Everyone", &[]));

    // By name, in another case: Adobe's name of EMEA in the simulator's registry.
    let exporter = Exporter::against(&sim, &["--adobe.region", "europe, middle east and africa"]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the incidents in scope", |b| {
            b.contains(&format!(r#"incident_id="{anywhere}""#))
        })
        .await;
    assert!(body.contains(&format!(r#"incident_id="{emea}""#)), "{body}");
    assert!(
        !body.contains(&format!(r#"incident_id="{apac}""#)),
        "{body}"
    );
    assert_eq!(incidents(&body, ANALYTICS, "major"), Some(0.0));
    assert_eq!(incidents(&body, ANALYTICS, "minor"), Some(1.0));
    assert_eq!(incidents(&body, AEM, "major"), Some(1.0));
    assert_eq!(
        value(
            &body,
            &format!(r#"adobe_status_product_worst_severity{{product_id="{ANALYTICS}"}}"#)
        ),
        Some(3.0)
    );

    let page = exporter.page().await;
    assert!(page.contains("1 incident outside your scope"), "{page}");
    assert!(page.contains("London") && !page.contains("Sydney only"));

    // Without a scope, the same world shows all three.
    let unscoped = Exporter::against(&sim, &[]);
    unscoped.ready().await;
    let body = unscoped
        .scrape_until("every incident", |b| {
            b.contains(&format!(r#"incident_id="{apac}""#))
        })
        .await;
    assert_eq!(incidents(&body, ANALYTICS, "major"), Some(1.0));
}

#[tokio::test]
async fn a_region_adobe_does_not_list_is_reported_once_with_the_known_ones() {
    let sim = simulator(Scenario::Empty).await;
    let exporter = Exporter::against(&sim, &["--adobe.region", "APJ"]);
    exporter.ready().await;
    assert!(
        exporter
            .log_appears(r#"--adobe.region \"APJ\" is not a region Adobe lists (known: APAC"#)
            .await,
        "{}",
        exporter.logs()
    );
    // Registry refreshes every second here: still one warning after a few of them.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        exporter.scrape().await;
    }
    assert_eq!(
        exporter
            .logs()
            .matches("is not a region Adobe lists")
            .count(),
        1,
        "{}",
        exporter.logs()
    );
}

#[tokio::test]
async fn a_bad_scope_or_locale_flag_is_refused_before_listening() {
    for (args, needle) in [
        (vec!["--adobe.locale", "fr FR"], "--adobe.locale"),
        (vec!["--adobe.region", " "], "--adobe.region"),
        (
            vec!["--status.history", "41d"],
            "--status.history: must be at most 40d",
        ),
    ] {
        let output = std::process::Command::new(common::BIN)
            .args(["--demo"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

#[tokio::test]
async fn impact_environments_and_the_root_cause_as_adobe_states_them() {
    let sim = simulator(Scenario::Empty).await;
    let products = adobe_get(&sim, "/api/v1/products").await;
    let analytics = products
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == ANALYTICS)
        .unwrap();
    let environment = &analytics["environments"][0];
    let (env_id, env_name) = (
        environment["id"].as_str().unwrap(),
        environment["name"].as_str().unwrap(),
    );
    let control = sim.control();
    let id = control.open_incident(IncidentSpec {
        customer_impact: Some("Most".into()),
        operations_impact: Some("Availability".into()),
        environments: vec![env_id.to_owned()],
        ..incident(&[ANALYTICS], "Minor", "Exports fail", &[])
    });
    let exporter = Exporter::against(&sim, &[]);
    exporter.ready().await;
    let series = format!(r#"incident_id="{id}",product_id="{ANALYTICS}""#);
    let body = exporter
        .scrape_until("the incident", |b| b.contains(&series))
        .await;
    assert!(
        body.contains(&format!(
            r#"adobe_status_incident_info{{{series},incident_severity="minor",title="Exports fail",customer_impact="most",operations_impact="availability",root_cause_url=""}} 1"#
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            r#"adobe_status_incident_environment_impacted{{{series},environment_name="{env_name}"}} 1"#
        )),
        "{body}"
    );

    // Adobe restates the impact, then links its root-cause statement.
    control.update_incident(
        &id,
        IncidentChange {
            customer_impact: Some("Some".into()),
            operations_impact: Some("Performance".into()),
            ..IncidentChange::default()
        },
    );
    control.add_root_cause(&id, "https://status.adobe.com/cfs/CFS42", None);
    let body = exporter
        .scrape_until("the new impact and the statement", |b| {
            b.contains(r#"root_cause_url="https://status.adobe.com/cfs/CFS42""#)
        })
        .await;
    assert!(
        body.contains(r#"customer_impact="some",operations_impact="performance",root_cause_url="https://status.adobe.com/cfs/CFS42"} 1"#),
        "{body}"
    );
}

#[tokio::test]
async fn titles_follow_the_locale_with_english_fallback_even_when_english_is_en_us() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    control.set_english_locale("en-US");
    let translated = control.open_incident(IncidentSpec {
        titles: BTreeMap::from([("fr".to_owned(), "Les exports échouent".to_owned())]),
        ..incident(&[ANALYTICS], "Minor", "Exports fail", &[])
    });
    let english_only = control.open_incident(incident(&[AEM], "Minor", "Login is slow", &[]));

    let french = Exporter::against(&sim, &["--adobe.locale", "fr"]);
    let english = Exporter::against(&sim, &[]);
    french.ready().await;
    english.ready().await;
    let title = |body: &str, id: &str| {
        let prefix = format!(r#"adobe_status_incident_info{{incident_id="{id}","#);
        let line = body.lines().find(|l| l.starts_with(&prefix))?;
        let start = line.find("title=\"")? + "title=\"".len();
        Some(line[start..start + line[start..].find('"')?].to_owned())
    };
    let body = french
        .scrape_until("French titles", |b| {
            title(b, &translated).is_some_and(|t| !t.is_empty())
        })
        .await;
    assert_eq!(
        title(&body, &translated).as_deref(),
        Some("Les exports échouent")
    );
    assert_eq!(
        title(&body, &english_only).as_deref(),
        Some("Login is slow")
    );
    let body = english
        .scrape_until("English titles", |b| {
            title(b, &translated).is_some_and(|t| !t.is_empty())
        })
        .await;
    assert_eq!(title(&body, &translated).as_deref(), Some("Exports fail"));
    assert!(
        !english.logs().contains("not a locale Adobe lists"),
        "{}",
        english.logs()
    );
}

fn recent(body: &str, metric: &str, product: &str, severity: &str) -> f64 {
    value(
        body,
        &format!(
            r#"adobe_status_product_recent_{metric}{{product_id="{product}",incident_severity="{severity}"}}"#
        ),
    )
    .unwrap_or_else(|| panic!("no {metric} for {product}/{severity}"))
}

#[tokio::test]
async fn history_gauges_are_what_a_person_counts_from_the_incidents() {
    let sim = simulator(Scenario::Empty).await;
    let control = sim.control();
    let now = unix_now();
    // Two Major incidents on Analytics ten days ago, overlapping by an hour: 2 incidents, 3 h.
    for (start, end) in [
        (10 * DAY, 10 * DAY - 2 * HOUR),
        (10 * DAY - HOUR, 10 * DAY - 3 * HOUR),
    ] {
        let id = control.open_incident(IncidentSpec {
            started: Some(now - start),
            ..incident(&[ANALYTICS], "Major", "Reports fail", &["EMEA"])
        });
        control.close_incident_at(&id, at(now - end));
    }
    // A Minor one that began 35 days ago and ended an hour into the 30-day window: it did not
    // start in the window, but an hour of it is inside.
    let old = control.open_incident(IncidentSpec {
        started: Some(now - 35 * DAY),
        ..incident(&[ANALYTICS], "Minor", "Slow UI", &[])
    });
    control.close_incident_at(&old, at(now - 30 * DAY + HOUR));
    // APAC only, outside the scope: counted nowhere.
    let apac = control.open_incident(IncidentSpec {
        started: Some(now - 2 * DAY),
        ..incident(&[ANALYTICS], "Major", "Sydney", &["APAC"])
    });
    control.close_incident_at(&apac, at(now - 2 * DAY + 5 * HOUR));
    // Still open on AEM, for 2 hours so far.
    control.open_incident(IncidentSpec {
        started: Some(now - 2 * HOUR),
        ..incident(&[AEM], "Potential", "Investigating", &[])
    });

    let exporter = Exporter::against(&sim, &["--adobe.region", "EMEA"]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the history", |b| {
            b.contains("adobe_status_product_recent_incidents{")
        })
        .await;
    assert_eq!(recent(&body, "incidents", ANALYTICS, "major"), 2.0);
    assert_eq!(
        recent(&body, "impact_seconds", ANALYTICS, "major"),
        3.0 * 3600.0
    );
    assert_eq!(recent(&body, "incidents", ANALYTICS, "minor"), 0.0);
    let minor = recent(&body, "impact_seconds", ANALYTICS, "minor");
    // The window ends at the exporter's refresh, seconds after `now`.
    assert!((3570.0..=3600.0).contains(&minor), "{minor}");
    assert_eq!(recent(&body, "incidents", AEM, "potential"), 1.0);
    let open = recent(&body, "impact_seconds", AEM, "potential");
    assert!((7200.0..7300.0).contains(&open), "{open}");
    assert_eq!(
        recent(&body, "incidents", "503491", "major"),
        0.0,
        "zero-filled"
    );

    let page = exporter.page().await;
    assert!(page.contains("Resolved in the last 30 days"), "{page}");
    assert!(
        page.contains("Reports fail") && !page.contains("Sydney"),
        "{page}"
    );
}

/// Epoch seconds of one of the simulator's timestamp strings (RFC 3339, zone-less ISO, or
/// epoch milliseconds), parsed here independently of the exporter.
fn seconds_of(value: &Value) -> Option<f64> {
    let text = value.as_str()?;
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms as f64 / 1000.0);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis() as f64 / 1000.0);
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp() as f64)
}

#[tokio::test]
async fn over_the_live_months_history_the_counts_match_the_events_body() {
    let sim = simulator(Scenario::Live).await;
    let exporter = Exporter::against(
        &sim,
        &[
            "--status.min-interval=60s",
            "--status.registry-interval=60s",
        ],
    );
    exporter.ready().await;
    let body = exporter.scrape().await;
    let refreshed = value(&body, "adobe_status_last_success_timestamp_seconds").unwrap();
    let events = adobe_get(&sim, "/api/v1/events").await;
    // By hand: every (incident, product) whose startedOn is within the 30 days before the
    // refresh, by the product's severity.
    let from = refreshed - 30.0 * 86_400.0;
    let mut expected: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut near_the_edge = false;
    for incident in events["incidents"].as_array().unwrap() {
        for product in incident["products"].as_array().unwrap() {
            let Some(start) = seconds_of(&product["startedOn"]) else {
                continue;
            };
            near_the_edge |= (start - from).abs() < 120.0;
            if start >= from && start <= refreshed {
                let key = (
                    product["id"].as_str().unwrap().to_owned(),
                    product["severity"].as_str().unwrap().to_lowercase(),
                );
                *expected.entry(key).or_default() += 1;
            }
        }
    }
    assert!(
        !near_the_edge,
        "an incident starts at the window's edge: pick another seed"
    );
    assert!(
        expected.values().sum::<u32>() >= 10,
        "a month of history: {expected:?}"
    );
    let mut seen = 0;
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("adobe_status_product_recent_incidents{product_id=\"")
        else {
            continue;
        };
        let (product, rest) = rest.split_once('"').unwrap();
        let severity = rest
            .strip_prefix(",incident_severity=\"")
            .and_then(|r| r.split_once('"'))
            .unwrap()
            .0;
        let got: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        let want = expected
            .get(&(product.to_owned(), severity.to_owned()))
            .copied()
            .unwrap_or(0);
        assert_eq!(got, f64::from(want), "{product}/{severity}");
        seen += 1;
    }
    assert!(seen >= 6 * 66, "every product × severity: {seen}");
}

#[tokio::test]
async fn with_the_registry_restored_at_start_an_unlisted_region_is_refused() {
    let sim = simulator(Scenario::Empty).await;
    let dir = std::env::temp_dir().join(format!("ase-e2e-impact-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state");
    let flags = [
        format!("--status.state-file={}", state.display()),
        "--adobe.region=APJ".into(),
    ];
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();

    // First start: the registry is not known yet, so a warning; the file then holds it.
    let mut first = Exporter::against(&sim, &flags);
    first.ready().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !state.exists() {
        assert!(std::time::Instant::now() < deadline, "no state file");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        first.logs().contains("is not a region Adobe lists"),
        "{}",
        first.logs()
    );
    first.terminate();

    // Second start: the registry is read back before listening, so the flag is refused.
    let mut child = std::process::Command::new(common::BIN)
        .args([
            "--adobe.client-id",
            CLIENT_ID,
            &format!("--adobe.ims-url={}", sim.ims_url()),
            &format!("--adobe.status-url={}", sim.status_url()),
            &format!("--web.listen-address=127.0.0.1:{}", common::free_port()),
        ])
        .args(&flags)
        .env("ADOBE_CLIENT_SECRET", SECRET)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the exporter started with an unlisted region");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    let refusal: Vec<&str> = stderr.lines().filter(|l| l.contains("APJ")).collect();
    assert_eq!(refusal.len(), 1, "{stderr}");
    assert!(
        refusal[0].contains(r#"--adobe.region "APJ" is not a region Adobe lists (known: APAC (Asia Pacific), Americas"#),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
