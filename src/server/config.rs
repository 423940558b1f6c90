//! Server settings: limits, threads, timeouts, headers and logging.

use std::string::String;
use std::time::{Duration, Instant};

use crate::Limits;

/// How a [`Server`](super::Server) behaves. Every field has a safe default;
/// change the ones you need with struct update syntax:
///
/// ```
/// use std::time::Duration;
/// use httpwire::server::Config;
///
/// let config = Config {
///     max_connections: 64,
///     head_timeout: Duration::from_secs(5),
///     ..Config::default()
/// };
/// assert_eq!(config.limits.max_body, 8 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Parser and body limits. A declared body over `limits.max_body` gets
    /// `413` before any of it is read (a streaming endpoint has a limit of
    /// its own: [`Server::route_streaming`](super::Server::route_streaming));
    /// a head over the head limits gets `414` or `431`. Default:
    /// [`Limits::DEFAULT`] (8 MiB body, 64 KiB head).
    pub limits: Limits,
    /// How connections are mapped to threads. Default:
    /// [`IoModel::Events`] on Linux, [`IoModel::Threads`] elsewhere.
    pub io_model: IoModel,
    /// Worker threads started up front and kept ready. With
    /// [`IoModel::Events`] each waits for ready connections on an `epoll`
    /// instance of its own and serves its share of the connections, like
    /// nginx's `worker_processes`; a worker's group gets more threads only
    /// while all of them are held up (by handlers that block). With [`IoModel::Threads`] they wait for new
    /// connections. Default: the number of CPUs
    /// ([`std::thread::available_parallelism`]).
    pub workers: usize,
    /// Most connections open at once. A connection past the cap gets
    /// `503 Service Unavailable` and is closed; none is queued. It also caps
    /// the worker threads: with [`IoModel::Threads`] there is one per
    /// connection; with [`IoModel::Events`] only requests being served hold
    /// one. Default: 512.
    pub max_connections: usize,
    /// Longest time from the first byte of a request to the end of its head.
    /// A client that is slower (a byte every few seconds) gets `408` and the
    /// connection is closed. Also the longest wait for the first request on
    /// a new connection (closed silently). Default: 10 s.
    pub head_timeout: Duration,
    /// Longest wait for more body bytes while reading a body (also in each
    /// read of a streaming endpoint's [`RequestBody`](super::RequestBody)).
    /// Exceeding it gets `408` and a close. Default: 30 s.
    pub body_timeout: Duration,
    /// Longest idle time between requests on a persistent connection before
    /// it is closed silently. Default: 5 s.
    pub keep_alive_timeout: Duration,
    /// Longest time writing one response (or one batch of pipelined
    /// responses) may take; the connection is dropped when it is exceeded.
    /// Default: 30 s.
    pub write_timeout: Duration,
    /// The `Server` header value sent with every response, or `None` to send
    /// none. Default: `Some("httpwire")`.
    pub server_header: Option<String>,
    /// Write one line per request to stderr: Common Log Format plus the time
    /// taken. Default: off (the binary turns it on).
    pub access_log: bool,
    /// Stack size of the worker threads, where handlers run, and of the
    /// threads where the callbacks of protocol switches run
    /// ([`Response::switching`](super::Response::switching)). Only the pages
    /// a thread touches count in resident memory, but with
    /// [`IoModel::Threads`] (a thread per connection) a modest reservation
    /// keeps thousands of idle connections cheap in address space too.
    /// Default: 256 KiB (the server itself needs a few KiB; raise it for
    /// handlers that recurse deeply or keep large arrays on the stack).
    pub thread_stack_size: usize,
}

impl Config {
    /// The defaults listed on each field.
    pub fn new() -> Config {
        Config {
            limits: Limits::DEFAULT,
            io_model: IoModel::DEFAULT,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_connections: 512,
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(30),
            server_header: Some(String::from("httpwire")),
            access_log: false,
            thread_stack_size: 256 * 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// How a [`Server`](super::Server) maps connections to threads.
///
/// They differ in what a connection waiting for its socket holds: a thread,
/// or (event-driven) an entry in a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoModel {
    /// One thread per connection, from accept to close. Simple and portable;
    /// each request costs a switch to its connection's thread.
    Threads,
    /// Event-driven (Linux `epoll`; elsewhere the same as
    /// [`Threads`](IoModel::Threads)). A connection waiting for a request,
    /// for the rest of a head or body, for room to send responses its
    /// client does not read, or lingering after its last response holds no
    /// thread; workers take whichever connection is ready next, so a busy
    /// worker serves request after request without a switch. The workers
    /// also accept new connections themselves (no acceptor thread hands
    /// them over).
    Events,
}

impl IoModel {
    /// [`Events`](IoModel::Events) where it is implemented (Linux), else
    /// [`Threads`](IoModel::Threads).
    pub const DEFAULT: IoModel = if cfg!(target_os = "linux") {
        IoModel::Events
    } else {
        IoModel::Threads
    };
}

impl Default for IoModel {
    fn default() -> Self {
        IoModel::DEFAULT
    }
}

/// The waits of a connection, each bounded by one timeout: see
/// [`Config::deadline`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The end of a head, from its first byte (a new connection's first
    /// request, from the accept).
    Head,
    /// The next request on a persistent connection, from the last response.
    KeepAlive,
    /// More of a body, from the last bytes of it.
    Body,
    /// The socket to take the responses written, from when they were.
    Write,
    /// The client to stop sending after the last response (its bytes are
    /// read and discarded so that the close does not reset the connection).
    Linger,
    /// Event-driven: a worker to send the `408` owed by a head or body that
    /// timed out, from that deadline; a client that reads nothing keeps its
    /// socket from ever becoming writable, so the connection is then dropped.
    Answer,
}

/// How long to read and discard what a client sends after the last response.
const LINGER_TIME: Duration = Duration::from_secs(1);
/// Added to the write timeout for [`Wait::Answer`].
const ANSWER_GRACE: Duration = Duration::from_secs(1);

impl Config {
    /// When `wait`, begun at `from`, ends: every deadline of a connection is
    /// derived here.
    pub(crate) fn deadline(&self, wait: Wait, from: Instant) -> Instant {
        let timeout = match wait {
            Wait::Head => self.head_timeout,
            Wait::KeepAlive => self.keep_alive_timeout,
            Wait::Body => self.body_timeout,
            Wait::Write => self.write_timeout,
            Wait::Linger => LINGER_TIME,
            Wait::Answer => self.write_timeout.saturating_add(ANSWER_GRACE),
        };
        later(from, timeout)
    }
}

/// `t + d`, or a time so far ahead it never comes when that overflows (a
/// timeout of `Duration::MAX` means "never").
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    t.checked_add(d)
        .or_else(|| t.checked_add(CENTURY))
        .unwrap_or(t)
}
