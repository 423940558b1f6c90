//! The body this side of a connection sends: its framing, what is left of
//! it, and the bytes that frame each piece (RFC 9112 §6, §7.1). Shared by
//! both roles, so a request body and a response body are framed by the
//! same code.

use crate::chunked;
use crate::error::EncodeError;
use crate::field::Header;

/// Why the connection refused something its user asked it to send: a
/// misuse of the API, or a message the rules do not allow. Nothing was
/// written and the connection's state did not change, so the caller can
/// correct the call (a larger buffer, another status) and try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The head could not be serialized (an invalid field, a framing field
    /// among the fields, or a buffer too small: see [`EncodeError`]).
    Encode(EncodeError),
    /// Not allowed in the connection's current state: a response before a
    /// request arrived, a second final response, data before the head or
    /// after the end, a second request before the response to the first.
    WrongState,
    /// Body data for a message that has none (a response to HEAD, 1xx,
    /// 204, 205, 304; a request sent without a body).
    BodyNotAllowed,
    /// More body data than the Content-Length announced.
    BodyTooLong,
    /// The end of a body with fewer bytes than its Content-Length
    /// announced; `remaining` bytes are missing.
    BodyIncomplete {
        /// How many bytes the body still lacks.
        remaining: u64,
    },
    /// Trailer fields for a body that is not chunked (only the chunked
    /// coding carries trailers, RFC 9112 §7.1.2).
    TrailersNotAllowed,
    /// A `101 Switching Protocols` to a request that did not ask to
    /// upgrade (RFC 9110 §15.2.2), or before its body was read; a `100
    /// Continue` to a request that did not expect one, or any 1xx to an
    /// HTTP/1.0 client (RFC 9110 §15.2, RULES SR-8).
    InterimNotAllowed,
}

impl From<EncodeError> for SendError {
    fn from(e: EncodeError) -> Self {
        SendError::Encode(e)
    }
}

impl core::error::Error for SendError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SendError::Encode(e) => Some(e),
            _ => None,
        }
    }
}

impl core::fmt::Display for SendError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SendError::Encode(e) => write!(f, "cannot serialize the head: {e}"),
            SendError::WrongState => f.write_str("not allowed in the connection's current state"),
            SendError::BodyNotAllowed => f.write_str("this message has no body"),
            SendError::BodyTooLong => f.write_str("more body data than the Content-Length"),
            SendError::BodyIncomplete { remaining } => {
                write!(
                    f,
                    "the body ended {remaining} bytes short of its Content-Length"
                )
            }
            SendError::TrailersNotAllowed => f.write_str("trailers need a chunked body"),
            SendError::InterimNotAllowed => {
                f.write_str("this interim response is not allowed for this request")
            }
        }
    }
}

/// Runs `write`, a send method of a connection, on the end of `out` and
/// keeps what it wrote: how a caller that gathers its output in a `Vec`
/// uses the methods that write to the start of a slice (with the `std`
/// feature). `write` gets 1 KiB (zeroed: a slice must be initialized) and,
/// if an [`EncodeError::BufferTooSmall`] says that was short, runs again
/// with that much more: the send methods change nothing when they fail, so
/// a run after a failed one is as the first. Returns the bytes appended; on
/// an error `out` is as it was.
///
/// ```
/// use httpwire::conn::{append, ServerConnection};
/// use httpwire::Header;
///
/// let mut conn = ServerConnection::new();
/// let mut headers = [Header::EMPTY; 4];
/// conn.poll(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", &mut headers).unwrap();
/// let mut out = b"earlier output".to_vec();
/// let body = [b'x'; 5000];
/// let n = append(&mut out, |o| conn.respond(200, &[], &body, o)).unwrap();
/// let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
/// assert_eq!(n, head.len() + body.len());
/// assert_eq!(&out[14..14 + head.len()], head);
/// assert_eq!(out.len(), 14 + n);
/// ```
#[cfg(feature = "std")]
pub fn append(
    out: &mut std::vec::Vec<u8>,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, SendError>,
) -> Result<usize, SendError> {
    let len = out.len();
    // Not all the spare capacity: zeroing it would cost more than a retry.
    let mut room = 1024usize;
    // A retry adds at least what the failed part lacked, so a head, a body
    // piece and an end take at most four runs; eight bound it regardless.
    let mut result = Err(SendError::WrongState);
    for _ in 0..8 {
        out.resize(len.saturating_add(room), 0);
        result = write(&mut out[len..]);
        match result {
            Ok(n) => {
                out.truncate(len + n.min(room));
                return Ok(n);
            }
            Err(SendError::Encode(EncodeError::BufferTooSmall { needed })) => {
                room = room.saturating_add(needed);
            }
            Err(_) => break,
        }
    }
    out.truncate(len);
    result
}

/// The bytes to write around one piece of body data: `prefix`, then the
/// data itself, then `suffix`. For a chunked body they are the chunk-size
/// line and the CRLF after the data; for any other body both are empty. The
/// data is never copied, so a caller can write the three with one
/// vectored write.
///
/// ```
/// use httpwire::conn::DataFrame;
/// let frame = DataFrame::chunk(5);
/// assert_eq!((frame.prefix(), frame.suffix()), (&b"5\r\n"[..], &b"\r\n"[..]));
/// let mut out = [0u8; 16];
/// let n = frame.encode(b"hello", &mut out).unwrap();
/// assert_eq!(&out[..n], b"5\r\nhello\r\n");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataFrame {
    /// A chunk-size line: at most 16 hex digits and CRLF.
    prefix: [u8; 18],
    prefix_len: u8,
    suffix: &'static [u8],
}

impl DataFrame {
    /// No framing bytes: data of a Content-Length or close-delimited body,
    /// or an empty piece of any body.
    pub const BARE: DataFrame = DataFrame {
        prefix: [0; 18],
        prefix_len: 0,
        suffix: b"",
    };

    /// The framing of one chunk of `len` bytes (RFC 9112 §7.1, rule SR-5);
    /// [`BARE`](DataFrame::BARE) for 0, since a zero-size chunk would end
    /// the body.
    pub fn chunk(len: usize) -> DataFrame {
        let mut frame = DataFrame::BARE;
        // 18 bytes hold any usize in hex plus CRLF, so this cannot fail.
        let written = chunked::encode_chunk_header(len, &mut frame.prefix).unwrap_or(0);
        if written > 0 {
            // `written` is at most 18.
            frame.prefix_len = written as u8;
            frame.suffix = b"\r\n";
        }
        frame
    }

    /// The bytes to write before the data.
    pub fn prefix(&self) -> &[u8] {
        self.prefix
            .get(..usize::from(self.prefix_len))
            .unwrap_or_default()
    }

    /// The bytes to write after the data.
    pub fn suffix(&self) -> &'static [u8] {
        self.suffix
    }

    /// Copies prefix, `data` and suffix to the start of `out` and returns
    /// the number of bytes written, for callers that assemble output in one
    /// buffer. `data` must be the piece this frame was made for.
    pub fn encode(&self, data: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
        let prefix = self.prefix();
        let needed = prefix
            .len()
            .saturating_add(data.len())
            .saturating_add(self.suffix.len());
        let dst = out
            .get_mut(..needed)
            .ok_or(EncodeError::BufferTooSmall { needed })?;
        let (head, rest) = dst.split_at_mut(prefix.len());
        head.copy_from_slice(prefix);
        let (body, tail) = rest.split_at_mut(data.len());
        body.copy_from_slice(data);
        tail.copy_from_slice(self.suffix);
        Ok(needed)
    }
}

/// The sending direction of a connection of either role: where the
/// message it sends is. One set of states for both roles, as h11 has it;
/// `Head` and `Switched` are the server's alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Send {
    /// No message under way: a client may send a request; a server has no
    /// request to answer.
    Idle,
    /// A request waits for its response head (interim or final).
    Head,
    /// The (final) head went out; the body is being sent.
    Body(Outgoing),
    /// The message is complete.
    Done,
    /// A 101 or a 2xx to CONNECT went out: the caller owns the output.
    Switched,
    /// Nothing more may be sent: the connection ended or failed, or (a
    /// client) it switched protocols or a final response came before the
    /// body was sent (RS-12).
    Closed,
}

impl Send {
    /// The framing of a piece of body data of `len` bytes (`send_data` of
    /// either role).
    pub(crate) fn data(&mut self, len: usize) -> Result<DataFrame, SendError> {
        match self {
            Send::Body(body) => body.frame(len),
            _ => Err(SendError::WrongState),
        }
    }

    /// Ends the body: writes its end (see [`Outgoing::finish`]) into `out`,
    /// and the message is done.
    pub(crate) fn end(
        &mut self,
        trailers: &[Header<'_>],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let Send::Body(body) = *self else {
            return Err(SendError::WrongState);
        };
        let n = body.finish(trailers, out)?;
        *self = Send::Done;
        Ok(n)
    }
}

/// How the body being sent is framed, and what is left of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// No body may follow the head.
    Empty,
    /// A Content-Length body with `remaining` bytes still to send.
    Length { remaining: u64 },
    /// A chunked body.
    Chunked,
    /// A response body that ends when the connection closes.
    CloseDelimited,
}

impl Outgoing {
    /// The framing for the next `len` bytes of data, counted against a
    /// Content-Length.
    pub(crate) fn frame(&mut self, len: usize) -> Result<DataFrame, SendError> {
        if len == 0 {
            return Ok(DataFrame::BARE);
        }
        match self {
            Outgoing::Empty => Err(SendError::BodyNotAllowed),
            Outgoing::Length { remaining } => {
                let len = u64::try_from(len).unwrap_or(u64::MAX);
                *remaining = remaining.checked_sub(len).ok_or(SendError::BodyTooLong)?;
                Ok(DataFrame::BARE)
            }
            Outgoing::Chunked => Ok(DataFrame::chunk(len)),
            Outgoing::CloseDelimited => Ok(DataFrame::BARE),
        }
    }

    /// Writes the end of the body into `out`: the last chunk and the
    /// trailers of a chunked body, nothing for the others. A Content-Length
    /// body must be complete.
    pub(crate) fn finish(
        &self,
        trailers: &[Header<'_>],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        match *self {
            Outgoing::Chunked => Ok(chunked::encode_last_chunk(trailers, out)?),
            _ if !trailers.is_empty() => Err(SendError::TrailersNotAllowed),
            Outgoing::Length { remaining } if remaining > 0 => {
                Err(SendError::BodyIncomplete { remaining })
            }
            _ => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_down_and_refuses_too_much_or_too_little() {
        let mut body = Outgoing::Length { remaining: 5 };
        assert_eq!(body.frame(3), Ok(DataFrame::BARE));
        assert_eq!(
            body.finish(&[], &mut []),
            Err(SendError::BodyIncomplete { remaining: 2 })
        );
        assert_eq!(body.frame(3), Err(SendError::BodyTooLong));
        assert_eq!(
            body,
            Outgoing::Length { remaining: 2 },
            "a refused piece counts nothing"
        );
        assert_eq!(body.frame(2), Ok(DataFrame::BARE));
        assert_eq!(body.finish(&[], &mut []), Ok(0));
    }

    #[test]
    fn chunked_frames_each_piece_and_ends_with_trailers() {
        let mut body = Outgoing::Chunked;
        let frame = body.frame(300).unwrap();
        assert_eq!(
            (frame.prefix(), frame.suffix()),
            (&b"12c\r\n"[..], &b"\r\n"[..])
        );
        assert_eq!(
            body.frame(0),
            Ok(DataFrame::BARE),
            "an empty piece is not the last chunk"
        );
        let mut out = [0u8; 32];
        let n = body
            .finish(
                &[Header {
                    name: "X-Sum",
                    value: b"1",
                }],
                &mut out,
            )
            .unwrap();
        assert_eq!(&out[..n], b"0\r\nX-Sum: 1\r\n\r\n");
    }

    #[test]
    fn empty_bodies_take_no_data_and_only_chunked_takes_trailers() {
        let mut body = Outgoing::Empty;
        assert_eq!(body.frame(1), Err(SendError::BodyNotAllowed));
        assert_eq!(body.frame(0), Ok(DataFrame::BARE));
        let t = [Header {
            name: "X",
            value: b"1",
        }];
        assert_eq!(body.finish(&t, &mut []), Err(SendError::TrailersNotAllowed));
        assert_eq!(Outgoing::CloseDelimited.finish(&[], &mut []), Ok(0));
    }

    #[test]
    fn frame_encode_copies_and_checks_room() {
        let frame = DataFrame::chunk(2);
        let mut small = [0u8; 6];
        assert_eq!(
            frame.encode(b"hi", &mut small),
            Err(EncodeError::BufferTooSmall { needed: 7 })
        );
        let mut out = [0u8; 7];
        assert_eq!(frame.encode(b"hi", &mut out), Ok(7));
        assert_eq!(&out, b"2\r\nhi\r\n");
    }
}
