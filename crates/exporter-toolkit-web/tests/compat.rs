//! The exporter-toolkit's own test table (`web/tls_config_test.go`: `TestServerBehaviour` and
//! `TestUsers`), with its own web configs (`tests/fixtures/toolkit/`, whose
//! README says which certificates stand in for the toolkit's), against this crate's
//! [`serve`]: each case starts a server with the file, makes the case's request with a client
//! configured as the Go test configures its own, and expects what the Go test expects.
//!
//! Not here: the TLS 1.1 client cases (rustls cannot make a TLS 1.1 client; rustls has no
//! TLS 1.1 to serve either), the inline-PEM file (its certificate is the toolkit's own, not in
//! the fixtures; inline PEM is unit-tested), and the `WebConfig:` twins of each case (the same
//! file handed over parsed, which is what [`WebConfig::load`] does here anyway).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use exporter_toolkit_web::{serve, ServeOptions, WebConfig, SECP521R1};
use hyper::{Request, Response};
use rustls::crypto::aws_lc_rs::{self, cipher_suite as cs, kx_group};
use rustls::crypto::SupportedKxGroup;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{CipherSuite, ClientConfig, RootCertStore, SupportedCipherSuite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A folder laid out as the toolkit's `web/testdata`: its configs, and the stand-ins.
fn testdata() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolkit-testdata-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fx = fixtures();
    for entry in std::fs::read_dir(fx.join("toolkit")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    for (from, to) in [
        ("tls/server-rsa.crt", "server.crt"),
        ("tls/server-rsa.key", "server.key"),
        ("tls/ca.crt", "tls-ca-chain.pem"),
        ("toolkit/client2_selfsigned.pem", "client_selfsigned.pem"),
        ("toolkit/client2_selfsigned.key", "client_selfsigned.key"),
        ("tls/self-signed-ca-client.crt", "client2_selfsigned.pem"),
        ("tls/self-signed-ca-client.key", "client2_selfsigned.key"),
    ] {
        std::fs::copy(fx.join(from), dir.join(to)).unwrap();
    }
    dir
}

/// The client of a case: the Go test's `getTLSClient` (trusts `tls-ca-chain.pem`, shows
/// `ClientCertificate` when set) with its `CipherSuites` and `CurvePreferences`.
#[derive(Default)]
struct Client {
    tls: bool,
    certificate: Option<&'static str>,
    suites: Option<Vec<SupportedCipherSuite>>,
    curves: Option<Vec<&'static dyn SupportedKxGroup>>,
    user: Option<(&'static str, &'static str)>,
}

/// What a case expects: the Go test's `ExpectedError`, or "Hello World!" (`Ok`), with the
/// suite the Go test checks in `ActualCipher`.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok(Option<CipherSuite>),
    /// The server did not start: the error names this.
    Refused(&'static str),
    /// The TLS handshake failed (Go: "handshake failure", "bad certificate", "tls: ...").
    Handshake,
    /// A plain client at an HTTPS server or the other way round.
    WrongProtocol,
    /// The HTTP status line's code.
    Status(u16),
}

async fn run(testdata: &Path, file: Option<&str>, client: &Client, requests: usize) -> Outcome {
    let web = match file {
        Some(file) => match WebConfig::load(&testdata.join(file)) {
            Ok(web) => web,
            Err(err) => return Outcome::Refused(Box::leak(err.to_string().into_boxed_str())),
        },
        None => WebConfig::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hello = hyper::service::service_fn(|_req: Request<hyper::body::Incoming>| async {
        Ok::<_, Infallible>(Response::new(String::from("Hello World!")))
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        serve(
            vec![listener],
            &web,
            ServeOptions::default(),
            hello,
            async {
                let _ = stopped.await;
            },
        )
        .await;
    });
    let mut outcome = Outcome::Ok(None);
    // The Go test makes `Requests + 1` requests and reports the first error.
    for _ in 0..=requests {
        outcome = get(port, client).await;
        if !matches!(outcome, Outcome::Ok(_)) {
            break;
        }
    }
    let _ = stop.send(());
    server.await.unwrap();
    outcome
}

async fn get(port: u16, client: &Client) -> Outcome {
    let mut request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".to_owned();
    if let Some((user, password)) = client.user {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut raw = Vec::new();
    let mut suite = None;
    if client.tls {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(client)));
        let Ok(mut tls) = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
        else {
            return Outcome::Handshake;
        };
        suite = tls.get_ref().1.negotiated_cipher_suite().map(|s| s.suite());
        // TLS 1.3: a refused client certificate shows as an alert on the first read.
        let sent = tls.write_all(request.as_bytes()).await;
        let read = tls.read_to_end(&mut raw).await;
        if raw.is_empty() {
            return match (sent, read) {
                (Err(_), _) | (_, Err(_)) => Outcome::Handshake,
                _ => Outcome::WrongProtocol,
            };
        }
    } else {
        tcp.write_all(request.as_bytes()).await.unwrap();
        let _ = tcp.read_to_end(&mut raw).await;
    }
    let text = String::from_utf8_lossy(&raw);
    let Some(status) = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
    else {
        return Outcome::WrongProtocol;
    };
    if status == 200 && text.ends_with("Hello World!") {
        Outcome::Ok(suite)
    } else {
        Outcome::Status(status)
    }
}

fn client_config(client: &Client) -> ClientConfig {
    let mut provider = aws_lc_rs::default_provider();
    if let Some(suites) = &client.suites {
        provider.cipher_suites = suites.clone();
    }
    // Go's client offers P-521 too; the toolkit's cases restrict it with CurvePreferences.
    provider.kx_groups = client.curves.clone().unwrap_or_else(|| {
        let mut all = provider.kx_groups.clone();
        all.push(SECP521R1);
        all
    });
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(fixtures().join("tls/ca.crt")).unwrap())
        .unwrap();
    let builder = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    match client.certificate {
        Some(name) => {
            let dir = testdata();
            let cert = CertificateDer::from_pem_file(dir.join(format!("{name}.pem"))).unwrap();
            let key = PrivateKeyDer::from_pem_file(dir.join(format!("{name}.key"))).unwrap();
            builder.with_client_auth_cert(vec![cert], key).unwrap()
        }
        None => builder.with_no_client_auth(),
    }
}

fn tls() -> Client {
    Client {
        tls: true,
        ..Client::default()
    }
}

#[tokio::test]
async fn every_case_of_the_toolkits_table_agrees() {
    let dir = testdata();
    let aes128 = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let cases: Vec<(&str, Option<&str>, Client, usize, Outcome)> = vec![
        // TestServerBehaviour
        ("empty string YAMLConfigPath and default client", None, Client::default(), 0, Outcome::Ok(None)),
        // Go's client says "server gave HTTP response to HTTPS client"; rustls' handshake fails.
        ("empty string YAMLConfigPath and TLS client", None, tls(), 0, Outcome::Handshake),
        ("valid tls config yml and default client", Some("web_config_noAuth.good.yml"), Client::default(), 0, Outcome::WrongProtocol),
        ("valid tls config yml and tls client", Some("web_config_noAuth.good.yml"), tls(), 0, Outcome::Ok(None)),
        ("valid tls config yml with all ciphers", Some("web_config_noAuth_allCiphers.good.yml"), tls(), 0, Outcome::Ok(None)),
        ("valid tls config yml with some ciphers", Some("web_config_noAuth_someCiphers.good.yml"),
            Client { suites: Some(vec![cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]), ..tls() }, 0, Outcome::Ok(Some(aes128))),
        // Go's client offers TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, which rustls has not: a
        // suite the server does not list stands in for it.
        ("valid tls config yml with no common cipher", Some("web_config_noAuth_someCiphers.good.yml"),
            Client { suites: Some(vec![cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]), ..tls() }, 0, Outcome::Handshake),
        ("valid tls config yml with multiple client ciphers", Some("web_config_noAuth_someCiphers.good.yml"),
            Client { suites: Some(vec![cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]), ..tls() }, 0, Outcome::Ok(Some(aes128))),
        ("valid tls config yml with multiple client ciphers, client chooses cipher", Some("web_config_noAuth_someCiphers_noOrder.good.yml"),
            Client { suites: Some(vec![cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]), ..tls() }, 0, Outcome::Ok(Some(aes128))),
        ("valid tls config yml with all curves", Some("web_config_noAuth_allCurves.good.yml"), tls(), 0, Outcome::Ok(None)),
        ("valid tls config yml with some curves", Some("web_config_noAuth_someCurves.good.yml"),
            Client { curves: Some(vec![SECP521R1]), ..tls() }, 0, Outcome::Ok(None)),
        ("valid tls config yml with no common curves", Some("web_config_noAuth_someCurves.good.yml"),
            Client { curves: Some(vec![kx_group::SECP384R1]), ..tls() }, 0, Outcome::Handshake),
        ("valid tls config yml with non-http2 ciphers", Some("web_config_noAuth_noHTTP2.good.yml"), tls(), 0, Outcome::Ok(None)),
        ("valid tls config yml with non-http2 ciphers but http2 enabled", Some("web_config_noAuth_noHTTP2Cipher.bad.yml"), tls(), 0,
            Outcome::Refused("missing an HTTP/2-required")),
        ("valid headers config", Some("web_config_headers.good.yml"), Client::default(), 0, Outcome::Ok(None)),
        ("invalid X-Content-Type-Options headers config", Some("web_config_headers_content_type_options.bad.yml"), Client::default(), 0,
            Outcome::Refused("invalid value for")),
        ("invalid X-Frame-Options headers config", Some("web_config_headers_frame_options.bad.yml"), Client::default(), 0,
            Outcome::Refused("invalid value for")),
        ("HTTP header that can not be overridden", Some("web_config_headers_extra_header.bad.yml"), Client::default(), 0,
            Outcome::Refused("can not be configured")),
        ("valid tls config yml and tls client with RequireAnyClientCert (present certificate)", Some("tls_config_noAuth.requireanyclientcert.good.yml"),
            Client { certificate: Some("client_selfsigned"), ..tls() }, 0, Outcome::Ok(None)),
        ("valid tls config yml and tls client with RequireAndVerifyClientCert (present certificate)", Some("tls_config_noAuth.requireandverifyclientcert.good.yml"),
            Client { certificate: Some("client_selfsigned"), ..tls() }, 0, Outcome::Ok(None)),
        ("valid tls config yml and tls client with VerifyPeerCertificate (present good SAN DNS entry)", Some("web_config_auth_client_san.good.yaml"),
            Client { certificate: Some("client2_selfsigned"), ..tls() }, 0, Outcome::Ok(None)),
        ("valid tls config yml and tls client with VerifyPeerCertificate (present invalid SAN DNS entries)", Some("web_config_auth_client_san.bad.yaml"),
            Client { certificate: Some("client2_selfsigned"), ..tls() }, 0, Outcome::Handshake),
        ("valid rate limiter (no rate limiter set up) that doesn't block", Some("web_config_rate_limiter_nonblocking.yaml"), Client::default(), 10, Outcome::Ok(None)),
        ("valid rate limiter with an interval of one second", Some("web_config_rate_limiter_one_second.yaml"), Client::default(), 10, Outcome::Status(429)),
        // Beyond the Go table: the verifying policy without the certificate, and another
        // self-signed certificate than the one trusted.
        ("RequireAndVerifyClientCert without a certificate", Some("tls_config_noAuth.requireandverifyclientcert.good.yml"), tls(), 0, Outcome::Handshake),
        ("RequireAndVerifyClientCert with another self-signed certificate", Some("tls_config_noAuth.requireandverifyclientcert.good.yml"),
            Client { certificate: Some("client2_selfsigned"), ..tls() }, 0, Outcome::Handshake),
        // TestUsers
        ("without basic auth", Some("web_config_users_noTLS.good.yml"), Client::default(), 0, Outcome::Status(401)),
        ("with correct basic auth", Some("web_config_users_noTLS.good.yml"), Client { user: Some(("dave", "dave123")), ..Client::default() }, 0, Outcome::Ok(None)),
        ("without incorrect basic auth", Some("web_config_users_noTLS.good.yml"), Client { user: Some(("dave", "bad")), ..Client::default() }, 0, Outcome::Status(401)),
        ("with unknown user", Some("web_config_users_noTLS.good.yml"), Client { user: Some(("nonexistent", "nonexistent")), ..Client::default() }, 0, Outcome::Status(401)),
    ];
    let mut disagreements = Vec::new();
    for (name, file, client, requests, expected) in &cases {
        let outcome = run(&dir, *file, client, *requests).await;
        let agrees = match (expected, &outcome) {
            (Outcome::Refused(needle), Outcome::Refused(line)) => line.contains(needle),
            (Outcome::Ok(None), Outcome::Ok(_)) => true,
            _ => expected == &outcome,
        };
        if !agrees {
            disagreements.push(format!("{name}: expected {expected:?}, got {outcome:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
