//! The incremental request head parser (RFC 9112 §2–§5).
//!
//! # Cost
//!
//! Each call looks only at bytes it has not looked at before: line ends are
//! found with `memchr` from where the previous call stopped, and each
//! complete line is validated once. Feeding a head one byte at a time
//! therefore costs about the same as feeding it whole, plus a final cheap
//! pass that re-slices the fields validated by earlier calls (their slices
//! borrowed the caller's previous buffer). No allocation, no `unsafe`.
//!
//! Complete, valid lines seen for the first time take a fast loop that
//! finds each line's end by validating it (one SIMD scan per line for the
//! value bytes, one block for the name), compiled once per instruction set
//! (see [`crate::simd::Kernel`]) and chosen once per call; anything else
//! (a partial line, an error, a limit) takes the line-at-a-time path, which
//! is the specification the fast loop is tested against.

use memchr::memchr;

use crate::chars::{ascii_str, is_token, trim_ows, AsciiWindow};
use crate::error::{Error, ErrorKind};
use crate::field::{parse_field_line, Header};
use crate::framing::{self, Framing};
use crate::limits::Limits;
use crate::simd::{self, Kernel, Scanner};
use crate::target::{self, TargetForm};
use crate::version::Version;

/// The result of a parse call that did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The head is complete.
    Complete(T),
    /// More bytes are needed; call again with the same bytes and more.
    Partial,
}

impl<T> Status<T> {
    /// Is this `Complete`?
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }
}

/// A validated request head, borrowing from the input buffer (`'b`) and the
/// caller's header slice (`'h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'b, 'h> {
    /// The method, a token (case-sensitive: `GET`, not `get`).
    pub method: &'b str,
    /// The request-target as sent.
    pub target: &'b str,
    /// Which of the four target forms `target` is.
    pub target_form: TargetForm,
    /// The version; `HTTP/1.2`–`HTTP/1.9` are reported as [`Version::Http11`].
    pub version: Version,
    /// The field lines, in order.
    pub headers: &'h [Header<'b>],
    /// How the body is delimited, decided from the head (RFC 9112 §6.3).
    pub framing: Framing,
    /// Length of the head in bytes, final CRLF included: the body (or the
    /// next request) starts at this offset.
    pub head_len: usize,
}

impl<'b> Request<'b, '_> {
    /// The value of the first field called `name` (case-insensitive).
    ///
    /// ```
    /// # use httpwire::{Header, RequestParser, Status};
    /// let mut headers = [Header::EMPTY; 8];
    /// let buf = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    /// let req = RequestParser::new().parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(req.header("host"), Some(&b"example.com"[..]));
    /// ```
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers.iter().find(|h| h.is(name)).map(|h| h.value)
    }

    /// All values of the fields called `name` (case-insensitive), in order.
    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'b [u8]> + 's {
        self.headers
            .iter()
            .filter(move |h| h.is(name))
            .map(|h| h.value)
    }

    /// Does any field called `name` list `token` (comma-separated,
    /// case-insensitive, RFC 9110 §5.6.1)?
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers_named(name).any(|v| list_contains(v, token))
    }

    /// Does the client ask to close the connection (`Connection: close`)?
    pub fn connection_close(&self) -> bool {
        self.has_token("connection", "close")
    }

    /// Should the connection stay open after the response? HTTP/1.1 persists
    /// unless `close` is listed; HTTP/1.0 only with `keep-alive` (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        if self.connection_close() {
            return false;
        }
        match self.version {
            Version::Http11 => true,
            Version::Http10 => self.has_token("connection", "keep-alive"),
        }
    }

    /// Does the client wait for `100 Continue` before sending the body
    /// (RFC 9110 §10.1.1)? Only HTTP/1.1 requests with a body qualify.
    pub fn expects_continue(&self) -> bool {
        self.version == Version::Http11
            && self.framing != Framing::None
            && self
                .headers_named("expect")
                .any(|v| v.eq_ignore_ascii_case(b"100-continue"))
    }

    /// The path of an origin- or absolute-form target, without the query
    /// (`/` for an absolute-form target with an empty path; `*` or the
    /// authority for the other forms).
    ///
    /// ```
    /// # use httpwire::{Header, RequestParser};
    /// let mut headers = [Header::EMPTY; 8];
    /// let buf = b"GET http://h/echo/hi?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";
    /// let req = RequestParser::new().parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(req.path(), "/echo/hi");
    /// assert_eq!(req.query(), Some("x=1"));
    ///
    /// let buf = b"GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n";
    /// let req = RequestParser::new().parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!((req.path(), req.query()), ("/", Some("q")));
    /// ```
    pub fn path(&self) -> &'b str {
        let path_and_query = self.path_and_query();
        match path_and_query.find('?') {
            // "http://h?q": an empty path means "/" (RFC 9112 §3.2.1).
            Some(0) => "/",
            Some(q) => &path_and_query[..q],
            None => path_and_query,
        }
    }

    /// The query, without `?`, if the target has one.
    pub fn query(&self) -> Option<&'b str> {
        let path_and_query = self.path_and_query();
        path_and_query.find('?').map(|q| &path_and_query[q + 1..])
    }

    /// The authority of an absolute- or authority-form target.
    pub fn authority(&self) -> Option<&'b str> {
        match self.target_form {
            TargetForm::Authority => Some(self.target),
            TargetForm::Absolute => {
                let (_, start, end) = target::split_absolute(self.target.as_bytes())?;
                self.target.get(start..end)
            }
            _ => None,
        }
    }

    fn path_and_query(&self) -> &'b str {
        match self.target_form {
            TargetForm::Absolute => {
                let end = target::split_absolute(self.target.as_bytes()).map_or(0, |(_, _, e)| e);
                match self.target.get(end..) {
                    Some("") | None => "/",
                    Some(rest) => rest,
                }
            }
            _ => self.target,
        }
    }
}

/// Is `token` a member of the comma-separated list `value`?
pub(crate) fn list_contains(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|m| trim_ows(m).eq_ignore_ascii_case(token.as_bytes()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Skipping empty lines, then reading the request-line.
    RequestLine,
    /// Reading field lines until the empty line.
    Fields,
}

/// An incremental, zero-copy, allocation-free HTTP/1.1 request head parser.
///
/// Call [`parse`](RequestParser::parse) with everything received so far; on
/// [`Status::Partial`], read more, append it, and call again with the whole
/// buffer. The parser remembers how far it validated, so each byte is looked
/// at about once. After a complete head the parser is ready for the next
/// request (pass the bytes that start at `head_len` plus the body).
///
/// ```
/// use httpwire::{Framing, Header, RequestParser, Status};
///
/// let mut parser = RequestParser::new();
/// let mut buf = Vec::new();
/// buf.extend_from_slice(b"POST /echo HTTP/1.1\r\nHost: a\r\n");
/// {
///     // The fields borrow `buf`, so each call gets its own (fresh) slice.
///     let mut headers = [Header::EMPTY; 16];
///     assert_eq!(parser.parse(&buf, &mut headers), Ok(Status::Partial));
/// }
/// buf.extend_from_slice(b"Content-Length: 5\r\n\r\nhello");
/// let mut headers = [Header::EMPTY; 16];
/// let req = parser.parse(&buf, &mut headers).unwrap().complete().unwrap();
/// assert_eq!(req.method, "POST");
/// assert_eq!(req.framing, Framing::Length(5));
/// assert_eq!(&buf[req.head_len..], b"hello");
/// ```
///
/// Defaults: [`Limits::DEFAULT`], and bare LF line endings rejected
/// (RFC 9112 §2.2 allows accepting them; see
/// [`allow_bare_lf`](RequestParser::allow_bare_lf)).
#[derive(Clone, Debug)]
pub struct RequestParser {
    limits: Limits,
    allow_bare_lf: bool,
    phase: Phase,
    /// Start of the line being read.
    line_start: usize,
    /// No LF in `line_start..scan_pos`.
    scan_pos: usize,
    empty_lines: usize,
    method: (usize, usize),
    target: (usize, usize),
    target_form: TargetForm,
    version: Version,
    /// Offset of the first field line.
    fields_start: usize,
    /// Field lines validated so far.
    header_count: usize,
    /// Fields that may be Host (by length and first byte), and the index of
    /// the last one: when there is at most one, the Host check looks at it
    /// alone instead of comparing every name.
    host_fields: usize,
    host_at: usize,
    /// The same for Content-Length and Transfer-Encoding.
    framing_fields: usize,
    framing_at: usize,
    /// A parse error is final: later calls return it again.
    error: Option<Error>,
}

// Test switch for the fast paths, so that tests can check that they agree
// with the general path.
#[cfg(all(test, feature = "std"))]
std::thread_local! {
    static FAST_PATHS: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
}

#[inline(always)]
fn fast_paths() -> bool {
    #[cfg(all(test, feature = "std"))]
    {
        FAST_PATHS.with(|f| f.get())
    }
    #[cfg(not(all(test, feature = "std")))]
    {
        true
    }
}

/// The fast line loop as a [`Kernel`], compiled once per instruction set.
struct FastLines<'p, 'b> {
    parser: &'p mut RequestParser,
    buf: &'b [u8],
    headers: &'p mut [Header<'b>],
    names: &'p mut AsciiWindow<'b>,
    line: &'p mut &'b str,
}

impl Kernel for FastLines<'_, '_> {
    type Output = Result<Option<usize>, Error>;

    #[inline(always)]
    fn run<S: Scanner>(self, sc: S) -> Self::Output {
        self.parser
            .fast_lines(sc, self.buf, self.headers, self.names, self.line)
    }
}

/// What [`RequestParser::fast_head`] found: everything a [`Request`] is
/// built from but the fields, which are in the caller's slice.
struct Head<'b> {
    method: &'b str,
    target: &'b str,
    target_form: TargetForm,
    version: Version,
    header_count: usize,
    framing: Framing,
    head_len: usize,
}

/// [`RequestParser::parse`] for a fresh parser as a [`Kernel`], compiled
/// once per instruction set: the one-pass
/// [`fast_head`](RequestParser::fast_head), else the general path. It
/// answers with the caller's result type, so that the dispatching caller
/// only passes its result slot on.
struct FastHead<'p, 'b, 'h> {
    parser: &'p mut RequestParser,
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
}

impl<'b, 'h> Kernel for FastHead<'_, 'b, 'h> {
    type Output = Result<Status<Request<'b, 'h>>, Error>;

    #[inline(always)]
    fn run<S: Scanner>(self, sc: S) -> Self::Output {
        let FastHead {
            parser,
            buf,
            headers,
        } = self;
        match parser.fast_head(sc, buf, headers) {
            Some(head) => {
                let headers: &'h [Header<'b>] = headers;
                Ok(Status::Complete(Request {
                    method: head.method,
                    target: head.target,
                    target_form: head.target_form,
                    version: head.version,
                    headers: headers.get(..head.header_count).unwrap_or(&[]),
                    framing: head.framing,
                    head_len: head.head_len,
                }))
            }
            None => parser.parse_general(buf, headers),
        }
    }
}

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser::new()
    }
}

impl RequestParser {
    /// A parser with [`Limits::DEFAULT`] and strict CRLF line endings.
    pub const fn new() -> RequestParser {
        RequestParser::with_limits(Limits::DEFAULT)
    }

    /// A parser with the given limits.
    pub const fn with_limits(limits: Limits) -> RequestParser {
        RequestParser {
            limits,
            allow_bare_lf: false,
            phase: Phase::RequestLine,
            line_start: 0,
            scan_pos: 0,
            empty_lines: 0,
            method: (0, 0),
            target: (0, 0),
            target_form: TargetForm::Origin,
            version: Version::Http11,
            fields_start: 0,
            header_count: 0,
            host_fields: 0,
            host_at: 0,
            framing_fields: 0,
            framing_at: 0,
            error: None,
        }
    }

    /// Opt in to accepting a bare LF as the end of the request-line and of
    /// field lines (RFC 9112 §2.2 says a recipient MAY). Off by default:
    /// parsers that disagree about line ends are a request-smuggling vector.
    /// Chunk lines still need CRLF.
    pub const fn allow_bare_lf(mut self, allow: bool) -> RequestParser {
        self.allow_bare_lf = allow;
        self
    }

    /// The limits in force.
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Forgets any partial head, to parse a new request from its first byte.
    pub fn reset(&mut self) {
        // Field by field, as `with_limits` sets them (the destructuring
        // makes a new field a compile error here): cheaper than building a
        // whole parser and copying it over this one.
        let RequestParser {
            limits: _,
            allow_bare_lf: _,
            phase,
            line_start,
            scan_pos,
            empty_lines,
            method,
            target,
            target_form,
            version,
            fields_start,
            header_count,
            host_fields,
            host_at,
            framing_fields,
            framing_at,
            error,
        } = self;
        *phase = Phase::RequestLine;
        *line_start = 0;
        *scan_pos = 0;
        *empty_lines = 0;
        *method = (0, 0);
        *target = (0, 0);
        *target_form = TargetForm::Origin;
        *version = Version::Http11;
        *fields_start = 0;
        *header_count = 0;
        *host_fields = 0;
        *host_at = 0;
        *framing_fields = 0;
        *framing_at = 0;
        *error = None;
    }

    /// Parses the head at the start of `buf`, which must begin with the same
    /// bytes as on the previous call (if that call returned `Partial`).
    ///
    /// Returns `Partial` until the empty line that ends the head has arrived,
    /// then the validated [`Request`]. Field lines go into `headers`; more
    /// than it holds (or than [`Limits::max_headers`]) is
    /// [`ErrorKind::TooManyHeaders`]. Errors are final for this request.
    #[inline]
    pub fn parse<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Request<'b, 'h>>, Error> {
        // A call that brings a few bytes and no LF, within every limit, can
        // only answer `Partial`: answered here, inlined into the caller, so
        // that feeding bytes one at a time stays cheap. Everything else is
        // one (tail) call away.
        if fast_paths() && self.only_partial(buf, headers.len()) {
            return Ok(Status::Partial);
        }
        self.parse_call(buf, headers)
    }

    /// Can this call only answer `Partial`? Yes if it brings at most 16 new
    /// bytes, none of them LF, and the line stays within its limit (the
    /// checks `check_partial_line` would make); then the new bytes count as
    /// scanned. Loads and compares only, so that [`parse`](Self::parse)
    /// needs no stack frame on this path.
    #[inline(always)]
    fn only_partial(&mut self, buf: &[u8], slots: usize) -> bool {
        let Some(new @ [_, ..]) = buf.get(self.scan_pos..) else {
            return false;
        };
        let line_limit = match self.phase {
            Phase::RequestLine => self.limits.max_method.min(self.limits.max_request_line),
            Phase::Fields => self.limits.max_header_line,
        };
        if new.len() <= 16
            && self.error.is_none()
            && slots >= self.header_count
            && buf.len() <= self.limits.max_head
            && buf.len() - self.line_start <= line_limit
            && new.iter().all(|&b| b != b'\n')
        {
            self.scan_pos = buf.len();
            return true;
        }
        false
    }

    /// [`parse`](RequestParser::parse) for every call the inlined check
    /// does not answer: a fresh parser tries the one-pass
    /// [`fast_head`](Self::fast_head) first (which leaves the parser as it
    /// is, fresh, ready for the next request, as `finish` and `reset` would
    /// leave it), then the general path.
    #[inline(never)]
    fn parse_call<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Request<'b, 'h>>, Error> {
        if self.scan_pos == 0
            && self.line_start == 0
            && self.phase == Phase::RequestLine
            && self.error.is_none()
            && fast_paths()
        {
            return simd::dispatch(FastHead {
                parser: self,
                buf,
                headers,
            });
        }
        self.parse_general(buf, headers)
    }

    /// [`parse`](RequestParser::parse) for every call the inlined check
    /// does not answer.
    #[inline(never)]
    fn parse_general<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Request<'b, 'h>>, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if buf.len() < self.scan_pos {
            // Not the buffer of the previous call: start over.
            self.reset();
        }
        // Fields validated by earlier calls borrowed an earlier buffer.
        let fields_before = self.header_count;
        let mut line = "";
        match self.run(buf, headers, &mut line) {
            Ok(Some(head_len)) => {
                let request = self.finish(buf, headers, head_len, fields_before, line);
                match request {
                    Ok(_) => self.reset(),
                    Err(e) => self.error = Some(e),
                }
                request.map(Status::Complete)
            }
            Ok(None) => Ok(Status::Partial),
            Err(e) => {
                self.error = Some(e);
                Err(e)
            }
        }
    }

    /// Validates the lines not yet seen. Returns the head length once the
    /// empty line after the fields has arrived.
    ///
    /// `line` receives the request-line's method-to-target text when this
    /// call converted it (so that [`finish`](Self::finish) need not).
    fn run<'b>(
        &mut self,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
        line: &mut &'b str,
    ) -> Result<Option<usize>, Error> {
        if headers.len() < self.header_count {
            return Err(Error::new(ErrorKind::TooManyHeaders, self.line_start));
        }
        let mut names = AsciiWindow::new();
        // The line at which this call last tried the fast loop.
        let mut fast_tried = usize::MAX;
        loop {
            // Lines seen for the first time that are complete, valid and
            // CRLF-terminated are validated in one pass each that also finds
            // their end, in a loop compiled once per instruction set. The
            // first line that is anything else (a partial line, bare LF, an
            // error, a limit) goes the general way below, which looks at
            // this one line again: each byte is still scanned a bounded
            // number of times.
            if self.scan_pos == self.line_start && fast_tried != self.line_start && fast_paths() {
                fast_tried = self.line_start;
                let lines = FastLines {
                    parser: self,
                    buf,
                    headers,
                    names: &mut names,
                    line,
                };
                if let Some(head_len) = simd::dispatch(lines)? {
                    return Ok(Some(head_len));
                }
            }
            let Some(found) = memchr(b'\n', buf.get(self.scan_pos..).unwrap_or(&[])) else {
                self.scan_pos = buf.len();
                self.check_partial_line(buf)?;
                return Ok(None);
            };
            let lf = self.scan_pos + found;
            if self.scan_pos != self.line_start && fast_tried != self.line_start && fast_paths() {
                // A line that earlier calls saw only in part (bytes arriving
                // a few at a time) is complete now: the fast loop validates
                // it, and the complete lines after it, from its start.
                self.scan_pos = self.line_start;
                continue;
            }
            let next = lf + 1;
            // RFC 9112 §2.2: CRLF ends a line; a bare LF only when allowed.
            let line_end = if lf > self.line_start && buf[lf - 1] == b'\r' {
                lf - 1
            } else if self.allow_bare_lf {
                lf
            } else {
                // A reader fed byte by byte checked the limits on this line
                // before its LF arrived: so must we, for the same answer.
                self.check_partial_line(&buf[..lf])?;
                return Err(Error::new(ErrorKind::BareLf, lf));
            };
            let line = &buf[self.line_start..line_end];
            match self.phase {
                Phase::RequestLine if line.is_empty() => {
                    // RFC 9112 §2.2: ignore empty lines before the request-line.
                    self.empty_lines += 1;
                    if self.empty_lines > self.limits.max_empty_lines {
                        return Err(Error::new(ErrorKind::TooManyEmptyLines, self.line_start));
                    }
                }
                Phase::RequestLine => {
                    self.parse_request_line(line, self.line_start)?;
                    self.phase = Phase::Fields;
                    self.fields_start = next;
                }
                Phase::Fields if line.is_empty() => {
                    if next > self.limits.max_head {
                        return Err(Error::new(ErrorKind::HeadTooLarge, self.limits.max_head));
                    }
                    return Ok(Some(next));
                }
                Phase::Fields => {
                    if line.len() > self.limits.max_header_line {
                        return Err(Error::new(
                            ErrorKind::HeaderLineTooLong,
                            self.line_start + self.limits.max_header_line,
                        ));
                    }
                    if self.header_count >= self.limits.max_headers.min(headers.len()) {
                        return Err(Error::new(ErrorKind::TooManyHeaders, self.line_start));
                    }
                    let field = parse_field_line(line, self.line_start)?;
                    self.note_field(field.name.as_bytes(), self.header_count);
                    headers[self.header_count] = field;
                    self.header_count += 1;
                }
            }
            if next > self.limits.max_head {
                return Err(Error::new(ErrorKind::HeadTooLarge, self.limits.max_head));
            }
            self.line_start = next;
            self.scan_pos = next;
        }
    }

    /// The request-line (if not yet read) and then field lines from
    /// `line_start`, for as long as each is complete, CRLF-terminated,
    /// valid and within the limits. Returns the head length at the empty
    /// line that ends the head, `None` at the first line the general path
    /// must decide, and the general path's error for a target whose form
    /// does not fit the method.
    #[inline(always)]
    fn fast_lines<'b, S: Scanner>(
        &mut self,
        sc: S,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
        names: &mut AsciiWindow<'b>,
        line: &mut &'b str,
    ) -> Result<Option<usize>, Error> {
        if self.phase == Phase::RequestLine && !self.fast_request_line(sc, buf, names, line)? {
            return Ok(None);
        }
        let max_index = self.limits.max_headers.min(headers.len());
        let max_line = self.limits.max_header_line;
        let max_head = self.limits.max_head;
        let mut pos = self.line_start;
        let mut count = self.header_count;
        let end = loop {
            let Some(rest) = buf.get(pos..) else {
                break None;
            };
            if let [b'\r', b'\n', ..] = rest {
                // The empty line that ends the head.
                break if pos + 2 <= max_head {
                    Some(pos + 2)
                } else {
                    None
                };
            }
            // The first byte not allowed in a field value ends the line: for
            // a good line, its CR (a name is tokens and ':' is allowed in a
            // value, so the scan may start at the line's first byte). The
            // line end is found by the validation itself, and without
            // waiting for the name's end: one short dependency per line.
            let line_len = sc.value_len(rest);
            if rest.get(line_len..line_len + 2) != Some(b"\r\n") {
                break None;
            }
            let next = pos + line_len + 2;
            // Stops at the ':' at the latest, or at the CR if there is none.
            let name_len = sc.token_len(rest);
            if name_len == 0 || rest.get(name_len) != Some(&b':') {
                break None;
            }
            if line_len > max_line || count >= max_index || next > max_head {
                break None;
            }
            let Some(slot) = headers.get_mut(count) else {
                break None;
            };
            let name = names.get(buf, pos, pos + name_len);
            // OWS around the value (RFC 9112 §5): usually one SP before
            // it and nothing after, which is checked by looking at three
            // bytes; the general trim takes every other shape.
            let raw = &rest[name_len + 1..line_len];
            let value = match raw {
                [b' ', first, .., last] if !is_ows(*first) && !is_ows(*last) => &raw[1..],
                _ => trim_ows(raw),
            };
            *slot = Header { name, value };
            self.note_field(name.as_bytes(), count);
            count += 1;
            pos = next;
        };
        self.header_count = count;
        self.line_start = pos;
        self.scan_pos = pos;
        Ok(end)
    }

    /// The request-line at `line_start`, if it is complete, within the
    /// limits and valid up to the form check: `method SP target SP
    /// HTTP-version CRLF`, with the target checked by the same rule as
    /// [`target::check_target_chars`] while looking for its end. Returns
    /// `Ok(false)` for anything else (the general path decides), and the
    /// general path's error for a target whose form does not fit.
    #[inline(always)]
    fn fast_request_line<'b, S: Scanner>(
        &mut self,
        sc: S,
        buf: &'b [u8],
        names: &mut AsciiWindow<'b>,
        line: &mut &'b str,
    ) -> Result<bool, Error> {
        let start = self.line_start;
        let Some(rest) = buf.get(start..) else {
            return Ok(false);
        };
        let method_len = sc.token_len(rest);
        if method_len == 0
            || method_len > self.limits.max_method
            || rest.get(method_len) != Some(&b' ')
        {
            return Ok(false);
        }
        let target_start = method_len + 1;
        // RFC 3986 §2, §2.1: plain bytes and "%" HEXDIG HEXDIG, up to the SP.
        let target_end = target_start + sc.target_len(&rest[target_start..]);
        if target_end == target_start || rest.get(target_end) != Some(&b' ') {
            return Ok(false);
        }
        let version_start = target_end + 1;
        let line_len = version_start + 8;
        let (Some(version), Some(b"\r\n")) = (
            rest.get(version_start..line_len),
            rest.get(line_len..line_len + 2),
        ) else {
            return Ok(false);
        };
        let next = start + line_len + 2;
        if line_len > self.limits.max_request_line || next > self.limits.max_head {
            return Ok(false);
        }
        let version = match version {
            b"HTTP/1.1" => Version::Http11,
            b"HTTP/1.0" => Version::Http10,
            _ => match parse_version(version) {
                Ok(version) => version,
                Err(_) => return Ok(false),
            },
        };
        let method = &rest[..method_len];
        let target = &rest[target_start..target_end];
        // The common case of `classify`, answered inline: an origin-form
        // target with a method other than CONNECT.
        self.target_form = if target[0] == b'/' && method != b"CONNECT" {
            TargetForm::Origin
        } else {
            target::classify(method, target)
                .map_err(|(i, kind)| Error::new(kind, start + target_start + i))?
        };
        self.version = version;
        self.method = (start, start + method_len);
        self.target = (start + target_start, start + target_end);
        // Method and target in the conversion that also serves the names
        // of the fields that follow.
        *line = names.get(buf, start, start + target_end);
        self.phase = Phase::Fields;
        self.fields_start = next;
        self.line_start = next;
        self.scan_pos = next;
        Ok(true)
    }

    /// A whole head from a fresh parser, in one pass, if it is complete,
    /// valid and of the common shapes: a token method (`GET` in one
    /// compare), a target of plain bytes and escapes, `HTTP/1.1` or
    /// `HTTP/1.0`, CRLF-terminated field lines, at most one Host (checked
    /// here) and every limit kept. Anything else, errors included, returns
    /// `None` without touching the parser, and the general path decides.
    ///
    /// The checks are those of [`fast_lines`](Self::fast_lines) and
    /// [`finish`](Self::finish); a head accepted here is accepted there with
    /// the same result (a property test compares the two).
    #[inline(always)]
    fn fast_head<'b, S: Scanner>(
        &self,
        sc: S,
        buf: &'b [u8],
        headers: &mut [Header<'b>],
    ) -> Option<Head<'b>> {
        let limits = &self.limits;
        let method_len = if buf.get(..4) == Some(b"GET ") && limits.max_method >= 3 {
            3
        } else {
            let n = sc.token_len(buf);
            if n == 0 || n > limits.max_method || buf.get(n) != Some(&b' ') {
                return None;
            }
            n
        };
        let target_start = method_len + 1;
        // RFC 3986 §2, §2.1: plain bytes and "%" HEXDIG HEXDIG, up to the SP.
        let target_len = sc.target_len(buf.get(target_start..)?);
        let target_end = target_start + target_len;
        let line_len = target_end + 9;
        // " HTTP/1." in one compare, then the minor digit and CRLF.
        let version_bytes = buf.get(target_end..line_len + 2)?;
        let (Some(sp_http), Some(&[minor, b'\r', b'\n'])) = (
            version_bytes
                .get(..8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok()),
            version_bytes.get(8..),
        ) else {
            return None;
        };
        let version = match minor {
            _ if target_len == 0 || line_len > limits.max_request_line => return None,
            _ if u64::from_le_bytes(sp_http) != u64::from_le_bytes(*b" HTTP/1.") => return None,
            b'1' => Version::Http11,
            b'0' => Version::Http10,
            _ => return None,
        };
        let method = buf.get(..method_len)?;
        let target = buf.get(target_start..target_end)?;
        let target_form = if target.first() == Some(&b'/') && method != b"CONNECT" {
            TargetForm::Origin
        } else {
            target::classify(method, target).ok()?
        };
        let mut names = AsciiWindow::at_start(buf);
        let line = names.get(buf, 0, target_end);
        let max_index = limits.max_headers.min(headers.len());
        let max_line = limits.max_header_line;
        let mut pos = line_len + 2;
        let mut count = 0;
        let mut host: Option<&[u8]> = None;
        let mut framing_fields = 0;
        let mut framing_at = 0;
        let head_len = loop {
            let rest = buf.get(pos..)?;
            if let [b'\r', b'\n', ..] = rest {
                break pos + 2;
            }
            // As in `fast_lines`: the value scan finds the line's CR.
            let line_len = sc.value_len(rest);
            if rest.get(line_len..line_len + 2) != Some(b"\r\n") {
                return None;
            }
            let name_len = sc.token_len(rest);
            if name_len == 0
                || rest.get(name_len) != Some(&b':')
                || line_len > max_line
                || count >= max_index
            {
                return None;
            }
            let raw = rest.get(name_len + 1..line_len)?;
            let value = match raw {
                [b' ', value @ ..]
                    if value.first().is_some_and(|&b| !is_ows(b))
                        && value.last().is_some_and(|&b| !is_ows(b)) =>
                {
                    value
                }
                _ => trim_ows(raw),
            };
            let name = names.get(buf, pos, pos + name_len);
            *headers.get_mut(count)? = Header { name, value };
            match note(name.as_bytes()) {
                Noted::Host if is_host(name) => {
                    // RFC 9112 §3.2: exactly one Host.
                    let repeated = host.replace(value).is_some();
                    if repeated {
                        return None;
                    }
                }
                Noted::Framing => {
                    framing_fields += 1;
                    framing_at = count;
                }
                _ => {}
            }
            count += 1;
            pos += line_len + 2;
        };
        if head_len > limits.max_head {
            return None;
        }
        // RFC 9112 §3.2, RFC 9110 §7.2.
        match host {
            Some(value) if target::is_authority(value, target::PortRule::Optional) => {}
            None if version == Version::Http10 => {}
            _ => return None,
        }
        let framing = match framing_fields {
            0 => Framing::None,
            n => {
                let fields = if n == 1 {
                    headers.get(framing_at..=framing_at)?
                } else {
                    headers.get(..count)?
                };
                framing::decide_request(version, fields, limits, |_| 0).ok()?
            }
        };
        Some(Head {
            method: line.get(..method_len)?,
            target: line.get(method_len + 1..)?,
            target_form,
            version,
            header_count: count,
            framing,
            head_len,
        })
    }

    /// Remembers a field that may be Host, Content-Length or
    /// Transfer-Encoding, judged by length and first letter (a superset of
    /// the case-insensitive matches).
    #[inline(always)]
    fn note_field(&mut self, name: &[u8], index: usize) {
        match note(name) {
            Noted::Host => {
                self.host_fields += 1;
                self.host_at = index;
            }
            Noted::Framing => {
                self.framing_fields += 1;
                self.framing_at = index;
            }
            Noted::Other => {}
        }
    }

    /// Limits on the line still waiting for its LF, so a client cannot make
    /// us buffer without bound.
    fn check_partial_line(&self, buf: &[u8]) -> Result<(), Error> {
        // A final CR may be the first half of the CRLF that ends the line:
        // it does not count towards the line's length.
        let pending_cr = usize::from(buf.last() == Some(&b'\r'));
        let partial = buf.len() - self.line_start - pending_cr.min(buf.len() - self.line_start);
        match self.phase {
            Phase::RequestLine if partial > self.limits.max_request_line => {
                let line = &buf[self.line_start..];
                return Err(self.request_line_too_long(line, self.line_start));
            }
            Phase::RequestLine if partial > self.limits.max_method => {
                // A method longer than its limit needs no LF to be refused.
                let line = &buf[self.line_start..];
                let token_len = line
                    .iter()
                    .position(|&b| !is_token(b))
                    .unwrap_or(line.len());
                if token_len > self.limits.max_method {
                    return Err(Error::new(
                        ErrorKind::MethodTooLong,
                        self.line_start + self.limits.max_method,
                    ));
                }
            }
            Phase::Fields if partial > self.limits.max_header_line => {
                return Err(Error::new(
                    ErrorKind::HeaderLineTooLong,
                    self.line_start + self.limits.max_header_line,
                ));
            }
            _ => {}
        }
        if buf.len() > self.limits.max_head {
            return Err(Error::new(ErrorKind::HeadTooLarge, self.limits.max_head));
        }
        Ok(())
    }

    /// 501 for an overlong method (RFC 9112 §3), otherwise 414.
    fn request_line_too_long(&self, line: &[u8], base: usize) -> Error {
        let token_len = line
            .iter()
            .position(|&b| !is_token(b))
            .unwrap_or(line.len());
        if token_len > self.limits.max_method {
            Error::new(ErrorKind::MethodTooLong, base + self.limits.max_method)
        } else {
            Error::new(
                ErrorKind::RequestLineTooLong,
                base + self.limits.max_request_line,
            )
        }
    }

    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112 §3).
    /// A bare CR anywhere in a rejected line is reported as such (RFC 9112
    /// §2.2), whatever part of the line it broke.
    fn parse_request_line(&mut self, line: &[u8], base: usize) -> Result<(), Error> {
        self.parse_request_line_parts(line, base)
            .map_err(|e| match memchr(b'\r', line) {
                Some(cr) if e.kind().status() == 400 => Error::new(ErrorKind::BareCr, base + cr),
                _ => e,
            })
    }

    fn parse_request_line_parts(&mut self, line: &[u8], base: usize) -> Result<(), Error> {
        let err = |kind, at: usize| Err(Error::new(kind, base + at));
        if line.len() > self.limits.max_request_line {
            return Err(self.request_line_too_long(line, base));
        }
        let method_len = line
            .iter()
            .position(|&b| !is_token(b))
            .unwrap_or(line.len());
        if method_len > self.limits.max_method {
            return err(ErrorKind::MethodTooLong, self.limits.max_method);
        }
        match line.get(method_len) {
            Some(b' ') if method_len > 0 => {}
            // RFC 9112 §3: exactly one SP; no leading whitespace.
            Some(b' ' | b'\t' | 0x0b | 0x0c) => {
                return err(ErrorKind::InvalidRequestLineWhitespace, method_len)
            }
            Some(b'\r') => return err(ErrorKind::BareCr, method_len),
            Some(_) => return err(ErrorKind::InvalidMethod, method_len),
            None if method_len == 0 => return err(ErrorKind::InvalidMethod, 0),
            None => return err(ErrorKind::InvalidTarget, method_len),
        }
        let target_start = method_len + 1;
        let rest = &line[target_start..];
        let target_len = memchr(b' ', rest);
        let target = &rest[..target_len.unwrap_or(rest.len())];
        if target.is_empty() {
            return err(ErrorKind::InvalidRequestLineWhitespace, target_start);
        }
        if let Err((i, kind)) = target::check_target_chars(target) {
            let kind = match target[i] {
                b'\t' | 0x0b | 0x0c => ErrorKind::InvalidRequestLineWhitespace,
                _ => kind,
            };
            return err(kind, target_start + i);
        }
        let Some(target_len) = target_len else {
            // RFC 9112 §2.3: no HTTP-version is HTTP/0.9, which we never serve.
            return err(ErrorKind::MissingVersion, line.len());
        };
        let version_start = target_start + target_len + 1;
        let version = &line[version_start..];
        self.version = match parse_version(version) {
            Ok(v) => v,
            Err(kind) => return err(kind, version_start),
        };
        let method = &line[..method_len];
        self.target_form = match target::classify(method, target) {
            Ok(form) => form,
            Err((i, kind)) => return err(kind, target_start + i),
        };
        self.method = (base, base + method_len);
        self.target = (base + target_start, base + target_start + target_len);
        Ok(())
    }

    /// Builds the request once the head is complete: re-slices fields seen in
    /// earlier calls, then decides framing and checks Host.
    fn finish<'b, 'h>(
        &self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
        head_len: usize,
        fields_before: usize,
        line: &'b str,
    ) -> Result<Request<'b, 'h>, Error> {
        self.reslice_earlier_fields(buf, &mut headers[..fields_before]);
        let headers = &headers[..self.header_count];
        let offset_of =
            |h: &Header<'_>| (h.name.as_ptr() as usize).saturating_sub(buf.as_ptr() as usize);
        // Only the fields noted as possible matches can match, so when there
        // is at most one, the decisions look at it alone.
        let candidates = |count: usize, at: usize| match count {
            0 => &headers[..0],
            1 => headers.get(at..=at).unwrap_or(headers),
            _ => headers,
        };
        let framing = match self.framing_fields {
            // Neither Content-Length nor Transfer-Encoding: no body
            // (RFC 9112 §6.3 rule 7), what `decide_request` says of no fields.
            0 => Framing::None,
            count => {
                let fields = candidates(count, self.framing_at);
                framing::decide_request(self.version, fields, &self.limits, offset_of)?
            }
        };
        let host_fields = candidates(self.host_fields, self.host_at);
        check_host(self.version, host_fields, headers.last(), offset_of)?;
        // Method and target in one conversion (unless `run` made it): both
        // are validated ASCII.
        let line = if line.len() == self.target.1 - self.method.0 {
            line
        } else {
            ascii_str(&buf[self.method.0..self.target.1])
        };
        Ok(Request {
            method: line.get(..self.method.1 - self.method.0).unwrap_or(""),
            target: line.get(self.target.0 - self.method.0..).unwrap_or(""),
            target_form: self.target_form,
            version: self.version,
            headers,
            framing,
            head_len,
        })
    }

    /// Fields validated by earlier calls point into the caller's earlier
    /// buffer (or nowhere): slice them again from `buf`. Only the slicing is
    /// redone; the bytes were validated when first seen.
    fn reslice_earlier_fields<'b>(&self, buf: &'b [u8], headers: &mut [Header<'b>]) {
        let mut pos = self.fields_start;
        let mut names = AsciiWindow::new();
        for header in headers.iter_mut().take(self.header_count) {
            let Some(line_len) = buf.get(pos..).and_then(|rest| memchr(b'\n', rest)) else {
                return;
            };
            let mut line = &buf[pos..pos + line_len];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let colon = memchr(b':', line).unwrap_or(line.len());
            *header = Header {
                name: names.get(buf, pos, pos + colon),
                value: trim_ows(line.get(colon + 1..).unwrap_or(&[])),
            };
            pos += line_len + 1;
        }
    }
}

/// What a field name may be, judged by its length and first letter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Noted {
    /// Possibly Host.
    Host,
    /// Possibly Content-Length or Transfer-Encoding.
    Framing,
    /// None of the three.
    Other,
}

/// Which of Host, Content-Length and Transfer-Encoding `name` may be (a
/// superset of the case-insensitive matches): one table look-up and one
/// (rarely taken) branch per field.
#[inline(always)]
fn note(name: &[u8]) -> Noted {
    // The lower-cased first letter the three names of each length start with.
    const FIRST: [u8; 18] = {
        let mut t = [0u8; 18];
        t[4] = b'h';
        t[14] = b'c';
        t[17] = b't';
        t
    };
    match (FIRST.get(name.len()), name.first()) {
        (Some(&want), Some(&first)) if first | 0x20 == want => {
            if want == b'h' {
                Noted::Host
            } else {
                Noted::Framing
            }
        }
        _ => Noted::Other,
    }
}

/// Is `name` "Host", in any case? One 4-byte compare: a byte ORed with
/// 0x20 equals a lowercase letter only if it is that letter in either case,
/// so this is exactly `name.eq_ignore_ascii_case("host")`.
#[inline(always)]
fn is_host(name: &str) -> bool {
    match name.as_bytes() {
        &[a, b, c, d] => {
            u32::from_le_bytes([a, b, c, d]) | 0x2020_2020 == u32::from_le_bytes(*b"host")
        }
        _ => false,
    }
}

/// Is `b` OWS (SP or HTAB, RFC 9110 §5.6.3)?
#[inline(always)]
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3).
fn parse_version(v: &[u8]) -> Result<Version, ErrorKind> {
    match v {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            match (major, minor) {
                (b'1', b'0') => Ok(Version::Http10),
                // RFC 9110 §2.5: a higher minor version is processed as 1.1.
                (b'1', _) => Ok(Version::Http11),
                _ => Err(ErrorKind::UnsupportedVersion),
            }
        }
        [b' ' | b'\t', ..] => Err(ErrorKind::InvalidRequestLineWhitespace),
        [version @ .., b' ' | b'\t'] if parse_version(trim_ows(version)).is_ok() => {
            Err(ErrorKind::InvalidRequestLineWhitespace)
        }
        [] => Err(ErrorKind::MissingVersion),
        _ => Err(ErrorKind::InvalidVersion),
    }
}

/// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field, and its
/// value is `uri-host [":" port]` (RFC 9110 §7.2). HTTP/1.0 may omit it.
///
/// `headers` holds at least every Host field of the head (possibly only
/// those); `last` is the head's last field, where a missing Host is reported.
fn check_host(
    version: Version,
    headers: &[Header<'_>],
    last: Option<&Header<'_>>,
    offset_of: impl Fn(&Header<'_>) -> usize,
) -> Result<(), Error> {
    let mut host: Option<&Header<'_>> = None;
    for h in headers.iter().filter(|h| is_host(h.name)) {
        if host.is_some() {
            return Err(Error::new(ErrorKind::DuplicateHost, offset_of(h)));
        }
        if !target::is_authority(h.value, target::PortRule::Optional) {
            return Err(Error::new(ErrorKind::InvalidHost, offset_of(h)));
        }
        host = Some(h);
    }
    if host.is_none() && version == Version::Http11 {
        let end = last.map_or(0, &offset_of);
        return Err(Error::new(ErrorKind::MissingHost, end));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(buf: &[u8]) -> Result<(usize, usize), Error> {
        let mut headers = [Header::EMPTY; 16];
        match RequestParser::new().parse(buf, &mut headers)? {
            Status::Complete(r) => Ok((r.head_len, r.headers.len())),
            Status::Partial => Ok((0, 0)),
        }
    }

    fn kind(buf: &[u8]) -> ErrorKind {
        parse(buf).unwrap_err().kind()
    }

    #[test]
    fn simple() {
        let buf = b"GET /echo/hi HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(parse(buf), Ok((buf.len(), 1)));
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version(b"HTTP/1.1"), Ok(Version::Http11));
        assert_eq!(parse_version(b"HTTP/1.0"), Ok(Version::Http10));
        assert_eq!(parse_version(b"HTTP/1.7"), Ok(Version::Http11));
        assert_eq!(
            parse_version(b"HTTP/2.0"),
            Err(ErrorKind::UnsupportedVersion)
        );
        assert_eq!(
            parse_version(b"HTTP/0.9"),
            Err(ErrorKind::UnsupportedVersion)
        );
        assert_eq!(parse_version(b"HTTP/1.10"), Err(ErrorKind::InvalidVersion));
        assert_eq!(parse_version(b"http/1.1"), Err(ErrorKind::InvalidVersion));
        assert_eq!(
            parse_version(b"HTTP/1.1 "),
            Err(ErrorKind::InvalidRequestLineWhitespace)
        );
    }

    #[test]
    fn request_line_errors() {
        assert_eq!(kind(b"GET / HTTP/1.1\nHost: a\r\n\r\n"), ErrorKind::BareLf);
        assert_eq!(
            kind(b"GET  / HTTP/1.1\r\n\r\n"),
            ErrorKind::InvalidRequestLineWhitespace
        );
        assert_eq!(kind(b"GET /\r\n\r\n"), ErrorKind::MissingVersion);
        assert_eq!(kind(b"G(T / HTTP/1.1\r\n\r\n"), ErrorKind::InvalidMethod);
        assert_eq!(
            kind(b"GET / HTTP/3.0\r\n\r\n"),
            ErrorKind::UnsupportedVersion
        );
        assert_eq!(kind(b"GET / HTTP/1.1\r\n\r\n"), ErrorKind::MissingHost);
    }

    /// Parses `buf` cut at `cuts` (sorted, each call with a longer prefix),
    /// with or without the fast paths, recording every call's outcome: the
    /// request's parts with their positions in `buf`, or the error.
    fn outcomes(
        buf: &[u8],
        cuts: &[usize],
        limits: Limits,
        fast: bool,
    ) -> std::vec::Vec<std::string::String> {
        FAST_PATHS.with(|f| f.set(fast));
        let mut parser = RequestParser::with_limits(limits);
        let mut out = std::vec::Vec::new();
        let at = |s: &[u8]| (s.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
        for &end in cuts.iter().chain([buf.len()].iter()) {
            let mut headers = [Header::EMPTY; 8];
            let r = parser.parse(&buf[..end.min(buf.len())], &mut headers);
            out.push(match r {
                Ok(Status::Complete(r)) => std::format!(
                    "{:?} m@{} t@{} {:?}",
                    r,
                    at(r.method.as_bytes()),
                    at(r.target.as_bytes()),
                    r.headers
                        .iter()
                        .map(|h| (at(h.name.as_bytes()), at(h.value)))
                        .collect::<std::vec::Vec<_>>()
                ),
                other => std::format!("{other:?}"),
            });
        }
        FAST_PATHS.with(|f| f.set(true));
        out
    }

    fn small_limits() -> impl proptest::strategy::Strategy<Value = Limits> {
        use proptest::prelude::*;
        (1usize..12, 1usize..60, 1usize..40, 1usize..300, 0usize..10).prop_map(
            |(method, line, field, head, count)| Limits {
                max_method: method,
                max_request_line: line,
                max_header_line: field,
                max_head: head,
                max_headers: count,
                ..Limits::DEFAULT
            },
        )
    }

    fn mutated_request() -> impl proptest::strategy::Strategy<Value = std::vec::Vec<u8>> {
        const BASE: &[u8] = b"GET /a/b%20c?d=e HTTP/1.1\r\nHost: example.com\r\n\
            Content-Length: 5\r\nX-Token_1: va lue\t\xff \r\nTransfer-Encoding: chunked\r\n\r\nhello";
        mutated(BASE)
    }

    /// Lines longer than one or two SIMD blocks, names included.
    fn mutated_long_lines() -> impl proptest::strategy::Strategy<Value = std::vec::Vec<u8>> {
        const BASE: &[u8] =
            b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
            Host: www.kittyhell.com:8080\r\n\
            User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3)\r\n\
            X-A-Field-Name-Longer-Than-One-Block-Of-Thirty-Two: \t v \t\r\n\
            Accept: */*\r\n\r\n";
        mutated(BASE)
    }

    fn mutated(
        base: &'static [u8],
    ) -> impl proptest::strategy::Strategy<Value = std::vec::Vec<u8>> {
        use proptest::prelude::*;
        const BYTES: &[u8] = b"\r\n\t :%/#[]@\x00\x7f\x80\xffaZ09-";
        (
            proptest::collection::vec((0..base.len(), 0..BYTES.len() + 256), 0..4),
            0..=base.len(),
        )
            .prop_map(move |(edits, len)| {
                let mut v = base[..len].to_vec();
                for (at, b) in edits {
                    if at < v.len() {
                        v[at] = BYTES
                            .get(b)
                            .copied()
                            .unwrap_or_else(|| (b - BYTES.len()) as u8);
                    }
                }
                v
            })
    }

    proptest::proptest! {
        // Cheap cases, and limit boundaries are hit only by a few of them.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        #[test]
        fn fast_paths_agree_with_the_general_path(
            buf in proptest::prop_oneof![
                mutated_request(),
                mutated_long_lines(),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120),
            ],
            mut cuts in proptest::collection::vec(0usize..200, 0..4),
            limits in proptest::prop_oneof![proptest::strategy::Just(Limits::DEFAULT), small_limits()],
        ) {
            cuts.sort_unstable();
            let general = outcomes(&buf, &cuts, limits, false);
            proptest::prop_assert_eq!(&outcomes(&buf, &cuts, limits, true), &general);
            // The fast loop is compiled once per instruction set: check the
            // SSE2 one too on a machine that would pick AVX2.
            crate::simd::tests::force_sse2(true);
            let sse2 = outcomes(&buf, &cuts, limits, true);
            crate::simd::tests::force_sse2(false);
            proptest::prop_assert_eq!(&sse2, &general);
        }
    }

    /// The one-pass path for a fresh parser on the shapes it accepts and
    /// those it hands to the general path, against the general path alone.
    #[test]
    fn fresh_head_agrees_with_the_general_path() {
        let cases: &[&[u8]] = &[
            b"GET /echo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
            b"POST /a HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            b"POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n\r\n",
            b"GET / HTTP/1.0\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nhOST: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: [::1]:80\r\nHosts: x\r\nHoss: y\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost:a\r\nX:  \t\r\nY: \tv \r\nZ: v\r\n\r\n",
            b"GET / HTTP/1.7\r\nHost: a\r\n\r\n",
            b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET http://h/a?b HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET h:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
            b"CONNECT /a HTTP/1.1\r\nHost: h\r\n\r\n",
            b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
            b"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n X: folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9 \xff\r\nAccept: */*\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n\r",
        ];
        let limits = [
            Limits::DEFAULT,
            Limits {
                max_method: 2,
                ..Limits::DEFAULT
            },
            Limits {
                max_headers: 1,
                max_request_line: 14,
                ..Limits::DEFAULT
            },
            Limits {
                max_header_line: 7,
                max_head: 40,
                max_body: 4,
                ..Limits::DEFAULT
            },
        ];
        for buf in cases {
            for limits in limits {
                let general = outcomes(buf, &[], limits, false);
                assert_eq!(outcomes(buf, &[], limits, true), general, "{buf:?}");
                crate::simd::tests::force_sse2(true);
                let sse2 = outcomes(buf, &[], limits, true);
                crate::simd::tests::force_sse2(false);
                assert_eq!(sse2, general, "{buf:?}");
            }
        }
    }

    #[test]
    fn is_host_is_a_case_insensitive_compare() {
        assert!(is_host("Host") && is_host("host") && is_host("HOST") && is_host("hOsT"));
        // Every 4-byte name over a few interesting bytes per position.
        let cands: [&[u8]; 4] = [b"hHgi(\x08@`", b"oOnp/\x0f", b"sSrt\x13S", b"tTsu\x14T"];
        for &a in cands[0] {
            for &b in cands[1] {
                for &c in cands[2] {
                    for &d in cands[3] {
                        let bytes = [a, b, c, d];
                        let name = core::str::from_utf8(&bytes).unwrap();
                        assert_eq!(is_host(name), name.eq_ignore_ascii_case("host"), "{name:?}");
                    }
                }
            }
        }
        assert!(!is_host("hos") && !is_host("hostt") && !is_host(""));
    }

    #[test]
    fn reset_is_a_new_parser_with_the_same_settings() {
        let limits = Limits {
            max_headers: 3,
            ..Limits::DEFAULT
        };
        let mut parser = RequestParser::with_limits(limits).allow_bare_lf(true);
        let mut headers = [Header::EMPTY; 8];
        let buf = b"\nPOST http://h/a HTTP/1.0\r\nHost: h\r\nContent-Length: 3\r\nX: y\r\n";
        assert_eq!(parser.parse(buf, &mut headers), Ok(Status::Partial));
        parser.reset();
        let fresh = RequestParser::with_limits(limits).allow_bare_lf(true);
        assert_eq!(std::format!("{parser:?}"), std::format!("{fresh:?}"));
        // And after an error.
        assert!(parser
            .parse(b"G@T / HTTP/1.1\r\n\r\n", &mut headers)
            .is_err());
        parser.reset();
        assert_eq!(std::format!("{parser:?}"), std::format!("{fresh:?}"));
    }

    #[test]
    fn bytewise_equals_whole() {
        let buf = b"\r\nPOST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nX: y\r\n\r\nabc";
        let mut whole_headers = [Header::EMPTY; 8];
        let whole = RequestParser::new()
            .parse(buf, &mut whole_headers)
            .unwrap()
            .complete()
            .unwrap();
        let mut parser = RequestParser::new();
        let mut headers = [Header::EMPTY; 8];
        for end in 0..buf.len() {
            if let Status::Complete(r) = parser.parse(&buf[..end], &mut headers).unwrap() {
                assert_eq!(r, whole);
                return;
            }
        }
        panic!("never completed");
    }
}
