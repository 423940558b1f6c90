//! AVX2 paths, 32 bytes per step. Callers must have checked that the CPU
//! supports AVX2 (see `has_avx2` in the parent module).
//!
//! The ASCII-only sets (`tchar`, target bytes) are classified with the
//! nibble method: for a byte `b = hi << 4 | lo`, `LO[lo]` has bit `hi` set
//! when `b` is in the set, and `HI[hi] = 1 << hi` (0 for `hi >= 8`, so no
//! byte ≥ 0x80 is ever in the set); `b` is in the set iff
//! `LO[lo] & HI[hi] != 0`. Two `vpshufb` lookups and an `and` classify 32
//! bytes. The tables are built at compile time from the scalar tables.
//!
//! The helpers the [`Avx2`] scanner calls are `#[inline(always)]` rather
//! than `#[target_feature(enable = "avx2")]` (Rust refuses the two
//! together): they are compiled inside `run_avx2`, the AVX2 kernel entry
//! point, which enables the feature, so their intrinsics inline there.
//! With the attribute instead, LLVM kept them out of line in kernels with
//! several call sites, a call (and `vzeroupper`) per field. Their safety
//! contract is unchanged: the CPU must support AVX2. Only [`scan`], the
//! rarely entered long-input loop, stays an out-of-line AVX2 function.

use core::arch::x86_64::{
    _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
    _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
};

use crate::chars::{build_target_plain, build_token};

/// A vector of 32 (or 16) copies of a byte. The intrinsic takes `i8`; the
/// cast is a bit-for-bit reinterpretation. Expands to an intrinsic call, so
/// it is used inside the `unsafe` blocks that load the input.
macro_rules! splat {
    ($b:expr) => {
        _mm256_set1_epi8($b as i8)
    };
}

/// The `LO` and `HI` tables of a set of ASCII bytes, each repeated in both
/// 128-bit lanes (`vpshufb` looks up within a lane).
/// Bytes of `$v` that are ASCII hex digits, as a vector mask. Intrinsic
/// calls: use inside an `unsafe` block of an AVX2 function.
macro_rules! hex_digits {
    ($v:expr) => {{
        let w = $v;
        let lower = _mm256_or_si256(w, splat!(0x20));
        _mm256_or_si256(
            _mm256_and_si256(
                _mm256_cmpgt_epi8(w, splat!(b'/')),
                _mm256_cmpgt_epi8(splat!(b':'), w),
            ),
            _mm256_and_si256(
                _mm256_cmpgt_epi8(lower, splat!(b'`')),
                _mm256_cmpgt_epi8(splat!(b'g'), lower),
            ),
        )
    }};
}

const fn nibble_tables(set: &[bool; 256]) -> ([u8; 32], [u8; 32]) {
    let mut lo = [0u8; 32];
    let mut hi = [0u8; 32];
    let mut b = 0;
    while b < 256 {
        if set[b] {
            assert!(b < 0x80, "nibble tables hold ASCII sets only");
            lo[b & 15] |= 1 << (b >> 4);
            lo[16 + (b & 15)] |= 1 << (b >> 4);
        }
        b += 1;
    }
    let mut h = 0;
    while h < 8 {
        hi[h] = 1 << h;
        hi[16 + h] = 1 << h;
        h += 1;
    }
    (lo, hi)
}

const TOKEN_NIBBLES: ([u8; 32], [u8; 32]) = nibble_tables(&build_token());
const TARGET_PLAIN_NIBBLES: ([u8; 32], [u8; 32]) = nibble_tables(&build_target_plain());

/// The AVX2 [`Scanner`](super::Scanner). A value exists only once AVX2 is
/// known to be present, which is what makes its methods safe.
#[derive(Clone, Copy)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// # Safety
    /// The CPU must support AVX2.
    #[inline(always)]
    pub(super) unsafe fn new_unchecked() -> Avx2 {
        Avx2(())
    }
}

impl super::Scanner for Avx2 {
    #[inline(always)]
    fn token_len(self, s: &[u8]) -> usize {
        // SAFETY: an `Avx2` value proves AVX2 support (see `new_unchecked`).
        unsafe { first_block_then_scan::<TOKEN>(s) }
    }
    #[inline(always)]
    fn value_len(self, s: &[u8]) -> usize {
        // SAFETY: an `Avx2` value proves AVX2 support (see `new_unchecked`).
        unsafe { blocks_then_scan::<VALUE>(s) }
    }
    #[inline(always)]
    fn target_len(self, s: &[u8]) -> usize {
        // SAFETY: an `Avx2` value proves AVX2 support (see `new_unchecked`).
        unsafe { target_len(s) }
    }
}

const TOKEN: u8 = 0;
const VALUE: u8 = 1;
const TARGET_PLAIN: u8 = 2;

/// Index of the first byte neither in `TARGET_PLAIN` nor the `%` of a valid
/// escape, or `s.len()`. Each step reads 34 bytes (32 plus the two after the
/// last `%` of the block); the rest goes to the SSE2 path.
///
/// # Safety
/// The CPU must support AVX2.
#[inline(always)]
pub(super) unsafe fn target_len(s: &[u8]) -> usize {
    let mut i = 0;
    while let Some(window) = s.get(i..i + 34) {
        // SAFETY: the caller guarantees AVX2; `window` is 34 bytes.
        let m = unsafe { non_target(window.try_into().unwrap_or(&[0; 34])) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 32;
    }
    i + super::sse2::target_len(&s[i..])
}

/// Bit i (i < 32) set if `window[i]` is neither in `TARGET_PLAIN` nor a `%`
/// followed by two hex digits.
///
/// # Safety
/// The CPU must support AVX2.
#[inline(always)]
unsafe fn non_target(window: &[u8; 34]) -> u32 {
    let head: &[u8; 32] = window[..32].try_into().unwrap_or(&[0; 32]);
    // SAFETY: the caller guarantees AVX2.
    let bad = unsafe { outside::<TARGET_PLAIN>(head) };
    if bad == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees AVX2; `window` is 34 readable bytes, so
    // the loads at offsets 0, 1 and 2 read 32 bytes each inside it, and
    // `_mm256_loadu_si256` needs no alignment.
    unsafe {
        let p = window.as_ptr();
        let v = _mm256_loadu_si256(p.cast());
        let pct = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, splat!(b'%'))) as u32;
        if pct == 0 {
            return bad;
        }
        let next = hex_digits!(_mm256_loadu_si256(p.add(1).cast()));
        let after = hex_digits!(_mm256_loadu_si256(p.add(2).cast()));
        let escaped = _mm256_movemask_epi8(_mm256_and_si256(next, after)) as u32;
        bad & !(pct & escaped)
    }
}

/// [`scan`], for names: the first block is classified inline (a field name
/// ends inside it) and the loop, rarely entered, stays out of line. Inputs
/// shorter than a block take the inlined SSE2 path.
///
/// # Safety
/// The CPU must support AVX2.
#[inline(always)]
unsafe fn first_block_then_scan<const C: u8>(s: &[u8]) -> usize {
    let Some(block) = s.get(..32).and_then(|b| <&[u8; 32]>::try_from(b).ok()) else {
        return short::<C>(s);
    };
    // SAFETY: the caller guarantees AVX2; `block` is 32 bytes.
    let m = unsafe { outside::<C>(block) };
    if m != 0 {
        return m.trailing_zeros() as usize;
    }
    // SAFETY: the caller guarantees AVX2.
    unsafe { scan::<C>(s) }
}

/// [`scan`], for field lines: every block is classified inline (a line is
/// a block or two), the last partial one by re-reading the final 32 bytes.
///
/// # Safety
/// The CPU must support AVX2.
#[inline(always)]
unsafe fn blocks_then_scan<const C: u8>(s: &[u8]) -> usize {
    if s.len() < 32 {
        return short::<C>(s);
    }
    let mut i = 0;
    if let Some(pair) = s.get(..64) {
        // Two blocks without a branch between them: most lines end in the
        // first 64 bytes, so the one branch on their combined mask is well
        // predicted whatever the line's length.
        let (lo, hi) = pair.split_at(32);
        let (lo, hi) = (
            lo.try_into().unwrap_or(&[0; 32]),
            hi.try_into().unwrap_or(&[0; 32]),
        );
        // SAFETY: the caller guarantees AVX2; both blocks are 32 bytes.
        let m = unsafe { u64::from(outside::<C>(lo)) | u64::from(outside::<C>(hi)) << 32 };
        if m != 0 {
            return m.trailing_zeros() as usize;
        }
        i = 64;
    }
    while let Some(block) = s.get(i..i + 32).and_then(|b| <&[u8; 32]>::try_from(b).ok()) {
        // SAFETY: the caller guarantees AVX2; `block` is 32 bytes.
        let m = unsafe { outside::<C>(block) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 32;
    }
    if i < s.len() {
        // The last 32 bytes of `s`, of which the first `i - start` were
        // already accepted.
        let start = s.len() - 32;
        let last = s[start..].try_into().unwrap_or(&[0; 32]);
        // SAFETY: the caller guarantees AVX2; `last` is 32 bytes.
        let m = unsafe { outside::<C>(last) } >> (i - start);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
    }
    s.len()
}

/// Class `C` for inputs shorter than one block: the (inlined) SSE2 path.
#[inline(always)]
fn short<const C: u8>(s: &[u8]) -> usize {
    match C {
        TOKEN => super::sse2::token_len(s),
        VALUE => super::sse2::value_len(s),
        // Not reached: `TARGET_PLAIN` is only classified in windows.
        _ => super::sse2::target_len(s),
    }
}

/// Index of the first byte of `s` outside class `C`, or `s.len()`.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline(never)]
unsafe fn scan<const C: u8>(s: &[u8]) -> usize {
    if s.len() < 32 {
        // Shorter than one block: SSE2 (and its byte loop) answers.
        return short::<C>(s);
    }
    let mut blocks = s.chunks_exact(32);
    let mut i = 0;
    for block in &mut blocks {
        // SAFETY: the caller guarantees AVX2; `block` is 32 bytes.
        let m = unsafe { outside::<C>(block.try_into().unwrap_or(&[0; 32])) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 32;
    }
    if i < s.len() {
        // The last 32 bytes of `s`, of which the first `i - start` were
        // already accepted.
        let start = s.len() - 32;
        // SAFETY: the caller guarantees AVX2; the block is 32 bytes.
        let m = unsafe { outside::<C>(s[start..].try_into().unwrap_or(&[0; 32])) } >> (i - start);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
    }
    s.len()
}

/// Bit i set if `block[i]` is outside class `C`.
///
/// # Safety
/// The CPU must support AVX2.
#[inline(always)]
unsafe fn outside<const C: u8>(block: &[u8; 32]) -> u32 {
    // SAFETY: the caller guarantees AVX2; `block` and the tables are 32
    // readable bytes each and `_mm256_loadu_si256` needs no alignment.
    unsafe {
        let v = _mm256_loadu_si256(block.as_ptr().cast());
        match C {
            VALUE => {
                // A CTL other than HTAB, or DEL (RFC 9110 §5.5).
                let ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, splat!(0x1f)), v);
                let tab = _mm256_cmpeq_epi8(v, splat!(b'\t'));
                let del = _mm256_cmpeq_epi8(v, splat!(0x7f));
                _mm256_movemask_epi8(_mm256_or_si256(_mm256_andnot_si256(tab, ctl), del)) as u32
            }
            _ => {
                let (lo, hi) = if C == TOKEN {
                    (&TOKEN_NIBBLES.0, &TOKEN_NIBBLES.1)
                } else {
                    (&TARGET_PLAIN_NIBBLES.0, &TARGET_PLAIN_NIBBLES.1)
                };
                let lo_table = _mm256_loadu_si256(lo.as_ptr().cast());
                let hi_table = _mm256_loadu_si256(hi.as_ptr().cast());
                let nibble = splat!(0x0f);
                let lo_bits = _mm256_shuffle_epi8(lo_table, _mm256_and_si256(v, nibble));
                let hi_bits = _mm256_shuffle_epi8(
                    hi_table,
                    _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble),
                );
                let outside =
                    _mm256_cmpeq_epi8(_mm256_and_si256(lo_bits, hi_bits), _mm256_setzero_si256());
                _mm256_movemask_epi8(outside) as u32
            }
        }
    }
}
