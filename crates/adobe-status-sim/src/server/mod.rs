//! The simulator's HTTP server: IMS token endpoint, Status API and the `/__sim/` control API.
//!
//! One hyper HTTP/1.1 connection task per accepted socket. Each request is recorded and counted
//! first, then faults are applied (they are the upstream's answer, so they come before any
//! check), then the checks Adobe's gateway makes in the order it makes them: API key (403),
//! bearer token (401), per-token rate limit (429), and finally the endpoint itself.
//!
//! Layout: this module accepts connections and routes each request; `ims` is the token
//! endpoint, `status_api` the Status API, `control_api` the `/__sim/` control API, and
//! `respond` builds the responses they share (faults included).

mod control_api;
mod ims;
mod respond;
mod status_api;

use std::convert::Infallible;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::body::{ConnIo, SimBody};
use super::control::{Control, RecordedRequest};
use super::scenario::{Clock, LiveScenario};
use super::SimulatorConfig;
use control_api::control_api;
use ims::ims;
use respond::empty;
use status_api::status_api;

/// Largest request body read (IMS form, control API JSON).
const MAX_REQUEST_BODY: usize = 64 * 1024;

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
