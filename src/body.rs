//! Body de-framing (RFC 9112 §6): a [`BodyDecoder`] for the [`Framing`]
//! decided from the head, built from a [`ContentLengthDecoder`] and a
//! [`ChunkedDecoder`], all reporting [`Decoded`] events.

use crate::chunked::ChunkedDecoder;
pub use crate::chunked::Decoded;
use crate::error::{Error, ErrorKind};
use crate::framing::Framing;
use crate::limits::Limits;

/// Reads a body of exactly `len` bytes (RFC 9112 §6.3 rule 6). The next byte
/// after it starts the next message.
///
/// ```
/// use httpwire::{ContentLengthDecoder, Decoded};
/// let mut dec = ContentLengthDecoder::new(5);
/// assert_eq!(dec.decode(b"hel"), (3, Decoded::Data(b"hel")));
/// assert_eq!(dec.decode(b"loGET"), (2, Decoded::Data(b"lo")));
/// assert_eq!(dec.decode(b"GET"), (0, Decoded::Done));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentLengthDecoder {
    len: u64,
    remaining: u64,
}

impl ContentLengthDecoder {
    /// A decoder for a body of `len` bytes.
    pub const fn new(len: u64) -> ContentLengthDecoder {
        ContentLengthDecoder {
            len,
            remaining: len,
        }
    }

    /// Returns the bytes consumed and: [`Decoded::Done`] once the whole body
    /// was read (consuming nothing), [`Decoded::NeedMore`] for empty input,
    /// otherwise [`Decoded::Data`] with the input up to the end of the body.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> (usize, Decoded<'a>) {
        if self.remaining == 0 {
            return (0, Decoded::Done);
        }
        if input.is_empty() {
            return (0, Decoded::NeedMore);
        }
        let n = usize::try_from(self.remaining).map_or(input.len(), |r| r.min(input.len()));
        let data = input.get(..n).unwrap_or(input);
        self.remaining = self.remaining.saturating_sub(data.len() as u64);
        (data.len(), Decoded::Data(data))
    }

    /// Body bytes still to come.
    pub const fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Has the whole body been read?
    pub const fn is_done(&self) -> bool {
        self.remaining == 0
    }
}

/// De-frames a message body as decided by its [`Framing`].
///
/// Call [`decode`](BodyDecoder::decode) with the bytes after the head until it
/// returns [`Decoded::Done`]; keep the unconsumed bytes and present them
/// again, followed by new ones, after [`Decoded::NeedMore`]. What is left
/// after `Done` is the next pipelined request.
///
/// ```
/// use httpwire::{BodyDecoder, Decoded, Framing, Limits};
///
/// let mut dec = BodyDecoder::new(Framing::Chunked, &Limits::default());
/// // The body arrives in two pieces; the second also holds the next request.
/// let pieces: [&[u8]; 2] = [b"6\r\nhello ", b"\r\n0\r\nX-Check: 1\r\n\r\nGET / HTTP/1.1\r\n"];
/// let mut buf = [0u8; 64]; // bytes received but not yet consumed
/// let mut filled = 0;
/// let mut body = [0u8; 16];
/// let mut body_len = 0;
/// let mut trailers = 0;
/// 'read: for piece in pieces {
///     buf[filled..filled + piece.len()].copy_from_slice(piece);
///     filled += piece.len();
///     loop {
///         let (n, event) = dec.decode(&buf[..filled])?;
///         let mut need_more = false;
///         let mut done = false;
///         match event {
///             Decoded::Data(d) => {
///                 body[body_len..body_len + d.len()].copy_from_slice(d);
///                 body_len += d.len();
///             }
///             Decoded::Trailer(h) => {
///                 assert!(h.is("x-check"));
///                 trailers += 1;
///             }
///             Decoded::Done => done = true,
///             Decoded::NeedMore => need_more = true,
///         }
///         // Drop the consumed bytes, keep the rest for the next call.
///         buf.copy_within(n..filled, 0);
///         filled -= n;
///         if done {
///             break 'read;
///         }
///         if need_more {
///             break;
///         }
///     }
/// }
/// assert!(dec.is_done());
/// assert_eq!(&body[..body_len], b"hello ");
/// assert_eq!(trailers, 1);
/// assert_eq!(&buf[..filled], b"GET / HTTP/1.1\r\n");
/// # Ok::<(), httpwire::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum BodyDecoder {
    /// No body (RFC 9112 §6.3 rule 7), or a [`Framing::Tunnel`], whose
    /// bytes are not a body: `decode` returns `Done` at once.
    None,
    /// A Content-Length body.
    Length(ContentLengthDecoder),
    /// A chunked body.
    Chunked(ChunkedDecoder),
    /// A response body that runs until the connection closes (RFC 9112
    /// §6.3 rule 8): every byte is data, and the body ends when the caller
    /// says the connection closed ([`finish_at_close`](BodyDecoder::finish_at_close)).
    CloseDelimited {
        /// Has the connection closed?
        closed: bool,
    },
}

impl BodyDecoder {
    /// A decoder for `framing`. `limits` applies to chunked bodies (body
    /// size, chunk extensions, trailer section); a Content-Length over
    /// `max_body` is the head parser's to refuse, before the body is read.
    pub fn new(framing: Framing, limits: &Limits) -> BodyDecoder {
        match framing {
            Framing::None | Framing::Tunnel => BodyDecoder::None,
            Framing::Length(len) => BodyDecoder::Length(ContentLengthDecoder::new(len)),
            Framing::Chunked => BodyDecoder::Chunked(ChunkedDecoder::with_limits(limits)),
            Framing::CloseDelimited => BodyDecoder::CloseDelimited { closed: false },
        }
    }

    /// Decodes from `input`, which must start with the bytes the previous
    /// call did not consume. Returns the bytes consumed and one event; only a
    /// chunked body can fail. A close-delimited body hands out all of
    /// `input` as data until [`finish_at_close`](BodyDecoder::finish_at_close).
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Decoded<'a>), Error> {
        match self {
            BodyDecoder::None | BodyDecoder::CloseDelimited { closed: true } => {
                Ok((0, Decoded::Done))
            }
            BodyDecoder::Length(d) => Ok(d.decode(input)),
            BodyDecoder::Chunked(d) => d.decode(input),
            BodyDecoder::CloseDelimited { closed: false } if input.is_empty() => {
                Ok((0, Decoded::NeedMore))
            }
            BodyDecoder::CloseDelimited { closed: false } => {
                Ok((input.len(), Decoded::Data(input)))
            }
        }
    }

    /// [`decode`](BodyDecoder::decode), knowing whether the connection has
    /// closed: once it has and the input is used up, the body ends here
    /// ([`finish_at_close`](BodyDecoder::finish_at_close)) instead of asking
    /// for bytes that will never come. What both connection roles call.
    pub(crate) fn decode_until_close<'a>(
        &mut self,
        input: &'a [u8],
        closed: bool,
    ) -> Result<(usize, Decoded<'a>), Error> {
        match self.decode(input)? {
            (0, Decoded::NeedMore) if closed => self.finish_at_close().map(|()| (0, Decoded::Done)),
            decoded => Ok(decoded),
        }
    }

    /// The connection closed: no more bytes will come. A close-delimited
    /// body ends here (`decode` then returns `Done`). Any other body must
    /// already be complete: one cut short is an incomplete message, never
    /// to be taken as complete (RFC 9112 §8, RULES CL-9), and this returns
    /// [`ErrorKind::IncompleteBody`] at the number of bytes consumed.
    ///
    /// ```
    /// use httpwire::{BodyDecoder, Decoded, ErrorKind, Framing, Limits};
    ///
    /// let mut body = BodyDecoder::new(Framing::CloseDelimited, &Limits::DEFAULT);
    /// assert_eq!(body.decode(b"all of it"), Ok((9, Decoded::Data(b"all of it"))));
    /// assert_eq!(body.finish_at_close(), Ok(()));
    /// assert_eq!(body.decode(b""), Ok((0, Decoded::Done)));
    ///
    /// let mut body = BodyDecoder::new(Framing::Length(5), &Limits::DEFAULT);
    /// assert_eq!(body.decode(b"hel"), Ok((3, Decoded::Data(b"hel"))));
    /// let cut = body.finish_at_close().unwrap_err();
    /// assert_eq!((cut.kind(), cut.offset()), (ErrorKind::IncompleteBody, 3));
    /// ```
    pub fn finish_at_close(&mut self) -> Result<(), Error> {
        let consumed = match self {
            BodyDecoder::CloseDelimited { closed } => {
                *closed = true;
                return Ok(());
            }
            _ if self.is_done() => return Ok(()),
            BodyDecoder::Length(d) => usize::try_from(d.len - d.remaining).unwrap_or(usize::MAX),
            BodyDecoder::Chunked(d) => d.consumed(),
            BodyDecoder::None => 0,
        };
        Err(Error::new(ErrorKind::IncompleteBody, consumed))
    }

    /// Bounds the body to `max_body` bytes in place of the limit it was
    /// made with (RULES LM-6, RFC 9110 §15.5.14), for a limit decided once
    /// the head was routed: a Content-Length over it is refused now (the
    /// head parser refused one over its own limit at the head), a chunked
    /// body as soon as its chunk-sizes declare more. The error is a
    /// [`ErrorKind::BodyTooLarge`] at the bytes consumed so far.
    pub(crate) fn limit(&mut self, max_body: u64) -> Result<(), Error> {
        match self {
            BodyDecoder::Length(d) if d.len > max_body => {
                let consumed = usize::try_from(d.len - d.remaining).unwrap_or(usize::MAX);
                Err(Error::new(ErrorKind::BodyTooLarge, consumed))
            }
            BodyDecoder::Chunked(d) => d.set_max_body(max_body),
            BodyDecoder::None | BodyDecoder::Length(_) | BodyDecoder::CloseDelimited { .. } => {
                Ok(())
            }
        }
    }

    /// Has the whole body been read?
    pub fn is_done(&self) -> bool {
        match self {
            BodyDecoder::None => true,
            BodyDecoder::Length(d) => d.is_done(),
            BodyDecoder::Chunked(d) => d.is_done(),
            BodyDecoder::CloseDelimited { closed } => *closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn content_length_reads_exactly_len_bytes() {
        let mut dec = ContentLengthDecoder::new(5);
        assert_eq!(dec.remaining(), 5);
        assert_eq!(dec.decode(b""), (0, Decoded::NeedMore));
        assert_eq!(dec.decode(b"he"), (2, Decoded::Data(b"he")));
        assert_eq!(dec.remaining(), 3);
        assert!(!dec.is_done());
        assert_eq!(dec.decode(b"lloGET / HTTP/1.1"), (3, Decoded::Data(b"llo")));
        assert!(dec.is_done());
        assert_eq!(dec.decode(b"GET / HTTP/1.1"), (0, Decoded::Done));
        assert_eq!(dec.decode(b""), (0, Decoded::Done));
    }

    #[test]
    fn content_length_zero_is_done_at_once() {
        let mut dec = ContentLengthDecoder::new(0);
        assert!(dec.is_done());
        assert_eq!(dec.decode(b"GET"), (0, Decoded::Done));
    }

    #[test]
    fn content_length_larger_than_memory() {
        let mut dec = ContentLengthDecoder::new(u64::MAX);
        assert_eq!(dec.decode(b"abc"), (3, Decoded::Data(b"abc")));
        assert_eq!(dec.remaining(), u64::MAX - 3);
    }

    #[test]
    fn body_decoder_none() {
        let mut dec = BodyDecoder::new(Framing::None, &Limits::DEFAULT);
        assert!(dec.is_done());
        assert_eq!(dec.decode(b"GET / HTTP/1.1\r\n"), Ok((0, Decoded::Done)));
    }

    #[test]
    fn body_decoder_length() {
        let mut dec = BodyDecoder::new(Framing::Length(3), &Limits::DEFAULT);
        assert!(!dec.is_done());
        assert_eq!(dec.decode(b"abcdef"), Ok((3, Decoded::Data(b"abc"))));
        assert!(dec.is_done());
        assert_eq!(dec.decode(b"def"), Ok((0, Decoded::Done)));
    }

    /// Feeds `input` in `pieces`-sized reads, as a caller does, then says
    /// the connection closed. Returns the data, what `finish_at_close`
    /// said, and the event after it.
    fn read_to_close(
        framing: Framing,
        input: &[u8],
        piece: usize,
    ) -> (std::vec::Vec<u8>, Result<(), Error>, Decoded<'static>) {
        let mut dec = BodyDecoder::new(framing, &Limits::DEFAULT);
        let mut data = std::vec::Vec::new();
        let mut pending: std::vec::Vec<u8> = std::vec::Vec::new();
        for chunk in input.chunks(piece.max(1)) {
            pending.extend_from_slice(chunk);
            loop {
                let (n, event) = dec.decode(&pending).unwrap();
                let stop = match event {
                    Decoded::Data(d) => {
                        data.extend_from_slice(d);
                        false
                    }
                    Decoded::Trailer(_) => false,
                    Decoded::NeedMore | Decoded::Done => true,
                };
                pending.drain(..n);
                if stop {
                    break;
                }
            }
        }
        let closed = dec.finish_at_close();
        let after = match dec.decode(b"") {
            Ok((0, Decoded::Done)) => Decoded::Done,
            Ok((0, Decoded::NeedMore)) => Decoded::NeedMore,
            other => panic!("after the close: {other:?}"),
        };
        (data, closed, after)
    }

    #[test]
    fn close_delimited_body_is_every_byte_until_the_close() {
        let input = b"any bytes, even 0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        for piece in [usize::MAX, 1, 2, 7] {
            let (data, closed, after) = read_to_close(Framing::CloseDelimited, input, piece);
            assert_eq!(data, input, "pieces of {piece}");
            assert_eq!((closed, after), (Ok(()), Decoded::Done));
        }
        let mut dec = BodyDecoder::new(Framing::CloseDelimited, &Limits::DEFAULT);
        assert!(!dec.is_done());
        assert_eq!(dec.decode(b""), Ok((0, Decoded::NeedMore)));
        assert_eq!(dec.decode(b"ab"), Ok((2, Decoded::Data(b"ab"))));
        assert!(!dec.is_done());
        assert_eq!(dec.finish_at_close(), Ok(()));
        assert!(dec.is_done());
        assert_eq!(dec.decode(b"late"), Ok((0, Decoded::Done)));
        assert_eq!(dec.finish_at_close(), Ok(()));
        // An empty body is a body too.
        let (data, closed, _) = read_to_close(Framing::CloseDelimited, b"", 1);
        assert_eq!((data.len(), closed), (0, Ok(())));
    }

    #[test]
    fn a_body_cut_short_by_the_close_is_incomplete() {
        let cut = |framing, input: &[u8], at| {
            for piece in [usize::MAX, 1, 3] {
                let (_, closed, after) = read_to_close(framing, input, piece);
                assert_eq!(
                    closed,
                    Err(Error::new(ErrorKind::IncompleteBody, at)),
                    "{framing:?} {input:?} pieces of {piece}"
                );
                assert_eq!(after, Decoded::NeedMore);
            }
        };
        cut(Framing::Length(5), b"", 0);
        cut(Framing::Length(5), b"hell", 4);
        cut(Framing::Chunked, b"", 0);
        cut(Framing::Chunked, b"5\r\nhel", 6);
        cut(Framing::Chunked, b"5\r\nhello\r\n", 10);
        cut(Framing::Chunked, b"5\r\nhello\r\n0\r\n", 13);
        // A partial trailer line is not consumed: the offset is where the
        // consumed bytes end.
        cut(Framing::Chunked, b"0\r\nX: 1", 3);
        // Complete bodies are complete at the close too.
        let whole = |framing, input: &[u8]| {
            for piece in [usize::MAX, 1] {
                let (_, closed, after) = read_to_close(framing, input, piece);
                assert_eq!((closed, after), (Ok(()), Decoded::Done), "{framing:?}");
            }
        };
        whole(Framing::None, b"");
        whole(Framing::Length(0), b"");
        whole(Framing::Length(5), b"hello");
        whole(Framing::Chunked, b"5\r\nhello\r\n0\r\n\r\n");
        whole(Framing::Tunnel, b"");
    }

    #[test]
    fn tunnel_has_no_body() {
        let mut dec = BodyDecoder::new(Framing::Tunnel, &Limits::DEFAULT);
        assert!(dec.is_done());
        // The bytes after the head belong to the tunnel: none is consumed.
        assert_eq!(dec.decode(b"\x16\x03\x01"), Ok((0, Decoded::Done)));
    }

    #[test]
    fn body_decoder_chunked_uses_limits() {
        let mut dec = BodyDecoder::new(Framing::Chunked, &Limits::DEFAULT);
        assert_eq!(dec.decode(b"3\r\nabc\r\n"), Ok((6, Decoded::Data(b"abc"))));
        assert_eq!(dec.decode(b"\r\n0\r\n\r\nNEXT"), Ok((7, Decoded::Done)));
        assert!(dec.is_done());

        let limits = Limits {
            max_body: 2,
            ..Limits::DEFAULT
        };
        let mut dec = BodyDecoder::new(Framing::Chunked, &limits);
        let e = dec.decode(b"3\r\nabc\r\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BodyTooLarge);
        assert!(!dec.is_done());
    }
}
