//! Sans-IO HTTP/1.1 connections for both roles: the whole message sequence
//! of a connection, as [h11] has it in Python, with no I/O and no
//! allocation.
//!
//! A connection is fed the bytes its caller received and hands out events
//! borrowed from them; it is told what to send and writes the bytes into
//! the caller's buffers. It never touches a socket, so the same code runs
//! under blocking threads, epoll, or an async runtime.
//!
//! * [`ServerConnection`] reads requests and sends responses: persistence,
//!   pipelining, `Expect: 100-continue`, the framing of responses (HEAD,
//!   1xx, 204, 205, 304, chunked or close-delimited when the length is
//!   unknown), protocol switches and errors (RULES PC-1 to PC-6, PL-1 to
//!   PL-6).
//! * [`ClientConnection`] sends requests and reads responses: any number
//!   of 1xx, response framing by the request's method, close-delimited
//!   bodies, obs-fold unfolded as a user agent must, an unasked 101
//!   refused, and whether the connection may be reused.
//!
//! [h11]: https://h11.readthedocs.io/
//!
//! # Consuming input
//!
//! Every [`poll`](ServerConnection::poll) returns the number of bytes it
//! consumed with its event. The caller drops them from the front of its
//! buffer, appends what it reads next, and polls again with what is left.
//! A head is consumed in one piece when it is complete; body data is
//! consumed as it is handed out.

mod client;
mod send;
mod server;

pub use client::{ClientConnection, ClientEvent};
pub use send::{DataFrame, SendError};
pub use server::{ProtocolError, ServerConnection, ServerEvent, CONTINUE};
