//! Flag parsing and validation: defaults, one-line errors naming the flag, the secret rules.

use secrecy::ExposeSecret;

use super::args::{parse_duration, parse_size};
use super::*;

fn parse(args: &[&str], secret: Option<&str>) -> Result<Config, ConfigError> {
    let argv = std::iter::once("adobe_status_exporter").chain(args.iter().copied());
    let secret = secret.map(str::to_owned);
    match Config::parse_from(argv, move |name| {
        (name == SECRET_ENV).then(|| secret.clone()).flatten()
    })? {
        Command::Run(c) => Ok(*c),
        Command::Print(_) => panic!("printed help"),
    }
}

fn error(args: &[&str], secret: Option<&str>) -> String {
    parse(args, secret).unwrap_err().to_string()
}

#[test]
fn demo_needs_no_credentials_and_has_documented_defaults() {
    let c = parse(&["--demo"], None).unwrap();
    assert_eq!(c.listen_socket_addrs().unwrap()[0].port(), 10042);
    assert!(!c.web_flags.systemd_socket && c.web_flags.config_file.is_none());
    assert_eq!(c.telemetry_path, "/metrics");
    assert_eq!(c.min_interval, Duration::from_secs(60));
    assert_eq!(c.registry_interval, Duration::from_secs(3600));
    assert_eq!(c.timeout, Duration::from_secs(30));
    assert_eq!(c.max_requests, 10);
    assert_eq!(c.api_key, "StatusAdobeIOClient");
    assert_eq!(c.ims_url.as_str(), DEFAULT_IMS_URL);
    assert!(matches!(c.mode, Mode::Demo { .. }));
    assert_eq!(c.log_format, LogFormat::Logfmt);
    assert_eq!(c.log_level, LogLevel::Info);
}

#[test]
fn live_mode_takes_secret_from_env_and_keeps_it_out_of_debug() {
    let c = parse(&["--adobe.client-id", "abc"], Some("s3cr3t-canary")).unwrap();
    assert_eq!(c.credentials.client_id, "abc");
    assert_eq!(
        c.credentials.client_secret.current().expose_secret(),
        "s3cr3t-canary"
    );
    assert!(!format!("{c:?}").contains("s3cr3t-canary"));
}

#[test]
fn secret_file_is_read_and_trimmed() {
    let dir = std::env::temp_dir().join(format!("ase-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, "file-secret\n").unwrap();
    let path = file.to_str().unwrap();
    let c = parse(
        &[
            "--adobe.client-id",
            "abc",
            "--adobe.client-secret-file",
            path,
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        c.credentials.client_secret.current().expose_secret(),
        "file-secret"
    );
    let both = error(
        &[
            "--adobe.client-id",
            "abc",
            "--adobe.client-secret-file",
            path,
        ],
        Some("x"),
    );
    assert!(both.contains("only one"), "{both}");
    std::fs::write(&file, "  \n").unwrap();
    assert!(error(
        &["--adobe.client-id", "a", "--adobe.client-secret-file", path],
        None
    )
    .contains("is empty"));
    let missing = error(
        &[
            "--adobe.client-id",
            "a",
            "--adobe.client-secret-file",
            "/nonexistent/x",
        ],
        None,
    );
    assert!(
        missing.starts_with("--adobe.client-secret-file: cannot read /nonexistent/x"),
        "{missing}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_credentials_name_the_flag() {
    assert!(error(&[], Some("x")).starts_with("--adobe.client-id"));
    assert!(error(&["--adobe.client-id", "a"], None).contains("client secret is required"));
    assert!(error(&["--adobe.client-id", "a"], Some(" ")).contains("empty"));
}

#[test]
fn bad_values_are_one_line_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--demo", "--status.min-interval", "soon"],
            "--status.min-interval",
        ),
        (
            &["--demo", "--status.min-interval", "100ms"],
            "--status.min-interval",
        ),
        (&["--demo", "--status.timeout", "0s"], "--status.timeout"),
        (
            &["--demo", "--status.max-requests", "51"],
            "--status.max-requests",
        ),
        (
            &["--demo", "--status.max-requests", "x"],
            "--status.max-requests",
        ),
        (
            &["--demo", "--status.registry-interval", "10s"],
            "--status.registry-interval",
        ),
        (
            &["--demo", "--web.listen-address", "nope"],
            "--web.listen-address",
        ),
        (
            &["--demo", "--web.listen-address", ":99999"],
            "--web.listen-address",
        ),
        (
            &["--demo", "--web.telemetry-path", "metrics"],
            "--web.telemetry-path",
        ),
        (
            &["--demo", "--adobe.status-url", "ftp://x"],
            "--adobe.status-url",
        ),
        (
            &["--demo", "--adobe.ims-url", "not a url"],
            "--adobe.ims-url",
        ),
        (&["--demo", "--adobe.product-id", ""], "--adobe.product-id"),
        (&["--demo", "--log.level", "trace"], "--log.level"),
        (&["--demo", "--log.format", "xml"], "--log.format"),
        (
            &["--demo", "--web.config.file", "/nonexistent"],
            "--web.config.file",
        ),
        (
            &["--demo", "--status.max-response-size", "12XB"],
            "--status.max-response-size",
        ),
        (&["--demo", "--no-such-flag"], "--no-such-flag"),
    ];
    for (args, flag) in cases {
        let message = error(args, None);
        assert!(message.contains(flag), "{args:?}: {message}");
        assert!(!message.contains('\n'), "{args:?}: {message}");
    }
}

#[test]
fn secret_is_not_a_flag() {
    assert!(
        error(&["--demo", "--adobe.client-secret", "x"], None).contains("--adobe.client-secret")
    );
}

#[test]
fn product_ids_repeat_or_comma_separate_and_dedupe() {
    let c = parse(
        &[
            "--demo",
            "--adobe.product-id",
            "1,2",
            "--adobe.product-id",
            "2",
            "--adobe.product-id",
            "3",
        ],
        None,
    )
    .unwrap();
    assert_eq!(c.product_ids, ["1", "2", "3"]);
}

#[test]
fn sizes_and_durations() {
    assert_eq!(parse_size("32MiB"), Ok(32 << 20));
    assert_eq!(parse_size("2048"), Ok(2048));
    assert_eq!(parse_size("4 KiB"), Ok(4096));
    assert!(parse_size("MiB").is_err());
    assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
}

#[test]
fn help_mentions_the_secret_env_but_has_no_secret_flag() {
    let argv = ["adobe_status_exporter", "--help"];
    let Ok(Command::Print(help)) = Config::parse_from(argv, |_| None) else {
        panic!("no help")
    };
    assert!(help.contains("ADOBE_CLIENT_SECRET"));
    assert!(help.contains("--status.min-interval"));
    assert!(!help.contains("--adobe.client-secret "));
}

#[test]
fn a_wrong_enumerated_value_lists_the_accepted_ones_on_the_same_line() {
    let message = error(&["--demo", "--log.format", "xml"], None);
    assert!(message.contains("--log.format"), "{message}");
    assert!(
        message.contains("[possible values: logfmt, json]"),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn demo_flags_need_demo_and_say_so_on_one_line() {
    let message = error(&["--adobe.client-id", "a", "--demo.scale", "2"], Some("s"));
    assert!(message.contains("--demo"), "{message}");
    assert!(!message.contains('\n'), "{message}");
    assert!(parse(&["--demo", "--demo.scale", "2"], None).is_ok());
}

#[test]
fn the_state_scope_follows_the_watched_ids_and_the_upstream_not_their_order() {
    let scope = |args: &[&str]| parse(args, Some("s")).unwrap().state_scope();
    let base = ["--adobe.client-id", "abc"];
    let both = scope(&[&base[..], &["--adobe.product-id=b,a"]].concat());
    assert_eq!(
        both,
        scope(&[&base[..], &["--adobe.product-id=a", "--adobe.product-id=b"]].concat())
    );
    assert_eq!(
        both,
        "upstream=https://status.adobe.io/;product-ids=a,b;locale=en"
    );
    assert_ne!(
        both,
        scope(&[&base[..], &["--adobe.product-id=a"]].concat())
    );
    assert_ne!(scope(&base), scope(&["--demo"]));
    assert_ne!(
        scope(&base),
        scope(&[&base[..], &["--adobe.status-url=https://proxy.internal"]].concat())
    );
    // The locale is part of it (the messages are asked in it); the region and environment
    // scope is not: a restored file is derived under the current one.
    assert_ne!(
        scope(&base),
        scope(&[&base[..], &["--adobe.locale=fr"]].concat())
    );
    assert_eq!(
        scope(&base),
        scope(
            &[
                &base[..],
                &["--adobe.region=EMEA", "--adobe.environment=Prod EU"]
            ]
            .concat()
        )
    );
}

#[test]
fn the_state_file_is_optional_and_never_a_file_the_exporter_reads() {
    assert_eq!(parse(&["--demo"], None).unwrap().state_file, None);
    let c = parse(&["--demo", "--status.state-file=/var/lib/x/state"], None).unwrap();
    assert_eq!(c.state_file, Some(PathBuf::from("/var/lib/x/state")));
    let err = error(
        &[
            "--adobe.client-id",
            "abc",
            "--adobe.client-secret-file=/run/secret",
            "--status.state-file=/run/secret",
        ],
        None,
    );
    assert!(err.starts_with("--status.state-file: "), "{err}");
    assert!(error(&["--demo", "--status.state-file="], None).contains("--status.state-file"));
    let dir = error(&["--demo", "--status.state-file=/var/lib/x/"], None);
    assert_eq!(dir, "--status.state-file: must be a file path");
}

#[test]
fn listen_address_repeats_and_systemd_socket_is_a_switch() {
    let c = parse(
        &[
            "--demo",
            "--web.listen-address",
            "127.0.0.1:1",
            "--web.listen-address=[::1]:2",
            "--web.systemd-socket",
        ],
        None,
    )
    .unwrap();
    assert_eq!(c.web_flags.listen_addresses, ["127.0.0.1:1", "[::1]:2"]);
    assert_eq!(c.listen_socket_addrs().unwrap()[1].port(), 2);
    assert!(c.web_flags.systemd_socket);
    let message = error(
        &[
            "--demo",
            "--web.listen-address=:1",
            "--web.listen-address=nope",
        ],
        None,
    );
    assert!(
        message.contains("--web.listen-address: \"nope\""),
        "{message}"
    );
}
