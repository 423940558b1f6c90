//! The server's HTTP behaviour over real sockets on 127.0.0.1 (port 0):
//! routing, echo, bodies, keep-alive, pipelining, 100-continue, HEAD,
//! error statuses and protocol switches. Every client socket has a read timeout, so no test can
//! hang; every server is shut down at the end of its test.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use httpwire::server::{
    body_channel, BodySender, BodySink, Config, Gone, Request, RequestBody, Response,
    RunningServer, Switched,
};

fn test_config() -> Config {
    Config {
        io_model: common::io_model(),
        workers: 2,
        max_connections: 32,
        head_timeout: Duration::from_secs(3),
        body_timeout: Duration::from_secs(3),
        keep_alive_timeout: Duration::from_secs(3),
        write_timeout: Duration::from_secs(3),
        ..Config::default()
    }
}

fn start() -> RunningServer {
    common::start_echo(test_config(), |_| {})
}

fn stop(server: RunningServer) {
    assert!(
        server.shutdown(Duration::from_secs(2)),
        "server did not drain in time"
    );
}

struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(common::connect(addr)),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).expect("write");
    }

    /// Reads one response; `head` means it answers a HEAD request.
    fn read(&mut self, head: bool) -> Reply {
        let mut reply = self.read_head();
        assert!(
            reply.header("transfer-encoding").is_none(),
            "the server sends chunked only for a streamed body"
        );
        if !head && !matches!(reply.status, 100..=199 | 204 | 304) {
            let len: usize = reply
                .header("content-length")
                .expect("Content-Length")
                .parse()
                .unwrap();
            reply.body = vec![0; len];
            self.reader.read_exact(&mut reply.body).expect("body");
        }
        reply
    }

    /// Reads a response's head, leaving its body unread.
    fn read_head(&mut self) -> Reply {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("status line (timed out?)");
        assert!(line.ends_with("\r\n"), "incomplete status line {line:?}");
        let mut parts = line.trim_end().splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "status line {line:?}");
        let status = parts.next().unwrap().parse().unwrap();
        let reason = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("field line");
            assert!(line.ends_with("\r\n"), "incomplete field line {line:?}");
            if line == "\r\n" {
                break;
            }
            let (name, value) = line.trim_end().split_once(':').expect("colon");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        Reply {
            status,
            reason,
            headers,
            body: Vec::new(),
        }
    }

    /// Reads `len` body bytes and checks them against [`Generated`]'s
    /// pattern without keeping them; returns how many came before the
    /// connection ended, if it ended first.
    fn count_generated(&mut self, len: u64, from: u64) -> u64 {
        let mut got = 0;
        let mut buf = vec![0; 64 * 1024];
        while got < len {
            let want = buf.len().min((len - got) as usize);
            match self.reader.read(&mut buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    for (i, &b) in buf[..n].iter().enumerate() {
                        assert_eq!(b, Generated::byte(from + got + i as u64), "at {}", got);
                    }
                    got += n as u64;
                }
            }
        }
        got
    }

    /// Reads a chunked body of [`Generated`] bytes to its last chunk;
    /// returns its length, and whether it ended (a last chunk, then the
    /// empty line) rather than being cut off by the close.
    fn count_chunked(&mut self) -> (u64, bool) {
        let mut total = 0;
        loop {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return (total, false),
                Ok(_) => {}
            }
            let size = u64::from_str_radix(line.trim_end(), 16).expect("chunk-size");
            if size == 0 {
                let mut end = String::new();
                self.reader.read_line(&mut end).expect("end of trailers");
                assert_eq!(end, "\r\n", "no trailers");
                return (total, true);
            }
            let got = self.count_generated(size, total);
            total += got;
            let mut crlf = [0; 2];
            if got < size || self.reader.read_exact(&mut crlf).is_err() {
                return (total, false);
            }
            assert_eq!(&crlf, b"\r\n");
        }
    }

    fn request(&mut self, bytes: &[u8]) -> Reply {
        self.send(bytes);
        self.read(bytes.starts_with(b"HEAD "))
    }

    /// The server closed the connection: EOF (or a reset) with no more bytes.
    fn assert_closed(&mut self) {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => assert!(
                rest.is_empty(),
                "unexpected bytes {:?}",
                String::from_utf8_lossy(&rest)
            ),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("connection not closed: {e}"),
        }
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

/// A reader of `len` bytes of a fixed pattern (byte `i` is `i % 251`),
/// made as they are read; then, if `fail`, an error.
struct Generated {
    at: u64,
    len: u64,
    fail: bool,
    /// Set when the reader is read at all.
    touched: Arc<AtomicUsize>,
}

impl Generated {
    fn new(len: u64) -> Generated {
        Generated {
            at: 0,
            len,
            fail: false,
            touched: Arc::default(),
        }
    }

    fn byte(i: u64) -> u8 {
        (i % 251) as u8
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.touched.fetch_add(1, Ordering::SeqCst);
        if self.at == self.len && self.fail {
            return Err(std::io::Error::other("the generator broke"));
        }
        let n = buf.len().min((self.len - self.at) as usize);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = Generated::byte(self.at + i as u64);
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// More than `max_body` (8 MiB by default): a whole body could not be this large.
const BIG: u64 = 32 << 20;

/// The echo endpoints plus streamed ones: `/gen/<n>` (`n` bytes, length
/// announced), `/gen-unknown/<n>` (length not announced),
/// `/gen-fail/<n>` (`n` bytes then an error, length not announced),
/// `/gen-short/<n>` (`n` bytes, `2n` announced); `touched` counts the
/// reads of every reader.
fn start_streaming(touched: Arc<AtomicUsize>) -> RunningServer {
    common::start_echo(test_config(), move |server| {
        fn n(req: &Request, prefix: &str) -> u64 {
            req.path()[prefix.len()..].parse().unwrap()
        }
        let gen = move |req: &Request, prefix: &str, fail: bool| Generated {
            fail,
            touched: Arc::clone(&touched),
            ..Generated::new(n(req, prefix))
        };
        let (g1, g2, g3, g4) = (gen.clone(), gen.clone(), gen.clone(), gen);
        server
            .route("GET", "/gen/", move |req: &Request| {
                let len = n(req, "/gen/");
                Response::new(200).with_body_reader(g1(req, "/gen/", false), Some(len))
            })
            .route("GET", "/gen-unknown/", move |req: &Request| {
                Response::new(200).with_body_reader(g2(req, "/gen-unknown/", false), None)
            })
            .route("GET", "/gen-fail/", move |req: &Request| {
                Response::new(200).with_body_reader(g3(req, "/gen-fail/", true), None)
            })
            .route("GET", "/gen-short/", move |req: &Request| {
                let len = n(req, "/gen-short/");
                Response::new(200).with_body_reader(g4(req, "/gen-short/", false), Some(2 * len))
            })
            .route("GET", "/no-content", |_: &Request| {
                Response::new(204).with_body_reader(Generated::new(5), None)
            });
    })
}

#[test]
fn a_streamed_body_past_max_body_with_its_length() {
    let server = start_streaming(Arc::default());
    let mut c = Client::connect(server.local_addr());
    c.send(&get(&format!("/gen/{BIG}")));
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some(&*BIG.to_string()));
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(c.count_generated(BIG, 0), BIG);
    // The connection persists.
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    stop(server);
}

#[test]
fn a_streamed_body_of_unknown_length_is_chunked_to_http11() {
    let server = start_streaming(Arc::default());
    let mut c = Client::connect(server.local_addr());
    for len in [BIG, 0, 1, 32 * 1024 + 1] {
        c.send(&get(&format!("/gen-unknown/{len}")));
        let r = c.read_head();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("transfer-encoding"), Some("chunked"));
        assert_eq!(r.header("content-length"), None);
        assert_eq!(c.count_chunked(), (len, true), "{len}");
    }
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    stop(server);
}

#[test]
fn a_streamed_body_of_unknown_length_ends_with_the_connection_to_http10() {
    let server = start_streaming(Arc::default());
    let mut c = Client::connect(server.local_addr());
    c.send(format!("GET /gen-unknown/{BIG} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").as_bytes());
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.header("connection"), Some("close"));
    assert_eq!(
        c.count_generated(BIG + 1, 0),
        BIG,
        "the body, then the close"
    );
    stop(server);
}

#[test]
fn head_and_204_get_a_streamed_response_head_and_the_reader_is_not_read() {
    let touched = Arc::new(AtomicUsize::new(0));
    let server = start_streaming(Arc::clone(&touched));
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"HEAD /gen/1000 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, Some("1000")));
    c.send(b"HEAD /gen-unknown/1000 HTTP/1.1\r\nHost: t\r\n\r\n");
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.header("transfer-encoding"), None);
    let r = c.request(&get("/no-content"));
    assert_eq!((r.status, r.header("content-length")), (204, None));
    // No body bytes came: the next response starts right away.
    assert_eq!(c.request(&get("/echo/next")).text(), "next");
    assert_eq!(touched.load(Ordering::SeqCst), 0, "a reader was read");
    stop(server);
}

#[test]
fn a_reader_that_fails_ends_the_connection_without_the_last_chunk() {
    let server = start_streaming(Arc::default());
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/gen-fail/100000"));
    let r = c.read_head();
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(c.count_chunked(), (100_000, false));
    stop(server);
}

#[test]
fn a_reader_short_of_its_length_ends_the_connection() {
    let server = start_streaming(Arc::default());
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/gen-short/100000"));
    let r = c.read_head();
    assert_eq!(r.header("content-length"), Some("200000"));
    assert_eq!(c.count_generated(200_000, 0), 100_000);
    stop(server);
}

#[test]
fn a_client_gone_mid_stream_ends_its_connection() {
    let touched = Arc::new(AtomicUsize::new(0));
    let server = start_streaming(Arc::clone(&touched));
    let mut c = Client::connect(server.local_addr());
    c.send(&get(&format!("/gen/{BIG}")));
    assert_eq!(c.read_head().status, 200);
    assert_eq!(c.count_generated(1 << 20, 0), 1 << 20);
    drop(c);
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while server.handle().active_connections() > 0 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.handle().active_connections(), 0);
    // The reader was not read on after the client left: 32 MiB takes 1024
    // reads of 32 KiB; here some 35-45 are seen (what the client read and
    // the socket buffers held), and the bound leaves room for larger buffers.
    let reads = touched.load(Ordering::SeqCst);
    assert!(reads < 512, "{reads} reads");
    stop(server);
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

#[test]
fn echo_get_answers_the_rest_of_the_path() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&get("/echo/hello"));
    assert_eq!((r.status, r.reason.as_str()), (200, "OK"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.header("content-length"), Some("5"));
    assert_eq!(r.text(), "hello");
    // Without the query, as sent (no percent-decoding); the length is in bytes.
    let r = c.request(&get("/echo/caf%C3%A9/x?q=1"));
    assert_eq!(r.text(), "caf%C3%A9/x");
    assert_eq!(r.header("content-length"), Some("11"));
    let r = c.request(&get("/echo/"));
    assert_eq!((r.status, r.text()), (200, ""));
    stop(server);
}

#[test]
fn echo_post_content_length_and_chunked() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world");
    assert_eq!((r.status, r.text()), (200, "hello world"));
    let r = c.request(
        b"POST /echo/deeper HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n",
    );
    assert_eq!((r.status, r.text()), (200, "hello world"));
    assert_eq!(r.header("content-length"), Some("11"));
    // A body split across writes.
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab");
    std::thread::sleep(Duration::from_millis(50));
    c.send(b"c\r\n0\r\n\r\n");
    assert_eq!(c.read(false).text(), "abc");
    // An empty body.
    let r = c.request(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!((r.status, r.text()), (200, ""));
    stop(server);
}

#[test]
fn trailers_reach_the_handler() {
    let server = common::start_echo(test_config(), |s| {
        s.route("POST", "/trailers", |req: &Request| {
            let names: Vec<String> = req.trailers().map(|h| h.name.to_string()).collect();
            Response::text(names.join(","))
        });
    });
    let mut c = Client::connect(server.local_addr());
    let r = c.request(
        b"POST /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
    );
    assert_eq!(r.text(), "A,B");
    stop(server);
}

#[test]
fn trailers_reach_a_sinks_end() {
    let server = start_body_streaming(test_config(), seen());
    let mut c = Client::connect(server.local_addr());
    c.send(&post_head("/sink", 0, true, ""));
    c.send(b"3\r\n\x00\x01\x02\r\n0\r\nA: 1\r\nB: 2\r\n\r\n");
    let r = c.read(false);
    assert_eq!((r.text(), r.header("trailers-seen")), ("3", Some("A,B")));
    stop(server);
}

#[test]
fn no_endpoint_is_404_not_found() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    for path in ["/", "/nope", "/echoes"] {
        let r = c.request(&get(path));
        assert_eq!((r.status, r.reason.as_str()), (404, "Not Found"), "{path}");
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.text(), "Not Found");
    }
    stop(server);
}

#[test]
fn longest_prefix_wins_not_insertion_order() {
    let server = common::start_echo(test_config(), |s| {
        s.route("GET", "/", |_: &Request| Response::text("root"))
            .route("GET", "/a/b", |_: &Request| Response::text("ab"))
            .route("GET", "/a", |_: &Request| Response::text("a"));
    });
    let mut c = Client::connect(server.local_addr());
    for (path, want) in [
        ("/a/b/c", "ab"),
        ("/a/b", "ab"),
        ("/a/x", "a"),
        ("/a", "a"),
        ("/ab", "root"),
        ("/", "root"),
    ] {
        assert_eq!(c.request(&get(path)).text(), want, "{path}");
    }
    stop(server);
}

#[test]
fn other_method_is_405_with_allow() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    // `/echo/x` is under both prefixes, so this one is POST's: routed.
    assert_eq!(r.status, 200);
    let r = c.request(&get("/echo"));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("OPTIONS, POST"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    // The connection goes on after a 405.
    assert_eq!(c.request(&get("/echo/still")).text(), "still");
    stop(server);
}

#[test]
fn unused_method_is_501_case_sensitive() {
    let server = start();
    for method in ["FROBNICATE", "get", "PUT", "DELETE"] {
        let mut c = Client::connect(server.local_addr());
        let r = c.request(format!("{method} /echo/x HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
        assert_eq!(
            (r.status, r.reason.as_str()),
            (501, "Not Implemented"),
            "{method}"
        );
        // A client speaking another method is not kept: answer and close.
        assert_eq!(r.header("connection"), Some("close"), "{method}");
        c.assert_closed();
    }
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/echo/ok")).status, 200);
    stop(server);
}

#[test]
fn rejected_head_request_gets_no_body() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    // RFC 9110 §9.3.2: no content in a response to HEAD, errors included.
    let r = c.request(b"HEAD /echo/x HTTP/1.1\r\nHost: a b\r\n\r\n");
    assert_eq!(r.status, 400);
    assert!(r.body.is_empty());
    c.assert_closed();
    stop(server);
}

#[test]
fn stray_crlf_after_a_request_is_not_a_slow_head() {
    let config = Config {
        keep_alive_timeout: Duration::from_millis(300),
        head_timeout: Duration::from_secs(3),
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let mut c = Client::connect(server.local_addr());
    // Some clients send CRLF after a body; RFC 9112 §2.2 says to ignore it.
    let r = c.request(b"GET /echo/ok HTTP/1.1\r\nHost: t\r\n\r\n\r\n");
    assert_eq!(r.text(), "ok");
    // Idle after it: closed quietly at the keep-alive timeout, no 408.
    c.assert_closed();
    stop(server);
}

#[test]
fn options_lists_methods() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS, POST"));
    assert_eq!(r.header("content-length"), Some("0"));
    let r = c.request(b"OPTIONS /echo/x HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS, POST"));
    let r = c.request(b"OPTIONS /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.status, 404);
    stop(server);
}

#[test]
fn absolute_form_is_routed_by_path() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"GET http://example.com/echo/abs?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
    assert_eq!((r.status, r.text()), (200, "abs"));
    let r = c.request(b"GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
    assert_eq!(r.status, 404);
    stop(server);
}

#[test]
fn panicking_handler_is_500_and_the_server_goes_on() {
    let server = common::start_echo(test_config(), |s| {
        s.route("GET", "/boom", |_: &Request| -> Response {
            panic!("boom (expected by the test)")
        });
    });
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&get("/boom"));
    assert_eq!(
        (r.status, r.reason.as_str()),
        (500, "Internal Server Error")
    );
    assert_eq!(r.text(), "Internal Server Error");
    assert_eq!(r.header("content-type"), Some("text/plain"));
    // Same connection, and others, still served.
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    let mut other = Client::connect(server.local_addr());
    assert_eq!(other.request(&get("/echo/other")).text(), "other");
    assert_eq!(other.request(&get("/boom")).status, 500);
    stop(server);
}

#[test]
fn response_the_serializer_refuses_is_500() {
    let server = common::start_echo(test_config(), |s| {
        s.route("GET", "/split", |_: &Request| {
            Response::text("x").with_header("X-A", "a\r\nSet-Cookie: evil")
        })
        .route("GET", "/framing", |_: &Request| {
            Response::text("x").with_header("Content-Length", "9")
        });
    });
    let mut c = Client::connect(server.local_addr());
    for path in ["/split", "/framing"] {
        let r = c.request(&get(path));
        assert_eq!(r.status, 500, "{path}");
        assert!(r.header("set-cookie").is_none());
    }
    stop(server);
}

#[test]
fn keep_alive_reuses_the_connection() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    for i in 0..5 {
        let r = c.request(&get(&format!("/echo/{i}")));
        assert_eq!(r.text(), i.to_string());
        assert_eq!(r.header("connection"), None);
    }
    // HTTP/1.0 with keep-alive: kept, and said so.
    let r = c.request(b"GET /echo/ten HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(
        (r.text(), r.header("connection")),
        ("ten", Some("keep-alive"))
    );
    // HTTP/1.0 without it: closed after the response.
    let r = c.request(b"GET /echo/last HTTP/1.0\r\n\r\n");
    assert_eq!((r.text(), r.header("connection")), ("last", Some("close")));
    c.assert_closed();
    stop(server);
}

#[test]
fn connection_close_is_honoured() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    // The second request must not be processed (RULES PL-2).
    c.send(b"GET /echo/one HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /echo/two HTTP/1.1\r\nHost: t\r\n\r\n");
    let r = c.read(false);
    assert_eq!((r.text(), r.header("connection")), ("one", Some("close")));
    c.assert_closed();
    stop(server);
}

#[test]
fn fifty_pipelined_requests_are_answered_in_order() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let mut batch = Vec::new();
    for i in 0..50 {
        if i % 2 == 0 {
            batch.extend_from_slice(&get(&format!("/echo/{i}")));
        } else {
            let body = format!("body{i}");
            batch.extend_from_slice(
                format!(
                    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    }
    c.send(&batch);
    for i in 0..50 {
        let r = c.read(false);
        let want = if i % 2 == 0 {
            i.to_string()
        } else {
            format!("body{i}")
        };
        assert_eq!((r.status, r.text()), (200, want.as_str()), "response {i}");
    }
    stop(server);
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    let interim = c.read(false);
    assert_eq!((interim.status, interim.reason.as_str()), (100, "Continue"));
    c.send(b"ping");
    assert_eq!(c.read(false).text(), "ping");
    // Body sent at once anyway: no 100 needed, one final response.
    let r = c.request(
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok",
    );
    assert_eq!((r.status, r.text()), (200, "ok"));
    // No endpoint: the final status instead of 100, and the body is never read.
    c.send(
        b"POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
    );
    let r = c.read(false);
    assert_eq!((r.status, r.header("connection")), (404, Some("close")));
    c.assert_closed();
    stop(server);
}

#[test]
fn head_has_the_get_headers_and_no_body() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"HEAD /echo/twelve-bytes HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("12"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    // No body bytes came: the next response starts right away.
    assert_eq!(c.request(&get("/echo/next")).text(), "next");
    stop(server);
}

#[test]
fn date_and_server_headers() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&get("/echo/x"));
    let date = r.header("date").expect("Date");
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    assert_eq!(r.header("server"), Some("httpwire"));
    stop(server);

    let config = Config {
        server_header: None,
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let mut c = Client::connect(server.local_addr());
    let r = c.request(&get("/echo/x"));
    assert!(r.header("server").is_none());
    assert!(r.header("date").is_some());
    stop(server);
}

#[test]
fn bad_requests_get_the_core_status_and_a_close() {
    let long_target = format!("GET /echo/{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(9000));
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        "X-A: 1\r\n".repeat(101)
    );
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Long: {}\r\n\r\n",
        "b".repeat(9000)
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("bare LF", b"GET / HTTP/1.1\nHost: t\n\n".to_vec(), 400),
        ("no Host", b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("CL and TE", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(), 400),
        ("obs-fold", b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n".to_vec(), 400),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec(), 400),
        ("long target", long_target.into_bytes(), 414),
        ("too many fields", many_headers.into_bytes(), 431),
        ("long field", long_header.into_bytes(), 431),
        ("unknown coding", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".to_vec(), 501),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n".to_vec(), 505),
    ];
    let server = start();
    for (name, bytes, status) in cases {
        let mut c = Client::connect(server.local_addr());
        let r = c.request(&bytes);
        assert_eq!(r.status, status, "{name}");
        assert_eq!(r.header("connection"), Some("close"), "{name}");
        assert_eq!(r.header("content-type"), Some("text/plain"), "{name}");
        assert!(
            !r.body.is_empty() && r.body.len() < 200,
            "{name}: short body"
        );
        c.assert_closed();
    }
    stop(server);
}

#[test]
fn requests_before_a_bad_one_are_answered_first() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    c.send(b"GET /echo/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/3 HTTP/1.1\nHost: t\r\n\r\nGET /echo/4 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(c.read(false).text(), "1");
    assert_eq!(c.read(false).text(), "2");
    let r = c.read(false);
    assert_eq!((r.status, r.header("connection")), (400, Some("close")));
    c.assert_closed();
    stop(server);
}

#[test]
fn declared_body_over_the_limit_is_413_before_reading_it() {
    let config = Config {
        limits: httpwire::Limits {
            max_body: 1024,
            ..httpwire::Limits::DEFAULT
        },
        ..test_config()
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = common::start_echo(config, move |s| {
        s.route("POST", "/count", move |_: &Request| {
            seen.fetch_add(1, Ordering::SeqCst);
            Response::text("ran")
        });
    });
    // Content-Length: answered from the head alone, the body never sent.
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n");
    assert_eq!((r.status, r.header("connection")), (413, Some("close")));
    c.assert_closed();
    // Default limit: 8 MiB.
    let mut c = Client::connect(server.local_addr());
    let r = c.request(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1099511627776\r\n\r\n");
    assert_eq!(r.status, 413);
    // A chunk-size over the limit: 413 as soon as the size line arrives.
    let mut c = Client::connect(server.local_addr());
    let r = c.request(
        b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10000000000\r\n",
    );
    assert_eq!((r.status, r.header("connection")), (413, Some("close")));
    c.assert_closed();
    // Exactly the limit is fine.
    let mut c = Client::connect(server.local_addr());
    let mut req = b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n".to_vec();
    req.extend_from_slice(&[b'x'; 1024]);
    assert_eq!(c.request(&req).status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    stop(server);
}

#[test]
fn bad_chunked_body_runs_no_handler_and_sends_no_2xx() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = common::start_echo(test_config(), move |s| {
        s.route("POST", "/count", move |_: &Request| {
            seen.fetch_add(1, Ordering::SeqCst);
            Response::text("ran")
        });
    });
    let bodies: [&[u8]; 4] = [
        b"5\r\nhello\r\nzz\r\n\r\n", // bad chunk-size
        b"5\r\nhelloXX0\r\n\r\n",    // no CRLF after the data
        b"0\r\nBad Trailer\r\n\r\n", // bad trailer line
        b"-1\r\nx\r\n0\r\n\r\n",     // signed size
    ];
    for body in bodies {
        let mut c = Client::connect(server.local_addr());
        let mut req =
            b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        req.extend_from_slice(body);
        let r = c.request(&req);
        assert_eq!(
            (r.status, r.header("connection")),
            (400, Some("close")),
            "{:?}",
            String::from_utf8_lossy(body)
        );
        c.assert_closed();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    stop(server);
}

#[test]
fn request_gives_the_handler_everything() {
    let server = common::start_echo(test_config(), |s| {
        s.route("PUT", "/inspect", |req: &Request| {
            Response::text(format!(
                "{}|{}|{}|{:?}|{}|{}|{}|{}",
                req.method(),
                req.target(),
                req.path(),
                req.query(),
                req.version(),
                req.header_str("X-MiXeD").unwrap_or("-"),
                req.headers().count(),
                String::from_utf8_lossy(req.body()),
            ))
        });
    });
    let mut c = Client::connect(server.local_addr());
    let r = c.request(
        b"PUT /inspect/a?b=c HTTP/1.1\r\nHost: t\r\nx-mixed: Yes\r\nContent-Length: 3\r\n\r\nabc",
    );
    assert_eq!(
        r.text(),
        "PUT|/inspect/a?b=c|/inspect/a|Some(\"b=c\")|HTTP/1.1|Yes|3|abc"
    );
    stop(server);
}

#[test]
fn garbage_without_a_line_end_is_answered_at_once() {
    let server = start();
    // RULES RL-7: the valid request first, then 400 and a close, without
    // waiting for a line end that will never come.
    let mut c = Client::connect(server.local_addr());
    let began = std::time::Instant::now();
    c.send(b"GET /echo/ok HTTP/1.1\r\nHost: t\r\n\r\n\x00garbage");
    assert_eq!(c.read(false).text(), "ok");
    let r = c.read(false);
    assert_eq!(r.status, 400);
    c.assert_closed();
    // A TLS ClientHello sent to a plain port starts with 0x16 0x03.
    let mut c = Client::connect(server.local_addr());
    c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03");
    assert_eq!(c.read(false).status, 400);
    c.assert_closed();
    // Any byte that makes the head invalid, not only a control byte: the
    // core refuses it when it arrives.
    for garbage in [&b"G(T"[..], b"GET /a b", b"GET / HTTP/1.1\r\nBad@"] {
        let mut c = Client::connect(server.local_addr());
        c.send(garbage);
        assert_eq!(c.read(false).status, 400, "{garbage:?}");
        c.assert_closed();
    }
    // All well inside the 3 s head timeout of the test config.
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    stop(server);
}

/// RULES CL-9: a client that closes inside a request (here only its
/// sending side) gets no answer: the request is incomplete, and closed.
#[test]
fn a_request_cut_short_by_the_client_is_closed_unanswered() {
    let server = start();
    for partial in [
        &b"GET /echo/x HTTP/1.1\r\nHo"[..],
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc",
    ] {
        let mut c = Client::connect(server.local_addr());
        c.send(partial);
        c.reader
            .get_ref()
            .shutdown(std::net::Shutdown::Write)
            .unwrap();
        c.assert_closed();
    }
    stop(server);
}

/// PL-5, PC-4: a refused request whose body came with its head, without
/// waiting for 100, is read whole and answered like any other; the
/// connection persists. (It used to be answered at the head and closed.)
#[test]
fn expect_continue_with_the_body_sent_anyway_keeps_the_connection() {
    let server = start();
    let mut c = Client::connect(server.local_addr());
    let r = c.request(
        b"POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok",
    );
    assert_eq!((r.status, r.header("connection")), (404, None));
    assert_eq!(c.request(&get("/echo/still")).text(), "still");
    stop(server);
}

// Streamed request bodies: endpoints added with `route_streaming`.

/// A request body past `max_body` (8 MiB by default).
const PAST_MAX: u64 = 12 << 20;

/// What the streaming endpoints' handlers saw go wrong, in order: the kind
/// of each failed read, with the status of a refusal by the core.
type Seen = Arc<std::sync::Mutex<Vec<String>>>;

fn seen_error(seen: &Seen, e: &std::io::Error) {
    let status = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<httpwire::conn::ProtocolError>())
        .and_then(|refused| refused.status);
    seen.lock()
        .unwrap()
        .push(format!("{:?} {status:?}", e.kind()));
}

/// Reads `body` to its end (or `limit` bytes), checking that it follows
/// [`Generated`]'s pattern: `Ok(bytes read)`, or the read's error.
fn read_generated(body: &mut impl Read, limit: u64) -> std::io::Result<u64> {
    let mut buf = vec![0; 10_000];
    let mut got = 0;
    while got < limit {
        let want = buf.len().min((limit - got) as usize);
        let n = body.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            assert_eq!(
                b,
                Generated::byte(got + i as u64),
                "body byte {}",
                got + i as u64
            );
        }
        got += n as u64;
    }
    Ok(got)
}

/// The echo endpoints plus streaming ones: `POST /count` (no limit) and
/// `POST /count-small` (1000 bytes) answer the length of a [`Generated`]
/// body; `POST /partial/<n>` reads only `n` bytes of it; `POST
/// /stream-echo` answers with the body, streamed back as it arrives. And
/// sink ones, whose sinks log to `seen` ([`checked`]): `POST /sink` (no
/// limit) and `POST /sink-small` (1000 bytes) answer the length too, and
/// the names of the trailer fields in `Trailers-Seen`.
fn start_body_streaming(config: Config, seen: Seen) -> RunningServer {
    common::start_echo(config, move |server| {
        let count = move |seen: Seen| {
            move |_: &Request, mut body: RequestBody| match read_generated(&mut body, u64::MAX) {
                Ok(n) => Response::text(n.to_string()),
                Err(e) => {
                    seen_error(&seen, &e);
                    // The server answers the failure itself.
                    Response::text("handler's answer")
                }
            }
        };
        server
            .route_streaming("POST", "/count", None, count(Arc::clone(&seen)))
            .route_streaming("POST", "/count-small", Some(1000), count(Arc::clone(&seen)))
            .route_streaming("POST", "/partial/", None, |req: &Request, mut body| {
                let n = req.path()["/partial/".len()..].parse().unwrap();
                Response::text(read_generated(&mut body, n).unwrap().to_string())
            })
            .route_streaming("POST", "/stream-echo", None, |_: &Request, mut body| {
                if let Err(e) = body.start() {
                    return Response::text(e.to_string());
                }
                let length = body.content_length();
                Response::new(200).with_body_reader(body, length)
            })
            .route_sink("POST", "/sink", None, checked(Arc::clone(&seen)))
            .route_sink("POST", "/sink-small", Some(1000), checked(seen));
    })
}

/// The start of the sink endpoints: a [`Checked`] sink (logged as
/// `start`) that refuses at `n` bytes under `/sink/refuse/<n>`, and
/// panics under `/sink/panic`.
fn checked(
    seen: Seen,
) -> impl Fn(&Request) -> Result<Box<dyn BodySink>, Response> + Send + Sync + 'static {
    move |req: &Request| {
        seen.lock().unwrap().push("start".to_string());
        if req.path() == "/sink/forbidden" {
            return Err(Response::text("Forbidden").with_status(403));
        }
        let refuse_at = req
            .path()
            .strip_prefix("/sink/refuse/")
            .map(|n| n.parse().unwrap());
        Ok(Box::new(Checked {
            got: 0,
            seen: Arc::clone(&seen),
            refuse_at,
            panics: req.path() == "/sink/panic",
            ended: false,
        }))
    }
}

/// A request head for `path` with a body of `len` bytes, chunked or with a
/// Content-Length, plus `extra` field lines.
fn post_head(path: &str, len: u64, chunked: bool, extra: &str) -> Vec<u8> {
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {len}")
    };
    format!("POST {path} HTTP/1.1\r\nHost: t\r\n{framing}\r\n{extra}\r\n").into_bytes()
}

/// Writes `len` bytes of [`Generated`]'s pattern from `from` on, chunked
/// (in chunks of up to 64 KiB, then the last chunk) or as they are.
fn send_generated(w: &mut impl Write, from: u64, len: u64, chunked: bool) {
    let mut at = from;
    while at < from + len {
        let n = (64 * 1024).min(from + len - at);
        let piece: Vec<u8> = (at..at + n).map(Generated::byte).collect();
        if chunked {
            w.write_all(format!("{n:x}\r\n").as_bytes()).unwrap();
        }
        w.write_all(&piece).unwrap();
        if chunked {
            w.write_all(b"\r\n").unwrap();
        }
        at += n;
    }
    if chunked {
        w.write_all(b"0\r\n\r\n").unwrap();
    }
}

fn seen() -> Seen {
    Arc::default()
}

/// The endpoints that take their body as it arrives, one of each kind: a
/// streaming one (its handler reads a `RequestBody`) and a sink (a
/// [`Checked`] `BodySink`), each with a `-small` twin limited to 1000
/// bytes; both answer the body's length.
const AS_IT_ARRIVES: [&str; 2] = ["/count", "/sink"];

/// What `seen` holds after a test of `path` ([`AS_IT_ARRIVES`]): the
/// streaming handler's failed reads, or the sink's log.
fn expect_seen<'a>(path: &str, streaming: &'a [&'a str], sink: &'a [&'a str]) -> &'a [&'a str] {
    if path.starts_with("/sink") {
        sink
    } else {
        streaming
    }
}

#[test]
fn a_streamed_request_body_past_max_body_chunked_and_with_its_length() {
    let server = start_body_streaming(test_config(), seen());
    let mut c = Client::connect(server.local_addr());
    for path in AS_IT_ARRIVES {
        for chunked in [false, true] {
            c.send(&post_head(path, PAST_MAX, chunked, ""));
            send_generated(c.reader.get_mut(), 0, PAST_MAX, chunked);
            let r = c.read(false);
            assert_eq!(
                (r.status, r.text()),
                (200, &*PAST_MAX.to_string()),
                "{path} chunked: {chunked}"
            );
            // Keep-alive after a body read to its end.
            assert_eq!(c.request(&get("/echo/after")).text(), "after");
        }
    }
    // A whole-body endpoint keeps the server's limit.
    let r = c.request(&post_head("/echo", PAST_MAX, false, ""));
    assert_eq!((r.status, r.header("connection")), (413, Some("close")));
    c.assert_closed();
    stop(server);
}

#[test]
fn a_streamed_request_body_from_an_http10_client() {
    let server = start_body_streaming(test_config(), seen());
    for path in AS_IT_ARRIVES {
        let mut c = Client::connect(server.local_addr());
        c.send(format!("POST {path} HTTP/1.0\r\nContent-Length: 100000\r\n\r\n").as_bytes());
        send_generated(c.reader.get_mut(), 0, 100_000, false);
        let r = c.read(false);
        assert_eq!(
            (r.text(), r.header("connection")),
            ("100000", Some("close")),
            "{path}"
        );
        c.assert_closed();
    }
    // Echoed: the length is known, so it is announced.
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /stream-echo HTTP/1.0\r\nContent-Length: 5000\r\n\r\n");
    send_generated(c.reader.get_mut(), 0, 5000, false);
    let r = c.read_head();
    assert_eq!(r.header("content-length"), Some("5000"));
    assert_eq!(c.count_generated(5001, 0), 5000, "the body, then the close");
    stop(server);
}

#[test]
fn a_streamed_request_body_is_asked_for_with_100_continue() {
    let server = start_body_streaming(test_config(), seen());
    let mut c = Client::connect(server.local_addr());
    for path in AS_IT_ARRIVES {
        for chunked in [false, true] {
            c.send(&post_head(path, 3000, chunked, "Expect: 100-continue\r\n"));
            assert_eq!(c.read_head().status, 100, "{path} chunked: {chunked}");
            send_generated(c.reader.get_mut(), 0, 3000, chunked);
            assert_eq!(c.read(false).text(), "3000", "{path} chunked: {chunked}");
        }
    }
    // An echo asks before its response head (`RequestBody::start`).
    c.send(&post_head(
        "/stream-echo",
        3000,
        true,
        "Expect: 100-continue\r\n",
    ));
    assert_eq!(c.read_head().status, 100);
    send_generated(c.reader.get_mut(), 0, 3000, true);
    let r = c.read_head();
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(c.count_chunked(), (3000, true));
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    stop(server);
}

#[test]
fn a_streamed_request_body_over_its_endpoints_limit_is_413_and_a_close() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    for path in AS_IT_ARRIVES.map(|p| format!("{p}-small")) {
        // Declared: refused with the head; neither handler nor sink runs.
        let mut c = Client::connect(server.local_addr());
        let r = c.request(&post_head(&path, 1001, false, ""));
        assert_eq!((r.status, r.header("connection")), (413, Some("close")));
        c.assert_closed();
        assert!(seen.lock().unwrap().is_empty(), "{path}");
        // Exactly the limit is fine.
        let mut c = Client::connect(server.local_addr());
        c.send(&post_head(&path, 1000, true, ""));
        send_generated(c.reader.get_mut(), 0, 1000, true);
        assert_eq!(c.read(false).text(), "1000");
        // Chunked: the handler reads what fits, then its read fails; the
        // sink gets what fits, and is dropped without its end.
        c.send(&post_head(&path, 0, true, ""));
        c.send(b"3e8\r\n");
        send_generated(c.reader.get_mut(), 0, 1000, false);
        c.send(b"\r\n1\r\nx\r\n0\r\n\r\n");
        let r = c.read(false);
        assert_eq!((r.status, r.header("connection")), (413, Some("close")));
        assert!(r.text().starts_with("Content Too Large"), "{}", r.text());
        c.assert_closed();
        let expected = expect_seen(
            &path,
            &["InvalidData Some(413)"],
            &["start", "end 1000", "start", "dropped 1000"],
        );
        assert_eq!(*seen.lock().unwrap(), expected);
        seen.lock().unwrap().clear();
    }
    stop(server);
}

#[test]
fn a_bad_chunk_in_a_streamed_request_body_is_400_and_a_close() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    for path in AS_IT_ARRIVES {
        let mut c = Client::connect(server.local_addr());
        c.send(&post_head(path, 0, true, ""));
        // 64 KiB of data, then a chunk-size that is not hex.
        c.send(b"10000\r\n");
        send_generated(c.reader.get_mut(), 0, 0x10000, false);
        c.send(b"\r\nzz\r\n");
        let r = c.read(false);
        assert_eq!((r.status, r.header("connection")), (400, Some("close")));
        c.assert_closed();
        let expected = expect_seen(
            path,
            &["InvalidData Some(400)"],
            &["start", "dropped 65536"],
        );
        assert_eq!(*seen.lock().unwrap(), expected);
        seen.lock().unwrap().clear();
    }
    stop(server);
}

#[test]
fn a_client_gone_mid_body_ends_its_connection() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    for path in AS_IT_ARRIVES {
        let mut c = Client::connect(server.local_addr());
        c.send(&post_head(path, 1 << 20, false, ""));
        send_generated(c.reader.get_mut(), 0, 100_000, false);
        drop(c);
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while (seen.lock().unwrap().is_empty() || server.handle().active_connections() > 0)
            && std::time::Instant::now() < until
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let expected = expect_seen(path, &["UnexpectedEof None"], &["start", "dropped 100000"]);
        assert_eq!(*seen.lock().unwrap(), expected);
        assert_eq!(server.handle().active_connections(), 0);
        seen.lock().unwrap().clear();
    }
    // The server goes on.
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/echo/still")).text(), "still");
    stop(server);
}

#[test]
fn a_trickling_streamed_request_body_times_out_with_408() {
    let seen = seen();
    let config = Config {
        body_timeout: Duration::from_millis(300),
        ..test_config()
    };
    let server = start_body_streaming(config, Arc::clone(&seen));
    for path in AS_IT_ARRIVES {
        let mut c = Client::connect(server.local_addr());
        // Larger than a streaming handler's body gathered before it runs.
        c.send(&post_head(path, 100_000, false, ""));
        send_generated(c.reader.get_mut(), 0, 10, false);
        let r = c.read(false);
        assert_eq!((r.status, r.header("connection")), (408, Some("close")));
        c.assert_closed();
        let expected = expect_seen(path, &["TimedOut None"], &["start", "dropped 10"]);
        assert_eq!(*seen.lock().unwrap(), expected);
        seen.lock().unwrap().clear();
    }
    stop(server);
}

#[test]
fn the_rest_of_a_partly_read_streamed_body_is_drained_for_the_next_request() {
    let server = start_body_streaming(test_config(), seen());
    let mut c = Client::connect(server.local_addr());
    // The handler reads 10 of 100000 bytes; a request is pipelined after.
    for chunked in [false, true] {
        let mut batch = post_head("/partial/10", 100_000, chunked, "");
        send_generated(&mut batch, 0, 100_000, chunked);
        batch.extend_from_slice(&get("/echo/next"));
        c.send(&batch);
        assert_eq!(c.read(false).text(), "10", "chunked: {chunked}");
        let r = c.read(false);
        assert_eq!((r.status, r.text()), (200, "next"), "chunked: {chunked}");
    }
    // More than the server drains (256 KiB): the connection closes after
    // the response.
    c.send(&post_head("/partial/10", 1 << 20, false, ""));
    let writer = {
        let mut w = c.reader.get_ref().try_clone().unwrap();
        std::thread::spawn(move || {
            let mut rest = Vec::new();
            send_generated(&mut rest, 0, 1 << 20, false);
            // The server stops reading: the write fails or ends.
            let _ = w.write_all(&rest);
        })
    };
    assert_eq!(c.read(false).text(), "10");
    c.assert_closed();
    writer.join().unwrap();
    stop(server);
}

/// A rest that stops coming while it is drained: after the body timeout
/// the connection closes gracefully (in both I/O models), shutting down its
/// side and still reading for a moment, so that what the client sends then
/// is taken, not answered with a reset that could destroy the response
/// before the client reads it.
#[test]
fn a_drain_that_times_out_closes_gracefully() {
    let config = Config {
        body_timeout: Duration::from_millis(500),
        ..test_config()
    };
    let server = start_body_streaming(config, seen());
    let mut c = Client::connect(server.local_addr());
    // The handler reads 10 of 100000 bytes; only 1000 come.
    let mut batch = post_head("/partial/10", 100_000, false, "");
    send_generated(&mut batch, 0, 1000, false);
    c.send(&batch);
    assert_eq!(c.read(false).text(), "10");
    // The drain times out: the server's side ends.
    c.assert_closed();
    // Still within the linger: more of the body is read and dropped. A
    // closed socket would answer the first write with a reset, which the
    // second would report.
    let mut rest = Vec::new();
    send_generated(&mut rest, 1000, 1000, false);
    c.send(&rest[..500]);
    std::thread::sleep(Duration::from_millis(100));
    let second = c.reader.get_mut().write_all(&rest[500..]);
    assert!(
        second.is_ok(),
        "a reset instead of a graceful close: {second:?}"
    );
    stop(server);
}

#[test]
fn a_streamed_request_body_echoed_as_it_arrives() {
    let server = start_body_streaming(test_config(), seen());
    for chunked in [false, true] {
        let mut c = Client::connect(server.local_addr());
        c.send(&post_head("/stream-echo", PAST_MAX, chunked, ""));
        // The echo comes back while the body is still being sent.
        let writer = {
            let mut w = c.reader.get_ref().try_clone().unwrap();
            std::thread::spawn(move || send_generated(&mut w, 0, PAST_MAX, chunked))
        };
        let r = c.read_head();
        assert_eq!(r.status, 200);
        if chunked {
            assert_eq!(r.header("transfer-encoding"), Some("chunked"));
            assert_eq!(c.count_chunked(), (PAST_MAX, true));
        } else {
            assert_eq!(r.header("content-length"), Some(&*PAST_MAX.to_string()));
            assert_eq!(c.count_generated(PAST_MAX, 0), PAST_MAX);
        }
        writer.join().unwrap();
        assert_eq!(c.request(&get("/echo/after")).text(), "after");
    }
    stop(server);
}

/// An echo to a client that sends the whole body before it reads anything:
/// the buffers both ways fill, the server's output stalls, and its write
/// timeout ends the connection (the client's write fails) rather than
/// holding it forever; nothing more than a piece is held meanwhile.
#[cfg(target_os = "linux")]
#[test]
fn an_echo_to_a_client_that_does_not_read_ends_at_the_write_timeout() {
    let config = Config {
        write_timeout: Duration::from_millis(500),
        ..test_config()
    };
    let server = start_body_streaming(config, seen());
    let c = common::connect_small_window(server.local_addr());
    let began = std::time::Instant::now();
    (&c).write_all(&post_head("/stream-echo", PAST_MAX, false, ""))
        .unwrap();
    let mut body = Vec::new();
    send_generated(&mut body, 0, PAST_MAX, false);
    let e = (&c).write_all(&body).expect_err("the server stops reading");
    // Ended by the server, not by the client's own timeout.
    assert!(
        !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{e}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(4),
        "{:?}",
        began.elapsed()
    );
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while server.handle().active_connections() > 0 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.handle().active_connections(), 0);
    stop(server);
}

/// Streaming handlers waiting for their bodies hold their threads, not the
/// server: with more slow uploads than workers, another client is still
/// answered promptly (event-driven, the pool grows while all its workers
/// are held up).
#[test]
fn slow_streamed_uploads_do_not_hold_up_other_requests() {
    let server = start_body_streaming(test_config(), seen());
    let uploads: Vec<Client> = (0..4)
        .map(|_| {
            let mut c = Client::connect(server.local_addr());
            c.send(&post_head("/count", 1000, false, ""));
            send_generated(c.reader.get_mut(), 0, 10, false);
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let began = std::time::Instant::now();
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/echo/through")).text(), "through");
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    // The uploads end as they should.
    for mut upload in uploads {
        send_generated(upload.reader.get_mut(), 10, 990, false);
        assert_eq!(upload.read(false).text(), "1000");
    }
    stop(server);
}

/// A handler that keeps its request body past its response (here, in a
/// thread of its own): the response is sent, the connection closes, and
/// the body reads nothing more (an error, not the bytes of whatever
/// follows on the connection).
#[test]
fn a_body_kept_past_its_response_reads_nothing_more() {
    let (kept_tx, kept_rx) = std::sync::mpsc::channel();
    let kept_tx = std::sync::Mutex::new(kept_tx);
    let server = common::start_echo(test_config(), move |s| {
        s.route_streaming("POST", "/keep", None, move |_: &Request, mut body| {
            let tx = kept_tx.lock().unwrap().clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                let _ = tx.send(body.read(&mut [0; 16]).map_err(|e| e.kind()));
            });
            Response::text("kept")
        });
    });
    let mut c = Client::connect(server.local_addr());
    // Larger than what is gathered before the handler runs.
    c.send(&post_head("/keep", 100_000, false, ""));
    let r = c.read(false);
    assert_eq!(r.text(), "kept");
    c.assert_closed();
    let read = kept_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(read, Err(std::io::ErrorKind::Other));
    stop(server);
}

/// A handler that hands its request body to a thread which reads it at
/// once, while none of it has come, and returns: the connection does not
/// wait for that read (the lock on the body is never held while a read
/// waits on the socket). The response is sent (not a `408` after the body
/// timeout), the connection closes, and the kept read ends in an error.
#[test]
fn a_body_read_on_another_thread_does_not_hold_up_the_response() {
    let (kept_tx, kept_rx) = std::sync::mpsc::channel();
    let kept_tx = std::sync::Mutex::new(kept_tx);
    let config = Config {
        body_timeout: common::CLIENT_TIMEOUT * 3,
        ..test_config()
    };
    let server = common::start_echo(config, move |s| {
        s.route_streaming("POST", "/keep", None, move |_: &Request, mut body| {
            let tx = kept_tx.lock().unwrap().clone();
            std::thread::spawn(move || {
                let _ = tx.send(body.read(&mut [0; 16]).map_err(|e| e.kind()));
            });
            // Time for the thread to be in its read, waiting for bytes.
            std::thread::sleep(Duration::from_millis(200));
            Response::text("kept")
        });
    });
    let mut c = Client::connect(server.local_addr());
    // Larger than what is gathered before the handler runs.
    c.send(&post_head("/keep", 100_000, false, ""));
    let r = c.read(false);
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "kept");
    c.assert_closed();
    drop(c);
    let read = kept_rx.recv_timeout(common::CLIENT_TIMEOUT).unwrap();
    assert_eq!(read, Err(std::io::ErrorKind::Other));
    stop(server);
}

// The protocol switch (`Response::switching`): a 101 to a request that asked
// to upgrade, or a 2xx to CONNECT, hands the socket and the bytes read past
// the request to a callback on a thread of its own (RULES PC-6, CN-2).

/// The request that asks to upgrade to `echo`, the protocol of `/ws`.
const UPGRADE: &[u8] =
    b"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n";

/// The new protocol of `/ws`: echoes what comes until the client closes
/// (or for [`common::CLIENT_TIMEOUT`] nothing comes), then reports all it
/// echoed on `done`.
fn echo_switched(mut conn: Switched, done: mpsc::Sender<Vec<u8>>) {
    conn.stream()
        .set_read_timeout(Some(common::CLIENT_TIMEOUT))
        .unwrap();
    let (mut all, mut buf) = (Vec::new(), [0u8; 4096]);
    while let Ok(n @ 1..) = conn.read(&mut buf) {
        all.extend_from_slice(&buf[..n]);
        if conn.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = done.send(all);
}

/// A server with the echo endpoints and `/ws` (see [`UPGRADE`]), whose
/// callbacks report on the receiver returned.
fn start_switching(config: Config) -> (RunningServer, mpsc::Receiver<Vec<u8>>) {
    let (done, echoed) = mpsc::channel();
    let done = Mutex::new(done);
    let server = common::start_echo(config, move |s| {
        s.route("GET", "/ws", move |_: &Request| {
            let done = done.lock().unwrap().clone();
            Response::switching(101, move |conn| echo_switched(conn, done))
                .with_header("Upgrade", "echo")
        });
    });
    (server, echoed)
}

/// Reads the 101 that starts the `echo` protocol.
fn read_switch(c: &mut Client) {
    let r = c.read_head();
    assert_eq!((r.status, r.reason.as_str()), (101, "Switching Protocols"));
    assert_eq!(r.header("upgrade"), Some("echo"));
    assert_eq!(r.header("connection"), Some("upgrade"));
    assert!(r.header("content-length").is_none() && r.header("transfer-encoding").is_none());
}

/// Reads exactly `n` bytes of the new protocol.
fn read_raw(c: &mut Client, n: usize) -> String {
    let mut got = vec![0; n];
    c.reader.read_exact(&mut got).expect("switched bytes");
    String::from_utf8(got).unwrap()
}

/// Waits (a bounded number of times) until the server counts `n`
/// connections.
fn wait_active(server: &RunningServer, n: usize) {
    let handle = server.handle();
    for _ in 0..250 {
        if handle.active_connections() == n {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(handle.active_connections(), n);
}

/// PC-6: the bytes the client sent right after its head, in the same
/// write, reach the callback first, then what the socket brings; the
/// connection leaves the server's count.
#[test]
fn an_upgrade_hands_the_socket_and_the_early_bytes_to_the_callback() {
    let (server, echoed) = start_switching(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(&[UPGRADE, b"early "].concat());
    read_switch(&mut c);
    assert_eq!(read_raw(&mut c, 6), "early ");
    c.send(b"later");
    assert_eq!(read_raw(&mut c, 5), "later");
    wait_active(&server, 0);
    c.reader.get_ref().shutdown(Shutdown::Write).unwrap();
    let all = echoed
        .recv_timeout(common::CLIENT_TIMEOUT)
        .expect("callback done");
    assert_eq!(all, b"early later");
    c.assert_closed();
    stop(server);
}

/// PL-3, PC-6: requests pipelined before the upgrade are answered first, in
/// order, and the 101 follows them.
#[test]
fn pipelined_requests_before_an_upgrade_are_answered_first() {
    let (server, echoed) = start_switching(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(&[&get("/echo/one")[..], &get("/echo/two"), UPGRADE, b"raw"].concat());
    assert_eq!(c.read(false).text(), "one");
    assert_eq!(c.read(false).text(), "two");
    read_switch(&mut c);
    assert_eq!(read_raw(&mut c, 3), "raw");
    drop(c);
    assert_eq!(echoed.recv_timeout(common::CLIENT_TIMEOUT).unwrap(), b"raw");
    stop(server);
}

/// RFC 9110 §7.8, §15.2.2: a 101 the request did not ask for (no upgrade
/// asked, HTTP/1.0, another protocol), or with a body, is a handler bug:
/// `500`, and the connection goes on as HTTP (HTTP/1.0: closes).
#[test]
fn a_switch_the_request_did_not_ask_for_is_500_without_switching() {
    let ran = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&ran);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/ws", move |req: &Request| {
            let counted = Arc::clone(&counted);
            let response = Response::switching(101, move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
            })
            .with_header("Upgrade", "echo");
            match req.query() {
                Some("body") => response.with_body("lost"),
                _ => response,
            }
        });
    });
    let unasked: [&[u8]; 5] = [
        b"GET /ws HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/http HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\n\r\nGET /echo/http HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /ws HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET /echo/http HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /ws?body HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nGET /echo/http HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /ws HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
    ];
    for request in unasked {
        let shown = String::from_utf8_lossy(request).into_owned();
        let mut c = Client::connect(server.local_addr());
        c.send(request);
        let r = c.read(false);
        assert_eq!(r.status, 500, "{shown}");
        assert!(r.header("upgrade").is_none(), "{shown}");
        if shown.contains("HTTP/1.0") {
            c.assert_closed();
        } else {
            assert_eq!(c.read(false).text(), "http", "{shown}");
        }
    }
    assert_eq!(ran.load(Ordering::SeqCst), 0, "no callback ran");
    stop(server);
}

/// A switching response with a status that does not switch is sent as an
/// ordinary response, and its callback is dropped without running.
#[test]
fn a_switching_response_that_does_not_switch_is_an_ordinary_one() {
    let ran = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&ran);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/ws", move |_: &Request| {
            let counted = Arc::clone(&counted);
            Response::switching(426, move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
            })
            .with_header("Upgrade", "other")
            .with_body("no")
        });
    });
    let mut c = Client::connect(server.local_addr());
    let r = c.request(UPGRADE);
    assert_eq!((r.status, r.text()), (426, "no"));
    // RFC 9110 §7.8: an Upgrade field comes with `upgrade` in Connection.
    assert_eq!(r.header("upgrade"), Some("other"));
    assert_eq!(r.header("connection"), Some("upgrade"));
    assert_eq!(c.request(&get("/echo/http")).text(), "http");
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    stop(server);
}

/// Copies `from` to `to` until `from` ends, then ends `to`'s direction.
fn pipe(mut from: TcpStream, to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut &to);
    let _ = to.shutdown(Shutdown::Write);
}

/// CN-2, PC-6: a 2xx to CONNECT makes a tunnel; here to a listener of the
/// test's own on 127.0.0.1, with bytes both ways (those sent with the
/// CONNECT head first). A CONNECT refused with a switching response's
/// other status is an ordinary response, and the connection closes.
#[test]
fn connect_tunnels_to_a_local_listener() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = upstream.local_addr().unwrap();
    let upstream_thread = std::thread::spawn(move || {
        let (mut conn, _) = upstream.accept().unwrap();
        conn.set_read_timeout(Some(common::CLIENT_TIMEOUT)).unwrap();
        conn.write_all(b"hello from upstream").unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).map(|_| got)
    });
    let server = common::start_echo(test_config(), move |s| {
        s.route("CONNECT", "/", move |req: &Request| {
            if req.target() != target.to_string() {
                return Response::switching(403, |_| unreachable!()).with_body("not there");
            }
            let Ok(up) = TcpStream::connect(target) else {
                return Response::new(502);
            };
            Response::switching(200, move |client| {
                let (client, early) = client.into_parts();
                let _ = (&up).write_all(&early);
                let back = (up.try_clone().unwrap(), client.try_clone().unwrap());
                let back = std::thread::spawn(move || pipe(back.0, back.1));
                pipe(client, up);
                let _ = back.join();
            })
        });
    });
    let mut c = Client::connect(server.local_addr());
    c.send(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\nearly").as_bytes());
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert!(r.header("content-length").is_none() && r.header("transfer-encoding").is_none());
    assert_eq!(read_raw(&mut c, 19), "hello from upstream");
    c.send(b" later");
    c.reader.get_ref().shutdown(Shutdown::Write).unwrap();
    let got = upstream_thread.join().unwrap().expect("upstream read");
    assert_eq!(got, b"early later");
    c.assert_closed();

    let mut refused = Client::connect(server.local_addr());
    let r = refused.request(b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n");
    assert_eq!((r.status, r.text()), (403, "not there"));
    assert_eq!(r.header("connection"), Some("close"));
    refused.assert_closed();
    stop(server);
}

/// A switched connection holds no worker and no place under the connection
/// cap: with one worker and room for two connections, two switched ones
/// stay open while new connections are served.
#[test]
fn a_switched_connection_holds_no_worker() {
    let config = Config {
        workers: 1,
        max_connections: 2,
        ..test_config()
    };
    let (server, echoed) = start_switching(config);
    let mut switched: Vec<Client> = (0..2)
        .map(|_| {
            let mut c = Client::connect(server.local_addr());
            c.send(UPGRADE);
            read_switch(&mut c);
            c
        })
        .collect();
    wait_active(&server, 0);
    let mut served: Vec<Client> = (0..2)
        .map(|_| Client::connect(server.local_addr()))
        .collect();
    for i in 0..3 {
        for c in &mut served {
            assert_eq!(c.request(&get(&format!("/echo/{i}"))).text(), i.to_string());
        }
    }
    for (i, c) in switched.iter_mut().enumerate() {
        c.send(format!("still {i}").as_bytes());
        assert_eq!(read_raw(c, 7), format!("still {i}"));
    }
    drop(switched);
    for _ in 0..2 {
        echoed
            .recv_timeout(common::CLIENT_TIMEOUT)
            .expect("callback done");
    }
    stop(server);
}

/// A shutdown neither waits for nor closes a switched connection: the
/// callback owns it, and it goes on after the server stopped.
#[test]
fn a_shutdown_leaves_a_switched_connection_to_its_callback() {
    let (server, echoed) = start_switching(test_config());
    let mut c = Client::connect(server.local_addr());
    c.send(UPGRADE);
    read_switch(&mut c);
    let started = Instant::now();
    // Clean, and well before its grace: nothing of the server's was open.
    assert!(server.shutdown(Duration::from_secs(10)));
    assert!(started.elapsed() < Duration::from_secs(5));
    c.send(b"after");
    assert_eq!(read_raw(&mut c, 5), "after");
    drop(c);
    assert_eq!(
        echoed.recv_timeout(common::CLIENT_TIMEOUT).unwrap(),
        b"after"
    );
}

/// A streaming endpoint switches as a whole-body one does; one whose
/// callback keeps the request body is refused (`500`): the connection's
/// input is not the server's to hand over while the body holds it.
#[test]
fn a_streaming_endpoint_switches_unless_its_callback_keeps_the_body() {
    let (done, echoed) = mpsc::channel();
    let done = Mutex::new(done);
    let server = common::start_echo(test_config(), move |s| {
        s.route_streaming(
            "GET",
            "/ws",
            None,
            move |req: &Request, body: RequestBody| {
                let done = done.lock().unwrap().clone();
                // Kept (in the callback) only when the request says so.
                let kept = req.header("x-keep").map(|_| body);
                Response::switching(101, move |conn| {
                    drop(kept);
                    echo_switched(conn, done)
                })
                .with_header("Upgrade", "echo")
            },
        );
    });
    let mut c = Client::connect(server.local_addr());
    c.send(&[UPGRADE, b"raw"].concat());
    read_switch(&mut c);
    assert_eq!(read_raw(&mut c, 3), "raw");
    drop(c);
    assert_eq!(echoed.recv_timeout(common::CLIENT_TIMEOUT).unwrap(), b"raw");

    let mut kept = Client::connect(server.local_addr());
    let keeping = &[&UPGRADE[..UPGRADE.len() - 2], b"X-Keep: 1\r\n\r\n"].concat();
    assert_eq!(kept.request(keeping).status, 500);
    assert_eq!(kept.request(&get("/echo/http")).text(), "http");
    assert!(echoed.try_recv().is_err(), "no callback ran");
    stop(server);
}

/// A switching head larger than the socket takes at once (event-driven:
/// the connection waits for the socket, parked, before the hand-over) is
/// sent whole before the new protocol's bytes.
#[test]
fn a_switching_head_the_socket_does_not_take_at_once_goes_first() {
    // More than the loopback socket buffers of both ends hold.
    const PAD: usize = 16 << 20;
    let (done, echoed) = mpsc::channel();
    let done = Mutex::new(done);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/ws", move |_: &Request| {
            let done = done.lock().unwrap().clone();
            Response::switching(101, move |conn| echo_switched(conn, done))
                .with_header("Upgrade", "echo")
                .with_header("X-Pad", "p".repeat(PAD))
        });
    });
    let mut c = Client::connect(server.local_addr());
    c.send(&[UPGRADE, b"raw"].concat());
    let r = c.read_head();
    assert_eq!(
        (r.status, r.header("x-pad").map(str::len)),
        (101, Some(PAD))
    );
    assert_eq!(read_raw(&mut c, 3), "raw");
    drop(c);
    assert_eq!(echoed.recv_timeout(common::CLIENT_TIMEOUT).unwrap(), b"raw");
    stop(server);
}

/// `/trailed/<body>`: `body` streamed back with a trailer `X-Len` of its
/// length; `/trailed-known/<body>` the same with its length announced (no
/// place for trailers); `/trailed-bad/<body>` with a trailer that may not
/// be one (`Content-Length`).
fn start_trailed() -> RunningServer {
    fn body(req: &Request) -> Vec<u8> {
        req.path().rsplit('/').next().unwrap().as_bytes().to_vec()
    }
    common::start_echo(test_config(), |server| {
        server
            .route("GET", "/trailed/", |req: &Request| {
                let b = body(req);
                let len = b.len().to_string();
                Response::new(200)
                    .with_header("Trailer", "X-Len")
                    .with_body_reader(std::io::Cursor::new(b), None)
                    .with_trailers(move || vec![("X-Len".into(), len)])
            })
            .route("GET", "/trailed-known/", |req: &Request| {
                let b = body(req);
                let len = b.len() as u64;
                Response::new(200)
                    .with_body_reader(std::io::Cursor::new(b), Some(len))
                    .with_trailers(move || vec![("X-Len".into(), len.to_string())])
            })
            .route("GET", "/trailed-bad/", |req: &Request| {
                Response::new(200)
                    .with_body_reader(std::io::Cursor::new(body(req)), None)
                    .with_trailers(|| vec![("Content-Length".into(), "0".into())])
            });
    })
}

/// Sends `requests` on a new connection and reads until the server closes.
fn exchange_until_closed(server: &RunningServer, requests: &str) -> String {
    let mut c = common::connect(server.local_addr());
    c.write_all(requests.as_bytes()).unwrap();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    String::from_utf8(got).unwrap()
}

#[test]
fn a_streamed_body_ends_with_its_trailers_when_chunked() {
    let server = start_trailed();
    let last = "GET /echo/after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let got = exchange_until_closed(
        &server,
        &format!("GET /trailed/hello HTTP/1.1\r\nHost: t\r\n\r\n{last}"),
    );
    assert!(
        got.contains("\r\nTransfer-Encoding: chunked\r\n"),
        "{got:?}"
    );
    assert!(
        got.contains("\r\n\r\n5\r\nhello\r\n0\r\nX-Len: 5\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "the body, its trailer, then the next response: {got:?}"
    );
    assert!(got.ends_with("\r\n\r\nafter"), "{got:?}");
    // With its length announced, or to HTTP/1.0, there is no place for
    // them: the body ends as it would without.
    let got = exchange_until_closed(
        &server,
        &format!("GET /trailed-known/hello HTTP/1.1\r\nHost: t\r\n\r\n{last}"),
    );
    assert!(got.contains("\r\nContent-Length: 5\r\n"), "{got:?}");
    assert!(
        got.contains("\r\n\r\nhelloHTTP/1.1 200 OK\r\n") && !got.contains("X-Len"),
        "{got:?}"
    );
    let got = exchange_until_closed(&server, "GET /trailed/hello HTTP/1.0\r\n\r\n");
    assert!(
        got.ends_with("\r\n\r\nhello") && !got.contains("X-Len:"),
        "{got:?}"
    );
    stop(server);
}

#[test]
fn a_trailer_that_may_not_be_one_ends_the_connection_without_the_last_chunk() {
    let server = start_trailed();
    let got = exchange_until_closed(
        &server,
        "GET /trailed-bad/hello HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert!(
        got.ends_with("\r\n\r\n5\r\nhello\r\n"),
        "no last chunk, no next response: {got:?}"
    );
    stop(server);
}

/// Takes any error of the request body it reads for the body's end: a
/// careless echo.
struct Swallow(RequestBody);

impl Read for Swallow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.0.read(buf).unwrap_or(0))
    }
}

/// `POST /swallow` echoes through [`Swallow`]; `POST /refused` answers a
/// response the core refuses (a bad field name) whose reader is the body.
fn start_careless() -> RunningServer {
    common::start_echo(test_config(), |server| {
        server
            .route_streaming("POST", "/swallow", None, |_: &Request, body| {
                Response::new(200).with_body_reader(Swallow(body), None)
            })
            .route_streaming("POST", "/refused", None, |_: &Request, body| {
                Response::new(200)
                    .with_header("Bad Name", "x")
                    .with_body_reader(body, None)
            });
    })
}

#[test]
fn a_response_read_from_a_request_body_that_fails_does_not_end_and_the_connection_closes() {
    let server = start_careless();
    let got = exchange_until_closed(
        &server,
        "POST /swallow HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\nZZ\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got:?}");
    assert!(
        !got.contains("\r\n0\r\n\r\n") && !got.contains("after"),
        "no last chunk, nothing more served: {got:?}"
    );
    stop(server);
}

#[test]
fn a_refused_response_whose_reader_is_the_body_gets_500_and_the_connection_goes_on() {
    let server = start_careless();
    let got = exchange_until_closed(
        &server,
        "POST /refused HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello\
         GET /echo/after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert!(got.starts_with("HTTP/1.1 500 "), "{got:?}");
    assert!(got.ends_with("\r\n\r\nafter"), "{got:?}");
    stop(server);
}

// Pushed request bodies: endpoints added with `route_sink`.

/// A sink that checks that its pieces follow [`Generated`]'s pattern (in
/// order, none lost or repeated) and logs to `seen`: `end N` when told the
/// end after N bytes, `dropped N` when dropped without it. It refuses the
/// body (`422`) once it has `refuse_at` bytes, and panics at its first
/// piece if `panics`.
struct Checked {
    got: u64,
    seen: Seen,
    refuse_at: Option<u64>,
    panics: bool,
    ended: bool,
}

impl BodySink for Checked {
    fn data(&mut self, piece: &[u8]) -> Result<(), Response> {
        assert!(!piece.is_empty(), "an empty piece");
        assert!(!self.panics, "the sink broke");
        for (i, &b) in piece.iter().enumerate() {
            let at = self.got + i as u64;
            assert_eq!(b, Generated::byte(at), "body byte {at}");
        }
        self.got += piece.len() as u64;
        if matches!(self.refuse_at, Some(n) if self.got >= n) {
            return Err(Response::text("enough").with_status(422));
        }
        Ok(())
    }

    fn end(mut self: Box<Self>, request: &Request) -> Response {
        self.ended = true;
        self.seen.lock().unwrap().push(format!("end {}", self.got));
        let names: Vec<String> = request.trailers().map(|h| h.name.to_string()).collect();
        Response::text(self.got.to_string()).with_header("Trailers-Seen", names.join(","))
    }
}

impl Drop for Checked {
    fn drop(&mut self) {
        if !self.ended {
            self.seen
                .lock()
                .unwrap()
                .push(format!("dropped {}", self.got));
        }
    }
}

#[test]
fn a_request_pipelined_after_a_pushed_body_is_served_also_after_an_early_answer() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    let mut c = Client::connect(server.local_addr());
    // 100000 bytes taken whole, or refused at 1000 (the rest is drained);
    // a request is pipelined after.
    let answers = [
        ("/sink", 200, "100000"),
        ("/sink/refuse/1000", 422, "enough"),
    ];
    for (path, status, text) in answers {
        for chunked in [false, true] {
            let mut batch = post_head(path, 100_000, chunked, "");
            send_generated(&mut batch, 0, 100_000, chunked);
            batch.extend_from_slice(&get("/echo/next"));
            c.send(&batch);
            let r = c.read(false);
            assert_eq!(
                (r.status, r.text(), r.header("connection")),
                (status, text, None),
                "{path} chunked: {chunked}"
            );
            let r = c.read(false);
            assert_eq!((r.status, r.text()), (200, "next"), "chunked: {chunked}");
        }
    }
    let log = seen.lock().unwrap().clone();
    assert_eq!(log[..4], ["start", "end 100000", "start", "end 100000"]);
    assert_eq!(log.len(), 8, "{log:?}");
    for pair in log[4..].chunks(2) {
        assert_eq!(pair[0], "start");
        let got: u64 = pair[1].strip_prefix("dropped ").unwrap().parse().unwrap();
        assert!((1000..100_000).contains(&got), "{log:?}");
    }
    stop(server);
}

/// A sink endpoint's `start` refuses at the head: a client waiting for
/// `100 Continue` gets the refusal instead, and never sends the body; one
/// that sent it anyway has it drained, and its next request is answered.
#[test]
fn a_sink_endpoint_refuses_at_the_head_before_100_continue() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    let mut c = Client::connect(server.local_addr());
    c.send(&post_head(
        "/sink/forbidden",
        100,
        false,
        "Expect: 100-continue\r\n",
    ));
    let r = c.read(false);
    assert_eq!((r.status, r.text()), (403, "Forbidden"));
    let mut c = Client::connect(server.local_addr());
    let mut batch = post_head("/sink/forbidden", 100, false, "");
    send_generated(&mut batch, 0, 100, false);
    batch.extend_from_slice(&get("/echo/next"));
    c.send(&batch);
    assert_eq!(c.read(false).status, 403);
    assert_eq!(c.read(false).text(), "next");
    assert_eq!(*seen.lock().unwrap(), ["start", "start"]);
    stop(server);
}

#[test]
fn a_sink_that_panics_is_500_and_a_close() {
    let seen = seen();
    let server = start_body_streaming(test_config(), Arc::clone(&seen));
    let mut c = Client::connect(server.local_addr());
    c.send(&post_head("/sink/panic", 100, false, ""));
    send_generated(c.reader.get_mut(), 0, 100, false);
    let r = c.read(false);
    assert_eq!((r.status, r.header("connection")), (500, Some("close")));
    c.assert_closed();
    assert_eq!(*seen.lock().unwrap(), ["start", "dropped 0"]);
    // The server goes on.
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.request(&get("/echo/still")).text(), "still");
    stop(server);
}

/// `/chunks/<capacity>`: a body sent by a producer through a
/// [`body_channel`] of `capacity` bytes, length not announced;
/// `/chunks-len/<n>`: the same with `n` announced;
/// `/chunks-trailed`: with a trailer `X-Done: yes`. Each handler hands its
/// [`BodySender`] to the test through the returned receiver.
fn start_chunks() -> (RunningServer, mpsc::Receiver<BodySender>) {
    let (tx, rx) = mpsc::channel();
    let tx = Arc::new(Mutex::new(tx));
    let server = common::start_echo(test_config(), move |server| {
        let (t1, t2, t3) = (Arc::clone(&tx), Arc::clone(&tx), tx);
        server
            .route("GET", "/chunks/", move |req: &Request| {
                let capacity = req.path()["/chunks/".len()..].parse().unwrap();
                let (sender, chunks) = body_channel(capacity);
                t1.lock().unwrap().send(sender).unwrap();
                Response::new(200).with_body_chunks(chunks, None)
            })
            .route("GET", "/chunks-len/", move |req: &Request| {
                let len = req.path()["/chunks-len/".len()..].parse().unwrap();
                let (sender, chunks) = body_channel(64 * 1024);
                t2.lock().unwrap().send(sender).unwrap();
                Response::new(200).with_body_chunks(chunks, Some(len))
            })
            .route("GET", "/chunks-trailed", move |_: &Request| {
                let (sender, chunks) = body_channel(64 * 1024);
                t3.lock().unwrap().send(sender).unwrap();
                Response::new(200)
                    .with_header("Trailer", "X-Done")
                    .with_body_chunks(chunks, None)
                    .with_trailers(|| vec![("X-Done".into(), "yes".into())])
            });
    });
    (server, rx)
}

/// The sender a handler of [`start_chunks`] made, within a bounded wait.
fn sender_from(rx: &mpsc::Receiver<BodySender>) -> BodySender {
    rx.recv_timeout(common::CLIENT_TIMEOUT)
        .expect("the handler ran")
}

impl Client {
    /// Reads one chunk of a chunked body: its data, empty for the last
    /// chunk (whose trailer lines are then in `trailers`); `None` if the
    /// connection ended first.
    fn read_chunk(&mut self, trailers: &mut Vec<String>) -> Option<Vec<u8>> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(1..) if line.ends_with("\r\n") => {}
            _ => return None,
        }
        let size = usize::from_str_radix(line.trim_end(), 16).expect("chunk-size");
        if size == 0 {
            loop {
                let mut field = String::new();
                self.reader.read_line(&mut field).ok()?;
                if field == "\r\n" {
                    return Some(Vec::new());
                }
                if !field.ends_with("\r\n") {
                    return None;
                }
                trailers.push(field.trim_end().to_string());
            }
        }
        let mut data = vec![0; size + 2];
        self.reader.read_exact(&mut data).ok()?;
        assert!(data.ends_with(b"\r\n"), "chunk data not followed by CRLF");
        data.truncate(size);
        Some(data)
    }
}

/// Waits (a bounded while) for `done`; false if it never is.
fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

#[test]
fn chunks_sent_over_time_go_out_as_they_come_chunked_with_trailers() {
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks-trailed"));
    let sender = sender_from(&senders);
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    // Each piece reaches the client before the producer sends the next:
    // the body is sent as it is produced, not gathered.
    let (next_tx, next_rx) = mpsc::channel::<()>();
    // The pauses let the connection wait for its producer (parked, under
    // the event-driven model) before each piece and the end.
    let producer = std::thread::spawn(move || {
        for piece in ["one", "two", "three"] {
            std::thread::sleep(Duration::from_millis(30));
            sender.send(piece)?;
            if next_rx.recv_timeout(common::CLIENT_TIMEOUT).is_err() {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(30));
        sender.finish()
    });
    let mut trailers = Vec::new();
    for piece in ["one", "two", "three"] {
        let data = c.read_chunk(&mut trailers).expect("a chunk");
        assert_eq!(data, piece.as_bytes());
        next_tx.send(()).unwrap();
    }
    let last = c.read_chunk(&mut trailers).expect("the last chunk");
    assert!(last.is_empty(), "no more data after three pieces");
    assert_eq!(trailers, ["X-Done: yes"]);
    assert_eq!(producer.join().unwrap(), Ok(()));
    // The connection persists.
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    stop(server);
}

#[test]
fn chunks_with_a_length_get_content_length_and_no_more_than_it() {
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks-len/10"));
    let sender = sender_from(&senders);
    let producer = std::thread::spawn(move || {
        sender.send("hello")?;
        std::thread::sleep(Duration::from_millis(50));
        // Two bytes more than announced: never sent.
        sender.send("world!!")?;
        Ok::<_, Gone>(sender)
    });
    let r = c.read(false);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("10"));
    assert_eq!(r.text(), "helloworld");
    // The body was whole at its length: the next response follows at once.
    assert_eq!(c.request(&get("/echo/after")).text(), "after");
    let sender = producer.join().unwrap().expect("both sends taken");
    // The body is over: the producer is told.
    assert_eq!(sender.send("more"), Err(Gone));
    stop(server);
}

#[test]
fn chunks_of_unknown_length_end_with_the_connection_to_http10() {
    let (server, senders) = start_chunks();
    let mut c = common::connect(server.local_addr());
    c.write_all(b"GET /chunks/65536 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let sender = sender_from(&senders);
    sender.send("ab").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    sender.send("cd").unwrap();
    sender.finish().unwrap();
    let mut got = String::new();
    c.read_to_string(&mut got)
        .expect("the body, then the close");
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got:?}");
    assert!(
        !got.contains("Transfer-Encoding") && !got.contains("Content-Length"),
        "{got:?}"
    );
    assert!(got.contains("\r\nConnection: close\r\n"), "{got:?}");
    assert!(got.ends_with("\r\n\r\nabcd"), "{got:?}");
    stop(server);
}

#[test]
fn head_gets_only_the_head_of_a_chunks_response_and_its_producer_is_told() {
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    c.send(b"HEAD /chunks/65536 HTTP/1.1\r\nHost: t\r\n\r\n");
    let r = c.read_head();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), None);
    let sender = sender_from(&senders);
    assert_eq!(sender.send("not sent"), Err(Gone));
    // No body bytes came: the next response starts right away.
    assert_eq!(c.request(&get("/echo/next")).text(), "next");
    stop(server);
}

#[test]
fn a_sender_dropped_mid_body_ends_the_connection_without_the_body_end() {
    let (server, senders) = start_chunks();
    // Chunked: no last chunk.
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks/65536"));
    let sender = sender_from(&senders);
    sender.send("partial").unwrap();
    assert_eq!(c.read_head().header("transfer-encoding"), Some("chunked"));
    let mut trailers = Vec::new();
    assert_eq!(
        c.read_chunk(&mut trailers).as_deref(),
        Some(&b"partial"[..])
    );
    drop(sender);
    assert_eq!(c.read_chunk(&mut trailers), None, "no last chunk");
    c.assert_closed();
    // With a length: fewer bytes, then the close.
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks-len/100"));
    let sender = sender_from(&senders);
    sender.send("short").unwrap();
    drop(sender);
    assert_eq!(c.read_head().header("content-length"), Some("100"));
    let mut rest = Vec::new();
    let _ = c.reader.read_to_end(&mut rest);
    assert_eq!(rest, b"short");
    stop(server);
}

#[test]
fn a_client_gone_while_the_producer_waits_makes_its_sends_fail() {
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks/65536"));
    let sender = sender_from(&senders);
    sender.send("first").unwrap();
    assert_eq!(c.read_head().status, 200);
    let mut trailers = Vec::new();
    assert_eq!(c.read_chunk(&mut trailers).as_deref(), Some(&b"first"[..]));
    // The connection waits for its producer, which sends nothing; the
    // client leaves.
    drop(c);
    assert!(
        eventually(Duration::from_secs(5), || sender.is_gone()),
        "the producer was not told"
    );
    assert_eq!(sender.send("late"), Err(Gone));
    assert!(
        eventually(Duration::from_secs(5), || server
            .handle()
            .active_connections()
            == 0),
        "the connection did not end"
    );
    stop(server);
}

/// Starts a producer that sends `total` bytes in pieces of `piece`, then
/// finishes; returns the bytes it has queued so far (shared) and its
/// thread, which returns whether every send and the finish succeeded.
fn produce(
    sender: BodySender,
    total: usize,
    piece: usize,
) -> (Arc<AtomicUsize>, std::thread::JoinHandle<Result<(), Gone>>) {
    let queued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&queued);
    let thread = std::thread::spawn(move || {
        let mut at = 0;
        while at < total {
            let n = piece.min(total - at);
            let bytes: Vec<u8> = (at..at + n).map(|i| Generated::byte(i as u64)).collect();
            sender.send(bytes)?;
            at += n;
            counter.store(at, Ordering::SeqCst);
        }
        sender.finish()
    });
    (queued, thread)
}

/// Waits until `queued` stops growing for a while; returns its value.
fn settled(queued: &AtomicUsize) -> usize {
    let mut last = queued.load(Ordering::SeqCst);
    let mut still = Instant::now();
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until && still.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(20));
        let now = queued.load(Ordering::SeqCst);
        if now != last {
            (last, still) = (now, Instant::now());
        }
    }
    last
}

#[test]
fn a_producer_for_a_client_that_reads_nothing_blocks_once_the_channel_is_full() {
    const TOTAL: usize = 64 << 20;
    let (server, senders) = start_chunks();
    let stream = common::connect(server.local_addr());
    (&stream).write_all(&get("/chunks/65536")).unwrap();
    let sender = sender_from(&senders);
    let (queued, producer) = produce(sender, TOTAL, 16 * 1024);
    let held = settled(&queued);
    assert!(!producer.is_finished(), "all {TOTAL} bytes were taken");
    // The channel (64 KiB), a piece of output and the sockets' buffers: a
    // few MiB at most, not the 64 MiB sent.
    assert!(
        held < 16 << 20,
        "{held} bytes taken from a client that reads nothing"
    );
    // The client reads: everything comes, and the producer finishes.
    let mut c = Client {
        reader: BufReader::new(stream),
    };
    assert_eq!(c.read_head().header("transfer-encoding"), Some("chunked"));
    assert_eq!(c.count_chunked(), (TOTAL as u64, true));
    assert_eq!(producer.join().unwrap(), Ok(()));
    stop(server);
}

#[test]
fn a_send_blocked_on_a_full_channel_returns_gone_when_the_client_goes() {
    let (server, senders) = start_chunks();
    let stream = common::connect(server.local_addr());
    (&stream).write_all(&get("/chunks/4096")).unwrap();
    let sender = sender_from(&senders);
    let (queued, producer) = produce(sender, 64 << 20, 4096);
    settled(&queued);
    assert!(!producer.is_finished(), "the producer was not held up");
    drop(stream);
    assert!(
        eventually(Duration::from_secs(5), || producer.is_finished()),
        "the blocked send was not woken"
    );
    assert_eq!(producer.join().unwrap(), Err(Gone));
    stop(server);
}

#[test]
fn a_shutdown_cuts_off_a_body_waiting_for_its_producer_at_its_deadline() {
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/chunks/65536"));
    let sender = sender_from(&senders);
    assert_eq!(c.read_head().status, 200);
    // The producer sends nothing: the connection is busy, not idle, so the
    // shutdown waits for it until its deadline, then cuts it off.
    let started = Instant::now();
    assert!(!server.shutdown(Duration::from_millis(300)), "drained");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        eventually(Duration::from_secs(5), || sender.is_gone()),
        "the producer was not told"
    );
    let mut trailers = Vec::new();
    assert_eq!(c.read_chunk(&mut trailers), None, "no last chunk");
}

/// Many small pieces sent as fast as the producer can: each send may come
/// while the connection finds the channel empty and is about to wait for
/// the producer (parked, under the event-driven model). None is lost, and
/// the body ends: a lost wake-up would leave the client waiting.
#[test]
fn many_small_pieces_sent_as_fast_as_they_come_all_arrive() {
    const PIECES: usize = 5000;
    let (server, senders) = start_chunks();
    let mut c = Client::connect(server.local_addr());
    for round in 0..4 {
        // Room for one piece: the producer waits for each to be taken, so
        // its next send comes just as the connection finds the channel
        // empty.
        c.send(&get("/chunks/4"));
        let sender = sender_from(&senders);
        let producer = std::thread::spawn(move || {
            for i in 0..PIECES {
                sender.send(format!("{:04}", i % 10_000))?;
            }
            sender.finish()
        });
        assert_eq!(c.read_head().status, 200);
        let (mut body, mut trailers) = (Vec::new(), Vec::new());
        loop {
            match c.read_chunk(&mut trailers) {
                Some(data) if data.is_empty() => break,
                Some(data) => body.extend_from_slice(&data),
                None => panic!("round {round}: cut off after {} bytes", body.len()),
            }
        }
        let expected: String = (0..PIECES).map(|i| format!("{:04}", i % 10_000)).collect();
        assert!(
            body == expected.as_bytes(),
            "round {round}: {} bytes",
            body.len()
        );
        assert_eq!(producer.join().unwrap(), Ok(()));
    }
    stop(server);
}

/// A handler may send its first pieces itself before it returns the
/// response, past the channel's capacity: until the connection begins
/// sending the body nothing could make room, so `send` does not wait
/// (a wait there would hold the handler, and its worker, forever).
#[test]
fn a_handler_may_send_past_the_capacity_before_it_returns_the_response() {
    let server = common::start_echo(test_config(), |s| {
        s.route("GET", "/prefill", |_: &Request| {
            let (sender, chunks) = body_channel(4);
            sender.send("abcd").unwrap();
            sender.send("efgh").unwrap();
            sender.finish().unwrap();
            Response::new(200).with_body_chunks(chunks, None)
        });
    });
    let mut c = Client::connect(server.local_addr());
    c.send(&get("/prefill"));
    assert_eq!(c.read_head().status, 200);
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    while let Some(piece) = c.read_chunk(&mut trailers) {
        if piece.is_empty() {
            break;
        }
        body.extend(piece);
    }
    assert_eq!(body, b"abcdefgh");
    stop(server);
}
