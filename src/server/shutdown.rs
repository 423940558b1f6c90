//! Graceful shutdown: the state shared by whoever accepts (the acceptor
//! thread of the thread-per-connection model, the workers of the
//! event-driven one), the connections and the [`ShutdownHandle`].
//!
//! Shutting down sets a flag and wakes whoever accepts, with a connection
//! of its own: the acceptor stops accepting and closes the listener;
//! event-driven, the workers see the flag when the listener reports that
//! connection, and the server's thread, waiting in
//! [`Shared::wait_begun`], is woken too. It then closes every connection
//! that sits idle between requests (unless a request has arrived on one
//! and waits to be read).
//! Busy connections finish the request in flight, answer it with
//! `Connection: close` and end. At the deadline whatever is left is cut off
//! (both directions of its socket are shut down).

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::input::unread_bytes;

/// One live connection, shared by the thread serving it and the shutdown
/// path: one socket (no `dup`ed descriptor per connection) and a flag the
/// serving thread flips twice per request without taking any lock.
pub(crate) struct Slot {
    /// The connection's socket: the serving thread reads and writes it
    /// through `&TcpStream`; the shutdown path cuts it off.
    pub(crate) stream: TcpStream,
    /// Waiting for the next request, with nothing of it received yet.
    idle: AtomicBool,
}

impl Slot {
    pub(crate) fn new(stream: TcpStream) -> Slot {
        Slot {
            stream,
            idle: AtomicBool::new(false),
        }
    }
}

#[derive(Default)]
struct Registry {
    connections: HashMap<u64, Arc<Slot>>,
    /// When the deadline passes, connections still open are cut off.
    deadline: Option<Instant>,
    /// The deadline cut connections off: the shutdown was not clean, for
    /// every waiter (the acceptor's and any handle's), whichever cut them.
    cut_off: bool,
}

/// State shared by whoever accepts, the connections and the handles.
pub(crate) struct Shared {
    stopping: AtomicBool,
    next_id: AtomicU64,
    registry: Mutex<Registry>,
    /// Signalled when shutdown begins, and whenever a connection ends
    /// during shutdown (nobody waits for it before).
    ended: Condvar,
    /// The listening address, to wake a blocked `accept`.
    local_addr: SocketAddr,
}

impl Shared {
    pub(crate) fn new(local_addr: SocketAddr) -> Shared {
        Shared {
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            registry: Mutex::new(Registry::default()),
            ended: Condvar::new(),
            local_addr,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Has shutdown begun?
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// The number of connections being served.
    pub(crate) fn active(&self) -> usize {
        self.lock().connections.len()
    }

    /// Registers a new connection (busy) and returns its id, unless `cap`
    /// connections are registered already (`None`). The count and the
    /// insert are one step under the lock: two threads accepting at once
    /// cannot both take the last place.
    pub(crate) fn register_within(&self, cap: usize, slot: Arc<Slot>) -> Option<u64> {
        let mut registry = self.lock();
        if registry.connections.len() >= cap {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        registry.connections.insert(id, slot);
        Some(id)
    }

    /// Marks a connection idle (between requests) or busy. Returns `false`
    /// if it is going idle while the server is stopping: it should close.
    ///
    /// No lock: both sides store their own flag, then load the other's,
    /// all `SeqCst`, so in the single order of those four operations at
    /// least one side sees the other's store: either `begin` sees this
    /// connection idle and cuts it off, or this sees the stopping flag.
    pub(crate) fn set_idle(&self, slot: &Slot, idle: bool) -> bool {
        slot.idle.store(idle, Ordering::SeqCst);
        !(idle && self.stopping())
    }

    /// Forgets a connection that ended.
    pub(crate) fn unregister(&self, id: u64) {
        let waited_for = {
            let mut registry = self.lock();
            registry.connections.remove(&id);
            // Only a shutdown waits for connections to end, and it sets the
            // flag under this lock before it waits: read here, the flag says
            // whether anyone may wait. A notification is a `futex` call even
            // with no waiter, which a connection per request would pay.
            self.stopping()
        };
        if waited_for {
            self.ended.notify_all();
        }
    }

    /// Starts shutting down, once: stop accepting, close idle connections,
    /// and set the deadline for the others.
    pub(crate) fn begin(&self, grace: Duration) {
        {
            // The flag changes only under the lock, and the deadline is set
            // before it, so whoever sees the flag also sees the deadline.
            let mut registry = self.lock();
            if self.stopping() {
                return;
            }
            registry.deadline = Some(super::config::later(Instant::now(), grace));
            self.stopping.store(true, Ordering::SeqCst);
            let idle = registry.connections.values().filter(|slot| {
                // Where unread bytes are not checked, the window is the
                // time a woken thread takes to read.
                slot.idle.load(Ordering::SeqCst) && unread_bytes(&slot.stream) != Some(true)
            });
            for slot in idle {
                let _ = slot.stream.shutdown(Shutdown::Both);
            }
        }
        // The server's thread of the event-driven model waits here
        // ([`wait_begun`](Shared::wait_begun)); the acceptor of the
        // thread-per-connection model, in `accept`.
        self.ended.notify_all();
        self.wake_acceptor();
    }

    /// Waits until shutdown begins (the event-driven model's server thread:
    /// its workers accept, and it only closes the listener at the end).
    pub(crate) fn wait_begun(&self) {
        let mut registry = self.lock();
        while !self.stopping() {
            registry = match self.ended.wait(registry) {
                Ok(guard) => guard,
                Err(e) => e.into_inner(),
            };
        }
    }

    /// A blocked `accept` returns when a connection arrives: make one.
    /// (Event-driven, the workers see the flag when the listener reports
    /// it, and accept nothing more.)
    fn wake_acceptor(&self) {
        let mut addr = self.local_addr;
        if addr.ip().is_unspecified() {
            let loopback = match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            };
            addr.set_ip(loopback);
        }
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
    }

    /// Waits until every connection has ended or the deadline has passed;
    /// at the deadline cuts off the ones left. Returns whether all ended in
    /// time (also when another waiter did the cutting).
    pub(crate) fn wait_drained(&self) -> bool {
        let mut registry = self.lock();
        loop {
            if registry.connections.is_empty() {
                return !registry.cut_off;
            }
            let now = Instant::now();
            let deadline = registry.deadline.unwrap_or(now);
            if now >= deadline {
                for slot in registry.connections.values() {
                    let _ = slot.stream.shutdown(Shutdown::Both);
                }
                registry.cut_off = true;
                return false;
            }
            registry = match self.ended.wait_timeout(registry, deadline - now) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
    }
}

/// Stops a running [`Server`](super::Server) from another thread.
///
/// Cloneable and `Send`; get one with [`Server::handle`](super::Server::handle)
/// before calling [`Server::run`](super::Server::run).
#[derive(Clone)]
pub struct ShutdownHandle {
    pub(crate) shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Stops accepting, lets the requests in flight finish, and waits for
    /// their connections to end, at most `grace`; connections still open
    /// then are closed. Returns `true` if everything ended in time.
    ///
    /// Idle keep-alive connections are closed at once; a busy one answers
    /// its current request with `Connection: close`. A connection whose
    /// protocol switched ([`Response::switching`](super::Response::switching))
    /// is its callback's: neither waited for nor closed. Calling it again
    /// (or from several threads) waits for the same shutdown.
    pub fn shutdown(&self, grace: Duration) -> bool {
        self.shared.begin(grace);
        self.shared.wait_drained()
    }

    /// Starts shutting down like [`shutdown`](ShutdownHandle::shutdown) and
    /// returns at once; [`Server::run`](super::Server::run) returns when the
    /// connections have ended or `grace` has passed.
    pub fn begin_shutdown(&self, grace: Duration) {
        self.shared.begin(grace);
    }

    /// Has shutdown begun?
    pub fn is_shutting_down(&self) -> bool {
        self.shared.stopping()
    }

    /// The number of connections being served right now (not counting
    /// those whose protocol switched: they are their callbacks').
    pub fn active_connections(&self) -> usize {
        self.shared.active()
    }
}

impl core::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("addr", &self.shared.local_addr)
            .field("stopping", &self.shared.stopping())
            .finish()
    }
}
