//! adobe_status_exporter: a Prometheus exporter for the Adobe Status API.
//!
//! The crate is split by concern; `main.rs` only parses flags and calls [`app::run`].

pub mod demo;
pub mod model;
pub mod snapshot;
pub mod timestamp;
