//! Outbound HTTP plumbing shared by the IMS and Status API clients: one reqwest client with
//! timeouts, a versioned User-Agent and no redirects, and the size-capped body readers: whole,
//! or handed to a parser as the body arrives.

use std::io::{self, Read};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;

use crate::upstream::one_line;

/// Connection set-up bound, separate from the whole-request `--status.timeout`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// `adobe_status_exporter/<version>`: Adobe's WAF is known to block generic bot agents.
pub const USER_AGENT: &str = concat!("adobe_status_exporter/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientBuildError(String);

/// The client every upstream call goes through. Redirects are refused: a redirected token
/// POST would carry the client secret to a host nobody configured.
pub fn client(timeout: Duration) -> Result<reqwest::Client, ClientBuildError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .map_err(|e| ClientBuildError(describe(&e)))
}

/// Reading a response body failed.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("response body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("timed out reading the response body")]
    Timeout,
    #[error("connection failed while reading the response body: {0}")]
    Network(String),
}

/// Read at most `limit` bytes of body; more is an error, and the rest is never buffered.
pub async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Bytes, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let initial = response.content_length().map_or(16 * 1024, |l| l as usize);
    let mut body = BytesMut::with_capacity(initial.min(limit));
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(BodyError::TooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body.freeze()),
            Err(err) if err.is_timeout() => return Err(BodyError::Timeout),
            Err(err) => return Err(BodyError::Network(describe(&err))),
        }
    }
}

/// A success body for a synchronous parser on a blocking thread (`spawn_blocking`: read on an
/// async worker it would block the worker, and tokio refuses that), read as it arrives: at 100×
/// the catalogue `/events` is megabytes, and a parser that consumes it chunk by chunk never
/// holds the whole of it. The chunks come from [`stream_body`]'s pump; the end of the body, or
/// a pump that failed or stopped, reads as the end of the input (the pump's own result says
/// which).
#[derive(Debug)]
pub struct BodyReader {
    chunks: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Chunks in flight between the pump and the parser: a few network reads' worth, so the
/// parser waits on the network, not the network on a full buffer of megabytes.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Read at most `limit` bytes of body (more is an error), handing each chunk to the
/// [`BodyReader`] as it arrives. The future (the pump) must be polled on the async side while
/// the reader is read on a blocking thread; it ends early, with `Ok`, when the reader is
/// dropped (a parser that gave up wants no more). Its result is the body's length, or why the
/// body could not be read: the reader then saw a truncated input.
pub fn stream_body(
    mut response: reqwest::Response,
    limit: usize,
) -> (
    BodyReader,
    impl std::future::Future<Output = Result<usize, BodyError>>,
) {
    let (sender, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let pump = async move {
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(BodyError::TooLarge { limit });
        }
        let mut read = 0;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    read += chunk.len();
                    if read > limit {
                        return Err(BodyError::TooLarge { limit });
                    }
                    if sender.send(chunk).await.is_err() {
                        return Ok(read);
                    }
                }
                Ok(None) => return Ok(read),
                Err(err) if err.is_timeout() => return Err(BodyError::Timeout),
                Err(err) => return Err(BodyError::Network(describe(&err))),
            }
        }
    };
    let reader = BodyReader {
        chunks,
        current: Bytes::new(),
    };
    (reader, pump)
}

/// A reqwest error as one line, without the URL (which the caller names better) and with
/// its causes, which carry the useful part ("connection refused", "dns error").
pub fn describe(err: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = if err.is_connect() {
        "connection failed".to_owned()
    } else if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_body() || err.is_decode() {
        "error reading the body".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = err.source();
    let mut last = String::new();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !message.is_empty() && !last.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        last = message;
        source = cause.source();
    }
    one_line(&text, usize::MAX)
}
