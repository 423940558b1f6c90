//! Sends one case to the server under test and judges what comes back.
//!
//! Responses are read with httpwire's own core (`ResponseParser`,
//! `Response::framing`, `BodyDecoder`), so a probe of any server also
//! exercises the client side of the library.

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use httpwire::{BodyDecoder, Decoded, Framing, Header, Limits, ResponseParser, Status};

/// Statuses that say "your request did not parse": a valid request answered
/// with one of them was refused by the server's parser.
pub const PARSE_ERRORS: [u16; 7] = [400, 411, 413, 414, 431, 501, 505];

/// One request stream to send, and what it must get: the requests it
/// holds answered in order, then, if it ends in an invalid one, that one
/// refused.
#[derive(Clone, Debug)]
pub struct Probe {
    pub bytes: Vec<u8>,
    /// The methods of the valid requests the bytes begin with, in order
    /// (for the framing of their responses: a response to HEAD has no body).
    pub methods: Vec<String>,
    /// The valid requests are followed by an invalid one.
    pub refused: bool,
    /// The method of the invalid request, as far as it can be told.
    pub refused_method: String,
    /// Its head is valid and its body is not: a server may answer it before
    /// reading the body, and must then close instead of reading on.
    pub refused_in_body: bool,
}

/// Where to send, and how long to wait.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    /// The target of the follow-up request.
    pub path: String,
    /// The longest wait for a response (or the connect).
    pub timeout: Duration,
    /// How long a connection must stay silent to count as having said
    /// everything it had to say.
    pub quiet: Duration,
}

/// The judgement on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub pass: bool,
    /// What happened, in a few words: `200, then the follow-up 404`.
    pub detail: String,
}

impl Verdict {
    fn pass(detail: String) -> Verdict {
        Verdict { pass: true, detail }
    }
    fn fail(detail: String) -> Verdict {
        Verdict {
            pass: false,
            detail,
        }
    }
}

/// What reading one response gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read1 {
    /// A final response: its status, and whether the connection may carry
    /// another (false once the server said close or its body ran to the
    /// close).
    Response { status: u16, persists: bool },
    /// The server closed before a response began.
    Closed,
    /// Nothing (more) came within the timeout.
    Hang,
    /// Bytes came that are not a valid HTTP/1.1 response.
    Garbled,
}

/// A connection to the server under test, with the bytes read and not yet
/// consumed.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    eof: bool,
}

impl Conn {
    fn open(target: &Target) -> std::io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&target.addr, target.timeout)?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(target.timeout))?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            eof: false,
        })
    }

    /// Sends `bytes`; a server that closed (or reset) the connection
    /// partway is not an error of the probe: what it answered is read next.
    fn send(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes);
    }

    /// Reads more bytes until `deadline`: `false` on timeout or close.
    fn fill(&mut self, deadline: Instant) -> bool {
        if self.eof {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        let _ = self.stream.set_read_timeout(Some(deadline - now));
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if matches!(e.kind(), IoErrorKind::WouldBlock | IoErrorKind::TimedOut) => false,
            // A reset counts as a close.
            Err(_) => {
                self.eof = true;
                false
            }
        }
    }

    /// Reads the next final response to a request made with `method`,
    /// skipping interim (1xx) ones, body included.
    fn response(&mut self, method: &str, timeout: Duration) -> Read1 {
        let deadline = Instant::now() + timeout;
        // One parser across reads: it resumes where the last bytes ended
        // (linear however the response trickles in), and starts over by
        // itself after each complete head (interim ones included).
        let mut parser = ResponseParser::new();
        loop {
            let mut headers = [Header::EMPTY; 128];
            let head = match parser.parse(&self.buf, &mut headers) {
                Ok(Status::Complete(res)) => Some((
                    res.head_len,
                    res.status,
                    res.keep_alive(),
                    res.framing(method),
                )),
                Ok(Status::Partial) => None,
                Err(_) => return Read1::Garbled,
            };
            let Some((head_len, status, keep_alive, framing)) = head else {
                if !self.fill(deadline) {
                    return match (self.eof, self.buf.is_empty()) {
                        (true, true) => Read1::Closed,
                        (true, false) => Read1::Garbled,
                        (false, _) => Read1::Hang,
                    };
                }
                continue;
            };
            self.buf.drain(..head_len);
            let Ok(framing) = framing else {
                return Read1::Garbled;
            };
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            if framing.framing == Framing::Tunnel {
                return Read1::Response {
                    status,
                    persists: false,
                };
            }
            let mut body = BodyDecoder::new(framing.framing, &Limits::DEFAULT);
            loop {
                match body.decode(&self.buf) {
                    Ok((n, Decoded::Data(_) | Decoded::Trailer(_))) => {
                        self.buf.drain(..n);
                    }
                    Ok((_, Decoded::Done)) => break,
                    Ok((_, Decoded::NeedMore)) => {
                        if !self.fill(deadline) {
                            if self.eof && framing.framing == Framing::CloseDelimited {
                                break;
                            }
                            return if self.eof {
                                Read1::Garbled
                            } else {
                                Read1::Hang
                            };
                        }
                    }
                    Err(_) => return Read1::Garbled,
                }
            }
            return Read1::Response {
                status,
                persists: keep_alive && !framing.close_after && !self.eof,
            };
        }
    }

    /// Waits `quiet` for anything more: `true` if bytes came.
    fn says_more(&mut self, quiet: Duration) -> bool {
        !self.buf.is_empty() || self.fill(Instant::now() + quiet)
    }
}

/// The follow-up request: a plain GET that any server answers, sent once
/// the case was answered, to see that the server still reads the
/// connection in step.
fn follow_up(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: h1probe\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Sends `probe` on a new connection to `target` and judges the answer.
pub fn judge(probe: &Probe, target: &Target) -> Verdict {
    let mut conn = match Conn::open(target) {
        Ok(conn) => conn,
        Err(e) => return Verdict::fail(format!("cannot connect: {e}")),
    };
    conn.send(&probe.bytes);
    let mut answered = Vec::new();
    for (i, method) in probe.methods.iter().enumerate() {
        match conn.response(method, target.timeout) {
            Read1::Response { status, persists } => {
                answered.push(status.to_string());
                if refused_by_parser(status, method) {
                    return Verdict::fail(format!("refused: {}", answered.join(", ")));
                }
                let more = i + 1 < probe.methods.len() || probe.refused;
                if !persists && more {
                    return Verdict::fail(format!("{}, then closed", answered.join(", ")));
                }
                if !persists {
                    // The request (or the response) ended the connection:
                    // nothing to follow up on.
                    return Verdict::pass(format!("{}, closed as announced", answered.join(", ")));
                }
            }
            other => return Verdict::fail(not_answered(other, &answered)),
        }
    }
    let before = if answered.is_empty() {
        String::new()
    } else {
        format!("{}, then ", answered.join(", "))
    };
    if probe.refused {
        return match refusal(probe, target, &mut conn) {
            Ok(detail) => Verdict::pass(format!("{before}{detail}")),
            Err(detail) => Verdict::fail(format!("{before}{detail}")),
        };
    }
    match in_step(target, &mut conn) {
        Ok(detail) => Verdict::pass(format!("{before}{detail}")),
        Err(detail) => Verdict::fail(format!("{before}{detail}")),
    }
}

/// Is `status` the refusal of a request the server could not read? `501`
/// is also how a server says it does not implement a method, so it counts
/// only for GET and HEAD, which every server must support (RFC 9110 §9.1).
fn refused_by_parser(status: u16, method: &str) -> bool {
    match status {
        501 => matches!(method, "GET" | "HEAD"),
        _ => PARSE_ERRORS.contains(&status),
    }
}

/// After the answers: nothing more comes unasked, and a follow-up request
/// is answered in step.
fn in_step(target: &Target, conn: &mut Conn) -> Result<String, String> {
    if conn.says_more(target.quiet) {
        return Err("more bytes unasked: read as two requests".into());
    }
    conn.send(&follow_up(&target.path));
    match conn.response("GET", target.timeout) {
        Read1::Response { status, .. } if !refused_by_parser(status, "GET") => {
            Ok(format!("the follow-up {status}"))
        }
        Read1::Response { status, .. } => {
            Err(format!("the follow-up refused with {status}: out of step"))
        }
        other => Err(format!("the follow-up {}", not_answered(other, &[]))),
    }
}

/// An invalid request: refused with an error status or a close, never
/// answered as two requests, and if the connection stays open, a
/// follow-up is answered in step. A request whose body is bad may have
/// been answered before the body was read (a server may answer early, RFC
/// 9110 §10.1.1): then it passes if the server closes instead of reading
/// on.
fn refusal(probe: &Probe, target: &Target, conn: &mut Conn) -> Result<String, String> {
    match conn.response(&probe.refused_method, target.timeout) {
        Read1::Closed => Ok("closed without a response".into()),
        Read1::Hang => Err(format!(
            "no answer within {:?}: waits for more",
            target.timeout
        )),
        Read1::Garbled => Err("a malformed response".into()),
        Read1::Response { status, persists } if status < 400 => {
            if conn.says_more(target.quiet) {
                Err(format!(
                    "{status}, then a second response: read as two requests"
                ))
            } else if probe.refused_in_body && conn.eof {
                Ok(format!("{status} before the body, closed at the bad body"))
            } else if persists && !conn.eof {
                // Where did the server think the request ended? A follow-up
                // answered out of step shows a desync.
                let after = match in_step(target, conn) {
                    Ok(detail) | Err(detail) => detail,
                };
                Err(format!("accepted: {status}; {after}"))
            } else {
                Err(format!("accepted: {status}"))
            }
        }
        Read1::Response { status, persists } => {
            if !persists {
                return if conn.says_more(target.quiet) {
                    Err(format!(
                        "{status}, then a second response: read as two requests"
                    ))
                } else {
                    Ok(format!("{status}, closed"))
                };
            }
            in_step(target, conn).map(|detail| format!("{status}, kept open; {detail}"))
        }
    }
}

fn not_answered(read: Read1, before: &[String]) -> String {
    let before = if before.is_empty() {
        String::new()
    } else {
        format!("{}, then ", before.join(", "))
    };
    match read {
        Read1::Closed => format!("{before}closed without a response"),
        Read1::Hang => format!("{before}no response in time"),
        Read1::Garbled => format!("{before}a malformed response"),
        Read1::Response { status, .. } => format!("{before}{status}"),
    }
}
