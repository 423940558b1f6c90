//! The same bytes through our response parser and httparse's, strict, with
//! each leniency alone and with all of them (httparse with its matching
//! switches), with 100 fields allowed and with 4 (so the field limit is
//! reached by short inputs). Where both accept, version, code, reason, head
//! length and every field agree (folded values compared unfolded); where
//! they answer differently, the case must be one of the intended
//! differences in `httpwire_fuzz::differential` (each proven by a test in
//! `tests/httparse_differences.rs`), or an open finding it lists
//! (`known_response_issue`). Anything else panics.
#![no_main]

use httpwire_fuzz::differential::{compare_response, known_response_issue, Bytes};
use httpwire_fuzz::Lenient;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for fields in [100, 4] {
        for lenient in Lenient::SETTINGS {
            if let Err(finding) = compare_response(data, lenient, fields) {
                if !known_response_issue(data, lenient, fields) {
                    panic!(
                        "unlisted difference ({lenient:?}, {fields} fields): {finding}\ninput {:?}",
                        Bytes(data)
                    );
                }
            }
        }
    }
});
