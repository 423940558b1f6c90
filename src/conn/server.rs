//! The server role: requests in, responses out (RULES PL-1 to PL-6, PC-1 to
//! PC-6).

use super::send::{DataFrame, Outgoing, Send, SendError};
use crate::body::{BodyDecoder, Decoded};
use crate::error::{EncodeError, Error, ErrorKind};
use crate::field::{ConnectionFields, Header};
use crate::framing::Framing;
use crate::request::{Request, RequestParser};
use crate::serialize::ResponseHead;
use crate::version::Version;

/// The interim response a server writes when [`ServerEvent::Continue`]
/// asks for it (RFC 9110 §15.2.1).
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// What a [`ServerConnection`] read, or why it read nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerEvent<'b, 'h> {
    /// A request head. Its body (if its [`framing`](Request::framing) has
    /// one) follows as [`Data`](ServerEvent::Data) and
    /// [`Trailer`](ServerEvent::Trailer) events, then
    /// [`EndOfRequest`](ServerEvent::EndOfRequest) in every case.
    Request(Request<'b, 'h>),
    /// The client waits for `100 Continue` before it sends the body
    /// (RULES PC-4): write [`CONTINUE`] now, then poll again. Reported
    /// only when the caller asks for the body and none of it has arrived;
    /// a caller that answers without reading the body never sees it.
    Continue,
    /// A piece of the request body, a sub-slice of the input.
    Data(&'b [u8]),
    /// A trailer field of a chunked request body.
    Trailer(Header<'b>),
    /// The request is complete.
    EndOfRequest,
    /// The input holds no complete event: read more bytes and poll again
    /// with the unconsumed input followed by them.
    NeedMore,
    /// The request is complete and the next one waits until the response
    /// to this one is finished (RULES PC-2): send it, then poll again.
    /// Pipelined bytes stay unconsumed in the input.
    Paused,
    /// The protocol switched (a `101` or a 2xx to CONNECT was sent, RULES
    /// PC-6): the bytes given, the input after the last request, and all
    /// that follow belong to the new protocol. Nothing is consumed.
    Switched(&'b [u8]),
    /// The connection is over: the response is finished and the connection
    /// does not persist, or the client closed between requests. Close the
    /// socket once the output is written.
    Close,
}

/// A request that broke the protocol (RULES PC-5): nothing more is read
/// from the connection. If [`status`](ProtocolError::status) is set, send
/// one final response with it (the connection adds `Connection: close`),
/// then close; otherwise a response was already under way: close at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolError {
    /// What was wrong, and where (offsets count from the start of the
    /// request head, or of the body for a body error).
    pub error: Error,
    /// The status of the error response to send, if one may still be sent.
    pub status: Option<u16>,
}

impl core::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (answer {status}, then close)", self.error),
            None => write!(f, "{} (close without an answer)", self.error),
        }
    }
}

impl core::error::Error for ProtocolError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A sans-IO HTTP/1.1 server connection: the caller feeds the bytes it
/// received, pulls [`ServerEvent`]s, and sends responses through it; the
/// connection does no I/O and allocates nothing.
///
/// It owns the message sequence (RULES PC-1 to PC-6): persistence for
/// HTTP/1.0 and 1.1 and `Connection: close` on either side, pipelined
/// requests held until the current response is finished, `Expect:
/// 100-continue`, the framing of what is sent (Content-Length, chunked to
/// HTTP/1.1, close-delimited to HTTP/1.0, no body after HEAD, 1xx, 204,
/// 205, 304), protocol switches, and closing after an error.
///
/// ```
/// use httpwire::conn::{ServerConnection, ServerEvent};
/// use httpwire::Header;
///
/// let mut conn = ServerConnection::new();
/// let input = b"GET /hi HTTP/1.1\r\nHost: x\r\n\r\nGET /bye HTTP/1.1\r\nHost: x\r\n\r\n";
/// let mut pos = 0;
/// let mut out = Vec::new();
/// let mut buf = [0u8; 256];
/// loop {
///     let mut headers = [Header::EMPTY; 16];
///     let (used, event) = conn.poll(&input[pos..], &mut headers).unwrap();
///     pos += used;
///     match event {
///         ServerEvent::Request(req) => {
///             // Answer at once; the connection frames the body.
///             let body = req.path().as_bytes();
///             let n = conn.respond(200, &[], body, &mut buf).unwrap();
///             out.extend_from_slice(&buf[..n]);
///         }
///         ServerEvent::NeedMore | ServerEvent::Close => break,
///         _ => {}
///     }
/// }
/// assert_eq!(
///     out,
///     b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n/hi\
///       HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n/bye"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct ServerConnection {
    parser: RequestParser,
    state: State,
}

/// The connection's whole state: both directions and the exchange under
/// way. Every transition is a method of [`ServerConnection`].
#[derive(Clone, Debug)]
struct State {
    /// What the client sends next.
    recv: Recv,
    /// What the server may send next.
    send: Send,
    /// The request being answered.
    exchange: Exchange,
    /// The client closed its side: no bytes will follow the input.
    peer_closed: bool,
}

/// The receiving direction: where the client is in its message sequence.
// A tag byte of its own (`repr(u8)`): poll matches on it at every event,
// and a tag hidden in the decoder's niche took arithmetic to recover.
#[derive(Clone, Debug)]
#[repr(u8)]
enum Recv {
    /// Waiting for a request head (the parser may hold part of one).
    Head,
    /// Reading the request body.
    Body(BodyDecoder),
    /// The request has no body: its end is the next event.
    Ended,
    /// The request is complete; the next waits for the response (PC-2).
    Done,
    /// Nothing more is read: the connection ends after the output.
    Closed,
    /// The protocol switched; the input belongs to the caller (PC-6).
    Switched,
    /// The client broke the protocol (PC-5).
    Failed(Error),
}

/// What the connection remembers of the request it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exchange {
    /// The request was HEAD: the response has no body (RFC 9112 §6.3).
    head: bool,
    /// The request was CONNECT: a 2xx switches to a tunnel (RULES CN-2).
    connect: bool,
    /// The client's version, for framing (SR-7) and interim responses.
    version: Version,
    /// The request asked to upgrade (`Upgrade` listed in `Connection`).
    upgrade: bool,
    /// Where `Expect: 100-continue` stands (PC-4).
    expect: Expect,
    /// The connection persists after this exchange, as decided so far
    /// (PC-1): what the request said, then what the response said.
    keep_alive: bool,
}

/// `Expect: 100-continue` (RFC 9110 §10.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Not asked, or settled: `100 Continue` went out, or body bytes came
    /// without it.
    No,
    /// The client waits for `100 Continue` before sending the body.
    Waiting,
    /// `100 Continue` went out (or was asked of the caller with
    /// [`ServerEvent::Continue`]) and no body byte has come since: a final
    /// response now may leave a body on its way unread, so the connection
    /// closes after it (PC-4).
    Offered,
}

impl Exchange {
    /// Before any request: an HTTP/1.1 client, so that an error response
    /// to an unreadable head is framed for one.
    const NONE: Exchange = Exchange {
        head: false,
        connect: false,
        version: Version::Http11,
        upgrade: false,
        expect: Expect::No,
        keep_alive: false,
    };

    /// Starts the exchange of a complete request head: what it tells.
    // Field by field in place: built whole, the six bytes were packed into
    // one register with shifts and masks before a single store.
    #[inline]
    fn start(&mut self, req: &Request<'_, '_>) {
        let fields = ConnectionFields::of(req.headers);
        self.head = req.method == "HEAD";
        self.connect = req.method == "CONNECT";
        self.version = req.version;
        // RFC 9110 §7.8: a server ignores Upgrade in HTTP/1.0.
        self.upgrade = req.version == Version::Http11 && fields.asks_upgrade();
        self.expect = if req.expects_continue() {
            Expect::Waiting
        } else {
            Expect::No
        };
        self.keep_alive = fields.persists(req.version);
    }
}

impl Default for ServerConnection {
    fn default() -> Self {
        ServerConnection::new()
    }
}

impl ServerConnection {
    /// A connection with [`Limits::DEFAULT`](crate::Limits::DEFAULT), waiting for its first
    /// request.
    pub const fn new() -> ServerConnection {
        ServerConnection::with_parser(RequestParser::new())
    }

    /// A connection whose requests are read by `parser` (its limits, and
    /// its opt-ins such as bare LF line endings). The parser's limits
    /// also bound chunked bodies.
    pub const fn with_parser(parser: RequestParser) -> ServerConnection {
        ServerConnection {
            parser,
            state: State {
                recv: Recv::Head,
                send: Send::Idle,
                exchange: Exchange::NONE,
                peer_closed: false,
            },
        }
    }

    /// Reads the next event from `input`: the bytes received and not yet
    /// consumed. Returns how many bytes of `input` the event consumed (drop
    /// them from the front before the next call) and the event. Request
    /// fields go into `headers`.
    ///
    /// A head is consumed whole when it is complete: until then the input
    /// must keep its bytes, and each call must present them again followed
    /// by any new ones (the parser resumes where it stopped).
    ///
    /// After an error every call returns the same error, until the error
    /// response (if one may be sent) is finished; then it says
    /// [`ServerEvent::Close`].
    // Inlined into the caller's event loop (with `read_head`), so that the
    // event is built where the caller matches on it, not copied out of a
    // call.
    #[inline]
    pub fn poll<'b, 'h>(
        &mut self,
        input: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<(usize, ServerEvent<'b, 'h>), ProtocolError> {
        loop {
            match &mut self.state.recv {
                Recv::Head => return self.read_head(input, headers),
                Recv::Body(body) => {
                    if self.state.exchange.expect == Expect::Waiting
                        && self.state.send == Send::Head
                    {
                        // The caller is reading the body: the client gets its
                        // 100 now, unless body bytes show it did not wait.
                        // Never after the final response began (SR-8).
                        if input.is_empty() && !self.state.peer_closed {
                            self.state.exchange.expect = Expect::Offered;
                            return Ok((0, ServerEvent::Continue));
                        }
                        self.state.exchange.expect = Expect::No;
                    }
                    let decoded = body.decode_until_close(input, self.state.peer_closed);
                    if matches!(decoded, Ok((1.., _))) {
                        // The body is coming: it can be read to its end.
                        self.state.exchange.expect = Expect::No;
                    }
                    return match decoded {
                        Ok((n, Decoded::Data(data))) => Ok((n, ServerEvent::Data(data))),
                        Ok((n, Decoded::Trailer(field))) => Ok((n, ServerEvent::Trailer(field))),
                        Ok((n, Decoded::NeedMore)) => Ok((n, ServerEvent::NeedMore)),
                        Ok((n, Decoded::Done)) => {
                            self.state.recv = Recv::Done;
                            Ok((n, ServerEvent::EndOfRequest))
                        }
                        Err(error) => Err(self.fail(error)),
                    };
                }
                Recv::Ended => {
                    self.state.recv = Recv::Done;
                    return Ok((0, ServerEvent::EndOfRequest));
                }
                Recv::Done => match self.state.send {
                    Send::Done => self.next_exchange(),
                    Send::Switched => self.state.recv = Recv::Switched,
                    _ => return Ok((0, ServerEvent::Paused)),
                },
                Recv::Closed => return Ok((0, ServerEvent::Close)),
                Recv::Switched => return Ok((0, ServerEvent::Switched(input))),
                Recv::Failed(error) => {
                    let error = *error;
                    return Err(self.protocol_error(error));
                }
            }
        }
    }

    /// The head of the request being answered, read again from `held`: the
    /// bytes of its head, kept in place while the body was read (see
    /// [`InputBuffer::split`](super::InputBuffer::split) and the module
    /// docs). Costs one more pass of the parser over the head. `None` if
    /// `held` is not the complete head of a valid request.
    pub fn held_request<'b, 'h>(
        &self,
        held: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Option<Request<'b, 'h>> {
        let mut parser = self.parser.clone();
        parser.reset();
        match parser.parse(held, headers) {
            Ok(crate::Status::Complete(req)) if req.head_len == held.len() => Some(req),
            _ => None,
        }
    }

    /// The client closed its side of the connection (a read returned 0
    /// bytes): no bytes will follow those already given. A head or body cut
    /// short is then an error ([`ErrorKind::IncompleteHead`],
    /// [`ErrorKind::IncompleteBody`]); between requests the next poll says
    /// [`ServerEvent::Close`] once the current response is finished.
    pub fn peer_closed(&mut self) {
        self.state.peer_closed = true;
    }

    /// The caller stops waiting for the request under way (its head or
    /// body did not arrive in time): nothing more is read, as after a
    /// protocol error (RULES PC-5). Returns the error, an
    /// [`ErrorKind::Timeout`], with the status to send if one final
    /// response may still be sent (`408`; the connection adds `Connection:
    /// close` to it and then closes), as [`poll`](Self::poll) returns it
    /// from now on. Once the request was read, nothing changes: the
    /// response is the caller's to finish or drop.
    pub fn abandon(&mut self) -> ProtocolError {
        let error = Error::new(ErrorKind::Timeout, 0);
        match self.state.recv {
            Recv::Head | Recv::Body(_) | Recv::Ended => self.fail(error),
            Recv::Failed(first) => self.protocol_error(first),
            Recv::Done | Recv::Closed | Recv::Switched => ProtocolError {
                error,
                status: None,
            },
        }
    }

    /// Bounds the body of the request being read to `max_body` bytes, in
    /// place of the parser's limit (RULES LM-6): for a server whose
    /// endpoints have limits of their own, which parses with the largest
    /// and sets the endpoint's once the head is routed. A Content-Length
    /// over it is refused now, as the head would have been (`413`, then
    /// close); a chunked body as soon as a chunk-size declares more.
    ///
    /// ```
    /// use httpwire::conn::{ServerConnection, ServerEvent};
    /// use httpwire::{Header, Limits, RequestParser};
    ///
    /// let parser = RequestParser::with_limits(Limits { max_body: u64::MAX, ..Limits::DEFAULT });
    /// let mut conn = ServerConnection::with_parser(parser);
    /// let mut headers = [Header::EMPTY; 8];
    /// let input = b"PUT /small HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n";
    /// let (_, event) = conn.poll(input, &mut headers).unwrap();
    /// assert!(matches!(event, ServerEvent::Request(_)));
    /// // The endpoint for /small takes 1 KiB at most.
    /// assert_eq!(conn.limit_body(1024).unwrap_err().status, Some(413));
    /// ```
    pub fn limit_body(&mut self, max_body: u64) -> Result<(), ProtocolError> {
        if let Recv::Body(body) = &mut self.state.recv {
            if let Err(error) = body.limit(max_body) {
                return Err(self.fail(error));
            }
        }
        Ok(())
    }

    /// Does the connection persist after the current exchange, as decided
    /// so far? Final once the response head is sent; `false` after an error
    /// or once nothing more will be read.
    pub fn keep_alive(&self) -> bool {
        match self.state.recv {
            Recv::Closed | Recv::Failed(_) | Recv::Switched => false,
            _ => self.state.exchange.keep_alive,
        }
    }

    /// Does the response whose head was sent take body data? `false` after
    /// HEAD, 204, 205 and 304 (their head may announce a length, but no
    /// body follows: RULES SR-4), after a 1xx or a 2xx to CONNECT, and
    /// before the final head. A caller whose body is costly to produce
    /// asks before producing it.
    pub fn sends_body(&self) -> bool {
        matches!(self.state.send, Send::Body(body) if body != Outgoing::Empty)
    }

    /// Sends a response head: writes it to the start of `out` and returns
    /// its length. `content_length` is the body's length if known; the
    /// connection chooses the framing (RULES PC-3): `Content-Length` when
    /// given, otherwise chunked to an HTTP/1.1 client and close-delimited
    /// (then closing) to an HTTP/1.0 one; no body at all after HEAD, 1xx,
    /// 204, 205 and 304 (a 304 or a response to HEAD may announce the
    /// length a GET would have had; 204 and 205 accept only `Some(0)` or
    /// `None`, a 204 writes no length and a 205 `Content-Length: 0`). It adds `Connection: close` when the
    /// connection will close, and `Connection: keep-alive` when an
    /// HTTP/1.0 client's connection persists.
    ///
    /// Any number of interim (1xx) heads may precede the final one: `100`
    /// only when the client expects it (better: [`ServerEvent::Continue`]
    /// tells when), `101` only when the request asked to upgrade and its
    /// body was read; the caller gives the `Upgrade` and `Connection`
    /// fields. After a `101`, or a 2xx to CONNECT, the connection is the
    /// caller's ([`ServerEvent::Switched`]).
    ///
    /// Then send the body with [`send_data`](Self::send_data) (if it has
    /// one) and end the response with [`send_end`](Self::send_end), in
    /// every case. On an error nothing was written and nothing changed.
    #[inline]
    pub fn send_response(
        &mut self,
        status: u16,
        headers: &[Header<'_>],
        content_length: Option<u64>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.send_response_with_reason(status, None, headers, content_length, out)
    }

    /// [`send_response`](Self::send_response) with a reason phrase of the
    /// caller's instead of the registered one (`None`: the registered one).
    /// The phrase is checked as the serializer checks it (RULES SR-1).
    pub fn send_response_with_reason(
        &mut self,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
        content_length: Option<u64>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        if self.state.send != Send::Head {
            return Err(SendError::WrongState);
        }
        if (100..200).contains(&status) {
            return self.send_interim(status, headers, content_length, out);
        }
        let ex = self.state.exchange;
        let (framing, body) = self.response_framing(status, content_length)?;
        let failed = matches!(self.state.recv, Recv::Failed(_));
        // `matches!`, not the derived `==`, which compares payloads too.
        let tunnel = matches!(framing, Framing::Tunnel);
        // PC-1: the connection persists if the request allowed it, unless
        // the response says close, its body ends at the close, a refused
        // CONNECT may be followed by tunnel bytes that would be read as a
        // request, the client waits to send a body (or was just told to
        // send it) that nobody has begun to read (PC-4), or the request was
        // broken (PC-5).
        let says = ConnectionFields::of(headers);
        let refused_connect = ex.connect && !tunnel;
        let body_unread = ex.expect != Expect::No && !self.request_read();
        let keep_alive = ex.keep_alive
            && !says.close()
            && !matches!(body, Outgoing::CloseDelimited)
            && !refused_connect
            && !body_unread
            && !failed;
        let connection = if tunnel {
            None
        } else if !keep_alive && !says.close() {
            Some("close")
        } else if keep_alive && ex.version == Version::Http10 && !says.keep_alive() {
            Some("keep-alive")
        } else {
            None
        };
        let head = ResponseHead {
            status,
            reason,
            headers,
            framing,
        };
        let n = head.encode_with_connection(connection, out)?;
        self.state.exchange.keep_alive = keep_alive;
        self.state.send = if tunnel {
            // CN-2: the head ends the HTTP part; the request had no body.
            Send::Switched
        } else {
            Send::Body(body)
        };
        Ok(n)
    }

    /// The framing a final response gets (RULES PC-3, SR-4, SR-7): what
    /// its head announces, and what body follows.
    fn response_framing(
        &self,
        status: u16,
        content_length: Option<u64>,
    ) -> Result<(Framing, Outgoing), SendError> {
        let ex = &self.state.exchange;
        let conflict = Err(SendError::Encode(EncodeError::ConflictingFraming));
        Ok(match (status, content_length) {
            // RFC 9110 §9.3.6, RULES CN-2: a 2xx to CONNECT starts the
            // tunnel at the end of its head; it announces no body.
            (200..=299, None) if ex.connect => (Framing::Tunnel, Outgoing::Empty),
            (200..=299, Some(_)) if ex.connect => return conflict,
            // RFC 9110 §15.3.5: a 204 has no content, and no length field.
            (204, None | Some(0)) => (Framing::None, Outgoing::Empty),
            // RFC 9110 §15.3.6: a 205 has no content either, but says so
            // with `Content-Length: 0`: without it a client reads the body
            // to the close (RFC 9112 §6.3), which never comes while the
            // connection persists.
            (205, None | Some(0)) => (Framing::Length(0), Outgoing::Empty),
            (204 | 205, Some(_)) => return conflict,
            // RFC 9110 §15.4.5, §9.3.2: a 304 or a response to HEAD has no
            // body but may announce the length a GET would have had.
            (_, length) if status == 304 || ex.head => (
                length.map_or(Framing::None, Framing::Length),
                Outgoing::Empty,
            ),
            (_, Some(n)) => (Framing::Length(n), Outgoing::Length { remaining: n }),
            // SR-7: chunked only to HTTP/1.1; HTTP/1.0 reads to the close.
            (_, None) if ex.version == Version::Http11 => (Framing::Chunked, Outgoing::Chunked),
            (_, None) => (Framing::CloseDelimited, Outgoing::CloseDelimited),
        })
    }

    /// An interim (1xx) response head (RFC 9110 §15.2, RULES SR-8).
    fn send_interim(
        &mut self,
        status: u16,
        headers: &[Header<'_>],
        content_length: Option<u64>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let ex = self.state.exchange;
        let allowed = match status {
            // Only after the body has been read, to a request that asked.
            101 => ex.upgrade && self.request_read(),
            100 => ex.expect == Expect::Waiting,
            // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
            _ => ex.version == Version::Http11 && !matches!(self.state.recv, Recv::Failed(_)),
        };
        if !allowed {
            return Err(SendError::InterimNotAllowed);
        }
        if content_length.is_some() {
            return Err(SendError::Encode(EncodeError::ConflictingFraming));
        }
        let framing = if status == 101 {
            Framing::Tunnel
        } else {
            Framing::None
        };
        let head = ResponseHead {
            status,
            reason: None,
            headers,
            framing,
        };
        let n = head.encode(out)?;
        match status {
            100 => self.state.exchange.expect = Expect::Offered,
            101 => {
                self.state.send = Send::Switched;
                self.state.exchange.keep_alive = false;
            }
            _ => {}
        }
        Ok(n)
    }

    /// Sends a piece of the response body: returns the bytes to write
    /// before and after `data` (a chunk's size line and CRLF, or nothing).
    /// Counts it against the Content-Length, and refuses data for a
    /// response that has no body.
    pub fn send_data(&mut self, data: &[u8]) -> Result<DataFrame, SendError> {
        self.state.send.data(data.len())
    }

    /// [`send_data`](Self::send_data) for a caller that assembles its
    /// output in one buffer: writes `data` framed (a chunk's size line
    /// before it and CRLF after, or nothing) to the start of `out` and
    /// returns the bytes written. On an error nothing was counted.
    pub fn send_data_into(&mut self, data: &[u8], out: &mut [u8]) -> Result<usize, SendError> {
        // On a copy: an error counts nothing.
        let mut send = self.state.send;
        let n = send.data(data.len())?.encode(data, out)?;
        self.state.send = send;
        Ok(n)
    }

    /// Ends the response: writes the end of a chunked body (with
    /// `trailers`) to the start of `out` and returns its length (0 for any
    /// other body). A Content-Length body must be complete. Afterwards
    /// [`keep_alive`](Self::keep_alive) says whether the connection
    /// persists, and [`poll`](Self::poll) goes on to the next request or
    /// says [`ServerEvent::Close`].
    pub fn send_end(
        &mut self,
        trailers: &[Header<'_>],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let n = self.state.send.end(trailers, out)?;
        if matches!(self.state.recv, Recv::Failed(_)) {
            // PC-5: the error response was the last output.
            self.state.recv = Recv::Closed;
            self.state.send = Send::Closed;
        }
        Ok(n)
    }

    /// Sends a whole response with a body held in memory: the head, `body`
    /// (not for HEAD, 204, 205 and 304, where only its length is
    /// announced, if any) and the end, written to the start of `out`.
    /// Returns the bytes written. A 1xx is not a whole response: use
    /// [`send_response`](Self::send_response).
    pub fn respond(
        &mut self,
        status: u16,
        headers: &[Header<'_>],
        body: &[u8],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        if (100..200).contains(&status) {
            return Err(SendError::InterimNotAllowed);
        }
        let length = u64::try_from(body.len()).unwrap_or(u64::MAX);
        // Statuses whose head announces no length when there is no body.
        let bodiless = body.is_empty()
            && (matches!(status, 204 | 205 | 304)
                || (self.state.exchange.connect && (200..300).contains(&status)));
        let saved = self.state.clone();
        let head = self.send_response(status, headers, (!bodiless).then_some(length), out)?;
        let rest = out.get_mut(head..).unwrap_or_default();
        let result = match self.state.send {
            Send::Body(Outgoing::Empty) | Send::Switched => Ok(0),
            _ => self.send_data_into(body, rest),
        };
        let written = result.and_then(|n| {
            if self.state.send == Send::Switched {
                // A tunnel has no HTTP end.
                return Ok(head);
            }
            let end = self.send_end(&[], rest.get_mut(n..).unwrap_or_default())?;
            Ok(head + n + end)
        });
        if written.is_err() {
            // All or nothing, as the other send methods.
            self.state = saved;
        }
        written
    }

    // Inlined with `poll`, its main path.
    #[inline]
    fn read_head<'b, 'h>(
        &mut self,
        input: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<(usize, ServerEvent<'b, 'h>), ProtocolError> {
        // Nothing but the empty lines a client may send between requests
        // (RFC 9112 §2.2) before it closed: no request was begun.
        if self.state.peer_closed && input.iter().all(|&b| b == b'\r' || b == b'\n') {
            self.close();
            return Ok((0, ServerEvent::Close));
        }
        match self.parser.parse(input, headers) {
            Ok(crate::Status::Complete(req)) => {
                self.state.exchange.start(&req);
                self.state.send = Send::Head;
                // A request without a body ends with its head; the caller
                // still sees EndOfRequest, so every request ends the same way.
                // Two assignments, not one of a select: `Ended` then writes
                // its tag alone, not a whole `BodyDecoder`'s worth of bytes.
                if req.framing.has_body() {
                    self.state.recv =
                        Recv::Body(BodyDecoder::new(req.framing, self.parser.limits()));
                } else {
                    self.state.recv = Recv::Ended;
                }
                Ok((req.head_len, ServerEvent::Request(req)))
            }
            Ok(crate::Status::Partial) if self.state.peer_closed => {
                let at = input.len();
                Err(self.fail(Error::new(ErrorKind::IncompleteHead, at)))
            }
            Ok(crate::Status::Partial) => Ok((0, ServerEvent::NeedMore)),
            Err(error) => {
                let refused = self.fail(error);
                // SR-4: no content in a response to HEAD, even an error to a
                // head refused before its end: its first bytes tell.
                self.state.exchange.head = input.starts_with(b"HEAD ");
                Err(refused)
            }
        }
    }

    /// Has the whole request been read (its body too)?
    fn request_read(&self) -> bool {
        match &self.state.recv {
            Recv::Body(body) => body.is_done(),
            Recv::Ended | Recv::Done => true,
            _ => false,
        }
    }

    /// Both directions are done: start the next exchange, or end.
    #[inline]
    fn next_exchange(&mut self) {
        if self.state.exchange.keep_alive {
            self.state.recv = Recv::Head;
            self.state.send = Send::Idle;
            self.state.exchange = Exchange::NONE;
        } else {
            self.close();
        }
    }

    fn close(&mut self) {
        self.state.recv = Recv::Closed;
        if self.state.send != Send::Switched {
            self.state.send = Send::Closed;
        }
    }

    /// The client broke the protocol (PC-5): nothing more is read, and only
    /// an error response may still be sent.
    fn fail(&mut self, error: Error) -> ProtocolError {
        self.state.recv = Recv::Failed(error);
        self.state.exchange.keep_alive = false;
        self.state.exchange.expect = Expect::No;
        if self.state.send == Send::Idle {
            // An unreadable head: answer it as an HTTP/1.1 request.
            self.state.exchange = Exchange::NONE;
            self.state.send = Send::Head;
        }
        self.protocol_error(error)
    }

    fn protocol_error(&self, error: Error) -> ProtocolError {
        ProtocolError {
            error,
            status: (self.state.send == Send::Head).then(|| error.kind().status()),
        }
    }
}
