//! Whole requests with bodies (Content-Length, chunked, pipelined
//! requests) on one connection: the framing decision, the body, the trailers
//! and the byte where the next request starts never depend on how the input
//! was split.
//!
//! A connection driver parses a head, de-frames its body with the
//! `BodyDecoder` for the head's framing, and starts the next head right after
//! the body, up to 8 requests. Its transcript for the whole input is compared
//! with the transcripts for fuzzer-chosen pieces (`split_plan`; a new parser
//! per request, a new buffer per call) and for one byte at a time (one parser
//! reused, as its documentation allows), with default and small limits.
#![no_main]

use httpwire::{BodyDecoder, Decoded, ErrorKind, Header, Limits, RequestParser, Status};
use httpwire_fuzz::{
    assert_inside, bytewise, known_split_issue, split_plan, Head, Outcome, SLOTS, SMALL,
};
use libfuzzer_sys::fuzz_target;

const MAX_REQUESTS: usize = 8;

/// One request read from the connection.
#[derive(Debug, PartialEq, Eq)]
struct Message {
    /// Where its head starts.
    start: usize,
    head: Head,
    body: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
    /// Where the next request starts.
    next: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    /// The input ran out inside a head starting at this byte.
    InHead(usize),
    /// The input ran out inside a body, with this much of it decoded.
    InBody {
        head: Head,
        body: Vec<u8>,
        consumed: usize,
    },
    /// A head error (absolute offset).
    HeadError(ErrorKind, usize),
    /// A body error (absolute offset).
    BodyError(ErrorKind, usize),
    /// `MAX_REQUESTS` were read.
    Enough,
}

#[derive(Debug, PartialEq, Eq)]
struct Transcript {
    messages: Vec<Message>,
    end: End,
}

fuzz_target!(|data: &[u8]| {
    let (ends, payload) = split_plan(data);
    let one_by_one = bytewise(payload.len());
    for limits in [Limits::DEFAULT, SMALL] {
        let whole = drive(payload, &[payload.len()], &limits, false, false);
        let pieces = drive(payload, &ends, &limits, true, true);
        if !known(&whole, &pieces) {
            assert_eq!(pieces, whole, "split at {ends:?} (limits {limits:?})");
        }
        let bytes = drive(payload, &one_by_one, &limits, false, false);
        if !known(&whole, &bytes) {
            assert_eq!(bytes, whole, "one byte at a time (limits {limits:?})");
        }
    }
});

/// A head error of a split run that is one of the findings awaiting a fix
/// (`known_split_issue`), after the same requests as the whole run.
fn known(whole: &Transcript, split: &Transcript) -> bool {
    let End::HeadError(kind, at) = split.end else {
        return false;
    };
    if !whole.messages.starts_with(&split.messages) {
        return false;
    }
    let whole_end: Outcome = match whole.end {
        End::HeadError(k, a) if whole.messages.len() == split.messages.len() => {
            Outcome::Error(k, a)
        }
        _ => Outcome::Partial,
    };
    known_split_issue(&whole_end, &Outcome::Error(kind, at))
}

#[allow(clippy::large_enum_variant)] // one per connection
enum Phase {
    Head,
    Body {
        head: Head,
        dec: BodyDecoder,
        body_start: usize,
        body: Vec<u8>,
        trailers: Vec<(String, Vec<u8>)>,
    },
}

/// Reads `data`, arriving in the pieces given by `ends`. With `fresh`, each
/// head parse gets its own copy of the bytes and header slice, and each
/// request a new parser.
fn drive(
    data: &[u8],
    ends: &[usize],
    limits: &Limits,
    fresh: bool,
    new_parser: bool,
) -> Transcript {
    let mut messages = Vec::new();
    let mut parser = RequestParser::with_limits(*limits);
    let mut reused = [Header::EMPTY; SLOTS];
    let mut start = 0usize; // start of the current message
    let mut pos = 0usize; // next byte to decode in a body
    let mut phase = Phase::Head;
    let mut budget = 4 * data.len() + 64;
    for &end in ends {
        loop {
            budget = budget.checked_sub(1).expect("no progress");
            match &mut phase {
                Phase::Head => {
                    let parsed = if fresh {
                        let copy = data[start..end].to_vec();
                        let mut own = [Header::EMPTY; SLOTS];
                        head(&mut parser, &copy, &mut own)
                    } else {
                        head(&mut parser, &data[start..end], &mut reused)
                    };
                    match parsed {
                        Ok(None) => break,
                        Err((kind, at)) => {
                            return Transcript {
                                messages,
                                end: End::HeadError(kind, start + at),
                            }
                        }
                        Ok(Some(h)) => {
                            let body_start = start + h.head_len;
                            pos = body_start;
                            phase = Phase::Body {
                                dec: BodyDecoder::new(h.framing, limits),
                                head: h,
                                body_start,
                                body: Vec::new(),
                                trailers: Vec::new(),
                            };
                        }
                    }
                }
                Phase::Body {
                    head,
                    dec,
                    body_start,
                    body,
                    trailers,
                } => {
                    let input = &data[pos..end];
                    let (n, event) = match dec.decode(input) {
                        Ok(x) => x,
                        Err(e) => {
                            let at = *body_start + e.offset();
                            return Transcript {
                                messages,
                                end: End::BodyError(e.kind(), at),
                            };
                        }
                    };
                    assert!(n <= input.len(), "consumed more than the input");
                    pos += n;
                    match event {
                        Decoded::Data(d) => {
                            assert!(!d.is_empty());
                            assert_inside(d, &input[..n], "Data");
                            body.extend_from_slice(d);
                        }
                        Decoded::Trailer(h) => {
                            trailers.push((h.name.to_owned(), h.value.to_vec()));
                        }
                        Decoded::NeedMore => break,
                        Decoded::Done => {
                            messages.push(Message {
                                start,
                                head: head.clone(),
                                body: core::mem::take(body),
                                trailers: core::mem::take(trailers),
                                next: pos,
                            });
                            if messages.len() == MAX_REQUESTS {
                                return Transcript {
                                    messages,
                                    end: End::Enough,
                                };
                            }
                            start = pos;
                            phase = Phase::Head;
                            if new_parser {
                                parser = RequestParser::with_limits(*limits);
                            }
                        }
                    }
                }
            }
        }
    }
    let end = match phase {
        Phase::Head => End::InHead(start),
        Phase::Body { head, body, .. } => End::InBody {
            head,
            body,
            consumed: pos,
        },
    };
    Transcript { messages, end }
}

/// One head parse: `Ok(None)` for `Partial`.
fn head<'b>(
    parser: &mut RequestParser,
    buf: &'b [u8],
    headers: &mut [Header<'b>],
) -> Result<Option<Head>, (ErrorKind, usize)> {
    match parser.parse(buf, headers) {
        Ok(Status::Complete(r)) => Ok(Some(Head::of(&r, buf))),
        Ok(Status::Partial) => Ok(None),
        Err(e) => Err((e.kind(), e.offset())),
    }
}
