//! adobe_status_exporter: flags → logging → run. Everything else lives in the library.

use std::process::ExitCode;

use adobe_status_exporter::config::{Command, Config};
use adobe_status_exporter::{app, logging};

fn main() -> ExitCode {
    tune_allocator();
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

/// glibc gives threads that allocate at the same time arenas of their own and keeps what is
/// freed in each: at 100× the catalogue a refresh's transient buffers (bodies, parsed feeds, the
/// new encoding next to the one still served) spread over several arenas and stayed resident,
/// a peak of 76–81 MiB instead of 62 (BENCHMARKS.md, issue 16). One arena, and blocks of
/// 128 KiB and more mapped on their own, so they go back to the system when freed. Scrapes
/// allocate little (their bytes are shared): the body-size matrix shows no consistent cost.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // the codebase's only unsafe block (workspace lint `unsafe_code = "deny"`)
fn tune_allocator() {
    // SAFETY: mallopt only sets parameters of the allocator; it runs first in main, before any
    // other thread exists. A refused setting (return 0) leaves glibc's default, which works.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
