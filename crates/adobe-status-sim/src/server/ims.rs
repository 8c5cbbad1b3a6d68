//! The IMS token endpoint: OAuth client-credentials checks in the order IMS makes them.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

use super::respond::{fault_response, json, oauth_error};
use super::{recorded, Shared, MAX_REQUEST_BODY};
use crate::body::SimBody;
use crate::form::{first, parse_pairs};
use crate::SimulatorConfig;

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

pub(super) async fn ims(
    shared: &Shared,
    req: Request<Incoming>,
    reset: Arc<AtomicBool>,
) -> Response<SimBody> {
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
    let secret_ok =
        first(&form, "client_secret").is_some_and(|s| shared.control.client_secret_ok(s));
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
