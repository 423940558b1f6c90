//! Serializers for response and request heads (RFC 9112 §3, §4, §5, §6).
//!
//! [`ResponseHead`] writes a status-line, the caller's field lines, the
//! framing field for its [`Framing`] (the same type the parsers decide:
//! `Content-Length: n` for `Length(n)`, `Transfer-Encoding: chunked` for
//! `Chunked`, nothing for the others) and the empty line that ends the head;
//! [`RequestHead`] does the same with a request-line. Both:
//!
//! * **validate everything before writing anything.** A field name that is
//!   not a token, a value with CR, LF, NUL or another control byte, a reason
//!   phrase with a control byte or a malformed method or target is refused
//!   with an [`EncodeError`], so no caller-supplied text can end a line early
//!   and inject another field or message (response splitting, RFC 9112
//!   §11.1; rule SR-2);
//! * **write framing from one place.** `Content-Length` and
//!   `Transfer-Encoding` are written only from the head's [`Framing`]; given
//!   as plain [`Header`]s they are refused with
//!   [`EncodeError::ConflictingFraming`], so a head never carries both (SR-4);
//! * **never emit obs-fold** (SR-3): values are written on one line, and a
//!   value with leading or trailing whitespace is refused, because the
//!   receiver would strip it (RFC 9110 §5.5).
//!
//! # Costs
//!
//! One validation pass over the input that also sums the output length, then
//! one `copy_from_slice` per piece. No allocation, no `unsafe`, no panics.
//! [`ResponseHead::encoded_len`] is the validation pass alone, so a caller
//! can size a buffer first. With the `std` feature, `write_to` writes through
//! a 1 KiB stack buffer, so a typical head is one `write_all` call.
//!
//! ```
//! use httpwire::serialize::ResponseHead;
//! use httpwire::{Framing, Header};
//!
//! let head = ResponseHead {
//!     status: 200,
//!     reason: None,
//!     headers: &[Header { name: "Content-Type", value: b"text/plain" }],
//!     framing: Framing::Length(5),
//! };
//! let mut buf = [0u8; 128];
//! let n = head.encode(&mut buf)?;
//! assert_eq!(
//!     &buf[..n],
//!     b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
//! );
//! # Ok::<(), httpwire::EncodeError>(())
//! ```

use crate::chars::{is_token_str, FIELD_VALUE};
use crate::error::EncodeError;
use crate::field::Header;
use crate::framing::Framing;
use crate::target;
use crate::version::Version;

/// The reason phrase registered for `status`, or `None` for an unregistered
/// code.
///
/// Covers every code defined in RFC 9110 §15 (with its RFC 9110 wording, so
/// 413 is "Content Too Large" and 422 "Unprocessable Content") and the four
/// of RFC 6585 (428, 429, 431, 511), and 103 Early Hints (RFC 8297). The reason phrase is informational only
/// (RFC 9112 §4): clients must not depend on it.
///
/// ```
/// use httpwire::serialize::reason_phrase;
/// assert_eq!(reason_phrase(404), Some("Not Found"));
/// assert_eq!(reason_phrase(431), Some("Request Header Fields Too Large"));
/// assert_eq!(reason_phrase(299), None);
/// ```
// Inlined into the validation pass: the match is a table lookup, cheaper
// than a call around it.
#[inline]
pub const fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        // RFC 9110 §15.2
        100 => "Continue",
        101 => "Switching Protocols",
        // RFC 8297
        103 => "Early Hints",
        // RFC 9110 §15.3
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        // RFC 9110 §15.4 (306 is reserved and has no phrase)
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        // RFC 9110 §15.5 (418 is reserved and has no phrase)
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        // RFC 6585 §3, §4, §5
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        // RFC 9110 §15.6
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        // RFC 6585 §6
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// A response head to serialize: `HTTP/1.1 NNN reason`, the fields, the
/// framing field and the empty line.
///
/// The version is always `HTTP/1.1`, the highest version this crate speaks
/// (RFC 9110 §2.5, rule VR-5); an HTTP/1.0 client understands it.
///
/// ```
/// use httpwire::serialize::ResponseHead;
/// use httpwire::Framing;
///
/// let head = ResponseHead {
///     status: 204,
///     reason: None,
///     headers: &[],
///     framing: Framing::None,
/// };
/// let mut buf = [0u8; 64];
/// let n = head.encode(&mut buf)?;
/// assert_eq!(&buf[..n], b"HTTP/1.1 204 No Content\r\n\r\n");
/// # Ok::<(), httpwire::EncodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseHead<'a> {
    /// The status code, 100 to 999.
    pub status: u16,
    /// The reason phrase. `None` writes the registered phrase from
    /// [`reason_phrase`], or an empty one for an unregistered code.
    /// `Some("")` writes an empty phrase.
    pub reason: Option<&'a str>,
    /// The field lines, written in order. Must not contain `Content-Length`
    /// or `Transfer-Encoding`: use [`framing`](ResponseHead::framing).
    pub headers: &'a [Header<'a>],
    /// The body framing, written as `Content-Length: n` (`Length(n)`),
    /// `Transfer-Encoding: chunked` (`Chunked`) or nothing (`None`,
    /// `CloseDelimited`, `Tunnel`). Which framings a status allows is listed
    /// at [`encoded_len`](ResponseHead::encoded_len).
    pub framing: Framing,
}

/// A request head to serialize: `METHOD target HTTP/1.x`, the fields, the
/// framing field and the empty line.
///
/// ```
/// use httpwire::serialize::RequestHead;
/// use httpwire::{Framing, Header, Version};
///
/// let head = RequestHead {
///     method: "POST",
///     target: "/upload?x=1",
///     version: Version::Http11,
///     headers: &[Header { name: "Host", value: b"example.com" }],
///     framing: Framing::Chunked,
/// };
/// let mut buf = [0u8; 128];
/// let n = head.encode(&mut buf)?;
/// assert_eq!(
///     &buf[..n],
///     &b"POST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"[..]
/// );
/// # Ok::<(), httpwire::EncodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// The method, a token (RFC 9110 §9.1). Methods are case-sensitive.
    pub method: &'a str,
    /// The request-target in one of the four forms of RFC 9112 §3.2:
    /// origin-form (`/path?query`), absolute-form (`http://host/path`),
    /// authority-form (`host:port`, CONNECT only) or asterisk-form (`*`,
    /// OPTIONS only).
    pub target: &'a str,
    /// The version written in the request-line.
    pub version: Version,
    /// The field lines, written in order. Must not contain `Content-Length`
    /// or `Transfer-Encoding`: use [`framing`](RequestHead::framing).
    pub headers: &'a [Header<'a>],
    /// The body framing, written as for [`ResponseHead::framing`].
    /// [`Framing::Chunked`] is refused for
    /// HTTP/1.0 (SR-7), and the response-only `CloseDelimited` and `Tunnel`
    /// always.
    pub framing: Framing,
}

impl<'a> ResponseHead<'a> {
    /// Validates the head and returns the exact number of bytes
    /// [`encode`](ResponseHead::encode) would write.
    ///
    /// Errors, checked in this order:
    /// * [`EncodeError::InvalidStatus`]: `status` is outside 100–999;
    /// * [`EncodeError::InvalidReason`]: the reason holds a byte other than
    ///   HTAB, SP, VCHAR or obs-text (RFC 9112 §4);
    /// * [`EncodeError::InvalidHeaderName`] / [`EncodeError::InvalidHeaderValue`]:
    ///   a name is not a token, or a value holds a control byte or has
    ///   leading or trailing whitespace;
    /// * [`EncodeError::ConflictingFraming`]: a `Content-Length` or
    ///   `Transfer-Encoding` field in `headers`; any framing on a 1xx or 204
    ///   response but a `Tunnel` after 101 (or a 2xx to CONNECT); `Chunked`
    ///   or `CloseDelimited` on a 304; a body on a 205 (`Length(n)` with `n`
    ///   above 0, `Chunked` or `CloseDelimited`); `Tunnel` on any other status
    ///   (SR-4, RFC 9110 §8.6, §15.3.6, RFC 9112 §6.1, §6.3). A 304 may carry
    ///   `Length`, the length a 200 would have had; a 205 `Length(0)`, which
    ///   keeps the connection open where `None` leaves its end to the close.
    ///
    /// ```
    /// use httpwire::serialize::ResponseHead;
    /// use httpwire::{EncodeError, Framing};
    ///
    /// let mut head = ResponseHead { status: 404, reason: None, headers: &[], framing: Framing::None };
    /// assert_eq!(head.encoded_len(), Ok(b"HTTP/1.1 404 Not Found\r\n\r\n".len()));
    /// head.reason = Some("Gone\r\nSet-Cookie: x");
    /// assert_eq!(head.encoded_len(), Err(EncodeError::InvalidReason));
    /// ```
    pub fn encoded_len(&self) -> Result<usize, EncodeError> {
        self.plan().map(|plan| plan.len)
    }

    /// Validates the head and writes it to the start of `out`, returning the
    /// number of bytes written.
    ///
    /// On any error nothing meaningful has been written. If `out` is too
    /// short the error is [`EncodeError::BufferTooSmall`] whose `needed` is
    /// the exact length of the head; validation errors (listed at
    /// [`encoded_len`](ResponseHead::encoded_len)) take precedence.
    ///
    /// ```
    /// use httpwire::serialize::ResponseHead;
    /// use httpwire::{EncodeError, Framing};
    ///
    /// let head = ResponseHead { status: 200, reason: Some("Fine"), headers: &[], framing: Framing::Chunked };
    /// let mut small = [0u8; 8];
    /// assert_eq!(head.encode(&mut small), Err(EncodeError::BufferTooSmall { needed: 49 }));
    /// let mut buf = [0u8; 49];
    /// assert_eq!(head.encode(&mut buf), Ok(49));
    /// assert_eq!(&buf[..], b"HTTP/1.1 200 Fine\r\nTransfer-Encoding: chunked\r\n\r\n");
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        match &self.plan() {
            Ok(plan) => plan.encode(None, out),
            Err(e) => Err(*e),
        }
    }

    /// Validates the head and writes it to `w` (with the `std` feature).
    ///
    /// A validation error (see [`encoded_len`](ResponseHead::encoded_len))
    /// is returned before anything is written, as an
    /// [`io::ErrorKind::InvalidInput`](std::io::ErrorKind::InvalidInput)
    /// error whose inner error is the [`EncodeError`] (building that error is
    /// the only allocation). The head is staged in a 1 KiB stack buffer, so a
    /// typical head costs one `write_all`; `w` is not flushed.
    ///
    /// ```
    /// use httpwire::serialize::ResponseHead;
    /// use httpwire::Framing;
    ///
    /// let head = ResponseHead { status: 100, reason: None, headers: &[], framing: Framing::None };
    /// let mut out = Vec::new();
    /// head.write_to(&mut out)?;
    /// assert_eq!(out, b"HTTP/1.1 100 Continue\r\n\r\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "std")]
    pub fn write_to<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        self.plan().map_err(invalid_input)?.write_to(w)
    }

    /// [`encode`](ResponseHead::encode) with a `Connection` field added
    /// after the caller's fields: how the sans-IO connection announces
    /// that it closes or keeps a connection alive (RULES PC-1).
    pub(crate) fn encode_with_connection(
        &self,
        connection: Option<&'static str>,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        match &self.plan() {
            Ok(plan) => plan.encode(connection, out),
            Err(e) => Err(*e),
        }
    }

    /// The validation pass: checks every part and sums the output length.
    /// The encoders match its result by reference: `?` would first move
    /// the plan (over 100 bytes) out of the `Result` to a new place.
    fn plan(&self) -> Result<Plan<'a>, EncodeError> {
        // RFC 9112 §4: status-code = 3DIGIT.
        if !(100..=999).contains(&self.status) {
            return Err(EncodeError::InvalidStatus);
        }
        let reason = match self.reason {
            Some(reason) => {
                // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ),
                // which is exactly the FIELD_VALUE table.
                if !reason.bytes().all(|b| FIELD_VALUE[b as usize]) {
                    return Err(EncodeError::InvalidReason);
                }
                reason
            }
            None => reason_phrase(self.status).unwrap_or(""),
        };
        let headers_len = check_headers(self.headers)?;
        // SR-4: RFC 9110 §8.6 forbids Content-Length and RFC 9112 §6.1
        // forbids Transfer-Encoding in 1xx and 204 responses; a 304 has no
        // body, so it may only repeat the length a 200 would have had.
        // RFC 9110 §15.3.6: a 205 has no content, but unlike a 204 its
        // recipient reads a head without framing as close-delimited (RFC 9112
        // §6.3 rule 7), so `Content-Length: 0` (RFC 7231 §6.3.6's first
        // option) is how it keeps the connection open.
        // A tunnel follows only a 101 or a 2xx (to CONNECT; RFC 9110
        // §15.2.2, RFC 9112 §6.3 rule 2).
        match (self.status, self.framing) {
            (_, Framing::None) | (101 | 200..=299, Framing::Tunnel) => {}
            (_, Framing::Tunnel)
            | (100..=199 | 204, _)
            | (304, Framing::Chunked | Framing::CloseDelimited)
            | (205, Framing::Length(1..) | Framing::Chunked | Framing::CloseDelimited) => {
                return Err(EncodeError::ConflictingFraming)
            }
            _ => {}
        }
        let s = self.status;
        // "HTTP/1.1" SP 3DIGIT SP, written with one copy. Each digit is
        // below 10, so the casts cannot truncate.
        let mut start = *b"HTTP/1.1 000 ";
        start[9] = b'0' + (s / 100) as u8;
        start[10] = b'0' + (s / 10 % 10) as u8;
        start[11] = b'0' + (s % 10) as u8;
        let framing = FramingField::new(self.framing);
        // "HTTP/1.1" SP 3DIGIT SP reason CRLF
        let line_len = start.len() + reason.len() + 2;
        let len = line_len
            .saturating_add(headers_len)
            .saturating_add(framing.len())
            .saturating_add(2);
        Ok(Plan {
            line: StartLine::Status {
                start,
                reason: reason.as_bytes(),
            },
            headers: self.headers,
            framing,
            len,
        })
    }
}

impl<'a> RequestHead<'a> {
    /// Validates the head and returns the exact number of bytes
    /// [`encode`](RequestHead::encode) would write.
    ///
    /// Errors, checked in this order:
    /// * [`EncodeError::InvalidMethod`]: the method is empty or not a token;
    /// * [`EncodeError::InvalidTarget`]: the target is empty, holds a byte
    ///   outside RFC 3986 (SP, CTL, `#`, `\`, bytes ≥ 0x80, ...) or a `%` not
    ///   followed by two hex digits, is not one of the four forms of RFC 9112
    ///   §3.2, has userinfo in an `http`/`https` URI (RFC 9110 §4.2.4), or its form
    ///   does not fit the method (authority-form if and only if `CONNECT`,
    ///   asterisk-form only with `OPTIONS`): the targets the parser rejects;
    /// * [`EncodeError::InvalidHeaderName`] / [`EncodeError::InvalidHeaderValue`]
    ///   as for [`ResponseHead::encoded_len`];
    /// * [`EncodeError::InvalidHost`]: no `Host` field in an HTTP/1.1
    ///   request, more than one in any request, or a value that is not an
    ///   authority (`host[:port]`; RFC 9112 §3.2, RFC 9110 §7.2);
    /// * [`EncodeError::ConflictingFraming`]: a `Content-Length` or
    ///   `Transfer-Encoding` field in `headers`, `Chunked` with HTTP/1.0
    ///   (SR-7, RFC 9112 §6.1), or a response-only framing
    ///   (`CloseDelimited`, `Tunnel`).
    ///
    /// ```
    /// use httpwire::serialize::RequestHead;
    /// use httpwire::{EncodeError, Framing, Version};
    ///
    /// let mut head = RequestHead {
    ///     method: "GET", target: "/", version: Version::Http10, headers: &[], framing: Framing::None,
    /// };
    /// assert_eq!(head.encoded_len(), Ok(b"GET / HTTP/1.0\r\n\r\n".len()));
    /// head.target = "/a b";
    /// assert_eq!(head.encoded_len(), Err(EncodeError::InvalidTarget));
    /// head.target = "/";
    /// head.version = Version::Http11; // needs a Host field
    /// assert_eq!(head.encoded_len(), Err(EncodeError::InvalidHost));
    /// ```
    pub fn encoded_len(&self) -> Result<usize, EncodeError> {
        self.plan().map(|plan| plan.len)
    }

    /// Validates the head and writes it to the start of `out`, returning the
    /// number of bytes written. Errors as for
    /// [`ResponseHead::encode`]: validation first, then
    /// [`EncodeError::BufferTooSmall`] with the exact length needed.
    ///
    /// ```
    /// use httpwire::serialize::RequestHead;
    /// use httpwire::{Framing, Header, Version};
    ///
    /// let head = RequestHead {
    ///     method: "CONNECT",
    ///     target: "example.com:443",
    ///     version: Version::Http11,
    ///     headers: &[Header { name: "Host", value: b"example.com:443" }],
    ///     framing: Framing::None,
    /// };
    /// let mut buf = [0u8; 96];
    /// let n = head.encode(&mut buf)?;
    /// assert_eq!(&buf[..n], b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    /// # Ok::<(), httpwire::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        // By reference, as ResponseHead::encode: no copy of the plan.
        match &self.plan() {
            Ok(plan) => plan.encode(None, out),
            Err(e) => Err(*e),
        }
    }

    /// Validates the head and writes it to `w` (with the `std` feature).
    /// Errors and buffering as for [`ResponseHead::write_to`].
    ///
    /// ```
    /// use httpwire::serialize::RequestHead;
    /// use httpwire::{Framing, Header, Version};
    ///
    /// let head = RequestHead {
    ///     method: "OPTIONS",
    ///     target: "*",
    ///     version: Version::Http11,
    ///     headers: &[Header { name: "Host", value: b"example.com" }],
    ///     framing: Framing::None,
    /// };
    /// let mut out = Vec::new();
    /// head.write_to(&mut out)?;
    /// assert_eq!(out, b"OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "std")]
    pub fn write_to<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        self.plan().map_err(invalid_input)?.write_to(w)
    }

    /// The validation pass: checks every part and sums the output length.
    fn plan(&self) -> Result<Plan<'a>, EncodeError> {
        let method = self.method.as_bytes();
        // RFC 9112 §3.1, RFC 9110 §9.1: method = token.
        if !is_token_str(method) {
            return Err(EncodeError::InvalidMethod);
        }
        let target = self.target.as_bytes();
        check_target(method, target)?;
        let headers_len = check_headers(self.headers)?;
        check_host(self.version, self.headers)?;
        // SR-7, RFC 9112 §6.1: no Transfer-Encoding to or from HTTP/1.0;
        // RFC 9112 §6.3 rule 7: a request body is never close-delimited, and
        // a request starts no tunnel.
        let request_framing = match self.framing {
            Framing::Chunked => self.version != Version::Http10,
            Framing::CloseDelimited | Framing::Tunnel => false,
            Framing::None | Framing::Length(_) => true,
        };
        if !request_framing {
            return Err(EncodeError::ConflictingFraming);
        }
        let version = self.version.as_str().as_bytes();
        let framing = FramingField::new(self.framing);
        // method SP request-target SP HTTP-version CRLF
        let line_len = method
            .len()
            .saturating_add(target.len())
            .saturating_add(1 + 1 + version.len() + 2);
        let len = line_len
            .saturating_add(headers_len)
            .saturating_add(framing.len())
            .saturating_add(2);
        Ok(Plan {
            line: StartLine::Request {
                method,
                target,
                version,
            },
            headers: self.headers,
            framing,
            len,
        })
    }
}

/// RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host, and no
/// request more than one; its value is an authority (RFC 9110 §7.2). The
/// same rule as the parser's, so a recipient as strict as ours accepts it.
fn check_host(version: Version, headers: &[Header<'_>]) -> Result<(), EncodeError> {
    let mut hosts = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("host"));
    match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::Http11 => Err(EncodeError::InvalidHost),
        (None, _) => Ok(()),
        (Some(host), None) if target::is_authority(host.value, target::PortRule::Optional) => {
            Ok(())
        }
        (Some(_), _) => Err(EncodeError::InvalidHost),
    }
}

/// Validates the caller's field lines (of a head, or trailers: one rule for
/// both) and returns the bytes they take,
/// `name ": " value CRLF` each.
// Inlined into each validation pass: a head without fields then costs a
// test, not a call with its result through memory. Always: the hint alone
// held or not as the code around it changed.
#[inline(always)]
pub(crate) fn check_headers(headers: &[Header<'_>]) -> Result<usize, EncodeError> {
    let mut len = 0usize;
    for h in headers {
        // RFC 9110 §5.1: field-name = token.
        if !is_token_str(h.name.as_bytes()) {
            return Err(EncodeError::InvalidHeaderName);
        }
        // RFC 9110 §5.5: field-value = *field-content, which neither starts
        // nor ends with whitespace and holds no CTL other than HTAB (SR-2).
        let v = h.value;
        if matches!(v.first(), Some(b' ' | b'\t'))
            || matches!(v.last(), Some(b' ' | b'\t'))
            || !v.iter().all(|&b| FIELD_VALUE[b as usize])
        {
            return Err(EncodeError::InvalidHeaderValue);
        }
        // SR-4: framing fields come only from `Framing`.
        if h.is("content-length") || h.is("transfer-encoding") {
            return Err(EncodeError::ConflictingFraming);
        }
        len = len
            .saturating_add(h.name.len())
            .saturating_add(v.len())
            .saturating_add(4);
    }
    Ok(len)
}

/// Validates a request-target for `method` with the parser's own checks
/// (`target.rs`), so a serialized target is one the parser accepts: RFC 3986
/// characters and `%` escapes, then one of the four forms of RFC 9112 §3.2
/// fitting the method, without userinfo in an `http`/`https` URI.
fn check_target(method: &[u8], target: &[u8]) -> Result<(), EncodeError> {
    if target.is_empty()
        || target::check_target_chars(target).is_err()
        || target::classify(method, target).is_err()
    {
        return Err(EncodeError::InvalidTarget);
    }
    Ok(())
}

/// A `u64` written in decimal without allocation.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    fn new(mut n: u64) -> Decimal {
        // u64::MAX has 20 digits.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            // `n % 10` is below 10, so the cast cannot truncate.
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || start == 0 {
                break;
            }
        }
        Decimal { digits, start }
    }

    fn as_bytes(&self) -> &[u8] {
        self.digits.get(self.start..).unwrap_or(b"")
    }
}

/// The framing field the serializer writes, with its number pre-rendered.
#[derive(Clone, Copy, Debug)]
enum FramingField {
    None,
    Length(Decimal),
    Chunked,
}

const CONTENT_LENGTH: &[u8] = b"Content-Length: ";
const CHUNKED: &[u8] = b"Transfer-Encoding: chunked\r\n";
const CONNECTION: &[u8] = b"Connection: ";

impl FramingField {
    fn new(framing: Framing) -> FramingField {
        match framing {
            // Nothing announces these: the body ends at the close, or the
            // connection is handed over.
            Framing::None | Framing::CloseDelimited | Framing::Tunnel => FramingField::None,
            Framing::Length(n) => FramingField::Length(Decimal::new(n)),
            Framing::Chunked => FramingField::Chunked,
        }
    }

    fn len(&self) -> usize {
        match self {
            FramingField::None => 0,
            FramingField::Length(d) => CONTENT_LENGTH.len() + d.as_bytes().len() + 2,
            FramingField::Chunked => CHUNKED.len(),
        }
    }
}

/// The validated first line.
#[derive(Clone, Copy, Debug)]
enum StartLine<'a> {
    Status {
        start: [u8; 13],
        reason: &'a [u8],
    },
    Request {
        method: &'a [u8],
        target: &'a [u8],
        version: &'a [u8],
    },
}

/// A validated head with its exact length: the output of the validation
/// pass and the input of the copy pass.
#[derive(Clone, Copy, Debug)]
struct Plan<'a> {
    line: StartLine<'a>,
    headers: &'a [Header<'a>],
    framing: FramingField,
    len: usize,
}

/// Where the copy pass puts the pieces.
trait Sink {
    type Error;
    fn put(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
}

impl Plan<'_> {
    /// Writes the head, with `Connection: value` after the caller's fields
    /// if the sans-IO connection adds one (`close` or `keep-alive`, RULES
    /// PC-1). An argument, not a field patched into the plan: the plan is
    /// then used where the validation pass left it, not copied first.
    fn emit<S: Sink>(&self, connection: Option<&str>, s: &mut S) -> Result<(), S::Error> {
        match self.line {
            StartLine::Status { start, reason } => {
                s.put(&start)?;
                s.put(reason)?;
            }
            StartLine::Request {
                method,
                target,
                version,
            } => {
                s.put(method)?;
                s.put(b" ")?;
                s.put(target)?;
                s.put(b" ")?;
                s.put(version)?;
            }
        }
        s.put(b"\r\n")?;
        for h in self.headers {
            s.put(h.name.as_bytes())?;
            s.put(b": ")?;
            s.put(h.value)?;
            s.put(b"\r\n")?;
        }
        if let Some(value) = connection {
            s.put(CONNECTION)?;
            s.put(value.as_bytes())?;
            s.put(b"\r\n")?;
        }
        match &self.framing {
            FramingField::None => {}
            FramingField::Length(n) => {
                s.put(CONTENT_LENGTH)?;
                s.put(n.as_bytes())?;
                s.put(b"\r\n")?;
            }
            FramingField::Chunked => s.put(CHUNKED)?,
        }
        s.put(b"\r\n")
    }

    /// Writes the head (see [`emit`](Plan::emit)) to the start of `out`.
    fn encode(&self, connection: Option<&str>, out: &mut [u8]) -> Result<usize, EncodeError> {
        let added = connection.map_or(0, |v| CONNECTION.len() + v.len() + 2);
        let len = self.len.saturating_add(added);
        let too_small = EncodeError::BufferTooSmall { needed: len };
        let buf = out.get_mut(..len).ok_or(too_small)?;
        let mut sink = SliceSink { buf, pos: 0 };
        // The slice has exactly `len` bytes, so `put` cannot fail; if the
        // length sum and the copy pass ever disagreed, this reports it
        // instead of panicking.
        self.emit(connection, &mut sink).map_err(|()| too_small)?;
        debug_assert_eq!(sink.pos, len);
        Ok(sink.pos)
    }

    #[cfg(feature = "std")]
    fn write_to<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let mut sink = IoSink {
            w,
            buf: [0; STAGE],
            len: 0,
        };
        self.emit(None, &mut sink)?;
        sink.flush()
    }
}

struct SliceSink<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    type Error = ();

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.pos.checked_add(bytes.len()).ok_or(())?;
        let dst = self.buf.get_mut(self.pos..end).ok_or(())?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

/// Size of the stack buffer `write_to` stages a head in.
#[cfg(feature = "std")]
const STAGE: usize = 1024;

#[cfg(feature = "std")]
struct IoSink<'w, W> {
    w: &'w mut W,
    buf: [u8; STAGE],
    len: usize,
}

#[cfg(feature = "std")]
impl<W: std::io::Write> IoSink<'_, W> {
    fn flush(&mut self) -> std::io::Result<()> {
        let pending = self.buf.get(..self.len).unwrap_or(&[]);
        self.len = 0;
        if pending.is_empty() {
            Ok(())
        } else {
            self.w.write_all(pending)
        }
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write> Sink for IoSink<'_, W> {
    type Error = std::io::Error;

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if bytes.len() > STAGE - self.len {
            self.flush()?;
        }
        if bytes.len() > STAGE {
            // Larger than the whole stage: write it through.
            return self.w.write_all(bytes);
        }
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
            self.len = end;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
fn invalid_input(e: EncodeError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<'a>(name: &'a str, value: &'a [u8]) -> Header<'a> {
        Header { name, value }
    }

    fn resp<'a>(
        status: u16,
        reason: Option<&'a str>,
        headers: &'a [Header<'a>],
        framing: Framing,
    ) -> ResponseHead<'a> {
        ResponseHead {
            status,
            reason,
            headers,
            framing,
        }
    }

    fn req<'a>(
        method: &'a str,
        target: &'a str,
        headers: &'a [Header<'a>],
        framing: Framing,
    ) -> RequestHead<'a> {
        RequestHead {
            method,
            target,
            version: Version::Http11,
            headers,
            framing,
        }
    }

    /// Encodes into a roomy buffer and returns the bytes as a fixed array
    /// plus length, so the tests need no allocation either.
    fn enc_resp(head: &ResponseHead<'_>) -> Result<([u8; 512], usize), EncodeError> {
        let mut buf = [0u8; 512];
        let n = head.encode(&mut buf)?;
        Ok((buf, n))
    }

    fn enc_req(head: &RequestHead<'_>) -> Result<([u8; 512], usize), EncodeError> {
        let mut buf = [0u8; 512];
        let n = head.encode(&mut buf)?;
        Ok((buf, n))
    }

    #[test]
    fn typical_response_exact_bytes() {
        let headers = [
            h("Date", b"Tue, 25 Nov 2025 22:00:00 GMT"),
            h("Content-Type", b"text/html; charset=utf-8"),
            h("X-Empty", b""),
        ];
        let head = resp(200, None, &headers, Framing::Length(1234));
        let (buf, n) = enc_resp(&head).unwrap();
        assert_eq!(
            &buf[..n],
            &b"HTTP/1.1 200 OK\r\n\
               Date: Tue, 25 Nov 2025 22:00:00 GMT\r\n\
               Content-Type: text/html; charset=utf-8\r\n\
               X-Empty: \r\n\
               Content-Length: 1234\r\n\
               \r\n"[..]
        );
        assert_eq!(head.encoded_len(), Ok(n));
    }

    #[test]
    fn framing_fields() {
        let (buf, n) = enc_resp(&resp(200, None, &[], Framing::Chunked)).unwrap();
        assert_eq!(
            &buf[..n],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let (buf, n) = enc_resp(&resp(200, None, &[], Framing::None)).unwrap();
        assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\n\r\n");
        let (buf, n) = enc_resp(&resp(200, None, &[], Framing::Length(0))).unwrap();
        assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        let (buf, n) = enc_resp(&resp(200, None, &[], Framing::Length(u64::MAX))).unwrap();
        assert_eq!(
            &buf[..n],
            &b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n"[..]
        );
    }

    #[test]
    fn decimal() {
        for (n, s) in [
            (0u64, &b"0"[..]),
            (7, b"7"),
            (10, b"10"),
            (999, b"999"),
            (1_000_000, b"1000000"),
            (u64::MAX, b"18446744073709551615"),
        ] {
            assert_eq!(Decimal::new(n).as_bytes(), s);
        }
    }

    #[test]
    fn default_reasons() {
        for (status, line) in [
            (100u16, &b"HTTP/1.1 100 Continue\r\n\r\n"[..]),
            (404, b"HTTP/1.1 404 Not Found\r\n\r\n"),
            (413, b"HTTP/1.1 413 Content Too Large\r\n\r\n"),
            (505, b"HTTP/1.1 505 HTTP Version Not Supported\r\n\r\n"),
            // Unregistered: empty reason, the SP stays (RFC 9112 §4).
            (299, b"HTTP/1.1 299 \r\n\r\n"),
            (999, b"HTTP/1.1 999 \r\n\r\n"),
        ] {
            let (buf, n) = enc_resp(&resp(status, None, &[], Framing::None)).unwrap();
            assert_eq!(&buf[..n], line, "status {status}");
        }
    }

    #[test]
    fn reason_phrase_table() {
        let registered = [
            100u16, 101, 103, 200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307,
            308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
            416, 417, 421, 422, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 511,
        ];
        for status in 0..=1000u16 {
            let phrase = reason_phrase(status);
            assert_eq!(
                phrase.is_some(),
                registered.contains(&status),
                "status {status}"
            );
            if let Some(p) = phrase {
                assert!(!p.is_empty() && p.bytes().all(|b| b == b' ' || b.is_ascii_graphic()));
            }
        }
        assert_eq!(reason_phrase(306), None);
        assert_eq!(reason_phrase(418), None);
        assert_eq!(reason_phrase(103), Some("Early Hints"));
        assert_eq!(reason_phrase(102), None);
        assert_eq!(reason_phrase(422), Some("Unprocessable Content"));
        assert_eq!(reason_phrase(511), Some("Network Authentication Required"));
    }

    #[test]
    fn custom_reasons() {
        for (reason, line) in [
            ("Fine", &b"HTTP/1.1 200 Fine\r\n\r\n"[..]),
            ("", b"HTTP/1.1 200 \r\n\r\n"),
            ("a\tb  c", b"HTTP/1.1 200 a\tb  c\r\n\r\n"),
            (" lead", b"HTTP/1.1 200  lead\r\n\r\n"),
            ("caf\u{e9}", b"HTTP/1.1 200 caf\xc3\xa9\r\n\r\n"),
        ] {
            let (buf, n) = enc_resp(&resp(200, Some(reason), &[], Framing::None)).unwrap();
            assert_eq!(&buf[..n], line, "reason {reason:?}");
        }
    }

    #[test]
    fn invalid_status() {
        for status in [0u16, 1, 99, 1000, u16::MAX] {
            let head = resp(status, None, &[], Framing::None);
            assert_eq!(head.encoded_len(), Err(EncodeError::InvalidStatus));
            assert_eq!(enc_resp(&head).unwrap_err(), EncodeError::InvalidStatus);
        }
    }

    #[test]
    fn invalid_reason() {
        for reason in [
            "a\rb",
            "a\nb",
            "x\r\nSet-Cookie: a=b",
            "\0",
            "\x01",
            "\x7f",
            "\x1b[0m",
        ] {
            let head = resp(200, Some(reason), &[], Framing::None);
            assert_eq!(
                enc_resp(&head).unwrap_err(),
                EncodeError::InvalidReason,
                "{reason:?}"
            );
        }
    }

    #[test]
    fn invalid_header_name() {
        for name in [
            "",
            "Bad Name",
            "X:",
            "caf\u{e9}",
            "a\r\nb",
            "(x)",
            "x\t",
            "@",
        ] {
            let headers = [h(name, b"v")];
            let head = resp(200, None, &headers, Framing::None);
            assert_eq!(
                enc_resp(&head).unwrap_err(),
                EncodeError::InvalidHeaderName,
                "{name:?}"
            );
        }
    }

    #[test]
    fn invalid_header_value() {
        for value in [
            &b"a\r\nX-Injected: 1"[..],
            b"a\rb",
            b"a\nb",
            b"a\0b",
            b"\x01",
            b"a\x7f",
            b"\x0b",
            b" lead",
            b"trail\t",
            b" ",
            b"\t",
        ] {
            let headers = [h("X", value)];
            let head = resp(200, None, &headers, Framing::None);
            assert_eq!(
                enc_resp(&head).unwrap_err(),
                EncodeError::InvalidHeaderValue,
                "{value:?}"
            );
        }
        // Inner whitespace, obs-text, quotes and colons are fine.
        let headers = [h("X", b"a \t b \x80\xff \"q:r\"")];
        assert!(enc_resp(&resp(200, None, &headers, Framing::None)).is_ok());
    }

    #[test]
    fn framing_headers_in_fields_conflict() {
        for name in [
            "Content-Length",
            "content-length",
            "TRANSFER-ENCODING",
            "Transfer-Encoding",
        ] {
            let headers = [h("X-Ok", b"1"), h(name, b"5")];
            for framing in [Framing::None, Framing::Length(5), Framing::Chunked] {
                let head = resp(200, None, &headers, framing);
                assert_eq!(
                    enc_resp(&head).unwrap_err(),
                    EncodeError::ConflictingFraming
                );
                let head = req("POST", "/", &headers, framing);
                assert_eq!(enc_req(&head).unwrap_err(), EncodeError::ConflictingFraming);
            }
        }
        // Names that merely start alike are ordinary fields.
        let headers = [h("Content-Length-X", b"1"), h("Transfer-Encodings", b"x")];
        assert!(enc_resp(&resp(200, None, &headers, Framing::None)).is_ok());
    }

    #[test]
    fn status_framing_rules() {
        use Framing as F;
        for status in [100u16, 101, 150, 199, 204] {
            assert!(enc_resp(&resp(status, None, &[], F::None)).is_ok());
            for framing in [F::Length(0), F::Length(3), F::Chunked] {
                let head = resp(status, None, &[], framing);
                assert_eq!(
                    enc_resp(&head).unwrap_err(),
                    EncodeError::ConflictingFraming,
                    "{status}"
                );
            }
        }
        // 304 may repeat the length of the representation, never chunked.
        assert!(enc_resp(&resp(304, None, &[], F::None)).is_ok());
        let (buf, n) = enc_resp(&resp(304, None, &[], F::Length(42))).unwrap();
        assert_eq!(
            &buf[..n],
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n"
        );
        assert_eq!(
            enc_resp(&resp(304, None, &[], F::Chunked)).unwrap_err(),
            EncodeError::ConflictingFraming
        );
        // 205 has no content (RFC 9110 §15.3.6): a zero Content-Length, or
        // nothing (then the connection's close ends it), never a body.
        let (buf, n) = enc_resp(&resp(205, None, &[], F::Length(0))).unwrap();
        assert_eq!(
            &buf[..n],
            b"HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\n\r\n"
        );
        assert!(enc_resp(&resp(205, None, &[], F::None)).is_ok());
        for framing in [
            F::Length(1),
            F::Length(u64::MAX),
            F::Chunked,
            F::CloseDelimited,
        ] {
            assert_eq!(
                enc_resp(&resp(205, None, &[], framing)).unwrap_err(),
                EncodeError::ConflictingFraming,
                "{framing:?}"
            );
        }
        for status in [200u16, 206, 299, 400, 500, 999] {
            for framing in [F::None, F::Length(3), F::Chunked, F::CloseDelimited] {
                assert!(
                    enc_resp(&resp(status, None, &[], framing)).is_ok(),
                    "{status}"
                );
            }
        }
        // A close-delimited body and a tunnel announce nothing; a body
        // never follows 1xx, 204 or 304, a tunnel only 101 or a 2xx.
        let (buf, n) = enc_resp(&resp(200, None, &[], F::CloseDelimited)).unwrap();
        assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\n\r\n");
        for status in [101u16, 200, 204, 299] {
            let (buf, n) = enc_resp(&resp(status, Some("X"), &[], F::Tunnel)).unwrap();
            assert_eq!(
                &buf[..n],
                std::format!("HTTP/1.1 {status} X\r\n\r\n").as_bytes()
            );
        }
        for (status, framing) in [
            (100u16, F::CloseDelimited),
            (204, F::CloseDelimited),
            (304, F::CloseDelimited),
            (100, F::Tunnel),
            (304, F::Tunnel),
            (404, F::Tunnel),
        ] {
            assert_eq!(
                enc_resp(&resp(status, None, &[], framing)).unwrap_err(),
                EncodeError::ConflictingFraming,
                "{status} {framing:?}"
            );
        }
    }

    #[test]
    fn validation_errors_come_before_buffer_size() {
        let mut tiny = [0u8; 4];
        let head = resp(1000, None, &[], Framing::None);
        assert_eq!(head.encode(&mut tiny), Err(EncodeError::InvalidStatus));
        let head = req("G T", "/", &[], Framing::None);
        assert_eq!(head.encode(&mut tiny), Err(EncodeError::InvalidMethod));
    }

    #[test]
    fn buffer_too_small_reports_exact_length() {
        let headers = [
            h("Host", b"example.com"),
            h("Server", b"httpwire"),
            h("X-Utf8", b"caf\xc3\xa9"),
        ];
        let responses = [
            resp(200, None, &headers, Framing::Length(12345)),
            resp(404, Some("Nope"), &[], Framing::Chunked),
            resp(599, None, &headers, Framing::None),
        ];
        for head in responses {
            let (full, len) = enc_resp(&head).unwrap();
            assert_eq!(head.encoded_len(), Ok(len));
            let mut exact = [0u8; 512];
            assert_eq!(head.encode(&mut exact[..len]), Ok(len));
            assert_eq!(&exact[..len], &full[..len]);
            assert_eq!(
                head.encode(&mut exact[..len - 1]),
                Err(EncodeError::BufferTooSmall { needed: len })
            );
            assert_eq!(
                head.encode(&mut []),
                Err(EncodeError::BufferTooSmall { needed: len })
            );
        }
        let requests = [
            req("GET", "/index.html?q=1", &headers, Framing::None),
            req("PUT", "http://example.com/x", &headers, Framing::Length(7)),
        ];
        for head in requests {
            let (full, len) = enc_req(&head).unwrap();
            assert_eq!(head.encoded_len(), Ok(len));
            let mut exact = [0u8; 512];
            assert_eq!(head.encode(&mut exact[..len]), Ok(len));
            assert_eq!(&exact[..len], &full[..len]);
            assert_eq!(
                head.encode(&mut exact[..len - 1]),
                Err(EncodeError::BufferTooSmall { needed: len })
            );
        }
    }

    #[test]
    fn request_head_text() {
        let headers = [
            h("Host", b"example.com"),
            h("User-Agent", b"httpwire/0.1"),
            h("Accept", b"*/*"),
        ];
        let head = req("POST", "/submit?a=1&b=%2F", &headers, Framing::Length(11));
        let (buf, n) = enc_req(&head).unwrap();
        assert_eq!(
            &buf[..n],
            &b"POST /submit?a=1&b=%2F HTTP/1.1\r\n\
               Host: example.com\r\n\
               User-Agent: httpwire/0.1\r\n\
               Accept: */*\r\n\
               Content-Length: 11\r\n\
               \r\n"[..]
        );

        let mut head10 = req("GET", "/", &[], Framing::None);
        head10.version = Version::Http10;
        let (buf, n) = enc_req(&head10).unwrap();
        assert_eq!(&buf[..n], b"GET / HTTP/1.0\r\n\r\n");
        head10.framing = Framing::Length(3);
        assert!(enc_req(&head10).is_ok());
        // SR-7: never chunked with HTTP/1.0.
        head10.framing = Framing::Chunked;
        assert_eq!(
            enc_req(&head10).unwrap_err(),
            EncodeError::ConflictingFraming
        );
        // A request is never close-delimited, nor starts a tunnel.
        let host = [Header {
            name: "Host",
            value: b"a",
        }];
        for framing in [Framing::CloseDelimited, Framing::Tunnel] {
            for version in [Version::Http10, Version::Http11] {
                let head = RequestHead {
                    framing,
                    version,
                    headers: &host,
                    ..head10
                };
                assert_eq!(enc_req(&head).unwrap_err(), EncodeError::ConflictingFraming);
            }
        }
    }

    #[test]
    fn request_host_rule() {
        let one = [h("Host", b"example.com:8080")];
        assert!(enc_req(&req("GET", "/", &one, Framing::None)).is_ok());
        let ipv6 = [h("host", b"[::1]:80")];
        assert!(enc_req(&req("GET", "/", &ipv6, Framing::None)).is_ok());
        // RFC 9112 §3.2: HTTP/1.1 needs exactly one, with an authority.
        let bad: [&[Header<'_>]; 6] = [
            &[],
            &[h("Host", b"a"), h("HOST", b"a")],
            &[h("Host", b"a b")],
            &[h("Host", b"a,b")],
            &[h("Host", b"user@a")],
            &[h("Host", b"a:80:80")],
        ];
        for headers in bad {
            let head = req("GET", "/", headers, Framing::None);
            assert_eq!(
                enc_req(&head).unwrap_err(),
                EncodeError::InvalidHost,
                "{headers:?}"
            );
        }
        // HTTP/1.0: optional, but never two.
        let mut head10 = req("GET", "/", &[], Framing::None);
        head10.version = Version::Http10;
        assert!(enc_req(&head10).is_ok());
        let two = [h("Host", b"a"), h("Host", b"b")];
        head10.headers = &two;
        assert_eq!(enc_req(&head10).unwrap_err(), EncodeError::InvalidHost);
    }

    #[test]
    fn invalid_method() {
        let host = [h("Host", b"h")];
        for method in ["", "GE T", "GET/", "G\r\nET", "caf\u{e9}", "(GET)", "GET:"] {
            let head = req(method, "/", &host, Framing::None);
            assert_eq!(
                enc_req(&head).unwrap_err(),
                EncodeError::InvalidMethod,
                "{method:?}"
            );
        }
        // Any token is a method; case is preserved.
        assert!(enc_req(&req("get", "/", &host, Framing::None)).is_ok());
        assert!(enc_req(&req("PROPFIND", "/dav", &host, Framing::None)).is_ok());
    }

    #[test]
    fn targets() {
        let ok = [
            ("GET", "/"),
            ("GET", "//double"),
            ("GET", "/p/a;b=c?q=/?:@!$&'()*+,;=&x=%20%aF"),
            ("GET", "http://example.com"),
            ("GET", "http://example.com/"),
            ("GET", "HTTP://EXAMPLE.com:8080/a?b"),
            ("GET", "https://[::1]:443/x"),
            ("GET", "coap+tcp://host?q"),
            ("GET", "http://host/a@b"),
            ("OPTIONS", "*"),
            ("OPTIONS", "/"),
            ("OPTIONS", "http://example.com"),
            ("CONNECT", "example.com:443"),
            ("CONNECT", "127.0.0.1:80"),
            ("CONNECT", "[::1]:8443"),
            ("CONNECT", "ex%41mple.com:443"),
        ];
        let host = [h("Host", b"h")];
        for (method, target) in ok {
            let head = req(method, target, &host, Framing::None);
            let (buf, n) = enc_req(&head).unwrap_or_else(|e| panic!("{method} {target}: {e:?}"));
            let line_end = method.len() + 1 + target.len();
            assert_eq!(&buf[method.len() + 1..line_end], target.as_bytes());
            assert_eq!(&buf[line_end..n], b" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        let bad = [
            ("GET", ""),
            ("GET", "/a b"),
            ("GET", "/a\tb"),
            ("GET", "/a\r\nHost: x"),
            ("GET", "/a#frag"),
            ("GET", "/a\\b"),
            ("GET", "/caf\u{e9}"),
            ("GET", "/a\"b"),
            ("GET", "/a{b}"),
            ("GET", "/[x]"),
            ("GET", "http://h/a[0]"),
            ("GET", "/a\x7f"),
            ("GET", "/%"),
            ("GET", "/%4"),
            ("GET", "/%zz"),
            ("GET", "/%4g"),
            ("GET", "relative/path"),
            ("GET", "?q"),
            ("GET", "http://"),
            ("GET", "http:///path"),
            ("GET", "http://user@host/"),
            ("GET", "http://user:pw@host/"),
            ("GET", "1http://host/"),
            ("GET", "ht_tp://host/"),
            ("GET", "://host/"),
            ("GET", "*"),
            ("GET", "example.com:443"),
            ("OPTIONS", "**"),
            ("CONNECT", "/"),
            ("CONNECT", "*"),
            ("CONNECT", "http://example.com:443/"),
            ("CONNECT", "example.com"),
            ("CONNECT", "example.com:"),
            ("CONNECT", ":443"),
            ("CONNECT", "example.com:44a"),
            ("CONNECT", "user@example.com:443"),
            ("CONNECT", "a:b:443"),
            ("CONNECT", "[]:443"),
            ("CONNECT", "[::1:443"),
            ("connect", "example.com:443"),
        ];
        for (method, target) in bad {
            let head = req(method, target, &[], Framing::None);
            assert_eq!(
                enc_req(&head).unwrap_err(),
                EncodeError::InvalidTarget,
                "{method} {target:?}"
            );
        }
    }

    #[test]
    fn request_header_errors() {
        let headers = [h("Bad Name", b"x")];
        let head = req("GET", "/", &headers, Framing::None);
        assert_eq!(enc_req(&head).unwrap_err(), EncodeError::InvalidHeaderName);
        let headers = [h("X", b"a\nb")];
        let head = req("GET", "/", &headers, Framing::None);
        assert_eq!(enc_req(&head).unwrap_err(), EncodeError::InvalidHeaderValue);
    }

    #[cfg(feature = "std")]
    #[test]
    fn write_to_matches_encode_and_maps_errors() {
        extern crate std;
        use std::vec::Vec;

        // Larger than the stage buffer, with a piece larger than it too.
        let big = [b'v'; 3000];
        let headers = [
            h("Host", b"h"),
            h("X-Small", b"1"),
            h("X-Big", &big),
            h("X-After", b"2"),
        ];
        let head = resp(200, None, &headers, Framing::Length(9));
        let mut out = Vec::new();
        head.write_to(&mut out).unwrap();
        let mut buf = [0u8; 4096];
        let n = head.encode(&mut buf).unwrap();
        assert_eq!(out, &buf[..n]);

        let rq = req("GET", "/", &headers, Framing::None);
        let mut out = Vec::new();
        rq.write_to(&mut out).unwrap();
        let n = rq.encode(&mut buf).unwrap();
        assert_eq!(out, &buf[..n]);

        let bad = [h("X", b"a\r\nb")];
        let mut out = Vec::new();
        let err = resp(200, None, &bad, Framing::None)
            .write_to(&mut out)
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<EncodeError>());
        assert_eq!(inner, Some(&EncodeError::InvalidHeaderValue));
        assert!(out.is_empty(), "nothing is written on a validation error");
        let err = req("G T", "/", &[], Framing::None)
            .write_to(&mut out)
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
    }
}
