//! One canary secret, every exit: logs at every level in both formats, `/metrics`, error
//! messages, `--check` output, `Debug` of the configuration, and every URL and header the
//! fake Adobe received. The only place the secret may travel is the token request's body.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use adobe_status_exporter::config::{Command, Config};
use adobe_status_sim::{Fault, Scenario};
use common::{simulator, value, Exporter, BIN, CLIENT_ID, SECRET};

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "the secret leaked into {what}:\n{text}"
    );
}

// Multi-threaded: the blocking `--check` runs below must not stall the in-process simulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn canary_secret_never_leaks() {
    let sim = simulator(Scenario::Live).await;
    let control = sim.control();

    // The secret from a file this time, the environment below.
    let dir = std::env::temp_dir().join(format!("ase-canary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("client_secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();

    for format in ["logfmt", "json"] {
        for level in ["error", "warn", "info", "debug"] {
            let exporter = Exporter::against(
                &sim,
                &[
                    &format!("--log.level={level}"),
                    &format!("--log.format={format}"),
                ],
            );
            exporter.ready().await;
            let body = exporter.scrape().await;
            assert_clean("/metrics", &body);
            // Drive the error paths too: a revoked token (401 → re-auth) and IMS failures.
            control.revoke_tokens();
            control.set_fault("token", Fault::InvalidClient, Some(1));
            let body = exporter
                .scrape_until("an auth failure", |b| {
                    value(b, r#"adobe_status_refresh_failures_total{reason="auth"}"#).unwrap_or(0.0)
                        >= 1.0
                })
                .await;
            assert_clean("/metrics after failures", &body);
            control.clear_faults();
            assert_clean(&format!("{format} logs at {level}"), &exporter.logs());
            if level == "debug" {
                assert!(
                    exporter.logs().contains("invalid_client"),
                    "{}",
                    exporter.logs()
                );
            }
        }
    }

    // From a file, with a wrong client id: the error output names the problem, not the secret.
    let exporter = Exporter::spawn(
        &[
            "--adobe.client-id=someone-else".to_owned(),
            format!("--adobe.client-secret-file={}", secret_file.display()),
            format!("--adobe.ims-url={}", sim.ims_url()),
            format!("--adobe.status-url={}", sim.status_url()),
            "--log.level=debug".into(),
        ],
        &[],
    );
    exporter.listening().await;
    let body = exporter
        .scrape_until("an auth failure", |b| {
            value(b, r#"adobe_status_refresh_failures_total{reason="auth"}"#).unwrap_or(0.0) >= 1.0
        })
        .await;
    assert_clean("/metrics", &body);
    assert_clean("logs of a rejected credential", &exporter.logs());
    drop(exporter);

    // --check, successful and failing, stdout and stderr.
    for (client_id, expected) in [(CLIENT_ID, 0), ("wrong-client", 1)] {
        let out = std::process::Command::new(BIN)
            .args([
                "--check",
                "--log.level=debug",
                &format!("--adobe.client-id={client_id}"),
            ])
            .arg(format!("--adobe.ims-url={}", sim.ims_url()))
            .arg(format!("--adobe.status-url={}", sim.status_url()))
            .env("ADOBE_CLIENT_SECRET", SECRET)
            .env_remove("ADOBE_CLIENT_SECRET_FILE")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_clean("--check stdout", &String::from_utf8_lossy(&out.stdout));
        assert_clean("--check stderr", &String::from_utf8_lossy(&out.stderr));
    }

    // Configuration errors that involve the secret.
    let out = std::process::Command::new(BIN)
        .args([
            "--adobe.client-id=x",
            &format!("--adobe.client-secret-file={}", secret_file.display()),
        ])
        .env("ADOBE_CLIENT_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_clean(
        "a configuration error",
        &String::from_utf8_lossy(&out.stderr),
    );

    // Debug of the parsed configuration.
    let Ok(Command::Run(config)) =
        Config::parse_from(["adobe_status_exporter", "--adobe.client-id=x"], |name| {
            (name == "ADOBE_CLIENT_SECRET").then(|| SECRET.to_owned())
        })
    else {
        panic!("config")
    };
    assert_clean("Debug of the config", &format!("{config:?}"));
    assert_clean("Debug of the simulator control", &format!("{control:?}"));

    // Everything the fake Adobe received: the secret only ever in a token request body.
    let requests = control.requests();
    assert!(requests
        .iter()
        .filter(|r| r.api == "token")
        .all(|r| r.had_client_secret_in_body()));
    for r in &requests {
        assert_clean("a request URL", &format!("{}?{}", r.path, r.query));
        for (name, value) in &r.headers {
            assert_clean(&format!("request header {name}"), value);
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
