//! The chunked decoder on arbitrary bytes and splits.
//!
//! * The same bytes give the same data, trailers and end (done after the
//!   same byte, or the same error kind and offset) whole, in fuzzer-chosen
//!   pieces and one byte at a time, with default and small limits.
//! * Consumed counts never exceed the input presented, data is a non-empty
//!   sub-slice of the consumed input, and every call makes progress
//!   (`drive_body`).
//! * A body it accepts, re-encoded by our encoder (`encode_chunk`,
//!   `encode_chunk_header`, `encode_last_chunk`) and decoded again, gives
//!   identical data and trailers, done exactly at the end of the encoding.
#![no_main]

use httpwire::chunked::{encode_chunk, encode_chunk_header, encode_last_chunk};
use httpwire::{BodyDecoder, Framing, Header, Limits};
use httpwire_fuzz::{bytewise, drive_body, split_plan, BodyEnd, BodyRun, SMALL};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ends, payload) = split_plan(data);
    let one_by_one = bytewise(payload.len());
    for limits in [Limits::DEFAULT, SMALL] {
        let run = |ends: &[usize], fresh| {
            drive_body(
                &mut BodyDecoder::new(Framing::Chunked, &limits),
                payload,
                ends,
                fresh,
            )
        };
        let whole = run(&[payload.len()], false);
        assert_eq!(
            run(&ends, true),
            whole,
            "split at {ends:?} (limits {limits:?})"
        );
        assert_eq!(
            run(&one_by_one, false),
            whole,
            "one byte at a time (limits {limits:?})"
        );
        if let BodyEnd::Done(n) = whole.end {
            assert!(n <= payload.len());
            re_encode(&whole, &ends);
        }
    }
});

/// Encodes the decoded body again, in chunks sized by the split plan, and
/// decodes the encoding.
fn re_encode(decoded: &BodyRun, ends: &[usize]) {
    let mut out = Vec::new();
    let mut sizes = ends
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&s| s > 0)
        .cycle();
    let mut rest = &decoded.data[..];
    let mut k = 0usize;
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (chunk, tail) = rest.split_at(size);
        let mut buf = vec![0u8; chunk.len() + 32];
        if k.is_multiple_of(2) {
            let n = encode_chunk(chunk, &mut buf).expect("encode_chunk");
            out.extend_from_slice(&buf[..n]);
        } else {
            let n = encode_chunk_header(chunk.len(), &mut buf).expect("encode_chunk_header");
            out.extend_from_slice(&buf[..n]);
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        rest = tail;
        k += 1;
    }
    // Framing fields are accepted in received trailers (and change nothing,
    // TR-3) but never written as trailers (RFC 9110 §6.5.1): the encoder
    // refuses them, so the round trip is of the others.
    let is_framing = |name: &str| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    };
    let kept: Vec<(String, Vec<u8>)> = decoded
        .trailers
        .iter()
        .filter(|(n, _)| !is_framing(n))
        .cloned()
        .collect();
    if kept.len() < decoded.trailers.len() {
        let all: Vec<Header<'_>> = decoded
            .trailers
            .iter()
            .map(|(n, v)| Header { name: n, value: v })
            .collect();
        let mut buf = [0u8; 64];
        assert_eq!(
            encode_last_chunk(&all, &mut buf),
            Err(httpwire::EncodeError::ConflictingFraming),
            "a framing field written as a trailer"
        );
    }
    let trailers: Vec<Header<'_>> = kept
        .iter()
        .map(|(n, v)| Header { name: n, value: v })
        .collect();
    let need = 5 + trailers
        .iter()
        .map(|h| h.name.len() + h.value.len() + 4)
        .sum::<usize>();
    let mut buf = vec![0u8; need];
    let n = encode_last_chunk(&trailers, &mut buf)
        .unwrap_or_else(|e| panic!("encoder refused decoded trailers: {e:?}"));
    assert_eq!(n, need);
    out.extend_from_slice(&buf[..n]);

    // `name: value` may be longer than the `name:value` that was decoded.
    let roomy = Limits {
        max_header_line: Limits::DEFAULT.max_header_line + 8,
        max_trailers: Limits::DEFAULT.max_trailers + 1024,
        ..Limits::DEFAULT
    };
    let again = drive_body(
        &mut BodyDecoder::new(Framing::Chunked, &roomy),
        &out,
        &[out.len()],
        false,
    );
    assert_eq!(
        again.end,
        BodyEnd::Done(out.len()),
        "re-encoded body: {:?}",
        out.escape_ascii().to_string()
    );
    assert_eq!(again.data, decoded.data, "re-encoded data");
    assert_eq!(again.trailers, kept, "re-encoded trailers");
}
