//! # httpwire
//!
//! HTTP/1.1 on the wire: strict, incremental, zero-copy request and
//! response parsers, body framing and serializers that need neither `std`
//! nor an allocator, plus (with the default `std` feature) a small threaded
//! server.
//!
//! * [`RequestParser`] parses a request head from a byte slice, resuming
//!   where it stopped when called again with a longer buffer, so the cost
//!   stays linear in the bytes even when they arrive one at a time. Method,
//!   target and fields borrow from the input; fields go into a slice the
//!   caller owns. A byte that makes the head invalid is refused in the call
//!   that brings it.
//! * [`ResponseParser`] does the same for response heads, with the
//!   leniencies real servers need as separate opt-ins. Both run the same
//!   loop, one state machine over the start-line and the field lines.
//! * [`Framing`] is the body-length decision (RFC 9112 §6.3) made with the
//!   head; [`BodyDecoder`] de-frames Content-Length, chunked and
//!   close-delimited bodies.
//! * The serializers in [`serialize`] write response and request heads and
//!   chunked bodies, refusing any field that could split a message.
//!
//! Strict by RFC 9112/9110 and safe against request smuggling by default;
//! every leniency is opt-in (for requests only bare LF line endings).
//! `CONFORMANCE.md` at the repository root states the profile rule by rule:
//! the rule ids these docs cite (such as `SM-12`, often as "RULES SM-12")
//! are defined there, each with the RFC sections and the tests behind it.
//!
//! # Features
//!
//! * none: the core above, `#![no_std]` and without allocation;
//! * `std` (default): `write_to` methods for any `std::io::Write`, and the
//!   threaded server (module `server`);
//! * `http`: conversions to and from the `http` crate's request and
//!   response types (module `http_interop`); implies `std`.
#![no_std]
// docs.rs (nightly): label feature-gated items with their feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

mod chars;
mod error;
mod framing;
mod head;
mod limits;
mod request;
mod response;
mod simd;
mod target;
mod version;

pub mod body;
pub mod chunked;
pub mod conn;
pub mod date;
pub mod field;
#[cfg(feature = "http")]
pub mod http_interop;
pub mod serialize;
#[cfg(feature = "std")]
pub mod server;

pub use body::{BodyDecoder, ContentLengthDecoder, Decoded};
pub use chunked::ChunkedDecoder;
pub use error::{EncodeError, Error, ErrorKind};
pub use field::Header;
pub use framing::{Framing, ResponseFraming};
pub use head::Status;
#[cfg(feature = "http")]
pub use http_interop::ConvertError;
pub use limits::Limits;
pub use request::{Request, RequestParser};
pub use response::{Response, ResponseParser};
pub use target::TargetForm;
pub use version::Version;

/// The README's examples, run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
