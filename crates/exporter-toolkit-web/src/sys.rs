//! The crate's only unsafe code, two calls into the C library that std does not wrap: the
//! open-files limit, and taking the sockets systemd passed. Each unsafe block says why it is
//! sound; the workspace denies unsafe code everywhere else.

use tracing::debug;

/// Raise the soft `RLIMIT_NOFILE` to the hard limit, as Go's runtime does at start (Go 1.19+):
/// systemd's default soft limit of 1024 is otherwise reached by about a thousand idle
/// connections, and then `accept` fails for everyone. Returns (soft before, soft after); a
/// refusal (a hard limit above the kernel's `nr_open`) keeps the old limit, as Go does. Logs one
/// debug line with both.
#[cfg(unix)]
#[allow(unsafe_code)] // getrlimit/setrlimit: see SAFETY below
pub fn raise_open_files_limit() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which lives on this stack frame.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    // rlim_t is u64 on Linux and the BSDs; `as` keeps this compiling where it is not.
    #[allow(clippy::unnecessary_cast)]
    let (before, after, hard) = (before as u64, limit.rlim_cur as u64, limit.rlim_max as u64);
    debug!(
        soft_before = before,
        soft_now = after,
        hard,
        "open files limit (RLIMIT_NOFILE)"
    );
    Ok((before, after))
}

/// Not a Unix: nothing to raise.
#[cfg(not(unix))]
pub fn raise_open_files_limit() -> std::io::Result<(u64, u64)> {
    Ok((0, 0))
}

/// Take ownership of file descriptor `fd`, passed by systemd, as a listening socket; `None`
/// when `fd` is not open. The caller takes each descriptor once (see `listen::systemd_listeners`).
#[cfg(unix)]
#[allow(unsafe_code)] // from_raw_fd: see SAFETY below
pub(crate) fn inherited_listener(fd: i32) -> Option<std::net::TcpListener> {
    use std::os::fd::FromRawFd;
    // SAFETY: fcntl(F_GETFD) reads the descriptor's flags and changes nothing; it tells whether
    // `fd` is open, which `from_raw_fd` requires.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return None;
    }
    // SAFETY: `fd` is open (checked above) and, by the socket-activation protocol
    // (sd_listen_fds(3)), handed to this process to own; the caller takes each descriptor once,
    // so no other owner closes it.
    Some(unsafe { std::net::TcpListener::from_raw_fd(fd) })
}
