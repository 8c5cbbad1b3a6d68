//! Helpers for end-to-end tests: run the real binary against the in-process simulator.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use adobe_status_sim::{Scenario, Simulator, SimulatorConfig, SimulatorHandle};

pub const SECRET: &str = "canary-Sup3r-s3cret-value";
pub const CLIENT_ID: &str = "e2e-client";
pub const BIN: &str = env!("CARGO_BIN_EXE_adobe_status_exporter");
/// The `Accept` header Prometheus 2.x scrapes with.
pub const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// A simulator that only serves what the test adds (plus the registry).
pub async fn simulator(scenario: Scenario) -> SimulatorHandle {
    Simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimulatorConfig {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            scenario,
            ..SimulatorConfig::default()
        },
    )
    .await
    .unwrap()
}

/// Whether process `pid` holds a listening TCP socket on `port` (Linux: its descriptors
/// against the socket table's inodes). Elsewhere, or when /proc is not readable: true.
fn listens_on(pid: u32, port: u16) -> bool {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            return true;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields
                .get(1)
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) && fields.get(3) == Some(&"0A") {
                inodes.extend(fields.get(9).map(|i| format!("socket:[{i}]")));
            }
        }
    }
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return true;
    };
    fds.filter_map(Result::ok)
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .any(|target| inodes.iter().any(|i| target.to_string_lossy() == *i))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running exporter process; killed on drop.
pub struct Exporter {
    child: Option<Child>,
    pub port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Exporter {
    /// Start against `sim` with the test credentials; `extra` flags last (they override).
    pub fn against(sim: &SimulatorHandle, extra: &[&str]) -> Exporter {
        let mut args = vec![
            "--adobe.client-id".to_owned(),
            CLIENT_ID.into(),
            format!("--adobe.ims-url={}", sim.ims_url()),
            format!("--adobe.status-url={}", sim.status_url()),
            "--status.min-interval=1s".into(),
            "--status.registry-interval=1s".into(),
            "--status.timeout=5s".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Exporter::spawn(&args, &[("ADOBE_CLIENT_SECRET", SECRET)])
    }

    /// Start the binary with `args` on a free port. Two tests can be handed the same free
    /// port, and then one exporter's bind fails while its test would talk to the other's: so
    /// this waits until the process holds the port itself (or has exited), and starts it
    /// again on another port when the port was taken.
    pub fn spawn(args: &[String], env: &[(&str, &str)]) -> Exporter {
        for _ in 0..3 {
            let port = free_port();
            let mut command = Command::new(BIN);
            command
                .args(args)
                .arg(format!("--web.listen-address=127.0.0.1:{port}"));
            let mut exporter = Exporter::start(command, env, port);
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let exited = exporter
                    .child
                    .as_mut()
                    .is_none_or(|c| c.try_wait().ok().flatten().is_some());
                if exited {
                    // Let the stderr reader catch up before looking at the reason.
                    std::thread::sleep(Duration::from_millis(100));
                    if exporter.logs().contains("already in use") {
                        break;
                    }
                    return exporter;
                }
                if Instant::now() > deadline
                    || exporter.pid().is_some_and(|pid| listens_on(pid, port))
                {
                    return exporter;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("no free port in three tries");
    }

    /// Run `command` (the binary, or a wrapper that ends in it) with the tests' clean
    /// environment plus `env`, its stderr collected; `port` is where it will answer.
    pub fn start(mut command: Command, env: &[(&str, &str)], port: u16) -> Exporter {
        command
            .env_remove("ADOBE_CLIENT_ID")
            .env_remove("ADOBE_CLIENT_SECRET")
            .env_remove("ADOBE_CLIENT_SECRET_FILE")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Exporter {
            child: Some(child),
            port,
            stderr,
        }
    }

    /// The process id (of the exporter, or of a wrapper that execs it).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Wait until this process holds a listening socket on its port (a wrapper such as
    /// `systemd-socket-activate` binds it some time after the spawn).
    pub async fn bound(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.pid().is_some_and(|pid| listens_on(pid, self.port)) {
            assert!(
                Instant::now() < deadline,
                "nothing listens on {}; logs:\n{}",
                self.port,
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether `needle` shows up in the logs within a few seconds (a failure is counted in
    /// the metrics just before it is logged, so a scrape can see it first).
    pub async fn log_appears(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.logs().contains(needle) {
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Wait until `/-/ready` answers 200.
    pub async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::get(self.url("/-/ready")).await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "not ready in time; logs:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait until the server answers at all (ready or not).
    pub async fn listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(self.url("/-/healthy")).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "not listening; logs:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET the metrics with these request headers, the response as it comes (this reqwest has
    /// no gzip feature: a gzip body arrives as sent).
    pub async fn get_metrics(&self, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(self.url("/metrics"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        response
    }

    /// The status page's HTML.
    pub async fn page(&self) -> String {
        reqwest::get(self.url("/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// GET the metrics the way Prometheus does (less the gzip).
    pub async fn scrape(&self) -> String {
        let response = self
            .get_metrics(&[
                ("X-Prometheus-Scrape-Timeout-Seconds", "10"),
                ("Accept", PROMETHEUS_ACCEPT),
            ])
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        response.text().await.unwrap()
    }

    /// Scrape until `predicate` holds (refreshes happen at most once per min-interval).
    pub async fn scrape_until(&self, what: &str, predicate: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let body = self.scrape().await;
            if predicate(&body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {what}; last body:\n{body}\nlogs:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// SIGTERM and wait; returns the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("exporter did not stop after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `adobe_status_product_incidents` of one product and severity.
pub fn incidents(body: &str, product: &str, severity: &str) -> Option<f64> {
    value(
        body,
        &format!(
            r#"adobe_status_product_incidents{{product_id="{product}",incident_severity="{severity}"}}"#
        ),
    )
}

/// Value of the first sample line starting with `series ` (exact name and labels).
pub fn value(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}
