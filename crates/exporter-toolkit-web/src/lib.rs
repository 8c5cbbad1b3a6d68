//! The Prometheus [exporter-toolkit]'s web layer in Rust: what Go's
//! `web.ListenAndServe(server, flags, logger)` does for every Go exporter, for a hyper service.
//!
//! - [`WebConfig`]: the `--web.config.file` format, the whole of it (TLS with certificate
//!   reload per handshake, the five client-certificate policies, `client_allowed_sans`,
//!   bcrypt basic auth, response headers, `rate_limit`), checked as the toolkit checks it;
//! - [`FlagConfig`]: `--web.listen-address` (repeatable) and `--web.systemd-socket`;
//! - [`listen`] and [`serve`]: bind (or take systemd's sockets), then serve every listener
//!   the same way: TLS handshake, rate limit, basic auth, headers, a header-read timeout,
//!   graceful shutdown; accept errors back off as Go's `net/http` does;
//! - [`raise_open_files_limit`]: the soft `RLIMIT_NOFILE` raised to the hard limit, as Go's
//!   runtime does at start.
//!
//! ```no_run
//! use std::convert::Infallible;
//! use exporter_toolkit_web::{FlagConfig, ServeOptions, WebConfig};
//! use hyper::{Request, Response};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let flags = FlagConfig {
//!     listen_addresses: vec![":9100".to_owned()],
//!     systemd_socket: false,
//!     config_file: Some("web.yml".into()),
//! };
//! let web = WebConfig::from_flags(&flags)?;
//! for warning in &web.warnings {
//!     eprintln!("{warning}");
//! }
//! let service = hyper::service::service_fn(|_req: Request<hyper::body::Incoming>| async {
//!     Ok::<_, Infallible>(Response::new(String::from("hello\n")))
//! });
//! let listeners = exporter_toolkit_web::listen(&flags).await?;
//! let stop = std::future::pending::<()>(); // e.g. a SIGTERM future
//! exporter_toolkit_web::serve(listeners, &web, ServeOptions::default(), service, stop).await;
//! # Ok(())
//! # }
//! ```
//!
//! It logs through `tracing`. The differences from Go are in the README.
//!
//! [exporter-toolkit]: https://github.com/prometheus/exporter-toolkit

#![warn(missing_docs)]

mod backoff;
mod config;
mod guard;
mod listen;
mod serve;
mod sys;

pub use config::{AuthOutcome, BasicAuth, RateLimiter, WebConfig, WebConfigError, SECP521R1};
pub use listen::{listen, resolve_listen_address, systemd_listeners, FlagConfig, ListenError};
pub use serve::{serve, Listener, ServeOptions};
pub use sys::raise_open_files_limit;
