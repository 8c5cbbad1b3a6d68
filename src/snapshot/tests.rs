//! Derivation rules on plain data (docs/adobe-status-api.md §7; pitfalls 2, 3, 5, 7–11).

use super::*;
use crate::model::{parse_list, parse_object};
use std::sync::Arc;

const NOW: f64 = 1_800_000_000.0;

fn registry() -> Registry {
    let clouds = parse_list(
        "clouds",
        br#"[{"id":"503461","name":"Adobe Experience Cloud",
              "cloudProducts":[{"id":"503462","name":"Adobe Analytics"},{"id":"503472","name":"AEM"}]}]"#,
    )
    .unwrap();
    let products = parse_list(
        "products",
        br#"[{"id":"503462","name":"Adobe Analytics",
              "productServices":[{"id":"s1","name":"Reporting"},{"id":"s2","name":"Data Collection"}]},
             {"id":"503472","name":"Adobe Experience Manager","productServices":[]},
             {"id":"503491","name":"Adobe Marketo Engage"}]"#,
    )
    .unwrap();
    let regions = parse_list(
        "regions",
        br#"[{"id":"EMEA","name":"Europe"},{"id":"APAC","name":"Asia Pacific"},{"id":"Americas","name":"Americas"}]"#,
    )
    .unwrap();
    let messages = parse_list(
        "messages",
        br#"[{"languageCode":"fr","incidentMessages":{"t1":{"textMessage":"Probl\u00e8me"}}},
             {"languageCode":"en","incidentMessages":{"t1":{"textMessage":"Reports\nare delayed"}},
              "maintenanceMessages":{"m1":{"textMessage":"Upgrade from {startDateTime} to {endDateTime}"}}}]"#,
    )
    .unwrap();
    Registry::build(&RegistryParts {
        clouds: Some(clouds),
        products: Some(products),
        regions: Some(regions),
        messages: Some(messages),
        ..RegistryParts::default()
    })
}

fn events(body: &str) -> Events {
    parse_object("events", body.as_bytes()).unwrap()
}

fn derive_all(body: &str) -> Snapshot {
    derive(&registry(), &events(body), &[], &Watch::all(), NOW)
}

fn counts(s: &Snapshot, product: &str) -> Vec<(&'static str, u32)> {
    let p = &s.products[product];
    Severity::ALL
        .iter()
        .filter(|sev| p.incidents(**sev) > 0)
        .map(|sev| (sev.label(), p.incidents(*sev)))
        .collect()
}

#[test]
fn every_registry_product_is_present_and_healthy_without_events() {
    let s = derive_all("{}");
    assert_eq!(s.products.len(), 3);
    let analytics = &s.products["503462"];
    assert_eq!(analytics.name, "Adobe Analytics");
    assert_eq!(analytics.cloud_id, "503461");
    assert_eq!(analytics.cloud_name, "Adobe Experience Cloud");
    assert_eq!(analytics.worst_severity(), 0);
    assert_eq!(analytics.services.len(), 2);
    // Not in any cloud's product list: cloud labels empty, product still there.
    assert_eq!(s.products["503491"].cloud_id, "");
    assert!(s.incidents.is_empty() && s.maintenances.is_empty());
}

#[test]
fn counts_ongoing_per_product_and_severity_and_skips_closed() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"i1","products":[
             {"id":"503462","severity":"Major","status":"Opened"},
             {"id":"503472","severity":"Minor","status":"Closed","endedOn":"2020-01-01T00:00:00Z"}]},
          {"id":"i2","products":[{"id":"503462","severity":"minor","status":"OPENED"}]},
          {"id":"i3","products":[{"id":"503462","severity":"Major","status":"Closed"}]},
          {"id":"i4","products":[{"id":"503472","severity":"Potential","status":"Opened"}]}
        ]}"#,
    );
    assert_eq!(counts(&s, "503462"), [("major", 1), ("minor", 1)]);
    assert_eq!(s.products["503462"].worst_severity(), 4);
    assert_eq!(counts(&s, "503472"), [("potential", 1)]);
    assert_eq!(s.products["503472"].worst_severity(), 2);
    let pairs: Vec<_> = s
        .incidents
        .iter()
        .map(|i| (i.incident_id.as_str(), i.product_id.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [("i1", "503462"), ("i2", "503462"), ("i4", "503472")]
    );
}

#[test]
fn unknown_severity_is_its_own_bucket() {
    let s = derive_all(
        r#"{"incidents":[{"id":"i1","products":[{"id":"503462","severity":"Catastrophic","status":"Opened"}]}]}"#,
    );
    assert_eq!(counts(&s, "503462"), [("unknown", 1)]);
    assert_eq!(s.incidents[0].severity, Severity::Unknown);
    assert_eq!(
        s.products["503462"].worst_severity(),
        Severity::Unknown.rank()
    );
}

#[test]
fn severity_and_status_fall_back_to_latest_history() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"a","products":[{"id":"503462","severity":"Empty","status":"Empty","history":[
             {"status":"Closed","severity":"Minor","messageTime":"2026-01-01T00:00:00Z"},
             {"status":"Discovery","severity":"Major","messageTime":"2026-01-02T00:00:00Z"}]}]},
          {"id":"b","products":[{"id":"503472","history":[
             {"status":"Opened","severity":"Minor","messageTime":1700000100},
             {"status":"Dismissed","severity":"Minor","messageTime":1700000200}]}]},
          {"id":"c","products":[{"id":"503491","status":"Empty"}]}
        ]}"#,
    );
    assert_eq!(counts(&s, "503462"), [("major", 1)]);
    assert!(
        counts(&s, "503472").is_empty(),
        "dismissed in latest history"
    );
    assert!(
        counts(&s, "503491").is_empty(),
        "no evidence of an open incident"
    );
}

#[test]
fn ended_on_in_the_past_closes_and_unknown_status_without_end_stays_open() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"a","products":[{"id":"503462","severity":"Major","status":"Opened","endedOn":"2020-01-01"}]},
          {"id":"b","products":[{"id":"503472","severity":"Minor","status":"Investigating"}]},
          {"id":"c","products":[{"id":"503491","severity":"Minor","status":"Reopened","endedOn":""}]}
        ]}"#,
    );
    assert!(counts(&s, "503462").is_empty());
    assert_eq!(counts(&s, "503472"), [("minor", 1)]);
    assert_eq!(counts(&s, "503491"), [("minor", 1)]);
}

#[test]
fn same_product_twice_in_one_incident_counts_once() {
    let s = derive_all(
        r#"{"incidents":[{"id":"a","products":[
            {"id":"503462","severity":"Minor","status":"Opened"},
            {"id":"503462","severity":"Major","status":"Opened"}]}]}"#,
    );
    assert_eq!(s.products["503462"].ongoing_incidents(), 1);
    assert_eq!(s.incidents.len(), 1);
}

#[test]
fn services_from_history_then_event_restricted_to_registry() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"a","services":[{"id":"s1","name":"Reporting"},{"id":"x9","name":"Other product's"}],
           "products":[{"id":"503462","severity":"Minor","status":"Opened"}]},
          {"id":"b","services":[{"id":"s1"}],
           "products":[{"id":"503462","severity":"Major","status":"Opened","history":[
              {"status":"Opened","serviceImpact":{"productServices":["s2"]}}]}]},
          {"id":"c","services":[{"id":"n1","name":"New service"}],
           "products":[{"id":"503472","severity":"Trivial","status":"Opened"},
                       {"id":"900001","name":"Brand New Product","severity":"Minor","status":"Opened"}]}
        ]}"#,
    );
    let analytics = &s.products["503462"].services;
    assert_eq!(analytics.get("s1").unwrap().worst_severity, 3);
    assert_eq!(analytics.get("s2").unwrap().worst_severity, 4);
    assert!(
        analytics.get("x9").is_none(),
        "not a service of this product"
    );
    // The registry lists no services for AEM: take the event's list with its names.
    let aem = &s.products["503472"].services;
    assert_eq!(aem.get("n1").unwrap().name, "New service");
    assert_eq!(aem.get("n1").unwrap().worst_severity, 1);
    // Unknown to the registry: shown under the event's own name.
    let new = &s.products["900001"];
    assert_eq!(new.name, "Brand New Product");
    assert_eq!(new.worst_severity(), 3);
    assert_eq!(new.services.get("n1").unwrap().worst_severity, 3);
    // Each incident carries the names of the services it hits, for the status page.
    let services_of = |incident: &str, product: &str| {
        s.incidents
            .iter()
            .find(|i| i.incident_id == incident && i.product_id == product)
            .map(|i| i.services.clone())
    };
    assert_eq!(
        services_of("a", "503462"),
        Some(vec!["Reporting".to_owned()])
    );
    assert_eq!(
        services_of("b", "503462"),
        Some(vec!["Data Collection".to_owned()])
    );
    assert_eq!(
        services_of("c", "503472"),
        Some(vec!["New service".to_owned()])
    );
}

#[test]
fn regions_from_history_then_event_then_all() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"a","region":[{"id":"APAC"}],"products":[{"id":"503462","severity":"Minor","status":"Opened",
             "history":[{"locationImpact":{"serviceRegions":["EMEA","Mars"]}}]}]},
          {"id":"b","region":[{"id":"APAC"}],"products":[{"id":"503472","severity":"Minor","status":"Opened"}]},
          {"id":"c","products":[{"id":"503491","severity":"Minor","status":"Opened"}]}
        ]}"#,
    );
    let regions: Vec<_> = s.incidents.iter().map(|i| i.regions.clone()).collect();
    assert_eq!(regions[0], ["Europe", "Mars"]);
    assert_eq!(regions[1], ["Asia Pacific"]);
    assert_eq!(regions[2], [ALL_REGIONS]);
}

#[test]
fn titles_come_from_english_messages_cleaned() {
    let s = derive_all(
        r#"{"incidents":[{"id":"a","products":[{"id":"503462","severity":"Minor","status":"Opened",
             "startedOn":"2026-11-23T08:00:00Z",
             "history":[{"titleToken":"t1","messageTime":"1"},{"titleToken":"missing","messageTime":"2"}]}]}]}"#,
    );
    assert_eq!(s.incidents[0].title, "Reports are delayed");
    assert_eq!(s.incidents[0].started, Some(1_795_420_800.0));
}

#[test]
fn long_titles_are_bounded() {
    let long = "word ".repeat(200);
    let title = clean_title(&long);
    assert!(title.chars().count() <= MAX_TITLE_CHARS + 1);
    assert!(title.ends_with('…'));
    assert_eq!(clean_title("  a\n\tb  "), "a b");
}

#[test]
fn maintenances_dedup_by_id_and_classify_by_own_status() {
    let ongoing = events(
        r#"{"maintenances":[
          {"id":"m1","status":"Started","maintenanceType":"Urgent","startedOn":"1799999000",
           "completedOn":"1800003600","products":[{"id":"503462","history":[{"titleToken":"m1","messageTime":5}]}]},
          {"id":"m3","status":"Completed","products":[{"id":"503462"}]}
        ]}"#,
    );
    let scheduled: Vec<Maintenance> = parse_list(
        "scheduled",
        br#"[{"id":"m1","status":"Scheduled","products":[{"id":"503462"}]},
             {"id":"m2","status":"Scheduled","maintenanceType":"Normal","scheduledDate":"1800100000","products":[{"id":"503462"},{"id":"503472"}]},
             {"id":"m4","status":"Empty","scheduledDate":"1800200000","products":[{"id":"503491"}]},
             {"id":"m5","status":"Canceled","products":[{"id":"503491"}]},
             {"id":"m6","status":"Started","products":[{"id":"503472"}]}]"#,
    )
    .unwrap();
    let s = derive(&registry(), &ongoing, &scheduled, &Watch::all(), NOW);
    let p = |id: &str| {
        let p = &s.products[id];
        (p.maintenances_in_progress, p.maintenances_scheduled)
    };
    assert_eq!(p("503462"), (1, 1));
    assert_eq!(p("503472"), (1, 1));
    assert_eq!(p("503491"), (0, 1));
    let m1 = &s.maintenances[0];
    assert_eq!(
        (m1.maintenance_id.as_str(), m1.state),
        ("m1", MaintenanceState::InProgress)
    );
    assert_eq!(m1.maintenance_type, "urgent");
    assert_eq!(
        m1.title,
        "Upgrade from 2027-01-15T07:43:20Z to 2027-01-15T09:00:00Z"
    );
    assert_eq!(m1.end, Some(1_800_003_600.0));
    let m4 = s
        .maintenances
        .iter()
        .find(|m| m.maintenance_id == "m4")
        .unwrap();
    assert_eq!(m4.state, MaintenanceState::Scheduled);
    assert_eq!(m4.maintenance_type, "unspecified");
    assert_eq!(m4.start, Some(1_800_200_000.0));
}

#[test]
fn a_finished_copy_beats_a_scheduled_copy_of_the_same_maintenance() {
    let ongoing = events(
        r#"{"maintenances":[{"id":"m1","status":"Completed","products":[{"id":"503462"}]}]}"#,
    );
    let scheduled: Vec<Maintenance> = parse_list(
        "s",
        br#"[{"id":"m1","status":"Scheduled","products":[{"id":"503462"}]}]"#,
    )
    .unwrap();
    let s = derive(&registry(), &ongoing, &scheduled, &Watch::all(), NOW);
    assert_eq!(s.products["503462"].maintenances_scheduled, 0);
    assert!(s.maintenances.is_empty());
}

#[test]
fn maintenance_with_empty_status_uses_history_then_dates() {
    let ongoing = events(
        r#"{"maintenances":[
          {"id":"a","status":"Empty","products":[{"id":"503462","history":[
              {"status":"Scheduled","messageTime":1},{"status":"Started","messageTime":2}]}]},
          {"id":"b","startedOn":"1799990000","products":[{"id":"503472"}]},
          {"id":"c","startedOn":"1799990000","completedOn":"1799999999","products":[{"id":"503491"}]}
        ]}"#,
    );
    let s = derive(&registry(), &ongoing, &[], &Watch::all(), NOW);
    assert_eq!(s.products["503462"].maintenances_in_progress, 1);
    assert_eq!(s.products["503472"].maintenances_in_progress, 1);
    assert_eq!(s.products["503491"].maintenances_in_progress, 0);
}

#[test]
fn watch_list_filters_events_and_keeps_unknown_watched_ids() {
    let watch = Watch::only(["503462".to_owned(), "777".to_owned()]);
    let e = events(
        r#"{"incidents":[{"id":"a","products":[
            {"id":"503462","severity":"Minor","status":"Opened"},
            {"id":"503472","severity":"Major","status":"Opened"}]}]}"#,
    );
    let s = derive(&registry(), &e, &[], &watch, NOW);
    let ids: Vec<_> = s.products.keys().cloned().collect();
    assert_eq!(ids, ["503462", "777"]);
    assert_eq!(s.products["777"].name, "777");
    assert_eq!(s.incidents.len(), 1);
}

#[test]
fn without_registry_products_come_from_events() {
    let e = events(
        r#"{"incidents":[{"id":"a","products":[{"id":"1","name":"Name \"q\" \\ é","severity":"Major","status":"Opened"}]}]}"#,
    );
    let s = derive(&Registry::default(), &e, &[], &Watch::all(), NOW);
    assert_eq!(s.products["1"].name, "Name \"q\" \\ é");
    assert_eq!(s.products["1"].worst_severity(), 4);
}

#[test]
fn incident_without_id_still_counts() {
    let s = derive_all(
        r#"{"incidents":[{"products":[{"id":"503462","severity":"Major","status":"Opened"}]}]}"#,
    );
    assert_eq!(counts(&s, "503462"), [("major", 1)]);
    assert!(s.incidents.is_empty());
}

#[test]
fn unknown_title_tokens_of_ongoing_events_are_noticed() {
    let registry = registry();
    let with = |token: &str, status: &str| {
        events(&format!(
            r#"{{"incidents":[{{"id":"a","products":[{{"id":"503462","severity":"Minor","status":"{status}",
                "history":[{{"titleToken":"{token}"}}]}}]}}]}}"#
        ))
    };
    assert!(!has_unknown_title_tokens(
        &registry,
        &with("t1", "Opened"),
        &[],
        NOW
    ));
    assert!(has_unknown_title_tokens(
        &registry,
        &with("t-new", "Opened"),
        &[],
        NOW
    ));
    assert!(
        !has_unknown_title_tokens(&registry, &with("t-new", "Closed"), &[], NOW),
        "closed ones do not count"
    );
    let scheduled: Vec<Maintenance> = parse_list(
        "s",
        br#"[{"id":"m","status":"Scheduled","products":[{"id":"503462","history":[{"titleToken":"m-new"}]}]}]"#,
    )
    .unwrap();
    assert!(has_unknown_title_tokens(
        &registry,
        &events("{}"),
        &scheduled,
        NOW
    ));
}

#[test]
fn updating_one_part_rebuilds_it_and_shares_the_others() {
    let full = registry();
    let regions = parse_list("regions", br#"[{"id":"EMEA","name":"Europa"}]"#).unwrap();
    let updated = full.updated(&RegistryParts {
        regions: Some(regions),
        ..RegistryParts::default()
    });
    // The new part replaces the old one as a whole.
    assert_eq!(updated.region_name("EMEA"), Some("Europa"));
    assert_eq!(updated.region_name("APAC"), None);
    // The other parts are the very same tables, not copies.
    assert!(Arc::ptr_eq(&full.products, &updated.products));
    assert_eq!(
        updated.cloud_of("503462"),
        ("503461".into(), "Adobe Experience Cloud".into())
    );
    assert!(updated.knows_title("t1", false));
    assert!(updated.knows_title("m1", true));
    // An empty update changes nothing; building from nothing knows nothing.
    let same = updated.updated(&RegistryParts::default());
    assert_eq!(same.region_name("EMEA"), Some("Europa"));
    assert!(Arc::ptr_eq(&same.products, &updated.products));
    let empty = Registry::build(&RegistryParts::default());
    assert!(empty.products.is_empty());
    assert_eq!(empty.region_name("EMEA"), None);
    assert!(!empty.knows_title("t1", false));
}

#[test]
fn titles_prefer_english_then_the_first_catalogue() {
    let messages = parse_list(
        "messages",
        br#"[{"languageCode":"fr","incidentMessages":{"t1":{"textMessage":"Probl\u00e8me"},"t2":{"textMessage":"Seulement"}}},
             {"languageCode":"en-US","incidentMessages":{"t1":{"textMessage":"Problem"}}}]"#,
    )
    .unwrap();
    let registry = Registry::build(&RegistryParts {
        messages: Some(messages),
        ..RegistryParts::default()
    });
    assert_eq!(registry.title("t1", false).unwrap(), "Problem");
    assert_eq!(registry.title("t2", false).unwrap(), "Seulement");
}

// === Impact, scope, locale and history (issue 22) ===

/// The test registry plus environments on 503462 (one per region).
fn registry_with_environments() -> Registry {
    let products = parse_list(
        "products",
        br#"[{"id":"503462","name":"Adobe Analytics",
              "environments":[{"id":"env-emea","name":"Prod EU","regionId":["EMEA"]},
                              {"id":"env-apac","name":"Prod SYD","regionId":["APAC"]}]},
             {"id":"503472","name":"Adobe Experience Manager"}]"#,
    )
    .unwrap();
    registry().updated(&RegistryParts {
        products: Some(products),
        ..RegistryParts::default()
    })
}

/// One ongoing Major incident on 503462 per region list (`[]` names none).
fn incidents_by_region(lists: &[(&str, &[&str])]) -> Events {
    let incidents: Vec<String> = lists
        .iter()
        .map(|(id, regions)| {
            let regions: Vec<String> = regions
                .iter()
                .map(|r| format!(r#"{{"id":"{r}"}}"#))
                .collect();
            format!(
                r#"{{"id":"{id}","region":[{}],"products":[{{"id":"503462","severity":"Major","status":"Opened","startedOn":"1799990000"}}]}}"#,
                regions.join(",")
            )
        })
        .collect();
    events(&format!(r#"{{"incidents":[{}]}}"#, incidents.join(",")))
}

fn ids(s: &Snapshot) -> Vec<&str> {
    s.incidents.iter().map(|i| i.incident_id.as_str()).collect()
}

#[test]
fn impacts_come_from_the_newest_entry_that_states_them() {
    let s = derive_all(
        r#"{"incidents":[{"id":"a","products":[{"id":"503462","severity":"Minor","status":"Opened","history":[
            {"messageTime":"1799990000","customerImpact":"Some","operationsImpact":"Performance"},
            {"messageTime":"1799990600","customerImpact":"MOST","operationsImpact":"Empty"},
            {"messageTime":"1799991200","messageType":"Custom"}]}]},
          {"id":"b","products":[{"id":"503462","severity":"Minor","status":"Opened","history":[
            {"customerImpact":"High","operationsImpact":"Unknown"}]}]},
          {"id":"c","products":[{"id":"503462","severity":"Minor","status":"Opened"}]}]}"#,
    );
    let impact = |id: &str| {
        let i = s.incidents.iter().find(|i| i.incident_id == id).unwrap();
        (i.customer_impact.label(), i.operations_impact.label())
    };
    assert_eq!(impact("a"), ("most", "performance"));
    assert_eq!(
        impact("b"),
        ("unknown", "unknown"),
        "a value Adobe adds later"
    );
    assert_eq!(impact("c"), ("unknown", "unknown"), "not stated at all");
}

#[test]
fn environments_are_named_from_the_registry_then_the_event() {
    let s = derive(
        &registry_with_environments(),
        &events(
            r#"{"incidents":[{"id":"a","environment":[{"id":"env-x","name":"Stage X"}],
                "products":[{"id":"503462","severity":"Major","status":"Opened","history":[
                  {"locationImpact":{"serviceRegions":["EMEA"],"serviceEnvironments":["env-emea","env-x","env-unnamed"]}}]}]},
              {"id":"b","products":[{"id":"503462","severity":"Major","status":"Opened"}]}]}"#,
        ),
        &[],
        &Watch::all(),
        NOW,
    );
    assert_eq!(
        s.incidents[0].environments,
        ["Prod EU", "Stage X", "env-unnamed"]
    );
    assert_eq!(s.incidents[0].regions, ["Europe"]);
    assert!(s.incidents[1].environments.is_empty());
}

#[test]
fn only_an_http_root_cause_address_is_kept() {
    let s = derive_all(
        r#"{"incidents":[
          {"id":"a","products":[{"id":"503462","severity":"Minor","status":"Opened","history":[
            {"messageTime":"1799990000","messageType":"CFS","cfsURL":"https://status.adobe.com/cfs/CFS1"},
            {"messageTime":"1799990600","messageType":"Custom"}]}]},
          {"id":"b","products":[{"id":"503462","severity":"Minor","status":"Opened","history":[
            {"messageType":"CFS","cfsURL":"javascript:alert(1)"}]}]},
          {"id":"c","products":[{"id":"503462","severity":"Minor","status":"Opened","history":[
            {"messageType":"CFS","cfsURL":"https://x.example/a b"}]}]}]}"#,
    );
    let urls: Vec<&str> = s
        .incidents
        .iter()
        .map(|i| i.root_cause_url.as_str())
        .collect();
    assert_eq!(urls, ["https://status.adobe.com/cfs/CFS1", "", ""]);
}

#[test]
fn a_region_scope_hides_other_regions_and_keeps_what_names_none() {
    let e = incidents_by_region(&[
        ("apac-only", &["APAC"]),
        ("emea", &["EMEA"]),
        ("both", &["APAC", "EMEA"]),
        ("none", &[]),
    ]);
    for scope in ["EMEA", "emea", "Europe", " europe "] {
        let watch = Watch::all().regions(vec![scope.to_owned()]);
        let s = derive(&registry(), &e, &[], &watch, NOW);
        assert_eq!(ids(&s), ["both", "emea", "none"], "scope {scope:?}");
        assert_eq!(s.products["503462"].incidents(Severity::Major), 3);
        assert_eq!(s.out_of_scope_incidents, 1);
        assert_eq!(s.products["503462"].recent_incidents(Severity::Major), 3);
    }
    let s = derive(&registry(), &e, &[], &Watch::all(), NOW);
    assert_eq!(s.incidents.len(), 4);
    assert_eq!(s.out_of_scope_incidents, 0);
}

#[test]
fn the_newest_entry_that_names_regions_decides_the_scope() {
    // The event lists both regions, the latest update narrows it to APAC, a later root-cause
    // statement names none: APAC only.
    let e = events(
        r#"{"incidents":[{"id":"a","region":[{"id":"APAC"},{"id":"EMEA"}],"products":[
            {"id":"503462","severity":"Minor","status":"Opened","history":[
              {"messageTime":"1799990000","locationImpact":{"serviceRegions":["APAC","EMEA"]}},
              {"messageTime":"1799990600","locationImpact":{"serviceRegions":["APAC"]}},
              {"messageTime":"1799991200","messageType":"CFS"}]}]}]}"#,
    );
    let emea = Watch::all().regions(vec!["EMEA".to_owned()]);
    assert!(derive(&registry(), &e, &[], &emea, NOW)
        .incidents
        .is_empty());
    let apac = Watch::all().regions(vec!["Asia Pacific".to_owned()]);
    let s = derive(&registry(), &e, &[], &apac, NOW);
    assert_eq!(s.incidents[0].regions, ["Asia Pacific"]);
}

#[test]
fn an_environment_scope_needs_a_watched_environment_or_none_named() {
    let e = events(
        r#"{"incidents":[
          {"id":"syd","environment":[{"id":"env-apac"}],"products":[{"id":"503462","severity":"Major","status":"Opened"}]},
          {"id":"eu","environment":[{"id":"env-emea"}],"products":[{"id":"503462","severity":"Major","status":"Opened"}]},
          {"id":"any","products":[{"id":"503462","severity":"Major","status":"Opened"}]}]}"#,
    );
    for scope in ["prod eu", "ENV-EMEA"] {
        let watch = Watch::all().environments(vec![scope.to_owned()]);
        let s = derive(&registry_with_environments(), &e, &[], &watch, NOW);
        assert_eq!(ids(&s), ["any", "eu"], "scope {scope:?}");
    }
    // Both rules at once: an EMEA region scope and a Sydney environment scope admit only
    // what names neither or both.
    let watch = Watch::all()
        .regions(vec!["EMEA".to_owned()])
        .environments(vec!["Prod SYD".to_owned()]);
    let s = derive(&registry_with_environments(), &e, &[], &watch, NOW);
    assert_eq!(ids(&s), ["any", "syd"]);
}

#[test]
fn maintenances_follow_the_same_scope() {
    let scheduled: Vec<Maintenance> = parse_list(
        "scheduled",
        br#"[{"id":"m-apac","status":"Scheduled","scheduledDate":"1800100000","region":[{"id":"APAC"}],"products":[{"id":"503462"}]},
             {"id":"m-all","status":"Scheduled","scheduledDate":"1800100000","products":[{"id":"503462"}]}]"#,
    )
    .unwrap();
    let watch = Watch::all().regions(vec!["EMEA".to_owned()]);
    let s = derive(&registry(), &Events::default(), &scheduled, &watch, NOW);
    let ids: Vec<&str> = s
        .maintenances
        .iter()
        .map(|m| m.maintenance_id.as_str())
        .collect();
    assert_eq!(ids, ["m-all"]);
    assert_eq!(s.products["503462"].maintenances_scheduled, 1);
}

#[test]
fn unknown_scope_names_are_reported_with_the_known_ones() {
    let watch = Watch::all()
        .regions(vec!["EMEA".to_owned(), "APJ".to_owned()])
        .environments(vec!["Prod EU".to_owned(), "Prod Mars".to_owned()]);
    assert!(
        watch.unknown_scope_names(&Registry::default()).is_empty(),
        "not loaded yet"
    );
    let problems = watch.unknown_scope_names(&registry_with_environments());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("--adobe.region \"APJ\" is not a region Adobe lists (known: APAC (Asia Pacific), Americas, EMEA (Europe))"), "{}", problems[0]);
    assert!(
        problems[1].starts_with("--adobe.environment \"Prod Mars\""),
        "{}",
        problems[1]
    );
    assert!(problems[1].contains("Prod EU, Prod SYD"), "{}", problems[1]);
}

#[test]
fn locales_resolve_to_the_code_adobe_lists() {
    let known = |codes: &[&str]| -> Vec<LocaleEntry> {
        codes
            .iter()
            .map(|c| LocaleEntry {
                code: (*c).to_owned(),
                language: (*c).to_owned(),
            })
            .collect()
    };
    let us = known(&["en-US", "fr-FR", "pt-BR", "ja"]);
    assert_eq!(resolve_locale("en", &us), Some("en-US"));
    assert_eq!(resolve_locale("EN_us", &us), Some("en-US"));
    assert_eq!(resolve_locale("fr", &us), Some("fr-FR"));
    assert_eq!(resolve_locale("ja-JP", &us), Some("ja"));
    assert_eq!(
        resolve_locale("en-GB", &us),
        None,
        "another English is not listed"
    );
    assert_eq!(resolve_locale("de", &us), None);
    let bare = known(&["en", "fr"]);
    assert_eq!(resolve_locale("en", &bare), Some("en"));
    assert_eq!(resolve_locale("en-US", &bare), Some("en"));
}

#[test]
fn titles_in_the_chosen_locale_fall_back_to_english_per_message() {
    let french = parse_list(
        "messages",
        br#"[{"languageCode":"fr","incidentMessages":{"t1":{"textMessage":"Les rapports sont retard\u00e9s"}}}]"#,
    )
    .unwrap();
    let english = parse_list(
        "messages",
        br#"[{"languageCode":"en","incidentMessages":{"t1":{"textMessage":"Reports are delayed"},"t2":{"textMessage":"Only in English"}}}]"#,
    )
    .unwrap();
    let registry = Registry::build(&RegistryParts {
        messages: Some(french),
        messages_language: Some("fr".to_owned()),
        fallback_messages: Some(english),
        ..RegistryParts::default()
    });
    let s = derive(
        &registry,
        &events(
            r#"{"incidents":[
              {"id":"a","products":[{"id":"p","severity":"Minor","status":"Opened","history":[{"titleToken":"t1"}]}]},
              {"id":"b","products":[{"id":"p","severity":"Minor","status":"Opened","history":[{"titleToken":"t2"}]}]}]}"#,
        ),
        &[],
        &Watch::all(),
        NOW,
    );
    let titles: Vec<&str> = s.incidents.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Les rapports sont retardés", "Only in English"]);
}

#[test]
fn a_body_with_several_catalogues_prefers_the_asked_language() {
    let messages = parse_list(
        "messages",
        br#"[{"languageCode":"en","incidentMessages":{"t1":{"textMessage":"Problem"}}},
             {"languageCode":"fr-FR","incidentMessages":{"t1":{"textMessage":"Probl\u00e8me"}}}]"#,
    )
    .unwrap();
    let registry = Registry::build(&RegistryParts {
        messages: Some(messages),
        messages_language: Some("fr".to_owned()),
        ..RegistryParts::default()
    });
    assert_eq!(registry.title("t1", false).unwrap(), "Problème");
}

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// A closed incident on `product` from `start` to `end` (seconds before NOW).
fn closed(id: &str, product: &str, severity: &str, start: f64, end: f64) -> String {
    format!(
        r#"{{"id":"{id}","products":[{{"id":"{product}","severity":"{severity}","status":"Closed","startedOn":"{}","endedOn":"{}"}}]}}"#,
        NOW - start,
        NOW - end
    )
}

#[test]
fn history_counts_starts_in_the_window_and_open_seconds_once() {
    let incidents = [
        // Two Major ones that overlap by an hour: 3 h of Major in all.
        closed("m1", "503462", "Major", 10.0 * DAY, 10.0 * DAY - 2.0 * HOUR),
        closed(
            "m2",
            "503462",
            "Major",
            10.0 * DAY - HOUR,
            10.0 * DAY - 3.0 * HOUR,
        ),
        // Started before the 30-day window, ended inside it: 1 h inside, not counted as started.
        closed("old", "503462", "Minor", 31.0 * DAY, 30.0 * DAY - HOUR),
        // Entirely before the window: nothing.
        closed("older", "503462", "Minor", 35.0 * DAY, 34.0 * DAY),
        // Still open, started 2 h ago: 2 h so far.
        format!(
            r#"{{"id":"open","products":[{{"id":"503472","severity":"Potential","status":"Opened","startedOn":"{}"}}]}}"#,
            NOW - 2.0 * HOUR
        ),
    ];
    let s = derive_all(&format!(r#"{{"incidents":[{}]}}"#, incidents.join(",")));
    let p = &s.products["503462"];
    assert_eq!(p.recent_incidents(Severity::Major), 2);
    assert_eq!(p.recent_impact_seconds(Severity::Major), 3.0 * HOUR);
    assert_eq!(p.recent_incidents(Severity::Minor), 0);
    assert_eq!(p.recent_impact_seconds(Severity::Minor), HOUR);
    let aem = &s.products["503472"];
    assert_eq!(aem.recent_incidents(Severity::Potential), 1);
    assert_eq!(aem.recent_impact_seconds(Severity::Potential), 2.0 * HOUR);
    assert_eq!(s.products["503491"].recent_incidents(Severity::Major), 0);

    // Resolved within the window, newest first: m2 ended last, "older" is outside.
    let resolved: Vec<&str> = s
        .history
        .resolved
        .iter()
        .map(|r| r.incident_id.as_str())
        .collect();
    assert_eq!(resolved, ["m2", "m1", "old"]);
    assert_eq!(s.history.resolved_total, 3);
    assert_eq!(
        s.history.resolved[0].end - s.history.resolved[0].start,
        2.0 * HOUR
    );

    // A shorter window sees less.
    let week = Watch::all().history(7 * 86_400);
    let s = derive(
        &registry(),
        &events(&format!(r#"{{"incidents":[{}]}}"#, incidents.join(","))),
        &[],
        &week,
        NOW,
    );
    assert_eq!(s.products["503462"].recent_incidents(Severity::Major), 0);
    assert_eq!(
        s.products["503472"].recent_incidents(Severity::Potential),
        1
    );
    assert_eq!(s.history.days, 7);
}

#[test]
fn the_day_strip_shows_the_worst_severity_of_each_day() {
    let incidents = [
        closed("minor", "503462", "Minor", 3.0 * DAY, 3.0 * DAY - HOUR),
        closed(
            "major",
            "503462",
            "Major",
            3.0 * DAY - 2.0 * HOUR,
            3.0 * DAY - 3.0 * HOUR,
        ),
        closed("aem", "503472", "Trivial", 1.0 * DAY, 1.0 * DAY - HOUR),
    ];
    let s = derive_all(&format!(r#"{{"incidents":[{}]}}"#, incidents.join(",")));
    let h = &s.history;
    assert_eq!(h.days, 30);
    assert!(h.first_day <= NOW - 29.0 * DAY && h.first_day > NOW - 30.0 * DAY);
    // The worst product first.
    let products: Vec<&str> = h.strips.iter().map(|st| st.product_id.as_str()).collect();
    assert_eq!(products, ["503462", "503472"]);
    let day_of = |t: f64| ((t - h.first_day) / DAY).floor() as usize;
    let analytics = &h.strips[0].cells;
    assert_eq!(analytics.len(), 30);
    assert_eq!(
        analytics[day_of(NOW - 3.0 * DAY + 1.5 * HOUR)],
        Some(Severity::Major)
    );
    assert_eq!(
        analytics.iter().flatten().count(),
        analytics.iter().filter(|c| c.is_some()).count()
    );
    assert!(analytics
        .iter()
        .flatten()
        .all(|s| *s == Severity::Major || *s == Severity::Minor));
    assert_eq!(
        h.strips[1].cells[day_of(NOW - DAY + 0.5 * HOUR)],
        Some(Severity::Trivial)
    );
    assert_eq!(h.strips[1].cells.iter().flatten().count(), 1);
}

#[test]
fn a_closed_incident_without_an_end_ends_at_its_closing_update() {
    let e = format!(
        r#"{{"incidents":[{{"id":"a","products":[{{"id":"503462","severity":"Minor","status":"Closed","startedOn":"{}","history":[
            {{"status":"Opened","messageTime":"{}","titleToken":"t1"}},{{"status":"Closed","messageTime":"{}"}},{{"messageType":"CFS","messageTime":"{}","cfsURL":"https://status.adobe.com/cfs/CFS7"}}]}}]}}]}}"#,
        NOW - 5.0 * HOUR,
        NOW - 5.0 * HOUR,
        NOW - 4.0 * HOUR,
        NOW - HOUR
    );
    let s = derive_all(&e);
    assert_eq!(
        s.products["503462"].recent_impact_seconds(Severity::Minor),
        HOUR
    );
}

#[test]
fn services_merge_the_registry_list_with_the_services_hit_in_id_order() {
    let mut services = Services {
        listed: Arc::from(vec![
            ("s1".into(), "One".into()),
            ("s3".into(), "Three".into()),
        ]),
        hit: BTreeMap::new(),
    };
    services.hit("s3".into(), "Three".into(), Severity::Minor);
    services.hit(
        "s2".into(),
        "Two, named by the incident".into(),
        Severity::Major,
    );
    services.hit("s3".into(), "Three".into(), Severity::Trivial);
    services.hit("s0".into(), "Zero".into(), Severity::Trivial);
    let all: Vec<(&str, &str, u8)> = services.iter().collect();
    assert_eq!(
        all,
        [
            ("s0", "Zero", Severity::Trivial.rank()),
            ("s1", "One", 0),
            ("s2", "Two, named by the incident", Severity::Major.rank()),
            ("s3", "Three", Severity::Minor.rank()),
        ]
    );
    assert_eq!(services.len(), 4);
}
