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
//! consumed as it is handed out. [`InputBuffer`] does this bookkeeping
//! over storage the caller owns.
//!
//! # Keeping a head while its body is read
//!
//! Events borrow the input, so a [`Request`](crate::Request) borrows the
//! buffer, and reading more of the body into that same buffer needs it
//! mutably. Holding the head across a read does not compile:
//!
//! ```compile_fail,E0502
//! use httpwire::conn::{InputBuffer, ServerConnection, ServerEvent};
//! use httpwire::Header;
//!
//! let mut conn = ServerConnection::new();
//! let mut buf = InputBuffer::new([0u8; 1024]);
//! let mut headers = [Header::EMPTY; 16];
//! let (_, event) = conn.poll(buf.input(), &mut headers).unwrap();
//! if let ServerEvent::Request(req) = event {
//!     let more = buf.spare(); // error[E0502]: `buf` is also borrowed as immutable
//!     println!("{} {}", req.method, more.len());
//! }
//! ```
//!
//! Copying the fields out would need an allocation. Instead the buffer
//! keeps the head's bytes in place: [`InputBuffer::hold`] consumes the head
//! and keeps it until [`InputBuffer::release`], and [`InputBuffer::split`]
//! lends the held head and the rest of the buffer separately, so the head
//! stays borrowed while the body is read, consumed and compacted in the
//! rest, which never moves it. The connection makes the request again from
//! the held bytes ([`ServerConnection::held_request`], one more pass of the
//! parser over the head):
//!
//! ```
//! use httpwire::conn::{InputBuffer, ServerConnection, ServerEvent};
//! use httpwire::Header;
//!
//! // What the socket delivers, read by read.
//! let mut reads = [
//!     &b"PUT /f HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab"[..],
//!     b"cd",
//!     b"ef",
//! ]
//! .into_iter();
//! let mut read = |into: &mut [u8]| {
//!     let bytes = reads.next().unwrap_or_default();
//!     into[..bytes.len()].copy_from_slice(bytes);
//!     bytes.len()
//! };
//!
//! let mut conn = ServerConnection::new();
//! let mut buf = InputBuffer::new([0u8; 1024]);
//! let n = read(buf.spare());
//! buf.filled(n);
//! let used = {
//!     let mut headers = [Header::EMPTY; 16];
//!     let (used, event) = conn.poll(buf.input(), &mut headers).unwrap();
//!     assert!(matches!(event, ServerEvent::Request(_)));
//!     used
//! };
//! buf.hold(used);
//!
//! let (held, mut rest) = buf.split();
//! let mut headers = [Header::EMPTY; 16];
//! let req = conn.held_request(held, &mut headers).unwrap();
//! let mut body = Vec::new();
//! loop {
//!     // `req` stays usable while the body is read into the same buffer.
//!     match conn.poll(rest.input(), &mut []).unwrap() {
//!         (used, ServerEvent::Data(data)) => {
//!             body.extend_from_slice(data);
//!             rest.consume(used);
//!         }
//!         (_, ServerEvent::NeedMore) => {
//!             let n = read(rest.spare());
//!             rest.filled(n);
//!         }
//!         (_, ServerEvent::EndOfRequest) => break,
//!         (_, other) => panic!("{other:?}"),
//!     }
//! }
//! assert_eq!((req.method, req.path(), &body[..]), ("PUT", "/f", &b"abcdef"[..]));
//! buf.release();
//! ```

mod buffer;
mod client;
mod send;
mod server;

pub use buffer::{InputBuffer, Rest};
pub use client::{ClientConnection, ClientEvent};
#[cfg(feature = "std")]
pub use send::append;
pub use send::{DataFrame, SendError};
pub use server::{ProtocolError, ServerConnection, ServerEvent, CONTINUE};
