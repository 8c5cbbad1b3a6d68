//! The simulator's HTTP server: IMS token endpoint, Status API and the `/__sim/` control API.
//!
//! One hyper HTTP/1.1 connection task per accepted socket. Each request is recorded and counted
//! first, then faults are applied (they are the upstream's answer, so they come before any
//! check), then the checks Adobe's gateway makes in the order it makes them: API key (403),
//! bearer token (401), per-token rate limit (429), and finally the endpoint itself.

use std::convert::Infallible;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::body::{ConnIo, SimBody};
use super::control::{Control, IncidentSpec, MaintenanceSpec, RecordedRequest, TokenCheck};
use super::faults::{Fault, RetryAfter, GATEWAY_401, GATEWAY_403, GATEWAY_429};
use super::form::{first, list, parse_pairs};
use super::scenario::{Clock, LiveScenario};
use super::wire::{self, EventFilter, Feed, RegistryFilter};
use super::SimulatorConfig;

/// The fixed Status API key every customer uses.
const API_KEY: &str = "StatusAdobeIOClient";
const JSON: &str = "application/json;charset=UTF-8";
/// Largest request body read (IMS form, control API JSON).
const MAX_REQUEST_BODY: usize = 64 * 1024;
/// The rate limit's `Retry-After`, matching its 5-second window.
const RATE_RETRY_AFTER: &str = "5";

/// State shared by every connection.
pub(crate) struct Shared {
    pub(crate) config: SimulatorConfig,
    pub(crate) control: Control,
    pub(crate) clock: Clock,
    pub(crate) started: Instant,
    /// One Live scenario per catalog replica (empty for the Empty scenario).
    pub(crate) live: Vec<LiveScenario>,
}

/// Accepts connections until `shutdown` turns true.
pub(crate) async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => spawn_connection(stream, Arc::clone(&shared), shutdown.clone()),
                Err(error) => {
                    // Typically EMFILE: back off instead of spinning.
                    tracing::warn!(%error, "demo simulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = wait_for_shutdown(&mut shutdown) => break,
        }
    }
    tracing::debug!("demo simulator stopped");
}

/// Resolves once shutdown is requested; never if every handle is gone without asking (the
/// server then lives as long as the runtime).
async fn wait_for_shutdown(rx: &mut watch::Receiver<bool>) {
    if rx.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn spawn_connection(stream: TcpStream, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ConnIo::new(stream, Arc::clone(&reset)));
    tokio::spawn(async move {
        let service = service_fn(move |req| {
            let shared = Arc::clone(&shared);
            let reset = Arc::clone(&reset);
            async move { Ok::<_, Infallible>(handle(&shared, req, reset).await) }
        });
        // No timer, hence no header-read timeout: that timeout also runs while a keep-alive
        // connection is idle, and a test double that drops idle connections every 30 s makes
        // client tests flaky for no benefit on loopback.
        let conn = http1::Builder::new().serve_connection(io, service);
        tokio::pin!(conn);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "demo simulator: connection ended with an error");
                }
            }
            () = wait_for_shutdown(&mut shutdown) => {}
        }
    });
}

// ------------------------------------------------------------------ responses

fn respond(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: impl Into<Bytes>,
) -> Response<SimBody> {
    let body: Bytes = body.into();
    let mut response = Response::new(if body.is_empty() {
        SimBody::empty()
    } else {
        SimBody::full(body)
    });
    *response.status_mut() = status;
    if let Some(ct) = content_type {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    response
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<SimBody> {
    respond(status, Some(JSON), body)
}

fn empty(status: StatusCode) -> Response<SimBody> {
    respond(status, None, Bytes::new())
}

fn oauth_error(error: &str, description: &str) -> Response<SimBody> {
    let body = serde_json::json!({ "error": error, "error_description": description });
    json(StatusCode::BAD_REQUEST, body.to_string())
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The response a fault produces; `None` for [`Fault::Delay`], after which the request goes
/// on normally. `normal` renders the body the request would have had, for the faults that
/// corrupt it.
async fn fault_response(
    fault: Fault,
    normal: impl FnOnce() -> Bytes,
    reset: Arc<AtomicBool>,
) -> Option<Response<SimBody>> {
    let response = match fault {
        Fault::Delay(duration) => {
            tokio::time::sleep(duration).await;
            return None;
        }
        Fault::Status { code, body } => {
            let trimmed = body.trim_start();
            let content_type = if body.is_empty() {
                None
            } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
                Some(JSON)
            } else if trimmed.starts_with('<') {
                Some("text/html")
            } else {
                Some("text/plain;charset=UTF-8")
            };
            respond(status_code(code), content_type, body)
        }
        Fault::TooManyRequests { retry_after } => {
            let mut response = json(StatusCode::TOO_MANY_REQUESTS, GATEWAY_429);
            let value = match retry_after {
                RetryAfter::Seconds(s) => Some(s.to_string()),
                RetryAfter::HttpDate(t) => Some(httpdate::fmt_http_date(t)),
                RetryAfter::None => None,
            };
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(RETRY_AFTER, v);
            }
            response
        }
        Fault::TruncatedJson => {
            let full = normal();
            json(StatusCode::OK, full.slice(..full.len() / 2))
        }
        Fault::MalformedJson => json(
            StatusCode::OK,
            r#"{"incidents": [ {"id": "2026", "products": [ {,, ]] <html>garbage"#,
        ),
        Fault::Oversize { bytes } => {
            let mut response = Response::new(SimBody::oversize(bytes));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(bytes as u64));
            response
        }
        Fault::ResetMidBody => {
            let full = normal();
            let len = full.len() as u64;
            let mut response = Response::new(SimBody::reset_mid_body(full, reset));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(len));
            response
        }
        Fault::InvalidClient => oauth_error("invalid_client", "invalid client_id parameter"),
        Fault::Unauthorized => {
            let mut response = json(StatusCode::UNAUTHORIZED, GATEWAY_401);
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
    };
    Some(response)
}

// ------------------------------------------------------------------ routing

/// The api key (for counting and faults) of an IMS or Status API path.
fn api_of(path: &str) -> Option<&'static str> {
    Some(match path {
        "/ims/token/v3" => "token",
        "/api/v1/events" => "events",
        "/api/v1/events/incidents" => "incidents",
        "/api/v1/events/maintenance" => "maintenance",
        "/api/v1/events/scheduled" => "scheduled",
        "/api/v1/clouds" => "clouds",
        "/api/v1/products" => "products",
        "/api/v1/regions" => "regions",
        "/api/v1/eventTypes" => "eventTypes",
        "/api/v1/locales" => "locales",
        "/api/v1/messages" => "messages",
        p => match p.strip_prefix("/api/v1/messages/") {
            Some(locale) if !locale.is_empty() && !locale.contains('/') => "messages",
            _ => return None,
        },
    })
}

fn is_registry_api(api: &str) -> bool {
    matches!(
        api,
        "clouds" | "products" | "regions" | "eventTypes" | "locales" | "messages"
    )
}

fn recorded<B>(api: &str, req: &Request<B>, form_fields: Vec<String>) -> RecordedRequest {
    RecordedRequest {
        api: api.to_owned(),
        method: req.method().as_str().to_owned(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or("").to_owned(),
        headers: req
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        form_fields,
    }
}

async fn handle(
    shared: &Shared,
    req: Request<Incoming>,
    reset: Arc<AtomicBool>,
) -> Response<SimBody> {
    let path = req.uri().path().to_owned();
    tracing::debug!(method = %req.method(), %path, "demo simulator request");
    if path == "/__sim" || path.starts_with("/__sim/") {
        return control_api(shared, req, &path).await;
    }
    match api_of(&path) {
        Some("token") => ims(shared, req, reset).await,
        Some(api) => status_api(shared, req, api, &path, reset).await,
        None => {
            shared.control.record(recorded("unknown", &req, Vec::new()));
            empty(StatusCode::NOT_FOUND)
        }
    }
}

// ------------------------------------------------------------------ IMS

/// A token response body with a token that is *not* registered: what a corrupted or reset
/// token response would have carried.
fn sample_token_body(config: &SimulatorConfig) -> Bytes {
    let body = serde_json::json!({
        "access_token": "eyJhbGciOiJSUzI1NiIsIng1dSI6ImltcyJ9.not-a-valid-token",
        "token_type": "bearer",
        "expires_in": config.token_lifetime.as_secs(),
    });
    Bytes::from(body.to_string())
}

async fn ims(shared: &Shared, req: Request<Incoming>, reset: Arc<AtomicBool>) -> Response<SimBody> {
    let query_pairs = parse_pairs(req.uri().query().unwrap_or(""));
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let method = req.method().clone();
    // Recording needs the form's field names, so the (bounded) body is read first.
    let (parts, body) = req.into_parts();
    let read = Limited::new(body, MAX_REQUEST_BODY).collect().await;
    let req_for_record = Request::from_parts(parts, ());
    let bytes = read.map(|c| c.to_bytes()).ok();
    let form = bytes
        .as_ref()
        .map(|b| parse_pairs(&String::from_utf8_lossy(b)))
        .unwrap_or_default();
    let mut field_names: Vec<String> = Vec::new();
    for (k, _) in &form {
        if !field_names.contains(k) {
            field_names.push(k.clone());
        }
    }
    shared
        .control
        .record(recorded("token", &req_for_record, field_names));

    if let Some(fault) = shared.control.take_fault("token", false) {
        if let Some(response) =
            fault_response(fault, || sample_token_body(&shared.config), reset).await
        {
            return response;
        }
    }
    if method != Method::POST {
        let mut response = oauth_error("invalid_request", "the token endpoint only accepts POST");
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if bytes.is_none() {
        return oauth_error("invalid_request", "request body too large or unreadable");
    }
    // Secrets in URLs end up in logs and proxies; the simulator refuses them outright so a
    // client that leaks one fails its tests.
    if first(&query_pairs, "client_secret").is_some() {
        return oauth_error(
            "invalid_request",
            "client_secret must not be sent in the URL",
        );
    }
    if !is_form {
        return oauth_error(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    match first(&form, "grant_type") {
        None => return oauth_error("invalid_request", "missing grant_type parameter"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error("unsupported_grant_type", "unsupported grant_type parameter")
        }
    }
    let client_id = first(&form, "client_id").or_else(|| first(&query_pairs, "client_id"));
    if client_id.is_none_or(|id| id != shared.config.client_id) {
        return oauth_error("invalid_client", "invalid client_id parameter");
    }
    let secret_ok = first(&form, "client_secret")
        .is_some_and(|s| constant_time_eq(s.as_bytes(), shared.config.client_secret.as_bytes()));
    if !secret_ok {
        return oauth_error("invalid_client", "invalid client_secret parameter");
    }
    let token = shared.control.issue_token(shared.config.token_lifetime);
    let body = serde_json::json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": shared.config.token_lifetime.as_secs(),
    });
    json(StatusCode::OK, body.to_string())
}

/// Comparison whose time does not depend on where the inputs differ (habit for secrets).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ------------------------------------------------------------------ Status API

async fn status_api(
    shared: &Shared,
    req: Request<Incoming>,
    api: &'static str,
    path: &str,
    reset: Arc<AtomicBool>,
) -> Response<SimBody> {
    shared.control.record(recorded(api, &req, Vec::new()));
    let pairs = parse_pairs(req.uri().query().unwrap_or(""));
    if let Some(fault) = shared.control.take_fault(api, true) {
        let normal = || match render(shared, api, path, &pairs) {
            Ok(Some(body)) => Bytes::from(body),
            _ => Bytes::from_static(b"[]"),
        };
        if let Some(response) = fault_response(fault, normal, reset).await {
            return response;
        }
    }
    if req.method() != Method::GET {
        let mut response = empty(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    if is_registry_api(api) && !shared.control.registry_available() {
        return respond(
            StatusCode::SERVICE_UNAVAILABLE,
            Some("text/html"),
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
        );
    }
    let key_ok = req
        .headers()
        .get("x-api-key")
        .is_some_and(|v| v.as_bytes() == API_KEY.as_bytes())
        || first(&pairs, "api_key") == Some(API_KEY);
    if !key_ok {
        return json(StatusCode::FORBIDDEN, GATEWAY_403);
    }
    let token = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let check = token.map_or(TokenCheck::Invalid, |t| {
        shared.control.check_token(t, shared.config.rate_limit)
    });
    match check {
        TokenCheck::Valid => {}
        TokenCheck::Invalid => {
            let mut response = json(StatusCode::UNAUTHORIZED, GATEWAY_401);
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        TokenCheck::Throttled => {
            let mut response = json(StatusCode::TOO_MANY_REQUESTS, GATEWAY_429);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static(RATE_RETRY_AFTER));
            return response;
        }
    }
    match render(shared, api, path, &pairs) {
        Ok(Some(body)) => json(StatusCode::OK, body),
        Ok(None) => empty(StatusCode::NOT_FOUND),
        Err(error) => {
            tracing::error!(%error, "demo simulator: cannot render {api}");
            empty(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The body of a successful Status API response; `None` = 404 (unknown locale).
fn render(
    shared: &Shared,
    api: &str,
    path: &str,
    pairs: &[(String, String)],
) -> serde_json::Result<Option<Vec<u8>>> {
    let view = shared.control.view();
    let registry_filter = RegistryFilter {
        cloud_ids: list(pairs, "cloudId"),
        product_ids: list(pairs, "productId"),
        name: first(
            pairs,
            if api == "clouds" {
                "cloudName"
            } else {
                "productName"
            },
        )
        .map(str::to_owned),
    };
    let body = match api {
        "clouds" => wire::clouds(&view.registry, &registry_filter)?,
        "products" => wire::products(&view.registry, &registry_filter)?,
        "regions" => wire::regions()?,
        "eventTypes" => wire::event_types(),
        "locales" => wire::locales()?,
        "messages" => {
            let locale = path.strip_prefix("/api/v1/messages/");
            match wire::messages(&view, locale, first(pairs, "messageToken")) {
                Some(body) => body?,
                None => return Ok(None),
            }
        }
        _ => {
            let feed = match api {
                "incidents" => Feed::Incidents,
                "maintenance" => Feed::Maintenance,
                "scheduled" => Feed::Scheduled,
                _ => Feed::All,
            };
            let filter = EventFilter {
                product_ids: list(pairs, "productIds"),
                cloud_ids: list(pairs, "cloudIds"),
                region_ids: list(pairs, "regionIds"),
            };
            let mut incidents = Vec::new();
            let mut maintenances = Vec::new();
            let t = shared.clock.sim_now(shared.started.elapsed());
            for (replica, live) in shared.live.iter().enumerate() {
                let snapshot = live.at(&shared.clock, t);
                let (mut new_incidents, mut new_maintenances) =
                    (snapshot.incidents, snapshot.maintenances);
                if replica > 0 {
                    // Replicas reuse the same id scheme; keep ids unique across the feed.
                    new_incidents
                        .iter_mut()
                        .for_each(|i| i.id = format!("{}-{replica}", i.id));
                    new_maintenances
                        .iter_mut()
                        .for_each(|m| m.id = format!("{}-{replica}", m.id));
                }
                incidents.append(&mut new_incidents);
                maintenances.append(&mut new_maintenances);
            }
            incidents.extend(view.incidents);
            maintenances.extend(view.maintenances);
            // Newest first, like the status page.
            incidents.sort_by_key(|i| {
                std::cmp::Reverse(i.products.iter().map(|p| p.started_ms).min().unwrap_or(0))
            });
            wire::events(&view.registry, &incidents, &maintenances, feed, &filter)?
        }
    };
    Ok(Some(body))
}

// ------------------------------------------------------------------ control API

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default = "all_apis")]
    api: String,
    fault: String,
    code: Option<u16>,
    body: Option<String>,
    times: Option<u32>,
    seconds: Option<u64>,
    ms: Option<u64>,
    bytes: Option<usize>,
}

fn all_apis() -> String {
    "*".to_owned()
}

#[derive(Deserialize)]
struct MaintenanceRequest {
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default = "scheduled")]
    status: String,
    #[serde(default = "normal")]
    maintenance_type: String,
    #[serde(default)]
    title: String,
    /// Epoch seconds.
    start: u64,
    /// Epoch seconds.
    end: u64,
}

fn scheduled() -> String {
    "Scheduled".to_owned()
}

fn normal() -> String {
    "Normal".to_owned()
}

#[derive(Deserialize)]
struct ProductRequest {
    id: String,
    name: String,
    cloud_id: String,
    #[serde(default)]
    services: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct SeverityRequest {
    severity: String,
}

#[derive(Deserialize)]
struct StatusRequest {
    status: String,
}

#[derive(Deserialize)]
struct AvailabilityRequest {
    available: bool,
}

fn bad_request(message: &str) -> Response<SimBody> {
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "error": message }).to_string(),
    )
}

fn parse_fault(req: &FaultRequest) -> Result<Fault, String> {
    let seconds = req.seconds.unwrap_or(30);
    Ok(match req.fault.as_str() {
        "status" => {
            let code = req.code.unwrap_or(500);
            if !(100..=999).contains(&code) {
                return Err(format!("invalid status code {code}"));
            }
            match &req.body {
                Some(body) => Fault::Status {
                    code,
                    body: body.clone(),
                },
                None => Fault::status(code),
            }
        }
        "retry_after_seconds" => Fault::TooManyRequests {
            retry_after: RetryAfter::Seconds(seconds),
        },
        "retry_after_date" => Fault::TooManyRequests {
            retry_after: RetryAfter::HttpDate(SystemTime::now() + Duration::from_secs(seconds)),
        },
        "retry_after_none" | "too_many_requests" => Fault::TooManyRequests {
            retry_after: RetryAfter::None,
        },
        "delay" => Fault::Delay(Duration::from_millis(req.ms.unwrap_or(20_000))),
        "truncated" => Fault::TruncatedJson,
        "malformed" => Fault::MalformedJson,
        "oversize" => Fault::Oversize {
            bytes: req.bytes.unwrap_or(64 * 1024 * 1024),
        },
        "reset" => Fault::ResetMidBody,
        "invalid_client" => Fault::InvalidClient,
        "unauthorized" => Fault::Unauthorized,
        other => return Err(format!("unknown fault {other:?}")),
    })
}

async fn control_api(shared: &Shared, req: Request<Incoming>, path: &str) -> Response<SimBody> {
    let method = req.method().clone();
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return bad_request("request body too large or unreadable"),
    };
    let control = &shared.control;
    let segments: Vec<&str> = path
        .trim_start_matches("/__sim")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
    }
    let ok = || json(StatusCode::OK, r#"{"ok":true}"#);
    let not_found = || json(StatusCode::NOT_FOUND, r#"{"error":"no such event"}"#);
    match (method, segments.as_slice()) {
        (Method::GET, ["stats"]) => {
            let body = serde_json::json!({
                "total": control.total_requests(),
                "requests": control.request_counts(),
                "tokens_issued": control.tokens_issued(),
                "sim_seconds": shared.clock.sim_now(shared.started.elapsed()),
            });
            json(StatusCode::OK, body.to_string())
        }
        (Method::GET, ["requests"]) => {
            let list: Vec<serde_json::Value> = control
                .requests()
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "api": r.api, "method": r.method, "path": r.path, "query": r.query,
                        "headers": r.headers, "form_fields": r.form_fields,
                    })
                })
                .collect();
            json(StatusCode::OK, serde_json::Value::from(list).to_string())
        }
        (Method::POST, ["faults"]) => {
            let request: FaultRequest = match parse(&body) {
                Ok(r) => r,
                Err(message) => return bad_request(&message),
            };
            match parse_fault(&request) {
                Ok(fault) => {
                    control.set_fault(&request.api, fault, request.times);
                    ok()
                }
                Err(message) => bad_request(&message),
            }
        }
        (Method::DELETE, ["faults"]) => {
            control.clear_faults();
            ok()
        }
        (Method::POST, ["revoke"]) => {
            control.revoke_tokens();
            ok()
        }
        (Method::POST, ["registry"]) => match parse::<AvailabilityRequest>(&body) {
            Ok(r) => {
                control.set_registry_available(r.available);
                ok()
            }
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["incidents"]) => match parse::<IncidentSpec>(&body) {
            Ok(spec) => {
                let id = control.open_incident(spec);
                json(StatusCode::OK, serde_json::json!({ "id": id }).to_string())
            }
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["incidents", id, "close"]) => {
            if control.close_incident(id) {
                ok()
            } else {
                not_found()
            }
        }
        (Method::POST, ["incidents", id, "severity"]) => match parse::<SeverityRequest>(&body) {
            Ok(r) if control.set_incident_severity(id, &r.severity) => ok(),
            Ok(_) => not_found(),
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["maintenances"]) => match parse::<MaintenanceRequest>(&body) {
            Ok(r) => {
                let id = control.add_maintenance(MaintenanceSpec {
                    product_ids: r.product_ids,
                    status: r.status,
                    maintenance_type: r.maintenance_type,
                    title: r.title,
                    start: SystemTime::UNIX_EPOCH + Duration::from_secs(r.start),
                    end: SystemTime::UNIX_EPOCH + Duration::from_secs(r.end),
                });
                json(StatusCode::OK, serde_json::json!({ "id": id }).to_string())
            }
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["maintenances", id, "status"]) => match parse::<StatusRequest>(&body) {
            Ok(r) if control.set_maintenance_status(id, &r.status) => ok(),
            Ok(_) => not_found(),
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["products"]) => match parse::<ProductRequest>(&body) {
            Ok(r) => {
                control.add_product(&r.id, &r.name, &r.cloud_id, r.services);
                ok()
            }
            Err(message) => bad_request(&message),
        },
        _ => json(
            StatusCode::NOT_FOUND,
            r#"{"error":"unknown control endpoint"}"#,
        ),
    }
}
