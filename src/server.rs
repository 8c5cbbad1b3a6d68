//! HTTP surface (README "HTTP endpoints") on hyper 1: `/` (the status page), the telemetry
//! path, `/-/healthy`, `/-/ready`; 404 and 405 for the rest; a header-read timeout and a small request buffer so idle or slow
//! clients cannot pin connections; graceful shutdown that lets in-flight scrapes finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, ACCEPT_ENCODING, ALLOW, AUTHORIZATION,
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, VARY,
    WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tracing::{debug, error, info, warn};

use crate::metrics::{self, ExporterMetrics, Format};
use crate::refresh::Refresher;
use crate::status_page::{self, Health, LastRefresh, Links, Page};
use crate::timestamp::unix_now;
use crate::web_config::{AuthOutcome, BasicAuth, RateLimiter};

/// Prometheus sends its scrape timeout in this header; we answer a little before it.
const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";
const SCRAPE_TIMEOUT_OFFSET: Duration = Duration::from_millis(500);
/// Wait bound for clients that send no scrape timeout (curl, probes): answer promptly; the
/// refresh goes on in the background for the next scrape.
const DEFAULT_SCRAPE_WAIT: Duration = Duration::from_secs(5);
/// Port scanners and slowloris clients get this long to send their headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Requests are tiny; hyper's minimum buffer is 8 KiB.
const MAX_BUF_SIZE: usize = 16 * 1024;
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// Everything a request handler needs.
#[derive(Debug)]
pub struct App {
    pub telemetry_path: String,
    pub refresher: Arc<Refresher>,
    pub metrics: Arc<ExporterMetrics>,
    /// Longest a scrape waits for a refresh (`--status.timeout`).
    pub max_scrape_wait: Duration,
    /// Basic auth from `--web.config.file`, required on every path when set.
    pub auth: Option<Arc<BasicAuth>>,
    /// `http_server_config.headers` from `--web.config.file`, on every response.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `rate_limit` from `--web.config.file`: every request takes a token, or gets a 429.
    pub rate_limit: Option<Arc<RateLimiter>>,
}

/// Response body: a few shared chunks sent as they are. A `/metrics` answer is the scrape's
/// own head and tail around the snapshot's bytes, which are shared, never copied.
#[derive(Debug, Default)]
pub struct Body {
    chunks: VecDeque<Bytes>,
}

impl Body {
    fn full(bytes: impl Into<Bytes>) -> Body {
        Body {
            chunks: VecDeque::from([bytes.into()]),
        }
    }

    fn from_chunks(chunks: impl IntoIterator<Item = Bytes>) -> Body {
        Body {
            chunks: chunks.into_iter().collect(),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.chunks.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        // Exact, so hyper sends Content-Length rather than chunked encoding.
        SizeHint::with_exact(self.chunks.iter().map(|c| c.len() as u64).sum())
    }
}

/// Serve until `shutdown` completes, then drain open connections. With `tls`, every
/// connection must complete a TLS handshake (within the header-read timeout) first.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener) => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        // Usually EMFILE: back off instead of spinning.
                        warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let app = Arc::clone(&app);
                let watcher = graceful.watcher();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        None => serve_connection(TokioIo::new(stream), app, watcher, peer).await,
                        Some(acceptor) => {
                            match tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await {
                                Ok(Ok(tls)) => serve_connection(TokioIo::new(tls), app, watcher, peer).await,
                                Ok(Err(err)) => debug!(%peer, error = %err, "TLS handshake failed"),
                                Err(_) => debug!(%peer, "TLS handshake timed out"),
                            }
                        }
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    info!("shutting down: waiting for in-flight requests");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("in-flight requests did not finish within {DRAIN_TIMEOUT:?}");
    }
}

async fn serve_connection<I>(io: I, app: Arc<App>, watcher: Watcher, peer: SocketAddr)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { Ok::<_, Infallible>(handle(&app, req).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_BUF_SIZE)
        .serve_connection(io, service);
    if let Err(err) = watcher.watch(connection).await {
        debug!(%peer, error = %err, "connection ended with an error");
    }
}

/// Answer one request: the rate limit, basic auth, the route, then the configured headers
/// (on every answer, 429 and 401 included). Public so tests can drive it without sockets.
pub async fn handle<B>(app: &App, req: Request<B>) -> Response<Body> {
    let mut response = match &app.rate_limit {
        Some(limiter) if !limiter.allow(std::time::Instant::now()) => {
            plain(StatusCode::TOO_MANY_REQUESTS, "429 too many requests\n")
        }
        _ => route(app, req).await,
    };
    for (name, value) in &app.headers {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response
}

async fn route<B>(app: &App, req: Request<B>) -> Response<Body> {
    if let Some(auth) = &app.auth {
        let header = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if auth.check(header).await == AuthOutcome::Denied {
            let mut response = plain(StatusCode::UNAUTHORIZED, "401 unauthorized\n");
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"adobe_status_exporter\""),
            );
            return response;
        }
    }
    let path = req.uri().path();
    let method = req.method();
    let is_get = method == Method::GET || method == Method::HEAD;
    let known = path == app.telemetry_path || matches!(path, "/" | "/-/healthy" | "/-/ready");
    if !known {
        return plain(StatusCode::NOT_FOUND, "404 page not found\n");
    }
    if !is_get {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let head = method == Method::HEAD;
    let response = if path == app.telemetry_path {
        metrics_response(app, &req).await
    } else {
        match path {
            "/" => status_page_response(app, &req).await,
            "/-/healthy" => plain(StatusCode::OK, "Healthy\n"),
            _ if app.refresher.has_data() => plain(StatusCode::OK, "Ready\n"),
            _ => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not ready: no successful refresh from Adobe yet\n",
            ),
        }
    };
    if head {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Body::default());
    }
    response
}

async fn metrics_response<B>(app: &App, req: &Request<B>) -> Response<Body> {
    let wait = scrape_wait(req, app.max_scrape_wait);
    let view = app.refresher.scrape(wait).await;
    let format = Format::negotiate(
        req.headers()
            .get_all(ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    match metrics::encode(&app.metrics, view, format) {
        Ok(exposition) => {
            let mut response = gzip_if_accepted(
                req.headers(),
                || Some(exposition.gzip_chunks()),
                || Body::from_chunks(exposition.chunks()),
            );
            let headers = response.headers_mut();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            // The answer depends on both: caches must not mix formats or encodings.
            headers.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
            response
        }
        Err(err) => {
            // Formatting into a String cannot fail in practice; never panic if it does.
            error!(error = %err, "encoding metrics failed");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "encoding metrics failed\n",
            )
        }
    }
}

/// A response with the body as one gzip member (and `Content-Encoding: gzip`) when the client
/// takes gzip and `gzip` can make it, else with the `plain` body; a failed gzip is logged and
/// answered uncompressed. `gzip` gives `None` when there is nothing pre-deflated to splice.
fn gzip_if_accepted<E: std::fmt::Display>(
    headers: &HeaderMap,
    gzip: impl FnOnce() -> Option<Result<[Bytes; 3], E>>,
    plain: impl FnOnce() -> Body,
) -> Response<Body> {
    let gzipped = if accepts_gzip(headers) {
        gzip().and_then(|chunks| {
            chunks
                .inspect_err(|err| warn!(error = %err, "gzip failed; answering uncompressed"))
                .ok()
        })
    } else {
        None
    };
    match gzipped {
        Some(chunks) => {
            let mut response = Response::new(Body::from_chunks(chunks));
            response
                .headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        None => Response::new(plain()),
    }
}

/// Whether the client takes gzip (Prometheus sends `Accept-Encoding: gzip`): `gzip`, or `*`
/// when gzip is not listed itself, with a q-value above zero (RFC 9110 §12.5.3).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut wildcard = false;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                return q > 0.0;
            }
            if coding == "*" {
                wildcard = q > 0.0;
            }
        }
    }
    wildcard
}

/// How long this scrape may wait for a refresh: the scraper's timeout minus an offset,
/// capped by `--status.timeout`.
fn scrape_wait<B>(req: &Request<B>, max: Duration) -> Duration {
    let from_header = req
        .headers()
        .get(SCRAPE_TIMEOUT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)).saturating_sub(SCRAPE_TIMEOUT_OFFSET));
    from_header.unwrap_or(DEFAULT_SCRAPE_WAIT).min(max)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::full(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The status page: a refresh first if one is due (as for a scrape), then this view's
/// headline and health around the Adobe part rendered at the last good refresh.
async fn status_page_response<B>(app: &App, req: &Request<B>) -> Response<Body> {
    let wait = scrape_wait(req, app.max_scrape_wait);
    app.refresher.scrape(wait).await;
    let view = app.refresher.page_view();
    let last_refresh = match (
        view.last_attempt_ok,
        view.last_success_unix,
        view.last_failure,
    ) {
        (false, _, Some((reason, at))) => LastRefresh::Failed {
            reason: reason.label(),
            at,
        },
        (_, Some(at), _) => LastRefresh::Succeeded { at },
        _ => LastRefresh::NotYet,
    };
    let health = Health {
        now: unix_now(),
        up: view.up,
        last_refresh,
        token_expiry: app.metrics.token_expiry(),
        upstream_requests: app.metrics.upstream_requests(),
        upstream_throttled: app.metrics.upstream_throttled(),
        refresh_failures: app.metrics.refresh_failures(),
    };
    let links = Links {
        telemetry_path: app.telemetry_path.clone(),
    };
    let page = Page::assemble(view.page.as_deref(), &health, &links);
    let mut response = gzip_if_accepted(
        req.headers(),
        || page.gzip_chunks(),
        || Body::from_chunks(page.chunks()),
    );
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(status_page::CONTENT_SECURITY_POLICY),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Its health part is of this moment.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// Resolves on SIGTERM or SIGINT (a container's PID 1 must handle SIGTERM itself).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(err) => {
                warn!(error = %err, "cannot listen for SIGTERM; only SIGINT stops the exporter");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    info!("received a stop signal");
}

/// Bind the listener.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Accept one connection, with `TCP_NODELAY` set: a response goes out as head, shared body
/// chunks and tail, and without it the short last segment waits for the client's delayed ACK
/// (about 40 ms per keep-alive request at some body sizes).
async fn accept(listener: &TcpListener) -> std::io::Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener.accept().await?;
    if let Err(err) = stream.set_nodelay(true) {
        debug!(%peer, error = %err, "cannot set TCP_NODELAY");
    }
    Ok((stream, peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nodelay() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        // The client side keeps the default, so the assertion below is about `accept`.
        assert!(!client.nodelay().unwrap());
        let (accepted, _) = accept(&listener).await.unwrap();
        assert!(accepted.nodelay().unwrap());
    }
    use crate::config::{Command, Config};
    use http_body_util::BodyExt;

    /// An app whose upstream is unreachable (port 1): every refresh fails fast.
    fn app() -> App {
        let args = [
            "x",
            "--adobe.client-id",
            "id",
            "--adobe.ims-url",
            "http://127.0.0.1:1/ims",
            "--adobe.status-url",
            "http://127.0.0.1:1",
            "--web.telemetry-path",
            "/custom",
        ];
        let Ok(Command::Run(config)) = Config::parse_from(args, |_| Some("secret".into())) else {
            panic!("config")
        };
        let metrics = Arc::new(ExporterMetrics::new());
        let refresher = crate::app::build_refresher(
            &config,
            config.ims_url.clone(),
            config.status_url.clone(),
            &metrics,
        )
        .unwrap();
        App {
            telemetry_path: config.telemetry_path.clone(),
            refresher,
            metrics,
            max_scrape_wait: Duration::from_secs(5),
            auth: None,
            headers: Vec::new(),
            rate_limit: None,
        }
    }

    async fn call(
        app: &App,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, hyper::HeaderMap, String) {
        let mut builder = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let response = handle(app, builder.body(()).unwrap()).await;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn routes_and_methods() {
        let app = app();
        let (status, headers, body) = call(&app, Method::GET, "/", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(body.contains(r#"<a href="/custom">"#));
        assert_eq!(
            call(&app, Method::GET, "/-/healthy", &[]).await.0,
            StatusCode::OK
        );
        assert_eq!(
            call(&app, Method::GET, "/metrics", &[]).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(&app, Method::GET, "/nope", &[]).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, headers, _) = call(&app, Method::POST, "/custom", &[]).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[ALLOW], "GET, HEAD");
        assert_eq!(
            call(&app, Method::DELETE, "/", &[]).await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    #[tokio::test]
    async fn metrics_answer_200_with_openmetrics_even_when_adobe_is_down() {
        let app = app();
        let (status, headers, body) = call(
            &app,
            Method::GET,
            "/custom",
            &[
                (SCRAPE_TIMEOUT_HEADER, "2"),
                ("accept", "application/openmetrics-text;version=1.0.0"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[CONTENT_TYPE], Format::OpenMetrics1.content_type());
        assert_eq!(headers[VARY], "Accept, Accept-Encoding");
        assert!(body.contains("adobe_status_up 0\n"), "{body}");
        assert!(body.ends_with("# EOF\n"));
        // Without an Accept header: the text format, same health series, no EOF.
        let (status, headers, body) = call(
            &app,
            Method::GET,
            "/custom",
            &[(SCRAPE_TIMEOUT_HEADER, "2")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[CONTENT_TYPE],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        assert!(body.contains("adobe_status_up 0\n"), "{body}");
        assert!(
            body.contains("# TYPE adobe_status_exporter_build_info gauge\n"),
            "{body}"
        );
        assert!(!body.contains("# EOF"), "{body}");
        // Not ready until a refresh has succeeded; liveness does not care.
        assert_eq!(
            call(&app, Method::GET, "/-/ready", &[]).await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            call(&app, Method::GET, "/-/healthy", &[]).await.0,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn status_page_without_data_says_so_with_its_security_headers() {
        let app = app();
        let (status, headers, body) = call(&app, Method::GET, "/", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(
            headers[CONTENT_SECURITY_POLICY],
            status_page::CONTENT_SECURITY_POLICY
        );
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(body.contains("No data yet"), "{body}");
        // The page asked for a refresh (upstream is unreachable): it says why it failed.
        assert!(body.contains("The last refresh failed"), "{body}");

        let (status, head_headers, head_body) = call(&app, Method::HEAD, "/", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(head_headers[CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(head_body.is_empty());

        let request = Request::get("/")
            .header(ACCEPT_ENCODING, "gzip")
            .body(())
            .unwrap();
        let gzipped = handle(&app, request).await;
        assert_eq!(gzipped.headers()[CONTENT_ENCODING], "gzip");
    }

    #[tokio::test]
    async fn head_has_headers_but_no_body() {
        let app = app();
        let (status, headers, body) = call(&app, Method::HEAD, "/custom", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[CONTENT_TYPE], Format::Text.content_type());
        assert!(body.is_empty());
    }

    #[test]
    fn scrape_wait_follows_the_prometheus_header_within_bounds() {
        let req = |v: Option<&str>| {
            let mut b = Request::builder();
            if let Some(v) = v {
                b = b.header(SCRAPE_TIMEOUT_HEADER, v);
            }
            b.body(()).unwrap()
        };
        let max = Duration::from_secs(30);
        assert_eq!(
            scrape_wait(&req(Some("10")), max),
            Duration::from_millis(9500)
        );
        assert_eq!(scrape_wait(&req(Some("0.2")), max), Duration::ZERO);
        assert_eq!(scrape_wait(&req(Some("120")), max), max);
        assert_eq!(scrape_wait(&req(Some("nan")), max), DEFAULT_SCRAPE_WAIT);
        assert_eq!(scrape_wait(&req(Some("-1")), max), DEFAULT_SCRAPE_WAIT);
        assert_eq!(
            scrape_wait(&req(None), Duration::from_secs(3)),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn gzip_negotiation() {
        let cases = [
            (vec![], false),
            (vec!["gzip"], true),
            (vec!["GZIP"], true),
            (vec!["x-gzip"], true),
            (vec!["gzip, deflate, br"], true),
            (vec!["br;q=1.0, gzip;q=0.5"], true),
            (vec!["gzip;q=0"], false),
            (vec!["gzip; q=0.0, *"], false),
            (vec!["identity"], false),
            (vec!["deflate, br"], false),
            (vec!["*"], true),
            (vec!["*;q=0"], false),
            (vec!["identity", "gzip"], true),
        ];
        for (values, expected) in cases {
            let mut headers = HeaderMap::new();
            for v in &values {
                headers.append(ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            }
            assert_eq!(accepts_gzip(&headers), expected, "{values:?}");
        }
    }

    #[tokio::test]
    async fn metrics_are_gzipped_when_asked() {
        use std::io::Read;
        let app = app();
        let request = |accept: Option<&str>| {
            let mut builder = Request::builder().uri("/custom");
            if let Some(accept) = accept {
                builder = builder.header(ACCEPT_ENCODING, accept);
            }
            builder.body(()).unwrap()
        };
        let plain = handle(&app, request(Some("identity"))).await;
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(plain.headers()[VARY], "Accept, Accept-Encoding");

        let gzipped = handle(&app, request(Some("gzip"))).await;
        assert_eq!(gzipped.status(), StatusCode::OK);
        assert_eq!(gzipped.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(gzipped.headers()[VARY], "Accept, Accept-Encoding");
        let hint = http_body::Body::size_hint(gzipped.body()).exact();
        let bytes = gzipped.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(hint, Some(bytes.len() as u64));
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.contains("\nadobe_status_up 0\n"), "{text}");
        // No Accept header: the text format, gzipped like OpenMetrics.
        assert!(!text.contains("# EOF"), "{text}");
    }
}
