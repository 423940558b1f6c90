//! Admitting accepted connections, for both accept paths: the acceptor
//! thread of the thread-per-connection model ([`Server::run`]) and the
//! event workers, which accept on their own (`events.rs`).
//!
//! The rules kept here, once: the connection cap (past it a new connection
//! gets `503` and is closed, [`admit`]), the registration for graceful
//! shutdown, and how accept errors are paced ([`AcceptErrors`]: logged once
//! a second at most, followed by a pause instead of a retry that would spin
//! a core on `EMFILE`).
//!
//! [`Server::run`]: super::Server::run

use std::eprintln;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::vec::Vec;

use super::connection::Context;
use super::shutdown::Slot;
use super::types::Response;
use super::wire::{self, LogLine};

/// How long accepting pauses after an accept error other than "nothing to
/// accept" (out of descriptors, of memory): the condition rarely clears
/// within microseconds, and retrying at once would spin a core.
pub(crate) const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// A connection admitted: registered (counted against the cap) and ready to
/// be served.
pub(crate) struct Admitted {
    pub(crate) slot: Arc<Slot>,
    pub(crate) id: u64,
}

/// Registers a new connection, or answers `503` and closes it if the
/// server already serves [`Config::max_connections`].
///
/// [`Config::max_connections`]: super::Config::max_connections
pub(crate) fn admit(ctx: &Context, stream: TcpStream, remote: SocketAddr) -> Option<Admitted> {
    let slot = Arc::new(Slot::new(stream));
    let cap = ctx.config.max_connections.max(1);
    match ctx.shared.register_within(cap, Arc::clone(&slot)) {
        Some(id) => Some(Admitted { slot, id }),
        None => {
            reject(ctx, &slot.stream, remote);
            None
        }
    }
}

/// `503 Service Unavailable` and close, without holding up the accepting
/// thread for long: a short write timeout (a socket that never blocks
/// takes the short answer at once or fails), and only what the client
/// already sent is read (so that closing does not reset the connection).
pub(crate) fn reject(ctx: &Context, mut stream: &TcpStream, remote: SocketAddr) {
    use std::io::{Read, Write};
    let started = Instant::now();
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let response = Response::plain(503, "Service Unavailable");
    let server = ctx.config.server_header.as_deref();
    let mut out = Vec::new();
    if let Ok(Ok(bytes)) = wire::write_unsolicited(&mut out, server, &response) {
        if stream.write_all(&out).is_ok() && ctx.config.access_log {
            LogLine {
                remote,
                request_line: "-",
                status: 503,
                bytes,
                elapsed: started.elapsed(),
            }
            .write();
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // What already came is read (closing on unread bytes would reset the
    // connection, and the client might lose the 503), at most 64 KiB: a
    // client past the cap that keeps sending must not hold the worker.
    if stream.set_nonblocking(true).is_ok() {
        let mut scratch = [0u8; 4096];
        for _ in 0..16 {
            if !matches!(stream.read(&mut scratch), Ok(1..)) {
                break;
            }
        }
    }
}

/// What an accept error calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AcceptFailure {
    /// Nothing more to accept now (a listener that never blocks).
    Drained,
    /// That connection is gone (reset before it was accepted) or the call
    /// was interrupted: accept the next one.
    Retry,
    /// The process or system is short of something (`EMFILE`, `ENFILE`,
    /// `ENOBUFS`, `ENOMEM`): pause accepting for [`ACCEPT_PAUSE`].
    Pause,
}

/// The accept errors of one accepting thread (or group of workers): when
/// the last was logged, so that a flood of them (`EMFILE` under load) logs
/// one line a second, not one per attempt.
#[derive(Debug, Default)]
pub(crate) struct AcceptErrors {
    last_logged: Option<Instant>,
}

impl AcceptErrors {
    /// Classifies an accept error, logging the ones that call for a pause
    /// (once a second at most).
    pub(crate) fn failed(&mut self, e: &io::Error) -> AcceptFailure {
        match e.kind() {
            io::ErrorKind::WouldBlock => return AcceptFailure::Drained,
            io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted => {
                return AcceptFailure::Retry
            }
            _ => {}
        }
        let now = Instant::now();
        if self
            .last_logged
            .map_or(true, |t| now.duration_since(t) >= Duration::from_secs(1))
        {
            eprintln!("httpwire: accept failed: {e}");
            self.last_logged = Some(now);
        }
        AcceptFailure::Pause
    }
}
