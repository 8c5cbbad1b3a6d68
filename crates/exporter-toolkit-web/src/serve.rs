//! Serving: one accept loop per listener, each connection through the TLS handshake (when the
//! web config turns TLS on) into hyper's HTTP/1.1 with a header-read timeout, the program's
//! service behind the rate limit, basic auth and headers; graceful shutdown that lets
//! in-flight requests finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info, warn};

use crate::backoff::AcceptBackoff;
use crate::config::WebConfig;
use crate::guard::{Guard, GuardedService};

/// A bound listener, as [`crate::listen`] gives them.
pub type Listener = TcpListener;

/// How connections are served; the defaults suit a metrics endpoint.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A client gets this long for its TLS handshake, and for the headers of each request
    /// (port scanners and slowloris clients are dropped after it).
    pub header_read_timeout: Duration,
    /// hyper's read buffer per connection (requests to an exporter are small).
    pub max_buf_size: usize,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
    /// The realm in `WWW-Authenticate` when basic auth refuses a request.
    pub realm: String,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            header_read_timeout: Duration::from_secs(5),
            max_buf_size: 16 * 1024,
            drain_timeout: Duration::from_secs(15),
            realm: "metrics".to_owned(),
        }
    }
}

/// Serve `service` on every listener until `shutdown` completes, then stop accepting and let
/// in-flight requests finish (up to [`ServeOptions::drain_timeout`]). Every listener is served
/// the same way: TLS when `web` has it, the rate limit, basic auth and headers of `web`.
pub async fn serve<S, B>(
    listeners: Vec<Listener>,
    web: &WebConfig,
    options: ServeOptions,
    service: S,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let shared = Arc::new(Shared {
        tls: web.tls.clone().map(TlsAcceptor::from),
        options,
    });
    let (stop, stopped) = watch::channel(false);
    let guarded = web.rate_limit.is_some() || web.auth.is_some() || !web.headers.is_empty();
    // Without a rate limit, users or headers the service is served as it is: nothing in between.
    let mut loops = if guarded {
        let guard = Arc::new(Guard::new(web, &shared.options.realm));
        let service = GuardedService::new(service, guard);
        spawn_accept_loops(listeners, &shared, service, &stopped)
    } else {
        spawn_accept_loops(listeners, &shared, service, &stopped)
    };
    shutdown.await;
    let _ = stop.send(true);
    info!("shutting down: waiting for in-flight requests");
    while loops.join_next().await.is_some() {}
}

/// One accept loop per listener, each a task of its own.
fn spawn_accept_loops<S, B>(
    listeners: Vec<Listener>,
    shared: &Arc<Shared>,
    service: S,
    stopped: &watch::Receiver<bool>,
) -> tokio::task::JoinSet<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut loops = tokio::task::JoinSet::new();
    for listener in listeners {
        let address = listener.local_addr().ok();
        info!(
            address = %address.map_or_else(|| "?".to_owned(), |a| a.to_string()),
            tls = shared.tls.is_some(),
            "listening"
        );
        loops.spawn(accept_loop(
            listener,
            Arc::clone(shared),
            service.clone(),
            stopped.clone(),
        ));
    }
    loops
}

struct Shared {
    tls: Option<TlsAcceptor>,
    options: ServeOptions,
}

async fn accept_loop<S, B>(
    listener: TcpListener,
    shared: Arc<Shared>,
    service: S,
    mut stopped: watch::Receiver<bool>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    let mut backoff = AcceptBackoff::default();
    loop {
        tokio::select! {
            accepted = accept(&listener) => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        let step = backoff.failed(Instant::now());
                        if let Some(unlogged) = step.warn {
                            warn!(
                                error = %err,
                                retry_in_ms = step.sleep.as_millis() as u64,
                                not_logged_since_last = unlogged,
                                "accept failed (at most one such line a second)"
                            );
                        }
                        tokio::time::sleep(step.sleep).await;
                        continue;
                    }
                };
                backoff.succeeded();
                let watcher = graceful.watcher();
                let shared = Arc::clone(&shared);
                let service = service.clone();
                tokio::spawn(async move {
                    let options = &shared.options;
                    let builder = {
                        let mut builder = http1::Builder::new();
                        builder
                            .timer(TokioTimer::new())
                            .header_read_timeout(options.header_read_timeout)
                            .max_buf_size(options.max_buf_size);
                        builder
                    };
                    let result = match &shared.tls {
                        None => {
                            let connection = builder.serve_connection(TokioIo::new(stream), service);
                            watcher.watch(connection).await
                        }
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(options.header_read_timeout, acceptor.accept(stream)).await;
                            match handshake {
                                Ok(Ok(tls)) => {
                                    let connection = builder.serve_connection(TokioIo::new(tls), service);
                                    watcher.watch(connection).await
                                }
                                Ok(Err(err)) => return debug!(%peer, error = %err, "TLS handshake failed"),
                                Err(_) => return debug!(%peer, "TLS handshake timed out"),
                            }
                        }
                    };
                    if let Err(err) = result {
                        debug!(%peer, error = %err, "connection ended with an error");
                    }
                });
            }
            // The one change is the stop (or the sender gone): either way, stop.
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    let drain = shared.options.drain_timeout;
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("in-flight requests did not finish within {drain:?}");
    }
}

/// Accept one connection, with `TCP_NODELAY` set: a response that goes out as several chunks
/// would otherwise have its short last segment wait for the client's delayed ACK (about 40 ms
/// per keep-alive request at some body sizes).
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
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        // The client side keeps the default, so the assertion below is about `accept`.
        assert!(!client.nodelay().unwrap());
        let (accepted, _) = accept(&listener).await.unwrap();
        assert!(accepted.nodelay().unwrap());
    }
}
