//! The echo server's endpoints on tokio, over the sans-IO server connection:
//! `GET /echo/<x>` answers `x`, `POST /echo` streams the body back, and
//! 404/405/501 as the `httpwire` binary; keep-alive, pipelining and
//! 100-continue come from `httpwire::conn`.
//!
//! `cargo run --release --example tokio_echo -- PORT` (on 127.0.0.1).

use httpwire::conn::{append, InputBuffer, SendError, ServerConnection, ServerEvent, CONTINUE};
use httpwire::{date::HttpDate, serialize::reason_phrase, Header, Request};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PLAIN: Header<'static> = Header::new("Content-Type", b"text/plain");
const CLOSE: Header<'static> = Header::new("Connection", b"close");

/// What a request gets: a whole response (status, fields, body), or its
/// body echoed as it comes (Content-Type and length).
enum Answer {
    Whole(u16, Vec<Header<'static>>, Vec<u8>),
    Echo(Vec<u8>, Option<u64>),
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
        None if path == "*" => ("", Header::new("Allow", b"GET, HEAD, OPTIONS, POST")),
        Some(text) => (text, Header::new("Allow", b"GET, HEAD, OPTIONS, POST")),
        None if path == "/echo" => ("", Header::new("Allow", b"OPTIONS, POST")),
        None => return refuse(404, vec![PLAIN]),
    };
    match method {
        "GET" | "HEAD" if path.starts_with("/echo/") => {
            Answer::Whole(200, vec![PLAIN], text.into())
        }
        "POST" => {
            let kind = req.header("content-type");
            let kind = kind.unwrap_or(b"application/octet-stream").into();
            Answer::Echo(kind, req.framing.content_length())
        }
        "OPTIONS" => Answer::Whole(200, vec![allow], Vec::new()),
        _ => refuse(405, vec![PLAIN, allow]),
    }
}

/// Appends what a send method writes; every response here is valid.
fn put(out: &mut Vec<u8>, write: impl FnMut(&mut [u8]) -> Result<usize, SendError>) {
    append(out, write).expect("a valid response");
}

async fn serve(mut socket: TcpStream) -> io::Result<()> {
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
                    put(&mut out, |o| conn.respond(status, &[], body.as_bytes(), o));
                }
                return socket.write_all(&out).await;
            }
        };
        let date = HttpDate::now();
        let date = Header::new("Date", date.as_bytes());
        // The echo's head goes out once the body is asked for (until then
        // nothing `sends_body`), so that a client waiting for 100 Continue
        // gets it first.
        if let (ServerEvent::Data(_) | ServerEvent::EndOfRequest, Some(Answer::Echo(kind, len))) =
            (&event, &pending)
        {
            if !conn.sends_body() {
                let fields = [date, Header::new("Content-Type", kind)];
                put(&mut out, |o| conn.send_response(200, &fields, *len, o));
            }
        }
        match event {
            // Answered at the request's end, as the binary does, so that a
            // body whose framing turns out bad gets its 400.
            ServerEvent::Request(req) => pending = Some(route(&req)),
            ServerEvent::Continue => out.extend_from_slice(CONTINUE),
            ServerEvent::Data(data) if conn.sends_body() => {
                put(&mut out, |o| conn.send_data_into(data, o));
            }
            ServerEvent::EndOfRequest => match pending.take() {
                Some(Answer::Whole(status, mut fields, body)) => {
                    fields.insert(0, date);
                    put(&mut out, |o| conn.respond(status, &fields, &body, o));
                }
                Some(Answer::Echo(..)) => put(&mut out, |o| conn.send_end(&[], o)),
                None => {}
            },
            ServerEvent::Data(_) | ServerEvent::Trailer(_) => {}
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

fn main() -> io::Result<()> {
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
