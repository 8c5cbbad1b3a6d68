//! `--web.config.file` against the exporter-toolkit's documented format, on the real binary
//! (demo mode): for each field, files that must start and clients that must get in or be
//! refused as node_exporter would treat them (a raw rustls client, so the test sees the TLS
//! version, suite, key exchange group and ALPN the server chose), and files that must be
//! refused with exit status 2 and one line before anything listens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::Exporter;
use rustls::crypto::aws_lc_rs::{cipher_suite as cs, kx_group};
use rustls::crypto::{aws_lc_rs, SupportedKxGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{
    CipherSuite, ClientConfig, NamedGroup, ProtocolVersion, RootCertStore, SupportedCipherSuite,
    SupportedProtocolVersion,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "correct horse battery staple";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/exporter-toolkit-web/tests/fixtures/tls"
    ))
    .join(name)
}

/// A fixture's absolute path, for YAML.
fn fx(name: &str) -> String {
    fixture(name).display().to_string()
}

/// Write a web config into its own folder; relative paths are resolved against it.
fn web_config(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ase-web-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("web.yml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_owned()
}

/// `tls_server_config` with the server certificate, plus `extra` lines (indented by two).
fn tls_section(extra: &str) -> String {
    format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n{extra}",
        fx("server.crt"),
        fx("server.key")
    )
}

fn demo_with(config: &str) -> Exporter {
    Exporter::spawn(
        &["--demo".to_owned(), format!("--web.config.file={config}")],
        &[],
    )
}

/// Start with this web config and wait until the port accepts connections (a bare TCP
/// connect: no request, so the rate limiter's bucket is untouched).
async fn start(name: &str, body: &str) -> Exporter {
    let exporter = demo_with(&web_config(name, body));
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", exporter.port))
            .await
            .is_ok()
        {
            return exporter;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name}: not listening; logs:\n{}", exporter.logs());
}

/// A TLS client: what it offers, and the certificate it shows (a fixture base name).
#[derive(Clone)]
struct Client {
    versions: Vec<&'static SupportedProtocolVersion>,
    suites: Option<Vec<SupportedCipherSuite>>,
    groups: Option<Vec<&'static dyn SupportedKxGroup>>,
    identity: Option<&'static str>,
    alpn: Vec<Vec<u8>>,
}

impl Client {
    fn new() -> Client {
        Client {
            versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
            suites: None,
            groups: None,
            identity: None,
            alpn: vec![b"http/1.1".to_vec()],
        }
    }
    fn identity(mut self, name: &'static str) -> Client {
        self.identity = Some(name);
        self
    }
    fn tls12_only(mut self) -> Client {
        self.versions = vec![&rustls::version::TLS12];
        self
    }
    fn tls13_only(mut self) -> Client {
        self.versions = vec![&rustls::version::TLS13];
        self
    }
    fn suites(mut self, suites: &[SupportedCipherSuite]) -> Client {
        self.suites = Some(suites.to_vec());
        self
    }
    fn groups(mut self, groups: &[&'static dyn SupportedKxGroup]) -> Client {
        self.groups = Some(groups.to_vec());
        self
    }

    fn config(&self) -> ClientConfig {
        let mut provider = aws_lc_rs::default_provider();
        if let Some(suites) = &self.suites {
            provider.cipher_suites = suites.clone();
        }
        if let Some(groups) = &self.groups {
            provider.kx_groups = groups.clone();
        }
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(fixture("ca.crt")).unwrap())
            .unwrap();
        let builder = ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&self.versions)
            .unwrap()
            .with_root_certificates(roots);
        let mut config = match self.identity {
            Some(name) => {
                let certs = CertificateDer::pem_file_iter(fixture(&format!("{name}.crt")))
                    .unwrap()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                let key = PrivateKeyDer::from_pem_file(fixture(&format!("{name}.key"))).unwrap();
                builder.with_client_auth_cert(certs, key).unwrap()
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = self.alpn.clone();
        config
    }

    /// One HTTPS request (`Connection: close`); `Err` when the handshake or the request
    /// fails, as a refused client sees it.
    async fn get(&self, port: u16, path: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(self.config()));
        let mut tls = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let (_, connection) = tls.get_ref();
        let tls_info = (
            connection.protocol_version(),
            connection.negotiated_cipher_suite().map(|s| s.suite()),
            connection.negotiated_key_exchange_group().map(|g| g.name()),
            connection.alpn_protocol().map(<[u8]>::to_vec),
            connection
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.clone().into_owned()),
        );
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut raw = Vec::new();
        let result = async {
            tls.write_all(request.as_bytes()).await?;
            tls.read_to_end(&mut raw).await
        }
        .await;
        let mut answer = Answer::parse(&raw).ok_or_else(|| match result {
            Err(e) => format!("request: {e}"),
            Ok(_) => "no HTTP answer".to_owned(),
        })?;
        (
            answer.version,
            answer.suite,
            answer.group,
            answer.alpn,
            answer.server_certificate,
        ) = tls_info;
        Ok(answer)
    }
}

#[derive(Debug, Default)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    version: Option<ProtocolVersion>,
    suite: Option<CipherSuite>,
    group: Option<NamedGroup>,
    alpn: Option<Vec<u8>>,
    server_certificate: Option<CertificateDer<'static>>,
}

impl Answer {
    fn parse(raw: &[u8]) -> Option<Answer> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let mut lines = head.lines();
        let status = lines
            .next()?
            .strip_prefix("HTTP/1.1 ")?
            .get(..3)?
            .parse()
            .ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Some(Answer {
            status,
            headers,
            body: body.to_owned(),
            ..Answer::default()
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn healthy(exporter: &Exporter, client: &Client) -> Result<Answer, String> {
    let answer = client.get(exporter.port, "/-/healthy", &[]).await?;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, "Healthy\n");
    Ok(answer)
}

/// Run the binary with this web config: it must exit 2 with one stderr line naming the flag
/// (config is checked before the listener is bound, so nothing ever listened).
fn refused(name: &str, body: &str) -> String {
    let config = web_config(name, body);
    let port = common::free_port();
    let out = std::process::Command::new(common::BIN)
        .args([
            "--demo".to_owned(),
            format!("--web.config.file={config}"),
            format!("--web.listen-address=127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    assert!(
        stderr.starts_with("adobe_status_exporter: --web.config.file: "),
        "{name}: {stderr}"
    );
    stderr
}

#[tokio::test]
async fn tls_with_basic_auth() {
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let exporter = start(
        "auth",
        &format!(
            "{}basic_auth_users:\n  prometheus: {hash}\n",
            tls_section("")
        ),
    )
    .await;
    let basic = |user: &str, password: &str| {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {token}")
    };
    let client = Client::new();
    let good = basic("prometheus", PASSWORD);
    let ok = client
        .get(exporter.port, "/metrics", &[("Authorization", &good)])
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("adobe_status_up"));

    for auth in [
        None,
        Some(basic("prometheus", "wrong")),
        Some(basic("intruder", PASSWORD)),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let answer = client
            .get(exporter.port, "/metrics", &headers)
            .await
            .unwrap();
        assert_eq!(answer.status, 401, "{auth:?}");
        assert_eq!(
            answer.header("www-authenticate"),
            Some("Basic realm=\"adobe_status_exporter\"")
        );
        assert!(!answer.body.contains("adobe_status"));
    }
    // Health endpoints and the status page are protected too (exporter-toolkit behaviour).
    let health = client.get(exporter.port, "/-/healthy", &[]).await.unwrap();
    assert_eq!(health.status, 401);
    let page = client.get(exporter.port, "/", &[]).await.unwrap();
    assert_eq!(page.status, 401);
    assert!(!page.body.contains("Ongoing incidents"));

    // With the password, the status page is served over TLS with the demo's data.
    let page = client
        .get(exporter.port, "/", &[("Authorization", &good)])
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.body.contains("Ongoing incidents"), "{}", page.body);
    assert!(page.body.contains("Exporter health"));
    assert!(page.body.contains(r#"href="/metrics""#));

    // Plain HTTP on the TLS port gets no metrics.
    let plain = reqwest::get(exporter.url("/metrics")).await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    assert!(!exporter.logs().contains(PASSWORD));
}

/// `client_auth_type`: who gets in with no certificate, one from the CA, a self-signed one.
#[tokio::test]
async fn client_auth_types_admit_whom_the_toolkit_admits() {
    let ca = format!("  client_ca_file: {}\n", fx("ca.crt"));
    // (policy, CA lines, no certificate, CA-signed, self-signed, warning in the log)
    let cases = [
        ("NoClientCert", "", true, true, true, None),
        (
            "RequestClientCert",
            "",
            true,
            true,
            true,
            Some("are not verified"),
        ),
        (
            "RequireAnyClientCert",
            "",
            false,
            true,
            true,
            Some("are not verified"),
        ),
        (
            "RequireClientCert",
            "",
            false,
            true,
            true,
            Some("are not verified"),
        ),
        (
            "VerifyClientCertIfGiven",
            ca.as_str(),
            true,
            true,
            false,
            None,
        ),
        (
            "RequireAndVerifyClientCert",
            ca.as_str(),
            false,
            true,
            false,
            None,
        ),
        // Without a CA Go verifies against the system's roots, which hold no test CA.
        (
            "VerifyClientCertIfGiven",
            "",
            true,
            false,
            false,
            Some("trust store ("),
        ),
        (
            "RequireAndVerifyClientCert",
            "",
            false,
            false,
            false,
            Some("trust store ("),
        ),
    ];
    for (policy, ca_lines, none, signed, self_signed, warning) in cases {
        let exporter = start(
            &format!("auth-{policy}-{}", ca_lines.is_empty()),
            &tls_section(&format!("  client_auth_type: {policy}\n{ca_lines}")),
        )
        .await;
        let base = Client::new();
        for (client, admitted, what) in [
            (base.clone(), none, "no certificate"),
            (base.clone().identity("client"), signed, "CA-signed"),
            (
                base.clone().identity("self-signed-client"),
                self_signed,
                "self-signed",
            ),
        ] {
            // TLS 1.2 too: there the refusal is in the handshake itself.
            for client in [client.clone(), client.tls12_only()] {
                let result = client.get(exporter.port, "/-/healthy", &[]).await;
                assert_eq!(
                    result.is_ok(),
                    admitted,
                    "{policy} {ca_lines:?}, {what}: {result:?}"
                );
            }
        }
        if let Some(warning) = warning {
            assert!(
                exporter.log_appears(warning).await,
                "{policy}: {}",
                exporter.logs()
            );
        }
    }
}

/// `client_allowed_sans`: exact match against the DNS, e-mail, IP and URI SANs of the client
/// certificate, after the chain (RequireAndVerifyClientCert) or without it (RequireAny).
#[tokio::test]
async fn client_allowed_sans_admit_only_listed_names() {
    let cases = [
        (
            "RequireAndVerifyClientCert",
            "ca.crt",
            "prometheus.example.com",
            "client-san",
            "client",
        ),
        (
            "RequireAndVerifyClientCert",
            "ca.crt",
            "10.0.0.7",
            "client-san",
            "client",
        ),
        (
            "RequireAndVerifyClientCert",
            "ca.crt",
            "spiffe://example.com/ns/monitoring/sa/prometheus",
            "client-san",
            "client",
        ),
        (
            "RequireAndVerifyClientCert",
            "ca.crt",
            "scraper@example.com",
            "client-san",
            "self-signed-client",
        ),
        // The toolkit's own test: a self-signed client certificate as its own CA.
        (
            "RequireAndVerifyClientCert",
            "self-signed-client.crt",
            "prometheus.example.com",
            "self-signed-client",
            "client",
        ),
        // The same with CA:TRUE, as a per-scraper script makes it (and the toolkit's are).
        (
            "RequireAndVerifyClientCert",
            "self-signed-ca-client.crt",
            "test3",
            "self-signed-ca-client",
            "self-signed-client",
        ),
        (
            "RequireAnyClientCert",
            "ca.crt",
            "prometheus.example.com",
            "self-signed-client",
            "client",
        ),
    ];
    for (i, (policy, ca, san, admitted, refused)) in cases.into_iter().enumerate() {
        let exporter = start(
            &format!("sans-{i}"),
            &tls_section(&format!(
                "  client_auth_type: {policy}\n  client_ca_file: {}\n  client_allowed_sans: [other.example.com, \"{san}\"]\n",
                fx(ca)
            )),
        )
        .await;
        let client = Client::new();
        healthy(&exporter, &client.clone().identity(admitted))
            .await
            .unwrap_or_else(|e| panic!("{policy} {san}: {admitted} refused: {e}"));
        for client in [
            client.clone().identity(refused),
            client.clone(),
            client.tls12_only().identity(refused),
        ] {
            assert!(
                client.get(exporter.port, "/-/healthy", &[]).await.is_err(),
                "{policy} {san}: a client without that SAN got in"
            );
        }
    }
}

#[tokio::test]
async fn inline_cert_key_and_client_ca_serve_like_files() {
    let indent = |name: &str| {
        std::fs::read_to_string(fixture(name))
            .unwrap()
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    let exporter = start(
        "inline",
        &format!(
            "tls_server_config:\n  cert: |\n{}  key: |\n{}  client_ca: |\n{}  client_auth_type: RequireAndVerifyClientCert\n",
            indent("server.crt"),
            indent("server.key"),
            indent("ca.crt")
        ),
    )
    .await;
    healthy(&exporter, &Client::new().identity("client"))
        .await
        .unwrap();
    assert!(Client::new()
        .get(exporter.port, "/-/healthy", &[])
        .await
        .is_err());
    assert!(!exporter.logs().contains("PRIVATE KEY"));
}

/// The toolkit reads the certificate files for every connection: a renewal is served at once.
#[tokio::test]
async fn renewed_certificate_files_are_served_without_a_restart() {
    let config = web_config(
        "renewal",
        "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n",
    );
    let dir = PathBuf::from(&config).parent().unwrap().to_owned();
    let install = |name: &str| {
        std::fs::copy(fixture(&format!("{name}.crt")), dir.join("tls.crt")).unwrap();
        std::fs::copy(fixture(&format!("{name}.key")), dir.join("tls.key")).unwrap();
    };
    let der = |name: &str| CertificateDer::from_pem_file(fixture(name)).unwrap();
    install("server");
    let exporter = demo_with(&config);
    let client = Client::new();
    let mut first = None;
    for _ in 0..300 {
        if let Ok(answer) = client.get(exporter.port, "/-/healthy", &[]).await {
            first = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = first.unwrap_or_else(|| panic!("no HTTPS answer: {}", exporter.logs()));
    assert_eq!(first.server_certificate, Some(der("server.crt")));

    install("server-renewed");
    let answer = healthy(&exporter, &client).await.unwrap();
    assert_eq!(answer.server_certificate, Some(der("server-renewed.crt")));
    assert!(
        exporter.log_appears("serving the new certificate").await,
        "{}",
        exporter.logs()
    );

    // A broken renewal leaves the last good certificate in service, with a warning.
    std::fs::write(dir.join("tls.crt"), "-----BEGIN CERTIFICATE-----\nnope\n").unwrap();
    let answer = healthy(&exporter, &client).await.unwrap();
    assert_eq!(answer.server_certificate, Some(der("server-renewed.crt")));
    assert!(
        exporter.log_appears("cannot be used yet").await,
        "{}",
        exporter.logs()
    );
}

#[tokio::test]
async fn tls_versions_follow_min_and_max_version() {
    let tls13 = start("min13", &tls_section("  min_version: TLS13\n")).await;
    let answer = healthy(&tls13, &Client::new()).await.unwrap();
    assert_eq!(answer.version, Some(ProtocolVersion::TLSv1_3));
    assert!(Client::new()
        .tls12_only()
        .get(tls13.port, "/-/healthy", &[])
        .await
        .is_err());

    let tls12 = start("max12", &tls_section("  max_version: TLS12\n")).await;
    let answer = healthy(&tls12, &Client::new()).await.unwrap();
    assert_eq!(answer.version, Some(ProtocolVersion::TLSv1_2));
    assert!(Client::new()
        .tls13_only()
        .get(tls12.port, "/-/healthy", &[])
        .await
        .is_err());

    // rustls has no TLS 1.0/1.1: the minimum becomes TLS 1.2, with a warning.
    let tls10 = start("min10", &tls_section("  min_version: TLS10\n")).await;
    healthy(&tls10, &Client::new().tls12_only()).await.unwrap();
    assert!(
        tls10
            .log_appears("min_version TLS10: rustls has no TLS 1.0 or 1.1")
            .await,
        "{}",
        tls10.logs()
    );
}

/// `cipher_suites` (TLS 1.2 only, as in Go) and `prefer_server_cipher_suites`.
#[tokio::test]
async fn cipher_suites_restrict_tls12_in_the_servers_order() {
    let suites = "  cipher_suites:\n    - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n    - TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA\n    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n  max_version: TLS12\n";
    let client = Client::new().suites(&[
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
    // prefer_server_cipher_suites defaults to true: the file's order wins.
    let server_order = start("suites", &tls_section(suites)).await;
    let answer = healthy(&server_order, &client).await.unwrap();
    assert_eq!(
        answer.suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
    );
    assert!(
        server_order
            .log_appears("rustls has no TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (it has no CBC")
            .await,
        "{}",
        server_order.logs()
    );
    // A suite not in the list is not negotiated.
    let chacha = Client::new().suites(&[cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]);
    assert!(chacha
        .get(server_order.port, "/-/healthy", &[])
        .await
        .is_err());

    let client_order = start(
        "suites-client-order",
        &tls_section(&format!("{suites}  prefer_server_cipher_suites: false\n")),
    )
    .await;
    let answer = healthy(&client_order, &client).await.unwrap();
    assert_eq!(
        answer.suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
    );

    // TLS 1.3 suites are not configurable (Go ignores the list there): TLS 1.3 still works.
    let mixed = start(
        "suites-tls13",
        &tls_section("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"),
    )
    .await;
    let answer = healthy(&mixed, &Client::new().tls13_only()).await.unwrap();
    assert_eq!(answer.version, Some(ProtocolVersion::TLSv1_3));
}

#[tokio::test]
async fn curve_preferences_choose_the_key_exchange() {
    let exporter = start(
        "curves",
        &tls_section("  curve_preferences: [CurveP521, CurveP384]\n"),
    )
    .await;
    let client = Client::new().groups(&[kx_group::X25519, kx_group::SECP384R1]);
    let answer = healthy(&exporter, &client).await.unwrap();
    assert_eq!(answer.group, Some(NamedGroup::secp384r1));
    // A client that offers P-521 only (the toolkit's own case) gets P-521.
    for client in [Client::new().tls13_only(), Client::new().tls12_only()] {
        let p521 = client.groups(&[exporter_toolkit_web::SECP521R1]);
        let answer = healthy(&exporter, &p521).await.unwrap();
        assert_eq!(answer.group, Some(NamedGroup::secp521r1));
    }
    let x25519 = Client::new().groups(&[kx_group::X25519]);
    assert!(x25519.get(exporter.port, "/-/healthy", &[]).await.is_err());
    assert!(
        !exporter.logs().contains("curve_preferences"),
        "{}",
        exporter.logs()
    );
}

#[tokio::test]
async fn http2_true_is_accepted_and_https_stays_http11() {
    let exporter = start(
        "http2",
        &format!("{}http_server_config:\n  http2: true\n", tls_section("")),
    )
    .await;
    let mut client = Client::new();
    client.alpn = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let answer = healthy(&exporter, &client).await.unwrap();
    assert_eq!(answer.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert!(
        exporter.log_appears("HTTPS is served as HTTP/1.1").await,
        "{}",
        exporter.logs()
    );
}

/// `http_server_config.headers` on every response: 200, 404, 401 and 429 alike.
#[tokio::test]
async fn headers_are_on_every_response() {
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let exporter = start(
        "headers",
        &format!(
            "{}http_server_config:\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n    Content-Security-Policy: \"default-src 'self'\"\n    X-XSS-Protection: ''\nbasic_auth_users:\n  prometheus: {hash}\n",
            tls_section("")
        ),
    )
    .await;
    let client = Client::new();
    use base64::Engine;
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("prometheus:{PASSWORD}"))
    );
    for (path, auth, status) in [
        ("/-/healthy", Some(good.as_str()), 200),
        ("/nope", Some(good.as_str()), 404),
        ("/metrics", None, 401),
    ] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
        let answer = client.get(exporter.port, path, &headers).await.unwrap();
        assert_eq!(answer.status, status, "{path}");
        assert_eq!(answer.header("x-frame-options"), Some("deny"), "{path}");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            answer.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains")
        );
        assert_eq!(
            answer.header("content-security-policy"),
            Some("default-src 'self'")
        );
        // Blank means unset.
        assert_eq!(answer.header("x-xss-protection"), None);
    }
}

/// `rate_limit`: a token bucket over every request (any path, before auth), 429 beyond it.
#[tokio::test]
async fn rate_limit_answers_429_beyond_the_burst() {
    let exporter = start(
        "rate",
        "rate_limit:\n  interval: 1h\n  burst: 2\nhttp_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n",
    )
    .await;
    let http = reqwest::Client::new();
    let status = |path: &str| {
        let request = http.get(exporter.url(path));
        async move { request.send().await.unwrap() }
    };
    assert_eq!(status("/-/healthy").await.status(), 200);
    assert_eq!(status("/nope").await.status(), 404);
    let limited = status("/-/healthy").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["x-frame-options"], "sameorigin");
    assert_eq!(status("/metrics").await.status(), 429);

    // The toolkit's own case: a burst of 0 refuses everything (with a warning here).
    let zero = start("rate-zero", "rate_limit:\n  interval: 1s\n  burst: 0\n").await;
    let answer = reqwest::get(zero.url("/-/healthy")).await.unwrap();
    assert_eq!(answer.status(), 429);
    assert!(
        zero.log_appears("refuses every request with 429").await,
        "{}",
        zero.logs()
    );

    // An interval of 0 turns the limiter off.
    let off = start("rate-off", "rate_limit:\n  interval: 0s\n  burst: 1\n").await;
    for _ in 0..5 {
        assert_eq!(
            reqwest::get(off.url("/-/healthy")).await.unwrap().status(),
            200
        );
    }
}

/// A `tls_server_config` without certificate, key, CA or policy turns no TLS on (toolkit).
#[tokio::test]
async fn a_tls_section_without_a_certificate_serves_plain_http() {
    let exporter = start(
        "no-tls",
        "tls_server_config:\n  min_version: TLS13\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
    )
    .await;
    let answer = reqwest::get(exporter.url("/-/healthy")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        exporter
            .log_appears("TLS is off and plain HTTP is served")
            .await,
        "{}",
        exporter.logs()
    );
}

/// Every file the toolkit refuses (its documented checks, in its words where it has words),
/// and the few it takes that rustls cannot serve at all.
#[test]
fn files_the_toolkit_refuses_exit_2_with_one_line_naming_the_field() {
    let ca = fx("ca.crt");
    let cases: Vec<(&str, String, &str)> = vec![
        ("yaml", "tls_server_config: [\n".into(), "invalid YAML"),
        ("typo", "tls_sever_config: {}\n".into(), "unknown field `tls_sever_config`"),
        ("typo-tls", tls_section("  client_auth: RequireAndVerifyClientCert\n"), "unknown field `client_auth`"),
        ("nokey", "tls_server_config:\n  cert_file: x.crt\n".into(), "missing one of key or key_file"),
        ("nocert", "tls_server_config:\n  key_file: x.key\n".into(), "missing one of cert or cert_file"),
        ("empty-cert", "tls_server_config:\n  cert_file: ''\n  key_file: x.key\n".into(), "missing one of cert or cert_file"),
        ("missing", "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n".into(), "cert_file: cannot read"),
        ("missing-key", format!("tls_server_config:\n  cert_file: {}\n  key_file: nope.key\n", fx("server.crt")), "key_file: cannot read"),
        ("mismatch", format!("tls_server_config:\n  cert_file: {}\n  key_file: {}\n", fx("server.crt"), fx("client.key")), "do not form a usable pair"),
        ("ca-no-policy", tls_section(&format!("  client_ca_file: {ca}\n")), "client CA's have been configured without a client auth policy"),
        ("ca-missing", tls_section("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: nope.crt\n"), "client_ca_file: cannot read"),
        ("auth-type", tls_section("  client_auth_type: VerifyClientCert\n"), "client_auth_type: invalid value"),
        ("sans-optional", tls_section(&format!("  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: {ca}\n  client_allowed_sans: [one]\n")), "client_allowed_sans requires client_auth_type"),
        ("sans-no-auth", tls_section("  client_allowed_sans: [one]\n"), "client_allowed_sans requires client_auth_type"),
        ("version", tls_section("  min_version: TLS1.2\n"), "unknown TLS version"),
        ("cipher", tls_section("  cipher_suites: [TLS_INVENTED_CIPHER]\n"), "unknown cipher \"TLS_INVENTED_CIPHER\""),
        ("insecure-cipher", tls_section("  cipher_suites: [TLS_ECDHE_RSA_WITH_RC4_128_SHA]\n"), "unknown cipher"),
        ("no-http2-cipher", tls_section("  client_auth_type: VerifyClientCertIfGiven\n  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n  max_version: TLS12\n"), "missing an HTTP/2-required AES_128_GCM_SHA256 cipher"),
        ("curve", tls_section("  curve_preferences: [CurveInvented]\n"), "unknown curve"),
        ("header", "http_server_config:\n  headers:\n    Server: adobe\n".into(), "HTTP header \"Server\" can not be configured"),
        ("header-case", "http_server_config:\n  headers:\n    x-frame-options: deny\n".into(), "can not be configured"),
        ("header-value", "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n".into(), "invalid value for X-Content-Type-Options"),
        ("http2", "http_server_config:\n  http2: sometimes\n".into(), "http2"),
        ("hash", "basic_auth_users:\n  u: plaintext\n".into(), "not a bcrypt hash"),
        ("user-twice", "basic_auth_users:\n  u: $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG\n  u: $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG\n".into(), "set twice"),
        ("interval", "rate_limit:\n  interval: 1d\n  burst: 1\n".into(), "rate_limit.interval"),
        ("burst", "rate_limit:\n  interval: 1s\n  burst: many\n".into(), "rate_limit.burst"),
        // Taken by Go, but nothing is left for rustls to serve: refused, saying why.
        ("tls11", tls_section("  max_version: TLS11\n"), "TLS11 leaves no TLS version"),
        ("min-above-max", tls_section("  min_version: TLS13\n  max_version: TLS12\n"), "above max_version"),
        ("cbc-only", tls_section("  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n  max_version: TLS12\nhttp_server_config:\n  http2: false\n"), "is a TLS 1.2 suite rustls has"),
        ("p384-hybrid-only", tls_section("  curve_preferences: [SecP384r1MLKEM1024]\n"), "none of SecP384r1MLKEM1024 is available in rustls"),
    ];
    for (name, body, needle) in cases {
        let line = refused(name, &body);
        assert!(line.contains(needle), "{name}: {line}(wanted {needle:?})");
    }
    // The secret parts of a file never show in its errors.
    let line = refused(
        "inline-key",
        "tls_server_config:\n  cert: x\n  key: '-----BEGIN PRIVATE KEY-----\n\n    TOP-SECRET\n\n    -----END PRIVATE KEY-----'\n",
    );
    assert!(
        line.contains("tls_server_config.cert") && !line.contains("TOP-SECRET"),
        "{line}"
    );
    let line = refused("hash-secret", "basic_auth_users:\n  u: TOP-SECRET\n");
    assert!(!line.contains("TOP-SECRET"), "{line}");
}
