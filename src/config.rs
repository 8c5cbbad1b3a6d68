//! Command line and environment (README "Flags"): clap derive, then validation into [`Config`].
//!
//! Every problem becomes one [`ConfigError`] line naming the flag; `main` prints it and exits
//! with status 2 before anything binds a port. The client secret is only ever read from a
//! file or from `ADOBE_CLIENT_SECRET` (never argv) and lives in a [`SecretString`], whose
//! `Debug` is redacted.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

/// The scope list used throughout Adobe's documentation and Postman collection.
pub const DEFAULT_SCOPES: &str = "creative_cloud, openid, additional_info.ownerOrg, AdobeID, org.read, read_organizations, additional_info.roles, gnav, additional_info.company, additional_info.projectedProductContext";
pub const DEFAULT_IMS_URL: &str = "https://ims-na1.adobelogin.com/ims/token/v3";
pub const DEFAULT_STATUS_URL: &str = "https://status.adobe.io";
/// A public constant shared by every customer (docs/adobe-status-api.md §1.3), not a secret.
pub const DEFAULT_API_KEY: &str = "StatusAdobeIOClient";
/// Environment variable holding the secret itself; deliberately not a flag.
pub const SECRET_ENV: &str = "ADOBE_CLIENT_SECRET";
/// Credentials of the embedded simulator (`--demo`); not secrets.
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// Adobe's documented throttling limit per 5 s.
pub const ADOBE_MAX_REQUESTS: u32 = 50;

const AFTER_HELP: &str = "\
The client secret is read from --adobe.client-secret-file (preferred) or from the
ADOBE_CLIENT_SECRET environment variable; it is never accepted on the command line.
Durations accept forms like 30s, 5m, 1h. Sizes accept bytes or KiB/MiB suffixes.";

/// Raw command line, as clap sees it. Flag names follow the Prometheus exporter style.
#[derive(Parser)]
#[command(
    name = "adobe_status_exporter",
    version = env!("ADOBE_STATUS_EXPORTER_LONG_VERSION"),
    about = "Prometheus exporter for the Adobe Status API: incidents and maintenances per Adobe product and service",
    after_help = AFTER_HELP,
    args_override_self = true
)]
struct Args {
    /// Address to serve on, host:port (":10042" means every interface)
    #[arg(
        long = "web.listen-address",
        default_value = ":10042",
        value_name = "ADDRESS"
    )]
    listen_address: String,

    /// Path under which to expose metrics
    #[arg(
        long = "web.telemetry-path",
        default_value = "/metrics",
        value_name = "PATH"
    )]
    telemetry_path: String,

    /// Exporter-toolkit style YAML enabling TLS and/or basic auth
    #[arg(long = "web.config.file", value_name = "FILE")]
    web_config_file: Option<PathBuf>,

    /// OAuth server-to-server client id (required unless --demo)
    #[arg(
        long = "adobe.client-id",
        env = "ADOBE_CLIENT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    client_id: Option<String>,

    /// File holding the OAuth client secret
    #[arg(
        long = "adobe.client-secret-file",
        env = "ADOBE_CLIENT_SECRET_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    client_secret_file: Option<PathBuf>,

    /// Comma-separated OAuth scopes of the credential
    #[arg(long = "adobe.scopes", env = "ADOBE_SCOPES", hide_env_values = true, default_value = DEFAULT_SCOPES, value_name = "SCOPES")]
    scopes: String,

    /// Adobe IMS token endpoint
    #[arg(long = "adobe.ims-url", default_value = DEFAULT_IMS_URL, value_name = "URL")]
    ims_url: String,

    /// Adobe Status API base URL
    #[arg(long = "adobe.status-url", default_value = DEFAULT_STATUS_URL, value_name = "URL")]
    status_url: String,

    /// The fixed Status API key
    #[arg(long = "adobe.api-key", default_value = DEFAULT_API_KEY, value_name = "KEY")]
    api_key: String,

    /// Watch only this product id (repeatable, or comma-separated); default all
    #[arg(long = "adobe.product-id", value_name = "ID")]
    product_ids: Vec<String>,

    /// Never refresh events more often than this; scrapes in between are served from cache
    #[arg(long = "status.min-interval", default_value = "60s", value_parser = parse_duration, value_name = "DURATION")]
    min_interval: Duration,

    /// Refresh interval of products, clouds, regions and messages
    #[arg(long = "status.registry-interval", default_value = "1h", value_parser = parse_duration, value_name = "DURATION")]
    registry_interval: Duration,

    /// Upper bound for one upstream request
    #[arg(long = "status.timeout", default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    timeout: Duration,

    /// At most this many upstream requests per 5 s, retries included (Adobe allows 50)
    #[arg(long = "status.max-requests", default_value_t = 10, value_name = "N")]
    max_requests: u32,

    /// Largest upstream response body accepted
    #[arg(long = "status.max-response-size", default_value = "32MiB", value_parser = parse_size, value_name = "SIZE")]
    max_response_size: usize,

    /// Log level
    #[arg(long = "log.level", default_value = "info", value_parser = ["error", "warn", "info", "debug"], value_name = "LEVEL")]
    log_level: String,

    /// Log format
    #[arg(long = "log.format", default_value = "logfmt", value_parser = ["logfmt", "json"], value_name = "FORMAT")]
    log_format: String,

    /// Serve against an embedded simulated Adobe IMS + Status API (no credentials needed)
    #[arg(long)]
    demo: bool,

    /// Address of the embedded simulator in --demo mode (its /__sim/ control API is useful
    /// for scripted demos and tests)
    #[arg(
        long = "demo.listen-address",
        default_value = "127.0.0.1:0",
        value_name = "ADDRESS",
        requires = "demo"
    )]
    demo_listen_address: SocketAddr,

    /// What the demo simulator serves: live (evolving incidents and maintenances) or empty
    /// (only the registry and what its /__sim/ control API adds)
    #[arg(long = "demo.scenario", default_value = "live", value_parser = ["live", "empty"], value_name = "SCENARIO", requires = "demo")]
    demo_scenario: String,

    /// Size of the demo world: the Adobe catalog (66 products) and its live events are
    /// replicated this many times, for load and footprint measurements (1 to 1000)
    #[arg(
        long = "demo.scale",
        default_value_t = 1,
        value_name = "N",
        requires = "demo"
    )]
    demo_scale: u32,

    /// Fetch a token and the events once, print a summary, exit 0 on success, 1 on failure
    #[arg(long)]
    check: bool,
}

/// Largest `--demo.scale`: 66,000 products is far past any real catalog.
const MAX_DEMO_SCALE: u32 = 1000;

/// A configuration problem, phrased as one line that names the flag.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Usage(String),
    #[error("--adobe.client-id (or ADOBE_CLIENT_ID) is required unless --demo is set")]
    MissingClientId,
    #[error("a client secret is required unless --demo is set: use --adobe.client-secret-file (or ADOBE_CLIENT_SECRET_FILE) or the ADOBE_CLIENT_SECRET environment variable")]
    MissingSecret,
    #[error("set only one of --adobe.client-secret-file and ADOBE_CLIENT_SECRET")]
    TwoSecrets,
    #[error("--adobe.client-secret-file: cannot read {path}: {reason}")]
    SecretFile { path: String, reason: String },
    #[error("--adobe.client-secret-file: {path} is empty")]
    EmptySecretFile { path: String },
    #[error("ADOBE_CLIENT_SECRET is set but empty")]
    EmptySecretEnv,
    #[error("{flag}: {problem}")]
    Invalid { flag: &'static str, problem: String },
}

fn invalid(flag: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        flag,
        problem: problem.into(),
    }
}

/// What the exporter talks to.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Adobe (or whatever the URLs point at) with the operator's credentials.
    Live,
    /// The embedded simulator on this address.
    Demo {
        listen: SocketAddr,
        /// Serve only the registry and what the control API adds.
        empty: bool,
        /// Replicas of the catalog and the live scenario (`--demo.scale`).
        scale: u32,
    },
}

/// OAuth server-to-server credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    /// Redacted in `Debug`; exposed only where the token request body is built.
    pub client_secret: SecretString,
    pub scopes: String,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen_address: String,
    pub telemetry_path: String,
    pub web_config_file: Option<PathBuf>,
    /// TLS and basic auth from `--web.config.file` (both off without it).
    pub web: crate::web_config::WebSecurity,
    pub credentials: Credentials,
    pub ims_url: Url,
    pub status_url: Url,
    pub api_key: String,
    pub product_ids: Vec<String>,
    pub min_interval: Duration,
    pub registry_interval: Duration,
    pub timeout: Duration,
    pub max_requests: u32,
    pub max_response_size: usize,
    pub log_level: String,
    pub log_json: bool,
    pub mode: Mode,
    pub check: bool,
    /// Problems worth a warning but not a refusal, logged once logging is up.
    pub warnings: Vec<String>,
}

/// What the command line asks for.
pub enum Command {
    Run(Box<Config>),
    /// `--help` or `--version`: print this and exit 0.
    Print(String),
}

impl Config {
    /// Parse the process's arguments and environment.
    pub fn from_env() -> Result<Command, ConfigError> {
        Self::parse_from(std::env::args_os(), |name| std::env::var(name).ok())
    }

    /// Parse `args` with `env` as the environment for variables read outside clap (the
    /// secret); clap itself reads the process environment for its `env` attributes.
    pub fn parse_from<I, T>(
        args: I,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Command, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args = match Args::try_parse_from(args) {
            Ok(args) => args,
            Err(err) => {
                use clap::error::ErrorKind;
                return match err.kind() {
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                        Ok(Command::Print(err.render().to_string()))
                    }
                    _ => Err(ConfigError::Usage(first_line(&err.render().to_string()))),
                };
            }
        };
        args.validate(&env).map(|c| Command::Run(Box::new(c)))
    }

    /// The address to bind, resolved (":port" means every IPv4 interface).
    pub fn listen_socket_addr(&self) -> Result<SocketAddr, ConfigError> {
        resolve_listen(&self.listen_address)
    }
}

impl Args {
    fn validate(self, env: &impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        resolve_listen(&self.listen_address)?;
        if !self.telemetry_path.starts_with('/')
            || self.telemetry_path == "/"
            || self.telemetry_path.starts_with("/-/")
            || self
                .telemetry_path
                .chars()
                .any(|c| c.is_whitespace() || c == '?' || c == '#')
        {
            return Err(invalid(
                "--web.telemetry-path",
                format!(
                    "{:?} must be a path starting with / other than / and /-/...",
                    self.telemetry_path
                ),
            ));
        }
        if let Some(path) = &self.web_config_file {
            if !path.is_file() {
                return Err(invalid(
                    "--web.config.file",
                    format!("{} is not a readable file", path.display()),
                ));
            }
        }
        let mut warnings = Vec::new();
        let mut web = match &self.web_config_file {
            Some(path) => crate::web_config::WebSecurity::load(path)
                .map_err(|e| invalid("--web.config.file", e.to_string()))?,
            None => crate::web_config::WebSecurity::default(),
        };
        warnings.append(&mut web.warnings);
        let ims_url = parse_url("--adobe.ims-url", &self.ims_url)?;
        let status_url = parse_url("--adobe.status-url", &self.status_url)?;
        if self.api_key.trim().is_empty() {
            return Err(invalid("--adobe.api-key", "must not be empty"));
        }
        let scopes = self.scopes.trim().to_owned();
        if scopes.is_empty() {
            return Err(invalid("--adobe.scopes", "must not be empty"));
        }
        let mut product_ids = Vec::new();
        for raw in &self.product_ids {
            for id in raw.split(',').map(str::trim) {
                if id.is_empty() || id.chars().any(char::is_control) {
                    return Err(invalid(
                        "--adobe.product-id",
                        format!("{raw:?} is not a product id"),
                    ));
                }
                if !product_ids.iter().any(|p| p == id) {
                    product_ids.push(id.to_owned());
                }
            }
        }
        if self.min_interval < Duration::from_secs(1) {
            return Err(invalid("--status.min-interval", "must be at least 1s"));
        }
        if self.registry_interval < self.min_interval {
            return Err(invalid(
                "--status.registry-interval",
                "must not be shorter than --status.min-interval",
            ));
        }
        if self.timeout.is_zero() {
            return Err(invalid("--status.timeout", "must be greater than 0"));
        }
        if !(1..=ADOBE_MAX_REQUESTS).contains(&self.max_requests) {
            return Err(invalid(
                "--status.max-requests",
                format!("must be between 1 and {ADOBE_MAX_REQUESTS} (Adobe allows {ADOBE_MAX_REQUESTS} per 5 s)"),
            ));
        }
        if self.max_response_size < 1024 {
            return Err(invalid(
                "--status.max-response-size",
                "must be at least 1KiB",
            ));
        }

        if !(1..=MAX_DEMO_SCALE).contains(&self.demo_scale) {
            return Err(invalid(
                "--demo.scale",
                format!("must be between 1 and {MAX_DEMO_SCALE}"),
            ));
        }

        let (credentials, mode) = if self.demo {
            (
                Credentials {
                    client_id: DEMO_CLIENT_ID.to_owned(),
                    client_secret: SecretString::from(DEMO_CLIENT_SECRET),
                    scopes,
                },
                Mode::Demo {
                    listen: self.demo_listen_address,
                    empty: self.demo_scenario == "empty",
                    scale: self.demo_scale,
                },
            )
        } else {
            let client_id = self
                .client_id
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .ok_or(ConfigError::MissingClientId)?;
            let client_secret = read_secret(
                self.client_secret_file.as_ref(),
                env(SECRET_ENV),
                &mut warnings,
            )?;
            (
                Credentials {
                    client_id,
                    client_secret,
                    scopes,
                },
                Mode::Live,
            )
        };

        Ok(Config {
            listen_address: self.listen_address,
            telemetry_path: self.telemetry_path,
            web_config_file: self.web_config_file,
            web,
            credentials,
            ims_url,
            status_url,
            api_key: self.api_key.trim().to_owned(),
            product_ids,
            min_interval: self.min_interval,
            registry_interval: self.registry_interval,
            timeout: self.timeout,
            max_requests: self.max_requests,
            max_response_size: self.max_response_size,
            log_level: self.log_level,
            log_json: self.log_format == "json",
            mode,
            check: self.check,
            warnings,
        })
    }
}

fn read_secret(
    file: Option<&PathBuf>,
    env_value: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<SecretString, ConfigError> {
    match (file, env_value) {
        (Some(_), Some(_)) => Err(ConfigError::TwoSecrets),
        (None, None) => Err(ConfigError::MissingSecret),
        (None, Some(value)) => {
            let value = value.trim();
            if value.is_empty() {
                Err(ConfigError::EmptySecretEnv)
            } else {
                Ok(SecretString::from(value))
            }
        }
        (Some(path), None) => {
            let shown = path.display().to_string();
            // The io error names only the kind of failure, never file contents.
            let raw = std::fs::read_to_string(path).map_err(|e| ConfigError::SecretFile {
                path: shown.clone(),
                reason: e.kind().to_string(),
            })?;
            let secret = SecretString::from(raw.trim());
            if secret.expose_secret().is_empty() {
                return Err(ConfigError::EmptySecretFile { path: shown });
            }
            warnings.extend(world_readable_warning(path));
            Ok(secret)
        }
    }
}

/// A secret file any local user can read still works, but deserves one line saying how to fix it.
#[cfg(unix)]
fn world_readable_warning(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o004 != 0).then(|| {
        format!(
            "--adobe.client-secret-file: {} is readable by every local user (mode {mode:04o}); \
             let only the user the exporter runs as read it: chmod 600 {} (on Kubernetes: defaultMode: 0400 \
             or 0440 with fsGroup on the secret volume)",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn world_readable_warning(_path: &std::path::Path) -> Option<String> {
    None
}

fn resolve_listen(raw: &str) -> Result<SocketAddr, ConfigError> {
    let flag = "--web.listen-address";
    let with_host = match raw.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => raw.to_owned(),
    };
    let (_, port) = with_host
        .rsplit_once(':')
        .ok_or_else(|| invalid(flag, format!("{raw:?} is not host:port")))?;
    port.parse::<u16>()
        .map_err(|_| invalid(flag, format!("{raw:?} has an invalid port")))?;
    with_host
        .to_socket_addrs()
        .map_err(|e| invalid(flag, format!("cannot resolve {raw:?}: {e}")))?
        .next()
        .ok_or_else(|| invalid(flag, format!("{raw:?} resolves to no address")))
}

fn parse_url(flag: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| invalid(flag, format!("{raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            flag,
            format!("{raw:?} must be an http(s) URL with a host"),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(flag, "must not carry credentials"));
    }
    Ok(url)
}

fn parse_duration(raw: &str) -> Result<Duration, String> {
    humantime::parse_duration(raw.trim())
        .map_err(|_| format!("expected a duration like 30s, 5m or 1h, got {raw:?}"))
}

fn parse_size(raw: &str) -> Result<usize, String> {
    let s = raw.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let multiplier: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" | "kb" => 1 << 10,
        "mib" | "m" | "mb" => 1 << 20,
        "gib" | "g" | "gb" => 1 << 30,
        _ => return Err(format!("expected a size like 32MiB, got {raw:?}")),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("expected a size like 32MiB, got {raw:?}"))
}

/// clap's errors span several lines (usage, hint); keep the one that says what is wrong.
fn first_line(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_owned()
}

#[cfg(test)]
mod tests {
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
        assert_eq!(c.listen_socket_addr().unwrap().port(), 10042);
        assert_eq!(c.telemetry_path, "/metrics");
        assert_eq!(c.min_interval, Duration::from_secs(60));
        assert_eq!(c.registry_interval, Duration::from_secs(3600));
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.max_requests, 10);
        assert_eq!(c.api_key, "StatusAdobeIOClient");
        assert_eq!(c.ims_url.as_str(), DEFAULT_IMS_URL);
        assert!(matches!(c.mode, Mode::Demo { .. }));
        assert!(!c.log_json);
    }

    #[test]
    fn live_mode_takes_secret_from_env_and_keeps_it_out_of_debug() {
        let c = parse(&["--adobe.client-id", "abc"], Some("s3cr3t-canary")).unwrap();
        assert_eq!(c.credentials.client_id, "abc");
        assert_eq!(c.credentials.client_secret.expose_secret(), "s3cr3t-canary");
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
        assert_eq!(c.credentials.client_secret.expose_secret(), "file-secret");
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
        assert!(error(&["--demo", "--adobe.client-secret", "x"], None)
            .contains("--adobe.client-secret"));
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
}
