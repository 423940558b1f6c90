//! The library's `tokio_echo` and `proxy` examples over TCP, run as a user
//! runs them: `tokio_echo` answers the conformance corpus exactly as the
//! `httpwire` binary does, and the proxy forwards to the binary, streaming
//! bodies in bounded memory and reusing its upstream connection. This test
//! lives with the binary (Cargo tells only its own package's tests where it
//! is); `cargo test` from the repository's root builds the library's
//! examples into the same target directory first. Every process started
//! here is stopped by its PID.

use httpwire::conn::{ServerConnection, ServerEvent};
use httpwire::server::{Request, RequestBody, Response, RunningServer, Server};
use httpwire::{BodyDecoder, Decoded, Header, Limits, ResponseParser, Status};
use std::io::{Read, Write};

mod common;
use common::{example, Process};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn binary() -> Process {
    let bin = Path::new(env!("CARGO_BIN_EXE_httpwire"));
    Process::start(
        bin,
        &[
            "--port",
            "0",
            "--quiet",
            "--workers",
            "2",
            "--max-body",
            "200000000",
        ],
    )
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Sends `bytes` on a new connection, closes the sending side, and reads
/// everything the server sends until it closes.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = connect(addr);
    // The server may close before reading all of an invalid request.
    let _ = s.write_all(bytes);
    let _ = s.shutdown(Shutdown::Write);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    got
}

/// The statuses of the responses in `bytes`, the `n`th framed as an answer
/// to `methods[n]` (GET past the list); stops at anything unreadable.
fn statuses(bytes: &[u8], methods: &[String]) -> Vec<u16> {
    let mut out = Vec::new();
    let mut rest = bytes;
    loop {
        let mut headers = [Header::EMPTY; 64];
        let Ok(Status::Complete(res)) = ResponseParser::new().parse(rest, &mut headers) else {
            return out;
        };
        let method = methods.get(out.len()).map_or("GET", String::as_str);
        if !res.is_interim() {
            out.push(res.status);
        }
        let Ok(framing) = res.framing(method) else {
            return out;
        };
        rest = &rest[res.head_len..];
        let mut body = BodyDecoder::new(framing.framing, &Limits::DEFAULT);
        loop {
            match body.decode(rest) {
                Ok((n, Decoded::Done)) => {
                    rest = &rest[n..];
                    break;
                }
                Ok((0, Decoded::NeedMore)) | Err(_) => return out,
                Ok((n, _)) => rest = &rest[n..],
            }
        }
    }
}

/// Every corpus file over TCP to `tokio_echo` and to the binary: the same
/// statuses, and what the file's `.expect` says (every valid request
/// answered, none with a parse-error status; an invalid file's error
/// status last).
#[test]
fn tokio_echo_answers_the_corpus_as_the_binary_does() {
    let ours = binary();
    let tokio = Process::start(&example("tokio_echo"), &["0"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut checked = 0;
    for dir in ["valid", "invalid"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "http"))
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let expect = std::fs::read_to_string(file.with_extension("expect")).unwrap();
            let lines: Vec<&str> = expect.lines().filter(|l| !l.starts_with('#')).collect();
            let methods: Vec<String> = lines
                .iter()
                .filter_map(|l| l.strip_prefix("request "))
                .map(|l| l.split(' ').next().unwrap().to_string())
                .collect();
            let from_binary = statuses(&exchange(ours.addr, &bytes), &methods);
            let from_tokio = statuses(&exchange(tokio.addr, &bytes), &methods);
            let name = file.display();
            assert_eq!(from_tokio, from_binary, "{name}");
            let parse_error = |s: &u16| matches!(s, 400 | 411 | 413 | 414 | 431 | 505);
            if dir == "valid" {
                assert_eq!(from_tokio.len(), methods.len(), "{name}: {from_tokio:?}");
                assert!(
                    !from_tokio.iter().any(parse_error),
                    "{name}: {from_tokio:?}"
                );
            } else {
                let status: u16 = lines
                    .last()
                    .unwrap()
                    .rsplit(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(from_tokio.last(), Some(&status), "{name}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 80, "the corpus was found ({checked} files)");
}

#[test]
fn tokio_echo_keeps_alive_pipelines_and_continues() {
    let tokio = Process::start(&example("tokio_echo"), &["0"]);
    let mut s = connect(tokio.addr);
    s.write_all(
        b"PUT /echo/x HTTP/1.1\r\nHost: h\r\n\r\nGET /echo/never HTTP/1.1\r\nHost: h\r\n\r\n",
    )
    .unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let text = String::from_utf8(all).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 501 Not Implemented\r\n"),
        "{text}"
    );
    assert!(!text.contains("never"), "{text}");
    let mut got = vec![0u8; 4096];
    let mut s = connect(tokio.addr);
    s.write_all(
        b"POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    )
    .unwrap();
    let n = s.read(&mut got).unwrap();
    assert_eq!(&got[..n], b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"helloGET /echo/again HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    let text = String::from_utf8(rest).unwrap();
    assert!(text.ends_with("\r\n\r\nagain"), "{text}");
    assert!(text.contains("Content-Length: 5\r\n\r\nhello"), "{text}");
}

/// An upstream for the proxy that counts its connections and answers every
/// request with its target, through the server-role connection.
fn counting_upstream() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for socket in listener.incoming().take(8) {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut socket = socket.unwrap();
            socket
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            std::thread::spawn(move || {
                let mut conn = ServerConnection::new();
                let mut input = Vec::new();
                let mut out = vec![0u8; 1024];
                loop {
                    let mut headers = [Header::EMPTY; 32];
                    let (used, event) = conn.poll(&input, &mut headers).unwrap();
                    match event {
                        ServerEvent::Request(req) => {
                            let body = format!("{} {}", req.method, req.target);
                            let n = conn.respond(200, &[], body.as_bytes(), &mut out).unwrap();
                            socket.write_all(&out[..n]).unwrap();
                        }
                        ServerEvent::NeedMore => {
                            let mut chunk = [0u8; 1024];
                            match socket.read(&mut chunk) {
                                Ok(0) | Err(_) => conn.peer_closed(),
                                Ok(n) => input.extend_from_slice(&chunk[..n]),
                            }
                        }
                        ServerEvent::Close => return,
                        _ => {}
                    }
                    input.drain(..used);
                }
            });
        }
    });
    (addr, count)
}

#[test]
fn the_proxy_rewrites_targets_drops_hop_by_hop_fields_and_reuses_its_upstream() {
    let (upstream, connections) = counting_upstream();
    let proxy = Process::start(&example("proxy"), &["0", &upstream.to_string()]);
    let mut s = connect(proxy.addr);
    s.write_all(b"GET http://h/a?b=1 HTTP/1.1\r\nHost: h\r\nKeep-Alive: 5\r\n\r\n")
        .unwrap();
    s.write_all(b"HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
    s.write_all(b"DELETE /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    let text = String::from_utf8(got).unwrap();
    let bodies: Vec<&str> = text
        .split("\r\n\r\n")
        .skip(1)
        .map(|r| r.split("HTTP/1.1").next().unwrap())
        .collect();
    assert_eq!(bodies, ["GET /a?b=1", "", "DELETE /c"], "{text}");
    assert!(
        text.contains("Content-Length: 7\r\n"),
        "HEAD keeps the length: {text}"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "one upstream connection for all three"
    );
}

/// Byte `i` of the 100 MB bodies: the same 64 KiB piece over and over.
fn pattern(i: u64) -> u8 {
    ((i % 65_536) % 251) as u8
}

/// `len` bytes of [`pattern`], made as they are read.
struct Pattern {
    at: u64,
    len: u64,
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min((self.len - self.at) as usize);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = pattern(self.at + i as u64);
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// An upstream for the proxy that reads a request's whole body before it
/// answers, as the proxy expects (it forwards the body whole, then reads
/// the response; the binary's `POST /echo` answers while the body still
/// arrives, and the two would wait on each other once the socket buffers
/// fill): `POST /echo` checks the body against [`pattern`] as it arrives,
/// then answers as many bytes of it. Bounded memory both ways.
fn reads_whole_then_answers() -> RunningServer {
    let mut server = Server::new("127.0.0.1", 0).unwrap();
    server.route_streaming(
        "POST",
        "/echo",
        None,
        |_: &Request, mut body: RequestBody| {
            let mut buf = vec![0; 64 * 1024];
            let mut len = 0u64;
            loop {
                match body.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let right = buf[..n]
                            .iter()
                            .enumerate()
                            .all(|(i, &b)| b == pattern(len + i as u64));
                        assert!(right, "the body as forwarded, from byte {len}");
                        len += n as u64;
                    }
                    Err(e) => return Response::text(e.to_string()),
                }
            }
            Response::new(200).with_body_reader(Pattern { at: 0, len }, Some(len))
        },
    );
    server.spawn().unwrap()
}

#[test]
fn the_proxy_streams_a_100_mb_body_both_ways_in_bounded_memory() {
    let upstream = reads_whole_then_answers();
    let upstream_addr = upstream.local_addr().to_string();
    let proxy = Process::start(&example("proxy"), &["0", &upstream_addr]);
    const LEN: usize = 100_000_000;
    let mut s = connect(proxy.addr);
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut reader = s.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        s.write_all(b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .unwrap();
        let chunk: Vec<u8> = (0..65_536u32).map(|i| (i % 251) as u8).collect();
        let mut sent = 0;
        while sent < LEN {
            let n = chunk.len().min(LEN - sent);
            write!(s, "{n:x}\r\n").unwrap();
            s.write_all(&chunk[..n]).unwrap();
            s.write_all(b"\r\n").unwrap();
            sent += n;
        }
        s.write_all(b"0\r\n\r\n").unwrap();
    });
    // Read the echo as it comes, de-framing and checking it on the way.
    let mut client = httpwire::conn::ClientConnection::new();
    let mut out = [0u8; 256];
    client
        .send_request(
            "POST",
            "/echo",
            &[Header {
                name: "Host",
                value: b"h",
            }],
            None,
            &mut out,
        )
        .unwrap();
    let mut buf = httpwire::conn::InputBuffer::new(vec![0u8; 1 << 16]);
    let mut received = 0usize;
    let mut status = 0;
    loop {
        let mut headers = [Header::EMPTY; 32];
        let (used, event) = client.poll(buf.input(), &mut headers).unwrap();
        match event {
            httpwire::conn::ClientEvent::Response(res) => status = res.status,
            httpwire::conn::ClientEvent::Data(data) => {
                assert!(data
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| b == pattern((received + i) as u64)));
                received += data.len();
            }
            httpwire::conn::ClientEvent::EndOfResponse => break,
            httpwire::conn::ClientEvent::NeedMore => match reader.read(buf.spare()).unwrap() {
                0 => client.peer_closed(),
                n => buf.filled(n),
            },
            other => panic!("{other:?}"),
        }
        buf.consume(used);
    }
    sender.join().unwrap();
    assert_eq!((status, received), (200, LEN));
    let peak = proxy.peak_rss_kib().expect("Linux /proc");
    assert!(peak < 16 * 1024, "the proxy's peak memory: {peak} KiB");
    assert!(upstream.shutdown(Duration::from_secs(2)));
}
