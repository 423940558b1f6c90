//! Bytes out: responses through the core's connection into a connection's
//! output buffer (or, a large body, straight to its socket; a streamed
//! body a piece at a time), the `Date` header and the access log.

use std::format;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::string::{String, ToString};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use super::body_channel::{BodySource, Piece};
use super::types::{Request, Response};
use crate::conn::{append, SendError, ServerConnection};
use crate::date::HttpDate;
use crate::field::{self, list_items};
use crate::serialize::ResponseHead;
use crate::{EncodeError, Framing, Header};

/// Field slots on the stack: enough for a handler's few fields plus the
/// server's; more get a heap slice.
const STACK_FIELDS: usize = 16;

/// Runs `f` with the response's fields plus the ones the server owns:
/// `Date` and `Server` unless the handler set them, and one `Connection`
/// field: `upgrade` if the response has an `Upgrade` field (a `101`, a
/// `426`), `close` when `close` or when the handler asked for it (not on a
/// `101`: the connection goes on in another protocol). The handler's other
/// `Connection` fields are dropped: the connection's persistence is the
/// core's to announce (RULES PC-1).
fn with_fields<R>(
    response: &Response,
    server_header: Option<&str>,
    close: bool,
    f: impl FnOnce(&[Header<'_>]) -> R,
) -> R {
    with_http_date(|date| {
        let wanted = response.headers().count() + 3;
        let mut on_stack;
        let mut on_heap;
        let slots: &mut [Header<'_>] = if wanted <= STACK_FIELDS {
            on_stack = [Header::EMPTY; STACK_FIELDS];
            &mut on_stack
        } else {
            on_heap = std::vec![Header::EMPTY; wanted];
            &mut on_heap
        };
        let mut len = 0;
        let mut push = |header| {
            slots[len] = header;
            len += 1;
        };
        let (mut has_date, mut has_server, mut close) = (false, false, close);
        let mut has_upgrade = false;
        for (name, value) in response.headers() {
            let header = Header {
                name,
                value: value.as_bytes(),
            };
            if name.eq_ignore_ascii_case("connection") {
                close |= field::has_token(&[header], "connection", "close");
                continue;
            }
            has_upgrade |= name.eq_ignore_ascii_case("upgrade");
            has_date |= name.eq_ignore_ascii_case("date");
            has_server |= name.eq_ignore_ascii_case("server");
            push(header);
        }
        if !has_date {
            push(Header {
                name: "Date",
                value: date.as_bytes(),
            });
        }
        if let (Some(server), false) = (server_header, has_server) {
            push(Header {
                name: "Server",
                value: server.as_bytes(),
            });
        }
        // RFC 9110 §7.8: whoever sends Upgrade lists it in Connection.
        let connection: &[u8] = match (has_upgrade, close && response.status() != 101) {
            (true, true) => b"upgrade, close",
            (true, false) => b"upgrade",
            (false, true) => b"close",
            (false, false) => b"",
        };
        if !connection.is_empty() {
            push(Header {
                name: "Connection",
                value: connection,
            });
        }
        f(&slots[..len])
    })
}

/// Sends `response` through `conn`, which frames it (RULES PC-3, SR-4: no
/// body after HEAD, 204, 205, 304) and adds the `Connection` field its
/// persistence calls for (PC-1), with the fields [`with_fields`] adds.
/// `scratch` holds the head; it grows to fit.
///
/// Returns `Ok(Err(_))`, having written nothing and left `conn` as it was,
/// if the core refuses the response (a bad field from a handler, a body
/// the status forbids, a 1xx); otherwise what was written: the whole
/// response, or the head of one whose body is to be read from its reader
/// (taken out of `response`) with [`Output::read_piece`] and
/// [`Output::frame_piece`].
pub(crate) fn write_response<W: Write>(
    w: &mut W,
    conn: &mut ServerConnection,
    scratch: &mut Vec<u8>,
    server_header: Option<&str>,
    response: &mut Response,
    close: bool,
) -> io::Result<Result<Written, SendError>> {
    let status = response.status();
    if status < 200 {
        // A 1xx is interim (RFC 9110 §15.2): it cannot be the answer.
        return Ok(Err(SendError::InterimNotAllowed));
    }
    // These announce no length when they have no body (a 205 gets
    // `Content-Length: 0` from the core); any other length is the body's.
    let length = match (status, response.length()) {
        (204 | 205 | 304, Some(0)) => None,
        (_, length) => length,
    };
    let head = with_fields(response, server_header, close, |headers| loop {
        match conn.send_response_with_reason(status, response.reason(), headers, length, scratch) {
            Err(SendError::Encode(EncodeError::BufferTooSmall { needed }))
                if needed > scratch.len() =>
            {
                scratch.resize(needed, 0);
            }
            sent => return sent,
        }
    });
    let head = match head {
        Ok(n) => n,
        Err(refused) => return Ok(Err(refused)),
    };
    w.write_all(&scratch[..head])?;
    // A source is read only if the core lets a body follow (not after
    // HEAD, 204, 205, 304); otherwise it is dropped unread.
    if let Some(source) = response.take_source() {
        if conn.sends_body() {
            return Ok(Ok(Written::Head(source)));
        }
    }
    let body = response.body();
    let unexpected = |e: SendError| io::Error::other(e.to_string());
    let sent = match conn.send_data(body) {
        Ok(frame) => {
            w.write_all(frame.prefix())?;
            w.write_all(body)?;
            w.write_all(frame.suffix())?;
            body.len()
        }
        // HEAD and 304: the length is announced, the body is not sent
        // (RFC 9110 §9.3.2, §15.4.5).
        Err(SendError::BodyNotAllowed) => 0,
        // The length given is the body's: nothing else can be refused.
        Err(e) => return Err(unexpected(e)),
    };
    let end = conn.send_end(&[], scratch).map_err(unexpected)?;
    w.write_all(&scratch[..end])?;
    Ok(Ok(Written::Whole(sent)))
}

/// Would `response` switch the protocol if sent in answer to `request`: a
/// `101`, or a 2xx to CONNECT (RFC 9110 §15.2.2, §9.3.6)? The callback of
/// a response that would not is dropped, and the response sent as any
/// other.
pub(crate) fn switches(request: &Request, response: &Response) -> bool {
    let status = response.status();
    status == 101 || (request.method() == "CONNECT" && (200..300).contains(&status))
}

/// Writes the head of a switching response (one that [`switches`]) to the
/// end of `out` through `conn`, which refuses a switch the request did not
/// ask for (RULES PC-6), with the fields [`with_fields`] adds. On an error
/// nothing was written and `conn` is as it was; on success `conn` has
/// switched.
pub(crate) fn write_switch_head(
    out: &mut Vec<u8>,
    conn: &mut ServerConnection,
    server_header: Option<&str>,
    request: &Request,
    response: &Response,
) -> Result<(), SendError> {
    // A switch ends HTTP at the end of the head: a body would be lost.
    if response.length() != Some(0) {
        return Err(SendError::BodyNotAllowed);
    }
    if response.status() == 101 && !offered(request, response) {
        return Err(SendError::InterimNotAllowed);
    }
    with_fields(response, server_header, false, |headers| {
        append(out, |o| {
            conn.send_response_with_reason(response.status(), response.reason(), headers, None, o)
        })
    })
    .map(drop)
}

/// RFC 9110 §15.2.2, §7.8: a `101` names in `Upgrade` the protocol(s) it
/// switches to, and only ones the request offered (protocol names compare
/// case-insensitively). The core knows only that the request asked to
/// upgrade, not to what.
fn offered(request: &Request, response: &Response) -> bool {
    let offers: Vec<&[u8]> = request
        .headers()
        .filter(|h| h.is("upgrade"))
        .flat_map(|h| list_items(h.value))
        .collect();
    let mut named = response
        .headers()
        .filter(|(name, _)| name.eq_ignore_ascii_case("upgrade"))
        .flat_map(|(_, value)| list_items(value.as_bytes()))
        .peekable();
    named.peek().is_some() && named.all(|p| offers.iter().any(|o| o.eq_ignore_ascii_case(p)))
}

/// What [`write_response`] wrote.
pub(crate) enum Written {
    /// The whole response, with this many body bytes.
    Whole(usize),
    /// The head; the body is to be taken from this source and sent.
    Head(BodySource),
}

/// Writes `response` with `Connection: close` to a connection that sent
/// no request the server read (the `503` past the connection cap), straight
/// through the core serializer.
pub(crate) fn write_unsolicited<W: Write>(
    w: &mut W,
    server_header: Option<&str>,
    response: &Response,
) -> io::Result<Result<usize, EncodeError>> {
    with_fields(response, server_header, true, |headers| {
        let body = response.body();
        let head = ResponseHead {
            status: response.status(),
            reason: response.reason(),
            headers,
            framing: Framing::Length(body.len() as u64),
        };
        if let Err(e) = head.encoded_len() {
            return Ok(Err(e));
        }
        head.write_to(w)?;
        w.write_all(body)?;
        Ok(Ok(body.len()))
    })
}

/// Responses written and not yet sent beyond this many bytes: they are sent
/// before another request is read. A client that pipelines requests and
/// reads no response holds this much, one response and its read buffer
/// (which then fills no more), never a thread. A larger body goes straight
/// to the socket ([`Sink`]).
pub(crate) const OUTPUT_BOUND: usize = 16 * 1024;
/// A request's body vector, and the output buffer, are dropped after use
/// if they grew beyond this, so that an idle connection does not keep a
/// large body's memory.
pub(crate) const KEEP_CAPACITY: usize = 64 * 1024;

/// Response bytes written and not yet sent: `buf[sent..]`.
#[derive(Default)]
pub(crate) struct Output {
    pub(crate) buf: Vec<u8>,
    sent: usize,
}

impl Output {
    pub(crate) fn pending(&self) -> usize {
        self.buf.len() - self.sent
    }

    /// Writes until all is sent (`Ok(true)`) or the socket takes no more
    /// for now (`Ok(false)`: it would block, or its timeout passed).
    pub(crate) fn send(&mut self, mut stream: &TcpStream) -> io::Result<bool> {
        while self.sent < self.buf.len() {
            match stream.write(&self.buf[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf = Vec::new();
        }
        self.buf.clear();
        self.sent = 0;
        Ok(true)
    }
}

/// A streamed body is read this much at a time, at most: what a
/// connection holds of it while the socket does not take it.
pub(crate) const PIECE: usize = 32 * 1024;
/// Room for the longest chunk-size line of a piece (`8000\r\n`), kept
/// before the piece so that its framing goes in front of it uncopied.
const PIECE_PREFIX: usize = 8;

impl Output {
    /// Takes the next piece of a streamed body from `source` (up to
    /// [`PIECE`] bytes) into the buffer, which must have nothing pending:
    /// the bytes are read once, where they are sent from (see
    /// [`BodySource::next_piece`] for `socket`). After a
    /// [`Piece::Data`], [`frame_piece`](Output::frame_piece), before
    /// anything else.
    pub(crate) fn read_piece(
        &mut self,
        source: &mut BodySource,
        socket: Option<&TcpStream>,
    ) -> io::Result<Piece> {
        debug_assert_eq!(self.pending(), 0);
        self.buf.resize(PIECE_PREFIX + PIECE, 0);
        let piece = source.next_piece(&mut self.buf[PIECE_PREFIX..], socket);
        match piece {
            Ok(Piece::Data(_)) => {}
            // A connection waiting for its producer (maybe for long) keeps
            // no piece's memory.
            Ok(Piece::Pending) => self.buf = Vec::new(),
            _ => self.buf.clear(),
        }
        piece
    }

    /// Frames the piece of `n` bytes just read by `conn`
    /// ([`ServerConnection::send_data`]), in place: its chunk-size line
    /// goes in front of it, uncopied. Framing the core refuses (more than
    /// the announced length) is an error.
    pub(crate) fn frame_piece(&mut self, n: usize, conn: &mut ServerConnection) -> io::Result<()> {
        let piece = self
            .buf
            .get(PIECE_PREFIX..PIECE_PREFIX + n)
            .unwrap_or_default();
        let frame = conn
            .send_data(piece)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let prefix = frame.prefix();
        self.sent = PIECE_PREFIX - prefix.len();
        self.buf[self.sent..PIECE_PREFIX].copy_from_slice(prefix);
        self.buf.truncate(PIECE_PREFIX + n);
        self.buf.extend_from_slice(frame.suffix());
        Ok(())
    }
}

/// Where a response is written: the output buffer, except that a large body
/// goes straight to the socket after what waits before it, as far as the
/// socket takes it now (event-driven) or within its timeout (threads); only
/// the rest is copied (a copy of a large body into fresh memory costs more
/// than its `write`).
pub(crate) struct Sink<'s> {
    pub(crate) out: &'s mut Output,
    pub(crate) stream: &'s TcpStream,
    /// Large bodies go straight to the socket.
    pub(crate) direct: bool,
}

impl Write for Sink<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        if self.direct && data.len() > OUTPUT_BOUND && self.out.send(self.stream)? {
            let mut stream = self.stream;
            match stream.write(data) {
                Ok(n) => rest = &data[n..],
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.buf.extend_from_slice(rest);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A read or write that timed out (threads), or would block (event-driven).
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Runs `f` with the current time as an IMF-fixdate (RFC 9110 §5.6.7),
/// written on the stack (a few dozen instructions, so not cached).
fn with_http_date<R>(f: impl FnOnce(&str) -> R) -> R {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    f(HttpDate::from_unix_secs(secs).as_str())
}

/// The current time as an IMF-fixdate (RFC 9110 §5.6.7).
pub(crate) fn http_date() -> String {
    with_http_date(str::to_string)
}

/// `06/Nov/1994:08:49:37 +0000` (Common Log Format) from an IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT`, which has fixed field positions.
fn clf_date(imf: &str) -> String {
    match (
        imf.get(5..7),
        imf.get(8..11),
        imf.get(12..16),
        imf.get(17..25),
    ) {
        (Some(day), Some(month), Some(year), Some(time)) => {
            format!("{day}/{month}/{year}:{time} +0000")
        }
        _ => imf.to_string(),
    }
}

/// One access-log line: Common Log Format plus the time taken.
pub(crate) struct LogLine<'a> {
    pub(crate) remote: SocketAddr,
    /// The request-line, or `-` when none was parsed.
    pub(crate) request_line: &'a str,
    pub(crate) status: u16,
    /// Body bytes sent.
    pub(crate) bytes: usize,
    /// Time from the first byte of the request to the end of the response.
    pub(crate) elapsed: Duration,
}

impl LogLine<'_> {
    /// The line, without its newline:
    /// `127.0.0.1 - - [06/Nov/1994:08:49:37 +0000] "GET / HTTP/1.1" 200 5 0.123ms`.
    pub(crate) fn format(&self) -> String {
        let bytes = match self.bytes {
            0 => "-".to_string(),
            n => n.to_string(),
        };
        format!(
            "{} - - [{}] \"{}\" {} {} {:.3}ms",
            self.remote.ip(),
            clf_date(&http_date()),
            self.request_line,
            self.status,
            bytes,
            self.elapsed.as_secs_f64() * 1000.0
        )
    }

    /// Writes the line to stderr in one call, so lines from several threads
    /// do not interleave.
    pub(crate) fn write(&self) {
        let mut line = self.format();
        line.push('\n');
        let _ = io::stderr().lock().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clf_date_from_imf_fixdate() {
        assert_eq!(
            clf_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            "06/Nov/1994:08:49:37 +0000"
        );
    }

    /// Answers `request` with `response`: what `write_response` returned,
    /// what it wrote, and whether the connection persists.
    fn answer(
        request: &[u8],
        response: Response,
        close: bool,
    ) -> (Result<usize, SendError>, String, bool) {
        let mut response = response;
        let mut conn = ServerConnection::new();
        let mut headers = [Header::EMPTY; 8];
        let (_, event) = conn.poll(request, &mut headers).unwrap();
        assert!(matches!(event, crate::conn::ServerEvent::Request(_)));
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        let written = write_response(
            &mut out,
            &mut conn,
            &mut scratch,
            Some("t"),
            &mut response,
            close,
        )
        .unwrap()
        .map(|written| match written {
            Written::Whole(n) => n,
            Written::Head(_) => panic!("a body in memory is written whole"),
        });
        (written, String::from_utf8(out).unwrap(), conn.keep_alive())
    }

    const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    #[test]
    fn response_fields_and_framing() {
        let response = Response::text("hi").with_header("Connection", "keep-alive");
        let (written, text, keep_alive) = answer(GET, response, true);
        assert_eq!(written, Ok(2));
        assert!(!keep_alive);
        assert!(
            text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: "),
            "{text}"
        );
        assert!(
            text.contains("\r\nServer: t\r\nConnection: close\r\n"),
            "{text}"
        );
        assert!(!text.contains("keep-alive"), "{text}");
        assert!(text.ends_with("Content-Length: 2\r\n\r\nhi"), "{text}");
        let response = Response::text("hi").with_reason("Fine");
        let (_, text, keep_alive) = answer(GET, response, false);
        assert!(text.starts_with("HTTP/1.1 200 Fine\r\n"), "{text}");
        assert!(keep_alive && !text.contains("Connection"), "{text}");
    }

    /// RFC 9110 §7.8: a response with an Upgrade field lists `upgrade` in
    /// its one Connection field, beside `close` if it closes.
    #[test]
    fn an_upgrade_field_comes_with_connection_upgrade() {
        let response = Response::new(426).with_header("Upgrade", "echo");
        let (_, text, _) = answer(GET, response, true);
        assert_eq!(text.matches("Connection").count(), 1, "{text}");
        assert!(
            text.contains("\r\nConnection: upgrade, close\r\n"),
            "{text}"
        );
        let response = Response::new(426).with_header("Upgrade", "echo");
        let (_, text, keep_alive) = answer(GET, response, false);
        assert!(keep_alive);
        assert!(text.contains("\r\nConnection: upgrade\r\n"), "{text}");
    }

    /// PC-1: a handler's `close` is the core's cue to close.
    #[test]
    fn a_handler_that_says_close_closes() {
        let response = Response::text("hi").with_header("Connection", "Keep-Alive, Close");
        let (_, text, keep_alive) = answer(GET, response, false);
        assert!(!keep_alive);
        assert_eq!(text.matches("Connection").count(), 1, "{text}");
        assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
    }

    /// SR-4: HEAD keeps the length and drops the body.
    #[test]
    fn head_keeps_length_drops_body() {
        let request = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n";
        let (written, text, _) = answer(request, Response::text("hello"), false);
        assert_eq!(written, Ok(0));
        assert!(text.ends_with("Content-Length: 5\r\n\r\n"), "{text}");
    }

    /// A 205 says it has no content with `Content-Length: 0`: without it the
    /// client would read until the close (RFC 9112 §6.3).
    #[test]
    fn reset_content_has_zero_length() {
        let (written, text, _) = answer(GET, Response::new(205), false);
        assert_eq!(written, Ok(0));
        assert!(text.starts_with("HTTP/1.1 205 Reset Content\r\n"), "{text}");
        assert!(text.ends_with("\r\nContent-Length: 0\r\n\r\n"), "{text}");
    }

    /// A 304 may announce the length a GET would have had (RFC 9110
    /// §15.4.5): the core sends that and no body. (The server used to
    /// refuse a 304 with a body and answer 500.)
    #[test]
    fn not_modified_announces_the_length_and_sends_no_body() {
        let (written, text, keep_alive) = answer(GET, Response::new(304).with_body("abc"), false);
        assert_eq!(written, Ok(0));
        assert!(text.ends_with("\r\nContent-Length: 3\r\n\r\n"), "{text}");
        assert!(keep_alive);
    }

    #[test]
    fn refused_responses_write_nothing() {
        let refused = [
            (
                Response::text("x").with_header("X-Bad", "a\r\nInjected: 1"),
                SendError::Encode(EncodeError::InvalidHeaderValue),
            ),
            (
                Response::text("x").with_header("Content-Length", "1"),
                SendError::Encode(EncodeError::ConflictingFraming),
            ),
            (Response::new(103), SendError::InterimNotAllowed),
            (
                Response::new(204).with_body("x"),
                SendError::Encode(EncodeError::ConflictingFraming),
            ),
            (
                Response::new(205).with_body("x"),
                SendError::Encode(EncodeError::ConflictingFraming),
            ),
        ];
        for (response, error) in refused {
            let (written, text, _) = answer(GET, response, false);
            assert_eq!(written, Err(error));
            assert!(text.is_empty(), "{text}");
        }
    }

    /// A streamed piece is read where it is sent from, its chunk-size line
    /// put in front of it.
    #[test]
    fn a_piece_is_framed_in_place() {
        let mut conn = ServerConnection::new();
        let mut headers = [Header::EMPTY; 8];
        conn.poll(GET, &mut headers).unwrap();
        let mut response = Response::new(200).with_body_reader(&b"hello"[..], None);
        let (mut head, mut scratch) = (Vec::new(), Vec::new());
        let written = write_response(
            &mut head,
            &mut conn,
            &mut scratch,
            None,
            &mut response,
            false,
        );
        let Ok(Ok(Written::Head(mut source))) = written else {
            panic!("not streamed");
        };
        let mut out = Output::default();
        assert_eq!(out.read_piece(&mut source, None).unwrap(), Piece::Data(5));
        out.frame_piece(5, &mut conn).unwrap();
        assert_eq!(&out.buf[out.sent..], b"5\r\nhello\r\n");
        out.buf.clear();
        out.sent = 0;
        assert_eq!(out.read_piece(&mut source, None).unwrap(), Piece::End);
        assert_eq!(out.pending(), 0);
        // The longest piece's chunk-size line fits the room before it.
        let big = std::io::Read::take(std::io::repeat(b'x'), PIECE as u64 + 1);
        let mut big = BodySource::Reader(std::boxed::Box::new(big));
        assert_eq!(out.read_piece(&mut big, None).unwrap(), Piece::Data(PIECE));
        out.frame_piece(PIECE, &mut conn).unwrap();
        assert!(out.buf[out.sent..].starts_with(b"8000\r\nxx"));
        assert_eq!(out.pending(), PIECE + 8);
    }

    #[test]
    fn unsolicited_responses_close() {
        let mut out = Vec::new();
        let written = write_unsolicited(&mut out, None, &Response::text("busy")).unwrap();
        assert_eq!(written, Ok(4));
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
        assert!(text.ends_with("Content-Length: 4\r\n\r\nbusy"), "{text}");
    }

    /// A large body goes after what waits before it, as far as the socket
    /// takes it; the rest, and what follows, is kept in order.
    #[test]
    fn a_sink_keeps_the_order_of_what_it_sends_and_keeps() {
        use std::io::Read;
        use std::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        let mut out = Output::default();
        out.buf.extend_from_slice(b"head");
        // More than the socket buffers take while the client reads nothing.
        let body: Vec<u8> = (0..32u32 << 20).map(|i| i as u8).collect();
        let mut sink = Sink {
            out: &mut out,
            stream: &server,
            direct: true,
        };
        sink.write_all(&body).unwrap();
        sink.write_all(b"tail").unwrap();
        assert!(out.pending() > 4, "the socket took all of 32 MiB at once");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            client.read_to_end(&mut got).map(|_| got)
        });
        for _ in 0..10_000 {
            if out.send(&server).unwrap() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(out.pending(), 0);
        server.shutdown(std::net::Shutdown::Write).unwrap();
        let got = reader.join().unwrap().unwrap();
        assert_eq!(got.len(), 4 + body.len() + 4);
        assert!(got.starts_with(b"head") && got.ends_with(b"tail"));
        assert!(
            got[4..got.len() - 4] == body[..],
            "the body came out of order"
        );
    }

    /// RFC 9110 §7.8: a 101 names only protocols the request offered, as
    /// it spelled them (case aside).
    #[test]
    fn a_101_names_only_protocols_the_request_offered() {
        let request = Request::from_parts("GET", "/", &[("Upgrade", "h2c, WebSocket/13")], b"");
        let names = |upgrade: &[&str]| {
            let response = upgrade
                .iter()
                .fold(Response::new(101), |r, u| r.with_header("Upgrade", *u));
            offered(&request, &response)
        };
        assert!(names(&["websocket/13"]));
        assert!(names(&["H2C"]));
        assert!(names(&["h2c", "websocket/13"]));
        assert!(!names(&["websocket"]), "another version");
        assert!(!names(&["h2c, irc"]));
        assert!(!names(&[]), "a 101 names its protocol");
        let unasked = Request::from_parts("GET", "/", &[], b"");
        let response = Response::new(101).with_header("Upgrade", "h2c");
        assert!(!offered(&unasked, &response));
    }

    #[test]
    fn log_line_shape() {
        let line = LogLine {
            remote: "127.0.0.1:5000".parse().unwrap(),
            request_line: "GET / HTTP/1.1",
            status: 404,
            bytes: 9,
            elapsed: Duration::from_micros(1500),
        }
        .format();
        assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
        assert!(
            line.ends_with("] \"GET / HTTP/1.1\" 404 9 1.500ms"),
            "{line}"
        );
    }
}
