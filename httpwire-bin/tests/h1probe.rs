//! `h1probe` run as a user runs it: every case passes against our binary
//! and against the `tokio_echo` example, and a naive server that reads
//! every head as a request and ignores bodies fails the MUST cases it
//! should. Every process started here is stopped by its PID.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::thread;

mod common;
use common::{example, Process};

const PROBE: &str = env!("CARGO_BIN_EXE_h1probe");

/// Runs the probe against `addr`; its output, bounded by the probe's own
/// timeout per case.
fn probe(addr: SocketAddr, flags: &[&str]) -> Output {
    Command::new(PROBE)
        .args(flags)
        .arg(addr.to_string())
        .output()
        .expect("run h1probe")
}

/// The `N passed, M failed` line.
fn summary(out: &Output) -> (usize, usize) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let mut words = last.split_whitespace();
    let passed = words.next().and_then(|w| w.parse().ok());
    let failed = words.nth(1).and_then(|w| w.parse().ok());
    match (passed, failed) {
        (Some(p), Some(f)) => (p, f),
        _ => panic!("no summary line in:\n{stdout}"),
    }
}

/// Every case, MUST, SHOULD and profile, passes against `server`.
fn assert_every_case_passes(server: &Process) {
    let out = probe(server.addr, &["--strict", "--timeout", "3000"]);
    let (passed, failed) = summary(&out);
    assert!(
        out.status.success() && failed == 0 && passed >= 400,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_case_passes_against_the_binary() {
    let bin = Path::new(env!("CARGO_BIN_EXE_httpwire"));
    assert_every_case_passes(&Process::start(
        bin,
        &["--port", "0", "--quiet", "--workers", "2"],
    ));
}

/// The tokio example passes the cases our binary passes (issue 11: the
/// same conformance vectors over TCP). `cargo test` from the root builds
/// the library's examples first.
#[test]
fn every_case_passes_against_the_tokio_example() {
    let exe = example("tokio_echo");
    assert!(
        exe.exists(),
        "{} is not built: run `cargo test --all-features` from the repository's root",
        exe.display()
    );
    assert_every_case_passes(&Process::start(&exe, &["0"]));
}

/// A server that answers `200` to every head it finds and never reads a
/// body: what a hand-rolled server often is. Runs until the test ends.
fn naive_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut chunk) {
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if stream.write_all(reply).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

/// The naive server fails: it accepts invalid requests and reads a body as
/// a second request; the probe says which, exits 1, and `--json` gives one
/// object per case.
#[test]
fn a_naive_server_fails_and_the_probe_says_why() {
    let addr = naive_server();
    let out = probe(addr, &["--timeout", "1000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (_, failed) = summary(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(failed > 0, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("accepted: 200")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("read as two requests")),
        "{stdout}"
    );

    let out = probe(addr, &["--timeout", "1000", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with("{\"name\":\"")
                && (line.contains("\"pass\":true") || line.contains("\"pass\":false"))
                && line.ends_with('}'),
            "{line}"
        );
    }
    assert!(stdout.contains("\"pass\":false"));
}

/// A usage error exits 2 and names the problem, as does a filter that
/// leaves no case (a typo must not pass as "0 failed").
#[test]
fn usage_errors_exit_2() {
    let out = Command::new(PROBE)
        .args(["--only", "no-such-case", "127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-case"));
    let out = Command::new(PROBE).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"));
    let out = Command::new(PROBE)
        .args(["--path", "x", "127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A server that accepts and never answers is reported as a hang, within
/// the per-case timeout, not waited on forever.
#[test]
fn a_silent_server_is_reported_as_hanging() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let out = probe(addr, &["--timeout", "200", "--only", "rl_get"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no response in time") || stdout.contains("waits for more"));
}
