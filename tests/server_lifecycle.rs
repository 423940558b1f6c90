//! The server's life over real sockets on 127.0.0.1 (and [::1] where the
//! machine has it): binding, timeouts, the connection cap, graceful
//! shutdown. Short timeouts keep the whole file to a few seconds; every
//! client socket has a read timeout. (The echo binary's own test is in
//! httpwire-bin/tests/.)

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use httpwire::server::{Config, Request, Response, Server};

fn test_config() -> Config {
    Config {
        io_model: common::io_model(),
        workers: 1,
        max_connections: 16,
        head_timeout: Duration::from_secs(2),
        body_timeout: Duration::from_secs(2),
        keep_alive_timeout: Duration::from_secs(2),
        write_timeout: Duration::from_secs(2),
        ..Config::default()
    }
}

/// Reads one response with a Content-Length body: (status line, head, body).
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, String, String) {
    let mut status = String::new();
    reader
        .read_line(&mut status)
        .expect("status line (timed out?)");
    let mut head = String::new();
    let mut len = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("field line");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        head.push_str(&line);
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).expect("body");
    (
        status.trim_end().to_string(),
        head,
        String::from_utf8(body).unwrap(),
    )
}

/// Reads until the server closes; panics if it does not within the timeout.
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("server did not close the connection: {e}"),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn slow_head_gets_408_and_a_close() {
    let config = Config {
        head_timeout: Duration::from_millis(600),
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let mut c = common::connect(server.local_addr());
    let started = Instant::now();
    let request = b"GET /echo/slow HTTP/1.1\r\nHost: t\r\n\r\n";
    // A byte every 150 ms: each read is well within the timeout, but the
    // head as a whole is not.
    for &byte in request.iter() {
        if c.write_all(&[byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(150));
        if started.elapsed() > Duration::from_millis(1500) {
            break;
        }
    }
    let answer = read_until_closed(&mut c);
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer:?}"
    );
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[test]
fn timeouts_of_duration_max_mean_never() {
    // `Instant + Duration::MAX` overflows: the server must treat it as
    // "no deadline", not panic (in the acceptor or a worker).
    let config = Config {
        head_timeout: Duration::MAX,
        keep_alive_timeout: Duration::MAX,
        body_timeout: Duration::MAX,
        write_timeout: Duration::MAX,
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let stream = common::connect(server.local_addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for word in ["one", "two"] {
        let request = format!("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n{word}");
        (&stream).write_all(request.as_bytes()).unwrap();
        let (status, _, body) = read_response(&mut reader);
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, word);
    }
    drop(reader);
    drop(stream);
    // A grace period of Duration::MAX: wait as long as it takes.
    assert!(server.shutdown(Duration::MAX));
}

#[test]
fn stalled_body_gets_408() {
    let config = Config {
        body_timeout: Duration::from_millis(300),
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let mut c = common::connect(server.local_addr());
    c.write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    let answer = read_until_closed(&mut c);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[cfg(target_os = "linux")]
#[test]
fn a_client_that_reads_nothing_is_dropped_at_the_write_timeout() {
    const BIG: usize = 16 << 20;
    let config = Config {
        write_timeout: Duration::from_millis(300),
        ..test_config()
    };
    let server = common::start_echo(config, |s| {
        s.route("GET", "/big", |_: &Request| {
            Response::bytes(vec![b'x'; BIG])
        });
    });
    let mut c = common::connect_small_window(server.local_addr());
    c.write_all(b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // The response has begun (so the connection is registered: a count of
    // zero before the acceptor got to it would prove nothing). The rest,
    // through a window this small, would take long to read.
    let mut status = [0; 17];
    c.read_exact(&mut status).unwrap();
    assert_eq!(&status, b"HTTP/1.1 200 OK\r\n");
    // Far more than the socket buffers hold: the server's write stalls, and
    // the connection goes at the write timeout.
    let until = Instant::now() + Duration::from_secs(5);
    while server.handle().active_connections() > 0 && Instant::now() < until {
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.handle().active_connections(), 0, "still connected");
    assert!(server.shutdown(Duration::from_secs(1)));
}

/// A shutdown does not wait for a stalled write past its grace period.
#[cfg(target_os = "linux")]
#[test]
fn shutdown_cuts_off_a_client_that_reads_nothing() {
    let config = Config {
        write_timeout: Duration::from_secs(60),
        ..test_config()
    };
    let server = common::start_echo(config, |s| {
        s.route("GET", "/big", |_: &Request| {
            Response::bytes(vec![b'x'; 16 << 20])
        });
    });
    let c = common::connect_small_window(server.local_addr());
    (&c).write_all(b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    thread::sleep(Duration::from_millis(300));
    let handle = server.handle();
    assert_eq!(handle.active_connections(), 1);
    let started = Instant::now();
    assert!(
        !server.shutdown(Duration::from_millis(300)),
        "not clean: the connection was cut off"
    );
    while handle.active_connections() > 0 && started.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(handle.active_connections(), 0, "still connected");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn idle_keep_alive_connection_is_closed_quietly() {
    let config = Config {
        keep_alive_timeout: Duration::from_millis(300),
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let c = common::connect(server.local_addr());
    let mut reader = BufReader::new(c.try_clone().unwrap());
    (&c).write_all(b"GET /echo/a HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut reader).2, "a");
    let waited = Instant::now();
    let rest = read_until_closed(reader.get_mut());
    assert_eq!(rest, "", "closed without a response");
    assert!(waited.elapsed() >= Duration::from_millis(250));
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[test]
fn past_the_connection_cap_new_connections_get_503() {
    let config = Config {
        max_connections: 2,
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    // Two connections in use (one mid-head, one kept alive after a request).
    let mut busy = common::connect(server.local_addr());
    busy.write_all(b"GET /echo/x HTTP/1.1\r\n").unwrap();
    let kept = common::connect(server.local_addr());
    let mut kept_reader = BufReader::new(kept.try_clone().unwrap());
    (&kept)
        .write_all(b"GET /echo/k HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut kept_reader).2, "k");

    let mut third = common::connect(server.local_addr());
    let answer = read_until_closed(&mut third);
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer:?}"
    );
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");

    // Capacity comes back when a connection ends.
    drop(kept_reader);
    drop(kept);
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.handle().active_connections() > 1 {
        assert!(Instant::now() < deadline, "connection count did not drop");
        thread::sleep(Duration::from_millis(10));
    }
    let fourth = common::connect(server.local_addr());
    let mut reader = BufReader::new(fourth.try_clone().unwrap());
    (&fourth)
        .write_all(b"GET /echo/again HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut reader).2, "again");
    // The connection that was mid-head still works.
    busy.write_all(b"Host: t\r\n\r\n").unwrap();
    let mut reader = BufReader::new(busy);
    assert_eq!(read_response(&mut reader).2, "x");
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[test]
fn more_connections_than_workers_are_served_at_once() {
    let config = Config {
        workers: 1,
        max_connections: 8,
        ..test_config()
    };
    let server = common::start_echo(config, |_| {});
    let clients: Vec<TcpStream> = (0..6)
        .map(|_| common::connect(server.local_addr()))
        .collect();
    // Each holds its connection open; answer them in reverse order.
    for (i, c) in clients.iter().enumerate().rev() {
        let mut reader = BufReader::new(c.try_clone().unwrap());
        (&*c)
            .write_all(format!("GET /echo/{i} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
            .unwrap();
        assert_eq!(read_response(&mut reader).2, i.to_string());
    }
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[test]
fn graceful_shutdown_lets_the_request_in_flight_finish() {
    let (entered_tx, entered_rx) = mpsc::channel();
    let entered_tx = std::sync::Mutex::new(entered_tx);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/slow", move |_: &Request| {
            let _ = entered_tx.lock().unwrap().send(());
            thread::sleep(Duration::from_millis(300));
            Response::text("finished")
        });
    });
    let addr = server.local_addr();
    // An idle keep-alive connection: closed at once by the shutdown.
    let idle = common::connect(addr);
    let mut idle_reader = BufReader::new(idle.try_clone().unwrap());
    (&idle)
        .write_all(b"GET /echo/i HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut idle_reader).2, "i");

    let mut busy = common::connect(addr);
    busy.write_all(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    entered_rx
        .recv_timeout(common::CLIENT_TIMEOUT)
        .expect("handler started");

    let started = Instant::now();
    let handle = server.handle();
    let stopper = thread::spawn(move || server.shutdown(Duration::from_secs(3)));
    let answer = read_until_closed(&mut busy);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");
    assert!(answer.ends_with("\r\n\r\nfinished"), "{answer:?}");
    assert_eq!(read_until_closed(idle_reader.get_mut()), "");
    assert!(stopper.join().unwrap(), "shutdown was clean");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(handle.is_shutting_down());
    // No longer accepting.
    let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
    if let Ok(mut late) = refused {
        late.set_read_timeout(Some(common::CLIENT_TIMEOUT)).unwrap();
        let _ = late.write_all(b"GET /echo/late HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(
            read_until_closed(&mut late),
            "",
            "a late connection is not served"
        );
    }
}

#[test]
fn shutdown_cuts_off_what_outlives_the_deadline() {
    let (entered_tx, entered_rx) = mpsc::channel();
    let entered_tx = std::sync::Mutex::new(entered_tx);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/stuck", move |_: &Request| {
            let _ = entered_tx.lock().unwrap().send(());
            thread::sleep(Duration::from_millis(800));
            Response::text("too late")
        });
    });
    let mut c = common::connect(server.local_addr());
    c.write_all(b"GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    entered_rx
        .recv_timeout(common::CLIENT_TIMEOUT)
        .expect("handler started");
    let handle = server.handle();
    let started = Instant::now();
    assert!(
        !server.shutdown(Duration::from_millis(200)),
        "not clean: a request was cut off"
    );
    assert!(started.elapsed() < Duration::from_millis(700));
    // Asked again once the connection is gone (its handler returned), the
    // answer is the same: whoever cut it off, the shutdown was not clean.
    while handle.active_connections() > 0 && started.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(handle.active_connections(), 0);
    assert!(!handle.shutdown(Duration::from_millis(200)));
    assert_eq!(read_until_closed(&mut c), "");
}

#[test]
fn ipv6_loopback_works_where_available() {
    let mut server = match Server::new("::1", 0) {
        Ok(server) => server.with_config(test_config()),
        Err(e) => {
            eprintln!("skipping: no IPv6 loopback here ({e})");
            return;
        }
    };
    server.route("GET", "/echo/", |req: &Request| {
        Response::text(&req.path()[6..])
    });
    let server = server.spawn().unwrap();
    assert!(server.local_addr().is_ipv6());
    let c = common::connect(server.local_addr());
    let mut reader = BufReader::new(c.try_clone().unwrap());
    (&c).write_all(b"GET /echo/six HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut reader).2, "six");
    // The bracketed form is accepted too.
    let other = Server::new("[::1]", 0).expect("bracketed IPv6");
    assert!(other.local_addr().is_ipv6());
    assert!(server.shutdown(Duration::from_secs(1)));
}

#[test]
fn bind_errors_are_clear() {
    let first = Server::new("127.0.0.1", 0).unwrap();
    let port = first.local_addr().port();
    let err = Server::new("127.0.0.1", port).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    assert_eq!(
        err.to_string(),
        format!("cannot listen on 127.0.0.1:{port}: the port is already in use")
    );

    let err = Server::new("not an address!", 80).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .starts_with("cannot listen on not an address!:80: "),
        "{err}"
    );
    let err = Server::new("999.1.1.1", 80).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
}

/// A `Connection: close` request answered while more of the client's bytes
/// wait unread in the socket (sent while its handler ran): the server
/// lingers rather than closing at once, which would reset the connection
/// and drop the part of the response its small window had not let through
/// yet. (With nothing unread it closes at once: nothing to linger for.)
#[cfg(target_os = "linux")]
#[test]
fn a_close_with_bytes_unread_lingers_so_the_whole_response_arrives() {
    const LEN: usize = 64 * 1024;
    let (entered_tx, entered_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let entered_tx = std::sync::Mutex::new(entered_tx);
    let go_rx = std::sync::Mutex::new(go_rx);
    let server = common::start_echo(test_config(), move |s| {
        s.route("GET", "/held", move |_: &Request| {
            let _ = entered_tx.lock().unwrap().send(());
            let _ = go_rx.lock().unwrap().recv_timeout(common::CLIENT_TIMEOUT);
            Response::text("x".repeat(LEN))
        });
    });
    let mut c = common::connect_small_window(server.local_addr());
    c.write_all(b"GET /held HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    entered_rx
        .recv_timeout(common::CLIENT_TIMEOUT)
        .expect("handler started");
    // Read by the server only after the response, if at all.
    c.write_all(b"GET /echo/more HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // Loopback delivers within the write; a moment more on a loaded machine.
    thread::sleep(Duration::from_millis(50));
    go_tx.send(()).unwrap();
    let answer = read_until_closed(&mut c);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");
    assert!(
        answer.ends_with(&format!("\r\n\r\n{}", "x".repeat(LEN))),
        "{} bytes, not the whole response",
        answer.len()
    );
    assert!(server.shutdown(Duration::from_secs(1)));
}
