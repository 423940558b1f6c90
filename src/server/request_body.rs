//! The body of a request to a streaming endpoint ([`RequestBody`]), which
//! its handler reads from the socket itself, and what a sink endpoint's
//! body is pushed to ([`BodySink`]).
//!
//! A streaming handler runs on a worker thread and pulls its body through
//! the core's [`ServerConnection`] (body events, chunked decoding,
//! `100 Continue`), blocking in each read for at most the body timeout
//! from the last bytes. For that, the connection lends the body what
//! reading needs ([`Lent`]: the protocol state, the bytes received, the
//! socket) for the rest of the exchange, and takes it back once nothing
//! holds the body any more; a response whose reader is the body (an echo)
//! frames its pieces through the same protocol state meanwhile. A reader
//! waits on the socket with the lock released ([`SocketIo`]), so the
//! connection never waits for a body read on another thread.

use std::boxed::Box;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use std::vec::Vec;

use super::config::{later, Config};
use super::input::{wait_ready, Failure, ReadBuf, SocketTimeouts};
use super::shutdown::Slot;
use super::types::{Request, Response};
use super::wire::is_timeout;
use crate::conn::{ServerConnection, ServerEvent, CONTINUE};

/// How far a lent body was read.
#[derive(Clone, Copy, Debug)]
enum Progress {
    Reading,
    /// The core said [`ServerEvent::EndOfRequest`].
    Ended,
    Failed(Failure),
    /// Its exchange ended while a handler still held the body (the
    /// connection is closed): nothing more is read.
    Over,
}

/// Body data the core handed out and the reader did not take whole: the
/// event consumed `used` bytes of the buffer; its data is
/// `pending[at..end]` (`at` advances as the reader takes it).
#[derive(Clone, Copy, Debug)]
struct DataSpan {
    used: usize,
    at: usize,
    end: usize,
}

/// What a connection lends the body of a request to a streaming endpoint
/// for the rest of its exchange: the protocol state, the bytes received
/// (and the next pipelined request's, if they came with the body) and the
/// socket, with what reading it needs (its own record of the socket's
/// timeouts). The connection takes it back when nothing else holds it
/// ([`Lent::give_back`]); meanwhile it frames the response through the
/// same [`conn`](Lent::conn).
pub(crate) struct Lent {
    pub(crate) conn: ServerConnection,
    /// The bytes received and the socket's timeouts; `None` while a reader
    /// waits on the socket with them, outside the lock ([`with_lent`]).
    io: Option<SocketIo>,
    slot: Arc<Slot>,
    data: Option<DataSpan>,
    progress: Progress,
    /// The socket never blocks (event-driven): waits are `poll`s.
    evented: bool,
    body_timeout: Duration,
    write_timeout: Duration,
}

/// What [`Lent::give_back`] returns to the connection.
pub(crate) struct Returned {
    pub(crate) conn: ServerConnection,
    pub(crate) buf: ReadBuf,
    pub(crate) rest: BodyRest,
}

/// What is left of a request body when the connection takes it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyRest {
    /// Nothing: it was read to its end (or nothing more will be read).
    Read,
    /// It was not read to its end: the rest is still to come.
    Unread,
    /// A read failed (timeout, limit, broken framing, client gone),
    /// perhaps after its handler returned: the framing is in doubt.
    Failed,
}

/// A panic while holding the lock cannot leave a [`Lent`] half-updated in
/// a way that matters more than the panic: a poisoned lock is used as is.
pub(crate) fn lock(lent: &Mutex<Lent>) -> MutexGuard<'_, Lent> {
    lent.lock().unwrap_or_else(|e| e.into_inner())
}

impl Lent {
    pub(crate) fn new(
        conn: ServerConnection,
        buf: ReadBuf,
        slot: Arc<Slot>,
        evented: bool,
        config: &Config,
    ) -> Lent {
        Lent {
            conn,
            io: Some(SocketIo {
                buf,
                timeouts: SocketTimeouts::default(),
            }),
            slot,
            data: None,
            progress: Progress::Reading,
            evented,
            body_timeout: config.body_timeout,
            write_timeout: config.write_timeout,
        }
    }

    /// Why reading the body failed, if it did.
    pub(crate) fn failure(&self) -> Option<Failure> {
        match self.progress {
            Progress::Failed(failure) => Some(failure),
            _ => None,
        }
    }

    /// The exchange is over while a handler holds on to the body: reads
    /// fail from now on.
    pub(crate) fn end(&mut self) {
        self.progress = Progress::Over;
        // Not even the rest of data already handed out.
        if let (Some(span), Some(io)) = (self.data.take(), self.io.as_mut()) {
            io.buf.consume(span.used);
        }
    }

    /// Gives back what was lent. Data the core handed out and the reader
    /// left is dropped from the buffer (the core counted it as read).
    pub(crate) fn give_back(self) -> Returned {
        let rest = match self.progress {
            Progress::Reading => BodyRest::Unread,
            Progress::Failed(_) => BodyRest::Failed,
            Progress::Ended | Progress::Over => BodyRest::Read,
        };
        // A reader that still had the buffer out cannot give it back (it
        // holds the body, so it cannot be here): the framing is in doubt.
        let Some(SocketIo { mut buf, .. }) = self.io else {
            return Returned {
                conn: self.conn,
                buf: ReadBuf::default(),
                rest: BodyRest::Failed,
            };
        };
        if let Some(span) = self.data {
            buf.consume(span.used);
        }
        Returned {
            conn: self.conn,
            buf,
            rest,
        }
    }

    /// One step of a read into `out`: data taken, the end, a failure, or
    /// the socket to wait on first.
    fn read_step(&mut self, out: &mut [u8]) -> Step<usize> {
        loop {
            if let Some(n) = self.take_data(out) {
                return Step::Done(Ok(n));
            }
            if let Some(done) = self.settled() {
                return Step::Done(done.map(|()| 0));
            }
            if self.advance() {
                return Step::WaitForBytes;
            }
        }
    }

    /// One step of [`RequestBody::start`]: on until the core hands out data
    /// or the body ends, taking nothing.
    fn start_step(&mut self) -> Step<()> {
        loop {
            if self.data.is_some() {
                return Step::Done(Ok(()));
            }
            if let Some(done) = self.settled() {
                return Step::Done(done);
            }
            if self.advance() {
                return Step::WaitForBytes;
            }
        }
    }

    /// What a read gets once nothing more will come: `Ok` at the end, the
    /// error after a failure; `None` while reading.
    fn settled(&self) -> Option<io::Result<()>> {
        match self.progress {
            Progress::Reading => None,
            Progress::Ended => Some(Ok(())),
            Progress::Failed(failure) => Some(Err(failure.to_io(self.body_timeout))),
            Progress::Over => Some(Err(io::Error::other(
                "the request body is read after its exchange ended",
            ))),
        }
    }

    /// Copies what `out` takes of the data handed out; `None` if there is
    /// none.
    fn take_data(&mut self, out: &mut [u8]) -> Option<usize> {
        let span = self.data.as_mut()?;
        let buf = &mut self.io.as_mut()?.buf;
        let data = buf.pending().get(span.at..span.end).unwrap_or_default();
        let n = data.len().min(out.len());
        out.get_mut(..n)?.copy_from_slice(data.get(..n)?);
        span.at += n;
        if span.at >= span.end {
            let used = span.used;
            self.data = None;
            buf.consume(used);
        }
        // Empty data is no data: a read of 0 would mean the end.
        (n > 0 || out.is_empty()).then_some(n)
    }

    /// One event from the core: data (kept in [`DataSpan`]), the end or a
    /// failure (in `progress`), or a `100 Continue` sent; `true` if the
    /// socket is to be waited on for more bytes.
    fn advance(&mut self) -> bool {
        let Some(io) = self.io.as_mut() else {
            self.progress = Progress::Failed(Failure::Gone);
            return false;
        };
        let pending = io.buf.pending();
        let failure = match self.conn.poll(pending, &mut []) {
            Ok((used, ServerEvent::Data(data))) => {
                // `data` is a sub-slice of `pending`, by the core's contract.
                let at = (data.as_ptr() as usize).checked_sub(pending.as_ptr() as usize);
                match at.and_then(|at| Some((at, at.checked_add(data.len())?))) {
                    Some((at, end)) => {
                        self.data = Some(DataSpan { used, at, end });
                        return false;
                    }
                    None => Failure::Gone,
                }
            }
            // Trailer fields are checked by the core and not kept.
            Ok((used, ServerEvent::Trailer(_))) => {
                io.buf.consume(used);
                return false;
            }
            Ok((used, ServerEvent::EndOfRequest)) => {
                io.buf.consume(used);
                self.progress = Progress::Ended;
                return false;
            }
            // Sent under the lock, so that a response the connection frames
            // meanwhile (the handler kept the body) cannot go before it.
            Ok((_, ServerEvent::Continue)) => {
                match io.send_continue(&self.slot.stream, self.evented, self.write_timeout) {
                    Ok(()) => return false,
                    Err(failure) => failure,
                }
            }
            Ok((used, ServerEvent::NeedMore)) => {
                io.buf.consume(used);
                return true;
            }
            // Not events of a body being read.
            Ok(_) => Failure::Gone,
            Err(refused) => Failure::Protocol(refused),
        };
        self.progress = Progress::Failed(failure);
        false
    }

    /// Lends what waiting on the socket for more bytes takes, to be done
    /// with the lock released.
    fn wait_for_bytes(&mut self) -> Wait {
        Wait {
            io: self.io.take(),
            slot: Arc::clone(&self.slot),
            evented: self.evented,
            timeout: self.body_timeout,
        }
    }

    /// Takes back what [`wait_for_bytes`](Lent::wait_for_bytes) lent, with the wait's
    /// result. An exchange that ended meanwhile stays ended.
    fn waited(&mut self, wait: Wait, result: Result<(), Failure>) {
        self.io = wait.io;
        if let (Err(failure), Progress::Reading) = (result, self.progress) {
            self.progress = Progress::Failed(failure);
        }
    }
}

/// What a step under the lock leads to: a result, or a wait on the socket
/// for more bytes (within the body timeout from now).
enum Step<T> {
    Done(io::Result<T>),
    WaitForBytes,
}

/// What a lent body's socket I/O uses: taken out of the [`Lent`] while a
/// reader waits on the socket, so that the lock is not held meanwhile.
struct SocketIo {
    buf: ReadBuf,
    timeouts: SocketTimeouts,
}

/// A wait on the socket, done with the lock released ([`with_lent`]).
struct Wait {
    io: Option<SocketIo>,
    slot: Arc<Slot>,
    evented: bool,
    timeout: Duration,
}

/// Runs `step` under the lock until it is done; every wait on the socket it
/// asks for happens with the lock released, so that the connection
/// (framing the response, or ending the exchange) never waits for a body
/// read on another thread.
fn with_lent<T>(lent: &Mutex<Lent>, mut step: impl FnMut(&mut Lent) -> Step<T>) -> io::Result<T> {
    loop {
        let mut wait = {
            let mut lent = lock(lent);
            match step(&mut lent) {
                Step::Done(done) => return done,
                Step::WaitForBytes => lent.wait_for_bytes(),
            }
        };
        let result = wait.run();
        lock(lent).waited(wait, result);
    }
}

impl Wait {
    fn run(&mut self) -> Result<(), Failure> {
        let Some(io) = self.io.as_mut() else {
            return Err(Failure::Gone);
        };
        io.read_more(&self.slot.stream, self.evented, self.timeout)
    }
}

impl SocketIo {
    /// Reads from the socket into the buffer, waiting at most `timeout`
    /// (RULES CL-9: the end of the stream inside a body is
    /// [`Failure::Gone`], never the end of the body).
    fn read_more(
        &mut self,
        stream: &TcpStream,
        evented: bool,
        timeout: Duration,
    ) -> Result<(), Failure> {
        let deadline = later(Instant::now(), timeout);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Timeout);
            }
            if !evented {
                self.timeouts
                    .arm_read(stream, left)
                    .map_err(|_| Failure::Gone)?;
            }
            match self.buf.fill(stream) {
                Ok(0) => return Err(Failure::Gone),
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    if evented {
                        wait_ready(stream, false, left).map_err(|_| Failure::Gone)?;
                    }
                }
                Err(_) => return Err(Failure::Gone),
            }
        }
    }

    /// Writes `100 Continue` (RULES PC-4) straight to the socket, within
    /// `timeout`: the output before it was sent before the handler ran, and
    /// no response has begun (the lock is held: none can begin meanwhile).
    fn send_continue(
        &mut self,
        mut stream: &TcpStream,
        evented: bool,
        timeout: Duration,
    ) -> Result<(), Failure> {
        let deadline = later(Instant::now(), timeout);
        let mut sent = 0;
        while let Some(rest) = CONTINUE.get(sent..).filter(|r| !r.is_empty()) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Gone);
            }
            if !evented {
                self.timeouts
                    .arm_write(stream, left)
                    .map_err(|_| Failure::Gone)?;
            }
            match stream.write(rest) {
                Ok(0) => return Err(Failure::Gone),
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    if evented {
                        wait_ready(stream, true, left).map_err(|_| Failure::Gone)?;
                    }
                }
                Err(_) => return Err(Failure::Gone),
            }
        }
        Ok(())
    }
}

/// The body of a request to a streaming endpoint (see
/// [`Server::route_streaming`](super::Server::route_streaming)), read as it
/// arrives: a [`Read`] that de-frames it (chunked or Content-Length) and
/// ends where the body ends, whatever follows on the connection.
///
/// Each read waits at most the body timeout
/// ([`Config::body_timeout`](Config::body_timeout)) for more of it.
/// The first read (or [`start`](RequestBody::start)) tells a client that
/// waits for `100 Continue` to send it. Trailer fields of a chunked body
/// are checked and dropped.
///
/// A read fails, and every one after it, when the body cannot be read:
///
/// * it is larger than the endpoint's limit ([`io::ErrorKind::InvalidData`],
///   its inner error a [`ProtocolError`](crate::conn::ProtocolError) with status `413`), or its chunked
///   coding is broken (the same, status `400`);
/// * no bytes of it came within the body timeout
///   ([`io::ErrorKind::TimedOut`]; status `408`);
/// * the client closed the connection or it failed
///   ([`io::ErrorKind::UnexpectedEof`]).
///
/// The server then answers with that status (if no response has begun
/// and the client is still there) whatever the handler returns, and closes
/// the connection. A handler that does not read the body to its end
/// leaves the server the rest: it reads and discards up to 256 KiB of it,
/// within one body timeout, so that the connection can go on; a larger or
/// slower rest closes the connection after the response.
///
/// It can become the body of the response (an echo, a transformation), as
/// a [`Response::with_body_reader`](super::Response::with_body_reader): the
/// response head is then sent before the body is read, so call
/// [`start`](RequestBody::start) first if a client may wait for
/// `100 Continue`.
pub struct RequestBody {
    source: Source,
    content_length: Option<u64>,
}

/// Where a [`RequestBody`] comes from.
enum Source {
    Connection(Arc<Mutex<Lent>>),
    /// Built by hand ([`RequestBody::from_reader`]).
    Reader(Box<dyn Read + Send>),
}

impl RequestBody {
    pub(crate) fn new(lent: Arc<Mutex<Lent>>, content_length: Option<u64>) -> RequestBody {
        RequestBody {
            source: Source::Connection(lent),
            content_length,
        }
    }

    /// A body held in memory, with its length declared: for testing a
    /// streaming handler without a socket, as
    /// [`Request::from_parts`](super::Request::from_parts) is for others.
    ///
    /// ```
    /// use std::io::Read;
    /// use httpwire::server::{Request, RequestBody, Response};
    ///
    /// fn count(_: &Request, mut body: RequestBody) -> Response {
    ///     let mut all = Vec::new();
    ///     match body.read_to_end(&mut all) {
    ///         Ok(n) => Response::text(n.to_string()),
    ///         Err(e) => Response::text(e.to_string()),
    ///     }
    /// }
    ///
    /// let req = Request::from_parts("POST", "/count", &[], b"");
    /// let body = RequestBody::from_bytes("hello");
    /// assert_eq!(body.content_length(), Some(5));
    /// assert_eq!(count(&req, body).body(), b"5");
    /// ```
    pub fn from_bytes(body: impl Into<Vec<u8>>) -> RequestBody {
        let body = body.into();
        let length = body.len() as u64;
        RequestBody::from_reader(io::Cursor::new(body), Some(length))
    }

    /// A body read from `reader`, with the length a request would declare
    /// (`None`: as for a chunked body), for testing a streaming handler
    /// without a socket: a body of unknown length, or one whose read fails.
    ///
    /// ```
    /// use std::io::Read;
    /// use httpwire::server::RequestBody;
    ///
    /// let mut body = RequestBody::from_reader(&b"chunked"[..], None);
    /// assert_eq!(body.content_length(), None);
    /// let mut all = String::new();
    /// body.read_to_string(&mut all).unwrap();
    /// assert_eq!(all, "chunked");
    /// ```
    pub fn from_reader(
        reader: impl Read + Send + 'static,
        content_length: Option<u64>,
    ) -> RequestBody {
        RequestBody {
            source: Source::Reader(Box::new(reader)),
            content_length,
        }
    }

    /// The length the request declared (`Content-Length`; 0 for a request
    /// without a body), or `None` for a chunked body.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Starts reading: waits (as a read does) until the body has begun to
    /// arrive, or ended, and takes none of it. A client that waits for
    /// `100 Continue` (RFC 9110 §10.1.1) gets it first, as at the first
    /// read. For a handler that answers before it reads, as one does whose
    /// response streams this body back: a response head sent before the
    /// body began would have to close the connection after it (RULES PC-4),
    /// and would come too late for the `100`.
    ///
    /// Fails as a read would.
    pub fn start(&mut self) -> io::Result<()> {
        match &mut self.source {
            Source::Connection(lent) => with_lent(lent, Lent::start_step),
            Source::Reader(_) => Ok(()),
        }
    }
}

impl Read for RequestBody {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        match &mut self.source {
            Source::Connection(lent) => with_lent(lent, |lent| lent.read_step(out)),
            Source::Reader(body) => body.read(out),
        }
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBody")
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// Where the body of a request to a sink endpoint goes (see
/// [`Server::route_sink`](super::Server::route_sink)): its pieces are
/// pushed to it as they arrive, de-framed (Content-Length or chunked), then
/// it is told the end and answers.
///
/// The connection reads the body and calls the sink; between two pieces
/// it waits for its socket without holding a thread (event-driven, see
/// [`IoModel::Events`](super::IoModel::Events)), the sink kept with it.
/// The pieces are what each read brought, of any size (a read takes at
/// most 64 KiB). The sink is called on a worker thread: one that blocks
/// holds that thread, as a slow handler does. It is usually dropped there
/// too, but a connection dropped by the server's timer (a client that
/// stopped taking a response) drops its sink on the timer's thread: a
/// sink's `Drop` should not block.
///
/// A body that cannot be read to its end (larger than the endpoint's
/// limit: `413`; broken chunked coding: `400`; no bytes of it within the
/// body timeout: `408`; the client gone: no answer) is answered by the
/// server, which closes the connection: the sink is then dropped, and
/// [`end`](BodySink::end) is never called. A sink that panics (in
/// [`data`](BodySink::data) or `end`) gets the client a `500`.
///
/// A sink is tested without a socket by calling it as the server would:
///
/// ```
/// use httpwire::server::{BodySink, Request, Response};
///
/// /// Counts the bytes of a body, and refuses one that starts with `!`.
/// struct Count(usize);
///
/// impl BodySink for Count {
///     fn data(&mut self, piece: &[u8]) -> Result<(), Response> {
///         if self.0 == 0 && piece.starts_with(b"!") {
///             return Err(Response::text("no shouting").with_status(422));
///         }
///         self.0 += piece.len();
///         Ok(())
///     }
///
///     fn end(self: Box<Self>, _: &Request) -> Response {
///         Response::text(format!("{} bytes", self.0))
///     }
/// }
///
/// let req = Request::from_parts("POST", "/count", &[], b"");
/// let mut sink: Box<dyn BodySink> = Box::new(Count(0));
/// sink.data(b"hello, ").unwrap();
/// sink.data(b"world").unwrap();
/// assert_eq!(sink.end(&req).body(), b"12 bytes");
/// assert_eq!(Count(0).data(b"!!").unwrap_err().status(), 422);
/// ```
pub trait BodySink: Send {
    /// The next piece of the body (never empty). `Err(response)` answers
    /// the request with `response` at once: the rest of the body goes to
    /// no sink (the server reads and discards a little of it so that the
    /// connection can go on, or closes the connection).
    fn data(&mut self, piece: &[u8]) -> Result<(), Response>;

    /// The body ended, whole and well framed; the response. The trailer
    /// fields of a chunked body, checked by the server, are in
    /// [`Request::trailers`].
    fn end(self: Box<Self>, request: &Request) -> Response;
}
