//! The server role of the sans-IO connection (`ServerConnection`) fed
//! arbitrary bytes: whole, in pieces and one byte at a time, it gives the
//! same events and writes the same bytes.
//!
//! One configuration per execution, from the input's settings byte
//! (`Settings::read`: bare LF, small limits, and one byte at a time instead
//! of the split schedule). Pieces come from the split schedule (`split_plan`:
//! payload starting with `0xF0 | k`, or cuts around CRs and LFs), each poll
//! getting the unconsumed bytes in a new buffer. Requests are answered in turn from
//! `conn::ANSWERS` (at the head or at `Paused`; 200, streamed, 204, 304,
//! 404 + close, an empty 200, 101), starting at an entry chosen by the input's
//! length, and errors with their status. The driver (`fuzz/src/conn.rs`)
//! checks every call: consumed counts within the input, data and fields
//! inside it, `Continue` only before the body of a request that expects
//! it, no event after `Close`, an error repeated until its response is
//! sent and `Close` after it.
#![no_main]

use httpwire::conn::ServerConnection;
use httpwire_fuzz::conn::{run_server, ANSWERS};
use httpwire_fuzz::{bytewise, split_plan, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // One configuration per execution (`Settings::read`: bare LF, small
    // limits, one byte at a time instead of the split schedule); input
    // without a settings byte runs strict with the default limits, and both.
    let (marked, rest) = Settings::read(data);
    let settings = marked.unwrap_or(Settings::DEFAULT);
    let (ends, payload) = split_plan(rest);
    let mut answers = ANSWERS;
    answers.rotate_left(payload.len() % ANSWERS.len());
    let conn = || ServerConnection::with_parser(settings.request_parser());
    let whole = run_server(conn(), payload, &[payload.len()], &answers, false);
    if marked.is_none() || !settings.bytewise {
        let pieces = run_server(conn(), payload, &ends, &answers, true);
        assert_eq!(pieces, whole, "split at {ends:?} ({settings:?})");
    }
    if marked.is_none() || settings.bytewise {
        let bytes = run_server(conn(), payload, &bytewise(payload.len()), &answers, false);
        assert_eq!(bytes, whole, "one byte at a time ({settings:?})");
    }
});
