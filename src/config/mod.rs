//! Command line and environment (README "Flags"): clap derive, then validation into [`Config`].
//!
//! Every problem becomes one [`ConfigError`] line naming the flag; `main` prints it and exits
//! with status 2 before anything binds a port. The client secret is only ever read from a
//! file or from `ADOBE_CLIENT_SECRET` (never argv) and lives in a [`SecretString`], whose
//! `Debug` is redacted.

mod args;
mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use exporter_toolkit_web::{FlagConfig, WebConfig};
use reqwest::Url;
use secrecy::SecretString;

use crate::credentials::{ClientSecret, Credentials};
use crate::snapshot::MAX_HISTORY_SECONDS;
use args::Args;
pub use args::{DemoScenario, LogFormat, LogLevel};

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

/// Largest `--demo.scale`: 77,000 products is far past any real catalog.
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
        /// What the simulator serves (`--demo.scenario`).
        scenario: DemoScenario,
        /// Replicas of the catalog and the live scenario (`--demo.scale`).
        scale: u32,
    },
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--web.listen-address` (each resolvable), `--web.systemd-socket`, `--web.config.file`.
    pub web_flags: FlagConfig,
    pub telemetry_path: String,
    /// TLS, client certificates, basic auth, headers and rate limit from `--web.config.file`
    /// (all off without it).
    pub web: WebConfig,
    pub credentials: Arc<Credentials>,
    pub ims_url: Url,
    pub status_url: Url,
    pub api_key: String,
    pub product_ids: Vec<String>,
    /// `--adobe.region`, as given (matched case-insensitively against ids and names).
    pub regions: Vec<String>,
    /// `--adobe.environment`, likewise.
    pub environments: Vec<String>,
    /// `--adobe.locale`.
    pub locale: String,
    /// `--status.history`.
    pub history: Duration,
    pub min_interval: Duration,
    pub registry_interval: Duration,
    pub timeout: Duration,
    pub max_requests: u32,
    pub max_response_size: usize,
    /// `--status.state-file`: where the last good upstream answers are kept across restarts.
    pub state_file: Option<PathBuf>,
    pub log_level: LogLevel,
    pub log_format: LogFormat,
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

    /// The state file's scope fingerprint: what the stored answers were fetched for. A file
    /// whose fingerprint differs is not served (it would show another scope's incidents).
    /// Every flag that changes which answers are asked for belongs here: the upstream, the
    /// watched product ids (the events query filters on them) and the locale (the messages are
    /// asked in it). The region and environment scope does not: it is applied to the answers
    /// when they are derived, and a restored file is derived again under the current flags.
    /// Changing the fingerprint only makes an existing file unused once.
    pub fn state_scope(&self) -> String {
        let upstream = match self.mode {
            // The simulator listens on a new port every start: "demo" is the same upstream.
            Mode::Demo {
                scenario, scale, ..
            } => format!("demo({scenario:?},scale={scale})").to_ascii_lowercase(),
            Mode::Live => self.status_url.to_string(),
        };
        // Sorted, so the order of the flags is not a different scope.
        let mut ids: Vec<&str> = self.product_ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        let ids = if ids.is_empty() {
            "*".to_owned()
        } else {
            ids.join(",")
        };
        format!(
            "upstream={upstream};product-ids={ids};locale={}",
            self.locale.to_lowercase()
        )
    }

    /// The addresses to bind, resolved (":port" means every IPv4 interface).
    pub fn listen_socket_addrs(&self) -> Result<Vec<SocketAddr>, ConfigError> {
        self.web_flags
            .listen_addresses
            .iter()
            .map(|raw| resolve_listen(raw))
            .collect()
    }
}

/// The validation of the parsed flags, one concern per function; each error names its flag.
impl Args {
    fn validate(self, env: &impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        for address in &self.listen_addresses {
            resolve_listen(address)?;
        }
        check_telemetry_path(&self.telemetry_path)?;
        let mut warnings = Vec::new();
        let mut web = load_web_config(self.web_config_file.as_deref())?;
        warnings.append(&mut web.warnings);
        let ims_url = parse_url("--adobe.ims-url", &self.ims_url)?;
        let status_url = parse_url("--adobe.status-url", &self.status_url)?;
        if self.api_key.trim().is_empty() {
            return Err(invalid("--adobe.api-key", "must not be empty"));
        }
        let product_ids = product_ids(&self.product_ids)?;
        let regions = scope_names("--adobe.region", &self.regions)?;
        let environments = scope_names("--adobe.environment", &self.environments)?;
        let locale = locale(&self.locale)?;
        self.check_limits()?;
        self.check_state_file()?;
        let (credentials, mode) = self.credentials_and_mode(env, &mut warnings)?;
        Ok(Config {
            web_flags: FlagConfig {
                listen_addresses: self.listen_addresses,
                systemd_socket: self.systemd_socket,
                config_file: self.web_config_file,
            },
            telemetry_path: self.telemetry_path,
            web,
            credentials,
            ims_url,
            status_url,
            api_key: self.api_key.trim().to_owned(),
            product_ids,
            regions,
            environments,
            locale,
            history: self.history,
            min_interval: self.min_interval,
            registry_interval: self.registry_interval,
            timeout: self.timeout,
            max_requests: self.max_requests,
            max_response_size: self.max_response_size,
            state_file: self.state_file,
            log_level: self.log_level,
            log_format: self.log_format,
            mode,
            check: self.check,
            warnings,
        })
    }

    /// `--status.state-file` is written over: never one of the files the exporter reads its
    /// configuration or secret from. Whether it can be read or written is not checked here: a
    /// bad state file never stops the exporter (it warns at start instead).
    fn check_state_file(&self) -> Result<(), ConfigError> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let dir_like = path.as_os_str().to_string_lossy().ends_with('/');
        if path.as_os_str().is_empty() || path.file_name().is_none() || dir_like {
            return Err(invalid("--status.state-file", "must be a file path"));
        }
        let read = [&self.client_secret_file, &self.web_config_file];
        if read.into_iter().flatten().any(|other| other == path) {
            return Err(invalid(
                "--status.state-file",
                "must not be the client secret file or the web config file (it is written over)",
            ));
        }
        Ok(())
    }

    /// Intervals, timeouts and sizes within their sensible ranges.
    fn check_limits(&self) -> Result<(), ConfigError> {
        if self.min_interval < Duration::from_secs(1) {
            return Err(invalid("--status.min-interval", "must be at least 1s"));
        }
        if self.registry_interval < self.min_interval {
            return Err(invalid(
                "--status.registry-interval",
                "must not be shorter than --status.min-interval",
            ));
        }
        if self.history < Duration::from_secs(3600) {
            return Err(invalid("--status.history", "must be at least 1h"));
        }
        if self.history.as_secs() > MAX_HISTORY_SECONDS {
            return Err(invalid(
                "--status.history",
                "must be at most 40d: Adobe's /events covers the last 40 days",
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
        Ok(())
    }

    /// The simulator's fixed credentials with `--demo`, else the operator's.
    fn credentials_and_mode(
        &self,
        env: &impl Fn(&str) -> Option<String>,
        warnings: &mut Vec<String>,
    ) -> Result<(Arc<Credentials>, Mode), ConfigError> {
        let scopes = self.scopes.trim().to_owned();
        if scopes.is_empty() {
            return Err(invalid("--adobe.scopes", "must not be empty"));
        }
        if self.demo {
            let credentials = Credentials {
                client_id: DEMO_CLIENT_ID.to_owned(),
                client_secret: ClientSecret::fixed(SecretString::from(DEMO_CLIENT_SECRET)),
                scopes,
            };
            let mode = Mode::Demo {
                listen: self.demo_listen_address,
                scenario: self.demo_scenario,
                scale: self.demo_scale,
            };
            return Ok((Arc::new(credentials), mode));
        }
        let client_id = self
            .client_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or(ConfigError::MissingClientId)?
            .to_owned();
        let client_secret =
            secret::read_secret(self.client_secret_file.as_ref(), env(SECRET_ENV), warnings)?;
        let credentials = Credentials {
            client_id,
            client_secret,
            scopes,
        };
        Ok((Arc::new(credentials), Mode::Live))
    }
}

fn check_telemetry_path(path: &str) -> Result<(), ConfigError> {
    let reserved = path == "/" || path.starts_with("/-/");
    let odd = path
        .chars()
        .any(|c| c.is_whitespace() || c == '?' || c == '#');
    if !path.starts_with('/') || reserved || odd {
        return Err(invalid(
            "--web.telemetry-path",
            format!("{path:?} must be a path starting with / other than / and /-/..."),
        ));
    }
    Ok(())
}

fn load_web_config(path: Option<&std::path::Path>) -> Result<WebConfig, ConfigError> {
    let Some(path) = path else {
        return Ok(WebConfig::default());
    };
    if !path.is_file() {
        return Err(invalid(
            "--web.config.file",
            format!("{} is not a readable file", path.display()),
        ));
    }
    WebConfig::load(path).map_err(|e| invalid("--web.config.file", e.to_string()))
}

/// `--adobe.product-id`, repeated or comma-separated, de-duplicated in order.
fn product_ids(raw: &[String]) -> Result<Vec<String>, ConfigError> {
    let mut ids: Vec<String> = Vec::new();
    for value in raw {
        for id in value.split(',').map(str::trim) {
            if id.is_empty() || id.chars().any(char::is_control) {
                return Err(invalid(
                    "--adobe.product-id",
                    format!("{value:?} is not a product id"),
                ));
            }
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
    }
    Ok(ids)
}

/// `--adobe.region` or `--adobe.environment`: repeatable (not comma-separated: Adobe's names
/// contain commas), trimmed, de-duplicated case-insensitively in order.
fn scope_names(flag: &'static str, raw: &[String]) -> Result<Vec<String>, ConfigError> {
    let mut names: Vec<String> = Vec::new();
    for value in raw {
        let name = value.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.len() > 200 {
            return Err(invalid(flag, format!("{value:?} is not an id or a name")));
        }
        if !names
            .iter()
            .any(|known| known.to_lowercase() == name.to_lowercase())
        {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// `--adobe.locale`: a language tag as Adobe's `/locales` lists them (`en`, `pt-BR`,
/// `zh_CN`). Whether Adobe lists it is known only once `/locales` answered (then a warning).
fn locale(raw: &str) -> Result<String, ConfigError> {
    let tag = raw.trim();
    let mut parts = tag.split(['-', '_']);
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=8).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !(language_ok && rest_ok) {
        return Err(invalid(
            "--adobe.locale",
            format!("{raw:?} is not a language tag like en, fr or pt-BR"),
        ));
    }
    Ok(tag.to_owned())
}

fn resolve_listen(raw: &str) -> Result<SocketAddr, ConfigError> {
    exporter_toolkit_web::resolve_listen_address(raw).map_err(|e| ConfigError::Usage(e.to_string()))
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

/// clap's errors span several lines (usage, hint); keep the one that says what is wrong, and
/// the list of accepted values when clap gives one.
fn first_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ");
    // "... were not provided:" is followed by the flags it means.
    let detail = if first.ends_with(':') {
        lines.next()
    } else {
        lines.find(|l| l.starts_with("[possible values:"))
    };
    match detail {
        Some(detail) => format!("{first} {detail}"),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests;
