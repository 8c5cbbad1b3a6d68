//! The raw command line as clap sees it: flag names in the Prometheus exporter style, value
//! parsers for durations and sizes, and the enumerated values (`--log.level`, `--log.format`,
//! `--demo.scenario`) as types, so a wrong value is clap's one-line error listing the right ones.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use super::{DEFAULT_API_KEY, DEFAULT_IMS_URL, DEFAULT_SCOPES, DEFAULT_STATUS_URL};

/// `--log.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// `--log.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Logfmt,
    Json,
}

/// `--demo.scenario`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoScenario {
    /// Incidents and maintenances that evolve over minutes.
    Live,
    /// Only the registry and what the simulator's control API adds.
    Empty,
}

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
    args_override_self = true,
    // The --demo.* flags mean nothing without --demo.
    group(clap::ArgGroup::new("demo_options")
        .multiple(true)
        .requires("demo")
        .args(["demo_listen_address", "demo_scenario", "demo_scale"]))
)]
pub(super) struct Args {
    /// Address to serve on, host:port (":10042" means every interface); repeat the flag to
    /// serve on several, each the same way
    #[arg(
        long = "web.listen-address",
        default_value = ":10042",
        value_name = "ADDRESS"
    )]
    pub(super) listen_addresses: Vec<String>,

    /// Serve the sockets systemd passed (socket activation) instead of --web.listen-address
    #[arg(long = "web.systemd-socket")]
    pub(super) systemd_socket: bool,

    /// Path under which to expose metrics
    #[arg(
        long = "web.telemetry-path",
        default_value = "/metrics",
        value_name = "PATH"
    )]
    pub(super) telemetry_path: String,

    /// Exporter-toolkit web config (YAML): TLS, client certificates, basic auth, headers, rate limit
    #[arg(long = "web.config.file", value_name = "FILE")]
    pub(super) web_config_file: Option<PathBuf>,

    /// OAuth server-to-server client id (required unless --demo)
    #[arg(
        long = "adobe.client-id",
        env = "ADOBE_CLIENT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub(super) client_id: Option<String>,

    /// File holding the OAuth client secret
    #[arg(
        long = "adobe.client-secret-file",
        env = "ADOBE_CLIENT_SECRET_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub(super) client_secret_file: Option<PathBuf>,

    /// Comma-separated OAuth scopes of the credential
    #[arg(long = "adobe.scopes", env = "ADOBE_SCOPES", hide_env_values = true, default_value = DEFAULT_SCOPES, value_name = "SCOPES")]
    pub(super) scopes: String,

    /// Adobe IMS token endpoint
    #[arg(long = "adobe.ims-url", default_value = DEFAULT_IMS_URL, value_name = "URL")]
    pub(super) ims_url: String,

    /// Adobe Status API base URL
    #[arg(long = "adobe.status-url", default_value = DEFAULT_STATUS_URL, value_name = "URL")]
    pub(super) status_url: String,

    /// The fixed Status API key
    #[arg(long = "adobe.api-key", default_value = DEFAULT_API_KEY, value_name = "KEY")]
    pub(super) api_key: String,

    /// Watch only this product id (repeatable, or comma-separated); default all
    #[arg(long = "adobe.product-id", value_name = "ID")]
    pub(super) product_ids: Vec<String>,

    /// Watch only incidents and maintenances that impact this region or name none (Adobe's id
    /// or name, case-insensitive; repeatable); default all
    #[arg(long = "adobe.region", value_name = "REGION")]
    pub(super) regions: Vec<String>,

    /// Watch only incidents and maintenances that impact this environment or name none
    /// (Adobe's id or name, case-insensitive; repeatable); default all
    #[arg(long = "adobe.environment", value_name = "ENVIRONMENT")]
    pub(super) environments: Vec<String>,

    /// Language of titles and of Adobe's texts on the status page (a code from Adobe's
    /// /locales; untranslated texts fall back to English)
    #[arg(long = "adobe.locale", default_value = "en", value_name = "LOCALE")]
    pub(super) locale: String,

    /// Window of the recent-incident gauges and the status page's history (at most 40d, what
    /// Adobe returns)
    #[arg(long = "status.history", default_value = "30d", value_parser = parse_duration, value_name = "DURATION")]
    pub(super) history: Duration,

    /// Never refresh events more often than this; scrapes in between are served from cache
    #[arg(long = "status.min-interval", default_value = "60s", value_parser = parse_duration, value_name = "DURATION")]
    pub(super) min_interval: Duration,

    /// Refresh interval of products, clouds, regions and messages
    #[arg(long = "status.registry-interval", default_value = "1h", value_parser = parse_duration, value_name = "DURATION")]
    pub(super) registry_interval: Duration,

    /// Upper bound for one upstream request
    #[arg(long = "status.timeout", default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub(super) timeout: Duration,

    /// At most this many upstream requests per 5 s, retries included (Adobe allows 50)
    #[arg(long = "status.max-requests", default_value_t = 10, value_name = "N")]
    pub(super) max_requests: u32,

    /// Largest upstream response body accepted
    #[arg(long = "status.max-response-size", default_value = "32MiB", value_parser = parse_size, value_name = "SIZE")]
    pub(super) max_response_size: usize,

    /// Keep the last good Adobe data in this file and serve it after a restart until Adobe answers (off by default)
    #[arg(long = "status.state-file", value_name = "PATH")]
    pub(super) state_file: Option<PathBuf>,

    /// Log level
    #[arg(long = "log.level", default_value = "info", value_name = "LEVEL")]
    pub(super) log_level: LogLevel,

    /// Log format
    #[arg(long = "log.format", default_value = "logfmt", value_name = "FORMAT")]
    pub(super) log_format: LogFormat,

    /// Serve against an embedded simulated Adobe IMS + Status API (no credentials needed)
    #[arg(long)]
    pub(super) demo: bool,

    /// Address of the embedded simulator in --demo mode (its /__sim/ control API is useful
    /// for scripted demos and tests)
    #[arg(
        long = "demo.listen-address",
        default_value = "127.0.0.1:0",
        value_name = "ADDRESS"
    )]
    pub(super) demo_listen_address: SocketAddr,

    /// What the demo simulator serves: live (evolving incidents and maintenances) or empty
    /// (only the registry and what its /__sim/ control API adds)
    #[arg(
        long = "demo.scenario",
        default_value = "live",
        value_name = "SCENARIO"
    )]
    pub(super) demo_scenario: DemoScenario,

    /// Size of the demo world: the Adobe catalog (77 products) and its live events are
    /// replicated this many times, for load and footprint measurements (1 to 1000)
    #[arg(long = "demo.scale", default_value_t = 1, value_name = "N")]
    pub(super) demo_scale: u32,

    /// Fetch a token and the events once, print a summary, exit 0 on success, 1 on failure
    #[arg(long)]
    pub(super) check: bool,
}

pub(super) fn parse_duration(raw: &str) -> Result<Duration, String> {
    humantime::parse_duration(raw.trim())
        .map_err(|_| format!("expected a duration like 30s, 5m or 1h, got {raw:?}"))
}

pub(super) fn parse_size(raw: &str) -> Result<usize, String> {
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
