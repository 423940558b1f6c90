//! The client role: requests out, responses in (RULES PC-1, PC-4, PC-6,
//! RS-3, RS-5 to RS-14).

use super::send::{DataFrame, Outgoing, Send, SendError};
use crate::body::{BodyDecoder, Decoded};
use crate::error::{EncodeError, Error, ErrorKind};
use crate::field::{self, ConnectionFields, Header};
use crate::framing::Framing;
use crate::response::{Response, ResponseParser};
use crate::serialize::RequestHead;
use crate::version::Version;

/// What a [`ClientConnection`] read, or why it read nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientEvent<'b, 'h> {
    /// An interim (1xx) response other than 101: another response follows
    /// (RULES RS-11). A `100 Continue` tells a client that holds its body
    /// back for it to send the body now (PC-4).
    Interim(Response<'b, 'h>),
    /// The final response head (or a 101 that accepts an upgrade). Its
    /// body follows as [`Data`](ClientEvent::Data) and
    /// [`Trailer`](ClientEvent::Trailer) events, then
    /// [`EndOfResponse`](ClientEvent::EndOfResponse) in every case.
    Response(Response<'b, 'h>),
    /// A piece of the response body, a sub-slice of the input.
    Data(&'b [u8]),
    /// A trailer field of a chunked response body.
    Trailer(Header<'b>),
    /// The response is complete.
    EndOfResponse,
    /// The input holds no complete event: read more bytes (or report the
    /// close with [`peer_closed`](ClientConnection::peer_closed)) and poll
    /// again with the unconsumed input followed by them.
    NeedMore,
    /// No request is under way: send one (if
    /// [`keep_alive`](ClientConnection::keep_alive) says the connection can
    /// be reused). Bytes arriving now are not a response to anything; the
    /// server is probably closing (an idle timeout's 408).
    Idle,
    /// The protocol switched (a 101 to a request that asked to upgrade, or
    /// a 2xx to CONNECT; RULES PC-6): the bytes given, the input after the
    /// response head, and all that follow belong to the new protocol.
    Switched(&'b [u8]),
    /// The connection is over: close the socket.
    Close,
}

/// A sans-IO HTTP/1.1 client connection: the caller sends requests through
/// it, feeds the bytes it received and pulls [`ClientEvent`]s. It does no
/// I/O and allocates nothing.
///
/// It frames what it sends (Content-Length, or chunked when the length is
/// unknown), reads any number of 1xx before the final response, frames
/// the response by the request's method (RULES RS-5 to RS-13: no body
/// after HEAD, 204, 304; close-delimited bodies), unfolds obs-fold as a
/// user agent must (RS-3, see [`Header::value_pieces`]), refuses a 101 it
/// did not ask for (RS-14), and answers "may I reuse this connection"
/// ([`keep_alive`](Self::keep_alive), RULES PC-1).
///
/// ```
/// use httpwire::conn::{ClientConnection, ClientEvent};
/// use httpwire::Header;
///
/// let mut conn = ClientConnection::new();
/// let mut out = [0u8; 128];
/// let host = [Header { name: "Host", value: b"example.com" }];
/// let n = conn.send_request("GET", "/", &host, Some(0), &mut out).unwrap();
/// conn.send_end(&[], &mut out[n..]).unwrap();
/// assert_eq!(&out[..n], b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
///
/// let input = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
/// let mut pos = 0;
/// let mut body = Vec::new();
/// loop {
///     let mut headers = [Header::EMPTY; 16];
///     let (used, event) = conn.poll(&input[pos..], &mut headers).unwrap();
///     pos += used;
///     match event {
///         ClientEvent::Response(res) => assert_eq!(res.status, 200),
///         ClientEvent::Data(data) => body.extend_from_slice(data),
///         ClientEvent::EndOfResponse => break,
///         other => panic!("{other:?}"),
///     }
/// }
/// assert_eq!(body, b"hi");
/// assert!(conn.keep_alive());
/// ```
#[derive(Clone, Debug)]
pub struct ClientConnection {
    parser: ResponseParser,
    state: State,
}

/// The connection's whole state: both directions and the exchange under
/// way. Every transition is a method of [`ClientConnection`].
#[derive(Clone, Debug)]
struct State {
    /// What the client may send next.
    send: Send,
    /// What the server sends next.
    recv: Recv,
    /// The request under way.
    exchange: Exchange,
    /// The server closed its side: no bytes will follow the input.
    peer_closed: bool,
}

/// The receiving direction: where the server is.
#[derive(Clone, Debug)]
enum Recv {
    /// No request was sent: nothing is expected.
    Idle,
    /// Waiting for a response head (interim or final).
    Head,
    /// Reading the response body.
    Body(BodyDecoder),
    /// The response is complete.
    Done,
    /// Nothing more is read.
    Closed,
    /// The protocol switched; the input belongs to the caller (PC-6).
    Switched,
    /// The server broke the protocol.
    Failed(Error),
}

/// What the connection remembers of the request under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exchange {
    /// The request's method, as far as response framing cares.
    method: Method,
    /// The request asked to upgrade (`Upgrade` listed in `Connection`).
    upgrade: bool,
    /// The request said `Connection: keep-alive` (which an HTTP/1.0
    /// response needs as well to persist, PC-1).
    asked_keep_alive: bool,
    /// The connection persists after this exchange, as decided so far.
    keep_alive: bool,
}

/// The methods whose responses are framed differently (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Head,
    Connect,
    Other,
}

impl Method {
    /// A method name with the same response framing, for
    /// [`Response::framing`].
    fn name(self) -> &'static str {
        match self {
            Method::Head => "HEAD",
            Method::Connect => "CONNECT",
            Method::Other => "GET",
        }
    }
}

impl Default for ClientConnection {
    fn default() -> Self {
        ClientConnection::new()
    }
}

impl ClientConnection {
    /// A connection with [`Limits::DEFAULT`](crate::Limits::DEFAULT) whose responses are read
    /// strictly except for obs-fold, which a user agent must unfold
    /// (RULES RS-3).
    pub const fn new() -> ClientConnection {
        ClientConnection::with_parser(ResponseParser::new().allow_obs_fold(true))
    }

    /// A connection whose responses are read by `parser` (its limits and
    /// leniencies). The parser's limits also bound chunked bodies.
    pub const fn with_parser(parser: ResponseParser) -> ClientConnection {
        ClientConnection {
            parser,
            state: State {
                send: Send::Idle,
                recv: Recv::Idle,
                exchange: Exchange {
                    method: Method::Other,
                    upgrade: false,
                    asked_keep_alive: false,
                    keep_alive: true,
                },
                peer_closed: false,
            },
        }
    }

    /// Sends a request head: `METHOD target HTTP/1.1`, `headers` (with the
    /// `Host` field) and the framing field, written to the start of `out`;
    /// returns its length. `content_length` is the body's length if known:
    /// `Some(n)` writes `Content-Length: n` (none for `Some(0)` with a
    /// method that defines no body, such as GET, RFC 9110 §8.6), `None`
    /// sends the body chunked. CONNECT and TRACE take no body.
    ///
    /// Then send the body with [`send_data`](Self::send_data) and end the
    /// request with [`send_end`](Self::send_end), in every case. One
    /// request at a time: the next waits until this exchange is over and
    /// [`poll`](Self::poll) says [`Idle`](ClientEvent::Idle).
    pub fn send_request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[Header<'_>],
        content_length: Option<u64>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        if self.state.send != Send::Idle || !self.keep_alive() {
            return Err(SendError::WrongState);
        }
        let no_content = matches!(method, "CONNECT" | "TRACE");
        let defines_content = !matches!(
            method,
            "GET" | "HEAD" | "DELETE" | "OPTIONS" | "CONNECT" | "TRACE"
        );
        let (framing, body) = match content_length {
            Some(0) if !defines_content => (Framing::None, Outgoing::Empty),
            Some(_) | None if no_content => {
                return Err(SendError::Encode(EncodeError::ConflictingFraming))
            }
            Some(n) => (Framing::Length(n), Outgoing::Length { remaining: n }),
            None => (Framing::Chunked, Outgoing::Chunked),
        };
        let head = RequestHead {
            method,
            target,
            version: Version::Http11,
            headers,
            framing,
        };
        let n = head.encode(out)?;
        let says = ConnectionFields::of(headers);
        self.state.exchange = Exchange {
            method: match method {
                "HEAD" => Method::Head,
                "CONNECT" => Method::Connect,
                _ => Method::Other,
            },
            upgrade: says.asks_upgrade(),
            asked_keep_alive: says.keep_alive(),
            keep_alive: !says.close(),
        };
        self.state.send = Send::Body(body);
        self.state.recv = Recv::Head;
        Ok(n)
    }

    /// Sends a piece of the request body: returns the bytes to write
    /// before and after `data`. After a final response that came before the
    /// body was sent, this refuses with [`SendError::WrongState`]: stop
    /// sending (RULES RS-12).
    pub fn send_data(&mut self, data: &[u8]) -> Result<DataFrame, SendError> {
        self.state.send.data(data.len())
    }

    /// Ends the request: writes the end of a chunked body (with
    /// `trailers`) to the start of `out` and returns its length.
    pub fn send_end(
        &mut self,
        trailers: &[Header<'_>],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let n = self.state.send.end(trailers, out)?;
        self.settle();
        Ok(n)
    }

    /// Once both directions are done, the exchange is over: the connection
    /// is idle (a new request may go) or closed, at once, so a caller that
    /// read the whole response can send the next request without another
    /// poll.
    fn settle(&mut self) {
        if !matches!(self.state.recv, Recv::Done) {
            return;
        }
        match self.state.send {
            Send::Done if self.state.exchange.keep_alive => {
                self.state.send = Send::Idle;
                self.state.recv = Recv::Idle;
            }
            Send::Done | Send::Closed => self.close(),
            // A client never waits to send a head, nor switches its output.
            Send::Idle | Send::Head | Send::Body(_) | Send::Switched => {}
        }
    }

    /// Reads the next event from `input`: the bytes received and not yet
    /// consumed. Returns how many bytes the event consumed (drop them from
    /// the front before the next call) and the event. Response fields go
    /// into `headers`. A head is consumed whole when it is complete.
    ///
    /// Errors are final: the response cannot be trusted, and the
    /// connection must close (a proxy answers 502).
    pub fn poll<'b, 'h>(
        &mut self,
        input: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<(usize, ClientEvent<'b, 'h>), Error> {
        match &mut self.state.recv {
            Recv::Idle if self.state.peer_closed => Ok((0, ClientEvent::Close)),
            Recv::Idle => Ok((0, ClientEvent::Idle)),
            Recv::Head => self.read_head(input, headers),
            Recv::Body(body) => {
                let decoded = body.decode_until_close(input, self.state.peer_closed);
                match decoded {
                    Ok((n, Decoded::Data(data))) => Ok((n, ClientEvent::Data(data))),
                    Ok((n, Decoded::Trailer(field))) => Ok((n, ClientEvent::Trailer(field))),
                    Ok((n, Decoded::NeedMore)) => Ok((n, ClientEvent::NeedMore)),
                    Ok((n, Decoded::Done)) => {
                        self.state.recv = Recv::Done;
                        self.settle();
                        Ok((n, ClientEvent::EndOfResponse))
                    }
                    Err(error) => Err(self.fail(error)),
                }
            }
            // The response is complete and the request is still being
            // sent (its body was not cut, so the connection persists):
            // nothing to read until the request ends.
            Recv::Done => Ok((0, ClientEvent::Idle)),
            Recv::Closed => Ok((0, ClientEvent::Close)),
            Recv::Switched => Ok((0, ClientEvent::Switched(input))),
            Recv::Failed(error) => Err(*error),
        }
    }

    /// The head of the response being read, read again from `held`: the
    /// bytes of its head, kept in place while the body was read (see
    /// [`InputBuffer::split`](super::InputBuffer::split)). Costs one more
    /// pass of the parser over the head. `None` if `held` is not the
    /// complete head of a valid response.
    pub fn held_response<'b, 'h>(
        &self,
        held: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Option<Response<'b, 'h>> {
        let mut parser = self.parser.clone();
        parser.reset();
        match parser.parse(held, headers) {
            Ok(crate::Status::Complete(res)) if res.head_len == held.len() => Some(res),
            _ => None,
        }
    }

    /// The server closed its side of the connection (a read returned 0
    /// bytes). A close-delimited body ends there; a head or any other body
    /// cut short is an error ([`ErrorKind::IncompleteHead`], at offset 0
    /// if no byte of the response came: a request on a reused connection
    /// may be retried then; [`ErrorKind::IncompleteBody`]).
    pub fn peer_closed(&mut self) {
        self.state.peer_closed = true;
    }

    /// May the connection carry another request (RULES PC-1)? Both sides
    /// used HTTP/1.1 without `close` (an HTTP/1.0 response needs
    /// `keep-alive`, in the request too), the response was not
    /// close-delimited, and nothing went wrong. Final once the response
    /// head is read; a new request may be sent once [`poll`](Self::poll)
    /// says [`Idle`](ClientEvent::Idle).
    pub fn keep_alive(&self) -> bool {
        match self.state.recv {
            Recv::Closed | Recv::Failed(_) | Recv::Switched => false,
            _ => self.state.exchange.keep_alive && !self.state.peer_closed,
        }
    }

    fn read_head<'b, 'h>(
        &mut self,
        input: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<(usize, ClientEvent<'b, 'h>), Error> {
        let response = match self.parser.parse(input, headers) {
            Ok(crate::Status::Complete(response)) => response,
            Ok(crate::Status::Partial) if self.state.peer_closed => {
                return Err(self.fail(Error::new(ErrorKind::IncompleteHead, input.len())));
            }
            Ok(crate::Status::Partial) => return Ok((0, ClientEvent::NeedMore)),
            Err(error) => return Err(self.fail(error)),
        };
        let used = response.head_len;
        let ex = self.state.exchange;
        if response.status == 101 && !ex.upgrade {
            // RS-14: a server must not switch unasked.
            return Err(self.fail(Error::new(ErrorKind::UnsolicitedSwitch, 0)));
        }
        if response.is_interim() && response.status != 101 {
            return Ok((used, ClientEvent::Interim(response)));
        }
        let framing = match response.framing(ex.method.name()) {
            Ok(framing) => framing,
            Err(error) => return Err(self.fail(error)),
        };
        // PC-1: HTTP/1.0 persists only with keep-alive in both directions.
        let persists = field::persists(response.version, response.headers)
            && (response.version == Version::Http11 || ex.asked_keep_alive);
        // RS-12: a final response before the request body was all sent
        // stops the sending, and the connection cannot be reused.
        let body_cut = matches!(self.state.send, Send::Body(_));
        self.state.exchange.keep_alive =
            ex.keep_alive && persists && !framing.close_after && !body_cut;
        if body_cut {
            self.state.send = Send::Closed;
        }
        if framing.framing == Framing::Tunnel {
            self.state.recv = Recv::Switched;
            self.state.send = Send::Closed;
            self.state.exchange.keep_alive = false;
        } else {
            self.state.recv = Recv::Body(BodyDecoder::new(framing.framing, self.parser.limits()));
        }
        Ok((used, ClientEvent::Response(response)))
    }

    fn close(&mut self) {
        self.state.recv = Recv::Closed;
        self.state.send = Send::Closed;
    }

    fn fail(&mut self, error: Error) -> Error {
        self.state.recv = Recv::Failed(error);
        self.state.send = Send::Closed;
        self.state.exchange.keep_alive = false;
        error
    }
}
