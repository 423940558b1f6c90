//! Conversions to and from the [`http`] crate's types (feature `http`),
//! the request and response types hyper, axum, reqwest and tower share.
//!
//! From a parsed head to `http`:
//!
//! * [`Request::to_http_parts`] and [`Request::to_http`]: method, target
//!   (as an [`http::Uri`]), version and fields;
//! * [`Response::to_http_parts`] and [`Response::to_http`]: status, version
//!   and fields. `http` has no place for the reason phrase, so it is left
//!   out.
//!
//! Field names become lowercase (an [`http::HeaderName`] is), and a
//! [`HeaderMap`] keeps the order of the fields of one name but not the
//! order between names. A folded value (from a response parser with
//! [`allow_obs_fold`](crate::ResponseParser::allow_obs_fold)) is unfolded,
//! its pieces joined by one SP as RFC 9112 §5.2 tells a user agent to, since
//! `http` refuses line breaks in a value. Everything is copied: the `http`
//! types own their bytes.
//!
//! From `http` to our serializers:
//!
//! * [`ResponseHead::from_http`] and [`RequestHead::from_http`] borrow an
//!   [`http::Response`] or [`http::Request`] and put its fields in a slice the
//!   caller owns. The `Content-Length` or `Transfer-Encoding: chunked` field
//!   becomes the head's [`Framing`] (the serializers write framing only from
//!   there); without either, the framing is [`Framing::None`]. The head is
//!   validated before it is returned, so encoding it fails only for lack of
//!   room.
//!
//! Whatever cannot convert is a [`ConvertError`], never a panic.
//!
//! ```
//! use httpwire::{Header, RequestParser};
//!
//! let buf = b"GET /search?q=wire HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
//! let mut headers = [Header::EMPTY; 16];
//! let request = RequestParser::new().parse(buf, &mut headers)?.complete().unwrap();
//! let parts = request.to_http_parts()?;
//! assert_eq!(parts.method, http::Method::GET);
//! assert_eq!(parts.uri.path(), "/search");
//! assert_eq!(parts.headers["host"], "example.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use std::vec::Vec;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::EncodeError;
use crate::field::Header;
use crate::framing::Framing;
use crate::request::Request;
use crate::response::Response;
use crate::serialize::{RequestHead, ResponseHead};
use crate::version::Version;

/// Why a head could not be converted to or from the `http` crate's types.
///
/// Each variant says which part failed; a field's is identified by its
/// index (in the parsed head's `headers`, or in the `http` head's
/// iteration order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConvertError {
    /// `http` refused the method. It takes every token (RFC 9110 §9.1), and
    /// every method the parsers accept is one, so with `http` 1.x this does
    /// not happen; it is an error rather than a panic should `http` change.
    InvalidMethod,
    /// [`http::Uri`] refused the request-target. The parser accepts every
    /// absolute-URI of RFC 3986; `http` wants `scheme://` in absolute-form,
    /// so `urn:isbn:0451450523` does not convert, nor does a target longer
    /// than 65,534 bytes. To our serializers: a CONNECT request whose URI
    /// has no authority.
    InvalidTarget,
    /// `http` refused the status code (it takes 100–999, as the parsers do).
    InvalidStatus,
    /// `http` refused the name of the field at `index`: it takes every
    /// token up to 65,535 bytes, so only a longer name (with raised
    /// [`Limits`](crate::Limits)) fails.
    InvalidHeaderName {
        /// The field's index.
        index: usize,
    },
    /// `http` refused the value of the field at `index`.
    InvalidHeaderValue {
        /// The field's index.
        index: usize,
    },
    /// More fields than fit: over the 32,768 a [`HeaderMap`] holds, or more
    /// than the slice given to [`ResponseHead::from_http`] or
    /// [`RequestHead::from_http`].
    TooManyHeaders,
    /// An `http` request whose version has no HTTP/1.x request-line
    /// (HTTP/0.9, HTTP/2, HTTP/3). (A response head is always written as
    /// HTTP/1.1, so a response's version is not checked.)
    UnsupportedVersion,
    /// The `http` head's framing fields cannot be written: more than one
    /// Content-Length, one that is not a decimal number, a
    /// Transfer-Encoding other than exactly `chunked`, or both fields
    /// (RFC 9112 §6.1, §6.2).
    InvalidFraming,
    /// Our serializer refused the converted head, for the reason given (a
    /// value with leading or trailing whitespace, a framing the status
    /// forbids, a missing Host, ...): see
    /// [`ResponseHead::encoded_len`] and [`RequestHead::encoded_len`].
    Encode(EncodeError),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::InvalidMethod => f.write_str("the http crate refused the method"),
            ConvertError::InvalidTarget => {
                f.write_str("the request-target does not convert to or from an http::Uri")
            }
            ConvertError::InvalidStatus => f.write_str("the http crate refused the status code"),
            ConvertError::InvalidHeaderName { index } => {
                write!(f, "the http crate refused the name of field {index}")
            }
            ConvertError::InvalidHeaderValue { index } => {
                write!(f, "the http crate refused the value of field {index}")
            }
            ConvertError::TooManyHeaders => f.write_str("too many header fields to convert"),
            ConvertError::UnsupportedVersion => {
                f.write_str("only HTTP/1.0 and HTTP/1.1 request heads can be written")
            }
            ConvertError::InvalidFraming => f.write_str(
                "Content-Length or Transfer-Encoding that cannot be written as the body framing",
            ),
            ConvertError::Encode(e) => write!(f, "the converted head is invalid: {e}"),
        }
    }
}

impl core::error::Error for ConvertError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ConvertError::Encode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<EncodeError> for ConvertError {
    fn from(e: EncodeError) -> ConvertError {
        ConvertError::Encode(e)
    }
}

fn to_http_version(version: Version) -> http::Version {
    match version {
        Version::Http10 => http::Version::HTTP_10,
        Version::Http11 => http::Version::HTTP_11,
    }
}

/// The fields as a [`HeaderMap`], folded values unfolded.
fn to_header_map(headers: &[Header<'_>]) -> Result<HeaderMap, ConvertError> {
    let mut map =
        HeaderMap::try_with_capacity(headers.len()).map_err(|_| ConvertError::TooManyHeaders)?;
    for (index, h) in headers.iter().enumerate() {
        let name = HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| ConvertError::InvalidHeaderName { index })?;
        let value = if h.value.contains(&b'\n') {
            // obs-fold: RFC 9112 §5.2, one SP for each fold.
            let mut joined = Vec::with_capacity(h.value.len());
            for piece in h.value_pieces() {
                if !joined.is_empty() {
                    joined.push(b' ');
                }
                joined.extend_from_slice(piece);
            }
            HeaderValue::from_bytes(&joined)
        } else {
            HeaderValue::from_bytes(h.value)
        }
        .map_err(|_| ConvertError::InvalidHeaderValue { index })?;
        map.try_append(name, value)
            .map_err(|_| ConvertError::TooManyHeaders)?;
    }
    Ok(map)
}

impl Request<'_, '_> {
    /// The head as [`http::request::Parts`] (feature `http`): method,
    /// target as an [`http::Uri`], version and fields, as described in
    /// [`http_interop`](crate::http_interop). `HTTP/1.2`–`HTTP/1.9`, which
    /// the parser reports as [`Version::Http11`], become `HTTP/1.1`.
    ///
    /// Errors: [`ConvertError::InvalidTarget`] for a target `http::Uri`
    /// refuses, [`ConvertError::InvalidHeaderName`] for a name over 65,535
    /// bytes, [`ConvertError::TooManyHeaders`] over 32,768 fields.
    ///
    /// ```
    /// use httpwire::{Header, RequestParser};
    ///
    /// let buf = b"OPTIONS * HTTP/1.0\r\nX-A: 1\r\nX-A: 2\r\n\r\n";
    /// let mut headers = [Header::EMPTY; 16];
    /// let request = RequestParser::new().parse(buf, &mut headers)?.complete().unwrap();
    /// let parts = request.to_http_parts()?;
    /// assert_eq!(parts.method, http::Method::OPTIONS);
    /// assert_eq!(parts.uri, "*");
    /// assert_eq!(parts.version, http::Version::HTTP_10);
    /// let values: Vec<_> = parts.headers.get_all("x-a").iter().collect();
    /// assert_eq!(values, ["1", "2"]);
    ///
    /// // http wants `scheme://` in an absolute-form target.
    /// let buf = b"GET urn:isbn:0451450523 HTTP/1.1\r\nHost: a\r\n\r\n";
    /// let request = RequestParser::new().parse(buf, &mut headers)?.complete().unwrap();
    /// assert_eq!(request.to_http_parts().unwrap_err(), httpwire::ConvertError::InvalidTarget);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http_parts(&self) -> Result<http::request::Parts, ConvertError> {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.method = http::Method::from_bytes(self.method.as_bytes())
            .map_err(|_| ConvertError::InvalidMethod)?;
        parts.uri = http::Uri::try_from(self.target).map_err(|_| ConvertError::InvalidTarget)?;
        parts.version = to_http_version(self.version);
        parts.headers = to_header_map(self.headers)?;
        Ok(parts)
    }

    /// The head as an [`http::Request`] without a body (feature `http`):
    /// [`to_http_parts`](Request::to_http_parts) with `()` for the body.
    ///
    /// ```
    /// use httpwire::{Header, RequestParser};
    ///
    /// let buf = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\n";
    /// let mut headers = [Header::EMPTY; 16];
    /// let request = RequestParser::new().parse(buf, &mut headers)?.complete().unwrap();
    /// let request: http::Request<()> = request.to_http()?;
    /// assert_eq!(request.method(), http::Method::POST);
    /// assert_eq!(request.headers()["content-length"], "5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http(&self) -> Result<http::Request<()>, ConvertError> {
        Ok(http::Request::from_parts(self.to_http_parts()?, ()))
    }
}

impl Response<'_, '_> {
    /// The head as [`http::response::Parts`] (feature `http`): status,
    /// version and fields, as described in
    /// [`http_interop`](crate::http_interop). The reason phrase is left
    /// out: `http` has no place for it.
    ///
    /// Errors: [`ConvertError::InvalidHeaderName`] for a name over 65,535
    /// bytes, [`ConvertError::TooManyHeaders`] over 32,768 fields.
    ///
    /// ```
    /// use httpwire::{Header, ResponseParser};
    ///
    /// let buf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-Long: a,\r\n b\r\n\r\n";
    /// let mut headers = [Header::EMPTY; 16];
    /// let response = ResponseParser::new()
    ///     .allow_obs_fold(true)
    ///     .parse(buf, &mut headers)?
    ///     .complete()
    ///     .unwrap();
    /// let parts = response.to_http_parts()?;
    /// assert_eq!(parts.status, http::StatusCode::NOT_FOUND);
    /// assert_eq!(parts.headers["x-long"], "a, b"); // unfolded
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http_parts(&self) -> Result<http::response::Parts, ConvertError> {
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts.status =
            http::StatusCode::from_u16(self.status).map_err(|_| ConvertError::InvalidStatus)?;
        parts.version = to_http_version(self.version);
        parts.headers = to_header_map(self.headers)?;
        Ok(parts)
    }

    /// The head as an [`http::Response`] without a body (feature `http`):
    /// [`to_http_parts`](Response::to_http_parts) with `()` for the body.
    ///
    /// ```
    /// use httpwire::{Header, ResponseParser};
    ///
    /// let buf = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    /// let mut headers = [Header::EMPTY; 16];
    /// let response = ResponseParser::new().parse(buf, &mut headers)?.complete().unwrap();
    /// let response: http::Response<()> = response.to_http()?;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.version(), http::Version::HTTP_10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http(&self) -> Result<http::Response<()>, ConvertError> {
        Ok(http::Response::from_parts(self.to_http_parts()?, ()))
    }
}

/// Puts the `http` fields into `slots`, all but the framing fields, which
/// become the returned [`Framing`]. Returns the number of slots filled.
fn from_header_map<'a>(
    map: &'a HeaderMap,
    slots: &mut [Header<'a>],
) -> Result<(usize, Framing), ConvertError> {
    let mut length = None;
    let mut lengths = 0usize;
    let mut chunked = 0usize;
    let mut filled = 0;
    for (name, value) in map.iter() {
        if name == http::header::CONTENT_LENGTH {
            lengths += 1;
            length = parse_length(value.as_bytes());
        } else if name == http::header::TRANSFER_ENCODING {
            // Only `chunked`, once: other codings are not ours to apply.
            if !value.as_bytes().eq_ignore_ascii_case(b"chunked") {
                return Err(ConvertError::InvalidFraming);
            }
            chunked += 1;
        } else {
            let slot = slots.get_mut(filled).ok_or(ConvertError::TooManyHeaders)?;
            let name = name.as_str();
            *slot = Header {
                name,
                value: value.as_bytes(),
            };
            filled += 1;
        }
    }
    let framing = match (lengths, length, chunked) {
        (0, _, 0) => Framing::None,
        (1, Some(n), 0) => Framing::Length(n),
        (0, _, 1) => Framing::Chunked,
        _ => return Err(ConvertError::InvalidFraming),
    };
    Ok((filled, framing))
}

/// A Content-Length value, `1*DIGIT` (RFC 9110 §8.6), if it fits a u64.
fn parse_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

impl<'h> ResponseHead<'h> {
    /// The head of an `http` response (feature `http`), its fields put in
    /// `headers` (a slice the caller owns, as for the parsers), its
    /// `Content-Length` or `Transfer-Encoding: chunked` made the
    /// [`framing`](ResponseHead::framing) (none: [`Framing::None`]). The
    /// reason is the registered one; the head says HTTP/1.1 whatever the
    /// `http` version. The body is not looked at.
    ///
    /// The head is validated as [`encoded_len`](ResponseHead::encoded_len)
    /// does, so encoding it fails only for lack of room. Errors:
    /// [`ConvertError::TooManyHeaders`] if `headers` is too short,
    /// [`ConvertError::InvalidFraming`], [`ConvertError::Encode`].
    ///
    /// ```
    /// use httpwire::serialize::ResponseHead;
    /// use httpwire::{ConvertError, EncodeError, Header};
    ///
    /// let response = http::Response::builder()
    ///     .status(201)
    ///     .header("Location", "/items/7")
    ///     .header("Content-Length", "2")
    ///     .body("ok")?;
    /// let mut headers = [Header::EMPTY; 16];
    /// let head = ResponseHead::from_http(&response, &mut headers)?;
    /// let mut buf = [0u8; 128];
    /// let n = head.encode(&mut buf)?;
    /// assert_eq!(
    ///     &buf[..n],
    ///     b"HTTP/1.1 201 Created\r\nlocation: /items/7\r\nContent-Length: 2\r\n\r\n"
    /// );
    ///
    /// // http keeps whitespace around a value; our serializer refuses it.
    /// let response = http::Response::builder().header("X-Pad", " x").body(())?;
    /// assert_eq!(
    ///     ResponseHead::from_http(&response, &mut headers),
    ///     Err(ConvertError::Encode(EncodeError::InvalidHeaderValue))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_http<'a: 'h, B>(
        response: &'a http::Response<B>,
        headers: &'h mut [Header<'a>],
    ) -> Result<ResponseHead<'h>, ConvertError> {
        let (filled, framing) = from_header_map(response.headers(), headers)?;
        let headers: &'h [Header<'a>] = headers;
        let head = ResponseHead {
            status: response.status().as_u16(),
            reason: None,
            headers: &headers[..filled],
            framing,
        };
        head.encoded_len()?;
        Ok(head)
    }
}

impl<'h> RequestHead<'h> {
    /// The head of an `http` request (feature `http`), its fields put in
    /// `headers` (a slice the caller owns), its `Content-Length` or
    /// `Transfer-Encoding: chunked` made the
    /// [`framing`](RequestHead::framing) (none: [`Framing::None`]).
    ///
    /// The target is what a client sends an origin server (RFC 9112 §3.2):
    /// the URI's authority for CONNECT, `*` for `*`, else its path and query
    /// (origin-form, `/` if empty). Without a Host field, the URI's
    /// authority is written as one. (A proxy's absolute-form is not made
    /// here: set [`target`](RequestHead::target) on the result.) The body is
    /// not looked at.
    ///
    /// The head is validated as [`encoded_len`](RequestHead::encoded_len)
    /// does, so encoding it fails only for lack of room. Errors:
    /// [`ConvertError::UnsupportedVersion`] for HTTP/0.9, 2 and 3,
    /// [`ConvertError::InvalidTarget`] for CONNECT without an authority,
    /// [`ConvertError::TooManyHeaders`] if `headers` is too short (keep one
    /// slot for Host), [`ConvertError::InvalidFraming`],
    /// [`ConvertError::Encode`].
    ///
    /// ```
    /// use httpwire::serialize::RequestHead;
    /// use httpwire::{ConvertError, Framing, Header};
    ///
    /// let request = http::Request::post("http://example.com/upload?x=1")
    ///     .header("Transfer-Encoding", "chunked")
    ///     .body(())?;
    /// let mut headers = [Header::EMPTY; 16];
    /// let head = RequestHead::from_http(&request, &mut headers)?;
    /// assert_eq!(head.framing, Framing::Chunked);
    /// let mut out = Vec::new();
    /// head.write_to(&mut out)?;
    /// assert_eq!(
    ///     out,
    ///     b"POST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
    /// );
    ///
    /// let request = http::Request::get("/").version(http::Version::HTTP_2).body(())?;
    /// assert_eq!(
    ///     RequestHead::from_http(&request, &mut headers),
    ///     Err(ConvertError::UnsupportedVersion)
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_http<'a: 'h, B>(
        request: &'a http::Request<B>,
        headers: &'h mut [Header<'a>],
    ) -> Result<RequestHead<'h>, ConvertError> {
        let version = match request.version() {
            http::Version::HTTP_10 => Version::Http10,
            http::Version::HTTP_11 => Version::Http11,
            _ => return Err(ConvertError::UnsupportedVersion),
        };
        let uri = request.uri();
        let method = request.method().as_str();
        let target = if request.method() == http::Method::CONNECT {
            uri.authority().ok_or(ConvertError::InvalidTarget)?.as_str()
        } else {
            match uri.path_and_query().map(|pq| pq.as_str()) {
                Some(pq) if !pq.is_empty() => pq,
                _ => "/",
            }
        };
        // Host first, as RFC 9110 §7.2 asks of a user agent.
        let host = match uri.authority() {
            Some(authority) if !request.headers().contains_key(http::header::HOST) => {
                let slot = headers.first_mut().ok_or(ConvertError::TooManyHeaders)?;
                *slot = Header {
                    name: "Host",
                    value: authority.as_str().as_bytes(),
                };
                1
            }
            _ => 0,
        };
        let (filled, framing) = from_header_map(request.headers(), &mut headers[host..])?;
        let headers: &'h [Header<'a>] = headers;
        let head = RequestHead {
            method,
            target,
            version,
            headers: &headers[..host + filled],
            framing,
        };
        head.encoded_len()?;
        Ok(head)
    }
}
