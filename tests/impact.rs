//! "Is it us?" end to end: the real binary against the simulator, for impact, scope, language
//! and history (README "Scope, language and history").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use adobe_status_sim::{IncidentSpec, Scenario};
use common::{simulator, value, Exporter};

const ANALYTICS: &str = "503467";
const AEM: &str = "503470";

fn incident(products: &[&str], severity: &str, title: &str, regions: &[&str]) -> IncidentSpec {
    IncidentSpec {
        product_ids: products.iter().map(|p| p.to_string()).collect(),
        severity: severity.into(),
        title: title.into(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        service_ids: vec![],
    }
}

fn incidents(body: &str, product: &str, severity: &str) -> Option<f64> {
    value(
        body,
        &format!(
            r#"adobe_status_product_incidents{{product_id="{product}",incident_severity="{severity}"}}"#
        ),
    )
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

    let page = reqwest::get(exporter.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
