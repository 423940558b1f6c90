//! The head parser on arbitrary bytes, strict and with bare LF allowed.
//!
//! Checks beyond "no panic": a complete head's length is within the input;
//! every borrowed slice lies inside the input (`Head::of`); allowing bare LF
//! changes nothing unless the strict parse failed on a bare LF; and the head,
//! re-serialized with `serialize::RequestHead` and parsed again, is the same
//! head.
#![no_main]

use httpwire::serialize::RequestHead;
use httpwire::{ErrorKind, Framing, Header, Limits, RequestParser};
use httpwire_fuzz::{parse_whole, Head, Outcome};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = parse_whole(RequestParser::new(), data);
    let lenient = parse_whole(RequestParser::new().allow_bare_lf(true), data);
    match &strict {
        // A bare LF is the only thing the option changes.
        Outcome::Error(ErrorKind::BareLf, _) => {}
        _ => assert_eq!(
            strict, lenient,
            "allow_bare_lf changed a result without a bare LF"
        ),
    }
    for outcome in [&strict, &lenient] {
        if let Outcome::Complete(head) = outcome {
            round_trip(head);
        }
    }
});

/// Serializes `head` and parses the bytes again: the same method, target,
/// form, version, framing and non-framing fields, and a head length equal to
/// the bytes written.
fn round_trip(head: &Head) {
    let fields: Vec<Header<'_>> = head
        .headers
        .iter()
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("content-length")
                && !n.eq_ignore_ascii_case("transfer-encoding")
        })
        .map(|(n, v)| Header { name: n, value: v })
        .collect();
    let framing = match head.framing {
        Framing::None => Framing::None,
        Framing::Length(n) => Framing::Length(n),
        Framing::Chunked => Framing::Chunked,
        Framing::CloseDelimited | Framing::Tunnel => {
            panic!("a request with a response framing: {head:?}")
        }
    };
    let out = RequestHead {
        method: &head.method,
        target: &head.target,
        version: head.version,
        headers: &fields,
        framing,
    };
    let len = out
        .encoded_len()
        .unwrap_or_else(|e| panic!("serializer refused a parsed head: {e:?}: {head:?}"));
    let mut buf = vec![0u8; len];
    assert_eq!(out.encode(&mut buf), Ok(len));
    // `name: value` may be a byte longer than the `name:value` that was
    // parsed, and the framing field may grow: allow for it.
    let roomy = Limits {
        max_header_line: Limits::DEFAULT.max_header_line + 64,
        max_head: Limits::DEFAULT.max_head + 64 * Limits::DEFAULT.max_headers,
        ..Limits::DEFAULT
    };
    let again = match parse_whole(RequestParser::with_limits(roomy), &buf) {
        Outcome::Complete(h) => h,
        other => panic!(
            "re-serialized head does not parse: {other:?}\n{:?}",
            buf.escape_ascii().to_string()
        ),
    };
    assert_eq!(again.head_len, len, "re-parsed head length");
    assert_eq!(again.method, head.method);
    assert_eq!(again.target, head.target);
    assert_eq!(again.target_form, head.target_form);
    assert_eq!(again.version, head.version);
    assert_eq!(again.framing, head.framing);
    let again_fields: Vec<(&str, &[u8])> = again
        .headers
        .iter()
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("content-length")
                && !n.eq_ignore_ascii_case("transfer-encoding")
        })
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    let fields: Vec<(&str, &[u8])> = fields.iter().map(|h| (h.name, h.value)).collect();
    assert_eq!(again_fields, fields, "re-parsed fields");
}
