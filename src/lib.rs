//! adobe_status_exporter: a Prometheus exporter for the Adobe Status API.
//!
//! Data flow (docs/architecture.md): a scrape of the telemetry path asks the [`refresh`] gate
//! for data; when the cache is older than `--status.min-interval` one refresh runs through the
//! [`status_api`] client (with an [`ims`] token and the [`rate_limit`] budget), the bodies are
//! read by the tolerant [`model`], turned into a [`snapshot`] by pure functions, and encoded
//! by [`metrics`] (and deflated once per refresh by [`gzip`]). [`server`] is the HTTP surface
//! (its routes; TLS, auth, the rate limit and the listeners are the `exporter-toolkit-web`
//! crate, crates/exporter-toolkit-web), [`app`] the wiring. The simulated Adobe used by `--demo` and the end-to-end tests is its own
//! crate, `adobe-status-sim` (crates/adobe-status-sim).
//! What the exporter relies on from Adobe's API is in docs/adobe-status-api.md.

pub mod allocator;
pub mod app;
pub mod check;
pub mod config;
pub mod credentials;
pub mod gzip;
pub mod http;
pub mod ims;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod rate_limit;
pub mod refresh;
pub mod server;
pub mod snapshot;
pub mod state;
pub mod status_api;
pub mod status_page;
pub mod timestamp;
pub mod upstream;
