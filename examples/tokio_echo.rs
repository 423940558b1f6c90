//! The echo server's endpoints on tokio, over the sans-IO server connection:
//! `GET /echo/<x>` answers `x`, `POST /echo` streams the body back, and
//! 404/405/501 as the `httpwire` binary; keep-alive, pipelining and
//! 100-continue come from `httpwire::conn`.
//!
//! `cargo run --release --example tokio_echo -- PORT` (on 127.0.0.1).

use httpwire::conn::{InputBuffer, SendError, ServerConnection, ServerEvent, CONTINUE};
use httpwire::{date::HttpDate, serialize::reason_phrase, Header, Request};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const fn field<'a>(name: &'static str, value: &'a [u8]) -> Header<'a> {
    Header { name, value }
}

const PLAIN: Header<'static> = field("Content-Type", b"text/plain");
const CLOSE: Header<'static> = field("Connection", b"close");

/// What a request gets: a whole response (status, fields, body), or its
/// body echoed as it comes: Content-Type, length, and whether the head
/// went out (only once the body is asked for, so that a client waiting for
/// 100 Continue gets it first).
enum Answer {
    Whole(u16, Vec<Header<'static>>, Vec<u8>),
    Echo(Vec<u8>, Option<u64>, bool),
}

/// The binary's endpoint table.
fn route(req: &Request<'_, '_>) -> Answer {
    let (method, path) = (req.method, req.path());
    let refuse =
        |status, fields| Answer::Whole(status, fields, reason_phrase(status).unwrap_or("").into());
    // A method nobody here speaks: likely not HTTP at all, so close.
    if !matches!(method, "GET" | "HEAD" | "POST" | "OPTIONS") {
        return refuse(501, vec![PLAIN, CLOSE]);
    }
    let (text, allow) = match path.strip_prefix("/echo/") {
        // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7).
        None if path == "*" => ("", field("Allow", b"GET, HEAD, OPTIONS, POST")),
        Some(text) => (text, field("Allow", b"GET, HEAD, OPTIONS, POST")),
        None if path == "/echo" => ("", field("Allow", b"OPTIONS, POST")),
        None => return refuse(404, vec![PLAIN]),
    };
    match method {
        "GET" | "HEAD" if path.starts_with("/echo/") => {
            Answer::Whole(200, vec![PLAIN], text.into())
        }
        "POST" => {
            let kind = req
                .header("content-type")
                .unwrap_or(b"application/octet-stream");
            Answer::Echo(kind.into(), req.framing.content_length(), false)
        }
        "OPTIONS" => Answer::Whole(200, vec![allow], Vec::new()),
        _ => refuse(405, vec![PLAIN, allow]),
    }
}

/// Appends what `write` puts into at most `room` bytes to `out`.
fn put(out: &mut Vec<u8>, room: usize, write: impl FnOnce(&mut [u8]) -> Result<usize, SendError>) {
    let len = out.len();
    out.resize(len + room, 0);
    let n = write(&mut out[len..]).expect("a valid response in enough room");
    out.truncate(len + n);
}

async fn serve(mut socket: TcpStream) -> std::io::Result<()> {
    let mut conn = ServerConnection::new();
    // Room for the largest head the parser accepts (Limits::DEFAULT), so the
    // parser refuses a head before it can fill the buffer.
    let mut buf = InputBuffer::new(vec![0u8; 80 * 1024]);
    let mut out = Vec::new();
    let mut pending: Option<Answer> = None;
    loop {
        let mut headers = [Header::EMPTY; 100];
        let (used, event) = match conn.poll(buf.input(), &mut headers) {
            Ok(polled) => polled,
            Err(e) => {
                if let Some(status) = e.status {
                    let body = format!("{}\n", e.error.message());
                    put(&mut out, 512 + body.len(), |o| {
                        conn.respond(status, &[], body.as_bytes(), o)
                    });
                }
                return socket.write_all(&out).await;
            }
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH);
        let date = HttpDate::from_unix_secs(now.map_or(0, |d| d.as_secs()));
        let date = field("Date", date.as_bytes());
        match event {
            // Answered at the request's end, as the binary does, so that a
            // body whose framing turns out bad gets its 400.
            ServerEvent::Request(req) => pending = Some(route(&req)),
            ServerEvent::Continue => out.extend_from_slice(CONTINUE),
            ServerEvent::Data(data) => {
                if let Some(Answer::Echo(kind, length, started)) = pending.as_mut() {
                    if !std::mem::replace(started, true) {
                        let fields = [date, field("Content-Type", kind)];
                        put(&mut out, 1024, |o| {
                            conn.send_response(200, &fields, *length, o)
                        });
                    }
                    let frame = conn.send_data(data).expect("the request's own length");
                    out.extend_from_slice(frame.prefix());
                    out.extend_from_slice(data);
                    out.extend_from_slice(frame.suffix());
                }
            }
            ServerEvent::EndOfRequest => match pending.take() {
                Some(Answer::Whole(status, mut fields, body)) => {
                    fields.insert(0, date);
                    put(&mut out, 512 + body.len(), |o| {
                        conn.respond(status, &fields, &body, o)
                    });
                }
                Some(Answer::Echo(kind, length, started)) => {
                    if !started {
                        let fields = [date, field("Content-Type", &kind)];
                        put(&mut out, 1024, |o| {
                            conn.send_response(200, &fields, length, o)
                        });
                    }
                    put(&mut out, 16, |o| conn.send_end(&[], o));
                }
                None => {}
            },
            ServerEvent::Trailer(_) => {}
            ServerEvent::NeedMore => {
                // Flush the responses batched so far before waiting.
                socket.write_all(&out).await?;
                out.clear();
                match tokio::time::timeout(Duration::from_secs(10), socket.read(buf.spare())).await
                {
                    Ok(Ok(0)) => conn.peer_closed(),
                    Ok(Ok(n)) => buf.filled(n),
                    Ok(Err(e)) => return Err(e),
                    Err(_idle) => return Ok(()),
                }
            }
            // Every response is finished by its request's end, so the
            // connection never waits for one; no switch is ever accepted.
            ServerEvent::Paused | ServerEvent::Switched(_) | ServerEvent::Close => {
                return socket.write_all(&out).await;
            }
        }
        buf.consume(used);
    }
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(40001);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (socket, _) = listener.accept().await?;
            tokio::spawn(async move { serve(socket).await });
        }
    })
}
