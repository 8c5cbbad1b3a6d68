//! The page on plain snapshots: escaping, ordering, what is never shown, the no-data state.

use std::collections::BTreeMap;

use super::*;
use crate::model::{parse_list, parse_object};
use crate::snapshot::{
    self, CustomerImpact, IncidentSeries, MaintenanceSeries, OperationsImpact, ProductStatus,
    Registry, RegistryParts, Watch,
};

const NOW: f64 = 1_800_000_000.0;
const HOSTILE: &str = "<img src=x onerror=alert(1)>";

fn product(name: &str) -> ProductStatus {
    let mut product = ProductStatus::default();
    product.name = name.into();
    product.cloud_name = "Adobe Experience Cloud".into();
    product
}

/// An incident on product `p1`.
fn incident(id: &str, severity: Severity, title: &str, started: Option<f64>) -> IncidentSeries {
    IncidentSeries {
        incident_id: id.to_owned(),
        product_id: "p1".to_owned(),
        severity,
        title: title.to_owned(),
        started,
        regions: vec!["Europe".to_owned()],
        services: vec!["Reporting".to_owned()],
        environments: Vec::new(),
        customer_impact: CustomerImpact::Unknown,
        operations_impact: OperationsImpact::Unknown,
        root_cause_url: String::new(),
    }
}

fn healthy() -> Health {
    Health {
        now: NOW + 30.0,
        up: true,
        last_refresh: LastRefresh::Succeeded { at: NOW },
        token_expiry: Some(NOW + 86_400.0),
        upstream_requests: 12,
        upstream_throttled: 1,
        refresh_failures: 0,
    }
}

fn links() -> Links {
    Links {
        telemetry_path: "/custom/metrics".to_owned(),
    }
}

fn page(snapshot: &Snapshot, health: &Health) -> String {
    let part = AdobePart::render(snapshot, NOW);
    Page::assemble(Some(&part), health, &links()).to_html()
}

#[test]
fn upstream_markup_is_shown_as_text_never_as_markup() {
    let snapshot = Snapshot {
        products: BTreeMap::from([("p1".into(), product(HOSTILE))]),
        incidents: vec![incident("i1", Severity::Major, HOSTILE, Some(NOW - 60.0))],
        maintenances: vec![MaintenanceSeries {
            maintenance_id: "m1".to_owned(),
            product_id: "p1".to_owned(),
            state: MaintenanceState::InProgress,
            maintenance_type: "urgent",
            title: "\"><script>alert(2)</script>".to_owned(),
            start: Some(NOW - 600.0),
            end: Some(NOW + 2400.0),
        }],
        ..Snapshot::default()
    };
    let html = page(&snapshot, &healthy());
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
}

#[test]
fn a_hostile_telemetry_path_stays_inside_its_attribute() {
    let part = AdobePart::render(&Snapshot::default(), NOW);
    let links = Links {
        telemetry_path: "/m\"><script>x</script>".to_owned(),
    };
    let html = Page::assemble(Some(&part), &healthy(), &links).to_html();
    assert!(
        html.contains("href=\"/m&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""),
        "{html}"
    );
    assert!(!html.contains("<script"));
}

#[test]
fn incidents_are_ordered_worst_first_then_newest_first() {
    let snapshot = Snapshot {
        products: BTreeMap::from([("p1".into(), product("Analytics"))]),
        incidents: vec![
            incident("a", Severity::Minor, "title-minor-newest", Some(NOW - 10.0)),
            incident("b", Severity::Major, "title-major-old", Some(NOW - 7200.0)),
            incident("c", Severity::Major, "title-major-unknown-start", None),
            incident("d", Severity::Major, "title-major-new", Some(NOW - 60.0)),
            incident("e", Severity::Trivial, "title-trivial", Some(NOW - 5.0)),
        ],
        maintenances: Vec::new(),
        ..Snapshot::default()
    };
    let html = page(&snapshot, &healthy());
    // Titles are unique on the page (the stylesheet names the severities too).
    let position = |title: &str| {
        html.find(title)
            .unwrap_or_else(|| panic!("{title} missing"))
    };
    let order = [
        "title-major-new",
        "title-major-old",
        "title-major-unknown-start",
        "title-minor-newest",
        "title-trivial",
    ];
    for pair in order.windows(2) {
        assert!(position(pair[0]) < position(pair[1]), "{pair:?}");
    }
    let part = AdobePart::render(&snapshot, NOW);
    assert_eq!(part.summary().worst, Some(Severity::Major));
    assert_eq!(part.summary().incidents, 5);
    assert_eq!(part.summary().affected_products, 1);
}

/// An open and a closed incident through the real derivation: only the open one is shown.
#[test]
fn closed_incidents_are_never_shown() {
    let messages = parse_list(
        "messages",
        br#"[{"languageCode":"en","incidentMessages":{
              "open":{"textMessage":"Reports are delayed"},
              "closed":{"textMessage":"Logins failed earlier"}}}]"#,
    )
    .unwrap();
    let products = parse_list("products", br#"[{"id":"p1","name":"Adobe Analytics"}]"#).unwrap();
    let registry = Registry::build(&RegistryParts {
        products: Some(products),
        messages: Some(messages),
        ..RegistryParts::default()
    });
    let events = parse_object(
        "events",
        br#"{"incidents":[
          {"id":"i1","products":[{"id":"p1","severity":"Major","status":"Opened",
            "history":[{"status":"Opened","titleToken":"open"}]}]},
          {"id":"i2","products":[{"id":"p1","severity":"Major","status":"Closed",
            "history":[{"status":"Closed","titleToken":"closed"}]}]}]}"#,
    )
    .unwrap();
    let snapshot = snapshot::derive(&registry, &events, &[], &Watch::all(), NOW);
    let html = page(&snapshot, &healthy());
    assert!(html.contains("Reports are delayed"), "{html}");
    assert!(!html.contains("Logins failed earlier"), "{html}");
    assert!(
        html.contains("1 ongoing incident on 1 of 1 watched product"),
        "{html}"
    );
}

#[test]
fn maintenances_say_when_relative_to_the_refresh() {
    let maintenance = |id: &str, product: &str, state, start: f64, end: f64| MaintenanceSeries {
        maintenance_id: id.to_owned(),
        product_id: product.to_owned(),
        state,
        maintenance_type: "normal",
        title: format!("title-{id}"),
        start: Some(start),
        end: Some(end),
    };
    let snapshot = Snapshot {
        products: BTreeMap::from([
            ("p1".into(), product("Analytics")),
            ("p2".into(), product("Target")),
        ]),
        incidents: Vec::new(),
        maintenances: vec![
            maintenance(
                "m1",
                "p1",
                MaintenanceState::Scheduled,
                NOW + 3.0 * 3600.0,
                NOW + 5.0 * 3600.0,
            ),
            maintenance(
                "m2",
                "p1",
                MaintenanceState::InProgress,
                NOW - 1200.0,
                NOW + 2400.0,
            ),
            maintenance(
                "m2",
                "p2",
                MaintenanceState::InProgress,
                NOW - 1200.0,
                NOW + 2400.0,
            ),
        ],
        ..Snapshot::default()
    };
    let part = AdobePart::render(&snapshot, NOW);
    let html = Page::assemble(Some(&part), &healthy(), &links()).to_html();
    assert!(
        html.contains("started 20 min ago, ends in 40 min"),
        "{html}"
    );
    assert!(html.contains("starts in 3 h, lasts 2 h"), "{html}");
    // One card per maintenance, listing every watched product it covers.
    assert!(html.contains("Analytics, Target"), "{html}");
    assert_eq!(html.matches("title-m2").count(), 1);
    assert!(
        html.find("title-m2") < html.find("title-m1"),
        "in progress first"
    );
    assert_eq!(part.summary().maintenances_in_progress, 1);
    assert_eq!(part.summary().maintenances_scheduled, 1);
    assert!(html.contains("No ongoing incidents on the 2 watched products"));
}

#[test]
fn before_the_first_refresh_the_page_says_there_is_no_data() {
    let health = Health {
        up: false,
        last_refresh: LastRefresh::Failed {
            reason: "timeout",
            at: NOW,
        },
        token_expiry: None,
        ..healthy()
    };
    let html = Page::assemble(None, &health, &links()).to_html();
    assert!(html.contains("No data yet"), "{html}");
    assert!(html.contains("The last refresh failed"), "{html}");
    assert!(html.contains("<code>timeout</code>"), "{html}");
    assert!(html.contains("no token yet"));
    assert!(!html.contains("Ongoing incidents"));
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn after_a_failure_the_last_good_data_is_shown_with_its_age_and_the_reason() {
    let snapshot = Snapshot {
        products: BTreeMap::from([("p1".into(), product("Analytics"))]),
        incidents: vec![incident(
            "i1",
            Severity::Minor,
            "still here",
            Some(NOW - 60.0),
        )],
        maintenances: Vec::new(),
        ..Snapshot::default()
    };
    let health = Health {
        now: NOW + 600.0,
        up: false,
        last_refresh: LastRefresh::Failed {
            reason: "upstream_5xx",
            at: NOW + 540.0,
        },
        ..healthy()
    };
    let html = page(&snapshot, &health);
    assert!(html.contains("still here"));
    assert!(
        html.contains("Showing the last good data, 10 min old."),
        "{html}"
    );
    assert!(html.contains("<strong class=\"up\">0</strong>"), "{html}");
    assert!(html.contains("upstream_5xx"));
}

#[test]
fn health_links_to_the_configured_telemetry_path() {
    let html = page(&Snapshot::default(), &healthy());
    assert!(html.contains("href=\"/custom/metrics\""), "{html}");
    assert!(html.contains("href=\"/-/healthy\""));
    assert!(html.contains("href=\"/-/ready\""));
    assert!(html.contains(concat!(
        env!("CARGO_PKG_REPOSITORY"),
        "#dashboards-and-alerts"
    )));
    assert!(html.contains("12 since start, 1 throttled"));
}

#[test]
fn the_gzip_page_decompresses_to_the_plain_page() {
    use std::io::Read;
    let snapshot = Snapshot {
        products: BTreeMap::from([("p1".into(), product("Analytics"))]),
        incidents: vec![incident("i1", Severity::Major, "gzip me", Some(NOW))],
        maintenances: Vec::new(),
        ..Snapshot::default()
    };
    let part = AdobePart::render(&snapshot, NOW);
    for adobe in [Some(&part), None] {
        let page = Page::assemble(adobe, &healthy(), &links());
        let chunks = page.gzip_chunks().unwrap().unwrap();
        let compressed: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
        let mut text = String::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, page.to_html());
    }
}
