//! The HTTP control API under `/__sim/` (not part of Adobe's API, no auth): JSON requests
//! decoded and passed on to [`Control`](crate::Control).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use super::respond::json;
use super::{Shared, MAX_REQUEST_BODY};
use crate::body::SimBody;
use crate::control::{IncidentChange, IncidentSpec, MaintenanceSpec};
use crate::faults::{Fault, RetryAfter};

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

/// `{"at": epoch_seconds}` (optional; an empty body means now).
#[derive(Deserialize)]
struct AtRequest {
    at: Option<i64>,
}

#[derive(Deserialize)]
struct RootCauseRequest {
    url: String,
    /// Epoch seconds; default now.
    at: Option<i64>,
}

#[derive(Deserialize)]
struct LocalesRequest {
    english_code: String,
}

fn epoch(seconds: i64) -> SystemTime {
    match u64::try_from(seconds) {
        Ok(s) => SystemTime::UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => SystemTime::UNIX_EPOCH,
    }
}

/// `{"add": "..."}` and/or `{"delete": "..."}`: rotate the accepted client secrets.
#[derive(Deserialize)]
struct ClientSecretRequest {
    add: Option<String>,
    delete: Option<String>,
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

pub(super) async fn control_api(
    shared: &Shared,
    req: Request<Incoming>,
    path: &str,
) -> Response<SimBody> {
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
        (Method::POST, ["client-secrets"]) => match parse::<ClientSecretRequest>(&body) {
            Ok(r) => {
                if let Some(secret) = r.add {
                    control.add_client_secret(&secret);
                }
                if let Some(secret) = r.delete {
                    control.delete_client_secret(&secret);
                }
                ok()
            }
            Err(message) => bad_request(&message),
        },
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
            // No body, `null` and `{}` all mean now.
            let request = if body.iter().all(u8::is_ascii_whitespace) {
                Ok(None)
            } else {
                parse::<Option<AtRequest>>(&body)
            };
            match request {
                Ok(r) => {
                    let at = r.and_then(|r| r.at).map_or_else(SystemTime::now, epoch);
                    if control.close_incident_at(id, at) {
                        ok()
                    } else {
                        not_found()
                    }
                }
                Err(message) => bad_request(&message),
            }
        }
        (Method::POST, ["incidents", id, "update"]) => match parse::<IncidentChange>(&body) {
            Ok(change) => {
                if control.update_incident(id, change) {
                    ok()
                } else {
                    not_found()
                }
            }
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["incidents", id, "root-cause"]) => match parse::<RootCauseRequest>(&body) {
            Ok(r) if control.add_root_cause(id, &r.url, r.at.map(epoch)) => ok(),
            Ok(_) => not_found(),
            Err(message) => bad_request(&message),
        },
        (Method::POST, ["locales"]) => match parse::<LocalesRequest>(&body) {
            Ok(r) if !r.english_code.trim().is_empty() => {
                control.set_english_locale(r.english_code.trim());
                ok()
            }
            Ok(_) => bad_request("english_code must not be empty"),
            Err(message) => bad_request(&message),
        },
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
