//! Helpers shared by the server test files.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use httpwire::server::{Config, IoModel, Request, Response, RunningServer, Server};

/// A client socket's read and write timeout: no test can hang on one.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// A client connection to `addr`, with [`CLIENT_TIMEOUT`] both ways.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream
}

/// The I/O model the server tests run under: the default
/// ([`IoModel::DEFAULT`], events on Linux) unless `HTTPWIRE_TEST_IO_MODEL`
/// says `threads` or `events`. CI runs the server tests under both.
pub fn io_model() -> IoModel {
    match std::env::var("HTTPWIRE_TEST_IO_MODEL").as_deref() {
        Ok("threads") => IoModel::Threads,
        Ok("events") => IoModel::Events,
        Ok(other) => panic!("HTTPWIRE_TEST_IO_MODEL: expected threads or events, got {other:?}"),
        Err(_) => IoModel::DEFAULT,
    }
}

/// A server on 127.0.0.1 (a free port) under `config`, running, with the
/// echo endpoints of the binary (`GET /echo/TEXT`, `POST /echo`) and
/// whatever `extra` adds.
pub fn start_echo(config: Config, extra: impl FnOnce(&mut Server)) -> RunningServer {
    let mut server = Server::new("127.0.0.1", 0)
        .expect("bind")
        .with_config(config);
    server
        .route("GET", "/echo/", |req: &Request| {
            Response::text(req.path().strip_prefix("/echo/").unwrap_or(""))
        })
        .route("POST", "/echo", |req: &Request| Response::bytes(req.body()));
    extra(&mut server);
    server.spawn().expect("spawn")
}

/// A client connection (as [`connect`]) whose receive buffer is a few KiB
/// and does not grow: a client that reads nothing then stalls the server's
/// output after little more than the server's own send buffer (on loopback
/// an unread buffer otherwise grows to tens of MiB).
#[cfg(target_os = "linux")]
pub fn connect_small_window(addr: SocketAddr) -> TcpStream {
    use std::os::fd::AsRawFd;
    let stream = connect(addr);
    let size: libc::c_int = 4096;
    // SAFETY: the descriptor is the open socket `stream` owns; the option
    // value is a c_int that outlives the call, and its size is passed.
    let r = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0, "setsockopt SO_RCVBUF");
    stream
}
