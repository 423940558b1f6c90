//! Field lines (RFC 9112 §5, RFC 9110 §5): the [`Header`] type and the one
//! function that validates a field line, shared by the head parser and the
//! trailer section of the chunked decoder.

use crate::chars::{ascii_str, first_invalid_value_byte, is_token, trim_ows};
use crate::error::{Error, ErrorKind};
use crate::version::Version;

/// One field line of a head or trailer section, borrowed from the input.
///
/// `name` is a validated token (so plain ASCII); `value` has leading and
/// trailing whitespace removed and may hold obs-text (bytes ≥ 0x80), which is
/// why it stays bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, as sent (compare it with [`Header::is`]).
    pub name: &'a str,
    /// The field value without surrounding whitespace.
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// An empty header, to initialise the slice passed to the parser.
    ///
    /// ```
    /// let mut headers = [httpwire::Header::EMPTY; 32];
    /// # let _ = &mut headers;
    /// ```
    pub const EMPTY: Header<'static> = Header {
        name: "",
        value: b"",
    };

    /// Does this field have `name`, compared case-insensitively?
    ///
    /// ```
    /// let h = httpwire::Header { name: "content-TYPE", value: b"text/plain" };
    /// assert!(h.is("Content-Type"));
    /// ```
    #[inline]
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value as `&str`, if it is valid UTF-8.
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }

    /// The value's pieces, without the line breaks of obs-fold and the
    /// whitespace around them: joined by one SP each, they are the value a
    /// user agent interprets (RFC 9112 §5.2). A value that was not folded
    /// is one piece (none if it is empty); empty pieces are left out. Only a response parser with
    /// [`allow_obs_fold`](crate::ResponseParser::allow_obs_fold) yields
    /// folded values; nothing is allocated.
    ///
    /// ```
    /// use httpwire::{Header, ResponseParser};
    /// let mut headers = [Header::EMPTY; 4];
    /// let buf = b"HTTP/1.1 200 OK\r\nX-Long: a,\r\n  b\r\nContent-Length: 0\r\n\r\n";
    /// let res = ResponseParser::new().allow_obs_fold(true)
    ///     .parse(buf, &mut headers).unwrap().complete().unwrap();
    /// let pieces: Vec<&[u8]> = res.headers[0].value_pieces().collect();
    /// assert_eq!(pieces, [&b"a,"[..], b"b"]);
    /// let buf = b"HTTP/1.1 200 OK\r\nX-Late:\r\n  b\r\n\r\n";
    /// let res = ResponseParser::new().allow_obs_fold(true)
    ///     .parse(buf, &mut headers).unwrap().complete().unwrap();
    /// assert_eq!(res.headers[0].value_pieces().collect::<Vec<_>>(), [&b"b"[..]]);
    /// ```
    pub fn value_pieces(&self) -> impl Iterator<Item = &'a [u8]> {
        self.value
            .split(|&b| b == b'\n')
            .map(|piece| trim_ows(piece.strip_suffix(b"\r").unwrap_or(piece)))
            // A fold of only whitespace, or an empty first line, adds nothing.
            .filter(|piece| !piece.is_empty())
    }
}

/// The value of the first field called `name` (case-insensitive).
pub(crate) fn find<'b>(headers: &[Header<'b>], name: &str) -> Option<&'b [u8]> {
    headers.iter().find(|h| h.is(name)).map(|h| h.value)
}

/// All values of the fields called `name` (case-insensitive), in order.
pub(crate) fn named<'s, 'b>(
    headers: &'s [Header<'b>],
    name: &'s str,
) -> impl Iterator<Item = &'b [u8]> + 's {
    headers.iter().filter(move |h| h.is(name)).map(|h| h.value)
}

/// Does any field called `name` list `token` (RFC 9110 §5.6.1)?
pub(crate) fn has_token(headers: &[Header<'_>], name: &str, token: &str) -> bool {
    named(headers, name).any(|v| list_contains(v, token))
}

/// Is `token` a member of the comma-separated list `value`
/// (case-insensitive, RFC 9110 §5.6.1)?
pub(crate) fn list_contains(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|m| trim_ows(m).eq_ignore_ascii_case(token.as_bytes()))
}

/// Does a message of `version` with these fields let the connection
/// persist, as far as it alone says (RFC 9112 §9.3, RULES PC-1)? HTTP/1.1
/// unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
pub(crate) fn persists(version: Version, headers: &[Header<'_>]) -> bool {
    if has_token(headers, "connection", "close") {
        return false;
    }
    match version {
        Version::Http11 => true,
        Version::Http10 => has_token(headers, "connection", "keep-alive"),
    }
}

impl Default for Header<'_> {
    fn default() -> Self {
        Header::EMPTY
    }
}

/// Validates one field line, given without its line ending, and splits it
/// into name and trimmed value. `base` is the line's offset in the input, for
/// error offsets.
///
/// `field-line = field-name ":" OWS field-value OWS` (RFC 9112 §5).
pub(crate) fn parse_field_line(line: &[u8], base: usize) -> Result<Header<'_>, Error> {
    let err = |kind, at: usize| Err(Error::new(kind, base + at));
    match line.first() {
        // RFC 9112 §5.2: obs-fold (or a whitespace-led line) is rejected.
        Some(b' ' | b'\t') => return err(ErrorKind::ObsFold, 0),
        Some(b':') => return err(ErrorKind::EmptyHeaderName, 0),
        _ => {}
    }
    let name_len = line
        .iter()
        .position(|&b| !is_token(b))
        .unwrap_or(line.len());
    match line.get(name_len) {
        Some(b':') => {}
        None => return err(ErrorKind::MissingColon, name_len),
        // RFC 9112 §5.1: no whitespace between field name and colon.
        Some(b' ' | b'\t') => {
            let kind = match line[name_len..].iter().position(|&b| b == b':') {
                None => ErrorKind::MissingColon,
                Some(colon) if trim_ows(&line[name_len..name_len + colon]).is_empty() => {
                    ErrorKind::WhitespaceBeforeColon
                }
                // "Bad Name: x": the space is inside the name.
                Some(_) => ErrorKind::InvalidHeaderName,
            };
            return err(kind, name_len);
        }
        Some(b'\r') => return err(ErrorKind::BareCr, name_len),
        Some(_) => return err(ErrorKind::InvalidHeaderName, name_len),
    }
    let raw_value = &line[name_len + 1..];
    if let Some(bad) = first_invalid_value_byte(raw_value) {
        let kind = if raw_value[bad] == b'\r' {
            ErrorKind::BareCr
        } else {
            ErrorKind::InvalidHeaderValue
        };
        return err(kind, name_len + 1 + bad);
    }
    Ok(Header {
        name: ascii_str(&line[..name_len]),
        value: trim_ows(raw_value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &[u8]) -> ErrorKind {
        parse_field_line(line, 0).unwrap_err().kind()
    }

    #[test]
    fn splits_and_trims() {
        let h = parse_field_line(b"Host: \t example.com \t", 0).unwrap();
        assert_eq!(h.name, "Host");
        assert_eq!(h.value, b"example.com");
        let h = parse_field_line(b"X-Empty:", 0).unwrap();
        assert_eq!(h.value, b"");
        let h = parse_field_line(b"X-Utf8: caf\xc3\xa9, \"a:b\"", 0).unwrap();
        assert_eq!(h.value, b"caf\xc3\xa9, \"a:b\"");
    }

    #[test]
    fn rejections() {
        assert_eq!(kind(b" folded"), ErrorKind::ObsFold);
        assert_eq!(kind(b"\tfolded"), ErrorKind::ObsFold);
        assert_eq!(kind(b": x"), ErrorKind::EmptyHeaderName);
        assert_eq!(kind(b"Host : x"), ErrorKind::WhitespaceBeforeColon);
        assert_eq!(kind(b"Host\t: x"), ErrorKind::WhitespaceBeforeColon);
        assert_eq!(kind(b"Content-Length 10"), ErrorKind::MissingColon);
        assert_eq!(kind(b"NoColon"), ErrorKind::MissingColon);
        assert_eq!(kind(b"Bad Name: x"), ErrorKind::InvalidHeaderName);
        assert_eq!(kind(b"Bad@Name: x"), ErrorKind::InvalidHeaderName);
        assert_eq!(kind(b"Content-Length\xa0: 1"), ErrorKind::InvalidHeaderName);
        assert_eq!(kind(b"X: a\x00b"), ErrorKind::InvalidHeaderValue);
        assert_eq!(kind(b"X: a\x7fb"), ErrorKind::InvalidHeaderValue);
        assert_eq!(kind(b"X: a\x0bb"), ErrorKind::InvalidHeaderValue);
        assert_eq!(kind(b"X: a\rb"), ErrorKind::BareCr);
        assert_eq!(kind(b"X\r: a"), ErrorKind::BareCr);
    }

    #[test]
    fn offsets_point_at_the_bad_byte() {
        let e = parse_field_line(b"X-A: ok\x01", 10).unwrap_err();
        assert_eq!(e.offset(), 10 + 7);
    }
}
