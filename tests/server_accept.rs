//! Accepting when the process is out of file descriptors (`EMFILE`), in
//! the event-driven model, whose workers accept: the group that failed
//! stops watching the listener for a moment instead of being woken for it
//! in a loop, and must watch it again, so that the server accepts once
//! descriptors are free. (The thread-per-connection acceptor sleeps and
//! retries.) A file of its own: it lowers this process's descriptor limit,
//! which would break any test running beside it.
#![cfg(target_os = "linux")]

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::thread;
use std::time::Duration;

use httpwire::server::{Config, IoModel};

/// The soft `RLIMIT_NOFILE`, put back when dropped (also if the test
/// panics).
struct FdLimit {
    saved: libc::rlimit,
}

impl FdLimit {
    /// Lowers the soft limit to `soft`.
    fn lower(soft: u64) -> FdLimit {
        let mut saved = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `saved` is a writable rlimit that outlives the call.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut saved) },
            0
        );
        let lowered = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: saved.rlim_max,
        };
        // SAFETY: `lowered` is a readable rlimit that outlives the call.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) }, 0);
        FdLimit { saved }
    }
}

impl Drop for FdLimit {
    fn drop(&mut self) {
        // SAFETY: `saved` is a readable rlimit that outlives the call.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &self.saved) };
    }
}

/// The highest descriptor this process has open.
fn highest_fd() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .max()
        .unwrap_or(2)
}

#[test]
fn out_of_descriptors_the_server_accepts_again_once_they_are_free() {
    let config = Config {
        io_model: IoModel::Events,
        workers: 1,
        ..Config::default()
    };
    let server = common::start_echo(config, |_| {});
    let addr = server.local_addr();
    // The workers and the timer are up: one request served.
    let warm = common::connect(addr);
    (&warm)
        .write_all(b"GET /echo/w HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut line = String::new();
    BufReader::new(&warm).read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 200 OK\r\n");

    // Every descriptor below the limit taken, but one, which the client
    // takes: the server's `accept` then fails with EMFILE.
    let limit = FdLimit::lower(highest_fd() + 1);
    let mut fillers: Vec<File> = (0..10_000)
        .map_while(|_| File::open("/dev/null").ok())
        .collect();
    assert!(fillers.pop().is_some(), "no descriptor was free");
    let client = common::connect(addr);
    (&client)
        .write_all(b"GET /echo/back HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // Time for the server to try (and fail) to accept it.
    thread::sleep(Duration::from_millis(300));
    assert_eq!(
        server.handle().active_connections(),
        1,
        "the server accepted with no descriptor free"
    );

    // Descriptors free again: the connection waiting in the listen queue
    // is accepted and served (a server that stopped watching the listener
    // for good would leave it there, and this read would time out).
    drop(fillers);
    drop(limit);
    let mut reader = BufReader::new(&client);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("answered once descriptors are free");
    assert_eq!(line, "HTTP/1.1 200 OK\r\n");
    drop(reader);
    drop(client);
    drop(warm);
    assert!(server.shutdown(Duration::from_secs(2)));
}
