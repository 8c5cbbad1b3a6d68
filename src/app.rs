//! Wiring: build the clients, the refresh gate and the server from a [`Config`], then serve
//! (or run `--check`). Everything with I/O is created here; the rest of the crate is given it.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use exporter_toolkit_web::ListenError;
use reqwest::Url;
use tracing::{debug, info};

use crate::config::{Config, DemoScenario, Mode, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use crate::ims::TokenCache;
use crate::metrics::ExporterMetrics;
use crate::rate_limit::RequestBudget;
use crate::refresh::{unlisted_locale, Intervals, Refresher};
use crate::server::{self, App};
use crate::snapshot::Watch;
use crate::state::{self, StateOptions};
use crate::status_api::{StatusClient, StatusClientParts};

/// What the configuration watches: products, the region/environment scope, the history window.
fn watch(config: &Config) -> Watch {
    Watch::only(config.product_ids.iter().cloned())
        .regions(config.regions.clone())
        .environments(config.environments.clone())
        .history(config.history.as_secs())
}

/// Build the refresh gate and its clients for the given upstream URLs.
pub fn build_refresher(
    config: &Config,
    ims_url: Url,
    status_url: Url,
    metrics: &Arc<ExporterMetrics>,
) -> anyhow::Result<Arc<Refresher>> {
    let http = crate::http::client(config.timeout)?;
    let tokens = Arc::new(TokenCache::new(
        http.clone(),
        ims_url,
        Arc::clone(&config.credentials),
        Arc::clone(metrics),
    ));
    let client = StatusClient::new(StatusClientParts {
        http,
        base: status_url,
        api_key: config.api_key.clone(),
        product_ids: config.product_ids.clone(),
        max_body: config.max_response_size,
        tokens,
        budget: Arc::new(RequestBudget::new(config.max_requests)),
        metrics: Arc::clone(metrics),
    });
    let intervals = Intervals {
        min_interval: config.min_interval,
        registry_interval: config.registry_interval,
        // Token and events run one after the other, each bounded by the request timeout.
        refresh_timeout: config.timeout * 2,
    };
    Ok(Refresher::new(
        client,
        watch(config),
        config.locale.clone(),
        intervals,
        Arc::clone(metrics),
    ))
}

/// Run the exporter until SIGTERM/SIGINT, or the check once.
pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let (ims_url, status_url, _simulator) = match &config.mode {
        Mode::Live => (config.ims_url.clone(), config.status_url.clone(), None),
        Mode::Demo {
            listen,
            scenario,
            scale,
        } => {
            let sim_config = adobe_status_sim::SimulatorConfig {
                client_id: DEMO_CLIENT_ID.to_owned(),
                client_secret: DEMO_CLIENT_SECRET.to_owned(),
                scenario: match scenario {
                    DemoScenario::Live => adobe_status_sim::Scenario::Live,
                    DemoScenario::Empty => adobe_status_sim::Scenario::Empty,
                },
                scale: *scale,
                ..adobe_status_sim::SimulatorConfig::default()
            };
            let simulator = adobe_status_sim::Simulator::start(*listen, sim_config)
                .await
                .with_context(|| format!("cannot start the demo simulator on {listen}"))?;
            info!(address = %simulator.addr(), "demo mode: serving a simulated Adobe IMS and Status API");
            let ims = Url::parse(&simulator.ims_url()).context("simulator IMS URL")?;
            let status = Url::parse(&simulator.status_url()).context("simulator Status URL")?;
            (ims, status, Some(simulator))
        }
    };

    let metrics = Arc::new(ExporterMetrics::new());
    let refresher = build_refresher(&config, ims_url.clone(), status_url.clone(), &metrics)?;

    if config.check {
        let (report, ok) =
            crate::check::run(&refresher, status_url.as_str(), ims_url.as_str()).await;
        print!("{report}");
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }

    // The last good data of the previous run, before the server listens: the first scrape
    // already has it (with adobe_status_up 0 until Adobe answers).
    if let Some(path) = &config.state_file {
        let options = StateOptions {
            path: path.clone(),
            scope: config.state_scope(),
            watch: watch(&config),
            max_body: config.max_response_size,
        };
        let (restored, writer) = state::open(options, Arc::clone(&metrics)).await;
        if let Some(restored) = restored {
            // Adobe's registry is known before listening: a region, environment or locale it
            // does not list is refused now, as a bad flag is (without the file it can only be
            // warned about at the first registry refresh).
            let mut problems = watch(&config).unknown_scope_names(&restored.registry);
            problems.extend(unlisted_locale(&config.locale, &restored.registry));
            if let Some(problem) = problems.first() {
                eprintln!("adobe_status_exporter: {problem}");
                return Ok(ExitCode::from(2));
            }
            refresher.restore(restored);
        }
        refresher.persist_to(writer);
    }

    // As Go's runtime does: about a thousand idle connections must not exhaust the default
    // soft limit of 1024 open files.
    if let Err(err) = exporter_toolkit_web::raise_open_files_limit() {
        debug!(error = %err, "cannot read the open files limit");
    }
    let listeners = exporter_toolkit_web::listen(&config.web_flags)
        .await
        .map_err(|err| match err {
            ListenError::Bind { address, source }
                if source.kind() == std::io::ErrorKind::AddrInUse =>
            {
                anyhow::anyhow!(
                    "cannot listen on {address}: the port is already in use; pick another \
                     with --web.listen-address (for example --web.listen-address=:{})",
                    address.port().wrapping_add(1).max(1)
                )
            }
            other => anyhow::Error::new(other),
        })?;
    let addresses: Vec<String> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .map(|a| a.to_string())
        .collect();
    info!(
        address = addresses.join(","),
        tls = config.web.tls.is_some(),
        basic_auth = config.web.auth.is_some(),
        rate_limit = config.web.rate_limit.is_some(),
        telemetry_path = config.telemetry_path.as_str(),
        version = env!("CARGO_PKG_VERSION"),
        "adobe_status_exporter listening"
    );
    // One refresh at start-up so the first scrape and readiness do not wait for Adobe.
    let _ = refresher.trigger();
    let app = Arc::new(App {
        telemetry_path: config.telemetry_path.clone(),
        refresher,
        metrics,
        max_scrape_wait: config.timeout,
    });
    exporter_toolkit_web::serve(
        listeners,
        &config.web,
        server::serve_options(),
        server::service(app),
        server::shutdown_signal(),
    )
    .await;
    info!("stopped");
    Ok(ExitCode::SUCCESS)
}
