//! Response bodies and connection I/O that can misbehave on purpose.
//!
//! `hyper` needs one body type for every response; [`SimBody`] covers a normal in-memory body,
//! a large body generated chunk by chunk (so an "oversize" fault of hundreds of megabytes costs
//! no memory), and a body that stops halfway and resets the TCP connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Size of the chunks of a generated body.
const CHUNK: u64 = 64 * 1024;
/// Prefix and suffix of the oversize body: a valid events object with a huge padding string,
/// so a client must reject it by size, not by a parse error.
const OVERSIZE_PREFIX: &[u8] = br#"{"incidents":[],"maintenances":[],"padding":""#;
const OVERSIZE_SUFFIX: &[u8] = br#""}"#;

/// The error a [`SimBody`] reports when it simulates a connection reset.
#[derive(Debug, thiserror::Error)]
#[error("simulated connection reset")]
pub(crate) struct SimulatedReset;

pub(crate) enum SimBody {
    Full(Option<Bytes>),
    Oversize {
        total: u64,
        sent: u64,
    },
    Reset {
        first: Option<Bytes>,
        remaining: u64,
        /// Set once the reset happens, so the connection is closed with RST, not FIN.
        flag: Arc<AtomicBool>,
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl SimBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        SimBody::Full(Some(bytes.into()))
    }

    pub(crate) fn empty() -> Self {
        SimBody::Full(None)
    }

    pub(crate) fn oversize(total: usize) -> Self {
        SimBody::Oversize {
            total: total as u64,
            sent: 0,
        }
    }

    /// Sends the first half of `full`, then fails (the content length stays that of `full`).
    pub(crate) fn reset_mid_body(full: Bytes, flag: Arc<AtomicBool>) -> Self {
        let half = full.slice(..full.len() / 2);
        SimBody::Reset {
            remaining: full.len() as u64,
            first: Some(half),
            flag,
            pause: None,
        }
    }
}

/// Bytes `offset..offset+len` of the oversize body of `total` bytes.
fn oversize_chunk(offset: u64, len: u64, total: u64) -> Bytes {
    let framed = total >= (OVERSIZE_PREFIX.len() + OVERSIZE_SUFFIX.len()) as u64;
    let suffix_at = total.saturating_sub(OVERSIZE_SUFFIX.len() as u64);
    let mut out = Vec::with_capacity(len as usize);
    for pos in offset..offset + len {
        let byte = if !framed {
            b' '
        } else if pos < OVERSIZE_PREFIX.len() as u64 {
            OVERSIZE_PREFIX.get(pos as usize).copied().unwrap_or(b'x')
        } else if pos >= suffix_at {
            OVERSIZE_SUFFIX
                .get((pos - suffix_at) as usize)
                .copied()
                .unwrap_or(b'}')
        } else {
            b'x'
        };
        out.push(byte);
    }
    Bytes::from(out)
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = SimulatedReset;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, SimulatedReset>>> {
        match self.get_mut() {
            SimBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            SimBody::Oversize { total, sent } => {
                if *sent >= *total {
                    return Poll::Ready(None);
                }
                let len = CHUNK.min(*total - *sent);
                let chunk = oversize_chunk(*sent, len, *total);
                *sent += len;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            SimBody::Reset {
                first,
                remaining,
                flag,
                pause,
            } => {
                if let Some(half) = first.take() {
                    *remaining = remaining.saturating_sub(half.len() as u64);
                    return Poll::Ready(Some(Ok(Frame::data(half))));
                }
                // Pause before failing so hyper flushes the half body to the socket first.
                let sleep = pause
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => {
                        flag.store(true, Ordering::SeqCst);
                        Poll::Ready(Some(Err(SimulatedReset)))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SimBody::Full(bytes) => bytes.is_none(),
            SimBody::Oversize { total, sent } => sent >= total,
            SimBody::Reset { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SimBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            SimBody::Full(None) => SizeHint::with_exact(0),
            SimBody::Oversize { total, sent } => SizeHint::with_exact(total.saturating_sub(*sent)),
            // The advertised length is the full body's: that is what makes the reset a
            // detectable truncation for the client.
            SimBody::Reset { remaining, .. } => SizeHint::with_exact(*remaining),
        }
    }
}

/// A TCP stream that closes with RST instead of FIN when its flag is set.
pub(crate) struct ConnIo {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl ConnIo {
    pub(crate) fn new(inner: TcpStream, reset: Arc<AtomicBool>) -> Self {
        Self { inner, reset }
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // Best effort: if the option cannot be set the close is merely graceful.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversize_body_is_exact_valid_json() {
        for total in [10u64, 60, 1000, 200_000] {
            let mut body = Vec::new();
            let mut off = 0;
            while off < total {
                let len = CHUNK.min(total - off);
                body.extend_from_slice(&oversize_chunk(off, len, total));
                off += len;
            }
            assert_eq!(body.len() as u64, total);
            if total >= 60 {
                let v: serde_json::Value = serde_json::from_slice(&body).expect("valid json");
                assert!(v["incidents"].is_array());
            }
        }
    }
}
