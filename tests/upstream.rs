//! The token cache, Status API client and refresh gate against a wiremock Adobe: request
//! counts (single flight, min-interval, one re-auth), 429/403/5xx handling, bad bodies, and
//! that the last good data survives every failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use adobe_status_exporter::app::build_refresher;
use adobe_status_exporter::config::{Command, Config};
use adobe_status_exporter::metrics::{encode, ExporterMetrics, Format};
use adobe_status_exporter::refresh::Refresher;
use adobe_status_exporter::upstream::Api;
use reqwest::Url;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "canary-s3cret-value";

const EVENTS: &str = r#"{"incidents":[{"id":"i1","products":[
    {"id":"503467","name":"Adobe Analytics","severity":"Major","status":"Opened"}]}],
  "maintenances":[]}"#;
const SCHEDULED: &str =
    r#"[{"id":"m1","status":"Scheduled","products":[{"id":"503470","name":"AEM"}]}]"#;

const REGISTRY_PATHS: [&str; 4] = [
    "/api/v1/clouds",
    "/api/v1/products",
    "/api/v1/regions",
    "/api/v1/messages/en",
];

struct Fixture {
    server: MockServer,
    refresher: Arc<Refresher>,
    metrics: Arc<ExporterMetrics>,
}

async fn fixture_with(extra: &[&str]) -> Fixture {
    let server = MockServer::start().await;
    let mut args = vec![
        "adobe_status_exporter".to_owned(),
        "--adobe.client-id".into(),
        "my-client".into(),
        "--adobe.ims-url".into(),
        format!("{}/ims/token/v3", server.uri()),
        "--adobe.status-url".into(),
        server.uri(),
        "--status.min-interval".into(),
        "1s".into(),
        "--status.timeout".into(),
        "3s".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let Ok(Command::Run(config)) = Config::parse_from(args, |name| {
        (name == "ADOBE_CLIENT_SECRET").then(|| SECRET.to_owned())
    }) else {
        panic!("bad test config")
    };
    let config: Config = *config;
    let metrics = Arc::new(ExporterMetrics::new());
    let refresher = build_refresher(
        &config,
        Url::parse(&format!("{}/ims/token/v3", server.uri())).unwrap(),
        Url::parse(&server.uri()).unwrap(),
        &metrics,
    )
    .unwrap();
    Fixture {
        server,
        refresher,
        metrics,
    }
}

async fn fixture() -> Fixture {
    fixture_with(&[]).await
}

fn token(expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(r#"{{"access_token":"tok-{expires_in}","token_type":"bearer","expires_in":{expires_in}}}"#),
        "application/json",
    )
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// Registry calls answer with empty lists unless a test mounts something else first.
async fn mount_registry(server: &MockServer) {
    for p in REGISTRY_PATHS {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(json("[]"))
            .mount(server)
            .await;
    }
}

async fn mount_token(server: &MockServer, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path("/ims/token/v3"))
        .respond_with(token(expires_in))
        .mount(server)
        .await;
}

async fn mount_events(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v1/events"))
        .respond_with(json(EVENTS))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/events/scheduled"))
        .respond_with(json(SCHEDULED))
        .mount(server)
        .await;
}

/// A working Adobe: registry, a 24 h token and both events calls; `events` (if given) answers
/// `/api/v1/events` instead of the good body.
async fn mount_adobe(server: &MockServer, events: Option<ResponseTemplate>) {
    mount_registry(server).await;
    mount_token(server, 86399).await;
    if let Some(template) = events {
        Mock::given(method("GET"))
            .and(path("/api/v1/events"))
            .respond_with(template)
            .mount(server)
            .await;
    }
    mount_events(server).await;
}

async fn requests_to(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

fn body(f: &Fixture) -> String {
    encode(&f.metrics, f.refresher.view(), Format::OpenMetrics1)
        .unwrap()
        .to_text()
}

async fn scrape(f: &Fixture) -> String {
    let view = f.refresher.scrape(Duration::from_secs(5)).await;
    encode(&f.metrics, view, Format::OpenMetrics1)
        .unwrap()
        .to_text()
}

/// Wait until the min-interval has passed so the next scrape refreshes.
async fn next_interval() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

#[tokio::test]
async fn fifty_concurrent_scrapes_cost_one_token_and_one_call_per_events_api() {
    let f = fixture().await;
    mount_adobe(&f.server, None).await;

    let scrapes = (0..50).map(|_| {
        let refresher = Arc::clone(&f.refresher);
        tokio::spawn(async move { refresher.scrape(Duration::from_secs(5)).await })
    });
    for view in futures_join(scrapes).await {
        assert!(view.up, "every waiting scrape sees the shared refresh");
        let body = encode(&f.metrics, view, Format::OpenMetrics1)
            .unwrap()
            .to_text();
        assert!(
            body.lines()
                .any(|l| l == r#"adobe_status_product_worst_severity{product_id="503467"} 4"#),
            "{body}"
        );
    }
    // Further scrapes inside the min-interval are served from cache.
    for _ in 0..20 {
        scrape(&f).await;
    }
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 1);
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 1);
    assert_eq!(requests_to(&f.server, "/api/v1/events/scheduled").await, 1);
    assert_eq!(requests_to(&f.server, "/api/v1/products").await, 1);

    // After the interval: one more call per events API, the token reused.
    next_interval().await;
    scrape(&f).await;
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 2);
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 1);
    assert_eq!(
        requests_to(&f.server, "/api/v1/products").await,
        1,
        "registry is hourly"
    );
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn requests_carry_bearer_api_key_header_and_query_and_the_secret_stays_in_the_body() {
    let f = fixture_with(&[
        "--adobe.product-id",
        "503467",
        "--adobe.product-id",
        "503470",
    ])
    .await;
    mount_registry(&f.server).await;
    Mock::given(method("POST"))
        .and(path("/ims/token/v3"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(format!("client_secret={SECRET}")))
        .and(body_string_contains("client_id=my-client"))
        .and(body_string_contains("scope=creative_cloud"))
        .respond_with(token(86399))
        .expect(1)
        .mount(&f.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/events"))
        .and(header("authorization", "Bearer tok-86399"))
        .and(header("x-api-key", "StatusAdobeIOClient"))
        .and(query_param("api_key", "StatusAdobeIOClient"))
        .respond_with(json(EVENTS))
        .expect(1)
        .mount(&f.server)
        .await;
    mount_events(&f.server).await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 1"), "{body}");

    let requests = f.server.received_requests().await.unwrap();
    for request in &requests {
        assert!(
            !request.url.as_str().contains(SECRET),
            "secret in URL {}",
            request.url
        );
        assert!(request
            .headers
            .get("user-agent")
            .is_some_and(|ua| ua.to_str().unwrap().starts_with("adobe_status_exporter/")));
        if request.url.path() == "/api/v1/events" {
            let ids: Vec<String> = request
                .url
                .query_pairs()
                .filter(|(k, _)| k == "productIds")
                .map(|(_, v)| v.into_owned())
                .collect();
            assert_eq!(ids, ["503467", "503470"], "repeated keys, as the spec says");
        }
    }
    assert!(!body.contains(SECRET));
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let f = fixture().await;
    mount_registry(&f.server).await;
    mount_token(&f.server, 2).await; // renewed after half its life
    mount_events(&f.server).await;
    scrape(&f).await;
    next_interval().await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 1"));
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 2);
    // Every Status API request carried a token IMS had issued.
    let requests = f.server.received_requests().await.unwrap();
    assert!(requests
        .iter()
        .filter(|r| r.url.path().starts_with("/api/"))
        .all(|r| r.headers.get("authorization").is_some()));
}

#[tokio::test]
async fn a_revoked_token_costs_exactly_one_reauth() {
    let f = fixture().await;
    // Mounted first, so it answers the first events call only; then the good body.
    Mock::given(method("GET"))
        .and(path("/api/v1/events"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"error_code":"401013","message":"Oauth token is not valid"}"#),
        )
        .up_to_n_times(1)
        .mount(&f.server)
        .await;
    mount_adobe(&f.server, None).await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 1"), "{body}");
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 2);
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 2);
    assert_eq!(f.metrics.request_count(Api::Events, "401"), 1);
}

#[tokio::test]
async fn persistent_401_fails_as_auth_after_one_retry() {
    let f = fixture().await;
    mount_adobe(&f.server, Some(ResponseTemplate::new(401))).await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 0"));
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="auth"} 1"#),
        "{body}"
    );
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 2);
}

#[tokio::test]
async fn a_persistent_401_on_parallel_calls_costs_one_reauth_per_refresh() {
    let f = fixture().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/events/scheduled"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&f.server)
        .await;
    mount_adobe(&f.server, Some(ResponseTemplate::new(401))).await;
    for _ in 0..3 {
        let body = scrape(&f).await;
        assert!(body.contains("adobe_status_up 0"), "{body}");
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 6);
    // The first token, then one re-auth per refresh that both retries share: the token kept
    // after the second 401 is the one the next refresh starts with (dropping it cost a second
    // IMS request per refresh).
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 4);
}

#[tokio::test]
async fn forbidden_is_reported_without_retrying() {
    let f = fixture().await;
    mount_adobe(
        &f.server,
        Some(
            ResponseTemplate::new(403)
                .set_body_string(r#"{"error_code":"403003","message":"Api Key is invalid"}"#),
        ),
    )
    .await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="auth"} 1"#),
        "{body}"
    );
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 1);
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 1);
}

async fn assert_429_blocks_until_retry_after(retry_after: String) {
    let f = fixture().await;
    mount_adobe(&f.server, None).await;
    assert!(scrape(&f).await.contains("adobe_status_up 1"));

    f.server.reset().await;
    mount_adobe(
        &f.server,
        Some(ResponseTemplate::new(429).insert_header("retry-after", retry_after.as_str())),
    )
    .await;
    next_interval().await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 0"), "{body}");
    assert!(
        body.contains("adobe_status_upstream_throttled_total 1"),
        "{body}"
    );
    assert!(
        body.contains(r#"adobe_status_product_worst_severity{product_id="503467"} 4"#),
        "last good data kept"
    );
    let before = f.server.received_requests().await.unwrap().len();

    // Inside Retry-After: refreshes fail as throttled without any request to Adobe.
    next_interval().await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="throttled"} 2"#),
        "{body}"
    );
    assert_eq!(f.server.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn retry_after_in_seconds_is_obeyed() {
    assert_429_blocks_until_retry_after("120".into()).await;
}

#[tokio::test]
async fn retry_after_as_http_date_is_obeyed() {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
    assert_429_blocks_until_retry_after(date).await;
}

#[tokio::test]
async fn failures_keep_the_last_good_data_and_recover() {
    let f = fixture_with(&["--status.max-response-size", "4KiB"]).await;
    mount_adobe(&f.server, None).await;
    assert!(scrape(&f).await.contains("adobe_status_up 1"));

    let faults: [(&str, ResponseTemplate); 5] = [
        ("http", ResponseTemplate::new(500)),
        (
            "http",
            ResponseTemplate::new(503).set_body_string("<html>busy</html>"),
        ),
        ("parse", json(r#"{"incidents":[{"id":"i1","produ"#)),
        ("parse", json("[1,2,3]")),
        (
            "parse",
            json(&format!(
                r#"{{"incidents":[],"pad":"{}"}}"#,
                "x".repeat(8192)
            )),
        ),
    ];
    for (i, (reason, fault)) in faults.into_iter().enumerate() {
        f.server.reset().await;
        mount_adobe(&f.server, Some(fault)).await;
        next_interval().await;
        let body = scrape(&f).await;
        assert!(body.contains("adobe_status_up 0"), "fault {i}: {body}");
        assert!(
            body.contains(r#"adobe_status_product_worst_severity{product_id="503467"} 4"#),
            "fault {i} lost the last good data"
        );
        assert!(
            body.lines().any(|l| l.starts_with(&format!(
                r#"adobe_status_refresh_failures_total{{reason="{reason}"}} "#
            )) && !l.ends_with(" 0")),
            "fault {i}: {body}"
        );
    }

    // Recovery is automatic once Adobe answers again.
    f.server.reset().await;
    mount_adobe(&f.server, None).await;
    next_interval().await;
    assert!(scrape(&f).await.contains("adobe_status_up 1"));
}

/// `/events` is parsed as it arrives; a body with a repeated key (valid JSON the streaming
/// parse cannot normalise) is read whole once more, and its last value wins.
#[tokio::test]
async fn an_events_body_with_a_repeated_key_is_read_whole_and_the_last_value_wins() {
    let f = fixture().await;
    let repeated = r#"{"incidents":[{"id":"i1","products":[
        {"id":"503467","name":"Adobe Analytics","severity":"Minor","severity":"Major","status":"Opened"}]}],
      "maintenances":[]}"#;
    mount_adobe(&f.server, Some(json(repeated))).await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 1"), "{body}");
    assert!(
        body.contains(r#"adobe_status_product_worst_severity{product_id="503467"} 4"#),
        "{body}"
    );
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 2);
    // A well-formed body costs one request.
    f.server.reset().await;
    mount_adobe(&f.server, None).await;
    next_interval().await;
    assert!(scrape(&f).await.contains("adobe_status_up 1"));
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 1);
}

#[tokio::test]
async fn a_hung_upstream_does_not_hold_the_scrape_and_the_refresh_lands_later() {
    let f = fixture().await;
    mount_adobe(
        &f.server,
        Some(json(EVENTS).set_delay(Duration::from_millis(1500))),
    )
    .await;
    // The scrape gives up waiting long before the upstream answers.
    let view = f.refresher.scrape(Duration::from_millis(100)).await;
    assert!(!view.up && view.snapshot.is_none());
    // The refresh kept running; its result is there for the next scrape.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let body = body(&f);
    assert!(body.contains("adobe_status_up 1"), "{body}");
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 1);
}

#[tokio::test]
async fn an_upstream_slower_than_the_request_timeout_fails_as_timeout() {
    let f = fixture_with(&["--status.timeout", "1s"]).await;
    mount_adobe(
        &f.server,
        Some(json(EVENTS).set_delay(Duration::from_secs(5))),
    )
    .await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="timeout"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(r#"adobe_status_upstream_requests_total{api="events",code="error"} 1"#),
        "{body}"
    );
}

#[tokio::test]
async fn invalid_client_is_clear_and_backs_off() {
    let f = fixture().await;
    mount_registry(&f.server).await;
    Mock::given(method("POST"))
        .and(path("/ims/token/v3"))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"error":"invalid_client","error_description":"invalid client_id parameter"}"#,
        ))
        .mount(&f.server)
        .await;
    mount_events(&f.server).await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="auth"} 1"#),
        "{body}"
    );
    assert!(body.contains(r#"adobe_status_upstream_requests_total{api="token",code="400"} 1"#));
    // The next refresh is inside the IMS back-off: no new token request, still auth.
    next_interval().await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"adobe_status_refresh_failures_total{reason="auth"} 2"#),
        "{body}"
    );
    assert_eq!(requests_to(&f.server, "/ims/token/v3").await, 1);
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 0);
    assert!(!body.contains(SECRET));
}

#[tokio::test]
async fn registry_failure_keeps_events_flowing_under_event_names() {
    let f = fixture().await;
    for p in REGISTRY_PATHS {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(503))
            .mount(&f.server)
            .await;
    }
    mount_token(&f.server, 86399).await;
    mount_events(&f.server).await;
    let body = scrape(&f).await;
    assert!(body.contains("adobe_status_up 1"), "{body}");
    assert!(
        body.contains(r#"product_id="503467",product_name="Adobe Analytics""#),
        "{body}"
    );
    assert!(!body.contains("adobe_status_registry_last_success_timestamp_seconds "));
    // A failing registry call is not repeated on every refresh (retried after 5 minutes).
    next_interval().await;
    assert!(scrape(&f).await.contains("adobe_status_up 1"));
    assert_eq!(requests_to(&f.server, "/api/v1/events").await, 2);
    assert_eq!(requests_to(&f.server, "/api/v1/products").await, 1);
}

#[tokio::test]
async fn a_new_title_token_fetches_the_messages_again_at_once() {
    let f = fixture().await;
    let catalogue = |tokens: &[(&str, &str)]| {
        let messages: Vec<String> = tokens
            .iter()
            .map(|(t, text)| format!(r#""{t}":{{"token":"{t}","textMessage":"{text}"}}"#))
            .collect();
        json(&format!(
            r#"[{{"languageCode":"en","incidentMessages":{{{}}},"maintenanceMessages":{{}}}}]"#,
            messages.join(",")
        ))
    };
    // The catalogue cached at start-up predates the incident's title.
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/en"))
        .respond_with(catalogue(&[("t-old", "Old news")]))
        .up_to_n_times(1)
        .mount(&f.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/en"))
        .respond_with(catalogue(&[
            ("t-old", "Old news"),
            ("t-new", "Reports are delayed"),
        ]))
        .mount(&f.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/events"))
        .respond_with(json(
            r#"{"incidents":[{"id":"i1","products":[{"id":"503467","severity":"Major","status":"Opened",
                "history":[{"status":"Opened","titleToken":"t-new"}]}]}]}"#,
        ))
        .mount(&f.server)
        .await;
    mount_adobe(&f.server, None).await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"incident_severity="major",title="","#),
        "{body}"
    );
    // The next refresh sees a token the hourly catalogue lacks and fetches it right away.
    next_interval().await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"incident_severity="major",title="Reports are delayed","#),
        "{body}"
    );
    assert_eq!(requests_to(&f.server, "/api/v1/messages/en").await, 2);
    // Known now: later refreshes do not fetch the messages again.
    next_interval().await;
    scrape(&f).await;
    assert_eq!(requests_to(&f.server, "/api/v1/messages/en").await, 2);
}

/// A messages body for one language with these incident titles.
fn catalogue_in(language: &str, titles: &[(&str, &str)]) -> ResponseTemplate {
    let messages: Vec<String> = titles
        .iter()
        .map(|(t, text)| format!(r#""{t}":{{"token":"{t}","textMessage":"{text}"}}"#))
        .collect();
    json(&format!(
        r#"[{{"languageCode":"{language}","incidentMessages":{{{}}},"maintenanceMessages":{{}}}}]"#,
        messages.join(",")
    ))
}

/// `/locales` naming English `en-US` and French `fr-FR`, and one incident per title token.
async fn mount_locales_and_titled_incidents(server: &MockServer, tokens: &[&str]) {
    Mock::given(method("GET"))
        .and(path("/api/v1/locales"))
        .respond_with(json(
            r#"[{"localeCode":"en-US","languageName":"English"},{"localeCode":"fr-FR","languageName":"Français"}]"#,
        ))
        .mount(server)
        .await;
    let incidents: Vec<String> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            format!(
                r#"{{"id":"i{i}","products":[{{"id":"503462","severity":"Minor","status":"Opened","history":[{{"status":"Opened","titleToken":"{token}"}}]}}]}}"#
            )
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/v1/events"))
        .respond_with(json(&format!(
            r#"{{"incidents":[{}]}}"#,
            incidents.join(",")
        )))
        .mount(server)
        .await;
}

#[tokio::test]
async fn english_titles_come_from_the_code_adobe_lists_for_english() {
    let f = fixture().await;
    mount_locales_and_titled_incidents(&f.server, &["t1"]).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/en-US"))
        .respond_with(catalogue_in("en-US", &[("t1", "Reports are delayed")]))
        .mount(&f.server)
        .await;
    mount_adobe(&f.server, None).await;
    let body = scrape(&f).await;
    assert!(body.contains(r#"title="Reports are delayed","#), "{body}");
    assert_eq!(requests_to(&f.server, "/api/v1/messages/en-US").await, 1);
    assert_eq!(requests_to(&f.server, "/api/v1/messages/en").await, 0);
}

#[tokio::test]
async fn a_chosen_locale_falls_back_to_english_per_message() {
    let f = fixture_with(&["--adobe.locale", "fr"]).await;
    mount_locales_and_titled_incidents(&f.server, &["t1", "t2"]).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/fr-FR"))
        .respond_with(catalogue_in(
            "fr-FR",
            &[("t1", "Les rapports sont retardés")],
        ))
        .mount(&f.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/messages/en-US"))
        .respond_with(catalogue_in(
            "en-US",
            &[("t1", "Reports are delayed"), ("t2", "Exports fail")],
        ))
        .mount(&f.server)
        .await;
    mount_adobe(&f.server, None).await;
    let body = scrape(&f).await;
    assert!(
        body.contains(r#"incident_id="i0",product_id="503462",incident_severity="minor",title="Les rapports sont retardés","#),
        "{body}"
    );
    assert!(
        body.contains(r#"incident_id="i1",product_id="503462",incident_severity="minor",title="Exports fail","#),
        "{body}"
    );
}
