//! Adobe Status API client: authenticated, budgeted, size-capped GETs
//! (docs/adobe-status-api.md §1.3, §1.4, §2, §3).
//!
//! Every request carries the bearer token and the API key both as `x-api-key` header and as
//! `api_key` query parameter (the spec and the newest samples disagree on where it goes).
//! Every request, retries included, takes a slot of the shared [`RequestBudget`]; a 429 blocks
//! all requests until its `Retry-After` has passed. A 401 drops the token and retries once.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::{StatusCode, Url};
use tokio::time::Instant;
use tracing::debug;

use crate::http::{self, BodyError};
use crate::ims::{AccessToken, TokenCache, TokenError};
use crate::metrics::{Api, ExporterMetrics, FailureReason};
use crate::rate_limit::{parse_retry_after, Denied, RequestBudget, DEFAULT_RETRY_AFTER};

/// How long a request may wait for the local budget's window to slide.
const MAX_BUDGET_WAIT: Duration = Duration::from_secs(5);

/// Why a Status API call gave no usable body.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{api}: no access token: {source}")]
    Token {
        api: &'static str,
        #[source]
        source: TokenError,
    },
    #[error("{api}: HTTP 401 even with a fresh access token{detail}")]
    Unauthorized { api: &'static str, detail: String },
    #[error("{api}: HTTP 403 Forbidden{detail}; the credential or its organisation is not entitled to the Status API (Enterprise only, Console project needs the Adobe Status API)")]
    Forbidden { api: &'static str, detail: String },
    #[error("{api}: throttled by Adobe (HTTP 429), no requests for {retry_after:?}")]
    Throttled {
        api: &'static str,
        retry_after: Duration,
    },
    #[error("{api}: {denied}")]
    Budget { api: &'static str, denied: Denied },
    #[error("{api}: HTTP {status}{detail}")]
    Http {
        api: &'static str,
        status: u16,
        detail: String,
    },
    #[error("{api}: timed out")]
    Timeout { api: &'static str },
    #[error("{api}: {message}")]
    Network { api: &'static str, message: String },
    #[error("{api}: {message}")]
    Parse { api: &'static str, message: String },
    #[error("{api}: {source}")]
    Body {
        api: &'static str,
        #[source]
        source: BodyError,
    },
}

impl FetchError {
    /// How long Adobe (or the local budget, after a 429) asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Throttled { retry_after, .. }
            | FetchError::Budget {
                denied: Denied::RetryAfter(retry_after),
                ..
            } => Some(*retry_after),
            _ => None,
        }
    }

    /// The `reason` label of a refresh that failed with this error.
    pub fn reason(&self) -> FailureReason {
        match self {
            FetchError::Token { source, .. } => match source.root() {
                TokenError::Timeout => FailureReason::Timeout,
                TokenError::Network(_) => FailureReason::Network,
                _ => FailureReason::Auth,
            },
            FetchError::Unauthorized { .. } | FetchError::Forbidden { .. } => FailureReason::Auth,
            FetchError::Throttled { .. } => FailureReason::Throttled,
            FetchError::Budget { denied, .. } => match denied {
                Denied::RetryAfter(_) | Denied::Budget(_) => FailureReason::Throttled,
            },
            FetchError::Http { .. } => FailureReason::Http,
            FetchError::Parse { .. } => FailureReason::Parse,
            FetchError::Timeout { .. } => FailureReason::Timeout,
            FetchError::Network { .. } => FailureReason::Network,
            FetchError::Body { source, .. } => match source {
                BodyError::TooLarge { .. } => FailureReason::Parse,
                BodyError::Timeout => FailureReason::Timeout,
                BodyError::Network(_) => FailureReason::Network,
            },
        }
    }
}

/// Status API endpoints the exporter reads.
impl Api {
    fn path(self) -> &'static str {
        match self {
            Api::Events => "/api/v1/events",
            Api::Scheduled => "/api/v1/events/scheduled",
            Api::Clouds => "/api/v1/clouds",
            Api::Products => "/api/v1/products",
            Api::Regions => "/api/v1/regions",
            Api::Messages => "/api/v1/messages/en",
            Api::Token => "",
        }
    }
}

/// Client for one Status API base URL.
#[derive(Debug)]
pub struct StatusClient {
    http: reqwest::Client,
    base: Url,
    api_key: String,
    product_ids: Vec<String>,
    max_body: usize,
    tokens: Arc<TokenCache>,
    budget: Arc<RequestBudget>,
    metrics: Arc<ExporterMetrics>,
}

/// One answer received: status, headers that matter, body.
struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    body: Result<Bytes, BodyError>,
}

impl StatusClient {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        http: reqwest::Client,
        base: Url,
        api_key: String,
        product_ids: Vec<String>,
        max_body: usize,
        tokens: Arc<TokenCache>,
        budget: Arc<RequestBudget>,
        metrics: Arc<ExporterMetrics>,
    ) -> StatusClient {
        StatusClient {
            http,
            base,
            api_key,
            product_ids,
            max_body,
            tokens,
            budget,
            metrics,
        }
    }

    pub fn tokens(&self) -> &Arc<TokenCache> {
        &self.tokens
    }

    /// GET one endpoint and return its body (status 200..299).
    pub async fn fetch(&self, api: Api) -> Result<Bytes, FetchError> {
        let name = api.label();
        let token = self
            .tokens
            .get()
            .await
            .map_err(|source| FetchError::Token { api: name, source })?;
        let mut answer = self.send(api, &token).await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            debug!(
                api = name,
                "HTTP 401: renewing the access token and retrying once"
            );
            self.tokens.invalidate(&token).await;
            let token = self
                .tokens
                .get()
                .await
                .map_err(|source| FetchError::Token { api: name, source })?;
            answer = self.send(api, &token).await?;
            if answer.status == StatusCode::UNAUTHORIZED {
                self.tokens.invalidate(&token).await;
                return Err(FetchError::Unauthorized {
                    api: name,
                    detail: detail(&answer.body),
                });
            }
        }
        let status = answer.status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = parse_retry_after(answer.retry_after.as_deref(), SystemTime::now())
                .unwrap_or(DEFAULT_RETRY_AFTER);
            self.budget.block_for(Instant::now(), retry_after);
            // Reported once, in the refresh's failure line.
            debug!(
                api = name,
                retry_after_seconds = retry_after.as_secs(),
                "throttled by Adobe (HTTP 429)"
            );
            return Err(FetchError::Throttled {
                api: name,
                retry_after,
            });
        }
        if status == StatusCode::FORBIDDEN {
            return Err(FetchError::Forbidden {
                api: name,
                detail: detail(&answer.body),
            });
        }
        if !status.is_success() {
            return Err(FetchError::Http {
                api: name,
                status: status.as_u16(),
                detail: detail(&answer.body),
            });
        }
        answer
            .body
            .map_err(|source| FetchError::Body { api: name, source })
    }

    async fn send(&self, api: Api, token: &AccessToken) -> Result<Answer, FetchError> {
        let name = api.label();
        self.budget
            .acquire(MAX_BUDGET_WAIT)
            .await
            .map_err(|denied| match denied {
                Denied::RetryAfter(retry_after) => FetchError::Throttled {
                    api: name,
                    retry_after,
                },
                denied => FetchError::Budget { api: name, denied },
            })?;
        let mut query: Vec<(&str, &str)> = vec![("api_key", self.api_key.as_str())];
        let filter_key = match api {
            Api::Events | Api::Scheduled => Some("productIds"),
            Api::Products => Some("productId"),
            _ => None,
        };
        if let Some(key) = filter_key {
            query.extend(self.product_ids.iter().map(|id| (key, id.as_str())));
        }
        let request = self
            .http
            .get(self.url(api))
            .query(&query)
            .bearer_auth(token.bearer())
            .header("x-api-key", &self.api_key)
            .header(reqwest::header::ACCEPT, "application/json");
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                self.metrics.observe_request(api, None, started.elapsed());
                return Err(if err.is_timeout() {
                    FetchError::Timeout { api: name }
                } else {
                    FetchError::Network {
                        api: name,
                        message: http::describe(&err),
                    }
                });
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Error bodies are read only a little, for the message; success bodies up to the cap.
        let limit = if status.is_success() {
            self.max_body
        } else {
            4096
        };
        let body = http::read_body(response, limit).await;
        self.metrics
            .observe_request(api, Some(status.as_u16()), started.elapsed());
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    /// Base URL + path without a double slash, keeping any path prefix of the base.
    fn url(&self, api: Api) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", self.base.path().trim_end_matches('/'), api.path());
        url.set_path(&joined);
        url.set_query(None);
        url
    }
}

/// The Adobe gateway's error message (`{"error_code":..,"message":..}`), if the body has one.
fn detail(body: &Result<Bytes, BodyError>) -> String {
    #[derive(serde::Deserialize)]
    struct GatewayError {
        error_code: Option<serde_json::Value>,
        message: Option<String>,
    }
    let Ok(body) = body else { return String::new() };
    let Ok(parsed) = serde_json::from_slice::<GatewayError>(body) else {
        return String::new();
    };
    let code = parsed.error_code.map(|c| match c {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let text = match (code, parsed.message) {
        (Some(code), Some(message)) => format!(" ({code}: {message})"),
        (None, Some(message)) => format!(" ({message})"),
        (Some(code), None) => format!(" ({code})"),
        (None, None) => return String::new(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> StatusClient {
        let metrics = Arc::new(ExporterMetrics::new());
        let http = http::client(Duration::from_secs(1)).unwrap();
        let credentials = crate::config::Credentials {
            client_id: "id".into(),
            client_secret: "secret".to_owned().into(),
            scopes: "openid".into(),
        };
        let tokens = Arc::new(TokenCache::new(
            http.clone(),
            Url::parse("http://127.0.0.1:1/ims").unwrap(),
            credentials,
            Arc::clone(&metrics),
        ));
        StatusClient::new(
            http,
            Url::parse(base).unwrap(),
            "StatusAdobeIOClient".into(),
            vec![],
            1024,
            tokens,
            Arc::new(RequestBudget::new(10)),
            metrics,
        )
    }

    #[test]
    fn urls_join_without_double_slash_and_keep_prefixes() {
        assert_eq!(
            client("https://status.adobe.io/")
                .url(Api::Scheduled)
                .as_str(),
            "https://status.adobe.io/api/v1/events/scheduled"
        );
        assert_eq!(
            client("https://status.adobe.io").url(Api::Events).as_str(),
            "https://status.adobe.io/api/v1/events"
        );
        assert_eq!(
            client("http://proxy:8080/adobe/").url(Api::Clouds).as_str(),
            "http://proxy:8080/adobe/api/v1/clouds"
        );
    }

    #[test]
    fn gateway_error_details_are_short_and_optional() {
        let body = Ok(Bytes::from_static(
            br#"{"error_code":"403003","message":"Api Key is invalid"}"#,
        ));
        assert_eq!(detail(&body), " (403003: Api Key is invalid)");
        assert_eq!(detail(&Ok(Bytes::from_static(b"<html>"))), "");
        assert_eq!(detail(&Ok(Bytes::new())), "");
    }

    #[test]
    fn errors_map_to_failure_reasons() {
        let api = "events";
        assert_eq!(FetchError::Timeout { api }.reason(), FailureReason::Timeout);
        assert_eq!(
            FetchError::Throttled {
                api,
                retry_after: Duration::ZERO
            }
            .reason(),
            FailureReason::Throttled
        );
        assert_eq!(
            FetchError::Body {
                api,
                source: BodyError::TooLarge { limit: 1 }
            }
            .reason(),
            FailureReason::Parse
        );
        assert_eq!(
            FetchError::Token {
                api,
                source: TokenError::Network("x".into())
            }
            .reason(),
            FailureReason::Network
        );
        assert_eq!(
            FetchError::Token {
                api,
                source: TokenError::Rejected {
                    status: 400,
                    detail: String::new()
                }
            }
            .reason(),
            FailureReason::Auth
        );
    }
}
