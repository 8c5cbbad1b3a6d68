//! `--web.config.file`: TLS, mutual TLS and basic auth, checked with a real TLS client
//! against the real binary (demo mode).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::Exporter;

const PASSWORD: &str = "correct horse battery staple";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls")).join(name)
}

/// Write a web config next to nothing else; relative paths are resolved against its folder.
fn web_config(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ase-web-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("web.yml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_owned()
}

fn tls_section(extra: &str) -> String {
    format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n{extra}",
        fixture("server.crt").display(),
        fixture("server.key").display()
    )
}

fn client(identity: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixture("ca.crt")).unwrap()).unwrap();
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
    if identity {
        let mut pem = std::fs::read(fixture("client.crt")).unwrap();
        pem.extend(std::fs::read(fixture("client.key")).unwrap());
        builder = builder.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    builder.build().unwrap()
}

fn demo_with(config: &str) -> Exporter {
    Exporter::spawn(
        &["--demo".to_owned(), format!("--web.config.file={config}")],
        &[],
    )
}

async fn wait_https(
    exporter: &Exporter,
    client: &reqwest::Client,
    auth: Option<(&str, &str)>,
) -> reqwest::Response {
    let url = format!("https://localhost:{}/metrics", exporter.port);
    for _ in 0..300 {
        let mut request = client.get(&url);
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        if let Ok(response) = request.send().await {
            return response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no HTTPS answer; logs:\n{}", exporter.logs());
}

#[tokio::test]
async fn tls_with_basic_auth() {
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let config = web_config(
        "auth",
        &format!(
            "{}basic_auth_users:\n  prometheus: {hash}\n",
            tls_section("")
        ),
    );
    let exporter = demo_with(&config);
    let https = client(false);
    let ok = wait_https(&exporter, &https, Some(("prometheus", PASSWORD))).await;
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("adobe_status_up"));

    for auth in [
        None,
        Some(("prometheus", "wrong")),
        Some(("intruder", PASSWORD)),
    ] {
        let response = wait_https(&exporter, &https, auth).await;
        assert_eq!(response.status(), 401, "{auth:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"adobe_status_exporter\""
        );
        assert!(!response.text().await.unwrap().contains("adobe_status"));
    }
    // Health endpoints are protected too (exporter-toolkit behaviour).
    let health = https
        .get(format!("https://localhost:{}/-/healthy", exporter.port))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 401);

    // Plain HTTP on the TLS port gets no metrics.
    let plain = reqwest::get(exporter.url("/metrics")).await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    assert!(!exporter.logs().contains(PASSWORD));
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate_from_the_ca() {
    let config = web_config(
        "mtls",
        &tls_section(&format!(
            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {}\n  min_version: TLS13\n",
            fixture("ca.crt").display()
        )),
    );
    let exporter = demo_with(&config);
    let with_cert = wait_https(&exporter, &client(true), None).await;
    assert_eq!(with_cert.status(), 200);
    let without = client(false)
        .get(format!("https://localhost:{}/metrics", exporter.port))
        .send()
        .await;
    assert!(
        without.is_err(),
        "a client without a certificate must be refused"
    );
}

#[test]
fn invalid_web_configs_exit_2_naming_the_flag() {
    let cases = [
        ("typo", "tls_sever_config: {}\n".to_owned(), "unknown field"),
        (
            "nokey",
            "tls_server_config:\n  cert_file: x.crt\n".to_owned(),
            "missing one of key or key_file",
        ),
        (
            "hash",
            "basic_auth_users:\n  u: plaintext\n".to_owned(),
            "not a bcrypt hash",
        ),
        (
            "missing",
            "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n".to_owned(),
            "nope.crt",
        ),
    ];
    for (name, body, needle) in cases {
        let config = web_config(name, &body);
        let out = std::process::Command::new(common::BIN)
            .args(["--demo", &format!("--web.config.file={config}")])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains("--web.config.file") && stderr.contains(needle),
            "{name}: {stderr}"
        );
    }
}
