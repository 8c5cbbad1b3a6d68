//! Credential rotation without a restart, as Adobe's Developer Console does it (add a new client
//! secret, delete the old one) and as Kubernetes delivers it (the mounted file changes in place).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use adobe_status_sim::Scenario;
use common::{simulator, value, Exporter, CLIENT_ID, SECRET};

const NEW_SECRET: &str = "rotated-canary-N3w-s3cret";

fn secret_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ase-rotation-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("client-secret");
    std::fs::write(&file, SECRET).unwrap();
    file
}

fn exporter_with_file(sim: &adobe_status_sim::SimulatorHandle, file: &Path) -> Exporter {
    let args = [
        format!("--adobe.client-id={CLIENT_ID}"),
        format!("--adobe.client-secret-file={}", file.display()),
        format!("--adobe.ims-url={}", sim.ims_url()),
        format!("--adobe.status-url={}", sim.status_url()),
        "--status.min-interval=1s".to_owned(),
        "--status.registry-interval=1h".to_owned(),
        "--status.timeout=5s".to_owned(),
    ];
    Exporter::spawn(&args, &[])
}

/// Failed refreshes so far, all reasons.
fn failures(body: &str) -> f64 {
    [
        "auth",
        "throttled",
        "timeout",
        "http",
        "parse",
        "network",
        "derive",
    ]
    .iter()
    .filter_map(|reason| {
        value(
            body,
            &format!("adobe_status_refresh_failures_total{{reason=\"{reason}\"}}"),
        )
    })
    .sum()
}

fn assert_no_secret_in(logs: &str) {
    assert!(!logs.contains(SECRET), "{logs}");
    assert!(!logs.contains(NEW_SECRET), "{logs}");
}

#[tokio::test]
async fn a_secret_replaced_on_disk_before_the_old_one_is_deleted_costs_no_failed_refresh() {
    let sim = simulator(Scenario::Empty).await;
    let file = secret_file("before");
    let exporter = exporter_with_file(&sim, &file);
    exporter.ready().await;
    let before = failures(&exporter.scrape().await);

    // The operator adds a secret in the Console, updates the file, deletes the old secret
    // (which revokes the tokens issued with it).
    sim.control().add_client_secret(NEW_SECRET);
    std::fs::write(&file, NEW_SECRET).unwrap();
    sim.control().delete_client_secret(SECRET);
    let issued = sim.control().tokens_issued();

    // Within a few refreshes: a new token, from the new secret, and up again.
    let body = exporter
        .scrape_until("a token from the new secret", |b| {
            b.contains("adobe_status_up 1") && sim.control().tokens_issued() > issued
        })
        .await;
    assert!(failures(&body) - before <= 1.0, "{body}");
    assert!(
        exporter
            .log_appears("picked up a new client secret from the secret file")
            .await
    );
    assert_no_secret_in(&exporter.logs());
}

#[tokio::test]
async fn a_secret_fixed_on_disk_after_rejections_is_used_at_once_despite_the_back_off() {
    let sim = simulator(Scenario::Empty).await;
    let file = secret_file("after");
    let exporter = exporter_with_file(&sim, &file);
    exporter.ready().await;

    // The old secret is deleted first: refreshes fail on IMS (invalid_client) and back off
    // (5 s after the first rejection, 10 s after the second).
    sim.control().add_client_secret(NEW_SECRET);
    sim.control().delete_client_secret(SECRET);
    let rejected = sim.control().request_count("token");
    let failing = exporter
        .scrape_until("two rejected token requests", |_| {
            sim.control().request_count("token") >= rejected + 2
        })
        .await;
    assert!(failing.contains("adobe_status_up 0"));
    // Now inside a 10 s back-off: without skipping it, every refresh until it ran out fails.
    let before = failures(&exporter.scrape().await);

    std::fs::write(&file, NEW_SECRET).unwrap();
    let body = exporter
        .scrape_until("up again with the new secret", |b| {
            b.contains("adobe_status_up 1")
        })
        .await;
    assert!(failures(&body) - before <= 1.0, "{body}");
    assert_no_secret_in(&exporter.logs());
}

#[tokio::test]
async fn an_unreadable_secret_file_keeps_the_last_good_secret_with_one_warning() {
    let sim = simulator(Scenario::Empty).await;
    let file = secret_file("unreadable");
    let exporter = exporter_with_file(&sim, &file);
    exporter.ready().await;
    std::fs::remove_file(&file).unwrap();
    // Force new token requests: each reads the (now missing) file and keeps the old secret.
    for _ in 0..3 {
        sim.control().revoke_tokens();
        let issued = sim.control().tokens_issued();
        exporter
            .scrape_until("a new token from the last good secret", |b| {
                b.contains("adobe_status_up 1") && sim.control().tokens_issued() > issued
            })
            .await;
    }
    assert!(exporter.log_appears("keeping the last good secret").await);
    let logs = exporter.logs();
    assert_eq!(
        logs.matches("keeping the last good secret").count(),
        1,
        "{logs}"
    );
    assert_no_secret_in(&logs);
}
