//! SSE2 paths, 16 bytes per step. SSE2 is part of x86_64, so these are
//! ordinary inlinable functions.
//!
//! SSE2 has no byte shuffle, so the irregular sets are built from compares:
//! a range test for VCHAR and a few compares for the excluded delimiters.
//! `_mm_cmpgt_epi8`/`_mm_cmplt_epi8` are signed, which makes every byte
//! ≥ 0x80 fail `> 0x20`: exactly what the ASCII-only sets need.

use core::arch::x86_64::{
    _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
    _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
};

use crate::chars::{target_len_scalar, token_len_scalar, value_len_scalar};

/// A vector of 32 (or 16) copies of a byte. The intrinsic takes `i8`; the
/// cast is a bit-for-bit reinterpretation. Expands to an intrinsic call, so
/// it is used inside the `unsafe` blocks that load the input.
macro_rules! splat {
    ($b:expr) => {
        _mm_set1_epi8($b as i8)
    };
}

/// The SSE2 [`Scanner`](super::Scanner): SSE2 is part of x86_64.
#[derive(Clone, Copy)]
pub(crate) struct Sse2;

impl super::Scanner for Sse2 {
    #[inline(always)]
    fn token_len(self, s: &[u8]) -> usize {
        token_len(s)
    }
    #[inline(always)]
    fn value_len(self, s: &[u8]) -> usize {
        value_len(s)
    }
    #[inline(always)]
    fn target_len(self, s: &[u8]) -> usize {
        target_len(s)
    }
}

/// Index of the first byte of `s` for which `bad` sets a bit, or `s.len()`.
/// `scalar` answers for inputs shorter than one block.
#[inline(always)]
fn scan(s: &[u8], bad: impl Fn(&[u8; 16]) -> u32, scalar: fn(&[u8]) -> usize) -> usize {
    if s.len() < 16 {
        return scalar(s);
    }
    let mut blocks = s.chunks_exact(16);
    let mut i = 0;
    for block in &mut blocks {
        let m = bad(block.try_into().unwrap_or(&[0; 16]));
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    if i < s.len() {
        // The last 16 bytes of `s`, of which the first `i - start` were
        // already accepted.
        let start = s.len() - 16;
        let last = s[start..].try_into().unwrap_or(&[0; 16]);
        let m = bad(last) >> (i - start);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
    }
    s.len()
}

/// Length of the `tchar` prefix of `s`.
#[inline]
pub(super) fn token_len(s: &[u8]) -> usize {
    scan(s, non_token, token_len_scalar)
}

/// Index of the first byte not allowed in a field value, or `s.len()`.
#[inline]
pub(super) fn value_len(s: &[u8]) -> usize {
    scan(s, non_value, value_len_scalar)
}

/// Index of the first byte neither in `TARGET_PLAIN` nor the `%` of a valid
/// escape, or `s.len()`. Each step reads 18 bytes (16 plus the two after
/// the last `%` of the block); the last 17 or fewer bytes take the byte loop.
#[inline]
pub(super) fn target_len(s: &[u8]) -> usize {
    let mut i = 0;
    while let Some(window) = s.get(i..i + 18) {
        let m = non_target(window.try_into().unwrap_or(&[0; 18]));
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    i + target_len_scalar(&s[i..])
}

/// Bit i set if `block[i]` is not a `tchar`: outside 0x21..=0x7e, or one of
/// the delimiters `"(),/:;<=>?@[\]{}` (RFC 9110 §5.6.2).
#[inline(always)]
fn non_token(block: &[u8; 16]) -> u32 {
    // SAFETY: `block` is 16 readable bytes and `_mm_loadu_si128` has no
    // alignment requirement; the other intrinsics are SSE2, present on every
    // x86_64 CPU.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let vchar = _mm_and_si128(
            _mm_cmpgt_epi8(v, splat!(0x20)),
            _mm_cmplt_epi8(v, splat!(0x7f)),
        );
        let or1 = _mm_or_si128(v, splat!(1));
        let delim = _mm_or_si128(
            _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, splat!(b'"')),
                    // '(' and ')'
                    _mm_cmpeq_epi8(or1, splat!(b')')),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, splat!(b',')),
                    _mm_cmpeq_epi8(v, splat!(b'/')),
                ),
            ),
            _mm_or_si128(
                _mm_or_si128(
                    // ':' ..= '@'
                    _mm_and_si128(
                        _mm_cmpgt_epi8(v, splat!(b'9')),
                        _mm_cmplt_epi8(v, splat!(b'A')),
                    ),
                    // '[' ..= ']'
                    _mm_and_si128(
                        _mm_cmpgt_epi8(v, splat!(b'Z')),
                        _mm_cmplt_epi8(v, splat!(b'^')),
                    ),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, splat!(b'{')),
                    _mm_cmpeq_epi8(v, splat!(b'}')),
                ),
            ),
        );
        let token = _mm_andnot_si128(delim, vchar);
        !(_mm_movemask_epi8(token) as u32) & 0xffff
    }
}

/// Bit i set if `block[i]` is not allowed in a field value: a CTL other than
/// HTAB, or DEL (RFC 9110 §5.5).
#[inline(always)]
fn non_value(block: &[u8; 16]) -> u32 {
    // SAFETY: `block` is 16 readable bytes and `_mm_loadu_si128` has no
    // alignment requirement; the other intrinsics are SSE2.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        // v <= 0x1f, unsigned.
        let ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, splat!(0x1f)), v);
        let tab = _mm_cmpeq_epi8(v, splat!(b'\t'));
        let del = _mm_cmpeq_epi8(v, splat!(0x7f));
        _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab, ctl), del)) as u32
    }
}

/// Bits set for the bytes of `$v` not in `TARGET_PLAIN`: outside
/// 0x21..=0x7e, or one of ``"#%<>[\]^`{|}`` (RFC 3986 §2; `%` is handled by
/// the caller, `[` `]` belong only in an authority). Intrinsic calls: use
/// inside an `unsafe` block that loads `$v`.
macro_rules! non_target_plain_bits {
    ($v:expr) => {{
        let v = $v;
        let vchar = _mm_and_si128(
            _mm_cmpgt_epi8(v, splat!(0x20)),
            _mm_cmplt_epi8(v, splat!(0x7f)),
        );
        let or1 = _mm_or_si128(v, splat!(1));
        let or2 = _mm_or_si128(v, splat!(2));
        let excluded = _mm_or_si128(
            _mm_or_si128(
                // '"' and '#'
                _mm_or_si128(
                    _mm_cmpeq_epi8(or1, splat!(b'#')),
                    _mm_cmpeq_epi8(v, splat!(b'%')),
                ),
                _mm_or_si128(
                    // '<' and '>'
                    _mm_cmpeq_epi8(or2, splat!(b'>')),
                    // '[' ..= '^'
                    _mm_and_si128(
                        _mm_cmpgt_epi8(v, splat!(b'Z')),
                        _mm_cmplt_epi8(v, splat!(b'_')),
                    ),
                ),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, splat!(b'`')),
                // '{' ..= '}'
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, splat!(b'z')),
                    _mm_cmplt_epi8(v, splat!(b'~')),
                ),
            ),
        );
        let plain = _mm_andnot_si128(excluded, vchar);
        !(_mm_movemask_epi8(plain) as u32) & 0xffff
    }};
}

/// Bytes of `$v` that are ASCII hex digits, as a vector mask. Intrinsic
/// calls: use inside an `unsafe` block.
macro_rules! hex_digits {
    ($v:expr) => {{
        let v = $v;
        let lower = _mm_or_si128(v, splat!(0x20));
        _mm_or_si128(
            _mm_and_si128(
                _mm_cmpgt_epi8(v, splat!(b'/')),
                _mm_cmplt_epi8(v, splat!(b':')),
            ),
            _mm_and_si128(
                _mm_cmpgt_epi8(lower, splat!(b'`')),
                _mm_cmplt_epi8(lower, splat!(b'g')),
            ),
        )
    }};
}

/// Bit i (i < 16) set if `window[i]` is neither in `TARGET_PLAIN` nor a `%`
/// followed by two hex digits (`window[i + 1]`, `window[i + 2]`).
#[inline(always)]
fn non_target(window: &[u8; 18]) -> u32 {
    // SAFETY: `window` is 18 readable bytes, so the loads at offsets 0, 1
    // and 2 read 16 bytes each inside it; `_mm_loadu_si128` has no alignment
    // requirement and the other intrinsics are SSE2.
    unsafe {
        let p = window.as_ptr();
        let v = _mm_loadu_si128(p.cast());
        let bad = non_target_plain_bits!(v);
        if bad == 0 {
            return 0;
        }
        let pct = _mm_movemask_epi8(_mm_cmpeq_epi8(v, splat!(b'%'))) as u32;
        if pct == 0 {
            return bad;
        }
        let next = hex_digits!(_mm_loadu_si128(p.add(1).cast()));
        let after = hex_digits!(_mm_loadu_si128(p.add(2).cast()));
        let escaped = _mm_movemask_epi8(_mm_and_si128(next, after)) as u32;
        bad & !(pct & escaped)
    }
}
