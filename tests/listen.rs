//! Where the exporter listens and how it survives connections, run as an operator would: two
//! `--web.listen-address` at once, a socket handed over by systemd-style activation
//! (`systemd-socket-activate` from Debian's systemd), `--web.systemd-socket` without one, and
//! 1,500 idle connections against systemd's default soft limit of 1,024 open files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{free_port, Exporter, BIN};

async fn healthy(port: u16, host: &str) -> Result<String, String> {
    let url = format!("http://{host}:{port}/-/healthy");
    let response = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|e| e.to_string())?;
    if status == 200 {
        Ok(body)
    } else {
        Err(format!("{status}: {body}"))
    }
}

#[tokio::test]
async fn every_listen_address_serves_at_once() {
    let (second, ipv6) = (free_port(), free_port());
    let exporter = Exporter::spawn(
        &[
            "--demo".into(),
            format!("--web.listen-address=127.0.0.1:{second}"),
            format!("--web.listen-address=[::1]:{ipv6}"),
        ],
        &[],
    );
    exporter.listening().await;
    assert_eq!(
        healthy(exporter.port, "127.0.0.1").await.unwrap(),
        "Healthy\n"
    );
    assert_eq!(healthy(second, "127.0.0.1").await.unwrap(), "Healthy\n");
    assert_eq!(healthy(ipv6, "[::1]").await.unwrap(), "Healthy\n");
    let line = exporter
        .logs()
        .lines()
        .find(|l| l.contains("adobe_status_exporter listening"))
        .unwrap_or_default()
        .to_owned();
    for address in [format!("127.0.0.1:{second}"), format!("[::1]:{ipv6}")] {
        assert!(line.contains(&address), "{line}");
    }
}

/// Like `systemd` with a `.socket` unit: `systemd-socket-activate` listens, and on the first
/// connection runs the exporter with the socket as descriptor 3 (`LISTEN_FDS=1`).
#[tokio::test]
async fn a_socket_passed_by_systemd_is_served() {
    let activate = "/usr/bin/systemd-socket-activate";
    assert!(
        std::path::Path::new(activate).exists(),
        "{activate} is missing: install Debian's systemd package (scripts/test does)"
    );
    let port = free_port();
    let mut command = Command::new(activate);
    command.args([
        format!("--listen=127.0.0.1:{port}"),
        BIN.to_owned(),
        "--demo".into(),
        "--web.systemd-socket".into(),
        // Ignored with --web.systemd-socket, as in the toolkit: nothing listens there.
        format!("--web.listen-address=127.0.0.1:{}", free_port()),
    ]);
    let exporter = Exporter::start(command, &[], port);
    exporter.bound().await;
    let body = healthy(port, "127.0.0.1").await;
    assert_eq!(body.as_deref(), Ok("Healthy\n"), "{}", exporter.logs());
    // Later connections are accepted by the exporter itself on the same socket.
    exporter.ready().await;
    assert!(
        exporter.log_appears("sockets systemd passed").await,
        "{}",
        exporter.logs()
    );
}

#[test]
fn the_systemd_socket_flag_without_a_socket_is_refused_in_one_line() {
    let out = Command::new(BIN)
        .args(["--demo", "--web.systemd-socket"])
        .env_remove("LISTEN_FDS")
        .env_remove("LISTEN_PID")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("level=error"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("--web.systemd-socket: no socket passed by systemd"),
        "{stderr}"
    );
}

/// The soft limit of this process's open files, from `/proc`.
fn soft_open_files_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[tokio::test]
async fn idle_connections_beyond_1024_do_not_stop_a_scrape_nor_flood_the_log() {
    // This test opens 1,500 connections itself.
    let (_, own) = exporter_toolkit_web::raise_open_files_limit().unwrap();
    let hard = own;
    assert!(
        hard >= 4096,
        "the hard open-files limit ({hard}) is too low for this test"
    );
    // Started as systemd starts services: a soft limit of 1,024.
    let port = free_port();
    let mut command = Command::new("sh");
    command.args([
        "-c",
        r#"ulimit -S -n 1024 && exec "$0" "$@""#,
        BIN,
        "--demo",
        "--log.level=debug",
        &format!("--web.listen-address=127.0.0.1:{port}"),
    ]);
    let exporter = Exporter::start(command, &[], port);
    exporter.ready().await;
    let pid = exporter.pid().unwrap();
    assert_eq!(
        soft_open_files_limit(pid),
        Some(hard),
        "{}",
        exporter.logs()
    );
    assert!(
        exporter.log_appears("soft_before=1024").await,
        "{}",
        exporter.logs()
    );

    let mut idle = Vec::with_capacity(1500);
    for _ in 0..1500 {
        idle.push(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
    }
    let body = healthy(port, "127.0.0.1").await;
    assert_eq!(body.as_deref(), Ok("Healthy\n"), "{}", exporter.logs());
    let warnings = exporter
        .logs()
        .lines()
        .filter(|l| l.contains("accept failed"))
        .count();
    assert_eq!(warnings, 0, "{}", exporter.logs());
    drop(idle);
}
