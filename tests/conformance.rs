//! Conformance suite: every case of `tests/cases/*.md` (the strict profile
//! of CONFORMANCE.md as data: raw bytes and their exact expected outcome;
//! the format is in `tests/cases/README.md`), run and checked here.
//!
//! * A request case runs through [`drive`], which feeds the bytes like a
//!   server: a [`ServerConnection`] is polled with the unconsumed bytes plus
//!   the new ones, each request is answered 200 at its end, and the events
//!   are recorded. The outcome, rendered as lines ([`render`]), must equal
//!   the case's `expect` block; each accepted head must end at the input's
//!   first empty line after its start ([`head_end`]), and each message must
//!   consume exactly its `http` block.
//! * A response case runs through [`response_lines`] (a client reading a
//!   response to the case's method) and must give its `expect` block.
//! * Every case runs whole, one byte at a time and split in two at every
//!   offset (requests: in pieces of 2, 3, 7 and 64 bytes too), and each run
//!   must give exactly the same outcome, error offsets included.
//! * `corpus/valid`, `corpus/invalid` and `corpus/responses` are written from
//!   the cases; [`corpus_is_generated_from_the_cases`] checks that they are
//!   (`HTTPWIRE_REGENERATE_CORPUS=1` rewrites them).
//! * Expectations come from CONFORMANCE.md, never from the code. A case the
//!   code disagrees with carries `- disagrees: why` and runs only in the
//!   ignored [`known_disagreements`] test
//!   (`cargo test --test conformance -- --ignored`).

mod cases;

use std::path::Path;

use cases::Case;
use httpwire::conn::{ProtocolError, ServerConnection, ServerEvent};
use httpwire::ErrorKind::*;
use httpwire::TargetForm::{Absolute, Asterisk, Authority, Origin};
use httpwire::{
    BodyDecoder, Decoded, Framing, Header, Limits, Request, RequestParser, ResponseParser, Status,
    TargetForm, Version,
};

// ---------------------------------------------------------------------------
// What a run produces (owned, so that runs can be compared).
// ---------------------------------------------------------------------------

type Field = (String, Vec<u8>);

/// An outcome: one line per item (see tests/cases/README.md), unescaped.
type Lines = Vec<Vec<u8>>;

fn field(h: &Header<'_>) -> Field {
    (h.name.to_owned(), h.value.to_vec())
}

/// A parsed request head, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Head {
    method: String,
    target: String,
    form: TargetForm,
    version: Version,
    headers: Vec<Field>,
    framing: Framing,
    head_len: usize,
    keep_alive: bool,
    expects_continue: bool,
}

impl Head {
    fn of(r: &Request<'_, '_>) -> Head {
        Head {
            method: r.method.to_owned(),
            target: r.target.to_owned(),
            form: r.target_form,
            version: r.version,
            headers: r.headers.iter().map(field).collect(),
            framing: r.framing,
            head_len: r.head_len,
            keep_alive: r.keep_alive(),
            expects_continue: r.expects_continue(),
        }
    }
}

/// One thing that happened on the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
    /// A request whose head and body were both accepted. `consumed` is the
    /// head plus the framed body: where the next request starts.
    Request {
        head: Head,
        body: Vec<u8>,
        trailers: Vec<Field>,
        consumed: usize,
    },
    /// The head was rejected: the error and the status to answer.
    HeadError(ProtocolError),
    /// The head was accepted, the body was rejected.
    BodyError {
        head: Head,
        body: Vec<u8>,
        error: ProtocolError,
    },
}

/// How the input ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum End {
    /// Every byte belonged to a complete request.
    Clean,
    /// An error stopped the connection (nothing after it is parsed, SM-11).
    Error,
    /// The input ended inside a head; these bytes were waiting.
    PartialHead(Vec<u8>),
    /// The input ended inside a body.
    PartialBody,
    /// The connection closed after a response (RULES PC-1): these bytes
    /// were never read.
    Closed(Vec<u8>),
    /// A CONNECT was answered 200: these bytes are the tunnel's.
    Switched(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Run {
    events: Vec<Event>,
    end: End,
}

#[derive(Clone, Copy, Debug, Default)]
struct Config {
    limits: Limits,
    bare_lf: bool,
}

/// The body being read: its head and what came out so far.
struct InBody {
    head: Head,
    body: Vec<u8>,
    trailers: Vec<Field>,
    consumed: usize,
}

/// Feeds `input` to a server-role connection the way a server does, `piece`
/// bytes at a time: unconsumed bytes stay in the buffer, new bytes are
/// appended, and each request is answered (200, no body) when it is
/// complete, so that the connection goes on to the next.
fn drive(input: &[u8], piece: usize, cfg: Config) -> Run {
    assert!(piece > 0);
    let cuts: Vec<usize> = (1..input.len() / piece + 1).map(|k| k * piece).collect();
    drive_at(input, &cuts, cfg)
}

/// [`drive`] with reads that end at the offsets in `cuts` (ascending).
fn drive_at(input: &[u8], cuts: &[usize], cfg: Config) -> Run {
    let mut ends = cuts.iter().copied().filter(|&c| c > 0 && c < input.len());
    let mut next_end = move || ends.next().unwrap_or(input.len());
    let parser = RequestParser::with_limits(cfg.limits).allow_bare_lf(cfg.bare_lf);
    let mut conn = ServerConnection::with_parser(parser);
    let header_slots = cfg.limits.max_headers.min(1000) + 8;
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut events = Vec::new();
    let mut in_body: Option<InBody> = None;
    let mut out = [0u8; 256];
    loop {
        // A fresh slice per call, as the parser docs show: fields of
        // earlier calls are re-sliced from the (possibly moved) buffer.
        let mut headers = vec![Header::EMPTY; header_slots];
        let (used, event) = match conn.poll(&buf, &mut headers) {
            Ok(polled) => polled,
            Err(error) => {
                events.push(match in_body.take() {
                    None => Event::HeadError(error),
                    Some(b) => Event::BodyError {
                        head: b.head,
                        body: b.body,
                        error,
                    },
                });
                return Run {
                    events,
                    end: End::Error,
                };
            }
        };
        assert!(used <= buf.len(), "consumed more than it was given");
        let need_more = match event {
            ServerEvent::Request(req) => {
                let head = Head::of(&req);
                assert_eq!(used, head.head_len, "a head is consumed whole");
                in_body = Some(InBody {
                    head,
                    body: Vec::new(),
                    trailers: Vec::new(),
                    consumed: used,
                });
                false
            }
            ServerEvent::Data(d) => {
                assert!(!d.is_empty(), "empty Data event");
                let b = in_body.as_mut().expect("in a body");
                b.body.extend_from_slice(d);
                b.consumed += used;
                false
            }
            ServerEvent::Trailer(h) => {
                let b = in_body.as_mut().expect("in a body");
                b.trailers.push(field(&h));
                b.consumed += used;
                false
            }
            ServerEvent::EndOfRequest => {
                let mut b = in_body.take().expect("in a body");
                b.consumed += used;
                events.push(Event::Request {
                    head: b.head,
                    body: b.body,
                    trailers: b.trailers,
                    consumed: b.consumed,
                });
                conn.respond(200, &[], b"", &mut out).expect("a response");
                false
            }
            ServerEvent::NeedMore => {
                if let Some(b) = in_body.as_mut() {
                    b.consumed += used;
                }
                true
            }
            // The client waits for 100 before sending the body: it is sent
            // anyway here, as a client that does not wait does.
            ServerEvent::Continue => true,
            ServerEvent::Close => {
                // What was never read: the buffer's rest and what the
                // client sent after it (the same however the input is cut).
                return Run {
                    events,
                    end: End::Closed([&buf[used..], &input[fed..]].concat()),
                };
            }
            // A 2xx to CONNECT starts a tunnel (RULES CN-2, PC-6).
            ServerEvent::Switched(rest) => {
                return Run {
                    events,
                    end: End::Switched([rest, &input[fed..]].concat()),
                };
            }
            ServerEvent::Paused => panic!("every request is answered at its end"),
        };
        buf.drain(..used);
        if need_more {
            if fed == input.len() {
                let end = match in_body {
                    Some(_) => End::PartialBody,
                    None if buf.is_empty() => End::Clean,
                    None => End::PartialHead(buf),
                };
                return Run { events, end };
            }
            let end = next_end().max(fed + 1);
            buf.extend_from_slice(&input[fed..end]);
            fed = end;
        }
    }
}

/// Where a head that was accepted ends, counted without the parser: after
/// any empty lines before the start-line, just past the first line end
/// (LF) that is followed by an empty line (CRLF or LF). A valid head holds
/// no other LF, so this is its length.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        if bytes[i..].starts_with(b"\r\n") {
            i += 2;
        } else if bytes[i..].starts_with(b"\n") {
            i += 1;
        } else {
            break;
        }
    }
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                return Some(i + 3);
            }
            if bytes[i + 1..].starts_with(b"\n") {
                return Some(i + 2);
            }
        }
        i += 1;
    }
    None
}

/// The words of the outcome lines (tests/cases/README.md).
fn form_name(f: TargetForm) -> &'static str {
    match f {
        Origin => "origin",
        Absolute => "absolute",
        Authority => "authority",
        Asterisk => "asterisk",
    }
}

fn framing_name(f: Framing) -> String {
    match f {
        Framing::None => "none".into(),
        Framing::Length(n) => format!("length {n}"),
        Framing::Chunked => "chunked".into(),
        Framing::CloseDelimited => "close-delimited".into(),
        Framing::Tunnel => "tunnel".into(),
    }
}

/// `field Name: value` (or `trailer …`); `field Name:` for an empty value.
fn field_line(kw: &str, (n, v): &Field) -> Vec<u8> {
    let mut l = format!("{kw} {n}:").into_bytes();
    if !v.is_empty() {
        l.push(b' ');
        l.extend_from_slice(v);
    }
    l
}

/// The lines of a request head straight from the parser (connection cases).
fn head_lines_of(req: &Request<'_, '_>, out: &mut Lines) {
    let mut lines = Vec::new();
    head_lines(&Head::of(req), &mut lines);
    // Optional lines a connection case does not state.
    lines.retain(|l| !l.starts_with(b"keep-alive ") && !l.starts_with(b"expects-continue "));
    out.extend(lines);
}

/// The lines of an accepted head: `request`, `field`s, `framing`, and the
/// optional `keep-alive` and `expects-continue`.
fn head_lines(h: &Head, out: &mut Lines) {
    out.push(
        format!(
            "request {} {} {} {}",
            h.method,
            h.target,
            h.version,
            form_name(h.form)
        )
        .into_bytes(),
    );
    for f in &h.headers {
        out.push(field_line("field", f));
    }
    out.push(format!("framing {}", framing_name(h.framing)).into_bytes());
    out.push(format!("keep-alive {}", h.keep_alive).into_bytes());
    out.push(format!("expects-continue {}", h.expects_continue).into_bytes());
}

/// `error <Kind> <status> @<offset>`: the status the connection says to
/// answer, `none` when it says to close without an answer.
fn error_line(word: &str, e: &ProtocolError) -> Vec<u8> {
    let status = e.status.map_or("none".to_string(), |s| s.to_string());
    format!("{word} {:?} {status} @{}", e.error.kind(), e.error.offset()).into_bytes()
}

/// The outcome of a request run, as lines.
fn render(run: &Run) -> Lines {
    let mut out = Vec::new();
    for e in &run.events {
        match e {
            Event::Request {
                head,
                body,
                trailers,
                ..
            } => {
                head_lines(head, &mut out);
                if !body.is_empty() {
                    out.push([b"body ", &body[..]].concat());
                }
                for t in trailers {
                    out.push(field_line("trailer", t));
                }
            }
            Event::HeadError(e) => out.push(error_line("error", e)),
            Event::BodyError { head, body, error } => {
                head_lines(head, &mut out);
                if !body.is_empty() {
                    out.push([b"body ", &body[..]].concat());
                }
                out.push(error_line("body-error", error));
            }
        }
    }
    match &run.end {
        End::PartialHead(_) => out.push(b"incomplete head".to_vec()),
        End::PartialBody => out.push(b"incomplete body".to_vec()),
        End::Closed(rest) | End::Switched(rest) if !rest.is_empty() => {
            out.push(format!("unread {}", rest.len()).into_bytes())
        }
        _ => {}
    }
    out
}

/// Reads `input` as a client does, with reads ending at `cuts`: interim
/// (1xx) heads, then the final response's head, framing (by the request's
/// `method`) and body, the end of the input being the connection's close.
/// Returns the outcome lines (see tests/cases/README.md).
fn response_lines(input: &[u8], method: &str, parser: &ResponseParser, cuts: &[usize]) -> Lines {
    let mut ends = cuts.iter().copied().filter(|&c| c > 0 && c < input.len());
    let mut next_end = move || ends.next().unwrap_or(input.len());
    let mut parser = parser.clone();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut out: Lines = Vec::new();
    // Where the head being read starts in `input`.
    let mut head_start = 0;
    // More input, or `false` at its end (the connection closed).
    let mut feed = |buf: &mut Vec<u8>| {
        if fed == input.len() {
            return false;
        }
        let end = next_end().max(fed + 1);
        buf.extend_from_slice(&input[fed..end]);
        fed = end;
        true
    };
    let framing = loop {
        let mut headers = vec![Header::EMPTY; 128];
        match parser.parse(&buf, &mut headers) {
            Err(e) => {
                out.push(format!("error {:?} @{}", e.kind(), e.offset()).into_bytes());
                return out;
            }
            Ok(Status::Partial) => {
                if !feed(&mut buf) {
                    out.push(b"incomplete head".to_vec());
                    return out;
                }
            }
            Ok(Status::Complete(res)) => {
                let head_len = res.head_len;
                assert_eq!(
                    head_end(&input[head_start..]),
                    Some(head_len),
                    "a response head ends at its empty line"
                );
                head_start += head_len;
                // RULES RS-11: a 1xx other than 101 is followed by another head.
                let interim = res.is_interim() && res.status != 101;
                let word = if interim { "interim" } else { "response" };
                out.push(
                    [
                        format!("{word} {} {} ", res.version, res.status).as_bytes(),
                        res.reason,
                    ]
                    .concat(),
                );
                for h in res.headers.iter() {
                    // As a user agent reads it: a fold unfolded (RS-3).
                    let value = h.value_pieces().collect::<Vec<_>>().join(&b' ');
                    out.push(field_line("field", &(h.name.to_owned(), value)));
                }
                if interim {
                    buf.drain(..head_len);
                    continue;
                }
                let plan = match res.framing(method) {
                    Ok(plan) => plan,
                    Err(e) => {
                        out.push(
                            format!("framing-error {:?} @{}", e.kind(), e.offset()).into_bytes(),
                        );
                        return out;
                    }
                };
                out.push(format!("framing {}", framing_name(plan.framing)).into_bytes());
                out.push(format!("close {}", plan.close_after).into_bytes());
                buf.drain(..head_len);
                break plan.framing;
            }
        }
    };
    let mut decoder = BodyDecoder::new(framing, &Limits::DEFAULT);
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    let error = loop {
        match decoder.decode(&buf) {
            Err(e) => break Some(e),
            Ok((n, event)) => {
                let need_more = matches!(event, Decoded::NeedMore);
                let done = matches!(event, Decoded::Done);
                match event {
                    Decoded::Data(d) => body.extend_from_slice(d),
                    Decoded::Trailer(t) => trailers.push(field_line("trailer", &field(&t))),
                    _ => {}
                }
                buf.drain(..n);
                if done {
                    break None;
                }
                if need_more && !feed(&mut buf) {
                    // The connection closed: the end of a close-delimited
                    // body, any other cut short (RULES CL-9).
                    break decoder.finish_at_close().err();
                }
            }
        }
    };
    if !body.is_empty() {
        out.push([b"body ", &body[..]].concat());
    }
    out.extend(trailers);
    if let Some(e) = error {
        out.push(format!("body-error {:?} @{}", e.kind(), e.offset()).into_bytes());
        return out;
    }
    while feed(&mut buf) {}
    if !buf.is_empty() {
        out.push(format!("rest {}", buf.len()).into_bytes());
    }
    out
}

/// TG-2: `Request::authority`, `path` and `query` for absolute URIs with and
/// without an authority.
#[test]
fn absolute_uri_accessors() {
    let cases: [(&str, Option<&str>, &str, Option<&str>); 8] = [
        ("http://h:8/p?q", Some("h:8"), "/p", Some("q")),
        ("http://h?q", Some("h"), "/", Some("q")),
        ("http://h", Some("h"), "/", None),
        ("ftp://u@h/f", Some("u@h"), "/f", None),
        ("file:///etc/hosts", None, "/etc/hosts", None),
        ("urn:isbn:123", None, "isbn:123", None),
        ("mailto:a@b?subject=x", None, "a@b", Some("subject=x")),
        ("ietf:rfc:2648", None, "rfc:2648", None),
    ];
    for (target, authority, path, query) in cases {
        let input = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        let mut headers = [Header::EMPTY; 4];
        let req = RequestParser::new()
            .parse(input.as_bytes(), &mut headers)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(req.target_form, Absolute, "{target}");
        assert_eq!(
            (req.authority(), req.path(), req.query()),
            (authority, path, query),
            "{target}"
        );
    }
}

/// A parse error is final: the parser returns it again, whatever it is given.
#[test]
fn errors_are_final() {
    let mut parser = RequestParser::new();
    let mut headers = [Header::EMPTY; 8];
    let bad = b"GET / HTTP/1.1\r\nHost : a\r\n\r\n";
    let e = parser.parse(bad, &mut headers).unwrap_err();
    assert_eq!(e.kind(), WhitespaceBeforeColon);
    let good = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut headers = [Header::EMPTY; 8];
    assert_eq!(parser.parse(good, &mut headers), Err(e));
    parser.reset();
    let mut headers = [Header::EMPTY; 8];
    assert!(parser.parse(good, &mut headers).unwrap().is_complete());
}

/// The caller's header slice is a limit too (431), like `max_headers`.
#[test]
fn header_slice_too_small() {
    let input = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    let mut headers = [Header::EMPTY; 3];
    let got = RequestParser::new().parse(input, &mut headers).unwrap();
    assert_eq!(got.complete().map(|r| r.headers.len()), Some(3));
    let mut headers = [Header::EMPTY; 2];
    let e = RequestParser::new().parse(input, &mut headers).unwrap_err();
    assert_eq!((e.kind(), e.status()), (TooManyHeaders, 431));
}

// ---------------------------------------------------------------------------
// Cases: options, checks.
// ---------------------------------------------------------------------------

/// A limit set by an option (`max_body=5`), on top of `limits`.
fn set_limit(limits: &mut Limits, name: &str, value: &str) -> Result<(), String> {
    let n: usize = value
        .parse()
        .map_err(|_| format!("{name}={value}: not a number"))?;
    match name {
        "max_request_line" => limits.max_request_line = n,
        "max_method" => limits.max_method = n,
        "max_header_line" => limits.max_header_line = n,
        "max_head" => limits.max_head = n,
        "max_headers" => limits.max_headers = n,
        "max_empty_lines" => limits.max_empty_lines = n,
        "max_body" => limits.max_body = n as u64,
        "max_chunk_line" => limits.max_chunk_line = n,
        "max_chunk_extension" => limits.max_chunk_extension = n,
        "max_trailers" => limits.max_trailers = n,
        _ => return Err(format!("unknown option {name}")),
    }
    Ok(())
}

/// The request parser settings a case's options ask for.
fn request_config(case: &Case) -> Result<Config, String> {
    let mut cfg = Config::default();
    for (name, value) in &case.options {
        match (name.as_str(), value) {
            ("allow_bare_lf", None) => cfg.bare_lf = true,
            (_, Some(v)) => set_limit(&mut cfg.limits, name, v)?,
            _ => return Err(format!("unknown option {name}")),
        }
    }
    Ok(cfg)
}

/// The response parser a case's options ask for.
fn response_parser(case: &Case) -> Result<ResponseParser, String> {
    let mut limits = Limits::DEFAULT;
    let mut flags = Vec::new();
    for (name, value) in &case.options {
        match value {
            Some(v) => set_limit(&mut limits, name, v)?,
            None => flags.push(name.as_str()),
        }
    }
    let mut p = ResponseParser::with_limits(limits);
    for flag in flags {
        p = match flag {
            "allow_bare_lf" => p.allow_bare_lf(true),
            "allow_missing_reason_space" => p.allow_missing_reason_space(true),
            "allow_obs_fold" => p.allow_obs_fold(true),
            "allow_space_before_colon" => p.allow_space_before_colon(true),
            "ignore_invalid_header_lines" => p.ignore_invalid_header_lines(true),
            "allow_transfer_encoding_with_content_length" => {
                p.allow_transfer_encoding_with_content_length(true)
            }
            "allow_equal_content_lengths" => p.allow_equal_content_lengths(true),
            _ => return Err(format!("unknown option {flag}")),
        };
    }
    Ok(p)
}

/// The case's `expect` block, decoded. Lines that are optional for a
/// request (`keep-alive`, `expects-continue`) are compared only where the
/// case has them: they are dropped from `got` otherwise.
fn expected_and_got(case: &Case, mut got: Lines) -> Result<(Lines, Lines), String> {
    let want: Lines = case
        .expect
        .iter()
        .map(|l| cases::decode(l))
        .collect::<Result<_, _>>()?;
    for optional in [&b"keep-alive "[..], b"expects-continue "] {
        if !want.iter().any(|l| l.starts_with(optional)) {
            got.retain(|l| !l.starts_with(optional));
        }
    }
    Ok((want, got))
}

fn show_lines(lines: &[Vec<u8>]) -> String {
    lines
        .iter()
        .map(|l| format!("    {}", cases::encode(l, false)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn compare(case: &Case, got: Lines) -> Result<(), String> {
    let (want, got) = expected_and_got(case, got)?;
    if want != got {
        return Err(format!(
            "expected\n{}\n  got\n{}",
            show_lines(&want),
            show_lines(&got)
        ));
    }
    Ok(())
}

/// What the data says beyond the lines: each accepted head ends at the
/// first empty line after its start, and each message consumes exactly its
/// block (when the case has several; all of the input otherwise).
fn check_structure(case: &Case, run: &Run) -> Result<(), String> {
    let input = case.input();
    let several = case.blocks.len() > 1;
    let mut start = 0;
    for (i, event) in run.events.iter().enumerate() {
        let head = match event {
            Event::Request { head, .. } | Event::BodyError { head, .. } => Some(head),
            Event::HeadError(_) => None,
        };
        if let Some(head) = head {
            let want = head_end(&input[start..]);
            if want != Some(head.head_len) {
                return Err(format!(
                    "message #{i}: head_len {}, but its empty line ends at {want:?}",
                    head.head_len
                ));
            }
        }
        if let Event::Request { consumed, .. } = event {
            let block = if several {
                case.blocks.get(i).map(Vec::len)
            } else {
                Some(input.len())
            };
            if block != Some(*consumed) {
                return Err(format!(
                    "message #{i}: consumed {consumed} bytes, its block has {block:?}"
                ));
            }
            start += consumed;
        }
    }
    Ok(())
}

/// Runs a request case whole and one byte at a time: the whole run must
/// give the expected outcome, the other exactly the same run.
fn check_request_case(case: &Case) -> Result<(), String> {
    let cfg = request_config(case)?;
    let input = case.input();
    let whole = drive(&input, usize::MAX, cfg);
    compare(case, render(&whole))?;
    check_structure(case, &whole)?;
    let bytewise = drive(&input, 1, cfg);
    if bytewise != whole {
        return Err(format!(
            "one byte at a time:\n{}\n  whole:\n{}",
            show_lines(&render(&bytewise)),
            show_lines(&render(&whole))
        ));
    }
    Ok(())
}

/// Runs a response case whole, byte by byte and split in two anywhere.
fn check_response_case(case: &Case) -> Result<(), String> {
    let parser = response_parser(case)?;
    let method = case.method.as_deref().unwrap_or_default();
    let input = case.input();
    let whole = response_lines(&input, method, &parser, &[]);
    compare(case, whole.clone())?;
    let bytewise: Vec<usize> = (1..input.len()).collect();
    let mut runs = vec![(
        "byte by byte".to_string(),
        response_lines(&input, method, &parser, &bytewise),
    )];
    for cut in 1..input.len() {
        runs.push((
            format!("split at {cut}"),
            response_lines(&input, method, &parser, &[cut]),
        ));
    }
    for (how, run) in runs {
        if run != whole {
            return Err(format!(
                "{how}:\n{}\n  whole:\n{}",
                show_lines(&run),
                show_lines(&whole)
            ));
        }
    }
    Ok(())
}

fn check_case(case: &Case) -> Result<(), String> {
    let result = if case.method.is_some() {
        check_response_case(case)
    } else if !case.respond.is_empty() {
        check_connection_case(case)
    } else {
        check_request_case(case)
    };
    result.map_err(|e| {
        format!(
            "{}:\n  input: {}\n  {e}",
            case.place(),
            cases::encode(&case.input(), false)
        )
    })
}

fn check_all<'a>(cases: impl Iterator<Item = &'a Case>) -> Vec<String> {
    cases.filter_map(|c| check_case(c).err()).collect()
}

/// The request cases, without the known disagreements.
fn request_cases() -> Vec<Case> {
    cases::all()
        .into_iter()
        .filter(|c| c.method.is_none() && c.respond.is_empty() && c.disagrees.is_none())
        .collect()
}

// ---------------------------------------------------------------------------
// Connection cases: whole exchanges, the server scripted by `- respond:`.
// ---------------------------------------------------------------------------

/// One answer of a connection case's script: `<status> [body=<bytes>]
/// [Name:value ...]`.
struct Reply {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
}

fn replies(case: &Case) -> Result<Vec<Reply>, String> {
    case.respond
        .iter()
        .map(|spec| {
            let mut words = spec.split(' ');
            let status = words
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("respond {spec:?}: no status"))?;
            let mut reply = Reply {
                status,
                body: Vec::new(),
                headers: Vec::new(),
            };
            for word in words {
                if let Some(body) = word.strip_prefix("body=") {
                    reply.body = cases::decode(body)?;
                } else if let Some((name, value)) = word.split_once(':') {
                    reply
                        .headers
                        .push((name.to_string(), cases::decode(value)?));
                } else {
                    return Err(format!("respond {spec:?}: {word:?}"));
                }
            }
            Ok(reply)
        })
        .collect()
}

/// Plays a connection case: the client sends the input with reads ending
/// at `cuts` (which include the block boundaries: the client sends a block
/// only when the server waits for more), then closes; the server reads
/// every request and body and answers each at its end with the next reply
/// of the script (a 1xx with its head only), and answers an error with its
/// status. Returns the outcome lines (see tests/cases/README.md).
fn drive_connection(case: &Case, cuts: &[usize]) -> Result<Lines, String> {
    let replies = replies(case)?;
    let input = case.input();
    let mut ends = cuts.iter().copied().filter(|&c| c > 0 && c < input.len());
    let mut conn = ServerConnection::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut lines: Lines = Vec::new();
    let mut out = [0u8; 1024];
    // The request being read: its body and trailers so far.
    let mut in_body: Option<(Vec<u8>, Lines)> = None;
    let mut answered = 0;
    let mut peer_closed = false;
    let sent = |bytes: &[u8]| [b"sent ", bytes].concat();
    loop {
        let mut headers = vec![Header::EMPTY; 64];
        let (used, event) = match conn.poll(&buf, &mut headers) {
            Ok(polled) => polled,
            Err(ProtocolError { error, status }) => {
                let word = if in_body.take().is_some() {
                    "body-error"
                } else {
                    "error"
                };
                lines.push(error_line(word, &ProtocolError { error, status }));
                let Some(status) = status else {
                    lines.push(b"close".to_vec());
                    return Ok(lines);
                };
                let n = conn
                    .respond(status, &[], b"", &mut out)
                    .map_err(|e| format!("error response: {e:?}"))?;
                lines.push(sent(&out[..n]));
                // Nothing after an error is read (SM-11): the rest goes
                // with the connection.
                buf.clear();
                fed = input.len();
                continue;
            }
        };
        match event {
            ServerEvent::Request(req) => {
                head_lines_of(&req, &mut lines);
                in_body = Some((Vec::new(), Vec::new()));
            }
            ServerEvent::Continue => {
                lines.push(b"continue".to_vec());
                lines.push(sent(httpwire::conn::CONTINUE));
            }
            ServerEvent::Data(d) => in_body.as_mut().ok_or("data outside a body")?.0.extend(d),
            ServerEvent::Trailer(h) => in_body
                .as_mut()
                .ok_or("trailer outside a body")?
                .1
                .push(field_line("trailer", &field(&h))),
            ServerEvent::EndOfRequest => {
                let (body, trailers) = in_body.take().ok_or("end outside a request")?;
                if !body.is_empty() {
                    lines.push([b"body ", &body[..]].concat());
                }
                lines.extend(trailers);
                let reply = replies
                    .get(answered.min(replies.len().saturating_sub(1)))
                    .ok_or("no `- respond:` line")?;
                answered += 1;
                let fields: Vec<Header<'_>> = reply
                    .headers
                    .iter()
                    .map(|(name, value)| Header { name, value })
                    .collect();
                let n = if (100..200).contains(&reply.status) {
                    conn.send_response(reply.status, &fields, None, &mut out)
                } else {
                    conn.respond(reply.status, &fields, &reply.body, &mut out)
                }
                .map_err(|e| format!("respond {}: {e:?}", reply.status))?;
                lines.push(sent(&out[..n]));
            }
            ServerEvent::NeedMore => {
                if fed == input.len() {
                    if peer_closed {
                        return Err("NeedMore after the peer closed".into());
                    }
                    // The client has sent everything: it closes.
                    peer_closed = true;
                    conn.peer_closed();
                } else {
                    let end = ends.next().unwrap_or(input.len()).max(fed + 1);
                    buf.extend_from_slice(&input[fed..end]);
                    fed = end;
                }
            }
            ServerEvent::Close => {
                lines.push(b"close".to_vec());
                let unread = buf.len() - used + input.len() - fed;
                if unread > 0 {
                    lines.push(format!("unread {unread}").into_bytes());
                }
                return Ok(lines);
            }
            ServerEvent::Switched(rest) => {
                let n = rest.len() + input.len() - fed;
                lines.push(format!("switched {n}").into_bytes());
                return Ok(lines);
            }
            ServerEvent::Paused => {
                return Err("paused: every request is answered at its end".into())
            }
        }
        buf.drain(..used);
    }
}

/// The block boundaries of a case: where its client waits for the server.
fn block_ends(case: &Case) -> Vec<usize> {
    case.blocks
        .iter()
        .scan(0, |end, block| {
            *end += block.len();
            Some(*end)
        })
        .collect()
}

/// Runs a connection case with reads ending at its block boundaries only,
/// then also at every byte, and at each single offset: each run must give
/// the expected outcome (but for when 100 Continue is asked for).
fn check_connection_case(case: &Case) -> Result<(), String> {
    let blocks = block_ends(case);
    let whole = drive_connection(case, &blocks)?;
    compare(case, whole.clone())?;
    let input_len = case.input().len();
    let mut runs = vec![(
        "byte by byte".to_string(),
        (1..input_len).collect::<Vec<_>>(),
    )];
    for cut in 1..input_len {
        let mut cuts = blocks.clone();
        cuts.push(cut);
        cuts.sort_unstable();
        runs.push((format!("split at {cut}"), cuts));
    }
    // Whether the client waited for 100 Continue is a matter of timing
    // (PC-4): a read that ends right after the head is a client that
    // waits. Everything else must not depend on where reads end.
    let timeless = |lines: &Lines| -> Lines {
        let continue_sent = [&b"sent "[..], httpwire::conn::CONTINUE].concat();
        lines
            .iter()
            .filter(|l| *l != b"continue" && **l != continue_sent)
            .cloned()
            .collect()
    };
    let whole_timeless = timeless(&whole);
    for (how, cuts) in runs {
        let run = drive_connection(case, &cuts)?;
        if timeless(&run) != whole_timeless {
            return Err(format!(
                "{how}:\n{}\n  whole:\n{}",
                show_lines(&run),
                show_lines(&whole)
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

#[test]
fn conformance_cases() {
    let all = cases::all();
    let failures = check_all(all.iter().filter(|c| c.disagrees.is_none()));
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

/// Every case names a rule, names are unique, server-level cases have a
/// level, and the options are known.
#[test]
fn case_files_are_well_formed() {
    let all = cases::all();
    assert!(all.len() >= 592, "only {} cases", all.len());
    let mut names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    for pair in names.windows(2) {
        assert_ne!(pair[0], pair[1], "duplicate case name");
    }
    for c in &all {
        let place = c.place();
        assert!(!c.rules.is_empty(), "{place}: no rule id");
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{place}: a name is [a-z0-9_]"
        );
        if c.method.is_some() {
            response_parser(c).unwrap_or_else(|e| panic!("{place}: {e}"));
        } else {
            request_config(c).unwrap_or_else(|e| panic!("{place}: {e}"));
            // Server-level: what any server can be asked over TCP.
            assert!(
                c.level.is_some() || !c.options.is_empty(),
                "{place}: a request case without options needs a level"
            );
        }
    }
}

/// The same cases fed in pieces of other sizes (the byte-at-a-time run is in
/// every case already): a server's reads rarely line up with anything.
#[test]
fn conformance_cases_in_odd_pieces() {
    let mut failures = Vec::new();
    for case in request_cases() {
        let cfg = request_config(&case).unwrap();
        let input = case.input();
        let whole = drive(&input, usize::MAX, cfg);
        for piece in [2, 3, 7, 64] {
            let run = drive(&input, piece, cfg);
            if run != whole {
                failures.push(format!(
                    "{} in pieces of {piece}:\n{}\n  whole:\n{}",
                    case.place(),
                    show_lines(&render(&run)),
                    show_lines(&render(&whole))
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each small request case with one read boundary at every possible offset:
/// where a read ends must never change the outcome.
#[test]
fn conformance_cases_split_in_two_anywhere() {
    let mut failures = Vec::new();
    for case in request_cases() {
        let cfg = request_config(&case).unwrap();
        let input = case.input();
        if input.len() > 1024 {
            continue;
        }
        let whole = drive(&input, usize::MAX, cfg);
        if let Some(cut) = (1..input.len()).find(|&cut| drive_at(&input, &[cut], cfg) != whole) {
            failures.push(format!(
                "{} split at {cut}:\n{}\n  whole:\n{}",
                case.place(),
                show_lines(&render(&drive_at(&input, &[cut], cfg))),
                show_lines(&render(&whole))
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every known disagreement (`- disagrees:`), expected per CONFORMANCE.md.
/// Fails until src is fixed: `cargo test --test conformance -- --ignored`
/// lists them.
#[test]
#[ignore = "known disagreements between src and CONFORMANCE.md; see the cases' `disagrees` notes"]
fn known_disagreements() {
    let all = cases::all();
    let failures = check_all(all.iter().filter(|c| c.disagrees.is_some()));
    assert!(
        failures.is_empty(),
        "{} known disagreement(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A deliberately wrong expectation, in each place the runner checks, must
/// fail: the runner can fail.
#[test]
fn a_wrong_expectation_fails() {
    let text = "# t\n## CL-1\n- level: MUST\n### c\n```http\nPOST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 2\\r\\n\\r\\nhi\n```\n```expect\nEXPECT\n```\n";
    let right = "request POST / HTTP/1.1 origin\nfield Host: a\nfield Content-Length: 2\nframing length 2\nbody hi";
    let case = |expect: &str| {
        let mut c = cases::parse("t.md", &text.replace("EXPECT", expect)).unwrap();
        c.remove(0)
    };
    assert_eq!(check_case(&case(right)), Ok(()));
    for wrong in [
        right.replace("body hi", "body ho"),
        right.replace("length 2", "length 3"),
        right.replace("Host: a", "Host: b"),
        right.replace("origin", "absolute"),
        right.replace("\nbody hi", ""),
        format!("{right}\nkeep-alive false"),
    ] {
        assert!(check_case(&case(&wrong)).is_err(), "{wrong}");
    }
    // Two blocks: the first request must consume exactly the first.
    let mut c = case(right);
    let last = c.blocks[0].len() - 1;
    let moved = c.blocks[0].split_off(last);
    c.blocks.push(moved);
    assert!(check_case(&c).is_err());

    // The same as a response (`- method:`) and as an exchange (`- respond:`).
    let response = |meta: &str, expect: &str| {
        let text = format!("# t\n## RS-1\n### r\n{meta}\n```http\nHTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi\n```\n```expect\n{expect}\n```\n");
        cases::parse("t.md", &text).unwrap().remove(0)
    };
    let right =
        "response HTTP/1.1 200 OK\nfield Content-Length: 2\nframing length 2\nclose false\nbody hi";
    assert_eq!(check_case(&response("- method: GET", right)), Ok(()));
    assert!(check_case(&response("- method: HEAD", right)).is_err());
    assert!(check_case(&response(
        "- method: GET",
        &right.replace("close false", "close true")
    ))
    .is_err());
    let exchange = |respond: &str, expect: &str| {
        let text = format!("# t\n## PL-1\n- level: MUST\n### x\n- respond: {respond}\n```http\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n\n```\n```expect\n{expect}\n```\n");
        cases::parse("t.md", &text).unwrap().remove(0)
    };
    let right = "request GET / HTTP/1.1 origin\nfield Host: a\nframing none\nsent HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi\nclose";
    assert_eq!(check_case(&exchange("200 body=hi", right)), Ok(()));
    assert!(check_case(&exchange("200 body=ho", right)).is_err());
    assert!(check_case(&exchange("200 body=hi", &right.replace("\nclose", ""))).is_err());
}

// ---------------------------------------------------------------------------
// The corpus: written from the cases.
// ---------------------------------------------------------------------------

/// `ErrorKind` as `ErrorKind::name()` spells it: `BareLf` is `bare_lf`.
fn snake(kind: &str) -> String {
    let mut s = String::new();
    for (i, c) in kind.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

/// The `.expect` file of a request case: one line per request, the coarse
/// summary corpus/README.md describes, derived from the case's `expect`
/// block (not from a run).
fn corpus_expect(case: &Case) -> String {
    let mut out = format!(
        "# {}\n# written from tests/cases/{} ({}); edit it there\n",
        case.rules.join(", "),
        case.file,
        case.name
    );
    // The request being summed up: its words, framing, body length, trailers.
    let mut current: Option<(String, String, usize, usize)> = None;
    let flush = |out: &mut String, current: &mut Option<(String, String, usize, usize)>| {
        if let Some((words, framing, body, trailers)) = current.take() {
            out.push_str(&format!(
                "{words} {framing} body={body} trailers={trailers}\n"
            ));
        }
    };
    for line in &case.expect {
        let raw = cases::decode(line).unwrap();
        let line = String::from_utf8_lossy(&raw).into_owned();
        let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
        match word {
            "request" => {
                flush(&mut out, &mut current);
                let mut parts = rest.split(' ');
                let (m, t, v) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                current = Some((format!("request {m} {t} {v}"), String::new(), 0, 0));
            }
            "framing" => current.as_mut().unwrap().1 = rest.to_string(),
            "body" => current.as_mut().unwrap().2 = raw.len() - "body ".len(),
            "trailer" => current.as_mut().unwrap().3 += 1,
            "error" | "body-error" => {
                if word == "error" {
                    flush(&mut out, &mut current);
                }
                // A request whose body failed is summed up by the error.
                current = None;
                let mut parts = rest.split(' ');
                let (kind, status) = (parts.next().unwrap(), parts.next().unwrap());
                out.push_str(&format!("{word} {} {status}\n", snake(kind)));
            }
            "incomplete" => {
                flush(&mut out, &mut current);
                out.push_str(&format!("{line}\n"));
            }
            "unread" => {
                flush(&mut out, &mut current);
                out.push_str(&format!("{rest} bytes never read\n"));
            }
            _ => {}
        }
    }
    flush(&mut out, &mut current);
    out
}

/// The corpus files the cases say there are: path under `corpus/`, bytes.
/// Every response case is `responses/<name>.http`; a request case with
/// `- corpus: valid/x` (or `invalid/x`) is `x.http` there, with an `.expect`.
fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for case in cases::all() {
        if case.method.is_some() {
            files.push((format!("responses/{}.http", case.name), case.input()));
        } else if let Some(path) = &case.corpus {
            let dir = path.split('/').next().unwrap_or_default();
            let ok = !case
                .expect
                .iter()
                .any(|l| l.starts_with("error ") || l.starts_with("body-error "));
            assert_eq!(
                dir,
                if ok { "valid" } else { "invalid" },
                "{}: corpus/{path} is in the wrong directory",
                case.place()
            );
            files.push((format!("{path}.http"), case.input()));
            files.push((format!("{path}.expect"), corpus_expect(&case).into_bytes()));
        }
    }
    files
}

/// `corpus/valid`, `corpus/invalid` and `corpus/responses` hold exactly the
/// files the cases say (the fuzzers seed from them, and nothing else writes
/// them). `HTTPWIRE_REGENERATE_CORPUS=1 cargo test --test conformance
/// corpus` rewrites them after a case changes; `corpus/regressions` is not
/// touched.
#[test]
fn corpus_is_generated_from_the_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let regenerate = std::env::var_os("HTTPWIRE_REGENERATE_CORPUS").is_some();
    let files = corpus_files();
    let mut wrong = Vec::new();
    for dir in ["valid", "invalid", "responses"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            if !files.iter().any(|(n, _)| *n == name) {
                if regenerate {
                    std::fs::remove_file(&path).unwrap();
                } else {
                    wrong.push(format!("{name}: no case says so"));
                }
            }
        }
    }
    for (name, bytes) in &files {
        let path = root.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            if regenerate {
                std::fs::write(&path, bytes).unwrap();
            } else {
                wrong.push(format!("{name}: stale or missing"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "corpus/ differs from tests/cases (HTTPWIRE_REGENERATE_CORPUS=1 rewrites it):\n{}",
        wrong.join("\n")
    );
    assert!(
        files.len() >= 2 * 81 + 46,
        "only {} corpus files",
        files.len()
    );
}
