//! Byte classes of RFC 9110 and RFC 3986 as lookup tables.
//!
//! These tables and the small loops over them are the specification the
//! faster paths are tested against.

/// `tchar` (RFC 9110 §5.6.2): ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
pub(crate) static TOKEN: [bool; 256] = build_token();

/// Bytes allowed inside a field value (RFC 9110 §5.5): HTAB, SP, VCHAR and
/// obs-text. Every other CTL and DEL is rejected (strict profile rule 4).
pub(crate) static FIELD_VALUE: [bool; 256] = build_field_value();

/// Bytes allowed in a request-target (RFC 3986 §2): unreserved, reserved
/// (gen-delims except `#`, and sub-delims) and `%`. No CTL, SP, DEL, `\`,
/// `"`, `<`, `>`, `^`, `` ` ``, `{`, `|`, `}` or bytes ≥ 0x80.
pub(crate) static TARGET: [bool; 256] = build_target();

const fn build_token() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
}

const fn build_field_value() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c == b'\t' || (c >= 0x20 && c != 0x7f);
        b += 1;
    }
    t
}

const fn build_target() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                // unreserved
                b'-' | b'.' | b'_' | b'~'
                // gen-delims, without '#'
                | b':' | b'/' | b'?' | b'[' | b']' | b'@'
                // sub-delims
                | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
                // pct-encoded, checked separately
                | b'%'
            );
        b += 1;
    }
    t
}

/// Is `b` a token character?
#[inline(always)]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

/// Is every byte of `s` a token character, and `s` non-empty?
#[inline]
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token(b))
}

/// Index of the first byte of `s` that is not allowed in a field value.
#[inline]
pub(crate) fn first_invalid_value_byte(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| !FIELD_VALUE[b as usize])
}

/// Is `b` an ASCII hex digit?
#[inline(always)]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Trims SP and HTAB (OWS, RFC 9110 §5.6.3) from both ends.
#[inline]
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The bytes of a validated token or target as `&str`.
///
/// Callers pass only bytes that a table above accepted, all ASCII, so the
/// conversion cannot fail; the fallback keeps the function total anyway.
#[inline]
pub(crate) fn ascii_str(s: &[u8]) -> &str {
    core::str::from_utf8(s).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_table_matches_rfc() {
        for b in 0u8..=255 {
            let expected = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_token(b), expected, "byte {b:#x}");
        }
    }

    #[test]
    fn value_table_rejects_ctls_but_not_obs_text() {
        assert!(FIELD_VALUE[b'\t' as usize]);
        assert!(FIELD_VALUE[b' ' as usize]);
        assert!(FIELD_VALUE[0x80]);
        assert!(FIELD_VALUE[0xff]);
        for b in [0u8, 1, 0x0b, 0x0c, b'\r', b'\n', 0x1f, 0x7f] {
            assert!(!FIELD_VALUE[b as usize], "byte {b:#x}");
        }
    }

    #[test]
    fn target_table() {
        for b in b"/azAZ09-._~:?[]@!$&'()*+,;=%" {
            assert!(TARGET[*b as usize], "{}", *b as char);
        }
        for b in b" #\\\"<>^`{|}\x7f\x00\x80\xff" {
            assert!(!TARGET[*b as usize], "{:#x}", *b);
        }
    }

    #[test]
    fn trim() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
    }
}
