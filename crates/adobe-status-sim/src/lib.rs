//! Simulated Adobe IMS + Status API, for `--demo` mode and end-to-end tests.
//!
//! The real Adobe API is not reachable from tests, so this module stands in for it and speaks
//! its wire format exactly as `docs/adobe-status-api.md` describes it (camelCase DTOs, string
//! timestamps in several forms, per-product severity and status, history entries, the messages
//! API), behind an OAuth client-credentials token endpoint, the `StatusAdobeIOClient` API key
//! check and a per-token rate limit. The exporter talks to it with its normal client.
//!
//! - [`Simulator::start`] binds a port and serves in a background task; [`SimulatorHandle`]
//!   gives the URLs and a [`Control`].
//! - [`Scenario::Live`] evolves incidents and maintenances over minutes, deterministically for a
//!   seed (see `scenario/`); [`Scenario::Empty`] contains only what the control API adds.
//! - [`Control`] (also reachable over HTTP under `/__sim/`) counts and records requests, injects
//!   [`Fault`]s, revokes tokens and opens/changes/closes test incidents and maintenances.
//!
//! HTTP control API (not part of Adobe's API, no auth; JSON bodies, snake_case fields; unknown
//! incident or maintenance ids answer 404, bad JSON 400):
//!
//! - `GET /__sim/stats`, `GET /__sim/requests`.
//! - `POST /__sim/faults` (`{"api":"events","fault":"status","code":500,"times":3}`; faults
//!   `status`, `retry_after_seconds`, `retry_after_date`, `retry_after_none`, `delay` (`ms`),
//!   `truncated`, `malformed`, `oversize` (`bytes`), `reset`, `invalid_client`,
//!   `unauthorized`), `DELETE /__sim/faults`.
//! - `POST /__sim/incidents`: opens an incident ([`IncidentSpec`]), answers `{"id":..}`.
//!   Fields: `product_ids`, `severity`, `title` (English), `titles` (`{"fr":"…"}`; a locale
//!   without one lacks the token in `/messages/{locale}`), `regions`, `environments`
//!   (registry environment ids: `locationImpact.serviceEnvironments`, the event's
//!   `environment` list, `showEnvironment` true; with no `regions`, the regions are those of
//!   the environments), `service_ids`, `customer_impact` and `operations_impact` (default:
//!   from the severity, Major = Most/Availability, Minor = Some/Performance, Potential =
//!   Unknown/Unknown, Trivial = None/Performance, None = None/None), `started` (epoch
//!   seconds, default now).
//! - `POST /__sim/incidents/{id}/update` ([`IncidentChange`]): `severity`, `customer_impact`,
//!   `operations_impact`, `regions`, `environments`, `at` (epoch seconds), all optional; each
//!   open product gets an `Opened` entry. A new severity brings its default impacts unless
//!   they are given too; left-out impacts keep the last entry's.
//! - `POST /__sim/incidents/{id}/severity` (`{"severity":"Major"}`).
//! - `POST /__sim/incidents/{id}/close`, optional `{"at": epoch_seconds}`: every open product
//!   gets a `Closed` entry (last impacts kept) and `endedOn`.
//! - `POST /__sim/incidents/{id}/root-cause` (`{"url":"https://…","at":epoch_seconds}`, `at`
//!   optional): the root-cause statement Adobe publishes after closure, a last entry on every
//!   product with the last status, severity and impacts, `messageType` `CFS`,
//!   `messageToken` `message.CI0002007`, `cfsId` `CFS9nnnnnn`, `cfsSource` `ServiceNow` and
//!   `cfsURL` = `url`; status and `endedOn` do not change.
//! - `POST /__sim/maintenances` (`start`/`end` in epoch seconds),
//!   `POST /__sim/maintenances/{id}/status` (`{"status":"Started"}`).
//! - `POST /__sim/locales` (`{"english_code":"en-US"}`): `/locales` names English so and only
//!   `/messages/en-US` serves it (`/messages/en` is then 404), as a deployment may answer;
//!   `{"english_code":"en"}` restores the default ([`SimulatorConfig::english_locale`]).
//! - `POST /__sim/client-secrets` (`{"add":"new"}`, `{"delete":"old"}`: rotate the accepted
//!   client secrets; deleting revokes tokens), `POST /__sim/products` (`{"id","name",
//!   "cloud_id","services":[["id","name"]]}`), `POST /__sim/registry` (`{"available":false}`),
//!   `POST /__sim/revoke`.
//!
//! The Live scenario's fixed facts (the 40 days of history, which incidents carry
//! environments and root causes) are described in `scenario/`; the catalogue's sources in
//! `catalog/data.rs` and docs/adobe-status-api.md §9.

mod body;
mod catalog;
mod control;
mod faults;
mod form;
mod messages;
mod model;
mod prng;
mod scenario;
mod server;
mod wire;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use control::{Control, IncidentChange, IncidentSpec, MaintenanceSpec, RecordedRequest};
pub use faults::{Fault, RetryAfter};

/// Which events the simulator serves besides those added through [`Control`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Incidents and maintenances that open, change and close over minutes.
    #[default]
    Live,
    /// No events at all until the control API adds some.
    Empty,
}

/// Configuration of a simulator.
#[derive(Clone)]
pub struct SimulatorConfig {
    /// The client id the IMS endpoint accepts.
    pub client_id: String,
    /// The client secret the IMS endpoint accepts (never logged, redacted from `Debug`).
    pub client_secret: String,
    /// `expires_in` of issued tokens; they stop working after it.
    pub token_lifetime: Duration,
    pub scenario: Scenario,
    /// Time acceleration of the Live scenario: 1.0 is real time, 60.0 makes a minute pass per
    /// second, 0.0 freezes the scenario at its start. Negative or non-finite values mean 1.0.
    pub speed: f64,
    /// Seed of the Live scenario (the registry does not depend on it).
    pub seed: u64,
    /// Status API requests allowed per token in any 5-second window before 429.
    pub rate_limit: u32,
    /// Size of the world: the Adobe catalog and the Live scenario are replicated this many
    /// times (1 = the real catalog of 77 products). For load and footprint measurements.
    pub scale: u32,
    /// The code `/locales` gives English and `/messages/{code}` answers to: `en` (the default)
    /// or e.g. `en-US`, as a deployment may answer. Also settable at run time
    /// ([`Control::set_english_locale`]).
    pub english_locale: String,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            client_id: "demo-client".to_owned(),
            client_secret: "demo-secret".to_owned(),
            token_lifetime: Duration::from_secs(86_399),
            scenario: Scenario::Live,
            speed: 1.0,
            seed: 42,
            rate_limit: 50,
            scale: 1,
            english_locale: "en".to_owned(),
        }
    }
}

impl fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_lifetime", &self.token_lifetime)
            .field("scenario", &self.scenario)
            .field("speed", &self.speed)
            .field("seed", &self.seed)
            .field("rate_limit", &self.rate_limit)
            .field("scale", &self.scale)
            .field("english_locale", &self.english_locale)
            .finish()
    }
}

/// Starts simulators.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Binds on `addr` (use `127.0.0.1:0` for a random port) and serves in a spawned tokio
    /// task until [`SimulatorHandle::shutdown`] or the end of the runtime.
    pub async fn start(
        addr: SocketAddr,
        config: SimulatorConfig,
    ) -> std::io::Result<SimulatorHandle> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let scale = config.scale.max(1);
        let base = catalog::Catalog::base();
        let replicas: Vec<catalog::Catalog> = (0..scale).map(|r| base.replica(r)).collect();
        // One independent Live scenario per catalog replica, so events grow with the catalog.
        let live = match config.scenario {
            Scenario::Live => (0..scale)
                .zip(&replicas)
                .map(|(r, replica)| {
                    scenario::LiveScenario::new(config.seed.wrapping_add(u64::from(r)), replica)
                })
                .collect(),
            Scenario::Empty => Vec::new(),
        };
        let registry = catalog::Catalog::merge(replicas);
        let control = Control::new(
            registry,
            config.seed,
            config.client_secret.clone(),
            config.english_locale.clone(),
        );
        let start_wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let shared = Arc::new(server::Shared {
            clock: scenario::Clock::new(start_wall_ms, config.speed),
            config,
            control: control.clone(),
            started: Instant::now(),
            live,
        });
        let (shutdown, rx) = watch::channel(false);
        tokio::spawn(server::run(listener, shared, rx));
        tracing::debug!(%addr, "demo simulator listening");
        Ok(SimulatorHandle {
            addr,
            control,
            shutdown: Arc::new(shutdown),
        })
    }
}

/// Handle of a running simulator; clones share the same server.
#[derive(Debug, Clone)]
pub struct SimulatorHandle {
    addr: SocketAddr,
    control: Control,
    shutdown: Arc<watch::Sender<bool>>,
}

impl SimulatorHandle {
    /// The bound address (with the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The IMS token endpoint, e.g. `http://127.0.0.1:PORT/ims/token/v3`.
    pub fn ims_url(&self) -> String {
        format!("http://{}/ims/token/v3", self.addr)
    }

    /// The Status API base URL, e.g. `http://127.0.0.1:PORT` (paths are `/api/v1/...`).
    pub fn status_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    /// Stops accepting connections and closes the open ones.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }
}
