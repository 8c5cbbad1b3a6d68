//! Adobe Status API client: authenticated, budgeted, size-capped GETs
//! (docs/adobe-status-api.md §1.3, §1.4, §2, §3).
//!
//! Every request carries the bearer token and the API key both as `x-api-key` header and as
//! `api_key` query parameter (the spec and the newest samples disagree on where it goes).
//! Every request, retries included, takes a slot of the shared [`RequestBudget`]; a 429 blocks
//! all requests until its `Retry-After` has passed. A 401 drops the token and retries once.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::{StatusCode, Url};
use tokio::time::Instant;
use tracing::debug;

use crate::http::{self, BodyError, BodyReader};
use crate::ims::{AccessToken, TokenCache, TokenError};
use crate::metrics::ExporterMetrics;
use crate::rate_limit::{parse_retry_after, Denied, RequestBudget, DEFAULT_RETRY_AFTER};
use crate::upstream::{one_line, Api, FailureReason};

/// How much of an error answer's body is read, for its message.
const ERROR_BODY_LIMIT: usize = 4096;

/// How long a request may wait for the local budget's window to slide.
const MAX_BUDGET_WAIT: Duration = Duration::from_secs(5);

/// Why a Status API call gave no usable body: which call, and what went wrong.
#[derive(Debug)]
pub struct FetchError {
    pub api: Api,
    pub kind: FetchErrorKind,
}

/// What went wrong with one Status API call.
#[derive(Debug, thiserror::Error)]
pub enum FetchErrorKind {
    #[error("no access token: {0}")]
    Token(#[source] TokenError),
    #[error("HTTP 401 even with a fresh access token{detail}")]
    Unauthorized { detail: String },
    #[error("HTTP 403 Forbidden{detail}; the credential or its organisation is not entitled to the Status API (Enterprise only, Console project needs the Adobe Status API)")]
    Forbidden { detail: String },
    #[error("throttled by Adobe (HTTP 429), no requests for {retry_after:?}")]
    Throttled { retry_after: Duration },
    #[error("{0}")]
    Budget(Denied),
    #[error("HTTP {status}{detail}")]
    Http { status: u16, detail: String },
    #[error("timed out")]
    Timeout,
    #[error("{0}")]
    Network(String),
    #[error("{0}")]
    Body(#[source] BodyError),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.api.label(), self.kind)
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl FetchError {
    pub fn new(api: Api, kind: FetchErrorKind) -> FetchError {
        FetchError { api, kind }
    }

    /// How long Adobe (or the local budget, after a 429) asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            FetchErrorKind::Throttled { retry_after }
            | FetchErrorKind::Budget(Denied::RetryAfter(retry_after)) => Some(*retry_after),
            _ => None,
        }
    }

    /// The `reason` label of a refresh that failed with this error.
    pub fn reason(&self) -> FailureReason {
        match &self.kind {
            FetchErrorKind::Token(source) => match source.root() {
                TokenError::Timeout => FailureReason::Timeout,
                TokenError::Network(_) => FailureReason::Network,
                _ => FailureReason::Auth,
            },
            FetchErrorKind::Unauthorized { .. } | FetchErrorKind::Forbidden { .. } => {
                FailureReason::Auth
            }
            FetchErrorKind::Throttled { .. } => FailureReason::Throttled,
            FetchErrorKind::Budget(Denied::RetryAfter(_) | Denied::Budget(_)) => {
                FailureReason::Throttled
            }
            FetchErrorKind::Http { .. } => FailureReason::Http,
            FetchErrorKind::Timeout => FailureReason::Timeout,
            FetchErrorKind::Network(_) => FailureReason::Network,
            FetchErrorKind::Body(source) => match source {
                BodyError::TooLarge { .. } => FailureReason::Parse,
                BodyError::Timeout => FailureReason::Timeout,
                BodyError::Network(_) => FailureReason::Network,
            },
        }
    }
}

/// What a [`StatusClient`] is made of.
#[derive(Debug)]
pub struct StatusClientParts {
    pub http: reqwest::Client,
    /// The Status API base URL (`--adobe.status-url`).
    pub base: Url,
    pub api_key: String,
    /// `--adobe.product-id`: sent as a filter where the API takes one.
    pub product_ids: Vec<String>,
    /// `--status.max-response-size`.
    pub max_body: usize,
    pub tokens: Arc<TokenCache>,
    pub budget: Arc<RequestBudget>,
    pub metrics: Arc<ExporterMetrics>,
}

/// Client for one Status API base URL.
#[derive(Debug)]
pub struct StatusClient {
    parts: StatusClientParts,
}

/// A request answered: status and the headers that matter; the body not read yet.
struct Sent {
    status: StatusCode,
    retry_after: Option<String>,
    response: reqwest::Response,
    started: Instant,
}

/// A success answer whose body is still to be read, as it arrives: [`OpenBody::stream`].
#[derive(Debug)]
pub struct OpenBody {
    api: Api,
    status: u16,
    response: reqwest::Response,
    started: Instant,
    limit: usize,
    metrics: Arc<ExporterMetrics>,
}

impl OpenBody {
    /// The body for a parser on a blocking thread, and the pump that feeds it, to be polled on
    /// the async side meanwhile ([`http::stream_body`]). The pump's error, if any, is why the
    /// body ended early; the request is counted when the pump ends.
    pub fn stream(self) -> (BodyReader, impl Future<Output = Result<usize, FetchError>>) {
        let OpenBody {
            api,
            status,
            response,
            started,
            limit,
            metrics,
        } = self;
        let (reader, pump) = http::stream_body(response, limit);
        let pump = async move {
            let read = pump.await;
            metrics.observe_request(api, Some(status), started.elapsed());
            read.map_err(|err| FetchError::new(api, FetchErrorKind::Body(err)))
        };
        (reader, pump)
    }
}

impl StatusClient {
    pub fn new(parts: StatusClientParts) -> StatusClient {
        StatusClient { parts }
    }

    pub fn tokens(&self) -> &Arc<TokenCache> {
        &self.parts.tokens
    }

    /// GET one endpoint and return its body (status 200..299).
    pub async fn fetch(&self, api: Api) -> Result<Bytes, FetchError> {
        self.fetch_in(api, None).await
    }

    /// GET one endpoint with a last path segment (the locale of `/messages/{locale}`).
    pub async fn fetch_in(&self, api: Api, segment: Option<&str>) -> Result<Bytes, FetchError> {
        self.fetch_body(api, segment)
            .await
            .map_err(|kind| FetchError::new(api, kind))
    }

    /// GET one endpoint (status 200..299) and hand its body over unread, to be parsed as it
    /// arrives ([`OpenBody::stream`]).
    pub async fn open(&self, api: Api) -> Result<OpenBody, FetchError> {
        let sent = self
            .answer(api, None)
            .await
            .map_err(|kind| FetchError::new(api, kind))?;
        Ok(OpenBody {
            api,
            status: sent.status.as_u16(),
            response: sent.response,
            started: sent.started,
            limit: self.parts.max_body,
            metrics: Arc::clone(&self.parts.metrics),
        })
    }

    async fn token(&self) -> Result<AccessToken, FetchErrorKind> {
        self.parts.tokens.get().await.map_err(FetchErrorKind::Token)
    }

    async fn fetch_body(&self, api: Api, segment: Option<&str>) -> Result<Bytes, FetchErrorKind> {
        let sent = self.answer(api, segment).await?;
        self.read(api, sent, self.parts.max_body)
            .await
            .map_err(FetchErrorKind::Body)
    }

    /// Send the request (again with a new token after a 401) until a success answer, whose
    /// body is left unread; any other answer is an error, its body read a little for the
    /// message.
    async fn answer(&self, api: Api, segment: Option<&str>) -> Result<Sent, FetchErrorKind> {
        let name = api.label();
        let token = self.token().await?;
        let mut sent = self.send(api, segment, &token).await?;
        if sent.status == StatusCode::UNAUTHORIZED {
            // Read (and counted) only to free the connection: a 401 says all there is.
            let _ = self.read_error(api, sent).await;
            debug!(
                api = name,
                "HTTP 401: renewing the access token and retrying once"
            );
            self.parts.tokens.invalidate(&token).await;
            let token = self.token().await?;
            sent = self.send(api, segment, &token).await?;
            if sent.status == StatusCode::UNAUTHORIZED {
                // The token is brand new: the 401 is not about it. Dropping it would make the
                // calls running alongside, already retrying with it, fetch yet another one.
                return Err(FetchErrorKind::Unauthorized {
                    detail: detail(&self.read_error(api, sent).await),
                });
            }
        }
        let status = sent.status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = parse_retry_after(sent.retry_after.as_deref(), SystemTime::now())
                .unwrap_or(DEFAULT_RETRY_AFTER);
            let _ = self.read_error(api, sent).await;
            self.parts.budget.block_for(Instant::now(), retry_after);
            // Reported once, in the refresh's failure line.
            debug!(
                api = name,
                retry_after_seconds = retry_after.as_secs(),
                "throttled by Adobe (HTTP 429)"
            );
            return Err(FetchErrorKind::Throttled { retry_after });
        }
        if status == StatusCode::FORBIDDEN {
            return Err(FetchErrorKind::Forbidden {
                detail: detail(&self.read_error(api, sent).await),
            });
        }
        if !status.is_success() {
            return Err(FetchErrorKind::Http {
                status: status.as_u16(),
                detail: detail(&self.read_error(api, sent).await),
            });
        }
        Ok(sent)
    }

    /// Read at most `limit` bytes of the answer's body, and count the request.
    async fn read(&self, api: Api, sent: Sent, limit: usize) -> Result<Bytes, BodyError> {
        let body = http::read_body(sent.response, limit).await;
        self.parts
            .metrics
            .observe_request(api, Some(sent.status.as_u16()), sent.started.elapsed());
        body
    }

    /// An error answer's body: only a little of it, for the message.
    async fn read_error(&self, api: Api, sent: Sent) -> Result<Bytes, BodyError> {
        self.read(api, sent, ERROR_BODY_LIMIT).await
    }

    async fn send(
        &self,
        api: Api,
        segment: Option<&str>,
        token: &AccessToken,
    ) -> Result<Sent, FetchErrorKind> {
        self.parts
            .budget
            .acquire(MAX_BUDGET_WAIT)
            .await
            .map_err(|denied| match denied {
                Denied::RetryAfter(retry_after) => FetchErrorKind::Throttled { retry_after },
                denied => FetchErrorKind::Budget(denied),
            })?;
        let mut query: Vec<(&str, &str)> = vec![("api_key", self.parts.api_key.as_str())];
        let filter_key = match api {
            Api::Events | Api::Scheduled => Some("productIds"),
            Api::Products => Some("productId"),
            _ => None,
        };
        if let Some(key) = filter_key {
            query.extend(self.parts.product_ids.iter().map(|id| (key, id.as_str())));
        }
        let request = self
            .parts
            .http
            .get(self.url(api, segment))
            .query(&query)
            .bearer_auth(token.bearer())
            .header("x-api-key", &self.parts.api_key)
            .header(reqwest::header::ACCEPT, "application/json");
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                self.parts
                    .metrics
                    .observe_request(api, None, started.elapsed());
                return Err(if err.is_timeout() {
                    FetchErrorKind::Timeout
                } else {
                    FetchErrorKind::Network(http::describe(&err))
                });
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Sent {
            status,
            retry_after,
            response,
            started,
        })
    }

    /// Base URL + path without a double slash, keeping any path prefix of the base; `segment`
    /// is appended percent-encoded.
    fn url(&self, api: Api, segment: Option<&str>) -> Url {
        let mut url = self.parts.base.clone();
        let joined = format!(
            "{}{}",
            self.parts.base.path().trim_end_matches('/'),
            api.path()
        );
        url.set_path(&joined);
        url.set_query(None);
        if let Some(segment) = segment {
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.push(segment);
            }
        }
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
    one_line(&text, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> StatusClient {
        let metrics = Arc::new(ExporterMetrics::new());
        let http = http::client(Duration::from_secs(1)).unwrap();
        let credentials = Arc::new(crate::credentials::Credentials {
            client_id: "id".into(),
            client_secret: crate::credentials::ClientSecret::fixed("secret".to_owned().into()),
            scopes: "openid".into(),
        });
        let tokens = Arc::new(TokenCache::new(
            http.clone(),
            Url::parse("http://127.0.0.1:1/ims").unwrap(),
            credentials,
            Arc::clone(&metrics),
        ));
        StatusClient::new(StatusClientParts {
            http,
            base: Url::parse(base).unwrap(),
            api_key: "StatusAdobeIOClient".into(),
            product_ids: vec![],
            max_body: 1024,
            tokens,
            budget: Arc::new(RequestBudget::new(10)),
            metrics,
        })
    }

    #[test]
    fn urls_join_without_double_slash_and_keep_prefixes() {
        assert_eq!(
            client("https://status.adobe.io/")
                .url(Api::Scheduled, None)
                .as_str(),
            "https://status.adobe.io/api/v1/events/scheduled"
        );
        assert_eq!(
            client("https://status.adobe.io")
                .url(Api::Events, None)
                .as_str(),
            "https://status.adobe.io/api/v1/events"
        );
        assert_eq!(
            client("http://proxy:8080/adobe/")
                .url(Api::Clouds, None)
                .as_str(),
            "http://proxy:8080/adobe/api/v1/clouds"
        );
    }

    #[test]
    fn the_locale_is_one_encoded_path_segment() {
        let client = client("https://status.adobe.io/");
        assert_eq!(
            client.url(Api::Messages, Some("pt-BR")).as_str(),
            "https://status.adobe.io/api/v1/messages/pt-BR"
        );
        assert_eq!(
            client.url(Api::Messages, Some("../x y")).as_str(),
            "https://status.adobe.io/api/v1/messages/..%2Fx%20y"
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
        let reason = |kind| FetchError::new(Api::Events, kind).reason();
        assert_eq!(reason(FetchErrorKind::Timeout), FailureReason::Timeout);
        assert_eq!(
            reason(FetchErrorKind::Throttled {
                retry_after: Duration::ZERO
            }),
            FailureReason::Throttled
        );
        assert_eq!(
            reason(FetchErrorKind::Body(BodyError::TooLarge { limit: 1 })),
            FailureReason::Parse
        );
        assert_eq!(
            reason(FetchErrorKind::Token(TokenError::Network("x".into()))),
            FailureReason::Network
        );
        assert_eq!(
            reason(FetchErrorKind::Token(TokenError::Rejected {
                status: 400,
                detail: String::new()
            })),
            FailureReason::Auth
        );
    }

    #[test]
    fn the_message_starts_with_the_api() {
        let err = FetchError::new(
            Api::Scheduled,
            FetchErrorKind::Http {
                status: 503,
                detail: String::new(),
            },
        );
        assert_eq!(err.to_string(), "scheduled: HTTP 503");
    }
}
