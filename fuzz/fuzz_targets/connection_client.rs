//! The client role of the sans-IO connection (`ClientConnection`) fed
//! arbitrary bytes as the server's side of the connection: whole, in pieces
//! and one byte at a time, it gives the same events and sends the same
//! requests.
//!
//! The client sends a request first, then reads; whenever a response ends
//! and the connection may be reused it sends the next one, in turn from
//! `conn::REQUESTS` (GET, HEAD, a chunked POST, an upgrade, a PUT that waits
//! for `100 Continue`, CONNECT: the method decides the response's framing),
//! starting at an entry chosen by the input's length. One configuration per
//! execution, from the input's settings byte (`Settings::read`). Pieces come
//! from the split schedule (`split_plan`), each poll getting the unconsumed
//! bytes in a new buffer; after the input the peer closes (ending close-delimited
//! bodies). The driver (`fuzz/src/conn.rs`) checks every call: consumed
//! counts within the input, data and fields inside it, `Idle` only when the
//! connection may be reused, no event after `Close`, errors repeated.
#![no_main]

use httpwire::conn::ClientConnection;
use httpwire_fuzz::conn::{run_client, REQUESTS};
use httpwire_fuzz::{bytewise, split_plan, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // One configuration per execution (`Settings::read`: any of the
    // response leniencies, small limits, one byte at a time instead of the
    // split schedule); input without a settings byte runs as
    // `ClientConnection::new` reads (obs-fold unfolded, RULES RS-3), both ways.
    let (marked, rest) = Settings::read(data);
    let (ends, payload) = split_plan(rest);
    let mut requests = REQUESTS;
    requests.rotate_left(payload.len() % REQUESTS.len());
    let conn = || match marked {
        Some(settings) => ClientConnection::with_parser(settings.response_parser()),
        None => ClientConnection::new(),
    };
    let bytewise_only = marked.is_some_and(|s| s.bytewise);
    let whole = run_client(conn(), payload, &[payload.len()], &requests, false);
    if !bytewise_only {
        let pieces = run_client(conn(), payload, &ends, &requests, true);
        assert_eq!(pieces, whole, "split at {ends:?} ({marked:?})");
    }
    if marked.is_none() || bytewise_only {
        let bytes = run_client(conn(), payload, &bytewise(payload.len()), &requests, false);
        assert_eq!(bytes, whole, "one byte at a time ({marked:?})");
    }
});
