//! Start-up honesty, run as a new user would: `--version`, a taken port, a secret file others can
//! read, and what a failing upstream writes to the log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::{free_port, Exporter, BIN, SECRET};

/// Flags that point the exporter at an upstream that refuses every connection.
fn unreachable_upstream() -> Vec<String> {
    [
        "--adobe.client-id=startup-test",
        "--adobe.ims-url=http://127.0.0.1:1/ims/token/v3",
        "--adobe.status-url=http://127.0.0.1:1",
        "--status.min-interval=1s",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn version_names_the_release_and_the_revision() {
    let out = std::process::Command::new(BIN)
        .arg("--version")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.starts_with(&format!(
            "adobe_status_exporter {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
    let revision = env!("ADOBE_STATUS_EXPORTER_REVISION");
    if revision != "unknown" {
        assert!(stdout.contains(&format!("revision {revision}")), "{stdout}");
    }
}

#[test]
fn a_taken_port_is_one_error_line_naming_the_flag() {
    let port = free_port();
    let _taken = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--demo", &format!("--web.listen-address=127.0.0.1:{port}")])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let mentions: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("already in use"))
        .collect();
    assert_eq!(mentions.len(), 1, "{stderr}");
    assert!(mentions[0].contains("--web.listen-address"), "{stderr}");
}

#[tokio::test]
async fn a_secret_file_others_can_read_gets_a_warning_with_the_fix() {
    let dir = std::env::temp_dir().join(format!("ase-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (mode, warned) in [(0o644, true), (0o600, false)] {
        let file = dir.join(format!("secret-{mode:o}"));
        std::fs::write(&file, SECRET).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let mut args = unreachable_upstream();
        args.push(format!("--adobe.client-secret-file={}", file.display()));
        let exporter = Exporter::spawn(&args, &[]);
        exporter.listening().await;
        let logs = exporter.logs();
        assert_eq!(
            logs.contains("readable by every local user"),
            warned,
            "mode {mode:o}: {logs}"
        );
        if warned {
            assert!(logs.contains("chmod 600"), "{logs}");
        }
        assert!(!logs.contains(SECRET));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_failed_refresh_is_one_warning_line() {
    let exporter = Exporter::spawn(&unreachable_upstream(), &[("ADOBE_CLIENT_SECRET", SECRET)]);
    exporter.listening().await;
    // Several refreshes, each failing on the token (registry parts and events alike).
    for _ in 0..3 {
        let body = exporter.scrape().await;
        assert!(body.contains("adobe_status_up 0"));
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    assert!(exporter.log_appears("refresh of Adobe status failed").await);
    let logs = exporter.logs();
    let warnings: Vec<&str> = logs.lines().filter(|l| l.contains("level=warn")).collect();
    assert!(warnings.len() >= 2, "{logs}");
    for line in &warnings {
        assert!(line.contains("refresh of Adobe status failed"), "{line}");
        assert!(line.contains("reason=network"), "{line}");
        assert!(line.contains("serving="), "{line}");
    }
}
