//! A small threaded HTTP/1.1 server over `std::net` (feature `std`).
//!
//! It drives the core over `std::net` sockets with threads; there is no
//! async runtime. Two ways to map connections to threads ([`IoModel`]):
//!
//! * **Events** (the default on Linux): a connection waiting for its socket
//!   (for a request, the rest of a head or body, or room to send the
//!   responses its client does not read) holds no thread; it waits in an
//!   `epoll` set, its progress kept. [`Config::workers`] threads, each with
//!   its own set and share of the connections, serve whichever of theirs is
//!   ready next, with sockets that never block. More threads are added
//!   while all of a set's are held up by slow handlers, up to
//!   [`Config::max_connections`].
//! * **Threads**: one thread per connection, from a pool that keeps
//!   [`Config::workers`] threads ready and grows to
//!   [`Config::max_connections`]. Portable; a switch per request.
//!
//! Per request:
//! socket bytes → a bounded read buffer → the core's
//! [`ServerConnection`](crate::conn::ServerConnection) (head, body,
//! persistence, `100 Continue`) → router → handler → the same connection
//! (the response's framing and `Connection` field) → socket.
//!
//! * **Routing**: [`Server::route`] keys endpoints by method (case-sensitive)
//!   and path prefix; the longest matching prefix wins. A path served only
//!   under other methods gets `405` with `Allow`; a method no endpoint uses
//!   gets `501`; no match gets `404 Not Found`. `HEAD` runs the `GET`
//!   endpoint and sends no body; `OPTIONS *` lists the methods.
//! * **Bodies** are read whole (Content-Length or chunked) before the handler
//!   runs, so a handler never runs, and no `2xx` is sent, for a request
//!   whose framing turns out bad (RULES SM-12). An endpoint added with
//!   [`Server::route_streaming`] reads its body itself as it arrives
//!   ([`RequestBody`]), with a limit of its own; one added with
//!   [`Server::route_sink`] gets it pushed to a [`BodySink`], a piece at
//!   a time, with a limit of its own too. Which to choose: whole is the
//!   simplest; a `RequestBody` (a `Read`) makes simple streaming code,
//!   but a worker thread waits while the body trickles in; a sink is
//!   called as pieces arrive, and between them its connection waits
//!   parked (events), holding no thread.
//! * **Response bodies** are whole ([`Response::with_body`]), read from a
//!   `Read` as the socket takes them ([`Response::with_body_reader`]), or
//!   sent over time by a producer on another thread through a bounded
//!   [`body_channel`] ([`Response::with_body_chunks`]: server-sent events,
//!   a long poll), the connection waiting for it parked (events) while it
//!   has nothing; with a length they announce `Content-Length`, otherwise
//!   they are chunked to HTTP/1.1 (trailers allowed,
//!   [`Response::with_trailers`]) and end with the connection to HTTP/1.0.
//! * **Connections** persist (HTTP/1.1, or HTTP/1.0 with keep-alive);
//!   pipelined requests are answered in order; `Expect: 100-continue` is
//!   answered before the body is read.
//! * **Protocol switches**: a handler answers `101` to a request that asked
//!   to upgrade, or a 2xx to CONNECT, with [`Response::switching`]; once
//!   the head is sent (after the answers before it), its callback gets the
//!   socket and the bytes read past the request ([`Switched`]) on a thread
//!   of its own, and the server forgets the connection (a shutdown neither
//!   waits for it nor closes it). A switch the request did not ask for
//!   gets `500`.
//! * **Errors**: a malformed request gets the core's status (400, 413, 414,
//!   431, 501, 505) with `Connection: close`, after the answers to the
//!   requests before it. A panicking handler gets `500` and is logged; the
//!   server keeps serving.
//! * **Limits and timeouts**: see [`Config`]. Past the connection cap a new
//!   connection gets `503` and is closed.
//! * **Shutdown**: [`ShutdownHandle::shutdown`] stops accepting and lets
//!   requests in flight finish within a deadline.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::time::Duration;
//! use httpwire::server::{Request, Response, Server};
//!
//! fn hello(req: &Request) -> Response {
//!     Response::text(format!("hello, {}", &req.path()["/hello/".len()..]))
//! }
//!
//! let mut server = Server::new("127.0.0.1", 0)?; // port 0: any free port
//! server
//!     .route("GET", "/hello/", hello)
//!     .route("POST", "/upload", |req: &Request| {
//!         Response::text(format!("{} bytes", req.body().len()))
//!     });
//! let running = server.spawn()?; // or `server.run()` on this thread
//!
//! let mut client = TcpStream::connect(running.local_addr())?;
//! client.set_read_timeout(Some(Duration::from_secs(5)))?;
//! client.write_all(b"GET /hello/world HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! let mut response = String::new();
//! client.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(response.ends_with("\r\n\r\nhello, world"));
//!
//! assert!(running.shutdown(Duration::from_secs(1)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod admission;
mod body_channel;
mod config;
mod connection;
#[cfg(target_os = "linux")]
mod epoll;
#[cfg(target_os = "linux")]
mod events;
mod input;
mod pool;
mod request_body;
mod router;
mod shutdown;
mod switch;
mod types;
mod wire;

use std::boxed::Box;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};
use std::string::{String, ToString};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;
use std::vec::Vec;
use std::{format, vec};

pub use body_channel::{body_channel, BodyChunks, BodySender, Gone, TrySendError};
pub use config::{Config, IoModel};
pub use request_body::{BodySink, RequestBody};
pub use shutdown::ShutdownHandle;
pub use switch::Switched;
pub use types::{Request, Response};

use admission::{AcceptErrors, AcceptFailure, Admitted, ACCEPT_PAUSE};
use connection::Context;
use pool::{Job, Pool};
use router::{Handler, Router};
use shutdown::Shared;

/// A bound HTTP/1.1 server: add endpoints with [`route`](Server::route),
/// then [`run`](Server::run) it (or [`spawn`](Server::spawn) it on a thread
/// of its own).
///
/// See the [module documentation](self) for an example.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    config: Config,
    router: Router,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds a listening socket on `ip` and `port`, as the Python original
    /// does. `ip` is an IPv4 or IPv6 address (`127.0.0.1`, `::1`, `[::1]`,
    /// `0.0.0.0`, `::`) or a host name such as `localhost`; port 0 picks a
    /// free port (see [`local_addr`](Server::local_addr)).
    ///
    /// Fails with a [`BindError`] that says what went wrong: a bad address,
    /// a port in use, no permission.
    pub fn new(ip: &str, port: u16) -> Result<Server, BindError> {
        let host = ip
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(ip);
        let shown = match host.parse::<IpAddr>() {
            Ok(addr) => SocketAddr::new(addr, port).to_string(),
            Err(_) => format!("{host}:{port}"),
        };
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(addr) => vec![SocketAddr::new(addr, port)],
            Err(_) => match (host, port).to_socket_addrs() {
                Ok(addrs) => addrs.collect(),
                Err(_) => Vec::new(),
            },
        };
        if addrs.is_empty() {
            let error = io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an IPv4 or IPv6 address, nor a host name that resolves",
            );
            return Err(BindError { addr: shown, error });
        }
        Server::bind_addrs(&addrs, shown)
    }

    /// Binds a listening socket on `addr`.
    pub fn bind(addr: SocketAddr) -> Result<Server, BindError> {
        Server::bind_addrs(&[addr], addr.to_string())
    }

    fn bind_addrs(addrs: &[SocketAddr], shown: String) -> Result<Server, BindError> {
        let bound = TcpListener::bind(addrs).and_then(|l| Ok((l.local_addr()?, l)));
        match bound {
            Ok((local_addr, listener)) => Ok(Server {
                listener,
                local_addr,
                config: Config::default(),
                router: Router::default(),
                shared: Arc::new(Shared::new(local_addr)),
            }),
            Err(error) => Err(BindError { addr: shown, error }),
        }
    }

    /// Replaces the [`Config`] (the default is [`Config::default`]).
    pub fn with_config(mut self, config: Config) -> Server {
        self.config = config;
        self
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Adds an endpoint: requests whose method is `method` (case-sensitive)
    /// and whose path starts with `path_prefix` go to `handler`. Among the
    /// matching endpoints the longest prefix wins, whatever the order they
    /// were added in. Adding the same method and prefix again replaces the
    /// handler.
    ///
    /// A prefix matches at a segment boundary: `/echo` matches `/echo` and
    /// `/echo/x` but not `/echoes`; `/echo/` matches `/echo/x` but not
    /// `/echo`; `/` matches every path, and every CONNECT target (an
    /// authority such as `example.com:443`). The path is that of the target
    /// (also for absolute-form targets), without the query, as sent.
    ///
    /// # Panics
    ///
    /// If `method` is not a token (RFC 9110 §9.1) or `path_prefix` does not
    /// start with `/`: both are programming errors.
    pub fn route<F>(&mut self, method: &str, path_prefix: &str, handler: F) -> &mut Server
    where
        F: Fn(&Request) -> Response + Send + Sync + 'static,
    {
        self.add_route(method, path_prefix, Handler::Whole(Arc::new(handler)))
    }

    /// Adds an endpoint, as [`route`](Server::route) does, whose handler
    /// reads the request body itself as it arrives, from a [`RequestBody`]
    /// (a [`Read`](std::io::Read)), instead of getting it whole: a body of
    /// any size then takes little memory. The handler runs as soon as the
    /// head is read; [`Request::body`] is empty. A small body (a declared
    /// length of at most 64 KiB, from a client that does not wait for
    /// `100 Continue`) is received whole first, its connection parked
    /// (event-driven) meanwhile, so that one trickling in holds no thread;
    /// a larger or chunked one is read on the handler's thread, each read
    /// waiting for the socket.
    ///
    /// `max_body` bounds the body (`None`: no limit) in place of
    /// [`Config::limits`]`.max_body`: a larger `Content-Length` gets `413`
    /// before the handler runs, and a chunked body that grows larger fails
    /// the handler's read, as does a broken one (see [`RequestBody`] for
    /// what the server then answers).
    ///
    /// ```no_run
    /// use std::io::Read;
    /// use httpwire::server::{Request, RequestBody, Response, Server};
    ///
    /// let mut server = Server::new("127.0.0.1", 8080)?;
    /// // Counts the bytes of an upload of up to 1 GiB, holding 64 KiB at a time.
    /// server.route_streaming("PUT", "/count", Some(1 << 30), |_: &Request, mut body: RequestBody| {
    ///     let mut buf = vec![0; 64 * 1024];
    ///     let mut total = 0;
    ///     loop {
    ///         match body.read(&mut buf) {
    ///             Ok(0) => break Response::text(format!("{total} bytes")),
    ///             Ok(n) => total += n,
    ///             // The server answers 400, 408 or 413 itself.
    ///             Err(e) => break Response::text(e.to_string()),
    ///         }
    ///     }
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    ///
    /// As [`route`](Server::route).
    pub fn route_streaming<F>(
        &mut self,
        method: &str,
        path_prefix: &str,
        max_body: Option<u64>,
        handler: F,
    ) -> &mut Server
    where
        F: Fn(&Request, RequestBody) -> Response + Send + Sync + 'static,
    {
        let handler = Handler::Streaming {
            handler: Arc::new(handler),
            max_body,
        };
        self.add_route(method, path_prefix, handler)
    }

    /// Adds an endpoint, as [`route`](Server::route) does, whose body is
    /// pushed to a [`BodySink`] a piece at a time as it arrives, instead of
    /// being read whole first: a body of any size then takes little
    /// memory, and, unlike [`route_streaming`](Server::route_streaming),
    /// a body that trickles in holds no thread between its pieces
    /// (event-driven: the connection waits in its `epoll` set, the sink
    /// kept with it). `start` runs as soon as the head is read and gives
    /// the request's sink, or an `Err(response)` that refuses the request
    /// before a client waiting for `100 Continue` sends its body (the rest
    /// is drained or the connection closes, as after a sink's early
    /// answer); [`Request::body`] stays empty.
    ///
    /// `max_body` bounds the body (`None`: no limit) in place of
    /// [`Config::limits`]`.max_body`: a larger `Content-Length` gets `413`
    /// before `start` runs, and a chunked body gets it as soon as a
    /// chunk-size declares more, so the sink never gets more than
    /// `max_body` bytes. A client that waits for `100 Continue` gets it
    /// after `start`. A body that fails is answered by the server, and the
    /// sink's [`end`](BodySink::end) is not called (see [`BodySink`]).
    ///
    /// ```no_run
    /// use std::io::Write;
    /// use httpwire::server::{BodySink, Request, Response, Server};
    ///
    /// /// Writes an upload to a file as it arrives.
    /// struct ToFile(std::fs::File);
    ///
    /// impl BodySink for ToFile {
    ///     fn data(&mut self, piece: &[u8]) -> Result<(), Response> {
    ///         self.0
    ///             .write_all(piece)
    ///             .map_err(|e| Response::text(e.to_string()).with_status(500))
    ///     }
    ///
    ///     fn end(self: Box<Self>, _: &Request) -> Response {
    ///         Response::new(201)
    ///     }
    /// }
    ///
    /// let mut server = Server::new("127.0.0.1", 8080)?;
    /// // Uploads of up to 1 GiB.
    /// server.route_sink("PUT", "/upload", Some(1 << 30), |_: &Request| {
    ///     let file = std::fs::File::create("/tmp/upload")
    ///         .map_err(|e| Response::text(e.to_string()).with_status(500))?;
    ///     Ok(Box::new(ToFile(file)) as Box<dyn BodySink>)
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    ///
    /// As [`route`](Server::route). A `start` that panics gets the client
    /// a `500` (and the connection closes).
    pub fn route_sink<F>(
        &mut self,
        method: &str,
        path_prefix: &str,
        max_body: Option<u64>,
        start: F,
    ) -> &mut Server
    where
        F: Fn(&Request) -> Result<Box<dyn BodySink>, Response> + Send + Sync + 'static,
    {
        let handler = Handler::Sink {
            start: Arc::new(start),
            max_body,
        };
        self.add_route(method, path_prefix, handler)
    }

    fn add_route(&mut self, method: &str, path_prefix: &str, handler: Handler) -> &mut Server {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        assert!(
            !method.is_empty() && method.bytes().all(token),
            "route: method {method:?} is not a token"
        );
        assert!(
            path_prefix.starts_with('/'),
            "route: path prefix {path_prefix:?} does not start with '/'"
        );
        self.router.add(method, path_prefix, handler);
        self
    }

    /// The address the server listens on (with the real port if bound to
    /// port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle to shut the server down from another thread.
    pub fn handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Accepts and serves connections until shut down through a
    /// [`ShutdownHandle`]; then waits for the connections to end (at most
    /// the grace period given to the shutdown) and returns.
    ///
    /// Fails only if the worker threads cannot be started. Errors accepting
    /// one connection (such as running out of file descriptors) are logged
    /// to stderr (once a second at most) and the server goes on after a
    /// short pause.
    pub fn run(self) -> io::Result<()> {
        let Server {
            listener,
            config,
            router,
            shared,
            ..
        } = self;
        let ctx = Arc::new(Context::new(config, router, Arc::clone(&shared)));
        #[cfg(target_os = "linux")]
        if ctx.config.io_model == IoModel::Events {
            return run_events(ctx, listener, &shared);
        }
        run_threads(ctx, listener, &shared)
    }

    /// Runs the server on a thread of its own and returns at once.
    pub fn spawn(self) -> io::Result<RunningServer> {
        let local_addr = self.local_addr;
        let handle = self.handle();
        let thread = thread::Builder::new()
            .name("httpwire-acceptor".into())
            .spawn(move || self.run())?;
        Ok(RunningServer {
            local_addr,
            handle,
            thread: Some(thread),
        })
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The thread-per-connection model: this thread accepts (blocking in
/// `accept`), admits each connection and hands it to a thread of the pool.
fn run_threads(ctx: Arc<Context>, listener: TcpListener, shared: &Shared) -> io::Result<()> {
    let pool = Pool::new(Arc::clone(&ctx), ctx.config.workers)?;
    let mut errors = AcceptErrors::default();
    loop {
        // `accept` gives the peer's address: no `getpeername` per
        // connection.
        let accepted = listener.accept();
        if shared.stopping() {
            break;
        }
        match accepted {
            Ok((stream, remote)) => {
                let Some(Admitted { slot, id }) = admission::admit(&ctx, stream, remote) else {
                    continue;
                };
                if let Err(job) = pool.dispatch(Job { slot, remote, id }) {
                    ctx.shared.unregister(job.id);
                    admission::reject(&ctx, &job.slot.stream, remote);
                }
            }
            Err(e) => {
                if errors.failed(&e) == AcceptFailure::Pause {
                    thread::sleep(ACCEPT_PAUSE);
                }
            }
        }
    }
    drop(listener);
    // Idle workers exit now; busy ones when their connection ends.
    drop(pool);
    shared.wait_drained();
    Ok(())
}

/// The event-driven model: the workers accept (see `events.rs`); this
/// thread waits for the shutdown, then closes the listener, waits for the
/// connections to end (at most the grace period) and stops the workers.
#[cfg(target_os = "linux")]
fn run_events(ctx: Arc<Context>, listener: TcpListener, shared: &Shared) -> io::Result<()> {
    let mut event_loop = events::EventLoop::start(ctx, listener)?;
    shared.wait_begun();
    event_loop.stop_accepting();
    // The workers serve the connections to their end.
    shared.wait_drained();
    event_loop.stop();
    Ok(())
}

/// A server running on its own thread (see [`Server::spawn`]). Dropping it
/// starts a shutdown with no grace period and does not wait.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl RunningServer {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle to shut the server down from elsewhere.
    pub fn handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Shuts down (see [`ShutdownHandle::shutdown`]) and waits for the
    /// server's thread. Returns `true` if every connection ended within
    /// `grace`.
    pub fn shutdown(mut self, grace: Duration) -> bool {
        let clean = self.handle.shutdown(grace);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        clean
    }

    /// Waits until the server stops (after a shutdown through a handle).
    pub fn join(mut self) -> io::Result<()> {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.handle.begin_shutdown(Duration::ZERO);
        }
    }
}

/// Why a [`Server`] could not start listening.
#[derive(Debug)]
pub struct BindError {
    addr: String,
    error: io::Error,
}

impl BindError {
    /// The address that could not be bound, as given.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The underlying error: `AddrInUse`, `AddrNotAvailable`,
    /// `PermissionDenied`, or `InvalidInput` for an address that is neither
    /// an IP address nor a host name that resolves.
    pub fn kind(&self) -> io::ErrorKind {
        self.error.kind()
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.error.kind() {
            io::ErrorKind::AddrInUse => "the port is already in use".to_string(),
            io::ErrorKind::AddrNotAvailable => {
                "the address is not one of this machine's".to_string()
            }
            io::ErrorKind::PermissionDenied => {
                "permission denied (ports below 1024 need privileges)".to_string()
            }
            _ => self.error.to_string(),
        };
        write!(f, "cannot listen on {}: {why}", self.addr)
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<BindError> for io::Error {
    fn from(e: BindError) -> io::Error {
        io::Error::new(e.error.kind(), e.to_string())
    }
}
