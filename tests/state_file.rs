//! `--status.state-file` on the real binary: a restart while Adobe is down serves the last good
//! incidents at once (with `adobe_status_up 0` and their true age); a damaged, foreign or
//! unwritable file costs one warning and nothing else; the file holds no secret or token; a
//! kill at any moment leaves a usable file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use adobe_status_exporter::state::format::{self, StateFile};
use adobe_status_sim::{Fault, IncidentSpec, Scenario, SimulatorHandle};
use common::{simulator, value, Exporter, SECRET};

const ANALYTICS: &str = "503467";
const STATUS_APIS: [&str; 6] = [
    "events",
    "scheduled",
    "clouds",
    "products",
    "regions",
    "messages",
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ase-e2e-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn state_flag(path: &Path) -> String {
    format!("--status.state-file={}", path.display())
}

fn major_on_analytics(sim: &SimulatorHandle) {
    sim.control().open_incident(IncidentSpec {
        product_ids: vec![ANALYTICS.into()],
        severity: "Major".into(),
        title: "Reports fail to load".into(),
        ..IncidentSpec::default()
    });
}

/// The incident series of a scrape: what the alert rules read.
fn incident_series(body: &str) -> Vec<String> {
    let mut lines: Vec<String> = body
        .lines()
        .filter(|l| {
            l.starts_with("adobe_status_incident_")
                || l.starts_with("adobe_status_product_incidents{")
        })
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

fn read_state(path: &Path) -> Option<StateFile> {
    format::decode(&std::fs::read(path).ok()?).ok()
}

async fn wait_for_state(path: &Path, newer_than: f64) -> StateFile {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(file) = read_state(path).filter(|f| f.last_success_unix > newer_than) {
            return file;
        }
        assert!(
            Instant::now() < deadline,
            "no state file at {}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A first run that leaves a good state file with a Major incident in it.
async fn first_run(sim: &SimulatorHandle, path: &Path) -> String {
    major_on_analytics(sim);
    let exporter = Exporter::against(sim, &[&state_flag(path)]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("the Major incident", |b| {
            b.contains(r#"incident_severity="major""#)
        })
        .await;
    wait_for_state(path, 0.0).await;
    body
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn count(logs: &str, needle: &str) -> usize {
    logs.lines().filter(|l| l.contains(needle)).count()
}

/// The issue's check from outside: Major incident open, exporter killed (-9), Adobe answering
/// 503, exporter started again: the first scrape shows the same incident series with `up` 0 and
/// the data's true age; readiness waits for Adobe, and comes once Adobe answers.
#[tokio::test]
async fn a_restart_while_adobe_is_down_serves_the_same_incidents_with_their_true_age() {
    let sim = simulator(Scenario::Empty).await;
    let dir = temp_dir("restart");
    let path = dir.join("state");
    major_on_analytics(&sim);
    let before = Exporter::against(&sim, &[&state_flag(&path)]);
    before.ready().await;
    let body = before
        .scrape_until("the Major incident", |b| {
            b.contains(r#"incident_severity="major""#)
        })
        .await;
    let served_before = value(&body, "adobe_status_last_success_timestamp_seconds").unwrap();
    wait_for_state(&path, served_before - 1.0).await;
    let series_before = incident_series(&body);
    assert!(!series_before.is_empty());
    drop(before); // SIGKILL
    let killed_at = unix_now();
    for api in STATUS_APIS {
        sim.control().set_fault(api, Fault::status(503), None);
    }
    // The data must be old enough for its age to be visible.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let after = Exporter::against(&sim, &[&state_flag(&path)]);
    after.listening().await;
    let body = after.scrape().await;
    assert_eq!(incident_series(&body), series_before, "{body}");
    assert_eq!(value(&body, "adobe_status_up"), Some(0.0));
    let last_success = value(&body, "adobe_status_last_success_timestamp_seconds").unwrap();
    assert!(
        last_success >= served_before && last_success <= killed_at,
        "{served_before} <= {last_success} <= {killed_at}"
    );
    assert_eq!(
        value(
            &body,
            &format!(
                r#"adobe_status_product_incidents{{product_id="{ANALYTICS}",incident_severity="major"}}"#
            )
        ),
        Some(1.0)
    );
    assert_eq!(
        reqwest::get(after.url("/-/ready")).await.unwrap().status(),
        503
    );
    let page = reqwest::get(after.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Reports fail to load"), "{page}");
    let logs = after.logs();
    assert_eq!(count(&logs, "loaded the state file"), 1, "{logs}");
    assert!(logs.contains("ongoing_incidents=1"), "{logs}");
    assert_eq!(
        count(&logs, "level=warn target=adobe_status_exporter::state"),
        0,
        "{logs}"
    );

    // Refreshes are started by scrapes: the next one after Adobe recovers makes it ready.
    sim.control().clear_faults();
    let body = after
        .scrape_until("up again", |b| value(b, "adobe_status_up") == Some(1.0))
        .await;
    assert_eq!(incident_series(&body), series_before);
    after.ready().await;
}

/// Each bad file: the exporter starts, becomes ready from Adobe, and says why in one warning.
#[tokio::test]
async fn a_damaged_or_foreign_file_costs_one_warning_and_nothing_else() {
    let sim = simulator(Scenario::Empty).await;
    let dir = temp_dir("damaged");
    let good = dir.join("good");
    first_run(&sim, &good).await;
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let cases: [(&str, Vec<u8>, &[&str], &str); 5] = [
        (
            "truncated",
            bytes[..bytes.len() / 3].to_vec(),
            &[],
            "truncated",
        ),
        ("corrupt", flipped, &[], "checksum mismatch"),
        ("empty", Vec::new(), &[], "the file is empty"),
        (
            "json",
            br#"{"incidents":[]}"#.to_vec(),
            &[],
            "not a state file",
        ),
        (
            "other-scope",
            bytes.clone(),
            &["--adobe.product-id=503472"],
            "another scope",
        ),
    ];
    for (name, content, flags, reason) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &content).unwrap();
        let mut args = vec![state_flag(&path)];
        args.extend(flags.iter().map(|f| f.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let exporter = Exporter::against(&sim, &args);
        exporter.ready().await;
        let logs = exporter.logs();
        assert_eq!(count(&logs, "level=warn"), 1, "{name}: {logs}");
        assert_eq!(count(&logs, "state file not used"), 1, "{name}: {logs}");
        assert!(logs.contains(reason), "{name}: {logs}");
        // And the next good refresh replaces the bad file with a good one.
        wait_for_state(&path, 0.0).await;
    }
}

/// A file the exporter cannot write (its directory is a file): one warning at start, each
/// failed write counted, no further warning, refreshes unaffected.
#[tokio::test]
async fn an_unwritable_file_is_one_warning_and_a_counter() {
    let sim = simulator(Scenario::Empty).await;
    let dir = temp_dir("unwritable");
    let not_a_dir = dir.join("file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let exporter = Exporter::against(&sim, &[&state_flag(&not_a_dir.join("state"))]);
    exporter.ready().await;
    let body = exporter
        .scrape_until("two failed writes", |b| {
            value(b, "adobe_status_state_write_failures_total").unwrap_or(0.0) >= 2.0
        })
        .await;
    assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
    let logs = exporter.logs();
    assert_eq!(count(&logs, "level=warn"), 1, "{logs}");
    assert_eq!(count(&logs, "state file not used"), 1, "{logs}");
    assert!(logs.contains("write_error="), "{logs}");
}

/// The file holds Adobe's public answers only: neither the client secret nor the access token,
/// in its bytes or in any body inflated from it.
#[tokio::test]
async fn the_file_never_holds_the_secret_or_the_token() {
    let sim = simulator(Scenario::Empty).await;
    let dir = temp_dir("secrets");
    let path = dir.join("state");
    first_run(&sim, &path).await;
    let tokens: Vec<String> = sim
        .control()
        .requests()
        .iter()
        .flat_map(|r| r.headers.clone())
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .filter_map(|(_, value)| value.strip_prefix("Bearer ").map(str::to_owned))
        .collect();
    assert!(!tokens.is_empty());
    let raw = std::fs::read(&path).unwrap();
    let file = format::decode(&raw).unwrap();
    let mut texts = vec![raw];
    for section in &file.sections {
        texts.push(section.body.inflate(section.api, 64 << 20).unwrap());
    }
    assert!(texts.len() >= 3);
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    for text in &texts {
        assert!(!contains(text, SECRET));
        for token in &tokens {
            assert!(!contains(text, token));
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// SIGKILL while the exporter refreshes and writes every second: after each kill the file is
/// a whole one (the old or the new), and a partial temporary file left behind stops nothing.
#[tokio::test]
async fn a_kill_at_any_moment_leaves_a_usable_file() {
    let sim = simulator(Scenario::Empty).await;
    let dir = temp_dir("kill");
    let path = dir.join("state");
    first_run(&sim, &path).await;
    for round in 0..4u64 {
        let exporter = Exporter::against(&sim, &[&state_flag(&path)]);
        exporter.listening().await;
        // Refreshes (and so writes) are due every second; kill at a different moment each round.
        let until = Instant::now() + Duration::from_millis(1200 + round * 170);
        while Instant::now() < until {
            let _ = exporter.scrape().await;
        }
        drop(exporter); // SIGKILL
        let file = read_state(&path).unwrap_or_else(|| panic!("round {round}: no usable file"));
        assert!(file
            .section(adobe_status_exporter::upstream::Api::Events)
            .is_some());
    }
    // What a kill between creating and renaming the temporary file leaves.
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(dir.join(".state.tmp"), &whole[..whole.len() / 2]).unwrap();
    for api in STATUS_APIS {
        sim.control().set_fault(api, Fault::status(503), None);
    }
    let exporter = Exporter::against(&sim, &[&state_flag(&path)]);
    exporter.listening().await;
    let body = exporter.scrape().await;
    assert_eq!(
        value(
            &body,
            &format!(
                r#"adobe_status_product_incidents{{product_id="{ANALYTICS}",incident_severity="major"}}"#
            )
        ),
        Some(1.0),
        "{}",
        exporter.logs()
    );
    assert_eq!(count(&exporter.logs(), "loaded the state file"), 1);
}
