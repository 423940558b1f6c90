//! The same bytes fed in pieces give exactly the result of parsing them
//! whole: the same head, or the same error kind and offset, or `Partial`.
//!
//! Pieces: at fuzzer-chosen split points (input starting with `0xF0 | k`,
//! see `split_plan`) or around every CR and LF, with the default limits and
//! with small ones (so limit checks on partial lines are reached), strict
//! and with bare LF allowed; and one byte at a time, strict with the default
//! limits and with bare LF allowed with the small ones.
#![no_main]

use httpwire::{Limits, RequestParser};
use httpwire_fuzz::{bytewise, known_split_issue, parse_pieces, parse_whole, split_plan, SMALL};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ends, payload) = split_plan(data);
    let one_by_one = bytewise(payload.len());
    for limits in [Limits::DEFAULT, SMALL] {
        for bare_lf in [false, true] {
            let parser = || RequestParser::with_limits(limits).allow_bare_lf(bare_lf);
            let whole = parse_whole(parser(), payload);
            let pieces = parse_pieces(parser(), payload, &ends, true);
            if !known_split_issue(&whole, &pieces) {
                assert_eq!(
                    pieces, whole,
                    "split at {ends:?} (limits {limits:?}, bare LF {bare_lf})"
                );
            }
            // One byte at a time is the costly run: do it strict with the
            // default limits, and with bare LF allowed with the small ones.
            if bare_lf != (limits == SMALL) {
                continue;
            }
            let bytes = parse_pieces(parser(), payload, &one_by_one, false);
            if !known_split_issue(&whole, &bytes) {
                assert_eq!(
                    bytes, whole,
                    "one byte at a time (limits {limits:?}, bare LF {bare_lf})"
                );
            }
        }
    }
});
