//! Block-at-a-time byte classification, proven equal to the scalar
//! specifications in [`crate::chars`].
//!
//! Each function answers "how long is the prefix of `s` whose bytes are all
//! in class X", i.e. the index of the first byte outside the class, or
//! `s.len()`:
//!
//! | function | class | scalar specification |
//! |---|---|---|
//! | [`token_len`] | `tchar` | [`chars::token_len_scalar`] |
//! | [`value_len`] | field-value bytes | [`chars::value_len_scalar`] |
//! | [`target_len`] | request-target bytes and valid `%XX` escapes | [`chars::target_len_scalar`] |
//!
//! # Paths and their costs
//!
//! * x86_64, SSE2 (always present): 16 bytes per step with a handful of
//!   compares; inlined into the parser. The last partial block is handled
//!   by re-reading the final 16 bytes of `s` (overlapping), so only inputs
//!   shorter than 16 bytes take the byte loop.
//! * x86_64, AVX2: 32 bytes per step; the irregular sets (`tchar`, target
//!   bytes) are classified with two `vpshufb` nibble lookups. Chosen at run
//!   time with `std` (the detection runs once and is cached), at compile
//!   time (`-C target-feature=+avx2`) without it. Used for inputs of at
//!   least [`AVX2_MIN`] bytes, where it repays the call it cannot inline.
//! * Everywhere else: the table loops of [`crate::chars`] (the field-value
//!   scan there is word-at-a-time).
//!
//! `unsafe` is confined to the intrinsics (unaligned loads of bytes that are
//! in bounds) and to calling the AVX2 functions once AVX2 is known present.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod sse2;

#[cfg(not(target_arch = "x86_64"))]
use crate::chars;

/// Shortest input for which the AVX2 path is tried.
#[cfg(target_arch = "x86_64")]
const AVX2_MIN: usize = 64;

/// Length of the `tchar` prefix of `s` (RFC 9110 §5.6.2).
#[inline]
pub(crate) fn token_len(s: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if s.len() >= AVX2_MIN && has_avx2() {
            // SAFETY: `has_avx2` reported AVX2 support on this CPU.
            return unsafe { avx2::token_len(s) };
        }
        sse2::token_len(s)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chars::token_len_scalar(s)
    }
}

/// Index of the first byte of `s` not allowed in a field value (RFC 9110
/// §5.5: anything but HTAB, SP, VCHAR, obs-text), or `s.len()`.
#[inline]
pub(crate) fn value_len(s: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if s.len() >= AVX2_MIN && has_avx2() {
            // SAFETY: `has_avx2` reported AVX2 support on this CPU.
            return unsafe { avx2::value_len(s) };
        }
        sse2::value_len(s)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chars::first_invalid_value_byte(s).unwrap_or(s.len())
    }
}

/// Index of the first byte of `s` that is neither in
/// [`TARGET_PLAIN`](crate::chars::TARGET_PLAIN) nor the `%` of a valid
/// percent-escape, or `s.len()`. Escapes are checked inside the block loop
/// (the two bytes after each `%` are read as shifted blocks), so a target
/// full of escapes costs no more branches than one without.
#[inline]
pub(crate) fn target_len(s: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if s.len() >= AVX2_MIN && has_avx2() {
            // SAFETY: `has_avx2` reported AVX2 support on this CPU.
            return unsafe { avx2::target_len(s) };
        }
        sse2::target_len(s)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chars::target_len_scalar(s)
    }
}

/// Does this CPU have AVX2? Detected once, then read from a cache.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
#[inline]
fn has_avx2() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering};
    // 0: not yet detected, 1: absent, 2: present.
    static AVX2: AtomicU8 = AtomicU8::new(0);
    match AVX2.load(Ordering::Relaxed) {
        0 => {
            let present = std::is_x86_feature_detected!("avx2");
            AVX2.store(if present { 2 } else { 1 }, Ordering::Relaxed);
            present
        }
        state => state == 2,
    }
}

/// Without `std` there is no run-time detection: AVX2 is used only when the
/// build enables it for every CPU it targets.
#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
#[inline(always)]
fn has_avx2() -> bool {
    cfg!(target_feature = "avx2")
}

#[cfg(test)]
mod tests {
    use crate::chars::{target_len_scalar, token_len_scalar, value_len_scalar};
    use proptest::prelude::*;

    /// One classification, every path this machine can run.
    type Path = (&'static str, fn(&[u8]) -> usize);

    fn paths(class: usize) -> std::vec::Vec<Path> {
        let mut v: std::vec::Vec<Path> = std::vec::Vec::new();
        v.push((
            "dispatch",
            [super::token_len, super::value_len, super::target_len][class],
        ));
        #[cfg(target_arch = "x86_64")]
        {
            v.push((
                "sse2",
                [
                    super::sse2::token_len,
                    super::sse2::value_len,
                    super::sse2::target_len,
                ][class],
            ));
            if std::is_x86_feature_detected!("avx2") {
                fn tok(s: &[u8]) -> usize {
                    // SAFETY: only pushed when AVX2 was detected.
                    unsafe { super::avx2::token_len(s) }
                }
                fn val(s: &[u8]) -> usize {
                    // SAFETY: only pushed when AVX2 was detected.
                    unsafe { super::avx2::value_len(s) }
                }
                fn esc(s: &[u8]) -> usize {
                    // SAFETY: only pushed when AVX2 was detected.
                    unsafe { super::avx2::target_len(s) }
                }
                v.push(("avx2", [tok, val, esc][class]));
            }
        }
        v
    }

    const CLASSES: usize = 3;
    const SPECS: [fn(&[u8]) -> usize; CLASSES] =
        [token_len_scalar, value_len_scalar, target_len_scalar];
    /// A byte inside each class, to build mostly-valid input.
    const FILLER: [u8; CLASSES] = [b'a', b'a', b'a'];

    #[test]
    fn avx2_is_tested_where_present() {
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            paths(0).len(),
            if std::is_x86_feature_detected!("avx2") {
                3
            } else {
                2
            }
        );
    }

    #[test]
    fn every_byte_at_every_position() {
        for class in 0..CLASSES {
            for (name, path) in paths(class) {
                for len in [1usize, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 130] {
                    for at in 0..len {
                        for bad in 0u8..=255 {
                            let mut v = std::vec![FILLER[class]; len];
                            v[at] = bad;
                            assert_eq!(
                                path(&v),
                                SPECS[class](&v),
                                "class {class} path {name} len {len} byte {bad:#x} at {at}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn escapes_at_every_position() {
        let class = 2;
        let pieces: [&[u8]; 8] = [b"%20", b"%2", b"%", b"%g0", b"%0g", b"%%41", b"%a%", b" "];
        for (name, path) in paths(class) {
            for len in [
                1usize, 15, 16, 17, 18, 19, 31, 32, 33, 34, 35, 63, 64, 65, 66, 100,
            ] {
                for at in 0..len {
                    for piece in pieces {
                        let mut v = std::vec![b'1'; len];
                        for (k, &b) in piece.iter().enumerate() {
                            if let Some(slot) = v.get_mut(at + k) {
                                *slot = b;
                            }
                        }
                        assert_eq!(
                            path(&v),
                            SPECS[class](&v),
                            "path {name} len {len} piece {piece:?} at {at}"
                        );
                        // Escapes every few bytes, as in a long query.
                        let dense: std::vec::Vec<u8> = v
                            .iter()
                            .enumerate()
                            .map(|(i, &b)| if i % 5 == 0 { b'%' } else { b })
                            .collect();
                        assert_eq!(
                            path(&dense),
                            SPECS[class](&dense),
                            "path {name} dense {dense:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn empty_and_all_valid() {
        for (class, &filler) in FILLER.iter().enumerate() {
            for (name, path) in paths(class) {
                for len in 0..200 {
                    let v = std::vec![filler; len];
                    assert_eq!(path(&v), len, "class {class} path {name} len {len}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn paths_equal_scalar_on_random_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            class in 0usize..CLASSES,
        ) {
            for (name, path) in paths(class) {
                prop_assert_eq!(path(&bytes), SPECS[class](&bytes), "path {}", name);
            }
        }

        #[test]
        fn paths_equal_scalar_on_mostly_valid_input(
            len in 0usize..200,
            offset in 0usize..8,
            bad in proptest::collection::vec((0usize..200, any::<u8>()), 0..3),
            class in 0usize..CLASSES,
        ) {
            // An offset start exercises unaligned loads.
            let mut v = std::vec![FILLER[class]; len + offset];
            for (at, b) in bad {
                if !v.is_empty() {
                    let i = at % v.len();
                    v[i] = b;
                }
            }
            let s = &v[offset.min(v.len())..];
            for (name, path) in paths(class) {
                prop_assert_eq!(path(s), SPECS[class](s), "path {}", name);
            }
        }

        #[test]
        fn paths_equal_scalar_on_realistic_text(
            text in "([ -~\t\r\n\u{80}-\u{ff}]|%[0-9a-fA-F]{2}|%){0,200}",
            class in 0usize..CLASSES,
        ) {
            let bytes = text.as_bytes();
            for (name, path) in paths(class) {
                prop_assert_eq!(path(bytes), SPECS[class](bytes), "path {}", name);
            }
        }
    }
}
