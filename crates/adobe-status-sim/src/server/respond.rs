//! Response builders shared by the endpoints, and the response each injected fault produces.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};

use crate::body::SimBody;
use crate::faults::{Fault, RetryAfter, GATEWAY_401, GATEWAY_429};

const JSON: &str = "application/json;charset=UTF-8";

pub(super) fn respond(
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

pub(super) fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<SimBody> {
    respond(status, Some(JSON), body)
}

pub(super) fn empty(status: StatusCode) -> Response<SimBody> {
    respond(status, None, Bytes::new())
}

pub(super) fn oauth_error(error: &str, description: &str) -> Response<SimBody> {
    let body = serde_json::json!({ "error": error, "error_description": description });
    json(StatusCode::BAD_REQUEST, body.to_string())
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The response a fault produces; `None` for [`Fault::Delay`], after which the request goes
/// on normally. `normal` renders the body the request would have had, for the faults that
/// corrupt it.
pub(super) async fn fault_response(
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
