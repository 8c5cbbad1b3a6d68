//! adobe_status_exporter: flags → logging → run. Everything else lives in the library.

use std::process::ExitCode;

use adobe_status_exporter::config::{Command, Config};
use adobe_status_exporter::{app, logging};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(Command::Run(config)) => config,
        Ok(Command::Print(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("adobe_status_exporter: {err}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = logging::init(config.log_level, config.log_format) {
        eprintln!("adobe_status_exporter: {err}");
        return ExitCode::from(2);
    }
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("adobe_status_exporter: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(app::run(*config)) {
        Ok(code) => code,
        Err(err) => {
            // Logging is up, so the log line is the one place the reason goes (on stderr).
            tracing::error!(error = format!("{err:#}"), "exiting");
            ExitCode::FAILURE
        }
    }
}
