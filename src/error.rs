//! The one error type of the core: a precise [`ErrorKind`], the byte offset
//! where it was detected, the status a server should answer with, and a
//! human message.

use core::fmt;

/// Why a message was rejected. Every rejection has its own kind, so callers
/// can log, count and test them precisely.
///
/// [`ErrorKind::status`] maps each kind to the status code a server should
/// send before closing the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    // --- line structure (RFC 9112 §2.2) ---
    /// A line ended in LF without a preceding CR (and bare LF was not allowed).
    BareLf,
    /// A CR not followed by LF.
    BareCr,
    /// More empty lines before the request-line than the limit allows.
    TooManyEmptyLines,

    // --- request-line (RFC 9112 §3) ---
    /// The method is empty or holds a byte that is not a token character.
    InvalidMethod,
    /// The method is longer than the configured limit (501, RFC 9112 §3).
    MethodTooLong,
    /// A run of spaces, a tab or other whitespace where exactly one SP belongs,
    /// or whitespace at the end of the request-line.
    InvalidRequestLineWhitespace,
    /// The request-target is none of the four forms (RFC 9112 §3.2): it is
    /// empty, holds a byte outside RFC 3986 or a misplaced `[`/`]`, is not an
    /// absolute URI nor `/`-led, or is an `http`/`https` URI without a host.
    InvalidTarget,
    /// A `%` not followed by two hex digits.
    InvalidPercentEncoding,
    /// The request-target holds a fragment (`#`).
    TargetFragment,
    /// An `http`/`https` absolute-form target, or a CONNECT target, with
    /// userinfo (`user@host`, RFC 9110 §4.2.4).
    TargetUserinfo,
    /// authority-form without CONNECT, asterisk-form without OPTIONS, or
    /// CONNECT without authority-form (RFC 9112 §3.2).
    TargetFormMismatch,
    /// The request-line has no HTTP-version (an HTTP/0.9 request).
    MissingVersion,
    /// The HTTP-version is not `HTTP/` DIGIT `.` DIGIT.
    InvalidVersion,
    /// A well-formed HTTP-version whose major version is not 1 (505).
    UnsupportedVersion,
    /// The request-line is longer than the configured limit (414).
    RequestLineTooLong,

    // --- field lines (RFC 9112 §5, RFC 9110 §5) ---
    /// A field line starts with `:`.
    EmptyHeaderName,
    /// A field name holds a byte that is not a token character.
    InvalidHeaderName,
    /// Whitespace between a field name and its colon (RFC 9112 §5.1).
    WhitespaceBeforeColon,
    /// A field line without a colon.
    MissingColon,
    /// A field value holds NUL, a control byte or DEL.
    InvalidHeaderValue,
    /// A line starting with SP or HTAB: obs-fold, or whitespace before the
    /// first field (RFC 9112 §5.2, §2.2).
    ObsFold,
    /// One field line is longer than the configured limit (431).
    HeaderLineTooLong,
    /// More field lines than the configured limit or the caller's slice (431).
    TooManyHeaders,
    /// The whole head is larger than the configured limit (431).
    HeadTooLarge,

    // --- Host (RFC 9112 §3.2, RFC 9110 §7.2) ---
    /// An HTTP/1.1 request without a Host field.
    MissingHost,
    /// More than one Host field.
    DuplicateHost,
    /// A Host value that is not `uri-host [":" port]`.
    InvalidHost,

    // --- body framing (RFC 9112 §6) ---
    /// A Content-Length value that is not `1*DIGIT`.
    InvalidContentLength,
    /// A Content-Length too large for a u64.
    ContentLengthOverflow,
    /// More than one Content-Length field or list member, even if equal
    /// (unless a response parser accepts equal ones).
    DuplicateContentLength,
    /// Both Transfer-Encoding and Content-Length (a smuggling shape).
    ContentLengthWithTransferEncoding,
    /// Transfer-Encoding in an HTTP/1.0 request or response.
    TransferEncodingInHttp10,
    /// A Transfer-Encoding member that is not a token with optional parameters.
    InvalidTransferEncoding,
    /// A Transfer-Encoding list that is empty or whose final coding is not
    /// `chunked`: the body length cannot be determined.
    TransferEncodingNotChunked,
    /// `chunked` applied more than once.
    ChunkedAppliedTwice,
    /// `chunked` with parameters (`chunked;q=1`).
    ChunkedWithParameters,
    /// A transfer coding before `chunked` that is not implemented (501).
    UnsupportedTransferCoding,
    /// A declared body (Content-Length or chunk-size) over the body limit (413).
    BodyTooLarge,
    /// A CONNECT request with Transfer-Encoding, or with a Content-Length
    /// other than 0: CONNECT has no content (RFC 9110 §9.3.6).
    ConnectWithBody,

    // --- chunked coding (RFC 9112 §7.1) ---
    /// A chunk-size that is empty or holds a non-hex byte (sign, `0x`, `_`, SP).
    InvalidChunkSize,
    /// A chunk-size too large for a u64: more than 16 hex digits after its
    /// leading zeros.
    ChunkSizeOverflow,
    /// A malformed chunk extension.
    InvalidChunkExtension,
    /// The chunk extensions of one chunk exceed the configured limit.
    ChunkExtensionTooLong,
    /// A chunk line (chunk-size and extensions) longer than the configured
    /// limit.
    ChunkLineTooLong,
    /// Chunk data not followed by exactly CRLF.
    MissingChunkDataCrlf,
    /// A chunk line ended in something other than CRLF.
    InvalidChunkLineEnding,
    /// The trailer section exceeds the configured limit (431).
    TrailersTooLarge,
    /// The connection closed before the end of a Content-Length or chunked
    /// body (RFC 9112 §8): an incomplete message, never a complete one.
    IncompleteBody,
    /// The connection closed inside a head, after some of its bytes: an
    /// incomplete message (RFC 9112 §8), reported by the sans-IO
    /// connection.
    IncompleteHead,
    /// The caller stopped waiting for the rest of a request (its head or
    /// body timed out), reported by
    /// [`ServerConnection::abandon`](crate::conn::ServerConnection::abandon)
    /// (408, RFC 9110 §15.5.9).
    Timeout,

    // --- status-line (RFC 9112 §4), response heads only ---
    /// The status-line's parts are not separated by single SPs (or the SP
    /// after the status code is missing).
    InvalidStatusLine,
    /// The status code is not three digits from 100 to 999.
    InvalidStatusCode,
    /// A control character in the reason phrase.
    InvalidReasonPhrase,
    /// The status-line is longer than [`Limits::max_request_line`](crate::Limits::max_request_line).
    StatusLineTooLong,
    /// A `101 Switching Protocols` to a request that did not ask to
    /// upgrade (RFC 9110 §15.2.2, RULES RS-14).
    UnsolicitedSwitch,
}

impl ErrorKind {
    /// The status code a server should answer with before closing.
    ///
    /// ```
    /// use httpwire::ErrorKind;
    /// assert_eq!(ErrorKind::UnsupportedVersion.status(), 505);
    /// assert_eq!(ErrorKind::TooManyHeaders.status(), 431);
    /// assert_eq!(ErrorKind::BareLf.status(), 400);
    /// ```
    pub const fn status(self) -> u16 {
        use ErrorKind::*;
        // Every kind by name, so that a new kind needs a decision here.
        match self {
            RequestLineTooLong => 414,
            HeaderLineTooLong | TooManyHeaders | HeadTooLarge | TrailersTooLarge => 431,
            BodyTooLarge => 413,
            MethodTooLong | UnsupportedTransferCoding => 501,
            UnsupportedVersion => 505,
            // A response a proxy cannot read: 502 Bad Gateway to its client.
            InvalidStatusLine | InvalidStatusCode | InvalidReasonPhrase | StatusLineTooLong
            | UnsolicitedSwitch => 502,
            BareLf
            | BareCr
            | TooManyEmptyLines
            | InvalidMethod
            | InvalidRequestLineWhitespace
            | InvalidTarget
            | InvalidPercentEncoding
            | TargetFragment
            | TargetUserinfo
            | TargetFormMismatch
            | MissingVersion
            | InvalidVersion
            | EmptyHeaderName
            | InvalidHeaderName
            | WhitespaceBeforeColon
            | MissingColon
            | InvalidHeaderValue
            | ObsFold
            | MissingHost
            | DuplicateHost
            | InvalidHost
            | InvalidContentLength
            | ContentLengthOverflow
            | DuplicateContentLength
            | ContentLengthWithTransferEncoding
            | TransferEncodingInHttp10
            | InvalidTransferEncoding
            | TransferEncodingNotChunked
            | ChunkedAppliedTwice
            | ChunkedWithParameters
            | ConnectWithBody
            | InvalidChunkSize
            | ChunkSizeOverflow
            | InvalidChunkExtension
            | ChunkExtensionTooLong
            | ChunkLineTooLong
            | MissingChunkDataCrlf
            | InvalidChunkLineEnding
            | IncompleteBody
            | IncompleteHead => 400,
            Timeout => 408,
        }
    }

    /// A short, stable, snake_case name for the kind (used in logs and JSON).
    pub const fn name(self) -> &'static str {
        use ErrorKind::*;
        match self {
            BareLf => "bare_lf",
            BareCr => "bare_cr",
            TooManyEmptyLines => "too_many_empty_lines",
            InvalidMethod => "invalid_method",
            MethodTooLong => "method_too_long",
            InvalidRequestLineWhitespace => "invalid_request_line_whitespace",
            InvalidTarget => "invalid_target",
            InvalidPercentEncoding => "invalid_percent_encoding",
            TargetFragment => "target_fragment",
            TargetUserinfo => "target_userinfo",
            TargetFormMismatch => "target_form_mismatch",
            MissingVersion => "missing_version",
            InvalidVersion => "invalid_version",
            UnsupportedVersion => "unsupported_version",
            RequestLineTooLong => "request_line_too_long",
            EmptyHeaderName => "empty_header_name",
            InvalidHeaderName => "invalid_header_name",
            WhitespaceBeforeColon => "whitespace_before_colon",
            MissingColon => "missing_colon",
            InvalidHeaderValue => "invalid_header_value",
            ObsFold => "obs_fold",
            HeaderLineTooLong => "header_line_too_long",
            TooManyHeaders => "too_many_headers",
            HeadTooLarge => "head_too_large",
            MissingHost => "missing_host",
            DuplicateHost => "duplicate_host",
            InvalidHost => "invalid_host",
            InvalidContentLength => "invalid_content_length",
            ContentLengthOverflow => "content_length_overflow",
            DuplicateContentLength => "duplicate_content_length",
            ContentLengthWithTransferEncoding => "content_length_with_transfer_encoding",
            TransferEncodingInHttp10 => "transfer_encoding_in_http10",
            InvalidTransferEncoding => "invalid_transfer_encoding",
            TransferEncodingNotChunked => "transfer_encoding_not_chunked",
            ChunkedAppliedTwice => "chunked_applied_twice",
            ChunkedWithParameters => "chunked_with_parameters",
            UnsupportedTransferCoding => "unsupported_transfer_coding",
            BodyTooLarge => "body_too_large",
            ConnectWithBody => "connect_with_body",
            InvalidChunkSize => "invalid_chunk_size",
            ChunkSizeOverflow => "chunk_size_overflow",
            InvalidChunkExtension => "invalid_chunk_extension",
            ChunkExtensionTooLong => "chunk_extension_too_long",
            ChunkLineTooLong => "chunk_line_too_long",
            MissingChunkDataCrlf => "missing_chunk_data_crlf",
            InvalidChunkLineEnding => "invalid_chunk_line_ending",
            TrailersTooLarge => "trailers_too_large",
            IncompleteBody => "incomplete_body",
            IncompleteHead => "incomplete_head",
            Timeout => "timeout",
            InvalidStatusLine => "invalid_status_line",
            InvalidStatusCode => "invalid_status_code",
            InvalidReasonPhrase => "invalid_reason_phrase",
            StatusLineTooLong => "status_line_too_long",
            UnsolicitedSwitch => "unsolicited_switch",
        }
    }

    /// A one-line human description.
    pub const fn message(self) -> &'static str {
        use ErrorKind::*;
        match self {
            BareLf => "line ends in LF without CR",
            BareCr => "CR not followed by LF",
            TooManyEmptyLines => "too many empty lines before the request-line",
            InvalidMethod => "method is not a token",
            MethodTooLong => "method is too long",
            InvalidRequestLineWhitespace => {
                "request-line parts must be separated by exactly one space"
            }
            InvalidTarget => {
                "request-target is not a valid origin, absolute, authority or asterisk form"
            }
            InvalidPercentEncoding => "'%' not followed by two hex digits in the request-target",
            TargetFragment => "request-target holds a fragment",
            TargetUserinfo => "request-target holds userinfo",
            TargetFormMismatch => "request-target form does not fit the method",
            MissingVersion => "request-line has no HTTP version",
            InvalidVersion => "malformed HTTP version",
            UnsupportedVersion => "HTTP version not supported",
            RequestLineTooLong => "request-line is too long",
            EmptyHeaderName => "empty field name",
            InvalidHeaderName => "field name is not a token",
            WhitespaceBeforeColon => "whitespace between field name and colon",
            MissingColon => "field line without a colon",
            InvalidHeaderValue => "control character in a field value",
            ObsFold => "line folding (obs-fold) or a whitespace-led line",
            HeaderLineTooLong => "field line is too long",
            TooManyHeaders => "too many header fields",
            HeadTooLarge => "header section is too large",
            MissingHost => "HTTP/1.1 request without Host",
            DuplicateHost => "more than one Host field",
            InvalidHost => "Host is not a valid authority",
            InvalidContentLength => "Content-Length is not a decimal number",
            ContentLengthOverflow => "Content-Length is too large",
            DuplicateContentLength => "more than one Content-Length",
            ContentLengthWithTransferEncoding => "both Transfer-Encoding and Content-Length",
            TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
            InvalidTransferEncoding => "malformed Transfer-Encoding",
            TransferEncodingNotChunked => "final transfer coding is not chunked",
            ChunkedAppliedTwice => "chunked applied more than once",
            ChunkedWithParameters => "chunked with parameters",
            UnsupportedTransferCoding => "transfer coding not implemented",
            BodyTooLarge => "declared body is larger than the limit",
            ConnectWithBody => "CONNECT request with a body",
            InvalidChunkSize => "chunk-size is not hexadecimal",
            ChunkSizeOverflow => "chunk-size is too large",
            InvalidChunkExtension => "malformed chunk extension",
            ChunkExtensionTooLong => "chunk extensions are too long",
            ChunkLineTooLong => "chunk line is too long",
            MissingChunkDataCrlf => "chunk data not followed by CRLF",
            InvalidChunkLineEnding => "chunk line does not end in CRLF",
            TrailersTooLarge => "trailer section is too large",
            IncompleteBody => "connection closed before the end of the body",
            IncompleteHead => "connection closed before the end of the head",
            Timeout => "the request did not arrive in time",
            InvalidStatusLine => "status-line parts must be separated by exactly one space",
            InvalidStatusCode => "status code is not three digits from 100 to 999",
            InvalidReasonPhrase => "control character in the reason phrase",
            StatusLineTooLong => "status-line is too long",
            UnsolicitedSwitch => "101 Switching Protocols to a request that did not ask to upgrade",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A rejected message: what was wrong ([`kind`](Error::kind)) and where
/// ([`offset`](Error::offset)).
///
/// The offset counts bytes from the start of the message being read, not
/// from the start of the connection:
///
/// * from a parser ([`RequestParser`](crate::RequestParser),
///   [`ResponseParser`](crate::ResponseParser)), from the first byte of the
///   `buf` of the call, which starts with the current head: a parser reused
///   for the next pipelined request counts from that request's first byte;
/// * from a body decoder ([`BodyDecoder`](crate::BodyDecoder),
///   [`ChunkedDecoder`](crate::ChunkedDecoder),
///   [`ContentLengthDecoder`](crate::ContentLengthDecoder)), from the first
///   byte of the body it decodes, across all its calls.
///
/// ```
/// use httpwire::{ErrorKind, Header, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let mut headers = [Header::EMPTY; 8];
/// let first = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
/// assert!(parser.parse(first, &mut headers).is_ok());
/// // The next request on the connection: offset 4 is its own fifth byte.
/// let err = parser.parse(b"GET  / HTTP/1.1\r\n", &mut headers).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::InvalidRequestLineWhitespace, 4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    /// Creates an error of `kind` detected at byte `offset`.
    pub const fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset where the problem was detected, counted as the type's
    /// docs say: from the start of the current head or body.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The status code a server should send (400, 413, 414, 431, 501, 505).
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }

    /// A one-line human description.
    pub const fn message(&self) -> &'static str {
        self.kind.message()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.kind.message(), self.offset)
    }
}

// `core::error::Error` (Rust 1.81) is what `std::error::Error` names, so
// `no_std` users get the trait too.
impl core::error::Error for Error {}

/// Why a serializer refused to write. An invalid field is never written, so
/// a bad value cannot split a response (RFC 9112 §11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small; `needed` bytes would have been written.
    BufferTooSmall {
        /// Total bytes the complete output needs.
        needed: usize,
    },
    /// A status code outside 100–999.
    InvalidStatus,
    /// A reason phrase with a byte other than HTAB, SP, VCHAR or obs-text.
    InvalidReason,
    /// A method that is not a token.
    InvalidMethod,
    /// A request-target the parser would reject.
    InvalidTarget,
    /// A field name that is not a token.
    InvalidHeaderName,
    /// A field value holding CR, LF, NUL or another control byte.
    InvalidHeaderValue,
    /// A request without the `Host` field HTTP/1.1 requires, with more than
    /// one, or with a value that is not `host[:port]`.
    InvalidHost,
    /// Framing fields that contradict the body framing being written
    /// (Content-Length or Transfer-Encoding given as a plain field, or a body
    /// where the status or method forbids one).
    ConflictingFraming,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            EncodeError::InvalidStatus => f.write_str("status code outside 100-999"),
            EncodeError::InvalidReason => f.write_str("invalid reason phrase"),
            EncodeError::InvalidMethod => f.write_str("method is not a token"),
            EncodeError::InvalidTarget => f.write_str("invalid request-target"),
            EncodeError::InvalidHeaderName => f.write_str("field name is not a token"),
            EncodeError::InvalidHeaderValue => f.write_str("control character in a field value"),
            EncodeError::InvalidHost => {
                f.write_str("missing, repeated or invalid Host field in a request")
            }
            EncodeError::ConflictingFraming => {
                f.write_str("framing fields conflict with the body framing")
            }
        }
    }
}

impl core::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both are `core::error::Error`s. Mostly a compile-time check: the
    /// impls have no `cfg`, so the `no_std` build compiles them too.
    #[test]
    fn errors_are_core_errors() {
        fn source_of<E: core::error::Error + 'static>(e: E) -> bool {
            e.source().is_none()
        }
        assert!(source_of(Error::new(ErrorKind::BareLf, 3)));
        assert!(source_of(EncodeError::InvalidStatus));
    }
}
