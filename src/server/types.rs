//! What a handler gets ([`Request`]) and what it returns ([`Response`]).

use std::borrow::Cow;
use std::boxed::Box;
use std::fmt;
use std::io::Read;
use std::net::SocketAddr;
use std::ops::Range;
use std::string::{String, ToString};
use std::vec::Vec;

use super::body_channel::{BodyChunks, BodySource};
use super::switch::{OnSwitch, Switched};
use crate::{Header, TargetForm, Version};

/// A request whose head was validated and whose body was read to its end.
///
/// It owns a copy of the head bytes (method, target and fields are slices of
/// it) and the de-framed body: a handler never sees chunked coding, and
/// never runs before the whole body arrived without a framing error. (The
/// handler of a streaming endpoint, [`Server::route_streaming`], runs at the
/// head and reads the body from its [`RequestBody`]; its request's body is
/// empty.)
///
/// [`Server::route_streaming`]: super::Server::route_streaming
/// [`RequestBody`]: super::RequestBody
///
/// ```
/// use httpwire::server::Request;
///
/// let req = Request::from_parts("POST", "/echo/x?y=1", &[("Content-Type", "text/plain")], b"hi");
/// assert_eq!(req.method(), "POST");
/// assert_eq!(req.path(), "/echo/x");
/// assert_eq!(req.query(), Some("y=1"));
/// assert_eq!(req.header_str("content-type"), Some("text/plain"));
/// assert_eq!(req.body(), b"hi");
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    /// The head as received, request-line to final CRLF.
    head: Vec<u8>,
    method: Range<usize>,
    target: Range<usize>,
    /// `None` when the path is not in the head (an absolute-form target
    /// with an empty path, whose path is `/`).
    path: Option<Range<usize>>,
    query: Option<Range<usize>>,
    target_form: TargetForm,
    version: Version,
    /// (name, value) spans in `head`.
    headers: Vec<(Range<usize>, Range<usize>)>,
    trailers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    remote_addr: Option<SocketAddr>,
}

/// Where `part` sits inside `whole`, if it is a sub-slice of it.
fn span_of(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

impl Request {
    /// A request with nothing in it (and nothing allocated), to be filled
    /// by [`set_head`](Request::set_head).
    pub(crate) fn empty() -> Request {
        Request {
            head: Vec::new(),
            method: 0..0,
            target: 0..0,
            path: None,
            query: None,
            target_form: TargetForm::Origin,
            version: Version::Http11,
            headers: Vec::new(),
            trailers: Vec::new(),
            body: Vec::new(),
            remote_addr: None,
        }
    }

    /// Copies a parsed head out of the connection's buffer. `head` must be
    /// the bytes `req` was parsed from, up to `req.head_len`.
    #[cfg(test)]
    pub(crate) fn from_head(
        head: &[u8],
        req: &crate::Request<'_, '_>,
        remote: SocketAddr,
    ) -> Request {
        let mut request = Request::empty();
        request.set_head(head, req, remote);
        request
    }

    /// Makes this the request whose head `req` was parsed from `head` (the
    /// bytes up to `req.head_len`), with an empty body: the head is copied
    /// into this request's vectors, reused from the request before.
    pub(crate) fn set_head(
        &mut self,
        head: &[u8],
        req: &crate::Request<'_, '_>,
        remote: SocketAddr,
    ) {
        let span = |s: &[u8]| span_of(head, s).unwrap_or(0..0);
        self.headers.clear();
        self.headers.extend(
            req.headers
                .iter()
                .map(|h| (span(h.name.as_bytes()), span(h.value))),
        );
        self.method = span(req.method.as_bytes());
        self.target = span(req.target.as_bytes());
        self.path = span_of(head, req.path().as_bytes());
        self.query = req.query().and_then(|q| span_of(head, q.as_bytes()));
        self.target_form = req.target_form;
        self.version = req.version;
        self.trailers.clear();
        self.body.clear();
        self.remote_addr = Some(remote);
        self.head.clear();
        self.head.extend_from_slice(head);
    }

    /// Empties the request for reuse, keeping its vectors' memory unless
    /// the body's grew beyond `keep_body` bytes.
    pub(crate) fn recycle(&mut self, keep_body: usize) {
        self.trailers.clear();
        if self.body.capacity() > keep_body {
            self.body = Vec::new();
        } else {
            self.body.clear();
        }
    }

    /// Builds a request by hand, for testing handlers without a socket. The
    /// target is taken as origin-form (`/path?query`); the version is
    /// HTTP/1.1.
    pub fn from_parts(
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Request {
        let mut head = Vec::new();
        head.extend_from_slice(method.as_bytes());
        head.push(b' ');
        let target_start = head.len();
        head.extend_from_slice(target.as_bytes());
        let target_end = head.len();
        head.extend_from_slice(b" HTTP/1.1\r\n");
        let mut spans = Vec::new();
        for (name, value) in headers {
            let name_start = head.len();
            head.extend_from_slice(name.as_bytes());
            let name_end = head.len();
            head.extend_from_slice(b": ");
            let value_start = head.len();
            head.extend_from_slice(value.as_bytes());
            spans.push((name_start..name_end, value_start..head.len()));
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let (path_end, query) = match target.find('?') {
            Some(q) => (target_start + q, Some(target_start + q + 1..target_end)),
            None => (target_end, None),
        };
        Request {
            method: 0..method.len(),
            target: target_start..target_end,
            path: Some(target_start..path_end),
            query,
            target_form: TargetForm::Origin,
            version: Version::Http11,
            headers: spans,
            trailers: Vec::new(),
            body: body.to_vec(),
            remote_addr: None,
            head,
        }
    }

    fn str_at(&self, span: &Range<usize>) -> &str {
        // Method, target and field names are ASCII, checked by the parser
        // (or given as &str to `from_parts`).
        core::str::from_utf8(&self.head[span.clone()]).unwrap_or("")
    }

    /// The method, case-sensitive (`GET`, not `get`).
    pub fn method(&self) -> &str {
        self.str_at(&self.method)
    }

    /// The request-target as sent (`/echo/hi?x=1`, `http://host/p`, `*`).
    pub fn target(&self) -> &str {
        self.str_at(&self.target)
    }

    /// Which of the four forms the target has.
    pub fn target_form(&self) -> TargetForm {
        self.target_form
    }

    /// The path without the query, as sent (no percent-decoding). For an
    /// absolute-form target it is the path part (`/` if empty); for `*` and
    /// authority-form it is the target itself.
    pub fn path(&self) -> &str {
        match &self.path {
            Some(span) if !span.is_empty() => self.str_at(span),
            // `http://host` and `http://host?q` have an empty path: `/`.
            _ => "/",
        }
    }

    /// The query without `?`, as sent, if the target has one.
    pub fn query(&self) -> Option<&str> {
        self.query.as_ref().map(|span| self.str_at(span))
    }

    /// The HTTP version of the request.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The value of the first field called `name` (case-insensitive).
    /// Values are bytes: they may hold obs-text (bytes ≥ 0x80).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers().find(|h| h.is(name)).map(|h| h.value)
    }

    /// The value of the first field called `name` (case-insensitive), if it
    /// is valid UTF-8.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(|v| core::str::from_utf8(v).ok())
    }

    /// All field lines, in the order received.
    pub fn headers(&self) -> impl Iterator<Item = Header<'_>> + '_ {
        self.headers.iter().map(move |(name, value)| Header {
            name: self.str_at(name),
            value: &self.head[value.clone()],
        })
    }

    /// The trailer fields of a chunked body, in order (usually none).
    pub fn trailers(&self) -> impl Iterator<Item = Header<'_>> + '_ {
        self.trailers
            .iter()
            .map(|(name, value)| Header { name, value })
    }

    /// The de-framed body (empty if the request had none, or if its
    /// endpoint reads it as a stream).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The client's address (`None` for a request built by hand).
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    pub(crate) fn body_mut(&mut self) -> &mut Vec<u8> {
        &mut self.body
    }

    pub(crate) fn push_trailer(&mut self, header: Header<'_>) {
        self.trailers
            .push((header.name.to_string(), header.value.to_vec()));
    }

    /// The request-line as received, for the access log: without the empty
    /// lines a client may send before it (RFC 9112 §2.2) and without its
    /// line ending (CRLF, or a bare LF where allowed).
    pub(crate) fn request_line(&self) -> &str {
        let line = match self.head.iter().position(|&b| b != b'\r' && b != b'\n') {
            Some(start) => &self.head[start..],
            None => &[],
        };
        let end = memchr::memchr2(b'\r', b'\n', line).unwrap_or(line.len());
        core::str::from_utf8(&line[..end]).unwrap_or("-")
    }
}

/// What a handler answers: a status, fields and a body, complete or
/// streamed as it is sent: read from a `Read`
/// ([`with_body_reader`](Response::with_body_reader)), or sent by a
/// producer over time ([`with_body_chunks`](Response::with_body_chunks)).
///
/// The server adds `Content-Length` (from the body, or the length given
/// with a streamed one; without one, `Transfer-Encoding: chunked`), `Date`, `Server` and
/// `Connection` as needed, and serializes the head with the core's
/// [`ResponseHead`](crate::serialize::ResponseHead), which refuses any field
/// that could split a response. A handler must not set `Content-Length` or
/// `Transfer-Encoding` itself: such a response is replaced by a `500`.
///
/// ```
/// use httpwire::server::Response;
///
/// let ok = Response::text("hello");
/// assert_eq!(ok.status(), 200);
/// assert_eq!(ok.header("content-type"), Some("text/plain"));
///
/// let created = Response::new(201).with_header("Location", "/items/7").with_body("made");
/// assert_eq!(created.body(), b"made");
/// ```
pub struct Response {
    status: u16,
    reason: Option<String>,
    /// Borrowed for the fields the constructors add (no allocation).
    headers: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    body: Body,
    /// Takes the connection if the response switches protocols
    /// ([`switching`](Response::switching)).
    on_switch: Option<OnSwitch>,
    /// The trailer fields of a streamed body, asked for at its end
    /// ([`with_trailers`](Response::with_trailers)).
    trailers: Option<TrailerFields>,
}

/// Gives a streamed body's trailer fields once the body has ended.
pub(crate) type TrailerFields = Box<dyn FnOnce() -> Vec<(String, String)> + Send>;

/// A response's body: in memory, or taken from its source as the socket
/// takes it.
enum Body {
    Whole(Vec<u8>),
    /// `length`: announced as `Content-Length`; the reader is already
    /// limited to it ([`Read::take`]). `None`: chunked, or to the close.
    Reader {
        reader: Box<dyn Read + Send>,
        length: Option<u64>,
    },
    /// As a reader, from a producer's channel (limited to `length` when
    /// it becomes a [`BodySource`]).
    Chunks {
        chunks: BodyChunks,
        length: Option<u64>,
    },
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Response");
        d.field("status", &self.status)
            .field("reason", &self.reason)
            .field("headers", &self.headers);
        match &self.body {
            Body::Whole(body) => d.field("body", body),
            Body::Reader { length, .. } | Body::Chunks { length, .. } => {
                d.field("streamed_length", length)
            }
        };
        d.field("switching", &self.on_switch.is_some())
            .field("trailers", &self.trailers.is_some())
            .finish()
    }
}

impl Response {
    /// A response with `status`, no fields and an empty body.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            reason: None,
            headers: Vec::new(),
            body: Body::Whole(Vec::new()),
            on_switch: None,
            trailers: None,
        }
    }

    /// A response that switches the connection to another protocol:
    /// `101 Switching Protocols` to a request that asked to upgrade (add
    /// the `Upgrade` field naming the protocol; the server adds
    /// `Connection: upgrade`), or a 2xx to CONNECT (a tunnel). Once its
    /// head is sent, after the answers to any requests before it,
    /// `on_switch` gets the socket and the bytes the client sent past the
    /// request ([`Switched`]), on a thread of its own.
    ///
    /// The switched connection is the callback's alone: the server no
    /// longer counts it
    /// ([`active_connections`](super::ShutdownHandle::active_connections),
    /// [`Config::max_connections`](super::Config::max_connections)) nor
    /// waits for it or closes it when it shuts down. A callback that should
    /// end with the server can watch
    /// [`ShutdownHandle::is_shutting_down`](super::ShutdownHandle::is_shutting_down).
    /// A callback that panics ends its thread and closes its connection,
    /// nothing else.
    ///
    /// A switch the request did not ask for is a handler bug, answered
    /// `500` without switching: a `101` to a request that did not ask to
    /// upgrade (with `Upgrade` listed in `Connection`; never HTTP/1.0),
    /// or that names a protocol the request's `Upgrade` did not offer, or
    /// any switching response with a body. With any other status (a `403`
    /// to CONNECT, a 2xx to another method) the response is an ordinary
    /// one and `on_switch` is dropped without running.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use httpwire::server::{Request, Response, Server};
    ///
    /// let mut server = Server::new("127.0.0.1", 0)?;
    /// server.route("GET", "/chat", |req: &Request| {
    ///     if req.header_str("upgrade") != Some("echo") {
    ///         return Response::new(426).with_header("Upgrade", "echo");
    ///     }
    ///     Response::switching(101, |mut conn| {
    ///         // The new protocol: echo bytes until the client closes.
    ///         let mut buf = [0u8; 1024];
    ///         while let Ok(n @ 1..) = conn.read(&mut buf) {
    ///             if conn.write_all(&buf[..n]).is_err() {
    ///                 break;
    ///             }
    ///         }
    ///     })
    ///     .with_header("Upgrade", "echo")
    /// });
    /// # let running = server.spawn()?;
    /// # let mut c = std::net::TcpStream::connect(running.local_addr())?;
    /// # c.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    /// # c.write_all(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nhi")?;
    /// # let mut got = Vec::new();
    /// # let mut buf = [0u8; 256];
    /// # while !got.ends_with(b"hi") {
    /// #     let n = c.read(&mut buf)?;
    /// #     assert!(n > 0);
    /// #     got.extend_from_slice(&buf[..n]);
    /// # }
    /// # assert!(got.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    /// # assert!(running.shutdown(std::time::Duration::from_secs(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn switching(status: u16, on_switch: impl FnOnce(Switched) + Send + 'static) -> Response {
        let mut response = Response::new(status);
        response.on_switch = Some(Box::new(on_switch));
        response
    }

    /// `200 OK` with `Content-Type: text/plain` and `body`.
    pub fn text(body: impl Into<String>) -> Response {
        Response::new(200)
            .with_static_header("Content-Type", "text/plain")
            .with_body(body.into())
    }

    /// `200 OK` with `Content-Type: application/octet-stream` and `body`.
    pub fn bytes(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200)
            .with_static_header("Content-Type", "application/octet-stream")
            .with_body(body)
    }

    /// A response with `status`, the given fields and `body`.
    ///
    /// ```
    /// # use httpwire::server::Response;
    /// let r = Response::with(418, &[("Content-Type", "text/plain")], "short and stout");
    /// assert_eq!(r.status(), 418);
    /// ```
    pub fn with(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Response {
        let mut response = Response::new(status).with_body(body);
        for &(name, value) in headers {
            response = response.with_header(name, value);
        }
        response
    }

    /// Replaces the status code.
    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// Replaces the reason phrase (by default the registered one, e.g.
    /// `Not Found` for 404).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Response {
        self.reason = Some(reason.into());
        self
    }

    /// Adds a field line (after any added before).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers
            .push((Cow::Owned(name.into()), Cow::Owned(value.into())));
        self
    }

    fn with_static_header(mut self, name: &'static str, value: &'static str) -> Response {
        self.headers
            .push((Cow::Borrowed(name), Cow::Borrowed(value)));
        self
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = Body::Whole(body.into());
        self
    }

    /// Replaces the body with one read from `reader` as the connection
    /// sends it, a bounded piece at a time, so that a body of any size
    /// takes little memory. Event-driven, the next piece is read only when
    /// the socket has taken the last one, and a client that reads slowly
    /// holds no thread meanwhile; a reader should therefore not block for
    /// long (a file, a generator, not a socket: a body that comes over
    /// time is for [`with_body_chunks`](Response::with_body_chunks)). The
    /// exception is a streaming endpoint's own
    /// [`RequestBody`](super::RequestBody), to echo or transform it: each
    /// of its reads holds the thread for at most the body timeout.
    ///
    /// With a `length` the response announces `Content-Length`, and no
    /// more than `length` bytes are read; otherwise the body is chunked to
    /// an HTTP/1.1 client, and ends with the connection to an HTTP/1.0 one.
    /// A reader that fails, or ends before `length`, ends the connection
    /// without ending the body (no last chunk), so that the client cannot
    /// take it for complete. After `HEAD`, or with status 204, 205 or 304,
    /// only the head is sent and the reader is not read.
    ///
    /// ```
    /// use std::io::Read;
    /// use httpwire::server::Response;
    ///
    /// // A gigabyte of zeros, never held in memory.
    /// let zeros = std::io::repeat(0).take(1 << 30);
    /// let r = Response::new(200)
    ///     .with_header("Content-Type", "application/octet-stream")
    ///     .with_body_reader(zeros, Some(1 << 30));
    /// assert_eq!(r.body(), b"", "the body is not in memory");
    /// ```
    pub fn with_body_reader(
        mut self,
        reader: impl Read + Send + 'static,
        length: Option<u64>,
    ) -> Response {
        let reader: Box<dyn Read + Send> = match length {
            Some(n) => Box::new(reader.take(n)),
            None => Box::new(reader),
        };
        self.body = Body::Reader { reader, length };
        self
    }

    /// Replaces the body with one a producer sends over time through a
    /// [`body_channel`](super::body_channel) (server-sent events, a long
    /// poll, a body another thread computes): `chunks` is the channel's
    /// receiving end. Each piece is sent once the socket has taken the one
    /// before; the producer's `send` blocks while the channel holds its
    /// capacity, so a slow client holds bounded memory.
    ///
    /// Framing is as with [`with_body_reader`](Response::with_body_reader):
    /// with a `length`, `Content-Length` and no more than `length` bytes
    /// (the body is whole once they are sent); otherwise chunked to an
    /// HTTP/1.1 client (a piece, or pieces queued together, per chunk,
    /// then [`with_trailers`](Response::with_trailers) fields at the end),
    /// and to the close to an HTTP/1.0 one. The body ends when the
    /// producer calls [`BodySender::finish`](super::BodySender::finish); a
    /// sender dropped without finishing, or fewer bytes than `length`,
    /// ends the connection without the body's end. After `HEAD`, or with
    /// status 204, 205 or 304, only the head is sent, `chunks` is dropped,
    /// and the producer's sends return [`Gone`](super::Gone).
    ///
    /// While the channel is empty the connection waits for the producer
    /// without holding a thread (event-driven: parked, woken by the next
    /// send, the finish or the sender's drop; with threads, its thread
    /// waits). That wait has no deadline of its own (the producer decides
    /// when there is more, as for a long poll or an event stream), but it
    /// ends when the client hangs up (closes its side: the producer then
    /// gets `Gone`), and at a shutdown's deadline, which cuts the
    /// connection off; a producer that should end sooner at a shutdown can
    /// watch [`ShutdownHandle::is_shutting_down`](super::ShutdownHandle::is_shutting_down).
    ///
    /// ```
    /// use httpwire::server::{body_channel, Response};
    ///
    /// let (sender, chunks) = body_channel(16 * 1024);
    /// std::thread::spawn(move || {
    ///     for line in ["one\n", "two\n"] {
    ///         if sender.send(line).is_err() {
    ///             return; // the client is gone
    ///         }
    ///     }
    ///     let _ = sender.finish();
    /// });
    /// let r = Response::new(200)
    ///     .with_header("Content-Type", "text/plain")
    ///     .with_body_chunks(chunks, None);
    /// assert_eq!(r.body(), b"", "the body is not in memory");
    /// ```
    pub fn with_body_chunks(mut self, chunks: BodyChunks, length: Option<u64>) -> Response {
        self.body = Body::Chunks { chunks, length };
        self
    }

    /// Trailer fields for a streamed body (RFC 9112 §7.1.2), asked for
    /// once it has ended (its reader, or its producer's
    /// [`finish`](super::BodySender::finish)): a checksum, or a status
    /// known only at the end. They are sent when the body goes out chunked
    /// (from [`with_body_reader`](Response::with_body_reader) or
    /// [`with_body_chunks`](Response::with_body_chunks) without a length,
    /// to an HTTP/1.1 client); any other body has no place for them, and
    /// they are dropped (a recipient may ignore trailers anyway, RFC 9110
    /// §6.5.1). A field that may not be a trailer (framing, routing, an
    /// invalid name or value) ends the connection without the body's end,
    /// as a failing reader does. Announce them with a `Trailer` field if
    /// clients should expect them (RFC 9110 §6.6.2).
    ///
    /// ```
    /// use httpwire::server::Response;
    ///
    /// let body: &[u8] = b"made as it goes";
    /// let r = Response::new(200)
    ///     .with_header("Trailer", "X-Checksum")
    ///     .with_body_reader(body, None)
    ///     .with_trailers(|| vec![("X-Checksum".into(), "1234".into())]);
    /// assert_eq!(r.header("trailer"), Some("X-Checksum"));
    /// ```
    pub fn with_trailers(
        mut self,
        trailers: impl FnOnce() -> Vec<(String, String)> + Send + 'static,
    ) -> Response {
        self.trailers = Some(Box::new(trailers));
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase, if one was set.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The value of the first field called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| &**v)
    }

    /// The fields set so far, in order.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (&**n, &**v))
    }

    /// The body, if it is in memory; empty for a streamed body
    /// ([`with_body_reader`](Response::with_body_reader),
    /// [`with_body_chunks`](Response::with_body_chunks)).
    pub fn body(&self) -> &[u8] {
        match &self.body {
            Body::Whole(body) => body,
            Body::Reader { .. } | Body::Chunks { .. } => &[],
        }
    }

    /// The length the head announces: the whole body's, or the streamed
    /// one's if given (`None`: unknown).
    pub(crate) fn length(&self) -> Option<u64> {
        match &self.body {
            Body::Whole(body) => Some(body.len() as u64),
            Body::Reader { length, .. } | Body::Chunks { length, .. } => *length,
        }
    }

    /// Takes a streamed body's source out (`None` for a body in memory).
    pub(crate) fn take_source(&mut self) -> Option<BodySource> {
        match std::mem::replace(&mut self.body, Body::Whole(Vec::new())) {
            Body::Reader { reader, .. } => Some(BodySource::Reader(reader)),
            Body::Chunks { chunks, length } => Some(BodySource::Chunks {
                chunks,
                left: length,
            }),
            whole => {
                self.body = whole;
                None
            }
        }
    }

    /// Takes the trailer fields' producer out.
    pub(crate) fn take_trailers(&mut self) -> Option<TrailerFields> {
        self.trailers.take()
    }

    /// Takes the callback of a switching response out.
    pub(crate) fn take_on_switch(&mut self) -> Option<OnSwitch> {
        self.on_switch.take()
    }

    /// A `text/plain` response with `status` and `body`.
    pub(crate) fn plain(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status)
            .with_static_header("Content-Type", "text/plain")
            .with_body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RequestParser, Status};

    fn parsed(raw: &[u8]) -> Request {
        let mut headers = [Header::EMPTY; 8];
        let Ok(Status::Complete(req)) = RequestParser::new().parse(raw, &mut headers) else {
            panic!("not a complete request");
        };
        let remote = "127.0.0.1:1".parse().unwrap();
        Request::from_head(&raw[..req.head_len], &req, remote)
    }

    #[test]
    fn copies_the_head_out_of_the_buffer() {
        let req = parsed(b"GET /a/b?c=d HTTP/1.0\r\nX-One: 1\r\nx-two:  2 \r\n\r\nbody");
        assert_eq!(
            (req.method(), req.target(), req.path(), req.query()),
            ("GET", "/a/b?c=d", "/a/b", Some("c=d"))
        );
        assert_eq!(req.version(), Version::Http10);
        assert_eq!(req.header("X-TWO"), Some(&b"2"[..]));
        let names: Vec<&str> = req.headers().map(|h| h.name).collect();
        assert_eq!(names, ["X-One", "x-two"]);
        assert_eq!(req.request_line(), "GET /a/b?c=d HTTP/1.0");
        assert_eq!(req.body(), b"");
        assert!(req.remote_addr().is_some());
    }

    #[test]
    fn the_logged_request_line_skips_leading_empty_lines() {
        let req = parsed(b"\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!((req.request_line(), req.path()), ("GET /x HTTP/1.1", "/x"));
    }

    #[test]
    fn absolute_form_paths() {
        let req = parsed(b"GET http://h/p/q?x HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!((req.path(), req.query()), ("/p/q", Some("x")));
        let req = parsed(b"GET http://h HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!((req.path(), req.query()), ("/", None));
        let req = parsed(b"GET http://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!((req.path(), req.query()), ("/", Some("x=1")));
    }

    #[test]
    fn asterisk_form_path_is_the_target() {
        let req = parsed(b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!((req.path(), req.target_form()), ("*", TargetForm::Asterisk));
    }
}
