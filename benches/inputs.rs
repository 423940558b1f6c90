//! The heads the head-parsing benchmarks use, and the parse calls they
//! compare (httpwire, httparse, picohttpparser), shared by
//! `benches/parse.rs` (criterion), `benches/race.rs` (interleaved, one
//! process) and `examples/icount.rs` (instruction counts,
//! `benches/icount.sh`): one copy of each input and each call.

// Each of the three users takes a different subset of what is here.
#![allow(dead_code)]

use std::hint::black_box;
use std::io::Write as _;
use std::ptr;

use httpwire::{Header, RequestParser, ResponseParser, Status};
use picohttpparser_sys::{phr_header, phr_parse_request, phr_parse_response};

/// The 45-byte minimal HTTP/1.1 request: request line and `Host`, nothing
/// else. It is what the echo server gets from a bare client such as
/// `wrk http://127.0.0.1/echo/hello` (wrk sends only `Host`; with a port in
/// the URL it appends `:port`, 51 bytes); curl adds `User-Agent` and
/// `Accept` (about 90 bytes).
pub const SMALL: &[u8] = b"GET /echo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// A 286-byte JSON-API request head (the body is not part of it): a
/// `POST` with a bearer token (an HS256 JWT), as a script or service
/// calling an API sends it.
pub const POST: &[u8] = b"POST /v1/orders HTTP/1.1\r\n\
Host: api.example.com\r\n\
User-Agent: python-requests/2.32.3\r\n\
Accept: application/json\r\n\
Content-Type: application/json\r\n\
Content-Length: 48\r\n\
Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.9MUDJ0_QnwAYgJmSItW0XCDUQatxsR2EhxAGiUQCkHo\r\n\r\n";

/// The 720-byte browser request of picohttpparser's and httparse's
/// benchmarks.
pub const TYPICAL: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";

/// A 1,873-byte request with 41 fields (`Host` and 39 `X-Custom-Header-N`).
pub fn many_headers() -> Vec<u8> {
    let mut r = b"GET /api/v1/items?page=2 HTTP/1.1\r\nHost: api.example.com\r\n".to_vec();
    for i in 0..39 {
        write!(r, "X-Custom-Header-{i}: value-{i}-abcdefghijklmnop\r\n").unwrap();
    }
    r.extend_from_slice(b"\r\n");
    r
}

/// A request whose target is a 4 KiB query (about 4.1 KB in all).
pub fn long_target() -> Vec<u8> {
    let mut r = b"GET /search?q=".to_vec();
    while r.len() < 4096 {
        r.extend_from_slice(b"abcdefgh%20ijkl/");
    }
    r.extend_from_slice(b" HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n");
    r
}

/// The 38-byte smallest useful response head, as the echo server's answer
/// to `GET /echo/hello` without its `Date`.
pub const RESPONSE_SMALL: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";

/// A 245-byte response head of a web server or API gateway.
pub const RESPONSE_TYPICAL: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Wed, 25 Nov 2026 22:19:18 GMT\r\n\
Server: nginx/1.22.1\r\n\
Content-Type: application/json; charset=utf-8\r\n\
Content-Length: 1270\r\n\
Cache-Control: private, max-age=0, must-revalidate\r\n\
ETag: \"5f3c9a1e-4f6\"\r\n\
Connection: keep-alive\r\n\r\n";

/// Which kind of head an input is, so which parsers take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// A request head: [`REQUEST_PARSERS`].
    Request,
    /// A response head: [`RESPONSE_PARSERS`].
    Response,
}

impl Head {
    /// The parsers compared on this kind of head.
    pub fn parsers(self) -> &'static [Parser] {
        match self {
            Head::Request => &REQUEST_PARSERS,
            Head::Response => &RESPONSE_PARSERS,
        }
    }
}

/// One benchmark input.
pub struct Case {
    /// Its name in tables and on command lines.
    pub name: &'static str,
    /// The complete head.
    pub bytes: Vec<u8>,
    /// Request or response.
    pub head: Head,
}

/// Every head-parsing input, requests first, in size order within each kind.
pub fn cases() -> Vec<Case> {
    let case = |name, bytes: &[u8], head| Case {
        name,
        bytes: bytes.to_vec(),
        head,
    };
    vec![
        case("small", SMALL, Head::Request),
        case("post", POST, Head::Request),
        case("typical", TYPICAL, Head::Request),
        case("many_headers", &many_headers(), Head::Request),
        case("long_target", &long_target(), Head::Request),
        case("response_small", RESPONSE_SMALL, Head::Response),
        case("response_typical", RESPONSE_TYPICAL, Head::Response),
    ]
}

/// One parser under test.
#[derive(Clone, Copy)]
pub struct Parser {
    /// Its name in tables and on command lines.
    pub name: &'static str,
    /// One whole-buffer parse into a new 64-slot field array, returning
    /// (head length, field count); panics if the parser rejects the input.
    pub parse: fn(&[u8]) -> (usize, usize),
    /// `parse` `n` times in a loop compiled for this parser, so that the
    /// call inlines into it as in criterion's `b.iter` (a call through the
    /// `parse` pointer would add the same indirect call to every parser).
    /// The loop makes its 64-slot field array once and parses into it
    /// every time, as a server keeps one per connection: what is timed is
    /// the parse, not the caller's setting up of 2 KiB of field slots
    /// (which each language does its own way: zeros for pico's C structs,
    /// an empty `&str` and slice for the Rust parsers).
    pub repeat: fn(&[u8], u64) -> usize,
}

/// The loop behind [`Parser::repeat`]: `black_box` on the input each time,
/// so the parse cannot be hoisted out of it.
#[inline(always)]
fn repeat<'b, F: FnMut(&'b [u8]) -> (usize, usize)>(mut parse: F, buf: &'b [u8], n: u64) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let (len, fields) = parse(black_box(buf));
        acc = acc.wrapping_add(len ^ fields);
    }
    acc
}

macro_rules! parser {
    ($name:literal, $parse:path, $empty:expr) => {
        Parser {
            name: $name,
            parse: |buf| $parse(buf, &mut [$empty; 64]),
            repeat: |buf, n| {
                let mut fields = [$empty; 64];
                repeat(|b| $parse(b, &mut fields), buf, n)
            },
        }
    };
}

/// The request parsers, ours first.
pub const REQUEST_PARSERS: [Parser; 3] = [
    parser!("httpwire", ours, Header::EMPTY),
    parser!("httparse", theirs, httparse::EMPTY_HEADER),
    parser!("pico", pico, phr_header::default()),
];

/// The response parsers.
pub const RESPONSE_PARSERS: [Parser; 3] = [
    parser!("httpwire", ours_response, Header::EMPTY),
    parser!("httparse", theirs_response, httparse::EMPTY_HEADER),
    parser!("pico", pico_response, phr_header::default()),
];

/// One whole-buffer parse by httpwire.
pub fn ours<'b>(buf: &'b [u8], headers: &mut [Header<'b>]) -> (usize, usize) {
    match RequestParser::new().parse(buf, headers) {
        Ok(Status::Complete(r)) => (r.head_len, r.headers.len()),
        _ => panic!("httpwire rejected the bench input"),
    }
}

/// One whole-buffer response parse by httpwire.
pub fn ours_response<'b>(buf: &'b [u8], headers: &mut [Header<'b>]) -> (usize, usize) {
    match ResponseParser::new().parse(buf, headers) {
        Ok(Status::Complete(r)) => (r.head_len, r.headers.len()),
        _ => panic!("httpwire rejected the bench input"),
    }
}

/// The same by httparse.
pub fn theirs<'b>(buf: &'b [u8], headers: &mut [httparse::Header<'b>]) -> (usize, usize) {
    let mut req = httparse::Request::new(headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => (n, req.headers.len()),
        _ => panic!("httparse rejected the bench input"),
    }
}

/// The same by picohttpparser (its vendored C, built with SSE4.2).
pub fn pico(buf: &[u8], headers: &mut [phr_header]) -> (usize, usize) {
    let mut num_headers = headers.len();
    let (mut method, mut method_len) = (ptr::null(), 0);
    let (mut path, mut path_len) = (ptr::null(), 0);
    let mut minor_version = 0;
    // SAFETY: `buf` is readable for `buf.len()` bytes; every out-pointer
    // is to a live local of the type the C prototype names, or to the
    // caller's `headers`, writable for `num_headers` slots (its length),
    // which pico writes no further than. The pointers pico stores point
    // into `buf`; nothing here reads through them.
    let n = unsafe {
        phr_parse_request(
            buf.as_ptr().cast(),
            buf.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor_version,
            headers.as_mut_ptr(),
            &mut num_headers,
            0,
        )
    };
    // -1 is an error, -2 an incomplete head.
    assert!(n > 0, "picohttpparser rejected the bench input");
    (n as usize, num_headers)
}

/// One whole-buffer response-head parse by httparse.
pub fn theirs_response<'b>(buf: &'b [u8], headers: &mut [httparse::Header<'b>]) -> (usize, usize) {
    let mut res = httparse::Response::new(headers);
    match res.parse(buf) {
        Ok(httparse::Status::Complete(n)) => (n, res.headers.len()),
        _ => panic!("httparse rejected the bench response"),
    }
}

/// The same by picohttpparser.
pub fn pico_response(buf: &[u8], headers: &mut [phr_header]) -> (usize, usize) {
    let mut num_headers = headers.len();
    let (mut minor_version, mut status) = (0, 0);
    let (mut msg, mut msg_len) = (ptr::null(), 0);
    // SAFETY: as in `pico`: `buf` is readable for `buf.len()` bytes, the
    // out-pointers are to live locals of the prototype's types or to the
    // caller's `headers`, and `num_headers` is its length.
    let n = unsafe {
        phr_parse_response(
            buf.as_ptr().cast(),
            buf.len(),
            &mut minor_version,
            &mut status,
            &mut msg,
            &mut msg_len,
            headers.as_mut_ptr(),
            &mut num_headers,
            0,
        )
    };
    assert!(n > 0, "picohttpparser rejected the bench response");
    (n as usize, num_headers)
}

/// `input` fed one byte more per call to one resumable parser (its
/// intended use when bytes trickle in).
pub fn ours_bytewise(input: &'static [u8], headers: &mut [Header<'static>]) -> usize {
    let mut parser = RequestParser::new();
    for end in 1..=input.len() {
        if let Ok(Status::Complete(r)) = parser.parse(black_box(&input[..end]), headers) {
            return r.head_len;
        }
    }
    unreachable!("the bench inputs are complete requests")
}

/// The same with httparse, which parses from the start on each call (its
/// documented usage).
pub fn theirs_bytewise(input: &'static [u8], headers: &mut [httparse::Header<'static>]) -> usize {
    for end in 1..=input.len() {
        let mut req = httparse::Request::new(headers);
        if let Ok(httparse::Status::Complete(n)) = req.parse(black_box(&input[..end])) {
            return n;
        }
    }
    unreachable!("the bench inputs are complete requests")
}

/// The pipelined stream: 16 [`SMALL`] requests back to back, as a
/// pipelining client (`wrk` with a pipeline script) sends them.
pub fn pipelined() -> Vec<u8> {
    SMALL.repeat(16)
}

/// The bare parser over the pipelined stream: each head parsed where the
/// previous one ended. Returns the sum of the head lengths.
pub fn pipelined_parser(buf: &[u8]) -> usize {
    let mut headers = [Header::EMPTY; 64];
    let mut parser = RequestParser::new();
    let mut at = 0;
    let mut sum = 0;
    while at < buf.len() {
        match parser.parse(&buf[at..], &mut headers) {
            Ok(Status::Complete(r)) => {
                sum += r.head_len + r.headers.len();
                at += r.head_len;
            }
            _ => panic!("httpwire rejected the pipelined input"),
        }
    }
    sum
}

/// The bare parser over the pipelined stream plus the serializer writing
/// the same `204` the server role sends for each: what the server role
/// does, without the connection's bookkeeping.
pub fn pipelined_parser_and_serializer(buf: &[u8], out: &mut [u8]) -> usize {
    use httpwire::serialize::ResponseHead;
    use httpwire::Framing;
    let mut headers = [Header::EMPTY; 64];
    let mut parser = RequestParser::new();
    let mut at = 0;
    let mut sum = 0;
    while at < buf.len() {
        match parser.parse(&buf[at..], &mut headers) {
            Ok(Status::Complete(r)) => {
                sum += r.head_len + r.headers.len();
                at += r.head_len;
            }
            _ => panic!("httpwire rejected the pipelined input"),
        }
        // `black_box`: a caller's status and fields are not constants the
        // compiler may fold into the serializer.
        let head = ResponseHead {
            status: black_box(204),
            reason: None,
            headers: black_box(&[]),
            framing: Framing::None,
        };
        sum += head.encode(out).expect("room");
    }
    sum
}

/// The same stream through the server role of the sans-IO connection:
/// every event polled (the request, its end, the pause for the next), each
/// request answered with the smallest response (`204`, no fields) written
/// into `out`. Returns the sum of the head lengths and response lengths.
pub fn pipelined_server_role(buf: &[u8], out: &mut [u8]) -> usize {
    use httpwire::conn::{ServerConnection, ServerEvent};
    let mut conn = ServerConnection::new();
    let mut headers = [Header::EMPTY; 64];
    let mut at = 0;
    let mut sum = 0;
    loop {
        let (used, event) = conn.poll(&buf[at..], &mut headers).expect("valid input");
        match event {
            ServerEvent::Request(r) => sum += r.head_len + r.headers.len(),
            ServerEvent::EndOfRequest => {
                // `black_box`, as in `pipelined_parser_and_serializer`.
                let (status, fields) = black_box((204, &[][..]));
                sum += conn.send_response(status, fields, None, out).expect("room");
                sum += conn.send_end(&[], out).expect("room");
            }
            ServerEvent::NeedMore => return sum,
            other => panic!("unexpected {other:?}"),
        }
        at += used;
    }
}
