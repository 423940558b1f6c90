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
        return transfer_codings(tes.map(|h| h.value)).map_err(|kind| Error::new(kind, at));
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

/// The Transfer-Encoding fields, joined in order into one list (RFC 9110
/// §5.3), must end in exactly `chunked` (RFC 9112 §6.3 rule 4), applied once
/// (§6.1), without parameters (§7.1), after no coding we do not implement.
fn transfer_codings<'a>(values: impl Iterator<Item = &'a [u8]>) -> Result<Framing, ErrorKind> {
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
    let last = last.ok_or(ErrorKind::TransferEncodingNotChunked)?;
    if !last.eq_ignore_ascii_case(b"chunked") {
        return Err(ErrorKind::TransferEncodingNotChunked);
    }
    if last_has_parameters {
        return Err(ErrorKind::ChunkedWithParameters);
    }
    if chunked_before {
        return Err(ErrorKind::ChunkedAppliedTwice);
    }
    if other_before {
        // RFC 9112 §6.1: a coding we do not understand gets 501.
        return Err(ErrorKind::UnsupportedTransferCoding);
    }
    Ok(Framing::Chunked)
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

    fn te(values: &[&[u8]]) -> Result<Framing, ErrorKind> {
        transfer_codings(values.iter().copied())
    }

    #[test]
    fn transfer_encoding_lists() {
        assert_eq!(te(&[b"chunked"]), Ok(Framing::Chunked));
        assert_eq!(te(&[b"CHUNKED"]), Ok(Framing::Chunked));
        assert_eq!(te(&[b", chunked"]), Ok(Framing::Chunked));
        assert_eq!(te(&[b"", b"chunked"]), Ok(Framing::Chunked));
        assert_eq!(
            te(&[b"gzip, chunked"]),
            Err(ErrorKind::UnsupportedTransferCoding)
        );
        assert_eq!(
            te(&[b"gzip", b"chunked"]),
            Err(ErrorKind::UnsupportedTransferCoding)
        );
        assert_eq!(
            te(&[b"chunked, gzip"]),
            Err(ErrorKind::TransferEncodingNotChunked)
        );
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
        assert_eq!(te(&[b""]), Err(ErrorKind::TransferEncodingNotChunked));
        assert_eq!(
            te(&[b"xchunked"]),
            Err(ErrorKind::TransferEncodingNotChunked)
        );
        assert_eq!(
            te(&[b"identity"]),
            Err(ErrorKind::TransferEncodingNotChunked)
        );
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
