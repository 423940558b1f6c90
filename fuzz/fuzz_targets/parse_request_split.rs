//! The same bytes fed in pieces give exactly the result of parsing them
//! whole: the same head, or the same error kind and offset, or `Partial`.
//!
//! One configuration per execution, from the input's settings byte
//! (`Settings::read`: bare LF allowed or not, default or small limits, and
//! which pieces), so the fuzzer explores the settings over executions:
//!
//! * pieces at fuzzer-chosen split points (the payload starting with
//!   `0xF0 | k`, see `split_plan`) or around every CR and LF, each call with
//!   a fresh buffer copy and header slice (so fields kept from an earlier
//!   call would show);
//! * or, with the settings' bytewise bit, one byte at a time (one buffer,
//!   one header slice).
//!
//! Input without a settings byte (corpus files, seeds) runs strict with the
//! default limits, and both: CR/LF cuts and one byte at a time.
#![no_main]

use httpwire_fuzz::{bytewise, known_split_issue, parse_pieces, parse_whole, split_plan, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (marked, rest) = Settings::read(data);
    let settings = marked.unwrap_or(Settings::DEFAULT);
    let (ends, payload) = split_plan(rest);
    let parser = || settings.request_parser();
    let whole = parse_whole(parser(), payload);
    if marked.is_none() || !settings.bytewise {
        let pieces = parse_pieces(parser(), payload, &ends, true);
        if !known_split_issue(&whole, &pieces) {
            assert_eq!(pieces, whole, "split at {ends:?} ({settings:?})");
        }
    }
    if marked.is_none() || settings.bytewise {
        let bytes = parse_pieces(parser(), payload, &bytewise(payload.len()), false);
        if !known_split_issue(&whole, &bytes) {
            assert_eq!(bytes, whole, "one byte at a time ({settings:?})");
        }
    }
});
