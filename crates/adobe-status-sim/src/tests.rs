//! End-to-end tests of the simulator over real HTTP (reqwest against a spawned server).

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde_json::Value;

use super::*;
use crate::messages::localized;
use crate::model::{date_digits, format_time, TimeForm};

const KEY: &str = "StatusAdobeIOClient";

async fn start(config: SimulatorConfig) -> SimulatorHandle {
    Simulator::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

fn empty_config() -> SimulatorConfig {
    SimulatorConfig {
        scenario: Scenario::Empty,
        ..SimulatorConfig::default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn token_request(h: &SimulatorHandle, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = client().post(h.ims_url()).form(form).send().await.unwrap();
    let status = resp.status();
    let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    (status, body)
}

async fn token(h: &SimulatorHandle) -> String {
    let (status, body) = token_request(
        h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
            ("scope", "openid,AdobeID,read_organizations"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn get_raw(h: &SimulatorHandle, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .get(format!("{}{path}", h.status_url()))
        .header("x-api-key", KEY)
        .header("accept", "application/json");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn get_json(h: &SimulatorHandle, path: &str, token: &str) -> Value {
    let resp = get_raw(h, path, Some(token)).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json;charset=UTF-8"
    );
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

// ------------------------------------------------------------------ IMS

#[tokio::test]
async fn token_endpoint_validates_credentials() {
    let h = start(empty_config()).await;
    let (status, body) = token_request(
        &h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = token_request(
        &h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "other"),
            ("client_secret", "demo-secret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = token_request(
        &h,
        &[
            ("grant_type", "password"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");

    // client_id in the query string, as Adobe's guide does it.
    let resp = client()
        .post(h.ims_url())
        .query(&[("client_id", "demo-client")])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_399);
    assert!(body["access_token"].as_str().unwrap().len() > 40);

    // The secret in a URL is refused.
    let resp = client()
        .post(h.ims_url())
        .query(&[("client_secret", "demo-secret")])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(h.control().request_count("token"), 5);
    assert_eq!(h.control().tokens_issued(), 1);
}

#[tokio::test]
async fn client_secrets_rotate_like_the_developer_console() {
    let h = start(empty_config()).await;
    let form = |secret: &'static str| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", secret),
            ("scope", "openid"),
        ]
    };
    let old = token(&h).await;
    assert_eq!(
        token_request(&h, &form("rotated")).await.0,
        StatusCode::BAD_REQUEST
    );
    // Add the new secret over HTTP: both work.
    let added = client()
        .post(format!(
            "{}/__sim/client-secrets",
            h.status_url().trim_end_matches('/')
        ))
        .body(r#"{"add":"rotated"}"#)
        .send()
        .await
        .unwrap();
    assert!(added.status().is_success());
    assert_eq!(token_request(&h, &form("rotated")).await.0, StatusCode::OK);
    assert_eq!(
        token_request(&h, &form("demo-secret")).await.0,
        StatusCode::OK
    );
    // Delete the old one: it stops working, and so do the tokens issued so far.
    h.control().delete_client_secret("demo-secret");
    let (status, body) = token_request(&h, &form("demo-secret")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&old)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(token_request(&h, &form("rotated")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn form_values_are_percent_decoded() {
    let h = start(SimulatorConfig {
        client_secret: "s3cr+t&=/é".into(),
        ..empty_config()
    })
    .await;
    let (status, _) = token_request(
        &h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "s3cr+t&=/é"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn requests_are_recorded_without_the_secret() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let _ = get_json(&h, "/api/v1/events?api_key=StatusAdobeIOClient", &t).await;
    let requests = h.control().requests();
    assert_eq!(requests.len(), 2);
    let tok = &requests[0];
    assert_eq!(tok.api, "token");
    assert_eq!(tok.method, "POST");
    assert!(tok.had_client_secret_in_body());
    assert_eq!(
        tok.form_fields,
        ["grant_type", "client_id", "client_secret", "scope"]
    );
    let ev = &requests[1];
    assert_eq!(ev.path, "/api/v1/events");
    assert_eq!(ev.query, "api_key=StatusAdobeIOClient");
    assert!(ev
        .headers
        .iter()
        .any(|(n, v)| n == "authorization" && v == &format!("Bearer {t}")));
    let dump = format!("{requests:?}");
    assert!(!dump.contains("demo-secret"));
    assert!(!format!("{:?}", SimulatorConfig::default()).contains("demo-secret"));
}

// ------------------------------------------------------------------ gateway checks

#[tokio::test]
async fn auth_api_key_and_revocation() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    // No API key at all.
    let resp = client()
        .get(format!("{}/api/v1/events", h.status_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("403003"));
    // API key in the query only.
    let resp = client()
        .get(format!("{}/api/v1/events", h.status_url()))
        .query(&[("api_key", KEY)])
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // No token, a foreign token.
    assert_eq!(
        get_raw(&h, "/api/v1/events", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let resp = get_raw(&h, "/api/v1/events", Some("forged")).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.text().await.unwrap().contains("401013"));
    // Revoked.
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::OK
    );
    h.control().revoke_tokens();
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let t2 = token(&h).await;
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t2)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let h = start(SimulatorConfig {
        token_lifetime: Duration::ZERO,
        ..empty_config()
    })
    .await;
    let t = token(&h).await;
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let h = start(SimulatorConfig {
        rate_limit: 3,
        ..empty_config()
    })
    .await;
    let t = token(&h).await;
    for _ in 0..3 {
        assert_eq!(
            get_raw(&h, "/api/v1/regions", Some(&t)).await.status(),
            StatusCode::OK
        );
    }
    let resp = get_raw(&h, "/api/v1/regions", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "5");
    // The limit is per token.
    let t2 = token(&h).await;
    assert_eq!(
        get_raw(&h, "/api/v1/regions", Some(&t2)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_paths_are_404_with_empty_body() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    for path in ["/api/v1/nope", "//api/v1/events", "/api/v1/events/", "/"] {
        let resp = get_raw(&h, path, Some(&t)).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(resp.bytes().await.unwrap().is_empty());
    }
    assert_eq!(h.control().request_count("unknown"), 4);
    assert_eq!(h.control().total_requests(), 5);
}

// ------------------------------------------------------------------ faults

#[tokio::test]
async fn counted_fault_fires_exactly_once() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    h.control().set_fault("events", Fault::status(500), Some(1));
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::OK
    );
    // Wildcard: every Status API endpoint, not the token endpoint.
    h.control().set_fault("*", Fault::status(503), None);
    assert_eq!(
        get_raw(&h, "/api/v1/products", Some(&t)).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let _ = token(&h).await;
    h.control().clear_faults();
    assert_eq!(
        get_raw(&h, "/api/v1/products", Some(&t)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn throttling_faults_carry_both_retry_after_forms() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    h.control().set_fault(
        "events",
        Fault::TooManyRequests {
            retry_after: RetryAfter::Seconds(30),
        },
        Some(1),
    );
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "30");
    let when = SystemTime::now() + Duration::from_secs(60);
    h.control().set_fault(
        "events",
        Fault::TooManyRequests {
            retry_after: RetryAfter::HttpDate(when),
        },
        Some(1),
    );
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    let date = resp.headers()["retry-after"].to_str().unwrap().to_owned();
    assert!(date.ends_with(" GMT"), "{date}");
    assert!(httpdate::parse_http_date(&date).is_ok());
    h.control().set_fault(
        "events",
        Fault::TooManyRequests {
            retry_after: RetryAfter::None,
        },
        Some(1),
    );
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_none());
}

#[tokio::test]
async fn body_corrupting_faults() {
    let h = start(SimulatorConfig::default()).await;
    let t = token(&h).await;
    let c = h.control();

    c.set_fault("events", Fault::TruncatedJson, Some(1));
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"{\"incidents\":["));
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());

    c.set_fault("events", Fault::MalformedJson, Some(1));
    let bytes = get_raw(&h, "/api/v1/events", Some(&t))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());

    c.set_fault("events", Fault::Oversize { bytes: 3_000_000 }, Some(1));
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    assert_eq!(resp.headers()["content-length"], "3000000");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), 3_000_000);
    assert!(serde_json::from_slice::<Value>(&bytes).is_ok());

    c.set_fault("events", Fault::ResetMidBody, Some(1));
    let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.is_err());

    c.set_fault("events", Fault::Unauthorized, Some(1));
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    c.set_fault("events", Fault::Delay(Duration::from_millis(200)), Some(1));
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::OK
    );

    c.set_fault("token", Fault::InvalidClient, Some(1));
    let (status, body) = token_request(
        &h,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    // The server survives all of it.
    let _ = get_json(&h, "/api/v1/events", &t).await;
}

#[tokio::test]
async fn registry_can_be_made_unavailable() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    h.control().set_registry_available(false);
    assert_eq!(
        get_raw(&h, "/api/v1/products", Some(&t)).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::OK
    );
    h.control().set_registry_available(true);
    assert_eq!(
        get_raw(&h, "/api/v1/products", Some(&t)).await.status(),
        StatusCode::OK
    );
}

// ------------------------------------------------------------------ wire format

fn assert_str(v: &Value, field: &str) {
    assert!(v[field].is_string(), "{field} not a string in {v}");
}

fn assert_str_array(v: &Value, field: &str) {
    let arr = v[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} not an array in {v}"));
    assert!(arr.iter().all(Value::is_string), "{field} has non-strings");
}

fn check_event_lists(e: &Value) {
    for c in e["clouds"].as_array().unwrap() {
        assert_str(c, "id");
        assert_str(c, "name");
        assert_str_array(c, "cloudProducts");
    }
    for s in e["services"].as_array().unwrap() {
        assert_str(s, "id");
        assert_str(s, "name");
        assert_str_array(s, "serviceEnvironments");
    }
    for o in e["offering"].as_array().unwrap() {
        assert_str(o, "id");
        assert_str_array(o, "productServices");
    }
    for r in e["region"].as_array().unwrap() {
        assert!(["APAC", "Americas", "EMEA"].contains(&r["id"].as_str().unwrap()));
        assert_str(r, "name");
    }
    for env in e["environment"].as_array().unwrap() {
        assert_str(env, "id");
        assert_str_array(env, "serviceRegions");
    }
}

fn check_impacts(h: &Value) {
    assert_str_array(&h["serviceImpact"], "productServices");
    assert_str_array(&h["serviceImpact"], "productOfferings");
    assert_str_array(&h["serviceImpact"], "productCapabilities");
    assert_str_array(&h["locationImpact"], "serviceRegions");
    assert_str_array(&h["locationImpact"], "serviceEnvironments");
    assert!(h["showEnvironment"].is_boolean());
}

fn check_incident(i: &Value) {
    assert_str(i, "id");
    assert!(i.get("severity").is_none() && i.get("status").is_none());
    check_event_lists(i);
    for p in i["products"].as_array().unwrap() {
        for f in ["id", "name", "severity", "status", "startedOn", "endedOn"] {
            assert_str(p, f);
        }
        assert!(["Opened", "Closed"].contains(&p["status"].as_str().unwrap()));
        assert_eq!(p["status"] == "Closed", p["endedOn"] != "");
        let history = p["history"].as_array().unwrap();
        assert!(!history.is_empty());
        for h in history {
            for f in [
                "id",
                "status",
                "severity",
                "customerImpact",
                "operationsImpact",
                "messageType",
                "messageTime",
                "messageToken",
                "titleToken",
                "cfsId",
                "cfsSource",
                "cfsURL",
            ] {
                assert_str(h, f);
            }
            assert!(["Discovery", "Opened", "Closed", "Dismissed"]
                .contains(&h["status"].as_str().unwrap()));
            check_impacts(h);
        }
    }
}

fn check_maintenance(m: &Value) {
    for f in [
        "id",
        "status",
        "maintenanceType",
        "scheduledDate",
        "startedOn",
        "completedOn",
    ] {
        assert_str(m, f);
    }
    assert_str_array(m, "reminderDate");
    check_event_lists(m);
    for p in m["products"].as_array().unwrap() {
        assert_str(p, "id");
        assert_str(p, "name");
        for h in p["history"].as_array().unwrap() {
            assert!(
                h["messageTime"].is_i64(),
                "maintenance messageTime must be an integer"
            );
            assert!(
                ["Scheduled", "Started", "Completed", "Cancelled", "Updated"]
                    .contains(&h["status"].as_str().unwrap())
            );
            assert_str(h, "titleToken");
            check_impacts(h);
        }
    }
}

#[tokio::test]
async fn live_events_have_the_documented_shape() {
    let h = start(SimulatorConfig::default()).await;
    let t = token(&h).await;
    let events = get_json(&h, "/api/v1/events", &t).await;
    assert!(events.is_object());
    let incidents = events["incidents"].as_array().unwrap();
    let maintenances = events["maintenances"].as_array().unwrap();
    incidents.iter().for_each(check_incident);
    maintenances.iter().for_each(check_maintenance);
    // Ongoing Major at start, closed history present.
    let products = || {
        incidents
            .iter()
            .flat_map(|i| i["products"].as_array().unwrap())
    };
    assert!(products().any(|p| p["status"] == "Opened" && p["severity"] == "Major"));
    assert!(products().any(|p| p["status"] == "Closed"));
    assert!(maintenances.iter().any(|m| m["status"] == "Started"));
    assert!(maintenances.iter().all(|m| m["status"] != "Scheduled"));
    // Timestamp forms: RFC 3339 with milliseconds is the common one.
    assert!(products().any(|p| p["startedOn"].as_str().unwrap().ends_with(".000Z")));

    let incident_list = get_json(&h, "/api/v1/events/incidents", &t).await;
    assert_eq!(incident_list.as_array().unwrap().len(), incidents.len());
    let ongoing = get_json(&h, "/api/v1/events/maintenance", &t).await;
    assert!(ongoing
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["status"] == "Started"));
    let scheduled = get_json(&h, "/api/v1/events/scheduled", &t).await;
    let scheduled = scheduled.as_array().unwrap();
    scheduled.iter().for_each(check_maintenance);
    assert!(
        scheduled
            .iter()
            .filter(|m| m["status"] == "Scheduled")
            .count()
            >= 3
    );
    // The started maintenance is still listed as scheduled at start: clients must de-duplicate.
    let event_ids: HashSet<&str> = maintenances
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(scheduled
        .iter()
        .any(|m| m["status"] == "Started" && event_ids.contains(m["id"].as_str().unwrap())));

    // Every token resolves through /messages.
    let messages = get_json(&h, "/api/v1/messages/en", &t).await;
    let en = &messages[0];
    let mut tokens = Vec::new();
    for i in incidents {
        for p in i["products"].as_array().unwrap() {
            for hist in p["history"].as_array().unwrap() {
                tokens.push(("incidentMessages", hist["titleToken"].clone()));
                tokens.push(("incidentMessages", hist["messageToken"].clone()));
            }
        }
    }
    for m in maintenances.iter().chain(scheduled) {
        for p in m["products"].as_array().unwrap() {
            for hist in p["history"].as_array().unwrap() {
                tokens.push(("maintenanceMessages", hist["titleToken"].clone()));
                tokens.push(("maintenanceMessages", hist["messageToken"].clone()));
            }
        }
    }
    for (map, tok) in tokens {
        let tok = tok.as_str().unwrap();
        let msg = &en[map][tok];
        assert_eq!(msg["token"], tok);
        assert_str(msg, "textMessage");
        assert_str(msg, "htmlMessage");
    }
}

#[tokio::test]
async fn event_filters_accept_both_array_encodings() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let c = h.control();
    for pid in ["503467", "503470", "503491"] {
        c.open_incident(IncidentSpec {
            product_ids: vec![pid.into()],
            severity: "Minor".into(),
            title: format!("t{pid}"),
            ..IncidentSpec::default()
        });
    }
    let count = |v: &Value| v.as_array().unwrap().len();
    let all = get_json(&h, "/api/v1/events/incidents", &t).await;
    assert_eq!(count(&all), 3);
    let repeated = get_json(
        &h,
        "/api/v1/events/incidents?productIds=503467&productIds=503491",
        &t,
    )
    .await;
    assert_eq!(count(&repeated), 2);
    let joined = get_json(&h, "/api/v1/events/incidents?productIds=503467,503470", &t).await;
    assert_eq!(count(&joined), 2);
    let events = get_json(&h, "/api/v1/events?productIds=503470", &t).await;
    assert_eq!(count(&events["incidents"]), 1);
    let products = get_json(&h, "/api/v1/products?productId=503467", &t).await;
    assert_eq!(count(&products), 1);
    let products = get_json(&h, "/api/v1/products?cloudId=503457", &t).await;
    assert!(products.as_array().unwrap().iter().all(|p| p["name"]
        .as_str()
        .unwrap()
        .contains("Acrobat")
        || p["name"].as_str().unwrap().contains("PDF")));
    let clouds = get_json(&h, "/api/v1/clouds?cloudId=503461", &t).await;
    assert_eq!(count(&clouds), 1);
}

#[tokio::test]
async fn registry_endpoints_match_the_postman_expectations() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let clouds = get_json(&h, "/api/v1/clouds", &t).await;
    let clouds = clouds.as_array().unwrap();
    assert_eq!(clouds.len(), 5);
    for c in clouds {
        for p in c["cloudProducts"].as_array().unwrap() {
            assert!(p.is_object());
            assert_str(p, "id");
            assert_str(p, "name");
        }
    }
    let products = get_json(&h, "/api/v1/products", &t).await;
    let products = products.as_array().unwrap();
    assert!(products.len() >= 60);
    for p in products {
        let id = p["id"].as_str().unwrap();
        let bare = ["503496", "503507", "503509"].contains(&id);
        for key in ["productServices", "environments", "regions"] {
            assert_eq!(p.get(key).is_none(), bare, "{id} {key}");
        }
        assert!(p["productOfferings"].is_array());
        if !bare {
            for e in p["environments"].as_array().unwrap() {
                assert_str_array(e, "regionId");
            }
            for s in p["productServices"].as_array().unwrap() {
                assert_str_array(s, "serviceEnvironments");
            }
        }
    }
    let regions = get_json(&h, "/api/v1/regions", &t).await;
    let ids: Vec<&str> = regions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["APAC", "Americas", "EMEA"]);
    let resp = get_raw(&h, "/api/v1/eventTypes", Some(&t)).await;
    assert_eq!(
        resp.text().await.unwrap(),
        r#"{"1":"MAJOR","2":"MINOR","4":"MAINTENANCE"}"#
    );
    let locales = get_json(&h, "/api/v1/locales", &t).await;
    assert_eq!(locales.as_array().unwrap().len(), 19);
    let messages = get_json(&h, "/api/v1/messages", &t).await;
    assert_eq!(messages.as_array().unwrap().len(), 19);
    let es = get_json(&h, "/api/v1/messages/es", &t).await;
    assert_eq!(es.as_array().unwrap().len(), 1);
    assert_eq!(es[0]["languageCode"], "es");
    let filtered = get_json(&h, "/api/v1/messages/en?messageToken=message.CM0001001", &t).await;
    assert_eq!(
        filtered[0]["maintenanceMessages"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        filtered[0]["incidentMessages"].as_object().unwrap().len(),
        0
    );
    assert_eq!(
        get_raw(&h, "/api/v1/messages/xx", Some(&t)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.control().request_count("messages"), 4);
}

#[tokio::test]
async fn control_events_and_products_round_trip() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let c = h.control();
    let weird = "Prod \"quoted\" \\ back\nslash – ü 日本";
    c.add_product(
        "999001",
        weird,
        "503461",
        vec![("999101".into(), "Svc \"x\"".into())],
    );
    let id = c.open_incident(IncidentSpec {
        product_ids: vec!["999001".into(), "503467".into()],
        severity: "Catastrophic".into(),
        title: "Everything is on fire".into(),
        regions: vec!["EMEA".into()],
        service_ids: vec!["999101".into()],
        ..IncidentSpec::default()
    });
    let events = get_json(&h, "/api/v1/events", &t).await;
    let inc = &events["incidents"][0];
    check_incident(inc);
    assert_eq!(inc["id"], id.as_str());
    assert_eq!(inc["products"][0]["name"], weird);
    assert_eq!(inc["products"][0]["severity"], "Catastrophic");
    assert_eq!(inc["products"][0]["endedOn"], "");
    assert_eq!(inc["services"][0]["name"], "Svc \"x\"");
    assert_eq!(inc["region"][0]["id"], "EMEA");
    let ec = inc["clouds"].as_array().unwrap();
    assert_eq!(ec.len(), 1);
    assert_eq!(
        ec[0]["cloudProducts"],
        serde_json::json!(["999001", "503467"])
    );
    let title_token = inc["products"][0]["history"][0]["titleToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let msgs = get_json(&h, "/api/v1/messages/en", &t).await;
    assert_eq!(
        msgs[0]["incidentMessages"][&title_token]["textMessage"],
        "Everything is on fire"
    );
    // No German title was given: German lacks the token, a client falls back to English.
    let msgs = get_json(&h, "/api/v1/messages/de", &t).await;
    assert!(msgs[0]["incidentMessages"].get(&title_token).is_none());

    assert!(c.set_incident_severity(&id, "Major"));
    assert!(c.close_incident(&id));
    let events = get_json(&h, "/api/v1/events", &t).await;
    let p = &events["incidents"][0]["products"][0];
    assert_eq!(p["status"], "Closed");
    assert_ne!(p["endedOn"], "");
    assert_eq!(p["severity"], "Major");
    assert_eq!(p["history"].as_array().unwrap().len(), 3);

    let start_at = SystemTime::now() + Duration::from_secs(3600);
    let mid = c.add_maintenance(MaintenanceSpec {
        product_ids: vec!["503467".into()],
        status: "Scheduled".into(),
        maintenance_type: "Urgent".into(),
        title: "DB upgrade {startDateTime}".into(),
        start: start_at,
        end: start_at + Duration::from_secs(1800),
    });
    let scheduled = get_json(&h, "/api/v1/events/scheduled", &t).await;
    assert_eq!(scheduled[0]["id"], mid.as_str());
    assert_eq!(scheduled[0]["startedOn"], "");
    assert_eq!(
        get_json(&h, "/api/v1/events/maintenance", &t).await,
        serde_json::json!([])
    );
    assert!(c.set_maintenance_status(&mid, "Started"));
    let ongoing = get_json(&h, "/api/v1/events/maintenance", &t).await;
    assert_eq!(ongoing[0]["status"], "Started");
    assert_ne!(ongoing[0]["startedOn"], "");
    assert_eq!(
        get_json(&h, "/api/v1/events/scheduled", &t).await,
        serde_json::json!([])
    );
    let products = get_json(&h, "/api/v1/products?productId=999001", &t).await;
    assert_eq!(products[0]["name"], weird);
    let clouds = get_json(&h, "/api/v1/clouds?cloudId=503461", &t).await;
    assert!(clouds[0]["cloudProducts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "999001"));
}

#[tokio::test]
async fn http_control_api() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let base = h.status_url();
    let post = |path: &str, body: Value| {
        client()
            .post(format!("{base}/__sim/{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let resp = post(
        "faults",
        serde_json::json!({"api":"events","fault":"status","code":502,"times":2}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    for _ in 0..2 {
        let resp = get_raw(&h, "/api/v1/events", Some(&t)).await;
        assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
        assert!(resp.text().await.unwrap().contains("502"));
    }
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::OK
    );
    let resp = post("faults", serde_json::json!({"fault":"nonsense"}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    post(
        "faults",
        serde_json::json!({"api":"scheduled","fault":"retry_after_date","seconds":30}),
    )
    .await
    .unwrap();
    let resp = get_raw(&h, "/api/v1/events/scheduled", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .ends_with("GMT"));
    let resp = client()
        .delete(format!("{base}/__sim/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let resp = post(
        "incidents",
        serde_json::json!({"product_ids":["503467"],"severity":"Major","title":"Down"}),
    )
    .await
    .unwrap();
    let id = serde_json::from_slice::<Value>(&resp.bytes().await.unwrap()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        &format!("incidents/{id}/severity"),
        serde_json::json!({"severity":"Minor"}),
    )
    .await
    .unwrap();
    let inc = get_json(&h, "/api/v1/events/incidents", &t).await;
    assert_eq!(inc[0]["products"][0]["severity"], "Minor");
    let resp = post(&format!("incidents/{id}/close"), Value::Null)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = post("incidents/123/close", Value::Null).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let resp = post(
        "maintenances",
        serde_json::json!({"product_ids":["503470"],"status":"Started","maintenance_type":"Normal",
            "title":"Patch","start":now - 60,"end":now + 3600}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ongoing = get_json(&h, "/api/v1/events/maintenance", &t).await;
    assert_eq!(ongoing.as_array().unwrap().len(), 1);

    post("revoke", Value::Null).await.unwrap();
    assert_eq!(
        get_raw(&h, "/api/v1/events", Some(&t)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let stats: Value = serde_json::from_slice(
        &client()
            .get(format!("{base}/__sim/stats"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stats["requests"]["token"], 1);
    assert_eq!(stats["requests"]["events"], 4);
    assert_eq!(stats["total"], h.control().total_requests());
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let h = start(empty_config()).await;
    let _ = token(&h).await;
    h.shutdown();
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(h.addr()).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused);
}

async fn post_control(h: &SimulatorHandle, path: &str, body: Value) -> (StatusCode, Value) {
    let resp = client()
        .post(format!("{}/__sim/{path}", h.status_url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn product_history<'a>(events: &'a Value, id: &str, product: &str) -> &'a Vec<Value> {
    events["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .and_then(|i| {
            i["products"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == product)
        })
        .map(|p| p["history"].as_array().unwrap())
        .unwrap()
}

#[tokio::test]
async fn control_incidents_take_impacts_environments_start_and_titles() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let aem = h
        .control()
        .view()
        .registry
        .product("503470")
        .unwrap()
        .clone();
    let env = &aem.environments()[0];
    let started = 1_790_000_000;
    let (status, body) = post_control(
        &h,
        "incidents",
        serde_json::json!({
            "product_ids": ["503470"], "severity": "Minor", "title": "Publishing is slow",
            "titles": {"fr": "La publication est lente"}, "environments": [env.id],
            "customer_impact": "Most", "operations_impact": "Availability", "started": started,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let id = body["id"].as_str().unwrap().to_owned();
    let events = get_json(&h, "/api/v1/events", &t).await;
    let incident = &events["incidents"][0];
    let first = &product_history(&events, &id, "503470")[0];
    assert_eq!(first["customerImpact"], "Most");
    assert_eq!(first["operationsImpact"], "Availability");
    assert_eq!(first["severity"], "Minor");
    assert_eq!(first["showEnvironment"], true);
    assert_eq!(
        first["locationImpact"]["serviceEnvironments"],
        serde_json::json!([env.id])
    );
    // No regions given: the environment's regions.
    assert_eq!(
        first["locationImpact"]["serviceRegions"],
        serde_json::json!(env.region_ids)
    );
    assert_eq!(incident["environment"][0]["id"], env.id.as_str());
    assert_eq!(
        incident["environment"][0]["serviceRegions"],
        serde_json::json!(env.region_ids)
    );
    assert_eq!(
        incident["products"][0]["startedOn"],
        format_time(started * 1000, TimeForm::Rfc3339Millis)
    );
    assert!(id.starts_with(&date_digits(started * 1000)));
    // Titles: English and French; German lacks the token (English fallback is the client's).
    let token = first["titleToken"].as_str().unwrap().to_owned();
    let text = |msgs: &Value| msgs[0]["incidentMessages"][&token]["textMessage"].clone();
    let en = get_json(&h, "/api/v1/messages/en", &t).await;
    let fr = get_json(&h, "/api/v1/messages/fr", &t).await;
    let de = get_json(&h, "/api/v1/messages/de", &t).await;
    assert_eq!(text(&en), "Publishing is slow");
    assert_eq!(text(&fr), "La publication est lente");
    assert!(de[0]["incidentMessages"].get(&token).is_none());
    assert_eq!(
        de[0]["incidentMessages"]["message.CI0002002"]["textMessage"],
        localized(&crate::messages::INCIDENT_BODIES[1], "de")
    );
    // Defaults: impacts from the severity, start now, no environment.
    let (_, body) = post_control(
        &h,
        "incidents",
        serde_json::json!({"product_ids": ["503467"], "severity": "Major", "regions": ["APAC"]}),
    )
    .await;
    let plain = body["id"].as_str().unwrap().to_owned();
    let events = get_json(&h, "/api/v1/events", &t).await;
    let first = &product_history(&events, &plain, "503467")[0];
    assert_eq!(
        (&first["customerImpact"], &first["operationsImpact"]),
        (&Value::from("Most"), &Value::from("Availability"))
    );
    assert_eq!(first["showEnvironment"], false);
    assert_eq!(
        first["locationImpact"]["serviceEnvironments"],
        serde_json::json!([])
    );
    let filtered = get_json(&h, "/api/v1/events?regionIds=EMEA", &t).await;
    assert!(filtered["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["id"] != plain.as_str()));
}

#[tokio::test]
async fn control_incidents_update_close_in_the_past_and_get_a_root_cause() {
    let h = start(empty_config()).await;
    let t = token(&h).await;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (_, body) = post_control(
        &h,
        "incidents",
        serde_json::json!({"product_ids": ["503491", "503476"], "severity": "Minor",
                           "started": now - 7200, "regions": ["EMEA"]}),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_owned();
    let (status, _) = post_control(
        &h,
        &format!("incidents/{id}/update"),
        serde_json::json!({"severity": "Major", "operations_impact": "Performance",
                           "regions": ["EMEA", "APAC"], "at": now - 3600}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_control(
        &h,
        &format!("incidents/{id}/update"),
        serde_json::json!({"customer_impact": "Some"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_control(&h, "incidents/404/update", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let closed_at = now - 1800;
    let (status, _) = post_control(
        &h,
        &format!("incidents/{id}/close"),
        serde_json::json!({"at": closed_at}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let url = "https://status.adobe.com/cfs/CFS0042042";
    let (status, _) = post_control(
        &h,
        &format!("incidents/{id}/root-cause"),
        serde_json::json!({"url": url}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post_control(
        &h,
        "incidents/404/root-cause",
        serde_json::json!({"url": url}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let events = get_json(&h, "/api/v1/events", &t).await;
    let incident = &events["incidents"][0];
    assert_eq!(incident["region"].as_array().unwrap().len(), 2);
    for product in ["503491", "503476"] {
        let history = product_history(&events, &id, product);
        let fields = |h: &Value| {
            (
                h["status"].as_str().unwrap().to_owned(),
                h["severity"].as_str().unwrap().to_owned(),
                h["customerImpact"].as_str().unwrap().to_owned(),
                h["operationsImpact"].as_str().unwrap().to_owned(),
                h["messageType"].as_str().unwrap().to_owned(),
            )
        };
        let got: Vec<_> = history.iter().map(fields).collect();
        let want = |s: &str, sev: &str, c: &str, o: &str, m: &str| {
            (
                s.to_owned(),
                sev.to_owned(),
                c.to_owned(),
                o.to_owned(),
                m.to_owned(),
            )
        };
        assert_eq!(
            got,
            [
                want("Opened", "Minor", "Some", "Performance", "Custom"),
                // A new severity resets the impacts to its own, then the override applies.
                want("Opened", "Major", "Most", "Performance", "Custom"),
                want("Opened", "Major", "Some", "Performance", "Custom"),
                want("Closed", "Major", "Some", "Performance", "Custom"),
                want("Closed", "Major", "Some", "Performance", "CFS"),
            ]
        );
        assert_eq!(
            history[1]["locationImpact"]["serviceRegions"],
            serde_json::json!(["EMEA", "APAC"])
        );
        assert_eq!(
            history[3]["messageTime"],
            format_time(closed_at * 1000, TimeForm::Rfc3339Millis)
        );
        let root_cause = &history[4];
        assert_eq!(root_cause["cfsURL"], url);
        assert_eq!(root_cause["cfsSource"], "ServiceNow");
        assert!(root_cause["cfsId"].as_str().unwrap().starts_with("CFS"));
        assert_eq!(root_cause["messageToken"], "message.CI0002007");
        assert!(history[..4].iter().all(|h| h["cfsURL"] == ""));
        let ids: HashSet<&str> = history.iter().map(|h| h["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), history.len());
    }
    let product = &incident["products"][0];
    assert_eq!(product["status"], "Closed");
    assert_eq!(
        product["endedOn"],
        format_time(closed_at * 1000, TimeForm::Rfc3339Millis),
        "the root cause does not move the end"
    );
    let msgs = get_json(&h, "/api/v1/messages/ja", &t).await;
    assert!(
        msgs[0]["incidentMessages"]["message.CI0002007"]["textMessage"]
            .as_str()
            .is_some_and(|s| !s.is_ascii())
    );
}

#[tokio::test]
async fn english_can_be_named_en_us() {
    let h = start(SimulatorConfig {
        english_locale: "en-US".into(),
        ..empty_config()
    })
    .await;
    let t = token(&h).await;
    let locales = get_json(&h, "/api/v1/locales", &t).await;
    assert_eq!(locales[0]["localeCode"], "en-US");
    assert_eq!(locales.as_array().unwrap().len(), 19);
    let en_us = get_json(&h, "/api/v1/messages/en-US", &t).await;
    assert_eq!(en_us[0]["languageCode"], "en-US");
    assert_eq!(
        en_us[0]["incidentMessages"]["message.CI0001002"]["textMessage"],
        "Degraded performance"
    );
    let resp = get_raw(&h, "/api/v1/messages/en", Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let all = get_json(&h, "/api/v1/messages", &t).await;
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["languageCode"] == "en-US"));
    // And back, at run time through the control API.
    let (status, _) = post_control(&h, "locales", serde_json::json!({"english_code": "en"})).await;
    assert_eq!(status, StatusCode::OK);
    let locales = get_json(&h, "/api/v1/locales", &t).await;
    assert_eq!(locales[0]["localeCode"], "en");
    assert_eq!(
        get_raw(&h, "/api/v1/messages/en-US", Some(&t))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = post_control(&h, "locales", serde_json::json!({"english_code": " "})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
