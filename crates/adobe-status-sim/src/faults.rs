//! Injectable upstream faults: what a flaky Adobe gateway or IMS can do to a client.
//!
//! A fault is attached to one API key (`"events"`, `"token"`, …) or to `"*"` (every Status API
//! endpoint, not the token endpoint) and fires for the next `times` requests, or until cleared.
//! Faults are the upstream's answer: they take effect before the simulator checks the API key,
//! the bearer token or the rate limit.

use std::time::{Duration, SystemTime};

/// The `Retry-After` header of a simulated 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <delta-seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`.
    HttpDate(SystemTime),
    /// No `Retry-After` header at all.
    None,
}

/// One injectable fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and body (content type JSON when the body looks like JSON,
    /// HTML or text otherwise). See [`Fault::status`] for Adobe-like default bodies.
    Status { code: u16, body: String },
    /// HTTP 429 with the given `Retry-After`.
    TooManyRequests { retry_after: RetryAfter },
    /// Sleep this long, then answer normally (a hung or slow upstream).
    Delay(Duration),
    /// HTTP 200, JSON content type, a valid body cut in half.
    TruncatedJson,
    /// HTTP 200, JSON content type, garbage that starts like an events body.
    MalformedJson,
    /// HTTP 200 with a valid JSON body of exactly this many bytes, streamed in chunks.
    Oversize { bytes: usize },
    /// Headers with the full content-length, half the body, then a TCP reset.
    ResetMidBody,
    /// IMS: HTTP 400 `invalid_client`.
    InvalidClient,
    /// HTTP 401 with the gateway's "Oauth token is not valid" body.
    Unauthorized,
}

impl Fault {
    /// A status fault with the body Adobe's gateway typically sends for that code.
    pub fn status(code: u16) -> Self {
        let body = match code {
            400 => r#"{"error_code":"400000","message":"Bad Request"}"#.to_owned(),
            401 => GATEWAY_401.to_owned(),
            403 => GATEWAY_403.to_owned(),
            404 => String::new(),
            429 => GATEWAY_429.to_owned(),
            500 => r#"{"error_code":"500000","message":"Internal Server Error"}"#.to_owned(),
            // Proxies in front of the gateway answer HTML, which clients must tolerate.
            502..=504 => format!(
                "<html><head><title>{code}</title></head><body><h1>{code} {}</h1></body></html>",
                reason(code)
            ),
            _ => String::new(),
        };
        Fault::Status { code, body }
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Gateway body for a missing, expired or revoked bearer token.
pub(crate) const GATEWAY_401: &str =
    r#"{"error_code":"401013","message":"Oauth token is not valid"}"#;
/// Gateway body for a missing or wrong API key.
pub(crate) const GATEWAY_403: &str = r#"{"error_code":"403003","message":"Api Key is invalid"}"#;
/// Gateway body for a throttled request.
pub(crate) const GATEWAY_429: &str = r#"{"error_code":"429050","message":"Too many requests"}"#;

#[derive(Debug, Clone)]
struct Entry {
    api: String,
    fault: Fault,
    remaining: Option<u32>,
}

/// The active faults.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultTable {
    entries: Vec<Entry>,
}

impl FaultTable {
    /// Sets (replaces) the fault of `api`. `times == Some(0)` just removes it.
    pub(crate) fn set(&mut self, api: &str, fault: Fault, times: Option<u32>) {
        self.entries.retain(|e| e.api != api);
        if times != Some(0) {
            self.entries.push(Entry {
                api: api.to_owned(),
                fault,
                remaining: times,
            });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// The fault for one request to `api`, consuming one use. A fault set for that exact api
    /// wins over `"*"`, which only covers Status API endpoints.
    pub(crate) fn take(&mut self, api: &str, is_status_api: bool) -> Option<Fault> {
        let idx = self.entries.iter().position(|e| e.api == api).or_else(|| {
            is_status_api
                .then(|| self.entries.iter().position(|e| e.api == "*"))
                .flatten()
        })?;
        let entry = self.entries.get_mut(idx)?;
        let fault = entry.fault.clone();
        if let Some(n) = entry.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.entries.remove(idx);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_fault_fires_exactly_n_times() {
        let mut t = FaultTable::default();
        t.set("events", Fault::status(500), Some(2));
        assert!(t.take("events", true).is_some());
        assert!(t.take("events", true).is_some());
        assert!(t.take("events", true).is_none());
    }

    #[test]
    fn wildcard_covers_status_api_only_and_specific_wins() {
        let mut t = FaultTable::default();
        t.set("*", Fault::status(503), None);
        assert!(t.take("token", false).is_none());
        assert_eq!(t.take("products", true), Some(Fault::status(503)));
        t.set("events", Fault::Unauthorized, Some(1));
        assert_eq!(t.take("events", true), Some(Fault::Unauthorized));
        assert_eq!(t.take("events", true), Some(Fault::status(503)));
        t.set("*", Fault::status(503), Some(0));
        assert!(t.take("events", true).is_none());
        t.set("token", Fault::InvalidClient, None);
        t.clear();
        assert!(t.take("token", false).is_none());
    }

    #[test]
    fn default_bodies() {
        match Fault::status(403) {
            Fault::Status { code, body } => {
                assert_eq!(code, 403);
                assert!(body.contains("403003"));
            }
            other => panic!("{other:?}"),
        }
        match Fault::status(502) {
            Fault::Status { body, .. } => assert!(body.starts_with("<html>")),
            other => panic!("{other:?}"),
        }
    }
}
