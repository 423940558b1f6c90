//! The echo server binary run as a user runs it: its address on stdout, the
//! echo endpoints over a real socket, a clean exit on SIGTERM, and its flags.
//! Cargo builds the binary for this package's tests and names it in
//! `CARGO_BIN_EXE_httpwire`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_httpwire");

/// A client socket's read and write timeout: no test can hang on one.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream
}

/// One response with a Content-Length body: (status line, fields, body).
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

/// `--version` prints the version; an unknown flag is a usage error (exit
/// code 2) that says what was wrong and where the help is.
#[test]
fn version_and_bad_flags() {
    let out = Command::new(EXE).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("httpwire {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = Command::new(EXE).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--no-such-flag") && err.contains("--help"),
        "{err}"
    );
}

/// The binary prints its address, serves the echo endpoints and exits
/// cleanly on SIGTERM.
#[cfg(unix)]
#[test]
fn binary_prints_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(EXE)
        .args(["--port", "0", "--quiet", "--head-timeout", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().unwrap();
    let (line_tx, line_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = line_tx.send(line);
    });
    let line = match line_rx.recv_timeout(CLIENT_TIMEOUT) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the binary printed no address");
        }
    };
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("unexpected first line {line:?}")
        });
    let c = connect(addr);
    let mut reader = BufReader::new(c.try_clone().unwrap());
    (&c).write_all(b"GET /echo/bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let echoed = read_response(&mut reader).2;
    (&c).write_all(b"POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
        .unwrap();
    let posted = read_response(&mut reader).2;
    drop(reader);
    drop(c);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + CLIENT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!((echoed.as_str(), posted.as_str()), ("bin", "hi"));
    assert!(status.expect("exited after SIGTERM").success());
}

/// Byte `i` of the bodies the tests send.
fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

/// `POST /echo` streams the body back as it arrives: 64 MiB (past the
/// default `--max-body`, lifted with `--max-body 0`) sent while the echo
/// is read comes back byte for byte, and the server's peak resident memory
/// stays far below the body's size.
#[cfg(target_os = "linux")]
#[test]
fn post_echo_streams_64_mib_back_in_bounded_memory() {
    const LEN: u64 = 64 << 20;
    let server = common::Process::start(
        std::path::Path::new(EXE),
        &["--port", "0", "--quiet", "--max-body", "0"],
    );
    let before = server.peak_rss_kib().expect("Linux /proc");
    let c = connect(server.addr);
    let mut writer = c.try_clone().unwrap();
    let sender = thread::spawn(move || {
        write!(
            writer,
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-test\r\n\
             Content-Length: {LEN}\r\n\r\n"
        )
        .unwrap();
        let mut sent = 0;
        while sent < LEN {
            let chunk: Vec<u8> = (sent..sent + 64 * 1024).map(pattern).collect();
            writer.write_all(&chunk).unwrap();
            sent += chunk.len() as u64;
        }
    });
    let mut reader = BufReader::new(c);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK\r\n");
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    assert!(
        head.contains(&format!("content-length: {LEN}\r\n")),
        "{head}"
    );
    assert!(
        head.contains("content-type: application/x-test\r\n"),
        "{head}"
    );
    let mut got = 0u64;
    let mut buf = vec![0; 64 * 1024];
    while got < LEN {
        let n = reader.read(&mut buf).expect("the echo");
        assert!(n > 0, "the echo ended after {got} bytes");
        for (i, &b) in buf[..n].iter().enumerate() {
            assert_eq!(b, pattern(got + i as u64), "byte {}", got + i as u64);
        }
        got += n as u64;
    }
    sender.join().unwrap();
    let peak = server.peak_rss_kib().expect("Linux /proc");
    eprintln!("echo of {LEN} bytes: peak resident {before} KiB before, {peak} KiB after");
    assert!(peak < 32 * 1024, "the server's peak memory: {peak} KiB");
}

/// `--max-body` still bounds `POST /echo`: a larger declared body gets
/// `413` before it is read.
#[test]
fn post_echo_keeps_max_body() {
    let server = common::Process::start(
        std::path::Path::new(EXE),
        &["--port", "0", "--quiet", "--max-body", "1000"],
    );
    let c = connect(server.addr);
    let mut reader = BufReader::new(c.try_clone().unwrap());
    (&c).write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
        .unwrap();
    (&c).write_all(&[b'x'; 1000]).unwrap();
    let (status, _, body) = read_response(&mut reader);
    assert_eq!((status.as_str(), body.len()), ("HTTP/1.1 200 OK", 1000));
    (&c).write_all(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n")
        .unwrap();
    let (status, head, _) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 413 Content Too Large");
    assert!(head.contains("Connection: close"), "{head}");
}
