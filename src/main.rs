//! The echo server.
fn main() {}
