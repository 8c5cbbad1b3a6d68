//! Where to serve: the toolkit's `--web.listen-address` (repeatable) and
//! `--web.systemd-socket` (the sockets systemd passed, `LISTEN_FDS`).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::TcpListener;
use tracing::info;

/// The toolkit's flags (Go's `web.FlagConfig`), as the program parsed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagConfig {
    /// `--web.listen-address`, each `host:port` (`:port` means every IPv4 interface).
    pub listen_addresses: Vec<String>,
    /// `--web.systemd-socket`: serve the sockets systemd passed instead of the addresses.
    pub systemd_socket: bool,
    /// `--web.config.file`, if given.
    pub config_file: Option<PathBuf>,
}

/// Nothing to serve on; one line that names the flag.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// An address that does not parse or resolve.
    #[error("--web.listen-address: {0}")]
    Address(String),
    /// No address given and no systemd socket asked for.
    #[error("no --web.listen-address given and --web.systemd-socket not set")]
    NoListeners,
    /// Binding an address failed.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address as resolved.
        address: SocketAddr,
        /// Why (`AddrInUse`, permissions).
        source: std::io::Error,
    },
    /// `--web.systemd-socket` without usable sockets from systemd.
    #[error("--web.systemd-socket: {0}")]
    Systemd(String),
}

/// `host:port` resolved to the address to bind; `:port` means every IPv4 interface.
pub fn resolve_listen_address(raw: &str) -> Result<SocketAddr, ListenError> {
    let bad = |why: String| ListenError::Address(why);
    let with_host = match raw.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => raw.to_owned(),
    };
    let (_, port) = with_host
        .rsplit_once(':')
        .ok_or_else(|| bad(format!("{raw:?} is not host:port")))?;
    port.parse::<u16>()
        .map_err(|_| bad(format!("{raw:?} has an invalid port")))?;
    with_host
        .to_socket_addrs()
        .map_err(|e| bad(format!("cannot resolve {raw:?}: {e}")))?
        .next()
        .ok_or_else(|| bad(format!("{raw:?} resolves to no address")))
}

/// The listeners the flags ask for: systemd's sockets with `systemd_socket` (the addresses
/// are then ignored, as in Go), else every `listen_addresses` entry bound.
pub async fn listen(flags: &FlagConfig) -> Result<Vec<TcpListener>, ListenError> {
    if flags.systemd_socket {
        info!("listening on the sockets systemd passed instead of --web.listen-address");
        return systemd_listeners()?
            .into_iter()
            .map(|listener| {
                TcpListener::from_std(listener).map_err(|e| ListenError::Systemd(e.to_string()))
            })
            .collect();
    }
    if flags.listen_addresses.is_empty() {
        return Err(ListenError::NoListeners);
    }
    let mut listeners = Vec::with_capacity(flags.listen_addresses.len());
    for raw in &flags.listen_addresses {
        let address = resolve_listen_address(raw)?;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ListenError::Bind { address, source })?;
        listeners.push(listener);
    }
    Ok(listeners)
}

/// Set once the descriptors are taken: a second call must not own them again.
static SYSTEMD_FDS_TAKEN: AtomicBool = AtomicBool::new(false);

/// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
const LISTEN_FDS_START: i32 = 3;

/// The TCP sockets systemd passed this process (`LISTEN_PID` is this process, `LISTEN_FDS`
/// of them from descriptor 3), non-blocking; an error when there are none, when one is not a
/// TCP socket, or when they were taken already.
pub fn systemd_listeners() -> Result<Vec<std::net::TcpListener>, ListenError> {
    let fail = |why: &str| Err(ListenError::Systemd(why.to_owned()));
    let var = |name| std::env::var(name).ok();
    let ours = var("LISTEN_PID")
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .is_some_and(|pid| pid == std::process::id());
    let count = var("LISTEN_FDS").and_then(|n| n.trim().parse::<i32>().ok());
    let count = match (ours, count) {
        (true, Some(n)) if n > 0 => n,
        _ => {
            return fail(
                "no socket passed by systemd (LISTEN_PID and LISTEN_FDS are not set for this \
                 process): start it from a .socket unit, or use --web.listen-address",
            )
        }
    };
    if SYSTEMD_FDS_TAKEN.swap(true, Ordering::SeqCst) {
        return fail("the sockets systemd passed are in use already");
    }
    take_fds(count)
}

#[cfg(unix)]
fn take_fds(count: i32) -> Result<Vec<std::net::TcpListener>, ListenError> {
    let mut listeners = Vec::new();
    for fd in LISTEN_FDS_START..LISTEN_FDS_START.saturating_add(count) {
        let Some(listener) = crate::sys::inherited_listener(fd) else {
            return Err(ListenError::Systemd(format!(
                "descriptor {fd} from LISTEN_FDS is not open"
            )));
        };
        // A Unix or UDP socket has no TCP address (or cannot accept).
        let address = listener.local_addr().map_err(|_| {
            ListenError::Systemd(format!(
                "descriptor {fd} is not a TCP socket (use ListenStream= with an address or port)"
            ))
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| ListenError::Systemd(format!("descriptor {fd}: {e}")))?;
        info!(%address, fd, "socket from systemd");
        listeners.push(listener);
    }
    Ok(listeners)
}

#[cfg(not(unix))]
fn take_fds(_count: i32) -> Result<Vec<std::net::TcpListener>, ListenError> {
    Err(ListenError::Systemd("systemd sockets need Unix".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_resolve_like_the_toolkit() {
        assert_eq!(
            resolve_listen_address(":9100").unwrap(),
            "0.0.0.0:9100".parse().unwrap()
        );
        assert_eq!(
            resolve_listen_address("[::1]:9100").unwrap(),
            "[::1]:9100".parse().unwrap()
        );
        assert!(resolve_listen_address("localhost:9100").is_ok());
        for bad in ["nope", ":99999", "127.0.0.1:x", ""] {
            let err = resolve_listen_address(bad).unwrap_err().to_string();
            assert!(err.starts_with("--web.listen-address: "), "{bad}: {err}");
        }
    }

    #[tokio::test]
    async fn every_address_is_bound_and_none_is_an_error() {
        let flags = FlagConfig {
            listen_addresses: vec!["127.0.0.1:0".into(), "127.0.0.1:0".into()],
            ..FlagConfig::default()
        };
        let listeners = listen(&flags).await.unwrap();
        assert_eq!(listeners.len(), 2);
        let taken = listeners[0].local_addr().unwrap().to_string();
        let again = FlagConfig {
            listen_addresses: vec![taken],
            ..FlagConfig::default()
        };
        assert!(matches!(
            listen(&again).await,
            Err(ListenError::Bind { .. })
        ));
        assert!(matches!(
            listen(&FlagConfig::default()).await,
            Err(ListenError::NoListeners)
        ));
    }

    #[test]
    fn without_systemd_the_socket_flag_refuses_in_one_line() {
        // The test process was not started by systemd (LISTEN_PID is not ours).
        let err = systemd_listeners().unwrap_err().to_string();
        assert!(err.contains("no socket passed by systemd"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }
}
