//! Bytes out: responses through the core's serializer, a writer with a
//! deadline, the `Date` header and the access log.

use std::format;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::string::{String, ToString};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::shutdown::Slot;
use super::types::Response;
use crate::date::HttpDate;
use crate::serialize::ResponseHead;
use crate::{EncodeError, Framing, Header};

/// The `Connection` field the server adds to a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnectionField {
    /// None: an HTTP/1.1 connection that stays open.
    Omit,
    /// `Connection: close`: the server closes after this response.
    Close,
    /// `Connection: keep-alive`: an HTTP/1.0 connection that stays open.
    KeepAlive,
}

/// Writes `response` with the fields the server owns (`Content-Length`,
/// `Date`, `Server`, `Connection`) through the core serializer.
///
/// Returns `Ok(Err(_))`, having written nothing, if the serializer refuses
/// the head (a bad field from a handler, or a body the status forbids);
/// otherwise the number of body bytes written. `head_only` (a HEAD request)
/// writes the `Content-Length` the body would have, but not the body.
pub(crate) fn write_response<W: Write>(
    w: &mut W,
    server_header: Option<&str>,
    response: &Response,
    connection: ConnectionField,
    head_only: bool,
) -> io::Result<Result<usize, EncodeError>> {
    with_http_date(|date| write_with_date(w, server_header, response, connection, head_only, date))
}

/// Field slots on the stack: enough for a handler's few fields plus the
/// server's; more get a heap slice.
const STACK_FIELDS: usize = 16;

fn write_with_date<W: Write>(
    w: &mut W,
    server_header: Option<&str>,
    response: &Response,
    connection: ConnectionField,
    head_only: bool,
    date: &str,
) -> io::Result<Result<usize, EncodeError>> {
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
    let mut has_date = false;
    let mut has_server = false;
    for (name, value) in response.headers() {
        if name.eq_ignore_ascii_case("connection") {
            // The connection's fate is the server's to announce.
            continue;
        }
        has_date |= name.eq_ignore_ascii_case("date");
        has_server |= name.eq_ignore_ascii_case("server");
        push(Header {
            name,
            value: value.as_bytes(),
        });
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
    match connection {
        ConnectionField::Omit => {}
        ConnectionField::Close => push(Header {
            name: "Connection",
            value: b"close",
        }),
        ConnectionField::KeepAlive => push(Header {
            name: "Connection",
            value: b"keep-alive",
        }),
    }
    let headers = &slots[..len];
    if response.status() < 200 {
        // A 1xx is interim (RFC 9110 §15.2): it cannot be the answer.
        return Ok(Err(EncodeError::InvalidStatus));
    }
    let body = response.body();
    let framing = if response.status_forbids_body() {
        if !body.is_empty() {
            // SR-4: no body in 1xx, 204 or 304.
            return Ok(Err(EncodeError::ConflictingFraming));
        }
        Framing::None
    } else {
        Framing::Length(body.len() as u64)
    };
    let head = ResponseHead {
        status: response.status(),
        reason: response.reason(),
        headers,
        framing,
    };
    if let Err(e) = head.encoded_len() {
        return Ok(Err(e));
    }
    head.write_to(w)?;
    if head_only || body.is_empty() {
        return Ok(Ok(0));
    }
    w.write_all(body)?;
    Ok(Ok(body.len()))
}

/// Writes `100 Continue` (RFC 9110 §15.2.1).
pub(crate) fn write_continue<W: Write>(w: &mut W) -> io::Result<()> {
    ResponseHead {
        status: 100,
        reason: None,
        headers: &[],
        framing: Framing::None,
    }
    .write_to(w)
}

/// A write may overrun the deadline by this much rather than cost a
/// `setsockopt` before every write.
const DEADLINE_SLACK: Duration = Duration::from_millis(10);

/// A socket writer that gives up at a deadline, however the writes are
/// split: before a write the socket's timeout is set to the time left,
/// unless the timeout already set ends before the deadline (or at most
/// [`DEADLINE_SLACK`] after it). The server sets the deadline to the write
/// timeout from now before each batch, so the timeout set for one batch
/// still fits the next and a request costs no `setsockopt`.
pub(crate) struct DeadlineWriter {
    slot: Arc<Slot>,
    pub(crate) deadline: Instant,
    /// The socket's write timeout as last set (`None`: unknown).
    armed: Option<Duration>,
}

impl DeadlineWriter {
    pub(crate) fn new(slot: Arc<Slot>) -> DeadlineWriter {
        DeadlineWriter {
            slot,
            deadline: Instant::now(),
            armed: None,
        }
    }
}

impl Write for DeadlineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "write timeout"));
        }
        if !matches!(self.armed, Some(armed) if armed <= left + DEADLINE_SLACK) {
            self.armed = None;
            self.slot.stream.set_write_timeout(Some(left))?;
            self.armed = Some(left);
        }
        (&self.slot.stream).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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
    use std::vec::Vec;

    #[test]
    fn clf_date_from_imf_fixdate() {
        assert_eq!(
            clf_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            "06/Nov/1994:08:49:37 +0000"
        );
    }

    #[test]
    fn response_fields_and_framing() {
        let response = Response::text("hi").with_header("Connection", "keep-alive");
        let mut out = Vec::new();
        let written = write_response(
            &mut out,
            Some("t"),
            &response,
            ConnectionField::Close,
            false,
        )
        .unwrap();
        assert_eq!(written, Ok(2));
        let text = String::from_utf8(out).unwrap();
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
    }

    #[test]
    fn head_only_keeps_length_drops_body() {
        let mut out = Vec::new();
        let r = write_response(
            &mut out,
            None,
            &Response::text("hello"),
            ConnectionField::Omit,
            true,
        )
        .unwrap();
        assert_eq!(r, Ok(0));
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("Content-Length: 5\r\n\r\n"), "{text}");
        assert!(!text.contains("Server:"), "{text}");
    }

    /// A 205 says it has no content with `Content-Length: 0`: without it the
    /// client would read until the close (RFC 9112 §6.3).
    #[test]
    fn reset_content_has_zero_length() {
        let mut out = Vec::new();
        let r = write_response(
            &mut out,
            None,
            &Response::new(205),
            ConnectionField::Omit,
            false,
        );
        assert_eq!(r.unwrap(), Ok(0));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 205 Reset Content\r\n"), "{text}");
        assert!(text.ends_with("\r\nContent-Length: 0\r\n\r\n"), "{text}");
    }

    #[test]
    fn refused_heads_write_nothing() {
        let mut out = Vec::new();
        let bad = Response::text("x").with_header("X-Bad", "a\r\nInjected: 1");
        let r = write_response(&mut out, None, &bad, ConnectionField::Omit, false).unwrap();
        assert_eq!(r, Err(EncodeError::InvalidHeaderValue));
        let framing = Response::text("x").with_header("Content-Length", "1");
        let r = write_response(&mut out, None, &framing, ConnectionField::Omit, false).unwrap();
        assert_eq!(r, Err(EncodeError::ConflictingFraming));
        let interim = Response::new(103);
        let r = write_response(&mut out, None, &interim, ConnectionField::Omit, false).unwrap();
        assert_eq!(r, Err(EncodeError::InvalidStatus));
        let no_content = Response::new(204).with_body("x");
        let r = write_response(&mut out, None, &no_content, ConnectionField::Omit, false).unwrap();
        assert_eq!(r, Err(EncodeError::ConflictingFraming));
        let reset_content = Response::new(205).with_body("x");
        let r = write_response(&mut out, None, &reset_content, ConnectionField::Omit, false);
        assert_eq!(r.unwrap(), Err(EncodeError::ConflictingFraming));
        assert!(out.is_empty());
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
