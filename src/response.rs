//! Response heads (RFC 9112 §4): [`ResponseParser`] and the [`Response`] it
//! yields, for clients and proxies. The bytes are decided by the same head
//! loop as requests (`head.rs`); the response-only leniencies real servers
//! need are each a separate opt-in (RULES RS-1, RS-3, RS-4).

use crate::error::Error;
use crate::field::{self, Header};
use crate::framing::{self, ResponseFraming};
use crate::head::{HeadParser, Leniency, Role, Status};
use crate::limits::Limits;
use crate::version::Version;

/// A validated response head, borrowing from the input buffer (`'b`) and
/// the caller's header slice (`'h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response<'b, 'h> {
    /// The version; `HTTP/1.2`–`HTTP/1.9` are reported as [`Version::Http11`].
    pub version: Version,
    /// The status code, 100–999 as received (RFC 9110 §15: a client treats
    /// an unknown code as the `x00` of its class, and 600–999 as 5xx).
    pub status: u16,
    /// The reason phrase as received, possibly empty; it may hold obs-text,
    /// which is why it stays bytes.
    pub reason: &'b [u8],
    /// The field lines, in order.
    pub headers: &'h [Header<'b>],
    /// Length of the head in bytes, final CRLF included: the body (or the
    /// next response) starts at this offset.
    pub head_len: usize,
    /// The framing leniencies of the parser that read it.
    lenient: Leniency,
    /// The address of the parsed buffer, for the offsets of framing errors.
    base: usize,
}

impl<'b> Response<'b, '_> {
    /// How this response's body is delimited, given the method of the
    /// request it answers (RFC 9112 §6.3, RULES RS-5 to RS-13, CN-2), and
    /// whether the connection must close after it. A response to HEAD, any
    /// 1xx, 204 and 304 have no body; 101 and a 2xx to CONNECT hand the
    /// connection over ([`Framing::Tunnel`](crate::Framing::Tunnel)); else
    /// Transfer-Encoding, then Content-Length, then the connection's close
    /// ([`Framing::CloseDelimited`](crate::Framing::CloseDelimited)) frame
    /// it. Pass the framing to [`BodyDecoder::new`](crate::BodyDecoder::new).
    ///
    /// ```
    /// use httpwire::{Framing, Header, ResponseParser};
    /// let mut headers = [Header::EMPTY; 8];
    /// let buf = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    /// let res = ResponseParser::new().parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(res.framing("GET").unwrap().framing, Framing::Length(5));
    /// // The same response to HEAD has no body.
    /// assert_eq!(res.framing("HEAD").unwrap().framing, Framing::None);
    /// ```
    ///
    /// Errors (a Content-Length next to Transfer-Encoding, a bad or
    /// repeated Content-Length, Transfer-Encoding in HTTP/1.0) mean the
    /// connection cannot be trusted: close it (a proxy answers 502).
    pub fn framing(&self, request_method: &str) -> Result<ResponseFraming, Error> {
        let base = self.base;
        framing::decide_response(
            request_method.as_bytes(),
            self.status,
            self.version,
            self.headers,
            self.lenient.te_overrides_cl,
            self.lenient.equal_lengths_ok,
            |h: &Header<'_>| (h.name.as_ptr() as usize).saturating_sub(base),
        )
    }

    /// The value of the first field called `name` (case-insensitive).
    ///
    /// ```
    /// # use httpwire::{Header, ResponseParser};
    /// let mut headers = [Header::EMPTY; 8];
    /// let buf = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    /// let res = ResponseParser::new().parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(res.header("content-type"), Some(&b"text/plain"[..]));
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

    /// Does the server say it closes the connection (`Connection: close`)?
    pub fn connection_close(&self) -> bool {
        self.has_token("connection", "close")
    }

    /// May the connection be reused after this response, as far as its head
    /// says? HTTP/1.1 unless `close` is listed; HTTP/1.0 only with
    /// `keep-alive` (RFC 9112 §9.3). A close-delimited body, or a request
    /// that asked to close, ends the connection whatever this says.
    pub fn keep_alive(&self) -> bool {
        field::persists(self.version, self.headers)
    }

    /// Is this an interim (1xx) response, to be followed by another
    /// response to the same request (RFC 9110 §15.2)?
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.status)
    }
}

/// An incremental, zero-copy, allocation-free HTTP/1.1 response head
/// parser: [`RequestParser`](crate::RequestParser)'s shape and rules, with
/// a status-line instead of a request-line.
///
/// ```
/// use httpwire::{Header, ResponseParser, Status};
///
/// let mut parser = ResponseParser::new();
/// let mut headers = [Header::EMPTY; 16];
/// let buf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
/// let res = parser.parse(buf, &mut headers).unwrap().complete().unwrap();
/// assert_eq!((res.status, res.reason), (404, &b"Not Found"[..]));
/// assert_eq!(&buf[res.head_len..], b"not found");
/// ```
///
/// Strict by default, as for requests. Real servers send a few things the
/// RFC does not allow, and each can be accepted on its own (off by
/// default, RULES RS-1, RS-3, RS-4): see the `allow_*` methods and
/// [`ignore_invalid_header_lines`](ResponseParser::ignore_invalid_header_lines).
/// A user agent should turn on [`allow_obs_fold`](ResponseParser::allow_obs_fold),
/// which RFC 9112 §5.2 requires of it; a proxy should leave it off and
/// answer 502.
#[derive(Clone, Debug)]
pub struct ResponseParser {
    head: HeadParser,
}

impl Default for ResponseParser {
    fn default() -> Self {
        ResponseParser::new()
    }
}

impl ResponseParser {
    /// A parser with [`Limits::DEFAULT`] and no leniency. The status-line is
    /// held to [`Limits::max_request_line`], the fields to the field limits
    /// (RULES RS-15).
    pub const fn new() -> ResponseParser {
        ResponseParser::with_limits(Limits::DEFAULT)
    }

    /// A parser with the given limits.
    pub const fn with_limits(limits: Limits) -> ResponseParser {
        ResponseParser {
            head: HeadParser::new(Role::Response, limits),
        }
    }

    /// Accept a bare LF as the end of the status-line and of field lines
    /// (RULES RS-4; RFC 9112 §2.2 says a recipient MAY).
    pub const fn allow_bare_lf(mut self, allow: bool) -> ResponseParser {
        self.head.settings.lenient.bare_lf = allow;
        self
    }

    /// Accept `HTTP/1.1 200\r\n`: no SP after the status code when the
    /// reason phrase is empty (RULES RS-1; common in the wild).
    ///
    /// ```
    /// # use httpwire::{Header, ResponseParser};
    /// let mut headers = [Header::EMPTY; 4];
    /// let buf = b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
    /// assert!(ResponseParser::new().parse(buf, &mut headers).is_err());
    /// let res = ResponseParser::new().allow_missing_reason_space(true)
    ///     .parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!((res.status, res.reason), (200, &b""[..]));
    /// ```
    pub const fn allow_missing_reason_space(mut self, allow: bool) -> ResponseParser {
        self.head.settings.lenient.missing_reason_space = allow;
        self
    }

    /// Accept obs-fold: a line that starts with SP or HTAB continues the
    /// previous field's value, which then spans the folded lines
    /// ([`Header::value_pieces`] yields its parts). RFC 9112 §5.2 requires a
    /// user agent to unfold; a folded Content-Length or Transfer-Encoding
    /// stays an error (RULES RS-3, OF-3).
    pub const fn allow_obs_fold(mut self, allow: bool) -> ResponseParser {
        self.head.settings.lenient.obs_fold = allow;
        self
    }

    /// Accept whitespace between a field name and its colon; the name is
    /// kept without it (RULES RS-3; RFC 9112 §5.1 says a proxy MUST remove
    /// such whitespace before forwarding).
    pub const fn allow_space_before_colon(mut self, allow: bool) -> ResponseParser {
        self.head.settings.lenient.space_before_colon = allow;
        self
    }

    /// Skip a field line that is invalid (a bad name, a control byte in the
    /// value, no colon) instead of failing (RULES RS-3). A skipped line must
    /// still end in CRLF and hold no bare CR, and counts against the limits.
    pub const fn ignore_invalid_header_lines(mut self, ignore: bool) -> ResponseParser {
        self.head.settings.lenient.ignore_invalid_lines = ignore;
        self
    }

    /// Let Transfer-Encoding frame a response that also has Content-Length
    /// (RULES RS-8; strictly an error, a sign of response splitting); the
    /// connection then closes after the response
    /// ([`ResponseFraming::close_after`]).
    pub const fn allow_transfer_encoding_with_content_length(
        mut self,
        allow: bool,
    ) -> ResponseParser {
        self.head.settings.lenient.te_overrides_cl = allow;
        self
    }

    /// Accept a Content-Length repeated with equal values, as a list or as
    /// several lines (RULES RS-9; strictly an error).
    pub const fn allow_equal_content_lengths(mut self, allow: bool) -> ResponseParser {
        self.head.settings.lenient.equal_lengths_ok = allow;
        self
    }

    /// The limits in force.
    pub const fn limits(&self) -> &Limits {
        &self.head.settings.limits
    }

    /// Forgets any partial head, to parse a new response from its first byte.
    pub fn reset(&mut self) {
        self.head.reset();
    }

    /// Parses the head at the start of `buf`, which must begin with the same
    /// bytes as on the previous call (if that call returned `Partial`).
    ///
    /// Returns `Partial` until the empty line that ends the head has arrived,
    /// then the validated [`Response`]. Field lines go into `headers`; more
    /// than it holds (or than [`Limits::max_headers`]) is
    /// [`ErrorKind::TooManyHeaders`](crate::ErrorKind::TooManyHeaders).
    /// Errors are final for this response, and their offsets count from the
    /// start of `buf`.
    #[inline]
    pub fn parse<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<Response<'b, 'h>>, Error> {
        // Bytes that only extend the current run: answered inline.
        if self.head.skip_run(buf) {
            return Ok(Status::Partial);
        }
        let Some(done) = self.head.advance(buf, headers)? else {
            return Ok(Status::Partial);
        };
        let p = &self.head.progress;
        let headers: &'h [Header<'b>] = headers;
        let response = Response {
            version: p.version,
            status: p.status,
            reason: buf.get(p.target.0..p.target.1).unwrap_or_default(),
            headers: headers.get(..p.header_count).unwrap_or_default(),
            head_len: done.head_len,
            lenient: self.head.settings.lenient,
            base: buf.as_ptr() as usize,
        };
        self.head.reset();
        Ok(Status::Complete(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::string::String;
    use std::vec::Vec;

    /// The outcome of each call, parsing `buf` cut at `cuts` then whole, as
    /// text with the fields' positions in `buf`.
    fn outcomes(parser: &ResponseParser, buf: &[u8], cuts: &[usize]) -> Vec<String> {
        let mut parser = parser.clone();
        let at = |s: &[u8]| (s.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
        let mut out = Vec::new();
        for &end in cuts.iter().chain([buf.len()].iter()) {
            let mut headers = [Header::EMPTY; 8];
            out.push(
                match parser.parse(&buf[..end.min(buf.len())], &mut headers) {
                    Ok(Status::Complete(r)) => std::format!(
                        "{r:?} {:?}",
                        r.headers
                            .iter()
                            .map(|h| (at(h.name.as_bytes()), at(h.value)))
                            .collect::<Vec<_>>()
                    ),
                    other => std::format!("{other:?}"),
                },
            );
        }
        out
    }

    fn parse(parser: ResponseParser, buf: &[u8]) -> Result<(u16, String, Vec<String>), ErrorKind> {
        let mut headers = [Header::EMPTY; 8];
        let whole = outcomes(&parser, buf, &[]);
        // Byte by byte, the answer is the same.
        let cuts: Vec<usize> = (0..buf.len()).collect();
        assert_eq!(
            outcomes(&parser, buf, &cuts).last(),
            whole.last(),
            "{buf:?}"
        );
        let mut parser = parser;
        match parser.parse(buf, &mut headers) {
            Ok(Status::Complete(r)) => Ok((
                r.status,
                String::from_utf8_lossy(r.reason).into_owned(),
                r.headers
                    .iter()
                    .map(|h| {
                        let pieces: Vec<&[u8]> = h.value_pieces().collect();
                        std::format!(
                            "{}={}",
                            h.name,
                            String::from_utf8_lossy(&pieces.join(&b' '))
                        )
                    })
                    .collect(),
            )),
            Ok(Status::Partial) => panic!("partial: {buf:?}"),
            Err(e) => Err(e.kind()),
        }
    }

    fn strict(buf: &[u8]) -> Result<(u16, String, Vec<String>), ErrorKind> {
        parse(ResponseParser::new(), buf)
    }

    #[test]
    fn status_lines() {
        let ok = |code: u16, reason: &str, fields: &[&str]| {
            Ok((
                code,
                String::from(reason),
                fields.iter().map(|f| String::from(*f)).collect(),
            ))
        };
        assert_eq!(
            strict(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"),
            ok(200, "OK", &["A=b"])
        );
        assert_eq!(
            strict(b"HTTP/1.0 404 Not Found\r\n\r\n"),
            ok(404, "Not Found", &[])
        );
        // An empty reason, a reason with SP, HTAB and obs-text, kept as sent.
        assert_eq!(strict(b"HTTP/1.1 204 \r\n\r\n"), ok(204, "", &[]));
        assert_eq!(
            strict(b"HTTP/1.1 200 a\tb  \xc3\xa9 \r\n\r\n"),
            ok(200, "a\tb  \u{e9} ", &[])
        );
        // Codes 100-999 as received; empty lines before are skipped.
        assert_eq!(strict(b"HTTP/1.1 999 X\r\n\r\n"), ok(999, "X", &[]));
        assert_eq!(
            strict(b"\r\nHTTP/1.1 100 Continue\r\n\r\n"),
            ok(100, "Continue", &[])
        );
        assert_eq!(strict(b"HTTP/1.7 200 OK\r\n\r\n"), ok(200, "OK", &[]));
    }

    #[test]
    fn status_line_errors() {
        use ErrorKind::*;
        let cases: &[(&[u8], ErrorKind)] = &[
            (b"HTTP/1.1 099 Low\r\n\r\n", InvalidStatusCode),
            (b"HTTP/1.1 20 OK\r\n\r\n", InvalidStatusCode),
            (b"HTTP/1.1 2000 OK\r\n\r\n", InvalidStatusLine),
            (b"HTTP/1.1 20x OK\r\n\r\n", InvalidStatusCode),
            (b"HTTP/1.1  200 OK\r\n\r\n", InvalidStatusCode),
            (b"HTTP/1.1\t200 OK\r\n\r\n", InvalidStatusLine),
            (b"HTTP/1.1 200\r\n\r\n", InvalidStatusLine),
            (b"HTTP/1.1\r\n\r\n", InvalidStatusLine),
            (b"HTTP/2.0 200 OK\r\n\r\n", UnsupportedVersion),
            (b"HTTP/1.10 200 OK\r\n\r\n", InvalidStatusLine),
            (b"http/1.1 200 OK\r\n\r\n", InvalidVersion),
            (b"ICY 200 OK\r\n\r\n", InvalidVersion),
            (b"HTTP/1.1 200 O\x01K\r\n\r\n", InvalidReasonPhrase),
            (b"HTTP/1.1 200 OK\rX\r\n\r\n", BareCr),
            (b"HTTP/1.1 200 OK\n\r\n", BareLf),
            (b"HTTP/1.1 200 OK\r\nA : b\r\n\r\n", WhitespaceBeforeColon),
            (b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", ObsFold),
            (b"HTTP/1.1 200 OK\r\nA@: b\r\n\r\n", InvalidHeaderName),
        ];
        for &(buf, kind) in cases {
            assert_eq!(strict(buf), Err(kind), "{:?}", String::from_utf8_lossy(buf));
        }
        // The status-line is held to the request-line's limit (RULES RS-15).
        let limits = Limits {
            max_request_line: 12,
            ..Limits::DEFAULT
        };
        assert_eq!(
            parse(
                ResponseParser::with_limits(limits),
                b"HTTP/1.1 200 OK\r\n\r\n"
            ),
            Err(StatusLineTooLong)
        );
        assert_eq!(InvalidStatusCode.status(), 502);
    }

    #[test]
    fn leniencies_each_on_and_off() {
        use ErrorKind::*;
        // RS-1: no SP before an empty reason.
        let buf = b"HTTP/1.1 200\r\nA: b\r\n\r\n";
        assert_eq!(strict(buf), Err(InvalidStatusLine));
        let lenient = ResponseParser::new().allow_missing_reason_space(true);
        assert_eq!(
            parse(lenient.clone(), buf),
            Ok((200, String::new(), std::vec!["A=b".into()]))
        );
        // ... but not a missing SP before a reason.
        assert_eq!(
            parse(lenient, b"HTTP/1.1 200OK\r\n\r\n"),
            Err(InvalidStatusLine)
        );

        // RS-4: bare LF.
        let buf = b"HTTP/1.1 200 OK\nA: b\n\n";
        assert_eq!(strict(buf), Err(BareLf));
        let lenient = ResponseParser::new().allow_bare_lf(true);
        assert_eq!(
            parse(lenient, buf),
            Ok((200, "OK".into(), std::vec!["A=b".into()]))
        );

        // RS-3: obs-fold, unfolded by `value_pieces`; never for framing fields.
        let buf = b"HTTP/1.1 200 OK\r\nA: b,\r\n \t c \r\nD: e\r\n\r\n";
        assert_eq!(strict(buf), Err(ObsFold));
        let folding = ResponseParser::new().allow_obs_fold(true);
        assert_eq!(
            parse(folding.clone(), buf),
            Ok((200, "OK".into(), std::vec!["A=b, c".into(), "D=e".into()]))
        );
        let folded_length = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\n";
        assert_eq!(parse(folding.clone(), folded_length), Err(ObsFold));
        // A fold before any field is still a whitespace-led line.
        assert_eq!(
            parse(folding, b"HTTP/1.1 200 OK\r\n x\r\n\r\n"),
            Err(ObsFold)
        );

        // RS-3: whitespace before the colon.
        let buf = b"HTTP/1.1 200 OK\r\nA \t: b\r\n\r\n";
        assert_eq!(strict(buf), Err(WhitespaceBeforeColon));
        let lenient = ResponseParser::new().allow_space_before_colon(true);
        assert_eq!(
            parse(lenient.clone(), buf),
            Ok((200, "OK".into(), std::vec!["A=b".into()]))
        );
        assert_eq!(
            parse(lenient, b"HTTP/1.1 200 OK\r\nA b: c\r\n\r\n"),
            Err(InvalidHeaderName)
        );

        // RS-3: invalid lines ignored; bare CR and limits still fatal.
        let buf = b"HTTP/1.1 200 OK\r\nA@: b\r\nNoColon\r\nC: d\x01\r\n: e\r\nF: g\r\n\r\n";
        assert_eq!(strict(buf), Err(InvalidHeaderName));
        let skipping = ResponseParser::new().ignore_invalid_header_lines(true);
        assert_eq!(
            parse(skipping.clone(), buf),
            Ok((200, "OK".into(), std::vec!["F=g".into()]))
        );
        assert_eq!(
            parse(skipping.clone(), b"HTTP/1.1 200 OK\r\nA@: \rb\r\n\r\n"),
            Err(BareCr)
        );
        // With folding too, a fold after a skipped line is skipped with it.
        let both = skipping.allow_obs_fold(true);
        let buf = b"HTTP/1.1 200 OK\r\nA: b\r\nB@: x\r\n y\r\nC: d\r\n e\r\n\r\n";
        assert_eq!(
            parse(both, buf),
            Ok((200, "OK".into(), std::vec!["A=b".into(), "C=d e".into()]))
        );
    }

    /// The framing of `head` answering `method`, by `parser`.
    fn framing(
        parser: ResponseParser,
        method: &str,
        head: &[u8],
    ) -> Result<(crate::Framing, bool), (ErrorKind, usize)> {
        let mut headers = [Header::EMPTY; 8];
        let res = parser
            .clone()
            .parse(head, &mut headers)
            .unwrap()
            .complete()
            .unwrap();
        res.framing(method)
            .map(|f| (f.framing, f.close_after))
            .map_err(|e| (e.kind(), e.offset()))
    }

    #[test]
    fn framing_per_method_status_and_fields() {
        use crate::Framing::*;
        let p = ResponseParser::new;
        let cl = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(framing(p(), "GET", cl), Ok((Length(5), false)));
        // RS-5: HEAD, 1xx, 204, 304 have no body, whatever the fields say.
        assert_eq!(framing(p(), "HEAD", cl), Ok((None, false)));
        for status in [b"100", b"204", b"304"] {
            let mut head = cl.to_vec();
            head[9..12].copy_from_slice(status);
            assert_eq!(framing(p(), "GET", &head), Ok((None, false)), "{status:?}");
        }
        // RS-6, CN-2: 101 and a 2xx to CONNECT hand the connection over.
        let switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
        assert_eq!(framing(p(), "GET", switch), Ok((Tunnel, false)));
        assert_eq!(framing(p(), "CONNECT", cl), Ok((Tunnel, false)));
        assert_eq!(
            framing(p(), "CONNECT", &[&b"HTTP/1.1 407"[..], &cl[12..]].concat()),
            Ok((Length(5), false))
        );
        // RS-7, RS-10: chunked, or to the close.
        let te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
        assert_eq!(framing(p(), "GET", te), Ok((Chunked, false)));
        let te_gzip = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
        assert_eq!(framing(p(), "GET", te_gzip), Ok((CloseDelimited, true)));
        assert_eq!(
            framing(p(), "GET", b"HTTP/1.0 200 OK\r\n\r\n"),
            Ok((CloseDelimited, true))
        );
        // RS-13: Transfer-Encoding in HTTP/1.0.
        let te10 = b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(
            framing(p(), "GET", te10),
            Err((ErrorKind::TransferEncodingInHttp10, 17))
        );
    }

    #[test]
    fn framing_leniencies_each_on_and_off() {
        use crate::Framing::*;
        // RS-8: TE and CL together; leniently TE wins and the connection closes.
        let both = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(
            framing(ResponseParser::new(), "GET", both),
            Err((ErrorKind::ContentLengthWithTransferEncoding, 36))
        );
        let lenient = ResponseParser::new().allow_transfer_encoding_with_content_length(true);
        assert_eq!(framing(lenient, "GET", both), Ok((Chunked, true)));
        // RS-9: equal repeated lengths; unequal ones stay an error.
        let twice = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n";
        assert_eq!(
            framing(ResponseParser::new(), "GET", twice),
            Err((ErrorKind::DuplicateContentLength, 36))
        );
        let lenient = ResponseParser::new().allow_equal_content_lengths(true);
        assert_eq!(
            framing(lenient.clone(), "GET", twice),
            Ok((Length(3), false))
        );
        let unequal = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n";
        assert!(framing(lenient, "GET", unequal).is_err());
    }

    fn mutated() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        const BASE: &[u8] = b"\r\nHTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\
            X-Fold: a\r\n b\r\nX-Space : v\r\nBad@Name: v\r\n\r\nhello";
        const BYTES: &[u8] = b"\r\n\t :@\x00\x7f\x80\xff09aZ";
        (
            proptest::collection::vec((0..BASE.len(), 0..BYTES.len() + 256), 0..4),
            0..=BASE.len(),
        )
            .prop_map(|(edits, len)| {
                let mut v = BASE[..len].to_vec();
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

    fn any_parser() -> impl proptest::strategy::Strategy<Value = ResponseParser> {
        use proptest::prelude::*;
        (any::<[bool; 5]>(), 1usize..60, 1usize..200).prop_map(|(f, line, head)| {
            let limits = if f[0] {
                Limits::DEFAULT
            } else {
                Limits {
                    max_request_line: line,
                    max_header_line: line,
                    max_head: head,
                    max_headers: 3,
                    ..Limits::DEFAULT
                }
            };
            ResponseParser::with_limits(limits)
                .allow_bare_lf(f[1])
                .allow_obs_fold(f[2])
                .allow_space_before_colon(f[3])
                .ignore_invalid_header_lines(f[4])
                .allow_missing_reason_space(f[1] ^ f[2])
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// However the input is split, the last call answers as one call
        /// does, under every combination of leniencies.
        #[test]
        fn split_calls_agree_with_one_call(
            buf in mutated(),
            parser in any_parser(),
            mut cuts in proptest::collection::vec(0usize..120, 0..4),
        ) {
            cuts.sort_unstable();
            let whole = outcomes(&parser, &buf, &[]);
            let split = outcomes(&parser, &buf, &cuts);
            proptest::prop_assert_eq!(split.last(), whole.last());
        }
    }
}
