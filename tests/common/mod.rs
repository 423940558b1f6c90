//! Helpers shared by the server test files.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use httpwire::server::IoModel;

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
