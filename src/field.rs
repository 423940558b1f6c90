//! Field lines (RFC 9112 §5, RFC 9110 §5): the [`Header`] type and the one
//! function that validates a field line, shared by the head parser and the
//! trailer section of the chunked decoder.

use crate::chars::{ascii_str, first_invalid_value_byte, is_token, trim_ows};
use crate::error::{Error, ErrorKind};

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
