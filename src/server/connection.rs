//! One connection: the core's [`ServerConnection`] reads the requests and
//! frames the responses; this module moves the bytes, keeps the time,
//! routes, runs the handlers and logs.
//!
//! The core owns the message sequence (RULES PC-1 to PC-6): persistence,
//! `Expect: 100-continue`, the framing of responses (HEAD, 204, 205, 304),
//! `Connection: close`, and the one error response after a protocol error.
//! Requests are handled one after the other, so pipelined requests are
//! answered in order. Responses are written to the connection's output
//! buffer (a large body straight to the socket: [`Sink`]), which is
//! sent whenever the connection would wait for a read (so a batch of
//! pipelined requests costs one `write`), or once it holds more than
//! [`OUTPUT_BOUND`]. Every wait has a deadline, from [`Config::deadline`],
//! but the wait for the producer of a body sent through a channel
//! ([`Next::Producer`]): the producer decides, the client may hang up, and
//! a shutdown's deadline cuts it off.
//! A switching response's head is sent after the output before it; then
//! the connection leaves the server ([`Parked::switch`]).
//!
//! The same code serves both I/O models. With threads ([`serve`]) a
//! connection blocks in its reads and writes, with socket timeouts.
//! Event-driven ([`Parked`]) its socket never blocks: wherever it would
//! wait (for a head, for more of a body, for the socket to take its
//! output, or the next piece of a streamed body: [`Phase::Stream`],
//! lingering after its last response) it returns [`Next`] instead,
//! keeping its progress in its [`Phase`] and buffers, and is resumed by
//! whichever worker gets the readiness report.
//!
//! A sink endpoint's body is read by the same loop as a whole body
//! ([`Connection::read_body`]), parked between reads as it is; only where
//! each piece goes differs ([`BodyTo`]): the [`BodySink`] its handler gave
//! at the head, kept in [`Phase::Body`] while the connection waits.
//!
//! A streaming endpoint's handler runs at the head and pulls the body
//! itself ([`RequestBody`]): the connection lends it the protocol state and
//! input for the rest of the exchange ([`Connection::lend`],
//! [`Connection::reclaim`]), and its reads wait on the worker's thread, at
//! most the body timeout each (its handler holds that thread anyway). What
//! the handler leaves unread is drained, parked ([`Phase::Drain`]).
//!
//! # Costs per request
//!
//! On a keep-alive connection a request costs two system calls of its own:
//! one `read` that brings it and one `write` (the send before the next
//! wait) that answers it; event-driven, a share of an `epoll_wait` that
//! reports up to 16 connections (the socket's registration stays armed:
//! no `epoll_ctl`, see [`super::events`]). Socket
//! timeouts (threads only) are set only when the wanted value changes (it
//! does not between requests), the idle flag the shutdown path reads is an
//! atomic, and the buffers are the connection's: the read buffer, the
//! header slots (on the stack), the [`Request`] (its head copy, field spans
//! and body vectors are cleared and reused), the head scratch and the
//! output buffer. What the handler allocates for its [`Response`] is its
//! own business.

use std::boxed::Box;
use std::fmt;
use std::io::{self, Read, Write};
use std::mem;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::string::String;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use std::vec::Vec;
use std::{eprintln, format, vec};

use super::body_channel::{BodySource, Piece, Waker};
use super::config::{Config, Wait};
use super::input::{Failure, ReadBuf, SocketTimeouts};
use super::request_body::{self, BodyRest, BodySink, Lent, RequestBody};
use super::router::{Decision, Handler, Router, StreamingHandler};
use super::shutdown::{Shared, Slot};
use super::switch::{self, OnSwitch};
use super::types::{Request, Response, TrailerFields};
use super::wire::{self, is_timeout, LogLine, Output, Sink, Written, KEEP_CAPACITY, OUTPUT_BOUND};
use crate::conn::{SendError, ServerConnection, ServerEvent, CONTINUE};
use crate::serialize::reason_phrase;
use crate::{EncodeError, Framing, Header, Limits, RequestParser, TargetForm};

/// Header slots kept on the stack; a larger `limits.max_headers` gets a
/// heap slice per poll.
const STACK_HEADERS: usize = 128;
/// After the last response: how many bytes to read and discard, at most,
/// so that closing does not reset the connection before the client has read
/// the response.
const LINGER_BYTES: usize = 1024 * 1024;
/// What a streaming handler left of its request body is read and discarded
/// up to this much (within one body timeout) so that the connection can go
/// on; a larger rest closes it. Go's server drains as much.
const DRAIN_BYTES: usize = 256 * 1024;
/// A streaming endpoint's declared body up to this size is received whole,
/// parked, before its handler runs ([`Connection::gather`]): one read's
/// worth, at most.
const GATHERED: u64 = 64 * 1024;

/// What every connection shares.
pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) router: Router,
    pub(crate) shared: Arc<Shared>,
    /// The limits the head parser applies: the config's, with the largest
    /// body any endpoint takes ([`Router::max_body`]); once routed, a
    /// request's body gets its endpoint's limit.
    parser_limits: Limits,
}

impl Context {
    pub(crate) fn new(config: Config, router: Router, shared: Arc<Shared>) -> Context {
        let parser_limits = Limits {
            max_body: router.max_body(config.limits.max_body),
            ..config.limits
        };
        Context {
            config,
            router,
            shared,
            parser_limits,
        }
    }
}

/// Serves one accepted connection to its end on this thread, blocking in
/// every read and write (the thread-per-connection model).
pub(crate) fn serve(ctx: &Context, slot: Arc<Slot>, remote: SocketAddr, id: u64) {
    let mut conn = Connection::new(ctx, slot, remote, id, false);
    if let Next::Switch = conn.run() {
        conn.state.switch(ctx);
    }
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
    /// The socket to take more of the output, until the deadline; then the
    /// connection is dropped.
    Writable(Instant),
    /// Nothing: the protocol switched and the output is sent; the
    /// connection leaves the server ([`Parked::switch`]).
    Switch,
    /// The producer of a streamed body ([`Phase::Stream`] from a
    /// [`body_channel`](super::body_channel)) to send, finish or go, with
    /// no deadline: the layer leaves a waker ([`Parked::await_producer`])
    /// and watches the socket only for the client hanging up (then the
    /// connection is dropped).
    Producer,
}

/// Where the server side of a connection is; the core's
/// [`ServerConnection`] keeps where the protocol is. Every wait's deadline
/// is here (but the output's: [`Parked::stalled`]), from [`Config::deadline`].
#[derive(Debug)]
enum Phase {
    /// Waiting for a request, nothing of it received (empty lines aside,
    /// RFC 9112 §2.2): closed quietly at `until` (the head timeout for a
    /// new connection, the keep-alive timeout after a response). Marked
    /// idle for the shutdown path while it waits.
    Idle { until: Instant },
    /// A head has begun: it must end by the head timeout from its first
    /// byte (a trickle cannot extend it), or get `408`.
    Head { started: Instant },
    /// The head is in the connection's [`Request`] and its body is being
    /// read (through the core's decoder, to `to`): more of it must come
    /// by `until`, the body timeout from the last bytes, or `408`.
    Body {
        head: HeadFacts,
        until: Instant,
        to: BodyTo,
    },
    /// A response's head is written and its body is taken from its source
    /// a piece at a time, each once the socket took the one before (the
    /// wait is the output's: [`Parked::stalled`]; or, a channel's, its
    /// producer's: [`Next::Producer`], without a deadline).
    Stream(Streaming),
    /// The response to a request to a streaming endpoint is written and
    /// its handler left part of the body unread: reading and discarding
    /// it, at most `left` more bytes, until `until` (one body timeout),
    /// before the next request (see [`Connection::drain`]).
    Drain { until: Instant, left: usize },
    /// The last response is written: once it is sent, shut down our side
    /// and linger.
    Closing,
    /// A switching response's head is written: once it is sent, the
    /// connection goes to the callback ([`Parked::switch`]).
    Switching(Handover),
    /// After the last response: reading and discarding what the client
    /// still sends (see [`Connection::close_gracefully`]).
    Linger { until: Instant, drained: usize },
}

/// Where the body being read goes ([`Phase::Body`]).
enum BodyTo {
    /// Into the connection's [`Request`], whole before a handler runs (a
    /// whole-body endpoint, or a request no handler takes).
    Request,
    /// To a sink endpoint's sink, a piece at a time; dropped if the body
    /// fails.
    Sink(Box<dyn BodySink>),
}

impl fmt::Debug for BodyTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BodyTo::Request => "Request",
            BodyTo::Sink(_) => "Sink",
        })
    }
}

/// A streamed response body under way ([`Phase::Stream`]).
struct Streaming {
    source: BodySource,
    trailers: Option<TrailerFields>,
    /// For the log: the status, the body bytes sent so far, and when the
    /// request's first byte arrived.
    status: u16,
    sent: usize,
    started: Instant,
}

impl fmt::Debug for Streaming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streaming")
            .field("status", &self.status)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

/// The callback of a switching response, waiting for its connection
/// ([`Phase::Switching`]).
struct Handover(OnSwitch);

impl fmt::Debug for Handover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handover")
    }
}

/// A connection's state: everything but the shared context. A
/// [`Connection`] wraps it while a thread serves it; between two events of
/// the event-driven layer it waits in a table for its socket, to be resumed
/// by any worker thread.
pub(crate) struct Parked {
    slot: Arc<Slot>,
    remote: SocketAddr,
    phase: Phase,
    /// Event-driven: the socket took only part of the output, and the rest
    /// must go by this deadline (the write timeout from when the socket
    /// first refused more), or the connection is dropped. Meanwhile the
    /// connection waits for the socket to become writable, and reads
    /// nothing.
    stalled: Option<Instant>,
    /// Received bytes not yet consumed.
    buf: ReadBuf,
    /// Response bytes not yet sent.
    out: Output,
    /// The protocol: requests in, responses out.
    conn: ServerConnection,
    /// The request being served; its vectors are reused by the next one.
    request: Request,
    /// Where response heads are written before they go to `out`.
    scratch: Vec<u8>,
    /// Threads only: the socket's timeouts as last set.
    timeouts: SocketTimeouts,
    /// While a request to a streaming endpoint is served: its body has
    /// `conn` and `buf` (those here are placeholders until
    /// [`Connection::reclaim`]).
    lent: Option<Arc<Mutex<Lent>>>,
    /// What a streaming handler's request body left: a rest unread is
    /// drained after the response ([`Phase::Drain`]); after a failed read
    /// the connection closes, the framing being in doubt.
    body_rest: BodyRest,
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

    /// After [`Next::Producer`]: leaves `waker` with the body's producer,
    /// to be called when it sends, finishes or goes. `false` if it did
    /// already (the waker is dropped): the connection must be resumed,
    /// not left waiting.
    pub(crate) fn await_producer(&mut self, waker: Waker) -> bool {
        match &mut self.phase {
            Phase::Stream(stream) => stream.source.leave_waker(waker),
            _ => false,
        }
    }

    /// Whether the connection's last read took everything its socket held
    /// (see [`ReadBuf::read_all`]). Reads of the linger, which discard,
    /// go on until the socket would block.
    pub(crate) fn read_all(&self) -> bool {
        self.buf.read_all()
    }

    /// Serves the first request if it has arrived, or starts waiting for
    /// it. The socket must never block (the event layer accepts it so):
    /// every wait parks the connection instead.
    pub(crate) fn start(self, ctx: &Context) -> (Next, Parked) {
        let mut conn = Connection::resume(ctx, self);
        (conn.run(), conn.state)
    }

    /// The socket became ready for what the connection waits for (or
    /// closed, or failed): one read or the rest of the output, then
    /// whatever it allows. Also the way to resume a connection whose
    /// deadline passed while bytes were waiting for it: what arrived in
    /// time is served, a head still unfinished gets `408`.
    pub(crate) fn on_ready(self, ctx: &Context) -> (Next, Parked) {
        let mut conn = Connection::resume(ctx, self);
        let next = conn.on_ready();
        (next, conn.state)
    }

    /// What the deadline of the current wait means when it passes with no
    /// byte to read.
    pub(crate) fn expiry(&self) -> Expiry {
        if self.stalled.is_some() {
            return Expiry::Drop;
        }
        match self.phase {
            // `408` to an unfinished head or body; a drain follows a
            // response that may still be on its way: a graceful close.
            Phase::Head { .. } | Phase::Body { .. } | Phase::Drain { .. } => Expiry::Resume,
            // A stream, or a switching response, waits only for the output
            // (`stalled`).
            Phase::Idle { .. }
            | Phase::Stream(_)
            | Phase::Closing
            | Phase::Switching(_)
            | Phase::Linger { .. } => Expiry::Close,
        }
    }

    /// The deadline passed where a worker is owed ([`Expiry::Resume`]):
    /// `408` to an unfinished head or body, a graceful close after a drain.
    pub(crate) fn on_deadline(self, ctx: &Context) -> (Next, Parked) {
        let mut conn = Connection::resume(ctx, self);
        let flow = conn.time_out();
        (conn.next(flow), conn.state)
    }

    /// The protocol switched and the output is sent ([`Next::Switch`]):
    /// the connection leaves the server (its registration ends), and its
    /// socket and the bytes read past the request go to the response's
    /// callback ([`switch::hand_over`]).
    pub(crate) fn switch(self, ctx: &Context) {
        let Parked {
            slot,
            remote,
            phase,
            mut buf,
            conn: mut core,
            _registration: registration,
            ..
        } = self;
        let Phase::Switching(Handover(on_switch)) = phase else {
            return;
        };
        // PC-6: the core says which input is the new protocol's, after the
        // end of the request if a streaming handler did not read it.
        let read_ahead = loop {
            match core.poll(buf.pending(), &mut []) {
                Ok((used, ServerEvent::EndOfRequest)) => buf.consume(used),
                Ok((_, ServerEvent::Switched(rest))) => break rest.to_vec(),
                // Not expected: the core accepted the switching head.
                _ => {
                    eprintln!("httpwire: the core did not switch; connection closed");
                    return;
                }
            }
        };
        // Unregistered first: the registry lets go of the socket, and no
        // shutdown cuts it off from under the callback.
        drop(registration);
        let stream = match Arc::try_unwrap(slot) {
            Ok(slot) => Ok(slot.stream),
            Err(slot) => slot.stream.try_clone(),
        };
        match stream {
            Ok(stream) => switch::hand_over(
                stream,
                remote,
                read_ahead,
                on_switch,
                ctx.config.thread_stack_size,
            ),
            Err(e) => eprintln!("httpwire: switched connection lost: {e}"),
        }
    }
}

/// What a passed deadline calls for (see [`Parked::expiry`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Idle between requests, or lingering: close (which cannot block),
    /// unless a request waits to be read.
    Close,
    /// A worker resumes the connection ([`Parked::on_deadline`]): a head
    /// or body was under way (`408`), or a drain after a response (a
    /// graceful close, so that the response is not lost to a reset).
    Resume,
    /// The socket did not take the output in time: close, whatever waits to
    /// be read.
    Drop,
}

/// How serving a request ended.
enum Flow {
    /// On to the next request.
    Next,
    Close,
    /// Event-driven only: wait for the socket to become readable (for more
    /// of a head or body, or while lingering) until the deadline.
    WaitRead(Instant),
    /// Event-driven only: wait for the socket to take more of the output,
    /// until the deadline.
    WaitWrite(Instant),
    /// Event-driven only: wait for a streamed body's producer
    /// ([`Next::Producer`]).
    WaitProducer,
    /// The protocol switched and the output is sent: hand over.
    Switch,
}

/// What the head told the server besides the request itself.
#[derive(Clone, Copy, Debug)]
struct HeadFacts {
    asterisk: bool,
    /// When the first byte of the request arrived.
    started: Instant,
    /// The body's declared length (0 without a body); `None` if chunked.
    length: Option<u64>,
}

struct Connection<'a> {
    ctx: &'a Context,
    /// Driven by the event layer: its socket never blocks, and every wait
    /// returns a [`Flow::WaitRead`] or [`Flow::WaitWrite`].
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
        // Responses are written whole and sent once per batch: Nagle's
        // algorithm would only hold back the last segment of a batch.
        // Event-driven, the socket has it from the listener (`events.rs`).
        if !evented {
            let _ = slot.stream.set_nodelay(true);
        }
        let config = &ctx.config;
        let state = Parked {
            slot,
            remote,
            phase: Phase::Idle {
                until: config.deadline(Wait::Head, Instant::now()),
            },
            stalled: None,
            buf: ReadBuf::default(),
            out: Output::default(),
            conn: ServerConnection::with_parser(RequestParser::with_limits(ctx.parser_limits)),
            request: Request::empty(),
            scratch: Vec::new(),
            timeouts: SocketTimeouts::default(),
            lent: None,
            body_rest: BodyRest::Read,
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

    /// Serves requests until the connection must wait (event-driven) or
    /// ends.
    fn run(&mut self) -> Next {
        loop {
            match self.serve_one() {
                Flow::Next => {}
                flow => return self.next(flow),
            }
        }
    }

    fn next(&mut self, flow: Flow) -> Next {
        match flow {
            Flow::Next => self.run(),
            Flow::Close => {
                // What a handler left (a sink, a body reader, a switch
                // callback) is dropped here, on the worker, rather than by
                // whichever thread drops the connection.
                self.state.phase = Phase::Closing;
                Next::Close
            }
            Flow::WaitRead(until) => Next::Readable(until),
            Flow::WaitWrite(until) => Next::Writable(until),
            Flow::WaitProducer => Next::Producer,
            Flow::Switch => Next::Switch,
        }
    }

    /// Event-driven: the socket is ready for what the connection waits for.
    fn on_ready(&mut self) -> Next {
        if self.state.stalled.is_some() {
            // The rest of the output first; then on where it was.
            let flow = match self.flush() {
                Err(flow) => flow,
                // The client's time (to send the next request, or more of
                // the body) runs from when it got the output; a head's
                // does not stop.
                Ok(()) => match self.state.phase {
                    Phase::Closing => self.close_gracefully(),
                    Phase::Switching(_) => Flow::Switch,
                    Phase::Idle { .. } => {
                        let until = self.config().deadline(Wait::KeepAlive, Instant::now());
                        self.state.phase = Phase::Idle { until };
                        Flow::Next
                    }
                    Phase::Body { .. } => {
                        self.renew_body_deadline();
                        Flow::Next
                    }
                    Phase::Head { .. }
                    | Phase::Stream(_)
                    | Phase::Drain { .. }
                    | Phase::Linger { .. } => Flow::Next,
                },
            };
            return self.next(flow);
        }
        match self.state.phase {
            Phase::Linger { .. } => return self.linger_step(),
            Phase::Idle { .. } => {
                self.ctx.shared.set_idle(&self.state.slot, false);
            }
            // Woken by its producer: nothing is read meanwhile (what the
            // client sends waits in the socket, not in memory).
            Phase::Stream(_) => return self.run(),
            Phase::Head { .. }
            | Phase::Body { .. }
            | Phase::Drain { .. }
            | Phase::Closing
            | Phase::Switching(_) => {}
        }
        // Bytes that arrived are read even past the deadline (a request
        // whose report waited behind a held-up worker is served); the
        // deadline is checked after. `Timeout` is a read that would block.
        match self.fill() {
            Ok(()) | Err(Failure::Timeout) => self.run(),
            Err(_) => Next::Close,
        }
    }

    /// The deadline of a read passed: what [`Parked::expiry`] says is owed.
    fn time_out(&mut self) -> Flow {
        match self.state.phase {
            Phase::Head { started } => self.fail(Failure::Timeout, None, started),
            Phase::Body { head, .. } => {
                let request = mem::replace(&mut self.state.request, Request::empty());
                let flow = self.fail(Failure::Timeout, Some(&request), head.started);
                self.state.request = request;
                flow
            }
            Phase::Drain { .. } => self.close_gracefully(),
            // The other phases' expiry is `Close`: nothing is owed.
            _ => Flow::Close,
        }
    }

    /// Event-driven linger: reads what the client sends, discarded, until
    /// the socket would block (so that what it holds is not left behind
    /// the registration's edge: [`Parked::read_all`]).
    fn linger_step(&mut self) -> Next {
        let Phase::Linger { until, mut drained } = self.state.phase else {
            return Next::Close;
        };
        let mut scratch = [0u8; 4096];
        loop {
            match self.stream().read(&mut scratch) {
                Ok(n @ 1..) => {
                    drained += n;
                    if drained >= LINGER_BYTES || Instant::now() >= until {
                        return Next::Close;
                    }
                }
                Err(e) if is_timeout(&e) => {
                    self.state.phase = Phase::Linger { until, drained };
                    return Next::Readable(until);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                _ => return Next::Close,
            }
        }
    }

    fn config(&self) -> &'a Config {
        &self.ctx.config
    }

    fn stream(&self) -> &TcpStream {
        &self.state.slot.stream
    }

    /// Threads: one read into the buffer, giving up at `deadline` (or a
    /// little before or after: [`SocketTimeouts::arm_read`]).
    fn read_before(&mut self, deadline: Instant) -> Result<(), Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Timeout);
        }
        let state = &mut self.state;
        if state.timeouts.arm_read(&state.slot.stream, left).is_err() {
            return Err(Failure::Gone);
        }
        self.fill()
    }

    /// One read into the buffer: blocking up to the socket's timeout
    /// (threads), or not at all (event-driven). A timeout, or a read that
    /// would block, is [`Failure::Timeout`]; end of stream, [`Failure::Gone`].
    fn fill(&mut self) -> Result<(), Failure> {
        match self.state.buf.fill(&self.state.slot.stream) {
            // The client closed: between requests that ends the connection;
            // inside one, the request is incomplete and is not answered
            // (RULES CL-9).
            Ok(0) => Err(Failure::Gone),
            Ok(_) => {
                self.renew_body_deadline();
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) if is_timeout(&e) => Err(Failure::Timeout),
            Err(_) => Err(Failure::Gone),
        }
    }

    /// The body timeout runs from the last bytes (or from when the client
    /// got the output it waited for), if a body is being read.
    fn renew_body_deadline(&mut self) {
        let config = self.config();
        if let Phase::Body { until, .. } = &mut self.state.phase {
            *until = config.deadline(Wait::Body, Instant::now());
        }
    }

    /// Reads, routes and answers one request, in the connection's reused
    /// [`Request`].
    fn serve_one(&mut self) -> Flow {
        let mut request = mem::replace(&mut self.state.request, Request::empty());
        let flow = self.serve_request(&mut request);
        // A body under way keeps its request while the connection waits.
        if !matches!(self.state.phase, Phase::Body { .. }) {
            request.recycle(KEEP_CAPACITY);
        }
        self.state.request = request;
        flow
    }

    fn serve_request(&mut self, request: &mut Request) -> Flow {
        let (head, fresh) = match self.state.phase {
            // Resumed while reading a body (or sending the output before
            // a streaming handler): its head is in `request`.
            Phase::Body { head, .. } => (head, false),
            // Resumed while sending a streamed body.
            Phase::Stream(_) => return self.stream_body(request),
            // Resumed while draining what a streaming handler left.
            Phase::Drain { .. } => return self.drain(),
            // Resumed while sending a switching response's head.
            Phase::Switching(_) => return self.switch_when_sent(),
            _ => match self.read_head(request) {
                Ok(head) => (head, true),
                Err(flow) => return flow,
            },
        };
        let ctx = self.ctx;
        let decision = ctx
            .router
            .decide(request.method(), request.path(), head.asterisk);
        let routed = matches!(decision, Decision::Handler(_) | Decision::Options(_));
        // A method no endpoint implements (`FROBNICATE`, `get`) is most likely
        // a client speaking something else: answer 501 and close, as for the
        // core's errors.
        let close = matches!(decision, Decision::NotImplemented);
        // RULES LM-6 with the endpoint's limit: the parser allowed the
        // largest of any endpoint.
        let max_body = match decision {
            Decision::Handler(handler) => handler.own_max_body(),
            _ => None,
        }
        .unwrap_or(ctx.config.limits.max_body);
        if fresh && max_body != ctx.parser_limits.max_body {
            if let Err(refused) = self.state.conn.limit_body(max_body) {
                return self.fail(Failure::Protocol(refused), Some(request), head.started);
            }
        }
        match decision {
            Decision::Handler(Handler::Streaming { handler, .. }) => {
                if let Err(flow) = self.gather(request, head) {
                    return flow;
                }
                return self.serve_streaming(request, &**handler, head);
            }
            Decision::Handler(Handler::Sink { start, .. }) if fresh => {
                match panic::catch_unwind(AssertUnwindSafe(|| start(request))) {
                    Ok(Ok(sink)) => {
                        self.body_to(BodyTo::Sink(sink));
                    }
                    // Refused at the head: before any `100 Continue`.
                    Ok(Err(response)) => {
                        return self.answer_early(request, response, head.started, false);
                    }
                    Err(payload) => {
                        let response = handled(request, Err(payload));
                        return self.answer_early(request, response, head.started, true);
                    }
                }
            }
            // The body goes into `request`. Declared is not received:
            // reserve only a little.
            _ if fresh => {
                let declared = head.length.unwrap_or(0).min(64 * 1024);
                request.body_mut().reserve(declared as usize);
            }
            _ => {}
        }
        match self.read_body(request, routed, head.started) {
            Ok(BodyRead::Whole) => {}
            // RFC 9110 §10.1.1: the client waits for 100 Continue before
            // its body, and the request is refused anyway: the final status
            // instead (the core closes, since the body is never read: PC-4).
            Ok(BodyRead::Refused) => {
                return self.answer_early(request, unrouted(decision), head.started, close)
            }
            Ok(BodyRead::Answered { response, close }) => {
                return self.answer_early(request, response, head.started, close)
            }
            Err(flow) => return flow,
        }
        // RULES SM-12: the whole body was de-framed without error; only now
        // does a handler run (or a sink hear the end).
        let response = match (self.body_to(BodyTo::Request), decision) {
            (BodyTo::Sink(sink), _) => handled(
                request,
                panic::catch_unwind(AssertUnwindSafe(|| sink.end(request))),
            ),
            (BodyTo::Request, Decision::Handler(Handler::Whole(handler))) => handled(
                request,
                panic::catch_unwind(AssertUnwindSafe(|| handler(request))),
            ),
            (BodyTo::Request, other) => unrouted(other),
        };
        self.respond(request, response, head.started, close)
    }

    /// Sets where the body being read goes; returns where it went.
    fn body_to(&mut self, to: BodyTo) -> BodyTo {
        match &mut self.state.phase {
            Phase::Body { to: was, .. } => mem::replace(was, to),
            _ => BodyTo::Request,
        }
    }

    /// Answers a request before its body ended (it was refused while its
    /// client waited for `100 Continue`, or a sink endpoint's sink refused
    /// it or panicked): a sink is dropped, and the rest of the body is
    /// drained after the response ([`Phase::Drain`]), unless `close` or the
    /// core closes (RULES PC-4; then it lingers, the body being unread).
    fn answer_early(
        &mut self,
        request: &Request,
        response: Response,
        started: Instant,
        close: bool,
    ) -> Flow {
        drop(self.body_to(BodyTo::Request));
        self.state.body_rest = BodyRest::Unread;
        self.respond(request, response, started, close)
    }

    /// Before a streaming handler runs: waits for a small declared body
    /// ([`GATHERED`] bytes at most) to be in the buffer whole, parked
    /// (event-driven) as a whole body's reads are, so that a trickling small
    /// body holds no thread; the handler's reads then find all of it. Not
    /// for a chunked or larger body, nor for a client that waits for
    /// `100 Continue` (the handler's first read asks for the body).
    fn gather(&mut self, request: &Request, head: HeadFacts) -> Result<(), Flow> {
        let Some(length) = head.length.filter(|&n| n <= GATHERED) else {
            return Ok(());
        };
        if request.header("expect").is_some() {
            return Ok(());
        }
        while (self.state.buf.pending().len() as u64) < length {
            self.read_body_bytes(request, head.started)?;
        }
        Ok(())
    }

    /// Runs a streaming handler as soon as the head is read, lending it the
    /// body ([`RequestBody`]), then answers. If reading the body failed,
    /// the server's answer is the failure's (RULES PC-5: `400`, `408`,
    /// `413`, or nothing to a client gone), whatever the handler returned.
    fn serve_streaming(
        &mut self,
        request: &mut Request,
        handler: &StreamingHandler,
        head: HeadFacts,
    ) -> Flow {
        // The output of the requests before goes first: a `100 Continue`
        // goes from the body straight to the socket. Event-driven, the
        // connection waits parked for it and comes back here.
        if let Err(flow) = self.flush() {
            return flow;
        }
        let body = self.lend(head.length);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| handler(request, body)));
        let failure = self
            .state
            .lent
            .as_ref()
            .and_then(|l| request_body::lock(l).failure());
        if let Some(failure) = failure {
            drop(outcome);
            if !self.reclaim() {
                return self.abandon_lent(request);
            }
            return self.fail(failure, Some(request), head.started);
        }
        let response = handled(request, outcome);
        // The body may be in the response (an echo): then the protocol
        // state stays with it until the response is sent.
        self.reclaim();
        self.respond(request, response, head.started, false)
    }

    /// Did a read of the request body being served (or just served) fail?
    fn request_body_failed(&self) -> bool {
        match &self.state.lent {
            Some(lent) => request_body::lock(lent).failure().is_some(),
            None => self.state.body_rest == BodyRest::Failed,
        }
    }

    /// Lends the connection's protocol state and input to the body of the
    /// request being served ([`Lent`]).
    fn lend(&mut self, length: Option<u64>) -> RequestBody {
        let state = &mut self.state;
        let lent = Lent::new(
            mem::take(&mut state.conn),
            mem::take(&mut state.buf),
            Arc::clone(&state.slot),
            self.evented,
            &self.ctx.config,
        );
        let lent = Arc::new(Mutex::new(lent));
        state.lent = Some(Arc::clone(&lent));
        RequestBody::new(lent, length)
    }

    /// Takes back what was lent to a request body, once nothing else holds
    /// the body. `false` while it does (a response being sent reads it, or
    /// the handler kept it).
    fn reclaim(&mut self) -> bool {
        let Some(lent) = self.state.lent.take() else {
            return true;
        };
        let lent = match Arc::try_unwrap(lent) {
            Ok(lent) => lent.into_inner().unwrap_or_else(|e| e.into_inner()),
            Err(lent) => {
                self.state.lent = Some(lent);
                return false;
            }
        };
        let returned = lent.give_back();
        let state = &mut self.state;
        state.conn = returned.conn;
        state.buf = returned.buf;
        state.body_rest = returned.rest;
        // The body may have set the socket's timeouts.
        state.timeouts = SocketTimeouts::default();
        true
    }

    /// The exchange is over while a handler still holds its request body:
    /// the body reads nothing more, and the connection closes (after what
    /// was written, if anything: the protocol state is not ours to go on
    /// with).
    fn abandon_lent(&mut self, request: &Request) -> Flow {
        if let Some(lent) = self.state.lent.take() {
            request_body::lock(&lent).end();
        }
        // Its reader may set the socket's timeouts meanwhile.
        self.state.timeouts = SocketTimeouts::default();
        log_error(
            request,
            "its handler kept the request body: connection closed",
        );
        self.close_gracefully()
    }

    /// Writes the response to a complete request (with `Connection: close`
    /// if `close`, or if the server is shutting down), then goes on to the
    /// next request if the core says the connection persists (PC-1).
    fn respond(
        &mut self,
        request: &Request,
        mut response: Response,
        started: Instant,
        close: bool,
    ) -> Flow {
        if let Some(on_switch) = response.take_on_switch() {
            // The callback of a response that does not switch is dropped.
            if wire::switches(request, &response) {
                return self.switch(request, &response, on_switch, started, close);
            }
        }
        let close = close || self.ctx.shared.stopping();
        let status = response.status();
        let (status, bytes) = match self.write(&mut response, close) {
            Ok(Ok(Written::Whole(bytes))) => (status, bytes),
            Ok(Ok(Written::Head(source))) => {
                self.state.phase = Phase::Stream(Streaming {
                    source,
                    trailers: response.take_trailers(),
                    status,
                    sent: 0,
                    started,
                });
                return self.stream_body(request);
            }
            Ok(Err(refused)) => {
                log_error(request, &format!("response refused by the core: {refused}"));
                // Its reader may be the request body: the connection takes
                // that back.
                drop(response);
                self.reclaim();
                let mut fallback = Response::plain(500, "Internal Server Error");
                match self.write(&mut fallback, close) {
                    Ok(Ok(Written::Whole(bytes))) => (500, bytes),
                    _ => return Flow::Close,
                }
            }
            Err(_) => return Flow::Close,
        };
        self.responded(request, status, bytes, started)
    }

    /// Writes the head of a switching response after the output before it
    /// and hands the connection over once it is sent ([`Flow::Switch`]). A
    /// switch the request did not ask for is a handler bug: `500` instead.
    fn switch(
        &mut self,
        request: &Request,
        response: &Response,
        on_switch: OnSwitch,
        started: Instant,
        close: bool,
    ) -> Flow {
        let server = self.config().server_header.as_deref();
        let state = &mut self.state;
        let written = if state.lent.is_some() {
            // A streaming handler kept its request body (in the callback?):
            // the connection's input is not the server's to hand over.
            Err(SendError::WrongState)
        } else {
            wire::write_switch_head(
                &mut state.out.buf,
                &mut state.conn,
                server,
                request,
                response,
            )
        };
        match written {
            Ok(()) => {
                self.log(request.request_line(), response.status(), 0, started);
                self.state.phase = Phase::Switching(Handover(on_switch));
                self.switch_when_sent()
            }
            Err(refused) => {
                log_error(request, &format!("switching response refused: {refused}"));
                // Dropped first: a request body it holds goes back to the
                // connection, which then may persist.
                drop(on_switch);
                let fallback = Response::plain(500, "Internal Server Error");
                self.respond(request, fallback, started, close)
            }
        }
    }

    /// [`Phase::Switching`]: sends the output, then hands over. Threads:
    /// blocks, within the write timeout; event-driven, what the socket does
    /// not take now waits ([`Flow::WaitWrite`]).
    fn switch_when_sent(&mut self) -> Flow {
        match self.flush() {
            Ok(()) => Flow::Switch,
            Err(flow) => flow,
        }
    }

    /// Sends a streamed body ([`Phase::Stream`]): takes a piece from its
    /// source (a reader, or a channel's producer) only once the output
    /// before it is sent, so a connection holds at most one piece
    /// ([`wire::PIECE`]). Event-driven, a socket that takes no more parks
    /// the connection ([`Flow::WaitWrite`]), and so does a channel with
    /// nothing yet ([`Flow::WaitProducer`]); with threads, the send blocks
    /// within the write timeout, and the wait for a producer blocks too. A
    /// source that fails (or panics: a reader; a sender dropped without
    /// finishing), or ends short of the announced length, ends the
    /// connection without the body's end, so the client cannot take it for
    /// complete.
    fn stream_body(&mut self, request: &Request) -> Flow {
        loop {
            if let Err(flow) = self.flush() {
                return flow;
            }
            let state = &mut self.state;
            let Phase::Stream(stream) = &mut state.phase else {
                return Flow::Close;
            };
            let out = &mut state.out;
            let socket = (!self.evented).then_some(&state.slot.stream);
            // The reader may be the request body, which takes the protocol
            // state: it is not held meanwhile.
            let read = panic::catch_unwind(AssertUnwindSafe(|| {
                out.read_piece(&mut stream.source, socket)
            }));
            let failed = match read {
                Ok(Ok(Piece::End)) => break,
                Ok(Ok(Piece::Pending)) => return Flow::WaitProducer,
                Ok(Ok(Piece::Data(n))) => {
                    let mut conn = protocol(&mut state.conn, &state.lent);
                    match state.out.frame_piece(n, &mut conn) {
                        Ok(()) => {
                            stream.sent += n;
                            continue;
                        }
                        Err(e) => format!("{e}"),
                    }
                }
                Ok(Err(e)) => format!("{e}"),
                Err(payload) => format!("its reader panicked: {}", panic_message(&*payload)),
            };
            log_error(request, &format!("response body cut short: {failed}"));
            return Flow::Close;
        }
        let Phase::Stream(stream) = mem::replace(&mut self.state.phase, Phase::Closing) else {
            return Flow::Close;
        };
        let Streaming {
            source,
            trailers,
            status,
            sent,
            started,
        } = stream;
        // A request body the reader read can come home.
        drop(source);
        self.reclaim();
        // A reader may end where the request body it reads failed (an echo
        // that takes an error for the end): the response must not look
        // complete.
        if self.request_body_failed() {
            log_error(
                request,
                "response body cut short: the request body it was read from failed",
            );
            return Flow::Close;
        }
        let trailers = match panic::catch_unwind(AssertUnwindSafe(|| trailers.map(|f| f()))) {
            Ok(fields) => fields.unwrap_or_default(),
            Err(payload) => {
                let why = panic_message(&*payload);
                log_error(
                    request,
                    &format!("response body cut short: its trailers panicked: {why}"),
                );
                return Flow::Close;
            }
        };
        let trailers: Vec<Header<'_>> = trailers
            .iter()
            .map(|(name, value)| Header {
                name,
                value: value.as_bytes(),
            })
            .collect();
        let state = &mut self.state;
        let mut fields = &trailers[..];
        let end = loop {
            let end = protocol(&mut state.conn, &state.lent).send_end(fields, &mut state.scratch);
            match end {
                // Only a chunked body has a place for trailers.
                Err(SendError::TrailersNotAllowed) => fields = &[],
                Err(SendError::Encode(EncodeError::BufferTooSmall { needed }))
                    if needed > state.scratch.len() =>
                {
                    state.scratch.resize(needed, 0);
                }
                end => break end,
            }
        };
        match end {
            Ok(end) => state.out.buf.extend_from_slice(&state.scratch[..end]),
            Err(e) => {
                log_error(request, &format!("response body cut short: {e}"));
                return Flow::Close;
            }
        }
        self.responded(request, status, sent, started)
    }

    /// The response to `request` is written: logs it, then goes on to the
    /// next request if the core says the connection persists (PC-1).
    fn responded(
        &mut self,
        request: &Request,
        status: u16,
        bytes: usize,
        started: Instant,
    ) -> Flow {
        self.log(request.request_line(), status, bytes, started);
        if !self.reclaim() {
            return self.abandon_lent(request);
        }
        let body_rest = mem::replace(&mut self.state.body_rest, BodyRest::Read);
        if body_rest == BodyRest::Failed {
            // The response is whole; what follows on the connection is not
            // to be trusted.
            log_error(
                request,
                "its request body failed after the handler returned: connection closed",
            );
            return self.close_gracefully();
        }
        if !self.state.conn.keep_alive() {
            return self.close_after_response(body_rest == BodyRest::Read);
        }
        if body_rest == BodyRest::Unread {
            let until = self.config().deadline(Wait::Body, Instant::now());
            self.state.phase = Phase::Drain {
                until,
                left: DRAIN_BYTES,
            };
            return Flow::Next;
        }
        let until = self.config().deadline(Wait::KeepAlive, Instant::now());
        self.state.phase = Phase::Idle { until };
        // A client that pipelines and does not read: no more of its requests
        // are read until the socket has taken what is beyond the bound.
        if self.state.out.pending() > OUTPUT_BOUND {
            if let Err(flow) = self.flush() {
                return flow;
            }
        }
        Flow::Next
    }

    /// Reads and discards what a streaming handler left of its request body
    /// ([`Phase::Drain`]), so that the next request can be read: at most
    /// [`DRAIN_BYTES`], within one body timeout. Event-driven, waits parked.
    /// A larger or slower rest, or a broken one, closes the connection
    /// (after the response, which is complete: nothing more is owed).
    fn drain(&mut self) -> Flow {
        loop {
            let Phase::Drain { until, left } = self.state.phase else {
                return Flow::Close;
            };
            let state = &mut self.state;
            match state.conn.poll(state.buf.pending(), &mut []) {
                Ok((used, ServerEvent::Data(data))) => {
                    let Some(left) = left.checked_sub(data.len()) else {
                        return self.close_gracefully();
                    };
                    state.buf.consume(used);
                    state.phase = Phase::Drain { until, left };
                }
                Ok((used, ServerEvent::Trailer(_))) => state.buf.consume(used),
                Ok((used, ServerEvent::EndOfRequest)) => {
                    state.buf.consume(used);
                    let until = self.config().deadline(Wait::KeepAlive, Instant::now());
                    self.state.phase = Phase::Idle { until };
                    return Flow::Next;
                }
                Ok((used, ServerEvent::NeedMore)) => {
                    state.buf.consume(used);
                    if let Err(flow) = self.flush() {
                        return flow;
                    }
                    let read = if self.evented {
                        self.fill()
                    } else {
                        self.read_before(until)
                    };
                    match read {
                        Ok(()) => {}
                        Err(Failure::Timeout) if Instant::now() >= until => {
                            return self.close_gracefully()
                        }
                        Err(Failure::Timeout) if self.evented => return Flow::WaitRead(until),
                        Err(Failure::Timeout) => {}
                        Err(_) => return Flow::Close,
                    }
                }
                // No `100 Continue` after the response; a broken body.
                Ok(_) | Err(_) => return self.close_gracefully(),
            }
        }
    }

    /// Writes `response` through the core to the output buffer.
    fn write(
        &mut self,
        response: &mut Response,
        close: bool,
    ) -> io::Result<Result<Written, crate::conn::SendError>> {
        let config = self.config();
        // Threads: a direct write blocks, within the write timeout.
        let state = &mut self.state;
        let direct = self.evented
            || state
                .timeouts
                .arm_write(&state.slot.stream, config.write_timeout)
                .is_ok();
        let mut sink = Sink {
            out: &mut state.out,
            stream: &state.slot.stream,
            direct,
        };
        wire::write_response(
            &mut sink,
            &mut protocol(&mut state.conn, &state.lent),
            &mut state.scratch,
            config.server_header.as_deref(),
            response,
            close,
        )
    }

    /// Answers a request that could not be read, as the core allows (one
    /// response with `Connection: close`, RULES PC-5, SM-11), then closes.
    /// `request` is known when the head was fine and the body was not.
    fn fail(&mut self, failure: Failure, request: Option<&Request>, started: Instant) -> Flow {
        let error = match failure {
            Failure::Protocol(refused) => refused,
            // The server stops waiting; the core says whether it may answer.
            Failure::Timeout => self.state.conn.abandon(),
            Failure::Gone => return Flow::Close,
        };
        let Some(status) = error.status else {
            // A response was under way: nothing more can be said.
            return Flow::Close;
        };
        let reason = reason_phrase(status).unwrap_or("Error");
        let message = error.error.message();
        let mut response = Response::plain(status, format!("{reason}: {message}"));
        let Ok(Ok(Written::Whole(bytes))) = self.write(&mut response, true) else {
            return Flow::Close;
        };
        let line = request.map_or("-", Request::request_line);
        self.log(line, status, bytes, started);
        self.close_gracefully()
    }

    /// Sends the output, shuts down our side, and reads what the client
    /// still sends for a moment, so that the close does not turn into a
    /// reset that could destroy the response before the client reads it.
    /// Event-driven, the reading is done by parking ([`Phase::Linger`])
    /// rather than by holding a thread.
    fn close_gracefully(&mut self) -> Flow {
        self.state.phase = Phase::Closing;
        if let Err(flow) = self.flush() {
            return flow;
        }
        let _ = self.stream().shutdown(Shutdown::Write);
        // Nothing is in flight any more: a shutdown may cut the linger short.
        if !self.ctx.shared.set_idle(&self.state.slot, true) {
            return Flow::Close;
        }
        let until = self.config().deadline(Wait::Linger, Instant::now());
        if self.evented {
            self.state.phase = Phase::Linger { until, drained: 0 };
            return Flow::WaitRead(until);
        }
        self.state.timeouts.forget_read();
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

    /// Ends the connection after the response to a request, `whole` if
    /// received to the end of its body. If nothing more of the client's
    /// has arrived either (in the buffer or the socket), closing sends a
    /// FIN, not a reset: there is nothing to linger for, and the close
    /// costs no `shutdown`, wait and read (as nginx decides with
    /// `lingering_close on`). Otherwise (requests pipelined after it, a
    /// body left unread or still coming) it lingers: [`close_gracefully`].
    ///
    /// [`close_gracefully`]: Connection::close_gracefully
    fn close_after_response(&mut self, whole: bool) -> Flow {
        if !whole || !self.state.buf.pending().is_empty() {
            return self.close_gracefully();
        }
        self.state.phase = Phase::Closing;
        if let Err(flow) = self.flush() {
            // Sent later; then it lingers.
            return flow;
        }
        // Where unread bytes are not checked, assume some: the connection
        // lingers.
        if super::input::unread_bytes(self.stream()) == Some(false) {
            return Flow::Close;
        }
        self.close_gracefully()
    }

    /// Sends the output; needed before any wait for a read, since the
    /// client may be waiting for it. Threads: blocks, within the write
    /// timeout. Event-driven: what the socket does not take now is kept,
    /// and the connection waits for it to take more ([`Flow::WaitWrite`]).
    fn flush(&mut self) -> Result<(), Flow> {
        if self.state.out.pending() == 0 {
            return Ok(());
        }
        let config = self.config();
        let state = &mut self.state;
        if self.evented {
            return match state.out.send(&state.slot.stream) {
                Ok(true) => {
                    state.stalled = None;
                    Ok(())
                }
                Ok(false) => {
                    let until = *state
                        .stalled
                        .get_or_insert_with(|| config.deadline(Wait::Write, Instant::now()));
                    Err(Flow::WaitWrite(until))
                }
                Err(_) => Err(Flow::Close),
            };
        }
        let deadline = config.deadline(Wait::Write, Instant::now());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Flow::Close);
            }
            if state.timeouts.arm_write(&state.slot.stream, left).is_err() {
                return Err(Flow::Close);
            }
            match state.out.send(&state.slot.stream) {
                Ok(true) => return Ok(()),
                // Timed out: judged against the deadline, next time round.
                Ok(false) => {}
                Err(_) => return Err(Flow::Close),
            }
        }
    }

    /// Polls the core until it hands out a request head, reading as needed.
    /// Event-driven, returns [`Flow::WaitRead`] instead of blocking for
    /// more bytes; the progress so far stays in the core's parser, the
    /// buffer and [`Phase`]. On success the connection is in
    /// [`Phase::Body`].
    fn read_head(&mut self, request: &mut Request) -> Result<HeadFacts, Flow> {
        let config = self.config();
        loop {
            // The parser re-slices fields it saw in earlier calls, so a
            // fresh slice per call is all it needs: on the stack when the
            // limit allows (no allocation per request).
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
            let started = match self.state.phase {
                Phase::Head { started } => started,
                _ => Instant::now(),
            };
            match self.state.conn.poll(pending, headers) {
                Ok((used, ServerEvent::Request(req))) => {
                    request.set_head(&pending[..used], &req, self.state.remote);
                    let asterisk = req.target_form == TargetForm::Asterisk;
                    let length = match req.framing {
                        Framing::None => Some(0),
                        Framing::Length(n) => Some(n),
                        _ => None,
                    };
                    self.state.buf.consume(used);
                    let head = HeadFacts {
                        asterisk,
                        started,
                        length,
                    };
                    let until = config.deadline(Wait::Body, Instant::now());
                    self.state.phase = Phase::Body {
                        head,
                        until,
                        to: BodyTo::Request,
                    };
                    return Ok(head);
                }
                Ok((_, ServerEvent::NeedMore)) => {}
                // The client closed between requests.
                Ok(_) => return Err(Flow::Close),
                // The core refuses a byte no valid head can hold when it
                // arrives (RULES RL-7: a TLS handshake sent to a plain port
                // is answered 400 at once).
                Err(refused) => return Err(self.fail(Failure::Protocol(refused), None, started)),
            }
            if let Phase::Idle { .. } = self.state.phase {
                // Empty lines before a request are ignored (RFC 9112 §2.2):
                // they do not start the head clock, so a client that sent a
                // stray CRLF and went idle is closed quietly at the
                // keep-alive timeout instead of getting a 408.
                if !self
                    .state
                    .buf
                    .pending()
                    .iter()
                    .all(|&b| matches!(b, b'\r' | b'\n'))
                {
                    self.state.phase = Phase::Head { started };
                }
            }
            self.flush()?;
            let deadline = match self.state.phase {
                Phase::Idle { until } => {
                    if !self.ctx.shared.set_idle(&self.state.slot, true) {
                        return Err(Flow::Close);
                    }
                    until
                }
                Phase::Head { started } => config.deadline(Wait::Head, started),
                _ => return Err(Flow::Close),
            };
            if Instant::now() >= deadline {
                return Err(match self.state.phase {
                    Phase::Head { started } => self.fail(Failure::Timeout, None, started),
                    _ => Flow::Close,
                });
            }
            if self.evented {
                return Err(Flow::WaitRead(deadline));
            }
            let read = self.read_before(deadline);
            if let Phase::Idle { .. } = self.state.phase {
                self.ctx.shared.set_idle(&self.state.slot, false);
            }
            // A timeout is judged against the deadline, next time round.
            if let Err(Failure::Gone) = read {
                return Err(Flow::Close);
            }
        }
    }

    /// De-frames the body to where it goes ([`BodyTo`]): into `request`
    /// (RULES SM-12: all of it, before any handler runs), or a piece at a
    /// time to a sink endpoint's sink; within the body timeout from the
    /// last bytes. Event-driven, returns [`Flow::WaitRead`] instead of
    /// blocking; the progress stays in `request` or the sink (in
    /// [`Phase::Body`]), the core's decoder and the buffer.
    /// Bounded by the endpoint's limit (`limits.max_body`, or its own: RULES
    /// LM-6): a larger Content-Length was refused with the head, a larger
    /// chunked body is refused by the core as soon as a chunk-size declares
    /// it. A client that waits for `100 Continue`
    /// gets it if the request is `routed`; otherwise the body is never
    /// asked for.
    fn read_body(
        &mut self,
        request: &mut Request,
        routed: bool,
        started: Instant,
    ) -> Result<BodyRead, Flow> {
        loop {
            let state = &mut self.state;
            let failure = match state.conn.poll(state.buf.pending(), &mut []) {
                Ok((used, ServerEvent::Data(data))) => {
                    let Phase::Body { to, .. } = &mut state.phase else {
                        return Err(Flow::Close);
                    };
                    let taken = match to {
                        BodyTo::Request => {
                            request.body_mut().extend_from_slice(data);
                            Ok(Ok(()))
                        }
                        BodyTo::Sink(_) if data.is_empty() => Ok(Ok(())),
                        BodyTo::Sink(sink) => {
                            panic::catch_unwind(AssertUnwindSafe(|| sink.data(data)))
                        }
                    };
                    state.buf.consume(used);
                    match taken {
                        Ok(Ok(())) => continue,
                        Ok(Err(response)) => {
                            return Ok(BodyRead::Answered {
                                response,
                                close: false,
                            })
                        }
                        // Its state is in doubt: no more of it, nor of the
                        // connection.
                        Err(payload) => {
                            return Ok(BodyRead::Answered {
                                response: handled(request, Err(payload)),
                                close: true,
                            })
                        }
                    }
                }
                Ok((used, ServerEvent::Trailer(field))) => {
                    request.push_trailer(field);
                    state.buf.consume(used);
                    continue;
                }
                Ok((used, ServerEvent::EndOfRequest)) => {
                    state.buf.consume(used);
                    return Ok(BodyRead::Whole);
                }
                // PC-4, SR-8: 100 only to a request that will be served.
                Ok((_, ServerEvent::Continue)) if !routed => return Ok(BodyRead::Refused),
                Ok((_, ServerEvent::Continue)) => {
                    state.out.buf.extend_from_slice(CONTINUE);
                    continue;
                }
                Ok((used, ServerEvent::NeedMore)) => {
                    state.buf.consume(used);
                    self.read_body_bytes(request, started)?;
                    continue;
                }
                Ok(_) => Failure::Gone,
                Err(refused) => Failure::Protocol(refused),
            };
            return Err(self.fail(failure, Some(request), started));
        }
    }

    /// One read of a body's bytes ([`Phase::Body`]), once the output is
    /// sent, within the body deadline: event-driven, a read that would
    /// block parks the connection ([`Flow::WaitRead`]); a body that comes
    /// faster than it is read is read on without a wait in between. A
    /// failed read is answered ([`fail`](Connection::fail)).
    fn read_body_bytes(&mut self, request: &Request, started: Instant) -> Result<(), Flow> {
        self.flush()?;
        let Phase::Body { until, .. } = self.state.phase else {
            return Err(Flow::Close);
        };
        let read = if self.evented {
            self.fill()
        } else {
            self.read_before(until)
        };
        match read {
            Ok(()) => Ok(()),
            Err(Failure::Timeout) if self.evented => Err(Flow::WaitRead(until)),
            Err(failure) => Err(self.fail(failure, Some(request), started)),
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

/// How reading a body ended.
enum BodyRead {
    /// All of it was read.
    Whole,
    /// The client waits for `100 Continue` and the request is refused: the
    /// body is never asked for.
    Refused,
    /// A sink endpoint's sink answered before the end (`close`: it
    /// panicked).
    Answered { response: Response, close: bool },
}

/// A handler's response, or `500` if it panicked (logged).
fn handled(request: &Request, outcome: std::thread::Result<Response>) -> Response {
    outcome.unwrap_or_else(|payload| {
        log_error(
            request,
            &format!("handler panicked: {}", panic_message(&*payload)),
        );
        Response::plain(500, "Internal Server Error")
    })
}

/// The protocol state, wherever it is: the connection's, or lent to the
/// body of the request being served ([`Lent`]). Never held while a
/// handler's reader runs, since that reader may be the body.
enum Protocol<'a> {
    Here(&'a mut ServerConnection),
    Lent(MutexGuard<'a, Lent>),
}

fn protocol<'a>(
    conn: &'a mut ServerConnection,
    lent: &'a Option<Arc<Mutex<Lent>>>,
) -> Protocol<'a> {
    match lent {
        Some(lent) => Protocol::Lent(request_body::lock(lent)),
        None => Protocol::Here(conn),
    }
}

impl std::ops::Deref for Protocol<'_> {
    type Target = ServerConnection;

    fn deref(&self) -> &ServerConnection {
        match self {
            Protocol::Here(conn) => conn,
            Protocol::Lent(lent) => &lent.conn,
        }
    }
}

impl std::ops::DerefMut for Protocol<'_> {
    fn deref_mut(&mut self) -> &mut ServerConnection {
        match self {
            Protocol::Here(conn) => conn,
            Protocol::Lent(lent) => &mut lent.conn,
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
