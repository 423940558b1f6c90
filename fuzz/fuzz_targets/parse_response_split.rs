//! The same response bytes fed in pieces give exactly the result of parsing
//! them whole: the same head, or the same error kind and offset, or
//! `Partial`.
//!
//! Pieces: at fuzzer-chosen split points (input starting with `0xF0 | k`,
//! see `split_plan`) or around every CR and LF, each call with a fresh
//! buffer copy and header slice (so fields kept from an earlier call would
//! show), strict, with each leniency alone and with all of them, under the
//! default and the small limits; and one byte at a time, strict with the
//! default limits and with all leniencies with the small ones.
#![no_main]

use httpwire::Limits;
use httpwire_fuzz::{
    bytewise, known_split_issue, parse_pieces, parse_whole, split_plan, Lenient, SMALL,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ends, payload) = split_plan(data);
    let one_by_one = bytewise(payload.len());
    for limits in [Limits::DEFAULT, SMALL] {
        for lenient in Lenient::SETTINGS {
            let parser = || lenient.parser(limits);
            let whole = parse_whole(parser(), payload);
            let pieces = parse_pieces(parser(), payload, &ends, true);
            if !known_split_issue(&whole, &pieces) {
                assert_eq!(
                    pieces, whole,
                    "split at {ends:?} (limits {limits:?}, {lenient:?})"
                );
            }
            // One byte at a time is the costly run: two settings of seven.
            let bytewise_here = if limits == SMALL {
                lenient == Lenient::ALL
            } else {
                lenient == Lenient::STRICT
            };
            if !bytewise_here {
                continue;
            }
            let bytes = parse_pieces(parser(), payload, &one_by_one, false);
            if !known_split_issue(&whole, &bytes) {
                assert_eq!(
                    bytes, whole,
                    "one byte at a time (limits {limits:?}, {lenient:?})"
                );
            }
        }
    }
});
