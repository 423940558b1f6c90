//! Block-at-a-time byte classification, proven equal to the scalar
//! specifications in [`crate::chars`].
//!
//! Each [`Scanner`] method answers "how long is the prefix of `s` whose
//! bytes are all in class X", i.e. the index of the first byte outside the
//! class, or `s.len()`:
//!
//! | method | class | scalar specification |
//! |---|---|---|
//! | [`Scanner::token_len`] | `tchar` | [`chars::token_len_scalar`](crate::chars::token_len_scalar) |
//! | [`Scanner::value_len`] | field-value bytes | [`chars::value_len_scalar`](crate::chars::value_len_scalar) |
//! | [`Scanner::target_len`] | request-target bytes and valid `%XX` escapes | [`chars::target_len_scalar`](crate::chars::target_len_scalar) |
//!
//! A caller writes its loop once, generic over the [`Scanner`], as a
//! [`Kernel`]; [`dispatch`] runs the version compiled for the best
//! instruction set of the CPU, so that the classifications inline into the
//! loop (a `#[target_feature]` function cannot inline into one compiled
//! without the feature: dispatching per scan costs a call per field).
//!
//! # Paths and their costs
//!
//! * x86_64, SSE2 (always present): 16 bytes per step with a handful of
//!   compares. The last partial block is handled by re-reading the final
//!   16 bytes of `s` (overlapping), so only inputs shorter than 16 bytes
//!   take the byte loop.
//! * x86_64, AVX2: 32 bytes per step; the irregular sets (`tchar`, target
//!   bytes) are classified with two `vpshufb` nibble lookups. Chosen at run
//!   time with `std` (the detection runs once and is cached), at compile
//!   time (`-C target-feature=+avx2`) without it.
//! * Everywhere else: the table loops of [`crate::chars`] (the field-value
//!   scan there is word-at-a-time).
//!
//! `unsafe` is confined to the intrinsics (unaligned loads of bytes that are
//! in bounds) and to entering the AVX2 code once AVX2 is known present.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod sse2;

#[cfg(not(target_arch = "x86_64"))]
use crate::chars;

/// One instruction set's classifications. A value of a `Scanner` type is
/// proof that the CPU can run it, so its methods are safe to call.
pub(crate) trait Scanner: Copy {
    /// Length of the `tchar` prefix of `s` (RFC 9110 §5.6.2).
    fn token_len(self, s: &[u8]) -> usize;
    /// Index of the first byte of `s` not allowed in a field value (RFC
    /// 9110 §5.5: anything but HTAB, SP, VCHAR, obs-text), or `s.len()`.
    fn value_len(self, s: &[u8]) -> usize;
    /// Index of the first byte of `s` that is neither in
    /// [`TARGET_PLAIN`](crate::chars::TARGET_PLAIN) nor the `%` of a valid
    /// percent-escape, or `s.len()`. Escapes are checked inside the block
    /// loop (the two bytes after each `%` are read as shifted blocks), so a
    /// target full of escapes costs no more branches than one without.
    fn target_len(self, s: &[u8]) -> usize;
}

/// Code compiled once per instruction set, so that the classifications
/// inline into it: [`dispatch`] picks the version this CPU can run.
/// Implementations mark [`Kernel::run`] `#[inline(always)]`, so that it is
/// compiled inside the per-instruction-set entry points below.
pub(crate) trait Kernel {
    /// What the kernel returns.
    type Output;
    /// The kernel, written once against any [`Scanner`].
    fn run<S: Scanner>(self, scanner: S) -> Self::Output;
}

/// Runs `kernel` with the best [`Scanner`] of this CPU (AVX2 detection is
/// cached; see [`has_avx2`]). One check per call: dispatch once around a
/// whole loop, not per byte run.
#[inline]
pub(crate) fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2() && !tests::sse2_forced() {
            // SAFETY: `has_avx2` reported AVX2 support on this CPU.
            return unsafe { run_avx2(kernel) };
        }
        run_sse2(kernel)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        kernel.run(Scalar)
    }
}

/// `kernel` for the SSE2 baseline, out of line as the AVX2 version is: the
/// dispatching caller then needs no stack frame of its own.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn run_sse2<K: Kernel>(kernel: K) -> K::Output {
    kernel.run(sse2::Sse2)
}

/// `kernel` compiled with AVX2 enabled, so that the `vpshufb`
/// classifications inline into it.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2<K: Kernel>(kernel: K) -> K::Output {
    // SAFETY: the caller guarantees AVX2.
    kernel.run(unsafe { avx2::Avx2::new_unchecked() })
}

/// The table loops of [`crate::chars`], for targets without a fast path.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy)]
pub(crate) struct Scalar;

#[cfg(not(target_arch = "x86_64"))]
impl Scanner for Scalar {
    #[inline(always)]
    fn token_len(self, s: &[u8]) -> usize {
        chars::token_len_scalar(s)
    }
    #[inline(always)]
    fn value_len(self, s: &[u8]) -> usize {
        chars::first_invalid_value_byte(s).unwrap_or(s.len())
    }
    #[inline(always)]
    fn target_len(self, s: &[u8]) -> usize {
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

/// Without the test switch, dispatch never forces SSE2.
#[cfg(all(target_arch = "x86_64", not(all(test, feature = "std"))))]
mod tests {
    #[inline(always)]
    pub(super) fn sse2_forced() -> bool {
        false
    }
}

#[cfg(all(test, feature = "std"))]
pub(crate) mod tests {
    use super::{Kernel, Scanner};
    use crate::chars::{target_len_scalar, token_len_scalar, value_len_scalar};
    use proptest::prelude::*;

    std::thread_local! {
        static FORCE_SSE2: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
    }

    /// Test switch: make [`dispatch`](super::dispatch) pick SSE2 even on an
    /// AVX2 CPU, so that both kernels are tested here.
    pub(crate) fn force_sse2(on: bool) {
        FORCE_SSE2.with(|f| f.set(on));
    }

    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(super) fn sse2_forced() -> bool {
        FORCE_SSE2.with(|f| f.get())
    }

    /// One classification through [`dispatch`](super::dispatch).
    struct Classify<'s>(usize, &'s [u8]);

    impl Kernel for Classify<'_> {
        type Output = usize;
        #[inline(always)]
        fn run<S: Scanner>(self, sc: S) -> usize {
            match self.0 {
                0 => sc.token_len(self.1),
                1 => sc.value_len(self.1),
                _ => sc.target_len(self.1),
            }
        }
    }

    fn dispatched_token(s: &[u8]) -> usize {
        super::dispatch(Classify(0, s))
    }
    fn dispatched_value(s: &[u8]) -> usize {
        super::dispatch(Classify(1, s))
    }
    fn dispatched_target(s: &[u8]) -> usize {
        super::dispatch(Classify(2, s))
    }

    /// One classification, every path this machine can run.
    type Path = (&'static str, fn(&[u8]) -> usize);

    fn paths(class: usize) -> std::vec::Vec<Path> {
        let mut v: std::vec::Vec<Path> = std::vec::Vec::new();
        v.push((
            "dispatch",
            [dispatched_token, dispatched_value, dispatched_target][class],
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
                    unsafe { super::avx2::Avx2::new_unchecked() }.token_len(s)
                }
                fn val(s: &[u8]) -> usize {
                    // SAFETY: only pushed when AVX2 was detected.
                    unsafe { super::avx2::Avx2::new_unchecked() }.value_len(s)
                }
                fn esc(s: &[u8]) -> usize {
                    // SAFETY: only pushed when AVX2 was detected.
                    unsafe { super::avx2::Avx2::new_unchecked() }.target_len(s)
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
