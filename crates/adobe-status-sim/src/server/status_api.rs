//! The Status API endpoints: API key, bearer token and rate limit checks, then the rendered
//! registry or events body.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};

use super::respond::{empty, fault_response, json, respond};
use super::{is_registry_api, recorded, Shared};
use crate::body::SimBody;
use crate::control::TokenCheck;
use crate::faults::{GATEWAY_401, GATEWAY_403, GATEWAY_429};
use crate::form::{first, list, parse_pairs};
use crate::wire::{self, EventFilter, Feed, RegistryFilter};

/// The fixed Status API key every customer uses.
const API_KEY: &str = "StatusAdobeIOClient";
/// The rate limit's `Retry-After`, matching its 5-second window.
const RATE_RETRY_AFTER: &str = "5";

pub(super) async fn status_api(
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
        "locales" => wire::locales(&view.english_locale)?,
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
