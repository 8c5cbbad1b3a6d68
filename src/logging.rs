//! Logging setup: logfmt (default) or JSON lines on stderr.
//!
//! `--log.level` applies to this crate and to its web layer (`exporter-toolkit-web`: listeners,
//! TLS, certificate reloads); other dependencies log at `warn` unless `RUST_LOG` says
//! otherwise, so debug output stays about the exporter (and HTTP internals stay quiet).

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogLevel};

#[derive(Debug, thiserror::Error)]
#[error("cannot set up logging: {0}")]
pub struct LoggingError(String);

pub fn init(level: LogLevel, format: LogFormat) -> Result<(), LoggingError> {
    let level = level.as_str();
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(directives),
        _ => EnvFilter::try_new(format!(
            "warn,adobe_status_exporter={level},exporter_toolkit_web={level}"
        )),
    }
    .map_err(|e| LoggingError(e.to_string()))?;
    let registry = tracing_subscriber::registry().with(filter);
    let result = if format == LogFormat::Json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_current_span(false)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry
            .with(
                tracing_logfmt::builder()
                    .with_span_path(false)
                    .with_span_name(false)
                    .layer()
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
    result.map_err(|e| LoggingError(e.to_string()))
}
