//! One connection: read heads and bodies with the core, route, run the
//! handler, write the response; repeat while the connection persists.
//!
//! Requests are handled one after the other, so pipelined requests are
//! answered in order. Responses go through a buffered writer that is
//! flushed whenever the connection would block on a read, so a batch of
//! pipelined requests costs one flush. Every read has a deadline.
//!
//! The same code serves both I/O models. With threads ([`serve`]) a
//! connection blocks in its reads. Event-driven ([`Parked`]), wherever it
//! would block waiting for a head (or lingering after its last response)
//! it returns [`Next::Readable`] instead, keeping its progress, and is
//! resumed by whichever worker gets the readiness report; bodies are read
//! with blocking reads, as the request is then in progress.
//!
//! # Costs per request
//!
//! On a keep-alive connection a request costs two system calls of its own:
//! one `read` that brings it and one `write` (the flush before the next
//! wait) that answers it; event-driven, one `epoll_ctl` re-arms it, and a
//! share of an `epoll_wait` that reports up to 16 connections. Socket timeouts are set only when the wanted value changes
//! (it does not between requests), the idle flag the shutdown path reads is
//! an atomic, and the buffers are the connection's: the read buffer, the
//! header slots (on the stack), the [`Request`] (its head copy, field spans
//! and body vectors are cleared and reused) and the write buffer. What the
//! handler allocates for its [`Response`] is its own business.

use std::io::{self, BufWriter, Read, Write};
use std::mem;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::string::{String, ToString};
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::vec::Vec;
use std::{format, vec};

use super::config::{later, Config};
use super::router::{Decision, Router};
use super::shutdown::{Shared, Slot};
use super::types::{Request, Response};
use super::wire::{self, ConnectionField, DeadlineWriter, LogLine};
use crate::serialize::reason_phrase;
use crate::{
    BodyDecoder, Decoded, Error, Framing, Header, RequestParser, Status, TargetForm, Version,
};

/// Bytes asked of the socket per read at first: enough for a typical head
/// (and a small body) in one page. A read that fills the space doubles it,
/// up to [`MAX_READ_SIZE`]. (A connection keeps its buffers while it waits:
/// this one and the [`WRITE_SIZE`] one.)
const READ_SIZE: usize = 4 * 1024;
const MAX_READ_SIZE: usize = 64 * 1024;
/// The write buffer: responses up to this size (head and body) go out in
/// one `write`; larger bodies are written straight from the response.
const WRITE_SIZE: usize = 16 * 1024;
/// Header slots kept on the stack; a larger `limits.max_headers` gets a
/// heap slice per parse call.
const STACK_HEADERS: usize = 128;
/// A socket timeout already set is kept if it is at most this much shorter
/// than the one wanted (a read then gives up at most this early, and is
/// retried or answered 408): it saves a `setsockopt` per read.
const TIMEOUT_SLACK: Duration = Duration::from_millis(10);
/// A request's body vector is dropped after the request if it grew beyond
/// this, so that an idle connection does not keep a large body's memory.
const KEEP_BODY_CAPACITY: usize = 64 * 1024;
/// After an error response: how long, and how many bytes, to read and
/// discard so that closing does not reset the connection before the client
/// has read the response.
const LINGER_TIME: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1024 * 1024;

/// What every connection shares.
pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) router: Router,
    pub(crate) shared: Arc<Shared>,
}

/// Serves one accepted connection to its end on this thread, blocking in
/// every read (the thread-per-connection model).
pub(crate) fn serve(ctx: &Context, slot: Arc<Slot>, remote: SocketAddr, id: u64) {
    let mut conn = Connection::new(ctx, slot, remote, id, false);
    while let Flow::KeepAlive = conn.serve_one() {}
}

/// Ends a connection's registration when the connection is dropped, however
/// that happens (closed, timed out, unwound by a panic).
struct Registration {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.shared.unregister(self.id);
    }
}

/// What an event-driven connection waits for next.
pub(crate) enum Next {
    /// Nothing: it is done (dropping it closes the socket).
    Close,
    /// The socket to become readable, until the deadline; then
    /// [`Parked::on_deadline`].
    Readable(Instant),
}

/// A connection's state: everything but the shared context. A
/// [`Connection`] wraps it while a thread serves it; between two events of
/// the event-driven layer it waits in a table for its socket, to be resumed
/// by any worker thread.
pub(crate) struct Parked {
    // Dropped in this order: the write buffer is flushed before the
    // registration ends (a shutdown waiting for it then sees it gone).
    out: BufWriter<DeadlineWriter>,
    slot: Arc<Slot>,
    remote: SocketAddr,
    /// The socket's read timeout as last set (`None`: unknown).
    read_timeout: Option<Duration>,
    buf: ReadBuf,
    /// The request being served; its vectors are reused by the next one.
    request: Request,
    head: HeadProgress,
    /// A response was sent: later waits for a request use the keep-alive
    /// timeout rather than the head timeout.
    answered: bool,
    /// Event-driven: the socket was reported readable and not read since.
    ready: bool,
    /// Marked idle for the shutdown path while parked.
    marked_idle: bool,
    linger: Option<Linger>,
    /// The deadline of the wait asked for by [`Flow::Wait`].
    wait_until: Instant,
    /// Held for its `Drop`: unregisters the connection.
    _registration: Registration,
}

impl Parked {
    /// A new connection, waiting for its first request.
    pub(crate) fn accept(ctx: &Context, slot: Arc<Slot>, remote: SocketAddr, id: u64) -> Parked {
        Connection::new(ctx, slot, remote, id, true).state
    }

    /// The socket to wait on.
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.slot.stream
    }

    /// Serves what a new connection can serve now (nothing until it is
    /// readable: it only starts waiting).
    pub(crate) fn start(self, ctx: &Context) -> (Next, Parked) {
        let mut conn = Connection::resume(ctx, self);
        (conn.drive(), conn.state)
    }

    /// The socket became readable (or closed, or failed). Also the way to
    /// resume a connection whose deadline passed while bytes were waiting
    /// for it: what arrived in time is served, a head still unfinished gets
    /// `408`.
    pub(crate) fn on_readable(self, ctx: &Context) -> (Next, Parked) {
        let mut conn = Connection::resume(ctx, self);
        let next = if conn.state.linger.is_some() {
            conn.linger_step()
        } else {
            conn.state.ready = true;
            if conn.state.marked_idle {
                conn.state.marked_idle = false;
                ctx.shared.set_idle(&conn.state.slot, false);
            }
            conn.drive()
        };
        (next, conn.state)
    }

    /// What the deadline of the current wait means when it passes with no
    /// byte to read.
    pub(crate) fn expiry(&self) -> Expiry {
        match (&self.linger, self.head.started) {
            (None, Some(_)) => Expiry::Answer,
            _ => Expiry::Close,
        }
    }

    /// The deadline passed on an unfinished head ([`Expiry::Answer`]):
    /// answer `408` and close.
    pub(crate) fn on_deadline(self, ctx: &Context) -> (Next, Parked) {
        let started = match (self.expiry(), self.head.started) {
            (Expiry::Answer, Some(started)) => started,
            _ => return (Next::Close, self),
        };
        let mut conn = Connection::resume(ctx, self);
        let flow = conn.fail(Failure::Timeout, None, started);
        (conn.next(flow), conn.state)
    }
}

/// What a passed deadline calls for (see [`Parked::expiry`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Idle between requests, or lingering: close, which cannot block.
    Close,
    /// A head was started: a worker answers `408`.
    Answer,
}

/// The head being read, kept across the waits of an event-driven
/// connection so that no byte is parsed twice.
struct HeadProgress {
    parser: RequestParser,
    /// When the first byte of the request arrived.
    started: Option<Instant>,
}

impl HeadProgress {
    fn new(limits: crate::Limits) -> HeadProgress {
        HeadProgress {
            parser: RequestParser::with_limits(limits),
            started: None,
        }
    }
}

/// Reading and discarding what the client still sends after the final
/// response (see [`Connection::close_gracefully`]).
struct Linger {
    until: Instant,
    drained: usize,
}

/// Received bytes not yet consumed: `data[start..end]`. It holds at most one
/// partial head (bounded by the head limits) or a partial chunk line, plus
/// one read.
struct ReadBuf {
    data: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes asked of the socket per read.
    read_size: usize,
}

impl Default for ReadBuf {
    fn default() -> Self {
        ReadBuf {
            data: Vec::new(),
            start: 0,
            end: 0,
            read_size: READ_SIZE,
        }
    }
}

impl ReadBuf {
    fn pending(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// One read from `stream` (whose read timeout is already set).
    fn fill(&mut self, mut stream: &TcpStream) -> io::Result<usize> {
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.data.len() < self.end + self.read_size {
            self.data.resize(self.end + self.read_size, 0);
        }
        let space = self.data.len() - self.end;
        let n = stream.read(&mut self.data[self.end..])?;
        if n == space && self.read_size < MAX_READ_SIZE {
            // More was probably waiting (a large body, pipelining).
            self.read_size *= 2;
        }
        self.end += n;
        Ok(n)
    }
}

/// Whether the connection goes on after a request.
enum Flow {
    KeepAlive,
    Close,
    /// Event-driven only: wait for the socket to become readable (for more
    /// of a head, or while lingering) until `wait_until`.
    Wait,
}

/// Why a request could not be read.
enum Failure {
    /// The core rejected the head or the body framing: answer its status.
    Parse(Error),
    /// The head or body did not arrive in time: answer 408.
    Timeout,
    /// The client went away, or the socket failed: just close.
    Gone,
}

/// A read that timed out.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// How reading a head ended.
enum HeadRead {
    Head(Head),
    /// The connection ended quietly between requests (closed by the
    /// client, idle timeout, shutdown).
    Ended,
    /// Event-driven: wait for the socket to become readable.
    Wait,
}

/// What the head told us besides the request itself.
struct Head {
    framing: Framing,
    keep_alive: bool,
    expects_continue: bool,
    asterisk: bool,
    /// When the first byte of the request arrived.
    started: Instant,
}

struct Connection<'a> {
    ctx: &'a Context,
    /// Driven by the event layer: wait for readability by parking, never by
    /// blocking in a read for a head.
    evented: bool,
    /// Everything else: what a [`Parked`] connection keeps between events.
    state: Parked,
}

impl<'a> Connection<'a> {
    fn new(
        ctx: &'a Context,
        slot: Arc<Slot>,
        remote: SocketAddr,
        id: u64,
        evented: bool,
    ) -> Connection<'a> {
        // Responses are written whole and flushed once per batch: Nagle's
        // algorithm would only hold back the last segment of a batch.
        let _ = slot.stream.set_nodelay(true);
        let state = Parked {
            out: BufWriter::with_capacity(WRITE_SIZE, DeadlineWriter::new(Arc::clone(&slot))),
            slot,
            remote,
            read_timeout: None,
            buf: ReadBuf::default(),
            request: Request::empty(),
            head: HeadProgress::new(ctx.config.limits),
            answered: false,
            ready: false,
            marked_idle: false,
            linger: None,
            wait_until: Instant::now(),
            _registration: Registration {
                shared: Arc::clone(&ctx.shared),
                id,
            },
        };
        Connection {
            ctx,
            evented,
            state,
        }
    }

    fn resume(ctx: &'a Context, state: Parked) -> Connection<'a> {
        Connection {
            ctx,
            evented: true,
            state,
        }
    }

    /// Event-driven: serves requests until the connection must wait or end.
    fn drive(&mut self) -> Next {
        loop {
            match self.serve_one() {
                Flow::KeepAlive => {}
                flow => return self.next(flow),
            }
        }
    }

    fn next(&self, flow: Flow) -> Next {
        match flow {
            Flow::Wait => Next::Readable(self.state.wait_until),
            Flow::KeepAlive | Flow::Close => Next::Close,
        }
    }

    /// Event-driven linger: one read of what the client sends, discarded.
    fn linger_step(&mut self) -> Next {
        // Readable: this read does not block (a short timeout guards the
        // case where it would anyway).
        const LINGER_READ: Duration = Duration::from_millis(10);
        let mut scratch = [0u8; 4096];
        if self.state.read_timeout != Some(LINGER_READ) {
            self.state.read_timeout = None;
            if self.stream().set_read_timeout(Some(LINGER_READ)).is_err() {
                return Next::Close;
            }
            self.state.read_timeout = Some(LINGER_READ);
        }
        match self.stream().read(&mut scratch) {
            Ok(n @ 1..) => {
                let Some(linger) = self.state.linger.as_mut() else {
                    return Next::Close;
                };
                linger.drained += n;
                if linger.drained >= LINGER_BYTES || Instant::now() >= linger.until {
                    return Next::Close;
                }
                self.state.wait_until = linger.until;
                Next::Readable(linger.until)
            }
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {
                Next::Readable(self.state.wait_until)
            }
            _ => Next::Close,
        }
    }

    fn config(&self) -> &'a Config {
        &self.ctx.config
    }

    fn stream(&self) -> &TcpStream {
        &self.state.slot.stream
    }

    /// One read into the buffer, waiting at most `timeout` (a little less
    /// if a timeout already set is within [`TIMEOUT_SLACK`] of it).
    fn fill(&mut self, timeout: Duration) -> io::Result<usize> {
        // A zero timeout means "block forever" to the OS: never pass one.
        let timeout = timeout.max(Duration::from_millis(1));
        let close_enough = matches!(
            self.state.read_timeout,
            Some(set) if set <= timeout && timeout - set <= TIMEOUT_SLACK
        );
        if !close_enough {
            self.state.read_timeout = None;
            self.state.slot.stream.set_read_timeout(Some(timeout))?;
            self.state.read_timeout = Some(timeout);
        }
        self.state.buf.fill(&self.state.slot.stream)
    }

    /// Reads, routes and answers one request, in the connection's reused
    /// [`Request`].
    fn serve_one(&mut self) -> Flow {
        let mut request = mem::replace(&mut self.state.request, Request::empty());
        let flow = self.serve_request(&mut request);
        request.recycle(KEEP_BODY_CAPACITY);
        self.state.request = request;
        flow
    }

    fn serve_request(&mut self, request: &mut Request) -> Flow {
        let head = match self.read_head(request) {
            Ok(HeadRead::Head(head)) => head,
            Ok(HeadRead::Ended) => return Flow::Close,
            Ok(HeadRead::Wait) => return Flow::Wait,
            Err(failure) => {
                // Logged with the time since the request's first byte.
                let started = self.state.head.started.unwrap_or_else(Instant::now);
                return self.fail(failure, None, started);
            }
        };
        let ctx = self.ctx;
        let decision = ctx
            .router
            .decide(request.method(), request.path(), head.asterisk);
        let routed = matches!(decision, Decision::Handler(_) | Decision::Options(_));
        // A method no endpoint implements (`FROBNICATE`, `get`) is most likely
        // a client speaking something else: answer 501 and close, as for the
        // core's errors.
        let unimplemented = matches!(decision, Decision::NotImplemented);
        if head.expects_continue {
            if !routed {
                // RFC 9110 §10.1.1: a final status instead of 100 Continue;
                // the body is never read, so the connection cannot go on.
                return self.respond(&head, request, unrouted(decision), false);
            }
            // SR-8: 100 only if the client is still waiting for a body.
            let waiting = head.framing.has_body() && self.state.buf.pending().is_empty();
            if waiting && wire::write_continue(&mut self.state.out).is_err() {
                return Flow::Close;
            }
        }
        if let Err(failure) = self.read_body(request, head.framing) {
            return self.fail(failure, Some(request), head.started);
        }
        // RULES SM-12: the whole body was de-framed without error; only now
        // does a handler run.
        let response = match decision {
            Decision::Handler(handler) => {
                match panic::catch_unwind(AssertUnwindSafe(|| handler(request))) {
                    Ok(response) => response,
                    Err(payload) => {
                        log_error(
                            request,
                            &format!("handler panicked: {}", panic_message(&*payload)),
                        );
                        Response::plain(500, "Internal Server Error")
                    }
                }
            }
            other => unrouted(other),
        };
        let keep = head.keep_alive && !unimplemented && !response_asks_close(&response);
        self.respond(&head, request, response, keep)
    }

    /// Writes the response to a complete request; `keep` is whether the
    /// connection may stay open after it.
    fn respond(&mut self, head: &Head, request: &Request, response: Response, keep: bool) -> Flow {
        let keep = keep && !self.ctx.shared.stopping();
        let connection = match (keep, request.version()) {
            (false, _) => ConnectionField::Close,
            (true, Version::Http10) => ConnectionField::KeepAlive,
            (true, Version::Http11) => ConnectionField::Omit,
        };
        let head_only = request.method() == "HEAD";
        let (status, bytes) = match self.write(&response, connection, head_only, request) {
            Some(sent) => sent,
            None => return Flow::Close,
        };
        self.log(request.request_line(), status, bytes, head.started);
        self.state.answered = true;
        if keep {
            Flow::KeepAlive
        } else {
            self.close_gracefully()
        }
    }

    /// Writes `response`, or a 500 if the serializer refuses it. Returns
    /// the status and body bytes sent, or `None` if the socket failed.
    fn write(
        &mut self,
        response: &Response,
        connection: ConnectionField,
        head_only: bool,
        request: &Request,
    ) -> Option<(u16, usize)> {
        let config = self.config();
        self.state.out.get_mut().deadline = later(Instant::now(), config.write_timeout);
        let server = config.server_header.as_deref();
        match wire::write_response(&mut self.state.out, server, response, connection, head_only) {
            Ok(Ok(bytes)) => Some((response.status(), bytes)),
            Ok(Err(refused)) => {
                log_error(
                    request,
                    &format!("response refused by the serializer: {refused}"),
                );
                let fallback = Response::plain(500, "Internal Server Error");
                match wire::write_response(
                    &mut self.state.out,
                    server,
                    &fallback,
                    connection,
                    head_only,
                ) {
                    Ok(Ok(bytes)) => Some((500, bytes)),
                    _ => None,
                }
            }
            Err(_) => None,
        }
    }

    /// Answers a request that could not be read, then closes. `request` is
    /// known when the head was fine and the body was not.
    fn fail(&mut self, failure: Failure, request: Option<&Request>, started: Instant) -> Flow {
        let (status, message) = match failure {
            Failure::Parse(e) => (e.status(), e.message()),
            Failure::Timeout => (408, ""),
            Failure::Gone => return Flow::Close,
        };
        let reason = reason_phrase(status).unwrap_or("Error");
        let body = if message.is_empty() {
            reason.to_string()
        } else {
            format!("{reason}: {message}")
        };
        let response = Response::plain(status, body);
        // RFC 9110 §9.3.2: no content in a response to HEAD, even an error
        // (when the head itself was rejected, its first bytes tell).
        let head_only = match request {
            Some(r) => r.method() == "HEAD",
            None => self.state.buf.pending().starts_with(b"HEAD "),
        };
        self.state.out.get_mut().deadline = later(Instant::now(), self.config().write_timeout);
        let server = self.config().server_header.as_deref();
        let written = wire::write_response(
            &mut self.state.out,
            server,
            &response,
            ConnectionField::Close,
            head_only,
        );
        let Ok(Ok(bytes)) = written else {
            return Flow::Close;
        };
        let line = request.map_or("-", Request::request_line);
        self.log(line, status, bytes, started);
        // RULES SM-11: never read on after a framing error; answer and close.
        self.close_gracefully()
    }

    /// Flushes, shuts down our side, and reads what the client still sends
    /// for a moment, so that the close does not turn into a reset that could
    /// destroy the response before the client reads it. Event-driven, the
    /// reading is done by parking ([`Flow::Wait`] with [`Linger`]) rather
    /// than by holding a thread.
    fn close_gracefully(&mut self) -> Flow {
        if self.state.out.flush().is_err() {
            return Flow::Close;
        }
        let _ = self.stream().shutdown(Shutdown::Write);
        // Nothing is in flight any more: a shutdown may cut the linger short.
        if !self.ctx.shared.set_idle(&self.state.slot, true) {
            return Flow::Close;
        }
        let until = Instant::now() + LINGER_TIME;
        if self.evented {
            self.state.marked_idle = true;
            self.state.linger = Some(Linger { until, drained: 0 });
            self.state.wait_until = until;
            return Flow::Wait;
        }
        self.state.read_timeout = None;
        let mut drained = 0;
        let mut scratch = [0u8; 4096];
        while drained < LINGER_BYTES {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream().set_read_timeout(Some(left)).is_err() {
                return Flow::Close;
            }
            match self.stream().read(&mut scratch) {
                Ok(0) | Err(_) => return Flow::Close,
                Ok(n) => drained += n,
            }
        }
        Flow::Close
    }

    /// Flushes responses waiting in the buffer; needed before any read that
    /// may block, since the client may be waiting for them.
    fn flush(&mut self) -> Result<(), Failure> {
        self.state.out.get_mut().deadline = later(Instant::now(), self.config().write_timeout);
        self.state.out.flush().map_err(|_| Failure::Gone)
    }

    /// Reads until a complete head is parsed. Event-driven, returns
    /// [`HeadRead::Wait`] instead of blocking for more bytes; the progress
    /// so far stays in `self.state.head`.
    fn read_head(&mut self, request: &mut Request) -> Result<HeadRead, Failure> {
        let config = self.config();
        loop {
            if !self.state.buf.pending().is_empty() {
                // Empty lines before a request are ignored (RFC 9112 §2.2):
                // they do not start the head clock, so a client that sent a
                // stray CRLF and went idle is closed quietly at the
                // keep-alive timeout instead of getting a 408.
                let blank = self.state.head.started.is_none()
                    && self
                        .state
                        .buf
                        .pending()
                        .iter()
                        .all(|&b| matches!(b, b'\r' | b'\n'));
                let started = if blank {
                    Instant::now()
                } else {
                    *self.state.head.started.get_or_insert_with(Instant::now)
                };
                // The parser re-slices fields it saw in earlier calls, so a
                // fresh slice per call is all it needs: on the stack when
                // the limit allows (no allocation per request).
                let n = config.limits.max_headers;
                let mut on_stack;
                let mut on_heap;
                let headers: &mut [Header<'_>] = if n <= STACK_HEADERS {
                    on_stack = [Header::EMPTY; STACK_HEADERS];
                    &mut on_stack[..n]
                } else {
                    on_heap = vec![Header::EMPTY; n];
                    &mut on_heap
                };
                let pending = self.state.buf.pending();
                match self.state.head.parser.parse(pending, headers) {
                    Ok(Status::Complete(req)) => {
                        request.set_head(&pending[..req.head_len], &req, self.state.remote);
                        let head = Head {
                            framing: req.framing,
                            keep_alive: req.keep_alive(),
                            expects_continue: req.expects_continue(),
                            asterisk: req.target_form == TargetForm::Asterisk,
                            started,
                        };
                        let head_len = req.head_len;
                        self.state.buf.consume(head_len);
                        self.state.head = HeadProgress::new(config.limits);
                        return Ok(HeadRead::Head(head));
                    }
                    // The core refuses a byte no valid head can hold when it
                    // arrives (RULES RL-7: a TLS handshake sent to a plain
                    // port is answered 400 at once).
                    Ok(Status::Partial) => {}
                    Err(e) => return Err(Failure::Parse(e)),
                }
            }
            self.flush()?;
            let timeout = match self.state.head.started {
                Some(started) => {
                    // The head deadline runs from the request's first byte,
                    // so a client trickling bytes cannot reset it.
                    let deadline = later(started, config.head_timeout);
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Failure::Timeout);
                    }
                    if self.evented && !self.state.ready {
                        self.state.wait_until = deadline;
                        return Ok(HeadRead::Wait);
                    }
                    left
                }
                None => {
                    let timeout = if self.state.answered {
                        config.keep_alive_timeout
                    } else {
                        config.head_timeout
                    };
                    if self.evented {
                        // Readable already: the read below cannot block, so
                        // the connection is not marked idle for it.
                        if !self.state.ready {
                            if !self.ctx.shared.set_idle(&self.state.slot, true) {
                                return Ok(HeadRead::Ended);
                            }
                            self.state.marked_idle = true;
                            self.state.wait_until = later(Instant::now(), timeout);
                            return Ok(HeadRead::Wait);
                        }
                    } else if !self.ctx.shared.set_idle(&self.state.slot, true) {
                        return Ok(HeadRead::Ended);
                    }
                    timeout
                }
            };
            // Event-driven: the one read the readiness report allows.
            self.state.ready = false;
            let read = self.fill(timeout);
            if !self.evented && self.state.head.started.is_none() {
                self.ctx.shared.set_idle(&self.state.slot, false);
            }
            match read {
                Ok(0) if self.state.head.started.is_none() => return Ok(HeadRead::Ended),
                Ok(0) => return Err(Failure::Gone),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) && self.state.head.started.is_some() => {}
                Err(_) if self.state.head.started.is_none() => return Ok(HeadRead::Ended),
                Err(_) => return Err(Failure::Gone),
            }
        }
    }

    /// De-frames the body into `request` (RULES SM-12: all of it, before
    /// any handler runs). Bounded by `limits.max_body`: a larger
    /// Content-Length was refused with the head, a larger chunked body is
    /// refused by the decoder as soon as a chunk-size declares it.
    fn read_body(&mut self, request: &mut Request, framing: Framing) -> Result<(), Failure> {
        let config = self.config();
        let mut decoder = BodyDecoder::new(framing, &config.limits);
        if let Framing::Length(len) = framing {
            // Declared is not received: reserve only a little up front.
            request.body_mut().reserve(len.min(64 * 1024) as usize);
        }
        loop {
            let (consumed, done, need_more) = match decoder.decode(self.state.buf.pending()) {
                Ok((n, Decoded::Data(data))) => {
                    request.body_mut().extend_from_slice(data);
                    (n, false, false)
                }
                Ok((n, Decoded::Trailer(field))) => {
                    request.push_trailer(field);
                    (n, false, false)
                }
                Ok((n, Decoded::Done)) => (n, true, false),
                Ok((n, Decoded::NeedMore)) => (n, false, true),
                Err(e) => return Err(Failure::Parse(e)),
            };
            self.state.buf.consume(consumed);
            if done {
                return Ok(());
            }
            if need_more {
                self.flush()?;
                match self.fill(config.body_timeout) {
                    Ok(0) => return Err(Failure::Gone),
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if is_timeout(&e) => return Err(Failure::Timeout),
                    Err(_) => return Err(Failure::Gone),
                }
            }
        }
    }

    fn log(&self, request_line: &str, status: u16, bytes: usize, started: Instant) {
        if self.config().access_log {
            LogLine {
                remote: self.state.remote,
                request_line,
                status,
                bytes,
                elapsed: started.elapsed(),
            }
            .write();
        }
    }
}

/// The answer for a request no handler takes.
fn unrouted(decision: Decision<'_>) -> Response {
    match decision {
        Decision::Options(allow) => Response::new(200).with_header("Allow", allow),
        Decision::NotFound => Response::plain(404, "Not Found"),
        Decision::MethodNotAllowed(allow) => {
            Response::plain(405, "Method Not Allowed").with_header("Allow", allow)
        }
        Decision::NotImplemented | Decision::Handler(_) => Response::plain(501, "Not Implemented"),
    }
}

/// Did the handler ask to close (`Connection: close`)?
fn response_asks_close(response: &Response) -> bool {
    response.headers().any(|(name, value)| {
        name.eq_ignore_ascii_case("connection")
            && value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"))
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// Server-side problems go to stderr whether or not the access log is on.
fn log_error(request: &Request, what: &str) {
    let line = format!("httpwire: \"{}\": {what}\n", request.request_line());
    let _ = io::stderr().lock().write_all(line.as_bytes());
}
