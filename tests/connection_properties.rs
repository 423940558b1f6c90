//! Properties of the sans-IO connections (`httpwire::conn`), on generated
//! input.
//!
//! * (a) Server role, any split: valid generated requests (GET, HEAD, POST
//!   or a random method; Content-Length, chunked with trailers, or no body;
//!   `Connection: close` / `keep-alive`, `Expect: 100-continue`, upgrade
//!   fields; HTTP/1.0, 1.1, 1.7) back to back, then an optional tail (an
//!   invalid request, random bytes, or a request cut short), fed whole and
//!   in random pieces the way a caller feeds them, each request answered
//!   when its head is read or when the connection says `Paused`: the same
//!   events and the same output bytes. The whole run reads exactly the
//!   generated requests (up to a close or switch), and ends in an error only
//!   in the tail.
//! * (b) Round trip: random requests sent by a client-role connection and
//!   read by a server-role one, which answers random responses (interim
//!   1xx, 204, 205, 304, HEAD, known and unknown lengths, trailers; to
//!   HTTP/1.0 requests too, close-delimited then) that the client reads
//!   back: both see what the other sent, and both agree whether the
//!   connection persists, exchange after exchange.
//!
//! The server-role driver is `fuzz/src/conn.rs`, shared with the
//! `connection_server` and `connection_client` fuzz targets.

#[path = "common/generators.rs"]
mod generators;

// The client driver there is the fuzz target's alone.
#[allow(dead_code)]
#[path = "../fuzz/src/conn.rs"]
mod driver;

use driver::{run_server, Answer, Reply, RequestHead, ServerEv, ServerRun, When};
use generators::{field, host, method, request_with, target, Field, Generated};
use httpwire::conn::{ClientConnection, ClientEvent, SendError, ServerConnection, ServerEvent};
use httpwire::serialize::reason_phrase;
use httpwire::{EncodeError, Framing, Header, Version};
use proptest::prelude::*;
use proptest::sample::{select, Index};

// ---------------------------------------------------------------------------
// (a) Server role: any split gives the same events and output.
// ---------------------------------------------------------------------------

/// Fields that change what the connection does.
const SEMANTIC: &[(&str, &str)] = &[
    ("Connection", "close"),
    ("Connection", "keep-alive"),
    ("Expect", "100-continue"),
    ("Connection", "upgrade"),
    ("Upgrade", "websocket"),
];

fn connection_request() -> impl Strategy<Value = Generated> {
    let methods = prop_oneof![
        Just("GET".to_string()),
        Just("HEAD".to_string()),
        Just("POST".to_string()),
        method(),
    ];
    request_with(methods, prop::collection::vec(select(SEMANTIC), 0..3), true)
}

/// Requests the server must refuse, each with what follows them.
const INVALID: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n\r\n",
    b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\n\n",
    b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
];

/// What follows the valid requests.
fn tail() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        select(INVALID).prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..48),
        // A request cut short: the peer closes inside a head or a body.
        (connection_request(), any::<Index>())
            .prop_map(|(g, at)| g.bytes[..at.index(g.bytes.len())].to_vec()),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    let replies = vec![
        Reply::Hello,
        Reply::Streamed,
        Reply::NoContent,
        Reply::NotModified,
        Reply::Close,
        Reply::Empty,
        Reply::Upgrade,
    ];
    (select(vec![When::AtHead, When::Paused]), select(replies))
        .prop_map(|(when, reply)| Answer { when, reply })
}

/// A request as the server read it: head, body, trailers.
type Read = (RequestHead, Vec<u8>, Vec<Field>);

/// The requests of a run, complete ones (with their `End`) first, and
/// whether the last one was complete.
fn requests_read(run: &ServerRun) -> (Vec<Read>, bool) {
    let mut reqs: Vec<Read> = Vec::new();
    let mut complete = true;
    for ev in &run.events {
        match ev {
            ServerEv::Request(head) => {
                reqs.push((head.clone(), Vec::new(), Vec::new()));
                complete = false;
            }
            ServerEv::Data(d) => reqs.last_mut().expect("data of a request").1.extend(d),
            ServerEv::Trailer(t) => reqs
                .last_mut()
                .expect("trailer of a request")
                .2
                .push(t.clone()),
            ServerEv::End => complete = true,
            _ => {}
        }
    }
    (reqs, complete)
}

/// The whole run read exactly the generated requests, in order, until the
/// connection closed or switched; an error came only after all of them.
fn check_whole_run(run: &ServerRun, generated: &[Generated]) -> Result<(), TestCaseError> {
    let (read, last_complete) = requests_read(run);
    for (i, (g, (head, body, trailers))) in generated.iter().zip(&read).enumerate() {
        let e = &g.expected;
        let want = RequestHead {
            method: e.method.clone(),
            target: e.target.clone(),
            version: e.version,
            headers: e.headers.clone(),
            framing: e.framing,
        };
        prop_assert_eq!(head, &want, "request {}", i);
        // A request answered before its body and then closed (PC-4) may
        // stop being read only after it ended; otherwise all of it is read.
        if i + 1 < read.len() || last_complete {
            prop_assert_eq!(body, &e.body, "body of request {}", i);
            prop_assert_eq!(trailers, &e.trailers, "trailers of request {}", i);
        }
    }
    match run.events.last() {
        Some(ServerEv::Error(..)) => prop_assert!(
            read.len() > generated.len() || (read.len() == generated.len() && last_complete),
            "an error among the valid requests: {:?}",
            run.events
        ),
        Some(ServerEv::Close | ServerEv::Switched(_)) => {}
        other => prop_assert!(false, "the run ended with {:?}", other),
    }
    if read.len() < generated.len() {
        prop_assert!(
            matches!(
                run.events.last(),
                Some(ServerEv::Close | ServerEv::Switched(_))
            ),
            "stopped after {} of {} requests without a close",
            read.len(),
            generated.len()
        );
    }
    Ok(())
}

/// Sorted piece ends from random indexes into `len` bytes.
fn ends(cuts: &[Index], len: usize) -> Vec<usize> {
    let mut ends: Vec<usize> = cuts.iter().map(|i| i.index(len + 1)).collect();
    ends.sort_unstable();
    ends.push(len);
    ends
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (a) Whole: the generated requests. In pieces: the same events and
    /// output.
    #[test]
    fn any_split_gives_the_same_server_events(
        reqs in prop::collection::vec(connection_request(), 1..4),
        tail in tail(),
        answers in prop::collection::vec(answer(), 1..4),
        cuts in prop::collection::vec(any::<Index>(), 0..16),
        fresh in any::<bool>(),
    ) {
        let mut input: Vec<u8> = reqs.iter().flat_map(|g| g.bytes.iter().copied()).collect();
        input.extend_from_slice(&tail);
        let whole = run_server(ServerConnection::new(), &input, &[input.len()], &answers, false);
        check_whole_run(&whole, &reqs)?;
        let ends = ends(&cuts, input.len());
        let split = run_server(ServerConnection::new(), &input, &ends, &answers, fresh);
        prop_assert_eq!(split, whole, "pieces ending at {:?}", ends);
    }

    /// (a) One byte at a time is just another split.
    #[test]
    fn byte_at_a_time_gives_the_same_server_events(
        reqs in prop::collection::vec(connection_request(), 1..3),
        tail in tail(),
        answers in prop::collection::vec(answer(), 1..4),
    ) {
        let mut input: Vec<u8> = reqs.iter().flat_map(|g| g.bytes.iter().copied()).collect();
        input.extend_from_slice(&tail);
        let whole = run_server(ServerConnection::new(), &input, &[input.len()], &answers, false);
        let ends: Vec<usize> = (0..=input.len()).collect();
        prop_assert_eq!(run_server(ServerConnection::new(), &input, &ends, &answers, false), whole);
    }
}

// ---------------------------------------------------------------------------
// (b) Round trip: client role → server role → client role.
// ---------------------------------------------------------------------------

/// A body as its sender gives it: in pieces, with a known length (the sum)
/// or an unknown one (chunked, with trailers).
#[derive(Clone, Debug)]
enum Body {
    Known(Vec<Vec<u8>>),
    Unknown(Vec<Vec<u8>>, Vec<Field>),
}

impl Body {
    fn pieces(&self) -> &[Vec<u8>] {
        match self {
            Body::Known(p) | Body::Unknown(p, _) => p,
        }
    }
    fn data(&self) -> Vec<u8> {
        self.pieces().concat()
    }
    fn length(&self) -> Option<u64> {
        match self {
            Body::Known(p) => Some(p.iter().map(|p| p.len() as u64).sum()),
            Body::Unknown(..) => None,
        }
    }
    fn trailers(&self) -> &[Field] {
        match self {
            Body::Known(_) => &[],
            Body::Unknown(_, t) => t,
        }
    }
}

fn body() -> impl Strategy<Value = Body> {
    let pieces = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 0..4);
    prop_oneof![
        pieces.clone().prop_map(Body::Known),
        (pieces, prop::collection::vec(field(), 0..3)).prop_map(|(p, t)| Body::Unknown(p, t)),
    ]
}

/// One exchange: the request the client sends and the response the server
/// sends back.
#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    target: String,
    /// Host and random fields (and `Connection` fields below), in order.
    fields: Vec<Field>,
    client_close: bool,
    /// The server is fed the request as HTTP/1.0 (the client always sends
    /// 1.1): responses of unknown length are close-delimited then.
    http10: bool,
    /// `Connection: keep-alive` in the request.
    keep_alive: bool,
    request_body: Body,
    interims: Vec<u16>,
    status: u16,
    response_fields: Vec<Field>,
    server_close: bool,
    response_body: Body,
}

fn exchange() -> impl Strategy<Value = Exchange> {
    let methods = prop_oneof![
        select(vec!["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]).prop_map(String::from),
        method().prop_filter("CONNECT and TRACE take no body", |m| m != "TRACE"),
    ];
    let status = prop_oneof![
        select(vec![200, 201, 204, 205, 206, 301, 304, 400, 404, 500, 503]),
        200u16..=599,
    ];
    (
        (
            methods,
            target(),
            host(),
            prop::collection::vec(field(), 0..6),
            any::<Index>(),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), body()),
        (
            prop::collection::vec(select(vec![102u16, 103, 150, 199]), 0..3),
            status,
            prop::collection::vec(field(), 0..5),
            any::<bool>(),
            body(),
        ),
    )
        .prop_map(
            |(
                (method, target, host, mut fields, host_at),
                (client_close, http10, keep_alive, request_body),
                (interims, status, response_fields, server_close, response_body),
            )| {
                fields.insert(
                    host_at.index(fields.len() + 1),
                    ("Host".into(), host.into_bytes()),
                );
                // HTTP/1.0 has no chunked coding (RFC 9112 §6.1).
                let request_body = match request_body {
                    Body::Unknown(p, _) if http10 => Body::Known(p),
                    b => b,
                };
                Exchange {
                    method,
                    target,
                    fields,
                    client_close,
                    http10,
                    keep_alive,
                    request_body,
                    interims,
                    status,
                    response_fields,
                    server_close,
                    response_body,
                }
            },
        )
}

fn headers(fields: &[Field]) -> Vec<Header<'_>> {
    fields
        .iter()
        .map(|(name, value)| Header { name, value })
        .collect()
}

fn owned_fields(headers: &[Header<'_>]) -> Vec<Field> {
    headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

/// Appends a body's pieces as `send_data` frames them.
fn frame(
    send: &mut dyn FnMut(&[u8]) -> Result<httpwire::conn::DataFrame, SendError>,
    piece: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), SendError> {
    let frame = send(piece)?;
    out.extend_from_slice(frame.prefix());
    out.extend_from_slice(piece);
    out.extend_from_slice(frame.suffix());
    Ok(())
}

/// A message as read: head fields, body, trailers.
struct Message {
    body: Vec<u8>,
    trailers: Vec<Field>,
}

/// One exchange over the two connections. Returns whether the connection
/// persists (both agree).
fn round_trip(
    client: &mut ClientConnection,
    server: &mut ServerConnection,
    x: &Exchange,
) -> Result<bool, TestCaseError> {
    let field = |name: &str, value: &str| (name.to_string(), value.as_bytes().to_vec());
    // --- The client sends the request.
    let mut fields = x.fields.clone();
    if x.client_close {
        fields.push(field("Connection", "close"));
    }
    if x.keep_alive {
        fields.push(field("Connection", "keep-alive"));
    }
    let mut c2s = Vec::new();
    let mut buf = vec![0u8; 4096];
    let n = client
        .send_request(
            &x.method,
            &x.target,
            &headers(&fields),
            x.request_body.length(),
            &mut buf,
        )
        .map_err(|e| TestCaseError::fail(format!("send_request: {e:?}")))?;
    c2s.extend_from_slice(&buf[..n]);
    for piece in x.request_body.pieces() {
        frame(&mut |d| client.send_data(d), piece, &mut c2s).expect("request data");
    }
    let n = client
        .send_end(&headers(x.request_body.trailers()), &mut buf)
        .expect("request end");
    c2s.extend_from_slice(&buf[..n]);
    if x.http10 {
        // The request-line is the first line; its version the first
        // "HTTP/1.1" (a method or origin-form target has no '/' then "HTTP").
        let at = c2s
            .windows(10)
            .position(|w| w == b"HTTP/1.1\r\n")
            .expect("version");
        c2s[at + 7] = b'0';
    }

    // --- The server reads it.
    let length = x.request_body.length();
    let defines_content = !matches!(x.method.as_str(), "GET" | "HEAD" | "DELETE" | "OPTIONS");
    let mut sent_fields = fields.clone();
    let framing = match length {
        Some(0) if !defines_content => Framing::None,
        Some(n) => {
            sent_fields.push(field("Content-Length", &n.to_string()));
            Framing::Length(n)
        }
        None => {
            sent_fields.push(field("Transfer-Encoding", "chunked"));
            Framing::Chunked
        }
    };
    let mut pos = 0;
    let mut request = Message {
        body: Vec::new(),
        trailers: Vec::new(),
    };
    loop {
        let mut h = [Header::EMPTY; 64];
        let (used, ev) = server.poll(&c2s[pos..], &mut h).map_err(|e| {
            TestCaseError::fail(format!(
                "server: {e:?} on {:?}",
                c2s.escape_ascii().to_string()
            ))
        })?;
        pos += used;
        match ev {
            ServerEvent::Request(r) => {
                prop_assert_eq!(r.method, x.method.as_str());
                prop_assert_eq!(r.target, x.target.as_str());
                let version = if x.http10 {
                    Version::Http10
                } else {
                    Version::Http11
                };
                prop_assert_eq!(r.version, version);
                prop_assert_eq!(owned_fields(r.headers), sent_fields.clone());
                prop_assert_eq!(r.framing, framing);
            }
            ServerEvent::Data(d) => request.body.extend_from_slice(d),
            ServerEvent::Trailer(t) => request.trailers.push(owned_fields(&[t]).remove(0)),
            ServerEvent::EndOfRequest => {}
            ServerEvent::Paused => break,
            other => prop_assert!(false, "server: {:?}", other),
        }
    }
    prop_assert_eq!(pos, c2s.len(), "the server read the whole request");
    prop_assert_eq!(&request.body, &x.request_body.data());
    prop_assert_eq!(&request.trailers, x.request_body.trailers());

    // --- The server answers.
    let mut s2c = Vec::new();
    for &status in &x.interims {
        let result = server.send_response(status, &[], None, &mut buf);
        if x.http10 {
            // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
            prop_assert_eq!(result, Err(SendError::InterimNotAllowed));
        } else {
            s2c.extend_from_slice(&buf[..result.expect("interim")]);
        }
    }
    let mut response_fields = x.response_fields.clone();
    if x.server_close {
        response_fields.push(field("Connection", "close"));
    }
    let given = headers(&response_fields);
    let mut length = x.response_body.length();
    let no_length = matches!(x.status, 204 | 205);
    if no_length && length.is_some_and(|n| n > 0) {
        // 204 and 205 have no content (RFC 9110 §15.3.5, §15.3.6).
        prop_assert_eq!(
            server.send_response(x.status, &given, length, &mut buf),
            Err(SendError::Encode(EncodeError::ConflictingFraming))
        );
        length = None;
    }
    let n = server
        .send_response(x.status, &given, length, &mut buf)
        .map_err(|e| TestCaseError::fail(format!("send_response: {e:?}")))?;
    s2c.extend_from_slice(&buf[..n]);
    let is_head = x.method == "HEAD";
    let bodiless = is_head || matches!(x.status, 204 | 205 | 304);
    let chunked = length.is_none() && !bodiless && !x.http10;
    let close_delimited = length.is_none() && !bodiless && x.http10;
    for piece in x.response_body.pieces() {
        let result = frame(&mut |d| server.send_data(d), piece, &mut s2c);
        if bodiless && !piece.is_empty() {
            prop_assert_eq!(result, Err(SendError::BodyNotAllowed));
        } else {
            prop_assert_eq!(result, Ok(()));
        }
    }
    let trailers = x.response_body.trailers();
    let end = if !chunked && !trailers.is_empty() {
        prop_assert_eq!(
            server.send_end(&headers(trailers), &mut buf),
            Err(SendError::TrailersNotAllowed)
        );
        server.send_end(&[], &mut buf)
    } else {
        server.send_end(&headers(trailers), &mut buf)
    };
    s2c.extend_from_slice(&buf[..end.expect("response end")]);

    // What both must conclude (RULES PC-1).
    let request_persists = if x.http10 {
        x.keep_alive && !x.client_close
    } else {
        !x.client_close
    };
    let persists = request_persists && !x.server_close && !close_delimited;
    prop_assert_eq!(server.keep_alive(), persists, "server keep-alive");

    // --- The client reads the response.
    let mut expected_fields = response_fields.clone();
    if !persists && !x.server_close {
        expected_fields.push(field("Connection", "close"));
    }
    if persists && x.http10 {
        expected_fields.push(field("Connection", "keep-alive"));
    }
    match (x.status, length) {
        (204, _) | (205, _) => {
            // RFC 9110 §15.3.6: a 205 says its content is empty.
            if x.status == 205 {
                expected_fields.push(field("Content-Length", "0"));
            }
        }
        (_, Some(n)) => expected_fields.push(field("Content-Length", &n.to_string())),
        (_, None) if chunked => expected_fields.push(field("Transfer-Encoding", "chunked")),
        (_, None) => {}
    }
    let expected_body = if bodiless {
        Vec::new()
    } else {
        x.response_body.data()
    };
    let expected_trailers: &[Field] = if chunked { trailers } else { &[] };
    let mut pos = 0;
    let mut interims = Vec::new();
    let mut response = Message {
        body: Vec::new(),
        trailers: Vec::new(),
    };
    let mut server_closed = false;
    loop {
        let mut h = [Header::EMPTY; 64];
        let (used, ev) = client.poll(&s2c[pos..], &mut h).map_err(|e| {
            TestCaseError::fail(format!(
                "client: {e:?} on {:?}",
                s2c.escape_ascii().to_string()
            ))
        })?;
        pos += used;
        match ev {
            ClientEvent::Interim(r) => {
                prop_assert!(r.headers.is_empty());
                interims.push(r.status);
            }
            ClientEvent::Response(r) => {
                prop_assert_eq!(r.version, Version::Http11);
                prop_assert_eq!(r.status, x.status);
                prop_assert_eq!(r.reason, reason_phrase(x.status).unwrap_or("").as_bytes());
                prop_assert_eq!(owned_fields(r.headers), expected_fields.clone());
                prop_assert_eq!(
                    client.keep_alive(),
                    persists,
                    "client keep-alive after the head"
                );
            }
            ClientEvent::Data(d) => response.body.extend_from_slice(d),
            ClientEvent::Trailer(t) => response.trailers.push(owned_fields(&[t]).remove(0)),
            ClientEvent::EndOfResponse => break,
            ClientEvent::NeedMore if close_delimited && !server_closed => {
                // The server ends the body by closing.
                let mut h = [Header::EMPTY; 4];
                prop_assert!(matches!(
                    server.poll(&[], &mut h),
                    Ok((0, ServerEvent::Close))
                ));
                client.peer_closed();
                server_closed = true;
            }
            other => prop_assert!(false, "client: {:?}", other),
        }
    }
    prop_assert_eq!(pos, s2c.len(), "the client read the whole response");
    if x.http10 {
        prop_assert!(interims.is_empty());
    } else {
        prop_assert_eq!(&interims, &x.interims);
    }
    prop_assert_eq!(&response.body, &expected_body);
    prop_assert_eq!(&response.trailers, expected_trailers);
    prop_assert_eq!(client.keep_alive(), persists, "client keep-alive");
    prop_assert_eq!(server.keep_alive(), persists, "server keep-alive");

    // --- Both go on to the next exchange, or both close.
    let mut h = [Header::EMPTY; 4];
    let server_next = server
        .poll(&[], &mut h)
        .map(|(n, ev)| (n, format!("{ev:?}")));
    let mut h = [Header::EMPTY; 4];
    let client_next = client
        .poll(&[], &mut h)
        .map(|(n, ev)| (n, format!("{ev:?}")));
    if persists {
        prop_assert_eq!(server_next, Ok((0, "NeedMore".to_string())));
        prop_assert_eq!(client_next, Ok((0, "Idle".to_string())));
    } else {
        prop_assert_eq!(server_next, Ok((0, "Close".to_string())));
        prop_assert_eq!(client_next, Ok((0, "Close".to_string())));
    }
    Ok(persists)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (b) Several exchanges on one connection: each side reads what the
    /// other sent, and they agree on persistence until the connection ends.
    #[test]
    fn client_and_server_round_trip(exchanges in prop::collection::vec(exchange(), 1..5)) {
        let mut client = ClientConnection::new();
        let mut server = ServerConnection::new();
        for x in &exchanges {
            if !round_trip(&mut client, &mut server, x)? {
                // Neither may start another exchange.
                let mut buf = [0u8; 256];
                let host = [Header { name: "Host", value: b"h" }];
                prop_assert_eq!(
                    client.send_request("GET", "/", &host, Some(0), &mut buf),
                    Err(SendError::WrongState)
                );
                prop_assert_eq!(server.send_response(200, &[], Some(0), &mut buf), Err(SendError::WrongState));
                break;
            }
        }
    }
}
