//! The same bytes through our response parser and httparse's, with the
//! leniencies of the input's settings byte (`Settings::read`: any
//! combination of the five, httparse with its matching switches), and 100
//! fields allowed or, with the settings' small bit, 4 (so the field limit
//! is reached by short inputs). Input without a settings byte (corpus
//! files, seeds) runs strict with 100 fields. One configuration per
//! execution, so the fuzzer explores the settings over executions.
//!
//! Where both accept, version, code, reason, head length and every field
//! agree (folded values compared unfolded); where they answer differently,
//! the case must be one of the intended differences in
//! `httpwire_fuzz::differential` (each proven by a test in
//! `tests/httparse_differences.rs`), or an open finding it lists
//! (`known_response_issue`). Anything else panics.
#![no_main]

use httpwire_fuzz::differential::{compare_response, known_response_issue, Bytes};
use httpwire_fuzz::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (marked, payload) = Settings::read(data);
    let settings = marked.unwrap_or(Settings::DEFAULT);
    let lenient = settings.lenient;
    let fields = if settings.small { 4 } else { 100 };
    if let Err(finding) = compare_response(payload, lenient, fields) {
        if !known_response_issue(payload, lenient, fields) {
            panic!(
                "unlisted difference ({lenient:?}, {fields} fields): {finding}\ninput {:?}",
                Bytes(payload)
            );
        }
    }
});
