//! Drivers of the sans-IO connections (`httpwire::conn`) over input that
//! arrives in pieces, as a caller feeds it: the unconsumed bytes are kept
//! and the next piece appended whenever the connection says `NeedMore`; at
//! the end of the input the peer closes. Each run gives an owned transcript
//! (events and the bytes written) so that runs over differently split input
//! can be compared. Used by the `connection_server` and `connection_client`
//! fuzz targets and by `tests/connection_properties.rs`, which compiles this
//! file as a module (so it uses nothing else from the fuzz crate).
//!
//! On every call the drivers check what holds whatever the input: a poll
//! consumes at most the input it was given, body data and trailers are
//! non-empty sub-slices of the consumed bytes, nothing consumes bytes it
//! does not report, and after an error or `Close` every poll answers the
//! same again. Split-dependent answers are left out of the transcripts:
//! `NeedMore`, how the body data is cut into `Data` events (they are
//! joined), and the server's `Continue`, which depends on whether body
//! bytes have arrived yet (counted apart, and checked to follow a request
//! that expects it).

use httpwire::conn::{ClientConnection, ClientEvent, SendError, ServerConnection, ServerEvent};
use httpwire::{ErrorKind, Framing, Header, Request, Response, Version};

/// Header slots: more than the default limit of 100 fields, so the limit
/// that bites is the parser's.
const SLOTS: usize = 128;

/// Panics unless `part` lies inside `whole`.
fn inside(part: &[u8], whole: &[u8], what: &str) {
    let (p, w) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    assert!(
        p >= w && p + part.len() <= w + whole.len(),
        "{what} is not a sub-slice of the consumed input"
    );
}

/// An owned field.
pub type Field = (String, Vec<u8>);

fn fields(headers: &[Header<'_>], within: &[u8]) -> Vec<Field> {
    headers
        .iter()
        .map(|h| {
            inside(h.name.as_bytes(), within, "field name");
            inside(h.value, within, "field value");
            (h.name.to_owned(), h.value.to_vec())
        })
        .collect()
}

/// An owned request head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    pub version: Version,
    pub headers: Vec<Field>,
    pub framing: Framing,
}

impl RequestHead {
    fn of(r: &Request<'_, '_>, consumed: &[u8]) -> RequestHead {
        inside(r.method.as_bytes(), consumed, "method");
        inside(r.target.as_bytes(), consumed, "target");
        RequestHead {
            method: r.method.to_owned(),
            target: r.target.to_owned(),
            version: r.version,
            headers: fields(r.headers, consumed),
            framing: r.framing,
        }
    }
}

/// An owned response head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    pub version: Version,
    pub status: u16,
    pub reason: Vec<u8>,
    pub headers: Vec<Field>,
}

impl ResponseHead {
    fn of(r: &Response<'_, '_>, consumed: &[u8]) -> ResponseHead {
        inside(r.reason, consumed, "reason");
        ResponseHead {
            version: r.version,
            status: r.status,
            reason: r.reason.to_vec(),
            headers: fields(r.headers, consumed),
        }
    }
}

/// The split-independent events of a server-role run, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEv {
    Request(RequestHead),
    /// Body data, consecutive `Data` events joined.
    Data(Vec<u8>),
    Trailer(Field),
    End,
    Paused,
    /// The driver answered the request: the status sent (after a fallback,
    /// see [`Answer`]), and `keep_alive()` once the response was finished.
    Answered(u16, bool),
    Switched(Vec<u8>),
    Close,
    /// A protocol error: kind, offset and the status to send.
    Error(ErrorKind, usize, Option<u16>),
}

/// When the driver answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// As soon as its head is read, before its body (which the connection
    /// then reads on, or closes after, RULES PC-4).
    AtHead,
    /// When the connection says `Paused`: the whole request was read.
    Paused,
}

/// What the driver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `respond(200, "hello")`.
    Hello,
    /// A head with an unknown length (chunked to HTTP/1.1, close-delimited
    /// to HTTP/1.0), two pieces of data and a trailer (dropped when the
    /// framing has no trailers; no data where the response has no body).
    Streamed,
    /// `respond(204)`.
    NoContent,
    /// A 304 that announces a length of 5.
    NotModified,
    /// `respond(404, "no")` with `Connection: close`.
    Close,
    /// `respond(200, "")`: to CONNECT, a tunnel.
    Empty,
    /// `101` with `Upgrade: websocket`: a switch, where allowed.
    Upgrade,
}

/// How the driver answers a request: when, and what. A reply the
/// connection refuses (say, a body for CONNECT, a 101 to a request that did
/// not ask) must leave it unchanged, and the driver then sends
/// `respond(500, "")` instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub when: When,
    pub reply: Reply,
}

/// Answers for the fuzz targets: every reply, both timings.
pub const ANSWERS: [Answer; 8] = [
    Answer {
        when: When::Paused,
        reply: Reply::Hello,
    },
    Answer {
        when: When::AtHead,
        reply: Reply::Streamed,
    },
    Answer {
        when: When::Paused,
        reply: Reply::Streamed,
    },
    Answer {
        when: When::AtHead,
        reply: Reply::NoContent,
    },
    Answer {
        when: When::Paused,
        reply: Reply::Upgrade,
    },
    Answer {
        when: When::Paused,
        reply: Reply::NotModified,
    },
    Answer {
        when: When::Paused,
        reply: Reply::Empty,
    },
    Answer {
        when: When::AtHead,
        reply: Reply::Close,
    },
];

/// A server-role run's transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerRun {
    pub events: Vec<ServerEv>,
    /// Everything written, except the `100 Continue`s.
    pub out: Vec<u8>,
}

/// Writes one reply; an error leaves the connection as it was (checked by
/// the fallback that follows it).
fn reply(
    conn: &mut ServerConnection,
    reply: Reply,
    connect: bool,
    out: &mut Vec<u8>,
) -> Result<u16, SendError> {
    let mut buf = [0u8; 512];
    let x = |name, value| Header { name, value };
    let (status, n) = match reply {
        Reply::Hello => (200, conn.respond(200, &[], b"hello", &mut buf)?),
        Reply::NoContent => (204, conn.respond(204, &[], b"", &mut buf)?),
        Reply::Empty => (200, conn.respond(200, &[], b"", &mut buf)?),
        Reply::Close => (
            404,
            conn.respond(404, &[x("Connection", b"close")], b"no", &mut buf)?,
        ),
        Reply::NotModified => {
            let n = conn.send_response(304, &[], Some(5), &mut buf)?;
            out.extend_from_slice(&buf[..n]);
            (304, conn.send_end(&[], &mut buf)?)
        }
        Reply::Upgrade => {
            let up = [x("Upgrade", b"websocket"), x("Connection", b"upgrade")];
            (101, conn.send_response(101, &up, None, &mut buf)?)
        }
        Reply::Streamed => {
            let n = conn.send_response(200, &[], None, &mut buf)?;
            out.extend_from_slice(&buf[..n]);
            if connect {
                // A 2xx to CONNECT: the tunnel starts after the head, and
                // the connection is the caller's (RULES PC-6).
                assert_eq!(conn.send_data(b"x"), Err(SendError::WrongState));
                return Ok(200);
            }
            for piece in [&b"abc"[..], b"de"] {
                match conn.send_data(piece) {
                    Ok(frame) => {
                        out.extend_from_slice(frame.prefix());
                        out.extend_from_slice(piece);
                        out.extend_from_slice(frame.suffix());
                    }
                    // HEAD, 1xx, 204, 304: the caller sends no body.
                    Err(SendError::BodyNotAllowed) => {}
                    Err(e) => panic!("send_data: {e:?}"),
                }
            }
            let trailer = [x("X-Sum", b"5")];
            let n = match conn.send_end(&trailer, &mut buf) {
                Err(SendError::TrailersNotAllowed) => conn.send_end(&[], &mut buf),
                n => n,
            }
            .expect("send_end");
            (200, n)
        }
    };
    out.extend_from_slice(&buf[..n]);
    Ok(status)
}

/// Answers the current request as `answer` says (with the 500 fallback),
/// and records it.
fn answer(conn: &mut ServerConnection, a: Answer, connect: bool, run: &mut ServerRun) {
    let before = conn.clone();
    let mut out = Vec::new();
    let status = match reply(conn, a.reply, connect, &mut out) {
        Ok(status) => status,
        Err(_) => {
            // Nothing written and nothing changed (the send methods' promise);
            // a head half written by `Streamed` or `NotModified` cannot fail.
            assert!(
                out.is_empty(),
                "a refused reply wrote {:?}",
                out.escape_ascii().to_string()
            );
            assert_eq!(
                format!("{conn:?}"),
                format!("{before:?}"),
                "a refused reply changed the state"
            );
            let mut buf = [0u8; 128];
            let n = conn
                .respond(500, &[], b"", &mut buf)
                .expect("the 500 fallback");
            out.extend_from_slice(&buf[..n]);
            500
        }
    };
    run.out.extend_from_slice(&out);
    run.events
        .push(ServerEv::Answered(status, conn.keep_alive()));
}

/// The pieces of `input` ending at `ends` (increasing; a last end short of
/// the input leaves the rest unfed).
struct Feed<'a> {
    input: &'a [u8],
    ends: &'a [usize],
    next: usize,
    fed: usize,
}

impl Feed<'_> {
    /// Appends the next piece to `buf`; `false` when all are fed.
    fn more(&mut self, buf: &mut Vec<u8>) -> bool {
        let Some(&end) = self.ends.get(self.next) else {
            if self.fed < self.input.len() {
                buf.extend_from_slice(&self.input[self.fed..]);
                self.fed = self.input.len();
                return true;
            }
            return false;
        };
        self.next += 1;
        let end = end.clamp(self.fed, self.input.len());
        buf.extend_from_slice(&self.input[self.fed..end]);
        self.fed = end;
        true
    }
}

fn push_data<E>(
    events: &mut Vec<E>,
    data: &[u8],
    wrap: fn(Vec<u8>) -> E,
    unwrap: fn(&mut E) -> Option<&mut Vec<u8>>,
) {
    if let Some(joined) = events.last_mut().and_then(unwrap) {
        joined.extend_from_slice(data);
    } else {
        events.push(wrap(data.to_vec()));
    }
}

/// What one poll of a run did.
enum Step {
    /// It consumed this many of the unconsumed bytes.
    Consumed(usize),
    /// It consumed this many and needs the next piece of the input.
    NeedMore(usize),
    /// The run is over.
    Over,
}

/// The loop of both roles' runs: feeds `input` in the pieces ending at
/// `ends` and calls `poll` with the unconsumed bytes (with `fresh`, a copy
/// at a new address every time), the input not yet fed, and whether the
/// peer closed (all was fed), until it says the run is over.
fn drive(
    input: &[u8],
    ends: &[usize],
    fresh: bool,
    role: &str,
    mut poll: impl FnMut(&[u8], &[u8], bool) -> Step,
) {
    let mut feed = Feed {
        input,
        ends,
        next: 0,
        fed: 0,
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut closed = false;
    let mut budget = 8 * (input.len() + ends.len()) + 64;
    loop {
        budget = budget
            .checked_sub(1)
            .unwrap_or_else(|| panic!("the {role} connection makes no progress"));
        let copy;
        let pending: &[u8] = if fresh {
            copy = buf.clone();
            &copy
        } else {
            &buf
        };
        match poll(pending, &input[feed.fed..], closed) {
            Step::Consumed(used) => {
                buf.drain(..used);
            }
            Step::NeedMore(used) => {
                assert!(!closed, "NeedMore after the peer closed");
                buf.drain(..used);
                closed = !feed.more(&mut buf);
            }
            Step::Over => return,
        }
    }
}

/// The bytes a poll of `pending` consumed, checked to be no more than it
/// was given.
fn consumed(pending: &[u8], used: usize) -> &[u8] {
    assert!(
        used <= pending.len(),
        "consumed {used} of {}",
        pending.len()
    );
    &pending[..used]
}

/// Feeds `input` to a server connection in the pieces ending at `ends`
/// (increasing offsets; the last piece runs to the end of the input), then
/// closes the peer. Request `i` is answered by `answers[i % len]`; an error
/// with a status is answered with that status. With `fresh`, every poll
/// gets the unconsumed bytes in a new buffer (a new address, as when a
/// receive buffer is reallocated).
pub fn run_server(
    mut conn: ServerConnection,
    input: &[u8],
    ends: &[usize],
    answers: &[Answer],
    fresh: bool,
) -> ServerRun {
    let mut run = ServerRun {
        events: Vec::new(),
        out: Vec::new(),
    };
    let mut requests = 0usize;
    let mut current = answers[0];
    let mut answered = true;
    let mut expects_continue = false;
    let mut connect = false;
    drive(input, ends, fresh, "server", |pending, unfed, closed| {
        if closed {
            conn.peer_closed();
        }
        let mut headers = [Header::EMPTY; SLOTS];
        let (used, event) = match conn.poll(pending, &mut headers) {
            Ok(x) => x,
            Err(e) => {
                let mut again = [Header::EMPTY; SLOTS];
                assert_eq!(
                    conn.poll(pending, &mut again).err(),
                    Some(e),
                    "the error repeats"
                );
                run.events
                    .push(ServerEv::Error(e.error.kind(), e.error.offset(), e.status));
                if let Some(status) = e.status {
                    let mut out = [0u8; 256];
                    let n = conn
                        .respond(status, &[], b"", &mut out)
                        .expect("the error response");
                    run.out.extend_from_slice(&out[..n]);
                    assert!(!conn.keep_alive(), "keep-alive after an error");
                }
                // Nothing is read after an error: once the error response
                // is finished the connection says Close (PC-5), and says so
                // again.
                for _ in 0..2 {
                    let next = conn.poll(pending, &mut again);
                    match e.status {
                        Some(_) => assert!(
                            matches!(next, Ok((0, ServerEvent::Close))),
                            "after the error response: {next:?}"
                        ),
                        None => assert_eq!(next.err(), Some(e), "the error repeats"),
                    }
                }
                return Step::Over;
            }
        };
        let consumed = consumed(pending, used);
        match event {
            ServerEvent::Request(r) => {
                assert_eq!(used, r.head_len, "a head is consumed whole");
                expects_continue = r.expects_continue();
                connect = r.method == "CONNECT";
                run.events
                    .push(ServerEv::Request(RequestHead::of(&r, consumed)));
                current = answers[requests % answers.len()];
                requests += 1;
                answered = false;
                if current.when == When::AtHead {
                    answer(&mut conn, current, connect, &mut run);
                    answered = true;
                }
            }
            ServerEvent::Continue => {
                assert_eq!(used, 0);
                assert!(
                    expects_continue && !answered,
                    "Continue to a request that does not wait for it"
                );
                assert!(
                    matches!(run.events.last(), Some(ServerEv::Request(_))),
                    "Continue after body data"
                );
                expects_continue = false;
            }
            ServerEvent::Data(d) => {
                assert!(!d.is_empty(), "empty Data");
                inside(d, consumed, "Data");
                push_data(&mut run.events, d, ServerEv::Data, |e| match e {
                    ServerEv::Data(v) => Some(v),
                    _ => None,
                });
            }
            ServerEvent::Trailer(h) => {
                assert!(used > 0, "a trailer consumed nothing");
                run.events
                    .push(ServerEv::Trailer(fields(&[h], consumed).remove(0)));
            }
            ServerEvent::EndOfRequest => run.events.push(ServerEv::End),
            ServerEvent::NeedMore => return Step::NeedMore(used),
            ServerEvent::Paused => {
                assert_eq!(used, 0);
                assert!(!answered, "Paused after the response was finished");
                run.events.push(ServerEv::Paused);
                answer(&mut conn, current, connect, &mut run);
                answered = true;
            }
            ServerEvent::Switched(rest) => {
                assert_eq!(used, 0);
                assert_eq!(rest, pending, "Switched hands back the whole input");
                assert!(!conn.keep_alive());
                // The caller owns the rest of the stream.
                let mut rest = rest.to_vec();
                rest.extend_from_slice(unfed);
                run.events.push(ServerEv::Switched(rest));
                return Step::Over;
            }
            ServerEvent::Close => {
                assert_eq!(used, 0);
                assert!(!conn.keep_alive());
                run.events.push(ServerEv::Close);
                let mut again = [Header::EMPTY; SLOTS];
                assert!(
                    matches!(conn.poll(pending, &mut again), Ok((0, ServerEvent::Close))),
                    "an event after Close"
                );
                return Step::Over;
            }
        }
        Step::Consumed(used)
    });
    run
}

/// The split-independent events of a client-role run, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEv {
    /// The driver sent request number `n` of [`REQUESTS`].
    Sent(usize),
    Interim(ResponseHead),
    /// The final response head, and `keep_alive()` after it.
    Response(ResponseHead, bool),
    Data(Vec<u8>),
    Trailer(Field),
    /// The end of the response, and `keep_alive()` after it.
    End(bool),
    Switched(Vec<u8>),
    Close,
    Error(ErrorKind, usize),
}

/// A request the client driver sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Req {
    pub method: &'static str,
    pub target: &'static str,
    pub headers: &'static [Header<'static>],
    /// The body, sent with a known length or (`chunked`) without.
    pub body: &'static [u8],
    pub chunked: bool,
    /// Hold the body back until a `100 Continue` or the final response.
    pub wait_for_continue: bool,
}

const HOST: Header<'static> = Header {
    name: "Host",
    value: b"h",
};

/// The requests of the client fuzz target, sent in turn (the method
/// decides the response's framing).
pub const REQUESTS: [Req; 6] = [
    Req {
        method: "GET",
        target: "/",
        headers: &[HOST],
        body: b"",
        chunked: false,
        wait_for_continue: false,
    },
    Req {
        method: "HEAD",
        target: "/",
        headers: &[HOST],
        body: b"",
        chunked: false,
        wait_for_continue: false,
    },
    Req {
        method: "POST",
        target: "/p",
        headers: &[HOST],
        body: b"abc",
        chunked: true,
        wait_for_continue: false,
    },
    Req {
        method: "GET",
        target: "/ws",
        headers: &[
            HOST,
            Header {
                name: "Upgrade",
                value: b"websocket",
            },
            Header {
                name: "Connection",
                value: b"upgrade",
            },
        ],
        body: b"",
        chunked: false,
        wait_for_continue: false,
    },
    Req {
        method: "PUT",
        target: "/p",
        headers: &[
            HOST,
            Header {
                name: "Expect",
                value: b"100-continue",
            },
        ],
        body: b"12345",
        chunked: false,
        wait_for_continue: true,
    },
    Req {
        method: "CONNECT",
        target: "h:443",
        headers: &[HOST],
        body: b"",
        chunked: false,
        wait_for_continue: false,
    },
];

/// A client-role run's transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRun {
    pub events: Vec<ClientEv>,
    /// The requests written.
    pub out: Vec<u8>,
}

fn send_body(conn: &mut ClientConnection, body: &[u8], out: &mut Vec<u8>) {
    match conn.send_data(body) {
        Ok(frame) => {
            out.extend_from_slice(frame.prefix());
            out.extend_from_slice(body);
            out.extend_from_slice(frame.suffix());
            let mut buf = [0u8; 64];
            let n = conn.send_end(&[], &mut buf).expect("send_end");
            out.extend_from_slice(&buf[..n]);
        }
        // RS-12: a final response came first: stop sending.
        Err(SendError::WrongState) => {}
        Err(e) => panic!("send_data: {e:?}"),
    }
}

fn send(conn: &mut ClientConnection, req: &Req, out: &mut Vec<u8>) {
    let mut buf = [0u8; 256];
    let length = (!req.chunked).then_some(req.body.len() as u64);
    let n = conn
        .send_request(req.method, req.target, req.headers, length, &mut buf)
        .expect("send_request");
    out.extend_from_slice(&buf[..n]);
    if !req.wait_for_continue {
        send_body(conn, req.body, out);
    }
}

/// Sends request 0 of `requests` on a client connection, then feeds it
/// `input` (the server's bytes) in the pieces ending at `ends`, then
/// closes the peer. When a response ends and the connection may be reused,
/// it sends the next request (in turn); a request that waits for `100
/// Continue` sends its body on a 100.
pub fn run_client(
    mut conn: ClientConnection,
    input: &[u8],
    ends: &[usize],
    requests: &[Req],
    fresh: bool,
) -> ClientRun {
    let mut run = ClientRun {
        events: Vec::new(),
        out: Vec::new(),
    };
    let mut sent = 0usize;
    let mut current = requests[0];
    send(&mut conn, &current, &mut run.out);
    run.events.push(ClientEv::Sent(0));
    let mut body_held = current.wait_for_continue;
    drive(input, ends, fresh, "client", |pending, unfed, closed| {
        if closed {
            conn.peer_closed();
        }
        let mut headers = [Header::EMPTY; SLOTS];
        let (used, event) = match conn.poll(pending, &mut headers) {
            Ok(x) => x,
            Err(e) => {
                assert!(!conn.keep_alive(), "keep-alive after an error");
                let mut again = [Header::EMPTY; SLOTS];
                assert_eq!(
                    conn.poll(pending, &mut again).err(),
                    Some(e),
                    "the error repeats"
                );
                run.events.push(ClientEv::Error(e.kind(), e.offset()));
                return Step::Over;
            }
        };
        let consumed = consumed(pending, used);
        match event {
            ClientEvent::Interim(r) => {
                assert_eq!(used, r.head_len);
                assert!((100..200).contains(&r.status) && r.status != 101);
                run.events
                    .push(ClientEv::Interim(ResponseHead::of(&r, consumed)));
                if r.status == 100 && body_held {
                    body_held = false;
                    send_body(&mut conn, current.body, &mut run.out);
                }
            }
            ClientEvent::Response(r) => {
                assert_eq!(used, r.head_len);
                let head = ResponseHead::of(&r, consumed);
                run.events.push(ClientEv::Response(head, conn.keep_alive()));
                if body_held {
                    // RS-12: the final response came first; sending is over.
                    body_held = false;
                    send_body(&mut conn, current.body, &mut run.out);
                }
            }
            ClientEvent::Data(d) => {
                assert!(!d.is_empty(), "empty Data");
                inside(d, consumed, "Data");
                push_data(&mut run.events, d, ClientEv::Data, |e| match e {
                    ClientEv::Data(v) => Some(v),
                    _ => None,
                });
            }
            ClientEvent::Trailer(h) => {
                assert!(used > 0, "a trailer consumed nothing");
                run.events
                    .push(ClientEv::Trailer(fields(&[h], consumed).remove(0)));
            }
            ClientEvent::EndOfResponse => run.events.push(ClientEv::End(conn.keep_alive())),
            ClientEvent::NeedMore => return Step::NeedMore(used),
            ClientEvent::Idle => {
                assert_eq!(used, 0);
                assert!(
                    conn.keep_alive(),
                    "Idle on a connection that cannot be reused"
                );
                sent += 1;
                current = requests[sent % requests.len()];
                send(&mut conn, &current, &mut run.out);
                run.events.push(ClientEv::Sent(sent % requests.len()));
                body_held = current.wait_for_continue;
            }
            ClientEvent::Switched(rest) => {
                assert_eq!(used, 0);
                assert_eq!(rest, pending, "Switched hands back the whole input");
                assert!(!conn.keep_alive());
                let mut rest = rest.to_vec();
                rest.extend_from_slice(unfed);
                run.events.push(ClientEv::Switched(rest));
                return Step::Over;
            }
            ClientEvent::Close => {
                assert_eq!(used, 0);
                assert!(!conn.keep_alive());
                run.events.push(ClientEv::Close);
                let mut again = [Header::EMPTY; SLOTS];
                assert!(
                    matches!(conn.poll(pending, &mut again), Ok((0, ClientEvent::Close))),
                    "an event after Close"
                );
                return Step::Over;
            }
        }
        Step::Consumed(used)
    });
    run
}
