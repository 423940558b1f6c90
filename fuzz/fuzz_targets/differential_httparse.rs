//! The same bytes through our parser and httparse (strict, and with bare LF
//! allowed). Where both accept, method, target, version, head length and
//! every field agree; where they answer differently, the case must be one of
//! the intended differences in `httpwire_fuzz::differential` (each proven by
//! a test in `tests/httparse_differences.rs`). Anything else panics.
#![no_main]

use httpwire_fuzz::differential::{compare, Bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for bare_lf in [false, true] {
        if let Err(finding) = compare(data, bare_lf) {
            panic!(
                "unlisted difference (bare LF {bare_lf}): {finding}\ninput {:?}",
                Bytes(data)
            );
        }
    }
});
