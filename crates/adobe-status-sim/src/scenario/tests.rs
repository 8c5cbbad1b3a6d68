//! The Live scenario's script, determinism and clock.

use super::*;

const START_MS: i64 = 1_790_000_000_000;

fn scenario(seed: u64) -> (LiveScenario, Clock) {
    (
        LiveScenario::new(seed, &Catalog::base()),
        Clock::new(START_MS, 1.0),
    )
}

fn ongoing_with(s: &Snapshot, severity: &str) -> usize {
    s.incidents
        .iter()
        .flat_map(|i| i.products.iter())
        .filter(|p| p.status == "Opened" && p.severity == severity)
        .count()
}

#[test]
fn start_state_matches_the_script() {
    let (sc, clock) = scenario(42);
    let s = sc.at(&clock, 0);
    assert!(ongoing_with(&s, "Major") >= 1);
    assert!(ongoing_with(&s, "Minor") + ongoing_with(&s, "Potential") >= 1);
    let ongoing = s.incidents.iter().filter(|i| i.is_ongoing()).count();
    assert!((2..=4).contains(&ongoing), "{ongoing} ongoing");
    let closed = s.incidents.iter().filter(|i| !i.is_ongoing()).count();
    assert!(closed >= 5, "{closed} closed");
    assert!(s
        .incidents
        .iter()
        .flat_map(|i| &i.products)
        .flat_map(|p| &p.history)
        .any(|h| h.status == "Dismissed"));
    let started = s.maintenances.iter().filter(|m| m.is_started()).count();
    let scheduled = s.maintenances.iter().filter(|m| m.is_scheduled()).count();
    let completed = s
        .maintenances
        .iter()
        .filter(|m| m.status == "Completed")
        .count();
    assert_eq!(started, 1);
    assert!((3..=6).contains(&scheduled), "{scheduled} scheduled");
    assert!(completed >= 1);
    // The started one still lingers in the scheduled feed at start.
    assert!(s
        .maintenances
        .iter()
        .any(|m| m.in_events_feed() && m.in_scheduled_feed()));
    // A 2-product incident with different severities.
    assert!(s
        .incidents
        .iter()
        .any(|i| i.products.len() == 2 && i.products[0].severity != i.products[1].severity));
}

/// What a watcher of `/metrics` sees change: ongoing (incident, product, severity) and
/// maintenance states.
fn visible(s: &Snapshot) -> Vec<String> {
    let mut v: Vec<String> = s
        .incidents
        .iter()
        .flat_map(|i| i.products.iter().map(move |p| (i, p)))
        .filter(|(_, p)| p.status != "Closed" && p.status != "Dismissed")
        .map(|(i, p)| format!("{} {} {} {}", i.id, p.product_id, p.status, p.severity))
        .chain(
            s.maintenances
                .iter()
                .map(|m| format!("{} {}", m.id, m.status)),
        )
        .collect();
    v.sort();
    v
}

#[test]
fn the_demo_changes_within_its_first_minute_and_every_few_minutes_after() {
    for seed in [42, 1, 7, 99, 2024, 31337] {
        let (sc, clock) = scenario(seed);
        assert_ne!(
            visible(&sc.at(&clock, 0)),
            visible(&sc.at(&clock, 60)),
            "seed {seed}: nothing changed in the first minute"
        );
        let mut last_change = 0;
        let mut longest_quiet = 0;
        let mut before = visible(&sc.at(&clock, 0));
        for t in (10..=HOUR).step_by(10) {
            let now = visible(&sc.at(&clock, t));
            if now != before {
                longest_quiet = longest_quiet.max(t - last_change);
                last_change = t;
                before = now;
            }
        }
        assert!(
            longest_quiet <= 10 * MINUTE,
            "seed {seed}: {longest_quiet} s without a change in the first hour"
        );
    }
}

#[test]
fn deterministic_per_seed() {
    let (a, clock) = scenario(7);
    let (b, _) = scenario(7);
    let (c, _) = scenario(8);
    for t in [0, 300, 3600, 86_400] {
        assert_eq!(a.at(&clock, t), b.at(&clock, t));
    }
    assert_ne!(a.at(&clock, 3600), c.at(&clock, 3600));
}

#[test]
fn events_evolve_and_stay_consistent() {
    let (sc, clock) = scenario(42);
    let now_ms = |t: i64| clock.wall_ms(t);
    let mut seen_ids = std::collections::HashSet::new();
    let mut saw_two_state = false;
    let mut statuses = std::collections::HashSet::new();
    let mut t = 0;
    while t <= 4 * HOUR {
        let s = sc.at(&clock, t);
        let mut ids = std::collections::HashSet::new();
        for i in &s.incidents {
            assert!(ids.insert(i.id.clone()), "duplicate id {}", i.id);
            seen_ids.insert(i.id.clone());
            let open: Vec<bool> = i.products.iter().map(|p| p.status == "Opened").collect();
            if open.contains(&true) && open.contains(&false) {
                saw_two_state = true;
            }
            for p in &i.products {
                let last = p.history.last().expect("history");
                assert_eq!(p.severity, last.severity);
                assert!(p.started_ms <= now_ms(t));
                assert_eq!(p.status == "Closed", p.ended_ms.is_some());
                assert!(p.history.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
                for h in &p.history {
                    assert!(h.time_ms <= now_ms(t));
                }
            }
        }
        let mut mids = std::collections::HashSet::new();
        for m in &s.maintenances {
            assert!(mids.insert(m.id.clone()));
            statuses.insert(m.status.clone());
            if m.is_scheduled() {
                assert!(m.scheduled_ms >= now_ms(t) - 1000);
            }
            if m.is_started() {
                assert!(m.started_ms.is_some_and(|s| s <= now_ms(t)));
            }
        }
        t += 60;
    }
    assert!(seen_ids.len() >= 40, "only {} incidents", seen_ids.len());
    assert!(saw_two_state);
    for st in ["Scheduled", "Started", "Completed"] {
        assert!(statuses.contains(st), "{st} never seen");
    }
    // After a day, the body stays bounded.
    let s = sc.at(&clock, 3 * DAY);
    // The 40 days of history, plus the rolling incidents of the retention window.
    let bound = HISTORIC_COUNT as usize + (ROLL_RETENTION / ROLL_INTERVAL) as usize + 8;
    assert!(s.incidents.len() < bound, "{} incidents", s.incidents.len());
    assert!(s.maintenances.len() < 20);
}

#[test]
fn clock_compresses_only_the_future() {
    let clock = Clock::new(START_MS + 123, 10.0);
    assert_eq!(clock.wall_ms(0), START_MS);
    assert_eq!(clock.wall_ms(-60), START_MS - 60_000);
    assert_eq!(clock.wall_ms(600), START_MS + 60_000);
    assert_eq!(clock.sim_now(Duration::from_secs(6)), 60);
    let frozen = Clock::new(START_MS, 0.0);
    assert_eq!(frozen.sim_now(Duration::from_secs(100)), 0);
    assert_eq!(frozen.wall_ms(60), START_MS + 60_000);
    let bad = Clock::new(START_MS, f64::NAN);
    assert_eq!(bad.sim_now(Duration::from_secs(5)), 5);
}

#[test]
fn forty_days_of_history_carry_what_the_spec_carries() {
    let (sc, clock) = scenario(42);
    let s = sc.at(&clock, 0);
    let closed: Vec<&Incident> = s.incidents.iter().filter(|i| !i.is_ongoing()).collect();
    assert!(closed.len() >= 40, "{} closed", closed.len());
    let oldest = closed
        .iter()
        .flat_map(|i| &i.products)
        .map(|p| p.started_ms)
        .min()
        .unwrap();
    let days_back = (START_MS - oldest) / 86_400_000;
    assert!(
        (30..40).contains(&days_back),
        "oldest {days_back} days back"
    );
    let products = || closed.iter().flat_map(|i| &i.products);
    for severity in ["Major", "Minor", "Potential", "Trivial", "None"] {
        assert!(
            products().any(|p| p.severity == severity),
            "no closed {severity}"
        );
    }
    assert!(closed.iter().filter(|i| i.products.len() == 2).count() >= 5);
    assert!(products().any(|p| p.history.iter().any(|h| h.status == "Dismissed")));
    // Two incidents on one product at the same time.
    let overlapping = closed.iter().enumerate().any(|(a, x)| {
        closed.iter().skip(a + 1).any(|y| {
            x.products.iter().any(|p| {
                y.products.iter().any(|q| {
                    p.product_id == q.product_id
                        && p.started_ms < q.ended_ms.unwrap_or(i64::MAX)
                        && q.started_ms < p.ended_ms.unwrap_or(i64::MAX)
                })
            })
        })
    });
    assert!(overlapping);
    // Impacts that are not a function of the severity.
    let entries = || products().flat_map(|p| &p.history);
    assert!(entries().any(|h| h.severity == "Minor"
        && (h.customer_impact.as_str(), h.operations_impact.as_str()) == ("Most", "Availability")));
    assert!(entries().any(|h| h.severity == "Major"
        && (h.customer_impact.as_str(), h.operations_impact.as_str()) == ("Some", "Performance")));
    // Root-cause statements after closure, on several incidents, never changing the end.
    let with_cfs: Vec<&&Incident> = closed
        .iter()
        .filter(|i| {
            i.products
                .iter()
                .any(|p| p.history.iter().any(|h| h.cfs.is_some()))
        })
        .collect();
    assert!(with_cfs.len() >= 5, "{} with a root cause", with_cfs.len());
    for p in with_cfs.iter().flat_map(|i| &i.products) {
        let last = p.history.last().unwrap();
        assert_eq!(last.message_type, "CFS");
        assert!(last.time_ms > p.ended_ms.unwrap());
        let cfs = last.cfs.as_ref().unwrap();
        assert!(cfs.url.starts_with("https://status.adobe.com/cfs/CFS"));
        assert_eq!(p.status, "Closed");
    }
    // Scopes: environments, regions only, none, APAC only, EMEA only.
    assert!(closed
        .iter()
        .any(|i| !i.env_ids.is_empty() && i.products[0].history[0].show_environment));
    assert!(closed
        .iter()
        .any(|i| i.env_ids.is_empty() && !i.region_ids.is_empty()));
    assert!(closed
        .iter()
        .any(|i| i.env_ids.is_empty() && i.region_ids.is_empty()));
    let registry = Catalog::base();
    for only in ["APAC", "EMEA"] {
        let scoped: Vec<&&Incident> = closed.iter().filter(|i| i.region_ids == [only]).collect();
        assert!(scoped.len() >= 5, "{} {only}-only", scoped.len());
        for i in scoped {
            let product = registry.product(&i.products[0].product_id).unwrap();
            assert!(product
                .region_ids
                .as_ref()
                .unwrap()
                .iter()
                .any(|r| r == only));
        }
    }
    for i in &closed {
        for e in &i.env_ids {
            let env = registry.environment(e).cloned().unwrap();
            assert!(env.region_ids.iter().any(|r| i.region_ids.contains(r)));
        }
    }
    // A pure function of (seed, time).
    assert_eq!(sc.at(&clock, 0), s);
    assert_ne!(scenario(7).0.at(&clock, 0), s);
}
