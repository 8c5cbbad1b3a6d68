//! Adobe IMS token cache: OAuth server-to-server (client credentials) access tokens.
//!
//! There is no refresh token: a new token is requested with the same credentials shortly
//! before the old one expires (docs/adobe-status-api.md §1.2). Callers share one in-flight
//! request (the state lock is held across it), a token that got a 401 is dropped once (by
//! generation, so two requests failing with the same token cost one re-auth), and IMS failures
//! back off exponentially instead of being retried on every scrape.
//!
//! The secret is exposed only while building the form body: never in a URL, a log line, an
//! error or `Debug` output.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::{debug, info};

use crate::credentials::{Credentials, Reload};
use crate::http;
use crate::metrics::ExporterMetrics;
use crate::timestamp::unix_now;
use crate::upstream::{one_line, Api};

/// Lifetime assumed when IMS gives none we can use.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// IMS v3 says 24 h; anything longer is clamped so a bogus value cannot pin a dead token.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// `expires_in` above this is milliseconds (the legacy JWT exchange used them).
const MILLIS_THRESHOLD: u64 = 10_000_000;
/// Largest IMS answer read (a token response is well under 10 KiB).
const MAX_TOKEN_BODY: usize = 64 * 1024;
const BACKOFF_START: Duration = Duration::from_secs(5);
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Why no token is available.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// IMS refused the credentials (400/401/403 with an OAuth error such as `invalid_client`).
    #[error("Adobe IMS rejected the credentials (HTTP {status}{detail}); check the client id, secret and scopes")]
    Rejected { status: u16, detail: String },
    #[error("Adobe IMS answered HTTP {status}")]
    Http { status: u16 },
    #[error("Adobe IMS did not answer in time")]
    Timeout,
    #[error("cannot reach Adobe IMS: {0}")]
    Network(String),
    #[error("unexpected answer from Adobe IMS: {0}")]
    Invalid(String),
    #[error("{last} (not retrying IMS for another {remaining_secs}s)")]
    BackingOff {
        last: Box<TokenError>,
        remaining_secs: u64,
    },
}

impl TokenError {
    /// The failure behind a back-off.
    pub fn root(&self) -> &TokenError {
        match self {
            TokenError::BackingOff { last, .. } => last.root(),
            other => other,
        }
    }
}

/// A bearer token; `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken {
    value: SecretString,
    generation: u64,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl AccessToken {
    pub fn bearer(&self) -> &str {
        self.value.expose_secret()
    }
}

#[derive(Debug)]
struct Cached {
    token: AccessToken,
    refresh_at: Instant,
    expires_at: Instant,
    expires_at_unix: f64,
}

#[derive(Debug, Default)]
struct State {
    cached: Option<Cached>,
    generation: u64,
    failures: u32,
    retry_at: Option<(Instant, TokenError)>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// Cached client-credentials tokens for one IMS endpoint.
#[derive(Debug)]
pub struct TokenCache {
    http: reqwest::Client,
    url: Url,
    credentials: Arc<Credentials>,
    metrics: std::sync::Arc<ExporterMetrics>,
    state: Mutex<State>,
}

impl TokenCache {
    pub fn new(
        http: reqwest::Client,
        url: Url,
        credentials: Arc<Credentials>,
        metrics: std::sync::Arc<ExporterMetrics>,
    ) -> TokenCache {
        TokenCache {
            http,
            url,
            credentials,
            metrics,
            state: Mutex::new(State::default()),
        }
    }

    /// A valid token: the cached one, or a new one from IMS (one request for all callers).
    pub async fn get(&self) -> Result<AccessToken, TokenError> {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if let Some(cached) = &state.cached {
            if now < cached.refresh_at {
                return Ok(cached.token.clone());
            }
        }
        // Read the secret file once per token attempt (about daily; rotation needs no restart).
        // A new secret deserves a try now, not after the back-off meant for the old one.
        if self.credentials.client_secret.reload() == Reload::Changed {
            state.retry_at = None;
        }
        if let Some((retry_at, last)) = &state.retry_at {
            if now < *retry_at {
                // Still inside the back-off: an unexpired token is better than none.
                if let Some(cached) = state.cached.as_ref().filter(|c| now < c.expires_at) {
                    return Ok(cached.token.clone());
                }
                return Err(TokenError::BackingOff {
                    last: Box::new(last.root().clone()),
                    remaining_secs: (*retry_at - now).as_secs().max(1),
                });
            }
        }
        let mut result = self.request().await;
        // Rejected: the secret may have been rotated just now; read the file once more.
        if matches!(result, Err(TokenError::Rejected { .. }))
            && self.credentials.client_secret.reload() == Reload::Changed
        {
            result = self.request().await;
        }
        match result {
            Ok((value, lifetime)) => {
                state.generation += 1;
                state.failures = 0;
                state.retry_at = None;
                let now = Instant::now();
                let expires_at_unix = unix_now() + lifetime.as_secs_f64();
                let token = AccessToken {
                    value,
                    generation: state.generation,
                };
                state.cached = Some(Cached {
                    token: token.clone(),
                    refresh_at: now + lifetime - refresh_margin(lifetime),
                    expires_at: now + lifetime,
                    expires_at_unix,
                });
                self.metrics.set_token_expiry(expires_at_unix);
                info!(
                    lifetime_seconds = lifetime.as_secs(),
                    "obtained Adobe IMS access token"
                );
                Ok(token)
            }
            Err(err) => {
                state.failures = state.failures.saturating_add(1);
                let backoff = backoff(state.failures);
                // At debug: the refresh that needed the token reports it in its failure line.
                debug!(error = %err, retry_in_seconds = backoff.as_secs(), "Adobe IMS token request failed");
                state.retry_at = Some((Instant::now() + backoff, err.clone()));
                Err(err)
            }
        }
    }

    /// Drop `used` after the Status API answered 401 to it. A token already replaced by
    /// another caller is left alone, so concurrent 401s cost one new token, not several.
    pub async fn invalidate(&self, used: &AccessToken) {
        let mut state = self.state.lock().await;
        if state
            .cached
            .as_ref()
            .is_some_and(|c| c.token.generation == used.generation)
        {
            debug!("dropping the access token after a 401");
            state.cached = None;
            // A 401 is not an IMS failure: ask IMS again right away.
            state.retry_at = None;
        }
    }

    /// Expiry of the cached token as Unix seconds.
    pub async fn expiry_unix(&self) -> Option<f64> {
        self.state
            .lock()
            .await
            .cached
            .as_ref()
            .map(|c| c.expires_at_unix)
    }

    async fn request(&self) -> Result<(SecretString, Duration), TokenError> {
        let secret = self.credentials.client_secret.current();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.credentials.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("scope", self.credentials.scopes.as_str()),
        ];
        // The guide and every sample also put client_id in the query; harmless, not secret.
        let request = self
            .http
            .post(self.url.clone())
            .query(&[("client_id", self.credentials.client_id.as_str())])
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
        let started = Instant::now();
        let response = request.send().await;
        let (status, body) = match response {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = http::read_body(response, MAX_TOKEN_BODY).await;
                self.metrics
                    .observe_request(Api::Token, Some(status), started.elapsed());
                (status, body)
            }
            Err(err) => {
                self.metrics
                    .observe_request(Api::Token, None, started.elapsed());
                return Err(if err.is_timeout() {
                    TokenError::Timeout
                } else {
                    TokenError::Network(http::describe(&err))
                });
            }
        };
        let body = match body {
            Ok(body) => body,
            Err(http::BodyError::Timeout) => return Err(TokenError::Timeout),
            Err(err) => return Err(TokenError::Invalid(err.to_string())),
        };
        if status != 200 {
            return Err(classify_failure(status, &body));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| TokenError::Invalid("token response is not JSON".into()))?;
        let token = parsed
            .access_token
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| TokenError::Invalid("no access_token in the response".into()))?;
        Ok((
            SecretString::from(token),
            lifetime(parsed.expires_in.as_ref()),
        ))
    }
}

/// A non-200 from IMS: credential problems are `Rejected`, the rest plain HTTP errors.
fn classify_failure(status: u16, body: &[u8]) -> TokenError {
    let oauth: Option<OAuthError> = serde_json::from_slice(body).ok();
    let code = oauth.as_ref().and_then(|e| e.error.clone());
    let credential_problem = matches!(status, 400 | 401 | 403)
        || code
            .as_deref()
            .is_some_and(|c| c.starts_with("invalid_") || c == "unauthorized_client");
    if !credential_problem {
        return TokenError::Http { status };
    }
    let detail = match (code, oauth.and_then(|e| e.error_description)) {
        (Some(code), Some(description)) => {
            format!(": {} ({})", printable(&code), printable(&description))
        }
        (Some(code), None) => format!(": {}", printable(&code)),
        _ => String::new(),
    };
    TokenError::Rejected { status, detail }
}

/// Keep error details short and on one line.
fn printable(text: &str) -> String {
    one_line(text, 200)
}

/// Token lifetime from `expires_in` (seconds; milliseconds if implausibly large).
fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let raw = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let Some(raw) = raw.filter(|v| v.is_finite() && *v >= 1.0) else {
        return DEFAULT_LIFETIME;
    };
    let seconds = if raw >= MILLIS_THRESHOLD as f64 {
        raw / 1000.0
    } else {
        raw
    };
    Duration::from_secs_f64(seconds).min(MAX_LIFETIME)
}

/// Renew this long before expiry: 10 % of the lifetime but at least 5 minutes, and never
/// more than half the lifetime (so short-lived tokens are still reused).
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10)
        .max(Duration::from_secs(300))
        .min(lifetime / 2)
}

fn backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    BACKOFF_START
        .saturating_mul(1u32 << exponent)
        .min(BACKOFF_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lifetime_reads_seconds_milliseconds_and_falls_back() {
        assert_eq!(lifetime(Some(&json!(86399))), Duration::from_secs(86399));
        assert_eq!(lifetime(Some(&json!("3600"))), Duration::from_secs(3600));
        assert_eq!(
            lifetime(Some(&json!(86_399_998))),
            Duration::from_secs_f64(86_399.998)
        );
        assert_eq!(lifetime(Some(&json!(10_000_000_000_u64))), MAX_LIFETIME);
        assert_eq!(lifetime(Some(&json!(0))), DEFAULT_LIFETIME);
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
        assert_eq!(lifetime(Some(&json!("soon"))), DEFAULT_LIFETIME);
    }

    #[test]
    fn margin_renews_early_but_reuses_short_tokens() {
        assert_eq!(
            refresh_margin(Duration::from_secs(86400)),
            Duration::from_secs(8640)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(360)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(1800)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(4)),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(7), Duration::from_secs(300));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(300));
    }

    #[test]
    fn invalid_client_is_a_clear_rejection() {
        let body =
            br#"{"error":"invalid_client","error_description":"invalid client_id parameter"}"#;
        let err = classify_failure(400, body);
        assert!(matches!(err, TokenError::Rejected { status: 400, .. }));
        assert_eq!(
            err.to_string(),
            "Adobe IMS rejected the credentials (HTTP 400: invalid_client (invalid client_id parameter)); check the client id, secret and scopes"
        );
        assert!(matches!(
            classify_failure(503, b"<html>"),
            TokenError::Http { status: 503 }
        ));
        assert!(matches!(
            classify_failure(401, b""),
            TokenError::Rejected { status: 401, .. }
        ));
    }

    #[test]
    fn token_debug_is_redacted() {
        let token = AccessToken {
            value: SecretString::from("eyJ-canary"),
            generation: 3,
        };
        assert!(!format!("{token:?}").contains("canary"));
        assert_eq!(token.bearer(), "eyJ-canary");
    }
}
