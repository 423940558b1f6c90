//! A blocking forwarding proxy on both roles of the sans-IO connection:
//! requests are read with a `ServerConnection` and forwarded with a
//! `ClientConnection`, bodies stream both ways through fixed buffers (never
//! held whole), absolute-form targets become origin-form, hop-by-hop fields
//! are dropped (RFC 9110 §7.6.1), and the upstream connection is reused
//! while its responses allow it.
//!
//! `cargo run --release --example proxy -- LISTEN_PORT UPSTREAM_HOST:PORT`
//! (listens on 127.0.0.1).
//!
//! Kept short on purpose: one thread per client connection, the request's
//! body is forwarded whole before the response is read, 1xx other than 100
//! are passed on, and upgrades are not offered (`Upgrade` is hop-by-hop).
//! So an upstream that answers while the body still arrives (the echo
//! server's `POST /echo` streams it back) and a body larger than the socket
//! buffers wait on each other, until the upstream's write timeout.

use httpwire::conn::{
    ClientConnection, ClientEvent, InputBuffer, SendError, ServerConnection, ServerEvent, CONTINUE,
};
use httpwire::field::end_to_end;
use httpwire::{Framing, Header, Limits, RequestParser, ResponseParser, TargetForm};
use std::io::{self, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Buffer sizes: a head up to the parser's limit (64 KiB) fits in one.
const BUF: usize = 80 * 1024;

/// Bodies stream through, so their size needs no bound here, either way.
const UNBOUNDED_BODIES: Limits = Limits {
    max_body: u64::MAX,
    ..Limits::DEFAULT
};

/// The connection to the upstream server and its input buffer.
struct Upstream {
    socket: TcpStream,
    conn: ClientConnection,
    buf: InputBuffer<Vec<u8>>,
}

impl Upstream {
    fn connect(addr: &str) -> io::Result<Upstream> {
        let socket = TcpStream::connect(addr)?;
        socket.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Upstream {
            socket,
            // Bodies stream through: a chunked response needs no bound
            // either (the default limits would refuse one over 8 MiB).
            conn: ClientConnection::with_parser(
                ResponseParser::with_limits(UNBOUNDED_BODIES).allow_obs_fold(true),
            ),
            buf: InputBuffer::new(vec![0; BUF]),
        })
    }
}

/// The fields to forward: end-to-end ones only, and never the framing
/// fields (the forwarding connection frames the body itself) nor `Expect`
/// (the proxy answers 100-continue itself).
fn forwarded<'b>(headers: &[Header<'b>]) -> Vec<Header<'b>> {
    end_to_end(headers)
        .filter(|h| !h.is("content-length") && !h.is("expect"))
        .copied()
        .collect()
}

/// Owned trailer fields, to forward at the end of a body.
type Trailers = Vec<(String, Vec<u8>)>;

/// Ends a forwarded body with its end-to-end `trailers` where the framing
/// has room for them (chunked); otherwise without (a recipient may drop
/// trailers, RFC 9110 §6.5.1). `send_end` is the connection's.
fn end_body(
    mut send_end: impl FnMut(&[Header<'_>]) -> Result<usize, SendError>,
    trailers: &Trailers,
) -> io::Result<usize> {
    let all: Vec<Header<'_>> = trailers
        .iter()
        .map(|(name, value)| Header { name, value })
        .collect();
    match send_end(&forwarded(&all)) {
        Err(SendError::TrailersNotAllowed) => send_end(&[]),
        sent => sent,
    }
    .map_err(io_error)
}

fn io_error(e: impl std::fmt::Debug) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{e:?}"))
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: proxy LISTEN_PORT UPSTREAM_HOST:PORT");
        std::process::exit(2);
    };
    let listener = TcpListener::bind(("127.0.0.1", port.parse::<u16>().map_err(io_error)?))?;
    println!("listening on http://{}", listener.local_addr()?);
    for client in listener.incoming() {
        let (client, upstream) = (client?, upstream.clone());
        std::thread::spawn(move || {
            if let Err(e) = serve(client, &upstream) {
                eprintln!("proxy: {e}");
            }
        });
    }
    Ok(())
}

fn serve(client: TcpStream, upstream_addr: &str) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = &client;
    let mut out = BufWriter::with_capacity(BUF, &client);
    let mut conn = ServerConnection::with_parser(RequestParser::with_limits(UNBOUNDED_BODIES));
    let mut buf = InputBuffer::new(vec![0; BUF]);
    let mut scratch = vec![0; BUF];
    let mut upstream: Option<Upstream> = None;
    let mut method = String::new();
    let mut trailers = Trailers::new();
    loop {
        let mut headers = [Header::EMPTY; 100];
        let (used, event) = match conn.poll(buf.input(), &mut headers) {
            Ok(polled) => polled,
            Err(e) => {
                if let Some(status) = e.status {
                    let n = conn
                        .respond(status, &[], b"", &mut scratch)
                        .map_err(io_error)?;
                    out.write_all(&scratch[..n])?;
                }
                return out.flush();
            }
        };
        match event {
            ServerEvent::Request(req) => {
                let up = match upstream.take() {
                    Some(up) if up.conn.keep_alive() => up,
                    _ => Upstream::connect(upstream_addr)?,
                };
                let up = upstream.insert(up);
                // RFC 9112 §3.2.2: forward an absolute-form target as
                // origin-form (the Host field already names the authority).
                let target = match (req.target_form, req.query()) {
                    (TargetForm::Absolute, Some(query)) => format!("{}?{query}", req.path()),
                    (TargetForm::Absolute, None) => req.path().to_string(),
                    _ => req.target.to_string(),
                };
                let fields = forwarded(req.headers);
                let length = req.framing.content_length();
                let n = up
                    .conn
                    .send_request(req.method, &target, &fields, length, &mut scratch)
                    .map_err(io_error)?;
                up.socket.write_all(&scratch[..n])?;
                method = req.method.to_string();
            }
            ServerEvent::Continue => out.write_all(CONTINUE)?,
            ServerEvent::Data(data) => {
                let up = upstream.as_mut().expect("a request was forwarded");
                let frame = up.conn.send_data(data).map_err(io_error)?;
                for piece in [frame.prefix(), data, frame.suffix()] {
                    up.socket.write_all(piece)?;
                }
            }
            ServerEvent::Trailer(h) => trailers.push((h.name.to_string(), h.value.to_vec())),
            ServerEvent::EndOfRequest => {
                let up = upstream.as_mut().expect("a request was forwarded");
                let n = end_body(|t| up.conn.send_end(t, &mut scratch), &trailers)?;
                up.socket.write_all(&scratch[..n])?;
                trailers.clear();
                relay_response(&mut conn, up, &method, &mut out, &mut scratch)?;
            }
            ServerEvent::NeedMore => {
                out.flush()?;
                match reader.read(buf.spare())? {
                    0 => conn.peer_closed(),
                    n => buf.filled(n),
                }
            }
            // The response is relayed whole at the request's end, so the
            // connection never waits for one; upgrades are never offered.
            ServerEvent::Paused | ServerEvent::Switched(_) | ServerEvent::Close => {
                return out.flush()
            }
        }
        buf.consume(used);
    }
}

/// Reads the upstream's response to `method` and sends it on to the
/// client as it arrives.
fn relay_response(
    conn: &mut ServerConnection,
    up: &mut Upstream,
    method: &str,
    out: &mut impl Write,
    scratch: &mut [u8],
) -> io::Result<()> {
    let mut trailers = Trailers::new();
    loop {
        let mut headers = [Header::EMPTY; 100];
        let (used, event) = match up.conn.poll(up.buf.input(), &mut headers) {
            Ok(polled) => polled,
            Err(e) => {
                // A response that cannot be read: 502 if nothing was sent yet.
                if let Ok(n) = conn.respond(502, &[], b"", scratch) {
                    out.write_all(&scratch[..n])?;
                }
                return Err(io_error(e));
            }
        };
        match event {
            ClientEvent::Interim(res) if res.status != 100 => {
                // RFC 9110 §15.2: pass 1xx on (HTTP/1.1 clients only).
                if let Ok(n) =
                    conn.send_response(res.status, &forwarded(res.headers), None, scratch)
                {
                    out.write_all(&scratch[..n])?;
                }
            }
            ClientEvent::Interim(_) => {}
            ClientEvent::Response(res) => {
                let framing = res.framing(method).map_err(io_error)?.framing;
                // No body after HEAD or 304, but the length a GET would have
                // had is passed on.
                let length = match framing {
                    Framing::None => res
                        .header("content-length")
                        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok()),
                    framing => framing.content_length(),
                };
                let n = conn
                    .send_response(res.status, &forwarded(res.headers), length, scratch)
                    .map_err(io_error)?;
                out.write_all(&scratch[..n])?;
            }
            ClientEvent::Data(data) => {
                let frame = conn.send_data(data).map_err(io_error)?;
                for piece in [frame.prefix(), data, frame.suffix()] {
                    out.write_all(piece)?;
                }
            }
            ClientEvent::Trailer(h) => trailers.push((h.name.to_string(), h.value.to_vec())),
            ClientEvent::EndOfResponse => {
                let n = end_body(|t| conn.send_end(t, scratch), &trailers)?;
                out.write_all(&scratch[..n])?;
                up.buf.consume(used);
                return Ok(());
            }
            ClientEvent::NeedMore => {
                out.flush()?;
                match up.socket.read(up.buf.spare())? {
                    0 => up.conn.peer_closed(),
                    n => up.buf.filled(n),
                }
            }
            ClientEvent::Idle | ClientEvent::Switched(_) | ClientEvent::Close => {
                return Err(io_error("the upstream connection ended mid-exchange"));
            }
        }
        up.buf.consume(used);
    }
}
