//! The body-length decision for a request or a response (RFC 9112 §6.3),
//! made once, from the head.

/// How the body of a message is delimited.
///
/// A request is always `None`, `Length` or `Chunked`; only a response can
/// be `CloseDelimited` or `Tunnel`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Framing {
    /// No body: neither Content-Length nor Transfer-Encoding (RFC 9112 §6.3
    /// rule 7), or a response that never has one (rule 1).
    #[default]
    None,
    /// Exactly this many bytes follow the head (RFC 9112 §6.3 rule 6).
    Length(u64),
    /// The body is chunked (RFC 9112 §7.1).
    Chunked,
    /// Responses only: the body runs until the connection closes (RFC 9112
    /// §6.3 rules 4 and 8), so the connection carries nothing after it.
    CloseDelimited,
    /// Responses only: the head ends the HTTP/1.1 part of the connection;
    /// what follows belongs to the tunnel of a 2xx to CONNECT or the
    /// protocol a 101 switched to (RFC 9112 §6.3 rule 2, RFC 9110 §15.2.2).
    Tunnel,
}

use crate::chars::{is_token_str, trim_ows};
use crate::error::{Error, ErrorKind};
use crate::field::Header;
use crate::limits::Limits;
use crate::version::Version;

impl Framing {
    /// Does a body follow the head? (`Length(0)` does not, nor does a
    /// `Tunnel`: what follows it is not a body.)
    pub fn has_body(self) -> bool {
        !matches!(self, Framing::None | Framing::Length(0) | Framing::Tunnel)
    }

    /// The body's length when the head gives it: `Some(n)` for `Length(n)`,
    /// `Some(0)` for `None`, unknown (`None`) for a chunked or
    /// close-delimited body; what a proxy passes on to the connection that
    /// forwards the message (a `Tunnel` has no body: `Some(0)`).
    ///
    /// ```
    /// use httpwire::Framing;
    /// assert_eq!(Framing::Length(5).content_length(), Some(5));
    /// assert_eq!(Framing::None.content_length(), Some(0));
    /// assert_eq!(Framing::Chunked.content_length(), None);
    /// ```
    pub fn content_length(self) -> Option<u64> {
        match self {
            Framing::Length(n) => Some(n),
            Framing::None | Framing::Tunnel => Some(0),
            Framing::Chunked | Framing::CloseDelimited => None,
        }
    }
}

/// Decides how a request's body is delimited, RFC 9112 §6.3 in order, with
/// the strict profile's choices where the RFC leaves one. `connect` says the
/// method is exactly `CONNECT`. `offset_of` gives a field's position, for
/// error offsets.
pub(crate) fn decide_request(
    connect: bool,
    version: Version,
    headers: &[Header<'_>],
    limits: &Limits,
    offset_of: impl Fn(&Header<'_>) -> usize,
) -> Result<Framing, Error> {
    let mut content_length: Option<&Header<'_>> = None;
    let mut transfer_encoding: Option<&Header<'_>> = None;
    for h in headers {
        if h.is("content-length") {
            if content_length.is_some() {
                // RFC 9112 §6.3 rule 5 allows collapsing equal values; we reject.
                return Err(Error::new(ErrorKind::DuplicateContentLength, offset_of(h)));
            }
            content_length = Some(h);
        } else if h.is("transfer-encoding") && transfer_encoding.is_none() {
            transfer_encoding = Some(h);
        }
    }
    if let Some(te) = transfer_encoding {
        let at = offset_of(te);
        // RFC 9110 §9.3.6: a CONNECT request has no content, so a body is
        // ambiguous between a proxy that tunnels and a server that reads it
        // (CN-1).
        if connect {
            return Err(Error::new(ErrorKind::ConnectWithBody, at));
        }
        // RFC 9112 §6.3 rule 3: both is a smuggling shape; "ought to be
        // handled as an error", and we always do.
        if content_length.is_some() {
            return Err(Error::new(ErrorKind::ContentLengthWithTransferEncoding, at));
        }
        // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing.
        if version == Version::Http10 {
            return Err(Error::new(ErrorKind::TransferEncodingInHttp10, at));
        }
        let tes = headers.iter().filter(|h| h.is("transfer-encoding"));
        // RFC 9112 §6.3 rule 4: a request whose final coding is not chunked
        // has a length that cannot be determined; §6.1: a coding we do not
        // understand gets 501.
        return match final_coding(tes.map(|h| h.value)) {
            Ok(FinalCoding::Chunked) => Ok(Framing::Chunked),
            Ok(FinalCoding::ChunkedAfterOthers) => Err(ErrorKind::UnsupportedTransferCoding),
            Ok(FinalCoding::NotChunked) => Err(ErrorKind::TransferEncodingNotChunked),
            Err(kind) => Err(kind),
        }
        .map_err(|kind| Error::new(kind, at));
    }
    match content_length {
        Some(h) => {
            let n = parse_content_length(h.value).map_err(|k| Error::new(k, offset_of(h)))?;
            // CN-1, as for Transfer-Encoding above; `Content-Length: 0`
            // declares no content and is fine.
            if connect && n != 0 {
                return Err(Error::new(ErrorKind::ConnectWithBody, offset_of(h)));
            }
            if n > limits.max_body {
                return Err(Error::new(ErrorKind::BodyTooLarge, offset_of(h)));
            }
            Ok(Framing::Length(n))
        }
        // RFC 9112 §6.3 rule 7: a request with neither has no body.
        None => Ok(Framing::None),
    }
}

/// How a response's body is delimited, and whether the connection can carry
/// another response after it: what
/// [`Response::framing`](crate::Response::framing) decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseFraming {
    /// How the body is delimited.
    pub framing: Framing,
    /// The connection must close once the body has been read, whatever the
    /// response's Connection field says: the body is
    /// [`CloseDelimited`](Framing::CloseDelimited), or Transfer-Encoding
    /// overrode a Content-Length (the `te_overrides_cl` leniency, RULES
    /// RS-8). A [`Tunnel`](Framing::Tunnel) hands the connection over
    /// instead, and says `false` here.
    pub close_after: bool,
}

/// Decides how a response's body is delimited (RFC 9112 §6.3 in order,
/// RULES RS-5 to RS-13 and CN-2), given the method of the request it
/// answers, its status code, version and fields. `offset_of` gives a
/// field's position, for error offsets.
///
/// * A response to HEAD, any 1xx, 204 and 304 has no body, and 101 and a
///   2xx to CONNECT are a [`Tunnel`](Framing::Tunnel), whatever their
///   fields say. These are decided first: their Content-Length and
///   Transfer-Encoding fields went through the field-line checks of the
///   head and frame nothing, so RS-8 and RS-9 do not apply to them.
/// * Otherwise Transfer-Encoding frames the body: chunked when `chunked` is
///   the final coding (codings before it are the caller's to undo),
///   close-delimited when it is not. With it, a Content-Length is an error
///   unless `te_overrides_cl` (then Transfer-Encoding wins and
///   [`close_after`](ResponseFraming::close_after) is set), and so is an
///   HTTP/1.0 version.
/// * Otherwise Content-Length frames the body: exactly one valid value, or,
///   with `equal_lengths_ok`, any number of equal ones.
/// * Otherwise the body runs until the connection closes.
///
/// Response bodies are not bounded by [`Limits::max_body`], which is a
/// server's limit on what it accepts from clients.
pub(crate) fn decide_response(
    request_method: &[u8],
    status: u16,
    version: Version,
    headers: &[Header<'_>],
    te_overrides_cl: bool,
    equal_lengths_ok: bool,
    offset_of: impl Fn(&Header<'_>) -> usize,
) -> Result<ResponseFraming, Error> {
    let framing = |framing| {
        Ok(ResponseFraming {
            framing,
            close_after: framing == Framing::CloseDelimited,
        })
    };
    // RFC 9110 §15.2.2, §7.8: after a 101 the connection speaks the new
    // protocol (RS-6); RFC 9112 §6.3 rule 2: a 2xx to CONNECT starts the
    // tunnel (CN-2).
    if status == 101 || (request_method == b"CONNECT" && (200..300).contains(&status)) {
        return framing(Framing::Tunnel);
    }
    // RFC 9112 §6.3 rule 1: no body after HEAD, 1xx, 204 or 304 (RS-5).
    if request_method == b"HEAD" || (100..200).contains(&status) || status == 204 || status == 304 {
        return framing(Framing::None);
    }
    let has_content_length = headers.iter().any(|h| h.is("content-length"));
    if let Some(te) = headers.iter().find(|h| h.is("transfer-encoding")) {
        let at = offset_of(te);
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing,
        // with or without Content-Length (RS-13).
        if version == Version::Http10 {
            return Err(Error::new(ErrorKind::TransferEncodingInHttp10, at));
        }
        // RFC 9112 §6.3 rule 3, §11.2: both may be response splitting
        // (RS-8); leniently, Transfer-Encoding wins and the connection
        // closes after this response.
        if has_content_length && !te_overrides_cl {
            return Err(Error::new(ErrorKind::ContentLengthWithTransferEncoding, at));
        }
        let tes = headers.iter().filter(|h| h.is("transfer-encoding"));
        // RFC 9112 §6.3 rule 4: chunked when final, else to the close (RS-7).
        let framing = match final_coding(tes.map(|h| h.value)) {
            Ok(FinalCoding::Chunked | FinalCoding::ChunkedAfterOthers) => Framing::Chunked,
            Ok(FinalCoding::NotChunked) => Framing::CloseDelimited,
            Err(kind) => return Err(Error::new(kind, at)),
        };
        return Ok(ResponseFraming {
            framing,
            close_after: framing == Framing::CloseDelimited || has_content_length,
        });
    }
    match response_content_length(headers, equal_lengths_ok, offset_of)? {
        Some(n) => framing(Framing::Length(n)),
        // RFC 9112 §6.3 rule 8: neither; the body runs to the close (RS-10).
        None => framing(Framing::CloseDelimited),
    }
}

/// The length a response's Content-Length fields declare, if it has any
/// (RFC 9112 §6.3 rule 5, RS-9): one field with one `1*DIGIT` value; with
/// `equal_lengths_ok`, any number of fields and list members with the same
/// value (`5, 5`, or two `5` lines), which the RFC allows a recipient to
/// accept.
#[allow(dead_code)] // Until the response parser calls `decide_response`.
fn response_content_length(
    headers: &[Header<'_>],
    equal_lengths_ok: bool,
    offset_of: impl Fn(&Header<'_>) -> usize,
) -> Result<Option<u64>, Error> {
    let mut length = None;
    for h in headers.iter().filter(|h| h.is("content-length")) {
        let at = offset_of(h);
        if !equal_lengths_ok {
            if length.is_some() {
                return Err(Error::new(ErrorKind::DuplicateContentLength, at));
            }
            length = Some(parse_content_length(h.value).map_err(|k| Error::new(k, at))?);
            continue;
        }
        for member in h.value.split(|&b| b == b',').map(trim_ows) {
            let n = parse_content_length(member).map_err(|k| Error::new(k, at))?;
            if length.is_some_and(|l| l != n) {
                return Err(Error::new(ErrorKind::DuplicateContentLength, at));
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6), with overflow detection. A
/// list, even of equal values, is rejected (strict profile).
pub(crate) fn parse_content_length(value: &[u8]) -> Result<u64, ErrorKind> {
    if value.contains(&b',') {
        let all_numbers = value
            .split(|&b| b == b',')
            .all(|m| !trim_ows(m).is_empty() && trim_ows(m).iter().all(u8::is_ascii_digit));
        return Err(if all_numbers {
            ErrorKind::DuplicateContentLength
        } else {
            ErrorKind::InvalidContentLength
        });
    }
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(ErrorKind::InvalidContentLength);
    }
    value.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(ErrorKind::ContentLengthOverflow)
    })
}

/// The final coding of a Transfer-Encoding list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FinalCoding {
    /// `chunked`, the only coding.
    Chunked,
    /// `chunked` after other codings (`gzip, chunked`).
    ChunkedAfterOthers,
    /// Another coding, or none at all.
    NotChunked,
}

/// The final coding of the Transfer-Encoding fields, joined in order into
/// one list (RFC 9110 §5.3), with the checks that hold for requests and
/// responses alike: every member is a coding, and a final `chunked` is
/// applied once (RFC 9112 §6.1) and has no parameters (§7.1).
fn final_coding<'a>(values: impl Iterator<Item = &'a [u8]>) -> Result<FinalCoding, ErrorKind> {
    let mut last: Option<&[u8]> = None;
    let mut chunked_before = false;
    let mut other_before = false;
    let mut last_has_parameters = false;
    for value in values {
        // RFC 9110 §5.6.1: empty list members are ignored.
        for member in value
            .split(|&b| b == b',')
            .map(trim_ows)
            .filter(|m| !m.is_empty())
        {
            let name = coding_name(member).ok_or(ErrorKind::InvalidTransferEncoding)?;
            if let Some(prev) = last {
                if prev.eq_ignore_ascii_case(b"chunked") {
                    chunked_before = true;
                } else {
                    other_before = true;
                }
            }
            last = Some(name);
            last_has_parameters = name.len() != member.len();
        }
    }
    if !last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked")) {
        return Ok(FinalCoding::NotChunked);
    }
    if last_has_parameters {
        return Err(ErrorKind::ChunkedWithParameters);
    }
    if chunked_before {
        return Err(ErrorKind::ChunkedAppliedTwice);
    }
    Ok(if other_before {
        FinalCoding::ChunkedAfterOthers
    } else {
        FinalCoding::Chunked
    })
}

/// The coding name of `token *( OWS ";" OWS transfer-parameter )`, if the
/// member has that shape. Parameters are checked loosely (token `=` value):
/// they only matter to tell `chunked;x=1` apart from garbage.
fn coding_name(member: &[u8]) -> Option<&[u8]> {
    let mut parts = member.split(|&b| b == b';');
    let name = trim_ows(parts.next()?);
    if !is_token_str(name) {
        return None;
    }
    for param in parts {
        let param = trim_ows(param);
        let (key, value) = match param.iter().position(|&b| b == b'=') {
            Some(eq) => (trim_ows(&param[..eq]), trim_ows(&param[eq + 1..])),
            None => return None,
        };
        let quoted = value.len() >= 2 && value.starts_with(b"\"") && value.ends_with(b"\"");
        if !is_token_str(key) || !(quoted || is_token_str(value)) {
            return None;
        }
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn te(values: &[&[u8]]) -> Result<FinalCoding, ErrorKind> {
        final_coding(values.iter().copied())
    }

    #[test]
    fn transfer_encoding_lists() {
        use FinalCoding::*;
        assert_eq!(te(&[b"chunked"]), Ok(Chunked));
        assert_eq!(te(&[b"CHUNKED"]), Ok(Chunked));
        assert_eq!(te(&[b", chunked"]), Ok(Chunked));
        assert_eq!(te(&[b"", b"chunked"]), Ok(Chunked));
        assert_eq!(te(&[b"gzip, chunked"]), Ok(ChunkedAfterOthers));
        assert_eq!(te(&[b"gzip", b"chunked"]), Ok(ChunkedAfterOthers));
        assert_eq!(te(&[b"chunked, gzip"]), Ok(NotChunked));
        assert_eq!(te(&[b"chunked;q=1, gzip"]), Ok(NotChunked));
        assert_eq!(
            te(&[b"chunked", b"chunked"]),
            Err(ErrorKind::ChunkedAppliedTwice)
        );
        assert_eq!(te(&[b"chunked;q=1"]), Err(ErrorKind::ChunkedWithParameters));
        assert_eq!(
            te(&[b"\"chunked\""]),
            Err(ErrorKind::InvalidTransferEncoding)
        );
        assert_eq!(
            te(&[b"chunked\xff"]),
            Err(ErrorKind::InvalidTransferEncoding)
        );
        assert_eq!(te(&[b""]), Ok(NotChunked));
        assert_eq!(te(&[b"xchunked"]), Ok(NotChunked));
        assert_eq!(te(&[b"identity"]), Ok(NotChunked));
    }

    fn request(connect: bool, fields: &[(&'static str, &'static [u8])]) -> Result<Framing, Error> {
        let headers: std::vec::Vec<Header<'_>> = fields
            .iter()
            .map(|&(name, value)| Header { name, value })
            .collect();
        let position = |h: &Header<'_>| headers.iter().position(|x| x == h).unwrap_or(99);
        decide_request(
            connect,
            Version::Http11,
            &headers,
            &Limits::DEFAULT,
            position,
        )
    }

    #[test]
    fn connect_has_no_body() {
        let connect_with_body = |at| Err(Error::new(ErrorKind::ConnectWithBody, at));
        let te: (&str, &[u8]) = ("Transfer-Encoding", b"chunked");
        assert_eq!(request(true, &[("X", b"1"), te]), connect_with_body(1));
        assert_eq!(
            request(true, &[("Transfer-Encoding", b"gzip")]),
            connect_with_body(0)
        );
        assert_eq!(
            request(true, &[("Content-Length", b"1")]),
            connect_with_body(0)
        );
        // Refused as CONNECT, not as too large.
        assert_eq!(
            request(true, &[("Content-Length", b"99999999999")]),
            connect_with_body(0)
        );
        assert_eq!(
            request(true, &[("Content-Length", b"0"), te]),
            connect_with_body(1)
        );
        assert_eq!(
            request(true, &[("Content-Length", b"00")]),
            Ok(Framing::Length(0))
        );
        assert_eq!(
            request(true, &[("Content-Length", b"x")]),
            Err(Error::new(ErrorKind::InvalidContentLength, 0))
        );
        // Other methods keep their bodies.
        assert_eq!(
            request(false, &[("Content-Length", b"1")]),
            Ok(Framing::Length(1))
        );
        assert_eq!(request(false, &[te]), Ok(Framing::Chunked));
    }

    /// Lenient settings for [`response`].
    #[derive(Clone, Copy, Default)]
    struct Lenient {
        te_overrides_cl: bool,
        equal_lengths_ok: bool,
    }

    const STRICT: Lenient = Lenient {
        te_overrides_cl: false,
        equal_lengths_ok: false,
    };
    const TE_WINS: Lenient = Lenient {
        te_overrides_cl: true,
        equal_lengths_ok: false,
    };
    const EQUAL_OK: Lenient = Lenient {
        te_overrides_cl: false,
        equal_lengths_ok: true,
    };

    fn response(
        method: &[u8],
        status: u16,
        version: Version,
        fields: &[(&'static str, &'static [u8])],
        lenient: Lenient,
    ) -> Result<ResponseFraming, Error> {
        let headers: std::vec::Vec<Header<'_>> = fields
            .iter()
            .map(|&(name, value)| Header { name, value })
            .collect();
        let position = |h: &Header<'_>| {
            headers
                .iter()
                .position(|x| core::ptr::eq(x, h))
                .unwrap_or(99)
        };
        decide_response(
            method,
            status,
            version,
            &headers,
            lenient.te_overrides_cl,
            lenient.equal_lengths_ok,
            position,
        )
    }

    /// The framing of a GET's HTTP/1.1 200 with `fields`.
    fn ok_200(
        fields: &[(&'static str, &'static [u8])],
        lenient: Lenient,
    ) -> Result<ResponseFraming, Error> {
        response(b"GET", 200, Version::Http11, fields, lenient)
    }

    fn framed(framing: Framing, close_after: bool) -> Result<ResponseFraming, Error> {
        Ok(ResponseFraming {
            framing,
            close_after,
        })
    }

    const CL5: (&str, &[u8]) = ("Content-Length", b"5");
    const CHUNKED: (&str, &[u8]) = ("Transfer-Encoding", b"chunked");

    /// Field sets that would frame a body, or fail to, in a response that
    /// may have one: in the responses below they are never looked at.
    const ANY_FIELDS: [&[(&str, &[u8])]; 6] = [
        &[],
        &[CL5],
        &[CHUNKED],
        &[CL5, CHUNKED],
        &[("Content-Length", b"abc"), ("Content-Length", b"7")],
        &[("Transfer-Encoding", b"\"x\"")],
    ];

    #[test]
    fn responses_without_a_body_whatever_their_fields() {
        // RS-5: HEAD, 1xx, 204, 304, decided first (RS-8, RS-9, RS-13 do
        // not apply), whatever the leniency.
        for fields in ANY_FIELDS {
            for version in [Version::Http11, Version::Http10] {
                for lenient in [STRICT, TE_WINS, EQUAL_OK] {
                    for (method, status) in [
                        (&b"HEAD"[..], 200),
                        (b"HEAD", 404),
                        (b"GET", 100),
                        (b"POST", 103),
                        (b"GET", 199),
                        (b"GET", 204),
                        (b"GET", 304),
                        (b"CONNECT", 304),
                    ] {
                        assert_eq!(
                            response(method, status, version, fields, lenient),
                            framed(Framing::None, false),
                            "{method:?} {status} {fields:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn tunnels_whatever_their_fields() {
        // RS-6: 101 hands the connection over, even to HEAD; CN-2: so does
        // any 2xx to CONNECT (exactly that method).
        for fields in ANY_FIELDS {
            for lenient in [STRICT, TE_WINS, EQUAL_OK] {
                for (method, status) in [
                    (&b"GET"[..], 101),
                    (b"HEAD", 101),
                    (b"CONNECT", 200),
                    (b"CONNECT", 204),
                    (b"CONNECT", 299),
                ] {
                    assert_eq!(
                        response(method, status, Version::Http11, fields, lenient),
                        framed(Framing::Tunnel, false),
                        "{method:?} {status} {fields:?}"
                    );
                }
            }
        }
        // Any other answer to CONNECT is framed as usual.
        let connect =
            |status, fields| response(b"CONNECT", status, Version::Http11, fields, STRICT);
        assert_eq!(connect(407, &[CL5]), framed(Framing::Length(5), false));
        assert_eq!(connect(300, &[CHUNKED]), framed(Framing::Chunked, false));
        assert_eq!(connect(199, &[CL5]), framed(Framing::None, false));
        assert_eq!(
            response(b"connect", 200, Version::Http11, &[CL5], STRICT),
            framed(Framing::Length(5), false)
        );
    }

    #[test]
    fn transfer_encoding_frames_a_response() {
        // RS-7: chunked when final (other codings are the caller's), else
        // to the close.
        for lenient in [STRICT, TE_WINS, EQUAL_OK] {
            let te = |value: &'static [u8]| ok_200(&[("Transfer-Encoding", value)], lenient);
            assert_eq!(te(b"chunked"), framed(Framing::Chunked, false));
            assert_eq!(te(b"gzip, chunked"), framed(Framing::Chunked, false));
            assert_eq!(te(b"chunked, gzip"), framed(Framing::CloseDelimited, true));
            assert_eq!(te(b"gzip"), framed(Framing::CloseDelimited, true));
            assert_eq!(te(b""), framed(Framing::CloseDelimited, true));
            let err = |value, kind| assert_eq!(te(value), Err(Error::new(kind, 0)));
            err(b"\"chunked\"", ErrorKind::InvalidTransferEncoding);
            err(b"chunked, chunked", ErrorKind::ChunkedAppliedTwice);
            err(b"chunked;q=1", ErrorKind::ChunkedWithParameters);
            // Several fields are one list (RFC 9110 §5.3).
            assert_eq!(
                ok_200(&[("Transfer-Encoding", b"gzip"), CHUNKED], lenient),
                framed(Framing::Chunked, false)
            );
            assert_eq!(
                ok_200(&[CHUNKED, ("Transfer-Encoding", b"gzip")], lenient),
                framed(Framing::CloseDelimited, true)
            );
        }
    }

    #[test]
    fn transfer_encoding_with_content_length() {
        // RS-8: an error, at the Transfer-Encoding field...
        let both_error = Err(Error::new(ErrorKind::ContentLengthWithTransferEncoding, 1));
        assert_eq!(ok_200(&[CL5, CHUNKED], STRICT), both_error);
        assert_eq!(ok_200(&[CL5, CHUNKED], EQUAL_OK), both_error);
        assert_eq!(
            ok_200(&[CHUNKED, CL5], STRICT),
            Err(Error::new(ErrorKind::ContentLengthWithTransferEncoding, 0))
        );
        // ...or, leniently, Transfer-Encoding wins (whatever the
        // Content-Length says) and the connection closes after.
        assert_eq!(
            ok_200(&[CL5, CHUNKED], TE_WINS),
            framed(Framing::Chunked, true)
        );
        assert_eq!(
            ok_200(
                &[("Content-Length", b"x"), ("Content-Length", b"1"), CHUNKED],
                TE_WINS
            ),
            framed(Framing::Chunked, true)
        );
        assert_eq!(
            ok_200(&[CL5, ("Transfer-Encoding", b"gzip")], TE_WINS),
            framed(Framing::CloseDelimited, true)
        );
    }

    #[test]
    fn transfer_encoding_in_http10_response() {
        // RS-13: faulty framing, with or without Content-Length, whatever
        // the leniency.
        for fields in [
            &[CHUNKED][..],
            &[CL5, CHUNKED],
            &[("Transfer-Encoding", b"gzip")],
        ] {
            for lenient in [STRICT, TE_WINS, EQUAL_OK] {
                let at = fields.len() - 1;
                assert_eq!(
                    response(b"GET", 200, Version::Http10, fields, lenient),
                    Err(Error::new(ErrorKind::TransferEncodingInHttp10, at)),
                    "{fields:?}"
                );
            }
        }
        assert_eq!(
            response(b"GET", 200, Version::Http10, &[CL5], STRICT),
            framed(Framing::Length(5), false)
        );
    }

    #[test]
    fn content_length_frames_a_response() {
        for lenient in [STRICT, TE_WINS, EQUAL_OK] {
            assert_eq!(ok_200(&[CL5], lenient), framed(Framing::Length(5), false));
            assert_eq!(
                ok_200(&[("Content-Length", b"0")], lenient),
                framed(Framing::Length(0), false)
            );
            // Not bounded by the server's max_body.
            assert_eq!(
                ok_200(&[("Content-Length", b"18446744073709551615")], lenient),
                framed(Framing::Length(u64::MAX), false)
            );
            // RS-9: an invalid value is an error in every setting.
            let err = |fields: &[(&'static str, &'static [u8])], kind, at| {
                assert_eq!(
                    ok_200(fields, lenient),
                    Err(Error::new(kind, at)),
                    "{fields:?}"
                );
            };
            err(
                &[("Content-Length", b"+5")],
                ErrorKind::InvalidContentLength,
                0,
            );
            err(
                &[("Content-Length", b"")],
                ErrorKind::InvalidContentLength,
                0,
            );
            err(
                &[("Content-Length", b"5,")],
                ErrorKind::InvalidContentLength,
                0,
            );
            err(
                &[("Content-Length", b"18446744073709551616")],
                ErrorKind::ContentLengthOverflow,
                0,
            );
            // Different values never agree.
            err(
                &[("Content-Length", b"5, 6")],
                ErrorKind::DuplicateContentLength,
                0,
            );
            err(
                &[CL5, ("Content-Length", b"6")],
                ErrorKind::DuplicateContentLength,
                1,
            );
        }
        // RS-9: a repeated value, even equal, is an error...
        for fields in [
            &[CL5, CL5][..],
            &[("Content-Length", b"5, 5")],
            &[CL5, ("Content-Length", b"05")],
        ] {
            for lenient in [STRICT, TE_WINS] {
                let e = ok_200(fields, lenient).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::DuplicateContentLength, "{fields:?}");
            }
            // ...unless equal values are accepted.
            assert_eq!(ok_200(fields, EQUAL_OK), framed(Framing::Length(5), false));
        }
        // Strictly the second field is the error, whatever its value;
        // leniently, its value.
        let bad_second = [CL5, ("Content-Length", b"x")];
        assert_eq!(
            ok_200(&bad_second, STRICT),
            Err(Error::new(ErrorKind::DuplicateContentLength, 1))
        );
        assert_eq!(
            ok_200(&bad_second, EQUAL_OK),
            Err(Error::new(ErrorKind::InvalidContentLength, 1))
        );
    }

    #[test]
    fn neither_field_reads_to_the_close() {
        // RS-10, whatever the version and leniency.
        for version in [Version::Http11, Version::Http10] {
            for lenient in [STRICT, TE_WINS, EQUAL_OK] {
                assert_eq!(
                    response(b"GET", 200, version, &[("X", b"1")], lenient),
                    framed(Framing::CloseDelimited, true)
                );
                assert_eq!(
                    response(b"POST", 500, version, &[], lenient),
                    framed(Framing::CloseDelimited, true)
                );
            }
        }
    }

    #[test]
    fn has_body() {
        assert!(!Framing::None.has_body());
        assert!(!Framing::Length(0).has_body());
        assert!(Framing::Length(1).has_body());
        assert!(Framing::Chunked.has_body());
        assert!(Framing::CloseDelimited.has_body());
        assert!(!Framing::Tunnel.has_body());
    }

    #[test]
    fn content_lengths() {
        assert_eq!(parse_content_length(b"0005"), Ok(5));
        assert_eq!(parse_content_length(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_content_length(b"18446744073709551616"),
            Err(ErrorKind::ContentLengthOverflow)
        );
        assert_eq!(
            parse_content_length(b"5, 5"),
            Err(ErrorKind::DuplicateContentLength)
        );
        assert_eq!(
            parse_content_length(b"+5"),
            Err(ErrorKind::InvalidContentLength)
        );
        assert_eq!(
            parse_content_length(b"5 5"),
            Err(ErrorKind::InvalidContentLength)
        );
        assert_eq!(
            parse_content_length(b""),
            Err(ErrorKind::InvalidContentLength)
        );
        assert_eq!(
            parse_content_length(b"0x5"),
            Err(ErrorKind::InvalidContentLength)
        );
    }
}
