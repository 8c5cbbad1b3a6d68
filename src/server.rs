//! HTTP surface (design §5) on hyper 1: `/`, the telemetry path, `/-/healthy`, `/-/ready`;
//! 404 and 405 for the rest; a header-read timeout and a small request buffer so idle or slow
//! clients cannot pin connections; graceful shutdown that lets in-flight scrapes finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tracing::{debug, error, info, warn};

use crate::metrics::{self, ExporterMetrics};
use crate::refresh::Refresher;

/// Prometheus sends its scrape timeout in this header; we answer a little before it.
const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";
const SCRAPE_TIMEOUT_OFFSET: Duration = Duration::from_millis(500);
/// Wait bound for clients that send no scrape timeout (Prometheus' default timeout).
const DEFAULT_SCRAPE_WAIT: Duration = Duration::from_secs(10);
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
}

type Body = Full<Bytes>;

/// Serve until `shutdown` completes, then drain open connections.
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
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
                let service = service_fn(move |req| {
                    let app = Arc::clone(&app);
                    async move { Ok::<_, Infallible>(handle(&app, req).await) }
                });
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .max_buf_size(MAX_BUF_SIZE)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        debug!(%peer, error = %err, "connection ended with an error");
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

/// Route one request. Public so tests can drive it without sockets.
pub async fn handle<B>(app: &App, req: Request<B>) -> Response<Body> {
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
            "/" => landing_page(&app.telemetry_path),
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
        return Response::from_parts(parts, Full::new(Bytes::new()));
    }
    response
}

async fn metrics_response<B>(app: &App, req: &Request<B>) -> Response<Body> {
    let wait = scrape_wait(req, app.max_scrape_wait);
    let view = app.refresher.scrape(wait).await;
    match metrics::encode(&app.metrics, view) {
        Ok(body) => {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(metrics::CONTENT_TYPE),
            );
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
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
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

fn landing_page(telemetry_path: &str) -> Response<Body> {
    let path = html_escape(telemetry_path);
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Adobe Status Exporter</title></head>
<body>
<h1>Adobe Status Exporter</h1>
<p>Prometheus exporter for the Adobe Status API: incidents and maintenances per Adobe product and service.</p>
<ul>
<li><a href="{path}">Metrics</a></li>
<li><a href="/-/healthy">Health</a></li>
<li><a href="/-/ready">Readiness</a></li>
</ul>
<p>Version {version}</p>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
