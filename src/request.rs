//! Request heads (RFC 9112 §3): [`RequestParser`] and the [`Request`] it
//! yields. The bytes are decided by the one head loop in `head.rs`; what
//! needs the whole head (Host, RFC 9112 §3.2; body framing, §6.3) is
//! decided here once the head is complete.

use crate::error::{Error, ErrorKind};
use crate::field::{self, Header};
use crate::framing::{self, Framing};
use crate::head::{Done, HeadParser, Role, Status};
use crate::limits::Limits;
use crate::target::{self, TargetForm};
use crate::version::Version;

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
        field::find(self.headers, name)
    }

    /// All values of the fields called `name` (case-insensitive), in order.
    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'b [u8]> + 's {
        field::named(self.headers, name)
    }

    /// Does any field called `name` list `token` (comma-separated,
    /// case-insensitive, RFC 9110 §5.6.1)?
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        field::has_token(self.headers, name, token)
    }

    /// Does the client ask to close the connection (`Connection: close`)?
    pub fn connection_close(&self) -> bool {
        self.has_token("connection", "close")
    }

    /// Should the connection stay open after the response, as far as this
    /// request says? HTTP/1.1 persists unless `close` is listed; HTTP/1.0
    /// only with `keep-alive` (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        field::persists(self.version, self.headers)
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

    /// The authority of an absolute- or authority-form target (`None` for a
    /// URI without one, such as `urn:isbn:123`).
    pub fn authority(&self) -> Option<&'b str> {
        match self.target_form {
            TargetForm::Authority => Some(self.target),
            TargetForm::Absolute => {
                let (_, start, end) = target::split_absolute(self.target.as_bytes())?;
                self.target.get(start..end).filter(|a| !a.is_empty())
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

/// An incremental, zero-copy, allocation-free HTTP/1.1 request head parser.
///
/// Call [`parse`](RequestParser::parse) with everything received so far; on
/// [`Status::Partial`], read more, append it, and call again with the whole
/// buffer. The parser remembers how far it validated, so each byte is
/// decided once, and a byte that makes the head invalid is refused in the
/// call that brings it. After a complete head the parser is ready for the
/// next request (pass the bytes that start at `head_len` plus the body).
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
    head: HeadParser,
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
            head: HeadParser::new(Role::Request, limits),
        }
    }

    /// Opt in to accepting a bare LF as the end of the request-line and of
    /// field lines (RFC 9112 §2.2 says a recipient MAY). Off by default:
    /// parsers that disagree about line ends are a request-smuggling vector.
    /// Chunk lines still need CRLF.
    pub const fn allow_bare_lf(mut self, allow: bool) -> RequestParser {
        self.head.settings.lenient.bare_lf = allow;
        self
    }

    /// The limits in force.
    pub const fn limits(&self) -> &Limits {
        &self.head.settings.limits
    }

    /// Forgets any partial head, to parse a new request from its first byte.
    pub fn reset(&mut self) {
        self.head.reset();
    }

    /// Parses the head at the start of `buf`, which must begin with the same
    /// bytes as on the previous call (if that call returned `Partial`).
    ///
    /// Returns `Partial` until the empty line that ends the head has arrived,
    /// then the validated [`Request`]. Field lines go into `headers`; more
    /// than it holds (or than [`Limits::max_headers`]) is
    /// [`ErrorKind::TooManyHeaders`]. Errors are final for this request, and
    /// their offsets count from the start of `buf`.
    #[inline]
    pub fn parse<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Request<'b, 'h>>, Error> {
        // Bytes that only extend the current run: answered inline.
        if self.head.skip_run(buf) {
            return Ok(Status::Partial);
        }
        self.parse_call(buf, headers)
    }

    /// [`parse`](Self::parse) past the inlined check.
    #[inline(never)]
    fn parse_call<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Request<'b, 'h>>, Error> {
        match self.head.advance(buf, headers)? {
            None => Ok(Status::Partial),
            Some(done) => {
                let request = finish(&self.head, buf, headers, done);
                match request {
                    Ok(_) => self.head.reset(),
                    Err(e) => self.head.error = Some(e),
                }
                request.map(Status::Complete)
            }
        }
    }
}

/// Builds the request once the head is complete: decides framing and
/// checks Host, the two rules that need the whole head.
fn finish<'b, 'h>(
    head: &HeadParser,
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
    done: Done<'b>,
) -> Result<Request<'b, 'h>, Error> {
    let p = &head.progress;
    let headers: &'h [Header<'b>] = headers;
    let headers = headers.get(..p.header_count).unwrap_or_default();
    let offset_of =
        |h: &Header<'_>| (h.name.as_ptr() as usize).saturating_sub(buf.as_ptr() as usize);
    // Only the fields noted as possible matches can match, so when there
    // is at most one, the decisions look at it alone.
    let candidates = |count: usize, at: usize| match count {
        0 => &headers[..0],
        1 => headers.get(at..=at).unwrap_or(headers),
        _ => headers,
    };
    let framing = match p.framing_fields {
        // Neither Content-Length nor Transfer-Encoding: no body
        // (RFC 9112 §6.3 rule 7), what `decide_request` says of no fields.
        0 => Framing::None,
        count => {
            let fields = candidates(count, p.framing_at);
            let connect = done.line.get(..p.method_end - p.start_line) == Some("CONNECT");
            framing::decide_request(connect, p.version, fields, &head.settings.limits, offset_of)?
        }
    };
    let host_fields = candidates(p.host_fields, p.host_at);
    check_host(p.version, host_fields, headers.last(), offset_of)?;
    let line = done.line;
    Ok(Request {
        method: line.get(..p.method_end - p.start_line).unwrap_or(""),
        target: line.get(p.target.0 - p.start_line..).unwrap_or(""),
        target_form: p.target_form,
        version: p.version,
        headers,
        framing,
        head_len: done.head_len,
    })
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
        let version = |v: &str| {
            let buf = std::format!("GET / {v}\r\nHost: a\r\n\r\n");
            let mut headers = [Header::EMPTY; 4];
            RequestParser::new()
                .parse(buf.as_bytes(), &mut headers)
                .map(|s| s.complete().unwrap().version)
                .map_err(|e| e.kind())
        };
        assert_eq!(version("HTTP/1.1"), Ok(Version::Http11));
        assert_eq!(version("HTTP/1.0"), Ok(Version::Http10));
        assert_eq!(version("HTTP/1.7"), Ok(Version::Http11));
        assert_eq!(version("HTTP/2.0"), Err(ErrorKind::UnsupportedVersion));
        assert_eq!(version("HTTP/0.9"), Err(ErrorKind::UnsupportedVersion));
        assert_eq!(version("HTTP/1.10"), Err(ErrorKind::InvalidVersion));
        assert_eq!(version("http/1.1"), Err(ErrorKind::InvalidVersion));
        assert_eq!(version("HTTP/1."), Err(ErrorKind::InvalidVersion));
        assert_eq!(
            version("HTTP/1.1 "),
            Err(ErrorKind::InvalidRequestLineWhitespace)
        );
        assert_eq!(version("HTTP/2.0 "), Err(ErrorKind::InvalidVersion));
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

    /// A byte that makes the head invalid is refused in the call that
    /// brings it, before its line ends.
    #[test]
    fn fails_fast() {
        let cases: &[(&[u8], ErrorKind, usize)] = &[
            (b"G\x00", ErrorKind::InvalidMethod, 1),
            (b"GET /a\x00", ErrorKind::InvalidTarget, 6),
            (b"GET /a\rX", ErrorKind::BareCr, 6),
            (b"GET / X", ErrorKind::InvalidVersion, 6),
            (
                b"GET / HTTP/1.1\r\nHo\x01",
                ErrorKind::InvalidHeaderName,
                18,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: a\x00",
                ErrorKind::InvalidHeaderValue,
                23,
            ),
            (b"GET / HTTP/1.1\r\n ", ErrorKind::ObsFold, 16),
            (b"GET / HTTP/1.1\r\nX: \rY", ErrorKind::BareCr, 19),
        ];
        for &(buf, want, at) in cases {
            let mut headers = [Header::EMPTY; 4];
            let e = RequestParser::new().parse(buf, &mut headers).unwrap_err();
            assert_eq!((e.kind(), e.offset()), (want, at), "{buf:?}");
        }
        // An over-long line is refused at the byte past the limit.
        let limits = Limits {
            max_header_line: 10,
            ..Limits::DEFAULT
        };
        let mut headers = [Header::EMPTY; 4];
        let e = RequestParser::with_limits(limits)
            .parse(b"GET / HTTP/1.1\r\nX: 12345678", &mut headers)
            .unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::HeaderLineTooLong, 26));
    }

    /// Parses `buf` cut at `cuts` (sorted, each call with a longer prefix),
    /// recording every call's outcome: the request's parts with their
    /// positions in `buf`, or the error.
    fn outcomes(buf: &[u8], cuts: &[usize], limits: Limits) -> std::vec::Vec<std::string::String> {
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
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// However the input is split, the last call's answer is the one a
        /// single call gives; and a call that fails fails for good. The
        /// SSE2 loop agrees with the one this CPU picks (AVX2 where present).
        #[test]
        fn split_calls_agree_with_one_call(
            buf in proptest::prop_oneof![
                mutated_request(),
                mutated_long_lines(),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120),
            ],
            mut cuts in proptest::collection::vec(0usize..200, 0..4),
            limits in proptest::prop_oneof![proptest::strategy::Just(Limits::DEFAULT), small_limits()],
        ) {
            cuts.sort_unstable();
            let whole = outcomes(&buf, &[], limits);
            let split = outcomes(&buf, &cuts, limits);
            proptest::prop_assert_eq!(split.last(), whole.last());
            if let Some(first_error) = split.iter().position(|o| o.starts_with("Err")) {
                proptest::prop_assert!(split[first_error..].iter().all(|o| o == &split[first_error]));
            }
            crate::simd::tests::force_sse2(true);
            let sse2 = outcomes(&buf, &cuts, limits);
            crate::simd::tests::force_sse2(false);
            proptest::prop_assert_eq!(&sse2, &split);
        }
    }

    /// Every prefix of a head that goes wrong is either `Partial` or the
    /// same error as the whole head: an error never depends on how much
    /// came after the byte it is about.
    #[test]
    fn prefixes_agree_with_the_whole() {
        let cases: &[&[u8]] = &[
            b"GET /echo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
            b"POST /a HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\n",
            b"POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nhOST: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost:a\r\nX:  \t\r\nY: \tv \r\nZ: v\r\n\r\n",
            b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
            b"GET http://h/a?b HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET http://[::1]:80/a HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /[a] HTTP/1.1\r\nHost: x\r\n\r\n",
            b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
            b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
            b"\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length 10\r\n\r\n",
            b"GET /a%2 HTTP/1.1\r\n\r\n",
            b"GET /a%2x HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9 \xff\r\nAccept: */*\r\n\r\n",
        ];
        for limits in [
            Limits::DEFAULT,
            Limits {
                max_header_line: 7,
                max_head: 40,
                max_request_line: 14,
                ..Limits::DEFAULT
            },
        ] {
            for buf in cases {
                let whole = outcomes(buf, &[], limits);
                let cuts: std::vec::Vec<usize> = (0..buf.len()).collect();
                let bytewise = outcomes(buf, &cuts, limits);
                assert_eq!(bytewise.last(), whole.last(), "{buf:?}");
                for o in &bytewise {
                    assert!(
                        o == "Ok(Partial)" || Some(o) == whole.last(),
                        "{buf:?}: {o}"
                    );
                }
            }
        }
    }

    /// A name begun in an earlier call is converted with a check: a caller
    /// that breaks the contract (the same bytes again) with a non-UTF-8
    /// byte there gets an empty name, never an invalid `&str`.
    #[test]
    fn a_name_from_an_earlier_call_is_checked() {
        let mut parser = RequestParser::new();
        let mut headers = [Header::EMPTY; 4];
        let first = parser.parse(b"GET / HTTP/1.0\r\nHo", &mut headers);
        assert_eq!(first, Ok(Status::Partial));
        let mut headers = [Header::EMPTY; 4];
        let buf = b"GET / HTTP/1.0\r\nH\xffst: a\r\n\r\n";
        let req = parser.parse(buf, &mut headers).unwrap().complete().unwrap();
        assert_eq!((req.headers[0].name, req.headers[0].value), ("", &b"a"[..]));
        assert_eq!(req.head_len, buf.len());
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
