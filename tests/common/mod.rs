//! Helpers shared by the server test files.

use httpwire::server::IoModel;

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
