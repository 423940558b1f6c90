//! Properties of the parser and body decoders, checked on generated input.
//!
//! * (a) A valid generated request (random method token, origin-form target,
//!   0–20 random valid fields including Host, an optional Content-Length
//!   body) parses to exactly what was generated, and any split of it into
//!   pieces, fed the way a server reads, gives exactly the whole-input result.
//! * (d) Arbitrary bytes, alone or after a valid request-line, never panic;
//!   every slice the parser or a decoder hands out lies inside the buffer it
//!   was given, and `head_len` never exceeds the input.

#[path = "common/generators.rs"]
mod generators;

use generators::{owned, valid_request, Parsed};
use httpwire::conn::{ServerConnection, ServerEvent};
use httpwire::{
    BodyDecoder, Decoded, Error, Framing, Header, Limits, Request, RequestParser, Status,
};
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------
// The driver: the server-role connection, fed the way a server reads.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// One complete request and the bytes left after it.
    Request(Parsed, Vec<u8>),
    Error(Error),
    /// The input ended before the request did.
    Incomplete,
}

/// Feeds `input` to a server-role connection in pieces ending at `cuts`,
/// the way a server does (unconsumed bytes kept, the next piece appended),
/// until the first request is complete: its head and body, and the bytes
/// after it.
fn drive(input: &[u8], cuts: &[usize]) -> Outcome {
    let mut conn = ServerConnection::new();
    let mut ends: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|&c| c > 0 && c < input.len())
        .collect();
    ends.push(input.len());
    let mut pieces = ends.iter().scan(0, |start, &end| {
        let piece = &input[*start..end];
        *start = end;
        Some(piece)
    });
    let mut buf: Vec<u8> = Vec::new();
    let mut parsed: Option<Parsed> = None;
    loop {
        let mut headers = vec![Header::EMPTY; 128];
        let (used, event) = match conn.poll(&buf, &mut headers) {
            Ok(polled) => polled,
            Err(e) => return Outcome::Error(e.error),
        };
        let mut need_more = false;
        match event {
            ServerEvent::Request(r) => {
                parsed = Some(Parsed {
                    method: r.method.to_owned(),
                    target: r.target.to_owned(),
                    form: r.target_form,
                    version: r.version,
                    headers: r.headers.iter().map(owned).collect(),
                    framing: r.framing,
                    head_len: r.head_len,
                    body: Vec::new(),
                    trailers: Vec::new(),
                })
            }
            ServerEvent::Data(d) => parsed.as_mut().expect("a head").body.extend_from_slice(d),
            ServerEvent::Trailer(h) => parsed.as_mut().expect("a head").trailers.push(owned(&h)),
            ServerEvent::EndOfRequest => {
                buf.drain(..used);
                let rest: Vec<u8> = buf
                    .iter()
                    .copied()
                    .chain(pieces.by_ref().flatten().copied())
                    .collect();
                return Outcome::Request(parsed.take().expect("a head"), rest);
            }
            // A client that expects 100 Continue sends its body anyway here.
            ServerEvent::NeedMore | ServerEvent::Continue => need_more = true,
            other => panic!("unexpected event {other:?}"),
        }
        buf.drain(..used);
        if need_more {
            match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return Outcome::Incomplete,
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) Whole: exactly what was generated. In pieces: exactly the same.
    #[test]
    fn any_split_gives_the_whole_result(g in valid_request(), cuts in prop::collection::vec(any::<Index>(), 0..12)) {
        let whole = drive(&g.bytes, &[]);
        prop_assert_eq!(&whole, &Outcome::Request(g.expected.clone(), Vec::new()));
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(g.bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.dedup();
        prop_assert_eq!(drive(&g.bytes, &cuts), whole);
    }

    /// (a) One byte at a time is just another split.
    #[test]
    fn byte_at_a_time_gives_the_whole_result(g in valid_request()) {
        let cuts: Vec<usize> = (1..g.bytes.len()).collect();
        prop_assert_eq!(drive(&g.bytes, &cuts), Outcome::Request(g.expected, Vec::new()));
    }

    /// (a) Two generated requests back to back: the first consumes exactly
    /// its own bytes, wherever the reads split them.
    #[test]
    fn pipelined_requests_split_anywhere(a in valid_request(), b in valid_request(), cut in any::<Index>()) {
        let mut input = a.bytes.clone();
        input.extend_from_slice(&b.bytes);
        let cut = cut.index(input.len() + 1);
        prop_assert_eq!(drive(&input, &[cut]), Outcome::Request(a.expected, b.bytes.clone()));
    }
}

// ---------------------------------------------------------------------------
// (d) Arbitrary bytes: no panic, every slice inside the input.
// ---------------------------------------------------------------------------

fn inside(buf: &[u8], part: &[u8]) -> bool {
    let range = buf.as_ptr_range();
    let p = part.as_ptr_range();
    range.start <= p.start && p.end <= range.end
}

/// Checks every borrowed slice of a complete request against `buf`.
fn check_request(buf: &[u8], r: &Request<'_, '_>) -> Result<(), TestCaseError> {
    prop_assert!(
        r.head_len <= buf.len(),
        "head_len {} > input {}",
        r.head_len,
        buf.len()
    );
    prop_assert!(inside(buf, r.method.as_bytes()), "method outside the input");
    prop_assert!(inside(buf, r.target.as_bytes()), "target outside the input");
    for h in r.headers {
        prop_assert!(
            inside(buf, h.name.as_bytes()),
            "field name {:?} outside the input",
            h.name
        );
        prop_assert!(
            inside(buf, h.value),
            "field value {:?} outside the input",
            h.value
        );
        prop_assert!(
            inside(&buf[..r.head_len], h.value),
            "field value past the head"
        );
    }
    Ok(())
}

/// De-frames `body` (the bytes after a head) whole, checking every slice.
fn check_body(framing: Framing, body: &[u8]) -> Result<(), TestCaseError> {
    let mut decoder = BodyDecoder::new(framing, &Limits::default());
    let mut pos = 0;
    for _ in 0..=body.len() + 1 {
        let input = &body[pos..];
        match decoder.decode(input) {
            Err(_) => return Ok(()),
            Ok((n, event)) => {
                prop_assert!(n <= input.len(), "consumed {} of {}", n, input.len());
                match event {
                    Decoded::Data(d) => {
                        prop_assert!(!d.is_empty() && inside(input, d), "data outside the input")
                    }
                    Decoded::Trailer(h) => {
                        prop_assert!(
                            inside(input, h.name.as_bytes()) && inside(input, h.value),
                            "trailer outside the input"
                        )
                    }
                    Decoded::Done | Decoded::NeedMore => return Ok(()),
                }
                pos += n;
            }
        }
    }
    Err(TestCaseError::fail("the decoder made no progress"))
}

/// Parses `buf` whole (strict and with bare LF allowed) and prefix by prefix
/// with one parser, checking every result, and de-frames any body.
fn check_arbitrary(buf: &[u8]) -> Result<(), TestCaseError> {
    for bare_lf in [false, true] {
        let mut headers = [Header::EMPTY; 128];
        match RequestParser::new()
            .allow_bare_lf(bare_lf)
            .parse(buf, &mut headers)
        {
            Ok(Status::Complete(r)) => {
                check_request(buf, &r)?;
                check_body(r.framing, &buf[r.head_len..])?;
            }
            Ok(Status::Partial) => {}
            Err(e) => prop_assert!(
                e.offset() <= buf.len(),
                "error offset {} past the input {}",
                e.offset(),
                buf.len()
            ),
        }
    }
    let mut parser = RequestParser::new();
    for end in 0..=buf.len() {
        let prefix = &buf[..end];
        let mut headers = [Header::EMPTY; 128];
        match parser.parse(prefix, &mut headers) {
            Ok(Status::Complete(r)) => return check_request(prefix, &r),
            Ok(Status::Partial) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Bytes drawn mostly from what HTTP heads are made of, so that generated
/// input gets past the first checks.
fn httpish_bytes() -> impl Strategy<Value = Vec<u8>> {
    const TOKENS: &[&[u8]] = &[
        b"\r\n",
        b"\n",
        b"\r",
        b" ",
        b"\t",
        b":",
        b";",
        b",",
        b"=",
        b"\"",
        b"0",
        b"5",
        b"f",
        b"Host: a",
        b"Content-Length: ",
        b"Transfer-Encoding: ",
        b"chunked",
        b"GET / HTTP/1.1",
        b"\x00",
        b"\xff",
    ];
    let token = prop::sample::select(TOKENS).prop_map(|t: &[u8]| t.to_vec());
    prop::collection::vec(prop_oneof![token, any::<u8>().prop_map(|b| vec![b])], 0..96)
        .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (d) Arbitrary bytes.
    #[test]
    fn arbitrary_bytes_never_panic(buf in prop::collection::vec(any::<u8>(), 0..512)) {
        check_arbitrary(&buf)?;
    }

    /// (d) Arbitrary bytes after a valid request-line.
    #[test]
    fn arbitrary_fields_never_panic(rest in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut buf = b"GET / HTTP/1.1\r\n".to_vec();
        buf.extend_from_slice(&rest);
        check_arbitrary(&buf)?;
    }

    /// (d) HTTP-flavoured noise after a valid request-line and Host, which
    /// reaches framing and bodies far more often.
    #[test]
    fn httpish_noise_never_panics(rest in httpish_bytes()) {
        let mut buf = b"POST / HTTP/1.1\r\nHost: a\r\n".to_vec();
        buf.extend_from_slice(&rest);
        check_arbitrary(&buf)?;
    }

    /// (d) Arbitrary bytes as a chunked body, whole and in two pieces.
    #[test]
    fn arbitrary_chunked_bodies_never_panic(body in httpish_bytes(), cut in any::<Index>()) {
        check_body(Framing::Chunked, &body)?;
        let cut = cut.index(body.len() + 1);
        let mut decoder = BodyDecoder::new(Framing::Chunked, &Limits::default());
        let mut buf = body[..cut].to_vec();
        let mut fed_all = false;
        for _ in 0..=body.len() * 2 + 4 {
            match decoder.decode(&buf) {
                Err(_) => break,
                Ok((n, event)) => {
                    prop_assert!(n <= buf.len());
                    if let Decoded::Data(d) = event {
                        prop_assert!(inside(&buf, d));
                    }
                    let stop = matches!(event, Decoded::Done) || (matches!(event, Decoded::NeedMore) && fed_all);
                    let more = matches!(event, Decoded::NeedMore);
                    buf.drain(..n);
                    if stop {
                        break;
                    }
                    if more {
                        buf.extend_from_slice(&body[cut..]);
                        fed_all = true;
                    }
                }
            }
        }
    }
}
