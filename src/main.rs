//! adobe_status_exporter: flags → logging → run. Everything else lives in the library.

use std::process::ExitCode;

use adobe_status_exporter::config::{Command, Config};
use adobe_status_exporter::{allocator, app, logging};

fn main() -> ExitCode {
    allocator::tune();
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
    // The whole app runs on the runtime's workers, not on this thread: with the accept loop here,
    // every new connection was handed across to a worker, and that wake-up doubled the median
    // of a one-connection-per-request scrape (BENCHMARKS.md, issue 16).
    let run = runtime.block_on(async { tokio::spawn(app::run(*config)).await });
    match run.unwrap_or_else(|join| Err(anyhow::anyhow!("the exporter's task ended: {join}"))) {
        Ok(code) => code,
        Err(err) => {
            // Logging is up, so the log line is the one place the reason goes (on stderr).
            tracing::error!(error = format!("{err:#}"), "exiting");
            ExitCode::FAILURE
        }
    }
}
