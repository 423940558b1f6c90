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
#[cfg(test)]
pub(crate) static TARGET: [bool; 256] = build_target();

/// `TARGET` without `%`: the bytes that need no further look.
pub(crate) static TARGET_PLAIN: [bool; 256] = build_target_plain();

/// reg-name bytes (RFC 3986 §3.2.2: unreserved and sub-delims) without `,`
/// (a Host list is two hosts) and without `%`, which is checked separately.
pub(crate) static REG_NAME_PLAIN: [bool; 256] = build_reg_name_plain();

/// [`REG_NAME_PLAIN`] plus `,`: the reg-name of a URI that is not a Host.
pub(crate) static REG_NAME_PLAIN_WITH_COMMA: [bool; 256] = build_reg_name_plain_with_comma();

/// [`TARGET_PLAIN`] plus `[` and `]`, for targets that carry an authority
/// (absolute- and authority-form), where an IP-literal may use them.
pub(crate) static TARGET_PLAIN_WITH_BRACKETS: [bool; 256] = build_target_plain_with_brackets();

/// Without `%` (checked separately) and without `[` `]`, which RFC 3986
/// allows only in an IP-literal host, never in a path or query.
pub(crate) const fn build_target_plain() -> [bool; 256] {
    let mut t = build_target_plain_with_brackets();
    t[b'[' as usize] = false;
    t[b']' as usize] = false;
    t
}

pub(crate) const fn build_target_plain_with_brackets() -> [bool; 256] {
    let mut t = build_target();
    t[b'%' as usize] = false;
    t
}

const fn build_reg_name_plain() -> [bool; 256] {
    let mut t = build_reg_name_plain_with_comma();
    t[b',' as usize] = false;
    t
}

const fn build_reg_name_plain_with_comma() -> [bool; 256] {
    let mut t = build_target_plain();
    let excluded = b":/?[]@";
    let mut i = 0;
    while i < excluded.len() {
        t[excluded[i] as usize] = false;
        i += 1;
    }
    t
}

pub(crate) const fn build_token() -> [bool; 256] {
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

/// Length of the token prefix of `s`: the specification of
/// [`Scanner::token_len`](crate::simd::Scanner::token_len).
#[inline]
pub(crate) fn token_len_scalar(s: &[u8]) -> usize {
    s.iter().position(|&b| !is_token(b)).unwrap_or(s.len())
}

/// Index of the first byte of `s` not allowed in a field value, or
/// `s.len()`: the specification of [`Scanner::value_len`](crate::simd::Scanner::value_len).
#[inline]
pub(crate) fn value_len_scalar(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| !FIELD_VALUE[b as usize])
        .unwrap_or(s.len())
}

/// Index of the first byte of `s` that is neither in [`TARGET_PLAIN`] nor
/// the `%` of a valid escape (`"%" HEXDIG HEXDIG`, RFC 3986 §2.1), or
/// `s.len()`: what `check_chars` in `target.rs` reports for a `/`-led
/// target, and the specification of
/// [`Scanner::target_len`](crate::simd::Scanner::target_len). (Hex digits are plain
/// bytes, so judging each `%` by the two bytes after it is the same as
/// skipping over each valid escape.)
#[inline]
pub(crate) fn target_len_scalar(s: &[u8]) -> usize {
    let escape_at = |i: usize| {
        s[i] == b'%'
            && matches!(
                (s.get(i + 1), s.get(i + 2)),
                (Some(&h), Some(&l)) if hex_value(h).is_some() && hex_value(l).is_some()
            )
    };
    (0..s.len())
        .find(|&i| !TARGET_PLAIN[s[i] as usize] && !escape_at(i))
        .unwrap_or(s.len())
}

/// Is every byte of `s` a token character, and `s` non-empty?
#[inline]
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token(b))
}

/// Index of the first byte of `s` that is not allowed in a field value.
///
/// Eight bytes at a time: a word with no byte below 0x20 and no DEL is all
/// valid, which is the common case; a word that might hold a bad byte (or a
/// tab) is checked byte by byte against the table. Proven equal to
/// [`value_len_scalar`] by a property test. The value scan of targets
/// without a SIMD path (`simd::Scalar`).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
pub(crate) fn first_invalid_value_byte(s: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = s.chunks_exact(8);
    let mut start = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        // Some byte < 0x20 (the classic "has less than" test; exact as a
        // yes/no answer for n <= 0x80).
        let below_space = x.wrapping_sub(LOW * 0x20) & !x & HIGH;
        // Some byte == 0x7f: a zero byte in x ^ 0x7f7f...
        let del = x ^ (LOW * 0x7f);
        let has_del = del.wrapping_sub(LOW) & !del & HIGH;
        if below_space | has_del != 0 {
            let i = value_len_scalar(word);
            if i < word.len() {
                return Some(start + i);
            }
        }
        start += 8;
    }
    let rest = words.remainder();
    let i = value_len_scalar(rest);
    (i < rest.len()).then_some(start + i)
}

/// Is `b` an ASCII hex digit?
#[inline(always)]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    let v = HEX_VALUE[b as usize];
    (v < 16).then_some(v)
}

/// Each byte's [`hex_value`], 0xff for a byte that is not a hex digit: one
/// look-up instead of three range checks.
static HEX_VALUE: [u8; 256] = {
    let mut t = [0xff; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            d @ b'0'..=b'9' => d - b'0',
            d @ b'a'..=b'f' => d - b'a' + 10,
            d @ b'A'..=b'F' => d - b'A' + 10,
            _ => 0xff,
        };
        b += 1;
    }
    t
};

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

    proptest::proptest! {
        #[test]
        fn value_scan_fast_path_equals_scalar(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
            valid in proptest::collection::vec(0x20u8..0x7f, 0..80),
            bad_at in 0usize..80,
            bad in proptest::prelude::any::<u8>(),
        ) {
            proptest::prop_assert_eq!(
                first_invalid_value_byte(&bytes).unwrap_or(bytes.len()),
                value_len_scalar(&bytes)
            );
            // Mostly-valid input with one arbitrary byte: exercises the words
            // the fast path accepts and the one it must hand to the scalar path.
            let mut mostly = valid.clone();
            if !mostly.is_empty() {
                let i = bad_at % mostly.len();
                mostly[i] = bad;
            }
            proptest::prop_assert_eq!(
                first_invalid_value_byte(&mostly).unwrap_or(mostly.len()),
                value_len_scalar(&mostly)
            );
        }
    }

    #[test]
    fn value_scan_every_byte_at_every_lane() {
        for bad in 0u8..=255 {
            for at in 0..24 {
                let mut v = [b'a'; 24];
                v[at] = bad;
                assert_eq!(
                    first_invalid_value_byte(&v).unwrap_or(v.len()),
                    value_len_scalar(&v)
                );
            }
        }
    }

    #[test]
    fn trim() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
    }
}
