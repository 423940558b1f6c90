//! The server role of the sans-IO connection (`ServerConnection`) fed
//! arbitrary bytes: whole, in pieces and one byte at a time, it gives the
//! same events and writes the same bytes.
//!
//! Pieces come from the split schedule (`split_plan`: input starting with
//! `0xF0 | k`, or cuts around CRs and LFs), each poll getting the unconsumed
//! bytes in a new buffer. Requests are answered in turn from
//! `conn::ANSWERS` (at the head or at `Paused`; 200, streamed, 204, 304,
//! 404 + close, an empty 200, 101), starting at an entry chosen by the input's
//! length, and errors with their status. The driver (`fuzz/src/conn.rs`)
//! checks every call: consumed counts within the input, data and fields
//! inside it, `Continue` only before the body of a request that expects
//! it, no event after `Close`, an error repeated until its response is
//! sent and `Close` after it.
#![no_main]

use httpwire::conn::ServerConnection;
use httpwire::{Limits, RequestParser};
use httpwire_fuzz::conn::{run_server, ANSWERS};
use httpwire_fuzz::{bytewise, split_plan, SMALL};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ends, payload) = split_plan(data);
    let mut answers = ANSWERS;
    answers.rotate_left(payload.len() % ANSWERS.len());
    // Strict with the default limits; bare LF allowed with the small ones
    // (every limit within reach of short inputs).
    for (limits, bare_lf) in [(Limits::DEFAULT, false), (SMALL, true)] {
        let conn = || {
            ServerConnection::with_parser(RequestParser::with_limits(limits).allow_bare_lf(bare_lf))
        };
        let whole = run_server(conn(), payload, &[payload.len()], &answers, false);
        let pieces = run_server(conn(), payload, &ends, &answers, true);
        assert_eq!(pieces, whole, "split at {ends:?} (limits {limits:?})");
        let bytes = run_server(conn(), payload, &bytewise(payload.len()), &answers, false);
        assert_eq!(bytes, whole, "one byte at a time (limits {limits:?})");
    }
});
