//! The server under abuse and at shutdown: a thousand concurrent scrapes, slow-header and
//! oversized-header clients, unknown paths and methods, SIGTERM during an in-flight scrape.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use adobe_status_sim::{Fault, Scenario};
use common::{simulator, value, Exporter, PROMETHEUS_ACCEPT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn a_thousand_concurrent_scrapes_cost_one_refresh() {
    let sim = simulator(Scenario::Empty).await;
    let exporter = Exporter::against(
        &sim,
        &["--status.min-interval=60s", "--status.registry-interval=1h"],
    );
    exporter.ready().await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let scrapes: Vec<_> = (0..1000)
        .map(|_| {
            let request = client
                .get(exporter.url("/metrics"))
                .header("X-Prometheus-Scrape-Timeout-Seconds", "30");
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            })
        })
        .collect();
    for scrape in scrapes {
        let (status, body) = scrape.await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(value(&body, "adobe_status_up"), Some(1.0));
    }
    let control = sim.control();
    assert_eq!(control.request_count("events"), 1);
    assert_eq!(control.request_count("scheduled"), 1);
    assert_eq!(control.request_count("token"), 1);
}

/// Read until the server closes the connection; returns what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut received)).await;
    assert!(
        read.is_ok(),
        "the server kept a misbehaving connection open"
    );
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn slow_and_oversized_headers_are_cut_off() {
    let mut exporter = Exporter::spawn(&["--demo".to_owned()], &[]);
    exporter.listening().await;
    let addr = format!("127.0.0.1:{}", exporter.port);

    // Slowloris: headers never finish; the header-read timeout closes the connection.
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );

    // Headers far above the buffer limit: refused, never buffered without bound.
    let mut big = TcpStream::connect(&addr).await.unwrap();
    let header = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(256 * 1024)
    );
    let _ = big.write_all(header.as_bytes()).await;
    let answer = read_to_close(&mut big).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );

    // Garbage instead of HTTP.
    let mut junk = TcpStream::connect(&addr).await.unwrap();
    junk.write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut junk).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );

    // The server is still fine for well-behaved clients.
    let client = reqwest::Client::new();
    for (method, path, expected) in [
        (reqwest::Method::GET, "/metrics", 200),
        (reqwest::Method::DELETE, "/metrics", 405),
        (reqwest::Method::POST, "/-/ready", 405),
        (reqwest::Method::GET, "/metrics/extra", 404),
        (reqwest::Method::GET, "/../etc/passwd", 404),
    ] {
        let response = client
            .request(method.clone(), exporter.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{method} {path}");
    }
    assert_eq!(exporter.terminate(), Some(0));
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_scrape_finish_and_exits_0() {
    let sim = simulator(Scenario::Empty).await;
    // Adobe answers slowly, so the first scrape is still waiting when SIGTERM arrives.
    sim.control()
        .set_fault("events", Fault::Delay(Duration::from_secs(2)), Some(1));
    let mut exporter = Exporter::against(&sim, &[]);
    exporter.listening().await;
    let url = exporter.url("/metrics");
    let scrape = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .get(url)
            .header("X-Prometheus-Scrape-Timeout-Seconds", "10")
            .header("Accept", PROMETHEUS_ACCEPT)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let code = tokio::task::spawn_blocking(move || exporter.terminate())
        .await
        .unwrap();
    let (status, body) = scrape.await.unwrap();
    assert_eq!(status, 200);
    assert!(body.ends_with("# EOF\n"));
    assert_eq!(code, Some(0));
}
